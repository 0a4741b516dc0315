/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ETL reader (src/etl/etl_file.c) on the real traces in ../shared/samples/etl (skipped where
 * absent), on crafted buffers for the header kinds the samples lack, and on damaged copies. */
#include <inttypes.h>
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
#include "etw_image.h"
#include "etw_net.h"
#include "etw_process.h"
#include "etw_record.h"

static const char *samples_dir;

/* --- walking a whole file ------------------------------------------------------------------- */

typedef struct {
    etl_trace_info info;
    unsigned events, skipped, bad_buffers, extended_items;
    unsigned by_header[256];
    unsigned kernel_network_by_id[64];
    unsigned by_group_opcode_version[32][64][8];
    unsigned out_of_order_in_buffer, outside_trace, unconverted;
    GPtrArray *payloads; /* copies of each event's record fields + payload, when asked */
} walk_result;

typedef void (*event_visitor)(const etl_event *ev, const etl_trace_info *info, void *user);

/* Walks every buffer with a fixed stride, as a file of one buffer size is laid out; false when the
 * first buffer holds no logfile header. */
static bool walk(const uint8_t *data, size_t len, walk_result *w, event_visitor visit, void *user)
{
    memset(w, 0, sizeof *w);
    etl_buffer_header bh;
    if (!etl_buffer_header_parse(data, len, &bh, NULL))
        return false;
    etl_event_iter it;
    etl_event ev;
    etl_event_iter_init(&it, data, bh.data_end);
    if (etl_event_iter_next(&it, &ev, NULL) != ETL_NEXT_EVENT || !ev.classic || ev.group != 0)
        return false;
    if (!etl_trace_info_parse(ev.payload, ev.payload_len, ev.raw_time, 8, &w->info, NULL))
        return false;
    const size_t stride = bh.buffer_size;
    for (size_t off = 0; off < len; off += stride) {
        size_t avail = len - off < stride ? len - off : stride;
        if (!etl_buffer_header_parse(data + off, avail, &bh, NULL)) {
            w->bad_buffers++;
            continue;
        }
        etl_event_iter_init(&it, data + off, bh.data_end);
        uint64_t prev = 0;
        etl_next n;
        ps_problems skipped = {0};
        while ((n = etl_event_iter_next(&it, &ev, &skipped)) != ETL_NEXT_END) {
            if (n == ETL_NEXT_SKIPPED) {
                const size_t bad_offset = ps_problems_first(&skipped)->offset;
                ps_problems_clear(&skipped);
                assert_true(bad_offset >= ETL_BUFFER_HEADER_SIZE && bad_offset < bh.data_end);
                w->skipped++;
                continue;
            }
            assert_true(ev.offset + ev.size <= bh.data_end);
            assert_true(ev.payload >= data + off + ev.offset && ev.payload + ev.payload_len <= data + off + ev.offset + ev.size);
            w->events++;
            w->by_header[ev.header_type]++;
            w->extended_items += ev.extended_items;
            uint64_t ft;
            if (!etl_raw_to_filetime(&w->info, ev.raw_time, &ft)) {
                w->unconverted++;
                continue;
            }
            if (ft < prev)
                w->out_of_order_in_buffer++;
            prev = ft;
            if (ft < w->info.start_time || ft > w->info.end_time)
                w->outside_trace++;
            if (!ev.classic && etw_provider_from_guid(ev.guid) == ETW_PROVIDER_KERNEL_NETWORK && ev.id < 64)
                w->kernel_network_by_id[ev.id]++;
            if (ev.classic && ev.group < 32 && ev.opcode < 64 && ev.version < 8)
                w->by_group_opcode_version[ev.group][ev.opcode][ev.version]++;
            if (visit)
                visit(&ev, &w->info, user);
        }
    }
    return true;
}

static uint8_t *load_sample(const char *name, size_t *len)
{
    char *path = g_build_filename(samples_dir, "etl", name, NULL);
    gchar *data = NULL;
    gsize n = 0;
    bool ok = g_file_get_contents(path, &data, &n, NULL);
    g_free(path);
    if (!ok)
        return NULL;
    *len = n;
    return (uint8_t *)data;
}

