/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import: tracee events, Get-NetTCPConnection rows, Windows .etl traces and packet captures into one pcapng
 * file, in time order, for Wireshark/tshark with the procshark plugin (README "procshark-import").
 *
 * Each input is a stream read incrementally; a bounded reorder buffer per input (REORDER_RECORDS
 * records or REORDER_BYTES bytes) sorts inputs that are only roughly in time order, and a k-way
 * merge of the buffers writes the output. Every record is written or reported; a file output appears
 * under its name only when complete (a temporary file in its folder, then rename); a pipe or a
 * device is written through (README "procshark-import": the output contract). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <wiretap/wtap.h>

#include "nettcp_row.h"
#include "pcapng_writer.h"
#include "etl_input.h"
#include "text_input.h"
#include "ps_json.h"
#include "ps_text.h"
#include "ps_time.h"
#include "tracee_event.h"
#include "upper_pdu.h"
#include "ws_compat.h"

#define PROGRAM "procshark-import"
#ifndef PROCSHARK_VERSION
#define PROCSHARK_VERSION "unknown"
#endif

#define REORDER_RECORDS 4096u
/* Captures come in time order but for small skews between interfaces; a small buffer stays in
 * the processor's cache (merging is twice as fast as with the text inputs' buffer). */
#define REORDER_CAPTURE_RECORDS 256u
/* An ETL file holds one run of buffers per CPU, each in time order but written as they filled.
 * The reader merges them when it can seek; from a pipe a window of many buffers puts them back in
 * order. */
#define REORDER_ETL_RECORDS 65536u
#define REORDER_BYTES ((size_t)64 << 20)
#define RECORD_MAX ((size_t)WTAP_MAX_PACKET_SIZE_STANDARD) /* what Wireshark reads back */
#define NS_PER_S INT64_C(1000000000)

enum { EXIT_ALL_WRITTEN = 0, EXIT_SOME_REJECTED = 1, EXIT_ERROR = 2 };

typedef enum { SRC_PACKETS, SRC_TRACEE, SRC_NETTCP, SRC_ETL, SRC_UNKNOWN } source_kind;
static const char *const kind_names[] = {"packets", "tracee", "nettcp", "etl", "empty"};

typedef struct {
    int encap;
    unsigned id;
} synth_iface;

typedef struct {
    unsigned index;
    source_kind kind;
    char *path;  /* as given; "-" is standard input */
    char *name;  /* in messages */
    bool is_stdin;
    bool empty;  /* an empty file: nothing to read */
    struct stat st;
    uint64_t size; /* for the progress line; 0 when unknown */
    /* record sources */
    int fd;
    text_reader *text;
    const char *dissector;
    size_t max_payload;
    int64_t snapshot_ns;
    bool snapshot_given;
    unsigned out_iface;
    /* Windows .etl traces: records on out_iface, packets on the interfaces in etl_ifaces */
    etl_input *etl;
    GArray *etl_ifaces; /* unsigned: output interface of each of the reader's, UINT_MAX until used */
    /* packet captures */
    wtap *wth;
    GPtrArray *new_idbs;  /* wtap_block_t (owned by wth) not yet in the output */
    GArray *new_idb_sections;
    GPtrArray *sections;  /* per section, a GArray of output interface ids */
    guint cur_section;
    GArray *synth;        /* synth_iface */
    uint64_t records_seen;
    int64_t prev_ts;
    /* both */
    int64_t shift_ns;
    uint64_t read, written, rejected, late;
    char *problem; /* a file-level problem (empty file), already reported */
    uint64_t seq;
    unsigned buffered;
    size_t buffered_bytes;
    bool eof;
} input;

typedef struct {
    int64_t ts;
    unsigned input;
    uint64_t seq;
    uint8_t *data;
    size_t len;
    size_t capacity;  /* of data, when it came from the pool */
    wtap_rec *rec;    /* packet captures: the record as read, its block included */
    uint64_t number;  /* packet captures: record number and offset, for messages */
    int64_t offset;
} pending;

typedef struct {
    char *source;
    int64_t ns;
    bool used;
} time_shift;

typedef struct {
    char *file; /* NULL: every nettcp input */
    int64_t ns;
    bool used;
} snapshot_time;

/* Where the output goes (README "procshark-import", the output contract). */
typedef enum {
    OUT_REPLACE, /* a regular file or a new path: a temporary file beside it, renamed over it when complete */
    OUT_STREAM,  /* standard output, a FIFO or a character device: written through as it is made */
} output_mode;

static struct {
    GPtrArray *inputs;
    const char *out_path;   /* as given */
    char *target;           /* OUT_REPLACE: the file the temporary is renamed to (a symlink's target) */
    output_mode out_mode;
    char *tmp_path;
    int tmp_fd;             /* the temporary (OUT_REPLACE) or the stream, until the writer takes it */
    pcapng_writer *writer;
    GArray *dsbs; /* wtap_block_t: decryption secrets of the captures, written as they come */
    GPtrArray *shb_comments;
    GArray *heap;    /* heap_entry, a binary min-heap */
    GPtrArray *pool; /* written capture records, kept to be filled again: no allocation per packet */
    GPtrArray *record_pool; /* the same for ETL records */
    bool strict, quiet;
    int64_t high_water; /* the latest time stamp written */
    bool any_written;
    uint64_t written;
    /* the progress line */
    bool progress_tty;
    bool progress_shown;
    gint64 start_us, last_progress_us;
    ps_wtap_record read; /* the capture record being read */
} im;

/* The temporary output, removed on every way out but success. */
static char tmp_path_for_signals[PATH_MAX + 64];

static void remove_temporary(void)
{
    if (tmp_path_for_signals[0])
        unlink(tmp_path_for_signals);
}

/* Every signal whose default ends the process, but SIGKILL and SIGSTOP, which cannot be caught
 * (a stale temporary of a killed run is removed by the next run: remove_stale_temporaries). */
static const int fatal_signals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,    SIGTRAP, SIGABRT, SIGBUS,
                                    SIGFPE,  SIGUSR1, SIGSEGV, SIGUSR2,   SIGPIPE, SIGALRM, SIGTERM,
                                    SIGSTKFLT, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS};
static struct sigaction previous_actions[G_N_ELEMENTS(fatal_signals)];

static void on_signal(int sig)
{
    remove_temporary();
    /* Then whatever would have happened: the default, or a sanitizer's report. A fault returns
     * and faults again; any other signal is sent again. */
    for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++)
        if (fatal_signals[i] == sig)
            sigaction(sig, &previous_actions[i], NULL);
    if (sig != SIGSEGV && sig != SIGBUS && sig != SIGFPE && sig != SIGILL)
        raise(sig);
}

static void catch_signals(void)
{
    struct sigaction on = {.sa_handler = on_signal};
    sigemptyset(&on.sa_mask);
    for (size_t i = 0; i < G_N_ELEMENTS(fatal_signals); i++) {
        sigaction(fatal_signals[i], NULL, &previous_actions[i]);
        /* an ignored signal stays ignored (a shell ignores SIGINT and SIGQUIT for background jobs) */
        if (previous_actions[i].sa_handler != SIG_IGN)
            sigaction(fatal_signals[i], &on, NULL);
    }
    /* Past the file size limit a write fails with EFBIG, which is reported, instead of killing us. */
    signal(SIGXFSZ, SIG_IGN);
}

/* --- messages --------------------------------------------------------------------------------- */

static void clear_progress(void)
{
    if (im.progress_shown) {
        fputs("\r\033[K", stderr);
        im.progress_shown = false;
    }
}

/* One line on standard error, the progress line cleared first. Record text and file names in it
 * come from elsewhere: control characters are shown escaped. */
static void G_GNUC_PRINTF(1, 0) vmessage(const char *fmt, va_list ap)
{
    clear_progress();
    char *text = g_strdup_vprintf(fmt, ap);
    GString *line = g_string_sized_new(strlen(text) + 1);
    ps_text_escape(line, text, -1);
    g_string_append_c(line, '\n');
    fputs(line->str, stderr);
    g_string_free(line, TRUE);
    g_free(text);
}

