/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs tshark with the built plugin through scripts/procshark-tshark (unprivileged when root). */
#ifndef TSHARK_HARNESS_H
#define TSHARK_HARNESS_H

#include <glib.h>

typedef struct {
    int exit_code; /* -1 when tshark did not exit normally */
    char *out;
    char *err;
} tshark_result;

/* args: tshark's arguments, NULL-terminated. Aborts the program when tshark cannot be started.
 * `-T fields` output comes in Wireshark 4.0's notation whatever the version (booleans 1 and 0,
 * absolute times "Mar  1, 2024 12:00:00.000000000 UTC", a backslash in a string as one backslash),
 * so that expected values are written once for every version. */
tshark_result tshark_run(const char *const *args);

/* NULL when the run exited 0 with no sanitizer report, dissector bug or exception in its output;
 * otherwise a description (g_free it). */
char *tshark_problems(const tshark_result *r);

void tshark_result_clear(tshark_result *r);

/* For cmocka tests: runs tshark, fails the current test on any problem, returns stdout (g_free it). */
char *tshark_ok(const char *const *args);

#endif
