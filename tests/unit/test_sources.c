/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event sources (src/source/): their descriptions, and the claims their decoded records make,
 * which is the one place that says which socket a record speaks for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "source.h"

static void assert_endpoint(const ps_endpoint *e, const char *addr, uint16_t port)
{
    ps_endpoint want = {0};
    want.family = strchr(addr, ':') ? 6 : 4;
    assert_int_equal(inet_pton(want.family == 6 ? AF_INET6 : AF_INET, addr, want.addr), 1);
    assert_int_equal(e->family, want.family);
    assert_memory_equal(e->addr, want.addr, want.family == 6 ? 16 : 4);
    assert_int_equal(e->port, port);
}

static void test_descriptions(void **state)
{
    (void)state;
    for (int s = 0; s < PS_SOURCE_COUNT; s++) {
        const ps_source_info *info = ps_sources[s];
        assert_non_null(info->name);
        assert_non_null(info->title);
        assert_non_null(info->protocols);
        /* Comments are on the capture's own packets: nothing to import, and no records. */
        if (info->on_packets) {
            assert_null(info->import_option);
            assert_null(info->pdu_dissector);
        } else {
            assert_non_null(info->import_option);
        }
        assert_ptr_equal(ps_source_named(info->name), info);
        ps_claim claim;
        ps_claim_init(&claim, (ps_source)s);
        assert_int_equal(claim.source, s);
        assert_int_equal(claim.rank, info->rank);
        assert_int_equal(claim.kind, PS_CLAIM_NONE);
    }
    assert_null(ps_source_named("pktmon"));
    /* A packet seen in the process's context beats an ETW event, which beats a snapshot row. */
    assert_true(ps_sources[PS_SOURCE_TRACEE]->rank > ps_sources[PS_SOURCE_ETW]->rank);
    assert_true(ps_sources[PS_SOURCE_ETW]->rank > ps_sources[PS_SOURCE_NETTCP]->rank);
    /* ptcpdump's owner comes from a table of sockets, as ETW's: below tracee, above a snapshot. */
    assert_true(ps_sources[PS_SOURCE_TRACEE]->rank > ps_sources[PS_SOURCE_PTCPDUMP]->rank);
    assert_true(ps_sources[PS_SOURCE_PTCPDUMP]->rank > ps_sources[PS_SOURCE_NETTCP]->rank);
    assert_null(ps_sources[PS_SOURCE_PTCPDUMP]->pdu_dissector);
    /* Darwin's kernel names the packet's own socket as it passes, as tracee sees it: above a table. */
    assert_int_equal(ps_sources[PS_SOURCE_DARWIN]->rank, ps_sources[PS_SOURCE_TRACEE]->rank);
    assert_true(ps_sources[PS_SOURCE_DARWIN]->rank > ps_sources[PS_SOURCE_PTCPDUMP]->rank);
    assert_string_equal(ps_sources[PS_SOURCE_DARWIN]->name, "darwin");
    assert_string_equal(ps_sources[PS_SOURCE_DARWIN]->protocols, "darwin_proc");
    /* Only the comment sources' and Darwin's records are the packets themselves. */
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        assert_int_equal(ps_sources[s]->on_packets, s == PS_SOURCE_PTCPDUMP || s == PS_SOURCE_ETL2PCAPNG ||
                                                        s == PS_SOURCE_ANNOTATION || s == PS_SOURCE_DARWIN);
    /* procshark's earlier answer beats a comment naming whichever thread ran. */
    assert_true(ps_sources[PS_SOURCE_ANNOTATION]->rank > ps_sources[PS_SOURCE_ETL2PCAPNG]->rank);
    assert_string_equal(ps_sources[PS_SOURCE_ANNOTATION]->name, "annotation");
    assert_string_equal(ps_sources[PS_SOURCE_TRACEE]->pdu_dissector, "procshark.tracee");
    assert_string_equal(ps_sources[PS_SOURCE_NETTCP]->pdu_dissector, "procshark.nettcpconnection");
    assert_null(ps_sources[PS_SOURCE_ETW]->pdu_dissector);
}

/* ---- tracee ---------------------------------------------------------------------------------- */

#define TRACEE_HEAD(event, pid, name)                                                            \
    "{\"timestamp\":1709294400001000000,\"hostProcessId\":" pid ",\"processName\":\"" name "\"," \
    "\"eventName\":\"" event "\","
#define ARG(name, type, value) "{\"name\":\"" name "\",\"type\":\"" type "\",\"value\":" value "}"
#define ADDRS(src, dst, sport, dport)                                                                    \
    ARG("src", "string", "\"" src "\"") "," ARG("dst", "string", "\"" dst "\"") "," ARG("src_port", "uint16", \
                                                                                       sport) ","      \
        ARG("dst_port", "uint16", dport)
#define TCP(sport, dport, seq, ack, syn, ackf)                                                           \
    "," ARG("proto_tcp", "trace.ProtoTCP",                                                               \
            "{\"srcPort\":" sport ",\"dstPort\":" dport ",\"seq\":" seq ",\"ack\":" ack ",\"dataOffset\":5," \
            "\"FIN\":0,\"SYN\":" syn ",\"RST\":0,\"PSH\":0,\"ACK\":" ackf ",\"URG\":0,\"ECE\":0,\"CWR\":0,"  \
            "\"NS\":0,\"window\":64240,\"checksum\":1,\"urgent\":0}")
#define DIRECTION(d) "," ARG("metadata", "trace.PacketMetadata", "{\"direction\":" d "}")

static bool tracee_claim_of(const char *json, tracee_event *ev, ps_claim *claim)
{
    assert_true(tracee_event_decode(json, strlen(json), ev));
    return ps_tracee_claim(ev, claim);
}

static void test_tracee_egress_packet(void **state)
{
    (void)state;
    static const char json[] = TRACEE_HEAD("net_packet_tcp", "4242", "curl") "\"args\":["
        ADDRS("10.0.0.1", "10.0.0.2", "51234", "443") DIRECTION("2") TCP("51234", "443", "1000", "0", "1", "0") "]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(json, &ev, &claim));
    assert_int_equal(claim.source, PS_SOURCE_TRACEE);
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.1", 51234);
    assert_endpoint(&claim.peer, "10.0.0.2", 443);
    assert_int_equal(claim.seq, 1000);
    assert_int_equal(claim.tcp_flags, PS_TCP_SYN);
    assert_true(claim.has_pid);
    assert_int_equal(claim.pid, 4242);
    assert_string_equal(claim.name, "curl");
    assert_false(claim.kernel_thread);
    tracee_event_clear(&ev);
}

