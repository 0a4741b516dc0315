/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's Get-NetTCPConnection and Get-NetUDPEndpoint rows (--nettcp): ConvertTo-Json
 * or Export-Csv output. One option for both: the same source, dissector and snapshot time, and
 * the decoder tells a row's kind (docs/FORMATS.md section 5), so one file may hold both. A row has
 * no time of its own: every row is at the snapshot's time (--snapshot-time, else the file's
 * modification time). */
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "input_text.h"
#include "nettcp_row.h"

static bool recognise(importer *im, const input *in, const input_sample *sample)
{
    if (*sample->start == '{')
        return text_records_object_kind(im, in, sample) == &input_nettcp;
    return *sample->start == '[' || g_str_has_prefix(sample->first_line, "#TYPE") ||
           strstr(sample->first_line, "LocalAddress");
}

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

static bool record_time(const text_records *t, const GString *payload, int64_t *ts, char **why)
{
    nettcp_row row;
    bool ok = nettcp_row_decode(payload->str, payload->len, &row);
    if (!ok) {
        *why = g_strdup(ps_problems_first(&row.problems)->message);
    } else if (!row.has[NETTCP_LOCAL_ADDRESS] && !row.has[NETTCP_OWNING_PROCESS] &&
               !problem_about(&row.problems, "LocalAddress") && !problem_about(&row.problems, "OwningProcess")) {
        *why = g_strdup("neither LocalAddress nor OwningProcess: not a Get-NetTCPConnection or Get-NetUDPEndpoint row");
        ok = false;
    } else {
        *ts = t->snapshot_ns;
    }
    nettcp_row_clear(&row);
    return ok;
}

static const text_records_kind nettcp_records = {TEXT_JSON_OR_CSV, "Get-NetTCPConnection or Get-NetUDPEndpoint rows",
                                              record_time};

static void open_rows(importer *im, input *in)
{
    text_records_open(im, in, &nettcp_records);
}

/* Its snapshot time: from --snapshot-time, else the file's modification time. */
static void settle(importer *im, input *in)
{
    text_records *t = in->state;
    const GPtrArray *snapshots = importer_snapshot_times(im);
    bool given = false;
    for (guint k = 0; k < snapshots->len; k++) {
        snapshot_time *s = snapshots->pdata[k];
        struct stat st;
        bool match = !s->file || strcmp(s->file, in->path) == 0 ||
                     (stat(s->file, &st) == 0 && !in->is_stdin && st.st_dev == in->st.st_dev &&
                      st.st_ino == in->st.st_ino);
        if (match) {
            t->snapshot_ns = s->ns; /* the last one given wins; a file's own beats the general one */
            given = true;
            s->used = true;
            if (s->file)
                break;
        }
    }
    if (!given) {
        if (!S_ISREG(in->st.st_mode))
            importer_usage_error(im, "%s is not a file, so it has no modification time: give --snapshot-time",
                                 in->name);
        t->snapshot_ns = (int64_t)in->st.st_mtim.tv_sec * NS_PER_S + in->st.st_mtim.tv_nsec;
    }
}

const input_kind input_nettcp = {
    .source = &ps_source_nettcp,
    .argument = "FILE",
    .help = "Get-NetTCPConnection or Get-NetUDPEndpoint\n| ConvertTo-Json, or | Export-Csv",
    .recognise = recognise,
    .open = open_rows,
    .settle = settle,
    .read = text_records_read,
    .reorder_records = text_records_reorder,
    .bytes_read = text_records_bytes_read,
    .describe = text_records_describe,
    .close = text_records_close,
};
