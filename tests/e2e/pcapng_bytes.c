/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcapng_bytes.h"

#include <glib/gstdio.h>
#include <string.h>

void pcapng_bytes_put32(GByteArray *b, guint32 v) { g_byte_array_append(b, (const guint8 *)&v, 4); }
void pcapng_bytes_put16(GByteArray *b, guint16 v) { g_byte_array_append(b, (const guint8 *)&v, 2); }

void pcapng_bytes_pad4(GByteArray *b)
{
    static const guint8 zero[3] = {0};
    g_byte_array_append(b, zero, (4 - b->len % 4) % 4);
}

void pcapng_bytes_option32(GByteArray *b, guint16 code, guint32 value)
{
    pcapng_bytes_put16(b, code);
    pcapng_bytes_put16(b, 4);
    pcapng_bytes_put32(b, value);
}

void pcapng_bytes_block(GByteArray *file, guint32 type, const GByteArray *body)
{
    const guint32 total = 12 + body->len;
    pcapng_bytes_put32(file, type);
    pcapng_bytes_put32(file, total);
    g_byte_array_append(file, body->data, body->len);
    pcapng_bytes_put32(file, total);
}

void pcapng_bytes_section(GByteArray *file)
{
    static const guint32 shb[] = {0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0xffffffff, 0xffffffff, 28};
    g_byte_array_append(file, (const guint8 *)shb, sizeof shb);
}

void pcapng_bytes_interface(GByteArray *file, guint32 link_type)
{
    const guint32 idb[] = {1, 20, link_type, 0, 20};
    g_byte_array_append(file, (const guint8 *)idb, sizeof idb);
}

void pcapng_bytes_start(GByteArray *file)
{
    pcapng_bytes_section(file);
    pcapng_bytes_interface(file, 1 /* Ethernet */);
}

void pcapng_bytes_epb(GByteArray *file, guint32 secs, const GByteArray *frame, const char *const *comments,
                      guint32 flags)
{
    GByteArray *b = g_byte_array_new();
    pcapng_bytes_put32(b, 0); /* interface */
    const guint64 us = (guint64)secs * 1000000;
    pcapng_bytes_put32(b, (guint32)(us >> 32));
    pcapng_bytes_put32(b, (guint32)us);
    pcapng_bytes_put32(b, frame->len);
    pcapng_bytes_put32(b, frame->len);
    g_byte_array_append(b, frame->data, frame->len);
    pcapng_bytes_pad4(b);
    for (const char *const *c = comments; c && *c; c++) {
        pcapng_bytes_put16(b, 1); /* opt_comment */
        pcapng_bytes_put16(b, (guint16)strlen(*c));
        g_byte_array_append(b, (const guint8 *)*c, (guint)strlen(*c));
        pcapng_bytes_pad4(b);
    }
    if (flags)
        pcapng_bytes_option32(b, 2, flags); /* epb_flags */
    pcapng_bytes_put32(b, 0); /* opt_endofopt */
    pcapng_bytes_block(file, 6, b);
    g_byte_array_free(b, TRUE);
}

char *pcapng_bytes_save(const GByteArray *file, const char *name, char **dir)
{
    *dir = g_dir_make_tmp("procshark-pcapng-XXXXXX", NULL);
    if (!*dir || g_chmod(*dir, 0755) != 0)
        return NULL;
    char *path = g_build_filename(*dir, name, NULL);
    if (!g_file_set_contents(path, (const char *)file->data, file->len, NULL) || g_chmod(path, 0644) != 0) {
        g_free(path);
        return NULL;
    }
    return path;
}
