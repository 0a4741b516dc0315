/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The LZXPRESS decompressor (src/etl/lzxpress.c): the specification's own examples, round trips
 * through an independent compressor (tests/gen/lzxpress_pack.c) over every length encoding, hostile
 * streams (truncated, back-references before the start, bombs), and the compressed buffers of real
 * traces: PerfView's test trace in tests/fixtures/etl and the pktmon captures in
 * ../shared/samples/etl/pktmon (skipped where absent), whose events are counted as dissect.etl
 * counts them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "etl_file.h"
#include "lzxpress.h"
#include "lzxpress_pack.h"

static const char *samples_dir;
static const char *fixtures_dir;

/* Decompresses from an exactly-sized copy, so that ASan sees any read past the input. */
static bool unpack(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_size, size_t *out_len,
                   ps_problems *why)
{
    uint8_t *copy = g_memdup2(in, in_len);
    bool ok = lzxpress_decompress(copy, in_len, out, out_size, out_len, why);
    g_free(copy);
    return ok;
}

static const ps_problem *only_problem(const ps_problems *why, int code)
{
    assert_int_equal(ps_problems_count(why), 1);
    const ps_problem *p = ps_problems_first(why);
    assert_int_equal(p->code, code);
    assert_non_null(p->message);
    return p;
}

/* [MS-XCA] section 2.4's examples of "plain LZ77" compressed data. */
static void test_specification_examples(void **state)
{
    (void)state;
    static const uint8_t alphabet[] = {0x3f, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j',
                                       'k',  'l',  'm',  'n',  'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x',
                                       'y',  'z'};
    uint8_t out[400];
    size_t n = 0;
    ps_problems why = {0};
    assert_true(unpack(alphabet, sizeof alphabet, out, sizeof out, &n, &why));
    assert_int_equal(n, 26);
    assert_memory_equal(out, "abcdefghijklmnopqrstuvwxyz", 26);

    /* "abc" 100 times: three literals, then one match 3 back of 297 bytes (a half byte of 15, a
     * byte of 255 and a 2-byte length of 294). */
    static const uint8_t abc[] = {0xff, 0xff, 0xff, 0x1f, 'a', 'b', 'c', 0x17, 0x00, 0x0f, 0xff, 0x26, 0x01};
    assert_true(unpack(abc, sizeof abc, out, sizeof out, &n, &why));
    assert_int_equal(n, 300);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(out[i], "abc"[i % 3]);
    /* The same with room for 299 bytes: a bomb, found at the match (byte 7) before anything is copied. */
    assert_false(unpack(abc, sizeof abc, out, 299, &n, &why));
    assert_int_equal(only_problem(&why, LZXPRESS_TOO_LONG)->offset, 7);
    ps_problems_clear(&why);
    assert_null(ps_problems_first(&why));
}

static void round_trip(const uint8_t *data, size_t len)
{
    uint8_t *packed = g_malloc(LZXPRESS_PACK_BOUND(len));
    const size_t packed_len = lzxpress_pack(data, len, packed, LZXPRESS_PACK_BOUND(len));
    assert_true(packed_len >= 4);
    uint8_t *out = g_malloc(len + 1);
    size_t n = 0;
    ps_problems why = {0};
    assert_true(unpack(packed, packed_len, out, len, &n, &why));
    assert_int_equal(n, len);
    assert_memory_equal(out, data, len);
    if (len > 0) {
        /* One byte less room: the last literal or match does not fit. */
        assert_false(unpack(packed, packed_len, out, len - 1, &n, &why));
        only_problem(&why, LZXPRESS_TOO_LONG);
        ps_problems_clear(&why);
    }
    /* Cut short anywhere: an error, or (cut before a match) fewer bytes; never more, never a read past. */
    for (size_t cut = 0; cut < packed_len; cut++) {
        if (unpack(packed, cut, out, len, &n, &why)) {
            assert_true(n < len);
            assert_memory_equal(out, data, n);
        } else {
            const ps_problem *p = ps_problems_first(&why);
            assert_int_equal(ps_problems_count(&why), 1);
            assert_true(p->offset <= cut);
            assert_true(n <= len); /* what came before the cut is good */
            assert_memory_equal(out, data, n);
            ps_problems_clear(&why);
        }
    }
    g_free(out);
    g_free(packed);
}

