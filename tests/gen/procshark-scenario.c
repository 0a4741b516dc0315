/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-scenario OUT.pcapng TRUTH.tsv
 *
 * Writes a scenario capture for process attribution and its ground truth: TCP packets and UDP
 * datagrams carrying DNS messages (raw IPv4 and IPv6, one interface per capture point) interleaved
 * in time with the records that describe their sockets: ETW Microsoft-Windows-Kernel-Network (TCP
 * and UDP) and Process events of three Windows hosts, tracee net_packet_tcp, net_packet_udp and
 * net_packet_dns events of a Linux host, procshark-record events of another, Get-NetTCPConnection
 * rows of host A and Get-NetUDPEndpoint rows of host B; the packets of a Linux host that ptcpdump
 * captured, its process comments on each, and those of a Windows host that etl2pcapng converted,
 * its "PID=… TID=…" comment on each. Every block is written in timestamp order; a record's block
 * time is its own host's clock.
 *
 * The truth is the scenario's construction: which process owns which socket. TRUTH.tsv has one
 * line per TCP and UDP packet frame (frame numbers as tshark counts them), "frame src_pid src_name
 * dst_pid dst_name proto src_known dst_known". An end is "-" when no record speaks for its socket
 * (then the attribution rules of docs/ATTRIBUTION.md cannot know its owner). Names: tracee's
 * processName; ptcpdump's base name of Cmd; procshark-record's comm; for ETW, Get-NetTCPConnection,
 * Get-NetUDPEndpoint and etl2pcapng pids the image of the pid's Process events at the packet's
 * time. proto is "tcp", or "dns" for a UDP datagram (all of them carry a DNS message, which
 * Wireshark's dns dissector decodes on port 53). src_known and dst_known say how the construction
 * makes each end knowable: "records" of its own connection or UDP flow (ptcpdump comments
 * included), only records of its local UDP "socket" (with other peers, or with none), a table row
 * ("snapshot"), only the etl2pcapng "comment" on the packet itself, or "-".
 *
 * Hosts and clocks (record clock minus capture clock):
 *   A 10.1.0.10 / 2001:db8:1::10  Windows, ETW            0
 *   B 10.3.0.30                   Windows, ETW            0 (its resolver dns.exe: rows only)
 *   C 10.2.0.20 / 2001:db8:2::20  Linux, tracee           -1.5 s (tracee's boot clock: every tracee
 *                                 record of the capture runs 1.5 s behind; the estimate corrects it)
 *   E 10.4.0.40                   Windows, ETW            +1.5 s (a minority of the ETW records)
 *   F 10.5.0.50                   Linux, ptcpdump         none: its comments are on the packets
 *   G 10.7.0.70                   Linux, procshark-record 0 (the recorder converts the kernel's
 *                                 clock to the capture's, within microseconds)
 *   H 10.6.0.60                   Windows, etl2pcapng     none for the comments, on the packets;
 *                                 comments, ETW           0 for its ETW events (its trace starts at 61 s)
 * Process ids are unique across the Windows hosts (the Process events carry no host), except the
 * reuse of pid 4000 on host A, which is the point of scenario 6. Hosts G and H come after 61 s,
 * behind every block of the others.
 *
 * Scenarios 1 to 13 are TCP connections; U1 to U5 UDP flows of DNS (one socket pair each, a flow
 * being what the engine matches a UDP socket's records within):
 *   U1 host A, ETW: curl.exe and Dnscache's svchost.exe query host B's resolver, UDP send events for
 *      each query, receive events for some responses; a query to a third host stays "-" there.
 *   U2 host B's dns.exe known only from Get-NetUDPEndpoint rows: 0.0.0.0:53, and 10.3.0.30:137 of
 *      System, which names B's address; 10.3.0.30:53 is attributed from the wildcard row.
 *   U3 host C, tracee: curl with v0.20 net_packet_dns events (direction in metadata, no
 *      packet_len: the socket's owner only), and curl over IPv6 with net_packet_udp events whose
 *      proto_udp length and checksum are the datagram's (exact matches).
 *   U4 one socket pair (so one udp.stream): unbound.exe pid 7100, then pid 7188 30 s later, events
 *      on some datagrams of each period; the others are the owner's of the nearest records.
 *   U5 python.exe's one socket asks three resolvers; events only with the first: the others are
 *      known from the socket alone.
 * Host G (procshark-record) and host H (etl2pcapng):
 *   G1 loopback curl -> gunicorn: connect names the client, accept the server; the accepted
 *      socket's change to ESTABLISHED before accept() comes in softirq (swapper, no owner flag) and
 *      names nothing; the closes carry the owner flag.
 *   G2 sshd's session made before the recorder started: every record lacks the owner flag (swapper
 *      in softirq, sshd in close()), so its end stays "-".
 *   GU1 dig's unconnected socket: a send names the flow; the receive has 0.0.0.0 and no peer; the
 *      second exchange is rate-limited. Then a lost-events record.
 *   GU2 unbound's socket bound to 10.7.0.70:53 reads a query it denies: a receive without a peer,
 *      so its end is known from the socket.
 *   H1, HU1 ms-teams.exe's TCP connection, Dnscache's svchost.exe query: no record; sent packets'
 *      comments name the sender (the comment level), received ones' System or Idle (nothing).
 *   H2 Code.exe with ETW events; its received packets' comments name MsMpEng.exe's DPC or System:
 *      the events win, without a disagreement.
 * Clocks and UDP: the estimate takes exact matches only, so of the UDP records net_packet_udp's
 * (length and checksum) count for host C's IPv6 clock, and ETW sends and receives whose size is
 * the payload's for host A's; net_packet_dns's do not. A UDP end without a fitting record takes
 * the nearest record about its socket pair whatever the distance, so its owner does not depend on
 * the estimate (how it is matched does); the truth is the construction's either way.
 *
 * The generator checks its own design: every socket said to be known has a record inside its
 * connection's first to last packet plus the 1 s window (with the offsets the estimate of
 * docs/ATTRIBUTION.md arrives at), no record falls into another connection of the same endpoints, and each pid's name
 * is the same a quarter second either side of each packet's time. For UDP: a client's own records
 * are nearer to each of its datagrams, by a margin, than another flow's records of the same socket
 * pair; a socket-only end's socket carries records of its process only; a row names a socket no
 * record speaks for, created before its flow; and no record or row could name an unknown end. A
 * procshark-record end without the owner flag has no record that speaks for it; a comment names a
 * process only where it is the end's owner and no record or row names it, or where a record does
 * (then the comment may name a DPC's process).
 *
 * ETW payloads are laid out here from docs/FORMATS.md section 3 by hand, procshark-record's records
 * from section 11; the ETW record header is written with etw_record_build(), the exported-PDU
 * framing with upper_pdu_frame(). Deterministic: no randomness, no clock. */
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
    IF_NETUDP_B,
    IF_NET_G,     /* packets captured on host G */
    IF_LO_G,      /* host G loopback */
    IF_PROCREC_G,
    IF_NET_H,     /* packets of host H as etl2pcapng converts them, its PID/TID comment on each */
    IF_ETW_H,
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
    [IF_NETUDP_B] = {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "netudp-b",
                     "Get-NetUDPEndpoint rows of host B (procshark.nettcpconnection)"},
    [IF_NET_G] = {WTAP_ENCAP_RAW_IP, "eth-g", "packets on host G 10.7.0.70"},
    [IF_LO_G] = {WTAP_ENCAP_RAW_IP, "lo-g", "loopback of host G"},
    [IF_PROCREC_G] = {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "procrec-g",
                      "procshark-record events of host G (procshark.procrec, clock offset 0)"},
    [IF_NET_H] = {WTAP_ENCAP_RAW_IP, "eth-h", "packets etl2pcapng converted on host H 10.6.0.60"},
    [IF_ETW_H] = {WTAP_ENCAP_ETW, "etw-h", "ETW events of host H (clock offset 0)"},
};

enum { H_A, H_B, H_C, H_E, H_G, H_H, H_COUNT };

typedef struct {
    const char *hostname;
    int64_t clock_offset; /* record clock minus capture clock */
    unsigned record_if;
    int64_t rundown_ms; /* ETW: when its trace's rundown lists the running processes */
} host;

static const host hosts[H_COUNT] = {
    [H_A] = {"WIN-A", 0, IF_ETW_A, 20},
    [H_B] = {"WIN-B", 0, IF_ETW_B, 20},
    [H_C] = {"linux-c", -1500 * MS, IF_TRACEE_C, 0},
    [H_E] = {"WIN-E", 1500 * MS, IF_ETW_E, 20},
    [H_G] = {"linux-g", 0, IF_PROCREC_G, 0},
    [H_H] = {"WIN-H", 0, IF_ETW_H, 61000},
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
    GPtrArray *truth;     /* a packet's truth line after its frame number */
    GPtrArray *conns;     /* conn */
    GPtrArray *flows;     /* udp_flow */
    GArray *rows;         /* table_row: every Get-NetTCPConnection and Get-NetUDPEndpoint row */
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

/* A Get-NetTCPConnection or Get-NetUDPEndpoint row as the design checks see it. */
typedef struct {
    endpoint local;
    bool udp;
    uint32_t pid;
    int64_t created; /* capture clock */
} table_row;

static void note_row(scenario_ctx *ctx, endpoint local, bool udp, uint32_t pid, int64_t created_ms)
{
    table_row r = {local, udp, pid, at_ms(created_ms)};
    g_array_append_val(ctx->rows, r);
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
    {H_A, 5124, 3308, 1, "curl.exe", "curl.exe -sS https://example.com/", 800 * MS, 6500 * MS},
    {H_A, 3200, 640, 0, "sync.exe", "C:\\Program Files\\Sync\\sync.exe --once", 15000 * MS, STILL_RUNNING},
    {H_A, 4000, 640, 0, "updater.exe", "C:\\Program Files\\Updater\\updater.exe /check", 26000 * MS, 31000 * MS},
    {H_A, 4000, 640, 0, "backup.exe", "C:\\Program Files\\Backup\\backup.exe /run nightly", 32000 * MS, 38000 * MS},
    {H_B, 9410, 8812, 1, "sqlcmd.exe", "sqlcmd.exe -S 10.1.0.10 -Q \"SELECT 1\"", 46000 * MS, STILL_RUNNING},
    {H_E, 8200, 692, 0, "msiexec.exe", "C:\\Windows\\system32\\msiexec.exe /V", RUNNING_AT_START, STILL_RUNNING},
    {H_E, 8300, 5012, 1, "powershell.exe", "powershell.exe -NoProfile -Command Invoke-WebRequest", 53000 * MS,
     STILL_RUNNING},
    {H_A, 1388, 640, 0, "svchost.exe", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache",
     RUNNING_AT_START, STILL_RUNNING},
    {H_A, 7100, 640, 0, "unbound.exe", "\"C:\\Program Files\\Unbound\\unbound.exe\" -w service", RUNNING_AT_START,
     26000 * MS},
    {H_A, 6712, 3308, 1, "python.exe",
     "\"C:\\Program Files\\Python312\\python.exe\" dnscheck.py 10.3.0.30 1.1.1.1 9.9.9.9", 37500 * MS, 39500 * MS},
    {H_A, 7188, 640, 0, "unbound.exe", "\"C:\\Program Files\\Unbound\\unbound.exe\" -w service", 51000 * MS,
     STILL_RUNNING},
    {H_B, 1964, 612, 0, "dns.exe", "C:\\Windows\\system32\\dns.exe", RUNNING_AT_START, STILL_RUNNING},
    {H_H, 9720, 6604, 1, "ms-teams.exe",
     "\"C:\\Program Files\\WindowsApps\\MSTeams_24004.1403.2634.2418_x64__8wekyb3d8bbwe\\ms-teams.exe\"",
     RUNNING_AT_START, STILL_RUNNING},
    {H_H, 2044, 668, 0, "svchost.exe", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache",
     RUNNING_AT_START, STILL_RUNNING},
    {H_H, 9840, 6604, 1, "Code.exe", "\"C:\\Users\\ana\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe\"",
     RUNNING_AT_START, STILL_RUNNING},
    {H_H, 3672, 668, 0, "MsMpEng.exe",
     "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MsMpEng.exe\"",
     RUNNING_AT_START, STILL_RUNNING},
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
            emit_process_event(ctx, p, 3, at_ms(hosts[p->host].rundown_ms) + (int64_t)i * 10 * US);
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

typedef enum {
    OWN_NONE,
    OWN_ETW,
    OWN_TRACEE,
    OWN_NETTCP,
    OWN_PTCPDUMP,
    OWN_NETUDP,
    OWN_PROCREC,
    OWN_COMMENT /* etl2pcapng's comments on the end's packets, no record */
} owner_kind;

typedef struct {
    owner_kind kind;
    int host;
    uint32_t pid;           /* ETW / Get-NetTCPConnection / Get-NetUDPEndpoint pid */
    tracee_proc tp;         /* tracee; ptcpdump, procshark-record: pid, tid, ppid, uid, comm and exe */
    const tracee_proc *kernel_ingress; /* tracee: ingress events carry this kernel thread's context */
    unsigned max_events;    /* ETW: only the first n events (0: all) */
    unsigned every;         /* tracee: only packets whose index is a multiple (0: all) */
    bool disconnect;        /* ETW: a disconnect event with the socket's FIN */
    int64_t snapshot_ms;    /* Get-NetTCPConnection: when the snapshot was taken */
    bool unowned;           /* procshark-record: it never saw the socket connect or accept (flags 0) */
} owner;

/* etl2pcapng's "PID=… TID=…" comments on the packets of one end's host (host H), the EPB's
 * direction flag saying which end is local: the sender's pid on what it sends, in turn the DPC's
 * context on what it receives. */
typedef struct {
    bool on;
    int end;                  /* the end on host H */
    uint32_t send_pid;        /* on the packets it sends */
    uint32_t receive_pids[3]; /* in turn on the packets it receives */
    unsigned n_receive, turn;
} pidtid_comments;

#define NO_COMMENT UINT32_MAX

/* The comment of a packet, its direction flag, and the pid it names (0 and 4 name nothing). */
static uint32_t comment_packet(pidtid_comments *pt, bool outbound, pcapng_packet_meta *m)
{
    uint32_t pid = outbound ? pt->send_pid : pt->receive_pids[pt->turn++ % pt->n_receive];
    uint32_t tid = pid == 0 ? 0 : pid == 4 ? 132 + 4 * (pt->turn % 3) : pid + 28;
    m->flags = outbound ? 2 : 1;
    m->comment = g_strdup_printf("PID=%u TID=%u", pid, tid);
    return pid;
}

static bool comment_names_nothing(uint32_t pid) { return pid == NO_COMMENT || pid == 0 || pid == 4; }

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
    pidtid_comments pt;
    /* filled by conn_emit */
    GArray *record_times[2]; /* record times adjusted as rule 6 does, per end */
    GArray *comment_pids;    /* per segment: its etl2pcapng comment's pid, NO_COMMENT */
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
    c->comment_pids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
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

/* A TCP or UDP checksum: over the pseudo-header (addresses, protocol, length) and the segment. */
static uint16_t transport_checksum(const endpoint *src, const endpoint *dst, uint8_t proto, const uint8_t *seg,
                                   size_t len)
{
    uint32_t sum = sum16(0, src->addr, addr_len(src));
    sum = sum16(sum, dst->addr, addr_len(dst));
    sum += proto + (uint32_t)len;
    return fold(sum16(sum, seg, len));
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
    uint16_t check = transport_checksum(src, dst, 6, b->data + start, b->len - start);
    ps_put_be16(b->data + start + 16, check);
    return check;
}

/* An IPv4 (DF, no options) or IPv6 packet around a transport segment; frees the segment. */
static GByteArray *ip_wrap(const endpoint *src, const endpoint *dst, uint8_t proto, uint8_t ttl, uint16_t *ip_id,
                           GByteArray *seg)
{
    GByteArray *b = g_byte_array_new();
    if (src->family == 4) {
        put8(b, 0x45);
        put8(b, 0);
        put16be(b, (uint16_t)(20 + seg->len));
        put16be(b, (*ip_id)++);
        put16be(b, 0x4000); /* DF */
        put8(b, ttl);
        put8(b, proto);
        put16be(b, 0);
        g_byte_array_append(b, src->addr, 4);
        g_byte_array_append(b, dst->addr, 4);
        ps_put_be16(b->data + 10, fold(sum16(0, b->data, 20)));
    } else {
        put32be(b, 0x60000000u | ((uint32_t)(src->port ^ dst->port) & 0xfffff)); /* flow label */
        put16be(b, (uint16_t)seg->len);
        put8(b, proto);
        put8(b, ttl);
        g_byte_array_append(b, src->addr, 16);
        g_byte_array_append(b, dst->addr, 16);
    }
    g_byte_array_append(b, seg->data, seg->len);
    g_byte_array_free(seg, TRUE);
    return b;
}

static GByteArray *ip_packet(conn *c, const segment *s, uint16_t *tcp_check)
{
    GByteArray *tcp = g_byte_array_new();
    *tcp_check = tcp_segment(tcp, c, s);
    return ip_wrap(&c->end[s->dir], &c->end[1 - s->dir], 6, c->ttl[s->dir], &c->ip_id[s->dir], tcp);
}

/* --- records of one connection ---------------------------------------------------------------- */

/* ETW event time minus packet time (ms): within +-0.2 s, before and after. */
static const int jitter_ms[] = {-150, 90, -60, 170, -110, 40, 130, -20, -180, 60, 110, -90, 20, -140, 190};

static void note_record(GArray *times, int64_t ts, bool tracee)
{
    int64_t adjusted = ts + estimated_offset(tracee);
    g_array_append_val(times, adjusted);
}

/* A released-layout (v0.20+) tracee network event of host C up to its first argument's value:
 * the process context, the event's id and name, and the packet's addresses. */
static GString *tracee_event_head(const tracee_proc *p, int64_t ts, const char *id, const char *name,
                                  const endpoint *src, const endpoint *dst)
{
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
                           ",\"kubernetes\":{},\"eventId\":\"%s\",\"eventName\":\"%s\","
                           "\"matchedPolicies\":[\"\"],\"argsNum\":6,\"returnValue\":0,\"syscall\":\"\","
                           "\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":%s,\"isCompat\":false},"
                           "\"threadEntityId\":%u,\"processEntityId\":%u,\"parentEntityId\":%u,\"args\":["
                           "{\"name\":\"src\",\"type\":\"string\",\"value\":",
                           id, name, p->container_id ? "true" : "false", entity, entity, parent_entity);
    json_str(j, src->text);
    g_string_append(j, "},{\"name\":\"dst\",\"type\":\"string\",\"value\":");
    json_str(j, dst->text);
    return j;
}

static void emit_tracee_event(scenario_ctx *ctx, conn *c, int e, const segment *s, uint16_t check, const tracee_proc *p,
                              bool egress)
{
    const endpoint *src = &c->end[s->dir], *dst = &c->end[1 - s->dir];
    int64_t ts = s->t + (egress ? -15 * US : 25 * US) + hosts[H_C].clock_offset;
    GString *j = tracee_event_head(p, ts, "2002", "net_packet_tcp", src, dst);
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
    note_record(c->record_times[e], ts, true);
}

/* procshark-record's record (docs/FORMATS.md section 11), laid out here by hand: kinds, whats and
 * Linux's TCP state numbers. */
enum { PR_TCP = 1, PR_UDP = 2, PR_LOST = 3 };
enum { PR_CONNECT = 1, PR_ACCEPT, PR_CLOSE, PR_STATE, PR_UDP_SEND, PR_UDP_RECEIVE };
enum { LX_ESTABLISHED = 1, LX_SYN_SENT, LX_SYN_RECV, LX_FIN_WAIT1, LX_FIN_WAIT2, LX_TIME_WAIT, LX_CLOSE,
       LX_CLOSE_WAIT, LX_LAST_ACK };
#define PROCREC_SIZE 192

/* One record of host G at time t of the capture clock; local and remote NULL for a kind-3 record. */
static void emit_procrec(scenario_ctx *ctx, int64_t t, uint8_t kind, uint8_t what, uint8_t old_state,
                         uint8_t new_state, const tracee_proc *p, const endpoint *local, const endpoint *remote,
                         bool owner, uint64_t lost)
{
    int64_t ts = t + hosts[H_G].clock_offset;
    GByteArray *b = g_byte_array_sized_new(PROCREC_SIZE);
    put64(b, (uint64_t)ts);
    put8(b, kind);
    put8(b, local ? (uint8_t)local->family : 0);
    put8(b, kind == PR_TCP ? 6 : kind == PR_UDP ? 17 : 0);
    put8(b, what);
    put8(b, old_state);
    put8(b, new_state);
    put16(b, 0);
    put32(b, p ? p->host_pid : 0);
    put32(b, p ? p->host_tid : 0);
    put32(b, p ? p->host_ppid : 0);
    put32(b, p ? p->uid : 0);
    put64(b, p ? p->cgroup : 0);
    for (int k = 0; k < 2; k++) {
        const endpoint *e = k ? remote : local;
        uint8_t addr[16] = {0};
        if (e)
            memcpy(addr, e->addr, addr_len(e));
        g_byte_array_append(b, addr, 16);
    }
    put16(b, local ? local->port : 0);
    put16(b, remote ? remote->port : 0);
    put32(b, owner ? 1 : 0);
    char comm[16] = {0}, container[64] = {0};
    if (p)
        g_strlcpy(comm, p->comm, sizeof comm);
    g_byte_array_append(b, (const guint8 *)comm, sizeof comm);
    g_byte_array_append(b, (const guint8 *)container, sizeof container);
    put64(b, lost);
    if (b->len != 168)
        fail("procrec: the reserved bytes start at %u, not 168", b->len);
    g_byte_array_set_size(b, PROCREC_SIZE);
    memset(b->data + 168, 0, PROCREC_SIZE - 168); /* reserved */
    add_block(ctx, IF_PROCREC_G, ts, upper_pdu_frame(ps_source_procrec.pdu_dissector, b->data, b->len), -1);
    g_byte_array_free(b, TRUE);
}

typedef struct {
    int64_t t;
    uint8_t what, from, to;
    const tracee_proc *p;
    bool owner;
} procrec_change;

/* Appends a change of the socket's state (what: PR_CONNECT, PR_ACCEPT, PR_STATE, PR_CLOSE). */
static void change(procrec_change *list, unsigned *n, int *state, int64_t t, uint8_t what, uint8_t to,
                   const tracee_proc *p, bool owner)
{
    list[(*n)++] = (procrec_change){t, what, (uint8_t)*state, to, p, owner};
    *state = to;
}

/* The records procshark-record writes about end e's socket, as bpf/procshark.bpf.c takes them: the
 * connect event as the SYN leaves, the accept when accept() returns after the handshake, and every
 * state change after. A change in a system call (connect, close) runs in the owner's context; one
 * in softirq (a packet arriving) in whatever ran, swapper here: with the owner the recorder noted
 * at connect or accept (the owner flag), or, for a socket it never saw made, that context and no
 * flag. Only records with the flag speak for the socket. */
static void procrec_events(scenario_ctx *ctx, conn *c, int e)
{
    const owner *o = &c->own[e];
    const endpoint *local = &c->end[e], *remote = &c->end[1 - e];
    const bool owned = !o->unowned;
    const tracee_proc *softirq = owned ? &o->tp : &kernel_swapper1;
    int state = o->unowned ? LX_ESTABLISHED : LX_CLOSE;
    for (guint i = 0; i < c->segs->len; i++) {
        const segment *s = &g_array_index(c->segs, segment, i);
        const bool leaves = s->dir == e, fin = (s->flags & TH_FIN) != 0;
        const int64_t sent = s->t - 4 * US, arrived = s->t + 8 * US;
        procrec_change ev[2];
        unsigned n = 0;
        if (leaves && (s->flags & (TH_SYN | TH_ACK)) == TH_SYN && state == LX_CLOSE) {
            change(ev, &n, &state, sent, PR_CONNECT, LX_SYN_SENT, &o->tp, true);
        } else if (!leaves && (s->flags & TH_SYN) && state == LX_SYN_SENT) {
            change(ev, &n, &state, arrived, PR_STATE, LX_ESTABLISHED, &o->tp, true);
        } else if (leaves && (s->flags & TH_SYN)) {
            state = LX_SYN_RECV; /* a request socket: no change of a full socket yet */
        } else if (!leaves && state == LX_SYN_RECV) {
            /* The accepted socket is made in softirq, before accept() returns: no owner yet. */
            change(ev, &n, &state, arrived, PR_STATE, LX_ESTABLISHED, &kernel_swapper1, false);
            change(ev, &n, &state, s->t + 70 * US, PR_ACCEPT, LX_ESTABLISHED, &o->tp, true);
        } else if (leaves && fin) {
            change(ev, &n, &state, sent, PR_STATE, state == LX_CLOSE_WAIT ? LX_LAST_ACK : LX_FIN_WAIT1, &o->tp,
                   owned);
        } else if (!leaves && fin && state == LX_ESTABLISHED) {
            change(ev, &n, &state, arrived, PR_STATE, LX_CLOSE_WAIT, softirq, owned);
        } else if (!leaves && fin && state == LX_FIN_WAIT1) {
            /* The peer's FIN acknowledges ours: FIN_WAIT2, then this socket is done (the
             * TIME_WAIT socket that follows is another). */
            change(ev, &n, &state, arrived, PR_STATE, LX_FIN_WAIT2, softirq, owned);
            change(ev, &n, &state, arrived + 2 * US, PR_CLOSE, LX_CLOSE, softirq, owned);
        } else if (!leaves && state == LX_LAST_ACK) {
            change(ev, &n, &state, arrived, PR_CLOSE, LX_CLOSE, softirq, owned);
        }
        for (unsigned k = 0; k < n; k++) {
            emit_procrec(ctx, ev[k].t, PR_TCP, ev[k].what, ev[k].from, ev[k].to, ev[k].p, local, remote, ev[k].owner,
                         0);
            if (ev[k].owner) /* host G's clock is the capture's: no estimate to apply */
                note_record(c->record_times[e], ev[k].t + hosts[H_G].clock_offset, false);
        }
    }
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
    note_record(c->record_times[e], ts - ts % US, false);
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
    note_row(ctx, c->end[e], false, o->pid, created_ms);
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
    note_row(ctx, ep(local, port), false, pid, created_ms);
    g_string_free(j, TRUE);
}

/* "pid\tname" of an owner at time t as the truth states it. */
static void truth_owner(const char *label, const owner *o, int64_t t, GString *out)
{
    if (o->kind == OWN_TRACEE || o->kind == OWN_PTCPDUMP || o->kind == OWN_PROCREC) {
        g_string_append_printf(out, "%u\t%s", o->tp.host_pid, o->tp.comm);
        return;
    }
    const char *name = process_name(o->host, o->pid, t, false);
    if (!name)
        fail("%s: pid %u has no name at its packet", label, o->pid);
    /* The plugin reads the name at the packet's time on the records' clock, minus the estimate:
     * the same name a quarter second either way. */
    for (int64_t d = -250 * MS; d <= 250 * MS; d += 250 * MS) {
        const char *seen = process_name(o->host, o->pid, t + hosts[o->host].clock_offset + d, true);
        if (!seen || strcmp(seen, name) != 0)
            fail("%s: pid %u's name changes near a packet", label, o->pid);
    }
    g_string_append_printf(out, "%u\t%s", o->pid, name);
}

/* How the truth knows an end: records of its own connection or flow (ptcpdump comments included),
 * only records of its local socket with other peers, a table row, only the etl2pcapng comment on
 * the packet itself, or nothing. */
typedef enum { KNOWN_NONE, KNOWN_RECORDS, KNOWN_SOCKET, KNOWN_SNAPSHOT, KNOWN_COMMENT } known_by;
static const char *const known_names[] = {"-", "records", "socket", "snapshot", "comment"};

/* An end that nothing above the comment level names: the etl2pcapng comment on its packet names it
 * if it names a process, which must then be the end's owner; pid 0 or 4 names nothing. */
static known_by truth_comment(const char *label, const owner *o, uint32_t comment_pid, int64_t t, GString *out)
{
    if (comment_names_nothing(comment_pid)) {
        g_string_append(out, "-\t-");
        return KNOWN_NONE;
    }
    if (o->kind != OWN_COMMENT || comment_pid != o->pid)
        fail("%s: a comment names pid %u where no record names the owner", label, comment_pid);
    truth_owner(label, o, t, out);
    return KNOWN_COMMENT;
}

/* The owner of TCP end e at its packet i as the truth states it, "-" when nothing speaks for it. A
 * record, whatever the comment says (a DPC's pid), wins. */
static known_by truth_end(const conn *c, int e, guint i, GString *out)
{
    const owner *o = &c->own[e];
    const segment *s = &g_array_index(c->segs, segment, i);
    if (o->kind == OWN_NONE || o->kind == OWN_COMMENT || c->record_times[e]->len == 0) {
        uint32_t pid = c->pt.on && c->pt.end == e ? g_array_index(c->comment_pids, uint32_t, i) : NO_COMMENT;
        return truth_comment(c->label, o, pid, s->t, out);
    }
    truth_owner(c->label, o, s->t, out);
    return o->kind == OWN_NETTCP ? KNOWN_SNAPSHOT : KNOWN_RECORDS;
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
        uint32_t comment_pid = NO_COMMENT;
        if (c->pt.on)
            comment_pid = comment_packet(&c->pt, s->dir == c->pt.end,
                                         &g_array_index(ctx->blocks, block, ctx->blocks->len - 1).meta);
        g_array_append_val(c->comment_pids, comment_pid);
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
            note_record(c->record_times[e], s->t, false);
        }
    }
    unsigned first_truth = ctx->truth->len - c->segs->len;
    for (int e = 0; e < 2; e++) {
        owner *o = &c->own[e];
        unsigned count = 0;
        if (o->kind == OWN_PTCPDUMP || o->kind == OWN_COMMENT)
            continue; /* its comments are on the packets above */
        if (o->kind == OWN_PROCREC) {
            procrec_events(ctx, c, e);
            continue;
        }
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
        known_by src = truth_end(c, s->dir, i, line);
        g_string_append_c(line, '\t');
        known_by dst = truth_end(c, 1 - s->dir, i, line);
        g_string_append_printf(line, "\ttcp\t%s\t%s", known_names[src], known_names[dst]);
        ctx->truth->pdata[first_truth + i] = g_string_free(line, FALSE);
    }
    g_array_free(checks, TRUE);
}

/* --- UDP flows carrying DNS ------------------------------------------------------------------- */

enum { DNS_A = 1, DNS_CNAME = 5, DNS_AAAA = 28 };
enum { DNS_NOERROR = 0, DNS_NXDOMAIN = 3 };

typedef struct {
    uint16_t type;    /* DNS_A, DNS_CNAME, DNS_AAAA */
    const char *data; /* the address as text, or the CNAME's target */
    uint32_t ttl;
} dns_rr;

/* One DNS message with one question: a query (RD), or its response (QR, RD, RA) and answers. */
typedef struct {
    uint16_t id;
    const char *qname;
    uint16_t qtype;
    bool response;
    uint16_t rcode;
    const dns_rr *answers;
    size_t n_answers;
} dns_msg;

static const char *dns_type_name(uint16_t type) { return type == DNS_A ? "A" : type == DNS_AAAA ? "AAAA" : "CNAME"; }

static void dns_name(GByteArray *b, const char *name)
{
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, ".");
        put8(b, (uint8_t)n);
        g_byte_array_append(b, (const guint8 *)p, (guint)n);
        p += n + (p[n] == '.');
    }
    put8(b, 0);
}

