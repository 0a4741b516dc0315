/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes procshark's sample captures: every ETW network, Process and Image event layout, an unknown
 * provider and malformed records (--events), every ETW layout cut at every length (--truncations),
 * tracee events and Get-NetTCPConnection rows listed in a file (--json-records) and JSON lines
 * (--jsonl). ETW payloads are laid out here from docs/FORMATS.md by hand, independently of the
 * decoders, so the tests compare two readings of the spec. */
#include <arpa/inet.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wiretap/wtap.h>

#include "etw_record.h"
#include "pcapng_writer.h"
#include "ps_bytes.h"
#include "tracee_event.h"
#include "source.h"
#include "upper_pdu.h"

#define BASE_TIME_NS INT64_C(1709294400000000000) /* 2024-03-01T12:00:00Z */

typedef struct {
    pcapng_writer *writer;
    int64_t next_ns;
    unsigned count;
} sample_out;

static void die(const char *what, char *error)
{
    fprintf(stderr, "procshark-samplegen: %s: %s\n", what, error ? error : "failed");
    g_free(error);
    exit(1);
}

static void put16(GByteArray *b, uint16_t v) { uint8_t x[2]; ps_put_le16(x, v); g_byte_array_append(b, x, 2); }
static void put16be(GByteArray *b, uint16_t v) { uint8_t x[2]; ps_put_be16(x, v); g_byte_array_append(b, x, 2); }
static void put32(GByteArray *b, uint32_t v) { uint8_t x[4]; ps_put_le32(x, v); g_byte_array_append(b, x, 4); }
static void put64(GByteArray *b, uint64_t v) { uint8_t x[8]; ps_put_le64(x, v); g_byte_array_append(b, x, 8); }
static void put_ptr(GByteArray *b, unsigned size, uint64_t v) { size == 8 ? put64(b, v) : put32(b, (uint32_t)v); }
static void put_ansi(GByteArray *b, const char *s) { g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s) + 1); }
static void put_utf16(GByteArray *b, const char *s)
{
    for (; *s; s++)
        put16(b, (uint8_t)*s);
    put16(b, 0);
}

static void put_addr(GByteArray *b, int family, const char *text)
{
    uint8_t addr[16];
    if (inet_pton(family, text, addr) != 1) {
        fprintf(stderr, "procshark-samplegen: bad address %s\n", text);
        exit(1);
    }
    g_byte_array_append(b, addr, family == AF_INET6 ? 16 : 4);
}

/* One ETW record around a payload. */
static void emit_record(sample_out *out, etw_provider provider, const uint8_t *custom_guid, uint16_t id,
                        uint8_t opcode, uint8_t version, uint16_t flags, const uint8_t *payload, size_t len,
                        uint32_t declared_len, size_t keep, const char *provider_name)
{
    int64_t ts = out->next_ns;
    out->next_ns += 1000000; /* 1 ms apart */
    etw_record_fields f = {0};
    f.flags = flags;
    f.thread_id = 1234;
    f.process_id = 4;
    f.timestamp = etw_unix_us_to_filetime((uint64_t)(ts / 1000));
    memcpy(f.provider_id, custom_guid ? custom_guid : etw_provider_guid(provider), 16);
    f.id = id;
    f.version = version;
    f.opcode = opcode;
    f.level = 4;

    GByteArray *name16 = g_byte_array_new();
    if (provider_name)
        put_utf16(name16, provider_name);
    size_t total = etw_record_size(len, 0, name16->len);
    uint8_t *rec = g_malloc0(total);
    etw_record_build(rec, &f, payload, len, NULL, 0, name16->data, name16->len);
    if (declared_len != (uint32_t)len)
        ps_put_le32(rec + 84, declared_len);
    char *error = NULL;
    if (!pcapng_writer_write(out->writer, 0, ts, rec, keep < total ? keep : total, NULL, &error))
        die("write", error);
    out->count++;
    g_free(rec);
    g_byte_array_free(name16, TRUE);
}

static void emit(sample_out *out, etw_provider provider, uint16_t id, uint8_t opcode, uint8_t version,
                 uint16_t flags, const GByteArray *payload)
{
    emit_record(out, provider, NULL, id, opcode, version, flags, payload->data, payload->len, payload->len,
                SIZE_MAX, NULL);
}

