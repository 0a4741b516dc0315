/* SPDX-License-Identifier: GPL-2.0-or-later */
/* macOS pktap's process information end to end: tshark with the plugin on the capture
 * tests/gen/darwin_pcapng.c writes (its header lists the packets). Wireshark 4.6 reads the Darwin
 * Process Information Blocks and shows frame.darwin.process_info.*: there every packet's process is
 * checked field by field, and by filters. Wireshark 4.0 and 4.4 skip those blocks: there the capture
 * must still read as TCP and UDP and the source say nothing. Which of the two applies is the
 * version CMake built against, and tshark's own field list must agree with it.
 *   test_darwin CAPTURE WIRESHARK_VERSION */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "tshark_harness.h"

static const char *capture;
static bool reads_darwin; /* Wireshark 4.6 or later */

static char *fields(bool two_passes)
{
    const char *args[] = {"-2", "-r", capture, "-T", "fields", "-e", "frame.number", "-e", "frame.p2p_dir", "-e",
                          "darwin_proc.pid", "-e", "darwin_proc.name", "-e", "darwin_proc.epid", "-e",
                          "darwin_proc.ename", "-e", "darwin_proc.end", "-e", "proc.src.pid", "-e",
                          "proc.src.name", "-e", "proc.src.source", "-e", "proc.src.match", "-e", "proc.dst.pid",
                          "-e", "proc.dst.name", "-e", "proc.dst.source", "-e", "proc.dst.match", NULL};
    return tshark_ok(two_passes ? args : args + 1);
}

static char *frames_matching(const char *filter)
{
    const char *args[] = {"-2", "-r", capture, "-Y", filter, "-T", "fields", "-e", "frame.number", NULL};
    return tshark_ok(args);
}

/* Whether this tshark knows Wireshark's Darwin process field. */
static bool tshark_has_darwin_fields(void)
{
    const char *args[] = {"-G", "fields", NULL};
    char *out = tshark_ok(args);
    const bool has = strstr(out, "\tframe.darwin.process_info.pid\t") != NULL;
    g_free(out);
    return has;
}

/* The version's expectation matches what tshark itself registers: a 4.6 without the field, or an
 * older version with it, fails here rather than passing for the wrong reason. */
static void test_version_agrees(void **state)
{
    (void)state;
    assert_int_equal(tshark_has_darwin_fields(), reads_darwin);
}

/* Wireshark 4.6: the process of the packet's local socket, the source when outbound (p2p_dir 0),
 * the destination when inbound; the remote ends are nobody's. The effective process is shown but
 * owns nothing: mDNSResponder's DNS for curl is mDNSResponder's, nsurlsessiond's TCP for Safari is
 * nsurlsessiond's. Frame 8 has no direction (end unknown, nothing attributed), frame 9 no Darwin
 * options. On lo0 both ends are local and the direction tells which one the kernel named: curl's
 * SYN names curl's socket, python's SYN-ACK python's, and each is the other's peer through the
 * connection. */
static void test_fields_4_6(void **state)
{
    (void)state;
    if (!reads_darwin) {
        print_message("SKIP: Wireshark before 4.6 reads no Darwin process information (test_silent_before_4_6)\n");
        skip();
    }
#define CURL_OUT "4242\tcurl\tdarwin\tpacket\t\t\t\t\n"
    static const char want[] =
        "1\t0\t4242\tcurl\t4242\tcurl\tsource\t" CURL_OUT
        "2\t1\t4242\tcurl\t4242\tcurl\tdestination\t\t\t\t\t4242\tcurl\tdarwin\tpacket\n"
        "3\t0\t4242\tcurl\t4242\tcurl\tsource\t" CURL_OUT
        "4\t0\t310\tmDNSResponder\t4242\tcurl\tsource\t310\tmDNSResponder\tdarwin\tpacket\t\t\t\t\n"
        "5\t1\t310\tmDNSResponder\t4242\tcurl\tdestination\t\t\t\t\t310\tmDNSResponder\tdarwin\tpacket\n"
        "6\t0\t611\tnsurlsessiond\t900\tSafari\tsource\t611\tnsurlsessiond\tdarwin\tpacket\t\t\t\t\n"
        "7\t1\t611\tnsurlsessiond\t900\tSafari\tdestination\t\t\t\t\t611\tnsurlsessiond\tdarwin\tpacket\n"
        "8\t\t4242\tcurl\t\t\tunknown\t\t\t\t\t\t\t\t\n"
        "9\t0\t\t\t\t\t\t\t\t\t\t\t\t\t\n"
        "10\t0\t4242\tcurl\t4242\tcurl\tsource\t4242\tcurl\tdarwin\tpacket\t777\tpython3.12\tdarwin\tconnection\n"
        "11\t0\t777\tpython3.12\t777\tpython3.12\tsource\t777\tpython3.12\tdarwin\tpacket\t4242\tcurl\tdarwin\t"
        "connection\n";
#undef CURL_OUT
    char *out = fields(true);
    assert_string_equal(out, want);
    g_free(out);
    /* One pass has every packet's own end (its claim is fed before it); only the loopback SYN's
     * server end waits for the SYN-ACK after it. */
    out = fields(false);
    gchar **rows = g_strsplit(out, "\n", -1);
    gchar **want_rows = g_strsplit(want, "\n", -1);
    assert_int_equal(g_strv_length(rows), g_strv_length(want_rows));
    for (guint i = 0; rows[i]; i++)
        assert_string_equal(rows[i], i == 9 ? "10\t0\t4242\tcurl\t4242\tcurl\tsource\t4242\tcurl\tdarwin\tpacket\t\t\t\t"
                                            : want_rows[i]);
    g_strfreev(rows);
    g_strfreev(want_rows);
    g_free(out);
}

