/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The correlation engine.
 *
 * Model. Records arrive as claims (correlate.h): "process P owns socket A, talking to B", at some
 * level: one packet (PACKET), a payload or an opening SYN (DATA, OPEN), the socket only (SOCKET), or
 * a table row valid from the socket's creation (SNAPSHOT). Packets arrive with their TCP stream.
 * A packet end is decided by, in order: the closest direct claim within the window from the
 * highest-ranked source that has one; else the connection's owner (the best claim on that socket
 * during the connection: user processes beat kernel threads, higher ranks lower ones, earlier
 * later); else the snapshot row created most recently before the packet. Process events give names
 * to pids for their lifetimes. docs/ATTRIBUTION.md states the same rules for users.
 *
 * Clocks. Each source on each host (the owned socket's address) has one constant offset: the
 * median of (packet time - claim time) over claims that fit exactly one packet within 30 s.
 *
 * Invariants. Records and packets are stored in frame order, each fed once; the per-pair indexes
 * are sorted by time when finalizing, and an offset shifts all of a list by one constant, so the
 * lists stay sorted. Nothing is global: every state lives in one ps_corr.
 *
 * Cost. Feeding is O(1) amortized. Finalizing sorts each index and, per packet, binary-searches the
 * window in its socket pair's list, then walks the claims inside the window: O((n + w) log n) for
 * n records and w claims per window (a busy connection makes w large: docs/PERFORMANCE.md). */
#include "correlate.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define SECOND INT64_C(1000000000)

/* Time arithmetic that saturates: capture times near 1970 or 2262 plus offsets and windows from the
 * preferences must not overflow (fuzz_correlate found such sums). */
static int64_t tadd(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int64_t tsub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}
/* How far apart a record and its packet may be while an offset is being estimated. */
#define ESTIMATE_WINDOW (30 * SECOND)
#define ESTIMATE_MIN_SAMPLES 3

enum {
    KIND_MASK = 0x07,      /* ps_claim_kind */
    BIT_OUTGOING = 0x08,   /* the claimed packet leaves the owned socket */
    BIT_RETRANSMIT = 0x10, /* resent data */
    BIT_KERNEL = 0x20,     /* a kernel thread's context */
    BIT_CREATION = 0x40,   /* a snapshot's creation time is known */
};

/* One record about a socket: a is the socket its process owns, b the peer. */
typedef struct {
    int64_t time_ns;
    uint32_t frame;
    uint32_t pid;
    uint32_t identity;  /* interned (name, container), 0: none */
    uint32_t a;         /* endpoint ids, 0: none */
    uint32_t b;
    union {
        struct {
            uint32_t seq;
            uint32_t ack;
            uint32_t size;
        } net;
        uint32_t creation[2]; /* snapshot: ns, low and high halves (keeps the record 4-aligned) */
    } u;
    uint32_t packet_frame; /* the first packet that matched it directly, 0: none */
    uint16_t tcp_flags;
    uint8_t source;
    uint8_t bits; /* ps_claim_kind in KIND_MASK, BIT_* */
} record;

typedef struct {
    int64_t time_ns;
    uint32_t frame;
    uint32_t stream;
    uint32_t src, dst; /* endpoint ids */
    uint32_t seq, ack, len;
    uint16_t flags;
    uint8_t match[2];    /* ps_match of the direct match, [0] source end, [1] destination end */
    uint32_t direct[2];  /* record index + 1 of the direct match */
} packet;

typedef struct {
    bool seen;
    uint32_t ep[2]; /* the first packet's source and destination */
    int64_t t0, t1;
    uint32_t owner[2]; /* record index + 1 owning ep[i] */
    uint32_t other[2]; /* record index + 1 of a disagreeing source */
} conn;

typedef struct {
    int64_t start; /* INT64_MIN: already running when the trace began */
    int64_t end;   /* INT64_MAX: still running */
    uint32_t name;
} lifetime;

/* Records and packets live in fixed-size chunks: a GArray rounds its allocation up to a power
 * of two and copies everything as it grows, which costs up to twice the memory. */
#define CHUNK_ITEMS 16384

typedef struct {
    GPtrArray *chunks;
    size_t item_size;
    guint len;
} chunked;

static void chunked_init(chunked *v, size_t item_size)
{
    v->chunks = g_ptr_array_new_with_free_func(g_free);
    v->item_size = item_size;
    v->len = 0;
}

static void *chunked_at(const chunked *v, guint i)
{
    return (char *)v->chunks->pdata[i / CHUNK_ITEMS] + (size_t)(i % CHUNK_ITEMS) * v->item_size;
}

static void *chunked_push(chunked *v, const void *item)
{
    if (v->len % CHUNK_ITEMS == 0)
        g_ptr_array_add(v->chunks, g_malloc(CHUNK_ITEMS * v->item_size));
    void *slot = chunked_at(v, v->len++);
    memcpy(slot, item, v->item_size);
    return slot;
}

/* A host's clock as one source sees it: the host is the address of the sockets it owns. */
typedef struct {
    int family;
    uint8_t addr[16];
    uint8_t source;
} clock_key;

typedef struct {
    int64_t offset;
    unsigned samples;
    uint32_t first_frame;
    GArray *diffs; /* while estimating */
} host_clock;

static guint clock_hash(gconstpointer p)
{
    const clock_key *k = p;
    guint h = (guint)k->source * 16777619u ^ (guint)k->family;
    for (int i = 0; i < 16; i++)
        h = h * 31 + k->addr[i];
    return h;
}

static gboolean clock_equal(gconstpointer x, gconstpointer y) { return memcmp(x, y, sizeof(clock_key)) == 0; }

static void clock_free(gpointer p)
{
    host_clock *k = p;
    if (k->diffs)
        g_array_free(k->diffs, TRUE);
    g_free(k);
}

struct ps_corr {
    int64_t window;
    int64_t manual_offset;
    bool estimate;
    bool dirty;

    chunked records; /* record, in frame order */
    chunked packets; /* packet, in frame order */
    GArray *conns;   /* conn, indexed by TCP stream */
    uint32_t last_record_frame, last_packet_frame;

    GHashTable *endpoint_ids; /* ps_endpoint* -> id */
    GPtrArray *endpoints;     /* id - 1 -> ps_endpoint* */
    GHashTable *string_ids;   /* char* -> id */
    GPtrArray *strings;       /* id - 1 -> char* */
    GHashTable *identity_ids; /* "name\x1fcontainer" -> id */
    GPtrArray *identities;    /* id - 1 -> identity* */

    /* Claims tied to packets or connections, per source, and snapshot rows of every source:
     * (a << 32 | b) -> GArray of record indexes. */
    GHashTable *by_pair[PS_CORR_MAX_SOURCES];
    GHashTable *snapshots_by_pair;
    uint8_t rank[PS_CORR_MAX_SOURCES];
    /* The sources with claims in by_pair, highest rank first (ties: lower id first). */
    uint8_t by_rank[PS_CORR_MAX_SOURCES];
    int ranked;
    GHashTable *packets_by_pair;          /* (src << 32 | dst) -> GArray of packet indexes */
    GHashTable *streams_by_pair;          /* unordered endpoint pair -> GArray of streams */
    GHashTable *lifetimes;                /* pid -> GArray of lifetime */

    /* Each host's clock, per source: a record's offset is its owned socket's (its host's).
     * Indexed by endpoint id - 1; grown with the endpoints. */
    GArray *host_offset[PS_CORR_MAX_SOURCES];
    GHashTable *clocks; /* clock_key -> clock, one per source and host address */
    uint32_t first_frame[PS_CORR_MAX_SOURCES];
};

/* --- interning ------------------------------------------------------------------------------- */

static guint endpoint_hash(gconstpointer p)
{
    const ps_endpoint *e = p;
    guint h = (guint)e->port * 2654435761u ^ (guint)e->family;
    for (int i = 0; i < (e->family == 6 ? 16 : 4); i++)
        h = h * 31 + e->addr[i];
    return h;
}

static gboolean endpoint_equal(gconstpointer x, gconstpointer y)
{
    const ps_endpoint *a = x, *b = y;
    return a->family == b->family && a->port == b->port &&
           memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

static uint32_t endpoint_id(ps_corr *c, const ps_endpoint *e)
{
    if (!e || (e->family != 4 && e->family != 6))
        return 0;
    ps_endpoint key = *e;
    if (key.family == 4)
        memset(key.addr + 4, 0, 12);
    gpointer id = g_hash_table_lookup(c->endpoint_ids, &key);
    if (id)
        return GPOINTER_TO_UINT(id);
    ps_endpoint *copy = g_memdup2(&key, sizeof key);
    g_ptr_array_add(c->endpoints, copy);
    g_hash_table_insert(c->endpoint_ids, copy, GUINT_TO_POINTER(c->endpoints->len));
    return c->endpoints->len;
}

static uint32_t string_id(ps_corr *c, const char *s)
{
    if (!s || !*s)
        return 0;
    gpointer id = g_hash_table_lookup(c->string_ids, s);
    if (id)
        return GPOINTER_TO_UINT(id);
    char *copy = g_strdup(s);
    g_ptr_array_add(c->strings, copy);
    g_hash_table_insert(c->string_ids, copy, GUINT_TO_POINTER(c->strings->len));
    return c->strings->len;
}

static const char *string_of(const ps_corr *c, uint32_t id)
{
    return id ? c->strings->pdata[id - 1] : NULL;
}

/* A process as tracee names it: one id for the pair keeps records small. */
typedef struct {
    uint32_t name;
    uint32_t container;
} identity;

static uint32_t identity_id(ps_corr *c, const char *name, const char *container)
{
    if ((!name || !*name) && (!container || !*container))
        return 0;
    char *key = g_strdup_printf("%s\x1f%s", name ? name : "", container ? container : "");
    gpointer id = g_hash_table_lookup(c->identity_ids, key);
    if (id) {
        g_free(key);
        return GPOINTER_TO_UINT(id);
    }
    identity *who = g_new(identity, 1);
    who->name = string_id(c, name);
    who->container = string_id(c, container);
    g_ptr_array_add(c->identities, who);
    g_hash_table_insert(c->identity_ids, key, GUINT_TO_POINTER(c->identities->len));
    return c->identities->len;
}

static const identity *identity_of(const ps_corr *c, uint32_t id)
{
    return id ? c->identities->pdata[id - 1] : NULL;
}

static guint64 pair_key(uint32_t a, uint32_t b) { return (guint64)a << 32 | b; }

static void index_add(GHashTable *index, guint64 key, uint32_t value)
{
    GArray *list = g_hash_table_lookup(index, &key);
    if (!list) {
        list = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_hash_table_insert(index, g_memdup2(&key, sizeof key), list);
    }
    g_array_append_val(list, value);
}

/* GLib's g_int64_hash folds the halves together, and GHashTable keeps only the low bits of a
 * hash for its first probe: pairs of small ids collide. Mix all bits (MurmurHash3's finalizer). */
static guint pair_hash(gconstpointer p)
{
    guint64 v = *(const guint64 *)p;
    v ^= v >> 33;
    v *= UINT64_C(0xff51afd7ed558ccd);
    v ^= v >> 33;
    v *= UINT64_C(0xc4ceb9fe1a85ec53);
    v ^= v >> 33;
    return (guint)v;
}

static GHashTable *new_index(void)
{
    return g_hash_table_new_full(pair_hash, g_int64_equal, g_free, (GDestroyNotify)g_array_unref);
}

/* --- life cycle ------------------------------------------------------------------------------ */

ps_corr *ps_corr_new(void)
{
    ps_corr *c = g_new0(ps_corr, 1);
    c->window = SECOND;
    c->estimate = true;
    chunked_init(&c->records, sizeof(record));
    chunked_init(&c->packets, sizeof(packet));
    c->conns = g_array_new(FALSE, TRUE, sizeof(conn));
    c->endpoint_ids = g_hash_table_new(endpoint_hash, endpoint_equal);
    c->endpoints = g_ptr_array_new_with_free_func(g_free);
    c->string_ids = g_hash_table_new(g_str_hash, g_str_equal);
    c->strings = g_ptr_array_new_with_free_func(g_free);
    c->identity_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->identities = g_ptr_array_new_with_free_func(g_free);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        c->by_pair[s] = new_index();
    c->snapshots_by_pair = new_index();
    c->packets_by_pair = new_index();
    c->streams_by_pair = new_index();
    c->lifetimes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_array_unref);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        c->host_offset[s] = g_array_new(FALSE, TRUE, sizeof(int64_t));
    c->clocks = g_hash_table_new_full(clock_hash, clock_equal, g_free, clock_free);
    return c;
}

void ps_corr_free(ps_corr *c)
{
    if (!c)
        return;
    g_ptr_array_free(c->records.chunks, TRUE);
    g_ptr_array_free(c->packets.chunks, TRUE);
    g_array_free(c->conns, TRUE);
    g_hash_table_destroy(c->endpoint_ids);
    g_ptr_array_free(c->endpoints, TRUE);
    g_hash_table_destroy(c->string_ids);
    g_ptr_array_free(c->strings, TRUE);
    g_hash_table_destroy(c->identity_ids);
    g_ptr_array_free(c->identities, TRUE);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        g_hash_table_destroy(c->by_pair[s]);
    g_hash_table_destroy(c->snapshots_by_pair);
    g_hash_table_destroy(c->packets_by_pair);
    g_hash_table_destroy(c->streams_by_pair);
    g_hash_table_destroy(c->lifetimes);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        g_array_free(c->host_offset[s], TRUE);
    g_hash_table_destroy(c->clocks);
    g_free(c);
}

void ps_corr_set_window(ps_corr *c, int64_t ns)
{
    c->window = ns == INT64_MIN ? INT64_MAX : ns < 0 ? -ns : ns;
    c->dirty = true;
}

void ps_corr_set_manual_offset(ps_corr *c, int64_t ns)
{
    c->manual_offset = ns;
    c->dirty = true;
}

void ps_corr_set_estimate_offsets(ps_corr *c, bool on)
{
    c->estimate = on;
    c->dirty = true;
}

size_t ps_corr_record_state_size(void) { return sizeof(record); }

bool ps_corr_is_kernel_thread(uint32_t pid, const char *name)
{
    if (pid == 0)
        return true;
    static const char *const prefixes[] = {"swapper/", "ksoftirqd/", "kworker/", "migration/", "rcu_"};
    for (size_t i = 0; name && i < G_N_ELEMENTS(prefixes); i++)
        if (g_str_has_prefix(name, prefixes[i]))
            return true;
    return false;
}

/* --- feeding --------------------------------------------------------------------------------- */

static int64_t host_offset(const ps_corr *c, unsigned source, uint32_t endpoint)
{
    const GArray *offsets = c->host_offset[source];
    return endpoint && endpoint <= offsets->len ? g_array_index(offsets, int64_t, endpoint - 1) : 0;
}

static record *record_at(const ps_corr *c, uint32_t index) { return chunked_at(&c->records, index); }
static packet *packet_at(const ps_corr *c, uint32_t index) { return chunked_at(&c->packets, index); }

static ps_claim_kind kind_of(const record *r) { return (ps_claim_kind)(r->bits & KIND_MASK); }
static bool is_snapshot(const record *r) { return kind_of(r) == PS_CLAIM_SNAPSHOT; }

/* Puts a source into by_rank with its first claim in by_pair (a source's rank is constant). */
static void rank_source(ps_corr *c, unsigned source, uint8_t rank)
{
    for (int i = 0; i < c->ranked; i++)
        if (c->by_rank[i] == source)
            return;
    c->rank[source] = rank;
    int at = c->ranked++;
    while (at > 0 && (c->rank[c->by_rank[at - 1]] < rank ||
                      (c->rank[c->by_rank[at - 1]] == rank && c->by_rank[at - 1] > source))) {
        c->by_rank[at] = c->by_rank[at - 1];
        at--;
    }
    c->by_rank[at] = (uint8_t)source;
}

static void offer_provisionally(ps_corr *c, uint32_t index);

void ps_corr_add_claim(ps_corr *c, uint32_t frame, int64_t time_ns, const ps_claim *claim)
{
    if (claim->kind == PS_CLAIM_NONE || !claim->has_pid || claim->transport != PS_TRANSPORT_TCP ||
        claim->source >= PS_CORR_MAX_SOURCES || frame <= c->last_record_frame)
        return;
    c->last_record_frame = frame;
    record r = {0};
    r.frame = frame;
    r.time_ns = time_ns;
    r.source = claim->source;
    r.a = endpoint_id(c, &claim->owned);
    r.b = endpoint_id(c, &claim->peer);
    r.pid = claim->pid;
    r.identity = identity_id(c, claim->name, claim->container);
    r.bits = (uint8_t)(claim->kind | (claim->outgoing ? BIT_OUTGOING : 0) | (claim->retransmit ? BIT_RETRANSMIT : 0) |
                       (claim->kernel_thread ? BIT_KERNEL : 0));
    if (claim->kind == PS_CLAIM_SNAPSHOT) {
        r.u.creation[0] = (uint32_t)(uint64_t)claim->creation_ns;
        r.u.creation[1] = (uint32_t)((uint64_t)claim->creation_ns >> 32);
        r.bits |= claim->has_creation ? BIT_CREATION : 0;
    } else {
        r.u.net.seq = claim->seq;
        r.u.net.ack = claim->ack;
        r.u.net.size = claim->size;
        r.tcp_flags = claim->tcp_flags;
    }
    const record *added = chunked_push(&c->records, &r);
    if (!c->first_frame[claim->source])
        c->first_frame[claim->source] = frame;
    c->dirty = true;
    if (added->a && added->b) {
        if (!is_snapshot(added))
            rank_source(c, added->source, claim->rank);
        GHashTable *index = is_snapshot(added) ? c->snapshots_by_pair : c->by_pair[added->source];
        index_add(index, pair_key(added->a, added->b), c->records.len - 1);
        offer_provisionally(c, c->records.len - 1);
    }
}

void ps_corr_add_process(ps_corr *c, uint32_t frame, int64_t time_ns, ps_process_change change, uint32_t pid,
                         const char *image)
{
    (void)frame;
    GArray *lives = g_hash_table_lookup(c->lifetimes, GUINT_TO_POINTER(pid));
    if (!lives) {
        lives = g_array_new(FALSE, FALSE, sizeof(lifetime));
        g_hash_table_insert(c->lifetimes, GUINT_TO_POINTER(pid), lives);
    }
    lifetime *last = lives->len ? &g_array_index(lives, lifetime, lives->len - 1) : NULL;
    switch (change) {
    case PS_PROCESS_START:
    case PS_PROCESS_RUNNING:
        if (last && last->end == INT64_MAX && change == PS_PROCESS_RUNNING && last->name == string_id(c, image))
            break; /* a rundown of a process already known */
        if (last && last->end == INT64_MAX)
            last->end = time_ns; /* the pid was reused: its earlier holder is gone */
        g_array_append_val(lives, ((lifetime){change == PS_PROCESS_RUNNING ? INT64_MIN : time_ns, INT64_MAX,
                                              string_id(c, image)}));
        break;
    case PS_PROCESS_END:
        if (last && last->end == INT64_MAX)
            last->end = time_ns;
        else
            g_array_append_val(lives, ((lifetime){INT64_MIN, time_ns, string_id(c, image)}));
        break;
    case PS_PROCESS_STILL_RUNNING:
        if (!last)
            g_array_append_val(lives, ((lifetime){INT64_MIN, INT64_MAX, string_id(c, image)}));
        break;
    }
    c->dirty = true;
}

static conn *conn_of(ps_corr *c, uint32_t stream)
{
    if (stream >= c->conns->len)
        g_array_set_size(c->conns, stream + 1);
    return &g_array_index(c->conns, conn, stream);
}

/* --- matching -------------------------------------------------------------------------------- */

/* A record's time on the packets' clock. */
static int64_t adjusted(const ps_corr *c, const record *r, bool provisional)
{
    return tadd(tadd(r->time_ns, c->manual_offset), provisional ? 0 : host_offset(c, r->source, r->a));
}

static int64_t distance(int64_t a, int64_t b) { return a > b ? tsub(a, b) : tsub(b, a); }

/* Whether record r speaks for end `end` (0 source, 1 destination) of packet p. */
static ps_match fits(const record *r, const packet *p, int end)
{
    bool outgoing = (r->bits & BIT_OUTGOING) != 0;
    if (outgoing != (end == 0))
        return PS_MATCH_NONE;
    switch (kind_of(r)) {
    case PS_CLAIM_PACKET:
        return r->u.net.seq == p->seq && r->u.net.ack == p->ack && r->tcp_flags == p->flags ? PS_MATCH_PACKET
                                                                                             : PS_MATCH_NONE;
    case PS_CLAIM_DATA:
        return p->len > 0 && p->len <= r->u.net.size ? PS_MATCH_EVENT : PS_MATCH_NONE;
    case PS_CLAIM_OPEN:
        return (p->flags & (PS_TCP_SYN | PS_TCP_ACK)) == PS_TCP_SYN ? PS_MATCH_EVENT : PS_MATCH_NONE;
    default:
        return PS_MATCH_NONE;
    }
}

/* First index in a time-sorted list whose adjusted time is at least t. */
static guint lower_bound(const ps_corr *c, GArray *list, int64_t t, bool provisional)
{
    guint lo = 0, hi = list->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (adjusted(c, record_at(c, g_array_index(list, uint32_t, mid)), provisional) < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The record of `source` closest in time that speaks for end `end` of p, as index + 1. */
static uint32_t direct_match(const ps_corr *c, unsigned source, const packet *p, int end, bool provisional,
                             ps_match *level)
{
    uint32_t owned = end == 0 ? p->src : p->dst, peer = end == 0 ? p->dst : p->src;
    guint64 key = pair_key(owned, peer);
    GArray *list = g_hash_table_lookup(c->by_pair[source], &key);
    if (!list)
        return 0;
    uint32_t best = 0;
    int64_t best_distance = INT64_MAX;
    /* Provisionally the list is in frame order, which is time order in a well-formed capture. */
    guint i = provisional ? 0 : lower_bound(c, list, tsub(p->time_ns, c->window), false);
    if (provisional) {
        i = list->len;
        while (i > 0 && adjusted(c, record_at(c, g_array_index(list, uint32_t, i - 1)), true) >= tsub(p->time_ns, c->window))
            i--;
    }
    /* A claim whose size is the payload's beats one that merely holds it. */
    bool best_exact = false;
    for (; i < list->len; i++) {
        uint32_t index = g_array_index(list, uint32_t, i);
        const record *r = record_at(c, index);
        int64_t t = adjusted(c, r, provisional);
        if (t > tadd(p->time_ns, c->window))
            break;
        ps_match m = fits(r, p, end);
        if (m == PS_MATCH_NONE)
            continue;
        bool exact = kind_of(r) != PS_CLAIM_PACKET && p->len && r->u.net.size == p->len;
        if ((exact && !best_exact) || (exact == best_exact && distance(t, p->time_ns) < best_distance)) {
            best = index + 1;
            best_distance = distance(t, p->time_ns);
            best_exact = exact;
            *level = m;
        }
    }
    return best;
}

static void match_packet(ps_corr *c, packet *p, bool provisional)
{
    for (int end = 0; end < 2; end++) {
        ps_match level = PS_MATCH_NONE;
        uint32_t r = 0;
        for (int i = 0; !r && i < c->ranked; i++)
            r = direct_match(c, c->by_rank[i], p, end, provisional, &level);
        p->direct[end] = r;
        p->match[end] = (uint8_t)(r ? level : PS_MATCH_NONE);
    }
}

static bool is_kernel(const record *r) { return (r->bits & BIT_KERNEL) != 0; }

/* Whether candidate (index + 1) should replace the current owner of a socket: a user process
 * beats a kernel thread, a higher-ranked source a lower one, an earlier record a later one. */
static bool better_owner(const ps_corr *c, uint32_t candidate, uint32_t current)
{
    if (!current)
        return true;
    const record *n = record_at(c, candidate - 1), *o = record_at(c, current - 1);
    if (is_kernel(n) != is_kernel(o))
        return !is_kernel(n);
    return c->rank[n->source] > c->rank[o->source];
}

static void offer_owner(ps_corr *c, conn *k, int end, uint32_t candidate)
{
    if (better_owner(c, candidate, k->owner[end]))
        k->owner[end] = candidate;
}

/* Whether two records are user processes of different sources naming different pids. */
static bool disagree(const record *x, const record *y)
{
    return !is_kernel(x) && !is_kernel(y) && x->source != y->source && x->pid != y->pid;
}

/* One pass: a record names its socket's owner for the connection under way, if any. */
static void offer_provisionally(ps_corr *c, uint32_t index)
{
    const record *r = record_at(c, index);
    if (is_snapshot(r))
        return;
    guint64 key = pair_key(MIN(r->a, r->b), MAX(r->a, r->b));
    GArray *streams = g_hash_table_lookup(c->streams_by_pair, &key);
    if (!streams)
        return;
    conn *k = conn_of(c, g_array_index(streams, uint32_t, streams->len - 1));
    if (adjusted(c, r, true) <= tadd(k->t1, c->window))
        offer_owner(c, k, r->a == k->ep[0] ? 0 : 1, index + 1);
}

/* One pass: the records just before a new connection's first packet. */
static void offer_recent(ps_corr *c, conn *k)
{
    for (int end = 0; end < 2; end++) {
        guint64 key = pair_key(k->ep[end], k->ep[1 - end]);
        for (int s = 0; s < c->ranked; s++) {
            GArray *list = g_hash_table_lookup(c->by_pair[c->by_rank[s]], &key);
            for (guint i = list ? list->len : 0; i > 0; i--) {
                uint32_t index = g_array_index(list, uint32_t, i - 1);
                if (adjusted(c, record_at(c, index), true) < tsub(k->t0, c->window))
                    break;
                offer_owner(c, k, end, index + 1);
            }
        }
    }
}

void ps_corr_add_packet(ps_corr *c, uint32_t frame, int64_t time_ns, uint32_t stream, const ps_endpoint *src,
                        const ps_endpoint *dst, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len)
{
    if (frame <= c->last_packet_frame)
        return;
    c->last_packet_frame = frame;
    packet p = {time_ns, frame, stream, endpoint_id(c, src), endpoint_id(c, dst), seq, ack, len, flags, {0, 0}, {0, 0}};
    if (!p.src || !p.dst)
        return;
    conn *k = conn_of(c, stream);
    if (!k->seen) {
        k->seen = true;
        k->ep[0] = p.src;
        k->ep[1] = p.dst;
        k->t0 = k->t1 = time_ns;
        index_add(c->streams_by_pair, pair_key(MIN(p.src, p.dst), MAX(p.src, p.dst)), stream);
        offer_recent(c, k);
    }
    k->t1 = MAX(k->t1, time_ns);
    chunked_push(&c->packets, &p);
    index_add(c->packets_by_pair, pair_key(p.src, p.dst), c->packets.len - 1);
    c->dirty = true;
}

/* --- finalizing ------------------------------------------------------------------------------ */

static gint by_record_time(gconstpointer x, gconstpointer y, gpointer data)
{
    const ps_corr *c = data;
    const record *a = record_at(c, *(const uint32_t *)x), *b = record_at(c, *(const uint32_t *)y);
    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    return a->frame < b->frame ? -1 : a->frame > b->frame;
}

static gint by_packet_time(gconstpointer x, gconstpointer y, gpointer data)
{
    const ps_corr *c = data;
    const packet *a = packet_at(c, *(const uint32_t *)x), *b = packet_at(c, *(const uint32_t *)y);
    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    return a->frame < b->frame ? -1 : a->frame > b->frame;
}

static void sort_index(ps_corr *c, GHashTable *index, GCompareDataFunc compare)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, index);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_array_sort_with_data(value, compare, c);
}

static gint compare_int64(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The packets in (src, dst) within ESTIMATE_WINDOW of t that record r fits as end `end`; the one
 * found when it is the only one. */
static bool unique_fit(const ps_corr *c, const record *r, int end, packet **found)
{
    guint64 key = end == 0 ? pair_key(r->a, r->b) : pair_key(r->b, r->a);
    GArray *list = g_hash_table_lookup(c->packets_by_pair, &key);
    if (!list)
        return false;
    int64_t t = tadd(r->time_ns, c->manual_offset);
    guint lo = 0, hi = list->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (packet_at(c, g_array_index(list, uint32_t, mid))->time_ns < tsub(t, ESTIMATE_WINDOW))
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = NULL;
    for (guint i = lo; i < list->len; i++) {
        packet *p = packet_at(c, g_array_index(list, uint32_t, i));
        if (p->time_ns > tadd(t, ESTIMATE_WINDOW))
            break;
        bool exact = kind_of(r) == PS_CLAIM_PACKET ? fits(r, p, end) == PS_MATCH_PACKET
                                                   : fits(r, p, end) == PS_MATCH_EVENT && p->len == r->u.net.size;
        if (exact) {
            if (*found)
                return false;
            *found = p;
        }
    }
    return *found != NULL;
}

/* The clock of a source on the host of an endpoint. */
static clock_key clock_key_of(const ps_corr *c, uint8_t source, uint32_t endpoint)
{
    const ps_endpoint *owned = c->endpoints->pdata[endpoint - 1];
    clock_key key;
    memset(&key, 0, sizeof key);
    key.family = owned->family;
    memcpy(key.addr, owned->addr, 16);
    key.source = source;
    return key;
}

static host_clock *clock_of(ps_corr *c, const record *r)
{
    clock_key key = clock_key_of(c, r->source, r->a);
    host_clock *k = g_hash_table_lookup(c->clocks, &key);
    if (!k) {
        k = g_new0(host_clock, 1);
        k->diffs = g_array_new(FALSE, FALSE, sizeof(int64_t));
        k->first_frame = r->frame;
        g_hash_table_insert(c->clocks, g_memdup2(&key, sizeof key), k);
    }
    return k;
}

/* Each host's constant clock offset, per source: the median difference over its unambiguous
 * matches (a capture may mix hosts whose clocks differ). */
static void estimate_offsets(ps_corr *c)
{
    g_hash_table_remove_all(c->clocks);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        g_array_set_size(c->host_offset[s], 0);
    if (!c->estimate)
        return;
    for (guint i = 0; i < c->records.len; i++) {
        const record *r = record_at(c, i);
        if (is_snapshot(r) || !r->a || !r->b)
            continue;
        host_clock *k = clock_of(c, r);
        if (kind_of(r) != PS_CLAIM_PACKET && (kind_of(r) != PS_CLAIM_DATA || (r->bits & BIT_RETRANSMIT)))
            continue;
        int end = (r->bits & BIT_OUTGOING) ? 0 : 1;
        packet *p;
        if (unique_fit(c, r, end, &p)) {
            int64_t diff = tsub(p->time_ns, tadd(r->time_ns, c->manual_offset));
            g_array_append_val(k->diffs, diff);
        }
    }
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, c->clocks);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        host_clock *k = value;
        if (k->diffs->len >= ESTIMATE_MIN_SAMPLES) {
            g_array_sort(k->diffs, compare_int64);
            k->offset = g_array_index(k->diffs, int64_t, k->diffs->len / 2);
            k->samples = k->diffs->len;
        }
        g_array_free(k->diffs, TRUE);
        k->diffs = NULL;
    }
    /* Every socket of a host takes its clock's offset. */
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++) {
        if (!c->first_frame[s])
            continue;
        g_array_set_size(c->host_offset[s], c->endpoints->len);
        for (guint e = 0; e < c->endpoints->len; e++) {
            clock_key key = clock_key_of(c, (uint8_t)s, e + 1);
            host_clock *k = g_hash_table_lookup(c->clocks, &key);
            g_array_index(c->host_offset[s], int64_t, e) = k ? k->offset : 0;
        }
    }
}

