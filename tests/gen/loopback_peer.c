/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Two processes talking TCP over loopback, for recordings whose owners are known: the server
 * accepts one connection, reads a line, holds it for HOLD_MS (so ss can see both sockets), answers
 * RESPONSE bytes and closes; the client sends REQUEST bytes and a newline and reads to the end.
 *   loopback_peer server PORT HOLD_MS RESPONSE     (prints "ready" once listening)
 *   loopback_peer client PORT REQUEST */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
    if (argc < 4)
        return fprintf(stderr, "usage: loopback_peer server PORT HOLD_MS RESPONSE | client PORT REQUEST\n"), 2;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char buf[65536];
    if (strcmp(argv[1], "server") == 0 && argc == 5) {
        int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 1) < 0)
            die("listen");
        printf("ready\n");
        fflush(stdout);
        int c = accept(s, NULL, NULL);
        if (c < 0)
            die("accept");
        for (ssize_t n; (n = read(c, buf, sizeof buf)) > 0 && !memchr(buf, '\n', (size_t)n);)
            ;
        struct timespec hold = {atoi(argv[3]) / 1000, (long)(atoi(argv[3]) % 1000) * 1000000};
        nanosleep(&hold, NULL);
        size_t left = (size_t)atoi(argv[4]);
        memset(buf, 'r', sizeof buf);
        for (size_t n; left; left -= n) {
            n = left < sizeof buf ? left : sizeof buf;
            write_all(c, buf, n);
        }
        close(c);
        close(s);
        return 0;
    }
    if (strcmp(argv[1], "client") == 0 && argc == 4) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof addr) < 0)
            die("connect");
        size_t left = (size_t)atoi(argv[3]);
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
    return fprintf(stderr, "usage: loopback_peer server PORT HOLD_MS RESPONSE | client PORT REQUEST\n"), 2;
}
