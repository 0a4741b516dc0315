/* SPDX-License-Identifier: GPL-2.0-or-later */
/* etl2pcapng's "PID=… TID=…" packet comments (docs/FORMATS.md section 8): the process and thread
 * that were running when the packet capture event was logged. etl2pcapng's own README warns that
 * this is often not the packet's process: the capture runs in a DPC, in whatever process the
 * processor was interrupted in. So a comment names its packet's local socket (the source of an
 * outbound packet, the destination of an inbound one) only as a last resort: the comment level,
 * below every record and row. */
#include "source.h"

const ps_source_info ps_source_etl2pcapng = {
    .name = "etl2pcapng",
    .title = "etl2pcapng's PID/TID packet comments",
    .protocols = "etl2pcapng",
    .pdu_dissector = NULL, /* no records: the comments are on the packets themselves */
    .import_option = NULL,
    .rank = 0, /* the thread that happened to run */
    .on_packets = true,
};

bool ps_etl2pcapng_claim(const pidtid_comment *comment, const ps_packet_facts *packet, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_ETL2PCAPNG);
    claim->transport = packet->transport;
    claim->has_pid = comment->has_pid;
    claim->pid = comment->pid;
    /* The idle process and System: an interrupt's context, not an owner. */
    claim->kernel_thread = comment->pid == 0 || comment->pid == 4;
    if (packet->direction == PS_DIR_UNKNOWN) /* etl2pcapng always writes the EPB's direction */
        return false;
    claim->outgoing = packet->direction == PS_DIR_OUTBOUND;
    claim->owned = claim->outgoing ? packet->src : packet->dst;
    claim->peer = claim->outgoing ? packet->dst : packet->src;
    claim->kind = comment->has_pid && !claim->kernel_thread ? PS_CLAIM_COMMENT : PS_CLAIM_NONE;
    return true;
}
