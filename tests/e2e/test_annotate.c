/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import --annotate on the scenario capture: each packet's comment is the attribution
 * tshark -2 gives with the plugin; stock tshark filters on it as the plugin filters on proc.name;
 * annotating the copy again changes no byte; without the records, the plugin reads the same
 * processes back from the comments; and bad input changes nothing at the output path.
 * test_annotate PROCSHARK-IMPORT SCENARIO.pcapng */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <glib.h>

#include "import_harness.h"
#include "tshark_harness.h"

static const char *scenario;
static const char *plugin_path; /* PROCSHARK_PLUGIN as ctest set it */
static char *annotated; /* the scenario annotated once, by the first test */

/* The attribution columns, source end then destination end. */
#define END_FIELDS(e) "proc." e ".pid", "proc." e ".name", "proc." e ".container"

/* tshark's rows (frame number first), with the plugin or without (PROCSHARK_PLUGIN=none). */
static GPtrArray *rows_of(const char *capture, bool plugin, const char *filter, const char *const *fields)
{
    GPtrArray *args = g_ptr_array_new();
    const char *fixed[] = {"-2", "-r", capture, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                           "-E", "aggregator=|", "-e", "frame.number"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(args, (gpointer)fixed[i]);
    if (filter) {
        g_ptr_array_add(args, (gpointer) "-Y");
        g_ptr_array_add(args, (gpointer)filter);
    }
    for (const char *const *f = fields; *f; f++) {
        g_ptr_array_add(args, (gpointer) "-e");
        g_ptr_array_add(args, (gpointer)*f);
    }
    g_ptr_array_add(args, NULL);
    if (!plugin)
        g_setenv("PROCSHARK_PLUGIN", "none", TRUE);
    char *out = tshark_ok((const char *const *)args->pdata);
    g_ptr_array_free(args, TRUE);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    char **lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i] && lines[i][0]; i++)
        g_ptr_array_add(rows, g_strsplit(lines[i], "\t", -1));
    g_strfreev(lines);
    g_free(out);
    return rows;
}

static GPtrArray *rows_with(const char *capture, const char *filter, const char *const *fields)
{
    return rows_of(capture, true, filter, fields);
}

static GPtrArray *rows_stock(const char *capture, const char *filter, const char *const *fields)
{
    GPtrArray *rows = rows_of(capture, false, filter, fields);
    g_setenv("PROCSHARK_PLUGIN", plugin_path, TRUE);
    return rows;
}

/* "NAME (PID) [container C]", "? (PID)" or "?", from tshark's columns; the scenario's names need no
 * escaping, which is checked (the escapes are the unit tests'). */
static void append_end(GString *out, char **cols)
{
    if (!*cols[0]) {
        g_string_append_c(out, '?');
        return;
    }
    for (int c = 1; c < 3; c++)
        for (const char *ch = cols[c]; *ch; ch++)
            assert_true(g_ascii_isalnum(*ch) || strchr(".-_ ", *ch));
    g_string_append_printf(out, "%s (%s)", *cols[1] ? cols[1] : "?", cols[0]);
    if (*cols[2])
        g_string_append_printf(out, " [container %s]", cols[2]);
}

/* The comment of a row that starts with "proc: ", or NULL. */
static const char *annotation_of(const char *comments, char **buffer)
{
    *buffer = NULL;
    char **all = g_strsplit(comments, "|", -1);
    for (size_t i = 0; all[i]; i++)
        if (g_str_has_prefix(all[i], "proc: ")) {
            assert_null(*buffer); /* one per packet */
            *buffer = g_strdup(all[i]);
        }
    g_strfreev(all);
    return *buffer;
}

/* (a) Every packet's annotation is what tshark -2 with the plugin says of its ends; other packets
 * have none. */
