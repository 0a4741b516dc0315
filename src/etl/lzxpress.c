/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lzxpress.h"

#include <inttypes.h>
#include <string.h>

#include "ps_bytes.h"

#define MIN_MATCH 3

bool lzxpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_size, size_t *out_len,
                         ps_problems *problems)
{
    size_t ip = 0, op = 0;
    uint32_t flags = 0;
    unsigned flag_count = 0;
    size_t match_at = 0;  /* of the match being read */
    size_t nibble_at = 0; /* 0: no half-used length byte (one never sits at 0, a flag word does) */
    for (;;) {
        if (flag_count == 0) {
            if (in_len - ip < 4) {
                ps_problems_add(problems, LZXPRESS_TRUNCATED, ip, in_len - ip,
                                "the compressed data end inside a flag word");
                goto stop;
            }
            flags = ps_le32(in + ip);
            ip += 4;
            flag_count = 32;
        }
        flag_count--;
        if (!(flags & (UINT32_C(1) << flag_count))) {
            if (ip == in_len) {
                ps_problems_add(problems, LZXPRESS_TRUNCATED, ip, 0, "the compressed data end before a literal byte");
                goto stop;
            }
            if (op == out_size) {
                ps_problems_add(problems, LZXPRESS_TOO_LONG, ip, 1,
                                "the data decompress to more than their %zu bytes", out_size);
                goto stop;
            }
            out[op++] = in[ip++];
            continue;
        }
        /* A set flag with the input used up is the end the compressor marks. */
        if (ip == in_len)
            break;
        match_at = ip;
        if (in_len - ip < 2)
            goto truncated;
        const uint16_t token = ps_le16(in + ip);
        ip += 2;
        const size_t distance = (size_t)(token >> 3) + 1;
        uint64_t length = token & 7;
        if (length == 7) {
            /* Two long lengths share a byte: the first takes its low half, the next its high. */
            if (nibble_at == 0) {
                if (ip == in_len)
                    goto truncated;
                nibble_at = ip++;
                length = in[nibble_at] & 15;
            } else {
                length = in[nibble_at] >> 4;
                nibble_at = 0;
            }
            if (length == 15) {
                if (ip == in_len)
                    goto truncated;
                length = in[ip++];
                if (length == 255) {
                    if (in_len - ip < 2)
                        goto truncated;
                    length = ps_le16(in + ip);
                    ip += 2;
                    if (length == 0) {
                        if (in_len - ip < 4)
                            goto truncated;
                        length = ps_le32(in + ip);
                        ip += 4;
                    }
                    if (length < 15 + 7) {
                        ps_problems_add(problems, LZXPRESS_BAD_LENGTH, match_at, ip - match_at,
                                        "a match length of %" PRIu64 " where at least 22 is encoded", length);
                        goto stop;
                    }
                    length -= 15 + 7;
                }
                length += 15;
            }
            length += 7;
        }
        length += MIN_MATCH;
        if (distance > op) {
            ps_problems_add(problems, LZXPRESS_BEFORE_START, match_at, ip - match_at,
                            "a back-reference before the start of the data (distance %zu at output byte %zu)",
                            distance, op);
            goto stop;
        }
        if (length > out_size - op) {
            ps_problems_add(problems, LZXPRESS_TOO_LONG, match_at, ip - match_at,
                            "the data decompress to more than their %zu bytes (a match of %" PRIu64
                            " bytes at %zu)", out_size, length, op);
            goto stop;
        }
        uint8_t *dst = out + op;
        const uint8_t *src = dst - distance;
        op += (size_t)length;
        if (distance >= length) {
            memcpy(dst, src, (size_t)length);
        } else {
            /* Overlapping: a run that repeats its last `distance` bytes. */
            for (size_t i = 0; i < length; i++)
                dst[i] = src[i];
        }
    }
    *out_len = op;
    return true;

truncated:
    ps_problems_add(problems, LZXPRESS_TRUNCATED, match_at, in_len - match_at,
                    "the compressed data end inside a match");
stop:
    *out_len = op;
    return false;
}