/* --- network payloads ------------------------------------------------------------------------ */

typedef enum { SEND, GEN, CONN, FAIL } net_shape;

typedef struct {
    net_shape shape;
    int ip;          /* 4 or 6 */
    unsigned connid; /* 4 or 8 */
    unsigned n;      /* the record's number: every value below is derived from it */
} net_spec;

/* Values: pid 4000+n, size 100n, local 10.0.0.n:50000+n (IPv6 2001:db8::n), remote 192.0.2.n:443
 * (2001:db8:ffff::n), startime 1000+n, endtime 1001+n, seqnum n, connid 0x1122334400000000+n
 * (4 bytes: 0xabcd0000+n), mss 1460, sackopt 1, tsopt n%2, wsopt 8, rcvwin 65535+n,
 * rcvwinscale 7, sndwinscale -1; Fail: proto 2 (n odd) or 23, code 1 + n%6. */
static GByteArray *net_payload(const net_spec *s)
{
    GByteArray *b = g_byte_array_new();
    unsigned n = s->n;
    if (s->shape == FAIL) {
        put16(b, n % 2 ? 2 : 23);
        put16(b, (uint16_t)(1 + n % 6));
        return b;
    }
    char local[64], remote[64];
    int family = s->ip == 6 ? AF_INET6 : AF_INET;
    if (s->ip == 6) {
        snprintf(local, sizeof local, "2001:db8::%x", n);
        snprintf(remote, sizeof remote, "2001:db8:ffff::%x", n);
    } else {
        snprintf(local, sizeof local, "10.0.0.%u", n);
        snprintf(remote, sizeof remote, "192.0.2.%u", n);
    }
    put32(b, 4000 + n);
    put32(b, 100 * n);
    put_addr(b, family, remote);
    put_addr(b, family, local);
    put16be(b, 443);
    put16be(b, (uint16_t)(50000 + n));
    if (s->shape == SEND) {
        put32(b, 1000 + n);
        put32(b, 1001 + n);
    } else if (s->shape == CONN) {
        put16(b, 1460);
        put16(b, 1);
        put16(b, (uint16_t)(n % 2));
        put16(b, 8);
        put32(b, 65535 + n);
        put16(b, 7);
        put16(b, (uint16_t)-1);
    }
    put32(b, n);
    if (s->connid == 8)
        put64(b, UINT64_C(0x1122334400000000) + n);
    else
        put32(b, 0xabcd0000u + n);
    return b;
}

static net_shape tcp_shape(uint16_t type, int *ip)
{
    *ip = type >= 26 ? 6 : 4;
    switch (type % 16) {
    case 10: return SEND; /* 10, 26 */
    case 12: case 15: return CONN; /* 12, 28, 15, 31 */
    case 1: return FAIL; /* 17 */
    default: return GEN;
    }
}

static void emit_net(sample_out *out, etw_provider provider, uint16_t type, unsigned connid, unsigned n)
{
    net_spec s = {GEN, 4, connid, n};
    if (provider == ETW_PROVIDER_UDPIP || (provider == ETW_PROVIDER_KERNEL_NETWORK && type >= 42)) {
        s.ip = (type == 26 || type == 27 || type == 58 || type == 59) ? 6 : 4;
        s.shape = (type == 17 || type == 49) ? FAIL : GEN;
    } else {
        s.shape = tcp_shape(type, &s.ip);
    }
    GByteArray *p = net_payload(&s);
    uint16_t flags = connid == 8 ? 0x0040 : 0x0020;
    if (provider == ETW_PROVIDER_KERNEL_NETWORK)
        emit(out, provider, type, 0, 0, flags, p);
    else
        emit(out, provider, 0, (uint8_t)type, 2, flags | 0x0100, p);
    g_byte_array_free(p, TRUE);
}

/* --- process payloads ------------------------------------------------------------------------ */

typedef struct {
    uint8_t version;
    unsigned ptr;       /* 4 or 8 */
    bool sid;           /* S-1-5-21-1004336348-1177238915-682003330-1001, else none */
    uint32_t pid, ppid, session;
    int32_t exit_status;
    const char *image, *cmdline, *package, *appid;
    uint64_t exit_time; /* version 5 Defunct */
} proc_spec;

