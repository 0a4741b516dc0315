/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for procshark-record's event decoder (procrec_event).
 *
 * Expected values come from docs/FORMATS.md section 11 (the offsets are written out here as
 * numbers, not taken from the decoder's header) and Linux's include/net/tcp_states.h (7 CLOSE,
 * 2 SYN_SENT, 1 ESTABLISHED, 4 FIN_WAIT1). 1709294400001000000 ns is 2024-03-01T12:00:00.001Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "procrec_event.h"

/* curl (pid 4242, tid 4243, ppid 1000, uid 1000, cgroup 7777) connects 10.0.0.1:50000 to
 * 93.184.216.34:443, CLOSE → SYN_SENT, as the socket's owner. */
static const uint8_t connect4[192] = {
    0x40, 0xc2, 0x9f, 0x58, 0x33, 0xa2, 0xb8, 0x17, 0x01, 0x04, 0x06, 0x01, 0x07, 0x02, 0x00, 0x00,
    0x92, 0x10, 0x00, 0x00, 0x93, 0x10, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00, 0xe8, 0x03, 0x00, 0x00,
    0x61, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5d, 0xb8, 0xd8, 0x22, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0xc3, 0xbb, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x63, 0x75, 0x72, 0x6c, /* "curl", then NULs to byte 191 */
};

/* The record, len bytes of it, from an exactly-sized heap copy so that ASan sees a read past it. */
static bool decode_len(const uint8_t *rec, size_t len, procrec_event *ev)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, rec, len);
    bool ok = procrec_event_decode(copy, len, ev);
    free(copy);
    return ok;
}

static void put_le(uint8_t *rec, size_t off, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        rec[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void assert_no_problems(const procrec_event *ev)
{
    for (size_t i = 0; i < ps_problems_count(&ev->problems); i++)
        print_error("unexpected problem: %s\n", ps_problems_at(&ev->problems, i)->message);
    assert_int_equal(ps_problems_count(&ev->problems), 0);
}

static void assert_described(const procrec_event *ev, const char *want)
{
    char out[256];
    procrec_event_describe(ev, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_connect_ipv4(void **state)
{
    (void)state;
    procrec_event ev;
    assert_true(decode_len(connect4, sizeof connect4, &ev));
    assert_no_problems(&ev);
    assert_true(ev.time_ns == UINT64_C(1709294400001000000));
    assert_int_equal(ev.kind, PROCREC_KIND_TCP);
    assert_int_equal(ev.family, 4);
    assert_int_equal(ev.protocol, 6);
    assert_int_equal(ev.what, PROCREC_CONNECT);
    assert_int_equal(ev.old_state, 7);
    assert_int_equal(ev.new_state, 2);
    assert_int_equal(ev.pid, 4242);
    assert_int_equal(ev.tid, 4243);
    assert_int_equal(ev.ppid, 1000);
    assert_int_equal(ev.uid, 1000);
    assert_true(ev.cgroup_id == 7777);
    assert_memory_equal(ev.local_addr, ((uint8_t[]){10, 0, 0, 1}), 4);
    assert_memory_equal(ev.remote_addr, ((uint8_t[]){93, 184, 216, 34}), 4);
    assert_int_equal(ev.local_port, 50000);
    assert_int_equal(ev.remote_port, 443);
    assert_int_equal(ev.flags, PROCREC_FLAG_OWNER);
    assert_string_equal(ev.comm, "curl");
    assert_string_equal(ev.container_id, "");
    assert_true(ev.lost == 0);
    assert_string_equal(procrec_tcp_state_name(ev.old_state), "CLOSE");
    assert_string_equal(procrec_tcp_state_name(ev.new_state), "SYN_SENT");
    assert_described(&ev, "connect curl (4242) 10.0.0.1:50000 \xe2\x86\x92 93.184.216.34:443");
    procrec_event_clear(&ev);
}

/* A later version's longer record: its first 192 bytes are read, the rest ignored. */
static void test_longer_record(void **state)
{
    (void)state;
    uint8_t rec[256];
    memset(rec, 0xee, sizeof rec);
    memcpy(rec, connect4, sizeof connect4);
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.pid, 4242);
    procrec_event_clear(&ev);
}

/* nginx in a container accepts [::1]:8443 from [::1]:41000 (SYN_RECV → ESTABLISHED). */
static void test_accept_ipv6_container(void **state)
{
    (void)state;
    uint8_t rec[192];
    memcpy(rec, connect4, sizeof rec);
    rec[9] = 6;
    rec[11] = 2;
    rec[12] = 3;
    rec[13] = 1;
    memset(rec + 40, 0, 32);
    rec[55] = 1; /* ::1 */
    rec[71] = 1;
    put_le(rec, 72, 8443, 2);
    put_le(rec, 74, 41000, 2);
    memset(rec + 80, 0, 16);
    memcpy(rec + 80, "nginx", 5);
    const char *id = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    memcpy(rec + 96, id, 64); /* fills its field: no NUL needed */
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.family, 6);
    assert_int_equal(ev.what, PROCREC_ACCEPT);
    assert_int_equal(ev.local_addr[15], 1);
    assert_int_equal(ev.local_port, 8443);
    assert_int_equal(ev.remote_port, 41000);
    assert_string_equal(ev.comm, "nginx");
    assert_string_equal(ev.container_id, id);
    assert_described(&ev, "accept nginx (4242) [::1]:8443 \xe2\x86\x90 [::1]:41000");
    procrec_event_clear(&ev);
}

/* A close in softirq context: no owner flag; both states named. */
static void test_close(void **state)
{
    (void)state;
    uint8_t rec[192];
    memcpy(rec, connect4, sizeof rec);
    rec[11] = 3;
    rec[12] = 1;
    rec[13] = 4;
    put_le(rec, 76, 0, 4);
    memset(rec + 80, 0, 16);
    memcpy(rec + 80, "swapper/1", 9);
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.flags, 0);
    assert_described(&ev, "close swapper/1 (4242) 10.0.0.1:50000 \xe2\x86\x94 93.184.216.34:443 "
                          "ESTABLISHED \xe2\x86\x92 FIN_WAIT1");
    rec[11] = 4;
    procrec_event_clear(&ev);
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.what, PROCREC_STATE);
    procrec_event_clear(&ev);
}