static void G_GNUC_PRINTF(1, 2) message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

static void usage_short(void)
{
    fprintf(stderr, "usage: " PROGRAM " -o OUT.pcapng [--packets CAPTURE]... [--tracee FILE]... [--nettcp FILE]... [--etl FILE]... [FILE]...\n"
                    "Try '" PROGRAM " --help'.\n");
}

static void help(void)
{
    printf("usage: " PROGRAM " -o OUT.pcapng [--packets CAPTURE]... [--tracee FILE]... [--nettcp FILE]... [--etl FILE]... [FILE]...\n"
           "\n"
           "Puts tracee events, Get-NetTCPConnection rows, Windows .etl traces and packet captures into one\n"
           "pcapng file, in time order, for Wireshark or tshark with the procshark plugin.\n"
           "\n"
           "  -o, --output OUT.pcapng   the capture to write: a file appears (or is replaced) only when\n"
           "                            complete; '-', a FIFO or a character device is written through\n"
           "  --packets CAPTURE         any capture file Wireshark reads (pcap, pcapng, compressed ...)\n"
           "  --tracee FILE             tracee --output json lines ('-': standard input)\n"
           "  --nettcp FILE             Get-NetTCPConnection | ConvertTo-Json, or | Export-Csv\n"
           "  --etl FILE                a Windows .etl trace (netsh trace, pktmon, wpr, xperf, logman):\n"
           "                            every event as an ETW record, NDIS packet captures as frames\n"
           "  FILE                      any of the above, recognised by its content\n"
           "  --time-shift SOURCE=SECONDS\n"
           "                            add SECONDS (e.g. -3600, 0.25) to the time stamps of SOURCE:\n"
           "                            tracee, nettcp, etl, packets, or one input file; may repeat\n"
           "  --snapshot-time [FILE=]TIME\n"
           "                            when Get-NetTCPConnection ran (ISO 8601 with a zone, e.g.\n"
           "                            2024-03-01T12:00:00Z); default: the file's modification time\n"
           "  --strict                  stop at the first bad record, write nothing, exit 2\n"
           "  -q, --quiet               no summary\n"
           "  --version                 print the version\n"
           "\n"
           "Exit status: 0 all records written; 1 some rejected (each reported, the rest written);\n"
           "2 usage or I/O error, or a bad record with --strict (nothing written to a file).\n"
           "An input with no record (an empty file or pipe) counts as rejected: exit 1.\n");
}

static void progress(bool force)
{
    if (!im.progress_tty)
        return;
    gint64 now = g_get_monotonic_time();
    if (!force && (now - im.start_us < G_USEC_PER_SEC || now - im.last_progress_us < G_USEC_PER_SEC / 5))
        return;
    im.last_progress_us = now;
    uint64_t done = 0, size = 0;
    bool sizes = true;
    for (guint i = 0; i < im.inputs->len; i++) {
        const input *in = im.inputs->pdata[i];
        if (!in->size) {
            sizes = false;
            continue;
        }
        size += in->size;
        if (in->eof)
            done += in->size;
        else if (in->text)
            done += MIN(text_reader_bytes_read(in->text), in->size);
        else if (in->wth)
            done += MIN((uint64_t)MAX(wtap_read_so_far(in->wth), 0), in->size);
    }
    if (sizes && size)
        fprintf(stderr, "\r" PROGRAM ": %" PRIu64 " records written, %u%% read", im.written,
                (unsigned)(done * 100 / size));
    else
        fprintf(stderr, "\r" PROGRAM ": %" PRIu64 " records written", im.written);
    im.progress_shown = true;
}

/* --- leaving ---------------------------------------------------------------------------------- */

static G_GNUC_NORETURN void fail(void)
{
    clear_progress();
    if (im.writer) {
        char *error = NULL;
        pcapng_writer_close(im.writer, &error);
        g_free(error);
        im.writer = NULL;
    } else if (im.tmp_fd >= 0) {
        close(im.tmp_fd);
    }
    remove_temporary();
    exit(EXIT_ERROR);
}

static G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    fail();
}

static G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    message(PROGRAM ": %s", text);
    g_free(text);
    usage_short();
    fail();
}

/* --strict ends the run at the first bad input or record: a file output is not written; a stream
 * keeps what it was sent. */
static G_GNUC_NORETURN void strict_stop(const char *what)
{
    die(PROGRAM ": --strict: stopped at the first bad %s; %s", what,
        im.out_mode == OUT_STREAM ? "what was written to the stream so far stays there" : "nothing written");
}

/* An input with no record at all, file or pipe, whatever its kind: reported, and the run exits 1
 * (with --strict, 2). */
static void report_empty(input *in)
{
    in->eof = true;
    in->problem = g_strdup("empty file");
    message("%s: empty file: no records", in->name);
    if (im.strict)
        strict_stop("input");
}

/* A rejected record: reported; with --strict, the end. */
static void G_GNUC_PRINTF(2, 3) rejected(input *in, const char *fmt, ...)
{
    in->rejected++;
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    if (im.strict) {
        strict_stop("record");
    }
}

/* --- arguments -------------------------------------------------------------------------------- */

/* [+-]digits[.digits]: nanoseconds, exactly. */
static bool parse_seconds(const char *s, int64_t *ns)
{
    bool negative = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    int64_t whole = 0, frac = 0;
    int int_digits = 0, frac_digits = 0;
    for (; g_ascii_isdigit(*s); s++, int_digits++) {
        if (whole > (INT64_MAX / NS_PER_S - 9) / 10)
            return false;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        for (s++; g_ascii_isdigit(*s); s++, frac_digits++) {
            if (frac_digits == 9)
                return false;
            frac = frac * 10 + (*s - '0');
        }
    }
    if (*s || int_digits + frac_digits == 0)
        return false;
    for (int i = frac_digits; i < 9; i++)
        frac *= 10;
    int64_t v = whole * NS_PER_S + frac;
    *ns = negative ? -v : v;
    return true;
}

static input *add_input(const char *path, source_kind kind)
{
    input *in = g_new0(input, 1);
    in->index = im.inputs->len;
    in->kind = kind;
    in->path = g_strdup(path);
    in->is_stdin = strcmp(path, "-") == 0;
    in->name = g_strdup(in->is_stdin ? "(standard input)" : path);
    in->fd = -1;
    g_ptr_array_add(im.inputs, in);
    return in;
}

/* --- recognising a file ----------------------------------------------------------------------- */

static bool has_key_text(const GString *text, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++) {
        char *quoted = g_strdup_printf("\"%s\"", *k);
        bool found = strstr(text->str, quoted) != NULL;
        g_free(quoted);
        if (found)
            return true;
    }
    return false;
}

static const char *const tracee_keys[] = {"eventName", "workload", "timestamp", NULL};
static const char *const nettcp_keys[] = {"LocalAddress", "OwningProcess", NULL};

/* A file starting with '{': its first object's keys say what it is. */
static source_kind recognise_object(const input *in, const GString *peek)
{
    source_kind kind = SRC_UNKNOWN;
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        text_reader *r = text_reader_new(fd, in->name, TEXT_JSON_VALUES, RECORD_MAX);
        text_item item;
        if (text_reader_next(r, &item) == TEXT_RECORD) {
            json_t *obj = ps_json_parse_object(item.payload->str, item.payload->len, NULL);
            for (const char *const *k = tracee_keys; obj && kind == SRC_UNKNOWN && *k; k++)
                if (json_object_get(obj, *k))
                    kind = SRC_TRACEE;
            for (const char *const *k = nettcp_keys; obj && kind == SRC_UNKNOWN && *k; k++)
                if (json_object_get(obj, *k))
                    kind = SRC_NETTCP;
            json_decref(obj);
        }
        text_reader_free(r);
        close(fd);
    }
    if (kind == SRC_UNKNOWN && has_key_text(peek, tracee_keys))
        kind = SRC_TRACEE;
    if (kind == SRC_UNKNOWN && has_key_text(peek, nettcp_keys))
        kind = SRC_NETTCP;
    return kind;
}

