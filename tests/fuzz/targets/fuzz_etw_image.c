/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The classic kernel Image payload decoder on raw bytes. Byte 0 is the opcode, byte 1 the version,
 * bit 0 of byte 2 the pointer size (set: 4, the record's 32-bit header flag); the rest is the payload. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const uint8_t *payload = data + 3;
    const size_t len = size - 3;
    etw_image_event ev;
    etw_image_decode(data[0], data[1], (data[2] & 1) ? 4 : 8, payload, len, &ev);
    fuzz_check_spans(ev.span, ETW_IMAGE_FIELD_COUNT, len);
    FUZZ_CHECK(ps_problems_count(&ev.problems) <= 1);
    fuzz_check_problems(&ev.problems, len);
    /* A sound payload is covered to its end by its fields. */
    if (!ps_problems_count(&ev.problems)) {
        size_t end = 0;
        for (int f = 0; f < ETW_IMAGE_FIELD_COUNT; f++)
            if (ev.span[f].len && ev.span[f].off + ev.span[f].len > end)
                end = ev.span[f].off + ev.span[f].len;
        FUZZ_CHECK(end == len);
    }

    /* The file name as the plugin passes it: UTF-16 made text (possibly without its NUL). */
    const ps_span *name = &ev.span[ETW_IMAGE_FILE_NAME];
    char *file_name = name->len >= 2 ? g_utf16_to_utf8((const gunichar2 *)(const void *)(payload + name->off),
                                                       (glong)(name->len / 2), NULL, NULL, NULL)
                                     : NULL;
    /* The Info line in an exactly sized buffer of a size the input chooses: no overflow. */
    const size_t out_size = 1 + (size_t)(data[2] >> 1);
    char *out = malloc(out_size);
    etw_image_describe(&ev, file_name, out, out_size);
    FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
    free(out);
    g_free(file_name);
    ps_problems_clear(&ev.problems);
    return 0;
}
