/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tracee_net: tracee events (docs/FORMATS.md section 4) carried as exported PDUs for the
 * dissector procshark.tracee, decoded by src/decode/tracee_event.c. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/wmem_scopes.h>
#include <wsutil/nstime.h>

#include "procshark_dissectors.h"
#include "source.h"
#include "tracee_event.h"
#include "ws_compat.h"

static int proto_tracee;
static int hf_tracee[TRACEE_FIELD_COUNT];
static int hf_tracee_ipv6_src, hf_tracee_ipv6_dst;
static int hf_tracee_udp_srcport, hf_tracee_udp_dstport, hf_tracee_dns_answer;
static int hf_tracee_arg, hf_tracee_json, hf_tracee_flags;
static gint ett_tracee = -1, ett_tracee_flags = -1;
static expert_field ei_tracee_not_json, ei_tracee_bad_value, ei_tracee_bad_utf8;

/* udp: the event's packet was UDP, whose ports are other fields than TCP's (as in Wireshark). */
static void add_tracee_value(proto_tree *t, tvbuff_t *tvb, int field, const tracee_value *v, bool udp)
{
    int hf = hf_tracee[field];
    switch (field) {
    case TRACEE_SRC_PORT:
    case TRACEE_DST_PORT:
        proto_tree_add_uint(t, udp ? (field == TRACEE_SRC_PORT ? hf_tracee_udp_srcport : hf_tracee_udp_dstport) : hf,
                            tvb, 0, 0, (guint32)v->u);
        break;
    case TRACEE_TIMESTAMP: {
        nstime_t ts = {(time_t)(v->u / 1000000000), (int)(v->u % 1000000000)};
        proto_tree_add_time(t, hf, tvb, 0, 0, &ts);
        break;
    }
    case TRACEE_SRC_IP:
    case TRACEE_DST_IP:
        if (v->family == 6) {
            proto_tree_add_ipv6(t, field == TRACEE_SRC_IP ? hf_tracee_ipv6_src : hf_tracee_ipv6_dst, tvb, 0, 0,
                                (const ws_in6_addr *)v->addr);
        } else {
            guint32 addr;
            memcpy(&addr, v->addr, 4);
            proto_tree_add_ipv4(t, hf, tvb, 0, 0, addr);
        }
        break;
    case TRACEE_CGROUP_ID:
        proto_tree_add_uint64(t, hf, tvb, 0, 0, v->u);
        break;
    default:
        if (field >= TRACEE_FLAG_FIN && field <= TRACEE_FLAG_NS)
            proto_tree_add_boolean(t, hf, tvb, 0, 0, (guint32)v->u);
        else if (v->s)
            proto_tree_add_string(t, hf, tvb, 0, 0, v->s);
        else
            proto_tree_add_uint(t, hf, tvb, 0, 0, (guint32)v->u);
        break;
    }
}

/* The flags as TCP shows them: one item, its value in TCP's bit order and its set flags named, with
 * the flags the event gave below it. */
static proto_tree *add_flags(proto_tree *t, tvbuff_t *tvb, const tracee_event *ev)
{
    static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"};
    guint32 bits = 0;
    for (int f = TRACEE_FLAG_FIN; f <= TRACEE_FLAG_NS; f++)
        if (ev->v[f].present && ev->v[f].u)
            bits |= 1u << (f - TRACEE_FLAG_FIN);
    proto_item *ti = proto_tree_add_uint(t, hf_tracee_flags, tvb, 0, 0, bits);
    const char *sep = " (";
    for (int f = TRACEE_FLAG_FIN; f <= TRACEE_FLAG_NS; f++) {
        if (bits & (1u << (f - TRACEE_FLAG_FIN))) {
            proto_item_append_text(ti, "%s%s", sep, names[f - TRACEE_FLAG_FIN]);
            sep = ", ";
        }
    }
    proto_item_append_text(ti, "%s", bits ? ")" : " (<None>)");
    return proto_item_add_subtree(ti, ett_tracee_flags);
}