/* Runs of every length class between random bytes: 3-bit lengths, shared half bytes, one extra
 * byte, 2-byte and 4-byte lengths. */
static void test_round_trips(void **state)
{
    (void)state;
    round_trip(NULL, 0);
    round_trip((const uint8_t *)"x", 1);
    round_trip((const uint8_t *)"abcabcabcabc", 12);
    const size_t runs[] = {3, 9, 10, 11, 24, 25, 26, 279, 280, 281, 300, 65538, 65539, 65540, 70000, 3, 17};
    GByteArray *mixed = g_byte_array_new();
    GRand *rand = g_rand_new_with_seed(17);
    for (size_t k = 0; k < G_N_ELEMENTS(runs); k++) {
        for (int i = 0; i < 40; i++) {
            const uint8_t b = (uint8_t)g_rand_int(rand);
            g_byte_array_append(mixed, &b, 1);
        }
        const uint8_t fill = (uint8_t)(k * 37 + 1);
        for (size_t i = 0; i < runs[k]; i++)
            g_byte_array_append(mixed, &fill, 1);
    }
    round_trip(mixed->data, 2000); /* all cuts of a short prefix */
    uint8_t *packed = g_malloc(LZXPRESS_PACK_BOUND(mixed->len));
    const size_t packed_len = lzxpress_pack(mixed->data, mixed->len, packed, LZXPRESS_PACK_BOUND(mixed->len));
    uint8_t *out = g_malloc(mixed->len);
    size_t n = 0;
    assert_true(unpack(packed, packed_len, out, mixed->len, &n, NULL));
    assert_int_equal(n, mixed->len);
    assert_memory_equal(out, mixed->data, n);
    /* 4-byte lengths were used: the 2-byte 0 that announces them is in the stream. */
    assert_true(packed_len < mixed->len / 20);
    g_free(out);
    g_free(packed);

    /* Random bytes hardly compress: the all-literal path, flag word after flag word. */
    uint8_t noise[5000];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)g_rand_int(rand);
    round_trip(noise, 700);
    g_rand_free(rand);
    g_byte_array_free(mixed, TRUE);
}

/* Fails with `code` at `offset`, having decompressed `good` bytes before. */
static void expect_failure(const uint8_t *in, size_t len, size_t out_size, int code, size_t offset, size_t good)
{
    uint8_t *out = g_malloc(out_size + 1);
    size_t n = 7;
    ps_problems why = {0};
    assert_false(unpack(in, len, out, out_size, &n, &why));
    assert_int_equal(n, good);
    assert_int_equal(only_problem(&why, code)->offset, offset);
    ps_problems_clear(&why);
    g_free(out);
}

