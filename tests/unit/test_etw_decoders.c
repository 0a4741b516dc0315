/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the plain-C ETW decoders: etw_record, etw_net, etw_process.
 * Expected values come from docs/FORMATS.md sections 2 and 3, written out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "etw_image.h"
#include "etw_net.h"
#include "etw_process.h"
#include "etw_record.h"

#define UNUSED(x) (void)(x)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---------------------------------------------------------- */

/* The payload decoders report at most one problem: its code, or 0 (ETW_NET_OK, ETW_PROC_OK). */
static int status_of(const ps_problems *problems)
{
    assert_true(ps_problems_count(problems) <= 1);
    const ps_problem *p = ps_problems_first(problems);
    return p ? p->code : 0;
}

/* The codes of the record's problems as a set of CODE() bits, to compare with the set expected. */
#define CODE(c) (1u << (c))
static unsigned codes_of(const ps_problems *problems)
{
    unsigned set = 0;
    for (size_t i = 0; i < ps_problems_count(problems); i++)
        set |= CODE(ps_problems_at(problems, i)->code);
    return set;
}

/* The bytes after the last field that the Process decoder reported (its problem spans them). */
static size_t trailing_of(const etw_proc_event *ev)
{
    const ps_problem *p = ps_problems_first(&ev->problems);
    return p && p->code == ETW_PROC_TRAILING ? p->length : 0;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex text (spaces allowed) to bytes; fails the test on malformed input. */
static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int high = -1;
    for (const char *p = hex; *p; p++) {
        if (*p == ' ')
            continue;
        int v = nibble(*p);
        assert_true(v >= 0);
        if (high < 0) {
            high = v;
        } else {
            assert_true(n < cap);
            out[n++] = (uint8_t)(high << 4 | v);
            high = -1;
        }
    }
    assert_int_equal(high, -1);
    return n;
}

/* Exactly-sized heap copy of the first len bytes, so ASan sees over-reads. */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    if (len)
        memcpy(p, src, len);
    return p;
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" to record byte order. */
static void guid_from_text(const char *text, uint8_t out[16])
{
    assert_int_equal(strlen(text), 38);
    assert_true(text[0] == '{' && text[37] == '}');
    assert_true(text[9] == '-' && text[14] == '-' && text[19] == '-' && text[24] == '-');
    uint8_t raw[16];
    size_t n = 0;
    for (size_t i = 1; i < 37; i++) {
        if (text[i] == '-')
            continue;
        int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        raw[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    assert_int_equal(n, 16);
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = raw[order[i]];
}

/* Own little-endian writers for hand-built records. */
static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void w64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#define assert_span(sp, o, l)                 \
    do {                                      \
        assert_int_equal((sp).off, (o));      \
        assert_int_equal((sp).len, (l));      \
    } while (0)

#define GUID_TCPIP "{9a280ac0-c8e0-11d1-84e2-00c04fb998a2}"
#define GUID_UDPIP "{bf3a50c5-a9c9-4988-a005-2df0b7c80f80}"
#define GUID_KERNEL_NETWORK "{7dd42a49-5329-4832-8dfd-43d979153a88}"
#define GUID_PROCESS "{3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c}"
#define GUID_IMAGE "{2cb15d1d-5fc1-11d2-abe1-00a0c911f518}"
#define GUID_UNRELATED "{1c95126e-7eea-49a9-a3fe-a378b03ddb4d}"

/* ---- network payloads (literal) --------------------------------------- */

/* docs/FORMATS.md §3, Kernel-Network id 10 and 11 (Windows 7 x64). */
static const char HEX_KN_SEND4_REAL[] =
    "9c0a0000 4d000000 9d38f426 0a796a76 01bb f12b f02f2d00 f12f2d00 00000000 0000000000000000";
static const char HEX_KN_RECV4_REAL[] =
    "9c0a0000 05100000 9d38f426 0a796a76 01bb f12c 00000000 0000000000000000";

/* SEND4, connid 4: pid 4000 size 1460 93.184.216.34:80 <- 192.168.1.20:49152. */
#define SEND4_P4_TEXT \
    "a00f0000 b4050000 5db8d822 c0a80114 0050 c000 64000000 65000000 44332211 ddccbbaa"
static const char HEX_SEND4_P4[] = SEND4_P4_TEXT;
/* GEN4, connid 4 (TcpIp Disconnect). */
static const char HEX_GEN4_P4[] = "a00f0000 00000000 5db8d822 c0a80114 0050 c000 00000000 ddccbbaa";
/* CONN4: pid 4000, remote 93.184.216.34:443, local 192.168.1.20:49153, mss 1460, sack 1, ts 2,
 * ws 3, rcvwin 65535, rcvwinscale 8, sndwinscale -1, seqnum 0x10203040. */
#define CONN4_PREFIX                                                                               \
    "a00f0000 00000000 5db8d822 c0a80114 01bb c001 b405 0100 0200 0300 ffff0000 0800 ffff 40302010 "
static const char HEX_CONN4_P4[] = CONN4_PREFIX "ddccbbaa";
static const char HEX_CONN4_P8[] = CONN4_PREFIX "0807060504030201";
/* AcceptIPV4: pid 1234, remote 192.0.2.7:51000, local 10.0.0.5:80. */
static const char HEX_ACCEPT4[] =
    "d2040000 00000000 c0000207 0a000005 c738 0050 b405 0100 0000 0100 ffff0000 0800 0800 00000000 00000000";

/* SEND6: pid 2716 size 1200, remote [2001:db8::1]:443, local [2001:db8::abcd]:61000. */
#define SEND6_PREFIX                                                                               \
    "9c0a0000 b0040000 20010db8000000000000000000000001 20010db800000000000000000000abcd "       \
    "01bb ee48 f02f2d00 f12f2d00 00000000 "
static const char HEX_SEND6_P4[] = SEND6_PREFIX "00000000";
static const char HEX_SEND6_P8[] = SEND6_PREFIX "0000000000000000";
/* GEN6 (recv): pid 2716 size 4101, same endpoints. */
#define GEN6_PREFIX                                                                                \
    "9c0a0000 05100000 20010db8000000000000000000000001 20010db800000000000000000000abcd "       \
    "01bb ee48 00000000 "
static const char HEX_GEN6_P4[] = GEN6_PREFIX "00000000";
static const char HEX_GEN6_P8[] = GEN6_PREFIX "0000000000000000";

/* CONN6: pid 4660 size 7, remote [2001:db8::1]:443, local [fe80::1234:5678:9abc:def0]:50000,
 * mss 1440, sack 1, ts 2, ws 3, rcvwin 64240, seqnum 0x01020304. */
#define CONN6_ADDRS                                                                                \
    "34120000 07000000 20010db8000000000000000000000001 fe80000000000000123456789abcdef0 "       \
    "01bb c350 a005 0100 0200 0300 f0fa0000 "
/* rcvwinscale -1, sndwinscale -2, connid 0xdeadbeef */
static const char HEX_CONN6_P4[] = CONN6_ADDRS "ffff feff 04030201 efbeadde";
/* rcvwinscale 14, sndwinscale -1, connid 0x0102030405060708 */
static const char HEX_CONN6_P8[] = CONN6_ADDRS "0e00 ffff 04030201 0807060504030201";

static const char HEX_FAIL[] = "0200 0600";

static const uint8_t ADDR_2001_DB8_1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
static const uint8_t ADDR_FE80[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

/* Decodes a literal payload in an exactly-sized heap buffer. */
static void decode_hex(etw_provider provider, uint16_t id, uint8_t opcode, uint8_t version,
                       const char *hex, size_t expect_len, etw_net_event *ev)
{
    uint8_t tmp[256];
    size_t n = hex_to_bytes(hex, tmp, sizeof tmp);
    assert_int_equal(n, expect_len);
    uint8_t *buf = exact_copy(tmp, n);
    assert_true(etw_net_decode(provider, id, opcode, version, buf, n, n, ev));
    free(buf);
}

/* ---- 1. provider GUIDs ------------------------------------------------ */

static void test_guid_parser_stored_order(void **state)
{
    UNUSED(state);
    static const uint8_t tcpip[16] = {0xc0, 0x0a, 0x28, 0x9a, 0xe0, 0xc8, 0xd1, 0x11,
                                      0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2};
    uint8_t g[16];
    guid_from_text(GUID_TCPIP, g);
    assert_memory_equal(g, tcpip, 16);
}

static void test_provider_from_guid_known(void **state)
{
    UNUSED(state);
    static const struct {
        const char *text;
        etw_provider provider;
    } cases[] = {
        {GUID_TCPIP, ETW_PROVIDER_TCPIP},
        {GUID_UDPIP, ETW_PROVIDER_UDPIP},
        {GUID_KERNEL_NETWORK, ETW_PROVIDER_KERNEL_NETWORK},
        {GUID_PROCESS, ETW_PROVIDER_PROCESS},
        {GUID_IMAGE, ETW_PROVIDER_IMAGE},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        uint8_t g[16];
        guid_from_text(cases[i].text, g);
        assert_int_equal(etw_provider_from_guid(g), cases[i].provider);
    }
}

static void test_provider_from_guid_unrelated_is_other(void **state)
{
    UNUSED(state);
    uint8_t g[16];
    guid_from_text(GUID_UNRELATED, g);
    assert_int_equal(etw_provider_from_guid(g), ETW_PROVIDER_OTHER);
    static const uint8_t zero[16] = {0};
    assert_int_equal(etw_provider_from_guid(zero), ETW_PROVIDER_OTHER);
    /* TcpIp with Data1..3 in text (big-endian) order must not match */
    static const uint8_t wrong_order[16] = {0x9a, 0x28, 0x0a, 0xc0, 0xc8, 0xe0, 0x11, 0xd1,
                                            0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2};
    assert_int_equal(etw_provider_from_guid(wrong_order), ETW_PROVIDER_OTHER);
}

static void test_provider_guid_round_trip(void **state)
{
    UNUSED(state);
    static const struct {
        const char *text;
        etw_provider provider;
    } cases[] = {
        {GUID_TCPIP, ETW_PROVIDER_TCPIP},
        {GUID_UDPIP, ETW_PROVIDER_UDPIP},
        {GUID_KERNEL_NETWORK, ETW_PROVIDER_KERNEL_NETWORK},
        {GUID_PROCESS, ETW_PROVIDER_PROCESS},
        {GUID_IMAGE, ETW_PROVIDER_IMAGE},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        uint8_t g[16];
        guid_from_text(cases[i].text, g);
        const uint8_t *stored = etw_provider_guid(cases[i].provider);
        assert_non_null(stored);
        assert_memory_equal(stored, g, 16);
        assert_int_equal(etw_provider_from_guid(stored), cases[i].provider);
    }
    assert_null(etw_provider_guid(ETW_PROVIDER_OTHER));
}

static void test_provider_names(void **state)
{
    UNUSED(state);
    assert_string_equal(etw_provider_name(ETW_PROVIDER_KERNEL_NETWORK), "Microsoft-Windows-Kernel-Network");
    assert_string_equal(etw_provider_name(ETW_PROVIDER_TCPIP), "TcpIp");
    assert_string_equal(etw_provider_name(ETW_PROVIDER_UDPIP), "UdpIp");
    assert_string_equal(etw_provider_name(ETW_PROVIDER_PROCESS), "Process");
    assert_string_equal(etw_provider_name(ETW_PROVIDER_IMAGE), "Image");
}

/* ---- 2. real Kernel-Network payloads ---------------------------------- */

static void test_kn_real_send_ipv4(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 10, 0, 0, HEX_KN_SEND4_REAL, 40, &ev);
    static const uint8_t remote[4] = {157, 56, 244, 38}, local[4] = {10, 121, 106, 118};
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_int_equal(ev.provider, ETW_PROVIDER_KERNEL_NETWORK);
    assert_int_equal(ev.type, 10);
    assert_string_equal(ev.event_name, "SendIPV4");
    assert_string_equal(ev.transport, "TCP");
    assert_int_equal(ev.action, ETW_NET_SEND);
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_SEND4);
    assert_int_equal(ev.ip_version, 4);
    assert_int_equal(ev.connid_width, 8);
    assert_int_equal(ev.expected_len[0], 36);
    assert_int_equal(ev.expected_len[1], 40);
    assert_int_equal(ev.pid, 2716);
    assert_int_equal(ev.size, 77);
    assert_memory_equal(ev.daddr, remote, 4);
    assert_memory_equal(ev.saddr, local, 4);
    assert_int_equal(ev.dport, 443);
    assert_int_equal(ev.sport, 61739);
    assert_int_equal(ev.startime, 2961392);
    assert_int_equal(ev.endtime, 2961393);
    assert_int_equal(ev.seqnum, 0);
    assert_int_equal(ev.connid, 0);
    assert_span(ev.span[ETW_NET_PID], 0, 4);
    assert_span(ev.span[ETW_NET_DADDR], 8, 4);
    assert_span(ev.span[ETW_NET_SPORT], 18, 2);
    assert_span(ev.span[ETW_NET_ENDTIME], 24, 4);
    assert_span(ev.span[ETW_NET_CONNID], 32, 8);
    assert_int_equal(ev.span[ETW_NET_MSS].len, 0);
    assert_true(etw_net_has_byte_count(&ev));
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv4 send 77 bytes 10.121.106.118:61739 → 157.56.244.38:443 pid 2716");
}

static void test_kn_real_recv_ipv4(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 11, 0, 0, HEX_KN_RECV4_REAL, 32, &ev);
    static const uint8_t remote[4] = {157, 56, 244, 38}, local[4] = {10, 121, 106, 118};
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "RecvIPV4");
    assert_string_equal(ev.transport, "TCP");
    assert_int_equal(ev.action, ETW_NET_RECV);
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_GEN4);
    assert_int_equal(ev.ip_version, 4);
    assert_int_equal(ev.connid_width, 8);
    assert_int_equal(ev.expected_len[0], 28);
    assert_int_equal(ev.expected_len[1], 32);
    assert_int_equal(ev.pid, 2716);
    assert_int_equal(ev.size, 4101);
    assert_memory_equal(ev.daddr, remote, 4);
    assert_memory_equal(ev.saddr, local, 4);
    assert_int_equal(ev.dport, 443);
    assert_int_equal(ev.sport, 61740);
    /* GEN4 has no startime/endtime */
    assert_int_equal(ev.span[ETW_NET_STARTIME].len, 0);
    assert_int_equal(ev.span[ETW_NET_ENDTIME].len, 0);
    assert_span(ev.span[ETW_NET_SEQNUM], 20, 4);
    assert_span(ev.span[ETW_NET_CONNID], 24, 8);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv4 recv 4101 bytes 157.56.244.38:443 → 10.121.106.118:61740 pid 2716");
}

