/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc: attribution. A postdissector that feeds TCP packets to the correlation engine
 * (src/correlate/correlate.c) and shows, on every TCP packet, the process owning each end (proc.*), and
 * on every record the packet it matched; what the record dissectors share (their claims go through
 * procshark_record); the "procshark/Traffic by process" statistics. */
#include <math.h>

#include <wireshark.h>

#include <cfile.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/plugin_if.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/wmem_scopes.h>
#include <wsutil/str_util.h>

#include "procshark_dissectors.h"
#include "ps_text.h"
#include "source.h"
#include "ws_compat.h"

static int proto_procshark;
/* Each end's fields: [0] the source's, [1] the destination's. */
static int hf_end[2], hf_end_pid[2], hf_end_name[2], hf_end_container[2], hf_end_source[2], hf_end_match[2],
    hf_end_event_frame[2];
static int hf_pid, hf_name, hf_source, hf_match, hf_event_frame, hf_packet_frame, hf_tcp_stream, hf_udp_stream;
static int hf_decided_count, hf_decided_first, hf_decided_last;
static int hf_record_source, hf_record_pid, hf_record_name, hf_record_ip, hf_record_ipv6, hf_record_port;
static gint ett_procshark = -1, ett_end = -1;
static expert_field ei_unmatched_record, ei_disagreement, ei_needs_two_passes, ei_clock_offset;
static int procshark_tap = -1;

/* TCP and UDP fields the postdissector reads; expert fields that make it show its notes. */
static int hf_tcp_stream_in, hf_tcp_seq_raw, hf_tcp_ack_raw, hf_tcp_flags, hf_tcp_len;
static int hf_udp_stream_in, hf_udp_length, hf_udp_checksum;
static int hf_expert, hf_expert_message;

static guint pref_window_ms = 1000;
static const char *pref_clock_offset = "0";
static ps_ws_bool pref_estimate_offsets = true;

static ps_corr *corr;
static int64_t manual_offset_ns; /* proc.clock_offset, as the engine adds it to every record's time */
/* A display filter used answers from the first pass, which knew only the records before each
 * packet (the GUI filters as it loads a file): the filter is applied again once it has loaded. */
static bool filtered_provisionally;
static bool refilter_scheduled;


static void procshark_init(void)
{
    corr = ps_corr_new();
    ps_corr_set_window(corr, (int64_t)pref_window_ms * 1000000);
    /* Beyond a century either way an offset means nothing, and a double past int64 cannot be cast. */
    double offset_s = g_ascii_strtod(pref_clock_offset, NULL);
    offset_s = isfinite(offset_s) ? CLAMP(offset_s, -3.2e9, 3.2e9) : 0;
    manual_offset_ns = (int64_t)(offset_s * 1e9);
    ps_corr_set_manual_offset(corr, manual_offset_ns);
    ps_corr_set_estimate_offsets(corr, pref_estimate_offsets);
}

static void procshark_cleanup(void)
{
    ps_corr_free(corr);
    corr = NULL;
    filtered_provisionally = false;
}

static void *current_filter(capture_file *cf, void *unused _U_)
{
    return cf && cf->state == FILE_READ_DONE && cf->dfilter && *cf->dfilter ? g_strdup(cf->dfilter) : NULL;
}

static void *still_loading(capture_file *cf, void *unused _U_)
{
    return GINT_TO_POINTER(cf && cf->state == FILE_READ_IN_PROGRESS);
}

static void *selected_frame(capture_file *cf, void *unused _U_)
{
    return GUINT_TO_POINTER(cf && cf->current_frame ? cf->current_frame->num : 0);
}

static void *first_displayed(capture_file *cf, void *unused _U_)
{
    return GUINT_TO_POINTER(cf && cf->displayed_count ? cf->first_displayed : 0);
}

/* Runs in the GUI's main loop (tshark runs none, and has no GUI to ask). */
static gboolean refilter(gpointer unused _U_)
{
    if (plugin_if_get_capture_file(still_loading, NULL))
        return G_SOURCE_CONTINUE;
    char *filter = plugin_if_get_capture_file(current_filter, NULL);
    if (filter) {
        const guint selected = GPOINTER_TO_UINT(plugin_if_get_capture_file(selected_frame, NULL));
        const guint first = GPOINTER_TO_UINT(plugin_if_get_capture_file(first_displayed, NULL));
        /* Wireshark skips a filter equal to the current one, whatever "force" says, and keeps every
         * other string in its filter history: the empty filter is the one it does not keep. So the
         * filter is cleared, then applied again as the user wrote it. */
        plugin_if_apply_filter("", TRUE);
        plugin_if_apply_filter(filter, TRUE);
        /* A selection Wireshark made itself (the first provisional match) moves to the first match. */
        const guint first_now = GPOINTER_TO_UINT(plugin_if_get_capture_file(first_displayed, NULL));
        if ((selected == 0 || selected == first) && first_now)
            plugin_if_goto_frame(first_now);
    }
    g_free(filter);
    refilter_scheduled = false;
    return G_SOURCE_REMOVE;
}

