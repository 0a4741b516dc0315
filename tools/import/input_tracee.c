/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's tracee events (--tracee): tracee --output json, one event per line, each
 * at the time stamp it carries. */
#include <stdint.h>

#include <glib.h>

#include "input_text.h"
#include "tracee_event.h"

static bool recognise(importer *im, const input *in, const input_sample *sample)
{
    return *sample->start == '{' && text_records_object_kind(im, in, sample) == &input_tracee;
}

static bool record_time(const text_records *t, const GString *payload, int64_t *ts, char **why)
{
    (void)t;
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

static const text_records_kind tracee_records = {TEXT_JSON_LINES, "tracee events", record_time};

static void open_events(importer *im, input *in)
{
    text_records_open(im, in, &tracee_records);
}

const input_kind input_tracee = {
    .source = &ps_source_tracee,
    .argument = "FILE",
    .help = "tracee --output json lines ('-': standard input)",
    .recognise = recognise,
    .open = open_events,
    .read = text_records_read,
    .reorder_records = text_records_reorder,
    .bytes_read = text_records_bytes_read,
    .describe = text_records_describe,
    .close = text_records_close,
};
