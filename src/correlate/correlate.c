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
 * Cost. Feeding is O(1) amortized. Finalizing sorts, per source and socket pair, the claims by time
 * and by what a packet is matched on (TCP key, size), so that each packet end finds its candidates
 * by binary search: the nearest claim of its TCP key, of its size, or (a max tree over sizes) the
 * nearest that holds it. Owners are the first claim of a class within a connection's lifetime, and
 * disagreements jump over runs of one pid. The whole is O((n + p) log n) for n records and p
 * packets, however busy a connection or however often a port pair is reused; one pass looks at
 * most PROVISIONAL_LOOKBACK claims back (docs/PERFORMANCE.md has the shapes measured). */
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
    uint32_t flow;     /* index into conns */
    uint32_t src, dst; /* endpoint ids */
    uint32_t seq, ack, len;
    uint16_t flags;
    uint8_t match[2];    /* ps_match of the direct match, [0] source end, [1] destination end */
    uint32_t direct[2];  /* record index + 1 of the direct match */
} packet;

/* A flow: a TCP connection (tcp.stream) or a UDP flow (udp.stream). */
typedef struct {
    uint32_t stream;
    uint8_t transport;
    uint32_t ep[2]; /* the first packet's source and destination */
    int64_t t0, t1;
    uint32_t owner[2]; /* record index + 1 owning ep[i] */
    uint32_t other[2]; /* record index + 1 of a disagreeing source */
} conn;

/* One source's claims about one socket pair (a owned, b its peer), split the ways matching asks
 * for them. Lists hold record indexes, in frame order while feeding and in time order once
 * finalized. The derived arrays exist only while finalizing: the answers are kept, not the means. */
enum { FIT_PACKET, FIT_DATA, FIT_OPEN, FIT_KINDS };
typedef struct {
    GArray *fit[2][FIT_KINDS];  /* [outgoing][FIT_*]: the claims that fit packets */
    GArray *plain;              /* the claims tied to no packet */
    GArray *handovers;          /* HANDOVER claims (also in plain): the owner from their time on */
    uint32_t newest[2];         /* record index + 1 of the newest claim of a [0] user, [1] kernel thread */
    GArray *owners[2];          /* every claim: [0] a user process's, [1] a kernel thread's */
    GArray *by_key[2];          /* fit[d][FIT_PACKET] by (seq, ack, flags), then time */
    GArray *by_size[2];         /* fit[d][FIT_DATA] by size, then time */
    GArray *size_max[2];        /* fit[d][FIT_DATA]: a max tree over blocks of SIZE_BLOCK sizes */
    GArray *next_pid;           /* owners[0]: the position of the next claim naming another pid */
    bool indexed;               /* the derived arrays are made (INDEX_FROM claims or more) */
} socket_claims;

/* Every list of a socket pair's claims: the plain ones, then each direction's fitting ones. */
enum { CLAIM_LISTS = 1 + 2 * FIT_KINDS };
static void claim_lists(const socket_claims *sc, const GArray *all[CLAIM_LISTS])
{
    all[0] = sc->plain;
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < FIT_KINDS; k++)
            all[1 + d * FIT_KINDS + k] = sc->fit[d][k];
}

/* Below this many claims a socket pair's lists are scanned, not indexed: most pairs hold one
 * connection's handful of events, for which arrays would cost more than they save. */
#define INDEX_FROM 32

/* A socket pair's flows in the order they began, and the latest end among the first i + 1. */
typedef struct {
    GArray *streams; /* flow ids */
    GArray *max_t1; /* NULL unless the streams began in time order */
} pair_streams;

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

/* An address a source named a socket of, in the records of one origin. */
typedef struct {
    clock_key at;
    uint32_t origin;
} host_key;

static guint host_hash(gconstpointer p)
{
    const host_key *k = p;
    return clock_hash(&k->at) ^ k->origin * 2654435761u;
}

static gboolean host_equal(gconstpointer x, gconstpointer y) { return memcmp(x, y, sizeof(host_key)) == 0; }

struct ps_corr {
    int64_t window;
    int64_t manual_offset;
    bool estimate;
    bool dirty;

    chunked records; /* record, in frame order */
    GArray *frame_claims; /* (source, a, b) of the claims fed for last_record_frame */
    GHashTable *comments_by_frame; /* COMMENT claims: packet frame -> GArray of record indexes */
    chunked packets; /* packet, in frame order */
    GArray *conns;   /* conn, by flow id, in the order flows were first seen */
    GArray *flow_ids[2]; /* [0] TCP, [1] UDP: stream -> flow id + 1 */
    uint32_t last_record_frame, last_packet_frame;

    GHashTable *endpoint_ids; /* ps_endpoint* -> id */
    GPtrArray *endpoints;     /* id - 1 -> ps_endpoint* */
    GHashTable *string_ids;   /* char* -> id */
    GPtrArray *strings;       /* id - 1 -> char* */
    GHashTable *identity_ids; /* "name\x1fcontainer" -> id */
    GPtrArray *identities;    /* id - 1 -> identity* */

    /* Claims tied to packets or connections, per source, and snapshot rows of every source:
     * (a << 32 | b) -> GArray of record indexes. */
    GHashTable *by_pair[PS_CORR_MAX_SOURCES]; /* (a << 32 | b) -> socket_claims */
    GHashTable *snapshots_by_pair;
    /* UDP only: a socket talks to any peer. Per source, the user processes' claims about a local
     * socket whatever its peer; and the rows without a peer (of every source). Endpoint id -> GArray
     * of record indexes. */
    GHashTable *udp_by_local[PS_CORR_MAX_SOURCES];
    GHashTable *snapshots_by_local;
    GHashTable *local_addresses; /* host_key: the addresses each source and origin named a socket of */
    GHashTable *row_origins;     /* a row for every address: record index + 1 -> its claim's origin */
    uint8_t rank[PS_CORR_MAX_SOURCES];
    /* The sources with claims in by_pair, highest rank first (ties: lower id first). */
    uint8_t by_rank[PS_CORR_MAX_SOURCES];
    int ranked;
    GHashTable *packets_by_pair;          /* (src << 32 | dst) -> GArray of packet indexes */
    GHashTable *streams_by_pair;          /* unordered endpoint pair -> pair_streams */
    GHashTable *lifetimes;                /* pid -> GArray of lifetime */

    /* Each host's clock, per source: a record's offset is its owned socket's (its host's).
     * Indexed by endpoint id - 1; grown with the endpoints. */
    GArray *host_offset[PS_CORR_MAX_SOURCES];
    GHashTable *clocks; /* clock_key -> clock, one per source and host address */
    uint32_t first_frame[PS_CORR_MAX_SOURCES];
    /* By record index: the packets whose answer names the record. Made when first asked once
     * finalized (a displayed or filtered record wants it), dropped when new data comes. */
    GArray *decided;
};

typedef struct {
    uint32_t count, first, last;
} decided_packets;

/* --- interning ------------------------------------------------------------------------------- */

/* A socket: TCP port 53 and UDP port 53 are two. */
typedef struct {
    ps_endpoint ep;
    uint8_t transport;
} sock;

static guint endpoint_hash(gconstpointer p)
{
    const sock *s = p;
    const ps_endpoint *e = &s->ep;
    guint h = (guint)e->port * 2654435761u ^ (guint)e->family ^ (guint)s->transport << 8;
    for (int i = 0; i < (e->family == 6 ? 16 : 4); i++)
        h = h * 31 + e->addr[i];
    return h;
}

static gboolean endpoint_equal(gconstpointer x, gconstpointer y)
{
    const sock *a = x, *b = y;
    return a->transport == b->transport && a->ep.family == b->ep.family && a->ep.port == b->ep.port &&
           memcmp(a->ep.addr, b->ep.addr, a->ep.family == 6 ? 16 : 4) == 0;
}

static bool sock_key(const ps_endpoint *e, uint8_t transport, sock *key)
{
    if (!e || (e->family != 4 && e->family != 6))
        return false;
    memset(key, 0, sizeof *key);
    key->ep.family = e->family;
    key->ep.port = e->port;
    memcpy(key->ep.addr, e->addr, e->family == 6 ? 16 : 4);
    key->transport = transport;
    return true;
}

