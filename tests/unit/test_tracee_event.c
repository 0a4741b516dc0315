/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the tracee event decoder (src/decode/tracee_event.c, docs/FORMATS.md section 4).
 *
 * Expected values are read off the JSON by hand and written out here, never taken from the
 * decoder. The one argument is the path of the real sample file
 * (net_packet_tcp_v0.19-v0.23.jsonl); without it the real-sample test is skipped.
 *
 * Every input is decoded from an exactly-sized heap copy without a terminating NUL, so an
 * over-read or a decoder that relies on NUL termination shows up under AddressSanitizer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "tracee_event.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *sample_path; /* argv[1] */

/* ---- the sample records of tests/fixtures/json-records.tsv, copied as they are ---------- */

/* json-records.tsv record 1 */
static const char REC1[] =
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

/* json-records.tsv record 2 */
static const char REC2[] =
    "{\"timestamp\":1709294400002000000,\"threadStartTime\":1709294395002000000,\"processorId\":3,"
    "\"processId\":42,\"cgroupId\":5650,\"threadId\":42,\"parentProcessId\":1,\"hostProcessId\":4242,"
    "\"hostThreadId\":4242,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026532300,"
    "\"pidNamespace\":4026532301,\"processName\":\"curl\",\"executable\":{\"path\":\"/usr/bin/curl\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"5d1c3c2b1a09\",\"container\":{\"id\":\"5d1c3c2b1a09\","
    "\"name\":\"web\",\"image\":\"docker.io/library/nginx:1.25\",\"imageDigest\":\"sha256:abcd\"},"
    "\"kubernetes\":{\"podName\":\"web-7d4b9c\",\"podNamespace\":\"shop\",\"podUID\":\"0f6b5c1e-3d2a-4c8e-9b7a-1e2d3c4b5a69\","
    "\"podSandbox\":false},\"eventId\":\"2002\",\"eventName\":\"net_packet_tcp\",\"matchedPolicies\":[\"\"],"
    "\"argsNum\":6,\"returnValue\":0,\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"src_port\",\"type\":\"uint16\","
    "\"value\":443},{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":51234},{\"name\":\"metadata\","
    "\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":1}},{\"name\":\"proto_tcp\","
    "\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":443,\"dstPort\":51234,\"seq\":5000,"
    "\"ack\":1001,\"dataOffset\":10,\"FIN\":0,\"SYN\":1,\"RST\":0,\"PSH\":0,\"ACK\":1,\"URG\":0,"
    "\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":65160,\"checksum\":41394,\"urgent\":0}}]}";

/* json-records.tsv record 3 */
static const char REC3[] =
    "{\"timestamp\":1709294400003000000,\"threadStartTime\":1709294395003000000,\"processorId\":3,"
    "\"processId\":4242,\"cgroupId\":5650,\"threadId\":4243,\"parentProcessId\":700,\"hostProcessId\":4242,"
    "\"hostThreadId\":4243,\"hostParentProcessId\":700,\"userId\":1000,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"curl\",\"executable\":{\"path\":\"/usr/bin/curl\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2002\","
    "\"eventName\":\"net_packet_tcp\",\"matchedPolicies\":[\"\"],\"argsNum\":6,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"src_port\",\"type\":\"uint16\","
    "\"value\":51234},{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":443},{\"name\":\"metadata\","
    "\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":2}},{\"name\":\"proto_tcp\","
    "\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":51234,\"dstPort\":443,\"seq\":1001,"
    "\"ack\":5001,\"dataOffset\":5,\"FIN\":1,\"SYN\":0,\"RST\":1,\"PSH\":1,\"ACK\":1,\"URG\":1,"
    "\"ECE\":1,\"CWR\":1,\"NS\":1,\"window\":501,\"checksum\":65535,\"urgent\":7}}]}";

/* json-records.tsv record 4 */
static const char REC4[] =
    "{\"timestamp\":1709294400004000000,\"threadStartTime\":1709294395004000000,\"processorId\":3,"
    "\"processId\":1107258,\"cgroupId\":5650,\"threadId\":1107258,\"parentProcessId\":1098248,"
    "\"hostProcessId\":1107258,\"hostThreadId\":1107258,\"hostParentProcessId\":1098248,\"userId\":1000,"
    "\"mountNamespace\":4026531841,\"pidNamespace\":4026531836,\"processName\":\"nc\",\"executable\":{\"path\":\"\"},"
    "\"hostName\":\"rugged\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2002\","
    "\"eventName\":\"net_packet_tcp\",\"matchedPolicies\":[\"\"],\"argsNum\":5,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"fd12:3456:789a::2\"},"
    "{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"fd12:3456:789a::1\"},{\"name\":\"src_port\","
    "\"type\":\"u16\",\"value\":8080},{\"name\":\"dst_port\",\"type\":\"u16\",\"value\":55013},"
    "{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":8080,\"dstPort\":55013,"
    "\"seq\":677659081,\"ack\":0,\"dataOffset\":5,\"FIN\":0,\"SYN\":0,\"RST\":1,\"PSH\":0,"
    "\"ACK\":0,\"URG\":0,\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":0,\"checksum\":21540,\"urgent\":0}}]}";

/* json-records.tsv record 5 */
static const char REC5[] =
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

/* json-records.tsv record 6 */
static const char REC6[] =
    "{\"timestamp\":\"2024-03-01T12:00:00.006Z\",\"id\":2002,\"name\":\"net_packet_tcp\","
    "\"workload\":{\"process\":{\"host_pid\":5150,\"pid\":17,\"thread\":{\"name\":\"wget\","
    "\"host_tid\":5151,\"tid\":18}}},\"data\":[{\"name\":\"src\",\"str\":\"2001:db8::80\"},"
    "{\"name\":\"dst\",\"str\":\"2001:db8::5\"},{\"name\":\"src_port\",\"u_int32\":80},{\"name\":\"dst_port\","
    "\"u_int32\":40001},{\"name\":\"metadata\",\"packet_metadata\":{\"direction\":1}},{\"name\":\"proto_tcp\","
    "\"tcp\":{\"src_port\":80,\"dst_port\":40001,\"seq\":42,\"ack\":1,\"data_offset\":5,\"ack_flag\":1}}]}";

/* json-records.tsv record 7 */
static const char REC7[] =
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

/* json-records.tsv record 8 */
static const char REC8[] =
    "{\"timestamp\":1709294400008000000,\"threadStartTime\":1709294395008000000,\"processorId\":3,"
    "\"processId\":900,\"cgroupId\":5650,\"threadId\":900,\"parentProcessId\":1,\"hostProcessId\":900,"
    "\"hostThreadId\":900,\"hostParentProcessId\":1,\"userId\":0,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"nginx\",\"executable\":{\"path\":\"/usr/sbin/nginx\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2014\","
    "\"eventName\":\"net_flow_tcp_end\",\"matchedPolicies\":[\"\"],\"argsNum\":7,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"conn_direction\",\"type\":\"string\",\"value\":\"incoming\"},{\"name\":\"src\","
    "\"type\":\"string\",\"value\":\"10.0.0.9\"},{\"name\":\"dst\",\"type\":\"string\",\"value\":\"10.0.0.1\"},"
    "{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":60000},{\"name\":\"dst_port\",\"type\":\"uint16\","
    "\"value\":80},{\"name\":\"src_dns\",\"type\":\"[]string\",\"value\":[]},{\"name\":\"dst_dns\","
    "\"type\":\"[]string\",\"value\":[]}]}";

/* json-records.tsv record 9 */
static const char REC9[] =
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
static const char REC10[] =
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
static const char REC11[] =
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

/* json-records.tsv record 12 */
static const char REC12[] =
    "{\"timestamp\":1709294400012000000,\"threadStartTime\":1709294395012000000,\"processorId\":3,"
    "\"processId\":0,\"cgroupId\":0,\"threadId\":0,\"parentProcessId\":0,\"hostProcessId\":0,"
    "\"hostThreadId\":0,\"hostParentProcessId\":0,\"userId\":0,\"mountNamespace\":4026531840,"
    "\"pidNamespace\":4026531836,\"processName\":\"swapper/1\",\"executable\":{\"path\":\"\"},"
    "\"hostName\":\"node-1\",\"containerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2002\","
    "\"eventName\":\"net_packet_tcp\",\"matchedPolicies\":[\"\"],\"argsNum\":6,\"returnValue\":0,"
    "\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,"
    "\"isCompat\":false},\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
    "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.2\"},{\"name\":\"dst\","
    "\"type\":\"string\",\"value\":\"10.0.0.1\"},{\"name\":\"src_port\",\"type\":\"uint16\","
    "\"value\":443},{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":51234},{\"name\":\"metadata\","
    "\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":1}},{\"name\":\"proto_tcp\","
    "\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":443,\"dstPort\":51234,\"seq\":5001,"
    "\"ack\":1002,\"dataOffset\":8,\"FIN\":0,\"SYN\":0,\"RST\":0,\"PSH\":0,\"ACK\":1,\"URG\":0,"
    "\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":509,\"checksum\":2989,\"urgent\":0}}]}";

/* ---- real UDP and DNS lines of tracee's documentation, copied as they are ------------------- */
/* docs/docs/events/builtin/network/net_packet_{dns_request,dns_response,dns,udp}.md before
 * aquasecurity/tracee b0ae2e6cc, and docs/docs/events/builtin/network-events.md (REAL_DNS_ANSWER):
 * tracee v0.19-era lines, without a metadata direction. */
static const char REAL_DNS_REQUEST[] =
    "{\"timestamp\":1696255905516744399,\"threadStartTime\":1695658999333342363,\"processorId\":4,\"processId\":4"
    "72,\"cgroupId\":2626,\"threadId\":472,\"parentProcessId\":1,\"hostProcessId\":472,\"hostThreadId\":472,\"hos"
    "tParentProcessId\":1,\"userId\":976,\"mountNamespace\":4026532555,\"pidNamespace\":4026531836,\"processName\""
    ":\"systemd-resolve\",\"executable\":{\"path\":\"\"},\"hostName\":\"rugged\",\"containerId\":\"\",\"container"
    "\":{},\"kubernetes\":{},\"eventId\":\"2007\",\"eventName\":\"net_packet_dns_request\",\"matchedPolicies\":[\""
    "\"],\"argsNum\":2,\"returnValue\":0,\"syscall\":\"write\",\"stackAddresses\":[0],\"contextFlags\":{\"contain"
    "erStarted\":false,\"isCompat\":false},\"threadEntityId\":131662446,\"processEntityId\":131662446,\"parentEnt"
    "ityId\":1975426032,\"args\":[{\"name\":\"metadata\",\"type\":\"trace.PktMeta\",\"value\":{\"src_ip\":\"192.1"
    "68.200.50\",\"dst_ip\":\"8.8.8.8\",\"src_port\":56650,\"dst_port\":53,\"protocol\":17,\"packet_len\":68,\"if"
    "ace\":\"any\"}},{\"name\":\"dns_questions\",\"type\":\"[]trace.DnsQueryData\",\"value\":[{\"query\":\"www.zi"
    "p.net\",\"query_type\":\"AAAA\",\"query_class\":\"IN\"}]}]}";

static const char REAL_DNS_RESPONSE[] =
    "{\"timestamp\":1696257538821986017,\"threadStartTime\":1695658999333342058,\"processorId\":6,\"processId\":4"
    "72,\"cgroupId\":2626,\"threadId\":472,\"parentProcessId\":1,\"hostProcessId\":472,\"hostThreadId\":472,\"hos"
    "tParentProcessId\":1,\"userId\":976,\"mountNamespace\":4026532555,\"pidNamespace\":4026531836,\"processName\""
    ":\"systemd-resolve\",\"executable\":{\"path\":\"\"},\"hostName\":\"rugged\",\"containerId\":\"\",\"container"
    "\":{},\"kubernetes\":{},\"eventId\":\"2008\",\"eventName\":\"net_packet_dns_response\",\"matchedPolicies\":["
    "\"\"],\"argsNum\":2,\"returnValue\":0,\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerS"
    "tarted\":false,\"isCompat\":false},\"threadEntityId\":131662446,\"processEntityId\":131662446,\"parentEntity"
    "Id\":1975426032,\"args\":[{\"name\":\"metadata\",\"type\":\"trace.PktMeta\",\"value\":{\"src_ip\":\"1.1.1.1\""
    ",\"dst_ip\":\"192.168.200.50\",\"src_port\":53,\"dst_port\":34184,\"protocol\":17,\"packet_len\":117,\"iface"
    "\":\"any\"}},{\"name\":\"dns_response\",\"type\":\"[]trace.DnsResponseData\",\"value\":[{\"query_data\":{\"q"
    "uery\":\"www.zip.net\",\"query_type\":\"A\",\"query_class\":\"IN\"},\"dns_answer\":[{\"answer_type\":\"CNAME"
    "\",\"ttl\":300,\"answer\":\"amazonas.uol.com.br\"},{\"answer_type\":\"A\",\"ttl\":60,\"answer\":\"200.147.10"
    "0.53\"}]}]}]}";

static const char REAL_DNS_QUERY[] =
    "{\"timestamp\":1696259024822467299,\"threadStartTime\":1696259024820530450,\"processorId\":0,\"processId\":1"
    "053474,\"cgroupId\":5650,\"threadId\":1053476,\"parentProcessId\":1037836,\"hostProcessId\":1053474,\"hostTh"
    "readId\":1053476,\"hostParentProcessId\":1037836,\"userId\":1000,\"mountNamespace\":4026531841,\"pidNamespac"
    "e\":4026531836,\"processName\":\"isc-net-0000\",\"executable\":{\"path\":\"\"},\"hostName\":\"rugged\",\"con"
    "tainerId\":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2006\",\"eventName\":\"net_packet_dns\",\"m"
    "atchedPolicies\":[\"\"],\"argsNum\":5,\"returnValue\":0,\"syscall\":\"sendmmsg\",\"stackAddresses\":[0],\"co"
    "ntextFlags\":{\"containerStarted\":false,\"isCompat\":false},\"threadEntityId\":2326406626,\"processEntityId"
    "\":2231131033,\"parentEntityId\":2142180145,\"args\":[{\"name\":\"src\",\"type\":\"const char*\",\"value\":\""
    "127.0.0.1\"},{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"127.0.0.53\"},{\"name\":\"src_port\",\"t"
    "ype\":\"u16\",\"value\":44493},{\"name\":\"dst_port\",\"type\":\"u16\",\"value\":53},{\"name\":\"proto_dns\""
    ",\"type\":\"trace.ProtoDNS\",\"value\":{\"ID\":60318,\"QR\":0,\"opCode\":\"query\",\"AA\":0,\"TC\":0,\"RD\":"
    "1,\"RA\":0,\"Z\":0,\"responseCode\":\"no error\",\"QDCount\":1,\"ANCount\":0,\"NSCount\":0,\"ARCount\":0,\"q"
    "uestions\":[{\"name\":\"www.uol.com.br\",\"type\":\"A\",\"class\":\"IN\"}],\"answers\":[],\"authorities\":[]"
    ",\"additionals\":[]}}]}";

static const char REAL_DNS_ANSWER[] =
    "{\"timestamp\":1696255744257383842,\"threadStartTime\":1695658999333342370,\"processorId\":6,\"processId\":4"
    "72,\"cgroupId\":2626,\"threadId\":472,\"parentProcessId\":1,\"hostProcessId\":472,\"hostThreadId\":472,\"hos"
    "tParentProcessId\":1,\"userId\":976,\"mountNamespace\":4026532555,\"pidNamespace\":4026531836,\"processName\""
    ":\"systemd-resolve\",\"executable\":{\"path\":\"\"},\"hostName\":\"rugged\",\"containerId\":\"\",\"container"
    "\":{},\"kubernetes\":{},\"eventId\":\"2006\",\"eventName\":\"net_packet_dns\",\"matchedPolicies\":[\"\"],\"a"
    "rgsNum\":5,\"returnValue\":0,\"syscall\":\"\",\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":"
    "false,\"isCompat\":false},\"threadEntityId\":131662446,\"processEntityId\":131662446,\"parentEntityId\":1975"
    "426032,\"args\":[{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"8.8.8.8\"},{\"name\":\"dst\",\"type\""
    ":\"const char*\",\"value\":\"192.168.200.50\"},{\"name\":\"src_port\",\"type\":\"u16\",\"value\":53},{\"name"
    "\":\"dst_port\",\"type\":\"u16\",\"value\":36031},{\"name\":\"proto_dns\",\"type\":\"trace.ProtoDNS\",\"valu"
    "e\":{\"ID\":57779,\"QR\":1,\"opCode\":\"query\",\"AA\":0,\"TC\":0,\"RD\":1,\"RA\":1,\"Z\":0,\"responseCode\""
    ":\"no error\",\"QDCount\":1,\"ANCount\":1,\"NSCount\":1,\"ARCount\":1,\"questions\":[{\"name\":\"www.zip.net"
    "\",\"type\":\"AAAA\",\"class\":\"IN\"}],\"answers\":[{\"name\":\"www.zip.net\",\"type\":\"CNAME\",\"class\":"
    "\"IN\",\"TTL\":300,\"IP\":\"\",\"NS\":\"\",\"CNAME\":\"amazonas.uol.com.br\",\"PTR\":\"\",\"TXTs\":null,\"SO"
    "A\":{\"MName\":\"\",\"RName\":\"\",\"serial\":0,\"refresh\":0,\"retry\":0,\"expire\":0,\"minimum\":0},\"SRV\""
    ":{\"priority\":0,\"weight\":0,\"port\":0,\"name\":\"\"},\"MX\":{\"preference\":0,\"name\":\"\"},\"OPT\":[],\""
    "URI\":{\"priority\":0,\"weight\":0,\"target\":\"\"},\"TXT\":\"\"}],\"authorities\":[{\"name\":\"uol.com.br\""
    ",\"type\":\"SOA\",\"class\":\"IN\",\"TTL\":600,\"IP\":\"\",\"NS\":\"\",\"CNAME\":\"\",\"PTR\":\"\",\"TXTs\":"
    "null,\"SOA\":{\"MName\":\"a10-dns-uolcsfe1.host.intranet\",\"RName\":\"root.uol.com.br\",\"serial\":20160528"
    "87,\"refresh\":7200,\"retry\":3600,\"expire\":432000,\"minimum\":900},\"SRV\":{\"priority\":0,\"weight\":0,\""
    "port\":0,\"name\":\"\"},\"MX\":{\"preference\":0,\"name\":\"\"},\"OPT\":[],\"URI\":{\"priority\":0,\"weight\""
    ":0,\"target\":\"\"},\"TXT\":\"\"}],\"additionals\":[{\"name\":\"\",\"type\":\"OPT\",\"class\":\"Unknown\",\""
    "TTL\":0,\"IP\":\"\",\"NS\":\"\",\"CNAME\":\"\",\"PTR\":\"\",\"TXTs\":null,\"SOA\":{\"MName\":\"\",\"RName\":"
    "\"\",\"serial\":0,\"refresh\":0,\"retry\":0,\"expire\":0,\"minimum\":0},\"SRV\":{\"priority\":0,\"weight\":0"
    ",\"port\":0,\"name\":\"\"},\"MX\":{\"preference\":0,\"name\":\"\"},\"OPT\":[],\"URI\":{\"priority\":0,\"weig"
    "ht\":0,\"target\":\"\"},\"TXT\":\"\"}]}}]}";

static const char REAL_UDP[] =
    "{\"timestamp\":1696272374106561233,\"threadStartTime\":1696272081675489950,\"processorId\":1,\"processId\":1"
    "108786,\"cgroupId\":5650,\"threadId\":1108786,\"parentProcessId\":1037836,\"hostProcessId\":1108786,\"hostTh"
    "readId\":1108786,\"hostParentProcessId\":1037836,\"userId\":1000,\"mountNamespace\":4026531841,\"pidNamespac"
    "e\":4026531836,\"processName\":\"nc\",\"executable\":{\"path\":\"\"},\"hostName\":\"rugged\",\"containerId\""
    ":\"\",\"container\":{},\"kubernetes\":{},\"eventId\":\"2003\",\"eventName\":\"net_packet_udp\",\"matchedPoli"
    "cies\":[\"\"],\"argsNum\":5,\"returnValue\":0,\"syscall\":\"write\",\"stackAddresses\":[0],\"contextFlags\":"
    "{\"containerStarted\":false,\"isCompat\":false},\"threadEntityId\":3953446441,\"processEntityId\":3953446441"
    ",\"parentEntityId\":2142180145,\"args\":[{\"name\":\"src\",\"type\":\"const char*\",\"value\":\"fd12:3456:78"
    "9a::2\"},{\"name\":\"dst\",\"type\":\"const char*\",\"value\":\"fd12:3456:789a::1\"},{\"name\":\"src_port\","
    "\"type\":\"u16\",\"value\":8080},{\"name\":\"dst_port\",\"type\":\"u16\",\"value\":37294},{\"name\":\"proto_"
    "udp\",\"type\":\"trace.ProtoUDP\",\"value\":{\"srcPort\":8080,\"dstPort\":37294,\"length\":12,\"checksum\":2"
    "1543}}]}";

/* ---- helpers ---------------------------------------------------------------------------- */

static const char *const field_names[TRACEE_FIELD_COUNT] = {
    [TRACEE_TIMESTAMP] = "timestamp",       [TRACEE_EVENT_NAME] = "event name",
    [TRACEE_EVENT_ID] = "event id",         [TRACEE_PID] = "pid",
    [TRACEE_TID] = "tid",                   [TRACEE_PPID] = "ppid",
    [TRACEE_HOST_PID] = "host pid",         [TRACEE_HOST_TID] = "host tid",
    [TRACEE_HOST_PPID] = "host ppid",       [TRACEE_UID] = "uid",
    [TRACEE_PROCESS_NAME] = "process name", [TRACEE_EXECUTABLE] = "executable",
    [TRACEE_HOSTNAME] = "hostname",         [TRACEE_CGROUP_ID] = "cgroup id",
    [TRACEE_MNT_NS] = "mount ns",           [TRACEE_PID_NS] = "pid ns",
    [TRACEE_SYSCALL] = "syscall",           [TRACEE_CONTAINER_ID] = "container id",
    [TRACEE_CONTAINER_NAME] = "container name", [TRACEE_CONTAINER_IMAGE] = "container image",
    [TRACEE_POD_NAME] = "pod name",         [TRACEE_POD_NAMESPACE] = "pod namespace",
    [TRACEE_POD_UID] = "pod uid",           [TRACEE_DIRECTION] = "direction",
    [TRACEE_SRC_IP] = "src ip",             [TRACEE_DST_IP] = "dst ip",
    [TRACEE_SRC_PORT] = "src port",         [TRACEE_DST_PORT] = "dst port",
    [TRACEE_SEQ] = "seq",                   [TRACEE_ACK] = "ack",
    [TRACEE_DATA_OFFSET] = "data offset",   [TRACEE_FLAG_FIN] = "FIN",
    [TRACEE_FLAG_SYN] = "SYN",              [TRACEE_FLAG_RST] = "RST",
    [TRACEE_FLAG_PSH] = "PSH",              [TRACEE_FLAG_ACK] = "ACK",
    [TRACEE_FLAG_URG] = "URG",              [TRACEE_FLAG_ECE] = "ECE",
    [TRACEE_FLAG_CWR] = "CWR",              [TRACEE_FLAG_NS] = "NS",
    [TRACEE_WINDOW] = "window",             [TRACEE_CHECKSUM] = "checksum",
    [TRACEE_URGENT] = "urgent",             [TRACEE_FLOW_DIRECTION] = "flow direction",
    [TRACEE_UDP_LENGTH] = "udp length",     [TRACEE_UDP_CHECKSUM] = "udp checksum",
    [TRACEE_PROTOCOL] = "protocol",         [TRACEE_PACKET_LEN] = "packet len",
    [TRACEE_DNS_QUERY] = "dns query",       [TRACEE_DNS_QUERY_TYPE] = "dns query type",
};

static const char *fname(tracee_field f)
{
    return field_names[f] ? field_names[f] : "?";
}

/* Fields that hold text (the rest hold numbers or addresses). */
static bool is_string_field(tracee_field f)
{
    switch (f) {
    case TRACEE_EVENT_NAME: case TRACEE_PROCESS_NAME: case TRACEE_EXECUTABLE: case TRACEE_HOSTNAME:
    case TRACEE_SYSCALL: case TRACEE_CONTAINER_ID: case TRACEE_CONTAINER_NAME: case TRACEE_CONTAINER_IMAGE:
    case TRACEE_POD_NAME: case TRACEE_POD_NAMESPACE: case TRACEE_POD_UID: case TRACEE_DIRECTION:
    case TRACEE_FLOW_DIRECTION: case TRACEE_DNS_QUERY: case TRACEE_DNS_QUERY_TYPE:
        return true;
    default:
        return false;
    }
}

static bool is_address_field(tracee_field f)
{
    return f == TRACEE_SRC_IP || f == TRACEE_DST_IP;
}

/* Largest value each numeric field can take. */
static uint64_t field_max(tracee_field f)
{
    switch (f) {
    case TRACEE_TIMESTAMP: return INT64_MAX;
    case TRACEE_CGROUP_ID: return UINT64_MAX;
    case TRACEE_SRC_PORT: case TRACEE_DST_PORT: case TRACEE_WINDOW: case TRACEE_CHECKSUM: case TRACEE_URGENT:
    case TRACEE_UDP_LENGTH: case TRACEE_UDP_CHECKSUM:
        return 0xffff;
    case TRACEE_PROTOCOL: return 0xff;
    case TRACEE_DATA_OFFSET: return 15;
    default:
        if (f >= TRACEE_FLAG_FIN && f <= TRACEE_FLAG_NS)
            return 1;
        return 0xffffffff;
    }
}

static void print_event(const tracee_event *ev)
{
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++) {
        const tracee_value *v = &ev->v[f];
        if (!v->present)
            continue;
        if (is_string_field(f))
            print_message("  %s = \"%s\"\n", fname(f), v->s ? v->s : "(null)");
        else if (is_address_field(f))
            print_message("  %s = family %d\n", fname(f), v->family);
        else
            print_message("  %s = %" PRIu64 "\n", fname(f), v->u);
    }
    for (guint i = 0; ev->args && i < ev->args->len; i++)
        print_message("  arg %u: %s\n", i, (const char *)ev->args->pdata[i]);
    for (guint i = 0; i < ps_problems_count(&ev->problems); i++)
        print_message("  problem %u: %s\n", i, ps_problems_at(&ev->problems, i)->message);
}

