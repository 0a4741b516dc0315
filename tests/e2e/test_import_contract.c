/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-import's contract with what it writes over and with its caller (docs/IMPORT.md:
 * "The output contract", "Exit status"): every kind of -o, signals and limits that end
 * a run, empty inputs, option order, usage errors, escaped text. Each case is a short shell script
 * (pipes, FIFOs, signals and ulimit are shell matters) run with $IMPORT, $DIR (a fresh folder) and
 * $DEMO (a capture of 14 frames) set; its output is checked here.
 *   test_import_contract PROCSHARK-IMPORT DEMO.pcapng SOURCE_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "import_harness.h"
#include "tshark_harness.h"

static const char *demo;
static const char *source_dir; /* for the Lua reports */

/* A valid tracee line, and the same with a process name carrying a line break and an escape. */
static const char good_line[] =
    "{\"timestamp\":1709294400001000000,\"eventName\":\"net_packet_tcp\",\"processId\":11,\"processName\":\"one\"}";

/* Runs script with sh; fails the test on a sanitizer report. */
static run shell(const char *script)
{
    const char *argv[] = {"sh", "-c", script, NULL};
    char **env = g_get_environ();
    env = g_environ_setenv(env, "IMPORT", importer, TRUE);
    env = g_environ_setenv(env, "DIR", dir, TRUE);
    env = g_environ_setenv(env, "DEMO", demo, TRUE);
    run r = {-1, NULL, NULL};
    int status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(dir, (gchar **)argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &r.out, &r.err, &status, &error)) {
        print_error("cannot run sh: %s\n", error->message);
        fail();
    }
    g_strfreev(env);
    if (WIFEXITED(status))
        r.code = WEXITSTATUS(status);
    if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error:") || strstr(r.out, "Sanitizer")) {
        print_error("a sanitizer reported:\n%.6000s\n", r.err);
        fail();
    }
    return r;
}

static void expect_out(const run *r, const char *line)
{
    if (!strstr(r->out, line))
        print_error("the script's output lacks \"%s\":\n%s\n--- stderr ---\n%.4000s\n", line, r->out, r->err);
    assert_non_null(strstr(r->out, line));
}

static bool is_root(void)
{
    return geteuid() == 0;
}

static unsigned frame_count(const char *capture)
{
    GPtrArray *rows = FRAMES(capture, "frame.number");
    unsigned n = rows->len;
    g_ptr_array_free(rows, TRUE);
    return n;
}

/* --- where the output goes -------------------------------------------------------------------- */

/* A character device is written through, never replaced: as root, `-o /dev/null` once replaced
 * /dev/null with a regular file. The test makes its own null device so that a failure harms
 * nothing of the machine's. */
static void test_char_device(void **state)
{
    (void)state;
    if (!is_root()) {
        print_message("SKIP part: making a character device needs root\n");
        return;
    }
    run r = shell("mknod null c 1 3 && \"$IMPORT\" -q -o null \"$DEMO\"; echo \"exit $?\"; "
                  "[ -c null ] && echo 'still a character device'");
    expect_out(&r, "exit 0");
    expect_out(&r, "still a character device");
    run_clear(&r);
}

/* '-' and a symbolic link to standard output stream the capture; the link stays a link. */
static void test_standard_output(void **state)
{
    (void)state;
    run r = shell("\"$IMPORT\" -q -o - \"$DEMO\" > dash.pcapng; echo \"dash exit $?\"; "
                  "ln -s /proc/self/fd/1 stdout-link; \"$IMPORT\" -q -o stdout-link \"$DEMO\" > link.pcapng; "
                  "echo \"link exit $?\"; [ -L stdout-link ] && echo 'still a link'");
    expect_out(&r, "dash exit 0");
    expect_out(&r, "link exit 0");
    expect_out(&r, "still a link");
    run_clear(&r);
    char *dash = path_in("dash.pcapng"), *link = path_in("link.pcapng");
    assert_int_equal(frame_count(dash), 14);
    assert_int_equal(frame_count(link), 14);
    g_free(dash), g_free(link);
}