static const char *const match_names[] = {"none", "packet", "event", "connection", "socket", "snapshot", "comment"};

int64_t procshark_time_ns(const packet_info *pinfo)
{
    /* pcapng holds times past what int64 nanoseconds reach (2262): those saturate. */
    const int64_t secs = (int64_t)pinfo->abs_ts.secs;
    if (secs > INT64_MAX / 1000000000 - 1)
        return INT64_MAX;
    if (secs < INT64_MIN / 1000000000 + 1)
        return INT64_MIN;
    return secs * 1000000000 + pinfo->abs_ts.nsecs;
}

bool procshark_summary_wanted(packet_info *pinfo, proto_tree *tree)
{
    return pinfo->cinfo || (tree && PTREE_DATA(tree)->visible);
}

const char *procshark_shown(packet_info *pinfo, const char *text)
{
    if (!ps_text_needs_escape(text)) /* nearly always: no copy */
        return text;
    char *escaped = ps_text_escaped(text);
    char *shown = wmem_strdup(pinfo->pool, escaped);
    g_free(escaped);
    return shown;
}

void procshark_set_protocol(packet_info *pinfo, int proto)
{
    const char *name = proto_get_protocol_short_name(find_protocol_by_id(proto));
    pinfo->current_proto = name;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, name);
}

void procshark_show_summary(packet_info *pinfo, proto_item *ti, const char *described)
{
    const char *info = procshark_shown(pinfo, described);
    col_add_str(pinfo->cinfo, COL_INFO, info);
    proto_item_append_text(ti, ", %s", info);
}

const char *procshark_payload_text(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hf_text, proto_item *ti,
                                   expert_field *bad_utf8, guint *len)
{
    *len = tvb_captured_length(tvb);
    const char *text = *len ? (const char *)tvb_get_ptr(tvb, 0, *len) : "";
    size_t bad;
    if (!ps_text_valid_utf8(text, *len, &bad)) {
        proto_tree_add_item(tree, hf_text, tvb, 0, -1, ENC_UTF_8); /* invalid bytes shown replaced */
        expert_add_info_format(pinfo, ti, bad_utf8, "Payload is not valid UTF-8 at byte %zu", bad);
        return NULL;
    }
    /* Valid already: a copy, where ENC_UTF_8 would check and copy the text a character at a time. */
    if (proto_field_is_referenced(tree, hf_text))
        proto_tree_add_string(tree, hf_text, tvb, 0, (gint)*len, wmem_strndup(pinfo->pool, text, *len));
    return text;
}

void procshark_add_problems(proto_item *ti, packet_info *pinfo, expert_field *ei, const ps_problems *problems)
{
    for (size_t i = 0; i < ps_problems_count(problems); i++)
        expert_add_info_format(pinfo, ti, ei, "%s", ps_problems_at(problems, i)->message);
}

void procshark_add_problem(proto_tree *tree, packet_info *pinfo, expert_field *ei, tvbuff_t *tvb, int base,
                           const ps_problem *p)
{
    proto_tree_add_expert_format(tree, pinfo, ei, tvb, base + (int)p->offset, (int)p->length, "%s", p->message);
}

static ps_ws_bool free_problems(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_, void *items)
{
    ps_problems problems = {items};
    ps_problems_clear(&problems);
    return false;
}

void procshark_free_with_packet(packet_info *pinfo, const ps_problems *problems)
{
    if (problems->items)
        wmem_register_callback(pinfo->pool, free_problems, problems->items);
}

static proto_item *add_hidden_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item *it = proto_tree_add_uint(tree, hf, tvb, 0, 0, value);
    proto_item_set_hidden(it);
    return it;
}

static void add_hidden_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item *it = proto_tree_add_string(tree, hf, tvb, 0, 0, value);
    proto_item_set_hidden(it);
}

void procshark_record_source(proto_tree *tree, tvbuff_t *tvb, ps_source source)
{
    add_hidden_string(tree, hf_record_source, tvb, ps_sources[source]->name);
}

static void set_endpoint_address(packet_info *pinfo, address *addr, const ps_endpoint *e)
{
    alloc_address_wmem(pinfo->pool, addr, e->family == 6 ? AT_IPv6 : AT_IPv4, e->family == 6 ? 16 : 4, e->addr);
}

/* t - d, saturating as the engine's sums do (times near 1970 or 2262, offsets up to a century). */
static int64_t time_minus(int64_t t, int64_t d)
{
    if (d > 0 && t < INT64_MIN + d)
        return INT64_MIN;
    if (d < 0 && t > INT64_MAX + d)
        return INT64_MAX;
    return t - d;
}

