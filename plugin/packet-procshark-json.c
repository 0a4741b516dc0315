/* SPDX-License-Identifier: GPL-2.0-or-later */
/* epan glue for the JSON records reached through exported PDUs (link type 252, FORMATS.md section 1):
 * tracee events (procshark.tracee) and Get-NetTCPConnection rows (procshark.nettcpconnection). */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/wmem_scopes.h>
#include <wsutil/nstime.h>

#include "nettcp_row.h"
#include "procshark_dissectors.h"
#include "tracee_event.h"
#include "ws_compat.h"

static int proto_tracee;
static int proto_nettcp;

static int hf_tracee[TRACEE_FIELD_COUNT];
static int hf_tracee_ipv6_src, hf_tracee_ipv6_dst;
static int hf_tracee_arg, hf_tracee_json;

static int hf_nettcp_local_ip, hf_nettcp_local_ipv6, hf_nettcp_local_port;
static int hf_nettcp_remote_ip, hf_nettcp_remote_ipv6, hf_nettcp_remote_port;
static int hf_nettcp_state, hf_nettcp_pid, hf_nettcp_creation_time, hf_nettcp_applied_setting,
    hf_nettcp_offload_state, hf_nettcp_json;

static gint ett_tracee = -1, ett_nettcp = -1;

static expert_field ei_tracee_not_json, ei_tracee_bad_value, ei_tracee_bad_utf8;
static expert_field ei_nettcp_not_json, ei_nettcp_bad_value, ei_nettcp_bad_utf8;

/* The payload as text for the decoders; NULL (with an expert error) when it is not UTF-8. */
static const char *payload_text(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, expert_field *bad_utf8,
                                guint *len)
{
    *len = tvb_captured_length(tvb);
    const char *text = *len ? (const char *)tvb_get_ptr(tvb, 0, *len) : "";
    const gchar *end = NULL;
    if (!g_utf8_validate(text, *len, &end)) {
        expert_add_info_format(pinfo, ti, bad_utf8, "Payload is not valid UTF-8 at byte %ld",
                               (long)(end - text));
        return NULL;
    }
    return text;
}

static void add_problems(proto_item *ti, packet_info *pinfo, expert_field *ei, const ps_problems *problems)
{
    for (size_t i = 0; i < ps_problems_count(problems); i++)
        expert_add_info_format(pinfo, ti, ei, "%s", ps_problems_at(problems, i)->message);
}

/* --- tracee ------------------------------------------------------------------------------------ */

