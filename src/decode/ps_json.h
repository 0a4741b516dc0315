/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed reads from jansson values that say what was wrong: the JSON records' common ground. */
#ifndef PS_JSON_H
#define PS_JSON_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ps_problem.h"

/* The problem codes of the JSON records (tracee events, Get-NetTCPConnection rows). */
typedef enum {
    PS_JSON_NOT_AN_OBJECT = 1, /* the text is no JSON object: nothing is decoded */
    PS_JSON_BAD_VALUE,         /* a member of the wrong type or value: it is left out */
    PS_JSON_MISSING,           /* a member the caller cannot do without is absent */
} ps_json_problem_code;

/* Parses one JSON object; NULL, with a PS_JSON_NOT_AN_OBJECT problem, when the text is not one. */
json_t *ps_json_parse_object(const char *text, size_t len, ps_problems *problems);

/* Problems are PS_JSON_BAD_VALUE with no offset (jansson does not say where a value lies). A
 * missing key is no problem. */
typedef struct {
    ps_problems *problems;
    const char *context; /* prefix of messages, e.g. "args[2]" (may be NULL) */
} ps_json_reader;

void ps_json_problem(ps_json_reader *r, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* An unsigned integer no larger than max; a string of digits is accepted too (protojson writes
 * 64-bit integers as strings). */
bool ps_json_uint(ps_json_reader *r, const json_t *obj, const char *key, uint64_t max, uint64_t *out);
bool ps_json_uint_value(ps_json_reader *r, const char *key, const json_t *v, uint64_t max, uint64_t *out);
/* A string, copied (g_free it). */
bool ps_json_string(ps_json_reader *r, const json_t *obj, const char *key, char **out);
const json_t *ps_json_object(ps_json_reader *r, const json_t *obj, const char *key);
const json_t *ps_json_array(ps_json_reader *r, const json_t *obj, const char *key);

/* At most 40 characters of a value for a message, valid UTF-8, control characters as '?' (g_free it). */
char *ps_json_excerpt(const char *s, size_t len);

/* Compact JSON text of any value (g_free it); strings come unquoted. */
char *ps_json_text(const json_t *v);

#endif
