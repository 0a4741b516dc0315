/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bounds-free little/big-endian readers; callers check lengths first. */
#ifndef PS_BYTES_H
#define PS_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t off;
    size_t len; /* 0: the field is absent */
} ps_span;

static inline uint16_t ps_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint16_t ps_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t ps_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ps_le64(const uint8_t *p) { return ps_le32(p) | ((uint64_t)ps_le32(p + 4) << 32); }

static inline void ps_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void ps_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void ps_put_le64(uint8_t *p, uint64_t v)
{
    ps_put_le32(p, (uint32_t)v);
    ps_put_le32(p + 4, (uint32_t)(v >> 32));
}
static inline void ps_put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

#endif
