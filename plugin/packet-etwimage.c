/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ETW-Image (etwimage): the payloads of kernel Image events (Load, Unload, DCStart, DCEnd,
 * KernelBase, HypercallPage), decoded by src/decode/etw_image.c (docs/FORMATS.md section 3,
 * "Image events"). */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "etw_image.h"
#include "packet-etw.h"
#include "procshark_dissectors.h"
#include "source.h"

static int proto_etwimage;
static int hf_image_event;
static int hf_image[ETW_IMAGE_FIELD_COUNT];
static gint ett_etwimage = -1;
static expert_field ei_image_truncated, ei_image_trailing, ei_image_unknown_event, ei_image_unknown_version;

/* The expert info of each payload problem code. */
static expert_field *const image_experts[] = {
    [ETW_IMAGE_TRUNCATED] = &ei_image_truncated, [ETW_IMAGE_TRAILING] = &ei_image_trailing,
    [ETW_IMAGE_UNKNOWN_EVENT] = &ei_image_unknown_event, [ETW_IMAGE_UNKNOWN_VERSION] = &ei_image_unknown_version,
};

void dissect_etwimage(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf)
{
    etw_image_event ev;
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    unsigned pointer_size = (rec->flags & ETW_FLAG_32_BIT_HEADER) ? 4 : 8;
    etw_image_decode(rec->opcode, rec->version, pointer_size, buf + base, (size_t)len, &ev);
    procshark_free_with_packet(pinfo, &ev.problems);
    const ps_problem *problem = ps_problems_first(&ev.problems);

    const ps_span *name_span = &ev.span[ETW_IMAGE_FILE_NAME];
    const char *file_name = name_span->len ? (const char *)tvb_get_string_enc(pinfo->pool, tvb,
                                                              base + (int)name_span->off, (int)name_span->len,
                                                              ENC_UTF_16 | ENC_LITTLE_ENDIAN)
                                           : NULL;
    procshark_set_protocol(pinfo, proto_etwimage);
    proto_item *ti = proto_tree_add_item(tree, proto_etwimage, tvb, base, len, ENC_NA);
    if (procshark_summary_wanted(pinfo, tree)) {
        char described[256];
        etw_image_describe(&ev, file_name, described, sizeof described);
        procshark_show_summary(pinfo, ti, described);
    }
    proto_tree *t = proto_item_add_subtree(ti, ett_etwimage);
    procshark_record_source(t, tvb, PS_SOURCE_ETW);
    /* The process the image is mapped into; the file is no process name. */
    procshark_process(t, tvb, pinfo, ev.span[ETW_IMAGE_PID].len != 0, ev.pid, NULL, NULL);

    /* Those two are about the record header's Opcode and Version, outside the payload. */
    if (!ev.event_name) {
        proto_tree_add_expert_format(t, pinfo, &ei_image_unknown_event, tvb, 45, 1, "%s", problem->message);
        etwdata_add_undecoded(t, tvb, base, len);
        return;
    }
    proto_item *gen = proto_tree_add_string(t, hf_image_event, tvb, 45, 1, ev.event_name);
    proto_item_set_generated(gen);
    if (problem && problem->code == ETW_IMAGE_UNKNOWN_VERSION) {
        proto_tree_add_expert_format(t, pinfo, &ei_image_unknown_version, tvb, 42, 1, "%s", problem->message);
        etwdata_add_undecoded(t, tvb, base, len);
        return;
    }

    size_t decoded_end = 0;
    for (int f = 0; f < ETW_IMAGE_FIELD_COUNT; f++) {
        const ps_span *s = &ev.span[f];
        if (!s->len)
            continue;
        const int off = base + (int)s->off;
        if (f == ETW_IMAGE_FILE_NAME)
            proto_tree_add_item(t, hf_image[f], tvb, off, (int)s->len, ENC_UTF_16 | ENC_LITTLE_ENDIAN);
        else
            proto_tree_add_item(t, hf_image[f], tvb, off, (int)s->len, ENC_LITTLE_ENDIAN);
        if (s->off + s->len > decoded_end)
            decoded_end = s->off + s->len;
    }

    if (problem)
        procshark_add_problem(t, pinfo, image_experts[problem->code], tvb, base, problem);
    etwdata_add_undecoded(t, tvb, base + (int)decoded_end, len - (int)decoded_end);
}

#define IMAGE_FIELD(id, name, abbrev, type, display, blurb) \
    {&hf_image[id], {name, abbrev, type, display, NULL, 0, blurb, HFILL}}

