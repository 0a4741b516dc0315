/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's text records (input_text.h): what tracee and Get-NetTCPConnection inputs share,
 * from telling them apart to reading and framing their records. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>

#include "input_text.h"
#include "ps_json.h"
#include "upper_pdu.h"

#define RECORD_MAX ((size_t)WTAP_MAX_PACKET_SIZE_STANDARD) /* what Wireshark reads back */

/* --- recognising ------------------------------------------------------------------------------ */

static const char *const tracee_keys[] = {"eventName", "workload", "timestamp", NULL};
static const char *const nettcp_keys[] = {"LocalAddress", "OwningProcess", NULL};

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

const input_kind *text_records_object_kind(importer *im, const input *in, const input_sample *sample)
{
    const input_kind *kind = NULL;
    int fd = open(in->path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        text_reader *r = text_reader_new(fd, in->name, TEXT_JSON_VALUES, RECORD_MAX);
        text_item item;
        if (text_reader_next(r, &item) == TEXT_RECORD) {
            ps_json *obj = ps_json_parse_object(item.payload->str, item.payload->len, NULL);
            for (const char *const *k = tracee_keys; obj && !kind && *k; k++)
                if (ps_json_get(obj, *k))
                    kind = &input_tracee;
            for (const char *const *k = nettcp_keys; obj && !kind && *k; k++)
                if (ps_json_get(obj, *k))
                    kind = &input_nettcp;
            ps_json_free(obj);
        }
        text_reader_free(r);
        close(fd);
    }
    /* An object that does not parse: the keys its text holds. */
    if (!kind && has_key_text(sample->text, tracee_keys))
        kind = &input_tracee;
    if (!kind && has_key_text(sample->text, nettcp_keys))
        kind = &input_nettcp;
    if (!kind)
        importer_die(im, PROGRAM ": %s: a JSON object with neither tracee's keys (eventName, workload, timestamp) nor "
                     "Get-NetTCPConnection's or Get-NetUDPEndpoint's (LocalAddress, OwningProcess): give its kind with "
                     "--tracee or --nettcp",
                     in->name);
    return kind;
}

/* --- reading ---------------------------------------------------------------------------------- */

void text_records_open(importer *im, input *in, const text_records_kind *kind)
{
    text_records *t = g_new0(text_records, 1);
    in->state = t;
    t->kind = kind;
    t->fd = -1;
    t->max_payload = RECORD_MAX - (4 + strlen(in->kind->source->pdu_dissector) + 4);
    if (in->empty)
        return;
    t->fd = in->is_stdin ? STDIN_FILENO : open(in->path, O_RDONLY | O_CLOEXEC);
    if (t->fd < 0)
        importer_die(im, PROGRAM ": %s: cannot open: %s", in->name, g_strerror(errno));
    t->reader = text_reader_new(t->fd, in->name, kind->format, t->max_payload);
}

void text_records_read(importer *im, input *in)
{
    text_records *t = in->state;
    text_item item;
    text_status s = text_reader_next(t->reader, &item);
    switch (s) {
    case TEXT_END:
        in->eof = true;
        if (!text_reader_saw_content(t->reader) && in->read == 0)
            importer_report_empty(im, in);
        return;
    case TEXT_IO_ERROR:
        importer_die(im, PROGRAM ": %s: %s", item.where, item.reason);
    case TEXT_REJECT:
        in->read++;
        importer_rejected(im, in, "%s: %s", item.where, item.reason);
        if (item.fatal)
            in->eof = true;
        return;
    case TEXT_RECORD:
        break;
    }
    in->read++;
    int64_t ts = 0;
    char *why = NULL;
    if (!t->kind->record_time(t, item.payload, &ts, &why)) {
        importer_rejected(im, in, "%s: %s", item.where, why);
        g_free(why);
        return;
    }
    int64_t out_ts;
    if (!input_shifted(in, ts, &out_ts)) {
        importer_rejected(im, in, "%s: the time stamp plus --time-shift falls outside 1970 to 2262", item.where);
        return;
    }
    GByteArray *frame = upper_pdu_frame(in->kind->source->pdu_dissector, (const uint8_t *)item.payload->str, item.payload->len);
    pending *p = g_new0(pending, 1);
    p->ts = out_ts;
    p->len = frame->len;
    p->data = g_byte_array_free(frame, FALSE);
    importer_buffer(im, in, p);
}

unsigned text_records_reorder(const input *in)
{
    (void)in;
    return REORDER_RECORDS;
}

uint64_t text_records_bytes_read(const input *in)
{
    const text_records *t = in->state;
    return text_reader_bytes_read(t->reader);
}

/* The interface of its records, an empty input's too. */
void text_records_describe(importer *im, input *in, output_interfaces *ifs)
{
    (void)im;
    const text_records *t = in->state;
    char *description = g_strdup_printf("%s from %s", t->kind->what, in->is_stdin ? "standard input" : in->path);
    in->out_iface = output_interfaces_add_records(ifs, in, WTAP_ENCAP_WIRESHARK_UPPER_PDU, description);
    g_free(description);
}

void text_records_close(input *in)
{
    text_records *t = in->state;
    text_reader_free(t->reader);
    if (t->fd > STDIN_FILENO)
        close(t->fd);
    g_free(t);
}
