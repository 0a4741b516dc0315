/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng written byte by byte, for tests whose captures must hold what a tool wrote (comments,
 * flags) exactly: a section and one Ethernet interface, then enhanced packet blocks. */
#ifndef PCAPNG_BYTES_H
#define PCAPNG_BYTES_H

#include <glib.h>

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
