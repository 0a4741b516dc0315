/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A netlink receive buffer as procshark-record's snapshots read it (src/decode/sock_diag.c): every
 * socket it yields is an inet one, and an error is an errno. */
#include "fuzz_common.h"

#include "sock_diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GArray *sockets = g_array_new(FALSE, FALSE, sizeof(sock_diag_socket));
    int error = 0;
    const int done = sock_diag_parse(data, size, 6, sockets, &error);
    FUZZ_CHECK(done >= -1 && done <= 1);
    FUZZ_CHECK(done != -1 || (error > 0 && error < 4096));
    FUZZ_CHECK(sockets->len <= size / (SOCK_DIAG_NLMSG_HEADER + SOCK_DIAG_MSG_SIZE));
    for (guint i = 0; i < sockets->len; i++) {
        const sock_diag_socket *s = &g_array_index(sockets, sock_diag_socket, i);
        FUZZ_CHECK((s->family == 4 || s->family == 6) && s->protocol == 6);
    }
    g_array_free(sockets, TRUE);
    return 0;
}
