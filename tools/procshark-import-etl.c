#include "procshark-import-etl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "ps_bytes.h"

#define NS_PER_FILETIME_TICK 100
#define PACKET_MAX ((size_t)WTAP_MAX_PACKET_SIZE_STANDARD)

/* Microsoft-Windows-NDIS-PacketCapture {2ED6006E-4729-4609-B423-3EE7BCD678EF} (record byte order). */
static const uint8_t ndis_capture_guid[16] = {0x6e, 0x00, 0xd6, 0x2e, 0x29, 0x47, 0x09, 0x46,
                                              0xb4, 0x23, 0x3e, 0xe7, 0xbc, 0xd6, 0x78, 0xef};
#define NDIS_PACKET_FRAGMENT 1001
/* Keywords of the provider's manifest (as microsoft/etl2pcapng reads them). */
#define KW_MEDIA_WIRELESS_WAN UINT64_C(0x200)
#define KW_MEDIA_NATIVE_802_11 UINT64_C(0x10000)
#define KW_PACKET_START UINT64_C(0x40000000)
#define KW_PACKET_END UINT64_C(0x80000000)
#define KW_SEND UINT64_C(0x100000000)
#define KW_RECEIVE UINT64_C(0x200000000)

typedef struct {
    uint32_t lower_if_index;
    int encap;
    unsigned iface;
    GByteArray *pending; /* fragments of a packet without its end yet */
    uint64_t pending_buffer;
    uint64_t pending_offset; /* file offset of its first fragment */
} ndis_link;

struct etl_input {
    int fd;
    char *name;
    etl_trace_info info;
    uint64_t file_offset; /* of the next buffer */
    bool eof;
    /* the buffer being read */
    uint8_t *buf;
    size_t buf_capacity;
    bool have_buffer;
    uint64_t buffer_index;
    uint64_t buffer_offset;
    etl_buffer_header header;
    etl_event_iter iter;
    /* output */
    uint8_t *out;
    size_t out_capacity;
    char comment[64];
    GArray *interfaces; /* etl_interface */
    GArray *links;      /* ndis_link */
    etl_input_stats stats;
    /* rejects found while loading a buffer, given out one per call */
    GPtrArray *queued; /* char *: "where\treason" */
};

