/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record events end to end: the recording tests/gen/procrec_gen.c writes (its top
 * comment tells the story) merged with its packets by procshark-import --procrec, then read by
 * tshark -2 with the plugin: every record's fields, both ends of every packet named (connect and
 * accept give the two ends of each TCP connection, UDP records the DNS flow's), the lost-events
 * warning, escaped text; and the importer's errors with their byte offsets. The --per-packet
 * recording (procrec_gen --per-packet): its packet fields, and each packet's ends matched by them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <glib.h>

#include "import_harness.h"
#include "tshark_harness.h"

static const char *events, *packets, *packet_events, *packet_packets;

/* tshark -2's output for these fields, frames filtered by `filter`. */
static char *fields(const char *capture, const char *filter, const char *const *names)
{
    GPtrArray *args = g_ptr_array_new();
    const char *fixed[] = {"-2", "-r", capture, "-Y", filter, "-T", "fields", "-E", "occurrence=f"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(args, (gpointer)fixed[i]);
    for (const char *const *n = names; *n; n++) {
        g_ptr_array_add(args, "-e");
        g_ptr_array_add(args, (gpointer)*n);
    }
    g_ptr_array_add(args, NULL);
    char *out = tshark_ok((const char *const *)args->pdata);
    g_ptr_array_free(args, TRUE);
    return out;
}
#define FIELDS(capture, filter, ...) fields(capture, filter, (const char *const[]){__VA_ARGS__, NULL})

static void expect_text(const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        print_error("got:\n%s\nwant:\n%s\n", got, want);
    assert_string_equal(got, want);
}

static char *imported(const char *name)
{
    char *out = path_in(name);
    run r = IMPORT("-o", out, "--packets", packets, "--procrec", events);
    expect_code(&r, 0);
    expect_message(&r, "(procrec): 14 read, 14 written, 0 rejected");
    run_clear(&r);
    return out;
}

static void test_record_fields(void **state)
{
    (void)state;
    char *out = imported("fields.pcapng");
    /* Frame 13's comm, with its escape character, is checked in the tree below: how -T fields prints
     * one differs between Wireshark versions. */
    char *got = FIELDS(out, "procrec && frame.number != 13", "frame.number", "procrec.kind", "procrec.what", "procrec.family",
                       "procrec.protocol", "procrec.old_state", "procrec.new_state", "procrec.pid", "procrec.tid",
                       "procrec.ppid", "procrec.uid", "procrec.cgroup_id", "procrec.local.ip", "procrec.local.ipv6",
                       "procrec.local.port", "procrec.remote.ip", "procrec.remote.ipv6", "procrec.remote.port",
                       "procrec.flags.owner", "procrec.comm", "procrec.container_id", "procrec.lost");
    /* tid is pid + 1, ppid 1, uid 1000, cgroup 4000 + pid, as the generator writes them. */
    expect_text(got,
                /* curl connects (CLOSE → SYN_SENT), ps-server accepts (SYN_RECV → ESTABLISHED) */
                "1\t1\t1\t4\t6\t7\t2\t4242\t4243\t1\t1000\t8242\t127.0.0.1\t\t50000\t127.0.0.1\t\t8080\t1\tcurl\t\t\n"
                "5\t1\t2\t4\t6\t3\t1\t777\t778\t1\t1000\t4777\t127.0.0.1\t\t8080\t127.0.0.1\t\t50000\t1\tps-server\t\t\n"
                /* curl closes as the owner; the server's last change runs in softirq */
                "8\t1\t3\t4\t6\t1\t4\t4242\t4243\t1\t1000\t8242\t127.0.0.1\t\t50000\t127.0.0.1\t\t8080\t1\tcurl\t\t\n"
                "12\t1\t4\t4\t6\t9\t7\t0\t1\t1\t1000\t4000\t127.0.0.1\t\t8080\t127.0.0.1\t\t50000\t0\tswapper/0\t\t\n"
                /* the same over IPv6 */
                "14\t1\t1\t6\t6\t7\t2\t5151\t5152\t1\t1000\t9151\t\t::1\t50001\t\t::1\t8443\t1\twget\t\t\n"
                "18\t1\t2\t6\t6\t3\t1\t777\t778\t1\t1000\t4777\t\t::1\t8443\t\t::1\t50001\t1\tps-server\t\t\n"
                "21\t1\t3\t6\t6\t1\t4\t5151\t5152\t1\t1000\t9151\t\t::1\t50001\t\t::1\t8443\t1\twget\t\t\n"
                "25\t1\t4\t6\t6\t9\t7\t0\t1\t1\t1000\t4000\t\t::1\t8443\t\t::1\t50001\t0\tswapper/0\t\t\n"
                /* lost events: nothing but the count */
                "26\t3\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t17\n"
                /* the DNS flow: dig sends, resolved receives and answers, dig receives */
                "27\t2\t5\t4\t17\t0\t0\t3000\t3001\t1\t1000\t7000\t127.0.0.1\t\t40000\t127.0.0.53\t\t53\t0\tdig\t\t\n"
                "29\t2\t6\t4\t17\t0\t0\t500\t501\t1\t1000\t4500\t127.0.0.53\t\t53\t127.0.0.1\t\t40000\t0\tresolved\t\t\n"
                "30\t2\t5\t4\t17\t0\t0\t500\t501\t1\t1000\t4500\t127.0.0.53\t\t53\t127.0.0.1\t\t40000\t0\tresolved\t\t\n"
                "32\t2\t6\t4\t17\t0\t0\t3000\t3001\t1\t1000\t7000\t127.0.0.1\t\t40000\t127.0.0.53\t\t53\t0\tdig\t\t\n");
    g_free(got);

    /* Info, the Protocol column, the records' interface, and the problems as expert infos: the
     * escape character shown escaped, never sent to the terminal. */
    got = FIELDS(out, "procrec", "frame.number", "_ws.col.Protocol", "frame.interface_description", "_ws.col.Info",
                 "_ws.expert.message");
    char *iface = g_strdup_printf("procshark-record events from %s", events);
    char **rows = g_strsplit(got, "\n", -1);
    assert_int_equal(g_strv_length(rows), 15);
    for (int i = 0; i < 14; i++) {
        char **cols = g_strsplit(rows[i], "\t", -1);
        assert_int_equal(g_strv_length(cols), 5);
        assert_string_equal(cols[1], "PROCREC");
        assert_string_equal(cols[2], iface);
        g_strfreev(cols);
    }
    g_free(iface);
    static const char *const info[] = {
        "\tconnect curl (4242) 127.0.0.1:50000 \xe2\x86\x92 127.0.0.1:8080\t\n",
        "\taccept ps-server (777) 127.0.0.1:8080 \xe2\x86\x90 127.0.0.1:50000\t\n",
        "\tclose curl (4242) 127.0.0.1:50000 \xe2\x86\x94 127.0.0.1:8080 ESTABLISHED \xe2\x86\x92 FIN_WAIT1\t\n",
        "\tstate k\\x1b[2Jworker (0) 127.0.0.1:50000 \xe2\x86\x94 127.0.0.1:8080 TIME_WAIT \xe2\x86\x92 CLOSE\t"
        "comm holds control characters\n",
        "\tconnect wget (5151) [::1]:50001 \xe2\x86\x92 [::1]:8443\t\n",
        "\tlost 17 events\t17 events lost: some sockets may be unattributed\n",
        "\tUDP receive resolved (500) 127.0.0.53:53 \xe2\x86\x90 127.0.0.1:40000\t\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(info); i++) {
        if (!strstr(got, info[i]))
            print_error("not in the output: %s\n%s\n", info[i], got);
        assert_non_null(strstr(got, info[i]));
    }
    assert_null(strchr(got, '\x1b'));
    g_strfreev(rows);
    g_free(got);

    const char *tree[] = {"-2", "-r", out, "-V", "-Y", "frame.number == 13", NULL};
    got = tshark_ok(tree);
    const char *ours = strstr(got, "procshark-record events, state k\\x1b[2Jworker (0) 127.0.0.1:50000");
    assert_non_null(ours);
    assert_null(strchr(ours, '\x1b'));
    assert_non_null(strstr(ours, "Command: k\\")); /* \033 or \x1b, as the version escapes it */
    assert_non_null(strstr(ours, "[2Jworker\n"));
    assert_non_null(strstr(ours, "Old state: TIME_WAIT (6)\n"));
    assert_non_null(strstr(ours, "New state: CLOSE (7)\n"));
    assert_non_null(strstr(ours, "[Expert Info (Warning/Malformed): comm holds control characters]"));
    g_free(got);

    /* The lost events are a warning, on that record alone. */
    got = FIELDS(out, "procrec.lost_events && _ws.expert.severity == warning", "frame.number");
    expect_text(got, "26\n");
    g_free(got);
    g_free(out);
}

/* Every packet's two ends, from the records: a connect names its socket's end of the SYN (event)
 * and the rest of its connection, an accept the server's end; the UDP records the flow's. */
static void test_every_packet_attributed(void **state)
{
    (void)state;
    char *out = imported("packets.pcapng");
    char *got = FIELDS(out, "tcp || udp", "frame.number", "proc.src.pid", "proc.src.name", "proc.src.match",
                       "proc.dst.pid", "proc.dst.name", "proc.dst.match", "proc.src.source", "proc.dst.source");
    expect_text(got, "2\t4242\tcurl\tevent\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "3\t777\tps-server\tconnection\t4242\tcurl\tconnection\tprocrec\tprocrec\n"
                     "4\t4242\tcurl\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "6\t4242\tcurl\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "7\t777\tps-server\tconnection\t4242\tcurl\tconnection\tprocrec\tprocrec\n"
                     "9\t4242\tcurl\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "10\t777\tps-server\tconnection\t4242\tcurl\tconnection\tprocrec\tprocrec\n"
                     "11\t4242\tcurl\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "15\t5151\twget\tevent\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "16\t777\tps-server\tconnection\t5151\twget\tconnection\tprocrec\tprocrec\n"
                     "17\t5151\twget\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "19\t5151\twget\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "20\t777\tps-server\tconnection\t5151\twget\tconnection\tprocrec\tprocrec\n"
                     "22\t5151\twget\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "23\t777\tps-server\tconnection\t5151\twget\tconnection\tprocrec\tprocrec\n"
                     "24\t5151\twget\tconnection\t777\tps-server\tconnection\tprocrec\tprocrec\n"
                     "28\t3000\tdig\tconnection\t500\tresolved\tconnection\tprocrec\tprocrec\n"
                     "31\t500\tresolved\tconnection\t3000\tdig\tconnection\tprocrec\tprocrec\n");
    g_free(got);
    g_free(out);
}

/* Packet events: their fields, and both ends of every packet matched by them at the packet level
 * (the SYN's sender by its packet event, nearer than the connect event). */
static void test_packet_events(void **state)
{
    (void)state;
    char *out = path_in("per-packet.pcapng");
    run r = IMPORT("-o", out, "--packets", packet_packets, "--procrec", packet_events);
    expect_code(&r, 0);
    expect_message(&r, "(procrec): 15 read, 15 written, 0 rejected");
    run_clear(&r);
    char *got = FIELDS(out, "procrec.what == 7", "procrec.kind", "procrec.pid", "procrec.local.port",
                       "procrec.remote.port", "procrec.direction", "procrec.seq", "procrec.ack", "procrec.tcp_flags",
                       "procrec.udp_length", "procrec.udp_checksum");
    expect_text(got, /* nc's SYN leaves 51000, reaches ps-server's 9000; ... */
                "1\t6006\t51000\t9000\t1\t100\t0\t0x0002\t\t\n"
                "1\t777\t9000\t51000\t2\t100\t0\t0x0002\t\t\n"
                "1\t777\t9000\t51000\t1\t700\t101\t0x0012\t\t\n"
                "1\t6006\t51000\t9000\t2\t700\t101\t0x0012\t\t\n"
                "1\t6006\t51000\t9000\t1\t101\t701\t0x0010\t\t\n"
                "1\t777\t9000\t51000\t2\t101\t701\t0x0010\t\t\n"
                "1\t6006\t51000\t9000\t1\t101\t701\t0x0018\t\t\n"
                "1\t777\t9000\t51000\t2\t101\t701\t0x0018\t\t\n"
                "1\t777\t9000\t51000\t1\t701\t105\t0x0010\t\t\n"
                "1\t6006\t51000\t9000\t2\t701\t105\t0x0010\t\t\n"
                /* the DNS query (37 bytes of UDP) and answer (53) */
                "2\t3000\t40001\t53\t1\t\t\t\t37\t0x1234\n"
                "2\t500\t53\t40001\t2\t\t\t\t37\t0x1234\n"
                "2\t500\t53\t40001\t1\t\t\t\t53\t0x5678\n"
                "2\t3000\t40001\t53\t2\t\t\t\t53\t0x5678\n");
    g_free(got);
    got = FIELDS(out, "procrec.what == 7 && procrec.direction == 1", "_ws.col.Info");
    assert_non_null(strstr(got, "packet ps-server (777) 127.0.0.1:9000 \xe2\x86\x92 127.0.0.1:51000 seq 700 ack 101 "
                                "flags 0x012\n"));
    assert_non_null(strstr(got, "packet dig (3000) 127.0.0.1:40001 \xe2\x86\x92 127.0.0.53:53 length 37 checksum "
                                "0x1234\n"));
    g_free(got);
    got = FIELDS(out, "tcp || udp", "proc.src.pid", "proc.src.match", "proc.dst.pid", "proc.dst.match");
    expect_text(got, "6006\tpacket\t777\tpacket\n"
                     "777\tpacket\t6006\tpacket\n"
                     "6006\tpacket\t777\tpacket\n"
                     "6006\tpacket\t777\tpacket\n"
                     "777\tpacket\t6006\tpacket\n"
                     "3000\tpacket\t500\tpacket\n"
                     "500\tpacket\t3000\tpacket\n");
    g_free(got);
    g_free(out);
}

/* Without --procrec the file is told by its magic; from a pipe it needs the option. */
static void test_recognised_and_stdin(void **state)
{
    (void)state;
    char *out = path_in("bare.pcapng");
    run r = IMPORT("-o", out, packets, events);
    expect_code(&r, 0);
    expect_message(&r, "(procrec): 14 read, 14 written, 0 rejected");
    run_clear(&r);
    char *got = FIELDS(out, "procrec", "frame.number");
    expect_text(got, "1\n5\n8\n12\n13\n14\n18\n21\n25\n26\n27\n29\n30\n32\n");
    g_free(got);

    const char *argv[] = {"sh", "-c", "exec \"$0\" -o \"$1\" --procrec - < \"$2\"", importer, out, events, NULL};
    int status = 0;
    char *o = NULL, *e = NULL;
    assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &e, &status, NULL));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(e, "(standard input) (procrec): 14 read, 14 written, 0 rejected"));
    got = FIELDS(out, "procrec", "frame.interface_description");
    assert_true(g_str_has_prefix(got, "procshark-record events from standard input\n"));
    g_free(got);
    g_free(o), g_free(e), g_free(out);
}

