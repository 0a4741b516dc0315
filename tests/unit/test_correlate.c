/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The correlation engine on hand-made claims and packets: each attribution rule (docs/ATTRIBUTION.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "correlate.h"
#include "source.h"

/* A claim's source fields, as src/source/ fills them: the tests name the rest. */
#define ETW .source = PS_SOURCE_ETW, .rank = 1, .transport = PS_TRANSPORT_TCP, .has_pid = true
#define TRACEE .source = PS_SOURCE_TRACEE, .rank = 2, .transport = PS_TRANSPORT_TCP, .has_pid = true
#define NETTCP .source = PS_SOURCE_NETTCP, .rank = 0, .transport = PS_TRANSPORT_TCP, .has_pid = true

#define S INT64_C(1000000000)
#define T0 (INT64_C(1709294400) * S)

static ps_endpoint ep(const char *addr, uint16_t port)
{
    ps_endpoint e = {0};
    e.family = strchr(addr, ':') ? 6 : 4;
    inet_pton(e.family == 6 ? AF_INET6 : AF_INET, addr, e.addr);
    e.port = port;
    return e;
}

static ps_attribution who(ps_corr *c, uint32_t frame)
{
    ps_attribution a;
    assert_true(ps_corr_packet(c, frame, false, &a));
    return a;
}

static void assert_owner(ps_owner o, uint32_t pid, const char *name, ps_match match)
{
    assert_true(o.known);
    assert_int_equal(o.pid, pid);
    if (name)
        assert_string_equal(o.name, name);
    else
        assert_null(o.name);
    assert_int_equal(o.match, match);
}

/* Client 10.0.0.1:50000 -> server 10.0.0.2:443. */
static ps_endpoint client(void) { return ep("10.0.0.1", 50000); }
static ps_endpoint server(void) { return ep("10.0.0.2", 443); }

static void add_out(ps_corr *c, uint32_t frame, int64_t t, uint32_t stream, uint32_t seq, uint32_t ack,
                    uint16_t flags, uint32_t len)
{
    ps_endpoint a = client(), b = server();
    ps_corr_add_packet(c, frame, t, stream, &a, &b, seq, ack, flags, len);
}

static void add_in(ps_corr *c, uint32_t frame, int64_t t, uint32_t stream, uint32_t seq, uint32_t ack,
                   uint16_t flags, uint32_t len)
{
    ps_endpoint a = client(), b = server();
    ps_corr_add_packet(c, frame, t, stream, &b, &a, seq, ack, flags, len);
}

static void test_tracee_packet_match_and_connection_level(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 100, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 4242, .name = "curl",
        .container = "web"});
    add_out(c, 2, T0 + 1000, 0, 100, 0, PS_TCP_SYN, 0);
    add_in(c, 3, T0 + 2000, 0, 900, 101, PS_TCP_SYN | PS_TCP_ACK, 0);
    ps_attribution w = who(c, 2);
    assert_owner(w.src, 4242, "curl", PS_MATCH_PACKET);
    assert_string_equal(w.src.container, "web");
    assert_int_equal(w.src.record_frame, 1);
    assert_false(w.dst.known);
    /* the reply's destination is curl's socket: known for the connection */
    w = who(c, 3);
    assert_false(w.src.known);
    assert_owner(w.dst, 4242, "curl", PS_MATCH_CONNECTION);
    ps_record_info info;
    assert_true(ps_corr_record(c, 1, &info));
    assert_true(info.matched && info.matchable && info.network);
    assert_int_equal(info.packet_frame, 2);
    assert_true(info.has_stream);
    assert_int_equal(info.stream, 0);
    ps_corr_free(c);
}

static void test_tracee_fields_must_all_match(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    /* another seq: no packet match, but the socket's owner for the connection all the same */
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 999, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 4242, .name = "curl"});
    add_out(c, 2, T0, 0, 100, 0, PS_TCP_SYN, 0);
    ps_attribution w = who(c, 2);
    assert_owner(w.src, 4242, "curl", PS_MATCH_CONNECTION);
    ps_record_info info;
    assert_true(ps_corr_record(c, 1, &info));
    assert_false(info.matched);
    ps_corr_free(c);
}

/* A claim of the packet itself beats a nearer connect claim on the SYN (procshark-record --per-packet
 * writes both, the connect first), with few claims and with INDEX_FROM or more on the socket. */
static void test_packet_claim_beats_a_nearer_connect(void **state)
{
    (void)state;
    for (int padding = 0; padding <= 40; padding += 40) {
        ps_corr *c = ps_corr_new();
        ps_endpoint a = client(), b = server();
        uint32_t frame = 1;
        /* Earlier claims of the socket, which a packet of another key does not fit. */
        for (int i = 0; i < padding; i++)
            ps_corr_add_claim(c, frame++, T0 - S + i, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a,
                .peer = b, .outgoing = true, .seq = 5000 + (uint32_t)i, .tcp_flags = PS_TCP_ACK, .pid = 4242,
                .name = "curl"});
        const uint32_t packet_claim = frame++, open_claim = frame++;
        ps_corr_add_claim(c, packet_claim, T0 - 30000, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a,
            .peer = b, .outgoing = true, .seq = 100, .tcp_flags = PS_TCP_SYN, .pid = 4242, .name = "curl"});
        ps_corr_add_claim(c, open_claim, T0 - 1000, &(ps_claim){TRACEE, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b,
            .outgoing = true, .pid = 4242, .name = "curl"});
        const uint32_t syn = frame++;
        add_out(c, syn, T0, 0, 100, 0, PS_TCP_SYN, 0);
        ps_attribution w = who(c, syn);
        assert_owner(w.src, 4242, "curl", PS_MATCH_PACKET);
        assert_int_equal(w.src.record_frame, packet_claim);
        ps_corr_free(c);
    }
}

