/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record: records packets (dumpcap) and which process owns each TCP connection and UDP
 * flow (an eBPF program, bpf/procshark.bpf.c) into one pcapng (docs/RECORDER.md).
 *   procshark-record [-i IFACE] [-f CAPTURE_FILTER] -w OUT.pcapng [--events FILE] [--per-packet]
 *                    [--snapshots MS] [-- COMMAND ARGS]
 * Without eBPF (or with --snapshots) socket snapshots (snapshot.c) take the program's place.
 * Order: dumpcap first, until it really captures; then the eBPF program; then COMMAND. At the end the
 * program's last events, then dumpcap once it has written everything, then procshark-import merges
 * the two into a file beside OUT that replaces OUT only once it is whole. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "procshark.skel.h"
#include "procshark_event.h"
#include "record.h"
#include "record_fields.h"
#include "snapshot.h"

#define USAGE                                                                                                  \
    "usage: procshark-record [-i IFACE] [-f CAPTURE_FILTER] -w OUT.pcapng [--events FILE] [--per-packet]\n"    \
    "                        [--snapshots MS] [-- COMMAND ARGS]\n"                                             \
    "                        [-- COMMAND ARGS]\n"                                                              \
    "  -i IFACE         the interface dumpcap captures on (default: any)\n"                                   \
    "  -f FILTER        a capture filter (pcap-filter(7)) for the packets; the events are not filtered\n"     \
    "  -w OUT           the pcapng to write: packets and process events, merged by procshark-import\n"        \
    "  --events FILE    keep the event file too (docs/RECORDER.md)\n"                                         \
    "  --per-packet     an event for every TCP and UDP packet too: each packet named exactly, at a cost\n"     \
    "  --snapshots MS   no eBPF: socket snapshots every MS ms (sock_diag and /proc, as ss -p; the default\n"     \
    "                   where eBPF cannot be used, every 1000 ms); connections shorter than MS may be missed\n" \
    "  -- COMMAND ARGS  run COMMAND and stop when it exits (else stop on SIGINT or SIGTERM)\n"                \
    "As Wireshark's extcap (--extcap-interfaces, --capture ...): docs/RECORDER.md, \"Live in Wireshark\"\n"
/* How long dumpcap may take to show a knock: it writes in blocks, later under load. */
enum { KNOCK_PATIENCE_MS = 30000, KNOCK_EVERY_MS = 100, POLL_MS = 100 };
enum { SNAPSHOT_DEFAULT_MS = 1000, SNAPSHOT_MAX_MS = 3600000 };
const char PROGRAM[] = "procshark-record";

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

int64_t clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

