/* SPDX-License-Identifier: GPL-2.0-or-later */
/* macOS's Darwin process information (docs/FORMATS.md section 10): pktap, which `tcpdump -k` reads,
 * tags each packet with the process of the socket the packet belongs to, which the kernel takes
 * from that socket as the packet passes: for an outbound packet the sending socket, for an inbound
 * one the socket it is delivered to. So the named socket is the packet's source when it is
 * outbound and its destination when inbound, on loopback too: the kernel, unlike ptcpdump's table,
 * says which socket it looked at, by the direction it writes beside it. The effective process (on
 * whose behalf a daemon sent it) is shown by the plugin, not claimed: the socket is the daemon's. */
#include "source.h"

const ps_source_info ps_source_darwin = {
    .name = "darwin",
    .title = "macOS pktap process information",
    .protocols = "darwin_proc",
    .pdu_dissector = NULL, /* no records: the process information is on the packets themselves */
    .import_option = NULL,
    .rank = 2, /* as tracee's: the kernel names the packet's own socket as it passes, nothing stale */
    .on_packets = true,
};

bool ps_darwin_claim(const ps_darwin_process *process, const ps_packet_facts *packet, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_DARWIN);
    claim->transport = packet->transport;
    claim->has_pid = true;
    claim->pid = process->pid;
    claim->name = process->name;
    if (packet->direction == PS_DIR_UNKNOWN)
        return false;
    claim->outgoing = packet->direction == PS_DIR_OUTBOUND;
    claim->owned = claim->outgoing ? packet->src : packet->dst;
    claim->peer = claim->outgoing ? packet->dst : packet->src;
    /* The information is on the very packet: its own seq, ack and flags, at its own time. */
    claim->kind = PS_CLAIM_PACKET;
    claim->seq = packet->seq;
    claim->ack = packet->ack;
    claim->tcp_flags = packet->tcp_flags;
    return true;
}