static void test_etw_events_and_names_from_process_events(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_process(c, 1, T0 - 10 * S, PS_PROCESS_RUNNING, 2716, "chrome.exe");
    add_out(c, 2, T0, 0, 1, 0, PS_TCP_SYN, 0);
    ps_corr_add_claim(c, 3, T0 + 200000000, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b,
        .outgoing = true, .pid = 2716}); /* after its packet */
    add_out(c, 4, T0 + S / 2, 0, 2, 1, PS_TCP_ACK | 0x08, 77);
    ps_corr_add_claim(c, 5, T0 + S / 2 - 1000, &(ps_claim){ETW, .kind = PS_CLAIM_DATA, .owned = a, .peer = b,
        .outgoing = true, .size = 77, .pid = 2716});
    add_in(c, 6, T0 + S, 0, 1, 79, PS_TCP_ACK, 4101);
    ps_corr_add_claim(c, 7, T0 + S + 1000, &(ps_claim){ETW, .kind = PS_CLAIM_DATA, .owned = a, .peer = b,
        .size = 4101, .pid = 2716});
    add_out(c, 8, T0 + 2 * S, 0, 79, 4102, PS_TCP_ACK, 0); /* a bare ACK: no event fits */
    assert_owner(who(c, 2).src, 2716, "chrome.exe", PS_MATCH_EVENT);
    assert_owner(who(c, 4).src, 2716, "chrome.exe", PS_MATCH_EVENT);
    assert_owner(who(c, 6).dst, 2716, "chrome.exe", PS_MATCH_EVENT);
    assert_owner(who(c, 8).src, 2716, "chrome.exe", PS_MATCH_CONNECTION);
    assert_false(who(c, 8).dst.known);
    ps_corr_free(c);
}

static void test_payload_larger_than_the_send_does_not_fit(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server(), other = ep("10.0.0.9", 1);
    ps_corr_add_claim(c, 1, T0, &(ps_claim){ETW, .kind = PS_CLAIM_DATA, .owned = a, .peer = b, .outgoing = true,
        .size = 10, .pid = 7});
    ps_corr_add_claim(c, 2, T0, &(ps_claim){ETW, .kind = PS_CLAIM_DATA, .owned = a, .peer = other, .outgoing = true,
        .size = 100, .pid = 8}); /* another peer */
    add_out(c, 3, T0, 0, 1, 1, PS_TCP_ACK, 50);
    ps_attribution w = who(c, 3);
    assert_owner(w.src, 7, NULL, PS_MATCH_CONNECTION);
    ps_corr_free(c);
}

static void test_window_and_manual_offset(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_corr_set_estimate_offsets(c, false);
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 1, T0 - 3 * S, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 100, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 1, .name = "early"});
    add_out(c, 2, T0, 0, 100, 0, PS_TCP_SYN, 0);
    assert_false(who(c, 2).src.known);
    ps_corr_set_manual_offset(c, 3 * S);
    assert_owner(who(c, 2).src, 1, "early", PS_MATCH_PACKET);
    ps_corr_set_manual_offset(c, 0);
    ps_corr_set_window(c, 4 * S);
    assert_owner(who(c, 2).src, 1, "early", PS_MATCH_PACKET);
    ps_corr_free(c);
}

static void test_offset_estimated_from_exact_matches(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    uint32_t frame = 1;
    /* tracee runs 1.5 s behind the packets */
    for (uint32_t i = 0; i < 6; i++) {
        int64_t t = T0 + i * S / 10;
        ps_corr_add_claim(c, frame++, t - 3 * S / 2, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a,
            .peer = b, .outgoing = true, .seq = 1000 + i, .ack = 7, .tcp_flags = PS_TCP_ACK, .pid = 55,
            .name = "late"});
        add_out(c, frame++, t, 0, 1000 + i, 7, PS_TCP_ACK, 10);
    }
    /* another host's ETW clock runs 2 s ahead: estimated on its own */
    ps_endpoint w = ep("10.7.0.7", 60000), x = ep("10.8.0.8", 80);
    for (uint32_t i = 0; i < 4; i++) {
        int64_t t = T0 + 10 * S + i * S / 10;
        ps_corr_add_claim(c, frame++, t + 2 * S, &(ps_claim){ETW, .kind = PS_CLAIM_DATA, .owned = w, .peer = x,
            .outgoing = true, .size = 100 + i, .pid = 66});
        ps_corr_add_packet(c, frame++, t, 1, &w, &x, 1 + i, 1, PS_TCP_ACK, 100 + i);
    }
    ps_record_info info;
    assert_true(ps_corr_record(c, 1, &info));
    assert_true(info.first_of_clock);
    assert_int_equal(info.clock_offset, 3 * S / 2);
    assert_int_equal(info.clock_samples, 6);
    assert_true(ps_corr_record(c, 3, &info));
    assert_false(info.first_of_clock);
    assert_owner(who(c, 2).src, 55, "late", PS_MATCH_PACKET);
    assert_true(ps_corr_record(c, 13, &info));
    assert_int_equal(info.source, PS_SOURCE_ETW);
    assert_true(info.first_of_clock);
    assert_int_equal(info.clock_offset, -2 * S);
    assert_int_equal(info.clock_samples, 4);
    assert_owner(who(c, 14).src, 66, NULL, PS_MATCH_EVENT);
    ps_corr_free(c);
}

