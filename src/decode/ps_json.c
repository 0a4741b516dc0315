/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ps_json.h"

#include "ps_text.h"

#include <limits.h>
#include <yajl/yajl_parse.h>

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

/* jansson's limit, which the records were first parsed with: no real event comes near it. */
#define MAX_DEPTH 2048

/* The parse: yajl's events appended to a flat array, texts to one arena. */
typedef struct {
    ps_json *nodes;
    size_t count, capacity;
    char *arena; /* unescaped texts never outgrow the input, and each value takes a byte or more: 2 * len + 1 */
    size_t arena_used;
    size_t open[MAX_DEPTH]; /* the open containers */
    size_t last[MAX_DEPTH]; /* for each: its last child so far (0: none yet) */
    size_t depth;
    bool too_deep;
} builder;

static int add_node(builder *b, ps_json_type type, const char *text, size_t len)
{
    if (b->count == b->capacity) {
        b->capacity *= 2;
        b->nodes = g_renew(ps_json, b->nodes, b->capacity);
    }
    size_t index = b->count++;
    ps_json *node = &b->nodes[index];
    *node = (ps_json){.type = type, .len = len};
    if (text) {
        node->text_at = b->arena_used;
        memcpy(b->arena + b->arena_used, text, len);
        b->arena[b->arena_used + len] = '\0';
        b->arena_used += len + 1;
    }
    if (b->depth) {
        size_t parent = b->open[b->depth - 1];
        /* An object's children are its keys; the value after a key is no child of its own. */
        if (b->nodes[parent].type == PS_JSON_ARRAY || type == PS_JSON_KEY) {
            size_t *last = &b->last[b->depth - 1];
            if (*last)
                b->nodes[*last].next_index = index;
            *last = index;
            b->nodes[parent].count++;
        }
    }
    if (type == PS_JSON_OBJECT || type == PS_JSON_ARRAY) {
        if (b->depth == MAX_DEPTH) {
            b->too_deep = true;
            return 0;
        }
        b->open[b->depth] = index;
        b->last[b->depth] = 0;
        b->depth++;
    }
    return 1;
}

static int on_null(void *b) { return add_node(b, PS_JSON_NULL, NULL, 0); }
static int on_boolean(void *b, int value) { return add_node(b, value ? PS_JSON_TRUE : PS_JSON_FALSE, NULL, 0); }
static int on_number(void *b, const char *s, size_t len)
{
    bool real = false;
    for (size_t i = 0; i < len && !real; i++)
        real = s[i] == '.' || s[i] == 'e' || s[i] == 'E';
    return add_node(b, real ? PS_JSON_REAL : PS_JSON_INTEGER, s, len);
}
static int on_string(void *b, const unsigned char *s, size_t len)
{
    return add_node(b, PS_JSON_STRING, (const char *)s, len);
}
static int on_key(void *b, const unsigned char *s, size_t len)
{
    return add_node(b, PS_JSON_KEY, (const char *)s, len);
}
static int on_start_map(void *b) { return add_node(b, PS_JSON_OBJECT, NULL, 0); }
static int on_start_array(void *b) { return add_node(b, PS_JSON_ARRAY, NULL, 0); }
static int on_end(void *ctx)
{
    ((builder *)ctx)->depth--;
    return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number, /* numbers as written: 64-bit values stay exact */
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

static unsigned hex_digits(const char *p, const char *end)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        if (p + i >= end || !g_ascii_isxdigit(p[i]))
            return UINT_MAX;
        v = v * 16 + (unsigned)g_ascii_xdigit_value(p[i]);
    }
    return v;
}

/* yajl turns \u0000 into a NUL inside a string and lone surrogates into '?': both are refused
 * here, as no string of a record may hold them. The offset of the first, or SIZE_MAX. */
static size_t bad_escape(const char *text, size_t len)
{
    if (!memchr(text, '\\', len))
        return SIZE_MAX;
    const char *end = text + len;
    bool in_string = false;
    for (const char *p = text; p < end; p++) {
        if (*p == '"') {
            in_string = !in_string;
        } else if (in_string && *p == '\\') {
            if (p + 1 < end && p[1] == 'u') {
                unsigned u = hex_digits(p + 2, end);
                if (u == 0 || (u >= 0xdc00 && u <= 0xdfff))
                    return (size_t)(p - text);
                if (u >= 0xd800 && u <= 0xdbff) {
                    unsigned low = p + 7 < end && p[6] == '\\' && p[7] == 'u' ? hex_digits(p + 8, end) : UINT_MAX;
                    if (low < 0xdc00 || low > 0xdfff)
                        return (size_t)(p - text);
                    p += 6;
                }
            }
            p++; /* the escaped character */
        }
    }
    return SIZE_MAX;
}