#define LOAD_OR_SKIP(name, len)                                                                                  \
    uint8_t *data = load_sample(name, &len);                                                                     \
    if (!data) {                                                                                                 \
        print_message("SKIP: %s/etl/%s is absent\n", samples_dir, name);                                       \
        skip();                                                                                                  \
    }

/* --- the real traces ------------------------------------------------------------------------ */

static const uint8_t formats_id10[40] = {0x9c, 0x0a, 0x00, 0x00, 0x4d, 0x00, 0x00, 0x00, 0x9d, 0x38, 0xf4, 0x26, 0x0a, 0x79,
                                         0x6a, 0x76, 0x01, 0xbb, 0xf1, 0x2b, 0xf0, 0x2f, 0x2d, 0x00, 0xf1, 0x2f, 0x2d, 0x00};
static const uint8_t formats_id11[32] = {0x9c, 0x0a, 0x00, 0x00, 0x05, 0x10, 0x00, 0x00, 0x9d, 0x38, 0xf4,
                                         0x26, 0x0a, 0x79, 0x6a, 0x76, 0x01, 0xbb, 0xf1, 0x2c};

typedef struct {
    unsigned id10_quoted, id11_quoted;
    unsigned decoded_ok;
} network_check;

static void check_network_event(const etl_event *ev, const etl_trace_info *info, void *user)
{
    (void)info;
    network_check *c = user;
    if (ev->classic || etw_provider_from_guid(ev->guid) != ETW_PROVIDER_KERNEL_NETWORK)
        return;
    assert_int_equal(ev->header_type, ETL_HEADER_EVENT64);
    assert_true(ev->flags & ETW_FLAG_64_BIT_HEADER);
    etw_net_event net;
    assert_true(etw_net_decode(ETW_PROVIDER_KERNEL_NETWORK, ev->id, ev->opcode, ev->version, ev->payload,
                               ev->payload_len, ev->payload_len, &net));
    if (!ps_problems_count(&net.problems))
        c->decoded_ok++;
    ps_problems_clear(&net.problems);
    if (ev->id == 10 && ev->payload_len == 40 && memcmp(ev->payload, formats_id10, 40) == 0) {
        c->id10_quoted++;
        assert_int_equal(net.pid, 2716);
        assert_int_equal(net.size, 77);
        assert_int_equal(net.dport, 443);
        assert_int_equal(net.sport, 61739);
        assert_int_equal(net.startime, 2961392);
        assert_int_equal(net.endtime, 2961393);
    }
    if (ev->id == 11 && ev->payload_len == 32 && memcmp(ev->payload, formats_id11, 32) == 0) {
        c->id11_quoted++;
        assert_int_equal(net.size, 4101);
        assert_int_equal(net.sport, 61740);
    }
}

static void test_kernel_network(void **state)
{
    (void)state;
    size_t len = 0;
    LOAD_OR_SKIP("KernelNetwork.etl", len);
    walk_result w;
    network_check c = {0};
    assert_true(walk(data, len, &w, check_network_event, &c));
    assert_int_equal(w.info.buffer_size, 8192);
    assert_int_equal(w.info.pointer_size, 8);
    assert_int_equal(w.info.clock_type, ETL_CLOCK_QPC);
    assert_int_equal(w.info.perf_freq, 2994853);
    assert_int_equal(w.info.cpus, 4);
    assert_int_equal(w.info.provider_version, 7601);
    assert_int_equal(w.info.buffers_written, 129);
    assert_string_equal(w.info.logger_name, "DataCollector01");
    assert_int_equal(w.info.start_time, UINT64_C(129846116328135944));
    assert_int_equal(w.info.end_time, UINT64_C(129846116755280372));
    assert_int_equal(w.bad_buffers, 0);
    assert_int_equal(w.skipped, 0);
    assert_int_equal(w.events, 8924);
    assert_int_equal(w.by_header[ETL_HEADER_SYSTEM64], 1);
    assert_int_equal(w.by_header[ETL_HEADER_EVENT64], 8923);
    const unsigned want[][2] = {{11, 7968}, {10, 575}, {43, 149}, {27, 134}, {59, 61}, {26, 26}, {42, 8}, {29, 2}};
    unsigned sum = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_int_equal(w.kernel_network_by_id[want[i][0]], want[i][1]);
        sum += w.kernel_network_by_id[want[i][0]];
    }
    assert_int_equal(sum, 8923);
    assert_int_equal(c.decoded_ok, 8923);
    assert_true(c.id10_quoted >= 1);
    assert_true(c.id11_quoted >= 1);
    assert_int_equal(w.out_of_order_in_buffer, 0);
    assert_int_equal(w.outside_trace, 0);
    assert_int_equal(w.unconverted, 0);
    g_free(data);
}

