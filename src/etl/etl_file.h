/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows .etl trace files (ETW log files), read without any Windows API: the buffers, the logfile
 * header and the event header kinds real traces use. docs/FORMATS.md section 6 has the sources.
 *
 * A file is a run of buffers of one size; each starts with a 72-byte buffer header, then events
 * 8-byte aligned up to the end of data, then padding. The first event of the first buffer is the
 * logfile header (clock, start time, pointer size). */
#ifndef ETL_FILE_H
#define ETL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "etw_record.h"
#include "ps_problem.h"

/* Problems (ps_problem.h) carry no code: every caller only shows them. Their offsets are in the
 * buffer or payload the function was given. */

#define ETL_BUFFER_HEADER_SIZE 72
/* Larger buffers are not made by Windows (its limit is 16 MB); a larger size is damage. */
#define ETL_BUFFER_SIZE_MAX (64u << 20)

/* Buffer flags (ETW_BUFFER_FLAG_*). */
#define ETL_BUFFER_FLAG_PROC_INDEX 0x0020
#define ETL_BUFFER_FLAG_COMPRESSED 0x0040

typedef struct {
    uint32_t buffer_size;
    uint32_t saved_offset;
    uint32_t current_offset;
    uint64_t timestamp; /* raw clock */
    uint64_t sequence;
    uint16_t processor; /* the CPU whose events the buffer holds */
    uint16_t logger_id;
    uint32_t state;
    uint32_t offset;
    uint16_t flags;
    uint16_t type;
    uint32_t data_end; /* where the events end, from the start of the buffer */
} etl_buffer_header;

/* Parses a buffer header; len is what is at hand of the buffer. False, with the problem that says why,
 * when it is not one. data_end is clipped to len (a truncated buffer). */
bool etl_buffer_header_parse(const uint8_t *buf, size_t len, etl_buffer_header *h, ps_problems *problems);

/* Event header kinds: byte 2 of every event (TRACE_HEADER_TYPE_*). */
enum {
    ETL_HEADER_SYSTEM32 = 0x01,
    ETL_HEADER_SYSTEM64 = 0x02,
    ETL_HEADER_COMPACT32 = 0x03,
    ETL_HEADER_COMPACT64 = 0x04,
    ETL_HEADER_FULL32 = 0x0a,
    ETL_HEADER_INSTANCE32 = 0x0b,
    ETL_HEADER_TIMED = 0x0c,
    ETL_HEADER_ERROR = 0x0d,
    ETL_HEADER_WNODE = 0x0e,
    ETL_HEADER_MESSAGE = 0x0f,
    ETL_HEADER_PERFINFO32 = 0x10,
    ETL_HEADER_PERFINFO64 = 0x11,
    ETL_HEADER_EVENT32 = 0x12,
    ETL_HEADER_EVENT64 = 0x13,
    ETL_HEADER_FULL64 = 0x14,
    ETL_HEADER_INSTANCE64 = 0x15,
};

/* Clock types (the logfile header's ReservedFlags). */
enum { ETL_CLOCK_QPC = 1, ETL_CLOCK_SYSTEM_TIME = 2, ETL_CLOCK_CPU_CYCLES = 3 };

typedef struct {
    uint32_t buffer_size;
    uint32_t version;
    uint32_t provider_version; /* the Windows build */
    uint32_t cpus;
    uint64_t end_time;         /* FILETIME */
    uint32_t timer_resolution; /* 100 ns units */
    uint32_t log_file_mode;
    uint32_t buffers_written;
    uint32_t pointer_size;
    uint32_t events_lost;
    uint32_t cpu_mhz;
    uint64_t boot_time;  /* FILETIME */
    uint64_t perf_freq;  /* Hz of the QPC clock */
    uint64_t start_time; /* FILETIME */
    uint32_t clock_type;
    uint32_t buffers_lost;
    uint64_t start_raw;  /* the header event's own time stamp: the raw clock at start_time */
    uint64_t clock_freq; /* Hz of the raw clock; 0 for system time */
    char logger_name[128]; /* UTF-8, empty when absent */
    char log_file_name[512];
} etl_trace_info;

