/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import --etl end to end: the real traces in ../shared/samples/etl (skipped where absent)
 * and a synthetic trace with NDIS packet captures (tests/gen/synth_etl.md), converted by the built
 * procshark-import and read back by tshark with the plugin. Expected values come from the traces'
 * documentation (docs/FORMATS.md, synth_etl.md) and, for the pktmon captures, from an independent
 * decoder's reading of them (docs/FORMATS.md, "pktmon packets"), not from the converter. */
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
static const char *etl_compress;
static const char *pktmon_kn_etl;
static const char *samples_dir;
static const char *fixtures_dir;

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

/* Converts one ETL file, expecting its exit status and each of the messages; the output's path. */
static char *convert_expect(const char *etl, const char *out_name, int want_code, const char *const *messages)
{
    run r;
    char *out = convert(etl, out_name, want_code, &r);
    for (const char *const *m = messages; *m; m++)
        expect_message(&r, *m);
    run_clear(&r);
    return out;
}
#define CONVERT(etl, out_name, code, ...) convert_expect(etl, out_name, code, (const char *const[]){__VA_ARGS__, NULL})

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
    char *out = CONVERT(process, "process.pcapng", 0, "10344 read, 10344 written, 0 rejected",
                        "182 buffers (0 compressed, 0 rejected), 10344 events: 10344 ETW records");
    GPtrArray *rows = FRAMES(out, "etw.provider_id");
    assert_int_equal(rows->len, 10344);
    /* Microsoft-Windows-Kernel-Process, as the header event's class aside. */
    assert_int_equal(count_value(rows, 0, "22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716"), 10343);
    g_ptr_array_free(rows, TRUE);
    g_free(out);
    g_free(process);

    char *lxcore = sample_path("lxcore_kernel.etl");
    out = CONVERT(lxcore, "lxcore.pcapng", 0, "4 read, 4 written, 0 rejected", "4 extended data items");
    g_free(out);
    g_free(lxcore);
}

/* Truncated and bit-flipped copies of a trace: a clear message for each loss, never a crash (the ASan
 * build runs this too), and every event read is written or reported. */
static void damage_rounds(const char *path, const char *label, uint32_t *seed)
{
    gsize len = 0;
    char *orig = read_file(path, &len);
    for (int round = 0; round < 6; round++) {
        *seed = *seed * 1664525u + 1013904223u;
        gsize n = len;
        char *copy = g_memdup2(orig, len);
        if (round % 2 == 0) {
            n = 100 + (*seed >> 8) % (len - 100);
        } else {
            for (int f = 0; f < 24; f++) {
                *seed = *seed * 1664525u + 1013904223u;
                copy[(*seed >> 4) % len] ^= (char)(1 << (*seed % 8));
            }
        }
        char *name = g_strdup_printf("damaged-%s-%d.etl", label, round);
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
}

static void test_damaged_copies(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(first, "KernelNetwork.etl");
    g_free(first);
    const char *names[] = {"KernelNetwork.etl", "Process.etl", "ShutdownPerfDiagLogger.etl", "lxcore_kernel.etl",
                           "pktmon/NeoChenjf-Finguard-PktMon.etl", "pktmon/ThomasGust-TritonPilot-PktMon.etl"};
    uint32_t seed = 2026;
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        char *path = sample_path(names[k]);
        char *base = g_path_get_basename(names[k]);
        damage_rounds(path, base, &seed);
        g_free(base);
        g_free(path);
    }
}


/* --- pktmon captures ---------------------------------------------------------------------------- */

/* ThomasGust-TritonPilot-PktMon.etl: one Ethernet adapter, 51 packets each seen once, no drop. */
static void test_pktmon_single_component(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(etl, "pktmon/ThomasGust-TritonPilot-PktMon.etl");
    run r;
    char *out = convert(etl, "pktmon-thomas.pcapng", 0, &r);
    expect_message(&r, "1075 read, 1075 written, 0 rejected");
    expect_message(&r, "8 buffers (7 compressed, 0 rejected), 1075 events: 1024 ETW records, 0 frames from 0 NDIS "
                       "packet fragments; 51 pktmon packet events: 51 frames (0 of them drops), 0 further appearances");
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "frame.interface_name", "frame.interface_description", "frame.protocols",
                             "frame.packet_flags_direction", "frame.comment", "frame.packet_id");
    assert_int_equal(rows->len, 1075);
    unsigned written = 0, mdns = 0, llmnr = 0, nbns = 0;
    for (guint i = 0; i < rows->len; i++) {
        if (strcmp(CELL(rows, i, 0), "rtucx22x64.sys") != 0)
            continue;
        written++;
        /* Named by its component description (event 20), which comes after the packets. */
        assert_true(g_str_has_prefix(CELL(rows, i, 1), "Realtek USB GbE Family Controller #3: pktmon component 137, "
                                                       "Ethernet, in "));
        assert_string_equal(CELL(rows, i, 3), "0x00000002"); /* DirTag 4, Tx */
        assert_non_null(strstr(CELL(rows, i, 4), "pktmon component 137 edge 1 Tx filter 0, packet 1 of group 0x"));
        assert_non_null(strstr(CELL(rows, i, 4), "; PID=4 TID="));
        mdns += strstr(CELL(rows, i, 2), ":udp:mdns") != NULL;
        llmnr += strstr(CELL(rows, i, 2), ":udp:llmnr") != NULL;
        nbns += strstr(CELL(rows, i, 2), ":udp:nbns") != NULL;
    }
    assert_int_equal(written, 51);
    assert_int_equal(mdns, 31);
    assert_int_equal(llmnr, 14);
    assert_int_equal(nbns, 6);
    /* The first packet's group id, the epb_packetid. */
    assert_int_equal(count_value(rows, 5, "1"), 1);
    g_ptr_array_free(rows, TRUE);
    /* The component's own events stay records, decoded: its description, properties and the
     * flow counter that counts the 51 packets (4256 bytes) it sent. */
    char *component = tshark_ok((const char *const[]){
        "-r", out, "-Y", "etwpktmon.component == 137", "-T", "fields", "-e", "etwpktmon.event", "-e",
        "etwpktmon.name", "-e", "etwpktmon.property", "-e", "etwpktmon.value", "-e", "etwpktmon.bytes", "-e",
        "etwpktmon.edge_name", "-e", "etwpktmon.packets_out", "-e", "etwpktmon.bytes_out", NULL});
    assert_string_equal(component, "Component\trtucx22x64.sys\t\t\t\t\t\t\n"
                                   "Property\t\t6\t\ta0:ce:c8:74:2f:4a\t\t\t\n"
                                   "Property\t\t5\t0\t\t\t\t\n"
                                   "Property\t\t1\t7\t\t\t\t\n"
                                   "Drop counters\t\t\t\t\t\t0\t0\n"
                                   "Flow counters\t\t\t\t\tLower\t51\t4256\n");
    g_free(component);
    char *switches = tshark_ok((const char *const[]){"-r", out, "-Y", "etwpktmon.property == 10", "-T", "fields",
                                                     "-e", "etwpktmon.string", NULL});
    assert_string_equal(switches, "Default Switch\nDefault Switch\n");
    g_free(switches);
    assert_no_expert_errors(out);
    g_free(out);

    /* From a pipe the file cannot be read twice: the component's description comes after its
     * packets, so the interface keeps the component's number for a name. */
    out = path_in("pktmon-thomas-pipe.pcapng");
    char *err = NULL;
    int status = 0;
    const char *argv[] = {"sh", "-c", "cat \"$2\" | exec \"$0\" --etl - -o \"$1\"", importer, out, etl, NULL};
    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, &err, &status, NULL));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(err, "1075 read, 1075 written, 0 rejected"));
    g_free(err);
    rows = FRAMES(out, "frame.interface_name");
    assert_int_equal(count_value(rows, 0, "pktmon component 137"), 51);
    g_ptr_array_free(rows, TRUE);
    g_free(out);
    g_free(etl);
}

