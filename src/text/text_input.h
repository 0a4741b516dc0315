/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's text inputs, read as streams in bounded memory: JSON lines (tracee --output
 * json), JSON values (Get-NetTCPConnection | ConvertTo-Json: an array of objects, one object, or
 * objects one after another) and CSV (Export-Csv). UTF-8, with or without a byte order mark;
 * UTF-16 with a byte order mark (what Windows PowerShell's ">" and Out-File write) is converted.
 *
 * Each call hands out one record's text, valid UTF-8 and at most max_record bytes, or says why a
 * record cannot be one; a record that is too long is skipped without being buffered. */
#ifndef PROCSHARK_IMPORT_TEXT_H
#define PROCSHARK_IMPORT_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    TEXT_JSON_LINES,  /* one JSON object per line; blank lines are skipped */
    TEXT_JSON_VALUES, /* JSON arrays and objects one after another; an array's elements are the records */
    TEXT_CSV,         /* optional "#TYPE ..." line, a header row, rows; each row becomes a JSON object */
    TEXT_JSON_OR_CSV, /* JSON values when the text starts with '[' or '{', else CSV */
} text_format;

typedef enum {
    TEXT_RECORD,   /* item->payload holds the record */
    TEXT_REJECT,   /* item->reason says why this record is not one; item->fatal: the rest is unreadable */
    TEXT_END,      /* no more records */
    TEXT_IO_ERROR, /* item->reason: the file could not be read */
} text_status;

typedef struct {
    GString *payload; /* the record's text (JSON) */
    char *where;      /* "FILE:LINE" (JSON lines, CSV) or "FILE: row N" (JSON values) */
    char *reason;
    bool fatal;
} text_item;

typedef struct text_reader text_reader;

/* Reads fd (not closed by the reader); name is the file as messages show it. */
text_reader *text_reader_new(int fd, const char *name, text_format format, size_t max_record);
/* The item's strings belong to the reader and hold until the next call. */
text_status text_reader_next(text_reader *r, text_item *item);
/* Whether anything but white space (and a byte order mark) was read so far. */
bool text_reader_saw_content(const text_reader *r);
/* Bytes read from the file so far. */
uint64_t text_reader_bytes_read(const text_reader *r);
void text_reader_free(text_reader *r);

/* Up to max bytes of the file's text from its start (a byte order mark dropped, UTF-16 converted),
 * for recognising what a file holds. False when it cannot be read (errno set). */
bool text_peek(int fd, size_t max, GString *out);

/* Whether len bytes are UTF-8 without NUL; else *bad is the offset of the first bad byte. */
bool text_valid_utf8(const char *s, size_t len, size_t *bad);

#endif
