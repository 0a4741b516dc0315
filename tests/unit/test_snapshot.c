/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for procshark-record's socket snapshots (tools/record/snapshot.c): the sock_diag
 * reader on hand-made and hostile netlink messages and on the kernel's own answer about sockets
 * this test opens, the /proc pass that finds their processes (a socket shared with a child: both),
 * and the records written, read back by the format's decoder. Needs no privilege. */
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
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procrec_event.h"
#include "snapshot.h"

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
    int done = 0;
    size_t len = message(buf, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    m.idiag_family = AF_UNIX; /* not an inet socket: skipped */
    len += message(buf + len, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(snapshot_socket));
    assert_int_equal(snapshot_parse_diag(buf, len, IPPROTO_TCP, sockets), 0);
    len += message(buf + len, NLMSG_DONE, &done, sizeof done);
    g_array_set_size(sockets, 0);
    assert_int_equal(snapshot_parse_diag(buf, len, IPPROTO_TCP, sockets), 1);
    assert_int_equal(sockets->len, 1);
    const snapshot_socket *s = &g_array_index(sockets, snapshot_socket, 0);
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
    g_array_free(sockets, TRUE);
}

/* Lengths past the buffer, short payloads and the kernel's errors: -1 with errno, never a read past. */
static void test_parse_hostile(void **state)
{
    (void)state;
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(snapshot_socket));
    struct inet_diag_msg m = {.idiag_family = AF_INET};
    uint8_t buf[512];
    size_t len = message(buf, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    for (size_t cut = sizeof(struct nlmsghdr); cut < len; cut++) {
        uint8_t *copy = g_memdup2(buf, cut); /* exactly sized: ASan sees a read past it */
        errno = 0;
        assert_int_equal(snapshot_parse_diag(copy, cut, IPPROTO_TCP, sockets), -1);
        assert_int_equal(errno, EBADMSG);
        g_free(copy);
    }
    /* Less than a header: no message; nothing at all: no message yet. */
    assert_int_equal(snapshot_parse_diag(buf, sizeof(struct nlmsghdr) - 1, IPPROTO_TCP, sockets), -1);
    assert_int_equal(snapshot_parse_diag(buf, 0, IPPROTO_TCP, sockets), 0);
    len = message(buf, SOCK_DIAG_BY_FAMILY, &m, 8); /* a payload too short for its message */
    assert_int_equal(snapshot_parse_diag(buf, len, IPPROTO_TCP, sockets), -1);
    struct nlmsghdr tiny = {.nlmsg_len = 4, .nlmsg_type = SOCK_DIAG_BY_FAMILY};
    memcpy(buf, &tiny, sizeof tiny);
    assert_int_equal(snapshot_parse_diag(buf, sizeof tiny, IPPROTO_TCP, sockets), -1);
    int error = -ENOENT;
    len = message(buf, NLMSG_ERROR, &error, sizeof error);
    errno = 0;
    assert_int_equal(snapshot_parse_diag(buf, len, IPPROTO_UDP, sockets), -1);
    assert_int_equal(errno, ENOENT);
    len = message(buf, NLMSG_DONE, &error, sizeof error); /* a dump that failed on the way */
    assert_int_equal(snapshot_parse_diag(buf, len, IPPROTO_UDP, sockets), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(sockets->len, 0);
    g_array_free(sockets, TRUE);
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

static const snapshot_socket *find_socket(const GArray *sockets, uint32_t inode)
{
    for (guint i = 0; i < sockets->len; i++)
        if (g_array_index(sockets, snapshot_socket, i).inode == inode)
            return &g_array_index(sockets, snapshot_socket, i);
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
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(snapshot_socket));
    if (!snapshot_list_sockets(sockets)) {
        print_message("SKIP: sock_diag is refused here: %s\n", strerror(errno));
        skip();
    }
    const snapshot_socket *s = find_socket(sockets, inode_of(tcp));
    assert_non_null(s);
    assert_int_equal(s->family, 4);
    assert_int_equal(s->protocol, IPPROTO_TCP);
    assert_int_equal(s->state, 10); /* LISTEN */
    assert_memory_equal(s->local, ((uint8_t[4]){127, 0, 0, 1}), 4);
    assert_int_equal(s->local_port, port_of(tcp));
    assert_int_equal(s->remote_port, 0);
    assert_int_equal(s->uid, getuid());
    s = find_socket(sockets, inode_of(udp));
    if (s) { /* absent where the kernel has no udp_diag (said on stderr) */
        assert_int_equal(s->family, 6);
        assert_int_equal(s->protocol, IPPROTO_UDP);
        assert_int_equal(s->local[15], 1);
        assert_int_equal(s->local_port, port_of(udp));
    }
    g_array_free(sockets, TRUE);
    close(tcp);
    close(udp);
}

typedef struct {
    GArray *records; /* PROCREC_RECORD_SIZE bytes each */
} collected;

static void collect(void *ctx, const uint8_t *record)
{
    collected *c = ctx;
    g_array_append_vals(c->records, record, 1);
}

/* The decoded records about the socket on local_port with remote_port, by pid. */
static int records_for(const collected *c, uint16_t local_port, uint16_t remote_port, uint32_t pid,
                       procrec_event *last)
{
    int n = 0;
    for (guint i = 0; i < c->records->len; i++) {
        procrec_event ev;
        const uint8_t *rec = (const uint8_t *)c->records->data + (size_t)i * PROCREC_RECORD_SIZE;
        assert_true(procrec_event_decode(rec, PROCREC_RECORD_SIZE, &ev));
        assert_int_equal(ps_problems_count(&ev.problems), 0); /* the writer and the format agree */
        if (ev.local_port == local_port && ev.remote_port == remote_port && ev.pid == pid) {
            n++;
            *last = ev;
        }
        procrec_event_clear(&ev);
    }
    return n;
}

/* A connection over loopback between two sockets of this process, and a listener it shares with a
 * child: the first snapshot names each, a second repeats nothing, a new connection in the third is
 * said to be made after the first began (the one before the last snapshot without it). */
static void test_snapshots(void **state)
{
    (void)state;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(listener, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(listener, 4), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&a, &alen), 0);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(client, (struct sockaddr *)&a, sizeof a), 0);
    int server = accept(listener, NULL, NULL);
    assert_true(server >= 0);
    const uint16_t port = ntohs(a.sin_port), client_port = port_of(client);
    int hold[2];
    assert_int_equal(pipe(hold), 0);
    pid_t child = fork();
    if (child == 0) { /* holds the listener (inherited) until the pipe closes */
        char c;
        close(hold[1]);
        _exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
    }
    close(hold[0]);

    collected c = {g_array_new(FALSE, FALSE, PROCREC_RECORD_SIZE)};
    snapshotter *s = snapshotter_new("/proc", 1000);
    if (!snapshotter_take(s, collect, &c)) {
        print_message("SKIP: sock_diag is refused here: %s\n", strerror(errno));
        skip();
    }
    procrec_event ev;
    const uint32_t self = (uint32_t)getpid();
    assert_int_equal(records_for(&c, client_port, port, self, &ev), 1);
    assert_int_equal(ev.kind, PROCREC_KIND_TCP);
    assert_int_equal(ev.what, PROCREC_SNAPSHOT);
    assert_int_equal(ev.family, 4);
    assert_int_equal(ev.new_state, 1);
    assert_int_equal(ev.flags, PROCREC_FLAG_OWNER);
    assert_int_equal(ev.ppid, getppid());
    assert_int_equal(ev.uid, getuid());
    assert_string_equal(ev.comm, "test_snapshot");
    assert_true(ev.created_after_ns == 0); /* there at the first snapshot */
    const uint64_t first = ev.time_ns;
    assert_int_equal(records_for(&c, port, client_port, self, &ev), 1);
    /* The listener: one record for each process holding it. */
    assert_int_equal(records_for(&c, port, 0, self, &ev), 1);
    assert_int_equal(ev.new_state, 10);
    assert_int_equal(records_for(&c, port, 0, (uint32_t)child, &ev), 1);
    assert_int_equal(ev.ppid, self);
    assert_true(snapshotter_stats(s)->holders >= 4);

    g_array_set_size(c.records, 0);
    assert_true(snapshotter_take(s, collect, &c));
    assert_int_equal(records_for(&c, client_port, port, self, &ev), 0);
    assert_int_equal(records_for(&c, port, 0, (uint32_t)child, &ev), 0);

    int client2 = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(client2, (struct sockaddr *)&a, sizeof a), 0);
    int server2 = accept(listener, NULL, NULL);
    g_array_set_size(c.records, 0);
    assert_true(snapshotter_take(s, collect, &c));
    assert_int_equal(records_for(&c, port_of(client2), port, self, &ev), 1);
    assert_true(ev.created_after_ns == first); /* the snapshot before the last one without it */
    assert_int_equal(snapshotter_stats(s)->taken, 3);

    snapshotter_free(s);
    g_array_free(c.records, TRUE);
    close(hold[1]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    close(server2);
    close(client2);
    close(server);
    close(client);
    close(listener);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_by_hand),
        cmocka_unit_test(test_parse_hostile),
        cmocka_unit_test(test_list_real_sockets),
        cmocka_unit_test(test_snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
