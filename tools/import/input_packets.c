/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's packet captures (--packets): any file wiretap reads, its records copied with
 * their blocks, its interfaces and decryption secrets carried into the output. */
#include <inttypes.h>
#include <string.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "input.h"
#include "pcapng_writer.h"
#include "ws_compat.h"

typedef struct {
    int encap;
    unsigned id;
} synth_iface;

typedef struct {
    wtap *wth;
    ps_wtap_record read;  /* the record being read */
    GPtrArray *new_idbs;  /* wtap_block_t (owned by wth) not yet in the output */
    GArray *new_idb_sections;
    GPtrArray *sections;  /* per section, a GArray of output interface ids */
    guint cur_section;
    GArray *synth;        /* synth_iface */
    uint64_t records_seen;
    int64_t prev_ts;
} capture;

/* wiretap's secrets callback has no context argument: where it puts them, set when a capture opens. */
static GArray *secrets_sink;

static void on_secrets(guint32 type, const void *secrets, guint size)
{
    wtap_block_t dsb = wtap_block_create(WTAP_BLOCK_DECRYPTION_SECRETS);
    wtapng_dsb_mandatory_t *mand = wtap_block_get_mandatory_data(dsb);
    mand->secrets_type = type;
    mand->secrets_len = size;
    mand->secrets_data = g_memdup2(secrets, size);
    g_array_append_val(secrets_sink, dsb);
}

static char *wtap_message(int err, gchar *err_info)
{
    char *msg = g_strdup_printf("%s%s%s", wtap_strerror(err), err_info ? ": " : "", err_info ? err_info : "");
    g_free(err_info);
    return msg;
}

/* Anything no other kind recognised: wiretap tells when it opens the file. */
static bool recognise(importer *im, const input *in, const input_sample *sample)
{
    (void)im, (void)in, (void)sample;
    return true;
}