/* The message as on the wire; each answer's name is a pointer to the question's name, or to the
 * target of the CNAME before it. */
static GByteArray *dns_wire(const dns_msg *m)
{
    GByteArray *b = g_byte_array_new();
    put16be(b, m->id);
    put16be(b, m->response ? (uint16_t)(0x8180 | m->rcode) : 0x0100);
    put16be(b, 1);
    put16be(b, (uint16_t)m->n_answers);
    put16be(b, 0);
    put16be(b, 0);
    dns_name(b, m->qname);
    put16be(b, m->qtype);
    put16be(b, 1); /* IN */
    uint16_t owner = 12;
    for (size_t i = 0; i < m->n_answers; i++) {
        const dns_rr *rr = &m->answers[i];
        put16be(b, (uint16_t)(0xc000 | owner));
        put16be(b, rr->type);
        put16be(b, 1);
        put32be(b, rr->ttl);
        size_t rdlength = b->len;
        put16be(b, 0);
        if (rr->type == DNS_CNAME) {
            owner = (uint16_t)b->len;
            dns_name(b, rr->data);
        } else {
            uint8_t addr[16];
            bool v6 = rr->type == DNS_AAAA;
            if (inet_pton(v6 ? AF_INET6 : AF_INET, rr->data, addr) != 1)
                fail("bad answer %s", rr->data);
            g_byte_array_append(b, addr, v6 ? 16 : 4);
        }
        ps_put_be16(b->data + rdlength, (uint16_t)(b->len - rdlength - 2));
    }
    return b;
}

