/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import --etl end to end: the real traces in ../shared/samples/etl (skipped where absent)
 * and a synthetic trace with NDIS packet captures (tests/gen/synth_etl.md), converted by the built
 * procshark-import and read back by tshark with the plugin. Expected values come from the traces'
 * documentation (docs/FORMATS.md, synth_etl.md), not from the converter. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <glib.h>

#include "import_harness.h"
#include "tshark_harness.h"

static const char *synth_etl;
static const char *samples_dir;

static char *sample_path(const char *name)
{
    return g_build_filename(samples_dir, "etl", name, NULL);
}

#define SAMPLE_OR_SKIP(var, name)                                                                                \
    char *var = sample_path(name);                                                                               \
    if (!exists(var)) {                                                                                          \
        print_message("SKIP: %s is absent\n", var);                                                            \
        g_free(var);                                                                                             \
        skip();                                                                                                  \
    }

/* Converts one ETL file; the output's path (g_free it). */
static char *convert(const char *etl, const char *out_name, int want_code, run *kept)
{
    char *out = path_in(out_name);
    run r = IMPORT("--etl", etl, "-o", out);
    expect_code(&r, want_code);
    if (kept)
        *kept = r;
    else
        run_clear(&r);
    return out;
}

/* tshark's expert errors in a capture: none expected from any converted trace. */
static void assert_no_expert_errors(const char *capture)
{
    char *out = tshark_ok((const char *const[]){"-r", capture, "-q", "-z", "expert,error", NULL});
    if (strstr(out, "Errors ("))
        print_error("expert errors in %s:\n%.4000s\n", capture, out);
    assert_null(strstr(out, "Errors ("));
    g_free(out);
}

static unsigned count_value(GPtrArray *rows, int col, const char *value)
{
    unsigned n = 0;
    for (guint i = 0; i < rows->len; i++)
        n += strcmp(CELL(rows, i, col), value) == 0;
    return n;
}

/* --- real traces ---------------------------------------------------------------------------- */

static void test_kernel_network(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(etl, "KernelNetwork.etl");
    run r;
    char *out = convert(etl, "kernel-network.pcapng", 0, &r);
    expect_message(&r, "8924 read, 8924 written, 0 rejected");
    run_clear(&r);

    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "etw.provider_id", "etw.descriptor.id", "etwnet.event");
    assert_int_equal(rows->len, 8924);
    /* The logfile header comes first, at the trace's start time (2012-06-19 20:33:52.8135944 UTC). */
    assert_cell(rows, 0, 0, "1340138032.813594400", "start time");
    assert_cell(rows, 0, 1, "68fdd900-4a3e-11d1-84f4-0000f80464e3", "header class");
    assert_times_nondecreasing(rows, 0);
    /* ...and nothing after the trace's end time, 2012-06-19 20:34:35.528037200 UTC. */
    assert_true(strcmp(CELL(rows, rows->len - 1, 0), "1340138075.528037200") <= 0);
    const struct {
        const char *id;
        unsigned count;
    } want[] = {{"11", 7968}, {"10", 575}, {"43", 149}, {"27", 134}, {"59", 61}, {"26", 26}, {"42", 8}, {"29", 2}};
    unsigned decoded = 0;
    for (guint i = 0; i < rows->len; i++)
        decoded += CELL(rows, i, 3)[0] != '\0';
    assert_int_equal(decoded, 8923);
    for (size_t k = 0; k < G_N_ELEMENTS(want); k++)
        assert_int_equal(count_value(rows, 2, want[k].id), want[k].count);
    g_ptr_array_free(rows, TRUE);

    /* The two payloads docs/FORMATS.md quotes, decoded. */
    char *send = tshark_ok((const char *const[]){
        "-r", out, "-Y", "etw.descriptor.id == 10 && etwnet.startime == 2961392 && etwnet.endtime == 2961393", "-T",
        "fields", "-e", "etwnet.pid", "-e", "etwnet.size", "-e", "etwnet.daddr", "-e", "etwnet.dport", "-e",
        "etwnet.saddr", "-e", "etwnet.sport", NULL});
    assert_non_null(strstr(send, "2716\t77\t157.56.244.38\t443\t10.121.106.118\t61739\n"));
    g_free(send);
    char *recv = tshark_ok((const char *const[]){"-r", out, "-Y", "etw.descriptor.id == 11 && etwnet.size == 4101 && etwnet.sport == 61740",
                                                 "-T", "fields", "-e", "etwnet.pid", "-e", "etwnet.daddr", NULL});
    assert_non_null(strstr(recv, "2716\t157.56.244.38\n"));
    g_free(recv);
    assert_no_expert_errors(out);
    g_free(out);
    g_free(etl);
}