static unsigned count_prefix(GPtrArray *rows, int col, const char *prefix)
{
    unsigned n = 0;
    for (guint i = 0; i < rows->len; i++)
        n += g_str_has_prefix(CELL(rows, i, col), prefix);
    return n;
}

/* NeoChenjf-Finguard-PktMon.etl: Wi-Fi, a packet seen by up to eight components, 28 drops. */
static void test_pktmon_stack_and_drops(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(etl, "pktmon/NeoChenjf-Finguard-PktMon.etl");
    run r;
    char *out = convert(etl, "pktmon-neo.pcapng", 0, &r);
    expect_message(&r, "1060 read, 1060 written, 0 rejected");
    expect_message(&r, "12 buffers (11 compressed, 0 rejected), 1400 events: 994 ETW records, 0 frames from 0 NDIS "
                       "packet fragments; 406 pktmon packet events: 66 frames (28 of them drops), 340 further "
                       "appearances of a packet folded into its first");
    run_clear(&r);
    GPtrArray *rows = FRAMES(out, "frame.interface_name", "frame.interface_description", "frame.protocols",
                             "frame.packet_flags_direction", "frame.comment", "frame.verdict.ebpf_xdp", "frame.len",
                             "frame.cap_len");
    assert_int_equal(rows->len, 1060);
    /* Sends are kept where they first appear, at the top of the stack (tcpip.sys, component 74,
     * Ethernet: 22 packets); receives at the adapter (component 12, 802.11: 16 packets). */
    unsigned sent = 0, received = 0, truncated = 0;
    for (guint i = 0; i < rows->len; i++) {
        if (CELL(rows, i, 5)[0] != '\0')
            continue;
        if (g_str_has_prefix(CELL(rows, i, 1), "TCPIP: pktmon component 74, Ethernet, in ")) {
            sent++;
            assert_string_equal(CELL(rows, i, 3), "0x00000002");
            assert_true(g_str_has_prefix(CELL(rows, i, 2), "eth:ethertype:ip:tcp"));
        } else if (g_str_has_prefix(CELL(rows, i, 1), "Realtek 8852BE Wireless LAN WiFi 6 PCI-E NIC: pktmon "
                                                      "component 12, Wi-Fi, in ")) {
            received++;
            assert_string_equal(CELL(rows, i, 3), "0x00000001");
            assert_true(g_str_has_prefix(CELL(rows, i, 2), "wlan:llc:"));
        }
        truncated += strcmp(CELL(rows, i, 6), "1466") == 0 && strcmp(CELL(rows, i, 7), "128") == 0;
    }
    assert_int_equal(sent, 22);
    assert_int_equal(received, 16);
    assert_int_equal(truncated, 16); /* logged with --pkt-size 128: the EPB keeps the original length */
    /* Every drop is written, with the eBPF XDP_DROP verdict and its reason and location. */
    assert_int_equal(count_value(rows, 5, "1"), 28);
    assert_int_equal(count_prefix(rows, 4, "dropped: "), 28);
    assert_int_equal(count_prefix(rows, 4, "dropped: INET_EndpointNotFound (1204) at location 0xE0004500; pktmon "
                                           "component 101 edge 0 Rx filter 0"), 6);
    assert_int_equal(count_prefix(rows, 4, "dropped: INET_EndpointNotFound (1204) at location 0xE0004704;"), 6);
    assert_int_equal(count_prefix(rows, 4, "dropped: NL_ArbitrationUnhandled (918) at location 0xE0004134;"), 6);
    assert_int_equal(count_prefix(rows, 4, "dropped: INET_Rst (1210) at location 0xE000450A;"), 6);
    assert_int_equal(count_prefix(rows, 4, "dropped: INET_Rst (1210) at location 0xE0004516;"), 1);
    assert_int_equal(count_prefix(rows, 4, "dropped: INET_DuplicateSegment (1217) at location 0xE0004513;"), 1);
    /* Marked Wi-Fi at the adapter, but Ethernet bytes: written as Ethernet. */
    assert_int_equal(count_prefix(rows, 4, "dropped: ProtocolNotBound (204) at location 0xE0001007; pktmon component "
                                           "12 edge 0 Rx"), 2);
    g_ptr_array_free(rows, TRUE);
    assert_no_expert_errors(out);
    g_free(out);

    /* Every appearance, with --all-appearances: one frame per packet event. */
    out = path_in("pktmon-neo-all.pcapng");
    r = IMPORT("--etl", etl, "--all-appearances", "-o", out);
    expect_code(&r, 0);
    expect_message(&r, "1400 read, 1400 written, 0 rejected");
    expect_message(&r, "406 pktmon packet events: 406 frames (28 of them drops), 0 further appearances");
    run_clear(&r);
    rows = FRAMES(out, "frame.interface_name", "frame.comment");
    assert_int_equal(count_prefix(rows, 1, "pktmon component 31 edge 2 Tx"), 22); /* nwifi.sys, its lower edge */
    assert_int_equal(count_value(rows, 0, "nwifi.sys"), 22 + 22 + 16 + 16);
    g_ptr_array_free(rows, TRUE);
    assert_no_expert_errors(out);
    g_free(out);
    g_free(etl);
}

