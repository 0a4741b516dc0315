/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ps_time.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool ps_time_parse_iso8601(const char *s, int64_t *unix_ns)
{
    int year, month, day, hour, minute, second;
    if (strlen(s) < 20 || !digits(s, 4, &year) || s[4] != '-' || !digits(s + 5, 2, &month) || s[7] != '-' ||
        !digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &hour) ||
        s[13] != ':' || !digits(s + 14, 2, &minute) || s[16] != ':' || !digits(s + 17, 2, &second))
        return false;
    if (year < 1 || !g_date_valid_dmy((GDateDay)day, (GDateMonth)month, (GDateYear)year) || hour > 23 ||
        minute > 59 || second > 60)
        return false;
    const char *p = s + 19;
    int64_t nanos = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; g_ascii_isdigit(*p); p++, n++) {
            if (n < 9)
                nanos = nanos * 10 + (*p - '0');
        }
        if (n == 0)
            return false;
        for (; n < 9; n++)
            nanos *= 10;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p)
        return false;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    int64_t secs = (int64_t)timegm(&tm) - offset;
    /* Nanoseconds since 1970 hold the years 1678 to 2261. */
    if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
        return false;
    *unix_ns = secs * 1000000000 + nanos;
    return true;
}

bool ps_time_parse_dotnet_date(const char *s, int64_t *unix_ns)
{
    if (strncmp(s, "/Date(", 6) != 0)
        return false;
    const char *p = s + 6;
    if (!g_ascii_isdigit(*p) && !(*p == '-' && g_ascii_isdigit(p[1])))
        return false;
    char *end = NULL;
    gint64 ms = g_ascii_strtoll(p, &end, 10);
    if (end == p || (ms == G_MAXINT64 || ms == G_MININT64))
        return false;
    /* Nanoseconds must fit in 64 bits: about 292 years either side of 1970. */
    if (ms > INT64_C(9223372036854) || ms < -INT64_C(9223372036854))
        return false;
    p = end;
    if (*p == '+' || *p == '-') {
        int zone;
        if (!digits(p + 1, 4, &zone))
            return false;
        p += 5;
    }
    if (strcmp(p, ")/") != 0)
        return false;
    *unix_ns = ms * 1000000;
    return true;
}