/* What a failed assertion would leak (it leaves the test by longjmp): strings and decoded events
 * are registered here and freed by the teardown, so that LeakSanitizer reports only the decoder. */
static GPtrArray *garbage;     /* g_malloc'd strings */
static GPtrArray *live_events; /* shallow heap copies of decoded, not yet cleared events */

static char *owned(char *s)
{
    g_ptr_array_add(garbage, s);
    return s;
}

static void track(const tracee_event *ev)
{
    g_ptr_array_add(live_events, g_memdup2(ev, sizeof *ev));
}

static void untrack(const tracee_event *ev)
{
    for (guint i = 0; i < live_events->len; i++) {
        tracee_event *copy = live_events->pdata[i];
        if (copy->args == ev->args && copy->problems.items == ev->problems.items) {
            g_free(copy);
            g_ptr_array_remove_index_fast(live_events, i);
            return;
        }
    }
}

static void release(tracee_event *ev)
{
    untrack(ev);
    tracee_event_clear(ev);
}

static int teardown(void **state)
{
    (void)state;
    for (guint i = 0; i < live_events->len; i++) {
        tracee_event_clear(live_events->pdata[i]);
        g_free(live_events->pdata[i]);
    }
    g_ptr_array_set_size(live_events, 0);
    g_ptr_array_set_size(garbage, 0);
    return 0;
}

/* Decodes len bytes from an exactly-sized heap copy (no NUL after them), freed right after: the
 * decoded event must own everything it keeps. */
static bool decode_len(const char *json, size_t len, tracee_event *ev)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, json, len);
    bool ok = tracee_event_decode(copy, len, ev);
    free(copy);
    track(ev);
    assert_non_null(ev->args);
    return ok;
}

static bool decode(const char *json, tracee_event *ev)
{
    return decode_len(json, strlen(json), ev);
}

/* Decodes text that must be a valid event and have no problems. */
static void decode_clean(const char *json, tracee_event *ev)
{
    if (!decode(json, ev)) {
        print_event(ev);
        fail_msg("decode failed: %s", ps_problems_count(&ev->problems) ? ps_problems_first(&ev->problems)->message : "?");
    }
    if (ps_problems_count(&ev->problems)) {
        print_event(ev);
        fail_msg("unexpected problem: %s", ps_problems_first(&ev->problems)->message);
    }
}

static void check_u(const tracee_event *ev, tracee_field f, uint64_t want)
{
    if (!ev->v[f].present) {
        print_event(ev);
        fail_msg("%s absent, expected %" PRIu64, fname(f), want);
    }
    if (ev->v[f].u != want) {
        print_event(ev);
        fail_msg("%s is %" PRIu64 ", expected %" PRIu64, fname(f), ev->v[f].u, want);
    }
}

static void check_s(const tracee_event *ev, tracee_field f, const char *want)
{
    if (!ev->v[f].present || !ev->v[f].s) {
        print_event(ev);
        fail_msg("%s absent, expected \"%s\"", fname(f), want);
    }
    assert_string_equal(ev->v[f].s, want);
}

static void check_absent(const tracee_event *ev, tracee_field f)
{
    if (ev->v[f].present) {
        print_event(ev);
        fail_msg("%s present, expected absent", fname(f));
    }
}

/* The address against inet_pton of its text. */
static void check_ip(const tracee_event *ev, tracee_field f, const char *text)
{
    uint8_t want[16] = {0};
    int family = 0; /* fail_msg() ends the test, which clang cannot see */
    if (inet_pton(AF_INET, text, want) == 1)
        family = 4;
    else if (inet_pton(AF_INET6, text, want) == 1)
        family = 6;
    else
        fail_msg("test bug: %s is no address", text);
    if (!ev->v[f].present) {
        print_event(ev);
        fail_msg("%s absent, expected %s", fname(f), text);
    }
    assert_int_equal(ev->v[f].family, family);
    assert_memory_equal(ev->v[f].addr, want, family == 4 ? 4 : 16);
}

/* The nine flags in the order FIN SYN RST PSH ACK URG ECE CWR NS, as a string of '0'/'1'. */
static void check_flags(const tracee_event *ev, const char *bits)
{
    assert_int_equal(strlen(bits), 9);
    for (int i = 0; i < 9; i++)
        check_u(ev, (tracee_field)(TRACEE_FLAG_FIN + i), (uint64_t)(bits[i] - '0'));
}

/* args must be exactly these, in this order (NULL ends the list). */
static void check_args(const tracee_event *ev, ...)
{
    va_list ap;
    va_start(ap, ev);
    guint i = 0;
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *), i++) {
        if (i >= ev->args->len) {
            print_event(ev);
            fail_msg("only %u args, expected \"%s\" next", ev->args->len, want);
        }
        assert_string_equal((const char *)ev->args->pdata[i], want);
    }
    va_end(ap);
    if (ev->args->len != i) {
        print_event(ev);
        fail_msg("%u args, expected %u", ev->args->len, i);
    }
}