/* Frame 1: a kernel thread's claim for the packet of frame 2 to the client's socket; frame 3:
 * nginx's claim for the packet of frame 4 from it. */
static ps_corr *kernel_thread_then_nginx(void)
{
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b, .seq = 5,
        .ack = 6, .tcp_flags = PS_TCP_ACK, .pid = 0, .name = "swapper/1", .kernel_thread = true});
    add_in(c, 2, T0, 0, 5, 6, PS_TCP_ACK, 0);
    ps_corr_add_claim(c, 3, T0 + S, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 6, .ack = 5, .tcp_flags = PS_TCP_ACK | 0x08, .pid = 900, .name = "nginx"});
    add_out(c, 4, T0 + S, 0, 6, 5, PS_TCP_ACK | 0x08, 12);
    return c;
}

static void test_kernel_thread_yields_to_user_process(void **state)
{
    (void)state;
    ps_corr *c = kernel_thread_then_nginx();
    assert_owner(who(c, 2).dst, 900, "nginx", PS_MATCH_CONNECTION);
    assert_owner(who(c, 4).src, 900, "nginx", PS_MATCH_PACKET);
    assert_true(ps_corr_is_kernel_thread(0, "anything"));
    assert_true(ps_corr_is_kernel_thread(12, "ksoftirqd/3"));
    assert_false(ps_corr_is_kernel_thread(12, "nginx"));
    ps_corr_free(c);
}

static void test_kernel_thread_alone_is_shown(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b, .seq = 5,
        .ack = 6, .tcp_flags = PS_TCP_ACK, .pid = 0, .name = "swapper/1", .kernel_thread = true});
    add_in(c, 2, T0, 0, 5, 6, PS_TCP_ACK, 0);
    ps_attribution w = who(c, 2);
    assert_owner(w.dst, 0, "swapper/1", PS_MATCH_PACKET);
    assert_true(w.dst.kernel_thread);
    ps_corr_free(c);
}

/* A record knows the packets whose answer names it: how many, the first and the last. A kernel
 * thread's record that yields to the user process names none. */
static void test_packets_a_record_decides(void **state)
{
    (void)state;
    ps_corr *c = kernel_thread_then_nginx();
    add_in(c, 5, T0 + 2 * S, 0, 5, 18, PS_TCP_ACK, 0);
    uint32_t count, first, last;
    assert_true(ps_corr_record_decided(c, 3, &count, &first, &last));
    assert_int_equal(count, 3);
    assert_int_equal(first, 2);
    assert_int_equal(last, 5);
    assert_true(ps_corr_record_decided(c, 1, &count, &first, &last));
    assert_int_equal(count, 0);
    assert_false(ps_corr_record_decided(c, 2, &count, &first, &last)); /* a packet, not a record */
    /* New data: counted again. */
    add_out(c, 6, T0 + 3 * S, 0, 18, 5, PS_TCP_ACK, 0);
    assert_true(ps_corr_record_decided(c, 3, &count, &first, &last));
    assert_int_equal(count, 4);
    assert_int_equal(last, 6);
    ps_corr_free(c);

    c = ps_corr_new();
    ps_endpoint cl = ep("127.0.0.1", 40000), sv = ep("127.0.0.1", 5432);
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_SOCKET, .owned = cl, .peer = sv,
        .outgoing = true, .pid = 100, .name = "psql"});
    ps_corr_add_claim(c, 2, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_SOCKET, .owned = sv, .peer = cl,
        .pid = 200, .name = "postgres"});
    ps_corr_add_packet(c, 3, T0, 0, &cl, &sv, 1, 0, PS_TCP_SYN, 0);
    ps_corr_add_packet(c, 4, T0 + 1000, 0, &sv, &cl, 9, 2, PS_TCP_SYN | PS_TCP_ACK, 0);
    assert_true(ps_corr_record_decided(c, 1, &count, &first, &last));
    assert_int_equal(count, 2); /* the source of one, the destination of the other */
    assert_int_equal(first, 3);
    assert_int_equal(last, 4);
    ps_corr_free(c);
}

