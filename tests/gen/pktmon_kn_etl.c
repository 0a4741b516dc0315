/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes one .etl trace that holds a real pktmon capture's events and real Kernel-Network TCP events
 * made to describe its packets, on the capture's clock: what `pktmon start --capture --trace -p
 * Microsoft-Windows-Kernel-Network` records. tests/gen/pktmon_kn_etl.md says how, byte by byte.
 *
 *   pktmon_kn_etl PKTMON.etl KERNELNETWORK.etl OUT.etl
 *
 * Exit status 0, or 2 on any error. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "etl_file.h"
#include "etl_pktmon.h"
#include "lzxpress.h"
#include "ps_bytes.h"

#define OUT_BUFFER 65536u

/* Microsoft-Windows-Kernel-Network {7dd42a49-5329-4832-8dfd-43d979153a88} (record byte order). */
static const uint8_t kn_guid[16] = {0x49, 0x2a, 0xd4, 0x7d, 0x29, 0x53, 0x32, 0x48,
                                    0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88};

/* The processes given to the capture's TCP sockets, by local port: its connections to other hosts,
 * then the clients of its refused loopback connection attempts (53156 and 53167, both to 28194, one
 * program trying twice). */
static const struct {
    uint16_t port;
    uint32_t pid;
} owners[] = {{54899, 6380}, {54416, 11044}, {60031, 6380}, {53165, 5312}, {53156, 9744}, {53167, 9744},
              {53166, 14220}};

/* Kernel-Network ids (their opcodes alike) and payload sizes with a 64-bit connid. */
enum { KN_SEND = 10, KN_RECV = 11, KN_CONNECT = 12, KN_RECONNECT = 16 };
#define KN_SEND_LEN 40u
#define KN_GEN_LEN 32u
#define KN_CONN_LEN 48u

/* Where a loopback client's connection attempt stands, to tell a new SYN from another appearance. */
enum { ATTEMPT_SYN = 1, ATTEMPT_RST };

typedef struct {
    uint64_t raw_time;
    uint64_t order; /* the order read, for equal times */
    GByteArray *bytes; /* the whole event, header included */
} event;

static G_GNUC_NORETURN void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("pktmon_kn_etl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

typedef void (*event_fn)(const etl_event *ev, const uint8_t *raw, void *data);

/* Every event of a file, its buffers walked by their own sizes and decompressed where compressed. */
static void each_event(const char *path, event_fn fn, void *data)
{
    gsize len = 0;
    gchar *file = NULL;
    if (!g_file_get_contents(path, &file, &len, NULL))
        die("%s: cannot read", path);
    const uint8_t *p = (const uint8_t *)file;
    uint8_t *plain = g_malloc(ETL_BUFFER_SIZE_MAX);
    for (size_t at = 0; at + ETL_BUFFER_HEADER_SIZE <= len;) {
        const uint32_t own = ps_le32(p + at);
        if (own < ETL_BUFFER_HEADER_SIZE || own > len - at)
            die("%s: byte %zu: not a buffer of the file", path, at);
        const uint8_t *buf = p + at;
        size_t end;
        if (ps_le16(buf + 52) & ETL_BUFFER_FLAG_COMPRESSED) {
            size_t n = 0;
            const uint32_t saved = ps_le32(buf + 4);
            if (saved < ETL_BUFFER_HEADER_SIZE || saved > ETL_BUFFER_SIZE_MAX ||
                !lzxpress_decompress(buf + ETL_BUFFER_HEADER_SIZE, own - ETL_BUFFER_HEADER_SIZE,
                                     plain + ETL_BUFFER_HEADER_SIZE, saved - ETL_BUFFER_HEADER_SIZE, &n, NULL))
                die("%s: byte %zu: a compressed buffer that does not decompress", path, at);
            memcpy(plain, buf, ETL_BUFFER_HEADER_SIZE);
            buf = plain;
            end = ETL_BUFFER_HEADER_SIZE + n;
        } else {
            etl_buffer_header h;
            if (!etl_buffer_header_parse(buf, own, &h, NULL))
                die("%s: byte %zu: not a buffer", path, at);
            end = h.data_end;
        }
        etl_event_iter it;
        etl_event ev;
        etl_event_iter_init(&it, buf, end);
        for (etl_next n; (n = etl_event_iter_next(&it, &ev, NULL)) != ETL_NEXT_END;) {
            if (n != ETL_NEXT_EVENT)
                die("%s: byte %zu: a damaged event", path, at + it.pos);
            fn(&ev, buf + ev.offset, data);
        }
        at += own;
    }
    g_free(plain);
    g_free(file);
}

typedef struct {
    GPtrArray *events; /* event */
    GByteArray *header; /* the logfile header event */
} capture;

static event *add_event(GPtrArray *events, const uint8_t *raw, size_t size, uint64_t raw_time)
{
    event *e = g_new0(event, 1);
    e->raw_time = raw_time;
    e->order = events->len;
    e->bytes = g_byte_array_sized_new((guint)size);
    g_byte_array_append(e->bytes, raw, (guint)size);
    g_ptr_array_add(events, e);
    return e;
}

static void take_capture_event(const etl_event *ev, const uint8_t *raw, void *data)
{
    capture *c = data;
    if (!c->header) {
        etl_trace_info info;
        if (!etl_trace_info_parse(ev->payload, ev->payload_len, ev->raw_time, 8, &info, NULL))
            die("the capture's first event is no logfile header");
        c->header = g_byte_array_new();
        g_byte_array_append(c->header, raw, (guint)ev->size);
        return;
    }
    add_event(c->events, raw, ev->size, ev->raw_time);
}

typedef struct {
    GByteArray *send, *recv; /* the first real id-10 and id-11 events of 64-bit payloads */
} kn_samples;

static void take_kn_event(const etl_event *ev, const uint8_t *raw, void *data)
{
    kn_samples *k = data;
    if (ev->classic || memcmp(ev->guid, kn_guid, 16) != 0)
        return;
    GByteArray **slot = ev->id == KN_SEND && ev->payload_len == KN_SEND_LEN   ? &k->send
                        : ev->id == KN_RECV && ev->payload_len == KN_GEN_LEN ? &k->recv
                                                                             : NULL;
    if (slot && !*slot) {
        *slot = g_byte_array_new();
        g_byte_array_append(*slot, raw, (guint)ev->size);
    }
}

static uint32_t owner_of(uint16_t port)
{
    for (size_t i = 0; i < G_N_ELEMENTS(owners); i++)
        if (owners[i].port == port)
            return owners[i].pid;
    return 0;
}

/* A Kernel-Network event made from a real one: its header (id and opcode `id`, its time, process
 * and thread) before a payload of `len` bytes (the manifest's layout of `id`) that starts with the
 * template's fixed fields and ends with its connid, PID, size and socket (saddr:sport the local end)
 * set. Returns the payload, for the fields of other layouts. */
static uint8_t *add_kn(GPtrArray *events, const GByteArray *sample, uint16_t id, size_t len, uint64_t raw_time,
                       uint32_t header_pid, uint32_t pid, uint32_t size, const uint8_t local_ip[4],
                       uint16_t local_port, const uint8_t remote_ip[4], uint16_t remote_port)
{
    const size_t sample_len = ps_le16(sample->data + 40) == KN_SEND ? KN_SEND_LEN : KN_GEN_LEN;
    const size_t head = sample->len - sample_len;
    uint8_t payload[KN_CONN_LEN] = {0};
    memcpy(payload, sample->data + head, MIN(len, sample_len) - 8);
    memcpy(payload + len - 8, sample->data + sample->len - 8, 8);
    event *e = add_event(events, sample->data, head, raw_time);
    g_byte_array_append(e->bytes, payload, (guint)len);
    uint8_t *h = e->bytes->data;
    ps_put_le16(h, (uint16_t)e->bytes->len);
    ps_put_le32(h + 8, header_pid == 4 ? 0 : 1000 + pid % 1000); /* a thread of its own */
    ps_put_le32(h + 12, header_pid);
    ps_put_le64(h + 16, raw_time);
    ps_put_le16(h + 40, id);
    h[45] = (uint8_t)id;
    uint8_t *p = h + head;
    ps_put_le32(p, pid);
    ps_put_le32(p + 4, size);
    memcpy(p + 8, remote_ip, 4);
    memcpy(p + 12, local_ip, 4);
    ps_put_be16(p + 16, remote_port);
    ps_put_be16(p + 18, local_port);
    return p;
}

/* The options of a SYN as ConnectIPV4 reports them: mss, and whether SACK, time stamps and window
 * scaling were offered (the shift in *wscale). */
static void syn_options(const uint8_t *tcp, size_t hlen, uint16_t *mss, bool *sack, bool *ts, bool *ws,
                        uint8_t *wscale)
{
    for (size_t at = 20; at < hlen && tcp[at] != 0;) {
        if (tcp[at] == 1) {
            at++;
            continue;
        }
        if (at + 2 > hlen || tcp[at + 1] < 2 || at + tcp[at + 1] > hlen)
            return;
        const uint8_t kind = tcp[at], n = tcp[at + 1];
        if (kind == 2 && n == 4) {
            *mss = ps_be16(tcp + at + 2);
        } else if (kind == 3 && n == 3) {
            *ws = true;
            *wscale = tcp[at + 2];
        } else if (kind == 4) {
            *sack = true;
        } else if (kind == 8) {
            *ts = true;
        }
        at += n;
    }
}

/* A refused loopback connection attempt, as Kernel-Network logs it: connect() logs ConnectIPV4 (id
 * 12) in the connecting process's context; each SYN resent after the listener-less end's RST logs
 * ReconnectIPV4 (id 16) from tcpip.sys's retransmission timer, in the system's context. pktmon
 * drops one SYN at several places microseconds apart: those appearances are one attempt. */
static void describe_attempt(const event *e, const kn_samples *kn, GPtrArray *out, GHashTable *attempts,
                             const uint8_t *ip, const uint8_t *tcp, size_t hlen)
{
    const uint16_t sport = ps_be16(tcp), dport = ps_be16(tcp + 2);
    const uint8_t flags = tcp[13];
    if (flags & 0x04) { /* RST: the attempt from dport to sport was refused */
        char *key = g_strdup_printf("%u:%u", dport, sport);
        if (GPOINTER_TO_INT(g_hash_table_lookup(attempts, key)) == ATTEMPT_SYN)
            g_hash_table_replace(attempts, key, GINT_TO_POINTER(ATTEMPT_RST));
        else
            g_free(key);
        return;
    }
    const uint32_t pid = owner_of(sport);
    if ((flags & 0x12) != 0x02 || pid == 0)
        return;
    char *key = g_strdup_printf("%u:%u", sport, dport);
    const int state = GPOINTER_TO_INT(g_hash_table_lookup(attempts, key));
    if (state == ATTEMPT_SYN) {
        g_free(key);
        return;
    }
    g_hash_table_replace(attempts, key, GINT_TO_POINTER(ATTEMPT_SYN));
    if (state == ATTEMPT_RST) {
        add_kn(out, kn->recv, KN_RECONNECT, KN_GEN_LEN, e->raw_time, 4, pid, 0, ip + 12, sport, ip + 16, dport);
        return;
    }
    uint16_t mss = 0;
    bool sack = false, ts = false, ws = false;
    uint8_t wscale = 0;
    syn_options(tcp, hlen, &mss, &sack, &ts, &ws, &wscale);
    uint8_t *p = add_kn(out, kn->send, KN_CONNECT, KN_CONN_LEN, e->raw_time, pid, pid, 0, ip + 12, sport, ip + 16,
                        dport);
    ps_put_le16(p + 20, mss);
    ps_put_le16(p + 22, sack);
    ps_put_le16(p + 24, ts);
    ps_put_le16(p + 26, ws);
    ps_put_le32(p + 28, ps_be16(tcp + 14)); /* the SYN's window, never scaled */
    ps_put_le16(p + 32, wscale);
    ps_put_le16(p + 34, 0); /* no answer told the peer's */
    ps_put_le32(p + 36, 0);
}

/* Kernel-Network events for a pktmon packet event of TCP over IPv4: for data, a send for an outgoing
 * packet, a receive for an incoming one, at the time of the packet's first appearance (tcpip.sys
 * logs both on the one clock, microseconds apart); over loopback, the connection attempts. */
static void describe_packet(const event *e, const kn_samples *kn, GPtrArray *out, GHashTable *seen,
                            GHashTable *attempts)
{
    const uint8_t *h = e->bytes->data;
    const uint16_t id = ps_le16(h + 40);
    if (h[2] != ETL_HEADER_EVENT64 || memcmp(h + 24, pktmon_provider_guid, 16) != 0 ||
        (id != PKTMON_EVENT_PACKET && id != PKTMON_EVENT_DROP))
        return;
    pktmon_packet pkt;
    if (!pktmon_packet_parse(h + 80, e->bytes->len - 80, &pkt, NULL))
        die("a pktmon packet event that does not parse");
    size_t at = 0;
    uint16_t ethertype = 0;
    if (!pktmon_link_payload(pktmon_framing(pkt.packet_type, pkt.payload, pkt.logged_size), pkt.payload,
                             pkt.logged_size, &at, &ethertype) ||
        ethertype != 0x0800 || pkt.logged_size < at + 40 || pkt.payload[at + 9] != 6)
        return;
    const uint8_t *ip = pkt.payload + at;
    const size_t ihl = 4u * (ip[0] & 15);
    const uint16_t total = ps_be16(ip + 2);
    if (pkt.logged_size < at + ihl + 20)
        return;
    const uint8_t *tcp = ip + ihl;
    const size_t hlen = 4u * (tcp[12] >> 4);
    /* Loopback packets reach pktmon only as drops (170); the data described are packets (160). */
    if (ip[12] == 127 && ip[16] == 127) {
        if (hlen >= 20 && pkt.logged_size >= at + ihl + hlen)
            describe_attempt(e, kn, out, attempts, ip, tcp, hlen);
        return;
    }
    if (id != PKTMON_EVENT_PACKET)
        return;
    const uint32_t data = total - (uint32_t)ihl - (uint32_t)hlen;
    const bool out_dir = pktmon_dir_pcapng(pkt.dir_tag) == 2;
    const uint16_t sport = ps_be16(tcp), dport = ps_be16(tcp + 2);
    const uint32_t pid = owner_of(out_dir ? sport : dport);
    if (data == 0 || data > total || pid == 0)
        return;
    /* One event per packet: its first appearance (by sequence number and direction). */
    const uint32_t seq = (uint32_t)ps_be16(tcp + 4) << 16 | ps_be16(tcp + 6);
    char *key = g_strdup_printf("%u:%u:%u:%" PRIu32, out_dir, sport, dport, seq);
    if (!g_hash_table_add(seen, key))
        return;
    if (out_dir)
        add_kn(out, kn->send, KN_SEND, KN_SEND_LEN, e->raw_time, pid, pid, data, ip + 12, sport, ip + 16, dport);
    else
        add_kn(out, kn->recv, KN_RECV, KN_GEN_LEN, e->raw_time, 4, pid, data, ip + 16, dport, ip + 12, sport);
}

static void free_event(gpointer p)
{
    event *e = p;
    g_byte_array_free(e->bytes, TRUE);
    g_free(e);
}

static gint by_time(gconstpointer a, gconstpointer b)
{
    const event *x = *(event *const *)a, *y = *(event *const *)b;
    if (x->raw_time != y->raw_time)
        return x->raw_time < y->raw_time ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void put_buffer(FILE *f, const uint8_t *header72, uint64_t index, const GByteArray *data, uint64_t last_time)
{
    uint8_t buf[OUT_BUFFER];
    memset(buf, 0xff, sizeof buf);
    memcpy(buf, header72, ETL_BUFFER_HEADER_SIZE);
    const uint32_t end = ETL_BUFFER_HEADER_SIZE + data->len;
    ps_put_le32(buf, OUT_BUFFER);
    ps_put_le32(buf + 4, end);
    ps_put_le32(buf + 8, end);
    ps_put_le64(buf + 16, last_time);
    ps_put_le64(buf + 24, index);
    ps_put_le16(buf + 40, 0);
    ps_put_le32(buf + 48, end);
    ps_put_le16(buf + 52, (uint16_t)(ps_le16(header72 + 52) & ~ETL_BUFFER_FLAG_COMPRESSED));
    memcpy(buf + ETL_BUFFER_HEADER_SIZE, data->data, data->len);
    if (fwrite(buf, 1, sizeof buf, f) != sizeof buf)
        die("cannot write");
}

static void append_event(GByteArray *b, const GByteArray *ev)
{
    static const uint8_t zeros[8];
    g_byte_array_append(b, ev->data, ev->len);
    g_byte_array_append(b, zeros, (8 - ev->len % 8) % 8);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: pktmon_kn_etl PKTMON.etl KERNELNETWORK.etl OUT.etl");
    capture c = {.events = g_ptr_array_new_with_free_func(free_event)};
    each_event(argv[1], take_capture_event, &c);
    kn_samples kn = {0};
    each_event(argv[2], take_kn_event, &kn);
    if (!c.header || !kn.send || !kn.recv)
        die("no logfile header, or no 64-bit Kernel-Network send and receive event, in the inputs");

    GPtrArray *made = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *attempts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_ptr_array_sort(c.events, by_time);
    for (guint i = 0; i < c.events->len; i++)
        describe_packet(c.events->pdata[i], &kn, made, seen, attempts);
    for (guint i = 0; i < made->len; i++) {
        event *e = made->pdata[i];
        e->order = c.events->len + i;
        g_ptr_array_add(c.events, e);
    }
    g_ptr_array_sort(c.events, by_time);

    gchar *first = NULL;
    gsize first_len = 0;
    if (!g_file_get_contents(argv[1], &first, &first_len, NULL) || first_len < ETL_BUFFER_HEADER_SIZE)
        die("%s: cannot read", argv[1]);
    FILE *f = fopen(argv[3], "wb");
    if (!f)
        die("%s: cannot open", argv[3]);
    /* Buffer 0: the logfile header, its buffer size that of ours. */
    ps_put_le32(c.header->data + 32, OUT_BUFFER);
    GByteArray *b = g_byte_array_new();
    append_event(b, c.header);
    uint64_t index = 0;
    put_buffer(f, (const uint8_t *)first, index++, b, ps_le64(c.header->data + 16));
    g_byte_array_set_size(b, 0);
    uint64_t last = 0;
    for (guint i = 0; i < c.events->len; i++) {
        const event *e = c.events->pdata[i];
        if (ETL_BUFFER_HEADER_SIZE + b->len + e->bytes->len + 8 > OUT_BUFFER) {
            put_buffer(f, (const uint8_t *)first, index++, b, last);
            g_byte_array_set_size(b, 0);
        }
        append_event(b, e->bytes);
        last = e->raw_time;
    }
    put_buffer(f, (const uint8_t *)first, index++, b, last);
    if (fclose(f) != 0)
        die("%s: cannot write", argv[3]);
    fprintf(stderr, "pktmon_kn_etl: %u events (%u Kernel-Network events made) in %" PRIu64 " buffers\n",
            c.events->len + 1, made->len, index);
    g_free(first);
    g_byte_array_free(b, TRUE);
    g_ptr_array_free(made, TRUE); /* its events belong to c.events */
    g_ptr_array_free(c.events, TRUE);
    g_hash_table_destroy(seen);
    g_hash_table_destroy(attempts);
    g_byte_array_free(c.header, TRUE);
    g_byte_array_free(kn.send, TRUE);
    g_byte_array_free(kn.recv, TRUE);
    return 0;
}
