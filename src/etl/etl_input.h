/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's reader of Windows .etl traces: every event as an ETW record (docs/FORMATS.md
 * section 2), NDIS packet-capture events as frames on their own interfaces. */
#ifndef PROCSHARK_IMPORT_ETL_H
#define PROCSHARK_IMPORT_ETL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "etl_file.h"

typedef struct etl_input etl_input;

typedef enum {
    ETL_ITEM_RECORD, /* data: an ETW record for link type 290 */
    ETL_ITEM_PACKET, /* data: a frame on interface `iface` */
    ETL_ITEM_REJECT, /* where + reason: an event or bytes that could not be converted */
    ETL_ITEM_END,
    ETL_ITEM_IO_ERROR, /* reason: the file could not be read */
} etl_item_kind;

typedef struct {
    int64_t ts_ns; /* since the Unix epoch */
    const uint8_t *data; /* valid until the next call */
    size_t len;
    unsigned iface;      /* packets: index for etl_input_interface() */
    uint32_t epb_flags;  /* packets: pcapng direction bits (1 inbound, 2 outbound) */
    const char *comment; /* packets: "PID=..." as Windows tools write it; valid until the next call */
    uint32_t orig_len;   /* packets: the length before the capture cut it, 0 when it did not */
    bool has_packet_id;  /* pktmon packets: packet_id is their PktGroupId */
    uint64_t packet_id;
    bool dropped;        /* pktmon drops (event 170) */
    char where[160];     /* rejects: FILE: buffer N at byte X; empty otherwise */
    char reason[200];    /* rejects and I/O errors; empty otherwise */
} etl_item;

typedef struct {
    int wtap_encap;
    char name[64];
    char description[160];
} etl_interface;

typedef struct {
    uint64_t buffers;          /* buffers walked, damaged ones included */
    uint64_t compressed;       /* of them, compressed */
    uint64_t buffers_rejected; /* of them, those whose events could not be read at all (each reported) */
    uint64_t events;          /* event headers read */
    uint64_t records;         /* written as ETW records */
    uint64_t packet_events;   /* NDIS packet fragments */
    uint64_t packets;         /* frames made of them */
    uint64_t pktmon_events;   /* pktmon packet events (160, 170) */
    uint64_t pktmon_frames;   /* frames made of them */
    uint64_t pktmon_drops;    /* of those frames, drops (170) */
    uint64_t pktmon_folded;   /* further appearances of a packet already written, left out */
    uint64_t pktmon_records;  /* packet events of a type no link type fits, written as ETW records */
    uint64_t extended_items;  /* extended data items, which the 4.0 record layout cannot carry */
    uint64_t rejected;
} etl_input_stats;

/* True when the first bytes of a file are those of an ETL file (a buffer, then its logfile header). */
bool etl_input_recognise(const uint8_t *head, size_t len);

/* Reads the logfile header from fd (which the reader then owns). NULL with *error when fd is no
 * ETL file; NULL with *error NULL when fd holds no byte at all. name is for messages. */
etl_input *etl_input_open(int fd, const char *name, char **error);
/* pktmon packets: write every appearance of a packet, not only its first (the default). */
void etl_input_set_all_appearances(etl_input *r, bool all);
etl_item_kind etl_input_next(etl_input *r, etl_item *item);
const etl_trace_info *etl_input_trace(const etl_input *r);
unsigned etl_input_interface_count(const etl_input *r);
const etl_interface *etl_input_interface(const etl_input *r, unsigned i);
const etl_input_stats *etl_input_stats_of(const etl_input *r);
/* True when the items come in time order: the file could be indexed and its processors' buffers
 * merged (a regular file); false for a pipe, read in file order. */
bool etl_input_time_ordered(const etl_input *r);
void etl_input_free(etl_input *r);

#endif
