/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Lua reports (lua/reports/NAME.lua) through tshark (Wireshark 4.0's Lua 5.2) on procshark-scenario's capture,
 * against expectations computed here, independently of the reports and of lua/procshark.lua:
 * the owners of each packet's ends come from the scenario's ground truth (TRUTH.tsv), the frame
 * lengths, times, streams, endpoints and retransmission marks from tshark's own fields (not proc.*),
 * the unmatched records from tshark's proc.unmatched_record filter and the records' own fields.
 * Also: bad arguments, a helper given an unknown field, and reports installed by `cmake --install`
 * that Wireshark loads at start-up (they must print nothing unless named by -X lua_script).
 * test_reports CAPTURE TRUTH.tsv SOURCE_DIR INSTALLED_LUA_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include <cmocka.h>
#include <glib.h>

#include "tshark_harness.h"

static const char *capture, *source_dir, *installed_lua;

typedef struct {
    unsigned frame;
    int64_t time_ns; /* since the epoch */
    unsigned len, stream;
    bool udp; /* stream is a udp.stream, else a tcp.stream */
    bool retransmission;
    char *src, *dst;           /* endpoints, "addr:port" or "[v6]:port" */
    char *pid[2], *name[2];    /* src, dst owners from the truth; NULL when unknown */
} packet;

static GArray *packets; /* packet, in frame order */

/* --- helpers ----------------------------------------------------------------------------------- */

static char *report_path(const char *name)
{
    return g_strdup_printf("%s/lua/reports/%s.lua", source_dir, name);
}

/* "1709294402.123456789" to nanoseconds, exactly. */
static int64_t parse_epoch_ns(const char *text)
{
    char *dot = NULL;
    int64_t sec = g_ascii_strtoll(text, &dot, 10);
    int64_t ns = 0;
    int digits = 0;
    if (*dot == '.')
        for (const char *p = dot + 1; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
            ns = ns * 10 + (*p - '0');
    for (; digits < 9; digits++)
        ns *= 10;
    return sec * 1000000000 + ns;
}

/* ISO 8601 UTC with microseconds, rounded to the microsecond. */
static char *iso_time(int64_t ns)
{
    int64_t us = (ns + 500) / 1000;
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

static char *endpoint(const char *v4, const char *v6, const char *port)
{
    if (v4 && *v4)
        return g_strdup_printf("%s:%s", v4, port);
    if (v6 && *v6)
        return g_strdup_printf("[%s]:%s", v6, port);
    return g_strdup("");
}

/* A CSV field as RFC 4180 quotes it. */
static void csv_field(GString *out, const char *text)
{
    if (!text)
        return;
    size_t n = strlen(text);
    if (strpbrk(text, ",\"\r\n") || (n && (text[0] == ' ' || text[n - 1] == ' '))) {
        g_string_append_c(out, '"');
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                g_string_append_c(out, '"');
            g_string_append_c(out, *p);
        }
        g_string_append_c(out, '"');
    } else {
        g_string_append(out, text);
    }
}

static int cmp_null_last(const char *a, const char *b, bool numeric)
{
    if (!a || !b)
        return (a == NULL) - (b == NULL);
    if (numeric) {
        unsigned long x = strtoul(a, NULL, 10), y = strtoul(b, NULL, 10);
        return (x > y) - (x < y);
    }
    return strcmp(a, b);
}

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

static unsigned count_lines(const char *text)
{
    unsigned n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* Runs a report with format=csv (and any extra -X lua_script1: arguments); returns stdout. */
static char *run_report(const char *name, bool two_pass, const char *extra_arg)
{
    char *script = g_strdup_printf("lua_script:%s/lua/reports/%s.lua", source_dir, name);
    const char *args[16];
    int n = 0;
    if (two_pass)
        args[n++] = "-2";
    args[n++] = "-q";
    args[n++] = "-r";
    args[n++] = capture;
    args[n++] = "-X";
    args[n++] = script;
    args[n++] = "-X";
    args[n++] = "lua_script1:format=csv";
    if (extra_arg) {
        args[n++] = "-X";
        args[n++] = extra_arg;
    }
    args[n] = NULL;
    tshark_result r = tshark_run(args);
    char *problems = tshark_problems(&r);
    if (problems) {
        print_error("%s\n", problems);
        g_free(problems);
        fail();
    }
    if (strstr(r.err, "Lua") || strstr(r.err, "procshark report")) {
        print_error("%s: stderr: %s\n", name, r.err);
        fail();
    }
    g_free(r.err);
    g_free(script);
    return r.out;
}

/* Compares line by line, printing the first differences. */
static void assert_same_csv(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return;
    char **g = g_strsplit(got, "\n", -1), **w = g_strsplit(want, "\n", -1);
    unsigned shown = 0;
    for (guint i = 0; (g[i] || w[i]) && shown < 12; i++) {
        const char *a = g[i] ? g[i] : "(none)", *b = w[i] ? w[i] : "(none)";
        if (strcmp(a, b) != 0) {
            print_error("%s line %u:\n  report:   %s\n  expected: %s\n", what, i + 1, a, b);
            shown++;
        }
        if (!g[i] || !w[i])
            break;
    }
    print_error("%s: %u report lines, %u expected\n", what, g_strv_length(g), g_strv_length(w));
    g_strfreev(g);
    g_strfreev(w);
    fail();
}

/* --- the data: truth and tshark's fields ------------------------------------------------------- */

static int load_packets(void **state)
{
    (void)state;
    const char *args[] = {"-2", "-r", capture, "-Y", "tcp || udp", "-T", "fields", "-E", "separator=/t", "-E",
                          "occurrence=l", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.len", "-e",
                          "tcp.stream", "-e", "tcp.analysis.retransmission", "-e", "ip.src", "-e", "ipv6.src", "-e",
                          "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "udp.stream",
                          "-e", "udp.srcport", "-e", "udp.dstport", NULL};
    tshark_result r = tshark_run(args);
    char *problems = tshark_problems(&r);
    if (problems) {
        fprintf(stderr, "%s\n", problems);
        return -1;
    }
    packets = g_array_new(FALSE, TRUE, sizeof(packet));
    char **lines = g_strsplit(r.out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (!lines[i][0])
            continue;
        char **c = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(c) != 14) {
            fprintf(stderr, "unexpected tshark line: %s\n", lines[i]);
            return -1;
        }
        packet p = {0};
        p.frame = (unsigned)atoi(c[0]);
        p.time_ns = parse_epoch_ns(c[1]);
        p.len = (unsigned)atoi(c[2]);
        p.udp = c[3][0] == '\0';
        p.stream = (unsigned)atoi(p.udp ? c[11] : c[3]);
        p.retransmission = c[4][0] != '\0';
        p.src = endpoint(c[5], c[6], p.udp ? c[12] : c[7]);
        p.dst = endpoint(c[8], c[9], p.udp ? c[13] : c[10]);
        g_array_append_val(packets, p);
        g_strfreev(c);
    }
    g_strfreev(lines);
    tshark_result_clear(&r);
    return 0;
}

static packet *packet_of(unsigned frame)
{
    for (guint i = 0; i < packets->len; i++)
        if (g_array_index(packets, packet, i).frame == frame)
            return &g_array_index(packets, packet, i);
    return NULL;
}

static int load_truth(const char *path)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    char **lines = g_strsplit(text, "\n", -1);
    unsigned rows = 0;
    for (size_t i = 1; lines[i]; i++) {
        if (!lines[i][0])
            continue;
        /* frame, src_pid, src_name, dst_pid, dst_name, proto, src_known, dst_known */
        char **c = g_strsplit(lines[i], "\t", -1);
        packet *p = g_strv_length(c) == 8 ? packet_of((unsigned)atoi(c[0])) : NULL;
        if (!p) {
            fprintf(stderr, "%s:%zu: no such TCP or UDP packet in tshark's listing\n", path, i + 1);
            return -1;
        }
        for (int e = 0; e < 2; e++) {
            p->pid[e] = strcmp(c[1 + 2 * e], "-") ? g_strdup(c[1 + 2 * e]) : NULL;
            p->name[e] = strcmp(c[2 + 2 * e], "-") ? g_strdup(c[2 + 2 * e]) : NULL;
        }
        rows++;
        g_strfreev(c);
    }
    g_strfreev(lines);
    g_free(text);
    if (rows != packets->len) {
        fprintf(stderr, "the truth has %u packets, tshark %u\n", rows, packets->len);
        return -1;
    }
    return 0;
}

/* The processes a packet counts for in by_process and retransmits: each known end, once when one
 * process (pid and name) owns both. */
static int counted_ends(const packet *p, int ends[2])
{
    int n = 0;
    if (p->pid[0])
        ends[n++] = 0;
    if (p->pid[1] && !(p->pid[0] && strcmp(p->pid[0], p->pid[1]) == 0 && g_strcmp0(p->name[0], p->name[1]) == 0))
        ends[n++] = 1;
    return n;
}

/* A packet's connection: its tcp.stream or udp.stream. */
static unsigned flow_of(const packet *p) { return p->stream * 2 + p->udp; }

/* --- per process: by_process and retransmits --------------------------------------------------- */

typedef struct {
    const char *pid, *name;
    unsigned packets, retransmits;
    uint64_t bytes;
    int64_t first, last;
    GHashTable *streams;
} process_row;

/* tcp_only: retransmits counts TCP packets only. */
static GPtrArray *per_process(bool tcp_only)
{
    GPtrArray *rows = g_ptr_array_new();
    for (guint i = 0; i < packets->len; i++) {
        const packet *p = &g_array_index(packets, packet, i);
        if (tcp_only && p->udp)
            continue;
        int ends[2];
        int n = counted_ends(p, ends);
        for (int k = 0; k < n; k++) {
            const char *pid = p->pid[ends[k]], *name = p->name[ends[k]];
            process_row *row = NULL;
            for (guint j = 0; j < rows->len && !row; j++) {
                process_row *r = rows->pdata[j];
                if (strcmp(r->pid, pid) == 0 && g_strcmp0(r->name, name) == 0)
                    row = r;
            }
            if (!row) {
                row = g_new0(process_row, 1);
                row->pid = pid;
                row->name = name;
                row->first = INT64_MAX;
                row->last = INT64_MIN;
                row->streams = g_hash_table_new(g_direct_hash, g_direct_equal);
                g_ptr_array_add(rows, row);
            }
            row->packets++;
            row->retransmits += p->retransmission;
            row->bytes += p->len;
            row->first = MIN(row->first, p->time_ns);
            row->last = MAX(row->last, p->time_ns);
            g_hash_table_add(row->streams, GUINT_TO_POINTER(flow_of(p) + 1));
        }
    }
    return rows;
}

static void free_process_rows(GPtrArray *rows)
{
    for (guint i = 0; i < rows->len; i++) {
        process_row *r = rows->pdata[i];
        g_hash_table_destroy(r->streams);
        g_free(r);
    }
    g_ptr_array_free(rows, TRUE);
}

static int pid_name_order(const process_row *a, const process_row *b)
{
    int c = cmp_null_last(a->pid, b->pid, true);
    return c ? c : cmp_null_last(a->name, b->name, false);
}

/* bytes, packets descending; pid, name ascending */
static gint by_process_order(gconstpointer x, gconstpointer y)
{
    const process_row *a = *(process_row *const *)x, *b = *(process_row *const *)y;
    int c = cmp_u64(b->bytes, a->bytes);
    if (!c)
        c = cmp_u64(b->packets, a->packets);
    return c ? c : pid_name_order(a, b);
}

/* retransmits, ratio descending; pid, name ascending */
static gint retransmits_order(gconstpointer x, gconstpointer y)
{
    const process_row *a = *(process_row *const *)x, *b = *(process_row *const *)y;
    int c = cmp_u64(b->retransmits, a->retransmits);
    if (!c) {
        double ra = (double)a->retransmits / a->packets, rb = (double)b->retransmits / b->packets;
        c = (rb > ra) - (rb < ra);
    }
    return c ? c : pid_name_order(a, b);
}

static void test_by_process(void **state)
{
    (void)state;
    GPtrArray *rows = per_process(false);
    assert_true(rows->len >= 10);
    g_ptr_array_sort(rows, by_process_order);
    GString *want = g_string_new("pid,name,packets,bytes,connections,first_seen,last_seen\n");
    for (guint i = 0; i < rows->len; i++) {
        const process_row *r = rows->pdata[i];
        char *first = iso_time(r->first), *last = iso_time(r->last);
        csv_field(want, r->pid);
        g_string_append_c(want, ',');
        csv_field(want, r->name);
        g_string_append_printf(want, ",%u,%" G_GUINT64_FORMAT ",%u,%s,%s\n", r->packets, r->bytes,
                               g_hash_table_size(r->streams), first, last);
        g_free(first);
        g_free(last);
    }
    char *got = run_report("by_process", true, NULL);
    assert_same_csv("by_process.lua", got, want->str);
    print_message("by_process: %u processes\n", rows->len);
    g_free(got);
    g_string_free(want, TRUE);
    free_process_rows(rows);
}

static void test_retransmits(void **state)
{
    (void)state;
    GPtrArray *rows = per_process(true);
    g_ptr_array_sort(rows, retransmits_order);
    unsigned retransmitted = 0;
    GString *want = g_string_new("pid,name,retransmits,packets,ratio\n");
    for (guint i = 0; i < rows->len; i++) {
        const process_row *r = rows->pdata[i];
        retransmitted += r->retransmits;
        csv_field(want, r->pid);
        g_string_append_c(want, ',');
        csv_field(want, r->name);
        g_string_append_printf(want, ",%u,%u,%.4f\n", r->retransmits, r->packets, (double)r->retransmits / r->packets);
    }
    assert_true(retransmitted > 0); /* the scenario retransmits a segment */
    char *got = run_report("retransmits", true, NULL);
    assert_same_csv("retransmits.lua", got, want->str);
    g_free(got);
    g_string_free(want, TRUE);
    free_process_rows(rows);
}

/* --- connections ------------------------------------------------------------------------------- */

typedef struct {
    unsigned flow; /* flow_of */
    const char *local, *remote, *pid, *name;
} conn_row;

typedef struct {
    unsigned packets;
    uint64_t bytes;
    int64_t start, end;
    const char *first_src, *first_dst;
} conn_total;

static gint conn_order(gconstpointer x, gconstpointer y)
{
    const conn_row *a = *(conn_row *const *)x, *b = *(conn_row *const *)y;
    /* by transport (tcp before udp), then stream */
    unsigned ka = a->flow % 2 << 31 | a->flow / 2, kb = b->flow % 2 << 31 | b->flow / 2;
    int c = (ka > kb) - (ka < kb);
    if (!c)
        c = strcmp(a->local, b->local);
    if (!c)
        c = cmp_null_last(a->pid, b->pid, true);
    return c ? c : cmp_null_last(a->name, b->name, false);
}

static void test_connections(void **state)
{
    (void)state;
    GHashTable *totals = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < packets->len; i++) {
        const packet *p = &g_array_index(packets, packet, i);
        conn_total *t = g_hash_table_lookup(totals, GUINT_TO_POINTER(flow_of(p) + 1));
        if (!t) {
            t = g_new0(conn_total, 1);
            t->start = INT64_MAX;
            t->end = INT64_MIN;
            t->first_src = p->src;
            t->first_dst = p->dst;
            g_hash_table_insert(totals, GUINT_TO_POINTER(flow_of(p) + 1), t);
        }
        t->packets++;
        t->bytes += p->len;
        t->start = MIN(t->start, p->time_ns);
        t->end = MAX(t->end, p->time_ns);
        for (int e = 0; e < 2; e++) {
            if (!p->pid[e])
                continue;
            const char *local = e ? p->dst : p->src, *remote = e ? p->src : p->dst;
            bool seen = false;
            for (guint j = 0; j < rows->len && !seen; j++) {
                const conn_row *r = rows->pdata[j];
                seen = r->flow == flow_of(p) && strcmp(r->local, local) == 0 && strcmp(r->pid, p->pid[e]) == 0 &&
                       g_strcmp0(r->name, p->name[e]) == 0;
            }
            if (!seen) {
                conn_row *r = g_new0(conn_row, 1);
                *r = (conn_row){flow_of(p), local, remote, p->pid[e], p->name[e]};
                g_ptr_array_add(rows, r);
            }
        }
    }
    /* connections no end of which is known: one row, local the first packet's source */
    GHashTableIter it;
    gpointer key, value;
    unsigned unknown = 0;
    g_hash_table_iter_init(&it, totals);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        unsigned flow = GPOINTER_TO_UINT(key) - 1;
        bool known = false;
        for (guint j = 0; j < rows->len && !known; j++)
            known = ((conn_row *)rows->pdata[j])->flow == flow;
        if (!known) {
            const conn_total *t = value;
            conn_row *r = g_new0(conn_row, 1);
            *r = (conn_row){flow, t->first_src, t->first_dst, NULL, NULL};
            g_ptr_array_add(rows, r);
            unknown++;
        }
    }
    g_ptr_array_sort(rows, conn_order);
    GString *want = g_string_new("transport,stream,pid,name,local,remote,packets,bytes,start,end\n");
    unsigned both = 0;
    for (guint i = 0; i < rows->len; i++) {
        const conn_row *r = rows->pdata[i];
        const conn_total *t = g_hash_table_lookup(totals, GUINT_TO_POINTER(r->flow + 1));
        both += i && ((conn_row *)rows->pdata[i - 1])->flow == r->flow;
        char *start = iso_time(t->start), *end = iso_time(t->end);
        g_string_append_printf(want, "%s,%u,", r->flow % 2 ? "udp" : "tcp", r->flow / 2);
        csv_field(want, r->pid);
        g_string_append_c(want, ',');
        csv_field(want, r->name);
        g_string_append_c(want, ',');
        csv_field(want, r->local);
        g_string_append_c(want, ',');
        csv_field(want, r->remote);
        g_string_append_printf(want, ",%u,%" G_GUINT64_FORMAT ",%s,%s\n", t->packets, t->bytes, start, end);
        g_free(start);
        g_free(end);
    }
    /* the scenario has connections with both ends known (loopback, host to host) and one with none */
    assert_true(both >= 2);
    assert_true(unknown >= 1);
    char *got = run_report("connections", true, NULL);
    assert_same_csv("connections.lua", got, want->str);
    print_message("connections: %u rows, %u streams\n", rows->len, g_hash_table_size(totals));
    g_free(got);
    g_string_free(want, TRUE);
    g_ptr_array_free(rows, TRUE);
    g_hash_table_destroy(totals);
}

