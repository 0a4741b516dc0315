/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark's own annotation of a packet (docs/FORMATS.md section 9): one pcapng comment
 * "proc: SRC → DST" naming the process of each end, written by procshark-import --annotate and read
 * back by the plugin. Names come from monitored hosts: they are escaped so that the text parses back
 * to the same bytes and never shows a terminal a raw control character. */
#ifndef PROC_ANNOTATION_H
#define PROC_ANNOTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "ps_problem.h"

/* Every annotation starts with this; a comment that does is procshark's, well-formed or not. */
#define PROC_ANNOTATION_PREFIX "proc: "

typedef enum {
    PROC_ANNOTATION_PROBLEM_NONE,
    PROC_ANNOTATION_BAD_TEXT,   /* not UTF-8, a NUL, or a raw control character */
    PROC_ANNOTATION_BAD_ESCAPE, /* a backslash before anything but \ ( ) [ ] ? or xHH; \x00 */
    PROC_ANNOTATION_BAD_PID,    /* no digits, a leading zero, or more than 4294967295 */
    PROC_ANNOTATION_SYNTAX,     /* anything else out of place: the text ends early, no arrow, ... */
} proc_annotation_problem;

typedef struct {
    bool known;      /* the end's process is known: pid is set */
    uint32_t pid;
    char *name;      /* NULL: not known (written "?"); any bytes but NUL */
    char *container; /* NULL: none */
} proc_annotation_end;

typedef struct {
    proc_annotation_end end[2]; /* [0] the packet's source socket, [1] its destination */
} proc_annotation;

/* Whether a comment (len bytes) is procshark's: it starts with PROC_ANNOTATION_PREFIX. */
bool proc_annotation_is_ours(const char *comment, size_t len);

/* Parses one annotation (len bytes, no NUL needed) into ann, which starts zeroed. False when it is
 * malformed: the problems say where (offsets from the comment's start) and ann holds nothing. */
bool proc_annotation_decode(const char *comment, size_t len, proc_annotation *ann, ps_problems *problems);

/* Appends the annotation of ann (ends not known: "?"; an empty name counts as unknown). */
void proc_annotation_encode(GString *out, const proc_annotation *ann);

/* Frees what ann holds; it is zeroed again. */
void proc_annotation_clear(proc_annotation *ann);

#endif