void procshark_record(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const ps_claim *claim, bool has_socket)
{
    if (corr && has_socket && !PINFO_FD_VISITED(pinfo)) {
        /* A claim made by the packet itself is on the packet's clock: the manual offset the engine
         * adds to every record is taken off first (ptcpdump's comment still names its packet). */
        const int64_t t = procshark_time_ns(pinfo);
        const bool on_packets = ps_sources[claim->source]->on_packets;
        /* The interface a record came in on is its file's (procshark-import gives each its own):
         * rows of one file are one host's. */
        ps_claim fed = *claim;
        if (pinfo->rec && pinfo->rec->rec_type == REC_TYPE_PACKET &&
            (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID))
            fed.origin = pinfo->rec->rec_header.packet_header.interface_id + 1;
        ps_corr_add_claim(corr, pinfo->num, on_packets ? time_minus(t, manual_offset_ns) : t, &fed);
    }
    if (has_socket) {
        /* Source and Destination in the order of the record's Info: as the packets it speaks of
         * read them, or the process's own socket first for an endpoint table row. */
        const bool own_first = claim->outgoing || claim->kind == PS_CLAIM_SNAPSHOT;
        const ps_endpoint *from = own_first ? &claim->owned : &claim->peer;
        const ps_endpoint *to = own_first ? &claim->peer : &claim->owned;
        set_endpoint_address(pinfo, &pinfo->src, from);
        set_endpoint_address(pinfo, &pinfo->net_src, from);
        set_endpoint_address(pinfo, &pinfo->dst, to);
        set_endpoint_address(pinfo, &pinfo->net_dst, to);
    }
    if (!tree)
        return;
    if (claim->has_pid)
        add_hidden_uint(tree, hf_record_pid, tvb, claim->pid);
    if (claim->name)
        add_hidden_string(tree, hf_record_name, tvb, claim->name);
    if (!has_socket)
        return;
    proto_item *it;
    if (claim->owned.family == 6) {
        it = proto_tree_add_ipv6(tree, hf_record_ipv6, tvb, 0, 0, (const ws_in6_addr *)claim->owned.addr);
    } else {
        guint32 v4;
        memcpy(&v4, claim->owned.addr, 4);
        it = proto_tree_add_ipv4(tree, hf_record_ip, tvb, 0, 0, v4);
    }
    proto_item_set_hidden(it);
    add_hidden_uint(tree, hf_record_port, tvb, claim->owned.port);
}

void procshark_process(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, bool has_pid, uint32_t pid,
                       const char *image, const ps_process_change *change)
{
    if (corr && has_pid && change && !PINFO_FD_VISITED(pinfo))
        ps_corr_add_process(corr, pinfo->num, procshark_time_ns(pinfo), *change, pid, image);
    if (!tree)
        return;
    if (has_pid)
        add_hidden_uint(tree, hf_record_pid, tvb, pid);
    if (image)
        add_hidden_string(tree, hf_record_name, tvb, image);
}

bool procshark_endpoint(const address *addr, guint16 port, ps_endpoint *out)
{
    memset(out, 0, sizeof *out);
    if (addr->type == AT_IPv4 && addr->len == 4) {
        out->family = 4;
        memcpy(out->addr, addr->data, 4);
    } else if (addr->type == AT_IPv6 && addr->len == 16) {
        out->family = 6;
        memcpy(out->addr, addr->data, 16);
    } else {
        return false;
    }
    out->port = port;
    return true;
}

/* The innermost occurrence of a field another dissector added, when there is one. */
static field_info *last_item(proto_tree *tree, int hf)
{
    GPtrArray *items = hf > 0 ? proto_get_finfo_ptr_array(tree, hf) : NULL;
    return items && items->len ? items->pdata[items->len - 1] : NULL;
}

bool procshark_last_uint(proto_tree *tree, int hf, guint32 *out)
{
    field_info *fi = last_item(tree, hf);
    if (fi)
        *out = fvalue_get_uinteger(PS_FIELD_FVALUE(fi));
    return fi != NULL;
}

const char *procshark_last_string(proto_tree *tree, int hf)
{
    field_info *fi = last_item(tree, hf);
    return fi ? fvalue_get_string(PS_FIELD_FVALUE(fi)) : NULL;
}

/* A TCP or UDP packet's addresses and direction, from the packet's info. */
static bool packet_ends(packet_info *pinfo, ps_packet_facts *p)
{
    memset(p, 0, sizeof *p);
    p->direction = pinfo->p2p_dir == P2P_DIR_SENT   ? PS_DIR_OUTBOUND
                   : pinfo->p2p_dir == P2P_DIR_RECV ? PS_DIR_INBOUND
                                                    : PS_DIR_UNKNOWN;
    p->transport = pinfo->ptype == PT_TCP ? PS_TRANSPORT_TCP : pinfo->ptype == PT_UDP ? PS_TRANSPORT_UDP : 0;
    return p->transport && procshark_endpoint(&pinfo->net_src, (guint16)pinfo->srcport, &p->src) &&
           procshark_endpoint(&pinfo->net_dst, (guint16)pinfo->destport, &p->dst);
}

