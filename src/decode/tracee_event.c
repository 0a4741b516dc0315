/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tracee_event.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ps_json.h"
#include "ps_text.h"
#include "ps_time.h"

#define U16 UINT64_C(0xffff)
#define U32 UINT64_C(0xffffffff)

static void set_uint(ps_json_reader *r, tracee_event *ev, tracee_field f, const ps_json *obj, const char *key,
                     uint64_t max)
{
    uint64_t v;
    if (ps_json_uint(r, obj, key, max, &v)) {
        ev->v[f].present = true;
        ev->v[f].u = v;
    }
}

static void set_string(ps_json_reader *r, tracee_event *ev, tracee_field f, const ps_json *obj, const char *key)
{
    char *s = NULL;
    if (ps_json_string(r, obj, key, &s)) {
        g_free(ev->v[f].s);
        ev->v[f].s = s;
        ev->v[f].present = true;
    }
}

/* A string only when it says something: tracee writes "" for an unknown container or executable. */
static void set_nonempty_string(ps_json_reader *r, tracee_event *ev, tracee_field f, const ps_json *obj,
                                const char *key)
{
    const ps_json *v = ps_json_get(obj, key);
    if (ps_json_is_string(v) && ps_json_string_length(v) == 0)
        return;
    set_string(r, ev, f, obj, key);
}

static void set_address(ps_json_reader *r, tracee_event *ev, tracee_field f, const ps_json *v, const char *key)
{
    if (!ps_json_is_string(v)) {
        ps_json_problem(r, key, "expected an IP address string");
        return;
    }
    const char *text = ps_json_string_value(v);
    tracee_value *out = &ev->v[f];
    if (inet_pton(AF_INET, text, out->addr) == 1)
        out->family = 4;
    else if (inet_pton(AF_INET6, text, out->addr) == 1)
        out->family = 6;
    else {
        char *ex = ps_json_excerpt(text, ps_json_string_length(v));
        ps_json_problem(r, key, "\"%s\" is not an IP address", ex);
        g_free(ex);
        return;
    }
    out->present = true;
}

/* A header object (TCP, UDP): camelCase in the released layout, snake_case in the workload one. */
typedef struct {
    tracee_field field;
    const char *released;
    const char *workload;
    uint64_t max;
} header_key;

static const header_key tcp_keys[] = {
    {TRACEE_SRC_PORT, "srcPort", "src_port", U16},     {TRACEE_DST_PORT, "dstPort", "dst_port", U16},
    {TRACEE_SEQ, "seq", "seq", U32},                   {TRACEE_ACK, "ack", "ack", U32},
    {TRACEE_DATA_OFFSET, "dataOffset", "data_offset", 15},
    {TRACEE_FLAG_FIN, "FIN", "fin_flag", 1},           {TRACEE_FLAG_SYN, "SYN", "syn_flag", 1},
    {TRACEE_FLAG_RST, "RST", "rst_flag", 1},           {TRACEE_FLAG_PSH, "PSH", "psh_flag", 1},
    {TRACEE_FLAG_ACK, "ACK", "ack_flag", 1},           {TRACEE_FLAG_URG, "URG", "urg_flag", 1},
    {TRACEE_FLAG_ECE, "ECE", "ece_flag", 1},           {TRACEE_FLAG_CWR, "CWR", "cwr_flag", 1},
    {TRACEE_FLAG_NS, "NS", "ns_flag", 1},              {TRACEE_WINDOW, "window", "window", U16},
    {TRACEE_CHECKSUM, "checksum", "checksum", U16},    {TRACEE_URGENT, "urgent", "urgent", U16},
};

static const header_key udp_keys[] = {
    {TRACEE_SRC_PORT, "srcPort", "src_port", U16},     {TRACEE_DST_PORT, "dstPort", "dst_port", U16},
    {TRACEE_UDP_LENGTH, "length", "length", U16},      {TRACEE_UDP_CHECKSUM, "checksum", "checksum", U16},
};

static void apply_header(ps_json_reader *r, tracee_event *ev, const ps_json *header, const header_key *keys,
                         size_t count)
{
    const bool workload = ev->layout == TRACEE_LAYOUT_WORKLOAD;
    for (size_t i = 0; i < count; i++) {
        const header_key *k = &keys[i];
        const char *key = workload ? k->workload : k->released;
        const ps_json *v = ps_json_get(header, key);
        uint64_t n;
        if (v) {
            if (!ps_json_is_null(v) && ps_json_uint_value(r, key, v, k->max, &n)) {
                ev->v[k->field].present = true;
                ev->v[k->field].u = n;
            }
        } else if (workload) {
            /* protojson leaves out zero values */
            ev->v[k->field].present = true;
            ev->v[k->field].u = 0;
        }
    }
}

