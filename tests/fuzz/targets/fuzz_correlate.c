/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The correlation engine (src/correlate/correlate.h) driven by the input as a sequence of operations: add
 * records and packets with fields the input chooses, re-feed old frames, change the settings, query.
 * Frames only grow, as the plugin feeds them; times are nanoseconds in [0, INT64_MAX] (what
 * procshark_time_ns gives), mostly near one another so that records and packets meet. A model of
 * what was fed checks every answer: owners name fed records with their own pid and source, streams are
 * the packets' own, re-fed frames change nothing. */
#include "fuzz_common.h"

#include "correlate.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t u8(input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}
static uint16_t u16(input *in) { return (uint16_t)(u8(in) | u8(in) << 8); }
static uint32_t u32(input *in) { return (uint32_t)u16(in) | (uint32_t)u16(in) << 16; }
static uint64_t u64(input *in) { return (uint64_t)u32(in) | (uint64_t)u32(in) << 32; }

/* Few distinct values, so that records and packets share endpoints, pids and names. */
static const char *const names[] = {NULL, "", "curl", "System", "svchost.exe", "kworker/0:1", "nginx", "Idle"};
static const char *const containers[] = {NULL, "", "c0ffee123456"};
static const uint32_t pids[] = {0, 4, 4242, 4243, 700, 0xffffffff, 1, 2};
static const uint16_t ports[] = {443, 80, 50000, 50001, 53, 0, 65535, 8080};

static void endpoint(input *in, ps_endpoint *e)
{
    const uint8_t b = u8(in);
    memset(e, 0, sizeof *e);
    /* 0xff: a family that is neither, which the engine must ignore. */
    e->family = b == 0xff ? 5 : (b & 0x80) ? 6 : 4;
    const uint8_t host = (b >> 4) & 3; /* host 3 is loopback */
    if (e->family == 6)
        e->addr[15] = host == 3 ? 1 : (uint8_t)(host + 2), e->addr[0] = host == 3 ? 0 : 0x20;
    else
        e->addr[0] = host == 3 ? 127 : 10, e->addr[3] = (uint8_t)(host + 1);
    e->port = ports[b & 7];
}

static uint32_t pick_pid(input *in)
{
    const uint8_t b = u8(in);
    return b >= 0xf8 ? u32(in) : pids[b & 7];
}

/* What was fed and accepted. */
typedef struct {
    uint32_t frame;
    unsigned source;
    uint32_t pid;
} fed_record;

typedef struct {
    uint32_t frame;
    uint32_t stream;
    uint8_t transport;
} fed_packet;

typedef struct {
    GArray *records; /* fed_record, in frame order */
    GArray *packets; /* fed_packet, in frame order */
    uint32_t first[PS_SOURCE_COUNT];
} model;

static const fed_record *find_record(const model *m, uint32_t frame)
{
    for (guint i = 0; i < m->records->len; i++)
        if (g_array_index(m->records, fed_record, i).frame == frame)
            return &g_array_index(m->records, fed_record, i);
    return NULL;
}

/* Whether a claim of that source and pid was fed with that frame. */
static bool has_record(const model *m, uint32_t frame, unsigned source, uint32_t pid)
{
    for (guint i = 0; i < m->records->len; i++) {
        const fed_record *r = &g_array_index(m->records, fed_record, i);
        if (r->frame == frame && r->source == source && r->pid == pid)
            return true;
    }
    return false;
}

static const fed_packet *find_packet(const model *m, uint32_t frame)
{
    for (guint i = 0; i < m->packets->len; i++)
        if (g_array_index(m->packets, fed_packet, i).frame == frame)
            return &g_array_index(m->packets, fed_packet, i);
    return NULL;
}

static void note_record(model *m, uint32_t frame, unsigned source, uint32_t pid)
{
    g_array_append_val(m->records, ((fed_record){frame, source, pid}));
    if (!m->first[source])
        m->first[source] = frame;
}

static void check_owner(const model *m, const ps_owner *o)
{
    FUZZ_CHECK(o->known == (o->match != PS_MATCH_NONE));
    if (!o->known) {
        FUZZ_CHECK(!o->disagreement);
        return;
    }
    FUZZ_CHECK(has_record(m, o->record_frame, o->source, o->pid));
    if (o->disagreement) {
        FUZZ_CHECK(has_record(m, o->other_frame, o->other_source, o->other_pid));
        FUZZ_CHECK(o->other_source != o->source && o->other_pid != o->pid);
    }
    if (o->name)
        FUZZ_CHECK(strlen(o->name) < 64);
}