static void test_reused_port_and_pid(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_process(c, 1, T0 - S, PS_PROCESS_START, 4000, "updater.exe");
    ps_corr_add_claim(c, 2, T0, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b, .outgoing = true,
        .pid = 4000});
    add_out(c, 3, T0, 0, 1, 0, PS_TCP_SYN, 0);
    add_out(c, 4, T0 + S, 0, 2, 1, PS_TCP_FIN | PS_TCP_ACK, 0);
    ps_corr_add_process(c, 5, T0 + 2 * S, PS_PROCESS_END, 4000, "updater.exe");
    ps_corr_add_process(c, 6, T0 + 10 * S, PS_PROCESS_START, 4000, "backup.exe");
    ps_corr_add_claim(c, 7, T0 + 20 * S, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b,
        .outgoing = true, .pid = 4000});
    add_out(c, 8, T0 + 20 * S, 1, 500, 0, PS_TCP_SYN, 0);
    add_out(c, 9, T0 + 21 * S, 1, 501, 1, PS_TCP_ACK, 0);
    assert_owner(who(c, 4).src, 4000, "updater.exe", PS_MATCH_CONNECTION);
    assert_owner(who(c, 9).src, 4000, "backup.exe", PS_MATCH_CONNECTION);
    ps_record_info info;
    assert_true(ps_corr_record(c, 7, &info));
    assert_int_equal(info.stream, 1);
    assert_int_equal(info.packet_frame, 8);
    ps_corr_free(c);
}

/* A connection handed over: curl connects, forks and exits; its child sends on. Packets before the
 * handover are the parent's, those from it on the child's, in two passes and in one; a packet a
 * direct claim fits keeps its claim; the peer's end is untouched. */
static void test_handover_names_the_new_owner(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_attribution w;
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b, .outgoing = true,
        .pid = 100, .name = "curl"});
    ps_corr_add_claim(c, 2, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_SOCKET, .owned = b, .peer = a, .pid = 900,
        .name = "nginx"});
    add_out(c, 3, T0 + 10, 0, 1, 0, PS_TCP_SYN, 0);
    add_out(c, 4, T0 + 20, 0, 2, 1, PS_TCP_ACK, 5);
    add_in(c, 5, T0 + 30, 0, 1, 7, PS_TCP_ACK, 0);
    ps_corr_add_claim(c, 6, T0 + 40, &(ps_claim){TRACEE, .kind = PS_CLAIM_HANDOVER, .owned = a, .peer = b,
        .pid = 101, .name = "curl-child"});
    add_out(c, 7, T0 + 50, 0, 7, 1, PS_TCP_ACK, 5);
    assert_true(ps_corr_packet(c, 7, true, &w));
    assert_int_equal(w.src.pid, 101);
    add_in(c, 8, T0 + 60, 0, 1, 12, PS_TCP_ACK, 100);
    assert_owner(who(c, 3).src, 100, "curl", PS_MATCH_EVENT);
    assert_owner(who(c, 4).src, 100, "curl", PS_MATCH_CONNECTION);
    assert_owner(who(c, 5).dst, 100, "curl", PS_MATCH_CONNECTION);
    assert_owner(who(c, 7).src, 101, "curl-child", PS_MATCH_CONNECTION);
    assert_owner(who(c, 8).dst, 101, "curl-child", PS_MATCH_CONNECTION);
    assert_owner(who(c, 8).src, 900, "nginx", PS_MATCH_CONNECTION);
    assert_false(who(c, 7).src.disagreement); /* one source's owners in turn, not two sources at odds */
    uint32_t count, first, last;
    assert_true(ps_corr_record_decided(c, 6, &count, &first, &last));
    assert_int_equal(count, 2);
    assert_int_equal(first, 7);
    assert_int_equal(last, 8);
    ps_corr_free(c);
}

static void test_snapshot_rows(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_process(c, 1, T0 - 60 * S, PS_PROCESS_RUNNING, 880, "sqlservr.exe");
    add_out(c, 2, T0, 0, 1, 0, PS_TCP_SYN, 0);
    ps_corr_add_claim(c, 3, T0 + 30 * S, &(ps_claim){NETTCP, .kind = PS_CLAIM_SNAPSHOT, .owned = a, .peer = b,
        .pid = 880, .has_creation = true, .creation_ns = T0 - S});
    ps_corr_add_claim(c, 4, T0 + 30 * S, &(ps_claim){NETTCP, .kind = PS_CLAIM_SNAPSHOT, .owned = b, .peer = a,
        .pid = 99, .has_creation = true, .creation_ns = T0 + 5 * S}); /* created after the packet */
    ps_attribution w = who(c, 2);
    assert_owner(w.src, 880, "sqlservr.exe", PS_MATCH_SNAPSHOT);
    assert_int_equal(w.src.source, PS_SOURCE_NETTCP);
    assert_false(w.dst.known);
    ps_corr_free(c);
}

static void test_disagreeing_sources(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 1, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 10, .name = "one"});
    ps_corr_add_claim(c, 2, T0, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b, .outgoing = true,
        .pid = 20});
    add_out(c, 3, T0, 0, 1, 0, PS_TCP_SYN, 0);
    ps_attribution w = who(c, 3);
    assert_owner(w.src, 10, "one", PS_MATCH_PACKET);
    assert_true(w.src.disagreement);
    assert_int_equal(w.src.other_pid, 20);
    assert_int_equal(w.src.other_source, PS_SOURCE_ETW);
    assert_int_equal(w.src.other_frame, 2);
    ps_corr_free(c);
}

/* A ptcpdump comment is a claim on its own packet (src/source/source_ptcpdump.c): it names the packet
 * alone, and yields to tracee's event on that socket with a disagreement note. */
