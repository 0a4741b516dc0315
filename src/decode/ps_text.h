/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text from records shown to a person: process names, command lines and the like come from the
 * monitored host, so control characters in them are shown escaped, never sent to a terminal. */
#ifndef PS_TEXT_H
#define PS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

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

#endif
