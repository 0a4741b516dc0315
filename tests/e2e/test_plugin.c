/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tshark-level checks beyond field values: registration, display filters on the sample captures,
 * every ETW layout cut at every length, and a hostile JSON corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "tshark_harness.h"

static const char *events_capture;
static const char *truncations_capture;
static const char *json_capture;
static const char *fuzz_capture;
static const char *demo_capture;
static unsigned fuzz_records;

static void test_plugin_reports_version(void **state)
{
    (void)state;
    const char *args[] = {"-G", "plugins", NULL};
    char *out = tshark_ok(args);
    /* tshark pads the name column with spaces. */
    const char *row = strstr(out, "procshark.so");
    assert_non_null(row);
    assert_non_null(strstr(row, "\t" PROCSHARK_VERSION "\tdissector\t"));
    g_free(out);
}

static const char *const required_fields[] = {
    "proc.src", "proc.src.source", "proc.src.match", "proc.src.event_frame",
    "proc.dst", "proc.dst.source", "proc.dst.match", "proc.dst.event_frame",
    "proc.decided.count", "proc.decided.first", "proc.decided.last", "tracee_net.tcp.flags",
    "etwnet.provider", "etwnet.event", "etwnet.type", "etwnet.transport", "etwnet.pid", "etwnet.size",
    "etwnet.daddr", "etwnet.saddr", "etwnet.daddr6", "etwnet.saddr6", "etwnet.dport", "etwnet.sport",
    "etwnet.startime", "etwnet.endtime", "etwnet.seqnum", "etwnet.connid", "etwnet.mss", "etwnet.sackopt",
    "etwnet.tsopt", "etwnet.wsopt", "etwnet.rcvwin", "etwnet.rcvwinscale", "etwnet.sndwinscale",
    "etwnet.fail.proto", "etwnet.fail.code", "etwproc.event", "etwproc.pid", "etwproc.ppid",
    "etwproc.session", "etwproc.exit_status", "etwproc.key", "etwproc.flags", "etwproc.image",
    "etwproc.cmdline", "etwproc.package", "etwproc.appid", "etwproc.page_fault_count", "etwproc.handle_count",
    "etwproc.peak_virtual_size", "etwproc.private_page_count", "etwimage.event", "etwimage.base", "etwimage.size",
    "etwimage.pid", "etwimage.checksum", "etwimage.timestamp", "etwimage.signature_level", "etwimage.signature_type",
    "etwimage.default_base", "etwimage.file_name", "etwimage.hypercall_page",
    "etwpktmon.event", "etwpktmon.component",
    "etwpktmon.component_type", "etwpktmon.name", "etwpktmon.description", "etwpktmon.property",
    "etwpktmon.value", "etwpktmon.guid", "etwpktmon.ipv4", "etwpktmon.ipv6", "etwpktmon.bytes",
    "etwpktmon.string", "etwpktmon.ethertype", "etwpktmon.edge_name", "etwpktmon.edge",
    "etwpktmon.packets_out", "etwpktmon.bytes_out", "etwpktmon.drop_reason", "etwpktmon.drop_location",
    "tracee_net.timestamp", "tracee_net.event_name", "tracee_net.event_id", "tracee_net.pid", "tracee_net.tid",
    "tracee_net.ppid", "tracee_net.host_pid", "tracee_net.host_tid", "tracee_net.host_ppid", "tracee_net.uid",
    "tracee_net.process_name", "tracee_net.executable", "tracee_net.hostname", "tracee_net.cgroup_id",
    "tracee_net.mnt_ns", "tracee_net.pid_ns", "tracee_net.syscall", "tracee_net.container.id",
    "tracee_net.container.name", "tracee_net.container.image", "tracee_net.k8s.pod_name",
    "tracee_net.k8s.namespace", "tracee_net.k8s.pod_uid", "tracee_net.direction", "tracee_net.ip.src",
    "tracee_net.ip.dst", "tracee_net.ipv6.src", "tracee_net.ipv6.dst", "tracee_net.tcp.srcport",
    "tracee_net.tcp.dstport", "tracee_net.tcp.seq", "tracee_net.tcp.ack", "tracee_net.tcp.data_offset",
    "tracee_net.tcp.flags.fin", "tracee_net.tcp.flags.syn", "tracee_net.tcp.flags.rst", "tracee_net.tcp.flags.psh",
    "tracee_net.tcp.flags.ack", "tracee_net.tcp.flags.urg", "tracee_net.tcp.flags.ece", "tracee_net.tcp.flags.cwr",
    "tracee_net.tcp.flags.ns", "tracee_net.tcp.window", "tracee_net.tcp.checksum", "tracee_net.tcp.urgent",
    "tracee_net.flow.direction", "tracee_net.arg",
    "nettcpconn.local.ip", "nettcpconn.local.ipv6", "nettcpconn.local.port", "nettcpconn.remote.ip",
    "nettcpconn.remote.ipv6", "nettcpconn.remote.port", "nettcpconn.state", "nettcpconn.owning_process",
    "nettcpconn.creation_time", "nettcpconn.applied_setting", "nettcpconn.offload_state", "nettcpconn.transport",
};

