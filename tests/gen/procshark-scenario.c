/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-scenario OUT.pcapng TRUTH.tsv
 *
 * Writes a scenario capture for process attribution and its ground truth: TCP packets (raw IPv4 and
 * IPv6, one interface per capture point) interleaved in time with the records that describe their
 * sockets: ETW Microsoft-Windows-Kernel-Network and Process events of three Windows hosts, tracee
 * net_packet_tcp events of a Linux host and Get-NetTCPConnection rows; and the packets of a Linux
 * host that ptcpdump captured, its process comments on each. Every block is written in timestamp
 * order; a record's block time is its own host's clock.
 *
 * The truth is the scenario's construction: which process owns which socket. TRUTH.tsv has one
 * line per TCP packet frame (frame numbers as tshark counts them), "frame src_pid src_name dst_pid
 * dst_name"; an end is "-" when no record of the connection speaks for its socket (then the
 * attribution rules of docs/ATTRIBUTION.md cannot know its owner). Names: tracee's processName;
 * ptcpdump's base name of Cmd; for ETW and
 * Get-NetTCPConnection pids the image of the pid's Process events at the packet's time.
 *
 * Hosts and clocks (record clock minus capture clock):
 *   A 10.1.0.10 / 2001:db8:1::10  Windows, ETW            0
 *   B 10.3.0.30                   Windows, ETW            0
 *   C 10.2.0.20 / 2001:db8:2::20  Linux, tracee           -1.5 s (tracee's boot clock: every tracee
 *                                 record of the capture runs 1.5 s behind; the estimate corrects it)
 *   E 10.4.0.40                   Windows, ETW            +1.5 s (a minority of the ETW records)
 *   F 10.5.0.50                   Linux, ptcpdump         none: its comments are on the packets
 * Process ids are unique across the Windows hosts (the Process events carry no host), except the
 * reuse of pid 4000 on host A, which is the point of scenario 6.
 *
 * The generator checks its own design: every socket said to be known has a record inside its
 * connection's first to last packet plus the 1 s window (with the offsets the estimate of
 * docs/ATTRIBUTION.md arrives at), no record falls into another connection of the same endpoints, and each pid's name
 * is the same a quarter second either side of each packet's time.
 *
 * ETW payloads are laid out here from docs/FORMATS.md section 3 by hand; the record header is written
 * with etw_record_build(), the exported-PDU framing with upper_pdu_frame(). Deterministic: no
 * randomness, no clock. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wiretap/wtap.h>

#include "etw_record.h"
#include "pcapng_writer.h"
#include "ps_bytes.h"
#include "source.h"
#include "upper_pdu.h"

#define BASE_NS INT64_C(1709294400000000000) /* 2024-03-01T12:00:00Z */
#define US INT64_C(1000)
#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
#define WINDOW SEC         /* proc.window_ms default */
#define CHECK_MARGIN (300 * MS)

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };

static void fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "procshark-scenario: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static int64_t at_ms(int64_t ms) { return BASE_NS + ms * MS; }

/* --- interfaces, hosts ------------------------------------------------------------------------ */

enum {
    IF_NET_A,    /* packets captured on host A (incl. A <-> B and IPv6) */
    IF_NET_C,    /* packets captured on host C */
    IF_LO_C,     /* host C loopback */
    IF_NET_E,    /* packets captured on host E */
    IF_NET_F,    /* packets ptcpdump captured on host F, its process comments on each */
    IF_ETW_A,
    IF_ETW_B,
    IF_ETW_E,
    IF_TRACEE_C,
    IF_NETTCP_A,
    IF_COUNT
};

static const pcapng_interface interfaces[IF_COUNT] = {
    [IF_NET_A] = {WTAP_ENCAP_RAW_IP, "eth-a", "packets on host A 10.1.0.10"},
    [IF_NET_C] = {WTAP_ENCAP_RAW_IP, "eth-c", "packets on host C 10.2.0.20"},
    [IF_LO_C] = {WTAP_ENCAP_RAW_IP, "lo-c", "loopback of host C"},
    [IF_NET_E] = {WTAP_ENCAP_RAW_IP, "eth-e", "packets on host E 10.4.0.40"},
    [IF_NET_F] = {WTAP_ENCAP_RAW_IP, "eth-f", "packets ptcpdump captured on host F 10.5.0.50"},
    [IF_ETW_A] = {WTAP_ENCAP_ETW, "etw-a", "ETW events of host A (clock offset 0)"},
    [IF_ETW_B] = {WTAP_ENCAP_ETW, "etw-b", "ETW events of host B 10.3.0.30 (clock offset 0)"},
    [IF_ETW_E] = {WTAP_ENCAP_ETW, "etw-e", "ETW events of host E (clock 1.5 s ahead)"},
    [IF_TRACEE_C] = {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "tracee-c",
                     "tracee events of host C (procshark.tracee, clock 1.5 s behind)"},
    [IF_NETTCP_A] = {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "nettcp-a",
                     "Get-NetTCPConnection rows of host A (procshark.nettcpconnection)"},
};

enum { H_A, H_B, H_C, H_E, H_COUNT };

typedef struct {
    const char *hostname;
    int64_t clock_offset; /* record clock minus capture clock */
    unsigned record_if;
} host;

static const host hosts[H_COUNT] = {
    [H_A] = {"WIN-A", 0, IF_ETW_A},
    [H_B] = {"WIN-B", 0, IF_ETW_B},
    [H_C] = {"linux-c", -1500 * MS, IF_TRACEE_C},
    [H_E] = {"WIN-E", 1500 * MS, IF_ETW_E},
};

/* The offset rule 6 (docs/ATTRIBUTION.md) estimates per source: the median over its exact matches. All tracee
 * records come from host C; most ETW exact matches come from hosts A and B (clock 0). */
static int64_t estimated_offset(bool tracee) { return tracee ? -hosts[H_C].clock_offset : 0; }

/* --- blocks and truth ------------------------------------------------------------------------- */

typedef struct {
    int64_t ts;
    unsigned order;
    unsigned iface;
    GByteArray *data;
    int truth; /* index into scenario_ctx.truth, -1 for records */
    pcapng_packet_meta meta; /* a ptcpdump packet's direction and comment (g_malloc'd) */
} block;

/* Everything the scenarios build before main() sorts and writes it. */
typedef struct {
    GArray *blocks;       /* block */
    GPtrArray *truth;     /* "src_pid\tsrc_name\tdst_pid\tdst_name" */
    GPtrArray *conns;     /* conn */
    unsigned jitter_next; /* index into jitter_ms of the next ETW event */
    uint8_t guid_kernel_network[16], guid_process[16];
} scenario_ctx;

static void add_block(scenario_ctx *ctx, unsigned iface, int64_t ts, GByteArray *data, int truth)
{
    block b = {ts, ctx->blocks->len, iface, data, truth, {0}};
    g_array_append_val(ctx->blocks, b);
}

static gint block_order(gconstpointer x, gconstpointer y)
{
    const block *a = x, *b = y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* --- byte helpers ----------------------------------------------------------------------------- */

static void put8(GByteArray *b, uint8_t v) { g_byte_array_append(b, &v, 1); }
static void put16(GByteArray *b, uint16_t v) { uint8_t x[2]; ps_put_le16(x, v); g_byte_array_append(b, x, 2); }
static void put16be(GByteArray *b, uint16_t v) { uint8_t x[2]; ps_put_be16(x, v); g_byte_array_append(b, x, 2); }
static void put32be(GByteArray *b, uint32_t v)
{
    const uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    g_byte_array_append(b, x, 4);
}
static void put32(GByteArray *b, uint32_t v) { uint8_t x[4]; ps_put_le32(x, v); g_byte_array_append(b, x, 4); }
static void put64(GByteArray *b, uint64_t v) { uint8_t x[8]; ps_put_le64(x, v); g_byte_array_append(b, x, 8); }
static void put_ansi(GByteArray *b, const char *s) { g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s) + 1); }
static void put_utf16(GByteArray *b, const char *s)
{
    for (; *s; s++)
        put16(b, (uint8_t)*s);
    put16(b, 0);
}

