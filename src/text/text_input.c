/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "text_input.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ps_json.h"

/* --- bytes: a file read in chunks, its byte order mark dropped, UTF-16 converted to UTF-8 ------- */

#define CHUNK 65536

typedef enum { ENC_UNKNOWN, ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE } encoding;

typedef struct {
    int fd;
    encoding enc;
    uint8_t raw[CHUNK];
    uint8_t out[CHUNK / 2 * 3 + 16]; /* UTF-16 as UTF-8: at most 3 bytes per 2 */
    const uint8_t *buf;
    size_t pos, len;
    int carry;     /* an odd UTF-16 byte waiting for its pair, -1 when none */
    uint32_t high; /* a high surrogate waiting for its low one, 0 when none */
    bool eof;
    int error; /* errno of a failed read */
    uint64_t raw_bytes;
} bytesrc;

static void bytes_init(bytesrc *s, int fd)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->carry = -1;
}

/* A byte that is never valid UTF-8 stands for an unpaired surrogate or a lone byte, so the record
 * holding it is rejected as invalid UTF-8 rather than silently changed. */
#define BAD_BYTE 0xff

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xc0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xe0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (uint8_t)(0xf0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

static size_t utf16_unit(bytesrc *s, uint32_t u, uint8_t *o)
{
    size_t n = 0;
    if (s->high) {
        uint32_t high = s->high;
        s->high = 0;
        if (u >= 0xdc00 && u <= 0xdfff)
            return put_utf8(o, 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00));
        o[n++] = BAD_BYTE;
    }
    if (u >= 0xd800 && u <= 0xdbff) {
        s->high = u;
        return n;
    }
    if (u >= 0xdc00 && u <= 0xdfff) {
        o[n++] = BAD_BYTE;
        return n;
    }
    return n + put_utf8(o + n, u);
}

static void decode_utf16(bytesrc *s, const uint8_t *in, size_t n, bool final)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->carry < 0) {
            s->carry = in[i];
            continue;
        }
        uint32_t u = s->enc == ENC_UTF16LE ? (uint32_t)s->carry | (uint32_t)in[i] << 8
                                            : (uint32_t)s->carry << 8 | in[i];
        s->carry = -1;
        o += utf16_unit(s, u, s->out + o);
    }
    if (final) {
        if (s->carry >= 0)
            s->out[o++] = BAD_BYTE;
        if (s->high)
            s->out[o++] = BAD_BYTE;
        s->carry = -1;
        s->high = 0;
    }
    s->buf = s->out;
    s->pos = 0;
    s->len = o;
}

/* True when bytes are available at buf[pos]. */
static bool bytes_fill(bytesrc *s)
{
    while (s->pos >= s->len) {
        if (s->eof || s->error)
            return false;
        size_t got = 0, want = s->enc == ENC_UNKNOWN ? 3 : 1;
        while (got < want) {
            ssize_t n = read(s->fd, s->raw + got, CHUNK - got);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                s->error = errno;
                return false;
            }
            if (n == 0) {
                s->eof = true;
                break;
            }
            got += (size_t)n;
        }
        s->raw_bytes += got;
        size_t skip = 0;
        if (s->enc == ENC_UNKNOWN) {
            if (got >= 3 && s->raw[0] == 0xef && s->raw[1] == 0xbb && s->raw[2] == 0xbf) {
                s->enc = ENC_UTF8;
                skip = 3;
            } else if (got >= 2 && s->raw[0] == 0xff && s->raw[1] == 0xfe) {
                s->enc = ENC_UTF16LE;
                skip = 2;
            } else if (got >= 2 && s->raw[0] == 0xfe && s->raw[1] == 0xff) {
                s->enc = ENC_UTF16BE;
                skip = 2;
            } else {
                s->enc = ENC_UTF8;
            }
        }
        if (s->enc == ENC_UTF8) {
            s->buf = s->raw + skip;
            s->pos = 0;
            s->len = got - skip;
        } else {
            decode_utf16(s, s->raw + skip, got - skip, s->eof);
        }
    }
    return true;
}

