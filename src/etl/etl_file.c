/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etl_file.h"

#include <string.h>

#include <glib.h>

#include "ps_bytes.h"

#define FILETIME_PER_S UINT64_C(10000000)
/* Beyond this a clock would overflow the conversion; real clocks tick at MHz to GHz. */
#define CLOCK_FREQ_MAX UINT64_C(1000000000000)

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

bool etl_buffer_header_parse(const uint8_t *buf, size_t len, etl_buffer_header *h, ps_problems *problems)
{
    memset(h, 0, sizeof *h);
    if (len < ETL_BUFFER_HEADER_SIZE) {
        ps_problems_add(problems, 0, 0, len, "shorter than a buffer header (72 bytes)");
        return false;
    }
    h->buffer_size = ps_le32(buf);
    h->saved_offset = ps_le32(buf + 4);
    h->current_offset = ps_le32(buf + 8);
    h->timestamp = ps_le64(buf + 16);
    h->sequence = ps_le64(buf + 24);
    h->logger_id = ps_le16(buf + 42);
    h->state = ps_le32(buf + 44);
    h->offset = ps_le32(buf + 48);
    h->flags = ps_le16(buf + 52);
    h->type = ps_le16(buf + 54);
    /* Before the processor-index flag the context was a byte of CPU number and a byte of alignment. */
    h->processor = (h->flags & ETL_BUFFER_FLAG_PROC_INDEX) ? ps_le16(buf + 40) : buf[40];
    if (h->buffer_size < ETL_BUFFER_HEADER_SIZE || h->buffer_size > ETL_BUFFER_SIZE_MAX || h->buffer_size % 8) {
        ps_problems_add(problems, 0, 0, 4, "its size is not that of a buffer");
        return false;
    }
    /* Which field marks the end of data varies by Windows version (Windows 7 leaves SavedOffset 0). */
    const uint32_t candidates[] = {h->current_offset, h->offset, h->saved_offset};
    bool found = false;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !found; i++) {
        if (candidates[i] >= ETL_BUFFER_HEADER_SIZE && candidates[i] <= h->buffer_size) {
            h->data_end = candidates[i];
            found = true;
        }
    }
    if (!found) {
        ps_problems_add(problems, 0, 0, ETL_BUFFER_HEADER_SIZE, "no end of data inside the buffer");
        return false;
    }
    if (h->data_end > len)
        h->data_end = (uint32_t)len;
    return true;
}

bool etl_utf16z(const uint8_t *p, size_t avail, char *out, size_t out_size, size_t *consumed)
{
    size_t units = 0;
    while (2 * units + 1 < avail && ps_le16(p + 2 * units) != 0)
        units++;
    const bool terminated = 2 * units + 2 <= avail;
    *consumed = terminated ? 2 * units + 2 : avail;
    gunichar2 *copy = g_new(gunichar2, units + 1);
    for (size_t i = 0; i < units; i++)
        copy[i] = ps_le16(p + 2 * i);
    char *utf8 = g_utf16_to_utf8(copy, (glong)units, NULL, NULL, NULL);
    g_free(copy);
    out[0] = '\0';
    if (utf8)
        g_strlcpy(out, utf8, out_size);
    g_free(utf8);
    return terminated && utf8;
}

