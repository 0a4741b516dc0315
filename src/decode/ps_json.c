/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ps_json.h"

#include "ps_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* At most 40 characters of a value for a message, valid UTF-8 (invalid bytes as '?'), control
 * characters escaped as ps_text.h says (g_free it). The value may be a megabyte long; messages stay
 * short. */
char *ps_json_excerpt(const char *s, size_t len)
{
    enum { MAX_CHARS = 40 };
    GString *out = g_string_sized_new(64);
    const char *p = s, *end = s + len;
    for (int chars = 0; p < end; chars++) {
        if (chars == MAX_CHARS) {
            g_string_append(out, "...");
            break;
        }
        unsigned char c = (unsigned char)*p;
        if (c < 0x80) {
            ps_text_escape(out, p, 1);
            p++;
            continue;
        }
        gunichar u = g_utf8_get_char_validated(p, end - p);
        if (u == (gunichar)-1 || u == (gunichar)-2) {
            g_string_append_c(out, '?');
            p++;
        } else {
            const char *next = g_utf8_next_char(p);
            ps_text_escape(out, p, next - p); /* C1 controls */
            p = next;
        }
    }
    return g_string_free(out, FALSE);
}

/* jansson holds integers as int64 and reals as doubles: tracee's kernel addresses and other u64
 * values above 2^63 (or 1e400) stop it. Each such number is quoted where jansson's error points
 * (just after it) and the text parsed again, so it arrives as a string: ps_json_uint_value reads a
 * digit string exactly, anything else is reported as a value of the wrong type. */
#define MAX_QUOTED_NUMBERS 256

json_t *ps_json_parse_object(const char *text, size_t len, ps_problems *problems)
{
    GString *quoted = NULL;
    json_error_t err;
    json_t *root = NULL;
    int round;
    for (round = 0; round <= MAX_QUOTED_NUMBERS; round++) {
        const char *input = quoted ? quoted->str : text;
        size_t input_len = quoted ? quoted->len : len;
        root = json_loadb(input, input_len, 0, &err);
        if (root || json_error_code(&err) != json_error_numeric_overflow || round == MAX_QUOTED_NUMBERS)
            break;
        size_t end = (size_t)err.position, start = end;
        while (start > 0 && strchr("0123456789+-.eE", input[start - 1]))
            start--;
        if (start == end || end > input_len)
            break;
        if (!quoted)
            quoted = g_string_new_len(text, (gssize)len);
        g_string_insert_c(quoted, (gssize)end, '"');
        g_string_insert_c(quoted, (gssize)start, '"');
    }
    if (quoted)
        g_string_free(quoted, TRUE);
    if (!root) {
        if (json_error_code(&err) == json_error_numeric_overflow) {
            ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, PS_NO_OFFSET, 0,
                            "more than %d integers beyond 64 bits", MAX_QUOTED_NUMBERS);
            return NULL;
        }
        /* The message keeps jansson's position; the offset is in the caller's text, before the
         * quotes each round inserted (all of them before the error, as jansson reads on). */
        size_t offset = err.position >= 2 * round ? (size_t)(err.position - 2 * round) : PS_NO_OFFSET;
        /* jansson quotes the text near the error, which need not be UTF-8. */
        char *raw = g_strdup_printf("not valid JSON at byte %d: %s", err.position, err.text);
        char *valid = g_utf8_make_valid(raw, -1);
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, offset, 0, "%s", valid);
        g_free(valid);
        g_free(raw);
        return NULL;
    }
    if (!json_is_object(root)) {
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, 0, len, "JSON is not an object");
        json_decref(root);
        return NULL;
    }
    return root;
}

void ps_json_problem(ps_json_reader *r, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (r->context)
        ps_problems_add(r->problems, PS_JSON_BAD_VALUE, PS_NO_OFFSET, 0, "%s.%s: %s", r->context, key, what);
    else
        ps_problems_add(r->problems, PS_JSON_BAD_VALUE, PS_NO_OFFSET, 0, "%s: %s", key, what);
    g_free(what);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

bool ps_json_uint_value(ps_json_reader *r, const char *key, const json_t *v, uint64_t max, uint64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0 || (uint64_t)n > max) {
            ps_json_problem(r, key, "%" JSON_INTEGER_FORMAT " is out of range (0 to %" G_GUINT64_FORMAT ")", n, max);
            return false;
        }
        *out = (uint64_t)n;
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        guint64 n;
        if (g_ascii_string_to_unsigned(s, 10, 0, max, &n, NULL)) {
            *out = n;
            return true;
        }
        char *ex = ps_json_excerpt(s, json_string_length(v));
        ps_json_problem(r, key, "\"%s\" is not an integer from 0 to %" G_GUINT64_FORMAT, ex, max);
        g_free(ex);
        return false;
    }
    ps_json_problem(r, key, "expected an integer, found %s", type_name(v));
    return false;
}

bool ps_json_uint(ps_json_reader *r, const json_t *obj, const char *key, uint64_t max, uint64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v) && ps_json_uint_value(r, key, v, max, out);
}

bool ps_json_string(ps_json_reader *r, const json_t *obj, const char *key, char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return false;
    if (!json_is_string(v)) {
        ps_json_problem(r, key, "expected a string, found %s", type_name(v));
        return false;
    }
    g_free(*out);
    *out = g_strndup(json_string_value(v), json_string_length(v));
    return true;
}

static const json_t *typed_member(ps_json_reader *r, const json_t *obj, const char *key, json_type type,
                                  const char *wanted)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (json_typeof(v) != type) {
        ps_json_problem(r, key, "expected %s, found %s", wanted, type_name(v));
        return NULL;
    }
    return v;
}

const json_t *ps_json_object(ps_json_reader *r, const json_t *obj, const char *key)
{
    return typed_member(r, obj, key, JSON_OBJECT, "an object");
}

const json_t *ps_json_array(ps_json_reader *r, const json_t *obj, const char *key)
{
    return typed_member(r, obj, key, JSON_ARRAY, "an array");
}

char *ps_json_text(const json_t *v)
{
    if (json_is_string(v))
        return g_strndup(json_string_value(v), json_string_length(v));
    char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *copy = g_strdup(dumped ? dumped : "");
    free(dumped);
    return copy;
}
