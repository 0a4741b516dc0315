/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes the seed corpora of the libFuzzer targets, one folder per target under OUT_DIR:
 *
 *   fuzz-make-corpus OUT_DIR SOURCE_DIR SAMPLES_DIR SYNTH_ETL JSON_CORPUS
 *
 * from the bundled captures (SOURCE_DIR/captures: ETW records of link type 290, tracee and
 * Get-NetTCPConnection JSON in exported-PDU records), the real samples (SAMPLES_DIR/tracee lines,
 * SAMPLES_DIR/etl files and their buffers, the compressed traces of SOURCE_DIR/tests/fixtures/etl and
 * SAMPLES_DIR/etl/pktmon and their compressed buffers; skipped with a message where absent), the synthetic .etl
 * trace SYNTH_ETL writes, and the hostile JSON lines JSON_CORPUS writes. A small pcapng reader of its
 * own: wiretap is not needed for the few block types the captures use. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "etl_file.h"
#include "etw_record.h"
#include "ps_bytes.h"

/* Larger seeds slow every mutation down; the fuzzer grows inputs where that pays. */
#define SEED_MAX (64 * 1024)
/* ETL files: the first buffers of each, at most this many bytes. */
#define ETL_FILE_SEED_MAX (192 * 1024)
/* Records of one kind (provider and event) taken from an .etl file: enough to show the variants. */
#define PER_KIND 4
#define BUFFERS_PER_FILE 24

static const char *out_dir;
static unsigned written;

static void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz-make-corpus: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* A seed file named by its content, so the same seed from two sources is written once. */
static void seed(const char *target, const void *data, size_t len)
{
    if (len > SEED_MAX && strcmp(target, "etl_file") != 0)
        return;
    char *dir = g_build_filename(out_dir, target, NULL);
    if (g_mkdir_with_parents(dir, 0755) != 0)
        die("cannot create %s: %s", dir, g_strerror(errno));
    char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA1, data, len);
    char *path = g_build_filename(dir, sum, NULL);
    GError *error = NULL;
    if (!g_file_set_contents(path, data, (gssize)len, &error))
        die("%s", error->message);
    written++;
    g_free(path);
    g_free(sum);
    g_free(dir);
}

/* A seed with a prefix of selector bytes (the targets that take the record header's choices first). */
static void seed_prefixed(const char *target, const uint8_t *prefix, size_t plen, const uint8_t *data, size_t len)
{
    uint8_t *buf = g_malloc(plen + len + 1);
    memcpy(buf, prefix, plen);
    if (len)
        memcpy(buf + plen, data, len);
    seed(target, buf, plen + len);
    g_free(buf);
}

/* --- ETW records: the record itself, and its payload for the payload targets ------------------- */

static void seed_record(const uint8_t *rec, size_t len)
{
    seed("etw_record", rec, len);
    etw_record r;
    if (!etw_record_parse(rec, len, &r))
        return;
    const uint8_t *payload = rec + r.user_data.off;
    switch (etw_provider_from_guid(r.provider_id)) {
    case ETW_PROVIDER_TCPIP:
    case ETW_PROVIDER_UDPIP:
    case ETW_PROVIDER_KERNEL_NETWORK: {
        /* fuzz_etw_net: provider, id (classic: the opcode in its low byte), version, 0x80 = honest length */
        const etw_provider p = etw_provider_from_guid(r.provider_id);
        const uint16_t type = p == ETW_PROVIDER_KERNEL_NETWORK ? r.id : r.opcode;
        const uint8_t prefix[] = {p == ETW_PROVIDER_TCPIP ? 0 : p == ETW_PROVIDER_UDPIP ? 1 : 2, (uint8_t)type,
                                  (uint8_t)(type >> 8), r.version, 0x80};
        seed_prefixed("etw_net", prefix, sizeof prefix, payload, r.user_data.len);
        break;
    }
    case ETW_PROVIDER_PROCESS: {
        /* fuzz_etw_process: opcode, version, pointer size bit and a 128-byte Info buffer */
        const uint8_t prefix[] = {r.opcode, r.version, (uint8_t)(0xfe | ((r.flags & ETW_FLAG_32_BIT_HEADER) ? 1 : 0))};
        seed_prefixed("etw_process", prefix, sizeof prefix, payload, r.user_data.len);
        break;
    }
    case ETW_PROVIDER_IMAGE: {
        /* fuzz_etw_image: the same prefix as fuzz_etw_process */
        const uint8_t prefix[] = {r.opcode, r.version, (uint8_t)(0xfe | ((r.flags & ETW_FLAG_32_BIT_HEADER) ? 1 : 0))};
        seed_prefixed("etw_image", prefix, sizeof prefix, payload, r.user_data.len);
        break;
    }
    case ETW_PROVIDER_OTHER:
        break;
    }
}