static bool is_word_char(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

/* Whether a problem message names the key as a word of its own ("args[4].proto_tcp.seq: ..."
 * names seq, proto_tcp and args). */
static bool problem_names(const tracee_event *ev, const char *key)
{
    size_t n = strlen(key);
    for (guint i = 0; i < ps_problems_count(&ev->problems); i++) {
        const char *msg = ps_problems_at(&ev->problems, i)->message;
        for (const char *p = strstr(msg, key); p; p = strstr(p + 1, key)) {
            if ((p == msg || !is_word_char(p[-1])) && !is_word_char(p[n]))
                return true;
        }
    }
    return false;
}

static void check_problem(const tracee_event *ev, const char *key)
{
    if (!problem_names(ev, key)) {
        print_event(ev);
        fail_msg("no problem names \"%s\"", key);
    }
}

static void check_describe(const tracee_event *ev, const char *want)
{
    char text[1024];
    tracee_event_describe(ev, text, sizeof text);
    assert_string_equal(text, want);
}

/* The Info line ends with this (for lines whose start other tests pin down). */
static void check_describe_suffix(const tracee_event *ev, const char *want)
{
    char text[1024];
    tracee_event_describe(ev, text, sizeof text);
    size_t n = strlen(text), w = strlen(want);
    if (n < w || strcmp(text + n - w, want) != 0)
        fail_msg("\"%s\" does not end with \"%s\"", text, want);
}

static void check_pid(const tracee_event *ev, uint32_t want)
{
    uint32_t pid = 0xdeadbeef;
    assert_true(tracee_event_pid(ev, &pid));
    assert_int_equal(pid, want);
}

/* ---- the six real lines ----------------------------------------------------------------- */

typedef struct {
    uint64_t timestamp;
    uint32_t pid;          /* processId = threadId = hostProcessId = hostThreadId */
    uint32_t ppid;         /* parentProcessId = hostParentProcessId */
    const char *syscall;   /* NULL where the JSON says "" */
    uint16_t dst_port;
    uint32_t seq, ack;
    uint8_t data_offset;
    const char *flags;     /* FIN SYN RST PSH ACK URG ECE CWR NS */
    uint16_t window, checksum;
    const char *describe;
} real_line;

/* Read off /work/shared/samples/tracee/net_packet_tcp_v0.19-v0.23.jsonl by hand. Common to all:
 * processName "nc", userId 1000, cgroupId 5650, mountNamespace 4026531841, pidNamespace
 * 4026531836, hostName "rugged", eventId "2002", src fd12:3456:789a::2 port 8080, dst
 * fd12:3456:789a::1, urgent 0, executable path "", containerId "", no metadata argument. */
static const real_line real_lines[] = {
    {UINT64_C(1696272024347781212), 1107258, 1098248, NULL, 55013, 677659081, 0, 5, "001000000", 0, 21540,
     "net_packet_tcp nc (1107258) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:55013 [RST]"},
    {UINT64_C(1696272027374076813), 1107603, 1098248, NULL, 49963, 795748968, 922008806, 10, "010010000", 65464,
     21560, "net_packet_tcp nc (1107603) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:49963 [SYN, ACK]"},
    {UINT64_C(1696272027906687804), 1107548, 1037836, "socket", 49963, 795748969, 922008809, 8, "000010000", 512,
     21552, "net_packet_tcp nc (1107548) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:49963 [ACK]"},
    {UINT64_C(1696272027906697145), 1107603, 1098248, NULL, 49963, 795748969, 922008809, 8, "000010000", 512,
     21552, "net_packet_tcp nc (1107603) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:49963 [ACK]"},
    {UINT64_C(1696272028900730092), 1107548, 1037836, "write", 49963, 795748969, 922008809, 8, "000110000", 512,
     21556, "net_packet_tcp nc (1107548) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:49963 [PSH, ACK]"},
    {UINT64_C(1696272028900769370), 1107603, 1098248, NULL, 49963, 795748969, 922008809, 8, "000110000", 512,
     21556, "net_packet_tcp nc (1107603) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:49963 [PSH, ACK]"},
};

static void test_real_samples(void **state)
{
    (void)state;
    struct stat st;
    if (!sample_path || stat(sample_path, &st) != 0) {
        print_message("real tracee samples absent (%s): skipping\n",
                      sample_path ? sample_path : "no path given on the command line");
        skip();
    }
    char *text = NULL;
    gsize size = 0;
    GError *error = NULL;
    if (!g_file_get_contents(sample_path, &text, &size, &error))
        fail_msg("%s: %s", sample_path, error->message);
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    guint n = g_strv_length(lines);
    if (n > 0 && lines[n - 1][0] == '\0')
        n--; /* the newline that ends the file */
    assert_int_equal(n, COUNT(real_lines));
    for (guint i = 0; i < n; i++) {
        const real_line *want = &real_lines[i];
        tracee_event ev;
        print_message("line %u\n", i + 1);
        decode_clean(lines[i], &ev);
        assert_int_equal(ev.layout, TRACEE_LAYOUT_RELEASED);
        check_u(&ev, TRACEE_TIMESTAMP, want->timestamp);
        check_s(&ev, TRACEE_EVENT_NAME, "net_packet_tcp");
        check_u(&ev, TRACEE_EVENT_ID, 2002);
        check_u(&ev, TRACEE_PID, want->pid);
        check_u(&ev, TRACEE_TID, want->pid);
        check_u(&ev, TRACEE_HOST_PID, want->pid);
        check_u(&ev, TRACEE_HOST_TID, want->pid);
        check_u(&ev, TRACEE_PPID, want->ppid);
        check_u(&ev, TRACEE_HOST_PPID, want->ppid);
        check_u(&ev, TRACEE_UID, 1000);
        check_s(&ev, TRACEE_PROCESS_NAME, "nc");
        check_absent(&ev, TRACEE_EXECUTABLE);
        check_s(&ev, TRACEE_HOSTNAME, "rugged");
        check_u(&ev, TRACEE_CGROUP_ID, 5650);
        check_u(&ev, TRACEE_MNT_NS, 4026531841u);
        check_u(&ev, TRACEE_PID_NS, 4026531836u);
        if (want->syscall)
            check_s(&ev, TRACEE_SYSCALL, want->syscall);
        else
            check_absent(&ev, TRACEE_SYSCALL);
        check_absent(&ev, TRACEE_CONTAINER_ID);
        check_absent(&ev, TRACEE_CONTAINER_NAME);
        check_absent(&ev, TRACEE_POD_NAME);
        check_absent(&ev, TRACEE_DIRECTION); /* v0.19: no metadata argument */
        check_absent(&ev, TRACEE_FLOW_DIRECTION);
        check_ip(&ev, TRACEE_SRC_IP, "fd12:3456:789a::2");
        check_ip(&ev, TRACEE_DST_IP, "fd12:3456:789a::1");
        check_u(&ev, TRACEE_SRC_PORT, 8080);
        check_u(&ev, TRACEE_DST_PORT, want->dst_port);
        check_u(&ev, TRACEE_SEQ, want->seq);
        check_u(&ev, TRACEE_ACK, want->ack);
        check_u(&ev, TRACEE_DATA_OFFSET, want->data_offset);
        check_flags(&ev, want->flags);
        check_u(&ev, TRACEE_WINDOW, want->window);
        check_u(&ev, TRACEE_CHECKSUM, want->checksum);
        check_u(&ev, TRACEE_URGENT, 0);
        check_args(&ev, NULL); /* src, dst, ports and proto_tcp all have fields of their own */
        check_pid(&ev, want->pid);
        check_describe(&ev, want->describe);
        release(&ev);
    }
    g_strfreev(lines);
}

/* ---- released layout -------------------------------------------------------------------- */

static void test_released_v020_egress_container_k8s(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC1, &ev);
    assert_int_equal(ev.layout, TRACEE_LAYOUT_RELEASED);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400001000000));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_tcp");
    check_u(&ev, TRACEE_EVENT_ID, 2002); /* "eventId":"2002", a string */
    check_u(&ev, TRACEE_PID, 42);
    check_u(&ev, TRACEE_TID, 42);
    check_u(&ev, TRACEE_PPID, 1);
    check_u(&ev, TRACEE_HOST_PID, 4242);
    check_u(&ev, TRACEE_HOST_TID, 4242);
    check_u(&ev, TRACEE_HOST_PPID, 700);
    check_u(&ev, TRACEE_UID, 1000);
    check_s(&ev, TRACEE_PROCESS_NAME, "curl");
    check_s(&ev, TRACEE_EXECUTABLE, "/usr/bin/curl");
    check_s(&ev, TRACEE_HOSTNAME, "node-1");
    check_u(&ev, TRACEE_CGROUP_ID, 5650);
    check_u(&ev, TRACEE_MNT_NS, 4026532300u);
    check_u(&ev, TRACEE_PID_NS, 4026532301u);
    check_absent(&ev, TRACEE_SYSCALL); /* "" */
    check_s(&ev, TRACEE_CONTAINER_ID, "5d1c3c2b1a09");
    check_s(&ev, TRACEE_CONTAINER_NAME, "web");
    check_s(&ev, TRACEE_CONTAINER_IMAGE, "docker.io/library/nginx:1.25");
    check_s(&ev, TRACEE_POD_NAME, "web-7d4b9c");
    check_s(&ev, TRACEE_POD_NAMESPACE, "shop");
    check_s(&ev, TRACEE_POD_UID, "0f6b5c1e-3d2a-4c8e-9b7a-1e2d3c4b5a69");
    check_s(&ev, TRACEE_DIRECTION, "egress"); /* metadata.direction 2 */
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
    check_ip(&ev, TRACEE_DST_IP, "10.0.0.2");
    check_u(&ev, TRACEE_SRC_PORT, 51234);
    check_u(&ev, TRACEE_DST_PORT, 443);
    check_u(&ev, TRACEE_SEQ, 1000);
    check_u(&ev, TRACEE_ACK, 0);
    check_u(&ev, TRACEE_DATA_OFFSET, 10);
    check_flags(&ev, "010000000");
    check_u(&ev, TRACEE_WINDOW, 64240);
    check_u(&ev, TRACEE_CHECKSUM, 7238);
    check_u(&ev, TRACEE_URGENT, 0);
    check_absent(&ev, TRACEE_FLOW_DIRECTION);
    check_args(&ev, NULL);
    check_pid(&ev, 4242); /* the host pid, not processId 42 */
    check_describe(&ev, "net_packet_tcp curl (4242) 10.0.0.1:51234 → 10.0.0.2:443 [SYN]");
    release(&ev);
}

static void test_released_v020_ingress(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC2, &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400002000000));
    check_s(&ev, TRACEE_DIRECTION, "ingress"); /* metadata.direction 1 */
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.2");
    check_ip(&ev, TRACEE_DST_IP, "10.0.0.1");
    check_u(&ev, TRACEE_SRC_PORT, 443);
    check_u(&ev, TRACEE_DST_PORT, 51234);
    check_u(&ev, TRACEE_SEQ, 5000);
    check_u(&ev, TRACEE_ACK, 1001);
    check_u(&ev, TRACEE_DATA_OFFSET, 10);
    check_flags(&ev, "010010000");
    check_u(&ev, TRACEE_WINDOW, 65160);
    check_u(&ev, TRACEE_CHECKSUM, 41394);
    check_args(&ev, NULL);
    check_describe(&ev, "net_packet_tcp curl (4242) 10.0.0.2:443 → 10.0.0.1:51234 [SYN, ACK]");
    release(&ev);
}

static void test_released_all_flags_empty_container(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC3, &ev);
    check_u(&ev, TRACEE_PID, 4242);
    check_u(&ev, TRACEE_TID, 4243);
    check_u(&ev, TRACEE_PPID, 700);
    check_u(&ev, TRACEE_HOST_TID, 4243);
    check_u(&ev, TRACEE_MNT_NS, 4026531840u);
    check_u(&ev, TRACEE_PID_NS, 4026531836u);
    /* "containerId":"", "container":{}, "kubernetes":{} */
    check_absent(&ev, TRACEE_CONTAINER_ID);
    check_absent(&ev, TRACEE_CONTAINER_NAME);
    check_absent(&ev, TRACEE_CONTAINER_IMAGE);
    check_absent(&ev, TRACEE_POD_NAME);
    check_absent(&ev, TRACEE_POD_NAMESPACE);
    check_absent(&ev, TRACEE_POD_UID);
    check_s(&ev, TRACEE_DIRECTION, "egress");
    check_u(&ev, TRACEE_SEQ, 1001);
    check_u(&ev, TRACEE_ACK, 5001);
    check_u(&ev, TRACEE_DATA_OFFSET, 5);
    check_flags(&ev, "101111111");
    check_u(&ev, TRACEE_WINDOW, 501);
    check_u(&ev, TRACEE_CHECKSUM, 65535);
    check_u(&ev, TRACEE_URGENT, 7);
    check_describe(&ev, "net_packet_tcp curl (4242) 10.0.0.1:51234 → 10.0.0.2:443 "
                        "[FIN, RST, PSH, ACK, URG, ECE, CWR, NS]");
    release(&ev);
}

static void test_released_v019_no_metadata_empty_executable(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC4, &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400004000000));
    check_u(&ev, TRACEE_EVENT_ID, 2002);
    check_absent(&ev, TRACEE_DIRECTION);
    check_absent(&ev, TRACEE_EXECUTABLE); /* "executable":{"path":""} */
    check_absent(&ev, TRACEE_CONTAINER_ID);
    check_s(&ev, TRACEE_HOSTNAME, "rugged");
    check_ip(&ev, TRACEE_SRC_IP, "fd12:3456:789a::2");
    check_ip(&ev, TRACEE_DST_IP, "fd12:3456:789a::1");
    check_u(&ev, TRACEE_SEQ, 677659081);
    check_flags(&ev, "001000000");
    check_u(&ev, TRACEE_WINDOW, 0);
    check_u(&ev, TRACEE_CHECKSUM, 21540);
    check_args(&ev, NULL);
    check_describe(&ev, "net_packet_tcp nc (1107258) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:55013 [RST]");
    release(&ev);
}

static void test_released_kernel_thread_pid_zero(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC12, &ev);
    check_s(&ev, TRACEE_PROCESS_NAME, "swapper/1");
    check_u(&ev, TRACEE_PID, 0);
    check_u(&ev, TRACEE_HOST_PID, 0);
    check_u(&ev, TRACEE_UID, 0);
    check_pid(&ev, 0); /* pid 0 is a pid, not "unknown" */
    check_s(&ev, TRACEE_DIRECTION, "ingress");
    check_flags(&ev, "000010000");
    check_describe(&ev, "net_packet_tcp swapper/1 (0) 10.0.0.2:443 → 10.0.0.1:51234 [ACK]");
    release(&ev);
}

/* eventId as a number (what a hand-written event may say), a container known only by its id, and
 * the pid when only namespace pids are given. */
static void test_released_variants(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean("{\"timestamp\":5,\"eventId\":2002,\"eventName\":\"net_packet_tcp\",\"processId\":17,"
                 "\"containerId\":\"abc123\",\"container\":{\"id\":\"abc123\",\"name\":\"\",\"image\":\"\"},"
                 "\"kubernetes\":{\"podName\":\"p\",\"podNamespace\":\"\",\"podUID\":\"\"},"
                 "\"executable\":{\"path\":\"/bin/x\"},\"args\":[]}",
                 &ev);
    check_u(&ev, TRACEE_TIMESTAMP, 5);
    check_u(&ev, TRACEE_EVENT_ID, 2002);
    check_s(&ev, TRACEE_CONTAINER_ID, "abc123");
    check_absent(&ev, TRACEE_CONTAINER_NAME);
    check_absent(&ev, TRACEE_CONTAINER_IMAGE);
    check_s(&ev, TRACEE_POD_NAME, "p");
    check_absent(&ev, TRACEE_POD_NAMESPACE);
    check_absent(&ev, TRACEE_POD_UID);
    check_s(&ev, TRACEE_EXECUTABLE, "/bin/x");
    check_absent(&ev, TRACEE_HOST_PID);
    check_pid(&ev, 17); /* no host pid: the namespace pid */
    check_args(&ev, NULL);
    release(&ev);

    /* an older event without any of the optional keys: nothing to say, no problem either */
    decode_clean("{\"timestamp\":1,\"eventName\":\"sched_process_exit\",\"processName\":\"sh\"}", &ev);
    assert_int_equal(ev.layout, TRACEE_LAYOUT_RELEASED);
    check_s(&ev, TRACEE_PROCESS_NAME, "sh");
    uint32_t pid;
    assert_false(tracee_event_pid(&ev, &pid));
    release(&ev);
}

/* the 19-digit timestamp exactly, as a number and as a string of digits (never via a double,
 * which would give 1696272024347781120) */
static void test_timestamp_19_digits_exact(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean("{\"timestamp\":1696272024347781212,\"eventName\":\"x\"}", &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1696272024347781212));
    release(&ev);
    decode_clean("{\"timestamp\":\"1696272024347781213\",\"eventName\":\"x\"}", &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1696272024347781213));
    release(&ev);
    decode_clean("{\"timestamp\":9223372036854775807,\"eventName\":\"x\"}", &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(9223372036854775807));
    release(&ev);
}

