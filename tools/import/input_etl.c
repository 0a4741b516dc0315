/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's Windows .etl traces (--etl), read by src/etl/etl_input.c: every event as an
 * ETW record on the trace's own interface, NDIS and pktmon packet captures as frames on interfaces
 * made when first used. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "etl_input.h"
#include "input.h"
#include "pcapng_writer.h"

typedef struct {
    int fd;
    etl_input *etl; /* NULL: nothing in it */
    GArray *ifaces; /* unsigned: output interface of each of the reader's, UINT_MAX until used */
} trace;

static bool recognise(importer *im, const input *in, const input_sample *sample)
{
    (void)im, (void)in;
    return etl_input_recognise(sample->head, sample->head_len);
}

static void open_trace(importer *im, input *in)
{
    if (in->empty)
        return;
    trace *t = g_new0(trace, 1);
    in->state = t;
    t->fd = in->is_stdin ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
    if (t->fd < 0)
        importer_die(im, PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
    char *error = NULL;
    t->etl = etl_input_open(t->fd, in->name, &error);
    if (!t->etl && !error) { /* a pipe with nothing in it */
        in->empty = true;
        return;
    }
    if (!t->etl)
        importer_die(im, PROGRAM ": %s", error);
    etl_input_set_all_appearances(t->etl, importer_all_appearances(im));
    t->ifaces = g_array_new(FALSE, FALSE, sizeof(unsigned));
}

static void read_event(importer *im, input *in)
{
    trace *t = in->state;
    etl_item item;
    const etl_item_kind kind = etl_input_next(t->etl, &item);
    switch (kind) {
    case ETL_ITEM_END:
        in->eof = true;
        return;
    case ETL_ITEM_IO_ERROR:
        importer_die(im, PROGRAM ": %s", item.reason);
    case ETL_ITEM_REJECT:
        in->read++;
        importer_rejected(im, in, "%s: %s", item.where, item.reason);
        return;
    case ETL_ITEM_RECORD:
    case ETL_ITEM_PACKET:
        break;
    }
    in->read++;
    int64_t out_ts;
    if (!input_shifted(in, item.ts_ns, &out_ts)) {
        importer_rejected(im, in, "%s: an event whose time stamp plus --time-shift falls outside 1970 to 2262",
                          in->name);
        return;
    }
    /* A frame's comment is kept after its bytes: item's is valid until the next call. */
    const size_t comment_size = kind == ETL_ITEM_PACKET ? strlen(item.comment) + 1 : 0;
    pending *p = importer_record_pending(im, item.len + comment_size);
    p->ts = out_ts;
    p->len = item.len;
    memcpy(p->data, item.data, item.len);
    if (kind == ETL_ITEM_PACKET) {
        p->packet = true;
        p->iface = item.iface;
        p->meta = (pcapng_packet_meta){
            .flags = item.epb_flags,
            .comment = memcpy(p->data + item.len, item.comment, comment_size),
            .orig_len = item.orig_len,
            .has_packet_id = item.has_packet_id,
            .packet_id = item.packet_id,
            .xdp_drop = item.dropped,
        };
    }
    importer_buffer(im, in, p);
}

/* Time ordered when the reader could merge the processors' buffers; else many buffers' worth. */
static unsigned reorder_records(const input *in)
{
    const trace *t = in->state;
    return t && t->etl && etl_input_time_ordered(t->etl) ? REORDER_CAPTURE_RECORDS : REORDER_ETL_RECORDS;
}

/* The interface of its ETW records. */
static void describe(importer *im, input *in, output_interfaces *ifs)
{
    (void)im;
    const trace *t = in->state;
    if (!t || !t->etl)
        return;
    const etl_trace_info *info = etl_input_trace(t->etl);
    char *description = g_strdup_printf("ETW events from %s (logger %s, Windows build %" PRIu32 ")",
                                        in->is_stdin ? "standard input" : in->path,
                                        info->logger_name[0] ? info->logger_name : "unnamed", info->provider_version);
    in->out_iface = output_interfaces_add_records(ifs, in, WTAP_ENCAP_ETW, description);
    g_free(description);
}

/* The output interface of one of the reader's: made when first used. */
static unsigned packet_interface(importer *im, input *in, const pending *p)
{
    trace *t = in->state;
    unsigned reader_iface = p->iface;
    while (t->ifaces->len <= reader_iface) {
        unsigned none = UINT_MAX;
        g_array_append_val(t->ifaces, none);
    }
    unsigned *id = &g_array_index(t->ifaces, unsigned, reader_iface);
    if (*id == UINT_MAX) {
        const etl_interface *e = etl_input_interface(t->etl, reader_iface);
        const pcapng_interface iface = {e->wtap_encap, e->name, e->description};
        wtap_block_t idb = pcapng_interface_block(&iface);
        *id = importer_add_interface(im, idb);
        wtap_block_unref(idb);
    }
    return *id;
}

/* A line of its own: a message escapes line breaks. */
static void summarise(importer *im, const input *in)
{
    const trace *t = in->state;
    if (!t || !t->etl)
        return;
    const etl_input_stats *st = etl_input_stats_of(t->etl);
    GString *line = g_string_new(NULL);
    g_string_printf(line, "    %" PRIu64 " buffers (%" PRIu64 " compressed, %" PRIu64 " rejected), %" PRIu64
                    " events: %" PRIu64 " ETW records, %" PRIu64 " frames from %" PRIu64 " NDIS packet fragments",
                    st->buffers, st->compressed, st->buffers_rejected, st->events, st->records, st->packets,
                    st->packet_events);
    if (st->pktmon_events)
        g_string_append_printf(line, "; %" PRIu64 " pktmon packet events: %" PRIu64 " frames (%" PRIu64
                               " of them drops), %" PRIu64 " further appearances of a packet folded into its "
                               "first (--all-appearances writes them), %" PRIu64 " of a type no link type fits "
                               "written as ETW records",
                               st->pktmon_events, st->pktmon_frames, st->pktmon_drops, st->pktmon_folded,
                               st->pktmon_records);
    if (st->extended_items)
        g_string_append_printf(line, "; %" PRIu64 " extended data items (stacks, SIDs, TraceLogging schemas) "
                               "left out: the 4.0 record has no place for them", st->extended_items);
    importer_message(im, "%s", line->str);
    g_string_free(line, TRUE);
}

static void close_trace(input *in)
{
    trace *t = in->state;
    etl_input_free(t->etl);
    if (t->ifaces)
        g_array_free(t->ifaces, TRUE);
    if (t->fd > STDIN_FILENO)
        close(t->fd);
    g_free(t);
}

const input_kind input_etl = {
    .source = &ps_source_etw,
    .argument = "FILE",
    .help = "a Windows .etl trace (netsh trace, pktmon, wpr, xperf, logman):\n"
            "every event as an ETW record, NDIS and pktmon packets as frames",
    .recognise = recognise,
    .open = open_trace,
    .read = read_event,
    .reorder_records = reorder_records,
    .describe = describe,
    .packet_interface = packet_interface,
    .summarise = summarise,
    .close = close_trace,
};