/* yajl's message without its "parse error: " and the full stop and newline. */
static char *yajl_message(yajl_handle h)
{
    unsigned char *raw = yajl_get_error(h, 0, NULL, 0);
    const char *text = (const char *)raw, *colon = strstr(text, ": ");
    char *message = g_strdup(colon ? colon + 2 : text);
    g_strchomp(message);
    size_t n = strlen(message);
    if (n && message[n - 1] == '.')
        message[n - 1] = '\0';
    yajl_free_error(h, raw);
    return message;
}

ps_json *ps_json_parse_object(const char *text, size_t len, ps_problems *problems)
{
    size_t invalid_utf8;
    if (!ps_text_valid_utf8(text, len, &invalid_utf8)) {
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, invalid_utf8, 1,
                        "not valid JSON at byte %zu: not UTF-8 (or a NUL byte)", invalid_utf8);
        return NULL;
    }
    size_t bad = bad_escape(text, len);
    if (bad != SIZE_MAX) {
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, bad, 6,
                        "not valid JSON at byte %zu: \\u0000 or a lone surrogate", bad);
        return NULL;
    }
    /* On the heap: its stack of open containers takes 32 KiB. */
    builder *b = g_new(builder, 1);
    b->capacity = 64;
    b->nodes = g_new(ps_json, b->capacity);
    b->count = 0;
    b->arena = g_malloc(2 * len + 1);
    b->arena_used = 0;
    b->depth = 0;
    b->too_deep = false;
    yajl_handle h = yajl_alloc(&callbacks, NULL, b);
    yajl_config(h, yajl_dont_validate_strings, 1); /* the whole text is checked above, more strictly */
    yajl_status status = yajl_parse(h, (const unsigned char *)text, len);
    /* yajl counts the bytes of its last call: the end of the text when the text ended too soon. */
    size_t offset = yajl_get_bytes_consumed(h);
    if (status == yajl_status_ok) {
        status = yajl_complete_parse(h);
        offset = len;
    }
    ps_json *root = NULL;
    if (status != yajl_status_ok) {
        char *why = b->too_deep ? g_strdup_printf("more than %d levels of nesting", MAX_DEPTH) : yajl_message(h);
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, offset, 0, "not valid JSON at byte %zu: %s", offset, why);
        g_free(why);
    } else if (b->count == 0) {
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, 0, len, "not valid JSON at byte 0: no value");
    } else if (b->nodes[0].type != PS_JSON_OBJECT) {
        ps_problems_add(problems, PS_JSON_NOT_AN_OBJECT, 0, len, "JSON is not an object");
    } else {
        /* One block, values then texts: one free, and pointers that stay put. */
        size_t nodes_size = b->count * sizeof(ps_json);
        root = g_malloc(nodes_size + b->arena_used);
        memcpy(root, b->nodes, nodes_size);
        char *arena = (char *)root + nodes_size;
        memcpy(arena, b->arena, b->arena_used);
        for (size_t i = 0; i < b->count; i++) {
            ps_json *v = &root[i];
            v->next = v->next_index ? &root[v->next_index] : NULL;
            bool has_text = v->type == PS_JSON_STRING || v->type == PS_JSON_KEY || v->type == PS_JSON_INTEGER ||
                            v->type == PS_JSON_REAL;
            v->text = has_text ? arena + v->text_at : NULL;
        }
    }
    yajl_free(h);
    g_free(b->nodes);
    g_free(b->arena);
    g_free(b);
    return root;
}

void ps_json_free(ps_json *root)
{
    g_free(root);
}

const ps_json *ps_json_get(const ps_json *obj, const char *key)
{
    if (!ps_json_is_object(obj))
        return NULL;
    const ps_json *found = NULL;
    size_t len = strlen(key);
    for (const ps_json *k = obj->count ? obj + 1 : NULL; k; k = k->next)
        if (k->len == len && k->text[0] == key[0] && memcmp(k->text, key, len) == 0)
            found = k + 1; /* jansson's habit, kept: the last of duplicates */
    return found;
}

const ps_json *ps_json_array_get(const ps_json *array, size_t index)
{
    if (!ps_json_is_array(array) || index >= array->count)
        return NULL;
    const ps_json *v = array + 1;
    while (index--)
        v = v->next;
    return v;
}

/* The magnitude of an integer's digits, false when it does not fit 64 bits. */
static bool integer_magnitude(const ps_json *v, bool *negative, uint64_t *out)
{
    const char *p = v->text;
    *negative = *p == '-';
    if (*negative)
        p++;
    uint64_t n = 0;
    for (; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return false;
        n = n * 10 + d;
    }
    *out = n;
    return true;
}