static GByteArray *proc_payload(const proc_spec *s, uint8_t opcode)
{
    GByteArray *b = g_byte_array_new();
    put_ptr(b, s->ptr, s->ptr == 8 ? UINT64_C(0xffffc00012345678) : 0x82345678u);
    put32(b, s->pid);
    put32(b, s->ppid);
    put32(b, s->session);
    put32(b, (uint32_t)s->exit_status);
    put_ptr(b, s->ptr, s->ptr == 8 ? UINT64_C(0x1aa000) : 0x1bb000u);
    if (s->version >= 4)
        put32(b, 0x2); /* flags */
    if (s->sid) {
        put_ptr(b, s->ptr, s->ptr == 8 ? UINT64_C(0xffffa00011112222) : 0x91112222u); /* token */
        put_ptr(b, s->ptr, 0);
        static const uint8_t sid[] = {1, 5, 0, 0, 0, 0, 0, 5};
        g_byte_array_append(b, sid, sizeof sid);
        put32(b, 21);
        put32(b, 1004336348);
        put32(b, 1177238915);
        put32(b, 682003330);
        put32(b, 1001);
    } else {
        put32(b, 0);
    }
    put_ansi(b, s->image);
    put_utf16(b, s->cmdline);
    if (s->version >= 4) {
        put_utf16(b, s->package);
        put_utf16(b, s->appid);
    }
    if (s->version == 5 && opcode == 39)
        put64(b, s->exit_time);
    return b;
}

static void emit_proc(sample_out *out, uint8_t opcode, const proc_spec *s)
{
    GByteArray *p = proc_payload(s, opcode);
    emit(out, ETW_PROVIDER_PROCESS, 0, opcode, s->version, (s->ptr == 8 ? 0x0040 : 0x0020) | 0x0100, p);
    g_byte_array_free(p, TRUE);
}

/* Terminate: pid 4242. PerfCtr and PerfCtrRundown: pid 4242, page faults 1000, handles 200, reserved 0,
 * then the eleven sizes from PeakVirtualSize to PrivatePageCount, the k-th (from 0) 0x100000 * (k + 1). */
static GByteArray *proc_v2_payload(uint8_t opcode, unsigned ptr)
{
    GByteArray *b = g_byte_array_new();
    put32(b, 4242);
    if (opcode == 11)
        return b;
    put32(b, 1000);
    put32(b, 200);
    put32(b, 0);
    for (unsigned k = 0; k < 11; k++)
        put_ptr(b, ptr, UINT64_C(0x100000) * (k + 1));
    return b;
}

static void emit_proc_v2(sample_out *out, uint8_t opcode, uint8_t version, unsigned ptr)
{
    GByteArray *p = proc_v2_payload(opcode, ptr);
    emit(out, ETW_PROVIDER_PROCESS, 0, opcode, version, (ptr == 8 ? 0x0040 : 0x0020) | 0x0100, p);
    g_byte_array_free(p, TRUE);
}

/* --- image payloads -------------------------------------------------------------------------- */

typedef struct {
    uint8_t version; /* 1, 2 or 3 */
    unsigned ptr;    /* 4 or 8 */
    unsigned n;      /* the record's number: every value below is derived from it */
} image_spec;

/* Values: base 0x7ff800000000 + 0x100000n (4-byte pointers: 0x70000000 + 0x100000n), size
 * 0x1000 * (n + 16), pid 5000 + n, checksum 0xc0de0000 + n, time stamp 1700000000 + n, signature
 * level n and type 1 (version 3), default base = base + 0x10000, reserved 0, file name
 * \Device\HarddiskVolume3\Windows\System32\imgN.dll. */
static GByteArray *image_payload(const image_spec *s)
{
    GByteArray *b = g_byte_array_new();
    const uint64_t base = s->ptr == 8 ? UINT64_C(0x7ff800000000) + UINT64_C(0x100000) * s->n : 0x70000000u + 0x100000u * s->n;
    put_ptr(b, s->ptr, base);
    put_ptr(b, s->ptr, 0x1000u * (s->n + 16));
    put32(b, 5000 + s->n);
    if (s->version >= 2) {
        put32(b, 0xc0de0000u + s->n);
        put32(b, 1700000000u + s->n);
        if (s->version == 3) {
            const uint8_t signature[2] = {(uint8_t)s->n, 1};
            g_byte_array_append(b, signature, 2);
            put16(b, 0);
        } else {
            put32(b, 0);
        }
        put_ptr(b, s->ptr, base + 0x10000);
        for (int i = 0; i < 4; i++)
            put32(b, 0);
    }
    char name[64];
    snprintf(name, sizeof name, "\\Device\\HarddiskVolume3\\Windows\\System32\\img%u.dll", s->n);
    put_utf16(b, name);
    return b;
}