static void test_shutdown_process_events(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(etl, "ShutdownPerfDiagLogger.etl");
    run r;
    char *out = convert(etl, "shutdown.pcapng", 0, &r);
    expect_message(&r, "17078 read, 17078 written, 0 rejected");
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "etw.descriptor.opcode", "etw.descriptor.version", "etwproc.pid", "etwproc.image",
                             "etwproc.cmdline", "etwproc.event");
    const struct {
        const char *opcode, *version, *event;
        unsigned count;
    } want[] = {{"3", "4", "DCStart", 94}, {"2", "4", "End", 60}, {"4", "4", "DCEnd", 37}, {"39", "5", "Defunct", 5}};
    for (size_t k = 0; k < G_N_ELEMENTS(want); k++) {
        unsigned n = 0, named = 0, with_cmdline = 0;
        for (guint i = 0; i < rows->len; i++) {
            if (strcmp(CELL(rows, i, 5), want[k].event) != 0)
                continue;
            assert_string_equal(CELL(rows, i, 0), want[k].opcode);
            assert_string_equal(CELL(rows, i, 1), want[k].version);
            n++;
            named += CELL(rows, i, 3)[0] != '\0';
            with_cmdline += CELL(rows, i, 4)[0] != '\0';
        }
        assert_int_equal(n, want[k].count);
        assert_int_equal(named, want[k].count);
        if (k == 0) /* all but Idle, System, Registry and MemCompression, which have no command line */
            assert_int_equal(with_cmdline, want[k].count - 4);
    }
    bool lsass = false;
    for (guint i = 0; i < rows->len; i++)
        lsass |= strcmp(CELL(rows, i, 2), "644") == 0 && strcmp(CELL(rows, i, 3), "lsass.exe") == 0 &&
                 strcmp(CELL(rows, i, 4), "C:\\Windows\\system32\\lsass.exe") == 0;
    assert_true(lsass);
    g_ptr_array_free(rows, TRUE);
    assert_no_expert_errors(out);
    g_free(out);
    g_free(etl);
}

/* Records of one class and opcode: their count, the Protocol column and event name they show. */
typedef struct {
    const char *provider, *opcode, *protocol, *event;
    unsigned count;
} class_count;

#define IMAGE_CLASS "2cb15d1d-5fc1-11d2-abe1-00a0c911f518"
#define PROCESS_CLASS "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"
#define THREAD_CLASS "3d6fa8d1-fe05-11d0-9dda-00c04fd7ba7c"
/* test_plugin shows that it selects the sample capture's unknown events. */
#define UNKNOWN_FILTER "etwproc.unknown_event || etwproc.unknown_version || etwimage.unknown_event || etwimage.unknown_version"

/* The Image, Process and Thread records of each real trace, per opcode, equal the counts of two
 * independent readers of the .etl files, airbus-cert/etl-parser and fox-it/dissect.etl (which agree;
 * docs/FORMATS.md, "Image events"): Image Load (Process group, type 10) under Image, and no
 * Process or Image event called unknown. */
