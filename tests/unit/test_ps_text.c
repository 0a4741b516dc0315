/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Record text shown to a person: control characters escaped, everything else as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "ps_text.h"

static void expect(const char *in, gssize len, const char *want)
{
    GString *out = g_string_new(NULL);
    ps_text_escape(out, in, len);
    if (strcmp(out->str, want) != 0)
        print_error("escaped \"%s\", expected \"%s\"\n", out->str, want);
    assert_string_equal(out->str, want);
    g_string_free(out, TRUE);
}

static void test_named_escapes(void **state)
{
    (void)state;
    expect("a\ab\bc\fd\ne\rf\tg\vh", -1, "a\\ab\\bc\\fd\\ne\\rf\\tg\\vh");
}

static void test_other_controls_in_hex(void **state)
{
    (void)state;
    expect("\x1b[31mred\x1b]0;title\x07", -1, "\\x1b[31mred\\x1b]0;title\\a");
    expect("\x01\x1f\x7f", -1, "\\x01\\x1f\\x7f");
    expect("a\0b", 3, "a\\x00b"); /* with a length, a NUL is shown too */
}

static void test_c1_controls(void **state)
{
    (void)state;
    /* U+009B (CSI) and U+0085 (NEL), as UTF-8; U+00A0 and after are text */
    expect("\xc2\x9b" "31m\xc2\x85|\xc2\xa0\xc3\xa9", -1, "\\u009b31m\\u0085|\xc2\xa0\xc3\xa9");
}

static void test_text_unchanged(void **state)
{
    (void)state;
    expect("C:\\Windows\\system32\\lsass.exe", -1, "C:\\Windows\\system32\\lsass.exe");
    expect("curl \xe2\x86\x92 \xf0\x9f\x98\x80 \"quoted\"", -1, "curl \xe2\x86\x92 \xf0\x9f\x98\x80 \"quoted\"");
    expect("\xff\xfe invalid", -1, "\xff\xfe invalid"); /* invalid UTF-8 is the caller's matter */
    expect("", -1, "");
    assert_false(ps_text_needs_escape("C:\\Windows curl \xe2\x86\x92 \xc2\xa0"));
    assert_true(ps_text_needs_escape("a\x1b"));
    assert_true(ps_text_needs_escape("\x7f"));
    assert_true(ps_text_needs_escape("x\xc2\x9b"));
    char *e = ps_text_escaped("x\ny");
    assert_string_equal(e, "x\\ny");
    g_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_escapes),
        cmocka_unit_test(test_other_controls_in_hex),
        cmocka_unit_test(test_c1_controls),
        cmocka_unit_test(test_text_unchanged),
    };
    return cmocka_run_group_tests_name("ps_text", tests, NULL, NULL);
}
