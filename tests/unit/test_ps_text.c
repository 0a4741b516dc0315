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

/* The eight-byte ASCII check hands over to GLib at the right byte: every offset of a bad byte
 * in a text of up to 40 bytes says what g_utf8_validate_len says. */
static void test_valid_utf8_agrees_with_glib(void **state)
{
    (void)state;
    static const char *const bad[] = {"\x00", "\xff", "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
    static const char *const good[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f"};
    for (size_t at = 0; at < 33; at++) {
        for (size_t k = 0; k < sizeof bad / sizeof bad[0] + sizeof good / sizeof good[0]; k++) {
            bool is_bad = k < sizeof bad / sizeof bad[0];
            const char *insert = is_bad ? bad[k] : good[k - sizeof bad / sizeof bad[0]];
            size_t n = is_bad && k == 0 ? 1 : strlen(insert);
            char text[64];
            memset(text, 'a', sizeof text);
            memcpy(text + at, insert, n);
            size_t len = at + n + 7;
            const char *end;
            bool glib = g_utf8_validate_len(text, len, &end);
            size_t where = 99;
            assert_int_equal(ps_text_valid_utf8(text, len, &where), glib);
            assert_int_equal(glib, !is_bad);
            if (!glib)
                assert_int_equal(where, (size_t)(end - text));
        }
    }
    size_t where = 99;
    assert_true(ps_text_valid_utf8("", 0, &where));
    assert_false(ps_text_valid_utf8("abcdefghij\x80", 11, &where));
    assert_int_equal(where, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_escapes),
        cmocka_unit_test(test_other_controls_in_hex),
        cmocka_unit_test(test_c1_controls),
        cmocka_unit_test(test_text_unchanged),
        cmocka_unit_test(test_valid_utf8_agrees_with_glib),
    };
    return cmocka_run_group_tests_name("ps_text", tests, NULL, NULL);
}