bool etl_trace_info_parse(const uint8_t *payload, size_t len, uint64_t header_raw_time, unsigned pointer_size_hint,
                          etl_trace_info *info, ps_problems *problems)
{
    memset(info, 0, sizeof *info);
    if (len < 48) {
        ps_problems_add(problems, 0, 0, len, "the logfile header is truncated");
        return false;
    }
    info->buffer_size = ps_le32(payload);
    info->version = ps_le32(payload + 4);
    info->provider_version = ps_le32(payload + 8);
    info->cpus = ps_le32(payload + 12);
    info->end_time = ps_le64(payload + 16);
    info->timer_resolution = ps_le32(payload + 24);
    info->log_file_mode = ps_le32(payload + 32);
    info->buffers_written = ps_le32(payload + 36);
    info->pointer_size = ps_le32(payload + 44);
    if (info->pointer_size != 4 && info->pointer_size != 8)
        info->pointer_size = pointer_size_hint == 4 ? 4 : 8;
    const size_t ptr = info->pointer_size;
    /* Two pointers (logger and file name), the 172-byte TIME_ZONE_INFORMATION, then 8-aligned times. */
    const size_t times = align8(56 + 2 * ptr + 172);
    if (len < times + 32) {
        ps_problems_add(problems, 0, 0, len, "the logfile header is truncated");
        return false;
    }
    info->events_lost = ps_le32(payload + 48);
    info->cpu_mhz = ps_le32(payload + 52);
    info->boot_time = ps_le64(payload + times);
    info->perf_freq = ps_le64(payload + times + 8);
    info->start_time = ps_le64(payload + times + 16);
    info->clock_type = ps_le32(payload + times + 24);
    info->buffers_lost = ps_le32(payload + times + 28);
    info->start_raw = header_raw_time;
    size_t used = 0;
    etl_utf16z(payload + times + 32, len - (times + 32), info->logger_name, sizeof info->logger_name, &used);
    size_t rest = times + 32 + used;
    etl_utf16z(payload + rest, len - rest, info->log_file_name, sizeof info->log_file_name, &used);

    /* Where the frequency comes from, for a problem with it. */
    size_t freq_at, freq_len;
    switch (info->clock_type) {
    case ETL_CLOCK_QPC:
        info->clock_freq = info->perf_freq;
        freq_at = times + 8;
        freq_len = 8;
        break;
    case ETL_CLOCK_CPU_CYCLES:
        info->clock_freq = (uint64_t)info->cpu_mhz * 1000000u;
        freq_at = 52;
        freq_len = 4;
        break;
    case ETL_CLOCK_SYSTEM_TIME: info->clock_freq = 0; return true;
    default:
        ps_problems_add(problems, 0, times + 24, 4, "unknown clock type in the logfile header");
        return false;
    }
    if (info->clock_freq == 0 || info->clock_freq > CLOCK_FREQ_MAX) {
        ps_problems_add(problems, 0, freq_at, freq_len, "the logfile header gives no usable clock frequency");
        return false;
    }
    return true;
}

bool etl_raw_to_filetime(const etl_trace_info *info, uint64_t raw, uint64_t *filetime)
{
    if (info->clock_type == ETL_CLOCK_SYSTEM_TIME) {
        *filetime = raw;
        return true;
    }
    const uint64_t f = info->clock_freq;
    if (f == 0)
        return false;
    bool before = raw < info->start_raw;
    uint64_t d = before ? info->start_raw - raw : raw - info->start_raw;
    uint64_t q = d / f, r = d % f;
    if (q > UINT64_MAX / FILETIME_PER_S)
        return false;
    /* The fraction adds up to 10^7 - 1 ticks to q * 10^7, which may already be that close to the limit
     * (fuzz_etl_buffer's exact-formula check; test_clocks). */
    const uint64_t part = r * FILETIME_PER_S / f;
    if (q * FILETIME_PER_S > UINT64_MAX - part)
        return false;
    uint64_t ticks = q * FILETIME_PER_S + part;
    if (before) {
        if (ticks > info->start_time)
            return false;
        *filetime = info->start_time - ticks;
    } else {
        if (ticks > UINT64_MAX - info->start_time)
            return false;
        *filetime = info->start_time + ticks;
    }
    return true;
}

/* --- events ----------------------------------------------------------------------------------- */

void etl_event_iter_init(etl_event_iter *it, const uint8_t *buf, size_t data_end)
{
    it->buf = buf;
    it->end = data_end;
    it->pos = ETL_BUFFER_HEADER_SIZE;
}

#define MARKER_TRACE_HEADER 0x80 /* TRACE_HEADER_FLAG */
#define MARKER_EVENT_TRACE 0x40  /* TRACE_HEADER_EVENT_TRACE */
#define MARKER_MESSAGE 0x10      /* TRACE_MESSAGE: a WPP message header */
#define MESSAGE_HEADER_SIZE 8

