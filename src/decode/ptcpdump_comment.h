/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptcpdump's process comments on a packet (docs/FORMATS.md section 7): "Key: value" lines in the
 * pcapng packet's comments, read as ptcpdump reads them back (internal/types/context.go). */
#ifndef PTCPDUMP_COMMENT_H
#define PTCPDUMP_COMMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

typedef enum {
    PTCPDUMP_PID,
    PTCPDUMP_CMD,
    PTCPDUMP_ARGS,
    PTCPDUMP_TID,
    PTCPDUMP_THREAD_NAME,
    PTCPDUMP_UID,
    PTCPDUMP_PPID,
    PTCPDUMP_PARENT_CMD,
    PTCPDUMP_PARENT_ARGS,
    PTCPDUMP_CONTAINER_NAME,
    PTCPDUMP_CONTAINER_ID,
    PTCPDUMP_CONTAINER_IMAGE,
    PTCPDUMP_CONTAINER_LABELS,
    PTCPDUMP_POD_NAME,
    PTCPDUMP_POD_NAMESPACE,
    PTCPDUMP_POD_UID,
    PTCPDUMP_POD_LABELS,
    PTCPDUMP_POD_ANNOTATIONS,
    PTCPDUMP_KEY_COUNT
} ptcpdump_key;

typedef enum {
    PTCPDUMP_PROBLEM_NONE,
    PTCPDUMP_BAD_TEXT,   /* not UTF-8, or a NUL byte: the comment is skipped */
    PTCPDUMP_BAD_NUMBER, /* PID, ThreadId, UserId, ParentPID not a decimal up to 4294967295 */
    PTCPDUMP_STRAY_LINE, /* a line without "Key:" in a ptcpdump comment: an argument with a newline? */
    PTCPDUMP_CONFLICT,   /* a key given again with another value: the first is kept */
    PTCPDUMP_NO_PID,     /* ptcpdump keys but no PID: nothing to attribute */
} ptcpdump_problem;

typedef struct {
    bool any;                                 /* some comment had a ptcpdump key */
    char *value[PTCPDUMP_KEY_COUNT];          /* g_malloc'd, trimmed as ptcpdump trims; NULL: absent */
    bool has_number[PTCPDUMP_KEY_COUNT];      /* PID, ThreadId, UserId, ParentPID that parsed */
    uint32_t number[PTCPDUMP_KEY_COUNT];
    char *name;                               /* the process name ptcpdump derives from Cmd; NULL: none */
    ps_problems problems;                     /* offsets count from the start of the comment they are in */
} ptcpdump_info;

/* The key as ptcpdump writes it ("ParentPID"), for messages and field titles. */
const char *ptcpdump_key_name(ptcpdump_key key);

/* Adds one comment (len bytes, no NUL needed) to info, which starts zeroed. Comments without any
 * ptcpdump key (a person's note) are ignored without a problem. */
void ptcpdump_comment_add(ptcpdump_info *info, const char *comment, size_t len);

/* After the packet's last comment: derives the name and reports a missing PID. */
void ptcpdump_comment_finish(ptcpdump_info *info);

/* Frees what info holds; it is zeroed again. */
void ptcpdump_info_clear(ptcpdump_info *info);

#endif