/* The message as tracee's trace.ProtoDNS prints it (the keys of its documented net_packet_dns lines). */
static void dns_json(GString *j, const dns_msg *m)
{
    g_string_append_printf(j,
                           "{\"ID\":%u,\"QR\":%d,\"opCode\":\"query\",\"AA\":0,\"TC\":0,\"RD\":1,\"RA\":%d,\"Z\":0,"
                           "\"responseCode\":\"%s\",\"QDCount\":1,\"ANCount\":%zu,\"NSCount\":0,\"ARCount\":0,"
                           "\"questions\":[{\"name\":",
                           m->id, m->response, m->response, m->rcode ? "non-existent domain" : "no error",
                           m->n_answers);
    json_str(j, m->qname);
    g_string_append_printf(j, ",\"type\":\"%s\",\"class\":\"IN\"}],\"answers\":[", dns_type_name(m->qtype));
    const char *owner = m->qname;
    for (size_t i = 0; i < m->n_answers; i++) {
        const dns_rr *rr = &m->answers[i];
        bool cname = rr->type == DNS_CNAME;
        g_string_append(j, i ? ",{\"name\":" : "{\"name\":");
        json_str(j, owner);
        g_string_append_printf(j, ",\"type\":\"%s\",\"class\":\"IN\",\"TTL\":%u,\"IP\":", dns_type_name(rr->type),
                               rr->ttl);
        json_str(j, cname ? "" : rr->data);
        g_string_append(j, ",\"NS\":\"\",\"CNAME\":");
        json_str(j, cname ? rr->data : "");
        g_string_append(j, ",\"PTR\":\"\",\"TXTs\":null,\"SOA\":{\"MName\":\"\",\"RName\":\"\",\"serial\":0,"
                           "\"refresh\":0,\"retry\":0,\"expire\":0,\"minimum\":0},\"SRV\":{\"priority\":0,"
                           "\"weight\":0,\"port\":0,\"name\":\"\"},\"MX\":{\"preference\":0,\"name\":\"\"},"
                           "\"OPT\":[],\"URI\":{\"priority\":0,\"weight\":0,\"target\":\"\"},\"TXT\":\"\"}");
        if (cname)
            owner = rr->data;
    }
    g_string_append(j, "],\"authorities\":[],\"additionals\":[]}");
}