static void test_udp(void **state)
{
    (void)state;
    uint8_t rec[192];
    memcpy(rec, connect4, sizeof rec);
    rec[8] = 2;
    rec[10] = 17;
    rec[11] = 5;
    rec[12] = rec[13] = 0;
    put_le(rec, 74, 53, 2);
    memset(rec + 80, 0, 16);
    memcpy(rec + 80, "dig", 3);
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.kind, PROCREC_KIND_UDP);
    assert_int_equal(ev.protocol, 17);
    assert_described(&ev, "UDP send dig (4242) 10.0.0.1:50000 \xe2\x86\x92 93.184.216.34:53");
    procrec_event_clear(&ev);
    rec[11] = 6;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_described(&ev, "UDP receive dig (4242) 10.0.0.1:50000 \xe2\x86\x90 93.184.216.34:53");
    procrec_event_clear(&ev);
}

/* connect4's socket with its packet fields (FORMATS.md section 11, what 7): curl's segment to
 * 93.184.216.34:443, seq 305419896 (0x12345678), ack 2596069104 (0x9abcdef0), flags PSH|ACK and the
 * AE bit (0x118), leaving the local end. */
static void packet4(uint8_t rec[192])
{
    memcpy(rec, connect4, 192);
    rec[11] = 7;
    rec[12] = rec[13] = 0;
    put_le(rec, 168, 0x12345678, 4);
    put_le(rec, 172, 0x9abcdef0, 4);
    put_le(rec, 176, 0x118, 2);
    rec[182] = 1;
}

static void test_packet_tcp(void **state)
{
    (void)state;
    uint8_t rec[192];
    packet4(rec);
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.what, PROCREC_PACKET);
    assert_int_equal(ev.seq, 305419896);
    assert_int_equal(ev.ack, 2596069104u);
    assert_int_equal(ev.tcp_flags, 0x118);
    assert_int_equal(ev.udp_length, 0);
    assert_int_equal(ev.udp_checksum, 0);
    assert_int_equal(ev.direction, 1);
    assert_int_equal(ev.pid, 4242);
    assert_described(&ev, "packet curl (4242) 10.0.0.1:50000 \xe2\x86\x92 93.184.216.34:443 "
                          "seq 305419896 ack 2596069104 flags 0x118");
    procrec_event_clear(&ev);
    rec[182] = 2;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.direction, 2);
    assert_described(&ev, "packet curl (4242) 10.0.0.1:50000 \xe2\x86\x90 93.184.216.34:443 "
                          "seq 305419896 ack 2596069104 flags 0x118");
    procrec_event_clear(&ev);
}

