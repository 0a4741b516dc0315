/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tests' own reader of procshark-record's event file (docs/RECORDER.md), independent of the
 * recorder's writer: checks the header, the size and the zero fields, and prints one line a record:
 *   time_ns kind family protocol what old_state new_state pid tid ppid uid cgroup_id
 *   local remote local_port remote_port flags comm container lost seq ack tcp_flags udp_length
 *   udp_checksum direction
 * (lost: a snapshot's created_after, what 8)
 * tab-separated (comm and container "-" when empty). Exits 1 on anything malformed. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { HEADER = 16, RECORD = 192 };

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* A NUL-padded text field: printable up to its first NUL, nothing but NULs after. */
static int text(const unsigned char *p, size_t n, char *out)
{
    size_t len = strnlen((const char *)p, n);
    if (!zero(p + len, n - len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return 0;
    memcpy(out, p, len);
    out[len] = 0;
    if (!len)
        strcpy(out, "-");
    return 1;
}

int main(int argc, char **argv)
{
    FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
    if (!f)
        return fprintf(stderr, "usage: procrec_dump EVENTS (a file it can open)\n"), 2;
    unsigned char h[HEADER], r[RECORD];
    if (fread(h, 1, HEADER, f) != HEADER || memcmp(h, "PSREC\0\0\0", 8) != 0 || le(h + 8, 4) != 1 ||
        le(h + 12, 4) != RECORD)
        return fprintf(stderr, "procrec_dump: %s: not a version 1 event file of 192-byte records\n", argv[1]), 1;
    size_t got;
    for (uint64_t n = 0; (got = fread(r, 1, RECORD, f)) > 0; n++) {
        char comm[17], container[65], local[INET6_ADDRSTRLEN] = "-", remote[INET6_ADDRSTRLEN] = "-";
        int family = r[9];
        if (got != RECORD)
            return fprintf(stderr, "procrec_dump: record %" PRIu64 " is cut short (%zu bytes)\n", n, got), 1;
        /* A packet event (what 7) uses bytes 168 to 182; a snapshot's (what 8) created_after is at 160. */
        const int packet = r[11] == 7;
        if (r[8] < 1 || r[8] > 3 || r[11] > 9 || !zero(r + 14, 2) || !zero(r + (packet ? 183 : 168), packet ? 9 : 24) ||
            !text(r + 80, 16, comm) || !text(r + 96, 64, container) || (r[8] != 3 && r[11] != 8 && !zero(r + 160, 8)) ||
            (family != 4 && family != 6 && !(family == 0 && r[8] == 3)) ||
            (family == 4 && !(zero(r + 44, 12) && zero(r + 60, 12))))
            return fprintf(stderr, "procrec_dump: record %" PRIu64 " is malformed\n", n), 1;
        if (family) {
            inet_ntop(family == 4 ? AF_INET : AF_INET6, r + 40, local, sizeof local);
            inet_ntop(family == 4 ? AF_INET : AF_INET6, r + 56, remote, sizeof remote);
        }
        printf("%" PRIu64 "\t%u\t%u\t%u\t%u\t%u\t%u\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
               "\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
               "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%u\n",
               le(r, 8), r[8], r[9], r[10], r[11], r[12], r[13], le(r + 16, 4), le(r + 20, 4), le(r + 24, 4),
               le(r + 28, 4), le(r + 32, 8), local, remote, le(r + 72, 2), le(r + 74, 2), le(r + 76, 4), comm,
               container, le(r + 160, 8), le(r + 168, 4), le(r + 172, 4), le(r + 176, 2), le(r + 178, 2),
               le(r + 180, 2), r[182]);
    }
    return ferror(f) ? 1 : 0;
}