/* --- pcapng ------------------------------------------------------------------------------------- */

#define LINKTYPE_UPPER_PDU 252
#define LINKTYPE_ETW 290
#define EXP_PDU_TAG_DISSECTOR_NAME 12

static void exported_pdu(const uint8_t *p, size_t len, GString *tracee_lines, GString *nettcp_array)
{
    char name[64] = "";
    size_t off = 0;
    for (;;) {
        if (len - off < 4)
            return;
        const uint16_t tag = ps_be16(p + off), tlen = ps_be16(p + off + 2);
        off += 4;
        if (tag == 0)
            break;
        if (tlen > len - off)
            return;
        if (tag == EXP_PDU_TAG_DISSECTOR_NAME) {
            const size_t n = MIN(sizeof name - 1, (size_t)tlen);
            memcpy(name, p + off, n);
            name[n] = '\0'; /* trailing NULs in the name end it here too */
        }
        off += tlen;
    }
    const uint8_t *json = p + off;
    const size_t jlen = len - off;
    /* The files made of the records (JSON lines, an array, its UTF-16 copy) take the valid UTF-8 ones. */
    const bool utf8 = g_utf8_validate((const char *)json, (gssize)jlen, NULL);
    if (strcmp(name, "procshark.tracee") == 0) {
        seed("tracee_event", json, jlen);
        if (utf8) {
            g_string_append_len(tracee_lines, (const char *)json, (gssize)jlen);
            g_string_append_c(tracee_lines, '\n');
        }
    } else if (strcmp(name, "procshark.nettcpconnection") == 0) {
        seed("nettcp_json", json, jlen);
        if (utf8) {
            g_string_append(nettcp_array, nettcp_array->len > 1 ? ",\r\n" : "");
            g_string_append_len(nettcp_array, (const char *)json, (gssize)jlen);
        }
    }
}

/* Every packet of the capture on a link type 290 or 252 interface. Little-endian sections only
 * (those are what the project writes). */
static void read_pcapng(const char *path, GString *tracee_lines, GString *nettcp_array)
{
    gchar *buf;
    gsize len;
    GError *error = NULL;
    if (!g_file_get_contents(path, &buf, &len, &error))
        die("%s", error->message);
    const uint8_t *p = (const uint8_t *)buf;
    GArray *links = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    for (size_t off = 0; len - off >= 12;) {
        const uint32_t type = ps_le32(p + off), blen = ps_le32(p + off + 4);
        if (blen < 12 || blen > len - off || blen % 4)
            die("%s: bad block at byte %zu", path, off);
        const uint8_t *body = p + off + 8;
        const size_t body_len = blen - 12;
        if (type == 0x0a0d0d0a) {
            if (ps_le32(body) != 0x1a2b3c4d)
                die("%s: not a little-endian section", path);
            g_array_set_size(links, 0);
        } else if (type == 1 && body_len >= 8) {
            const uint16_t link = ps_le16(body);
            g_array_append_val(links, link);
        } else if (type == 6 && body_len >= 20) {
            const uint32_t iface = ps_le32(body), caplen = ps_le32(body + 12);
            if (iface >= links->len || caplen > body_len - 20)
                die("%s: bad packet block at byte %zu", path, off);
            const uint16_t link = g_array_index(links, uint16_t, iface);
            if (link == LINKTYPE_ETW)
                seed_record(body + 20, caplen);
            else if (link == LINKTYPE_UPPER_PDU)
                exported_pdu(body + 20, caplen, tracee_lines, nettcp_array);
        }
        off += blen;
    }
    g_array_free(links, TRUE);
    g_free(buf);
}

