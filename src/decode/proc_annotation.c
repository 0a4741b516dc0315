/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark's annotations (docs/FORMATS.md section 9). The grammar is read left to right without
 * looking back: a name runs to its first unescaped "(", a container to its first unescaped "]", so
 * an arrow or a parenthesis inside a name can never end it. The first problem stops the parse: what
 * follows a misplaced character cannot be told apart from a name. */
#include "proc_annotation.h"

#include <stdarg.h>
#include <string.h>

#include "ps_text.h"

#define ARROW_CHAR "\xe2\x86\x92" /* U+2192, written escaped inside names */
#define CONTAINER_OPEN " [container "

bool proc_annotation_is_ours(const char *comment, size_t len)
{
    return len >= strlen(PROC_ANNOTATION_PREFIX) &&
           memcmp(comment, PROC_ANNOTATION_PREFIX, strlen(PROC_ANNOTATION_PREFIX)) == 0;
}

/* --- encoding ------------------------------------------------------------------------------------ */

static void append_hex(GString *out, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(out, "\\x%02x", b[i]);
}

/* s escaped: \ ( ) [ ] with a backslash; C0, DEL, C1, the arrow and invalid UTF-8 as \xHH per byte;
 * a leading ? (a name "?" would read as an unknown one) as \?. */
static void append_escaped(GString *out, const char *s, bool leading_question)
{
    const unsigned char *b = (const unsigned char *)s;
    const size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        if (i == 0 && leading_question && b[0] == '?') {
            g_string_append(out, "\\?");
            i++;
        } else if (strchr("\\()[]", b[i]) && b[i]) {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)b[i++]);
        } else if (b[i] < 0x20 || b[i] == 0x7f) {
            append_hex(out, b + i++, 1);
        } else if (b[i] < 0x80) {
            g_string_append_c(out, (char)b[i++]);
        } else {
            const gunichar u = g_utf8_get_char_validated(s + i, (gssize)(len - i));
            if (u == (gunichar)-1 || u == (gunichar)-2) {
                append_hex(out, b + i++, 1);
                continue;
            }
            const size_t n = (size_t)g_utf8_skip[b[i]];
            if ((u >= 0x80 && u <= 0x9f) || u == 0x2192)
                append_hex(out, b + i, n);
            else
                g_string_append_len(out, s + i, (gssize)n);
            i += n;
        }
    }
}

static void append_end(GString *out, const proc_annotation_end *e)
{
    if (!e->known) {
        g_string_append_c(out, '?');
        return;
    }
    if (e->name && *e->name)
        append_escaped(out, e->name, true);
    else
        g_string_append_c(out, '?');
    g_string_append_printf(out, " (%" G_GUINT32_FORMAT ")", e->pid);
    if (e->container && *e->container) {
        g_string_append(out, CONTAINER_OPEN);
        append_escaped(out, e->container, false);
        g_string_append_c(out, ']');
    }
}

void proc_annotation_encode(GString *out, const proc_annotation *ann)
{
    g_string_append(out, PROC_ANNOTATION_PREFIX);
    append_end(out, &ann->end[0]);
    g_string_append(out, PS_ARROW);
    append_end(out, &ann->end[1]);
}

/* --- decoding ------------------------------------------------------------------------------------ */

typedef struct {
    const char *s;
    size_t len, pos;
    ps_problems *problems;
    bool failed;
} cursor;

static bool G_GNUC_PRINTF(4, 5) fail(cursor *c, int code, size_t at, const char *fmt, ...)
{
    if (c->failed)
        return false;
    c->failed = true;
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ps_problems_add(c->problems, code, at, at < c->len ? 1 : 0, "procshark annotation: %s", text);
    g_free(text);
    return false;
}

static bool ends_early(cursor *c, const char *expected)
{
    return fail(c, PROC_ANNOTATION_SYNTAX, c->len, "ends at byte %zu, where %s was expected", c->len, expected);
}

static bool at(const cursor *c, const char *text)
{
    const size_t n = strlen(text);
    return c->len - c->pos >= n && memcmp(c->s + c->pos, text, n) == 0;
}

