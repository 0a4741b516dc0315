/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record's events (docs/FORMATS.md section 11): the kernel's own view of which process
 * owns a socket, taken when it connects, accepts, changes state, or sends or receives UDP, and with
 * --per-packet for each packet. */
#include "source.h"

#include <string.h>

const ps_source_info ps_source_procrec = {
    .name = "procrec",
    .title = "procshark-record events",
    .protocols = "procrec",
    .pdu_dissector = "procshark.procrec",
    .import_option = "procrec",
    .rank = 2, /* the kernel names the socket's own process, as tracee's events do */
};

static ps_endpoint endpoint(int family, const uint8_t *addr, uint16_t port)
{
    ps_endpoint e = {family, {0}, port};
    memcpy(e.addr, addr, family == 4 ? 4 : 16);
    return e;
}

/* A record that does not fit its kind (a UDP send in a TCP record) speaks for no socket: which
 * field is wrong cannot be told. */
bool ps_procrec_claim(const procrec_event *ev, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_PROCREC);
    const bool tcp = ev->kind == PROCREC_KIND_TCP && ev->protocol == PROCREC_PROTO_TCP;
    const bool udp = ev->kind == PROCREC_KIND_UDP && ev->protocol == PROCREC_PROTO_UDP;
    if ((!tcp && !udp) || (ev->family != 4 && ev->family != 6))
        return false;
    const bool packet = ev->what == PROCREC_PACKET;
    if (!packet && ev->what != PROCREC_SNAPSHOT &&
        (tcp ? (ev->what < PROCREC_CONNECT || ev->what > PROCREC_STATE) && ev->what != PROCREC_OWNER
             : ev->what != PROCREC_UDP_SEND && ev->what != PROCREC_UDP_RECEIVE))
        return false;
    if (packet && ev->direction != PROCREC_DIRECTION_OUT && ev->direction != PROCREC_DIRECTION_IN)
        return false;
    claim->owned = endpoint(ev->family, ev->local_addr, ev->local_port);
    claim->peer = endpoint(ev->family, ev->remote_addr, ev->remote_port);
    claim->has_pid = true;
    claim->pid = ev->pid;
    claim->name = ev->comm[0] ? ev->comm : NULL;
    claim->container = ev->container_id[0] ? ev->container_id : NULL;
    claim->kernel_thread = ps_corr_is_kernel_thread(ev->pid, claim->name);
    switch ((procrec_what)ev->what) {
    case PROCREC_CONNECT:
        claim->kind = PS_CLAIM_OPEN;
        claim->outgoing = true;
        break;
    case PROCREC_ACCEPT:
        claim->kind = PS_CLAIM_SOCKET;
        break;
    case PROCREC_CLOSE:
    case PROCREC_STATE:
        /* Without the owner flag the pid is whatever ran: a state change in softirq context. */
        claim->kind = ev->flags & PROCREC_FLAG_OWNER ? PS_CLAIM_SOCKET : PS_CLAIM_NONE;
        break;
    case PROCREC_OWNER:
        claim->kind = PS_CLAIM_HANDOVER;
        break;
    case PROCREC_UDP_SEND:
    case PROCREC_UDP_RECEIVE:
        claim->transport = PS_TRANSPORT_UDP;
        claim->kind = PS_CLAIM_SOCKET;
        claim->outgoing = ev->what == PROCREC_UDP_SEND;
        break;
    case PROCREC_SNAPSHOT:
        /* A socket table row: the owner from the socket's creation on, which the snapshots bound
         * from below. A TCP socket without a peer (a listener) is no packet's end; an unconnected
         * UDP socket talks to any peer. */
        claim->transport = udp ? PS_TRANSPORT_UDP : PS_TRANSPORT_TCP;
        if (udp && !ev->remote_port)
            claim->peer = (ps_endpoint){0};
        claim->kind = udp || ev->remote_port ? PS_CLAIM_SNAPSHOT : PS_CLAIM_NONE;
        claim->has_creation = ev->created_after_ns && ev->created_after_ns <= INT64_MAX;
        claim->creation_ns = claim->has_creation ? (int64_t)ev->created_after_ns : 0;
        break;
    case PROCREC_PACKET:
        /* The packet itself, as tracee's net_packet_* name it (UDP: seq its length, ack its checksum). */
        claim->kind = PS_CLAIM_PACKET;
        claim->outgoing = ev->direction == PROCREC_DIRECTION_OUT;
        if (udp) {
            claim->transport = PS_TRANSPORT_UDP;
            claim->seq = ev->udp_length;
            claim->ack = ev->udp_checksum;
        } else {
            claim->seq = ev->seq;
            claim->ack = ev->ack;
            claim->tcp_flags = ev->tcp_flags;
        }
        break;
    }
    return true;
}