typedef struct {
    unsigned named, with_cmdline, lsass;
} process_check;

static void check_process_event(const etl_event *ev, const etl_trace_info *info, void *user)
{
    (void)info;
    process_check *c = user;
    if (!ev->classic || ev->group != 3 || !(ev->opcode == 2 || ev->opcode == 3 || ev->opcode == 4 || ev->opcode == 39))
        return;
    assert_memory_equal(etl_kernel_group_guid(3), etw_provider_guid(ETW_PROVIDER_PROCESS), 16);
    etw_proc_event p;
    etw_proc_decode(ev->opcode, ev->version, ev->pointer64 ? 8 : 4, ev->payload, ev->payload_len, &p);
    assert_int_equal(ps_problems_count(&p.problems), 0); /* ETW_PROC_OK */
    const ps_span image = p.span[ETW_PROC_IMAGE], cmd = p.span[ETW_PROC_CMDLINE];
    if (image.len > 1)
        c->named++;
    if (cmd.len > 2)
        c->with_cmdline++;
    if (ev->opcode == 3 && p.pid == 644) {
        assert_string_equal((const char *)ev->payload + image.off, "lsass.exe");
        char *line = g_utf16_to_utf8((const gunichar2 *)(const void *)(ev->payload + cmd.off), (glong)(cmd.len / 2 - 1),
                                     NULL, NULL, NULL);
        assert_string_equal(line, "C:\\Windows\\system32\\lsass.exe");
        g_free(line);
        c->lsass++;
    }
}

static void test_shutdown_process_events(void **state)
{
    (void)state;
    size_t len = 0;
    LOAD_OR_SKIP("ShutdownPerfDiagLogger.etl", len);
    walk_result w;
    process_check c = {0};
    assert_true(walk(data, len, &w, check_process_event, &c));
    assert_int_equal(w.info.provider_version, 18362);
    assert_int_equal(w.info.perf_freq, 10000000);
    assert_int_equal(w.skipped, 0);
    assert_int_equal(w.events, 17078);
    assert_int_equal(w.by_header[ETL_HEADER_SYSTEM64], 8433);
    assert_int_equal(w.by_header[ETL_HEADER_PERFINFO64], 8645);
    assert_int_equal(w.by_group_opcode_version[3][3][4], 94); /* DCStart */
    assert_int_equal(w.by_group_opcode_version[3][2][4], 60); /* End */
    assert_int_equal(w.by_group_opcode_version[3][4][4], 37); /* DCEnd */
    assert_int_equal(w.by_group_opcode_version[3][39][5], 5); /* Defunct */
    assert_int_equal(c.named, 94 + 60 + 37 + 5);
    assert_true(c.with_cmdline >= 94); /* defunct and some ended processes carry no command line */
    assert_int_equal(c.lsass, 1);
    assert_int_equal(w.out_of_order_in_buffer, 0);
    assert_int_equal(w.outside_trace, 0);
    g_free(data);
}