static void apply_ip_header(ps_json_reader *r, tracee_event *ev, const ps_json *ip)
{
    const bool workload = ev->layout == TRACEE_LAYOUT_WORKLOAD;
    const char *src_key = workload ? "src_ip" : "srcIP";
    const char *dst_key = workload ? "dst_ip" : "dstIP";
    const ps_json *src = ps_json_get(ip, src_key), *dst = ps_json_get(ip, dst_key);
    if (src)
        set_address(r, ev, TRACEE_SRC_IP, src, src_key);
    if (dst)
        set_address(r, ev, TRACEE_DST_IP, dst, dst_key);
}

/* metadata.direction: 1 ingress, 2 egress (released); INGRESS/EGRESS or 1/3 (workload). */
static void apply_direction(ps_json_reader *r, tracee_event *ev, const ps_json *meta)
{
    const ps_json *d = ps_json_get(meta, "direction");
    if (!d)
        return;
    const char *name = NULL;
    if (ps_json_is_string(d)) {
        const char *s = ps_json_string_value(d);
        if (g_ascii_strcasecmp(s, "INGRESS") == 0)
            name = "ingress";
        else if (g_ascii_strcasecmp(s, "EGRESS") == 0)
            name = "egress";
    } else if (ps_json_is_integer(d)) {
        int64_t n = 0;
        ps_json_int64(d, &n);
        if (n == 1)
            name = "ingress";
        else if (n == (ev->layout == TRACEE_LAYOUT_WORKLOAD ? 3 : 2))
            name = "egress";
    }
    if (!name) {
        char *text = ps_json_text(d);
        char *ex = ps_json_excerpt(text, strlen(text));
        ps_json_problem(r, "direction", "%s is neither ingress nor egress", ex);
        g_free(ex);
        g_free(text);
        return;
    }
    g_free(ev->v[TRACEE_DIRECTION].s);
    ev->v[TRACEE_DIRECTION].s = g_strdup(name);
    ev->v[TRACEE_DIRECTION].present = true;
}

/* The metadata argument: trace.PacketMetadata (the direction) or trace.PktMeta (the addressing of
 * the DNS and HTTP request/response events, snake_case in both layouts). Its addresses and ports
 * count where the event gave none of its own. True when every member has a field. */
static bool apply_metadata(ps_json_reader *r, tracee_event *ev, const ps_json *meta)
{
    static const char *const read_keys[] = {"direction", "src_ip", "dst_ip", "src_port",
                                            "dst_port", "protocol", "packet_len"};
    apply_direction(r, ev, meta);
    for (int i = 0; i < 2; i++) {
        tracee_field f = i ? TRACEE_DST_IP : TRACEE_SRC_IP;
        const ps_json *v = ps_json_get(meta, read_keys[1 + i]);
        if (v && !ps_json_is_null(v) && !ev->v[f].present)
            set_address(r, ev, f, v, read_keys[1 + i]);
    }
    for (int i = 0; i < 2; i++) {
        tracee_field f = i ? TRACEE_DST_PORT : TRACEE_SRC_PORT;
        uint64_t port;
        if (ps_json_uint(r, meta, read_keys[3 + i], U16, &port) && !ev->v[f].present) {
            ev->v[f].present = true;
            ev->v[f].u = port;
        }
    }
    set_uint(r, ev, TRACEE_PROTOCOL, meta, "protocol", 0xff);
    set_uint(r, ev, TRACEE_PACKET_LEN, meta, "packet_len", U32);
    const ps_json *node, *value;
    const char *key;
    ps_json_object_foreach(meta, node, key, value) {
        (void)value;
        bool known = false;
        for (size_t i = 0; i < G_N_ELEMENTS(read_keys); i++)
            known |= strcmp(key, read_keys[i]) == 0;
        if (!known)
            return false;
    }
    return true;
}

/* The first question's name and type: what the Info column and a filter want (the argument's text
 * keeps the rest). */
static void apply_first_question(ps_json_reader *r, tracee_event *ev, const ps_json *questions,
                                 const char *name_key, const char *type_key)
{
    const ps_json *q = ps_json_array_get(questions, 0);
    if (!q || ps_json_is_null(q))
        return;
    if (!ps_json_is_object(q)) {
        ps_json_problem(r, name_key, "a DNS question must be an object");
        return;
    }
    set_string(r, ev, TRACEE_DNS_QUERY, q, name_key);
    set_string(r, ev, TRACEE_DNS_QUERY_TYPE, q, type_key);
}

/* Where an answer's data is: a member, or a member of a member object (MX.name). */
typedef struct {
    const char *released, *released_member;
    const char *workload, *workload_member;
} answer_key;