/* A GUID as the record stores it: Data1..Data3 little-endian, Data4 as bytes. */
static void parse_guid(const char *text, uint8_t out[16])
{
    unsigned d1, d2, d3, d4[8];
    if (sscanf(text, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d1, &d2, &d3, &d4[0], &d4[1], &d4[2], &d4[3],
               &d4[4], &d4[5], &d4[6], &d4[7]) != 11)
        fail("bad GUID %s", text);
    ps_put_le32(out, d1);
    ps_put_le16(out + 4, (uint16_t)d2);
    ps_put_le16(out + 6, (uint16_t)d3);
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)d4[i];
}

/* --- endpoints -------------------------------------------------------------------------------- */

typedef struct {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
    char text[48]; /* the address as text */
} endpoint;

static endpoint ep(const char *addr, uint16_t port)
{
    endpoint e = {0};
    e.family = strchr(addr, ':') ? 6 : 4;
    if (inet_pton(e.family == 6 ? AF_INET6 : AF_INET, addr, e.addr) != 1)
        fail("bad address %s", addr);
    e.port = port;
    g_strlcpy(e.text, addr, sizeof e.text);
    return e;
}

static size_t addr_len(const endpoint *e) { return e->family == 6 ? 16 : 4; }

static bool same_socket(const endpoint *a, const endpoint *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, addr_len(a)) == 0;
}

/* --- processes (ETW Process events) ----------------------------------------------------------- */

#define RUNNING_AT_START INT64_MIN /* DCStart in the rundown */
#define STILL_RUNNING INT64_MAX

typedef struct {
    int host;
    uint32_t pid, ppid, session;
    const char *image, *cmdline;
    int64_t start, end; /* capture clock; RUNNING_AT_START, STILL_RUNNING */
} process;

#define RUNDOWN_MS 20 /* when the trace's rundown lists the running processes */

static const process processes[] = {
    {H_A, 812, 640, 0, "svchost.exe", "C:\\Windows\\system32\\svchost.exe -k termsvcs -s TermService",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 2210, 3308, 1, "chrome.exe", "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=utility",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 2640, 3308, 1, "msedge.exe", "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\"",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 2900, 640, 0, "sqlservr.exe",
     "\"C:\\Program Files\\Microsoft SQL Server\\MSSQL16\\sqlservr.exe\" -sMSSQLSERVER",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 3100, 640, 0, "agent.exe", "C:\\Program Files\\Agent\\agent.exe --service", RUNNING_AT_START, STILL_RUNNING},
    {H_A, 5300, 3308, 1, "Dropbox.exe", "\"C:\\Program Files (x86)\\Dropbox\\Client\\Dropbox.exe\" /systemstartup",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 6120, 3308, 1, "OneDrive.exe",
     "\"C:\\Users\\ana\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 7344, 3308, 1, "OUTLOOK.EXE", "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\"",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 5124, 3308, 1, "curl.exe", "curl.exe -sS https://93.184.216.34/", 800 * MS, 6500 * MS},
    {H_A, 3200, 640, 0, "sync.exe", "C:\\Program Files\\Sync\\sync.exe --once", 15000 * MS, STILL_RUNNING},
    {H_A, 4000, 640, 0, "updater.exe", "C:\\Program Files\\Updater\\updater.exe /check", 26000 * MS, 31000 * MS},
    {H_A, 4000, 640, 0, "backup.exe", "C:\\Program Files\\Backup\\backup.exe /run nightly", 32000 * MS, 38000 * MS},
    {H_B, 9410, 8812, 1, "sqlcmd.exe", "sqlcmd.exe -S 10.1.0.10 -Q \"SELECT 1\"", 46000 * MS, STILL_RUNNING},
    {H_E, 8200, 692, 0, "msiexec.exe", "C:\\Windows\\system32\\msiexec.exe /V", RUNNING_AT_START, STILL_RUNNING},
    {H_E, 8300, 5012, 1, "powershell.exe", "powershell.exe -NoProfile -Command Invoke-WebRequest", 53000 * MS,
     STILL_RUNNING},
};

/* The image of pid on host at time t: on the capture clock (truth), or on the host's record clock. */
static const char *process_name(int host, uint32_t pid, int64_t t, bool record_clock)
{
    const char *found = NULL;
    int64_t shift = record_clock ? hosts[host].clock_offset : 0;
    for (size_t i = 0; i < G_N_ELEMENTS(processes); i++) {
        const process *p = &processes[i];
        if (p->host != host || p->pid != pid)
            continue;
        int64_t start = p->start == RUNNING_AT_START ? INT64_MIN : BASE_NS + p->start + shift;
        int64_t end = p->end == STILL_RUNNING ? INT64_MAX : BASE_NS + p->end + shift;
        if (start <= t && t <= end) {
            if (found)
                fail("pid %u has two names at one time", pid);
            found = p->image;
        }
    }
    return found;
}

/* --- ETW records ------------------------------------------------------------------------------ */

/* One ETW record at time t of the capture clock, stamped with the host's clock (whole
 * microseconds, so the FILETIME and the block time agree exactly). */
static void emit_etw(scenario_ctx *ctx, int h, int64_t t, const uint8_t guid[16], uint16_t id, uint8_t opcode,
                     uint8_t version, uint16_t flags, uint32_t thread_id, uint32_t header_pid,
                     const GByteArray *payload)
{
    int64_t ts = t + hosts[h].clock_offset;
    ts -= ts % US;
    etw_record_fields f = {0};
    f.flags = flags;
    f.thread_id = thread_id;
    f.process_id = header_pid;
    f.timestamp = etw_unix_us_to_filetime((uint64_t)(ts / US));
    memcpy(f.provider_id, guid, 16);
    f.id = id;
    f.version = version;
    f.opcode = opcode;
    f.level = 4;
    size_t total = etw_record_size(payload->len, 0, 0);
    GByteArray *rec = g_byte_array_sized_new((guint)total);
    g_byte_array_set_size(rec, (guint)total);
    etw_record_build(rec->data, &f, payload->data, payload->len, NULL, 0, NULL, 0);
    add_block(ctx, hosts[h].record_if, ts, rec, -1);
}

/* Process event, version 4, 64-bit: UniqueProcessKey, ProcessId, ParentId, SessionId, ExitStatus,
 * DirectoryTableBase, Flags, an empty UserSID (4 zero bytes), ImageFileName (ANSI), CommandLine,
 * PackageFullName, ApplicationId (UTF-16LE). */
static void emit_process_event(scenario_ctx *ctx, const process *p, uint8_t opcode, int64_t t)
{
    GByteArray *b = g_byte_array_new();
    put64(b, UINT64_C(0xffffb80000000000) + (uint64_t)p->pid * 0x1000 + (uint64_t)(p->start > 0 ? p->start / MS : 0));
    put32(b, p->pid);
    put32(b, p->ppid);
    put32(b, p->session);
    put32(b, opcode == 2 ? 0 : 259); /* End: exit status 0; STATUS_PENDING while running */
    put64(b, UINT64_C(0x1a2000) + (uint64_t)p->pid * 0x10000);
    put32(b, 0);  /* Flags */
    put32(b, 0);  /* UserSID: none */
    put_ansi(b, p->image);
    put_utf16(b, p->cmdline);
    put_utf16(b, "");
    put_utf16(b, "");
    emit_etw(ctx, p->host, t, ctx->guid_process, 0, opcode, 4, ETW_FLAG_CLASSIC_HEADER | ETW_FLAG_64_BIT_HEADER, 0,
             p->pid, b);
    g_byte_array_free(b, TRUE);
}

static void emit_processes(scenario_ctx *ctx)
{
    for (size_t i = 0; i < G_N_ELEMENTS(processes); i++) {
        const process *p = &processes[i];
        if (p->start == RUNNING_AT_START)
            emit_process_event(ctx, p, 3, at_ms(RUNDOWN_MS) + (int64_t)i * 10 * US);
        else
            emit_process_event(ctx, p, 1, BASE_NS + p->start);
        if (p->end != STILL_RUNNING)
            emit_process_event(ctx, p, 2, BASE_NS + p->end);
    }
}

typedef enum { EV_SEND, EV_RECV, EV_CONNECT, EV_DISCONNECT, EV_RETRANSMIT, EV_ACCEPT } etw_kind;

/* Kernel-Network event ids, IPv4 (IPv6 adds 16): 10 send, 11 recv, 12 connect, 13 disconnect,
 * 14 retransmit, 15 accept. */