/* Its stream, payload length and what a claim on one packet names: TCP's raw seq, ack and flags,
 * UDP's length and checksum. The fields the postdissector asks for, which the first pass has. */
static bool packet_numbers(proto_tree *tree, ps_packet_facts *p, guint32 *stream, guint32 *len)
{
    if (p->transport == PS_TRANSPORT_UDP) {
        if (!procshark_last_uint(tree, hf_udp_stream_in, stream) || !procshark_last_uint(tree, hf_udp_length, &p->seq) ||
            !procshark_last_uint(tree, hf_udp_checksum, &p->ack) || p->seq < 8)
            return false;
        *len = p->seq - 8;
        return true;
    }
    guint32 flags;
    if (!procshark_last_uint(tree, hf_tcp_stream_in, stream) || !procshark_last_uint(tree, hf_tcp_seq_raw, &p->seq) ||
        !procshark_last_uint(tree, hf_tcp_ack_raw, &p->ack) || !procshark_last_uint(tree, hf_tcp_flags, &flags) ||
        !procshark_last_uint(tree, hf_tcp_len, len))
        return false;
    p->tcp_flags = (guint16)flags;
    return true;
}

/* The packet's own comments (ptcpdump's, etl2pcapng's, procshark's annotation) and Darwin process
 * information first, on every pass (they are shown from the frame), so that their claims are in
 * before the frame's packet; then the packet, on the first pass only. */
static void feed_packet(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo)
{
    const bool first = !PINFO_FD_VISITED(pinfo);
    const bool comments = pinfo->rec && pinfo->rec->block && wtap_block_count_option(pinfo->rec->block, OPT_COMMENT);
    const bool darwin = procshark_darwin_present(tree, pinfo);
    if (!first && !comments && !darwin)
        return;
    ps_packet_facts p;
    guint32 stream, len;
    const bool ends = packet_ends(pinfo, &p);
    const bool numbered = ends && first && packet_numbers(tree, &p, &stream, &len);
    /* Later passes feed nothing: the ends are enough to show which one is named. */
    const ps_packet_facts *facts = numbered || (ends && !first) ? &p : NULL;
    if (comments) {
        procshark_ptcpdump(tree, tvb, pinfo, facts);
        procshark_etl2pcapng(tree, tvb, pinfo, facts);
        procshark_annotation(tree, tvb, pinfo, facts);
    }
    if (darwin)
        procshark_darwin(tree, tvb, pinfo, facts);
    if (numbered && p.transport == PS_TRANSPORT_UDP)
        ps_corr_add_datagram(corr, pinfo->num, procshark_time_ns(pinfo), stream, &p.src, &p.dst, (uint16_t)p.seq,
                             (uint16_t)p.ack, len);
    else if (numbered)
        ps_corr_add_packet(corr, pinfo->num, procshark_time_ns(pinfo), stream, &p.src, &p.dst, p.seq, p.ack,
                           p.tcp_flags, len);
}

typedef struct {
    ps_attribution who;
    guint32 bytes;
} procshark_tap_data;


/* "name (pid)", Wireshark's "name (number)", wherever procshark names a process. */
static const char *process_label(packet_info *pinfo, const ps_owner *o)
{
    return wmem_strdup_printf(pinfo->pool, "%s (%u)", procshark_shown(pinfo, o->name ? o->name : "?"), o->pid);
}

static void add_end(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, int end, const ps_owner *o)
{
    proto_item *ti = proto_tree_add_item(tree, hf_end[end], tvb, 0, 0, ENC_NA);
    proto_item_set_text(ti, "%s process: %s [%s, %s match, frame %u]", end ? "Destination" : "Source",
                        process_label(pinfo, o), ps_sources[o->source]->name, match_names[o->match], o->record_frame);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_end);
    proto_item *it = proto_tree_add_uint(t, hf_end_pid[end], tvb, 0, 0, o->pid);
    proto_item_set_generated(it);
    if (o->name) {
        it = proto_tree_add_string(t, hf_end_name[end], tvb, 0, 0, o->name);
        proto_item_set_generated(it);
    }
    if (o->container) {
        it = proto_tree_add_string(t, hf_end_container[end], tvb, 0, 0, o->container);
        proto_item_set_generated(it);
    }
    it = proto_tree_add_string(t, hf_end_source[end], tvb, 0, 0, ps_sources[o->source]->name);
    proto_item_set_generated(it);
    it = proto_tree_add_string(t, hf_end_match[end], tvb, 0, 0, match_names[o->match]);
    proto_item_set_generated(it);
    it = proto_tree_add_uint(t, hf_end_event_frame[end], tvb, 0, 0, o->record_frame);
    proto_item_set_generated(it);
    /* proc.pid, proc.name, proc.source, proc.match and proc.event_frame match either end, like ip.addr. */
    it = proto_tree_add_uint(t, hf_pid, tvb, 0, 0, o->pid);
    proto_item_set_hidden(it);
    if (o->name) {
        it = proto_tree_add_string(t, hf_name, tvb, 0, 0, o->name);
        proto_item_set_hidden(it);
    }
    it = proto_tree_add_string(t, hf_source, tvb, 0, 0, ps_sources[o->source]->name);
    proto_item_set_hidden(it);
    it = proto_tree_add_string(t, hf_match, tvb, 0, 0, match_names[o->match]);
    proto_item_set_hidden(it);
    it = proto_tree_add_uint(t, hf_event_frame, tvb, 0, 0, o->record_frame);
    proto_item_set_hidden(it);
    if (o->disagreement)
        expert_add_info_format(pinfo, ti, &ei_disagreement,
                               "%s says pid %u (frame %u) for this socket, %s says pid %u (frame %u)",
                               ps_sources[o->source]->name, o->pid, o->record_frame, ps_sources[o->other_source]->name,
                               o->other_pid, o->other_frame);
}

