/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux's sock_diag netlink answers about inet sockets (SOCK_DIAG_BY_FAMILY messages of struct
 * inet_diag_msg, linux/inet_diag.h), as procshark-record's snapshots read them: over a byte buffer,
 * in the host's byte order as netlink is, without Linux's headers. */
#ifndef SOCK_DIAG_H
#define SOCK_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* The values of Linux's ABI this reader knows. */
enum {
    SOCK_DIAG_NLMSG_HEADER = 16, /* struct nlmsghdr */
    SOCK_DIAG_NLMSG_ERROR = 2,
    SOCK_DIAG_NLMSG_DONE = 3,
    SOCK_DIAG_BY_FAMILY_TYPE = 20,
    SOCK_DIAG_MSG_SIZE = 72, /* struct inet_diag_msg */
    SOCK_DIAG_AF_INET = 2,
    SOCK_DIAG_AF_INET6 = 10,
    SOCK_DIAG_ATTR_V6ONLY = 11, /* INET_DIAG_SKV6ONLY: a u8 attribute of every IPv6 socket */
};

/* One socket, its addresses and ports in network order as the kernel gives them. */
typedef struct {
    uint8_t family;   /* 4 or 6 */
    uint8_t protocol; /* 6 TCP, 17 UDP: the dump's */
    uint8_t state;    /* Linux's TCP_* (UDP: 1 connected, 7 not) */
    uint8_t local[16], remote[16];
    uint16_t local_port, remote_port;
    uint32_t uid;
    uint32_t inode; /* 0: held by no descriptor (a TCP socket not accepted yet, TIME_WAIT) */
    uint64_t cookie;
    bool dual_stack; /* an IPv6 socket that takes IPv4 too: its INET_DIAG_SKV6ONLY attribute is 0 */
} sock_diag_socket;

/* Reads one netlink receive buffer of a dump of PROTOCOL's sockets, appending each inet socket to
 * sockets (sock_diag_socket). 1: the dump is complete; 0: more follows; -1 with *error: the
 * kernel's error (a positive errno), or EBADMSG for bytes that are no message. */
int sock_diag_parse(const uint8_t *buf, size_t len, uint8_t protocol, GArray *sockets, int *error);

#endif
