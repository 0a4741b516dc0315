#include "tshark_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

tshark_result tshark_run(const char *const *args)
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
