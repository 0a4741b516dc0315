/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptcpdump's process comments end to end: tshark with the plugin on ptcpdump's own test captures
 * (../shared/samples/ptcpdump, from its testdata/format/; skipped where absent), field by field,
 * and on a capture this test writes whose comments are broken.
 *   test_ptcpdump SAMPLES_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "pcapng_bytes.h"
#include "tshark_harness.h"

static const char *samples_dir;

#define FIELDS                                                                                              \
    "-e", "frame.number", "-e", "frame.p2p_dir", "-e", "ptcpdump.pid", "-e", "ptcpdump.name", "-e",         \
        "ptcpdump.cmd", "-e", "ptcpdump.args", "-e", "ptcpdump.tid", "-e", "ptcpdump.thread_name", "-e",    \
        "ptcpdump.uid", "-e", "ptcpdump.ppid", "-e", "ptcpdump.parent_cmd", "-e", "ptcpdump.parent_args",  \
        "-e", "ptcpdump.end", "-e", "proc.src.pid", "-e", "proc.src.name", "-e", "proc.src.source", "-e",   \
        "proc.src.match", "-e", "proc.dst.pid", "-e", "proc.dst.name", "-e", "proc.dst.source", "-e",       \
        "proc.dst.match"

/* The sample's path, or NULL (the test is then skipped with a message). */
static char *sample(const char *name)
{
    char *path = g_build_filename(samples_dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return path;
    print_message("SKIP: %s is absent\n", path);
    g_free(path);
    return NULL;
}

static char *fields(const char *capture, bool two_passes)
{
    const char *args[] = {"-2", "-r", capture, "-T", "fields", FIELDS, NULL};
    return tshark_ok(two_passes ? args : args + 1);
}

/* ptcpdump -i ens33 --context=user (curl-user.pcapng): curl to kernel.org. ptcpdump names the
 * local socket, curl's: the source of outbound packets (p2p_dir 0), the destination of inbound
 * ones. No thread comment: ThreadId and ThreadName stay empty; the remote end is nobody's. */
static void test_curl_user(void **state)
{
    (void)state;
    char *capture = sample("curl-user.pcapng");
    if (!capture)
        skip();
#define USER "99722\tcurl\t/usr/bin/curl\tcurl https://kernel.org\t\t\t1000\t18840\t/usr/bin/bash\t-bash\t"
#define SRC "source\t99722\tcurl\tptcpdump\tpacket\t\t\t\t\n"
#define DST "destination\t\t\t\t\t99722\tcurl\tptcpdump\tpacket\n"
    static const char want[] = "1\t0\t" USER SRC "2\t1\t" USER DST "3\t0\t" USER SRC "4\t1\t" USER DST
                               "5\t0\t" USER SRC;
    char *out = fields(capture, true);
    assert_string_equal(out, want);
    g_free(out);
    /* One pass says the same: each comment is on its own packet, fed before it. No packet asks for a
     * second pass, nor is it a record frame. */
    out = fields(capture, false);
    assert_string_equal(out, want);
    g_free(out);
    const char *notes[] = {"-r", capture, "-Y", "proc.needs_two_passes || proc.record.source || proc.packet_frame",
                           NULL};
    out = tshark_ok(notes);
    assert_string_equal(out, "");
    g_free(out);
    /* A manual clock offset is for records on other clocks: a comment still names its own packet,
     * and no clock note is made for it. */
    const char *offset[] = {"-2", "-o", "proc.clock_offset:-1.5", "-r", capture, "-T", "fields", "-e",
                            "proc.src.name", "-e", "proc.dst.name", "-e", "proc.match", "-e", "proc.clock_offset", NULL};
    out = tshark_ok(offset);
    assert_string_equal(out, "curl\t\tpacket\t\n\tcurl\tpacket\t\ncurl\t\tpacket\t\n\tcurl\tpacket\t\n"
                             "curl\t\tpacket\t\n");
    g_free(out);
    /* The filter, on a plain ptcpdump capture. */
    const char *filter[] = {"-2", "-r", capture, "-Y", "proc.src.name == \"curl\"", "-T", "fields", "-e",
                            "frame.number", NULL};
    out = tshark_ok(filter);
    assert_string_equal(out, "1\n3\n5\n");
    g_free(out);
#undef USER
#undef SRC
#undef DST
    g_free(capture);
}

/* --context=thread (curl-thread.pcapng): a ThreadId comment only on the packets curl's thread sent
 * itself (SYN, request, FIN: 1, 4, 8); acknowledgements sent by the kernel have none. No UserId. */
static void test_curl_thread(void **state)
{
    (void)state;
    char *capture = sample("curl-thread.pcapng");
    if (!capture)
        skip();
#define P "122868\tcurl\t/usr/bin/curl\tcurl kernel.com\t"
#define PARENT "\t53229\t/usr/bin/bash\t-bash\t"
#define OUT P "\t\t" PARENT "source\t122868\tcurl\tptcpdump\tpacket\t\t\t\t\n"
#define OUT_THREAD P "122868\tcurl\t" PARENT "source\t122868\tcurl\tptcpdump\tpacket\t\t\t\t\n"
#define IN P "\t\t" PARENT "destination\t\t\t\t\t122868\tcurl\tptcpdump\tpacket\n"
    static const char want[] = "1\t0\t" OUT_THREAD "2\t1\t" IN "3\t0\t" OUT "4\t0\t" OUT_THREAD "5\t1\t" IN
                               "6\t1\t" IN "7\t0\t" OUT "8\t0\t" OUT_THREAD "9\t1\t" IN "10\t0\t" OUT;
    char *out = fields(capture, true);
    assert_string_equal(out, want);
    g_free(out);
#undef P
#undef PARENT
#undef OUT
#undef OUT_THREAD
#undef IN
    g_free(capture);
}

/* `ptcpdump -i lo -- curl http://127.0.0.1:8000/notfound` (tcp.pcapng): every packet names curl,
 * the server's SYN-ACK too (frame 3), because only curl's socket was in ptcpdump's table and it
 * looks the destination up when the source is unknown. On loopback both ends are local and the
 * comment does not say which it named: nothing is attributed, a note says why. */
static void test_loopback(void **state)
{
    (void)state;
    char *capture = sample("tcp.pcapng");
    if (!capture)
        skip();
    char *out = fields(capture, true);
    gchar **rows = g_strsplit(out, "\n", -1);
    assert_int_equal(g_strv_length(rows), 25); /* 24 packets, each sent (0) then received (1) on lo */
    for (int i = 0; i < 24; i++) {
        char *want = g_strdup_printf("%d\t%d\t345650\tcurl\t/usr/bin/curl\tcurl http://127.0.0.1:8000/notfound\t\t\t\t"
                                     "345626\t/go_workshop/src/github.com/mozillazg/ptcpdump/ptcpdump\t"
                                     "ptcpdump -- curl http://127.0.0.1:8000/notfound\tunknown\t\t\t\t\t\t\t\t",
                                     i + 1, i % 2);
        assert_string_equal(rows[i], want);
        g_free(want);
    }
    g_strfreev(rows);
    g_free(out);
    const char *notes[] = {"-2", "-r", capture, "-Y", "frame.number == 3", "-T", "fields", "-e",
                           "tcp.srcport", "-e", "_ws.expert.message", "-E", "occurrence=l", NULL};
    out = tshark_ok(notes);
    assert_string_equal(out, "8000\tptcpdump names one end of this loopback packet without saying which: "
                             "not attributed\n");
    g_free(out);
    g_free(capture);
}

/* --- a capture of broken comments ---------------------------------------------------------------- */

/* An Ethernet, IPv4, TCP SYN from 10.0.0.1:40000 to 10.0.0.2:80 (checksums are not checked). */
static void syn(GByteArray *b, guint16 sport)
{
    static const guint8 eth_ip[] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0, 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0,
                                    0, 10, 0, 0, 1, 10, 0, 0, 2};
    g_byte_array_append(b, eth_ip, sizeof eth_ip);
    const guint8 tcp[] = {sport >> 8, sport & 0xff, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
    g_byte_array_append(b, tcp, sizeof tcp);
}

/* A SYN from source port sport, outbound, with the given comments. */
static void epb(GByteArray *f, guint32 secs, guint16 sport, const char *const *comments)
{
    GByteArray *frame = g_byte_array_new();
    syn(frame, sport);
    pcapng_bytes_epb(f, secs, frame, comments, 2);
    g_byte_array_free(frame, TRUE);
}

static void test_broken_comments(void **state)
{
    (void)state;
    GByteArray *f = g_byte_array_new();
    pcapng_bytes_start(f);
    epb(f, 1709294400, 40000, (const char *const[]){"PID: 12x\nCmd: /usr/bin/curl", NULL});
    epb(f, 1709294401, 40001, (const char *const[]){"PID: 5\nCmd: /tmp/\x1b[31mevil\nArgs: a\nb", NULL});
    epb(f, 1709294402, 40002, (const char *const[]){"PID: 6", "PID: 7\nCmd: /bin/x", NULL});
    epb(f, 1709294403, 40003, (const char *const[]){"UserId: 1000", "an analyst's note: looks odd", NULL});
    char *dir;
    char *capture = pcapng_bytes_save(f, "broken.pcapng", &dir);
    assert_non_null(capture);
    g_byte_array_free(f, TRUE);

    /* The last expert info of each packet is ours (the frame's comments and TCP's come first). The
     * name with its control character is checked in the tree below: how -T fields prints one
     * differs between Wireshark versions. */
    const char *args[] = {"-2", "-r", capture, "-T", "fields", "-e", "frame.number", "-e", "ptcpdump.pid", "-e",
                          "ptcpdump.end", "-e", "proc.src.pid", "-e", "_ws.expert.message", "-E", "occurrence=l",
                          NULL};
    char *out = tshark_ok(args);
    static const char want[] =
        /* A PID that is no number: no pid shown, nothing attributed. */
        "1\t\tsource\t\tptcpdump comment's PID is not a number up to 4294967295\n"
        /* An argument's newline is a note; the process is still named. */
        "2\t5\tsource\t5\tptcpdump comment line at byte 35 has no key: a value holding a newline?\n"
        /* Two PIDs: the first is kept. */
        "3\t6\tsource\t6\tptcpdump comment gives PID again, differently: the first is kept\n"
        /* ptcpdump's keys without a PID; the analyst's own comment is left alone. */
        "4\t\tsource\t\tptcpdump comments without a PID: no process to attribute\n";
    assert_string_equal(out, want);
    g_free(out);
    /* Shown to a person, the control character is escaped in our items (Wireshark 4.0 prints the
     * frame's own comments above them as they are). */
    const char *tree[] = {"-2", "-r", capture, "-V", "-Y", "frame.number == 2", NULL};
    out = tshark_ok(tree);
    const char *ours = strstr(out, "ptcpdump process comments, \\x1b[31mevil (5)");
    assert_non_null(ours);
    assert_null(strchr(ours, '\x1b'));
    assert_non_null(strstr(ours, "Process name: \\")); /* \033 or \x1b, as the version escapes it */
    assert_non_null(strstr(ours, "[31mevil\n"));
    g_free(out);
    g_unlink(capture);
    g_rmdir(dir);
    g_free(capture);
    g_free(dir);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_ptcpdump SAMPLES_DIR\n");
        return 2;
    }
    samples_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curl_user), cmocka_unit_test(test_curl_thread), cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_broken_comments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