typedef struct {
    int64_t t;
    int dir; /* 0: end[0] sends it, 1: end[1] */
    dns_msg dns;
    bool logged; /* end 0's host writes a record of it */
} datagram;

/* One socket pair's datagrams. Only end 0's host (the client's; in GU2 the server's) writes records
 * in these scenarios; the peer is known from a Get-NetUDPEndpoint row or not at all. */
typedef struct {
    const char *label;
    endpoint end[2]; /* 0 the socket whose host writes records (a client's but in GU2), 1 its peer */
    owner own[2];
    bool socket_only; /* end 0 writes nothing here: its owner is known from the socket's other flows */
    bool udp_header;  /* tracee: net_packet_udp with proto_udp; else net_packet_dns */
    const char *bound; /* procshark-record: end 0's socket is unconnected, bound to this address ("0.0.0.0":
                        * every address); a receive names it and no peer */
    unsigned iface;
    int64_t t;
    uint8_t ttl[2];
    uint16_t ip_id[2];
    GArray *dgrams;       /* datagram */
    pidtid_comments pt;
    GArray *record_times; /* end 0's records about the flow, adjusted as rule 6 does */
    GArray *socket_times; /* end 0's records about its socket, with no peer */
    GArray *comment_pids; /* per datagram: its etl2pcapng comment's pid, NO_COMMENT */
} udp_flow;

