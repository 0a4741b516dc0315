/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptcpdump's packet comments (src/decode/ptcpdump_comment.c), from the comments of its own test
 * captures (testdata/format/, docs/FORMATS.md section 7) and broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptcpdump_comment.h"

static void add(ptcpdump_info *info, const char *comment) { ptcpdump_comment_add(info, comment, strlen(comment)); }

/* curl-user.pcapng, packet 1: three comments. */
static void test_curl_user(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    add(&info, "PID: 99722\nCmd: /usr/bin/curl\nArgs: curl https://kernel.org");
    add(&info, "UserId: 1000");
    add(&info, "ParentPID: 18840\nParentCmd: /usr/bin/bash\nParentArgs: -bash");
    ptcpdump_comment_finish(&info);
    assert_true(info.any);
    assert_int_equal(ps_problems_count(&info.problems), 0);
    assert_true(info.has_number[PTCPDUMP_PID]);
    assert_int_equal(info.number[PTCPDUMP_PID], 99722);
    assert_string_equal(info.value[PTCPDUMP_CMD], "/usr/bin/curl");
    assert_string_equal(info.value[PTCPDUMP_ARGS], "curl https://kernel.org");
    assert_int_equal(info.number[PTCPDUMP_UID], 1000);
    assert_int_equal(info.number[PTCPDUMP_PPID], 18840);
    assert_string_equal(info.value[PTCPDUMP_PARENT_CMD], "/usr/bin/bash");
    assert_string_equal(info.value[PTCPDUMP_PARENT_ARGS], "-bash");
    assert_null(info.value[PTCPDUMP_TID]);
    assert_string_equal(info.name, "curl");
    ptcpdump_info_clear(&info);
    assert_null(info.name);
}

/* curl-thread.pcapng, packet 1: a thread comment, written when the sending thread ran. */
static void test_curl_thread(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    add(&info, "PID: 122868\nCmd: /usr/bin/curl\nArgs: curl kernel.com");
    add(&info, "ThreadId: 122868\nThreadName: curl");
    ptcpdump_comment_finish(&info);
    assert_int_equal(ps_problems_count(&info.problems), 0);
    assert_int_equal(info.number[PTCPDUMP_TID], 122868);
    assert_string_equal(info.value[PTCPDUMP_THREAD_NAME], "curl");
    ptcpdump_info_clear(&info);
}

/* Container and pod comments; keys ptcpdump's reader takes as aliases; white space as it trims it. */
static void test_container_aliases(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    add(&info, "  PID:  7 \r\nCommand: /bin/sh...\nArgs: sh -c x...\n");
    add(&info, "ContainerName: web\nContainerId: 0123abcd\nContainerImage: nginx:1.27\nContainerLabels: {}");
    add(&info, "PodName: p\nPodNamespace: default\nPodUID: u-1\nPodLabels: {}\nPodAnnotations: {}");
    add(&info, "TID: 8\nThreadName: worker");
    ptcpdump_comment_finish(&info);
    assert_int_equal(ps_problems_count(&info.problems), 0);
    assert_int_equal(info.number[PTCPDUMP_PID], 7);
    assert_string_equal(info.value[PTCPDUMP_CMD], "/bin/sh...");
    assert_string_equal(info.name, "sh"); /* "..." marks a path ptcpdump cut */
    assert_string_equal(info.value[PTCPDUMP_CONTAINER_IMAGE], "nginx:1.27"); /* split at the first colon */
    assert_string_equal(info.value[PTCPDUMP_POD_NAMESPACE], "default");
    assert_int_equal(info.number[PTCPDUMP_TID], 8);
    ptcpdump_info_clear(&info);
}