/* A FIFO is written through, its reader gets the whole capture, and it stays a FIFO. */
static void test_fifo(void **state)
{
    (void)state;
    /* (timeout: a run that replaced the FIFO would leave its reader waiting) */
    run r = shell("mkfifo out.fifo && { timeout 30 cat out.fifo > from-fifo.pcapng & } && "
                  "timeout 30 \"$IMPORT\" -q -o out.fifo \"$DEMO\"; echo \"exit $?\"; wait; "
                  "[ -p out.fifo ] && echo 'still a FIFO'");
    expect_out(&r, "exit 0");
    expect_out(&r, "still a FIFO");
    run_clear(&r);
    char *got = path_in("from-fifo.pcapng");
    assert_int_equal(frame_count(got), 14);
    g_free(got);
}

/* A symbolic link is followed: its target is replaced (or made), the link stays. */
static void test_symlinks(void **state)
{
    (void)state;
    run r = shell("echo old > target.pcapng && ln -s target.pcapng to-file.pcapng && "
                  "\"$IMPORT\" -q -o to-file.pcapng \"$DEMO\"; echo \"existing exit $?\"; "
                  "[ -L to-file.pcapng ] && echo 'existing: still a link'; "
                  "ln -s made.pcapng to-new.pcapng && \"$IMPORT\" -q -o to-new.pcapng \"$DEMO\"; "
                  "echo \"new exit $?\"; [ -L to-new.pcapng ] && [ -f made.pcapng ] && echo 'new: link kept, target made'; "
                  "ln -s loop-b loop-a && ln -s loop-a loop-b; \"$IMPORT\" -q -o loop-a \"$DEMO\"; echo \"loop exit $?\"");
    expect_out(&r, "existing exit 0");
    expect_out(&r, "existing: still a link");
    expect_out(&r, "new exit 0");
    expect_out(&r, "new: link kept, target made");
    expect_out(&r, "loop exit 2");
    run_clear(&r);
    char *target = path_in("target.pcapng"), *made = path_in("made.pcapng");
    assert_int_equal(frame_count(target), 14);
    assert_int_equal(frame_count(made), 14);
    g_free(target), g_free(made);
}

/* A folder, a socket, a block device and '' are refused before any input is read: the input here is
 * a FIFO nobody writes to, which a run that read it would wait on until `timeout` ends it (124). */
static void test_refused_outputs(void **state)
{
    (void)state;
    GString *script = g_string_new("mkfifo never.fifo; mkdir folder; "
                                   "python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"sock\")' 2>/dev/null || "
                                   "perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => \"sock\", Listen => 1)'; ");
    if (is_root())
        g_string_append(script, "mknod blockdev b 7 200; ");
    g_string_append(script, "for out in folder sock blockdev ''; do [ -n \"$out\" ] && [ ! -e \"$out\" ] && continue; "
                            "timeout 20 \"$IMPORT\" -q -o \"$out\" --tracee never.fifo; echo \"$out exit $?\"; done; "
                            "[ -d folder ] && [ -S sock ] && echo 'all still there'");
    run r = shell(script->str);
    g_string_free(script, TRUE);
    expect_out(&r, "folder exit 2");
    expect_out(&r, "sock exit 2");
    expect_out(&r, " exit 2\n"); /* '' */
    expect_out(&r, "all still there");
    expect_message(&r, "folder: is a folder");
    expect_message(&r, "sock: is a socket");
    expect_message(&r, "-o '': the output needs a path");
    if (is_root()) {
        expect_out(&r, "blockdev exit 2");
        expect_message(&r, "blockdev: is a block device");
    }
    run_clear(&r);
}

/* A legal name of 255 bytes: the temporary beside it has a short name of its own. */
static void test_longest_name(void **state)
{
    (void)state;
    char *name = g_strnfill(248, 'n');
    char *script = g_strdup_printf("\"$IMPORT\" -q -o %s.pcapng \"$DEMO\"; echo \"exit $?\"; "
                                   "ls -A | grep -c '^\\.'", name);
    run r = shell(script);
    expect_out(&r, "exit 0\n0\n");
    run_clear(&r);
    char *path = g_strdup_printf("%s/%s.pcapng", dir, name);
    assert_int_equal(frame_count(path), 14);
    unlink(path);
    g_free(path), g_free(script), g_free(name);
}

/* --- runs that end early ---------------------------------------------------------------------- */

/* A script that starts a run blocked on a FIFO input (so the temporary exists), sends it SIG, and
 * prints its exit, the temporaries left and whether the output appeared. */