static bool is_message(const uint8_t *p)
{
    return (p[3] & (MARKER_TRACE_HEADER | MARKER_EVENT_TRACE | MARKER_MESSAGE)) == (MARKER_TRACE_HEADER | MARKER_MESSAGE);
}

typedef struct {
    size_t size;    /* what the header says the event has */
    size_t min;     /* the least it can have */
    bool decodable; /* false: a kind that is only skipped (by its size) and reported */
} header_shape;

/* The shape of the header at p; false when p is no header of a known kind. */
static bool header_shape_at(const uint8_t *p, size_t avail, header_shape *h)
{
    if (avail < 8)
        return false;
    h->decodable = true;
    if (is_message(p)) {
        h->size = ps_le16(p);
        h->min = MESSAGE_HEADER_SIZE;
        return true;
    }
    if ((p[3] & 0xc0) != 0xc0)
        return false;
    switch (p[2]) {
    case ETL_HEADER_SYSTEM32:
    case ETL_HEADER_SYSTEM64: h->min = 32; h->size = ps_le16(p + 4); return true;
    case ETL_HEADER_COMPACT32:
    case ETL_HEADER_COMPACT64: h->min = 24; h->size = ps_le16(p + 4); return true;
    case ETL_HEADER_PERFINFO32:
    case ETL_HEADER_PERFINFO64: h->min = 16; h->size = ps_le16(p + 4); return true;
    case ETL_HEADER_EVENT32:
    case ETL_HEADER_EVENT64: h->min = 80; h->size = ps_le16(p); return true;
    case ETL_HEADER_FULL32:
    case ETL_HEADER_FULL64: h->min = 48; h->size = ps_le16(p); return true;
    case ETL_HEADER_INSTANCE32:
    case ETL_HEADER_INSTANCE64: h->min = 72; h->size = ps_le16(p); return true;
    case ETL_HEADER_TIMED:
    case ETL_HEADER_ERROR:
    case ETL_HEADER_WNODE:
        /* Long out of use, no public layout: skipped by the size at offset 0. */
        h->min = 8;
        h->size = ps_le16(p);
        h->decodable = false;
        return true;
    default: return false;
    }
}

static bool all_filler(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != p[0] || (p[0] != 0x00 && p[0] != 0xff))
            return false;
    return true;
}

/* The next 8-aligned place after pos where a known header with a size that fits starts, or the
 * filler that ends the data; end when there is none. */
static size_t resync(const etl_event_iter *it, size_t pos)
{
    /* Bytes before here belong to a run of one value that stops short of the end: no filler. Each
     * run is scanned once (a long run of zeros in a decompressed buffer made this quadratic). */
    size_t run_end = 0;
    for (size_t q = pos + 8; q + 4 <= it->end; q += 8) {
        header_shape h;
        if (header_shape_at(it->buf + q, it->end - q, &h) && h.decodable && h.size >= h.min && h.size <= it->end - q)
            return q;
        if (q < run_end)
            continue;
        run_end = q + 1;
        while (run_end < it->end && it->buf[run_end] == it->buf[q])
            run_end++;
        if (run_end == it->end && all_filler(it->buf + q, it->end - q))
            return q;
    }
    return it->end;
}

/* TRACE_MESSAGE option flags: which optional fields follow the 8-byte header, in this order. */
#define MESSAGE_SEQUENCE 0x0001
#define MESSAGE_GUID 0x0002
#define MESSAGE_COMPONENT_ID 0x0004
#define MESSAGE_TIMESTAMP 0x0008
#define MESSAGE_PERFORMANCE_TIMESTAMP 0x0010
#define MESSAGE_SYSTEM_INFO 0x0020
#define MESSAGE_POINTER64 0x0080
#define EVENT_HEADER_FLAG_TRACE_MESSAGE 0x0008