static void emit_image(sample_out *out, uint8_t opcode, const image_spec *s)
{
    GByteArray *p = image_payload(s);
    emit(out, ETW_PROVIDER_IMAGE, 0, opcode, s->version, (s->ptr == 8 ? 0x0040 : 0x0020) | 0x0100, p);
    g_byte_array_free(p, TRUE);
}

/* KernelBase and HypercallPage of ShutdownPerfDiagLogger.etl (Windows 10 x64), verbatim. */
static const uint8_t real_kernel_base[] = {0x00, 0xb0, 0x4a, 0x42, 0x02, 0xf8, 0xff, 0xff};
static const uint8_t real_hypercall_page[] = {0x00, 0x00, 0x31, 0x42, 0x02, 0xf8, 0xff, 0xff};

/* --- the captures ------------------------------------------------------------------------------ */

static const uint16_t tcp_types[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 26, 27, 28, 29, 30, 31, 32, 34};

static const proc_spec proc_start_v3 = {3, 8, true, 4242, 700, 1, 0, "curl.exe",
                                        "curl.exe https://example.com/", NULL, NULL, 0};
static const proc_spec proc_dcstart_v4 = {4, 8, false, 4,    0, 0, 0, "System", "", "", "", 0};
static const proc_spec proc_end_v4 = {4, 8, true, 4242, 700, 1, 0, "curl.exe", "curl.exe https://example.com/",
                                      "", "", 0};
static const proc_spec proc_dcend_v4_32 = {4, 4, true, 1337, 600, 2, 259, "calc.exe", "\"calc.exe\"",
                                           "Microsoft.WindowsCalculator_10.2103.8.0_x86__8wekyb3d8bbwe", "App", 0};
static const proc_spec proc_defunct_v5 = {5, 8, true, 5150, 700, 1, -1073741510, "svchost.exe",
                                          "svchost.exe -k netsvcs", "", "",
                                          UINT64_C(133537680000000000) /* 2024-03-01T12:00:00Z */};
static const proc_spec proc_end_v3_32 = {3, 4, false, 808, 4, 0, 1, "smss.exe", "\\SystemRoot\\smss.exe", NULL,
                                         NULL, 0};