/* Records that may come after a packet: not the comments on packets, which come with their own. */
static bool any_records(void)
{
    for (unsigned s = 0; s < PS_SOURCE_COUNT; s++)
        if (!ps_sources[s]->on_packets && ps_corr_first_record_frame(corr, s))
            return true;
    return false;
}

static void show_packet(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo)
{
    ps_attribution who;
    const bool provisional = !PINFO_FD_VISITED(pinfo);
    if (!ps_corr_packet(corr, pinfo->num, provisional, &who))
        return;
    const bool incomplete = provisional && (!who.src.known || !who.dst.known) && any_records();
    if (tree && (who.src.known || who.dst.known || incomplete)) {
        /* One protocol item with both ends inside, its text a summary as TCP's is. */
        proto_item *ti = proto_tree_add_item(tree, proto_procshark, tvb, 0, 0, ENC_NA);
        proto_item_append_text(ti, ", Src: %s, Dst: %s", who.src.known ? process_label(pinfo, &who.src) : "?",
                               who.dst.known ? process_label(pinfo, &who.dst) : "?");
        proto_tree *t = proto_item_add_subtree(ti, ett_procshark);
        if (who.src.known)
            add_end(t, tvb, pinfo, 0, &who.src);
        if (who.dst.known)
            add_end(t, tvb, pinfo, 1, &who.dst);
        if (incomplete)
            proto_tree_add_expert(t, pinfo, &ei_needs_two_passes, tvb, 0, 0);
    }
    if (who.src.known || who.dst.known) {
        procshark_tap_data *data = wmem_new0(pinfo->pool, procshark_tap_data);
        data->who = who;
        data->bytes = pinfo->fd->pkt_len;
        tap_queue_packet(procshark_tap, pinfo, data);
    }
}

static void show_record(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo)
{
    ps_record_info info;
    /* A claim made by a packet's own comments is shown by its protocol, not as a record. */
    if (!ps_corr_record(corr, pinfo->num, &info) || !info.network || ps_sources[info.source]->on_packets)
        return;
    proto_item *ti = proto_tree_add_item(tree, proto_procshark, tvb, 0, 0, ENC_NA);
    proto_tree *t = proto_item_add_subtree(ti, ett_procshark);
    /* Counting walks every packet's answer once: only for a shown tree, or a filter or field that
     * asks for the count or for this item's text. */
    const bool count = PTREE_DATA(tree)->visible || proto_field_is_referenced(tree, hf_decided_count) ||
                       proto_field_is_referenced(tree, hf_decided_first) ||
                       proto_field_is_referenced(tree, hf_decided_last) ||
                       proto_registrar_get_nth(proto_procshark)->ref_type == HF_REF_TYPE_DIRECT;
    uint32_t decided = 0, first = 0, last = 0;
    if (count)
        ps_corr_record_decided(corr, pinfo->num, &decided, &first, &last);
    if (info.matched) {
        proto_item *it = proto_tree_add_uint(t, hf_packet_frame, tvb, 0, 0, info.packet_frame);
        proto_item_set_generated(it);
        proto_item_append_text(ti, ": matches packet %u", info.packet_frame);
    }
    if (decided) {
        /* The packets whose process this record names, directly or through their connection. */
        proto_item_append_text(ti, "%s names the process of %u packet%s (frames %u to %u)", info.matched ? "," : ":",
                               decided, plurality(decided, "", "s"), first, last);
        proto_item *it = proto_tree_add_uint(t, hf_decided_count, tvb, 0, 0, decided);
        proto_item_set_generated(it);
        it = proto_tree_add_uint(t, hf_decided_first, tvb, 0, 0, first);
        proto_item_set_generated(it);
        it = proto_tree_add_uint(t, hf_decided_last, tvb, 0, 0, last);
        proto_item_set_generated(it);
    }
    if (count && !info.matched && !decided)
        proto_item_append_text(ti, ": names the process of no packet");
    if (info.has_stream) {
        proto_item *it = proto_tree_add_uint(t, info.transport == PS_TRANSPORT_UDP ? hf_udp_stream : hf_tcp_stream, tvb,
                                             0, 0, info.stream);
        proto_item_set_generated(it);
    }
    if (!info.matched && info.matchable)
        expert_add_info(pinfo, ti, &ei_unmatched_record);
    if (info.first_of_clock)
        expert_add_info_format(pinfo, ti, &ei_clock_offset,
                               "Clock offset of %+.6f s applied to this host's %s records, estimated from %u "
                               "exact matches",
                               (double)info.clock_offset / 1e9, ps_sources[info.source]->name, info.clock_samples);
}

