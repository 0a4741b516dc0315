/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tracee events (one JSON object each), docs/FORMATS.md section 4: the released layout (v0.19 and
 * older without, v0.20+ with the metadata argument) and the newer workload/data layout. */
#ifndef TRACEE_EVENT_H
#define TRACEE_EVENT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

typedef enum {
    TRACEE_TIMESTAMP, /* ns since the Unix epoch */
    TRACEE_EVENT_NAME,
    TRACEE_EVENT_ID,
    TRACEE_PID,
    TRACEE_TID,
    TRACEE_PPID,
    TRACEE_HOST_PID,
    TRACEE_HOST_TID,
    TRACEE_HOST_PPID,
    TRACEE_UID,
    TRACEE_PROCESS_NAME,
    TRACEE_EXECUTABLE,
    TRACEE_HOSTNAME,
    TRACEE_CGROUP_ID,
    TRACEE_MNT_NS,
    TRACEE_PID_NS,
    TRACEE_SYSCALL,
    TRACEE_CONTAINER_ID,
    TRACEE_CONTAINER_NAME,
    TRACEE_CONTAINER_IMAGE,
    TRACEE_POD_NAME,
    TRACEE_POD_NAMESPACE,
    TRACEE_POD_UID,
    TRACEE_DIRECTION,      /* "ingress" or "egress" */
    TRACEE_SRC_IP,         /* family 4 or 6 */
    TRACEE_DST_IP,
    TRACEE_SRC_PORT,
    TRACEE_DST_PORT,
    TRACEE_SEQ,
    TRACEE_ACK,
    TRACEE_DATA_OFFSET,
    TRACEE_FLAG_FIN,       /* the nine flags in this order, 0 or 1 */
    TRACEE_FLAG_SYN,
    TRACEE_FLAG_RST,
    TRACEE_FLAG_PSH,
    TRACEE_FLAG_ACK,
    TRACEE_FLAG_URG,
    TRACEE_FLAG_ECE,
    TRACEE_FLAG_CWR,
    TRACEE_FLAG_NS,
    TRACEE_WINDOW,
    TRACEE_CHECKSUM,
    TRACEE_URGENT,
    TRACEE_FLOW_DIRECTION, /* "incoming" or "outgoing" (net_flow_tcp_begin/end) */
    TRACEE_UDP_LENGTH,     /* the UDP header's: 8 + payload */
    TRACEE_UDP_CHECKSUM,   /* apart from TCP's: another protocol's field, and the UDP claim's ack */
    TRACEE_PROTOCOL,       /* PktMeta's IP protocol number (6 TCP, 17 UDP) */
    TRACEE_PACKET_LEN,     /* PktMeta's: the IP header's length field */
    TRACEE_DNS_QUERY,      /* the first question's name */
    TRACEE_DNS_QUERY_TYPE, /* and its type ("AAAA") */
    TRACEE_FIELD_COUNT
} tracee_field;

typedef struct {
    bool present;
    uint64_t u;      /* numbers and flags */
    char *s;         /* strings */
    int family;      /* addresses: 4 or 6 */
    uint8_t addr[16];
} tracee_value;

typedef enum {
    TRACEE_LAYOUT_RELEASED, /* Go's json.Marshal of tracee's Event (up to v0.24) */
    TRACEE_LAYOUT_WORKLOAD, /* protojson of api/v1beta1 Event (unreleased main) */
} tracee_layout;

typedef struct {
    tracee_layout layout;
    tracee_value v[TRACEE_FIELD_COUNT];
    GPtrArray *args;      /* "name=value" for every argument without fields of its own */
    GPtrArray *dns_answers; /* "TYPE data" per DNS answer, in order ("A 200.147.100.53") */
    ps_problems problems; /* ps_json.h codes: wrong types, values out of range */
} tracee_event;

/* False when the text is no JSON object (the first problem says why). */
bool tracee_event_decode(const char *json, size_t len, tracee_event *ev);
void tracee_event_clear(tracee_event *ev);

/* Only the event's time (ns since the Unix epoch), for tools that order events. False, with the one
 * problem that says why added to problems, when the text is no JSON object or has no usable
 * timestamp. */
bool tracee_event_timestamp(const char *json, size_t len, uint64_t *ns, ps_problems *problems);

/* The Info line, e.g. "net_packet_tcp curl[4242] 10.0.0.1:51234 -> 10.0.0.2:443 [SYN]": valid UTF-8,
 * control characters left for the caller to escape (ps_text.h). */
void tracee_event_describe(const tracee_event *ev, char *out, size_t out_size);

/* The IP protocol of the event's packet: PktMeta's protocol when given, else what the event's
 * name or header says (6 TCP, 17 UDP); 0 when unknown. */
unsigned tracee_event_transport(const tracee_event *ev);

/* The process the event names: the host pid when known (tracee also gives namespace pids). */
bool tracee_event_pid(const tracee_event *ev, uint32_t *pid);

#endif
