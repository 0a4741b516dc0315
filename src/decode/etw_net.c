/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etw_net.h"

#include "ps_text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    etw_net_field field;
    uint8_t off;
    uint8_t len;
} field_at;

#define END_OF_LAYOUT {ETW_NET_FIELD_COUNT, 0, 0}

/* Offsets from docs/FORMATS.md section 3; connid follows at the layout's prefix length. */
static const field_at layout_send4[] = {
    {ETW_NET_PID, 0, 4}, {ETW_NET_SIZE, 4, 4}, {ETW_NET_DADDR, 8, 4}, {ETW_NET_SADDR, 12, 4},
    {ETW_NET_DPORT, 16, 2}, {ETW_NET_SPORT, 18, 2}, {ETW_NET_STARTIME, 20, 4},
    {ETW_NET_ENDTIME, 24, 4}, {ETW_NET_SEQNUM, 28, 4}, END_OF_LAYOUT};
static const field_at layout_gen4[] = {
    {ETW_NET_PID, 0, 4}, {ETW_NET_SIZE, 4, 4}, {ETW_NET_DADDR, 8, 4}, {ETW_NET_SADDR, 12, 4},
    {ETW_NET_DPORT, 16, 2}, {ETW_NET_SPORT, 18, 2}, {ETW_NET_SEQNUM, 20, 4}, END_OF_LAYOUT};
static const field_at layout_conn4[] = {
    {ETW_NET_PID, 0, 4}, {ETW_NET_SIZE, 4, 4}, {ETW_NET_DADDR, 8, 4}, {ETW_NET_SADDR, 12, 4},
    {ETW_NET_DPORT, 16, 2}, {ETW_NET_SPORT, 18, 2}, {ETW_NET_MSS, 20, 2}, {ETW_NET_SACKOPT, 22, 2},
    {ETW_NET_TSOPT, 24, 2}, {ETW_NET_WSOPT, 26, 2}, {ETW_NET_RCVWIN, 28, 4},
    {ETW_NET_RCVWINSCALE, 32, 2}, {ETW_NET_SNDWINSCALE, 34, 2}, {ETW_NET_SEQNUM, 36, 4},
    END_OF_LAYOUT};
static const field_at layout_fail[] = {{ETW_NET_FAIL_PROTO, 0, 2}, {ETW_NET_FAIL_CODE, 2, 2}, END_OF_LAYOUT};
static const field_at layout_send6[] = {
    {ETW_NET_PID, 0, 4}, {ETW_NET_SIZE, 4, 4}, {ETW_NET_DADDR, 8, 16}, {ETW_NET_SADDR, 24, 16},
    {ETW_NET_DPORT, 40, 2}, {ETW_NET_SPORT, 42, 2}, {ETW_NET_STARTIME, 44, 4},
    {ETW_NET_ENDTIME, 48, 4}, {ETW_NET_SEQNUM, 52, 4}, END_OF_LAYOUT};
static const field_at layout_gen6[] = {
    {ETW_NET_PID, 0, 4}, {ETW_NET_SIZE, 4, 4}, {ETW_NET_DADDR, 8, 16}, {ETW_NET_SADDR, 24, 16},
    {ETW_NET_DPORT, 40, 2}, {ETW_NET_SPORT, 42, 2}, {ETW_NET_SEQNUM, 44, 4}, END_OF_LAYOUT};
static const field_at layout_conn6[] = {
    {ETW_NET_PID, 0, 4}, {ETW_NET_SIZE, 4, 4}, {ETW_NET_DADDR, 8, 16}, {ETW_NET_SADDR, 24, 16},
    {ETW_NET_DPORT, 40, 2}, {ETW_NET_SPORT, 42, 2}, {ETW_NET_MSS, 44, 2}, {ETW_NET_SACKOPT, 46, 2},
    {ETW_NET_TSOPT, 48, 2}, {ETW_NET_WSOPT, 50, 2}, {ETW_NET_RCVWIN, 52, 4},
    {ETW_NET_RCVWINSCALE, 56, 2}, {ETW_NET_SNDWINSCALE, 58, 2}, {ETW_NET_SEQNUM, 60, 4},
    END_OF_LAYOUT};