bool ps_json_int64(const ps_json *v, int64_t *out)
{
    bool negative;
    uint64_t n;
    if (!ps_json_is_integer(v) || !integer_magnitude(v, &negative, &n))
        return false;
    if (negative ? n > (uint64_t)INT64_MAX + 1 : n > (uint64_t)INT64_MAX)
        return false;
    *out = negative ? (int64_t)(0 - n) : (int64_t)n;
    return true;
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

static const char *type_name(const ps_json *v)
{
    switch (v->type) {
    case PS_JSON_OBJECT: return "an object";
    case PS_JSON_ARRAY: return "an array";
    case PS_JSON_STRING: return "a string";
    case PS_JSON_INTEGER: return "an integer";
    case PS_JSON_REAL: return "a real number";
    case PS_JSON_TRUE:
    case PS_JSON_FALSE: return "a boolean";
    case PS_JSON_NULL: return "null";
    case PS_JSON_KEY: break;
    }
    return "a value";
}

bool ps_json_uint_value(ps_json_reader *r, const char *key, const ps_json *v, uint64_t max, uint64_t *out)
{
    if (ps_json_is_integer(v)) {
        bool negative;
        uint64_t n;
        bool fits = integer_magnitude(v, &negative, &n);
        if (fits && (!negative || n == 0) && n <= max) {
            *out = n;
            return true;
        }
        char *ex = ps_json_excerpt(v->text, v->len);
        ps_json_problem(r, key, "%s is out of range (0 to %" G_GUINT64_FORMAT ")", ex, max);
        g_free(ex);
        return false;
    }
    if (ps_json_is_string(v)) {
        guint64 n;
        if (g_ascii_string_to_unsigned(v->text, 10, 0, max, &n, NULL)) {
            *out = n;
            return true;
        }
        char *ex = ps_json_excerpt(v->text, v->len);
        ps_json_problem(r, key, "\"%s\" is not an integer from 0 to %" G_GUINT64_FORMAT, ex, max);
        g_free(ex);
        return false;
    }
    ps_json_problem(r, key, "expected an integer, found %s", type_name(v));
    return false;
}

bool ps_json_uint(ps_json_reader *r, const ps_json *obj, const char *key, uint64_t max, uint64_t *out)
{
    const ps_json *v = ps_json_get(obj, key);
    return v && !ps_json_is_null(v) && ps_json_uint_value(r, key, v, max, out);
}

bool ps_json_string(ps_json_reader *r, const ps_json *obj, const char *key, char **out)
{
    const ps_json *v = ps_json_get(obj, key);
    if (!v || ps_json_is_null(v))
        return false;
    if (!ps_json_is_string(v)) {
        ps_json_problem(r, key, "expected a string, found %s", type_name(v));
        return false;
    }
    g_free(*out);
    *out = g_strndup(v->text, v->len);
    return true;
}

static const ps_json *typed_member(ps_json_reader *r, const ps_json *obj, const char *key, ps_json_type type,
                                   const char *wanted)
{
    const ps_json *v = ps_json_get(obj, key);
    if (!v || ps_json_is_null(v))
        return NULL;
    if (v->type != type) {
        ps_json_problem(r, key, "expected %s, found %s", wanted, type_name(v));
        return NULL;
    }
    return v;
}

const ps_json *ps_json_object(ps_json_reader *r, const ps_json *obj, const char *key)
{
    return typed_member(r, obj, key, PS_JSON_OBJECT, "an object");
}

const ps_json *ps_json_array(ps_json_reader *r, const ps_json *obj, const char *key)
{
    return typed_member(r, obj, key, PS_JSON_ARRAY, "an array");
}

void ps_json_append_quoted(GString *out, const char *s, size_t len)
{
    g_string_append_c(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x20)
                g_string_append_printf(out, "\\u%04x", c);
            else
                g_string_append_c(out, (char)c);
        }
    }
    g_string_append_c(out, '"');
}

/* Depth is bounded by the parse (MAX_DEPTH). */
static void append_compact(GString *out, const ps_json *v)
{
    switch (v->type) {
    case PS_JSON_OBJECT:
        g_string_append_c(out, '{');
        for (const ps_json *k = v->count ? v + 1 : NULL; k; k = k->next) {
            ps_json_append_quoted(out, k->text, k->len);
            g_string_append_c(out, ':');
            append_compact(out, k + 1);
            if (k->next)
                g_string_append_c(out, ',');
        }
        g_string_append_c(out, '}');
        break;
    case PS_JSON_ARRAY:
        g_string_append_c(out, '[');
        for (const ps_json *e = v->count ? v + 1 : NULL; e; e = e->next) {
            append_compact(out, e);
            if (e->next)
                g_string_append_c(out, ',');
        }
        g_string_append_c(out, ']');
        break;
    case PS_JSON_STRING:
    case PS_JSON_KEY: ps_json_append_quoted(out, v->text, v->len); break;
    case PS_JSON_INTEGER:
    case PS_JSON_REAL: g_string_append_len(out, v->text, (gssize)v->len); break;
    case PS_JSON_TRUE: g_string_append(out, "true"); break;
    case PS_JSON_FALSE: g_string_append(out, "false"); break;
    case PS_JSON_NULL: g_string_append(out, "null"); break;
    }
}

char *ps_json_text(const ps_json *v)
{
    if (ps_json_is_string(v))
        return g_strndup(v->text, v->len);
    GString *out = g_string_new(NULL);
    append_compact(out, v);
    return g_string_free(out, FALSE);
}