/* --- dns ---------------------------------------------------------------------------------------- */

typedef struct {
    char *query, *type, *pid, *name;
    unsigned count;
    GString *answers;
} dns_row;

static const char *dns_type_name(const char *number)
{
    static const struct {
        const char *number, *name;
    } types[] = {{"1", "A"}, {"2", "NS"}, {"5", "CNAME"}, {"6", "SOA"}, {"12", "PTR"}, {"15", "MX"},
                 {"16", "TXT"}, {"28", "AAAA"}, {"33", "SRV"}, {"64", "SVCB"}, {"65", "HTTPS"}, {"255", "ANY"}};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (strcmp(types[i].number, number) == 0)
            return types[i].name;
    return number;
}

static gint dns_order(gconstpointer x, gconstpointer y)
{
    const dns_row *a = *(dns_row *const *)x, *b = *(dns_row *const *)y;
    int c = (b->count > a->count) - (b->count < a->count);
    if (!c)
        c = strcmp(a->query, b->query);
    if (!c)
        c = strcmp(a->type, b->type);
    if (!c)
        c = cmp_null_last(a->pid, b->pid, true);
    return c ? c : cmp_null_last(a->name, b->name, false);
}

/* Appends each of a field's comma-separated values not yet in the row's answers. */
static void add_answers(dns_row *r, const char *values)
{
    char **v = g_strsplit(values, ",", -1);
    for (size_t i = 0; v[i]; i++) {
        if (!v[i][0])
            continue;
        char **have = g_strsplit(r->answers->str, ", ", -1);
        bool seen = false;
        for (size_t j = 0; have[j] && !seen; j++)
            seen = strcmp(have[j], v[i]) == 0;
        g_strfreev(have);
        if (!seen)
            g_string_append_printf(r->answers, "%s%s", r->answers->len ? ", " : "", v[i]);
    }
    g_strfreev(v);
}

