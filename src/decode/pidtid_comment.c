/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pidtid_comment.h"

#include <glib.h>
#include <string.h>

/* A decimal of up to 4294967295 at text[*at], as etl2pcapng's %d prints a process or thread id
 * (a negative one would be an id past 2^31, which Windows does not hand out). */
static bool number_at(const char *text, size_t len, size_t *at, uint32_t *out)
{
    uint64_t v = 0;
    size_t start = *at;
    while (*at < len && text[*at] >= '0' && text[*at] <= '9' && *at - start < 11)
        v = v * 10 + (uint64_t)(text[(*at)++] - '0');
    if (*at == start || v > UINT32_MAX || (*at < len && text[*at] >= '0' && text[*at] <= '9'))
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool is_end(const char *text, size_t len, size_t at) { return at == len || text[at] == ' '; }

bool pidtid_comment_parse(const char *text, size_t len, pidtid_comment *out)
{
    memset(out, 0, sizeof *out);
    if (len < 4 || memcmp(text, "PID=", 4) != 0)
        return false;
    size_t at = 4;
    if (!number_at(text, len, &at, &out->pid) || !is_end(text, len, at)) {
        ps_problems_add(&out->problems, PIDTID_BAD_NUMBER, 4, at - 4, "PID is not a number up to 4294967295");
        return true;
    }
    out->has_pid = true;
    if (len - at < 5 || memcmp(text + at, " TID=", 5) != 0) {
        ps_problems_add(&out->problems, PIDTID_NO_TID, at, len - at, "PID is not followed by \" TID=\"");
        return true;
    }
    at += 5;
    const size_t tid_at = at;
    if (!number_at(text, len, &at, &out->tid) || !is_end(text, len, at)) {
        ps_problems_add(&out->problems, PIDTID_BAD_NUMBER, tid_at, at - tid_at, "TID is not a number up to 4294967295");
        return true;
    }
    out->has_tid = true;
    if (at < len && at + 1 < len) {
        const char *rest = text + at + 1;
        const size_t n = len - at - 1;
        bool printable = g_utf8_validate(rest, (gssize)n, NULL);
        for (size_t i = 0; printable && i < n; i++)
            printable = (unsigned char)rest[i] >= 0x20 && rest[i] != 0x7f;
        if (printable)
            out->details = g_strndup(rest, n);
        else
            ps_problems_add(&out->problems, PIDTID_BAD_TEXT, at + 1, n,
                            "the details after TID hold a control byte or invalid UTF-8: not shown");
    }
    return true;
}

void pidtid_comment_clear(pidtid_comment *out)
{
    g_free(out->details);
    ps_problems_clear(&out->problems);
    memset(out, 0, sizeof *out);
}