/* ---- 3. connect/accept layouts ---------------------------------------- */

static void test_tcpip_send4_connid4(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 10, 2, HEX_SEND4_P4, 36, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_int_equal(ev.type, 10);
    assert_int_equal(ev.connid_width, 4);
    assert_int_equal(ev.pid, 4000);
    assert_int_equal(ev.size, 1460);
    assert_int_equal(ev.dport, 80);
    assert_int_equal(ev.sport, 49152);
    assert_int_equal(ev.startime, 100);
    assert_int_equal(ev.endtime, 101);
    assert_int_equal(ev.seqnum, 0x11223344);
    assert_int_equal(ev.connid, 0xaabbccdd);
    assert_span(ev.span[ETW_NET_CONNID], 32, 4);
}

static void test_tcpip_conn6_connid4_all_fields(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 28, 2, HEX_CONN6_P4, 68, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_int_equal(ev.provider, ETW_PROVIDER_TCPIP);
    assert_int_equal(ev.type, 28);
    assert_int_equal(ev.version, 2);
    assert_string_equal(ev.event_name, "ConnectIPV6");
    assert_string_equal(ev.transport, "TCP");
    assert_int_equal(ev.action, ETW_NET_CONNECT);
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_CONN6);
    assert_int_equal(ev.ip_version, 6);
    assert_int_equal(ev.expected_len[0], 68);
    assert_int_equal(ev.expected_len[1], 72);
    assert_int_equal(ev.connid_width, 4);
    assert_int_equal(ev.pid, 4660);
    assert_int_equal(ev.size, 7);
    assert_memory_equal(ev.daddr, ADDR_2001_DB8_1, 16);
    assert_memory_equal(ev.saddr, ADDR_FE80, 16);
    assert_int_equal(ev.dport, 443);
    assert_int_equal(ev.sport, 50000);
    assert_int_equal(ev.mss, 1440);
    assert_int_equal(ev.sackopt, 1);
    assert_int_equal(ev.tsopt, 2);
    assert_int_equal(ev.wsopt, 3);
    assert_int_equal(ev.rcvwin, 64240);
    assert_true(ev.rcvwinscale == -1);
    assert_true(ev.sndwinscale == -2);
    assert_int_equal(ev.seqnum, 0x01020304);
    assert_int_equal(ev.connid, 0xdeadbeef);
    assert_span(ev.span[ETW_NET_PID], 0, 4);
    assert_span(ev.span[ETW_NET_SIZE], 4, 4);
    assert_span(ev.span[ETW_NET_DADDR], 8, 16);
    assert_span(ev.span[ETW_NET_SADDR], 24, 16);
    assert_span(ev.span[ETW_NET_DPORT], 40, 2);
    assert_span(ev.span[ETW_NET_SPORT], 42, 2);
    assert_span(ev.span[ETW_NET_MSS], 44, 2);
    assert_span(ev.span[ETW_NET_SACKOPT], 46, 2);
    assert_span(ev.span[ETW_NET_TSOPT], 48, 2);
    assert_span(ev.span[ETW_NET_WSOPT], 50, 2);
    assert_span(ev.span[ETW_NET_RCVWIN], 52, 4);
    assert_span(ev.span[ETW_NET_RCVWINSCALE], 56, 2);
    assert_span(ev.span[ETW_NET_SNDWINSCALE], 58, 2);
    assert_span(ev.span[ETW_NET_SEQNUM], 60, 4);
    assert_span(ev.span[ETW_NET_CONNID], 64, 4);
    assert_int_equal(ev.span[ETW_NET_STARTIME].len, 0);
    assert_int_equal(ev.span[ETW_NET_FAIL_PROTO].len, 0);
    assert_false(etw_net_has_byte_count(&ev));
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv6 connect [fe80::1234:5678:9abc:def0]:50000 → [2001:db8::1]:443 pid 4660");
}

static void test_tcpip_conn6_connid8_all_fields(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 28, 2, HEX_CONN6_P8, 72, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_int_equal(ev.connid_width, 8);
    assert_int_equal(ev.pid, 4660);
    assert_int_equal(ev.size, 7);
    assert_memory_equal(ev.daddr, ADDR_2001_DB8_1, 16);
    assert_memory_equal(ev.saddr, ADDR_FE80, 16);
    assert_int_equal(ev.dport, 443);
    assert_int_equal(ev.sport, 50000);
    assert_int_equal(ev.mss, 1440);
    assert_int_equal(ev.sackopt, 1);
    assert_int_equal(ev.tsopt, 2);
    assert_int_equal(ev.wsopt, 3);
    assert_int_equal(ev.rcvwin, 64240);
    assert_true(ev.rcvwinscale == 14);
    assert_true(ev.sndwinscale == -1);
    assert_int_equal(ev.seqnum, 0x01020304);
    assert_true(ev.connid == UINT64_C(0x0102030405060708));
    assert_span(ev.span[ETW_NET_CONNID], 64, 8);
}

static void test_tcpip_conn4_all_fields(void **state)
{
    UNUSED(state);
    static const uint8_t remote[4] = {93, 184, 216, 34}, local[4] = {192, 168, 1, 20};
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 12, 2, HEX_CONN4_P4, 44, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "ConnectIPV4");
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_CONN4);
    assert_int_equal(ev.expected_len[0], 44);
    assert_int_equal(ev.expected_len[1], 48);
    assert_int_equal(ev.connid_width, 4);
    assert_int_equal(ev.pid, 4000);
    assert_memory_equal(ev.daddr, remote, 4);
    assert_memory_equal(ev.saddr, local, 4);
    assert_int_equal(ev.dport, 443);
    assert_int_equal(ev.sport, 49153);
    assert_int_equal(ev.mss, 1460);
    assert_int_equal(ev.sackopt, 1);
    assert_int_equal(ev.tsopt, 2);
    assert_int_equal(ev.wsopt, 3);
    assert_int_equal(ev.rcvwin, 65535);
    assert_true(ev.rcvwinscale == 8);
    assert_true(ev.sndwinscale == -1);
    assert_int_equal(ev.seqnum, 0x10203040);
    assert_int_equal(ev.connid, 0xaabbccdd);
    assert_span(ev.span[ETW_NET_RCVWINSCALE], 32, 2);
    assert_span(ev.span[ETW_NET_SNDWINSCALE], 34, 2);
    assert_span(ev.span[ETW_NET_SEQNUM], 36, 4);
    assert_span(ev.span[ETW_NET_CONNID], 40, 4);

    decode_hex(ETW_PROVIDER_TCPIP, 0, 12, 2, HEX_CONN4_P8, 48, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_int_equal(ev.connid_width, 8);
    assert_true(ev.connid == UINT64_C(0x0102030405060708));
    assert_span(ev.span[ETW_NET_CONNID], 40, 8);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv4 connect 192.168.1.20:49153 → 93.184.216.34:443 pid 4000");
}

static void test_accept4_describe_remote_to_local(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 15, 2, HEX_ACCEPT4, 44, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "AcceptIPV4");
    assert_int_equal(ev.action, ETW_NET_ACCEPT);
    assert_int_equal(ev.dport, 51000);
    assert_int_equal(ev.sport, 80);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv4 accept 192.0.2.7:51000 → 10.0.0.5:80 pid 1234");
}

static void test_accept6_describe_remote_to_local(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 31, 2, HEX_CONN6_P4, 68, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "AcceptIPV6");
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv6 accept [2001:db8::1]:443 → [fe80::1234:5678:9abc:def0]:50000 pid 4660");
}

static void test_kn_send6_decodes(void **state)
{
    UNUSED(state);
    static const uint8_t local[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd};
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 26, 0, 0, HEX_SEND6_P8, 64, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "SendIPV6");
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_SEND6);
    assert_int_equal(ev.connid_width, 8);
    assert_int_equal(ev.size, 1200);
    assert_memory_equal(ev.daddr, ADDR_2001_DB8_1, 16);
    assert_memory_equal(ev.saddr, local, 16);
    assert_int_equal(ev.sport, 61000);
    assert_int_equal(ev.startime, 2961392);
    assert_int_equal(ev.endtime, 2961393);
    assert_span(ev.span[ETW_NET_ENDTIME], 48, 4);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCPv6 send 1200 bytes [2001:db8::abcd]:61000 → [2001:db8::1]:443 pid 2716");
}

/* ---- 4. FAIL ---------------------------------------------------------- */

