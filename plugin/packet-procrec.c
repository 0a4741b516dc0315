/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procrec: procshark-record's events (docs/FORMATS.md section 11), one binary record per exported
 * PDU for the dissector procshark.procrec, decoded by src/decode/procrec_event.c. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <wsutil/nstime.h>

#include "procrec_event.h"
#include "procshark_dissectors.h"
#include "source.h"
#include "ws_compat.h"

static int proto_procrec;
static int hf_procrec_time, hf_procrec_kind, hf_procrec_family, hf_procrec_protocol, hf_procrec_what,
    hf_procrec_old_state, hf_procrec_new_state, hf_procrec_pid, hf_procrec_tid, hf_procrec_ppid, hf_procrec_uid,
    hf_procrec_cgroup_id, hf_procrec_local_ip, hf_procrec_local_ipv6, hf_procrec_local_port, hf_procrec_remote_ip,
    hf_procrec_remote_ipv6, hf_procrec_remote_port, hf_procrec_flags, hf_procrec_flags_owner, hf_procrec_comm,
    hf_procrec_container_id, hf_procrec_lost, hf_procrec_created_after, hf_procrec_direction, hf_procrec_seq,
    hf_procrec_ack, hf_procrec_tcp_flags, hf_procrec_udp_length, hf_procrec_udp_checksum;
static gint ett_procrec = -1, ett_procrec_flags = -1;
static expert_field ei_procrec_truncated, ei_procrec_bad_value, ei_procrec_bad_text, ei_procrec_lost;

static const value_string procrec_kind_vals[] = {
    {PROCREC_KIND_TCP, "TCP socket event"}, {PROCREC_KIND_UDP, "UDP flow"}, {PROCREC_KIND_LOST, "lost events"},
    {0, NULL}};
static const value_string procrec_what_vals[] = {
    {PROCREC_CONNECT, "connect"},   {PROCREC_ACCEPT, "accept"},     {PROCREC_CLOSE, "close"},
    {PROCREC_STATE, "state change"}, {PROCREC_UDP_SEND, "UDP send"}, {PROCREC_UDP_RECEIVE, "UDP receive"},
    {PROCREC_PACKET, "packet"},
    {PROCREC_SNAPSHOT, "snapshot"},
    {PROCREC_OWNER, "new owner"},
    {0, NULL}};
static const value_string procrec_direction_vals[] = {
    {PROCREC_DIRECTION_OUT, "out (the packet leaves the local end)"},
    {PROCREC_DIRECTION_IN, "in (the packet arrives at the local end)"},
    {0, NULL}};
static const value_string procrec_protocol_vals[] = {{PROCREC_PROTO_TCP, "TCP"}, {PROCREC_PROTO_UDP, "UDP"}, {0, NULL}};
/* Filled at registration from the decoder, which knows Linux's states. */
static value_string procrec_state_vals[16];

static void add_address(proto_tree *t, tvbuff_t *tvb, int hf4, int hf6, int family, int offset)
{
    if (family == 4)
        proto_tree_add_item(t, hf4, tvb, offset, 4, ENC_BIG_ENDIAN);
    else if (family == 6)
        proto_tree_add_item(t, hf6, tvb, offset, 16, ENC_NA);
}