static uint32_t endpoint_id(ps_corr *c, const ps_endpoint *e, uint8_t transport)
{
    sock key;
    if (!sock_key(e, transport, &key))
        return 0;
    gpointer id = g_hash_table_lookup(c->endpoint_ids, &key);
    if (id)
        return GPOINTER_TO_UINT(id);
    sock *copy = g_memdup2(&key, sizeof key);
    g_ptr_array_add(c->endpoints, copy);
    g_hash_table_insert(c->endpoint_ids, copy, GUINT_TO_POINTER(c->endpoints->len));
    return c->endpoints->len;
}

/* The id of a socket already seen, or 0. */
static uint32_t known_endpoint(const ps_corr *c, const ps_endpoint *e, uint8_t transport)
{
    sock key;
    return sock_key(e, transport, &key) ? GPOINTER_TO_UINT(g_hash_table_lookup(c->endpoint_ids, &key)) : 0;
}

static const sock *sock_of(const ps_corr *c, uint32_t id) { return c->endpoints->pdata[id - 1]; }

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

static GArray *new_list(void) { return g_array_new(FALSE, FALSE, sizeof(uint32_t)); }

static void free_list(GArray **list)
{
    if (*list)
        g_array_free(*list, TRUE);
    *list = NULL;
}

/* The arrays made while finalizing. */
static void socket_claims_clear_derived(socket_claims *sc)
{
    for (int d = 0; d < 2; d++) {
        free_list(&sc->owners[d]);
        free_list(&sc->by_key[d]);
        free_list(&sc->by_size[d]);
        free_list(&sc->size_max[d]);
    }
    free_list(&sc->next_pid);
    sc->indexed = false;
}

static void socket_claims_free(gpointer p)
{
    socket_claims *sc = p;
    socket_claims_clear_derived(sc);
    free_list(&sc->plain);
    free_list(&sc->handovers);
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < FIT_KINDS; k++)
            free_list(&sc->fit[d][k]);
    g_free(sc);
}

static void pair_streams_free(gpointer p)
{
    pair_streams *ps = p;
    g_array_free(ps->streams, TRUE);
    if (ps->max_t1)
        g_array_free(ps->max_t1, TRUE);
    g_free(ps);
}

static void *lookup_pair(GHashTable *index, uint32_t a, uint32_t b)
{
    guint64 key = pair_key(a, b);
    return g_hash_table_lookup(index, &key);
}

static uint32_t item(const GArray *list, guint i) { return g_array_index(list, uint32_t, i); }

/* --- life cycle ------------------------------------------------------------------------------ */

ps_corr *ps_corr_new(void)
{
    ps_corr *c = g_new0(ps_corr, 1);
    c->window = SECOND;
    c->estimate = true;
    chunked_init(&c->records, sizeof(record));
    c->frame_claims = g_array_new(FALSE, FALSE, 3 * sizeof(uint32_t));
    c->comments_by_frame = new_index();
    chunked_init(&c->packets, sizeof(packet));
    c->conns = g_array_new(FALSE, TRUE, sizeof(conn));
    for (int t = 0; t < 2; t++)
        c->flow_ids[t] = g_array_new(FALSE, TRUE, sizeof(uint32_t));
    c->endpoint_ids = g_hash_table_new(endpoint_hash, endpoint_equal);
    c->endpoints = g_ptr_array_new_with_free_func(g_free);
    c->string_ids = g_hash_table_new(g_str_hash, g_str_equal);
    c->strings = g_ptr_array_new_with_free_func(g_free);
    c->identity_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->identities = g_ptr_array_new_with_free_func(g_free);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        c->by_pair[s] = g_hash_table_new_full(pair_hash, g_int64_equal, g_free, socket_claims_free);
    c->snapshots_by_pair = new_index();
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        c->udp_by_local[s] = new_index();
    c->snapshots_by_local = new_index();
    c->local_addresses = g_hash_table_new_full(host_hash, host_equal, g_free, NULL);
    c->row_origins = g_hash_table_new(g_direct_hash, g_direct_equal);
    c->packets_by_pair = new_index();
    c->streams_by_pair = g_hash_table_new_full(pair_hash, g_int64_equal, g_free, pair_streams_free);
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
    g_array_free(c->frame_claims, TRUE);
    g_hash_table_destroy(c->comments_by_frame);
    g_ptr_array_free(c->packets.chunks, TRUE);
    g_array_free(c->conns, TRUE);
    for (int t = 0; t < 2; t++)
        g_array_free(c->flow_ids[t], TRUE);
    g_hash_table_destroy(c->endpoint_ids);
    g_ptr_array_free(c->endpoints, TRUE);
    g_hash_table_destroy(c->string_ids);
    g_ptr_array_free(c->strings, TRUE);
    g_hash_table_destroy(c->identity_ids);
    g_ptr_array_free(c->identities, TRUE);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        g_hash_table_destroy(c->by_pair[s]);
    g_hash_table_destroy(c->snapshots_by_pair);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        g_hash_table_destroy(c->udp_by_local[s]);
    g_hash_table_destroy(c->snapshots_by_local);
    g_hash_table_destroy(c->local_addresses);
    g_hash_table_destroy(c->row_origins);
    g_hash_table_destroy(c->packets_by_pair);
    g_hash_table_destroy(c->streams_by_pair);
    g_hash_table_destroy(c->lifetimes);
    for (int s = 0; s < PS_CORR_MAX_SOURCES; s++)
        g_array_free(c->host_offset[s], TRUE);
    g_hash_table_destroy(c->clocks);
    if (c->decided)
        g_array_free(c->decided, TRUE);
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
static bool is_kernel(const record *r) { return (r->bits & BIT_KERNEL) != 0; }
static clock_key clock_key_of(const ps_corr *c, uint8_t source, uint32_t endpoint);

static bool is_any_address(const ps_endpoint *e)
{
    static const uint8_t zero[16] = {0};
    return memcmp(e->addr, zero, e->family == 6 ? 16 : 4) == 0;
}

static bool is_loopback_address(const ps_endpoint *e)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};
    return e->family == 4 ? e->addr[0] == 127 : memcmp(e->addr, v6_loopback, 16) == 0;
}

static void add_socket_claim(ps_corr *c, const record *r, uint32_t index)
{
    guint64 key = pair_key(r->a, r->b);
    socket_claims *sc = g_hash_table_lookup(c->by_pair[r->source], &key);
    if (!sc) {
        sc = g_new0(socket_claims, 1);
        g_hash_table_insert(c->by_pair[r->source], g_memdup2(&key, sizeof key), sc);
    }
    sc->newest[is_kernel(r) ? 1 : 0] = index + 1;
    ps_claim_kind kind = kind_of(r);
    GArray **list = kind == PS_CLAIM_PACKET || kind == PS_CLAIM_DATA || kind == PS_CLAIM_OPEN
                        ? &sc->fit[(r->bits & BIT_OUTGOING) ? 1 : 0][kind - PS_CLAIM_PACKET]
                        : &sc->plain;
    if (!*list)
        *list = new_list();
    g_array_append_val(*list, index);
    if (kind == PS_CLAIM_HANDOVER) {
        if (!sc->handovers)
            sc->handovers = new_list();
        g_array_append_val(sc->handovers, index);
    }
}

