/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tshark_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static tshark_result spawn(const char *const *args);

/* --- `-T fields` in one notation ---------------------------------------------------------------- */

/* "4.4" of the tshark the wrapper runs, as major * 100 + minor. */
static int tshark_series(void)
{
    static int series = -1;
    if (series < 0) {
        const char *args[] = {"--version", NULL};
        tshark_result r = spawn(args);
        unsigned major = 0, minor = 0;
        const char *v = strstr(r.out, "(Wireshark) ");
        if (!v || sscanf(v, "(Wireshark) %u.%u", &major, &minor) != 2) {
            fprintf(stderr, "tshark --version did not say its version:\n%s\n", r.out);
            exit(2);
        }
        series = (int)(major * 100 + minor);
        tshark_result_clear(&r);
    }
    return series;
}

/* Field name -> "FT_BOOLEAN" and the like, for every field tshark knows (plugin included). */
static GHashTable *field_types(void)
{
    static GHashTable *types;
    if (!types) {
        types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        const char *args[] = {"-G", "fields", NULL};
        tshark_result r = spawn(args);
        char **lines = g_strsplit(r.out, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
            char **cols = g_strsplit(lines[i], "\t", 5);
            if (g_strv_length(cols) >= 4 && strcmp(cols[0], "F") == 0)
                g_hash_table_insert(types, g_strdup(cols[2]), g_strdup(cols[3]));
            g_strfreev(cols);
        }
        g_strfreev(lines);
        tshark_result_clear(&r);
    }
    return types;
}

/* One value of a field in Wireshark 4.0's notation. */
static void canonical_value(GString *out, const char *value, const char *type)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    unsigned y, mo, d, h, mi, s;
    char frac[16];
    int end = 0;
    if (strcmp(type, "FT_BOOLEAN") == 0 && (strcmp(value, "True") == 0 || strcmp(value, "False") == 0)) {
        g_string_append(out, value[0] == 'T' ? "1" : "0");
    } else if (strcmp(type, "FT_ABSOLUTE_TIME") == 0 &&
               sscanf(value, "%4u-%2u-%2uT%2u:%2u:%2u.%15[0-9]Z%n", &y, &mo, &d, &h, &mi, &s, frac, &end) == 7 &&
               value[end] == '\0' && mo >= 1 && mo <= 12) {
        /* 4.6 prints ISO 8601 */
        g_string_append_printf(out, "%s %2u, %u %02u:%02u:%02u.%s UTC", months[mo - 1], d, y, h, mi, s, frac);
    } else if (strcmp(type, "FT_STRING") == 0 || strcmp(type, "FT_STRINGZ") == 0) {
        /* 4.2 and later double a backslash; control characters are escaped (\n) by every version */
        for (const char *c = value; *c; c++) {
            g_string_append_c(out, *c);
            if (c[0] == '\\' && c[1] == '\\')
                c++;
        }
    } else {
        g_string_append(out, value);
    }
}

