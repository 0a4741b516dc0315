/* SPDX-License-Identifier: GPL-2.0-or-later */
/* etl2pcapng: the "PID=… TID=…" comments Microsoft's etl2pcapng writes on each packet (docs/FORMATS.md
 * section 8), decoded by src/decode/pidtid_comment.c. Like ptcpdump's, they belong to the frame: the
 * proc postdissector hands every packet over before it feeds the packet itself. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <wiretap/wtap.h>

#include "pidtid_comment.h"
#include "procshark_dissectors.h"
#include "source.h"
#include "ws_compat.h"

static int proto_etl2pcapng;
static int hf_pid, hf_tid, hf_details, hf_end;
static gint ett_etl2pcapng = -1;
static expert_field ei_bad_value, ei_bad_text, ei_context;

void procshark_etl2pcapng(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *packet)
{
    wtap_block_t block = pinfo->rec ? pinfo->rec->block : NULL;
    char *text;
    for (guint i = 0; block && wtap_block_get_nth_string_option_value(block, OPT_COMMENT, i, &text) ==
                                   WTAP_OPTTYPE_SUCCESS;
         i++) {
        pidtid_comment comment;
        if (!pidtid_comment_parse(text, strlen(text), &comment))
            continue;
        proto_item *ti = proto_tree_add_item(tree, proto_etl2pcapng, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        proto_tree *t = proto_item_add_subtree(ti, ett_etl2pcapng);
        ps_claim claim;
        const bool has_socket = packet && ps_etl2pcapng_claim(&comment, packet, &claim);
        /* Fed on the first pass; a packet's comment is no record frame (see packet-ptcpdump.c). */
        if (has_socket)
            procshark_record(NULL, tvb, pinfo, &claim, true);
        if (comment.has_pid) {
            proto_tree_add_uint(t, hf_pid, tvb, 0, 0, comment.pid);
            proto_item_append_text(ti, ", PID %u", comment.pid);
        }
        if (comment.has_tid) {
            proto_tree_add_uint(t, hf_tid, tvb, 0, 0, comment.tid);
            proto_item_append_text(ti, ", TID %u", comment.tid);
        }
        if (comment.details)
            proto_tree_add_string(t, hf_details, tvb, 0, 0, comment.details);
        if (has_socket) {
            proto_item *it = proto_tree_add_string(t, hf_end, tvb, 0, 0, claim.outgoing ? "source" : "destination");
            if (claim.kind == PS_CLAIM_COMMENT)
                expert_add_info(pinfo, it, &ei_context);
        }
        for (size_t p = 0; p < ps_problems_count(&comment.problems); p++) {
            const ps_problem *problem = ps_problems_at(&comment.problems, p);
            expert_add_info_format(pinfo, ti, problem->code == PIDTID_BAD_TEXT ? &ei_bad_text : &ei_bad_value, "%s",
                                   problem->message);
        }
        pidtid_comment_clear(&comment);
    }
}

void proto_register_etl2pcapng(void)
{
    static hf_register_info hf[] = {
        {&hf_pid, {"Process ID", "etl2pcapng.pid", FT_UINT32, BASE_DEC, NULL, 0,
                   "The process that was running when the packet was logged (often not the packet's own)", HFILL}},
        {&hf_tid, {"Thread ID", "etl2pcapng.tid", FT_UINT32, BASE_DEC, NULL, 0,
                   "The thread that was running when the packet was logged", HFILL}},
        {&hf_details, {"Details", "etl2pcapng.details", FT_STRING, BASE_NONE, NULL, 0,
                       "What follows the TID: Wi-Fi, vmswitch or RAS metadata", HFILL}},
        {&hf_end, {"Named end", "etl2pcapng.end", FT_STRING, BASE_NONE, NULL, 0,
                   "The socket the comment would name, by the packet's direction: source or destination", HFILL}},
    };
    static gint *ett[] = {&ett_etl2pcapng};
    static ei_register_info ei[] = {
        {&ei_bad_value, {"etl2pcapng.bad_value", PI_MALFORMED, PI_WARN, "etl2pcapng comment holds a bad value",
                         EXPFILL}},
        {&ei_bad_text, {"etl2pcapng.bad_text", PI_MALFORMED, PI_WARN, "etl2pcapng comment details are not text",
                        EXPFILL}},
        {&ei_context, {"etl2pcapng.context", PI_SEQUENCE, PI_NOTE,
                       "The process that happened to run when the packet was logged: used only where no record "
                       "names this end (proc.match == \"comment\")",
                       EXPFILL}},
    };
    proto_etl2pcapng = proto_register_protocol("etl2pcapng process comments", "ETL2PCAPNG", "etl2pcapng");
    proto_register_field_array(proto_etl2pcapng, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etl2pcapng), ei, array_length(ei));
}