static void test_kernel_classes_counted(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(shutdown, "ShutdownPerfDiagLogger.etl");
    static const class_count want[] = {
        {IMAGE_CLASS, "10", "ETWIMAGE", "Load", 72},
        {IMAGE_CLASS, "2", "ETWIMAGE", "Unload", 4791},
        {IMAGE_CLASS, "3", "ETWIMAGE", "DCStart", 6745},
        {IMAGE_CLASS, "4", "ETWIMAGE", "DCEnd", 2145},
        {IMAGE_CLASS, "33", "ETWIMAGE", "KernelBase", 1},
        {IMAGE_CLASS, "34", "ETWIMAGE", "HypercallPage", 1},
        {PROCESS_CLASS, "2", "ETWPROC", "End", 60},
        {PROCESS_CLASS, "3", "ETWPROC", "DCStart", 94},
        {PROCESS_CLASS, "4", "ETWPROC", "DCEnd", 37},
        {PROCESS_CLASS, "11", "ETWPROC", "Terminate", 60},
        {PROCESS_CLASS, "39", "ETWPROC", "Defunct", 5},
        {THREAD_CLASS, "1", "ETWDATA", "", 350},
        {THREAD_CLASS, "2", "ETWDATA", "", 1032},
        {THREAD_CLASS, "3", "ETWDATA", "", 1175},
        {THREAD_CLASS, "4", "ETWDATA", "", 501},
    };
    const char *names[] = {"ShutdownPerfDiagLogger.etl", "KernelNetwork.etl", "Process.etl", "lxcore_kernel.etl"};
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        char *etl = sample_path(names[k]);
        char *out = convert(etl, "classes.pcapng", 0, NULL);
        GPtrArray *rows = FRAMES(out, "etw.provider_id", "etw.descriptor.opcode", "_ws.col.Protocol", "etwimage.event",
                                 "etwproc.event");
        unsigned counted = 0, in_classes = 0;
        for (size_t w = 0; w < G_N_ELEMENTS(want); w++) {
            unsigned n = 0;
            for (guint i = 0; i < rows->len; i++) {
                if (strcmp(CELL(rows, i, 0), want[w].provider) != 0 || strcmp(CELL(rows, i, 1), want[w].opcode) != 0)
                    continue;
                n++;
                assert_string_equal(CELL(rows, i, 2), want[w].protocol);
                const char *event = strcmp(want[w].provider, IMAGE_CLASS) == 0 ? CELL(rows, i, 3) : CELL(rows, i, 4);
                assert_string_equal(event, want[w].event);
            }
            const unsigned expected = k == 0 ? want[w].count : 0; /* the other traces hold none */
            if (n != expected)
                print_error("%s: %s opcode %s: %u records, %u expected\n", names[k], want[w].provider, want[w].opcode,
                            n, expected);
            assert_int_equal(n, expected);
            counted += n;
        }
        for (guint i = 0; i < rows->len; i++) {
            const char *p = CELL(rows, i, 0);
            in_classes += strcmp(p, IMAGE_CLASS) == 0 || strcmp(p, PROCESS_CLASS) == 0 || strcmp(p, THREAD_CLASS) == 0;
        }
        assert_int_equal(in_classes, counted); /* no opcode of those classes left out of the table */
        g_ptr_array_free(rows, TRUE);
        char *unknown = tshark_ok((const char *const[]){"-r", out, "-Y", UNKNOWN_FILTER, NULL});
        assert_string_equal(unknown, "");
        g_free(unknown);
        g_free(out);
        g_free(etl);
    }

    /* The es.dll load of tests/unit/test_etw_decoders.c, as tshark shows it. */
    char *out = convert(shutdown, "classes.pcapng", 0, NULL);
    char *load = tshark_ok((const char *const[]){
        "-r", out, "-Y", "etwimage.event == \"Load\" && etwimage.pid == 520 && etwimage.base == 0x7ff989ec0000", "-T",
        "fields", "-e", "_ws.col.Info", "-e", "etwimage.size", "-e", "etwimage.checksum", "-e", "etwimage.default_base",
        "-e", "proc.record.pid", NULL});
    assert_string_equal(load, "Image load \\Device\\HarddiskVolume3\\Windows\\System32\\es.dll pid 520\t430080\t"
                              "0x0006ee95\t0x00007ff989ec0000\t520\n");
    g_free(load);
    g_free(out);
    g_free(shutdown);
}

static void test_every_event_accounted(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(process, "Process.etl");
    run r;
    char *out = convert(process, "process.pcapng", 0, &r);
    expect_message(&r, "10344 read, 10344 written, 0 rejected");
    expect_message(&r, "182 buffers, 10344 events: 10344 ETW records");
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "etw.provider_id");
    assert_int_equal(rows->len, 10344);
    /* Microsoft-Windows-Kernel-Process, as the header event's class aside. */
    assert_int_equal(count_value(rows, 0, "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716"), 10343);
    g_ptr_array_free(rows, TRUE);
    g_free(out);
    g_free(process);

    char *lxcore = sample_path("lxcore_kernel.etl");
    out = convert(lxcore, "lxcore.pcapng", 0, &r);
    expect_message(&r, "4 read, 4 written, 0 rejected");
    expect_message(&r, "4 extended data items");
    run_clear(&r);
    g_free(out);
    g_free(lxcore);
}