/* False when the option fields do not fit in the message. */
static bool decode_message(const uint8_t *p, size_t size, etl_event *ev)
{
    const uint16_t options = ps_le16(p + 6);
    size_t off = MESSAGE_HEADER_SIZE;
    ev->header_type = ETL_HEADER_MESSAGE;
    ev->size = size;
    ev->id = ps_le16(p + 4); /* the message number */
    ev->pointer64 = options & MESSAGE_POINTER64;
    ev->flags = (uint16_t)(EVENT_HEADER_FLAG_TRACE_MESSAGE | (ev->pointer64 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER));
    if (options & MESSAGE_SEQUENCE)
        off += 4;
    if (options & MESSAGE_COMPONENT_ID) {
        off += 4;
    } else if (options & MESSAGE_GUID) {
        if (off + 16 > size)
            return false;
        memcpy(ev->guid, p + off, 16);
        off += 16;
    }
    ev->has_time = options & MESSAGE_TIMESTAMP;
    if (options & (MESSAGE_TIMESTAMP | MESSAGE_PERFORMANCE_TIMESTAMP)) {
        if (off + 8 > size)
            return false;
        ev->raw_time = ps_le64(p + off);
        off += 8;
    }
    ev->has_thread = options & MESSAGE_SYSTEM_INFO;
    if (ev->has_thread) {
        if (off + 8 > size)
            return false;
        ev->thread_id = ps_le32(p + off);
        ev->process_id = ps_le32(p + off + 4);
        off += 8;
    } else {
        ev->thread_id = ev->process_id = UINT32_MAX;
    }
    if (off > size)
        return false;
    ev->payload = p + off;
    ev->payload_len = size - off;
    return true;
}

