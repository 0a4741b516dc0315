/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng written byte by byte, for tests whose captures must hold what a tool wrote (comments,
 * flags, vendors' blocks) exactly, independent of wiretap's writer, in the host's byte order (the
 * section header's magic says which). */
#ifndef PCAPNG_BYTES_H
#define PCAPNG_BYTES_H

#include <glib.h>

void pcapng_bytes_put16(GByteArray *b, guint16 v);
void pcapng_bytes_put32(GByteArray *b, guint32 v);
/* Zeros up to the next multiple of 4 bytes. */
void pcapng_bytes_pad4(GByteArray *b);
void pcapng_bytes_option32(GByteArray *b, guint16 code, guint32 value);
/* A block's type and body, framed by its total length before and after. */
void pcapng_bytes_block(GByteArray *file, guint32 type, const GByteArray *body);

/* A section header. */
void pcapng_bytes_section(GByteArray *file);
/* An interface description of that link type, no snap length, no options. */
void pcapng_bytes_interface(GByteArray *file, guint32 link_type);
/* A section header and one Ethernet interface. */
void pcapng_bytes_start(GByteArray *file);

/* An enhanced packet block on interface 0: secs since the epoch, the frame's bytes, its comments
 * (NULL-terminated, may be NULL) and epb_flags (0: none written). */
void pcapng_bytes_epb(GByteArray *file, guint32 secs, const GByteArray *frame, const char *const *comments,
                      guint32 flags);

/* Writes the file world-readable into a new world-readable temporary folder (tshark reads it as
 * nobody when the tests run as root); *dir is that folder. */
char *pcapng_bytes_save(const GByteArray *file, const char *name, char **dir);

#endif