/* Calls visit on every claim but snapshots about socket `end` of a connection within its
 * lifetime (and the window either side). */
static void each_socket_record(ps_corr *c, conn *k, int end, void (*visit)(ps_corr *, conn *, int, uint32_t))
{
    guint64 key = pair_key(k->ep[end], k->ep[1 - end]);
    for (int s = 0; s < c->ranked; s++) {
        GArray *list = g_hash_table_lookup(c->by_pair[c->by_rank[s]], &key);
        if (!list)
            continue;
        for (guint i = lower_bound(c, list, tsub(k->t0, c->window), false); i < list->len; i++) {
            uint32_t index = g_array_index(list, uint32_t, i);
            if (adjusted(c, record_at(c, index), false) > tadd(k->t1, c->window))
                break;
            visit(c, k, end, index + 1);
        }
    }
}

static void note_other(ps_corr *c, conn *k, int end, uint32_t candidate)
{
    if (!k->other[end] && disagree(record_at(c, candidate - 1), record_at(c, k->owner[end] - 1)))
        k->other[end] = candidate;
}

static void find_owners(ps_corr *c, conn *k)
{
    k->owner[0] = k->owner[1] = k->other[0] = k->other[1] = 0;
    for (int end = 0; end < 2; end++) {
        each_socket_record(c, k, end, offer_owner);
        if (k->owner[end])
            each_socket_record(c, k, end, note_other);
    }
}

