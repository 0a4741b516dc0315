/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record's eBPF program: who owns each TCP connection and UDP flow, as events in a ring
 * buffer (docs/RECORDER.md says which hook gives which event, and why). Tracepoints only: kprobes may
 * be missing (kernels built without CONFIG_KPROBES) and fentry/fexit refused (a security policy);
 * tracepoints are a stable interface the kernel keeps. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "procshark_event.h"

char LICENSE[] SEC("license") = "GPL";

/* Macros of the kernel's headers, which vmlinux.h (types only) lacks. */
#define AF_INET 2
#define AF_INET6 10

/* How often a UDP flow (socket, process, direction, peer) is reported again after its first
 * datagram; procshark-record sets it before loading. */
const volatile __u64 udp_interval_ns = 1000000000ull;
/* procshark-record --per-packet: an event for every TCP and UDP packet whose socket's process is
 * known (off by default: it costs an event a packet). */
const volatile bool per_packet = false;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 32 << 20); /* 168,000 events: docs/PERFORMANCE.md, record-storm */
} events SEC(".maps");

/* Events the ring buffer had no room for, per CPU (no atomics on the hot path). */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

/* Socket -> the process that connected or accepted it: later state changes run in softirq, in
 * whatever process happened to be on the CPU. local_port: the kernel has released the port by the
 * time it reports TCP_CLOSE. connecting: the connect event waits for the SYN, since the port is
 * chosen after the change to SYN_SENT. Deleted at TCP_CLOSE; LRU in case a close is missed. */
struct owner_entry {
    struct ps_owner owner;
    __u64 handed_ns; /* when an owner event was last written for this socket */
    __u16 local_port;
    __u8 connecting;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, struct owner_entry);
} owners SEC(".maps");

/* --per-packet: listening port -> the process that called listen(). A connection's packets before
 * accept() (SYN, SYN-ACK, the handshake's last ACK, early data) belong to a request socket, the
 * listener or a child not yet accepted, none of which is in `owners`. By port, not by socket: a
 * child socket does not point to its listener. */
struct listen_owner {
    __u64 sk;
    struct ps_owner owner;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 4096);
    __type(key, __u16);
    __type(value, struct listen_owner);
} listeners SEC(".maps");


/* No event wakes the reader: a wakeup costs the traced thread more than the rest of a hook (a
 * state change took 1.35 µs with them, 0.6 without), and the recorder reads the ring at each of its
 * polls anyway (every 100 ms; live, every 50 ms, within the 200 ms it holds packets back). */
static __always_inline void submit(struct ps_bpf_event *e)
{
    bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

static __always_inline struct ps_bpf_event *reserve(void)
{
    struct ps_bpf_event *e = bpf_ringbuf_reserve(&events, sizeof *e, 0);
    if (!e) {
        __u32 zero = 0;
        __u64 *n = bpf_map_lookup_elem(&lost, &zero);
        if (n)
            *n += 1;
        return NULL;
    }
    __builtin_memset(e, 0, sizeof *e);
    e->mono_ns = bpf_ktime_get_ns();
    return e;
}

/* The current task, which is the socket's owner where we call this (a system call's context). */
static __always_inline void current_owner(struct ps_owner *o)
{
    __u64 pid_tgid = bpf_get_current_pid_tgid();
    struct task_struct *task = bpf_get_current_task_btf();
    o->pid = pid_tgid >> 32;
    o->tid = (__u32)pid_tgid;
    o->uid = (__u32)bpf_get_current_uid_gid();
    o->ppid = BPF_CORE_READ(task, real_parent, tgid);
    o->cgroup_id = bpf_get_current_cgroup_id();
    bpf_get_current_comm(o->comm, sizeof o->comm);
    /* The cgroup's own name (the last part of its path) holds a container's id; the rest of the
     * path is a walk of parents, which user space does not need for the id. */
    const char *name = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name);
    if (bpf_probe_read_kernel_str(o->cgroup_name, sizeof o->cgroup_name, name) < 0)
        o->cgroup_name[0] = 0;
}

static __always_inline void sock_addresses(struct ps_bpf_event *e, const struct sock *sk)
{
    e->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
    e->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET6) {
        e->family = 6;
        BPF_CORE_READ_INTO(&e->local, sk, __sk_common.skc_v6_rcv_saddr);
        BPF_CORE_READ_INTO(&e->remote, sk, __sk_common.skc_v6_daddr);
    } else {
        e->family = 4;
        BPF_CORE_READ_INTO((__u32 *)e->local, sk, __sk_common.skc_rcv_saddr);
        BPF_CORE_READ_INTO((__u32 *)e->remote, sk, __sk_common.skc_daddr);
    }
}