/* Whether anyone looks at our items: a displayed tree, a filter or a printed field. Wireshark marks
 * a protocol referenced when any of its fields is, so one check covers every proc field; the
 * expert fields belong to Wireshark's own protocol. */
static bool items_wanted(proto_tree *tree)
{
    if (!tree)
        return false;
    return PTREE_DATA(tree)->visible || proto_field_is_referenced(tree, proto_procshark) ||
           (hf_expert > 0 && proto_field_is_referenced(tree, hf_expert)) ||
           (hf_expert_message > 0 && proto_field_is_referenced(tree, hf_expert_message));
}

static int dissect_procshark(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!corr)
        return 0;
    if (tree)
        feed_packet(tree, tvb, pinfo);
    bool wanted = items_wanted(tree);
    /* Finalizing answers are for later passes; one pass gets provisional packet answers only. */
    if (PINFO_FD_VISITED(pinfo) && wanted)
        show_record(tree, tvb, pinfo);
    if (wanted || have_tap_listener(procshark_tap))
        show_packet(wanted ? tree : NULL, tvb, pinfo);
    if (!PINFO_FD_VISITED(pinfo) && wanted && tree && !PTREE_DATA(tree)->visible)
        filtered_provisionally = true;
    else if (PINFO_FD_VISITED(pinfo) && filtered_provisionally && !refilter_scheduled) {
        filtered_provisionally = false;
        refilter_scheduled = true;
        g_timeout_add(200, refilter, NULL);
    }
    return 0;
}

/* --- statistics ------------------------------------------------------------------------------ */

/* Three distributions, each a share of its own total, so every Percent is one of that total:
 * packets (a packet counts once at the top, and for each process on it), connections (TCP
 * streams and UDP flows, as Wireshark's Conversations count them), and
 * bytes (the frames'). Wireshark's window resizes a column over up to 1000 rows for every node
 * it adds, so a process has one node in each and no children (docs/PERFORMANCE.md).
 * Wireshark's window first sorts every level by name, Z to A; tshark keeps the top level in the
 * order made and sorts the rest as registered below: with these names and that order the two agree. */
static const char *const st_roots[] = {"Packets by process", "Connections by process", "Bytes by process"};
enum { ST_PACKETS, ST_CONNECTIONS, ST_BYTES };
static int st_root_nodes[G_N_ELEMENTS(st_roots)];
static GHashTable *st_connections; /* "name (pid)" + stream seen */

static void st_init(stats_tree *st)
{
    for (size_t i = 0; i < G_N_ELEMENTS(st_roots); i++)
        st_root_nodes[i] = stats_tree_create_node(st, st_roots[i], 0, STAT_DT_INT, TRUE);
    if (st_connections)
        g_hash_table_destroy(st_connections);
    st_connections = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* True the first time a key is seen; it is copied only then, as most packets repeat theirs. */
static bool st_first_sighting(const char *key)
{
    if (g_hash_table_contains(st_connections, key))
        return false;
    g_hash_table_add(st_connections, g_strdup(key));
    return true;
}

/* A connection's key: its transport's letter and stream, t7 or u7. */
static void st_count(stats_tree *st, const ps_owner *o, guint32 bytes, const char *connection)
{
    char process[256];
    char *name = ps_text_escaped(o->name ? o->name : "?"); /* it came from the monitored host */
    g_snprintf(process, sizeof process, "%s (%u)", name, o->pid);
    g_free(name);
    tick_stat_node(st, process, st_root_nodes[ST_PACKETS], TRUE);
    increase_stat_node(st, process, st_root_nodes[ST_BYTES], TRUE, (gint)bytes);
    char key[sizeof process + 16];
    g_snprintf(key, sizeof key, "%s/%s", process, connection);
    if (st_first_sighting(key))
        tick_stat_node(st, process, st_root_nodes[ST_CONNECTIONS], TRUE);
}

static tap_packet_status st_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *p,
                                   tap_flags_t flags _U_)
{
    const procshark_tap_data *data = p;
    char connection[16];
    g_snprintf(connection, sizeof connection, "%c%u", data->who.transport == PS_TRANSPORT_UDP ? 'u' : 't',
               data->who.stream);
    tick_stat_node(st, st_roots[ST_PACKETS], 0, FALSE);
    increase_stat_node(st, st_roots[ST_BYTES], 0, FALSE, (gint)data->bytes);
    char key[24];
    g_snprintf(key, sizeof key, "/%s", connection); /* the connection, whoever owns it */
    if (st_first_sighting(key))
        tick_stat_node(st, st_roots[ST_CONNECTIONS], 0, FALSE);
    if (data->who.src.known)
        st_count(st, &data->who.src, data->bytes, connection);
    /* Loopback between two processes counts for both; one process on both ends counts once. */
    if (data->who.dst.known && !(data->who.src.known && data->who.src.pid == data->who.dst.pid &&
                                 g_strcmp0(data->who.src.name, data->who.dst.name) == 0))
        st_count(st, &data->who.dst, data->bytes, connection);
    return TAP_PACKET_REDRAW;
}

