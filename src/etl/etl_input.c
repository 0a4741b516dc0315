/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etl_input.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "etl_pktmon.h"
#include "lzxpress.h"
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

/* A file that is not in the page cache is asked for ahead of its reading (posix_fadvise), or each
 * read waits for the disk: the index reads 72 bytes of every buffer, and the merge goes back and
 * forth between the processors' buffers, which the kernel's own read-ahead does not take for
 * sequential reading (a cold 512 MiB trace cost the conversion 1.2 s more than a warm one, where
 * `cat` reads it in 0.2 to 0.4 s). */
#define INDEX_AHEAD 512u                /* buffer headers asked for ahead of the index */
#define READ_AHEAD ((uint64_t)16 << 20) /* bytes asked for ahead of the merge */
/* A trace's compressed buffers decompress to at most this many times their compressed bytes, plus
 * the slack: real ones grow 1.2 to 6 times (at most 14 for one buffer), while a 7-byte match can
 * claim 16 MiB, and a hostile 50 KiB file of such buffers would have the reader write gigabytes. */
#define BOMB_RATIO 64
#define BOMB_SLACK ((uint64_t)64 << 20)

typedef struct {
    uint64_t offset; /* in the file */
    uint64_t index;  /* the buffer's number in the file, for messages */
    uint32_t size;   /* its bytes in the file: the stride, or less where the file is cut short */
    bool compressed; /* its events are at places in its decompressed bytes, not in the file */
} buffer_ref;

/* The buffers of one processor, read in file order: their events are in time order. */
typedef struct {
    uint16_t processor;
    GArray *refs; /* buffer_ref */
    guint next_ref;
    uint8_t *buf;
    size_t capacity;
    bool loaded;
    buffer_ref cur;
    etl_buffer_header header;
    etl_event_iter iter;
    bool peeked; /* ev and fields hold its next event */
    etl_event ev;
    etw_record_fields fields;
} cpu_stream;

typedef struct {
    uint32_t lower_if_index;
    int encap;
    unsigned iface;
    GByteArray *pending; /* fragments of a packet without its end yet */
    buffer_ref pending_ref;  /* where its first fragment is */
    size_t pending_inner;
} ndis_link;

/* A pktmon packet written lately: its further appearances at other components (the same bytes,
 * the same direction, moments later) are folded into it. Bytes are compared from the end of the
 * link header on, with the EtherType, since a Wi-Fi driver's components see the one packet with
 * 802.11 and with Ethernet framing. The same component and edge seeing the same bytes again is
 * another packet (a retransmission). */
#define FOLD_RECENT 64
#define FOLD_WINDOW (100 * 10000) /* 100 ms, in FILETIME ticks: appearances are microseconds apart */
#define FOLD_KEY 64               /* bytes compared */
#define FOLD_PLACES 16
typedef struct {
    uint64_t filetime;
    uint32_t dir;
    int framing;   /* the link type, when the frame has no EtherType; else 0 */
    uint16_t ethertype;
    uint32_t size; /* the packet's bytes from the key's start, as it was before any cut */
    uint32_t key_len;
    uint8_t key[FOLD_KEY];
    uint32_t places[FOLD_PLACES]; /* component << 16 | edge, where it was seen */
    unsigned n_places;
} recent_packet;

/* A classic kernel group's class name as records carry it (UTF-16LE), made once: it names most
 * events of a kernel trace. */
typedef struct {
    uint8_t utf16[64];
    size_t len; /* 0: the group has no name */
} kernel_name;

struct etl_input {
    int fd;
    char *name;
    etl_trace_info info;
    /* A regular file is indexed first and its processors' buffers merged in time order; a pipe
     * is read as it comes, in one stream. */
    bool indexed;
    uint64_t asked;       /* indexed: the file up to here was asked for (READ_AHEAD) */
    uint64_t file_offset; /* pipes: of the next buffer */
    bool eof;
    GPtrArray *streams; /* cpu_stream */
    GPtrArray *heap;    /* cpu_stream with a peeked event, earliest first */
    /* output */
    uint8_t *out;
    size_t out_capacity;
    char comment[256];
    GArray *interfaces; /* etl_interface */
    GArray *links;      /* ndis_link */
    /* pktmon: an interface per component and link type, as Microsoft's etl2pcapng groups them;
     * hashed, as a hostile file may describe every one of 65,536 components. */
    GHashTable *pktmon_links; /* component << 16 | link type -> interface index + 1 */
    GHashTable *components;   /* id -> pktmon_component, from the whole file once a packet is seen */
    bool components_scanned;
    bool all_appearances;
    recent_packet recent[FOLD_RECENT];
    unsigned recent_next;
    etl_input_stats stats;
    /* Problems are given out in file order (by buffer, then as found in it), though the merge reads
     * the processors' buffers in time order: each waits until every buffer before its own is read. */
    GSequence *problems;   /* problem, by buffer then found */
    uint64_t problems_found;
    unsigned problems_held; /* in problems */
    uint8_t *buffer_done;  /* indexed: per buffer, its events and problems all read */
    uint64_t first_unread; /* indexed: the first buffer not done; its own problems may go out */
    uint8_t *plain;    /* a compressed buffer's decompressed bytes, before they go to their stream */
    size_t plain_capacity;
    uint32_t logical_size; /* the logfile header's buffer size: what a buffer decompresses to at most */
    uint64_t packed_bytes, plain_bytes; /* compressed buffers' data so far, and what it decompressed to */
    kernel_name kernel_names[256]; /* by group */
};

/* Reads n bytes, fewer only at the end of the file: at offset `at`, or where the file is when
 * at < 0 (a pipe). */
static bool read_full(int fd, uint8_t *p, size_t n, int64_t at, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t r = at < 0 ? read(fd, p + *got, n - *got) : pread(fd, p + *got, n - *got, (off_t)(at + (int64_t)*got));
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
    const kernel_name *name = ev->classic ? &r->kernel_names[etl_kernel_class_group(ev->group, ev->opcode)] : NULL;
    const size_t name_len = name ? name->len : 0;
    size_t size = etw_record_size(ev->payload_len, 0, name_len);
    reserve(&r->out, &r->out_capacity, size);
    item->len = etw_record_build(r->out, f, ev->payload, ev->payload_len, NULL, 0, name ? name->utf16 : NULL, name_len);
    item->data = r->out;
}


/* A system header (32 or 64), group 0 type 0: the logfile header; ev is its first 8 bytes. */
static bool logfile_header_event(const uint8_t *ev)
{
    return (ev[2] == ETL_HEADER_SYSTEM32 || ev[2] == ETL_HEADER_SYSTEM64) && ev[3] == 0xc0 && ev[6] == 0 && ev[7] == 0;
}

