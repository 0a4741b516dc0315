/* SPDX-License-Identifier: GPL-2.0-or-later */
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
    KIND_MASK = 0x0f,
    BIT_HAS_TCP = 0x10,  /* tracee: seq, ack and flags are known */
    BIT_EGRESS = 0x20,   /* tracee: the packet leaves the owned socket */
    BIT_KERNEL = 0x40,   /* tracee: a kernel thread's context */
    BIT_CREATION = 0x80, /* nettcp: creation time known */
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
        uint32_t creation[2]; /* nettcp: ns, low and high halves (keeps the record 4-aligned) */
    } u;
    uint32_t packet_frame; /* the first packet that matched it directly, 0: none */
    uint16_t tcp_flags;
    uint8_t source;
    uint8_t bits; /* ps_etw_kind in KIND_MASK, BIT_* */
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

    GHashTable *by_pair[PS_SOURCE_COUNT]; /* (a << 32 | b) -> GArray of record indexes */
    GHashTable *packets_by_pair;          /* (src << 32 | dst) -> GArray of packet indexes */
    GHashTable *streams_by_pair;          /* unordered endpoint pair -> GArray of streams */
    GHashTable *lifetimes;                /* pid -> GArray of lifetime */

    /* Each host's clock, per source: a record's offset is its owned socket's (its host's).
     * Indexed by endpoint id - 1; grown with the endpoints. */
    GArray *host_offset[PS_SOURCE_COUNT];
    GHashTable *clocks; /* clock_key -> clock, one per source and host address */
    uint32_t first_frame[PS_SOURCE_COUNT];
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
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        c->by_pair[s] = new_index();
    c->packets_by_pair = new_index();
    c->streams_by_pair = new_index();
    c->lifetimes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_array_unref);
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
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
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        g_hash_table_destroy(c->by_pair[s]);
    g_hash_table_destroy(c->packets_by_pair);
    g_hash_table_destroy(c->streams_by_pair);
    g_hash_table_destroy(c->lifetimes);
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
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

static int64_t host_offset(const ps_corr *c, ps_source source, uint32_t endpoint)
{
    const GArray *offsets = c->host_offset[source];
    return endpoint && endpoint <= offsets->len ? g_array_index(offsets, int64_t, endpoint - 1) : 0;
}

static record *record_at(const ps_corr *c, uint32_t index) { return chunked_at(&c->records, index); }
static packet *packet_at(const ps_corr *c, uint32_t index) { return chunked_at(&c->packets, index); }

static record *new_record(ps_corr *c, uint32_t frame, int64_t time_ns, ps_source source)
{
    if (frame <= c->last_record_frame)
        return NULL;
    c->last_record_frame = frame;
    record r = {0};
    r.frame = frame;
    r.time_ns = time_ns;
    r.source = (uint8_t)source;
    record *added = chunked_push(&c->records, &r);
    if (!c->first_frame[source])
        c->first_frame[source] = frame;
    c->dirty = true;
    return added;
}

static void offer_provisionally(ps_corr *c, uint32_t index);

static void index_record(ps_corr *c, const record *r)
{
    if (r->a && r->b) {
        index_add(c->by_pair[r->source], pair_key(r->a, r->b), c->records.len - 1);
        offer_provisionally(c, c->records.len - 1);
    }
}

void ps_corr_add_tracee(ps_corr *c, uint32_t frame, int64_t time_ns, const ps_endpoint *src, const ps_endpoint *dst,
                        bool egress, bool has_tcp, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t pid,
                        const char *name, const char *container)
{
    record *r = new_record(c, frame, time_ns, PS_SOURCE_TRACEE);
    if (!r)
        return;
    uint32_t s = endpoint_id(c, src), d = endpoint_id(c, dst);
    r->a = egress ? s : d;
    r->b = egress ? d : s;
    r->pid = pid;
    r->identity = identity_id(c, name, container);
    r->u.net.seq = seq;
    r->u.net.ack = ack;
    r->tcp_flags = flags;
    r->bits = (uint8_t)((has_tcp ? BIT_HAS_TCP : 0) | (egress ? BIT_EGRESS : 0) |
                        (ps_corr_is_kernel_thread(pid, name) ? BIT_KERNEL : 0));
    index_record(c, r);
}