static void open_capture(input *in, bool recognising);

static void recognise(input *in)
{
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("%s: cannot open: %s", in->name, g_strerror(errno));
    uint8_t head[ETL_BUFFER_HEADER_SIZE + 32];
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got > 0 && etl_input_recognise(head, (size_t)got)) {
        close(fd);
        in->kind = SRC_ETL;
        return;
    }
    GString *peek = g_string_new(NULL);
    if (!text_peek(fd, 65536, peek))
        die("%s: cannot read: %s", in->name, g_strerror(errno));
    close(fd);
    const char *p = peek->str;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    const char *line_end = strchr(p, '\n');
    char *first_line = g_strndup(p, line_end ? (gsize)(line_end - p) : strlen(p));
    if ((size_t)(p - peek->str) == peek->len) {
        /* Nothing but white space: no records, whatever it was meant to be. */
        in->kind = SRC_UNKNOWN;
        in->empty = true;
    } else if (*p == '[') {
        in->kind = SRC_NETTCP;
    } else if (*p == '{') {
        in->kind = recognise_object(in, peek);
        if (in->kind == SRC_UNKNOWN)
            die(PROGRAM ": %s: a JSON object with neither tracee's keys (eventName, workload, timestamp) nor "
                "Get-NetTCPConnection's (LocalAddress, OwningProcess): give its kind with --tracee or --nettcp",
                in->name);
    } else if (g_str_has_prefix(first_line, "#TYPE") || strstr(first_line, "LocalAddress")) {
        in->kind = SRC_NETTCP;
    } else {
        in->kind = SRC_PACKETS;
        open_capture(in, true);
    }
    g_free(first_line);
    g_string_free(peek, TRUE);
}

/* --- opening ---------------------------------------------------------------------------------- */

static char *wtap_message(int err, gchar *err_info)
{
    char *msg = g_strdup_printf("%s%s%s", wtap_strerror(err), err_info ? ": " : "", err_info ? err_info : "");
    g_free(err_info);
    return msg;
}

static void on_secrets(guint32 type, const void *secrets, guint size)
{
    wtap_block_t dsb = wtap_block_create(WTAP_BLOCK_DECRYPTION_SECRETS);
    wtapng_dsb_mandatory_t *mand = wtap_block_get_mandatory_data(dsb);
    mand->secrets_type = type;
    mand->secrets_len = size;
    mand->secrets_data = g_memdup2(secrets, size);
    g_array_append_val(im.dsbs, dsb);
}

