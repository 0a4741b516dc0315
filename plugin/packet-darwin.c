/* SPDX-License-Identifier: GPL-2.0-or-later */
/* darwin_proc: the process macOS's pktap wrote on a packet (docs/FORMATS.md section 10), as Wireshark
 * reads it: Wireshark 4.6 turns the Darwin Process Information Blocks and each packet's option
 * naming one into frame.darwin.process_info.pid and .pname. Those fields are looked up by name at
 * handoff, so the plugin builds on every version; where Wireshark has none (4.0, 4.4) this source
 * is silent. "darwin" is the filter name of Wireshark's own Apple Darwin protocol, hence
 * "darwin_proc". No dissector table leads here: the proc postdissector hands every packet with the
 * fields over before it feeds the packet itself. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include "procshark_dissectors.h"
#include "source.h"
#include "ws_compat.h"

static int proto_darwin_proc;
static int hf_pid, hf_name, hf_effective_pid, hf_effective_name, hf_end;
static int hf_frame_pid = -1, hf_frame_name = -1; /* Wireshark's; -1: this version has none */
static gint ett_darwin_proc = -1;
static expert_field ei_end_unknown;

void procshark_darwin_handoff(GArray *wanted)
{
    hf_frame_pid = proto_registrar_get_id_byname("frame.darwin.process_info.pid");
    hf_frame_name = proto_registrar_get_id_byname("frame.darwin.process_info.pname");
    /* Without them in the postdissector's wanted fields, a tree nobody displays would not hold them. */
    if (hf_frame_pid > 0 && hf_frame_name > 0) {
        g_array_append_val(wanted, hf_frame_pid);
        g_array_append_val(wanted, hf_frame_name);
    }
}

/* The packet's process: on the first pass from Wireshark's fields, kept with the frame for later
 * passes, whose trees hold the fields only when a filter or column asks for them (tshark -2 primes
 * the postdissector's wanted fields on its first pass only, Wireshark's window when it loads). */
static const ps_darwin_process *process_of(proto_tree *tree, packet_info *pinfo)
{
    if (hf_frame_pid <= 0)
        return NULL; /* Wireshark before 4.6: no packet has any, nothing to look up */
    ps_darwin_process *process = p_get_proto_data(wmem_file_scope(), pinfo, proto_darwin_proc, 0);
    guint32 pid;
    if (process || PINFO_FD_VISITED(pinfo) || !procshark_last_uint(tree, hf_frame_pid, &pid))
        return process;
    process = wmem_new(wmem_file_scope(), ps_darwin_process);
    process->pid = pid;
    const char *name = procshark_last_string(tree, hf_frame_name);
    process->name = name ? wmem_strdup(wmem_file_scope(), name) : NULL; /* wmem_strdup makes NULL "<NULL>" */
    p_add_proto_data(wmem_file_scope(), pinfo, proto_darwin_proc, 0, process);
    return process;
}

bool procshark_darwin_present(proto_tree *tree, packet_info *pinfo)
{
    return process_of(tree, pinfo) != NULL;
}

/* "name (pid)" for the item's text. */
static const char *label(packet_info *pinfo, const char *name, uint32_t pid)
{
    return wmem_strdup_printf(pinfo->pool, "%s (%u)", procshark_shown(pinfo, name ? name : "?"), pid);
}

void procshark_darwin(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *packet)
{
    const ps_darwin_process *process = process_of(tree, pinfo);
    if (!process)
        return;
    proto_item *ti = proto_tree_add_item(tree, proto_darwin_proc, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_darwin_proc);
    ps_claim claim;
    const bool has_socket = packet && ps_darwin_claim(process, packet, &claim);
    /* Fed on the first pass; the packet is no record frame (no proc.record.*), as ptcpdump's. */
    if (has_socket)
        procshark_record(NULL, tvb, pinfo, &claim, true);
    proto_tree_add_uint(t, hf_pid, tvb, 0, 0, process->pid);
    if (process->name)
        proto_tree_add_string(t, hf_name, tvb, 0, 0, process->name);
    proto_item_append_text(ti, ", %s", label(pinfo, process->name, process->pid));
    uint32_t effective_pid;
    const char *effective_name = NULL;
    if (ps_darwin_effective_process(pinfo->epan, pinfo->rec, &effective_pid, &effective_name)) {
        proto_tree_add_uint(t, hf_effective_pid, tvb, 0, 0, effective_pid);
        if (effective_name)
            proto_tree_add_string(t, hf_effective_name, tvb, 0, 0, effective_name);
        if (effective_pid != process->pid)
            proto_item_append_text(ti, " for %s", label(pinfo, effective_name, effective_pid));
    }
    if (packet) {
        const char *end = !has_socket ? "unknown" : claim.outgoing ? "source" : "destination";
        proto_tree_add_string(t, hf_end, tvb, 0, 0, end);
        if (!has_socket)
            expert_add_info(pinfo, ti, &ei_end_unknown);
    }
}

void proto_register_darwin_proc(void)
{
    static hf_register_info hf[] = {
        {&hf_pid, {"Process ID", "darwin_proc.pid", FT_UINT32, BASE_DEC, NULL, 0,
                   "The process of the packet's socket, as pktap wrote it", HFILL}},
        {&hf_name, {"Process name", "darwin_proc.name", FT_STRING, BASE_NONE, NULL, 0,
                    "Its name, as pktap wrote it (the kernel keeps at most 15 characters)", HFILL}},
        {&hf_effective_pid, {"Effective process ID", "darwin_proc.epid", FT_UINT32, BASE_DEC, NULL, 0,
                             "The process on whose behalf the packet's process sent or received it "
                             "(shown, not the socket's owner)", HFILL}},
        {&hf_effective_name, {"Effective process name", "darwin_proc.ename", FT_STRING, BASE_NONE, NULL, 0,
                              "The effective process's name", HFILL}},
        {&hf_end, {"Named end", "darwin_proc.end", FT_STRING, BASE_NONE, NULL, 0,
                   "Which socket of this TCP or UDP packet the process owns: source (outbound), destination "
                   "(inbound) or unknown (no direction)", HFILL}},
    };
    static gint *ett[] = {&ett_darwin_proc};
    static ei_register_info ei[] = {
        {&ei_end_unknown, {"darwin_proc.end_unknown", PI_SEQUENCE, PI_NOTE,
                           "No direction on this packet: which end the Darwin process owns is unknown, not "
                           "attributed", EXPFILL}},
    };
    proto_darwin_proc = proto_register_protocol("Darwin process information", "DARWIN_PROC", "darwin_proc");
    proto_register_field_array(proto_darwin_proc, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_darwin_proc), ei, array_length(ei));
}