void measure_offset(struct clock_offset *c)
{
    int64_t best_gap = INT64_MAX;
    for (int i = 0; i < 7; i++) {
        int64_t before = clock_ns(CLOCK_MONOTONIC), real = clock_ns(CLOCK_REALTIME), after = clock_ns(CLOCK_MONOTONIC);
        if (after - before < best_gap) {
            best_gap = after - before;
            c->offset_ns = real - (before + best_gap / 2);
        }
    }
    c->bound_ns = best_gap / 2 + 1;
    if (c->bound_ns > c->worst_bound_ns)
        c->worst_bound_ns = c->bound_ns;
    c->measured++;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void write_record(struct recorder *r, const uint8_t rec[RECORD_SIZE])
{
    r->records++;
    if (r->sink)
        r->sink(r->sink_ctx, rec);
    else if (fwrite(rec, RECORD_SIZE, 1, r->events) != 1)
        r->write_failed = true;
}

/* One ring-buffer event as a record of the event file (docs/RECORDER.md). */
int on_event(void *ctx, void *data, size_t size)
{
    struct recorder *r = ctx;
    const struct ps_bpf_event *e = data;
    if (size < sizeof *e)
        return 0;
    uint8_t rec[RECORD_SIZE] = {0};
    put64(rec, (uint64_t)((int64_t)e->mono_ns + r->clock.offset_ns));
    rec[8] = e->kind;
    rec[10] = e->protocol;
    rec[11] = e->what;
    rec[12] = e->old_state;
    rec[13] = e->new_state;
    put32(rec + 16, e->owner.pid);
    put32(rec + 20, e->owner.tid);
    put32(rec + 24, e->owner.ppid);
    put32(rec + 28, e->owner.uid);
    put64(rec + 32, e->owner.cgroup_id);
    if (talks_ipv4(e->family, e->local, e->remote)) {
        rec[9] = 4;
        memcpy(rec + 40, e->local + 12, 4);
        memcpy(rec + 56, e->remote + 12, 4);
    } else {
        rec[9] = e->family;
        memcpy(rec + 40, e->local, 16);
        memcpy(rec + 56, e->remote, 16);
    }
    put16(rec + 72, e->local_port);
    put16(rec + 74, e->remote_port);
    put32(rec + 76, e->flags);
    memcpy(rec + 80, e->owner.comm, sizeof e->owner.comm);
    container_id(e->owner.cgroup_name, sizeof e->owner.cgroup_name, (char *)rec + 96);
    if (e->what == PS_WHAT_PACKET) {
        put32(rec + 168, e->seq);
        put32(rec + 172, e->ack);
        put16(rec + 176, e->tcp_flags);
        put16(rec + 178, e->udp_length);
        put16(rec + 180, e->udp_checksum);
        rec[182] = e->direction;
        r->packets++;
    }
    write_record(r, rec);
    if (e->kind == PS_KIND_TCP)
        r->tcp++;
    else
        r->udp++;
    return 0;
}

/* A snapshot's record (snapshot.c), counted as the program's are. */
static void on_snapshot_record(void *ctx, const uint8_t *record)
{
    struct recorder *r = ctx;
    write_record(r, record);
    if (record[8] == PS_KIND_TCP)
        r->tcp++;
    else
        r->udp++;
}

/* A kind-3 record when the program lost events since the last one. */
void report_lost(struct recorder *r, const struct procshark_bpf *skel)
{
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0)
        return;
    uint64_t *per_cpu = calloc((size_t)cpus, sizeof *per_cpu), total = 0;
    uint32_t zero = 0;
    if (per_cpu && bpf_map__lookup_elem(skel->maps.lost, &zero, sizeof zero, per_cpu, (size_t)cpus * sizeof *per_cpu,
                                        0) == 0) {
        for (int i = 0; i < cpus; i++)
            total += per_cpu[i];
    }
    free(per_cpu);
    if (total <= r->lost_reported)
        return;
    uint8_t rec[RECORD_SIZE] = {0};
    put64(rec, (uint64_t)clock_ns(CLOCK_REALTIME));
    rec[8] = PS_KIND_LOST;
    put64(rec + 160, total - r->lost_reported);
    write_record(r, rec);
    /* Live, the record says it: Wireshark takes anything on an extcap's stderr for an error. */
    if (!r->sink)
        fprintf(stderr, "%s: %llu events lost (the ring buffer was full): some sockets may be unattributed\n",
                PROGRAM, (unsigned long long)(total - r->lost_reported));
    r->lost_reported = total;
}

int print_libbpf(enum libbpf_print_level level, const char *format, va_list args)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    fprintf(stderr, "%s: ", PROGRAM);
    return vfprintf(stderr, format, args);
}

static bool has_capability(const struct __user_cap_data_struct d[2], int cap)
{
    return d[cap / 32].effective & (1u << (cap % 32));
}

static char *find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"), *save = NULL;
    char *found = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char candidate[PATH_MAX];
        snprintf(candidate, sizeof candidate, "%s/%s", dir, name);
        if (access(candidate, X_OK) == 0)
            found = strdup(candidate);
    }
    free(copy);
    return found;
}

/* Whether path exists for us, with the effective rights (access() would ask for the real user's): a
 * capability CAP_DAC_READ_SEARCH given to the file counts, as it does when libbpf opens tracefs. */
static bool reachable(const char *path)
{
    return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0;
}

/* The tracefs folder of the system calls' tracepoints (libbpf reads their ids there), or NULL. */
static const char *syscall_events(void)
{
    static const char *const folders[] = {"/sys/kernel/tracing/events/syscalls", "/sys/kernel/debug/tracing/events/syscalls"};
    for (size_t i = 0; i < sizeof folders / sizeof *folders; i++)
        if (reachable(folders[i]))
            return folders[i];
    return NULL;
}

/* accept() and accept4() are traced through their own tracepoints, found through tracefs: mounted
 * here when it is not. */
static bool tracefs_ready(void)
{
    if (reachable("/sys/kernel/tracing/events"))
        return true;
    bool refused = errno == EACCES;
    if (reachable("/sys/kernel/debug/tracing/events"))
        return true;
    if (refused || errno == EACCES) {
        fprintf(stderr,
                "%s: tracefs (/sys/kernel/tracing) is readable by root only: it needs root or the capability "
                "CAP_DAC_READ_SEARCH\n",
                PROGRAM);
        return false;
    }
    if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
        fprintf(stderr, "%s: mounted tracefs on /sys/kernel/tracing (the system calls' tracepoints are found there)\n",
                PROGRAM);
        return true;
    }
    fprintf(stderr,
            "%s: tracefs is not mounted, and mounting it failed (%s): mount it with "
            "`mount -t tracefs nodev /sys/kernel/tracing`\n",
            PROGRAM, strerror(errno));
    return false;
}