static void test_every_field_registered(void **state)
{
    (void)state;
    const char *args[] = {"-G", "fields", NULL};
    char *out = tshark_ok(args);
    int missing = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(required_fields); i++) {
        char *needle = g_strdup_printf("\t%s\t", required_fields[i]);
        if (!strstr(out, needle)) {
            print_error("tshark -G fields does not list %s\n", required_fields[i]);
            missing++;
        }
        g_free(needle);
    }
    g_free(out);
    assert_int_equal(missing, 0);
}

/* The frame numbers a display filter selects, as "1,2,3". */
static char *frames_matching(const char *capture, const char *filter)
{
    const char *args[] = {"-r", capture, "-Y", filter, "-T", "fields", "-e", "frame.number", NULL};
    char *out = tshark_ok(args);
    g_strstrip(out);
    g_strdelimit(out, "\n", ',');
    return out;
}

static void assert_filter_on(const char *capture, const char *filter, const char *frames)
{
    char *got = frames_matching(capture, filter);
    if (strcmp(got, frames) != 0)
        print_error("filter %s: expected frames %s, got %s\n", filter, frames, got);
    assert_string_equal(got, frames);
    g_free(got);
}

static void assert_filter(const char *filter, const char *frames) { assert_filter_on(events_capture, filter, frames); }

static void test_display_filters(void **state)
{
    (void)state;
    assert_filter("etwproc.image == \"curl.exe\"", "53,55,68");
    assert_filter("etwnet.saddr6 == 2001:db8::a", "12");
    assert_filter("etwnet.pid == 2716 && etwnet.sport == 61740", "2");
    assert_filter("etwnet.transport == \"UDP\" && etwnet.event == \"UdpFail\"", "45,50");
    assert_filter("etwnet.fail.code == 3", "10");
    assert_filter("etwdata.data", "59");
    assert_filter("etwproc.exit_time", "57");
    assert_filter("etwimage.event == \"Load\"", "72,76,79,80");
    assert_filter("etwimage.pid == 5003 && etwimage.checksum == 0xc0de0003", "74");
    assert_filter("etwimage.file_name contains \"img2.dll\"", "73");
    assert_filter("etwimage.signature_level == 4", "75");
    assert_filter("etwimage.hypercall_page", "78");
    assert_filter("etwproc.handle_count == 200", "84,85");
    /* test_etl's check that the real traces hold no unknown Process or Image event */
    assert_filter("etwproc.unknown_event || etwproc.unknown_version || etwimage.unknown_event || "
                  "etwimage.unknown_version", "69,70,81,82,86");
}

static void test_json_display_filters(void **state)
{
    (void)state;
    assert_filter_on(json_capture, "tracee_net.process_name == \"curl\"", "1,2,3,7,9,10");
    assert_filter_on(json_capture, "tracee_net.tcp.flags.syn == 1", "1,2,29");
    assert_filter_on(json_capture, "tracee_net.direction == \"ingress\"", "2,6,10,12");
    assert_filter_on(json_capture, "tracee_net.ipv6.src == fd12:3456:789a::2", "4");
    assert_filter_on(json_capture, "tracee_net.container.image contains \"nginx\"", "1,2");
    assert_filter_on(json_capture, "tracee_net.arg contains \"shop.example\"", "7");
    assert_filter_on(json_capture, "nettcpconn.state == 5", "13,19");
    assert_filter_on(json_capture, "nettcpconn.local.ipv6 == 2001:db8::5 && nettcpconn.owning_process == 880", "14");
    assert_filter_on(json_capture, "tracee_net.bad_value || nettcpconn.bad_value", "29,31");
}

/* Every record of the hostile corpus dissects without an exception, a dissector bug or a
 * sanitizer report (in the sanitizer build). */