void proto_register_etwimage(void)
{
    static hf_register_info hf_etwimage[] = {
        {&hf_image_event, {"Event", "etwimage.event", FT_STRING, BASE_NONE, NULL, 0,
                           "Load, Unload, DCStart, DCEnd, KernelBase or HypercallPage", HFILL}},
        IMAGE_FIELD(ETW_IMAGE_BASE, "Image base", "etwimage.base", FT_UINT64, BASE_HEX,
                    "Where the image is mapped (KernelBase: the kernel's)"),
        IMAGE_FIELD(ETW_IMAGE_SIZE, "Image size", "etwimage.size", FT_UINT64, BASE_DEC, "Bytes mapped"),
        IMAGE_FIELD(ETW_IMAGE_PID, "Process ID", "etwimage.pid", FT_UINT32, BASE_DEC,
                    "The process the image is mapped into (0: the kernel's space)"),
        IMAGE_FIELD(ETW_IMAGE_CHECKSUM, "Image checksum", "etwimage.checksum", FT_UINT32, BASE_HEX,
                    "The PE header's CheckSum"),
        IMAGE_FIELD(ETW_IMAGE_TIMESTAMP, "Time date stamp", "etwimage.timestamp", FT_UINT32, BASE_DEC,
                    "The PE header's TimeDateStamp (seconds since 1970; 0 when not given)"),
        IMAGE_FIELD(ETW_IMAGE_SIGNATURE_LEVEL, "Signature level", "etwimage.signature_level", FT_UINT8, BASE_DEC,
                    "Version 3"),
        IMAGE_FIELD(ETW_IMAGE_SIGNATURE_TYPE, "Signature type", "etwimage.signature_type", FT_UINT8, BASE_DEC,
                    "Version 3"),
        IMAGE_FIELD(ETW_IMAGE_RESERVED0, "Reserved0", "etwimage.reserved0", FT_UINT32, BASE_HEX,
                    "4 bytes in version 2, 2 in version 3"),
        IMAGE_FIELD(ETW_IMAGE_DEFAULT_BASE, "Default base", "etwimage.default_base", FT_UINT64, BASE_HEX,
                    "The PE header's ImageBase"),
        IMAGE_FIELD(ETW_IMAGE_RESERVED1, "Reserved1", "etwimage.reserved1", FT_UINT32, BASE_HEX, NULL),
        IMAGE_FIELD(ETW_IMAGE_RESERVED2, "Reserved2", "etwimage.reserved2", FT_UINT32, BASE_HEX, NULL),
        IMAGE_FIELD(ETW_IMAGE_RESERVED3, "Reserved3", "etwimage.reserved3", FT_UINT32, BASE_HEX, NULL),
        IMAGE_FIELD(ETW_IMAGE_RESERVED4, "Reserved4", "etwimage.reserved4", FT_UINT32, BASE_HEX, NULL),
        IMAGE_FIELD(ETW_IMAGE_FILE_NAME, "File name", "etwimage.file_name", FT_STRINGZ, BASE_NONE,
                    "As the kernel names it (\\Device\\HarddiskVolumeN\\..., \\SystemRoot\\...)"),
        IMAGE_FIELD(ETW_IMAGE_HYPERCALL_PAGE, "Hypercall page", "etwimage.hypercall_page", FT_UINT64, BASE_HEX,
                    "HypercallPage: the hypervisor's hypercall page"),
    };
    static gint *ett[] = {&ett_etwimage};
    static ei_register_info ei_etwimage[] = {
        {&ei_image_truncated, {"etwimage.truncated", PI_MALFORMED, PI_ERROR, "Payload ends inside a field",
                               EXPFILL}},
        {&ei_image_trailing, {"etwimage.trailing", PI_PROTOCOL, PI_WARN, "Bytes after the last field", EXPFILL}},
        {&ei_image_unknown_event, {"etwimage.unknown_event", PI_UNDECODED, PI_WARN, "Unknown Image event",
                                   EXPFILL}},
        {&ei_image_unknown_version, {"etwimage.unknown_version", PI_UNDECODED, PI_WARN,
                                     "Unknown Image event version", EXPFILL}},
    };

    proto_etwimage = proto_register_protocol("ETW Image events", "ETWIMAGE", "etwimage");
    proto_register_field_array(proto_etwimage, hf_etwimage, array_length(hf_etwimage));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etwimage), ei_etwimage, array_length(ei_etwimage));
}