static void decode_event(const uint8_t *p, size_t size, etl_event *ev)
{
    const uint8_t t = p[2];
    ev->header_type = t;
    ev->size = size;
    ev->has_thread = true;
    ev->has_time = true;
    switch (t) {
    case ETL_HEADER_SYSTEM32:
    case ETL_HEADER_SYSTEM64:
    case ETL_HEADER_COMPACT32:
    case ETL_HEADER_COMPACT64: {
        const size_t header = (t == ETL_HEADER_SYSTEM32 || t == ETL_HEADER_SYSTEM64) ? 32 : 24;
        ev->classic = true;
        ev->pointer64 = t == ETL_HEADER_SYSTEM64 || t == ETL_HEADER_COMPACT64;
        ev->version = (uint8_t)ps_le16(p);
        ev->opcode = p[6];
        ev->group = p[7];
        ev->thread_id = ps_le32(p + 8);
        ev->process_id = ps_le32(p + 12);
        ev->raw_time = ps_le64(p + 16);
        if (header == 32)
            ev->processor_time = ps_le64(p + 24);
        ev->payload = p + header;
        ev->payload_len = size - header;
        break;
    }
    case ETL_HEADER_PERFINFO32:
    case ETL_HEADER_PERFINFO64:
        ev->classic = true;
        ev->pointer64 = t == ETL_HEADER_PERFINFO64;
        ev->has_thread = false;
        ev->thread_id = ev->process_id = UINT32_MAX;
        ev->version = (uint8_t)ps_le16(p);
        ev->opcode = p[6];
        ev->group = p[7];
        ev->raw_time = ps_le64(p + 8);
        {
            /* The version word also says what precedes the data: a PEBS index (bit 15) and
             * 8 bytes per PMC counter (bits 8-10). */
            const uint16_t v = ps_le16(p);
            size_t extension = ((v & 0x8000) ? 8 : 0) + 8 * (size_t)((v >> 8) & 7);
            if (extension > size - 16)
                extension = size - 16;
            ev->payload = p + 16 + extension;
            ev->payload_len = size - 16 - extension;
        }
        break;
    case ETL_HEADER_EVENT32:
    case ETL_HEADER_EVENT64: {
        etw_record h;
        etw_event_header_read(p, &h);
        ev->pointer64 = t == ETL_HEADER_EVENT64;
        /* Consumers see the header's width as a flag, which the file does not set. */
        ev->flags = h.flags | (ev->pointer64 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER);
        ev->event_property = h.event_property;
        ev->thread_id = h.thread_id;
        ev->process_id = h.process_id;
        ev->raw_time = h.timestamp;
        memcpy(ev->guid, h.provider_id, 16);
        ev->id = h.id;
        ev->version = h.version;
        ev->channel = h.channel;
        ev->level = h.level;
        ev->opcode = h.opcode;
        ev->task = h.task;
        ev->keyword = h.keyword;
        ev->processor_time = h.processor_time;
        memcpy(ev->activity_id, h.activity_id, 16);
        size_t off = 80;
        if (ev->flags & 0x0001) {
            /* Extended data items: {u16 reserved, u16 type, u16 linkage (bit 0: another follows),
             * u16 data size, data}, each 8-aligned. */
            bool more = true;
            while (more && off + 8 <= size) {
                size_t item = align8(8 + (size_t)ps_le16(p + off + 6));
                more = ps_le16(p + off + 4) & 1;
                ev->extended_items++;
                off = item <= size - off ? off + item : size;
            }
        }
        ev->payload = p + off;
        ev->payload_len = size - off;
        break;
    }
    case ETL_HEADER_FULL32:
    case ETL_HEADER_FULL64:
    case ETL_HEADER_INSTANCE32:
    case ETL_HEADER_INSTANCE64: {
        /* EVENT_TRACE_HEADER (48 bytes) and EVENT_INSTANCE_GUID_HEADER (72): MOF providers. */
        const bool instance = t == ETL_HEADER_INSTANCE32 || t == ETL_HEADER_INSTANCE64;
        ev->pointer64 = t == ETL_HEADER_FULL64 || t == ETL_HEADER_INSTANCE64;
        ev->opcode = p[4];
        ev->level = p[5];
        ev->version = (uint8_t)ps_le16(p + 6);
        ev->thread_id = ps_le32(p + 8);
        ev->process_id = ps_le32(p + 12);
        ev->raw_time = ps_le64(p + 16);
        memcpy(ev->guid, p + 24, 16);
        ev->processor_time = ps_le64(p + 40);
        ev->payload = p + (instance ? 72 : 48);
        ev->payload_len = size - (instance ? 72 : 48);
        break;
    }
    default:
        break;
    }
    if (ev->classic || t == ETL_HEADER_FULL32 || t == ETL_HEADER_FULL64 || t == ETL_HEADER_INSTANCE32 ||
        t == ETL_HEADER_INSTANCE64)
        ev->flags = (uint16_t)(ETW_FLAG_CLASSIC_HEADER | (ev->pointer64 ? ETW_FLAG_64_BIT_HEADER : ETW_FLAG_32_BIT_HEADER));
}

/* Copied, not memset: compilers clear a structure this size with `rep stos`, whose start-up cost
 * was a tenth of an .etl conversion (once per event, here and for the record's fields). */
static const etl_event no_event;
static const etw_record_fields no_fields;

