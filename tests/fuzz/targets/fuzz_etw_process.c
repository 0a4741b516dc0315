/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The classic kernel Process payload decoder on raw bytes. Byte 0 is the opcode, byte 1 the version,
 * bit 0 of byte 2 the pointer size (set: 4, the record's 32-bit header flag); the rest is the payload. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const uint8_t *payload = data + 3;
    const size_t len = size - 3;
    etw_proc_event ev;
    etw_proc_decode(data[0], data[1], (data[2] & 1) ? 4 : 8, payload, len, &ev);
    fuzz_check_spans(ev.span, ETW_PROC_FIELD_COUNT, len);
    FUZZ_CHECK(memchr(ev.sid, '\0', sizeof ev.sid) != NULL);
    FUZZ_CHECK(ps_problems_count(&ev.problems) <= 1);
    fuzz_check_problems(&ev.problems, len);
    const ps_problem *trailing = ps_problems_first(&ev.problems);
    FUZZ_CHECK(!trailing || trailing->code != ETW_PROC_TRAILING || (trailing->length > 0 && trailing->length <= len));

    /* The image as the plugin passes it: the span's bytes as a string (possibly without its NUL). */
    const ps_span *img = &ev.span[ETW_PROC_IMAGE];
    char *image = img->len ? g_strndup((const char *)payload + img->off, img->len) : NULL;
    /* The Info line in an exactly sized buffer of a size the input chooses: no overflow. */
    const size_t out_size = 1 + (size_t)(data[2] >> 1);
    char *out = malloc(out_size);
    etw_proc_describe(&ev, image, out, out_size);
    FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
    free(out);
    g_free(image);
    ps_problems_clear(&ev.problems);
    return 0;
}