/* Queries count for the truth's process of their source, answers go to their destination's. */
static void test_dns(void **state)
{
    (void)state;
    const char *args[] = {"-2", "-r", capture, "-Y", "dns", "-T", "fields", "-E", "separator=/t", "-e",
                          "frame.number", "-e", "dns.flags.response", "-e", "dns.flags.rcode", "-e", "dns.qry.name",
                          "-e", "dns.qry.type", "-e", "dns.a", "-e", "dns.aaaa", "-e", "dns.cname", NULL};
    char *out = tshark_ok(args);
    char **lines = g_strsplit(out, "\n", -1);
    GPtrArray *rows = g_ptr_array_new();
    unsigned queries = 0, answered = 0;
    for (size_t i = 0; lines[i]; i++) {
        if (!lines[i][0])
            continue;
        char **c = g_strsplit(lines[i], "\t", -1);
        assert_int_equal(g_strv_length(c), 8);
        const packet *p = packet_of((unsigned)atoi(c[0]));
        assert_non_null(p);
        const bool response = strcmp(c[1], "1") == 0;
        const int end = response ? 1 : 0;
        const char *type = dns_type_name(c[4]);
        dns_row *r = NULL;
        for (guint j = 0; j < rows->len && !r; j++) {
            dns_row *x = rows->pdata[j];
            if (strcmp(x->query, c[3]) == 0 && strcmp(x->type, type) == 0 && g_strcmp0(x->pid, p->pid[end]) == 0 &&
                g_strcmp0(x->name, p->name[end]) == 0)
                r = x;
        }
        if (!r) {
            r = g_new0(dns_row, 1);
            *r = (dns_row){g_strdup(c[3]), g_strdup(type), p->pid[end], p->name[end], 0, g_string_new(NULL)};
            g_ptr_array_add(rows, r);
        }
        if (!response) {
            r->count++;
            queries++;
        } else {
            static const char *const rcodes[] = {NULL, "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
            const int rcode = atoi(c[2]);
            if (rcode > 0 && rcode < 6)
                add_answers(r, rcodes[rcode]);
            for (int k = 5; k < 8; k++)
                add_answers(r, c[k]);
            answered++;
        }
        g_strfreev(c);
    }
    g_strfreev(lines);
    g_free(out);
    assert_true(queries >= 10 && answered >= 5); /* the scenario's DNS flows */
    g_ptr_array_sort(rows, dns_order);
    GString *want = g_string_new("query,type,answers,pid,name,count\n");
    for (guint i = 0; i < rows->len; i++) {
        dns_row *r = rows->pdata[i];
        csv_field(want, r->query);
        g_string_append_printf(want, ",%s,", r->type);
        csv_field(want, r->answers->len ? r->answers->str : NULL);
        g_string_append_c(want, ',');
        csv_field(want, r->pid);
        g_string_append_c(want, ',');
        csv_field(want, r->name);
        g_string_append_printf(want, ",%u\n", r->count);
        g_free(r->query);
        g_free(r->type);
        g_string_free(r->answers, TRUE);
        g_free(r);
    }
    char *got = run_report("dns", true, NULL);
    assert_same_csv("dns.lua", got, want->str);
    print_message("dns: %u rows, %u queries, %u responses\n", rows->len, queries, answered);
    g_free(got);
    g_string_free(want, TRUE);
    g_ptr_array_free(rows, TRUE);
}

/* --- unmatched --------------------------------------------------------------------------------- */

typedef struct {
    unsigned frame;
    char *line;
} frame_line;

static gint frame_line_order(gconstpointer x, gconstpointer y)
{
    const frame_line *a = x, *b = y;
    return (a->frame > b->frame) - (a->frame < b->frame);
}

/* The records tshark's proc.unmatched_record filter finds, with the socket each speaks for (docs/ATTRIBUTION.md,
 * Attribution rules, rule 1). */
static unsigned unmatched_records(GArray *lines)
{
    const char *args[] = {"-2", "-r", capture, "-Y", "proc.unmatched_record", "-T", "fields", "-E", "separator=/t",
                          "-e", "frame.number", "-e", "etwnet.pid", "-e", "etwnet.transport", "-e", "etwnet.event",
                          "-e", "etwnet.saddr", "-e", "etwnet.saddr6", "-e", "etwnet.sport", "-e", "etwnet.daddr",
                          "-e", "etwnet.daddr6", "-e", "etwnet.dport", "-e", "tracee_net.host_pid", "-e",
                          "tracee_net.pid", "-e", "tracee_net.direction", "-e", "tracee_net.flow.direction", "-e",
                          "tracee_net.ip.src", "-e", "tracee_net.ipv6.src", "-e", "tracee_net.tcp.srcport", "-e",
                          "tracee_net.ip.dst", "-e", "tracee_net.ipv6.dst", "-e", "tracee_net.tcp.dstport", "-e",
                          "tracee_net.udp.srcport", "-e", "tracee_net.udp.dstport", NULL};
    char *out = tshark_ok(args);
    char **rows = g_strsplit(out, "\n", -1);
    unsigned n = 0;
    for (size_t i = 0; rows[i]; i++) {
        if (!rows[i][0])
            continue;
        char **c = g_strsplit(rows[i], "\t", -1);
        assert_int_equal(g_strv_length(c), 22);
        frame_line fl = {(unsigned)atoi(c[0]), NULL};
        char *ep;
        const char *source, *pid;
        if (c[1][0]) { /* ETW: the local socket; UDP receive: the destination */
            source = "etw";
            pid = c[1];
            if (strcmp(c[2], "UDP") == 0 && strstr(c[3], "Recv"))
                ep = endpoint(c[7], c[8], c[9]);
            else
                ep = endpoint(c[4], c[5], c[6]);
        } else { /* tracee: the source socket on egress, the destination on ingress */
            source = "tracee";
            pid = c[10][0] ? c[10] : c[11];
            bool udp = c[20][0] != '\0'; /* tracee's UDP events have their own port fields */
            if (strcmp(c[12], "ingress") == 0 || strcmp(c[13], "incoming") == 0)
                ep = endpoint(c[17], c[18], udp ? c[21] : c[19]);
            else
                ep = endpoint(c[14], c[15], udp ? c[20] : c[16]);
        }
        GString *line = g_string_new(NULL);
        g_string_append_printf(line, "%u,record,%s,%s,", fl.frame, source, pid);
        csv_field(line, ep);
        g_string_append(line, ",no packet matched");
        fl.line = g_string_free(line, FALSE);
        g_array_append_val(lines, fl);
        g_free(ep);
        g_strfreev(c);
        n++;
    }
    g_strfreev(rows);
    g_free(out);
    return n;
}

static void test_unmatched(void **state)
{
    (void)state;
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(frame_line));
    unsigned records = unmatched_records(lines);
    unsigned unattributed = 0;
    for (guint i = 0; i < packets->len; i++) {
        const packet *p = &g_array_index(packets, packet, i);
        if (p->pid[0] || p->pid[1])
            continue;
        char *ep = g_strdup_printf("%s -> %s", p->src, p->dst);
        GString *line = g_string_new(NULL);
        g_string_append_printf(line, "%u,packet,,,", p->frame);
        csv_field(line, ep);
        g_string_append(line, ",no process known for either end");
        frame_line fl = {p->frame, g_string_free(line, FALSE)};
        g_array_append_val(lines, fl);
        g_free(ep);
        unattributed++;
    }
    assert_true(records >= 1);      /* records with no packet */
    assert_true(unattributed >= 1); /* a connection no record describes */
    g_array_sort(lines, frame_line_order);
    GString *want = g_string_new("frame,kind,source,pid,endpoint,reason\n");
    for (guint i = 0; i < lines->len; i++) {
        frame_line *fl = &g_array_index(lines, frame_line, i);
        g_string_append_printf(want, "%s\n", fl->line);
        g_free(fl->line);
    }
    char *got = run_report("unmatched", true, NULL);
    assert_same_csv("unmatched.lua", got, want->str);
    print_message("unmatched: %u records, %u packets\n", records, unattributed);
    g_free(got);
    g_string_free(want, TRUE);
    g_array_free(lines, TRUE);
}