etl_next etl_event_iter_next(etl_event_iter *it, etl_event *ev, ps_problems *problems)
{
    while (it->pos < it->end) {
        const size_t pos = it->pos;
        const uint8_t *p = it->buf + pos;
        const size_t avail = it->end - pos;
        if (avail < 4 || all_filler(p, avail)) {
            it->pos = it->end;
            if (avail < 4 && !all_filler(p, avail)) {
                ps_problems_add(problems, 0, pos, avail, "bytes too few for an event header");
                return ETL_NEXT_SKIPPED;
            }
            return ETL_NEXT_END;
        }
        header_shape h;
        if (!header_shape_at(p, avail, &h)) {
            it->pos = resync(it, pos);
            ps_problems_add(problems, 0, pos, it->pos - pos, "%s",
                            (p[3] & MARKER_TRACE_HEADER) ? "an event header of an unknown kind" : "no event header here");
            return ETL_NEXT_SKIPPED;
        }
        if (h.size < h.min || h.size > avail) {
            it->pos = resync(it, pos);
            ps_problems_add(problems, 0, pos, it->pos - pos, "%s",
                            h.size < h.min ? "the event is shorter than its header"
                                           : "the event runs past the end of the buffer's data");
            return ETL_NEXT_SKIPPED;
        }
        const size_t size = h.size;
        if (!h.decodable) {
            it->pos = pos + align8(size) < it->end ? pos + align8(size) : it->end;
            ps_problems_add(problems, 0, pos, size,
                            "an event header kind long out of use (timed, error or WNODE), not decoded");
            return ETL_NEXT_SKIPPED;
        }
        *ev = no_event;
        ev->offset = pos;
        it->pos = pos + align8(size);
        if (is_message(p)) {
            if (!decode_message(p, size, ev)) {
                if (it->pos > it->end)
                    it->pos = it->end;
                ps_problems_add(problems, 0, pos, size, "a WPP message whose option fields do not fit in it");
                return ETL_NEXT_SKIPPED;
            }
        } else {
            decode_event(p, size, ev);
        }
        if (it->pos > it->end)
            it->pos = it->end;
        return ETL_NEXT_EVENT;
    }
    return ETL_NEXT_END;
}

/* --- classic kernel classes ------------------------------------------------------------------- */

typedef struct {
    uint8_t group;
    const char *name;
    uint8_t guid[16]; /* record byte order */
} kernel_class;

#define GUID_BYTES(d1, d2, d3, a, b, c, d, e, f, g, h)                                                          \
    {(uint8_t)(d1), (uint8_t)((d1) >> 8), (uint8_t)((d1) >> 16), (uint8_t)((uint32_t)(d1) >> 24), (uint8_t)(d2), \
     (uint8_t)((d2) >> 8), (uint8_t)(d3), (uint8_t)((d3) >> 8), a, b, c, d, e, f, g, h}

/* The class GUIDs Windows reports for each hook group (sechost.dll translates group to ProviderId and
 * type to Opcode): Geoff Chappell, "Hook IDs For NT Kernel Logger Events"; TraceEvent's kernel parser. */
