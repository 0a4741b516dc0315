/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which process owns each end of each TCP and UDP packet: records' claims on sockets are matched with
 * packets. Plain C and GLib, no Wireshark types: the plugin feeds it frame by frame, the unit tests
 * feed it directly. The rules are in docs/ATTRIBUTION.md; correlate.c's top comment has the model. */
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

typedef enum {
    PS_MATCH_NONE,
    PS_MATCH_PACKET,     /* a claim naming the packet itself (addresses, ports, seq, ack and flags) */
    PS_MATCH_EVENT,      /* a send/recv/connect/accept claim that fits the packet */
    PS_MATCH_CONNECTION, /* the socket's owner, known from another packet or claim of the connection
                          * (UDP: the claim about the flow's sockets nearest in time) */
    PS_MATCH_SOCKET,     /* UDP: the local socket's owner, from its claim nearest in time with any peer */
    PS_MATCH_SNAPSHOT,   /* an endpoint table row for the endpoints, created before the packet */
    PS_MATCH_COMMENT,    /* a comment on the packet itself, when nothing else names the end */
} ps_match;

/* What a record says about one socket, in the order the levels above use them. */
typedef enum {
    PS_CLAIM_NONE,     /* about a socket, but nothing the engine uses (a failed connect, no pid) */
    PS_CLAIM_PACKET,   /* one packet: its direction, seq, ack and flags (UDP: length and checksum) */
    PS_CLAIM_DATA,     /* a payload of up to `size` bytes sent or received */
    PS_CLAIM_OPEN,     /* the connection's SYN, sent (connect; reconnect: again) or received (accept) */
    PS_CLAIM_SOCKET,   /* the socket's owner, tied to no packet (a disconnect, a flow event) */
    PS_CLAIM_SNAPSHOT, /* a table row: the socket's owner from its creation on, whenever the row was taken;
                        * UDP: without a peer for any peer, at the all-zero address for any address */
    PS_CLAIM_COMMENT,  /* a comment on one packet naming a process, used only where no other claim names
                        * the end: the thread that happened to run, or a copy of an earlier answer */
    PS_CLAIM_HANDOVER, /* TCP: the socket's owner from this time on (another process began using it) */
} ps_claim_kind;

/* TCP flag bits as in the header. */
enum { PS_TCP_FIN = 0x01, PS_TCP_SYN = 0x02, PS_TCP_RST = 0x04, PS_TCP_ACK = 0x10 };
enum { PS_TRANSPORT_TCP = 6, PS_TRANSPORT_UDP = 17 };
/* Source ids are the caller's (src/source/source.h); the engine only groups by them. */
#define PS_CORR_MAX_SOURCES 8

/* A record's claim that a process owns a socket. Each source turns its records into claims
 * (src/source/); the engine knows claims, not sources. */
typedef struct {
    uint8_t source;     /* < PS_CORR_MAX_SOURCES: clocks are estimated per source and host */
    uint8_t rank;       /* of two sources claiming a socket, the higher rank's owner wins */
    uint8_t transport;  /* PS_TRANSPORT_TCP or PS_TRANSPORT_UDP */
    ps_claim_kind kind;
    ps_endpoint owned;  /* the socket the process owns */
    ps_endpoint peer;
    bool outgoing;      /* PACKET, DATA, OPEN: the packet leaves `owned` */
    bool retransmit;    /* DATA: resent data, too late to estimate a clock from */
    bool kernel_thread; /* the context that ran was a kernel thread, not the socket's owner */
    uint32_t seq, ack;  /* PACKET; UDP: the header's length field and checksum */
    uint16_t tcp_flags; /* PACKET; UDP: 0 */
    uint32_t size;      /* DATA, OPEN: bytes the record counts (UDP: payload bytes) */
    bool has_creation;  /* SNAPSHOT: creation_ns is known */
    int64_t creation_ns;
    bool has_pid;
    uint32_t pid;
    const char *name;      /* NULL: from process events */
    const char *container; /* NULL: none */
    uint32_t origin;       /* where the record came from (a capture interface: one file of rows), 0: unknown;
                            * a row for every address speaks only for addresses its origin named */
} ps_claim;

/* A process starting or ending, which names its pid for that lifetime. */
typedef enum {
    PS_PROCESS_START,         /* started during the trace */
    PS_PROCESS_RUNNING,       /* already running when the trace began (a rundown) */
    PS_PROCESS_END,           /* ended */
    PS_PROCESS_STILL_RUNNING, /* still running when the trace ended (a rundown) */
} ps_process_change;

