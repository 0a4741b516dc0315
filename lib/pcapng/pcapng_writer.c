/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcapng_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>
#include <wsutil/wslog.h>

#include "ws_compat.h"

/* Records of pcapng_writer_write (every record of procshark's own: ETW records, exported PDUs,
 * frames of .etl traces) are laid out here, into a buffer of OUT_SIZE bytes. Through wiretap each
 * cost a record set up, several stdio calls and a system call per 4 KiB, which were most of an .etl
 * conversion's time. wiretap still writes everything else (the section header, interfaces,
 * decryption secrets, copied capture records with whatever options they carry) through its own
 * stdio buffer on the same descriptor, so handing over from one to the other flushes the buffer
 * that holds bytes first. */
#define OUT_SIZE ((size_t)1 << 20)
/* After a copied capture record, our records keep going through wiretap until this many came in
 * a row: a capture merged packet by packet with events would otherwise cost two system calls a
 * record, one per hand-over. */
#define DIRECT_RUN 64u

typedef struct {
    int encap;      /* WTAP_ENCAP_* */
    uint64_t units; /* time stamp units per second */
} iface_info;

struct pcapng_writer {
    wtap_dumper *dumper;
    int fd;         /* wiretap's, which it closes */
    bool regular;   /* fd is a regular file */
    GArray *ifaces; /* iface_info per interface */
    GArray *shb_hdrs;
    wtapng_iface_descriptions_t *idb_inf;
    Buffer scratch; /* the bytes of the record being written, where wiretap wants them in the record */
    const GArray *dsbs;  /* decryption secrets wiretap writes before the next record it writes */
    guint dsbs_written;  /* those it wrote: none when it opens the file */
    uint8_t *out;        /* blocks laid out here, not yet written */
    size_t out_len;
    bool wiretap_unflushed; /* wiretap's stdio buffer may hold bytes */
    unsigned run;           /* our records since wiretap wrote a copied capture record */
    /* A full buffer is written by a thread of the writer's while the next one fills: copying a
     * gigabyte into the page cache takes the kernel about as long as making it takes us, and the
     * two then run side by side. Started when a first buffer fills; the rest is written here. */
    GThread *thread;
    GMutex lock;
    GCond cond;        /* the thread is given a buffer, is done with one, or is to end */
    uint8_t *handed;   /* the buffer it writes, NULL when it is idle */
    size_t handed_len;
    uint8_t *spare;    /* the one it wrote last */
    int thread_errno;  /* its first failure: the rest is not written */
    bool quit;
};

void pcapng_writer_init_library(const char *progname)
{
    static gboolean done;
    if (!done) {
        g_set_prgname(progname);
        /* Without this, wiretap logs every block at debug level. */
        ps_ws_log_init();
        wtap_init(FALSE);
        done = TRUE;
    }
}

static char *wtap_error(const char *what, int err, gchar *err_info)
{
    char *msg = g_strdup_printf("%s: %s%s%s", what, wtap_strerror(err), err_info ? ": " : "",
                                err_info ? err_info : "");
    g_free(err_info);
    return msg;
}

pcapng_writer *pcapng_writer_open(const char *path, const pcapng_interface *interfaces, size_t count,
                                  char **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        *error = g_strdup_printf("%s: %s", path, g_strerror(errno));
        return NULL;
    }
    GArray *idbs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    for (size_t i = 0; i < count; i++) {
        wtap_block_t idb = pcapng_interface_block(&interfaces[i]);
        g_array_append_val(idbs, idb);
    }
    pcapng_writer *w = pcapng_writer_fdopen(fd, path, idbs, NULL, NULL, "procshark", error);
    for (guint i = 0; i < idbs->len; i++)
        wtap_block_unref(g_array_index(idbs, wtap_block_t, i));
    g_array_free(idbs, TRUE);
    return w;
}

/* --- Our own records ------------------------------------------------------------------------ */

