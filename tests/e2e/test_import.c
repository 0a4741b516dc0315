/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import end to end: inputs written into a temporary folder, converted by the built
 * procshark-import, then read back by tshark with the plugin (scripts/procshark-tshark). Expected
 * values come from the inputs themselves (the JSON text, the capture's block layout), not from
 * the converter. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <wiretap/wtap.h>

#include "import_harness.h"
#include "pcapng_writer.h"
#include "tshark_harness.h"
#include "ws_compat.h"

#define BASE_S INT64_C(1709294400) /* 2024-03-01T12:00:00Z */
#define NS INT64_C(1000000000)
#define RECORD_MAX 262144
#define TRACEE_MAX (RECORD_MAX - 24)  /* minus the exported-PDU tags for "procshark.tracee" */

static const char *etw_capture;
static const char *records_tsv;
static const char *tracee_samples;

/* --- reading JSON text for the expected values --------------------------------------------------- */

/* The text of the first "key": value (a string's characters, or a number), NULL when absent. */
static char *json_value(const char *text, const char *key)
{
    char *needle = g_strdup_printf("\"%s\":", key);
    const char *p = strstr(text, needle);
    size_t n = strlen(needle);
    g_free(needle);
    if (!p)
        return NULL;
    p += n;
    while (*p == ' ')
        p++;
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        return end ? g_strndup(p + 1, (gsize)(end - p - 1)) : NULL;
    }
    size_t len = strspn(p, "-0123456789");
    return len ? g_strndup(p, len) : NULL;
}

/* tracee's argument NAME (released layout): its "value". */
static char *arg_value(const char *line, const char *name)
{
    char *needle = g_strdup_printf("{\"name\":\"%s\"", name);
    const char *p = strstr(line, needle);
    g_free(needle);
    return p ? json_value(p, "value") : NULL;
}

/* "2024-03-01T12:00:00.005000001Z" */
static int64_t rfc3339_ns(const char *s)
{
    struct tm tm = {0};
    int frac_len = 0;
    char frac[16] = "";
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const char *dot = strchr(s, '.');
    if (dot) {
        frac_len = (int)strspn(dot + 1, "0123456789");
        memcpy(frac, dot + 1, (size_t)MIN(frac_len, 9));
    }
    int64_t ns = 0;
    for (int i = 0; i < 9; i++)
        ns = ns * 10 + (i < frac_len ? frac[i] - '0' : 0);
    return (int64_t)timegm(&tm) * NS + ns;
}

/* A tracee event's time stamp: ns since the epoch (a number, or RFC 3339 text). */
static int64_t event_ns(const char *line)
{
    char *v = json_value(line, "timestamp");
    int64_t ns = -1;
    if (v)
        ns = g_ascii_isdigit(v[0]) && strchr(v, '-') == NULL ? g_ascii_strtoll(v, NULL, 10) : rfc3339_ns(v);
    g_free(v);
    return ns;
}

/* The tracee lines of tests/fixtures/json-records.tsv, raw bytes. */
static GPtrArray *tsv_lines(const char *kind)
{
    gsize len;
    char *text = read_file(records_tsv, &len);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    char *prefix = g_strdup_printf("%s\t", kind);
    char **all = g_strsplit(text, "\n", -1);
    for (size_t i = 0; all[i]; i++)
        if (g_str_has_prefix(all[i], prefix))
            g_ptr_array_add(lines, g_strdup(all[i] + strlen(prefix)));
    g_strfreev(all);
    g_free(prefix);
    g_free(text);
    return lines;
}

/* What a tracee line must be to become a record: UTF-8, one object, with a timestamp. */
static bool convertible(const char *line)
{
    size_t len = strlen(line);
    return g_utf8_validate(line, (gssize)len, NULL) && len && line[0] == '{' && line[len - 1] == '}' &&
           event_ns(line) >= 0;
}

static char *join_lines(GPtrArray *lines, bool only_convertible)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < lines->len; i++)
        if (!only_convertible || convertible(lines->pdata[i]))
            g_string_append_printf(s, "%s\n", (const char *)lines->pdata[i]);
    return g_string_free(s, FALSE);
}

/* --- captures written for the tests ----------------------------------------------------------- */

/* A 40-byte IPv4 TCP packet 10.9.0.1:40000 -> 10.9.0.2:80 (checksums not computed). */
static void tcp_packet(uint8_t p[40], unsigned n)
{
    static const uint8_t header[40] = {0x45, 0,    0,    40,   0,    1,    0x40, 0,    64,   6,
                                       0,    0,    10,   9,    0,    1,    10,   9,    0,    2,
                                       0x9c, 0x40, 0,    80,   0,    0,    0,    1,    0,    0,
                                       0,    0,    0x50, 0x10, 0xff, 0xff, 0,    0,    0,    0};
    memcpy(p, header, 40);
    p[27] = (uint8_t)n; /* the sequence number */
}

/* A pcap (microseconds) of raw IP packets at the given times, gzip-compressed or not, written by
 * wiretap. */
static char *write_pcap(const char *name, const int64_t *times_ns, size_t n, bool gzip)
{
    char *path = path_in(name);
    wtap_dump_params params = WTAP_DUMP_PARAMS_INIT;
    params.encap = WTAP_ENCAP_RAW_IP;
    params.snaplen = 65535;
    params.tsprec = WTAP_TSPREC_USEC;
    int err = 0;
    gchar *err_info = NULL;
    wtap_dumper *d = wtap_dump_open(path, wtap_pcap_file_type_subtype(),
                                    gzip ? WTAP_GZIP_COMPRESSED : WTAP_UNCOMPRESSED, &params, &err, &err_info);
    assert_non_null(d);
    Buffer scratch;
    ws_buffer_init(&scratch, 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t packet[40];
        tcp_packet(packet, (unsigned)i);
        wtap_rec rec;
        ps_wtap_rec_init(&rec);
        rec.rec_type = REC_TYPE_PACKET;
        rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
        rec.tsprec = WTAP_TSPREC_USEC;
        rec.ts.secs = (time_t)(times_ns[i] / NS);
        rec.ts.nsecs = (int)(times_ns[i] % NS);
        rec.rec_header.packet_header.caplen = 40;
        rec.rec_header.packet_header.len = 40;
        rec.rec_header.packet_header.pkt_encap = WTAP_ENCAP_RAW_IP;
        assert_true(ps_wtap_dump(d, &rec, packet, sizeof packet, &scratch, &err, &err_info));
        wtap_rec_cleanup(&rec);
    }
    ws_buffer_free(&scratch);
    assert_true(wtap_dump_close(d, NULL, &err, &err_info));
    return path;
}

/* A pcapng with packet comments (procshark's writer). */
static char *write_commented_pcapng(const char *name, const int64_t *times_ns, const char *const *comments, size_t n)
{
    char *path = path_in(name);
    const pcapng_interface iface = {WTAP_ENCAP_RAW_IP, "commented0", "test packets with comments"};
    char *error = NULL;
    pcapng_writer *w = pcapng_writer_open(path, &iface, 1, &error);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++) {
        uint8_t packet[40];
        tcp_packet(packet, 100 + (unsigned)i);
        const pcapng_packet_meta meta = {.comment = comments[i]};
        assert_true(pcapng_writer_write(w, 0, times_ns[i], packet, sizeof packet, &meta, &error));
    }
    assert_true(pcapng_writer_close(w, &error));
    return path;
}