/* trace.ProtoDNSResourceRecord fills only the member of its type. */
static const answer_key resource_record_keys[] = {
    {"IP", NULL, "ip", NULL},         {"CNAME", NULL, "cname", NULL}, {"PTR", NULL, "ptr", NULL},
    {"NS", NULL, "ns", NULL},         {"TXT", NULL, "txt", NULL},     {"MX", "name", "mx", "name"},
    {"SRV", "name", "srv", "name"},   {"SOA", "MName", "soa", "mname"},
};
/* trace.DnsAnswer: {answer_type, ttl, answer}; protobuf's DnsAnswer: {type, ttl, answer}. */
static const answer_key dns_answer_keys[] = {{"answer", NULL, "answer", NULL}};

/* One answer, as "TYPE data". */
static void add_answer(ps_json_reader *r, tracee_event *ev, const ps_json *answer, const char *type_key,
                       const answer_key *keys, size_t count)
{
    if (!ps_json_is_object(answer)) {
        ps_json_problem(r, type_key, "a DNS answer must be an object");
        return;
    }
    const bool workload = ev->layout == TRACEE_LAYOUT_WORKLOAD;
    char *type = NULL, *data = NULL;
    ps_json_string(r, answer, type_key, &type);
    for (size_t i = 0; i < count && !data; i++) {
        const char *key = workload ? keys[i].workload : keys[i].released;
        const char *member = workload ? keys[i].workload_member : keys[i].released_member;
        const ps_json *holder = member ? ps_json_object(r, answer, key) : answer;
        if (holder && ps_json_string(r, holder, member ? member : key, &data) && data[0] == '\0') {
            g_free(data);
            data = NULL;
        }
    }
    if (type || data)
        g_ptr_array_add(ev->dns_answers, type && data ? g_strconcat(type, " ", data, NULL) : g_strdup(type ? type : data));
    g_free(type);
    g_free(data);
}

/* proto_dns (trace.ProtoDNS; protobuf's DNS): questions [{name, type, class}] and answers. */
static void apply_proto_dns(ps_json_reader *r, tracee_event *ev, const ps_json *dns)
{
    const ps_json *questions = ps_json_array(r, dns, "questions");
    apply_first_question(r, ev, questions, "name", "type");
    const ps_json *answers = ps_json_array(r, dns, "answers"), *answer;
    ps_json_array_each(answers, answer)
        add_answer(r, ev, answer, "type", resource_record_keys, G_N_ELEMENTS(resource_record_keys));
}

/* The list of a DNS argument: the value itself (released), or the array member of protobuf's
 * wrapper message ({"questions": [...]}, {"responses": [...]}). */
static const ps_json *dns_list(ps_json_reader *r, const char *arg, const ps_json *value, const char *member)
{
    if (ps_json_is_array(value))
        return value;
    if (ps_json_is_object(value))
        return ps_json_array(r, value, member);
    if (!ps_json_is_null(value))
        ps_json_problem(r, arg, "expected an array");
    return NULL;
}

/* dns_response: [{query_data: {query, query_type, query_class}, dns_answer: [...]}]; protobuf's
 * names the first member dns_query_data. */
static void apply_dns_responses(ps_json_reader *r, tracee_event *ev, const ps_json *responses)
{
    const bool workload = ev->layout == TRACEE_LAYOUT_WORKLOAD;
    const ps_json *response;
    ps_json_array_each(responses, response) {
        if (!ps_json_is_object(response)) {
            ps_json_problem(r, "dns_answer", "a DNS response must be an object");
            continue;
        }
        const ps_json *query = ps_json_object(r, response, workload ? "dns_query_data" : "query_data");
        if (query && !ev->v[TRACEE_DNS_QUERY].present && !ev->v[TRACEE_DNS_QUERY_TYPE].present) {
            set_string(r, ev, TRACEE_DNS_QUERY, query, "query");
            set_string(r, ev, TRACEE_DNS_QUERY_TYPE, query, "query_type");
        }
        const ps_json *answers = ps_json_array(r, response, "dns_answer"), *answer;
        ps_json_array_each(answers, answer)
            add_answer(r, ev, answer, workload ? "type" : "answer_type", dns_answer_keys,
                       G_N_ELEMENTS(dns_answer_keys));
    }
}

static bool is_net_event(const tracee_event *ev)
{
    const char *name = ev->v[TRACEE_EVENT_NAME].s;
    return name && (g_str_has_prefix(name, "net_packet_") || g_str_has_prefix(name, "net_flow_"));
}

/* One argument: a field of its own when it has one, else "name=value" in args. type_key is the
 * workload layout's value kind ("tcp", "str", ...), NULL in the released layout. */