static char *signal_script(const char *sig)
{
    return g_strdup_printf("rm -f in.fifo sig.pcapng; mkfifo in.fifo; "
                           "\"$IMPORT\" -q -o sig.pcapng --tracee in.fifo & pid=$!; exec 3>in.fifo; echo '%s' >&3; "
                           "i=0; until ls -A | grep -q '^\\.' || [ $i -gt 200 ]; do i=$((i+1)); sleep 0.05; done; "
                           "kill -%s $pid; wait $pid; echo \"status $?\"; exec 3>&-; "
                           "echo \"temporaries $(ls -A | grep -c '^\\.')\"; [ -e sig.pcapng ] && echo 'output appeared'; "
                           "true",
                           good_line, sig);
}

static void test_signals_leave_nothing(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int number;
    } sigs[] = {{"TERM", 15}, {"HUP", 1}, {"USR1", 10}, {"USR2", 12}, {"ALRM", 14}, {"PIPE", 13}, {"PROF", 27}};
    /* (SIGINT and SIGQUIT: a shell starts background jobs with them ignored, and an ignored signal
     * stays ignored, as it should.) */
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        char *script = signal_script(sigs[i].name);
        run r = shell(script);
        char *status = g_strdup_printf("status %d", 128 + sigs[i].number);
        if (!strstr(r.out, status) || !strstr(r.out, "temporaries 0") || strstr(r.out, "output appeared"))
            print_error("SIG%s: %s", sigs[i].name, r.out);
        expect_out(&r, status);
        expect_out(&r, "temporaries 0");
        assert_null(strstr(r.out, "output appeared"));
        g_free(status), g_free(script);
        run_clear(&r);
    }
}

/* Past the file size limit the write fails with a message (SIGXFSZ is ignored), exit 2, and nothing
 * is left behind. */
static void test_file_size_limit(void **state)
{
    (void)state;
    GString *lines = g_string_new(NULL);
    for (int i = 0; i < 3000; i++)
        g_string_append_printf(lines, "%s\n", good_line);
    char *in = write_file("many.jsonl", lines->str, (gssize)lines->len);
    g_string_free(lines, TRUE);
    run r = shell("(ulimit -f 64; exec \"$IMPORT\" -q -o limited.pcapng --tracee many.jsonl); echo \"exit $?\"; "
                  "echo \"temporaries $(ls -A | grep -c '^\\.')\"; [ -e limited.pcapng ] && echo 'output appeared'; true");
    expect_out(&r, "exit 2");
    expect_out(&r, "temporaries 0");
    assert_null(strstr(r.out, "output appeared"));
    expect_message(&r, "File too large");
    run_clear(&r);
    g_free(in);
}

/* SIGKILL cannot be caught: its temporary stays, and the next run of the same output removes it,
 * while a temporary of a run still alive stays. */
static void test_killed_run_cleaned_up(void **state)
{
    (void)state;
    char *script = g_strdup_printf(
        "rm -f in.fifo; mkfifo in.fifo; printf '%%s\\n' '%s' > one.jsonl; "
        "\"$IMPORT\" -q -o killed.pcapng --tracee in.fifo & pid=$!; exec 3>in.fifo; "
        "i=0; until ls -A | grep -q '^\\.' || [ $i -gt 200 ]; do i=$((i+1)); sleep 0.05; done; "
        "kill -KILL $pid; wait $pid; exec 3>&-; echo \"after kill $(ls -A | grep -c '^\\.')\"; "
        "rm -f in.fifo; mkfifo in.fifo; \"$IMPORT\" -q -o killed.pcapng --tracee in.fifo & live=$!; exec 3>in.fifo; "
        "i=0; until [ \"$(ls -A | grep -c '^\\.')\" = 2 ] || [ $i -gt 200 ]; do i=$((i+1)); sleep 0.05; done; "
        "\"$IMPORT\" -o killed.pcapng one.jsonl; echo \"next exit $?\"; "
        "echo \"while one lives $(ls -A | grep -c '^\\.')\"; exec 3>&-; wait $live; echo \"live exit $?\"; "
        "echo \"at the end $(ls -A | grep -c '^\\.')\"",
        good_line);
    run r = shell(script);
    expect_out(&r, "after kill 1");
    expect_out(&r, "next exit 0");
    expect_out(&r, "while one lives 1"); /* the live run's, not the killed one's */
    expect_out(&r, "live exit 1");       /* its input was empty */
    expect_out(&r, "at the end 0");
    expect_message(&r, "left by a run that was killed");
    run_clear(&r);
    g_free(script);
}

/* --- inputs ----------------------------------------------------------------------------------- */

