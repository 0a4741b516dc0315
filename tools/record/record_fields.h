/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the eBPF path and the socket snapshots write alike into a record (docs/FORMATS.md section 11). */
#ifndef RECORD_FIELDS_H
#define RECORD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The 64-hex container id in a cgroup's name (docker-ID.scope, cri-containerd-ID.scope, crio-ID.scope,
 * libpod-ID.scope, or ID itself), or nothing. */
static inline void container_id(const char *cgroup_name, size_t size, char out[64])
{
    size_t run = 0;
    for (size_t i = 0; i < size; i++) {
        char c = cgroup_name[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (hex) {
            run++;
            continue;
        }
        if (run == 64) {
            memcpy(out, cgroup_name + i - 64, 64);
            return;
        }
        if (!c)
            return;
        run = 0;
    }
}

static inline bool v4_mapped(const uint8_t a[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, prefix, sizeof prefix) == 0;
}

static inline bool unspecified(const uint8_t a[16])
{
    static const uint8_t zero[16];
    return memcmp(a, zero, sizeof zero) == 0;
}

/* An IPv6 socket talking IPv4 has IPv4-mapped addresses; its packets are IPv4: written as family 4. */
static inline bool talks_ipv4(int family, const uint8_t local[16], const uint8_t remote[16])
{
    return family == 6 && v4_mapped(remote) && (v4_mapped(local) || unspecified(local));
}

#endif