static int hex_value(char h)
{
    return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
}

/* Escaped text up to the first unescaped `stop` (the cursor left on it), unescaped into out.
 * *raw_space: whether its last character was a plain space (the separator before a name's "("). */
static bool read_text(cursor *c, char stop, const char *what, GString *out, bool *raw_space)
{
    *raw_space = false;
    while (c->pos < c->len) {
        const unsigned char b = (unsigned char)c->s[c->pos];
        const size_t here = c->pos;
        if (b == (unsigned char)stop)
            return true;
        *raw_space = b == ' ';
        if (b == '\\') {
            if (c->pos + 1 >= c->len)
                return ends_early(c, "an escaped character after the backslash");
            const char e = c->s[c->pos + 1];
            if (strchr("\\()[]?", e) && e) {
                g_string_append_c(out, e);
                c->pos += 2;
                continue;
            }
            if (e != 'x')
                return fail(c, PROC_ANNOTATION_BAD_ESCAPE, here,
                            "unknown escape \\%c at byte %zu in a %s (\\\\ \\( \\) \\[ \\] \\? \\xHH are known)",
                            g_ascii_isprint(e) ? e : '?', here, what);
            if (c->pos + 4 > c->len)
                return ends_early(c, "two hex digits after \\x");
            const int hi = hex_value(c->s[c->pos + 2]), lo = hex_value(c->s[c->pos + 3]);
            if (hi < 0 || lo < 0)
                return fail(c, PROC_ANNOTATION_BAD_ESCAPE, here, "\\x at byte %zu is not followed by two hex digits",
                            here);
            if (hi == 0 && lo == 0)
                return fail(c, PROC_ANNOTATION_BAD_ESCAPE, here, "\\x00 at byte %zu: a %s holds no NUL", here, what);
            g_string_append_c(out, (char)(hi << 4 | lo));
            c->pos += 4;
        } else if (strchr("()[]", b)) {
            return fail(c, PROC_ANNOTATION_SYNTAX, here, "unescaped '%c' at byte %zu in a %s", b, here, what);
        } else if (at(c, ARROW_CHAR)) {
            return fail(c, PROC_ANNOTATION_SYNTAX, here, "unescaped arrow at byte %zu in a %s", here, what);
        } else if (b < 0x20 || b == 0x7f || (b == 0xc2 && c->pos + 1 < c->len && (unsigned char)c->s[c->pos + 1] >= 0x80 &&
                                             (unsigned char)c->s[c->pos + 1] <= 0x9f)) {
            return fail(c, PROC_ANNOTATION_BAD_TEXT, here, "raw control character at byte %zu in a %s (written \\xHH)",
                        here, what);
        } else {
            g_string_append_c(out, (char)b);
            c->pos++;
        }
    }
    return ends_early(c, stop == '(' ? "\" (PID)\"" : "\"]\"");
}

/* "(PID)", the cursor on the "(". */
static bool read_pid(cursor *c, uint32_t *pid)
{
    c->pos++;
    const size_t from = c->pos;
    uint64_t v = 0;
    while (c->pos < c->len && g_ascii_isdigit(c->s[c->pos])) {
        v = v * 10 + (uint64_t)(c->s[c->pos] - '0');
        if (v > UINT32_MAX)
            return fail(c, PROC_ANNOTATION_BAD_PID, from, "the pid at byte %zu is larger than 4294967295", from);
        c->pos++;
    }
    if (c->pos == from)
        return c->pos == c->len ? ends_early(c, "a pid")
                                : fail(c, PROC_ANNOTATION_BAD_PID, from, "no pid at byte %zu: expected digits", from);
    if (c->pos - from > 1 && c->s[from] == '0')
        return fail(c, PROC_ANNOTATION_BAD_PID, from, "the pid at byte %zu has a leading zero", from);
    if (c->pos == c->len)
        return ends_early(c, "\")\" after the pid");
    if (c->s[c->pos] != ')')
        return fail(c, PROC_ANNOTATION_BAD_PID, c->pos, "the pid at byte %zu is followed by '%c', not ')'", from,
                    g_ascii_isprint(c->s[c->pos]) ? c->s[c->pos] : '?');
    c->pos++;
    *pid = (uint32_t)v;
    return true;
}