static int64_t creation_of(const record *r)
{
    return (int64_t)((uint64_t)r->u.creation[1] << 32 | r->u.creation[0]);
}

/* The snapshot row for a socket created most recently before t, as index + 1. */
static uint32_t snapshot_owner(const ps_corr *c, uint32_t owned, uint32_t peer, int64_t t)
{
    guint64 key = pair_key(owned, peer);
    GArray *list = g_hash_table_lookup(c->snapshots_by_pair, &key);
    uint32_t best = 0;
    int64_t best_creation = INT64_MIN;
    for (guint i = 0; list && i < list->len; i++) {
        uint32_t index = g_array_index(list, uint32_t, i);
        const record *r = record_at(c, index);
        int64_t created = (r->bits & BIT_CREATION) ? tadd(creation_of(r), c->manual_offset) : INT64_MIN;
        if (created <= t && (!best || created >= best_creation)) {
            best = index + 1;
            best_creation = created;
        }
    }
    return best;
}

/* The connection of a network record: the last one of its endpoints whose lifetime holds it. */
static bool stream_of(const ps_corr *c, const record *r, uint32_t *stream)
{
    guint64 key = pair_key(MIN(r->a, r->b), MAX(r->a, r->b));
    GArray *streams = g_hash_table_lookup(c->streams_by_pair, &key);
    int64_t t = adjusted(c, r, false);
    bool found = false;
    for (guint j = 0; streams && j < streams->len; j++) {
        uint32_t s = g_array_index(streams, uint32_t, j);
        const conn *k = &g_array_index(c->conns, conn, s);
        bool inside = t >= tsub(k->t0, c->window) && t <= tadd(k->t1, c->window);
        /* A snapshot row speaks for a connection it saw created, whenever the snapshot was. */
        if (is_snapshot(r))
            inside = !(r->bits & BIT_CREATION) || tadd(creation_of(r), c->manual_offset) <= k->t1;
        if (inside) {
            *stream = s;
            found = true;
        }
    }
    return found;
}

