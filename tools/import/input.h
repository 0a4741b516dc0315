/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's input kinds and what the driver (procshark-import.c) offers them.
 *
 * Each kind (input_<kind>.c) is one input_kind entry of hooks, listed once in the driver's table;
 * an input holds what every kind has, and its kind's own state behind in->state. The driver owns
 * the run (an importer, passed explicitly): messages, the reorder buffers, the output. */
#ifndef PROCSHARK_IMPORT_INPUT_H
#define PROCSHARK_IMPORT_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "pcapng_writer.h"
#include "source.h"

#define PROGRAM "procshark-import"
#define NS_PER_S INT64_C(1000000000)

/* The reorder buffers' sizes in records, by kind; every buffer holds at most REORDER_BYTES too. */
#define REORDER_RECORDS 4096u
/* Captures come in time order but for small skews between interfaces; a small buffer stays in
 * the processor's cache (merging is twice as fast as with the text inputs' buffer). */
#define REORDER_CAPTURE_RECORDS 256u
/* An ETL file holds one run of buffers per CPU, each in time order but written as they filled.
 * The reader merges them when it can seek; from a pipe a window of many buffers puts them back in
 * order. */
#define REORDER_ETL_RECORDS 65536u

typedef struct importer importer;
typedef struct input_kind input_kind;

/* One input: what every kind has. */
typedef struct {
    const input_kind *kind; /* NULL: given without a kind and empty, so none could be told */
    unsigned index;
    char *path;       /* as given; "-" is standard input */
    char *name;       /* in messages */
    bool is_stdin;
    bool by_content;  /* its kind was recognised from its content, not given */
    bool empty;       /* nothing to read */
    struct stat st;
    uint64_t size;    /* for the progress line; 0 when unknown */
    int64_t shift_ns; /* --time-shift */
    unsigned out_iface; /* output interface of its records that are no capture's */
    void *state;      /* its kind's */
    uint64_t read, written, rejected, late;
    char *problem;    /* a file-level problem (empty file), already reported */
    /* its part of the reorder buffers */
    uint64_t seq;
    unsigned buffered;
    size_t buffered_bytes;
    bool eof;
} input;

/* A record read, waiting in the reorder buffers. */
typedef struct {
    int64_t ts;
    unsigned input;
    uint64_t seq;
    uint8_t *data;
    size_t len;
    size_t capacity;  /* of data, when it came from the pool */
    wtap_rec *rec;    /* packet captures: the record as read, its block included */
    uint64_t number;  /* packet captures: record number and offset, for messages */
    int64_t offset;
    /* Without a wtap record: a packet on one of the input's own interfaces (its kind's
     * packet_interface maps iface when it is written), else a record on its records' interface.
     * Its options go with it (a comment is kept in data, after the len bytes). */
    bool packet;
    unsigned iface;
    pcapng_packet_meta meta;
} pending;

/* The start of a file given without a kind, for recognising it. */
typedef struct {
    const uint8_t *head; /* its first bytes */
    size_t head_len;
    const GString *text;    /* its first 64 KiB as text (a byte order mark dropped, UTF-16 converted) */
    const char *start;      /* in text: the first character that is not white space */
    const char *first_line; /* the line from start */
} input_sample;

/* The interfaces the output starts with, as they are gathered. */
typedef struct {
    GArray *idbs;   /* wtap_block_t; an interface's id is its index */
    GPtrArray *own; /* the blocks made for it, freed once the output has them */
} output_interfaces;

/* --snapshot-time [FILE=]TIME: when Get-NetTCPConnection ran. */
typedef struct {
    char *file; /* NULL: every nettcp input */
    int64_t ns;
    bool used;
} snapshot_time;