static void set_mtime(const char *path, int64_t ns)
{
    struct timespec times[2] = {{(time_t)(ns / NS), (long)(ns % NS)}, {(time_t)(ns / NS), (long)(ns % NS)}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

/* --- Get-NetTCPConnection samples ------------------------------------------------------------- */

/* As Windows PowerShell 5.1 writes "Get-NetTCPConnection | ConvertTo-Json | Out-File -Encoding
 * utf8": a byte order mark, CRLF, four-space indents, two spaces after colons, dates as
 * \/Date(ms)\/, the CIM properties too. */
static const char ps5_array[] =
    "\xef\xbb\xbf[\r\n"
    "    {\r\n"
    "        \"State\":  5,\r\n"
    "        \"AppliedSetting\":  2,\r\n"
    "        \"OwningProcess\":  4120,\r\n"
    "        \"CreationTime\":  \"\\/Date(1709294000000)\\/\",\r\n"
    "        \"OffloadState\":  0,\r\n"
    "        \"Caption\":  null,\r\n"
    "        \"InstanceID\":  \"10.0.0.5++49702++93.184.216.34++443\",\r\n"
    "        \"LocalAddress\":  \"10.0.0.5\",\r\n"
    "        \"LocalPort\":  49702,\r\n"
    "        \"RemoteAddress\":  \"93.184.216.34\",\r\n"
    "        \"RemotePort\":  443,\r\n"
    "        \"PSComputerName\":  null,\r\n"
    "        \"CimClass\":  {\r\n"
    "                         \"CimSuperClassName\":  \"CIM_ProtocolEndpoint\",\r\n"
    "                         \"CimClassName\":  \"MSFT_NetTCPConnection\"\r\n"
    "                     },\r\n"
    "        \"CimInstanceProperties\":  [\r\n"
    "                                      \"Caption\",\r\n"
    "                                      \"LocalAddress = \\\"10.0.0.5\\\"\"\r\n"
    "                                  ]\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"State\":  2,\r\n"
    "        \"OwningProcess\":  880,\r\n"
    "        \"CreationTime\":  \"\\/Date(1709290000000)\\/\",\r\n"
    "        \"LocalAddress\":  \"2001:db8::5\",\r\n"
    "        \"LocalPort\":  8443,\r\n"
    "        \"RemoteAddress\":  \"::\",\r\n"
    "        \"RemotePort\":  0\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"State\":  11,\r\n"
    "        \"OwningProcess\":  6011,\r\n"
    "        \"LocalAddress\":  \"192.168.56.10\",\r\n"
    "        \"LocalPort\":  50011,\r\n"
    "        \"RemoteAddress\":  \"192.168.56.20\",\r\n"
    "        \"RemotePort\":  80\r\n"
    "    }\r\n"
    "]\r\n";

/* PowerShell 7 for a single connection: one object, ISO 8601 dates, LF. */
static const char ps7_object[] =
    "{\n"
    "  \"State\": 5,\n"
    "  \"OwningProcess\": 7777,\n"
    "  \"CreationTime\": \"2024-03-01T12:59:00.1234567+01:00\",\n"
    "  \"LocalAddress\": \"10.1.2.3\",\n"
    "  \"LocalPort\": 51000,\n"
    "  \"RemoteAddress\": \"151.101.1.1\",\n"
    "  \"RemotePort\": 443,\n"
    "  \"OffloadState\": 0\n"
    "}\n";

/* Windows PowerShell 5.1's Export-Csv: "#TYPE", quoted names and values, enum names, "" in a
 * value, a value over two lines, an empty value ($null), CRLF. */
static const char ps5_csv[] =
    "#TYPE Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetTCPConnection\r\n"
    "\"State\",\"AppliedSetting\",\"OwningProcess\",\"CreationTime\",\"OffloadState\",\"Caption\",\"LocalAddress\","
    "\"LocalPort\",\"RemoteAddress\",\"RemotePort\"\r\n"
    "\"Established\",\"Internet\",\"4120\",\"3/1/2024 11:53:20 AM\",\"InHost\",\"say \"\"hi\"\"\r\nagain\","
    "\"10.0.0.5\",\"49702\",\"93.184.216.34\",\"443\"\r\n"
    "\"Listen\",\"\",\"880\",\"\",\"InHost\",\"\",\"::\",\"135\",\"::\",\"0\"\r\n"
    "\"TimeWait\",\"Compat\",\"0\",\"\",\"InHost\",\"\",\"192.168.56.10\",\"50011\",\"192.168.56.20\",\"80\"\r\n";

/* Get-NetUDPEndpoint | ConvertTo-Json (Windows PowerShell 5.1, -Depth 1: CimClass as its text) with a
 * Get-NetTCPConnection row in the same array, as "@(Get-NetTCPConnection) + @(Get-NetUDPEndpoint)"
 * writes them: each row's kind is its own. */
static const char udp_array[] =
    "[\r\n"
    "    {\r\n"
    "        \"OwningProcess\":  2424,\r\n"
    "        \"CreationTime\":  \"\\/Date(1709290000000)\\/\",\r\n"
    "        \"InstanceID\":  \"0.0.0.0++5353\",\r\n"
    "        \"LocalAddress\":  \"0.0.0.0\",\r\n"
    "        \"LocalPort\":  5353,\r\n"
    "        \"PSComputerName\":  null,\r\n"
    "        \"CimClass\":  \"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\"\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"OwningProcess\":  1900,\r\n"
    "        \"LocalAddress\":  \"::\",\r\n"
    "        \"LocalPort\":  5355,\r\n"
    "        \"CimClass\":  \"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\"\r\n"
    "    },\r\n"
    "    {\r\n"
    "        \"State\":  5,\r\n"
    "        \"OwningProcess\":  4120,\r\n"
    "        \"LocalAddress\":  \"10.0.0.5\",\r\n"
    "        \"LocalPort\":  49702,\r\n"
    "        \"RemoteAddress\":  \"93.184.216.34\",\r\n"
    "        \"RemotePort\":  443,\r\n"
    "        \"CimClass\":  \"ROOT/StandardCimv2:MSFT_NetTCPConnection\"\r\n"
    "    }\r\n"
    "]\r\n";

/* Get-NetUDPEndpoint | Export-Csv (Windows PowerShell 5.1): "#TYPE", the CIM columns, CimClass as
 * its text, the time in the machine's local format (reported, as for TCP rows). */
static const char udp_csv[] =
    "#TYPE Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetUDPEndpoint\r\n"
    "\"OwningProcess\",\"CreationTime\",\"Caption\",\"InstanceID\",\"LocalAddress\",\"LocalPort\",\"PSComputerName\","
    "\"CimClass\",\"CimInstanceProperties\",\"CimSystemProperties\"\r\n"
    "\"2424\",\"3/1/2024 11:53:20 AM\",,\"0.0.0.0++5353\",\"0.0.0.0\",\"5353\",,"
    "\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\",\"Microsoft.Management.Infrastructure.CimInstancePropertyCollection\","
    "\"Microsoft.Management.Infrastructure.CimSystemProperties\"\r\n"
    "\"1900\",,,\"fe80::5%12++546\",\"fe80::5%12\",\"546\",,"
    "\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\",\"Microsoft.Management.Infrastructure.CimInstancePropertyCollection\","
    "\"Microsoft.Management.Infrastructure.CimSystemProperties\"\r\n";

/* The recipe of docs/IMPORT.md (PowerShell 7: no "#TYPE"): Select-Object drops the class, the
 * absence of a remote end and a state tells the kind. */
static const char udp_selected_csv[] =
    "\"LocalAddress\",\"LocalPort\",\"OwningProcess\",\"CreationTime\"\n"
    "\"127.0.0.1\",\"53\",\"3000\",\"2024-03-01T12:59:00.5000000+01:00\"\n";

/* UTF-16LE with a byte order mark: what Windows PowerShell's ">" writes. */
static char *utf16le(const char *text, gsize *len)
{
    GError *error = NULL;
    gsize written = 0;
    char *body = g_convert(text, -1, "UTF-16LE", "UTF-8", NULL, &written, &error);
    assert_non_null(body);
    char *out = g_malloc(written + 2);
    out[0] = (char)0xff;
    out[1] = (char)0xfe;
    memcpy(out + 2, body, written);
    g_free(body);
    *len = written + 2;
    return out;
}

/* --- conversions ------------------------------------------------------------------------------ */

static void test_tracee_real_samples(void **state)
{
    (void)state;
    if (!exists(tracee_samples)) {
        print_message("SKIP: %s is absent\n", tracee_samples);
        skip();
    }
    gsize len;
    char *text = read_file(tracee_samples, &len);
    char **lines = g_strsplit(text, "\n", -1);
    unsigned n = 0;
    while (lines[n] && lines[n][0])
        n++;
    char *out = path_in("real.pcapng");
    run r = IMPORT("-o", out, "--tracee", tracee_samples);
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "tracee_net.pid", "tracee_net.host_pid", "tracee_net.process_name",
                             "tracee_net.ipv6.src", "tracee_net.ipv6.dst", "tracee_net.tcp.srcport",
                             "tracee_net.tcp.seq", "frame.interface_name", "frame.interface_description",
                             "_ws.col.Protocol");
    assert_int_equal(rows->len, n);
    char *base = g_path_get_basename(tracee_samples);
    char *description = g_strdup_printf("tracee events from %s", tracee_samples);
    for (unsigned i = 0; i < n; i++) {
        const char *line = lines[i];
        char *t = epoch(event_ns(line));
        char *pid = json_value(line, "processId"), *host_pid = json_value(line, "hostProcessId");
        char *name = json_value(line, "processName");
        char *src = arg_value(line, "src"), *dst = arg_value(line, "dst");
        char *sport = arg_value(line, "src_port"), *seq = json_value(line, "seq");
        assert_cell(rows, i, 0, t, "frame.time_epoch (the event's timestamp)");
        assert_cell(rows, i, 1, pid, "pid");
        assert_cell(rows, i, 2, host_pid, "host pid");
        assert_cell(rows, i, 3, name, "process name");
        assert_cell(rows, i, 4, src, "source address");
        assert_cell(rows, i, 5, dst, "destination address");
        assert_cell(rows, i, 6, sport, "source port");
        assert_cell(rows, i, 7, seq, "seq");
        assert_cell(rows, i, 8, base, "interface name");
        assert_cell(rows, i, 9, description, "interface description");
        assert_cell(rows, i, 10, "TRACEE_NET", "protocol");
        g_free(t), g_free(pid), g_free(host_pid), g_free(name), g_free(src), g_free(dst), g_free(sport), g_free(seq);
    }
    g_free(base);
    g_free(description);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_strfreev(lines);
    g_free(text);
    g_free(out);
}

/* The tracee lines of tests/fixtures/json-records.tsv (every layout, and broken lines). */
static void test_tracee_sample_records(void **state)
{
    (void)state;
    GPtrArray *lines = tsv_lines("tracee");
    char *text = join_lines(lines, false);
    char *in = write_file("records.jsonl", text, -1);
    char *out = path_in("records.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    unsigned good = 0;
    for (guint i = 0; i < lines->len; i++) {
        if (convertible(lines->pdata[i])) {
            good++;
        } else {
            char *where = g_strdup_printf("%s:%u: ", in, i + 1);
            expect_message(&r, where);
            g_free(where);
        }
    }
    assert_true(good > 0 && good < lines->len);
    expect_code(&r, 1);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "tracee_net.pid", "tracee_net.process_name",
                             "tracee_net.timestamp");
    assert_int_equal(rows->len, good);
    unsigned f = 0;
    for (guint i = 0; i < lines->len; i++) {
        const char *line = lines->pdata[i];
        if (!convertible(line))
            continue;
        char *t = epoch(event_ns(line));
        assert_cell(rows, f, 0, t, "frame.time_epoch (the event's timestamp)");
        char *pid = json_value(line, "processId");
        if (pid && g_ascii_isdigit(pid[0]))
            assert_cell(rows, f, 1, pid, "pid");
        char *name = json_value(line, "processName");
        if (name)
            assert_cell(rows, f, 2, name, "process name");
        g_free(pid), g_free(name), g_free(t);
        f++;
    }
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_free(text), g_free(in), g_free(out);
    g_ptr_array_free(lines, TRUE);
}

static void test_nettcp_json_array(void **state)
{
    (void)state;
    char *in = write_file("conns.json", ps5_array, sizeof ps5_array - 1);
    char *out = path_in("conns.pcapng");
    run r = IMPORT("-o", out, "--nettcp", in, "--snapshot-time", "2024-03-01T12:00:00.5Z");
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "nettcpconn.state", "nettcpconn.owning_process",
                             "nettcpconn.local.ip", "nettcpconn.local.ipv6", "nettcpconn.local.port",
                             "nettcpconn.remote.port", "nettcpconn.creation_time", "frame.interface_name",
                             "frame.interface_description", "_ws.expert.message");
    assert_int_equal(rows->len, 3);
    for (guint i = 0; i < 3; i++)
        assert_cell(rows, i, 0, "1709294400.500000000", "frame.time_epoch (the snapshot time)");
    assert_cell(rows, 0, 1, "5", "state"), assert_cell(rows, 1, 1, "2", "state"), assert_cell(rows, 2, 1, "11", "state");
    assert_cell(rows, 0, 2, "4120", "pid"), assert_cell(rows, 1, 2, "880", "pid"), assert_cell(rows, 2, 2, "6011", "pid");
    assert_cell(rows, 0, 3, "10.0.0.5", "local address");
    assert_cell(rows, 1, 4, "2001:db8::5", "local IPv6 address");
    assert_cell(rows, 2, 3, "192.168.56.10", "local address");
    assert_cell(rows, 0, 5, "49702", "local port"), assert_cell(rows, 2, 6, "80", "remote port");
    assert_cell(rows, 0, 7, "Mar  1, 2024 11:53:20.000000000 UTC", "creation time");
    assert_cell(rows, 0, 8, "conns.json", "interface name");
    char *description = g_strdup_printf("Get-NetTCPConnection or Get-NetUDPEndpoint rows from %s", in);
    assert_cell(rows, 0, 9, description, "interface description");
    for (guint i = 0; i < 3; i++)
        assert_cell(rows, i, 10, "", "expert info");
    g_free(description);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_free(in), g_free(out);
}