static void test_filters_4_6(void **state)
{
    (void)state;
    if (!reads_darwin) {
        print_message("SKIP: Wireshark before 4.6 reads no Darwin process information (test_silent_before_4_6)\n");
        skip();
    }
    static const struct {
        const char *filter, *frames;
    } cases[] = {
        {"proc.src.name == \"curl\"", "1\n3\n10\n"},
        {"proc.dst.name == \"curl\"", "2\n11\n"},
        {"proc.src.name == \"mDNSResponder\" && udp", "4\n"},
        {"proc.dst.pid == 310", "5\n"},
        {"proc.name == \"python3.12\"", "10\n11\n"},
        {"proc.source == \"darwin\"", "1\n2\n3\n4\n5\n6\n7\n10\n11\n"},
        /* The effective process is only shown: Safari owns no socket. */
        {"darwin_proc.ename == \"Safari\"", "6\n7\n"},
        {"proc.name == \"Safari\"", ""},
        {"darwin_proc.end == \"unknown\"", "8\n"},
        /* The packets are no record frames, and one pass is enough. */
        {"proc.record.source || proc.packet_frame || proc.needs_two_passes", ""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *out = frames_matching(cases[i].filter);
        if (strcmp(out, cases[i].frames) != 0)
            fail_msg("%s: frames \"%s\", want \"%s\"", cases[i].filter, out, cases[i].frames);
        g_free(out);
    }
}

/* The tree's text names both processes; the packet without a direction says why it is not
 * attributed. */
static void test_tree_4_6(void **state)
{
    (void)state;
    if (!reads_darwin) {
        print_message("SKIP: Wireshark before 4.6 reads no Darwin process information (test_silent_before_4_6)\n");
        skip();
    }
    const char *tree[] = {"-2", "-r", capture, "-V", "-Y", "frame.number == 6", NULL};
    char *out = tshark_ok(tree);
    assert_non_null(strstr(out, "Darwin process information, nsurlsessiond (611) for Safari (900)]\n"
                                "    Process ID: 611\n    Process name: nsurlsessiond\n"
                                "    Effective process ID: 900\n    Effective process name: Safari\n"
                                "    Named end: source\n"));
    g_free(out);
    const char *note[] = {"-2", "-r", capture, "-Y", "frame.number == 8", "-T", "fields", "-e",
                          "_ws.expert.message", "-E", "occurrence=l", NULL};
    out = tshark_ok(note);
    assert_string_equal(out, "No direction on this packet: which end the Darwin process owns is unknown, not "
                             "attributed\n");
    g_free(out);
}

/* Wireshark 4.0 and 4.4: the capture reads (the Darwin blocks and options skipped), its TCP and UDP
 * dissected, and nothing of procshark's appears: no darwin_proc item, no proc attribution. */
static void test_silent_before_4_6(void **state)
{
    (void)state;
    if (reads_darwin) {
        print_message("SKIP: Wireshark 4.6 or later reads Darwin process information (the *_4_6 tests)\n");
        skip();
    }
    const char *args[] = {"-2", "-r", capture, "-T", "fields", "-e", "frame.number", "-e", "frame.p2p_dir", "-e",
                          "tcp.srcport", "-e", "udp.srcport", "-e", "darwin_proc.pid", "-e", "proc.src.pid", "-e",
                          "proc.dst.pid", NULL};
    char *out = tshark_ok(args);
    assert_string_equal(out, "1\t0\t50000\t\t\t\t\n2\t1\t443\t\t\t\t\n3\t0\t50000\t\t\t\t\n4\t0\t\t53000\t\t\t\n"
                             "5\t1\t\t53\t\t\t\n6\t0\t50001\t\t\t\t\n7\t1\t443\t\t\t\t\n8\t\t50002\t\t\t\t\n"
                             "9\t0\t50003\t\t\t\t\n10\t0\t50004\t\t\t\t\n11\t0\t8080\t\t\t\t\n");
    g_free(out);
    char *none = frames_matching("darwin_proc || proc");
    assert_string_equal(none, "");
    g_free(none);
}

int main(int argc, char **argv)
{
    unsigned major, minor;
    if (argc != 3 || sscanf(argv[2], "%u.%u", &major, &minor) != 2) {
        fprintf(stderr, "usage: test_darwin CAPTURE WIRESHARK_VERSION\n");
        return 2;
    }
    capture = argv[1];
    reads_darwin = major > 4 || (major == 4 && minor >= 6);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_agrees), cmocka_unit_test(test_fields_4_6),
        cmocka_unit_test(test_filters_4_6),    cmocka_unit_test(test_tree_4_6),
        cmocka_unit_test(test_silent_before_4_6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
