/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running procshark-import and reading its output with tshark, for the end-to-end tests. */
#ifndef IMPORT_HARNESS_H
#define IMPORT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

extern const char *importer; /* the procshark-import to run */
extern char *dir;            /* the test's temporary folder */

char *path_in(const char *name);
/* Writes a file in dir (len < 0: a string); its path. Fails the test on error. */
char *write_file(const char *name, const void *data, gssize len);
char *read_file(const char *path, gsize *len);
bool exists(const char *path);
/* "seconds.nanoseconds", as tshark prints frame.time_epoch. */
char *epoch(int64_t ns);

typedef struct {
    int code; /* -1: killed by a signal */
    char *out;
    char *err;
} run;

/* Runs procshark-import; fails the test on a crash or a sanitizer report. */
run import_argv(const char *const *args);
#define IMPORT(...) import_argv((const char *const[]){__VA_ARGS__, NULL})
void run_clear(run *r);
void expect_code(const run *r, int code);
void expect_message(const run *r, const char *text);

/* One row per frame, one column per field (tab-separated values). */
GPtrArray *frames(const char *capture, const char *const *fields);
#define FRAMES(capture, ...) frames(capture, (const char *const[]){__VA_ARGS__, NULL})
#define CELL(rows, i, col) (((char **)(rows)->pdata[i])[col])
void assert_cell(GPtrArray *rows, guint i, int col, const char *want, const char *what);
void assert_times_nondecreasing(GPtrArray *rows, int col);

int remove_tree(const char *path);

struct CMUnitTest;
/* Runs a cmocka group with dir a new temporary folder (of that mode: tshark reads it as nobody when
 * the tests run as root), removed afterwards unless PROCSHARK_KEEP_TMP is set. The number of tests
 * that failed; 2 when the folder cannot be made. */
int import_tests_run(const char *group, const struct CMUnitTest *tests, size_t count, const char *dir_template,
                     unsigned mode);
#define IMPORT_TESTS_RUN(group, tests, dir_template, mode)                                                      \
    import_tests_run(group, tests, sizeof(tests) / sizeof((tests)[0]), dir_template, mode)

#endif
