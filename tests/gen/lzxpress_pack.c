/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lzxpress_pack.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 8192 /* 13 bits of distance */
#define HASH_BITS 15
#define CHAIN_MAX 48 /* candidates tried per position: a fair ratio at benchmark speed */
#define NO_POS SIZE_MAX

typedef struct {
    uint8_t *out;
    size_t size, pos;
    size_t flags_at; /* the flag word the next items' bits go to */
    uint32_t flags;
    unsigned count;   /* bits in flags */
    size_t nibble_at; /* a length byte whose high half is free; 0: none (a flag word is at 0) */
    bool full;
} packer;

static void put(packer *p, const void *bytes, size_t n)
{
    if (p->full || p->size - p->pos < n) {
        p->full = true;
        return;
    }
    memcpy(p->out + p->pos, bytes, n);
    p->pos += n;
}

static void put_le(packer *p, uint32_t v, size_t n)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(p, b, n);
}

static void write_flags(packer *p, uint32_t v)
{
    if (!p->full)
        for (int i = 0; i < 4; i++)
            p->out[p->flags_at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* One item's bit; a full word is written to its place, and the next one's place kept. */
static void flag(packer *p, unsigned bit)
{
    p->flags = (p->flags << 1) | bit;
    if (++p->count < 32)
        return;
    write_flags(p, p->flags);
    p->flags = 0;
    p->count = 0;
    p->flags_at = p->pos;
    put_le(p, 0, 4);
}

static void match(packer *p, size_t length, size_t distance)
{
    size_t l = length - 3;
    const uint32_t token = (uint32_t)(distance - 1) << 3;
    if (l < 7) {
        put_le(p, token | (uint32_t)l, 2);
    } else {
        put_le(p, token | 7, 2);
        l -= 7;
        const uint8_t half = (uint8_t)(l < 15 ? l : 15);
        if (p->nibble_at == 0) {
            p->nibble_at = p->pos;
            put(p, &half, 1);
        } else {
            if (!p->full)
                p->out[p->nibble_at] |= (uint8_t)(half << 4);
            p->nibble_at = 0;
        }
        if (l >= 15) {
            l -= 15;
            if (l < 255) {
                put_le(p, (uint32_t)l, 1);
            } else {
                put_le(p, 255, 1);
                l += 15 + 7; /* length - 3 */
                if (l < 65536) {
                    put_le(p, (uint32_t)l, 2);
                } else {
                    put_le(p, 0, 2);
                    put_le(p, (uint32_t)l, 4);
                }
            }
        }
    }
    flag(p, 1);
}

static size_t hash3(const uint8_t *s)
{
    return ((uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2]) * 2654435761u >> (32 - HASH_BITS);
}

size_t lzxpress_pack(const uint8_t *in, size_t len, uint8_t *out, size_t out_size)
{
    packer p = {.out = out, .size = out_size};
    put_le(&p, 0, 4);
    size_t *head = malloc(sizeof(size_t) << HASH_BITS), *prev = malloc(sizeof(size_t) * WINDOW);
    if (!head || !prev) {
        free(head);
        free(prev);
        return 0;
    }
    for (size_t i = 0; i < (size_t)1 << HASH_BITS; i++)
        head[i] = NO_POS;
    size_t i = 0;
    while (i < len) {
        size_t best = 0, best_distance = 0;
        if (len - i >= 3) {
            size_t cand = head[hash3(in + i)];
            for (int tries = 0; cand != NO_POS && i - cand <= WINDOW && tries < CHAIN_MAX; tries++) {
                size_t n = 0;
                while (i + n < len && in[cand + n] == in[i + n])
                    n++;
                if (n > best) {
                    best = n;
                    best_distance = i - cand;
                }
                const size_t older = prev[cand % WINDOW];
                if (older == NO_POS || older >= cand)
                    break;
                cand = older;
            }
        }
        const size_t step = best >= 3 ? best : 1;
        if (best >= 3)
            match(&p, best, best_distance);
        else {
            put(&p, in + i, 1);
            flag(&p, 0);
        }
        for (size_t k = i; k < i + step && len - k >= 3; k++) {
            const size_t h = hash3(in + k);
            prev[k % WINDOW] = head[h];
            head[h] = k;
        }
        i += step;
    }
    free(head);
    free(prev);
    /* The rest of the last word is set: a set bit with the input used up ends the data. */
    write_flags(&p, p.count == 0 ? UINT32_MAX : (p.flags << (32 - p.count)) | ((UINT32_C(1) << (32 - p.count)) - 1));
    return p.full ? 0 : p.pos;
}