static void open_capture(input *in, bool recognising)
{
    int err = 0;
    gchar *err_info = NULL;
    in->wth = wtap_open_offline(in->path, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    if (!in->wth) {
        char *why = wtap_message(err, err_info);
        if (recognising)
            die(PROGRAM ": %s: cannot tell what it holds: not tracee JSON lines, Get-NetTCPConnection JSON or CSV, "
                "a Windows .etl trace, nor a capture file (wiretap: %s); name its kind with --tracee, --nettcp, "
                "--etl or --packets",
                in->name, why);
        die(PROGRAM ": %s: cannot read it as a capture file: %s", in->name, why);
    }
    in->new_idbs = g_ptr_array_new();
    in->new_idb_sections = g_array_new(FALSE, FALSE, sizeof(guint));
    in->sections = g_ptr_array_new();
    in->synth = g_array_new(FALSE, FALSE, sizeof(synth_iface));
    /* Secrets read so far arrive at once; later ones while reading. */
    wtap_set_cb_new_secrets(in->wth, on_secrets);
    for (guint s = 0; s < wtap_file_get_num_shbs(in->wth); s++) {
        wtap_block_t shb = wtap_file_get_shb(in->wth, s);
        char *comment = NULL;
        for (guint i = 0; wtap_block_get_nth_string_option_value(shb, OPT_COMMENT, i, &comment) == WTAP_OPTTYPE_SUCCESS;
             i++)
            g_ptr_array_add(im.shb_comments, g_strdup(comment));
    }
}

static void open_input(input *in)
{
    if (in->is_stdin) {
        if (fstat(STDIN_FILENO, &in->st) != 0)
            die(PROGRAM ": standard input: %s", g_strerror(errno));
        if (in->kind == SRC_UNKNOWN)
            usage_error("standard input ('-') needs its kind: --tracee -, --nettcp -, --etl - or --packets -");
    } else {
        if (stat(in->path, &in->st) != 0)
            die(PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
        if (S_ISDIR(in->st.st_mode))
            die(PROGRAM ": %s: is a directory", in->name);
        if (access(in->path, R_OK) != 0)
            die(PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
    }
    if (S_ISREG(in->st.st_mode))
        in->size = (uint64_t)in->st.st_size;
    if (S_ISREG(in->st.st_mode) && in->st.st_size == 0)
        in->empty = true;
    else if (in->kind == SRC_UNKNOWN && !S_ISREG(in->st.st_mode))
        usage_error("%s is not a regular file: reading it to recognise it would use it up; "
                    "give its kind with --tracee, --nettcp, --etl or --packets", in->name);
    else if (in->kind == SRC_UNKNOWN)
        recognise(in);

    if (in->kind == SRC_PACKETS) {
        if (!in->empty && !in->wth)
            open_capture(in, false);
        return;
    }
    if (in->kind == SRC_UNKNOWN)
        return; /* empty */
    if (in->kind == SRC_ETL) {
        if (in->empty)
            return;
        in->fd = in->is_stdin ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0)
            die(PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
        char *error = NULL;
        in->etl = etl_input_open(in->fd, in->name, &error);
        if (!in->etl && !error) { /* a pipe with nothing in it */
            in->empty = true;
            return;
        }
        if (!in->etl)
            die(PROGRAM ": %s", error);
        in->etl_ifaces = g_array_new(FALSE, FALSE, sizeof(unsigned));
        return;
    }
    in->dissector = in->kind == SRC_TRACEE ? UPPER_PDU_TRACEE : UPPER_PDU_NETTCP;
    in->max_payload = RECORD_MAX - (4 + strlen(in->dissector) + 4);
    if (in->empty)
        return;
    in->fd = in->is_stdin ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0)
        die(PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
    in->text = text_reader_new(in->fd, in->name, in->kind == SRC_TRACEE ? TEXT_JSON_LINES : TEXT_JSON_OR_CSV,
                               in->max_payload);
}

/* --- the reorder buffers: one heap over every input's records --------------------------------- */

/* Heap entries hold their sort keys: comparing them touches no record. */
typedef struct {
    int64_t ts;
    uint64_t order; /* input index, then order within the input: stable for equal times */
    pending *p;
} heap_entry;

static bool before(const heap_entry *a, const heap_entry *b)
{
    return a->ts != b->ts ? a->ts < b->ts : a->order < b->order;
}

static void heap_push(pending *p)
{
    GArray *h = im.heap;
    heap_entry e = {p->ts, (uint64_t)p->input << 48 | p->seq, p};
    g_array_append_val(h, e);
    heap_entry *v = (heap_entry *)(void *)h->data;
    guint i = h->len - 1;
    while (i > 0) {
        guint parent = (i - 1) / 2;
        if (!before(&v[i], &v[parent]))
            break;
        heap_entry t = v[i];
        v[i] = v[parent];
        v[parent] = t;
        i = parent;
    }
}

static pending *heap_pop(void)
{
    GArray *h = im.heap;
    heap_entry *v = (heap_entry *)(void *)h->data;
    pending *top = v[0].p;
    v[0] = v[h->len - 1];
    g_array_set_size(h, h->len - 1);
    guint i = 0;
    for (;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->len && before(&v[l], &v[m]))
            m = l;
        if (r < h->len && before(&v[r], &v[m]))
            m = r;
        if (m == i)
            break;
        heap_entry t = v[i];
        v[i] = v[m];
        v[m] = t;
        i = m;
    }
    return top;
}

static void buffer_record(input *in, pending *p)
{
    p->input = in->index;
    p->seq = in->seq++;
    if (im.any_written && p->ts < im.high_water)
        in->late++;
    in->buffered++;
    in->buffered_bytes += p->len;
    heap_push(p);
}

static void free_pending(pending *p)
{
    if (p->rec) {
        wtap_rec_cleanup(p->rec);
        g_free(p->rec);
    }
    g_free(p->data);
    g_free(p);
}

/* A written capture or ETL record goes back to its pool; others are freed. */
static void release_pending(pending *p)
{
    if (!p->rec && p->capacity && im.record_pool->len < REORDER_ETL_RECORDS) {
        g_ptr_array_add(im.record_pool, p);
        return;
    }
    if (!p->rec || im.pool->len >= REORDER_RECORDS) {
        free_pending(p);
        return;
    }
    wtap_block_unref(p->rec->block);
    p->rec->block = NULL;
    g_ptr_array_add(im.pool, p);
}

/* A capture record with room for len bytes, from the pool when it has one. */
static pending *capture_pending(size_t len)
{
    pending *p;
    if (im.pool->len) {
        p = g_ptr_array_steal_index_fast(im.pool, im.pool->len - 1);
    } else {
        p = g_new0(pending, 1);
        p->rec = g_new(wtap_rec, 1);
        ps_wtap_rec_init(p->rec);
    }
    if (p->capacity < len) {
        g_free(p->data);
        p->data = g_malloc(len);
        p->capacity = len;
    }
    return p;
}

/* A record without a wiretap record, with room for len bytes, from the pool when it has one. */
static pending *record_pending(size_t len)
{
    pending *p = im.record_pool->len ? g_ptr_array_steal_index_fast(im.record_pool, im.record_pool->len - 1)
                                     : g_new0(pending, 1);
    if (p->capacity < len) {
        g_free(p->data);
        p->data = g_malloc(len);
        p->capacity = len;
    }
    return p;
}

/* --- time stamps ------------------------------------------------------------------------------ */

/* ts + the input's shift, when it stays within what pcapng holds (1970 to 2262). */
static bool shifted(const input *in, int64_t ts, int64_t *out)
{
    if ((in->shift_ns > 0 && ts > INT64_MAX - in->shift_ns) || (in->shift_ns < 0 && ts < INT64_MIN - in->shift_ns))
        return false;
    *out = ts + in->shift_ns;
    return *out >= 0;
}

/* --- record sources --------------------------------------------------------------------------- */

static bool problem_about(const ps_problems *problems, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < ps_problems_count(problems); i++) {
        const char *p = ps_problems_at(problems, i)->message;
        if (strncmp(p, key, n) == 0 && p[n] == ':')
            return true;
    }
    return false;
}

/* The record's time; false, with *why (g_free it), when it cannot be a record. */
static bool record_time(input *in, const GString *payload, int64_t *ts, char **why)
{
    if (in->kind == SRC_TRACEE) {
        uint64_t ns;
        ps_problems problems = {0};
        bool ok = tracee_event_timestamp(payload->str, payload->len, &ns, &problems);
        if (ok)
            *ts = (int64_t)ns;
        else
            *why = g_strdup(ps_problems_first(&problems)->message);
        ps_problems_clear(&problems);
        return ok;
    }
    nettcp_row row;
    bool ok = nettcp_row_decode(payload->str, payload->len, &row);
    if (!ok) {
        *why = g_strdup(ps_problems_first(&row.problems)->message);
    } else if (!row.has[NETTCP_LOCAL_ADDRESS] && !row.has[NETTCP_OWNING_PROCESS] &&
               !problem_about(&row.problems, "LocalAddress") && !problem_about(&row.problems, "OwningProcess")) {
        *why = g_strdup("neither LocalAddress nor OwningProcess: not a Get-NetTCPConnection row");
        ok = false;
    } else {
        *ts = in->snapshot_ns;
    }
    nettcp_row_clear(&row);
    return ok;
}

/* Reads until one record is buffered, one is rejected, or the input ends. */
static void read_text(input *in)
{
    text_item item;
    text_status s = text_reader_next(in->text, &item);
    switch (s) {
    case TEXT_END:
        in->eof = true;
        if (!text_reader_saw_content(in->text) && in->read == 0)
            report_empty(in);
        return;
    case TEXT_IO_ERROR:
        die(PROGRAM ": %s: %s", item.where, item.reason);
    case TEXT_REJECT:
        in->read++;
        rejected(in, "%s: %s", item.where, item.reason);
        if (item.fatal)
            in->eof = true;
        return;
    case TEXT_RECORD:
        break;
    }
    in->read++;
    int64_t ts = 0;
    char *why = NULL;
    if (!record_time(in, item.payload, &ts, &why)) {
        rejected(in, "%s: %s", item.where, why);
        g_free(why);
        return;
    }
    int64_t out_ts;
    if (!shifted(in, ts, &out_ts)) {
        rejected(in, "%s: the time stamp plus --time-shift falls outside 1970 to 2262", item.where);
        return;
    }
    GByteArray *frame = upper_pdu_frame(in->dissector, (const uint8_t *)item.payload->str, item.payload->len);
    pending *p = g_new0(pending, 1);
    p->ts = out_ts;
    p->len = frame->len;
    p->data = g_byte_array_free(frame, FALSE);
    buffer_record(in, p);
}

/* --- Windows .etl traces --------------------------------------------------------------------- */

static void read_etl(input *in)
{
    etl_item item;
    switch (etl_input_next(in->etl, &item)) {
    case ETL_ITEM_END:
        in->eof = true;
        return;
    case ETL_ITEM_IO_ERROR:
        die(PROGRAM ": %s", item.reason);
    case ETL_ITEM_REJECT:
        in->read++;
        rejected(in, "%s: %s", item.where, item.reason);
        return;
    case ETL_ITEM_RECORD:
    case ETL_ITEM_PACKET:
        break;
    }
    in->read++;
    int64_t out_ts;
    if (!shifted(in, item.ts_ns, &out_ts)) {
        rejected(in, "%s: an event whose time stamp plus --time-shift falls outside 1970 to 2262", in->name);
        return;
    }
    if (!item.comment) {
        pending *p = record_pending(item.len);
        p->ts = out_ts;
        p->len = item.len;
        memcpy(p->data, item.data, item.len);
        buffer_record(in, p);
        return;
    }
    pending *p = capture_pending(item.len);
    wtap_rec *rec = p->rec;
    ps_wtap_rec_move_header(rec, NULL);
    rec->rec_type = REC_TYPE_PACKET;
    rec->presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN | WTAP_HAS_INTERFACE_ID;
    rec->tsprec = WTAP_TSPREC_NSEC;
    rec->ts.secs = (time_t)(out_ts / NS_PER_S);
    rec->ts.nsecs = (int)(out_ts % NS_PER_S);
    rec->rec_header.packet_header.caplen = (guint32)item.len;
    rec->rec_header.packet_header.len = (guint32)item.len;
    rec->rec_header.packet_header.pkt_encap = etl_input_interface(in->etl, item.iface)->wtap_encap;
    rec->rec_header.packet_header.interface_id = item.iface; /* the reader's; mapped when written */
    rec->block = wtap_block_create(WTAP_BLOCK_PACKET);
    if (item.epb_flags)
        wtap_block_add_uint32_option(rec->block, OPT_PKT_FLAGS, item.epb_flags);
    wtap_block_add_string_option(rec->block, OPT_COMMENT, item.comment, strlen(item.comment));
    p->ts = out_ts;
    p->len = item.len;
    p->number = in->read;
    p->offset = -1;
    memcpy(p->data, item.data, item.len);
    buffer_record(in, p);
}

/* Output interface of a frame from an ETL trace: made when first used. */
static unsigned etl_packet_interface(input *in, unsigned reader_iface)
{
    while (in->etl_ifaces->len <= reader_iface) {
        unsigned none = UINT_MAX;
        g_array_append_val(in->etl_ifaces, none);
    }
    unsigned *id = &g_array_index(in->etl_ifaces, unsigned, reader_iface);
    if (*id == UINT_MAX) {
        const etl_interface *e = etl_input_interface(in->etl, reader_iface);
        const pcapng_interface iface = {e->wtap_encap, e->name, e->description};
        wtap_block_t idb = pcapng_interface_block(&iface);
        char *error = NULL;
        bool ok = pcapng_writer_add_interface(im.writer, idb, id, &error);
        wtap_block_unref(idb);
        if (!ok)
            die(PROGRAM ": %s: %s", im.out_path, error);
    }
    return *id;
}

/* --- packet captures -------------------------------------------------------------------------- */

static GArray *section_ids(input *in, guint section)
{
    while (in->sections->len <= section)
        g_ptr_array_add(in->sections, g_array_new(FALSE, FALSE, sizeof(unsigned)));
    return in->sections->pdata[section];
}

/* Interfaces the capture described since the last call: into the output at once when it is open,
 * else kept for its opening. They belong to the section of the record just read. */
static void collect_interfaces(input *in, guint section)
{
    wtap_block_t idb;
    while ((idb = wtap_get_next_interface_description(in->wth)) != NULL) {
        if (im.writer) {
            unsigned id;
            char *error = NULL;
            if (!pcapng_writer_add_interface(im.writer, idb, &id, &error))
                die(PROGRAM ": %s: %s", im.out_path, error);
            g_array_append_val(section_ids(in, section), id);
        } else {
            g_ptr_array_add(in->new_idbs, idb);
            g_array_append_val(in->new_idb_sections, section);
        }
    }
}

static size_t record_data_len(const wtap_rec *rec)
{
    switch (rec->rec_type) {
    case REC_TYPE_PACKET: return rec->rec_header.packet_header.caplen;
    case REC_TYPE_FT_SPECIFIC_EVENT:
    case REC_TYPE_FT_SPECIFIC_REPORT: return rec->rec_header.ft_specific_header.record_len;
    case REC_TYPE_SYSCALL: return ps_wtap_syscall_len(rec);
    case REC_TYPE_SYSTEMD_JOURNAL_EXPORT: return rec->rec_header.systemd_journal_export_header.record_len;
    case REC_TYPE_CUSTOM_BLOCK: return rec->rec_header.custom_block_header.length;
    default: return 0;
    }
}

static void read_capture(input *in)
{
    int err = 0;
    gchar *err_info = NULL;
    int64_t offset = -1;
    if (!ps_wtap_read(in->wth, &im.read, &err, &err_info, &offset)) {
        in->eof = true;
        collect_interfaces(in, in->cur_section); /* interfaces after the last record */
        if (err == 0 && in->records_seen == 0 && wtap_read_so_far(in->wth) <= 0)
            report_empty(in); /* a pipe that held nothing (an empty file was found when opened) */
        if (err == 0)
            return;
        char *why = wtap_message(err, err_info);
        if (err == WTAP_ERR_SHORT_READ) {
            char *more = g_strconcat(why, " (the file ends inside this record: a truncated file?)", NULL);
            g_free(why);
            why = more;
        }
        if (offset < 0)
            offset = wtap_read_so_far(in->wth);
        in->records_seen++;
        in->read++;
        if (err > 0) /* errno: the file could not be read */
            die(PROGRAM ": %s: record %" PRIu64 " at byte %" PRId64 ": %s", in->name, in->records_seen, offset, why);
        rejected(in, "%s: record %" PRIu64 " at byte %" PRId64 ": %s", in->name, in->records_seen, offset, why);
        g_free(why);
        return;
    }
    in->records_seen++;
    in->read++;
    wtap_rec *rec = &im.read.rec;
    if ((rec->presence_flags & WTAP_HAS_SECTION_NUMBER) && rec->section_number > in->cur_section)
        in->cur_section = rec->section_number;
    collect_interfaces(in, in->cur_section);

    int64_t ts = in->prev_ts;
    if (rec->presence_flags & WTAP_HAS_TS) {
        if (rec->ts.secs > INT64_MAX / NS_PER_S - 1 || rec->ts.secs < INT64_MIN / NS_PER_S + 1)
            ts = -1;
        else
            ts = (int64_t)rec->ts.secs * NS_PER_S + rec->ts.nsecs;
    }
    int64_t out_ts;
    if (ts < 0 || !shifted(in, ts, &out_ts)) {
        wtap_rec_reset(rec);
        rejected(in, "%s: record %" PRIu64 " at byte %" PRId64 ": its time stamp%s falls outside 1970 to 2262", in->name,
                 in->records_seen, offset, in->shift_ns ? " plus --time-shift" : "");
        return;
    }
    in->prev_ts = ts;
    size_t len = record_data_len(rec);
    pending *p = capture_pending(len);
    p->ts = out_ts;
    p->number = in->records_seen;
    p->offset = offset;
    ps_wtap_rec_move_header(p->rec, rec); /* the block (comments, flags ...) moves with the record */
    if ((rec->presence_flags & WTAP_HAS_TS) && in->shift_ns) {
        p->rec->ts.secs = (time_t)(out_ts / NS_PER_S);
        p->rec->ts.nsecs = (int)(out_ts % NS_PER_S);
    }
    p->len = len;
    if (len)
        memcpy(p->data, ws_buffer_start_ptr(ps_wtap_record_buffer(&im.read)), len);
    buffer_record(in, p);
}

/* --- writing ---------------------------------------------------------------------------------- */

/* Output interface of a packet: its capture's interface, or one made for a link type that came
 * without one. */
static bool packet_interface(input *in, const wtap_rec *rec, unsigned *id)
{
    int encap = rec->rec_header.packet_header.pkt_encap;
    guint section = (rec->presence_flags & WTAP_HAS_SECTION_NUMBER) ? rec->section_number : 0;
    guint local = (rec->presence_flags & WTAP_HAS_INTERFACE_ID) ? rec->rec_header.packet_header.interface_id : 0;
    if (section < in->sections->len) {
        GArray *ids = in->sections->pdata[section];
        if (local < ids->len && pcapng_writer_interface_encap(im.writer, g_array_index(ids, unsigned, local)) == encap) {
            *id = g_array_index(ids, unsigned, local);
            return true;
        }
    }
    for (guint i = 0; i < in->synth->len; i++) {
        if (g_array_index(in->synth, synth_iface, i).encap == encap) {
            *id = g_array_index(in->synth, synth_iface, i).id;
            return true;
        }
    }
    char *base = g_path_get_basename(in->path);
    char *description = g_strdup_printf("packets from %s", in->name);
    const pcapng_interface iface = {encap, base, description};
    wtap_block_t idb = pcapng_interface_block(&iface);
    char *error = NULL;
    bool ok = pcapng_writer_add_interface(im.writer, idb, id, &error);
    wtap_block_unref(idb);
    g_free(base);
    g_free(description);
    if (!ok)
        die(PROGRAM ": %s: %s", im.out_path, error);
    synth_iface s = {encap, *id};
    g_array_append_val(in->synth, s);
    return true;
}

static void write_record(pending *p)
{
    input *in = im.inputs->pdata[p->input];
    char *error = NULL;
    if (!p->rec) {
        if (!pcapng_writer_write(im.writer, in->out_iface, p->ts, p->data, p->len, NULL, &error))
            die(PROGRAM ": %s: %s", im.out_path, error);
    } else {
        if (p->rec->rec_type == REC_TYPE_PACKET) {
            unsigned id;
            if (in->etl)
                id = etl_packet_interface(in, p->rec->rec_header.packet_header.interface_id);
            else
                packet_interface(in, p->rec, &id);
            p->rec->rec_header.packet_header.interface_id = id;
            p->rec->presence_flags |= WTAP_HAS_INTERFACE_ID;
        }
        switch (pcapng_writer_write_rec(im.writer, p->rec, p->data, p->len, &error)) {
        case PCAPNG_WRITE_OK:
            break;
        case PCAPNG_WRITE_REJECTED:
            rejected(in, "%s: record %" PRIu64 " at byte %" PRId64 ": cannot be written to pcapng: %s", in->name,
                     p->number, p->offset, error);
            g_free(error);
            return;
        case PCAPNG_WRITE_FAILED:
            die(PROGRAM ": %s: %s", im.out_path, error);
        }
    }
    in->written++;
    im.written++;
    if (!im.any_written || p->ts > im.high_water)
        im.high_water = p->ts;
    im.any_written = true;
}

/* Reads until the input's reorder buffer is full or the input ends. */
static void fill(input *in)
{
    const unsigned limit = in->wth ? REORDER_CAPTURE_RECORDS
                           : in->etl ? (etl_input_time_ordered(in->etl) ? REORDER_CAPTURE_RECORDS : REORDER_ETL_RECORDS)
                                     : REORDER_RECORDS;
    while (!in->eof && in->buffered < limit && in->buffered_bytes < REORDER_BYTES) {
        if (in->text)
            read_text(in);
        else if (in->etl)
            read_etl(in);
        else if (in->wth)
            read_capture(in);
        else
            in->eof = true;
    }
}

/* The interface of an input's records, named after its file; its id in the output. */
static unsigned record_interface(const input *in, int encap, const char *description, GPtrArray *own, GArray *idbs)
{
    char *base = in->is_stdin ? g_strdup("stdin") : g_path_get_basename(in->path);
    const pcapng_interface iface = {encap, base, description};
    wtap_block_t idb = pcapng_interface_block(&iface);
    g_ptr_array_add(own, idb);
    g_array_append_val(idbs, idb);
    g_free(base);
    return idbs->len - 1;
}

static void open_output(void)
{
    GArray *idbs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    GPtrArray *own = g_ptr_array_new_with_free_func((GDestroyNotify)wtap_block_unref);
    for (guint i = 0; i < im.inputs->len; i++) {
        input *in = im.inputs->pdata[i];
        if (in->wth) {
            for (guint k = 0; k < in->new_idbs->len; k++) {
                wtap_block_t idb = in->new_idbs->pdata[k];
                unsigned id = idbs->len;
                g_array_append_val(idbs, idb);
                g_array_append_val(section_ids(in, g_array_index(in->new_idb_sections, guint, k)), id);
            }
            g_ptr_array_set_size(in->new_idbs, 0);
            g_array_set_size(in->new_idb_sections, 0);
        } else if (in->etl) {
            const etl_trace_info *t = etl_input_trace(in->etl);
            char *description = g_strdup_printf("ETW events from %s (logger %s, Windows build %" PRIu32 ")",
                                                in->is_stdin ? "standard input" : in->path,
                                                t->logger_name[0] ? t->logger_name : "unnamed", t->provider_version);
            in->out_iface = record_interface(in, WTAP_ENCAP_ETW, description, own, idbs);
            g_free(description);
        } else if (in->dissector) {
            char *description = g_strdup_printf(in->kind == SRC_TRACEE ? "tracee events from %s"
                                                                         : "Get-NetTCPConnection rows from %s",
                                                in->is_stdin ? "standard input" : in->path);
            in->out_iface = record_interface(in, WTAP_ENCAP_WIRESHARK_UPPER_PDU, description, own, idbs);
            g_free(description);
        }
    }
    if (idbs->len == 0) {
        /* Captures without interfaces (yet): pcapng needs one. */
        const pcapng_interface iface = {WTAP_ENCAP_WIRESHARK_UPPER_PDU, PROGRAM, "no interfaces in the inputs"};
        wtap_block_t idb = pcapng_interface_block(&iface);
        g_ptr_array_add(own, idb);
        g_array_append_val(idbs, idb);
    }
    g_ptr_array_add(im.shb_comments, NULL);
    char *error = NULL;
    int fd = im.tmp_fd;
    im.tmp_fd = -1; /* the writer closes it, on failure too */
    im.writer = pcapng_writer_fdopen(fd, im.out_path, idbs, (const char *const *)im.shb_comments->pdata, im.dsbs,
                                     PROGRAM " " PROCSHARK_VERSION, &error);
    g_array_free(idbs, TRUE);
    g_ptr_array_free(own, TRUE);
    if (!im.writer)
        die(PROGRAM ": %s", error);
}

static void finish_output(void)
{
    char *error = NULL;
    bool ok = pcapng_writer_close(im.writer, &error);
    im.writer = NULL;
    if (!ok)
        die(PROGRAM ": %s: %s", im.out_path, error);
    if (im.out_mode == OUT_STREAM)
        return;
    int fd = open(im.tmp_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        die(PROGRAM ": %s: %s", im.out_path, g_strerror(errno));
    close(fd);
    if (rename(im.tmp_path, im.target) != 0)
        die(PROGRAM ": %s: cannot rename %s to it: %s", im.target, im.tmp_path, g_strerror(errno));
    tmp_path_for_signals[0] = '\0';
    char *dir = g_path_get_dirname(im.target);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    g_free(dir);
}

/* A new file's folder must exist. */
static void check_folder(const char *path, const char *target)
{
    char *dir = g_path_get_dirname(target);
    struct stat st;
    if (stat(dir, &st) != 0)
        die(PROGRAM ": %s: its folder %s: %s", path, dir, g_strerror(errno));
    if (!S_ISDIR(st.st_mode))
        die(PROGRAM ": %s: %s is not a folder", path, dir);
    g_free(dir);
}

/* The file a dangling symbolic link names (links followed, relative ones from their folder); NULL
 * for a loop. */
static char *link_target(const char *path)
{
    char *p = g_strdup(path);
    for (int hops = 0; hops < 40; hops++) {
        struct stat st;
        if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
            return p;
        char *to = g_file_read_link(p, NULL);
        if (!to)
            break;
        if (!g_path_is_absolute(to)) {
            char *dir = g_path_get_dirname(p);
            char *joined = g_build_filename(dir, to, NULL);
            g_free(dir);
            g_free(to);
            to = joined;
        }
        g_free(p);
        p = to;
    }
    g_free(p);
    return NULL;
}

/* What -o names decides how it is written; anything else is refused before any input is read. */
static void classify_output(void)
{
    const char *path = im.out_path;
    if (!*path)
        usage_error("-o '': the output needs a path");
    if (strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO))
            usage_error("-o -: standard output is a terminal; pcapng is binary: redirect it or pipe it to tshark -r -");
        im.out_mode = OUT_STREAM;
        return;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            die(PROGRAM ": %s: %s", path, g_strerror(errno));
        im.out_mode = OUT_REPLACE;
        im.target = g_strdup(path);
        check_folder(path, im.target);
        return;
    }
    if (S_ISLNK(st.st_mode)) { /* followed: what it points to is what is written */
        if (stat(path, &st) != 0 && errno == ENOENT) { /* the link names a file still to be made */
            char *target = link_target(path);
            if (!target)
                die(PROGRAM ": %s: a chain of symbolic links that does not end", path);
            im.out_mode = OUT_REPLACE;
            im.target = target;
            check_folder(path, im.target);
            return;
        }
        if (stat(path, &st) != 0)
            die(PROGRAM ": %s: %s", path, g_strerror(errno));
        char *real = realpath(path, NULL);
        if (!real)
            die(PROGRAM ": %s: %s", path, g_strerror(errno));
        im.target = g_strdup(real);
        free(real);
    } else {
        im.target = g_strdup(path);
    }
    if (S_ISREG(st.st_mode)) {
        im.out_mode = OUT_REPLACE;
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        im.out_mode = OUT_STREAM;
    } else {
        die(PROGRAM ": %s: is %s: write to a file, a FIFO, a character device or - (standard output)", path,
            S_ISDIR(st.st_mode) ? "a folder" : S_ISSOCK(st.st_mode) ? "a socket"
                                : S_ISBLK(st.st_mode) ? "a block device" : "not a file");
    }
    for (guint i = 0; i < im.inputs->len; i++) {
        const input *in = im.inputs->pdata[i];
        struct stat ist;
        if (!in->is_stdin && stat(in->path, &ist) == 0 && S_ISREG(ist.st_mode) && ist.st_dev == st.st_dev &&
            ist.st_ino == st.st_ino)
            usage_error("-o %s: is also the input %s: refusing to write over an input", path, in->name);
    }
}

