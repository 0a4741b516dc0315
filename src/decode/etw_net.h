/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TcpIp, UdpIp and Microsoft-Windows-Kernel-Network payloads, docs/FORMATS.md section 3. */
#ifndef ETW_NET_H
#define ETW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "etw_record.h"
#include "ps_bytes.h"
#include "ps_problem.h"

typedef enum {
    ETW_NET_PID,
    ETW_NET_SIZE,
    ETW_NET_DADDR, /* IPv4 or IPv6, 4 or 16 bytes */
    ETW_NET_SADDR,
    ETW_NET_DPORT,
    ETW_NET_SPORT,
    ETW_NET_STARTIME,
    ETW_NET_ENDTIME,
    ETW_NET_SEQNUM,
    ETW_NET_CONNID,
    ETW_NET_MSS,
    ETW_NET_SACKOPT,
    ETW_NET_TSOPT,
    ETW_NET_WSOPT,
    ETW_NET_RCVWIN,
    ETW_NET_RCVWINSCALE,
    ETW_NET_SNDWINSCALE,
    ETW_NET_FAIL_PROTO,
    ETW_NET_FAIL_CODE,
    ETW_NET_FIELD_COUNT
} etw_net_field;

/* The codes of etw_net_event.problems: at most one is reported, none (ETW_NET_OK) for a sound
 * payload. */
typedef enum {
    ETW_NET_OK,
    ETW_NET_TRUNCATED,       /* shorter than the layout, or than declared: fields inside the bounds decoded */
    ETW_NET_BAD_LENGTH,      /* longer, but the rest is no connid width (4 or 8) */
    ETW_NET_UNKNOWN_EVENT,   /* not a network event this provider defines */
    ETW_NET_PRE_VISTA,       /* versions 0 and 1 of the classic classes: another layout */
    ETW_NET_UNKNOWN_VERSION,
} etw_net_status;

typedef enum {
    ETW_NET_LAYOUT_NONE,
    ETW_NET_LAYOUT_SEND4,
    ETW_NET_LAYOUT_GEN4,
    ETW_NET_LAYOUT_CONN4,
    ETW_NET_LAYOUT_FAIL,
    ETW_NET_LAYOUT_SEND6,
    ETW_NET_LAYOUT_GEN6,
    ETW_NET_LAYOUT_CONN6,
} etw_net_layout;

typedef enum {
    ETW_NET_SEND,
    ETW_NET_RECV,
    ETW_NET_CONNECT,
    ETW_NET_DISCONNECT,
    ETW_NET_RETRANSMIT,
    ETW_NET_ACCEPT,
    ETW_NET_RECONNECT,
    ETW_NET_FAIL,
    ETW_NET_COPY,
} etw_net_action;

typedef struct {
    etw_provider provider;
    uint16_t type;           /* TcpIp/UdpIp opcode, Kernel-Network id */
    uint8_t version;
    const char *event_name;  /* "SendIPV4", "UdpRecvIPV6", ...; NULL for an unknown type */
    const char *transport;   /* "TCP" or "UDP"; NULL for an unknown type */
    etw_net_action action;
    etw_net_layout layout;
    int ip_version;          /* 4, 6, or 0 for Fail */
    ps_problems problems;    /* offsets in the payload; the only thing ev owns: ps_problems_clear() */
    size_t expected_len[2];  /* the lengths the layout allows (both equal for Fail) */
    unsigned connid_width;   /* 4 or 8 once known, else 0 */
    ps_span span[ETW_NET_FIELD_COUNT]; /* offsets in the payload; len 0 = absent */

    uint32_t pid;
    uint32_t size;
    uint8_t daddr[16]; /* network byte order; 4 bytes used for IPv4 */
    uint8_t saddr[16];
    uint16_t dport;
    uint16_t sport;
    uint32_t startime;
    uint32_t endtime;
    uint32_t seqnum;
    uint64_t connid;
    uint16_t mss;
    uint16_t sackopt;
    uint16_t tsopt;
    uint16_t wsopt;
    uint32_t rcvwin;
    int16_t rcvwinscale;
    int16_t sndwinscale;
    uint16_t fail_proto;
    uint16_t fail_code;
} etw_net_event;

/* Decodes a payload of a network provider into a fresh or cleared ev. declared_len is the
 * UserDataLength of the record: it chooses the connid width, while only len bytes are read (less
 * when the record was cut short). Returns false when the provider is not one of them. */
bool etw_net_decode(etw_provider provider, uint16_t id, uint8_t opcode, uint8_t version,
                    const uint8_t *payload, size_t len, size_t declared_len, etw_net_event *ev);

/* Whether the event carries a byte count worth showing (send, recv, retransmit, copy). */
bool etw_net_has_byte_count(const etw_net_event *ev);

/* One line for the Info column, e.g.
 * "TCPv4 send 77 bytes 10.121.106.118:61739 -> 157.56.244.38:443 pid 2716". Arrows follow the
 * data: sends and connects go local -> remote, receives and accepts remote -> local. */
void etw_net_describe(const etw_net_event *ev, char *out, size_t out_size);

const char *etw_net_fail_proto_name(uint16_t proto);
const char *etw_net_fail_code_name(uint16_t code);

#endif
