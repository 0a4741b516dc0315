/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark's annotations (src/decode/proc_annotation.c): the text written for known ends, names
 * that need escaping parsed back to the same bytes, and broken annotations reported, never used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proc_annotation.h"

#define ARROW " \xe2\x86\x92 "

static proc_annotation_end end(uint32_t pid, const char *name, const char *container)
{
    return (proc_annotation_end){true, pid, (char *)name, (char *)container};
}

static char *encode(proc_annotation_end src, proc_annotation_end dst)
{
    const proc_annotation ann = {{src, dst}};
    GString *out = g_string_new(NULL);
    proc_annotation_encode(out, &ann);
    return g_string_free(out, FALSE);
}

static void assert_same_end(const proc_annotation_end *got, const proc_annotation_end *want)
{
    assert_int_equal(got->known, want->known);
    assert_int_equal(got->pid, want->pid);
    if (want->name && *want->name)
        assert_string_equal(got->name, want->name);
    else
        assert_null(got->name);
    if (want->container && *want->container)
        assert_string_equal(got->container, want->container);
    else
        assert_null(got->container);
}

/* Writes the ends, checks the text, parses it back to the same ends and writes the same text again. */
static void round_trip(proc_annotation_end src, proc_annotation_end dst, const char *want)
{
    char *text = encode(src, dst);
    assert_string_equal(text, want);
    proc_annotation ann = {0};
    ps_problems problems = {0};
    assert_true(proc_annotation_is_ours(text, strlen(text)));
    assert_true(proc_annotation_decode(text, strlen(text), &ann, &problems));
    assert_int_equal(ps_problems_count(&problems), 0);
    assert_same_end(&ann.end[0], &src);
    assert_same_end(&ann.end[1], &dst);
    char *again = encode(ann.end[0], ann.end[1]);
    assert_string_equal(again, text);
    proc_annotation_clear(&ann);
    g_free(again);
    g_free(text);
}

static void test_plain(void **state)
{
    (void)state;
    const proc_annotation_end unknown = {0};
    round_trip(end(1234, "curl", NULL), end(80, "nginx", NULL), "proc: curl (1234)" ARROW "nginx (80)");
    round_trip(end(1234, "curl", NULL), unknown, "proc: curl (1234)" ARROW "?");
    round_trip(unknown, end(4, "System", NULL), "proc: ?" ARROW "System (4)");
    round_trip(end(0, NULL, NULL), end(4294967295u, "", NULL), "proc: ? (0)" ARROW "? (4294967295)");
    round_trip(end(7, "nginx", "web-1"), end(9, NULL, "db"),
               "proc: nginx (7) [container web-1]" ARROW "? (9) [container db]");
    /* Spaces and non-ASCII letters are plain text. */
    round_trip(end(5, "Google Chrome Helper ", NULL), end(6, "\xc3\xb1" "and\xc3\xba", NULL),
               "proc: Google Chrome Helper  (5)" ARROW "\xc3\xb1" "and\xc3\xba (6)");
}

/* What would end a name, or read as something else, is escaped; what a terminal would obey, too. */
static void test_escapes(void **state)
{
    (void)state;
    round_trip(end(1, "a\\b(c)[d]", "x]y[z"), end(2, "?", NULL),
               "proc: a\\\\b\\(c\\)\\[d\\] (1) [container x\\]y\\[z]" ARROW "\\? (2)");
    /* A name that only starts with ? is escaped there only: "?" alone means not known. */
    round_trip(end(3, "?x?", NULL), end(4, "x (5)" ARROW "y (6)", NULL),
               "proc: \\?x? (3)" ARROW "x \\(5\\) \\xe2\\x86\\x92 y \\(6\\) (4)");
    /* C0, DEL, C1 (U+0085) and invalid UTF-8 as \xHH, byte by byte. */
    round_trip(end(8, "a\nb\t\x1b[31m\x7f", NULL), end(9, "\xc2\x85z\xff\xc3", NULL),
               "proc: a\\x0ab\\x09\\x1b\\[31m\\x7f (8)" ARROW "\\xc2\\x85z\\xff\\xc3 (9)");
}

/* Escapes a person might write are read too: upper-case hex, \? inside a name. */
static void test_lenient_escapes(void **state)
{
    (void)state;
    const char *text = "proc: a\\x1Bb\\?c (1)" ARROW "?";
    proc_annotation ann = {0};
    assert_true(proc_annotation_decode(text, strlen(text), &ann, NULL));
    assert_string_equal(ann.end[0].name, "a\x1b" "b?c");
    proc_annotation_clear(&ann);
}

/* A broken annotation: false, nothing decoded, one problem whose message names the byte. */
static void expect_problem(const char *text, size_t len, int code, const char *message_part)
{
    proc_annotation ann = {0};
    ps_problems problems = {0};
    assert_false(proc_annotation_decode(text, len, &ann, &problems));
    assert_false(ann.end[0].known || ann.end[1].known || ann.end[0].name || ann.end[0].container);
    assert_int_equal(ps_problems_count(&problems), 1);
    const ps_problem *p = ps_problems_at(&problems, 0);
    if (code != p->code || !strstr(p->message, message_part))
        print_error("%.*s: got %d \"%s\"\n", (int)len, text, p->code, p->message);
    assert_int_equal(p->code, code);
    assert_non_null(strstr(p->message, message_part));
    assert_true(p->offset <= len);
    ps_problems_clear(&problems);
}

#define PROBLEM(text, code, part) expect_problem(text, sizeof text - 1, code, part)