static void test_fail_tcpip(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 17, 2, HEX_FAIL, 4, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "Fail");
    assert_string_equal(ev.transport, "TCP");
    assert_int_equal(ev.action, ETW_NET_FAIL);
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_FAIL);
    assert_int_equal(ev.ip_version, 0);
    assert_int_equal(ev.connid_width, 0);
    assert_int_equal(ev.expected_len[0], 4);
    assert_int_equal(ev.expected_len[1], 4);
    assert_int_equal(ev.fail_proto, 2);
    assert_int_equal(ev.fail_code, 6);
    assert_span(ev.span[ETW_NET_FAIL_PROTO], 0, 2);
    assert_span(ev.span[ETW_NET_FAIL_CODE], 2, 2);
    assert_int_equal(ev.span[ETW_NET_PID].len, 0);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCP fail IPv4: time-wait address exists");
}

static void test_fail_kernel_network_tcp(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 17, 0, 0, "1700 0100", 4, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.transport, "TCP");
    assert_int_equal(ev.fail_proto, 23);
    assert_int_equal(ev.fail_code, 1);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCP fail IPv6: insufficient resources");
}

static void test_fail_kernel_network_udp(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 49, 0, 0, "1700 0300", 4, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "UdpFail");
    assert_string_equal(ev.transport, "UDP");
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_FAIL);
    assert_int_equal(ev.fail_proto, 23);
    assert_int_equal(ev.fail_code, 3);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "UDP fail IPv6: address exists");
}

static void test_fail_udpip(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_UDPIP, 0, 17, 2, "0200 0500", 4, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.transport, "UDP");
    assert_int_equal(ev.action, ETW_NET_FAIL);
    assert_int_equal(ev.fail_proto, 2);
    assert_int_equal(ev.fail_code, 5);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "UDP fail IPv4: other");
}

static void test_fail_code_and_proto_names(void **state)
{
    UNUSED(state);
    assert_string_equal(etw_net_fail_code_name(1), "insufficient resources");
    assert_string_equal(etw_net_fail_code_name(2), "too many addresses");
    assert_string_equal(etw_net_fail_code_name(3), "address exists");
    assert_string_equal(etw_net_fail_code_name(4), "invalid address");
    assert_string_equal(etw_net_fail_code_name(5), "other");
    assert_string_equal(etw_net_fail_code_name(6), "time-wait address exists");
    assert_string_equal(etw_net_fail_code_name(0), "unknown");
    assert_string_equal(etw_net_fail_code_name(7), "unknown");
    assert_string_equal(etw_net_fail_code_name(0xffff), "unknown");
    assert_string_equal(etw_net_fail_proto_name(2), "IPv4");
    assert_string_equal(etw_net_fail_proto_name(23), "IPv6");
    assert_string_equal(etw_net_fail_proto_name(0), "unknown");
}

/* ---- 5. UDP ----------------------------------------------------------- */

static void test_udpip_recv4(void **state)
{
    UNUSED(state);
    /* reply 8.8.8.8:53 -> 192.168.1.10:54321, pid 908, 512 bytes */
    static const uint8_t src[4] = {8, 8, 8, 8}, dst[4] = {192, 168, 1, 10};
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_UDPIP, 0, 11, 2, "8c030000 00020000 c0a8010a 08080808 d431 0035 00000000 00000000",
               28, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "UdpRecvIPV4");
    assert_string_equal(ev.transport, "UDP");
    assert_int_equal(ev.action, ETW_NET_RECV);
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_GEN4);
    assert_int_equal(ev.ip_version, 4);
    assert_int_equal(ev.connid_width, 4);
    assert_int_equal(ev.pid, 908);
    assert_int_equal(ev.size, 512);
    assert_memory_equal(ev.saddr, src, 4);
    assert_memory_equal(ev.daddr, dst, 4);
    assert_int_equal(ev.sport, 53);
    assert_int_equal(ev.dport, 54321);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "UDPv4 recv 512 bytes 8.8.8.8:53 → 192.168.1.10:54321 pid 908");
}

static void test_kn_udp_recv6(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 59, 0, 0,
               "dc050000 64000000 20010db8000000000000000000000002 20014860486000000000000000008888 "
               "e0a5 0035 00000000 0000000000000000",
               56, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "UdpRecvIPV6");
    assert_string_equal(ev.transport, "UDP");
    assert_int_equal(ev.layout, ETW_NET_LAYOUT_GEN6);
    assert_int_equal(ev.ip_version, 6);
    assert_int_equal(ev.connid_width, 8);
    assert_int_equal(ev.pid, 1500);
    assert_int_equal(ev.size, 100);
    assert_int_equal(ev.sport, 53);
    assert_int_equal(ev.dport, 57509);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "UDPv6 recv 100 bytes [2001:4860:4860::8888]:53 → [2001:db8::2]:57509 pid 1500");
}

static void test_kn_udp_send4_names(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 42, 0, 0, HEX_GEN4_P4, 28, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_string_equal(ev.event_name, "UdpSendIPV4");
    assert_string_equal(ev.transport, "UDP");
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 43, 0, 0, HEX_GEN4_P4, 28, &ev);
    assert_string_equal(ev.event_name, "UdpRecvIPV4");
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 58, 0, 0, HEX_GEN6_P4, 52, &ev);
    assert_string_equal(ev.event_name, "UdpSendIPV6");
    assert_int_equal(ev.ip_version, 6);
    decode_hex(ETW_PROVIDER_UDPIP, 0, 27, 2, HEX_GEN6_P8, 56, &ev);
    assert_string_equal(ev.event_name, "UdpRecvIPV6");
    assert_string_equal(ev.transport, "UDP");
}

/* ---- 6. truncation at every length ------------------------------------ */

typedef struct {
    const char *name;
    etw_provider provider;
    uint16_t id;
    uint8_t opcode;
    uint8_t version;
    const char *hex;
    size_t full_len;
    size_t connid; /* 0 for FAIL */
} net_case;

static const net_case truncation_cases[] = {
    {"SEND4/4", ETW_PROVIDER_TCPIP, 0, 10, 2, HEX_SEND4_P4, 36, 4},
    {"SEND4/8", ETW_PROVIDER_KERNEL_NETWORK, 10, 0, 0, HEX_KN_SEND4_REAL, 40, 8},
    {"GEN4/4", ETW_PROVIDER_TCPIP, 0, 13, 2, HEX_GEN4_P4, 28, 4},
    {"GEN4/8", ETW_PROVIDER_KERNEL_NETWORK, 11, 0, 0, HEX_KN_RECV4_REAL, 32, 8},
    {"CONN4/4", ETW_PROVIDER_TCPIP, 0, 12, 2, HEX_CONN4_P4, 44, 4},
    {"CONN4/8", ETW_PROVIDER_TCPIP, 0, 15, 2, HEX_CONN4_P8, 48, 8},
    {"SEND6/4", ETW_PROVIDER_TCPIP, 0, 26, 2, HEX_SEND6_P4, 60, 4},
    {"SEND6/8", ETW_PROVIDER_KERNEL_NETWORK, 26, 0, 0, HEX_SEND6_P8, 64, 8},
    {"GEN6/4", ETW_PROVIDER_UDPIP, 0, 27, 2, HEX_GEN6_P4, 52, 4},
    {"GEN6/8", ETW_PROVIDER_KERNEL_NETWORK, 27, 0, 0, HEX_GEN6_P8, 56, 8},
    {"CONN6/4", ETW_PROVIDER_TCPIP, 0, 28, 2, HEX_CONN6_P4, 68, 4},
    {"CONN6/8", ETW_PROVIDER_KERNEL_NETWORK, 31, 0, 0, HEX_CONN6_P8, 72, 8},
    {"FAIL", ETW_PROVIDER_TCPIP, 0, 17, 2, HEX_FAIL, 4, 0},
};

static void assert_net_spans_within(const etw_net_event *ev, size_t len)
{
    for (int f = 0; f < ETW_NET_FIELD_COUNT; f++)
        if (ev->span[f].len)
            assert_true(ev->span[f].off + ev->span[f].len <= len);
}

static void test_net_truncated_every_length(void **state)
{
    UNUSED(state);
    for (size_t c = 0; c < COUNT(truncation_cases); c++) {
        const net_case *nc = &truncation_cases[c];
        uint8_t full[128];
        assert_int_equal(hex_to_bytes(nc->hex, full, sizeof full), nc->full_len);
        size_t prefix = nc->full_len - nc->connid;
        for (size_t len = 0; len < nc->full_len; len++) {
            uint8_t *buf = exact_copy(full, len);
            etw_net_event ev;
            assert_true(etw_net_decode(nc->provider, nc->id, nc->opcode, nc->version, buf, len, len, &ev));
            if (nc->connid == 0 || len < prefix + 4) {
                assert_int_equal(status_of(&ev.problems), ETW_NET_TRUNCATED);
                assert_int_equal(ev.connid_width, 0);
            } else if (len == prefix + 4) {
                /* a full connid-4 payload: valid by the spec, not a truncation */
                assert_int_equal(nc->connid, 8);
                assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
                assert_int_equal(ev.connid_width, 4);
            } else {
                assert_int_equal(status_of(&ev.problems), ETW_NET_BAD_LENGTH);
                assert_int_equal(ev.span[ETW_NET_CONNID].len, 0);
            }
            assert_net_spans_within(&ev, len);
            if (nc->connid && len >= 4)
                assert_span(ev.span[ETW_NET_PID], 0, 4);
            if (nc->connid && len < 4)
                assert_int_equal(ev.span[ETW_NET_PID].len, 0);
            if (!nc->connid && len >= 2)
                assert_span(ev.span[ETW_NET_FAIL_PROTO], 0, 2);
            ps_problems_clear(&ev.problems);
            free(buf);
        }
    }
}

static void test_net_cut_short_of_declared_length(void **state)
{
    UNUSED(state);
    for (size_t c = 0; c < COUNT(truncation_cases); c++) {
        const net_case *nc = &truncation_cases[c];
        uint8_t full[128];
        assert_int_equal(hex_to_bytes(nc->hex, full, sizeof full), nc->full_len);
        for (size_t len = 0; len < nc->full_len; len++) {
            uint8_t *buf = exact_copy(full, len);
            etw_net_event ev;
            assert_true(etw_net_decode(nc->provider, nc->id, nc->opcode, nc->version, buf, len,
                                       nc->full_len, &ev));
            assert_int_not_equal(status_of(&ev.problems), ETW_NET_OK);
            assert_int_equal(status_of(&ev.problems), ETW_NET_TRUNCATED);
            assert_int_equal(ev.connid_width, nc->connid);
            assert_int_equal(ev.span[ETW_NET_CONNID].len, 0);
            assert_net_spans_within(&ev, len);
            ps_problems_clear(&ev.problems);
            free(buf);
        }
    }
}

static void test_net_reads_nothing_past_declared_length(void **state)
{
    UNUSED(state);
    uint8_t full[40];
    assert_int_equal(hex_to_bytes(HEX_KN_SEND4_REAL, full, sizeof full), 40);
    etw_net_event ev;
    /* 40 bytes at hand, 8 declared: only pid and size belong to the payload */
    assert_true(etw_net_decode(ETW_PROVIDER_KERNEL_NETWORK, 10, 0, 0, full, 40, 8, &ev));
    assert_int_equal(status_of(&ev.problems), ETW_NET_TRUNCATED);
    assert_int_equal(ev.pid, 2716);
    assert_int_equal(ev.size, 77);
    assert_int_equal(ev.span[ETW_NET_DADDR].len, 0);
    assert_int_equal(ev.span[ETW_NET_SPORT].len, 0);
    assert_int_equal(ev.sport, 0);
    ps_problems_clear(&ev.problems);
}