static void test_json_fuzz_corpus(void **state)
{
    (void)state;
    const char *args[] = {"-r", fuzz_capture, "-V", NULL};
    char *out = tshark_ok(args);
    unsigned frames = strncmp(out, "Frame ", 6) == 0;
    for (const char *p = out; (p = strstr(p, "\nFrame ")) != NULL; p++)
        frames++;
    g_free(out);
    if (frames != fuzz_records)
        print_error("%s: %u frames dissected, %u records written\n", fuzz_capture, frames, fuzz_records);
    assert_int_equal(frames, fuzz_records);
}

static void test_truncated_records_dissect_cleanly(void **state)
{
    (void)state;
    const char *args[] = {"-r", truncations_capture, "-V", NULL};
    g_free(tshark_ok(args));
}

#define EXPERT_ERROR "8388608"

static void test_truncated_records_each_report_an_error(void **state)
{
    (void)state;
    const char *args[] = {"-r", truncations_capture, "-T", "fields", "-E", "occurrence=a", "-E", "separator=/t",
                          "-e", "frame.number", "-e", "_ws.expert.severity", "-e", "_ws.expert.message", NULL};
    char *out = tshark_ok(args);
    char **rows = g_strsplit(out, "\n", -1);
    unsigned frames = 0, silent = 0;
    for (size_t i = 0; rows[i]; i++) {
        if (!rows[i][0])
            continue;
        frames++;
        char **cols = g_strsplit(rows[i], "\t", 3);
        if (!cols[1] || !strstr(cols[1], EXPERT_ERROR)) {
            if (silent++ < 10)
                print_error("frame %s has no expert error: %s\n", cols[0], cols[1] ? cols[2] : "");
        }
        g_strfreev(cols);
    }
    g_strfreev(rows);
    g_free(out);
    assert_true(frames >= 2000); /* every layout cut at every length */
    assert_int_equal(silent, 0);
}

/* The corpus's records: its lines but empty ones and '#' comments. */
static unsigned count_records(const char *path)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    unsigned n = 0;
    char **lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++)
        n += lines[i][0] != '\0' && lines[i][0] != '#';
    g_strfreev(lines);
    g_free(text);
    return n;
}

/* Each protocol's short name (the Protocol column) is its filter name in capitals. */
static void test_names_agree(void **state)
{
    (void)state;
    const char *args[] = {"-G", "protocols", NULL};
    char *out = tshark_ok(args);
    static const char *const ours[] = {"proc", "etwnet", "etwproc", "etwimage", "etwpktmon", "etwdata", "tracee_net",
                                       "nettcpconn"};
    for (size_t i = 0; i < G_N_ELEMENTS(ours); i++) {
        char *filter = g_strdup(ours[i]);
        char *upper = g_ascii_strup(filter, -1);
        /* name, short name, filter name, then (4.4 and later) whether it is enabled */
        char *row = g_strdup_printf("\t%s\t%s\n", upper, filter);
        char *row_then_more = g_strdup_printf("\t%s\t%s\t", upper, filter);
        const bool found = strstr(out, row) || strstr(out, row_then_more);
        if (!found)
            print_error("tshark -G protocols has no row with short name %s for %s\n", upper, filter);
        assert_true(found);
        g_free(row_then_more);
        g_free(row), g_free(upper), g_free(filter);
    }
    g_free(out);
}

