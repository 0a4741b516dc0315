/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tshark -2 on a scenario capture whose ground truth is known: every TCP and UDP packet's
 * attribution, display filters on proc.name, DNS and UDP match kinds, etl2pcapng comments, the
 * statistics tree, the ek output, one-pass reading and exports.
 * test_attribution CAPTURE TRUTH.tsv (truth: frame, src_pid, src_name, dst_pid, dst_name, proto,
 * src_known, dst_known; "-" for an end that no record can name; proto "tcp", or "dns" for a UDP
 * datagram carrying DNS; known: how the scenario makes an end knowable, "records" of its own flow,
 * only its "socket"'s records with other peers, a "snapshot" row, only the etl2pcapng "comment" on
 * the packet, or "-"). */
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
#include <glib/gstdio.h>

#include "tshark_harness.h"

typedef struct {
    unsigned frame;
    char *want[4]; /* src pid, src name, dst pid, dst name; "" when unknowable */
    char *got[4];
    char *proto;    /* "tcp" or "dns" */
    char *known[2]; /* src, dst: "records", "socket", "snapshot", "comment" or "-" */
    bool seen;
} truth_row;

static const char *capture;
static GArray *truth; /* truth_row */

static truth_row *row_for(unsigned frame)
{
    for (guint i = 0; i < truth->len; i++)
        if (g_array_index(truth, truth_row, i).frame == frame)
            return &g_array_index(truth, truth_row, i);
    return NULL;
}

static void load_truth(const char *path)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    truth = g_array_new(FALSE, TRUE, sizeof(truth_row));
    char **lines = g_strsplit(text, "\n", -1);
    for (size_t i = 1; lines[i]; i++) { /* line 0 is the header */
        if (!lines[i][0])
            continue;
        char **cols = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(cols) != 8) {
            fprintf(stderr, "%s:%zu: expected 8 columns\n", path, i + 1);
            exit(2);
        }
        truth_row row = {(unsigned)atoi(cols[0]), {0}, {0}, g_strdup(cols[5]), {g_strdup(cols[6]), g_strdup(cols[7])},
                         false};
        for (int c = 0; c < 4; c++)
            row.want[c] = g_strdup(strcmp(cols[c + 1], "-") == 0 ? "" : cols[c + 1]);
        g_array_append_val(truth, row);
        g_strfreev(cols);
    }
    g_strfreev(lines);
    g_free(text);
}

/* One tshark -2 run for all packets, kept for the per-frame tests. */
static int read_attributions(void **state)
{
    (void)state;
    const char *args[] = {"-2", "-r", capture, "-Y", "tcp || udp", "-T", "fields", "-E", "separator=/t",
                          "-e", "frame.number", "-e", "proc.src.pid", "-e", "proc.src.name",
                          "-e", "proc.dst.pid", "-e", "proc.dst.name", NULL};
    tshark_result r = tshark_run(args);
    char *problems = tshark_problems(&r);
    if (problems) {
        fprintf(stderr, "%s\n", problems);
        g_free(problems);
        return -1;
    }
    char **lines = g_strsplit(r.out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        char **cols = g_strsplit(lines[i], "\t", 5);
        truth_row *row = g_strv_length(cols) == 5 ? row_for((unsigned)atoi(cols[0])) : NULL;
        if (row) {
            row->seen = true;
            for (int c = 0; c < 4; c++)
                row->got[c] = g_strdup(cols[c + 1]);
        }
        g_strfreev(cols);
    }
    g_strfreev(lines);
    tshark_result_clear(&r);
    return 0;
}

