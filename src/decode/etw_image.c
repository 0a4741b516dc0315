/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etw_image.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "etw_mof.h"

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

static void decode_image(etw_mof_cursor *c, etw_image_event *ev)
{
    const unsigned ptr = ev->pointer_size;
    const uint8_t *at;
    etw_mof_take_pointer(c, ETW_IMAGE_BASE, ptr, &ev->base);
    etw_mof_take_pointer(c, ETW_IMAGE_SIZE, ptr, &ev->size);
    if ((at = etw_mof_take(c, ETW_IMAGE_PID, 4)))
        ev->pid = ps_le32(at);
    if (ev->version >= 2) {
        if ((at = etw_mof_take(c, ETW_IMAGE_CHECKSUM, 4)))
            ev->checksum = ps_le32(at);
        if ((at = etw_mof_take(c, ETW_IMAGE_TIMESTAMP, 4)))
            ev->timestamp = ps_le32(at);
        if (ev->version >= 3) {
            if ((at = etw_mof_take(c, ETW_IMAGE_SIGNATURE_LEVEL, 1)))
                ev->signature_level = at[0];
            if ((at = etw_mof_take(c, ETW_IMAGE_SIGNATURE_TYPE, 1)))
                ev->signature_type = at[0];
            etw_mof_take(c, ETW_IMAGE_RESERVED0, 2);
        } else {
            etw_mof_take(c, ETW_IMAGE_RESERVED0, 4);
        }
        etw_mof_take_pointer(c, ETW_IMAGE_DEFAULT_BASE, ptr, &ev->default_base);
        for (int f = ETW_IMAGE_RESERVED1; f <= ETW_IMAGE_RESERVED4; f++)
            etw_mof_take(c, f, 4);
    }
    etw_mof_take_string(c, ETW_IMAGE_FILE_NAME, 2);
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

    etw_mof_cursor c = {.p = payload, .len = len, .spans = ev->span};
    if (opcode == OP_KERNEL_BASE)
        etw_mof_take_pointer(&c, ETW_IMAGE_BASE, ev->pointer_size, &ev->base);
    else if (opcode == OP_HYPERCALL_PAGE)
        etw_mof_take_pointer(&c, ETW_IMAGE_HYPERCALL_PAGE, ev->pointer_size, &ev->hypercall_page);
    else
        decode_image(&c, ev);
    etw_mof_report_end(&c, &ev->problems, ETW_IMAGE_TRUNCATED, ETW_IMAGE_TRAILING, "Image", ev->event_name, version);
}

void etw_image_describe(const etw_image_event *ev, const char *file_name, char *out, size_t out_size)
{
    if (etw_mof_describe_undecoded("Image", ev->event_name, ev->opcode, ev->version,
                                   ps_problems_has(&ev->problems, ETW_IMAGE_UNKNOWN_VERSION), out, out_size))
        return;
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