/* An incoming DNS answer of 56 bytes (UDP length) with checksum 0xfe3d. */
static void test_packet_udp(void **state)
{
    (void)state;
    uint8_t rec[192];
    memcpy(rec, connect4, sizeof rec);
    rec[8] = 2, rec[10] = 17, rec[11] = 7, rec[12] = rec[13] = 0;
    put_le(rec, 74, 53, 2);
    put_le(rec, 178, 56, 2);
    put_le(rec, 180, 0xfe3d, 2);
    rec[182] = 2;
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.kind, PROCREC_KIND_UDP);
    assert_int_equal(ev.udp_length, 56);
    assert_int_equal(ev.udp_checksum, 0xfe3d);
    assert_int_equal(ev.seq, 0);
    assert_int_equal(ev.tcp_flags, 0);
    assert_described(&ev, "packet curl (4242) 10.0.0.1:50000 \xe2\x86\x90 93.184.216.34:53 length 56 checksum 0xfe3d");
    procrec_event_clear(&ev);
}

/* A packet event's fields spoiled one at a time (the TCP one unless udp). */
static void test_hostile_packet(void **state)
{
    (void)state;
    static const struct {
        bool udp;
        size_t off;
        uint8_t value;
        size_t at;
        const char *message;
    } cases[] = {
        {false, 182, 0, 182, "direction 0 is neither 1 (out) nor 2 (in)"},
        {false, 182, 3, 182, "direction 3 is neither 1 (out) nor 2 (in)"},
        {false, 177, 0x11, 176, "TCP flags 0x1118: bits above the 12 of the header are set"},
        {false, 12, 1, 12, "old state 1 in a packet record (0 expected)"},
        {false, 178, 8, 178, "reserved byte 178 is 0x08, not 0"}, /* a UDP length in a TCP packet */
        {false, 183, 1, 183, "reserved byte 183 is 0x01, not 0"},
        {false, 191, 0xff, 191, "reserved byte 191 is 0xff, not 0"},
        {true, 170, 1, 170, "reserved byte 170 is 0x01, not 0"}, /* a seq in a UDP packet */
        {true, 176, 0x10, 176, "reserved byte 176 is 0x10, not 0"},
        {true, 178, 7, 178, "UDP length 7 is less than its header's 8 bytes"},
    };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        uint8_t rec[192];
        packet4(rec);
        if (cases[c].udp) {
            rec[8] = 2, rec[10] = 17;
            memset(rec + 168, 0, 10);
            put_le(rec, 178, 40, 2);
        }
        rec[cases[c].off] = cases[c].value;
        procrec_event ev;
        assert_true(decode_len(rec, sizeof rec, &ev));
        const ps_problem *p = ps_problems_first(&ev.problems);
        if (!p || strcmp(p->message, cases[c].message) != 0)
            print_error("case %zu: got \"%s\", want \"%s\"\n", c, p ? p->message : "(none)", cases[c].message);
        assert_non_null(p);
        assert_int_equal(ps_problems_count(&ev.problems), 1);
        assert_int_equal(p->code, PROCREC_BAD_VALUE);
        assert_int_equal(p->offset, cases[c].at);
        assert_string_equal(p->message, cases[c].message);
        procrec_event_clear(&ev);
    }
}

static void test_lost(void **state)
{
    (void)state;
    uint8_t rec[192] = {0};
    put_le(rec, 0, UINT64_C(1709294400002000000), 8);
    rec[8] = 3;
    put_le(rec, 160, 17, 8);
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.kind, PROCREC_KIND_LOST);
    assert_true(ev.lost == 17);
    assert_described(&ev, "lost 17 events");
    procrec_event_clear(&ev);
}

/* Snapshots (what 8): a TCP row with its state and the time the socket was made after (in lost's
 * bytes); a UDP row, unconnected and made before the first snapshot; an old state is refused. */