bool text_peek(int fd, size_t max, GString *out)
{
    bytesrc *s = g_new(bytesrc, 1);
    bytes_init(s, fd);
    while (out->len < max && bytes_fill(s)) {
        size_t n = MIN(s->len - s->pos, max - out->len);
        g_string_append_len(out, (const char *)s->buf + s->pos, (gssize)n);
        s->pos += n;
    }
    int error = s->error;
    g_free(s);
    errno = error;
    return error == 0;
}

bool text_valid_utf8(const char *s, size_t len, size_t *bad)
{
    const char *end = NULL;
    if (g_utf8_validate_len(s, len, &end))
        return true;
    *bad = (size_t)(end - s);
    return false;
}

/* --- the reader ------------------------------------------------------------------------------- */

typedef enum { V_TOP, V_FIRST, V_SEPARATOR, V_ELEMENT } value_state;

struct text_reader {
    bytesrc src;
    char *name;
    text_format format;
    size_t max;
    uint64_t line; /* of the next byte, from 1 */
    int pushback;  /* -1: none */
    bool content;
    bool done;
    GString *payload;
    GString *spaces; /* white space inside a line, kept until a byte after it shows it is not trailing */
    char *where;
    char *reason;
    /* JSON values */
    value_state vstate;
    uint64_t row;
    /* CSV */
    int delimiter; /* 0 until the header row shows it */
    GPtrArray *header; /* char * */
    GPtrArray *fields; /* GString *, reused; nfields of them in use */
    GArray *field_lines; /* uint64_t: the line each field starts on */
    guint nfields;
    GString *discard;
};

#define END_OF_FILE (-1)
#define READ_ERROR (-2)

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static inline int getb(text_reader *r)
{
    int c;
    if (r->pushback >= 0) {
        c = r->pushback;
        r->pushback = -1;
    } else if (r->src.pos < r->src.len || bytes_fill(&r->src)) {
        c = r->src.buf[r->src.pos++];
    } else {
        return r->src.error ? READ_ERROR : END_OF_FILE;
    }
    if (c == '\n')
        r->line++;
    else if (!r->content && !is_space(c))
        r->content = true;
    return c;
}

static void ungetb(text_reader *r, int c)
{
    if (c == '\n')
        r->line--;
    r->pushback = c;
}

text_reader *text_reader_new(int fd, const char *name, text_format format, size_t max_record)
{
    text_reader *r = g_new0(text_reader, 1);
    bytes_init(&r->src, fd);
    r->name = g_strdup(name);
    r->format = format;
    r->max = max_record;
    r->line = 1;
    r->pushback = -1;
    r->payload = g_string_sized_new(4096);
    r->spaces = g_string_new(NULL);
    r->fields = g_ptr_array_new();
    r->field_lines = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    r->discard = g_string_new(NULL);
    return r;
}

void text_reader_free(text_reader *r)
{
    if (!r)
        return;
    g_free(r->name);
    g_string_free(r->payload, TRUE);
    g_string_free(r->spaces, TRUE);
    g_free(r->where);
    g_free(r->reason);
    if (r->header)
        g_ptr_array_free(r->header, TRUE);
    for (guint i = 0; i < r->fields->len; i++)
        g_string_free(r->fields->pdata[i], TRUE);
    g_ptr_array_free(r->fields, TRUE);
    g_array_free(r->field_lines, TRUE);
    g_string_free(r->discard, TRUE);
    g_free(r);
}

bool text_reader_saw_content(const text_reader *r)
{
    return r->content;
}

uint64_t text_reader_bytes_read(const text_reader *r)
{
    return r->src.raw_bytes;
}

static void where_line(text_reader *r, uint64_t line)
{
    g_free(r->where);
    r->where = g_strdup_printf("%s:%" PRIu64, r->name, line);
}

static void where_row(text_reader *r)
{
    g_free(r->where);
    r->where = g_strdup_printf("%s: row %" PRIu64, r->name, r->row);
}

static text_status G_GNUC_PRINTF(3, 4) reject(text_reader *r, bool fatal, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(r->reason);
    r->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (fatal)
        r->done = true;
    return TEXT_REJECT;
}