static void test_ptcpdump_comment_claims(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ptcpdump_info info = {0};
    static const char comment[] = "PID: 99722\nCmd: /usr/bin/curl";
    ptcpdump_comment_add(&info, comment, strlen(comment));
    ptcpdump_comment_finish(&info);
    ps_packet_facts syn = {.transport = PS_TRANSPORT_TCP, .src = a, .dst = b, .direction = PS_DIR_OUTBOUND, .seq = 1, .tcp_flags = PS_TCP_SYN};
    ps_claim claim;
    assert_true(ps_ptcpdump_claim(&info, &syn, &claim));
    ps_corr_add_claim(c, 1, T0, &claim);
    add_out(c, 1, T0, 0, 1, 0, PS_TCP_SYN, 0);
    add_out(c, 2, T0 + S / 10, 0, 2, 0, PS_TCP_ACK, 0); /* no comment: the connection's owner */
    ps_attribution w = who(c, 1);
    assert_owner(w.src, 99722, "curl", PS_MATCH_PACKET);
    assert_int_equal(w.src.source, PS_SOURCE_PTCPDUMP);
    assert_int_equal(w.src.record_frame, 1);
    assert_false(w.src.disagreement);
    assert_false(w.dst.known);
    assert_owner(who(c, 2).src, 99722, "curl", PS_MATCH_CONNECTION);
    ps_corr_free(c);

    c = ps_corr_new();
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 1, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 10, .name = "wget"});
    ps_corr_add_claim(c, 2, T0, &claim);
    add_out(c, 2, T0, 0, 1, 0, PS_TCP_SYN, 0);
    w = who(c, 2);
    assert_owner(w.src, 10, "wget", PS_MATCH_PACKET);
    assert_true(w.src.disagreement);
    assert_int_equal(w.src.other_pid, 99722);
    assert_int_equal(w.src.other_source, PS_SOURCE_PTCPDUMP);
    assert_int_equal(w.src.other_frame, 2);
    ps_corr_free(c);
    ptcpdump_info_clear(&info);
}

static void test_loopback_gets_both_ends_and_hosts_do_not_mix(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint cl = ep("127.0.0.1", 40000), sv = ep("127.0.0.1", 5432), elsewhere = ep("10.9.9.9", 40000);
    ps_corr_add_claim(c, 1, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = cl, .peer = sv,
        .outgoing = true, .seq = 1, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 100, .name = "psql"});
    ps_corr_add_claim(c, 2, T0, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = sv, .peer = cl, .seq = 1,
        .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 200, .name = "postgres"});
    ps_corr_add_claim(c, 3, T0, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = elsewhere, .peer = sv,
        .outgoing = true, .pid = 300}); /* another host's socket */
    ps_corr_add_packet(c, 4, T0, 0, &cl, &sv, 1, 0, PS_TCP_SYN, 0);
    ps_attribution w = who(c, 4);
    assert_owner(w.src, 100, "psql", PS_MATCH_PACKET);
    assert_owner(w.dst, 200, "postgres", PS_MATCH_PACKET);
    ps_corr_free(c);
}

static void test_ipv6_and_provisional_answers(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = ep("2001:db8::1", 40000), b = ep("2001:db8::2", 80);
    ps_attribution w;
    /* one pass, asking as each packet arrives: the SYN came before its event, the ACK after */
    ps_corr_add_packet(c, 1, T0, 0, &a, &b, 1, 0, PS_TCP_SYN, 0);
    assert_true(ps_corr_packet(c, 1, true, &w));
    assert_false(w.src.known);
    ps_corr_add_claim(c, 2, T0 + 1000, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b,
        .outgoing = true, .pid = 77});
    ps_corr_add_packet(c, 3, T0 + 2000, 0, &a, &b, 2, 1, PS_TCP_ACK, 0);
    assert_true(ps_corr_packet(c, 3, true, &w));
    assert_true(w.src.known);
    assert_int_equal(w.src.pid, 77);
    /* two passes: both */
    assert_owner(who(c, 1).src, 77, NULL, PS_MATCH_EVENT);
    assert_false(ps_corr_packet(c, 2, false, &w)); /* a record, not a packet */
    ps_corr_free(c);
}

static void test_frames_fed_twice_are_ignored(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 5, T0, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b, .outgoing = true,
        .pid = 1});
    ps_corr_add_claim(c, 5, T0, &(ps_claim){ETW, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b, .outgoing = true,
        .pid = 2});
    add_out(c, 6, T0, 0, 1, 0, PS_TCP_SYN, 0);
    add_out(c, 6, T0, 0, 9, 0, PS_TCP_SYN, 0);
    assert_owner(who(c, 6).src, 1, NULL, PS_MATCH_EVENT);
    assert_true(ps_corr_record_state_size() <= 64);
    ps_corr_free(c);
}

/* Records and packets at the last nanosecond int64 holds (2262), with a day's manual offset and the
 * widest window: sums saturate instead of overflowing (fuzz_correlate's reproducer in
 * tests/fuzz/crashes/correlate/), and the match still holds. */
/* UDP: a datagram is matched by its length and checksum (PACKET) or its payload's size (DATA); an
 * end no claim fits takes the claim nearest in time about the flow (CONNECTION), else about its
 * local socket with any peer (SOCKET), else a row for the socket (SNAPSHOT). */
