/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sock_diag answers (sock_diag.h). Every length is checked before it is read. */
#include "sock_diag.h"

#include <errno.h>
#include <string.h>

#include "ps_bytes.h"

static uint32_t host32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint16_t host16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The attributes after the message (struct rtattr: u16 length, u16 type, value, 4-byte aligned):
 * whether an IPv6 socket takes IPv4 too. Without the attribute, or past a broken one, it does not. */
static bool dual_stack(const uint8_t *attrs, size_t len)
{
    size_t off = 0;
    while (len - off >= 4) {
        const uint16_t attr_len = host16(attrs + off), type = host16(attrs + off + 2);
        if (attr_len < 4 || attr_len > len - off)
            break;
        if (type == SOCK_DIAG_ATTR_V6ONLY && attr_len >= 5)
            return attrs[off + 4] == 0;
        off += MIN(((size_t)attr_len + 3) & ~(size_t)3, len - off);
    }
    return false;
}

static int bad(int *error, int value)
{
    *error = value;
    return -1;
}

int sock_diag_parse(const uint8_t *buf, size_t len, uint8_t protocol, GArray *sockets, int *error)
{
    size_t off = 0;
    while (len - off >= SOCK_DIAG_NLMSG_HEADER) {
        const uint8_t *h = buf + off;
        const uint32_t msg_len = host32(h);
        const uint16_t type = host16(h + 4);
        if (msg_len < SOCK_DIAG_NLMSG_HEADER || msg_len > len - off)
            return bad(error, EBADMSG);
        const uint8_t *payload = h + SOCK_DIAG_NLMSG_HEADER;
        const size_t payload_len = msg_len - SOCK_DIAG_NLMSG_HEADER;
        /* DONE may carry the error that ended a dump; ERROR always carries one (0 is an ack). */
        const int32_t code = payload_len >= 4 ? (int32_t)host32(payload) : 0;
        if (type == SOCK_DIAG_NLMSG_DONE && code >= 0)
            return 1;
        if (type == SOCK_DIAG_NLMSG_DONE || type == SOCK_DIAG_NLMSG_ERROR)
            return bad(error, code < 0 && code > -4096 ? -code : EBADMSG);
        if (type == SOCK_DIAG_BY_FAMILY_TYPE) {
            if (payload_len < SOCK_DIAG_MSG_SIZE)
                return bad(error, EBADMSG);
            const uint8_t af = payload[0];
            if (af == SOCK_DIAG_AF_INET || af == SOCK_DIAG_AF_INET6) {
                sock_diag_socket s = {0};
                const size_t addr_len = af == SOCK_DIAG_AF_INET ? 4 : 16;
                s.family = af == SOCK_DIAG_AF_INET ? 4 : 6;
                s.protocol = protocol;
                s.state = payload[1];
                s.local_port = ps_be16(payload + 4);
                s.remote_port = ps_be16(payload + 6);
                memcpy(s.local, payload + 8, addr_len);
                memcpy(s.remote, payload + 24, addr_len);
                s.cookie = (uint64_t)host32(payload + 48) << 32 | host32(payload + 44);
                s.uid = host32(payload + 64);
                s.inode = host32(payload + 68);
                s.dual_stack = af == SOCK_DIAG_AF_INET6 &&
                               dual_stack(payload + SOCK_DIAG_MSG_SIZE, payload_len - SOCK_DIAG_MSG_SIZE);
                g_array_append_val(sockets, s);
            }
        }
        /* Messages are 4-byte aligned; the last one's padding may be missing. */
        const size_t next = ((size_t)msg_len + 3) & ~(size_t)3;
        off += MIN(next, len - off);
    }
    return off < len ? bad(error, EBADMSG) : 0;
}