static text_status read_error(text_reader *r)
{
    if (!r->where)
        r->where = g_strdup(r->name);
    g_free(r->reason);
    r->reason = g_strdup_printf("cannot read: %s", g_strerror(r->src.error));
    r->done = true;
    return TEXT_IO_ERROR;
}

/* A byte for a message: 'x', or 0xNN. */
static char *describe_byte(int c)
{
    if (c == END_OF_FILE)
        return g_strdup("the end of the file");
    if (c > 0x20 && c < 0x7f)
        return g_strdup_printf("'%c'", c);
    return g_strdup_printf("byte 0x%02x", c);
}

/* Rejects text that is not UTF-8; first_line: the line the text starts on. */
static bool check_utf8(text_reader *r, const GString *text, const char *what, uint64_t first_line,
                       bool say_line)
{
    size_t bad;
    if (text_valid_utf8(text->str, text->len, &bad))
        return true;
    uint64_t line = first_line;
    for (size_t i = 0; i < bad; i++)
        line += text->str[i] == '\n';
    const char *problem = text->str[bad] == '\0' ? "a NUL byte" : "invalid UTF-8";
    if (say_line)
        reject(r, false, "%s at byte %zu of the %s (line %" PRIu64 ")", problem, bad + 1, what, line);
    else
        reject(r, false, "%s at byte %zu of the %s", problem, bad + 1, what);
    return false;
}

/* Appends a byte unless the record is already too long; counts it either way. */
#define PUT(p, total, over, max, b)                                                                \
    do {                                                                                           \
        (total)++;                                                                                 \
        if (!(over)) {                                                                             \
            if ((p)->len < (max))                                                                  \
                g_string_append_c((p), (char)(b));                                                 \
            else                                                                                   \
                (over) = true;                                                                     \
        }                                                                                          \
    } while (0)

/* --- JSON lines ------------------------------------------------------------------------------- */

/* A line's record is what lies between its leading and trailing white space (a CR included): only
 * that counts against the record limit. */
static text_status next_line(text_reader *r)
{
    for (;;) {
        GString *p = r->payload, *spaces = r->spaces;
        g_string_truncate(p, 0);
        g_string_truncate(spaces, 0);
        uint64_t line = r->line, total = 0, pending = 0; /* pending: white space bytes not yet put */
        bool over = false, any = false;
        int c;
        while ((c = getb(r)) >= 0 && c != '\n') {
            if (is_space(c)) {
                if (any) {
                    pending++;
                    if (spaces->len < r->max)
                        g_string_append_c(spaces, (char)c);
                }
                continue;
            }
            any = true;
            if (pending > spaces->len) { /* more than a record of it: this byte cannot fit */
                over = true;
                total += pending;
            } else {
                for (size_t i = 0; i < spaces->len; i++)
                    PUT(p, total, over, r->max, spaces->str[i]);
            }
            pending = 0;
            g_string_truncate(spaces, 0);
            PUT(p, total, over, r->max, c);
        }
        if (c == READ_ERROR)
            return read_error(r);
        if (!any) {
            if (c == END_OF_FILE)
                return TEXT_END;
            continue;
        }
        where_line(r, line);
        if (over)
            return reject(r, false, "a line of %" PRIu64 " bytes is longer than a record can hold (%zu bytes): skipped",
                          total, r->max);
        if (!check_utf8(r, p, "line", line, false))
            return TEXT_REJECT;
        return TEXT_RECORD;
    }
}

/* --- JSON values ------------------------------------------------------------------------------ */

static int skip_space(text_reader *r)
{
    int c;
    while ((c = getb(r)) >= 0 && is_space(c))
        ;
    return c;
}

/* One value, starting with c: an object, an array, a string, or anything else up to a
 * separator. Its text is checked as UTF-8 here and as JSON by the caller. */
