/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the libFuzzer targets: a check that aborts (so libFuzzer keeps the input), an
 * in-memory file for the readers that take a descriptor, and the plugin's dispatch of an ETW record
 * to its payload decoders. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "etw_image.h"
#include "etw_net.h"
#include "etw_process.h"
#include "etw_record.h"

/* An invariant broken: abort, which libFuzzer reports as a crash with this message. */
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

/* A regular file holding the bytes, positioned at 0: what the import tool reads. -1 on failure. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* Every span lies inside the len bytes it was decoded from. */
static inline void fuzz_check_spans(const ps_span *spans, size_t count, size_t len)
{
    for (size_t i = 0; i < count; i++)
        FUZZ_CHECK(spans[i].len == 0 || (spans[i].off <= len && spans[i].len <= len - spans[i].off));
}

/* Every problem lies inside the len bytes it was decoded from, or has no place, and says something:
 * the plugin makes expert infos of these ranges. */
static inline void fuzz_check_problems(const ps_problems *problems, size_t len)
{
    for (size_t i = 0; i < ps_problems_count(problems); i++) {
        const ps_problem *p = ps_problems_at(problems, i);
        FUZZ_CHECK(p->code != 0 && p->message && p->message[0]);
        FUZZ_CHECK(p->offset == PS_NO_OFFSET ? p->length == 0 : p->offset <= len && p->length <= len - p->offset);
    }
}

/* What the plugin does with a record (plugin/packet-etwdata.c): parse, then decode the
 * payload of the providers it knows, with the same arguments. */
static inline void fuzz_decode_record(const uint8_t *buf, size_t len)
{
    etw_record rec;
    if (!etw_record_parse(buf, len, &rec)) {
        FUZZ_CHECK(ps_problems_count(&rec.problems) == 1 && ps_problems_has(&rec.problems, ETW_REC_SHORT_HEADER) &&
                   len < ETW_HEADER_SIZE);
        ps_problems_clear(&rec.problems);
        return;
    }
    fuzz_check_problems(&rec.problems, len);
    const ps_span parts[] = {rec.user_data, rec.message, rec.provider_name};
    fuzz_check_spans(parts, 3, len);
    uint64_t unix_us;
    if (etw_filetime_to_unix_us(rec.timestamp, &unix_us))
        FUZZ_CHECK(etw_unix_us_to_filetime(unix_us) / 10 == rec.timestamp / 10);

    const uint8_t *payload = buf + rec.user_data.off;
    etw_provider provider = etw_provider_from_guid(rec.provider_id);
    switch (provider) {
    case ETW_PROVIDER_TCPIP:
    case ETW_PROVIDER_UDPIP:
    case ETW_PROVIDER_KERNEL_NETWORK: {
        etw_net_event ev;
        FUZZ_CHECK(etw_net_decode(provider, rec.id, rec.opcode, rec.version, payload, rec.user_data.len,
                                  rec.user_data_length, &ev));
        fuzz_check_spans(ev.span, ETW_NET_FIELD_COUNT, rec.user_data.len);
        fuzz_check_problems(&ev.problems, rec.user_data.len);
        char info[200];
        etw_net_describe(&ev, info, sizeof info);
        ps_problems_clear(&ev.problems);
        break;
    }
    case ETW_PROVIDER_PROCESS: {
        etw_proc_event ev;
        etw_proc_decode(rec.opcode, rec.version, (rec.flags & ETW_FLAG_32_BIT_HEADER) ? 4 : 8, payload,
                        rec.user_data.len, &ev);
        fuzz_check_spans(ev.span, ETW_PROC_FIELD_COUNT, rec.user_data.len);
        fuzz_check_problems(&ev.problems, rec.user_data.len);
        const ps_span *img = &ev.span[ETW_PROC_IMAGE];
        char *image = img->len ? g_strndup((const char *)payload + img->off, img->len) : NULL;
        char info[256];
        etw_proc_describe(&ev, image, info, sizeof info);
        g_free(image);
        ps_problems_clear(&ev.problems);
        break;
    }
    case ETW_PROVIDER_IMAGE: {
        etw_image_event ev;
        etw_image_decode(rec.opcode, rec.version, (rec.flags & ETW_FLAG_32_BIT_HEADER) ? 4 : 8, payload,
                         rec.user_data.len, &ev);
        fuzz_check_spans(ev.span, ETW_IMAGE_FIELD_COUNT, rec.user_data.len);
        fuzz_check_problems(&ev.problems, rec.user_data.len);
        char info[256];
        etw_image_describe(&ev, NULL, info, sizeof info);
        ps_problems_clear(&ev.problems);
        break;
    }
    case ETW_PROVIDER_OTHER:
        break;
    }
    ps_problems_clear(&rec.problems);
}

#endif