/* --- registration ---------------------------------------------------------------------------- */

void proto_register_procshark(void)
{
    static hf_register_info hf[] = {
#define END_FIELDS(i, end, End, whose)                                                                        \
    {&hf_end[i], {End " process", "proc." end, FT_NONE, BASE_NONE, NULL, 0,                                     \
                  "The process owning the packet's " whose " socket", HFILL}},                                 \
        {&hf_end_pid[i], {End " process ID", "proc." end ".pid", FT_UINT32, BASE_DEC, NULL, 0,                  \
                          "Process owning the packet's " whose " socket", HFILL}},                             \
        {&hf_end_name[i], {End " process name", "proc." end ".name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}}, \
        {&hf_end_container[i], {End " container", "proc." end ".container", FT_STRING, BASE_NONE, NULL, 0,      \
                                "Container of the " whose " process (its name, else its id)", HFILL}},         \
        {&hf_end_source[i], {End " attribution source", "proc." end ".source", FT_STRING, BASE_NONE, NULL, 0,    \
                             "Where the " whose " process was learnt: etw, tracee, nettcpconnection, ptcpdump, etl2pcapng, annotation or darwin", HFILL}}, \
        {&hf_end_match[i], {End " match", "proc." end ".match", FT_STRING, BASE_NONE, NULL, 0,                  \
                            "How the " whose " process was matched: packet, event, connection, socket, snapshot or comment",    \
                            HFILL}},                                                                           \
        {&hf_end_event_frame[i], {End " deciding record", "proc." end ".event_frame", FT_FRAMENUM, BASE_NONE,   \
                                  NULL, 0, "The record that named the " whose " process", HFILL}}
        END_FIELDS(0, "src", "Source", "source"),
        END_FIELDS(1, "dst", "Destination", "destination"),
#undef END_FIELDS
        {&hf_pid, {"Process ID", "proc.pid", FT_UINT32, BASE_DEC, NULL, 0, "Either end's process", HFILL}},
        {&hf_name, {"Process name", "proc.name", FT_STRING, BASE_NONE, NULL, 0, "Either end's process", HFILL}},
        {&hf_source, {"Source of the attribution", "proc.source", FT_STRING, BASE_NONE, NULL, 0,
                      "Either end's: etw, tracee, nettcpconnection, ptcpdump, etl2pcapng, annotation or darwin", HFILL}},
        {&hf_match, {"How it was matched", "proc.match", FT_STRING, BASE_NONE, NULL, 0,
                     "Either end's: packet, event, connection, socket, snapshot or comment", HFILL}},
        {&hf_event_frame, {"Deciding record", "proc.event_frame", FT_FRAMENUM, BASE_NONE, NULL, 0,
                           "Either end's record that named the process", HFILL}},
        {&hf_packet_frame, {"Matched packet", "proc.packet_frame", FT_FRAMENUM, BASE_NONE, NULL, 0,
                            "The packet this record describes", HFILL}},
        {&hf_decided_count, {"Packets named", "proc.decided.count", FT_UINT32, BASE_DEC, NULL, 0,
                             "How many packets this record names the process of (either end), directly or "
                             "through their connection", HFILL}},
        {&hf_decided_first, {"First packet named", "proc.decided.first", FT_FRAMENUM, BASE_NONE, NULL, 0,
                             "The first packet this record names the process of", HFILL}},
        {&hf_decided_last, {"Last packet named", "proc.decided.last", FT_FRAMENUM, BASE_NONE, NULL, 0,
                            "The last packet this record names the process of", HFILL}},
        {&hf_tcp_stream, {"TCP stream", "proc.tcp_stream", FT_UINT32, BASE_DEC, NULL, 0,
                          "The TCP connection this record belongs to (tcp.stream)", HFILL}},
        {&hf_udp_stream, {"UDP stream", "proc.udp_stream", FT_UINT32, BASE_DEC, NULL, 0,
                          "The UDP flow this record belongs to (udp.stream)", HFILL}},
        /* Hidden, on every record: what it claims, as its source's rules read it (src/source/). */
        {&hf_record_source, {"Record source", "proc.record.source", FT_STRING, BASE_NONE, NULL, 0,
                             "The event source of this record: etw, tracee or nettcpconnection", HFILL}},
        {&hf_record_pid, {"Record process ID", "proc.record.pid", FT_UINT32, BASE_DEC, NULL, 0,
                          "The process this record names", HFILL}},
        {&hf_record_name, {"Record process name", "proc.record.name", FT_STRING, BASE_NONE, NULL, 0,
                           "The process name this record gives", HFILL}},
        {&hf_record_ip, {"Record socket address", "proc.record.ip", FT_IPv4, BASE_NONE, NULL, 0,
                         "The address of the socket this record speaks for (the process's own)", HFILL}},
        {&hf_record_ipv6, {"Record socket address", "proc.record.ipv6", FT_IPv6, BASE_NONE, NULL, 0,
                           "The address of the socket this record speaks for (the process's own)", HFILL}},
        {&hf_record_port, {"Record socket port", "proc.record.port", FT_UINT16, BASE_DEC, NULL, 0,
                           "The port of the socket this record speaks for (the process's own)", HFILL}},
    };
    static gint *ett[] = {&ett_procshark, &ett_end};
    static ei_register_info ei[] = {
        {&ei_unmatched_record, {"proc.unmatched_record", PI_SEQUENCE, PI_NOTE,
                                "No packet matches this record (capture loss, or a filtered capture?)", EXPFILL}},
        {&ei_disagreement, {"proc.disagreement", PI_SEQUENCE, PI_WARN, "Two sources name different processes",
                            EXPFILL}},
        {&ei_needs_two_passes, {"proc.needs_two_passes", PI_SEQUENCE, PI_NOTE,
                                "Only records before this packet were considered: run tshark with -2", EXPFILL}},
        {&ei_clock_offset, {"proc.clock_offset", PI_SEQUENCE, PI_NOTE, "Estimated clock offset", EXPFILL}},
    };

    proto_procshark = proto_register_protocol("procshark process attribution", "PROC", "proc");
    proto_register_field_array(proto_procshark, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_procshark), ei, array_length(ei));

    module_t *prefs = prefs_register_protocol(proto_procshark, NULL);
    prefs_register_uint_preference(prefs, "window_ms", "Matching window (ms)",
                                   "How far apart in time a record and its packet may be", 10, &pref_window_ms);
    prefs_register_string_preference(prefs, "clock_offset", "Clock offset of the records (s)",
                                     "Seconds added to every record's time before matching, e.g. -1.5",
                                     &pref_clock_offset);
    prefs_register_bool_preference(prefs, "estimate_offsets", "Estimate clock offsets",
                                   "Estimate each source's constant clock offset from exact matches",
                                   &pref_estimate_offsets);

    register_init_routine(procshark_init);
    register_cleanup_routine(procshark_cleanup);
    procshark_tap = register_tap("procshark");
}

void proto_reg_handoff_procshark(void)
{
    hf_tcp_stream_in = proto_registrar_get_id_byname("tcp.stream");
    hf_tcp_seq_raw = proto_registrar_get_id_byname("tcp.seq_raw");
    hf_tcp_ack_raw = proto_registrar_get_id_byname("tcp.ack_raw");
    hf_tcp_flags = proto_registrar_get_id_byname("tcp.flags");
    hf_tcp_len = proto_registrar_get_id_byname("tcp.len");
    hf_udp_stream_in = proto_registrar_get_id_byname("udp.stream");
    hf_udp_length = proto_registrar_get_id_byname("udp.length");
    hf_udp_checksum = proto_registrar_get_id_byname("udp.checksum");
    hf_expert = proto_registrar_get_id_byname("_ws.expert");
    hf_expert_message = proto_registrar_get_id_byname("_ws.expert.message");
    dissector_handle_t handle = create_dissector_handle(dissect_procshark, proto_procshark);
    register_postdissector(handle);
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    const int fields[] = {hf_tcp_stream_in, hf_tcp_seq_raw, hf_tcp_ack_raw, hf_tcp_flags, hf_tcp_len,
                          hf_udp_stream_in, hf_udp_length,    hf_udp_checksum};
    g_array_append_vals(wanted, fields, G_N_ELEMENTS(fields));
    procshark_darwin_handoff(wanted);
    set_postdissector_wanted_hfids(handle, wanted);
    stats_tree_register_plugin("procshark", "procshark", "procshark/Traffic by process",
                               ST_SORT_COL_NAME << ST_FLG_SRTCOL_SHIFT | ST_FLG_SORT_DESC, st_packet, st_init, NULL);
}
