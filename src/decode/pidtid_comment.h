/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "PID=… TID=…" packet comments (docs/FORMATS.md section 8), as Microsoft's etl2pcapng writes one
 * on every packet it converts from an ETW packet capture: the process and thread that were running
 * when the event was logged, then (for Wi-Fi, vmswitch and RAS packets) more details. */
#ifndef PIDTID_COMMENT_H
#define PIDTID_COMMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

typedef enum {
    PIDTID_PROBLEM_NONE,
    PIDTID_BAD_NUMBER, /* PID or TID not a decimal up to 4294967295 (etl2pcapng prints them with %d) */
    PIDTID_NO_TID,     /* "PID=n" not followed by " TID=n" */
    PIDTID_BAD_TEXT,   /* a control byte or invalid UTF-8 in the details */
} pidtid_problem;

typedef struct {
    uint32_t pid;
    bool has_pid;
    uint32_t tid;
    bool has_tid;
    char *details; /* g_malloc'd: what follows "TID=n " (etl2pcapng's Wi-Fi, vmswitch or RAS metadata); NULL: none */
    ps_problems problems; /* offsets from the start of the comment */
} pidtid_comment;

/* Reads one comment (len bytes, no NUL needed) into a zeroed out. False when it is no PID/TID
 * comment (it does not begin with "PID="): out is left empty. */
bool pidtid_comment_parse(const char *text, size_t len, pidtid_comment *out);

/* Frees what out holds; it is zeroed again. */
void pidtid_comment_clear(pidtid_comment *out);

#endif