static void test_every_packet_matches_the_truth(void **state)
{
    (void)state;
    static const char *const columns[] = {"proc.src.pid", "proc.src.name", "proc.dst.pid", "proc.dst.name"};
    unsigned wrong = 0, unattributed = 0, known = 0;
    for (guint i = 0; i < truth->len; i++) {
        truth_row *row = &g_array_index(truth, truth_row, i);
        if (!row->seen) {
            print_error("frame %u: tshark shows no such TCP or UDP packet\n", row->frame);
            wrong++;
            continue;
        }
        for (int c = 0; c < 4; c++) {
            known += row->want[c][0] != '\0';
            if (strcmp(row->want[c], row->got[c]) != 0) {
                if (!row->got[c][0])
                    unattributed++;
                else
                    wrong++;
                if (wrong + unattributed <= 40)
                    print_error("frame %u: %s: truth \"%s\", tshark \"%s\"\n", row->frame, columns[c], row->want[c],
                                row->got[c]);
            }
        }
    }
    print_message("%u packets, %u known ends and names, %u wrong, %u missing\n", truth->len, known, wrong,
                  unattributed);
    assert_true(known > 0);
    assert_int_equal(wrong, 0);
    assert_int_equal(unattributed, 0);
}

/* The frames whose either end the truth names `name`. */
static char *truth_frames_named(const char *name)
{
    GString *frames = g_string_new(NULL);
    for (guint i = 0; i < truth->len; i++) {
        const truth_row *row = &g_array_index(truth, truth_row, i);
        if (strcmp(row->want[1], name) == 0 || strcmp(row->want[3], name) == 0)
            g_string_append_printf(frames, "%s%u", frames->len ? "," : "", row->frame);
    }
    return g_string_free(frames, FALSE);
}

/* The frames tshark -2 shows for a display filter, comma-separated. */
static char *tshark_frames(const char *filter)
{
    const char *args[] = {"-2", "-r", capture, "-Y", filter, "-T", "fields", "-e", "frame.number", NULL};
    char *out = tshark_ok(args);
    g_strstrip(out);
    g_strdelimit(out, "\n", ',');
    return out;
}

static void test_proc_name_filter_lists_exactly_its_packets(void **state)
{
    (void)state;
    GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < truth->len; i++) {
        const truth_row *row = &g_array_index(truth, truth_row, i);
        if (row->want[1][0])
            g_hash_table_add(names, row->want[1]);
        if (row->want[3][0])
            g_hash_table_add(names, row->want[3]);
    }
    GHashTableIter it;
    gpointer name;
    int mismatches = 0;
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &name, NULL)) {
        char *filter = g_strdup_printf("proc.name == \"%s\"", (const char *)name);
        char *out = tshark_frames(filter);
        char *want = truth_frames_named(name);
        if (strcmp(out, want) != 0) {
            print_error("%s: truth frames %s, tshark %s\n", filter, want, out);
            mismatches++;
        }
        g_free(want);
        g_free(out);
        g_free(filter);
    }
    assert_true(g_hash_table_size(names) >= 5);
    g_hash_table_destroy(names);
    assert_int_equal(mismatches, 0);
}

/* The frames whose truth row passes `wanted`, comma-separated, and how many. */
static char *truth_frames_where(bool (*wanted)(const truth_row *row), unsigned *count)
{
    GString *frames = g_string_new(NULL);
    *count = 0;
    for (guint i = 0; i < truth->len; i++) {
        const truth_row *row = &g_array_index(truth, truth_row, i);
        if (wanted(row)) {
            g_string_append_printf(frames, "%s%u", frames->len ? "," : "", row->frame);
            (*count)++;
        }
    }
    return g_string_free(frames, FALSE);
}

static bool is_udp(const truth_row *row) { return strcmp(row->proto, "tcp") != 0; }
static bool dns_from_curl(const truth_row *row)
{
    return strcmp(row->proto, "dns") == 0 && strcmp(row->want[1], "curl") == 0;
}
static bool udp_known_by(const truth_row *row, const char *how)
{
    return is_udp(row) && (strcmp(row->known[0], how) == 0 || strcmp(row->known[1], how) == 0);
}
static bool udp_socket_only(const truth_row *row) { return udp_known_by(row, "socket"); }
static bool udp_snapshot(const truth_row *row) { return udp_known_by(row, "snapshot"); }

