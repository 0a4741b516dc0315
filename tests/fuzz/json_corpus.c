/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes a hostile JSON corpus to stdout, one record per line, for feeding through tshark.
 *
 * Each line is "tracee<TAB>json" or "nettcp<TAB>json", the list format of
 * `procshark-samplegen --json-records LIST.tsv OUT.pcapng`, which frames every line as one
 * exported-PDU record for procshark.tracee or procshark.nettcpconnection. With
 * `--jsonl tracee` or `--jsonl nettcp` only that kind's payloads are written, without the
 * prefix, for `procshark-samplegen --jsonl`.
 *
 * Families: escapes, raw Unicode, invalid UTF-8, huge and malformed numbers, deep nesting, long
 * strings, duplicate keys, whole-text oddities, truncations of realistic events at many lengths,
 * wrong types in every member of both tracee layouts and of Get-NetTCPConnection rows,
 * Get-NetTCPConnection enumeration names and dates (docs/FORMATS.md section 5), and seeded byte
 * mutations. The output is the same on every run (no clock, a fixed seed).
 *
 * Every line is checked before it is written: no '\n' and no NUL byte inside (the list reader
 * splits on newlines and takes C strings), at most MAX_LINE bytes (a capture record holds 262144). */
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 200000

/* ---- realistic events (tests/fixtures/json-records.tsv) -------------------------------------- */