/* What the eBPF program needs, each missing one named with its fix; false when one is missing. */
bool bpf_prerequisites(void)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0}};
    bool ok = true;
    if (syscall(SYS_capget, &header, data) != 0 ||
        !(has_capability(data, CAP_SYS_ADMIN) || (has_capability(data, CAP_BPF) && has_capability(data, CAP_PERFMON)))) {
        fprintf(stderr,
                "%s: loading the eBPF program needs root or the capabilities CAP_BPF and CAP_PERFMON (this process "
                "lacks%s%s): run it with sudo, or give it the capabilities with setcap (docs/RECORDER.md)\n",
                PROGRAM, has_capability(data, CAP_BPF) ? "" : " CAP_BPF",
                has_capability(data, CAP_PERFMON) ? "" : " CAP_PERFMON");
        ok = false;
    }
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
        fprintf(stderr,
                "%s: the running kernel has no BTF (/sys/kernel/btf/vmlinux: %s); the eBPF program needs a kernel "
                "built with CONFIG_DEBUG_INFO_BTF=y, as Debian's are from Debian 11 on\n",
                PROGRAM, strerror(errno));
        ok = false;
    }
    if (ok && !tracefs_ready())
        ok = false;
    return ok;
}

/* Capturing needs dumpcap: its path, or NULL, said with its fix. */
static char *find_dumpcap(void)
{
    char *dumpcap = find_in_path("dumpcap");
    if (!dumpcap)
        fprintf(stderr, "%s: dumpcap is not installed or not in PATH (Debian: apt-get install wireshark-common)\n",
                PROGRAM);
    return dumpcap;
}

/* Knocks: datagrams over loopback to a socket of our own, with a token that tells when the capture
 * file holds them, so everything sent before is in it too. Only on an interface that sees loopback. */
struct knock {
    int rx, tx;
    struct sockaddr_in to;
    char start[64], end[64];
};

static bool knock_open(struct knock *k)
{
    k->rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    k->tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    k->to.sin_family = AF_INET;
    k->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof k->to;
    if (k->rx < 0 || k->tx < 0 || bind(k->rx, (struct sockaddr *)&k->to, sizeof k->to) != 0 ||
        getsockname(k->rx, (struct sockaddr *)&k->to, &len) != 0)
        return false;
    unsigned long long token = (unsigned long long)clock_ns(CLOCK_REALTIME) ^ ((unsigned long long)getpid() << 40);
    snprintf(k->start, sizeof k->start, "procshark-record start %016llx", token);
    snprintf(k->end, sizeof k->end, "procshark-record end %016llx", token);
    return true;
}

static void knock_send(struct knock *k, const char *token)
{
    char drain[128];
    while (recv(k->rx, drain, sizeof drain, MSG_DONTWAIT) > 0)
        ;
    if (sendto(k->tx, token, strlen(token), 0, (struct sockaddr *)&k->to, sizeof k->to) < 0)
        fprintf(stderr, "%s: a knock over loopback failed: %s\n", PROGRAM, strerror(errno));
}

/* Whether the file holds the token, reading on from *scanned (what is before was searched). */
static bool file_holds(const char *path, const char *token, off_t *scanned)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t n = strlen(token);
    off_t from = *scanned > (off_t)n ? *scanned - (off_t)n : 0;
    char buf[1 << 16];
    bool found = false;
    ssize_t got;
    while (!found && (got = pread(fd, buf, sizeof buf, from)) >= (ssize_t)n) {
        found = memmem(buf, (size_t)got, token, n) != NULL;
        *scanned = from + got;
        from = *scanned - (off_t)n + 1;
    }
    close(fd);
    return found;
}

/* dumpcap's messages: a file without a name, read back when it says how it is doing. */
static char *read_log(int fd)
{
    static char text[4096];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = 0;
    return text;
}

static pid_t spawn(char *const argv[], int stderr_fd, bool own_group)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* dumpcap in a group of its own: a Ctrl-C at the terminal must not stop it before it has
         * written the last packets; we stop it then. */
        if (own_group)
            setpgid(0, 0);
        if (stderr_fd >= 0)
            dup2(stderr_fd, STDERR_FILENO);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "%s: cannot run %s: %s\n", PROGRAM, argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Waits until the capture file shows the token (knocking), dumpcap dies, or patience runs out. */