void ps_corr_finalize(ps_corr *c)
{
    if (!c->dirty)
        return;
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        sort_index(c, c->by_pair[s], by_record_time);
    sort_index(c, c->snapshots_by_pair, by_record_time);
    sort_index(c, c->packets_by_pair, by_packet_time);
    estimate_offsets(c);
    /* Offsets change adjusted times by a constant per source: the lists stay sorted. */
    for (guint i = 0; i < c->records.len; i++)
        record_at(c, i)->packet_frame = 0;
    for (guint i = 0; i < c->packets.len; i++) {
        packet *p = packet_at(c, i);
        match_packet(c, p, false);
        for (int end = 0; end < 2; end++) {
            record *r = p->direct[end] ? record_at(c, p->direct[end] - 1) : NULL;
            if (r && !r->packet_frame)
                r->packet_frame = p->frame;
        }
    }
    for (guint s = 0; s < c->conns->len; s++) {
        conn *k = &g_array_index(c->conns, conn, s);
        if (k->seen)
            find_owners(c, k);
    }
    c->dirty = false;
}

/* --- answers --------------------------------------------------------------------------------- */

static const char *name_at(const ps_corr *c, const record *r, int64_t t)
{
    const identity *who = identity_of(c, r->identity);
    if (who && who->name)
        return string_of(c, who->name);
    GArray *lives = g_hash_table_lookup(c->lifetimes, GUINT_TO_POINTER(r->pid));
    for (guint i = lives ? lives->len : 0; i > 0; i--) {
        const lifetime *l = &g_array_index(lives, lifetime, i - 1);
        if (l->start <= t && t <= l->end)
            return string_of(c, l->name);
    }
    return NULL;
}