/* json-records.tsv record 1 */
static const char TRACEE_REC1[] =
    "{\"timestamp\":1709294400001000000,\"threadStartTime\":1709294395001000000,\"processorId\":3,"
    "\"processId\":42,\"cgroupId\":5650,\"threadId\":42,\"parentProcessId\":1,\"hostProcessId\":4242,"
    "\"hostThreadId\":4242,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026532300,"
    "\"pidNamespace\":4026532301,\"processName\":\"curl\",\"executable\":{\"path\":\"/usr/bin/curl\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"5d1c3c2b1a09\",\"container\":{\"id\":\"5d1c3c2b1a09\","
    "\"name\":\"web\",\"image\":\"docker.io/library/nginx:1.25\",\"imageDigest\":\"sha256:abcd\"},"
    "\"kubernetes\":{\"podName\":\"web-7d4b9c\",\"podNamespace\":\"shop\",\"podUID\":\"0f6b5c1e-3d2a-4c8e-9b7a-1e2d3c4b5a69\","
    "\"podSandbox\":false},\"eventId\":\"2002\",\"eventName\":\"net_packet_tcp\",\"matchedPolicies\":[\"\"],"
    "\"argsNum\":6,\"returnValue\":0,\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"src_port\",\"type\":\"uint16\","
    "\"value\":51234},{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":443},{\"name\":\"metadata\","
    "\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":2}},{\"name\":\"proto_tcp\","
    "\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":51234,\"dstPort\":443,\"seq\":1000,"
    "\"ack\":0,\"dataOffset\":10,\"FIN\":0,\"SYN\":1,\"RST\":0,\"PSH\":0,\"ACK\":0,\"URG\":0,"
    "\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":64240,\"checksum\":7238,\"urgent\":0}}]}";
/* json-records.tsv record 5 */
static const char TRACEE_REC5[] =
    "{\"timestamp\":\"2024-03-01T12:00:00.005000001Z\",\"id\":\"net_packet_tcp\",\"name\":\"net_packet_tcp\","
    "\"policies\":{\"matched\":[\"default\"]},\"workload\":{\"process\":{\"executable\":{\"path\":\"/usr/bin/wget\"},"
    "\"unique_id\":3316445569,\"host_pid\":5150,\"pid\":17,\"real_user\":{\"id\":33},\"thread\":{\"start_time\":\"2024-03-01T11:59:58Z\","
    "\"name\":\"wget\",\"unique_id\":3316445569,\"host_tid\":5151,\"tid\":18,\"syscall\":\"sendto\"},"
    "\"ancestors\":[{\"unique_id\":11,\"host_pid\":5100,\"pid\":1}]},\"container\":{\"id\":\"c0ffee123456\","
    "\"name\":\"fetcher\",\"image\":{\"id\":\"sha256:0123\",\"name\":\"docker.io/library/busybox:1.36\"},"
    "\"is_running\":true},\"k8s\":{\"pod\":{\"name\":\"fetcher-1\",\"uid\":\"6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d\"},"
    "\"namespace\":{\"name\":\"jobs\"}}},\"data\":[{\"name\":\"src\",\"str\":\"10.1.0.5\"},"
    "{\"name\":\"dst\",\"str\":\"93.184.216.34\"},{\"name\":\"src_port\",\"u_int32\":40000},"
    "{\"name\":\"dst_port\",\"u_int32\":80},{\"name\":\"metadata\",\"packet_metadata\":{\"direction\":\"EGRESS\"}},"
    "{\"name\":\"proto_tcp\",\"tcp\":{\"src_port\":40000,\"dst_port\":80,\"seq\":123456789,"
    "\"ack\":987654321,\"data_offset\":8,\"psh_flag\":1,\"ack_flag\":1,\"window\":502,\"checksum\":4660}}]}";
/* json-records.tsv record 7 */
static const char TRACEE_REC7[] =
    "{\"timestamp\":1709294400007000000,\"threadStartTime\":1709294395007000000,\"processorId\":3,"
    "\"processId\":4242,\"cgroupId\":5650,\"threadId\":4242,\"parentProcessId\":700,\"hostProcessId\":4242,"
    "\"hostThreadId\":4242,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"curl\",\"executable\":{\"path\":\"/usr/bin/curl\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2013\","
    "\"eventName\":\"net_flow_tcp_begin\",\"matchedPolicies\":[\"\"],\"argsNum\":7,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"conn_direction\",\"type\":\"string\",\"value\":\"outgoing\"},{\"name\":\"src\","
    "\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"dst\",\"type\":\"string\",\"value\":\"10.0.0.2\"},"
    "{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":51234},{\"name\":\"dst_port\",\"type\":\"uint16\","
    "\"value\":443},{\"name\":\"src_dns\",\"type\":\"[]string\",\"value\":[]},{\"name\":\"dst_dns\","
    "\"type\":\"[]string\",\"value\":[\"shop.example\"]}]}";
/* json-records.tsv record 9 */
static const char TRACEE_REC9[] =
    "{\"timestamp\":1709294400009000000,\"threadStartTime\":1709294395009000000,\"processorId\":3,"
    "\"processId\":4242,\"cgroupId\":5650,\"threadId\":4242,\"parentProcessId\":700,\"hostProcessId\":4242,"
    "\"hostThreadId\":4242,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"curl\",\"executable\":{\"path\":\"/usr/bin/curl\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2000\","
    "\"eventName\":\"net_packet_ipv4\",\"matchedPolicies\":[\"\"],\"argsNum\":4,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\","
    "\"value\":{\"direction\":2}},{\"name\":\"proto_ipv4\",\"type\":\"trace.ProtoIPv4\",\"value\":{\"version\":4,"
    "\"IHL\":5,\"TOS\":0,\"length\":60,\"id\":4660,\"flags\":2,\"fragOffset\":0,\"TTL\":64,"
    "\"protocol\":\"TCP\",\"checksum\":0,\"srcIP\":\"10.0.0.1\",\"dstIP\":\"10.0.0.2\"}}]}";
/* json-records.tsv record 10 */
static const char TRACEE_REC10[] =
    "{\"timestamp\":1709294400010000000,\"threadStartTime\":1709294395010000000,\"processorId\":3,"
    "\"processId\":4242,\"cgroupId\":5650,\"threadId\":4242,\"parentProcessId\":700,\"hostProcessId\":4242,"
    "\"hostThreadId\":4242,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"curl\",\"executable\":{\"path\":\"/usr/bin/curl\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2001\","
    "\"eventName\":\"net_packet_ipv6\",\"matchedPolicies\":[\"\"],\"argsNum\":4,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"2001:db8::2\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"2001:db8::1\"},{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\","
    "\"value\":{\"direction\":1}},{\"name\":\"proto_ipv6\",\"type\":\"trace.ProtoIPv6\",\"value\":{\"version\":6,"
    "\"trafficClass\":0,\"flowLabel\":12345,\"length\":40,\"nextHeader\":\"TCP\",\"hopLimit\":64,"
    "\"srcIP\":\"2001:db8::2\",\"dstIP\":\"2001:db8::1\"}}]}";
/* json-records.tsv record 11 */
static const char TRACEE_REC11[] =
    "{\"timestamp\":1709294400011000000,\"threadStartTime\":1709294395011000000,\"processorId\":3,"
    "\"processId\":4242,\"cgroupId\":5650,\"threadId\":4242,\"parentProcessId\":700,\"hostProcessId\":4242,"
    "\"hostThreadId\":4242,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"bash\",\"executable\":{\"path\":\"/usr/bin/bash\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"1035\","
    "\"eventName\":\"security_socket_connect\",\"matchedPolicies\":[\"\"],\"argsNum\":3,\"returnValue\":0,"
    "\"syscall\":\"connect\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"sockfd\",\"type\":\"int\",\"value\":3},{\"name\":\"type\",\"type\":\"int\","
    "\"value\":1},{\"name\":\"remote_addr\",\"type\":\"struct sockaddr*\",\"value\":{\"sa_family\":\"AF_INET\","
    "\"sin_addr\":\"10.0.0.2\",\"sin_port\":\"443\"}}]}";

/* The workload layout with every member of the tcp object (protojson would leave out the zeros;
 * here each one is there to be given a wrong type). */
static const char TRACEE_WORKLOAD_FULL[] =
    "{\"timestamp\":\"2024-03-01T12:00:00.005000001Z\",\"id\":\"net_packet_tcp\",\"name\":\"net_packet_tcp\","
    "\"policies\":{\"matched\":[\"default\"]},\"workload\":{\"process\":{\"executable\":{\"path\":\"/usr/bin/wget\"},"
    "\"unique_id\":3316445569,\"host_pid\":5150,\"pid\":17,\"real_user\":{\"id\":33},\"thread\":{\"start_time\":"
    "\"2024-03-01T11:59:58Z\",\"name\":\"wget\",\"unique_id\":3316445569,\"host_tid\":5151,\"tid\":18,"
    "\"syscall\":\"sendto\"},\"ancestors\":[{\"unique_id\":11,\"host_pid\":5100,\"pid\":1}]},\"container\":"
    "{\"id\":\"c0ffee123456\",\"name\":\"fetcher\",\"image\":{\"id\":\"sha256:0123\",\"name\":"
    "\"docker.io/library/busybox:1.36\"},\"is_running\":true},\"k8s\":{\"pod\":{\"name\":\"fetcher-1\",\"uid\":"
    "\"6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d\"},\"namespace\":{\"name\":\"jobs\"}}},\"data\":[{\"name\":\"src\","
    "\"str\":\"10.1.0.5\"},{\"name\":\"dst\",\"str\":\"93.184.216.34\"},{\"name\":\"src_port\",\"u_int32\":40000},"
    "{\"name\":\"dst_port\",\"u_int32\":80},{\"name\":\"metadata\",\"packet_metadata\":{\"direction\":\"EGRESS\"}},"
    "{\"name\":\"proto_tcp\",\"tcp\":{\"src_port\":40000,\"dst_port\":80,\"seq\":123456789,\"ack\":987654321,"
    "\"data_offset\":8,\"fin_flag\":0,\"syn_flag\":0,\"rst_flag\":0,\"psh_flag\":1,\"ack_flag\":1,\"urg_flag\":0,"
    "\"ece_flag\":0,\"cwr_flag\":0,\"ns_flag\":0,\"window\":502,\"checksum\":4660,\"urgent\":0}}]}";

static const char TRACEE_WORKLOAD_IPV4[] =
    "{\"timestamp\":\"2024-03-01T12:00:00.007Z\",\"id\":2000,\"name\":\"net_packet_ipv4\",\"workload\":{\"process\":"
    "{\"host_pid\":5150,\"pid\":17,\"thread\":{\"name\":\"wget\",\"host_tid\":5151,\"tid\":18}}},\"data\":["
    "{\"name\":\"src\",\"str\":\"10.1.0.5\"},{\"name\":\"dst\",\"str\":\"93.184.216.34\"},{\"name\":\"metadata\","
    "\"packet_metadata\":{\"direction\":3}},{\"name\":\"proto_ipv4\",\"ipv4\":{\"version\":4,\"ihl\":5,"
    "\"length\":60,\"id\":4660,\"flags\":2,\"ttl\":64,\"protocol\":\"TCP\",\"src_ip\":\"10.1.0.5\","
    "\"dst_ip\":\"93.184.216.34\"}}]}";

/* A Get-NetTCPConnection row of Windows PowerShell 5 (numbers, /Date()/) and of PowerShell 7
 * (names, ISO 8601). */
static const char NETTCP_PS5[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":5,\"AppliedSetting\":2,\"OwningProcess\":4120,\"CreationTime\":\"\\/Date(1709294000000)\\/\","
    "\"OffloadState\":0,\"InstanceID\":\"10.0.0.5++49702++93.184.216.34++443\",\"EnabledDefault\":2,"
    "\"CimClass\":\"ROOT/StandardCimv2:MSFT_NetTCPConnection\",\"CimInstanceProperties\":[\"AppliedSetting\"]}";

static const char NETTCP_PS7[] =
    "{\"LocalAddress\":\"2001:db8::5\",\"LocalPort\":8443,\"RemoteAddress\":\"::\",\"RemotePort\":0,"
    "\"State\":\"Listen\",\"AppliedSetting\":null,\"OwningProcess\":880,"
    "\"CreationTime\":\"2024-03-01T12:59:00.1234567+01:00\",\"OffloadState\":\"InHost\"}";

/* Small events with one hole, "@@", for a value. */
static const char T_NAME[] = /* processName "@@" */
    "{\"timestamp\":1709294400001000000,\"processId\":42,\"hostProcessId\":4242,\"processName\":\"@@\","
    "\"eventId\":\"2002\",\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"type\":\"string\","
    "\"value\":\"10.0.0.1\"},{\"name\":\"dst\",\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"src_port\","
    "\"type\":\"uint16\",\"value\":51234},{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":443},"
    "{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":51234,\"dstPort\":443,\"seq\":1000,"
    "\"ack\":0,\"dataOffset\":10,\"FIN\":0,\"SYN\":1,\"RST\":0,\"PSH\":0,\"ACK\":0,\"URG\":0,\"ECE\":0,\"CWR\":0,"
    "\"NS\":0,\"window\":64240,\"checksum\":7238,\"urgent\":0}}]}";
static const char T_SRC[] =
    "{\"timestamp\":1709294400001000000,\"hostProcessId\":4242,\"processName\":\"curl\",\"eventName\":"
    "\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"@@\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":51234}]}";
static const char T_EVENT_NAME[] =
    "{\"timestamp\":1709294400001000000,\"hostProcessId\":4242,\"processName\":\"curl\",\"eventName\":\"@@\","
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"conn_direction\","
    "\"type\":\"string\",\"value\":\"outgoing\"},{\"name\":\"sockfd\",\"type\":\"int\",\"value\":3}]}";
static const char T_KEY[] = /* a member name */
    "{\"timestamp\":1709294400001000000,\"eventName\":\"net_packet_tcp\",\"@@\":1,\"processName\":\"curl\"}";
static const char T_ARG_NAME[] =
    "{\"timestamp\":1709294400001000000,\"eventName\":\"net_packet_tcp\",\"processName\":\"curl\",\"args\":["
    "{\"name\":\"@@\",\"type\":\"string\",\"value\":\"10.0.0.1\"}]}";
static const char T_DIRECTION[] =
    "{\"timestamp\":1709294400001000000,\"eventName\":\"net_packet_tcp\",\"processName\":\"curl\",\"args\":["
    "{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":\"@@\"}}]}";
static const char T_FLOW_DIRECTION[] =
    "{\"timestamp\":1709294400007000000,\"eventName\":\"net_flow_tcp_begin\",\"processName\":\"curl\",\"args\":["
    "{\"name\":\"conn_direction\",\"type\":\"string\",\"value\":\"@@\"},{\"name\":\"src\",\"type\":\"string\","
    "\"value\":\"10.0.0.1\"},{\"name\":\"dst\",\"type\":\"string\",\"value\":\"10.0.0.2\"}]}";
static const char T_GENERIC_ARG[] =
    "{\"timestamp\":1709294400011000000,\"eventName\":\"security_file_open\",\"processName\":\"cat\","
    "\"hostProcessId\":77,\"args\":[{\"name\":\"pathname\",\"type\":\"const char*\",\"value\":\"@@\"},"
    "{\"name\":\"flags\",\"type\":\"int\",\"value\":0}]}";
static const char T_WORKLOAD_NAME[] =
    "{\"timestamp\":\"2024-03-01T12:00:00.006Z\",\"id\":2002,\"name\":\"net_packet_tcp\",\"workload\":{\"process\":"
    "{\"host_pid\":5150,\"thread\":{\"name\":\"@@\",\"tid\":18}}},\"data\":[{\"name\":\"src\",\"str\":\"10.1.0.5\"}]}";
static const char T_WORKLOAD_TIMESTAMP[] =
    "{\"timestamp\":\"@@\",\"id\":2002,\"name\":\"net_packet_tcp\",\"workload\":{\"process\":{\"host_pid\":5150}}}";
static const char T_NETTCP_ADDRESS[] =
    "{\"LocalAddress\":\"@@\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":5,\"OwningProcess\":4120,\"CreationTime\":\"\\/Date(1709294000000)\\/\",\"OffloadState\":0}";
static const char T_NETTCP_STATE[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":@@,\"OwningProcess\":4120,\"CreationTime\":\"\\/Date(1709294000000)\\/\",\"OffloadState\":0}";
static const char T_NETTCP_OFFLOAD[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":\"Established\",\"OwningProcess\":4120,\"OffloadState\":@@}";
static const char T_NETTCP_SETTING[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":5,\"OwningProcess\":4120,\"AppliedSetting\":@@}";
static const char T_NETTCP_DATE[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":5,\"OwningProcess\":4120,\"CreationTime\":@@,\"OffloadState\":0}";

/* Numeric holes: "@@" takes a bare JSON token. */
static const char N_TIMESTAMP[] = "{\"timestamp\":@@,\"eventName\":\"net_packet_tcp\",\"processName\":\"curl\"}";
static const char N_PROCESS_ID[] = "{\"timestamp\":1709294400001000000,\"eventName\":\"x\",\"processId\":@@}";
static const char N_HOST_PID[] = "{\"timestamp\":1709294400001000000,\"eventName\":\"x\",\"hostProcessId\":@@}";
static const char N_CGROUP[] = "{\"timestamp\":1709294400001000000,\"eventName\":\"x\",\"cgroupId\":@@}";
static const char N_EVENT_ID[] = "{\"timestamp\":1709294400001000000,\"eventName\":\"x\",\"eventId\":@@}";
static const char N_PORT_ARG[] =
    "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":@@}]}";
static const char N_SEQ[] =
    "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\","
    "\"value\":{\"srcPort\":1,\"dstPort\":2,\"seq\":@@,\"SYN\":1}}]}";
static const char N_FLAG[] =
    "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\","
    "\"value\":{\"srcPort\":1,\"dstPort\":2,\"FIN\":@@,\"SYN\":1}}]}";
static const char N_DATA_OFFSET[] =
    "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"dataOffset\":@@}}]}";
static const char N_DIRECTION[] =
    "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"metadata\",\"value\":{\"direction\":@@}}]}";
static const char N_WORKLOAD_PID[] =
    "{\"timestamp\":\"2024-03-01T12:00:00Z\",\"name\":\"net_packet_tcp\",\"workload\":{\"process\":{\"host_pid\":@@}}}";
static const char N_WORKLOAD_SEQ[] =
    "{\"name\":\"net_packet_tcp\",\"data\":[{\"name\":\"proto_tcp\",\"tcp\":{\"seq\":@@,\"syn_flag\":1}}]}";
static const char N_NETTCP_PORT[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":@@,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":5,\"OwningProcess\":4120}";
static const char N_NETTCP_PID[] =
    "{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":49702,\"RemoteAddress\":\"93.184.216.34\",\"RemotePort\":443,"
    "\"State\":5,\"OwningProcess\":@@}";

/* ---- output ------------------------------------------------------------------------------------ */

typedef enum { KIND_TRACEE, KIND_NETTCP } record_kind;

static int only_kind = -1; /* --jsonl: the one kind written, without prefix */
static unsigned line_count;
static const char *family = "";
static unsigned family_count;
static bool stats;

static void start_family(const char *name)
{
    if (stats && family[0])
        fprintf(stderr, "%-22s %5u\n", family, family_count);
    family = name;
    family_count = 0;
}

static void emit_len(record_kind kind, const char *payload, size_t len)
{
    if (memchr(payload, '\n', len) || memchr(payload, '\0', len)) {
        fprintf(stderr, "json_corpus: bug: a %s record holds a newline or NUL byte\n", family);
        exit(1);
    }
    size_t prefix = only_kind >= 0 ? 0 : 7; /* "tracee\t" or "nettcp\t" */
    if (prefix + len > MAX_LINE) {
        fprintf(stderr, "json_corpus: bug: a %s record of %zu bytes\n", family, len);
        exit(1);
    }
    if (only_kind >= 0 && (int)kind != only_kind)
        return;
    if (prefix)
        fputs(kind == KIND_TRACEE ? "tracee\t" : "nettcp\t", stdout);
    fwrite(payload, 1, len, stdout);
    fputc('\n', stdout);
    line_count++;
    family_count++;
}

static void emit(record_kind kind, const char *payload)
{
    emit_len(kind, payload, strlen(payload));
}

static void emit_gstring(record_kind kind, GString *s)
{
    emit_len(kind, s->str, s->len);
    g_string_free(s, TRUE);
}

/* The template with its "@@" replaced by value. */
static void emit_hole(record_kind kind, const char *tmpl, const char *value)
{
    const char *hole = strstr(tmpl, "@@");
    if (!hole) {
        fprintf(stderr, "json_corpus: bug: a template without a hole\n");
        exit(1);
    }
    GString *s = g_string_new_len(tmpl, hole - tmpl);
    g_string_append(s, value);
    g_string_append(s, hole + 2);
    emit_gstring(kind, s);
}

static void emit_hole_len(record_kind kind, const char *tmpl, const char *value, size_t len)
{
    const char *hole = strstr(tmpl, "@@");
    GString *s = g_string_new_len(tmpl, hole - tmpl);
    g_string_append_len(s, value, (gssize)len);
    g_string_append(s, hole + 2);
    emit_gstring(kind, s);
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = g_malloc(n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

/* A fixed-seed generator: the same corpus on every run. */
static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* ---- a small reader for the templates above (trusted, valid JSON) ------------------------------ */

typedef struct node {
    char kind;       /* 'o' object, 'a' array, 's' string, 'n' number, 'l' true/false/null */
    char *raw;       /* scalars: their text */
    GPtrArray *keys; /* objects: member names, quoted */
    GPtrArray *kids;
} node;

static void node_free(gpointer p)
{
    node *n = p;
    g_free(n->raw);
    if (n->keys)
        g_ptr_array_free(n->keys, TRUE);
    if (n->kids)
        g_ptr_array_free(n->kids, TRUE);
    g_free(n);
}

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
        (*p)++;
}

static char *scan_string(const char **p)
{
    const char *start = *p;
    for ((*p)++; **p != '"'; (*p)++) {
        if (!**p)
            return NULL;
        if (**p == '\\')
            (*p)++;
    }
    (*p)++;
    return g_strndup(start, *p - start);
}

static node *parse(const char **p)
{
    skip_ws(p);
    node *n = g_new0(node, 1);
    if (**p == '{' || **p == '[') {
        bool object = **p == '{';
        n->kind = object ? 'o' : 'a';
        n->kids = g_ptr_array_new_with_free_func(node_free);
        if (object)
            n->keys = g_ptr_array_new_with_free_func(g_free);
        (*p)++;
        skip_ws(p);
        if (**p == (object ? '}' : ']')) {
            (*p)++;
            return n;
        }
        for (;;) {
            skip_ws(p);
            if (object) {
                char *key = **p == '"' ? scan_string(p) : NULL;
                skip_ws(p);
                if (!key || **p != ':')
                    goto bad;
                (*p)++;
                g_ptr_array_add(n->keys, key);
            }
            node *kid = parse(p);
            if (!kid)
                goto bad;
            g_ptr_array_add(n->kids, kid);
            skip_ws(p);
            if (**p == ',') {
                (*p)++;
                continue;
            }
            if (**p != (object ? '}' : ']'))
                goto bad;
            (*p)++;
            return n;
        }
    }
    if (**p == '"') {
        n->kind = 's';
        n->raw = scan_string(p);
        if (!n->raw)
            goto bad;
        return n;
    }
    const char *start = *p;
    while (**p && !strchr(",]} \t\r\n", **p))
        (*p)++;
    if (*p == start)
        goto bad;
    n->raw = g_strndup(start, *p - start);
    n->kind = g_ascii_isalpha(start[0]) ? 'l' : 'n';
    return n;
bad:
    node_free(n);
    return NULL;
}

static node *parse_template(const char *text)
{
    const char *p = text;
    node *root = parse(&p);
    skip_ws(&p);
    if (!root || *p) {
        fprintf(stderr, "json_corpus: bug: a template is no JSON near \"%.30s\"\n", p);
        exit(1);
    }
    return root;
}

/* Compact text of the tree, with target (if any) written as replacement instead. */
static void write_node(GString *out, const node *n, const node *target, const char *replacement)
{
    if (n == target) {
        g_string_append(out, replacement);
        return;
    }
    switch (n->kind) {
    case 'o':
    case 'a':
        g_string_append_c(out, n->kind == 'o' ? '{' : '[');
        for (guint i = 0; i < n->kids->len; i++) {
            if (i)
                g_string_append_c(out, ',');
            if (n->kind == 'o') {
                g_string_append(out, n->keys->pdata[i]);
                g_string_append_c(out, ':');
            }
            write_node(out, n->kids->pdata[i], target, replacement);
        }
        g_string_append_c(out, n->kind == 'o' ? '}' : ']');
        break;
    default:
        g_string_append(out, n->raw);
    }
}

/* Every node under n (not n itself), in document order. */
static void collect(const node *n, GPtrArray *into)
{
    for (guint i = 0; n->kids && i < n->kids->len; i++) {
        g_ptr_array_add(into, n->kids->pdata[i]);
        collect(n->kids->pdata[i], into);
    }
}

/* The member "key" of an object node, NULL when absent. */
static const node *member(const node *n, const char *key)
{
    char *quoted = g_strdup_printf("\"%s\"", key);
    const node *found = NULL;
    for (guint i = 0; n->kind == 'o' && i < n->kids->len && !found; i++)
        if (strcmp(n->keys->pdata[i], quoted) == 0)
            found = n->kids->pdata[i];
    g_free(quoted);
    return found;
}

/* Wrong values for a node of each kind. */
static const char *const wrong_for_string[] = {"123", "null", "{}", "[\"x\"]", "true", "\"\"", "-1"};
static const char *const wrong_for_number[] = {"\"abc\"", "-1", "1.5", "null", "{}", "[]", "4294967296",
                                               "\"18446744073709551616\"", "true", "\"\"", "65536", "2"};
static const char *const wrong_for_object[] = {"\"x\"", "[]", "1", "null", "[{}]", "{\"\":{}}"};
static const char *const wrong_for_array[] = {"{}", "\"x\"", "0", "null", "[null]", "[1,[2]]", "[[]]"};
static const char *const wrong_for_literal[] = {"1", "\"true\"", "null", "{}", "0.0"};

/* Each node under subtree (the whole document when NULL) replaced by `per_node` wrong values,
 * chosen in turn so that every wrong value of a kind is used across the nodes. */
static void wrong_types(record_kind kind, const char *text, const char *subtree_key, unsigned per_node)
{
    node *root = parse_template(text);
    const node *top = subtree_key ? member(root, subtree_key) : root;
    if (!top) {
        fprintf(stderr, "json_corpus: bug: no member %s\n", subtree_key);
        exit(1);
    }
    GPtrArray *nodes = g_ptr_array_new();
    collect(top, nodes);
    static unsigned turn;
    for (guint i = 0; i < nodes->len; i++) {
        const node *n = nodes->pdata[i];
        const char *const *list;
        size_t count;
        switch (n->kind) {
        case 's': list = wrong_for_string; count = G_N_ELEMENTS(wrong_for_string); break;
        case 'n': list = wrong_for_number; count = G_N_ELEMENTS(wrong_for_number); break;
        case 'o': list = wrong_for_object; count = G_N_ELEMENTS(wrong_for_object); break;
        case 'a': list = wrong_for_array; count = G_N_ELEMENTS(wrong_for_array); break;
        default: list = wrong_for_literal; count = G_N_ELEMENTS(wrong_for_literal); break;
        }
        for (unsigned k = 0; k < per_node && k < count; k++) {
            GString *s = g_string_new(NULL);
            write_node(s, root, n, list[(turn + k) % count]);
            emit_gstring(kind, s);
        }
        turn++;
    }
    g_ptr_array_free(nodes, TRUE);
    node_free(root);
}

/* ---- the families ------------------------------------------------------------------------------- */

static void family_escapes(void)
{
    start_family("escapes");
    static const char *const bodies[] = {
        "a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        "\\u00e9", "\\u00E9", "\\ud83d\\ude00", "\\uD83D\\uDE00", "\\ud800", "\\udfff", "\\ud800\\ud800",
        "\\ude00\\ud83d", "\\ud83d\\u0041", "x\\ud83d", "\\u0000", "a\\u0000b", "\\u001f", "\\u007f", "\\u0080",
        "\\u2028\\u2029", "\\ufeff", "\\uffff", "\\ufffe", "\\ufdd0", "\\x41", "\\u12", "\\u12G4", "\\uZZZZ",
        "\\U0001F600", "\\a", "\\'", "\\0", "\\", "\\\\\\", "\\u", "\\u00", "\\\\u0041",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++)
        emit_hole(KIND_TRACEE, T_NAME, bodies[i]);
    /* escapes where the value means something */
    static const char *const in_address[] = {"10.0.0.\\u0031", "\\u0031\\u0030.0.0.1", "10.0.0.1\\u0000",
                                             "fe80::1\\n", "10.0.0.1\\t", "\\ud83d\\ude00"};
    for (size_t i = 0; i < G_N_ELEMENTS(in_address); i++)
        emit_hole(KIND_TRACEE, T_SRC, in_address[i]);
    static const char *const in_name[] = {"net_packet_\\u0074cp", "net\\u005fflow_tcp_begin", "net_packet_tcp\\u0000",
                                          "\\u006eet_packet_tcp", "net_packet_tcp\\n"};
    for (size_t i = 0; i < G_N_ELEMENTS(in_name); i++)
        emit_hole(KIND_TRACEE, T_EVENT_NAME, in_name[i]);
    static const char *const in_key[] = {"process\\u004eame", "eventN\\u0061me", "\\u0000", "args\\u0000", ""};
    for (size_t i = 0; i < G_N_ELEMENTS(in_key); i++)
        emit_hole(KIND_TRACEE, T_KEY, in_key[i]);
    static const char *const in_direction[] = {"\\u0045GRESS", "INGRES\\u0053", "EGRESS\\u0000", "egress\\t"};
    for (size_t i = 0; i < G_N_ELEMENTS(in_direction); i++)
        emit_hole(KIND_TRACEE, T_DIRECTION, in_direction[i]);
    emit_hole(KIND_TRACEE, T_FLOW_DIRECTION, "out\\u0067oing");
    emit_hole(KIND_TRACEE, T_FLOW_DIRECTION, "\\ud800");
    emit_hole(KIND_TRACEE, T_WORKLOAD_NAME, "wg\\u0065t\\n\\t\\\"");
    emit_hole(KIND_TRACEE, T_WORKLOAD_TIMESTAMP, "2024-03-01T12:00:00\\u002e5Z");
    emit_hole(KIND_NETTCP, T_NETTCP_ADDRESS, "10.0.0.\\u0035");
    emit_hole(KIND_NETTCP, T_NETTCP_STATE, "\"Listen\\u0000\"");
    emit_hole(KIND_NETTCP, T_NETTCP_STATE, "\"Es\\u0074ablished\"");
    emit_hole(KIND_NETTCP, T_NETTCP_DATE, "\"\\/Date(1709294000000)\\/\"");
    emit_hole(KIND_NETTCP, T_NETTCP_DATE, "\"\\u002fDate(1709294000000)\\u002f\"");
}

static void family_unicode(void)
{
    start_family("unicode");
    static const char *const text[] = {
        "\xc3\xa9", "\xe5\x90\x8d\xe5\x89\x8d", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf",
        "\xef\xbb\xbf" "bom", "\xe2\x80\xae" "lruc", "\xe2\x80\x8d", "e\xcc\x81", "\xe2\x80\xa8\xe2\x80\xa9",
        "\x7f", "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(text); i++)
        emit_hole(KIND_TRACEE, T_NAME, text[i]);
    /* look-alikes where names and numbers are compared */
    emit_hole(KIND_TRACEE, T_SRC, "\xef\xbc\x91\xef\xbc\x90.0.0.1");    /* fullwidth "10" */
    emit_hole(KIND_TRACEE, T_SRC, "10.0.0.\xd9\xa1");                   /* Arabic-Indic 1 */
    emit_hole(KIND_TRACEE, T_SRC, "fe80::1\xe2\x80\x8b");               /* zero-width space */
    emit_hole(KIND_TRACEE, T_DIRECTION, "\xef\xbc\xa5GRESS");           /* fullwidth E */
    emit_hole(KIND_TRACEE, T_DIRECTION, "\xc4\xb0NGRESS");              /* dotted capital I */
    emit_hole(KIND_TRACEE, T_DIRECTION, "ingre\xc5\xbfs");              /* long s */
    emit_hole(KIND_TRACEE, T_EVENT_NAME, "net_packet_tcp\xe2\x80\x8b");
    emit_hole(KIND_TRACEE, T_EVENT_NAME, "\xd0\xbf\xd0\xb0\xd0\xba\xd0\xb5\xd1\x82");
    emit_hole(KIND_TRACEE, T_KEY, "processN\xc3\xa4me");
    emit_hole(KIND_TRACEE, T_ARG_NAME, "\xf0\x9f\x98\x80");
    emit_hole(KIND_TRACEE, T_GENERIC_ARG, "/tmp/\xe5\x90\x8d\xe5\x89\x8d/\xf0\x9f\x98\x80");
    emit_hole(KIND_TRACEE, T_WORKLOAD_NAME, "\xe5\x90\x8d\xe5\x89\x8d");
    emit_hole(KIND_TRACEE, T_WORKLOAD_TIMESTAMP, "2024-03-01T12:00:00\xef\xbc\xba");
    emit_hole(KIND_NETTCP, T_NETTCP_STATE, "\"\xef\xbc\xac\xef\xbd\x89\xef\xbd\x93\xef\xbd\x94\xef\xbd\x85\xef\xbd\x8e\"");
    emit_hole(KIND_NETTCP, T_NETTCP_STATE, "\"l\xc4\xb0sten\"");
    emit_hole(KIND_NETTCP, T_NETTCP_ADDRESS, "\xef\xbc\x91\xef\xbc\x90.0.0.5");
    /* a byte-order mark before the object */
    GString *s = g_string_new("\xef\xbb\xbf");
    g_string_append(s, T_NAME);
    emit_gstring(KIND_TRACEE, s);
    s = g_string_new("\xef\xbb\xbf");
    g_string_append(s, NETTCP_PS7);
    emit_gstring(KIND_NETTCP, s);
}

static void family_invalid_utf8(void)
{
    start_family("invalid-utf8");
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"\xff", 1}, {"\xfe", 1}, {"\x80", 1}, {"\xbf", 1}, {"b\xff\xfe", 3}, {"\xc0\xaf", 2}, {"\xc1\xbf", 2},
        {"\xe0\x80\xaf", 3}, {"\xed\xa0\x80", 3}, {"\xed\xbf\xbf", 3}, {"\xf4\x90\x80\x80", 4},
        {"\xf5\x80\x80\x80", 4}, {"\xf8\x88\x80\x80\x80", 5}, {"\xfc\x84\x80\x80\x80\x80", 6}, {"\xc3", 1},
        {"\xe2\x82", 2}, {"\xf0\x9f\x98", 3}, {"\xc3\x28", 2}, {"\x01", 1}, {"\x1f", 1}, {"\t", 1}, {"\r", 1},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        emit_hole_len(KIND_TRACEE, T_NAME, bad[i].bytes, bad[i].len);
    static const char *const where[] = {T_SRC, T_EVENT_NAME, T_KEY, T_ARG_NAME, T_DIRECTION, T_GENERIC_ARG,
                                        T_WORKLOAD_NAME, T_WORKLOAD_TIMESTAMP};
    for (size_t i = 0; i < G_N_ELEMENTS(where); i++) {
        emit_hole_len(KIND_TRACEE, where[i], "\xff", 1);
        emit_hole_len(KIND_TRACEE, where[i], "\xed\xa0\x80", 3);
    }
    emit_hole_len(KIND_NETTCP, T_NETTCP_ADDRESS, "10.0.0.5\xc3", 9);
    emit_hole_len(KIND_NETTCP, T_NETTCP_STATE, "\"Listen\xff\"", 9);
    emit_hole_len(KIND_NETTCP, T_NETTCP_DATE, "\"/Date(\xc0\xb1)/\"", 12);
    /* outside strings, and cut inside a character at the very end */
    emit(KIND_TRACEE, "{\"eventName\":\"x\",\xff\"processName\":\"curl\"}");
    emit(KIND_TRACEE, "{\"eventName\":\"x\"}\xff");
    emit(KIND_TRACEE, "{\"eventName\":\"x\",\"processName\":\"\xe5\x90");
    emit(KIND_TRACEE, "\xfe\xff{\"eventName\":\"x\"}");
    emit(KIND_NETTCP, "{\"LocalAddress\":\"10.0.0.5\",\"Caption\":\"\xc3\x28\"}");
}

static void family_numbers(void)
{
    start_family("numbers");
    static const char *const all[] = {
        "99999999999999999999999999", "1e400", "-1e400", "1e-400", "-1", "-0", "0", "-0.0", "1.5", "1e2", "1E+2",
        "1.0e0", "18446744073709551616", "18446744073709551615", "9223372036854775808", "9223372036854775807",
        "-9223372036854775808", "-9223372036854775809", "4294967296", "4294967295", "65536", "65535", "16", "2",
        "0123", "00", "+1", ".5", "5.", "0x10", "NaN", "Infinity", "-Infinity", "1e", "--1", "1_000",
        "\"1709294400001000000\"", "\"-1\"", "\"+5\"", "\" 5\"", "\"5 \"", "\"0x10\"", "\"1e3\"", "\"\"",
        "\"18446744073709551616\"", "\"99999999999999999999999999\"",
    };
    static const char *const some[] = {
        "99999999999999999999999999", "1e400", "-1", "1.5", "18446744073709551616", "9223372036854775808",
        "4294967296", "65536", "2", "0123", "NaN", "\"-1\"", "\"18446744073709551615\"",
    };
    static const char *const full_holes[] = {N_TIMESTAMP, N_SEQ, N_NETTCP_PORT};
    for (size_t t = 0; t < G_N_ELEMENTS(full_holes); t++)
        for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
            emit_hole(full_holes[t] == N_NETTCP_PORT ? KIND_NETTCP : KIND_TRACEE, full_holes[t], all[i]);
    static const char *const tracee_holes[] = {N_PROCESS_ID, N_HOST_PID, N_CGROUP, N_EVENT_ID, N_PORT_ARG,
                                               N_FLAG, N_DATA_OFFSET, N_DIRECTION, N_WORKLOAD_PID, N_WORKLOAD_SEQ};
    for (size_t t = 0; t < G_N_ELEMENTS(tracee_holes); t++)
        for (size_t i = 0; i < G_N_ELEMENTS(some); i++)
            emit_hole(KIND_TRACEE, tracee_holes[t], some[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(some); i++) {
        emit_hole(KIND_NETTCP, N_NETTCP_PID, some[i]);
        emit_hole(KIND_NETTCP, T_NETTCP_STATE, some[i]);
    }
    /* a number beyond 64 bits inside an argument nobody decodes, and in a key nobody reads */
    emit(KIND_TRACEE, "{\"eventName\":\"print_mem_dump\",\"processName\":\"x\",\"args\":[{\"name\":\"address\","
                      "\"type\":\"void*\",\"value\":18446744072635809792}]}");
    emit(KIND_TRACEE, "{\"eventName\":\"net_packet_tcp\",\"stackAddresses\":[18446744073709551615],"
                      "\"processName\":\"x\"}");
}

/* prefix, depth × open, middle, depth × close, suffix */
static void emit_nested(record_kind kind, const char *prefix, const char *open, unsigned depth, const char *middle,
                        const char *close, const char *suffix)
{
    GString *s = g_string_new(prefix);
    for (unsigned i = 0; i < depth; i++)
        g_string_append(s, open);
    g_string_append(s, middle);
    for (unsigned i = 0; close && i < depth; i++)
        g_string_append(s, close);
    g_string_append(s, suffix);
    emit_gstring(kind, s);
}

static void family_deep_nesting(void)
{
    start_family("deep-nesting");
    /* 100000 levels, never closed (closed they would not fit in a line) */
    emit_nested(KIND_TRACEE, "", "[", 100000, "", NULL, "");
    emit_nested(KIND_TRACEE, "{\"eventName\":\"x\",\"processName\":", "[", 100000, "", NULL, "");
    emit_nested(KIND_NETTCP, "{\"LocalAddress\":", "{\"a\":", 39000, "", NULL, "");
    /* closed, around the limit of 2048 levels and beyond */
    static const unsigned depths[] = {2044, 2045, 2046, 2047, 2048, 2049, 5000, 99000};
    for (size_t i = 0; i < G_N_ELEMENTS(depths); i++)
        emit_nested(KIND_TRACEE, "{\"eventName\":\"security_file_open\",\"processName\":\"x\",\"args\":[{\"name\":"
                                 "\"deep\",\"value\":",
                    "[", depths[i], "", "]", "}]}");
    /* objects, and where the decoders look for a value */
    emit_nested(KIND_TRACEE, "{\"eventName\":\"x\",\"args\":[{\"name\":\"o\",\"value\":", "{\"a\":", 30000, "1", "}",
                "}]}");
    emit_nested(KIND_TRACEE, "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"value\":", "[", 2045,
                "\"10.0.0.1\"", "]", "}]}");
    emit_nested(KIND_TRACEE, "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"metadata\",\"value\":"
                             "{\"direction\":",
                "[", 2044, "2", "]", "}}]}");
    emit_nested(KIND_TRACEE, "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"value\":"
                             "{\"seq\":",
                "[", 2044, "1", "]", "}}]}");
    emit_nested(KIND_TRACEE, "{\"name\":\"net_packet_tcp\",\"workload\":", "{\"process\":", 2040, "{\"host_pid\":1}",
                "}", "}");
    emit_nested(KIND_TRACEE, "{\"eventName\":\"x\",\"args\":", "[{\"name\":\"a\",\"value\":", 1000, "0", "}]", "}");
    emit_nested(KIND_NETTCP, "{\"LocalAddress\":", "[", 2047, "\"10.0.0.5\"", "]", ",\"LocalPort\":1}");
    emit_nested(KIND_NETTCP, "[", "[", 5000, "{\"LocalAddress\":\"10.0.0.5\"}", "]", "]");
}

static void family_long_strings(void)
{
    start_family("long-strings");
    const size_t n = 190000;
    char *a = repeat("A", n);
    emit_hole(KIND_TRACEE, T_NAME, a);
    emit_hole(KIND_TRACEE, T_GENERIC_ARG, a);
    emit_hole(KIND_TRACEE, T_SRC, a);
    emit_hole(KIND_TRACEE, T_DIRECTION, a);
    emit_hole(KIND_TRACEE, T_FLOW_DIRECTION, a);
    emit_hole(KIND_TRACEE, T_ARG_NAME, a);
    emit_hole(KIND_TRACEE, T_KEY, a);
    emit_hole(KIND_TRACEE, T_WORKLOAD_TIMESTAMP, a);
    emit_hole(KIND_NETTCP, T_NETTCP_ADDRESS, a);
    g_free(a);
    char *digits = repeat("1", n);
    emit_hole(KIND_TRACEE, N_TIMESTAMP, digits); /* a 190000-digit number */
    char *quoted = g_strdup_printf("\"%s\"", digits);
    emit_hole(KIND_TRACEE, N_PROCESS_ID, quoted);
    emit_hole(KIND_NETTCP, T_NETTCP_STATE, quoted);
    g_free(quoted);
    g_free(digits);
    char *name = repeat("net_packet_tcp", n / 14);
    emit_hole(KIND_TRACEE, T_EVENT_NAME, name);
    g_free(name);
    char *wide = repeat("\xc3\xa9", n / 2);
    emit_hole(KIND_TRACEE, T_NAME, wide);
    emit_hole(KIND_TRACEE, T_WORKLOAD_NAME, wide);
    g_free(wide);
    char *escapes = repeat("\\u00e9", n / 6);
    emit_hole(KIND_TRACEE, T_NAME, escapes);
    g_free(escapes);
    char *pairs = repeat("\\ud83d\\ude00", n / 12);
    emit_hole(KIND_TRACEE, T_GENERIC_ARG, pairs);
    g_free(pairs);
    char *backslashes = repeat("\\\\", n / 2);
    emit_hole(KIND_TRACEE, T_NAME, backslashes);
    g_free(backslashes);
    /* many small things: arguments, members, array elements */
    GString *s = g_string_new("{\"eventName\":\"security_socket_connect\",\"processName\":\"x\",\"args\":[");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(s, "%s{\"name\":\"a%d\",\"value\":%d}", i ? "," : "", i, i);
    g_string_append(s, "]}");
    emit_gstring(KIND_TRACEE, s);
    s = g_string_new("{\"eventName\":\"net_packet_tcp\"");
    for (int i = 0; i < 10000; i++)
        g_string_append_printf(s, ",\"k%d\":%d", i, i);
    g_string_append_c(s, '}');
    emit_gstring(KIND_TRACEE, s);
    s = g_string_new("{\"eventName\":\"x\",\"matchedPolicies\":[");
    for (int i = 0; i < 40000; i++)
        g_string_append(s, i ? ",\"\"" : "\"\"");
    g_string_append(s, "]}");
    emit_gstring(KIND_TRACEE, s);
    s = g_string_new("{\"LocalAddress\":\"10.0.0.5\",\"LocalPort\":1");
    for (int i = 0; i < 10000; i++)
        g_string_append_printf(s, ",\"Cim%d\":null", i);
    g_string_append_c(s, '}');
    emit_gstring(KIND_NETTCP, s);
}

static void family_duplicate_keys(void)
{
    start_family("duplicate-keys");
    static const char *const tracee[] = {
        "{\"eventName\":\"x\",\"processName\":\"first\",\"processName\":\"second\"}",
        "{\"eventName\":\"security_socket_connect\",\"args\":[{\"name\":\"src\",\"value\":\"10.0.0.1\"}],"
        "\"eventName\":\"net_packet_tcp\"}",
        "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"value\":\"10.0.0.1\"}],"
        "\"eventName\":\"security_socket_connect\"}",
        "{\"eventName\":\"x\",\"args\":[{\"name\":\"a\",\"value\":1}],\"args\":[{\"name\":\"b\",\"value\":2}]}",
        "{\"eventName\":\"x\",\"args\":[{\"name\":\"a\",\"value\":1,\"value\":2,\"name\":\"b\"}]}",
        "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"seq\":1,\"seq\":-1,"
        "\"SYN\":\"x\",\"SYN\":1}}]}",
        "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src_port\",\"value\":1},{\"name\":\"src_port\","
        "\"value\":2},{\"name\":\"src\",\"value\":\"10.0.0.1\"},{\"name\":\"src\",\"value\":\"10.0.0.2\"}]}",
        "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"metadata\",\"value\":{\"direction\":1,"
        "\"direction\":2}},{\"name\":\"metadata\",\"value\":{\"direction\":7}}]}",
        "{\"timestamp\":\"x\",\"timestamp\":7,\"eventName\":\"x\",\"processId\":\"abc\",\"processId\":8}",
        "{\"timestamp\":7,\"timestamp\":\"2024-03-01T12:00:00Z\",\"eventName\":\"x\"}",
        "{\"eventName\":\"x\",\"container\":{\"id\":\"a\"},\"container\":\"b\",\"containerId\":\"c\",\"containerId\":\"\"}",
        "{\"eventName\":\"x\",\"name\":\"y\",\"eventName\":\"z\"}",
        "{\"name\":\"net_packet_tcp\",\"workload\":{\"process\":{\"host_pid\":1,\"host_pid\":2}},\"workload\":{}}",
        "{\"name\":\"net_packet_tcp\",\"data\":[{\"name\":\"proto_tcp\",\"tcp\":{\"seq\":1},\"tcp\":{\"seq\":2}}]}",
        "{\"name\":\"net_packet_tcp\",\"data\":[{\"name\":\"src\",\"str\":\"10.0.0.1\",\"str\":[]}]}",
        "{\"name\":\"net_packet_tcp\",\"eventName\":\"net_packet_tcp\",\"data\":[],\"args\":[]}",
        "{\"\":1,\"\":2,\"eventName\":\"x\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(tracee); i++)
        emit(KIND_TRACEE, tracee[i]);
    GString *s = g_string_new("{\"eventName\":\"x\"");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(s, ",\"hostProcessId\":%d", i);
    g_string_append_c(s, '}');
    emit_gstring(KIND_TRACEE, s);
    static const char *const nettcp[] = {
        "{\"LocalAddress\":\"10.0.0.5\",\"LocalAddress\":\"::1\",\"LocalPort\":1,\"LocalPort\":\"x\"}",
        "{\"State\":5,\"State\":\"Listen\",\"State\":\"Weird\",\"OwningProcess\":1,\"OwningProcess\":2}",
        "{\"CreationTime\":\"\\/Date(1)\\/\",\"CreationTime\":\"2024-03-01T12:00:00Z\",\"LocalAddress\":\"10.0.0.5\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(nettcp); i++)
        emit(KIND_NETTCP, nettcp[i]);
}

static void family_whole_text(void)
{
    start_family("whole-text");
    static const char *const texts[] = {
        "", " ", " \t\r ", "\r", "null", "true", "0", "\"net_packet_tcp\"", "[]", "[{\"eventName\":\"net_packet_tcp\"}]",
        "{}", "{ }", "{}{}", "{\"eventName\":\"x\"} {\"eventName\":\"y\"}", "{\"eventName\":\"x\"}garbage",
        "{\"eventName\":\"x\",}", "{'eventName':'x'}", "{eventName:\"x\"}", "{\"eventName\":\"x\"", "}", "{",
        "{\"eventName\" \"x\"}", "{\"eventName\":x}", "{\"a\":[1,2,]}", "/* c */{\"eventName\":\"x\"}",
        "{\"eventName\":\"x\"}//", "LocalAddress,LocalPort", "tracee\t{}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++)
        emit(KIND_TRACEE, texts[i]);
    static const char *const rows[] = {
        "", "{}", "[]", "null", "LocalAddress,LocalPort,RemoteAddress,RemotePort,State,AppliedSetting,OwningProcess",
        "\"10.0.0.5\",\"49702\",\"93.184.216.34\",\"443\",\"Established\",\"Internet\",\"4120\"",
        /* one element split over two lines: the parentheses say so to clang's -Wstring-concatenation */
        ("{\"LocalAddress\":null,\"LocalPort\":null,\"RemoteAddress\":null,\"RemotePort\":null,\"State\":null,"
         "\"OwningProcess\":null,\"CreationTime\":null,\"OffloadState\":null,\"AppliedSetting\":null}"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        emit(KIND_NETTCP, rows[i]);
    /* ConvertTo-Json of several rows writes an array */
    GString *s = g_string_new("[");
    g_string_append(s, NETTCP_PS5);
    g_string_append_c(s, ',');
    g_string_append(s, NETTCP_PS7);
    g_string_append_c(s, ']');
    emit_gstring(KIND_NETTCP, s);
    /* pretty-printed JSON with \r (no \n) as line breaks, and a tracee event sent to the row dissector */
    emit(KIND_TRACEE, "{\r  \"eventName\": \"net_packet_tcp\",\r  \"processName\": \"curl\"\r}\r");
    emit(KIND_NETTCP, TRACEE_REC1);
    emit(KIND_TRACEE, NETTCP_PS5);
}

/* Every prefix from 0 to the whole length in steps of step, plus the last 8 bytes one by one. */
static void truncations(record_kind kind, const char *text, size_t step)
{
    size_t len = strlen(text);
    for (size_t n = 0; n < len; n += step)
        emit_len(kind, text, n);
    for (size_t n = len > 8 ? len - 8 : 0; n <= len; n++)
        if (n % step != 0 || n == len)
            emit_len(kind, text, n);
}

static void family_truncations(void)
{
    start_family("truncations");
    truncations(KIND_TRACEE, TRACEE_REC1, 11);
    truncations(KIND_TRACEE, TRACEE_REC5, 16);
    truncations(KIND_TRACEE, TRACEE_REC7, 29);
    truncations(KIND_NETTCP, NETTCP_PS5, 11);
    truncations(KIND_NETTCP, NETTCP_PS7, 7);
}

static void family_wrong_types(void)
{
    start_family("wrong-types");
    wrong_types(KIND_TRACEE, TRACEE_REC1, NULL, 3);          /* every member of the released layout */
    wrong_types(KIND_TRACEE, TRACEE_WORKLOAD_FULL, NULL, 3); /* every member of the workload layout */
    wrong_types(KIND_TRACEE, TRACEE_REC7, "args", 2);         /* net_flow_tcp_begin's arguments */
    wrong_types(KIND_TRACEE, TRACEE_REC9, "args", 2);         /* net_packet_ipv4 */
    wrong_types(KIND_TRACEE, TRACEE_REC10, "args", 2);        /* net_packet_ipv6 */
    wrong_types(KIND_TRACEE, TRACEE_REC11, "args", 2);        /* security_socket_connect */
    wrong_types(KIND_TRACEE, TRACEE_WORKLOAD_IPV4, "data", 2);
    wrong_types(KIND_NETTCP, NETTCP_PS5, NULL, 4);
    wrong_types(KIND_NETTCP, NETTCP_PS7, NULL, 4);
}

static void family_nettcp_names_and_dates(void)
{
    start_family("nettcp-names-dates");
    static const char *const states[] = {
        "\"Weird\"", "\"\"", "\"established\"", "\"ESTABLISHED\"", "\"Established \"", "\" Established\"",
        "\"Establ\"", "\"5\"", "\"05\"", "\"0x5\"", "\"Bound\"", "\"DeleteTcb\"", "\"Closed,Listen\"",
        "\"Listen\\n\"", "\"Unknown\"", "\"SynSent\"", "\"TimeWait\"", "0", "13", "99", "101", "-1", "1.0", "true",
        "[]", "{}", "[\"Listen\"]", "{\"value\":5}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(states); i++)
        emit_hole(KIND_NETTCP, T_NETTCP_STATE, states[i]);
    static const char *const offload[] = {"\"InHost\"", "\"Offloading\"", "\"Offloaded\"", "\"Uploading\"",
                                          "\"inhost\"", "\"Unknown\"", "4", "-1", "\"3\"", "null", "1.5"};
    for (size_t i = 0; i < G_N_ELEMENTS(offload); i++)
        emit_hole(KIND_NETTCP, T_NETTCP_OFFLOAD, offload[i]);
    static const char *const settings[] = {"\"Internet\"", "\"Datacenter\"", "\"Compat\"", "\"Custom\"",
                                           "\"DatacenterCustom\"", "\"InternetCustom\"", "\"Nope\"", "0", "11", "-3",
                                           "\"9\""};
    for (size_t i = 0; i < G_N_ELEMENTS(settings); i++)
        emit_hole(KIND_NETTCP, T_NETTCP_SETTING, settings[i]);
    static const char *const dates[] = {
        "\"\\/Date(1709294000000)\\/\"", "\"/Date(1709294000000)/\"", "\"/Date(1709294000000+0100)/\"",
        "\"/Date(1709294000000-0530)/\"", "\"/Date(-1)/\"", "\"/Date(0)/\"", "\"/Date(abc)/\"", "\"/Date()/\"",
        "\"/Date(99999999999999999999)/\"", "\"/Date(9223372036854775807)/\"", "\"/Date(-9223372036854775808)/\"",
        "\"/Date(9223372036855)/\"", "\"/Date(9223372036854)/\"", "\"/Date(-9223372036855)/\"",
        "\"/Date(1709294000000\"", "\"Date(1709294000000)/\"", "\"/Date(1709294000000+01)/\"",
        "\"/Date(1709294000000+01000)/\"", "\"/Date(1709294000000)/x\"", "\"/Date( 1709294000000)/\"",
        "\"/Date(+1709294000000)/\"", "\"/date(1709294000000)/\"", "\"2024-03-01T12:59:00.1234567+01:00\"",
        "\"2024-03-01T12:00:00Z\"", "\"2024-02-30T00:00:00Z\"", "\"2024-13-01T00:00:00Z\"", "\"2024-03-01T25:00:00Z\"",
        "\"2024-03-01T12:00:00+24:00\"", "\"2024-03-01T12:00:00\"", "\"2024-03-01\"", "\"2024-03-01T12:00:00.Z\"",
        "\"2024-03-01T12:00:00.1234567890123456789Z\"", "\"9999-12-31T23:59:59.9999999+14:00\"",
        "\"0000-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00Z\"", "\"1601-01-01T00:00:00Z\"", "\"2262-04-12T00:00:00Z\"",
        "\"1677-09-21T00:12:43Z\"", "\"03/01/2024 12:59:00\"", "\"\"", "1709294000000", "null", "{}",
        "{\"value\":\"\\/Date(1709294000000)\\/\",\"DateTime\":\"Friday, March 1, 2024 12:53:20 PM\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(dates); i++)
        emit_hole(KIND_NETTCP, T_NETTCP_DATE, dates[i]);
    static const char *const addresses[] = {"10.0.0.256", "::ffff:10.0.0.5", "fe80::1%12", "", "0.0.0.0", "::",
                                            "1.2.3", "10.0.0.5 ", "localhost", "[::1]", "2001:db8::1/64",
                                            "010.000.000.005", "1.2.3.4.5", ":::"};
    for (size_t i = 0; i < G_N_ELEMENTS(addresses); i++)
        emit_hole(KIND_NETTCP, T_NETTCP_ADDRESS, addresses[i]);
    /* the same for the tracee workload timestamp (RFC 3339 only) */
    static const char *const stamps[] = {
        "9999-12-31T23:59:59.999999999Z", "2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775808Z",
        "1969-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-03-01T12:00:60Z",
        "2024-03-01T12:00:00+23:59", "2024-03-01T12:00:00-23:59", "2024-03-01T12:00:00+0100", "2024-03-01 12:00:00Z",
        "2024-03-01t12:00:00z", "\\/Date(1709294000000)\\/", "", "2024-03-01T12:00:00.Z",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(stamps); i++)
        emit_hole(KIND_TRACEE, T_WORKLOAD_TIMESTAMP, stamps[i]);
}

/* Seeded byte mutations of realistic records: overwritten, deleted and repeated bytes. */
static void family_mutations(void)
{
    start_family("mutations");
    static const char alphabet[] = "{}[]\":,\\/0123456789-+.eEntfaluxr \t\r\x80\xbf\xc3\xa9\xed\xff";
    static const struct {
        record_kind kind;
        const char *text;
    } bases[] = {{KIND_TRACEE, TRACEE_REC1}, {KIND_TRACEE, TRACEE_REC5}, {KIND_TRACEE, TRACEE_REC7},
                 {KIND_TRACEE, TRACEE_REC11}, {KIND_NETTCP, NETTCP_PS5}, {KIND_NETTCP, NETTCP_PS7}};
    for (int round = 0; round < 150; round++) {
        const size_t b = (size_t)round % G_N_ELEMENTS(bases);
        GString *s = g_string_new(bases[b].text);
        unsigned edits = 1 + rng() % 4;
        for (unsigned e = 0; e < edits && s->len; e++) {
            size_t at = rng() % s->len;
            switch (rng() % 3) {
            case 0:
                s->str[at] = alphabet[rng() % (sizeof alphabet - 1)];
                break;
            case 1: {
                size_t n = 1 + rng() % 8;
                g_string_erase(s, (gssize)at, (gssize)MIN(n, s->len - at));
                break;
            }
            default: {
                size_t n = 1 + rng() % 16;
                n = MIN(n, s->len - at);
                char *copy = g_strndup(s->str + at, n);
                g_string_insert(s, (gssize)at, copy);
                g_free(copy);
            }
            }
        }
        emit_gstring(bases[b].kind, s);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stats") == 0) {
            stats = true;
        } else if (strcmp(argv[i], "--jsonl") == 0 && i + 1 < argc &&
                   (strcmp(argv[i + 1], "tracee") == 0 || strcmp(argv[i + 1], "nettcp") == 0)) {
            only_kind = strcmp(argv[++i], "tracee") == 0 ? KIND_TRACEE : KIND_NETTCP;
        } else {
            fprintf(stderr, "usage: json_corpus [--jsonl tracee|nettcp] [--stats] > corpus.tsv\n");
            return 2;
        }
    }
    family_escapes();
    family_unicode();
    family_invalid_utf8();
    family_numbers();
    family_deep_nesting();
    family_long_strings();
    family_duplicate_keys();
    family_whole_text();
    family_truncations();
    family_wrong_types();
    family_nettcp_names_and_dates();
    family_mutations();
    start_family("");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("json_corpus: stdout");
        return 1;
    }
    if (stats)
        fprintf(stderr, "%-22s %5u\n", "lines", line_count);
    return 0;
}