/* pcapng is written in the writer's byte order (the section header says which). */
static uint8_t *put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* 0 or errno. */
static int write_all(int fd, const uint8_t *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        done += (size_t)n;
    }
    return 0;
}

/* Starts the disk on the len bytes just written: the flush that makes the file durable (the
 * importer's fsync before its rename) then finds most of it done, where it would wait for all of
 * it. */
static void start_writeback(int fd, size_t len)
{
    const off_t end = lseek(fd, 0, SEEK_CUR);
    if (end >= (off_t)len)
        sync_file_range(fd, end - (off_t)len, (off_t)len, SYNC_FILE_RANGE_WRITE);
}

static gpointer writing_thread(gpointer data)
{
    pcapng_writer *w = data;
    g_mutex_lock(&w->lock);
    for (;;) {
        while (!w->handed && !w->quit)
            g_cond_wait(&w->cond, &w->lock);
        if (!w->handed)
            break;
        uint8_t *buf = w->handed;
        const size_t len = w->handed_len;
        const bool failed = w->thread_errno != 0;
        g_mutex_unlock(&w->lock);
        const int err = failed ? 0 : write_all(w->fd, buf, len);
        if (!failed && !err && w->regular)
            start_writeback(w->fd, len);
        g_mutex_lock(&w->lock);
        if (err)
            w->thread_errno = err;
        w->spare = buf;
        w->handed = NULL;
        g_cond_broadcast(&w->cond);
    }
    g_mutex_unlock(&w->lock);
    return NULL;
}

/* Waits until the thread wrote what it was given; false with its failure. */
static bool thread_idle(pcapng_writer *w, char **error)
{
    if (!w->thread)
        return true;
    g_mutex_lock(&w->lock);
    while (w->handed)
        g_cond_wait(&w->cond, &w->lock);
    const int err = w->thread_errno;
    g_mutex_unlock(&w->lock);
    if (err)
        *error = g_strdup_printf("write: %s", g_strerror(err));
    return err == 0;
}

