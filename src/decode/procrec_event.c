/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record's events, docs/FORMATS.md section 11. Every check names the byte it is about,
 * so that the plugin marks it and the importer says where it lies. */
#include "procrec_event.h"

#include <string.h>

#include <glib.h>

#include "ps_bytes.h"
#include "ps_text.h"

bool procrec_recognise(const uint8_t *data, size_t len)
{
    return len >= PROCREC_MAGIC_SIZE && memcmp(data, PROCREC_MAGIC, PROCREC_MAGIC_SIZE) == 0;
}

bool procrec_header_decode(const uint8_t *data, size_t len, procrec_header *header, ps_problems *problems)
{
    memset(header, 0, sizeof *header);
    if (!procrec_recognise(data, len)) {
        ps_problems_add(problems, PROCREC_BAD_HEADER, 0, MIN(len, PROCREC_MAGIC_SIZE),
                        "no procshark-record header: the file does not start with \"PSREC\" and three NUL bytes");
        return false;
    }
    if (len < PROCREC_HEADER_SIZE) {
        ps_problems_add(problems, PROCREC_TRUNCATED, 0, len, "the header ends after %zu of its %d bytes", len,
                        PROCREC_HEADER_SIZE);
        return false;
    }
    header->version = ps_le32(data + 8);
    header->record_size = ps_le32(data + 12);
    if (header->version == 0) {
        ps_problems_add(problems, PROCREC_BAD_HEADER, 8, 4, "version 0 is no version of the format");
        return false;
    }
    /* A later version may only add to the record: its first bytes are version 1's. */
    if (header->record_size < PROCREC_RECORD_SIZE) {
        ps_problems_add(problems, PROCREC_BAD_HEADER, 12, 4, "record size %u is less than version 1's %d bytes",
                        header->record_size, PROCREC_RECORD_SIZE);
        return false;
    }
    if (header->record_size > PROCREC_RECORD_SIZE_MAX) {
        ps_problems_add(problems, PROCREC_BAD_HEADER, 12, 4, "record size %u is implausible (more than %d bytes)",
                        header->record_size, PROCREC_RECORD_SIZE_MAX);
        return false;
    }
    return true;
}

static const char *const what_names[] = {
    [PROCREC_CONNECT] = "connect",   [PROCREC_ACCEPT] = "accept",     [PROCREC_CLOSE] = "close",
    [PROCREC_STATE] = "state",       [PROCREC_UDP_SEND] = "UDP send", [PROCREC_UDP_RECEIVE] = "UDP receive",
    [PROCREC_PACKET] = "packet",
    [PROCREC_SNAPSHOT] = "snapshot",
    [PROCREC_OWNER] = "owner",
};
static const char *const kind_names[] = {
    [PROCREC_KIND_TCP] = "TCP socket event", [PROCREC_KIND_UDP] = "UDP flow", [PROCREC_KIND_LOST] = "lost events"};
/* include/net/tcp_states.h */
static const char *const tcp_state_names[] = {
    [1] = "ESTABLISHED", [2] = "SYN_SENT",  [3] = "SYN_RECV",   [4] = "FIN_WAIT1",     [5] = "FIN_WAIT2",
    [6] = "TIME_WAIT",   [7] = "CLOSE",     [8] = "CLOSE_WAIT", [9] = "LAST_ACK",      [10] = "LISTEN",
    [11] = "CLOSING",    [12] = "NEW_SYN_RECV", [13] = "BOUND_INACTIVE",
};

const char *procrec_what_name(uint8_t what) { return what < G_N_ELEMENTS(what_names) ? what_names[what] : NULL; }
const char *procrec_kind_name(uint8_t kind) { return kind < G_N_ELEMENTS(kind_names) ? kind_names[kind] : NULL; }
const char *procrec_tcp_state_name(uint8_t state)
{
    return state < G_N_ELEMENTS(tcp_state_names) ? tcp_state_names[state] : NULL;
}

/* A text field: up to its first NUL, as valid UTF-8. need_nul: the field must hold one (the
 * kernel's comm always does; a 64-hex container id fills its field). */
