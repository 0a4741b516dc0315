/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark's own annotations (docs/FORMATS.md section 9): a packet's comment naming the process of
 * each end, as procshark attributed it when the capture was annotated. Each known end is a claim on
 * that end's socket at the comment level: an earlier answer, used only where no record of the
 * capture names the end, so records kept beside the annotations still decide. */
#include "source.h"

const ps_source_info ps_source_annotation = {
    .name = "annotation",
    .title = "procshark annotations",
    .protocols = "proc_annotation",
    .pdu_dissector = NULL, /* no records: the comments are on the packets themselves */
    .import_option = NULL,
    .rank = 1, /* procshark's earlier answer beats a comment naming whichever thread ran (rank 0) */
    .on_packets = true,
};

bool ps_annotation_claim(const proc_annotation *ann, int end, const ps_packet_facts *packet, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_ANNOTATION);
    const proc_annotation_end *e = &ann->end[end ? 1 : 0];
    if (!e->known)
        return false;
    claim->kind = PS_CLAIM_COMMENT;
    claim->transport = packet->transport;
    claim->outgoing = end == 0;
    claim->owned = end == 0 ? packet->src : packet->dst;
    claim->peer = end == 0 ? packet->dst : packet->src;
    claim->seq = packet->seq;
    claim->ack = packet->ack;
    claim->tcp_flags = packet->tcp_flags;
    claim->has_pid = true;
    claim->pid = e->pid;
    claim->name = e->name;
    claim->container = e->container;
    return true;
}