/* pktmon with Kernel-Network on one clock (tests/gen/pktmon_kn_etl.md): every TCP packet of the
 * capture's connections to other hosts names its local process, with no clock offset. */
static void test_pktmon_with_kernel_network(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(pktmon, "pktmon/NeoChenjf-Finguard-PktMon.etl");
    SAMPLE_OR_SKIP(kn, "KernelNetwork.etl");
    char *etl = path_in("pktmon-kn.etl");
    char *err = NULL;
    int status = 0;
    const char *argv[] = {pktmon_kn_etl, pktmon, kn, etl, NULL};
    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
                             NULL));
    if (!g_spawn_check_wait_status(status, NULL))
        print_error("pktmon_kn_etl: %s\n", err);
    assert_true(g_spawn_check_wait_status(status, NULL));
    assert_non_null(strstr(err, "1428 events (28 Kernel-Network events made)"));
    g_free(err);
    run r;
    char *out = convert(etl, "pktmon-kn.pcapng", 0, &r);
    expect_message(&r, "1428 events: 1022 ETW records");
    expect_message(&r, "406 pktmon packet events: 66 frames (28 of them drops)");
    run_clear(&r);

    char *fields = tshark_ok((const char *const[]){
        "-2", "-r", out, "-Y", "tcp && ip.addr != 127.0.0.1", "-T", "fields", "-E", "separator=,", "-e",
        "tcp.srcport", "-e", "tcp.dstport", "-e", "proc.src.pid", "-e", "proc.dst.pid", "-e", "proc.match", "-e",
        "frame.comment", NULL});
    gchar **lines = g_strsplit(fields, "\n", -1);
    unsigned packets = 0, by_event = 0, header_pid_differs = 0;
    for (gchar **l = lines; *l && **l; l++) {
        gchar **f = g_strsplit(*l, ",", 6);
        const unsigned sport = (unsigned)atoi(f[0]), dport = (unsigned)atoi(f[1]);
        const bool out_dir = sport == 54899 || sport == 54416 || sport == 60031;
        const unsigned local = out_dir ? sport : dport;
        const char *owner = local == 54416 ? "11044" : "6380";
        /* The local end names its process; the remote end is another host's. */
        assert_string_equal(f[out_dir ? 2 : 3], owner);
        assert_string_equal(f[out_dir ? 3 : 2], "");
        by_event += g_str_has_prefix(f[4], "event");
        /* The header's PID is the thread that ran (26212 for the sends of 54416): shown, not used. */
        header_pid_differs += strstr(f[5], "PID=26212 ") != NULL && strcmp(owner, "26212") != 0;
        packets++;
        g_strfreev(f);
    }
    g_strfreev(lines);
    g_free(fields);
    assert_int_equal(packets, 36);
    assert_int_equal(by_event, 22);
    assert_true(header_pid_differs > 0);

    /* The refused loopback attempts (all pktmon drops): each SYN, at each of its three drop places,
     * names its client by the nearest connect or reconnect event; each RST names the client it
     * refuses by the connection; the listener-less port (6469, 28194, 8080) names none, as nothing
     * listened. 7890 to 63349, a connection older than the capture that no event describes, none. */
    fields = tshark_ok((const char *const[]){"-2", "-r", out, "-Y", "tcp && ip.addr == 127.0.0.1", "-T", "fields",
                                             "-E", "separator=,", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e",
                                             "tcp.flags", "-e", "proc.src.pid", "-e", "proc.dst.pid", "-e",
                                             "proc.src.match", "-e", "proc.dst.match", NULL});
    lines = g_strsplit(fields, "\n", -1);
    unsigned syns = 0, rsts = 0, unowned = 0;
    for (gchar **l = lines; *l && **l; l++) {
        gchar **f = g_strsplit(*l, ",", 7);
        const unsigned sport = (unsigned)atoi(f[0]), dport = (unsigned)atoi(f[1]);
        const bool syn = strcmp(f[2], "0x0002") == 0, rst = strcmp(f[2], "0x0014") == 0; /* SYN; RST+ACK */
        const unsigned client = syn ? sport : dport;
        const char *pid = client == 53165 ? "5312" : client == 53166 ? "14220" : "9744";
        if (syn || rst)
            assert_true(client == 53165 || client == 53166 || client == 53156 || client == 53167);
        assert_string_equal(f[3], syn ? pid : "");
        assert_string_equal(f[4], rst ? pid : "");
        assert_string_equal(f[5], syn ? "event" : "");
        assert_string_equal(f[6], rst ? "connection" : "");
        syns += syn;
        rsts += rst;
        unowned += !syn && !rst && sport == 7890 && dport == 63349;
        g_strfreev(f);
    }
    g_strfreev(lines);
    g_free(fields);
    assert_int_equal(syns, 18);
    assert_int_equal(rsts, 7);
    assert_int_equal(unowned, 1);

    /* The events made for them: a connect in the client's context, a reconnect per resent SYN. */
    fields = tshark_ok((const char *const[]){"-2", "-r", out, "-Y", "etwnet.event contains \"onnectIPV4\"", "-T",
                                             "fields", "-E", "separator=,", "-e", "etwnet.event", "-e",
                                             "etw.process_id", "-e", "etwnet.pid", "-e", "etwnet.sport", "-e",
                                             "etwnet.dport", "-e", "etwnet.mss", "-e", "etwnet.rcvwinscale", NULL});
    assert_string_equal(fields, "ConnectIPV4,5312,5312,53165,6469,65495,8\n"
                                "ConnectIPV4,9744,9744,53156,28194,65495,8\n"
                                "ReconnectIPV4,4,5312,53165,6469,,\n"
                                "ConnectIPV4,14220,14220,53166,8080,65495,8\n"
                                "ReconnectIPV4,4,5312,53165,6469,,\n"
                                "ConnectIPV4,9744,9744,53167,28194,65495,8\n");
    g_free(fields);

    /* One clock: the offset estimated from the exact matches is zero. */
    char *offset = tshark_ok((const char *const[]){"-2", "-r", out, "-Y", "proc.clock_offset", "-T", "fields", "-e",
                                                   "_ws.expert.message", NULL});
    assert_string_equal(offset, "Clock offset of +0.000000 s applied to this host's etw records, estimated from 6 "
                                "exact matches\n");
    g_free(offset);
    assert_no_expert_errors(out);
    g_free(out);
    g_free(etl);
    g_free(kn);
    g_free(pktmon);
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
    expect_message(&r, "3 buffers (0 compressed, 0 rejected), 16 events: 10 ETW records, 4 frames from 6 NDIS packet fragments");
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