static const kernel_class kernel_classes[] = {
    {0x00, "EventTraceEvent", GUID_BYTES(0x68fdd900, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3)},
    {0x01, "DiskIo", GUID_BYTES(0x3d6fa8d4, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c)},
    {0x02, "PageFault", GUID_BYTES(0x3d6fa8d3, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c)},
    {0x03, "Process", GUID_BYTES(0x3d6fa8d0, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c)},
    {0x04, "FileIo", GUID_BYTES(0x90cbdc39, 0x4a3e, 0x11d1, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3)},
    {0x05, "Thread", GUID_BYTES(0x3d6fa8d1, 0xfe05, 0x11d0, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c)},
    {0x06, "TcpIp", GUID_BYTES(0x9a280ac0, 0xc8e0, 0x11d1, 0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2)},
    {0x07, "Job", GUID_BYTES(0x3282fc76, 0xfeed, 0x498e, 0x8a, 0xa7, 0xe7, 0x0f, 0x45, 0x9d, 0x43, 0x0e)},
    {0x08, "UdpIp", GUID_BYTES(0xbf3a50c5, 0xa9c9, 0x4988, 0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80)},
    {0x09, "Registry", GUID_BYTES(0xae53722e, 0xc863, 0x11d2, 0x86, 0x59, 0x00, 0xc0, 0x4f, 0xa3, 0x21, 0xa1)},
    {0x0a, "DbgPrint", GUID_BYTES(0x13976d09, 0xa327, 0x438c, 0x95, 0x0b, 0x7f, 0x03, 0x19, 0x28, 0x15, 0xc7)},
    {0x0b, "SystemConfig", GUID_BYTES(0x01853a65, 0x418f, 0x4f36, 0xae, 0xfc, 0xdc, 0x0f, 0x1d, 0x2f, 0xd2, 0x35)},
    {0x0c, "Lbr", GUID_BYTES(0x99134383, 0x5248, 0x43fc, 0x83, 0x4b, 0x52, 0x94, 0x54, 0xe7, 0x5d, 0xf3)},
    {0x0d, "Wnf", GUID_BYTES(0x42695762, 0xea50, 0x497a, 0x90, 0x68, 0x5c, 0xbb, 0xb3, 0x5e, 0x0b, 0x95)},
    {0x0e, "Pool", GUID_BYTES(0x0268a8b6, 0x74fd, 0x4302, 0x9d, 0xd0, 0x6e, 0x8f, 0x17, 0x95, 0xc0, 0xcf)},
    {0x0f, "PerfInfo", GUID_BYTES(0xce1dbfb4, 0x137e, 0x4da6, 0x87, 0xb0, 0x3f, 0x59, 0xaa, 0x10, 0x2c, 0xbc)},
    {0x10, "Heap", GUID_BYTES(0x222962ab, 0x6180, 0x4b88, 0xa8, 0x25, 0x34, 0x6b, 0x75, 0xf2, 0xa2, 0x4a)},
    {0x11, "Object", GUID_BYTES(0x89497f50, 0xeffe, 0x4440, 0x8c, 0xf2, 0xce, 0x6b, 0x1c, 0xdc, 0xac, 0xa7)},
    {0x12, "Power", GUID_BYTES(0xe43445e0, 0x0903, 0x48c3, 0xb8, 0x78, 0xff, 0x0f, 0xcc, 0xeb, 0xdd, 0x04)},
    {0x13, "ModBound", GUID_BYTES(0xa9152f00, 0x3f58, 0x4bee, 0x92, 0xa1, 0x70, 0xc7, 0xd0, 0x79, 0xd5, 0xdd)},
    {0x14, "Image", GUID_BYTES(0x2cb15d1d, 0x5fc1, 0x11d2, 0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18)},
    {0x15, "Dpc", GUID_BYTES(0xb2d14872, 0x7c5b, 0x463d, 0x84, 0x19, 0xee, 0x9b, 0xf7, 0xd2, 0x3e, 0x04)},
    {0x16, "Cc", GUID_BYTES(0x7687a439, 0xf752, 0x45b8, 0xb7, 0x41, 0x32, 0x1a, 0xec, 0x0f, 0x8d, 0xf9)},
    {0x17, "CritSec", GUID_BYTES(0x3ac66736, 0xcc59, 0x4cff, 0x81, 0x15, 0x8d, 0xf5, 0x0e, 0x39, 0x81, 0x6b)},
    {0x18, "StackWalk", GUID_BYTES(0xdef2fe46, 0x7bd6, 0x4b80, 0xbd, 0x94, 0xf5, 0x7f, 0xe2, 0x0d, 0x0c, 0xe3)},
    {0x19, "Ums", GUID_BYTES(0x9aec974b, 0x5b8e, 0x4118, 0x9b, 0x92, 0x31, 0x86, 0xd8, 0x00, 0x2c, 0xe5)},
    {0x1a, "ALPC", GUID_BYTES(0x45d8cccd, 0x539f, 0x4b72, 0xa8, 0xb7, 0x5c, 0x68, 0x31, 0x42, 0x60, 0x9a)},
    {0x1b, "SplitIo", GUID_BYTES(0xd837ca92, 0x12b9, 0x44a5, 0xad, 0x6a, 0x3a, 0x65, 0xb3, 0x57, 0x8a, 0xa8)},
    {0x1c, "ThreadPool", GUID_BYTES(0xc861d0e2, 0xa2c1, 0x4d36, 0x9f, 0x9c, 0x97, 0x0b, 0xab, 0x94, 0x3a, 0x12)},
    {0x1d, "Hypervisor", GUID_BYTES(0x7f2a405c, 0x69b5, 0x4bf9, 0xa1, 0xf5, 0x30, 0xe8, 0xf1, 0xaf, 0xab, 0x5e)},
    {0x1e, "HypervisorX", GUID_BYTES(0x2ce9a149, 0xeffe, 0x42f0, 0xa6, 0x35, 0xa1, 0xd3, 0x9e, 0x26, 0xc8, 0xf2)},
};