/* The temporaries of one output: ".psimport-HASH-PID-XXXXXX", HASH of the output's name. Short, so
 * that any legal file name has room for them. */
#define TEMP_PREFIX ".psimport-"

static char *temporary_stem(const char *base)
{
    guint32 hash = 2166136261u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)base; *c; c++)
        hash = (hash ^ *c) * 16777619u;
    return g_strdup_printf(TEMP_PREFIX "%08" G_GINT32_MODIFIER "x-", hash);
}

/* Temporaries of this output left by runs that were killed (SIGKILL, a power cut): no process holds
 * their lock, and their process is gone. */
static void remove_stale_temporaries(const char *dir, const char *stem)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_prefix(name, stem))
            continue;
        char *end = NULL;
        long pid = strtol(name + strlen(stem), &end, 10);
        if (pid <= 0 || !end || *end != '-' || strlen(end) != 7 || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *path = g_build_filename(dir, name, NULL);
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            unlink(path) == 0)
            message(PROGRAM ": removed %s, left by a run that was killed (pid %ld)", path, pid);
        if (fd >= 0)
            close(fd);
        g_free(path);
    }
    g_dir_close(d);
}

/* OUT_REPLACE: a temporary file beside the target (same file system, so rename() is atomic), locked
 * while this run lives. OUT_STREAM: the stream, opened. */