/* ---- workload layout -------------------------------------------------------------------- */

static void test_workload_egress(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC5, &ev);
    assert_int_equal(ev.layout, TRACEE_LAYOUT_WORKLOAD);
    /* 2024-03-01T12:00:00Z is 1709294400 s */
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400005000001));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_tcp");
    check_absent(&ev, TRACEE_EVENT_ID); /* "id":"net_packet_tcp", the enum by name */
    check_u(&ev, TRACEE_HOST_PID, 5150);
    check_u(&ev, TRACEE_PID, 17);
    check_u(&ev, TRACEE_TID, 18);
    check_u(&ev, TRACEE_HOST_TID, 5151);
    check_u(&ev, TRACEE_UID, 33);
    check_s(&ev, TRACEE_PROCESS_NAME, "wget"); /* the thread name */
    check_s(&ev, TRACEE_EXECUTABLE, "/usr/bin/wget");
    check_s(&ev, TRACEE_SYSCALL, "sendto");
    check_u(&ev, TRACEE_PPID, 1);        /* ancestors[0].pid */
    check_u(&ev, TRACEE_HOST_PPID, 5100); /* ancestors[0].host_pid */
    check_s(&ev, TRACEE_CONTAINER_ID, "c0ffee123456");
    check_s(&ev, TRACEE_CONTAINER_NAME, "fetcher");
    check_s(&ev, TRACEE_CONTAINER_IMAGE, "docker.io/library/busybox:1.36");
    check_s(&ev, TRACEE_POD_NAME, "fetcher-1");
    check_s(&ev, TRACEE_POD_UID, "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d");
    check_s(&ev, TRACEE_POD_NAMESPACE, "jobs");
    check_s(&ev, TRACEE_DIRECTION, "egress"); /* "EGRESS" */
    check_ip(&ev, TRACEE_SRC_IP, "10.1.0.5");
    check_ip(&ev, TRACEE_DST_IP, "93.184.216.34");
    check_u(&ev, TRACEE_SRC_PORT, 40000);
    check_u(&ev, TRACEE_DST_PORT, 80);
    check_u(&ev, TRACEE_SEQ, 123456789);
    check_u(&ev, TRACEE_ACK, 987654321);
    check_u(&ev, TRACEE_DATA_OFFSET, 8);
    check_flags(&ev, "000110000"); /* psh_flag, ack_flag; the omitted ones are 0 */
    check_u(&ev, TRACEE_WINDOW, 502);
    check_u(&ev, TRACEE_CHECKSUM, 4660);
    check_u(&ev, TRACEE_URGENT, 0); /* omitted */
    check_args(&ev, NULL);
    check_pid(&ev, 5150);
    check_describe(&ev, "net_packet_tcp wget (5150) 10.1.0.5:40000 → 93.184.216.34:80 [PSH, ACK]");
    release(&ev);
}

static void test_workload_ingress_ipv6_omitted_zeros(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC6, &ev);
    assert_int_equal(ev.layout, TRACEE_LAYOUT_WORKLOAD);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400006000000));
    check_u(&ev, TRACEE_EVENT_ID, 2002);
    check_u(&ev, TRACEE_HOST_PID, 5150);
    check_u(&ev, TRACEE_PID, 17);
    check_u(&ev, TRACEE_TID, 18);
    check_u(&ev, TRACEE_HOST_TID, 5151);
    check_s(&ev, TRACEE_PROCESS_NAME, "wget");
    check_absent(&ev, TRACEE_PPID); /* no ancestors */
    check_absent(&ev, TRACEE_EXECUTABLE);
    check_absent(&ev, TRACEE_CONTAINER_ID);
    check_s(&ev, TRACEE_DIRECTION, "ingress"); /* 1 */
    check_ip(&ev, TRACEE_SRC_IP, "2001:db8::80");
    check_ip(&ev, TRACEE_DST_IP, "2001:db8::5");
    check_u(&ev, TRACEE_SRC_PORT, 80);
    check_u(&ev, TRACEE_DST_PORT, 40001);
    check_u(&ev, TRACEE_SEQ, 42);
    check_u(&ev, TRACEE_ACK, 1);
    check_u(&ev, TRACEE_DATA_OFFSET, 5);
    check_flags(&ev, "000010000");
    check_u(&ev, TRACEE_WINDOW, 0);
    check_u(&ev, TRACEE_CHECKSUM, 0);
    check_u(&ev, TRACEE_URGENT, 0);
    check_describe(&ev, "net_packet_tcp wget (5150) [2001:db8::80]:80 → [2001:db8::5]:40001 [ACK]");
    release(&ev);
}

/* protojson writes 64-bit integers as strings; the EventId and PacketDirection enums by name or
 * number (INGRESS = 1, EGRESS = 3 in api/v1beta1/event_data.proto). */
static void test_workload_strings_and_enums(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean("{\"timestamp\":\"2024-03-01T12:00:00Z\",\"id\":\"2002\",\"name\":\"net_packet_tcp\","
                 "\"workload\":{\"process\":{\"host_pid\":\"5150\",\"pid\":\"17\",\"real_user\":{\"id\":\"0\"},"
                 "\"thread\":{\"name\":\"wget\",\"host_tid\":\"5151\",\"tid\":\"18\"}}},"
                 "\"data\":[{\"name\":\"metadata\",\"packet_metadata\":{\"direction\":3}},"
                 "{\"name\":\"proto_tcp\",\"tcp\":{\"src_port\":\"80\",\"seq\":\"4294967295\",\"fin_flag\":\"1\"}}]}",
                 &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400000000000));
    check_u(&ev, TRACEE_EVENT_ID, 2002);
    check_u(&ev, TRACEE_HOST_PID, 5150);
    check_u(&ev, TRACEE_PID, 17);
    check_u(&ev, TRACEE_UID, 0);
    check_u(&ev, TRACEE_TID, 18);
    check_u(&ev, TRACEE_HOST_TID, 5151);
    check_s(&ev, TRACEE_DIRECTION, "egress");
    check_u(&ev, TRACEE_SRC_PORT, 80);
    check_u(&ev, TRACEE_DST_PORT, 0);
    check_u(&ev, TRACEE_SEQ, 4294967295u);
    check_flags(&ev, "100000000");
    release(&ev);

    decode_clean("{\"name\":\"net_packet_tcp\",\"data\":[{\"name\":\"metadata\","
                 "\"packet_metadata\":{\"direction\":\"INGRESS\"}}]}",
                 &ev);
    check_s(&ev, TRACEE_DIRECTION, "ingress");
    release(&ev);

    /* 2 is no PacketDirection of the workload layout */
    assert_true(decode("{\"name\":\"net_packet_tcp\",\"data\":[{\"name\":\"metadata\","
                       "\"packet_metadata\":{\"direction\":2}}]}",
                       &ev));
    check_absent(&ev, TRACEE_DIRECTION);
    check_problem(&ev, "direction");
    release(&ev);

    /* 3 is none of the released layout */
    assert_true(decode("{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"metadata\","
                       "\"value\":{\"direction\":3}}]}",
                       &ev));
    check_absent(&ev, TRACEE_DIRECTION);
    check_problem(&ev, "direction");
    release(&ev);
}

/* A workload event that is no network event: every data entry as name=value, 64-bit values
 * (strings in protojson) unchanged. */
static void test_workload_generic_event(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean("{\"timestamp\":\"2024-03-01T12:00:01.25+00:00\",\"id\":\"security_file_open\","
                 "\"name\":\"security_file_open\",\"workload\":{\"process\":{\"host_pid\":77,"
                 "\"thread\":{\"name\":\"cat\"}}},\"data\":[{\"name\":\"pathname\",\"str\":\"/etc/passwd\"},"
                 "{\"name\":\"flags\",\"int32\":0},{\"name\":\"inode\",\"u_int64\":\"18446744073709551615\"},"
                 "{\"name\":\"argv\",\"str_array\":{\"value\":[\"cat\",\"/etc/passwd\"]}}]}",
                 &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294401250000000));
    check_absent(&ev, TRACEE_EVENT_ID);
    check_args(&ev, "pathname=/etc/passwd", "flags=0", "inode=18446744073709551615",
               "argv={\"value\":[\"cat\",\"/etc/passwd\"]}", NULL);
    check_describe(&ev, "security_file_open cat (77) pathname=/etc/passwd, flags=0, inode=18446744073709551615, "
                        "argv={\"value\":[\"cat\",\"/etc/passwd\"]}");
    release(&ev);
}

/* ---- other network events ---------------------------------------------------------------- */

static void test_flow_begin(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC7, &ev);
    check_s(&ev, TRACEE_EVENT_NAME, "net_flow_tcp_begin");
    check_u(&ev, TRACEE_EVENT_ID, 2013);
    check_s(&ev, TRACEE_FLOW_DIRECTION, "outgoing");
    check_absent(&ev, TRACEE_DIRECTION);
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
    check_ip(&ev, TRACEE_DST_IP, "10.0.0.2");
    check_u(&ev, TRACEE_SRC_PORT, 51234);
    check_u(&ev, TRACEE_DST_PORT, 443);
    check_absent(&ev, TRACEE_FLAG_FIN);
    check_absent(&ev, TRACEE_SEQ);
    check_args(&ev, "src_dns=[]", "dst_dns=[\"shop.example\"]", NULL);
    check_describe(&ev, "net_flow_tcp_begin curl (4242) 10.0.0.1:51234 → 10.0.0.2:443 outgoing");
    release(&ev);
}

static void test_flow_end(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC8, &ev);
    check_s(&ev, TRACEE_EVENT_NAME, "net_flow_tcp_end");
    check_u(&ev, TRACEE_EVENT_ID, 2014);
    check_s(&ev, TRACEE_FLOW_DIRECTION, "incoming");
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.9");
    check_ip(&ev, TRACEE_DST_IP, "10.0.0.1");
    check_u(&ev, TRACEE_SRC_PORT, 60000);
    check_u(&ev, TRACEE_DST_PORT, 80);
    check_u(&ev, TRACEE_UID, 0);
    check_args(&ev, "src_dns=[]", "dst_dns=[]", NULL);
    check_pid(&ev, 900);
    check_describe(&ev, "net_flow_tcp_end nginx (900) 10.0.0.9:60000 → 10.0.0.1:80 incoming");
    release(&ev);
}

static void test_packet_ipv4(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC9, &ev);
    check_u(&ev, TRACEE_EVENT_ID, 2000);
    check_s(&ev, TRACEE_DIRECTION, "egress");
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
    check_ip(&ev, TRACEE_DST_IP, "10.0.0.2");
    check_absent(&ev, TRACEE_SRC_PORT);
    check_absent(&ev, TRACEE_FLAG_FIN);
    check_args(&ev,
               "proto_ipv4={\"version\":4,\"IHL\":5,\"TOS\":0,\"length\":60,\"id\":4660,\"flags\":2,"
               "\"fragOffset\":0,\"TTL\":64,\"protocol\":\"TCP\",\"checksum\":0,\"srcIP\":\"10.0.0.1\","
               "\"dstIP\":\"10.0.0.2\"}",
               NULL);
    check_describe(&ev, "net_packet_ipv4 curl (4242) 10.0.0.1 → 10.0.0.2");
    release(&ev);

    /* the addresses from proto_ipv4 alone */
    decode_clean("{\"eventName\":\"net_packet_ipv4\",\"hostProcessId\":9,\"processName\":\"x\",\"args\":["
                 "{\"name\":\"proto_ipv4\",\"type\":\"trace.ProtoIPv4\",\"value\":{\"version\":4,\"TTL\":63,"
                 "\"srcIP\":\"192.0.2.7\",\"dstIP\":\"198.51.100.9\"}}]}",
                 &ev);
    check_ip(&ev, TRACEE_SRC_IP, "192.0.2.7");
    check_ip(&ev, TRACEE_DST_IP, "198.51.100.9");
    check_args(&ev, "proto_ipv4={\"version\":4,\"TTL\":63,\"srcIP\":\"192.0.2.7\",\"dstIP\":\"198.51.100.9\"}", NULL);
    check_describe(&ev, "net_packet_ipv4 x (9) 192.0.2.7 → 198.51.100.9");
    release(&ev);

    /* the workload layout: an "ipv4" entry with snake_case names */
    decode_clean("{\"name\":\"net_packet_ipv4\",\"data\":[{\"name\":\"proto_ipv4\",\"ipv4\":{\"ttl\":64,"
                 "\"src_ip\":\"192.0.2.8\",\"dst_ip\":\"198.51.100.10\"}}]}",
                 &ev);
    check_ip(&ev, TRACEE_SRC_IP, "192.0.2.8");
    check_ip(&ev, TRACEE_DST_IP, "198.51.100.10");
    check_args(&ev, "proto_ipv4={\"ttl\":64,\"src_ip\":\"192.0.2.8\",\"dst_ip\":\"198.51.100.10\"}", NULL);
    release(&ev);
}

static void test_packet_ipv6(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC10, &ev);
    check_u(&ev, TRACEE_EVENT_ID, 2001);
    check_s(&ev, TRACEE_DIRECTION, "ingress");
    check_ip(&ev, TRACEE_SRC_IP, "2001:db8::2");
    check_ip(&ev, TRACEE_DST_IP, "2001:db8::1");
    check_args(&ev,
               "proto_ipv6={\"version\":6,\"trafficClass\":0,\"flowLabel\":12345,\"length\":40,"
               "\"nextHeader\":\"TCP\",\"hopLimit\":64,\"srcIP\":\"2001:db8::2\",\"dstIP\":\"2001:db8::1\"}",
               NULL);
    check_describe(&ev, "net_packet_ipv6 curl (4242) [2001:db8::2] → [2001:db8::1]");
    release(&ev);

    decode_clean("{\"eventName\":\"net_packet_ipv6\",\"processName\":\"x\",\"hostProcessId\":2,\"args\":[{\"name\":\"proto_ipv6\",\"value\":"
                 "{\"hopLimit\":1,\"srcIP\":\"fe80::1\",\"dstIP\":\"ff02::1:ff00:2\"}}]}",
                 &ev);
    check_ip(&ev, TRACEE_SRC_IP, "fe80::1");
    check_ip(&ev, TRACEE_DST_IP, "ff02::1:ff00:2");
    check_args(&ev, "proto_ipv6={\"hopLimit\":1,\"srcIP\":\"fe80::1\",\"dstIP\":\"ff02::1:ff00:2\"}", NULL);
    check_describe(&ev, "net_packet_ipv6 x (2) [fe80::1] → [ff02::1:ff00:2]");
    release(&ev);
}

/* ---- any other event ------------------------------------------------------------------------ */

static void test_generic_event(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC11, &ev);
    check_s(&ev, TRACEE_EVENT_NAME, "security_socket_connect");
    check_u(&ev, TRACEE_EVENT_ID, 1035);
    check_s(&ev, TRACEE_SYSCALL, "connect");
    check_s(&ev, TRACEE_PROCESS_NAME, "bash");
    check_absent(&ev, TRACEE_SRC_IP);
    check_absent(&ev, TRACEE_DST_IP);
    check_args(&ev, "sockfd=3", "type=1",
               "remote_addr={\"sa_family\":\"AF_INET\",\"sin_addr\":\"10.0.0.2\",\"sin_port\":\"443\"}", NULL);
    check_describe(&ev, "security_socket_connect bash (4242) sockfd=3, type=1, "
                        "remote_addr={\"sa_family\":\"AF_INET\",\"sin_addr\":\"10.0.0.2\",\"sin_port\":\"443\"}");
    release(&ev);

    /* "src"/"dst"/"src_port" of an event that is no network event stay arguments; every value
     * kind as text; an argument without a value is no argument */
    decode_clean("{\"eventName\":\"custom\",\"processName\":\"sh\",\"hostProcessId\":3,\"args\":[{\"name\":\"src\",\"value\":\"10.0.0.1\"},"
                 "{\"name\":\"src_port\",\"value\":80},{\"name\":\"n\",\"value\":null},{\"name\":\"b\",\"value\":true},"
                 "{\"name\":\"r\",\"value\":1.5},{\"name\":\"s\",\"value\":\"a b\"},{\"name\":\"e\",\"value\":\"\"},"
                 "{\"name\":\"o\",\"value\":{}}]}",
                 &ev);
    check_absent(&ev, TRACEE_SRC_IP);
    check_absent(&ev, TRACEE_SRC_PORT);
    check_args(&ev, "src=10.0.0.1", "src_port=80", "n=null", "b=true", "r=1.5", "s=a b", "e=", "o={}", NULL);
    check_describe(&ev, "custom sh (3) src=10.0.0.1, src_port=80, n=null, b=true, r=1.5, s=a b, e=, o={}");
    release(&ev);
}