static bool read_full(int fd, uint8_t *p, size_t n, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t r = read(fd, p + *got, n - *got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return false;
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return true;
}

static void reserve(uint8_t **p, size_t *capacity, size_t n)
{
    if (*capacity < n) {
        g_free(*p);
        *p = g_malloc(n);
        *capacity = n;
    }
}

static bool header_event_at(const uint8_t *p, size_t len)
{
    /* A system header (32 or 64), group 0 type 0: the logfile header. */
    return len >= ETL_BUFFER_HEADER_SIZE + 32 && (p[72 + 2] == ETL_HEADER_SYSTEM32 || p[72 + 2] == ETL_HEADER_SYSTEM64) &&
           p[72 + 3] == 0xc0 && p[72 + 6] == 0 && p[72 + 7] == 0;
}

bool etl_input_recognise(const uint8_t *head, size_t len)
{
    etl_buffer_header h;
    const char *why;
    return header_event_at(head, len) && etl_buffer_header_parse(head, len, &h, &why);
}

static void queue_reject(etl_input *r, uint64_t buffer, uint64_t offset, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static void queue_reject(etl_input *r, uint64_t buffer, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(r->queued, g_strdup_printf("%s: buffer %" PRIu64 " at byte %" PRIu64 "\t%s", r->name, buffer,
                                               offset, reason));
    g_free(reason);
}

etl_input *etl_input_open(int fd, const char *name, char **error)
{
    uint8_t head[ETL_BUFFER_HEADER_SIZE];
    size_t got = 0;
    if (!read_full(fd, head, sizeof head, &got)) {
        *error = g_strdup_printf("%s: cannot read: %s", name, g_strerror(errno));
        return NULL;
    }
    etl_buffer_header bh;
    const char *why = NULL;
    if (got < sizeof head || !etl_buffer_header_parse(head, got, &bh, &why)) {
        *error = g_strdup_printf("%s: not an ETL file: %s", name, why ? why : "shorter than a buffer header");
        return NULL;
    }
    etl_input *r = g_new0(etl_input, 1);
    r->fd = fd;
    r->name = g_strdup(name);
    r->interfaces = g_array_new(FALSE, FALSE, sizeof(etl_interface));
    r->links = g_array_new(FALSE, FALSE, sizeof(ndis_link));
    r->queued = g_ptr_array_new_with_free_func(g_free);
    reserve(&r->buf, &r->buf_capacity, bh.buffer_size);
    memcpy(r->buf, head, sizeof head);
    if (!read_full(fd, r->buf + sizeof head, bh.buffer_size - sizeof head, &got)) {
        *error = g_strdup_printf("%s: cannot read: %s", name, g_strerror(errno));
        etl_input_free(r);
        return NULL;
    }
    size_t len = sizeof head + got;
    etl_buffer_header_parse(r->buf, len, &bh, &why);
    etl_event ev;
    size_t bad_offset, bad_len;
    etl_event_iter it;
    etl_event_iter_init(&it, r->buf, bh.data_end);
    if (!header_event_at(r->buf, len) || etl_event_iter_next(&it, &ev, &bad_offset, &bad_len, &why) != ETL_NEXT_EVENT) {
        *error = g_strdup_printf("%s: not an ETL file: its first event is not the logfile header", name);
        etl_input_free(r);
        return NULL;
    }
    if (!etl_trace_info_parse(ev.payload, ev.payload_len, ev.raw_time, ev.pointer64 ? 8 : 4, &r->info, &why)) {
        *error = g_strdup_printf("%s: buffer 0 at byte %zu: %s", name, ev.offset, why);
        etl_input_free(r);
        return NULL;
    }
    if (r->info.buffer_size != bh.buffer_size) {
        /* The first buffer's own size is what was just read; trust it over the header event. */
        r->info.buffer_size = bh.buffer_size;
    }
    r->have_buffer = true;
    r->buffer_index = 0;
    r->buffer_offset = 0;
    r->header = bh;
    r->file_offset = sizeof head + got;
    r->stats.buffers = 1;
    if (len < bh.buffer_size)
        queue_reject(r, 0, len, "the file ends inside its first buffer (%zu of %" PRIu32 " bytes): a truncated file?",
                     len, bh.buffer_size);
    etl_event_iter_init(&r->iter, r->buf, bh.data_end);
    return r;
}

/* Reads the next buffer; false at the end of the file (or on a read error, with *io_error). */
static bool load_buffer(etl_input *r, bool *io_error)
{
    *io_error = false;
    for (;;) {
        if (r->eof)
            return false;
        uint8_t head[ETL_BUFFER_HEADER_SIZE];
        size_t got = 0;
        const uint64_t at = r->file_offset;
        const uint64_t index = r->stats.buffers;
        if (!read_full(r->fd, head, sizeof head, &got)) {
            *io_error = true;
            return false;
        }
        if (got == 0) {
            r->eof = true;
            return false;
        }
        r->stats.buffers++;
        if (got < sizeof head) {
            r->eof = true;
            queue_reject(r, index, at, "the file ends inside a buffer header (%zu of 72 bytes): a truncated file?", got);
            return false;
        }
        const uint32_t own = ps_le32(head);
        const uint16_t flags = ps_le16(head + 52);
        const bool own_sane = own >= ETL_BUFFER_HEADER_SIZE && own <= ETL_BUFFER_SIZE_MAX && own % 8 == 0;
        uint32_t stride = r->info.buffer_size;
        if (flags & ETL_BUFFER_FLAG_COMPRESSED) {
            /* Compressed buffers are as long as their data, so their own size is the way on. */
            if (!own_sane) {
                queue_reject(r, index, at, "a compressed buffer with no usable size: the rest of the file is not read");
                r->eof = true;
                return false;
            }
            stride = own;
        } else if (own != stride) {
            queue_reject(r, index, at, "its header gives a size of %" PRIu32 " bytes, the trace's buffers have %" PRIu32
                         ": read as %" PRIu32, own, stride, stride);
        }
        reserve(&r->buf, &r->buf_capacity, stride);
        memcpy(r->buf, head, sizeof head);
        if (!read_full(r->fd, r->buf + sizeof head, stride - sizeof head, &got)) {
            *io_error = true;
            return false;
        }
        r->file_offset = at + sizeof head + got;
        const size_t len = sizeof head + got;
        if (len < stride) {
            r->eof = true;
            queue_reject(r, index, at + len,
                         "the file ends inside this buffer (%zu of %" PRIu32 " bytes): a truncated file? "
                         "Events in the missing part are lost",
                         len, stride);
        }
        if (flags & ETL_BUFFER_FLAG_COMPRESSED) {
            queue_reject(r, index, at,
                         "a compressed buffer (a relogged trace): procshark does not decompress buffers, so its "
                         "events are not converted");
            continue;
        }
        /* The header's own size must not widen the buffer past what was read. */
        ps_put_le32(r->buf, stride);
        etl_buffer_header bh;
        const char *why = NULL;
        if (!etl_buffer_header_parse(r->buf, len, &bh, &why)) {
            queue_reject(r, index, at, "not a buffer: %s: its events are not converted", why);
            continue;
        }
        r->have_buffer = true;
        r->buffer_index = index;
        r->buffer_offset = at;
        r->header = bh;
        etl_event_iter_init(&r->iter, r->buf, bh.data_end);
        return true;
    }
}

static int64_t filetime_ns(uint64_t ft)
{
    /* FILETIME counts from 1601; pcapng from 1970. Callers check the range. */
    return (int64_t)(ft - ETW_FILETIME_UNIX_EPOCH_US * 10) * NS_PER_FILETIME_TICK;
}

static bool filetime_in_range(uint64_t ft)
{
    return ft >= ETW_FILETIME_UNIX_EPOCH_US * 10 &&
           ft - ETW_FILETIME_UNIX_EPOCH_US * 10 <= (uint64_t)(INT64_MAX / NS_PER_FILETIME_TICK);
}

/* UTF-16LE with its NUL, as the record's ProviderName holds it. */
static size_t utf16_name(const char *ascii, uint8_t *out, size_t out_size)
{
    size_t n = strlen(ascii);
    if (2 * (n + 1) > out_size)
        return 0;
    for (size_t i = 0; i <= n; i++)
        ps_put_le16(out + 2 * i, (uint8_t)ascii[i]);
    return 2 * (n + 1);
}

static void make_record(etl_input *r, const etl_event *ev, const etw_record_fields *f, etl_item *item)
{
    uint8_t name[64];
    size_t name_len = 0;
    const char *class_name = ev->classic ? etl_kernel_group_name(ev->group) : NULL;
    if (class_name)
        name_len = utf16_name(class_name, name, sizeof name);
    size_t size = etw_record_size(ev->payload_len, 0, name_len);
    reserve(&r->out, &r->out_capacity, size);
    item->len = etw_record_build(r->out, f, ev->payload, ev->payload_len, NULL, 0, name, name_len);
    item->data = r->out;
}

static unsigned link_of(etl_input *r, uint32_t lower, uint32_t miniport, int encap)
{
    for (guint i = 0; i < r->links->len; i++) {
        ndis_link *l = &g_array_index(r->links, ndis_link, i);
        if (l->lower_if_index == lower && l->encap == encap)
            return i;
    }
    etl_interface iface = {.wtap_encap = encap};
    const char *medium = encap == WTAP_ENCAP_IEEE_802_11 ? "wifi" : encap == WTAP_ENCAP_RAW_IP ? "mbb" : "eth";
    g_snprintf(iface.name, sizeof iface.name, "%s:%" PRIu32, medium, lower);
    if (miniport != lower)
        g_snprintf(iface.description, sizeof iface.description,
                   "NDIS packet capture of %s, IfIndex %" PRIu32 " (filter over IfIndex %" PRIu32 ")", r->name, lower,
                   miniport);
    else
        g_snprintf(iface.description, sizeof iface.description, "NDIS packet capture of %s, IfIndex %" PRIu32, r->name,
                   lower);
    g_array_append_val(r->interfaces, iface);
    ndis_link l = {.lower_if_index = lower, .encap = encap, .iface = r->interfaces->len - 1};
    g_array_append_val(r->links, l);
    return r->links->len - 1;
}

static void where_event(const etl_input *r, const etl_event *ev, etl_item *item)
{
    g_snprintf(item->where, sizeof item->where, "%s: buffer %" PRIu64 " at byte %" PRIu64, r->name, r->buffer_index,
               r->buffer_offset + ev->offset);
}

/* An NDIS packet fragment: ETL_ITEM_PACKET when it completes a frame, ETL_ITEM_REJECT when it is
 * bad, ETL_ITEM_END when it was kept for the frame's next fragments. */
static etl_item_kind ndis_fragment(etl_input *r, const etl_event *ev, uint64_t filetime, etl_item *item)
{
    r->stats.packet_events++;
    if (ev->payload_len < 12) {
        where_event(r, ev, item);
        g_snprintf(item->reason, sizeof item->reason,
                   "NDIS packet fragment of %zu bytes: shorter than its 12-byte prefix", ev->payload_len);
        return ETL_ITEM_REJECT;
    }
    const uint32_t miniport = ps_le32(ev->payload), lower = ps_le32(ev->payload + 4);
    const uint32_t fragment_size = ps_le32(ev->payload + 8);
    if (fragment_size > ev->payload_len - 12) {
        where_event(r, ev, item);
        g_snprintf(item->reason, sizeof item->reason,
                   "NDIS packet fragment says %" PRIu32 " bytes, the event holds %zu", fragment_size,
                   ev->payload_len - 12);
        return ETL_ITEM_REJECT;
    }
    const uint64_t kw = ev->keyword;
    const int encap = (kw & KW_MEDIA_NATIVE_802_11) ? WTAP_ENCAP_IEEE_802_11
                      : (kw & KW_MEDIA_WIRELESS_WAN) ? WTAP_ENCAP_RAW_IP
                                                       : WTAP_ENCAP_ETHERNET;
    const unsigned link = link_of(r, lower, miniport, encap); /* may grow the array: index it after */
    ndis_link *l = &g_array_index(r->links, ndis_link, link);
    const uint64_t here = r->buffer_offset + ev->offset;
    if (kw & KW_PACKET_START) {
        if (l->pending) {
            g_snprintf(item->where, sizeof item->where, "%s: buffer %" PRIu64 " at byte %" PRIu64, r->name,
                       l->pending_buffer, l->pending_offset);
            g_snprintf(item->reason, sizeof item->reason,
                       "NDIS packet of %u bytes on IfIndex %" PRIu32 " without its last fragment (a new packet began)",
                       l->pending->len, lower);
            g_byte_array_set_size(l->pending, 0);
            l->pending_buffer = r->buffer_index;
            l->pending_offset = here;
            g_byte_array_append(l->pending, ev->payload + 12, fragment_size);
            if (kw & KW_PACKET_END) {
                /* Report the lost one now; this complete one is taken at the next call. */
                g_byte_array_free(l->pending, TRUE);
                l->pending = NULL;
                r->iter.pos = ev->offset; /* read this event again */
                r->stats.packet_events--;
            }
            return ETL_ITEM_REJECT;
        }
        l->pending = g_byte_array_new();
        l->pending_buffer = r->buffer_index;
        l->pending_offset = here;
    } else if (!l->pending) {
        where_event(r, ev, item);
        g_snprintf(item->reason, sizeof item->reason,
                   "NDIS packet fragment on IfIndex %" PRIu32 " without the packet's first fragment", lower);
        return ETL_ITEM_REJECT;
    }
    if (l->pending->len + (size_t)fragment_size > PACKET_MAX) {
        where_event(r, ev, item);
        g_snprintf(item->reason, sizeof item->reason, "NDIS packet on IfIndex %" PRIu32 " grows past %zu bytes",
                   lower, PACKET_MAX);
        g_byte_array_free(l->pending, TRUE);
        l->pending = NULL;
        return ETL_ITEM_REJECT;
    }
    g_byte_array_append(l->pending, ev->payload + 12, fragment_size);
    if (!(kw & KW_PACKET_END))
        return ETL_ITEM_END;

    reserve(&r->out, &r->out_capacity, l->pending->len ? l->pending->len : 1);
    memcpy(r->out, l->pending->data, l->pending->len);
    item->data = r->out;
    item->len = l->pending->len;
    g_byte_array_free(l->pending, TRUE);
    l->pending = NULL;
    /* NDIS hands 802.11 frames over decrypted but with the Protected bit still set. */
    if (encap == WTAP_ENCAP_IEEE_802_11 && item->len > 1)
        r->out[1] &= (uint8_t)~0x40;
    item->iface = l->iface;
    item->epb_flags = (kw & KW_SEND) ? 2 : (kw & KW_RECEIVE) ? 1 : 0;
    g_snprintf(r->comment, sizeof r->comment, "PID=%" PRIu32 " TID=%" PRIu32, ev->process_id, ev->thread_id);
    item->comment = r->comment;
    item->ts_ns = filetime_ns(filetime);
    r->stats.packets++;
    return ETL_ITEM_PACKET;
}

static bool pop_queued(etl_input *r, etl_item *item)
{
    if (r->queued->len == 0)
        return false;
    char *line = g_ptr_array_steal_index(r->queued, 0);
    char *tab = strchr(line, '\t');
    *tab = '\0';
    g_strlcpy(item->where, line, sizeof item->where);
    g_strlcpy(item->reason, tab + 1, sizeof item->reason);
    g_free(line);
    r->stats.rejected++;
    return true;
}

/* Packets whose last fragment never came, at the end of the file. */
static bool pop_unfinished(etl_input *r, etl_item *item)
{
    for (guint i = 0; i < r->links->len; i++) {
        ndis_link *l = &g_array_index(r->links, ndis_link, i);
        if (!l->pending)
            continue;
        g_snprintf(item->where, sizeof item->where, "%s: buffer %" PRIu64 " at byte %" PRIu64, r->name,
                   l->pending_buffer, l->pending_offset);
        g_snprintf(item->reason, sizeof item->reason,
                   "NDIS packet of %u bytes on IfIndex %" PRIu32 " without its last fragment (the trace ends)",
                   l->pending->len, l->lower_if_index);
        g_byte_array_free(l->pending, TRUE);
        l->pending = NULL;
        r->stats.rejected++;
        return true;
    }
    return false;
}

etl_item_kind etl_input_next(etl_input *r, etl_item *item)
{
    memset(item, 0, sizeof *item);
    for (;;) {
        if (pop_queued(r, item))
            return ETL_ITEM_REJECT;
        if (!r->have_buffer) {
            bool io_error = false;
            if (!load_buffer(r, &io_error)) {
                if (io_error) {
                    g_snprintf(item->reason, sizeof item->reason, "%s: cannot read: %s", r->name, g_strerror(errno));
                    return ETL_ITEM_IO_ERROR;
                }
                if (pop_queued(r, item) || pop_unfinished(r, item))
                    return ETL_ITEM_REJECT;
                return ETL_ITEM_END;
            }
            continue;
        }
        etl_event ev;
        size_t bad_offset = 0, bad_len = 0;
        const char *why = NULL;
        switch (etl_event_iter_next(&r->iter, &ev, &bad_offset, &bad_len, &why)) {
        case ETL_NEXT_END:
            r->have_buffer = false;
            continue;
        case ETL_NEXT_SKIPPED:
            r->stats.rejected++;
            g_snprintf(item->where, sizeof item->where, "%s: buffer %" PRIu64 " at byte %" PRIu64, r->name,
                       r->buffer_index, r->buffer_offset + bad_offset);
            g_snprintf(item->reason, sizeof item->reason, "%s (%zu bytes skipped, header kind 0x%02x)", why, bad_len,
                       r->buf[bad_offset + 2 < r->iter.end ? bad_offset + 2 : bad_offset]);
            return ETL_ITEM_REJECT;
        case ETL_NEXT_EVENT:
            break;
        }
        r->stats.events++;
        r->stats.extended_items += ev.extended_items;
        if (!ev.has_time) {
            r->stats.rejected++;
            where_event(r, &ev, item);
            g_snprintf(item->reason, sizeof item->reason, "a WPP message without a time stamp (message %u)", ev.id);
            return ETL_ITEM_REJECT;
        }
        etw_record_fields f;
        if (!etl_event_record_fields(&ev, &r->info, &r->header, &f) || !filetime_in_range(f.timestamp)) {
            r->stats.rejected++;
            where_event(r, &ev, item);
            g_snprintf(item->reason, sizeof item->reason,
                       "%s event: its time stamp (raw %" PRIu64 ") is not a time between 1970 and 2262 on the trace's clock",
                       etl_header_type_name(ev.header_type), ev.raw_time);
            return ETL_ITEM_REJECT;
        }
        if (!ev.classic && ev.id == NDIS_PACKET_FRAGMENT && memcmp(ev.guid, ndis_capture_guid, 16) == 0) {
            etl_item_kind k = ndis_fragment(r, &ev, f.timestamp, item);
            if (k == ETL_ITEM_END)
                continue;
            if (k == ETL_ITEM_REJECT)
                r->stats.rejected++;
            return k;
        }
        make_record(r, &ev, &f, item);
        item->ts_ns = filetime_ns(f.timestamp);
        r->stats.records++;
        return ETL_ITEM_RECORD;
    }
}

const etl_trace_info *etl_input_trace(const etl_input *r) { return &r->info; }
unsigned etl_input_interface_count(const etl_input *r) { return r->interfaces->len; }
const etl_interface *etl_input_interface(const etl_input *r, unsigned i)
{
    return i < r->interfaces->len ? &g_array_index(r->interfaces, etl_interface, i) : NULL;
}
const etl_input_stats *etl_input_stats_of(const etl_input *r) { return &r->stats; }

void etl_input_free(etl_input *r)
{
    if (!r)
        return;
    for (guint i = 0; i < r->links->len; i++) {
        ndis_link *l = &g_array_index(r->links, ndis_link, i);
        if (l->pending)
            g_byte_array_free(l->pending, TRUE);
    }
    g_array_free(r->links, TRUE);
    g_array_free(r->interfaces, TRUE);
    g_ptr_array_free(r->queued, TRUE);
    g_free(r->buf);
    g_free(r->out);
    g_free(r->name);
    g_free(r);
}