static void test_snapshot(void **state)
{
    (void)state;
    uint8_t rec[192];
    memcpy(rec, connect4, sizeof rec);
    rec[11] = 8;
    rec[12] = 0;
    rec[13] = 1;
    put_le(rec, 20, 0, 4); /* no thread: a snapshot sees processes */
    put_le(rec, 160, UINT64_C(1709294399500000000), 8);
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_int_equal(ev.what, PROCREC_SNAPSHOT);
    assert_string_equal(procrec_what_name(ev.what), "snapshot");
    assert_int_equal(ev.new_state, 1);
    assert_true(ev.created_after_ns == UINT64_C(1709294399500000000));
    assert_true(ev.lost == 0);
    assert_described(&ev, "snapshot curl (4242) 10.0.0.1:50000 \xe2\x86\x94 93.184.216.34:443 ESTABLISHED");
    procrec_event_clear(&ev);

    rec[8] = 2;
    rec[10] = 17;
    rec[13] = 0;
    memset(rec + 56, 0, 4);
    put_le(rec, 74, 0, 2);
    put_le(rec, 160, 0, 8);
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_no_problems(&ev);
    assert_true(ev.created_after_ns == 0);
    assert_described(&ev, "snapshot curl (4242) 10.0.0.1:50000 \xe2\x86\x94 0.0.0.0:0");
    procrec_event_clear(&ev);

    rec[12] = 1;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_int_equal(ps_problems_count(&ev.problems), 1);
    assert_int_equal(ps_problems_first(&ev.problems)->offset, 12);
    assert_string_equal(ps_problems_first(&ev.problems)->message, "old state 1 in a snapshot record (0 expected)");
    procrec_event_clear(&ev);
}

/* Every length short of a record: not decoded, one problem saying how far it got. */
static void test_every_truncation(void **state)
{
    (void)state;
    for (size_t len = 0; len < sizeof connect4; len++) {
        procrec_event ev;
        assert_false(decode_len(connect4, len, &ev));
        assert_int_equal(ps_problems_count(&ev.problems), 1);
        const ps_problem *p = ps_problems_first(&ev.problems);
        assert_int_equal(p->code, PROCREC_TRUNCATED);
        assert_int_equal(p->offset, 0);
        char *want = g_strdup_printf("the record ends after %zu of its 192 bytes", len);
        assert_string_equal(p->message, want);
        g_free(want);
        procrec_event_clear(&ev);
    }
}