static void describe_owner(const ps_corr *c, uint32_t index_plus1, ps_match match, int64_t t, ps_owner *o)
{
    memset(o, 0, sizeof *o);
    if (!index_plus1)
        return;
    const record *r = record_at(c, index_plus1 - 1);
    o->known = true;
    o->pid = r->pid;
    o->source = r->source;
    o->match = match;
    o->record_frame = r->frame;
    o->kernel_thread = is_kernel(r);
    const identity *who = identity_of(c, r->identity);
    o->container = who ? string_of(c, who->container) : NULL;
    /* Process names hold for a pid's lifetime, on the records' clock. */
    o->name = name_at(c, r, tadd(r->time_ns, tsub(t, adjusted(c, r, false))));
}

/* The position of `frame` in a vector kept in frame order (frame_at reads an item's), or -1. */
static gint64 find_frame(const chunked *v, uint32_t (*frame_at)(const void *), uint32_t frame)
{
    guint lo = 0, hi = v->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (frame_at(chunked_at(v, mid)) < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->len && frame_at(chunked_at(v, lo)) == frame ? (gint64)lo : -1;
}

static uint32_t packet_frame_of(const void *item) { return ((const packet *)item)->frame; }
static uint32_t record_frame_of(const void *item) { return ((const record *)item)->frame; }

static bool find_packet(const ps_corr *c, uint32_t frame, packet **out)
{
    gint64 at = find_frame(&c->packets, packet_frame_of, frame);
    if (at < 0)
        return false;
    *out = packet_at(c, (uint32_t)at);
    return true;
}

bool ps_corr_packet(ps_corr *c, uint32_t frame, bool provisional, ps_attribution *out)
{
    if (!provisional)
        ps_corr_finalize(c);
    packet *p;
    if (!find_packet(c, frame, &p))
        return false;
    conn *k = conn_of(c, p->stream);
    out->stream = p->stream;
    if (provisional && c->dirty) {
        /* One pass: match with the records fed so far (two passes match everything at once). */
        match_packet(c, p, true);
        for (int end = 0; end < 2; end++)
            if (p->direct[end])
                offer_owner(c, k, (end == 0) == (p->src == k->ep[0]) ? 0 : 1, p->direct[end]);
    }
    for (int end = 0; end < 2; end++) {
        ps_owner *o = end == 0 ? &out->src : &out->dst;
        int side = (p->src == k->ep[0]) == (end == 0) ? 0 : 1;
        uint32_t chosen = p->direct[end];
        ps_match match = (ps_match)p->match[end];
        uint32_t owner = k->owner[side];
        /* A kernel thread's context yields to the socket's user process. */
        if (chosen && is_kernel(record_at(c, chosen - 1)) && owner && !is_kernel(record_at(c, owner - 1))) {
            chosen = owner;
            match = PS_MATCH_CONNECTION;
        }
        if (!chosen && owner) {
            chosen = owner;
            match = PS_MATCH_CONNECTION;
        }
        if (!chosen && !provisional) {
            chosen = snapshot_owner(c, end == 0 ? p->src : p->dst, end == 0 ? p->dst : p->src, p->time_ns);
            match = PS_MATCH_SNAPSHOT;
        }
        describe_owner(c, chosen, match, p->time_ns, o);
        /* Another source that names another process for this socket is shown too. */
        const uint32_t candidates[] = {k->owner[side], k->other[side]};
        for (size_t i = 0; chosen && !provisional && i < G_N_ELEMENTS(candidates); i++) {
            if (candidates[i] && disagree(record_at(c, candidates[i] - 1), record_at(c, chosen - 1))) {
                const record *r = record_at(c, candidates[i] - 1);
                o->disagreement = true;
                o->other_pid = r->pid;
                o->other_source = r->source;
                o->other_frame = r->frame;
                break;
            }
        }
    }
    return true;
}

bool ps_corr_record(ps_corr *c, uint32_t frame, ps_record_info *out)
{
    ps_corr_finalize(c);
    gint64 at = find_frame(&c->records, record_frame_of, frame);
    if (at < 0)
        return false;
    const record *r = record_at(c, (uint32_t)at);
    memset(out, 0, sizeof *out);
    out->source = r->source;
    out->network = r->a != 0;
    ps_claim_kind kind = kind_of(r);
    out->matchable = kind == PS_CLAIM_PACKET || kind == PS_CLAIM_DATA || kind == PS_CLAIM_OPEN;
    out->matched = r->packet_frame != 0;
    out->packet_frame = r->packet_frame;
    out->has_stream = out->network && stream_of(c, r, &out->stream);
    if (out->network && !is_snapshot(r)) {
        clock_key key = clock_key_of(c, r->source, r->a);
        const host_clock *k = g_hash_table_lookup(c->clocks, &key);
        if (k && k->samples) {
            out->clock_offset = tadd(k->offset, c->manual_offset);
            out->clock_samples = k->samples;
            out->first_of_clock = k->first_frame == r->frame;
        }
    }
    return true;
}

uint32_t ps_corr_first_record_frame(const ps_corr *c, unsigned source)
{
    return source < PS_CORR_MAX_SOURCES ? c->first_frame[source] : 0;
}