#define UDP_ETW .source = PS_SOURCE_ETW, .rank = 1, .transport = PS_TRANSPORT_UDP, .has_pid = true
#define UDP_TRACEE .source = PS_SOURCE_TRACEE, .rank = 2, .transport = PS_TRANSPORT_UDP, .has_pid = true
#define UDP_ROW .source = PS_SOURCE_NETTCP, .rank = 0, .transport = PS_TRANSPORT_UDP, .has_pid = true

static void add_datagram(ps_corr *c, uint32_t frame, int64_t t, uint32_t stream, ps_endpoint src, ps_endpoint dst,
                         uint16_t checksum, uint32_t len)
{
    ps_corr_add_datagram(c, frame, t, stream, &src, &dst, (uint16_t)(len + 8), checksum, len);
}

static void test_udp_levels_and_shared_resolver(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    const ps_endpoint curl = ep("10.0.0.1", 40000), wget = ep("10.0.0.1", 40001), resolver = ep("10.0.0.53", 53),
                      second = ep("10.0.0.54", 53);
    const int64_t ms = 1000000;
    ps_corr_add_process(c, 1, T0 - S, PS_PROCESS_RUNNING, 500, "curl.exe");
    /* Two processes query one resolver: each query names its own process. */
    ps_corr_add_claim(c, 2, T0, &(ps_claim){UDP_ETW, .kind = PS_CLAIM_DATA, .owned = curl, .peer = resolver,
        .outgoing = true, .size = 30, .pid = 500});
    add_datagram(c, 3, T0 + ms, 0, curl, resolver, 0x1111, 30);
    ps_corr_add_claim(c, 4, T0 + 2 * ms, &(ps_claim){UDP_TRACEE, .kind = PS_CLAIM_PACKET, .owned = wget,
        .peer = resolver, .outgoing = true, .seq = 8 + 31, .ack = 0x2222, .pid = 600, .name = "wget"});
    add_datagram(c, 5, T0 + 3 * ms, 1, wget, resolver, 0x2222, 31);
    /* The resolver's side: a row for its wildcard socket, made before the queries, and one for
     * another socket that tells the rows' host's address. */
    ps_corr_add_claim(c, 6, T0 + 4 * ms, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT,
        .owned = ep("0.0.0.0", 53), .has_creation = true, .creation_ns = T0 - 10 * S, .pid = 53});
    ps_corr_add_claim(c, 12, T0 + 60 * ms, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT,
        .owned = ep("10.0.0.53", 137), .pid = 4});
    /* The answers, unclaimed at the client's end: the flow's nearest claim. */
    add_datagram(c, 7, T0 + 20 * ms, 0, resolver, curl, 0x3333, 80);
    add_datagram(c, 8, T0 + 21 * ms, 1, resolver, wget, 0x4444, 81);
    /* curl asks a second resolver: its socket is known from its first query. */
    add_datagram(c, 9, T0 + 30 * ms, 2, curl, second, 0x5555, 30);
    /* A TCP segment between the same addresses and ports is another socket. */
    ps_corr_add_packet(c, 10, T0 + 40 * ms, 0, &curl, &resolver, 1, 0, PS_TCP_SYN, 0);

    ps_attribution w = who(c, 3);
    assert_int_equal(w.transport, PS_TRANSPORT_UDP);
    assert_int_equal(w.stream, 0);
    assert_owner(w.src, 500, "curl.exe", PS_MATCH_EVENT);
    assert_owner(w.dst, 53, NULL, PS_MATCH_SNAPSHOT);
    w = who(c, 5);
    assert_owner(w.src, 600, "wget", PS_MATCH_PACKET);
    assert_owner(w.dst, 53, NULL, PS_MATCH_SNAPSHOT);
    w = who(c, 7);
    assert_owner(w.src, 53, NULL, PS_MATCH_SNAPSHOT);
    assert_owner(w.dst, 500, "curl.exe", PS_MATCH_CONNECTION);
    w = who(c, 8);
    assert_owner(w.dst, 600, "wget", PS_MATCH_CONNECTION);
    w = who(c, 9);
    assert_owner(w.src, 500, "curl.exe", PS_MATCH_SOCKET);
    assert_false(w.dst.known); /* the wildcard row is of 10.0.0.53's host, not 10.0.0.54's */
    w = who(c, 10);
    assert_int_equal(w.transport, PS_TRANSPORT_TCP);
    assert_int_equal(w.stream, 0);
    assert_false(w.src.known);
    assert_false(w.dst.known);
    /* A wrong checksum is another datagram: the PACKET claim does not fit it. */
    add_datagram(c, 11, T0 + 50 * ms, 1, wget, resolver, 0x2223, 31);
    assert_owner(who(c, 11).src, 600, "wget", PS_MATCH_CONNECTION);
    add_datagram(c, 13, T0 + 70 * ms, 3, ep("10.0.0.1", 137), ep("10.0.0.53", 137), 0x6666, 50);
    assert_false(who(c, 13).src.known);
    assert_owner(who(c, 13).dst, 4, NULL, PS_MATCH_SNAPSHOT);
    ps_record_info info;
    assert_true(ps_corr_record(c, 4, &info));
    assert_true(info.matched);
    assert_int_equal(info.packet_frame, 5);
    assert_true(info.has_stream);
    assert_int_equal(info.transport, PS_TRANSPORT_UDP);
    assert_int_equal(info.stream, 1);
    ps_corr_free(c);
}

