/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record's event files (docs/FORMATS.md section 11): a 16-byte header, then fixed-size
 * binary records of socket ownership taken in the kernel. */
#ifndef PROCREC_EVENT_H
#define PROCREC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

#define PROCREC_MAGIC "PSREC\0\0\0"
enum {
    PROCREC_MAGIC_SIZE = 8,
    PROCREC_HEADER_SIZE = 16,
    PROCREC_VERSION = 1,
    PROCREC_RECORD_SIZE = 192, /* version 1's record; a later version's records start with it */
    PROCREC_RECORD_SIZE_MAX = 65536, /* larger is no plausible record: a hostile or broken header */
    PROCREC_COMM_SIZE = 16,
    PROCREC_CONTAINER_SIZE = 64,
};

/* Where each field is in a record. */
enum {
    PROCREC_OFF_TIME = 0,
    PROCREC_OFF_KIND = 8,
    PROCREC_OFF_FAMILY = 9,
    PROCREC_OFF_PROTOCOL = 10,
    PROCREC_OFF_WHAT = 11,
    PROCREC_OFF_OLD_STATE = 12,
    PROCREC_OFF_NEW_STATE = 13,
    PROCREC_OFF_RESERVED1 = 14,
    PROCREC_OFF_PID = 16,
    PROCREC_OFF_TID = 20,
    PROCREC_OFF_PPID = 24,
    PROCREC_OFF_UID = 28,
    PROCREC_OFF_CGROUP_ID = 32,
    PROCREC_OFF_LOCAL_ADDR = 40,
    PROCREC_OFF_REMOTE_ADDR = 56,
    PROCREC_OFF_LOCAL_PORT = 72,
    PROCREC_OFF_REMOTE_PORT = 74,
    PROCREC_OFF_FLAGS = 76,
    PROCREC_OFF_COMM = 80,
    PROCREC_OFF_CONTAINER = 96,
    PROCREC_OFF_LOST = 160,
    PROCREC_OFF_CREATED_AFTER = 160, /* a snapshot's, where kind 3 has lost */
    PROCREC_OFF_RESERVED2 = 168,
    /* A packet event (what 7) uses bytes 168 to 182 of those. */
    PROCREC_OFF_SEQ = 168,
    PROCREC_OFF_ACK = 172,
    PROCREC_OFF_TCP_FLAGS = 176,
    PROCREC_OFF_UDP_LENGTH = 178,
    PROCREC_OFF_UDP_CHECKSUM = 180,
    PROCREC_OFF_DIRECTION = 182,
    PROCREC_OFF_RESERVED3 = 183,
};

typedef enum { PROCREC_KIND_TCP = 1, PROCREC_KIND_UDP = 2, PROCREC_KIND_LOST = 3 } procrec_kind;
typedef enum {
    PROCREC_CONNECT = 1, /* the local socket sends the first SYN */
    PROCREC_ACCEPT = 2,  /* the process accepted the connection */
    PROCREC_CLOSE = 3,
    PROCREC_STATE = 4,   /* another TCP state change */
    PROCREC_UDP_SEND = 5,
    PROCREC_UDP_RECEIVE = 6,
    PROCREC_PACKET = 7,   /* one packet of the socket (procshark-record --per-packet) */
    PROCREC_SNAPSHOT = 8, /* a socket table row: the socket and one of its owners, seen at time_ns */
    PROCREC_OWNER = 9, /* a TCP socket sent from by a process other than its recorded owner: its new owner */
} procrec_what;
/* A packet event's direction: the packet leaves the local end, or arrives at it. */
enum { PROCREC_DIRECTION_OUT = 1, PROCREC_DIRECTION_IN = 2 };
/* flags: the pid is the socket's owner as recorded at connect or accept, not whichever context ran. */
enum { PROCREC_FLAG_OWNER = 1u << 0 };
enum { PROCREC_PROTO_TCP = 6, PROCREC_PROTO_UDP = 17 };

/* The codes of the problems the decoders report. */
typedef enum {
    PROCREC_TRUNCATED = 1, /* fewer bytes than a header or a record */
    PROCREC_BAD_HEADER,    /* not this format, or a version or record size it cannot read */
    PROCREC_BAD_VALUE,     /* a field holds a value the format does not define */
    PROCREC_BAD_TEXT,      /* comm or container id: not NUL-terminated, not UTF-8, control characters */
} procrec_problem;

typedef struct {
    uint32_t version;
    uint32_t record_size; /* the bytes of each record; the first PROCREC_RECORD_SIZE are decoded */
} procrec_header;

typedef struct {
    uint64_t time_ns; /* since the Unix epoch */
    uint8_t kind, family, protocol, what, old_state, new_state;
    uint32_t pid, tid, ppid, uid;
    uint64_t cgroup_id;
    uint8_t local_addr[16], remote_addr[16]; /* network byte order; IPv4 in the first 4 bytes */
    uint16_t local_port, remote_port;
    uint32_t flags;
    /* As UTF-8: the record's bytes up to the first NUL, each invalid byte as U+FFFD (3 bytes). */
    char comm[PROCREC_COMM_SIZE * 3 + 1];
    char container_id[PROCREC_CONTAINER_SIZE * 3 + 1];
    uint64_t lost;
    uint64_t created_after_ns; /* snapshot: the socket was made after this time; 0: unknown */
    /* Packet events: the header's fields; tcp_flags as Wireshark's tcp.flags (12 bits). */
    uint32_t seq, ack;
    uint16_t tcp_flags, udp_length, udp_checksum;
    uint8_t direction;
    ps_problems problems; /* offsets in the record; the only thing ev owns: procrec_event_clear() */
} procrec_event;

/* Whether data starts with the magic. */
bool procrec_recognise(const uint8_t *data, size_t len);
/* False with one problem when the header is short, not this format, or unreadable. */
bool procrec_header_decode(const uint8_t *data, size_t len, procrec_header *header, ps_problems *problems);

/* Decodes the first PROCREC_RECORD_SIZE bytes of a record (later bytes are a later version's).
 * False, with one PROCREC_TRUNCATED problem, when there are fewer; else every field is set and each
 * value the format does not allow adds a problem at its offset. */
bool procrec_event_decode(const uint8_t *data, size_t len, procrec_event *ev);
void procrec_event_clear(procrec_event *ev);

/* Names, NULL when unknown: "connect"; Linux's TCP states "ESTABLISHED" ... "BOUND_INACTIVE". */
const char *procrec_what_name(uint8_t what);
const char *procrec_kind_name(uint8_t kind);
const char *procrec_tcp_state_name(uint8_t state);

/* "connect curl (4242) 10.0.0.1:50000 → 93.184.216.34:443", "lost 17 events": the local end first
 * (IPv6 in brackets), → for connect, UDP send and an outgoing packet, ← for accept, UDP receive and
 * an incoming packet, ↔ for the other state changes, which name their states after; a packet its
 * header's fields ("seq 1 ack 2 flags 0x018", "length 40 checksum 0xabcd"). Text from the record
 * as it is: escape it before showing it. */
void procrec_event_describe(const procrec_event *ev, char *out, size_t out_size);

#endif
