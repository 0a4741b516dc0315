/* SPDX-License-Identifier: GPL-2.0-or-later */
/* epan glue for ETW records (link type 290): Wireshark's own header tree first, then the
 * UserData decoded by etw_net.c and etw_process.c. */
#include <wireshark.h>

#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/wmem_scopes.h>
#include <wiretap/wtap.h>
#include <wsutil/nstime.h>

#include "etw_net.h"
#include "etw_process.h"
#include "etw_record.h"
#include "procshark_dissectors.h"
#include "ws_compat.h"

static int proto_etwnet;
static int proto_etwproc;
static int proto_etwdata;

static int hf_net_provider, hf_net_event, hf_net_type, hf_net_transport;
static int hf_net_daddr6, hf_net_saddr6;
static int hf_net[ETW_NET_FIELD_COUNT];

static int hf_proc_event;
static int hf_proc_sid_text;
static int hf_proc[ETW_PROC_FIELD_COUNT];

static int hf_data_length, hf_data_bytes, hf_data_undecoded;

static gint ett_etwnet = -1, ett_etwproc = -1, ett_etwdata = -1;

static expert_field ei_short_header, ei_userdata_overflow, ei_trailer_overflow;
static expert_field ei_net_truncated, ei_net_bad_length, ei_net_unknown_event, ei_net_pre_vista,
    ei_net_unknown_version;
static expert_field ei_proc_truncated, ei_proc_trailing, ei_proc_bad_sid, ei_proc_unknown_event,
    ei_proc_unknown_version;

/* The expert info of each decoder problem code. */
static expert_field *const record_experts[] = {
    [ETW_REC_SHORT_HEADER] = &ei_short_header, [ETW_REC_USERDATA_OVERFLOW] = &ei_userdata_overflow,
    [ETW_REC_MESSAGE_OVERFLOW] = &ei_trailer_overflow, [ETW_REC_PROVIDER_NAME_OVERFLOW] = &ei_trailer_overflow,
};
static expert_field *const net_experts[] = {
    [ETW_NET_TRUNCATED] = &ei_net_truncated, [ETW_NET_BAD_LENGTH] = &ei_net_bad_length,
    [ETW_NET_UNKNOWN_EVENT] = &ei_net_unknown_event, [ETW_NET_PRE_VISTA] = &ei_net_pre_vista,
    [ETW_NET_UNKNOWN_VERSION] = &ei_net_unknown_version,
};
static expert_field *const proc_experts[] = {
    [ETW_PROC_TRUNCATED] = &ei_proc_truncated, [ETW_PROC_TRAILING] = &ei_proc_trailing,
    [ETW_PROC_BAD_SID] = &ei_proc_bad_sid, [ETW_PROC_UNKNOWN_EVENT] = &ei_proc_unknown_event,
    [ETW_PROC_UNKNOWN_VERSION] = &ei_proc_unknown_version,
};

static dissector_handle_t builtin_etw_handle;

static const value_string fail_proto_vals[] = {{2, "IPv4"}, {23, "IPv6"}, {0, NULL}};
static const value_string fail_code_vals[] = {
    {1, "Insufficient resources"}, {2, "Too many addresses"}, {3, "Address exists"},
    {4, "Invalid address"},        {5, "Other"},              {6, "Time-wait address exists"},
    {0, NULL}};

static const char *net_protocol_column(etw_provider provider)
{
    switch (provider) {
    case ETW_PROVIDER_TCPIP: return "ETW-TcpIp";
    case ETW_PROVIDER_UDPIP: return "ETW-UdpIp";
    default: return "ETW-KernelNet";
    }
}

/* The decoders' problems are GLib memory: the packet scope frees them, exceptions or not, while the
 * decoded struct on the stack still reads them. */
static ps_ws_bool free_problems(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_, void *items)
{
    ps_problems problems = {items};
    ps_problems_clear(&problems);
    return false;
}

static void free_with_packet(packet_info *pinfo, const ps_problems *problems)
{
    if (problems->items)
        wmem_register_callback(pinfo->pool, free_problems, problems->items);
}