/* The line of tshark's output holding `text`, or fails. */
static char *line_with(const char *out, const char *text)
{
    const char *at = strstr(out, text);
    if (!at)
        print_error("no line holds \"%s\"\n", text);
    assert_non_null(at);
    const char *start = at;
    while (start > out && start[-1] != '\n')
        start--;
    const char *end = strchr(at, '\n');
    return g_strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* Expert infos are filed under the protocol whose fields they concern, not under ETWDATA. */
static void test_experts_under_their_protocol(void **state)
{
    (void)state;
    const char *args[] = {"-q", "-r", events_capture, "-z", "expert", NULL};
    char *out = tshark_ok(args);
    char *net = line_with(out, "SendIPV4 payload of 200 bytes fits no layout");
    char *proc = line_with(out, "Process End version 4 payload of 133 bytes ends inside a field");
    char *image = line_with(out, "Image Load version 3 payload of 44 bytes ends inside a field");
    char *data = line_with(out, "is too short for the 96-byte ETW header");
    assert_non_null(strstr(net, " ETWNET "));
    assert_non_null(strstr(proc, " ETWPROC "));
    assert_non_null(strstr(image, " ETWIMAGE "));
    assert_non_null(strstr(data, " ETWDATA "));
    g_free(net), g_free(proc), g_free(image), g_free(data), g_free(out);
}

/* captures/loopback-demo.pcapng: frames 8 and 9 are tracee flow events that name the processes of
 * the 12 packets of frames 1 to 14 through their connection. */
static char *demo_fields(const char *filter, const char *const *fields)
{
    GPtrArray *args = g_ptr_array_new();
    const char *head[] = {"-2", "-r", demo_capture, "-Y", filter, "-T", "fields"};
    for (size_t i = 0; i < G_N_ELEMENTS(head); i++)
        g_ptr_array_add(args, (gpointer)head[i]);
    for (size_t i = 0; fields[i]; i++) {
        g_ptr_array_add(args, (gpointer)"-e");
        g_ptr_array_add(args, (gpointer)fields[i]);
    }
    g_ptr_array_add(args, NULL);
    char *out = g_strstrip(tshark_ok((const char *const *)args->pdata));
    g_ptr_array_free(args, TRUE);
    return out;
}

static void test_records_name_their_packets(void **state)
{
    (void)state;
    const char *record[] = {"_ws.col.Protocol", "_ws.col.Source", "_ws.col.Destination", "proc.decided.count",
                            "proc.decided.first", "proc.decided.last", "_ws.col.Info", NULL};
    char *out = demo_fields("frame.number == 8", record);
    assert_string_equal(out, "TRACEE_NET\t127.0.0.1\t127.0.0.1\t12\t1\t14\t"
                             "net_flow_tcp_begin ps-loop-server (21084) 127.0.0.1:45238 \xe2\x86\x92 127.0.0.1:55852 incoming");
    g_free(out);
    const char *packet[] = {"proc.match", "proc.src.match", "proc.src.source", "proc.src.event_frame",
                            "proc.dst.event_frame", "proc", NULL};
    out = demo_fields("frame.number == 3", packet);
    assert_string_equal(out, "connection,connection\tconnection\ttracee\t9\t8\tprocshark process attribution, "
                             "Src: ps-loop-client (21089), Dst: ps-loop-server (21084)");
    g_free(out);
    /* A filter idiom for exports: the records that name some packet's process. */
    const char *frame[] = {"frame.number", NULL};
    out = demo_fields("proc.decided.count", frame);
    assert_string_equal(out, "8\n9");
    g_free(out);
}

/* A record's Source and Destination: its addresses in the order of its Info line. */
static void assert_columns(const char *capture, unsigned frame, const char *want)
{
    char *filter = g_strdup_printf("frame.number == %u", frame);
    const char *args[] = {"-r", capture, "-Y", filter, "-T", "fields", "-e", "_ws.col.Source",
                          "-e", "_ws.col.Destination", NULL};
    char *out = g_strstrip(tshark_ok(args));
    if (strcmp(out, want) != 0)
        print_error("frame %u of %s: Source and Destination \"%s\", expected \"%s\"\n", frame, capture, out, want);
    assert_string_equal(out, want);
    g_free(out);
    g_free(filter);
}

static void test_record_columns(void **state)
{
    (void)state;
    assert_columns(events_capture, 1, "10.121.106.118\t157.56.244.38");   /* TCP send: local first */
    assert_columns(events_capture, 2, "157.56.244.38\t10.121.106.118");   /* TCP receive: remote first */
    assert_columns(json_capture, 2, "10.0.0.2\t10.0.0.1");                /* tracee: the packet's */
    assert_columns(json_capture, 13, "10.0.0.5\t93.184.216.34");          /* endpoint row: local first */
    assert_columns(json_capture, 14, "2001:db8::5\t::");
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: test_plugin ETW-EVENTS TRUNCATIONS JSON-RECORDS FUZZ-CAPTURE CORPUS.tsv DEMO\n");
        return 2;
    }
    events_capture = argv[1];
    truncations_capture = argv[2];
    json_capture = argv[3];
    fuzz_capture = argv[4];
    fuzz_records = count_records(argv[5]);
    demo_capture = argv[6];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugin_reports_version),
        cmocka_unit_test(test_every_field_registered),
        cmocka_unit_test(test_display_filters),
        cmocka_unit_test(test_json_display_filters),
        cmocka_unit_test(test_truncated_records_dissect_cleanly),
        cmocka_unit_test(test_truncated_records_each_report_an_error),
        cmocka_unit_test(test_json_fuzz_corpus),
        cmocka_unit_test(test_names_agree),
        cmocka_unit_test(test_experts_under_their_protocol),
        cmocka_unit_test(test_records_name_their_packets),
        cmocka_unit_test(test_record_columns),
    };
    return cmocka_run_group_tests_name("tshark plugin", tests, NULL, NULL);
}
