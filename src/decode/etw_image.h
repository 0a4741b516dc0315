/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Classic kernel Image events (Load, Unload, DCStart, DCEnd in versions 1 to 3; KernelBase and
 * HypercallPage), docs/FORMATS.md section 3, "Image events". */
#ifndef ETW_IMAGE_H
#define ETW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_bytes.h"
#include "ps_problem.h"

typedef enum {
    ETW_IMAGE_BASE,
    ETW_IMAGE_SIZE,
    ETW_IMAGE_PID,
    ETW_IMAGE_CHECKSUM,
    ETW_IMAGE_TIMESTAMP,
    ETW_IMAGE_SIGNATURE_LEVEL, /* version 3 */
    ETW_IMAGE_SIGNATURE_TYPE,  /* version 3 */
    ETW_IMAGE_RESERVED0,       /* 4 bytes in version 2, 2 in version 3 */
    ETW_IMAGE_DEFAULT_BASE,
    ETW_IMAGE_RESERVED1,
    ETW_IMAGE_RESERVED2,
    ETW_IMAGE_RESERVED3,
    ETW_IMAGE_RESERVED4,
    ETW_IMAGE_FILE_NAME,       /* UTF-16LE, the terminating NUL included when present */
    ETW_IMAGE_HYPERCALL_PAGE,  /* HypercallPage */
    ETW_IMAGE_FIELD_COUNT
} etw_image_field;

/* The codes of etw_image_event.problems: at most one is reported, none (ETW_IMAGE_OK) for a sound
 * payload. The opcode and version are the record header's: those problems have no offset. */
typedef enum {
    ETW_IMAGE_OK,
    ETW_IMAGE_TRUNCATED,       /* a field or the file name runs past the payload: what fits is decoded */
    ETW_IMAGE_TRAILING,        /* decoded, with bytes left over (the problem spans them) */
    ETW_IMAGE_UNKNOWN_EVENT,   /* an opcode other than 2, 3, 4, 10, 33, 34 */
    ETW_IMAGE_UNKNOWN_VERSION, /* a version the event's layouts do not include: not decoded */
} etw_image_status;

typedef struct {
    uint8_t opcode;
    uint8_t version;
    const char *event_name; /* "Load", "Unload", "DCStart", "DCEnd", "KernelBase", "HypercallPage"; NULL if unknown */
    unsigned pointer_size;  /* 4 or 8 */
    ps_problems problems;   /* offsets in the payload; the only thing ev owns: ps_problems_clear() */
    ps_span span[ETW_IMAGE_FIELD_COUNT];

    uint64_t base;
    uint64_t size;
    uint32_t pid;
    uint32_t checksum;
    uint32_t timestamp; /* the PE header's TimeDateStamp: seconds since 1970, 0 when the kernel left it out */
    uint8_t signature_level;
    uint8_t signature_type;
    uint64_t default_base;
    uint64_t hypercall_page;
} etw_image_event;

/* Decodes into a fresh or cleared ev; pointer_size comes from the record header flags (4 for 0x20,
 * 8 otherwise). */
void etw_image_decode(uint8_t opcode, uint8_t version, unsigned pointer_size, const uint8_t *payload, size_t len,
                      etw_image_event *ev);

/* "Image load \Device\...\ntdll.dll pid 4"; file_name is the decoded FileName or NULL. */
void etw_image_describe(const etw_image_event *ev, const char *file_name, char *out, size_t out_size);

#endif
