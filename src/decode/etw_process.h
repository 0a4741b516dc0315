/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Classic kernel Process events (Start, End, rundowns and Defunct in versions 3, 4, 5; Terminate,
 * PerfCtr and PerfCtrRundown in version 2), docs/FORMATS.md section 3. */
#ifndef ETW_PROCESS_H
#define ETW_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_bytes.h"
#include "ps_problem.h"

typedef enum {
    ETW_PROC_KEY,
    ETW_PROC_PID,
    ETW_PROC_PPID,
    ETW_PROC_SESSION,
    ETW_PROC_EXIT_STATUS,
    ETW_PROC_DIRECTORY_TABLE_BASE,
    ETW_PROC_FLAGS,
    ETW_PROC_SID,       /* the whole UserSID blob, token header included */
    ETW_PROC_IMAGE,     /* ANSI, the terminating NUL included when present */
    ETW_PROC_CMDLINE,   /* UTF-16LE, likewise */
    ETW_PROC_PACKAGE,
    ETW_PROC_APPID,
    ETW_PROC_EXIT_TIME, /* version 5 Defunct */
    /* PerfCtr and PerfCtrRundown: the process's counters, sizes pointer-wide */
    ETW_PROC_PAGE_FAULT_COUNT,
    ETW_PROC_HANDLE_COUNT,
    ETW_PROC_RESERVED,
    ETW_PROC_PEAK_VIRTUAL_SIZE,
    ETW_PROC_PEAK_WORKING_SET_SIZE,
    ETW_PROC_PEAK_PAGEFILE_USAGE,
    ETW_PROC_QUOTA_PEAK_PAGED_POOL_USAGE,
    ETW_PROC_QUOTA_PEAK_NON_PAGED_POOL_USAGE,
    ETW_PROC_VIRTUAL_SIZE,
    ETW_PROC_WORKING_SET_SIZE,
    ETW_PROC_PAGEFILE_USAGE,
    ETW_PROC_QUOTA_PAGED_POOL_USAGE,
    ETW_PROC_QUOTA_NON_PAGED_POOL_USAGE,
    ETW_PROC_PRIVATE_PAGE_COUNT,
    ETW_PROC_FIELD_COUNT
} etw_proc_field;

/* The codes of etw_proc_event.problems: at most one is reported, none (ETW_PROC_OK) for a sound
 * payload. The opcode and version are the record header's: those problems have no offset. */
typedef enum {
    ETW_PROC_OK,
    ETW_PROC_TRUNCATED,       /* a field or string runs past the payload: what fits is decoded */
    ETW_PROC_TRAILING,        /* decoded, with bytes left over (the problem spans them) */
    ETW_PROC_BAD_SID,         /* the SID's revision is not 1 or it claims over 15 sub-authorities */
    ETW_PROC_UNKNOWN_EVENT,   /* an opcode other than 1, 2, 3, 4, 11, 32, 33, 39 */
    ETW_PROC_UNKNOWN_VERSION, /* not 3, 4 or 5 (Terminate and the counters: not 2): not decoded */
} etw_proc_status;

typedef struct {
    uint8_t opcode;
    uint8_t version;
    const char *event_name; /* "Start", "End", "DCStart", "DCEnd", "Defunct", "Terminate", "PerfCtr",
                             * "PerfCtrRundown"; NULL if unknown */
    unsigned pointer_size;  /* 4 or 8 */
    ps_problems problems;   /* offsets in the payload; the only thing ev owns: ps_problems_clear() */
    ps_span span[ETW_PROC_FIELD_COUNT];

    uint64_t key;
    uint32_t pid;
    uint32_t ppid;
    uint32_t session;
    int32_t exit_status;
    uint64_t directory_table_base;
    uint32_t flags;
    uint64_t exit_time; /* FILETIME */
    char sid[192];      /* "S-1-5-18", or "" when the blob holds no SID (15 sub-authorities fit) */
    uint32_t page_fault_count;
    uint32_t handle_count;
    uint64_t counters[ETW_PROC_PRIVATE_PAGE_COUNT - ETW_PROC_PEAK_VIRTUAL_SIZE + 1]; /* from PeakVirtualSize on */
} etw_proc_event;

/* Decodes into a fresh or cleared ev; pointer_size comes from the record header flags (4 for 0x20,
 * 8 otherwise). */
void etw_proc_decode(uint8_t opcode, uint8_t version, unsigned pointer_size, const uint8_t *payload,
                     size_t len, etw_proc_event *ev);

/* "Process start pid 4242 ppid 700 chrome.exe"; image is the decoded ImageFileName or NULL. */
void etw_proc_describe(const etw_proc_event *ev, const char *image, char *out, size_t out_size);

#endif