/* One pass: packets whose owner a second pass would know are reported as such. */
static void test_unmatched_one_pass_says_so(void **state)
{
    (void)state;
    char *got = run_report("unmatched", false, NULL);
    assert_non_null(strstr(got, "no process known yet (one pass: run tshark -2)"));
    g_free(got);
}

/* --- formats, arguments, start-up loading ------------------------------------------------------ */

static void test_text_and_json_formats(void **state)
{
    (void)state;
    char *csv = run_report("by_process", true, NULL);
    unsigned rows = count_lines(csv) - 1; /* the header */
    char *json = run_report("by_process", true, "lua_script1:format=json");
    char *text = run_report("by_process", true, "lua_script1:format=text");
    char *top = run_report("by_process", true, "lua_script1:top=3");
    /* the last -X lua_script1:format wins over format=csv given first */
    assert_true(g_str_has_prefix(json, "[\n{\"pid\":"));
    assert_true(g_str_has_suffix(json, "}\n]\n"));
    assert_int_equal(count_lines(json), rows + 2);
    assert_true(g_str_has_prefix(text, "Processes\n\n"));
    assert_non_null(strstr(text, "  pid  name "));
    assert_int_equal(count_lines(text), rows + 4);
    assert_int_equal(count_lines(top), 3 + 1);
    g_free(csv);
    g_free(json);
    g_free(text);
    g_free(top);
}

