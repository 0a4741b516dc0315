/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small procshark-record event file (docs/FORMATS.md section 11) and the loopback packets it
 * describes, written byte by byte from the format, independent of procshark's decoder:
 *
 *   second 0: curl (4242) connects 127.0.0.1:50000 to ps-server (777) on 127.0.0.1:8080, which
 *             accepts; a request, a reply, curl closes (as owner), the server's side closes in
 *             softirq context (no owner: swapper/0, and a comm with an escape character);
 *   second 1: wget (5151) connects [::1]:50001 to ps-server (777) on [::1]:8443, accepted;
 *   second 1.5: 17 events lost;
 *   second 2: dig (3000) sends a DNS query from 127.0.0.1:40000 to resolved (500) on
 *             127.0.0.53:53, which receives it and answers; dig receives the answer.
 *
 * With --per-packet, another recording, of procshark-record --per-packet: each packet has an event
 * for its sender (out, 20 µs before the capture) and one for its receiver (in, 10 µs after):
 *
 *   second 0: nc (6006) connects 127.0.0.1:51000 to ps-server (777) on 127.0.0.1:9000 (its connect
 *             event 40 µs before the SYN): the handshake, "ping" and its ACK;
 *   second 1: dig (3000) sends a DNS query from 127.0.0.1:40001 to resolved (500) on 127.0.0.53:53
 *             (UDP checksum 0x1234), and resolved answers (0x5678).
 *
 * Usage: procrec_gen [--per-packet] EVENTS.psrec PACKETS.pcap */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 UINT64_C(1709294400000000000) /* 2024-03-01T12:00:00Z */
#define MS UINT64_C(1000000)

static FILE *events, *packets;