/* One field spoiled at a time: the problem names it, at its byte. */
static void test_hostile_values(void **state)
{
    (void)state;
    static const struct {
        int kind; /* 0 keeps connect4's TCP, 2 makes it UDP, 3 a lost-events record */
        size_t off;
        uint8_t value;
        int code;
        size_t at;
        const char *message;
    } cases[] = {
        {0, 8, 9, PROCREC_BAD_VALUE, 8, "kind 9 is unknown"},
        {0, 8, 0, PROCREC_BAD_VALUE, 8, "kind 0 is unknown"},
        {0, 9, 5, PROCREC_BAD_VALUE, 9, "family 5 is neither 4 nor 6"},
        {0, 10, 17, PROCREC_BAD_VALUE, 10, "protocol 17 in a TCP socket event record (6 expected)"},
        {2, 10, 6, PROCREC_BAD_VALUE, 10, "protocol 6 in a UDP flow record (17 expected)"},
        {0, 11, 10, PROCREC_BAD_VALUE, 11, "what 10 is unknown"},
        {2, 11, 9, PROCREC_BAD_VALUE, 11, "what 9 (owner) in a UDP flow record"},
        {0, 11, 0, PROCREC_BAD_VALUE, 11, "what 0 is unknown"},
        {0, 11, 5, PROCREC_BAD_VALUE, 11, "what 5 (UDP send) in a TCP socket event record"},
        {2, 11, 1, PROCREC_BAD_VALUE, 11, "what 1 (connect) in a UDP flow record"},
        {0, 12, 14, PROCREC_BAD_VALUE, 12, "old state 14 is no TCP state"},
        {0, 13, 0, PROCREC_BAD_VALUE, 13, "new state 0 is no TCP state"},
        {2, 13, 1, PROCREC_BAD_VALUE, 13, "new state 1 in a UDP record (0 expected)"},
        {0, 14, 1, PROCREC_BAD_VALUE, 14, "reserved byte 14 is 0x01, not 0"},
        {0, 15, 0x80, PROCREC_BAD_VALUE, 15, "reserved byte 15 is 0x80, not 0"},
        {0, 44, 1, PROCREC_BAD_VALUE, 44, "reserved byte 44 is 0x01, not 0"}, /* after an IPv4 address */
        {0, 71, 1, PROCREC_BAD_VALUE, 71, "reserved byte 71 is 0x01, not 0"},
        {0, 76, 3, PROCREC_BAD_VALUE, 76, "flags 0x00000003: bits other than 0 are set"},
        {0, 163, 1, PROCREC_BAD_VALUE, 160, "lost is 16777216 in a TCP socket event record (0 expected)"},
        {2, 160, 2, PROCREC_BAD_VALUE, 160, "lost is 2 in a UDP flow record (0 expected)"},
        {0, 168, 1, PROCREC_BAD_VALUE, 168, "reserved byte 168 is 0x01, not 0"},
        {0, 191, 0xff, PROCREC_BAD_VALUE, 191, "reserved byte 191 is 0xff, not 0"},
        {3, 9, 4, PROCREC_BAD_VALUE, 9, "family 4 in a lost-events record (0 expected)"},
        {0, 82, 0xff, PROCREC_BAD_TEXT, 82, "comm is not UTF-8 (byte 2 of it)"},
        {0, 81, 0x1b, PROCREC_BAD_TEXT, 80, "comm holds control characters"},
        {0, 96, '\n', PROCREC_BAD_TEXT, 96, "container id holds control characters"},
        {0, 96, 0xc3, PROCREC_BAD_TEXT, 96, "container id is not UTF-8 (byte 0 of it)"},
    };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        uint8_t rec[192];
        memcpy(rec, connect4, sizeof rec);
        if (cases[c].kind == 2) {
            rec[8] = 2, rec[10] = 17, rec[11] = 5, rec[12] = rec[13] = 0;
        } else if (cases[c].kind == 3) {
            memset(rec + 9, 0, sizeof rec - 9);
            rec[8] = 3;
        }
        rec[cases[c].off] = cases[c].value;
        procrec_event ev;
        assert_true(decode_len(rec, sizeof rec, &ev));
        const ps_problem *p = ps_problems_first(&ev.problems);
        if (!p || strcmp(p->message, cases[c].message) != 0)
            print_error("case %zu: got \"%s\", want \"%s\"\n", c, p ? p->message : "(none)", cases[c].message);
        assert_non_null(p);
        assert_int_equal(ps_problems_count(&ev.problems), 1);
        assert_int_equal(p->code, cases[c].code);
        assert_int_equal(p->offset, cases[c].at);
        assert_string_equal(p->message, cases[c].message);
        procrec_event_clear(&ev);
    }
}

/* Text is kept, made valid UTF-8 (U+FFFD for each bad byte), so that it can be shown escaped. */
static void test_hostile_text(void **state)
{
    (void)state;
    uint8_t rec[192];
    memcpy(rec, connect4, sizeof rec);
    memset(rec + 80, 'a', 16); /* 16 bytes and no NUL: the kernel's comm never fills its field */
    procrec_event ev;
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_int_equal(ps_problems_count(&ev.problems), 1);
    assert_int_equal(ps_problems_first(&ev.problems)->code, PROCREC_BAD_TEXT);
    assert_int_equal(ps_problems_first(&ev.problems)->offset, 80);
    assert_string_equal(ps_problems_first(&ev.problems)->message, "comm is not NUL-terminated");
    assert_string_equal(ev.comm, "aaaaaaaaaaaaaaaa");
    procrec_event_clear(&ev);

    memset(rec + 80, 0xff, 15);
    rec[95] = 0;
    memset(rec + 96, 0x80, 64);
    assert_true(decode_len(rec, sizeof rec, &ev));
    assert_int_equal(ps_problems_count(&ev.problems), 2);
    GString *want = g_string_new(NULL);
    for (int i = 0; i < 15; i++)
        g_string_append(want, "\xef\xbf\xbd");
    assert_string_equal(ev.comm, want->str);
    g_string_truncate(want, 0);
    for (int i = 0; i < 64; i++)
        g_string_append(want, "\xef\xbf\xbd");
    assert_string_equal(ev.container_id, want->str);
    assert_true(g_utf8_validate(ev.container_id, -1, NULL));
    g_string_free(want, TRUE);
    procrec_event_clear(&ev);
}