/* filter=: the connections report of one TCP stream is that stream's rows of the whole report. */
static void test_filter_argument(void **state)
{
    (void)state;
    char *all = run_report("connections", true, NULL);
    char **lines = g_strsplit(all, "\n", -1);
    assert_non_null(lines[1]);
    assert_true(g_str_has_prefix(lines[1], "tcp,")); /* TCP first */
    const char *comma = strchr(lines[1] + 4, ',');
    assert_non_null(comma);
    char *stream = g_strndup(lines[1] + 4, (gsize)(comma - lines[1] - 4));
    char *prefix = g_strdup_printf("tcp,%s,", stream);
    GString *want = g_string_new(lines[0]);
    g_string_append_c(want, '\n');
    unsigned kept = 0, rows = 0;
    for (size_t i = 1; lines[i] && lines[i][0]; i++, rows++)
        if (g_str_has_prefix(lines[i], prefix)) {
            g_string_append_printf(want, "%s\n", lines[i]);
            kept++;
        }
    assert_true(kept >= 1 && kept < rows); /* the filter has something to leave out */
    char *arg = g_strdup_printf("lua_script1:filter=tcp.stream == %s", stream);
    char *got = run_report("connections", true, arg);
    assert_same_csv("connections.lua filter=", got, want->str);
    g_free(got);
    g_free(arg);
    g_string_free(want, TRUE);
    g_free(prefix);
    g_free(stream);
    g_strfreev(lines);
    g_free(all);
}

