/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The converter's text reader (src/text/text_input.c) over fuzz bytes as a file: every record
 * it hands out goes to the decoder of its kind, as procshark-import does. Shared by the CSV and the
 * JSON-input targets. */
#ifndef FUZZ_TEXT_INPUT_H
#define FUZZ_TEXT_INPUT_H

#include "fuzz_common.h"

#include "nettcp_row.h"
#include "text_input.h"
#include "tracee_event.h"

/* What procshark-import allows a record (a capture record less its exported-PDU tags). */
#define FUZZ_RECORD_MAX (262144 - 40)

static inline void fuzz_text_reader(const uint8_t *data, size_t size, text_format format, size_t max_record)
{
    int fd = fuzz_memfd(data, size);
    if (fd < 0)
        return;
    GString *peek = g_string_new(NULL);
    FUZZ_CHECK(text_peek(fd, 65536, peek));
    g_string_free(peek, TRUE);
    lseek(fd, 0, SEEK_SET);

    text_reader *r = text_reader_new(fd, "fuzz", format, max_record);
    text_item item;
    size_t items = 0;
    for (;;) {
        text_status s = text_reader_next(r, &item);
        if (s == TEXT_END)
            break;
        FUZZ_CHECK(s != TEXT_IO_ERROR);
        /* Each item consumes input: more items than bytes would be a loop. */
        FUZZ_CHECK(++items <= size + 2);
        if (s == TEXT_REJECT) {
            FUZZ_CHECK(item.reason != NULL && item.where != NULL);
            continue;
        }
        size_t bad;
        const GString *p = item.payload;
        FUZZ_CHECK(p->len <= max_record && text_valid_utf8(p->str, p->len, &bad));
        if (format == TEXT_JSON_LINES) {
            tracee_event ev;
            tracee_event_decode(p->str, p->len, &ev);
            tracee_event_clear(&ev);
            uint64_t ns;
            tracee_event_timestamp(p->str, p->len, &ns, NULL);
        } else {
            nettcp_row row;
            const bool object = nettcp_row_decode(p->str, p->len, &row);
            /* A CSV row is written as a JSON object of strings by the reader itself. */
            FUZZ_CHECK(object || format != TEXT_CSV);
            nettcp_row_clear(&row);
        }
    }
    FUZZ_CHECK(text_reader_bytes_read(r) <= size);
    text_reader_free(r);
    close(fd);
}

#endif