/* Truncated and bit-flipped copies: a clear message for each loss, never a crash (the ASan build
 * runs this too), and every event read is written or reported. */
static void test_damaged_copies(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(first, "KernelNetwork.etl");
    g_free(first);
    const char *names[] = {"KernelNetwork.etl", "Process.etl", "ShutdownPerfDiagLogger.etl", "lxcore_kernel.etl"};
    uint32_t seed = 2026;
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        char *path = sample_path(names[k]);
        gsize len = 0;
        char *orig = read_file(path, &len);
        for (int round = 0; round < 6; round++) {
            seed = seed * 1664525u + 1013904223u;
            gsize n = len;
            char *copy = g_memdup2(orig, len);
            if (round % 2 == 0) {
                n = 100 + (seed >> 8) % (len - 100);
            } else {
                for (int f = 0; f < 24; f++) {
                    seed = seed * 1664525u + 1013904223u;
                    copy[(seed >> 4) % len] ^= (char)(1 << (seed % 8));
                }
            }
            char *name = g_strdup_printf("damaged-%zu-%d.etl", k, round);
            char *in = write_file(name, copy, (gssize)n);
            char *out = path_in("damaged.pcapng");
            run r = IMPORT("--etl", in, "-o", out);
            if (r.code == 2) {
                /* Only a damaged first buffer makes it no ETL file at all. */
                expect_message(&r, "not an ETL file");
            } else {
                unsigned long long read = 0, written = 0, rejected = 0;
                const char *summary = strstr(r.err, "(etl): ");
                assert_non_null(summary);
                assert_int_equal(sscanf(summary, "(etl): %llu read, %llu written, %llu rejected", &read, &written, &rejected), 3);
                assert_int_equal(read, written + rejected);
                assert_int_equal(r.code, rejected ? 1 : 0);
                if (round % 2 == 0)
                    expect_message(&r, "a truncated file?");
                if (rejected)
                    expect_message(&r, ": buffer ");
            }
            run_clear(&r);
            g_free(in);
            g_free(out);
            g_free(name);
            g_free(copy);
        }
        g_free(orig);
        g_free(path);
    }
}

/* --- the synthetic trace: NDIS packet capture ------------------------------------------------ */

static char *synthetic_sample(void)
{
    char *etl = path_in("synthetic.etl");
    if (exists(etl))
        return etl;
    char *err = NULL;
    int status = 0;
    GError *error = NULL;
    const char *argv[] = {synth_etl, "sample", etl, NULL};
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error) ||
        !g_spawn_check_wait_status(status, NULL)) {
        print_error("synth_etl failed: %s\n", error ? error->message : err);
        fail();
    }
    g_free(err);
    return etl;
}

