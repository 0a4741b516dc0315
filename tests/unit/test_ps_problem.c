/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The decoders' problem list: empty when zeroed, problems kept in order with their place and code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "ps_problem.h"

static void test_zeroed_is_empty(void **state)
{
    (void)state;
    ps_problems list = {0};
    assert_int_equal(ps_problems_count(&list), 0);
    assert_null(ps_problems_first(&list));
    assert_null(ps_problems_at(&list, 0));
    assert_false(ps_problems_has(&list, 0));
    ps_problems_clear(&list);
    assert_null(list.items);
}

static void test_problems_in_order(void **state)
{
    (void)state;
    ps_problems list = {0};
    ps_problems_add(&list, 3, 84, 4, "UserDataLength %u points past the end", 4000u);
    ps_problems_add(&list, 7, PS_NO_OFFSET, 0, "%s: expected a string", "processName");
    assert_int_equal(ps_problems_count(&list), 2);
    const ps_problem *p = ps_problems_first(&list);
    assert_int_equal(p->code, 3);
    assert_int_equal(p->offset, 84);
    assert_int_equal(p->length, 4);
    assert_string_equal(p->message, "UserDataLength 4000 points past the end");
    p = ps_problems_at(&list, 1);
    assert_int_equal(p->code, 7);
    assert_true(p->offset == PS_NO_OFFSET);
    assert_string_equal(p->message, "processName: expected a string");
    assert_null(ps_problems_at(&list, 2));
    assert_true(ps_problems_has(&list, 7));
    assert_false(ps_problems_has(&list, 5));

    ps_problems_clear(&list);
    assert_int_equal(ps_problems_count(&list), 0);
    ps_problems_add(&list, 1, 0, 0, "reused");
    assert_string_equal(ps_problems_first(&list)->message, "reused");
    ps_problems_clear(&list);
}

static void test_null_list_takes_nothing(void **state)
{
    (void)state;
    ps_problems_add(NULL, 1, 0, 0, "nobody asked");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_is_empty),
        cmocka_unit_test(test_problems_in_order),
        cmocka_unit_test(test_null_list_takes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