/* A script run through /dev/fd/N is named by its first argument, as ptcpdump's Comm() does. */
static void test_name_rules(void **state)
{
    (void)state;
    static const struct {
        const char *comment, *name;
    } cases[] = {
        {"PID: 1\nCmd: /dev/fd/5\nArgs: /usr/sbin/dropbear -F -p 22", "dropbear"},
        {"PID: 1\nCmd: /usr/lib/x/", "x"},
        {"PID: 1\nCmd: nginx", "nginx"},
        {"PID: 1\nCmd: ", NULL},
        {"PID: 1\nCmd: /", NULL},
        {"PID: 1", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ptcpdump_info info = {0};
        add(&info, cases[i].comment);
        ptcpdump_comment_finish(&info);
        if (cases[i].name)
            assert_string_equal(info.name, cases[i].name);
        else
            assert_null(info.name);
        ptcpdump_info_clear(&info);
    }
}

/* A person's comment is left alone: no ptcpdump key, no problem. Unknown keys are ignored. */
static void test_foreign(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    add(&info, "retransmission here, see ticket 12\nnote: check later");
    ptcpdump_comment_add(&info, "\xff\xfe note", 7);
    ptcpdump_comment_add(&info, "", 0);
    ptcpdump_comment_finish(&info);
    assert_false(info.any);
    assert_int_equal(ps_problems_count(&info.problems), 0);
    add(&info, "PID: 5\nFutureKey: something");
    ptcpdump_comment_finish(&info);
    assert_true(info.any);
    assert_int_equal(ps_problems_count(&info.problems), 0);
    ptcpdump_info_clear(&info);
}

static void test_malformed(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    /* An argument with a newline: its second half is a line without a key. */
    add(&info, "PID: 12x\nCmd: /usr/bin/printf\nArgs: printf a\nb");
    add(&info, "PID: 13\nUserId: -1");
    add(&info, "ParentPID: 4294967296");
    ptcpdump_comment_finish(&info);
    assert_true(info.any);
    assert_false(info.has_number[PTCPDUMP_PID]);
    assert_string_equal(info.value[PTCPDUMP_PID], "12x"); /* the first is kept, shown as written */
    assert_false(info.has_number[PTCPDUMP_UID]);
    assert_false(info.has_number[PTCPDUMP_PPID]);
    assert_string_equal(info.value[PTCPDUMP_ARGS], "printf a");
    assert_int_equal(ps_problems_count(&info.problems), 5);
    assert_int_equal(ps_problems_at(&info.problems, 0)->code, PTCPDUMP_BAD_NUMBER);
    assert_int_equal(ps_problems_at(&info.problems, 0)->offset, 5); /* the value "12x" */
    assert_int_equal(ps_problems_at(&info.problems, 0)->length, 3);
    assert_int_equal(ps_problems_at(&info.problems, 1)->code, PTCPDUMP_STRAY_LINE);
    assert_int_equal(ps_problems_at(&info.problems, 1)->offset, 45); /* "b" */
    assert_int_equal(ps_problems_at(&info.problems, 2)->code, PTCPDUMP_CONFLICT);
    assert_int_equal(ps_problems_at(&info.problems, 3)->code, PTCPDUMP_BAD_NUMBER);
    assert_string_equal(ps_problems_at(&info.problems, 3)->message,
                        "ptcpdump comment's UserId is not a number up to 4294967295");
    assert_int_equal(ps_problems_at(&info.problems, 4)->code, PTCPDUMP_BAD_NUMBER);
    ptcpdump_info_clear(&info);
}

static void test_hostile(void **state)
{
    (void)state;
    ptcpdump_info info = {0};
    /* A NUL inside, and bytes that are not UTF-8, in comments that start with a ptcpdump key. */
    ptcpdump_comment_add(&info, "PID: 1\0Cmd: x", 13);
    ptcpdump_comment_add(&info, "Cmd: /usr/bin/\xc3", 15);
    ptcpdump_comment_finish(&info);
    assert_false(info.any);
    assert_int_equal(ps_problems_count(&info.problems), 2);
    assert_int_equal(ps_problems_at(&info.problems, 0)->code, PTCPDUMP_BAD_TEXT);
    assert_int_equal(ps_problems_at(&info.problems, 0)->offset, 6);
    assert_int_equal(ps_problems_at(&info.problems, 1)->offset, 14);
    ps_problems_clear(&info.problems);
    /* Keys without a PID; control characters kept as written (the plugin escapes what it shows). */
    add(&info, ":\n:::\nCmd: \x1b[31mred\nThreadName:");
    ptcpdump_comment_finish(&info);
    assert_string_equal(info.value[PTCPDUMP_CMD], "\x1b[31mred");
    assert_string_equal(info.value[PTCPDUMP_THREAD_NAME], "");
    assert_string_equal(info.name, "\x1b[31mred");
    assert_int_equal(ps_problems_count(&info.problems), 1);
    assert_int_equal(ps_problems_first(&info.problems)->code, PTCPDUMP_NO_PID);
    ptcpdump_info_clear(&info);
    /* A long comment of keys alone: bounded, each line once. */
    GString *big = g_string_new("PID: 3\n");
    for (int i = 0; i < 5000; i++)
        g_string_append(big, "Args: a\n");
    ptcpdump_comment_add(&info, big->str, big->len);
    ptcpdump_comment_finish(&info);
    assert_int_equal(ps_problems_count(&info.problems), 0);
    assert_string_equal(info.value[PTCPDUMP_ARGS], "a");
    g_string_free(big, TRUE);
    ptcpdump_info_clear(&info);
}

static void test_key_names(void **state)
{
    (void)state;
    assert_string_equal(ptcpdump_key_name(PTCPDUMP_PPID), "ParentPID");
    assert_string_equal(ptcpdump_key_name(PTCPDUMP_POD_ANNOTATIONS), "PodAnnotations");
    assert_string_equal(ptcpdump_key_name(PTCPDUMP_KEY_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curl_user), cmocka_unit_test(test_curl_thread),
        cmocka_unit_test(test_container_aliases), cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_foreign), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_hostile), cmocka_unit_test(test_key_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
