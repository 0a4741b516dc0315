/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import: tracee events, Get-NetTCPConnection rows, Windows .etl traces, procshark-record events and
 * packet captures into one pcapng file, in time order, for Wireshark/tshark with the procshark plugin
 * (docs/IMPORT.md).
 *
 * This file is the driver: options, the output contract, the merge and the summary; each kind of
 * input is an input_<kind>.c behind the table input_kinds (input.h). Each input is a stream read
 * incrementally; a bounded reorder buffer per input (its kind's size in records, or REORDER_BYTES
 * bytes) sorts inputs that are only roughly in time order, and a k-way merge of the buffers writes
 * the output. Every record is written or reported; a file output appears under its name only when
 * complete (a temporary file in its folder, then rename); a pipe or a device is written through
 * (docs/IMPORT.md, "The output contract").
 *
 * --annotate CAPTURE copies one capture through the same reading and writing, each packet's
 * attribution (from tshark with the plugin, run first) in a comment of its own (docs/FORMATS.md
 * section 9). */
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
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "etl_file.h"
#include "input.h"
#include "pcapng_writer.h"
#include "proc_annotation.h"
#include "ps_text.h"
#include "ps_time.h"
#include "text_input.h"
#include "ws_compat.h"

#ifndef PROCSHARK_VERSION
#define PROCSHARK_VERSION "unknown"
#endif

#define REORDER_BYTES ((size_t)64 << 20)

enum { EXIT_ALL_WRITTEN = 0, EXIT_SOME_REJECTED = 1, EXIT_ERROR = 2 };

/* The kinds of input, in the order a file given without one is tried: captures, which wiretap
 * recognises among many formats, last. */
static const input_kind *const input_kinds[] = {&input_etl, &input_tracee, &input_nettcp, &input_procrec,
                                                &input_packets};

typedef struct {
    char *source;
    int64_t ns;
    bool used;
} time_shift;

/* Entries hold their sort keys: comparing them touches no record. */
typedef struct {
    int64_t ts;
    uint64_t order; /* input index, then order within the input: stable for equal times */
    pending *p;
} queue_entry;

/* Records come out earliest first. Inputs are mostly in time order already, so a record that is
 * not before the last one of the run joins the run (a FIFO, in order as it is built), and only
 * the others go into a binary heap; the earliest record is the earlier of the run's first and the
 * heap's top. A trace in time order costs no heap operation (they took a quarter of an .etl
 * conversion's time). */
typedef struct {
    GArray *heap;     /* queue_entry, a binary min-heap */
    queue_entry *run; /* a ring of `capacity` entries (a power of two), `len` of them from `head` */
    size_t capacity, head, len;
} reorder_queue;

/* Where the output goes (docs/IMPORT.md, "The output contract"). */
typedef enum {
    OUT_REPLACE, /* a regular file or a new path: a temporary file beside it, renamed over it when complete */
    OUT_STREAM,  /* standard output, a FIFO or a character device: written through as it is made */
} output_mode;

struct importer {
    /* the command line */
    GPtrArray *inputs;
    const char *out_path; /* as given */
    GPtrArray *shifts;    /* time_shift */
    GPtrArray *snapshots; /* snapshot_time */
    bool strict, quiet, all_appearances;
    bool annotate;        /* --annotate: the only input is the capture to copy */
    /* the output */
    char *target;         /* OUT_REPLACE: the file the temporary is renamed to (a symlink's target) */
    output_mode out_mode;
    char *tmp_path;
    int tmp_fd;           /* the temporary (OUT_REPLACE) or the stream, until the writer takes it */
    pcapng_writer *writer;
    GArray *dsbs; /* wtap_block_t: decryption secrets of the captures, written as they come */
    GPtrArray *shb_comments;
    /* the merge */
    reorder_queue queue;
    GPtrArray *pool; /* written capture records, kept to be filled again: no allocation per packet */
    GPtrArray *record_pool; /* the same for ETL records */
    int64_t high_water; /* the latest time stamp written */
    bool any_written;
    uint64_t written;
    /* --annotate: per frame of the capture (index frame - 1), its annotation or NULL */
    GPtrArray *annotations;
    guint tshark_frames;  /* the frames tshark printed */
    char *tshark_failure; /* tshark's failure, reported once the copy has read what it can */
    uint64_t annotated;
    /* the progress line */
    bool progress_tty;
    bool progress_shown;
    gint64 start_us, last_progress_us;
};

/* The temporary output, removed on every way out but success. The run's only file-scope state,
 * with previous_actions: a signal handler can reach nothing else. */
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

static void clear_progress(importer *im)
{
    if (im->progress_shown) {
        fputs("\r\033[K", stderr);
        im->progress_shown = false;
    }
}

/* One line on standard error, the progress line cleared first. Record text and file names in it
 * come from elsewhere: control characters are shown escaped. */
static void G_GNUC_PRINTF(2, 0) vmessage(importer *im, const char *fmt, va_list ap)
{
    clear_progress(im);
    char *text = g_strdup_vprintf(fmt, ap);
    GString *line = g_string_sized_new(strlen(text) + 1);
    ps_text_escape(line, text, -1);
    g_string_append_c(line, '\n');
    fputs(line->str, stderr);
    g_string_free(line, TRUE);
    g_free(text);
}

void importer_message(importer *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(im, fmt, ap);
    va_end(ap);
}

/* The input kinds' options, as input_kinds[] lists them: "[--etl FILE]... [--tracee FILE]...". */
static void print_usage(FILE *to)
{
    fputs("usage: " PROGRAM " -o OUT.pcapng", to);
    for (size_t k = 0; k < G_N_ELEMENTS(input_kinds); k++)
        fprintf(to, " [--%s %s]...", input_kind_name(input_kinds[k]), input_kinds[k]->argument);
    fputs(" [FILE]...\n", to);
    fputs("       " PROGRAM " --annotate CAPTURE -o OUT.pcapng\n", to);
}

static void usage_short(void)
{
    print_usage(stderr);
    fputs("Try '" PROGRAM " --help'.\n", stderr);
}

/* One option of --help: its text beside it, or under it when the option is longer than the column,
 * each further line of the text under the first. */
static void print_option(const char *option, const char *text)
{
    enum { COLUMN = 28 };
    printf("  %s", option);
    const int used = 2 + (int)strlen(option);
    if (used > COLUMN - 2)
        printf("\n%*s", COLUMN, "");
    else
        printf("%*s", COLUMN - used, "");
    for (const char *line = text; *line;) {
        const size_t len = strcspn(line, "\n");
        printf("%.*s\n", (int)len, line);
        line += len;
        if (*line == '\n' && *++line)
            printf("%*s", COLUMN, "");
    }
}

