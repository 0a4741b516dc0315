/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket snapshots (snapshot.h): sock_diag lists the sockets with their inodes, one pass over
 * /proc/PID/fd finds the processes holding them. Each snapshot's cost is linear in the sockets and
 * the descriptors; only pairs new or changed since the previous one are written. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procrec_event.h"
#include "ps_bytes.h"
#include "record_fields.h"
#include "sock_diag.h"

static const char PROGRAM[] = "procshark-record";

static int64_t clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* One dump: every socket of a family and protocol, in all states. */
static bool dump(int fd, int af, uint8_t protocol, GArray *sockets)
{
    struct {
        struct nlmsghdr h;
        struct inet_diag_req_v2 r;
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.r.sdiag_family = (uint8_t)af;
    req.r.sdiag_protocol = protocol;
    req.r.idiag_states = ~0u;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return false;
    static uint8_t buf[1 << 16]; /* a dump's messages come in pages: this holds any */
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            errno = n < 0 ? errno : EBADMSG;
            return false;
        }
        int error = 0, done = sock_diag_parse(buf, (size_t)n, protocol, sockets, &error);
        if (done < 0)
            errno = error;
        if (done)
            return done > 0;
    }
}

bool snapshot_list_sockets(GArray *sockets)
{
    static bool udp_missing_said;
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return false;
    bool ok = dump(fd, AF_INET, IPPROTO_TCP, sockets) && dump(fd, AF_INET6, IPPROTO_TCP, sockets);
    for (int af = AF_INET; ok && af; af = af == AF_INET ? AF_INET6 : 0) {
        if (dump(fd, af, IPPROTO_UDP, sockets))
            continue;
        if (!udp_missing_said)
            fprintf(stderr, "%s: the kernel lists no UDP sockets (%s: is the udp_diag module there?): UDP flows are "
                            "not recorded\n", PROGRAM, strerror(errno));
        udp_missing_said = true;
        break;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

void snapshot_find_holders(const char *proc, GHashTable *by_inode, void (*found)(void *ctx, uint32_t pid, guint index),
                           void *ctx)
{
    DIR *processes = opendir(proc);
    if (!processes)
        return;
    struct dirent *p;
    while ((p = readdir(processes))) {
        char *end;
        unsigned long pid = strtoul(p->d_name, &end, 10);
        if (p->d_name[0] < '1' || p->d_name[0] > '9' || *end || pid > UINT32_MAX)
            continue;
        char path[300];
        snprintf(path, sizeof path, "%s/fd", p->d_name);
        int fd_dir = openat(dirfd(processes), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *fds = fd_dir >= 0 ? fdopendir(fd_dir) : NULL;
        if (!fds) {
            if (fd_dir >= 0)
                close(fd_dir);
            continue; /* gone, or another user's */
        }
        struct dirent *f;
        while ((f = readdir(fds))) {
            char link[64];
            ssize_t n = f->d_name[0] == '.' ? -1 : readlinkat(dirfd(fds), f->d_name, link, sizeof link - 1);
            if (n < 10 || memcmp(link, "socket:[", 8) != 0)
                continue;
            link[n] = 0;
            unsigned long inode = strtoul(link + 8, &end, 10);
            gpointer index = *end == ']' && inode <= UINT32_MAX
                                 ? g_hash_table_lookup(by_inode, GUINT_TO_POINTER((guint)inode))
                                 : NULL;
            if (index)
                found(ctx, (uint32_t)pid, GPOINTER_TO_UINT(index) - 1);
        }
        closedir(fds);
    }
    closedir(processes);
}

/* The file's first size - 1 bytes, NUL-terminated; its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

bool snapshot_read_process(const char *proc, uint32_t pid, snapshot_process *p)
{
    memset(p, 0, sizeof *p);
    p->pid = pid;
    char path[PATH_MAX], text[4096];
    /* "PID (COMM) STATE PPID ...": COMM may hold anything, the last ')' ends it. */
    snprintf(path, sizeof path, "%s/%u/stat", proc, pid);
    if (read_small(path, text, sizeof text) <= 0)
        return false;
    char *open = strchr(text, '('), *close = strrchr(text, ')');
    unsigned ppid;
    if (!open || !close || close < open || sscanf(close + 1, " %*c %u", &ppid) != 1)
        return false;
    p->ppid = ppid;
    memcpy(p->comm, open + 1, MIN((size_t)(close - open - 1), sizeof p->comm - 1));
    /* cgroup v2: "0::PATH"; its id is the inode of its folder, as the kernel's cgroup id. */
    snprintf(path, sizeof path, "%s/%u/cgroup", proc, pid);
    if (read_small(path, text, sizeof text) > 0) {
        char *line = strstr(text, "0::/");
        if (line && (line == text || line[-1] == '\n')) {
            char *cgroup = line + 3;
            cgroup[strcspn(cgroup, "\n")] = 0;
            char folder[PATH_MAX];
            struct stat st;
            /* A path longer than PATH_MAX leaves the cgroup id unknown (0), not another folder's. */
            int n = snprintf(folder, sizeof folder, "/sys/fs/cgroup%s", cgroup);
            if (n > 0 && (size_t)n < sizeof folder && stat(folder, &st) == 0)
                p->cgroup_id = st.st_ino;
            const char *name = strrchr(cgroup, '/') + 1;
            container_id(name, strlen(name) + 1, p->container);
        }
    }
    return true;
}

/* A socket as long as it is listed: the time it was made after. */
typedef struct {
    uint64_t cookie;
    uint64_t created_after_ns;
} socket_memo;

/* A (socket, process) pair written, with what the record said that may change. */
typedef struct {
    uint64_t cookie;
    uint32_t pid;
    uint8_t state;
    uint8_t remote[16];
    uint16_t remote_port;
} pair_memo;

static guint pair_hash(gconstpointer key)
{
    const pair_memo *m = key;
    return g_int64_hash(&m->cookie) * 31u + m->pid;
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    const pair_memo *x = a, *y = b;
    return x->cookie == y->cookie && x->pid == y->pid;
}

struct snapshotter {
    char *proc;
    int64_t interval_ns, next_due; /* CLOCK_MONOTONIC */
    uint64_t started[2];           /* CLOCK_REALTIME: the last two snapshots' starts, 0 for none */
    GHashTable *sockets;           /* socket_memo by cookie */
    GHashTable *pairs;             /* pair_memo */
    snapshot_stats stats;
};

snapshotter *snapshotter_new(const char *proc, int interval_ms)
{
    snapshotter *s = g_new0(snapshotter, 1);
    s->proc = g_strdup(proc);
    s->interval_ns = (int64_t)interval_ms * 1000000;
    s->next_due = clock_ns(CLOCK_MONOTONIC);
    s->sockets = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    s->pairs = g_hash_table_new_full(pair_hash, pair_equal, g_free, NULL);
    return s;
}

void snapshotter_free(snapshotter *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->sockets);
    g_hash_table_destroy(s->pairs);
    g_free(s->proc);
    g_free(s);
}

const snapshot_stats *snapshotter_stats(const snapshotter *s) { return &s->stats; }

static void write_row(const sock_diag_socket *so, const snapshot_process *p, uint64_t time_ns,
                      uint64_t created_after_ns, snapshot_write_fn write, void *ctx)
{
    uint8_t rec[PROCREC_RECORD_SIZE] = {0};
    const bool tcp = so->protocol == IPPROTO_TCP;
    ps_put_le64(rec + PROCREC_OFF_TIME, time_ns);
    rec[PROCREC_OFF_KIND] = tcp ? PROCREC_KIND_TCP : PROCREC_KIND_UDP;
    rec[PROCREC_OFF_PROTOCOL] = so->protocol;
    rec[PROCREC_OFF_WHAT] = PROCREC_SNAPSHOT;
    rec[PROCREC_OFF_NEW_STATE] = tcp ? so->state : 0;
    ps_put_le32(rec + PROCREC_OFF_PID, p->pid);
    ps_put_le32(rec + PROCREC_OFF_PPID, p->ppid);
    ps_put_le32(rec + PROCREC_OFF_UID, so->uid);
    ps_put_le64(rec + PROCREC_OFF_CGROUP_ID, p->cgroup_id);
    if (talks_ipv4(so->family, so->local, so->remote)) {
        rec[PROCREC_OFF_FAMILY] = 4;
        memcpy(rec + PROCREC_OFF_LOCAL_ADDR, so->local + 12, 4);
        memcpy(rec + PROCREC_OFF_REMOTE_ADDR, so->remote + 12, 4);
    } else {
        rec[PROCREC_OFF_FAMILY] = so->family;
        memcpy(rec + PROCREC_OFF_LOCAL_ADDR, so->local, 16);
        memcpy(rec + PROCREC_OFF_REMOTE_ADDR, so->remote, 16);
    }
    ps_put_le16(rec + PROCREC_OFF_LOCAL_PORT, so->local_port);
    ps_put_le16(rec + PROCREC_OFF_REMOTE_PORT, so->remote_port);
    ps_put_le32(rec + PROCREC_OFF_FLAGS, PROCREC_FLAG_OWNER);
    memcpy(rec + PROCREC_OFF_COMM, p->comm, sizeof p->comm);
    memcpy(rec + PROCREC_OFF_CONTAINER, p->container, sizeof p->container);
    ps_put_le64(rec + PROCREC_OFF_CREATED_AFTER, created_after_ns);
    write(ctx, rec);
}

typedef struct {
    snapshotter *s;
    const GArray *sockets;
    GHashTable *pairs, *processes; /* this snapshot's: pair_memo; snapshot_process by pid (NULL: gone) */
    uint64_t time_ns;
    snapshot_write_fn write;
    void *ctx;
} holder_pass;

static void on_holder(void *ctx, uint32_t pid, guint index)
{
    holder_pass *h = ctx;
    const sock_diag_socket *so = &g_array_index(h->sockets, sock_diag_socket, index);
    pair_memo key = {.cookie = so->cookie, .pid = pid};
    if (g_hash_table_contains(h->pairs, &key))
        return; /* a second descriptor of the same socket */
    pair_memo *now = g_memdup2(&key, sizeof key);
    now->state = so->state;
    memcpy(now->remote, so->remote, 16);
    now->remote_port = so->remote_port;
    g_hash_table_add(h->pairs, now);
    h->s->stats.holders++;
    const pair_memo *before = g_hash_table_lookup(h->s->pairs, &key);
    if (before && before->state == now->state && before->remote_port == now->remote_port &&
        memcmp(before->remote, now->remote, 16) == 0)
        return;
    snapshot_process *p;
    if (!g_hash_table_lookup_extended(h->processes, GUINT_TO_POINTER(pid), NULL, (gpointer *)&p)) {
        p = g_new(snapshot_process, 1);
        if (!snapshot_read_process(h->s->proc, pid, p))
            g_clear_pointer(&p, g_free);
        g_hash_table_insert(h->processes, GUINT_TO_POINTER(pid), p);
    }
    if (!p) {
        g_hash_table_remove(h->pairs, &key); /* gone meanwhile: nothing to say, or to remember */
        return;
    }
    const socket_memo *m = g_hash_table_lookup(h->s->sockets, &so->cookie);
    const uint64_t created_after = m ? m->created_after_ns : 0;
    write_row(so, p, h->time_ns, created_after, h->write, h->ctx);
    h->s->stats.records++;
    /* An unconnected UDP socket on :: that takes IPv4 too is also 0.0.0.0's, where IPv4 comes. */
    if (so->protocol == IPPROTO_UDP && so->dual_stack && unspecified(so->local) && unspecified(so->remote)) {
        sock_diag_socket ipv4 = *so;
        ipv4.family = 4;
        write_row(&ipv4, p, h->time_ns, created_after, h->write, h->ctx);
        h->s->stats.records++;
    }
}

bool snapshotter_take(snapshotter *s, snapshot_write_fn write, void *ctx)
{
    const int64_t started = clock_ns(CLOCK_MONOTONIC);
    const uint64_t time_ns = (uint64_t)clock_ns(CLOCK_REALTIME);
    s->next_due = started + s->interval_ns;
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(sock_diag_socket));
    if (!snapshot_list_sockets(sockets)) {
        g_array_free(sockets, TRUE);
        return false;
    }
    /* A socket not listed before was made after the previous snapshot began. The bound kept is the
     * one before: a server's socket is made at the handshake's end, its SYN came a round trip
     * before, and a packet before its socket's creation gets no owner from the row. 0: unknown. */
    GHashTable *known = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    GHashTable *by_inode = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < sockets->len; i++) {
        const sock_diag_socket *so = &g_array_index(sockets, sock_diag_socket, i);
        const socket_memo *before = g_hash_table_lookup(s->sockets, &so->cookie);
        socket_memo *m = g_new(socket_memo, 1);
        *m = (socket_memo){so->cookie, before ? before->created_after_ns : s->started[0]};
        g_hash_table_replace(known, &m->cookie, m);
        if (so->inode)
            g_hash_table_insert(by_inode, GUINT_TO_POINTER(so->inode), GUINT_TO_POINTER(i + 1));
    }
    g_hash_table_destroy(s->sockets);
    s->sockets = known;
    holder_pass pass = {s, sockets, g_hash_table_new_full(pair_hash, pair_equal, g_free, NULL),
                        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free), time_ns, write, ctx};
    snapshot_find_holders(s->proc, by_inode, on_holder, &pass);
    /* Pairs no longer seen are forgotten: a socket passed back to a process is written again. */
    g_hash_table_destroy(s->pairs);
    s->pairs = pass.pairs;
    g_hash_table_destroy(pass.processes);
    g_hash_table_destroy(by_inode);
    s->started[0] = s->started[1];
    s->started[1] = time_ns;
    s->stats.taken++;
    s->stats.sockets += sockets->len;
    g_array_free(sockets, TRUE);
    const int64_t took = clock_ns(CLOCK_MONOTONIC) - started;
    s->stats.total_ns += took;
    s->stats.longest_ns = MAX(s->stats.longest_ns, took);
    return true;
}

int snapshotter_poll(snapshotter *s, int max_wait_ms, snapshot_write_fn write, void *ctx)
{
    int64_t wait = MIN(s->next_due - clock_ns(CLOCK_MONOTONIC), (int64_t)max_wait_ms * 1000000);
    if (wait > 0) {
        struct timespec t = {(time_t)(wait / 1000000000), (long)(wait % 1000000000)};
        if (nanosleep(&t, NULL) != 0 || clock_ns(CLOCK_MONOTONIC) < s->next_due)
            return 0; /* a signal, or not due yet */
    }
    const uint64_t before = s->stats.records;
    if (!snapshotter_take(s, write, ctx))
        return -errno;
    return (int)(s->stats.records - before);
}