static void write_events(sample_out *out)
{
    /* The two real Kernel-Network payloads of docs/FORMATS.md (Windows 7 x64), verbatim. */
    static const uint8_t real_send[] = {0x9c, 0x0a, 0x00, 0x00, 0x4d, 0x00, 0x00, 0x00, 0x9d, 0x38, 0xf4, 0x26,
                                        0x0a, 0x79, 0x6a, 0x76, 0x01, 0xbb, 0xf1, 0x2b, 0xf0, 0x2f, 0x2d, 0x00,
                                        0xf1, 0x2f, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00};
    static const uint8_t real_recv[] = {0x9c, 0x0a, 0x00, 0x00, 0x05, 0x10, 0x00, 0x00, 0x9d, 0x38, 0xf4, 0x26,
                                        0x0a, 0x79, 0x6a, 0x76, 0x01, 0xbb, 0xf1, 0x2c, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    emit_record(out, ETW_PROVIDER_KERNEL_NETWORK, NULL, 10, 0, 0, 0x0040, real_send, sizeof real_send,
                sizeof real_send, SIZE_MAX, NULL);
    emit_record(out, ETW_PROVIDER_KERNEL_NETWORK, NULL, 11, 0, 0, 0x0040, real_recv, sizeof real_recv,
                sizeof real_recv, SIZE_MAX, NULL);

    unsigned n = 1;
    /* TcpIp, every type, 8-byte connid; then each layout once with a 4-byte connid. */
    for (size_t i = 0; i < G_N_ELEMENTS(tcp_types); i++)
        emit_net(out, ETW_PROVIDER_TCPIP, tcp_types[i], 8, n++);
    static const uint16_t narrow[] = {10, 11, 12, 26, 27, 28};
    for (size_t i = 0; i < G_N_ELEMENTS(narrow); i++)
        emit_net(out, ETW_PROVIDER_TCPIP, narrow[i], 4, n++);
    /* Kernel-Network: every TCP and UDP id. */
    for (size_t i = 0; i < G_N_ELEMENTS(tcp_types); i++)
        emit_net(out, ETW_PROVIDER_KERNEL_NETWORK, tcp_types[i], 8, n++);
    static const uint16_t kn_udp[] = {42, 43, 49, 58, 59};
    for (size_t i = 0; i < G_N_ELEMENTS(kn_udp); i++)
        emit_net(out, ETW_PROVIDER_KERNEL_NETWORK, kn_udp[i], 8, n++);
    /* UdpIp (classic), from a 32-bit kernel. */
    static const uint16_t udp_types[] = {10, 11, 17, 26, 27};
    for (size_t i = 0; i < G_N_ELEMENTS(udp_types); i++)
        emit_net(out, ETW_PROVIDER_UDPIP, udp_types[i], 4, n++);

    emit_proc(out, 1, &proc_start_v3);
    emit_proc(out, 3, &proc_dcstart_v4);
    emit_proc(out, 2, &proc_end_v4);
    emit_proc(out, 4, &proc_dcend_v4_32);
    emit_proc(out, 39, &proc_defunct_v5);
    emit_proc(out, 2, &proc_end_v3_32);

    /* A provider procshark does not decode: Microsoft-Windows-DNS-Client. */
    static const uint8_t dns_guid[16] = {0x6e, 0x12, 0x95, 0x1c, 0xea, 0x7e, 0xa9, 0x49,
                                         0xa3, 0xfe, 0xa3, 0x78, 0xb0, 0x3d, 0xdb, 0x4d};
    static const uint8_t dns_data[] = {'e', 0, 'x', 0, 'a', 0, 'm', 0, 0, 0};
    emit_record(out, ETW_PROVIDER_OTHER, dns_guid, 3008, 0, 0, 0x0040, dns_data, sizeof dns_data,
                sizeof dns_data, SIZE_MAX, "Microsoft-Windows-DNS-Client");

    /* Malformed records, one problem each. */
    net_spec send4 = {SEND, 4, 8, n++};
    GByteArray *p = net_payload(&send4);
    emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, 10, 2, 0x0140, p->data, p->len, p->len, 40, NULL);
    emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, 10, 2, 0x0140, p->data, p->len, 200, 96 + 36, NULL);
    emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, 10, 2, 0x0140, p->data, 38, 38, SIZE_MAX, NULL);
    emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, 10, 3, 0x0140, p->data, p->len, p->len, SIZE_MAX, NULL);
    emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, 10, 1, 0x0140, p->data, p->len, p->len, SIZE_MAX, NULL);
    g_byte_array_free(p, TRUE);
    net_spec gen6 = {GEN, 6, 8, n++};
    p = net_payload(&gen6);
    emit_record(out, ETW_PROVIDER_KERNEL_NETWORK, NULL, 27, 0, 0, 0x0040, p->data, 20, 20, SIZE_MAX, NULL);
    emit_record(out, ETW_PROVIDER_KERNEL_NETWORK, NULL, 99, 0, 0, 0x0040, p->data, p->len, p->len, SIZE_MAX,
                NULL);
    g_byte_array_free(p, TRUE);
    static const uint8_t fail6[] = {2, 0, 1, 0, 0xee, 0xee};
    emit_record(out, ETW_PROVIDER_KERNEL_NETWORK, NULL, 17, 0, 0, 0x0040, fail6, sizeof fail6, sizeof fail6,
                SIZE_MAX, NULL);
    p = proc_payload(&proc_end_v4, 2);
    emit_record(out, ETW_PROVIDER_PROCESS, NULL, 0, 2, 4, 0x0140, p->data, p->len - 20, p->len - 20, SIZE_MAX,
                NULL);
    emit_record(out, ETW_PROVIDER_PROCESS, NULL, 0, 2, 2, 0x0140, p->data, p->len, p->len, SIZE_MAX, NULL);
    emit_record(out, ETW_PROVIDER_PROCESS, NULL, 0, 50, 4, 0x0140, p->data, p->len, p->len, SIZE_MAX, NULL);
    g_byte_array_free(p, TRUE);
    p = proc_payload(&proc_start_v3, 1);
    p->data[32 + 16] = 9; /* SID revision 9: after the 32 fixed bytes and the 16-byte token header */
    emit(out, ETW_PROVIDER_PROCESS, 0, 1, 3, 0x0140, p);
    g_byte_array_free(p, TRUE);

    /* Image events (Windows files the Process group's Load under Image): each layout. */
    emit_image(out, 10, &(image_spec){3, 8, 1});
    emit_image(out, 2, &(image_spec){3, 8, 2});
    emit_image(out, 3, &(image_spec){2, 4, 3});
    emit_image(out, 4, &(image_spec){3, 4, 4});
    emit_image(out, 10, &(image_spec){1, 8, 5});
    emit_record(out, ETW_PROVIDER_IMAGE, NULL, 0, 33, 2, 0x0140, real_kernel_base, sizeof real_kernel_base,
                sizeof real_kernel_base, SIZE_MAX, NULL);
    emit_record(out, ETW_PROVIDER_IMAGE, NULL, 0, 34, 2, 0x0140, real_hypercall_page, sizeof real_hypercall_page,
                sizeof real_hypercall_page, SIZE_MAX, NULL);
    /* ...and one problem each: cut inside Reserved2, 6 bytes too many, an unknown opcode and version. */
    p = image_payload(&(image_spec){3, 8, 6});
    emit_record(out, ETW_PROVIDER_IMAGE, NULL, 0, 10, 3, 0x0140, p->data, 44, 44, SIZE_MAX, NULL);
    g_byte_array_free(p, TRUE);
    p = image_payload(&(image_spec){3, 8, 7});
    static const uint8_t extra[6] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
    g_byte_array_append(p, extra, sizeof extra);
    emit(out, ETW_PROVIDER_IMAGE, 0, 10, 3, 0x0140, p);
    g_byte_array_free(p, TRUE);
    p = image_payload(&(image_spec){2, 8, 8});
    emit(out, ETW_PROVIDER_IMAGE, 0, 128, 2, 0x0140, p);
    g_byte_array_free(p, TRUE);
    p = image_payload(&(image_spec){1, 8, 9});
    emit(out, ETW_PROVIDER_IMAGE, 0, 2, 1, 0x0140, p);
    g_byte_array_free(p, TRUE);

    /* The Process events of version 2: Terminate, the two counter events, and a Terminate of an
     * unknown version. */
    emit_proc_v2(out, 11, 2, 8);
    emit_proc_v2(out, 32, 2, 8);
    emit_proc_v2(out, 33, 2, 4);
    emit_proc_v2(out, 11, 3, 8);
}

