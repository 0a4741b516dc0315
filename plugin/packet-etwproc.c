/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ETW-Process (etwproc): the payloads of kernel Process events (Start, End, rundowns, Defunct,
 * Terminate, PerfCtr, PerfCtrRundown),
 * decoded by src/decode/etw_process.c (docs/FORMATS.md section 3, "Process events"). */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <wsutil/nstime.h>

#include "etw_process.h"
#include "packet-etw.h"
#include "procshark_dissectors.h"
#include "source.h"

static int proto_etwproc;
static int hf_proc_event;
static int hf_proc_sid_text;
static int hf_proc[ETW_PROC_FIELD_COUNT];
static gint ett_etwproc = -1;
static expert_field ei_proc_truncated, ei_proc_trailing, ei_proc_bad_sid, ei_proc_unknown_event,
    ei_proc_unknown_version;

/* The expert info of each payload problem code. */
static expert_field *const proc_experts[] = {
    [ETW_PROC_TRUNCATED] = &ei_proc_truncated, [ETW_PROC_TRAILING] = &ei_proc_trailing,
    [ETW_PROC_BAD_SID] = &ei_proc_bad_sid, [ETW_PROC_UNKNOWN_EVENT] = &ei_proc_unknown_event,
    [ETW_PROC_UNKNOWN_VERSION] = &ei_proc_unknown_version,
};

/* UTF-16LE or ANSI string fields, by their span. */
static guint proc_string_encoding(int field)
{
    return field == ETW_PROC_IMAGE ? ENC_WINDOWS_1252 : ENC_UTF_16 | ENC_LITTLE_ENDIAN;
}

void dissect_etwproc(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec,
                            const guint8 *buf)
{
    etw_proc_event ev;
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    unsigned pointer_size = (rec->flags & ETW_FLAG_32_BIT_HEADER) ? 4 : 8;
    etw_proc_decode(rec->opcode, rec->version, pointer_size, buf + base, (size_t)len, &ev);
    procshark_free_with_packet(pinfo, &ev.problems);
    const ps_problem *problem = ps_problems_first(&ev.problems);

    const ps_span *image_span = &ev.span[ETW_PROC_IMAGE];
    const char *image = image_span->len ? (const char *)tvb_get_string_enc(pinfo->pool, tvb,
                                                         base + (int)image_span->off, (int)image_span->len,
                                                         ENC_WINDOWS_1252)
                                        : NULL;
    procshark_set_protocol(pinfo, proto_etwproc);
    proto_item *ti = proto_tree_add_item(tree, proto_etwproc, tvb, base, len, ENC_NA);
    if (procshark_summary_wanted(pinfo, tree)) {
        char described[256];
        etw_proc_describe(&ev, image, described, sizeof described);
        procshark_show_summary(pinfo, ti, described);
    }
    proto_tree *t = proto_item_add_subtree(ti, ett_etwproc);
    procshark_record_source(t, tvb, PS_SOURCE_ETW);
    ps_process_change change;
    bool changes = ps_etw_process_change(&ev, &change);
    procshark_process(t, tvb, pinfo, ev.span[ETW_PROC_PID].len != 0, ev.pid, image, changes ? &change : NULL);

    /* Those two are about the record header's Opcode and Version, outside the payload. */
    if (!ev.event_name) {
        proto_tree_add_expert_format(t, pinfo, &ei_proc_unknown_event, tvb, 45, 1, "%s", problem->message);
        etwdata_add_undecoded(t, tvb, base, len);
        return;
    }
    proto_item *gen = proto_tree_add_string(t, hf_proc_event, tvb, 45, 1, ev.event_name);
    proto_item_set_generated(gen);
    if (problem && problem->code == ETW_PROC_UNKNOWN_VERSION) {
        proto_tree_add_expert_format(t, pinfo, &ei_proc_unknown_version, tvb, 42, 1, "%s", problem->message);
        etwdata_add_undecoded(t, tvb, base, len);
        return;
    }

    size_t decoded_end = 0;
    for (int f = 0; f < ETW_PROC_FIELD_COUNT; f++) {
        const ps_span *s = &ev.span[f];
        if (!s->len)
            continue;
        const int off = base + (int)s->off;
        switch (f) {
        case ETW_PROC_SID:
            if (ev.sid[0])
                proto_tree_add_string(t, hf_proc_sid_text, tvb, off, (int)s->len, ev.sid);
            else
                proto_tree_add_item(t, hf_proc[f], tvb, off, (int)s->len, ENC_NA);
            break;
        case ETW_PROC_IMAGE:
        case ETW_PROC_CMDLINE:
        case ETW_PROC_PACKAGE:
        case ETW_PROC_APPID:
            proto_tree_add_item(t, hf_proc[f], tvb, off, (int)s->len, proc_string_encoding(f));
            break;
        case ETW_PROC_EXIT_TIME: {
            nstime_t when;
            if (filetime_to_nstime(&when, ev.exit_time))
                proto_tree_add_time(t, hf_proc[f], tvb, off, (int)s->len, &when);
            break;
        }
        default:
            proto_tree_add_item(t, hf_proc[f], tvb, off, (int)s->len, ENC_LITTLE_ENDIAN);
            break;
        }
        if (s->off + s->len > decoded_end)
            decoded_end = s->off + s->len;
    }

    if (problem)
        procshark_add_problem(t, pinfo, proc_experts[problem->code], tvb, base, problem);
    etwdata_add_undecoded(t, tvb, base + (int)decoded_end, len - (int)decoded_end);
}