static void create_output(void)
{
    if (im.out_mode == OUT_STREAM) {
        im.tmp_fd = strcmp(im.out_path, "-") == 0 ? STDOUT_FILENO : open(im.target, O_WRONLY | O_CLOEXEC);
        if (im.tmp_fd < 0)
            die(PROGRAM ": %s: cannot open: %s", im.out_path, g_strerror(errno));
        return;
    }
    char *dir = g_path_get_dirname(im.target);
    char *base = g_path_get_basename(im.target);
    char *stem = temporary_stem(base);
    remove_stale_temporaries(dir, stem);
    char *name = g_strdup_printf("%s%ld-XXXXXX", stem, (long)getpid());
    im.tmp_path = g_build_filename(dir, name, NULL);
    g_free(name);
    g_free(stem);
    g_free(base);
    if (strlen(im.tmp_path) >= sizeof tmp_path_for_signals)
        die(PROGRAM ": %s: the path is too long", im.out_path);
    /* Signals are blocked while the name is set, so a signal never leaves the file behind. */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    im.tmp_fd = mkostemp(im.tmp_path, O_CLOEXEC);
    int saved = errno;
    if (im.tmp_fd >= 0) {
        memcpy(tmp_path_for_signals, im.tmp_path, strlen(im.tmp_path) + 1);
        flock(im.tmp_fd, LOCK_EX); /* held until the writer closes it: the file is not stale */
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (im.tmp_fd < 0)
        die(PROGRAM ": %s: cannot create a file in %s: %s", im.out_path, dir, g_strerror(saved));
    g_free(dir);
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(im.tmp_fd, 0666 & ~mask) != 0)
        die(PROGRAM ": %s: %s", im.tmp_path, g_strerror(errno));
}