static void apply_arg(ps_json_reader *r, tracee_event *ev, const char *name, const char *type_key,
                      const ps_json *value)
{
    const bool net = is_net_event(ev);
    bool consumed = false;
    /* Problems inside an object value name its path: "args[4].proto_tcp.seq". */
    /* Joined without printf, which costs more than the rest of a small argument. */
    const char *outer = r->context ? r->context : "";
    size_t outer_len = strlen(outer), name_len = strlen(name);
    char on_stack[128];
    char *inner_context = outer_len + name_len + 2 <= sizeof on_stack ? on_stack : g_malloc(outer_len + name_len + 2);
    memcpy(inner_context, outer, outer_len);
    inner_context[outer_len] = '.';
    memcpy(inner_context + outer_len + 1, name, name_len + 1);
    ps_json_reader inner = {r->problems, inner_context};
    if (net) {
        if (strcmp(name, "src") == 0 || strcmp(name, "dst") == 0) {
            tracee_field f = name[0] == 's' ? TRACEE_SRC_IP : TRACEE_DST_IP;
            if (!ev->v[f].present)
                set_address(r, ev, f, value, name);
            consumed = true;
        } else if (strcmp(name, "src_port") == 0 || strcmp(name, "dst_port") == 0) {
            uint64_t port;
            tracee_field f = name[0] == 's' ? TRACEE_SRC_PORT : TRACEE_DST_PORT;
            if (ps_json_uint_value(r, name, value, U16, &port) && !ev->v[f].present) {
                ev->v[f].present = true;
                ev->v[f].u = port;
            }
            consumed = true;
        } else if (strcmp(name, "conn_direction") == 0) {
            const char *dir = ps_json_string_value(value);
            if (dir && (strcmp(dir, "incoming") == 0 || strcmp(dir, "outgoing") == 0)) {
                g_free(ev->v[TRACEE_FLOW_DIRECTION].s);
                ev->v[TRACEE_FLOW_DIRECTION].s = g_strdup(ps_json_string_value(value));
                ev->v[TRACEE_FLOW_DIRECTION].present = true;
            } else {
                ps_json_problem(r, name, "expected \"incoming\" or \"outgoing\"");
            }
            consumed = true;
        } else if (strcmp(name, "proto_tcp") == 0 || g_strcmp0(type_key, "tcp") == 0) {
            if (ps_json_is_object(value)) {
                apply_header(&inner, ev, value, tcp_keys, G_N_ELEMENTS(tcp_keys));
                consumed = true;
            } else {
                ps_json_problem(r, name, "expected the TCP header as an object");
            }
        } else if (strcmp(name, "proto_udp") == 0 || g_strcmp0(type_key, "udp") == 0) {
            if (ps_json_is_object(value)) {
                apply_header(&inner, ev, value, udp_keys, G_N_ELEMENTS(udp_keys));
                consumed = true;
            } else {
                ps_json_problem(r, name, "expected the UDP header as an object");
            }
        } else if (strcmp(name, "metadata") == 0 || g_strcmp0(type_key, "packet_metadata") == 0) {
            if (ps_json_is_object(value))
                consumed = apply_metadata(&inner, ev, value);
            else
                ps_json_problem(r, name, "expected the packet metadata as an object");
        } else if (strcmp(name, "proto_dns") == 0 || g_strcmp0(type_key, "dns") == 0) {
            /* Its text stays an argument too: authorities, flags and the rest have no fields. */
            if (ps_json_is_object(value))
                apply_proto_dns(&inner, ev, value);
            else
                ps_json_problem(r, name, "expected the DNS message as an object");
        } else if (strcmp(name, "dns_questions") == 0 || g_strcmp0(type_key, "dns_questions") == 0) {
            apply_first_question(&inner, ev, dns_list(r, name, value, "questions"), "query", "query_type");
        } else if (strcmp(name, "dns_response") == 0 || g_strcmp0(type_key, "dns_responses") == 0) {
            apply_dns_responses(&inner, ev, dns_list(r, name, value, "responses"));
        } else if (strcmp(name, "proto_ipv4") == 0 || strcmp(name, "proto_ipv6") == 0 ||
                   g_strcmp0(type_key, "ipv4") == 0 || g_strcmp0(type_key, "ipv6") == 0) {
            if (ps_json_is_object(value))
                apply_ip_header(&inner, ev, value); /* TTL and the rest stay visible as an argument */
            else
                ps_json_problem(r, name, "expected the IP header as an object");
        }
    }
    if (!consumed) {
        char *text = ps_json_text(value);
        g_ptr_array_add(ev->args, g_strdup_printf("%s=%s", name, text));
        g_free(text);
    }
    if (inner_context != on_stack)
        g_free(inner_context);
}