/* One object; the snapshot time defaults to the file's modification time. */
static void test_nettcp_json_object(void **state)
{
    (void)state;
    char *in = write_file("one.json", ps7_object, -1);
    set_mtime(in, (BASE_S + 1) * NS + 250000000);
    char *out = path_in("one.pcapng");
    run r = IMPORT("-o", out, "--nettcp", in);
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "nettcpconn.state", "nettcpconn.owning_process",
                             "nettcpconn.local.ip", "nettcpconn.creation_time");
    assert_int_equal(rows->len, 1);
    assert_cell(rows, 0, 0, "1709294401.250000000", "frame.time_epoch (the file's modification time)");
    assert_cell(rows, 0, 1, "5", "state");
    assert_cell(rows, 0, 2, "7777", "pid");
    assert_cell(rows, 0, 3, "10.1.2.3", "local address");
    assert_cell(rows, 0, 4, "Mar  1, 2024 11:59:00.123456700 UTC", "creation time");
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_free(in), g_free(out);
}

static void check_csv_rows(const char *out)
{
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "nettcpconn.state", "nettcpconn.owning_process",
                             "nettcpconn.local.ip", "nettcpconn.local.ipv6", "nettcpconn.local.port",
                             "nettcpconn.offload_state", "nettcpconn.applied_setting", "nettcpconn.json");
    assert_int_equal(rows->len, 3);
    for (guint i = 0; i < 3; i++)
        assert_cell(rows, i, 0, "1709294402.000000000", "frame.time_epoch (the snapshot time)");
    assert_cell(rows, 0, 1, "5", "state (Established)");
    assert_cell(rows, 1, 1, "2", "state (Listen)");
    assert_cell(rows, 2, 1, "11", "state (TimeWait)");
    assert_cell(rows, 0, 2, "4120", "pid"), assert_cell(rows, 1, 2, "880", "pid"), assert_cell(rows, 2, 2, "0", "pid");
    assert_cell(rows, 0, 3, "10.0.0.5", "local address"), assert_cell(rows, 1, 4, "::", "local IPv6 address");
    assert_cell(rows, 0, 5, "49702", "local port");
    assert_cell(rows, 0, 6, "0", "offload state (InHost)");
    assert_cell(rows, 0, 7, "0", "applied setting (Internet)"), assert_cell(rows, 2, 7, "2", "applied setting (Compat)");
    /* The row as a JSON object of the header's names; "" inside a value; an empty value is null. */
    assert_non_null(strstr(CELL(rows, 0, 8), "\"Caption\":\"say \\\"hi\\\"\\r\\nagain\""));
    assert_non_null(strstr(CELL(rows, 1, 8), "\"AppliedSetting\":null"));
    g_ptr_array_free(rows, TRUE);
}