/* --- ETL files: the file's first buffers, each buffer, and records of its events ---------------- */

typedef struct {
    uint8_t guid[16];
    uint16_t id;
    uint8_t opcode;
    unsigned count;
} kind_count;

static bool take_kind(GArray *kinds, const etw_record_fields *f)
{
    for (guint i = 0; i < kinds->len; i++) {
        kind_count *k = &g_array_index(kinds, kind_count, i);
        if (memcmp(k->guid, f->provider_id, 16) == 0 && k->id == f->id && k->opcode == f->opcode)
            return k->count++ < PER_KIND;
    }
    kind_count k = {.id = f->id, .opcode = f->opcode, .count = 1};
    memcpy(k.guid, f->provider_id, 16);
    g_array_append_val(kinds, k);
    return true;
}

static gchar *load(const char *path, gsize *len)
{
    gchar *buf;
    GError *error = NULL;
    if (!g_file_get_contents(path, &buf, len, &error))
        die("%s", error->message);
    return buf;
}

static void read_etl(const char *path)
{
    gsize len;
    gchar *buf = load(path, &len);
    const uint8_t *p = (const uint8_t *)buf;
    etl_buffer_header h;
    ps_problems why = {0};
    if (!etl_buffer_header_parse(p, len, &h, &why))
        die("%s: %s", path, ps_problems_first(&why)->message);
    const size_t stride = h.buffer_size;
    /* Whole buffers up to the limit, at least the first. */
    size_t file_seed = MIN(len, MAX(stride, ETL_FILE_SEED_MAX / stride * stride));
    seed("etl_file", p, file_seed);

    /* The clock from the logfile header, for the records' time stamps. */
    etl_trace_info info = {.clock_type = ETL_CLOCK_SYSTEM_TIME};
    etl_event_iter it;
    etl_event ev;
    etl_event_iter_init(&it, p, h.data_end);
    if (etl_event_iter_next(&it, &ev, NULL) == ETL_NEXT_EVENT)
        etl_trace_info_parse(ev.payload, ev.payload_len, ev.raw_time, ev.pointer64 ? 8 : 4, &info, NULL);

    GArray *kinds = g_array_new(FALSE, FALSE, sizeof(kind_count));
    unsigned buffers = 0;
    for (size_t off = 0; off + ETL_BUFFER_HEADER_SIZE <= len; off += stride) {
        const size_t blen = MIN(stride, len - off);
        if (!etl_buffer_header_parse(p + off, blen, &h, NULL))
            continue;
        if (buffers++ < BUFFERS_PER_FILE)
            seed("etl_buffer", p + off, blen);
        etl_event_iter_init(&it, p + off, h.data_end);
        for (etl_next n; (n = etl_event_iter_next(&it, &ev, NULL)) != ETL_NEXT_END;) {
            etw_record_fields f;
            if (n != ETL_NEXT_EVENT || !ev.has_time || !etl_event_record_fields(&ev, &info, &h, &f) ||
                !take_kind(kinds, &f))
                continue;
            uint8_t *rec = g_malloc(etw_record_size(ev.payload_len, 0, 0));
            seed_record(rec, etw_record_build(rec, &f, ev.payload, ev.payload_len, NULL, 0, NULL, 0));
            g_free(rec);
        }
    }
    g_array_free(kinds, TRUE);
    g_free(buf);
}

/* A trace with compressed buffers (pktmon, relogged): the whole file for etl_file, and each
 * compressed buffer's data, after its decompressed size in 3 bytes, for lzxpress. */
