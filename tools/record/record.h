/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What procshark-record.c (recording to a file) shares with live.c (the Wireshark extcap): the
 * prerequisites, the eBPF program's set-up and its events as records of the event file. */
#ifndef PROCSHARK_RECORD_H
#define PROCSHARK_RECORD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "procshark.skel.h"

enum { EXIT_USAGE = 2, EXIT_NOT_MERGED = 3, EXIT_PREREQUISITE = 4 };
enum { RECORD_SIZE = 192, HEADER_SIZE = 16 };
extern const char PROGRAM[];

/* CLOCK_REALTIME - CLOCK_MONOTONIC (bpf_ktime_get_ns's clock). NTP slews both alike, so the offset
 * moves only when the wall clock is stepped; it is read between two monotonic readings, and the
 * closest pair of seven gives the offset to within half its gap (the bound kept). */
struct clock_offset {
    int64_t offset_ns, bound_ns, worst_bound_ns;
    unsigned measured;
};

/* Where the records go: the event file, or, when sink is set, sink (the extcap's ordered queue). */
struct recorder {
    FILE *events;
    const char *events_path;
    void (*sink)(void *sink_ctx, const uint8_t record[RECORD_SIZE]);
    void *sink_ctx;
    struct clock_offset clock;
    uint64_t tcp, udp, packets, lost_reported;
    uint64_t records; /* written, of every kind */
    bool write_failed;
};

int64_t clock_ns(clockid_t id);
void measure_offset(struct clock_offset *c);
/* A ring-buffer callback: ctx is a struct recorder. */
int on_event(void *ctx, void *data, size_t size);
void report_lost(struct recorder *r, const struct procshark_bpf *skel);
int print_libbpf(enum libbpf_print_level level, const char *format, va_list args);
bool bpf_prerequisites(void);
void skip_untraceable(struct procshark_bpf *skel);
/* Loads the --per-packet programs, and sizes the ring buffer for them, only when on. */
void per_packet_setup(struct procshark_bpf *skel, bool on);

/* live.c: whether Wireshark runs us as an extcap (an --extcap-* or --capture option), and that mode. */
bool extcap_requested(int argc, char **argv);
int extcap_main(int argc, char **argv);

#endif