static void test_hostile_streams(void **state)
{
    (void)state;
    /* A match before any output, and one reaching 2 bytes before the start after one literal. */
    static const uint8_t first_match[] = {0x00, 0x00, 0x00, 0x80, 0x00, 0x00};
    expect_failure(first_match, sizeof first_match, 100, LZXPRESS_BEFORE_START, 4, 0);
    static const uint8_t too_far[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x08, 0x00};
    expect_failure(too_far, sizeof too_far, 100, LZXPRESS_BEFORE_START, 5, 1);
    /* A 4-byte length of 4 GiB into 4 KiB: refused before a byte is copied. */
    static const uint8_t bomb[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
    expect_failure(bomb, sizeof bomb, 4096, LZXPRESS_TOO_LONG, 5, 1);
    /* A 2-byte length below what it may encode (22). */
    static const uint8_t short_long[] = {0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0f, 0xff, 0x05, 0x00};
    expect_failure(short_long, sizeof short_long, 4096, LZXPRESS_BAD_LENGTH, 5, 1);
    /* Literals past the output's end. */
    static const uint8_t literals[] = {0x00, 0x00, 0x00, 0x00, 'a', 'b', 'c'};
    expect_failure(literals, sizeof literals, 2, LZXPRESS_TOO_LONG, 6, 2);
    /* The input ends inside a flag word, before a literal, inside a match's lengths. */
    expect_failure(literals, 3, 10, LZXPRESS_TRUNCATED, 0, 0);
    expect_failure(literals, sizeof literals, 10, LZXPRESS_TRUNCATED, 7, 3);
    expect_failure(bomb, 10, 4096, LZXPRESS_TRUNCATED, 5, 1);
    /* Nothing to decompress but the end mark: no output, no error. */
    static const uint8_t empty[] = {0xff, 0xff, 0xff, 0xff};
    size_t n = 1;
    uint8_t out[1];
    assert_true(unpack(empty, sizeof empty, out, 0, &n, NULL));
    assert_int_equal(n, 0);
}

/* Every compressed buffer of a real trace decompresses to exactly its saved offset; its events are
 * walked as an uncompressed buffer's. The events of all buffers, counted. */
static unsigned real_trace_events(const char *path, unsigned *buffers, unsigned *compressed)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return 0;
    const uint8_t *p = (const uint8_t *)data;
    unsigned events = 0;
    *buffers = *compressed = 0;
    for (size_t at = 0; at < len;) {
        etl_buffer_header h;
        const uint32_t size = (uint32_t)(p[at] | p[at + 1] << 8 | p[at + 2] << 16 | (uint32_t)p[at + 3] << 24);
        assert_true(size >= ETL_BUFFER_HEADER_SIZE && size <= len - at);
        uint8_t *plain = NULL;
        const uint8_t *buf = p + at;
        size_t buf_len = size;
        if (p[at + 52] & ETL_BUFFER_FLAG_COMPRESSED) {
            const uint32_t saved = (uint32_t)(p[at + 4] | p[at + 5] << 8 | p[at + 6] << 16 | (uint32_t)p[at + 7] << 24);
            plain = g_malloc(saved);
            memcpy(plain, buf, ETL_BUFFER_HEADER_SIZE);
            size_t n = 0;
            assert_true(unpack(buf + ETL_BUFFER_HEADER_SIZE, size - ETL_BUFFER_HEADER_SIZE,
                               plain + ETL_BUFFER_HEADER_SIZE, saved - ETL_BUFFER_HEADER_SIZE, &n, NULL));
            assert_int_equal(ETL_BUFFER_HEADER_SIZE + n, saved);
            /* Its size and end of data as an uncompressed buffer's. */
            const uint32_t rounded = (saved + 7) & ~7u, end = saved;
            memcpy(plain, &rounded, 4);
            memcpy(plain + 8, &end, 4);
            buf = plain;
            buf_len = saved;
            (*compressed)++;
        }
        assert_true(etl_buffer_header_parse(buf, buf_len, &h, NULL));
        etl_event_iter it;
        etl_event ev;
        etl_event_iter_init(&it, buf, h.data_end);
        for (etl_next k; (k = etl_event_iter_next(&it, &ev, NULL)) != ETL_NEXT_END;) {
            assert_int_equal(k, ETL_NEXT_EVENT);
            events++;
        }
        g_free(plain);
        (*buffers)++;
        at += size;
    }
    g_free(data);
    return events;
}

static void test_real_compressed_buffers(void **state)
{
    (void)state;
    /* Counts by dissect.etl (fox-it), an independent Python reader with its own decompressor. */
    static const struct {
        const char *dir, *name;
        unsigned buffers, compressed, events;
    } traces[] = {
        {NULL, "SelfDescribingSingleEvent.etl", 3, 2, 23},
        {"pktmon", "NeoChenjf-Finguard-PktMon.etl", 12, 11, 1400},
        {"pktmon", "ThomasGust-TritonPilot-PktMon.etl", 8, 7, 1075},
    };
    unsigned skipped = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(traces); i++) {
        char *path = traces[i].dir ? g_build_filename(samples_dir, "etl", traces[i].dir, traces[i].name, NULL)
                                   : g_build_filename(fixtures_dir, traces[i].name, NULL);
        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            print_message("SKIP: %s is absent\n", path);
            skipped++;
            g_free(path);
            continue;
        }
        unsigned buffers = 0, compressed = 0;
        assert_int_equal(real_trace_events(path, &buffers, &compressed), traces[i].events);
        assert_int_equal(buffers, traces[i].buffers);
        assert_int_equal(compressed, traces[i].compressed);
        g_free(path);
    }
    assert_true(skipped < G_N_ELEMENTS(traces)); /* the committed fixture is always there */
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_lzxpress SAMPLES-DIR FIXTURES-DIR\n");
        return 2;
    }
    samples_dir = argv[1];
    fixtures_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_specification_examples),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_hostile_streams),
        cmocka_unit_test(test_real_compressed_buffers),
    };
    return cmocka_run_group_tests_name("lzxpress", tests, NULL, NULL);
}