/* A problem as an expert info on the bytes it names; base is where the decoder's input starts. */
static void add_problem(proto_tree *tree, packet_info *pinfo, expert_field *ei, tvbuff_t *tvb, int base,
                        const ps_problem *p)
{
    proto_tree_add_expert_format(tree, pinfo, ei, tvb, base + (int)p->offset, (int)p->length, "%s", p->message);
}

static void add_undecoded(proto_tree *tree, tvbuff_t *tvb, int offset, int length)
{
    if (length > 0)
        proto_tree_add_item(tree, hf_data_undecoded, tvb, offset, length, ENC_NA);
}

/* The Info line costs a formatted sentence per record: only for columns or a displayed tree. */
static bool summary_wanted(packet_info *pinfo, proto_tree *tree)
{
    return pinfo->cinfo || (tree && PTREE_DATA(tree)->visible);
}

static void endpoint_of(const etw_net_event *ev, const uint8_t *addr, uint16_t port, ps_endpoint *out)
{
    memset(out, 0, sizeof *out);
    out->family = ev->ip_version;
    memcpy(out->addr, addr, ev->ip_version == 6 ? 16 : 4);
    out->port = port;
}

/* A TCP event names the process owning its local socket (saddr:sport). */
static void feed_net(packet_info *pinfo, const etw_net_event *ev)
{
    static const ps_etw_kind kinds[] = {
        [ETW_NET_SEND] = PS_ETW_SEND,       [ETW_NET_RECV] = PS_ETW_RECV,
        [ETW_NET_CONNECT] = PS_ETW_CONNECT, [ETW_NET_DISCONNECT] = PS_ETW_OTHER,
        [ETW_NET_RETRANSMIT] = PS_ETW_RETRANSMIT, [ETW_NET_ACCEPT] = PS_ETW_ACCEPT,
        [ETW_NET_RECONNECT] = PS_ETW_OTHER, [ETW_NET_FAIL] = PS_ETW_OTHER,
        [ETW_NET_COPY] = PS_ETW_OTHER,
    };
    ps_corr *corr = procshark_corr();
    if (!corr || PINFO_FD_VISITED(pinfo) || !ev->transport || strcmp(ev->transport, "TCP") != 0 ||
        ev->action == ETW_NET_FAIL || !ev->span[ETW_NET_PID].len || !ev->span[ETW_NET_SADDR].len ||
        !ev->span[ETW_NET_SPORT].len || !ev->span[ETW_NET_DADDR].len || !ev->span[ETW_NET_DPORT].len)
        return;
    ps_endpoint local, remote;
    endpoint_of(ev, ev->saddr, ev->sport, &local);
    endpoint_of(ev, ev->daddr, ev->dport, &remote);
    ps_corr_add_etw_net(corr, pinfo->num, procshark_time_ns(pinfo), kinds[ev->action], &local, &remote, ev->pid,
                        ev->span[ETW_NET_SIZE].len ? ev->size : 0);
}

static void dissect_net(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec,
                        const guint8 *buf, etw_provider provider)
{
    etw_net_event ev;
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    etw_net_decode(provider, rec->id, rec->opcode, rec->version, buf + base, (size_t)len,
                   rec->user_data_length, &ev);
    free_with_packet(pinfo, &ev.problems);
    const ps_problem *problem = ps_problems_first(&ev.problems);

    feed_net(pinfo, &ev);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, net_protocol_column(provider));
    proto_item *ti = proto_tree_add_item(tree, proto_etwnet, tvb, base, len, ENC_NA);
    if (summary_wanted(pinfo, tree)) {
        char info[200];
        etw_net_describe(&ev, info, sizeof info);
        col_add_str(pinfo->cinfo, COL_INFO, info);
        proto_item_append_text(ti, ", %s", info);
    }
    proto_tree *t = proto_item_add_subtree(ti, ett_etwnet);

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
        add_problem(t, pinfo, net_experts[problem->code], tvb, base, problem);
        add_undecoded(t, tvb, base, len);
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
            add_problem(t, pinfo, net_experts[problem->code], tvb, base, problem);
        add_undecoded(t, tvb, base + (int)decoded_end, len - (int)decoded_end);
    }
}