static text_status element(text_reader *r, int c, bool in_array)
{
    r->row++;
    where_row(r);
    r->vstate = in_array ? V_SEPARATOR : V_TOP;
    GString *p = r->payload;
    g_string_truncate(p, 0);
    uint64_t total = 0, first_line = r->line;
    bool over = false;
    if (c == '{' || c == '[' || c == '"') {
        uint64_t depth = c == '"' ? 0 : 1;
        bool in_string = c == '"', escaped = false;
        PUT(p, total, over, r->max, c);
        for (;;) {
            int b = getb(r);
            if (b == READ_ERROR)
                return read_error(r);
            if (b == END_OF_FILE)
                return reject(r, true, "the file ends inside this row (line %" PRIu64 "): a truncated file?", r->line);
            PUT(p, total, over, r->max, b);
            if (in_string) {
                if (escaped)
                    escaped = false;
                else if (b == '\\')
                    escaped = true;
                else if (b == '"') {
                    in_string = false;
                    if (depth == 0)
                        break;
                }
            } else if (b == '"') {
                in_string = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (--depth == 0)
                    break;
            }
        }
    } else {
        PUT(p, total, over, r->max, c);
        for (;;) {
            int b = getb(r);
            if (b == READ_ERROR)
                return read_error(r);
            if (b == END_OF_FILE)
                break;
            if (is_space(b) || b == ',' || b == ']' || b == '}' || b == '[' || b == '{') {
                ungetb(r, b);
                break;
            }
            PUT(p, total, over, r->max, b);
        }
    }
    if (over)
        return reject(r, false, "a row of %" PRIu64 " bytes (line %" PRIu64 ") is longer than a record can hold (%zu bytes): skipped",
                      total, first_line, r->max);
    if (!check_utf8(r, p, "row", first_line, true))
        return TEXT_REJECT;
    return TEXT_RECORD;
}

static text_status next_value(text_reader *r)
{
    for (;;) {
        int c = skip_space(r);
        if (c == READ_ERROR)
            return read_error(r);
        switch (r->vstate) {
        case V_TOP:
            if (c == END_OF_FILE)
                return TEXT_END;
            if (c == '[') {
                r->vstate = V_FIRST;
                continue;
            }
            if (c == '{')
                return element(r, c, false);
            {
                char *found = describe_byte(c);
                bool first = r->row == 0;
                r->row++;
                where_row(r);
                text_status s = reject(r, true, "%s (line %" PRIu64 "), found %s",
                                       first ? "not JSON: expected '[' or '{'"
                                             : "text after the end of the JSON: expected another array or object",
                                       r->line, found);
                g_free(found);
                return s;
            }
        case V_FIRST:
        case V_ELEMENT:
            if (c == ']') { /* an empty array, or a comma before the end */
                r->vstate = V_TOP;
                continue;
            }
            if (c == END_OF_FILE) {
                r->row++;
                where_row(r);
                return reject(r, true, "the file ends inside the array: a truncated file?");
            }
            return element(r, c, true);
        case V_SEPARATOR:
            if (c == ',') {
                r->vstate = V_ELEMENT;
                continue;
            }
            if (c == ']') {
                r->vstate = V_TOP;
                continue;
            }
            {
                char *found = describe_byte(c);
                r->row++;
                where_row(r);
                text_status s = c == END_OF_FILE
                                    ? reject(r, true, "the file ends inside the array: a truncated file?")
                                    : reject(r, true, "expected ',' or ']' after the row before (line %" PRIu64 "), found %s",
                                             r->line, found);
                g_free(found);
                return s;
            }
        }
    }
}

/* --- CSV -------------------------------------------------------------------------------------- */

static bool is_delimiter(text_reader *r, int c)
{
    if (r->delimiter)
        return c == r->delimiter;
    if (c == ',' || c == ';' || c == '\t') {
        r->delimiter = c; /* the header row's first separator sets it */
        return true;
    }
    return false;
}

