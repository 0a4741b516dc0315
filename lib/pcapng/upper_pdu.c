/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "upper_pdu.h"

#include <string.h>
#include <wsutil/exported_pdu_tlvs.h>

static void put_tag(GByteArray *out, uint16_t tag, const void *value, uint16_t len)
{
    const uint8_t header[4] = {(uint8_t)(tag >> 8), (uint8_t)tag, (uint8_t)(len >> 8), (uint8_t)len};
    g_byte_array_append(out, header, 4);
    if (len)
        g_byte_array_append(out, value, len);
}

GByteArray *upper_pdu_frame(const char *dissector_name, const uint8_t *payload, size_t len)
{
    GByteArray *out = g_byte_array_sized_new((guint)(len + strlen(dissector_name) + 8));
    put_tag(out, EXP_PDU_TAG_DISSECTOR_NAME, dissector_name, (uint16_t)strlen(dissector_name));
    put_tag(out, EXP_PDU_TAG_END_OF_OPT, NULL, 0);
    g_byte_array_append(out, payload, (guint)len);
    return out;
}
