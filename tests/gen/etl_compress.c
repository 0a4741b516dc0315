/* SPDX-License-Identifier: GPL-2.0-or-later */
/* etl_compress [--all] IN.etl OUT.etl: an uncompressed trace's buffers compressed as pktmon and
 * relogged traces have them (checked on the real ones), by tests/gen/lzxpress_pack.c, for the tests
 * and the benchmark. Buffer 0 (the logfile header) stays as it is, as Windows leaves it, but with
 * --all. Every other buffer becomes its 72-byte
 * header, with BufferSize the header plus the compressed data, SavedOffset and Offset where its data
 * end (its SavedOffset, else Offset, else CurrentOffset) and BufferFlag 0x40 added, then its data
 * from byte 72 to that end, compressed. The buffers follow each other byte for byte.
 * Exit status: 0 ok, 2 on any error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lzxpress_pack.h"

#define HEADER 72
#define FLAG_COMPRESSED 0x40

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "etl_compress: %s: %s\n", path, what);
    return 2;
}

int main(int argc, char **argv)
{
    const int all = argc == 4 && strcmp(argv[1], "--all") == 0;
    if (argc != 3 + all) {
        fprintf(stderr, "usage: etl_compress [--all] IN.etl OUT.etl\n");
        return 2;
    }
    argv += all;
    FILE *in = fopen(argv[1], "rb");
    if (!in)
        return fail("cannot open", argv[1]);
    FILE *out = fopen(argv[2], "wb");
    if (!out)
        return fail("cannot create", argv[2]);
    uint8_t head[HEADER];
    if (fread(head, 1, HEADER, in) != HEADER)
        return fail("shorter than a buffer header", argv[1]);
    const uint32_t size = le32(head);
    if (size < HEADER || size > (64u << 20))
        return fail("not an uncompressed trace", argv[1]);
    uint8_t *buf = malloc(size), *packed = malloc(LZXPRESS_PACK_BOUND(size));
    if (!buf || !packed)
        return fail("out of memory", argv[1]);
    memcpy(buf, head, HEADER);
    size_t got = fread(buf + HEADER, 1, size - HEADER, in);
    if (got != size - HEADER || (!all && fwrite(buf, 1, size, out) != size))
        return fail("cannot copy buffer 0", argv[1]);
    got = size; /* --all: buffer 0 is the first to compress */
    for (int first = all; first || (got = fread(buf, 1, size, in)) > 0; first = 0) {
        if (got != size)
            return fail("ends inside a buffer", argv[1]);
        uint32_t end = le32(buf + 4);
        if (end < HEADER || end > size)
            end = le32(buf + 48);
        if (end < HEADER || end > size)
            end = le32(buf + 8);
        if (end < HEADER || end > size)
            return fail("a buffer without its end of data", argv[1]);
        const size_t n = lzxpress_pack(buf + HEADER, end - HEADER, packed, LZXPRESS_PACK_BOUND(size));
        if (n == 0)
            return fail("cannot compress a buffer", argv[1]);
        put32(buf, (uint32_t)(HEADER + n));
        put32(buf + 4, end);
        put32(buf + 48, end);
        buf[52] |= FLAG_COMPRESSED;
        if (fwrite(buf, 1, HEADER, out) != HEADER || fwrite(packed, 1, n, out) != n)
            return fail("cannot write", argv[2]);
    }
    if (ferror(in))
        return fail("cannot read", argv[1]);
    if (fclose(out) != 0)
        return fail("cannot write", argv[2]);
    fclose(in);
    free(buf);
    free(packed);
    return 0;
}
