/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Date strings of the JSON records, to nanoseconds since the Unix epoch. */
#ifndef PS_TIME_H
#define PS_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* RFC 3339 / ISO 8601 with a zone: "2024-03-01T12:00:00Z", "2023-11-14T22:13:20.1234567+01:00"
 * (fraction digits past 9 are dropped). False for impossible dates and outside 1678 to 2261. */
bool ps_time_parse_iso8601(const char *text, int64_t *unix_ns);

/* .NET's "/Date(1700000000000)/" (milliseconds, optionally with a "+0100" suffix, which does not
 * change the instant). */
bool ps_time_parse_dotnet_date(const char *text, int64_t *unix_ns);

#endif
