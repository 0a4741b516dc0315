/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the decoders of classic kernel (MOF) payloads share (Process, Image): a cursor over fields
 * that follow one another with no fixed offsets, where each field taken gets its span and the first
 * that does not fit marks the payload truncated; the end's problem; the Info of an event not decoded. */
#ifndef ETW_MOF_H
#define ETW_MOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ps_bytes.h"
#include "ps_problem.h"

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool truncated;
    bool stopped;   /* a malformed field: nothing after it can be located, and nothing is taken */
    ps_span *spans; /* the decoder's spans, by field */
} etw_mof_cursor;

/* Takes a fixed-size field; returns a pointer to it, or NULL. */
static inline const uint8_t *etw_mof_take(etw_mof_cursor *c, int field, size_t size)
{
    if (c->stopped)
        return NULL;
    if (c->truncated || size > c->len - c->off) {
        c->truncated = true;
        return NULL;
    }
    const uint8_t *at = c->p + c->off;
    c->spans[field] = (ps_span){c->off, size};
    c->off += size;
    return at;
}

/* Takes a pointer-sized field (4 or 8 bytes) into *value; false when it does not fit. */
static inline bool etw_mof_take_pointer(etw_mof_cursor *c, int field, unsigned size, uint64_t *value)
{
    const uint8_t *at = etw_mof_take(c, field, size);
    if (at)
        *value = size == 8 ? ps_le64(at) : ps_le32(at);
    return at != NULL;
}

/* A NUL-terminated string of unit-sized characters (1: ANSI, 2: UTF-16LE), its NUL included; an
 * unterminated one spans to the end, and the payload is truncated. */
static inline void etw_mof_take_string(etw_mof_cursor *c, int field, size_t unit)
{
    if (c->truncated || c->stopped)
        return;
    size_t start = c->off, i = start;
    while (i + unit <= c->len) {
        bool nul = c->p[i] == 0 && (unit == 1 || c->p[i + 1] == 0);
        i += unit;
        if (nul) {
            c->spans[field] = (ps_span){start, i - start};
            c->off = i;
            return;
        }
    }
    c->spans[field] = (ps_span){start, c->len - start};
    c->off = c->len;
    c->truncated = true;
}

/* The cursor's end as a problem: a truncation (over the whole payload), else bytes left over. */
static inline void etw_mof_report_end(const etw_mof_cursor *c, ps_problems *problems, int truncated_code,
                                        int trailing_code, const char *class_name, const char *event_name,
                                        unsigned version)
{
    if (c->truncated)
        ps_problems_add(problems, truncated_code, 0, c->len, "%s %s version %u payload of %zu bytes ends inside a field",
                        class_name, event_name, version, c->len);
    else if (c->off < c->len)
        ps_problems_add(problems, trailing_code, c->off, c->len - c->off, "%zu bytes after the last field of version %u",
                        c->len - c->off, version);
}

/* "Image unknown event 128", "Process End version 2, not decoded"; false (nothing written) for an
 * event that was decoded. */
static inline bool etw_mof_describe_undecoded(const char *class_name, const char *event_name, uint8_t opcode,
                                              uint8_t version, bool unknown_version, char *out, size_t out_size)
{
    if (!event_name)
        snprintf(out, out_size, "%s unknown event %u", class_name, opcode);
    else if (unknown_version)
        snprintf(out, out_size, "%s %s version %u, not decoded", class_name, event_name, version);
    return !event_name || unknown_version;
}

#endif