static void test_nettcp_csv(void **state)
{
    (void)state;
    char *in = write_file("conns.csv", ps5_csv, -1);
    char *out = path_in("csv.pcapng");
    run r = IMPORT("-o", out, "--nettcp", in, "--snapshot-time", "2024-03-01T13:00:02+01:00");
    expect_code(&r, 0);
    check_csv_rows(out);
    run_clear(&r);
    /* The same as UTF-16 (Windows PowerShell's "Export-Csv -Encoding Unicode" or ">"). */
    gsize len;
    char *wide = utf16le(ps5_csv, &len);
    char *in16 = write_file("conns16.csv", wide, (gssize)len);
    r = IMPORT("-o", out, "--nettcp", in16, "--snapshot-time", "2024-03-01T12:00:02Z");
    expect_code(&r, 0);
    check_csv_rows(out);
    run_clear(&r);
    g_free(wide), g_free(in16), g_free(in), g_free(out);
}

/* Get-NetUDPEndpoint rows through --nettcp: each row's kind (nettcpconn.transport 17) from its class
 * or its keys, the local end alone, the Info column "UDP address:port pid N". */
static void test_netudp_rows(void **state)
{
    (void)state;
    char *json = write_file("udp.json", udp_array, sizeof udp_array - 1);
    char *csv = write_file("udp.csv", udp_csv, -1);
    char *selected = write_file("udp-selected.csv", udp_selected_csv, -1);
    char *out = path_in("udp.pcapng");
    run r = IMPORT("-o", out, "--nettcp", json, "--nettcp", csv, "--nettcp", selected, "--snapshot-time",
                   "2024-03-01T12:00:00Z");
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "frame.interface_name", "nettcpconn.transport", "nettcpconn.local.ip",
                             "nettcpconn.local.ipv6", "nettcpconn.local.port", "nettcpconn.owning_process",
                             "nettcpconn.creation_time", "nettcpconn.remote.port", "nettcpconn.state",
                             "_ws.col.Info", "_ws.expert.message");
    /* Equal time stamps: the inputs' order, then each file's. */
    static const char *const want[][11] = {
        {"udp.json", "17", "0.0.0.0", "", "5353", "2424", "Mar  1, 2024 10:46:40.000000000 UTC", "", "",
         "UDP 0.0.0.0:5353 pid 2424", ""},
        {"udp.json", "17", "", "::", "5355", "1900", "", "", "", "UDP [::]:5355 pid 1900", ""},
        {"udp.json", "6", "10.0.0.5", "", "49702", "4120", "", "443", "5",
         "TCP 10.0.0.5:49702 → 93.184.216.34:443 Established pid 4120", ""},
        {"udp.csv", "17", "0.0.0.0", "", "5353", "2424", "", "", "", "UDP 0.0.0.0:5353 pid 2424",
         "CreationTime: \"3/1/2024 11:53:20 AM\" is not an ISO 8601 or /Date(milliseconds)/ time from 1678 to 2261"},
        {"udp.csv", "17", "", "fe80::5", "546", "1900", "", "", "", "UDP [fe80::5]:546 pid 1900", ""},
        {"udp-selected.csv", "17", "127.0.0.1", "", "53", "3000", "Mar  1, 2024 11:59:00.500000000 UTC", "", "",
         "UDP 127.0.0.1:53 pid 3000", ""},
    };
    static const char *const what[] = {"interface", "transport", "local.ip", "local.ipv6", "local.port",
                                       "owning_process", "creation_time", "remote.port", "state", "Info",
                                       "expert info"};
    assert_int_equal(rows->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        for (int c = 0; c < 11; c++)
            assert_cell(rows, i, c, want[i][c], what[c]);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);

    /* Recognised by content as well: "#TYPE" and a header naming LocalAddress. */
    r = IMPORT("-o", out, csv, selected, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 0);
    char *expect = g_strdup_printf("  %s (nettcp): 2 read, 2 written", csv);
    expect_message(&r, expect);
    g_free(expect);
    expect = g_strdup_printf("  %s (nettcp): 1 read, 1 written", selected);
    expect_message(&r, expect);
    g_free(expect);
    run_clear(&r);
    g_free(json), g_free(csv), g_free(selected), g_free(out);
}

static void test_nettcp_json_utf16(void **state)
{
    (void)state;
    gsize len;
    char *wide = utf16le(ps5_array + 3, &len);
    char *in = write_file("conns16.json", wide, (gssize)len);
    char *out = path_in("conns16.pcapng");
    run r = IMPORT("-o", out, in, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "nettcpconn.owning_process", "nettcpconn.local.ipv6");
    assert_int_equal(rows->len, 3);
    assert_cell(rows, 1, 0, "880", "pid");
    assert_cell(rows, 1, 1, "2001:db8::5", "local IPv6 address");
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_free(wide), g_free(in), g_free(out);
}

