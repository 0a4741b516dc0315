/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The correlation engine alone on the adversarial shapes of docs/PERFORMANCE.md: feeds N packets
 * and their records the way the plugin does (records and packets in frame order, then every frame
 * asked twice, as tshark -2 does), and prints the cost per frame at each size. A cost that grows
 * with N is a cost that is not linear.
 *
 *   corr_shapes [SHAPE] [N...]   SHAPE: busy-tracee, busy-etw, bulk-etw, port-reuse, many, udp-flow,
 *                                udp-resolver, udp-reuse (default all) */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"

#define US INT64_C(1000)
#define T0 (INT64_C(1709294400) * INT64_C(1000000000))
#define MSS 1448u

static ps_endpoint ep(uint8_t host, uint16_t port) { return (ps_endpoint){4, {10, 0, 0, host}, port}; }

typedef struct {
    ps_corr *c;
    uint32_t frame;
} feed;

static void packet(feed *f, int64_t t, uint32_t stream, ps_endpoint src, ps_endpoint dst, uint32_t seq, uint32_t ack,
                   uint16_t flags, uint32_t len)
{
    ps_corr_add_packet(f->c, ++f->frame, t, stream, &src, &dst, seq, ack, flags, len);
}

static void claim(feed *f, int64_t t, ps_claim c)
{
    c.transport = c.transport ? c.transport : PS_TRANSPORT_TCP;
    c.has_pid = true;
    ps_corr_add_claim(f->c, ++f->frame, t, &c);
}

static void datagram(feed *f, int64_t t, uint32_t stream, ps_endpoint src, ps_endpoint dst, uint16_t checksum)
{
    ps_corr_add_datagram(f->c, ++f->frame, t, stream, &src, &dst, 8 + 100, checksum, 100);
}

/* The UDP shapes: ETW sends for one datagram in 45, the rest named from the flow's or the socket's
 * nearest send. flow: one flow; resolver: one socket asking n distinct servers once each; reuse:
 * one socket pair whose port passes to another pid every 1000 datagrams. */
static void udp(feed *f, unsigned n, int kind)
{
    ps_endpoint a = ep(1, 53000);
    for (unsigned i = 0; i < n; i++) {
        int64_t t = T0 + (int64_t)i * 10 * US;
        ps_endpoint b = kind == 1 ? ep((uint8_t)(20 + i / 60000), (uint16_t)(1024 + i % 60000)) : ep(2, 53);
        if (i % 45 == 0)
            claim(f, t, (ps_claim){.source = 0, .rank = 1, .transport = PS_TRANSPORT_UDP, .kind = PS_CLAIM_DATA,
                                   .owned = a, .peer = b, .outgoing = true, .size = 100,
                                   .pid = kind == 2 ? 1000 + i / 1000 : 42});
        datagram(f, t + 2 * US, kind == 1 ? i : 0, a, b, (uint16_t)i);
    }
}

/* One connection, n data packets 10 us apart, client to server, each with what the source says
 * about it: tracee's packet event, one ETW send, or one ETW send per 45 packets. */
static void busy(feed *f, unsigned n, int kind)
{
    ps_endpoint a = ep(1, 50000), b = ep(2, 443);
    for (unsigned i = 0; i < n; i++) {
        int64_t t = T0 + (int64_t)i * 10 * US;
        uint32_t seq = 1 + i * MSS;
        if (kind == 0)
            claim(f, t, (ps_claim){.source = 1, .rank = 2, .kind = PS_CLAIM_PACKET, .owned = a, .peer = b,
                                   .outgoing = true, .seq = seq, .ack = 1, .tcp_flags = PS_TCP_ACK, .pid = 42,
                                   .name = "curl"});
        else if (kind == 1)
            claim(f, t, (ps_claim){.source = 0, .rank = 1, .kind = PS_CLAIM_DATA, .owned = a, .peer = b,
                                   .outgoing = true, .size = MSS, .pid = 42});
        else if (i % 45 == 0)
            claim(f, t, (ps_claim){.source = 0, .rank = 1, .kind = PS_CLAIM_DATA, .owned = a, .peer = b,
                                   .outgoing = true, .size = 45 * MSS, .pid = 42});
        packet(f, t + 2 * US, 0, a, b, seq, 1, PS_TCP_ACK, MSS);
    }
}