static void decode_text(const uint8_t *field, size_t size, size_t off, const char *what, bool need_nul, char *out,
                        ps_problems *problems)
{
    const uint8_t *nul = memchr(field, 0, size);
    size_t len = nul ? (size_t)(nul - field) : size;
    if (!nul && need_nul)
        ps_problems_add(problems, PROCREC_BAD_TEXT, off, size, "%s is not NUL-terminated", what);
    size_t bad;
    if (!ps_text_valid_utf8((const char *)field, len, &bad))
        ps_problems_add(problems, PROCREC_BAD_TEXT, off + bad, 1, "%s is not UTF-8 (byte %zu of it)", what, bad);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        gunichar c = g_utf8_get_char_validated((const char *)field + i, (gssize)(len - i));
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            size_t n = (size_t)g_utf8_skip[field[i]];
            memcpy(out + o, field + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    if (ps_text_needs_escape(out))
        ps_problems_add(problems, PROCREC_BAD_TEXT, off, len, "%s holds control characters", what);
}

static void check_zero(const uint8_t *rec, size_t off, size_t len, ps_problems *problems)
{
    for (size_t i = off; i < off + len; i++) {
        if (rec[i]) {
            ps_problems_add(problems, PROCREC_BAD_VALUE, i, 1, "reserved byte %zu is 0x%02x, not 0", i, rec[i]);
            return;
        }
    }
}

/* The family, protocol, what and states one kind allows. */
static void check_socket_event(const procrec_event *ev, ps_problems *problems)
{
    const bool tcp = ev->kind == PROCREC_KIND_TCP;
    if (ev->family != 4 && ev->family != 6)
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_FAMILY, 1, "family %u is neither 4 nor 6",
                        ev->family);
    const uint8_t protocol = tcp ? PROCREC_PROTO_TCP : PROCREC_PROTO_UDP;
    if (ev->protocol != protocol)
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_PROTOCOL, 1, "protocol %u in a %s record (%u expected)",
                        ev->protocol, kind_names[ev->kind], protocol);
    const bool snapshot = ev->what == PROCREC_SNAPSHOT, packet = ev->what == PROCREC_PACKET;
    const bool what_fits = snapshot || packet ||
                           (tcp ? (ev->what >= PROCREC_CONNECT && ev->what <= PROCREC_STATE) || ev->what == PROCREC_OWNER
                                : ev->what == PROCREC_UDP_SEND || ev->what == PROCREC_UDP_RECEIVE);
    if (!procrec_what_name(ev->what))
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_WHAT, 1, "what %u is unknown", ev->what);
    else if (!what_fits)
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_WHAT, 1, "what %u (%s) in a %s record", ev->what,
                        what_names[ev->what], kind_names[ev->kind]);
    const uint8_t states[2] = {ev->old_state, ev->new_state};
    for (int s = 0; s < 2; s++) {
        const size_t off = s ? PROCREC_OFF_NEW_STATE : PROCREC_OFF_OLD_STATE;
        const char *name = s ? "new state" : "old state";
        /* A snapshot saw one state, no change: the new one. */
        if (snapshot && !s && states[s])
            ps_problems_add(problems, PROCREC_BAD_VALUE, off, 1, "%s %u in a snapshot record (0 expected)", name,
                            states[s]);
        else if (snapshot && !s)
            continue;
        else if (tcp && !packet && !procrec_tcp_state_name(states[s]))
            ps_problems_add(problems, PROCREC_BAD_VALUE, off, 1, "%s %u is no TCP state", name, states[s]);
        else if ((!tcp || packet) && states[s])
            ps_problems_add(problems, PROCREC_BAD_VALUE, off, 1, "%s %u in a %s record (0 expected)", name,
                            states[s], packet ? "packet" : "UDP");
    }
}