static void put_le(uint8_t *p, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint32_t v, int width)
{
    for (int i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static void write_all(FILE *f, const void *data, size_t len)
{
    if (fwrite(data, 1, len, f) != len) {
        perror("procrec_gen: write");
        exit(1);
    }
}

/* An address as text: IPv4 dotted or "::1". */
static int address(const char *text, uint8_t out[16])
{
    memset(out, 0, 16);
    if (strcmp(text, "::1") == 0) {
        out[15] = 1;
        return 6;
    }
    unsigned a, b, c, d;
    if (sscanf(text, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        abort();
    out[0] = (uint8_t)a, out[1] = (uint8_t)b, out[2] = (uint8_t)c, out[3] = (uint8_t)d;
    return 4;
}

typedef struct {
    uint64_t ms; /* after T0 */
    uint8_t kind, what, old_state, new_state;
    uint32_t pid;
    const char *comm;
    const char *local;
    uint16_t lport;
    const char *remote;
    uint16_t rport;
    bool owner;
    uint64_t lost;
} event;

static void record(const event *e)
{
    uint8_t r[192] = {0};
    put_le(r + 0, T0 + e->ms * MS, 8);
    r[8] = e->kind;
    if (e->kind != 3) {
        uint8_t local[16], remote[16];
        r[9] = (uint8_t)address(e->local, local);
        address(e->remote, remote);
        r[10] = e->kind == 2 ? 17 : 6;
        r[11] = e->what;
        r[12] = e->old_state;
        r[13] = e->new_state;
        put_le(r + 16, e->pid, 4);
        put_le(r + 20, e->pid + 1, 4); /* tid */
        put_le(r + 24, 1, 4);          /* ppid */
        put_le(r + 28, 1000, 4);       /* uid */
        put_le(r + 32, 4000 + e->pid, 8);
        memcpy(r + 40, local, 16);
        memcpy(r + 56, remote, 16);
        put_le(r + 72, e->lport, 2);
        put_le(r + 74, e->rport, 2);
        put_le(r + 76, e->owner ? 1 : 0, 4);
        memcpy(r + 80, e->comm, strlen(e->comm));
    }
    put_le(r + 160, e->lost, 8);
    write_all(events, r, sizeof r);
}

/* One Ethernet frame (loopback's all-zero addresses) in a nanosecond pcap record. */
static void frame(uint64_t ms_us, const uint8_t *ip, size_t ip_len, bool v6)
{
    const uint64_t ns = T0 + ms_us * 1000;
    uint8_t h[16];
    put_le(h, (uint32_t)(ns / 1000000000), 4);
    put_le(h + 4, (uint32_t)(ns % 1000000000), 4);
    put_le(h + 8, 14 + ip_len, 4);
    put_le(h + 12, 14 + ip_len, 4);
    write_all(packets, h, sizeof h);
    uint8_t eth[14] = {0};
    put_be(eth + 12, v6 ? 0x86dd : 0x0800, 2);
    write_all(packets, eth, sizeof eth);
    write_all(packets, ip, ip_len);
}

/* IP header then transport (len bytes at l4) from src to dst; us: microseconds after T0. */
static void ip_packet(uint64_t us, const char *src, const char *dst, uint8_t proto, const uint8_t *l4, size_t len)
{
    uint8_t s[16], d[16], p[1500];
    const bool v6 = address(src, s) == 6;
    address(dst, d);
    size_t hl = v6 ? 40 : 20;
    memset(p, 0, hl);
    if (v6) {
        p[0] = 0x60;
        put_be(p + 4, (uint32_t)len, 2);
        p[6] = proto;
        p[7] = 64;
        memcpy(p + 8, s, 16);
        memcpy(p + 24, d, 16);
    } else {
        p[0] = 0x45;
        put_be(p + 2, (uint32_t)(hl + len), 2);
        p[8] = 64;
        p[9] = proto;
        memcpy(p + 12, s, 4);
        memcpy(p + 16, d, 4);
    }
    memcpy(p + hl, l4, len);
    frame(us, p, hl + len, v6);
}

enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

static void tcp(uint64_t us, const char *src, uint16_t sport, const char *dst, uint16_t dport, uint32_t seq,
                uint32_t ack, uint8_t flags, const char *payload)
{
    uint8_t t[64] = {0};
    size_t len = payload ? strlen(payload) : 0;
    put_be(t, sport, 2);
    put_be(t + 2, dport, 2);
    put_be(t + 4, seq, 4);
    put_be(t + 8, ack, 4);
    t[12] = 0x50;
    t[13] = flags;
    put_be(t + 14, 65535, 2);
    memcpy(t + 20, payload ? payload : "", len);
    ip_packet(us, src, dst, 6, t, 20 + len);
}

static void udp_checksummed(uint64_t us, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                            const uint8_t *payload, size_t len, uint16_t checksum)
{
    uint8_t u[512] = {0};
    put_be(u, sport, 2);
    put_be(u + 2, dport, 2);
    put_be(u + 4, (uint32_t)(8 + len), 2);
    put_be(u + 6, checksum, 2);
    memcpy(u + 8, payload, len);
    ip_packet(us, src, dst, 17, u, 8 + len);
}

static void udp(uint64_t us, const char *src, uint16_t sport, const char *dst, uint16_t dport, const uint8_t *payload,
                size_t len)
{
    udp_checksummed(us, src, sport, dst, dport, payload, len, 0);
}

/* A whole connection from client to server with its records; base: microseconds after T0. */
static void connection(uint64_t base, const char *client, uint16_t cport, const char *cname, uint32_t cpid,
                       const char *server, uint16_t sport)
{
    const uint32_t cs = 1000, ss = 5000; /* initial sequence numbers */
    record(&(event){base / 1000 + 0, 1, 1, 7, 2, cpid, cname, client, cport, server, sport, true, 0});
    tcp(base + 1000, client, cport, server, sport, cs, 0, SYN, NULL);
    tcp(base + 1100, server, sport, client, cport, ss, cs + 1, SYN | ACK, NULL);
    tcp(base + 1200, client, cport, server, sport, cs + 1, ss + 1, ACK, NULL);
    record(&(event){base / 1000 + 2, 1, 2, 3, 1, 777, "ps-server", server, sport, client, cport, true, 0});
    tcp(base + 3000, client, cport, server, sport, cs + 1, ss + 1, PSH | ACK, "hello");
    tcp(base + 3100, server, sport, client, cport, ss + 1, cs + 6, PSH | ACK, "world");
    record(&(event){base / 1000 + 4, 1, 3, 1, 4, cpid, cname, client, cport, server, sport, true, 0});
    tcp(base + 4100, client, cport, server, sport, cs + 6, ss + 6, FIN | ACK, NULL);
    tcp(base + 4200, server, sport, client, cport, ss + 6, cs + 7, FIN | ACK, NULL);
    tcp(base + 4300, client, cport, server, sport, cs + 7, ss + 7, ACK, NULL);
    /* The server's last state change runs in softirq: whoever ran, not the owner. */
    record(&(event){base / 1000 + 5, 1, 4, 9, 7, 0, "swapper/0", server, sport, client, cport, false, 0});
}

/* example.com A, id 0x1234; the answer 93.184.216.34. */
static const uint8_t dns_query[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p',
                                    'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
static const uint8_t dns_answer[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p',
                                     'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e,
                                     0x10, 0, 4, 93, 184, 216, 34};

/* A packet event (what 7, bytes 168 to 182) of the process at one end: out from src, or in at dst. */
typedef struct {
    const char *comm;
    uint32_t pid;
} process;

static void packet_record(uint64_t us, bool out, process p, const char *src, uint16_t sport, const char *dst,
                          uint16_t dport, bool is_udp, uint32_t seq, uint32_t ack, uint16_t flags, uint16_t udp_length,
                          uint16_t checksum)
{
    uint8_t r[192] = {0}, a[16], b[16];
    put_le(r + 0, T0 + us * 1000, 8);
    r[8] = is_udp ? 2 : 1;
    r[9] = (uint8_t)address(src, a);
    address(dst, b);
    r[10] = is_udp ? 17 : 6;
    r[11] = 7;
    put_le(r + 16, p.pid, 4);
    put_le(r + 20, p.pid + 1, 4);
    put_le(r + 24, 1, 4);
    put_le(r + 28, 1000, 4);
    put_le(r + 32, 4000 + p.pid, 8);
    memcpy(r + 40, out ? a : b, 16);
    memcpy(r + 56, out ? b : a, 16);
    put_le(r + 72, out ? sport : dport, 2);
    put_le(r + 74, out ? dport : sport, 2);
    put_le(r + 76, 1, 4);
    memcpy(r + 80, p.comm, strlen(p.comm));
    put_le(r + 168, seq, 4);
    put_le(r + 172, ack, 4);
    put_le(r + 176, flags, 2);
    put_le(r + 178, udp_length, 2);
    put_le(r + 180, checksum, 2);
    r[182] = out ? 1 : 2;
    write_all(events, r, sizeof r);
}

/* A TCP segment and its two packet events. */
static void tcp_with_events(uint64_t us, process from, const char *src, uint16_t sport, process to, const char *dst,
                            uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const char *payload)
{
    packet_record(us - 20, true, from, src, sport, dst, dport, false, seq, ack, flags, 0, 0);
    tcp(us, src, sport, dst, dport, seq, ack, flags, payload);
    packet_record(us + 10, false, to, src, sport, dst, dport, false, seq, ack, flags, 0, 0);
}

static void per_packet_recording(void)
{
    const process nc = {"nc", 6006}, server = {"ps-server", 777}, dig = {"dig", 3000}, resolved = {"resolved", 500};
    const char *lo = "127.0.0.1";
    record(&(event){0, 1, 1, 7, 2, nc.pid, nc.comm, lo, 51000, lo, 9000, true, 0}); /* connect, at 0 µs */
    tcp_with_events(40, nc, lo, 51000, server, lo, 9000, 100, 0, SYN, NULL);
    tcp_with_events(140, server, lo, 9000, nc, lo, 51000, 700, 101, SYN | ACK, NULL);
    tcp_with_events(240, nc, lo, 51000, server, lo, 9000, 101, 701, ACK, NULL);
    tcp_with_events(340, nc, lo, 51000, server, lo, 9000, 101, 701, PSH | ACK, "ping");
    tcp_with_events(440, server, lo, 9000, nc, lo, 51000, 701, 105, ACK, NULL);
    const uint16_t query_length = 8 + sizeof dns_query, answer_length = 8 + sizeof dns_answer;
    packet_record(1000080, true, dig, lo, 40001, "127.0.0.53", 53, true, 0, 0, 0, query_length, 0x1234);
    udp_checksummed(1000100, lo, 40001, "127.0.0.53", 53, dns_query, sizeof dns_query, 0x1234);
    packet_record(1000110, false, resolved, lo, 40001, "127.0.0.53", 53, true, 0, 0, 0, query_length, 0x1234);
    packet_record(1000180, true, resolved, "127.0.0.53", 53, lo, 40001, true, 0, 0, 0, answer_length, 0x5678);
    udp_checksummed(1000200, "127.0.0.53", 53, lo, 40001, dns_answer, sizeof dns_answer, 0x5678);
    packet_record(1000210, false, dig, "127.0.0.53", 53, lo, 40001, true, 0, 0, 0, answer_length, 0x5678);
}

int main(int argc, char **argv)
{
    const bool per_packet = argc == 4 && strcmp(argv[1], "--per-packet") == 0;
    if (argc != 3 && !per_packet) {
        fprintf(stderr, "usage: procrec_gen [--per-packet] EVENTS.psrec PACKETS.pcap\n");
        return 2;
    }
    events = fopen(argv[argc - 2], "wb");
    packets = fopen(argv[argc - 1], "wb");
    if (!events || !packets) {
        perror("procrec_gen");
        return 1;
    }
    const uint8_t header[16] = {'P', 'S', 'R', 'E', 'C', 0, 0, 0, 1, 0, 0, 0, 192, 0, 0, 0};
    write_all(events, header, sizeof header);
    uint8_t pcap[24] = {0};
    put_le(pcap, 0xa1b23c4d, 4); /* nanosecond time stamps */
    put_le(pcap + 4, 2, 2);
    put_le(pcap + 6, 4, 2);
    put_le(pcap + 16, 65535, 4);
    put_le(pcap + 20, 1, 4); /* Ethernet, as Linux captures loopback */
    write_all(packets, pcap, sizeof pcap);
    if (per_packet) {
        per_packet_recording();
        return fclose(events) != 0 || fclose(packets) != 0 ? (perror("procrec_gen: close"), 1) : 0;
    }

    connection(0, "127.0.0.1", 50000, "curl", 4242, "127.0.0.1", 8080);
    /* A record whose comm holds an escape character: shown escaped, and reported. */
    record(&(event){7, 1, 4, 6, 7, 0, "k\x1b[2Jworker", "127.0.0.1", 50000, "127.0.0.1", 8080, false, 0});
    connection(1000000, "::1", 50001, "wget", 5151, "::1", 8443);
    record(&(event){.ms = 1500, .kind = 3, .lost = 17});
    record(&(event){2000, 2, 5, 0, 0, 3000, "dig", "127.0.0.1", 40000, "127.0.0.53", 53, false, 0});
    udp(2000100, "127.0.0.1", 40000, "127.0.0.53", 53, dns_query, sizeof dns_query);
    record(&(event){2001, 2, 6, 0, 0, 500, "resolved", "127.0.0.53", 53, "127.0.0.1", 40000, false, 0});
    record(&(event){2002, 2, 5, 0, 0, 500, "resolved", "127.0.0.53", 53, "127.0.0.1", 40000, false, 0});
    udp(2002100, "127.0.0.53", 53, "127.0.0.1", 40000, dns_answer, sizeof dns_answer);
    record(&(event){2003, 2, 6, 0, 0, 3000, "dig", "127.0.0.1", 40000, "127.0.0.53", 53, false, 0});
    if (fclose(events) != 0 || fclose(packets) != 0) {
        perror("procrec_gen: close");
        return 1;
    }
    return 0;
}
