/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exported-PDU framing (link type 252, docs/FORMATS.md section 1): a dissector-name tag, then the payload. */
#ifndef UPPER_PDU_H
#define UPPER_PDU_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* A new array holding the tags and the payload. */
GByteArray *upper_pdu_frame(const char *dissector_name, const uint8_t *payload, size_t len);

#endif