static void add_tracee_value(proto_tree *t, tvbuff_t *tvb, int field, const tracee_value *v)
{
    int hf = hf_tracee[field];
    switch (field) {
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

/* The decoders allocate with GLib; the packet scope frees that too, exceptions or not. */
static ps_ws_bool clear_tracee_event(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_, void *ev)
{
    tracee_event_clear(ev);
    return false;
}

static bool tracee_endpoint(const tracee_value *ip, const tracee_value *port, ps_endpoint *out)
{
    if (!ip->present || !port->present)
        return false;
    memset(out, 0, sizeof *out);
    out->family = ip->family;
    memcpy(out->addr, ip->addr, 16);
    out->port = (uint16_t)port->u;
    return true;
}

/* net_packet_tcp with a direction names the owner of one socket of one packet; a TCP flow event
 * the owner of the initiator's (outgoing) or the acceptor's (incoming) socket. */
static void feed_tracee(packet_info *pinfo, const tracee_event *ev)
{
    ps_corr *corr = procshark_corr();
    const tracee_value *v = ev->v;
    ps_endpoint src, dst;
    uint32_t pid;
    if (!corr || PINFO_FD_VISITED(pinfo) || !v[TRACEE_EVENT_NAME].present || !tracee_event_pid(ev, &pid) ||
        !tracee_endpoint(&v[TRACEE_SRC_IP], &v[TRACEE_SRC_PORT], &src) ||
        !tracee_endpoint(&v[TRACEE_DST_IP], &v[TRACEE_DST_PORT], &dst))
        return;
    const char *name = v[TRACEE_EVENT_NAME].s;
    const char *container = v[TRACEE_CONTAINER_NAME].present ? v[TRACEE_CONTAINER_NAME].s
                            : v[TRACEE_CONTAINER_ID].present ? v[TRACEE_CONTAINER_ID].s
                                                             : NULL;
    bool egress;
    if (strcmp(name, "net_packet_tcp") == 0 && v[TRACEE_DIRECTION].present) {
        uint16_t flags = 0;
        for (int f = TRACEE_FLAG_FIN; f <= TRACEE_FLAG_NS; f++)
            if (v[f].present && v[f].u)
                flags |= (uint16_t)(1u << (f - TRACEE_FLAG_FIN));
        bool has_tcp = v[TRACEE_SEQ].present && v[TRACEE_ACK].present && v[TRACEE_FLAG_SYN].present;
        egress = strcmp(v[TRACEE_DIRECTION].s, "egress") == 0;
        ps_corr_add_tracee(corr, pinfo->num, procshark_time_ns(pinfo), &src, &dst, egress, has_tcp,
                           (uint32_t)v[TRACEE_SEQ].u, (uint32_t)v[TRACEE_ACK].u, flags, pid,
                           v[TRACEE_PROCESS_NAME].s, container);
    } else if (g_str_has_prefix(name, "net_flow_tcp_") && v[TRACEE_FLOW_DIRECTION].present) {
        egress = strcmp(v[TRACEE_FLOW_DIRECTION].s, "outgoing") == 0;
        ps_corr_add_tracee(corr, pinfo->num, procshark_time_ns(pinfo), &src, &dst, egress, false, 0, 0, 0, pid,
                           v[TRACEE_PROCESS_NAME].s, container);
    }
}

static int dissect_tracee(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "tracee");
    proto_item *ti = proto_tree_add_item(tree, proto_tracee, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_tracee);
    proto_tree_add_item(t, hf_tracee_json, tvb, 0, -1, ENC_UTF_8);

    guint len;
    const char *text = payload_text(tvb, pinfo, ti, &ei_tracee_bad_utf8, &len);
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
    feed_tracee(pinfo, ev);
    char described[512];
    tracee_event_describe(ev, described, sizeof described);
    const char *info = procshark_shown(pinfo, described);
    col_add_str(pinfo->cinfo, COL_INFO, info);
    proto_item_append_text(ti, ", %s", info);
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++)
        if (ev->v[f].present)
            add_tracee_value(t, tvb, f, &ev->v[f]);
    for (guint i = 0; i < ev->args->len; i++)
        proto_tree_add_string(t, hf_tracee_arg, tvb, 0, 0, ev->args->pdata[i]);
    add_problems(ti, pinfo, &ei_tracee_bad_value, &ev->problems);
    return (int)len;
}

/* --- Get-NetTCPConnection ---------------------------------------------------------------------- */

static const value_string nettcp_state_vals[] = {
    {1, "Closed"},     {2, "Listen"},   {3, "SynSent"},  {4, "SynReceived"}, {5, "Established"},
    {6, "FinWait1"},   {7, "FinWait2"}, {8, "CloseWait"}, {9, "Closing"},     {10, "LastAck"},
    {11, "TimeWait"},  {12, "DeleteTCB"}, {100, "Bound"}, {0, NULL}};
static const value_string nettcp_offload_vals[] = {
    {0, "InHost"}, {1, "Offloading"}, {2, "Offloaded"}, {3, "Uploading"}, {0, NULL}};

static void add_nettcp_address(proto_tree *t, tvbuff_t *tvb, int hf4, int hf6, int family, const guint8 *addr)
{
    if (family == 6) {
        proto_tree_add_ipv6(t, hf6, tvb, 0, 0, (const ws_in6_addr *)addr);
    } else {
        guint32 v4;
        memcpy(&v4, addr, 4);
        proto_tree_add_ipv4(t, hf4, tvb, 0, 0, v4);
    }
}

static ps_ws_bool clear_nettcp_row(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_, void *row)
{
    nettcp_row_clear(row);
    return false;
}

/* A row names the process owning its local socket, from CreationTime on. */
static void feed_nettcp(packet_info *pinfo, const nettcp_row *row)
{
    ps_corr *corr = procshark_corr();
    if (!corr || PINFO_FD_VISITED(pinfo) || !row->has[NETTCP_OWNING_PROCESS] || !row->has[NETTCP_LOCAL_ADDRESS] ||
        !row->has[NETTCP_LOCAL_PORT] || !row->has[NETTCP_REMOTE_ADDRESS] || !row->has[NETTCP_REMOTE_PORT])
        return;
    ps_endpoint local = {row->local_family, {0}, row->local_port};
    ps_endpoint remote = {row->remote_family, {0}, row->remote_port};
    memcpy(local.addr, row->local_addr, 16);
    memcpy(remote.addr, row->remote_addr, 16);
    ps_corr_add_nettcp(corr, pinfo->num, procshark_time_ns(pinfo), &local, &remote, row->owning_process,
                       row->has[NETTCP_CREATION_TIME], row->creation_time_ns);
}