static uint16_t kn_id(etw_kind k, int family) { return (uint16_t)(10 + k + (family == 6 ? 16 : 0)); }

/* A Kernel-Network TCP event: saddr/sport the local socket, daddr/dport the remote one, ports
 * big-endian, addresses as on the wire, seqnum and an 8-byte connid zero. */
static void emit_etw_net(scenario_ctx *ctx, int h, int64_t t, etw_kind k, const endpoint *local,
                         const endpoint *remote, uint32_t pid, uint32_t size)
{
    GByteArray *b = g_byte_array_new();
    put32(b, pid);
    put32(b, size);
    g_byte_array_append(b, remote->addr, (guint)addr_len(remote));
    g_byte_array_append(b, local->addr, (guint)addr_len(local));
    put16be(b, remote->port);
    put16be(b, local->port);
    if (k == EV_SEND) {
        /* startime, endtime: 100 ms ticks since the host booted (two days before the capture) */
        uint32_t ticks = (uint32_t)((t - (BASE_NS - 2 * 86400 * SEC)) / (100 * MS));
        put32(b, ticks);
        put32(b, ticks + 1);
    } else if (k == EV_CONNECT || k == EV_ACCEPT) {
        put16(b, 1460); /* mss */
        put16(b, 1);    /* sackopt */
        put16(b, 0);    /* tsopt */
        put16(b, 1);    /* wsopt */
        put32(b, 65535);
        put16(b, 8); /* rcvwinscale */
        put16(b, 8); /* sndwinscale */
    }
    put32(b, 0); /* seqnum */
    put64(b, 0); /* connid */
    uint32_t header_pid = (k == EV_RECV || k == EV_ACCEPT) ? 4 : pid; /* unreliable, as in real traces */
    emit_etw(ctx, h, t, ctx->guid_kernel_network, kn_id(k, local->family), 0, 0, ETW_FLAG_64_BIT_HEADER,
             4000 + pid % 977, header_pid, b);
    g_byte_array_free(b, TRUE);
}

/* --- JSON records ----------------------------------------------------------------------------- */

static void json_str(GString *s, const char *v)
{
    g_string_append_c(s, '"');
    for (; *v; v++) {
        unsigned char ch = (unsigned char)*v;
        if (ch == '"' || ch == '\\')
            g_string_append_printf(s, "\\%c", ch);
        else if (ch < 0x20)
            g_string_append_printf(s, "\\u%04x", ch);
        else
            g_string_append_c(s, (char)ch);
    }
    g_string_append_c(s, '"');
}

static void emit_json(scenario_ctx *ctx, unsigned iface, const char *dissector, int64_t ts, const GString *json)
{
    add_block(ctx, iface, ts, upper_pdu_frame(dissector, (const uint8_t *)json->str, json->len), -1);
}

/* The process context of a tracee event. */
typedef struct {
    uint32_t pid, tid, ppid;                /* in the process's pid namespace */
    uint32_t host_pid, host_tid, host_ppid; /* on the host */
    uint32_t uid;
    const char *comm, *exe;
    const char *container_id, *container_name, *container_image; /* NULL: none */
    uint32_t mnt_ns, pid_ns;
    uint64_t cgroup;
    int64_t thread_start_ms; /* capture clock, from BASE */
} tracee_proc;

static const tracee_proc kernel_swapper1 = {0, 0, 0, 0, 0, 0, 0, "swapper/1", "", NULL, NULL, NULL,
                                            4026531840u, 4026531836u, 0, -86400000};

/* --- TCP connections -------------------------------------------------------------------------- */

typedef enum { OWN_NONE, OWN_ETW, OWN_TRACEE, OWN_NETTCP, OWN_PTCPDUMP } owner_kind;

typedef struct {
    owner_kind kind;
    int host;
    uint32_t pid;           /* ETW / Get-NetTCPConnection pid */
    tracee_proc tp;         /* tracee; ptcpdump: pid, ppid, uid, comm and exe */
    const tracee_proc *kernel_ingress; /* tracee: ingress events carry this kernel thread's context */
    unsigned max_events;    /* ETW: only the first n events (0: all) */
    unsigned every;         /* tracee: only packets whose index is a multiple (0: all) */
    bool disconnect;        /* ETW: a disconnect event with the socket's FIN */
    int64_t snapshot_ms;    /* Get-NetTCPConnection: when the snapshot was taken */
} owner;

typedef struct {
    int64_t t;
    int dir; /* 0: client -> server, 1: server -> client */
    uint16_t flags;
    uint32_t seq, ack;
    uint16_t len, window;
    bool lost;       /* dropped after the capture point: its receiver never sees it */
    bool retransmit; /* a copy of an earlier segment */
} segment;

typedef struct {
    const char *label;
    endpoint end[2]; /* 0 client, 1 server */
    owner own[2];
    unsigned iface;
    int64_t t, rtt;
    int64_t jitter_scale_pct; /* ETW event time error, percent of the jitter table */
    uint32_t nxt[2];
    uint16_t win[2];
    uint8_t ttl[2];
    uint16_t ip_id[2];
    GArray *segs;
    /* filled by conn_emit */
    GArray *record_times[2]; /* record times adjusted as rule 6 does, per end */
} conn;

static conn *conn_new(scenario_ctx *ctx, const char *label, unsigned iface, endpoint client, endpoint server,
                      int64_t start_ms, int64_t rtt_us)
{
    conn *c = g_new0(conn, 1);
    c->label = label;
    c->iface = iface;
    c->end[0] = client;
    c->end[1] = server;
    c->t = at_ms(start_ms);
    c->rtt = rtt_us * US;
    c->jitter_scale_pct = 100;
    uint32_t h = (uint32_t)client.port * 2654435761u ^ (uint32_t)server.port * 40503u ^ (uint32_t)start_ms;
    c->nxt[0] = h;
    c->nxt[1] = h * 747796405u + 2891336453u;
    c->win[0] = 64240;
    c->win[1] = 65160;
    c->ttl[0] = 64;
    c->ttl[1] = 64;
    c->ip_id[0] = (uint16_t)(h >> 7);
    c->ip_id[1] = (uint16_t)(h >> 19);
    c->segs = g_array_new(FALSE, TRUE, sizeof(segment));
    for (int e = 0; e < 2; e++)
        c->record_times[e] = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_ptr_array_add(ctx->conns, c);
    return c;
}

static owner etw_owner(int host, uint32_t pid)
{
    owner o = {0};
    o.kind = OWN_ETW;
    o.host = host;
    o.pid = pid;
    return o;
}

static owner tracee_owner(tracee_proc tp)
{
    owner o = {0};
    o.kind = OWN_TRACEE;
    o.host = H_C;
    o.pid = tp.host_pid;
    o.tp = tp;
    return o;
}

/* A host process of host C (its own pid namespace is the host's). */
static tracee_proc host_proc(uint32_t pid, uint32_t ppid, uint32_t uid, const char *comm, const char *exe)
{
    tracee_proc p = {pid, pid, ppid, pid, pid, ppid, uid, comm, exe, NULL, NULL, NULL, 4026531840u, 4026531836u,
                     5650, 0};
    return p;
}

/* A segment dt after the previous one. */
static size_t seg_add(conn *c, int dir, uint16_t flags, uint16_t len, int64_t dt)
{
    c->t += dt;
    segment s = {0};
    s.t = c->t;
    s.dir = dir;
    s.flags = flags;
    s.seq = c->nxt[dir];
    s.ack = (flags & TH_ACK) ? c->nxt[1 - dir] : 0;
    s.len = len;
    s.window = c->win[dir];
    c->nxt[dir] += len + ((flags & TH_SYN) ? 1 : 0) + ((flags & TH_FIN) ? 1 : 0);
    g_array_append_val(c->segs, s);
    return c->segs->len - 1;
}

static void handshake(conn *c)
{
    seg_add(c, 0, TH_SYN, 0, 0);
    seg_add(c, 1, TH_SYN | TH_ACK, 0, c->rtt / 2);
    seg_add(c, 0, TH_ACK, 0, c->rtt / 2);
}