/* The synthetic trace with buffer 2 (events from 25.001 ms) moved before buffer 1 (events up to
 * 25 ms) and put on processor 1. */
static char *two_processors(gsize *len)
{
    char *etl = synthetic_sample();
    char *orig = read_file(etl, len);
    assert_int_equal(*len, 3 * 4096);
    char *swapped = g_malloc(*len);
    memcpy(swapped, orig, 4096);
    memcpy(swapped + 4096, orig + 2 * 4096, 4096);
    memcpy(swapped + 2 * 4096, orig + 4096, 4096);
    swapped[4096 + 40] = 1; /* ProcessorNumber */
    g_free(orig);
    g_free(etl);
    return swapped;
}

/* Per-CPU buffers written out of time order: buffer 2 of the synthetic trace (events from 25.001 ms)
 * moved before buffer 1 (events up to 25 ms) and put on processor 1. The reader merges the
 * processors, so times come out in order and the SYN-ACK's two fragments (one in each buffer)
 * still make one frame. */
static void test_processors_merged(void **state)
{
    (void)state;
    gsize len = 0;
    char *swapped = two_processors(&len);
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
    assert_non_null(strstr(err, "3 buffers (0 compressed, 0 rejected), 16 events: 10 ETW records, 4 frames"));
    GPtrArray *rows = FRAMES(out, "frame.time_epoch");
    assert_int_equal(rows->len, 14);
    g_ptr_array_free(rows, TRUE);
    g_free(err);
    g_free(out);
    g_free(etl);
}

/* --- compressed traces --------------------------------------------------------------------- */

/* A compressed copy of an uncompressed trace, made by tests/gen/etl_compress.c; its path. */
static char *compressed_copy_of(const char *etl, const char *name, bool first_too)
{
    char *out = path_in(name);
    char *err = NULL;
    int status = 0;
    const char *plain[] = {etl_compress, etl, out, NULL}, *all[] = {etl_compress, "--all", etl, out, NULL};
    const char **argv = first_too ? all : plain;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        print_error("etl_compress failed: %s\n", err ? err : "");
        fail();
    }
    g_free(err);
    return out;
}

static char *compressed_copy(const char *etl, const char *name) { return compressed_copy_of(etl, name, false); }

/* procshark-import --etl - with the trace on a pipe; its exit status, and its messages in *err. */
static int convert_pipe(const char *etl, const char *out, char **err)
{
    int status = 0;
    const char *argv[] = {"sh", "-c", "cat \"$2\" | exec \"$0\" --etl - -o \"$1\"", importer, out, etl, NULL};
    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, err, &status, NULL));
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* The fields of every frame, one line each: what two conversions must agree on. */
static char *frame_fields(const char *capture)
{
    return tshark_ok((const char *const[]){"-r", capture, "-T", "fields", "-e", "frame.time_epoch", "-e",
                                           "frame.interface_id", "-e", "frame.len", "-e", "etw.provider_id", "-e",
                                           "etw.descriptor.id", "-e", "etw.descriptor.opcode", "-e", "etw.process_id",
                                           "-e", "etw.thread_id", "-e", "etw.user_data_length", "-e",
                                           "frame.comment", NULL});
}