/* ---- 7. bad lengths --------------------------------------------------- */

static void test_send4_38_bytes_bad_length(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 10, 2, SEND4_P4_TEXT " aabb", 38, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_BAD_LENGTH);
    assert_int_equal(ev.expected_len[0], 36);
    assert_int_equal(ev.expected_len[1], 40);
    assert_int_equal(ev.connid_width, 0);
    assert_int_equal(ev.span[ETW_NET_CONNID].len, 0);
    /* fields inside the bounds are still decoded */
    assert_int_equal(ev.pid, 4000);
    assert_int_equal(ev.seqnum, 0x11223344);
    assert_span(ev.span[ETW_NET_SEQNUM], 28, 4);
    /* the problem covers the payload and says what the layout allows */
    const ps_problem *p = ps_problems_first(&ev.problems);
    assert_int_equal(p->offset, 0);
    assert_int_equal(p->length, 38);
    assert_string_equal(p->message, "SendIPV4 payload of 38 bytes fits no layout (expected 36 or 40 bytes)");
    ps_problems_clear(&ev.problems);
}

static void test_fail_6_bytes_bad_length(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 17, 2, "0200 0600 0000", 6, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_BAD_LENGTH);
    assert_int_equal(ev.expected_len[0], 4);
    assert_int_equal(ev.expected_len[1], 4);
    assert_int_equal(ev.fail_proto, 2);
    assert_int_equal(ev.fail_code, 6);
    ps_problems_clear(&ev.problems);
}

/* ---- 8. versions and unknown events ----------------------------------- */

static void test_tcpip_version1_pre_vista(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 10, 1, HEX_SEND4_P4, 36, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_PRE_VISTA);
    assert_int_equal(ev.span[ETW_NET_PID].len, 0); /* not decoded */
    assert_int_equal(ev.pid, 0);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "TCP SendIPV4 version 1, not decoded");
    ps_problems_clear(&ev.problems);
    decode_hex(ETW_PROVIDER_TCPIP, 0, 10, 0, HEX_SEND4_P4, 36, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_PRE_VISTA);
    ps_problems_clear(&ev.problems);
}

static void test_tcpip_version3_unknown(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_TCPIP, 0, 10, 3, HEX_SEND4_P4, 36, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_UNKNOWN_VERSION);
    assert_int_equal(ev.span[ETW_NET_PID].len, 0);
    ps_problems_clear(&ev.problems);
}

static void test_kernel_network_version1_unknown(void **state)
{
    UNUSED(state);
    etw_net_event ev;
    decode_hex(ETW_PROVIDER_KERNEL_NETWORK, 10, 0, 1, HEX_KN_SEND4_REAL, 40, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_NET_UNKNOWN_VERSION);
    assert_int_equal(ev.span[ETW_NET_PID].len, 0);
    ps_problems_clear(&ev.problems);
}

static void test_unknown_events(void **state)
{
    UNUSED(state);
    static const struct {
        etw_provider provider;
        uint16_t id;
        uint8_t opcode;
        uint8_t version;
    } cases[] = {
        {ETW_PROVIDER_KERNEL_NETWORK, 33, 0, 0},
        {ETW_PROVIDER_KERNEL_NETWORK, 99, 0, 0},
        {ETW_PROVIDER_UDPIP, 0, 12, 2},
        {ETW_PROVIDER_UDPIP, 0, 18, 2},  /* a TCP-only type */
        {ETW_PROVIDER_TCPIP, 0, 42, 2},  /* a Kernel-Network UDP id */
    };
    uint8_t payload[40];
    hex_to_bytes(HEX_KN_SEND4_REAL, payload, sizeof payload);
    for (size_t i = 0; i < COUNT(cases); i++) {
        etw_net_event ev;
        assert_true(etw_net_decode(cases[i].provider, cases[i].id, cases[i].opcode, cases[i].version,
                                   payload, sizeof payload, sizeof payload, &ev));
        assert_int_equal(status_of(&ev.problems), ETW_NET_UNKNOWN_EVENT);
        assert_null(ev.event_name);
        assert_null(ev.transport);
        assert_int_equal(ev.span[ETW_NET_PID].len, 0);
        ps_problems_clear(&ev.problems);
    }
    etw_net_event ev;
    etw_net_decode(ETW_PROVIDER_KERNEL_NETWORK, 99, 0, 0, payload, sizeof payload, sizeof payload, &ev);
    char text[256];
    etw_net_describe(&ev, text, sizeof text);
    assert_string_equal(text, "Microsoft-Windows-Kernel-Network unknown event 99");
    ps_problems_clear(&ev.problems);
}

static void test_net_decode_rejects_other_providers(void **state)
{
    UNUSED(state);
    uint8_t payload[40];
    hex_to_bytes(HEX_KN_SEND4_REAL, payload, sizeof payload);
    etw_net_event ev;
    assert_false(etw_net_decode(ETW_PROVIDER_PROCESS, 10, 10, 2, payload, 40, 40, &ev));
    assert_false(etw_net_decode(ETW_PROVIDER_OTHER, 10, 10, 0, payload, 40, 40, &ev));
}

/* ---- 9. record framing ------------------------------------------------ */

#define REC_TIMESTAMP UINT64_C(133537680000000000)

/* 96-byte header with distinct values in every field; lengths given. */
static void write_header(uint8_t *h, uint16_t size, uint32_t udl, uint32_t ml, uint32_t pnl)
{
    memset(h, 0, ETW_HEADER_SIZE);
    w16(h + 0, size);
    w16(h + 2, 0x0012);
    w16(h + 4, 0x0040);
    w16(h + 6, 0x0001);
    w32(h + 8, 0x00001a2b);
    w32(h + 12, 0xffffffff);
    w64(h + 16, REC_TIMESTAMP);
    guid_from_text(GUID_KERNEL_NETWORK, h + 24);
    w16(h + 40, 10);
    h[42] = 0;    /* version */
    h[43] = 0x10; /* channel */
    h[44] = 4;    /* level */
    h[45] = 0x0b; /* opcode */
    w16(h + 46, 0x000a);
    w64(h + 48, UINT64_C(0x8000000000000010));
    w64(h + 56, UINT64_C(0x0000000500000007));
    for (int i = 0; i < 16; i++)
        h[64 + i] = (uint8_t)(0xa0 + i);
    h[80] = 3;
    h[81] = 2;
    w16(h + 82, 0x0011);
    w32(h + 84, udl);
    w32(h + 88, ml);
    w32(h + 92, pnl);
}

/* header + SEND4 payload (40) + provider name "Abc" (8) = 144 bytes */
static size_t build_sample_record(uint8_t *out)
{
    write_header(out, 144, 40, 0, 8);
    assert_int_equal(hex_to_bytes(HEX_KN_SEND4_REAL, out + 96, 40), 40);
    assert_int_equal(hex_to_bytes("4100 6200 6300 0000", out + 136, 8), 8);
    return 144;
}

