/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etw_image.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define OP_UNLOAD 2
#define OP_DC_START 3
#define OP_DC_END 4
#define OP_LOAD 10
#define OP_KERNEL_BASE 33
#define OP_HYPERCALL_PAGE 34

static const char *event_name(uint8_t opcode)
{
    switch (opcode) {
    case OP_LOAD: return "Load";
    case OP_UNLOAD: return "Unload";
    case OP_DC_START: return "DCStart";
    case OP_DC_END: return "DCEnd";
    case OP_KERNEL_BASE: return "KernelBase";
    case OP_HYPERCALL_PAGE: return "HypercallPage";
    default: return NULL;
    }
}

/* The versions whose layout is documented (wmicore.mof, the kernel manifests): version 1 defines
 * Load alone; 0 is left out, as PerfView and the MOF disagree on its 64-bit ModuleSize. */
static bool version_known(uint8_t opcode, uint8_t version, const char **which)
{
    switch (opcode) {
    case OP_LOAD: *which = "1, 2 and 3 are"; return version >= 1 && version <= 3;
    case OP_UNLOAD:
    case OP_DC_START:
    case OP_DC_END: *which = "2 and 3 are"; return version == 2 || version == 3;
    default: *which = "2 is"; return version == 2;
    }
}

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool truncated;
    etw_image_event *ev;
} cursor;

static const uint8_t *take(cursor *c, etw_image_field field, size_t size)
{
    if (c->truncated || size > c->len - c->off) {
        c->truncated = true;
        return NULL;
    }
    const uint8_t *at = c->p + c->off;
    c->ev->span[field] = (ps_span){c->off, size};
    c->off += size;
    return at;
}

static uint64_t read_pointer(const uint8_t *at, unsigned size) { return size == 8 ? ps_le64(at) : ps_le32(at); }

/* A NUL-terminated UTF-16LE string; an unterminated one spans to the end (an odd last byte too). */
static void take_utf16(cursor *c, etw_image_field field)
{
    if (c->truncated)
        return;
    for (size_t i = c->off; i + 2 <= c->len; i += 2) {
        if (c->p[i] == 0 && c->p[i + 1] == 0) {
            c->ev->span[field] = (ps_span){c->off, i + 2 - c->off};
            c->off = i + 2;
            return;
        }
    }
    if (c->off < c->len)
        c->ev->span[field] = (ps_span){c->off, c->len - c->off};
    c->off = c->len;
    c->truncated = true;
}

static void decode_image(cursor *c, uint8_t version)
{
    etw_image_event *ev = c->ev;
    const unsigned ptr = ev->pointer_size;
    const uint8_t *at;
    if ((at = take(c, ETW_IMAGE_BASE, ptr)))
        ev->base = read_pointer(at, ptr);
    if ((at = take(c, ETW_IMAGE_SIZE, ptr)))
        ev->size = read_pointer(at, ptr);
    if ((at = take(c, ETW_IMAGE_PID, 4)))
        ev->pid = ps_le32(at);
    if (version >= 2) {
        if ((at = take(c, ETW_IMAGE_CHECKSUM, 4)))
            ev->checksum = ps_le32(at);
        if ((at = take(c, ETW_IMAGE_TIMESTAMP, 4)))
            ev->timestamp = ps_le32(at);
        if (version >= 3) {
            if ((at = take(c, ETW_IMAGE_SIGNATURE_LEVEL, 1)))
                ev->signature_level = at[0];
            if ((at = take(c, ETW_IMAGE_SIGNATURE_TYPE, 1)))
                ev->signature_type = at[0];
            take(c, ETW_IMAGE_RESERVED0, 2);
        } else {
            take(c, ETW_IMAGE_RESERVED0, 4);
        }
        if ((at = take(c, ETW_IMAGE_DEFAULT_BASE, ptr)))
            ev->default_base = read_pointer(at, ptr);
        for (int f = ETW_IMAGE_RESERVED1; f <= ETW_IMAGE_RESERVED4; f++)
            take(c, (etw_image_field)f, 4);
    }
    take_utf16(c, ETW_IMAGE_FILE_NAME);
}

void etw_image_decode(uint8_t opcode, uint8_t version, unsigned pointer_size, const uint8_t *payload, size_t len,
                      etw_image_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->opcode = opcode;
    ev->version = version;
    ev->pointer_size = pointer_size == 4 ? 4 : 8;
    ev->event_name = event_name(opcode);
    if (!ev->event_name) {
        ps_problems_add(&ev->problems, ETW_IMAGE_UNKNOWN_EVENT, PS_NO_OFFSET, 0, "Image opcode %u is not a known event",
                        opcode);
        return;
    }
    const char *which;
    if (!version_known(opcode, version, &which)) {
        ps_problems_add(&ev->problems, ETW_IMAGE_UNKNOWN_VERSION, PS_NO_OFFSET, 0,
                        "Image %s version %u is unknown (%s decoded)", ev->event_name, version, which);
        return;
    }

    cursor c = {payload, len, 0, false, ev};
    const uint8_t *at;
    if (opcode == OP_KERNEL_BASE) {
        if ((at = take(&c, ETW_IMAGE_BASE, ev->pointer_size)))
            ev->base = read_pointer(at, ev->pointer_size);
    } else if (opcode == OP_HYPERCALL_PAGE) {
        if ((at = take(&c, ETW_IMAGE_HYPERCALL_PAGE, ev->pointer_size)))
            ev->hypercall_page = read_pointer(at, ev->pointer_size);
    } else {
        decode_image(&c, version);
    }

    if (c.truncated)
        ps_problems_add(&ev->problems, ETW_IMAGE_TRUNCATED, 0, len,
                        "Image %s version %u payload of %zu bytes ends inside a field", ev->event_name, version, len);
    else if (c.off < len)
        ps_problems_add(&ev->problems, ETW_IMAGE_TRAILING, c.off, len - c.off,
                        "%zu bytes after the last field of version %u", len - c.off, version);
}

void etw_image_describe(const etw_image_event *ev, const char *file_name, char *out, size_t out_size)
{
    if (!ev->event_name) {
        snprintf(out, out_size, "Image unknown event %u", ev->opcode);
        return;
    }
    if (ps_problems_has(&ev->problems, ETW_IMAGE_UNKNOWN_VERSION)) {
        snprintf(out, out_size, "Image %s version %u, not decoded", ev->event_name, ev->version);
        return;
    }
    if (ev->opcode == OP_KERNEL_BASE || ev->opcode == OP_HYPERCALL_PAGE) {
        const bool has = ev->span[ev->opcode == OP_KERNEL_BASE ? ETW_IMAGE_BASE : ETW_IMAGE_HYPERCALL_PAGE].len;
        if (has)
            snprintf(out, out_size, "Image %s 0x%" PRIx64, ev->event_name,
                     ev->opcode == OP_KERNEL_BASE ? ev->base : ev->hypercall_page);
        else
            snprintf(out, out_size, "Image %s", ev->event_name);
        return;
    }
    /* load, unload; the rundowns stay as named, as Process events write them */
    const char *verb = ev->opcode == OP_LOAD ? "load" : ev->opcode == OP_UNLOAD ? "unload" : ev->event_name;
    int used = snprintf(out, out_size, "Image %s", verb);
    if (file_name && *file_name && used > 0 && (size_t)used < out_size)
        used += snprintf(out + used, out_size - (size_t)used, " %s", file_name);
    if (ev->span[ETW_IMAGE_PID].len && used > 0 && (size_t)used < out_size)
        snprintf(out + used, out_size - (size_t)used, " pid %u", ev->pid);
}
