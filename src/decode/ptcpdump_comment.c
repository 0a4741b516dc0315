/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptcpdump's comments are lines "Key: value" (docs/FORMATS.md section 7). ptcpdump writes values as
 * they are, without escaping: an argument holding a newline splits the Args line, and what follows
 * reads as a line of its own. Keys are read as ptcpdump's own reader does, aliases included. */
#include "ptcpdump_comment.h"

#include <string.h>

#include "ps_text.h"

static const struct {
    const char *key;
    ptcpdump_key id;
} keys[] = {
    {"PID", PTCPDUMP_PID},
    {"Cmd", PTCPDUMP_CMD},
    {"Command", PTCPDUMP_CMD}, /* ptcpdump's reader takes both */
    {"Args", PTCPDUMP_ARGS},
    {"ThreadId", PTCPDUMP_TID},
    {"TID", PTCPDUMP_TID},
    {"ThreadName", PTCPDUMP_THREAD_NAME},
    {"UserId", PTCPDUMP_UID},
    {"ParentPID", PTCPDUMP_PPID},
    {"ParentCmd", PTCPDUMP_PARENT_CMD},
    {"ParentCommand", PTCPDUMP_PARENT_CMD},
    {"ParentArgs", PTCPDUMP_PARENT_ARGS},
    {"ContainerName", PTCPDUMP_CONTAINER_NAME},
    {"ContainerId", PTCPDUMP_CONTAINER_ID},
    {"ContainerImage", PTCPDUMP_CONTAINER_IMAGE},
    {"ContainerLabels", PTCPDUMP_CONTAINER_LABELS},
    {"PodName", PTCPDUMP_POD_NAME},
    {"PodNamespace", PTCPDUMP_POD_NAMESPACE},
    {"PodUID", PTCPDUMP_POD_UID},
    {"PodLabels", PTCPDUMP_POD_LABELS},
    {"PodAnnotations", PTCPDUMP_POD_ANNOTATIONS},
};

static const char *const key_names[PTCPDUMP_KEY_COUNT] = {
    "PID", "Cmd", "Args", "ThreadId", "ThreadName", "UserId", "ParentPID", "ParentCmd", "ParentArgs",
    "ContainerName", "ContainerId", "ContainerImage", "ContainerLabels", "PodName", "PodNamespace",
    "PodUID", "PodLabels", "PodAnnotations",
};

const char *ptcpdump_key_name(ptcpdump_key key) { return key < PTCPDUMP_KEY_COUNT ? key_names[key] : "?"; }

static bool is_number_key(ptcpdump_key k)
{
    return k == PTCPDUMP_PID || k == PTCPDUMP_TID || k == PTCPDUMP_UID || k == PTCPDUMP_PPID;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/* [*from, *to) without the ASCII white space at either end (Go's TrimSpace, for ASCII). */
static void trim(const char *s, size_t *from, size_t *to)
{
    while (*from < *to && is_space(s[*from]))
        (*from)++;
    while (*to > *from && is_space(s[*to - 1]))
        (*to)--;
}

static bool find_key(const char *s, size_t len, ptcpdump_key *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        if (strlen(keys[i].key) == len && memcmp(keys[i].key, s, len) == 0) {
            *out = keys[i].id;
            return true;
        }
    return false;
}

/* A decimal up to UINT32_MAX, nothing else: ptcpdump's Atoi would take a sign, which no pid has. */
static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 10)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

typedef struct {
    size_t from, to;     /* the line, trimmed */
    bool keyed;
    ptcpdump_key key;
    size_t value, value_end;
} line;