/* "args[12]", without printf (one call per argument costs more than decoding it). */
static void indexed_name(char out[32], const char *name, size_t index)
{
    ps_line l = ps_line_start(out, 32);
    ps_line_str(&l, name);
    ps_line_char(&l, '[');
    ps_line_uint(&l, index);
    ps_line_char(&l, ']');
}

static void decode_args(ps_json_reader *r, tracee_event *ev, const ps_json *args)
{
    size_t i;
    const ps_json *arg;
    ps_json_array_foreach(args, i, arg) {
        char context[32];
        indexed_name(context, ev->layout == TRACEE_LAYOUT_WORKLOAD ? "data" : "args", i);
        ps_json_reader ar = {r->problems, context};
        const ps_json *name = ps_json_get(arg, "name");
        if (!ps_json_is_object(arg) || !ps_json_is_string(name)) {
            ps_json_problem(&ar, "name", "an argument must be an object with a name");
            continue;
        }
        if (ev->layout == TRACEE_LAYOUT_RELEASED) {
            const ps_json *value = ps_json_get(arg, "value");
            if (value)
                apply_arg(&ar, ev, ps_json_string_value(name), NULL, value);
            continue;
        }
        /* {"name": ..., "<kind>": value}: the one other member is the value. */
        const ps_json *member, *value;
        const char *key;
        ps_json_object_foreach(arg, member, key, value) {
            if (strcmp(key, "name") != 0)
                apply_arg(&ar, ev, ps_json_string_value(name), key, value);
        }
    }
}

static void decode_released(ps_json_reader *r, tracee_event *ev, const ps_json *root)
{
    set_uint(r, ev, TRACEE_TIMESTAMP, root, "timestamp", INT64_MAX);
    set_nonempty_string(r, ev, TRACEE_EVENT_NAME, root, "eventName");
    set_uint(r, ev, TRACEE_EVENT_ID, root, "eventId", U32);
    set_uint(r, ev, TRACEE_PID, root, "processId", U32);
    set_uint(r, ev, TRACEE_TID, root, "threadId", U32);
    set_uint(r, ev, TRACEE_PPID, root, "parentProcessId", U32);
    set_uint(r, ev, TRACEE_HOST_PID, root, "hostProcessId", U32);
    set_uint(r, ev, TRACEE_HOST_TID, root, "hostThreadId", U32);
    set_uint(r, ev, TRACEE_HOST_PPID, root, "hostParentProcessId", U32);
    set_uint(r, ev, TRACEE_UID, root, "userId", U32);
    set_string(r, ev, TRACEE_PROCESS_NAME, root, "processName");
    const ps_json *exe = ps_json_object(r, root, "executable");
    if (exe)
        set_nonempty_string(r, ev, TRACEE_EXECUTABLE, exe, "path");
    set_string(r, ev, TRACEE_HOSTNAME, root, "hostName");
    set_uint(r, ev, TRACEE_CGROUP_ID, root, "cgroupId", UINT64_MAX);
    set_uint(r, ev, TRACEE_MNT_NS, root, "mountNamespace", U32);
    set_uint(r, ev, TRACEE_PID_NS, root, "pidNamespace", U32);
    set_nonempty_string(r, ev, TRACEE_SYSCALL, root, "syscall");
    set_nonempty_string(r, ev, TRACEE_CONTAINER_ID, root, "containerId");
    const ps_json *container = ps_json_object(r, root, "container");
    if (container) {
        ps_json_reader cr = {r->problems, "container"};
        set_nonempty_string(&cr, ev, TRACEE_CONTAINER_ID, container, "id");
        set_nonempty_string(&cr, ev, TRACEE_CONTAINER_NAME, container, "name");
        set_nonempty_string(&cr, ev, TRACEE_CONTAINER_IMAGE, container, "image");
    }
    const ps_json *k8s = ps_json_object(r, root, "kubernetes");
    if (k8s) {
        ps_json_reader kr = {r->problems, "kubernetes"};
        set_nonempty_string(&kr, ev, TRACEE_POD_NAME, k8s, "podName");
        set_nonempty_string(&kr, ev, TRACEE_POD_NAMESPACE, k8s, "podNamespace");
        set_nonempty_string(&kr, ev, TRACEE_POD_UID, k8s, "podUID");
    }
    const ps_json *args = ps_json_array(r, root, "args");
    if (args)
        decode_args(r, ev, args);
}