static void check_packet(const model *m, ps_corr *c, uint32_t frame, bool provisional)
{
    ps_attribution a;
    const fed_packet *p = find_packet(m, frame);
    FUZZ_CHECK(ps_corr_packet(c, frame, provisional, &a) == (p != NULL));
    if (!p)
        return;
    FUZZ_CHECK(a.stream == p->stream && a.transport == p->transport);
    check_owner(m, &a.src);
    check_owner(m, &a.dst);
}

static void check_record(const model *m, ps_corr *c, uint32_t frame)
{
    ps_record_info info;
    const fed_record *r = find_record(m, frame);
    FUZZ_CHECK(ps_corr_record(c, frame, &info) == (r != NULL));
    if (!r)
        return;
    FUZZ_CHECK(info.source == r->source);
    FUZZ_CHECK(!info.matched || find_packet(m, info.packet_frame));
    if (info.has_stream) {
        bool seen = false;
        for (guint i = 0; i < m->packets->len && !seen; i++)
            seen = g_array_index(m->packets, fed_packet, i).stream == info.stream;
        FUZZ_CHECK(seen);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    ps_corr *c = ps_corr_new();
    model m = {g_array_new(FALSE, FALSE, sizeof(fed_record)), g_array_new(FALSE, FALSE, sizeof(fed_packet)), {0}};
    uint32_t frame = 0, last_record = 0, last_packet = 0;
    int64_t t = INT64_C(1700000000000000000);

    for (unsigned ops = 0; in.n && ops < 4096; ops++) {
        const uint8_t op = u8(&in);
        /* Time: a step of up to about 1.3 s either way, or (0xff) anywhere. */
        const uint8_t step = u8(&in);
        if (step == 0xff)
            t = (int64_t)(u64(&in) & (uint64_t)INT64_MAX);
        else {
            const int64_t delta = (int8_t)step * INT64_C(10000000);
            t = delta > INT64_MAX - t ? INT64_MAX : t + delta < 0 ? 0 : t + delta; /* t stays in [0, INT64_MAX] */
        }
        /* Bit 7: feed the last frame of that kind again, which the engine must ignore. */
        const bool refeed = op & 0x80;
        ps_endpoint a, b;
        switch (op & 0x0f) {
        case 0: { /* tracee */
            endpoint(&in, &a);
            endpoint(&in, &b);
            const uint8_t bits = u8(&in);
            const uint32_t pid = pick_pid(&in);
            const uint32_t seq = u32(&in), ack = u32(&in);
            const uint32_t f = refeed && last_record ? last_record : ++frame;
            ps_claim claim;
            ps_claim_init(&claim, PS_SOURCE_TRACEE);
            claim.kind = bits & 2 ? PS_CLAIM_PACKET : bits & 0x40 ? PS_CLAIM_HANDOVER : PS_CLAIM_SOCKET;
            claim.outgoing = bits & 1;
            claim.owned = claim.outgoing ? a : b;
            claim.peer = claim.outgoing ? b : a;
            claim.seq = seq;
            claim.ack = ack;
            claim.tcp_flags = (uint16_t)(bits >> 2);
            claim.has_pid = true;
            claim.pid = pid;
            claim.name = names[u8(&in) & 7];
            claim.container = containers[u8(&in) % 3];
            claim.kernel_thread = ps_corr_is_kernel_thread(pid, claim.name);
            ps_corr_add_claim(c, f, t, &claim);
            /* a frame fed again may add a claim of another socket or source */
            last_record = f, note_record(&m, f, PS_SOURCE_TRACEE, pid);
            break;
        }
        case 1: { /* ETW network event */
            endpoint(&in, &a);
            endpoint(&in, &b);
            /* send, recv, connect, accept, retransmit, another event */
            static const ps_claim_kind kinds[] = {PS_CLAIM_DATA, PS_CLAIM_DATA, PS_CLAIM_OPEN,
                                                  PS_CLAIM_OPEN, PS_CLAIM_DATA, PS_CLAIM_SOCKET};
            const unsigned event = u8(&in) % G_N_ELEMENTS(kinds);
            const uint32_t pid = pick_pid(&in), bytes = u16(&in);
            const uint32_t f = refeed && last_record ? last_record : ++frame;
            ps_claim claim;
            ps_claim_init(&claim, PS_SOURCE_ETW);
            claim.kind = kinds[event];
            claim.outgoing = event == 0 || event == 2 || event == 4;
            claim.retransmit = event == 4;
            claim.owned = a;
            claim.peer = b;
            claim.has_pid = true;
            claim.pid = pid;
            claim.size = bytes;
            claim.transport = bytes & 0x8000 ? PS_TRANSPORT_UDP : PS_TRANSPORT_TCP;
            ps_corr_add_claim(c, f, t, &claim);
            /* a frame fed again may add a claim of another socket or source */
            last_record = f, note_record(&m, f, PS_SOURCE_ETW, pid);
            break;
        }
        case 2: { /* a process event: names pids, is no record */
            const ps_process_change change = (ps_process_change)(u8(&in) & 3);
            const uint32_t pid = pick_pid(&in);
            ps_corr_add_process(c, ++frame, t, change, pid, names[u8(&in) & 7]);
            break;
        }
        case 3: { /* Get-NetTCPConnection row */
            endpoint(&in, &a);
            endpoint(&in, &b);
            const uint32_t pid = pick_pid(&in);
            const uint8_t has = u8(&in);
            const int64_t age = (int64_t)u16(&in) * INT64_C(1000000); /* created before the snapshot, or (bit 7) after */
            const int64_t creation = !(has & 0x80) ? t - age : age > INT64_MAX - t ? INT64_MAX : t + age;
            const uint32_t f = refeed && last_record ? last_record : ++frame;
            ps_claim claim;
            ps_claim_init(&claim, PS_SOURCE_NETTCP);
            claim.kind = PS_CLAIM_SNAPSHOT;
            claim.transport = has & 2 ? PS_TRANSPORT_UDP : PS_TRANSPORT_TCP;
            claim.owned = a;
            if (!(has & 4)) /* a UDP endpoint talks to any peer */
                claim.peer = b;
            claim.has_pid = true;
            claim.pid = pid;
            claim.has_creation = has & 1;
            claim.creation_ns = creation;
            ps_corr_add_claim(c, f, t, &claim);
            /* a frame fed again may add a claim of another socket or source */
            last_record = f, note_record(&m, f, PS_SOURCE_NETTCP, pid);
            break;
        }
        case 4:
        case 5:
        case 6: { /* TCP packet: the commonest; or a UDP datagram */
            endpoint(&in, &a);
            endpoint(&in, &b);
            const uint32_t stream = u8(&in) & 15;
            const uint32_t seq = u32(&in), ack = u32(&in);
            const uint16_t flags = u8(&in);
            const uint32_t len = u16(&in);
            const uint32_t f = refeed && last_packet ? last_packet : ++frame;
            const uint8_t transport = (op & 0x0f) == 6 ? PS_TRANSPORT_UDP : PS_TRANSPORT_TCP;
            if (transport == PS_TRANSPORT_UDP)
                ps_corr_add_datagram(c, f, t, stream, &a, &b, (uint16_t)seq, (uint16_t)ack, len);
            else
                ps_corr_add_packet(c, f, t, stream, &a, &b, seq, ack, flags, len);
            /* A packet whose endpoints are no IPv4 or IPv6 is dropped, its frame still used up. */
            if (f > last_packet) {
                last_packet = f;
                if (a.family != 5 && b.family != 5)
                    g_array_append_val(m.packets, ((fed_packet){f, stream, transport}));
            }
            break;
        }
        case 7: /* one pass: the plugin asks about a packet as soon as it is fed */
        case 8:
            check_packet(&m, c, u8(&in) < 0xc0 && last_packet ? last_packet : frame - (u8(&in) & 7), op & 1);
            break;
        case 9:
            check_record(&m, c, last_record ? last_record - (u8(&in) & 3) : 0);
            break;
        case 10:
            ps_corr_finalize(c);
            break;
        case 11: /* the preferences: window up to the largest a uint in ms gives */
            ps_corr_set_window(c, (int64_t)u32(&in) * 1000000);
            break;
        case 12: /* a manual offset within a year either way */
            ps_corr_set_manual_offset(c, ((int64_t)u32(&in) - INT64_C(0x80000000)) * INT64_C(15000000));
            break;
        case 13:
            ps_corr_set_estimate_offsets(c, u8(&in) & 1);
            break;
        default: { /* the plugin's kernel-thread test on any pid and name */
            const uint32_t pid = pick_pid(&in);
            (void)ps_corr_is_kernel_thread(pid, names[u8(&in) & 7]);
            break;
        }
        }
    }

    /* Two passes: every frame answered from everything. */
    for (uint32_t f = 1; f <= frame + 1; f++) {
        check_packet(&m, c, f, false);
        check_record(&m, c, f);
    }
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        FUZZ_CHECK(ps_corr_first_record_frame(c, (unsigned)s) == m.first[s]);
    g_array_free(m.records, TRUE);
    g_array_free(m.packets, TRUE);
    ps_corr_free(c);
    return 0;
}