/* UTF-16LE or ANSI string fields, by their span. */
static guint proc_string_encoding(int field)
{
    return field == ETW_PROC_IMAGE ? ENC_WINDOWS_1252 : ENC_UTF_16 | ENC_LITTLE_ENDIAN;
}

static void dissect_process(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec,
                            const guint8 *buf)
{
    etw_proc_event ev;
    const int base = (int)rec->user_data.off;
    const int len = (int)rec->user_data.len;
    unsigned pointer_size = (rec->flags & ETW_FLAG_32_BIT_HEADER) ? 4 : 8;
    etw_proc_decode(rec->opcode, rec->version, pointer_size, buf + base, (size_t)len, &ev);
    free_with_packet(pinfo, &ev.problems);
    const ps_problem *problem = ps_problems_first(&ev.problems);

    const ps_span *image_span = &ev.span[ETW_PROC_IMAGE];
    const char *image = image_span->len ? (const char *)tvb_get_string_enc(pinfo->pool, tvb,
                                                         base + (int)image_span->off, (int)image_span->len,
                                                         ENC_WINDOWS_1252)
                                        : NULL;
    ps_corr *corr = procshark_corr();
    if (corr && !PINFO_FD_VISITED(pinfo) && ev.span[ETW_PROC_PID].len &&
        (!problem || problem->code == ETW_PROC_TRAILING))
        ps_corr_add_etw_process(corr, pinfo->num, procshark_time_ns(pinfo), ev.opcode, ev.pid, image);
    char described[256];
    etw_proc_describe(&ev, image, described, sizeof described);
    const char *info = procshark_shown(pinfo, described);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "ETW-Process");
    col_add_str(pinfo->cinfo, COL_INFO, info);

    proto_item *ti = proto_tree_add_item(tree, proto_etwproc, tvb, base, len, ENC_NA);
    proto_item_append_text(ti, ", %s", info);
    proto_tree *t = proto_item_add_subtree(ti, ett_etwproc);

    /* Those two are about the record header's Opcode and Version, outside the payload. */
    if (!ev.event_name) {
        proto_tree_add_expert_format(t, pinfo, &ei_proc_unknown_event, tvb, 45, 1, "%s", problem->message);
        add_undecoded(t, tvb, base, len);
        return;
    }
    proto_item *gen = proto_tree_add_string(t, hf_proc_event, tvb, 45, 1, ev.event_name);
    proto_item_set_generated(gen);
    if (problem && problem->code == ETW_PROC_UNKNOWN_VERSION) {
        proto_tree_add_expert_format(t, pinfo, &ei_proc_unknown_version, tvb, 42, 1, "%s", problem->message);
        add_undecoded(t, tvb, base, len);
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
        add_problem(t, pinfo, proc_experts[problem->code], tvb, base, problem);
    add_undecoded(t, tvb, base + (int)decoded_end, len - (int)decoded_end);
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
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "ETW");
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
        add_problem(tree, pinfo, record_experts[p->code], tvb, 0, p);
    }
}

static int dissect_etw_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const guint record_len = tvb_captured_length(tvb);
    const guint8 *buf = record_len ? tvb_get_ptr(tvb, 0, record_len) : NULL;
    etw_record rec;

    const bool parsed = etw_record_parse(buf, record_len, &rec);
    free_with_packet(pinfo, &rec.problems);
    if (!parsed) {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "ETW");
        col_add_fstr(pinfo->cinfo, COL_INFO, "Malformed ETW record: %u bytes, the header needs %d",
                     record_len, ETW_HEADER_SIZE);
        proto_item *ti = proto_tree_add_item(tree, proto_etwdata, tvb, 0, -1, ENC_NA);
        proto_tree *t = proto_item_add_subtree(ti, ett_etwdata);
        report_framing_problems(tvb, pinfo, t, &rec);
        add_undecoded(t, tvb, 0, (int)record_len);
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
        dissect_net(tvb, pinfo, tree, &rec, buf, provider);
        break;
    case ETW_PROVIDER_PROCESS:
        dissect_process(tvb, pinfo, tree, &rec, buf);
        break;
    case ETW_PROVIDER_OTHER:
        dissect_other(tvb, pinfo, tree, &rec);
        break;
    }
    return (int)record_len;
}