/* Rewrites `-T fields` output of Wireshark 4.2 and later into 4.0's notation. */
static void canonical_fields(const char *const *args, tshark_result *r)
{
    bool fields = false, header = false;
    char separator = '\t', aggregator = ',';
    GPtrArray *names = g_ptr_array_new();
    for (const char *const *a = args; *a; a++) {
        if ((strcmp(a[0], "-T") == 0 && a[1] && strcmp(a[1], "fields") == 0) || strcmp(a[0], "-Tfields") == 0)
            fields = true;
        if (strcmp(a[0], "-e") == 0 && a[1])
            g_ptr_array_add(names, (gpointer)a[1]);
        if (strcmp(a[0], "-E") == 0 && a[1]) {
            const char *o = a[1];
            if (strcmp(o, "header=y") == 0)
                header = true;
            else if (g_str_has_prefix(o, "separator="))
                separator = strcmp(o + 10, "/t") == 0 ? '\t' : strcmp(o + 10, "/s") == 0 ? ' ' : o[10];
            else if (g_str_has_prefix(o, "aggregator="))
                aggregator = strcmp(o + 11, "/s") == 0 ? ' ' : o[11];
        }
    }
    if (!fields || !r->out || tshark_series() < 402) {
        g_ptr_array_free(names, TRUE);
        return;
    }
    GHashTable *types = field_types();
    GString *out = g_string_sized_new(strlen(r->out));
    const char separators[] = {separator, '\0'}, aggregators[] = {aggregator, '\0'};
    char **rows = g_strsplit(r->out, "\n", -1);
    for (size_t i = 0; rows[i]; i++) {
        if (i > 0)
            g_string_append_c(out, '\n');
        if (header && i == 0) {
            g_string_append(out, rows[i]);
            continue;
        }
        char **cols = g_strsplit(rows[i], separators, -1);
        for (size_t c = 0; cols[c]; c++) {
            if (c > 0)
                g_string_append_c(out, separator);
            const char *name = c < names->len ? names->pdata[c] : NULL;
            /* Columns are no fields of -G fields, but text: 4.2 and later double their backslashes too. */
            const char *type = !name ? NULL : g_str_has_prefix(name, "_ws.col.") ? "FT_STRING"
                                                                                 : g_hash_table_lookup(types, name);
            if (!type) {
                g_string_append(out, cols[c]);
                continue;
            }
            char **values = g_strsplit(cols[c], aggregators, -1);
            for (size_t v = 0; values[v]; v++) {
                if (v > 0)
                    g_string_append_c(out, aggregator);
                canonical_value(out, values[v], type);
            }
            g_strfreev(values);
        }
        g_strfreev(cols);
    }
    g_strfreev(rows);
    g_ptr_array_free(names, TRUE);
    g_free(r->out);
    r->out = g_string_free(out, FALSE);
}

tshark_result tshark_run(const char *const *args)
{
    tshark_result r = spawn(args);
    canonical_fields(args, &r);
    return r;
}

static tshark_result spawn(const char *const *args)
{
    const char *wrapper = g_getenv("PROCSHARK_TSHARK");
    if (!wrapper) {
        fprintf(stderr, "PROCSHARK_TSHARK is not set: run the tests through ctest\n");
        exit(2);
    }
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)wrapper);
    for (const char *const *a = args; *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);

    tshark_result r = {-1, NULL, NULL};
    int wait_status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                      &wait_status, &error)) {
        fprintf(stderr, "cannot run %s: %s\n", wrapper, error->message);
        exit(2);
    }
    g_ptr_array_free(argv, TRUE);
    if (WIFEXITED(wait_status))
        r.exit_code = WEXITSTATUS(wait_status);
    return r;
}

char *tshark_problems(const tshark_result *r)
{
    /* stderr: sanitizer reports and dissector bugs; stdout: what -V shows for an exception. */
    static const char *const err_markers[] = {"AddressSanitizer", "LeakSanitizer", "runtime error:",
                                              "Dissector bug"};
    static const char *const out_markers[] = {"[Malformed Packet", "[Dissector bug"};
    GString *problems = g_string_new(NULL);
    if (r->exit_code != 0)
        g_string_append_printf(problems, "tshark exited with %d\n", r->exit_code);
    for (size_t i = 0; i < G_N_ELEMENTS(err_markers); i++)
        if (strstr(r->err, err_markers[i]))
            g_string_append_printf(problems, "stderr contains \"%s\"\n", err_markers[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(out_markers); i++)
        if (strstr(r->out, out_markers[i]))
            g_string_append_printf(problems, "stdout contains \"%s\"\n", out_markers[i]);
    if (problems->len == 0) {
        g_string_free(problems, TRUE);
        return NULL;
    }
    g_string_append_printf(problems, "--- stderr ---\n%.4000s", r->err);
    return g_string_free(problems, FALSE);
}

void tshark_result_clear(tshark_result *r)
{
    g_free(r->out);
    g_free(r->err);
    r->out = r->err = NULL;
}

char *tshark_ok(const char *const *args)
{
    tshark_result r = tshark_run(args);
    char *problems = tshark_problems(&r);
    if (problems) {
        print_error("%s\n", problems);
        g_free(problems);
        tshark_result_clear(&r);
        fail();
    }
    g_free(r.err);
    return r.out;
}