static void test_header(void **state)
{
    (void)state;
    const uint8_t good[16] = {'P', 'S', 'R', 'E', 'C', 0, 0, 0, 1, 0, 0, 0, 192, 0, 0, 0};
    procrec_header h;
    ps_problems problems = {0};
    assert_true(procrec_recognise(good, sizeof good));
    assert_true(procrec_header_decode(good, sizeof good, &h, &problems));
    assert_int_equal(ps_problems_count(&problems), 0);
    assert_int_equal(h.version, 1);
    assert_int_equal(h.record_size, 192);

    /* Every truncation: short of the magic it is no such file; after it, a cut header. */
    for (size_t len = 0; len < sizeof good; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, good, len);
        assert_false(procrec_header_decode(copy, len, &h, &problems));
        const ps_problem *p = ps_problems_first(&problems);
        assert_int_equal(ps_problems_count(&problems), 1);
        assert_int_equal(p->code, len < 8 ? PROCREC_BAD_HEADER : PROCREC_TRUNCATED);
        assert_int_equal(p->offset, 0);
        assert_int_equal(p->length, len); /* never past the input */
        free(copy);
        ps_problems_clear(&problems);
    }

    static const struct {
        size_t off;
        uint32_t value;
        bool ok;
        size_t at;
        const char *message;
    } cases[] = {
        {0, 'p', false, 0, "no procshark-record header: the file does not start with \"PSREC\" and three NUL bytes"},
        {8, 0, false, 8, "version 0 is no version of the format"},
        {8, 2, true, 0, NULL},   /* a later version, read by its first 192 bytes */
        {12, 256, true, 0, NULL},
        {12, 191, false, 12, "record size 191 is less than version 1's 192 bytes"},
        {12, 0, false, 12, "record size 0 is less than version 1's 192 bytes"},
        {12, 65537, false, 12, "record size 65537 is implausible (more than 65536 bytes)"},
        {12, UINT32_MAX, false, 12, "record size 4294967295 is implausible (more than 65536 bytes)"},
    };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        uint8_t head[16];
        memcpy(head, good, sizeof head);
        if (cases[c].off == 0)
            head[0] = (uint8_t)cases[c].value;
        else
            put_le(head, cases[c].off, cases[c].value, 4);
        assert_int_equal(procrec_header_decode(head, sizeof head, &h, &problems), cases[c].ok);
        if (cases[c].ok) {
            assert_int_equal(ps_problems_count(&problems), 0);
            continue;
        }
        const ps_problem *p = ps_problems_first(&problems);
        assert_int_equal(ps_problems_count(&problems), 1);
        assert_int_equal(p->code, PROCREC_BAD_HEADER);
        assert_int_equal(p->offset, cases[c].at);
        assert_string_equal(p->message, cases[c].message);
        ps_problems_clear(&problems);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(procrec_tcp_state_name(1), "ESTABLISHED");
    assert_string_equal(procrec_tcp_state_name(10), "LISTEN");
    assert_string_equal(procrec_tcp_state_name(12), "NEW_SYN_RECV");
    assert_null(procrec_tcp_state_name(0));
    assert_null(procrec_tcp_state_name(14));
    assert_string_equal(procrec_what_name(6), "UDP receive");
    assert_string_equal(procrec_what_name(7), "packet");
    assert_null(procrec_what_name(255));
    assert_string_equal(procrec_kind_name(3), "lost events");
    assert_null(procrec_kind_name(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_ipv4),     cmocka_unit_test(test_longer_record),
        cmocka_unit_test(test_accept_ipv6_container), cmocka_unit_test(test_close),
        cmocka_unit_test(test_udp),              cmocka_unit_test(test_lost), cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_every_truncation), cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_hostile_text),     cmocka_unit_test(test_header),
        cmocka_unit_test(test_names),            cmocka_unit_test(test_packet_tcp),
        cmocka_unit_test(test_packet_udp),       cmocka_unit_test(test_hostile_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