static void test_udp_port_reuse_ipv6_and_wildcards(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    const ps_endpoint a = ep("2001:db8::1", 5000), b = ep("2001:db8::2", 6000);
    /* One flow (one udp.stream) over 100 s; its port is bound by pid 1, later by pid 2. */
    ps_corr_add_claim(c, 1, T0, &(ps_claim){UDP_TRACEE, .kind = PS_CLAIM_SOCKET, .owned = a, .peer = b, .pid = 1,
        .name = "first"});
    add_datagram(c, 2, T0 + S / 10, 0, a, b, 1, 10);
    ps_corr_add_claim(c, 3, T0 + 100 * S, &(ps_claim){UDP_TRACEE, .kind = PS_CLAIM_SOCKET, .owned = a, .peer = b,
        .pid = 2, .name = "second"});
    add_datagram(c, 4, T0 + 99 * S, 0, a, b, 2, 10);
    add_datagram(c, 5, T0 + 2 * S, 0, b, a, 3, 10);
    /* One pass knows only the records fed so far, and takes none from outside the window. */
    ps_attribution once;
    assert_true(ps_corr_packet(c, 4, true, &once));
    assert_owner(once.src, 2, "second", PS_MATCH_CONNECTION);
    assert_true(ps_corr_packet(c, 5, true, &once));
    assert_false(once.dst.known);
    assert_owner(who(c, 2).src, 1, "first", PS_MATCH_CONNECTION);
    assert_owner(who(c, 4).src, 2, "second", PS_MATCH_CONNECTION);
    assert_owner(who(c, 5).dst, 1, "first", PS_MATCH_CONNECTION);
    /* Rows without a peer: the socket's own address first, then its port on any address of its
     * family that the rows' source named a socket of, or loopback; a row created after the packet
     * does not speak for it. */
    ps_corr_add_claim(c, 6, T0, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT, .owned = ep("::", 5355),
        .pid = 70});
    ps_corr_add_claim(c, 7, T0, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT, .owned = ep("2001:db8::1", 5353),
        .pid = 71});
    ps_corr_add_claim(c, 8, T0, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT, .owned = ep("0.0.0.0", 123),
        .has_creation = true, .creation_ns = T0 + 60 * S, .pid = 72});
    add_datagram(c, 9, T0 + 3 * S, 1, ep("2001:db8::1", 5353), ep("ff02::fb", 5353), 4, 40);
    add_datagram(c, 10, T0 + 3 * S, 2, ep("2001:db8::1", 5355), ep("ff02::1:3", 5355), 5, 40);
    add_datagram(c, 11, T0 + 3 * S, 3, ep("2001:db8::9", 5355), ep("ff02::1:3", 5355), 6, 40);
    add_datagram(c, 12, T0 + 3 * S, 4, ep("10.0.0.1", 5355), ep("224.0.0.252", 5355), 7, 40);
    add_datagram(c, 13, T0 + 3 * S, 5, ep("127.0.0.1", 123), ep("127.0.0.1", 40000), 8, 48);
    add_datagram(c, 14, T0 + 61 * S, 5, ep("127.0.0.1", 123), ep("127.0.0.1", 40000), 9, 48);
    assert_owner(who(c, 9).src, 71, NULL, PS_MATCH_SNAPSHOT);
    assert_owner(who(c, 10).src, 70, NULL, PS_MATCH_SNAPSHOT);
    assert_false(who(c, 11).src.known); /* another host's address */
    assert_false(who(c, 12).src.known); /* an IPv6 wildcard is not an IPv4 one */
    assert_false(who(c, 13).src.known); /* created later */
    assert_owner(who(c, 14).src, 72, NULL, PS_MATCH_SNAPSHOT);
    assert_false(who(c, 14).dst.known);
    /* A row for every address speaks for the addresses named in records of its own origin (one
     * file of rows: one host). */
    ps_corr_add_claim(c, 15, T0, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT, .owned = ep("10.0.0.1", 161),
        .pid = 81, .origin = 2});
    ps_corr_add_claim(c, 16, T0, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT, .owned = ep("0.0.0.0", 162),
        .pid = 82, .origin = 3});
    ps_corr_add_claim(c, 17, T0, &(ps_claim){UDP_ROW, .kind = PS_CLAIM_SNAPSHOT, .owned = ep("0.0.0.0", 163),
        .pid = 83, .origin = 2});
    add_datagram(c, 18, T0 + 70 * S, 6, ep("10.0.0.1", 162), ep("10.0.0.2", 9), 10, 4);
    add_datagram(c, 19, T0 + 70 * S, 7, ep("10.0.0.1", 163), ep("10.0.0.2", 9), 11, 4);
    assert_false(who(c, 18).src.known);
    assert_owner(who(c, 19).src, 83, NULL, PS_MATCH_SNAPSHOT);
    ps_corr_free(c);
}

/* A comment on a packet names its end only where nothing else does (level "comment"); a frame may
 * carry several claims (two ends, two sources); of two comments the higher rank's wins. */