static void help(void)
{
    print_usage(stdout);
    printf("\n"
           "Puts the records of the inputs below and packet captures into one pcapng file, in time order,\n"
           "for Wireshark or tshark with the procshark plugin.\n"
           "\n"
           "  -o, --output OUT.pcapng   the capture to write: a file appears (or is replaced) only when\n"
           "                            complete; '-', a FIFO or a character device is written through\n");
    GString *sources = g_string_new(NULL);
    for (size_t k = 0; k < G_N_ELEMENTS(input_kinds); k++) {
        char *option = g_strdup_printf("--%s %s", input_kind_name(input_kinds[k]), input_kinds[k]->argument);
        print_option(option, input_kinds[k]->help);
        g_free(option);
        g_string_append_printf(sources, "%s, ", input_kind_name(input_kinds[k]));
    }
    printf("  FILE                      any of the above, recognised by its content\n"
           "  --time-shift SOURCE=SECONDS\n"
           "                            add SECONDS (e.g. -3600, 0.25) to the time stamps of SOURCE:\n"
           "                            %sor one input file; may repeat\n",
           sources->str);
    g_string_free(sources, TRUE);
    printf(           "  --snapshot-time [FILE=]TIME\n"
           "                            when Get-NetTCPConnection or Get-NetUDPEndpoint ran (ISO 8601\n"
           "                            with a zone, e.g. 2024-03-01T12:00:00Z); default: the file's\n"
           "                            modification time\n"
           "  --all-appearances         pktmon: write a packet at every component that saw it, not\n"
           "                            only where it first appeared\n"
           "  --annotate CAPTURE        no merge: OUT is a copy of CAPTURE with each packet's process in a\n"
           "                            comment \"proc: SRC \xe2\x86\x92 DST\", from tshark with the procshark plugin\n"
           "                            (PROCSHARK_TSHARK, else tshark from PATH)\n"
           "  --strict                  stop at the first bad record, write nothing, exit 2\n"
           "  -q, --quiet               no summary\n"
           "  --version                 print the version\n"
           "\n"
           "Exit status: 0 all records written; 1 some rejected (each reported, the rest written);\n"
           "2 usage or I/O error, or a bad record with --strict (nothing written to a file).\n"
           "An input with no record (an empty file or pipe) counts as rejected: exit 1.\n");
}

static void progress(importer *im, bool force)
{
    if (!im->progress_tty)
        return;
    gint64 now = g_get_monotonic_time();
    if (!force && (now - im->start_us < G_USEC_PER_SEC || now - im->last_progress_us < G_USEC_PER_SEC / 5))
        return;
    im->last_progress_us = now;
    uint64_t done = 0, size = 0;
    bool sizes = true;
    for (guint i = 0; i < im->inputs->len; i++) {
        const input *in = im->inputs->pdata[i];
        if (!in->size) {
            sizes = false;
            continue;
        }
        size += in->size;
        if (in->eof)
            done += in->size;
        else if (in->kind->bytes_read)
            done += MIN(in->kind->bytes_read(in), in->size);
    }
    if (sizes && size)
        fprintf(stderr, "\r" PROGRAM ": %" PRIu64 " records written, %u%% read", im->written,
                (unsigned)(done * 100 / size));
    else
        fprintf(stderr, "\r" PROGRAM ": %" PRIu64 " records written", im->written);
    im->progress_shown = true;
}

/* --- leaving ---------------------------------------------------------------------------------- */

static G_GNUC_NORETURN void fail(importer *im)
{
    clear_progress(im);
    if (im->writer) {
        char *error = NULL;
        pcapng_writer_close(im->writer, &error);
        g_free(error);
        im->writer = NULL;
    } else if (im->tmp_fd >= 0) {
        close(im->tmp_fd);
    }
    remove_temporary();
    exit(EXIT_ERROR);
}

void importer_die(importer *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(im, fmt, ap);
    va_end(ap);
    fail(im);
}

void importer_usage_error(importer *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    importer_message(im, PROGRAM ": %s", text);
    g_free(text);
    usage_short();
    fail(im);
}

/* --strict ends the run at the first bad input or record: a file output is not written; a stream
 * keeps what it was sent. */
static G_GNUC_NORETURN void strict_stop(importer *im, const char *what)
{
    importer_die(im, PROGRAM ": %s: stopped at the first bad %s; %s",
                 im->annotate ? "--annotate copies every record" : "--strict", what,
                 im->out_mode == OUT_STREAM ? "what was written to the stream so far stays there" : "nothing written");
}

/* Whatever its kind, file or pipe. */
void importer_report_empty(importer *im, input *in)
{
    in->eof = true;
    in->problem = g_strdup("empty file");
    importer_message(im, "%s: empty file: no records", in->name);
    if (im->strict)
        strict_stop(im, "input");
}