/* listen() runs in the listener's process (a port chosen by listen() itself is not known yet:
 * those connections' packets before accept() are not recorded). */
static __always_inline void track_listener(const struct sock *sk, int oldstate, int newstate)
{
    __u16 port = BPF_CORE_READ(sk, __sk_common.skc_num);
    if (newstate == TCP_LISTEN && port) {
        struct listen_owner l = {.sk = (__u64)sk};
        current_owner(&l.owner);
        bpf_map_update_elem(&listeners, &port, &l, BPF_ANY);
    } else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
        struct listen_owner *l = bpf_map_lookup_elem(&listeners, &port);
        if (l && l->sk == (__u64)sk)
            bpf_map_delete_elem(&listeners, &port);
    }
}

/* Every TCP state change but the one to SYN_SENT, which runs in connect() before the kernel has
 * chosen the local port: the current process owns the socket, remembered for the SYN (below) and for
 * the changes that follow. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, const struct sock *sk, const int oldstate, const int newstate)
{
    if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
        return 0;
    __u64 key = (__u64)sk;
    if (newstate == TCP_SYN_SENT) {
        struct owner_entry entry = {.connecting = 1};
        current_owner(&entry.owner);
        bpf_map_update_elem(&owners, &key, &entry, BPF_ANY);
        return 0;
    }
    /* A listener, or a socket made by one (from LISTEN): a new socket at an address a closed one may
     * have left in the map. */
    if (newstate == TCP_LISTEN || oldstate == TCP_LISTEN)
        bpf_map_delete_elem(&owners, &key);
    if (per_packet)
        track_listener(sk, oldstate, newstate);
    struct ps_bpf_event *e = reserve();
    if (!e)
        return 0;
    e->kind = PS_KIND_TCP;
    e->protocol = IPPROTO_TCP;
    e->what = newstate == TCP_CLOSE ? PS_WHAT_CLOSE : PS_WHAT_STATE;
    e->old_state = (__u8)oldstate;
    e->new_state = (__u8)newstate;
    sock_addresses(e, sk);
    struct owner_entry *entry = bpf_map_lookup_elem(&owners, &key);
    if (entry) {
        e->owner = entry->owner;
        e->flags = PS_FLAG_OWNER;
        if (!e->local_port)
            e->local_port = entry->local_port;
        else
            entry->local_port = e->local_port;
    } else {
        current_owner(&e->owner);
    }
    if (newstate == TCP_CLOSE)
        bpf_map_delete_elem(&owners, &key);
    submit(e);
    return 0;
}

/* The connect event, at a connecting socket's first SYN on its way to the device: addresses and
 * ports complete, the owner as connect() recorded it, the time the capture's SYN has to within
 * microseconds. */
static __always_inline void syn_sent(const struct sock *sk)
{
    __u64 key = (__u64)sk;
    struct owner_entry *entry = bpf_map_lookup_elem(&owners, &key);
    if (!entry || !entry->connecting)
        return;
    entry->connecting = 0;
    struct ps_bpf_event *e = reserve();
    if (!e)
        return;
    e->kind = PS_KIND_TCP;
    e->protocol = IPPROTO_TCP;
    e->what = PS_WHAT_CONNECT;
    e->old_state = TCP_CLOSE;
    e->new_state = TCP_SYN_SENT;
    e->flags = PS_FLAG_OWNER;
    sock_addresses(e, sk);
    entry->local_port = e->local_port;
    e->owner = entry->owner;
    submit(e);
}

/* accept() and accept4() return the new socket's descriptor in the accepting process: its socket,
 * through the process's file table. The system call's own tracepoints, since this kernel may have no
 * kprobes, and fexit may be refused; they fire for these two calls only. */
struct syscall_exit {
    __u64 common;
    int nr;
    long ret;
};

/* The socket of the current process's descriptor fd, through its file table. */
static __always_inline const struct sock *fd_sock(long fd)
{
    struct task_struct *task = bpf_get_current_task_btf();
    struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
    struct file *file = NULL;
    bpf_probe_read_kernel(&file, sizeof file, &fds[fd]);
    struct socket *socket = BPF_CORE_READ(file, private_data);
    return BPF_CORE_READ(socket, sk);
}