typedef struct ps_corr ps_corr;

ps_corr *ps_corr_new(void);
void ps_corr_free(ps_corr *c);

/* Matching window (default 1 s) and a manual offset added to every record's time. */
void ps_corr_set_window(ps_corr *c, int64_t ns);
void ps_corr_set_manual_offset(ps_corr *c, int64_t ns);
/* Estimate each host's constant clock offset, per source, from exact matches (default on). */
void ps_corr_set_estimate_offsets(ps_corr *c, bool on);

/* Records and packets are fed once each, in frame order; a frame fed again is ignored (a frame
 * may hold several claims: of different sources or sockets, such as a packet's comments).
 * Strings are copied. Claims of kind NONE, without a pid or about neither TCP nor UDP are ignored. */
void ps_corr_add_claim(ps_corr *c, uint32_t frame, int64_t time_ns, const ps_claim *claim);
void ps_corr_add_process(ps_corr *c, uint32_t frame, int64_t time_ns, ps_process_change change, uint32_t pid,
                         const char *image);
/* A TCP segment of tcp.stream `stream`; len is its payload's. */
void ps_corr_add_packet(ps_corr *c, uint32_t frame, int64_t time_ns, uint32_t stream, const ps_endpoint *src,
                        const ps_endpoint *dst, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len);
/* A UDP datagram of udp.stream `stream`: its header's length and checksum; len is its payload's. */
void ps_corr_add_datagram(ps_corr *c, uint32_t frame, int64_t time_ns, uint32_t stream, const ps_endpoint *src,
                          const ps_endpoint *dst, uint16_t udp_length, uint16_t checksum, uint32_t len);

typedef struct {
    bool known;
    uint32_t pid;
    const char *name;      /* NULL when unknown */
    const char *container; /* NULL when none */
    unsigned source;
    ps_match match;
    uint32_t record_frame; /* the record that decided */
    bool kernel_thread;
    bool disagreement;     /* another source names another process for this socket: */
    uint32_t other_pid;
    unsigned other_source;
    uint32_t other_frame;
} ps_owner;

typedef struct {
    ps_owner src;
    ps_owner dst;
    uint8_t transport; /* PS_TRANSPORT_* */
    uint32_t stream;   /* the packet's flow: tcp.stream or udp.stream */
} ps_attribution;

/* Everything is matched again, with all records and estimated clock offsets, on the first query
 * after new data. */
void ps_corr_finalize(ps_corr *c);

/* provisional: answer from what was fed so far, without finalizing (one pass over a capture:
 * records later than the packet are not considered). False when the frame is no fed packet. */
bool ps_corr_packet(ps_corr *c, uint32_t frame, bool provisional, ps_attribution *out);

typedef struct {
    unsigned source;
    bool network;          /* a claim with both endpoints */
    bool matchable;        /* a claim that describes one packet (PACKET, DATA, OPEN) */
    bool matched;          /* a packet matched it directly */
    uint32_t packet_frame; /* the first such packet */
    bool has_stream;
    uint8_t transport;     /* PS_TRANSPORT_* of the stream */
    uint32_t stream;       /* the flow it belongs to: tcp.stream or udp.stream */
    /* The clock of its source on its host (the address of the socket it speaks for): */
    int64_t clock_offset;   /* applied: estimated plus manual */
    unsigned clock_samples; /* the exact matches the estimate came from; 0: none estimated */
    bool first_of_clock;    /* the first record of that clock */
} ps_record_info;

/* False when the frame is no fed record. Finalizes. */
bool ps_corr_record(ps_corr *c, uint32_t frame, ps_record_info *out);

/* The first record of a source, or 0. */
/* The packets whose answer (either end) names this record: how many, the first and the last.
 * False when the frame is no fed record. Finalizes. */
bool ps_corr_record_decided(ps_corr *c, uint32_t frame, uint32_t *count, uint32_t *first, uint32_t *last);
uint32_t ps_corr_first_record_frame(const ps_corr *c, unsigned source);

/* Bytes of correlation state per record, for the benchmark. */
size_t ps_corr_record_state_size(void);

bool ps_corr_is_kernel_thread(uint32_t pid, const char *name);

#endif