static size_t data(conn *c, int dir, uint16_t len, int64_t dt) { return seg_add(c, dir, TH_PSH | TH_ACK, len, dt); }
static void ack(conn *c, int dir, int64_t dt) { seg_add(c, dir, TH_ACK, 0, dt); }

/* Request, response, the client's ACK. */
static void exchange(conn *c, uint16_t request, uint16_t response, int64_t think)
{
    data(c, 0, request, think);
    data(c, 1, response, c->rtt / 2 + 2 * MS);
    ack(c, 0, c->rtt / 2);
}

/* Segment i again, dt after the previous segment; the first copy was lost. */
static void retransmit(conn *c, size_t i, int64_t dt)
{
    segment *orig = &g_array_index(c->segs, segment, i);
    orig->lost = true;
    segment s = *orig;
    s.lost = false;
    s.retransmit = true;
    c->t += dt;
    s.t = c->t;
    g_array_append_val(c->segs, s);
}

/* FIN from `dir`, FIN from the peer, the last ACK. */
static void close_conn(conn *c, int dir, int64_t dt)
{
    seg_add(c, dir, TH_FIN | TH_ACK, 0, dt);
    seg_add(c, 1 - dir, TH_FIN | TH_ACK, 0, c->rtt / 2 + 1 * MS);
    seg_add(c, dir, TH_ACK, 0, c->rtt / 2);
}

/* --- packets ---------------------------------------------------------------------------------- */

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)(p[len - 1] << 8);
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void payload_bytes(uint8_t *out, uint16_t len, uint32_t seq)
{
    static const char text[] = "procshark scenario payload, deterministic filler text. ";
    for (uint16_t i = 0; i < len; i++)
        out[i] = (uint8_t)text[(seq + i) % (sizeof text - 1)];
}

/* The TCP header (20 bytes, 24 with the MSS option on a SYN) and payload; the checksum over the
 * pseudo-header. Returns the TCP checksum for tracee's proto_tcp. */
static uint16_t tcp_segment(GByteArray *b, const conn *c, const segment *s)
{
    const endpoint *src = &c->end[s->dir], *dst = &c->end[1 - s->dir];
    bool mss = (s->flags & TH_SYN) != 0;
    size_t hlen = mss ? 24 : 20;
    size_t start = b->len;
    put16be(b, src->port);
    put16be(b, dst->port);
    put32be(b, s->seq);
    put32be(b, s->ack);
    put8(b, (uint8_t)((hlen / 4) << 4));
    put8(b, (uint8_t)s->flags);
    put16be(b, s->window);
    put16be(b, 0); /* checksum, below */
    put16be(b, 0); /* urgent */
    if (mss) {
        put8(b, 2);
        put8(b, 4);
        put16be(b, src->family == 6 ? 1440 : 1460);
    }
    size_t at = b->len;
    g_byte_array_set_size(b, (guint)(at + s->len));
    payload_bytes(b->data + at, s->len, s->seq);
    size_t tcp_len = b->len - start;
    uint32_t sum = sum16(0, src->addr, addr_len(src));
    sum = sum16(sum, dst->addr, addr_len(dst));
    sum += 6 + (uint32_t)tcp_len;
    sum = sum16(sum, b->data + start, tcp_len);
    uint16_t check = fold(sum);
    ps_put_be16(b->data + start + 16, check);
    return check;
}

static GByteArray *ip_packet(conn *c, const segment *s, uint16_t *tcp_check)
{
    const endpoint *src = &c->end[s->dir], *dst = &c->end[1 - s->dir];
    GByteArray *tcp = g_byte_array_new();
    *tcp_check = tcp_segment(tcp, c, s);
    GByteArray *b = g_byte_array_new();
    if (src->family == 4) {
        put8(b, 0x45);
        put8(b, 0);
        put16be(b, (uint16_t)(20 + tcp->len));
        put16be(b, c->ip_id[s->dir]++);
        put16be(b, 0x4000); /* DF */
        put8(b, c->ttl[s->dir]);
        put8(b, 6);
        put16be(b, 0);
        g_byte_array_append(b, src->addr, 4);
        g_byte_array_append(b, dst->addr, 4);
        ps_put_be16(b->data + 10, fold(sum16(0, b->data, 20)));
    } else {
        put32be(b, 0x60000000u | ((uint32_t)(src->port ^ dst->port) & 0xfffff)); /* flow label */
        put16be(b, (uint16_t)tcp->len);
        put8(b, 6);
        put8(b, c->ttl[s->dir]);
        g_byte_array_append(b, src->addr, 16);
        g_byte_array_append(b, dst->addr, 16);
    }
    g_byte_array_append(b, tcp->data, tcp->len);
    g_byte_array_free(tcp, TRUE);
    return b;
}

/* --- records of one connection ---------------------------------------------------------------- */

/* ETW event time minus packet time (ms): within +-0.2 s, before and after. */
static const int jitter_ms[] = {-150, 90, -60, 170, -110, 40, 130, -20, -180, 60, 110, -90, 20, -140, 190};

static void note_record(conn *c, int e, int64_t ts, bool tracee)
{
    int64_t adjusted = ts + estimated_offset(tracee);
    g_array_append_val(c->record_times[e], adjusted);
}

static void emit_tracee_event(scenario_ctx *ctx, conn *c, int e, const segment *s, uint16_t check, const tracee_proc *p,
                              bool egress)
{
    const endpoint *src = &c->end[s->dir], *dst = &c->end[1 - s->dir];
    int64_t ts = s->t + (egress ? -15 * US : 25 * US) + hosts[H_C].clock_offset;
    GString *j = g_string_new("{");
    uint32_t entity = p->host_tid * 2654435761u ^ 0x5bd1e995u, parent_entity = p->host_ppid * 2654435761u;
    g_string_append_printf(j,
                           "\"timestamp\":%" PRId64 ",\"threadStartTime\":%" PRId64 ",\"processorId\":%u,"
                           "\"processId\":%u,\"cgroupId\":%" PRIu64 ",\"threadId\":%u,\"parentProcessId\":%u,"
                           "\"hostProcessId\":%u,\"hostThreadId\":%u,\"hostParentProcessId\":%u,\"userId\":%u,"
                           "\"mountNamespace\":%u,\"pidNamespace\":%u,\"processName\":",
                           ts, BASE_NS + p->thread_start_ms * MS + hosts[H_C].clock_offset, p->host_tid % 4, p->pid,
                           p->cgroup, p->tid, p->ppid, p->host_pid, p->host_tid, p->host_ppid, p->uid, p->mnt_ns,
                           p->pid_ns);
    json_str(j, p->comm);
    g_string_append(j, ",\"executable\":{\"path\":");
    json_str(j, p->exe);
    g_string_append(j, "},\"hostName\":");
    json_str(j, p->container_id ? p->container_id : hosts[H_C].hostname);
    g_string_append(j, ",\"containerId\":");
    json_str(j, p->container_id ? p->container_id : "");
    if (p->container_id) {
        g_string_append(j, ",\"container\":{\"id\":");
        json_str(j, p->container_id);
        g_string_append(j, ",\"name\":");
        json_str(j, p->container_name);
        g_string_append(j, ",\"image\":");
        json_str(j, p->container_image);
        g_string_append(j, ",\"imageDigest\":"
                           "\"sha256:5b0f1ed7a25c7e2d9dd1ac2d8c6b6a0d2e6f3c8c0b1f4a8e9d7c6b5a4f3e2d1c\"}");
    } else {
        g_string_append(j, ",\"container\":{}");
    }
    g_string_append_printf(j,
                           ",\"kubernetes\":{},\"eventId\":\"2002\",\"eventName\":\"net_packet_tcp\","
                           "\"matchedPolicies\":[\"\"],\"argsNum\":6,\"returnValue\":0,\"syscall\":\"\","
                           "\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":%s,\"isCompat\":false},"
                           "\"threadEntityId\":%u,\"processEntityId\":%u,\"parentEntityId\":%u,\"args\":["
                           "{\"name\":\"src\",\"type\":\"string\",\"value\":",
                           p->container_id ? "true" : "false", entity, entity, parent_entity);
    json_str(j, src->text);
    g_string_append(j, "},{\"name\":\"dst\",\"type\":\"string\",\"value\":");
    json_str(j, dst->text);
    bool mss = (s->flags & TH_SYN) != 0;
    g_string_append_printf(j,
                           "},{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":%u},"
                           "{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":%u},"
                           "{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":%d}},"
                           "{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":%u,"
                           "\"dstPort\":%u,\"seq\":%u,\"ack\":%u,\"dataOffset\":%u,\"FIN\":%d,\"SYN\":%d,\"RST\":%d,"
                           "\"PSH\":%d,\"ACK\":%d,\"URG\":0,\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":%u,"
                           "\"checksum\":%u,\"urgent\":0}}]}",
                           src->port, dst->port, egress ? 2 : 1, src->port, dst->port, s->seq, s->ack, mss ? 6u : 5u,
                           !!(s->flags & TH_FIN), !!(s->flags & TH_SYN), !!(s->flags & TH_RST),
                           !!(s->flags & TH_PSH), !!(s->flags & TH_ACK), s->window, check);
    emit_json(ctx, IF_TRACEE_C, ps_source_tracee.pdu_dissector, ts, j);
    g_string_free(j, TRUE);
    note_record(c, e, ts, true);
}