/* ---- UDP and DNS ------------------------------------------------------------------------- */

static void check_answers(const tracee_event *ev, ...)
{
    va_list ap;
    va_start(ap, ev);
    guint i = 0;
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *), i++) {
        if (i >= ev->dns_answers->len) {
            print_event(ev);
            fail_msg("only %u answers, expected \"%s\" next", ev->dns_answers->len, want);
        }
        assert_string_equal((const char *)ev->dns_answers->pdata[i], want);
    }
    va_end(ap);
    assert_int_equal(ev->dns_answers->len, i);
}

/* The common part of the systemd-resolve lines: pid 472 everywhere, parent 1. */
static void check_systemd_resolve(const tracee_event *ev)
{
    assert_int_equal(ev->layout, TRACEE_LAYOUT_RELEASED);
    check_u(ev, TRACEE_PID, 472);
    check_u(ev, TRACEE_TID, 472);
    check_u(ev, TRACEE_HOST_PID, 472);
    check_u(ev, TRACEE_PPID, 1);
    check_u(ev, TRACEE_UID, 976);
    check_u(ev, TRACEE_CGROUP_ID, 2626);
    check_u(ev, TRACEE_MNT_NS, 4026532555u);
    check_s(ev, TRACEE_PROCESS_NAME, "systemd-resolve");
    check_s(ev, TRACEE_HOSTNAME, "rugged");
    check_absent(ev, TRACEE_EXECUTABLE);
    check_absent(ev, TRACEE_CONTAINER_ID);
    check_absent(ev, TRACEE_DIRECTION); /* no line of these has one */
}

static void test_real_dns_request(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REAL_DNS_REQUEST, &ev);
    check_systemd_resolve(&ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1696255905516744399));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_dns_request");
    check_u(&ev, TRACEE_EVENT_ID, 2007);
    check_s(&ev, TRACEE_SYSCALL, "write");
    /* the addressing comes from the PktMeta argument */
    check_ip(&ev, TRACEE_SRC_IP, "192.168.200.50");
    check_ip(&ev, TRACEE_DST_IP, "8.8.8.8");
    check_u(&ev, TRACEE_SRC_PORT, 56650);
    check_u(&ev, TRACEE_DST_PORT, 53);
    check_u(&ev, TRACEE_PROTOCOL, 17);
    check_u(&ev, TRACEE_PACKET_LEN, 68);
    check_absent(&ev, TRACEE_UDP_LENGTH);
    check_s(&ev, TRACEE_DNS_QUERY, "www.zip.net");
    check_s(&ev, TRACEE_DNS_QUERY_TYPE, "AAAA");
    check_answers(&ev, NULL);
    assert_int_equal(tracee_event_transport(&ev), 17);
    /* iface has no field: the metadata stays an argument; the question's class is in its text */
    check_args(&ev,
               "metadata={\"src_ip\":\"192.168.200.50\",\"dst_ip\":\"8.8.8.8\",\"src_port\":56650,\"dst_port\":53,"
               "\"protocol\":17,\"packet_len\":68,\"iface\":\"any\"}",
               "dns_questions=[{\"query\":\"www.zip.net\",\"query_type\":\"AAAA\",\"query_class\":\"IN\"}]", NULL);
    check_describe(&ev, "net_packet_dns_request systemd-resolve (472) 192.168.200.50:56650 → 8.8.8.8:53 AAAA www.zip.net");
    release(&ev);
}

static void test_real_dns_response(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REAL_DNS_RESPONSE, &ev);
    check_systemd_resolve(&ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1696257538821986017));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_dns_response");
    check_u(&ev, TRACEE_EVENT_ID, 2008);
    check_absent(&ev, TRACEE_SYSCALL);
    check_ip(&ev, TRACEE_SRC_IP, "1.1.1.1");
    check_ip(&ev, TRACEE_DST_IP, "192.168.200.50");
    check_u(&ev, TRACEE_SRC_PORT, 53);
    check_u(&ev, TRACEE_DST_PORT, 34184);
    check_u(&ev, TRACEE_PROTOCOL, 17);
    check_u(&ev, TRACEE_PACKET_LEN, 117);
    check_s(&ev, TRACEE_DNS_QUERY, "www.zip.net");
    check_s(&ev, TRACEE_DNS_QUERY_TYPE, "A");
    check_answers(&ev, "CNAME amazonas.uol.com.br", "A 200.147.100.53", NULL);
    check_describe(&ev, "net_packet_dns_response systemd-resolve (472) 1.1.1.1:53 → 192.168.200.50:34184 A www.zip.net "
                        "CNAME amazonas.uol.com.br A 200.147.100.53");
    release(&ev);
}

/* net_packet_dns: addressed by its own arguments; the authority's SOA is no answer. */
static void test_real_dns(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REAL_DNS_ANSWER, &ev);
    check_systemd_resolve(&ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1696255744257383842));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_dns");
    check_u(&ev, TRACEE_EVENT_ID, 2006);
    check_ip(&ev, TRACEE_SRC_IP, "8.8.8.8");
    check_ip(&ev, TRACEE_DST_IP, "192.168.200.50");
    check_u(&ev, TRACEE_SRC_PORT, 53);
    check_u(&ev, TRACEE_DST_PORT, 36031);
    check_absent(&ev, TRACEE_PROTOCOL);
    check_absent(&ev, TRACEE_PACKET_LEN);
    check_s(&ev, TRACEE_DNS_QUERY, "www.zip.net");
    check_s(&ev, TRACEE_DNS_QUERY_TYPE, "AAAA");
    check_answers(&ev, "CNAME amazonas.uol.com.br", NULL);
    assert_int_equal(tracee_event_transport(&ev), 17);
    assert_int_equal(ev.args->len, 1); /* proto_dns, kept whole */
    assert_true(g_str_has_prefix(ev.args->pdata[0], "proto_dns={\"ID\":57779,\"QR\":1,"));
    check_describe(&ev, "net_packet_dns systemd-resolve (472) 8.8.8.8:53 → 192.168.200.50:36031 AAAA www.zip.net "
                        "CNAME amazonas.uol.com.br");
    release(&ev);

    /* a query: a thread of another process, no answers */
    decode_clean(REAL_DNS_QUERY, &ev);
    check_u(&ev, TRACEE_HOST_PID, 1053474);
    check_u(&ev, TRACEE_HOST_TID, 1053476);
    check_s(&ev, TRACEE_PROCESS_NAME, "isc-net-0000");
    check_s(&ev, TRACEE_SYSCALL, "sendmmsg");
    check_ip(&ev, TRACEE_SRC_IP, "127.0.0.1");
    check_ip(&ev, TRACEE_DST_IP, "127.0.0.53");
    check_u(&ev, TRACEE_SRC_PORT, 44493);
    check_u(&ev, TRACEE_DST_PORT, 53);
    check_s(&ev, TRACEE_DNS_QUERY, "www.uol.com.br");
    check_s(&ev, TRACEE_DNS_QUERY_TYPE, "A");
    check_answers(&ev, NULL);
    check_describe(&ev, "net_packet_dns isc-net-0000 (1053474) 127.0.0.1:44493 → 127.0.0.53:53 A www.uol.com.br");
    release(&ev);
}

static void test_real_udp(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REAL_UDP, &ev);
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1696272374106561233));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_udp");
    check_u(&ev, TRACEE_EVENT_ID, 2003);
    check_u(&ev, TRACEE_HOST_PID, 1108786);
    check_u(&ev, TRACEE_HOST_PPID, 1037836);
    check_s(&ev, TRACEE_PROCESS_NAME, "nc");
    check_s(&ev, TRACEE_SYSCALL, "write");
    check_ip(&ev, TRACEE_SRC_IP, "fd12:3456:789a::2");
    check_ip(&ev, TRACEE_DST_IP, "fd12:3456:789a::1");
    check_u(&ev, TRACEE_SRC_PORT, 8080);
    check_u(&ev, TRACEE_DST_PORT, 37294);
    check_u(&ev, TRACEE_UDP_LENGTH, 12);
    check_u(&ev, TRACEE_UDP_CHECKSUM, 21543);
    check_absent(&ev, TRACEE_CHECKSUM); /* TCP's */
    check_absent(&ev, TRACEE_DIRECTION);
    check_args(&ev, NULL);
    assert_int_equal(tracee_event_transport(&ev), 17);
    check_describe(&ev, "net_packet_udp nc (1108786) [fd12:3456:789a::2]:8080 → [fd12:3456:789a::1]:37294 Len=4");
    release(&ev);
}

#define WL_HEAD(name) \
    "{\"timestamp\":\"2024-03-01T12:00:00.015Z\",\"id\":2003,\"name\":\"" name "\",\"workload\":{\"process\":" \
    "{\"host_pid\":6100,\"pid\":12,\"thread\":{\"name\":\"dig\",\"host_tid\":6100,\"tid\":12}}},\"data\":["

/* The workload layout: snake_case headers, zeros left out, the DNS lists inside wrapper messages. */
static void test_workload_udp_dns(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(WL_HEAD("net_packet_udp") "{\"name\":\"src\",\"str\":\"10.1.0.5\"},{\"name\":\"dst\",\"str\":"
                 "\"10.1.0.53\"},{\"name\":\"src_port\",\"u_int32\":41000},{\"name\":\"dst_port\",\"u_int32\":53},"
                 "{\"name\":\"metadata\",\"packet_metadata\":{\"direction\":\"EGRESS\"}},{\"name\":\"proto_udp\","
                 "\"udp\":{\"src_port\":41000,\"dst_port\":53,\"length\":48}}]}",
                 &ev);
    assert_int_equal(ev.layout, TRACEE_LAYOUT_WORKLOAD);
    check_s(&ev, TRACEE_DIRECTION, "egress");
    check_u(&ev, TRACEE_SRC_PORT, 41000);
    check_u(&ev, TRACEE_UDP_LENGTH, 48);
    check_u(&ev, TRACEE_UDP_CHECKSUM, 0); /* left out: zero */
    check_args(&ev, NULL);
    check_describe(&ev, "net_packet_udp dig (6100) 10.1.0.5:41000 → 10.1.0.53:53 Len=40");
    release(&ev);

    decode_clean(WL_HEAD("net_packet_dns_request") "{\"name\":\"metadata\",\"packet_metadata\":{\"src_ip\":"
                 "\"2001:db8::5\",\"dst_ip\":\"2001:db8::53\",\"src_port\":41000,\"dst_port\":53,\"protocol\":17,"
                 "\"packet_len\":48,\"direction\":\"EGRESS\"}},{\"name\":\"dns_questions\",\"dns_questions\":"
                 "{\"questions\":[{\"query\":\"example.com\",\"query_type\":\"A\",\"query_class\":\"IN\"}]}}]}",
                 &ev);
    check_ip(&ev, TRACEE_SRC_IP, "2001:db8::5");
    check_ip(&ev, TRACEE_DST_IP, "2001:db8::53");
    check_u(&ev, TRACEE_DST_PORT, 53);
    check_u(&ev, TRACEE_PROTOCOL, 17);
    check_u(&ev, TRACEE_PACKET_LEN, 48);
    check_s(&ev, TRACEE_DIRECTION, "egress");
    check_s(&ev, TRACEE_DNS_QUERY, "example.com");
    check_s(&ev, TRACEE_DNS_QUERY_TYPE, "A");
    /* every metadata member has a field: only the questions stay an argument */
    check_args(&ev, "dns_questions={\"questions\":[{\"query\":\"example.com\",\"query_type\":\"A\","
                    "\"query_class\":\"IN\"}]}", NULL);
    release(&ev);

    decode_clean(WL_HEAD("net_packet_dns_response") "{\"name\":\"dns_response\",\"dns_responses\":{\"responses\":"
                 "[{\"dns_query_data\":{\"query\":\"example.com\",\"query_type\":\"A\"},\"dns_answer\":[{\"type\":"
                 "\"A\",\"ttl\":300,\"answer\":\"93.184.216.34\"}]}]}}]}",
                 &ev);
    check_s(&ev, TRACEE_DNS_QUERY, "example.com");
    check_answers(&ev, "A 93.184.216.34", NULL);
    release(&ev);

    decode_clean(WL_HEAD("net_packet_dns") "{\"name\":\"proto_dns\",\"dns\":{\"id\":7,\"qr\":1,\"questions\":"
                 "[{\"name\":\"example.com\",\"type\":\"MX\",\"class\":\"IN\"}],\"answers\":[{\"name\":"
                 "\"example.com\",\"type\":\"MX\",\"ttl\":300,\"mx\":{\"Preference\":10,\"name\":\"mail.example.com\"}},"
                 "{\"name\":\"mail.example.com\",\"type\":\"AAAA\",\"ip\":\"2001:db8::25\"}]}}]}",
                 &ev);
    check_s(&ev, TRACEE_DNS_QUERY_TYPE, "MX");
    check_answers(&ev, "MX mail.example.com", "AAAA 2001:db8::25", NULL);
    assert_int_equal(tracee_event_transport(&ev), 17);
    release(&ev);
}

/* Each bad value is a problem naming its key, and that field is left out. */
static void test_problems_udp_dns(void **state)
{
    (void)state;
    static const struct {
        const char *arg;
        const char *key;
        tracee_field field;
    } cases[] = {
        {"{\"name\":\"proto_udp\",\"value\":{\"length\":65536}}", "length", TRACEE_UDP_LENGTH},
        {"{\"name\":\"proto_udp\",\"value\":{\"checksum\":\"x\"}}", "checksum", TRACEE_UDP_CHECKSUM},
        {"{\"name\":\"proto_udp\",\"value\":[12]}", "proto_udp", TRACEE_UDP_LENGTH},
        {"{\"name\":\"metadata\",\"value\":{\"src_ip\":\"999.1.1.1\"}}", "src_ip", TRACEE_SRC_IP},
        {"{\"name\":\"metadata\",\"value\":{\"dst_port\":70000}}", "dst_port", TRACEE_DST_PORT},
        {"{\"name\":\"metadata\",\"value\":{\"protocol\":256}}", "protocol", TRACEE_PROTOCOL},
        {"{\"name\":\"metadata\",\"value\":{\"packet_len\":-1}}", "packet_len", TRACEE_PACKET_LEN},
        {"{\"name\":\"dns_questions\",\"value\":[{\"query\":5,\"query_type\":\"A\"}]}", "query", TRACEE_DNS_QUERY},
        {"{\"name\":\"dns_questions\",\"value\":[\"www.zip.net\"]}", "query", TRACEE_DNS_QUERY},
        {"{\"name\":\"dns_questions\",\"value\":\"www.zip.net\"}", "dns_questions", TRACEE_DNS_QUERY},
        {"{\"name\":\"dns_response\",\"value\":[{\"query_data\":{\"query_type\":[]}}]}", "query_type",
         TRACEE_DNS_QUERY_TYPE},
        {"{\"name\":\"proto_dns\",\"value\":{\"questions\":{}}}", "questions", TRACEE_DNS_QUERY},
        {"{\"name\":\"proto_dns\",\"value\":7}", "proto_dns", TRACEE_DNS_QUERY},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char *json = owned(g_strdup_printf("{\"eventName\":\"net_packet_dns\",\"processId\":5,\"args\":[%s]}",
                                           cases[i].arg));
        tracee_event ev;
        print_message("%s\n", json);
        assert_true(decode(json, &ev));
        check_problem(&ev, cases[i].key);
        check_absent(&ev, cases[i].field);
        check_u(&ev, TRACEE_PID, 5);
        release(&ev);
    }

    /* a bad answer type still leaves its data; an answer that is no object is a problem */
    tracee_event ev;
    assert_true(decode("{\"eventName\":\"net_packet_dns_response\",\"args\":[{\"name\":\"dns_response\",\"value\":"
                       "[{\"dns_answer\":[{\"answer_type\":1,\"answer\":\"x\"},\"y\"]}]}]}",
                       &ev));
    check_problem(&ev, "answer_type");
    assert_int_equal(ps_problems_count(&ev.problems), 2);
    check_answers(&ev, "x", NULL);
    release(&ev);
}

