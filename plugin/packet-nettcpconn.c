/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nettcpconn: Get-NetTCPConnection and Get-NetUDPEndpoint rows (docs/FORMATS.md section 5) carried as
 * exported PDUs for the dissector procshark.nettcpconnection, decoded by src/decode/nettcp_row.c. */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/wmem_scopes.h>
#include <wsutil/nstime.h>

#include "nettcp_row.h"
#include "procshark_dissectors.h"
#include "source.h"
#include "ws_compat.h"

static int proto_nettcp;
static int hf_nettcp_local_ip, hf_nettcp_local_ipv6, hf_nettcp_local_port;
static int hf_nettcp_remote_ip, hf_nettcp_remote_ipv6, hf_nettcp_remote_port;
static int hf_nettcp_transport, hf_nettcp_state, hf_nettcp_pid, hf_nettcp_creation_time, hf_nettcp_applied_setting,
    hf_nettcp_offload_state, hf_nettcp_json;
static gint ett_nettcp = -1;
static expert_field ei_nettcp_not_json, ei_nettcp_bad_value, ei_nettcp_bad_utf8;

static const value_string nettcp_state_vals[] = {
    {1, "Closed"},     {2, "Listen"},   {3, "SynSent"},  {4, "SynReceived"}, {5, "Established"},
    {6, "FinWait1"},   {7, "FinWait2"}, {8, "CloseWait"}, {9, "Closing"},     {10, "LastAck"},
    {11, "TimeWait"},  {12, "DeleteTCB"}, {100, "Bound"}, {0, NULL}};
static const value_string nettcp_transport_vals[] = {
    {NETTCP_TRANSPORT_TCP, "TCP"}, {NETTCP_TRANSPORT_UDP, "UDP"}, {0, NULL}};
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

static int dissect_nettcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    procshark_set_protocol(pinfo, proto_nettcp);
    proto_item *ti = proto_tree_add_item(tree, proto_nettcp, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_nettcp);
    procshark_record_source(t, tvb, PS_SOURCE_NETTCP);

    guint len;
    const char *text = procshark_payload_text(tvb, pinfo, t, hf_nettcp_json, ti, &ei_nettcp_bad_utf8, &len);
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
    ps_claim claim;
    bool has_socket = ps_nettcp_claim(row, &claim);
    procshark_record(t, tvb, pinfo, &claim, has_socket);
    if (procshark_summary_wanted(pinfo, tree)) {
        char described[256];
        nettcp_row_describe(row, described, sizeof described);
        procshark_show_summary(pinfo, ti, described);
    }
    proto_item *transport = proto_tree_add_uint(t, hf_nettcp_transport, tvb, 0, 0, row->transport);
    proto_item_set_generated(transport);
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
    procshark_add_problems(ti, pinfo, &ei_nettcp_bad_value, &row->problems);
    return (int)len;
}

/* Filled at registration from the decoder, which knows the enumeration. */
static value_string applied_setting_vals[16];

void proto_register_nettcpconn(void)
{
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
        {&hf_nettcp_transport, {"Transport", "nettcpconn.transport", FT_UINT8, BASE_DEC, VALS(nettcp_transport_vals),
                                0, "The row's kind as an IP protocol: 6 a Get-NetTCPConnection row, 17 a "
                                "Get-NetUDPEndpoint row", HFILL}},
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
    static gint *ett[] = {&ett_nettcp};
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

    proto_nettcp = proto_register_protocol("Get-NetTCPConnection or Get-NetUDPEndpoint row", "NETTCPCONN",
                                           "nettcpconn");
    proto_register_field_array(proto_nettcp, hf_nettcp_fields, array_length(hf_nettcp_fields));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_nettcp), ei_nettcp, array_length(ei_nettcp));
    register_dissector(ps_sources[PS_SOURCE_NETTCP]->pdu_dissector, dissect_nettcp, proto_nettcp);
}