/* --- main ------------------------------------------------------------------------------------- */

static void summary(void)
{
    guint n = im.inputs->len;
    message(PROGRAM ": wrote %" PRIu64 " record%s from %u input%s to %s", im.written, im.written == 1 ? "" : "s", n,
            n == 1 ? "" : "s", im.out_path);
    for (guint i = 0; i < n; i++) {
        const input *in = im.inputs->pdata[i];
        GString *line = g_string_new(NULL);
        g_string_append_printf(line, "  %s (%s): %" PRIu64 " read, %" PRIu64 " written, %" PRIu64 " rejected", in->name,
                               kind_names[in->kind], in->read, in->written, in->rejected);
        if (in->problem)
            g_string_append_printf(line, "; %s", in->problem);
        if (in->late)
            g_string_append_printf(line,
                                   "; %" PRIu64 " arrived later than its %u-record reorder buffer could reorder"
                                   " (written out of time order)",
                                   in->late,
                                   in->kind == SRC_PACKETS || (in->etl && etl_input_time_ordered(in->etl))
                                       ? REORDER_CAPTURE_RECORDS
                                   : in->kind == SRC_ETL ? REORDER_ETL_RECORDS
                                                         : REORDER_RECORDS);
        message("%s", line->str);
        if (in->etl) { /* a line of its own: message() escapes line breaks */
            const etl_input_stats *st = etl_input_stats_of(in->etl);
            g_string_printf(line, "    %" PRIu64 " buffers, %" PRIu64 " events: %" PRIu64 " ETW records, %" PRIu64
                            " frames from %" PRIu64 " NDIS packet fragments",
                            st->buffers, st->events, st->records, st->packets, st->packet_events);
            if (st->extended_items)
                g_string_append_printf(line, "; %" PRIu64 " extended data items (stacks, SIDs, TraceLogging schemas) "
                                       "left out: the 4.0 record has no place for them", st->extended_items);
            message("%s", line->str);
        }
        g_string_free(line, TRUE);
    }
}