/* Image Load comes in the Process group (hook 0x030A); Windows reports it as Image/Load. */
static void test_kernel_class_mapping(void **state)
{
    (void)state;
    assert_int_equal(etl_kernel_class_group(0x03, 10), 0x14);
    static const uint8_t process_types[] = {1, 2, 3, 4, 11, 32, 33, 39};
    for (size_t i = 0; i < G_N_ELEMENTS(process_types); i++)
        assert_int_equal(etl_kernel_class_group(0x03, process_types[i]), 0x03);
    for (unsigned type = 0; type < 256; type++) {
        assert_int_equal(etl_kernel_class_group(0x14, (uint8_t)type), 0x14); /* Unload, DCStart, DCEnd, ... */
        assert_int_equal(etl_kernel_class_group(0x05, (uint8_t)type), 0x05); /* Thread keeps every type */
        assert_int_equal(etl_kernel_class_group(0x0a, (uint8_t)type), 0x0a); /* DbgPrint's type 10 too */
    }
    assert_string_equal(etl_kernel_group_name(etl_kernel_class_group(0x03, 10)), "Image");

    /* The record an Image Load event becomes names the Image class. */
    etl_event ev = {.classic = true, .group = 0x03, .opcode = 10, .version = 3, .raw_time = UINT64_C(133537680000000000)};
    etl_trace_info info = {.clock_type = ETL_CLOCK_SYSTEM_TIME};
    etl_buffer_header buffer = {0};
    etw_record_fields f;
    assert_true(etl_event_record_fields(&ev, &info, &buffer, &f));
    assert_memory_equal(f.provider_id, etw_provider_guid(ETW_PROVIDER_IMAGE), 16);
    assert_int_equal(f.opcode, 10);
    ev.opcode = 11;
    assert_true(etl_event_record_fields(&ev, &info, &buffer, &f));
    assert_memory_equal(f.provider_id, etw_provider_guid(ETW_PROVIDER_PROCESS), 16);
}

typedef struct {
    unsigned by_opcode[64]; /* Image records, by opcode */
    unsigned decoded_ok, es_dll;
} image_check;

static void check_image_event(const etl_event *ev, const etl_trace_info *info, void *user)
{
    image_check *c = user;
    etl_buffer_header buffer = {0};
    etw_record_fields f;
    if (!ev->classic || !etl_event_record_fields(ev, info, &buffer, &f) ||
        etw_provider_from_guid(f.provider_id) != ETW_PROVIDER_IMAGE)
        return;
    assert_true(ev->group == 0x14 || (ev->group == 0x03 && ev->opcode == 10));
    c->by_opcode[ev->opcode < 64 ? ev->opcode : 0]++;
    etw_image_event im;
    etw_image_decode(ev->opcode, ev->version, ev->pointer64 ? 8 : 4, ev->payload, ev->payload_len, &im);
    c->decoded_ok += ps_problems_count(&im.problems) == 0;
    ps_problems_clear(&im.problems);
    if (ev->opcode == 10 && im.pid == 520 && im.base == UINT64_C(0x7ff989ec0000) && im.size == 0x69000)
        c->es_dll++;
}

/* Counts per class and type, as airbus-cert/etl-parser and fox-it/dissect.etl count them on this
 * trace (docs/FORMATS.md, "Image events"); every Image event decodes without a problem. */
static void test_shutdown_image_and_thread_events(void **state)
{
    (void)state;
    size_t len = 0;
    LOAD_OR_SKIP("ShutdownPerfDiagLogger.etl", len);
    walk_result w;
    image_check c = {0};
    assert_true(walk(data, len, &w, check_image_event, &c));
    assert_int_equal(w.by_group_opcode_version[3][10][3], 72);   /* Image/Load, in the Process group */
    assert_int_equal(w.by_group_opcode_version[3][11][2], 60);   /* Process/Terminate */
    assert_int_equal(w.by_group_opcode_version[20][2][3], 4791); /* Image/Unload */
    assert_int_equal(w.by_group_opcode_version[20][3][3], 6745); /* Image/DCStart */
    assert_int_equal(w.by_group_opcode_version[20][4][3], 2145); /* Image/DCEnd */
    assert_int_equal(w.by_group_opcode_version[20][33][2], 1);   /* Image/KernelBase */
    assert_int_equal(w.by_group_opcode_version[20][34][2], 1);   /* Image/HypercallPage */
    assert_int_equal(w.by_group_opcode_version[5][1][3], 350);   /* Thread/Start */
    assert_int_equal(w.by_group_opcode_version[5][2][3], 1032);  /* Thread/End */
    assert_int_equal(w.by_group_opcode_version[5][3][3], 1175);  /* Thread/DCStart */
    assert_int_equal(w.by_group_opcode_version[5][4][3], 501);   /* Thread/DCEnd */
    assert_int_equal(c.by_opcode[10], 72);
    assert_int_equal(c.by_opcode[2], 4791);
    assert_int_equal(c.by_opcode[3], 6745);
    assert_int_equal(c.by_opcode[4], 2145);
    assert_int_equal(c.by_opcode[33] + c.by_opcode[34], 2);
    assert_int_equal(c.decoded_ok, 72 + 4791 + 6745 + 2145 + 2);
    assert_int_equal(c.es_dll, 1);
    g_free(data);
}