static int dissect_procrec(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    procshark_set_protocol(pinfo, proto_procrec);
    proto_item *ti = proto_tree_add_item(tree, proto_procrec, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_procrec);
    procshark_record_source(t, tvb, PS_SOURCE_PROCREC);

    const guint len = tvb_captured_length(tvb);
    procrec_event ev;
    const bool decoded = procrec_event_decode(tvb_get_ptr(tvb, 0, (gint)len), len, &ev);
    procshark_free_with_packet(pinfo, &ev.problems);
    if (!decoded) {
        const ps_problem *why = ps_problems_first(&ev.problems);
        procshark_add_problem(t, pinfo, &ei_procrec_truncated, tvb, 0, why);
        col_add_fstr(pinfo->cinfo, COL_INFO, "procshark-record event: %s", why->message);
        return (int)len;
    }
    ps_claim claim;
    bool has_socket = ps_procrec_claim(&ev, &claim);
    procshark_record(t, tvb, pinfo, &claim, has_socket);
    if (procshark_summary_wanted(pinfo, tree)) {
        char described[512];
        procrec_event_describe(&ev, described, sizeof described);
        procshark_show_summary(pinfo, ti, described);
    }

    nstime_t when = {(time_t)(ev.time_ns / 1000000000), (int)(ev.time_ns % 1000000000)};
    proto_tree_add_time(t, hf_procrec_time, tvb, PROCREC_OFF_TIME, 8, &when);
    proto_tree_add_item(t, hf_procrec_kind, tvb, PROCREC_OFF_KIND, 1, ENC_NA);
    if (ev.kind == PROCREC_KIND_LOST) {
        proto_item *lost = proto_tree_add_item(t, hf_procrec_lost, tvb, PROCREC_OFF_LOST, 8, ENC_LITTLE_ENDIAN);
        expert_add_info_format(pinfo, lost, &ei_procrec_lost,
                               "%" G_GUINT64_FORMAT " events lost: some sockets may be unattributed", ev.lost);
    } else {
        proto_tree_add_item(t, hf_procrec_family, tvb, PROCREC_OFF_FAMILY, 1, ENC_NA);
        proto_tree_add_item(t, hf_procrec_protocol, tvb, PROCREC_OFF_PROTOCOL, 1, ENC_NA);
        proto_tree_add_item(t, hf_procrec_what, tvb, PROCREC_OFF_WHAT, 1, ENC_NA);
        proto_tree_add_item(t, hf_procrec_old_state, tvb, PROCREC_OFF_OLD_STATE, 1, ENC_NA);
        proto_tree_add_item(t, hf_procrec_new_state, tvb, PROCREC_OFF_NEW_STATE, 1, ENC_NA);
        proto_tree_add_item(t, hf_procrec_pid, tvb, PROCREC_OFF_PID, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_procrec_tid, tvb, PROCREC_OFF_TID, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_procrec_ppid, tvb, PROCREC_OFF_PPID, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_procrec_uid, tvb, PROCREC_OFF_UID, 4, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(t, hf_procrec_cgroup_id, tvb, PROCREC_OFF_CGROUP_ID, 8, ENC_LITTLE_ENDIAN);
        add_address(t, tvb, hf_procrec_local_ip, hf_procrec_local_ipv6, ev.family, PROCREC_OFF_LOCAL_ADDR);
        proto_tree_add_item(t, hf_procrec_local_port, tvb, PROCREC_OFF_LOCAL_PORT, 2, ENC_LITTLE_ENDIAN);
        add_address(t, tvb, hf_procrec_remote_ip, hf_procrec_remote_ipv6, ev.family, PROCREC_OFF_REMOTE_ADDR);
        proto_tree_add_item(t, hf_procrec_remote_port, tvb, PROCREC_OFF_REMOTE_PORT, 2, ENC_LITTLE_ENDIAN);
        static int *const flags[] = {&hf_procrec_flags_owner, NULL};
        proto_tree_add_bitmask(t, tvb, PROCREC_OFF_FLAGS, hf_procrec_flags, ett_procrec_flags, flags,
                               ENC_LITTLE_ENDIAN);
        /* As decoded: valid UTF-8 up to the NUL, whatever the bytes were (a problem says so). */
        proto_tree_add_string(t, hf_procrec_comm, tvb, PROCREC_OFF_COMM, PROCREC_COMM_SIZE, ev.comm);
        if (ev.container_id[0])
            proto_tree_add_string(t, hf_procrec_container_id, tvb, PROCREC_OFF_CONTAINER, PROCREC_CONTAINER_SIZE,
                                  ev.container_id);
        if (ev.what == PROCREC_SNAPSHOT && ev.created_after_ns) {
            nstime_t after = {(time_t)(ev.created_after_ns / 1000000000), (int)(ev.created_after_ns % 1000000000)};
            proto_tree_add_time(t, hf_procrec_created_after, tvb, PROCREC_OFF_CREATED_AFTER, 8, &after);
        } else if (ev.lost) {
            proto_tree_add_item(t, hf_procrec_lost, tvb, PROCREC_OFF_LOST, 8, ENC_LITTLE_ENDIAN);
        }
        if (ev.what == PROCREC_PACKET) {
            proto_tree_add_item(t, hf_procrec_direction, tvb, PROCREC_OFF_DIRECTION, 1, ENC_NA);
            if (ev.kind == PROCREC_KIND_UDP) {
                proto_tree_add_item(t, hf_procrec_udp_length, tvb, PROCREC_OFF_UDP_LENGTH, 2, ENC_LITTLE_ENDIAN);
                proto_tree_add_item(t, hf_procrec_udp_checksum, tvb, PROCREC_OFF_UDP_CHECKSUM, 2, ENC_LITTLE_ENDIAN);
            } else {
                proto_tree_add_item(t, hf_procrec_seq, tvb, PROCREC_OFF_SEQ, 4, ENC_LITTLE_ENDIAN);
                proto_tree_add_item(t, hf_procrec_ack, tvb, PROCREC_OFF_ACK, 4, ENC_LITTLE_ENDIAN);
                proto_tree_add_item(t, hf_procrec_tcp_flags, tvb, PROCREC_OFF_TCP_FLAGS, 2, ENC_LITTLE_ENDIAN);
            }
        }
    }
    for (size_t i = 0; i < ps_problems_count(&ev.problems); i++) {
        const ps_problem *p = ps_problems_at(&ev.problems, i);
        procshark_add_problem(t, pinfo, p->code == PROCREC_BAD_TEXT ? &ei_procrec_bad_text : &ei_procrec_bad_value,
                              tvb, 0, p);
    }
    return (int)len;
}

void proto_register_procrec(void)
{
    static hf_register_info hf_procrec_fields[] = {
        {&hf_procrec_time, {"Time", "procrec.time", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC, NULL, 0,
                            "When the kernel saw the event, converted by the recorder to the Unix epoch", HFILL}},
        {&hf_procrec_kind, {"Kind", "procrec.kind", FT_UINT8, BASE_DEC, VALS(procrec_kind_vals), 0, NULL, HFILL}},
        {&hf_procrec_family, {"Family", "procrec.family", FT_UINT8, BASE_DEC, NULL, 0, "IP version: 4 or 6",
                              HFILL}},
        {&hf_procrec_protocol, {"Protocol", "procrec.protocol", FT_UINT8, BASE_DEC, VALS(procrec_protocol_vals), 0,
                                NULL, HFILL}},
        {&hf_procrec_what, {"What", "procrec.what", FT_UINT8, BASE_DEC, VALS(procrec_what_vals), 0, NULL, HFILL}},
        {&hf_procrec_old_state, {"Old state", "procrec.old_state", FT_UINT8, BASE_DEC, VALS(procrec_state_vals), 0,
                                 "Linux TCP state before the event (0 for UDP)", HFILL}},
        {&hf_procrec_new_state, {"New state", "procrec.new_state", FT_UINT8, BASE_DEC, VALS(procrec_state_vals), 0,
                                 "Linux TCP state after the event (0 for UDP)", HFILL}},
        {&hf_procrec_pid, {"Process ID", "procrec.pid", FT_UINT32, BASE_DEC, NULL, 0, "The thread group ID", HFILL}},
        {&hf_procrec_tid, {"Thread ID", "procrec.tid", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_procrec_ppid, {"Parent process ID", "procrec.ppid", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_procrec_uid, {"User ID", "procrec.uid", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_procrec_cgroup_id, {"Cgroup ID", "procrec.cgroup_id", FT_UINT64, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_procrec_local_ip, {"Local address", "procrec.local.ip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_procrec_local_ipv6, {"Local address", "procrec.local.ipv6", FT_IPv6, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_procrec_local_port, {"Local port", "procrec.local.port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_procrec_remote_ip, {"Remote address", "procrec.remote.ip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_procrec_remote_ipv6, {"Remote address", "procrec.remote.ipv6", FT_IPv6, BASE_NONE, NULL, 0, NULL,
                                   HFILL}},
        {&hf_procrec_remote_port, {"Remote port", "procrec.remote.port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_procrec_flags, {"Flags", "procrec.flags", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
        {&hf_procrec_flags_owner, {"Owner", "procrec.flags.owner", FT_BOOLEAN, 32, NULL, PROCREC_FLAG_OWNER,
                                   "The pid is the socket's owner as recorded at connect or accept (or found "
                                   "holding it by a snapshot), not the context that happened to run", HFILL}},
        {&hf_procrec_comm, {"Command", "procrec.comm", FT_STRING, BASE_NONE, NULL, 0,
                            "The process's comm: its name as the kernel keeps it (15 bytes at most)", HFILL}},
        {&hf_procrec_container_id, {"Container ID", "procrec.container_id", FT_STRING, BASE_NONE, NULL, 0,
                                    "From the cgroup path: a docker, containerd, cri-o or podman scope's ID",
                                    HFILL}},
        {&hf_procrec_lost, {"Lost events", "procrec.lost", FT_UINT64, BASE_DEC, NULL, 0,
                            "Events the recorder lost since its previous lost-events record", HFILL}},
        {&hf_procrec_created_after, {"Created after", "procrec.created_after", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC,
                                     NULL, 0,
                                     "Snapshot: the socket was made after this time (the last snapshot without "
                                     "it); absent when it was there at the first snapshot", HFILL}},
        {&hf_procrec_direction, {"Direction", "procrec.direction", FT_UINT8, BASE_DEC, VALS(procrec_direction_vals), 0,
                                 "Packet events: whether the packet leaves or arrives at the local end", HFILL}},
        {&hf_procrec_seq, {"Sequence number", "procrec.seq", FT_UINT32, BASE_DEC, NULL, 0,
                           "Packet events: the TCP header's sequence number (raw, as tcp.seq_raw)", HFILL}},
        {&hf_procrec_ack, {"Acknowledgment number", "procrec.ack", FT_UINT32, BASE_DEC, NULL, 0,
                           "Packet events: the TCP header's acknowledgment number (raw, as tcp.ack_raw)", HFILL}},
        {&hf_procrec_tcp_flags, {"TCP flags", "procrec.tcp_flags", FT_UINT16, BASE_HEX, NULL, 0,
                                 "Packet events: the TCP header's 12 flag bits, as tcp.flags", HFILL}},
        {&hf_procrec_udp_length, {"UDP length", "procrec.udp_length", FT_UINT16, BASE_DEC, NULL, 0,
                                  "Packet events: the UDP header's length field", HFILL}},
        {&hf_procrec_udp_checksum, {"UDP checksum", "procrec.udp_checksum", FT_UINT16, BASE_HEX, NULL, 0,
                                    "Packet events: the UDP header's checksum field", HFILL}},
    };
    static gint *ett[] = {&ett_procrec, &ett_procrec_flags};
    static ei_register_info ei_procrec[] = {
        {&ei_procrec_truncated, {"procrec.truncated", PI_MALFORMED, PI_ERROR, "The record is truncated", EXPFILL}},
        {&ei_procrec_bad_value, {"procrec.bad_value", PI_MALFORMED, PI_WARN,
                                 "A field holds a value the format does not define", EXPFILL}},
        {&ei_procrec_bad_text, {"procrec.bad_text", PI_MALFORMED, PI_WARN,
                                "comm or container ID: not NUL-terminated, not UTF-8, or control characters",
                                EXPFILL}},
        {&ei_procrec_lost, {"procrec.lost_events", PI_SEQUENCE, PI_WARN,
                            "Events lost: some sockets may be unattributed", EXPFILL}},
    };

    size_t n = 0;
    for (guint32 s = 0; s < 256 && n + 1 < G_N_ELEMENTS(procrec_state_vals); s++) {
        const char *name = procrec_tcp_state_name((uint8_t)s);
        if (name)
            procrec_state_vals[n++] = (value_string){s, name};
    }

    proto_procrec = proto_register_protocol("procshark-record events", "PROCREC", "procrec");
    proto_register_field_array(proto_procrec, hf_procrec_fields, array_length(hf_procrec_fields));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_procrec), ei_procrec, array_length(ei_procrec));
    register_dissector(ps_sources[PS_SOURCE_PROCREC]->pdu_dissector, dissect_procrec, proto_procrec);
}