/* A report with no row says so under its header, instead of showing bare headers. */
static void test_no_rows(void **state)
{
    (void)state;
    char *csv = run_report("by_process", true, "lua_script1:filter=frame.number == 0");
    assert_string_equal(csv, "pid,name,packets,bytes,connections,first_seen,last_seen\n");
    char *script = report_path("by_process");
    char *x = g_strdup_printf("lua_script:%s", script);
    const char *args[] = {"-2", "-q", "-r", capture, "-X", x, "-X", "lua_script1:filter=frame.number == 0", NULL};
    tshark_result r = tshark_run(args);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "Processes\n\n"
                               "pid  name  packets  bytes  connections  first_seen  last_seen\n"
                               "---  ----  -------  -----  -----------  ----------  ---------\n"
                               "no rows\n");
    tshark_result_clear(&r);
    g_free(x);
    g_free(script);
    g_free(csv);
}

/* A bad argument or a helper given an unknown field: a message on stderr, nothing on stdout. */
static void expect_refusal(const char *script, const char *arg, const char *message)
{
    char *x = g_strdup_printf("lua_script:%s", script);
    const char *args[] = {"-2", "-q", "-r", capture, "-X", x, "-X", arg, NULL};
    tshark_result r = tshark_run(args);
    if (r.exit_code != 0 || r.out[0] || !strstr(r.err, message))
        print_error("%s %s: exit %d, stdout \"%.300s\", stderr \"%.600s\"; wanted \"%s\"\n", script, arg, r.exit_code,
                    r.out, r.err, message);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, message));
    tshark_result_clear(&r);
    g_free(x);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char *by_process = report_path("by_process");
    expect_refusal(by_process, "lua_script1:format=xml",
                   "procshark report by_process: unknown format \"xml\": use format=text, format=csv or format=json");
    expect_refusal(by_process, "lua_script1:colour=red", "procshark report by_process: unknown argument \"colour\"");
    expect_refusal(by_process, "lua_script1:top=many", "procshark report by_process: top=many: expected a whole number");
    /* A report of one's own, laid out as installed (the module one folder up), in a private folder
     * (procshark-tshark copies it for nobody when run as root). */
    static const char bad_key[] =
        "local dir = debug.getinfo(1, 'S').source:match('^@(.*)[/\\\\]') or '.'\n"
        "package.path = dir .. '/../?.lua;' .. package.path\n"
        "local ps = require 'procshark'\n"
        "ps.report({name = 'bad_key', columns = {'pid', 'packets'}, start = function()\n"
        "  local g = ps.group{over = 'end', by = {'pidd'}, count = 'packets'}\n"
        "  return {packet = function(p) for _, e in ipairs(p.ends) do g:add(e) end end,\n"
        "          rows = function() return g:rows() end}\n"
        "end}, ...)\n";
    char *tmp = g_dir_make_tmp("procshark-report-XXXXXX", NULL);
    assert_non_null(tmp);
    char *reports = g_build_filename(tmp, "reports", NULL);
    char *bad = g_build_filename(reports, "bad_key.lua", NULL);
    char *module_src = g_strdup_printf("%s/lua/procshark.lua", source_dir);
    char *module_copy = g_build_filename(tmp, "procshark.lua", NULL);
    char *module_text = NULL;
    gsize module_len = 0;
    assert_true(g_file_get_contents(module_src, &module_text, &module_len, NULL));
    assert_int_equal(g_mkdir(reports, 0700), 0);
    assert_true(g_file_set_contents(module_copy, module_text, (gssize)module_len, NULL));
    assert_true(g_file_set_contents(bad, bad_key, -1, NULL));
    expect_refusal(bad, "lua_script1:format=csv",
                   "procshark report bad_key: procshark.group: unknown field \"pidd\" for end items");
    g_remove(bad);
    g_remove(module_copy);
    g_rmdir(reports);
    g_rmdir(tmp);
    g_free(module_text);
    g_free(module_copy);
    g_free(module_src);
    g_free(bad);
    g_free(reports);
    g_free(tmp);
    g_free(by_process);
}

