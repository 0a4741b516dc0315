/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synth_etl.c - writes synthetic Windows .etl (ETW log file) traces.
 *
 * An independent writer of the public ETL layout, used to test procshark's
 * ETL reader (especially Microsoft-Windows-NDIS-PacketCapture, for which no
 * public sample exists) and to make large traces for the speed benchmark.
 * Layout sources: real traces in shared/samples/etl, airbus-cert/etl-parser,
 * microsoft/etl2pcapng (src/main.c), Microsoft's evntcons.h docs.
 *
 * Usage:
 *   synth_etl sample OUT.etl
 *   synth_etl big OUT.etl --megabytes N [--seed S] [--ndis]
 * Exit status: 0 ok, 2 on any error (usage, open, write).
 *
 * File layout (all little-endian): buffers of BufferSize bytes, each with a
 * 72-byte WMI_BUFFER_HEADER, events 8-byte aligned from offset 72 (zero pad
 * between events), 0xFF after the last event.  Buffer 0 holds only the
 * logfile header event (BufferType 4).  Clock: QPC, PerfFreq 10,000,000, so
 * one raw tick = one FILETIME tick (100 ns) and
 *   FILETIME(q) = StartTime + (q - Q0).
 *
 * ---------------------------------------------------------------------------
 * SAMPLE TRACE (synth_etl sample) - exact content, asserted by the tests.
 * Also in tests/gen/synth_etl.md.
 *
 * BufferSize 4096; 3 buffers (12288 bytes).  Buffer breaks are forced, not
 * caused by filling: buffer 0 = logfile header only, buffer 1 = events 1-5,
 * buffer 2 = events 6-15, so the 2-fragment packet (b) straddles buffers.
 * Q0 = 123456789000, StartTime = 133497936000000000 (2024-01-15 12:00:00
 * UTC), BootTime = StartTime - Q0, EndTime = FILETIME of event 15.
 * Logfile header: Version 0x0501000A (bytes 0a 00 01 05, Windows 10),
 * ProviderVersion 19045, 4 CPUs, TimerResolution 156250, LogFileMode 0,
 * BuffersWritten 3, StartBuffers 1, PointerSize 8, CpuSpeed 2995,
 * ReservedFlags 1, LoggerName "procshark-synth", LogFileName
 * "C:\procshark\synth.etl".  Header ThreadId/ProcessId 0/0.
 *
 *  #  header      provider/group        id/op  ver pid   tid  t(us) payload
 *  0  SYSTEM64    group 0 (header)      0      2   0     0    0      TRACE_LOGFILE_HEADER
 *  1  SYSTEM64    Process (3)           3 DCStart 4 4242 5555 1000   pid 4242 ppid 1000 "curl.exe"
 *  2  PERFINFO64  PerfInfo (0x0F)       0x2E   2   -     -    2000   16 bytes SampledProfile
 *  3  COMPACT64   Thread (5)            36     2   4242  5555 3000   16 bytes
 *  4  EVENT64     NDIS-PacketCapture    1001   0   4242  5555 10000  (a) if 7 send, SYN, start+end
 *  5  EVENT64     NDIS-PacketCapture    1001   0   0     0    25000  (b1) if 7 recv, 34 bytes, start
 *  6  EVENT64     NDIS-PacketCapture    1001   0   0     0    25001  (b2) if 7 recv, 24 bytes, end
 *  7  SYSTEM64    TcpIp (6)             12     2   4242  5555 25100  ConnectIPV4 CONN4
 *  8  SYSTEM64    TcpIp (6)             10     2   4242  5555 26000  SendIPV4 size 517
 *  9  EVENT64+ext Kernel-Network        10     0   2716  1252 26050  real 40-byte payload, ext TS_ID
 * 10  EVENT64+ext Kernel-Network        11     0   2716  1252 27000  real 32-byte payload, ext TS_ID+PSK
 * 11  EVENT64     NDIS-PacketCapture    1001   0   1234  1235 30000  (c) if 12 send, raw IPv4 ICMP
 * 12  EVENT64     NDIS-PacketCapture    1002   0   4     100  40000  802.11 metadata, if 20
 * 13  EVENT64     NDIS-PacketCapture    1001   0   4     100  40001  (d) if 20 recv, 802.11 data
 * 14  EVENT64     NDIS-PacketCapture    1001   0   0     0    50000  (e) if 7 recv, END ONLY (orphan)
 * 15  SYSTEM64    Process (3)           2 End  4   4242  5555 60000  pid 4242 "curl.exe" exit 0
 *
 * NDIS 1001 payloads of (a) (b) (d) (e) end with the Windows 10 manifest's
 * GftFlowEntryId + GftOffloadInformation (16 zero bytes) after Fragment; (c)
 * has the older 12+N layout: a reader must use FragmentSize, not the length.
 * Details (byte values) are in synth_etl.md; the code below is the truth.
 * ---------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- little helpers ---------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static void put16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32be(uint8_t *p, uint32_t v) { put16be(p, (uint16_t)(v >> 16)); put16be(p + 2, (uint16_t)v); }
static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

typedef struct { uint32_t d1; uint16_t d2, d3; uint8_t d4[8]; } guid_t;

/* GUID on disk: Data1..Data3 little-endian, Data4 as bytes. */
static void putguid(uint8_t *p, const guid_t *g)
{
    put32(p, g->d1); put16(p + 4, g->d2); put16(p + 6, g->d3);
    memcpy(p + 8, g->d4, 8);
}

static const guid_t NDIS_CAP = { 0x2ED6006E, 0x4729, 0x4609,
    { 0xB4, 0x23, 0x3E, 0xE7, 0xBC, 0xD6, 0x78, 0xEF } };
static const guid_t KERNEL_NETWORK = { 0x7DD42A49, 0x5329, 0x4832,
    { 0x8D, 0xFD, 0x43, 0xD9, 0x79, 0x15, 0x3A, 0x88 } };

/* ASCII -> UTF-16LE with NUL; returns bytes written. */
static size_t put_wstr(uint8_t *p, const char *s)
{
    size_t n = 0;
    for (; *s; s++, n += 2) put16(p + n, (uint8_t)*s);
    put16(p + n, 0);
    return n + 2;
}

