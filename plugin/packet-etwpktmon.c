/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ETW-PktMon (etwpktmon): the Microsoft-Windows-PktMon events that stay ETW records (its packets
 * become frames): components, their properties and counters, decoded by src/etl/etl_pktmon.c
 * (docs/FORMATS.md section 6, "pktmon packets"). */
#include <wireshark.h>

#include <epan/etypes.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "etl_pktmon.h"
#include "packet-etw.h"
#include "procshark_dissectors.h"

static int proto_etwpktmon;
static int hf_event;
static int hf[PKTMON_F_COUNT];
static gint ett_etwpktmon = -1;
static expert_field ei_truncated;

static const value_string dir_vals[] = {{0, "None"}, {1, "In"},      {2, "Out"},    {3, "Rx"},
                                        {4, "Tx"},   {5, "Ingress"}, {6, "Egress"}, {0, NULL}};
static const value_string packet_type_vals[] = {{0, "Unknown"}, {1, "Ethernet"}, {2, "Wi-Fi"}, {3, "IP"},
                                                {4, "HTTP"},    {5, "TCP"},      {6, "UDP"},   {7, "ARP"},
                                                {8, "ICMP"},    {9, "ESP"},      {10, "AH"},   {11, "L4 payload"},
                                                {0, NULL}};

static void component_type_name(gchar *buf, guint32 value)
{
    const char *name = pktmon_component_type_name((uint16_t)value);
    g_snprintf(buf, ITEM_LABEL_LENGTH, "%s (%u)", name ? name : "Unknown", value);
}

static void property_name(gchar *buf, guint32 value)
{
    const char *name = pktmon_property_name((uint16_t)value);
    g_snprintf(buf, ITEM_LABEL_LENGTH, "%s (%u)", name ? name : "Unknown", value);
}

static void drop_reason_name(gchar *buf, guint32 value)
{
    const char *name = pktmon_drop_reason_name(value);
    g_snprintf(buf, ITEM_LABEL_LENGTH, "%s (%u)", name ? name : "Unknown", value);
}

static guint encoding_of(pktmon_field f)
{
    switch (f) {
    case PKTMON_F_NAME:
    case PKTMON_F_DESCRIPTION:
    case PKTMON_F_STRING:
    case PKTMON_F_EDGE_NAME: return ENC_UTF_16 | ENC_LITTLE_ENDIAN;
    case PKTMON_F_IPV4:
    case PKTMON_F_IPV6:
    case PKTMON_F_BINARY:
    case PKTMON_F_PAYLOAD: return ENC_NA;
    default: return ENC_LITTLE_ENDIAN;
    }
}

void dissect_etwpktmon(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf)
{
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    pktmon_record pr;
    pktmon_record_decode(rec->id, buf + base, (size_t)len, &pr);
    procshark_free_with_packet(pinfo, &pr.problems);
    procshark_set_protocol(pinfo, proto_etwpktmon);
    proto_item *ti = proto_tree_add_item(tree, proto_etwpktmon, tvb, base, len, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_etwpktmon);
    if (!pr.event) {
        col_add_fstr(pinfo->cinfo, COL_INFO, "PktMon event %u", rec->id);
        etwdata_add_undecoded(t, tvb, base, len);
        return;
    }
    proto_item *gen = proto_tree_add_string(t, hf_event, tvb, 40, 2, pr.event);
    proto_item_set_generated(gen);
    col_add_fstr(pinfo->cinfo, COL_INFO, "PktMon %s", pr.event);
    size_t end = 0;
    for (unsigned i = 0; i < pr.n_items; i++) {
        const pktmon_item *it = &pr.items[i];
        const int off = base + (int)it->off;
        proto_tree_add_item(t, hf[it->field], tvb, off, (int)it->len, encoding_of(it->field));
        /* The Info column: the component, and what names it or its edge. */
        if (it->field == PKTMON_F_COMPONENT)
            col_append_fstr(pinfo->cinfo, COL_INFO, ", component %u", tvb_get_letohs(tvb, off));
        else if (it->field == PKTMON_F_NAME || it->field == PKTMON_F_EDGE_NAME)
            col_append_fstr(pinfo->cinfo, COL_INFO, " %s",
                            procshark_shown(pinfo, (const char *)tvb_get_string_enc(pinfo->pool, tvb, off, (int)it->len,
                                                                                   ENC_UTF_16 | ENC_LITTLE_ENDIAN)));
        else if (it->field == PKTMON_F_PROPERTY) {
            const char *name = pktmon_property_name(tvb_get_letohs(tvb, off));
            if (name)
                col_append_fstr(pinfo->cinfo, COL_INFO, " %s", name);
        }
        end = it->off + it->len;
    }
    const ps_problem *problem = ps_problems_first(&pr.problems);
    if (problem)
        procshark_add_problem(t, pinfo, &ei_truncated, tvb, base, problem);
    etwdata_add_undecoded(t, tvb, base + (int)end, len - (int)end);
}

#define F(id, name, abbrev, type, display, strings) {&hf[id], {name, abbrev, type, display, strings, 0, NULL, HFILL}}