static void test_comments_are_the_last_resort(void **state)
{
    (void)state;
    ps_corr *c = ps_corr_new();
    ps_endpoint a = client(), b = server();
    const ps_claim base = {.source = PS_SOURCE_PTCPDUMP, .rank = 0, .transport = PS_TRANSPORT_TCP, .has_pid = true,
                           .kind = PS_CLAIM_COMMENT};
    ps_claim src = base, dst = base, better = base;
    src.owned = a, src.peer = b, src.pid = 4, src.outgoing = true;
    dst.owned = b, dst.peer = a, dst.pid = 8;
    better.source = PS_SOURCE_TRACEE, better.rank = 5, better.owned = b, better.peer = a, better.pid = 9;
    /* frame 1: a packet with comments for both ends, and a second source's for one */
    ps_corr_add_claim(c, 1, T0, &src);
    ps_corr_add_claim(c, 1, T0, &dst);
    ps_corr_add_claim(c, 1, T0, &better);
    ps_corr_add_claim(c, 1, T0, &src); /* fed again: ignored */
    add_out(c, 1, T0, 0, 1, 0, PS_TCP_SYN, 0);
    ps_attribution w;
    assert_true(ps_corr_packet(c, 1, true, &w)); /* one pass: the comments are there already */
    assert_owner(w.src, 4, NULL, PS_MATCH_COMMENT);
    /* frame 3: an ETW send names the source end: the comment yields */
    ps_corr_add_claim(c, 2, T0 + 1000, &(ps_claim){ETW, .kind = PS_CLAIM_DATA, .owned = a, .peer = b, .outgoing = true,
        .size = 100, .pid = 500});
    src.pid = 6;
    ps_corr_add_claim(c, 3, T0 + 2000, &src);
    add_out(c, 3, T0 + 2000, 0, 2, 1, PS_TCP_ACK | 0x08, 100);
    w = who(c, 1);
    /* the ETW claim names the source socket's owner for the connection */
    assert_owner(w.src, 500, NULL, PS_MATCH_CONNECTION);
    assert_owner(w.dst, 9, NULL, PS_MATCH_COMMENT);
    assert_int_equal(w.dst.source, PS_SOURCE_TRACEE);
    w = who(c, 3);
    assert_owner(w.src, 500, NULL, PS_MATCH_EVENT);
    assert_false(w.src.disagreement); /* a comment is no claim on the socket: no disagreement */
    ps_corr_free(c);
}

static void test_times_at_the_ends_of_the_clock(void **state)
{
    (void)state;
    const int64_t late = INT64_MAX - S;
    ps_corr *c = ps_corr_new();
    ps_corr_set_manual_offset(c, 86400 * S);
    ps_corr_set_window(c, INT64_MIN);
    ps_endpoint a = client(), b = server();
    ps_corr_add_claim(c, 1, late, &(ps_claim){TRACEE, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
        .outgoing = true, .seq = 100, .ack = 0, .tcp_flags = PS_TCP_SYN, .pid = 4242, .name = "curl",
        .container = "web"});
    add_out(c, 2, late + S / 2, 0, 100, 0, PS_TCP_SYN, 0);
    add_in(c, 3, INT64_MAX, 0, 900, 101, PS_TCP_SYN | PS_TCP_ACK, 0);
    ps_corr_add_claim(c, 4, INT64_MIN, &(ps_claim){TRACEE, .kind = PS_CLAIM_SOCKET, .owned = b, .peer = a,
        .outgoing = true, .pid = 80, .name = "nginx"});
    ps_attribution w = who(c, 2);
    assert_owner(w.src, 4242, "curl", PS_MATCH_PACKET);
    w = who(c, 3);
    assert_owner(w.dst, 4242, "curl", PS_MATCH_CONNECTION);
    ps_corr_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracee_packet_match_and_connection_level),
        cmocka_unit_test(test_tracee_fields_must_all_match),
        cmocka_unit_test(test_etw_events_and_names_from_process_events),
        cmocka_unit_test(test_payload_larger_than_the_send_does_not_fit),
        cmocka_unit_test(test_window_and_manual_offset),
        cmocka_unit_test(test_offset_estimated_from_exact_matches),
        cmocka_unit_test(test_kernel_thread_yields_to_user_process),
        cmocka_unit_test(test_kernel_thread_alone_is_shown),
        cmocka_unit_test(test_reused_port_and_pid),
        cmocka_unit_test(test_handover_names_the_new_owner),
        cmocka_unit_test(test_snapshot_rows),
        cmocka_unit_test(test_disagreeing_sources), cmocka_unit_test(test_ptcpdump_comment_claims),
        cmocka_unit_test(test_loopback_gets_both_ends_and_hosts_do_not_mix),
        cmocka_unit_test(test_ipv6_and_provisional_answers),
        cmocka_unit_test(test_frames_fed_twice_are_ignored),
        cmocka_unit_test(test_times_at_the_ends_of_the_clock),
        cmocka_unit_test(test_packets_a_record_decides),
        cmocka_unit_test(test_udp_levels_and_shared_resolver),
        cmocka_unit_test(test_udp_port_reuse_ipv6_and_wildcards),
        cmocka_unit_test(test_comments_are_the_last_resort),
        cmocka_unit_test(test_packet_claim_beats_a_nearer_connect),
    };
    return cmocka_run_group_tests_name("correlate", tests, NULL, NULL);
}