void ps_corr_add_etw_net(ps_corr *c, uint32_t frame, int64_t time_ns, ps_etw_kind kind, const ps_endpoint *local,
                         const ps_endpoint *remote, uint32_t pid, uint32_t size)
{
    record *r = new_record(c, frame, time_ns, PS_SOURCE_ETW);
    if (!r)
        return;
    r->a = endpoint_id(c, local);
    r->b = endpoint_id(c, remote);
    r->pid = pid;
    r->u.net.size = size;
    r->bits = (uint8_t)kind;
    index_record(c, r);
}

void ps_corr_add_nettcp(ps_corr *c, uint32_t frame, int64_t snapshot_ns, const ps_endpoint *local,
                        const ps_endpoint *remote, uint32_t pid, bool has_creation, int64_t creation_ns)
{
    record *r = new_record(c, frame, snapshot_ns, PS_SOURCE_NETTCP);
    if (!r)
        return;
    r->a = endpoint_id(c, local);
    r->b = endpoint_id(c, remote);
    r->pid = pid;
    r->u.creation[0] = (uint32_t)(uint64_t)creation_ns;
    r->u.creation[1] = (uint32_t)((uint64_t)creation_ns >> 32);
    r->bits = has_creation ? BIT_CREATION : 0;
    index_record(c, r);
}