static const kernel_class *kernel_class_of(uint8_t group)
{
    return group < sizeof kernel_classes / sizeof kernel_classes[0] ? &kernel_classes[group] : NULL;
}

const uint8_t *etl_kernel_group_guid(uint8_t group)
{
    const kernel_class *c = kernel_class_of(group);
    return c ? c->guid : NULL;
}

const char *etl_kernel_group_name(uint8_t group)
{
    const kernel_class *c = kernel_class_of(group);
    return c ? c->name : NULL;
}

#define GROUP_PROCESS 0x03
#define GROUP_IMAGE 0x14
#define PROCESS_TYPE_IMAGE_LOAD 10

/* sechost.dll's translation, as dissect.etl's lookup_guid and Geoff Chappell's hook id list give it:
 * hook 0x030A (PERFINFO_LOG_TYPE_IMAGELOAD) is reported as Image/Load; the Image group's own types
 * (Unload 2, DCStart 3, DCEnd 4, KernelBase 33, HypercallPage 34) and every other Process or Thread
 * type keep their group. PerfView's baselines count Image/Load under Image alone. */
uint8_t etl_kernel_class_group(uint8_t group, uint8_t opcode)
{
    return group == GROUP_PROCESS && opcode == PROCESS_TYPE_IMAGE_LOAD ? GROUP_IMAGE : group;
}

bool etl_event_record_fields(const etl_event *ev, const etl_trace_info *info, const etl_buffer_header *buffer,
                             etw_record_fields *f)
{
    *f = no_fields;
    if (!etl_raw_to_filetime(info, ev->raw_time, &f->timestamp))
        return false;
    f->header_type = ev->header_type;
    f->flags = ev->flags;
    f->event_property = ev->event_property;
    f->thread_id = ev->thread_id;
    f->process_id = ev->process_id;
    if (ev->classic) {
        const uint8_t *guid = etl_kernel_group_guid(etl_kernel_class_group(ev->group, ev->opcode));
        if (guid)
            memcpy(f->provider_id, guid, 16);
        else
            f->task = ev->group; /* no class to name it: keep the group where it is seen */
    } else {
        memcpy(f->provider_id, ev->guid, 16);
    }
    f->id = ev->id;
    f->version = ev->version;
    f->channel = ev->channel;
    f->opcode = ev->opcode;
    f->level = ev->level;
    if (!ev->classic)
        f->task = ev->task;
    f->keyword = ev->keyword;
    f->processor_time = ev->processor_time;
    memcpy(f->activity_id, ev->activity_id, 16);
    f->processor_number = buffer->processor > UINT8_MAX ? UINT8_MAX : (uint8_t)buffer->processor;
    f->logger_id = buffer->logger_id;
    return true;
}

const char *etl_header_type_name(uint8_t t)
{
    switch (t) {
    case ETL_HEADER_SYSTEM32: return "system (32-bit)";
    case ETL_HEADER_SYSTEM64: return "system (64-bit)";
    case ETL_HEADER_COMPACT32: return "compact (32-bit)";
    case ETL_HEADER_COMPACT64: return "compact (64-bit)";
    case ETL_HEADER_FULL32: return "full trace header (32-bit)";
    case ETL_HEADER_INSTANCE32: return "instance (32-bit)";
    case ETL_HEADER_TIMED: return "timed";
    case ETL_HEADER_ERROR: return "error";
    case ETL_HEADER_WNODE: return "WNODE";
    case ETL_HEADER_MESSAGE: return "message";
    case ETL_HEADER_PERFINFO32: return "perfinfo (32-bit)";
    case ETL_HEADER_PERFINFO64: return "perfinfo (64-bit)";
    case ETL_HEADER_EVENT32: return "event header (32-bit)";
    case ETL_HEADER_EVENT64: return "event header (64-bit)";
    case ETL_HEADER_FULL64: return "full trace header (64-bit)";
    case ETL_HEADER_INSTANCE64: return "instance (64-bit)";
    default: return "unknown";
    }
}
