/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ETW-Net (etwnet): the payloads of kernel TcpIp and UdpIp events and of
 * Microsoft-Windows-Kernel-Network events, decoded by src/decode/etw_net.c (docs/FORMATS.md section 3,
 * "Network events"). */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/unit_strings.h>

#include "etw_net.h"
#include "packet-etw.h"
#include "procshark_dissectors.h"
#include "source.h"

static int proto_etwnet;
static int hf_net_provider, hf_net_event, hf_net_type, hf_net_transport;
static int hf_net_daddr6, hf_net_saddr6;
static int hf_net[ETW_NET_FIELD_COUNT];
static gint ett_etwnet = -1;
static expert_field ei_net_truncated, ei_net_bad_length, ei_net_unknown_event, ei_net_pre_vista,
    ei_net_unknown_version;

/* The expert info of each payload problem code. */
static expert_field *const net_experts[] = {
    [ETW_NET_TRUNCATED] = &ei_net_truncated, [ETW_NET_BAD_LENGTH] = &ei_net_bad_length,
    [ETW_NET_UNKNOWN_EVENT] = &ei_net_unknown_event, [ETW_NET_PRE_VISTA] = &ei_net_pre_vista,
    [ETW_NET_UNKNOWN_VERSION] = &ei_net_unknown_version,
};

static const value_string fail_proto_vals[] = {{2, "IPv4"}, {23, "IPv6"}, {0, NULL}};
static const value_string fail_code_vals[] = {
    {1, "Insufficient resources"}, {2, "Too many addresses"}, {3, "Address exists"},
    {4, "Invalid address"},        {5, "Other"},              {6, "Time-wait address exists"},
    {0, NULL}};

void dissect_etwnet(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf,
                    etw_provider provider)
{
    etw_net_event ev;
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    etw_net_decode(provider, rec->id, rec->opcode, rec->version, buf + base, (size_t)len,
                   rec->user_data_length, &ev);
    procshark_free_with_packet(pinfo, &ev.problems);
    const ps_problem *problem = ps_problems_first(&ev.problems);

    procshark_set_protocol(pinfo, proto_etwnet);
    proto_item *ti = proto_tree_add_item(tree, proto_etwnet, tvb, base, len, ENC_NA);
    if (procshark_summary_wanted(pinfo, tree)) {
        char info[200];
        etw_net_describe(&ev, info, sizeof info);
        procshark_show_summary(pinfo, ti, info);
    }
    proto_tree *t = proto_item_add_subtree(ti, ett_etwnet);
    procshark_record_source(t, tvb, PS_SOURCE_ETW);
    ps_claim claim;
    bool has_socket = ps_etw_net_claim(&ev, &claim);
    procshark_record(t, tvb, pinfo, &claim, has_socket);

    proto_item *gen = proto_tree_add_string(t, hf_net_provider, tvb, 24, 16, etw_provider_name(provider));
    proto_item_set_generated(gen);
    /* Kernel-Network dispatches on the descriptor Id, the classic classes on the Opcode. */
    const bool by_id = provider == ETW_PROVIDER_KERNEL_NETWORK;
    gen = proto_tree_add_uint(t, hf_net_type, tvb, by_id ? 40 : 45, by_id ? 2 : 1, ev.type);
    proto_item_set_generated(gen);
    if (ev.event_name) {
        gen = proto_tree_add_string(t, hf_net_event, tvb, by_id ? 40 : 45, by_id ? 2 : 1, ev.event_name);
        proto_item_set_generated(gen);
        gen = proto_tree_add_string(t, hf_net_transport, tvb, by_id ? 40 : 45, by_id ? 2 : 1, ev.transport);
        proto_item_set_generated(gen);
    }

    switch (problem ? problem->code : ETW_NET_OK) {
    case ETW_NET_UNKNOWN_EVENT:
    case ETW_NET_PRE_VISTA:
    case ETW_NET_UNKNOWN_VERSION:
        procshark_add_problem(t, pinfo, net_experts[problem->code], tvb, base, problem);
        etwdata_add_undecoded(t, tvb, base, len);
        return;
    default:
        break;
    }

    size_t decoded_end = 0;
    for (int f = 0; f < ETW_NET_FIELD_COUNT; f++) {
        const ps_span *s = &ev.span[f];
        if (!s->len)
            continue;
        int hf = hf_net[f];
        guint encoding = ENC_LITTLE_ENDIAN;
        if (f == ETW_NET_DADDR || f == ETW_NET_SADDR) {
            if (ev.ip_version == 6)
                hf = f == ETW_NET_DADDR ? hf_net_daddr6 : hf_net_saddr6;
            encoding = ev.ip_version == 6 ? ENC_NA : ENC_BIG_ENDIAN;
        } else if (f == ETW_NET_DPORT || f == ETW_NET_SPORT) {
            encoding = ENC_BIG_ENDIAN;
        }
        proto_tree_add_item(t, hf, tvb, base + (int)s->off, (int)s->len, encoding);
        if (s->off + s->len > decoded_end)
            decoded_end = s->off + s->len;
    }

    if (problem) {
        /* A record cut inside a well-sized payload is reported once, as a framing problem. */
        if (problem->code == ETW_NET_BAD_LENGTH || rec->user_data_length < ev.expected_len[0])
            procshark_add_problem(t, pinfo, net_experts[problem->code], tvb, base, problem);
        etwdata_add_undecoded(t, tvb, base + (int)decoded_end, len - (int)decoded_end);
    }
}

