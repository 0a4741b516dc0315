/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compares every field value tshark shows for a capture with an expected file, one cmocka test
 * per frame: tshark_expect CAPTURE EXPECTED [tshark options...].
 * EXPECTED holds "frame<TAB>field<TAB>value" lines; a frame's fields not listed must be empty, and
 * several occurrences of a field are joined with '|'. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <glib.h>

#include "tshark_harness.h"

typedef struct {
    unsigned frame;
    GHashTable *expected; /* field -> value */
    GHashTable *actual;   /* field -> value; NULL when tshark printed no row for the frame */
} frame_check;

static GPtrArray *fields;  /* field names in first-seen order */
static GHashTable *frames; /* frame number -> frame_check */
static char *tshark_failure;

static frame_check *frame_entry(unsigned frame)
{
    frame_check *fc = g_hash_table_lookup(frames, GUINT_TO_POINTER(frame));
    if (!fc) {
        fc = g_new0(frame_check, 1);
        fc->frame = frame;
        fc->expected = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_hash_table_insert(frames, GUINT_TO_POINTER(frame), fc);
    }
    return fc;
}

static void load_expected(const char *path)
{
    char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        fprintf(stderr, "%s\n", error->message);
        exit(2);
    }
    char **lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (lines[i][0] == '\0' || lines[i][0] == '#')
            continue;
        char **parts = g_strsplit(lines[i], "\t", 3);
        if (g_strv_length(parts) != 3 || atoi(parts[0]) <= 0) {
            fprintf(stderr, "%s:%zu: expected frame<TAB>field<TAB>value\n", path, i + 1);
            exit(2);
        }
        frame_check *fc = frame_entry((unsigned)atoi(parts[0]));
        if (!g_ptr_array_find_with_equal_func(fields, parts[1], g_str_equal, NULL))
            g_ptr_array_add(fields, g_strdup(parts[1]));
        g_hash_table_insert(fc->expected, g_strdup(parts[1]), g_strdup(parts[2]));
        g_strfreev(parts);
    }
    g_strfreev(lines);
    g_free(text);
}

static void run_tshark(const char *capture, char **extra, int extra_count)
{
    GPtrArray *args = g_ptr_array_new();
    const char *fixed[] = {"-r", capture, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                           "-E", "aggregator=|", "-e", "frame.number"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(args, (gpointer)fixed[i]);
    for (int i = 0; i < extra_count; i++)
        g_ptr_array_add(args, extra[i]);
    for (guint i = 0; i < fields->len; i++) {
        g_ptr_array_add(args, "-e");
        g_ptr_array_add(args, fields->pdata[i]);
    }
    g_ptr_array_add(args, NULL);
    tshark_result r = tshark_run((const char *const *)args->pdata);
    g_ptr_array_free(args, TRUE);
    tshark_failure = tshark_problems(&r);

    char **rows = g_strsplit(r.out, "\n", -1);
    for (size_t i = 0; rows[i]; i++) {
        if (rows[i][0] == '\0')
            continue;
        char **cols = g_strsplit(rows[i], "\t", -1);
        unsigned frame = (unsigned)atoi(cols[0]);
        frame_check *fc = frame_entry(frame);
        fc->actual = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (guint c = 1; cols[c] && c <= fields->len; c++)
            if (cols[c][0])
                g_hash_table_insert(fc->actual, g_strdup(fields->pdata[c - 1]), g_strdup(cols[c]));
        g_strfreev(cols);
    }
    g_strfreev(rows);
    tshark_result_clear(&r);
}

static void test_tshark_ran_clean(void **state)
{
    (void)state;
    if (tshark_failure) {
        print_error("%s\n", tshark_failure);
        fail();
    }
}

static void test_frame(void **state)
{
    frame_check *fc = *state;
    if (!fc->actual) {
        print_error("frame %u: tshark printed no such frame\n", fc->frame);
        fail();
    }
    int mismatches = 0;
    for (guint i = 0; i < fields->len; i++) {
        const char *field = fields->pdata[i];
        const char *want = g_hash_table_lookup(fc->expected, field);
        const char *got = g_hash_table_lookup(fc->actual, field);
        if (g_strcmp0(want, got) != 0) {
            print_error("frame %u: %s: expected \"%s\", got \"%s\"\n", fc->frame, field, want ? want : "",
                        got ? got : "");
            mismatches++;
        }
    }
    assert_int_equal(mismatches, 0);
}

static gint by_frame(gconstpointer a, gconstpointer b)
{
    const frame_check *x = *(frame_check *const *)a, *y = *(frame_check *const *)b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tshark_expect CAPTURE EXPECTED [tshark options...]\n");
        return 2;
    }
    fields = g_ptr_array_new_with_free_func(g_free);
    frames = g_hash_table_new(g_direct_hash, g_direct_equal);
    load_expected(argv[2]);
    run_tshark(argv[1], argv + 3, argc - 3);

    GPtrArray *checks = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, frames);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(checks, value);
    g_ptr_array_sort(checks, by_frame);

    struct CMUnitTest *tests = g_new0(struct CMUnitTest, checks->len + 1);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_tshark_ran_clean);
    for (guint i = 0; i < checks->len; i++) {
        frame_check *fc = checks->pdata[i];
        /* A frame tshark shows without expectations must show none of the fields. */
        tests[i + 1].name = g_strdup_printf("frame %u", fc->frame);
        tests[i + 1].test_func = test_frame;
        tests[i + 1].initial_state = fc;
    }
    char *name = g_path_get_basename(argv[2]);
    char *group = g_strdup_printf("tshark %s", name);
    int failed = _cmocka_run_group_tests(group, tests, checks->len + 1, NULL, NULL);
    for (guint i = 0; i < checks->len; i++) {
        frame_check *fc = checks->pdata[i];
        g_free((char *)tests[i + 1].name);
        g_hash_table_destroy(fc->expected);
        if (fc->actual)
            g_hash_table_destroy(fc->actual);
        g_free(fc);
    }
    g_free(tests);
    g_free(group);
    g_free(name);
    g_free(tshark_failure);
    g_ptr_array_free(checks, TRUE);
    g_ptr_array_free(fields, TRUE);
    g_hash_table_destroy(frames);
    return failed;
}