static void read_compressed_etl(const char *path)
{
    gsize len;
    gchar *buf = load(path, &len);
    const uint8_t *p = (const uint8_t *)buf;
    seed("etl_file", p, MIN(len, (size_t)ETL_FILE_SEED_MAX));
    for (size_t off = 0; len - off >= ETL_BUFFER_HEADER_SIZE;) {
        const uint32_t size = ps_le32(p + off), plain = ps_le32(p + off + 4);
        if (size < ETL_BUFFER_HEADER_SIZE || size > len - off)
            break;
        if ((ps_le16(p + off + 52) & ETL_BUFFER_FLAG_COMPRESSED) && plain >= ETL_BUFFER_HEADER_SIZE) {
            const uint8_t room[3] = {(uint8_t)(plain - 72), (uint8_t)((plain - 72) >> 8), (uint8_t)((plain - 72) >> 16)};
            seed_prefixed("lzxpress", room, sizeof room, p + off + ETL_BUFFER_HEADER_SIZE, size - ETL_BUFFER_HEADER_SIZE);
        }
        off += size;
    }
    g_free(buf);
}

/* Every .etl file in a folder, by reader; false when the folder is absent. */
static bool read_etl_dir(const char *folder, void (*reader)(const char *path))
{
    GDir *dir = g_dir_open(folder, 0, NULL);
    if (!dir)
        return false;
    for (const char *name; (name = g_dir_read_name(dir));) {
        if (!g_str_has_suffix(name, ".etl"))
            continue;
        char *path = g_build_filename(folder, name, NULL);
        reader(path);
        g_free(path);
    }
    g_dir_close(dir);
    return true;
}

/* --- text inputs ---------------------------------------------------------------------------------- */

/* Windows PowerShell 5.1's Export-Csv of three rows (as tests/e2e/test_import.c has it) and
 * PowerShell 7's, without the type line and quotes only where needed. */
static const char csv_ps5[] =
    "#TYPE Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetTCPConnection\r\n"
    "\"State\",\"AppliedSetting\",\"OwningProcess\",\"CreationTime\",\"OffloadState\",\"Caption\",\"LocalAddress\","
    "\"LocalPort\",\"RemoteAddress\",\"RemotePort\"\r\n"
    "\"Established\",\"Internet\",\"4120\",\"3/1/2024 11:53:20 AM\",\"InHost\",\"say \"\"hi\"\"\r\nagain\","
    "\"10.0.0.5\",\"49702\",\"93.184.216.34\",\"443\"\r\n"
    "\"Listen\",\"\",\"880\",\"\",\"InHost\",\"\",\"::\",\"135\",\"::\",\"0\"\r\n"
    "\"TimeWait\",\"Compat\",\"0\",\"\",\"InHost\",\"\",\"192.168.56.10\",\"50011\",\"192.168.56.20\",\"80\"\r\n";
static const char csv_ps7[] =
    "LocalAddress,LocalPort,RemoteAddress,RemotePort,State,AppliedSetting,OwningProcess,CreationTime\n"
    "10.0.0.5,49702,93.184.216.34,443,Established,Internet,4120,2024-03-01T11:53:20.1234567+01:00\n"
    "fe80::1%12,50000,fe80::2,22,SynSent,,77,\n";

/* Get-NetUDPEndpoint's rows: the class in each place a row carries it (docs/FORMATS.md section 5). */
static const char csv_udp[] =
    "#TYPE Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetUDPEndpoint\r\n"
    "\"OwningProcess\",\"CreationTime\",\"LocalAddress\",\"LocalPort\",\"CimClass\"\r\n"
    "\"2424\",\"\",\"0.0.0.0\",\"5353\",\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\"\r\n"
    "\"1900\",\"\",\"fe80::5%12\",\"546\",\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\"\r\n";
static const char json_udp[] =
    "{\"OwningProcess\":2424,\"CreationTime\":\"\\/Date(1709290000000)\\/\",\"LocalAddress\":\"::\","
    "\"LocalPort\":5353,\"CimClass\":{\"CimClassName\":\"MSFT_NetUDPEndpoint\"},"
    "\"CimSystemProperties\":{\"ClassName\":\"MSFT_NetUDPEndpoint\"}}";