typedef struct {
    const field_at *fields;
    uint8_t prefix; /* bytes before connid (the whole payload for Fail) */
    bool has_connid;
    int ip_version;
} layout_info;

static const layout_info layouts[] = {
    [ETW_NET_LAYOUT_NONE] = {NULL, 0, false, 0},
    [ETW_NET_LAYOUT_SEND4] = {layout_send4, 32, true, 4},
    [ETW_NET_LAYOUT_GEN4] = {layout_gen4, 24, true, 4},
    [ETW_NET_LAYOUT_CONN4] = {layout_conn4, 40, true, 4},
    [ETW_NET_LAYOUT_FAIL] = {layout_fail, 4, false, 0},
    [ETW_NET_LAYOUT_SEND6] = {layout_send6, 56, true, 6},
    [ETW_NET_LAYOUT_GEN6] = {layout_gen6, 48, true, 6},
    [ETW_NET_LAYOUT_CONN6] = {layout_conn6, 64, true, 6},
};

typedef struct {
    uint16_t type;
    const char *name;
    etw_net_action action;
    etw_net_layout layout;
} event_info;

/* TCP: TcpIp opcodes and Kernel-Network ids alike. */
static const event_info tcp_events[] = {
    {10, "SendIPV4", ETW_NET_SEND, ETW_NET_LAYOUT_SEND4},
    {11, "RecvIPV4", ETW_NET_RECV, ETW_NET_LAYOUT_GEN4},
    {12, "ConnectIPV4", ETW_NET_CONNECT, ETW_NET_LAYOUT_CONN4},
    {13, "DisconnectIPV4", ETW_NET_DISCONNECT, ETW_NET_LAYOUT_GEN4},
    {14, "RetransmitIPV4", ETW_NET_RETRANSMIT, ETW_NET_LAYOUT_GEN4},
    {15, "AcceptIPV4", ETW_NET_ACCEPT, ETW_NET_LAYOUT_CONN4},
    {16, "ReconnectIPV4", ETW_NET_RECONNECT, ETW_NET_LAYOUT_GEN4},
    {17, "Fail", ETW_NET_FAIL, ETW_NET_LAYOUT_FAIL},
    {18, "TCPCopyIPV4", ETW_NET_COPY, ETW_NET_LAYOUT_GEN4},
    {26, "SendIPV6", ETW_NET_SEND, ETW_NET_LAYOUT_SEND6},
    {27, "RecvIPV6", ETW_NET_RECV, ETW_NET_LAYOUT_GEN6},
    {28, "ConnectIPV6", ETW_NET_CONNECT, ETW_NET_LAYOUT_CONN6},
    {29, "DisconnectIPV6", ETW_NET_DISCONNECT, ETW_NET_LAYOUT_GEN6},
    {30, "RetransmitIPV6", ETW_NET_RETRANSMIT, ETW_NET_LAYOUT_GEN6},
    {31, "AcceptIPV6", ETW_NET_ACCEPT, ETW_NET_LAYOUT_CONN6},
    {32, "ReconnectIPV6", ETW_NET_RECONNECT, ETW_NET_LAYOUT_GEN6},
    {34, "TCPCopyIPV6", ETW_NET_COPY, ETW_NET_LAYOUT_GEN6},
};

static const event_info udpip_events[] = {
    {10, "UdpSendIPV4", ETW_NET_SEND, ETW_NET_LAYOUT_GEN4},
    {11, "UdpRecvIPV4", ETW_NET_RECV, ETW_NET_LAYOUT_GEN4},
    {17, "UdpFail", ETW_NET_FAIL, ETW_NET_LAYOUT_FAIL},
    {26, "UdpSendIPV6", ETW_NET_SEND, ETW_NET_LAYOUT_GEN6},
    {27, "UdpRecvIPV6", ETW_NET_RECV, ETW_NET_LAYOUT_GEN6},
};

