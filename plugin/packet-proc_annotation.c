/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc_annotation: procshark's own "proc: SRC → DST" comment on a packet (docs/FORMATS.md
 * section 9), written by procshark-import --annotate and decoded by src/decode/proc_annotation.c.
 * As ptcpdump's comments, it belongs to the frame: the proc postdissector hands every commented
 * packet over before it feeds the packet itself. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <wiretap/wtap.h>

#include "proc_annotation.h"
#include "procshark_dissectors.h"
#include "source.h"
#include "ws_compat.h"

static int proto_annotation;
/* [0] the source end's, [1] the destination end's */
static int hf_pid[2], hf_name[2], hf_container[2];
static gint ett_annotation = -1;
static expert_field ei_malformed, ei_extra;

/* What Wireshark shows of a name must be UTF-8; an escape may have made any bytes of it. */
static const char *as_utf8(packet_info *pinfo, const char *s)
{
    if (g_utf8_validate(s, -1, NULL))
        return s;
    char *valid = g_utf8_make_valid(s, -1);
    const char *copy = wmem_strdup(pinfo->pool, valid);
    g_free(valid);
    return copy;
}

static const char *end_label(packet_info *pinfo, const proc_annotation_end *e)
{
    if (!e->known)
        return "?";
    return wmem_strdup_printf(pinfo->pool, "%s (%u)", e->name ? procshark_shown(pinfo, as_utf8(pinfo, e->name)) : "?",
                              e->pid);
}

static void add_end(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, int end, proc_annotation_end *e)
{
    if (!e->known)
        return;
    proto_tree_add_uint(t, hf_pid[end], tvb, 0, 0, e->pid);
    if (e->name)
        proto_tree_add_string(t, hf_name[end], tvb, 0, 0, as_utf8(pinfo, e->name));
    if (e->container)
        proto_tree_add_string(t, hf_container[end], tvb, 0, 0, as_utf8(pinfo, e->container));
}

void procshark_annotation(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *packet)
{
    wtap_block_t block = pinfo->rec ? pinfo->rec->block : NULL;
    char *comment;
    bool fed = false;
    for (guint i = 0; block && wtap_block_get_nth_string_option_value(block, OPT_COMMENT, i, &comment) ==
                                   WTAP_OPTTYPE_SUCCESS;
         i++) {
        const size_t len = strlen(comment);
        if (!proc_annotation_is_ours(comment, len))
            continue;
        proc_annotation ann = {0};
        ps_problems problems = {0};
        const bool ok = proc_annotation_decode(comment, len, &ann, &problems);
        proto_item *ti = proto_tree_add_item(tree, proto_annotation, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        proto_tree *t = proto_item_add_subtree(ti, ett_annotation);
        if (ok) {
            proto_item_append_text(ti, ", Src: %s, Dst: %s", end_label(pinfo, &ann.end[0]),
                                   end_label(pinfo, &ann.end[1]));
            add_end(t, tvb, pinfo, 0, &ann.end[0]);
            add_end(t, tvb, pinfo, 1, &ann.end[1]);
            /* One annotation per packet is written; of several (edited by hand) the first decides. */
            if (fed)
                expert_add_info(pinfo, ti, &ei_extra);
            for (int end = 0; !fed && packet && end < 2; end++) {
                ps_claim claim;
                /* Fed on the first pass; the packet is no record frame (as ptcpdump's comments). */
                if (ps_annotation_claim(&ann, end, packet, &claim))
                    procshark_record(NULL, tvb, pinfo, &claim, true);
            }
            fed = true;
        }
        procshark_add_problems(ti, pinfo, &ei_malformed, &problems);
        ps_problems_clear(&problems);
        proc_annotation_clear(&ann);
    }
}

void proto_register_proc_annotation(void)
{
    static hf_register_info hf[] = {
#define END_FIELDS(i, end, End, whose)                                                                          \
    {&hf_pid[i], {End " process ID", "proc_annotation." end ".pid", FT_UINT32, BASE_DEC, NULL, 0,                 \
                  "The process the annotation names for the packet's " whose " socket", HFILL}},                \
        {&hf_name[i], {End " process name", "proc_annotation." end ".name", FT_STRING, BASE_NONE, NULL, 0,        \
                       "Its name, as annotated (absent when written ?)", HFILL}},                               \
        {&hf_container[i], {End " container", "proc_annotation." end ".container", FT_STRING, BASE_NONE, NULL, 0, \
                            "Its container, as annotated", HFILL}}
        END_FIELDS(0, "src", "Source", "source"),
        END_FIELDS(1, "dst", "Destination", "destination"),
#undef END_FIELDS
    };
    static gint *ett[] = {&ett_annotation};
    static ei_register_info ei[] = {
        {&ei_malformed, {"proc_annotation.malformed", PI_MALFORMED, PI_WARN,
                         "procshark annotation that does not parse: not used", EXPFILL}},
        {&ei_extra, {"proc_annotation.extra", PI_SEQUENCE, PI_NOTE,
                     "Another procshark annotation on this packet: only the first is used", EXPFILL}},
    };
    proto_annotation = proto_register_protocol("procshark annotation", "PROC_ANNOTATION", "proc_annotation");
    proto_register_field_array(proto_annotation, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_annotation), ei, array_length(ei));
}