static unsigned occurrences(const char *text, const char *what)
{
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static uint32_t le32_at(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return u[0] | u[1] << 8 | u[2] << 16 | (uint32_t)u[3] << 24;
}

/* The synthetic trace compressed: the same frames, records and messages as uncompressed, from a
 * file and from a pipe; a message's place is then in the buffer's decompressed bytes. */
static void test_compressed_synthetic(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    char *packed = compressed_copy(etl, "synthetic-compressed.etl");
    gsize len = 0;
    char *bytes = read_file(packed, &len);
    const uint32_t buffer2 = 4096 + le32_at(bytes + 4096);
    assert_int_equal(buffer2 + le32_at(bytes + buffer2), len); /* sizes chain to the end, byte for byte */
    g_free(bytes);

    char *plain_out = convert(etl, "synthetic-plain.pcapng", 1, NULL);
    run r;
    char *out = convert(packed, "synthetic-compressed.pcapng", 1, &r);
    /* Uncompressed, the orphan fragment is at byte 9288: 1096 into buffer 2. */
    char *where = g_strdup_printf("synthetic-compressed.etl: buffer 2 (compressed, at byte %" PRIu32 "), byte 1096 of "
                                  "its decompressed data: NDIS packet fragment on IfIndex 7 without the packet's first "
                                  "fragment", buffer2);
    expect_message(&r, where);
    expect_message(&r, "15 read, 14 written, 1 rejected");
    expect_message(&r, "3 buffers (2 compressed, 0 rejected), 16 events: 10 ETW records, 4 frames from 6 NDIS packet "
                       "fragments; 3 extended data items");
    run_clear(&r);
    char *want = frame_fields(plain_out), *got = frame_fields(out);
    assert_int_equal(occurrences(want, "\n"), 14);
    assert_string_equal(got, want);
    g_free(got);

    char *pipe_out = path_in("synthetic-compressed-pipe.pcapng");
    char *err = NULL;
    assert_int_equal(convert_pipe(packed, pipe_out, &err), 1);
    assert_non_null(strstr(err, "3 buffers (2 compressed, 0 rejected), 16 events"));
    assert_non_null(strstr(err, strchr(where, ':')));
    got = frame_fields(pipe_out);
    assert_string_equal(got, want);
    g_free(got);
    g_free(err);
    g_free(pipe_out);
    g_free(want);
    g_free(where);
    g_free(out);
    g_free(plain_out);
    g_free(packed);
    g_free(etl);
}

/* The logfile header's buffer compressed too (Windows leaves it plain; dissect.etl reads it): the
 * same frames, from a file recognised by its content and from a pipe. Damaged there, a message that
 * says so. */
static void test_compressed_first_buffer(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    char *packed = compressed_copy_of(etl, "synthetic-all-compressed.etl", true);
    char *plain_out = convert(etl, "synthetic-plain.pcapng", 1, NULL);
    char *out = path_in("synthetic-all-compressed.pcapng");
    run r = IMPORT(packed, "-o", out);
    expect_code(&r, 1);
    expect_message(&r, "3 buffers (3 compressed, 0 rejected), 16 events: 10 ETW records, 4 frames from 6 NDIS packet "
                       "fragments");
    run_clear(&r);
    char *want = frame_fields(plain_out), *got = frame_fields(out);
    assert_int_equal(occurrences(want, "\n"), 14);
    assert_string_equal(got, want);
    g_free(got);
    char *err = NULL;
    assert_int_equal(convert_pipe(packed, out, &err), 1);
    assert_non_null(strstr(err, "3 buffers (3 compressed, 0 rejected), 16 events"));
    got = frame_fields(out);
    assert_string_equal(got, want);
    g_free(got);
    g_free(err);

    /* Its first item made a match: nothing to refer back to, no header event. */
    gsize len = 0;
    char *bytes = read_file(packed, &len);
    bytes[72 + 3] |= (char)0x80;
    char *damaged = write_file("first-damaged.etl", bytes, (gssize)len);
    r = IMPORT("--etl", damaged, "-o", out);
    expect_code(&r, 2);
    expect_message(&r, "first-damaged.etl: not an ETL file: its first buffer is compressed, and it cannot be "
                       "decompressed: a back-reference before the start of the data");
    run_clear(&r);
    g_free(damaged);
    g_free(bytes);
    g_free(want);
    g_free(out);
    g_free(plain_out);
    g_free(packed);
    g_free(etl);
}

/* A real kernel trace (KernelNetwork.etl) compressed: all its 8,924 events, as uncompressed. */
static void test_compressed_kernel_network(void **state)
{
    (void)state;
    SAMPLE_OR_SKIP(etl, "KernelNetwork.etl");
    char *packed = compressed_copy(etl, "kernel-network-compressed.etl");
    char *plain_out = convert(etl, "kernel-network-plain.pcapng", 0, NULL);
    char *out = CONVERT(packed, "kernel-network-compressed.pcapng", 0, "8924 read, 8924 written, 0 rejected",
                        "129 buffers (128 compressed, 0 rejected), 8924 events: 8924 ETW records");
    char *want = frame_fields(plain_out), *got = frame_fields(out);
    assert_int_equal(occurrences(want, "\n"), 8924);
    assert_string_equal(got, want);
    g_free(got);
    g_free(want);
    g_free(out);
    g_free(plain_out);
    g_free(packed);
    g_free(etl);
}

/* Counts of a capture's rows whose columns equal the given values ("*": any). */
static unsigned count_rows(GPtrArray *rows, const char *a, const char *b)
{
    unsigned n = 0;
    for (guint i = 0; i < rows->len; i++)
        n += (strcmp(a, "*") == 0 || strcmp(CELL(rows, i, 0), a) == 0) &&
             (strcmp(b, "*") == 0 || strcmp(CELL(rows, i, 1), b) == 0);
    return n;
}

#define PKTMON_GUID "4d4f80d9-c8bd-4d73-bb5b-19c90402c5ac"

/* The real pktmon captures (compressed): every buffer walked and every event an ETW record or, for
 * pktmon's packet events (every appearance, with --all-appearances), a frame, with the counts and
 * fields dissect.etl (fox-it, an independent reader) gives for them. */
static void test_pktmon_compressed(void **state)
{
    (void)state;
    static const struct {
        const char *name, *summary;
        unsigned system, perfinfo, full, event_header, packets, drops;
        const char *first; /* the earliest event-header event, a packet: PID and TID, its bytes */
        const char *first_time;
    } traces[] = {
        {"NeoChenjf-Finguard-PktMon.etl", "12 buffers (11 compressed, 0 rejected), 1400 events: 994 ETW records", 3, 0,
         83, 1314 - 406, 378, 28, "PID=40656 TID=29948\t52\t1", "1769938589.491852700"},
        {"ThomasGust-TritonPilot-PktMon.etl", "8 buffers (7 compressed, 0 rejected), 1075 events: 1024 ETW records", 3,
         2, 91, 979 - 51, 51, 0, "PID=4 TID=25588\t81\t", "1781651672.376585700"},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(traces); k++) {
        char *name = g_build_filename("pktmon", traces[k].name, NULL);
        SAMPLE_OR_SKIP(etl, name);
        g_free(name);
        char *out = path_in("pktmon.pcapng");
        run r = IMPORT("--etl", etl, "--all-appearances", "-o", out);
        expect_code(&r, 0);
        expect_message(&r, traces[k].summary);
        run_clear(&r);
        GPtrArray *rows = FRAMES(out, "etw.header_type", "etw.provider_id", "frame.comment");
        const unsigned records = traces[k].system + traces[k].perfinfo + traces[k].full + traces[k].event_header;
        assert_int_equal(rows->len, records + traces[k].packets + traces[k].drops);
        assert_int_equal(count_rows(rows, "2", "*"), traces[k].system);
        assert_int_equal(count_rows(rows, "17", "*"), traces[k].perfinfo);
        assert_int_equal(count_rows(rows, "20", "*"), traces[k].full);
        assert_int_equal(count_rows(rows, "19", PKTMON_GUID), traces[k].event_header);
        unsigned packets = 0, drops = 0;
        for (guint i = 0; i < rows->len; i++) {
            packets += g_str_has_prefix(CELL(rows, i, 2), "pktmon component ");
            drops += g_str_has_prefix(CELL(rows, i, 2), "dropped: ");
        }
        assert_int_equal(packets, traces[k].packets);
        assert_int_equal(drops, traces[k].drops);
        g_ptr_array_free(rows, TRUE);
        char *filter = g_strdup_printf("frame.time_epoch == %s", traces[k].first_time);
        char *first = tshark_ok((const char *const[]){"-r", out, "-Y", filter, "-T", "fields", "-e", "frame.comment",
                                                      "-e", "frame.cap_len", "-e", "frame.verdict.ebpf_xdp", NULL});
        assert_non_null(strstr(first, traces[k].first));
        g_free(first);
        g_free(filter);
        g_free(out);
        g_free(etl);
    }
}

/* PerfView's relogged test trace, committed (tests/fixtures/etl/README.md): its TraceLogging event
 * with the payload PerfView's own test expects. */
static void test_perfview_fixture(void **state)
{
    (void)state;
    char *etl = g_build_filename(fixtures_dir, "SelfDescribingSingleEvent.etl", NULL);
    char *out = CONVERT(etl, "self-describing.pcapng", 0, "23 read, 23 written, 0 rejected",
                        "3 buffers (2 compressed, 0 rejected), 23 events: 23 ETW records");
    GPtrArray *rows = FRAMES(out, "etw.header_type", "etw.provider_id");
    assert_int_equal(rows->len, 23);
    assert_int_equal(count_rows(rows, "2", "*"), 4);
    assert_int_equal(count_rows(rows, "20", "*"), 18);
    assert_int_equal(count_rows(rows, "19", "a61ea624-4944-55fc-c2a8-37838829438d"), 1);
    g_ptr_array_free(rows, TRUE);
    /* "Hello", "World!" in UTF-16. */
    char *event = tshark_ok((const char *const[]){
        "-r", out, "-Y",
        "frame contains 48:00:65:00:6c:00:6c:00:6f:00:00:00:57:00:6f:00:72:00:6c:00:64:00:21:00:00:00", "-T", "fields",
        "-e", "etw.provider_id", "-e", "etw.descriptor.id", "-e", "etw.process_id", "-e", "etw.thread_id", "-e",
        "etw.time_stamp", NULL});
    assert_string_equal(event, "a61ea624-4944-55fc-c2a8-37838829438d\t3\t111592\t52284\t132949636365904094\n");
    g_free(event);
    g_free(out);
    g_free(etl);
}

/* A kernel event kind as procshark names it (class and opcode) and PerfView counts it. */
typedef struct {
    const char *group, *opcode;
    unsigned count;
} kernel_count;

typedef struct {
    const char *file, *summary;
    unsigned events;
    const kernel_count *counts;
    size_t n_counts;
    unsigned samples, idle_samples;
} perfview_trace;

/* PerfInfo/Sample events whose thread is 0 and that ran no DPC or interrupt: the idle thread's,
 * which PerfView's TraceLog leaves out of its counts ("Don't count process 0 (idle) unless they
 * are executing DPCs or ISRs"). Payload: a 64-bit instruction pointer, ThreadId, Count, flags. */
static unsigned idle_samples(const char *capture, unsigned *all)
{
    char *out = tshark_ok((const char *const[]){"-r", capture, "-Y",
                                               "etw.provider_name == \"PerfInfo\" && etw.descriptor.opcode == 46",
                                               "-T", "fields", "-e", "etwdata.data", NULL});
    gchar **lines = g_strsplit(out, "\n", -1);
    unsigned idle = 0;
    *all = 0;
    for (gchar **l = lines; *l && **l; l++) {
        assert_int_equal(strlen(*l), 32); /* 16 bytes */
        unsigned tid = 0, flags = 0;
        for (int i = 3; i >= 0; i--) {
            unsigned byte = 0;
            assert_int_equal(sscanf(*l + 16 + 2 * i, "%2x", &byte), 1);
            tid = tid << 8 | byte;
        }
        assert_int_equal(sscanf(*l + 28, "%2x", &flags), 1);
        idle += tid == 0 && (flags & 3) == 0;
        (*all)++;
    }
    g_strfreev(lines);
    g_free(out);
    return idle;
}

/* PerfView's compressed kernel traces (tests/fixtures/etl/README.md): the events of every kernel
 * kind that PerfView's own baseline counts (net.4.5.2.*.baseline.txt, "COUNT Windows Kernel/..."),
 * the total of events dissect.etl's, no expert info at all. */
static void test_perfview_kernel(void **state)
{
    (void)state;
    static const kernel_count x64[] = {
        {"TcpIp", "26", 240},       {"TcpIp", "27", 250},        {"UdpIp", "10", 1},           {"UdpIp", "11", 19},
        {"UdpIp", "26", 6},         {"UdpIp", "27", 10},         {"DiskIo", "10", 1208},       {"DiskIo", "11", 21},
        {"DiskIo", "12", 1208},     {"DiskIo", "13", 21},        {"DiskIo", "14", 2},          {"DiskIo", "15", 2},
        {"Image", "10", 35},        {"Image", "2", 32},          {"Image", "3", 1763},         {"Image", "4", 1766},
        {"Image", "33", 1},         {"Process", "1", 1},         {"Process", "2", 1},          {"Process", "3", 32},
        {"Process", "4", 32},       {"Process", "39", 2},        {"Process", "32", 1},         {"Process", "33", 32},
        {"Process", "10", 0},       {"Thread", "1", 9},          {"Thread", "2", 15},          {"PerfInfo", "73", 1},
        {"PerfInfo", "74", 1},      {"PageFault", "32", 153},    {"SystemConfig", "10", 1},    {"SystemConfig", "11", 1},
        {"SystemConfig", "12", 1},  {"SystemConfig", "13", 3},   {"SystemConfig", "15", 157},  {"SystemConfig", "16", 1},
        {"SystemConfig", "17", 1},  {"SystemConfig", "22", 78},  {"SystemConfig", "23", 2},    {"SystemConfig", "25", 1},
        {"EventTraceEvent", "0", 1}, {"EventTraceEvent", "5", 3}, {"EventTraceEvent", "8", 2}, {"EventTraceEvent", "32", 2},
    };
    static const kernel_count x86[] = {
        {"TcpIp", "10", 2},         {"TcpIp", "11", 1},          {"TcpIp", "13", 1},           {"TcpIp", "15", 1},
        {"TcpIp", "26", 232},       {"TcpIp", "27", 241},        {"UdpIp", "10", 16},          {"UdpIp", "11", 14},
        {"UdpIp", "26", 12},        {"UdpIp", "27", 6},          {"DiskIo", "10", 2339},       {"DiskIo", "11", 50},
        {"DiskIo", "12", 2339},     {"DiskIo", "13", 50},        {"DiskIo", "14", 4},          {"DiskIo", "15", 4},
        {"Image", "10", 57},        {"Image", "2", 47},          {"Image", "3", 1810},         {"Image", "4", 1820},
        {"Image", "33", 1},         {"Process", "1", 1},         {"Process", "2", 1},          {"Process", "3", 35},
        {"Process", "4", 35},       {"Process", "39", 2},        {"Process", "32", 1},         {"Process", "33", 35},
        {"Process", "10", 0},       {"Thread", "1", 16},         {"Thread", "2", 29},          {"PerfInfo", "73", 1},
        {"PerfInfo", "74", 1},      {"PageFault", "32", 394},    {"SystemConfig", "10", 1},    {"SystemConfig", "11", 1},
        {"SystemConfig", "12", 1},  {"SystemConfig", "13", 3},   {"SystemConfig", "15", 157},  {"SystemConfig", "16", 1},
        {"SystemConfig", "17", 1},  {"SystemConfig", "22", 78},  {"SystemConfig", "23", 2},    {"SystemConfig", "25", 1},
        {"EventTraceEvent", "0", 1}, {"EventTraceEvent", "5", 3}, {"EventTraceEvent", "8", 2}, {"EventTraceEvent", "32", 2},
    };
    static const perfview_trace traces[] = {
        {"net.4.5.2.x64.etl", "360 buffers (359 compressed, 0 rejected), 179474 events: 179474 ETW records", 179474, x64,
         G_N_ELEMENTS(x64), 79528, 73208},
        {"net.4.5.2.x86.etl", "276 buffers (275 compressed, 0 rejected), 168298 events: 168298 ETW records", 168298, x86,
         G_N_ELEMENTS(x86), 88809, 81999},
    };
    for (size_t t = 0; t < G_N_ELEMENTS(traces); t++) {
        const perfview_trace *pv = &traces[t];
        char *etl = g_build_filename(fixtures_dir, pv->file, NULL);
        char *read = g_strdup_printf("%u read, %u written, 0 rejected", pv->events, pv->events);
        char *out = CONVERT(etl, "perfview-kernel.pcapng", 0, read, pv->summary);
        GPtrArray *rows = FRAMES(out, "etw.provider_name", "etw.descriptor.opcode");
        assert_int_equal(rows->len, pv->events);
        for (size_t k = 0; k < pv->n_counts; k++) {
            const unsigned n = count_rows(rows, pv->counts[k].group, pv->counts[k].opcode);
            if (n != pv->counts[k].count)
                print_error("%s: %s opcode %s: %u events, PerfView counts %u\n", pv->file, pv->counts[k].group,
                            pv->counts[k].opcode, n, pv->counts[k].count);
            assert_int_equal(n, pv->counts[k].count);
        }
        g_ptr_array_free(rows, TRUE);
        /* PerfInfo/Sample: PerfView's count (6,320 and 6,810) is the samples of threads other than idle. */
        unsigned samples = 0;
        assert_int_equal(idle_samples(out, &samples), pv->idle_samples);
        assert_int_equal(samples, pv->samples);
        char *expert = tshark_ok((const char *const[]){"-r", out, "-q", "-z", "expert", NULL});
        assert_string_equal(expert, "");
        g_free(expert);
        g_free(out);
        g_free(read);
        g_free(etl);
    }
}

/* Problems go out in file order, though the merge reads the events of buffer 2 (processor 0, earlier
 * times) before the end of buffer 1 (processor 1): the last event of buffer 1 and the first of
 * buffer 2 made of an unknown kind. The same from a pipe. */
static void test_problems_in_file_order(void **state)
{
    (void)state;
    gsize len = 0;
    char *swapped = two_processors(&len);
    swapped[4096 + 1224 + 2] = 0x77;
    swapped[2 * 4096 + 72 + 2] = 0x77;
    char *in = write_file("two-cpus-damaged.etl", swapped, (gssize)len);
    char *out = path_in("two-cpus-damaged.pcapng");
    run r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 1);
    char *err_pipe = NULL;
    assert_int_equal(convert_pipe(in, out, &err_pipe), 1);
    for (int mode = 0; mode < 2; mode++) {
        const char *err = mode ? err_pipe : r.err;
        const char *fragment = strstr(err, ": buffer 1 at byte 5192: NDIS packet fragment on IfIndex 7 without");
        const char *first = strstr(err, ": buffer 1 at byte 5320: an event header of an unknown kind (152 bytes "
                                        "skipped, header kind 0x77)");
        const char *second = strstr(err, ": buffer 2 at byte 8264: an event header of an unknown kind (160 bytes "
                                         "skipped, header kind 0x77)");
        assert_non_null(fragment);
        assert_non_null(first);
        assert_non_null(second);
        assert_true(fragment < first && first < second);
        /* Read as it comes, the pipe meets the SYN-ACK's fragments in the other order: two more. */
        assert_int_equal(occurrences(err, ": buffer "), mode ? 5 : 3);
    }
    g_free(err_pipe);
    run_clear(&r);
    g_free(out);
    g_free(in);
    g_free(swapped);
}

