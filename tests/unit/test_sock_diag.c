/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the sock_diag reader (src/decode/sock_diag.c) that procshark-record's snapshots use:
 * hand-made messages built with Linux's own structs (so the reader's offsets are the kernel's),
 * hostile ones, and the kernel's real answer about sockets this test opens. Needs no privilege. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sock_diag.h"

/* A netlink message of type and payload, at the start of buf; its aligned length. */
static size_t message(uint8_t *buf, uint16_t type, const void *payload, size_t len)
{
    struct nlmsghdr h = {.nlmsg_len = (uint32_t)(sizeof h + len), .nlmsg_type = type};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, payload, len);
    return NLMSG_ALIGN(h.nlmsg_len);
}

static void test_parse_by_hand(void **state)
{
    (void)state;
    /* The reader's view of Linux's ABI is Linux's. */
    assert_int_equal(SOCK_DIAG_NLMSG_HEADER, sizeof(struct nlmsghdr));
    assert_int_equal(SOCK_DIAG_MSG_SIZE, sizeof(struct inet_diag_msg));
    assert_int_equal(SOCK_DIAG_NLMSG_ERROR, NLMSG_ERROR);
    assert_int_equal(SOCK_DIAG_NLMSG_DONE, NLMSG_DONE);
    assert_int_equal(SOCK_DIAG_BY_FAMILY_TYPE, SOCK_DIAG_BY_FAMILY);
    assert_int_equal(SOCK_DIAG_AF_INET, AF_INET);
    assert_int_equal(SOCK_DIAG_AF_INET6, AF_INET6);
    struct inet_diag_msg m = {0};
    m.idiag_family = AF_INET;
    m.idiag_state = 1;
    m.id.idiag_sport = htons(50000);
    m.id.idiag_dport = htons(443);
    m.id.idiag_src[0] = htonl(0x0a000001);
    m.id.idiag_dst[0] = htonl(0x5db8d822);
    m.id.idiag_cookie[0] = 7;
    m.id.idiag_cookie[1] = 1;
    m.idiag_uid = 1000;
    m.idiag_inode = 4242;
    uint8_t buf[1024];
    int done = 0, error = 0;
    size_t len = message(buf, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    m.idiag_family = AF_UNIX; /* not an inet socket: skipped */
    len += message(buf + len, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(sock_diag_socket));
    assert_int_equal(sock_diag_parse(buf, len, IPPROTO_TCP, sockets, &error), 0);
    len += message(buf + len, NLMSG_DONE, &done, sizeof done);
    g_array_set_size(sockets, 0);
    assert_int_equal(sock_diag_parse(buf, len, IPPROTO_TCP, sockets, &error), 1);
    assert_int_equal(sockets->len, 1);
    const sock_diag_socket *s = &g_array_index(sockets, sock_diag_socket, 0);
    assert_int_equal(s->family, 4);
    assert_int_equal(s->protocol, IPPROTO_TCP);
    assert_int_equal(s->state, 1);
    assert_memory_equal(s->local, ((uint8_t[16]){10, 0, 0, 1}), 16);
    assert_memory_equal(s->remote, ((uint8_t[16]){93, 184, 216, 34}), 16);
    assert_int_equal(s->local_port, 50000);
    assert_int_equal(s->remote_port, 443);
    assert_int_equal(s->uid, 1000);
    assert_int_equal(s->inode, 4242);
    assert_true(s->cookie == (UINT64_C(1) << 32 | 7));
    assert_false(s->dual_stack);
    g_array_free(sockets, TRUE);
}

/* An IPv6 socket's attributes: INET_DIAG_SKV6ONLY 0 makes it dual-stack; 1, none, or one past a
 * broken attribute do not. */
static void test_parse_dual_stack(void **state)
{
    (void)state;
    static const struct {
        uint8_t attrs[16];
        size_t len;
        bool dual_stack;
    } cases[] = {
        {{5, 0, INET_DIAG_SKV6ONLY, 0, 0}, 8, true},
        {{5, 0, INET_DIAG_SKV6ONLY, 0, 1}, 8, false},
        {{0}, 0, false},
        {{5, 0, INET_DIAG_TOS, 0, 0, 0, 0, 0, 5, 0, INET_DIAG_SKV6ONLY, 0, 0}, 16, true}, /* after another */
        {{2, 0, INET_DIAG_TOS, 0, 5, 0, INET_DIAG_SKV6ONLY, 0, 0}, 12, false},          /* after a broken one */
        {{9, 0, INET_DIAG_SKV6ONLY, 0, 0}, 8, false},                                     /* past the message */
        {{4, 0, INET_DIAG_SKV6ONLY, 0}, 4, false},                                        /* no value */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint8_t payload[sizeof(struct inet_diag_msg) + 16] = {0}, buf[256];
        struct inet_diag_msg m = {.idiag_family = AF_INET6};
        memcpy(payload, &m, sizeof m);
        memcpy(payload + sizeof m, cases[i].attrs, cases[i].len);
        size_t len = message(buf, SOCK_DIAG_BY_FAMILY, payload, sizeof m + cases[i].len);
        GArray *sockets = g_array_new(FALSE, FALSE, sizeof(sock_diag_socket));
        int error = 0;
        assert_int_equal(sock_diag_parse(buf, len, IPPROTO_UDP, sockets, &error), 0);
        assert_int_equal(sockets->len, 1);
        if (g_array_index(sockets, sock_diag_socket, 0).dual_stack != cases[i].dual_stack)
            fail_msg("case %zu: dual_stack is %d", i, !cases[i].dual_stack);
        g_array_free(sockets, TRUE);
    }
}

/* Lengths past the buffer, short payloads and the kernel's errors: -1 and why, never a read past. */
static void test_parse_hostile(void **state)
{
    (void)state;
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(sock_diag_socket));
    struct inet_diag_msg m = {.idiag_family = AF_INET};
    uint8_t buf[512];
    int error;
    size_t len = message(buf, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    for (size_t cut = 1; cut < len; cut++) {
        uint8_t *copy = g_memdup2(buf, cut); /* exactly sized: ASan sees a read past it */
        error = 0;
        assert_int_equal(sock_diag_parse(copy, cut, IPPROTO_TCP, sockets, &error), -1);
        assert_int_equal(error, EBADMSG);
        g_free(copy);
    }
    assert_int_equal(sock_diag_parse(buf, 0, IPPROTO_TCP, sockets, &error), 0); /* nothing yet */
    len = message(buf, SOCK_DIAG_BY_FAMILY, &m, 8); /* a payload too short for its message */
    assert_int_equal(sock_diag_parse(buf, len, IPPROTO_TCP, sockets, &error), -1);
    struct nlmsghdr tiny = {.nlmsg_len = 4, .nlmsg_type = SOCK_DIAG_BY_FAMILY};
    memcpy(buf, &tiny, sizeof tiny);
    assert_int_equal(sock_diag_parse(buf, sizeof tiny, IPPROTO_TCP, sockets, &error), -1);
    int code = -ENOENT;
    len = message(buf, NLMSG_ERROR, &code, sizeof code);
    error = 0;
    assert_int_equal(sock_diag_parse(buf, len, IPPROTO_UDP, sockets, &error), -1);
    assert_int_equal(error, ENOENT);
    len = message(buf, NLMSG_DONE, &code, sizeof code); /* a dump that failed on the way */
    error = 0;
    assert_int_equal(sock_diag_parse(buf, len, IPPROTO_UDP, sockets, &error), -1);
    assert_int_equal(error, ENOENT);
    code = INT32_MIN; /* no errno */
    len = message(buf, NLMSG_ERROR, &code, sizeof code);
    assert_int_equal(sock_diag_parse(buf, len, IPPROTO_UDP, sockets, &error), -1);
    assert_int_equal(error, EBADMSG);
    assert_int_equal(sockets->len, 0);
    g_array_free(sockets, TRUE);
}

/* The kernel's answer to a dump of one family and protocol, as the recorder asks for it. */
static bool kernel_dump(int af, uint8_t protocol, GArray *sockets)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return false;
    struct {
        struct nlmsghdr h;
        struct inet_diag_req_v2 r;
    } req = {{.nlmsg_len = sizeof req, .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
             {.sdiag_family = (uint8_t)af, .sdiag_protocol = protocol, .idiag_states = ~0u}};
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    int done = sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0 ? -1 : 0;
    static uint8_t buf[1 << 16];
    while (!done) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        int error = 0;
        done = n <= 0 ? -1 : sock_diag_parse(buf, (size_t)n, protocol, sockets, &error);
        if (done < 0)
            print_message("dump of %d/%u: %s\n", af, protocol, strerror(n <= 0 ? errno : error));
    }
    close(fd);
    return done > 0;
}