static bool start_thread(pcapng_writer *w, char **error)
{
    /* Signals sent to the process go to the program's threads, as without this one; the thread
     * keeps those of its own writes (SIGPIPE, SIGXFSZ) and faults. */
    static const int own[] = {SIGPIPE, SIGXFSZ, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    sigset_t others, old;
    sigfillset(&others);
    for (size_t i = 0; i < G_N_ELEMENTS(own); i++)
        sigdelset(&others, own[i]);
    pthread_sigmask(SIG_BLOCK, &others, &old);
    GError *gerr = NULL;
    w->thread = g_thread_try_new("pcapng-writer", writing_thread, w, &gerr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!w->thread) {
        *error = g_strdup_printf("write: cannot start a thread: %s", gerr->message);
        g_error_free(gerr);
        return false;
    }
    w->spare = g_malloc(OUT_SIZE);
    return true;
}

/* The full buffer to the thread; the one it wrote last to fill. */
static bool hand_off(pcapng_writer *w, char **error)
{
    if (!w->thread && !start_thread(w, error))
        return false;
    if (!thread_idle(w, error)) {
        w->out_len = 0; /* the file cannot be completed: what is left is dropped */
        return false;
    }
    g_mutex_lock(&w->lock);
    w->handed = w->out;
    w->handed_len = w->out_len;
    w->out = w->spare;
    w->spare = NULL;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
    w->out_len = 0;
    return true;
}

/* Every block of ours in the file, before wiretap writes and at the end. A failed write leaves the
 * file useless: what is left is dropped. */
static bool flush_out(pcapng_writer *w, char **error)
{
    if (!thread_idle(w, error)) {
        w->out_len = 0;
        return false;
    }
    const int err = write_all(w->fd, w->out, w->out_len);
    w->out_len = 0;
    if (err)
        *error = g_strdup_printf("write: %s", g_strerror(err));
    return err == 0;
}

static void stop_thread(pcapng_writer *w)
{
    if (!w->thread)
        return;
    g_mutex_lock(&w->lock);
    w->quit = true;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
    g_thread_join(w->thread);
    w->thread = NULL;
    g_free(w->spare);
    w->spare = NULL;
}

/* Wiretap's stdio buffer to the file, before our blocks go there. */
static bool flush_wiretap(pcapng_writer *w, char **error)
{
    int err = 0;
    if (!wtap_dump_flush(w->dumper, &err)) {
        *error = wtap_error("write", err, NULL);
        return false;
    }
    w->wiretap_unflushed = false;
    return true;
}

/* A record of ours through wiretap: when decryption secrets are waiting (wiretap writes them
 * before its next record) or in a merge with a capture's records. */
static bool write_through_wiretap(pcapng_writer *w, unsigned interface_id, int64_t ts_ns, const uint8_t *data,
                                  size_t len, const pcapng_packet_meta *m, char **error)
{
    if (!flush_out(w, error))
        return false;
    wtap_rec rec;
    ps_wtap_rec_init(&rec);
    rec.rec_type = REC_TYPE_PACKET;
    rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN | WTAP_HAS_INTERFACE_ID;
    rec.tsprec = WTAP_TSPREC_NSEC;
    rec.ts.secs = (time_t)(ts_ns / 1000000000);
    rec.ts.nsecs = (int)(ts_ns % 1000000000);
    if (rec.ts.nsecs < 0) {
        rec.ts.secs -= 1;
        rec.ts.nsecs += 1000000000;
    }
    rec.rec_header.packet_header.caplen = (guint32)len;
    rec.rec_header.packet_header.len = m->orig_len > len ? m->orig_len : (guint32)len;
    rec.rec_header.packet_header.pkt_encap = g_array_index(w->ifaces, iface_info, interface_id).encap;
    rec.rec_header.packet_header.interface_id = interface_id;
    if (m->flags || m->comment || m->has_packet_id || m->xdp_drop)
        rec.block = wtap_block_create(WTAP_BLOCK_PACKET);
    if (m->flags)
        wtap_block_add_uint32_option(rec.block, OPT_PKT_FLAGS, m->flags);
    if (m->has_packet_id)
        wtap_block_add_uint64_option(rec.block, OPT_PKT_PACKETID, m->packet_id);
    if (m->xdp_drop) {
        packet_verdict_opt_t verdict = {.type = packet_verdict_linux_ebpf_xdp, .data.verdict_linux_ebpf_xdp = 1};
        wtap_block_add_packet_verdict_option(rec.block, OPT_PKT_VERDICT, &verdict);
    }
    if (m->comment)
        wtap_block_add_string_option(rec.block, OPT_COMMENT, m->comment, strlen(m->comment));
    int err = 0;
    gchar *err_info = NULL;
    bool ok = ps_wtap_dump(w->dumper, &rec, data, len, &w->scratch, &err, &err_info);
    wtap_rec_cleanup(&rec);
    w->wiretap_unflushed = true;
    w->dsbs_written = w->dsbs ? w->dsbs->len : 0;
    if (!ok)
        *error = wtap_error("write", err, err_info);
    return ok;
}

/* An enhanced packet block, as wiretap would write it: its options (flags, packet id, verdict, then
 * the comment) only when there are some. */
static bool write_direct(pcapng_writer *w, unsigned interface_id, int64_t ts_ns, const uint8_t *data, size_t len,
                         const pcapng_packet_meta *m, size_t comment_len, char **error)
{
    size_t options = (m->flags ? 8 : 0) + (m->has_packet_id ? 12 : 0) + (m->xdp_drop ? 16 : 0) +
                     (m->comment ? 4 + pad4(comment_len) : 0);
    if (options)
        options += 4; /* opt_endofopt */
    const size_t total = 28 + pad4(len) + options + 4;
    if (w->wiretap_unflushed && !flush_wiretap(w, error))
        return false;
    if (w->out_len + total > OUT_SIZE && !hand_off(w, error))
        return false;
    /* The interface's units, as wiretap converts: whole seconds, then the fraction. */
    int64_t secs = ts_ns / 1000000000, nsecs = ts_ns % 1000000000;
    if (nsecs < 0) {
        secs -= 1;
        nsecs += 1000000000;
    }
    const uint64_t units = g_array_index(w->ifaces, iface_info, interface_id).units;
    const uint64_t ts = (uint64_t)secs * units + (uint64_t)nsecs * units / 1000000000;

    uint8_t *p = w->out + w->out_len;
    p = put32(p, 6); /* enhanced packet block */
    p = put32(p, (uint32_t)total);
    p = put32(p, interface_id);
    p = put32(p, (uint32_t)(ts >> 32));
    p = put32(p, (uint32_t)ts);
    p = put32(p, (uint32_t)len);
    p = put32(p, m->orig_len > len ? m->orig_len : (uint32_t)len);
    memcpy(p, data, len);
    memset(p + len, 0, pad4(len) - len);
    p += pad4(len);
    if (m->flags) {
        p = put16(p, OPT_PKT_FLAGS);
        p = put16(p, 4);
        p = put32(p, m->flags);
    }
    if (m->has_packet_id) {
        p = put16(p, OPT_PKT_PACKETID);
        p = put16(p, 8);
        memcpy(p, &m->packet_id, 8);
        p += 8;
    }
    if (m->xdp_drop) {
        /* Verdict type 2 (eBPF XDP), then the u64 XDP_DROP, padded to 12. */
        p = put16(p, OPT_PKT_VERDICT);
        p = put16(p, 9);
        const uint64_t xdp_drop = 1;
        memset(p, 0, 12);
        p[0] = 2;
        memcpy(p + 1, &xdp_drop, 8);
        p += 12;
    }
    if (m->comment) {
        p = put16(p, OPT_COMMENT);
        p = put16(p, (uint16_t)comment_len);
        memcpy(p, m->comment, comment_len);
        memset(p + comment_len, 0, pad4(comment_len) - comment_len);
        p += pad4(comment_len);
    }
    if (options)
        p = put32(p, 0);
    put32(p, (uint32_t)total);
    w->out_len += total;
    return true;
}

bool pcapng_writer_write(pcapng_writer *w, unsigned interface_id, int64_t ts_ns, const uint8_t *data,
                         size_t len, const pcapng_packet_meta *meta, char **error)
{
    static const pcapng_packet_meta none;
    const pcapng_packet_meta *m = meta ? meta : &none;
    const size_t comment_len = m->comment ? strlen(m->comment) : 0;
    if (interface_id >= w->ifaces->len || len > WTAP_MAX_PACKET_SIZE_STANDARD || comment_len > UINT16_MAX) {
        *error = g_strdup_printf("record of %zu bytes for interface %u cannot be written", len, interface_id);
        return false;
    }
    if ((w->dsbs && w->dsbs->len > w->dsbs_written) || w->run < DIRECT_RUN) {
        w->run++;
        return write_through_wiretap(w, interface_id, ts_ns, data, len, m, error);
    }
    return write_direct(w, interface_id, ts_ns, data, len, m, comment_len, error);
}

/* --- Copying captures ------------------------------------------------------------------------- */

wtap_block_t pcapng_interface_block(const pcapng_interface *iface)
{
    wtap_block_t idb = wtap_block_create(WTAP_BLOCK_IF_ID_AND_INFO);
    wtapng_if_descr_mandatory_t *mand = wtap_block_get_mandatory_data(idb);
    mand->wtap_encap = iface->wtap_encap;
    mand->time_units_per_second = 1000000000;
    mand->tsprecision = WTAP_TSPREC_NSEC;
    mand->snap_len = WTAP_MAX_PACKET_SIZE_STANDARD;
    wtap_block_add_uint8_option(idb, OPT_IDB_TSRESOL, 9);
    if (iface->name)
        wtap_block_add_string_option(idb, OPT_IDB_NAME, iface->name, strlen(iface->name));
    if (iface->description)
        wtap_block_add_string_option(idb, OPT_IDB_DESCRIPTION, iface->description, strlen(iface->description));
    return idb;
}

static iface_info idb_info(wtap_block_t idb)
{
    const wtapng_if_descr_mandatory_t *mand = wtap_block_get_mandatory_data(idb);
    return (iface_info){mand->wtap_encap, mand->time_units_per_second};
}

pcapng_writer *pcapng_writer_fdopen(int fd, const char *path, const GArray *idbs, const char *const *shb_comments,
                                    const GArray *dsbs, const char *application, char **error)
{
    pcapng_writer *w = g_new0(pcapng_writer, 1);
    w->fd = fd;
    struct stat st;
    w->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    w->ifaces = g_array_new(FALSE, FALSE, sizeof(iface_info));
    w->dsbs = dsbs;
    w->out = g_malloc(OUT_SIZE);
    w->run = DIRECT_RUN;
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    ws_buffer_init(&w->scratch, 0);

    wtap_block_t shb = wtap_block_create(WTAP_BLOCK_SECTION);
    wtap_block_add_string_option(shb, OPT_SHB_USERAPPL, application, strlen(application));
    for (const char *const *c = shb_comments; c && *c; c++)
        wtap_block_add_string_option(shb, OPT_COMMENT, *c, strlen(*c));
    w->shb_hdrs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    g_array_append_val(w->shb_hdrs, shb);

    if (!idbs || idbs->len == 0) {
        /* wiretap would invent an interface of link type "per packet", which pcapng cannot hold. */
        *error = g_strdup_printf("%s: a capture needs at least one interface", path);
        close(fd);
        pcapng_writer_close(w, NULL);
        return NULL;
    }
    w->idb_inf = g_new0(wtapng_iface_descriptions_t, 1);
    w->idb_inf->interface_data = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    for (guint i = 0; i < idbs->len; i++) {
        wtap_block_t idb = wtap_block_make_copy(g_array_index(idbs, wtap_block_t, i));
        iface_info info = idb_info(idb);
        g_array_append_val(w->idb_inf->interface_data, idb);
        g_array_append_val(w->ifaces, info);
    }

    const wtap_dump_params params = {
        .encap = WTAP_ENCAP_PER_PACKET,
        .snaplen = WTAP_MAX_PACKET_SIZE_STANDARD,
        .tsprec = WTAP_TSPREC_NSEC,
        .shb_hdrs = w->shb_hdrs,
        .idb_inf = w->idb_inf,
        .dsbs_growing = dsbs,
    };
    int err = 0;
    gchar *err_info = NULL;
    w->dumper = wtap_dump_fdopen(fd, wtap_pcapng_file_type_subtype(), WTAP_UNCOMPRESSED, &params, &err, &err_info);
    if (!w->dumper) {
        *error = wtap_error(path, err, err_info);
        if (fcntl(fd, F_GETFD) != -1) /* wiretap closes it on some failures only */
            close(fd);
        pcapng_writer_close(w, NULL);
        return NULL;
    }
    w->wiretap_unflushed = true; /* the section header and the interfaces */
    return w;
}

bool pcapng_writer_add_interface(pcapng_writer *w, wtap_block_t idb, unsigned *id, char **error)
{
    if (!flush_out(w, error))
        return false;
    int err = 0;
    gchar *err_info = NULL;
    w->wiretap_unflushed = true;
    if (!wtap_dump_add_idb(w->dumper, idb, &err, &err_info)) {
        *error = wtap_error("write an interface", err, err_info);
        return false;
    }
    iface_info info = idb_info(idb);
    g_array_append_val(w->ifaces, info);
    *id = w->ifaces->len - 1;
    return true;
}

bool pcapng_writer_flush(pcapng_writer *w, char **error)
{
    /* Whichever holds bytes: a hand-over from one to the other flushed the other. */
    return flush_out(w, error) && (!w->wiretap_unflushed || flush_wiretap(w, error));
}

unsigned pcapng_writer_interface_count(const pcapng_writer *w)
{
    return w->ifaces->len;
}

int pcapng_writer_interface_encap(const pcapng_writer *w, unsigned id)
{
    return id < w->ifaces->len ? g_array_index(w->ifaces, iface_info, id).encap : -1;
}

/* wiretap's pcapng writer may fail half-way through a block: what it would refuse is refused here,
 * before anything is written. */
static const char *unwritable(const pcapng_writer *w, const wtap_rec *rec)
{
    guint32 len = 0;
    switch (rec->rec_type) {
    case REC_TYPE_PACKET:
        if (!(rec->presence_flags & WTAP_HAS_INTERFACE_ID) ||
            pcapng_writer_interface_encap(w, rec->rec_header.packet_header.interface_id) !=
                rec->rec_header.packet_header.pkt_encap)
            return "no interface with its link type";
        if (rec->rec_header.packet_header.caplen > WTAP_MAX_PACKET_SIZE_STANDARD) /* its limit for our "per packet" file */
            return "larger than a pcapng reader accepts";
        return NULL;
    case REC_TYPE_SYSCALL: len = ps_wtap_syscall_len(rec); break;
    case REC_TYPE_SYSTEMD_JOURNAL_EXPORT: len = rec->rec_header.systemd_journal_export_header.record_len; break;
    case REC_TYPE_CUSTOM_BLOCK:
        if (!rec->rec_header.custom_block_header.copy_allowed)
            return "a custom block whose writer forbids copying it";
        len = rec->rec_header.custom_block_header.length;
        break;
    case REC_TYPE_FT_SPECIFIC_EVENT:
    case REC_TYPE_FT_SPECIFIC_REPORT:
        return "a record of its file format that pcapng cannot hold";
    default:
        return "a kind of record pcapng cannot hold";
    }
    return len > WTAP_MAX_PACKET_SIZE_STANDARD ? "larger than a pcapng reader accepts" : NULL;
}

pcapng_write_status pcapng_writer_write_rec(pcapng_writer *w, const wtap_rec *rec, const uint8_t *data,
                                            size_t len, char **error)
{
    const char *why = unwritable(w, rec);
    if (why) {
        *error = g_strdup(why);
        return PCAPNG_WRITE_REJECTED;
    }
    if (!flush_out(w, error))
        return PCAPNG_WRITE_FAILED;
    int err = 0;
    gchar *err_info = NULL;
    w->wiretap_unflushed = true;
    w->run = 0;
    bool ok = ps_wtap_dump(w->dumper, rec, data, len, &w->scratch, &err, &err_info);
    w->dsbs_written = w->dsbs ? w->dsbs->len : 0;
    if (!ok) {
        *error = wtap_error("write", err, err_info);
        return PCAPNG_WRITE_FAILED;
    }
    return PCAPNG_WRITE_OK;
}

bool pcapng_writer_close(pcapng_writer *w, char **error)
{
    bool ok = true;
    if (w->dumper) {
        char *flush_error = NULL;
        if (!flush_out(w, &flush_error)) {
            ok = false;
            if (error)
                *error = flush_error;
            else
                g_free(flush_error);
        }
        stop_thread(w); /* before wiretap closes the descriptor */
        int err = 0;
        gchar *err_info = NULL;
        if (!wtap_dump_close(w->dumper, NULL, &err, &err_info) && ok) {
            ok = false;
            if (error)
                *error = wtap_error("close", err, err_info);
            else
                g_free(err_info);
        } else {
            g_free(err_info);
        }
    }
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    wtap_block_array_free(w->shb_hdrs);
    wtap_free_idb_info(w->idb_inf);
    g_array_free(w->ifaces, TRUE);
    g_free(w->out);
    ws_buffer_free(&w->scratch);
    g_free(w);
    return ok;
}