/* A packet event's own fields: a direction, and those of its protocol only. */
static void check_packet(const uint8_t *rec, const procrec_event *ev, ps_problems *problems)
{
    if (ev->direction != PROCREC_DIRECTION_OUT && ev->direction != PROCREC_DIRECTION_IN)
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_DIRECTION, 1,
                        "direction %u is neither 1 (out) nor 2 (in)", ev->direction);
    if (ev->kind == PROCREC_KIND_TCP) {
        if (ev->tcp_flags & ~0x0fffu)
            ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_TCP_FLAGS, 2,
                            "TCP flags 0x%04x: bits above the 12 of the header are set", ev->tcp_flags);
        check_zero(rec, PROCREC_OFF_UDP_LENGTH, 4, problems);
    } else if (ev->kind == PROCREC_KIND_UDP) {
        check_zero(rec, PROCREC_OFF_SEQ, 10, problems);
        if (ev->udp_length < 8)
            ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_UDP_LENGTH, 2,
                            "UDP length %u is less than its header's 8 bytes", ev->udp_length);
    }
    check_zero(rec, PROCREC_OFF_RESERVED3, PROCREC_RECORD_SIZE - PROCREC_OFF_RESERVED3, problems);
}

bool procrec_event_decode(const uint8_t *rec, size_t len, procrec_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (len < PROCREC_RECORD_SIZE) {
        ps_problems_add(&ev->problems, PROCREC_TRUNCATED, 0, len, "the record ends after %zu of its %d bytes", len,
                        PROCREC_RECORD_SIZE);
        return false;
    }
    ev->time_ns = ps_le64(rec + PROCREC_OFF_TIME);
    ev->kind = rec[PROCREC_OFF_KIND];
    ev->family = rec[PROCREC_OFF_FAMILY];
    ev->protocol = rec[PROCREC_OFF_PROTOCOL];
    ev->what = rec[PROCREC_OFF_WHAT];
    ev->old_state = rec[PROCREC_OFF_OLD_STATE];
    ev->new_state = rec[PROCREC_OFF_NEW_STATE];
    ev->pid = ps_le32(rec + PROCREC_OFF_PID);
    ev->tid = ps_le32(rec + PROCREC_OFF_TID);
    ev->ppid = ps_le32(rec + PROCREC_OFF_PPID);
    ev->uid = ps_le32(rec + PROCREC_OFF_UID);
    ev->cgroup_id = ps_le64(rec + PROCREC_OFF_CGROUP_ID);
    memcpy(ev->local_addr, rec + PROCREC_OFF_LOCAL_ADDR, 16);
    memcpy(ev->remote_addr, rec + PROCREC_OFF_REMOTE_ADDR, 16);
    ev->local_port = ps_le16(rec + PROCREC_OFF_LOCAL_PORT);
    ev->remote_port = ps_le16(rec + PROCREC_OFF_REMOTE_PORT);
    ev->flags = ps_le32(rec + PROCREC_OFF_FLAGS);
    ev->lost = ps_le64(rec + PROCREC_OFF_LOST);
    const bool packet = ev->what == PROCREC_PACKET && ev->kind != PROCREC_KIND_LOST;
    if (packet) {
        ev->seq = ps_le32(rec + PROCREC_OFF_SEQ);
        ev->ack = ps_le32(rec + PROCREC_OFF_ACK);
        ev->tcp_flags = ps_le16(rec + PROCREC_OFF_TCP_FLAGS);
        ev->udp_length = ps_le16(rec + PROCREC_OFF_UDP_LENGTH);
        ev->udp_checksum = ps_le16(rec + PROCREC_OFF_UDP_CHECKSUM);
        ev->direction = rec[PROCREC_OFF_DIRECTION];
    }

    ps_problems *problems = &ev->problems;
    switch (ev->kind) {
    case PROCREC_KIND_TCP:
    case PROCREC_KIND_UDP:
        check_socket_event(ev, problems);
        if (ev->what == PROCREC_SNAPSHOT) {
            ev->created_after_ns = ev->lost;
            ev->lost = 0;
        }
        if (ev->lost)
            ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_LOST, 8,
                            "lost is %" G_GUINT64_FORMAT " in a %s record (0 expected)", ev->lost,
                            kind_names[ev->kind]);
        break;
    case PROCREC_KIND_LOST:
        /* Nothing but the time and the count: the recorder zeroes the rest, unchecked here. */
        if (ev->family)
            ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_FAMILY, 1,
                            "family %u in a lost-events record (0 expected)", ev->family);
        break;
    default:
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_KIND, 1, "kind %u is unknown", ev->kind);
        break;
    }
    /* An IPv4 address uses the first 4 bytes of its 16. */
    if (ev->kind != PROCREC_KIND_LOST && ev->family == 4) {
        check_zero(rec, PROCREC_OFF_LOCAL_ADDR + 4, 12, problems);
        check_zero(rec, PROCREC_OFF_REMOTE_ADDR + 4, 12, problems);
    }
    if (ev->flags & ~(uint32_t)PROCREC_FLAG_OWNER)
        ps_problems_add(problems, PROCREC_BAD_VALUE, PROCREC_OFF_FLAGS, 4, "flags 0x%08x: bits other than 0 are set",
                        ev->flags);
    check_zero(rec, PROCREC_OFF_RESERVED1, 2, problems);
    if (packet)
        check_packet(rec, ev, problems);
    else
        check_zero(rec, PROCREC_OFF_RESERVED2, PROCREC_RECORD_SIZE - PROCREC_OFF_RESERVED2, problems);
    decode_text(rec + PROCREC_OFF_COMM, PROCREC_COMM_SIZE, PROCREC_OFF_COMM, "comm", true, ev->comm, problems);
    decode_text(rec + PROCREC_OFF_CONTAINER, PROCREC_CONTAINER_SIZE, PROCREC_OFF_CONTAINER, "container id", false,
                ev->container_id, problems);
    return true;
}

