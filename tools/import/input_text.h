/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's text records, shared by the tracee and Get-NetTCPConnection kinds: read by
 * src/text/text_input.c, each record's text an exported PDU for its kind's dissector. A kind says
 * how its text is laid out and what a record's time is. */
#ifndef PROCSHARK_IMPORT_INPUT_TEXT_H
#define PROCSHARK_IMPORT_INPUT_TEXT_H
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "input.h"
#include "text_input.h"

typedef struct text_records text_records;

typedef struct {
    text_format format;
    const char *what; /* its records, in its interface's description: "tracee events" */
    /* The record's time; false, with *why (g_free it), when it cannot be a record. */
    bool (*record_time)(const text_records *t, const GString *payload, int64_t *ts, char **why);
} text_records_kind;

/* An input's state. */
struct text_records {
    const text_records_kind *kind;
    int fd;
    text_reader *reader; /* NULL: empty */
    size_t max_payload;
    int64_t snapshot_ns; /* Get-NetTCPConnection: when it ran, the time of its rows */
};

/* A text starting with '{': tracee's or Get-NetTCPConnection's (or Get-NetUDPEndpoint's), as its
 * first object's keys say; ends the run when they say neither. */
const input_kind *text_records_object_kind(importer *im, const input *in, const input_sample *sample);

/* The input_kind hooks of text records; open is the kind's, calling text_records_open. */
void text_records_open(importer *im, input *in, const text_records_kind *kind);
void text_records_read(importer *im, input *in);
unsigned text_records_reorder(const input *in);
uint64_t text_records_bytes_read(const input *in);
void text_records_describe(importer *im, input *in, output_interfaces *ifs);
void text_records_close(input *in);

#endif