static const unit_name_string units_ticks_100ms = {" tick (100 ms)", " ticks (100 ms)"};

#define NET_FIELD(id, name, abbrev, type, display, strings, blurb) \
    {&hf_net[id], {name, abbrev, type, display, strings, 0, blurb, HFILL}}

void proto_register_etwnet(void)
{
    static hf_register_info hf_etwnet[] = {
        {&hf_net_provider, {"Provider", "etwnet.provider", FT_STRING, BASE_NONE, NULL, 0,
                            "TcpIp, UdpIp or Microsoft-Windows-Kernel-Network", HFILL}},
        {&hf_net_event, {"Event", "etwnet.event", FT_STRING, BASE_NONE, NULL, 0,
                         "Event type name, e.g. SendIPV4", HFILL}},
        {&hf_net_type, {"Event type", "etwnet.type", FT_UINT16, BASE_DEC, NULL, 0,
                        "Opcode (TcpIp, UdpIp) or event Id (Kernel-Network)", HFILL}},
        {&hf_net_transport, {"Transport", "etwnet.transport", FT_STRING, BASE_NONE, NULL, 0,
                             "TCP or UDP", HFILL}},
        NET_FIELD(ETW_NET_PID, "Process ID", "etwnet.pid", FT_UINT32, BASE_DEC, NULL,
                  "Process owning the socket (from the payload, not the event header)"),
        NET_FIELD(ETW_NET_SIZE, "Size", "etwnet.size", FT_UINT32, BASE_DEC, NULL, "Bytes sent or received"),
        NET_FIELD(ETW_NET_DADDR, "Remote address", "etwnet.daddr", FT_IPv4, BASE_NONE, NULL,
                  "Remote IPv4 address (TCP); destination for UDP"),
        NET_FIELD(ETW_NET_SADDR, "Local address", "etwnet.saddr", FT_IPv4, BASE_NONE, NULL,
                  "Local IPv4 address (TCP); source for UDP"),
        {&hf_net_daddr6, {"Remote address", "etwnet.daddr6", FT_IPv6, BASE_NONE, NULL, 0,
                          "Remote IPv6 address (TCP); destination for UDP", HFILL}},
        {&hf_net_saddr6, {"Local address", "etwnet.saddr6", FT_IPv6, BASE_NONE, NULL, 0,
                          "Local IPv6 address (TCP); source for UDP", HFILL}},
        NET_FIELD(ETW_NET_DPORT, "Remote port", "etwnet.dport", FT_UINT16, BASE_DEC, NULL,
                  "Remote port (TCP); destination port for UDP"),
        NET_FIELD(ETW_NET_SPORT, "Local port", "etwnet.sport", FT_UINT16, BASE_DEC, NULL,
                  "Local port (TCP); source port for UDP"),
        NET_FIELD(ETW_NET_STARTIME, "Start time", "etwnet.startime", FT_UINT32, BASE_DEC | BASE_UNIT_STRING,
                  &units_ticks_100ms, "Undocumented; 100 ms ticks since boot in real traces"),
        NET_FIELD(ETW_NET_ENDTIME, "End time", "etwnet.endtime", FT_UINT32, BASE_DEC | BASE_UNIT_STRING,
                  &units_ticks_100ms, "Undocumented; 100 ms ticks since boot in real traces"),
        NET_FIELD(ETW_NET_SEQNUM, "Sequence number", "etwnet.seqnum", FT_UINT32, BASE_DEC, NULL,
                  "Zero in practice since Vista"),
        NET_FIELD(ETW_NET_CONNID, "Connection ID", "etwnet.connid", FT_UINT64, BASE_HEX, NULL,
                  "Pointer-sized; zero in practice since Vista"),
        NET_FIELD(ETW_NET_MSS, "MSS", "etwnet.mss", FT_UINT16, BASE_DEC, NULL, "Maximum segment size"),
        NET_FIELD(ETW_NET_SACKOPT, "SACK option", "etwnet.sackopt", FT_UINT16, BASE_DEC, NULL, NULL),
        NET_FIELD(ETW_NET_TSOPT, "Timestamp option", "etwnet.tsopt", FT_UINT16, BASE_DEC, NULL, NULL),
        NET_FIELD(ETW_NET_WSOPT, "Window scale option", "etwnet.wsopt", FT_UINT16, BASE_DEC, NULL, NULL),
        NET_FIELD(ETW_NET_RCVWIN, "Receive window", "etwnet.rcvwin", FT_UINT32, BASE_DEC, NULL, NULL),
        NET_FIELD(ETW_NET_RCVWINSCALE, "Receive window scale", "etwnet.rcvwinscale", FT_INT16, BASE_DEC,
                  NULL, NULL),
        NET_FIELD(ETW_NET_SNDWINSCALE, "Send window scale", "etwnet.sndwinscale", FT_INT16, BASE_DEC,
                  NULL, NULL),
        NET_FIELD(ETW_NET_FAIL_PROTO, "Failed protocol", "etwnet.fail.proto", FT_UINT16, BASE_DEC,
                  VALS(fail_proto_vals), "Address family of the failed operation"),
        NET_FIELD(ETW_NET_FAIL_CODE, "Failure code", "etwnet.fail.code", FT_UINT16, BASE_DEC,
                  VALS(fail_code_vals), NULL),
    };
    static gint *ett[] = {&ett_etwnet};
    static ei_register_info ei_etwnet[] = {
        {&ei_net_truncated, {"etwnet.truncated", PI_MALFORMED, PI_ERROR, "Payload shorter than its layout",
                             EXPFILL}},
        {&ei_net_bad_length, {"etwnet.bad_length", PI_MALFORMED, PI_ERROR,
                              "Payload length fits no layout", EXPFILL}},
        {&ei_net_unknown_event, {"etwnet.unknown_event", PI_UNDECODED, PI_WARN, "Unknown event type", EXPFILL}},
        {&ei_net_pre_vista, {"etwnet.pre_vista", PI_UNDECODED, PI_NOTE, "Pre-Vista layout, not decoded",
                             EXPFILL}},
        {&ei_net_unknown_version, {"etwnet.unknown_version", PI_UNDECODED, PI_WARN, "Unknown event version",
                                   EXPFILL}},
    };

    proto_etwnet = proto_register_protocol("ETW TCP/IP and UDP/IP events", "ETWNET", "etwnet");
    proto_register_field_array(proto_etwnet, hf_etwnet, array_length(hf_etwnet));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etwnet), ei_etwnet, array_length(ei_etwnet));
}
