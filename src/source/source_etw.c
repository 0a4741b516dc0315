/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows ETW: kernel TcpIp/UdpIp and Microsoft-Windows-Kernel-Network events name the process of
 * their local socket; Process events name pids (docs/FORMATS.md section 3, "Network events"
 * and "Process events"). */
#include "source.h"

#include <string.h>

const ps_source_info ps_source_etw = {
    .name = "etw",
    .title = "ETW events",
    .protocols = "etwnet || etwproc || etwimage",
    .pdu_dissector = NULL, /* link type 290, Wireshark's ETW */
    .import_option = "etl",
    .rank = 1,
};

static void endpoint_of(const etw_net_event *ev, const uint8_t *addr, uint16_t port, ps_endpoint *out)
{
    memset(out, 0, sizeof *out);
    out->family = ev->ip_version;
    memcpy(out->addr, addr, ev->ip_version == 6 ? 16 : 4);
    out->port = port;
}

/* A send or retransmit carries data out of the local socket, a receive into it; connect sends the
 * first SYN, reconnect (logged when SYN is resent) sends it again, accept receives it; the rest name
 * the owner only. A UDP receive's local socket is its
 * destination. */
bool ps_etw_net_claim(const etw_net_event *ev, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_ETW);
    if (!ev->transport || (ev->ip_version != 4 && ev->ip_version != 6))
        return false;
    const ps_span *span = ev->span;
    bool udp_recv = strcmp(ev->transport, "UDP") == 0 && ev->action == ETW_NET_RECV;
    int owned_addr = udp_recv ? ETW_NET_DADDR : ETW_NET_SADDR, owned_port = udp_recv ? ETW_NET_DPORT : ETW_NET_SPORT;
    if (!span[owned_addr].len || !span[owned_port].len)
        return false;
    endpoint_of(ev, udp_recv ? ev->daddr : ev->saddr, udp_recv ? ev->dport : ev->sport, &claim->owned);
    endpoint_of(ev, udp_recv ? ev->saddr : ev->daddr, udp_recv ? ev->sport : ev->dport, &claim->peer);
    claim->transport = strcmp(ev->transport, "TCP") == 0 ? PS_TRANSPORT_TCP : PS_TRANSPORT_UDP;
    claim->has_pid = span[ETW_NET_PID].len != 0;
    claim->pid = ev->pid;
    claim->size = span[ETW_NET_SIZE].len ? ev->size : 0;
    if (!span[ETW_NET_SADDR].len || !span[ETW_NET_SPORT].len || !span[ETW_NET_DADDR].len || !span[ETW_NET_DPORT].len)
        return true; /* no peer: nothing to match */
    switch (ev->action) {
    case ETW_NET_SEND:
    case ETW_NET_RETRANSMIT:
        claim->kind = PS_CLAIM_DATA;
        claim->outgoing = true;
        claim->retransmit = ev->action == ETW_NET_RETRANSMIT;
        break;
    case ETW_NET_RECV:
        claim->kind = PS_CLAIM_DATA;
        break;
    case ETW_NET_CONNECT:
    case ETW_NET_RECONNECT:
        claim->kind = PS_CLAIM_OPEN;
        claim->outgoing = true;
        break;
    case ETW_NET_ACCEPT:
        claim->kind = PS_CLAIM_OPEN;
        break;
    case ETW_NET_FAIL: /* a connection that never was */
        break;
    default:
        claim->kind = PS_CLAIM_SOCKET;
        break;
    }
    return true;
}

bool ps_etw_process_change(const etw_proc_event *ev, ps_process_change *change)
{
    const ps_problem *problem = ps_problems_first(&ev->problems);
    if (!ev->span[ETW_PROC_PID].len || (problem && problem->code != ETW_PROC_TRAILING))
        return false;
    switch (ev->opcode) {
    case 1: /* Start */
        *change = PS_PROCESS_START;
        return true;
    case 3: /* DCStart: the rundown at the trace's start */
        *change = PS_PROCESS_RUNNING;
        return true;
    case 2:  /* End */
    case 39: /* Defunct */
        *change = PS_PROCESS_END;
        return true;
    case 4: /* DCEnd: the rundown at the trace's end */
        *change = PS_PROCESS_STILL_RUNNING;
        return true;
    default:
        return false;
    }
}
