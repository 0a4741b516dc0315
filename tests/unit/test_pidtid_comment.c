/* SPDX-License-Identifier: GPL-2.0-or-later */
/* etl2pcapng's "PID=… TID=…" comments (src/decode/pidtid_comment.c): the forms etl2pcapng writes
 * (its src/main.c: plain, Wi-Fi metadata, vmswitch, RAS) and broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pidtid_comment.h"

static bool parse(const char *text, pidtid_comment *out) { return pidtid_comment_parse(text, strlen(text), out); }

static void test_forms_etl2pcapng_writes(void **state)
{
    (void)state;
    pidtid_comment c;
    assert_true(parse("PID=4120 TID=5000", &c));
    assert_true(c.has_pid && c.has_tid);
    assert_int_equal(c.pid, 4120);
    assert_int_equal(c.tid, 5000);
    assert_null(c.details);
    assert_int_equal(ps_problems_count(&c.problems), 0);
    pidtid_comment_clear(&c);
    assert_true(parse("PID=0 TID=0 Packet Metadata: ReceiveFlags:0x0, PhyType:HT, CenterCh:2437, "
                      "NumMPDUsReceived:1, RSSI:-51, DataRate:130",
                      &c));
    assert_int_equal(c.pid, 0);
    assert_string_equal(c.details, "Packet Metadata: ReceiveFlags:0x0, PhyType:HT, CenterCh:2437, NumMPDUsReceived:1, "
                                   "RSSI:-51, DataRate:130");
    pidtid_comment_clear(&c);
    assert_true(parse("PID=4294967295 TID=1 RoutingDomainId={1} Username=alice", &c));
    assert_int_equal(c.pid, 4294967295u);
    assert_string_equal(c.details, "RoutingDomainId={1} Username=alice");
    pidtid_comment_clear(&c);
}

static void test_not_ours_and_broken(void **state)
{
    (void)state;
    pidtid_comment c;
    assert_false(parse("PID: 99722\nCmd: /usr/bin/curl", &c)); /* ptcpdump's */
    assert_false(parse("an analyst's note", &c));
    assert_false(parse("PID", &c));
    const struct {
        const char *text;
        int code;
        size_t offset;
        bool has_pid;
    } cases[] = {
        {"PID=", PIDTID_BAD_NUMBER, 4, false},
        {"PID=-4 TID=1", PIDTID_BAD_NUMBER, 4, false},
        {"PID=4294967296 TID=1", PIDTID_BAD_NUMBER, 4, false},
        {"PID=123456789012345678901 TID=1", PIDTID_BAD_NUMBER, 4, false},
        {"PID=12x TID=1", PIDTID_BAD_NUMBER, 4, false},
        {"PID=12", PIDTID_NO_TID, 6, true},
        {"PID=12 TID", PIDTID_NO_TID, 6, true},
        {"PID=12 TID=", PIDTID_BAD_NUMBER, 11, true},
        {"PID=12 TID=9z", PIDTID_BAD_NUMBER, 11, true},
        {"PID=12 TID=9 \x1b[31mred", PIDTID_BAD_TEXT, 13, true},
        {"PID=12 TID=9 \xff\xfe", PIDTID_BAD_TEXT, 13, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(parse(cases[i].text, &c));
        assert_int_equal(ps_problems_count(&c.problems), 1);
        assert_int_equal(ps_problems_first(&c.problems)->code, cases[i].code);
        assert_int_equal(ps_problems_first(&c.problems)->offset, cases[i].offset);
        assert_int_equal(c.has_pid, cases[i].has_pid);
        assert_null(c.details);
        pidtid_comment_clear(&c);
    }
    /* Every truncation of a good comment: never a crash, a number only when whole. */
    const char *whole = "PID=4120 TID=5000 VlanId=3";
    for (size_t n = 0; n <= strlen(whole); n++) {
        char *cut = g_strndup(whole, n);
        if (pidtid_comment_parse(cut, n, &c) && c.has_pid)
            assert_int_equal(c.pid, n >= 8 ? 4120 : c.pid);
        pidtid_comment_clear(&c);
        g_free(cut);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_etl2pcapng_writes),
        cmocka_unit_test(test_not_ours_and_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