/* Every kind at once: one capture in time order, ties in input order, interfaces named, comments kept. */
static void test_mixed_merge(void **state)
{
    (void)state;
    GPtrArray *lines = tsv_lines("tracee");
    char *text = join_lines(lines, true);
    char *tracee = write_file("events.jsonl", text, -1);
    char *conns = write_file("conns.json", ps5_array, sizeof ps5_array - 1);
    const int64_t pcap_times[] = {BASE_S * NS + 500000, BASE_S * NS + 15500000, BASE_S * NS + 30500000};
    char *pcap = write_pcap("small.pcap", pcap_times, 3, false);
    const int64_t gz_times[] = {BASE_S * NS + 7250000, BASE_S * NS + 60000000};
    char *gz = write_pcap("small.pcap.gz", gz_times, 2, true);
    const int64_t commented_times[] = {BASE_S * NS + 2500000, BASE_S * NS + 20500000};
    const char *const comments[] = {"first comment", "second comment"};
    char *commented = write_commented_pcapng("commented.pcapng", commented_times, comments, 2);
    char *out = path_in("merged.pcapng");
    run r = IMPORT("-o", out, "--tracee", tracee, "--packets", etw_capture, "--nettcp", conns, "--snapshot-time",
                   "2024-03-01T12:00:00.0105Z", "--packets", pcap, "--packets", gz, "--packets", commented);
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "frame.interface_name", "frame.interface_description",
                             "frame.comment", "_ws.col.Protocol");
    unsigned tracee_n = 0;
    for (guint i = 0; i < lines->len; i++)
        tracee_n += convertible(lines->pdata[i]);
    GPtrArray *etw = FRAMES(etw_capture, "frame.number");
    assert_int_equal(rows->len, tracee_n + etw->len + 3 + 3 + 2 + 2);
    assert_times_nondecreasing(rows, 0);

    char *tracee_description = g_strdup_printf("tracee events from %s", tracee);
    char *conns_description = g_strdup_printf("Get-NetTCPConnection or Get-NetUDPEndpoint rows from %s", conns);
    unsigned seen_tracee = 0, seen_nettcp = 0, seen_etw = 0, seen_pcap = 0, seen_commented = 0;
    for (guint i = 0; i < rows->len; i++) {
        const char *name = CELL(rows, i, 1), *description = CELL(rows, i, 2), *proto = CELL(rows, i, 4);
        if (strcmp(proto, "TRACEE_NET") == 0) {
            assert_string_equal(name, "events.jsonl");
            assert_string_equal(description, tracee_description);
            seen_tracee++;
        } else if (strcmp(proto, "NETTCPCONN") == 0) {
            assert_string_equal(name, "conns.json");
            assert_string_equal(description, conns_description);
            assert_string_equal(CELL(rows, i, 0), "1709294400.010500000");
            seen_nettcp++;
        } else if (g_str_has_prefix(proto, "ETW")) {
            assert_string_equal(name, "etw");
            assert_string_equal(description, "procshark sample ETW events");
            seen_etw++;
        } else if (strcmp(name, "commented0") == 0) {
            assert_string_equal(description, "test packets with comments");
            assert_string_equal(CELL(rows, i, 3), comments[seen_commented]);
            seen_commented++;
        } else {
            assert_string_equal(CELL(rows, i, 3), ""); /* no comment invented */
            seen_pcap++;
        }
    }
    assert_int_equal(seen_tracee, tracee_n);
    assert_int_equal(seen_nettcp, 3);
    assert_int_equal(seen_etw, etw->len);
    assert_int_equal(seen_pcap, 5);
    assert_int_equal(seen_commented, 2);
    /* Ties: the tracee event and the ETW event of 12:00:00.001 keep the inputs' order. */
    for (guint i = 1; i < rows->len; i++) {
        if (strcmp(CELL(rows, i, 0), CELL(rows, i - 1, 0)) == 0 && strcmp(CELL(rows, i, 4), "TRACEE_NET") == 0 &&
            g_str_has_prefix(CELL(rows, i - 1, 4), "ETW")) {
            print_error("frame %u: a tracee event after an ETW event of the same time\n", i + 1);
            fail();
        }
    }
    g_ptr_array_free(etw, TRUE);
    g_ptr_array_free(rows, TRUE);
    g_free(tracee_description), g_free(conns_description);
    run_clear(&r);
    g_free(text), g_free(tracee), g_free(conns), g_free(pcap), g_free(gz), g_free(commented), g_free(out);
    g_ptr_array_free(lines, TRUE);
}

/* --help and the short usage name every input kind with its own text (input_kinds[]): a new kind
 * needs no edit of the help. */
static void test_help_lists_every_kind(void **state)
{
    (void)state;
    run r = IMPORT("--help");
    expect_code(&r, 0);
    const char *const lines[] = {
        "usage: procshark-import -o OUT.pcapng [--etl FILE]... [--tracee FILE]... [--nettcp FILE]... "
        "[--procrec FILE]... [--packets CAPTURE]... [FILE]...\n",
        "\n  --etl FILE                a Windows .etl trace (netsh trace, pktmon, wpr, xperf, logman):\n"
        "                            every event as an ETW record, NDIS and pktmon packets as frames\n",
        "\n  --tracee FILE             tracee --output json lines ('-': standard input)\n",
        "\n  --nettcp FILE             Get-NetTCPConnection or Get-NetUDPEndpoint\n"
        "                            | ConvertTo-Json, or | Export-Csv\n",
        "\n  --procrec FILE            procshark-record events ('-': standard input)\n",
        "\n  --packets CAPTURE         any capture file Wireshark reads (pcap, pcapng, compressed ...)\n",
        "                            etl, tracee, nettcp, procrec, packets, or one input file; may repeat\n",
        "       procshark-import --annotate CAPTURE -o OUT.pcapng\n",
        "\n  --annotate CAPTURE        no merge: OUT is a copy of CAPTURE with each packet's process in a\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        if (!strstr(r.out, lines[i]))
            print_error("not in --help: %s\n", lines[i]);
        assert_non_null(strstr(r.out, lines[i]));
    }
    run_clear(&r);
    r = IMPORT("--no-such-option");
    expect_code(&r, 2);
    assert_non_null(strstr(r.err, lines[0]));
    run_clear(&r);
}

/* Files without --tracee, --nettcp or --packets: recognised by their content. */
static void test_recognised_by_content(void **state)
{
    (void)state;
    GPtrArray *lines = tsv_lines("tracee");
    char *text = join_lines(lines, true);
    char *tracee = write_file("bare-events.jsonl", text, -1);
    char *array = write_file("bare-array.json", ps5_array, sizeof ps5_array - 1);
    char *object = write_file("bare-object.json", ps7_object, -1);
    char *csv = write_file("bare.csv", ps5_csv, -1);
    const int64_t times[] = {BASE_S * NS};
    char *pcap = write_pcap("bare.pcap", times, 1, false);
    char *out = path_in("bare.pcapng");
    run r = IMPORT("-o", out, tracee, array, object, csv, pcap, etw_capture);
    expect_code(&r, 0);
    char *expect[6];
    expect[0] = g_strdup_printf("  %s (tracee): ", tracee);
    expect[1] = g_strdup_printf("  %s (nettcp): 3 read, 3 written", array);
    expect[2] = g_strdup_printf("  %s (nettcp): 1 read, 1 written", object);
    expect[3] = g_strdup_printf("  %s (nettcp): 3 read, 3 written", csv);
    expect[4] = g_strdup_printf("  %s (packets): 1 read, 1 written", pcap);
    expect[5] = g_strdup_printf("  %s (packets): ", etw_capture);
    for (int i = 0; i < 6; i++) {
        expect_message(&r, expect[i]);
        g_free(expect[i]);
    }
    run_clear(&r);
    g_free(text), g_free(tracee), g_free(array), g_free(object), g_free(csv), g_free(pcap), g_free(out);
    g_ptr_array_free(lines, TRUE);
}

static void test_time_shift(void **state)
{
    (void)state;
    const char *line = "{\"timestamp\":1709294400000000000,\"eventName\":\"x\",\"processId\":1}\n";
    char *tracee = write_file("shift.jsonl", line, -1);
    char *conns = write_file("shift.json", ps7_object, -1);
    char *out = path_in("shift.pcapng");
    char *by_file = g_strdup_printf("%s=-3600", conns);
    run r = IMPORT("-o", out, "--tracee", tracee, "--nettcp", conns, "--snapshot-time", "2024-03-01T12:00:00Z",
                   "--time-shift", "tracee=1.5", "--time-shift", "tracee=-0.000000001", "--time-shift", by_file);
    g_free(by_file);
    expect_code(&r, 0);
    GPtrArray *rows = FRAMES(out, "frame.time_epoch", "_ws.col.Protocol");
    assert_int_equal(rows->len, 2);
    assert_cell(rows, 0, 0, "1709290800.000000000", "nettcp shifted by -3600 s");
    assert_cell(rows, 1, 0, "1709294401.499999999", "tracee shifted by 1.5 s - 1 ns");
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    r = IMPORT("-o", out, "--tracee", tracee, "--time-shift", "packets=1");
    expect_code(&r, 2);
    expect_message(&r, "--time-shift packets: no input is packets");
    run_clear(&r);
    r = IMPORT("-o", out, "--tracee", tracee, "--time-shift", "tracee=1h");
    expect_code(&r, 2);
    run_clear(&r);
    g_free(tracee), g_free(conns), g_free(out);
}