#define NET_FIELD(id, name, abbrev, type, display, strings, blurb) \
    {&hf_net[id], {name, abbrev, type, display, strings, 0, blurb, HFILL}}
#define PROC_FIELD(id, name, abbrev, type, display, blurb) \
    {&hf_proc[id], {name, abbrev, type, display, NULL, 0, blurb, HFILL}}

void proto_register_procshark_etw(void)
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
        NET_FIELD(ETW_NET_STARTIME, "Start time", "etwnet.startime", FT_UINT32, BASE_DEC, NULL,
                  "Undocumented; 100 ms ticks since boot in real traces"),
        NET_FIELD(ETW_NET_ENDTIME, "End time", "etwnet.endtime", FT_UINT32, BASE_DEC, NULL,
                  "Undocumented; 100 ms ticks since boot in real traces"),
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
    static hf_register_info hf_etwproc[] = {
        {&hf_proc_event, {"Event", "etwproc.event", FT_STRING, BASE_NONE, NULL, 0,
                          "Start, End, DCStart, DCEnd or Defunct", HFILL}},
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
    };
    static hf_register_info hf_etwdata[] = {
        {&hf_data_length, {"UserData length", "etwdata.length", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_data_bytes, {"UserData", "etwdata.data", FT_BYTES, BASE_NONE, NULL, 0,
                          "Payload of a provider procshark does not decode", HFILL}},
        {&hf_data_undecoded, {"Undecoded bytes", "etwdata.undecoded", FT_BYTES, BASE_NONE, NULL, 0, NULL,
                              HFILL}},
    };
    static gint *ett[] = {&ett_etwnet, &ett_etwproc, &ett_etwdata};

    static ei_register_info ei_etwdata[] = {
        {&ei_short_header, {"etwdata.short_header", PI_MALFORMED, PI_ERROR,
                            "Record too short for the ETW header", EXPFILL}},
        {&ei_userdata_overflow, {"etwdata.userdata_overflow", PI_MALFORMED, PI_ERROR,
                                 "UserDataLength points past the record", EXPFILL}},
        {&ei_trailer_overflow, {"etwdata.trailer_overflow", PI_MALFORMED, PI_ERROR,
                                "Message or provider name length points past the record", EXPFILL}},
    };
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

    proto_etwnet = proto_register_protocol("ETW TCP/IP and UDP/IP events", "ETW-Net", "etwnet");
    proto_etwproc = proto_register_protocol("ETW Process events", "ETW-Process", "etwproc");
    proto_etwdata = proto_register_protocol("ETW event payload", "ETW-Data", "etwdata");
    proto_register_field_array(proto_etwnet, hf_etwnet, array_length(hf_etwnet));
    proto_register_field_array(proto_etwproc, hf_etwproc, array_length(hf_etwproc));
    proto_register_field_array(proto_etwdata, hf_etwdata, array_length(hf_etwdata));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_etwdata), ei_etwdata, array_length(ei_etwdata));
    expert_register_field_array(expert_register_protocol(proto_etwnet), ei_etwnet, array_length(ei_etwnet));
    expert_register_field_array(expert_register_protocol(proto_etwproc), ei_etwproc, array_length(ei_etwproc));
}

void proto_reg_handoff_procshark_etw(void)
{
    /* Plugin handoffs run after the built-in ones: keep Wireshark's handle, then take the link type. */
    builtin_etw_handle = dissector_get_uint_handle(find_dissector_table("wtap_encap"), WTAP_ENCAP_ETW);
    dissector_handle_t handle = create_dissector_handle(dissect_etw_record, proto_etwdata);
    dissector_add_uint("wtap_encap", WTAP_ENCAP_ETW, handle);
}