static const event_info kernel_network_udp_events[] = {
    {42, "UdpSendIPV4", ETW_NET_SEND, ETW_NET_LAYOUT_GEN4},
    {43, "UdpRecvIPV4", ETW_NET_RECV, ETW_NET_LAYOUT_GEN4},
    {49, "UdpFail", ETW_NET_FAIL, ETW_NET_LAYOUT_FAIL},
    {58, "UdpSendIPV6", ETW_NET_SEND, ETW_NET_LAYOUT_GEN6},
    {59, "UdpRecvIPV6", ETW_NET_RECV, ETW_NET_LAYOUT_GEN6},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const event_info *find_event(const event_info *table, size_t n, uint16_t type)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].type == type)
            return &table[i];
    return NULL;
}

static void read_field(etw_net_event *ev, etw_net_field field, const uint8_t *p)
{
    switch (field) {
    case ETW_NET_PID: ev->pid = ps_le32(p); break;
    case ETW_NET_SIZE: ev->size = ps_le32(p); break;
    case ETW_NET_DADDR: memcpy(ev->daddr, p, ev->span[field].len); break;
    case ETW_NET_SADDR: memcpy(ev->saddr, p, ev->span[field].len); break;
    case ETW_NET_DPORT: ev->dport = ps_be16(p); break;
    case ETW_NET_SPORT: ev->sport = ps_be16(p); break;
    case ETW_NET_STARTIME: ev->startime = ps_le32(p); break;
    case ETW_NET_ENDTIME: ev->endtime = ps_le32(p); break;
    case ETW_NET_SEQNUM: ev->seqnum = ps_le32(p); break;
    case ETW_NET_CONNID: ev->connid = ev->span[field].len == 8 ? ps_le64(p) : ps_le32(p); break;
    case ETW_NET_MSS: ev->mss = ps_le16(p); break;
    case ETW_NET_SACKOPT: ev->sackopt = ps_le16(p); break;
    case ETW_NET_TSOPT: ev->tsopt = ps_le16(p); break;
    case ETW_NET_WSOPT: ev->wsopt = ps_le16(p); break;
    case ETW_NET_RCVWIN: ev->rcvwin = ps_le32(p); break;
    case ETW_NET_RCVWINSCALE: ev->rcvwinscale = (int16_t)ps_le16(p); break;
    case ETW_NET_SNDWINSCALE: ev->sndwinscale = (int16_t)ps_le16(p); break;
    case ETW_NET_FAIL_PROTO: ev->fail_proto = ps_le16(p); break;
    case ETW_NET_FAIL_CODE: ev->fail_code = ps_le16(p); break;
    case ETW_NET_FIELD_COUNT: break;
    }
}

static bool is_network_provider(etw_provider provider)
{
    return provider == ETW_PROVIDER_TCPIP || provider == ETW_PROVIDER_UDPIP ||
           provider == ETW_PROVIDER_KERNEL_NETWORK;
}