static size_t put_cstr(uint8_t *p, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    return n;
}

/* ---- the file writer ----------------------------------------------------- */

#define WBH 72            /* WMI_BUFFER_HEADER size */
#define EV_MAX 4096       /* largest event we build */
#define LOGGER_ID 0x11

typedef struct {
    FILE *f;
    const char *path;
    uint8_t *buf;
    uint32_t bsize;
    uint32_t used;        /* bytes used incl. header, always 8-aligned */
    uint64_t nbuf;        /* buffers written so far */
    uint64_t last_qpc;    /* clock of the newest event in buf */
    uint64_t flushed_qpc; /* clock of the newest event written out */
    uint16_t btype;       /* BufferType of the buffer being filled */
} writer;

static void die_io(const writer *w, const char *what)
{
    fprintf(stderr, "synth_etl: %s %s: %s\n", what, w->path, strerror(errno));
    exit(2);
}

static void finish_buffer(writer *w, uint8_t *b, uint32_t used, uint64_t seq, uint64_t ts, uint16_t btype)
{
    put32(b + 0, w->bsize);
    put32(b + 4, used);          /* SavedOffset */
    put32(b + 8, used);          /* CurrentOffset */
    put32(b + 12, 0);            /* ReferenceCount */
    put64(b + 16, ts);           /* flush time, raw clock */
    put64(b + 24, seq);          /* SequenceNumber */
    put64(b + 32, 0);            /* clock type/frequency */
    b[40] = 0;                   /* ProcessorNumber */
    b[41] = 8;                   /* Alignment, as in real traces */
    put16(b + 42, LOGGER_ID);
    put32(b + 44, 3);            /* State */
    put32(b + 48, used);         /* Offset */
    put16(b + 52, 1);            /* BufferFlag: flush marker */
    put16(b + 54, btype);
    memset(b + 56, 0, 16);
    memset(b + used, 0xFF, w->bsize - used);
}

static void flush_buffer(writer *w)
{
    finish_buffer(w, w->buf, w->used, w->nbuf, w->last_qpc, w->btype);
    if (fwrite(w->buf, 1, w->bsize, w->f) != w->bsize) die_io(w, "cannot write");
    w->flushed_qpc = w->last_qpc;
    w->nbuf++;
    w->used = WBH;
    w->btype = 0;                /* every later buffer is generic */
}

/* Append one event; starts a new buffer when it does not fit. */
static void emit(writer *w, const uint8_t *ev, size_t len, uint64_t qpc)
{
    size_t alen = pad8(len);
    if (w->used + alen > w->bsize) flush_buffer(w);
    memcpy(w->buf + w->used, ev, len);
    memset(w->buf + w->used + len, 0, alen - len);
    w->used += (uint32_t)alen;
    w->last_qpc = qpc;
}

/* ---- clock ------------------------------------------------------------- */

#define PERF_FREQ 10000000ULL
#define Q0 123456789000ULL
#define START_FT 133497936000000000ULL   /* 2024-01-15 12:00:00 UTC */

static uint64_t ft_of(uint64_t q) { return START_FT + (q - Q0) * (10000000ULL / PERF_FREQ); }
static uint64_t q_us(uint64_t us) { return Q0 + us * (PERF_FREQ / 1000000ULL); }

/* ---- headers ------------------------------------------------------------- */

/* SYSTEM (0x02) or COMPACT (0x04) 64-bit header; returns its size. */
static size_t sys_hdr(uint8_t *e, uint8_t htype, uint16_t ver, uint8_t type, uint8_t group,
                      uint32_t tid, uint32_t pid, uint64_t qpc, size_t plen)
{
    size_t h = htype == 0x04 ? 24 : 32;
    put16(e, ver); e[2] = htype; e[3] = 0xC0;
    put16(e + 4, (uint16_t)(h + plen));
    e[6] = type; e[7] = group;
    put32(e + 8, tid); put32(e + 12, pid);
    put64(e + 16, qpc);
    if (h == 32) { put32(e + 24, 0); put32(e + 28, 0); }   /* Kernel/UserTime */
    return h;
}

/* PERFINFO64 (0x11): 16-byte header, no thread/process. */
static size_t perf_hdr(uint8_t *e, uint16_t ver, uint8_t type, uint8_t group, uint64_t qpc, size_t plen)
{
    put16(e, ver); e[2] = 0x11; e[3] = 0xC0;
    put16(e + 4, (uint16_t)(16 + plen));
    e[6] = type; e[7] = group;
    put64(e + 8, qpc);
    return 16;
}

typedef struct {
    const guid_t *prov;
    uint16_t id; uint8_t ver, chan, level, opcode; uint16_t task; uint64_t kw;
    uint32_t tid, pid; uint64_t qpc; uint32_t ktime, utime;
} mdesc;

typedef struct { uint16_t type; uint16_t size; const uint8_t *data; } extitem;

/* EVENT_HEADER (0x13, 64-bit), optional extended items, then payload. */
static size_t mk_event(uint8_t *e, const mdesc *d, const extitem *x, int nx,
                       const uint8_t *pl, size_t plen)
{
    size_t off = 80;
    memset(e, 0, 80);
    put16(e + 2, 0xC013);
    put16(e + 4, (uint16_t)(0x40 | (nx ? 0x01 : 0)));   /* 64-bit header, ext data */
    put32(e + 8, d->tid); put32(e + 12, d->pid);
    put64(e + 16, d->qpc);
    putguid(e + 24, d->prov);
    put16(e + 40, d->id); e[42] = d->ver; e[43] = d->chan; e[44] = d->level; e[45] = d->opcode;
    put16(e + 46, d->task); put64(e + 48, d->kw);
    put32(e + 56, d->ktime); put32(e + 60, d->utime);
    /* ActivityId @64 stays zero */
    for (int i = 0; i < nx; i++) {
        put16(e + off, 0);
        put16(e + off + 2, x[i].type);
        put16(e + off + 4, (uint16_t)(i + 1 < nx ? 1 : 0));   /* Linkage: more follow */
        put16(e + off + 6, x[i].size);
        memcpy(e + off + 8, x[i].data, x[i].size);
        memset(e + off + 8 + x[i].size, 0, pad8(x[i].size) - x[i].size);
        off += 8 + pad8(x[i].size);
    }
    if (plen) memcpy(e + off, pl, plen);
    off += plen;
    put16(e, (uint16_t)off);
    return off;
}