static void test_comments_are_the_attribution(void **state)
{
    (void)state;
    annotated = path_in("annotated.pcapng");
    run r = IMPORT("--annotate", scenario, "-o", annotated);
    expect_code(&r, 0);
    expect_message(&r, "packets annotated");
    run_clear(&r);
    const char *const fields[] = {END_FIELDS("src"), END_FIELDS("dst"), NULL};
    GPtrArray *want = rows_with(scenario, NULL, fields);
    const char *const comment[] = {"frame.comment", NULL};
    GPtrArray *got = rows_stock(annotated, NULL, comment);
    assert_int_equal(got->len, want->len);
    unsigned annotations = 0;
    for (guint i = 0; i < want->len; i++) {
        char **w = want->pdata[i], **g = got->pdata[i];
        assert_string_equal(w[0], g[0]);
        char *buffer;
        const char *have = annotation_of(g[1] ? g[1] : "", &buffer);
        if (!*w[1] && !*w[4]) {
            assert_null(have);
            continue;
        }
        GString *expected = g_string_new("proc: ");
        append_end(expected, w + 1);
        g_string_append(expected, " \xe2\x86\x92 ");
        append_end(expected, w + 4);
        if (!have || strcmp(have, expected->str) != 0)
            print_error("frame %s: comment \"%s\", expected \"%s\"\n", w[0], have ? have : "(none)", expected->str);
        assert_non_null(have);
        assert_string_equal(have, expected->str);
        annotations++;
        g_string_free(expected, TRUE);
        g_free(buffer);
    }
    /* The scenario attributes most of its 467 packets; a container is among them. */
    assert_true(annotations > 300);
    g_ptr_array_free(want, TRUE);
    g_ptr_array_free(got, TRUE);
    GPtrArray *containers = rows_stock(annotated, "frame.comment contains \"[container fetcher]\"", comment);
    assert_true(containers->len > 0);
    g_ptr_array_free(containers, TRUE);
}

static char *frame_list(GPtrArray *rows)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < rows->len; i++)
        g_string_append_printf(s, "%s ", ((char **)rows->pdata[i])[0]);
    return g_string_free(s, FALSE);
}

/* (b) Stock tshark, no plugin: the comment filter selects the frames proc.name selects. */
static void test_stock_filter(void **state)
{
    (void)state;
    const char *const none[] = {NULL};
    GPtrArray *stock = rows_stock(annotated, "frame.comment contains \"curl\"", none);
    GPtrArray *plugin = rows_with(scenario, "proc.name contains \"curl\"", none);
    char *a = frame_list(stock), *b = frame_list(plugin);
    assert_true(plugin->len > 10);
    assert_string_equal(a, b);
    g_free(a), g_free(b);
    g_ptr_array_free(stock, TRUE);
    g_ptr_array_free(plugin, TRUE);
}

