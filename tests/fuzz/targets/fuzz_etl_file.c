/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A whole .etl file through the converter's reader (src/etl/etl_input.c): opened, every item
 * read to the end, each record decoded as the plugin would. The file is read twice, as a regular file
 * (indexed, processors' buffers merged) and, where it fits a pipe, as a pipe (read as it comes). */
#include "fuzz_common.h"

#include <fcntl.h>

#include "etl_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Pipes up to 1 MiB need no privilege (/proc/sys/fs/pipe-max-size). */
#define PIPE_MAX (1u << 20)

static void read_all(int fd, size_t size)
{
    char *error = NULL;
    etl_input *r = etl_input_open(fd, "fuzz.etl", &error);
    if (!r) {
        FUZZ_CHECK(error != NULL || size == 0); /* no message only for an input with no byte */
        g_free(error);
        close(fd);
        return;
    }
    size_t items = 0;
    etl_item item;
    for (etl_item_kind k; (k = etl_input_next(r, &item)) != ETL_ITEM_END;) {
        FUZZ_CHECK(k != ETL_ITEM_IO_ERROR);
        /* Each item stands for an event or for bytes of the file: more items than bytes is a loop. */
        FUZZ_CHECK(++items <= size);
        switch (k) {
        case ETL_ITEM_RECORD:
            fuzz_decode_record(item.data, item.len);
            break;
        case ETL_ITEM_PACKET:
            FUZZ_CHECK(item.iface < etl_input_interface_count(r) && item.comment);
            FUZZ_CHECK(item.len > 0 && item.data != NULL); /* an empty packet is rejected */
            FUZZ_CHECK(item.orig_len == 0 || item.orig_len > item.len);
            break;
        case ETL_ITEM_REJECT:
            FUZZ_CHECK(memchr(item.where, 0, sizeof item.where) && memchr(item.reason, 0, sizeof item.reason));
            break;
        default:
            break;
        }
    }
    const etl_input_stats *st = etl_input_stats_of(r);
    FUZZ_CHECK(st->records + st->packets + st->pktmon_frames + st->rejected == items);
    /* Every pktmon packet event is a frame, one more appearance, a record or a reject. */
    FUZZ_CHECK(st->pktmon_frames + st->pktmon_folded + st->pktmon_records <= st->pktmon_events);
    FUZZ_CHECK(st->pktmon_drops <= st->pktmon_frames);
    etl_input_free(r);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)etl_input_recognise(data, size);

    int fd = fuzz_memfd(data, size);
    if (fd >= 0)
        read_all(fd, size);

    int p[2];
    if (pipe(p) != 0)
        return 0;
    if (size > 0 && size <= PIPE_MAX && fcntl(p[1], F_SETPIPE_SZ, (int)size) >= (int)size && write(p[1], data, size) == (ssize_t)size) {
        close(p[1]);
        read_all(p[0], size);
    } else {
        close(p[0]);
        close(p[1]);
    }
    return 0;
}