static void seed_text(uint8_t format, const char *text, size_t len)
{
    seed_prefixed("import_text", &format, 1, (const uint8_t *)text, len);
}

/* UTF-16LE with a byte order mark, what Windows PowerShell's ">" writes. */
static void seed_text_utf16(uint8_t format, const char *text)
{
    gsize n = 0;
    char *body = g_convert(text, -1, "UTF-16LE", "UTF-8", NULL, &n, NULL);
    if (!body)
        die("cannot convert to UTF-16");
    GString *s = g_string_new_len("\xff\xfe", 2);
    g_string_append_len(s, body, (gssize)n);
    seed_text(format, s->str, s->len);
    g_string_free(s, TRUE);
    g_free(body);
}

/* Lines of json_corpus's output ("tracee<TAB>json" or "nettcp<TAB>json"). */
static void read_json_corpus(const char *program)
{
    gchar *out = NULL;
    gint status = 0;
    GError *error = NULL;
    const gchar *argv[] = {program, NULL};
    if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error) ||
        !g_spawn_check_wait_status(status, &error))
        die("%s: %s", program, error->message);
    for (char *line = out, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (g_str_has_prefix(line, "tracee\t"))
            seed("tracee_event", line + 7, strlen(line + 7));
        else if (g_str_has_prefix(line, "nettcp\t"))
            seed("nettcp_json", line + 7, strlen(line + 7));
    }
    g_free(out);
}

/* procshark-record (docs/FORMATS.md section 11): records of each kind, and a file's header with its
 * first record. */
static void seed_procrec(void)
{
    static const uint8_t header[16] = {'P', 'S', 'R', 'E', 'C', 0, 0, 0, 1, 0, 0, 0, 192, 0, 0, 0};
    static const uint8_t kinds[][4] = {{1, 4, 6, 1}, {1, 6, 6, 2}, {1, 4, 6, 3}, {2, 6, 17, 5}, {2, 4, 17, 6},
                                       {3, 0, 0, 0}, {1, 4, 6, 7}, {2, 6, 17, 7}, {1, 6, 6, 8}, {2, 4, 17, 8}};
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        uint8_t r[16 + 192] = {0};
        memcpy(r, header, sizeof header);
        uint8_t *rec = r + 16;
        rec[7] = 0x17; /* 2016 */
        memcpy(rec + 8, kinds[k], 4);
        if (kinds[k][3] == 7) { /* a packet: seq 1, ack 2, flags ACK, or UDP length 40, checksum 0x1234 */
            if (kinds[k][0] == 1)
                rec[168] = 1, rec[172] = 2, rec[176] = 0x10;
            else
                rec[178] = 40, rec[180] = 0x34, rec[181] = 0x12;
            rec[182] = 1;
        } else if (kinds[k][0] == 1) {
            rec[12] = 7, rec[13] = 2;
        }
        rec[16] = 0x92, rec[17] = 0x10; /* pid 4242 */
        rec[40] = 127, rec[43] = 1, rec[56] = 127, rec[59] = 1;
        rec[72] = 0x50, rec[73] = 0xc3, rec[74] = 0xbb, rec[75] = 0x01;
        rec[76] = 1;
        memcpy(rec + 80, "curl", 4);
        if (kinds[k][3] == 8) { /* a snapshot: the state seen, and the time the socket was made after */
            rec[12] = 0, rec[13] = kinds[k][0] == 1 ? 1 : 0;
            rec[167] = 0x17;
        }
        if (kinds[k][0] == 3) {
            memset(rec + 9, 0, 183);
            rec[160] = 17;
        }
        seed("procrec_event", rec, 192);
        seed("procrec_event", r, sizeof r);
    }
}

/* sock_diag (src/decode/sock_diag.c): a dump's message about 127.0.0.1:50000 -> :443 then its end,
 * and the kernel's error, in the host's byte order as netlink has them. */