/* ---- logfile header ------------------------------------------------------ */

#define LOGGER_NAME "procshark-synth"
#define LOGFILE_NAME "C:\\procshark\\synth.etl"

static size_t mk_logfile_header(uint8_t *e, uint32_t bsize, uint32_t nbuf, uint64_t end_ft)
{
    uint8_t *p = e + 32;
    memset(p, 0, 280);
    put32(p + 0, bsize);
    put32(p + 4, 0x0501000A);       /* bytes 0a 00 01 05: Windows 10 */
    put32(p + 8, 19045);            /* ProviderVersion = build */
    put32(p + 12, 4);               /* NumberOfProcessors */
    put64(p + 16, end_ft);
    put32(p + 24, 156250);          /* TimerResolution */
    put32(p + 28, 0);               /* MaximumFileSize */
    put32(p + 32, 0);               /* LogFileMode */
    put32(p + 36, nbuf);            /* BuffersWritten */
    put32(p + 40, 1);               /* StartBuffers */
    put32(p + 44, 8);               /* PointerSize */
    put32(p + 48, 0);               /* EventsLost */
    put32(p + 52, 2995);            /* CpuSpeedInMHz */
    /* @56 LoggerName, @64 LogFileName pointers, @72 TIME_ZONE_INFORMATION: zero */
    put64(p + 248, START_FT - (Q0 * (10000000ULL / PERF_FREQ)));   /* BootTime */
    put64(p + 256, PERF_FREQ);
    put64(p + 264, START_FT);
    put32(p + 272, 1);              /* ReservedFlags: clock = QPC */
    put32(p + 276, 0);              /* BuffersLost */
    size_t n = 280;
    n += put_wstr(p + n, LOGGER_NAME);
    n += put_wstr(p + n, LOGFILE_NAME);
    sys_hdr(e, 0x02, 2, 0, 0, 0, 0, Q0, n);
    return 32 + n;
}

static void write_header_buffer(writer *w)
{
    uint8_t ev[EV_MAX];
    size_t n = mk_logfile_header(ev, w->bsize, 0, START_FT);
    w->btype = 4;
    emit(w, ev, n, Q0);
    flush_buffer(w);
}

/* Rewrite buffer 0 once BuffersWritten and EndTime are known. */
static void fix_header_buffer(writer *w, uint64_t end_ft)
{
    uint8_t *b = calloc(1, w->bsize);
    if (!b) { fprintf(stderr, "synth_etl: out of memory\n"); exit(2); }
    uint8_t ev[EV_MAX];
    size_t n = mk_logfile_header(ev, w->bsize, (uint32_t)w->nbuf, end_ft);
    memcpy(b + WBH, ev, n);
    finish_buffer(w, b, (uint32_t)(WBH + pad8(n)), 0, Q0, 4);
    if (fflush(w->f) != 0) die_io(w, "cannot write");
    if (fseek(w->f, 0, SEEK_SET) != 0) die_io(w, "cannot seek (output must be a regular file)");
    if (fwrite(b, 1, w->bsize, w->f) != w->bsize) die_io(w, "cannot write");
    free(b);
}

static void writer_open(writer *w, const char *path, uint32_t bsize)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->bsize = bsize;
    w->used = WBH;
    w->f = fopen(path, "wb");
    if (!w->f) die_io(w, "cannot open");
    setvbuf(w->f, NULL, _IOFBF, 1u << 22);   /* few large writes */
    w->buf = malloc(bsize);
    if (!w->buf) { fprintf(stderr, "synth_etl: out of memory\n"); exit(2); }
}

static void writer_close(writer *w, uint64_t end_ft)
{
    if (w->used > WBH) flush_buffer(w);
    fix_header_buffer(w, end_ft);
    if (fclose(w->f) != 0) die_io(w, "cannot write");
    free(w->buf);
}

/* ---- payload builders ---------------------------------------------------- */

/* Process v4, 64-bit (docs/FORMATS.md §3): key, pid, ppid, session, exit, dtb,
 * flags, SID (4 zero bytes), image (ANSI), cmdline, package, appid (UTF-16). */
static size_t pl_process(uint8_t *p, uint64_t key, uint32_t pid, uint32_t ppid, int32_t exitst,
                         const char *image, const char *cmdline)
{
    memset(p, 0, 40);
    put64(p + 0, key);
    put32(p + 8, pid);
    put32(p + 12, ppid);
    put32(p + 16, 1);                     /* SessionId */
    put32(p + 20, (uint32_t)exitst);
    put64(p + 24, 0x1AB000ULL + (uint64_t)pid * 0x1000);   /* DirectoryTableBase */
    put32(p + 32, 0);                     /* Flags */
    put32(p + 36, 0);                     /* SID: 4 zero bytes */
    size_t n = 40;
    n += put_cstr(p + n, image);
    n += put_wstr(p + n, cmdline);
    n += put_wstr(p + n, "");             /* PackageFullName */
    n += put_wstr(p + n, "");             /* ApplicationId */
    return n;
}

/* TCP/UDP payloads, P = 8. Addresses are network order, ports BE. */
static size_t pl_send4(uint8_t *p, uint32_t pid, uint32_t size, const uint8_t d[4], const uint8_t s[4],
                       uint16_t dport, uint16_t sport, uint32_t st, uint32_t et)
{
    memset(p, 0, 40);
    put32(p, pid); put32(p + 4, size);
    memcpy(p + 8, d, 4); memcpy(p + 12, s, 4);
    put16be(p + 16, dport); put16be(p + 18, sport);
    put32(p + 20, st); put32(p + 24, et);
    return 40;                            /* seqnum @28, connid @32 zero */
}

static size_t pl_gen4(uint8_t *p, uint32_t pid, uint32_t size, const uint8_t d[4], const uint8_t s[4],
                      uint16_t dport, uint16_t sport)
{
    memset(p, 0, 32);
    put32(p, pid); put32(p + 4, size);
    memcpy(p + 8, d, 4); memcpy(p + 12, s, 4);
    put16be(p + 16, dport); put16be(p + 18, sport);
    return 32;
}