void procrec_event_clear(procrec_event *ev) { ps_problems_clear(&ev->problems); }

static void append_end(GString *s, int family, const uint8_t *addr, uint16_t port)
{
    char text[64];
    ps_line l = ps_line_start(text, sizeof text);
    if (family == 6)
        ps_line_char(&l, '[');
    ps_line_ip(&l, family, addr);
    if (family == 6)
        ps_line_char(&l, ']');
    ps_line_char(&l, ':');
    ps_line_uint(&l, port);
    g_string_append(s, text);
}

void procrec_event_describe(const procrec_event *ev, char *out, size_t out_size)
{
    GString *s = g_string_new(NULL);
    if (ev->kind == PROCREC_KIND_LOST) {
        g_string_printf(s, "lost %" G_GUINT64_FORMAT " events", ev->lost);
    } else {
        const char *what = procrec_what_name(ev->what);
        if (what)
            g_string_append(s, what);
        else
            g_string_append_printf(s, "what %u", ev->what);
        g_string_append_printf(s, " %s (%u) ", ev->comm, ev->pid);
        append_end(s, ev->family, ev->local_addr, ev->local_port);
        const bool packet = ev->what == PROCREC_PACKET;
        const bool out = ev->what == PROCREC_CONNECT || ev->what == PROCREC_UDP_SEND ||
                         (packet && ev->direction == PROCREC_DIRECTION_OUT);
        const bool in = ev->what == PROCREC_ACCEPT || ev->what == PROCREC_UDP_RECEIVE ||
                        (packet && ev->direction == PROCREC_DIRECTION_IN);
        const char *arrow = out ? PS_ARROW : in ? " \xe2\x86\x90 " : " \xe2\x86\x94 ";
        g_string_append(s, arrow);
        append_end(s, ev->family, ev->remote_addr, ev->remote_port);
        if (ev->kind == PROCREC_KIND_TCP && ev->what == PROCREC_SNAPSHOT) {
            const char *state = procrec_tcp_state_name(ev->new_state);
            g_string_append_printf(s, " %s", state ? state : "?");
        } else if (ev->kind == PROCREC_KIND_TCP && (ev->what == PROCREC_CLOSE || ev->what == PROCREC_STATE)) {
            const char *from = procrec_tcp_state_name(ev->old_state), *to = procrec_tcp_state_name(ev->new_state);
            g_string_append_printf(s, " %s" PS_ARROW "%s", from ? from : "?", to ? to : "?");
        } else if (packet && ev->kind == PROCREC_KIND_TCP) {
            g_string_append_printf(s, " seq %u ack %u flags 0x%03x", ev->seq, ev->ack, ev->tcp_flags);
        } else if (packet) {
            g_string_append_printf(s, " length %u checksum 0x%04x", ev->udp_length, ev->udp_checksum);
        }
    }
    g_strlcpy(out, s->str, out_size);
    g_string_free(s, TRUE);
}
