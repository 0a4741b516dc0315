/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the eBPF program (procshark.bpf.c) hands procshark-record through its ring buffer: one layout
 * for both sides. procshark-record turns each into a record of the event file (docs/RECORDER.md):
 * the BPF clock into the Unix epoch's, IPv4-mapped IPv6 into IPv4, the cgroup's name into a
 * container id, which are simpler and cheaper in user space. */
#ifndef PROCSHARK_EVENT_H
#define PROCSHARK_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum ps_kind { PS_KIND_TCP = 1, PS_KIND_UDP = 2, PS_KIND_LOST = 3 };
enum ps_what {
    PS_WHAT_CONNECT = 1,
    PS_WHAT_ACCEPT = 2,
    PS_WHAT_CLOSE = 3,
    PS_WHAT_STATE = 4,
    PS_WHAT_UDP_SEND = 5,
    PS_WHAT_UDP_RECEIVE = 6,
    PS_WHAT_PACKET = 7, /* --per-packet: one packet of a socket with a known process */
    PS_WHAT_OWNER = 9, /* a TCP socket sent from by a process other than its recorded owner */
};
enum ps_direction { PS_DIRECTION_OUT = 1, PS_DIRECTION_IN = 2 };
/* flags: the pid is the socket's owner as recorded at connect or accept. */
#define PS_FLAG_OWNER 1u
/* The last part of the task's cgroup path (docker-<id>.scope, cri-containerd-<id>.scope, <id>): the
 * longest of those is 85 characters. */
#define PS_CGROUP_NAME 96

struct ps_owner {
    __u32 pid, tid, ppid, uid;
    __u64 cgroup_id;
    char comm[16];
    char cgroup_name[PS_CGROUP_NAME];
};

struct ps_bpf_event {
    __u64 mono_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
    __u8 kind, family /* AF_INET or AF_INET6 */, protocol, what, old_state, new_state;
    __u16 local_port, remote_port; /* host order */
    __u32 flags;
    __u8 local[16], remote[16];
    struct ps_owner owner;
    /* PS_WHAT_PACKET: the packet's own header fields, host order; tcp_flags as Wireshark's tcp.flags
     * (the 12 bits after the data offset). */
    __u32 seq, ack;
    __u16 tcp_flags, udp_length, udp_checksum;
    __u8 direction;
};

#endif