static uint32_t inode_of(int fd)
{
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    return (uint32_t)st.st_ino;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in6 a;
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin6_port); /* sin_port is at the same place */
}

static const sock_diag_socket *find_socket(const GArray *sockets, uint32_t inode)
{
    for (guint i = 0; i < sockets->len; i++)
        if (g_array_index(sockets, sock_diag_socket, i).inode == inode)
            return &g_array_index(sockets, sock_diag_socket, i);
    return NULL;
}

/* The kernel's answer about a TCP listener on 127.0.0.1 and a UDP socket on [::1]. */
static void test_list_real_sockets(void **state)
{
    (void)state;
    int tcp = socket(AF_INET, SOCK_STREAM, 0), udp = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    assert_int_equal(bind(tcp, (struct sockaddr *)&a4, sizeof a4), 0);
    assert_int_equal(listen(tcp, 1), 0);
    assert_int_equal(bind(udp, (struct sockaddr *)&a6, sizeof a6), 0);
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(sock_diag_socket));
    if (!kernel_dump(AF_INET, IPPROTO_TCP, sockets)) {
        print_message("SKIP: sock_diag is refused here\n");
        skip();
    }
    const bool udp_listed = kernel_dump(AF_INET6, IPPROTO_UDP, sockets);
    const sock_diag_socket *s = find_socket(sockets, inode_of(tcp));
    assert_non_null(s);
    assert_int_equal(s->family, 4);
    assert_int_equal(s->protocol, IPPROTO_TCP);
    assert_int_equal(s->state, 10); /* LISTEN */
    assert_memory_equal(s->local, ((uint8_t[4]){127, 0, 0, 1}), 4);
    assert_int_equal(s->local_port, port_of(tcp));
    assert_int_equal(s->remote_port, 0);
    assert_int_equal(s->uid, getuid());
    s = find_socket(sockets, inode_of(udp));
    if (udp_listed) { /* not where the kernel has no udp_diag */
        assert_non_null(s);
        assert_int_equal(s->family, 6);
        assert_int_equal(s->protocol, IPPROTO_UDP);
        assert_int_equal(s->local[15], 1);
        assert_int_equal(s->local_port, port_of(udp));
        /* On ::, with and without IPV6_V6ONLY. */
        for (int only = 0; only < 2; only++) {
            int any = socket(AF_INET6, SOCK_DGRAM, 0);
            struct sockaddr_in6 wildcard = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
            assert_int_equal(setsockopt(any, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only), 0);
            assert_int_equal(bind(any, (struct sockaddr *)&wildcard, sizeof wildcard), 0);
            g_array_set_size(sockets, 0);
            assert_true(kernel_dump(AF_INET6, IPPROTO_UDP, sockets));
            s = find_socket(sockets, inode_of(any));
            assert_non_null(s);
            assert_int_equal(s->dual_stack, !only);
            close(any);
        }
    }
    g_array_free(sockets, TRUE);
    close(tcp);
    close(udp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_by_hand),
        cmocka_unit_test(test_parse_dual_stack),
        cmocka_unit_test(test_parse_hostile),
        cmocka_unit_test(test_list_real_sockets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
