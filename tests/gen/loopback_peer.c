/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Processes talking over loopback, for recordings whose owners are known.
 * TCP: the server accepts one connection, reads a line, holds it for HOLD_MS or until SIGUSR1 (so ss
 * can see both sockets: a script may wait until it has), answers RESPONSE bytes and closes; the
 * client sends REQUEST bytes and a newline and reads to the end. ADDRESS (IPv4 or IPv6) is
 * 127.0.0.1 unless given.
 *   loopback_peer server PORT HOLD_MS RESPONSE [ADDRESS]  (prints "ready" once listening)
 *   loopback_peer client PORT REQUEST [ADDRESS]
 * A connection handed over: fork-client sends REQUEST bytes 'P', forks and exits; its child waits
 * until it is orphaned (the parent gone), prints "child PID", sends REQUEST bytes 'C' and the newline,
 * reads to the end and prints "done". The socket's owner changes between the two halves.
 *   loopback_peer fork-client PORT REQUEST [ADDRESS]
 * DNS over UDP: the server answers queries for DNS_NAME's A record with DNS_ADDRESS (NXDOMAIN for any
 * other name) on ADDRESS, on PORT when given, else port 53 where it can bind it, else on a port the
 * kernel picks; the client sends QUERIES queries with distinct ids from one socket, one after the
 * other, and checks each answer. Both keep their socket until SIGTERM (so ss can see both while the
 * script waits for nothing but their output), or a minute at most.
 *   loopback_peer dns-server ADDRESS [PORT]        (prints "ready PORT" once bound)
 *   loopback_peer dns-client ADDRESS PORT QUERIES  (prints "answered QUERIES" once all are answered) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define USAGE                                                                                                  \
    "usage: loopback_peer server PORT HOLD_MS RESPONSE [ADDRESS] | client PORT REQUEST [ADDRESS] |"             \
    " fork-client PORT REQUEST [ADDRESS] | dns-server ADDRESS [PORT] | dns-client ADDRESS PORT QUERIES\n"
/* procshark.test in wire form (RFC 1035 4.1.2); .test is reserved for testing (RFC 2606). */
static const unsigned char DNS_NAME[] = "\x09procshark\x04test";
/* 192.0.2.1: TEST-NET-1 (RFC 5737), an address that is nobody's. */
static const unsigned char DNS_ADDRESS[4] = {192, 0, 2, 1};
enum { DNS_HEADER = 12, DNS_TYPE_A = 1, DNS_CLASS_IN = 1, DNS_QR = 0x8000, DNS_AA = 0x0400, DNS_RD = 0x0100 };

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            die("write");
        p += w;
        n -= (size_t)w;
    }
}

/* An IPv4 or IPv6 address and port; .ss_family tells which. */
static struct sockaddr_storage address(const char *ip, const char *port)
{
    struct sockaddr_storage a = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a;
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)atoi(port));
    } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short)atoi(port));
    } else {
        fprintf(stderr, "loopback_peer: %s is no IP address\n", ip), exit(2);
    }
    return a;
}