static void test_ndis_frames(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    run r;
    char *out = convert(etl, "synthetic.pcapng", 1, &r);
    /* (e): an end fragment without its start is reported, with its place in the file. */
    expect_message(&r, "synthetic.etl: buffer 2 at byte 9288: NDIS packet fragment on IfIndex 7 without the packet's "
                       "first fragment");
    expect_message(&r, "15 read, 14 written, 1 rejected");
    expect_message(&r, "3 buffers, 16 events: 10 ETW records, 4 frames from 6 NDIS packet fragments");
    expect_message(&r, "3 extended data items");
    run_clear(&r);

    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "frame.interface_name", "frame.protocols", "frame.len",
                             "frame.packet_flags_direction", "frame.comment", "tcp.flags.str", "wlan.fc.protected");
    assert_int_equal(rows->len, 14);
    assert_times_nondecreasing(rows, 0);
    unsigned frames_seen = 0;
    for (guint i = 0; i < rows->len; i++) {
        const char *iface = CELL(rows, i, 1);
        if (strcmp(iface, "synthetic.etl") == 0)
            continue;
        frames_seen++;
        const char *t = CELL(rows, i, 0);
        if (strcmp(t, "1705320000.010000000") == 0) { /* (a) the SYN, sent */
            assert_string_equal(iface, "eth:7");
            assert_string_equal(CELL(rows, i, 2), "eth:ethertype:ip:tcp");
            assert_string_equal(CELL(rows, i, 3), "58");
            assert_string_equal(CELL(rows, i, 4), "0x00000002");
            assert_string_equal(CELL(rows, i, 5), "PID=4242 TID=5555");
            assert_non_null(strstr(CELL(rows, i, 6), "S"));
        } else if (strcmp(t, "1705320000.025001000") == 0) { /* (b) the SYN-ACK from two fragments, received */
            assert_string_equal(iface, "eth:7");
            assert_string_equal(CELL(rows, i, 3), "58");
            assert_string_equal(CELL(rows, i, 4), "0x00000001");
            assert_non_null(strstr(CELL(rows, i, 6), "A"));
            assert_non_null(strstr(CELL(rows, i, 6), "S"));
        } else if (strcmp(t, "1705320000.030000000") == 0) { /* (c) raw IP on a mobile broadband link */
            assert_string_equal(iface, "mbb:12");
            assert_string_equal(CELL(rows, i, 2), "raw:ip:icmp:data");
            assert_string_equal(CELL(rows, i, 4), "0x00000002");
        } else if (strcmp(t, "1705320000.040001000") == 0) { /* (d) native 802.11, decrypted */
            assert_string_equal(iface, "wifi:20");
            assert_non_null(strstr(CELL(rows, i, 2), "wlan"));
            assert_string_equal(CELL(rows, i, 3), "72");
            assert_string_equal(CELL(rows, i, 7), "0");
        } else {
            print_error("an unexpected frame at %s on %s\n", t, iface);
            fail();
        }
    }
    assert_int_equal(frames_seen, 4);
    g_ptr_array_free(rows, TRUE);

    /* The records around them are decoded as usual, and the SYN is attributed to curl.exe. */
    char *syn = tshark_ok((const char *const[]){"-2", "-r", out, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0",
                                                "-T", "fields", "-e", "proc.src.pid", "-e", "proc.src.name", NULL});
    assert_string_equal(syn, "4242\tcurl.exe\n");
    g_free(syn);
    assert_no_expert_errors(out);
    g_free(out);
    g_free(etl);
}

/* A packet whose fragments hold no bytes at all is reported, not written as an empty frame. */
static void test_empty_ndis_packet(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    gsize len = 0;
    char *bytes = read_file(etl, &len);
    /* (a)'s prefix: MiniportIfIndex 7, LowerIfIndex 7, FragmentSize 58. */
    static const char prefix[] = {7, 0, 0, 0, 7, 0, 0, 0, 58, 0, 0, 0};
    char *at = memmem(bytes, len, prefix, sizeof prefix);
    assert_non_null(at);
    assert_null(memmem(at + 1, len - (gsize)(at + 1 - bytes), prefix, sizeof prefix));
    at[8] = 0;
    char *in = write_file("empty-packet.etl", bytes, (gssize)len);
    run r;
    char *out = convert(in, "empty-packet.pcapng", 1, &r);
    expect_message(&r, "empty-packet.etl: buffer 1 at byte ");
    expect_message(&r, ": NDIS packet on IfIndex 7 has no bytes");
    expect_message(&r, "15 read, 13 written, 2 rejected");
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "frame.interface_name");
    assert_int_equal(rows->len, 13);
    assert_int_equal(count_value(rows, 0, "eth:7"), 1);
    g_ptr_array_free(rows, TRUE);
    g_free(out);
    g_free(in);
    g_free(bytes);
    g_free(etl);
}

static void test_merged_with_packets(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    char *first = convert(etl, "first.pcapng", 1, NULL);
    /* The same trace's frames as a capture, shifted by 5 ms, merged with the trace. */
    char *out = path_in("merged.pcapng");
    run r = IMPORT("--etl", etl, "--packets", first, "--time-shift", "packets=0.005", "-o", out);
    expect_code(&r, 1);
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "frame.interface_name");
    assert_int_equal(rows->len, 28);
    assert_times_nondecreasing(rows, 0);
    assert_cell(rows, 0, 0, "1705320000.000000000", "the header event first");
    g_ptr_array_free(rows, TRUE);
    g_free(out);
    g_free(first);
    g_free(etl);
}

/* Per-CPU buffers written out of time order: buffer 2 of the synthetic trace (events from 25.001 ms)
 * moved before buffer 1 (events up to 25 ms) and put on processor 1. The reader merges the
 * processors, so times come out in order and the SYN-ACK's two fragments (one in each buffer)
 * still make one frame. */