static udp_flow *udp_new(scenario_ctx *ctx, const char *label, unsigned iface, endpoint client, endpoint peer,
                         int64_t start_ms)
{
    udp_flow *f = g_new0(udp_flow, 1);
    f->label = label;
    f->iface = iface;
    f->end[0] = client;
    f->end[1] = peer;
    f->t = at_ms(start_ms);
    f->ttl[0] = f->ttl[1] = 64;
    uint32_t h = (uint32_t)client.port * 2654435761u ^ (uint32_t)peer.port * 40503u ^ (uint32_t)start_ms;
    f->ip_id[0] = (uint16_t)(h >> 7);
    f->ip_id[1] = (uint16_t)(h >> 19);
    f->dgrams = g_array_new(FALSE, TRUE, sizeof(datagram));
    f->record_times = g_array_new(FALSE, FALSE, sizeof(int64_t));
    f->socket_times = g_array_new(FALSE, FALSE, sizeof(int64_t));
    f->comment_pids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_ptr_array_add(ctx->flows, f);
    return f;
}

static owner netudp_owner(int host, uint32_t pid)
{
    owner o = {0};
    o.kind = OWN_NETUDP;
    o.host = host;
    o.pid = pid;
    return o;
}

#define NO_RESPONSE INT64_MIN

/* A query dt after the previous datagram and, unless rtt is NO_RESPONSE, its response rtt later
 * (without answers: NXDOMAIN). log: bit 0 the client's host records the query, bit 1 the response. */
static void dns_lookup(udp_flow *f, int64_t dt, int64_t rtt, uint16_t id, const char *qname, uint16_t qtype,
                       const dns_rr *answers, size_t n_answers, unsigned log)
{
    f->t += dt;
    datagram q = {f->t, 0, {id, qname, qtype, false, 0, NULL, 0}, (log & 1) != 0};
    g_array_append_val(f->dgrams, q);
    if (rtt == NO_RESPONSE)
        return;
    f->t += rtt;
    datagram r = {f->t, 1, {id, qname, qtype, true, n_answers ? DNS_NOERROR : DNS_NXDOMAIN, answers, n_answers},
                  (log & 2) != 0};
    g_array_append_val(f->dgrams, r);
}

/* A Kernel-Network UDP event, GEN4 or GEN6 (ids 42 send and 43 receive, IPv6 58 and 59): PID, size
 * (the payload's), daddr, saddr, dport, sport, seqnum, connid. A send goes from the local socket; a
 * receive keeps the datagram's order, the local socket its destination. */
static void emit_etw_udp(scenario_ctx *ctx, int h, int64_t t, bool send, const endpoint *local,
                         const endpoint *remote, uint32_t pid, uint32_t size)
{
    const endpoint *src = send ? local : remote, *dst = send ? remote : local;
    GByteArray *b = g_byte_array_new();
    put32(b, pid);
    put32(b, size);
    g_byte_array_append(b, dst->addr, (guint)addr_len(dst));
    g_byte_array_append(b, src->addr, (guint)addr_len(src));
    put16be(b, dst->port);
    put16be(b, src->port);
    put32(b, 0); /* seqnum */
    put64(b, 0); /* connid */
    uint16_t id = (uint16_t)((send ? 42 : 43) + (local->family == 6 ? 16 : 0));
    emit_etw(ctx, h, t, ctx->guid_kernel_network, id, 0, 0, ETW_FLAG_64_BIT_HEADER, 4000 + pid % 977,
             send ? pid : 4, b);
    g_byte_array_free(b, TRUE);
}

/* tracee's event for a datagram of its client: net_packet_udp with the UDP header (the engine's
 * PACKET claim), or net_packet_dns with the message (the socket's owner only: v0.20's metadata has
 * the direction but no packet_len). */
static void emit_tracee_udp(scenario_ctx *ctx, udp_flow *f, const datagram *d, uint16_t length, uint16_t check)
{
    const endpoint *src = &f->end[d->dir], *dst = &f->end[1 - d->dir];
    bool egress = d->dir == 0;
    int64_t ts = d->t + (egress ? -15 * US : 25 * US) + hosts[H_C].clock_offset;
    GString *j = tracee_event_head(&f->own[0].tp, ts, f->udp_header ? "2003" : "2006",
                                   f->udp_header ? "net_packet_udp" : "net_packet_dns", src, dst);
    g_string_append_printf(j,
                           "},{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":%u},"
                           "{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":%u},"
                           "{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":%d}},",
                           src->port, dst->port, egress ? 2 : 1);
    if (f->udp_header) {
        g_string_append_printf(j,
                               "{\"name\":\"proto_udp\",\"type\":\"trace.ProtoUDP\",\"value\":{\"srcPort\":%u,"
                               "\"dstPort\":%u,\"length\":%u,\"checksum\":%u}}]}",
                               src->port, dst->port, length, check);
    } else {
        g_string_append(j, "{\"name\":\"proto_dns\",\"type\":\"trace.ProtoDNS\",\"value\":");
        dns_json(j, &d->dns);
        g_string_append(j, "}]}");
    }
    emit_json(ctx, IF_TRACEE_C, ps_source_tracee.pdu_dissector, ts, j);
    g_string_free(j, TRUE);
    note_record(f->record_times, ts, true);
}

/* A Get-NetUDPEndpoint row of host B, as Windows PowerShell 5.1's ConvertTo-Json writes it
 * (docs/FORMATS.md section 5), compressed. */
static void netudp_row(scenario_ctx *ctx, int64_t snapshot_ms, const char *local, uint16_t port, uint32_t pid,
                       int64_t created_ms)
{
    GString *j = g_string_new(NULL);
    g_string_append_printf(j, "{\"OwningProcess\":%u,\"CreationTime\":\"\\/Date(%" PRId64 ")\\/\",\"InstanceID\":",
                           pid, (BASE_NS / MS) + created_ms);
    char *instance = g_strdup_printf("%s++%u", local, port);
    json_str(j, instance);
    g_free(instance);
    g_string_append(j, ",\"LocalAddress\":");
    json_str(j, local);
    g_string_append_printf(j, ",\"LocalPort\":%u,\"PSComputerName\":null,"
                              "\"CimClass\":\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\"}", port);
    emit_json(ctx, IF_NETUDP_B, ps_source_nettcp.pdu_dissector, at_ms(snapshot_ms), j);
    g_string_free(j, TRUE);
    note_row(ctx, ep(local, port), true, pid, created_ms);
}

static known_by udp_truth_end(const udp_flow *f, int e, guint i, GString *out)
{
    const owner *o = &f->own[e];
    int64_t t = g_array_index(f->dgrams, datagram, i).t;
    if (o->kind == OWN_NONE || o->kind == OWN_COMMENT) {
        uint32_t pid = f->pt.on && f->pt.end == e ? g_array_index(f->comment_pids, uint32_t, i) : NO_COMMENT;
        return truth_comment(f->label, o, pid, t, out);
    }
    truth_owner(f->label, o, t, out);
    if (o->kind == OWN_NETUDP)
        return KNOWN_SNAPSHOT;
    return e == 0 && (f->socket_only || !f->record_times->len) ? KNOWN_SOCKET : KNOWN_RECORDS;
}

static void udp_emit(scenario_ctx *ctx, udp_flow *f)
{
    const owner *o = &f->own[0];
    if (f->own[1].kind == OWN_ETW || f->own[1].kind == OWN_TRACEE || f->own[1].kind == OWN_PROCREC)
        fail("%s: only the client's host writes records", f->label);
    unsigned first_truth = ctx->truth->len;
    for (guint i = 0; i < f->dgrams->len; i++) {
        const datagram *d = &g_array_index(f->dgrams, datagram, i);
        const endpoint *src = &f->end[d->dir], *dst = &f->end[1 - d->dir];
        GByteArray *payload = dns_wire(&d->dns);
        uint16_t length = (uint16_t)(8 + payload->len);
        GByteArray *u = g_byte_array_new();
        put16be(u, src->port);
        put16be(u, dst->port);
        put16be(u, length);
        put16be(u, 0); /* checksum, below */
        g_byte_array_append(u, payload->data, payload->len);
        uint16_t check = transport_checksum(src, dst, 17, u->data, u->len);
        check = check ? check : 0xffff; /* 0 would say "no checksum" */
        ps_put_be16(u->data + 6, check);
        add_block(ctx, f->iface, d->t, ip_wrap(src, dst, 17, f->ttl[d->dir], &f->ip_id[d->dir], u),
                  (int)ctx->truth->len);
        g_ptr_array_add(ctx->truth, NULL); /* filled below */
        uint32_t comment_pid = NO_COMMENT;
        if (f->pt.on)
            comment_pid = comment_packet(&f->pt, d->dir == f->pt.end,
                                         &g_array_index(ctx->blocks, block, ctx->blocks->len - 1).meta);
        g_array_append_val(f->comment_pids, comment_pid);
        if (d->logged) {
            if (o->kind == OWN_ETW) {
                /* logged as the send leaves the socket, before the capture point sees it; a
                 * receive after */
                bool send = d->dir == 0;
                int64_t t = d->t + (send ? -120 * US : 260 * US);
                emit_etw_udp(ctx, o->host, t, send, &f->end[0], &f->end[1], o->pid, payload->len);
                note_record(f->record_times, t + hosts[o->host].clock_offset, false);
            } else if (o->kind == OWN_TRACEE) {
                emit_tracee_udp(ctx, f, d, length, check);
            } else if (o->kind == OWN_PROCREC && d->dir == 0) {
                /* the send from the datagram's own headers, as it leaves for the device */
                emit_procrec(ctx, d->t - 4 * US, PR_UDP, PR_UDP_SEND, 0, 0, &o->tp, &f->end[0], &f->end[1], false, 0);
                note_record(f->record_times, d->t - 4 * US + hosts[H_G].clock_offset, false);
            } else if (o->kind == OWN_PROCREC) {
                /* the receive from the socket once recvmsg() returns: an unconnected socket's bound
                 * address and no peer; bound to every address (0.0.0.0), it names no socket of a
                 * packet */
                if (!f->bound)
                    fail("%s: a receive of a connected socket", f->label);
                endpoint local = ep(f->bound, f->end[0].port), none = ep("0.0.0.0", 0);
                emit_procrec(ctx, d->t + 35 * US, PR_UDP, PR_UDP_RECEIVE, 0, 0, &o->tp, &local, &none, false, 0);
                if (same_socket(&local, &f->end[0]))
                    note_record(f->socket_times, d->t + 35 * US + hosts[H_G].clock_offset, false);
            } else {
                fail("%s: a datagram logged by nobody's records", f->label);
            }
        }
        g_byte_array_free(payload, TRUE);
    }
    for (guint i = 0; i < f->dgrams->len; i++) {
        const datagram *d = &g_array_index(f->dgrams, datagram, i);
        GString *line = g_string_new(NULL);
        known_by src = udp_truth_end(f, d->dir, i, line);
        g_string_append_c(line, '\t');
        known_by dst = udp_truth_end(f, 1 - d->dir, i, line);
        g_string_append_printf(line, "\tdns\t%s\t%s", known_names[src], known_names[dst]);
        ctx->truth->pdata[first_truth + i] = g_string_free(line, FALSE);
    }
}