void ps_corr_add_etw_process(ps_corr *c, uint32_t frame, int64_t time_ns, uint8_t opcode, uint32_t pid,
                             const char *image)
{
    (void)frame;
    GArray *lives = g_hash_table_lookup(c->lifetimes, GUINT_TO_POINTER(pid));
    if (!lives) {
        lives = g_array_new(FALSE, FALSE, sizeof(lifetime));
        g_hash_table_insert(c->lifetimes, GUINT_TO_POINTER(pid), lives);
    }
    lifetime *last = lives->len ? &g_array_index(lives, lifetime, lives->len - 1) : NULL;
    switch (opcode) {
    case 1: /* Start */
    case 3: /* DCStart: running when the trace began */
        if (last && last->end == INT64_MAX && opcode == 3 && last->name == string_id(c, image))
            break; /* a rundown of a process already known */
        if (last && last->end == INT64_MAX)
            last->end = time_ns; /* the pid was reused: its earlier holder is gone */
        g_array_append_val(lives, ((lifetime){opcode == 3 ? INT64_MIN : time_ns, INT64_MAX, string_id(c, image)}));
        break;
    case 2:  /* End */
    case 39: /* Defunct */
        if (last && last->end == INT64_MAX)
            last->end = time_ns;
        else
            g_array_append_val(lives, ((lifetime){INT64_MIN, time_ns, string_id(c, image)}));
        break;
    default: /* DCEnd: still running when the trace ended */
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
    int kind = r->bits & KIND_MASK;
    bool syn_only = (p->flags & (PS_TCP_SYN | PS_TCP_ACK)) == PS_TCP_SYN;
    switch (r->source) {
    case PS_SOURCE_TRACEE:
        if (!(r->bits & BIT_HAS_TCP) || ((r->bits & BIT_EGRESS) != 0) != (end == 0))
            return PS_MATCH_NONE;
        return r->u.net.seq == p->seq && r->u.net.ack == p->ack && r->tcp_flags == p->flags ? PS_MATCH_PACKET
                                                                                             : PS_MATCH_NONE;
    case PS_SOURCE_ETW:
        if (end == 0 && (kind == PS_ETW_SEND || kind == PS_ETW_RETRANSMIT))
            return p->len > 0 && p->len <= r->u.net.size ? PS_MATCH_EVENT : PS_MATCH_NONE;
        if (end == 1 && kind == PS_ETW_RECV)
            return p->len > 0 && p->len <= r->u.net.size ? PS_MATCH_EVENT : PS_MATCH_NONE;
        if ((end == 0 && kind == PS_ETW_CONNECT) || (end == 1 && kind == PS_ETW_ACCEPT))
            return syn_only ? PS_MATCH_EVENT : PS_MATCH_NONE;
        return PS_MATCH_NONE;
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
static uint32_t direct_match(const ps_corr *c, ps_source source, const packet *p, int end, bool provisional,
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
    /* An ETW event whose size is the payload's beats one that merely holds it. */
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
        bool exact = r->source == PS_SOURCE_ETW && p->len && r->u.net.size == p->len;
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
        uint32_t r = direct_match(c, PS_SOURCE_TRACEE, p, end, provisional, &level);
        if (!r)
            r = direct_match(c, PS_SOURCE_ETW, p, end, provisional, &level);
        p->direct[end] = r;
        p->match[end] = (uint8_t)(r ? level : PS_MATCH_NONE);
    }
}

static bool is_kernel(const record *r) { return (r->bits & BIT_KERNEL) != 0; }

/* Whether candidate (index + 1) should replace the current owner of a socket: a user process
 * beats a kernel thread, tracee beats ETW, an earlier record beats a later one. */
static bool better_owner(const ps_corr *c, uint32_t candidate, uint32_t current)
{
    if (!current)
        return true;
    const record *n = record_at(c, candidate - 1), *o = record_at(c, current - 1);
    if (is_kernel(n) != is_kernel(o))
        return !is_kernel(n);
    if (n->source != o->source)
        return n->source == PS_SOURCE_TRACEE;
    return false;
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
    if (r->source == PS_SOURCE_NETTCP)
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
        for (int s = PS_SOURCE_ETW; s <= PS_SOURCE_TRACEE; s++) {
            GArray *list = g_hash_table_lookup(c->by_pair[s], &key);
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
        bool exact = r->source == PS_SOURCE_TRACEE ? fits(r, p, end) == PS_MATCH_PACKET
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
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        g_array_set_size(c->host_offset[s], 0);
    if (!c->estimate)
        return;
    for (guint i = 0; i < c->records.len; i++) {
        const record *r = record_at(c, i);
        if (r->source == PS_SOURCE_NETTCP || !r->a || !r->b)
            continue;
        host_clock *k = clock_of(c, r);
        int kind = r->bits & KIND_MASK;
        int end;
        if (r->source == PS_SOURCE_TRACEE)
            end = (r->bits & BIT_EGRESS) ? 0 : 1;
        else if (kind == PS_ETW_SEND)
            end = 0;
        else if (kind == PS_ETW_RECV)
            end = 1;
        else
            continue;
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
    for (int s = PS_SOURCE_ETW; s <= PS_SOURCE_TRACEE; s++) {
        g_array_set_size(c->host_offset[s], c->endpoints->len);
        for (guint e = 0; e < c->endpoints->len; e++) {
            clock_key key = clock_key_of(c, (uint8_t)s, e + 1);
            host_clock *k = g_hash_table_lookup(c->clocks, &key);
            g_array_index(c->host_offset[s], int64_t, e) = k ? k->offset : 0;
        }
    }
}

/* Calls visit on every ETW and tracee record about socket `end` of a connection within its
 * lifetime (and the window either side). */
static void each_socket_record(ps_corr *c, conn *k, int end, void (*visit)(ps_corr *, conn *, int, uint32_t))
{
    guint64 key = pair_key(k->ep[end], k->ep[1 - end]);
    for (int s = PS_SOURCE_ETW; s <= PS_SOURCE_TRACEE; s++) {
        GArray *list = g_hash_table_lookup(c->by_pair[s], &key);
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

/* The Get-NetTCPConnection row for a socket created most recently before t, as index + 1. */
static uint32_t snapshot_owner(const ps_corr *c, uint32_t owned, uint32_t peer, int64_t t)
{
    guint64 key = pair_key(owned, peer);
    GArray *list = g_hash_table_lookup(c->by_pair[PS_SOURCE_NETTCP], &key);
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
        if (r->source == PS_SOURCE_NETTCP)
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
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        sort_index(c, c->by_pair[s], by_record_time);
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
    o->source = (ps_source)r->source;
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
                o->other_source = (ps_source)r->source;
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
    out->source = (ps_source)r->source;
    out->network = r->a != 0;
    int kind = r->bits & KIND_MASK;
    out->matchable = r->source == PS_SOURCE_TRACEE ? (r->bits & BIT_HAS_TCP) != 0
                                                   : r->source == PS_SOURCE_ETW && kind != PS_ETW_OTHER;
    out->matched = r->packet_frame != 0;
    out->packet_frame = r->packet_frame;
    out->has_stream = out->network && stream_of(c, r, &out->stream);
    if (out->network && r->source != PS_SOURCE_NETTCP) {
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

uint32_t ps_corr_first_record_frame(const ps_corr *c, ps_source source) { return c->first_frame[source]; }