struct input_kind {
    /* The event source its records come from (src/source/): its import_option names the kind
     * (--OPTION FILE, the summary, a --time-shift SOURCE) and its records go to its pdu_dissector
     * as exported PDUs. NULL: packets, named by `name`. */
    const ps_source_info *source;
    const char *name;
    /* --help: the option's argument, and what it reads (lines after the first indented). */
    const char *argument;
    const char *help;
    /* Whether a file given without a kind is of this kind, from its start. Kinds are asked in the
     * table's order; one may end the run for a start that no kind can take. */
    bool (*recognise)(importer *im, const input *in, const input_sample *sample);
    /* Called for every input of the kind, empty or not: sets in->state up as the other hooks need
     * it, with a reader when the input is not empty (it may find it empty: a pipe with nothing in
     * it). Ends the run when the input cannot be read. */
    void (*open)(importer *im, input *in);
    /* Once every input is open: what depends on the other options. NULL: nothing. */
    void (*settle)(importer *im, input *in);
    /* Reads until one record is buffered, one is rejected, or the input ends. */
    void (*read)(importer *im, input *in);
    unsigned (*reorder_records)(const input *in); /* its reorder buffer's size in records */
    uint64_t (*bytes_read)(const input *in); /* for the progress line; NULL: not known */
    /* Adds the interfaces its records need from the start. */
    void (*describe)(importer *im, input *in, output_interfaces *ifs);
    /* Output interface of a packet it read. NULL: it reads no packets. */
    unsigned (*packet_interface)(importer *im, input *in, const pending *p);
    /* After the last record is written. NULL: nothing. */
    void (*finish)(importer *im, input *in);
    /* Lines of its own under its summary line. NULL: none. */
    void (*summarise)(importer *im, const input *in);
    void (*close)(input *in); /* frees in->state (when there is one) */
};

extern const input_kind input_packets, input_tracee, input_nettcp, input_etl, input_procrec;

/* --NAME FILE gives an input of this kind. */
static inline const char *input_kind_name(const input_kind *kind)
{
    return kind->source ? kind->source->import_option : kind->name;
}

/* Messages: one line on standard error each, the progress line cleared first, control characters
 * escaped. */
void importer_message(importer *im, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Ends the run: nothing written to a file output, exit 2. */
G_GNUC_NORETURN void importer_die(importer *im, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The same, with the usage line. */
G_GNUC_NORETURN void importer_usage_error(importer *im, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* A rejected record: reported and counted; with --strict, the end. */
void importer_rejected(importer *im, input *in, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* An input with no record at all: reported, and the run exits 1 (with --strict, 2). */
void importer_report_empty(importer *im, input *in);

/* A record without a wiretap record, with room for len bytes. */
pending *importer_record_pending(importer *im, size_t len);
/* A record with a wiretap record, with room for len bytes. */
pending *importer_capture_pending(importer *im, size_t len);
/* Into the reorder buffers. */
void importer_buffer(importer *im, input *in, pending *p);
/* ts + the input's shift, when it stays within what pcapng holds (1970 to 2262). */
bool input_shifted(const input *in, int64_t ts, int64_t *out);

/* --all-appearances: write every appearance of a pktmon packet, not only its first. */
bool importer_all_appearances(const importer *im);
/* Whether the output is open: interfaces added now get their id at once. */
bool importer_writing(const importer *im);
/* An interface added to the open output (the block is copied); its id. */
unsigned importer_add_interface(importer *im, wtap_block_t idb);
/* The link type of the output's interface id. */
int importer_interface_encap(const importer *im, unsigned id);
/* The output's section header: a comment, and decryption secrets (wtap_block_t, written as they
 * come). */
void importer_add_shb_comment(importer *im, const char *comment);
GArray *importer_secrets(importer *im);
const GPtrArray *importer_snapshot_times(importer *im);

/* Before the output opens: an interface of the inputs' (the block stays theirs); its id. */
unsigned output_interfaces_add(output_interfaces *ifs, wtap_block_t idb);
/* The interface of an input's records, named after its file; its id. */
unsigned output_interfaces_add_records(output_interfaces *ifs, const input *in, int encap, const char *description);

#endif