static GString *new_field(text_reader *r, bool store)
{
    if (!store) {
        /* A row already too long: count its bytes, keep none. */
        g_string_truncate(r->discard, 0);
        return r->discard;
    }
    if (r->nfields == r->fields->len)
        g_ptr_array_add(r->fields, g_string_new(NULL));
    GString *f = r->fields->pdata[r->nfields];
    g_string_truncate(f, 0);
    uint64_t line = r->line;
    if (r->field_lines->len <= r->nfields)
        g_array_set_size(r->field_lines, r->nfields + 1);
    g_array_index(r->field_lines, uint64_t, r->nfields) = line;
    r->nfields++;
    return f;
}

typedef enum { ROW_OK, ROW_END, ROW_ERROR, ROW_OPEN_QUOTE } row_status;

/* One CSV record: fields separated by the delimiter, "quoted" fields with "" for a quote and any
 * byte (new lines too) inside; a record ends at a new line outside quotes. *total counts its bytes. */
static row_status read_row(text_reader *r, uint64_t *total, bool *over)
{
    r->nfields = 0;
    *total = 0;
    *over = false;
    int c = getb(r);
    if (c == END_OF_FILE)
        return ROW_END;
    for (;;) {
        if (c == READ_ERROR)
            return ROW_ERROR;
        /* Each byte counts, separators too, so a row of nothing but commas is bounded as well. */
        GString *f = new_field(r, !*over);
        size_t room = r->max;
        if (c == '"') {
            (*total)++;
            for (;;) {
                int b = getb(r);
                if (b == READ_ERROR)
                    return ROW_ERROR;
                if (b == END_OF_FILE)
                    return ROW_OPEN_QUOTE;
                if (b == '"') {
                    b = getb(r);
                    if (b != '"') {
                        c = b;
                        break;
                    }
                }
                (*total)++;
                if (*total > room)
                    *over = true;
                else if (!*over)
                    g_string_append_c(f, (char)b);
            }
        }
        size_t quoted = f->len;
        /* Unquoted text, or what follows a closing quote, up to a separator or the line's end. */
        while (c >= 0 && c != '\n' && !is_delimiter(r, c)) {
            (*total)++;
            if (*total > room)
                *over = true;
            else if (!*over)
                g_string_append_c(f, (char)c);
            c = getb(r);
        }
        if (c == READ_ERROR)
            return ROW_ERROR;
        if (f->len > quoted && f->str[f->len - 1] == '\r' && c == '\n')
            g_string_truncate(f, f->len - 1);
        if (c != '\n' && c != END_OF_FILE) { /* a separator */
            (*total)++;
            if (*total > room)
                *over = true;
            c = getb(r);
            continue;
        }
        return ROW_OK;
    }
}

static bool blank_row(text_reader *r, uint64_t total)
{
    if (total == 0)
        return true;
    if (r->nfields != 1)
        return false;
    const GString *f = r->fields->pdata[0];
    for (size_t i = 0; i < f->len; i++)
        if (!is_space((unsigned char)f->str[i]))
            return false;
    return true;
}

static text_status read_header(text_reader *r)
{
    /* "#TYPE ..." (Windows PowerShell's Export-Csv, or -IncludeTypeInformation), before the header. */
    for (;;) {
        int c = getb(r);
        if (c == READ_ERROR)
            return read_error(r);
        if (c == END_OF_FILE)
            return TEXT_END;
        if (c == '#') {
            while ((c = getb(r)) >= 0 && c != '\n')
                ;
            if (c == READ_ERROR)
                return read_error(r);
            continue;
        }
        if (is_space(c))
            continue;
        ungetb(r, c);
        break;
    }
    uint64_t line = r->line, total;
    bool over;
    row_status s = read_row(r, &total, &over);
    if (s == ROW_ERROR)
        return read_error(r);
    where_line(r, line);
    if (s == ROW_END)
        return TEXT_END;
    if (s == ROW_OPEN_QUOTE)
        return reject(r, true, "the file ends inside a quoted name of the header row: a truncated file?");
    if (over)
        return reject(r, true, "a header row of %" PRIu64 " bytes is longer than a record can hold (%zu bytes)", total,
                      r->max);
    r->header = g_ptr_array_new_with_free_func(g_free);
    bool connection = false;
    for (guint i = 0; i < r->nfields; i++) {
        const GString *f = r->fields->pdata[i];
        if (!check_utf8(r, f, "header row", line, false)) {
            r->done = true;
            return TEXT_REJECT;
        }
        g_ptr_array_add(r->header, g_strndup(f->str, f->len));
        connection |= g_ascii_strcasecmp(f->str, "LocalAddress") == 0 ||
                      g_ascii_strcasecmp(f->str, "OwningProcess") == 0;
    }
    if (!connection)
        return reject(r, true, "the header row names no LocalAddress or OwningProcess column: "
                               "not the CSV of Get-NetTCPConnection | Export-Csv");
    return TEXT_RECORD; /* the header: read, nothing to hand out */
}