static bool wait_for_knock(struct knock *k, const char *token, const char *path, pid_t dumpcap)
{
    off_t scanned = 0;
    for (int waited = 0; waited < KNOCK_PATIENCE_MS; waited += KNOCK_EVERY_MS) {
        knock_send(k, token);
        for (int i = 0; i < KNOCK_EVERY_MS / 10; i++) {
            if (file_holds(path, token, &scanned))
                return true;
            if (waitpid(dumpcap, NULL, WNOHANG) == dumpcap)
                return false;
            sleep_ms(10);
        }
    }
    return false;
}

/* procshark-import next to us (the build folder, an installed bin/), else in PATH. */
static char *find_importer(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char candidate[PATH_MAX + 32];
        snprintf(candidate, sizeof candidate, "%s/procshark-import", dirname(self));
        if (access(candidate, X_OK) == 0)
            return strdup(candidate);
    }
    return find_in_path("procshark-import");
}

/* Whether the importer's --help lists OPTION: the reader of event files is a separate piece. */
static bool importer_has(const char *importer, const char *option)
{
    char command[PATH_MAX + 64];
    snprintf(command, sizeof command, "'%s' --help 2>&1", importer);
    FILE *p = popen(command, "r");
    if (!p)
        return false;
    char line[512];
    bool found = false;
    while (fgets(line, sizeof line, p))
        found = found || strstr(line, option) != NULL;
    pclose(p);
    return found;
}

