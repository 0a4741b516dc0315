/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcapng_bytes.h"

#include <glib/gstdio.h>
#include <string.h>

static void put32(GByteArray *b, guint32 v) { g_byte_array_append(b, (const guint8 *)&v, 4); }
static void put16(GByteArray *b, guint16 v) { g_byte_array_append(b, (const guint8 *)&v, 2); }
static void pad4(GByteArray *b)
{
    static const guint8 zero[3] = {0};
    g_byte_array_append(b, zero, (4 - b->len % 4) % 4);
}

void pcapng_bytes_start(GByteArray *file)
{
    static const guint32 shb[] = {0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0xffffffff, 0xffffffff, 28};
    g_byte_array_append(file, (const guint8 *)shb, sizeof shb);
    static const guint32 idb[] = {1, 20, 1 /* Ethernet */, 0, 20};
    g_byte_array_append(file, (const guint8 *)idb, sizeof idb);
}

void pcapng_bytes_epb(GByteArray *file, guint32 secs, const GByteArray *frame, const char *const *comments,
                      guint32 flags)
{
    GByteArray *b = g_byte_array_new();
    put32(b, 6);
    put32(b, 0); /* length, below */
    put32(b, 0); /* interface */
    const guint64 us = (guint64)secs * 1000000;
    put32(b, (guint32)(us >> 32));
    put32(b, (guint32)us);
    put32(b, frame->len);
    put32(b, frame->len);
    g_byte_array_append(b, frame->data, frame->len);
    pad4(b);
    for (const char *const *c = comments; c && *c; c++) {
        put16(b, 1); /* opt_comment */
        put16(b, (guint16)strlen(*c));
        g_byte_array_append(b, (const guint8 *)*c, (guint)strlen(*c));
        pad4(b);
    }
    if (flags) {
        put16(b, 2); /* epb_flags */
        put16(b, 4);
        put32(b, flags);
    }
    put32(b, 0); /* opt_endofopt */
    put32(b, b->len + 4);
    memcpy(b->data + 4, &b->len, 4);
    g_byte_array_append(file, b->data, b->len);
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
