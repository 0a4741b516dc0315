/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LZXPRESS decompressor (src/etl/lzxpress.c) on hostile streams. The first 3 bytes give the
 * output's room (little-endian, below 1 MiB), the rest is the compressed stream, as an .etl
 * buffer's saved offset and data are. What it decompresses is compressed again by the tests' own
 * compressor (tests/gen/lzxpress_pack.c) and must come back the same. */
#include "fuzz_common.h"

#include "lzxpress.h"
#include "lzxpress_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const size_t room = (data[0] | data[1] << 8 | (size_t)data[2] << 16) & 0xfffff;
    const uint8_t *in = data + 3;
    const size_t in_len = size - 3;
    /* Exactly sized, so that ASan sees a write past the room. */
    uint8_t *out = g_malloc(room + 1);
    size_t n = 0;
    ps_problems why = {0};
    const bool ok = lzxpress_decompress(in, in_len, out, room, &n, &why);
    FUZZ_CHECK(n <= room);
    if (!ok) {
        const ps_problem *p = ps_problems_first(&why);
        FUZZ_CHECK(ps_problems_count(&why) == 1 && p->code >= LZXPRESS_TRUNCATED && p->code <= LZXPRESS_BAD_LENGTH);
        FUZZ_CHECK(p->offset <= in_len && p->length <= in_len - p->offset && p->message[0]);
        ps_problems_clear(&why);
    } else {
        FUZZ_CHECK(ps_problems_count(&why) == 0);
    }
    /* Whatever it gave, good data (all of it, or up to the damage), survives a round trip. */
    uint8_t *packed = g_malloc(LZXPRESS_PACK_BOUND(n));
    const size_t packed_len = lzxpress_pack(out, n, packed, LZXPRESS_PACK_BOUND(n));
    FUZZ_CHECK(packed_len > 0);
    uint8_t *again = g_malloc(n + 1);
    size_t m = 0;
    FUZZ_CHECK(lzxpress_decompress(packed, packed_len, again, n, &m, NULL) && m == n && memcmp(again, out, n) == 0);
    g_free(again);
    g_free(packed);
    g_free(out);
    return 0;
}