/* Each layout cut at every length, declared honestly, and again with UserDataLength left whole. */
static void write_truncations(sample_out *out)
{
    static const uint16_t types[] = {10, 11, 12, 17, 26, 27, 28};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        for (unsigned width = 4; width <= 8; width += 4) {
            int ip;
            net_spec s = {tcp_shape(types[i], &ip), 0, width, 7};
            s.ip = ip;
            GByteArray *p = net_payload(&s);
            for (size_t len = 0; len < p->len; len++) {
                /* An 8-byte connid cut by 4 is a whole record with a 4-byte connid. */
                if (!(width == 8 && len == p->len - 4))
                    emit_record(out, ETW_PROVIDER_KERNEL_NETWORK, NULL, types[i], 0, 0, 0x0040, p->data, len,
                                len, SIZE_MAX, NULL);
                emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, (uint8_t)types[i], 2, 0x0140, p->data, p->len,
                            p->len, ETW_HEADER_SIZE + len, NULL);
            }
            g_byte_array_free(p, TRUE);
        }
    }
    const proc_spec *procs[] = {&proc_start_v3, &proc_end_v4, &proc_dcend_v4_32, &proc_defunct_v5, &proc_end_v3_32};
    const uint8_t opcodes[] = {1, 2, 4, 39, 2};
    for (size_t i = 0; i < G_N_ELEMENTS(procs); i++) {
        GByteArray *p = proc_payload(procs[i], opcodes[i]);
        uint16_t flags = (procs[i]->ptr == 8 ? 0x0040 : 0x0020) | 0x0100;
        for (size_t len = 0; len < p->len; len++) {
            emit_record(out, ETW_PROVIDER_PROCESS, NULL, 0, opcodes[i], procs[i]->version, flags, p->data, len,
                        len, SIZE_MAX, NULL);
            emit_record(out, ETW_PROVIDER_PROCESS, NULL, 0, opcodes[i], procs[i]->version, flags, p->data,
                        p->len, p->len, ETW_HEADER_SIZE + len, NULL);
        }
        g_byte_array_free(p, TRUE);
    }
    static const image_spec images[] = {{3, 8, 1}, {2, 4, 3}, {1, 8, 5}};
    for (size_t i = 0; i < G_N_ELEMENTS(images); i++) {
        GByteArray *p = image_payload(&images[i]);
        uint16_t flags = (images[i].ptr == 8 ? 0x0040 : 0x0020) | 0x0100;
        for (size_t len = 0; len < p->len; len++) {
            emit_record(out, ETW_PROVIDER_IMAGE, NULL, 0, 10, images[i].version, flags, p->data, len, len, SIZE_MAX,
                        NULL);
            emit_record(out, ETW_PROVIDER_IMAGE, NULL, 0, 10, images[i].version, flags, p->data, p->len, p->len,
                        ETW_HEADER_SIZE + len, NULL);
        }
        g_byte_array_free(p, TRUE);
    }
    for (size_t len = 0; len < sizeof real_kernel_base; len++)
        emit_record(out, ETW_PROVIDER_IMAGE, NULL, 0, 33, 2, 0x0140, real_kernel_base, len, len, SIZE_MAX, NULL);
    const uint8_t v2_opcodes[] = {11, 32, 32};
    const unsigned v2_ptrs[] = {8, 8, 4};
    for (size_t i = 0; i < G_N_ELEMENTS(v2_opcodes); i++) {
        GByteArray *p = proc_v2_payload(v2_opcodes[i], v2_ptrs[i]);
        uint16_t flags = (v2_ptrs[i] == 8 ? 0x0040 : 0x0020) | 0x0100;
        for (size_t len = 0; len < p->len; len++)
            emit_record(out, ETW_PROVIDER_PROCESS, NULL, 0, v2_opcodes[i], 2, flags, p->data, len, len, SIZE_MAX, NULL);
        g_byte_array_free(p, TRUE);
    }
    static const uint8_t nothing[4] = {0};
    for (size_t keep = 0; keep < ETW_HEADER_SIZE; keep++)
        emit_record(out, ETW_PROVIDER_TCPIP, NULL, 0, 17, 2, 0x0140, nothing, 4, 4, keep, NULL);
}

