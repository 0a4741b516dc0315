/* SPDX-License-Identifier: GPL-2.0-or-later */
/* darwin_pcapng OUT.pcapng
 *
 * Writes a small capture as macOS `tcpdump -k` (pktap) writes one: Darwin Process Information Blocks
 * (block type 0x80000001: a pid, then option 2, the process name) and Enhanced Packet Blocks whose
 * options name the packet's process by DPIB index (0x8001) and the effective process, on whose
 * behalf (0x8003), with the direction in epb_flags (docs/FORMATS.md section 10). Laid out byte by
 * byte from that description, independent of wiretap's writer, in the host's byte order (the section
 * header's magic says which). The packets:
 *
 *   en0 (Ethernet), this Mac 192.168.1.10
 *   1 TCP SYN      192.168.1.10:50000 -> 93.184.216.34:443  out  curl (4242)
 *   2 TCP SYN-ACK  93.184.216.34:443 -> 192.168.1.10:50000  in   curl
 *   3 TCP ACK      192.168.1.10:50000 -> 93.184.216.34:443  out  curl
 *   4 UDP DNS      192.168.1.10:53000 -> 192.168.1.1:53     out  mDNSResponder (310), for curl
 *   5 UDP DNS      192.168.1.1:53 -> 192.168.1.10:53000     in   mDNSResponder, for curl
 *   6 TCP SYN      192.168.1.10:50001 -> 17.253.144.10:443  out  nsurlsessiond (611), for Safari (900)
 *   7 TCP SYN-ACK  17.253.144.10:443 -> 192.168.1.10:50001  in   nsurlsessiond, for Safari
 *   8 TCP SYN      192.168.1.10:50002 -> 10.0.0.5:22        no direction flag, curl
 *   9 TCP SYN      192.168.1.10:50003 -> 10.0.0.6:80        out, no Darwin options
 *   lo0 (BSD loopback), each packet once, as sent
 *   10 TCP SYN     127.0.0.1:50004 -> 127.0.0.1:8080        out  curl
 *   11 TCP SYN-ACK 127.0.0.1:8080 -> 127.0.0.1:50004        out  python3.12 (777)
 *
 * Deterministic: no randomness, no clock. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pcapng_bytes.h"

enum { TH_SYN = 0x02, TH_ACK = 0x10 };
enum { DIR_NONE = 0, DIR_IN = 1, DIR_OUT = 2 }; /* epb_flags bits 0-1 */
enum { NO_PIB = -1 };

/* Darwin Process Information Block: the process id, then option 2 (dpib_name), end of options. */
static void dpib(GByteArray *f, uint32_t pid, const char *name)
{
    GByteArray *b = g_byte_array_new();
    pcapng_bytes_put32(b, pid);
    pcapng_bytes_put16(b, 2);
    pcapng_bytes_put16(b, (uint16_t)strlen(name));
    g_byte_array_append(b, (const guint8 *)name, (guint)strlen(name));
    pcapng_bytes_pad4(b);
    pcapng_bytes_put32(b, 0);
    pcapng_bytes_block(f, 0x80000001, b);
    g_byte_array_free(b, TRUE);
}

typedef struct {
    uint32_t interface; /* 0 en0 (Ethernet), 1 lo0 (BSD loopback) */
    const char *src, *dst;
    uint8_t proto; /* 6 TCP, 17 UDP */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    int direction;
    int pib, epib; /* DPIB indexes; NO_PIB: no option */
} packet;