/* Whether flow g's records speak for socket s (only a client's host writes them). */
static bool records_on(const udp_flow *g, const endpoint *s)
{
    return same_socket(&g->end[0], s) && (g->record_times->len > 0 || g->socket_times->len > 0);
}

static int64_t nearest_distance(const GArray *times, int64_t t)
{
    int64_t best = INT64_MAX;
    for (guint k = 0; k < times->len; k++)
        best = MIN(best, llabs(g_array_index(times, int64_t, k) - t));
    return best;
}

/* The UDP row that names socket s: its own; else one on its port at the all-zero address, when s's
 * address is loopback or one the rows named (docs/ATTRIBUTION.md: the rows' source names that
 * host's sockets). NULL: none. */
static const table_row *udp_row_for(const scenario_ctx *ctx, const endpoint *s)
{
    static const uint8_t zero[16], loopback6[16] = {[15] = 1};
    const table_row *wildcard = NULL;
    bool named = s->family == 4 ? s->addr[0] == 127 : memcmp(s->addr, loopback6, 16) == 0;
    for (guint i = 0; i < ctx->rows->len; i++) {
        const table_row *r = &g_array_index(ctx->rows, table_row, i);
        bool same_address = r->local.family == s->family && memcmp(r->local.addr, s->addr, addr_len(s)) == 0;
        named |= same_address;
        if (!r->udp || r->local.port != s->port || r->local.family != s->family)
            continue;
        if (same_address)
            return r;
        if (memcmp(r->local.addr, zero, addr_len(s)) == 0)
            wildcard = r;
    }
    return named ? wildcard : NULL;
}

/* The design's checks for UDP, where a socket has no connection (docs/ATTRIBUTION.md): a client
 * known from its flow's records has records nearer to each of its datagrams, by a margin, than any
 * other flow of the same socket pair; one known from its socket alone shares it with records of no
 * other process; a row names a socket no record speaks for, created before the flow; an unknown
 * end has neither a record nor a row that could name it. */