static size_t pl_conn4(uint8_t *p, uint32_t pid, const uint8_t d[4], const uint8_t s[4],
                       uint16_t dport, uint16_t sport)
{
    memset(p, 0, 48);
    put32(p, pid); put32(p + 4, 0);
    memcpy(p + 8, d, 4); memcpy(p + 12, s, 4);
    put16be(p + 16, dport); put16be(p + 18, sport);
    put16(p + 20, 1460);                  /* mss */
    put16(p + 22, 1);                     /* sackopt */
    put16(p + 24, 0);                     /* tsopt */
    put16(p + 26, 1);                     /* wsopt */
    put32(p + 28, 65535);                 /* rcvwin */
    put16(p + 32, 8);                     /* rcvwinscale */
    put16(p + 34, 8);                     /* sndwinscale */
    return 48;                            /* seqnum @36, connid @40 zero */
}

static size_t pl_send6(uint8_t *p, uint32_t pid, uint32_t size, const uint8_t d[16], const uint8_t s[16],
                       uint16_t dport, uint16_t sport, uint32_t st, uint32_t et)
{
    memset(p, 0, 64);
    put32(p, pid); put32(p + 4, size);
    memcpy(p + 8, d, 16); memcpy(p + 24, s, 16);
    put16be(p + 40, dport); put16be(p + 42, sport);
    put32(p + 44, st); put32(p + 48, et);
    return 64;
}

static size_t pl_gen6(uint8_t *p, uint32_t pid, uint32_t size, const uint8_t d[16], const uint8_t s[16],
                      uint16_t dport, uint16_t sport)
{
    memset(p, 0, 56);
    put32(p, pid); put32(p + 4, size);
    memcpy(p + 8, d, 16); memcpy(p + 24, s, 16);
    put16be(p + 40, dport); put16be(p + 42, sport);
    return 56;
}

/* ---- packets ------------------------------------------------------------- */

static uint16_t csum_fold(uint32_t s)
{
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) s += (uint32_t)p[n - 1] << 8;
    return s;
}

/* IPv4 header (20 bytes) + L4 checksum over pseudo-header. */
static void ip4_finish(uint8_t *ip, size_t total)
{
    put16be(ip + 10, 0);
    put16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
    uint8_t proto = ip[9];
    uint8_t *l4 = ip + 20;
    size_t l4len = total - 20;
    int off = proto == 6 ? 16 : proto == 17 ? 6 : proto == 1 ? 2 : -1;
    if (off < 0) return;
    put16be(l4 + off, 0);
    uint32_t s = 0;
    if (proto != 1) {                     /* ICMP has no pseudo-header */
        s = csum_add(s, ip + 12, 8);
        s += proto;
        s += (uint32_t)l4len;
    }
    s = csum_add(s, l4, l4len);
    uint16_t c = csum_fold(s);
    if (proto == 17 && c == 0) c = 0xFFFF;
    put16be(l4 + off, c);
}

static void ip4_hdr(uint8_t *ip, uint16_t total, uint16_t ident, uint8_t ttl, uint8_t proto,
                    const uint8_t s[4], const uint8_t d[4])
{
    ip[0] = 0x45; ip[1] = 0;
    put16be(ip + 2, total); put16be(ip + 4, ident); put16be(ip + 6, 0x4000);   /* DF */
    ip[8] = ttl; ip[9] = proto;
    memcpy(ip + 12, s, 4); memcpy(ip + 16, d, 4);
}

static const uint8_t MAC_HOST[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x05 };
static const uint8_t MAC_GW[6]   = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t IP_HOST[4]  = { 10, 0, 0, 5 };
static const uint8_t IP_WEB[4]   = { 93, 184, 216, 34 };

/* Ethernet + IPv4 + TCP with MSS option (24-byte TCP header), payload len n. */
static size_t eth_tcp4(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6],
                       const uint8_t sip[4], const uint8_t dip[4], uint16_t sport, uint16_t dport,
                       uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, uint8_t ttl,
                       uint16_t ident, const uint8_t *data, size_t n)
{
    memcpy(f, dmac, 6); memcpy(f + 6, smac, 6); put16be(f + 12, 0x0800);
    uint8_t *ip = f + 14, *t = ip + 20;
    int mss = (flags & 0x02) != 0;        /* MSS option only on SYNs */
    size_t th = mss ? 24 : 20;
    ip4_hdr(ip, (uint16_t)(20 + th + n), ident, ttl, 6, sip, dip);
    put16be(t, sport); put16be(t + 2, dport); put32be(t + 4, seq); put32be(t + 8, ack);
    t[12] = (uint8_t)((th / 4) << 4); t[13] = flags; put16be(t + 14, win);
    put16be(t + 16, 0); put16be(t + 18, 0);
    if (mss) { t[20] = 2; t[21] = 4; put16be(t + 22, 1460); }
    if (n) memcpy(t + th, data, n);
    ip4_finish(ip, 20 + th + n);
    return 14 + 20 + th + n;
}

/* ---- NDIS-PacketCapture --------------------------------------------------- */

/* Keywords, from etl2pcapng src/main.c ("From the ndiscap manifest"). */
#define KW_ETHERNET_802_3   0x1ULL          /* manifest keyword; etl2pcapng ignores */
#define KW_WIRELESS_WAN     0x200ULL        /* raw IP frames */
#define KW_NATIVE_802_11    0x10000ULL      /* 802.11 frames */
#define KW_PACKET_START     0x40000000ULL
#define KW_PACKET_END       0x80000000ULL
#define KW_SEND             0x100000000ULL
#define KW_RECEIVE          0x200000000ULL
/* Event-definition keywords of 1001/1002 (OSSEM manifest dump) plus the
 * channel bit seen on Kernel-Network: readers must ignore them. */
#define KW_NDIS_BASE        0x8000060000000000ULL
#define KW_NDIS_META_BASE   0x8000040000000000ULL

/* 1001 v0 payload: MiniportIfIndex, LowerIfIndex, FragmentSize, Fragment,
 * then (manifest of Windows 10) GftFlowEntryId u64, GftOffloadInformation
 * u64.  gft=0 writes the older 12+N layout. */