/* One end; `last`: the destination, which the text's end closes (the source is closed by the arrow). */
static bool read_end(cursor *c, proc_annotation_end *e, bool last)
{
    const char *const follows = last ? NULL : PS_ARROW;
    bool raw_space;
    if (c->pos == c->len)
        return ends_early(c, last ? "the destination end" : "the source end");
    if (c->s[c->pos] == '?') {
        c->pos++;
        if ((last && c->pos == c->len) || (!last && at(c, follows)))
            return true; /* the end is not known */
        if (!at(c, " ("))
            return fail(c, PROC_ANNOTATION_SYNTAX, c->pos - 1,
                        "'?' at byte %zu stands alone or before \" (PID)\" (a name starting with ? is written \\?)",
                        c->pos - 1);
        c->pos++;
    } else {
        GString *name = g_string_new(NULL);
        const size_t from = c->pos;
        if (!read_text(c, '(', "name", name, &raw_space) ||
            (!raw_space && !fail(c, PROC_ANNOTATION_SYNTAX, c->pos, "expected \" (\" before the pid at byte %zu",
                                 c->pos)) ||
            (name->len == 1 && !fail(c, PROC_ANNOTATION_SYNTAX, from,
                                     "empty name at byte %zu (an unknown name is written ?)", from))) {
            g_string_free(name, TRUE);
            return false;
        }
        g_string_truncate(name, name->len - 1); /* the separating space */
        e->name = g_string_free(name, FALSE);
    }
    if (!read_pid(c, &e->pid))
        return false;
    e->known = true;
    if (at(c, CONTAINER_OPEN)) {
        c->pos += strlen(CONTAINER_OPEN);
        const size_t from = c->pos;
        GString *container = g_string_new(NULL);
        if (!read_text(c, ']', "container", container, &raw_space) ||
            (container->len == 0 &&
             !fail(c, PROC_ANNOTATION_SYNTAX, from, "empty container at byte %zu (none is written without [...])", from))) {
            g_string_free(container, TRUE);
            return false;
        }
        c->pos++;
        e->container = g_string_free(container, FALSE);
    }
    if (last && c->pos < c->len)
        return fail(c, PROC_ANNOTATION_SYNTAX, c->pos, "text after the destination end at byte %zu", c->pos);
    if (!last && !at(c, follows))
        return c->pos == c->len ? ends_early(c, "\" \xe2\x86\x92 \" and the destination end")
                                : fail(c, PROC_ANNOTATION_SYNTAX, c->pos,
                                       "expected \" \xe2\x86\x92 \" after the source end at byte %zu", c->pos);
    return true;
}

bool proc_annotation_decode(const char *comment, size_t len, proc_annotation *ann, ps_problems *problems)
{
    cursor c = {comment, len, 0, problems, false};
    size_t bad;
    if (!ps_text_valid_utf8(comment, len, &bad))
        return fail(&c, PROC_ANNOTATION_BAD_TEXT, bad, "not valid UTF-8 at byte %zu", bad);
    if (!proc_annotation_is_ours(comment, len))
        return fail(&c, PROC_ANNOTATION_SYNTAX, 0, "does not start with \"" PROC_ANNOTATION_PREFIX "\"");
    c.pos = strlen(PROC_ANNOTATION_PREFIX);
    if (read_end(&c, &ann->end[0], false)) {
        c.pos += strlen(PS_ARROW);
        if (read_end(&c, &ann->end[1], true))
            return true;
    }
    proc_annotation_clear(ann);
    return false;
}

void proc_annotation_clear(proc_annotation *ann)
{
    for (int i = 0; i < 2; i++) {
        g_free(ann->end[i].name);
        g_free(ann->end[i].container);
    }
    memset(ann, 0, sizeof *ann);
}