/* An inbound packet speaks for its destination; softirq context names a kernel thread. */
static void test_tracee_ingress_kernel_thread(void **state)
{
    (void)state;
    static const char json[] = TRACEE_HEAD("net_packet_tcp", "0", "swapper/1") "\"args\":["
        ADDRS("10.0.0.2", "10.0.0.1", "443", "51234") DIRECTION("1") TCP("443", "51234", "5", "1001", "1", "1") "]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(json, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.1", 51234);
    assert_endpoint(&claim.peer, "10.0.0.2", 443);
    assert_int_equal(claim.tcp_flags, PS_TCP_SYN | PS_TCP_ACK);
    assert_true(claim.kernel_thread);
    tracee_event_clear(&ev);
}

/* A flow event names the owner of a socket, not a packet: incoming flows speak for the acceptor. */
static void test_tracee_flow(void **state)
{
    (void)state;
    static const char json[] = TRACEE_HEAD("net_flow_tcp_begin", "900", "nginx") "\"args\":["
        "{\"name\":\"conn_direction\",\"type\":\"string\",\"value\":\"incoming\"},"
        ADDRS("10.0.0.1", "10.0.0.2", "51234", "443") "]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(json, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    assert_endpoint(&claim.owned, "10.0.0.2", 443);
    assert_endpoint(&claim.peer, "10.0.0.1", 51234);
    assert_int_equal(claim.pid, 900);
    tracee_event_clear(&ev);
}

#define UDP(sport, dport, len, sum)                                                                 \
    "," ARG("proto_udp", "trace.ProtoUDP",                                                            \
            "{\"srcPort\":" sport ",\"dstPort\":" dport ",\"length\":" len ",\"checksum\":" sum "}")
#define PKTMETA(src, dst, sport, dport, proto, len, more)                                                   \
    ARG("metadata", "trace.PktMeta",                                                                     \
        "{\"src_ip\":\"" src "\",\"dst_ip\":\"" dst "\",\"src_port\":" sport ",\"dst_port\":" dport     \
        ",\"protocol\":" proto ",\"packet_len\":" len ",\"iface\":\"any\"" more "}")

/* A UDP packet with its header: the engine's UDP PACKET, seq the header's length, ack its checksum. */
static void test_tracee_udp_packet(void **state)
{
    (void)state;
    static const char egress[] = TRACEE_HEAD("net_packet_udp", "7", "dig") "\"args\":["
        ADDRS("10.0.0.1", "10.0.0.53", "41000", "53") DIRECTION("2") UDP("41000", "53", "48", "4660") "]}";
    static const char ingress[] = TRACEE_HEAD("net_packet_udp", "7", "dig") "\"args\":["
        ADDRS("2001:db8::53", "2001:db8::5", "53", "41000") DIRECTION("1") UDP("53", "41000", "120", "0") "]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(egress, &ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.1", 41000);
    assert_endpoint(&claim.peer, "10.0.0.53", 53);
    assert_int_equal(claim.seq, 48);
    assert_int_equal(claim.ack, 4660);
    assert_int_equal(claim.tcp_flags, 0);
    assert_int_equal(claim.pid, 7);
    assert_string_equal(claim.name, "dig");
    tracee_event_clear(&ev);
    assert_true(tracee_claim_of(ingress, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "2001:db8::5", 41000);
    assert_endpoint(&claim.peer, "2001:db8::53", 53);
    assert_int_equal(claim.seq, 120);
    assert_int_equal(claim.ack, 0);
    tracee_event_clear(&ev);
}

/* The DNS events: a payload of packet_len less the IP header (IPv4's total length counts its 20
 * bytes, IPv6's payload length does not) and the UDP header's 8. */
