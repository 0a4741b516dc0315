/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etw_process.h"

#include <stdio.h>
#include <string.h>

#include "etw_mof.h"

static const char *event_name(uint8_t opcode)
{
    switch (opcode) {
    case 1: return "Start";
    case 2: return "End";
    case 3: return "DCStart";
    case 4: return "DCEnd";
    case 11: return "Terminate";
    case 32: return "PerfCtr";
    case 33: return "PerfCtrRundown";
    case 39: return "Defunct";
    default: return NULL;
    }
}

/* Terminate and the counter events are documented in version 2 only (the kernel manifests,
 * PerfView's ProcessCtrTraceData); the others from version 3 on. */
static bool is_v2_event(uint8_t opcode) { return opcode == 11 || opcode == 32 || opcode == 33; }

#define SID_REVISION 1
#define SID_MAX_SUB_AUTHORITIES 15

static void format_sid(const uint8_t *sid, size_t sub_count, char *out, size_t n)
{
    uint64_t authority = 0;
    for (int i = 2; i < 8; i++)
        authority = (authority << 8) | sid[i];
    /* MS-DTYP 2.4.2.1: authorities of 2^32 and above are written in hex. */
    int used = authority >> 32 ? snprintf(out, n, "S-%u-0x%012llX", sid[0], (unsigned long long)authority)
                               : snprintf(out, n, "S-%u-%llu", sid[0], (unsigned long long)authority);
    for (size_t i = 0; i < sub_count && used > 0 && (size_t)used < n; i++)
        used += snprintf(out + used, n - (size_t)used, "-%u", ps_le32(sid + 8 + 4 * i));
}

/* UserSID: 4 zero bytes when there is none, else a token header then a SID of 8 + 4n bytes. */
static void take_sid(etw_mof_cursor *c, etw_proc_event *ev)
{
    if (c->truncated)
        return;
    size_t start = c->off;
    if (c->len - start >= 4 && ps_le32(c->p + start) == 0) {
        c->spans[ETW_PROC_SID] = (ps_span){start, 4};
        c->off += 4;
        return;
    }
    size_t header = ev->pointer_size == 8 ? 16 : 8;
    size_t sid_at = start + header;
    if (c->len < sid_at + 8) {
        c->truncated = true;
        return;
    }
    size_t sub_count = c->p[sid_at + 1];
    if (c->p[sid_at] != SID_REVISION || sub_count > SID_MAX_SUB_AUTHORITIES) {
        c->stopped = true;
        return;
    }
    size_t sid_len = 8 + 4 * sub_count;
    if (c->len - sid_at < sid_len) {
        c->truncated = true;
        return;
    }
    c->spans[ETW_PROC_SID] = (ps_span){start, header + sid_len};
    c->off = sid_at + sid_len;
    format_sid(c->p + sid_at, sub_count, ev->sid, sizeof ev->sid);
}

/* Terminate: the pid; PerfCtr and PerfCtrRundown: the pid, then the process's counters. */
static void decode_v2(etw_mof_cursor *c, etw_proc_event *ev)
{
    const uint8_t *at;
    if ((at = etw_mof_take(c, ETW_PROC_PID, 4)))
        ev->pid = ps_le32(at);
    if (ev->opcode == 11)
        return;
    if ((at = etw_mof_take(c, ETW_PROC_PAGE_FAULT_COUNT, 4)))
        ev->page_fault_count = ps_le32(at);
    if ((at = etw_mof_take(c, ETW_PROC_HANDLE_COUNT, 4)))
        ev->handle_count = ps_le32(at);
    etw_mof_take(c, ETW_PROC_RESERVED, 4);
    for (int f = ETW_PROC_PEAK_VIRTUAL_SIZE; f <= ETW_PROC_PRIVATE_PAGE_COUNT; f++)
        etw_mof_take_pointer(c, f, ev->pointer_size, &ev->counters[f - ETW_PROC_PEAK_VIRTUAL_SIZE]);
}

