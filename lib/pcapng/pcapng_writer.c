/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcapng_writer.h"

#include <glib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <wiretap/wtap.h>
#include <wsutil/wslog.h>

#include "ws_compat.h"

struct pcapng_writer {
    wtap_dumper *dumper;
    GArray *encaps; /* int per interface */
    GArray *shb_hdrs;
    wtapng_iface_descriptions_t *idb_inf;
    Buffer scratch; /* the bytes of the record being written, where wiretap wants them in the record */
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
    pcapng_writer *w = g_new0(pcapng_writer, 1);
    w->encaps = g_array_new(FALSE, FALSE, sizeof(int));
    ws_buffer_init(&w->scratch, 0);

    wtap_block_t shb = wtap_block_create(WTAP_BLOCK_SECTION);
    const char *appl = "procshark";
    wtap_block_add_string_option(shb, OPT_SHB_USERAPPL, appl, strlen(appl));
    w->shb_hdrs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    g_array_append_val(w->shb_hdrs, shb);

    w->idb_inf = g_new0(wtapng_iface_descriptions_t, 1);
    w->idb_inf->interface_data = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    for (size_t i = 0; i < count; i++) {
        wtap_block_t idb = wtap_block_create(WTAP_BLOCK_IF_ID_AND_INFO);
        wtapng_if_descr_mandatory_t *mand = wtap_block_get_mandatory_data(idb);
        mand->wtap_encap = interfaces[i].wtap_encap;
        mand->time_units_per_second = 1000000000;
        mand->tsprecision = WTAP_TSPREC_NSEC;
        mand->snap_len = WTAP_MAX_PACKET_SIZE_STANDARD;
        wtap_block_add_uint8_option(idb, OPT_IDB_TSRESOL, 9);
        if (interfaces[i].name)
            wtap_block_add_string_option(idb, OPT_IDB_NAME, interfaces[i].name, strlen(interfaces[i].name));
        if (interfaces[i].description)
            wtap_block_add_string_option(idb, OPT_IDB_DESCRIPTION, interfaces[i].description,
                                         strlen(interfaces[i].description));
        g_array_append_val(w->idb_inf->interface_data, idb);
        g_array_append_val(w->encaps, interfaces[i].wtap_encap);
    }

    const wtap_dump_params params = {
        .encap = WTAP_ENCAP_PER_PACKET,
        .snaplen = WTAP_MAX_PACKET_SIZE_STANDARD,
        .tsprec = WTAP_TSPREC_NSEC,
        .shb_hdrs = w->shb_hdrs,
        .idb_inf = w->idb_inf,
    };
    int err = 0;
    gchar *err_info = NULL;
    w->dumper = wtap_dump_open(path, wtap_pcapng_file_type_subtype(), WTAP_UNCOMPRESSED, &params, &err,
                               &err_info);
    if (!w->dumper) {
        *error = wtap_error(path, err, err_info);
        pcapng_writer_close(w, NULL);
        return NULL;
    }
    return w;
}

bool pcapng_writer_write(pcapng_writer *w, unsigned interface_id, int64_t ts_ns, const uint8_t *data,
                         size_t len, const char *comment, char **error)
{
    if (interface_id >= w->encaps->len || len > WTAP_MAX_PACKET_SIZE_STANDARD) {
        *error = g_strdup_printf("record of %zu bytes for interface %u cannot be written", len, interface_id);
        return false;
    }
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
    rec.rec_header.packet_header.len = (guint32)len;
    rec.rec_header.packet_header.pkt_encap = g_array_index(w->encaps, int, interface_id);
    rec.rec_header.packet_header.interface_id = interface_id;
    if (comment) {
        rec.block = wtap_block_create(WTAP_BLOCK_PACKET);
        wtap_block_add_string_option(rec.block, OPT_COMMENT, comment, strlen(comment));
    }
    int err = 0;
    gchar *err_info = NULL;
    bool ok = ps_wtap_dump(w->dumper, &rec, data, len, &w->scratch, &err, &err_info);
    wtap_rec_cleanup(&rec);
    if (!ok)
        *error = wtap_error("write", err, err_info);
    return ok;
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

static int idb_encap(wtap_block_t idb)
{
    return ((const wtapng_if_descr_mandatory_t *)wtap_block_get_mandatory_data(idb))->wtap_encap;
}

pcapng_writer *pcapng_writer_fdopen(int fd, const char *path, const GArray *idbs, const char *const *shb_comments,
                                    const GArray *dsbs, const char *application, char **error)
{
    pcapng_writer *w = g_new0(pcapng_writer, 1);
    w->encaps = g_array_new(FALSE, FALSE, sizeof(int));
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
        int encap = idb_encap(idb);
        g_array_append_val(w->idb_inf->interface_data, idb);
        g_array_append_val(w->encaps, encap);
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
    return w;
}

bool pcapng_writer_add_interface(pcapng_writer *w, wtap_block_t idb, unsigned *id, char **error)
{
    int err = 0;
    gchar *err_info = NULL;
    if (!wtap_dump_add_idb(w->dumper, idb, &err, &err_info)) {
        *error = wtap_error("write an interface", err, err_info);
        return false;
    }
    int encap = idb_encap(idb);
    g_array_append_val(w->encaps, encap);
    *id = w->encaps->len - 1;
    return true;
}

unsigned pcapng_writer_interface_count(const pcapng_writer *w)
{
    return w->encaps->len;
}

int pcapng_writer_interface_encap(const pcapng_writer *w, unsigned id)
{
    return id < w->encaps->len ? g_array_index(w->encaps, int, id) : -1;
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
    int err = 0;
    gchar *err_info = NULL;
    if (!ps_wtap_dump(w->dumper, rec, data, len, &w->scratch, &err, &err_info)) {
        *error = wtap_error("write", err, err_info);
        return PCAPNG_WRITE_FAILED;
    }
    return PCAPNG_WRITE_OK;
}

bool pcapng_writer_close(pcapng_writer *w, char **error)
{
    bool ok = true;
    if (w->dumper) {
        int err = 0;
        gchar *err_info = NULL;
        if (!wtap_dump_close(w->dumper, NULL, &err, &err_info)) {
            ok = false;
            if (error)
                *error = wtap_error("close", err, err_info);
            else
                g_free(err_info);
        }
    }
    wtap_block_array_free(w->shb_hdrs);
    wtap_free_idb_info(w->idb_inf);
    g_array_free(w->encaps, TRUE);
    ws_buffer_free(&w->scratch);
    g_free(w);
    return ok;
}