static void test_kernel_process_and_lxcore(void **state)
{
    (void)state;
    size_t len = 0;
    LOAD_OR_SKIP("Process.etl", len);
    walk_result w;
    assert_true(walk(data, len, &w, NULL, NULL));
    assert_int_equal(w.events, 10344);
    assert_int_equal(w.by_header[ETL_HEADER_EVENT64], 10343);
    assert_int_equal(w.skipped + w.bad_buffers + w.unconverted + w.outside_trace, 0);
    g_free(data);

    uint8_t *lx = load_sample("lxcore_kernel.etl", &len);
    assert_non_null(lx);
    assert_true(walk(lx, len, &w, NULL, NULL));
    assert_int_equal(w.events, 4);
    assert_int_equal(w.by_header[ETL_HEADER_EVENT64], 2);
    /* Each TraceLogging event carries provider traits and its schema as extended data. */
    assert_int_equal(w.extended_items, 4);
    assert_int_equal(w.skipped + w.bad_buffers + w.unconverted, 0);
    g_free(lx);
}

/* --- crafted buffers ------------------------------------------------------------------------ */

typedef struct {
    uint8_t b[1024];
    size_t end;
} crafted;

static void crafted_init(crafted *c)
{
    memset(c->b, 0xff, sizeof c->b);
    memset(c->b, 0, ETL_BUFFER_HEADER_SIZE);
    c->end = ETL_BUFFER_HEADER_SIZE;
}

static uint8_t *crafted_add(crafted *c, size_t size)
{
    uint8_t *p = c->b + c->end;
    memset(p, 0, size);
    c->end += (size + 7) & ~(size_t)7;
    return p;
}

static void crafted_finish(crafted *c)
{
    ps_put_le32(c->b, sizeof c->b);
    ps_put_le32(c->b + 4, (uint32_t)c->end);
    ps_put_le32(c->b + 8, (uint32_t)c->end);
    ps_put_le32(c->b + 48, (uint32_t)c->end);
}