/* Start, End, the rundowns and Defunct. */
static void decode_lifetime(etw_mof_cursor *c, etw_proc_event *ev)
{
    const unsigned ptr = ev->pointer_size;
    const uint8_t *at;
    etw_mof_take_pointer(c, ETW_PROC_KEY, ptr, &ev->key);
    if ((at = etw_mof_take(c, ETW_PROC_PID, 4)))
        ev->pid = ps_le32(at);
    if ((at = etw_mof_take(c, ETW_PROC_PPID, 4)))
        ev->ppid = ps_le32(at);
    if ((at = etw_mof_take(c, ETW_PROC_SESSION, 4)))
        ev->session = ps_le32(at);
    if ((at = etw_mof_take(c, ETW_PROC_EXIT_STATUS, 4)))
        ev->exit_status = (int32_t)ps_le32(at);
    etw_mof_take_pointer(c, ETW_PROC_DIRECTORY_TABLE_BASE, ptr, &ev->directory_table_base);
    if (ev->version >= 4 && (at = etw_mof_take(c, ETW_PROC_FLAGS, 4)))
        ev->flags = ps_le32(at);
    take_sid(c, ev);
    etw_mof_take_string(c, ETW_PROC_IMAGE, 1);
    etw_mof_take_string(c, ETW_PROC_CMDLINE, 2);
    if (ev->version >= 4) {
        etw_mof_take_string(c, ETW_PROC_PACKAGE, 2);
        etw_mof_take_string(c, ETW_PROC_APPID, 2);
    }
    if (ev->version == 5 && ev->opcode == 39 && (at = etw_mof_take(c, ETW_PROC_EXIT_TIME, 8)))
        ev->exit_time = ps_le64(at);
}

void etw_proc_decode(uint8_t opcode, uint8_t version, unsigned pointer_size, const uint8_t *payload,
                     size_t len, etw_proc_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->opcode = opcode;
    ev->version = version;
    ev->pointer_size = pointer_size == 4 ? 4 : 8;
    ev->event_name = event_name(opcode);
    if (!ev->event_name) {
        ps_problems_add(&ev->problems, ETW_PROC_UNKNOWN_EVENT, PS_NO_OFFSET, 0,
                        "Process opcode %u is not a known event", opcode);
        return;
    }
    if (is_v2_event(opcode) ? version != 2 : version < 3 || version > 5) {
        ps_problems_add(&ev->problems, ETW_PROC_UNKNOWN_VERSION, PS_NO_OFFSET, 0, "Process %s version %u is unknown (%s)",
                        ev->event_name, version, is_v2_event(opcode) ? "2 is decoded" : "3, 4 and 5 are decoded");
        return;
    }

    etw_mof_cursor c = {.p = payload, .len = len, .spans = ev->span};
    if (is_v2_event(opcode))
        decode_v2(&c, ev);
    else
        decode_lifetime(&c, ev);

    /* A bad SID stops the cursor where the SID starts: the rest of the payload is not located. */
    if (c.stopped)
        ps_problems_add(&ev->problems, ETW_PROC_BAD_SID, c.off, len - c.off,
                        "UserSID is malformed (revision 1 and at most 15 sub-authorities expected): "
                        "the fields after it cannot be located");
    else
        etw_mof_report_end(&c, &ev->problems, ETW_PROC_TRUNCATED, ETW_PROC_TRAILING, "Process", ev->event_name,
                             version);
}

void etw_proc_describe(const etw_proc_event *ev, const char *image, char *out, size_t out_size)
{
    if (etw_mof_describe_undecoded("Process", ev->event_name, ev->opcode, ev->version,
                                   ps_problems_has(&ev->problems, ETW_PROC_UNKNOWN_VERSION), out, out_size))
        return;
    char verb[16];
    snprintf(verb, sizeof verb, "%s", ev->event_name);
    if (ev->opcode == 1 || ev->opcode == 2 || ev->opcode == 11 || ev->opcode == 39)
        verb[0] = (char)(verb[0] - 'A' + 'a'); /* start, end, terminate, defunct; DCStart and PerfCtr stay as named */
    /* "image (pid)", Wireshark's "name (number)", as everywhere in procshark */
    const bool has_image = image && *image, has_pid = ev->span[ETW_PROC_PID].len;
    int used = snprintf(out, out_size, "Process %s", verb);
    if (has_image && used > 0 && (size_t)used < out_size)
        used += snprintf(out + used, out_size - (size_t)used, " %s", image);
    if (has_pid && used > 0 && (size_t)used < out_size)
        used += snprintf(out + used, out_size - (size_t)used, has_image ? " (%u)" : " pid %u", ev->pid);
    if (ev->span[ETW_PROC_PPID].len && used > 0 && (size_t)used < out_size)
        snprintf(out + used, out_size - (size_t)used, " ppid %u", ev->ppid);
}