/* Records a little out of order are sorted; one later than the reorder buffer is written, counted. */
static void test_reorder_buffer(void **state)
{
    (void)state;
    enum { N = 6000 };
    GString *s = g_string_new(NULL);
    for (int i = 0; i < N; i++) {
        int k = i % 2 ? i - 1 : i + 1; /* pairs swapped */
        if (i == N - 1)
            k = -1; /* the earliest of all, last */
        g_string_append_printf(s, "{\"timestamp\":%" PRId64 ",\"eventName\":\"x\",\"processId\":%d}\n",
                               BASE_S * NS + (int64_t)(k + 1) * 1000000, i);
    }
    char *in = write_file("reorder.jsonl", s->str, (gssize)s->len);
    char *out = path_in("reorder.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 0);
    expect_message(&r, "6000 read, 6000 written, 0 rejected; 1 arrived later than its 4096-record reorder buffer");
    GPtrArray *rows = FRAMES(out, "frame.time_epoch");
    assert_int_equal(rows->len, N);
    /* In order but for the late one, written as soon as it was read (between its neighbours in the
     * file, after records later than it). */
    unsigned descents = 0;
    for (guint i = 1; i < rows->len; i++) {
        if (strcmp(CELL(rows, i - 1, 0), CELL(rows, i, 0)) > 0) {
            descents++;
            assert_cell(rows, i, 0, "1709294400.000000000", "the late record");
        }
    }
    assert_int_equal(descents, 1);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_string_free(s, TRUE);
    g_free(in), g_free(out);
}

static void test_stdin(void **state)
{
    (void)state;
    GPtrArray *lines = tsv_lines("tracee");
    char *text = join_lines(lines, true);
    char *in = write_file("stdin.jsonl", text, -1);
    char *out = path_in("stdin.pcapng");
    const char *argv[] = {"sh", "-c", "exec \"$0\" -o \"$1\" --tracee - < \"$2\"", importer, out, in, NULL};
    int status = 0;
    char *o = NULL, *e = NULL;
    assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &e, &status, NULL));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(e, "(standard input) (tracee)"));
    GPtrArray *rows = FRAMES(out, "frame.interface_name", "frame.interface_description");
    unsigned n = 0;
    for (guint i = 0; i < lines->len; i++)
        n += convertible(lines->pdata[i]);
    assert_int_equal(rows->len, n);
    assert_cell(rows, 0, 0, "stdin", "interface name");
    assert_cell(rows, 0, 1, "tracee events from standard input", "interface description");
    g_ptr_array_free(rows, TRUE);
    g_free(o), g_free(e);
    /* Standard input without its kind cannot be recognised. */
    run r = IMPORT("-o", out, "-");
    expect_code(&r, 2);
    run_clear(&r);
    g_free(text), g_free(in), g_free(out);
    g_ptr_array_free(lines, TRUE);
}

/* --- bad inputs ------------------------------------------------------------------------------- */

static const char good1[] = "{\"timestamp\":1709294400001000000,\"eventName\":\"net_packet_tcp\",\"processId\":11,\"processName\":\"one\"}";
static const char good2[] = "{\"timestamp\":1709294400002000000,\"eventName\":\"net_packet_tcp\",\"processId\":22,\"processName\":\"two\"}";
static const char good3[] = "{\"timestamp\":1709294400003000000,\"eventName\":\"net_packet_tcp\",\"processId\":33,\"processName\":\"three\"}";

static char *bad_lines_file(void)
{
    char *text = g_strdup_printf("%s\n"
                                 "not json at all\n"
                                 "%s\n"
                                 "{\"eventName\":\"no_time\"}\n"
                                 "{\"timestamp\":99999999999999999999,\"eventName\":\"x\"}\n"
                                 "{\"timestamp\":-5,\"eventName\":\"x\"}\n"
                                 "\n"
                                 "%s\n",
                                 good1, good2, good3);
    char *path = write_file("bad-lines.jsonl", text, -1);
    g_free(text);
    return path;
}

static void expect_names(const char *capture, const char *names)
{
    GPtrArray *rows = FRAMES(capture, "tracee_net.process_name");
    GString *got = g_string_new(NULL);
    for (guint i = 0; i < rows->len; i++)
        g_string_append_printf(got, "%s%s", i ? "," : "", CELL(rows, i, 0));
    if (strcmp(got->str, names) != 0)
        print_error("%s holds %s, expected %s\n", capture, got->str, names);
    assert_string_equal(got->str, names);
    g_string_free(got, TRUE);
    g_ptr_array_free(rows, TRUE);
}