static void test_tracee_dns_data(void **state)
{
    (void)state;
    /* tracee's own net_packet_dns_request line (docs), with a direction added */
    static const char request[] = TRACEE_HEAD("net_packet_dns_request", "472", "systemd-resolve") "\"args\":["
        PKTMETA("192.168.200.50", "8.8.8.8", "56650", "53", "17", "68", ",\"direction\":2") "]}";
    static const char response6[] = TRACEE_HEAD("net_packet_dns_response", "472", "systemd-resolve") "\"args\":["
        PKTMETA("2001:db8::53", "2001:db8::5", "53", "41000", "17", "100", ",\"direction\":1") "]}";
    static const char short_len[] = TRACEE_HEAD("net_packet_dns_request", "472", "systemd-resolve") "\"args\":["
        PKTMETA("192.168.200.50", "8.8.8.8", "56650", "53", "17", "27", ",\"direction\":2") "]}";
    static const char dns_no_len[] = TRACEE_HEAD("net_packet_dns", "472", "systemd-resolve") "\"args\":["
        ADDRS("8.8.8.8", "192.168.200.50", "53", "36031") DIRECTION("1") "]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(request, &ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_DATA);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "192.168.200.50", 56650);
    assert_endpoint(&claim.peer, "8.8.8.8", 53);
    assert_int_equal(claim.size, 40); /* 68 - 20 - 8: the 40-byte query */
    assert_int_equal(claim.pid, 472);
    tracee_event_clear(&ev);
    assert_true(tracee_claim_of(response6, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_DATA);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "2001:db8::5", 41000);
    assert_endpoint(&claim.peer, "2001:db8::53", 53);
    assert_int_equal(claim.size, 92); /* 100 - 8 */
    tracee_event_clear(&ev);
    /* a length shorter than the headers says nothing of the payload: only the owner */
    assert_true(tracee_claim_of(short_len, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    tracee_event_clear(&ev);
    assert_true(tracee_claim_of(dns_no_len, &ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    assert_endpoint(&claim.owned, "192.168.200.50", 36031);
    tracee_event_clear(&ev);
}

/* Without a direction a DNS event names no socket: tracee reports a query both for its sender and
 * for a local resolver receiving it. A PktMeta protocol of 6 is TCP. */
static void test_tracee_dns_no_direction(void **state)
{
    (void)state;
    static const char request[] = TRACEE_HEAD("net_packet_dns_request", "472", "systemd-resolve") "\"args\":["
        PKTMETA("192.168.200.50", "8.8.8.8", "56650", "53", "17", "68", "") "]}";
    static const char over_tcp[] = TRACEE_HEAD("net_packet_dns_request", "472", "systemd-resolve") "\"args\":["
        PKTMETA("192.168.200.50", "8.8.8.8", "56650", "53", "6", "80", ",\"direction\":2") "]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(request, &ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    assert_endpoint(&claim.owned, "192.168.200.50", 56650);
    assert_int_equal(claim.pid, 472);
    tracee_event_clear(&ev);
    assert_true(tracee_claim_of(over_tcp, &ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_TCP);
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    tracee_event_clear(&ev);
}

/* A packet event without its TCP header still names the socket's owner; a UDP event without a
 * direction shows its socket but claims nothing the engine uses. */
static void test_tracee_partial(void **state)
{
    (void)state;
    static const char no_tcp[] = TRACEE_HEAD("net_packet_tcp", "7", "app") "\"args\":["
        ADDRS("10.0.0.1", "10.0.0.2", "1", "2") DIRECTION("2") "]}";
    static const char udp[] = TRACEE_HEAD("net_packet_udp", "7", "app") "\"args\":["
        ADDRS("10.0.0.1", "10.0.0.3", "5353", "53") "]}";
    static const char no_addresses[] = TRACEE_HEAD("net_packet_tcp", "7", "app") "\"args\":["
        "{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":2}}]}";
    tracee_event ev;
    ps_claim claim;
    assert_true(tracee_claim_of(no_tcp, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    tracee_event_clear(&ev);
    assert_true(tracee_claim_of(udp, &ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE); /* no direction */
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_endpoint(&claim.owned, "10.0.0.1", 5353);
    tracee_event_clear(&ev);
    assert_false(tracee_claim_of(no_addresses, &ev, &claim));
    tracee_event_clear(&ev);
}

/* ---- ETW ------------------------------------------------------------------------------------- */

static size_t from_hex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p; p++) {
        if (*p == ' ')
            continue;
        unsigned v;
        assert_int_equal(sscanf(p, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        p++;
    }
    return n;
}

static void etw_claim_of(etw_provider provider, uint16_t id, uint8_t opcode, uint8_t version, const char *hex,
                         etw_net_event *ev, ps_claim *claim, bool has_socket)
{
    uint8_t buf[128];
    size_t n = from_hex(hex, buf);
    assert_true(etw_net_decode(provider, id, opcode, version, buf, n, n, ev));
    assert_int_equal(ps_etw_net_claim(ev, claim), has_socket);
    ps_problems_clear(&ev->problems);
}

/* Kernel-Network SendIPV4 and RecvIPV4 from a real trace (docs/FORMATS.md section 3). */
static void test_etw_send_recv(void **state)
{
    (void)state;
    etw_net_event ev;
    ps_claim claim;
    etw_claim_of(ETW_PROVIDER_KERNEL_NETWORK, 10, 0, 0,
                 "9c0a0000 4d000000 9d38f426 0a796a76 01bb f12b f02f2d00 f12f2d00 00000000 0000000000000000", &ev,
                 &claim, true);
    assert_int_equal(claim.source, PS_SOURCE_ETW);
    assert_int_equal(claim.kind, PS_CLAIM_DATA);
    assert_true(claim.outgoing);
    assert_false(claim.retransmit);
    assert_endpoint(&claim.owned, "10.121.106.118", 61739);
    assert_endpoint(&claim.peer, "157.56.244.38", 443);
    assert_int_equal(claim.size, 77);
    assert_int_equal(claim.pid, 2716);
    assert_int_equal(claim.transport, PS_TRANSPORT_TCP);
    etw_claim_of(ETW_PROVIDER_KERNEL_NETWORK, 11, 0, 0,
                 "9c0a0000 05100000 9d38f426 0a796a76 01bb f12c 00000000 0000000000000000", &ev, &claim, true);
    assert_int_equal(claim.kind, PS_CLAIM_DATA);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "10.121.106.118", 61740);
    assert_int_equal(claim.size, 4101);
}

/* TcpIp AcceptIPV4 (opcode 15): the first SYN arrives at the local socket. */
static void test_etw_accept(void **state)
{
    (void)state;
    etw_net_event ev;
    ps_claim claim;
    etw_claim_of(ETW_PROVIDER_TCPIP, 0, 15, 2,
                 "d2040000 00000000 c0000207 0a000005 c738 0050 b405 0100 0000 0100 ffff0000 0800 0800 00000000 "
                 "00000000",
                 &ev, &claim, true);
    assert_int_equal(claim.kind, PS_CLAIM_OPEN);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.5", 80);
    assert_endpoint(&claim.peer, "192.0.2.7", 51000);
    assert_int_equal(claim.pid, 1234);
}

/* Kernel-Network ConnectIPV4 (id 12) and ReconnectIPV4 (id 16, a SYN resent after a refusal) both
 * send a SYN from the local socket: 127.0.0.1:53165 to 127.0.0.1:6469, pid 5312. */
static void test_etw_connect_reconnect(void **state)
{
    (void)state;
    etw_net_event ev;
    ps_claim claim;
    etw_claim_of(ETW_PROVIDER_KERNEL_NETWORK, 12, 12, 0,
                 "c0140000 00000000 7f000001 7f000001 1945 cfad d7ff 0100 0000 0100 ffff0000 0800 0000 00000000 "
                 "0000000000000000",
                 &ev, &claim, true);
    assert_int_equal(claim.kind, PS_CLAIM_OPEN);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "127.0.0.1", 53165);
    assert_endpoint(&claim.peer, "127.0.0.1", 6469);
    assert_int_equal(claim.pid, 5312);
    etw_claim_of(ETW_PROVIDER_KERNEL_NETWORK, 16, 16, 0,
                 "c0140000 00000000 7f000001 7f000001 1945 cfad 00000000 0000000000000000", &ev, &claim, true);
    assert_int_equal(claim.kind, PS_CLAIM_OPEN);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "127.0.0.1", 53165);
    assert_endpoint(&claim.peer, "127.0.0.1", 6469);
    assert_int_equal(claim.pid, 5312);
}

/* A UDP receive's own socket is its destination; UDP is not matched yet (transport UDP). */
static void test_etw_udp_recv(void **state)
{
    (void)state;
    etw_net_event ev;
    ps_claim claim;
    etw_claim_of(ETW_PROVIDER_UDPIP, 0, 11, 2, "a00f0000 00000000 5db8d822 c0a80114 0050 c000 00000000 ddccbbaa", &ev,
                 &claim, true);
    assert_string_equal(ev.transport, "UDP");
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_endpoint(&claim.owned, "93.184.216.34", 80);
    assert_endpoint(&claim.peer, "192.168.1.20", 49152);
}

/* ---- Get-NetTCPConnection -------------------------------------------------------------------- */

static void test_nettcp_row(void **state)
{
    (void)state;
    static const char full[] = "{\"LocalAddress\":\"192.168.20.11\",\"LocalPort\":3389,\"RemoteAddress\":"
                               "\"192.168.20.50\",\"RemotePort\":61020,\"OwningProcess\":1108,\"CreationTime\":"
                               "\"2023-11-14T22:13:20.1234567+01:00\"}";
    /* State says TCP; without a remote end the row is about a socket but no snapshot of a pair. */
    static const char listener[] = "{\"LocalAddress\":\"0.0.0.0\",\"LocalPort\":445,\"State\":\"Listen\","
                                   "\"OwningProcess\":4}";
    nettcp_row row = {0};
    ps_claim claim;
    assert_true(nettcp_row_decode(full, strlen(full), &row));
    assert_true(ps_nettcp_claim(&row, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SNAPSHOT);
    assert_endpoint(&claim.owned, "192.168.20.11", 3389);
    assert_endpoint(&claim.peer, "192.168.20.50", 61020);
    assert_int_equal(claim.pid, 1108);
    assert_true(claim.has_creation);
    assert_int_equal(claim.creation_ns, INT64_C(1699996400123456700));
    nettcp_row_clear(&row);
    memset(&row, 0, sizeof row);
    assert_true(nettcp_row_decode(listener, strlen(listener), &row));
    assert_true(ps_nettcp_claim(&row, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    assert_endpoint(&claim.owned, "0.0.0.0", 445);
    nettcp_row_clear(&row);
}

/* A Get-NetUDPEndpoint row: the local socket alone, talking to any peer (peer family 0); a
 * wildcard address stays the all-zero address of its family. */
static void test_netudp_row(void **state)
{
    (void)state;
    static const char wildcard[] = "{\"LocalAddress\":\"0.0.0.0\",\"LocalPort\":5353,\"OwningProcess\":2424,"
                                   "\"CreationTime\":\"\\/Date(1700000000000)\\/\","
                                   "\"CimClass\":\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\"}";
    static const char ipv6[] = "{\"LocalAddress\":\"2001:db8::53\",\"LocalPort\":53,\"OwningProcess\":1900}";
    static const ps_endpoint nobody = {0};
    nettcp_row row = {0};
    ps_claim claim;
    assert_true(nettcp_row_decode(wildcard, strlen(wildcard), &row));
    assert_true(ps_nettcp_claim(&row, &claim));
    assert_int_equal(claim.source, PS_SOURCE_NETTCP);
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_SNAPSHOT);
    assert_endpoint(&claim.owned, "0.0.0.0", 5353);
    assert_memory_equal(&claim.peer, &nobody, sizeof nobody);
    assert_true(claim.has_pid);
    assert_int_equal(claim.pid, 2424);
    assert_true(claim.has_creation);
    assert_int_equal(claim.creation_ns, INT64_C(1700000000000000000));
    nettcp_row_clear(&row);

    assert_true(nettcp_row_decode(ipv6, strlen(ipv6), &row));
    assert_true(ps_nettcp_claim(&row, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_SNAPSHOT);
    assert_endpoint(&claim.owned, "2001:db8::53", 53);
    assert_int_equal(claim.peer.family, 0);
    assert_int_equal(claim.pid, 1900);
    assert_false(claim.has_creation);
    nettcp_row_clear(&row);

    /* Without its pid, port or address a row names nothing. */
    static const char *const partial[] = {
        "{\"LocalAddress\":\"0.0.0.0\",\"LocalPort\":5353}",
        "{\"LocalAddress\":\"0.0.0.0\",\"OwningProcess\":2424}",
        "{\"LocalPort\":5353,\"OwningProcess\":2424}",
        "{\"LocalAddress\":\"0.0.0.0\",\"LocalPort\":5353,\"OwningProcess\":-1}",
    };
    for (size_t i = 0; i < sizeof partial / sizeof *partial; i++) {
        assert_true(nettcp_row_decode(partial[i], strlen(partial[i]), &row));
        assert_int_equal(row.transport, NETTCP_TRANSPORT_UDP);
        assert_false(ps_nettcp_claim(&row, &claim));
        assert_int_equal(claim.kind, PS_CLAIM_NONE);
        nettcp_row_clear(&row);
    }
}

/* ---- ETW Process ----------------------------------------------------------------------------- */

static void test_etw_process_changes(void **state)
{
    (void)state;
    static const struct {
        uint8_t opcode;
        bool changes;
        ps_process_change change;
    } cases[] = {{1, true, PS_PROCESS_START},  {2, true, PS_PROCESS_END},  {3, true, PS_PROCESS_RUNNING},
                 {4, true, PS_PROCESS_STILL_RUNNING}, {39, true, PS_PROCESS_END}, {10, false, PS_PROCESS_START}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        etw_proc_event ev;
        memset(&ev, 0, sizeof ev);
        ev.opcode = cases[i].opcode;
        ev.span[ETW_PROC_PID].len = 4;
        ps_process_change change;
        assert_int_equal(ps_etw_process_change(&ev, &change), cases[i].changes);
        if (cases[i].changes)
            assert_int_equal(change, cases[i].change);
    }
    etw_proc_event truncated;
    memset(&truncated, 0, sizeof truncated);
    truncated.opcode = 1;
    truncated.span[ETW_PROC_PID].len = 4;
    ps_problems_add(&truncated.problems, ETW_PROC_TRUNCATED, 0, 10, "cut");
    ps_process_change change;
    assert_false(ps_etw_process_change(&truncated, &change));
    ps_problems_clear(&truncated.problems);
    /* Bytes after the last field leave the event whole. */
    etw_proc_event trailing;
    memset(&trailing, 0, sizeof trailing);
    trailing.opcode = 2;
    trailing.span[ETW_PROC_PID].len = 4;
    ps_problems_add(&trailing.problems, ETW_PROC_TRAILING, 40, 2, "2 bytes after the last field");
    assert_true(ps_etw_process_change(&trailing, &change));
    assert_int_equal(change, PS_PROCESS_END);
    ps_problems_clear(&trailing.problems);
}

/* ---- ptcpdump ------------------------------------------------------------------------------- */

static ps_packet_facts facts(const char *src, uint16_t sport, const char *dst, uint16_t dport, ps_direction dir)
{
    ps_packet_facts p = {.transport = PS_TRANSPORT_TCP};
    p.src.family = p.dst.family = strchr(src, ':') ? 6 : 4;
    assert_int_equal(inet_pton(p.src.family == 6 ? AF_INET6 : AF_INET, src, p.src.addr), 1);
    assert_int_equal(inet_pton(p.dst.family == 6 ? AF_INET6 : AF_INET, dst, p.dst.addr), 1);
    p.src.port = sport;
    p.dst.port = dport;
    p.direction = dir;
    p.seq = 1000;
    p.ack = 2000;
    p.tcp_flags = PS_TCP_ACK;
    return p;
}

static void curl_user_comments(ptcpdump_info *info)
{
    static const char *const comments[] = {
        "PID: 99722\nCmd: /usr/bin/curl\nArgs: curl https://kernel.org",
        "UserId: 1000",
        "ParentPID: 18840\nParentCmd: /usr/bin/bash\nParentArgs: -bash",
    };
    memset(info, 0, sizeof *info);
    for (size_t i = 0; i < 3; i++)
        ptcpdump_comment_add(info, comments[i], strlen(comments[i]));
    ptcpdump_comment_finish(info);
}

/* To another host: the local socket, the source of an outbound packet, the destination of an
 * inbound one (curl-user.pcapng, packets 1 and 2). */
/* etl2pcapng's comment: the outbound packet's source socket, the inbound one's destination, at the
 * comment level; System (4) and Idle (0) are an interrupt's context: no claim used; no direction,
 * no socket. */
static void test_etl2pcapng_comment(void **state)
{
    (void)state;
    pidtid_comment comment;
    ps_claim claim;
    assert_true(pidtid_comment_parse("PID=2424 TID=1", 14, &comment));
    ps_packet_facts out = facts("10.0.0.5", 53000, "10.0.0.1", 53, PS_DIR_OUTBOUND);
    out.transport = PS_TRANSPORT_UDP;
    assert_true(ps_etl2pcapng_claim(&comment, &out, &claim));
    assert_int_equal(claim.source, PS_SOURCE_ETL2PCAPNG);
    assert_int_equal(claim.kind, PS_CLAIM_COMMENT);
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.5", 53000);
    assert_endpoint(&claim.peer, "10.0.0.1", 53);
    assert_int_equal(claim.pid, 2424);
    ps_packet_facts in = facts("10.0.0.1", 53, "10.0.0.5", 53000, PS_DIR_INBOUND);
    assert_true(ps_etl2pcapng_claim(&comment, &in, &claim));
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.5", 53000);
    ps_packet_facts unknown = facts("10.0.0.1", 53, "10.0.0.5", 53000, PS_DIR_UNKNOWN);
    assert_false(ps_etl2pcapng_claim(&comment, &unknown, &claim));
    pidtid_comment_clear(&comment);
    assert_true(pidtid_comment_parse("PID=4 TID=80", 12, &comment));
    assert_true(ps_etl2pcapng_claim(&comment, &in, &claim));
    assert_true(claim.kernel_thread);
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    pidtid_comment_clear(&comment);
}

static void test_ptcpdump_remote(void **state)
{
    (void)state;
    ptcpdump_info info;
    curl_user_comments(&info);
    ps_packet_facts out = facts("10.0.2.15", 42906, "139.178.84.217", 443, PS_DIR_OUTBOUND);
    ps_claim claim;
    assert_true(ps_ptcpdump_claim(&info, &out, &claim));
    assert_int_equal(claim.source, PS_SOURCE_PTCPDUMP);
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.2.15", 42906);
    assert_endpoint(&claim.peer, "139.178.84.217", 443);
    assert_int_equal(claim.seq, 1000);
    assert_int_equal(claim.ack, 2000);
    assert_int_equal(claim.tcp_flags, PS_TCP_ACK);
    assert_true(claim.has_pid);
    assert_int_equal(claim.pid, 99722);
    assert_string_equal(claim.name, "curl");
    assert_null(claim.container);
    ps_packet_facts in = facts("139.178.84.217", 443, "10.0.2.15", 42906, PS_DIR_INBOUND);
    assert_true(ps_ptcpdump_claim(&info, &in, &claim));
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.2.15", 42906);
    assert_endpoint(&claim.peer, "139.178.84.217", 443);
    /* Without a direction the local end is unknown. */
    ps_packet_facts unknown = facts("10.0.2.15", 42906, "139.178.84.217", 443, PS_DIR_UNKNOWN);
    assert_false(ps_ptcpdump_claim(&info, &unknown, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    ptcpdump_info_clear(&info);
}

/* Loopback: both sockets are local, and ptcpdump names whichever it knew, source first, without
 * saying which (tcp.pcapng names curl, the client, on the server's SYN-ACK). A thread comment is
 * written only in the sending thread's context: then it is the source. */
static void test_ptcpdump_loopback(void **state)
{
    (void)state;
    ptcpdump_info info;
    curl_user_comments(&info);
    ps_claim claim;
    ps_packet_facts synack = facts("127.0.0.1", 8000, "127.0.0.1", 58694, PS_DIR_OUTBOUND);
    assert_true(ps_packet_is_loopback(&synack));
    assert_false(ps_ptcpdump_claim(&info, &synack, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    assert_int_equal(claim.pid, 99722); /* still shown on the packet */
    assert_string_equal(claim.name, "curl");
    ps_packet_facts self = facts("10.0.2.15", 1, "10.0.2.15", 2, PS_DIR_INBOUND);
    assert_false(ps_ptcpdump_claim(&info, &self, &claim));
    ps_packet_facts v6 = facts("::1", 3, "::1", 4, PS_DIR_INBOUND);
    assert_false(ps_ptcpdump_claim(&info, &v6, &claim));
    ps_packet_facts mixed = facts("127.0.0.1", 5, "10.0.2.15", 6, PS_DIR_INBOUND);
    assert_false(ps_packet_is_loopback(&mixed));
    static const char thread[] = "ThreadId: 99723\nThreadName: curl";
    ptcpdump_comment_add(&info, thread, strlen(thread));
    ps_packet_facts syn = facts("127.0.0.1", 58694, "127.0.0.1", 8000, PS_DIR_OUTBOUND);
    assert_true(ps_ptcpdump_claim(&info, &syn, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "127.0.0.1", 58694);
    ptcpdump_info_clear(&info);
}

/* A container's name, else its id; comments without a usable PID claim nothing. */
/* procshark's annotation: each known end a comment claim on its own socket, the peer the other end. */
static void test_annotation(void **state)
{
    (void)state;
    proc_annotation ann = {0};
    const char *text = "proc: curl (1234) [container web] \xe2\x86\x92 ?";
    assert_true(proc_annotation_decode(text, strlen(text), &ann, NULL));
    ps_packet_facts udp = {.transport = PS_TRANSPORT_UDP, .seq = 40, .ack = 0xbeef};
    udp.src.family = udp.dst.family = 4;
    memcpy(udp.src.addr, "\x0a\0\0\x02", 4);
    memcpy(udp.dst.addr, "\x0a\0\0\x35", 4);
    udp.src.port = 5353;
    udp.dst.port = 53;
    ps_claim claim;
    assert_true(ps_annotation_claim(&ann, 0, &udp, &claim));
    assert_int_equal(claim.source, PS_SOURCE_ANNOTATION);
    assert_int_equal(claim.rank, 1);
    assert_int_equal(claim.kind, PS_CLAIM_COMMENT);
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_endpoint(&claim.owned, "10.0.0.2", 5353);
    assert_endpoint(&claim.peer, "10.0.0.53", 53);
    assert_true(claim.outgoing);
    assert_true(claim.has_pid);
    assert_int_equal(claim.pid, 1234);
    assert_string_equal(claim.name, "curl");
    assert_string_equal(claim.container, "web");
    assert_int_equal(claim.seq, 40);
    assert_int_equal(claim.ack, 0xbeef);
    /* The destination end is not known: no claim. */
    assert_false(ps_annotation_claim(&ann, 1, &udp, &claim));
    proc_annotation_clear(&ann);
    text = "proc: ? \xe2\x86\x92 ? (80)";
    assert_true(proc_annotation_decode(text, strlen(text), &ann, NULL));
    assert_false(ps_annotation_claim(&ann, 0, &udp, &claim));
    assert_true(ps_annotation_claim(&ann, 1, &udp, &claim));
    assert_endpoint(&claim.owned, "10.0.0.53", 53);
    assert_endpoint(&claim.peer, "10.0.0.2", 5353);
    assert_false(claim.outgoing);
    assert_int_equal(claim.pid, 80);
    assert_null(claim.name);
    assert_null(claim.container);
    proc_annotation_clear(&ann);
}

static void test_ptcpdump_container_no_pid(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    static const char c1[] = "PID: 7\nCmd: /usr/sbin/nginx", c2[] = "ContainerId: 0123abcd\nContainerImage: nginx";
    ptcpdump_comment_add(&info, c1, strlen(c1));
    ptcpdump_comment_add(&info, c2, strlen(c2));
    ptcpdump_comment_finish(&info);
    ps_packet_facts in = facts("10.0.0.9", 40000, "172.17.0.2", 80, PS_DIR_INBOUND);
    ps_claim claim;
    assert_true(ps_ptcpdump_claim(&info, &in, &claim));
    assert_string_equal(claim.container, "0123abcd");
    assert_string_equal(claim.name, "nginx");
    ptcpdump_info_clear(&info);
    static const char bad[] = "PID: seven\nCmd: /usr/sbin/nginx";
    ptcpdump_comment_add(&info, bad, strlen(bad));
    ptcpdump_comment_finish(&info);
    assert_true(ps_ptcpdump_claim(&info, &in, &claim));
    assert_false(claim.has_pid);
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    ptcpdump_info_clear(&info);
}

/* ---- Darwin (pktap) ------------------------------------------------------------------------- */

/* The socket the packet belongs to: the source of an outbound packet, the destination of an inbound
 * one, with the packet's own seq, ack and flags (UDP: length and checksum). */
static void test_darwin_remote(void **state)
{
    (void)state;
    const ps_darwin_process curl = {4242, "curl"};
    ps_packet_facts out = facts("192.168.1.10", 50000, "93.184.216.34", 443, PS_DIR_OUTBOUND);
    ps_claim claim;
    assert_true(ps_darwin_claim(&curl, &out, &claim));
    assert_int_equal(claim.source, PS_SOURCE_DARWIN);
    assert_int_equal(claim.rank, ps_sources[PS_SOURCE_DARWIN]->rank);
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_int_equal(claim.transport, PS_TRANSPORT_TCP);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "192.168.1.10", 50000);
    assert_endpoint(&claim.peer, "93.184.216.34", 443);
    assert_int_equal(claim.seq, 1000);
    assert_int_equal(claim.ack, 2000);
    assert_int_equal(claim.tcp_flags, PS_TCP_ACK);
    assert_true(claim.has_pid);
    assert_int_equal(claim.pid, 4242);
    assert_string_equal(claim.name, "curl");
    assert_null(claim.container);
    const ps_darwin_process mdns = {310, "mDNSResponder"};
    ps_packet_facts in = facts("192.168.1.1", 53, "192.168.1.10", 53000, PS_DIR_INBOUND);
    in.transport = PS_TRANSPORT_UDP;
    in.seq = 20;
    in.ack = 0x515a;
    in.tcp_flags = 0;
    assert_true(ps_darwin_claim(&mdns, &in, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "192.168.1.10", 53000);
    assert_endpoint(&claim.peer, "192.168.1.1", 53);
    assert_int_equal(claim.seq, 20);
    assert_int_equal(claim.ack, 0x515a);
    assert_int_equal(claim.pid, 310);
    /* Without a direction the socket is unknown: the process is still there to show. */
    ps_packet_facts unknown = facts("192.168.1.10", 50002, "10.0.0.5", 22, PS_DIR_UNKNOWN);
    assert_false(ps_darwin_claim(&curl, &unknown, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    assert_int_equal(claim.pid, 4242);
}

/* Loopback: unlike ptcpdump's table, the kernel took the process from the socket the direction
 * names, so both ends of a loopback connection are told apart. */
static void test_darwin_loopback(void **state)
{
    (void)state;
    const ps_darwin_process server = {777, "python3.12"};
    ps_packet_facts synack = facts("127.0.0.1", 8080, "127.0.0.1", 50004, PS_DIR_OUTBOUND);
    ps_claim claim;
    assert_true(ps_darwin_claim(&server, &synack, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_endpoint(&claim.owned, "127.0.0.1", 8080);
    assert_endpoint(&claim.peer, "127.0.0.1", 50004);
    ps_packet_facts delivered = facts("::1", 50004, "::1", 8080, PS_DIR_INBOUND);
    assert_true(ps_darwin_claim(&server, &delivered, &claim));
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "::1", 8080);
}

/* ---- procshark-record ------------------------------------------------------------------------ */

/* A decoded record of kind and what, from local to remote, as procrec_event_decode leaves it. */
static procrec_event procrec(uint8_t kind, uint8_t what, const char *local, uint16_t lport, const char *remote,
                             uint16_t rport, uint32_t flags)
{
    procrec_event ev = {0};
    ev.kind = kind;
    ev.what = what;
    ev.family = strchr(local, ':') ? 6 : 4;
    ev.protocol = kind == PROCREC_KIND_UDP ? 17 : 6;
    const int af = ev.family == 6 ? AF_INET6 : AF_INET;
    assert_int_equal(inet_pton(af, local, ev.local_addr), 1);
    assert_int_equal(inet_pton(af, remote, ev.remote_addr), 1);
    ev.local_port = lport;
    ev.remote_port = rport;
    ev.flags = flags;
    ev.pid = 4242;
    strcpy(ev.comm, "curl");
    return ev;
}

static void test_procrec_tcp(void **state)
{
    (void)state;
    assert_string_equal(ps_sources[PS_SOURCE_PROCREC]->name, "procrec");
    assert_string_equal(ps_sources[PS_SOURCE_PROCREC]->pdu_dissector, "procshark.procrec");
    assert_string_equal(ps_sources[PS_SOURCE_PROCREC]->import_option, "procrec");
    /* The kernel names the socket's own process, as tracee sees it. */
    assert_int_equal(ps_sources[PS_SOURCE_PROCREC]->rank, ps_sources[PS_SOURCE_TRACEE]->rank);

    /* connect: the SYN the owned socket sends. */
    procrec_event ev = procrec(PROCREC_KIND_TCP, PROCREC_CONNECT, "10.0.0.1", 50000, "93.184.216.34", 443,
                               PROCREC_FLAG_OWNER);
    ps_claim claim;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.source, PS_SOURCE_PROCREC);
    assert_int_equal(claim.rank, 2);
    assert_int_equal(claim.transport, PS_TRANSPORT_TCP);
    assert_int_equal(claim.kind, PS_CLAIM_OPEN);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.1", 50000);
    assert_endpoint(&claim.peer, "93.184.216.34", 443);
    assert_true(claim.has_pid);
    assert_int_equal(claim.pid, 4242);
    assert_string_equal(claim.name, "curl");
    assert_null(claim.container);
    assert_false(claim.kernel_thread);

    /* accept: the owner of the accepted socket, tied to no packet. */
    ev = procrec(PROCREC_KIND_TCP, PROCREC_ACCEPT, "::1", 8443, "::1", 41000, PROCREC_FLAG_OWNER);
    strcpy(ev.container_id, "3f4e5d6c");
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "::1", 8443);
    assert_endpoint(&claim.peer, "::1", 41000);
    assert_string_equal(claim.container, "3f4e5d6c");

    /* close and other state changes: the owner when the recorder says so, else whatever ran. */
    for (uint8_t what = PROCREC_CLOSE; what <= PROCREC_STATE; what++) {
        ev = procrec(PROCREC_KIND_TCP, what, "10.0.0.1", 50000, "93.184.216.34", 443, PROCREC_FLAG_OWNER);
        assert_true(ps_procrec_claim(&ev, &claim));
        assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
        assert_endpoint(&claim.owned, "10.0.0.1", 50000);
        ev.flags = 0;
        assert_true(ps_procrec_claim(&ev, &claim));
        assert_int_equal(claim.kind, PS_CLAIM_NONE);
        assert_endpoint(&claim.owned, "10.0.0.1", 50000);
    }

    /* owner: another process sends on the socket, its owner from then on. */
    ev = procrec(PROCREC_KIND_TCP, PROCREC_OWNER, "10.0.0.1", 50000, "93.184.216.34", 443, PROCREC_FLAG_OWNER);
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_HANDOVER);
    assert_endpoint(&claim.owned, "10.0.0.1", 50000);
    assert_endpoint(&claim.peer, "93.184.216.34", 443);
}

/* Packet events: the packet itself, in the engine's terms tracee's net_packet_* use. */
static void test_procrec_packet(void **state)
{
    (void)state;
    procrec_event ev = procrec(PROCREC_KIND_TCP, PROCREC_PACKET, "10.0.0.1", 50000, "93.184.216.34", 443,
                               PROCREC_FLAG_OWNER);
    ev.seq = 305419896;
    ev.ack = 2596069104u;
    ev.tcp_flags = PS_TCP_ACK | 0x08;
    ev.direction = PROCREC_DIRECTION_OUT;
    ps_claim claim;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_int_equal(claim.transport, PS_TRANSPORT_TCP);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.1", 50000);
    assert_endpoint(&claim.peer, "93.184.216.34", 443);
    assert_int_equal(claim.seq, 305419896);
    assert_int_equal(claim.ack, 2596069104u);
    assert_int_equal(claim.tcp_flags, 0x18);
    assert_int_equal(claim.pid, 4242);
    assert_string_equal(claim.name, "curl");
    ev.direction = PROCREC_DIRECTION_IN;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "10.0.0.1", 50000);

    /* UDP: seq the header's length, ack its checksum, as the engine's UDP packets have them. */
    ev = procrec(PROCREC_KIND_UDP, PROCREC_PACKET, "127.0.0.53", 53, "127.0.0.1", 40000, 0);
    ev.udp_length = 56;
    ev.udp_checksum = 0xfe3d;
    ev.direction = PROCREC_DIRECTION_IN;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_PACKET);
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_false(claim.outgoing);
    assert_int_equal(claim.seq, 56);
    assert_int_equal(claim.ack, 0xfe3d);
    assert_int_equal(claim.tcp_flags, 0);

    /* Without a direction a packet speaks for neither end. */
    ev.direction = 0;
    assert_false(ps_procrec_claim(&ev, &claim));
}

static void test_procrec_udp_and_lost(void **state)
{
    (void)state;
    procrec_event ev = procrec(PROCREC_KIND_UDP, PROCREC_UDP_SEND, "127.0.0.1", 40000, "127.0.0.53", 53, 0);
    ps_claim claim;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    assert_true(claim.outgoing);
    assert_endpoint(&claim.owned, "127.0.0.1", 40000);
    assert_endpoint(&claim.peer, "127.0.0.53", 53);
    ev = procrec(PROCREC_KIND_UDP, PROCREC_UDP_RECEIVE, "127.0.0.53", 53, "127.0.0.1", 40000, 0);
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_int_equal(claim.kind, PS_CLAIM_SOCKET);
    assert_false(claim.outgoing);
    assert_endpoint(&claim.owned, "127.0.0.53", 53);

    /* Lost events and records that contradict themselves speak for no socket. */
    procrec_event lost = {.kind = PROCREC_KIND_LOST, .lost = 17};
    assert_false(ps_procrec_claim(&lost, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    ev = procrec(PROCREC_KIND_TCP, PROCREC_UDP_SEND, "10.0.0.1", 50000, "10.0.0.2", 53, 0);
    assert_false(ps_procrec_claim(&ev, &claim));
    ev = procrec(PROCREC_KIND_UDP, PROCREC_CONNECT, "10.0.0.1", 50000, "10.0.0.2", 53, 0);
    assert_false(ps_procrec_claim(&ev, &claim));
    ev = procrec(PROCREC_KIND_TCP, PROCREC_CONNECT, "10.0.0.1", 50000, "10.0.0.2", 443, 0);
    ev.protocol = 17;
    assert_false(ps_procrec_claim(&ev, &claim));
    ev.protocol = 6;
    ev.family = 5;
    assert_false(ps_procrec_claim(&ev, &claim));
    ev = procrec(9, PROCREC_CONNECT, "10.0.0.1", 50000, "10.0.0.2", 443, 0);
    assert_false(ps_procrec_claim(&ev, &claim));
}

/* Snapshots: a socket table row from its creation on, bounded by the last snapshot without it. */
static void test_procrec_snapshot(void **state)
{
    (void)state;
    procrec_event ev = procrec(PROCREC_KIND_TCP, PROCREC_SNAPSHOT, "127.0.0.1", 41000, "127.0.0.1", 50000,
                               PROCREC_FLAG_OWNER);
    ev.new_state = 1;
    ev.created_after_ns = UINT64_C(1709294399500000000);
    ps_claim claim;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SNAPSHOT);
    assert_int_equal(claim.transport, PS_TRANSPORT_TCP);
    assert_endpoint(&claim.owned, "127.0.0.1", 41000);
    assert_endpoint(&claim.peer, "127.0.0.1", 50000);
    assert_int_equal(claim.pid, 4242);
    assert_true(claim.has_creation);
    assert_true(claim.creation_ns == INT64_C(1709294399500000000));
    /* There at the first snapshot: made at an unknown time. */
    ev.created_after_ns = 0;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_false(claim.has_creation);
    /* A listener is no packet's end. */
    ev = procrec(PROCREC_KIND_TCP, PROCREC_SNAPSHOT, "0.0.0.0", 8080, "0.0.0.0", 0, PROCREC_FLAG_OWNER);
    ev.new_state = 10;
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_NONE);
    /* An unconnected UDP socket talks to any peer; a connected one to its own. */
    ev = procrec(PROCREC_KIND_UDP, PROCREC_SNAPSHOT, "0.0.0.0", 53, "0.0.0.0", 0, PROCREC_FLAG_OWNER);
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_int_equal(claim.kind, PS_CLAIM_SNAPSHOT);
    assert_int_equal(claim.transport, PS_TRANSPORT_UDP);
    assert_endpoint(&claim.owned, "0.0.0.0", 53);
    assert_int_equal(claim.peer.family, 0);
    ev = procrec(PROCREC_KIND_UDP, PROCREC_SNAPSHOT, "::1", 40000, "::1", 53, PROCREC_FLAG_OWNER);
    assert_true(ps_procrec_claim(&ev, &claim));
    assert_endpoint(&claim.peer, "::1", 53);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptions),        cmocka_unit_test(test_tracee_egress_packet),
        cmocka_unit_test(test_tracee_ingress_kernel_thread), cmocka_unit_test(test_tracee_flow),
        cmocka_unit_test(test_tracee_partial),      cmocka_unit_test(test_tracee_udp_packet),
        cmocka_unit_test(test_tracee_dns_data),     cmocka_unit_test(test_tracee_dns_no_direction),
        cmocka_unit_test(test_etw_send_recv),
        cmocka_unit_test(test_etw_accept),          cmocka_unit_test(test_etw_connect_reconnect),
        cmocka_unit_test(test_etw_udp_recv),        cmocka_unit_test(test_nettcp_row),
        cmocka_unit_test(test_netudp_row),
        cmocka_unit_test(test_etw_process_changes), cmocka_unit_test(test_ptcpdump_remote),
        cmocka_unit_test(test_etl2pcapng_comment),
        cmocka_unit_test(test_ptcpdump_loopback),   cmocka_unit_test(test_ptcpdump_container_no_pid),
        cmocka_unit_test(test_annotation),
        cmocka_unit_test(test_darwin_remote),       cmocka_unit_test(test_darwin_loopback),
        cmocka_unit_test(test_procrec_tcp),         cmocka_unit_test(test_procrec_udp_and_lost),
        cmocka_unit_test(test_procrec_packet),
        cmocka_unit_test(test_procrec_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