/* The ETW event a segment causes on end e's host, if any. */
static void etw_event(scenario_ctx *ctx, conn *c, int e, const segment *s, unsigned *count)
{
    owner *o = &c->own[e];
    bool leaves = s->dir == e;
    bool syn_only = (s->flags & (TH_SYN | TH_ACK)) == TH_SYN;
    etw_kind k;
    uint32_t size = 0;
    if (syn_only) {
        k = leaves ? EV_CONNECT : EV_ACCEPT;
    } else if (s->len && leaves) {
        k = s->retransmit ? EV_RETRANSMIT : EV_SEND;
        size = s->len;
    } else if (s->len && !s->lost) {
        k = EV_RECV;
        size = s->len;
    } else if ((s->flags & TH_FIN) && leaves && o->disconnect) {
        k = EV_DISCONNECT;
    } else {
        return;
    }
    if (o->max_events && *count >= o->max_events)
        return;
    (*count)++;
    int64_t jitter = jitter_ms[ctx->jitter_next++ % G_N_ELEMENTS(jitter_ms)] * MS * c->jitter_scale_pct / 100;
    int64_t t = s->t + jitter;
    emit_etw_net(ctx, o->host, t, k, &c->end[e], &c->end[1 - e], o->pid, size);
    int64_t ts = t + hosts[o->host].clock_offset;
    note_record(c, e, ts - ts % US, false);
}

static void emit_nettcp_row(scenario_ctx *ctx, conn *c, int e)
{
    const owner *o = &c->own[e];
    const segment *first = &g_array_index(c->segs, segment, 0);
    int64_t created_ms = (first->t - 40 * MS - BASE_NS) / MS; /* connect() just before the SYN */
    if (BASE_NS + created_ms * MS >= first->t)
        fail("%s: CreationTime not before the first packet", c->label);
    GString *j = g_string_new("{\"LocalAddress\":");
    json_str(j, c->end[e].text);
    g_string_append_printf(j, ",\"LocalPort\":%u,\"RemoteAddress\":", c->end[e].port);
    json_str(j, c->end[1 - e].text);
    g_string_append_printf(j,
                           ",\"RemotePort\":%u,\"State\":5,\"AppliedSetting\":0,\"OwningProcess\":%u,"
                           "\"CreationTime\":\"\\/Date(%" PRId64 ")\\/\",\"OffloadState\":0}",
                           c->end[1 - e].port, o->pid, (BASE_NS / MS) + created_ms);
    emit_json(ctx, IF_NETTCP_A, ps_source_nettcp.pdu_dissector, at_ms(o->snapshot_ms), j);
    g_string_free(j, TRUE);
}

/* Other rows of the same snapshot (listening sockets: no packet has their endpoints). */
static void nettcp_listener(scenario_ctx *ctx, int64_t snapshot_ms, const char *local, uint16_t port, uint32_t pid,
                            int64_t created_ms)
{
    GString *j = g_string_new("{\"LocalAddress\":");
    json_str(j, local);
    g_string_append_printf(j,
                           ",\"LocalPort\":%u,\"RemoteAddress\":\"0.0.0.0\",\"RemotePort\":0,\"State\":2,"
                           "\"AppliedSetting\":null,\"OwningProcess\":%u,\"CreationTime\":\"\\/Date(%" PRId64
                           ")\\/\",\"OffloadState\":0}",
                           port, pid, (BASE_NS / MS) + created_ms);
    emit_json(ctx, IF_NETTCP_A, ps_source_nettcp.pdu_dissector, at_ms(snapshot_ms), j);
    g_string_free(j, TRUE);
}

/* The owner of end e at time t as the truth states it, or NULL when no record speaks for it. */
static void truth_end(const conn *c, int e, int64_t t, GString *out)
{
    const owner *o = &c->own[e];
    if (o->kind == OWN_NONE || c->record_times[e]->len == 0) {
        g_string_append(out, "-\t-");
        return;
    }
    if (o->kind == OWN_TRACEE || o->kind == OWN_PTCPDUMP) {
        g_string_append_printf(out, "%u\t%s", o->tp.host_pid, o->tp.comm);
        return;
    }
    const char *name = process_name(o->host, o->pid, t, false);
    if (!name)
        fail("%s: pid %u has no name at its packet", c->label, o->pid);
    /* The plugin reads the name at the packet's time on the records' clock, minus the estimate:
     * the same name a quarter second either way. */
    for (int64_t d = -250 * MS; d <= 250 * MS; d += 250 * MS) {
        const char *seen = process_name(o->host, o->pid, t + hosts[o->host].clock_offset + d, true);
        if (!seen || strcmp(seen, name) != 0)
            fail("%s: pid %u's name changes near a packet", c->label, o->pid);
    }
    g_string_append_printf(out, "%u\t%s", o->pid, name);
}

static void conn_emit(scenario_ctx *ctx, conn *c)
{
    GArray *checks = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    for (guint i = 0; i < c->segs->len; i++) {
        const segment *s = &g_array_index(c->segs, segment, i);
        uint16_t check;
        GByteArray *pkt = ip_packet(c, s, &check);
        g_array_append_val(checks, check);
        add_block(ctx, c->iface, s->t, pkt, (int)ctx->truth->len);
        g_ptr_array_add(ctx->truth, NULL); /* filled below, once every record is known */
        for (int e = 0; e < 2; e++) {
            const owner *o = &c->own[e];
            if (o->kind != OWN_PTCPDUMP)
                continue;
            /* ptcpdump's comment names the local socket's process, as its writer words it
             * (docs/FORMATS.md section 7); the direction flag says which end is local. */
            pcapng_packet_meta *m = &g_array_index(ctx->blocks, block, ctx->blocks->len - 1).meta;
            m->flags = s->dir == e ? 2 : 1;
            m->comment = g_strdup_printf("PID: %u\nCmd: %s\nArgs: %s https://example.org/", o->tp.host_pid,
                                         o->tp.exe, o->tp.comm);
            note_record(c, e, s->t, false);
        }
    }
    unsigned first_truth = ctx->truth->len - c->segs->len;
    for (int e = 0; e < 2; e++) {
        owner *o = &c->own[e];
        unsigned count = 0;
        if (o->kind == OWN_PTCPDUMP)
            continue; /* its comments are on the packets above */
        if (o->kind == OWN_NETTCP) {
            emit_nettcp_row(ctx, c, e);
            int64_t first = g_array_index(c->segs, segment, 0).t;
            g_array_append_val(c->record_times[e], first); /* a row created before the first packet */
            continue;
        }
        for (guint i = 0; i < c->segs->len; i++) {
            const segment *s = &g_array_index(c->segs, segment, i);
            if (o->kind == OWN_ETW) {
                etw_event(ctx, c, e, s, &count);
            } else if (o->kind == OWN_TRACEE && (o->every <= 1 || i % o->every == 0)) {
                bool egress = s->dir == e;
                const tracee_proc *p = !egress && o->kernel_ingress ? o->kernel_ingress : &o->tp;
                emit_tracee_event(ctx, c, e, s, g_array_index(checks, uint16_t, i), p, egress);
            }
        }
    }
    for (guint i = 0; i < c->segs->len; i++) {
        const segment *s = &g_array_index(c->segs, segment, i);
        GString *line = g_string_new(NULL);
        truth_end(c, s->dir, s->t, line);
        g_string_append_c(line, '\t');
        truth_end(c, 1 - s->dir, s->t, line);
        ctx->truth->pdata[first_truth + i] = g_string_free(line, FALSE);
    }
    g_array_free(checks, TRUE);
}

