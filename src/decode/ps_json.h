/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON records' common ground: one object parsed (by yajl) into a flat array of values, and typed
 * reads from it that say what was wrong. */
#ifndef PS_JSON_H
#define PS_JSON_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

/* The problem codes of the JSON records (tracee events, Get-NetTCPConnection rows). */
typedef enum {
    PS_JSON_NOT_AN_OBJECT = 1, /* the text is no JSON object: nothing is decoded */
    PS_JSON_BAD_VALUE,         /* a member of the wrong type or value: it is left out */
    PS_JSON_MISSING,           /* a member the caller cannot do without is absent */
} ps_json_problem_code;

typedef enum {
    PS_JSON_OBJECT,
    PS_JSON_ARRAY,
    PS_JSON_STRING,
    PS_JSON_INTEGER, /* a number without fraction or exponent, however long */
    PS_JSON_REAL,
    PS_JSON_TRUE,
    PS_JSON_FALSE,
    PS_JSON_NULL,
    PS_JSON_KEY, /* an object's member name; its value is the next element of the array */
} ps_json_type;

/* One value of a parsed text. A container's first child follows it in the array; each child
 * points to its next sibling. Members are a PS_JSON_KEY each, followed by the value. */
typedef struct ps_json {
    ps_json_type type;
    uint32_t count; /* object: members; array: elements */
    union {
        const struct ps_json *next; /* the next member's key or the next element; NULL after the last */
        size_t next_index;          /* while parsing */
    };
    union {
        const char *text; /* strings and keys unescaped, numbers as written; NUL-terminated */
        size_t text_at;   /* while parsing */
    };
    size_t len; /* of text (a string may hold no NUL: \u0000 is refused) */
} ps_json;

/* Parses one JSON object (at most 2048 levels deep); NULL, with a PS_JSON_NOT_AN_OBJECT problem
 * naming the byte, when the text is not one. problems may be NULL. Free with ps_json_free. */
ps_json *ps_json_parse_object(const char *text, size_t len, ps_problems *problems);
void ps_json_free(ps_json *root);

/* The member of an object (the last one of duplicates), or NULL; NULL for no object too. */
const ps_json *ps_json_get(const ps_json *obj, const char *key);
/* The element of an array, or NULL. */
const ps_json *ps_json_array_get(const ps_json *array, size_t index);

static inline bool ps_json_is_object(const ps_json *v) { return v && v->type == PS_JSON_OBJECT; }
static inline bool ps_json_is_array(const ps_json *v) { return v && v->type == PS_JSON_ARRAY; }
static inline bool ps_json_is_string(const ps_json *v) { return v && v->type == PS_JSON_STRING; }
static inline bool ps_json_is_integer(const ps_json *v) { return v && v->type == PS_JSON_INTEGER; }
static inline bool ps_json_is_null(const ps_json *v) { return v && v->type == PS_JSON_NULL; }
/* A string's value, or NULL for any other value. */
static inline const char *ps_json_string_value(const ps_json *v) { return ps_json_is_string(v) ? v->text : NULL; }
static inline size_t ps_json_string_length(const ps_json *v) { return ps_json_is_string(v) ? v->len : 0; }
/* Members of an object, elements of an array. */
static inline size_t ps_json_size(const ps_json *v) { return v ? v->count : 0; }

/* An integer that fits int64_t. */
bool ps_json_int64(const ps_json *v, int64_t *out);

#define ps_json_array_foreach(array, index, value)                                                         \
    for ((index) = 0, (value) = ps_json_size(array) ? (array) + 1 : NULL; (value);                      \
         (index)++, (value) = (value)->next)
/* The same without the index. */
#define ps_json_array_each(array, value)                                                                    \
    for ((value) = ps_json_size(array) ? (array) + 1 : NULL; (value); (value) = (value)->next)
/* key: the member's name (const char *); value: its value. */
#define ps_json_object_foreach(obj, key_node, key, value)                                                   \
    for ((key_node) = ps_json_size(obj) ? (obj) + 1 : NULL;                                                 \
         (key_node) && ((key) = (key_node)->text, (value) = (key_node) + 1, true); (key_node) = (key_node)->next)

/* Problems are PS_JSON_BAD_VALUE with no offset (the parsed values do not say where they lay). A
 * missing key is no problem. */
typedef struct {
    ps_problems *problems;
    const char *context; /* prefix of messages, e.g. "args[2]" (may be NULL) */
} ps_json_reader;

void ps_json_problem(ps_json_reader *r, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* An unsigned integer no larger than max; a string of digits is accepted too (protojson writes
 * 64-bit integers as strings). */
bool ps_json_uint(ps_json_reader *r, const ps_json *obj, const char *key, uint64_t max, uint64_t *out);
bool ps_json_uint_value(ps_json_reader *r, const char *key, const ps_json *v, uint64_t max, uint64_t *out);
/* A string, copied (g_free it). */
bool ps_json_string(ps_json_reader *r, const ps_json *obj, const char *key, char **out);
const ps_json *ps_json_object(ps_json_reader *r, const ps_json *obj, const char *key);
const ps_json *ps_json_array(ps_json_reader *r, const ps_json *obj, const char *key);

/* At most 40 characters of a value for a message, valid UTF-8, control characters as '?' (g_free it). */
char *ps_json_excerpt(const char *s, size_t len);

/* s as a JSON string, as jansson wrote one: quotes, backslashes and control characters escaped,
 * the rest as is. */
void ps_json_append_quoted(GString *out, const char *s, size_t len);

/* Compact JSON text of any value (g_free it); strings come unquoted, numbers as written. */
char *ps_json_text(const ps_json *v);

#endif