static int dissect_nettcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "NetTCPConn");
    proto_item *ti = proto_tree_add_item(tree, proto_nettcp, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_nettcp);
    proto_tree_add_item(t, hf_nettcp_json, tvb, 0, -1, ENC_UTF_8);

    guint len;
    const char *text = payload_text(tvb, pinfo, ti, &ei_nettcp_bad_utf8, &len);
    if (!text) {
        col_set_str(pinfo->cinfo, COL_INFO, "NetTCPConnection row: payload is not UTF-8");
        return (int)len;
    }
    nettcp_row *row = wmem_new0(pinfo->pool, nettcp_row);
    wmem_register_callback(pinfo->pool, clear_nettcp_row, row);
    if (!nettcp_row_decode(text, len, row)) {
        const char *why = ps_problems_first(&row->problems)->message;
        expert_add_info_format(pinfo, ti, &ei_nettcp_not_json, "%s", why);
        col_add_fstr(pinfo->cinfo, COL_INFO, "NetTCPConnection row: %s", procshark_shown(pinfo, why));
        return (int)len;
    }
    feed_nettcp(pinfo, row);
    char described[256];
    nettcp_row_describe(row, described, sizeof described);
    const char *info = procshark_shown(pinfo, described);
    col_add_str(pinfo->cinfo, COL_INFO, info);
    proto_item_append_text(ti, ", %s", info);
    if (row->has[NETTCP_LOCAL_ADDRESS])
        add_nettcp_address(t, tvb, hf_nettcp_local_ip, hf_nettcp_local_ipv6, row->local_family, row->local_addr);
    if (row->has[NETTCP_LOCAL_PORT])
        proto_tree_add_uint(t, hf_nettcp_local_port, tvb, 0, 0, row->local_port);
    if (row->has[NETTCP_REMOTE_ADDRESS])
        add_nettcp_address(t, tvb, hf_nettcp_remote_ip, hf_nettcp_remote_ipv6, row->remote_family,
                           row->remote_addr);
    if (row->has[NETTCP_REMOTE_PORT])
        proto_tree_add_uint(t, hf_nettcp_remote_port, tvb, 0, 0, row->remote_port);
    if (row->has[NETTCP_STATE])
        proto_tree_add_uint(t, hf_nettcp_state, tvb, 0, 0, row->state);
    if (row->has[NETTCP_OWNING_PROCESS])
        proto_tree_add_uint(t, hf_nettcp_pid, tvb, 0, 0, row->owning_process);
    if (row->has[NETTCP_CREATION_TIME]) {
        /* Floor division keeps times before 1970 right. */
        gint64 secs = row->creation_time_ns / 1000000000, nsecs = row->creation_time_ns % 1000000000;
        if (nsecs < 0) {
            secs -= 1;
            nsecs += 1000000000;
        }
        nstime_t when = {(time_t)secs, (int)nsecs};
        proto_tree_add_time(t, hf_nettcp_creation_time, tvb, 0, 0, &when);
    }
    if (row->has[NETTCP_APPLIED_SETTING])
        proto_tree_add_uint(t, hf_nettcp_applied_setting, tvb, 0, 0, row->applied_setting);
    if (row->has[NETTCP_OFFLOAD_STATE])
        proto_tree_add_uint(t, hf_nettcp_offload_state, tvb, 0, 0, row->offload_state);
    add_problems(ti, pinfo, &ei_nettcp_bad_value, &row->problems);
    return (int)len;
}

/* --- registration ------------------------------------------------------------------------------ */

#define TRACEE_UINT(id, name, abbrev, type, display) \
    {&hf_tracee[id], {name, "tracee_net." abbrev, type, display, NULL, 0, NULL, HFILL}}
#define TRACEE_STRING(id, name, abbrev, blurb) \
    {&hf_tracee[id], {name, "tracee_net." abbrev, FT_STRING, BASE_NONE, NULL, 0, blurb, HFILL}}
#define TRACEE_FLAG(id, name, abbrev) \
    {&hf_tracee[id], {name, "tracee_net.tcp.flags." abbrev, FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}}

/* Filled at registration from the decoder, which knows the enumeration. */
static value_string applied_setting_vals[16];