/* The decoders allocate with GLib; the packet scope frees that too, exceptions or not. */
static ps_ws_bool clear_tracee_event(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_, void *ev)
{
    tracee_event_clear(ev);
    return false;
}

static int dissect_tracee(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    procshark_set_protocol(pinfo, proto_tracee);
    proto_item *ti = proto_tree_add_item(tree, proto_tracee, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_tracee);
    procshark_record_source(t, tvb, PS_SOURCE_TRACEE);

    guint len;
    const char *text = procshark_payload_text(tvb, pinfo, t, hf_tracee_json, ti, &ei_tracee_bad_utf8, &len);
    if (!text) {
        col_set_str(pinfo->cinfo, COL_INFO, "tracee event: payload is not UTF-8");
        return (int)len;
    }
    tracee_event *ev = wmem_new0(pinfo->pool, tracee_event);
    wmem_register_callback(pinfo->pool, clear_tracee_event, ev);
    if (!tracee_event_decode(text, len, ev)) {
        const char *why = ps_problems_first(&ev->problems)->message;
        expert_add_info_format(pinfo, ti, &ei_tracee_not_json, "%s", why);
        col_add_fstr(pinfo->cinfo, COL_INFO, "tracee event: %s", procshark_shown(pinfo, why));
        return (int)len;
    }
    ps_claim claim;
    bool has_socket = ps_tracee_claim(ev, &claim);
    procshark_record(t, tvb, pinfo, &claim, has_socket);
    if (procshark_summary_wanted(pinfo, tree)) {
        char described[512];
        tracee_event_describe(ev, described, sizeof described);
        procshark_show_summary(pinfo, ti, described);
    }
    proto_tree *flags_tree = NULL;
    const bool udp = tracee_event_transport(ev) == PS_TRANSPORT_UDP;
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++) {
        if (!ev->v[f].present)
            continue;
        if (f >= TRACEE_FLAG_FIN && f <= TRACEE_FLAG_NS) {
            if (!flags_tree)
                flags_tree = add_flags(t, tvb, ev);
            add_tracee_value(flags_tree, tvb, f, &ev->v[f], udp);
        } else {
            add_tracee_value(t, tvb, f, &ev->v[f], udp);
        }
    }
    for (guint i = 0; i < ev->dns_answers->len; i++)
        proto_tree_add_string(t, hf_tracee_dns_answer, tvb, 0, 0, ev->dns_answers->pdata[i]);
    for (guint i = 0; i < ev->args->len; i++)
        proto_tree_add_string(t, hf_tracee_arg, tvb, 0, 0, ev->args->pdata[i]);
    procshark_add_problems(ti, pinfo, &ei_tracee_bad_value, &ev->problems);
    return (int)len;
}

#define TRACEE_UINT(id, name, abbrev, type, display) \
    {&hf_tracee[id], {name, "tracee_net." abbrev, type, display, NULL, 0, NULL, HFILL}}
#define TRACEE_STRING(id, name, abbrev, blurb) \
    {&hf_tracee[id], {name, "tracee_net." abbrev, FT_STRING, BASE_NONE, NULL, 0, blurb, HFILL}}
#define TRACEE_FLAG(id, name, abbrev) \
    {&hf_tracee[id], {name, "tracee_net.tcp.flags." abbrev, FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}}