bool etw_net_decode(etw_provider provider, uint16_t id, uint8_t opcode, uint8_t version,
                    const uint8_t *payload, size_t len, size_t declared_len, etw_net_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (!is_network_provider(provider))
        return false;
    ev->provider = provider;
    ev->version = version;

    const event_info *info;
    if (provider == ETW_PROVIDER_KERNEL_NETWORK) {
        ev->type = id;
        info = find_event(tcp_events, COUNT(tcp_events), id);
        if (!info)
            info = find_event(kernel_network_udp_events, COUNT(kernel_network_udp_events), id);
    } else {
        ev->type = opcode;
        info = provider == ETW_PROVIDER_TCPIP ? find_event(tcp_events, COUNT(tcp_events), opcode)
                                              : find_event(udpip_events, COUNT(udpip_events), opcode);
    }
    /* Bytes past the declared payload belong to the record's message or padding. */
    if (len > declared_len)
        len = declared_len;
    if (!info) {
        ps_problems_add(&ev->problems, ETW_NET_UNKNOWN_EVENT, 0, len,
                        "%s event type %u is not a known network event", etw_provider_name(provider), ev->type);
        return true;
    }
    bool udp = provider == ETW_PROVIDER_UDPIP || (provider == ETW_PROVIDER_KERNEL_NETWORK && id >= 42);
    ev->event_name = info->name;
    ev->transport = udp ? "UDP" : "TCP";
    ev->action = info->action;
    ev->layout = info->layout;

    const layout_info *layout = &layouts[info->layout];
    ev->ip_version = layout->ip_version;
    ev->expected_len[0] = layout->prefix + (layout->has_connid ? 4 : 0);
    ev->expected_len[1] = layout->prefix + (layout->has_connid ? 8 : 0);

    if (provider == ETW_PROVIDER_KERNEL_NETWORK ? version != 0 : version != 2) {
        if (provider != ETW_PROVIDER_KERNEL_NETWORK && version < 2)
            ps_problems_add(&ev->problems, ETW_NET_PRE_VISTA, 0, len,
                            "%s version %u is a pre-Vista layout: not decoded", info->name, version);
        else
            ps_problems_add(&ev->problems, ETW_NET_UNKNOWN_VERSION, 0, len, "%s version %u is unknown: not decoded",
                            info->name, version);
        return true;
    }

    for (const field_at *f = layout->fields; f->field != ETW_NET_FIELD_COUNT; f++) {
        if ((size_t)f->off + f->len > len)
            continue;
        ev->span[f->field] = (ps_span){f->off, f->len};
        read_field(ev, f->field, payload + f->off);
    }

    const size_t prefix = layout->prefix;
    etw_net_status status;
    if (declared_len < prefix) {
        status = ETW_NET_TRUNCATED;
    } else if (!layout->has_connid) {
        status = declared_len == prefix ? ETW_NET_OK : ETW_NET_BAD_LENGTH;
    } else if (declared_len - prefix == 4 || declared_len - prefix == 8) {
        ev->connid_width = (unsigned)(declared_len - prefix);
        status = ETW_NET_OK;
    } else {
        status = declared_len < prefix + 4 ? ETW_NET_TRUNCATED : ETW_NET_BAD_LENGTH;
    }
    if (ev->connid_width && prefix + ev->connid_width <= len) {
        ev->span[ETW_NET_CONNID] = (ps_span){prefix, ev->connid_width};
        read_field(ev, ETW_NET_CONNID, payload + prefix);
    }
    if (status == ETW_NET_OK) {
        /* Sized right, but the record ends inside it (the record reports that too). */
        if (len < declared_len)
            ps_problems_add(&ev->problems, ETW_NET_TRUNCATED, 0, len, "%s payload ends after %zu of its %zu bytes",
                            info->name, len, declared_len);
        return true;
    }
    char expected[40];
    if (ev->expected_len[0] == ev->expected_len[1])
        snprintf(expected, sizeof expected, "%zu bytes", ev->expected_len[0]);
    else
        snprintf(expected, sizeof expected, "%zu or %zu bytes", ev->expected_len[0], ev->expected_len[1]);
    if (status == ETW_NET_BAD_LENGTH)
        ps_problems_add(&ev->problems, status, 0, len, "%s payload of %zu bytes fits no layout (expected %s)",
                        info->name, declared_len, expected);
    else
        ps_problems_add(&ev->problems, status, 0, len, "%s payload of %zu bytes is shorter than its layout (%s)",
                        info->name, declared_len, expected);
    return true;
}

bool etw_net_has_byte_count(const etw_net_event *ev)
{
    return ev->span[ETW_NET_SIZE].len &&
           (ev->action == ETW_NET_SEND || ev->action == ETW_NET_RECV ||
            ev->action == ETW_NET_RETRANSMIT || ev->action == ETW_NET_COPY);
}

static const char *const fail_codes[] = {
    NULL,
    "insufficient resources",
    "too many addresses",
    "address exists",
    "invalid address",
    "other",
    "time-wait address exists",
};

const char *etw_net_fail_code_name(uint16_t code)
{
    return code < COUNT(fail_codes) && fail_codes[code] ? fail_codes[code] : "unknown";
}