static text_status next_csv(text_reader *r)
{
    if (!r->header) {
        text_status s = read_header(r);
        if (s != TEXT_RECORD)
            return s;
    }
    for (;;) {
        uint64_t line = r->line, total;
        bool over;
        row_status s = read_row(r, &total, &over);
        if (s == ROW_ERROR)
            return read_error(r);
        if (s == ROW_END)
            return TEXT_END;
        where_line(r, line);
        if (s == ROW_OPEN_QUOTE)
            return reject(r, true, "the file ends inside a quoted value: a truncated file?");
        if (over)
            return reject(r, false, "a row of %" PRIu64 " bytes is longer than a record can hold (%zu bytes): skipped",
                          total, r->max);
        if (blank_row(r, total))
            continue;
        if (r->nfields != r->header->len)
            return reject(r, false, "%u values where the header row names %u columns", r->nfields, r->header->len);
        GString *p = r->payload;
        g_string_truncate(p, 0);
        g_string_append_c(p, '{');
        for (guint i = 0; i < r->nfields; i++) {
            const GString *f = r->fields->pdata[i];
            size_t bad;
            if (!text_valid_utf8(f->str, f->len, &bad)) {
                uint64_t at = g_array_index(r->field_lines, uint64_t, i);
                for (size_t k = 0; k < bad; k++)
                    at += f->str[k] == '\n';
                where_line(r, at);
                const char *name = r->header->pdata[i];
                char *column = ps_json_excerpt(name, strlen(name));
                text_status st = reject(r, false, "%s in column \"%s\"", f->str[bad] ? "invalid UTF-8" : "a NUL byte",
                                        column);
                g_free(column);
                return st;
            }
            if (i)
                g_string_append_c(p, ',');
            const char *name = r->header->pdata[i];
            ps_json_append_quoted(p, name, strlen(name));
            g_string_append_c(p, ':');
            /* Export-Csv writes nothing for a property that is $null. */
            if (f->len)
                ps_json_append_quoted(p, f->str, f->len);
            else
                g_string_append(p, "null");
        }
        g_string_append_c(p, '}');
        if (p->len > r->max)
            return reject(r, false, "as a JSON object this row takes %zu bytes, more than a record can hold (%zu bytes)",
                          p->len, r->max);
        return TEXT_RECORD;
    }
}

/* --- dispatch --------------------------------------------------------------------------------- */

text_status text_reader_next(text_reader *r, text_item *item)
{
    g_free(r->reason);
    r->reason = NULL;
    text_status s = TEXT_END;
    if (!r->done && r->format == TEXT_JSON_OR_CSV) {
        int c = skip_space(r);
        if (c == READ_ERROR)
            s = read_error(r);
        else if (c != END_OF_FILE) {
            r->format = c == '[' || c == '{' ? TEXT_JSON_VALUES : TEXT_CSV;
            ungetb(r, c);
        } else
            r->done = true;
    }
    if (!r->done) {
        switch (r->format) {
        case TEXT_JSON_LINES: s = next_line(r); break;
        case TEXT_JSON_VALUES: s = next_value(r); break;
        case TEXT_CSV: s = next_csv(r); break;
        case TEXT_JSON_OR_CSV: break;
        }
    }
    if (s == TEXT_END)
        r->done = true;
    item->payload = r->payload;
    item->where = r->where ? r->where : r->name;
    item->reason = r->reason;
    item->fatal = s == TEXT_REJECT && r->done;
    return s;
}