static bool header_event_at(const uint8_t *p, size_t len)
{
    return len >= ETL_BUFFER_HEADER_SIZE + 32 && logfile_header_event(p + ETL_BUFFER_HEADER_SIZE);
}

static bool first_compressed(const uint8_t *head) { return ps_le16(head + 52) & ETL_BUFFER_FLAG_COMPRESSED; }

bool etl_input_recognise(const uint8_t *head, size_t len)
{
    etl_buffer_header h;
    if (len > ETL_BUFFER_HEADER_SIZE && first_compressed(head)) {
        /* Its header event's first bytes, decompressed from what there is of it. */
        uint8_t ev[32];
        size_t n = 0;
        lzxpress_decompress(head + ETL_BUFFER_HEADER_SIZE, len - ETL_BUFFER_HEADER_SIZE, ev, sizeof ev, &n, NULL);
        return n >= 8 && logfile_header_event(ev);
    }
    return header_event_at(head, len) && etl_buffer_header_parse(head, len, &h, NULL);
}

/* Where a place in a buffer is: `inner` bytes from its start, in the file or, for a compressed
 * buffer, in its decompressed bytes (which have no place in the file). */
static void where_at(const etl_input *r, const buffer_ref *ref, uint64_t inner, char *out, size_t size)
{
    if (ref->compressed)
        g_snprintf(out, size, "%s: buffer %" PRIu64 " (compressed, at byte %" PRIu64 "), byte %" PRIu64
                   " of its decompressed data", r->name, ref->index, ref->offset, inner);
    else
        g_snprintf(out, size, "%s: buffer %" PRIu64 " at byte %" PRIu64, r->name, ref->index, ref->offset + inner);
}

typedef struct {
    uint64_t buffer; /* the buffer it is given out with */
    uint64_t found;  /* its rank among the problems found */
    char *where, *reason;
} problem;

static gint problem_order(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    const problem *x = a, *y = b;
    if (x->buffer != y->buffer)
        return x->buffer < y->buffer ? -1 : 1;
    return x->found < y->found ? -1 : x->found > y->found;
}

static void problem_free(gpointer p)
{
    problem *x = p;
    g_free(x->where);
    g_free(x->reason);
    g_free(x);
}

/* Takes where and reason. */
static void add_problem(etl_input *r, uint64_t buffer, char *where, char *reason)
{
    problem *x = g_new(problem, 1);
    *x = (problem){buffer, r->problems_found++, where, reason};
    g_sequence_insert_sorted(r->problems, x, problem_order, NULL);
    r->problems_held++;
}

static void add_problem_at(etl_input *r, uint64_t buffer, const buffer_ref *ref, uint64_t inner, const char *fmt,
                           va_list ap) G_GNUC_PRINTF(5, 0);
static void add_problem_at(etl_input *r, uint64_t buffer, const buffer_ref *ref, uint64_t inner, const char *fmt,
                           va_list ap)
{
    char where[160];
    where_at(r, ref, inner, where, sizeof where);
    add_problem(r, buffer, g_strdup(where), g_strdup_vprintf(fmt, ap));
}

