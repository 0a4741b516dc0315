/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptcpdump's process comments (docs/FORMATS.md section 7): each packet names one process, the owner
 * of one of its two sockets. ptcpdump looks the packet's source socket up in its table of the
 * sockets it has seen (keyed by address and port), then its destination socket, and writes the
 * first owner found; only local sockets are in that table. So on a link to another host the named
 * socket is the local one: the source of an outbound packet, the destination of an inbound one. */
#include "source.h"

#include <string.h>

const ps_source_info ps_source_ptcpdump = {
    .name = "ptcpdump",
    .title = "ptcpdump packet comments",
    .protocols = "ptcpdump",
    .pdu_dissector = NULL, /* no records: the comments are on the packets themselves */
    .import_option = NULL,
    .rank = 1, /* the packet itself, but its owner from a table of sockets that may be stale */
    .on_packets = true,
};

static bool is_loopback(const ps_endpoint *e)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};
    return e->family == 4 ? e->addr[0] == 127 : memcmp(e->addr, v6_loopback, 16) == 0;
}

bool ps_packet_is_loopback(const ps_packet_facts *p)
{
    return (is_loopback(&p->src) && is_loopback(&p->dst)) ||
           (p->src.family == p->dst.family && memcmp(p->src.addr, p->dst.addr, 16) == 0);
}

/* The pid, name and container always; the socket when the packet says which end is named. */
bool ps_ptcpdump_claim(const ptcpdump_info *info, const ps_packet_facts *packet, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_PTCPDUMP);
    claim->transport = packet->transport;
    claim->has_pid = info->has_number[PTCPDUMP_PID];
    claim->pid = info->number[PTCPDUMP_PID];
    claim->name = info->name;
    claim->container = info->value[PTCPDUMP_CONTAINER_NAME]   ? info->value[PTCPDUMP_CONTAINER_NAME]
                       : info->value[PTCPDUMP_CONTAINER_ID] ? info->value[PTCPDUMP_CONTAINER_ID]
                                                            : NULL;
    bool outgoing;
    if (info->value[PTCPDUMP_TID])
        /* A thread is written only when the packet left in the sending thread's own context. */
        outgoing = true;
    else if (ps_packet_is_loopback(packet) || packet->direction == PS_DIR_UNKNOWN)
        /* Both sockets are local (or which one is cannot be told): ptcpdump took the source's
         * owner if it knew it, else the destination's, and does not say which it did. */
        return false;
    else
        outgoing = packet->direction == PS_DIR_OUTBOUND;
    claim->outgoing = outgoing;
    claim->owned = outgoing ? packet->src : packet->dst;
    claim->peer = outgoing ? packet->dst : packet->src;
    /* The comment is on the very packet: its own seq, ack and flags, at its own time. */
    claim->kind = claim->has_pid ? PS_CLAIM_PACKET : PS_CLAIM_NONE;
    claim->seq = packet->seq;
    claim->ack = packet->ack;
    claim->tcp_flags = packet->tcp_flags;
    return true;
}