#define PROC_FIELD(id, name, abbrev, type, display, blurb) \
    {&hf_proc[id], {name, abbrev, type, display, NULL, 0, blurb, HFILL}}

void proto_register_etwproc(void)
{
    static hf_register_info hf_etwproc[] = {
        {&hf_proc_event, {"Event", "etwproc.event", FT_STRING, BASE_NONE, NULL, 0,
                          "Start, End, DCStart, DCEnd, Defunct, Terminate, PerfCtr or PerfCtrRundown", HFILL}},
        PROC_FIELD(ETW_PROC_KEY, "Unique process key", "etwproc.key", FT_UINT64, BASE_HEX, NULL),
        PROC_FIELD(ETW_PROC_PID, "Process ID", "etwproc.pid", FT_UINT32, BASE_DEC, NULL),
        PROC_FIELD(ETW_PROC_PPID, "Parent process ID", "etwproc.ppid", FT_UINT32, BASE_DEC, NULL),
        PROC_FIELD(ETW_PROC_SESSION, "Session ID", "etwproc.session", FT_UINT32, BASE_DEC, NULL),
        PROC_FIELD(ETW_PROC_EXIT_STATUS, "Exit status", "etwproc.exit_status", FT_INT32, BASE_DEC, NULL),
        PROC_FIELD(ETW_PROC_DIRECTORY_TABLE_BASE, "Directory table base", "etwproc.directory_table_base",
                   FT_UINT64, BASE_HEX, NULL),
        PROC_FIELD(ETW_PROC_FLAGS, "Flags", "etwproc.flags", FT_UINT32, BASE_HEX, "Version 4 and later"),
        PROC_FIELD(ETW_PROC_SID, "User SID blob", "etwproc.sid_blob", FT_BYTES, BASE_NONE,
                   "UserSID as stored (no SID)"),
        {&hf_proc_sid_text, {"User SID", "etwproc.sid", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        PROC_FIELD(ETW_PROC_IMAGE, "Image file name", "etwproc.image", FT_STRINGZ, BASE_NONE, NULL),
        PROC_FIELD(ETW_PROC_CMDLINE, "Command line", "etwproc.cmdline", FT_STRINGZ, BASE_NONE, NULL),
        PROC_FIELD(ETW_PROC_PACKAGE, "Package full name", "etwproc.package", FT_STRINGZ, BASE_NONE, NULL),
        PROC_FIELD(ETW_PROC_APPID, "Application ID", "etwproc.appid", FT_STRINGZ, BASE_NONE, NULL),
        PROC_FIELD(ETW_PROC_EXIT_TIME, "Exit time", "etwproc.exit_time", FT_ABSOLUTE_TIME,
                   ABSOLUTE_TIME_UTC, "Version 5 Defunct"),
        PROC_FIELD(ETW_PROC_PAGE_FAULT_COUNT, "Page fault count", "etwproc.page_fault_count", FT_UINT32, BASE_DEC,
                   "PerfCtr, PerfCtrRundown"),
        PROC_FIELD(ETW_PROC_HANDLE_COUNT, "Handle count", "etwproc.handle_count", FT_UINT32, BASE_DEC,
                   "PerfCtr, PerfCtrRundown"),
        PROC_FIELD(ETW_PROC_RESERVED, "Reserved", "etwproc.reserved", FT_UINT32, BASE_HEX, "PerfCtr, PerfCtrRundown"),
        PROC_FIELD(ETW_PROC_PEAK_VIRTUAL_SIZE, "Peak virtual size", "etwproc.peak_virtual_size", FT_UINT64,
                   BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_PEAK_WORKING_SET_SIZE, "Peak working set size", "etwproc.peak_working_set_size",
                   FT_UINT64, BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_PEAK_PAGEFILE_USAGE, "Peak pagefile usage", "etwproc.peak_pagefile_usage", FT_UINT64,
                   BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_QUOTA_PEAK_PAGED_POOL_USAGE, "Quota peak paged pool usage",
                   "etwproc.quota_peak_paged_pool_usage", FT_UINT64, BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_QUOTA_PEAK_NON_PAGED_POOL_USAGE, "Quota peak non-paged pool usage",
                   "etwproc.quota_peak_non_paged_pool_usage", FT_UINT64, BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_VIRTUAL_SIZE, "Virtual size", "etwproc.virtual_size", FT_UINT64, BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_WORKING_SET_SIZE, "Working set size", "etwproc.working_set_size", FT_UINT64, BASE_DEC,
                   "Bytes"),
        PROC_FIELD(ETW_PROC_PAGEFILE_USAGE, "Pagefile usage", "etwproc.pagefile_usage", FT_UINT64, BASE_DEC,
                   "Bytes"),
        PROC_FIELD(ETW_PROC_QUOTA_PAGED_POOL_USAGE, "Quota paged pool usage", "etwproc.quota_paged_pool_usage",
                   FT_UINT64, BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_QUOTA_NON_PAGED_POOL_USAGE, "Quota non-paged pool usage",
                   "etwproc.quota_non_paged_pool_usage", FT_UINT64, BASE_DEC, "Bytes"),
        PROC_FIELD(ETW_PROC_PRIVATE_PAGE_COUNT, "Private page count", "etwproc.private_page_count", FT_UINT64,
                   BASE_DEC, NULL),
    };
    static gint *ett[] = {&ett_etwproc};
    static ei_register_info ei_etwproc[] = {
        {&ei_proc_truncated, {"etwproc.truncated", PI_MALFORMED, PI_ERROR, "Payload ends inside a field",
                              EXPFILL}},
        {&ei_proc_trailing, {"etwproc.trailing", PI_PROTOCOL, PI_WARN, "Bytes after the last field", EXPFILL}},
        {&ei_proc_bad_sid, {"etwproc.bad_sid", PI_MALFORMED, PI_ERROR, "Malformed UserSID", EXPFILL}},
        {&ei_proc_unknown_event, {"etwproc.unknown_event", PI_UNDECODED, PI_WARN, "Unknown Process event",
                                  EXPFILL}},
        {&ei_proc_unknown_version, {"etwproc.unknown_version", PI_UNDECODED, PI_WARN,
                                    "Unknown Process event version", EXPFILL}},
    };

    proto_etwproc = proto_register_protocol("ETW Process events", "ETWPROC", "etwproc");
    proto_register_field_array(proto_etwproc, hf_etwproc, array_length(hf_etwproc));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etwproc), ei_etwproc, array_length(ei_etwproc));
}