/* Parses the logfile header event's payload; header_raw_time is that event's time stamp and
 * pointer_size_hint the header's width (4 or 8), used when the payload does not say. False, with the
 * problem that says why, when it gives no usable clock. */
bool etl_trace_info_parse(const uint8_t *payload, size_t len, uint64_t header_raw_time, unsigned pointer_size_hint,
                          etl_trace_info *info, ps_problems *problems);

/* A NUL-terminated UTF-16LE string of at most avail bytes as UTF-8 in out (cut to out_size);
 * *consumed its bytes, the NUL included (avail when there is none). False when it has no NUL or is
 * no UTF-16. */
bool etl_utf16z(const uint8_t *p, size_t avail, char *out, size_t out_size, size_t *consumed);

/* Raw event time to FILETIME with the trace's clock; false when it cannot be one (overflow). */
bool etl_raw_to_filetime(const etl_trace_info *info, uint64_t raw, uint64_t *filetime);

typedef struct {
    uint8_t header_type;   /* ETL_HEADER_* (ETL_HEADER_MESSAGE for WPP messages) */
    size_t offset;         /* in the buffer */
    size_t size;           /* the event's bytes, header included, unpadded */
    bool classic;          /* identified by group and type (system, compact, perfinfo headers) */
    bool pointer64;        /* its payload uses 8-byte pointers */
    bool has_thread;       /* perfinfo headers carry no thread or process */
    bool has_time;         /* WPP messages may carry no time stamp */
    uint32_t thread_id;
    uint32_t process_id;
    uint64_t raw_time;
    uint8_t group;         /* classic: the hook group */
    uint8_t guid[16];      /* provider or class GUID (record byte order), classic: zero */
    uint16_t id;
    uint8_t version;
    uint8_t channel;
    uint8_t level;
    uint8_t opcode;
    uint16_t task;
    uint64_t keyword;
    uint16_t flags;        /* EVENT_HEADER_FLAG_* as a consumer would see them */
    uint16_t event_property;
    uint64_t processor_time;
    uint8_t activity_id[16];
    unsigned extended_items; /* extended data items (not carried by the 4.0 record) */
    const uint8_t *payload;
    size_t payload_len;
} etl_event;

typedef struct {
    const uint8_t *buf;
    size_t end;
    size_t pos;
} etl_event_iter;

typedef enum {
    ETL_NEXT_EVENT, /* *ev is an event */
    ETL_NEXT_SKIPPED, /* bytes that are no event: one problem spans them and says why; go on */
    ETL_NEXT_END,
} etl_next;

/* Events of one buffer: buf is the buffer (its header included), data_end as in the header. */
void etl_event_iter_init(etl_event_iter *it, const uint8_t *buf, size_t data_end);
/* The next event. A damaged or unknown event is skipped by its size when that is sound, else up to
 * the next place an event header could start: the skipped bytes are added to problems, to be reported. */
etl_next etl_event_iter_next(etl_event_iter *it, etl_event *ev, ps_problems *problems);

/* The class GUID of a classic kernel event group, NULL for groups without a known class. */
const uint8_t *etl_kernel_group_guid(uint8_t group);
const char *etl_kernel_group_name(uint8_t group);
/* The group whose class an event of this group and type belongs to: its own, but for the Image Load
 * events the kernel logs in the Process group (type 10), which Windows files under Image. */
uint8_t etl_kernel_class_group(uint8_t group, uint8_t opcode);

/* Fills the fields of the ETW record (docs/FORMATS.md section 2) an event becomes; its buffer gives the
 * processor and logger. False when its time cannot be converted. */
bool etl_event_record_fields(const etl_event *ev, const etl_trace_info *info, const etl_buffer_header *buffer,
                             etw_record_fields *fields);

const char *etl_header_type_name(uint8_t header_type);

#endif
