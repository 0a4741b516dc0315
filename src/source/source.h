/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event sources procshark reads. Each source describes itself once here and in its
 * source_<name>.c: its name, its records' protocols, how the importer takes its files, its rank,
 * and how its decoded records claim sockets (correlate.h). The engine, the postdissector, the
 * importer and (through the plugin's proc.record.* fields) the Lua API work from this.
 * docs/ARCHITECTURE.md has the checklist for adding a source. */
#ifndef PS_SOURCE_H
#define PS_SOURCE_H

#include "correlate.h"
#include "etw_net.h"
#include "etw_process.h"
#include "nettcp_row.h"
#include "pidtid_comment.h"
#include "proc_annotation.h"
#include "procrec_event.h"
#include "ptcpdump_comment.h"
#include "tracee_event.h"

typedef enum {
    PS_SOURCE_ETW,
    PS_SOURCE_TRACEE,
    PS_SOURCE_NETTCP,
    PS_SOURCE_PTCPDUMP,
    PS_SOURCE_ETL2PCAPNG,
    PS_SOURCE_ANNOTATION,
    PS_SOURCE_DARWIN,
    PS_SOURCE_PROCREC,
    PS_SOURCE_COUNT
} ps_source;

typedef struct {
    const char *name;          /* proc.source and proc.record.source */
    const char *title;         /* for people: "tracee events" */
    const char *protocols;     /* its records in Wireshark, as a display filter */
    const char *pdu_dissector; /* records travel as exported PDUs for this dissector; NULL: own link type */
    const char *import_option; /* procshark-import --OPTION FILE reads its files; NULL: none */
    uint8_t rank;              /* of two sources' owners of one socket, the higher rank's wins */
    bool on_packets;           /* its records are the packets themselves (comments): on the capture's
                                * clock, so no clock offset applies to them */
} ps_source_info;

extern const ps_source_info ps_source_etw, ps_source_tracee, ps_source_nettcp, ps_source_ptcpdump,
    ps_source_etl2pcapng, ps_source_annotation, ps_source_darwin, ps_source_procrec;
extern const ps_source_info *const ps_sources[PS_SOURCE_COUNT];

/* NULL when no source has that name. */
const ps_source_info *ps_source_named(const char *name);

/* A claim of a source, zeroed (kind PS_CLAIM_NONE) but for its source, rank and transport TCP. */
void ps_claim_init(ps_claim *claim, ps_source source);

/* Each returns whether the record speaks for a socket (claim->owned is then set); claim->kind
 * says what the engine may use (PS_CLAIM_NONE: nothing). */
bool ps_etw_net_claim(const etw_net_event *ev, ps_claim *claim);
bool ps_tracee_claim(const tracee_event *ev, ps_claim *claim);
bool ps_nettcp_claim(const nettcp_row *row, ps_claim *claim);
bool ps_procrec_claim(const procrec_event *ev, ps_claim *claim);

/* The packet a comment or Darwin process information is on, as the capture shows it. */
typedef enum { PS_DIR_UNKNOWN, PS_DIR_OUTBOUND, PS_DIR_INBOUND } ps_direction; /* pcapng EPB flags */
typedef struct {
    uint8_t transport; /* PS_TRANSPORT_* */
    ps_endpoint src, dst;
    ps_direction direction;
    uint32_t seq, ack; /* TCP: raw; UDP: the header's length and checksum */
    uint16_t tcp_flags;
} ps_packet_facts;
bool ps_ptcpdump_claim(const ptcpdump_info *info, const ps_packet_facts *packet, ps_claim *claim);
/* An etl2pcapng comment names the packet's local socket at the comment level; false when the packet
 * does not say its direction. */
bool ps_etl2pcapng_claim(const pidtid_comment *comment, const ps_packet_facts *packet, ps_claim *claim);
/* One end of procshark's annotation (0: the packet's source, 1: its destination) as a comment-level
 * claim on that end's socket; false when the annotation does not know that end. */
bool ps_annotation_claim(const proc_annotation *ann, int end, const ps_packet_facts *packet, ps_claim *claim);
/* The process macOS's pktap wrote on a packet (docs/FORMATS.md section 10), as Wireshark shows it. */
typedef struct {
    uint32_t pid;
    const char *name; /* NULL: none */
} ps_darwin_process;
/* The socket the packet belongs to, by its direction: its owner is the process. */
bool ps_darwin_claim(const ps_darwin_process *process, const ps_packet_facts *packet, ps_claim *claim);
/* Whether the packet runs between two sockets of one host (loopback addresses, or one address). */
bool ps_packet_is_loopback(const ps_packet_facts *packet);

/* The lifetime change an ETW Process event tells; false when it tells none. */
bool ps_etw_process_change(const etw_proc_event *ev, ps_process_change *change);

#endif