static void check_udp_design(const scenario_ctx *ctx)
{
    for (guint i = 0; i < ctx->flows->len; i++) {
        const udp_flow *f = ctx->flows->pdata[i];
        int64_t t0 = g_array_index(f->dgrams, datagram, 0).t;
        for (int e = 0; e < 2; e++) {
            const owner *o = &f->own[e];
            const endpoint *s = &f->end[e];
            if (e == 0 && f->socket_only) {
                bool named = false;
                for (guint j = 0; j < ctx->flows->len; j++) {
                    const udp_flow *g = ctx->flows->pdata[j];
                    if (g == f || !records_on(g, s))
                        continue;
                    if (g->own[0].pid != o->pid)
                        fail("%s: %s's records of another process are on its socket", f->label, g->label);
                    named = true;
                }
                if (!named || f->record_times->len)
                    fail("%s: not known from its socket's other flows alone", f->label);
            } else if (e == 0 && o->kind == OWN_PROCREC && !f->record_times->len) {
                /* known from its socket's records without a peer alone: of its process only */
                if (!f->socket_times->len)
                    fail("%s: end 0 has no record", f->label);
                for (guint j = 0; j < ctx->flows->len; j++) {
                    const udp_flow *g = ctx->flows->pdata[j];
                    if (records_on(g, s) && g->own[0].pid != o->pid)
                        fail("%s: %s's records of another process are on its socket", f->label, g->label);
                }
            } else if (o->kind == OWN_ETW || o->kind == OWN_TRACEE || o->kind == OWN_PROCREC) {
                if (!f->record_times->len)
                    fail("%s: end %d has no record", f->label, e);
                for (guint k = 0; k < f->dgrams->len; k++) {
                    int64_t t = g_array_index(f->dgrams, datagram, k).t;
                    int64_t own = nearest_distance(f->record_times, t);
                    for (guint j = 0; j < ctx->flows->len; j++) {
                        const udp_flow *g = ctx->flows->pdata[j];
                        if (g != f && records_on(g, s) && same_socket(&g->end[1], &f->end[1]) &&
                            nearest_distance(g->record_times, t) < own + CHECK_MARGIN)
                            fail("%s: a record of %s is as near to a datagram", f->label, g->label);
                    }
                }
            } else {
                for (guint j = 0; j < ctx->flows->len; j++)
                    if (records_on(ctx->flows->pdata[j], s))
                        fail("%s: end %d has records", f->label, e);
                const table_row *row = udp_row_for(ctx, s);
                if (o->kind == OWN_NETUDP && (!row || row->pid != o->pid || row->created >= t0))
                    fail("%s: no row names end %d before its flow", f->label, e);
                if ((o->kind == OWN_NONE || o->kind == OWN_COMMENT) && row)
                    fail("%s: a row names end %d", f->label, e);
            }
        }
    }
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
            const owner *o = &c->own[e];
            if (o->unowned && times->len)
                fail("%s: end %d's records without the owner flag speak for it", c->label, e);
            if (o->kind == OWN_NONE || o->kind == OWN_NETTCP || o->kind == OWN_COMMENT || o->unowned)
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

/* U1. Host A, ETW: curl.exe resolves example.com before its connection of scenario 1, and
 * Dnscache's svchost.exe resolves names for other programs, one source port per query; both ask
 * host B's resolver (U2). Kernel-Network send events for every query, receive events for some
 * responses (the others are known from their flow's sends). Dnscache also asks a third host,
 * 10.9.0.53, which no record or row names and which never answers: its end stays unknown. */
static void udp_etw_dns_clients(scenario_ctx *ctx)
{
    static const dns_rr example_com[] = {{DNS_A, "93.184.216.34", 3600}};
    static const dns_rr example_com6[] = {{DNS_AAAA, "2606:2800:220:1:248:1893:25c8:1946", 3600}};
    static const dns_rr settings[] = {{DNS_CNAME, "settings-prod-weu-1.westeurope.cloudapp.azure.com", 1800},
                                      {DNS_A, "20.73.194.208", 10}};
    static const dns_rr login[] = {{DNS_CNAME, "login.msa.msidentity.com", 300},
                                   {DNS_A, "20.190.160.20", 60},
                                   {DNS_A, "40.126.32.134", 60}};
    static const dns_rr outlook[] = {{DNS_CNAME, "outlook.ms-acdc.office.com", 60},
                                     {DNS_AAAA, "2603:1026:c02:1c::2", 30}};
    udp_flow *f = udp_new(ctx, "U1 curl.exe -> resolver B", IF_NET_A, ep("10.1.0.10", 61001), ep("10.3.0.30", 53),
                          1200);
    f->own[0] = etw_owner(H_A, 5124);
    f->own[1] = netudp_owner(H_B, 1964);
    f->ttl[0] = f->ttl[1] = 128;
    dns_lookup(f, 0, 1400 * US, 0x3c51, "example.com", DNS_A, example_com, 1, 3);
    dns_lookup(f, 200 * US, 1300 * US, 0x8e07, "example.com", DNS_AAAA, example_com6, 1, 1);

    static const struct {
        const char *label, *resolver;
        uint16_t port, id;
        int64_t start_ms;
        const char *qname;
        uint16_t qtype;
        const dns_rr *answers;
        size_t n_answers;
        int64_t rtt_us; /* NO_RESPONSE: none */
        unsigned log;
    } dnscache[] = {
        {"U1 svchost.exe settings-win", "10.3.0.30", 52344, 0x11a4, 4300, "settings-win.data.microsoft.com", DNS_A,
         settings, G_N_ELEMENTS(settings), 1700, 3},
        {"U1 svchost.exe login.live.com", "10.3.0.30", 57812, 0x7e21, 9800, "login.live.com", DNS_A, login,
         G_N_ELEMENTS(login), 2300, 1},
        {"U1 svchost.exe outlook", "10.3.0.30", 49731, 0x0c9b, 21500, "outlook.office365.com", DNS_AAAA, outlook,
         G_N_ELEMENTS(outlook), 1900, 3},
        {"U1 svchost.exe -> 10.9.0.53 (third host)", "10.9.0.53", 50412, 0x4410, 36000, "wpad.corp.example", DNS_A,
         NULL, 0, NO_RESPONSE, 1},
        {"U1 svchost.exe wpad NXDOMAIN", "10.3.0.30", 50413, 0x4411, 37000, "wpad.corp.example", DNS_A, NULL, 0, 1600,
         1},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(dnscache); k++) {
        f = udp_new(ctx, dnscache[k].label, IF_NET_A, ep("10.1.0.10", dnscache[k].port), ep(dnscache[k].resolver, 53),
                    dnscache[k].start_ms);
        f->own[0] = etw_owner(H_A, 1388);
        if (strcmp(dnscache[k].resolver, "10.3.0.30") == 0)
            f->own[1] = netudp_owner(H_B, 1964);
        f->ttl[0] = f->ttl[1] = 128;
        dns_lookup(f, 0, dnscache[k].rtt_us == NO_RESPONSE ? NO_RESPONSE : dnscache[k].rtt_us * US, dnscache[k].id,
                   dnscache[k].qname, dnscache[k].qtype, dnscache[k].answers, dnscache[k].n_answers, dnscache[k].log);
    }
}

/* U2. Host B's resolver, dns.exe, known only from a Get-NetUDPEndpoint snapshot: its socket bound to
 * every address (0.0.0.0:53), and the NetBIOS name socket of System on 10.3.0.30, which is how the
 * engine learns that address is host B's. U1, U4 and U5 send to it; their 10.3.0.30:53 ends are
 * attributed from the wildcard row, U1's third host's is not. */
static void netudp_snapshot_b(scenario_ctx *ctx)
{
    netudp_row(ctx, 44000, "0.0.0.0", 53, 1964, -10 * 86400 * 1000 + 93000);
    netudp_row(ctx, 44000, "10.3.0.30", 137, 4, -10 * 86400 * 1000 + 12000);
}

/* U3. Host C, tracee (clock 1.5 s behind): curl resolves through the LAN's resolver with
 * net_packet_dns events (v0.20's metadata direction, egress for each query, ingress for each
 * response: the socket's owner only), and another curl over IPv6 with net_packet_udp events whose
 * proto_udp length and checksum are the datagram's (exact matches, samples for the estimate of
 * host C's IPv6 clock); its last response has no event. The resolvers are nobody's. */
static void udp_tracee_curl(scenario_ctx *ctx)
{
    static const dns_rr example_org[] = {{DNS_A, "93.184.215.14", 3600}};
    static const dns_rr example_org6[] = {{DNS_AAAA, "2606:2800:21f:cb07:6820:80da:af6b:8b2c", 3600}};
    static const dns_rr pypi[] = {{DNS_A, "151.101.0.223", 300}};
    static const dns_rr pypi6[] = {{DNS_AAAA, "2a04:4e42::223", 300}};
    udp_flow *f = udp_new(ctx, "U3 curl net_packet_dns (host C, -1.5 s)", IF_NET_C, ep("10.2.0.20", 39001),
                          ep("10.2.0.1", 53), 29000);
    f->own[0] = tracee_owner(host_proc(7250, 6990, 1000, "curl", "/usr/bin/curl"));
    dns_lookup(f, 0, 900 * US, 0x51c3, "example.org", DNS_A, example_org, 1, 3);
    dns_lookup(f, 150 * US, 1100 * US, 0x6a0e, "example.org", DNS_AAAA, example_org6, 1, 3);

    f = udp_new(ctx, "U3 curl net_packet_udp IPv6 (host C, -1.5 s)", IF_NET_C, ep("2001:db8:2::20", 39002),
                ep("2001:db8:ff::53", 53), 45500);
    f->own[0] = tracee_owner(host_proc(7260, 6990, 1000, "curl", "/usr/bin/curl"));
    f->udp_header = true;
    f->ttl[1] = 57;
    dns_lookup(f, 0, 2100 * US, 0x0d3f, "pypi.org", DNS_A, pypi, 1, 3);
    dns_lookup(f, 300 * US, 2300 * US, 0x9b12, "pypi.org", DNS_AAAA, pypi6, 1, 1);
}

/* U4. One socket pair (10.1.0.10:53000, unbound.exe's configured source port, to host B's
 * resolver), one udp.stream: unbound.exe pid 7100 until it stops at 26 s, then pid 7188 30 s later.
 * Events on some datagrams of each period; the others belong to the owner of their period, whose
 * records are the nearest. */
static void udp_reused_socket_pair(scenario_ctx *ctx)
{
    static const dns_rr update[] = {{DNS_A, "198.51.100.61", 300}};
    static const dns_rr cdn[] = {{DNS_CNAME, "cdn.example.net.edge.example", 120}, {DNS_A, "198.51.100.62", 20}};
    static const dns_rr mail[] = {{DNS_A, "198.51.100.63", 3600}};
    static const dns_rr intranet[] = {{DNS_AAAA, "2001:db8:1::80", 3600}};
    static const struct {
        const char *label;
        uint32_t pid;
        int64_t start_ms;
        unsigned log[3];
    } period[] = {
        {"U4 unbound.exe (pid 7100)", 7100, 22000, {3, 0, 1}},
        {"U4 unbound.exe (pid 7188, the same socket pair)", 7188, 52000, {0, 3, 0}},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(period); k++) {
        udp_flow *f = udp_new(ctx, period[k].label, IF_NET_A, ep("10.1.0.10", 53000), ep("10.3.0.30", 53),
                              period[k].start_ms);
        f->own[0] = etw_owner(H_A, period[k].pid);
        f->own[1] = netudp_owner(H_B, 1964);
        f->ttl[0] = f->ttl[1] = 128;
        dns_lookup(f, 0, 1800 * US, (uint16_t)(0x2a60 + k), "update.example.net", DNS_A, update, 1, period[k].log[0]);
        dns_lookup(f, 700 * MS, 2100 * US, (uint16_t)(0x2a70 + k), "cdn.example.net", DNS_A, cdn, G_N_ELEMENTS(cdn),
                   period[k].log[1]);
        if (k)
            dns_lookup(f, 700 * MS, 1500 * US, 0x2a81, "intranet.example.net", DNS_AAAA, intranet, 1, period[k].log[2]);
        else
            dns_lookup(f, 700 * MS, 1500 * US, 0x2a80, "mail.example.net", DNS_A, mail, 1, period[k].log[2]);
    }
}

/* U5. Host A: python.exe's one UDP socket asks three resolvers in turn; only the exchange with the
 * first (host B) has events. The other two flows are known from the socket alone ("socket"
 * matches), their resolvers' ends not at all. */
static void udp_socket_many_peers(scenario_ctx *ctx)
{
    static const dns_rr example_org[] = {{DNS_A, "93.184.215.14", 3600}};
    static const char *const resolvers[] = {"10.3.0.30", "1.1.1.1", "9.9.9.9"};
    static const char *const labels[] = {"U5 python.exe -> resolver B (events)",
                                         "U5 python.exe -> 1.1.1.1 (socket only)",
                                         "U5 python.exe -> 9.9.9.9 (socket only)"};
    for (size_t k = 0; k < G_N_ELEMENTS(resolvers); k++) {
        udp_flow *f = udp_new(ctx, labels[k], IF_NET_A, ep("10.1.0.10", 60100), ep(resolvers[k], 53),
                              38000 + 200 * (int64_t)k);
        f->own[0] = etw_owner(H_A, 6712);
        if (k == 0)
            f->own[1] = netudp_owner(H_B, 1964);
        f->socket_only = k > 0;
        f->ttl[0] = 128;
        f->ttl[1] = k ? 57 : 128;
        dns_lookup(f, 0, (k ? 12000 : 1500) * US, (uint16_t)(0x2f00 + k), "example.org", DNS_A, example_org, 1,
                   k ? 0 : 3);
    }
}

/* Host G's procshark-record: the records of a process of host G. */
static owner procrec_owner(tracee_proc tp)
{
    owner o = {0};
    o.kind = OWN_PROCREC;
    o.host = H_G;
    o.pid = tp.host_pid;
    o.tp = tp;
    return o;
}

/* G1. Host G loopback, procshark-record: curl's connect event names the client from its SYN on,
 * gunicorn's accept the server; the accepted socket's change to ESTABLISHED came before, in
 * softirq (swapper, no owner flag), and names nothing. curl closes: every later change carries the
 * owner flag, in softirq too. */
static void procrec_loopback_curl_gunicorn(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "G1 curl -> gunicorn (procshark-record)", IF_LO_G, ep("127.0.0.1", 46010),
                       ep("127.0.0.1", 8000), 62000, 60);
    c->own[0] = procrec_owner(host_proc(6401, 6380, 1000, "curl", "/usr/bin/curl"));
    c->own[1] = procrec_owner(host_proc(6433, 1, 33, "gunicorn", "/usr/bin/python3.11"));
    c->win[0] = c->win[1] = 65483;
    handshake(c);
    exchange(c, 78, 1520, 1 * MS);
    exchange(c, 81, 1307, 150 * MS);
    close_conn(c, 0, 2 * MS);
}