static void test_processors_merged(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    gsize len = 0;
    char *orig = read_file(etl, &len);
    assert_int_equal(len, 3 * 4096);
    char *swapped = g_malloc(len);
    memcpy(swapped, orig, 4096);
    memcpy(swapped + 4096, orig + 2 * 4096, 4096);
    memcpy(swapped + 2 * 4096, orig + 4096, 4096);
    swapped[4096 + 40] = 1; /* ProcessorNumber */
    char *in = write_file("two-cpus.etl", swapped, (gssize)len);
    char *out = path_in("two-cpus.pcapng");
    run r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 1);
    expect_message(&r, "two-cpus.etl: buffer 1 at byte 5192: NDIS packet fragment on IfIndex 7 without the packet's "
                       "first fragment");
    expect_message(&r, "16 events: 10 ETW records, 4 frames from 6 NDIS packet fragments");
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "frame.len", "frame.interface_name");
    assert_int_equal(rows->len, 14);
    assert_times_nondecreasing(rows, 0);
    bool syn_ack = false;
    for (guint i = 0; i < rows->len; i++)
        syn_ack |= strcmp(CELL(rows, i, 0), "1705320000.025001000") == 0 && strcmp(CELL(rows, i, 1), "58") == 0;
    assert_true(syn_ack);
    g_ptr_array_free(rows, TRUE);
    g_free(out);
    g_free(in);
    g_free(swapped);
    g_free(orig);
    g_free(etl);
}

/* From a pipe the trace is read in file order, as it comes. */
static void test_standard_input(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    char *out = path_in("stdin.pcapng");
    char *err = NULL;
    int status = 0;
    const char *argv[] = {"sh", "-c", "cat \"$2\" | exec \"$0\" --etl - -o \"$1\"", importer, out, etl, NULL};
    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, &err, &status, NULL));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_non_null(strstr(err, "(standard input): buffer 2 at byte 9288: NDIS packet fragment"));
    assert_non_null(strstr(err, "3 buffers, 16 events: 10 ETW records, 4 frames"));
    GPtrArray *rows = FRAMES(out, "frame.time_epoch");
    assert_int_equal(rows->len, 14);
    g_ptr_array_free(rows, TRUE);
    g_free(err);
    g_free(out);
    g_free(etl);
}

static void test_not_an_etl_file(void **state)
{
    (void)state;
    char *in = write_file("text.etl", "this is not a trace\n", -1);
    char *out = path_in("never.pcapng");
    run r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 2);
    expect_message(&r, "text.etl: not an ETL file");
    assert_false(exists(out));
    run_clear(&r);
    g_free(in);
    g_free(out);
}

static void test_recognised_without_option(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    char *out = path_in("recognised.pcapng");
    run r = IMPORT(etl, "-o", out);
    expect_code(&r, 1);
    expect_message(&r, "synthetic.etl (etl): 15 read");
    run_clear(&r);
    g_free(out);
    g_free(etl);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_etl PROCSHARK-IMPORT SYNTH-ETL SAMPLES-DIR\n");
        return 2;
    }
    importer = argv[1];
    synth_etl = argv[2];
    samples_dir = argv[3];
    GError *error = NULL;
    dir = g_dir_make_tmp("procshark-etl-XXXXXX", &error);
    if (!dir) {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_network),
        cmocka_unit_test(test_shutdown_process_events),
        cmocka_unit_test(test_kernel_classes_counted),
        cmocka_unit_test(test_every_event_accounted),
        cmocka_unit_test(test_damaged_copies),
        cmocka_unit_test(test_ndis_frames),
        cmocka_unit_test(test_empty_ndis_packet),
        cmocka_unit_test(test_merged_with_packets),
        cmocka_unit_test(test_processors_merged),
        cmocka_unit_test(test_standard_input),
        cmocka_unit_test(test_not_an_etl_file),
        cmocka_unit_test(test_recognised_without_option),
    };
    int failed = cmocka_run_group_tests_name("procshark-import --etl", tests, NULL, NULL);
    if (!g_getenv("PROCSHARK_KEEP_TMP"))
        remove_tree(dir);
    else
        fprintf(stderr, "kept %s\n", dir);
    g_free(dir);
    return failed;
}