static void open_capture(importer *im, input *in)
{
    if (in->empty)
        return;
    int err = 0;
    gchar *err_info = NULL;
    wtap *wth = wtap_open_offline(in->path, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    if (!wth) {
        char *why = wtap_message(err, err_info);
        if (in->by_content)
            importer_die(im, PROGRAM ": %s: cannot tell what it holds: not tracee JSON lines, "
                         "Get-NetTCPConnection JSON or CSV, a Windows .etl trace, procshark-record events, nor a capture "
                         "file (wiretap: %s); name its kind with --tracee, --nettcp, --etl, --procrec or --packets",
                         in->name, why);
        importer_die(im, PROGRAM ": %s: cannot read it as a capture file: %s", in->name, why);
    }
    capture *c = g_new0(capture, 1);
    in->state = c;
    c->wth = wth;
    ps_wtap_record_init(&c->read, 1514);
    c->new_idbs = g_ptr_array_new();
    c->new_idb_sections = g_array_new(FALSE, FALSE, sizeof(guint));
    c->sections = g_ptr_array_new();
    c->synth = g_array_new(FALSE, FALSE, sizeof(synth_iface));
    /* Secrets read so far arrive at once; later ones while reading. */
    secrets_sink = importer_secrets(im);
    wtap_set_cb_new_secrets(wth, on_secrets);
    for (guint s = 0; s < wtap_file_get_num_shbs(wth); s++) {
        wtap_block_t shb = wtap_file_get_shb(wth, s);
        char *comment = NULL;
        for (guint i = 0; wtap_block_get_nth_string_option_value(shb, OPT_COMMENT, i, &comment) == WTAP_OPTTYPE_SUCCESS;
             i++)
            importer_add_shb_comment(im, comment);
    }
}

static GArray *section_ids(capture *c, guint section)
{
    while (c->sections->len <= section)
        g_ptr_array_add(c->sections, g_array_new(FALSE, FALSE, sizeof(unsigned)));
    return c->sections->pdata[section];
}

/* Interfaces the capture described since the last call: into the output at once when it is open,
 * else kept for its opening. They belong to the section of the record just read. */
static void collect_interfaces(importer *im, capture *c, guint section)
{
    wtap_block_t idb;
    while ((idb = wtap_get_next_interface_description(c->wth)) != NULL) {
        if (importer_writing(im)) {
            unsigned id = importer_add_interface(im, idb);
            g_array_append_val(section_ids(c, section), id);
        } else {
            g_ptr_array_add(c->new_idbs, idb);
            g_array_append_val(c->new_idb_sections, section);
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

static void read_record(importer *im, input *in)
{
    capture *c = in->state;
    int err = 0;
    gchar *err_info = NULL;
    int64_t offset = -1;
    if (!ps_wtap_read(c->wth, &c->read, &err, &err_info, &offset)) {
        in->eof = true;
        collect_interfaces(im, c, c->cur_section); /* interfaces after the last record */
        if (err == 0 && c->records_seen == 0 && wtap_read_so_far(c->wth) <= 0)
            importer_report_empty(im, in); /* a pipe that held nothing (an empty file was found when opened) */
        if (err == 0)
            return;
        char *why = wtap_message(err, err_info);
        if (err == WTAP_ERR_SHORT_READ) {
            char *more = g_strconcat(why, " (the file ends inside this record: a truncated file?)", NULL);
            g_free(why);
            why = more;
        }
        if (offset < 0)
            offset = wtap_read_so_far(c->wth);
        c->records_seen++;
        in->read++;
        if (err > 0) /* errno: the file could not be read */
            importer_die(im, PROGRAM ": %s: record %" PRIu64 " at byte %" PRId64 ": %s", in->name, c->records_seen,
                         offset, why);
        importer_rejected(im, in, "%s: record %" PRIu64 " at byte %" PRId64 ": %s", in->name, c->records_seen, offset,
                          why);
        g_free(why);
        return;
    }
    c->records_seen++;
    in->read++;
    wtap_rec *rec = &c->read.rec;
    if ((rec->presence_flags & WTAP_HAS_SECTION_NUMBER) && rec->section_number > c->cur_section)
        c->cur_section = rec->section_number;
    collect_interfaces(im, c, c->cur_section);

    int64_t ts = c->prev_ts;
    if (rec->presence_flags & WTAP_HAS_TS) {
        if (rec->ts.secs > INT64_MAX / NS_PER_S - 1 || rec->ts.secs < INT64_MIN / NS_PER_S + 1)
            ts = -1;
        else
            ts = (int64_t)rec->ts.secs * NS_PER_S + rec->ts.nsecs;
    }
    int64_t out_ts;
    if (ts < 0 || !input_shifted(in, ts, &out_ts)) {
        wtap_rec_reset(rec);
        importer_rejected(im, in, "%s: record %" PRIu64 " at byte %" PRId64 ": its time stamp%s falls outside 1970 "
                          "to 2262", in->name, c->records_seen, offset, in->shift_ns ? " plus --time-shift" : "");
        return;
    }
    c->prev_ts = ts;
    size_t len = record_data_len(rec);
    pending *p = importer_capture_pending(im, len);
    p->ts = out_ts;
    p->number = c->records_seen;
    p->offset = offset;
    ps_wtap_rec_move_header(p->rec, rec); /* the block (comments, flags ...) moves with the record */
    if ((rec->presence_flags & WTAP_HAS_TS) && in->shift_ns) {
        p->rec->ts.secs = (time_t)(out_ts / NS_PER_S);
        p->rec->ts.nsecs = (int)(out_ts % NS_PER_S);
    }
    p->len = len;
    if (len)
        memcpy(p->data, ws_buffer_start_ptr(ps_wtap_record_buffer(&c->read)), len);
    importer_buffer(im, in, p);
}

static unsigned reorder_records(const input *in)
{
    (void)in;
    return REORDER_CAPTURE_RECORDS;
}

static uint64_t bytes_read(const input *in)
{
    const capture *c = in->state;
    return (uint64_t)MAX(wtap_read_so_far(c->wth), 0);
}

/* The interfaces described before its first records were read. */
static void describe(importer *im, input *in, output_interfaces *ifs)
{
    (void)im;
    capture *c = in->state;
    if (!c)
        return;
    for (guint k = 0; k < c->new_idbs->len; k++) {
        unsigned id = output_interfaces_add(ifs, c->new_idbs->pdata[k]);
        g_array_append_val(section_ids(c, g_array_index(c->new_idb_sections, guint, k)), id);
    }
    g_ptr_array_set_size(c->new_idbs, 0);
    g_array_set_size(c->new_idb_sections, 0);
}

/* Its capture's interface, or one made for a link type that came without one. */
static unsigned packet_interface(importer *im, input *in, const pending *p)
{
    capture *c = in->state;
    const wtap_rec *rec = p->rec;
    int encap = rec->rec_header.packet_header.pkt_encap;
    guint section = (rec->presence_flags & WTAP_HAS_SECTION_NUMBER) ? rec->section_number : 0;
    guint local = (rec->presence_flags & WTAP_HAS_INTERFACE_ID) ? rec->rec_header.packet_header.interface_id : 0;
    if (section < c->sections->len) {
        GArray *ids = c->sections->pdata[section];
        if (local < ids->len && importer_interface_encap(im, g_array_index(ids, unsigned, local)) == encap)
            return g_array_index(ids, unsigned, local);
    }
    for (guint i = 0; i < c->synth->len; i++)
        if (g_array_index(c->synth, synth_iface, i).encap == encap)
            return g_array_index(c->synth, synth_iface, i).id;
    char *base = g_path_get_basename(in->path);
    char *description = g_strdup_printf("packets from %s", in->name);
    const pcapng_interface iface = {encap, base, description};
    wtap_block_t idb = pcapng_interface_block(&iface);
    unsigned id = importer_add_interface(im, idb);
    wtap_block_unref(idb);
    g_free(base);
    g_free(description);
    synth_iface s = {encap, id};
    g_array_append_val(c->synth, s);
    return id;
}

/* Interfaces no record used. */
static void finish(importer *im, input *in)
{
    capture *c = in->state;
    if (c)
        collect_interfaces(im, c, c->cur_section);
}

static void close_capture(input *in)
{
    capture *c = in->state;
    wtap_close(c->wth);
    ps_wtap_record_cleanup(&c->read);
    g_ptr_array_free(c->new_idbs, TRUE);
    g_array_free(c->new_idb_sections, TRUE);
    for (guint s = 0; s < c->sections->len; s++)
        g_array_free(c->sections->pdata[s], TRUE);
    g_ptr_array_free(c->sections, TRUE);
    g_array_free(c->synth, TRUE);
    g_free(c);
}

const input_kind input_packets = {
    .name = "packets",
    .argument = "CAPTURE",
    .help = "any capture file Wireshark reads (pcap, pcapng, compressed ...)",
    .recognise = recognise,
    .open = open_capture,
    .read = read_record,
    .reorder_records = reorder_records,
    .bytes_read = bytes_read,
    .describe = describe,
    .packet_interface = packet_interface,
    .finish = finish,
    .close = close_capture,
};
