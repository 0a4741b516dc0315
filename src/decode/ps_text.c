/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ps_text.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

void ps_text_escape(GString *out, const char *s, gssize len)
{
    static const char named[] = "\a" "a" "\b" "b" "\f" "f" "\n" "n" "\r" "r" "\t" "t" "\v" "v";
    const size_t n = len < 0 ? strlen(s) : (size_t)len;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
            g_string_append_printf(out, "\\u00%02x", (unsigned char)s[++i]);
        } else if (c < 0x20 || c == 0x7f) {
            const char *e = c ? memchr(named, c, sizeof named - 1) : NULL;
            if (e && (e - named) % 2 == 0)
                g_string_append_c(out, '\\'), g_string_append_c(out, e[1]);
            else
                g_string_append_printf(out, "\\x%02x", c);
        } else {
            g_string_append_c(out, (char)c);
        }
    }
}

bool ps_text_needs_escape(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return true;
    return false;
}

char *ps_text_escaped(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    ps_text_escape(out, s, -1);
    return g_string_free(out, FALSE);
}

bool ps_text_valid_utf8(const char *s, size_t len, size_t *bad)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* a byte of 0x80 or more, or a zero byte (the classic "has a zero byte" test) */
        if ((w & highs) || ((w - ones) & ~w & highs))
            break;
    }
    const char *end;
    if (g_utf8_validate_len(s + i, len - i, &end))
        return true;
    *bad = (size_t)(end - s);
    return false;
}

ps_line ps_line_start(char *out, size_t size)
{
    if (size)
        out[0] = '\0';
    return (ps_line){out, size, 0};
}

static void line_bytes(ps_line *l, const char *s, size_t n)
{
    if (l->used + 1 >= l->size)
        return;
    size_t room = l->size - 1 - l->used;
    if (n > room)
        n = room;
    memcpy(l->out + l->used, s, n);
    l->used += n;
    l->out[l->used] = '\0';
}

void ps_line_str(ps_line *l, const char *s)
{
    line_bytes(l, s, strlen(s));
}

void ps_line_char(ps_line *l, char c)
{
    line_bytes(l, &c, 1);
}

void ps_line_uint(ps_line *l, uint64_t v)
{
    char digits[20];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    line_bytes(l, digits + n, sizeof digits - n);
}

void ps_line_ip(ps_line *l, int family, const uint8_t *addr)
{
    if (family == 4) {
        for (int i = 0; i < 4; i++) {
            if (i)
                ps_line_char(l, '.');
            ps_line_uint(l, addr[i]);
        }
        return;
    }
    char text[INET6_ADDRSTRLEN] = "?";
    if (family == 6)
        inet_ntop(AF_INET6, addr, text, sizeof text);
    ps_line_str(l, text);
}