void importer_rejected(importer *im, input *in, const char *fmt, ...)
{
    in->rejected++;
    va_list ap;
    va_start(ap, fmt);
    vmessage(im, fmt, ap);
    va_end(ap);
    if (im->strict) {
        strict_stop(im, "record");
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

/* kind NULL: to be recognised from its content. */
static void add_input(importer *im, const char *path, const input_kind *kind)
{
    input *in = g_new0(input, 1);
    in->index = im->inputs->len;
    in->kind = kind;
    in->path = g_strdup(path);
    in->is_stdin = strcmp(path, "-") == 0;
    in->name = g_strdup(in->is_stdin ? "(standard input)" : path);
    g_ptr_array_add(im->inputs, in);
}

static void add_time_shift(importer *im, const char *arg)
{
    const char *eq = strrchr(arg, '=');
    int64_t ns = 0;
    if (!eq || eq == arg || !parse_seconds(eq + 1, &ns))
        importer_usage_error(im, "--time-shift %s: expected SOURCE=SECONDS, e.g. tracee=-3600 or packets=0.25", arg);
    time_shift *s = g_new0(time_shift, 1);
    s->ns = ns;
    s->source = g_strndup(arg, (gsize)(eq - arg));
    g_ptr_array_add(im->shifts, s);
}

static void add_snapshot_time(importer *im, const char *arg)
{
    const char *eq = strrchr(arg, '=');
    const char *time_text = eq ? eq + 1 : arg;
    int64_t ns = 0;
    if ((eq && eq == arg) || !ps_time_parse_iso8601(time_text, &ns) || ns < 0)
        importer_usage_error(im, "--snapshot-time %s: expected an ISO 8601 time with a zone after 1970, e.g. "
                             "2024-03-01T12:00:00Z or 2024-03-01T13:00:00+01:00 (optionally FILE=TIME)",
                             arg);
    snapshot_time *s = g_new0(snapshot_time, 1);
    s->ns = ns;
    s->file = eq ? g_strndup(arg, (gsize)(eq - arg)) : NULL;
    g_ptr_array_add(im->snapshots, s);
}

/* The command line into im; false when it asked for --help or --version, which are printed. */
static bool parse_options(importer *im, int argc, char **argv)
{
    enum { OPT_SHIFT = 256, OPT_SNAPSHOT, OPT_STRICT, OPT_ALL_APPEARANCES, OPT_VERSION, OPT_ANNOTATE,
           OPT_KIND /* + the kind's index */ };
    static const struct option fixed[] = {
        {"output", required_argument, NULL, 'o'},
        {"time-shift", required_argument, NULL, OPT_SHIFT},
        {"snapshot-time", required_argument, NULL, OPT_SNAPSHOT},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"all-appearances", no_argument, NULL, OPT_ALL_APPEARANCES},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"annotate", required_argument, NULL, OPT_ANNOTATE},
    };
    const int kinds = (int)G_N_ELEMENTS(input_kinds);
    struct option options[G_N_ELEMENTS(fixed) + G_N_ELEMENTS(input_kinds) + 1];
    memcpy(options, fixed, sizeof fixed);
    for (int k = 0; k < kinds; k++)
        options[G_N_ELEMENTS(fixed) + k] =
            (struct option){input_kind_name(input_kinds[k]), required_argument, NULL, OPT_KIND + k};
    options[G_N_ELEMENTS(fixed) + kinds] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    int c;
    /* "-" first: file arguments come back in their place among the options (input order matters). */
    while ((c = getopt_long(argc, argv, "-:o:qh", options, NULL)) != -1) {
        switch (c) {
        case 1: add_input(im, optarg, NULL); break;
        case 'o': im->out_path = optarg; break;
        case OPT_SHIFT: add_time_shift(im, optarg); break;
        case OPT_SNAPSHOT: add_snapshot_time(im, optarg); break;
        case OPT_STRICT: im->strict = true; break;
        case OPT_ALL_APPEARANCES: im->all_appearances = true; break;
        case OPT_ANNOTATE:
            if (im->annotate)
                importer_usage_error(im, "--annotate takes one capture: give it once");
            im->annotate = true;
            add_input(im, optarg, &input_packets);
            break;
        case 'q': im->quiet = true; break;
        case 'h': help(); return false;
        case OPT_VERSION: printf(PROGRAM " " PROCSHARK_VERSION "\n"); return false;
        case ':': importer_usage_error(im, "%s needs a value", argv[optind - 1]);
        default:
            if (c < OPT_KIND || c >= OPT_KIND + kinds)
                importer_usage_error(im, "unknown option %s", argv[optind - 1]);
            add_input(im, optarg, input_kinds[c - OPT_KIND]);
        }
    }
    for (; optind < argc; optind++) /* after "--" */
        add_input(im, argv[optind], NULL);
    return true;
}

/* --- recognising a file ----------------------------------------------------------------------- */

/* What a regular file given without a kind holds: the first kind in the table that recognises its
 * start; NULL when it holds nothing but white space. */
static const input_kind *recognise(importer *im, const input *in)
{
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        importer_die(im, "%s: cannot open: %s", in->name, g_strerror(errno));
    uint8_t head[ETL_BUFFER_HEADER_SIZE + 32]; /* what etl_input_recognise looks at */
    ssize_t got = pread(fd, head, sizeof head, 0);
    GString *text = g_string_new(NULL);
    if (!text_peek(fd, 65536, text))
        importer_die(im, "%s: cannot read: %s", in->name, g_strerror(errno));
    close(fd);
    const char *p = text->str;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    const char *line_end = strchr(p, '\n');
    char *first_line = g_strndup(p, line_end ? (gsize)(line_end - p) : strlen(p));
    const input_sample sample = {head, got > 0 ? (size_t)got : 0, text, p, first_line};
    const input_kind *kind = NULL;
    if ((size_t)(p - text->str) < text->len) /* else nothing but white space: no records, whatever it was meant to be */
        for (size_t k = 0; !kind && k < G_N_ELEMENTS(input_kinds); k++)
            if (input_kinds[k]->recognise(im, in, &sample))
                kind = input_kinds[k];
    g_free(first_line);
    g_string_free(text, TRUE);
    return kind;
}

/* --- opening ---------------------------------------------------------------------------------- */