/* Wireshark's dns dissector decodes the scenario's datagrams, and proc.src.name picks the queries
 * of host C's two curl processes (tracee: net_packet_dns over IPv4, net_packet_udp over IPv6). */
static void test_dns_queries_by_process(void **state)
{
    (void)state;
    unsigned count;
    char *want = truth_frames_where(dns_from_curl, &count);
    char *got = tshark_frames("dns && proc.src.name == \"curl\"");
    assert_int_equal(count, 4);
    assert_string_equal(got, want);
    g_free(want);
    g_free(got);
}

/* UDP's fallbacks: python.exe's datagrams with two resolvers no record names (scenario U5) and the
 * query unbound read on host G, whose procshark-record receive has no peer (GU2), are the only
 * "socket" matches; the ends only Get-NetUDPEndpoint rows name (host B's resolver) the only
 * "snapshot" ones. */
static void test_udp_match_kinds(void **state)
{
    (void)state;
    unsigned count;
    char *want = truth_frames_where(udp_socket_only, &count);
    char *got = tshark_frames("udp && proc.match == \"socket\"");
    assert_int_equal(count, 5);
    assert_string_equal(got, want);
    g_free(want);
    g_free(got);
    want = truth_frames_where(udp_snapshot, &count);
    got = tshark_frames("udp && proc.match == \"snapshot\"");
    assert_int_equal(count, 26);
    assert_string_equal(got, want);
    g_free(want);
    g_free(got);
}

static bool known_by_comment(const truth_row *row)
{
    return strcmp(row->known[0], "comment") == 0 || strcmp(row->known[1], "comment") == 0;
}

/* etl2pcapng's comments (host H): the ends only a comment names are the only "comment" matches
 * (ms-teams.exe's sent segments, Dnscache's query); where ETW events name the end too (Code.exe),
 * they win over the comments naming MsMpEng.exe's DPC, and no packet of the scenario shows a
 * disagreement. */
static void test_comment_matches(void **state)
{
    (void)state;
    unsigned count;
    char *want = truth_frames_where(known_by_comment, &count);
    char *got = tshark_frames("proc.match == \"comment\"");
    assert_int_equal(count, 9);
    assert_string_equal(got, want);
    g_free(want);
    g_free(got);
    char *dpc = tshark_frames("etl2pcapng.pid == 3672");
    char *named =
        tshark_frames("etl2pcapng.pid == 3672 && proc.dst.name == \"Code.exe\" && proc.dst.source == \"etw\"");
    assert_true(dpc[0] != '\0');
    assert_string_equal(named, dpc);
    g_free(dpc);
    g_free(named);
    char *disagreements = tshark_frames("proc.disagreement");
    assert_string_equal(disagreements, "");
    g_free(disagreements);
}

/* Statistics: packets per process, counted once per packet even when it owns both ends. */
static void test_traffic_by_process_statistics(void **state)
{
    (void)state;
    GHashTable *packets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < truth->len; i++) {
        const truth_row *row = &g_array_index(truth, truth_row, i);
        char *ends[2] = {NULL, NULL};
        if (row->want[0][0])
            ends[0] = g_strdup_printf("%s (%s)", row->want[1], row->want[0]);
        if (row->want[2][0])
            ends[1] = g_strdup_printf("%s (%s)", row->want[3], row->want[2]);
        if (ends[0] && ends[1] && strcmp(ends[0], ends[1]) == 0)
            g_clear_pointer(&ends[1], g_free);
        for (int e = 0; e < 2; e++) {
            if (!ends[e])
                continue;
            guint n = GPOINTER_TO_UINT(g_hash_table_lookup(packets, ends[e]));
            g_hash_table_insert(packets, ends[e], GUINT_TO_POINTER(n + 1));
        }
    }
    const char *args[] = {"-2", "-q", "-r", capture, "-z", "procshark,tree", NULL};
    char *out = tshark_ok(args);
    GHashTableIter it;
    gpointer key, value;
    int mismatches = 0;
    g_hash_table_iter_init(&it, packets);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        /* "\n name (pid)  N", first under "Packets by process" */
        char *line = g_strdup_printf("\n %s ", (const char *)key);
        char *at = strstr(out, line);
        unsigned got = at ? (unsigned)strtoul(at + strlen(line), NULL, 10) : 0;
        g_free(line);
        if (got != GPOINTER_TO_UINT(value)) {
            print_error("%s: truth %u packets, statistics %u\n", (const char *)key, GPOINTER_TO_UINT(value), got);
            mismatches++;
        }
    }
    assert_true(g_hash_table_size(packets) >= 5);
    g_free(out);
    g_hash_table_destroy(packets);
    assert_int_equal(mismatches, 0);
}

