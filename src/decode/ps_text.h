/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text from records shown to a person: process names, command lines and the like come from the
 * monitored host, so control characters in them are shown escaped, never sent to a terminal. */
#ifndef PS_TEXT_H
#define PS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Between the two ends in Info lines: Wireshark's arrow (UTF8_RIGHTWARDS_ARROW), as TCP's Info uses. */
#define PS_ARROW " \xe2\x86\x92 "

/* Appends s (len bytes, or up to its NUL when len is -1) with C0 and C1 control characters and DEL
 * escaped as Wireshark's format_text shows them: \a \b \f \n \r \t \v, others as \xHH (C1 characters,
 * U+0080 to U+009F, as \u00HH). Everything else, backslashes and invalid UTF-8 included, is copied. */
void ps_text_escape(GString *out, const char *s, gssize len);

/* Whether s (up to its NUL) holds anything ps_text_escape would escape. */
bool ps_text_needs_escape(const char *s);

/* The same, as a new string (g_free it). */
char *ps_text_escaped(const char *s);

/* Whether s (len bytes) is valid UTF-8 without a NUL byte, as g_utf8_validate_len says, with
 * *bad at the first offending byte when not. Plain ASCII, nearly every record, is checked eight
 * bytes at a time. */
bool ps_text_valid_utf8(const char *s, size_t len, size_t *bad);

/* A line (an Info column text) built into a fixed buffer without printf, which costs more than
 * everything else the column needs. Cut, like snprintf, where the buffer is full. */
typedef struct {
    char *out;
    size_t size, used;
} ps_line;

ps_line ps_line_start(char *out, size_t size);
void ps_line_str(ps_line *l, const char *s);
void ps_line_char(ps_line *l, char c);
void ps_line_uint(ps_line *l, uint64_t v);
/* An address as inet_ntop writes it; "?" when family is neither 4 nor 6. */
void ps_line_ip(ps_line *l, int family, const uint8_t *addr);

#endif