/* Installed reports, loaded by tshark at start-up from its plugin folder, print nothing; a report
 * named by -X lua_script runs once. */
static void test_installed_reports_stay_quiet(void **state)
{
    (void)state;
    char *module = g_strdup_printf("%s/procshark.lua", installed_lua);
    char *report = g_strdup_printf("%s/reports/by_process.lua", installed_lua);
    assert_true(g_file_test(module, G_FILE_TEST_IS_REGULAR));
    assert_true(g_file_test(report, G_FILE_TEST_IS_REGULAR));
    g_setenv("PROCSHARK_LUA_PLUGINS", installed_lua, TRUE);
    const char *plugins[] = {"-G", "plugins", NULL};
    char *list = tshark_ok(plugins);
    const char *quiet[] = {"-2", "-q", "-r", capture, NULL};
    tshark_result r = tshark_run(quiet);
    g_unsetenv("PROCSHARK_LUA_PLUGINS");
    char *loud = run_report("by_process", true, NULL);
    g_setenv("PROCSHARK_LUA_PLUGINS", installed_lua, TRUE);
    char *once = run_report("by_process", true, NULL);
    g_unsetenv("PROCSHARK_LUA_PLUGINS");
    if (!strstr(list, "reports/by_process.lua") || r.out[0] || r.err[0])
        print_error("-G plugins:\n%s\nstdout: %.500s\nstderr: %.500s\n", list, r.out, r.err);
    assert_non_null(strstr(list, "reports/by_process.lua"));
    assert_non_null(strstr(list, "procshark/procshark.lua"));
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    assert_string_equal(once, loud);
    tshark_result_clear(&r);
    g_free(list);
    g_free(loud);
    g_free(once);
    g_free(module);
    g_free(report);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_reports CAPTURE TRUTH.tsv SOURCE_DIR INSTALLED_LUA_DIR\n");
        return 2;
    }
    capture = argv[1];
    source_dir = argv[3];
    installed_lua = argv[4];
    if (load_packets(NULL) != 0 || load_truth(argv[2]) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_process),
        cmocka_unit_test(test_connections),
        cmocka_unit_test(test_unmatched),
        cmocka_unit_test(test_retransmits),
        cmocka_unit_test(test_dns),
        cmocka_unit_test(test_unmatched_one_pass_says_so),
        cmocka_unit_test(test_text_and_json_formats),
        cmocka_unit_test(test_filter_argument),
        cmocka_unit_test(test_no_rows),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_installed_reports_stay_quiet),
    };
    int failed = cmocka_run_group_tests_name("reports", tests, NULL, NULL);
    for (guint i = 0; i < packets->len; i++) {
        packet *p = &g_array_index(packets, packet, i);
        g_free(p->src);
        g_free(p->dst);
        for (int e = 0; e < 2; e++) {
            g_free(p->pid[e]);
            g_free(p->name[e]);
        }
    }
    g_array_free(packets, TRUE);
    return failed;
}