/* The workload layout's RFC 3339 time stamp. */
static void read_workload_timestamp(ps_json_reader *r, tracee_event *ev, const ps_json *root)
{
    char *stamp = NULL;
    if (ps_json_string(r, root, "timestamp", &stamp)) {
        int64_t ns;
        if (ps_time_parse_iso8601(stamp, &ns) && ns >= 0) {
            ev->v[TRACEE_TIMESTAMP].present = true;
            ev->v[TRACEE_TIMESTAMP].u = (uint64_t)ns;
        } else {
            char *ex = ps_json_excerpt(stamp, strlen(stamp));
            ps_json_problem(r, "timestamp", "\"%s\" is not an RFC 3339 time after 1970", ex);
            g_free(ex);
        }
        g_free(stamp);
    }
}

static void decode_workload(ps_json_reader *r, tracee_event *ev, const ps_json *root)
{
    read_workload_timestamp(r, ev, root);
    set_nonempty_string(r, ev, TRACEE_EVENT_NAME, root, "name");
    /* protojson writes the EventId enum by name unless asked for numbers: keep only a number. */
    const ps_json *id = ps_json_get(root, "id");
    if (ps_json_is_integer(id) || (ps_json_is_string(id) && g_ascii_isdigit(ps_json_string_value(id)[0])))
        set_uint(r, ev, TRACEE_EVENT_ID, root, "id", U32);
    else if (id && !ps_json_is_string(id) && !ps_json_is_null(id))
        ps_json_problem(r, "id", "expected an event number or name");

    const ps_json *workload = ps_json_object(r, root, "workload");
    ps_json_reader wpr = {r->problems, "workload"};
    const ps_json *process = workload ? ps_json_object(&wpr, workload, "process") : NULL;
    if (process) {
        ps_json_reader pr = {r->problems, "workload.process"};
        set_uint(&pr, ev, TRACEE_PID, process, "pid", U32);
        set_uint(&pr, ev, TRACEE_HOST_PID, process, "host_pid", U32);
        const ps_json *exe = ps_json_object(&pr, process, "executable");
        if (exe)
            set_nonempty_string(&pr, ev, TRACEE_EXECUTABLE, exe, "path");
        const ps_json *user = ps_json_object(&pr, process, "real_user");
        if (user) {
            ps_json_reader ur = {r->problems, "workload.process.real_user"};
            set_uint(&ur, ev, TRACEE_UID, user, "id", U32);
        }
        const ps_json *thread = ps_json_object(&pr, process, "thread");
        if (thread) {
            ps_json_reader tr = {r->problems, "workload.process.thread"};
            set_uint(&tr, ev, TRACEE_TID, thread, "tid", U32);
            set_uint(&tr, ev, TRACEE_HOST_TID, thread, "host_tid", U32);
            set_nonempty_string(&tr, ev, TRACEE_PROCESS_NAME, thread, "name");
            set_nonempty_string(&tr, ev, TRACEE_SYSCALL, thread, "syscall");
        }
        const ps_json *ancestors = ps_json_array(&pr, process, "ancestors");
        const ps_json *parent = ancestors ? ps_json_array_get(ancestors, 0) : NULL;
        ps_json_reader ar = {r->problems, "workload.process.ancestors[0]"};
        if (ps_json_is_object(parent)) {
            set_uint(&ar, ev, TRACEE_PPID, parent, "pid", U32);
            set_uint(&ar, ev, TRACEE_HOST_PPID, parent, "host_pid", U32);
        } else if (parent) {
            ps_json_problem(&ar, "pid", "an ancestor must be an object");
        }
    }
    ps_json_reader wr = {r->problems, "workload"};
    const ps_json *container = workload ? ps_json_object(&wr, workload, "container") : NULL;
    if (container) {
        ps_json_reader cr = {r->problems, "workload.container"};
        set_nonempty_string(&cr, ev, TRACEE_CONTAINER_ID, container, "id");
        set_nonempty_string(&cr, ev, TRACEE_CONTAINER_NAME, container, "name");
        const ps_json *image = ps_json_object(&cr, container, "image");
        ps_json_reader ir = {r->problems, "workload.container.image"};
        if (image)
            set_nonempty_string(&ir, ev, TRACEE_CONTAINER_IMAGE, image, "name");
    }
    const ps_json *k8s = workload ? ps_json_object(&wr, workload, "k8s") : NULL;
    if (k8s) {
        ps_json_reader kr = {r->problems, "workload.k8s"};
        const ps_json *pod = ps_json_object(&kr, k8s, "pod");
        ps_json_reader pr = {r->problems, "workload.k8s.pod"};
        if (pod) {
            set_nonempty_string(&pr, ev, TRACEE_POD_NAME, pod, "name");
            set_nonempty_string(&pr, ev, TRACEE_POD_UID, pod, "uid");
        }
        const ps_json *ns = ps_json_object(&kr, k8s, "namespace");
        ps_json_reader nr = {r->problems, "workload.k8s.namespace"};
        if (ns)
            set_nonempty_string(&nr, ev, TRACEE_POD_NAMESPACE, ns, "name");
    }
    const ps_json *data = ps_json_array(r, root, "data");
    if (data)
        decode_args(r, ev, data);
}