/* --- JSON records (exported PDUs) ---------------------------------------------------------------- */

typedef struct {
    pcapng_writer *writer;
    int64_t last_ns;
    bool last_was_snapshot;
    unsigned count;
} json_out;

/* tracee events carry their time; a Get-NetTCPConnection snapshot is one instant after the last
 * record; anything undated follows 1 ms later. */
static int64_t record_time(json_out *out, const char *dissector, const char *payload, size_t len)
{
    int64_t ts = out->last_ns > INT64_MAX - 1000000 ? out->last_ns : out->last_ns + 1000000;
    bool snapshot = strcmp(dissector, ps_source_nettcp.pdu_dissector) == 0;
    if (snapshot && out->last_was_snapshot) {
        ts = out->last_ns;
    } else if (!snapshot) {
        uint64_t ns;
        if (tracee_event_timestamp(payload, len, &ns, NULL))
            ts = (int64_t)ns;
    }
    out->last_was_snapshot = snapshot;
    return ts;
}

static void emit_json(json_out *out, unsigned interface_id, const char *dissector, const char *payload, size_t len)
{
    int64_t ts = record_time(out, dissector, payload, len);
    GByteArray *frame = upper_pdu_frame(dissector, (const uint8_t *)payload, len);
    char *error = NULL;
    if (!pcapng_writer_write(out->writer, interface_id, ts, frame->data, frame->len, NULL, &error))
        die("write", error);
    g_byte_array_free(frame, TRUE);
    out->last_ns = ts;
    out->count++;
}