/* A problem at a place in the buffer `ref` (see where_at). */
static void queue_reject_in(etl_input *r, const buffer_ref *ref, uint64_t inner, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void queue_reject_in(etl_input *r, const buffer_ref *ref, uint64_t inner, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_problem_at(r, ref->index, ref, inner, fmt, ap);
    va_end(ap);
}

/* A problem at a place in the buffer `ref`, learnt while reading the buffer numbered `buffer`. */
static void reject_learnt(etl_input *r, uint64_t buffer, const buffer_ref *ref, uint64_t inner, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
static void reject_learnt(etl_input *r, uint64_t buffer, const buffer_ref *ref, uint64_t inner, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_problem_at(r, buffer, ref, inner, fmt, ap);
    va_end(ap);
}

/* A problem at a byte of the file, in the buffer numbered `buffer`. */
static void queue_reject(etl_input *r, uint64_t buffer, uint64_t offset, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static void queue_reject(etl_input *r, uint64_t buffer, uint64_t offset, const char *fmt, ...)
{
    const buffer_ref ref = {.offset = offset, .index = buffer};
    va_list ap;
    va_start(ap, fmt);
    add_problem_at(r, buffer, &ref, 0, fmt, ap);
    va_end(ap);
}

/* Every event and problem of the buffer is read: the problems of the buffers after it may go out
 * once those before it are done too. */
static void buffer_read(etl_input *r, uint64_t index)
{
    if (!r->buffer_done || index >= r->stats.buffers)
        return;
    r->buffer_done[index] = 1;
    while (r->first_unread < r->stats.buffers && r->buffer_done[r->first_unread])
        r->first_unread++;
}

static cpu_stream *stream_of(etl_input *r, uint16_t processor)
{
    for (guint i = 0; i < r->streams->len; i++) {
        cpu_stream *s = r->streams->pdata[i];
        if (s->processor == processor)
            return s;
    }
    cpu_stream *s = g_new0(cpu_stream, 1);
    s->processor = processor;
    s->refs = g_array_new(FALSE, FALSE, sizeof(buffer_ref));
    g_ptr_array_add(r->streams, s);
    return s;
}

static void free_stream(gpointer p)
{
    cpu_stream *s = p;
    g_array_free(s->refs, TRUE);
    g_free(s->buf);
    g_free(s);
}

/* How far the next buffer is, from its header (got bytes of it); 0 when the rest of the file cannot
 * be followed, reported after all other problems: where the walk stops is the last place in the
 * file. */
static uint32_t buffer_stride(etl_input *r, const uint8_t *head, size_t got, uint64_t index, uint64_t at)
{
    if (got < ETL_BUFFER_HEADER_SIZE) {
        queue_reject(r, index, at, "the file ends inside a buffer header (%zu of 72 bytes): a truncated file?", got);
        r->stats.buffers_rejected++;
        return 0;
    }
    const uint32_t own = ps_le32(head);
    if (!(ps_le16(head + 52) & ETL_BUFFER_FLAG_COMPRESSED))
        return r->info.buffer_size;
    r->stats.compressed++;
    /* A compressed buffer is as long as its compressed data, to the byte: its own size is the way on. */
    if (own >= ETL_BUFFER_HEADER_SIZE && own <= ETL_BUFFER_SIZE_MAX)
        return own;
    queue_reject(r, index, at,
                 "a compressed buffer whose size field says %" PRIu32 " bytes, which no buffer has: the buffers "
                 "after it cannot be found, so the rest of the file is not read",
                 own);
    r->stats.buffers_rejected++;
    return 0;
}

static uint16_t buffer_processor(const uint8_t *head)
{
    return (ps_le16(head + 52) & ETL_BUFFER_FLAG_PROC_INDEX) ? ps_le16(head + 40) : head[40];
}

/* Finds every buffer of a regular file by its header, and puts it in its processor's stream. */
static bool index_buffers(etl_input *r, uint64_t file_size)
{
    uint64_t at = 0, index = 0;
    uint64_t asked = 0; /* headers before here were asked for, where the trace's stride puts them */
    bool stopped = false;
    while (at < file_size) {
        for (; asked < file_size && asked < at + (uint64_t)INDEX_AHEAD * r->info.buffer_size; asked += r->info.buffer_size)
            posix_fadvise(r->fd, (off_t)asked, ETL_BUFFER_HEADER_SIZE, POSIX_FADV_WILLNEED);
        uint8_t head[ETL_BUFFER_HEADER_SIZE];
        size_t got = 0;
        if (!read_full(r->fd, head, sizeof head, (int64_t)at, &got))
            return false;
        const uint32_t stride = buffer_stride(r, head, got, index, at);
        if (stride == 0) {
            index++;
            stopped = true;
            break;
        }
        buffer_ref ref = {at, index, (uint32_t)MIN((uint64_t)stride, file_size - at), false};
        g_array_append_val(stream_of(r, buffer_processor(head))->refs, ref);
        index++;
        at += stride;
    }
    r->stats.buffers = index;
    r->buffer_done = g_malloc0(index ? index : 1);
    /* Where the walk stopped is no buffer of any processor: nothing of it is left to read. */
    if (stopped)
        buffer_read(r, index - 1);
    return true;
}

/* Pipes: the next buffer as it comes, into the one stream. */
static bool next_sequential_ref(etl_input *r, cpu_stream *s, buffer_ref *ref, bool *io_error)
{
    while (!r->eof) {
        uint8_t head[ETL_BUFFER_HEADER_SIZE];
        size_t got = 0;
        const uint64_t at = r->file_offset, index = r->stats.buffers;
        if (!read_full(r->fd, head, sizeof head, -1, &got)) {
            *io_error = true;
            return false;
        }
        if (got == 0) {
            r->eof = true;
            return false;
        }
        r->stats.buffers++;
        const uint32_t stride = buffer_stride(r, head, got, index, at);
        if (stride == 0) {
            r->eof = true;
            return false;
        }
        reserve(&s->buf, &s->capacity, stride);
        memcpy(s->buf, head, sizeof head);
        if (!read_full(r->fd, s->buf + sizeof head, stride - sizeof head, -1, &got)) {
            *io_error = true;
            return false;
        }
        r->file_offset = at + sizeof head + got;
        *ref = (buffer_ref){at, index, (uint32_t)(sizeof head + got), false};
        if (ref->size < stride)
            r->eof = true;
        return true;
    }
    return false;
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* A compressed buffer just read into s->buf, decompressed in its place; false when its events cannot
 * be read (reported). Its header then says where its data end, as an uncompressed one's does. */
static bool decompress_buffer(etl_input *r, cpu_stream *s, buffer_ref *ref)
{
    /* Its saved offset is where its data end once decompressed. */
    const uint32_t plain = ps_le32(s->buf + 4);
    if (plain < ETL_BUFFER_HEADER_SIZE || plain > r->logical_size) {
        queue_reject(r, ref->index, ref->offset + 4,
                     "a compressed buffer whose data would end at byte %" PRIu32 ", outside the trace's %" PRIu32
                     "-byte buffers: its events are not read",
                     plain, r->logical_size);
        return false;
    }
    r->packed_bytes += ref->size - ETL_BUFFER_HEADER_SIZE;
    const uint64_t allowed = BOMB_SLACK + BOMB_RATIO * r->packed_bytes;
    const uint64_t left = allowed > r->plain_bytes ? allowed - r->plain_bytes : 0;
    const size_t room = (size_t)MIN((uint64_t)plain - ETL_BUFFER_HEADER_SIZE, left);
    reserve(&r->plain, &r->plain_capacity, plain);
    size_t n = 0;
    ps_problems why = {0};
    const bool ok = lzxpress_decompress(s->buf + ETL_BUFFER_HEADER_SIZE, ref->size - ETL_BUFFER_HEADER_SIZE,
                                        r->plain + ETL_BUFFER_HEADER_SIZE, room, &n, &why);
    r->plain_bytes += n;
    /* What was decompressed before any damage holds good events: they are read. */
    const char *salvage = n ? "the events before are read" : "its events are lost";
    const uint32_t own = ps_le32(s->buf);
    const size_t len = ETL_BUFFER_HEADER_SIZE + n;
    ref->compressed = true;
    if (ref->size < own)
        queue_reject(r, ref->index, ref->offset + ref->size,
                     "the file ends inside this compressed buffer (%" PRIu32 " of %" PRIu32 " bytes; a truncated "
                     "file?): %s",
                     ref->size, own, salvage);
    else if (!ok && room < plain - ETL_BUFFER_HEADER_SIZE && ps_problems_has(&why, LZXPRESS_TOO_LONG)) {
        queue_reject(r, ref->index, ref->offset + ETL_BUFFER_HEADER_SIZE + ps_problems_first(&why)->offset,
                     "a decompression bomb? The trace's compressed data would grow past %d times their size plus "
                     "64 MiB here: its events are not read",
                     BOMB_RATIO);
        n = 0;
    } else if (!ok)
        queue_reject(r, ref->index, ref->offset + ETL_BUFFER_HEADER_SIZE + ps_problems_first(&why)->offset,
                     "its compressed data cannot be decompressed past here: %s: %s", ps_problems_first(&why)->message,
                     salvage);
    else if (len < plain)
        queue_reject_in(r, ref, len,
                        "the compressed data end here, the buffer's header says its data end at byte %" PRIu32
                        ": the events before are read",
                        plain);
    ps_problems_clear(&why);
    if (n == 0)
        return false;
    memcpy(r->plain, s->buf, ETL_BUFFER_HEADER_SIZE);
    /* The decompressed bytes become the stream's buffer, its compressed bytes the next one's room. */
    uint8_t *packed = s->buf;
    const size_t packed_capacity = s->capacity;
    s->buf = r->plain;
    s->capacity = r->plain_capacity;
    r->plain = packed;
    r->plain_capacity = packed_capacity;
    /* Its size and end of data as an uncompressed buffer's: its size is no longer a stride. */
    ps_put_le32(s->buf, (uint32_t)align8(len));
    ps_put_le32(s->buf + 8, (uint32_t)len);
    ref->size = (uint32_t)len;
    return true;
}

/* The buffer just read into s->buf made ready for its events (s->header); false when its events
 * cannot be read (reported). Its problems are reported here, when its events would come. */
static bool buffer_ready(etl_input *r, cpu_stream *s, buffer_ref *ref)
{
    ps_problems why = {0};
    if (ref->size >= ETL_BUFFER_HEADER_SIZE && (ps_le16(s->buf + 52) & ETL_BUFFER_FLAG_COMPRESSED)) {
        if (!decompress_buffer(r, s, ref))
            return false;
    } else if (ref->size >= ETL_BUFFER_HEADER_SIZE) {
        const uint32_t own = ps_le32(s->buf);
        if (own != r->info.buffer_size)
            queue_reject(r, ref->index, ref->offset,
                         "its header gives a size of %" PRIu32 " bytes, the trace's buffers have %" PRIu32
                         ": read as %" PRIu32,
                         own, r->info.buffer_size, r->info.buffer_size);
        if (ref->size < r->info.buffer_size)
            queue_reject(r, ref->index, ref->offset + ref->size,
                         "the file ends inside this buffer (%" PRIu32 " of %" PRIu32 " bytes): a truncated file? "
                         "Events in the missing part are lost",
                         ref->size, r->info.buffer_size);
        /* Its own size must not widen the buffer past the file's stride. */
        ps_put_le32(s->buf, r->info.buffer_size);
    }
    if (!etl_buffer_header_parse(s->buf, ref->size, &s->header, &why)) {
        queue_reject(r, ref->index, ref->offset, "not a buffer: %s: its events are not converted",
                     ps_problems_first(&why)->message);
        ps_problems_clear(&why);
        return false;
    }
    return true;
}

/* Loads the stream's next buffer that holds events; false when there is none (or on a read error,
 * with *io_error). */
static bool load_buffer(etl_input *r, cpu_stream *s, bool *io_error)
{
    for (;;) {
        buffer_ref ref;
        if (r->indexed) {
            if (s->next_ref >= s->refs->len)
                return false;
            ref = g_array_index(s->refs, buffer_ref, s->next_ref++);
            if (r->asked < ref.offset + ref.size + READ_AHEAD / 2) {
                const uint64_t from = MAX(r->asked, ref.offset);
                r->asked = ref.offset + ref.size + READ_AHEAD;
                posix_fadvise(r->fd, (off_t)from, (off_t)(r->asked - from), POSIX_FADV_WILLNEED);
            }
            reserve(&s->buf, &s->capacity, ref.size);
            size_t got = 0;
            if (!read_full(r->fd, s->buf, ref.size, (int64_t)ref.offset, &got)) {
                *io_error = true;
                return false;
            }
            ref.size = (uint32_t)got;
        } else if (!next_sequential_ref(r, s, &ref, io_error)) {
            return false;
        }
        if (!buffer_ready(r, s, &ref)) {
            r->stats.buffers_rejected++;
            buffer_read(r, ref.index);
            continue;
        }
        s->cur = ref;
        s->loaded = true;
        etl_event_iter_init(&s->iter, s->buf, s->header.data_end);
        return true;
    }
}

/* Reads ahead to the stream's next event that can be written; problems on the way are queued. */
static bool stream_peek(etl_input *r, cpu_stream *s)
{
    while (!s->peeked) {
        if (!s->loaded) {
            bool io_error = false;
            if (!load_buffer(r, s, &io_error))
                return !io_error;
            continue;
        }
        ps_problems skipped = {0};
        switch (etl_event_iter_next(&s->iter, &s->ev, &skipped)) {
        case ETL_NEXT_END:
            s->loaded = false;
            buffer_read(r, s->cur.index);
            continue;
        case ETL_NEXT_SKIPPED: {
            const ps_problem *bad = ps_problems_first(&skipped);
            const size_t kind_at = bad->offset + 2 < s->iter.end ? bad->offset + 2 : bad->offset;
            queue_reject_in(r, &s->cur, bad->offset, "%s (%zu bytes skipped, header kind 0x%02x)",
                         bad->message, bad->length, s->buf[kind_at]);
            ps_problems_clear(&skipped);
            continue;
        }
        case ETL_NEXT_EVENT:
            break;
        }
        r->stats.events++;
        r->stats.extended_items += s->ev.extended_items;
        const uint64_t at = s->ev.offset;
        if (!s->ev.has_time) {
            queue_reject_in(r, &s->cur, at, "a WPP message without a time stamp (message %u)", s->ev.id);
            continue;
        }
        if (!etl_event_record_fields(&s->ev, &r->info, &s->header, &s->fields) || !filetime_in_range(s->fields.timestamp)) {
            queue_reject_in(r, &s->cur, at,
                         "%s event: its time stamp (raw %" PRIu64 ") is not a time between 1970 and 2262 on the "
                         "trace's clock",
                         etl_header_type_name(s->ev.header_type), s->ev.raw_time);
            continue;
        }
        s->peeked = true;
    }
    return true;
}

/* --- the merge of the processors' streams ---------------------------------------------------- */

static bool stream_before(const cpu_stream *a, const cpu_stream *b)
{
    if (a->fields.timestamp != b->fields.timestamp)
        return a->fields.timestamp < b->fields.timestamp;
    /* Then file order: a compressed buffer's places are in its decompressed bytes. */
    if (a->cur.offset != b->cur.offset)
        return a->cur.offset < b->cur.offset;
    return a->ev.offset < b->ev.offset;
}

static void heap_sift_down(GPtrArray *h, guint i)
{
    for (;;) {
        guint l = 2 * i + 1, m = i;
        if (l < h->len && stream_before(h->pdata[l], h->pdata[m]))
            m = l;
        if (l + 1 < h->len && stream_before(h->pdata[l + 1], h->pdata[m]))
            m = l + 1;
        if (m == i)
            return;
        gpointer t = h->pdata[i];
        h->pdata[i] = h->pdata[m];
        h->pdata[m] = t;
        i = m;
    }
}

static void heap_push(GPtrArray *h, cpu_stream *s)
{
    g_ptr_array_add(h, s);
    for (guint i = h->len - 1; i > 0;) {
        guint parent = (i - 1) / 2;
        if (!stream_before(h->pdata[i], h->pdata[parent]))
            break;
        gpointer t = h->pdata[i];
        h->pdata[i] = h->pdata[parent];
        h->pdata[parent] = t;
        i = parent;
    }
}

/* The first buffer, read before anything is known of the trace but its own header. */
typedef struct {
    uint8_t *bytes;     /* uncompressed */
    size_t len;         /* of them */
    size_t capacity;    /* allocated, at least its header's (rewritten) size */
    uint64_t consumed;  /* bytes read from the file */
    uint32_t file_size; /* its size in the file */
    uint64_t damage_at; /* compressed: where its data stop decompressing, in the file */
    char *damage;       /* why, or NULL */
} first_buffer;

static bool read_first_plain(int fd, const uint8_t *head, uint32_t size, first_buffer *fb)
{
    size_t got = 0;
    fb->bytes = g_malloc(size);
    fb->capacity = fb->file_size = size;
    memcpy(fb->bytes, head, ETL_BUFFER_HEADER_SIZE);
    const bool ok = read_full(fd, fb->bytes + ETL_BUFFER_HEADER_SIZE, size - ETL_BUFFER_HEADER_SIZE, -1, &got);
    fb->len = fb->consumed = ETL_BUFFER_HEADER_SIZE + got;
    return ok;
}

/* A compressed first buffer (Windows leaves it uncompressed in every trace seen; dissect.etl reads
 * one all the same): decompressed, its header rewritten as decompress_buffer does. fb->bytes NULL
 * when it cannot be (why says so). */
static bool read_first_packed(int fd, const uint8_t *head, first_buffer *fb, ps_problems *why)
{
    const uint32_t own = ps_le32(head), plain = ps_le32(head + 4);
    if (own < ETL_BUFFER_HEADER_SIZE || own > ETL_BUFFER_SIZE_MAX || plain < ETL_BUFFER_HEADER_SIZE ||
        plain > ETL_BUFFER_SIZE_MAX) {
        ps_problems_add(why, 0, 0, 8, "its sizes (%" PRIu32 " bytes, %" PRIu32 " decompressed) are not a buffer's",
                        own, plain);
        return true;
    }
    uint8_t *packed = g_malloc(own);
    memcpy(packed, head, ETL_BUFFER_HEADER_SIZE);
    size_t got = 0;
    const bool ok = read_full(fd, packed + ETL_BUFFER_HEADER_SIZE, own - ETL_BUFFER_HEADER_SIZE, -1, &got);
    fb->consumed = ETL_BUFFER_HEADER_SIZE + got;
    fb->file_size = own;
    fb->capacity = align8(plain);
    fb->bytes = g_malloc(fb->capacity);
    memcpy(fb->bytes, head, ETL_BUFFER_HEADER_SIZE);
    size_t n = 0;
    ps_problems damage = {0};
    /* What decompresses before any damage is read; the header event must be in it. */
    lzxpress_decompress(packed + ETL_BUFFER_HEADER_SIZE, got, fb->bytes + ETL_BUFFER_HEADER_SIZE,
                        plain - ETL_BUFFER_HEADER_SIZE, &n, &damage);
    g_free(packed);
    if (n == 0) {
        const ps_problem *first = ps_problems_first(&damage);
        ps_problems_add(why, 0, 0, 0, "it cannot be decompressed: %s", first ? first->message : "it holds no data");
        ps_problems_clear(&damage);
        g_clear_pointer(&fb->bytes, g_free);
        return ok;
    }
    if (ps_problems_first(&damage)) {
        fb->damage_at = ETL_BUFFER_HEADER_SIZE + ps_problems_first(&damage)->offset;
        fb->damage = g_strdup(ps_problems_first(&damage)->message);
    }
    ps_problems_clear(&damage);
    fb->len = ETL_BUFFER_HEADER_SIZE + n;
    ps_put_le32(fb->bytes, (uint32_t)align8(fb->len));
    ps_put_le32(fb->bytes + 8, (uint32_t)fb->len);
    return ok;
}

etl_input *etl_input_open(int fd, const char *name, char **error)
{
    uint8_t head[ETL_BUFFER_HEADER_SIZE];
    size_t got = 0;
    if (!read_full(fd, head, sizeof head, -1, &got)) {
        *error = g_strdup_printf("%s: cannot read: %s", name, g_strerror(errno));
        return NULL;
    }
    if (got == 0) { /* empty: the caller reports it as it does an empty file */
        *error = NULL;
        return NULL;
    }
    etl_buffer_header bh;
    ps_problems why = {0};
    const bool packed = got == sizeof head && first_compressed(head);
    if (got < sizeof head || (!packed && !etl_buffer_header_parse(head, got, &bh, &why))) {
        const ps_problem *header = ps_problems_first(&why);
        *error = g_strdup_printf("%s: not an ETL file: %s", name,
                                 header ? header->message : "shorter than a buffer header");
        ps_problems_clear(&why);
        return NULL;
    }
    etl_input *r = g_new0(etl_input, 1);
    r->fd = fd;
    r->name = g_strdup(name);
    r->interfaces = g_array_new(FALSE, FALSE, sizeof(etl_interface));
    r->links = g_array_new(FALSE, FALSE, sizeof(ndis_link));
    r->pktmon_links = g_hash_table_new(g_direct_hash, g_direct_equal);
    r->components = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    r->problems = g_sequence_new(problem_free);
    r->streams = g_ptr_array_new_with_free_func(free_stream);
    r->heap = g_ptr_array_new();
    for (unsigned g = 0; g < G_N_ELEMENTS(r->kernel_names); g++) {
        const char *name = etl_kernel_group_name((uint8_t)g);
        if (name)
            r->kernel_names[g].len = utf16_name(name, r->kernel_names[g].utf16, sizeof r->kernel_names[g].utf16);
    }
    first_buffer fb = {0};
    const bool ok = packed ? read_first_packed(fd, head, &fb, &why) : read_first_plain(fd, head, bh.buffer_size, &fb);
    uint8_t *first = fb.bytes;
    const size_t len = fb.len;
    etl_event ev;
    etl_event_iter it;
    if (first)
        etl_buffer_header_parse(first, len, &bh, NULL);
    etl_event_iter_init(&it, first, first ? bh.data_end : 0);
    if (!ok)
        *error = g_strdup_printf("%s: cannot read: %s", name, g_strerror(errno));
    else if (!first)
        *error = g_strdup_printf("%s: not an ETL file: its first buffer is compressed, and %s", name,
                                 ps_problems_first(&why)->message);
    else if (!header_event_at(first, len) || etl_event_iter_next(&it, &ev, NULL) != ETL_NEXT_EVENT)
        *error = g_strdup_printf("%s: not an ETL file: its first event is not the logfile header", name);
    else if (!etl_trace_info_parse(ev.payload, ev.payload_len, ev.raw_time, ev.pointer64 ? 8 : 4, &r->info, &why))
        *error = g_strdup_printf("%s: buffer 0 at byte %zu: %s", name, ev.offset, ps_problems_first(&why)->message);
    else if (packed && (r->info.buffer_size < ETL_BUFFER_HEADER_SIZE || r->info.buffer_size > ETL_BUFFER_SIZE_MAX ||
                        r->info.buffer_size % 8))
        /* A compressed first buffer gives no size of its own: the header event's is the stride of the
         * uncompressed buffers and what the compressed ones decompress to. */
        *error = g_strdup_printf("%s: buffer 0: its logfile header gives a buffer size of %" PRIu32
                                 " bytes, which no buffer has",
                                 name, r->info.buffer_size);
    ps_problems_clear(&why);
    if (*error) {
        g_free(first);
        g_free(fb.damage);
        etl_input_free(r);
        return NULL;
    }
    /* The first buffer's own size is the one just read: trust it over the header event's, which is
     * still what a compressed buffer (whose first may be smaller) decompresses to. A compressed
     * first buffer's size is that of its compressed bytes: the header event's stands. */
    r->logical_size = MIN(MAX(r->info.buffer_size, packed ? 0 : bh.buffer_size), ETL_BUFFER_SIZE_MAX);
    if (!packed)
        r->info.buffer_size = bh.buffer_size;

    struct stat st;
    r->indexed = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (r->indexed) {
        g_free(first);
        g_clear_pointer(&fb.damage, g_free); /* reported when its stream reads it again */
        if (!index_buffers(r, (uint64_t)st.st_size)) {
            *error = g_strdup_printf("%s: cannot read: %s", name, g_strerror(errno));
            etl_input_free(r);
            return NULL;
        }
    } else {
        /* A pipe: the buffer just read starts the one stream. */
        cpu_stream *s = stream_of(r, 0);
        s->buf = first;
        s->capacity = fb.capacity;
        s->cur = (buffer_ref){0, 0, (uint32_t)len, packed};
        s->header = bh;
        s->loaded = true;
        etl_event_iter_init(&s->iter, s->buf, bh.data_end);
        r->file_offset = fb.consumed;
        r->stats.buffers = 1;
        r->stats.compressed = packed;
        if (fb.consumed < fb.file_size) {
            r->eof = true;
            queue_reject(r, 0, fb.consumed,
                         "the file ends inside its first buffer (%" PRIu64 " of %" PRIu32 " bytes): a truncated file?",
                         fb.consumed, fb.file_size);
        } else if (fb.damage) {
            queue_reject(r, 0, fb.damage_at,
                         "its compressed data cannot be decompressed past here: %s: the events before are read",
                         fb.damage);
        }
    }
    g_free(fb.damage);
    for (guint i = 0; i < r->streams->len; i++) {
        cpu_stream *s = r->streams->pdata[i];
        if (!stream_peek(r, s)) {
            *error = g_strdup_printf("%s: cannot read: %s", name, g_strerror(errno));
            etl_input_free(r);
            return NULL;
        }
        if (s->peeked)
            heap_push(r->heap, s);
    }
    return r;
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

static void where_event(const etl_input *r, const cpu_stream *s, etl_item *item)
{
    where_at(r, &s->cur, s->ev.offset, item->where, sizeof item->where);
}

/* An NDIS packet fragment: ETL_ITEM_PACKET when it completes a frame, ETL_ITEM_REJECT when it is
 * bad, ETL_ITEM_END when it was kept for the frame's next fragments. */
static etl_item_kind ndis_fragment(etl_input *r, const cpu_stream *s, etl_item *item)
{
    const etl_event *ev = &s->ev;
    const uint64_t filetime = s->fields.timestamp;
    r->stats.packet_events++;
    if (ev->payload_len < 12) {
        where_event(r, s, item);
        g_snprintf(item->reason, sizeof item->reason,
                   "NDIS packet fragment of %zu bytes: shorter than its 12-byte prefix", ev->payload_len);
        return ETL_ITEM_REJECT;
    }
    const uint32_t miniport = ps_le32(ev->payload), lower = ps_le32(ev->payload + 4);
    const uint32_t fragment_size = ps_le32(ev->payload + 8);
    if (fragment_size > ev->payload_len - 12) {
        where_event(r, s, item);
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
    if (kw & KW_PACKET_START) {
        if (l->pending) {
            /* Reported with the buffer where it is learnt: its own went out before. */
            reject_learnt(r, s->cur.index, &l->pending_ref, l->pending_inner,
                         "NDIS packet of %u bytes on IfIndex %" PRIu32 " without its last fragment (a new packet began)",
                         l->pending->len, lower);
            g_byte_array_set_size(l->pending, 0);
        } else {
            l->pending = g_byte_array_new();
        }
        l->pending_ref = s->cur;
        l->pending_inner = ev->offset;
    } else if (!l->pending) {
        where_event(r, s, item);
        g_snprintf(item->reason, sizeof item->reason,
                   "NDIS packet fragment on IfIndex %" PRIu32 " without the packet's first fragment", lower);
        return ETL_ITEM_REJECT;
    }
    if (l->pending->len + (size_t)fragment_size > PACKET_MAX) {
        where_event(r, s, item);
        g_snprintf(item->reason, sizeof item->reason, "NDIS packet on IfIndex %" PRIu32 " grows past %zu bytes",
                   lower, PACKET_MAX);
        g_byte_array_free(l->pending, TRUE);
        l->pending = NULL;
        return ETL_ITEM_REJECT;
    }
    g_byte_array_append(l->pending, ev->payload + 12, fragment_size);
    if (!(kw & KW_PACKET_END))
        return ETL_ITEM_END;
    if (l->pending->len == 0) {
        where_event(r, s, item);
        g_snprintf(item->reason, sizeof item->reason, "NDIS packet on IfIndex %" PRIu32 " has no bytes", lower);
        g_byte_array_free(l->pending, TRUE);
        l->pending = NULL;
        return ETL_ITEM_REJECT;
    }

    reserve(&r->out, &r->out_capacity, l->pending->len);
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

/* --- pktmon packets ---------------------------------------------------------------------------- */

static bool is_pktmon(const etl_event *ev, uint16_t id)
{
    return !ev->classic && ev->id == id && memcmp(ev->guid, pktmon_provider_guid, 16) == 0;
}

/* A component description (event 20): the name of its interfaces. A later one wins. */
static void learn_component(etl_input *r, const etl_event *ev)
{
    pktmon_component comp;
    if (!pktmon_component_parse(ev->payload, ev->payload_len, &comp, NULL))
        return; /* stays a record; the interface keeps its number for a name */
    g_hash_table_replace(r->components, GUINT_TO_POINTER(comp.id), g_memdup2(&comp, sizeof comp));
}

/* The events of one buffer read for the components: a compressed one decompressed (quietly: the
 * main pass reports its problems, when its events come). */
static void scan_buffer(etl_input *r, uint8_t *buf, size_t got, uint8_t **plain, size_t *plain_capacity)
{
    if (got < ETL_BUFFER_HEADER_SIZE)
        return;
    size_t data_end;
    if (ps_le16(buf + 52) & ETL_BUFFER_FLAG_COMPRESSED) {
        const uint32_t size = ps_le32(buf + 4); /* where its data end, decompressed */
        if (size < ETL_BUFFER_HEADER_SIZE || size > r->logical_size)
            return;
        reserve(plain, plain_capacity, size);
        size_t n = 0;
        ps_problems why = {0};
        const bool ok = lzxpress_decompress(buf + ETL_BUFFER_HEADER_SIZE, got - ETL_BUFFER_HEADER_SIZE,
                                            *plain + ETL_BUFFER_HEADER_SIZE, size - ETL_BUFFER_HEADER_SIZE, &n, &why);
        ps_problems_clear(&why);
        if (!ok)
            return;
        buf = *plain;
        data_end = ETL_BUFFER_HEADER_SIZE + n;
    } else {
        etl_buffer_header h;
        ps_put_le32(buf, r->info.buffer_size);
        if (!etl_buffer_header_parse(buf, got, &h, NULL))
            return;
        data_end = h.data_end;
    }
    etl_event_iter it;
    etl_event ev;
    etl_event_iter_init(&it, buf, data_end);
    for (etl_next n; (n = etl_event_iter_next(&it, &ev, NULL)) != ETL_NEXT_END;)
        if (n == ETL_NEXT_EVENT && is_pktmon(&ev, PKTMON_EVENT_COMPONENT))
            learn_component(r, &ev);
}

/* pktmon describes its components when it stops, after the packets: a file is read for them once,
 * when its first packet event comes. A pipe cannot be: its components are those described before
 * their first packet. */
static bool scan_components(etl_input *r)
{
    r->components_scanned = true;
    if (!r->indexed)
        return true;
    uint8_t *buf = NULL, *plain = NULL;
    size_t capacity = 0, plain_capacity = 0;
    bool ok = true;
    for (guint i = 0; i < r->streams->len && ok; i++) {
        const cpu_stream *s = r->streams->pdata[i];
        for (guint k = 0; k < s->refs->len && ok; k++) {
            const buffer_ref *ref = &g_array_index(s->refs, buffer_ref, k);
            reserve(&buf, &capacity, ref->size);
            size_t got = 0;
            ok = read_full(r->fd, buf, ref->size, (int64_t)ref->offset, &got);
            if (ok)
                scan_buffer(r, buf, got, &plain, &plain_capacity);
        }
    }
    g_free(buf);
    g_free(plain);
    return ok;
}

static unsigned pktmon_link_of(etl_input *r, uint16_t component, int encap)
{
    const gpointer key = GUINT_TO_POINTER((guint)component << 16 | (guint)encap);
    const guint known = GPOINTER_TO_UINT(g_hash_table_lookup(r->pktmon_links, key));
    if (known)
        return known - 1;
    const pktmon_component *comp = g_hash_table_lookup(r->components, GUINT_TO_POINTER(component));
    const char *medium = encap == WTAP_ENCAP_IEEE_802_11 ? "Wi-Fi" : encap == WTAP_ENCAP_RAW_IP ? "IP" : "Ethernet";
    etl_interface iface = {.wtap_encap = encap};
    if (comp && comp->name[0])
        g_strlcpy(iface.name, comp->name, sizeof iface.name);
    else
        g_snprintf(iface.name, sizeof iface.name, "pktmon component %u", component);
    g_snprintf(iface.description, sizeof iface.description, "%s%spktmon component %u, %s, in %s",
               comp ? comp->description : "", comp && comp->description[0] ? ": " : "", component, medium, r->name);
    g_array_append_val(r->interfaces, iface);
    g_hash_table_insert(r->pktmon_links, key, GUINT_TO_POINTER(r->interfaces->len));
    return r->interfaces->len - 1;
}

/* True when this appearance is one more of a packet written moments ago; else it is remembered. */
static bool fold_appearance(etl_input *r, uint64_t filetime, const pktmon_packet *pkt, int encap, uint32_t dir)
{
    recent_packet cand = {.filetime = filetime, .dir = dir};
    size_t start = 0;
    if (!pktmon_link_payload(pkt->packet_type, pkt->payload, pkt->logged_size, &start, &cand.ethertype))
        cand.framing = encap;
    const uint32_t whole = MAX(pkt->original_size, pkt->logged_size);
    cand.size = whole > start ? whole - (uint32_t)start : 0;
    cand.key_len = (uint32_t)MIN((size_t)FOLD_KEY, pkt->logged_size - start);
    memcpy(cand.key, pkt->payload + start, cand.key_len);
    const uint32_t place = (uint32_t)pkt->component << 16 | pkt->edge;
    for (unsigned i = 0; i < FOLD_RECENT; i++) {
        recent_packet *e = &r->recent[i];
        const uint64_t apart = filetime > e->filetime ? filetime - e->filetime : e->filetime - filetime;
        if (e->n_places == 0 || apart > FOLD_WINDOW || e->dir != dir || e->framing != cand.framing ||
            e->ethertype != cand.ethertype || e->size != cand.size ||
            memcmp(e->key, cand.key, MIN(e->key_len, cand.key_len)) != 0)
            continue;
        bool again = false;
        for (unsigned k = 0; k < e->n_places && !again; k++)
            again = e->places[k] == place;
        if (again)
            continue;
        if (e->n_places < FOLD_PLACES)
            e->places[e->n_places++] = place;
        return true;
    }
    cand.places[0] = place;
    cand.n_places = 1;
    r->recent[r->recent_next++ % FOLD_RECENT] = cand;
    return false;
}

/* A pktmon packet event (160, or 170 for a drop): ETL_ITEM_PACKET, ETL_ITEM_REJECT when it is bad,
 * ETL_ITEM_END when it is folded into a packet written before, ETL_ITEM_RECORD when no link type
 * fits its packet type (the caller writes it as a record), ETL_ITEM_IO_ERROR when the file could
 * not be read for its components. */
static etl_item_kind pktmon_packet_event(etl_input *r, const cpu_stream *s, etl_item *item)
{
    const etl_event *ev = &s->ev;
    pktmon_packet pkt;
    ps_problems why = {0};
    r->stats.pktmon_events++;
    if (!pktmon_packet_parse(ev->payload, ev->payload_len, &pkt, &why)) {
        where_event(r, s, item);
        g_strlcpy(item->reason, ps_problems_first(&why)->message, sizeof item->reason);
        ps_problems_clear(&why);
        return ETL_ITEM_REJECT;
    }
    pkt.packet_type = pktmon_framing(pkt.packet_type, pkt.payload, pkt.logged_size);
    const int encap = pkt.packet_type == PKTMON_TYPE_ETHERNET ? WTAP_ENCAP_ETHERNET
                      : pkt.packet_type == PKTMON_TYPE_WIFI   ? WTAP_ENCAP_IEEE_802_11
                      : pkt.packet_type == PKTMON_TYPE_IP     ? WTAP_ENCAP_RAW_IP
                                                              : WTAP_ENCAP_UNKNOWN;
    if (encap == WTAP_ENCAP_UNKNOWN) {
        r->stats.pktmon_records++;
        return ETL_ITEM_RECORD;
    }
    if (pkt.logged_size == 0) {
        where_event(r, s, item);
        g_snprintf(item->reason, sizeof item->reason, "pktmon packet event on component %u with no bytes logged",
                   pkt.component);
        return ETL_ITEM_REJECT;
    }
    if (!r->components_scanned && !scan_components(r))
        return ETL_ITEM_IO_ERROR;
    const bool dropped = ev->id == PKTMON_EVENT_DROP;
    const uint32_t dir = pktmon_dir_pcapng(pkt.dir_tag);
    /* A drop is always written: where a packet ends is what a reader looks for. */
    if (!dropped && !r->all_appearances && fold_appearance(r, s->fields.timestamp, &pkt, encap, dir)) {
        r->stats.pktmon_folded++;
        return ETL_ITEM_END;
    }
    reserve(&r->out, &r->out_capacity, pkt.logged_size);
    memcpy(r->out, pkt.payload, pkt.logged_size);
    /* As NDIS, pktmon hands 802.11 frames over decrypted but with the Protected bit still set. */
    if (encap == WTAP_ENCAP_IEEE_802_11 && pkt.logged_size > 1)
        r->out[1] &= (uint8_t)~0x40;
    item->data = r->out;
    item->len = pkt.logged_size;
    item->orig_len = pkt.original_size > pkt.logged_size ? pkt.original_size : 0;
    item->iface = pktmon_link_of(r, pkt.component, encap);
    item->epb_flags = dir;
    item->has_packet_id = true;
    item->packet_id = pkt.group_id;
    item->dropped = dropped;
    const char *dir_name = pktmon_dir_name(pkt.dir_tag);
    char dir_unknown[16];
    if (!dir_name) {
        g_snprintf(dir_unknown, sizeof dir_unknown, "dir %u", pkt.dir_tag);
        dir_name = dir_unknown;
    }
    char drop[96] = "";
    if (dropped) {
        const char *reason = pktmon_drop_reason_name(pkt.drop_reason);
        g_snprintf(drop, sizeof drop, "dropped: %s (%" PRIu32 ") at location 0x%08" PRIX32 "; ",
                   reason ? reason : "unknown reason", pkt.drop_reason, pkt.drop_location);
    }
    g_snprintf(r->comment, sizeof r->comment,
               "%spktmon component %u edge %u %s filter %u, packet %u of group 0x%" PRIx64 ", appearance %u; "
               "PID=%" PRIu32 " TID=%" PRIu32,
               drop, pkt.component, pkt.edge, dir_name, pkt.filter, pkt.number, pkt.group_id, pkt.appearance,
               ev->process_id, ev->thread_id);
    item->comment = r->comment;
    item->ts_ns = filetime_ns(s->fields.timestamp);
    r->stats.pktmon_frames++;
    r->stats.pktmon_drops += dropped;
    return ETL_ITEM_PACKET;
}

void etl_input_set_all_appearances(etl_input *r, bool all) { r->all_appearances = all; }

/* The first problem in file order, once every buffer before its own is read (any, at the end, or
 * while more than PROBLEMS_HELD wait: behind a processor whose buffer the merge reads last, a
 * hostile file's every problem would stay in memory until then). */
#define PROBLEMS_HELD 65536u
static bool pop_problem(etl_input *r, etl_item *item, bool at_end)
{
    GSequenceIter *first = g_sequence_get_begin_iter(r->problems);
    if (g_sequence_iter_is_end(first))
        return false;
    const problem *x = g_sequence_get(first);
    if (!at_end && r->buffer_done && x->buffer > r->first_unread && r->problems_held <= PROBLEMS_HELD)
        return false;
    g_strlcpy(item->where, x->where, sizeof item->where);
    g_strlcpy(item->reason, x->reason, sizeof item->reason);
    g_sequence_remove(first);
    r->problems_held--;
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
        where_at(r, &l->pending_ref, l->pending_inner, item->where, sizeof item->where);
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
    /* Not the whole item: its messages are 360 bytes, filled for rejects only. */
    item->ts_ns = 0;
    item->data = NULL;
    item->len = 0;
    item->iface = 0;
    item->epb_flags = 0;
    item->comment = NULL;
    item->orig_len = 0;
    item->has_packet_id = false;
    item->packet_id = 0;
    item->dropped = false;
    item->where[0] = item->reason[0] = '\0';
    for (;;) {
        if (pop_problem(r, item, r->heap->len == 0))
            return ETL_ITEM_REJECT;
        if (r->heap->len == 0)
            return pop_unfinished(r, item) ? ETL_ITEM_REJECT : ETL_ITEM_END;
        cpu_stream *s = r->heap->pdata[0];
        etl_item_kind k = ETL_ITEM_RECORD;
        if (!s->ev.classic && s->ev.id == NDIS_PACKET_FRAGMENT && memcmp(s->ev.guid, ndis_capture_guid, 16) == 0) {
            k = ndis_fragment(r, s, item);
        } else if (is_pktmon(&s->ev, PKTMON_EVENT_PACKET) || is_pktmon(&s->ev, PKTMON_EVENT_DROP)) {
            k = pktmon_packet_event(r, s, item);
            if (k == ETL_ITEM_IO_ERROR) {
                g_snprintf(item->reason, sizeof item->reason, "%s: cannot read: %s", r->name, g_strerror(errno));
                return ETL_ITEM_IO_ERROR;
            }
        } else if (is_pktmon(&s->ev, PKTMON_EVENT_COMPONENT)) {
            learn_component(r, &s->ev);
        }
        if (k == ETL_ITEM_REJECT) { /* a bad packet event: in file order with the other problems */
            add_problem(r, s->cur.index, g_strdup(item->where), g_strdup(item->reason));
            item->where[0] = item->reason[0] = '\0';
            k = ETL_ITEM_END;
        }
        if (k == ETL_ITEM_RECORD) {
            make_record(r, &s->ev, &s->fields, item);
            item->ts_ns = filetime_ns(s->fields.timestamp);
            r->stats.records++;
        }
        /* The item is built: the stream may read on (and load its next buffer). */
        s->peeked = false;
        if (!stream_peek(r, s)) {
            g_snprintf(item->reason, sizeof item->reason, "%s: cannot read: %s", r->name, g_strerror(errno));
            return ETL_ITEM_IO_ERROR;
        }
        if (s->peeked) {
            heap_sift_down(r->heap, 0);
        } else {
            r->heap->pdata[0] = r->heap->pdata[r->heap->len - 1];
            g_ptr_array_set_size(r->heap, r->heap->len - 1);
            heap_sift_down(r->heap, 0);
        }
        if (k != ETL_ITEM_END) /* a fragment kept for the rest of its packet, or an appearance folded */
            return k;
    }
}

bool etl_input_time_ordered(const etl_input *r) { return r->indexed; }

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
    g_hash_table_destroy(r->pktmon_links);
    g_hash_table_destroy(r->components);
    g_array_free(r->interfaces, TRUE);
    g_sequence_free(r->problems);
    g_free(r->buffer_done);
    g_free(r->plain);
    g_ptr_array_free(r->heap, TRUE);
    g_ptr_array_free(r->streams, TRUE);
    g_free(r->out);
    g_free(r->name);
    g_free(r);
}
