/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running procshark-import and reading its output with tshark, for the end-to-end tests. */
#include "import_harness.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "tshark_harness.h"

#define NS INT64_C(1000000000)

const char *importer;
char *dir;

/* --- files ------------------------------------------------------------------------------------ */

char *path_in(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

char *write_file(const char *name, const void *data, gssize len)
{
    char *path = path_in(name);
    GError *error = NULL;
    if (!g_file_set_contents(path, data, len < 0 ? (gssize)strlen(data) : len, &error)) {
        print_error("%s\n", error->message);
        fail();
    }
    return path;
}

char *read_file(const char *path, gsize *len)
{
    char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, len, &error)) {
        print_error("%s\n", error->message);
        fail();
    }
    return text;
}

bool exists(const char *path)
{
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

char *epoch(int64_t ns)
{
    return g_strdup_printf("%" PRId64 ".%09" PRId64, ns / NS, ns % NS);
}

/* --- running procshark-import ------------------------------------------------------------------ */


run import_argv(const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)importer);
    for (const char *const *a = args; *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    run r = {-1, NULL, NULL};
    int status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err, &status,
                      &error)) {
        print_error("cannot run %s: %s\n", importer, error->message);
        fail();
    }
    g_ptr_array_free(argv, TRUE);
    if (WIFEXITED(status))
        r.code = WEXITSTATUS(status);
    /* Whatever the input, no sanitizer report and no crash. */
    if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error:") || r.code < 0) {
        print_error("procshark-import crashed or a sanitizer reported:\n%.6000s\n", r.err);
        fail();
    }
    return r;
}


void run_clear(run *r)
{
    g_free(r->out);
    g_free(r->err);
}

void expect_code(const run *r, int code)
{
    if (r->code != code)
        print_error("procshark-import exited with %d, expected %d; stderr:\n%.6000s\n", r->code, code, r->err);
    assert_int_equal(r->code, code);
}

void expect_message(const run *r, const char *text)
{
    if (!strstr(r->err, text))
        print_error("stderr lacks \"%s\":\n%.6000s\n", text, r->err);
    assert_non_null(strstr(r->err, text));
}

/* --- tshark ----------------------------------------------------------------------------------- */

/* One row per frame, one column per field (tab-separated values). */
GPtrArray *frames(const char *capture, const char *const *fields)
{
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    const char *fixed[] = {"-r", capture, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(args, g_strdup(fixed[i]));
    for (const char *const *f = fields; *f; f++) {
        g_ptr_array_add(args, g_strdup("-e"));
        g_ptr_array_add(args, g_strdup(*f));
    }
    g_ptr_array_add(args, NULL);
    char *out = tshark_ok((const char *const *)args->pdata);
    g_ptr_array_free(args, TRUE);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    char **lines = g_strsplit(out, "\n", -1);
    size_t nfields = g_strv_length((char **)fields);
    for (size_t i = 0; lines[i]; i++) {
        if (!lines[i][0] && !lines[i + 1])
            break;
        char **cols = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(cols) != nfields) {
            print_error("tshark row %zu has %u columns, expected %zu: %s\n", i + 1, g_strv_length(cols), nfields,
                        lines[i]);
            fail();
        }
        g_ptr_array_add(rows, cols);
    }
    g_strfreev(lines);
    g_free(out);
    return rows;
}


void assert_cell(GPtrArray *rows, guint i, int col, const char *want, const char *what)
{
    const char *got = CELL(rows, i, col);
    if (strcmp(got, want) != 0)
        print_error("frame %u, %s: got \"%s\", expected \"%s\"\n", i + 1, what, got, want);
    assert_string_equal(got, want);
}

void assert_times_nondecreasing(GPtrArray *rows, int col)
{
    for (guint i = 1; i < rows->len; i++) {
        /* Same number of integer digits here, so text order is time order. */
        if (strcmp(CELL(rows, i - 1, col), CELL(rows, i, col)) > 0) {
            print_error("frame %u (%s) is earlier than frame %u (%s)\n", i + 1, CELL(rows, i, col), i,
                        CELL(rows, i - 1, col));
            fail();
        }
    }
}


int remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        for (const char *name; (name = g_dir_read_name(d));) {
            char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
            g_free(child);
        }
        g_dir_close(d);
    }
    return g_remove(path);
}


int import_tests_run(const char *group, const struct CMUnitTest *tests, size_t count, const char *dir_template,
                     unsigned mode)
{
    GError *error = NULL;
    dir = g_dir_make_tmp(dir_template, &error);
    if (!dir) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return 2;
    }
    g_chmod(dir, (int)mode);
    int failed = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    if (!g_getenv("PROCSHARK_KEEP_TMP"))
        remove_tree(dir);
    else
        fprintf(stderr, "kept %s\n", dir);
    g_free(dir);
    dir = NULL;
    return failed;
}
