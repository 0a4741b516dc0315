/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ETW-Data (etwdata): ETW records (link type 290). Wireshark's own header tree first, then the
 * payload: network, Process, Image and PktMon events to their dissectors, other providers' payloads as bytes
 * (docs/FORMATS.md section 2). */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include <epan/exceptions.h>
#include <wiretap/wtap.h>

#include "etl_pktmon.h"
#include "etw_record.h"
#include "packet-etw.h"
#include "procshark_dissectors.h"

static int proto_etwdata;
static int hf_data_length, hf_data_bytes, hf_data_undecoded;
static gint ett_etwdata = -1;
static expert_field ei_short_header, ei_userdata_overflow, ei_trailer_overflow;

/* The expert info of each record problem code. */
static expert_field *const record_experts[] = {
    [ETW_REC_SHORT_HEADER] = &ei_short_header, [ETW_REC_USERDATA_OVERFLOW] = &ei_userdata_overflow,
    [ETW_REC_MESSAGE_OVERFLOW] = &ei_trailer_overflow, [ETW_REC_PROVIDER_NAME_OVERFLOW] = &ei_trailer_overflow,
};

static dissector_handle_t builtin_etw_handle;

void etwdata_add_undecoded(proto_tree *tree, tvbuff_t *tvb, int offset, int length)
{
    if (length > 0)
        proto_tree_add_item(tree, hf_data_undecoded, tvb, offset, length, ENC_NA);
}

static void dissect_other(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec)
{
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    proto_item *ti = proto_tree_add_item(tree, proto_etwdata, tvb, base, len, ENC_NA);
    proto_item_append_text(ti, " (%d bytes)", len);
    proto_tree *t = proto_item_add_subtree(ti, ett_etwdata);
    proto_item *gen = proto_tree_add_uint(t, hf_data_length, tvb, base, len, (guint32)len);
    proto_item_set_generated(gen);
    if (len > 0)
        proto_tree_add_item(t, hf_data_bytes, tvb, base, len, ENC_NA);
    /* Wireshark 4.0 names the provider only when the record carries a message. */
    procshark_set_protocol(pinfo, proto_etwdata);
    if (rec->provider_name.len)
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s event %u",
                     tvb_get_string_enc(pinfo->pool, tvb, (int)rec->provider_name.off,
                                        (int)rec->provider_name.len, ENC_UTF_16 | ENC_LITTLE_ENDIAN),
                     rec->id);
    col_append_fstr(pinfo->cinfo, COL_INFO, " (%d bytes of UserData)", len);
}

static void report_framing_problems(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec)
{
    for (size_t i = 0; i < ps_problems_count(&rec->problems); i++) {
        const ps_problem *p = ps_problems_at(&rec->problems, i);
        procshark_add_problem(tree, pinfo, record_experts[p->code], tvb, 0, p);
    }
}

static int dissect_etw_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const guint record_len = tvb_captured_length(tvb);
    const guint8 *buf = record_len ? tvb_get_ptr(tvb, 0, record_len) : NULL;
    etw_record rec;

    const bool parsed = etw_record_parse(buf, record_len, &rec);
    procshark_free_with_packet(pinfo, &rec.problems);
    if (!parsed) {
        procshark_set_protocol(pinfo, proto_etwdata);
        col_add_fstr(pinfo->cinfo, COL_INFO, "Malformed ETW record: %u bytes, the header needs %d",
                     record_len, ETW_HEADER_SIZE);
        proto_item *ti = proto_tree_add_item(tree, proto_etwdata, tvb, 0, -1, ENC_NA);
        proto_tree *t = proto_item_add_subtree(ti, ett_etwdata);
        report_framing_problems(tvb, pinfo, t, &rec);
        etwdata_add_undecoded(t, tvb, 0, (int)record_len);
        return (int)record_len;
    }

    if (builtin_etw_handle) {
        /* The header tree stays Wireshark's; a bad length makes it throw, and that problem is
         * reported below by name, so the exception stops here. */
        TRY {
            call_dissector_only(builtin_etw_handle, tvb, pinfo, tree, data);
        }
        CATCH_BOUNDS_ERRORS {
            if (!ps_problems_count(&rec.problems))
                RETHROW;
        }
        ENDTRY;
    }
    report_framing_problems(tvb, pinfo, tree, &rec);

    etw_provider provider = etw_provider_from_guid(rec.provider_id);
    switch (provider) {
    case ETW_PROVIDER_TCPIP:
    case ETW_PROVIDER_UDPIP:
    case ETW_PROVIDER_KERNEL_NETWORK:
        dissect_etwnet(tvb, pinfo, tree, &rec, buf, provider);
        break;
    case ETW_PROVIDER_PROCESS:
        dissect_etwproc(tvb, pinfo, tree, &rec, buf);
        break;
    case ETW_PROVIDER_IMAGE:
        dissect_etwimage(tvb, pinfo, tree, &rec, buf);
        break;
    case ETW_PROVIDER_OTHER:
        if (memcmp(rec.provider_id, pktmon_provider_guid, 16) == 0)
            dissect_etwpktmon(tvb, pinfo, tree, &rec, buf);
        else
            dissect_other(tvb, pinfo, tree, &rec);
        break;
    }
    return (int)record_len;
}

void proto_register_etwdata(void)
{
    static hf_register_info hf_etwdata[] = {
        {&hf_data_length, {"UserData length", "etwdata.length", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_data_bytes, {"UserData", "etwdata.data", FT_BYTES, BASE_NONE, NULL, 0,
                          "Payload of a provider procshark does not decode", HFILL}},
        {&hf_data_undecoded, {"Undecoded bytes", "etwdata.undecoded", FT_BYTES, BASE_NONE, NULL, 0, NULL,
                              HFILL}},
    };
    static gint *ett[] = {&ett_etwdata};
    static ei_register_info ei_etwdata[] = {
        {&ei_short_header, {"etwdata.short_header", PI_MALFORMED, PI_ERROR,
                            "Record too short for the ETW header", EXPFILL}},
        {&ei_userdata_overflow, {"etwdata.userdata_overflow", PI_MALFORMED, PI_ERROR,
                                 "UserDataLength points past the record", EXPFILL}},
        {&ei_trailer_overflow, {"etwdata.trailer_overflow", PI_MALFORMED, PI_ERROR,
                                "Message or provider name length points past the record", EXPFILL}},
    };

    proto_etwdata = proto_register_protocol("ETW event payload", "ETWDATA", "etwdata");
    proto_register_field_array(proto_etwdata, hf_etwdata, array_length(hf_etwdata));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etwdata), ei_etwdata, array_length(ei_etwdata));
}

void proto_reg_handoff_etwdata(void)
{
    /* Plugin handoffs run after the built-in ones: keep Wireshark's handle, then take the link type. */
    builtin_etw_handle = dissector_get_uint_handle(find_dissector_table("wtap_encap"), WTAP_ENCAP_ETW);
    dissector_handle_t handle = create_dissector_handle(dissect_etw_record, proto_etwdata);
    dissector_add_uint("wtap_encap", WTAP_ENCAP_ETW, handle);
}