static void test_rejected_lines(void **state)
{
    (void)state;
    char *in = bad_lines_file();
    char *out = path_in("bad-lines.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    char *m;
    expect_message(&r, m = g_strdup_printf("%s:2: not valid JSON", in)), g_free(m);
    expect_message(&r, m = g_strdup_printf("%s:4: no \"timestamp\"", in)), g_free(m);
    expect_message(&r, m = g_strdup_printf("%s:5: timestamp: ", in)), g_free(m);
    expect_message(&r, m = g_strdup_printf("%s:6: timestamp: -5 is out of range", in)), g_free(m);
    expect_message(&r, "7 read, 3 written, 4 rejected");
    expect_names(out, "one,two,three");
    run_clear(&r);
    g_free(in), g_free(out);
}

static void test_strict(void **state)
{
    (void)state;
    char *in = bad_lines_file();
    char *out = path_in("strict.pcapng");
    run r = IMPORT("-o", out, "--strict", "--tracee", in);
    expect_code(&r, 2);
    char *m = g_strdup_printf("%s:2: not valid JSON", in);
    expect_message(&r, m);
    g_free(m);
    assert_null(strstr(r.err, ":4:")); /* it stopped at the first */
    assert_false(exists(out));
    run_clear(&r);
    /* With nothing wrong, --strict changes nothing. */
    char *text = g_strdup_printf("%s\n%s\n", good1, good2);
    char *ok = write_file("strict-ok.jsonl", text, -1);
    r = IMPORT("-o", out, "--strict", "--tracee", ok);
    expect_code(&r, 0);
    expect_names(out, "one,two");
    run_clear(&r);
    g_free(text), g_free(ok), g_free(in), g_free(out);
}

static void test_unreadable_input(void **state)
{
    (void)state;
    char *out = path_in("unreadable.pcapng");
    char *missing = path_in("no-such-file.jsonl");
    run r = IMPORT("-o", out, "--tracee", missing);
    expect_code(&r, 2);
    expect_message(&r, "No such file or directory");
    assert_false(exists(out));
    run_clear(&r);
    r = IMPORT("-o", out, "--packets", dir);
    expect_code(&r, 2);
    expect_message(&r, "is a directory");
    assert_false(exists(out));
    run_clear(&r);
    if (geteuid() != 0) { /* root reads anything */
        char *text = g_strdup_printf("%s\n", good1);
        char *locked = write_file("locked.jsonl", text, -1);
        assert_int_equal(chmod(locked, 0), 0);
        r = IMPORT("-o", out, "--tracee", locked);
        expect_code(&r, 2);
        expect_message(&r, "Permission denied");
        assert_false(exists(out));
        run_clear(&r);
        g_free(text), g_free(locked);
    }
    /* An output folder that does not exist. */
    char *nowhere = path_in("no-such-folder/out.pcapng");
    char *text = g_strdup_printf("%s\n", good1);
    char *in = write_file("fine.jsonl", text, -1);
    r = IMPORT("-o", nowhere, "--tracee", in);
    expect_code(&r, 2);
    run_clear(&r);
    g_free(nowhere), g_free(text), g_free(in), g_free(missing), g_free(out);
}

static void test_output_is_input(void **state)
{
    (void)state;
    char *text = g_strdup_printf("%s\n%s\n", good1, good2);
    char *in = write_file("precious.jsonl", text, -1);
    char *other = path_in("precious-link.jsonl");
    assert_int_equal(link(in, other), 0); /* the same file under another name */
    struct stat before;
    assert_int_equal(stat(in, &before), 0);
    const char *outs[] = {in, other};
    for (int i = 0; i < 2; i++) {
        run r = IMPORT("-o", outs[i], "--tracee", in);
        expect_code(&r, 2);
        expect_message(&r, "refusing to write over an input");
        run_clear(&r);
        gsize len;
        char *now = read_file(in, &len);
        assert_string_equal(now, text);
        g_free(now);
        struct stat after;
        assert_int_equal(stat(in, &after), 0);
        assert_int_equal(after.st_ino, before.st_ino);
        assert_true(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    }
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *name; (name = g_dir_read_name(d));)
        assert_false(g_str_has_prefix(name, ".psimport-")); /* no temporary file left */
    g_dir_close(d);
    g_free(text), g_free(in), g_free(other);
}

/* A line longer than a record can hold is skipped without being buffered; one that just fits is
 * written and read back by tshark. */
static void test_overlong_line(void **state)
{
    (void)state;
    char *in = path_in("long.jsonl");
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", good1);
    /* 40 MiB on one line */
    char *chunk = g_malloc(1 << 20);
    memset(chunk, 'a', 1 << 20);
    fputs("{\"timestamp\":1709294400001500000,\"eventName\":\"huge\",\"x\":\"", f);
    for (int i = 0; i < 40; i++)
        fwrite(chunk, 1, 1 << 20, f);
    fputs("\"}\n", f);
    /* exactly the largest record, and one byte more */
    const char *prefix = "{\"timestamp\":1709294400001700000,\"eventName\":\"largest\",\"processName\":\"max\",\"x\":\"";
    size_t fill = TRACEE_MAX - strlen(prefix) - 2;
    fputs(prefix, f);
    fwrite(chunk, 1, fill, f);
    fputs("\"}\n", f);
    fputs(prefix, f);
    fwrite(chunk, 1, fill + 1, f);
    fputs("\"}\n", f);
    /* the largest record again, with a CRLF ending: the CR is no part of the record */
    fputs(prefix, f);
    fwrite(chunk, 1, fill, f);
    fputs("\"}\r\n", f);
    fprintf(f, "%s\n", good2);
    fclose(f);
    g_free(chunk);
    char *out = path_in("long.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s:2: a line of %zu bytes is longer than a record can hold (%d bytes): skipped", in,
                              strlen("{\"timestamp\":1709294400001500000,\"eventName\":\"huge\",\"x\":\"") + (40u << 20) + 2,
                              TRACEE_MAX);
    expect_message(&r, m);
    g_free(m);
    m = g_strdup_printf("%s:4: a line of %d bytes", in, TRACEE_MAX + 1);
    expect_message(&r, m);
    g_free(m);
    expect_message(&r, "6 read, 4 written, 2 rejected");
    GPtrArray *rows = FRAMES(out, "tracee_net.process_name", "frame.len");
    assert_int_equal(rows->len, 4);
    char *len = g_strdup_printf("%d", RECORD_MAX);
    for (guint i = 1; i <= 2; i++) { /* LF, then CRLF */
        assert_cell(rows, i, 0, "max", "the largest record's process name");
        assert_cell(rows, i, 1, len, "the largest record's length");
    }
    g_free(len);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_free(in), g_free(out);
}

static char *garbage_file(const char *name, size_t size)
{
    GRand *rand = g_rand_new_with_seed(42);
    char *bytes = g_malloc(size);
    for (size_t i = 0; i < size; i++)
        bytes[i] = (char)g_rand_int_range(rand, 0, 256);
    bytes[0] = (char)0x81; /* not text, not a known magic number */
    bytes[1] = 0;
    char *path = write_file(name, bytes, (gssize)size);
    g_free(bytes);
    g_rand_free(rand);
    return path;
}

static void test_binary_garbage(void **state)
{
    (void)state;
    char *in = garbage_file("garbage.bin", 200000);
    char *out = path_in("garbage.pcapng");
    run r = IMPORT("-o", out, in);
    expect_code(&r, 2);
    expect_message(&r, "cannot tell what it holds");
    assert_false(exists(out));
    run_clear(&r);
    r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s:1: ", in);
    expect_message(&r, m);
    g_free(m);
    expect_message(&r, " 0 written");
    run_clear(&r);
    r = IMPORT("-o", out, "--nettcp", in, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 1);
    expect_message(&r, " 0 written");
    run_clear(&r);
    unlink(out);
    r = IMPORT("-o", out, "--packets", in);
    expect_code(&r, 2);
    assert_false(exists(out));
    run_clear(&r);
    g_free(in), g_free(out);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    char *text = g_strdup_printf("%s\n{\"timestamp\":1709294400001500000,\"processName\":\"b\xff\xfe\"}\n%s\n", good1,
                                 good2);
    char *in = write_file("latin1.jsonl", text, -1);
    char *out = path_in("latin1.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s:2: invalid UTF-8 at byte %zu of the line", in,
                              (size_t)(strchr(text, '\xff') - strchr(text, '\n')));
    expect_message(&r, m);
    g_free(m);
    expect_names(out, "one,two");
    run_clear(&r);

    const char array[] = "[\n {\"OwningProcess\": 1, \"LocalAddress\": \"10.0.0.1\"},\n"
                         " {\"OwningProcess\": 2,\n  \"Caption\": \"\xc3\x28\"},\n"
                         " {\"OwningProcess\": 3, \"LocalAddress\": \"10.0.0.3\"}\n]\n";
    char *json = write_file("latin1.json", array, -1);
    r = IMPORT("-o", out, "--nettcp", json, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 1);
    const char *row2 = strstr(array, "{\"OwningProcess\": 2");
    m = g_strdup_printf("%s: row 2: invalid UTF-8 at byte %zu of the row (line 4)", json,
                        (size_t)(strchr(array, '\xc3') - row2) + 1);
    expect_message(&r, m);
    g_free(m);
    run_clear(&r);

    const char csv[] = "\"LocalAddress\",\"OwningProcess\",\"Caption\"\n\"10.0.0.1\",\"1\",\"\"\n"
                       "\"10.0.0.2\",\"2\",\"caf\xe9\"\n";
    char *csv_path = write_file("latin1.csv", csv, -1);
    r = IMPORT("-o", out, "--nettcp", csv_path, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 1);
    m = g_strdup_printf("%s:3: invalid UTF-8 in column \"Caption\"", csv_path);
    expect_message(&r, m);
    g_free(m);
    expect_message(&r, "2 read, 1 written, 1 rejected");
    run_clear(&r);
    g_free(text), g_free(in), g_free(json), g_free(csv_path), g_free(out);
}

static void test_empty_file(void **state)
{
    (void)state;
    char *in = write_file("empty.jsonl", "", 0);
    char *blank = write_file("blank.json", "\n  \r\n", -1);
    char *out = path_in("empty.pcapng");
    const char *kinds[] = {"--tracee", "--nettcp", "--packets", NULL};
    for (int i = 0; i < 4; i++) {
        run r = kinds[i] ? IMPORT("-o", out, kinds[i], in) : IMPORT("-o", out, in);
        expect_code(&r, 1);
        char *m = g_strdup_printf("%s: empty file: no records", in);
        expect_message(&r, m);
        g_free(m);
        assert_true(exists(out)); /* complete, with nothing in it */
        run_clear(&r);
    }
    run r = IMPORT("-o", out, "--tracee", blank);
    expect_code(&r, 1);
    expect_message(&r, "empty file");
    run_clear(&r);
    r = IMPORT("-o", out, "--strict", "--tracee", in);
    expect_code(&r, 2);
    run_clear(&r);
    g_free(in), g_free(blank), g_free(out);
}

/* The capture's blocks: where the one cut at `cut` starts, and which packet it is. */
static void cut_block(const char *capture, size_t cut, size_t *offset, unsigned *number)
{
    gsize len;
    char *data = read_file(capture, &len);
    size_t at = 0;
    unsigned packets = 0;
    while (at + 8 <= len) {
        uint32_t type, size;
        memcpy(&type, data + at, 4);
        memcpy(&size, data + at + 4, 4);
        if (at + size > cut)
            break;
        packets += type == 6; /* EPB */
        at += size;
    }
    *offset = at;
    *number = packets + 1;
    g_free(data);
}

static void test_truncated_pcapng(void **state)
{
    (void)state;
    gsize len;
    char *data = read_file(etw_capture, &len);
    size_t cut = len * 3 / 4;
    char *in = write_file("truncated.pcapng", data, (gssize)cut);
    size_t offset;
    unsigned number;
    cut_block(etw_capture, cut, &offset, &number);
    char *out = path_in("truncated-out.pcapng");
    run r = IMPORT("-o", out, "--packets", in);
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s: record %u at byte %zu: ", in, number, offset);
    expect_message(&r, m);
    g_free(m);
    GPtrArray *rows = FRAMES(out, "frame.number");
    assert_int_equal(rows->len, number - 1);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    r = IMPORT("-o", out, "--strict", "--packets", in);
    expect_code(&r, 2);
    run_clear(&r);
    g_free(data), g_free(in), g_free(out);
}

static void test_truncated_json(void **state)
{
    (void)state;
    const char array[] = "[\n {\"OwningProcess\": 1, \"LocalAddress\": \"10.0.0.1\"},\n"
                         " {\"OwningProcess\": 2, \"LocalAddress\": \"10.0.0.2\"},\n"
                         " {\"OwningProcess\": 3, \"LocalAdd";
    char *in = write_file("cut.json", array, -1);
    char *out = path_in("cut.pcapng");
    run r = IMPORT("-o", out, "--nettcp", in, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s: row 3: the file ends inside this row", in);
    expect_message(&r, m);
    g_free(m);
    GPtrArray *rows = FRAMES(out, "nettcpconn.owning_process");
    assert_int_equal(rows->len, 2);
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    const char missing_bracket[] = "[{\"OwningProcess\": 1}, {\"OwningProcess\": 2}";
    char *in2 = write_file("cut2.json", missing_bracket, -1);
    r = IMPORT("-o", out, "--nettcp", in2, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 1);
    m = g_strdup_printf("%s: row 3: the file ends inside the array", in2);
    expect_message(&r, m);
    g_free(m);
    expect_message(&r, "2 written");
    run_clear(&r);
    g_free(in), g_free(in2), g_free(out);
}

static void test_numbers_out_of_range(void **state)
{
    (void)state;
    char *text = g_strdup_printf("%s\n{\"timestamp\":1e400,\"eventName\":\"x\"}\n"
                                 "{\"timestamp\":1709294400002500000,\"eventName\":\"net_packet_tcp\",\"processId\":99999999999,"
                                 "\"processName\":\"wide\"}\n",
                                 good1);
    char *in = write_file("range.jsonl", text, -1);
    char *out = path_in("range.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s:2: timestamp: ", in);
    expect_message(&r, m);
    g_free(m);
    /* A field out of range is the dissector's to flag: the record is written. */
    GPtrArray *rows = FRAMES(out, "tracee_net.process_name", "tracee_net.pid", "_ws.expert.message");
    assert_int_equal(rows->len, 2);
    assert_cell(rows, 1, 0, "wide", "process name");
    assert_cell(rows, 1, 1, "", "pid out of range");
    assert_non_null(strstr(CELL(rows, 1, 2), "processId"));
    g_ptr_array_free(rows, TRUE);
    run_clear(&r);
    g_free(text), g_free(in), g_free(out);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    enum { DEPTH = 100000 }; /* 200 kB: a record, too deep for any JSON parser's stack */
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s\n{\"timestamp\":1709294400001500000,\"eventName\":\"deep\",\"x\":", good1);
    for (int i = 0; i < DEPTH; i++)
        g_string_append_c(s, '[');
    for (int i = 0; i < DEPTH; i++)
        g_string_append_c(s, ']');
    g_string_append(s, "}\n");
    g_string_append_printf(s, "%s\n", good2);
    char *in = write_file("deep.jsonl", s->str, (gssize)s->len);
    char *out = path_in("deep.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    char *m = g_strdup_printf("%s:2: not valid JSON", in);
    expect_message(&r, m);
    g_free(m);
    expect_names(out, "one,two");
    run_clear(&r);
    /* Unbalanced, as a JSON array row */
    g_string_truncate(s, 0);
    g_string_append(s, "[{\"OwningProcess\":1},");
    for (int i = 0; i < DEPTH; i++)
        g_string_append(s, "{\"a\":");
    g_string_append(s, "]");
    char *json = write_file("deep.json", s->str, (gssize)s->len);
    r = IMPORT("-o", out, "--nettcp", json, "--snapshot-time", "2024-03-01T12:00:00Z");
    expect_code(&r, 1);
    expect_message(&r, "1 written");
    run_clear(&r);
    g_string_free(s, TRUE);
    g_free(in), g_free(json), g_free(out);
}

/* Linear time: a million rows in an array. */
static void test_million_rows(void **state)
{
    (void)state;
    enum { N = 1000000 };
    char *in = path_in("million.json");
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    fputc('[', f);
    for (int i = 0; i < N; i++)
        fprintf(f, "%s{\"OwningProcess\":%d}", i ? "," : "", i);
    fputs("]\n", f);
    fclose(f);
    char *out = path_in("million.pcapng");
    gint64 start = g_get_monotonic_time();
    run r = IMPORT("-o", out, "--nettcp", in, "--snapshot-time", "2024-03-01T12:00:00Z");
    double seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    expect_code(&r, 0);
    expect_message(&r, "1000000 read, 1000000 written, 0 rejected");
    print_message("a million rows in %.1f s\n", seconds);
    assert_true(seconds < 300);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_true(st.st_size > (off_t)N * 40);
    run_clear(&r);
    unlink(in);
    unlink(out);
    g_free(in), g_free(out);
}

/* --- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_import PROCSHARK-IMPORT ETW-EVENTS.pcapng JSON-RECORDS.tsv TRACEE-SAMPLES.jsonl\n");
        return 2;
    }
    importer = argv[1];
    etw_capture = argv[2];
    records_tsv = argv[3];
    tracee_samples = argv[4];
    pcapng_writer_init_library("test_import");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracee_real_samples),
        cmocka_unit_test(test_tracee_sample_records),
        cmocka_unit_test(test_nettcp_json_array),
        cmocka_unit_test(test_nettcp_json_object),
        cmocka_unit_test(test_nettcp_csv),
        cmocka_unit_test(test_nettcp_json_utf16),
        cmocka_unit_test(test_netudp_rows),
        cmocka_unit_test(test_mixed_merge),
        cmocka_unit_test(test_help_lists_every_kind),
        cmocka_unit_test(test_recognised_by_content),
        cmocka_unit_test(test_time_shift),
        cmocka_unit_test(test_reorder_buffer),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_rejected_lines),
        cmocka_unit_test(test_strict),
        cmocka_unit_test(test_unreadable_input),
        cmocka_unit_test(test_output_is_input),
        cmocka_unit_test(test_overlong_line),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_truncated_pcapng),
        cmocka_unit_test(test_truncated_json),
        cmocka_unit_test(test_numbers_out_of_range),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_million_rows),
    };
    int failed = IMPORT_TESTS_RUN("procshark-import", tests, "procshark-import-XXXXXX", 0700);
    wtap_cleanup();
    return failed;
}
