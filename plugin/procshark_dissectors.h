/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registration entry points of the epan glue, called from plugin/plugin.c, and what the record
 * dissectors share with the attribution postdissector (plugin/packet-procshark.c). Include after
 * <epan/packet.h>. */
#ifndef PROCSHARK_DISSECTORS_H
#define PROCSHARK_DISSECTORS_H

#include <epan/expert.h>

#include "source.h"

void proto_register_tracee(void);
void proto_register_nettcpconn(void);
void proto_register_ptcpdump(void);
void proto_register_etl2pcapng(void);
void proto_register_proc_annotation(void);
void proto_register_darwin_proc(void);
void proto_register_procrec(void);
void proto_register_procshark(void);
void proto_reg_handoff_procshark(void);

/* A record's source, as the hidden proc.record.source (the Lua API reads it), whatever the
 * record holds. */
void procshark_record_source(proto_tree *tree, tvbuff_t *tvb, ps_source source);
/* A record's claim (src/source/): fed to the engine on the first pass when it speaks for a socket,
 * and shown as hidden proc.record.* fields, so that filters and the Lua API read ownership as the
 * engine does. */
void procshark_record(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_claim *claim, bool has_socket);
/* A process event: its lifetime change (NULL: none) fed, and the hidden pid and name. */
void procshark_process(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, bool has_pid, uint32_t pid,
                       const char *image, const ps_process_change *change);
/* The Protocol column and the protocol expert infos are filed under (pinfo->current_proto): its short
 * name, so that column, short name and filter name agree. */
void procshark_set_protocol(packet_info *pinfo, int proto);
/* A record's one-line description (from its decoder's describe) as its Info column and after its
 * protocol item's name, escaped for display. */
void procshark_show_summary(packet_info *pinfo, proto_item *ti, const char *described);
/* A JSON record's payload as text, shown as the string field hf_text in tree; NULL (with the
 * bad_utf8 expert error on ti) when it is not UTF-8. */
const char *procshark_payload_text(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf_text, proto_item *ti,
                                   expert_field *bad_utf8, guint *len);
/* Each problem a decoder found, as an expert item on ti. */
void procshark_add_problems(proto_item *ti, packet_info *pinfo, expert_field *ei, const ps_problems *problems);
/* A problem as an expert info on the bytes it names; base is where the decoder's input starts. */
void procshark_add_problem(proto_tree *tree, packet_info *pinfo, expert_field *ei, tvbuff_t *tvb, int base,
                           const ps_problem *p);
/* The decoders' problems are GLib memory: the packet scope frees them, exceptions or not, while the
 * decoded struct on the stack still reads them. */
void procshark_free_with_packet(packet_info *pinfo, const ps_problems *problems);
/* The frame's time in nanoseconds since the Unix epoch. */
int64_t procshark_time_ns(const packet_info *pinfo);
/* Whether a record's Info line is wanted: it costs a formatted sentence per record, for columns or a
 * displayed tree only. */
bool procshark_summary_wanted(packet_info *pinfo, proto_tree *tree);
/* Text from a record as a column or tree label shows it: control characters escaped (ps_text.h),
 * in the packet scope. */
const char *procshark_shown(packet_info *pinfo, const char *text);
/* ptcpdump's comments on this frame (packet-ptcpdump.c), shown, and on a TCP packet (tcp: its
 * addresses, direction, seq, ack and flags; NULL otherwise) fed as a claim on the first pass. */
void procshark_ptcpdump(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *tcp);
/* etl2pcapng's PID/TID comments on this frame (packet-etl2pcapng.c), shown, and on a TCP or UDP packet
 * (its facts; NULL otherwise) fed as a claim on the first pass. */
void procshark_etl2pcapng(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *packet);
/* procshark's own annotations on this frame (packet-proc_annotation.c), shown, and on a TCP or UDP
 * packet (packet: as for procshark_ptcpdump) each known end fed as a comment claim on the first pass. */
void procshark_annotation(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *packet);
/* Darwin process information (packet-darwin.c): at handoff, Wireshark's fields of it looked up by
 * name and appended to the postdissector's wanted fields (none before Wireshark 4.6); whether this
 * packet's tree has them; shown, and on a TCP or UDP packet (packet: as for procshark_ptcpdump's)
 * fed as a claim on the first pass. */
void procshark_darwin_handoff(GArray *wanted);
bool procshark_darwin_present(proto_tree *tree, packet_info *pinfo);
void procshark_darwin(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_packet_facts *packet);
/* The innermost occurrence of another dissector's field in tree, when there is one. */
bool procshark_last_uint(proto_tree *tree, int hf, guint32 *out);
const char *procshark_last_string(proto_tree *tree, int hf);
/* An IPv4 or IPv6 address and a port as an endpoint; false for other address types. */
bool procshark_endpoint(const address *addr, guint16 port, ps_endpoint *out);

#endif