/* (c) Annotating the annotated copy gives it again, byte for byte. */
static void test_round_trip_stable(void **state)
{
    (void)state;
    char *again = path_in("again.pcapng");
    run r = IMPORT("--annotate", annotated, "-o", again, "-q");
    expect_code(&r, 0);
    run_clear(&r);
    gsize len1, len2;
    char *one = read_file(annotated, &len1), *two = read_file(again, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(one, two, len1);
    g_free(one), g_free(two), g_free(again);
}

/* (d) Without its records, the copy still tells every packet's processes: from the comments
 * (level comment, source annotation), but where a comment on the packet itself (ptcpdump's,
 * which the copy keeps) decided already. */
static void test_comments_alone(void **state)
{
    (void)state;
    char *stripped = path_in("stripped.pcapng");
    /* Stock tshark knows exported PDUs, and ETW frames by their protocol only (it adds no item). */
    const char *args[] = {"-r", annotated, "-Y", "!exported_pdu && frame.protocols != \"etw\"", "-w", stripped, NULL};
    g_setenv("PROCSHARK_PLUGIN", "none", TRUE);
    g_free(tshark_ok(args));
    g_setenv("PROCSHARK_PLUGIN", plugin_path, TRUE);
    const char *const fields[] = {END_FIELDS("src"), END_FIELDS("dst"), "proc.src.source", "proc.src.match",
                                  "proc.dst.source", "proc.dst.match", NULL};
    GPtrArray *before = rows_with(scenario, "tcp || udp", fields);
    GPtrArray *after = rows_with(stripped, NULL, fields);
    assert_int_equal(after->len, before->len);
    unsigned from_comments = 0;
    for (guint i = 0; i < before->len; i++) {
        char **b = before->pdata[i], **a = after->pdata[i];
        for (int c = 1; c <= 6; c++)
            if (strcmp(a[c], b[c]) != 0) {
                print_error("packet %u (frame %s before): column %d is \"%s\", was \"%s\"\n", i + 1, b[0], c, a[c], b[c]);
                fail();
            }
        for (int end = 0; end < 2; end++) {
            const int pid = 1 + 3 * end, source = 7 + 2 * end, match = 8 + 2 * end;
            if (!*b[pid])
                continue;
            if (strcmp(b[source], "ptcpdump") == 0) {
                assert_string_equal(a[source], "ptcpdump");
                assert_string_equal(a[match], "packet");
            } else {
                assert_string_equal(a[source], "annotation");
                assert_string_equal(a[match], "comment");
                from_comments++;
            }
        }
    }
    assert_true(from_comments > 300);
    g_ptr_array_free(before, TRUE);
    g_ptr_array_free(after, TRUE);
    g_free(stripped);
}

/* OUT, holding `old`, still holds it. */
static void expect_untouched(const char *out, const char *old)
{
    gsize len;
    char *now = read_file(out, &len);
    assert_int_equal(len, strlen(old));
    assert_memory_equal(now, old, len);
    g_free(now);
}

/* (e) A truncated capture, no tshark, a tshark without the plugin, the input as output, another
 * input beside it: a message each, exit 2, and the output path as it was. */
static void test_bad_input(void **state)
{
    (void)state;
    static const char old[] = "an earlier file";
    char *out = write_file("kept.pcapng", old, -1);
    gsize len;
    char *bytes = read_file(scenario, &len);
    char *truncated = write_file("truncated.pcapng", bytes, (gssize)(len - 100));
    g_free(bytes);
    run r = IMPORT("--annotate", truncated, "-o", out);
    expect_code(&r, 2);
    expect_message(&r, "truncated.pcapng: record ");
    expect_message(&r, " at byte ");
    expect_message(&r, "--annotate copies every record: stopped at the first bad record; nothing written");
    run_clear(&r);
    expect_untouched(out, old);

    char *wrapper = g_strdup(g_getenv("PROCSHARK_TSHARK"));
    g_setenv("PROCSHARK_TSHARK", "/nonexistent/tshark", TRUE);
    r = IMPORT("--annotate", scenario, "-o", out);
    expect_code(&r, 2);
    expect_message(&r, "--annotate needs tshark with the procshark plugin: cannot run /nonexistent/tshark");
    run_clear(&r);
    g_setenv("PROCSHARK_TSHARK", wrapper, TRUE);
    g_free(wrapper);
    expect_untouched(out, old);

    g_setenv("PROCSHARK_PLUGIN", "none", TRUE);
    r = IMPORT("--annotate", scenario, "-o", out);
    g_setenv("PROCSHARK_PLUGIN", plugin_path, TRUE);
    expect_code(&r, 2);
    expect_message(&r, "knows no proc.* fields: the plugin is not loaded");
    run_clear(&r);
    expect_untouched(out, old);

    r = IMPORT("--annotate", out, "-o", out);
    expect_code(&r, 2);
    expect_message(&r, "refusing to write over an input");
    run_clear(&r);
    expect_untouched(out, old);

    r = IMPORT("--annotate", scenario, "-o", out, truncated);
    expect_code(&r, 2);
    expect_message(&r, "--annotate copies one capture: it takes no other input");
    run_clear(&r);
    expect_untouched(out, old);
    g_free(truncated);
    g_free(out);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_annotate PROCSHARK-IMPORT SCENARIO.pcapng\n");
        return 2;
    }
    importer = argv[1];
    scenario = argv[2];
    plugin_path = g_getenv("PROCSHARK_PLUGIN");
    if (!plugin_path || !g_getenv("PROCSHARK_TSHARK")) {
        fprintf(stderr, "PROCSHARK_TSHARK and PROCSHARK_PLUGIN are not set: run the tests through ctest\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comments_are_the_attribution), cmocka_unit_test(test_stock_filter),
        cmocka_unit_test(test_round_trip_stable),            cmocka_unit_test(test_comments_alone),
        cmocka_unit_test(test_bad_input),
    };
    int failed = IMPORT_TESTS_RUN("procshark-import --annotate", tests, "procshark-annotate-XXXXXX", 0777);
    g_free(annotated);
    return failed;
}