/* A cut last record is rejected with its place; the records before it are written. A header the
 * importer cannot read ends the run, saying which byte. */
static void test_truncated_and_bad_header(void **state)
{
    (void)state;
    gsize len;
    char *bytes = read_file(events, &len);
    assert_int_equal(len, 16 + 14 * 192);
    char *cut = write_file("cut.psrec", bytes, (gssize)len - 10);
    char *out = path_in("cut.pcapng");
    run r = IMPORT("-o", out, "--procrec", cut);
    expect_code(&r, 1);
    char *want = g_strdup_printf("%s: record 14 at byte 2512: truncated: it ends after 182 of its 192 bytes", cut);
    expect_message(&r, want);
    expect_message(&r, "(procrec): 14 read, 13 written, 1 rejected");
    g_free(want);
    run_clear(&r);

    bytes[12] = 100; /* record size */
    char *small = write_file("small.psrec", bytes, (gssize)len);
    r = IMPORT("-o", out, "--procrec", small);
    expect_code(&r, 2);
    want = g_strdup_printf("%s: header at byte 12: record size 100 is less than version 1's 192 bytes", small);
    expect_message(&r, want);
    g_free(want);
    run_clear(&r);

    char *header_only = write_file("header.psrec", bytes, 10);
    r = IMPORT("-o", out, "--procrec", header_only);
    expect_code(&r, 2);
    want = g_strdup_printf("%s: header at byte 0: the header ends after 10 of its 16 bytes", header_only);
    expect_message(&r, want);
    g_free(want);
    run_clear(&r);

    bytes[12] = (char)192;
    char *empty = write_file("empty.psrec", bytes, 16);
    r = IMPORT("-o", out, "--procrec", empty);
    expect_code(&r, 1);
    expect_message(&r, "empty file: no records");
    run_clear(&r);
    g_free(bytes), g_free(cut), g_free(small), g_free(header_only), g_free(empty), g_free(out);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: test_procrec PROCSHARK-IMPORT EVENTS.psrec PACKETS.pcap PER-PACKET-EVENTS.psrec "
                        "PER-PACKET-PACKETS.pcap\n");
        return 2;
    }
    importer = argv[1];
    events = argv[2];
    packets = argv[3];
    packet_events = argv[4];
    packet_packets = argv[5];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_fields),
        cmocka_unit_test(test_every_packet_attributed),
        cmocka_unit_test(test_packet_events),
        cmocka_unit_test(test_recognised_and_stdin),
        cmocka_unit_test(test_truncated_and_bad_header),
    };
    int failed = IMPORT_TESTS_RUN("procshark-import --procrec", tests, "procshark-procrec-XXXXXX", 0700);
    return failed;
}
