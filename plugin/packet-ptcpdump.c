/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptcpdump: the process ptcpdump wrote into a packet's pcapng comments (docs/FORMATS.md section 7),
 * decoded by src/decode/ptcpdump_comment.c. No dissector table leads here: the comments belong to
 * the frame, so the proc postdissector hands every packet over before it feeds the packet itself. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <wiretap/wtap.h>

#include "procshark_dissectors.h"
#include "ptcpdump_comment.h"
#include "source.h"
#include "ws_compat.h"

static int proto_ptcpdump;
static int hf_key[PTCPDUMP_KEY_COUNT];
static int hf_name, hf_end;
static gint ett_ptcpdump = -1;
static expert_field ei_bad_text, ei_bad_value, ei_stray_line, ei_no_pid, ei_end_unknown;

static expert_field *expert_of(int code)
{
    switch (code) {
    case PTCPDUMP_BAD_TEXT:
        return &ei_bad_text;
    case PTCPDUMP_STRAY_LINE:
        return &ei_stray_line;
    case PTCPDUMP_NO_PID:
        return &ei_no_pid;
    default:
        return &ei_bad_value;
    }
}

void procshark_ptcpdump(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *tcp)
{
    wtap_block_t block = pinfo->rec ? pinfo->rec->block : NULL;
    if (!block)
        return;
    ptcpdump_info info = {0};
    char *comment;
    for (guint i = 0; wtap_block_get_nth_string_option_value(block, OPT_COMMENT, i, &comment) == WTAP_OPTTYPE_SUCCESS;
         i++)
        ptcpdump_comment_add(&info, comment, strlen(comment));
    ptcpdump_comment_finish(&info);
    if (!info.any) {
        ptcpdump_info_clear(&info);
        return;
    }
    proto_item *ti = proto_tree_add_item(tree, proto_ptcpdump, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_ptcpdump);
    ps_claim claim;
    bool has_socket = tcp && ps_ptcpdump_claim(&info, tcp, &claim);
    /* Fed on the first pass when it names an end (on loopback it names none). The packet is no
     * record frame: no proc.record.* items, so "Records" and the Lua API's records stay records. */
    if (has_socket)
        procshark_record(NULL, tvb, pinfo, &claim, true);
    for (int k = 0; k < PTCPDUMP_KEY_COUNT; k++) {
        if (!info.value[k])
            continue;
        if (k == PTCPDUMP_PID || k == PTCPDUMP_TID || k == PTCPDUMP_UID || k == PTCPDUMP_PPID) {
            if (info.has_number[k])
                proto_tree_add_uint(t, hf_key[k], tvb, 0, 0, info.number[k]);
        } else {
            proto_tree_add_string(t, hf_key[k], tvb, 0, 0, info.value[k]);
        }
    }
    if (info.name)
        proto_tree_add_string(t, hf_name, tvb, 0, 0, info.name);
    if (tcp) {
        const char *end = !has_socket ? "unknown" : claim.outgoing ? "source" : "destination";
        proto_tree_add_string(t, hf_end, tvb, 0, 0, end);
        if (!has_socket && info.has_number[PTCPDUMP_PID])
            expert_add_info(pinfo, ti, &ei_end_unknown);
    }
    proto_item_append_text(ti, ", %s (%s)", procshark_shown(pinfo, info.name ? info.name : "?"),
                           info.value[PTCPDUMP_PID] ? procshark_shown(pinfo, info.value[PTCPDUMP_PID]) : "?");
    for (size_t i = 0; i < ps_problems_count(&info.problems); i++) {
        const ps_problem *p = ps_problems_at(&info.problems, i);
        expert_add_info_format(pinfo, ti, expert_of(p->code), "%s", p->message);
    }
    ptcpdump_info_clear(&info);
}