static void ipv4(guint8 out[4], const char *dotted)
{
    unsigned a, b, c, d;
    if (sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        g_error("bad address %s", dotted);
    out[0] = (guint8)a, out[1] = (guint8)b, out[2] = (guint8)c, out[3] = (guint8)d;
}

/* The link header, IPv4 and TCP (20 bytes) or UDP with 12 bytes of payload; checksums are left 0
 * but UDP's, which procshark matches a UDP claim on. */
static void frame(GByteArray *b, const packet *p)
{
    if (p->interface == 0) {
        static const guint8 eth[] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0};
        g_byte_array_append(b, eth, sizeof eth);
    } else {
        pcapng_bytes_put32(b, 2); /* BSD loopback: AF_INET in the writing host's order */
    }
    const uint16_t l4 = p->proto == 6 ? 20 : 8 + 12;
    guint8 ip[20] = {0x45, 0, (guint8)((20 + l4) >> 8), (guint8)(20 + l4), 0, 1, 0x40, 0, 64, p->proto};
    ipv4(ip + 12, p->src);
    ipv4(ip + 16, p->dst);
    g_byte_array_append(b, ip, sizeof ip);
    const guint8 ports[] = {p->sport >> 8, p->sport & 0xff, p->dport >> 8, p->dport & 0xff};
    g_byte_array_append(b, ports, sizeof ports);
    if (p->proto == 6) {
        const guint8 tcp[] = {p->seq >> 24, (p->seq >> 16) & 0xff, (p->seq >> 8) & 0xff, p->seq & 0xff,
                              p->ack >> 24, (p->ack >> 16) & 0xff, (p->ack >> 8) & 0xff, p->ack & 0xff,
                              0x50, p->flags, 0xff, 0xff, 0, 0, 0, 0};
        g_byte_array_append(b, tcp, sizeof tcp);
    } else {
        const guint8 udp[] = {0, l4, (guint8)(p->sport ^ p->dport), 0x5a, 0x12, 0x34, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        g_byte_array_append(b, udp, sizeof udp);
    }
}

static void epb(GByteArray *f, const packet *p, uint64_t us)
{
    GByteArray *data = g_byte_array_new();
    frame(data, p);
    GByteArray *b = g_byte_array_new();
    pcapng_bytes_put32(b, p->interface);
    pcapng_bytes_put32(b, (uint32_t)(us >> 32));
    pcapng_bytes_put32(b, (uint32_t)us);
    pcapng_bytes_put32(b, data->len);
    pcapng_bytes_put32(b, data->len);
    g_byte_array_append(b, data->data, data->len);
    pcapng_bytes_pad4(b);
    if (p->direction != DIR_NONE)
        pcapng_bytes_option32(b, 2, (uint32_t)p->direction); /* epb_flags */
    if (p->pib != NO_PIB)
        pcapng_bytes_option32(b, 0x8001, (uint32_t)p->pib);
    if (p->epib != NO_PIB)
        pcapng_bytes_option32(b, 0x8003, (uint32_t)p->epib);
    pcapng_bytes_put32(b, 0); /* opt_endofopt */
    pcapng_bytes_block(f, 6, b);
    g_byte_array_free(b, TRUE);
    g_byte_array_free(data, TRUE);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: darwin_pcapng OUT.pcapng\n");
        return 2;
    }
    GByteArray *f = g_byte_array_new();
    pcapng_bytes_section(f);
    pcapng_bytes_interface(f, 1);  /* en0: Ethernet */
    pcapng_bytes_interface(f, 0);  /* lo0: BSD loopback */
    /* DPIB indexes count from 0 in the order the blocks come. */
    dpib(f, 4242, "curl");           /* 0 */
    dpib(f, 310, "mDNSResponder");   /* 1 */
    dpib(f, 611, "nsurlsessiond");   /* 2 */
    dpib(f, 900, "Safari");          /* 3 */
    dpib(f, 777, "python3.12");      /* 4 */
    static const packet packets[] = {
        {0, "192.168.1.10", "93.184.216.34", 6, 50000, 443, 1000, 0, TH_SYN, DIR_OUT, 0, 0},
        {0, "93.184.216.34", "192.168.1.10", 6, 443, 50000, 7000, 1001, TH_SYN | TH_ACK, DIR_IN, 0, 0},
        {0, "192.168.1.10", "93.184.216.34", 6, 50000, 443, 1001, 7001, TH_ACK, DIR_OUT, 0, 0},
        {0, "192.168.1.10", "192.168.1.1", 17, 53000, 53, 0, 0, 0, DIR_OUT, 1, 0},
        {0, "192.168.1.1", "192.168.1.10", 17, 53, 53000, 0, 0, 0, DIR_IN, 1, 0},
        {0, "192.168.1.10", "17.253.144.10", 6, 50001, 443, 2000, 0, TH_SYN, DIR_OUT, 2, 3},
        {0, "17.253.144.10", "192.168.1.10", 6, 443, 50001, 9000, 2001, TH_SYN | TH_ACK, DIR_IN, 2, 3},
        {0, "192.168.1.10", "10.0.0.5", 6, 50002, 22, 3000, 0, TH_SYN, DIR_NONE, 0, NO_PIB},
        {0, "192.168.1.10", "10.0.0.6", 6, 50003, 80, 4000, 0, TH_SYN, DIR_OUT, NO_PIB, NO_PIB},
        {1, "127.0.0.1", "127.0.0.1", 6, 50004, 8080, 5000, 0, TH_SYN, DIR_OUT, 0, 0},
        {1, "127.0.0.1", "127.0.0.1", 6, 8080, 50004, 6000, 5001, TH_SYN | TH_ACK, DIR_OUT, 4, 4},
    };
    const uint64_t base_us = UINT64_C(1709294400000000); /* 2024-03-01T12:00:00Z */
    for (size_t i = 0; i < G_N_ELEMENTS(packets); i++)
        epb(f, &packets[i], base_us + i * 1000);
    GError *error = NULL;
    if (!g_file_set_contents(argv[1], (const char *)f->data, f->len, &error)) {
        fprintf(stderr, "darwin_pcapng: %s\n", error->message);
        return 1;
    }
    g_byte_array_free(f, TRUE);
    return 0;
}