/* Nothing to read, from a file or a pipe, whatever the kind: "empty file: no records", exit 1. */
static void test_empty_inputs(void **state)
{
    (void)state;
    run r = shell(": > empty; for kind in packets etl tracee nettcp; do "
                  "when=; [ $kind = nettcp ] && when='--snapshot-time 2024-03-01T12:00:00Z'; "
                  "\"$IMPORT\" -q -o e.pcapng $when --$kind empty > /dev/null 2>&1; "
                  "echo \"$kind file exit $?\"; "
                  "cat empty | \"$IMPORT\" -q -o e.pcapng $when --$kind - 2>pipe-$kind.err; "
                  "echo \"$kind pipe exit $?\"; grep -q 'empty file: no records' pipe-$kind.err && echo \"$kind pipe said empty\"; "
                  "done");
    static const char *const kinds[] = {"packets", "etl", "tracee", "nettcp"};
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        char *m = g_strdup_printf("%s file exit 1", kinds[i]);
        expect_out(&r, m), g_free(m);
        m = g_strdup_printf("%s pipe exit 1", kinds[i]);
        expect_out(&r, m), g_free(m);
        m = g_strdup_printf("%s pipe said empty", kinds[i]);
        expect_out(&r, m), g_free(m);
    }
    run_clear(&r);
}

/* --snapshot-time FILE=T works before or after the input it names, in every form. */
static void test_option_order(void **state)
{
    (void)state;
    run r = shell("printf '[{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"1.2.3.4\","
                  "\"RemotePort\":443,\"State\":5,\"OwningProcess\":4120}]' > rows.json; T=2024-03-01T12:00:00Z; "
                  "for args in \"--snapshot-time rows.json=$T --nettcp rows.json\" \"--nettcp rows.json --snapshot-time rows.json=$T\" "
                  "\"--snapshot-time=rows.json=$T --nettcp=rows.json\" \"--snapshot-time rows.json=$T rows.json\" "
                  "\"rows.json --snapshot-time ./rows.json=$T\" \"--snapshot-time $T --nettcp rows.json\" "
                  "\"--snapshot-time rows.json=$T -o o.pcapng --nettcp rows.json\"; do "
                  "\"$IMPORT\" -q -o o.pcapng $args; echo \"[$args] exit $?\"; done");
    assert_null(strstr(r.out, "exit 1"));
    assert_null(strstr(r.out, "exit 2"));
    expect_out(&r, "[--snapshot-time rows.json=2024-03-01T12:00:00Z --nettcp rows.json] exit 0");
    run_clear(&r);
}

/* Every usage error exits 2, with nothing leaked (the sanitizer build would turn a leak into
 * another exit code) and no output made. */
static void test_usage_errors(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "--time-shift =5 \"$DEMO\"",        "--time-shift tracee=abc \"$DEMO\"",
        "--snapshot-time =2024 \"$DEMO\"",  "--snapshot-time yesterday \"$DEMO\"",
        "--time-shift nothing=5 \"$DEMO\"", "--snapshot-time x.json=2024-03-01T12:00:00Z \"$DEMO\"",
        "--bogus \"$DEMO\"",                "-o",
        "\"$DEMO\"",                        "- ",
        "--tracee - --packets -",           "--packets",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const bool no_output = strcmp(cases[i], "\"$DEMO\"") == 0 || strcmp(cases[i], "-o") == 0;
        char *script = g_strdup_printf("\"$IMPORT\" %s %s < /dev/null; echo \"exit $?\"; "
                                       "[ -e usage.pcapng ] && echo 'output appeared'; true",
                                       no_output ? "" : "-o usage.pcapng", cases[i]);
        run r = shell(script);
        if (!strstr(r.out, "exit 2"))
            print_error("procshark-import %s: %s%s", cases[i], r.out, r.err);
        expect_out(&r, "exit 2");
        assert_null(strstr(r.out, "output appeared"));
        g_free(script);
        run_clear(&r);
    }
}