/* Damaged compressed buffers: one message for each, in file order with its byte offset, the same
 * from a pipe; the summary counts them; random damage never crashes. */
static void test_damaged_compressed(void **state)
{
    (void)state;
    char *etl = synthetic_sample();
    char *packed = compressed_copy(etl, "damage-base.etl");
    gsize len = 0;
    char *bytes = read_file(packed, &len);
    const uint32_t size1 = le32_at(bytes + 4096), buffer2 = 4096 + size1, size2 = le32_at(bytes + buffer2);

    /* Buffer 1's first item made a match: nothing to refer back to. Buffer 2's size made 5. */
    char *copy = g_memdup2(bytes, len);
    copy[4096 + 72 + 3] |= (char)0x80;
    copy[buffer2] = 5;
    copy[buffer2 + 1] = copy[buffer2 + 2] = copy[buffer2 + 3] = 0;
    char *in = write_file("damage-both.etl", copy, (gssize)len);
    char *out = path_in("damage.pcapng");
    const char *first = ": buffer 1 at byte 4172: its compressed data cannot be decompressed past here: a "
                        "back-reference before the start of the data";
    char *second = g_strdup_printf(": buffer 2 at byte %" PRIu32 ": a compressed buffer whose size field says 5 bytes, "
                                   "which no buffer has: the buffers after it cannot be found, so the rest of the file "
                                   "is not read", buffer2);
    run r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 1);
    expect_message(&r, "3 read, 1 written, 2 rejected");
    expect_message(&r, "3 buffers (2 compressed, 2 rejected), 1 events: 1 ETW records");
    char *err_pipe = NULL;
    assert_int_equal(convert_pipe(in, out, &err_pipe), 1);
    for (int mode = 0; mode < 2; mode++) {
        const char *err = mode ? err_pipe : r.err;
        const char *a = strstr(err, first), *b = strstr(err, second);
        assert_non_null(a);
        assert_non_null(b);
        assert_true(a < b);
        assert_int_equal(occurrences(err, ": buffer "), 2);
        assert_non_null(strstr(a, "its events are lost"));
    }
    g_free(err_pipe);
    run_clear(&r);
    g_free(in);

    /* Buffer 2's saved offset, where its data end once decompressed, made 1 GiB. */
    memcpy(copy, bytes, len);
    copy[buffer2 + 7] = 0x40;
    in = write_file("damage-saved.etl", copy, (gssize)len);
    r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 1);
    char *saved = g_strdup_printf("damage-saved.etl: buffer 2 at byte %" PRIu32 ": a compressed buffer whose data would "
                                  "end at byte %" PRIu32 ", outside the trace's 4096-byte buffers: its events are not "
                                  "read", buffer2 + 4, le32_at(copy + buffer2 + 4));
    expect_message(&r, saved);
    expect_message(&r, "3 buffers (2 compressed, 1 rejected)");
    run_clear(&r);
    g_free(saved);
    g_free(in);

    /* The file cut 100 bytes into buffer 2: the events decompressed from them are read. */
    in = write_file("damage-cut.etl", bytes, buffer2 + 100);
    r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 1);
    char *cut = g_strdup_printf("damage-cut.etl: buffer 2 at byte %" PRIu32 ": the file ends inside this compressed "
                                "buffer (100 of %" PRIu32 " bytes; a truncated file?): the events before are read",
                                buffer2 + 100, size2);
    expect_message(&r, cut);
    expect_message(&r, "3 buffers (2 compressed, 0 rejected)");
    assert_int_equal(occurrences(r.err, "the file ends inside"), 1);
    run_clear(&r);
    g_free(cut);
    g_free(in);

    /* Decompression bombs: 15 bytes that claim 16 MiB each (a literal, then a match of the rest), in a
     * trace whose logfile header gives 16 MiB buffers. The first four fit in the reader's allowance
     * (64 MiB, plus 64 times the compressed bytes), the fifth and sixth are refused. */
    static const uint8_t bomb[15] = {0xff, 0xff, 0xff, 0x7f, 'a', 0x07, 0x00, 0x0f, 0xff, 0x00, 0x00, 0, 0, 0, 0};
    const uint32_t huge = 16u << 20, match = huge - 72 - 1 - 3;
    GByteArray *bombs = g_byte_array_new();
    g_byte_array_append(bombs, (const guint8 *)bytes, 4096);
    memcpy(bombs->data + 72 + 32, &huge, 4); /* the logfile header's BufferSize */
    for (int i = 0; i < 6; i++) {
        uint8_t head[72];
        memcpy(head, bytes + 4096, 72);
        const uint32_t size = 72 + sizeof bomb;
        memcpy(head, &size, 4);
        memcpy(head + 4, &huge, 4);
        g_byte_array_append(bombs, head, 72);
        g_byte_array_append(bombs, bomb, sizeof bomb - 4);
        g_byte_array_append(bombs, (const guint8 *)&match, 4);
    }
    in = write_file("bombs.etl", bombs->data, (gssize)bombs->len);
    r = IMPORT("--etl", in, "-o", out);
    expect_code(&r, 1);
    assert_int_equal(occurrences(r.err, "a decompression bomb? The trace's compressed data would grow past 64 times "
                                        "their size plus 64 MiB here: its events are not read"), 2);
    char *fifth = g_strdup_printf("bombs.etl: buffer 5 at byte %u: a decompression bomb?", 4096 + 4 * 87 + 72 + 5);
    expect_message(&r, fifth);
    expect_message(&r, "7 buffers (6 compressed, 2 rejected)");
    run_clear(&r);
    g_free(fifth);
    g_free(in);
    g_byte_array_free(bombs, TRUE);

    uint32_t seed = 17;
    damage_rounds(packed, "compressed", &seed);
    char *fixture = g_build_filename(fixtures_dir, "SelfDescribingSingleEvent.etl", NULL);
    damage_rounds(fixture, "perfview", &seed);
    g_free(fixture);
    g_free(second);
    g_free(out);
    g_free(copy);
    g_free(bytes);
    g_free(packed);
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
    if (argc != 7) {
        fprintf(stderr, "usage: test_etl PROCSHARK-IMPORT SYNTH-ETL ETL-COMPRESS SAMPLES-DIR FIXTURES-DIR "
                        "PKTMON-KN-ETL\n");
        return 2;
    }
    importer = argv[1];
    synth_etl = argv[2];
    etl_compress = argv[3];
    samples_dir = argv[4];
    fixtures_dir = argv[5];
    pktmon_kn_etl = argv[6];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_network),
        cmocka_unit_test(test_shutdown_process_events),
        cmocka_unit_test(test_kernel_classes_counted),
        cmocka_unit_test(test_every_event_accounted),
        cmocka_unit_test(test_damaged_copies),
        cmocka_unit_test(test_pktmon_single_component),
        cmocka_unit_test(test_pktmon_stack_and_drops),
        cmocka_unit_test(test_pktmon_with_kernel_network),
        cmocka_unit_test(test_ndis_frames),
        cmocka_unit_test(test_empty_ndis_packet),
        cmocka_unit_test(test_merged_with_packets),
        cmocka_unit_test(test_processors_merged),
        cmocka_unit_test(test_problems_in_file_order),
        cmocka_unit_test(test_standard_input),
        cmocka_unit_test(test_compressed_synthetic),
        cmocka_unit_test(test_compressed_first_buffer),
        cmocka_unit_test(test_compressed_kernel_network),
        cmocka_unit_test(test_pktmon_compressed),
        cmocka_unit_test(test_perfview_fixture),
        cmocka_unit_test(test_perfview_kernel),
        cmocka_unit_test(test_damaged_compressed),
        cmocka_unit_test(test_not_an_etl_file),
        cmocka_unit_test(test_recognised_without_option),
    };
    int failed = IMPORT_TESTS_RUN("procshark-import --etl", tests, "procshark-etl-XXXXXX", 0700);
    return failed;
}