/* The design's own checks: a known socket has a record within its connection's span plus the
 * window; no record lands within another connection of the same endpoints. */
static void check_design(const scenario_ctx *ctx)
{
    for (guint i = 0; i < ctx->conns->len; i++) {
        const conn *c = ctx->conns->pdata[i];
        int64_t t0 = g_array_index(c->segs, segment, 0).t;
        int64_t t1 = g_array_index(c->segs, segment, c->segs->len - 1).t;
        for (int e = 0; e < 2; e++) {
            GArray *times = c->record_times[e];
            if (c->own[e].kind == OWN_NONE || c->own[e].kind == OWN_NETTCP)
                continue;
            bool inside = false;
            for (guint k = 0; k < times->len; k++) {
                int64_t t = g_array_index(times, int64_t, k);
                inside |= t >= t0 - WINDOW + CHECK_MARGIN && t <= t1 + WINDOW - CHECK_MARGIN;
            }
            if (!inside)
                fail("%s: end %d has no record within its connection", c->label, e);
            for (guint j = 0; j < ctx->conns->len; j++) {
                const conn *d = ctx->conns->pdata[j];
                if (d == c || !((same_socket(&c->end[0], &d->end[0]) && same_socket(&c->end[1], &d->end[1])) ||
                                (same_socket(&c->end[0], &d->end[1]) && same_socket(&c->end[1], &d->end[0]))))
                    continue;
                int64_t u0 = g_array_index(d->segs, segment, 0).t;
                int64_t u1 = g_array_index(d->segs, segment, d->segs->len - 1).t;
                for (guint k = 0; k < times->len; k++) {
                    int64_t t = g_array_index(times, int64_t, k);
                    if (t >= u0 - WINDOW - CHECK_MARGIN && t <= u1 + WINDOW + CHECK_MARGIN)
                        fail("%s: a record falls within %s", c->label, d->label);
                }
            }
        }
    }
}

/* --- the scenarios ---------------------------------------------------------------------------- */

/* 1. Host A, ETW: a client's connect, send, recv and disconnect events; its name from Process Start. */
static void etw_client_curl(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "1 curl.exe", IF_NET_A, ep("10.1.0.10", 50112), ep("93.184.216.34", 443), 2000, 24000);
    c->own[0] = etw_owner(H_A, 5124);
    c->own[0].disconnect = true;
    c->ttl[0] = 128;
    c->ttl[1] = 54;
    handshake(c);
    data(c, 0, 517, 1 * MS);
    ack(c, 1, 12 * MS);
    data(c, 1, 1400, 2 * MS);
    data(c, 1, 1211, 1 * MS);
    ack(c, 0, 1 * MS);
    exchange(c, 126, 286, 30 * MS);
    exchange(c, 93, 1460, 250 * MS);
    data(c, 1, 610, 2 * MS);
    ack(c, 0, 1 * MS);
    close_conn(c, 0, 400 * MS);
}

/* 1. Host A, ETW: one process with two connections open at once, each with its own events. */
static void etw_one_pid_two_conns(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "1 chrome.exe #1", IF_NET_A, ep("10.1.0.10", 50120), ep("142.250.185.78", 443), 5000,
                       18000);
    c->own[0] = etw_owner(H_A, 2210);
    c->ttl[0] = 128;
    c->ttl[1] = 118;
    handshake(c);
    data(c, 0, 260, 1 * MS);
    exchange(c, 800, 1380, 80 * MS);
    exchange(c, 95, 123, 600 * MS);
    exchange(c, 388, 972, 900 * MS);
    close_conn(c, 1, 1200 * MS);

    c = conn_new(ctx, "1 chrome.exe #2", IF_NET_A, ep("10.1.0.10", 50121), ep("151.101.65.140", 443), 5600, 30000);
    c->own[0] = etw_owner(H_A, 2210);
    c->ttl[0] = 128;
    c->ttl[1] = 57;
    handshake(c);
    exchange(c, 571, 1448, 1 * MS);
    data(c, 1, 733, 3 * MS);
    ack(c, 0, 1 * MS);
    exchange(c, 64, 129, 700 * MS);
    exchange(c, 231, 1017, 500 * MS);
    close_conn(c, 0, 900 * MS);
}

/* 1. Host A, ETW: the server end of an inbound connection, known from accept and recv/send events. */
static void etw_server_svchost(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "1 svchost.exe accept", IF_NET_A, ep("192.0.2.50", 61000), ep("10.1.0.10", 3389), 8500,
                       3000);
    c->own[1] = etw_owner(H_A, 812);
    c->ttl[0] = 127;
    c->ttl[1] = 128;
    handshake(c);
    data(c, 0, 43, 1 * MS);
    data(c, 1, 19, 3 * MS);
    ack(c, 0, 2 * MS);
    exchange(c, 322, 1187, 40 * MS);
    exchange(c, 1044, 75, 300 * MS);
    close_conn(c, 0, 800 * MS);
}

/* 2. Host C, tracee: a process in a container (own pid namespace, container fields), every packet. */
static void tracee_container_wget(scenario_ctx *ctx)
{
    tracee_proc wget = {17, 17, 1, 24817, 24817, 24790, 0, "wget", "/bin/wget", "8b5d0c1a7e3f", "fetcher",
                        "docker.io/library/busybox:1.36", 4026532411u, 4026532414u, 9120, 10900};
    conn *c = conn_new(ctx, "2 wget (fetcher)", IF_NET_C, ep("10.2.0.20", 41234), ep("93.184.216.34", 80), 11000,
                       22000);
    c->own[0] = tracee_owner(wget);
    c->ttl[1] = 54;
    handshake(c);
    data(c, 0, 142, 1 * MS);
    ack(c, 1, 11 * MS);
    data(c, 1, 1448, 1 * MS);
    data(c, 1, 1448, 1 * MS);
    ack(c, 0, 1 * MS);
    data(c, 1, 377, 2 * MS);
    ack(c, 0, 1 * MS);
    close_conn(c, 0, 20 * MS);
}

/* 2. Host C, tracee: events on every third packet only; the others are known from the connection's. */
static void tracee_some_packets_python3(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "2 python3 (some packets)", IF_NET_C, ep("10.2.0.20", 41240), ep("151.101.1.69", 443),
                       12500, 16000);
    c->own[0] = tracee_owner(host_proc(2718, 2690, 1000, "python3", "/usr/bin/python3.11"));
    c->own[0].every = 3;
    c->ttl[1] = 58;
    handshake(c);
    exchange(c, 517, 1400, 1 * MS);
    data(c, 1, 1064, 2 * MS);
    ack(c, 0, 1 * MS);
    exchange(c, 80, 1203, 40 * MS);
    exchange(c, 39, 88, 400 * MS);
    close_conn(c, 0, 300 * MS);
}

/* 3. Host C loopback: both ends on one host, every packet with an egress and an ingress event. */
static void loopback_psql_postgres(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "3 psql -> postgres", IF_LO_C, ep("127.0.0.1", 45678), ep("127.0.0.1", 5432), 14000, 80);
    c->own[0] = tracee_owner(host_proc(4410, 4388, 1000, "psql", "/usr/lib/postgresql/15/bin/psql"));
    c->own[1] = tracee_owner(host_proc(1207, 1, 105, "postgres", "/usr/lib/postgresql/15/bin/postgres"));
    c->win[0] = c->win[1] = 65483;
    handshake(c);
    exchange(c, 8, 1, 1 * MS);
    exchange(c, 84, 326, 1 * MS);
    exchange(c, 41, 112, 300 * MS);
    exchange(c, 57, 2081, 500 * MS);
    data(c, 0, 5, 400 * MS);
    close_conn(c, 0, 1 * MS);
}