/* Record text reaches the terminal with its control characters escaped. */
static void test_escaped_messages(void **state)
{
    (void)state;
    /* an escape sequence after an object; a bad time stamp is quoted (C1 CSI, U+009B, is legal
     * inside a JSON string); and the file's own name holds an escape */
    char *in = write_file("hostile\x1b[2J.jsonl", "{\"timestamp\":1709294400001000000,\"eventName\":\"x\"} \x1b]0;owned\n"
                                                 "{\"timestamp\":\"\xc2\x9b" "31m\",\"eventName\":\"x\"}\n", -1);
    char *out = path_in("hostile.pcapng");
    run r = IMPORT("-o", out, "--tracee", in);
    expect_code(&r, 1);
    assert_null(strchr(r.err, '\x1b'));
    assert_null(strstr(r.err, "\xc2\x9b"));
    expect_message(&r, "hostile\\x1b[2J.jsonl:1: not valid JSON at byte 51: trailing garbage");
    expect_message(&r, "hostile\\x1b[2J.jsonl:2: timestamp: \"\\u009b31m\"");
    run_clear(&r);
    g_free(in), g_free(out);
}

/* A process name from the monitored host holding an escape sequence and a line break, through
 * tshark's statistics tree, the Info column and a Lua text report: shown escaped. */
static void test_escaped_reports(void **state)
{
    (void)state;
    static const char event[] =
        "{\"timestamp\":1795309089913973214,\"processId\":%d,\"threadId\":%d,\"hostProcessId\":%d,"
        "\"hostThreadId\":%d,\"processName\":\"evil\\u001b[31m\\nname\",\"eventId\":\"2013\","
        "\"eventName\":\"net_flow_tcp_begin\",\"args\":[{\"name\":\"conn_direction\",\"type\":\"string\","
        "\"value\":\"%s\"},{\"name\":\"src\",\"type\":\"string\",\"value\":\"127.0.0.1\"},"
        "{\"name\":\"dst\",\"type\":\"string\",\"value\":\"127.0.0.1\"},{\"name\":\"src_port\","
        "\"type\":\"uint16\",\"value\":%d},{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":%d}]}\n";
    char *client = g_strdup_printf(event, 7001, 7001, 7001, 7001, "outgoing", 45238, 55852);
    char *server = g_strdup_printf(event, 7002, 7002, 7002, 7002, "incoming", 45238, 55852);
    char *lines = g_strconcat(client, server, NULL);
    char *events = write_file("evil.jsonl", lines, -1);
    g_free(client), g_free(server), g_free(lines);
    /* the sample's packets without its own records (frames 8 and 9) */
    run r = shell("editcap -r \"$DEMO\" packets.pcapng 1-7 10-14 && "
                  "\"$IMPORT\" -q -o evil.pcapng packets.pcapng evil.jsonl; echo \"exit $?\"");
    expect_out(&r, "exit 0");
    run_clear(&r);
    char *capture = path_in("evil.pcapng");
    char *script = g_build_filename(source_dir, "lua", "reports", "by_process.lua", NULL);
    char *lua = g_strconcat("lua_script:", script, NULL);
    const char *tree[] = {"-2", "-q", "-r", capture, "-z", "procshark,tree", NULL};
    const char *info[] = {"-r", capture, "-Y", "tracee_net", NULL};
    const char *report[] = {"-2", "-q", "-r", capture, "-X", lua, NULL};
    const char *const *runs[] = {tree, info, report};
    for (size_t i = 0; i < G_N_ELEMENTS(runs); i++) {
        char *out = tshark_ok(runs[i]);
        if (strchr(out, '\x1b') || !strstr(out, "evil\\x1b[31m\\nname"))
            print_error("tshark %s %s printed:\n%s\n", runs[i][3], runs[i][4], out);
        assert_null(strchr(out, '\x1b'));
        assert_non_null(strstr(out, "evil\\x1b[31m\\nname"));
        g_free(out);
    }
    g_free(capture), g_free(script), g_free(lua), g_free(events);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_import_contract PROCSHARK-IMPORT DEMO.pcapng SOURCE_DIR\n");
        return 2;
    }
    importer = argv[1];
    demo = argv[2];
    source_dir = argv[3];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_char_device),        cmocka_unit_test(test_standard_output),
        cmocka_unit_test(test_fifo),               cmocka_unit_test(test_symlinks),
        cmocka_unit_test(test_refused_outputs),    cmocka_unit_test(test_longest_name),
        cmocka_unit_test(test_signals_leave_nothing), cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_killed_run_cleaned_up), cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_option_order),       cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_escaped_messages),  cmocka_unit_test(test_escaped_reports),
    };
    int failed = IMPORT_TESTS_RUN("procshark-import contract", tests, "procshark-contract-XXXXXX", 0755);
    return failed;
}
