/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes pcapng: interfaces declared up front, then records in the order given. Our own records
 * (pcapng_writer_write) are laid out here; headers, interfaces and copied capture records are
 * written through wiretap. */
#ifndef PCAPNG_WRITER_H
#define PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <wiretap/wtap.h>

typedef struct {
    int wtap_encap;          /* WTAP_ENCAP_* */
    const char *name;        /* if_name */
    const char *description; /* if_description, may be NULL */
} pcapng_interface;

typedef struct pcapng_writer pcapng_writer;

/* Starts wiretap once per process. */
void pcapng_writer_init_library(const char *progname);

/* NULL on failure, with *error set to a message to g_free(). */
pcapng_writer *pcapng_writer_open(const char *path, const pcapng_interface *interfaces, size_t count,
                                  char **error);

/* What a record of ours carries besides its bytes: enhanced packet block options, and its length
 * before a capture cut it. */
typedef struct {
    uint32_t flags;      /* epb_flags: 1 inbound, 2 outbound; 0 for none */
    const char *comment; /* NULL: none */
    uint32_t orig_len;   /* 0: the bytes written are the whole packet */
    bool has_packet_id;
    uint64_t packet_id;  /* epb_packetid */
    bool xdp_drop;       /* epb_verdict eBPF XDP with XDP_DROP (1): the packet was dropped */
} pcapng_packet_meta;

/* ts_ns: nanoseconds since the Unix epoch. meta may be NULL (no options). Written in blocks of a
 * megabyte: the file is complete once pcapng_writer_close returns true. */
bool pcapng_writer_write(pcapng_writer *w, unsigned interface_id, int64_t ts_ns, const uint8_t *data,
                         size_t len, const pcapng_packet_meta *meta, char **error);

/* --- Copying captures (procshark-import) ------------------------------------------------------ */

/* A new interface description block for one of our interfaces (nanosecond resolution), as
 * pcapng_writer_open makes them. wtap_block_unref it. */
wtap_block_t pcapng_interface_block(const pcapng_interface *iface);

/* Opens a writer on fd, which it owns from then on: pcapng_writer_close closes it, and so does a
 * failure to open (path is for messages). idbs: wiretap
 * interface blocks (wtap_block_t, at least one), copied with all their options, possibly read
 * from other captures. shb_comments: NULL-terminated, may be NULL. dsbs: decryption secrets blocks
 * (wtap_block_t) that the caller appends to while writing; each is written before the next record
 * (may be NULL; must outlive the writer). application: the SHB's user application. */
pcapng_writer *pcapng_writer_fdopen(int fd, const char *path, const GArray *idbs, const char *const *shb_comments,
                                    const GArray *dsbs, const char *application, char **error);

/* Adds an interface while writing (its block is written at once); *id is its number. */
bool pcapng_writer_add_interface(pcapng_writer *w, wtap_block_t idb, unsigned *id, char **error);

unsigned pcapng_writer_interface_count(const pcapng_writer *w);
/* The WTAP_ENCAP_* of an interface, -1 when there is no such interface. */
int pcapng_writer_interface_encap(const pcapng_writer *w, unsigned id);

typedef enum {
    PCAPNG_WRITE_OK,
    PCAPNG_WRITE_REJECTED, /* this record cannot be written (nothing was written); the file is intact */
    PCAPNG_WRITE_FAILED,   /* the file could not be written */
} pcapng_write_status;

/* Writes a record as wiretap read it, with its len bytes of data: its block (comments, flags,
 * verdicts...) included. A packet's interface_id must be one of this writer's interfaces with the
 * packet's encapsulation. */
pcapng_write_status pcapng_writer_write_rec(pcapng_writer *w, const wtap_rec *rec, const uint8_t *data,
                                            size_t len, char **error);

/* Everything written so far into the file now (a live capture's reader waits for it); false (with
 * *error) when it could not be written. */
bool pcapng_writer_flush(pcapng_writer *w, char **error);

/* Flushes and closes; false (with *error) when the file could not be completed. Always frees w. */
bool pcapng_writer_close(pcapng_writer *w, char **error);

#endif