static void test_header_kinds(void **state)
{
    (void)state;
    crafted c;
    crafted_init(&c);
    /* perfinfo with a PEBS index and two PMC counters before its 4 bytes of data */
    uint8_t *p = crafted_add(&c, 16 + 8 + 16 + 4);
    ps_put_le16(p, 0x8000 | 0x0200 | 2);
    p[2] = ETL_HEADER_PERFINFO64, p[3] = 0xc0;
    ps_put_le16(p + 4, 16 + 8 + 16 + 4);
    p[6] = 46, p[7] = 0x0f;
    ps_put_le64(p + 8, 1234);
    memcpy(p + 40, "DATA", 4);
    /* a WPP message: sequence, GUID, time stamp, thread and process, then 3 bytes of arguments */
    p = crafted_add(&c, 8 + 4 + 16 + 8 + 8 + 3);
    ps_put_le16(p, 8 + 4 + 16 + 8 + 8 + 3);
    p[3] = 0x90;
    ps_put_le16(p + 4, 17);
    ps_put_le16(p + 6, 0x2b);
    memset(p + 12, 0xab, 16);
    ps_put_le64(p + 28, 5678);
    ps_put_le32(p + 36, 11);
    ps_put_le32(p + 40, 22);
    memcpy(p + 44, "arg", 3);
    /* an instance header (72 bytes) with 2 bytes of data */
    p = crafted_add(&c, 74);
    ps_put_le16(p, 74);
    p[2] = ETL_HEADER_INSTANCE64, p[3] = 0xc0;
    p[4] = 12;
    ps_put_le32(p + 12, 4242);
    memcpy(p + 72, "ok", 2);
    /* an event header with two extended items (8 + 8 and 8 + 3 bytes, padded), then 5 bytes */
    p = crafted_add(&c, 80 + 16 + 16 + 5);
    ps_put_le16(p, 80 + 16 + 16 + 5);
    p[2] = ETL_HEADER_EVENT32, p[3] = 0xc0;
    ps_put_le16(p + 4, 0x0001);
    ps_put_le16(p + 40, 1001);
    ps_put_le16(p + 80, 16), ps_put_le16(p + 82, 1), ps_put_le16(p + 84, 1), ps_put_le16(p + 86, 8);
    ps_put_le16(p + 96, 11), ps_put_le16(p + 98, 3), ps_put_le16(p + 100, 0), ps_put_le16(p + 102, 3);
    memcpy(p + 112, "hello", 5);
    crafted_finish(&c);

    etl_buffer_header bh;
    assert_true(etl_buffer_header_parse(c.b, sizeof c.b, &bh, NULL));
    assert_int_equal(bh.data_end, c.end);
    etl_event_iter it;
    etl_event ev;
    etl_event_iter_init(&it, c.b, bh.data_end);

    assert_int_equal(etl_event_iter_next(&it, &ev, NULL), ETL_NEXT_EVENT);
    assert_int_equal(ev.header_type, ETL_HEADER_PERFINFO64);
    assert_true(ev.classic && !ev.has_thread);
    assert_int_equal(ev.version, 2);
    assert_int_equal(ev.raw_time, 1234);
    assert_int_equal(ev.payload_len, 4);
    assert_memory_equal(ev.payload, "DATA", 4);

    assert_int_equal(etl_event_iter_next(&it, &ev, NULL), ETL_NEXT_EVENT);
    assert_int_equal(ev.header_type, ETL_HEADER_MESSAGE);
    assert_int_equal(ev.id, 17);
    assert_true(ev.has_time && ev.has_thread);
    assert_int_equal(ev.raw_time, 5678);
    assert_int_equal(ev.thread_id, 11);
    assert_int_equal(ev.process_id, 22);
    assert_int_equal(ev.guid[0], 0xab);
    assert_int_equal(ev.payload_len, 3);
    assert_memory_equal(ev.payload, "arg", 3);

    assert_int_equal(etl_event_iter_next(&it, &ev, NULL), ETL_NEXT_EVENT);
    assert_int_equal(ev.header_type, ETL_HEADER_INSTANCE64);
    assert_int_equal(ev.opcode, 12);
    assert_int_equal(ev.process_id, 4242);
    assert_int_equal(ev.payload_len, 2);
    assert_memory_equal(ev.payload, "ok", 2);

    assert_int_equal(etl_event_iter_next(&it, &ev, NULL), ETL_NEXT_EVENT);
    assert_int_equal(ev.header_type, ETL_HEADER_EVENT32);
    assert_int_equal(ev.id, 1001);
    assert_int_equal(ev.extended_items, 2);
    assert_true(ev.flags & ETW_FLAG_32_BIT_HEADER);
    assert_int_equal(ev.payload_len, 5);
    assert_memory_equal(ev.payload, "hello", 5);

    assert_int_equal(etl_event_iter_next(&it, &ev, NULL), ETL_NEXT_END);
}