void ps_corr_add_claim(ps_corr *c, uint32_t frame, int64_t time_ns, const ps_claim *claim)
{
    const bool udp = claim->transport == PS_TRANSPORT_UDP;
    if (claim->kind == PS_CLAIM_NONE || !claim->has_pid || (claim->transport != PS_TRANSPORT_TCP && !udp) ||
        claim->source >= PS_CORR_MAX_SOURCES || frame < c->last_record_frame)
        return;
    if (frame > c->last_record_frame)
        g_array_set_size(c->frame_claims, 0);
    const uint32_t key[3] = {claim->source, endpoint_id(c, &claim->owned, claim->transport),
                             endpoint_id(c, &claim->peer, claim->transport)};
    for (guint i = 0; i < c->frame_claims->len; i++)
        if (memcmp((const uint32_t *)(const void *)c->frame_claims->data + 3 * i, key, sizeof key) == 0)
            return; /* the frame fed again */
    g_array_append_vals(c->frame_claims, key, 1);
    c->last_record_frame = frame;
    record r = {0};
    r.frame = frame;
    r.time_ns = time_ns;
    r.source = claim->source;
    r.a = key[1];
    r.b = key[2];
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
    const uint32_t index = c->records.len - 1;
    if (kind_of(added) == PS_CLAIM_COMMENT) {
        if (added->a) {
            c->rank[added->source] = claim->rank;
            index_add(c->comments_by_frame, frame, index);
        }
        return;
    }
    if (added->a && !is_any_address(&sock_of(c, added->a)->ep)) {
        host_key host;
        memset(&host, 0, sizeof host);
        const clock_key at = clock_key_of(c, added->source, added->a);
        memcpy(&host.at, &at, sizeof at); /* with its zeroed padding: keys compare as bytes */
        host.origin = claim->origin;
        if (!g_hash_table_contains(c->local_addresses, &host))
            g_hash_table_add(c->local_addresses, g_memdup2(&host, sizeof host));
    } else if (added->a && !added->b && udp && is_snapshot(added)) {
        g_hash_table_insert(c->row_origins, GUINT_TO_POINTER(index + 1), GUINT_TO_POINTER(claim->origin));
    }
    if (added->a && added->b) {
        if (!is_snapshot(added))
            rank_source(c, added->source, claim->rank);
        if (is_snapshot(added))
            index_add(c->snapshots_by_pair, pair_key(added->a, added->b), index);
        else
            add_socket_claim(c, added, index);
        if (udp && !is_snapshot(added) && !is_kernel(added))
            index_add(c->udp_by_local[added->source], added->a, index);
        offer_provisionally(c, index);
    } else if (added->a && udp && is_snapshot(added)) {
        index_add(c->snapshots_by_local, added->a, index);
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

static conn *conn_at(const ps_corr *c, uint32_t flow) { return &g_array_index(c->conns, conn, flow); }

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

/* --- searching time-sorted lists -------------------------------------------------------------- */

/* First position in a list of record indexes (by time) whose adjusted time is at least t. */
static guint lower_bound(const ps_corr *c, const GArray *list, guint lo, guint hi, int64_t t, bool provisional)
{
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (adjusted(c, record_at(c, item(list, mid)), provisional) < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First position past the records of time at most t. */
static guint upper_bound(const ps_corr *c, const GArray *list, int64_t t)
{
    return t == INT64_MAX ? list->len : lower_bound(c, list, 0, list->len, t + 1, false);
}

/* A direct match under consideration. Of two, the better is exact (a claim of the packet itself,
 * which fits by its key, or a size equal to the payload's), then nearer in time, then earlier in the list: the rule a walk through the window would apply. */
typedef struct {
    uint32_t index; /* record index + 1; 0: none */
    bool exact;
    int64_t distance;
} candidate;

static bool earlier(const ps_corr *c, uint32_t x, uint32_t y, bool provisional)
{
    const record *a = record_at(c, x - 1), *b = record_at(c, y - 1);
    if (!provisional && a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns;
    return a->frame < b->frame;
}

static void consider(const ps_corr *c, const packet *p, candidate *best, uint32_t index, bool provisional)
{
    const record *r = record_at(c, index);
    candidate n = {index + 1, kind_of(r) == PS_CLAIM_PACKET || (p->len && r->u.net.size == p->len),
                   distance(adjusted(c, r, provisional), p->time_ns)};
    if (!best->index || (n.exact && !best->exact) ||
        (n.exact == best->exact && (n.distance < best->distance ||
                                    (n.distance == best->distance && earlier(c, n.index, best->index, provisional)))))
        *best = n;
}

/* In a list sorted by (key, time), the records of key `key` nearest in time to the packet inside the
 * window: the last one before it (the first of its time) and the first one at or after it. */
typedef int (*key_compare)(const record *r, const packet *p);

static void nearest_with_key(const ps_corr *c, const GArray *list, key_compare compare, const packet *p,
                             candidate *best)
{
    /* The first of the key's records at or after the packet's time, by (key, time). */
    guint lo = 0, hi = list->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const record *r = record_at(c, item(list, mid));
        int order = compare(r, p);
        if (order < 0 || (order == 0 && adjusted(c, r, false) < p->time_ns))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < list->len && compare(record_at(c, item(list, lo)), p) == 0 &&
        adjusted(c, record_at(c, item(list, lo)), false) <= tadd(p->time_ns, c->window))
        consider(c, p, best, item(list, lo), false);
    if (lo == 0 || compare(record_at(c, item(list, lo - 1)), p) != 0)
        return;
    int64_t before = adjusted(c, record_at(c, item(list, lo - 1)), false);
    if (before < tsub(p->time_ns, c->window))
        return;
    guint first = lo - 1; /* the first record of that key and time */
    while (first > 0 && compare(record_at(c, item(list, first - 1)), p) == 0 &&
           adjusted(c, record_at(c, item(list, first - 1)), false) == before)
        first--;
    consider(c, p, best, item(list, first), false);
}

/* What a packet is matched on: its TCP key, or its payload's length against a claim's size. The
 * same orders sort claims, sort packets and compare the two. */
typedef struct {
    uint32_t seq, ack;
    uint16_t flags;
} tcp_key;

static tcp_key record_key(const record *r) { return (tcp_key){r->u.net.seq, r->u.net.ack, r->tcp_flags}; }
static tcp_key packet_key(const packet *p) { return (tcp_key){p->seq, p->ack, p->flags}; }
static int compare_u32(uint32_t a, uint32_t b) { return (a > b) - (a < b); }

static int compare_keys(tcp_key a, tcp_key b)
{
    return a.seq != b.seq ? compare_u32(a.seq, b.seq) : a.ack != b.ack ? compare_u32(a.ack, b.ack)
                                                                       : compare_u32(a.flags, b.flags);
}

static int compare_tcp_key(const record *r, const packet *p)
{
    return compare_keys(record_key(r), packet_key(p));
}
static int compare_size(const record *r, const packet *p) { return compare_u32(r->u.net.size, p->len); }

/* --- the largest size in a range ---------------------------------------------------------------- */

/* A data claim holds a packet when its size is at least the payload's. To find the nearest such
 * claim without walking past the ones too small, each list keeps a max tree over blocks of sizes. */
#define SIZE_BLOCK 16

static uint32_t size_of(const ps_corr *c, const GArray *list, guint i)
{
    return record_at(c, item(list, i))->u.net.size;
}

static GArray *build_size_max(const ps_corr *c, const GArray *list)
{
    guint blocks = (list->len + SIZE_BLOCK - 1) / SIZE_BLOCK, leaves = 1;
    while (leaves < blocks)
        leaves <<= 1;
    GArray *tree = g_array_new(FALSE, TRUE, sizeof(uint32_t));
    g_array_set_size(tree, 2 * leaves);
    uint32_t *t = (uint32_t *)(void *)tree->data;
    for (guint i = 0; i < list->len; i++)
        t[leaves + i / SIZE_BLOCK] = MAX(t[leaves + i / SIZE_BLOCK], size_of(c, list, i));
    for (guint node = leaves - 1; node > 0; node--)
        t[node] = MAX(t[2 * node], t[2 * node + 1]);
    return tree;
}

/* The last (first) block in [lo, hi] whose largest size is at least x, or -1. */
static gint64 tree_last(const uint32_t *t, guint node, guint nl, guint nr, guint lo, guint hi, uint32_t x)
{
    if (nr < lo || nl > hi || t[node] < x)
        return -1;
    if (nl == nr)
        return nl;
    guint mid = nl + (nr - nl) / 2;
    gint64 found = tree_last(t, 2 * node + 1, mid + 1, nr, lo, hi, x);
    return found >= 0 ? found : tree_last(t, 2 * node, nl, mid, lo, hi, x);
}

static gint64 tree_first(const uint32_t *t, guint node, guint nl, guint nr, guint lo, guint hi, uint32_t x)
{
    if (nr < lo || nl > hi || t[node] < x)
        return -1;
    if (nl == nr)
        return nl;
    guint mid = nl + (nr - nl) / 2;
    gint64 found = tree_first(t, 2 * node, nl, mid, lo, hi, x);
    return found >= 0 ? found : tree_first(t, 2 * node + 1, mid + 1, nr, lo, hi, x);
}

/* The last position in [lo, hi) whose size is at least x, or -1. */
static gint64 last_holding(const ps_corr *c, const GArray *list, const GArray *tree, guint lo, guint hi, uint32_t x)
{
    if (lo >= hi)
        return -1;
    guint leaves = tree->len / 2;
    const uint32_t *t = (const uint32_t *)(const void *)tree->data;
    gint64 i = (gint64)hi - 1;
    for (gint64 start = MAX((gint64)lo, i / SIZE_BLOCK * SIZE_BLOCK); i >= start; i--)
        if (size_of(c, list, (guint)i) >= x)
            return i;
    if ((guint)(i + 1) <= lo)
        return -1;
    gint64 block = tree_last(t, 1, 0, leaves - 1, lo / SIZE_BLOCK, (guint)(i + 1) / SIZE_BLOCK - 1, x);
    if (block < 0)
        return -1;
    for (i = MIN((gint64)hi - 1, (block + 1) * SIZE_BLOCK - 1); i >= MAX((gint64)lo, block * SIZE_BLOCK); i--)
        if (size_of(c, list, (guint)i) >= x)
            return i;
    return -1;
}

/* The first position in [lo, hi) whose size is at least x, or -1. */
static gint64 first_holding(const ps_corr *c, const GArray *list, const GArray *tree, guint lo, guint hi, uint32_t x)
{
    if (lo >= hi)
        return -1;
    guint leaves = tree->len / 2;
    const uint32_t *t = (const uint32_t *)(const void *)tree->data;
    guint i = lo;
    for (guint end = MIN(hi, (lo / SIZE_BLOCK + 1) * SIZE_BLOCK); i < end; i++)
        if (size_of(c, list, i) >= x)
            return i;
    if (i >= hi)
        return -1;
    gint64 block = tree_first(t, 1, 0, leaves - 1, i / SIZE_BLOCK, (hi - 1) / SIZE_BLOCK, x);
    if (block < 0)
        return -1;
    for (i = (guint)block * SIZE_BLOCK; i < MIN(hi, (guint)(block + 1) * SIZE_BLOCK); i++)
        if (size_of(c, list, i) >= x)
            return i;
    return -1;
}

/* --- direct matches ------------------------------------------------------------------------------ */

/* One pass looks this many claims back from the newest: the lists are not sorted yet, and the
 * claims about a packet come just before it. */
#define PROVISIONAL_LOOKBACK 256

static void consider_recent(const ps_corr *c, const GArray *list, const packet *p, int end, candidate *best)
{
    for (guint i = list ? list->len : 0, seen = 0; i > 0 && seen < PROVISIONAL_LOOKBACK; i--, seen++) {
        uint32_t index = item(list, i - 1);
        const record *r = record_at(c, index);
        int64_t t = adjusted(c, r, true);
        if (t < tsub(p->time_ns, c->window))
            break;
        if (t <= tadd(p->time_ns, c->window) && fits(r, p, end) != PS_MATCH_NONE)
            consider(c, p, best, index, true);
    }
}

/* The claim of `source` that speaks for end `end` of p (0 source, 1 destination), as index + 1:
 * the exact ones first, then the nearest in time within the window. */
static uint32_t direct_match(const ps_corr *c, unsigned source, const packet *p, int end, bool provisional,
                             ps_match *level)
{
    const socket_claims *sc = lookup_pair(c->by_pair[source], end == 0 ? p->src : p->dst, end == 0 ? p->dst : p->src);
    if (!sc)
        return 0;
    const int d = end == 0 ? 1 : 0; /* the claims of packets leaving the owned socket fit the source end */
    candidate best = {0, false, 0};
    const bool syn_only = (p->flags & (PS_TCP_SYN | PS_TCP_ACK)) == PS_TCP_SYN;
    if (provisional) {
        consider_recent(c, sc->fit[d][FIT_PACKET], p, end, &best);
        if (p->len)
            consider_recent(c, sc->fit[d][FIT_DATA], p, end, &best);
        if (syn_only)
            consider_recent(c, sc->fit[d][FIT_OPEN], p, end, &best);
    } else if (!sc->indexed) {
        for (int k = 0; k < FIT_KINDS; k++) {
            const GArray *list = sc->fit[d][k];
            for (guint i = 0; list && i < list->len; i++) {
                const record *r = record_at(c, item(list, i));
                if (distance(adjusted(c, r, false), p->time_ns) <= c->window && fits(r, p, end) != PS_MATCH_NONE)
                    consider(c, p, &best, item(list, i), false);
            }
        }
    } else {
        if (sc->by_key[d])
            nearest_with_key(c, sc->by_key[d], compare_tcp_key, p, &best);
        const GArray *data = sc->fit[d][FIT_DATA];
        if (data && p->len) {
            nearest_with_key(c, sc->by_size[d], compare_size, p, &best);
            if (!best.exact) {
                guint lo = lower_bound(c, data, 0, data->len, tsub(p->time_ns, c->window), false);
                guint at = lower_bound(c, data, lo, data->len, p->time_ns, false);
                guint hi = upper_bound(c, data, tadd(p->time_ns, c->window));
                gint64 after = first_holding(c, data, sc->size_max[d], at, hi, p->len);
                if (after >= 0)
                    consider(c, p, &best, item(data, (guint)after), false);
                gint64 before = last_holding(c, data, sc->size_max[d], lo, at, p->len);
                if (before >= 0) {
                    /* The first claim of that time that holds the packet. */
                    int64_t t = adjusted(c, record_at(c, item(data, (guint)before)), false);
                    guint first = lower_bound(c, data, lo, (guint)before, t, false);
                    consider(c, p, &best, item(data, (guint)first_holding(c, data, sc->size_max[d], first,
                                                                             (guint)before + 1, p->len)), false);
                }
            }
        }
        const GArray *open = sc->fit[d][FIT_OPEN];
        if (open && syn_only && !p->len) {
            /* None is exact: the nearest after, and the first of the nearest time before, as the
             * walk below would find them. */
            guint lo = lower_bound(c, open, 0, open->len, tsub(p->time_ns, c->window), false);
            guint at = lower_bound(c, open, lo, open->len, p->time_ns, false);
            if (at < open->len && adjusted(c, record_at(c, item(open, at)), false) <= tadd(p->time_ns, c->window))
                consider(c, p, &best, item(open, at), false);
            if (at > lo) {
                int64_t t = adjusted(c, record_at(c, item(open, at - 1)), false);
                consider(c, p, &best, item(open, lower_bound(c, open, lo, at - 1, t, false)), false);
            }
        } else if (open && syn_only) {
            /* A SYN with data, rare: every connect or accept in the window, as one may be exact. */
            guint i = lower_bound(c, open, 0, open->len, tsub(p->time_ns, c->window), false);
            for (; i < open->len && adjusted(c, record_at(c, item(open, i)), false) <= tadd(p->time_ns, c->window); i++)
                consider(c, p, &best, item(open, i), false);
        }
    }
    if (best.index)
        *level = fits(record_at(c, best.index - 1), p, end);
    return best.index;
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

/* --- owners of sockets ------------------------------------------------------------------------- */

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
    const pair_streams *ps = lookup_pair(c->streams_by_pair, MIN(r->a, r->b), MAX(r->a, r->b));
    if (!ps)
        return;
    conn *k = conn_at(c, item(ps->streams, ps->streams->len - 1));
    if (adjusted(c, r, true) <= tadd(k->t1, c->window))
        offer_owner(c, k, r->a == k->ep[0] ? 0 : 1, index + 1);
}

/* One pass: the records just before a new connection's first packet. Offered newest first, so that
 * of one kind (user or kernel) and source, the newest in the window names the owner. */
static void offer_recent(ps_corr *c, conn *k)
{
    for (int end = 0; end < 2; end++) {
        for (int s = 0; s < c->ranked; s++) {
            const socket_claims *sc = lookup_pair(c->by_pair[c->by_rank[s]], k->ep[end], k->ep[1 - end]);
            for (int kernel = 0; sc && kernel < 2; kernel++) {
                uint32_t newest = sc->newest[kernel];
                if (newest && adjusted(c, record_at(c, newest - 1), true) >= tsub(k->t0, c->window))
                    offer_owner(c, k, end, newest);
            }
        }
    }
}

static void add_packet(ps_corr *c, uint32_t frame, int64_t time_ns, uint8_t transport, uint32_t stream,
                       const ps_endpoint *src, const ps_endpoint *dst, uint32_t seq, uint32_t ack, uint16_t flags,
                       uint32_t len)
{
    if (frame <= c->last_packet_frame)
        return;
    c->last_packet_frame = frame;
    packet p = {time_ns, frame, 0, endpoint_id(c, src, transport), endpoint_id(c, dst, transport), seq, ack, len, flags,
                {0, 0}, {0, 0}};
    if (!p.src || !p.dst || stream == UINT32_MAX)
        return;
    GArray *ids = c->flow_ids[transport == PS_TRANSPORT_UDP ? 1 : 0];
    if (stream >= ids->len)
        g_array_set_size(ids, stream + 1);
    uint32_t *id = &g_array_index(ids, uint32_t, stream);
    conn *k;
    if (*id) {
        k = conn_at(c, *id - 1);
    } else {
        *id = c->conns->len + 1;
        g_array_set_size(c->conns, c->conns->len + 1);
        k = conn_at(c, *id - 1);
        k->stream = stream;
        k->transport = transport;
        k->ep[0] = p.src;
        k->ep[1] = p.dst;
        k->t0 = k->t1 = time_ns;
        guint64 key = pair_key(MIN(p.src, p.dst), MAX(p.src, p.dst));
        pair_streams *ps = g_hash_table_lookup(c->streams_by_pair, &key);
        if (!ps) {
            ps = g_new0(pair_streams, 1);
            ps->streams = new_list();
            g_hash_table_insert(c->streams_by_pair, g_memdup2(&key, sizeof key), ps);
        }
        const uint32_t flow = *id - 1;
        g_array_append_val(ps->streams, flow);
        offer_recent(c, k);
    }
    p.flow = *id - 1;
    k->t1 = MAX(k->t1, time_ns);
    chunked_push(&c->packets, &p);
    index_add(c->packets_by_pair, pair_key(p.src, p.dst), c->packets.len - 1);
    c->dirty = true;
}

void ps_corr_add_packet(ps_corr *c, uint32_t frame, int64_t time_ns, uint32_t stream, const ps_endpoint *src,
                        const ps_endpoint *dst, uint32_t seq, uint32_t ack, uint16_t flags, uint32_t len)
{
    add_packet(c, frame, time_ns, PS_TRANSPORT_TCP, stream, src, dst, seq, ack, flags, len);
}

void ps_corr_add_datagram(ps_corr *c, uint32_t frame, int64_t time_ns, uint32_t stream, const ps_endpoint *src,
                          const ps_endpoint *dst, uint16_t udp_length, uint16_t checksum, uint32_t len)
{
    add_packet(c, frame, time_ns, PS_TRANSPORT_UDP, stream, src, dst, udp_length, checksum, 0, len);
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

static gint by_tcp_key(gconstpointer x, gconstpointer y, gpointer data)
{
    const ps_corr *c = data;
    const record *a = record_at(c, *(const uint32_t *)x), *b = record_at(c, *(const uint32_t *)y);
    int order = compare_keys(record_key(a), record_key(b));
    return order ? order : by_record_time(x, y, data);
}

static gint by_size(gconstpointer x, gconstpointer y, gpointer data)
{
    const ps_corr *c = data;
    const record *a = record_at(c, *(const uint32_t *)x), *b = record_at(c, *(const uint32_t *)y);
    int order = compare_u32(a->u.net.size, b->u.net.size);
    return order ? order : by_record_time(x, y, data);
}

static GArray *sorted_copy(ps_corr *c, const GArray *list, GCompareDataFunc compare)
{
    GArray *copy = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), list->len);
    g_array_append_vals(copy, list->data, list->len);
    g_array_sort_with_data(copy, compare, c);
    return copy;
}

/* Sorts a socket pair's lists by time and makes the arrays the searches use. */
static void index_socket_claims(ps_corr *c, socket_claims *sc)
{
    socket_claims_clear_derived(sc);
    const GArray *all[CLAIM_LISTS];
    claim_lists(sc, all);
    guint claims = 0;
    for (size_t l = 0; l < G_N_ELEMENTS(all); l++)
        claims += all[l] ? all[l]->len : 0;
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < FIT_KINDS; k++)
            if (sc->fit[d][k])
                g_array_sort_with_data(sc->fit[d][k], by_record_time, c);
    if (sc->handovers)
        g_array_sort_with_data(sc->handovers, by_record_time, c);
    if (claims < INDEX_FROM)
        return;
    sc->indexed = true;
    for (size_t l = 0; l < G_N_ELEMENTS(all); l++) {
        for (guint i = 0; all[l] && i < all[l]->len; i++) {
            GArray **owners = &sc->owners[is_kernel(record_at(c, item(all[l], i))) ? 1 : 0];
            if (!*owners)
                *owners = new_list();
            g_array_append_val(*owners, g_array_index(all[l], uint32_t, i));
        }
    }
    for (int k = 0; k < 2; k++)
        if (sc->owners[k])
            g_array_sort_with_data(sc->owners[k], by_record_time, c);
    for (int d = 0; d < 2; d++) {
        if (sc->fit[d][FIT_PACKET])
            sc->by_key[d] = sorted_copy(c, sc->fit[d][FIT_PACKET], by_tcp_key);
        if (sc->fit[d][FIT_DATA]) {
            sc->by_size[d] = sorted_copy(c, sc->fit[d][FIT_DATA], by_size);
            sc->size_max[d] = build_size_max(c, sc->fit[d][FIT_DATA]);
        }
    }
    const GArray *users = sc->owners[0];
    if (users) {
        sc->next_pid = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_array_set_size(sc->next_pid, users->len);
        uint32_t *next = (uint32_t *)(void *)sc->next_pid->data;
        next[users->len - 1] = users->len;
        for (guint i = users->len - 1; i > 0; i--)
            next[i - 1] = record_at(c, item(users, i))->pid != record_at(c, item(users, i - 1))->pid ? i : next[i];
    }
}

/* Whether a pair's streams began in time order, and each prefix's latest end (flow_of). */
static void index_pair_streams(ps_corr *c, pair_streams *ps)
{
    if (ps->max_t1)
        g_array_free(ps->max_t1, TRUE);
    ps->max_t1 = NULL;
    if (ps->streams->len < 2) /* one stream is looked at directly */
        return;
    ps->max_t1 = g_array_sized_new(FALSE, FALSE, sizeof(int64_t), ps->streams->len);
    int64_t t0 = INT64_MIN, t1 = INT64_MIN;
    for (guint i = 0; i < ps->streams->len; i++) {
        const conn *k = &g_array_index(c->conns, conn, item(ps->streams, i));
        if (k->t0 < t0) {
            g_array_free(ps->max_t1, TRUE);
            ps->max_t1 = NULL;
            return;
        }
        t0 = k->t0;
        t1 = MAX(t1, k->t1);
        g_array_append_val(ps->max_t1, t1);
    }
}

static gint compare_int64(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The packets of a socket pair ordered for the clock estimate: by TCP key, and by length. */
typedef struct {
    GArray *by_key;
    GArray *by_len;
} pair_packets;

static void pair_packets_free(gpointer p)
{
    pair_packets *pp = p;
    g_array_free(pp->by_key, TRUE);
    g_array_free(pp->by_len, TRUE);
    g_free(pp);
}

static gint packet_by_key(gconstpointer x, gconstpointer y, gpointer data)
{
    const ps_corr *c = data;
    const packet *a = packet_at(c, *(const uint32_t *)x), *b = packet_at(c, *(const uint32_t *)y);
    int order = compare_keys(packet_key(a), packet_key(b));
    return order ? order : by_packet_time(x, y, data);
}

static gint packet_by_len(gconstpointer x, gconstpointer y, gpointer data)
{
    const ps_corr *c = data;
    const packet *a = packet_at(c, *(const uint32_t *)x), *b = packet_at(c, *(const uint32_t *)y);
    int order = compare_u32(a->len, b->len);
    return order ? order : by_packet_time(x, y, data);
}

/* The position of the first packet in a list by (key, time) at or past (key of r, t). */
static guint packet_bound(const ps_corr *c, const GArray *list, const record *r, bool by_key, int64_t t)
{
    guint lo = 0, hi = list->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const packet *p = packet_at(c, item(list, mid));
        int order = by_key ? -compare_tcp_key(r, p) : -compare_size(r, p);
        if (order < 0 || (order == 0 && p->time_ns < t))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether r fits packet p exactly as end `end`: its TCP key, or its size. */
static bool fits_exactly(const record *r, const packet *p, int end)
{
    return kind_of(r) == PS_CLAIM_PACKET ? fits(r, p, end) == PS_MATCH_PACKET
                                         : fits(r, p, end) == PS_MATCH_EVENT && p->len == r->u.net.size;
}

/* The packet of (src, dst) within ESTIMATE_WINDOW of r's time that r fits exactly as end `end`,
 * when there is only one. A pair's packets are ordered by key and by length the first time a
 * record asks about a pair of INDEX_FROM packets or more; fewer are walked. */
static bool unique_fit(const ps_corr *c, GHashTable *ordered, const record *r, int end, packet **found)
{
    guint64 key = end == 0 ? pair_key(r->a, r->b) : pair_key(r->b, r->a);
    const GArray *packets = g_hash_table_lookup(c->packets_by_pair, &key);
    if (!packets)
        return false;
    int64_t t = tadd(r->time_ns, c->manual_offset), last = tadd(t, ESTIMATE_WINDOW);
    if (packets->len < INDEX_FROM) {
        *found = NULL;
        for (guint i = 0; i < packets->len; i++) {
            packet *p = packet_at(c, item(packets, i));
            if (p->time_ns >= tsub(t, ESTIMATE_WINDOW) && p->time_ns <= last && fits_exactly(r, p, end)) {
                if (*found)
                    return false;
                *found = p;
            }
        }
        return *found != NULL;
    }
    pair_packets *pp = g_hash_table_lookup(ordered, &key);
    if (!pp) {
        pp = g_new(pair_packets, 1);
        pp->by_key = sorted_copy((ps_corr *)c, packets, packet_by_key);
        pp->by_len = sorted_copy((ps_corr *)c, packets, packet_by_len);
        g_hash_table_insert(ordered, g_memdup2(&key, sizeof key), pp);
    }
    bool by_key = kind_of(r) == PS_CLAIM_PACKET;
    if (!by_key && !r->u.net.size)
        return false;
    const GArray *list = by_key ? pp->by_key : pp->by_len;
    guint first = packet_bound(c, list, r, by_key, tsub(t, ESTIMATE_WINDOW));
    /* One inside the window, and the next one of the same key past it. */
    for (guint i = first; i < first + 2; i++) {
        const packet *p = i < list->len ? packet_at(c, item(list, i)) : NULL;
        bool exact = p && p->time_ns <= last && fits_exactly(r, p, end);
        if (exact != (i == first))
            return false;
    }
    *found = packet_at(c, item(list, first));
    return true;
}

/* The clock of a source on the host of an endpoint. */
static clock_key clock_key_of(const ps_corr *c, uint8_t source, uint32_t endpoint)
{
    const ps_endpoint *owned = &sock_of(c, endpoint)->ep;
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
    GHashTable *ordered = g_hash_table_new_full(pair_hash, g_int64_equal, g_free, pair_packets_free);
    gpointer value;
    for (guint i = 0; i < c->records.len; i++) {
        const record *r = record_at(c, i);
        if (is_snapshot(r) || kind_of(r) == PS_CLAIM_COMMENT || !r->a || !r->b)
            continue;
        host_clock *k = clock_of(c, r);
        if (kind_of(r) != PS_CLAIM_PACKET && (kind_of(r) != PS_CLAIM_DATA || (r->bits & BIT_RETRANSMIT)))
            continue;
        int end = (r->bits & BIT_OUTGOING) ? 0 : 1;
        packet *p;
        if (unique_fit(c, ordered, r, end, &p)) {
            int64_t diff = tsub(p->time_ns, tadd(r->time_ns, c->manual_offset));
            g_array_append_val(k->diffs, diff);
        }
    }
    g_hash_table_destroy(ordered);
    GHashTableIter it;
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
            clock_key ck = clock_key_of(c, (uint8_t)s, e + 1);
            host_clock *k = g_hash_table_lookup(c->clocks, &ck);
            g_array_index(c->host_offset[s], int64_t, e) = k ? k->offset : 0;
        }
    }
}

/* The first claim of a time-sorted list inside [from, to], as a position, or the list's length. */
static guint first_within(const ps_corr *c, const GArray *list, int64_t from, int64_t to)
{
    guint i = lower_bound(c, list, 0, list->len, from, false);
    return i < list->len && adjusted(c, record_at(c, item(list, i)), false) <= to ? i : list->len;
}

/* The earliest claim of a pair inside [from, to] of a user process ([0]) or kernel thread ([1]),
 * naming another pid than `not_pid` when that is not 0; as index + 1, or 0. */
static uint32_t earliest_claim(const ps_corr *c, const socket_claims *sc, int kernel, int64_t from, int64_t to,
                               uint32_t not_pid)
{
    if (sc->indexed) {
        const GArray *list = sc->owners[kernel];
        guint i = list ? first_within(c, list, from, to) : 0;
        if (!list || i >= list->len)
            return 0;
        if (not_pid && record_at(c, item(list, i))->pid == not_pid)
            i = g_array_index(sc->next_pid, uint32_t, i); /* the first of another pid */
        return i < list->len && adjusted(c, record_at(c, item(list, i)), false) <= to ? item(list, i) + 1 : 0;
    }
    const GArray *all[CLAIM_LISTS];
    claim_lists(sc, all);
    uint32_t best = 0;
    for (size_t l = 0; l < G_N_ELEMENTS(all); l++) {
        for (guint i = 0; all[l] && i < all[l]->len; i++) {
            const record *r = record_at(c, item(all[l], i));
            int64_t t = adjusted(c, r, false);
            if (is_kernel(r) == (kernel == 1) && t >= from && t <= to && (!not_pid || r->pid != not_pid) &&
                (!best || earlier(c, item(all[l], i) + 1, best, false)))
                best = item(all[l], i) + 1;
        }
    }
    return best;
}

/* The owner of each socket of a connection: of the claims within its lifetime (and the window
 * either side), a user process's before a kernel thread's, the highest-ranked source's, the
 * earliest; and the first claim of another source naming another pid, if any. */
static void find_owners(ps_corr *c, conn *k)
{
    const int64_t from = tsub(k->t0, c->window), to = tadd(k->t1, c->window);
    for (int end = 0; end < 2; end++) {
        k->owner[end] = k->other[end] = 0;
        for (int kernel = 0; kernel < 2 && !k->owner[end]; kernel++) {
            for (int s = 0; s < c->ranked && !k->owner[end]; s++) {
                const socket_claims *sc = lookup_pair(c->by_pair[c->by_rank[s]], k->ep[end], k->ep[1 - end]);
                if (sc)
                    k->owner[end] = earliest_claim(c, sc, kernel, from, to, 0);
            }
        }
        const record *owner = k->owner[end] ? record_at(c, k->owner[end] - 1) : NULL;
        for (int s = 0; owner && !is_kernel(owner) && s < c->ranked && !k->other[end]; s++) {
            const socket_claims *sc = lookup_pair(c->by_pair[c->by_rank[s]], k->ep[end], k->ep[1 - end]);
            if (sc && c->by_rank[s] != owner->source)
                k->other[end] = earliest_claim(c, sc, 0, from, to, owner->pid);
        }
    }
}

static int64_t creation_of(const record *r)
{
    return (int64_t)((uint64_t)r->u.creation[1] << 32 | r->u.creation[0]);
}

/* The snapshot row of an index's key created most recently before t, as index + 1. */
static uint32_t newest_row(const ps_corr *c, GHashTable *rows, guint64 key, int64_t t)
{
    GArray *list = g_hash_table_lookup(rows, &key);
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

/* The snapshot row for a socket, as index + 1: one naming the peer; for UDP, else one for the socket
 * talking to any peer, else one for its port on any address: of a host, which the engine knows only
 * as the addresses its source named other sockets of in records of the same origin (one file of
 * rows), and loopback, every host's. */
static uint32_t snapshot_owner(const ps_corr *c, uint32_t owned, uint32_t peer, int64_t t)
{
    uint32_t row = newest_row(c, c->snapshots_by_pair, pair_key(owned, peer), t);
    const sock *s = sock_of(c, owned);
    if (row || s->transport != PS_TRANSPORT_UDP)
        return row;
    row = newest_row(c, c->snapshots_by_local, owned, t);
    ps_endpoint any = {s->ep.family, {0}, s->ep.port};
    uint32_t wildcard = known_endpoint(c, &any, PS_TRANSPORT_UDP);
    if (row || !wildcard || wildcard == owned)
        return row;
    row = newest_row(c, c->snapshots_by_local, wildcard, t);
    if (!row || is_loopback_address(&s->ep))
        return row;
    host_key host;
    memset(&host, 0, sizeof host);
    const clock_key at = clock_key_of(c, record_at(c, row - 1)->source, owned);
    memcpy(&host.at, &at, sizeof at);
    host.origin = GPOINTER_TO_UINT(g_hash_table_lookup(c->row_origins, GUINT_TO_POINTER(row)));
    return g_hash_table_contains(c->local_addresses, &host) ? row : 0;
}

/* Whether record r falls into connection k, as flow_of counts it. */
static bool inside(const ps_corr *c, const record *r, const conn *k, int64_t t)
{
    /* A snapshot row speaks for a connection it saw created, whenever the snapshot was. */
    if (is_snapshot(r))
        return !(r->bits & BIT_CREATION) || tadd(creation_of(r), c->manual_offset) <= k->t1;
    return t >= tsub(k->t0, c->window) && t <= tadd(k->t1, c->window);
}

/* The flow of a network record: the last one of its endpoints whose lifetime holds it. */
static bool flow_of(const ps_corr *c, const record *r, uint32_t *flow)
{
    const pair_streams *ps = lookup_pair(c->streams_by_pair, MIN(r->a, r->b), MAX(r->a, r->b));
    if (!ps)
        return false;
    int64_t t = adjusted(c, r, false);
    guint n = ps->streams->len;
    if (ps->max_t1 && !is_snapshot(r)) {
        /* Streams in time order: those begun by t + window, then back while one may still hold t. */
        guint lo = 0, hi = n;
        while (lo < hi) {
            guint mid = lo + (hi - lo) / 2;
            if (tsub(g_array_index(c->conns, conn, item(ps->streams, mid)).t0, c->window) <= t)
                lo = mid + 1;
            else
                hi = mid;
        }
        n = lo;
    }
    /* The latest end among the first j streams bounds what the earlier ones can hold. */
    int64_t needed_end = !is_snapshot(r)             ? tsub(t, c->window)
                         : (r->bits & BIT_CREATION) ? tadd(creation_of(r), c->manual_offset)
                                                     : INT64_MIN;
    for (guint j = n; j > 0; j--) {
        if (ps->max_t1 && g_array_index(ps->max_t1, int64_t, j - 1) < needed_end)
            return false;
        if (inside(c, r, &g_array_index(c->conns, conn, item(ps->streams, j - 1)), t)) {
            *flow = item(ps->streams, j - 1);
            return true;
        }
    }
    return false;
}

/* Of a time-sorted list of claims, the one nearest to t (of equal distances the earlier), as
 * index + 1. */
static uint32_t nearest_in(const ps_corr *c, const GArray *list, int64_t t)
{
    if (!list || !list->len)
        return 0;
    guint at = lower_bound(c, list, 0, list->len, t, false);
    uint32_t best = 0;
    if (at > 0) {
        int64_t before = adjusted(c, record_at(c, item(list, at - 1)), false);
        best = item(list, lower_bound(c, list, 0, at - 1, before, false)) + 1; /* the first of that time */
        if (at == list->len || distance(before, t) <= distance(adjusted(c, record_at(c, item(list, at)), false), t))
            return best;
    }
    return item(list, at) + 1;
}

/* The claim about a socket pair nearest in time to t, a user process's before a kernel thread's. */
static uint32_t nearest_on_pair(const ps_corr *c, const socket_claims *sc, int64_t t)
{
    for (int kernel = 0; kernel < 2; kernel++) {
        uint32_t best = 0;
        if (sc->indexed) {
            best = nearest_in(c, sc->owners[kernel], t);
        } else {
            const GArray *all[CLAIM_LISTS];
            claim_lists(sc, all);
            int64_t best_distance = 0;
            for (size_t l = 0; l < G_N_ELEMENTS(all); l++) {
                for (guint i = 0; all[l] && i < all[l]->len; i++) {
                    const record *r = record_at(c, item(all[l], i));
                    int64_t d = distance(adjusted(c, r, false), t);
                    if (is_kernel(r) == (kernel == 1) &&
                        (!best || d < best_distance || (d == best_distance && earlier(c, item(all[l], i) + 1, best, false)))) {
                        best = item(all[l], i) + 1;
                        best_distance = d;
                    }
                }
            }
        }
        if (best)
            return best;
    }
    return 0;
}

/* A UDP packet end no claim fits: a socket has no connection, so its owner is the claim nearest in
 * time about the same socket pair (the flow), else about the same local socket with any peer. */
static void udp_fallback(ps_corr *c, packet *p)
{
    for (int end = 0; end < 2; end++) {
        if (p->direct[end])
            continue;
        const uint32_t owned = end == 0 ? p->src : p->dst, peer = end == 0 ? p->dst : p->src;
        for (int s = 0; s < c->ranked && !p->direct[end]; s++) {
            const socket_claims *sc = lookup_pair(c->by_pair[c->by_rank[s]], owned, peer);
            if (sc && (p->direct[end] = nearest_on_pair(c, sc, p->time_ns)))
                p->match[end] = PS_MATCH_CONNECTION;
        }
        for (int s = 0; s < c->ranked && !p->direct[end]; s++) {
            guint64 key = owned;
            const GArray *mine = g_hash_table_lookup(c->udp_by_local[c->by_rank[s]], &key);
            if ((p->direct[end] = nearest_in(c, mine, p->time_ns)))
                p->match[end] = PS_MATCH_SOCKET;
        }
    }
}

void ps_corr_finalize(ps_corr *c)
{
    if (!c->dirty)
        return;
    if (c->decided) {
        g_array_free(c->decided, TRUE);
        c->decided = NULL;
    }
    for (int s = 0; s < c->ranked; s++) {
        GHashTableIter it;
        gpointer value;
        g_hash_table_iter_init(&it, c->by_pair[c->by_rank[s]]);
        while (g_hash_table_iter_next(&it, NULL, &value))
            index_socket_claims(c, value);
    }
    sort_index(c, c->snapshots_by_pair, by_record_time);
    for (int s = 0; s < c->ranked; s++)
        sort_index(c, c->udp_by_local[c->by_rank[s]], by_record_time);
    sort_index(c, c->packets_by_pair, by_packet_time);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, c->streams_by_pair);
    while (g_hash_table_iter_next(&it, NULL, &value))
        index_pair_streams(c, value);
    estimate_offsets(c);
    /* Offsets change adjusted times by a constant per source and host: the lists stay sorted. */
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
        if (conn_at(c, p->flow)->transport == PS_TRANSPORT_UDP)
            udp_fallback(c, p);
    }
    for (guint f = 0; f < c->conns->len; f++)
        find_owners(c, conn_at(c, f));
    for (int s = 0; s < c->ranked; s++) {
        GHashTableIter claims;
        g_hash_table_iter_init(&claims, c->by_pair[c->by_rank[s]]);
        while (g_hash_table_iter_next(&claims, NULL, &value))
            socket_claims_clear_derived(value);
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

/* One pass, a UDP end no claim fits: the latest claim fed so far about the flow's sockets (a user
 * process's first), else about its local socket, if within the window of the packet. A UDP flow
 * has no end, and a later record may name a process that took its port over: an older claim is
 * left to two passes (udp_fallback), and the packet gets the note that asks for them. */
static uint32_t udp_latest(const ps_corr *c, const packet *p, int end, ps_match *match)
{
    const uint32_t owned = end == 0 ? p->src : p->dst, peer = end == 0 ? p->dst : p->src;
    *match = PS_MATCH_NONE;
    for (int kernel = 0; kernel < 2; kernel++) {
        for (int s = 0; s < c->ranked; s++) {
            const socket_claims *sc = lookup_pair(c->by_pair[c->by_rank[s]], owned, peer);
            const uint32_t newest = sc ? sc->newest[kernel] : 0;
            if (newest && distance(adjusted(c, record_at(c, newest - 1), true), p->time_ns) <= c->window) {
                *match = PS_MATCH_CONNECTION;
                return newest;
            }
        }
    }
    for (int s = 0; s < c->ranked; s++) {
        guint64 key = owned;
        const GArray *mine = g_hash_table_lookup(c->udp_by_local[c->by_rank[s]], &key);
        const uint32_t newest = mine && mine->len ? item(mine, mine->len - 1) + 1 : 0;
        if (newest && distance(adjusted(c, record_at(c, newest - 1), true), p->time_ns) <= c->window) {
            *match = PS_MATCH_SOCKET;
            return newest;
        }
    }
    return 0;
}

/* The comment on the packet naming the process of its socket `owned`, of the highest-ranked source
 * that has one, as index + 1. */
static uint32_t comment_owner(const ps_corr *c, const packet *p, uint32_t owned)
{
    guint64 key = p->frame;
    const GArray *list = g_hash_table_lookup(c->comments_by_frame, &key);
    uint32_t best = 0;
    for (guint i = 0; list && i < list->len; i++) {
        const record *r = record_at(c, item(list, i));
        if (r->a == owned && (!best || c->rank[r->source] > c->rank[record_at(c, best - 1)->source]))
            best = item(list, i) + 1;
    }
    return best;
}

/* TCP: the owner of socket `owned` (talking to `peer`) at time t, when a handover of any source
 * later than record `current` (index + 1) and not after t names a user process; else `current`. Two passes
 * search the time-sorted lists; one pass takes, of each list as fed (in time order but for the
 * reorder window, and a socket's handovers come a second apart), the last not after t. */
static uint32_t handed_over(const ps_corr *c, uint32_t owned, uint32_t peer, int64_t t, uint32_t current,
                            bool provisional)
{
    uint32_t best = current;
    int64_t best_time = adjusted(c, record_at(c, current - 1), provisional);
    for (int s = 0; s < c->ranked; s++) {
        const socket_claims *sc = lookup_pair(c->by_pair[c->by_rank[s]], owned, peer);
        const GArray *list = sc ? sc->handovers : NULL;
        if (!list)
            continue;
        /* Backwards from the last candidate: the first user process's not after t is the latest. */
        for (guint i = provisional ? list->len : upper_bound(c, list, t); i-- > 0;) {
            const record *r = record_at(c, item(list, i));
            const int64_t time = adjusted(c, r, provisional);
            if (time > t || is_kernel(r))
                continue;
            if (time > best_time) {
                best = item(list, i) + 1;
                best_time = time;
            }
            break;
        }
    }
    return best;
}

/* The record (index + 1, 0: none) naming the process at one end of a packet, and how. */
static uint32_t decide(const ps_corr *c, const packet *p, const conn *k, int end, bool provisional,
                       ps_match *match)
{
    int side = (p->src == k->ep[0]) == (end == 0) ? 0 : 1;
    uint32_t chosen = p->direct[end];
    *match = (ps_match)p->match[end];
    uint32_t owner = k->owner[side];
    /* A kernel thread's context yields to the socket's user process. */
    if (chosen && is_kernel(record_at(c, chosen - 1)) && owner && !is_kernel(record_at(c, owner - 1))) {
        chosen = owner;
        *match = PS_MATCH_CONNECTION;
    }
    /* One pass, a UDP flow's owner is its latest record, not its first (udp_latest). */
    const bool udp_one_pass = provisional && k->transport == PS_TRANSPORT_UDP;
    if (!chosen && udp_one_pass)
        chosen = udp_latest(c, p, end, match);
    if (!chosen && owner && !udp_one_pass) {
        chosen = owner;
        *match = PS_MATCH_CONNECTION;
    }
    /* Another process took the socket over (a child that inherited it) before this packet. */
    if (chosen && *match == PS_MATCH_CONNECTION && k->transport == PS_TRANSPORT_TCP)
        chosen = handed_over(c, end == 0 ? p->src : p->dst, end == 0 ? p->dst : p->src, p->time_ns, chosen,
                             provisional);
    if (!chosen && !provisional) {
        chosen = snapshot_owner(c, end == 0 ? p->src : p->dst, end == 0 ? p->dst : p->src, p->time_ns);
        *match = PS_MATCH_SNAPSHOT;
    }
    if (!chosen) {
        chosen = comment_owner(c, p, end == 0 ? p->src : p->dst);
        *match = PS_MATCH_COMMENT;
    }
    return chosen;
}

bool ps_corr_packet(ps_corr *c, uint32_t frame, bool provisional, ps_attribution *out)
{
    if (!provisional)
        ps_corr_finalize(c);
    packet *p;
    if (!find_packet(c, frame, &p))
        return false;
    conn *k = conn_at(c, p->flow);
    out->stream = k->stream;
    out->transport = k->transport;
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
        ps_match match;
        uint32_t chosen = decide(c, p, k, end, provisional, &match);
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
    uint32_t flow;
    out->has_stream = out->network && r->b && flow_of(c, r, &flow);
    if (out->has_stream) {
        out->stream = conn_at(c, flow)->stream;
        out->transport = conn_at(c, flow)->transport;
    }
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

bool ps_corr_record_decided(ps_corr *c, uint32_t frame, uint32_t *count, uint32_t *first, uint32_t *last)
{
    ps_corr_finalize(c);
    gint64 at = find_frame(&c->records, record_frame_of, frame);
    if (at < 0)
        return false;
    if (!c->decided) {
        /* One walk over every packet's answer, in frame order, so first and last come in order. */
        c->decided = g_array_sized_new(FALSE, TRUE, sizeof(decided_packets), c->records.len);
        g_array_set_size(c->decided, c->records.len);
        for (guint i = 0; i < c->packets.len; i++) {
            const packet *p = packet_at(c, i);
            const conn *k = conn_at(c, p->flow);
            uint32_t named[2];
            for (int end = 0; end < 2; end++) {
                ps_match match;
                named[end] = decide(c, p, k, end, false, &match);
                if (!named[end] || (end == 1 && named[1] == named[0]))
                    continue;
                decided_packets *d = &g_array_index(c->decided, decided_packets, named[end] - 1);
                if (d->count++ == 0)
                    d->first = p->frame;
                d->last = p->frame;
            }
        }
    }
    const decided_packets *d = &g_array_index(c->decided, decided_packets, (guint)at);
    *count = d->count;
    *first = d->first;
    *last = d->last;
    return true;
}

uint32_t ps_corr_first_record_frame(const ps_corr *c, unsigned source)
{
    return source < PS_CORR_MAX_SOURCES ? c->first_frame[source] : 0;
}