/* G2. Host G, procshark-record: an ssh session to sshd made before the recorder started, which so
 * never saw it accepted. The client closes: the kernel's changes come in softirq (swapper) and in
 * sshd's close(), all without the owner flag, so no record speaks for sshd's end: "-". */
static void procrec_unowned_sshd(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "G2 sshd (procshark-record, no owner flag)", IF_NET_G, ep("198.51.100.44", 51522),
                       ep("10.7.0.70", 22), 62800, 26000);
    c->own[1] = procrec_owner(host_proc(6470, 811, 0, "sshd", "/usr/sbin/sshd"));
    c->own[1].unowned = true;
    c->ttl[0] = 52;
    exchange(c, 36, 52, 0);
    exchange(c, 36, 1204, 400 * MS);
    close_conn(c, 0, 300 * MS);
}

/* GU1. Host G, procshark-record: dig asks from an unconnected socket (bound to every address) twice
 * within a second. The first query's send names the flow (the peer from the datagram's headers);
 * its response's receive gives 0.0.0.0 and no peer, naming no socket of a packet; the second
 * exchange is rate-limited, known from the flow's send. The resolver is nobody's. Then 23 events
 * lost. */
static void procrec_udp_dig(scenario_ctx *ctx)
{
    static const dns_rr debian[] = {{DNS_CNAME, "debian.map.fastlydns.net", 3600}, {DNS_A, "151.101.2.132", 60}};
    static const dns_rr debian6[] = {{DNS_CNAME, "debian.map.fastlydns.net", 3600},
                                     {DNS_AAAA, "2a04:4e42::644", 60}};
    udp_flow *f = udp_new(ctx, "GU1 dig (procshark-record, unconnected socket)", IF_NET_G, ep("10.7.0.70", 40553),
                          ep("10.7.0.1", 53), 64000);
    f->own[0] = procrec_owner(host_proc(6490, 6380, 1000, "dig", "/usr/bin/dig"));
    f->bound = "0.0.0.0";
    dns_lookup(f, 0, 700 * US, 0x51d0, "deb.debian.org", DNS_A, debian, G_N_ELEMENTS(debian), 3);
    dns_lookup(f, 300 * US, 800 * US, 0x51d1, "deb.debian.org", DNS_AAAA, debian6, G_N_ELEMENTS(debian6), 0);
    emit_procrec(ctx, at_ms(65500), PR_LOST, 0, 0, 0, NULL, NULL, NULL, false, 23);
}

/* GU2. Host G, procshark-record: unbound, its socket bound to 10.7.0.70:53 and unconnected, reads a
 * query from a client its access control denies, and drops it. The receive names the socket and no
 * peer: the query's destination is known from its socket ("socket"), its source is nobody's. */
static void procrec_udp_unbound_denied(scenario_ctx *ctx)
{
    udp_flow *f = udp_new(ctx, "GU2 unbound (procshark-record, a receive without a peer)", IF_NET_G,
                          ep("10.7.0.70", 53), ep("10.7.0.99", 33012), 64800);
    f->own[0] = procrec_owner(host_proc(6455, 1, 112, "unbound", "/usr/sbin/unbound"));
    f->bound = "10.7.0.70";
    f->ttl[1] = 64;
    datagram q = {f->t, 1, {0x0e51, "intranet.example.net", DNS_A, false, 0, NULL, 0}, true};
    g_array_append_val(f->dgrams, q);
}

/* H1 and HU1. Host H, packets etl2pcapng converted, no record: each sent packet's comment names its
 * sender (ms-teams.exe's TCP connection, Dnscache's svchost.exe query), known at the comment level;
 * each received packet's names System or Idle, a DPC's context: nothing. */
static void etl2pcapng_comments_only(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "H1 ms-teams.exe (etl2pcapng comments only)", IF_NET_H, ep("10.6.0.60", 52310),
                       ep("52.113.194.132", 443), 62500, 19000);
    c->own[0].kind = OWN_COMMENT;
    c->own[0].host = H_H;
    c->own[0].pid = 9720;
    c->pt = (pidtid_comments){true, 0, 9720, {4, 0, 4}, 3, 0};
    c->ttl[0] = 128;
    c->ttl[1] = 112;
    handshake(c);
    exchange(c, 517, 1460, 1 * MS);
    exchange(c, 208, 733, 300 * MS);
    close_conn(c, 0, 400 * MS);

    static const dns_rr teams[] = {{DNS_CNAME, "teams.office.com", 3600}, {DNS_A, "52.113.194.132", 60}};
    udp_flow *f = udp_new(ctx, "HU1 svchost.exe (etl2pcapng comments only)", IF_NET_H, ep("10.6.0.60", 58112),
                          ep("10.6.0.1", 53), 62450);
    f->own[0].kind = OWN_COMMENT;
    f->own[0].host = H_H;
    f->own[0].pid = 2044;
    f->pt = (pidtid_comments){true, 0, 2044, {0}, 1, 0};
    f->ttl[0] = f->ttl[1] = 128;
    dns_lookup(f, 0, 1200 * US, 0x7d02, "teams.microsoft.com", DNS_A, teams, G_N_ELEMENTS(teams), 0);
}

/* H2. Host H, Code.exe: ETW events name its socket, and the comments of the received packets
 * another process (MsMpEng.exe, whose DPC ran) or System: the events win, and a comment raises no
 * disagreement. */
static void etl2pcapng_comments_and_etw(scenario_ctx *ctx)
{
    conn *c = conn_new(ctx, "H2 Code.exe (ETW events, etl2pcapng comments)", IF_NET_H, ep("10.6.0.60", 52330),
                       ep("140.82.113.4", 443), 66000, 30000);
    c->own[0] = etw_owner(H_H, 9840);
    c->own[0].disconnect = true;
    c->jitter_scale_pct = 10; /* host H's few events: their median is the estimate of its clock (0) */
    c->pt = (pidtid_comments){true, 0, 9840, {3672, 4, 3672}, 3, 0};
    c->ttl[0] = 128;
    c->ttl[1] = 51;
    handshake(c);
    exchange(c, 517, 1380, 1 * MS);
    exchange(c, 92, 640, 200 * MS);
    close_conn(c, 0, 300 * MS);
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
    udp_etw_dns_clients(ctx);
    netudp_snapshot_b(ctx);
    udp_tracee_curl(ctx);
    udp_reused_socket_pair(ctx);
    udp_socket_many_peers(ctx);
    procrec_loopback_curl_gunicorn(ctx);
    procrec_unowned_sshd(ctx);
    procrec_udp_dig(ctx);
    procrec_udp_unbound_denied(ctx);
    etl2pcapng_comments_only(ctx);
    etl2pcapng_comments_and_etw(ctx);
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
        .flows = g_ptr_array_new(),
        .rows = g_array_new(FALSE, FALSE, sizeof(table_row)),
    };
    parse_guid("7dd42a49-5329-4832-8dfd-43d979153a88", ctx.guid_kernel_network);
    parse_guid("3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c", ctx.guid_process);

    emit_processes(&ctx);
    build_scenarios(&ctx);
    for (guint i = 0; i < ctx.conns->len; i++)
        conn_emit(&ctx, ctx.conns->pdata[i]);
    for (guint i = 0; i < ctx.flows->len; i++)
        udp_emit(&ctx, ctx.flows->pdata[i]);
    check_design(&ctx);
    check_udp_design(&ctx);

    g_array_sort(ctx.blocks, block_order);

    pcapng_writer_init_library("procshark-scenario");
    char *error = NULL;
    pcapng_writer *w = pcapng_writer_open(argv[1], interfaces, IF_COUNT, &error);
    if (!w)
        fail("%s", error);
    GString *truth = g_string_new("frame\tsrc_pid\tsrc_name\tdst_pid\tdst_name\tproto\tsrc_known\tdst_known\n");
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
    fprintf(stderr,
            "procshark-scenario: wrote %u blocks (%u packets, %u TCP connections, %u UDP flows) to %s, truth to %s\n",
            ctx.blocks->len, packets, ctx.conns->len, ctx.flows->len, argv[1], argv[2]);

    g_string_free(truth, TRUE);
    for (guint i = 0; i < ctx.conns->len; i++) {
        conn *c = ctx.conns->pdata[i];
        g_array_free(c->segs, TRUE);
        for (int e = 0; e < 2; e++)
            g_array_free(c->record_times[e], TRUE);
        g_array_free(c->comment_pids, TRUE);
        g_free(c);
    }
    g_ptr_array_free(ctx.conns, TRUE);
    for (guint i = 0; i < ctx.flows->len; i++) {
        udp_flow *f = ctx.flows->pdata[i];
        g_array_free(f->dgrams, TRUE);
        g_array_free(f->record_times, TRUE);
        g_array_free(f->socket_times, TRUE);
        g_array_free(f->comment_pids, TRUE);
        g_free(f);
    }
    g_ptr_array_free(ctx.flows, TRUE);
    g_array_free(ctx.rows, TRUE);
    g_ptr_array_free(ctx.truth, TRUE);
    g_array_free(ctx.blocks, TRUE);
    return 0;
}