/* ---- describe ----------------------------------------------------------------------------- */

static void test_describe_no_flags_set(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean("{\"eventName\":\"net_packet_tcp\",\"processName\":\"nc\",\"hostProcessId\":5,\"args\":["
                 "{\"name\":\"src\",\"value\":\"::1\"},{\"name\":\"dst\",\"value\":\"::2\"},"
                 "{\"name\":\"src_port\",\"value\":1},{\"name\":\"dst_port\",\"value\":2},"
                 "{\"name\":\"proto_tcp\",\"value\":{\"srcPort\":1,\"dstPort\":2,\"FIN\":0,\"SYN\":0,\"RST\":0,"
                 "\"PSH\":0,\"ACK\":0,\"URG\":0,\"ECE\":0,\"CWR\":0,\"NS\":0}}]}",
                 &ev);
    check_flags(&ev, "000000000");
    check_describe(&ev, "net_packet_tcp nc (5) [::1]:1 → [::2]:2 [<None>]");
    release(&ev);
}

/* Each flag alone, and the order of all nine. */
static void test_describe_flag_order(void **state)
{
    (void)state;
    static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"};
    for (int i = 0; i < 9; i++) {
        GString *json = g_string_new("{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"value\":{");
        for (int j = 0; j < 9; j++)
            g_string_append_printf(json, "%s\"%s\":%d", j ? "," : "", names[j], i == j);
        g_string_append(json, "}}]}");
        tracee_event ev;
        decode_clean(json->str, &ev);
        char want[64];
        snprintf(want, sizeof want, " [%s]", names[i]);
        check_describe_suffix(&ev, want);
        release(&ev);
        g_string_free(json, TRUE);
    }
}

/* A flag with a bad value must not hide the others. */
static void test_describe_flags_survive_a_bad_fin(void **state)
{
    (void)state;
    tracee_event ev;
    assert_true(decode("{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"value\":"
                       "{\"FIN\":2,\"SYN\":1,\"RST\":0,\"PSH\":0,\"ACK\":1,\"URG\":0,\"ECE\":0,\"CWR\":0,\"NS\":0}}]}",
                       &ev));
    check_problem(&ev, "FIN");
    check_absent(&ev, TRACEE_FLAG_FIN);
    check_u(&ev, TRACEE_FLAG_SYN, 1);
    check_u(&ev, TRACEE_FLAG_ACK, 1);
    check_describe_suffix(&ev, " [SYN, ACK]");
    release(&ev);
}

/* A short buffer: cut between whole characters, still terminated, a prefix of the whole. */
static void test_describe_small_buffers(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC1, &ev);
    const char *full = "net_packet_tcp curl (4242) 10.0.0.1:51234 → 10.0.0.2:443 [SYN]";
    for (size_t size = 1; size <= strlen(full) + 2; size++) {
        char *out = malloc(size); /* exactly sized: ASan sees a write past it */
        assert_non_null(out);
        tracee_event_describe(&ev, out, size);
        size_t want_len = MIN(size - 1, strlen(full));
        while (want_len > 0 && ((unsigned char)full[want_len] & 0xC0) == 0x80) /* inside the arrow */
            want_len--;
        assert_int_equal(strlen(out), want_len);
        assert_memory_equal(out, full, want_len);
        free(out);
    }
    release(&ev);
}

/* ---- problems ------------------------------------------------------------------------------- */

static void test_problems_wrong_types(void **state)
{
    (void)state;
    tracee_event ev;
    /* REC-like net_packet_tcp with processId "abc", dst "not-an-ip", dst_port 70000, seq -1,
     * FIN 2; proto_tcp has no dstPort so that the bad dst_port argument is the only source. */
    assert_true(decode("{\"timestamp\":1709294400014000000,\"processId\":\"abc\",\"threadId\":7,"
                       "\"hostProcessId\":7,\"processName\":\"bad\",\"eventId\":\"2002\","
                       "\"eventName\":\"net_packet_tcp\",\"args\":["
                       "{\"name\":\"src\",\"type\":\"string\",\"value\":\"10.0.0.1\"},"
                       "{\"name\":\"dst\",\"type\":\"string\",\"value\":\"not-an-ip\"},"
                       "{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":51234},"
                       "{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":70000},"
                       "{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":51234,"
                       "\"seq\":-1,\"ack\":9,\"dataOffset\":5,\"FIN\":2,\"SYN\":1,\"RST\":0,\"PSH\":0,\"ACK\":0,"
                       "\"URG\":0,\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":64240,\"checksum\":0,\"urgent\":0}}]}",
                       &ev));
    check_problem(&ev, "processId");
    check_problem(&ev, "dst");
    check_problem(&ev, "dst_port");
    check_problem(&ev, "seq");
    check_problem(&ev, "FIN");
    assert_int_equal(ps_problems_count(&ev.problems), 5);
    check_absent(&ev, TRACEE_PID);
    check_absent(&ev, TRACEE_DST_IP);
    check_absent(&ev, TRACEE_DST_PORT);
    check_absent(&ev, TRACEE_SEQ);
    check_absent(&ev, TRACEE_FLAG_FIN);
    /* the rest still decodes */
    check_u(&ev, TRACEE_TIMESTAMP, UINT64_C(1709294400014000000));
    check_u(&ev, TRACEE_TID, 7);
    check_u(&ev, TRACEE_HOST_PID, 7);
    check_s(&ev, TRACEE_PROCESS_NAME, "bad");
    check_u(&ev, TRACEE_EVENT_ID, 2002);
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
    check_u(&ev, TRACEE_SRC_PORT, 51234);
    check_u(&ev, TRACEE_ACK, 9);
    check_u(&ev, TRACEE_DATA_OFFSET, 5);
    check_u(&ev, TRACEE_FLAG_SYN, 1);
    check_u(&ev, TRACEE_FLAG_NS, 0);
    check_u(&ev, TRACEE_WINDOW, 64240);
    check_args(&ev, NULL);
    release(&ev);
}

static void test_problems_proto_tcp_not_an_object(void **state)
{
    (void)state;
    static const char *const values[] = {"\"oops\"", "[1,2]", "7", "null"};
    for (size_t i = 0; i < COUNT(values); i++) {
        char *json = owned(g_strdup_printf("{\"eventName\":\"net_packet_tcp\",\"args\":["
                                     "{\"name\":\"src\",\"value\":\"10.0.0.1\"},{\"name\":\"src_port\",\"value\":1},"
                                     "{\"name\":\"proto_tcp\",\"value\":%s}]}",
                                     values[i]));
        tracee_event ev;
        print_message("proto_tcp = %s\n", values[i]);
        assert_true(decode(json, &ev));
        check_problem(&ev, "proto_tcp");
        check_absent(&ev, TRACEE_SEQ);
        check_absent(&ev, TRACEE_FLAG_FIN);
        check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
        check_u(&ev, TRACEE_SRC_PORT, 1);
        release(&ev);
    }
}

/* Wrong types in the other known keys: one problem naming the key each, the field absent. */
static void test_problems_every_key(void **state)
{
    (void)state;
    static const struct {
        const char *member; /* inserted into a released event */
        const char *key;
        tracee_field field;
    } cases[] = {
        {"\"timestamp\":\"soon\"", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":-1", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":1.5", "timestamp", TRACEE_TIMESTAMP},
        {"\"eventId\":\"x2002\"", "eventId", TRACEE_EVENT_ID},
        {"\"eventId\":\"\"", "eventId", TRACEE_EVENT_ID},
        {"\"threadId\":[]", "threadId", TRACEE_TID},
        {"\"parentProcessId\":{}", "parentProcessId", TRACEE_PPID},
        {"\"hostProcessId\":4294967296", "hostProcessId", TRACEE_HOST_PID},
        {"\"hostThreadId\":true", "hostThreadId", TRACEE_HOST_TID},
        {"\"hostParentProcessId\":\"-1\"", "hostParentProcessId", TRACEE_HOST_PPID},
        {"\"userId\":1e3", "userId", TRACEE_UID},
        {"\"processName\":42", "processName", TRACEE_PROCESS_NAME},
        {"\"hostName\":[\"a\"]", "hostName", TRACEE_HOSTNAME},
        {"\"cgroupId\":-5", "cgroupId", TRACEE_CGROUP_ID},
        {"\"mountNamespace\":\"ns\"", "mountNamespace", TRACEE_MNT_NS},
        {"\"pidNamespace\":false", "pidNamespace", TRACEE_PID_NS},
        {"\"syscall\":3", "syscall", TRACEE_SYSCALL},
        {"\"containerId\":{}", "containerId", TRACEE_CONTAINER_ID},
        {"\"executable\":\"/bin/sh\"", "executable", TRACEE_EXECUTABLE},
        {"\"executable\":{\"path\":7}", "path", TRACEE_EXECUTABLE},
        {"\"container\":[]", "container", TRACEE_CONTAINER_NAME},
        {"\"container\":{\"name\":1}", "name", TRACEE_CONTAINER_NAME},
        {"\"container\":{\"image\":[]}", "image", TRACEE_CONTAINER_IMAGE},
        {"\"kubernetes\":\"k\"", "kubernetes", TRACEE_POD_NAME},
        {"\"kubernetes\":{\"podName\":1}", "podName", TRACEE_POD_NAME},
        {"\"kubernetes\":{\"podNamespace\":1}", "podNamespace", TRACEE_POD_NAMESPACE},
        {"\"kubernetes\":{\"podUID\":1}", "podUID", TRACEE_POD_UID},
        {"\"args\":{}", "args", TRACEE_SRC_IP},
        {"\"args\":[{\"name\":\"src\",\"value\":10}]", "src", TRACEE_SRC_IP},
        {"\"args\":[{\"name\":\"src\",\"value\":\"10.0.0.256\"}]", "src", TRACEE_SRC_IP},
        {"\"args\":[{\"name\":\"dst\",\"value\":\"fe80::1%eth0\"}]", "dst", TRACEE_DST_IP},
        {"\"args\":[{\"name\":\"src_port\",\"value\":\"http\"}]", "src_port", TRACEE_SRC_PORT},
        {"\"args\":[{\"name\":\"src_port\",\"value\":-1}]", "src_port", TRACEE_SRC_PORT},
        {"\"args\":[{\"name\":\"conn_direction\",\"value\":1}]", "conn_direction", TRACEE_FLOW_DIRECTION},
        {"\"args\":[{\"name\":\"metadata\",\"value\":{\"direction\":0}}]", "direction", TRACEE_DIRECTION},
        {"\"args\":[{\"name\":\"metadata\",\"value\":{\"direction\":\"sideways\"}}]", "direction", TRACEE_DIRECTION},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"srcPort\":65536}}]", "srcPort", TRACEE_SRC_PORT},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"ack\":4294967296}}]", "ack", TRACEE_ACK},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"dataOffset\":16}}]", "dataOffset", TRACEE_DATA_OFFSET},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"NS\":\"1x\"}}]", "NS", TRACEE_FLAG_NS},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"window\":1.0}}]", "window", TRACEE_WINDOW},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"checksum\":[]}}]", "checksum", TRACEE_CHECKSUM},
        {"\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"urgent\":-7}}]", "urgent", TRACEE_URGENT},
        {"\"args\":[{\"name\":\"proto_ipv4\",\"value\":{\"srcIP\":4}}]", "srcIP", TRACEE_SRC_IP},
        {"\"args\":[{\"name\":\"proto_ipv6\",\"value\":{\"dstIP\":\"::g\"}}]", "dstIP", TRACEE_DST_IP},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char *json = owned(g_strdup_printf("{\"eventName\":\"net_packet_tcp\",\"processId\":5,%s}", cases[i].member));
        tracee_event ev;
        print_message("%s\n", json);
        assert_true(decode(json, &ev));
        check_problem(&ev, cases[i].key);
        check_absent(&ev, cases[i].field);
        check_u(&ev, TRACEE_PID, 5); /* the rest still decodes */
        check_s(&ev, TRACEE_EVENT_NAME, "net_packet_tcp");
        release(&ev);
    }

    /* the workload layout's keys */
    static const struct {
        const char *member;
        const char *key;
        tracee_field field;
    } wcases[] = {
        {"\"timestamp\":1709294400000000000", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":\"2024-03-01 12:00\"", "timestamp", TRACEE_TIMESTAMP},
        {"\"id\":-2", "id", TRACEE_EVENT_ID},
        {"\"id\":\"20x\"", "id", TRACEE_EVENT_ID},
        {"\"workload\":[]", "workload", TRACEE_HOST_PID},
        {"\"workload\":{\"process\":1}", "process", TRACEE_HOST_PID},
        {"\"workload\":{\"process\":{\"host_pid\":\"x\"}}", "host_pid", TRACEE_HOST_PID},
        {"\"workload\":{\"process\":{\"real_user\":{\"id\":-1}}}", "id", TRACEE_UID},
        {"\"workload\":{\"process\":{\"thread\":{\"tid\":[]}}}", "tid", TRACEE_TID},
        {"\"workload\":{\"process\":{\"thread\":{\"name\":5}}}", "name", TRACEE_PROCESS_NAME},
        {"\"workload\":{\"process\":{\"executable\":{\"path\":{}}}}", "path", TRACEE_EXECUTABLE},
        {"\"workload\":{\"process\":{\"ancestors\":{}}}", "ancestors", TRACEE_PPID},
        {"\"workload\":{\"process\":{\"ancestors\":[{\"pid\":\"p\"}]}}", "pid", TRACEE_PPID},
        {"\"workload\":{\"container\":{\"image\":\"busybox\"}}", "image", TRACEE_CONTAINER_IMAGE},
        {"\"workload\":{\"k8s\":{\"pod\":{\"name\":1}}}", "name", TRACEE_POD_NAME},
        {"\"workload\":{\"k8s\":{\"namespace\":{\"name\":true}}}", "name", TRACEE_POD_NAMESPACE},
        {"\"data\":[{\"name\":\"src\",\"str\":\"nope\"}]", "src", TRACEE_SRC_IP},
        {"\"data\":[{\"name\":\"proto_tcp\",\"tcp\":{\"syn_flag\":2}}]", "syn_flag", TRACEE_FLAG_SYN},
        {"\"data\":[{\"name\":\"proto_tcp\",\"tcp\":{\"seq\":\"-1\"}}]", "seq", TRACEE_SEQ},
    };
    for (size_t i = 0; i < COUNT(wcases); i++) {
        char *json = owned(g_strdup_printf("{\"name\":\"net_packet_tcp\",%s}", wcases[i].member));
        tracee_event ev;
        print_message("%s\n", json);
        assert_true(decode(json, &ev));
        assert_int_equal(ev.layout, TRACEE_LAYOUT_WORKLOAD);
        check_problem(&ev, wcases[i].key);
        check_absent(&ev, wcases[i].field);
        check_s(&ev, TRACEE_EVENT_NAME, "net_packet_tcp");
        release(&ev);
    }
}

/* An argument that is no object with a name is a problem, the others still count. */
static void test_problems_bad_arguments(void **state)
{
    (void)state;
    tracee_event ev;
    assert_true(decode("{\"eventName\":\"net_packet_tcp\",\"args\":[7,{\"value\":\"10.0.0.1\"},{\"name\":3,"
                       "\"value\":1},{\"name\":\"dst\",\"value\":\"10.0.0.2\"}]}",
                       &ev));
    assert_int_equal(ps_problems_count(&ev.problems), 3);
    check_problem(&ev, "name");
    check_absent(&ev, TRACEE_SRC_IP);
    check_ip(&ev, TRACEE_DST_IP, "10.0.0.2");
    release(&ev);
}