static void test_hostile(void **state)
{
    (void)state;
    PROBLEM("proc: curl (4294967296)" ARROW "?", PROC_ANNOTATION_BAD_PID, "at byte 12 is larger than 4294967295");
    PROBLEM("proc: curl (99999999999999999999999)" ARROW "?", PROC_ANNOTATION_BAD_PID, "larger than 4294967295");
    PROBLEM("proc: curl (012)" ARROW "?", PROC_ANNOTATION_BAD_PID, "leading zero");
    PROBLEM("proc: curl ()" ARROW "?", PROC_ANNOTATION_BAD_PID, "no pid at byte 12");
    PROBLEM("proc: curl (-1)" ARROW "?", PROC_ANNOTATION_BAD_PID, "no pid at byte 12");
    PROBLEM("proc: curl (12x)" ARROW "?", PROC_ANNOTATION_BAD_PID, "followed by 'x'");
    PROBLEM("proc: cu\\rl (1)" ARROW "?", PROC_ANNOTATION_BAD_ESCAPE, "unknown escape \\r at byte 8");
    PROBLEM("proc: cu\\x0 (1)" ARROW "?", PROC_ANNOTATION_BAD_ESCAPE, "\\x at byte 8 is not followed by two hex");
    PROBLEM("proc: cu\\x00l (1)" ARROW "?", PROC_ANNOTATION_BAD_ESCAPE, "holds no NUL");
    PROBLEM("proc: curl(1)" ARROW "?", PROC_ANNOTATION_SYNTAX, "expected \" (\" before the pid at byte 10");
    PROBLEM("proc:  (1)" ARROW "?", PROC_ANNOTATION_SYNTAX, "empty name at byte 6");
    PROBLEM("proc: cu)rl (1)" ARROW "?", PROC_ANNOTATION_SYNTAX, "unescaped ')' at byte 8");
    PROBLEM("proc: a" ARROW "b (1)" ARROW "?", PROC_ANNOTATION_SYNTAX, "unescaped arrow at byte 8");
    PROBLEM("proc: a\tb (1)" ARROW "?", PROC_ANNOTATION_BAD_TEXT, "raw control character at byte 7");
    PROBLEM("proc: a\xc2\x9b" "b (1)" ARROW "?", PROC_ANNOTATION_BAD_TEXT, "raw control character at byte 7");
    PROBLEM("proc: a\xff (1)" ARROW "?", PROC_ANNOTATION_BAD_TEXT, "not valid UTF-8 at byte 7");
    PROBLEM("proc: a\0b (1)" ARROW "?", PROC_ANNOTATION_BAD_TEXT, "not valid UTF-8 at byte 7");
    PROBLEM("proc: ?x (1)" ARROW "?", PROC_ANNOTATION_SYNTAX, "'?' at byte 6 stands alone");
    PROBLEM("proc: curl (1) -> nginx (2)", PROC_ANNOTATION_SYNTAX, "after the source end at byte 14");
    PROBLEM("proc: curl (1)" ARROW "nginx (2) ", PROC_ANNOTATION_SYNTAX, "text after the destination end at byte 28");
    PROBLEM("proc: curl (1) [container ]" ARROW "?", PROC_ANNOTATION_SYNTAX, "empty container at byte 26");
    PROBLEM("proc: curl (1) [pod x]" ARROW "?", PROC_ANNOTATION_SYNTAX, "after the source end at byte 14");
    PROBLEM("proc: ?" ARROW "?\n", PROC_ANNOTATION_SYNTAX, "'?' at byte 12 stands alone");
    PROBLEM("PROC: curl (1)" ARROW "?", PROC_ANNOTATION_SYNTAX, "does not start with");
}

/* Every cut of a full annotation is reported (as ending early, or as a misplaced character). */
static void test_truncated(void **state)
{
    (void)state;
    const char full[] = "proc: c\\(u\\x1b (12) [container w\\]b]" ARROW "? (4)";
    for (size_t len = strlen("proc: "); len < sizeof full - 1; len++) {
        if (len > 0 && ((unsigned char)full[len] & 0xc0) == 0x80)
            continue; /* inside the arrow's UTF-8: reported as invalid text, not checked here */
        proc_annotation ann = {0};
        ps_problems problems = {0};
        const bool parsed = proc_annotation_decode(full, len, &ann, &problems);
        /* One cut is whole: "... → ?" names no destination. */
        assert_int_equal(parsed, len == (size_t)(strrchr(full, '?') - full) + 1);
        proc_annotation_clear(&ann);
        if (parsed)
            continue;
        assert_int_equal(ps_problems_count(&problems), 1);
        assert_non_null(strstr(ps_problems_at(&problems, 0)->message, "byte"));
        ps_problems_clear(&problems);
    }
    proc_annotation ann = {0};
    assert_true(proc_annotation_decode(full, sizeof full - 1, &ann, NULL));
    assert_string_equal(ann.end[0].name, "c(u\x1b");
    assert_string_equal(ann.end[0].container, "w]b");
    assert_int_equal(ann.end[1].pid, 4);
    proc_annotation_clear(&ann);
}

/* A comment is ours by its start only: ptcpdump's and people's notes are not. */
static void test_is_ours(void **state)
{
    (void)state;
    assert_true(proc_annotation_is_ours("proc: x", 7));
    assert_false(proc_annotation_is_ours("proc:", 5));
    assert_false(proc_annotation_is_ours("PID: 7\nCmd: /bin/sh", 19));
    assert_false(proc_annotation_is_ours("procedure: x", 12));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),     cmocka_unit_test(test_escapes),   cmocka_unit_test(test_lenient_escapes),
        cmocka_unit_test(test_hostile),   cmocka_unit_test(test_truncated), cmocka_unit_test(test_is_ours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