static void open_input(importer *im, input *in)
{
    if (in->is_stdin) {
        if (fstat(STDIN_FILENO, &in->st) != 0)
            importer_die(im, PROGRAM ": standard input: %s", g_strerror(errno));
        if (!in->kind)
            importer_usage_error(im, "standard input ('-') needs its kind: "
                                 "--tracee -, --nettcp -, --etl -, --procrec - or --packets -");
    } else {
        if (stat(in->path, &in->st) != 0)
            importer_die(im, PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
        if (S_ISDIR(in->st.st_mode))
            importer_die(im, PROGRAM ": %s: is a directory", in->name);
        if (access(in->path, R_OK) != 0)
            importer_die(im, PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
    }
    if (S_ISREG(in->st.st_mode))
        in->size = (uint64_t)in->st.st_size;
    if (S_ISREG(in->st.st_mode) && in->st.st_size == 0) {
        in->empty = true;
    } else if (!in->kind && !S_ISREG(in->st.st_mode)) {
        importer_usage_error(im, "%s is not a regular file: reading it to recognise it would use it up; "
                             "give its kind with --tracee, --nettcp, --etl, --procrec or --packets", in->name);
    } else if (!in->kind) {
        in->kind = recognise(im, in);
        in->by_content = true;
        in->empty = !in->kind;
    }
    if (in->kind)
        in->kind->open(im, in);
}

/* Time shifts: by kind, or by file (its name as given, or the same file under another name). */
static void apply_time_shifts(importer *im)
{
    for (guint k = 0; k < im->shifts->len; k++) {
        time_shift *s = im->shifts->pdata[k];
        bool names_kind = false;
        for (size_t n = 0; n < G_N_ELEMENTS(input_kinds); n++)
            names_kind |= strcmp(s->source, input_kind_name(input_kinds[n])) == 0;
        struct stat st;
        bool by_file = stat(s->source, &st) == 0;
        for (guint i = 0; i < im->inputs->len; i++) {
            input *in = im->inputs->pdata[i];
            bool match = in->kind && (strcmp(s->source, input_kind_name(in->kind)) == 0 ||
                                      (!names_kind && (strcmp(s->source, in->path) == 0 ||
                                                       (by_file && !in->is_stdin && st.st_dev == in->st.st_dev &&
                                                        st.st_ino == in->st.st_ino))));
            if (match) {
                if ((s->ns > 0 && in->shift_ns > INT64_MAX - s->ns) || (s->ns < 0 && in->shift_ns < INT64_MIN - s->ns))
                    importer_usage_error(im, "--time-shift: the shifts of %s add up to more than 292 years", in->name);
                in->shift_ns += s->ns;
                s->used = true;
            }
        }
        if (!s->used)
            importer_usage_error(im, "--time-shift %s: no input is %s", s->source, s->source);
    }
}

/* What the inputs take from the other options: the snapshot times of Get-NetTCPConnection's. */
static void settle_inputs(importer *im)
{
    for (guint i = 0; i < im->inputs->len; i++) {
        input *in = im->inputs->pdata[i];
        if (in->kind && in->kind->settle)
            in->kind->settle(im, in);
    }
    for (guint k = 0; k < im->snapshots->len; k++) {
        snapshot_time *s = im->snapshots->pdata[k];
        if (!s->used)
            importer_usage_error(im, "--snapshot-time %s: no Get-NetTCPConnection input %s", s->file ? s->file : "",
                                 s->file ? "has that name" : "was given");
    }
}

const GPtrArray *importer_snapshot_times(importer *im)
{
    return im->snapshots;
}

/* --- the reorder buffers: one queue over every input's records ------------------------------- */

static bool before(const queue_entry *a, const queue_entry *b)
{
    return a->ts != b->ts ? a->ts < b->ts : a->order < b->order;
}

static queue_entry *run_at(const reorder_queue *q, size_t i)
{
    return &q->run[(q->head + i) & (q->capacity - 1)];
}

static void heap_push(GArray *h, queue_entry e)
{
    g_array_append_val(h, e);
    queue_entry *v = (queue_entry *)(void *)h->data;
    guint i = h->len - 1;
    while (i > 0) {
        guint parent = (i - 1) / 2;
        if (!before(&v[i], &v[parent]))
            break;
        queue_entry t = v[i];
        v[i] = v[parent];
        v[parent] = t;
        i = parent;
    }
}

static pending *heap_pop(GArray *h)
{
    queue_entry *v = (queue_entry *)(void *)h->data;
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
        queue_entry t = v[i];
        v[i] = v[m];
        v[m] = t;
        i = m;
    }
    return top;
}

static void queue_push(reorder_queue *q, pending *p)
{
    const queue_entry e = {p->ts, (uint64_t)p->input << 48 | p->seq, p};
    if (q->len && before(&e, run_at(q, q->len - 1))) {
        heap_push(q->heap, e);
        return;
    }
    if (q->len == q->capacity) { /* twice the room, the entries unwrapped from the start */
        const size_t capacity = q->capacity ? 2 * q->capacity : 1024;
        queue_entry *run = g_new(queue_entry, capacity);
        for (size_t i = 0; i < q->len; i++)
            run[i] = *run_at(q, i);
        g_free(q->run);
        q->run = run;
        q->capacity = capacity;
        q->head = 0;
    }
    *run_at(q, q->len++) = e;
}

static size_t queue_length(const reorder_queue *q)
{
    return q->heap->len + q->len;
}

/* The earliest record; the queue holds one. */
static pending *queue_pop(reorder_queue *q)
{
    if (!q->len || (q->heap->len && before(&g_array_index(q->heap, queue_entry, 0), run_at(q, 0))))
        return heap_pop(q->heap);
    pending *p = run_at(q, 0)->p;
    q->head = (q->head + 1) & (q->capacity - 1);
    q->len--;
    return p;
}

void importer_buffer(importer *im, input *in, pending *p)
{
    p->input = in->index;
    p->seq = in->seq++;
    if (im->any_written && p->ts < im->high_water)
        in->late++;
    in->buffered++;
    in->buffered_bytes += p->len;
    queue_push(&im->queue, p);
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
static void release_pending(importer *im, pending *p)
{
    if (!p->rec && p->capacity && im->record_pool->len < REORDER_ETL_RECORDS) {
        g_ptr_array_add(im->record_pool, p);
        return;
    }
    if (!p->rec || im->pool->len >= REORDER_RECORDS) {
        free_pending(p);
        return;
    }
    wtap_block_unref(p->rec->block);
    p->rec->block = NULL;
    g_ptr_array_add(im->pool, p);
}

/* From the pool when it has one. */
pending *importer_capture_pending(importer *im, size_t len)
{
    pending *p;
    if (im->pool->len) {
        p = g_ptr_array_steal_index_fast(im->pool, im->pool->len - 1);
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

/* From the pool when it has one. */
pending *importer_record_pending(importer *im, size_t len)
{
    pending *p = im->record_pool->len ? g_ptr_array_steal_index_fast(im->record_pool, im->record_pool->len - 1)
                                      : g_new0(pending, 1);
    if (p->capacity < len) {
        g_free(p->data);
        p->data = g_malloc(len);
        p->capacity = len;
    }
    p->packet = false;
    p->meta = (pcapng_packet_meta){0};
    return p;
}

bool input_shifted(const input *in, int64_t ts, int64_t *out)
{
    if ((in->shift_ns > 0 && ts > INT64_MAX - in->shift_ns) || (in->shift_ns < 0 && ts < INT64_MIN - in->shift_ns))
        return false;
    *out = ts + in->shift_ns;
    return *out >= 0;
}

/* --- writing ---------------------------------------------------------------------------------- */

bool importer_all_appearances(const importer *im) { return im->all_appearances; }

bool importer_writing(const importer *im)
{
    return im->writer != NULL;
}

unsigned importer_add_interface(importer *im, wtap_block_t idb)
{
    unsigned id;
    char *error = NULL;
    if (!pcapng_writer_add_interface(im->writer, idb, &id, &error))
        importer_die(im, PROGRAM ": %s: %s", im->out_path, error);
    return id;
}

int importer_interface_encap(const importer *im, unsigned id)
{
    return pcapng_writer_interface_encap(im->writer, id);
}

void importer_add_shb_comment(importer *im, const char *comment)
{
    g_ptr_array_add(im->shb_comments, g_strdup(comment));
}

GArray *importer_secrets(importer *im)
{
    return im->dsbs;
}

unsigned output_interfaces_add(output_interfaces *ifs, wtap_block_t idb)
{
    g_array_append_val(ifs->idbs, idb);
    return ifs->idbs->len - 1;
}

unsigned output_interfaces_add_records(output_interfaces *ifs, const input *in, int encap, const char *description)
{
    char *base = in->is_stdin ? g_strdup("stdin") : g_path_get_basename(in->path);
    const pcapng_interface iface = {encap, base, description};
    wtap_block_t idb = pcapng_interface_block(&iface);
    g_ptr_array_add(ifs->own, idb);
    g_free(base);
    return output_interfaces_add(ifs, idb);
}

static void annotate_record(importer *im, pending *p);

static void write_record(importer *im, pending *p)
{
    input *in = im->inputs->pdata[p->input];
    char *error = NULL;
    if (!p->rec) {
        const unsigned iface = p->packet ? in->kind->packet_interface(im, in, p) : in->out_iface;
        if (!pcapng_writer_write(im->writer, iface, p->ts, p->data, p->len, &p->meta, &error))
            importer_die(im, PROGRAM ": %s: %s", im->out_path, error);
    } else {
        if (p->rec->rec_type == REC_TYPE_PACKET) {
            p->rec->rec_header.packet_header.interface_id = in->kind->packet_interface(im, in, p);
            p->rec->presence_flags |= WTAP_HAS_INTERFACE_ID;
            if (im->annotate)
                annotate_record(im, p);
        }
        switch (pcapng_writer_write_rec(im->writer, p->rec, p->data, p->len, &error)) {
        case PCAPNG_WRITE_OK:
            break;
        case PCAPNG_WRITE_REJECTED:
            importer_rejected(im, in, "%s: record %" PRIu64 " at byte %" PRId64 ": cannot be written to pcapng: %s",
                              in->name, p->number, p->offset, error);
            g_free(error);
            return;
        case PCAPNG_WRITE_FAILED:
            importer_die(im, PROGRAM ": %s: %s", im->out_path, error);
        }
    }
    in->written++;
    im->written++;
    if (!im->any_written || p->ts > im->high_water)
        im->high_water = p->ts;
    im->any_written = true;
}

/* Reads until the input's reorder buffer is full or the input ends. */
static void fill(importer *im, input *in)
{
    if (in->eof)
        return; /* an empty input, with no kind perhaps */
    /* A copy keeps the capture's order: each record is written before the next is read. */
    const unsigned limit = im->annotate ? 1 : in->kind->reorder_records(in);
    while (!in->eof && in->buffered < limit && in->buffered_bytes < REORDER_BYTES)
        in->kind->read(im, in);
}

static void open_output(importer *im)
{
    output_interfaces ifs = {g_array_new(FALSE, FALSE, sizeof(wtap_block_t)),
                             g_ptr_array_new_with_free_func((GDestroyNotify)wtap_block_unref)};
    for (guint i = 0; i < im->inputs->len; i++) {
        input *in = im->inputs->pdata[i];
        if (in->kind)
            in->kind->describe(im, in, &ifs);
    }
    if (ifs.idbs->len == 0) {
        /* Captures without interfaces (yet): pcapng needs one. */
        const pcapng_interface iface = {WTAP_ENCAP_WIRESHARK_UPPER_PDU, PROGRAM, "no interfaces in the inputs"};
        wtap_block_t idb = pcapng_interface_block(&iface);
        g_ptr_array_add(ifs.own, idb);
        output_interfaces_add(&ifs, idb);
    }
    g_ptr_array_add(im->shb_comments, NULL);
    char *error = NULL;
    int fd = im->tmp_fd;
    im->tmp_fd = -1; /* the writer closes it, on failure too */
    im->writer = pcapng_writer_fdopen(fd, im->out_path, ifs.idbs, (const char *const *)im->shb_comments->pdata,
                                      im->dsbs, PROGRAM " " PROCSHARK_VERSION, &error);
    g_array_free(ifs.idbs, TRUE);
    g_ptr_array_free(ifs.own, TRUE);
    if (!im->writer)
        importer_die(im, PROGRAM ": %s", error);
}

/* Reads every input into the reorder buffers and writes them out in time order. */
static void merge(importer *im)
{
    im->progress_tty = !im->quiet && isatty(STDERR_FILENO);
    im->start_us = g_get_monotonic_time();
    /* Empty inputs are reported, and need no reading. */
    for (guint i = 0; i < im->inputs->len; i++) {
        input *in = im->inputs->pdata[i];
        if (in->empty)
            importer_report_empty(im, in);
    }
    for (guint i = 0; i < im->inputs->len; i++)
        fill(im, im->inputs->pdata[i]);
    open_output(im);
    while (queue_length(&im->queue)) {
        pending *p = queue_pop(&im->queue);
        input *in = im->inputs->pdata[p->input];
        in->buffered--;
        in->buffered_bytes -= p->len;
        write_record(im, p);
        release_pending(im, p);
        fill(im, in);
        progress(im, false);
    }
    for (guint i = 0; i < im->inputs->len; i++) {
        input *in = im->inputs->pdata[i];
        if (in->kind && in->kind->finish)
            in->kind->finish(im, in);
    }
}

/* --- the output contract ---------------------------------------------------------------------- */

static void finish_output(importer *im)
{
    char *error = NULL;
    bool ok = pcapng_writer_close(im->writer, &error);
    im->writer = NULL;
    if (!ok)
        importer_die(im, PROGRAM ": %s: %s", im->out_path, error);
    if (im->out_mode == OUT_STREAM)
        return;
    int fd = open(im->tmp_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        importer_die(im, PROGRAM ": %s: %s", im->out_path, g_strerror(errno));
    close(fd);
    if (rename(im->tmp_path, im->target) != 0)
        importer_die(im, PROGRAM ": %s: cannot rename %s to it: %s", im->target, im->tmp_path, g_strerror(errno));
    tmp_path_for_signals[0] = '\0';
    char *dir = g_path_get_dirname(im->target);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    g_free(dir);
}

/* A new file's folder must exist. */
static void check_folder(importer *im, const char *path, const char *target)
{
    char *dir = g_path_get_dirname(target);
    struct stat st;
    if (stat(dir, &st) != 0)
        importer_die(im, PROGRAM ": %s: its folder %s: %s", path, dir, g_strerror(errno));
    if (!S_ISDIR(st.st_mode))
        importer_die(im, PROGRAM ": %s: %s is not a folder", path, dir);
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
static void classify_output(importer *im)
{
    const char *path = im->out_path;
    if (!*path)
        importer_usage_error(im, "-o '': the output needs a path");
    if (strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO))
            importer_usage_error(im, "-o -: standard output is a terminal; pcapng is binary: "
                                 "redirect it or pipe it to tshark -r -");
        im->out_mode = OUT_STREAM;
        return;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            importer_die(im, PROGRAM ": %s: %s", path, g_strerror(errno));
        im->out_mode = OUT_REPLACE;
        im->target = g_strdup(path);
        check_folder(im, path, im->target);
        return;
    }
    if (S_ISLNK(st.st_mode)) { /* followed: what it points to is what is written */
        if (stat(path, &st) != 0 && errno == ENOENT) { /* the link names a file still to be made */
            char *target = link_target(path);
            if (!target)
                importer_die(im, PROGRAM ": %s: a chain of symbolic links that does not end", path);
            im->out_mode = OUT_REPLACE;
            im->target = target;
            check_folder(im, path, im->target);
            return;
        }
        if (stat(path, &st) != 0)
            importer_die(im, PROGRAM ": %s: %s", path, g_strerror(errno));
        char *real = realpath(path, NULL);
        if (!real)
            importer_die(im, PROGRAM ": %s: %s", path, g_strerror(errno));
        im->target = g_strdup(real);
        free(real);
    } else {
        im->target = g_strdup(path);
    }
    if (S_ISREG(st.st_mode)) {
        im->out_mode = OUT_REPLACE;
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        im->out_mode = OUT_STREAM;
    } else {
        importer_die(im, PROGRAM ": %s: is %s: write to a file, a FIFO, a character device or - (standard output)",
                     path, S_ISDIR(st.st_mode) ? "a folder" : S_ISSOCK(st.st_mode) ? "a socket"
                                        : S_ISBLK(st.st_mode) ? "a block device" : "not a file");
    }
    for (guint i = 0; i < im->inputs->len; i++) {
        const input *in = im->inputs->pdata[i];
        struct stat ist;
        if (!in->is_stdin && stat(in->path, &ist) == 0 && S_ISREG(ist.st_mode) && ist.st_dev == st.st_dev &&
            ist.st_ino == st.st_ino)
            importer_usage_error(im, "-o %s: is also the input %s: refusing to write over an input", path, in->name);
    }
}

/* The arguments make sense together; then where the output goes. */
static void check_arguments(importer *im)
{
    if (!im->out_path)
        importer_usage_error(im, "no output: give -o OUT.pcapng");
    if (im->inputs->len == 0)
        importer_usage_error(im, "no input");
    if (im->annotate) {
        if (im->inputs->len > 1)
            importer_usage_error(im, "--annotate copies one capture: it takes no other input (FILE or --KIND)");
        if (im->shifts->len || im->snapshots->len)
            importer_usage_error(im, "--annotate copies the capture as it is: no --time-shift or --snapshot-time");
        if (((input *)im->inputs->pdata[0])->is_stdin)
            importer_usage_error(im, "--annotate -: the capture is read twice (by tshark, then copied): give a file");
        im->strict = true; /* a copy with a record missing would be no copy */
    }
    unsigned from_stdin = 0;
    for (guint i = 0; i < im->inputs->len; i++)
        from_stdin += ((input *)im->inputs->pdata[i])->is_stdin;
    if (from_stdin > 1)
        importer_usage_error(im, "standard input ('-') can be read only once");
    classify_output(im);
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
static void remove_stale_temporaries(importer *im, const char *dir, const char *stem)
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
            importer_message(im, PROGRAM ": removed %s, left by a run that was killed (pid %ld)", path, pid);
        if (fd >= 0)
            close(fd);
        g_free(path);
    }
    g_dir_close(d);
}

/* OUT_REPLACE: a temporary file beside the target (same file system, so rename() is atomic), locked
 * while this run lives. OUT_STREAM: the stream, opened. */
static void create_output(importer *im)
{
    if (im->out_mode == OUT_STREAM) {
        im->tmp_fd = strcmp(im->out_path, "-") == 0 ? STDOUT_FILENO : open(im->target, O_WRONLY | O_CLOEXEC);
        if (im->tmp_fd < 0)
            importer_die(im, PROGRAM ": %s: cannot open: %s", im->out_path, g_strerror(errno));
        return;
    }
    char *dir = g_path_get_dirname(im->target);
    char *base = g_path_get_basename(im->target);
    char *stem = temporary_stem(base);
    remove_stale_temporaries(im, dir, stem);
    char *name = g_strdup_printf("%s%ld-XXXXXX", stem, (long)getpid());
    im->tmp_path = g_build_filename(dir, name, NULL);
    g_free(name);
    g_free(stem);
    g_free(base);
    if (strlen(im->tmp_path) >= sizeof tmp_path_for_signals)
        importer_die(im, PROGRAM ": %s: the path is too long", im->out_path);
    /* Signals are blocked while the name is set, so a signal never leaves the file behind. */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    im->tmp_fd = mkostemp(im->tmp_path, O_CLOEXEC);
    int saved = errno;
    if (im->tmp_fd >= 0) {
        memcpy(tmp_path_for_signals, im->tmp_path, strlen(im->tmp_path) + 1);
        flock(im->tmp_fd, LOCK_EX); /* held until the writer closes it: the file is not stale */
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (im->tmp_fd < 0)
        importer_die(im, PROGRAM ": %s: cannot create a file in %s: %s", im->out_path, dir, g_strerror(saved));
    g_free(dir);
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(im->tmp_fd, 0666 & ~mask) != 0)
        importer_die(im, PROGRAM ": %s: %s", im->tmp_path, g_strerror(errno));
}

/* --- --annotate: each packet's attribution, from tshark with the plugin ------------------------ */

/* One line of tshark's output per frame: these fields, tab-separated. A packet has one proc item,
 * so at most one value per end: -E occurrence=f, and a comma in a name stays a comma. */
static const char *const annotate_fields[] = {"frame.number",  "proc.src.pid",  "proc.src.name", "proc.src.container",
                                              "proc.dst.pid", "proc.dst.name", "proc.dst.container"};

static const char *tshark_command(void)
{
    const char *t = g_getenv("PROCSHARK_TSHARK");
    return t && *t ? t : "tshark";
}

static G_GNUC_NORETURN void tshark_unusable(importer *im, const char *why)
{
    importer_die(im, PROGRAM ": --annotate needs tshark with the procshark plugin: %s (set PROCSHARK_TSHARK to "
                 "the tshark to run; as root tshark loads only system-wide plugins)",
                 why);
}

/* tshark's version as major * 100 + minor: how it writes text in -T fields. */
static int tshark_series(importer *im)
{
    const char *argv[] = {tshark_command(), "--version", NULL};
    char *out = NULL;
    int status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                      NULL, &status, &error)) {
        char *why = g_strdup_printf("cannot run %s: %s", argv[0], error->message);
        g_error_free(error);
        tshark_unusable(im, why);
    }
    unsigned major = 0, minor = 0;
    const char *v = out ? strstr(out, "(Wireshark) ") : NULL;
    if (!g_spawn_check_wait_status(status, NULL) || !v || sscanf(v, "(Wireshark) %u.%u", &major, &minor) != 2) {
        char *why = g_strdup_printf("%s --version did not say which Wireshark it is", argv[0]);
        g_free(out);
        tshark_unusable(im, why);
    }
    g_free(out);
    return (int)(major * 100 + minor);
}

static int hex_digit(char c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* A string as tshark -T fields printed it, as the plugin gave it. Every version escapes control
 * characters (format_text: \n, \xHH, \u00HH); 4.2 and later also double a backslash, so that their
 * text undoes exactly. 4.0's does not: its text is taken as printed, which prints the same again. */
static char *tshark_text(const char *s, bool undo)
{
    GString *out = g_string_sized_new(strlen(s));
    static const char simple[][2] = {{'\\', '\\'}, {'a', '\a'}, {'b', '\b'}, {'f', '\f'},
                                      {'n', '\n'}, {'r', '\r'}, {'t', '\t'}, {'v', '\v'}};
    for (const char *c = s; *c; c++) {
        char unescaped = 0;
        for (size_t i = 0; undo && c[0] == '\\' && i < G_N_ELEMENTS(simple); i++)
            if (c[1] == simple[i][0])
                unescaped = simple[i][1];
        if (!undo || c[0] != '\\' || !c[1]) {
            g_string_append_c(out, *c);
        } else if (unescaped) {
            g_string_append_c(out, unescaped);
            c++;
        } else if (c[1] == 'x' && hex_digit(c[2]) >= 0 && hex_digit(c[3]) >= 0) {
            g_string_append_c(out, (char)(hex_digit(c[2]) << 4 | hex_digit(c[3])));
            c += 3;
        } else if (c[1] == 'u' && hex_digit(c[2]) >= 0 && hex_digit(c[3]) >= 0 && hex_digit(c[4]) >= 0 &&
                   hex_digit(c[5]) >= 0) {
            g_string_append_unichar(out, (gunichar)(hex_digit(c[2]) << 12 | hex_digit(c[3]) << 8 |
                                                    hex_digit(c[4]) << 4 | hex_digit(c[5])));
            c += 5;
        } else {
            g_string_append_c(out, *c);
        }
    }
    return g_string_free(out, FALSE);
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    const unsigned long long v = g_ascii_strtoull(s, &end, 10);
    if (!*s || !g_ascii_isdigit(*s) || *end || errno || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* One end from its pid, name and container columns; false when the pid column is not a pid. */
static bool read_end(char **cols, bool undo, proc_annotation_end *e)
{
    if (!*cols[0])
        return true; /* not known */
    if (!parse_u32(cols[0], &e->pid))
        return false;
    e->known = true;
    e->name = *cols[1] ? tshark_text(cols[1], undo) : NULL;
    e->container = *cols[2] ? tshark_text(cols[2], undo) : NULL;
    return true;
}

/* One line of tshark's output into im->annotations; false when it is not what was asked for. */
static bool read_attribution_line(importer *im, char *line, bool undo)
{
    char **cols = g_strsplit(line, "\t", -1);
    uint32_t frame = 0;
    proc_annotation ann = {0};
    const bool ok = g_strv_length(cols) == G_N_ELEMENTS(annotate_fields) && parse_u32(cols[0], &frame) &&
                    frame == im->tshark_frames + 1 && read_end(cols + 1, undo, &ann.end[0]) &&
                    read_end(cols + 4, undo, &ann.end[1]);
    if (ok) {
        im->tshark_frames = frame;
        char *comment = NULL;
        if (ann.end[0].known || ann.end[1].known) {
            GString *text = g_string_new(NULL);
            proc_annotation_encode(text, &ann);
            comment = g_string_free(text, FALSE);
        }
        g_ptr_array_add(im->annotations, comment);
    }
    proc_annotation_clear(&ann);
    g_strfreev(cols);
    return ok;
}

/* tshark -2 reads the capture with the plugin and prints every frame's attribution. Its output is
 * read as it comes; its messages go to a temporary file, read when it has ended. A failure to run it,
 * or a tshark without the plugin, ends the run before anything is written; any other failure once
 * the copy has read the capture (which says where a damaged one is damaged). */
static void read_attributions(importer *im)
{
    const input *in = im->inputs->pdata[0];
    if (!S_ISREG(in->st.st_mode))
        importer_usage_error(im, "--annotate %s: not a regular file: the capture is read twice (by tshark, then "
                             "copied)", in->name);
    const bool undo = tshark_series(im) >= 402;
    GPtrArray *argv = g_ptr_array_new();
    const char *fixed[] = {tshark_command(), "-2", "-r", in->path, "-T", "fields", "-E", "separator=/t",
                           "-E", "occurrence=f", "-E", "quote=n", "-E", "header=n"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(argv, (gpointer)fixed[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(annotate_fields); i++) {
        g_ptr_array_add(argv, (gpointer) "-e");
        g_ptr_array_add(argv, (gpointer)annotate_fields[i]);
    }
    g_ptr_array_add(argv, NULL);
    FILE *messages = tmpfile();
    if (!messages)
        importer_die(im, PROGRAM ": --annotate: cannot make a temporary file for tshark's messages: %s",
                     g_strerror(errno));
    GPid pid;
    int out_fd = -1;
    GError *error = NULL;
    const bool started = g_spawn_async_with_pipes_and_fds(
        NULL, (const char *const *)argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1,
        -1, fileno(messages), NULL, NULL, 0, &pid, NULL, &out_fd, NULL, &error);
    g_ptr_array_free(argv, TRUE);
    if (!started) {
        char *why = g_strdup_printf("cannot run %s: %s", tshark_command(), error->message);
        g_error_free(error);
        tshark_unusable(im, why);
    }
    im->annotations = g_ptr_array_new_with_free_func(g_free);
    FILE *out = fdopen(out_fd, "r");
    char *line = NULL;
    size_t size = 0;
    ssize_t got;
    bool garbled = false;
    while ((got = getline(&line, &size, out)) > 0) {
        if (line[got - 1] == '\n')
            line[got - 1] = '\0';
        if (!garbled && !read_attribution_line(im, line, undo))
            garbled = true; /* read on, so that tshark is not stopped by a full pipe */
    }
    free(line);
    fclose(out);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    g_spawn_close_pid(pid);
    GString *said = g_string_new(NULL);
    char chunk[4096];
    size_t n;
    rewind(messages);
    while (said->len < 4096 && (n = fread(chunk, 1, sizeof chunk, messages)) > 0)
        g_string_append_len(said, chunk, (gssize)n);
    fclose(messages);
    g_strchomp(said->str);
    said->len = strlen(said->str);
    const bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!exited_ok && strstr(said->str, "proc.src.pid")) {
        char *why = g_strdup_printf("%s knows no proc.* fields: the plugin is not loaded (%s)", tshark_command(),
                                    said->str);
        tshark_unusable(im, why);
    }
    if (!exited_ok)
        im->tshark_failure = WIFEXITED(status)
                                 ? g_strdup_printf("%s -2 -r %s exited with status %d%s%s", tshark_command(), in->name,
                                                   WEXITSTATUS(status), said->len ? ": " : "", said->str)
                                 : g_strdup_printf("%s -2 -r %s was ended by signal %d", tshark_command(), in->name,
                                                   WTERMSIG(status));
    else if (garbled)
        im->tshark_failure = g_strdup_printf("%s printed something other than %zu fields per frame, in frame order, "
                                             "after frame %u",
                                             tshark_command(), G_N_ELEMENTS(annotate_fields), im->tshark_frames);
    g_string_free(said, TRUE);
}

/* The packet's earlier annotations go, its new one (if an end is known) comes last; other comments stay. */
static void annotate_record(importer *im, pending *p)
{
    const char *comment = p->number <= im->annotations->len ? im->annotations->pdata[p->number - 1] : NULL;
    if (!p->rec->block) {
        if (!comment)
            return;
        p->rec->block = wtap_block_create(WTAP_BLOCK_PACKET);
    }
    char *old;
    for (guint i = 0; wtap_block_get_nth_string_option_value(p->rec->block, OPT_COMMENT, i, &old) ==
                      WTAP_OPTTYPE_SUCCESS;) {
        if (proc_annotation_is_ours(old, strlen(old)))
            wtap_block_remove_nth_option_instance(p->rec->block, OPT_COMMENT, i);
        else
            i++;
    }
    if (comment) {
        wtap_block_add_string_option(p->rec->block, OPT_COMMENT, comment, strlen(comment));
        im->annotated++;
    }
}

/* After the copy: tshark failed, or read another number of frames than the copy. */
static void check_attributions(importer *im)
{
    const input *in = im->inputs->pdata[0];
    if (im->tshark_failure)
        importer_die(im, PROGRAM ": --annotate: %s; %s not written", im->tshark_failure, im->out_path);
    if (im->tshark_frames != in->read)
        importer_die(im, PROGRAM ": --annotate: tshark read %u frames of %s, the copy %" PRIu64 " records; %s not "
                     "written", im->tshark_frames, in->name, in->read, im->out_path);
}

/* --- the summary ------------------------------------------------------------------------------ */

static bool all_written(const importer *im)
{
    bool all = true;
    for (guint i = 0; i < im->inputs->len; i++) {
        const input *in = im->inputs->pdata[i];
        all &= in->rejected == 0 && !in->problem;
    }
    return all;
}

static void summary(importer *im)
{
    guint n = im->inputs->len;
    if (im->annotate) {
        importer_message(im, PROGRAM ": wrote %" PRIu64 " record%s to %s, %" PRIu64 " packet%s annotated",
                         im->written, im->written == 1 ? "" : "s", im->out_path, im->annotated,
                         im->annotated == 1 ? "" : "s");
        return;
    }
    importer_message(im, PROGRAM ": wrote %" PRIu64 " record%s from %u input%s to %s", im->written,
                     im->written == 1 ? "" : "s", n, n == 1 ? "" : "s", im->out_path);
    for (guint i = 0; i < n; i++) {
        const input *in = im->inputs->pdata[i];
        GString *line = g_string_new(NULL);
        g_string_append_printf(line, "  %s (%s): %" PRIu64 " read, %" PRIu64 " written, %" PRIu64 " rejected", in->name,
                               in->kind ? input_kind_name(in->kind) : "empty", in->read, in->written, in->rejected);
        if (in->problem)
            g_string_append_printf(line, "; %s", in->problem);
        if (in->late)
            g_string_append_printf(line,
                                   "; %" PRIu64 " arrived later than its %u-record reorder buffer could reorder"
                                   " (written out of time order)",
                                   in->late, in->kind->reorder_records(in));
        importer_message(im, "%s", line->str);
        g_string_free(line, TRUE);
        if (in->kind && in->kind->summarise)
            in->kind->summarise(im, in);
    }
}

/* --- main ------------------------------------------------------------------------------------- */

static void importer_init(importer *im)
{
    *im = (importer){
        .inputs = g_ptr_array_new(),
        .shifts = g_ptr_array_new(),
        .snapshots = g_ptr_array_new(),
        .tmp_fd = -1,
        .dsbs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t)),
        .shb_comments = g_ptr_array_new_with_free_func(g_free),
        .queue = {.heap = g_array_new(FALSE, FALSE, sizeof(queue_entry))},
        .pool = g_ptr_array_new_with_free_func((GDestroyNotify)free_pending),
        .record_pool = g_ptr_array_new_with_free_func((GDestroyNotify)free_pending),
    };
}

/* Tidy up (for leak checkers). */
static void importer_free(importer *im)
{
    for (guint i = 0; i < im->inputs->len; i++) {
        input *in = im->inputs->pdata[i];
        if (in->state)
            in->kind->close(in);
        g_free(in->path);
        g_free(in->name);
        g_free(in->problem);
        g_free(in);
    }
    g_ptr_array_free(im->inputs, TRUE);
    g_array_free(im->queue.heap, TRUE);
    g_free(im->queue.run);
    g_ptr_array_free(im->pool, TRUE);
    g_ptr_array_free(im->record_pool, TRUE);
    wtap_block_array_free(im->dsbs);
    g_ptr_array_free(im->shb_comments, TRUE);
    for (guint k = 0; k < im->shifts->len; k++) {
        time_shift *s = im->shifts->pdata[k];
        g_free(s->source);
        g_free(s);
    }
    g_ptr_array_free(im->shifts, TRUE);
    for (guint k = 0; k < im->snapshots->len; k++) {
        snapshot_time *s = im->snapshots->pdata[k];
        g_free(s->file);
        g_free(s);
    }
    g_ptr_array_free(im->snapshots, TRUE);
    g_free(im->tmp_path);
    g_free(im->target);
    if (im->annotations)
        g_ptr_array_free(im->annotations, TRUE);
    g_free(im->tshark_failure);
}

int main(int argc, char **argv)
{
    importer im;
    importer_init(&im);
    if (!parse_options(&im, argc, argv)) { /* --help, --version */
        importer_free(&im);
        return EXIT_ALL_WRITTEN;
    }
    check_arguments(&im);

    pcapng_writer_init_library(PROGRAM);
    for (guint i = 0; i < im.inputs->len; i++)
        open_input(&im, im.inputs->pdata[i]);
    apply_time_shifts(&im);
    settle_inputs(&im);
    if (im.annotate)
        read_attributions(&im);

    catch_signals();
    create_output(&im);
    merge(&im);
    if (im.annotate)
        check_attributions(&im);
    finish_output(&im);
    clear_progress(&im);

    bool all = all_written(&im);
    if (!im.quiet)
        summary(&im);
    importer_free(&im);
    wtap_cleanup();
    return all ? EXIT_ALL_WRITTEN : EXIT_SOME_REJECTED;
}