static socklen_t address_size(const struct sockaddr_storage *a)
{
    return a->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static unsigned address_port(const struct sockaddr_storage *a)
{
    return ntohs(a->ss_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port
                                         : ((const struct sockaddr_in6 *)a)->sin6_port);
}

static void hold_ended(int sig) { (void)sig; }

static int tcp_server(const char *ip, const char *port, int hold_ms, size_t left)
{
    struct sigaction end_hold = {.sa_handler = hold_ended}; /* no SA_RESTART: the hold's sleep ends */
    sigaction(SIGUSR1, &end_hold, NULL);
    struct sockaddr_storage addr = address(ip, port);
    char buf[65536];
    int s = socket(addr.ss_family, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || bind(s, (struct sockaddr *)&addr, address_size(&addr)) < 0 || listen(s, 1) < 0)
        die("listen");
    printf("ready\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    if (c < 0)
        die("accept");
    for (ssize_t n; (n = read(c, buf, sizeof buf)) > 0 && !memchr(buf, '\n', (size_t)n);)
        ;
    struct timespec hold = {hold_ms / 1000, (long)(hold_ms % 1000) * 1000000};
    nanosleep(&hold, NULL);
    memset(buf, 'r', sizeof buf);
    for (size_t n; left; left -= n) {
        n = left < sizeof buf ? left : sizeof buf;
        write_all(c, buf, n);
    }
    close(c);
    close(s);
    return 0;
}

static int tcp_client(const char *ip, const char *port, size_t left)
{
    struct sockaddr_storage addr = address(ip, port);
    char buf[65536];
    int c = socket(addr.ss_family, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&addr, address_size(&addr)) < 0)
        die("connect");
    memset(buf, 'q', sizeof buf);
    for (size_t n; left; left -= n) {
        n = left < sizeof buf ? left : sizeof buf;
        write_all(c, buf, n);
    }
    write_all(c, "\n", 1);
    while (read(c, buf, sizeof buf) > 0)
        ;
    close(c);
    return 0;
}

static int fork_client(const char *ip, const char *port, size_t half)
{
    struct sockaddr_storage addr = address(ip, port);
    char buf[65536];
    int c = socket(addr.ss_family, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&addr, address_size(&addr)) < 0)
        die("connect");
    memset(buf, 'P', sizeof buf);
    write_all(c, buf, half < sizeof buf ? half : sizeof buf);
    pid_t parent = getpid(), child = fork();
    if (child < 0)
        die("fork");
    if (child > 0)
        return 0;
    /* Orphaned once the parent has exited: from then on only the child has the socket. */
    const struct timespec a_moment = {0, 1000000};
    while (getppid() == parent)
        nanosleep(&a_moment, NULL);
    printf("child %d\n", (int)getpid());
    fflush(stdout);
    memset(buf, 'C', sizeof buf);
    write_all(c, buf, half < sizeof buf ? half : sizeof buf);
    write_all(c, "\n", 1);
    while (read(c, buf, sizeof buf) > 0)
        ;
    close(c);
    printf("done\n");
    fflush(stdout);
    return 0;
}

static volatile sig_atomic_t stopped;

static void on_term(int sig)
{
    (void)sig;
    stopped = 1;
}

/* SIGTERM sets `stopped`, and is blocked but while waiting with the mask returned (so it cannot come
 * between a check of `stopped` and the wait). Whoever started us may die before it stops us: SIGALRM
 * ends us after a minute whatever happens. */
