/* SPDX-License-Identifier: GPL-2.0-or-later */
/* etl2pcapng's "PID=… TID=…" comments end to end: tshark with the plugin on a capture this test
 * writes as etl2pcapng writes one (Ethernet, an EPB direction flag and one comment per packet):
 * the comment's process names the packet's local socket at the comment level, the lowest; the
 * idle process and System name nothing; a malformed comment is a warning; an ETW record beats it. */
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

enum { INBOUND = 1, OUTBOUND = 2 };

/* Ethernet and IPv4 from 10.0.0.5 to 93.184.216.34 (out) or back (in), then TCP (a SYN, or a
 * SYN-ACK inbound) or UDP with 4 bytes of payload; checksums are not checked. */
static void packet(GByteArray *b, bool udp, bool out, guint16 local_port, guint16 remote_port)
{
    const guint8 local[4] = {10, 0, 0, 5}, remote[4] = {93, 184, 216, 34};
    const guint8 eth[] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0};
    g_byte_array_append(b, eth, sizeof eth);
    const guint8 ip[] = {0x45, 0, 0, udp ? 32 : 40, 0, 1, 0, 0, 64, udp ? 17 : 6, 0, 0};
    g_byte_array_append(b, ip, sizeof ip);
    g_byte_array_append(b, out ? local : remote, 4);
    g_byte_array_append(b, out ? remote : local, 4);
    const guint16 sport = out ? local_port : remote_port, dport = out ? remote_port : local_port;
    if (udp) {
        const guint8 h[] = {sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
        g_byte_array_append(b, h, sizeof h);
    } else {
        const guint8 h[] = {sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, out ? 1 : 9, 0, 0, 0,
                            out ? 0 : 2, 0x50, out ? 0x02 : 0x12, 0xff, 0xff, 0, 0, 0, 0};
        g_byte_array_append(b, h, sizeof h);
    }
}

/* A packet of ours with one comment (NULL: none); flags 0 writes no direction. */
static void epb(GByteArray *f, guint32 secs, bool udp, guint32 flags, guint16 local_port, const char *comment)
{
    GByteArray *data = g_byte_array_new();
    packet(data, udp, flags != INBOUND, local_port, udp ? 53 : 443);
    pcapng_bytes_epb(f, secs, data, (const char *const[]){comment, NULL}, flags);
    g_byte_array_free(data, TRUE);
}

static void test_pid_tid_comments(void **state)
{
    (void)state;
    GByteArray *f = g_byte_array_new();
    pcapng_bytes_start(f);
    epb(f, 1709294400, false, OUTBOUND, 50000, "PID=4120 TID=5000");
    epb(f, 1709294401, false, INBOUND, 50000, "PID=4 TID=80"); /* System: a DPC */
    epb(f, 1709294402, true, OUTBOUND, 53000, "PID=2424 TID=2500");
    epb(f, 1709294403, true, INBOUND, 53000, "PID=2424 TID=2501 VlanId=0 SrcPortId=7 SrcNicType=Synthetic");
    epb(f, 1709294404, true, OUTBOUND, 53001, "PID=12x TID=1");
    epb(f, 1709294405, true, 0, 53002, "PID=77 TID=88");
    epb(f, 1709294406, true, OUTBOUND, 53003, "an analyst's note");
    char *dir;
    char *capture = pcapng_bytes_save(f, "etl2pcapng.pcapng", &dir);
    assert_non_null(capture);
    g_byte_array_free(f, TRUE);

    const char *args[] = {"-2", "-r", capture, "-T", "fields", "-e", "frame.number", "-e", "etl2pcapng.pid", "-e",
                          "etl2pcapng.tid", "-e", "etl2pcapng.end", "-e", "etl2pcapng.details", "-e", "proc.src.pid",
                          "-e", "proc.src.source", "-e", "proc.src.match", "-e", "proc.dst.pid", "-e",
                          "proc.dst.match", NULL};
    char *out = tshark_ok(args);
    static const char want[] =
        /* outbound: the source socket, at the comment level */
        "1\t4120\t5000\tsource\t\t4120\tetl2pcapng\tcomment\t\t\n"
        /* System's DPC names nothing */
        "2\t4\t80\tdestination\t\t\t\t\t\t\n"
        "3\t2424\t2500\tsource\t\t2424\tetl2pcapng\tcomment\t\t\n"
        /* inbound: the destination socket; vmswitch details shown */
        "4\t2424\t2501\tdestination\tVlanId=0 SrcPortId=7 SrcNicType=Synthetic\t\t\t\t2424\tcomment\n"
        /* a PID that is no number: the end it would name, and no process */
        "5\t\t\tsource\t\t\t\t\t\t\n"
        /* no direction: which end cannot be told */
        "6\t77\t88\t\t\t\t\t\t\t\n"
        /* another comment is not etl2pcapng's */
        "7\t\t\t\t\t\t\t\t\t\n";
    assert_string_equal(out, want);
    g_free(out);
    const char *bad[] = {"-2", "-r", capture, "-Y", "etl2pcapng.bad_value", "-T", "fields", "-e", "frame.number",
                         NULL};
    out = tshark_ok(bad);
    assert_string_equal(out, "5\n");
    g_free(out);
    /* proc.src.pid filters on the comments alone */
    const char *filter[] = {"-2", "-r", capture, "-Y", "udp && proc.pid == 2424", "-T", "fields", "-e",
                            "frame.number", NULL};
    out = tshark_ok(filter);
    assert_string_equal(out, "3\n4\n");
    g_free(out);
    g_unlink(capture);
    g_rmdir(dir);
    g_free(capture);
    g_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pid_tid_comments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