/* The workload layout is told apart by its keys; the released one has eventName. */
static bool is_workload_layout(const ps_json *root)
{
    return !ps_json_get(root, "eventName") &&
           (ps_json_get(root, "workload") || ps_json_get(root, "data") || ps_json_get(root, "name"));
}

bool tracee_event_timestamp(const char *json, size_t len, uint64_t *ns, ps_problems *problems)
{
    ps_json *root = ps_json_parse_object(json, len, problems);
    if (!root)
        return false;
    tracee_event ev;
    memset(&ev, 0, sizeof ev);
    const ps_json *stamp = ps_json_get(root, "timestamp");
    if (!stamp || ps_json_is_null(stamp)) {
        ps_problems_add(problems, PS_JSON_MISSING, PS_NO_OFFSET, 0, "no \"timestamp\": not a tracee event");
    } else {
        /* Either reader adds a problem when it does not take the time. */
        ps_json_reader r = {problems, NULL};
        if (is_workload_layout(root))
            read_workload_timestamp(&r, &ev, root);
        else
            set_uint(&r, &ev, TRACEE_TIMESTAMP, root, "timestamp", INT64_MAX);
    }
    ps_json_free(root);
    if (ev.v[TRACEE_TIMESTAMP].present)
        *ns = ev.v[TRACEE_TIMESTAMP].u;
    return ev.v[TRACEE_TIMESTAMP].present;
}

bool tracee_event_decode(const char *json, size_t len, tracee_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->args = g_ptr_array_new_with_free_func(g_free);
    ev->dns_answers = g_ptr_array_new_with_free_func(g_free);
    ps_json *root = ps_json_parse_object(json, len, &ev->problems);
    if (!root)
        return false;
    ps_json_reader r = {&ev->problems, NULL};
    if (is_workload_layout(root)) {
        ev->layout = TRACEE_LAYOUT_WORKLOAD;
        decode_workload(&r, ev, root);
    } else {
        ev->layout = TRACEE_LAYOUT_RELEASED;
        decode_released(&r, ev, root);
    }
    ps_json_free(root);
    return true;
}

void tracee_event_clear(tracee_event *ev)
{
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++)
        g_free(ev->v[f].s);
    if (ev->args)
        g_ptr_array_free(ev->args, TRUE);
    if (ev->dns_answers)
        g_ptr_array_free(ev->dns_answers, TRUE);
    ps_problems_clear(&ev->problems);
    memset(ev, 0, sizeof *ev);
}

unsigned tracee_event_transport(const tracee_event *ev)
{
    const tracee_value *v = ev->v;
    if (v[TRACEE_PROTOCOL].present)
        return (unsigned)v[TRACEE_PROTOCOL].u;
    if (v[TRACEE_UDP_LENGTH].present || v[TRACEE_UDP_CHECKSUM].present)
        return 17;
    const char *name = v[TRACEE_EVENT_NAME].present ? v[TRACEE_EVENT_NAME].s : "";
    /* DNS over TCP exists, but tracee's own examples and tests are all UDP */
    if (strcmp(name, "net_packet_udp") == 0 || g_str_has_prefix(name, "net_packet_dns"))
        return 17;
    if (v[TRACEE_SEQ].present || strcmp(name, "net_packet_tcp") == 0 || g_str_has_prefix(name, "net_flow_tcp_") ||
        g_str_has_prefix(name, "net_packet_http"))
        return 6;
    return 0;
}

bool tracee_event_pid(const tracee_event *ev, uint32_t *pid)
{
    const tracee_value *v = ev->v[TRACEE_HOST_PID].present ? &ev->v[TRACEE_HOST_PID] : &ev->v[TRACEE_PID];
    if (!v->present)
        return false;
    *pid = (uint32_t)v->u;
    return true;
}

static void append_endpoint(ps_line *l, const tracee_value *ip, const tracee_value *port)
{
    bool v6 = ip->present && ip->family == 6;
    if (v6)
        ps_line_char(l, '[');
    if (ip->present)
        ps_line_ip(l, v6 ? 6 : 4, ip->addr);
    else
        ps_line_char(l, '?');
    if (v6)
        ps_line_char(l, ']');
    if (port->present) {
        ps_line_char(l, ':');
        ps_line_uint(l, port->u);
    }
}