const char *etw_net_fail_proto_name(uint16_t proto)
{
    return proto == 2 ? "IPv4" : proto == 23 ? "IPv6" : "unknown";
}

static const char *const action_verbs[] = {
    [ETW_NET_SEND] = "send",       [ETW_NET_RECV] = "recv",
    [ETW_NET_CONNECT] = "connect", [ETW_NET_DISCONNECT] = "disconnect",
    [ETW_NET_RETRANSMIT] = "retransmit", [ETW_NET_ACCEPT] = "accept",
    [ETW_NET_RECONNECT] = "reconnect",   [ETW_NET_FAIL] = "fail",
    [ETW_NET_COPY] = "copy",
};

static void append_endpoint(ps_line *l, const etw_net_event *ev, const uint8_t *addr, bool addr_known,
                            uint16_t port, bool port_known)
{
    bool v6 = ev->ip_version == 6;
    if (v6)
        ps_line_char(l, '[');
    if (addr_known)
        ps_line_ip(l, v6 ? 6 : 4, addr);
    else
        ps_line_char(l, '?');
    ps_line_str(l, v6 ? "]:" : ":");
    if (port_known)
        ps_line_uint(l, port);
    else
        ps_line_char(l, '?');
}

/* Whether the data flows remote -> local in the Info line. */
static bool flows_inbound(const etw_net_event *ev)
{
    if (ev->action == ETW_NET_ACCEPT || ev->action == ETW_NET_COPY)
        return true;
    /* UDP receive keeps the datagram's own order: saddr is its source. */
    return ev->action == ETW_NET_RECV && strcmp(ev->transport, "TCP") == 0;
}

void etw_net_describe(const etw_net_event *ev, char *out, size_t out_size)
{
    if (!ev->event_name) {
        snprintf(out, out_size, "%s unknown event %u", etw_provider_name(ev->provider), ev->type);
        return;
    }
    if (ps_problems_has(&ev->problems, ETW_NET_PRE_VISTA) ||
        ps_problems_has(&ev->problems, ETW_NET_UNKNOWN_VERSION)) {
        snprintf(out, out_size, "%s %s version %u, not decoded", ev->transport, ev->event_name, ev->version);
        return;
    }
    if (ev->action == ETW_NET_FAIL) {
        if (ev->span[ETW_NET_FAIL_CODE].len)
            snprintf(out, out_size, "%s fail %s: %s", ev->transport,
                     etw_net_fail_proto_name(ev->fail_proto), etw_net_fail_code_name(ev->fail_code));
        else
            snprintf(out, out_size, "%s fail", ev->transport);
        return;
    }
    /* Every record's Info line: built without printf. */
    ps_line l = ps_line_start(out, out_size);
    ps_line_str(&l, ev->transport);
    ps_line_char(&l, 'v');
    ps_line_uint(&l, (uint64_t)ev->ip_version); /* 4 or 6 here: Fail, with 0, is told above */
    ps_line_char(&l, ' ');
    ps_line_str(&l, action_verbs[ev->action]);
    if (etw_net_has_byte_count(ev)) {
        ps_line_char(&l, ' ');
        ps_line_uint(&l, ev->size);
        ps_line_str(&l, " bytes");
    }
    ps_line_char(&l, ' ');
    bool inbound = flows_inbound(ev);
    for (int side = 0; side < 2; side++) {
        bool local = (side == 0) != inbound;
        if (side)
            ps_line_str(&l, PS_ARROW);
        if (local)
            append_endpoint(&l, ev, ev->saddr, ev->span[ETW_NET_SADDR].len, ev->sport, ev->span[ETW_NET_SPORT].len);
        else
            append_endpoint(&l, ev, ev->daddr, ev->span[ETW_NET_DADDR].len, ev->dport, ev->span[ETW_NET_DPORT].len);
    }
    if (ev->span[ETW_NET_PID].len) {
        ps_line_str(&l, " pid ");
        ps_line_uint(&l, ev->pid);
    }
}