/* The ek output (Elasticsearch bulk format) carries the proc fields. */
static void test_ek_output_carries_proc_fields(void **state)
{
    (void)state;
    const truth_row *row = NULL;
    for (guint i = 0; i < truth->len && !row; i++)
        if (g_array_index(truth, truth_row, i).want[0][0])
            row = &g_array_index(truth, truth_row, i);
    assert_non_null(row);
    char *filter = g_strdup_printf("frame.number == %u", row->frame);
    const char *args[] = {"-2", "-r", capture, "-Y", filter, "-T", "ek", NULL};
    char *out = tshark_ok(args);
    char *pid = g_strdup_printf("\"proc_proc_src_pid\":\"%s\"", row->want[0]);
    char *name = g_strdup_printf("\"proc_proc_src_name\":\"%s\"", row->want[1]);
    if (!strstr(out, pid) || !strstr(out, name))
        print_error("ek output lacks %s or %s:\n%.2000s\n", pid, name, out);
    assert_non_null(strstr(out, "{\"index\":"));
    assert_non_null(strstr(out, pid));
    assert_non_null(strstr(out, name));
    g_free(pid);
    g_free(name);
    g_free(out);
    g_free(filter);
}

/* One pass: never a wrong process, and a note where a second pass would know more. A UDP flow
 * whose socket pair passes to another process (scenario U4) is named by the latest record so far. */
static void test_one_pass_is_never_wrong(void **state)
{
    (void)state;
    const char *args[] = {"-r", capture, "-Y", "tcp || udp", "-T", "fields", "-E", "separator=/t",
                          "-e", "frame.number", "-e", "proc.src.pid", "-e", "proc.dst.pid",
                          "-e", "_ws.expert.message", "-E", "occurrence=a", NULL};
    char *out = tshark_ok(args);
    char **lines = g_strsplit(out, "\n", -1);
    unsigned wrong = 0, notes = 0;
    for (size_t i = 0; lines[i]; i++) {
        char **cols = g_strsplit(lines[i], "\t", 4);
        const truth_row *row = g_strv_length(cols) == 4 ? row_for((unsigned)atoi(cols[0])) : NULL;
        for (int e = 0; row && e < 2; e++) {
            const char *got = cols[1 + e];
            if (got[0] && strcmp(got, row->want[2 * e]) != 0) {
                print_error("frame %u: one pass says %s/%s, truth %s/%s\n", row->frame, cols[1], cols[2],
                            row->want[0], row->want[2]);
                wrong++;
            }
        }
        notes += row && strstr(cols[3], "tshark with -2") != NULL;
        g_strfreev(cols);
    }
    g_strfreev(lines);
    g_free(out);
    assert_int_equal(wrong, 0);
    assert_true(notes > 0);
}

/* Exporting a subset keeps its attribution with the idiom the README gives: the filter, or the
 * records that name some packet's process (proc.decided.count). Without them it is lost. */
