/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A compressor for the plain LZ77 variant of [MS-XCA] (its section 2.3), for the tests and the
 * benchmark: it makes compressed .etl buffers as Windows does, from the specification and not from
 * procshark's decompressor, so that each checks the other. */
#ifndef LZXPRESS_PACK_H
#define LZXPRESS_PACK_H

#include <stddef.h>
#include <stdint.h>

/* Room enough for the compressed form of len bytes (all literals: 4 flag bytes per 32). */
#define LZXPRESS_PACK_BOUND(len) ((len) + (len) / 8 + 16)

/* Compresses in[0, len) into out; the bytes written, or 0 when out_size is too small. Greedy
 * matching over the 8 KiB window; every length encoding the format has occurs (3 bits, shared half
 * bytes, a byte, 2 and 4 bytes). */
size_t lzxpress_pack(const uint8_t *in, size_t len, uint8_t *out, size_t out_size);

#endif