void proto_register_procshark_json(void)
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
        {&hf_tracee_arg, {"Argument", "tracee_net.arg", FT_STRING, BASE_NONE, NULL, 0,
                          "name=value of an argument without a field of its own", HFILL}},
        {&hf_tracee_json, {"JSON", "tracee_net.json", FT_STRING, BASE_NONE, NULL, 0, "The event as tracee wrote it",
                           HFILL}},
    };
    static hf_register_info hf_nettcp_fields[] = {
        {&hf_nettcp_local_ip, {"Local address", "nettcpconn.local.ip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_nettcp_local_ipv6, {"Local address", "nettcpconn.local.ipv6", FT_IPv6, BASE_NONE, NULL, 0, NULL,
                                 HFILL}},
        {&hf_nettcp_local_port, {"Local port", "nettcpconn.local.port", FT_UINT16, BASE_DEC, NULL, 0, NULL,
                                 HFILL}},
        {&hf_nettcp_remote_ip, {"Remote address", "nettcpconn.remote.ip", FT_IPv4, BASE_NONE, NULL, 0, NULL,
                                HFILL}},
        {&hf_nettcp_remote_ipv6, {"Remote address", "nettcpconn.remote.ipv6", FT_IPv6, BASE_NONE, NULL, 0, NULL,
                                  HFILL}},
        {&hf_nettcp_remote_port, {"Remote port", "nettcpconn.remote.port", FT_UINT16, BASE_DEC, NULL, 0, NULL,
                                  HFILL}},
        {&hf_nettcp_state, {"State", "nettcpconn.state", FT_UINT32, BASE_DEC, VALS(nettcp_state_vals), 0, NULL,
                            HFILL}},
        {&hf_nettcp_pid, {"Owning process", "nettcpconn.owning_process", FT_UINT32, BASE_DEC, NULL, 0,
                          "Process ID owning the connection", HFILL}},
        {&hf_nettcp_creation_time, {"Creation time", "nettcpconn.creation_time", FT_ABSOLUTE_TIME,
                                    ABSOLUTE_TIME_UTC, NULL, 0, NULL, HFILL}},
        {&hf_nettcp_applied_setting, {"Applied setting", "nettcpconn.applied_setting", FT_UINT32, BASE_DEC,
                                      VALS(applied_setting_vals), 0, "TCP setting template in effect", HFILL}},
        {&hf_nettcp_offload_state, {"Offload state", "nettcpconn.offload_state", FT_UINT32, BASE_DEC,
                                    VALS(nettcp_offload_vals), 0, NULL, HFILL}},
        {&hf_nettcp_json, {"JSON", "nettcpconn.json", FT_STRING, BASE_NONE, NULL, 0,
                           "The row as ConvertTo-Json wrote it", HFILL}},
    };
    static gint *ett[] = {&ett_tracee, &ett_nettcp};
    static ei_register_info ei_tracee[] = {
        {&ei_tracee_not_json, {"tracee_net.not_json", PI_MALFORMED, PI_ERROR, "Not a JSON object", EXPFILL}},
        {&ei_tracee_bad_value, {"tracee_net.bad_value", PI_MALFORMED, PI_WARN,
                                "A key holds a value of the wrong type or out of range", EXPFILL}},
        {&ei_tracee_bad_utf8, {"tracee_net.bad_utf8", PI_MALFORMED, PI_ERROR, "Payload is not UTF-8", EXPFILL}},
    };
    static ei_register_info ei_nettcp[] = {
        {&ei_nettcp_not_json, {"nettcpconn.not_json", PI_MALFORMED, PI_ERROR, "Not a JSON object", EXPFILL}},
        {&ei_nettcp_bad_value, {"nettcpconn.bad_value", PI_MALFORMED, PI_WARN,
                                "A key holds a value of the wrong type or out of range", EXPFILL}},
        {&ei_nettcp_bad_utf8, {"nettcpconn.bad_utf8", PI_MALFORMED, PI_ERROR, "Payload is not UTF-8", EXPFILL}},
    };

    size_t n = 0;
    for (guint32 v = 0; v < 256 && n + 1 < G_N_ELEMENTS(applied_setting_vals); v++) {
        const char *name = nettcp_applied_setting_name(v);
        if (name)
            applied_setting_vals[n++] = (value_string){v, name};
    }

    /* "tracee" belongs to aquasecurity's traceeshark plugin: a second registration would abort. */
    proto_tracee = proto_register_protocol("tracee event (procshark)", "tracee_net", "tracee_net");
    proto_nettcp = proto_register_protocol("Get-NetTCPConnection row", "NetTCPConn", "nettcpconn");
    proto_register_field_array(proto_tracee, hf_tracee_fields, array_length(hf_tracee_fields));
    proto_register_field_array(proto_nettcp, hf_nettcp_fields, array_length(hf_nettcp_fields));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_tracee), ei_tracee, array_length(ei_tracee));
    expert_register_field_array(expert_register_protocol(proto_nettcp), ei_nettcp, array_length(ei_nettcp));

    register_dissector("procshark.tracee", dissect_tracee, proto_tracee);
    register_dissector("procshark.nettcpconnection", dissect_nettcp, proto_nettcp);
}