static char *fields_of(const char *file, const char *filter)
{
    const char *args[] = {"-2", "-r", file, "-Y", filter, "-T", "fields", "-e", "frame.time_epoch",
                          "-e", "proc.src.pid", "-e", "proc.dst.pid", NULL};
    return tshark_ok(args);
}

static void export_subset(const char *filter, const char *out)
{
    const char *args[] = {"-2", "-r", capture, "-Y", filter, "-w", out, NULL};
    g_free(tshark_ok(args));
}

static void test_export_keeps_attribution_with_its_records(void **state)
{
    (void)state;
    const truth_row *row = NULL;
    for (guint i = 0; i < truth->len && !row; i++) {
        const truth_row *r = &g_array_index(truth, truth_row, i);
        if (!is_udp(r) && r->want[0][0] && r->want[2][0])
            row = r;
    }
    assert_non_null(row);
    char *filter = g_strdup_printf("frame.number == %u", row->frame);
    const char *stream_args[] = {"-2", "-r", capture, "-Y", filter, "-T", "fields", "-e", "tcp.stream", NULL};
    char *stream = g_strstrip(tshark_ok(stream_args));
    char *in_stream = g_strdup_printf("tcp.stream == %s", stream);
    char *kept = g_strdup_printf("tcp.stream == %s || proc.decided.count", stream);

    char *dir = g_dir_make_tmp("procshark-export-XXXXXX", NULL);
    assert_non_null(dir);
    assert_int_equal(g_chmod(dir, 0777), 0); /* tshark writes as nobody when the tests run as root */
    char *with_records = g_build_filename(dir, "with-records.pcapng", NULL);
    char *without = g_build_filename(dir, "without.pcapng", NULL);
    export_subset(kept, with_records);
    export_subset(in_stream, without);

    char *whole = fields_of(capture, in_stream);
    char *subset = fields_of(with_records, "tcp");
    char *bare = fields_of(without, "tcp");
    char *want_pids = g_strdup_printf("\t%s\t%s\n", row->want[0], row->want[2]);
    char *want_reverse = g_strdup_printf("\t%s\t%s\n", row->want[2], row->want[0]);
    assert_true(strstr(whole, want_pids) || strstr(whole, want_reverse)); /* the stream is attributed */
    assert_string_equal(subset, whole);
    assert_null(strstr(bare, want_pids)); /* the bare subset has lost it */
    assert_null(strstr(bare, want_reverse));

    g_remove(with_records);
    g_remove(without);
    g_rmdir(dir);
    g_free(want_pids), g_free(want_reverse), g_free(whole), g_free(subset), g_free(bare);
    g_free(with_records), g_free(without), g_free(dir);
    g_free(in_stream), g_free(kept), g_free(stream), g_free(filter);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_attribution CAPTURE TRUTH.tsv\n");
        return 2;
    }
    capture = argv[1];
    load_truth(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_packet_matches_the_truth),
        cmocka_unit_test(test_proc_name_filter_lists_exactly_its_packets),
        cmocka_unit_test(test_dns_queries_by_process),
        cmocka_unit_test(test_udp_match_kinds),
        cmocka_unit_test(test_comment_matches),
        cmocka_unit_test(test_traffic_by_process_statistics),
        cmocka_unit_test(test_ek_output_carries_proc_fields),
        cmocka_unit_test(test_one_pass_is_never_wrong),
        cmocka_unit_test(test_export_keeps_attribution_with_its_records),
    };
    int failed = cmocka_run_group_tests_name("attribution", tests, read_attributions, NULL);
    for (guint i = 0; i < truth->len; i++) {
        truth_row *row = &g_array_index(truth, truth_row, i);
        for (int c = 0; c < 4; c++) {
            g_free(row->want[c]);
            g_free(row->got[c]);
        }
        g_free(row->proto);
        g_free(row->known[0]);
        g_free(row->known[1]);
    }
    g_array_free(truth, TRUE);
    return failed;
}