static void seed_sock_diag(void)
{
    uint8_t dump[16 + 72 + 20] = {0};
    const uint32_t msg_len = 16 + 72, done_len = 20;
    const uint16_t by_family = 20, done = 3, error = 2;
    memcpy(dump, &msg_len, 4);
    memcpy(dump + 4, &by_family, 2);
    uint8_t *m = dump + 16;
    m[0] = 2, m[1] = 1;                                 /* AF_INET, ESTABLISHED */
    m[4] = 0xc3, m[5] = 0x50, m[6] = 0x01, m[7] = 0xbb; /* ports, network order */
    m[8] = 127, m[11] = 1, m[24] = 127, m[27] = 1;
    m[68] = 0x92, m[69] = 0x10;                         /* inode 4242 */
    memcpy(dump + 88, &done_len, 4);
    memcpy(dump + 92, &done, 2);
    seed("sock_diag", dump, sizeof dump);
    uint8_t refused[20] = {0};
    const int32_t enoent = -2;
    memcpy(refused, &done_len, 4);
    memcpy(refused + 4, &error, 2);
    memcpy(refused + 16, &enoent, 4);
    seed("sock_diag", refused, sizeof refused);
}

int main(int argc, char **argv)
{
    if (argc != 6)
        die("usage: fuzz-make-corpus OUT_DIR SOURCE_DIR SAMPLES_DIR SYNTH_ETL JSON_CORPUS");
    out_dir = argv[1];
    const char *source = argv[2], *samples = argv[3];

    GString *tracee_lines = g_string_new(NULL), *nettcp_array = g_string_new("[");
    const char *captures[] = {"etw-events.pcapng", "json-records.pcapng"};
    for (size_t i = 0; i < G_N_ELEMENTS(captures); i++) {
        char *path = g_build_filename(source, "captures", captures[i], NULL);
        read_pcapng(path, tracee_lines, nettcp_array);
        g_free(path);
    }
    g_string_append(nettcp_array, "]\r\n");

    char *jsonl = g_build_filename(samples, "tracee", "net_packet_tcp_v0.19-v0.23.jsonl", NULL);
    gchar *text;
    gsize len;
    if (g_file_get_contents(jsonl, &text, &len, NULL)) {
        seed_text(0, text, len);
        for (char *line = text, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            seed("tracee_event", line, strlen(line));
        }
        g_free(text);
    } else {
        printf("fuzz-make-corpus: %s is absent: no real tracee lines in the seeds\n", jsonl);
    }
    g_free(jsonl);

    char *etl_dir = g_build_filename(samples, "etl", NULL);
    if (!read_etl_dir(etl_dir, read_etl))
        printf("fuzz-make-corpus: %s is absent: no real .etl traces in the seeds\n", etl_dir);
    g_free(etl_dir);
    /* Compressed traces: the committed one, and the pktmon captures where present. */
    char *fixtures = g_build_filename(source, "tests", "fixtures", "etl", NULL);
    if (!read_etl_dir(fixtures, read_compressed_etl))
        die("%s is absent", fixtures);
    g_free(fixtures);
    char *pktmon = g_build_filename(samples, "etl", "pktmon", NULL);
    if (!read_etl_dir(pktmon, read_compressed_etl))
        printf("fuzz-make-corpus: %s is absent: no pktmon captures in the seeds\n", pktmon);
    g_free(pktmon);

    /* The synthetic trace: NDIS packet fragments, extended items, the header kinds the samples lack. */
    char *synth = g_build_filename(out_dir, "synthetic.etl", NULL);
    const gchar *synth_argv[] = {argv[4], "sample", synth, NULL};
    gint status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (gchar **)synth_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status(status, &error))
        die("%s: %s", argv[4], error->message);
    read_etl(synth);
    g_unlink(synth);
    g_free(synth);

    read_json_corpus(argv[5]);
    seed_procrec();
    seed_sock_diag();

    seed("nettcp_csv", csv_ps5, strlen(csv_ps5));
    seed("nettcp_csv", csv_ps7, strlen(csv_ps7));
    seed("nettcp_csv", csv_udp, strlen(csv_udp));
    seed("nettcp_json", json_udp, strlen(json_udp));
    seed_text(0, tracee_lines->str, tracee_lines->len);
    seed_text(1, nettcp_array->str, nettcp_array->len);
    seed_text_utf16(1, nettcp_array->str);
    seed_text(2, csv_ps5, strlen(csv_ps5));
    seed_text(3, csv_ps7, strlen(csv_ps7));
    seed_text(3 | 4, nettcp_array->str, nettcp_array->len);
    seed_text_utf16(3, csv_ps5);
    g_string_free(tracee_lines, TRUE);
    g_string_free(nettcp_array, TRUE);

    /* The engine's input is a program of operations: a few plain byte patterns start it off. */
    static const uint8_t ops[][24] = {
        {4, 0, 0x12, 0x21, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 1, 0x12, 0x21, 0, 2, 2, 0},
        {0, 0, 0x12, 0x21, 0x07, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 4, 1, 0x12, 0x21, 1, 0, 0},
        {3, 0, 0x12, 0x21, 2, 0x81, 0, 10, 4, 1, 0x21, 0x12, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
        seed("correlate", ops[i], sizeof ops[i]);

    /* A packet's ptcpdump comments, NUL between them: those of ptcpdump's own test captures
     * (testdata/format/curl-user.pcapng, curl-thread.pcapng, packet 1), a container's, a cut one. */
    static const char ptcpdump_user[] = "PID: 99722\nCmd: /usr/bin/curl\nArgs: curl https://kernel.org\0UserId: 1000"
                                        "\0ParentPID: 18840\nParentCmd: /usr/bin/bash\nParentArgs: -bash";
    static const char ptcpdump_thread[] = "PID: 122868\nCmd: /usr/bin/curl\nArgs: curl kernel.com\0ThreadId: 122868\n"
                                          "ThreadName: curl\0ParentPID: 53229\nParentCmd: /usr/bin/bash\nParentArgs: -bash";
    static const char ptcpdump_container[] = "PID: 7\nCmd: /dev/fd/5\nArgs: /usr/sbin/dropbear -F -p 22...\0"
                                             "ContainerName: web\nContainerId: 0123abcd\nContainerImage: nginx:1.27\n"
                                             "ContainerLabels: {}\0PodName: p\nPodNamespace: default\nPodUID: u\n"
                                             "PodLabels: {}\nPodAnnotations: {}";
    seed("ptcpdump_comment", ptcpdump_user, sizeof ptcpdump_user - 1);
    seed("ptcpdump_comment", ptcpdump_thread, sizeof ptcpdump_thread - 1);
    seed("ptcpdump_comment", ptcpdump_container, sizeof ptcpdump_container - 1);
    /* etl2pcapng's comments: the plain form and its vmswitch one (its src/main.c). */
    static const char pidtid_plain[] = "PID=4120 TID=5000";
    static const char pidtid_vmswitch[] = "PID=4 TID=80 VlanId=0 SrcPortId=7 SrcNicType=Synthetic SrcNicName=eth0 "
                                          "SrcPortName=p1 HashValue=0000beef";
    seed("pidtid_comment", pidtid_plain, sizeof pidtid_plain - 1);
    seed("pidtid_comment", pidtid_vmswitch, sizeof pidtid_vmswitch - 1);

    /* procshark's annotations: both ends, escapes and containers, an unknown end. */
    static const char *const annotations[] = {
        "proc: curl (1234) \xe2\x86\x92 nginx (80)",
        "proc: a\\\\b\\(c\\) (1) [container w\\]b] \xe2\x86\x92 ? (2)",
        "proc: ? \xe2\x86\x92 \\? (4294967295) [container db]",
        "proc: x\\x1b\\xc2\\x85 \\xe2\\x86\\x92 (9) \xe2\x86\x92 ?",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(annotations); i++)
        seed("proc_annotation", annotations[i], strlen(annotations[i]));

    printf("fuzz-make-corpus: %u seeds written under %s\n", written, out_dir);
    return 0;
}
