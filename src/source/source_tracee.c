/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tracee's network events (docs/FORMATS.md section 4): net_packet_tcp and net_packet_udp name the
 * process of one packet's socket, the DNS events one datagram's payload, net_flow_tcp_* the owner
 * of a connection's socket. */
#include "source.h"

#include <string.h>

const ps_source_info ps_source_tracee = {
    .name = "tracee",
    .title = "tracee events",
    .protocols = "tracee_net",
    .pdu_dissector = "procshark.tracee",
    .import_option = "tracee",
    .rank = 2, /* it sees the packet itself, in the process's context */
};

static bool endpoint_of(const tracee_value *ip, const tracee_value *port, ps_endpoint *out)
{
    if (!ip->present || !port->present)
        return false;
    memset(out, 0, sizeof *out);
    out->family = ip->family;
    memcpy(out->addr, ip->addr, 16);
    out->port = (uint16_t)port->u;
    return true;
}

static bool is(const tracee_value *v, const char *text) { return v->present && strcmp(v->s, text) == 0; }

/* What a UDP event with a direction says: the datagram itself when its header is given (the
 * engine's UDP PACKET: seq = the header's length, ack = its checksum), else its payload's size from
 * PktMeta's packet_len (IPv4's total length less 20 and the UDP header; IPv6's payload length less
 * the UDP header), else only the socket's owner. */
static void claim_udp(const tracee_value *v, int family, ps_claim *claim)
{
    const uint64_t ip_header = family == 4 ? 20 : 0, udp_header = 8;
    if (v[TRACEE_UDP_LENGTH].present && v[TRACEE_UDP_CHECKSUM].present) {
        claim->kind = PS_CLAIM_PACKET;
        claim->seq = (uint32_t)v[TRACEE_UDP_LENGTH].u;
        claim->ack = (uint32_t)v[TRACEE_UDP_CHECKSUM].u;
    } else if (v[TRACEE_PACKET_LEN].present && v[TRACEE_PACKET_LEN].u >= ip_header + udp_header) {
        claim->kind = PS_CLAIM_DATA;
        claim->size = (uint32_t)(v[TRACEE_PACKET_LEN].u - ip_header - udp_header);
    } else {
        claim->kind = PS_CLAIM_SOCKET;
    }
}

/* The socket is the packet's source when it leaves (egress) or the flow's initiator's side
 * (outgoing), else its destination. Without a direction a packet event names no socket: tracee
 * reports a packet for the process at either end (a DNS query both for the resolver that sends it
 * and for the local stub that receives it). */
bool ps_tracee_claim(const tracee_event *ev, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_TRACEE);
    const tracee_value *v = ev->v;
    ps_endpoint src, dst;
    if (!v[TRACEE_EVENT_NAME].present || !endpoint_of(&v[TRACEE_SRC_IP], &v[TRACEE_SRC_PORT], &src) ||
        !endpoint_of(&v[TRACEE_DST_IP], &v[TRACEE_DST_PORT], &dst))
        return false;
    const char *event = v[TRACEE_EVENT_NAME].s;
    const bool udp = tracee_event_transport(ev) == PS_TRANSPORT_UDP;
    if (udp)
        claim->transport = PS_TRANSPORT_UDP;
    bool packet = (udp || strcmp(event, "net_packet_tcp") == 0) && v[TRACEE_DIRECTION].present;
    bool flow = g_str_has_prefix(event, "net_flow_tcp_") && v[TRACEE_FLOW_DIRECTION].present;
    claim->outgoing = packet                                ? is(&v[TRACEE_DIRECTION], "egress")
                      : v[TRACEE_FLOW_DIRECTION].present    ? is(&v[TRACEE_FLOW_DIRECTION], "outgoing")
                                                            : !is(&v[TRACEE_DIRECTION], "ingress");
    claim->owned = claim->outgoing ? src : dst;
    claim->peer = claim->outgoing ? dst : src;
    claim->has_pid = tracee_event_pid(ev, &claim->pid);
    claim->name = v[TRACEE_PROCESS_NAME].present ? v[TRACEE_PROCESS_NAME].s : NULL;
    claim->container = v[TRACEE_CONTAINER_NAME].present ? v[TRACEE_CONTAINER_NAME].s
                       : v[TRACEE_CONTAINER_ID].present ? v[TRACEE_CONTAINER_ID].s
                                                        : NULL;
    /* A packet handled in softirq context carries whatever thread ran: not the socket's owner. */
    claim->kernel_thread = claim->has_pid && ps_corr_is_kernel_thread(claim->pid, claim->name);
    if (packet && udp) {
        claim_udp(v, src.family, claim);
    } else if (packet) {
        bool has_tcp = v[TRACEE_SEQ].present && v[TRACEE_ACK].present && v[TRACEE_FLAG_SYN].present;
        claim->kind = has_tcp ? PS_CLAIM_PACKET : PS_CLAIM_SOCKET;
        claim->seq = (uint32_t)v[TRACEE_SEQ].u;
        claim->ack = (uint32_t)v[TRACEE_ACK].u;
        for (int f = TRACEE_FLAG_FIN; f <= TRACEE_FLAG_NS; f++)
            if (v[f].present && v[f].u)
                claim->tcp_flags |= (uint16_t)(1u << (f - TRACEE_FLAG_FIN));
    } else if (flow) {
        claim->kind = PS_CLAIM_SOCKET;
    }
    return true;
}
