/* tshark-level checks of the ETW dissectors beyond field values: registration, display filters,
 * and every layout cut at every length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "tshark_harness.h"

static const char *events_capture;
static const char *truncations_capture;

/* Runs tshark, fails the test on any problem, returns its stdout (g_free it). */
static char *tshark_ok(const char *const *args)
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

static void test_plugin_reports_version(void **state)
{
    (void)state;
    const char *args[] = {"-G", "plugins", NULL};
    char *out = tshark_ok(args);
    /* tshark pads the name column with spaces. */
    const char *row = strstr(out, "procshark.so");
    assert_non_null(row);
    assert_non_null(strstr(row, "\t" PROCSHARK_VERSION "\tdissector\t"));
    g_free(out);
}

static const char *const required_fields[] = {
    "etwnet.provider", "etwnet.event", "etwnet.type", "etwnet.transport", "etwnet.pid", "etwnet.size",
    "etwnet.daddr", "etwnet.saddr", "etwnet.daddr6", "etwnet.saddr6", "etwnet.dport", "etwnet.sport",
    "etwnet.startime", "etwnet.endtime", "etwnet.seqnum", "etwnet.connid", "etwnet.mss", "etwnet.sackopt",
    "etwnet.tsopt", "etwnet.wsopt", "etwnet.rcvwin", "etwnet.rcvwinscale", "etwnet.sndwinscale",
    "etwnet.fail.proto", "etwnet.fail.code", "etwproc.event", "etwproc.pid", "etwproc.ppid",
    "etwproc.session", "etwproc.exit_status", "etwproc.key", "etwproc.flags", "etwproc.image",
    "etwproc.cmdline", "etwproc.package", "etwproc.appid",
};

static void test_every_field_registered(void **state)
{
    (void)state;
    const char *args[] = {"-G", "fields", NULL};
    char *out = tshark_ok(args);
    int missing = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(required_fields); i++) {
        char *needle = g_strdup_printf("\t%s\t", required_fields[i]);
        if (!strstr(out, needle)) {
            print_error("tshark -G fields does not list %s\n", required_fields[i]);
            missing++;
        }
        g_free(needle);
    }
    g_free(out);
    assert_int_equal(missing, 0);
}

/* The frame numbers a display filter selects, as "1,2,3". */
static char *frames_matching(const char *capture, const char *filter)
{
    const char *args[] = {"-r", capture, "-Y", filter, "-T", "fields", "-e", "frame.number", NULL};
    char *out = tshark_ok(args);
    g_strstrip(out);
    g_strdelimit(out, "\n", ',');
    return out;
}

static void assert_filter(const char *filter, const char *frames)
{
    char *got = frames_matching(events_capture, filter);
    if (strcmp(got, frames) != 0)
        print_error("filter %s: expected frames %s, got %s\n", filter, frames, got);
    assert_string_equal(got, frames);
    g_free(got);
}

static void test_display_filters(void **state)
{
    (void)state;
    assert_filter("etwproc.image == \"curl.exe\"", "53,55,68");
    assert_filter("etwnet.saddr6 == 2001:db8::a", "12");
    assert_filter("etwnet.pid == 2716 && etwnet.sport == 61740", "2");
    assert_filter("etwnet.transport == \"UDP\" && etwnet.event == \"UdpFail\"", "45,50");
    assert_filter("etwnet.fail.code == 3", "10");
    assert_filter("etwdata.data", "59");
    assert_filter("etwproc.exit_time", "57");
}

static void test_truncated_records_dissect_cleanly(void **state)
{
    (void)state;
    const char *args[] = {"-r", truncations_capture, "-V", NULL};
    g_free(tshark_ok(args));
}

#define EXPERT_ERROR "8388608"

static void test_truncated_records_each_report_an_error(void **state)
{
    (void)state;
    const char *args[] = {"-r", truncations_capture, "-T", "fields", "-E", "occurrence=a", "-E", "separator=/t",
                          "-e", "frame.number", "-e", "_ws.expert.severity", "-e", "_ws.expert.message", NULL};
    char *out = tshark_ok(args);
    char **rows = g_strsplit(out, "\n", -1);
    unsigned frames = 0, silent = 0;
    for (size_t i = 0; rows[i]; i++) {
        if (!rows[i][0])
            continue;
        frames++;
        char **cols = g_strsplit(rows[i], "\t", 3);
        if (!cols[1] || !strstr(cols[1], EXPERT_ERROR)) {
            if (silent++ < 10)
                print_error("frame %s has no expert error: %s\n", cols[0], cols[1] ? cols[2] : "");
        }
        g_strfreev(cols);
    }
    g_strfreev(rows);
    g_free(out);
    assert_true(frames >= 2000); /* every layout cut at every length */
    assert_int_equal(silent, 0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_etw_plugin EVENTS.pcapng TRUNCATIONS.pcapng\n");
        return 2;
    }
    events_capture = argv[1];
    truncations_capture = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plugin_reports_version),
        cmocka_unit_test(test_every_field_registered),
        cmocka_unit_test(test_display_filters),
        cmocka_unit_test(test_truncated_records_dissect_cleanly),
        cmocka_unit_test(test_truncated_records_each_report_an_error),
    };
    return cmocka_run_group_tests_name("tshark ETW plugin", tests, NULL, NULL);
}