static size_t ndis_frag(uint8_t *e, uint32_t tid, uint32_t pid, uint64_t qpc, uint64_t kw,
                        uint32_t ifx, const uint8_t *frag, uint32_t n, int gft)
{
    uint8_t pl[EV_MAX];
    put32(pl, ifx); put32(pl + 4, ifx); put32(pl + 8, n);
    memcpy(pl + 12, frag, n);
    size_t plen = 12 + n;
    if (gft) { memset(pl + plen, 0, 16); plen += 16; }
    mdesc d = { &NDIS_CAP, 1001, 0, 0x10, 4, 0, 0, kw, tid, pid, qpc, 0, 0 };
    return mk_event(e, &d, NULL, 0, pl, plen);
}

/* ---- sample mode -------------------------------------------------------- */

static int run_sample(const char *path)
{
    writer w;
    uint8_t ev[EV_MAX], pl[EV_MAX], fr[256];
    size_t n, p;
    uint64_t q;

    writer_open(&w, path, 4096);
    write_header_buffer(&w);

    /* 1: Process DCStart, curl.exe */
    q = q_us(1000);
    p = pl_process(pl, 0xFFFF9A0C12345080ULL, 4242, 1000, 259, "curl.exe",
                   "curl.exe -s https://93.184.216.34/");
    n = sys_hdr(ev, 0x02, 4, 3, 0x03, 5555, 4242, q, p);
    memcpy(ev + n, pl, p);
    emit(&w, ev, n + p, q);

    /* 2: PERFINFO64 SampledProfile: IP, ThreadId, Count, Reserved */
    q = q_us(2000);
    n = perf_hdr(ev, 2, 0x2E, 0x0F, q, 16);
    put64(ev + n, 0xFFFFF80312345678ULL); put32(ev + n + 8, 5555);
    put16(ev + n + 12, 1); put16(ev + n + 14, 0);
    emit(&w, ev, n + 16, q);

    /* 3: COMPACT64 Thread group 5 type 36, 16 opaque bytes */
    q = q_us(3000);
    n = sys_hdr(ev, 0x04, 2, 36, 0x05, 5555, 4242, q, 16);
    for (int i = 0; i < 16; i++) ev[n + (size_t)i] = (uint8_t)(0xA0 + i);
    emit(&w, ev, n + 16, q);

    /* 4 (a): SYN 10.0.0.5:50000 -> 93.184.216.34:443, if 7, send */
    q = q_us(10000);
    size_t fl = eth_tcp4(fr, MAC_GW, MAC_HOST, IP_HOST, IP_WEB, 50000, 443,
                         0x11223344, 0, 0x02, 64240, 128, 0x1234, NULL, 0);
    n = ndis_frag(ev, 5555, 4242, q,
                  KW_NDIS_BASE | KW_ETHERNET_802_3 | KW_SEND | KW_PACKET_START | KW_PACKET_END,
                  7, fr, (uint32_t)fl, 1);
    emit(&w, ev, n, q);

    /* 5,6 (b): SYN-ACK back, if 7, receive, 34 + 24 bytes; buffer break between */
    fl = eth_tcp4(fr, MAC_HOST, MAC_GW, IP_WEB, IP_HOST, 443, 50000,
                  0xAABBCCDD, 0x11223345, 0x12, 65535, 56, 0x0000, NULL, 0);
    q = q_us(25000);
    n = ndis_frag(ev, 0, 0, q, KW_NDIS_BASE | KW_ETHERNET_802_3 | KW_RECEIVE | KW_PACKET_START,
                  7, fr, 34, 1);
    emit(&w, ev, n, q);
    flush_buffer(&w);                       /* forced: (b) straddles buffers 1 and 2 */
    q = q_us(25001);
    n = ndis_frag(ev, 0, 0, q, KW_NDIS_BASE | KW_ETHERNET_802_3 | KW_RECEIVE | KW_PACKET_END,
                  7, fr + 34, (uint32_t)(fl - 34), 1);
    emit(&w, ev, n, q);

    /* 7: TcpIp ConnectIPV4 */
    q = q_us(25100);
    p = pl_conn4(pl, 4242, IP_WEB, IP_HOST, 443, 50000);
    n = sys_hdr(ev, 0x02, 2, 12, 0x06, 5555, 4242, q, p);
    memcpy(ev + n, pl, p);
    emit(&w, ev, n + p, q);

    /* 8: TcpIp SendIPV4, 517 bytes (TLS ClientHello) */
    q = q_us(26000);
    p = pl_send4(pl, 4242, 517, IP_WEB, IP_HOST, 443, 50000, 123456, 123456);
    n = sys_hdr(ev, 0x02, 2, 10, 0x06, 5555, 4242, q, p);
    memcpy(ev + n, pl, p);
    emit(&w, ev, n + p, q);

    /* 9: Kernel-Network id 10, real Win7 payload, ext TS_ID (4 bytes, padded) */
    static const uint8_t kn10[40] = {
        0x9c, 0x0a, 0x00, 0x00, 0x4d, 0x00, 0x00, 0x00, 0x9d, 0x38, 0xf4, 0x26,
        0x0a, 0x79, 0x6a, 0x76, 0x01, 0xbb, 0xf1, 0x2b, 0xf0, 0x2f, 0x2d, 0x00,
        0xf1, 0x2f, 0x2d, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t kn11[32] = {
        0x9c, 0x0a, 0x00, 0x00, 0x05, 0x10, 0x00, 0x00, 0x9d, 0x38, 0xf4, 0x26,
        0x0a, 0x79, 0x6a, 0x76, 0x01, 0xbb, 0xf1, 0x2c, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t ts_id[4] = { 1, 0, 0, 0 };                        /* SessionId 1 */
    static const uint8_t psk[8] = { 0x2a, 0, 0, 0, 0, 0, 0x01, 0 };        /* 0x000100000000002A */
    q = q_us(26050);
    {
        extitem x[1] = { { 3, 4, ts_id } };                                  /* EVENT_HEADER_EXT_TYPE_TS_ID */
        mdesc d = { &KERNEL_NETWORK, 10, 0, 0x10, 4, 10, 10, 0x8000000000000010ULL,
                    1252, 2716, q, 13, 47 };
        n = mk_event(ev, &d, x, 1, kn10, sizeof kn10);
        emit(&w, ev, n, q);
    }
    /* 10: Kernel-Network id 11, two ext items (tests Linkage) */
    q = q_us(27000);
    {
        extitem x[2] = { { 3, 4, ts_id }, { 13, 8, psk } };                  /* TS_ID, PROCESS_START_KEY */
        mdesc d = { &KERNEL_NETWORK, 11, 0, 0x10, 4, 11, 10, 0x8000000000000010ULL,
                    1252, 2716, q, 13, 47 };
        n = mk_event(ev, &d, x, 2, kn11, sizeof kn11);
        emit(&w, ev, n, q);
    }

    /* 11 (c): raw IPv4 ICMP echo 10.64.0.2 -> 8.8.8.8, if 12, WWAN, send, no Gft trailer */
    q = q_us(30000);
    {
        static const uint8_t src[4] = { 10, 64, 0, 2 }, dst[4] = { 8, 8, 8, 8 };
        ip4_hdr(fr, 36, 0xABCD, 64, 1, src, dst);
        uint8_t *ic = fr + 20;
        ic[0] = 8; ic[1] = 0; put16be(ic + 2, 0); put16be(ic + 4, 1); put16be(ic + 6, 1);
        memcpy(ic + 8, "procshrk", 8);
        ip4_finish(fr, 36);
        n = ndis_frag(ev, 1235, 1234, q,
                      KW_NDIS_BASE | KW_WIRELESS_WAN | KW_SEND | KW_PACKET_START | KW_PACKET_END,
                      12, fr, 36, 0);
        emit(&w, ev, n, q);
    }

    /* 12: 1002 metadata = DOT11_EXTSTA_RECV_CONTEXT, x64 layout, 48 bytes */
    q = q_us(40000);
    {
        uint8_t md[48];
        memset(md, 0, sizeof md);
        md[0] = 0x80; md[1] = 1; put16(md + 2, 48);   /* NDIS_OBJECT_HEADER default, rev 1 */
        put32(md + 4, 0);                     /* uReceiveFlags */
        put32(md + 8, 7);                     /* uPhyId (etl2pcapng shows "802.11n") */
        put32(md + 12, 2437);                 /* uChCenterFrequency */
        put16(md + 16, 1);                    /* usNumberOfMPDUsReceived */
        put32(md + 20, (uint32_t)-50);        /* lRSSI */
        md[24] = 108;                         /* ucDataRate */
        put32(md + 28, 0);                    /* uSizeMediaSpecificInfo */
        put64(md + 32, 0);                    /* pvMediaSpecificInfo */
        put64(md + 40, 0x0000000102030405ULL);/* ullTimestamp */
        put32(pl, 20); put32(pl + 4, 20); put32(pl + 8, 48);
        memcpy(pl + 12, md, 48);
        mdesc d = { &NDIS_CAP, 1002, 0, 0x10, 4, 0, 0,
                    KW_NDIS_META_BASE | KW_NATIVE_802_11 | KW_RECEIVE, 100, 4, q, 0, 0 };
        n = mk_event(ev, &d, NULL, 0, pl, 60);
        emit(&w, ev, n, q);
    }

    /* 13 (d): 802.11 data frame, FromDS + Protected, LLC/SNAP, IPv4 UDP DNS reply */
    q = q_us(40001);
    {
        static const uint8_t sta[6] = { 0x02, 0, 0, 0, 0, 0x17 };
        static const uint8_t bssid[6] = { 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
        static const uint8_t sa[6] = { 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 };
        static const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 };
        static const uint8_t dns[4] = { 192, 168, 1, 1 }, me[4] = { 192, 168, 1, 23 };
        static const uint8_t dnsq[12] = { 0x12, 0x34, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0 };
        memset(fr, 0, 24);
        fr[0] = 0x08; fr[1] = 0x42;           /* data; FromDS | Protected */
        put16(fr + 2, 44);                    /* duration */
        memcpy(fr + 4, sta, 6); memcpy(fr + 10, bssid, 6); memcpy(fr + 16, sa, 6);
        put16(fr + 22, 0x0010);               /* seq 1, frag 0 */
        memcpy(fr + 24, snap, 8);
        uint8_t *ip = fr + 32;
        ip4_hdr(ip, 40, 0x0042, 64, 17, dns, me);
        put16be(ip + 20, 53); put16be(ip + 22, 53000); put16be(ip + 24, 20); put16be(ip + 26, 0);
        memcpy(ip + 28, dnsq, 12);
        ip4_finish(ip, 40);
        n = ndis_frag(ev, 100, 4, q,
                      KW_NDIS_BASE | KW_NATIVE_802_11 | KW_RECEIVE | KW_PACKET_START | KW_PACKET_END,
                      20, fr, 72, 1);
        emit(&w, ev, n, q);
    }

    /* 14 (e): orphan fragment: END without START, if 7, receive */
    q = q_us(50000);
    n = ndis_frag(ev, 0, 0, q, KW_NDIS_BASE | KW_ETHERNET_802_3 | KW_RECEIVE | KW_PACKET_END,
                  7, (const uint8_t *)"orphan fragment tail", 20, 1);
    emit(&w, ev, n, q);

    /* 15: Process End, curl.exe, exit 0 */
    q = q_us(60000);
    p = pl_process(pl, 0xFFFF9A0C12345080ULL, 4242, 1000, 0, "curl.exe",
                   "curl.exe -s https://93.184.216.34/");
    n = sys_hdr(ev, 0x02, 4, 2, 0x03, 5555, 4242, q, p);
    memcpy(ev + n, pl, p);
    emit(&w, ev, n + p, q);

    writer_close(&w, ft_of(q));
    return 0;
}

/* ---- big mode ------------------------------------------------------------ */

static uint64_t rng_state = 1;

static uint64_t rnd(void)                  /* xorshift64*: fast, deterministic */
{
    uint64_t x = rng_state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static uint32_t rndn(uint32_t n) { return (uint32_t)((rnd() >> 32) % n); }

#define NPROC 256
#define NFLOW 2048

typedef struct { uint32_t pid, ppid; uint64_t key; int name; } proc_t;
typedef struct {
    int slot; int v6; int udp;
    uint8_t l4[4], r4[4], l6[16], r6[16];
    uint16_t lport, rport;
} flow_t;

static const char *const IMAGES[] = {
    "chrome.exe", "msedge.exe", "svchost.exe", "firefox.exe", "curl.exe", "OneDrive.exe",
    "Teams.exe", "OUTLOOK.EXE", "python.exe", "node.exe", "powershell.exe", "ssh.exe",
    "Code.exe", "Spotify.exe", "git-remote-https.exe", "WINWORD.EXE"
};
#define NIMAGES (sizeof IMAGES / sizeof IMAGES[0])

typedef struct {
    writer *w;
    uint64_t q;
    uint32_t next_pid;
    proc_t procs[NPROC];
    flow_t flows[NFLOW];
    uint64_t events, kn_count;
    int ndis;
} bigctx;

static void big_process(bigctx *c, uint8_t opcode, const proc_t *pr)
{
    uint8_t ev[EV_MAX], pl[EV_MAX];
    char cmd[256];
    snprintf(cmd, sizeof cmd, "\"C:\\Program Files\\App\\%s\" --instance=%u --type=renderer",
             IMAGES[pr->name], (unsigned)pr->pid);
    size_t p = pl_process(pl, pr->key, pr->pid, pr->ppid, opcode == 2 ? 0 : 259,
                          IMAGES[pr->name], cmd);
    size_t n = sys_hdr(ev, 0x02, 4, opcode, 0x03, pr->pid + 4, opcode == 3 ? 0 : pr->pid, c->q, p);
    memcpy(ev + n, pl, p);
    emit(c->w, ev, n + p, c->q);
    c->events++;
}

static int pid_live(const bigctx *c, uint32_t pid)
{
    for (int i = 0; i < NPROC; i++) if (c->procs[i].pid == pid) return 1;
    return 0;
}

static void new_proc(bigctx *c, proc_t *pr)
{
    do {                                    /* cycle pids so reuse happens in long traces */
        c->next_pid += 4;
        if (c->next_pid >= 40000) c->next_pid = 1000;
    } while (pid_live(c, c->next_pid));
    pr->pid = c->next_pid;
    pr->ppid = 900;
    pr->key = 0xFFFF9A0C00000000ULL | ((uint64_t)rndn(0x10000000) << 4);
    pr->name = (int)rndn(NIMAGES);
}

static void init_flow(flow_t *f)
{
    f->slot = (int)rndn(NPROC);
    f->v6 = rndn(100) < 15;
    f->udp = rndn(100) < 12;
    f->l4[0] = 10; f->l4[1] = 0; f->l4[2] = 0; f->l4[3] = (uint8_t)(2 + rndn(250));
    uint32_t ra = (uint32_t)rnd();
    memcpy(f->r4, &ra, 4);
    f->r4[0] = (uint8_t)(1 + f->r4[0] % 223);
    memset(f->l6, 0, 16); f->l6[0] = 0xfd; f->l6[15] = f->l4[3];
    f->r6[0] = 0x26; f->r6[1] = 0x06;
    for (int i = 2; i < 16; i++) f->r6[i] = (uint8_t)rnd();
    f->lport = (uint16_t)(49152 + rndn(16000));
    static const uint16_t ports[] = { 443, 443, 443, 80, 53, 22, 8080, 3478 };
    f->rport = f->udp ? (rndn(2) ? 53 : 3478) : ports[rndn(8)];
}

/* One network event for flow f, from the classic or the manifest provider. */
static void big_net(bigctx *c, flow_t *f, int manifest)
{
    uint8_t ev[EV_MAX], pl[128];
    uint32_t pid = c->procs[f->slot].pid;
    int send = (int)rndn(2);
    uint32_t size = f->udp ? 40 + rndn(1200) : (send ? 1 + rndn(1460) : 1 + rndn(65535));
    uint32_t r = rndn(100);
    uint8_t op;                              /* classic opcode */
    uint16_t id;                             /* Kernel-Network id */
    size_t p;

    if (f->udp) {
        op = send ? 10 : 11;
        id = (uint16_t)(f->v6 ? (send ? 58 : 59) : (send ? 42 : 43));
        if (f->v6) { op = (uint8_t)(op + 16); p = pl_gen6(pl, pid, size, f->r6, f->l6, f->rport, f->lport); }
        else p = pl_gen4(pl, pid, size, f->r4, f->l4, f->rport, f->lport);
    } else if (r < 3) {                      /* connect / accept */
        op = r < 2 ? 12 : 15;
        if (f->v6) {
            op = (uint8_t)(op + 16);
            memset(pl, 0, 72);
            p = pl_gen6(pl, pid, 0, f->r6, f->l6, f->rport, f->lport);
            put16(pl + 44, 1440); put16(pl + 46, 1); put16(pl + 50, 1); put32(pl + 52, 65535);
            put16(pl + 56, 8); put16(pl + 58, 8);
            p = 72;
        } else p = pl_conn4(pl, pid, f->r4, f->l4, f->rport, f->lport);
        id = op;
    } else if (r < 5) {                      /* disconnect / retransmit */
        op = r < 4 ? 13 : 14;
        if (f->v6) { op = (uint8_t)(op + 16); p = pl_gen6(pl, pid, 0, f->r6, f->l6, f->rport, f->lport); }
        else p = pl_gen4(pl, pid, 0, f->r4, f->l4, f->rport, f->lport);
        id = op;
    } else {                                 /* send / recv */
        uint32_t tick = (uint32_t)((c->q - Q0) / 1000000ULL) + 2961392;   /* 100 ms ticks */
        if (f->v6) {
            op = send ? 26 : 27;
            p = send ? pl_send6(pl, pid, size, f->r6, f->l6, f->rport, f->lport, tick, tick)
                     : pl_gen6(pl, pid, size, f->r6, f->l6, f->rport, f->lport);
        } else {
            op = send ? 10 : 11;
            p = send ? pl_send4(pl, pid, size, f->r4, f->l4, f->rport, f->lport, tick, tick)
                     : pl_gen4(pl, pid, size, f->r4, f->l4, f->rport, f->lport);
        }
        id = op;
    }
    uint32_t hpid = send ? pid : (rndn(2) ? 0 : 4);   /* receives run in any context */
    uint32_t htid = send ? pid + 4 : 0;
    size_t n;
    if (manifest) {
        /* IPv6 ids reuse the IPv4 opcodes; tasks other than 10 are not verified */
        uint8_t mop = (uint8_t)(id >= 26 && id < 42 ? id - 16 : id >= 58 ? id - 48 : id >= 42 ? id - 32 : id);
        mdesc d = { &KERNEL_NETWORK, id, 0, 0x10, 4, mop, (uint16_t)(f->udp ? 11 : 10),
                    0x8000000000000010ULL, htid, hpid, c->q, 0, 0 };
        uint8_t ts[4] = { 1, 0, 0, 0 };
        extitem x[1] = { { 3, 4, ts } };
        int nx = (c->kn_count++ & 7) == 0;   /* every 8th carries TS_ID */
        n = mk_event(ev, &d, x, nx, pl, p);
    } else {
        n = sys_hdr(ev, 0x02, 2, op, (uint8_t)(f->udp ? 0x08 : 0x06), htid, hpid, c->q, p);
        memcpy(ev + n, pl, p);
        n += p;
    }
    emit(c->w, ev, n, c->q);
    c->events++;
}

static void big_ndis(bigctx *c, flow_t *f)
{
    uint8_t ev[EV_MAX], fr[1600], data[256];
    int send = (int)rndn(2);
    size_t dl = rndn(200);
    for (size_t i = 0; i < dl; i++) data[i] = (uint8_t)(i * 7);
    size_t fl = send
        ? eth_tcp4(fr, MAC_GW, MAC_HOST, f->l4, f->r4, f->lport, f->rport, (uint32_t)rnd(),
                   (uint32_t)rnd(), 0x18, 512, 128, (uint16_t)rnd(), data, dl)
        : eth_tcp4(fr, MAC_HOST, MAC_GW, f->r4, f->l4, f->rport, f->lport, (uint32_t)rnd(),
                   (uint32_t)rnd(), 0x18, 512, 56, (uint16_t)rnd(), data, dl);
    uint32_t pid = send ? c->procs[f->slot].pid : 0;
    size_t n = ndis_frag(ev, send ? pid + 4 : 0, pid, c->q,
                         KW_NDIS_BASE | KW_ETHERNET_802_3 | (send ? KW_SEND : KW_RECEIVE)
                             | KW_PACKET_START | KW_PACKET_END,
                         7, fr, (uint32_t)fl, 1);
    emit(c->w, ev, n, c->q);
    c->events++;
}

static void big_noise(bigctx *c)
{
    uint8_t ev[64];
    size_t n;
    if (rndn(2)) {
        n = perf_hdr(ev, 2, 0x2E, 0x0F, c->q, 16);
        put64(ev + n, 0xFFFFF80300000000ULL | rnd() >> 40);
        put32(ev + n + 8, (uint32_t)rndn(40000)); put32(ev + n + 12, 1);
    } else {
        n = sys_hdr(ev, 0x04, 2, 36, 0x05, (uint32_t)rndn(40000), 0, c->q, 16);
        put64(ev + n, rnd()); put64(ev + n + 8, rnd());
    }
    emit(c->w, ev, n + 16, c->q);
    c->events++;
}

static int run_big(const char *path, uint64_t megabytes, uint64_t seed, int ndis)
{
    static bigctx c;
    writer w;
    uint64_t target = megabytes * (1048576ULL / 65536ULL);   /* buffers */

    rng_state = seed ? seed : 1;
    writer_open(&w, path, 65536);
    memset(&c, 0, sizeof c);
    c.w = &w;
    c.q = Q0;
    c.next_pid = 996;
    c.ndis = ndis;
    write_header_buffer(&w);

    /* rundown of the live processes */
    for (int i = 0; i < NPROC; i++) {
        new_proc(&c, &c.procs[i]);
        c.q += 1 + rndn(5);
        big_process(&c, 3, &c.procs[i]);
    }
    for (int i = 0; i < NFLOW; i++) init_flow(&c.flows[i]);

    while (w.nbuf < target) {
        c.q += 1 + rndn(20);                 /* ~1 us between events */
        if ((c.events & 2047) == 2047) {     /* process churn: End then Start in one slot */
            proc_t *pr = &c.procs[rndn(NPROC)];
            big_process(&c, 2, pr);
            new_proc(&c, pr);
            c.q += 1 + rndn(20);
            big_process(&c, 1, pr);
            continue;
        }
        flow_t *f = &c.flows[rndn(NFLOW)];
        uint32_t r = rndn(100);
        if (r < 50) big_net(&c, f, 0);
        else if (r < 92) big_net(&c, f, 1);
        else if (r < 95 || !c.ndis || f->v6 || f->udp) big_noise(&c);
        else big_ndis(&c, f);
    }
    w.used = WBH;                            /* drop the partly filled tail buffer */
    writer_close(&w, ft_of(w.flushed_qpc));   /* EndTime = newest event kept */
    fprintf(stderr, "synth_etl: wrote %llu buffers (%llu bytes), ~%llu events to %s\n",
            (unsigned long long)w.nbuf, (unsigned long long)(w.nbuf * 65536ULL),
            (unsigned long long)c.events, path);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: synth_etl sample OUT.etl\n"
                    "       synth_etl big OUT.etl --megabytes N [--seed S] [--ndis]\n");
    exit(2);
}

static uint64_t parse_u64(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') usage();
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 3) usage();
    if (strcmp(argv[1], "sample") == 0) {
        if (argc != 3) usage();
        return run_sample(argv[2]);
    }
    if (strcmp(argv[1], "big") == 0) {
        uint64_t mb = 0, seed = 1;
        int ndis = 0;
        for (int i = 3; i < argc; i++) {
            if (strcmp(argv[i], "--megabytes") == 0 && i + 1 < argc) mb = parse_u64(argv[++i]);
            else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) seed = parse_u64(argv[++i]);
            else if (strcmp(argv[i], "--ndis") == 0) ndis = 1;
            else usage();
        }
        if (mb == 0 || mb > 1000000) usage();
        return run_big(argv[2], mb, seed, ndis);
    }
    usage();
    return 2;
}