/* 4. IPv6 in both kinds of record: ETW's IPv6 event ids (msedge.exe, host A), tracee's (ssh, host C). */
static void ipv6(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "4 msedge.exe IPv6", IF_NET_A, ep("2001:db8:1::10", 50500), ep("2001:db8:ff::80", 443),
                       16000, 21000);
    c->own[0] = etw_owner(H_A, 2640);
    c->ttl[0] = 128;
    c->ttl[1] = 55;
    handshake(c);
    exchange(c, 599, 1428, 1 * MS);
    data(c, 1, 1012, 2 * MS);
    ack(c, 0, 1 * MS);
    exchange(c, 158, 402, 60 * MS);
    exchange(c, 746, 61, 800 * MS);
    close_conn(c, 0, 600 * MS);

    c = conn_new(ctx, "4 ssh IPv6", IF_NET_C, ep("2001:db8:2::20", 41000), ep("2001:db8:ff::22", 22), 17500, 35000);
    c->own[0] = tracee_owner(host_proc(5521, 5480, 1000, "ssh", "/usr/bin/ssh"));
    c->ttl[1] = 52;
    handshake(c);
    exchange(c, 32, 39, 1 * MS);
    exchange(c, 1392, 1080, 2 * MS);
    exchange(c, 48, 564, 3 * MS);
    exchange(c, 36, 44, 700 * MS);
    close_conn(c, 0, 500 * MS);
}

/* 5. One 4-tuple twice, agent.exe then sync.exe 4.3 s later: each connection's owner from its own records. */
static void reused_4tuple(scenario_ctx *ctx)
{
    for (int k = 0; k < 2; k++) {
        conn *c = conn_new(ctx, k ? "5 sync.exe (reused port)" : "5 agent.exe (port later reused)", IF_NET_A,
                           ep("10.1.0.10", 49990), ep("198.51.100.30", 8443), k ? 24000 : 19000, 9000);
        c->own[0] = etw_owner(H_A, k ? 3200 : 3100);
        c->own[0].disconnect = true;
        c->ttl[0] = 128;
        c->ttl[1] = 60;
        handshake(c);
        exchange(c, k ? 233 : 301, k ? 1190 : 845, 1 * MS);
        exchange(c, k ? 57 : 96, k ? 402 : 77, 300 * MS);
        close_conn(c, 0, 400 * MS);
    }
}

/* 6. pid 4000 is updater.exe (26 s to 31 s), then backup.exe (from 32 s): the name is the one at the time. */
static void reused_pid(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "6 updater.exe (pid 4000)", IF_NET_A, ep("10.1.0.10", 50700), ep("203.0.113.40", 443),
                       27000, 15000);
    c->own[0] = etw_owner(H_A, 4000);
    c->ttl[0] = 128;
    c->ttl[1] = 57;
    handshake(c);
    exchange(c, 404, 1337, 1 * MS);
    exchange(c, 61, 250, 500 * MS);
    close_conn(c, 0, 600 * MS);

    c = conn_new(ctx, "6 backup.exe (pid 4000 reused)", IF_NET_A, ep("10.1.0.10", 50710), ep("203.0.113.41", 443),
                 33500, 15000);
    c->own[0] = etw_owner(H_A, 4000);
    c->ttl[0] = 128;
    c->ttl[1] = 57;
    handshake(c);
    exchange(c, 1200, 90, 1 * MS);
    data(c, 0, 1400, 2 * MS);
    data(c, 0, 1400, 1 * MS);
    ack(c, 1, 8 * MS);
    exchange(c, 777, 210, 400 * MS);
    close_conn(c, 0, 700 * MS);
}

/* 7. Host C's tracee clock runs 1.5 s behind: clients with an event on every packet, for the estimate. */
static void clock_behind_tracee_clients(scenario_ctx *ctx)
{
    static const struct {
        const char *label;
        tracee_proc p;
        const char *client, *server;
        uint16_t cport, sport;
        int64_t start_ms;
    } c7[] = {
        {"7 curl (host C, -1.5 s)",
         {7001, 7001, 6990, 7001, 7001, 6990, 1000, "curl", "/usr/bin/curl", NULL, NULL, NULL, 4026531840u,
          4026531836u, 5650, 30100},
         "10.2.0.20", "93.184.216.34", 43001, 443, 30500},
        {"7 git-remote-http (host C, -1.5 s)",
         {7002, 7002, 6995, 7002, 7002, 6995, 1000, "git-remote-http", "/usr/lib/git-core/git-remote-http", NULL,
          NULL, NULL, 4026531840u, 4026531836u, 5650, 30900},
         "10.2.0.20", "140.82.112.3", 43002, 443, 31300},
        {"7 pip (host C, -1.5 s)",
         {7003, 7003, 6998, 7003, 7003, 6998, 1000, "pip", "/usr/bin/python3.11", NULL, NULL, NULL, 4026531840u,
          4026531836u, 5650, 31700},
         "10.2.0.20", "151.101.0.223", 43003, 443, 32100},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(c7); k++) {
        conn *c = conn_new(ctx, c7[k].label, IF_NET_C, ep(c7[k].client, c7[k].cport), ep(c7[k].server, c7[k].sport),
                           c7[k].start_ms, 20000 + 4000 * (int64_t)k);
        c->own[0] = tracee_owner(c7[k].p);
        c->ttl[1] = (uint8_t)(50 + k);
        handshake(c);
        exchange(c, (uint16_t)(517 + 10 * k), (uint16_t)(1380 + k), 1 * MS);
        exchange(c, (uint16_t)(90 + k), (uint16_t)(455 + 3 * k), 150 * MS);
        close_conn(c, 0, 200 * MS);
    }
}

/* 7. Host C's tracee clock runs 1.5 s behind: the estimate's fourth connection, seen from its server end. */
static void clock_behind_tracee_server(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "7 node accepting (host C, -1.5 s)", IF_NET_C, ep("198.51.100.9", 55001),
                       ep("10.2.0.20", 3000), 33000, 30000);
    c->own[1] = tracee_owner(host_proc(7004, 1, 1001, "node", "/usr/bin/node"));
    c->ttl[0] = 49;
    handshake(c);
    exchange(c, 377, 1166, 1 * MS);
    exchange(c, 412, 58, 250 * MS);
    close_conn(c, 0, 300 * MS);
}

/* 7. Host E's ETW clock runs 1.5 s ahead: a minority of the ETW records, each send/recv one packet's size. */
static void clock_ahead_etw(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "7 powershell.exe (host E, +1.5 s)", IF_NET_E, ep("10.4.0.40", 51000),
                       ep("13.107.4.50", 443), 55000, 28000);
    c->own[0] = etw_owner(H_E, 8300);
    c->ttl[0] = 128;
    c->ttl[1] = 56;
    handshake(c);
    exchange(c, 583, 1321, 1 * MS);
    exchange(c, 144, 702, 900 * MS);
    exchange(c, 67, 90, 900 * MS);
    exchange(c, 201, 1460, 900 * MS);
    close_conn(c, 0, 900 * MS);

    c = conn_new(ctx, "7 msiexec.exe (host E, +1.5 s)", IF_NET_E, ep("10.4.0.40", 51010), ep("192.229.211.108", 80),
                 56000, 31000);
    c->own[0] = etw_owner(H_E, 8200);
    c->ttl[0] = 128;
    c->ttl[1] = 55;
    handshake(c);
    exchange(c, 188, 1379, 1 * MS);
    exchange(c, 176, 1117, 900 * MS);
    exchange(c, 171, 842, 900 * MS);
    close_conn(c, 0, 900 * MS);
}

/* 8. Host A: a connection no record describes, whose truth is "-" for both ends. */
static void no_record(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "8 no record", IF_NET_A, ep("10.1.0.10", 50600), ep("198.51.100.20", 80), 40000, 12000);
    c->ttl[0] = 128;
    c->ttl[1] = 59;
    handshake(c);
    exchange(c, 97, 612, 1 * MS);
    close_conn(c, 1, 100 * MS);
}

/* 8. Host A, ETW: events for the first packets only; the later ones are known from those. */
static void etw_first_events_only(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "8 OneDrive.exe (first events only)", IF_NET_A, ep("10.1.0.10", 50610),
                       ep("52.109.8.21", 443), 41000, 26000);
    c->own[0] = etw_owner(H_A, 6120);
    c->own[0].max_events = 3; /* connect, the first send, the first receive */
    c->ttl[0] = 128;
    c->ttl[1] = 112;
    handshake(c);
    exchange(c, 517, 1366, 1 * MS);
    exchange(c, 93, 1024, 500 * MS);
    exchange(c, 1207, 45, 600 * MS);
    exchange(c, 66, 300, 500 * MS);
    close_conn(c, 0, 400 * MS);
}