void ptcpdump_comment_add(ptcpdump_info *info, const char *comment, size_t len)
{
    if (len == 0)
        return;
    size_t bad;
    if (!ps_text_valid_utf8(comment, len, &bad)) {
        /* Reported only when it starts with a ptcpdump key: a person's note in Latin-1 is not ours. */
        const char *colon = memchr(comment, ':', len);
        ptcpdump_key k;
        if (colon && find_key(comment, (size_t)(colon - comment), &k))
            ps_problems_add(&info->problems, PTCPDUMP_BAD_TEXT, bad, 1,
                            "ptcpdump comment is not valid UTF-8 at byte %zu: skipped", bad);
        return;
    }
    /* Lines first, so that a comment without any ptcpdump key (a person's) stays silent. */
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(line));
    bool ours = false;
    for (size_t start = 0; start <= len;) {
        const char *nl = memchr(comment + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - comment) : len;
        line l = {.from = start, .to = end};
        trim(comment, &l.from, &l.to);
        const char *colon = memchr(comment + l.from, ':', l.to - l.from);
        if (colon) {
            size_t kf = l.from, kt = (size_t)(colon - comment);
            trim(comment, &kf, &kt);
            l.keyed = find_key(comment + kf, kt - kf, &l.key);
            l.value = (size_t)(colon - comment) + 1;
            l.value_end = l.to;
            trim(comment, &l.value, &l.value_end);
            ours = ours || l.keyed;
        }
        if (l.to > l.from)
            g_array_append_val(lines, l);
        start = end + 1;
    }
    if (ours)
        info->any = true;
    for (guint i = 0; ours && i < lines->len; i++) {
        const line *l = &g_array_index(lines, line, i);
        if (!memchr(comment + l->from, ':', l->to - l->from)) {
            ps_problems_add(&info->problems, PTCPDUMP_STRAY_LINE, l->from, l->to - l->from,
                            "ptcpdump comment line at byte %zu has no key: a value holding a newline?",
                            l->from);
            continue;
        }
        if (!l->keyed)
            continue; /* a key of a later ptcpdump, or another tool's: ignored as ptcpdump does */
        const char *v = comment + l->value;
        const size_t vlen = l->value_end - l->value;
        if (info->value[l->key]) {
            if (strlen(info->value[l->key]) != vlen || memcmp(info->value[l->key], v, vlen) != 0)
                ps_problems_add(&info->problems, PTCPDUMP_CONFLICT, l->from, l->to - l->from,
                                "ptcpdump comment gives %s again, differently: the first is kept",
                                key_names[l->key]);
            continue;
        }
        info->value[l->key] = g_strndup(v, vlen);
        if (is_number_key(l->key)) {
            info->has_number[l->key] = parse_u32(v, vlen, &info->number[l->key]);
            if (!info->has_number[l->key])
                ps_problems_add(&info->problems, PTCPDUMP_BAD_NUMBER, l->value, vlen,
                                "ptcpdump comment's %s is not a number up to 4294967295", key_names[l->key]);
        }
    }
    g_array_free(lines, TRUE);
}

/* ptcpdump's Comm(): the base name of Cmd, or of the first argument when Cmd is a /dev/fd/N script
 * descriptor; a trailing "..." marks a path cut by ptcpdump and is dropped, as its reader does. */
static char *derive_name(const ptcpdump_info *info)
{
    const char *cmd = info->value[PTCPDUMP_CMD];
    if (!cmd)
        return NULL;
    const char *args = info->value[PTCPDUMP_ARGS];
    size_t len = strlen(cmd);
    if (g_str_has_prefix(cmd, "/dev/fd/") && args && *args) {
        cmd = args;
        len = strcspn(args, " ");
    } else if (len >= 3 && memcmp(cmd + len - 3, "...", 3) == 0) {
        len -= 3;
    }
    while (len > 0 && cmd[len - 1] == '/')
        len--;
    size_t from = len;
    while (from > 0 && cmd[from - 1] != '/')
        from--;
    return len > from ? g_strndup(cmd + from, len - from) : NULL;
}

void ptcpdump_comment_finish(ptcpdump_info *info)
{
    if (!info->any)
        return;
    g_free(info->name);
    info->name = derive_name(info);
    if (!info->value[PTCPDUMP_PID])
        ps_problems_add(&info->problems, PTCPDUMP_NO_PID, PS_NO_OFFSET, 0,
                        "ptcpdump comments without a PID: no process to attribute");
}

void ptcpdump_info_clear(ptcpdump_info *info)
{
    for (int k = 0; k < PTCPDUMP_KEY_COUNT; k++)
        g_free(info->value[k]);
    g_free(info->name);
    ps_problems_clear(&info->problems);
    memset(info, 0, sizeof *info);
}
