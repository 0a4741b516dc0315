/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket snapshots, procshark-record's way without eBPF (docs/RECORDER.md): every TCP and UDP socket
 * through sock_diag netlink, their processes through /proc/PID/fd, as `ss -p` finds them; written as
 * snapshot records (docs/FORMATS.md section 11, what 8). */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "sock_diag.h"

/* Appends every TCP and UDP socket (sock_diag_socket), IPv4 and IPv6, all states. False with errno
 * when the TCP dump fails; a kernel without UDP's sock_diag (udp_diag) is said once on stderr and
 * gives no UDP sockets. */
bool snapshot_list_sockets(GArray *sockets);

/* For each descriptor of each process in PROC (normally "/proc") naming a socket in by_inode
 * (inode → index + 1), calls found(ctx, pid, index). One pass: readlink of every descriptor. */
void snapshot_find_holders(const char *proc, GHashTable *by_inode, void (*found)(void *ctx, uint32_t pid, guint index),
                           void *ctx);

typedef struct {
    uint32_t pid, ppid;
    uint64_t cgroup_id;
    char comm[16];      /* NUL-padded */
    char container[64]; /* NUL-padded, not NUL-terminated when full */
} snapshot_process;

/* pid's comm and ppid (PROC/PID/stat), cgroup (PROC/PID/cgroup, v2) and its id and container id;
 * false when the process is gone. */
bool snapshot_read_process(const char *proc, uint32_t pid, snapshot_process *p);

typedef struct snapshotter snapshotter;
typedef void (*snapshot_write_fn)(void *ctx, const uint8_t *record); /* PROCREC_RECORD_SIZE bytes */

typedef struct {
    uint64_t taken, sockets, holders, records;
    int64_t total_ns, longest_ns;
} snapshot_stats;

snapshotter *snapshotter_new(const char *proc, int interval_ms);
/* Takes a snapshot now: a record for each (socket, process) pair not written before or whose TCP
 * state changed. False with errno when the sockets cannot be listed. */
bool snapshotter_take(snapshotter *s, snapshot_write_fn write, void *ctx);
/* Waits up to max_wait_ms, or until the next snapshot is due and takes it: the number of records
 * written, or -errno. (As ring_buffer__poll, for the recorder's loop.) */
int snapshotter_poll(snapshotter *s, int max_wait_ms, snapshot_write_fn write, void *ctx);
const snapshot_stats *snapshotter_stats(const snapshotter *s);
void snapshotter_free(snapshotter *s);

#endif