/* A TCP socket's event naming the running process as its owner (flags bit 0). */
static __always_inline void owned_tcp_event(struct ps_bpf_event *e, const struct sock *sk, __u8 what)
{
    e->kind = PS_KIND_TCP;
    e->protocol = IPPROTO_TCP;
    e->what = what;
    e->old_state = e->new_state = BPF_CORE_READ(sk, __sk_common.skc_state);
    e->flags = PS_FLAG_OWNER;
    sock_addresses(e, sk);
    current_owner(&e->owner);
}

static __always_inline int accepted(const struct syscall_exit *ctx)
{
    if (ctx->ret < 0)
        return 0;
    const struct sock *sk = fd_sock(ctx->ret);
    if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
        return 0;
    struct ps_bpf_event *e = reserve();
    if (!e)
        return 0;
    owned_tcp_event(e, sk, PS_WHAT_ACCEPT);
    __u64 key = (__u64)sk;
    struct owner_entry entry = {.owner = e->owner, .local_port = e->local_port};
    bpf_map_update_elem(&owners, &key, &entry, BPF_ANY);
    submit(e);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int on_accept4(const struct syscall_exit *ctx) { return accepted(ctx); }

SEC("tracepoint/syscalls/sys_exit_accept")
int on_accept(const struct syscall_exit *ctx) { return accepted(ctx); }

struct udp_flow {
    __u32 pid;
    __u16 local_port, remote_port;
    __u8 what, family;
    __u8 remote[16];
};

/* UDP flow (process, local port, direction, peer) -> when it was last reported. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct udp_flow);
    __type(value, __u64);
} udp_seen SEC(".maps");

/* A UDP flow of the current process (addresses in network order, ports in host order): reported when
 * it is new or was last reported udp_interval_ns ago. Not the owner as recorded (flags 0): UDP has
 * no connect or accept; the process is the one that sent or read the datagram. */
static __always_inline void udp_event(__u8 what, __u8 family, const __u8 *local, __u16 local_port,
                                      const __u8 *remote, __u16 remote_port)
{
    struct udp_flow flow = {};
    flow.pid = bpf_get_current_pid_tgid() >> 32;
    flow.local_port = local_port;
    flow.remote_port = remote_port;
    flow.what = what;
    flow.family = family;
    __builtin_memcpy(flow.remote, remote, 16);
    __u64 now = bpf_ktime_get_ns();
    __u64 *last = bpf_map_lookup_elem(&udp_seen, &flow);
    if (last && now - *last < udp_interval_ns)
        return;
    bpf_map_update_elem(&udp_seen, &flow, &now, BPF_ANY);
    struct ps_bpf_event *e = reserve();
    if (!e)
        return;
    e->kind = PS_KIND_UDP;
    e->protocol = IPPROTO_UDP;
    e->what = what;
    e->family = family;
    __builtin_memcpy(e->local, local, 16);
    __builtin_memcpy(e->remote, remote, 16);
    e->local_port = local_port;
    e->remote_port = remote_port;
    current_owner(&e->owner);
    submit(e);
}

/* --- per-packet events (--per-packet) ----------------------------------------------------------- */

/* A packet's own header fields, host order. */
struct packet_fields {
    __u8 family, protocol;
    __u8 source[16], destination[16];
    __u16 source_port, destination_port;
    __u32 seq, ack;
    __u16 tcp_flags, udp_length, udp_checksum;
};

/* ip: an IPv4 header's first 20 bytes. The transport header's offset, or 0: not TCP or UDP, or a
 * later fragment. */
static __always_inline __u32 network_fields(const __u8 *ip, struct packet_fields *p)
{
    if (ip[0] >> 4 == 4) {
        if ((((__u32)ip[6] << 8 | ip[7]) & 0x1fff) || (ip[0] & 0xf) < 5)
            return 0;
        p->family = 4;
        p->protocol = ip[9];
        __builtin_memcpy(p->source, ip + 12, 4);
        __builtin_memcpy(p->destination, ip + 16, 4);
        if (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP)
            return (ip[0] & 0xf) * 4;
    }
    return 0;
}

/* ip: an IPv6 header. The transport header's offset, or 0: not TCP or UDP right after it. */
static __always_inline __u32 network_fields6(const __u8 *ip, struct packet_fields *p)
{
    p->family = 6;
    p->protocol = ip[6];
    __builtin_memcpy(p->source, ip + 8, 16);
    __builtin_memcpy(p->destination, ip + 24, 16);
    return p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP ? 40 : 0;
}

/* t: the transport header's first 20 bytes (UDP's 8). */
static __always_inline void transport_fields(const __u8 *t, struct packet_fields *p)
{
    p->source_port = (__u16)t[0] << 8 | t[1];
    p->destination_port = (__u16)t[2] << 8 | t[3];
    if (p->protocol == IPPROTO_TCP) {
        p->seq = (__u32)t[4] << 24 | (__u32)t[5] << 16 | (__u32)t[6] << 8 | t[7];
        p->ack = (__u32)t[8] << 24 | (__u32)t[9] << 16 | (__u32)t[10] << 8 | t[11];
        p->tcp_flags = (__u16)(t[12] & 0x0f) << 8 | t[13]; /* as Wireshark's tcp.flags */
    } else {
        p->udp_length = (__u16)t[4] << 8 | t[5];
        p->udp_checksum = (__u16)t[6] << 8 | t[7];
    }
}

/* The process of a packet's socket: as recorded (TCP: at connect or accept; UDP: its last sender,
 * binder or connecter), else for TCP (a connection before accept(): a request socket, the listener,
 * a child) the listener's on its local port. */
static __always_inline const struct ps_owner *socket_owner(__u64 sk, __u8 protocol, __u16 local_port)
{
    struct owner_entry *entry = bpf_map_lookup_elem(&owners, &sk);
    if (entry)
        return &entry->owner;
    struct listen_owner *l = protocol == IPPROTO_TCP ? bpf_map_lookup_elem(&listeners, &local_port) : NULL;
    if (!l)
        return NULL;
    /* Else clang 21 computes &l->owner before the null check, which the verifier refuses
     * ("pointer arithmetic on map_value_or_null prohibited"). */
    barrier_var(l);
    return &l->owner;
}

static __always_inline void packet_event(const struct packet_fields *p, __u8 direction, const struct ps_owner *owner,
                                         __u32 flags)
{
    struct ps_bpf_event *e = reserve();
    if (!e)
        return;
    const bool out = direction == PS_DIRECTION_OUT;
    e->kind = p->protocol == IPPROTO_TCP ? PS_KIND_TCP : PS_KIND_UDP;
    e->protocol = p->protocol;
    e->what = PS_WHAT_PACKET;
    e->family = p->family;
    __builtin_memcpy(e->local, out ? p->source : p->destination, 16);
    __builtin_memcpy(e->remote, out ? p->destination : p->source, 16);
    e->local_port = out ? p->source_port : p->destination_port;
    e->remote_port = out ? p->destination_port : p->source_port;
    e->flags = flags;
    e->owner = *owner;
    e->seq = p->seq;
    e->ack = p->ack;
    e->tcp_flags = p->tcp_flags;
    e->udp_length = p->udp_length;
    e->udp_checksum = p->udp_checksum;
    e->direction = direction;
    submit(e);
}

/* Scratch for a UDP sender's owner entry: too large for the stack beside the rest. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct owner_entry);
} scratch SEC(".maps");

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/* Remembers the current process as a UDP socket's owner, for its packets where the context is not
 * the sender's (a queued device, softirq). Not a kernel thread: that is softirq work on an idle CPU
 * or in ksoftirqd (a datagram sent once its neighbour resolved), not the sender. */
static __always_inline void remember_udp_owner(__u64 sk)
{
    if (BPF_CORE_READ(bpf_get_current_task_btf(), flags) & PF_KTHREAD)
        return;
    __u32 zero = 0;
    struct owner_entry *entry = bpf_map_lookup_elem(&scratch, &zero);
    if (!entry)
        return;
    current_owner(&entry->owner);
    struct owner_entry *known = bpf_map_lookup_elem(&owners, &sk);
    if (!known || known->owner.pid != entry->owner.pid || known->owner.tid != entry->owner.tid)
        bpf_map_update_elem(&owners, &sk, entry, BPF_ANY);
}

/* An outgoing packet, with its socket's owner from the maps: TCP's from connect or accept (ACKs and
 * retransmissions come from softirq), UDP's from its sender (net_dev_queue), binder or connecter. */
static __always_inline void packet_out(const struct sk_buff *skb, const struct sock *sk)
{
    unsigned char *head = BPF_CORE_READ(skb, head);
    __u16 network = BPF_CORE_READ(skb, network_header), transport = BPF_CORE_READ(skb, transport_header);
    __u16 protocol = bpf_ntohs(BPF_CORE_READ(skb, protocol));
    __u8 ip[40] = {}, t[20] = {};
    struct packet_fields p = {};
    __u32 offset;
    if (protocol == 0x0800) { /* ETH_P_IP */
        if (bpf_probe_read_kernel(ip, 20, head + network) < 0)
            return;
        offset = network_fields(ip, &p);
    } else if (protocol == 0x86DD) { /* ETH_P_IPV6 */
        if (bpf_probe_read_kernel(ip, 40, head + network) < 0 || ip[0] >> 4 != 6)
            return;
        offset = network_fields6(ip, &p);
    } else {
        return;
    }
    if (!offset || transport != network + offset ||
        bpf_probe_read_kernel(t, p.protocol == IPPROTO_TCP ? 20 : 8, head + transport) < 0)
        return;
    transport_fields(t, &p);
    const struct ps_owner *owner = socket_owner((__u64)sk, p.protocol, p.source_port);
    if (owner)
        packet_event(&p, PS_DIRECTION_OUT, owner, PS_FLAG_OWNER);
}

/* --per-packet: outgoing packets as the device gets them, right after the capture's tap saw them:
 * each segment the kernel cut a GSO packet into, and none a queue dropped. Whatever context
 * transmits (a queued device's softirq): the owner comes from the maps. */
SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(on_device_transmit, const struct sk_buff *skb, const struct net_device *dev)
{
    const struct sock *sk = BPF_CORE_READ(skb, sk);
    if (sk)
        packet_out(skb, sk);
    return 0;
}

/* Incoming packets, as the socket layer delivers them (sk_filter, both TCP and UDP), with the socket
 * they are for: a program of the root cgroup (v2), which every socket's cgroup inherits. Softirq:
 * the process comes from the maps only (TCP: as above; UDP: its last sender, binder or connecter);
 * a packet of a socket with none is not recorded. Always lets the packet through. */
SEC("cgroup_skb/ingress")
int on_ingress(struct __sk_buff *skb)
{
    struct bpf_sock *sk = skb->sk;
    if (!sk)
        return 1;
    __u64 key = 0;
    bpf_probe_read_kernel(&key, sizeof key, &sk); /* the socket's address, as the other hooks key it */
    __u8 ip[40] = {}, t[20] = {};
    struct packet_fields p = {};
    __u32 offset;
    if (bpf_skb_load_bytes(skb, 0, ip, 20) < 0)
        return 1;
    if (ip[0] >> 4 == 4) {
        offset = network_fields(ip, &p);
    } else if (ip[0] >> 4 == 6) {
        if (bpf_skb_load_bytes(skb, 0, ip, 40) < 0)
            return 1;
        offset = network_fields6(ip, &p);
    } else {
        return 1;
    }
    if (!offset)
        return 1;
    if (p.protocol == IPPROTO_TCP ? bpf_skb_load_bytes(skb, offset, t, 20) < 0
                                  : bpf_skb_load_bytes(skb, offset, t, 8) < 0)
        return 1;
    transport_fields(&t[0], &p);
    const struct ps_owner *owner = socket_owner(key, p.protocol, p.destination_port);
    if (owner)
        packet_event(&p, PS_DIRECTION_IN, owner, PS_FLAG_OWNER);
    return 1;
}

/* --per-packet: a UDP socket's process before its first datagram, for what it receives (a server's
 * bind(), a client's connect()): the socket through the descriptor, the call's first argument. */
struct syscall_enter {
    __u64 common;
    long nr;
    unsigned long args[6];
};

static __always_inline int udp_socket_call(const struct syscall_enter *ctx)
{
    const struct sock *sk = fd_sock((long)ctx->args[0]);
    if (sk && BPF_CORE_READ(sk, sk_protocol) == IPPROTO_UDP)
        remember_udp_owner((__u64)sk);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int on_bind(const struct syscall_enter *ctx) { return udp_socket_call(ctx); }

SEC("tracepoint/syscalls/sys_enter_connect")
int on_connect(const struct syscall_enter *ctx) { return udp_socket_call(ctx); }

/* Packets on their way to a device, from their sender's system call: a connecting socket's SYN (the
 * connect event), and UDP datagrams from their own headers (IPv4 and IPv6, whichever call sent them).
 * Not where a neighbour was unresolved: the kernel sends those later from a softirq, in whatever
 * process runs then (docs/RECORDER.md). */
SEC("tp_btf/net_dev_queue")
int BPF_PROG(on_transmit, struct sk_buff *skb)
{
    const struct sock *sk = BPF_CORE_READ(skb, sk);
    if (!sk)
        return 0;
    __u16 sk_protocol = BPF_CORE_READ(sk, sk_protocol);
    if (sk_protocol != IPPROTO_TCP && sk_protocol != IPPROTO_UDP)
        return 0;
    /* --per-packet: the sender's system call, for its packets' events (on_device_transmit). */
    if (per_packet && sk_protocol == IPPROTO_UDP)
        remember_udp_owner((__u64)sk);
    unsigned char *head = BPF_CORE_READ(skb, head);
    __u16 network = BPF_CORE_READ(skb, network_header), transport = BPF_CORE_READ(skb, transport_header);
    if (sk_protocol == IPPROTO_TCP) {
        __u8 flags = 0; /* byte 13 of the TCP header: ... ACK 0x10 ... SYN 0x02 */
        bpf_probe_read_kernel(&flags, 1, head + transport + 13);
        if ((flags & 0x12) == 0x02)
            syn_sent(sk);
        return 0;
    }
    __u16 protocol = bpf_ntohs(BPF_CORE_READ(skb, protocol));
    __u8 ip[40] = {}, source[16] = {}, destination[16] = {}, family;
    __u16 ports[2] = {};
    if (protocol == 0x0800) { /* ETH_P_IP */
        if (bpf_probe_read_kernel(ip, 20, head + network) < 0 || ip[0] >> 4 != 4 || ip[9] != IPPROTO_UDP)
            return 0;
        family = 4;
        __builtin_memcpy(source, ip + 12, 4);
        __builtin_memcpy(destination, ip + 16, 4);
    } else if (protocol == 0x86DD) { /* ETH_P_IPV6; a UDP header right after the fixed one only */
        if (bpf_probe_read_kernel(ip, 40, head + network) < 0 || ip[0] >> 4 != 6 || ip[6] != IPPROTO_UDP)
            return 0;
        family = 6;
        __builtin_memcpy(source, ip + 8, 16);
        __builtin_memcpy(destination, ip + 24, 16);
    } else {
        return 0;
    }
    if (bpf_probe_read_kernel(ports, sizeof ports, head + transport) < 0)
        return 0;
    udp_event(PS_WHAT_UDP_SEND, family, source, bpf_ntohs(ports[0]), destination, bpf_ntohs(ports[1]));
    return 0;
}

/* Receives: a socket's recvmsg() has returned data to the process that called it (recv, recvfrom,
 * recvmsg, read; Linux 6.3 and later). The tracepoint gives the socket, not the datagram: an
 * unconnected socket's peer is unknown here (all zeros), a connected one's is its peer. */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(on_receive, struct sock *sk, int ret)
{
    if (ret <= 0 || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
        return 0;
    struct ps_bpf_event a = {};
    sock_addresses(&a, sk);
    udp_event(PS_WHAT_UDP_RECEIVE, a.family, a.local, a.local_port, a.remote, a.remote_port);
    return 0;
}

/* A TCP socket used by another process than its recorded owner (a child that inherited it, a
 * descriptor passed over a Unix socket), or by a process the program has not seen connect or
 * accept it (a connection older than the recording): that process becomes its owner, with an owner
 * event. tcp_sendmsg_locked runs in the sender's sendmsg before its data is queued, so the event
 * comes before the packets it names; kernel threads (in-kernel TCP users) are not owners. At most
 * one owner event a socket each udp_interval_ns, so that processes taking turns cannot flood the
 * ring buffer. Linux 6.12 and later. */
SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(on_tcp_send, struct sock *sk)
{
    struct task_struct *task = bpf_get_current_task_btf();
    if (task->flags & 0x00200000) /* PF_KTHREAD */
        return 0;
    __u64 key = (__u64)sk, now = bpf_ktime_get_ns();
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    struct owner_entry *entry = bpf_map_lookup_elem(&owners, &key);
    if (entry && (entry->owner.pid == pid || entry->connecting || now - entry->handed_ns < udp_interval_ns))
        return 0;
    struct ps_bpf_event *e = reserve();
    if (!e)
        return 0;
    owned_tcp_event(e, sk, PS_WHAT_OWNER);
    if (entry) {
        entry->owner = e->owner;
        entry->handed_ns = now;
    } else {
        struct owner_entry fresh = {.owner = e->owner, .handed_ns = now, .local_port = e->local_port};
        bpf_map_update_elem(&owners, &key, &fresh, BPF_ANY);
    }
    submit(e);
    return 0;
}