void proto_register_ptcpdump(void)
{
    static hf_register_info hf[] = {
#define KEY(k, field, type, base, title, blurb)                                                                \
    {&hf_key[k], {title, "ptcpdump." field, type, base, NULL, 0, blurb, HFILL}}
        KEY(PTCPDUMP_PID, "pid", FT_UINT32, BASE_DEC, "Process ID", "PID: the process ptcpdump names"),
        KEY(PTCPDUMP_CMD, "cmd", FT_STRING, BASE_NONE, "Command", "Cmd: the executable's path"),
        KEY(PTCPDUMP_ARGS, "args", FT_STRING, BASE_NONE, "Arguments", "Args: its arguments, joined by spaces"),
        KEY(PTCPDUMP_TID, "tid", FT_UINT32, BASE_DEC, "Thread ID", "ThreadId: the thread that sent the packet"),
        KEY(PTCPDUMP_THREAD_NAME, "thread_name", FT_STRING, BASE_NONE, "Thread name", "ThreadName"),
        KEY(PTCPDUMP_UID, "uid", FT_UINT32, BASE_DEC, "User ID", "UserId: the process's user"),
        KEY(PTCPDUMP_PPID, "ppid", FT_UINT32, BASE_DEC, "Parent process ID", "ParentPID"),
        KEY(PTCPDUMP_PARENT_CMD, "parent_cmd", FT_STRING, BASE_NONE, "Parent command", "ParentCmd"),
        KEY(PTCPDUMP_PARENT_ARGS, "parent_args", FT_STRING, BASE_NONE, "Parent arguments", "ParentArgs"),
        KEY(PTCPDUMP_CONTAINER_NAME, "container.name", FT_STRING, BASE_NONE, "Container name", "ContainerName"),
        KEY(PTCPDUMP_CONTAINER_ID, "container.id", FT_STRING, BASE_NONE, "Container ID", "ContainerId"),
        KEY(PTCPDUMP_CONTAINER_IMAGE, "container.image", FT_STRING, BASE_NONE, "Container image", "ContainerImage"),
        KEY(PTCPDUMP_CONTAINER_LABELS, "container.labels", FT_STRING, BASE_NONE, "Container labels",
            "ContainerLabels, as written"),
        KEY(PTCPDUMP_POD_NAME, "pod.name", FT_STRING, BASE_NONE, "Pod name", "PodName"),
        KEY(PTCPDUMP_POD_NAMESPACE, "pod.namespace", FT_STRING, BASE_NONE, "Pod namespace", "PodNamespace"),
        KEY(PTCPDUMP_POD_UID, "pod.uid", FT_STRING, BASE_NONE, "Pod UID", "PodUID"),
        KEY(PTCPDUMP_POD_LABELS, "pod.labels", FT_STRING, BASE_NONE, "Pod labels", "PodLabels, as written"),
        KEY(PTCPDUMP_POD_ANNOTATIONS, "pod.annotations", FT_STRING, BASE_NONE, "Pod annotations",
            "PodAnnotations, as written"),
#undef KEY
        {&hf_name, {"Process name", "ptcpdump.name", FT_STRING, BASE_NONE, NULL, 0,
                    "The base name of Cmd, as ptcpdump names the process", HFILL}},
        {&hf_end, {"Named end", "ptcpdump.end", FT_STRING, BASE_NONE, NULL, 0,
                   "Which socket of this TCP packet the process owns: source, destination or unknown (loopback)",
                   HFILL}},
    };
    static gint *ett[] = {&ett_ptcpdump};
    static ei_register_info ei[] = {
        {&ei_bad_text, {"ptcpdump.bad_text", PI_MALFORMED, PI_WARN, "ptcpdump comment is not UTF-8", EXPFILL}},
        {&ei_bad_value, {"ptcpdump.bad_value", PI_MALFORMED, PI_WARN, "ptcpdump comment holds a bad value",
                         EXPFILL}},
        {&ei_stray_line, {"ptcpdump.stray_line", PI_MALFORMED, PI_NOTE, "ptcpdump comment line without a key",
                          EXPFILL}},
        {&ei_no_pid, {"ptcpdump.no_pid", PI_MALFORMED, PI_WARN, "ptcpdump comments without a PID", EXPFILL}},
        {&ei_end_unknown, {"ptcpdump.end_unknown", PI_SEQUENCE, PI_NOTE,
                           "ptcpdump names one end of this loopback packet without saying which: not attributed",
                           EXPFILL}},
    };
    proto_ptcpdump = proto_register_protocol("ptcpdump process comments", "PTCPDUMP", "ptcpdump");
    proto_register_field_array(proto_ptcpdump, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_ptcpdump), ei, array_length(ei));
}