/* Not an object, not JSON: false, and the first problem says why. */
static void test_not_an_object(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "[{\"eventName\":\"net_packet_tcp\"}]", "\"net_packet_tcp\"", "42", "null", "true",
        "{\"timestamp\":1709294400013000000,\"eventName\":\"net_packet_tcp\",\"processId\":12",
        "{\"eventName\":\"x\"} {\"eventName\":\"y\"}", "{\"eventName\":\"x\",}", "{'eventName':'x'}",
    };
    for (size_t i = 0; i < COUNT(inputs); i++) {
        tracee_event ev;
        assert_false(decode(inputs[i], &ev));
        assert_true(ps_problems_count(&ev.problems) >= 1);
        assert_true(strlen(ps_problems_first(&ev.problems)->message) > 0);
        for (int f = 0; f < TRACEE_FIELD_COUNT; f++)
            check_absent(&ev, (tracee_field)f);
        assert_int_equal(ev.args->len, 0);
        char text[256];
        tracee_event_describe(&ev, text, sizeof text); /* still safe to describe */
        release(&ev);
    }
}

static void test_clear(void **state)
{
    (void)state;
    tracee_event ev;
    decode_clean(REC1, &ev);
    untrack(&ev);
    tracee_event_clear(&ev);
    assert_null(ev.args);
    assert_null(ev.problems.items);
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++) {
        assert_false(ev.v[f].present);
        assert_null(ev.v[f].s);
    }
    tracee_event_clear(&ev); /* twice is harmless */
    assert_false(decode("", &ev));
    untrack(&ev);
    tracee_event_clear(&ev);
    tracee_event_clear(&ev);
}

/* ---- RFC 3339 timestamps, in a child process ----------------------------------------------------
 * An overflow caught by UBSan ends the process: the child's death fails this test, not the run. */

typedef struct {
    const char *text;
    bool valid;
    uint64_t ns;
} stamp_case;

static const stamp_case stamp_cases[] = {
    {"2024-03-01T12:00:00.005000001Z", true, UINT64_C(1709294400005000001)},
    {"2024-03-01T12:00:00.006Z", true, UINT64_C(1709294400006000000)},
    {"2024-03-01T13:00:00.5+01:00", true, UINT64_C(1709294400500000000)},
    {"2024-03-01T06:30:00-05:30", true, UINT64_C(1709294400000000000)},
    {"2024-03-01t12:00:00z", true, UINT64_C(1709294400000000000)},
    {"1970-01-01T00:00:00Z", true, 0},
    {"2262-01-01T00:00:00Z", true, UINT64_C(9214646400000000000)},
    {"1969-12-31T23:59:59Z", false, 0},
    {"0001-01-01T00:00:00Z", false, 0},
    {"2263-01-01T00:00:00Z", false, 0},
    {"9999-12-31T23:59:59.999999999Z", false, 0},
    {"9999-12-31T23:59:59-23:59", false, 0},
    {"2024-02-30T00:00:00Z", false, 0},
    {"2024-13-01T00:00:00Z", false, 0},
    {"2024-03-01T24:00:00Z", false, 0},
    {"2024-03-01T12:00:00", false, 0},
    {"2024-03-01T12:00:00.Z", false, 0},
    {"2024-03-01T12:00:00+0100", false, 0},
    {"2024-03-01", false, 0},
    {"", false, 0},
};

static int stamp_child(void)
{
    int failures = 0;
    for (size_t i = 0; i < COUNT(stamp_cases); i++) {
        const stamp_case *c = &stamp_cases[i];
        char *json = g_strdup_printf("{\"name\":\"x\",\"timestamp\":\"%s\"}", c->text);
        tracee_event ev;
        bool ok = tracee_event_decode(json, strlen(json), &ev);
        const tracee_value *v = &ev.v[TRACEE_TIMESTAMP];
        bool good = ok && (c->valid ? v->present && v->u == c->ns && ps_problems_count(&ev.problems) == 0
                                    : !v->present && problem_names(&ev, "timestamp"));
        if (!good) {
            fprintf(stderr, "timestamp \"%s\": %s %" PRIu64 ", %zu problems, expected %s %" PRIu64 "\n", c->text,
                    v->present ? "present" : "absent", v->u, ps_problems_count(&ev.problems),
                    c->valid ? "present" : "absent", c->ns);
            failures++;
        }
        tracee_event_clear(&ev);
        g_free(json);
    }
    return failures ? 1 : 0;
}

static void run_in_child(int (*fn)(void), const char *what)
{
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(fn());
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status))
        fail_msg("%s: the child died of signal %d", what, WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s: the child failed (exit status %d, its report is above)", what, WEXITSTATUS(status));
}

static void test_workload_timestamps(void **state)
{
    (void)state;
    run_in_child(stamp_child, "RFC 3339 timestamps");
}

/* ---- fuzz: no crash, no leak, and what holds for every event ------------------------------- */

static char *big_describe; /* 4 MiB, for the whole Info line of megabyte events */
#define BIG_DESCRIBE_SIZE (4u << 20)

/* What every decoded event must satisfy, whatever the input. */
static void check_invariants(const tracee_event *ev, bool ok)
{
    assert_non_null(ev->args);
    assert_true(ev->layout == TRACEE_LAYOUT_RELEASED || ev->layout == TRACEE_LAYOUT_WORKLOAD);
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++) {
        const tracee_value *v = &ev->v[f];
        if (!v->present)
            continue;
        if (!ok) {
            print_event(ev);
            fail_msg("%s present after a failed decode", fname(f));
        }
        if (is_string_field(f)) {
            assert_non_null(v->s);
            assert_true(g_utf8_validate(v->s, -1, NULL));
        } else if (is_address_field(f)) {
            assert_true(v->family == 4 || v->family == 6);
        } else if (v->u > field_max(f)) {
            print_event(ev);
            fail_msg("%s = %" PRIu64 " is above %" PRIu64, fname(f), v->u, field_max(f));
        }
    }
    if (ev->v[TRACEE_DIRECTION].present)
        assert_true(strcmp(ev->v[TRACEE_DIRECTION].s, "ingress") == 0 ||
                    strcmp(ev->v[TRACEE_DIRECTION].s, "egress") == 0);
    if (!ok) {
        assert_true(ps_problems_count(&ev->problems) >= 1);
        assert_int_equal(ev->args->len, 0);
    }
    for (guint i = 0; i < ev->args->len; i++) {
        const char *a = ev->args->pdata[i];
        assert_non_null(a);
        assert_non_null(strchr(a, '='));
        assert_true(g_utf8_validate(a, -1, NULL));
    }
    /* messages are short and valid UTF-8, whatever the value they quote */
    for (guint i = 0; i < ps_problems_count(&ev->problems); i++) {
        const char *p = ps_problems_at(&ev->problems, i)->message;
        assert_non_null(p);
        if (strlen(p) > 512)
            fail_msg("a problem of %zu bytes: %.100s...", strlen(p), p);
        if (!g_utf8_validate(p, -1, NULL))
            fail_msg("a problem that is not UTF-8: %s", p);
    }
}

/* decode (exact heap copy), invariants, pid, describe into several exactly-sized buffers (each a
 * prefix of the whole line), then clear unless the caller keeps the event. */
static bool fuzz_one_keep(const char *bytes, size_t len, tracee_event *ev)
{
    bool ok = decode_len(bytes, len, ev);
    check_invariants(ev, ok);
    uint32_t pid;
    if (tracee_event_pid(ev, &pid)) {
        const tracee_value *v = ev->v[TRACEE_HOST_PID].present ? &ev->v[TRACEE_HOST_PID] : &ev->v[TRACEE_PID];
        assert_true(v->present);
        assert_int_equal(pid, v->u);
    } else {
        assert_false(ev->v[TRACEE_HOST_PID].present || ev->v[TRACEE_PID].present);
    }
    if (!big_describe) {
        big_describe = malloc(BIG_DESCRIBE_SIZE);
        assert_non_null(big_describe);
    }
    tracee_event_describe(ev, big_describe, BIG_DESCRIBE_SIZE);
    size_t full = strlen(big_describe);
    assert_true(full < BIG_DESCRIBE_SIZE - 1);
    if (ev->v[TRACEE_EVENT_NAME].present)
        assert_memory_equal(big_describe, ev->v[TRACEE_EVENT_NAME].s, strlen(ev->v[TRACEE_EVENT_NAME].s));
    static const size_t sizes[] = {1, 2, 9, 64, 300};
    for (size_t i = 0; i < COUNT(sizes); i++) {
        char *out = malloc(sizes[i]);
        assert_non_null(out);
        tracee_event_describe(ev, out, sizes[i]);
        size_t n = strlen(out);
        /* cut on a character boundary: up to 3 bytes short of the buffer */
        assert_true(n <= MIN(full, sizes[i] - 1));
        assert_true(n + 3 >= MIN(full, sizes[i] - 1));
        assert_memory_equal(out, big_describe, n);
        free(out);
    }
    return ok;
}

static bool fuzz_one(const char *bytes, size_t len)
{
    tracee_event ev;
    bool ok = fuzz_one_keep(bytes, len, &ev);
    release(&ev);
    return ok;
}

static bool fuzz_str(const char *json)
{
    return fuzz_one(json, strlen(json));
}

/* An event whose processName is the given JSON string body (between the quotes). */
static char *with_name(const char *body)
{
    return g_strdup_printf("{\"eventName\":\"x\",\"processName\":\"%s\"}", body);
}

static void check_name_decodes_to(const char *body, const char *want, size_t want_len)
{
    char *json = owned(with_name(body));
    tracee_event ev;
    print_message("processName \"%s\"\n", body);
    if (!fuzz_one_keep(json, strlen(json), &ev))
        fail_msg("rejected: %s", ps_problems_first(&ev.problems)->message);
    assert_true(ev.v[TRACEE_PROCESS_NAME].present);
    assert_int_equal(strlen(ev.v[TRACEE_PROCESS_NAME].s), want_len);
    assert_memory_equal(ev.v[TRACEE_PROCESS_NAME].s, want, want_len);
    release(&ev);
}

static void check_name_rejected(const char *body, size_t body_len)
{
    GString *json = g_string_new("{\"eventName\":\"x\",\"processName\":\"");
    g_string_append_len(json, body, (gssize)body_len);
    g_string_append(json, "\"}");
    if (fuzz_one(json->str, json->len))
        fail_msg("accepted processName bytes of length %zu starting 0x%02x", body_len, (unsigned char)body[0]);
    g_string_free(json, TRUE);
}

static void test_fuzz_escapes(void **state)
{
    (void)state;
    static const char all[] = "a\"b\\c/d\b\f\n\r\t\xc3\xa9";
    check_name_decodes_to("a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9", all, sizeof all - 1);
    check_name_decodes_to("\\ud83d\\ude00", "\xf0\x9f\x98\x80", 4);        /* surrogate pair: U+1F600 */
    check_name_decodes_to("\\uD83D\\uDE00x", "\xf0\x9f\x98\x80x", 5);
    check_name_decodes_to("\\u0041\\u00FF\\u20ac", "A\xc3\xbf\xe2\x82\xac", 6);
    check_name_decodes_to("\\u001f", "\x1f", 1);
    /* lone and misordered surrogates, \u0000, bad escapes: the text is refused */
    static const char *const bad[] = {"\\ud800", "\\udc00", "\\ud800x", "\\ude00\\ud83d", "\\ud83d\\u0041",
                                      "\\ud83d\\ud83d", "\\u0000", "a\\u0000b", "\\x41", "\\u12", "\\uZZZZ",
                                      "\\U0041", "\\", "\\'", "\\a", "\\0"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        print_message("processName \"%s\"\n", bad[i]);
        check_name_rejected(bad[i], strlen(bad[i]));
    }
    /* escapes count the same in keys and in addresses */
    tracee_event ev;
    const char *json = "{\"eventName\":\"net_packet_tcp\",\"process\\u004eame\":\"n\",\"args\":["
                       "{\"name\":\"s\\u0072c\",\"value\":\"10.0.0.\\u0031\"}]}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_s(&ev, TRACEE_PROCESS_NAME, "n");
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
    release(&ev);
}

static void test_fuzz_unicode(void **state)
{
    (void)state;
    static const char *const good[] = {
        "\xc3\xa9", "\xe5\x90\x8d\xe5\x89\x8d", "\xf0\x9f\x98\x80", "\xef\xbb\xbf" "bom",
        "\xe2\x80\xae" "rtl", "\xe2\x80\xa8\xe2\x80\xa9", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf", "e\xcc\x81",
        "\xe2\x80\x8d", "\x7f",
    };
    for (size_t i = 0; i < COUNT(good); i++)
        check_name_decodes_to(good[i], good[i], strlen(good[i]));
    /* describe keeps the bytes */
    tracee_event ev;
    const char *json = "{\"eventName\":\"x\",\"processName\":\"\xe5\x90\x8d\",\"hostProcessId\":1}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_describe(&ev, "x \xe5\x90\x8d (1)");
    release(&ev);
    /* a byte-order mark before the object is no JSON */
    assert_false(fuzz_str("\xef\xbb\xbf{\"eventName\":\"x\"}"));
}

static void test_fuzz_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"\xff", 1},         {"\xfe", 1},         {"\x80", 1},     {"b\xff\xfe", 3}, {"\xc3\x28", 2},
        {"\xc0\xaf", 2},     {"\xe0\x80\xaf", 3}, {"\xed\xa0\x80", 3}, {"\xf4\x90\x80\x80", 4},
        {"\xf5\x80\x80\x80", 4}, {"\xe2\x82", 2}, {"\xc3", 1},     {"\xf8\x88\x80\x80\x80", 5},
        {"\x01", 1},         {"\t", 1},           {"\n", 1},       {"\r", 1},
    };
    for (size_t i = 0; i < COUNT(bad); i++)
        check_name_rejected(bad[i].bytes, bad[i].len);
    /* in a key, in an address, at the very end */
    assert_false(fuzz_str("{\"eventName\":\"x\",\"k\xff\":1}"));
    assert_false(fuzz_str("{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"value\":\"10.0.0.1\xc3\"}]}"));
    assert_false(fuzz_str("{\"eventName\":\"x\"}\xff"));
    assert_false(fuzz_str("{\"eventName\":\"x\xe2\x82"));
}

static void test_fuzz_nul_bytes(void **state)
{
    (void)state;
    static const char in_string[] = "{\"eventName\":\"x\",\"processName\":\"a\0b\"}";
    static const char between[] = "{\"eventName\":\"x\",\0\"processName\":\"ab\"}";
    static const char after[] = "{\"eventName\":\"x\"}\0";
    static const char before[] = "\0{\"eventName\":\"x\"}";
    static const char only[] = "\0\0\0\0";
    assert_false(fuzz_one(in_string, sizeof in_string - 1));
    assert_false(fuzz_one(between, sizeof between - 1));
    assert_false(fuzz_one(after, sizeof after - 1));
    assert_false(fuzz_one(before, sizeof before - 1));
    assert_false(fuzz_one(only, sizeof only - 1));
    /* the length, not a NUL, ends the text: what follows the given length is never read */
    static const char longer[] = "{\"eventName\":\"x\",\"processName\":\"ab\"}GARBAGE";
    tracee_event ev;
    assert_true(fuzz_one_keep(longer, sizeof longer - 1 - 7, &ev));
    check_s(&ev, TRACEE_PROCESS_NAME, "ab");
    release(&ev);
    assert_false(fuzz_one(longer, sizeof longer - 1));
}

