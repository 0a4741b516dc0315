/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which process owns each end of each TCP packet: records (ETW, tracee, Get-NetTCPConnection) are
 * matched with packets. Plain C and GLib, no Wireshark types: the plugin feeds it frame by frame,
 * the unit tests feed it directly. The rules are in README.md ("Attribution rules"). */
#ifndef CORRELATE_H
#define CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
} ps_endpoint;

typedef enum { PS_SOURCE_ETW, PS_SOURCE_TRACEE, PS_SOURCE_NETTCP, PS_SOURCE_COUNT } ps_source;

typedef enum {
    PS_MATCH_NONE,
    PS_MATCH_PACKET,     /* a tracee event with the packet's addresses, ports, seq, ack and flags */
    PS_MATCH_EVENT,      /* an ETW send/recv/connect/accept/retransmit that fits the packet */
    PS_MATCH_CONNECTION, /* the socket's owner, known from another packet or event of the connection */
    PS_MATCH_SNAPSHOT,   /* a Get-NetTCPConnection row for the endpoints, created before the packet */
} ps_match;

/* ETW network event kinds that speak for a socket. */
typedef enum {
    PS_ETW_SEND,
    PS_ETW_RECV,
    PS_ETW_CONNECT,
    PS_ETW_ACCEPT,
    PS_ETW_RETRANSMIT,
    PS_ETW_OTHER, /* disconnect, reconnect, copy: the owner only */
} ps_etw_kind;

/* TCP flag bits as in the header. */
enum { PS_TCP_FIN = 0x01, PS_TCP_SYN = 0x02, PS_TCP_RST = 0x04, PS_TCP_ACK = 0x10 };

typedef struct ps_corr ps_corr;

ps_corr *ps_corr_new(void);
void ps_corr_free(ps_corr *c);

/* Matching window (default 1 s) and a manual offset added to every record's time. */
void ps_corr_set_window(ps_corr *c, int64_t ns);
void ps_corr_set_manual_offset(ps_corr *c, int64_t ns);
/* Estimate each host's constant clock offset, per source, from exact matches (default on). */
void ps_corr_set_estimate_offsets(ps_corr *c, bool on);

/* Records and packets are fed once each, in frame order; a frame fed again is ignored.
 * Strings are copied. */
void ps_corr_add_tracee(ps_corr *c, uint32_t frame, int64_t time_ns, const ps_endpoint *src, const ps_endpoint *dst,
                        bool egress, bool has_tcp, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t pid,
                        const char *name, const char *container);
void ps_corr_add_etw_net(ps_corr *c, uint32_t frame, int64_t time_ns, ps_etw_kind kind, const ps_endpoint *local,
                         const ps_endpoint *remote, uint32_t pid, uint32_t size);
/* ETW Process events: opcode 1 Start, 2 End, 3 DCStart, 4 DCEnd, 39 Defunct. */
void ps_corr_add_etw_process(ps_corr *c, uint32_t frame, int64_t time_ns, uint8_t opcode, uint32_t pid,
                             const char *image);
/* has_creation false when the row gives no CreationTime. */
void ps_corr_add_nettcp(ps_corr *c, uint32_t frame, int64_t snapshot_ns, const ps_endpoint *local,
                        const ps_endpoint *remote, uint32_t pid, bool has_creation, int64_t creation_ns);
void ps_corr_add_packet(ps_corr *c, uint32_t frame, int64_t time_ns, uint32_t stream, const ps_endpoint *src,
                        const ps_endpoint *dst, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len);

typedef struct {
    bool known;
    uint32_t pid;
    const char *name;      /* NULL when unknown */
    const char *container; /* NULL when none */
    ps_source source;
    ps_match match;
    uint32_t record_frame; /* the record that decided */
    bool kernel_thread;
    bool disagreement;     /* another source names another process for this socket: */
    uint32_t other_pid;
    ps_source other_source;
    uint32_t other_frame;
} ps_owner;

typedef struct {
    ps_owner src;
    ps_owner dst;
    uint32_t stream; /* the packet's TCP connection */
} ps_attribution;

/* Everything is matched again, with all records and estimated clock offsets, on the first query
 * after new data. */
void ps_corr_finalize(ps_corr *c);

/* provisional: answer from what was fed so far, without finalizing (one pass over a capture:
 * records later than the packet are not considered). False when the frame is no fed packet. */
bool ps_corr_packet(ps_corr *c, uint32_t frame, bool provisional, ps_attribution *out);

typedef struct {
    ps_source source;
    bool network;          /* a record about a socket (not an ETW Process event) */
    bool matchable;        /* of a kind that describes one packet (send, recv, a tracee packet...) */
    bool matched;          /* a packet matched it directly */
    uint32_t packet_frame; /* the first such packet */
    bool has_stream;
    uint32_t stream;       /* the TCP connection it belongs to */
    /* The clock of its source on its host (the address of the socket it speaks for): */
    int64_t clock_offset;   /* applied: estimated plus manual */
    unsigned clock_samples; /* the exact matches the estimate came from; 0: none estimated */
    bool first_of_clock;    /* the first record of that clock */
} ps_record_info;

/* False when the frame is no fed record. Finalizes. */
bool ps_corr_record(ps_corr *c, uint32_t frame, ps_record_info *out);

/* The first record of a source, or 0. */
uint32_t ps_corr_first_record_frame(const ps_corr *c, ps_source source);

/* Bytes of correlation state per record, for the benchmark. */
size_t ps_corr_record_state_size(void);

bool ps_corr_is_kernel_thread(uint32_t pid, const char *name);

#endif