void proto_register_etwpktmon(void)
{
    static hf_register_info fields[] = {
        {&hf_event, {"Event", "etwpktmon.event", FT_STRING, BASE_NONE, NULL, 0,
                     "Component, Property, Drop counters, Flow counters, Packet or Drop", HFILL}},
        F(PKTMON_F_COMPONENT, "Component", "etwpktmon.component", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_COMPONENT_TYPE, "Component type", "etwpktmon.component_type", FT_UINT16, BASE_CUSTOM,
          CF_FUNC(component_type_name)),
        F(PKTMON_F_NAME, "Name", "etwpktmon.name", FT_STRINGZ, BASE_NONE, NULL),
        F(PKTMON_F_DESCRIPTION, "Description", "etwpktmon.description", FT_STRINGZ, BASE_NONE, NULL),
        F(PKTMON_F_PROPERTY, "Property", "etwpktmon.property", FT_UINT16, BASE_CUSTOM, CF_FUNC(property_name)),
        F(PKTMON_F_VALUE, "Value", "etwpktmon.value", FT_UINT32, BASE_DEC, NULL),
        F(PKTMON_F_GUID, "GUID", "etwpktmon.guid", FT_GUID, BASE_NONE, NULL),
        F(PKTMON_F_IPV4, "IPv4 address", "etwpktmon.ipv4", FT_IPv4, BASE_NONE, NULL),
        F(PKTMON_F_IPV6, "IPv6 address", "etwpktmon.ipv6", FT_IPv6, BASE_NONE, NULL),
        F(PKTMON_F_VALUE_SIZE, "Value size", "etwpktmon.value_size", FT_UINT32, BASE_DEC, NULL),
        F(PKTMON_F_BINARY, "Value bytes", "etwpktmon.bytes", FT_BYTES, SEP_COLON, NULL),
        F(PKTMON_F_STRING, "Text", "etwpktmon.string", FT_STRINGZ, BASE_NONE, NULL),
        F(PKTMON_F_ETHERTYPE, "EtherType", "etwpktmon.ethertype", FT_UINT16, BASE_HEX, VALS(etype_vals)),
        F(PKTMON_F_EDGE_NAME, "Edge name", "etwpktmon.edge_name", FT_STRINGZ, BASE_NONE, NULL),
        F(PKTMON_F_EDGE, "Edge", "etwpktmon.edge", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_DIR_IN, "Direction in", "etwpktmon.dir_in", FT_UINT16, BASE_DEC, VALS(dir_vals)),
        F(PKTMON_F_PACKETS_IN, "Packets in", "etwpktmon.packets_in", FT_UINT64, BASE_DEC, NULL),
        F(PKTMON_F_BYTES_IN, "Bytes in", "etwpktmon.bytes_in", FT_UINT64, BASE_DEC, NULL),
        F(PKTMON_F_DIR_OUT, "Direction out", "etwpktmon.dir_out", FT_UINT16, BASE_DEC, VALS(dir_vals)),
        F(PKTMON_F_PACKETS_OUT, "Packets out", "etwpktmon.packets_out", FT_UINT64, BASE_DEC, NULL),
        F(PKTMON_F_BYTES_OUT, "Bytes out", "etwpktmon.bytes_out", FT_UINT64, BASE_DEC, NULL),
        F(PKTMON_F_GROUP, "Packet group", "etwpktmon.group", FT_UINT64, BASE_HEX, NULL),
        F(PKTMON_F_NUMBER, "Packet number", "etwpktmon.number", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_APPEARANCE, "Appearance", "etwpktmon.appearance", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_DIR, "Direction", "etwpktmon.dir", FT_UINT16, BASE_DEC, VALS(dir_vals)),
        F(PKTMON_F_PACKET_TYPE, "Packet type", "etwpktmon.packet_type", FT_UINT16, BASE_DEC,
          VALS(packet_type_vals)),
        F(PKTMON_F_FILTER, "Filter", "etwpktmon.filter", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_DROP_REASON, "Drop reason", "etwpktmon.drop_reason", FT_UINT32, BASE_CUSTOM,
          CF_FUNC(drop_reason_name)),
        F(PKTMON_F_DROP_LOCATION, "Drop location", "etwpktmon.drop_location", FT_UINT32, BASE_HEX, NULL),
        F(PKTMON_F_ORIGINAL_SIZE, "Original size", "etwpktmon.original_size", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_LOGGED_SIZE, "Logged size", "etwpktmon.logged_size", FT_UINT16, BASE_DEC, NULL),
        F(PKTMON_F_PAYLOAD, "Payload", "etwpktmon.payload", FT_BYTES, BASE_NONE, NULL),
    };
    static gint *ett[] = {&ett_etwpktmon};
    static ei_register_info experts[] = {
        {&ei_truncated, {"etwpktmon.truncated", PI_MALFORMED, PI_ERROR, "Payload ends inside a field", EXPFILL}},
    };
    proto_etwpktmon = proto_register_protocol("ETW PktMon events", "ETWPKTMON", "etwpktmon");
    proto_register_field_array(proto_etwpktmon, fields, array_length(fields));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etwpktmon), experts, array_length(experts));
}