static void test_record_parse_all_header_fields(void **state)
{
    UNUSED(state);
    uint8_t tmp[144];
    size_t n = build_sample_record(tmp);
    uint8_t *buf = exact_copy(tmp, n);
    etw_record rec;
    assert_true(etw_record_parse(buf, n, &rec));
    uint8_t guid[16];
    guid_from_text(GUID_KERNEL_NETWORK, guid);
    static const uint8_t activity[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                         0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
    assert_int_equal(rec.size, 144);
    assert_int_equal(rec.header_type, 0x0012);
    assert_int_equal(rec.flags, ETW_FLAG_64_BIT_HEADER);
    assert_int_equal(rec.event_property, 1);
    assert_int_equal(rec.thread_id, 0x1a2b);
    assert_int_equal(rec.process_id, 0xffffffff);
    assert_true(rec.timestamp == REC_TIMESTAMP);
    assert_memory_equal(rec.provider_id, guid, 16);
    assert_int_equal(etw_provider_from_guid(rec.provider_id), ETW_PROVIDER_KERNEL_NETWORK);
    assert_int_equal(rec.id, 10);
    assert_int_equal(rec.version, 0);
    assert_int_equal(rec.channel, 0x10);
    assert_int_equal(rec.level, 4);
    assert_int_equal(rec.opcode, 0x0b);
    assert_int_equal(rec.task, 0x000a);
    assert_true(rec.keyword == UINT64_C(0x8000000000000010));
    assert_true(rec.processor_time == UINT64_C(0x0000000500000007));
    assert_memory_equal(rec.activity_id, activity, 16);
    assert_int_equal(rec.processor_number, 3);
    assert_int_equal(rec.alignment, 2);
    assert_int_equal(rec.logger_id, 0x0011);
    assert_int_equal(rec.user_data_length, 40);
    assert_int_equal(rec.message_length, 0);
    assert_int_equal(rec.provider_name_length, 8);
    assert_span(rec.user_data, 96, 40);
    assert_span(rec.message, 136, 0);
    assert_span(rec.provider_name, 136, 8);
    assert_int_equal(codes_of(&rec.problems), 0);

    /* the payload found through the spans decodes */
    etw_net_event ev;
    assert_true(etw_net_decode(etw_provider_from_guid(rec.provider_id), rec.id, rec.opcode, rec.version,
                               buf + rec.user_data.off, rec.user_data.len, rec.user_data_length, &ev));
    assert_int_equal(status_of(&ev.problems), ETW_NET_OK);
    assert_int_equal(ev.size, 77);
    free(buf);
}

static void test_record_parse_padding_between_parts(void **state)
{
    UNUSED(state);
    /* user data 5 (pad 3), message 6 (pad 2), provider name 2: 96 + 8 + 8 + 4 = 116 */
    uint8_t tmp[116] = {0};
    write_header(tmp, 116, 5, 6, 2);
    etw_record rec;
    uint8_t *buf = exact_copy(tmp, sizeof tmp);
    assert_true(etw_record_parse(buf, sizeof tmp, &rec));
    assert_span(rec.user_data, 96, 5);
    assert_span(rec.message, 104, 6);
    assert_span(rec.provider_name, 112, 2);
    assert_int_equal(codes_of(&rec.problems), 0);
    free(buf);
}

static void test_record_parse_short_header(void **state)
{
    UNUSED(state);
    uint8_t tmp[144];
    build_sample_record(tmp);
    for (size_t len = 0; len < 96; len++) {
        uint8_t *buf = exact_copy(tmp, len);
        etw_record rec;
        memset(&rec, 0x5a, sizeof rec);
        assert_false(etw_record_parse(buf, len, &rec));
        assert_int_equal(codes_of(&rec.problems), CODE(ETW_REC_SHORT_HEADER));
        assert_int_equal(rec.size, 0);
        assert_int_equal(rec.user_data.len, 0);
        ps_problems_clear(&rec.problems);
        free(buf);
    }
}

static void test_record_parse_userdata_overflow(void **state)
{
    UNUSED(state);
    uint8_t tmp[144];
    build_sample_record(tmp);
    w32(tmp + 84, 100); /* points past the 136-byte record below */
    uint8_t *buf = exact_copy(tmp, 136);
    etw_record rec;
    assert_true(etw_record_parse(buf, 136, &rec));
    assert_int_equal(rec.user_data_length, 100);
    assert_span(rec.user_data, 96, 40);
    assert_int_equal(codes_of(&rec.problems),
                     CODE(ETW_REC_USERDATA_OVERFLOW) | CODE(ETW_REC_PROVIDER_NAME_OVERFLOW));
    assert_int_equal(rec.provider_name.len, 0);
    assert_true(rec.provider_name.off <= 136);
    /* each problem is placed on its length field */
    const ps_problem *p = ps_problems_first(&rec.problems);
    assert_int_equal(p->offset, 84);
    assert_int_equal(p->length, 4);
    assert_string_equal(p->message, "UserDataLength 100 points past the end of the 136-byte record");
    assert_int_equal(ps_problems_at(&rec.problems, 1)->offset, 92);
    ps_problems_clear(&rec.problems);
    free(buf);
}

static void test_record_parse_huge_lengths_stay_inside(void **state)
{
    UNUSED(state);
    static const uint32_t huge[] = {0xffffffffu, 0xfffffffdu, 0x80000000u};
    for (size_t i = 0; i < COUNT(huge); i++) {
        uint8_t tmp[144];
        build_sample_record(tmp);
        w32(tmp + 84, huge[i]);
        w32(tmp + 88, huge[i]);
        w32(tmp + 92, huge[i]);
        uint8_t *buf = exact_copy(tmp, 144);
        etw_record rec;
        assert_true(etw_record_parse(buf, 144, &rec));
        assert_int_equal(codes_of(&rec.problems), CODE(ETW_REC_USERDATA_OVERFLOW) | CODE(ETW_REC_MESSAGE_OVERFLOW) |
                                                      CODE(ETW_REC_PROVIDER_NAME_OVERFLOW));
        assert_span(rec.user_data, 96, 48);
        assert_true(rec.message.off + rec.message.len <= 144);
        assert_true(rec.provider_name.off + rec.provider_name.len <= 144);
        assert_int_equal(rec.message.len, 0);
        assert_int_equal(rec.provider_name.len, 0);
        ps_problems_clear(&rec.problems);
        free(buf);
    }
    /* sane user data, huge message */
    uint8_t tmp[144];
    build_sample_record(tmp);
    w32(tmp + 88, 0xffffffffu);
    etw_record rec;
    assert_true(etw_record_parse(tmp, 144, &rec));
    assert_span(rec.user_data, 96, 40);
    assert_span(rec.message, 136, 8);
    assert_int_equal(codes_of(&rec.problems),
                     CODE(ETW_REC_MESSAGE_OVERFLOW) | CODE(ETW_REC_PROVIDER_NAME_OVERFLOW));
    assert_true(rec.provider_name.off + rec.provider_name.len <= 144);
    ps_problems_clear(&rec.problems);
}

static void test_record_build_round_trip(void **state)
{
    UNUSED(state);
    etw_record_fields f;
    memset(&f, 0, sizeof f);
    f.flags = ETW_FLAG_64_BIT_HEADER | ETW_FLAG_CLASSIC_HEADER;
    f.thread_id = 0x1a2b;
    f.process_id = 4;
    f.timestamp = REC_TIMESTAMP;
    guid_from_text(GUID_TCPIP, f.provider_id);
    f.id = 0;
    f.version = 2;
    f.opcode = 10;
    f.level = 4;
    f.task = 0x0102;
    f.keyword = UINT64_C(0x0000000000010000);
    f.processor_number = 7;
    uint8_t payload[36];
    hex_to_bytes(HEX_SEND4_P4, payload, sizeof payload);
    static const uint8_t msg[6] = {'h', 0, 'i', 0, 0, 0};
    static const uint8_t name[8] = {'A', 0, 'b', 0, 'c', 0, 0, 0};

    size_t size = etw_record_size(36, 6, 8);
    assert_int_equal(size, 96 + 36 + 8 + 8);
    uint8_t *buf = malloc(size);
    assert_non_null(buf);
    assert_int_equal(etw_record_build(buf, &f, payload, 36, msg, 6, name, 8), size);

    etw_record rec;
    assert_true(etw_record_parse(buf, size, &rec));
    assert_int_equal(codes_of(&rec.problems), 0);
    assert_int_equal(rec.size, size);
    assert_int_equal(rec.flags, f.flags);
    assert_int_equal(rec.thread_id, f.thread_id);
    assert_int_equal(rec.process_id, f.process_id);
    assert_true(rec.timestamp == f.timestamp);
    assert_memory_equal(rec.provider_id, f.provider_id, 16);
    assert_int_equal(rec.id, f.id);
    assert_int_equal(rec.version, f.version);
    assert_int_equal(rec.opcode, f.opcode);
    assert_int_equal(rec.level, f.level);
    assert_int_equal(rec.task, f.task);
    assert_true(rec.keyword == f.keyword);
    assert_int_equal(rec.processor_number, f.processor_number);
    assert_int_equal(rec.user_data_length, 36);
    assert_int_equal(rec.message_length, 6);
    assert_int_equal(rec.provider_name_length, 8);
    assert_span(rec.user_data, 96, 36);
    assert_span(rec.message, 132, 6);
    assert_span(rec.provider_name, 140, 8);
    assert_memory_equal(buf + 96, payload, 36);
    assert_memory_equal(buf + 132, msg, 6);
    assert_int_equal(buf[138], 0); /* padding */
    assert_int_equal(buf[139], 0);
    assert_memory_equal(buf + 140, name, 8);
    free(buf);
}

static void test_record_size_rounds_to_4(void **state)
{
    UNUSED(state);
    assert_int_equal(etw_record_size(5, 0, 0), 104);
    assert_int_equal(etw_record_size(0, 0, 0), 96);
    assert_int_equal(etw_record_size(4, 1, 7), 96 + 4 + 4 + 8);
    assert_int_equal(etw_record_size(40, 0, 8), 144);
}

/* ---- 10. FILETIME ----------------------------------------------------- */

static void test_filetime_unix_epoch(void **state)
{
    UNUSED(state);
    uint64_t us = 12345;
    assert_true(etw_filetime_to_unix_us(UINT64_C(116444736000000000), &us));
    assert_true(us == 0);
}

static void test_filetime_2024_03_01(void **state)
{
    UNUSED(state);
    uint64_t us = 0;
    assert_true(etw_filetime_to_unix_us(UINT64_C(133537680000000000), &us));
    assert_true(us == UINT64_C(1709294400000000));
}

static void test_filetime_before_1970_false(void **state)
{
    UNUSED(state);
    uint64_t us = 0;
    assert_false(etw_filetime_to_unix_us(UINT64_C(116444735999999990), &us));
    assert_false(etw_filetime_to_unix_us(0, &us));
}

static void test_unix_us_to_filetime_inverse(void **state)
{
    UNUSED(state);
    assert_true(etw_unix_us_to_filetime(0) == UINT64_C(116444736000000000));
    assert_true(etw_unix_us_to_filetime(UINT64_C(1709294400000000)) == UINT64_C(133537680000000000));
    static const uint64_t samples[] = {1, UINT64_C(1709294400123456), UINT64_C(4102444800000000)};
    for (size_t i = 0; i < COUNT(samples); i++) {
        uint64_t back = 0;
        assert_true(etw_filetime_to_unix_us(etw_unix_us_to_filetime(samples[i]), &back));
        assert_true(back == samples[i]);
    }
}

/* ---- 11. Process ------------------------------------------------------ */

/* (a) v3, 64-bit Start: pid 4242 ppid 700, S-1-5-21-1004336348-1177238915-682003330-1001,
 * "curl.exe", L"curl.exe https://example.com/"; 145 bytes. */
#define PROC_A_FIXED "7856341200a0ffff 92100000 bc020000 01000000 03010000 0000cdab01000000 "
static const char HEX_PROC_A[] =
    PROC_A_FIXED
    "a0b1c2d3e4f5ffff 0000000000000000 "
    "0105000000000005 15000000 dcf4dc3b 833d2b46 828ba628 e9030000 "
    "6375726c2e65786500 "
    "6300750072006c002e006500780065002000680074007400700073003a002f002f00"
    "6500780061006d0070006c0065002e0063006f006d002f000000";

/* (b) v4, 32-bit DCEnd: pid 1234 ppid 640, flags 0x10, S-1-5-18, "svchost.exe", L"svchost -k",
 * L"Pkg_1.0", L"App"; 106 bytes. */
static const char HEX_PROC_B[] =
    "20c0a385 d2040000 80020000 00000000 03010000 0000e37e 10000000 "
    "18f3a285 00000000 0101000000000005 12000000 "
    "737663686f73742e65786500 "
    "73007600630068006f007300740020002d006b000000 "
    "50006b0067005f0031002e0030000000 "
    "4100700070000000";

/* (c) v5, 64-bit Defunct: pid 5000 ppid 4242, exit -1073741510, S-1-5-19, "a.exe", L"a", L"", L"",
 * ExitTime 133537680000000000; 86 bytes. */
static const char HEX_PROC_C[] =
    "0080bd5c0ee0ffff 88130000 92100000 01000000 3a0100c0 00f0123400000000 00000000 "
    "a0b1c2d3e4f5ffff 0000000000000000 0101000000000005 13000000 "
    "612e65786500 61000000 0000 0000 "
    "00a087fccf6bda01";

/* (d) v4, 64-bit DCStart, no SID: pid 4 ppid 0 session 0xffffffff, "System"; 53 bytes. */
static const char HEX_PROC_D[] =
    "c0e0a01100f8ffff 04000000 00000000 ffffffff 03010000 00a0180000000000 00000000 "
    "00000000 "
    "53797374656d00 0000 0000 0000";

static void decode_proc_hex(uint8_t opcode, uint8_t version, unsigned ptr, const char *hex,
                            size_t expect_len, etw_proc_event *ev)
{
    uint8_t tmp[2048];
    size_t n = hex_to_bytes(hex, tmp, sizeof tmp);
    assert_int_equal(n, expect_len);
    uint8_t *buf = exact_copy(tmp, n);
    etw_proc_decode(opcode, version, ptr, buf, n, ev);
    free(buf);
}

static void assert_proc_spans_within(const etw_proc_event *ev, size_t len)
{
    for (int f = 0; f < ETW_PROC_FIELD_COUNT; f++)
        if (ev->span[f].len)
            assert_true(ev->span[f].off + ev->span[f].len <= len);
}

static void test_proc_v3_start_64bit(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(1, 3, 8, HEX_PROC_A, 145, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_int_equal(ev.opcode, 1);
    assert_int_equal(ev.version, 3);
    assert_string_equal(ev.event_name, "Start");
    assert_int_equal(ev.pointer_size, 8);
    assert_int_equal(trailing_of(&ev), 0);
    assert_true(ev.key == UINT64_C(0xffffa00012345678));
    assert_int_equal(ev.pid, 4242);
    assert_int_equal(ev.ppid, 700);
    assert_int_equal(ev.session, 1);
    assert_int_equal(ev.exit_status, 259);
    assert_true(ev.directory_table_base == UINT64_C(0x1abcd0000));
    assert_int_equal(ev.flags, 0);
    assert_string_equal(ev.sid, "S-1-5-21-1004336348-1177238915-682003330-1001");
    assert_span(ev.span[ETW_PROC_KEY], 0, 8);
    assert_span(ev.span[ETW_PROC_PID], 8, 4);
    assert_span(ev.span[ETW_PROC_PPID], 12, 4);
    assert_span(ev.span[ETW_PROC_SESSION], 16, 4);
    assert_span(ev.span[ETW_PROC_EXIT_STATUS], 20, 4);
    assert_span(ev.span[ETW_PROC_DIRECTORY_TABLE_BASE], 24, 8);
    assert_int_equal(ev.span[ETW_PROC_FLAGS].len, 0);
    assert_span(ev.span[ETW_PROC_SID], 32, 16 + 8 + 20);
    assert_span(ev.span[ETW_PROC_IMAGE], 76, 9);
    assert_span(ev.span[ETW_PROC_CMDLINE], 85, 60);
    assert_int_equal(ev.span[ETW_PROC_PACKAGE].len, 0);
    assert_int_equal(ev.span[ETW_PROC_APPID].len, 0);
    assert_int_equal(ev.span[ETW_PROC_EXIT_TIME].len, 0);
    char text[256];
    etw_proc_describe(&ev, "curl.exe", text, sizeof text);
    assert_string_equal(text, "Process start curl.exe (4242) ppid 700");
    etw_proc_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Process start pid 4242 ppid 700");
}

static void test_proc_v4_dcend_32bit(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(4, 4, 4, HEX_PROC_B, 106, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_string_equal(ev.event_name, "DCEnd");
    assert_int_equal(ev.pointer_size, 4);
    assert_int_equal(ev.key, 0x85a3c020);
    assert_int_equal(ev.pid, 1234);
    assert_int_equal(ev.ppid, 640);
    assert_int_equal(ev.session, 0);
    assert_int_equal(ev.exit_status, 259);
    assert_int_equal(ev.directory_table_base, 0x7ee30000);
    assert_int_equal(ev.flags, 0x10);
    assert_string_equal(ev.sid, "S-1-5-18");
    assert_span(ev.span[ETW_PROC_KEY], 0, 4);
    assert_span(ev.span[ETW_PROC_PID], 4, 4);
    assert_span(ev.span[ETW_PROC_DIRECTORY_TABLE_BASE], 20, 4);
    assert_span(ev.span[ETW_PROC_FLAGS], 24, 4);
    assert_span(ev.span[ETW_PROC_SID], 28, 8 + 12);
    assert_span(ev.span[ETW_PROC_IMAGE], 48, 12);
    assert_span(ev.span[ETW_PROC_CMDLINE], 60, 22);
    assert_span(ev.span[ETW_PROC_PACKAGE], 82, 16);
    assert_span(ev.span[ETW_PROC_APPID], 98, 8);
    assert_int_equal(ev.span[ETW_PROC_EXIT_TIME].len, 0);
    char text[256];
    etw_proc_describe(&ev, "svchost.exe", text, sizeof text);
    assert_string_equal(text, "Process DCEnd svchost.exe (1234) ppid 640");
}

static void test_proc_v5_defunct_exit_time(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(39, 5, 8, HEX_PROC_C, 86, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_string_equal(ev.event_name, "Defunct");
    assert_true(ev.key == UINT64_C(0xffffe00e5cbd8000));
    assert_int_equal(ev.pid, 5000);
    assert_int_equal(ev.ppid, 4242);
    assert_true(ev.exit_status == -1073741510);
    assert_true(ev.directory_table_base == UINT64_C(0x3412f000));
    assert_int_equal(ev.flags, 0);
    assert_string_equal(ev.sid, "S-1-5-19");
    assert_span(ev.span[ETW_PROC_FLAGS], 32, 4);
    assert_span(ev.span[ETW_PROC_SID], 36, 28);
    assert_span(ev.span[ETW_PROC_IMAGE], 64, 6);
    assert_span(ev.span[ETW_PROC_CMDLINE], 70, 4);
    assert_span(ev.span[ETW_PROC_PACKAGE], 74, 2);
    assert_span(ev.span[ETW_PROC_APPID], 76, 2);
    assert_span(ev.span[ETW_PROC_EXIT_TIME], 78, 8);
    assert_true(ev.exit_time == UINT64_C(133537680000000000));
    char text[256];
    etw_proc_describe(&ev, "a.exe", text, sizeof text);
    assert_string_equal(text, "Process defunct a.exe (5000) ppid 4242");
}

static void test_proc_v4_no_sid(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(3, 4, 8, HEX_PROC_D, 53, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_string_equal(ev.event_name, "DCStart");
    assert_int_equal(ev.pid, 4);
    assert_int_equal(ev.ppid, 0);
    assert_int_equal(ev.session, 0xffffffff);
    assert_string_equal(ev.sid, "");
    assert_span(ev.span[ETW_PROC_SID], 36, 4);
    assert_span(ev.span[ETW_PROC_IMAGE], 40, 7);
    assert_span(ev.span[ETW_PROC_CMDLINE], 47, 2);
    assert_span(ev.span[ETW_PROC_PACKAGE], 49, 2);
    assert_span(ev.span[ETW_PROC_APPID], 51, 2);
    char text[256];
    etw_proc_describe(&ev, "System", text, sizeof text);
    assert_string_equal(text, "Process DCStart System (4) ppid 0");
}

static void test_proc_trailing_bytes(void **state)
{
    UNUSED(state);
    char hex[1024];
    snprintf(hex, sizeof hex, "%s deadbeef", HEX_PROC_A);
    etw_proc_event ev;
    decode_proc_hex(1, 3, 8, hex, 149, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_TRAILING);
    assert_int_equal(trailing_of(&ev), 4);
    assert_int_equal(ps_problems_first(&ev.problems)->offset, 145); /* right after the command line */
    assert_int_equal(ev.pid, 4242);
    assert_span(ev.span[ETW_PROC_CMDLINE], 85, 60);
    ps_problems_clear(&ev.problems);

    snprintf(hex, sizeof hex, "%s 00", HEX_PROC_D);
    decode_proc_hex(3, 4, 8, hex, 54, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_TRAILING);
    assert_int_equal(trailing_of(&ev), 1);
    ps_problems_clear(&ev.problems);
}

static void proc_truncate_all(uint8_t opcode, uint8_t version, unsigned ptr, const char *hex,
                              size_t full_len, size_t pid_end)
{
    uint8_t full[256];
    assert_int_equal(hex_to_bytes(hex, full, sizeof full), full_len);
    for (size_t len = 0; len < full_len; len++) {
        uint8_t *buf = exact_copy(full, len);
        etw_proc_event ev;
        etw_proc_decode(opcode, version, ptr, buf, len, &ev);
        assert_int_equal(status_of(&ev.problems), ETW_PROC_TRUNCATED);
        assert_int_equal(trailing_of(&ev), 0);
        assert_proc_spans_within(&ev, len);
        assert_true(strlen(ev.sid) < sizeof ev.sid);
        if (len >= pid_end)
            assert_int_equal(ev.span[ETW_PROC_PID].len, 4);
        else
            assert_int_equal(ev.span[ETW_PROC_PID].len, 0);
        ps_problems_clear(&ev.problems);
        free(buf);
    }
}

static void test_proc_truncated_every_length(void **state)
{
    UNUSED(state);
    proc_truncate_all(1, 3, 8, HEX_PROC_A, 145, 12);
    proc_truncate_all(4, 4, 4, HEX_PROC_B, 106, 8);
    proc_truncate_all(39, 5, 8, HEX_PROC_C, 86, 12);
    proc_truncate_all(3, 4, 8, HEX_PROC_D, 53, 12);
}

static void test_proc_hostile_sid_count_rejected(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    /* 64-bit v3: SubAuthorityCount 255 (at most 15 exist), only 2 present */
    decode_proc_hex(1, 3, 8, PROC_A_FIXED "a0b1c2d3e4f5ffff 0000000000000000 01ff000000000005 15000000 dcf4dc3b",
                    64, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_BAD_SID);
    assert_int_equal(ev.pid, 4242);
    assert_int_equal(ev.span[ETW_PROC_SID].len, 0);
    assert_int_equal(ev.span[ETW_PROC_IMAGE].len, 0);
    assert_string_equal(ev.sid, "");
    ps_problems_clear(&ev.problems);
    /* 32-bit v4: same */
    decode_proc_hex(4, 4, 4,
                    "20c0a385 d2040000 80020000 00000000 03010000 0000e37e 10000000 "
                    "18f3a285 00000000 01ff000000000005 12000000",
                    48, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_BAD_SID);
    assert_int_equal(ev.span[ETW_PROC_SID].len, 0);
    assert_string_equal(ev.sid, "");
    ps_problems_clear(&ev.problems);
}

static void test_proc_sid_255_subauthorities_all_present_rejected(void **state)
{
    UNUSED(state);
    /* fixed 32 + token header 16 + SID 8 + 1020 + "x\0" + L"" = 1080 bytes */
    size_t len = 32 + 16 + 8 + 1020 + 2 + 2;
    uint8_t *buf = calloc(1, len);
    assert_non_null(buf);
    assert_int_equal(hex_to_bytes(PROC_A_FIXED "a0b1c2d3e4f5ffff 0000000000000000 01ff000000000005", buf, len),
                     56);
    memset(buf + 56, 0xff, 1020);
    buf[1076] = 'x';
    etw_proc_event ev;
    etw_proc_decode(1, 3, 8, buf, len, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_BAD_SID);
    assert_int_equal(ev.span[ETW_PROC_SID].len, 0);
    assert_int_equal(ev.span[ETW_PROC_IMAGE].len, 0);
    /* the problem spans the rest of the payload from the SID on */
    assert_int_equal(ps_problems_first(&ev.problems)->offset, 32);
    assert_int_equal(ps_problems_first(&ev.problems)->length, len - 32);
    ps_problems_clear(&ev.problems);
    free(buf);
}

static void test_proc_sid_bad_revision_rejected(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    /* revision 9, one sub-authority */
    decode_proc_hex(1, 3, 8, PROC_A_FIXED "a0b1c2d3e4f5ffff 0000000000000000 0901000000000005 12000000 6200 0000",
                    64, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_BAD_SID);
    assert_string_equal(ev.sid, "");
    ps_problems_clear(&ev.problems);
}

static void test_proc_sid_large_authority_in_hex(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    /* authority 01 02 03 04 05 06 (>= 2^32), one sub-authority 7 */
    decode_proc_hex(1, 3, 8, PROC_A_FIXED "a0b1c2d3e4f5ffff 0000000000000000 0101010203040506 07000000 6200 0000",
                    64, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_string_equal(ev.sid, "S-1-0x010203040506-7");
}

static void test_proc_v3_32bit_sid_authority_big_endian(void **state)
{
    UNUSED(state);
    /* v3 32-bit: SID @24, authority bytes 00 00 12 34 56 78 = 305419896, subauthorities 1, 2 */
    etw_proc_event ev;
    decode_proc_hex(1, 3, 4,
                    "00100000 39300000 01000000 00000000 03010000 00300000 "
                    "11223344 00000000 0102000012345678 01000000 02000000 "
                    "6200 0000",
                    52, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_int_equal(ev.key, 0x1000);
    assert_int_equal(ev.pid, 12345);
    assert_int_equal(ev.directory_table_base, 0x3000);
    assert_span(ev.span[ETW_PROC_SID], 24, 8 + 16);
    assert_string_equal(ev.sid, "S-1-305419896-1-2");
    assert_span(ev.span[ETW_PROC_IMAGE], 48, 2);
    assert_span(ev.span[ETW_PROC_CMDLINE], 50, 2);
}

static void test_proc_unknown_version(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(2, 2, 8, HEX_PROC_A, 145, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_UNKNOWN_VERSION);
    assert_string_equal(ev.event_name, "End");
    assert_int_equal(ev.span[ETW_PROC_PID].len, 0);
    assert_int_equal(ev.pid, 0);
    char text[256];
    etw_proc_describe(&ev, "curl.exe", text, sizeof text);
    assert_string_equal(text, "Process End version 2, not decoded");
    ps_problems_clear(&ev.problems);
    decode_proc_hex(1, 6, 8, HEX_PROC_A, 145, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_UNKNOWN_VERSION);
    ps_problems_clear(&ev.problems);
}

static void test_proc_unknown_event(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(50, 3, 8, HEX_PROC_A, 145, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_UNKNOWN_EVENT);
    assert_null(ev.event_name);
    assert_int_equal(ev.span[ETW_PROC_PID].len, 0);
    char text[256];
    etw_proc_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Process unknown event 50");
    ps_problems_clear(&ev.problems);
}

static void test_proc_describe_dcstart(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(3, 3, 8, HEX_PROC_A, 145, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    char text[256];
    etw_proc_describe(&ev, "curl.exe", text, sizeof text);
    assert_string_equal(text, "Process DCStart curl.exe (4242) ppid 700");
    /* small output buffer: truncated, still terminated */
    char small[12];
    etw_proc_describe(&ev, "curl.exe", small, sizeof small);
    assert_string_equal(small, "Process DCS");
}

/* ---- Process events of version 2 ---------------------------------------- */

static void test_proc_real_terminate(void **state)
{
    UNUSED(state);
    /* ShutdownPerfDiagLogger.etl, Process group type 11 version 2 (pid 2100) */
    etw_proc_event ev;
    decode_proc_hex(11, 2, 8, "34080000", 4, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
    assert_string_equal(ev.event_name, "Terminate");
    assert_int_equal(ev.pid, 2100);
    assert_span(ev.span[ETW_PROC_PID], 0, 4);
    assert_int_equal(ev.span[ETW_PROC_KEY].len, 0);
    char text[256];
    etw_proc_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Process terminate pid 2100");
    /* one byte more than the layout */
    decode_proc_hex(11, 2, 8, "34080000 00", 5, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_TRAILING);
    assert_int_equal(trailing_of(&ev), 1);
    ps_problems_clear(&ev.problems);
}

/* PerfCtr: pid 4242, 1000 page faults, 200 handles, reserved 0, then sizes 0x100000 * (k + 1). */
static void perfctr_payload(unsigned ptr, uint8_t *out, size_t *len)
{
    size_t n = 0;
    const uint32_t head[] = {4242, 1000, 200, 0};
    for (size_t i = 0; i < COUNT(head); i++, n += 4)
        for (int b = 0; b < 4; b++)
            out[n + (size_t)b] = (uint8_t)(head[i] >> (8 * b));
    for (unsigned k = 0; k < 11; k++, n += ptr)
        for (unsigned b = 0; b < ptr; b++)
            out[n + b] = (uint8_t)((UINT64_C(0x100000) * (k + 1)) >> (8 * b));
    *len = n;
}

static void test_proc_perfctr_both_widths(void **state)
{
    UNUSED(state);
    const unsigned widths[] = {8, 4};
    for (size_t w = 0; w < COUNT(widths); w++) {
        uint8_t tmp[128];
        size_t len;
        perfctr_payload(widths[w], tmp, &len);
        assert_int_equal(len, 16 + 11 * widths[w]); /* PerfView: HostOffset(60, 11) */
        uint8_t *buf = exact_copy(tmp, len);
        etw_proc_event ev;
        etw_proc_decode(w ? 33 : 32, 2, widths[w], buf, len, &ev);
        assert_int_equal(status_of(&ev.problems), ETW_PROC_OK);
        assert_string_equal(ev.event_name, w ? "PerfCtrRundown" : "PerfCtr");
        assert_int_equal(ev.pid, 4242);
        assert_int_equal(ev.page_fault_count, 1000);
        assert_int_equal(ev.handle_count, 200);
        assert_span(ev.span[ETW_PROC_RESERVED], 12, 4);
        assert_span(ev.span[ETW_PROC_PEAK_VIRTUAL_SIZE], 16, widths[w]);
        assert_span(ev.span[ETW_PROC_PRIVATE_PAGE_COUNT], 16 + 10 * widths[w], widths[w]);
        for (unsigned k = 0; k < 11; k++)
            assert_int_equal(ev.counters[k], UINT64_C(0x100000) * (k + 1));
        char text[256];
        etw_proc_describe(&ev, NULL, text, sizeof text);
        assert_string_equal(text, w ? "Process PerfCtrRundown pid 4242" : "Process PerfCtr pid 4242");
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *short_buf = exact_copy(tmp, cut);
            etw_proc_decode(32, 2, widths[w], short_buf, cut, &ev);
            assert_int_equal(status_of(&ev.problems), ETW_PROC_TRUNCATED);
            assert_proc_spans_within(&ev, cut);
            assert_int_equal(ev.span[ETW_PROC_PID].len, cut >= 4 ? 4 : 0);
            ps_problems_clear(&ev.problems);
            free(short_buf);
        }
        free(buf);
    }
    uint8_t *empty = exact_copy((const uint8_t *)"", 0);
    etw_proc_event ev;
    etw_proc_decode(11, 2, 8, empty, 0, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_TRUNCATED);
    assert_int_equal(ev.span[ETW_PROC_PID].len, 0);
    ps_problems_clear(&ev.problems);
    free(empty);
}

static void test_proc_v2_events_other_versions(void **state)
{
    UNUSED(state);
    etw_proc_event ev;
    decode_proc_hex(11, 3, 8, "34080000", 4, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_PROC_UNKNOWN_VERSION);
    assert_string_equal(ps_problems_first(&ev.problems)->message, "Process Terminate version 3 is unknown (2 is decoded)");
    assert_int_equal(ev.span[ETW_PROC_PID].len, 0);
    ps_problems_clear(&ev.problems);
    /* ...and the lifetime events keep theirs: version 2 is not theirs */
    decode_proc_hex(1, 2, 8, HEX_PROC_A, 145, &ev);
    assert_string_equal(ps_problems_first(&ev.problems)->message, "Process Start version 2 is unknown (3, 4 and 5 are decoded)");
    ps_problems_clear(&ev.problems);
}

/* ---- Image events --------------------------------------------------------- */

/* ShutdownPerfDiagLogger.etl (Windows 10 1903 x64), verbatim. Load: Process group type 10 version 3,
 * es.dll into pid 520. */
static const char HEX_IMAGE_LOAD[] =
    "0000ec89f97f0000 0090060000000000 08020000 95ee0600 3b8367c0 00 00 0000 0000ec89f97f0000"
    " 00000000 00000000 00000000 00000000"
    " 5c004400650076006900630065005c0048006100720064006400690073006b0056006f006c0075006d006500"
    "33005c00570069006e0064006f00770073005c00530079007300740065006d00330032005c00650073002e00"
    "64006c006c000000";
/* Unload: Image group type 2 version 3, a driver (pid 0), signature level 12, type 4. */
static const char HEX_IMAGE_UNLOAD[] =
    "0000f14102f8ffff 0020020000000000 00000000 d6cf0100 00000000 0c 04 0000 0000000000000000"
    " 00000000 00000000 00000000 00000000"
    " 5c00530079007300740065006d0052006f006f0074005c00530079007300740065006d00330032005c006400"
    "7200690076006500720073005c007200610073006c003200740070002e007300790073000000";
/* DCStart: Image group type 3 version 3, SysmonDrv.sys with a time stamp. */
static const char HEX_IMAGE_DCSTART[] =
    "0000da4402f8ffff 0010020000000000 00000000 fc6c0200 883c7f5d 00 01 0000 0000000000000000"
    " 00000000 00000000 00000000 00000000"
    " 5c00530079007300740065006d0052006f006f0074005c005300790073006d006f006e004400720076002e00"
    "7300790073000000";

static void decode_image_hex(uint8_t opcode, uint8_t version, unsigned ptr, const char *hex, size_t expect_len,
                             etw_image_event *ev)
{
    uint8_t tmp[2048];
    size_t n = hex_to_bytes(hex, tmp, sizeof tmp);
    assert_int_equal(n, expect_len);
    uint8_t *buf = exact_copy(tmp, n);
    etw_image_decode(opcode, version, ptr, buf, n, ev);
    free(buf);
}

static void assert_image_spans_within(const etw_image_event *ev, size_t len)
{
    for (int f = 0; f < ETW_IMAGE_FIELD_COUNT; f++)
        if (ev->span[f].len)
            assert_true(ev->span[f].off + ev->span[f].len <= len);
}

/* The file name's UTF-16 span as UTF-8 (ASCII here). */
static void image_name(const uint8_t *payload, const etw_image_event *ev, char *out, size_t cap)
{
    const ps_span s = ev->span[ETW_IMAGE_FILE_NAME];
    size_t n = 0;
    for (size_t i = 0; i + 1 < s.len && payload[s.off + i] && n + 1 < cap; i += 2)
        out[n++] = (char)payload[s.off + i];
    out[n] = '\0';
}

static void test_image_real_load_v3(void **state)
{
    UNUSED(state);
    uint8_t tmp[256];
    size_t len = hex_to_bytes(HEX_IMAGE_LOAD, tmp, sizeof tmp);
    assert_int_equal(len, 152);
    uint8_t *buf = exact_copy(tmp, len);
    etw_image_event ev;
    etw_image_decode(10, 3, 8, buf, len, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_OK);
    assert_string_equal(ev.event_name, "Load");
    assert_int_equal(ev.base, UINT64_C(0x7ff989ec0000));
    assert_int_equal(ev.size, 0x69000);
    assert_int_equal(ev.pid, 520);
    assert_int_equal(ev.checksum, 0x6ee95);
    assert_int_equal(ev.timestamp, 0xc067833b);
    assert_int_equal(ev.signature_level, 0);
    assert_int_equal(ev.signature_type, 0);
    assert_int_equal(ev.default_base, UINT64_C(0x7ff989ec0000));
    assert_span(ev.span[ETW_IMAGE_PID], 16, 4);
    assert_span(ev.span[ETW_IMAGE_SIGNATURE_LEVEL], 28, 1);
    assert_span(ev.span[ETW_IMAGE_RESERVED0], 30, 2);
    assert_span(ev.span[ETW_IMAGE_DEFAULT_BASE], 32, 8);
    assert_span(ev.span[ETW_IMAGE_RESERVED4], 52, 4);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 56, 96); /* PerfView: HostOffset(44, 3) */
    char name[128], text[256];
    image_name(buf, &ev, name, sizeof name);
    assert_string_equal(name, "\\Device\\HarddiskVolume3\\Windows\\System32\\es.dll");
    etw_image_describe(&ev, name, text, sizeof text);
    assert_string_equal(text, "Image load \\Device\\HarddiskVolume3\\Windows\\System32\\es.dll pid 520");
    free(buf);
}

static void test_image_real_kernel_unload_and_dcstart(void **state)
{
    UNUSED(state);
    etw_image_event ev;
    decode_image_hex(2, 3, 8, HEX_IMAGE_UNLOAD, 138, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_OK);
    assert_int_equal(ev.base, UINT64_C(0xfffff80241f10000));
    assert_int_equal(ev.size, 0x22000);
    assert_int_equal(ev.pid, 0);
    assert_int_equal(ev.checksum, 0x1cfd6);
    assert_int_equal(ev.signature_level, 12);
    assert_int_equal(ev.signature_type, 4);
    assert_int_equal(ev.default_base, 0);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 56, 82);
    char text[256];
    etw_image_describe(&ev, "\\SystemRoot\\System32\\drivers\\rasl2tp.sys", text, sizeof text);
    assert_string_equal(text, "Image unload \\SystemRoot\\System32\\drivers\\rasl2tp.sys pid 0");

    decode_image_hex(3, 3, 8, HEX_IMAGE_DCSTART, 108, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_OK);
    assert_int_equal(ev.base, UINT64_C(0xfffff80244da0000));
    assert_int_equal(ev.timestamp, 1568619656); /* 2019-09-16 07:40:56 UTC */
    assert_int_equal(ev.signature_type, 1);
    etw_image_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Image DCStart pid 0");
}

static void test_image_v2_32bit_and_v1(void **state)
{
    UNUSED(state);
    etw_image_event ev;
    /* version 2, 4-byte pointers: Reserved0 is 4 bytes, the name at 44 (PerfView: HostOffset(44, 3)) */
    decode_image_hex(4, 2, 4,
                     "00003070 00300100 8b130000 0300dec0 03f15365 00000000 00003170"
                     " 00000000 00000000 00000000 00000000 6100 2e00 6400 6c00 6c00 0000",
                     56, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_OK);
    assert_string_equal(ev.event_name, "DCEnd");
    assert_int_equal(ev.base, 0x70300000);
    assert_int_equal(ev.size, 0x13000);
    assert_int_equal(ev.pid, 5003);
    assert_int_equal(ev.checksum, 0xc0de0003);
    assert_int_equal(ev.timestamp, 1700000003);
    assert_span(ev.span[ETW_IMAGE_RESERVED0], 20, 4);
    assert_int_equal(ev.span[ETW_IMAGE_SIGNATURE_LEVEL].len, 0);
    assert_int_equal(ev.default_base, 0x70310000);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 44, 12);
    /* version 1 Load: base, size, pid, name at 2P + 4 */
    decode_image_hex(10, 1, 8, "0000500000000000 0050010000000000 8d130000 6100 0000", 24, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_OK);
    assert_int_equal(ev.pid, 5005);
    assert_int_equal(ev.span[ETW_IMAGE_CHECKSUM].len, 0);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 20, 4);
}

static void test_image_kernel_base_and_hypercall_page(void **state)
{
    UNUSED(state);
    etw_image_event ev;
    decode_image_hex(33, 2, 8, "00b04a4202f8ffff", 8, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_OK);
    assert_int_equal(ev.base, UINT64_C(0xfffff802424ab000));
    char text[64];
    etw_image_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Image KernelBase 0xfffff802424ab000");
    decode_image_hex(34, 2, 8, "0000314202f8ffff", 8, &ev);
    assert_int_equal(ev.hypercall_page, UINT64_C(0xfffff80242310000));
    assert_int_equal(ev.span[ETW_IMAGE_BASE].len, 0);
    etw_image_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Image HypercallPage 0xfffff80242310000");
    decode_image_hex(34, 2, 4, "00003142", 4, &ev);
    assert_int_equal(ev.hypercall_page, 0x42310000);
}

static void image_truncate_all(uint8_t opcode, uint8_t version, unsigned ptr, const char *hex, size_t full_len,
                               size_t pid_end)
{
    uint8_t full[256];
    assert_int_equal(hex_to_bytes(hex, full, sizeof full), full_len);
    for (size_t len = 0; len < full_len; len++) {
        uint8_t *buf = exact_copy(full, len);
        etw_image_event ev;
        etw_image_decode(opcode, version, ptr, buf, len, &ev);
        assert_int_equal(status_of(&ev.problems), ETW_IMAGE_TRUNCATED);
        assert_image_spans_within(&ev, len);
        assert_int_equal(ev.span[ETW_IMAGE_PID].len, len >= pid_end && pid_end ? 4 : 0);
        char text[256];
        etw_image_describe(&ev, NULL, text, sizeof text);
        assert_true(strncmp(text, "Image ", 6) == 0);
        ps_problems_clear(&ev.problems);
        free(buf);
    }
}

static void test_image_truncated_every_length(void **state)
{
    UNUSED(state);
    image_truncate_all(10, 3, 8, HEX_IMAGE_LOAD, 152, 20);
    image_truncate_all(2, 3, 8, HEX_IMAGE_UNLOAD, 138, 20);
    image_truncate_all(33, 2, 8, "00b04a4202f8ffff", 8, 0);
}

static void test_image_hostile_names(void **state)
{
    UNUSED(state);
    /* no terminator, an odd last byte: the name spans to the end, and that is a truncation */
    etw_image_event ev;
    decode_image_hex(10, 1, 4, "00000010 00100000 04000000 6100 62", 15, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_TRUNCATED);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 12, 3);
    ps_problems_clear(&ev.problems);
    /* 1 MB of 'A' without a NUL */
    size_t len = 20 + (1u << 20);
    uint8_t *big = calloc(1, len);
    assert_non_null(big);
    for (size_t i = 20; i < len; i += 2)
        big[i] = 'A';
    etw_image_decode(10, 1, 8, big, len, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_TRUNCATED);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 20, len - 20);
    ps_problems_clear(&ev.problems);
    free(big);
    /* a NUL at once: an empty name, then trailing bytes */
    decode_image_hex(10, 1, 4, "00000010 00100000 04000000 0000 eeee", 16, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_TRAILING);
    assert_span(ev.span[ETW_IMAGE_FILE_NAME], 12, 2);
    assert_int_equal(ps_problems_first(&ev.problems)->offset, 14);
    assert_int_equal(ps_problems_first(&ev.problems)->length, 2);
    ps_problems_clear(&ev.problems);
}

static void test_image_unknown_event_and_version(void **state)
{
    UNUSED(state);
    etw_image_event ev;
    char text[128];
    decode_image_hex(128, 2, 8, HEX_IMAGE_LOAD, 152, &ev);
    assert_int_equal(status_of(&ev.problems), ETW_IMAGE_UNKNOWN_EVENT);
    assert_null(ev.event_name);
    assert_int_equal(ev.span[ETW_IMAGE_BASE].len, 0);
    assert_string_equal(ps_problems_first(&ev.problems)->message, "Image opcode 128 is not a known event");
    etw_image_describe(&ev, NULL, text, sizeof text);
    assert_string_equal(text, "Image unknown event 128");
    ps_problems_clear(&ev.problems);
    const struct {
        uint8_t opcode, version;
        const char *message;
    } unknown[] = {
        {2, 1, "Image Unload version 1 is unknown (2 and 3 are decoded)"},
        {10, 0, "Image Load version 0 is unknown (1, 2 and 3 are decoded)"},
        {10, 4, "Image Load version 4 is unknown (1, 2 and 3 are decoded)"},
        {33, 3, "Image KernelBase version 3 is unknown (2 is decoded)"},
    };
    for (size_t i = 0; i < COUNT(unknown); i++) {
        decode_image_hex(unknown[i].opcode, unknown[i].version, 8, HEX_IMAGE_LOAD, 152, &ev);
        assert_int_equal(status_of(&ev.problems), ETW_IMAGE_UNKNOWN_VERSION);
        assert_string_equal(ps_problems_first(&ev.problems)->message, unknown[i].message);
        assert_int_equal(ev.span[ETW_IMAGE_BASE].len, 0);
        ps_problems_clear(&ev.problems);
    }
    decode_image_hex(2, 1, 8, HEX_IMAGE_LOAD, 152, &ev);
    etw_image_describe(&ev, "x.dll", text, sizeof text);
    assert_string_equal(text, "Image Unload version 1, not decoded");
    ps_problems_clear(&ev.problems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guid_parser_stored_order),
        cmocka_unit_test(test_provider_from_guid_known),
        cmocka_unit_test(test_provider_from_guid_unrelated_is_other),
        cmocka_unit_test(test_provider_guid_round_trip),
        cmocka_unit_test(test_provider_names),
        cmocka_unit_test(test_kn_real_send_ipv4),
        cmocka_unit_test(test_kn_real_recv_ipv4),
        cmocka_unit_test(test_tcpip_send4_connid4),
        cmocka_unit_test(test_tcpip_conn6_connid4_all_fields),
        cmocka_unit_test(test_tcpip_conn6_connid8_all_fields),
        cmocka_unit_test(test_tcpip_conn4_all_fields),
        cmocka_unit_test(test_accept4_describe_remote_to_local),
        cmocka_unit_test(test_accept6_describe_remote_to_local),
        cmocka_unit_test(test_kn_send6_decodes),
        cmocka_unit_test(test_fail_tcpip),
        cmocka_unit_test(test_fail_kernel_network_tcp),
        cmocka_unit_test(test_fail_kernel_network_udp),
        cmocka_unit_test(test_fail_udpip),
        cmocka_unit_test(test_fail_code_and_proto_names),
        cmocka_unit_test(test_udpip_recv4),
        cmocka_unit_test(test_kn_udp_recv6),
        cmocka_unit_test(test_kn_udp_send4_names),
        cmocka_unit_test(test_net_truncated_every_length),
        cmocka_unit_test(test_net_cut_short_of_declared_length),
        cmocka_unit_test(test_net_reads_nothing_past_declared_length),
        cmocka_unit_test(test_send4_38_bytes_bad_length),
        cmocka_unit_test(test_fail_6_bytes_bad_length),
        cmocka_unit_test(test_tcpip_version1_pre_vista),
        cmocka_unit_test(test_tcpip_version3_unknown),
        cmocka_unit_test(test_kernel_network_version1_unknown),
        cmocka_unit_test(test_unknown_events),
        cmocka_unit_test(test_net_decode_rejects_other_providers),
        cmocka_unit_test(test_record_parse_all_header_fields),
        cmocka_unit_test(test_record_parse_padding_between_parts),
        cmocka_unit_test(test_record_parse_short_header),
        cmocka_unit_test(test_record_parse_userdata_overflow),
        cmocka_unit_test(test_record_parse_huge_lengths_stay_inside),
        cmocka_unit_test(test_record_build_round_trip),
        cmocka_unit_test(test_record_size_rounds_to_4),
        cmocka_unit_test(test_filetime_unix_epoch),
        cmocka_unit_test(test_filetime_2024_03_01),
        cmocka_unit_test(test_filetime_before_1970_false),
        cmocka_unit_test(test_unix_us_to_filetime_inverse),
        cmocka_unit_test(test_proc_v3_start_64bit),
        cmocka_unit_test(test_proc_v4_dcend_32bit),
        cmocka_unit_test(test_proc_v5_defunct_exit_time),
        cmocka_unit_test(test_proc_v4_no_sid),
        cmocka_unit_test(test_proc_trailing_bytes),
        cmocka_unit_test(test_proc_truncated_every_length),
        cmocka_unit_test(test_proc_hostile_sid_count_rejected),
        cmocka_unit_test(test_proc_sid_255_subauthorities_all_present_rejected),
        cmocka_unit_test(test_proc_sid_bad_revision_rejected),
        cmocka_unit_test(test_proc_sid_large_authority_in_hex),
        cmocka_unit_test(test_proc_v3_32bit_sid_authority_big_endian),
        cmocka_unit_test(test_proc_unknown_version),
        cmocka_unit_test(test_proc_unknown_event),
        cmocka_unit_test(test_proc_describe_dcstart),
        cmocka_unit_test(test_proc_real_terminate),
        cmocka_unit_test(test_proc_perfctr_both_widths),
        cmocka_unit_test(test_proc_v2_events_other_versions),
        cmocka_unit_test(test_image_real_load_v3),
        cmocka_unit_test(test_image_real_kernel_unload_and_dcstart),
        cmocka_unit_test(test_image_v2_32bit_and_v1),
        cmocka_unit_test(test_image_kernel_base_and_hypercall_page),
        cmocka_unit_test(test_image_truncated_every_length),
        cmocka_unit_test(test_image_hostile_names),
        cmocka_unit_test(test_image_unknown_event_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
