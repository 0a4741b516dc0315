/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loopback TCP connections opened and closed as fast as THREADS threads can, for procshark-record's
 * benchmark of events at high connection rates (tests/bench/record-bench) and the test of a full
 * ring buffer. One listener on 127.0.0.1 (a port the kernel picks), accepted and closed by as many
 * threads as connect; each client closes with SO_LINGER 0 (a reset, no TIME_WAIT), so that the
 * ephemeral ports last however many connections are made.
 *   connect_storm THREADS SECONDS      connect for SECONDS, then print "N connections in S s: R/s"
 *   connect_storm THREADS -COUNT       make COUNT connections in all, then print the same
 * Also UDP flows for the test of a full ring buffer (each datagram from a new socket: one flow each):
 *   connect_storm udp COUNT            send COUNT datagrams to a closed port of 127.0.0.1 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define USAGE "usage: connect_storm THREADS SECONDS | THREADS -COUNT | udp COUNT\n"
enum { MAX_THREADS = 64 };

static struct sockaddr_in server;
static atomic_long made, failed;
static atomic_bool done;
static long wanted; /* 0: until `done` */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *connector(void *unused)
{
    (void)unused;
    const struct linger reset = {1, 0};
    while (!atomic_load(&done)) {
        if (wanted && atomic_fetch_add(&made, 1) >= wanted) {
            atomic_fetch_sub(&made, 1);
            break;
        }
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&server, sizeof server) != 0) {
            atomic_fetch_add(&failed, 1);
            if (wanted)
                atomic_fetch_sub(&made, 1);
        } else if (!wanted) {
            atomic_fetch_add(&made, 1);
        }
        if (s >= 0) {
            setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            close(s);
        }
        if (atomic_load(&failed) > 1000) {
            fprintf(stderr, "connect_storm: connect keeps failing: %s\n", strerror(errno));
            exit(1);
        }
    }
    return NULL;
}

static void *acceptor(void *arg)
{
    int listener = *(int *)arg;
    for (;;) {
        int c = accept(listener, NULL, NULL);
        if (c >= 0)
            close(c);
        else if (errno != EINTR && errno != ECONNABORTED)
            return NULL;
    }
}

static int udp_flows(long count)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    /* A port nobody listens on: bound here and closed, so no receive events add to the count. */
    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len = sizeof to;
    if (probe < 0 || bind(probe, (struct sockaddr *)&to, sizeof to) != 0 ||
        getsockname(probe, (struct sockaddr *)&to, &len) != 0)
        return perror("connect_storm: udp"), 1;
    close(probe);
    for (long i = 0; i < count; i++) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        if (s < 0 || sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof to) != 1)
            return perror("connect_storm: sendto"), 1;
        close(s);
    }
    printf("%ld datagrams to port %u\n", count, ntohs(to.sin_port));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "udp") == 0 && atol(argv[2]) > 0)
        return udp_flows(atol(argv[2]));
    int threads = argc == 3 ? atoi(argv[1]) : 0;
    double seconds = argc == 3 ? atof(argv[2]) : 0;
    if (threads < 1 || threads > MAX_THREADS || seconds == 0)
        return fputs(USAGE, stderr), 2;
    if (seconds < 0)
        wanted = (long)-seconds;
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    server.sin_family = AF_INET;
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof server;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listener < 0 || bind(listener, (struct sockaddr *)&server, sizeof server) != 0 || listen(listener, 4096) != 0 ||
        getsockname(listener, (struct sockaddr *)&server, &len) != 0)
        return perror("connect_storm: listen"), 1;
    pthread_t clients[MAX_THREADS], servers[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        pthread_create(&servers[i], NULL, acceptor, &listener);
        pthread_create(&clients[i], NULL, connector, NULL);
    }
    double start = now_s();
    if (!wanted) {
        struct timespec t = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
        nanosleep(&t, NULL);
        atomic_store(&done, true);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(clients[i], NULL);
    double took = now_s() - start;
    long n = atomic_load(&made);
    printf("%ld connections in %.3f s: %.0f/s (%ld failed)\n", n, took, (double)n / took, atomic_load(&failed));
    return 0; /* the acceptors end with the process */
}