static void test_fuzz_huge_numbers(void **state)
{
    (void)state;
    /* Numbers beyond 64 bits (or a double): u64 values are read exactly, anything a field cannot
     * hold is a problem naming the key, and the event still decodes. */
    static const char *const too_big[] = {"99999999999999999999999999", "1e400", "-1e400",
                                          "18446744073709551616", "-9223372036854775809"};
    static const char *const keys[] = {"timestamp", "processId", "cgroupId"};
    for (size_t k = 0; k < COUNT(keys); k++) {
        for (size_t i = 0; i < COUNT(too_big); i++) {
            char *json = owned(g_strdup_printf("{\"eventName\":\"x\",\"%s\":%s}", keys[k], too_big[i]));
            tracee_event ev;
            print_message("%s\n", json);
            assert_true(fuzz_one_keep(json, strlen(json), &ev));
            assert_int_equal(ps_problems_count(&ev.problems), 1);
            assert_non_null(strstr(ps_problems_first(&ev.problems)->message, keys[k]));
            check_s(&ev, TRACEE_EVENT_NAME, "x");
            release(&ev);
        }
    }
    static const struct {
        const char *value;
        uint64_t cgroup;
    } exact[] = {{"18446744073709551615", UINT64_MAX}, {"9223372036854775808", UINT64_C(9223372036854775808)}};
    for (size_t i = 0; i < COUNT(exact); i++) {
        char *json = owned(g_strdup_printf("{\"eventName\":\"x\",\"cgroupId\":%s,\"timestamp\":%s}",
                                           exact[i].value, exact[i].value));
        tracee_event ev;
        assert_true(fuzz_one_keep(json, strlen(json), &ev));
        assert_true(ev.v[TRACEE_CGROUP_ID].present);
        assert_true(ev.v[TRACEE_CGROUP_ID].u == exact[i].cgroup);
        assert_false(ev.v[TRACEE_TIMESTAMP].present); /* beyond int64 nanoseconds */
        assert_int_equal(ps_problems_count(&ev.problems), 1);
        release(&ev);
    }
    /* numbers the fields cannot hold: a problem each, the field absent */
    static const struct {
        const char *member;
        const char *key;
        tracee_field field;
    } out_of_range[] = {
        {"\"timestamp\":-1", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":-9223372036854775808", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":1e18", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":\"99999999999999999999999999\"", "timestamp", TRACEE_TIMESTAMP},
        {"\"timestamp\":\"9223372036854775808\"", "timestamp", TRACEE_TIMESTAMP},
        {"\"processId\":4294967296", "processId", TRACEE_PID},
        {"\"processId\":9223372036854775807", "processId", TRACEE_PID},
        {"\"processId\":-0.0", "processId", TRACEE_PID},
        {"\"processId\":1e-400", "processId", TRACEE_PID},
        {"\"cgroupId\":-1", "cgroupId", TRACEE_CGROUP_ID},
        {"\"cgroupId\":\"18446744073709551616\"", "cgroupId", TRACEE_CGROUP_ID},
    };
    for (size_t i = 0; i < COUNT(out_of_range); i++) {
        char *json = owned(g_strdup_printf("{\"eventName\":\"x\",\"userId\":3,%s}", out_of_range[i].member));
        tracee_event ev;
        print_message("%s\n", json);
        assert_true(fuzz_one_keep(json, strlen(json), &ev));
        check_problem(&ev, out_of_range[i].key);
        check_absent(&ev, out_of_range[i].field);
        check_u(&ev, TRACEE_UID, 3);
        release(&ev);
    }
    /* the largest values that fit */
    tracee_event ev;
    const char *json = "{\"eventName\":\"x\",\"processId\":4294967295,\"cgroupId\":\"18446744073709551615\","
                       "\"timestamp\":\"9223372036854775807\"}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_u(&ev, TRACEE_PID, 4294967295u);
    check_u(&ev, TRACEE_CGROUP_ID, UINT64_MAX);
    check_u(&ev, TRACEE_TIMESTAMP, INT64_MAX);
    assert_int_equal(ps_problems_count(&ev.problems), 0);
    release(&ev);
    /* huge numbers as argument values */
    /* a kernel address beyond int64 in an argument stays exact; numbers keep the text they were written as */
    assert_true(fuzz_one_keep("{\"eventName\":\"x\",\"args\":[{\"name\":\"a\",\"value\":18446744072635809792},"
                              "{\"name\":\"b\",\"value\":1e400}]}",
                              strlen("{\"eventName\":\"x\",\"args\":[{\"name\":\"a\",\"value\":18446744072635809792},"
                                     "{\"name\":\"b\",\"value\":1e400}]}"),
                              &ev));
    check_args(&ev, "a=18446744072635809792", "b=1e400", NULL);
    release(&ev);
    json = "{\"eventName\":\"x\",\"args\":[{\"name\":\"a\",\"value\":-9223372036854775808},"
           "{\"name\":\"b\",\"value\":1.5e3},{\"name\":\"c\",\"value\":\"99999999999999999999999999\"}]}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_args(&ev, "a=-9223372036854775808", "b=1.5e3", "c=99999999999999999999999999", NULL);
    release(&ev);
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

static void test_fuzz_deep_nesting(void **state)
{
    (void)state;
    const char *opens = owned(repeat("[", 100000)), *closes = owned(repeat("]", 100000));
    const char *text = owned(g_strdup(opens));
    assert_false(fuzz_one(text, strlen(text))); /* 100000 '[' alone */
    text = owned(g_strconcat(opens, closes, NULL));
    assert_false(fuzz_one(text, strlen(text))); /* and closed */
    text = owned(g_strdup_printf("{\"eventName\":\"x\",\"processName\":%s%s}", opens, closes));
    assert_false(fuzz_one(text, strlen(text)));
    const char *objects = owned(repeat("{\"a\":", 100000)), *ends = owned(repeat("}", 100000));
    text = owned(g_strdup_printf("{\"eventName\":\"x\",\"args\":[{\"name\":\"o\",\"value\":%s1%s}]}", objects, ends));
    assert_false(fuzz_one(text, strlen(text)));

    /* 2049 '[' inside an argument: beyond the depth limit of 2048, refused */
    opens = owned(repeat("[", 2049));
    closes = owned(repeat("]", 2049));
    text = owned(g_strdup_printf("{\"eventName\":\"x\",\"args\":[{\"name\":\"deep\",\"value\":%s%s}]}", opens, closes));
    assert_false(fuzz_one(text, strlen(text)));

    /* the deepest argument taken (root, args, argument, 2045 arrays = 2048) is kept as text */
    opens = owned(repeat("[", 2045));
    closes = owned(repeat("]", 2045));
    text = owned(g_strdup_printf("{\"eventName\":\"x\",\"args\":[{\"name\":\"deep\",\"value\":%s%s}]}", opens, closes));
    tracee_event ev;
    assert_true(fuzz_one_keep(text, strlen(text), &ev));
    check_args(&ev, owned(g_strdup_printf("deep=%s%s", opens, closes)), NULL);
    release(&ev);
    /* the same depth where a network event wants an address or a direction */
    text = owned(g_strdup_printf("{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"value\":%s%s}]}",
                                 opens, closes));
    assert_true(fuzz_one_keep(text, strlen(text), &ev));
    check_problem(&ev, "src");
    release(&ev);
    opens = owned(repeat("[", 2044));
    closes = owned(repeat("]", 2044));
    text = owned(g_strdup_printf("{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"metadata\",\"value\":"
                                 "{\"direction\":%s%s}}]}",
                                 opens, closes));
    assert_true(fuzz_one_keep(text, strlen(text), &ev));
    check_problem(&ev, "direction");
    check_absent(&ev, TRACEE_DIRECTION);
    release(&ev);
}

static void test_fuzz_megabyte_strings(void **state)
{
    (void)state;
    const size_t mb = 1u << 20;
    char *big = owned(repeat("x", mb));
    tracee_event ev;

    char *json = owned(g_strdup_printf("{\"eventName\":\"x\",\"hostProcessId\":1,\"processName\":\"%s\"}", big));
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    assert_int_equal(strlen(ev.v[TRACEE_PROCESS_NAME].s), mb);
    assert_memory_equal(ev.v[TRACEE_PROCESS_NAME].s, big, mb);
    char text[256];
    tracee_event_describe(&ev, text, sizeof text);
    assert_int_equal(strlen(text), sizeof text - 1);
    assert_memory_equal(text, "x xxxx", 6);
    release(&ev);

    json = owned(g_strdup_printf("{\"eventName\":\"x\",\"args\":[{\"name\":\"big\",\"type\":\"const char*\",\"value\":\"%s\"}]}",
                           big));
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    assert_int_equal(ev.args->len, 1);
    assert_int_equal(strlen(ev.args->pdata[0]), 4 + mb);
    assert_memory_equal(ev.args->pdata[0], "big=xxx", 7);
    release(&ev);

    /* a megabyte where an address, a number or a direction is expected: short problems */
    json = owned(g_strdup_printf("{\"eventName\":\"net_packet_tcp\",\"processId\":\"%s\",\"args\":["
                           "{\"name\":\"dst\",\"value\":\"%s\"},{\"name\":\"metadata\",\"value\":{\"direction\":\"%s\"}}]}",
                           big, big, big));
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_problem(&ev, "processId");
    check_problem(&ev, "dst");
    check_problem(&ev, "direction");
    release(&ev);

    /* multibyte characters: every cut of a short Info line is still a prefix of the whole */
    char *wide = owned(repeat("\xc3\xa9", mb / 2));
    json = owned(g_strdup_printf("{\"name\":\"x\",\"workload\":{\"process\":{\"thread\":{\"name\":\"%s\"}}},"
                           "\"timestamp\":\"%s\"}",
                           wide, wide));
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    assert_int_equal(strlen(ev.v[TRACEE_PROCESS_NAME].s), mb);
    check_problem(&ev, "timestamp");
    release(&ev);
}

static void test_fuzz_duplicate_keys(void **state)
{
    (void)state;
    tracee_event ev;
    /* the last of duplicate keys counts */
    const char *json = "{\"eventName\":\"x\",\"processName\":\"first\",\"processName\":\"second\"}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_s(&ev, TRACEE_PROCESS_NAME, "second");
    release(&ev);

    json = "{\"eventName\":\"security_socket_connect\",\"args\":[{\"name\":\"src\",\"value\":\"10.0.0.1\"}],"
           "\"eventName\":\"net_packet_tcp\"}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_s(&ev, TRACEE_EVENT_NAME, "net_packet_tcp");
    check_ip(&ev, TRACEE_SRC_IP, "10.0.0.1");
    check_args(&ev, NULL);
    release(&ev);

    json = "{\"eventName\":\"x\",\"args\":[{\"name\":\"a\",\"value\":1}],\"args\":[{\"name\":\"b\",\"value\":2,"
           "\"value\":3}]}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_args(&ev, "b=3", NULL);
    release(&ev);

    json = "{\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"proto_tcp\",\"value\":{\"seq\":1,\"seq\":2,"
           "\"SYN\":\"x\",\"SYN\":1}}]}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_u(&ev, TRACEE_SEQ, 2);
    check_u(&ev, TRACEE_FLAG_SYN, 1);
    assert_int_equal(ps_problems_count(&ev.problems), 0);
    release(&ev);

    json = "{\"timestamp\":\"x\",\"timestamp\":7,\"eventName\":\"x\",\"processId\":\"abc\",\"processId\":8}";
    assert_true(fuzz_one_keep(json, strlen(json), &ev));
    check_u(&ev, TRACEE_TIMESTAMP, 7);
    check_u(&ev, TRACEE_PID, 8);
    assert_int_equal(ps_problems_count(&ev.problems), 0);
    release(&ev);

    /* a thousand times the same key */
    GString *s = g_string_new("{\"eventName\":\"x\"");
    for (int i = 0; i < 1000; i++)
        g_string_append_printf(s, ",\"hostProcessId\":%d", i);
    g_string_append_c(s, '}');
    assert_true(fuzz_one_keep(s->str, s->len, &ev));
    check_u(&ev, TRACEE_HOST_PID, 999);
    release(&ev);
    g_string_free(s, TRUE);
}

static void test_fuzz_empty_and_whitespace(void **state)
{
    (void)state;
    assert_false(fuzz_one("", 0));
    assert_false(fuzz_str(" "));
    assert_false(fuzz_str(" \t\r\n "));
    assert_false(fuzz_str("\n"));
    assert_false(fuzz_str("{"));
    assert_false(fuzz_str("}"));
    tracee_event ev;
    assert_true(fuzz_one_keep("{}", 2, &ev));
    for (int f = 0; f < TRACEE_FIELD_COUNT; f++)
        check_absent(&ev, (tracee_field)f);
    assert_int_equal(ps_problems_count(&ev.problems), 0);
    release(&ev);
    assert_true(fuzz_one_keep(" \t{ }\r\n", 7, &ev));
    release(&ev);
}

/* Every prefix of a realistic event, each from an exactly-sized heap copy. */
static void truncate_every_byte(const char *json)
{
    size_t len = strlen(json);
    for (size_t n = 0; n < len; n++) {
        if (fuzz_one(json, n))
            fail_msg("the first %zu of %zu bytes decoded", n, len);
    }
    assert_true(fuzz_one(json, len));
}

static void test_fuzz_truncated_every_byte(void **state)
{
    (void)state;
    truncate_every_byte(REC1); /* tests/fixtures/json-records.tsv, the first record */
    truncate_every_byte(REC5); /* the workload layout */
}

/* Deterministic mutations of a realistic event: overwritten, deleted and repeated bytes. */
static void test_fuzz_mutations(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\":,\\0123456789-.eE+ntfaluxr \x80\xff\xc3\xa9";
    uint32_t x = 0x12345678;
#define NEXT() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
    const char *bases[] = {REC1, REC5, REC7, REC11};
    unsigned decoded = 0;
    for (int round = 0; round < 4000; round++) {
        const char *base = bases[round % COUNT(bases)];
        GString *s = g_string_new(base);
        int edits = 1 + (int)(NEXT() % 4);
        for (int e = 0; e < edits && s->len; e++) {
            size_t at = NEXT() % s->len;
            switch (NEXT() % 3) {
            case 0:
                s->str[at] = alphabet[NEXT() % (sizeof alphabet - 1)];
                break;
            case 1: {
                size_t n = 1 + NEXT() % 8;
                g_string_erase(s, (gssize)at, (gssize)MIN(s->len - at, n));
                break;
            }
            default: {
                size_t n = 1 + NEXT() % 16;
                n = MIN(s->len - at, n);
                char *copy = g_strndup(s->str + at, n);
                g_string_insert(s, (gssize)at, copy);
                g_free(copy);
            }
            }
        }
        decoded += fuzz_one(s->str, s->len);
        g_string_free(s, TRUE);
    }
#undef NEXT
    /* both outcomes happen: the mutations neither all break nor all spare the JSON */
    assert_true(decoded > 100 && decoded < 3900);
}

int main(int argc, char **argv)
{
    sample_path = argc > 1 ? argv[1] : NULL;
    garbage = g_ptr_array_new_with_free_func(g_free);
    live_events = g_ptr_array_new();
#define T(f) cmocka_unit_test_teardown(f, teardown)
    const struct CMUnitTest tests[] = {
        T(test_real_samples),
        T(test_released_v020_egress_container_k8s),
        T(test_released_v020_ingress),
        T(test_released_all_flags_empty_container),
        T(test_released_v019_no_metadata_empty_executable),
        T(test_released_kernel_thread_pid_zero),
        T(test_released_variants),
        T(test_timestamp_19_digits_exact),
        T(test_workload_egress),
        T(test_workload_ingress_ipv6_omitted_zeros),
        T(test_workload_strings_and_enums),
        T(test_workload_generic_event),
        T(test_workload_timestamps),
        T(test_flow_begin),
        T(test_flow_end),
        T(test_packet_ipv4),
        T(test_packet_ipv6),
        T(test_generic_event),
        T(test_real_dns_request),
        T(test_real_dns_response),
        T(test_real_dns),
        T(test_real_udp),
        T(test_workload_udp_dns),
        T(test_problems_udp_dns),
        T(test_describe_no_flags_set),
        T(test_describe_flag_order),
        T(test_describe_flags_survive_a_bad_fin),
        T(test_describe_small_buffers),
        T(test_problems_wrong_types),
        T(test_problems_proto_tcp_not_an_object),
        T(test_problems_every_key),
        T(test_problems_bad_arguments),
        T(test_not_an_object),
        T(test_clear),
        T(test_fuzz_escapes),
        T(test_fuzz_unicode),
        T(test_fuzz_invalid_utf8),
        T(test_fuzz_nul_bytes),
        T(test_fuzz_huge_numbers),
        T(test_fuzz_deep_nesting),
        T(test_fuzz_megabyte_strings),
        T(test_fuzz_duplicate_keys),
        T(test_fuzz_empty_and_whitespace),
        T(test_fuzz_truncated_every_byte),
        T(test_fuzz_mutations),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
#undef T
    free(big_describe);
    g_ptr_array_free(garbage, TRUE);
    g_ptr_array_free(live_events, TRUE);
    return failed;
}