int main(int argc, char **argv)
{
    im.inputs = g_ptr_array_new();
    im.heap = g_array_new(FALSE, FALSE, sizeof(heap_entry));
    im.pool = g_ptr_array_new_with_free_func((GDestroyNotify)free_pending);
    im.record_pool = g_ptr_array_new_with_free_func((GDestroyNotify)free_pending);
    im.dsbs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    im.shb_comments = g_ptr_array_new_with_free_func(g_free);
    im.tmp_fd = -1;
    GPtrArray *shifts = g_ptr_array_new();
    GPtrArray *snapshots = g_ptr_array_new();

    enum { OPT_PACKETS = 256, OPT_TRACEE, OPT_NETTCP, OPT_ETL, OPT_SHIFT, OPT_SNAPSHOT, OPT_STRICT, OPT_VERSION };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},        {"packets", required_argument, NULL, OPT_PACKETS},
        {"tracee", required_argument, NULL, OPT_TRACEE}, {"nettcp", required_argument, NULL, OPT_NETTCP},
        {"etl", required_argument, NULL, OPT_ETL},
        {"time-shift", required_argument, NULL, OPT_SHIFT},
        {"snapshot-time", required_argument, NULL, OPT_SNAPSHOT},
        {"strict", no_argument, NULL, OPT_STRICT},       {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},                {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int c;
    /* "-" first: file arguments come back in their place among the options (input order matters). */
    while ((c = getopt_long(argc, argv, "-:o:qh", options, NULL)) != -1) {
        switch (c) {
        case 1: add_input(optarg, SRC_UNKNOWN); break;
        case 'o': im.out_path = optarg; break;
        case OPT_PACKETS: add_input(optarg, SRC_PACKETS); break;
        case OPT_TRACEE: add_input(optarg, SRC_TRACEE); break;
        case OPT_NETTCP: add_input(optarg, SRC_NETTCP); break;
        case OPT_ETL: add_input(optarg, SRC_ETL); break;
        case OPT_SHIFT: {
            const char *eq = strrchr(optarg, '=');
            int64_t ns = 0;
            if (!eq || eq == optarg || !parse_seconds(eq + 1, &ns))
                usage_error("--time-shift %s: expected SOURCE=SECONDS, e.g. tracee=-3600 or packets=0.25", optarg);
            time_shift *s = g_new0(time_shift, 1);
            s->ns = ns;
            s->source = g_strndup(optarg, (gsize)(eq - optarg));
            g_ptr_array_add(shifts, s);
            break;
        }
        case OPT_SNAPSHOT: {
            const char *eq = strrchr(optarg, '=');
            const char *time_text = eq ? eq + 1 : optarg;
            int64_t ns = 0;
            if ((eq && eq == optarg) || !ps_time_parse_iso8601(time_text, &ns) || ns < 0)
                usage_error("--snapshot-time %s: expected an ISO 8601 time with a zone after 1970, e.g. "
                            "2024-03-01T12:00:00Z or 2024-03-01T13:00:00+01:00 (optionally FILE=TIME)",
                            optarg);
            snapshot_time *s = g_new0(snapshot_time, 1);
            s->ns = ns;
            s->file = eq ? g_strndup(optarg, (gsize)(eq - optarg)) : NULL;
            g_ptr_array_add(snapshots, s);
            break;
        }
        case OPT_STRICT: im.strict = true; break;
        case 'q': im.quiet = true; break;
        case 'h': help(); return EXIT_ALL_WRITTEN;
        case OPT_VERSION: printf(PROGRAM " " PROCSHARK_VERSION "\n"); return EXIT_ALL_WRITTEN;
        case ':': usage_error("%s needs a value", argv[optind - 1]);
        default: usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    for (; optind < argc; optind++) /* after "--" */
        add_input(argv[optind], SRC_UNKNOWN);
    if (!im.out_path)
        usage_error("no output: give -o OUT.pcapng");
    if (im.inputs->len == 0)
        usage_error("no input");
    unsigned from_stdin = 0;
    for (guint i = 0; i < im.inputs->len; i++)
        from_stdin += ((input *)im.inputs->pdata[i])->is_stdin;
    if (from_stdin > 1)
        usage_error("standard input ('-') can be read only once");
    classify_output();

    pcapng_writer_init_library(PROGRAM);
    ps_wtap_record_init(&im.read, 1514);
    for (guint i = 0; i < im.inputs->len; i++)
        open_input(im.inputs->pdata[i]);

    /* Time shifts: by kind, or by file (its name as given, or the same file under another name). */
    for (guint k = 0; k < shifts->len; k++) {
        time_shift *s = shifts->pdata[k];
        struct stat st;
        bool by_file = stat(s->source, &st) == 0;
        for (guint i = 0; i < im.inputs->len; i++) {
            input *in = im.inputs->pdata[i];
            bool match = (in->kind != SRC_UNKNOWN && strcmp(s->source, kind_names[in->kind]) == 0) ||
                         (in->kind != SRC_UNKNOWN && strcmp(s->source, "tracee") != 0 &&
                          strcmp(s->source, "nettcp") != 0 && strcmp(s->source, "packets") != 0 &&
                          strcmp(s->source, "etl") != 0 &&
                          (strcmp(s->source, in->path) == 0 ||
                           (by_file && !in->is_stdin && st.st_dev == in->st.st_dev && st.st_ino == in->st.st_ino)));
            if (match) {
                if ((s->ns > 0 && in->shift_ns > INT64_MAX - s->ns) || (s->ns < 0 && in->shift_ns < INT64_MIN - s->ns))
                    usage_error("--time-shift: the shifts of %s add up to more than 292 years", in->name);
                in->shift_ns += s->ns;
                s->used = true;
            }
        }
        if (!s->used)
            usage_error("--time-shift %s: no input is %s", s->source, s->source);
    }
    /* Snapshot times of the Get-NetTCPConnection inputs. */
    for (guint i = 0; i < im.inputs->len; i++) {
        input *in = im.inputs->pdata[i];
        if (in->kind != SRC_NETTCP)
            continue;
        for (guint k = 0; k < snapshots->len; k++) {
            snapshot_time *s = snapshots->pdata[k];
            struct stat st;
            bool match = !s->file || strcmp(s->file, in->path) == 0 ||
                         (stat(s->file, &st) == 0 && !in->is_stdin && st.st_dev == in->st.st_dev &&
                          st.st_ino == in->st.st_ino);
            if (match) {
                in->snapshot_ns = s->ns; /* the last one given wins; a file's own beats the general one */
                in->snapshot_given = true;
                s->used = true;
                if (s->file)
                    break;
            }
        }
        if (!in->snapshot_given) {
            if (!S_ISREG(in->st.st_mode))
                usage_error("%s is not a file, so it has no modification time: give --snapshot-time", in->name);
            in->snapshot_ns = (int64_t)in->st.st_mtim.tv_sec * NS_PER_S + in->st.st_mtim.tv_nsec;
        }
    }
    for (guint k = 0; k < snapshots->len; k++) {
        snapshot_time *s = snapshots->pdata[k];
        if (!s->used)
            usage_error("--snapshot-time %s: no Get-NetTCPConnection input %s", s->file ? s->file : "",
                        s->file ? "has that name" : "was given");
    }

    catch_signals();
    create_output();

    im.progress_tty = !im.quiet && isatty(STDERR_FILENO);
    im.start_us = g_get_monotonic_time();

    /* Empty inputs are reported, and need no reading. */
    for (guint i = 0; i < im.inputs->len; i++) {
        input *in = im.inputs->pdata[i];
        if (in->empty)
            report_empty(in);
    }
    for (guint i = 0; i < im.inputs->len; i++)
        fill(im.inputs->pdata[i]);
    open_output();
    while (im.heap->len) {
        pending *p = heap_pop();
        input *in = im.inputs->pdata[p->input];
        in->buffered--;
        in->buffered_bytes -= p->len;
        write_record(p);
        release_pending(p);
        fill(in);
        progress(false);
    }
    for (guint i = 0; i < im.inputs->len; i++) { /* interfaces no record used */
        input *in = im.inputs->pdata[i];
        if (in->wth)
            collect_interfaces(in, in->cur_section);
    }
    finish_output();
    clear_progress();

    bool all = true;
    for (guint i = 0; i < im.inputs->len; i++) {
        const input *in = im.inputs->pdata[i];
        all &= in->rejected == 0 && !in->problem;
    }
    if (!im.quiet)
        summary();

    /* Tidy up (for leak checkers). */
    for (guint i = 0; i < im.inputs->len; i++) {
        input *in = im.inputs->pdata[i];
        text_reader_free(in->text);
        etl_input_free(in->etl);
        if (in->etl_ifaces)
            g_array_free(in->etl_ifaces, TRUE);
        if (in->fd > STDIN_FILENO)
            close(in->fd);
        if (in->wth) {
            wtap_close(in->wth);
            g_ptr_array_free(in->new_idbs, TRUE);
            g_array_free(in->new_idb_sections, TRUE);
            for (guint s = 0; s < in->sections->len; s++)
                g_array_free(in->sections->pdata[s], TRUE);
            g_ptr_array_free(in->sections, TRUE);
            g_array_free(in->synth, TRUE);
        }
        g_free(in->path);
        g_free(in->name);
        g_free(in->problem);
        g_free(in);
    }
    g_ptr_array_free(im.inputs, TRUE);
    g_array_free(im.heap, TRUE);
    g_ptr_array_free(im.pool, TRUE);
    g_ptr_array_free(im.record_pool, TRUE);
    wtap_block_array_free(im.dsbs);
    g_ptr_array_free(im.shb_comments, TRUE);
    for (guint k = 0; k < shifts->len; k++) {
        time_shift *s = shifts->pdata[k];
        g_free(s->source);
        g_free(s);
    }
    g_ptr_array_free(shifts, TRUE);
    for (guint k = 0; k < snapshots->len; k++) {
        snapshot_time *s = snapshots->pdata[k];
        g_free(s->file);
        g_free(s);
    }
    g_ptr_array_free(snapshots, TRUE);
    ps_wtap_record_cleanup(&im.read);
    g_free(im.tmp_path);
    g_free(im.target);
    wtap_cleanup();
    return all ? EXIT_ALL_WRITTEN : EXIT_SOME_REJECTED;
}
