/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plain LZ77 variant of Microsoft's Xpress compression ("LZXPRESS"), as [MS-XCA] section 2.4
 * describes its decompression: what ETW writes in the buffers of a compressed trace. Written from
 * the specification; bounded by the caller's sizes, so that hostile input cannot make it write
 * past its output, read past its input or loop. */
#ifndef LZXPRESS_H
#define LZXPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

/* Problem codes (ps_problem.code); offsets are in the compressed input. */
enum {
    LZXPRESS_TRUNCATED = 1, /* the input ends inside a flag word, a literal or a match */
    LZXPRESS_BEFORE_START,  /* a match refers to bytes before the start of the output */
    LZXPRESS_TOO_LONG,      /* the output would grow past out_size (a decompression bomb) */
    LZXPRESS_BAD_LENGTH,    /* a long match length smaller than the encoding allows */
};

/* Decompresses in[0, in_len) into out[0, out_size). True with *out_len the bytes written; false
 * with one problem that says why and where, *out_len then the bytes decompressed before it (what
 * the data held up to the damage). */
bool lzxpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_size, size_t *out_len,
                         ps_problems *problems);

#endif
