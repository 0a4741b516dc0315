/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record as a Wireshark extcap (docs/RECORDER.md, "Live in Wireshark"): interfaces
 * "procshark-IFACE", whose capture is one pcapng stream into Wireshark's fifo, the packets and the
 * eBPF program's events (as the exported PDUs procshark-import writes for them) in time order, so
 * that a single pass (Wireshark while it captures) sees a connection's connect event before its
 * first packet, and its accept event before the packets after accept().
 * The packets are captured here with libpcap, not by dumpcap: dumpcap's pcapng on a pipe would have
 * to be parsed block by block (wiretap reads a pipe only in whole buffers, and Wireshark reads a
 * growing capture only as far as dumpcap's sync pipe says it is complete), and dumpcap would need
 * the capture capabilities passed on to it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
/* libpcap's and the kernel's BPF headers (the latter through libbpf) both define struct bpf_insn,
 * which nothing here uses: libpcap's is renamed in this file. */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>

#include "pcapng_writer.h"
#include "procrec_event.h"
#include "ps_bytes.h"
#include "record.h"
#include "source.h"
#include "upper_pdu.h"

static const char PREFIX[] = "procshark-";
/* How long a record waits for older ones. A connect or UDP send event is in the ring buffer before
 * its packet reaches the capture (net_dev_queue fires before the capture's tap), and each round
 * reads the capture first, then the ring buffer: sorting a round's records puts the event first.
 * The hold is for records that a later round reads with an earlier time (events made on another
 * processor, lost-event counts); one later than the hold is written when it comes, after younger
 * records. Wireshark shows each packet this much later. */
enum { HOLD_MS = 200, TICK_MS = 50, SNAPLEN = 262144 };
enum { PACKETS_IFACE = 0, EVENTS_IFACE = 1 };

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* A packet or an event waiting for its turn. */
struct held {
    int64_t ts_ns;
    unsigned iface;
    uint32_t len, orig_len;
    uint8_t data[];
};

struct live {
    GQueue held; /* struct held, oldest first */
    pcapng_writer *writer;
    int fifo_fd; /* the writer's */
    int64_t ns_per_tick; /* of pcap_pkthdr's tv_usec: 1 where libpcap gives nanoseconds, else 1000 */
    bool filtering;      /* events pass the capture filter (events_filter) */
    struct bpf_program events_filter;
    bool write_failed, reader_left; /* reader_left: the failure was Wireshark's end of the capture */
};

static void hold(struct live *l, int64_t ts_ns, unsigned iface, const uint8_t *data, uint32_t len, uint32_t orig_len)
{
    struct held *h = g_malloc(sizeof *h + len);
    *h = (struct held){ts_ns, iface, len, orig_len};
    memcpy(h->data, data, len);
    /* Mostly in order: the place is found from the young end. */
    GList *after = l->held.tail;
    while (after && ((struct held *)after->data)->ts_ns > ts_ns)
        after = after->prev;
    if (after)
        g_queue_insert_after(&l->held, after, h);
    else
        g_queue_push_head(&l->held, h);
}

static void on_packet(u_char *ctx, const struct pcap_pkthdr *header, const u_char *bytes)
{
    struct live *l = (struct live *)ctx;
    int64_t ts_ns = (int64_t)header->ts.tv_sec * 1000000000 + header->ts.tv_usec * l->ns_per_tick;
    hold(l, ts_ns, PACKETS_IFACE, bytes, header->caplen, header->len);
}

/* The capture filter for events: compiled for raw IP, and run on a packet made of an event's
 * addresses, ports and protocol. False where it does not compile so (a filter on the link layer):
 * then every event is kept. */
static bool compile_events_filter(const char *filter, struct bpf_program *program)
{
    if (!filter || !*filter)
        return false;
    pcap_t *dead = pcap_open_dead(DLT_RAW, SNAPLEN);
    bool compiled = pcap_compile(dead, program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
    pcap_close(dead);
    return compiled;
}

/* An IP packet from `from` to `to` (the record's 16-byte addresses at those offsets, ports at those)
 * with an empty TCP or UDP header, into buf; its length. */
static size_t event_packet(const uint8_t *record, size_t from, size_t to, size_t from_port, size_t to_port,
                           uint8_t buf[60])
{
    const uint8_t family = record[PROCREC_OFF_FAMILY], protocol = record[PROCREC_OFF_PROTOCOL];
    const size_t l4 = protocol == IPPROTO_TCP ? 20 : 8, ip = family == 4 ? 20 : 40;
    memset(buf, 0, ip + l4);
    if (family == 4) {
        buf[0] = 0x45;
        buf[2] = (uint8_t)((ip + l4) >> 8), buf[3] = (uint8_t)(ip + l4);
        buf[8] = 64, buf[9] = protocol;
        memcpy(buf + 12, record + from, 4);
        memcpy(buf + 16, record + to, 4);
    } else {
        buf[0] = 0x60;
        buf[5] = (uint8_t)l4, buf[6] = protocol, buf[7] = 64;
        memcpy(buf + 8, record + from, 16);
        memcpy(buf + 24, record + to, 16);
    }
    /* The record's ports are little-endian; the packet's big-endian. */
    buf[ip] = record[from_port + 1], buf[ip + 1] = record[from_port];
    buf[ip + 2] = record[to_port + 1], buf[ip + 3] = record[to_port];
    if (protocol == IPPROTO_TCP)
        buf[ip + 12] = 5 << 4;
    else
        buf[ip + 5] = (uint8_t)l4;
    return ip + l4;
}

/* Whether a packet of the event's socket, either way, could pass the capture filter. Lost-event
 * records, and an unconnected socket's events (no peer to judge), always pass. */
static bool event_wanted(const struct live *l, const uint8_t record[RECORD_SIZE])
{
    static const uint8_t unspecified[16];
    const uint8_t family = record[PROCREC_OFF_FAMILY], protocol = record[PROCREC_OFF_PROTOCOL];
    if (!l->filtering || (family != 4 && family != 6) || (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP) ||
        memcmp(record + PROCREC_OFF_REMOTE_ADDR, unspecified, family == 4 ? 4 : 16) == 0)
        return true;
    uint8_t packet[60];
    struct pcap_pkthdr header = {0};
    header.caplen = header.len = (bpf_u_int32)event_packet(record, PROCREC_OFF_LOCAL_ADDR, PROCREC_OFF_REMOTE_ADDR,
                                                           PROCREC_OFF_LOCAL_PORT, PROCREC_OFF_REMOTE_PORT, packet);
    if (pcap_offline_filter(&l->events_filter, &header, packet))
        return true;
    header.caplen = header.len = (bpf_u_int32)event_packet(record, PROCREC_OFF_REMOTE_ADDR, PROCREC_OFF_LOCAL_ADDR,
                                                           PROCREC_OFF_REMOTE_PORT, PROCREC_OFF_LOCAL_PORT, packet);
    return pcap_offline_filter(&l->events_filter, &header, packet) != 0;
}

/* The recorder's records (procshark-record.c, on_event and report_lost) come here. */
static void on_record(void *ctx, const uint8_t record[RECORD_SIZE])
{
    struct live *l = ctx;
    if (!event_wanted(l, record))
        return;
    const int64_t ts_ns = (int64_t)ps_le64(record + PROCREC_OFF_TIME);
    GByteArray *frame = upper_pdu_frame(ps_source_procrec.pdu_dissector, record, PROCREC_RECORD_SIZE);
    hold(l, ts_ns, EVENTS_IFACE, frame->data, frame->len, frame->len);
    g_byte_array_free(frame, TRUE);
}

/* Whether Wireshark has closed its end of the fifo: it ended the capture, and what we could not write
 * is nobody's loss (nor worth a message, which Wireshark would show as an error). */
static bool reader_gone(int fd)
{
    struct pollfd p = {fd, POLLOUT, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* Writes what is older than cutoff, and flushes it to Wireshark; a failure sets write_failed. */
static void release(struct live *l, int64_t cutoff_ns)
{
    bool wrote = false;
    char *error = NULL;
    struct held *h;
    while (!l->write_failed && (h = g_queue_peek_head(&l->held)) && h->ts_ns <= cutoff_ns) {
        pcapng_packet_meta meta = {.orig_len = h->orig_len};
        if (!pcapng_writer_write(l->writer, h->iface, h->ts_ns, h->data, h->len, &meta, &error))
            l->write_failed = true;
        g_free(g_queue_pop_head(&l->held));
        wrote = true;
    }
    if (wrote && !l->write_failed && !pcapng_writer_flush(l->writer, &error))
        l->write_failed = true;
    if (error && reader_gone(l->fifo_fd))
        l->reader_left = true;
    else if (error)
        fprintf(stderr, "%s: the fifo: %s\n", PROGRAM, error);
    g_free(error);
}

/* The device of an interface of ours ("procshark-lo": "lo"), or NULL. */
static const char *device_of(const char *interface)
{
    if (!interface || strncmp(interface, PREFIX, strlen(PREFIX)) != 0 || !interface[strlen(PREFIX)]) {
        fprintf(stderr, "%s: no such interface: %s (ours are named %sIFACE)\n", PROGRAM,
                interface ? interface : "(none given)", PREFIX);
        return NULL;
    }
    return interface + strlen(PREFIX);
}

/* Whether the interface has an IP address: local sockets' packets pass there. */
static bool has_ip(const pcap_if_t *d)
{
    for (const pcap_addr_t *a = d->addresses; a; a = a->next)
        if (a->addr && (a->addr->sa_family == AF_INET || a->addr->sa_family == AF_INET6))
            return true;
    return false;
}

/* "any" and every interface with an IP address. */
static int list_interfaces(void)
{
    printf("extcap {version=%s}{display=procshark: packets with their processes}\n", PROCSHARK_VERSION);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *devices = NULL;
    if (pcap_findalldevs(&devices, errbuf) != 0) {
        fprintf(stderr, "%s: cannot list the interfaces: %s\n", PROGRAM, errbuf);
        return 1;
    }
    for (pcap_if_t *d = devices; d; d = d->next)
        if (strcmp(d->name, "any") == 0 || has_ip(d))
            printf("interface {value=%s%s}{display=procshark: %s with processes}\n", PREFIX, d->name, d->name);
    pcap_freealldevs(devices);
    return 0;
}

/* Wireshark asks whether a capture filter is valid: silence means yes. Compiled for Linux cooked
 * headers on "any", for Ethernet elsewhere (without opening the device, which needs privileges). */
static int check_filter(const char *device, const char *filter)
{
    pcap_t *dead = pcap_open_dead(strcmp(device, "any") == 0 ? DLT_LINUX_SLL : DLT_EN10MB, SNAPLEN);
    struct bpf_program program;
    if (pcap_compile(dead, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
        printf("%s\n", pcap_geterr(dead));
    else
        pcap_freecode(&program);
    pcap_close(dead);
    return 0;
}

static pcap_t *open_capture(const char *device, const char *filter)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(device, errbuf);
    if (!p) {
        fprintf(stderr, "%s: cannot capture on %s: %s\n", PROGRAM, device, errbuf);
        return NULL;
    }
    /* Nanoseconds where the device has them, else microseconds (the stream's interface says which). */
    bool configured = pcap_set_snaplen(p, SNAPLEN) == 0 && pcap_set_immediate_mode(p, 1) == 0 &&
               (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0 ||
                pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO) == 0);
    int status = configured ? pcap_activate(p) : PCAP_ERROR;
    if (status == PCAP_ERROR_PERM_DENIED) {
        fprintf(stderr, "%s: capturing on %s needs root or the capability CAP_NET_RAW (docs/RECORDER.md): %s\n",
                PROGRAM, device, pcap_geterr(p));
    } else if (status < 0) {
        fprintf(stderr, "%s: cannot capture on %s: %s\n", PROGRAM, device, pcap_geterr(p));
    } else {
        struct bpf_program program;
        if ((!filter || !*filter) && pcap_setnonblock(p, 1, errbuf) == 0)
            return p;
        if (!filter || !*filter) {
            fprintf(stderr, "%s: cannot capture on %s: %s\n", PROGRAM, device, errbuf);
            pcap_close(p);
            return NULL;
        }
        if (pcap_compile(p, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
            bool set = pcap_setfilter(p, &program) == 0;
            pcap_freecode(&program);
            if (set && pcap_setnonblock(p, 1, errbuf) == 0)
                return p;
        }
        fprintf(stderr, "%s: the capture filter \"%s\": %s\n", PROGRAM, filter, pcap_geterr(p));
    }
    pcap_close(p);
    return NULL;
}

/* The stream's header and its two interfaces, the device's packets and the events, on the fifo's
 * descriptor fd (which it owns from then on). */
static pcapng_writer *start_stream(int fd, const char *fifo, const char *device, int linktype)
{
    char *description = g_strdup_printf("procshark: %s with processes", device);
    const pcapng_interface interfaces[] = {
        {wtap_pcap_encap_to_wtap_encap(linktype), device, description},
        {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "procshark-record", "procshark-record events (the eBPF program)"},
    };
    GArray *idbs = g_array_new(FALSE, FALSE, sizeof(wtap_block_t));
    for (size_t i = 0; i < G_N_ELEMENTS(interfaces); i++) {
        wtap_block_t idb = pcapng_interface_block(&interfaces[i]);
        g_array_append_val(idbs, idb);
    }
    char *error = NULL;
    pcapng_writer *w = pcapng_writer_fdopen(fd, fifo, idbs, NULL, NULL, "procshark-record " PROCSHARK_VERSION, &error);
    if (w && !pcapng_writer_flush(w, &error)) {
        pcapng_writer_close(w, NULL);
        w = NULL;
    }
    if (!w)
        fprintf(stderr, "%s: %s\n", PROGRAM, error);
    g_free(error);
    for (guint i = 0; i < idbs->len; i++)
        wtap_block_unref(g_array_index(idbs, wtap_block_t, i));
    g_array_free(idbs, TRUE);
    g_free(description);
    return w;
}

/* Packets and events into the fifo until Wireshark stops us (SIGTERM) or stops reading. Anything on
 * stderr is an error to Wireshark: nothing is said there when all goes well. */
static int capture(const char *device, const char *fifo, const char *filter)
{
    /* Opened first: Wireshark's reader waits for it, and a failure below then ends its capture with
     * the end of the stream, rather than leaving it waiting. */
    int fd = open(fifo, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open the fifo %s: %s\n", PROGRAM, fifo, strerror(errno));
        return 1;
    }
    bool ready = bpf_prerequisites();
    if (!ready) {
        close(fd);
        return EXIT_PREREQUISITE;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_stop; /* no SA_RESTART: poll returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* Wireshark gone: the write fails, and we end */

    struct live l = {.held = G_QUEUE_INIT, .ns_per_tick = 1};
    struct recorder rec = {.sink = on_record, .sink_ctx = &l};
    struct procshark_bpf *skel = NULL;
    struct ring_buffer *ring = NULL;
    int rc = 1;
    /* Capturing before the program is attached: the kernel keeps the packets meanwhile. */
    pcap_t *p = open_capture(device, filter);
    if (!p)
        goto out;
    if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO)
        l.ns_per_tick = 1000;
    l.filtering = compile_events_filter(filter, &l.events_filter);
    libbpf_set_print(print_libbpf);
    skel = procshark_bpf__open();
    if (!skel) {
        fprintf(stderr, "%s: cannot open the eBPF program: %s\n", PROGRAM, strerror(errno));
        goto out;
    }
    skip_untraceable(skel);
    per_packet_setup(skel, false);
    if (procshark_bpf__load(skel) != 0 || procshark_bpf__attach(skel) != 0) {
        fprintf(stderr, "%s: the kernel refused the eBPF program (%s): it needs Linux 5.8 or later with BTF\n",
                PROGRAM, strerror(errno));
        goto out;
    }
    measure_offset(&rec.clock);
    ring = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &rec, NULL);
    if (!ring) {
        fprintf(stderr, "%s: cannot read the eBPF ring buffer: %s\n", PROGRAM, strerror(errno));
        goto out;
    }
    pcapng_writer_init_library(PROGRAM);
    l.writer = start_stream(fd, fifo, device, pcap_datalink(p));
    l.fifo_fd = fd;
    fd = -1;
    if (!l.writer)
        goto out;

    struct pollfd fds[] = {{pcap_get_selectable_fd(p), POLLIN, 0}, {ring_buffer__epoll_fd(ring), POLLIN, 0}};
    int64_t next_measure = clock_ns(CLOCK_MONOTONIC) + 1000000000;
    bool capture_failed = false;
    while (!capture_failed && !l.write_failed && !stop_requested) {
        poll(fds, G_N_ELEMENTS(fds), TICK_MS);
        if (pcap_dispatch(p, -1, on_packet, (u_char *)&l) == PCAP_ERROR) {
            fprintf(stderr, "%s: capturing on %s failed: %s\n", PROGRAM, device, pcap_geterr(p));
            capture_failed = true;
        }
        ring_buffer__consume(ring);
        if (clock_ns(CLOCK_MONOTONIC) >= next_measure) {
            measure_offset(&rec.clock);
            report_lost(&rec, skel);
            next_measure += 1000000000;
        }
        release(&l, clock_ns(CLOCK_REALTIME) - (int64_t)HOLD_MS * 1000000);
    }
    /* What has come in: all of it, in order. */
    if (!capture_failed && pcap_dispatch(p, -1, on_packet, (u_char *)&l) == PCAP_ERROR) {
        fprintf(stderr, "%s: capturing on %s failed: %s\n", PROGRAM, device, pcap_geterr(p));
        capture_failed = true;
    }
    ring_buffer__consume(ring);
    release(&l, INT64_MAX);
    rc = capture_failed || (l.write_failed && !l.reader_left) ? 1 : 0;

out:
    if (fd >= 0)
        close(fd);
    if (l.writer) {
        char *error = NULL;
        if (!l.write_failed && !pcapng_writer_flush(l.writer, &error) && !reader_gone(l.fifo_fd)) {
            fprintf(stderr, "%s: the fifo: %s\n", PROGRAM, error);
            rc = 1;
        }
        g_free(error);
        pcapng_writer_close(l.writer, NULL); /* flushed: only the descriptor is left */
    }
    g_queue_clear_full(&l.held, g_free);
    if (l.filtering)
        pcap_freecode(&l.events_filter);
    ring_buffer__free(ring);
    procshark_bpf__destroy(skel);
    if (p)
        pcap_close(p);
    return rc;
}

/* Wireshark's first argument is always one of these; a COMMAND's arguments (after --) may be too. */
bool extcap_requested(int argc, char **argv)
{
    return argc > 1 && (strncmp(argv[1], "--extcap-", 9) == 0 || strcmp(argv[1], "--capture") == 0);
}

int extcap_main(int argc, char **argv)
{
    enum { INTERFACES = 1, VERSION, INTERFACE, DLTS, CONFIG, CAPTURE, FIFO, FILTER };
    static const struct option longs[] = {
        {"extcap-interfaces", no_argument, NULL, INTERFACES},
        {"extcap-version", optional_argument, NULL, VERSION},
        {"extcap-interface", required_argument, NULL, INTERFACE},
        {"extcap-dlts", no_argument, NULL, DLTS},
        {"extcap-config", no_argument, NULL, CONFIG},
        {"capture", no_argument, NULL, CAPTURE},
        {"fifo", required_argument, NULL, FIFO},
        {"extcap-capture-filter", required_argument, NULL, FILTER},
        {NULL, 0, NULL, 0},
    };
    const char *interface = NULL, *fifo = NULL, *filter = NULL;
    int action = 0, c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case INTERFACES:
        case DLTS:
        case CONFIG:
        case CAPTURE: action = c; break;
        case VERSION: break;
        case INTERFACE: interface = optarg; break;
        case FIFO: fifo = optarg; break;
        case FILTER: filter = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    if (action == INTERFACES)
        return list_interfaces();
    const char *device = device_of(interface);
    if (!device)
        return EXIT_USAGE;
    switch (action) {
    case DLTS:
        /* The stream is pcapng: its interfaces carry their own link types. */
        printf("dlt {number=%d}{name=WIRESHARK_UPPER_PDU}{display=%s packets and process events}\n",
               DLT_WIRESHARK_UPPER_PDU, device);
        return 0;
    case CONFIG: return 0; /* nothing to set */
    case CAPTURE:
        if (!fifo) {
            fprintf(stderr, "%s: --capture needs --fifo PATH\n", PROGRAM);
            return EXIT_USAGE;
        }
        return capture(device, fifo, filter);
    default:
        if (filter)
            return check_filter(device, filter);
        fprintf(stderr, "%s: an extcap option without --extcap-interfaces, --extcap-dlts, --extcap-config or "
                        "--capture\n", PROGRAM);
        return EXIT_USAGE;
    }
}