static void test_damage_is_skipped_and_reported(void **state)
{
    (void)state;
    crafted c;
    crafted_init(&c);
    uint8_t *first = crafted_add(&c, 40);
    uint8_t *second = crafted_add(&c, 40);
    for (uint8_t *p = first; p <= second; p += second - first) {
        ps_put_le16(p, 2);
        p[2] = ETL_HEADER_SYSTEM64, p[3] = 0xc0;
        ps_put_le16(p + 4, 40);
        p[6] = 10, p[7] = 6;
    }
    ps_put_le16(first + 4, 4000); /* runs past the data */
    crafted_finish(&c);
    memcpy(c.b + c.end, "junk", 4); /* not filler after the end: outside the data, never read */

    etl_buffer_header bh;
    ps_problems why = {0};
    assert_true(etl_buffer_header_parse(c.b, sizeof c.b, &bh, &why));
    etl_event_iter it;
    etl_event ev;
    etl_event_iter_init(&it, c.b, bh.data_end);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_SKIPPED);
    assert_int_equal(ps_problems_count(&why), 1);
    assert_int_equal(ps_problems_first(&why)->offset, ETL_BUFFER_HEADER_SIZE);
    assert_int_equal(ps_problems_first(&why)->length, 40);
    assert_string_equal(ps_problems_first(&why)->message, "the event runs past the end of the buffer's data");
    ps_problems_clear(&why);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_EVENT);
    assert_int_equal(ev.offset, ETL_BUFFER_HEADER_SIZE + 40);
    assert_int_equal(ev.group, 6);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_END);

    /* Filler (0xFF or 0x00) ends the data; anything else there is reported. */
    crafted_init(&c);
    crafted_add(&c, 16);
    crafted_finish(&c);
    c.b[ETL_BUFFER_HEADER_SIZE + 9] = 0x42;
    etl_event_iter_init(&it, c.b, c.end);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_SKIPPED);
    assert_int_equal(ps_problems_first(&why)->offset, ETL_BUFFER_HEADER_SIZE);
    assert_int_equal(ps_problems_first(&why)->length, 16);
    ps_problems_clear(&why);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_END);

    /* Buffer headers that cannot be. */
    uint8_t head[ETL_BUFFER_HEADER_SIZE] = {0};
    assert_false(etl_buffer_header_parse(head, sizeof head - 1, &bh, &why));
    ps_problems_clear(&why);
    ps_put_le32(head, 4096);
    assert_false(etl_buffer_header_parse(head, sizeof head, &bh, &why)); /* no end of data */
    assert_string_equal(ps_problems_first(&why)->message, "no end of data inside the buffer");
    ps_problems_clear(&why);
    ps_put_le32(head, 4097);
    assert_false(etl_buffer_header_parse(head, sizeof head, &bh, &why));
    ps_problems_clear(&why);
    ps_put_le32(head, 4096);
    ps_put_le32(head + 8, 200);
    assert_true(etl_buffer_header_parse(head, sizeof head, &bh, &why));
    assert_int_equal(bh.data_end, sizeof head); /* clipped to what is at hand */
}

/* A long run of zeros (a decompressed buffer makes them cheaply) that stops short of the end is
 * no filler: skipped as one stretch, each byte looked at a bounded number of times (it was
 * quadratic: 16 MiB took hours; ctest's timeout catches a return of that). */
static void test_long_run_skipped_once(void **state)
{
    (void)state;
    const size_t size = 16u << 20;
    uint8_t *b = g_malloc0(size);
    ps_put_le32(b, (uint32_t)size);
    ps_put_le32(b + 8, (uint32_t)size); /* end of data */
    b[72] = 0x12, b[73] = 0x34, b[74] = 0x56, b[75] = 0x78; /* no event header */
    b[size - 1] = 1;
    etl_buffer_header bh;
    assert_true(etl_buffer_header_parse(b, size, &bh, NULL));
    etl_event_iter it;
    etl_event ev;
    ps_problems why = {0};
    etl_event_iter_init(&it, b, bh.data_end);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_SKIPPED);
    assert_int_equal(ps_problems_first(&why)->offset, ETL_BUFFER_HEADER_SIZE);
    assert_int_equal(ps_problems_first(&why)->length, size - ETL_BUFFER_HEADER_SIZE);
    assert_string_equal(ps_problems_first(&why)->message, "no event header here");
    ps_problems_clear(&why);
    assert_int_equal(etl_event_iter_next(&it, &ev, &why), ETL_NEXT_END);
    g_free(b);
}

