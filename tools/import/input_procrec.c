/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's procshark-record events (--procrec): a header, then fixed-size binary records
 * (docs/FORMATS.md section 11), each written as an exported PDU at the time it carries. Only the
 * size is checked here: the plugin reports each field's problems on the record itself. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "input.h"
#include "procrec_event.h"
#include "ps_bytes.h"
#include "upper_pdu.h"

typedef struct {
    int fd;
    procrec_header header;
    uint8_t *record; /* header.record_size bytes */
    uint64_t offset; /* of the next record in the file */
    uint64_t number; /* of the next record, from 1 */
} events;

static bool recognise(importer *im, const input *in, const input_sample *sample)
{
    (void)im, (void)in;
    return procrec_recognise(sample->head, sample->head_len);
}

/* Up to len bytes, fewer only at the end of the input. */
static size_t read_full(importer *im, const input *in, int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            importer_die(im, PROGRAM ": %s: cannot read: %s", in->name, g_strerror(errno));
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static void open_events(importer *im, input *in)
{
    events *e = g_new0(events, 1);
    in->state = e;
    e->fd = -1;
    e->number = 1;
    if (in->empty)
        return;
    e->fd = in->is_stdin ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
    if (e->fd < 0)
        importer_die(im, PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
    uint8_t head[PROCREC_HEADER_SIZE];
    size_t got = read_full(im, in, e->fd, head, sizeof head);
    if (got == 0) { /* a pipe with nothing in it */
        in->empty = true;
        return;
    }
    ps_problems problems = {0};
    if (!procrec_header_decode(head, got, &e->header, &problems)) {
        const ps_problem *p = ps_problems_first(&problems);
        importer_die(im, PROGRAM ": %s: header at byte %zu: %s", in->name, p->offset, p->message);
    }
    e->offset = PROCREC_HEADER_SIZE;
    e->record = g_malloc(e->header.record_size);
}

static void read_event(importer *im, input *in)
{
    events *e = in->state;
    const size_t size = e->header.record_size;
    const size_t got = read_full(im, in, e->fd, e->record, size);
    const uint64_t number = e->number++, offset = e->offset;
    e->offset += got;
    if (got == 0) {
        in->eof = true;
        if (in->read == 0)
            importer_report_empty(im, in);
        return;
    }
    in->read++;
    if (got < size) {
        in->eof = true;
        importer_rejected(im, in, "%s: record %" PRIu64 " at byte %" PRIu64 ": truncated: it ends after %zu of its %zu bytes",
                          in->name, number, offset, got, size);
        return;
    }
    const uint64_t ns = ps_le64(e->record + PROCREC_OFF_TIME);
    int64_t out_ts;
    if (ns > INT64_MAX || !input_shifted(in, (int64_t)ns, &out_ts)) {
        importer_rejected(im, in, "%s: record %" PRIu64 " at byte %" PRIu64 ": its time stamp%s falls outside 1970 to "
                          "2262", in->name, number, offset, in->shift_ns ? " plus --time-shift" : "");
        return;
    }
    /* What version 1 defines: a later version's further bytes mean nothing to the plugin. */
    GByteArray *frame = upper_pdu_frame(in->kind->source->pdu_dissector, e->record, PROCREC_RECORD_SIZE);
    pending *p = importer_record_pending(im, frame->len);
    p->ts = out_ts;
    p->len = frame->len;
    memcpy(p->data, frame->data, frame->len);
    g_byte_array_free(frame, TRUE);
    importer_buffer(im, in, p);
}

static unsigned reorder_records(const input *in)
{
    (void)in;
    return REORDER_RECORDS; /* the recorder's per-processor buffers come out slightly out of order */
}

static uint64_t bytes_read(const input *in)
{
    const events *e = in->state;
    return e->offset;
}

/* The interface of its records, an empty input's too. */
static void describe(importer *im, input *in, output_interfaces *ifs)
{
    (void)im;
    char *description = g_strdup_printf("%s from %s", in->kind->source->title,
                                        in->is_stdin ? "standard input" : in->path);
    in->out_iface = output_interfaces_add_records(ifs, in, WTAP_ENCAP_WIRESHARK_UPPER_PDU, description);
    g_free(description);
}

static void close_events(input *in)
{
    events *e = in->state;
    if (e->fd > STDIN_FILENO)
        close(e->fd);
    g_free(e->record);
    g_free(e);
}

const input_kind input_procrec = {
    .source = &ps_source_procrec,
    .argument = "FILE",
    .help = "procshark-record events ('-': standard input)",
    .recognise = recognise,
    .open = open_events,
    .read = read_event,
    .reorder_records = reorder_records,
    .bytes_read = bytes_read,
    .describe = describe,
    .close = close_events,
};