void proto_register_tracee(void)
{
    static hf_register_info hf_tracee_fields[] = {
        {&hf_tracee[TRACEE_TIMESTAMP], {"Timestamp", "tracee_net.timestamp", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC,
                                        NULL, 0, "When tracee saw the event (its clock)", HFILL}},
        TRACEE_STRING(TRACEE_EVENT_NAME, "Event name", "event_name", NULL),
        TRACEE_UINT(TRACEE_EVENT_ID, "Event ID", "event_id", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_PID, "Process ID", "pid", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_TID, "Thread ID", "tid", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_PPID, "Parent process ID", "ppid", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_HOST_PID, "Host process ID", "host_pid", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_HOST_TID, "Host thread ID", "host_tid", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_HOST_PPID, "Host parent process ID", "host_ppid", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_UID, "User ID", "uid", FT_UINT32, BASE_DEC),
        TRACEE_STRING(TRACEE_PROCESS_NAME, "Process name", "process_name", NULL),
        TRACEE_STRING(TRACEE_EXECUTABLE, "Executable", "executable", "Path of the executable"),
        TRACEE_STRING(TRACEE_HOSTNAME, "Host name", "hostname", NULL),
        TRACEE_UINT(TRACEE_CGROUP_ID, "Cgroup ID", "cgroup_id", FT_UINT64, BASE_DEC),
        TRACEE_UINT(TRACEE_MNT_NS, "Mount namespace", "mnt_ns", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_PID_NS, "PID namespace", "pid_ns", FT_UINT32, BASE_DEC),
        TRACEE_STRING(TRACEE_SYSCALL, "Syscall", "syscall", NULL),
        TRACEE_STRING(TRACEE_CONTAINER_ID, "Container ID", "container.id", NULL),
        TRACEE_STRING(TRACEE_CONTAINER_NAME, "Container name", "container.name", NULL),
        TRACEE_STRING(TRACEE_CONTAINER_IMAGE, "Container image", "container.image", NULL),
        TRACEE_STRING(TRACEE_POD_NAME, "Pod name", "k8s.pod_name", NULL),
        TRACEE_STRING(TRACEE_POD_NAMESPACE, "Pod namespace", "k8s.namespace", NULL),
        TRACEE_STRING(TRACEE_POD_UID, "Pod UID", "k8s.pod_uid", NULL),
        TRACEE_STRING(TRACEE_DIRECTION, "Direction", "direction",
                      "ingress or egress, seen from the process's host (tracee v0.20 and later)"),
        {&hf_tracee[TRACEE_SRC_IP], {"Source address", "tracee_net.ip.src", FT_IPv4, BASE_NONE, NULL, 0, NULL,
                                     HFILL}},
        {&hf_tracee[TRACEE_DST_IP], {"Destination address", "tracee_net.ip.dst", FT_IPv4, BASE_NONE, NULL, 0,
                                     NULL, HFILL}},
        {&hf_tracee_ipv6_src, {"Source address", "tracee_net.ipv6.src", FT_IPv6, BASE_NONE, NULL, 0, NULL,
                               HFILL}},
        {&hf_tracee_ipv6_dst, {"Destination address", "tracee_net.ipv6.dst", FT_IPv6, BASE_NONE, NULL, 0, NULL,
                               HFILL}},
        TRACEE_UINT(TRACEE_SRC_PORT, "Source port", "tcp.srcport", FT_UINT16, BASE_DEC),
        TRACEE_UINT(TRACEE_DST_PORT, "Destination port", "tcp.dstport", FT_UINT16, BASE_DEC),
        TRACEE_UINT(TRACEE_SEQ, "Sequence number (raw)", "tcp.seq", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_ACK, "Acknowledgment number (raw)", "tcp.ack", FT_UINT32, BASE_DEC),
        TRACEE_UINT(TRACEE_DATA_OFFSET, "Data offset (32-bit words)", "tcp.data_offset", FT_UINT8, BASE_DEC),
        TRACEE_FLAG(TRACEE_FLAG_FIN, "FIN", "fin"),
        TRACEE_FLAG(TRACEE_FLAG_SYN, "SYN", "syn"),
        TRACEE_FLAG(TRACEE_FLAG_RST, "RST", "rst"),
        TRACEE_FLAG(TRACEE_FLAG_PSH, "PSH", "psh"),
        TRACEE_FLAG(TRACEE_FLAG_ACK, "ACK", "ack"),
        TRACEE_FLAG(TRACEE_FLAG_URG, "URG", "urg"),
        TRACEE_FLAG(TRACEE_FLAG_ECE, "ECE", "ece"),
        TRACEE_FLAG(TRACEE_FLAG_CWR, "CWR", "cwr"),
        TRACEE_FLAG(TRACEE_FLAG_NS, "NS", "ns"),
        TRACEE_UINT(TRACEE_WINDOW, "Window", "tcp.window", FT_UINT16, BASE_DEC),
        TRACEE_UINT(TRACEE_CHECKSUM, "Checksum", "tcp.checksum", FT_UINT16, BASE_HEX),
        TRACEE_UINT(TRACEE_URGENT, "Urgent pointer", "tcp.urgent", FT_UINT16, BASE_DEC),
        TRACEE_STRING(TRACEE_FLOW_DIRECTION, "Flow direction", "flow.direction",
                      "incoming or outgoing (net_flow_tcp_begin/end)"),
        TRACEE_UINT(TRACEE_UDP_LENGTH, "Length", "udp.length", FT_UINT16, BASE_DEC),
        TRACEE_UINT(TRACEE_UDP_CHECKSUM, "Checksum", "udp.checksum", FT_UINT16, BASE_HEX),
        {&hf_tracee_udp_srcport, {"Source port", "tracee_net.udp.srcport", FT_UINT16, BASE_DEC, NULL, 0, NULL,
                                  HFILL}},
        {&hf_tracee_udp_dstport, {"Destination port", "tracee_net.udp.dstport", FT_UINT16, BASE_DEC, NULL, 0, NULL,
                                  HFILL}},
        {&hf_tracee[TRACEE_PROTOCOL], {"Protocol", "tracee_net.protocol", FT_UINT8, BASE_DEC, NULL, 0,
                                       "The IP protocol number the packet metadata gives (6 TCP, 17 UDP)", HFILL}},
        {&hf_tracee[TRACEE_PACKET_LEN], {"Packet length", "tracee_net.packet_len", FT_UINT32, BASE_DEC, NULL, 0,
                                         "The IP header's length field: IPv4's total length, IPv6's payload length",
                                         HFILL}},
        TRACEE_STRING(TRACEE_DNS_QUERY, "Query name", "dns.query", "The first DNS question's name"),
        TRACEE_STRING(TRACEE_DNS_QUERY_TYPE, "Query type", "dns.query_type", "The first DNS question's type"),
        {&hf_tracee_dns_answer, {"Answer", "tracee_net.dns.answer", FT_STRING, BASE_NONE, NULL, 0,
                                 "One DNS answer: its type and data", HFILL}},
        {&hf_tracee_flags, {"Flags", "tracee_net.tcp.flags", FT_UINT16, BASE_HEX, NULL, 0,
                            "The TCP flags the event gives, in TCP's bit order (FIN 0x001 to NS 0x100)", HFILL}},
        {&hf_tracee_arg, {"Argument", "tracee_net.arg", FT_STRING, BASE_NONE, NULL, 0,
                          "name=value of an argument without a field of its own", HFILL}},
        {&hf_tracee_json, {"JSON", "tracee_net.json", FT_STRING, BASE_NONE, NULL, 0, "The event as tracee wrote it",
                           HFILL}},
    };
    static gint *ett[] = {&ett_tracee, &ett_tracee_flags};
    static ei_register_info ei_tracee[] = {
        {&ei_tracee_not_json, {"tracee_net.not_json", PI_MALFORMED, PI_ERROR, "Not a JSON object", EXPFILL}},
        {&ei_tracee_bad_value, {"tracee_net.bad_value", PI_MALFORMED, PI_WARN,
                                "A key holds a value of the wrong type or out of range", EXPFILL}},
        {&ei_tracee_bad_utf8, {"tracee_net.bad_utf8", PI_MALFORMED, PI_ERROR, "Payload is not UTF-8", EXPFILL}},
    };

    /* "tracee" belongs to aquasecurity's traceeshark plugin: a second registration would abort. */
    proto_tracee = proto_register_protocol("tracee event (procshark)", "TRACEE_NET", "tracee_net");
    proto_register_field_array(proto_tracee, hf_tracee_fields, array_length(hf_tracee_fields));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_tracee), ei_tracee, array_length(ei_tracee));
    register_dissector(ps_sources[PS_SOURCE_TRACEE]->pdu_dissector, dissect_tracee, proto_tracee);
}