static void test_clocks(void **state)
{
    (void)state;
    etl_trace_info info = {0};
    info.clock_type = ETL_CLOCK_QPC;
    info.clock_freq = 2994853;
    info.start_raw = 886892083256;
    info.start_time = UINT64_C(129846116328135944);
    uint64_t ft = 0;
    assert_true(etl_raw_to_filetime(&info, info.start_raw, &ft));
    assert_int_equal(ft, info.start_time);
    assert_true(etl_raw_to_filetime(&info, info.start_raw + 2994853, &ft)); /* one second later */
    assert_int_equal(ft, info.start_time + 10000000);
    assert_true(etl_raw_to_filetime(&info, info.start_raw - 2994853 * 2, &ft));
    assert_int_equal(ft, info.start_time - 20000000);
    assert_false(etl_raw_to_filetime(&info, 0, &ft) && ft > info.start_time);
    assert_false(etl_raw_to_filetime(&info, UINT64_MAX, &ft));
    info.clock_type = ETL_CLOCK_SYSTEM_TIME;
    assert_true(etl_raw_to_filetime(&info, 123, &ft));
    assert_int_equal(ft, 123);
    info.clock_type = ETL_CLOCK_CPU_CYCLES;
    info.clock_freq = UINT64_C(3066000000);
    assert_true(etl_raw_to_filetime(&info, info.start_raw + 3066000, &ft)); /* a millisecond */
    assert_int_equal(ft, info.start_time + 10000);
    /* 1844674407370 whole seconds of a 1 MHz clock are 9551615 ticks short of 2^64; 999999 more
     * microseconds would pass it: no time, rather than one wrapped round to 448374 ticks. */
    info.clock_type = ETL_CLOCK_QPC;
    info.clock_freq = 1000000;
    info.start_raw = 0;
    info.start_time = 0;
    assert_false(etl_raw_to_filetime(&info, UINT64_C(1844674407370) * 1000000 + 999999, &ft));
    assert_true(etl_raw_to_filetime(&info, UINT64_C(1844674407370) * 1000000 + 955161, &ft));
    assert_int_equal(ft, UINT64_C(18446744073709551610));
}

/* --- damaged copies ------------------------------------------------------------------------- */

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Truncated and bit-flipped copies: every walk ends, events and skips together cover the damage,
 * and the undamaged buffers still yield their events. */
static void test_damaged_copies(void **state)
{
    (void)state;
    const char *names[] = {"KernelNetwork.etl", "Process.etl", "ShutdownPerfDiagLogger.etl", "lxcore_kernel.etl"};
    uint32_t seed = 6;
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        size_t len = 0;
        uint8_t *orig = load_sample(names[k], &len);
        if (!orig) {
            print_message("SKIP: %s/etl/%s is absent\n", samples_dir, names[k]);
            continue;
        }
        walk_result clean;
        assert_true(walk(orig, len, &clean, NULL, NULL));
        for (int round = 0; round < 40; round++) {
            uint8_t *copy = g_memdup2(orig, len);
            size_t n = len;
            if (round % 2 == 0) {
                n = 1 + lcg(&seed) % (len - 1);
            } else {
                int flips = 1 + (int)(lcg(&seed) % 64);
                for (int f = 0; f < flips; f++)
                    copy[lcg(&seed) % len] ^= (uint8_t)(1u << (lcg(&seed) % 8));
            }
            uint8_t *exact = g_memdup2(copy, n); /* ASan sees any read past n */
            walk_result w;
            if (walk(exact, n, &w, NULL, NULL) && round % 2 == 0)
                assert_true(w.events <= clean.events);
            g_free(exact);
            g_free(copy);
        }
        g_free(orig);
    }
}

int main(int argc, char **argv)
{
    samples_dir = argc > 1 ? argv[1] : "../shared/samples";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_network),
        cmocka_unit_test(test_shutdown_process_events),
        cmocka_unit_test(test_kernel_class_mapping),
        cmocka_unit_test(test_shutdown_image_and_thread_events),
        cmocka_unit_test(test_kernel_process_and_lxcore),
        cmocka_unit_test(test_header_kinds),
        cmocka_unit_test(test_damage_is_skipped_and_reported),
        cmocka_unit_test(test_long_run_skipped_once),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_damaged_copies),
    };
    return cmocka_run_group_tests_name("etl_file", tests, NULL, NULL);
}