/* 9. Host A, ETW: a segment lost after the capture point and sent again (send, then retransmit event). */
static void etw_retransmission(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "9 OUTLOOK.EXE retransmission", IF_NET_A, ep("10.1.0.10", 50620), ep("40.99.10.2", 443),
                       43000, 30000);
    c->own[0] = etw_owner(H_A, 7344);
    c->jitter_scale_pct = 5; /* ETW timing tight here */
    c->ttl[0] = 128;
    c->ttl[1] = 110;
    handshake(c);
    size_t lost = data(c, 0, 690, 1 * MS);
    retransmit(c, lost, 300 * MS);
    data(c, 1, 1320, c->rtt / 2 + 2 * MS);
    ack(c, 0, c->rtt / 2);
    close_conn(c, 0, 300 * MS);
}

/* 10. Host B's sqlcmd.exe to host A's sqlservr.exe: each end from its own host's events. */
static void etw_both_ends(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "10 sqlcmd.exe (B) -> sqlservr.exe (A)", IF_NET_A, ep("10.3.0.30", 49710),
                       ep("10.1.0.10", 1433), 47000, 800);
    c->own[0] = etw_owner(H_B, 9410);
    c->own[1] = etw_owner(H_A, 2900);
    c->ttl[0] = 128;
    c->ttl[1] = 128;
    handshake(c);
    exchange(c, 88, 49, 1 * MS);
    exchange(c, 246, 421, 5 * MS);
    exchange(c, 52, 303, 300 * MS);
    close_conn(c, 0, 200 * MS);
}

/* 11. Host A: no event, only a Get-NetTCPConnection row (snapshot during the connection) among listeners. */
static void nettcp_snapshot_only(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "11 Dropbox.exe (snapshot only)", IF_NET_A, ep("10.1.0.10", 50630),
                       ep("162.125.19.131", 443), 49000, 40000);
    c->own[0].kind = OWN_NETTCP;
    c->own[0].host = H_A;
    c->own[0].pid = 5300;
    c->own[0].snapshot_ms = 50000;
    c->ttl[0] = 128;
    c->ttl[1] = 53;
    handshake(c);
    exchange(c, 517, 1290, 1 * MS);
    exchange(c, 204, 1108, 600 * MS);
    exchange(c, 38, 38, 700 * MS);
    close_conn(c, 0, 300 * MS);
    nettcp_listener(ctx, 50000, "0.0.0.0", 3389, 812, -3 * 86400 * 1000 + 61000);
    nettcp_listener(ctx, 50000, "0.0.0.0", 1433, 2900, -3 * 86400 * 1000 + 75000);
}

/* 12. Host C, tracee: nginx accepting; inbound packets' events carry swapper/1 (pid 0), outbound nginx. */
static void tracee_kernel_thread_ingress(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "12 nginx (kernel thread on ingress)", IF_NET_C, ep("198.51.100.7", 53000),
                       ep("10.2.0.20", 80), 52000, 27000);
    c->own[1] = tracee_owner(host_proc(990, 1, 33, "nginx", "/usr/sbin/nginx"));
    c->own[1].kernel_ingress = &kernel_swapper1;
    c->ttl[0] = 51;
    handshake(c);
    exchange(c, 412, 1448, 1 * MS);
    data(c, 1, 1448, 1 * MS);
    data(c, 1, 603, 1 * MS);
    ack(c, 0, c->rtt / 2);
    exchange(c, 398, 215, 700 * MS);
    close_conn(c, 1, 500 * MS);
}

/* 13. Host F, ptcpdump: no records, each packet's comment names wget, the local end (the source
 * outbound, the destination inbound); the server's end is nobody's. */
static void ptcpdump_comments_wget(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "13 wget (ptcpdump comments)", IF_NET_F, ep("10.5.0.50", 41880), ep("203.0.113.80", 443),
                       58000, 31000);
    c->own[0].kind = OWN_PTCPDUMP;
    c->own[0].tp = host_proc(3310, 3001, 1000, "wget", "/usr/bin/wget");
    c->ttl[1] = 55;
    handshake(c);
    exchange(c, 517, 1400, 1 * MS);
    data(c, 1, 980, 1 * MS);
    ack(c, 0, c->rtt / 2);
    close_conn(c, 0, 200 * MS);
}

/* Order matters: ETW events take their jitter in connection order; blocks of equal time keep creation order. */
static void build_scenarios(scenario_ctx *ctx)
{
    etw_client_curl(ctx);
    etw_one_pid_two_conns(ctx);
    etw_server_svchost(ctx);
    tracee_container_wget(ctx);
    tracee_some_packets_python3(ctx);
    loopback_psql_postgres(ctx);
    ipv6(ctx);
    reused_4tuple(ctx);
    reused_pid(ctx);
    clock_behind_tracee_clients(ctx);
    clock_behind_tracee_server(ctx);
    clock_ahead_etw(ctx);
    no_record(ctx);
    etw_first_events_only(ctx);
    etw_retransmission(ctx);
    etw_both_ends(ctx);
    nettcp_snapshot_only(ctx);
    tracee_kernel_thread_ingress(ctx);
    ptcpdump_comments_wget(ctx);
}

/* --- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: procshark-scenario OUT.pcapng TRUTH.tsv\n");
        return 2;
    }
    scenario_ctx ctx = {
        .blocks = g_array_new(FALSE, FALSE, sizeof(block)),
        .truth = g_ptr_array_new_with_free_func(g_free),
        .conns = g_ptr_array_new(),
    };
    parse_guid("7dd42a49-5329-4832-8dfd-43d979153a88", ctx.guid_kernel_network);
    parse_guid("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c", ctx.guid_process);

    emit_processes(&ctx);
    build_scenarios(&ctx);
    for (guint i = 0; i < ctx.conns->len; i++)
        conn_emit(&ctx, ctx.conns->pdata[i]);
    check_design(&ctx);

    g_array_sort(ctx.blocks, block_order);

    pcapng_writer_init_library("procshark-scenario");
    char *error = NULL;
    pcapng_writer *w = pcapng_writer_open(argv[1], interfaces, IF_COUNT, &error);
    if (!w)
        fail("%s", error);
    GString *truth = g_string_new("frame\tsrc_pid\tsrc_name\tdst_pid\tdst_name\n");
    unsigned packets = 0;
    for (guint i = 0; i < ctx.blocks->len; i++) {
        block *b = &g_array_index(ctx.blocks, block, i);
        if (i && b->ts < g_array_index(ctx.blocks, block, i - 1).ts)
            fail("blocks out of order");
        if (!pcapng_writer_write(w, b->iface, b->ts, b->data->data, b->data->len, b->meta.comment ? &b->meta : NULL,
                                 &error))
            fail("%s", error);
        g_free((char *)b->meta.comment);
        if (b->truth >= 0) {
            g_string_append_printf(truth, "%u\t%s\n", i + 1, (const char *)ctx.truth->pdata[b->truth]);
            packets++;
        }
        g_byte_array_free(b->data, TRUE);
    }
    if (!pcapng_writer_close(w, &error))
        fail("%s: %s", argv[1], error);
    GError *gerr = NULL;
    if (!g_file_set_contents(argv[2], truth->str, (gssize)truth->len, &gerr))
        fail("%s", gerr->message);
    fprintf(stderr, "procshark-scenario: wrote %u blocks (%u TCP packets, %u connections) to %s, truth to %s\n",
            ctx.blocks->len, packets, ctx.conns->len, argv[1], argv[2]);

    g_string_free(truth, TRUE);
    for (guint i = 0; i < ctx.conns->len; i++) {
        conn *c = ctx.conns->pdata[i];
        g_array_free(c->segs, TRUE);
        for (int e = 0; e < 2; e++)
            g_array_free(c->record_times[e], TRUE);
        g_free(c);
    }
    g_ptr_array_free(ctx.conns, TRUE);
    g_ptr_array_free(ctx.truth, TRUE);
    g_array_free(ctx.blocks, TRUE);
    return 0;
}