static char **read_lines(const char *path)
{
    char *text = NULL;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        fprintf(stderr, "procshark-samplegen: %s\n", gerr->message);
        exit(1);
    }
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    return lines;
}

static const pcapng_interface json_interfaces[] = {
    {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "tracee", "tracee events (procshark.tracee)"},
    {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "nettcp", "Get-NetTCPConnection rows (procshark.nettcpconnection)"},
};

/* LIST: "tracee<TAB>payload" or "nettcp<TAB>payload" lines, payload bytes as they are (they need
 * not be UTF-8); '#' starts a comment. */
static void write_json_records(json_out *out, const char *list)
{
    char **lines = read_lines(list);
    for (size_t i = 0; lines[i]; i++) {
        const char *line = lines[i];
        if (!line[0] || line[0] == '#')
            continue;
        const char *tab = strchr(line, '\t');
        bool tracee = tab && strncmp(line, "tracee\t", 7) == 0;
        if (!tab || (!tracee && strncmp(line, "nettcp\t", 7) != 0)) {
            fprintf(stderr, "procshark-samplegen: %s:%zu: expected tracee or nettcp, a tab, then JSON\n", list, i + 1);
            exit(1);
        }
        emit_json(out, tracee ? 0 : 1, tracee ? ps_source_tracee.pdu_dissector : ps_source_nettcp.pdu_dissector, tab + 1, strlen(tab + 1));
    }
    g_strfreev(lines);
}

/* Every non-empty line of FILE as one record for the named dissector. */
static void write_jsonl(json_out *out, const char *dissector, const char *path)
{
    char **lines = read_lines(path);
    for (size_t i = 0; lines[i]; i++)
        if (lines[i][0])
            emit_json(out, strcmp(dissector, ps_source_nettcp.pdu_dissector) == 0 ? 1 : 0, dissector, lines[i], strlen(lines[i]));
    g_strfreev(lines);
}

static void usage(void)
{
    fprintf(stderr, "usage: procshark-samplegen --events OUT.pcapng\n"
                    "       procshark-samplegen --truncations OUT.pcapng\n"
                    "       procshark-samplegen --json-records LIST.tsv OUT.pcapng\n"
                    "       procshark-samplegen --jsonl tracee|nettcp FILE.jsonl OUT.pcapng\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    pcapng_writer_init_library("procshark-samplegen");
    const char *mode = argv[1];
    const char *path = argv[argc - 1];
    char *error = NULL;
    if (strcmp(mode, "--events") == 0 || strcmp(mode, "--truncations") == 0) {
        if (argc != 3)
            usage();
        bool events = strcmp(mode, "--events") == 0;
        const pcapng_interface etw_if = {WTAP_ENCAP_ETW, "etw",
                                         events ? "procshark sample ETW events" : "procshark truncated ETW records"};
        sample_out out = {pcapng_writer_open(path, &etw_if, 1, &error), BASE_TIME_NS, 0};
        if (!out.writer)
            die("open", error);
        if (events)
            write_events(&out);
        else
            write_truncations(&out);
        if (!pcapng_writer_close(out.writer, &error))
            die(path, error);
        fprintf(stderr, "procshark-samplegen: wrote %u records to %s\n", out.count, path);
        return 0;
    }
    bool records = strcmp(mode, "--json-records") == 0 && argc == 4;
    bool jsonl = strcmp(mode, "--jsonl") == 0 && argc == 5;
    if (!records && !jsonl)
        usage();
    const char *dissector = NULL;
    if (jsonl) {
        if (strcmp(argv[2], "tracee") == 0)
            dissector = ps_source_tracee.pdu_dissector;
        else if (strcmp(argv[2], "nettcp") == 0)
            dissector = ps_source_nettcp.pdu_dissector;
        else
            usage();
    }
    json_out out = {pcapng_writer_open(path, json_interfaces, G_N_ELEMENTS(json_interfaces), &error),
                    BASE_TIME_NS, false, 0};
    if (!out.writer)
        die("open", error);
    if (records)
        write_json_records(&out, argv[2]);
    else
        write_jsonl(&out, dissector, argv[3]);
    if (!pcapng_writer_close(out.writer, &error))
        die(path, error);
    fprintf(stderr, "procshark-samplegen: wrote %u records to %s\n", out.count, path);
    return 0;
}