static sigset_t stop_on_term(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_term; /* no SA_RESTART: the wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t term, waiting;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &waiting);
    sigdelset(&waiting, SIGTERM);
    alarm(60);
    return waiting;
}

static unsigned get16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* The answer to a query of n bytes, written over it; its length, 0 for no answer (not one question). */
static size_t dns_answer(unsigned char *m, size_t n, size_t size)
{
    if (n < DNS_HEADER || (get16(m + 2) & DNS_QR) || get16(m + 4) != 1)
        return 0;
    size_t end = DNS_HEADER;
    while (end < n && m[end] && m[end] < 64)
        end += 1 + (size_t)m[end];
    if (end >= n || m[end] || end + 1 + 4 > n)
        return 0;
    end += 1; /* the root label */
    bool ours = end - DNS_HEADER == sizeof DNS_NAME &&
                strncasecmp((const char *)m + DNS_HEADER, (const char *)DNS_NAME, sizeof DNS_NAME) == 0;
    bool a_in = get16(m + end) == DNS_TYPE_A && get16(m + end + 2) == DNS_CLASS_IN;
    end += 4;
    unsigned opcode = get16(m + 2) & 0x7800;
    unsigned rcode = opcode ? 4 /* NOTIMP */ : ours ? 0 : 3 /* NXDOMAIN */;
    bool answered = rcode == 0 && a_in;
    /* The header and question as asked, without the query's other sections (an EDNS OPT record). */
    put16(m + 2, DNS_QR | opcode | DNS_AA | (get16(m + 2) & DNS_RD) | rcode);
    put16(m + 6, answered);
    put16(m + 8, 0);
    put16(m + 10, 0);
    if (!answered)
        return end;
    static const unsigned char record[] = {0xc0, DNS_HEADER, 0, DNS_TYPE_A, 0, DNS_CLASS_IN, 0, 0, 0, 60, 0, 4};
    if (end + sizeof record + sizeof DNS_ADDRESS > size)
        return 0;
    memcpy(m + end, record, sizeof record); /* the question's name (a pointer to it), A, IN, TTL 60 s */
    memcpy(m + end + sizeof record, DNS_ADDRESS, sizeof DNS_ADDRESS);
    return end + sizeof record + sizeof DNS_ADDRESS;
}

static int dns_server(const char *ip, const char *port)
{
    sigset_t waiting = stop_on_term();
    struct sockaddr_storage addr = address(ip, port ? port : "53");
    int s = socket(addr.ss_family, SOCK_DGRAM, 0);
    if (s < 0)
        die("socket");
    /* Port 53 is where Wireshark looks for DNS; it is taken where a resolver binds it on every
     * address, and privileged: then any port will do, and the readers must name it as DNS. */
    if (bind(s, (struct sockaddr *)&addr, address_size(&addr)) < 0) {
        if (port)
            die("bind");
        addr = address(ip, "0");
        if (bind(s, (struct sockaddr *)&addr, address_size(&addr)) < 0)
            die("bind");
    }
    socklen_t len = sizeof addr;
    if (getsockname(s, (struct sockaddr *)&addr, &len) < 0)
        die("getsockname");
    printf("ready %u\n", address_port(&addr));
    fflush(stdout);
    unsigned char m[4096];
    while (!stopped) {
        struct pollfd p = {s, POLLIN, 0};
        if (ppoll(&p, 1, NULL, &waiting) < 0) {
            if (errno == EINTR)
                continue;
            die("ppoll");
        }
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(s, m, sizeof m, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0)
            die("recvfrom");
        size_t answer = dns_answer(m, (size_t)n, sizeof m);
        if (answer && sendto(s, m, answer, 0, (struct sockaddr *)&from, from_len) < 0)
            die("sendto");
    }
    close(s);
    return 0;
}

static int dns_client(const char *ip, const char *port, int queries)
{
    sigset_t waiting = stop_on_term();
    struct sockaddr_storage addr = address(ip, port);
    int c = socket(addr.ss_family, SOCK_DGRAM, 0);
    struct timeval patience = {10, 0}; /* a lost datagram fails the run instead of hanging it */
    if (c < 0 || setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience) < 0 ||
        connect(c, (struct sockaddr *)&addr, address_size(&addr)) < 0)
        die("connect");
    for (int i = 0; i < queries; i++) {
        unsigned char q[DNS_HEADER + sizeof DNS_NAME + 4] = {0}, a[512];
        unsigned id = 0x5300 + (unsigned)i;
        put16(q, id);
        put16(q + 2, DNS_RD);
        put16(q + 4, 1);
        memcpy(q + DNS_HEADER, DNS_NAME, sizeof DNS_NAME);
        put16(q + DNS_HEADER + sizeof DNS_NAME, DNS_TYPE_A);
        put16(q + DNS_HEADER + sizeof DNS_NAME + 2, DNS_CLASS_IN);
        if (send(c, q, sizeof q, 0) != (ssize_t)sizeof q)
            die("send");
        ssize_t n = recv(c, a, sizeof a, 0);
        if (n < 0)
            die("recv");
        if ((size_t)n != sizeof q + 16 || get16(a) != id || !(get16(a + 2) & DNS_QR) || (get16(a + 2) & 0xf) ||
            get16(a + 6) != 1 || memcmp(a + n - 4, DNS_ADDRESS, sizeof DNS_ADDRESS) != 0)
            fprintf(stderr, "loopback_peer: a wrong answer to query %#x\n", id), exit(1);
    }
    printf("answered %d\n", queries);
    fflush(stdout);
    while (!stopped)
        sigsuspend(&waiting);
    close(c);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "server") == 0)
        return tcp_server(argc == 6 ? argv[5] : "127.0.0.1", argv[2], atoi(argv[3]), (size_t)atoi(argv[4]));
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "client") == 0)
        return tcp_client(argc == 5 ? argv[4] : "127.0.0.1", argv[2], (size_t)atoi(argv[3]));
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "fork-client") == 0)
        return fork_client(argc == 5 ? argv[4] : "127.0.0.1", argv[2], (size_t)atoi(argv[3]));
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "dns-server") == 0)
        return dns_server(argv[2], argc == 4 ? argv[3] : NULL);
    if (argc == 5 && strcmp(argv[1], "dns-client") == 0)
        return dns_client(argv[2], argv[3], atoi(argv[4]));
    return fprintf(stderr, USAGE), 2;
}