/* n/4 short connections one after another, all from client port 50000 to the same server port. */
static void port_reuse(feed *f, unsigned n)
{
    ps_endpoint a = ep(1, 50000), b = ep(2, 443);
    for (unsigned k = 0; k < n / 4; k++) {
        int64_t t = T0 + (int64_t)k * 3000 * US;
        claim(f, t, (ps_claim){.source = 0, .rank = 1, .kind = PS_CLAIM_OPEN, .owned = a, .peer = b,
                               .outgoing = true, .pid = 1000 + k % 7});
        packet(f, t + 10 * US, k, a, b, 1, 0, PS_TCP_SYN, 0);
        packet(f, t + 20 * US, k, b, a, 1, 2, PS_TCP_SYN | PS_TCP_ACK, 0);
        packet(f, t + 30 * US, k, a, b, 2, 2, PS_TCP_ACK, 0);
    }
}

/* n/4 connections at once, each with a send event and its packet, as the attribution benchmark. */
static void many(feed *f, unsigned n)
{
    ps_endpoint b = ep(2, 443);
    for (unsigned k = 0; k < n / 2; k++) {
        ps_endpoint a = ep((uint8_t)(10 + k / 60000), (uint16_t)(1024 + k % 60000));
        int64_t t = T0 + (int64_t)k * 5 * US;
        claim(f, t, (ps_claim){.source = 0, .rank = 1, .kind = PS_CLAIM_DATA, .owned = a, .peer = b,
                               .outgoing = true, .size = 100, .pid = 1000 + k % 1000});
        packet(f, t + US, k, a, b, 1, 1, PS_TCP_ACK, 100);
    }
}

static double run(const char *shape, unsigned n)
{
    feed f = {ps_corr_new(), 0};
    gint64 start = g_get_monotonic_time();
    if (strcmp(shape, "busy-tracee") == 0)
        busy(&f, n, 0);
    else if (strcmp(shape, "busy-etw") == 0)
        busy(&f, n, 1);
    else if (strcmp(shape, "bulk-etw") == 0)
        busy(&f, n, 2);
    else if (strcmp(shape, "port-reuse") == 0)
        port_reuse(&f, n);
    else if (strcmp(shape, "udp-flow") == 0)
        udp(&f, n, 0);
    else if (strcmp(shape, "udp-resolver") == 0)
        udp(&f, n, 1);
    else if (strcmp(shape, "udp-reuse") == 0)
        udp(&f, n, 2);
    else
        many(&f, n);
    for (uint32_t frame = 1; frame <= f.frame; frame++) {
        ps_attribution who;
        ps_record_info info;
        if (!ps_corr_packet(f.c, frame, false, &who))
            (void)ps_corr_record(f.c, frame, &info);
    }
    double ns = (double)(g_get_monotonic_time() - start) * 1000.0 / f.frame;
    ps_corr_free(f.c);
    return ns;
}

int main(int argc, char **argv)
{
    static const char *const shapes[] = {"busy-tracee", "busy-etw", "bulk-etw", "port-reuse", "many",
                                         "udp-flow",    "udp-resolver", "udp-reuse"};
    const char *only = argc > 1 ? argv[1] : "all";
    unsigned sizes[8] = {10000, 30000, 100000};
    int nsizes = 3;
    if (argc > 2) {
        nsizes = 0;
        for (int i = 2; i < argc && nsizes < 8; i++)
            sizes[nsizes++] = (unsigned)strtoul(argv[i], NULL, 10);
    }
    printf("| shape |");
    for (int i = 0; i < nsizes; i++)
        printf(" ns/frame at %u |", sizes[i]);
    printf(" growth |\n|---|");
    for (int i = 0; i <= nsizes; i++)
        printf("---|");
    printf("\n");
    for (size_t s = 0; s < G_N_ELEMENTS(shapes); s++) {
        if (strcmp(only, "all") != 0 && strcmp(only, shapes[s]) != 0)
            continue;
        double first = 0, last = 0;
        printf("| %s |", shapes[s]);
        for (int i = 0; i < nsizes; i++) {
            last = run(shapes[s], sizes[i]);
            if (i == 0)
                first = last;
            printf(" %.0f |", last);
            fflush(stdout);
        }
        printf(" %.2f |\n", last / first);
    }
    return 0;
}
