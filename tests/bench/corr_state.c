/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes of correlation state per record: feeds the engine RECORDS ETW events about distinct
 * sockets, as the benchmark capture does, and prints the heap growth per record. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"

int main(int argc, char **argv)
{
    unsigned records = argc > 1 ? (unsigned)atoi(argv[1]) : 1000000;
    unsigned connections = argc > 2 ? (unsigned)atoi(argv[2]) : 20000;
    ps_corr *c = ps_corr_new();
    struct mallinfo2 m0 = mallinfo2();
    size_t before = m0.uordblks + m0.hblkhd;
    ps_endpoint server = {4, {10, 200, 0, 1}, 443};
    for (unsigned i = 0; i < records; i++) {
        unsigned k = i % connections;
        ps_endpoint client = {4, {10, 1, (unsigned char)(k >> 8), (unsigned char)k}, (unsigned short)(20000 + k % 40000)};
        ps_claim send = {.source = 0, .transport = PS_TRANSPORT_TCP, .kind = PS_CLAIM_DATA, .owned = client,
                         .peer = server, .outgoing = i % 2 == 0, .size = 10, .has_pid = true, .pid = 1000 + k % 1000};
        ps_corr_add_claim(c, i + 1, (int64_t)i * 1000, &send);
    }
    struct mallinfo2 m1 = mallinfo2();
    size_t after = m1.uordblks + m1.hblkhd;
    printf("%.1f\n", (double)(after - before) / records);
    ps_corr_free(c);
    return 0;
}