/* Into a column: valid UTF-8 (invalid bytes as '?'), cut between characters. Control characters
 * stay: whoever shows the text escapes them (procshark_shown in the plugin). */
static void copy_for_column(char *out, size_t out_size, const char *text)
{
    if (out_size == 0)
        return;
    size_t used = 0;
    for (const char *p = text; *p;) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        bool valid = c != (gunichar)-1 && c != (gunichar)-2;
        size_t n = valid ? (size_t)(g_utf8_next_char(p) - p) : 1;
        if (used + n >= out_size)
            break;
        if (valid)
            memcpy(out + used, p, n);
        else
            out[used] = '?';
        used += n;
        p += n;
    }
    out[used] = '\0';
}

static const char *const flag_names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"};

void tracee_event_describe(const tracee_event *ev, char *out, size_t out_size)
{
    /* Built without printf (every record's Info line), a few bytes past what the column keeps so
     * that the cut below falls between whole characters. */
    char on_stack[1024];
    char *line = out_size + 8 <= sizeof on_stack ? on_stack : g_malloc(out_size + 8);
    ps_line l = ps_line_start(line, out_size + 8);
    ps_line_str(&l, ev->v[TRACEE_EVENT_NAME].present ? ev->v[TRACEE_EVENT_NAME].s : "event");
    uint32_t pid;
    bool has_pid = tracee_event_pid(ev, &pid);
    if (ev->v[TRACEE_PROCESS_NAME].present || has_pid) {
        ps_line_char(&l, ' ');
        /* "name (pid)", Wireshark's "name (number)", as everywhere in procshark */
        if (ev->v[TRACEE_PROCESS_NAME].present)
            ps_line_str(&l, ev->v[TRACEE_PROCESS_NAME].s);
        if (has_pid) {
            ps_line_str(&l, ev->v[TRACEE_PROCESS_NAME].present ? " (" : "(");
            ps_line_uint(&l, pid);
            ps_line_char(&l, ')');
        }
    }
    const tracee_value *v = ev->v;
    if (v[TRACEE_SRC_IP].present || v[TRACEE_DST_IP].present || v[TRACEE_SRC_PORT].present) {
        ps_line_char(&l, ' ');
        append_endpoint(&l, &v[TRACEE_SRC_IP], &v[TRACEE_SRC_PORT]);
        ps_line_str(&l, PS_ARROW);
        append_endpoint(&l, &v[TRACEE_DST_IP], &v[TRACEE_DST_PORT]);
    }
    bool any_flag = false;
    for (int f = TRACEE_FLAG_FIN; f <= TRACEE_FLAG_NS; f++)
        any_flag |= v[f].present;
    if (any_flag) {
        const char *sep = " [";
        for (int f = TRACEE_FLAG_FIN; f <= TRACEE_FLAG_NS; f++) {
            if (v[f].present && v[f].u) {
                ps_line_str(&l, sep);
                ps_line_str(&l, flag_names[f - TRACEE_FLAG_FIN]);
                sep = ", ";
            }
        }
        ps_line_str(&l, sep[0] == ',' ? "]" : " [<None>]");
    }
    if (v[TRACEE_FLOW_DIRECTION].present) {
        ps_line_char(&l, ' ');
        ps_line_str(&l, v[TRACEE_FLOW_DIRECTION].s);
    }
    /* As Wireshark's UDP and DNS say it: "Len=4", "AAAA www.zip.net", "CNAME amazonas.uol.com.br" */
    if (v[TRACEE_UDP_LENGTH].present && v[TRACEE_UDP_LENGTH].u >= 8) {
        ps_line_str(&l, " Len=");
        ps_line_uint(&l, v[TRACEE_UDP_LENGTH].u - 8);
    }
    if (v[TRACEE_DNS_QUERY_TYPE].present) {
        ps_line_char(&l, ' ');
        ps_line_str(&l, v[TRACEE_DNS_QUERY_TYPE].s);
    }
    if (v[TRACEE_DNS_QUERY].present) {
        ps_line_char(&l, ' ');
        ps_line_str(&l, v[TRACEE_DNS_QUERY].s);
    }
    for (guint i = 0; ev->dns_answers && i < ev->dns_answers->len && l.used < out_size; i++) {
        ps_line_char(&l, ' ');
        ps_line_str(&l, ev->dns_answers->pdata[i]);
    }
    if (!is_net_event(ev)) {
        for (guint i = 0; i < ev->args->len && l.used < out_size; i++) {
            ps_line_str(&l, i ? ", " : " ");
            ps_line_str(&l, ev->args->pdata[i]);
        }
    }
    copy_for_column(out, out_size, line);
    if (line != on_stack)
        g_free(line);
}