static int run_wait(char *const argv[])
{
    pid_t pid = spawn(argv, -1, false);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* OUT's folder and name: the temporary files go beside OUT, so the last rename stays in one file system. */
static void temp_path(char *buf, size_t size, const char *out, const char *suffix)
{
    char *copy = strdup(out), *copy2 = strdup(out);
    snprintf(buf, size, "%s/.%s.XXXXXX%s", dirname(copy), basename(copy2), suffix);
    free(copy);
    free(copy2);
}

static bool make_temp(char *path, const char *suffix)
{
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* Where a result is kept when it cannot be merged: OUT without .pcapng, then SUFFIX. */
static void kept_path(char *buf, size_t size, const char *out, const char *suffix)
{
    size_t n = strlen(out);
    if (n > 7 && strcmp(out + n - 7, ".pcapng") == 0)
        n -= 7;
    snprintf(buf, size, "%.*s%s", (int)n, out, suffix);
}

struct options {
    const char *iface, *filter, *out, *events;
    bool per_packet;
    char **command;
    int snapshot_ms; /* 0: eBPF */
};

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        {"events", required_argument, NULL, 'e'},
        {"snapshots", required_argument, NULL, 's'},
        {"per-packet", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    o->iface = "any";
    int c;
    while ((c = getopt_long(argc, argv, "+i:f:w:h", longs, NULL)) != -1) {
        switch (c) {
        case 'i': o->iface = optarg; break;
        case 'f': o->filter = optarg; break;
        case 'w': o->out = optarg; break;
        case 'e': o->events = optarg; break;
        case 's': {
            char *end;
            long ms = strtol(optarg, &end, 10);
            if (*end || end == optarg || ms < 1 || ms > SNAPSHOT_MAX_MS) {
                fprintf(stderr, "%s: --snapshots %s: give the interval in ms, 1 to %d\n", PROGRAM, optarg,
                        SNAPSHOT_MAX_MS);
                return EXIT_USAGE;
            }
            o->snapshot_ms = (int)ms;
            break;
        }
        case 'p': o->per_packet = true; break;
        case 'h': fputs(USAGE, stdout); exit(0);
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    if (!o->out) {
        fprintf(stderr, "%s: no output: give it with -w OUT.pcapng\n%s", PROGRAM, USAGE);
        return EXIT_USAGE;
    }
    if (optind < argc)
        o->command = argv + optind;
    return 0;
}

/* Where eBPF cannot be used: snapshots, said. */
static void fall_back(struct options *o)
{
    o->snapshot_ms = SNAPSHOT_DEFAULT_MS;
    fprintf(stderr,
            "%s: without eBPF: falling back to socket snapshots every %d ms (sock_diag and /proc, as ss -p; "
            "connections shorter than that may be missed: docs/RECORDER.md)\n",
            PROGRAM, o->snapshot_ms);
    if (o->per_packet)
        fprintf(stderr, "%s: --per-packet needs eBPF: the snapshots name sockets, not packets\n", PROGRAM);
}

/* What this kernel lacks loses its events only, said once: system call tracepoints
 * (CONFIG_FTRACE_SYSCALLS) the accept events, sock_recv_length (before Linux 6.3) the UDP receives. */
void skip_untraceable(struct procshark_bpf *skel)
{
    if (!syscall_events()) {
        fprintf(stderr,
                "%s: this kernel has no system call tracepoints (CONFIG_FTRACE_SYSCALLS): accepted connections "
                "are named only by their state changes\n",
                PROGRAM);
        bpf_program__set_autoload(skel->progs.on_accept, false);
        bpf_program__set_autoload(skel->progs.on_accept4, false);
    }
    struct btf *vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux || btf__find_by_name_kind(vmlinux, "btf_trace_sock_recv_length", BTF_KIND_TYPEDEF) < 0) {
        fprintf(stderr, "%s: this kernel has no sock_recv_length tracepoint (Linux 6.3): UDP receives are not "
                        "recorded, only sends\n",
                PROGRAM);
        bpf_program__set_autoload(skel->progs.on_receive, false);
    }
    if (!vmlinux || btf__find_by_name_kind(vmlinux, "btf_trace_tcp_sendmsg_locked", BTF_KIND_TYPEDEF) < 0) {
        fprintf(stderr, "%s: this kernel has no tcp_sendmsg_locked tracepoint (Linux 6.12): a TCP socket keeps the "
                        "owner that connected or accepted it, even when another process sends on it\n",
                PROGRAM);
        bpf_program__set_autoload(skel->progs.on_tcp_send, false);
    }
    btf__free(vmlinux);
}

/* PROCSHARK_RECORD_RING_BYTES (tests only, docs/RECORDER.md): a smaller ring buffer, so that a test
 * can overflow it. A power of two of at least a page. */
static bool set_ring_size(struct procshark_bpf *skel)
{
    const char *text = getenv("PROCSHARK_RECORD_RING_BYTES");
    if (!text)
        return true;
    char *end;
    unsigned long bytes = strtoul(text, &end, 10);
    long page = sysconf(_SC_PAGESIZE);
    if (*end || bytes < (unsigned long)page || bytes > (1ul << 30) || (bytes & (bytes - 1))) {
        fprintf(stderr, "%s: PROCSHARK_RECORD_RING_BYTES=%s is not a power of two from %ld to 2^30\n", PROGRAM,
                text, page);
        return false;
    }
    return bpf_map__set_max_entries(skel->maps.events, (uint32_t)bytes) == 0;
}

/* --per-packet: its programs load only when asked (the default costs nothing more), with a ring
 * buffer for a bulk transfer's bursts of events. */
enum { PER_PACKET_RING_BYTES = 64 << 20 };

void per_packet_setup(struct procshark_bpf *skel, bool on)
{
    skel->rodata->per_packet = on;
    bpf_program__set_autoload(skel->progs.on_ingress, on);
    bpf_program__set_autoload(skel->progs.on_device_transmit, on);
    /* Without system call tracepoints (said by skip_untraceable), a UDP socket is known from its sends only. */
    bpf_program__set_autoload(skel->progs.on_bind, on && syscall_events());
    bpf_program__set_autoload(skel->progs.on_connect, on && syscall_events());
    if (on)
        bpf_map__set_max_entries(skel->maps.events, PER_PACKET_RING_BYTES);
}

/* The incoming packets' program on the cgroup v2 hierarchy's root, which every socket's cgroup
 * inherits (a link: other programs there stay). Without cgroup v2, outgoing packets only. */
static void per_packet_attach(struct procshark_bpf *skel)
{
    FILE *mounts = fopen("/proc/self/mounts", "r");
    char line[4096], root[4096] = "";
    while (mounts && !*root && fgets(line, sizeof line, mounts)) {
        char dir[4096], type[64];
        if (sscanf(line, "%*s %4095s %63s", dir, type) == 2 && strcmp(type, "cgroup2") == 0)
            snprintf(root, sizeof root, "%s", dir);
    }
    if (mounts)
        fclose(mounts);
    if (!*root) {
        fprintf(stderr, "%s: --per-packet: no cgroup v2 hierarchy is mounted: incoming packets are not recorded, "
                        "outgoing ones are\n", PROGRAM);
        return;
    }
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    skel->links.on_ingress = fd >= 0 ? bpf_program__attach_cgroup(skel->progs.on_ingress, fd) : NULL;
    if (!skel->links.on_ingress)
        fprintf(stderr, "%s: --per-packet: cannot attach to the cgroup v2 root %s (%s): incoming packets are not "
                        "recorded, outgoing ones are\n", PROGRAM, root, strerror(errno));
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    if (extcap_requested(argc, argv))
        return extcap_main(argc, argv);
    struct options opt = {0};
    int rc = parse(argc, argv, &opt);
    if (rc)
        return rc;
    const bool bpf_ready = !opt.snapshot_ms && bpf_prerequisites();
    char *dumpcap = find_dumpcap();
    if (!dumpcap)
        return EXIT_PREREQUISITE;
    if (!bpf_ready && !opt.snapshot_ms)
        fall_back(&opt);

    struct sigaction sa = {0};
    sa.sa_handler = on_stop; /* no SA_RESTART: the ring buffer's poll returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char packets[PATH_MAX], merged[PATH_MAX] = "", events_temp[PATH_MAX] = "";
    temp_path(packets, sizeof packets, opt.out, ".pcapng");
    if (!opt.events)
        temp_path(events_temp, sizeof events_temp, opt.out, ".psrec");
    if (!make_temp(packets, ".pcapng") || (!opt.events && !make_temp(events_temp, ".psrec"))) {
        fprintf(stderr, "%s: cannot write beside %s: %s\n", PROGRAM, opt.out, strerror(errno));
        if (*events_temp)
            unlink(events_temp);
        unlink(packets);
        return 1;
    }
    const char *events_path = opt.events ? opt.events : events_temp;

    /* Knocks reach the capture only where it sees loopback; the filter must let them through. */
    struct knock knock = {-1, -1, {0}, "", ""};
    bool knocking = strcmp(opt.iface, "any") == 0 || strcmp(opt.iface, "lo") == 0;
    char filter[4096] = "";
    if (knocking && !knock_open(&knock)) {
        fprintf(stderr, "%s: no loopback socket to knock with: %s\n", PROGRAM, strerror(errno));
        knocking = false;
    }
    if (opt.filter && knocking)
        snprintf(filter, sizeof filter, "(%s) or (udp and host 127.0.0.1 and port %u)", opt.filter,
                 ntohs(knock.to.sin_port));
    else if (opt.filter)
        snprintf(filter, sizeof filter, "%s", opt.filter);

    int log = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    char *dumpcap_argv[] = {dumpcap, "-q", "-i", (char *)opt.iface, "-w", packets, *filter ? "-f" : NULL, filter, NULL};
    pid_t dumpcap_pid = spawn(dumpcap_argv, log, true);
    struct procshark_bpf *skel = NULL;
    struct ring_buffer *ring = NULL;
    snapshotter *snapshots = NULL;
    struct recorder rec = {0};
    pid_t command = -1;
    int command_status = 0;
    rc = 1;

    /* "Capturing on" comes before libpcap has set the filter (and it drops what arrived until then):
     * only a knock in the file says the capture has begun. */
    bool capturing = false;
    for (int waited = 0; waited < KNOCK_PATIENCE_MS && !capturing; waited += 10) {
        if (strstr(read_log(log), "Capturing on"))
            capturing = true;
        else if (waitpid(dumpcap_pid, NULL, WNOHANG) == dumpcap_pid)
            break;
        else
            sleep_ms(10);
    }
    if (capturing && knocking)
        capturing = wait_for_knock(&knock, knock.start, packets, dumpcap_pid);
    if (!capturing) {
        fprintf(stderr, "%s: dumpcap did not start capturing on %s: %s\n", PROGRAM, opt.iface, read_log(log));
        /* Without the rights to capture nothing can be recorded, with eBPF or without. */
        if (strstr(read_log(log), "permission")) {
            fprintf(stderr,
                    "%s: capturing needs root, or dumpcap with the capabilities CAP_NET_RAW and CAP_NET_ADMIN "
                    "(Debian: dpkg-reconfigure wireshark-common, then join the group wireshark)\n",
                    PROGRAM);
            rc = EXIT_PREREQUISITE;
        }
        goto out;
    }

    if (!opt.snapshot_ms) {
        libbpf_set_print(print_libbpf);
        skel = procshark_bpf__open();
        if (!skel) {
            fprintf(stderr, "%s: cannot open the eBPF program: %s\n", PROGRAM, strerror(errno));
        } else {
            skip_untraceable(skel);
            per_packet_setup(skel, opt.per_packet);
            if (!set_ring_size(skel))
                goto out;
        }
        if (skel && (procshark_bpf__load(skel) != 0 || procshark_bpf__attach(skel) != 0)) {
            fprintf(stderr,
                    "%s: the kernel refused the eBPF program (%s): it needs Linux 5.8 or later with BTF "
                    "(BPF ring buffers, BTF tracepoints)\n",
                    PROGRAM, strerror(errno));
            procshark_bpf__destroy(skel);
            skel = NULL;
        }
        if (!skel)
            fall_back(&opt);
    }
    if (skel && opt.per_packet)
        per_packet_attach(skel);
    rec.events_path = events_path;
    rec.events = fopen(events_path, "wb");
    if (!rec.events) {
        fprintf(stderr, "%s: cannot write %s: %s\n", PROGRAM, events_path, strerror(errno));
        goto out;
    }
    uint8_t header[HEADER_SIZE] = {'P', 'S', 'R', 'E', 'C', 0, 0, 0};
    put32(header + 8, 1);
    put32(header + 12, RECORD_SIZE);
    fwrite(header, sizeof header, 1, rec.events);
    measure_offset(&rec.clock);
    if (opt.snapshot_ms) {
        /* The sockets there before COMMAND, then one snapshot each interval. */
        snapshots = snapshotter_new("/proc", opt.snapshot_ms);
        if (!snapshotter_take(snapshots, on_snapshot_record, &rec)) {
            fprintf(stderr, "%s: cannot list the sockets through sock_diag netlink (%s): nothing can say which "
                            "process owns a socket\n", PROGRAM, strerror(errno));
            rc = EXIT_PREREQUISITE;
            goto out;
        }
    } else if (!(ring = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &rec, NULL))) {
        fprintf(stderr, "%s: cannot read the eBPF ring buffer: %s\n", PROGRAM, strerror(errno));
        goto out;
    }

    if (opt.command) {
        command = spawn(opt.command, -1, false);
        if (command < 0) {
            fprintf(stderr, "%s: cannot start %s: %s\n", PROGRAM, opt.command[0], strerror(errno));
            goto out;
        }
    } else {
        fprintf(stderr, "%s: recording on %s; Ctrl-C stops\n", PROGRAM, opt.iface);
    }
    int64_t next_measure = clock_ns(CLOCK_MONOTONIC) + 1000000000;
    bool forwarded = false;
    for (;;) {
        /* Events wake no one (the traced thread would pay for each wakeup, bpf/procshark.bpf.c): the
         * poll waits POLL_MS, then everything is read. */
        int got = ring ? ring_buffer__poll(ring, POLL_MS)
                       : snapshotter_poll(snapshots, POLL_MS, on_snapshot_record, &rec);
        if (ring && got >= 0)
            got = ring_buffer__consume(ring);
        if (got < 0 && got != -EINTR) {
            fprintf(stderr, "%s: %s failed: %s\n", PROGRAM, ring ? "reading the ring buffer" : "a snapshot",
                    strerror(-got));
            goto out;
        }
        fflush(rec.events);
        if (clock_ns(CLOCK_MONOTONIC) >= next_measure) {
            measure_offset(&rec.clock);
            if (skel)
                report_lost(&rec, skel);
            next_measure += 1000000000;
        }
        if (command > 0 && waitpid(command, &command_status, WNOHANG) == command)
            break;
        if (stop_signal && command > 0 && !forwarded) {
            kill(command, stop_signal); /* COMMAND decides how it ends; a second signal stops us */
            forwarded = true;
            stop_signal = 0;
        } else if (stop_signal) {
            break;
        }
    }
    /* The ends of connections come right after COMMAND's exit: read until the buffer rests. */
    while (ring && (ring_buffer__poll(ring, POLL_MS) > 0 || ring_buffer__consume(ring) > 0))
        ;
    if (skel)
        report_lost(&rec, skel);
    ring_buffer__free(ring);
    ring = NULL;
    procshark_bpf__destroy(skel);
    skel = NULL;
    if (fclose(rec.events) != 0 || rec.write_failed) {
        rec.events = NULL;
        fprintf(stderr, "%s: writing %s failed: %s\n", PROGRAM, events_path, strerror(errno));
        goto out;
    }
    rec.events = NULL;
    if (knocking && !wait_for_knock(&knock, knock.end, packets, dumpcap_pid))
        fprintf(stderr, "%s: dumpcap did not write its last packets within %d s: the capture may lack them\n",
                PROGRAM, KNOCK_PATIENCE_MS / 1000);
    kill(dumpcap_pid, SIGINT);
    int dumpcap_status;
    if (waitpid(dumpcap_pid, &dumpcap_status, 0) == dumpcap_pid &&
        !(WIFEXITED(dumpcap_status) && WEXITSTATUS(dumpcap_status) == 0)) {
        fprintf(stderr, "%s: dumpcap failed: %s\n", PROGRAM, read_log(log));
        dumpcap_pid = -1;
        goto out;
    }
    dumpcap_pid = -1;
    /* Our own CPU time (reading and writing the events; the eBPF program's counts to the traced). */
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    fprintf(stderr,
            "%s: %llu TCP and %llu UDP events (%llu per packet), %llu lost; clock offset measured %u times, each to "
            "within %lld ns; %ld ms of CPU\n",
            PROGRAM, (unsigned long long)rec.tcp, (unsigned long long)rec.udp, (unsigned long long)rec.packets,
            (unsigned long long)rec.lost_reported,
            rec.clock.measured, (long long)rec.clock.worst_bound_ns,
            (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
                (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000);
    if (snapshots) {
        const snapshot_stats *st = snapshotter_stats(snapshots);
        fprintf(stderr,
                "%s: %llu snapshot%s every %d ms, %.1f sockets and %.1f held by processes in each on average, "
                "%.3f ms each on average, %.3f ms the longest\n",
                PROGRAM, (unsigned long long)st->taken, st->taken == 1 ? "" : "s", opt.snapshot_ms,
                (double)st->sockets / (double)st->taken, (double)st->holders / (double)st->taken,
                (double)st->total_ns / 1e6 / (double)st->taken, (double)st->longest_ns / 1e6);
    }
    if (opt.command && !(WIFEXITED(command_status) && WEXITSTATUS(command_status) == 0))
        fprintf(stderr, "%s: %s ended with status %d\n", PROGRAM, opt.command[0],
                WIFEXITED(command_status) ? WEXITSTATUS(command_status) : 128 + WTERMSIG(command_status));

    char *importer = find_importer();
    if (!importer || !importer_has(importer, "--procrec")) {
        char kept_packets[PATH_MAX + 32], kept_events[PATH_MAX + 32];
        kept_path(kept_packets, sizeof kept_packets, opt.out, ".packets.pcapng");
        kept_path(kept_events, sizeof kept_events, opt.out, ".events.psrec");
        rename(packets, kept_packets);
        if (!opt.events)
            rename(events_temp, kept_events);
        fprintf(stderr,
                "%s: cannot merge into %s: %s (procshark-import --procrec, the reader of the event file, is "
                "missing); the packets are in %s and the events in %s\n",
                PROGRAM, opt.out, importer ? "this procshark-import has no --procrec" : "procshark-import is not found",
                kept_packets, opt.events ? opt.events : kept_events);
        free(importer);
        *events_temp = 0;
        *packets = 0;
        rc = EXIT_NOT_MERGED;
        goto out;
    }
    temp_path(merged, sizeof merged, opt.out, ".pcapng");
    if (!make_temp(merged, ".pcapng")) {
        fprintf(stderr, "%s: cannot write beside %s: %s\n", PROGRAM, opt.out, strerror(errno));
        *merged = 0;
        free(importer);
        goto out;
    }
    /* The importer refuses an event file without records (empty input is an error there): a quiet
     * recording is its packets alone, said. */
    if (!rec.records)
        fprintf(stderr, "%s: no process events were recorded: %s holds the packets alone\n", PROGRAM, opt.out);
    char *import_argv[] = {importer, "-q",          "-o", merged, "--packets", packets,
                           rec.records ? "--procrec" : NULL, (char *)events_path, NULL};
    int imported = run_wait(import_argv);
    free(importer);
    if (imported != 0 || rename(merged, opt.out) != 0) {
        fprintf(stderr, "%s: merging into %s failed (procshark-import: status %d)\n", PROGRAM, opt.out, imported);
        goto out;
    }
    rc = 0;

out:
    if (command > 0 && rc == 1 && waitpid(command, NULL, WNOHANG) == 0)
        kill(command, SIGTERM);
    if (rec.events)
        fclose(rec.events);
    ring_buffer__free(ring);
    procshark_bpf__destroy(skel);
    snapshotter_free(snapshots);
    if (dumpcap_pid > 0) {
        kill(dumpcap_pid, SIGINT);
        waitpid(dumpcap_pid, NULL, 0);
    }
    if (*packets)
        unlink(packets);
    if (*merged && rc != 0)
        unlink(merged);
    if (*events_temp)
        unlink(events_temp);
    if (log >= 0)
        close(log);
    if (knock.rx >= 0)
        close(knock.rx);
    if (knock.tx >= 0)
        close(knock.tx);
    free(dumpcap);
    return rc;
}
