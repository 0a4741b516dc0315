/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes the benchmarks' inputs:
 *   benchgen OUT.pcapng CONNECTIONS PACKETS   the attribution capture: TCP connections (raw IPv4)
 *       and, for every packet, one ETW Kernel-Network send or receive event of its socket's
 *       process, plus Process events naming the processes
 *   benchgen --tracee-records OUT.pcapng CONNECTIONS PACKETS
 *       the same connections with a tracee net_packet_tcp event for every packet instead
 *   benchgen --tracee OUT.jsonl EVENTS        tracee net_packet_tcp events, one JSON line each
 *   benchgen --packets OUT.pcapng PACKETS     TCP packets only (FIRST_US: the first one's offset)
 *   benchgen --busy tracee|etw|bulk OUT.pcapng PACKETS
 *       one connection of PACKETS data packets 10 us apart, each with tracee's net_packet_tcp
 *       event (tracee), one ETW send (etw), or one ETW send per 45 packets (bulk)
 *   benchgen --reuse OUT.pcapng CONNECTIONS
 *       CONNECTIONS short connections one after another on one port pair, each with a send event */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wiretap/wtap.h>

#include "etw_record.h"
#include "pcapng_writer.h"
#include "ps_bytes.h"
#include "source.h"
#include "upper_pdu.h"

#define BASE_NS INT64_C(1709294400000000000)
#define PROCESSES 1000

static pcapng_writer *writer;

static void write_block(unsigned iface, int64_t ts, const uint8_t *data, size_t len)
{
    char *error = NULL;
    if (!pcapng_writer_write(writer, iface, ts, data, len, NULL, &error)) {
        fprintf(stderr, "benchgen: %s\n", error);
        exit(1);
    }
}

static void write_etw(int64_t ts, uint16_t id, uint8_t opcode, uint8_t version, const uint8_t *guid,
                      const uint8_t *payload, size_t len)
{
    etw_record_fields f = {0};
    f.flags = 0x0040;
    f.timestamp = etw_unix_us_to_filetime((uint64_t)(ts / 1000));
    memcpy(f.provider_id, guid, 16);
    f.id = id;
    f.opcode = opcode;
    f.version = version;
    uint8_t rec[256];
    size_t n = etw_record_build(rec, &f, payload, len, NULL, 0, NULL, 0);
    write_block(1, ts, rec, n);
}

/* A Process DCStart (version 4, 64-bit, no SID). */
static void write_process(int64_t ts, uint32_t pid)
{
    uint8_t p[96] = {0};
    ps_put_le32(p + 8, pid);
    size_t n = 36 + 4; /* fixed fields, flags, empty SID */
    n += (size_t)sprintf((char *)p + n, "proc%u.exe", pid) + 1;
    n += 2 + 2 + 2; /* empty command line, package and application id */
    write_etw(ts, 0, 3, 4, etw_provider_guid(ETW_PROVIDER_PROCESS), p, n);
}

/* SendIPV4 (id 10) or RecvIPV4 (id 11) with an 8-byte connid. */
static void write_net(int64_t ts, bool send, uint32_t pid, uint32_t size, const uint8_t local[4], uint16_t lport,
                      const uint8_t remote[4], uint16_t rport)
{
    uint8_t p[40] = {0};
    ps_put_le32(p, pid);
    ps_put_le32(p + 4, size);
    memcpy(p + 8, remote, 4);
    memcpy(p + 12, local, 4);
    ps_put_be16(p + 16, rport);
    ps_put_be16(p + 18, lport);
    write_etw(ts, send ? 10 : 11, 0, 0, etw_provider_guid(ETW_PROVIDER_KERNEL_NETWORK), p, send ? 40 : 32);
}

static void write_packet(int64_t ts, const uint8_t src[4], uint16_t sport, const uint8_t dst[4], uint16_t dport,
                         uint32_t seq, uint32_t ack, uint8_t flags, uint16_t payload)
{
    uint8_t pkt[40 + 1500] = {0};
    uint16_t total = (uint16_t)(40 + payload);
    pkt[0] = 0x45;
    ps_put_be16(pkt + 2, total);
    pkt[8] = 64;
    pkt[9] = 6;
    /* Checksums stay zero: Wireshark does not verify them by default. */
    memcpy(pkt + 12, src, 4);
    memcpy(pkt + 16, dst, 4);
    uint8_t *tcp = pkt + 20;
    ps_put_be16(tcp, sport);
    ps_put_be16(tcp + 2, dport);
    for (int i = 0; i < 4; i++) {
        tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        tcp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    ps_put_be16(tcp + 14, 65535);
    write_block(0, ts, pkt, total);
}

/* A released-layout (v0.20+) tracee event, like those of tests/fixtures/json-records.tsv. */
static void write_tracee_lines(const char *path, unsigned events)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    for (unsigned i = 0; i < events; i++) {
        unsigned pid = 1000 + i % PROCESSES, port = 20000 + i % 40000;
        bool egress = i % 2 == 0;
        fprintf(f,
                "{\"timestamp\":%lld,\"threadStartTime\":1709294395001000000,\"processorId\":%u,"
                "\"processId\":%u,\"cgroupId\":5650,\"threadId\":%u,\"parentProcessId\":1,"
                "\"hostProcessId\":%u,\"hostThreadId\":%u,\"hostParentProcessId\":1,\"userId\":1000,"
                "\"mountNamespace\":4026531840,\"pidNamespace\":4026531836,\"processName\":\"proc%u\","
                "\"executable\":{\"path\":\"/usr/bin/proc%u\"},\"hostName\":\"node-1\",\"containerId\":\"\","
                "\"container\":{},\"kubernetes\":{},\"eventId\":\"2002\",\"eventName\":\"net_packet_tcp\","
                "\"matchedPolicies\":[\"\"],\"argsNum\":6,\"returnValue\":0,\"syscall\":\"\","
                "\"stackAddresses\":[0],\"contextFlags\":{\"containerStarted\":false,\"isCompat\":false},"
                "\"threadEntityId\":2781367766,\"processEntityId\":2781367766,\"parentEntityId\":129643807,"
                "\"args\":[{\"name\":\"src\",\"type\":\"string\",\"value\":\"%s\"},"
                "{\"name\":\"dst\",\"type\":\"string\",\"value\":\"%s\"},"
                "{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":%u},"
                "{\"name\":\"dst_port\",\"type\":\"uint16\",\"value\":%u},"
                "{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\",\"value\":{\"direction\":%u}},"
                "{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\",\"value\":{\"srcPort\":%u,\"dstPort\":%u,"
                "\"seq\":%u,\"ack\":%u,\"dataOffset\":8,\"FIN\":0,\"SYN\":0,\"RST\":0,\"PSH\":1,\"ACK\":1,"
                "\"URG\":0,\"ECE\":0,\"CWR\":0,\"NS\":0,\"window\":502,\"checksum\":%u,\"urgent\":0}}]}\n",
                (long long)(BASE_NS + (int64_t)i * 10000), i % 4, pid, pid, pid, pid, pid, pid,
                egress ? "10.0.0.1" : "10.0.0.2", egress ? "10.0.0.2" : "10.0.0.1", egress ? port : 443,
                egress ? 443 : port, egress ? 2 : 1, egress ? port : 443, egress ? 443 : port, i * 7u, i * 11u,
                i & 0xffff);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* A released-layout net_packet_tcp event of the process pid ("proc<pid>"), as an exported PDU. */
static void write_tracee_record(int64_t ts, uint32_t pid, bool egress, const uint8_t local[4], uint16_t lport,
                                const uint8_t remote[4], uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags)
{
    char src[16], dst[16], json[1024];
    const uint8_t *s = egress ? local : remote, *d = egress ? remote : local;
    snprintf(src, sizeof src, "%u.%u.%u.%u", s[0], s[1], s[2], s[3]);
    snprintf(dst, sizeof dst, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
    unsigned sport = egress ? lport : rport, dport = egress ? rport : lport;
    int n = snprintf(json, sizeof json,
                     "{\"timestamp\":%lld,\"processId\":%u,\"hostProcessId\":%u,\"processName\":\"proc%u\","
                     "\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"type\":\"string\","
                     "\"value\":\"%s\"},{\"name\":\"dst\",\"type\":\"string\",\"value\":\"%s\"},"
                     "{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":%u},{\"name\":\"dst_port\","
                     "\"type\":\"uint16\",\"value\":%u},{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\","
                     "\"value\":{\"direction\":%u}},{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\","
                     "\"value\":{\"srcPort\":%u,\"dstPort\":%u,\"seq\":%u,\"ack\":%u,\"dataOffset\":5,"
                     "\"FIN\":0,\"SYN\":%u,\"RST\":0,\"PSH\":%u,\"ACK\":%u,\"URG\":0,\"ECE\":0,\"CWR\":0,"
                     "\"NS\":0,\"window\":502,\"checksum\":0,\"urgent\":0}}]}",
                     (long long)ts, pid, pid, pid, src, dst, sport, dport, egress ? 2u : 1u, sport, dport, seq, ack,
                     (flags & 0x02) != 0, (flags & 0x08) != 0, (flags & 0x10) != 0);
    GByteArray *frame = upper_pdu_frame(ps_source_tracee.pdu_dissector, (const uint8_t *)json, (size_t)n);
    write_block(2, ts, frame->data, frame->len);
    g_byte_array_free(frame, TRUE);
}

/* A busy connection: client 10.0.0.1:50000 sends to 10.0.0.2:443, packet i at i * 10 us. */
static int write_busy(const char *kind, const char *path, unsigned packets)
{
    pcapng_writer_init_library("benchgen");
    const pcapng_interface ifs[] = {{WTAP_ENCAP_RAW_IP, "packets", NULL},
                                    {WTAP_ENCAP_ETW, "etw", NULL},
                                    {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "tracee", NULL}};
    char *error = NULL;
    writer = pcapng_writer_open(path, ifs, 3, &error);
    if (!writer) {
        fprintf(stderr, "benchgen: %s\n", error);
        return 1;
    }
    const uint8_t client[4] = {10, 0, 0, 1}, server[4] = {10, 0, 0, 2};
    const uint16_t mss = 1448;
    write_process(BASE_NS, 4242);
    for (unsigned i = 0; i < packets; i++) {
        int64_t ts = BASE_NS + 1000000 + (int64_t)i * 10000;
        uint32_t seq = 1 + i * mss;
        if (strcmp(kind, "tracee") == 0) {
            char json[1024];
            int n = snprintf(json, sizeof json,
                             "{\"timestamp\":%lld,\"processId\":4242,\"hostProcessId\":4242,\"processName\":\"curl\","
                             "\"eventName\":\"net_packet_tcp\",\"args\":[{\"name\":\"src\",\"type\":\"string\","
                             "\"value\":\"10.0.0.1\"},{\"name\":\"dst\",\"type\":\"string\",\"value\":\"10.0.0.2\"},"
                             "{\"name\":\"src_port\",\"type\":\"uint16\",\"value\":50000},{\"name\":\"dst_port\","
                             "\"type\":\"uint16\",\"value\":443},{\"name\":\"metadata\",\"type\":\"trace.PacketMetadata\","
                             "\"value\":{\"direction\":2}},{\"name\":\"proto_tcp\",\"type\":\"trace.ProtoTCP\","
                             "\"value\":{\"srcPort\":50000,\"dstPort\":443,\"seq\":%u,\"ack\":1,\"dataOffset\":5,"
                             "\"FIN\":0,\"SYN\":0,\"RST\":0,\"PSH\":0,\"ACK\":1,\"URG\":0,\"ECE\":0,\"CWR\":0,"
                             "\"NS\":0,\"window\":502,\"checksum\":0,\"urgent\":0}}]}",
                             (long long)ts, seq);
            GByteArray *frame = upper_pdu_frame(ps_source_tracee.pdu_dissector, (const uint8_t *)json, (size_t)n);
            write_block(2, ts, frame->data, frame->len);
            g_byte_array_free(frame, TRUE);
        } else if (strcmp(kind, "etw") == 0 || i % 45 == 0) {
            write_net(ts, true, 4242, strcmp(kind, "etw") == 0 ? mss : 45u * mss, client, 50000, server, 443);
        }
        write_packet(ts + 2000, client, 50000, server, 443, seq, 1, 0x10, mss);
    }
    if (!pcapng_writer_close(writer, &error)) {
        fprintf(stderr, "benchgen: %s\n", error);
        return 1;
    }
    return 0;
}

/* Connections 2 ms apart from 10.0.0.1:50000 to 10.0.0.2:443: handshake, one data packet and its
 * ETW send, and the close. */
static int write_reuse(const char *path, unsigned connections)
{
    pcapng_writer_init_library("benchgen");
    const pcapng_interface ifs[] = {{WTAP_ENCAP_RAW_IP, "packets", NULL}, {WTAP_ENCAP_ETW, "etw", NULL}};
    char *error = NULL;
    writer = pcapng_writer_open(path, ifs, 2, &error);
    if (!writer) {
        fprintf(stderr, "benchgen: %s\n", error);
        return 1;
    }
    const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    for (unsigned k = 0; k < connections; k++) {
        int64_t ts = BASE_NS + 1000000 + (int64_t)k * 2000000;
        uint32_t pid = 1000 + k % PROCESSES, cs = k * 100000u, ss = k * 300000u;
        if (k < PROCESSES)
            write_process(BASE_NS, pid);
        write_packet(ts, a, 50000, b, 443, cs, 0, 0x02, 0);
        write_packet(ts + 100000, b, 443, a, 50000, ss, cs + 1, 0x12, 0);
        write_packet(ts + 200000, a, 50000, b, 443, cs + 1, ss + 1, 0x10, 0);
        write_net(ts + 300000, true, pid, 10, a, 50000, b, 443);
        write_packet(ts + 300500, a, 50000, b, 443, cs + 1, ss + 1, 0x18, 10);
        write_packet(ts + 400000, a, 50000, b, 443, cs + 11, ss + 1, 0x11, 0);
        write_packet(ts + 500000, b, 443, a, 50000, ss + 1, cs + 12, 0x11, 0);
        write_packet(ts + 600000, a, 50000, b, 443, cs + 12, ss + 2, 0x10, 0);
    }
    if (!pcapng_writer_close(writer, &error)) {
        fprintf(stderr, "benchgen: %s\n", error);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--reuse") == 0)
        return write_reuse(argv[2], (unsigned)atoi(argv[3]));
    if (argc == 5 && strcmp(argv[1], "--busy") == 0)
        return write_busy(argv[2], argv[3], (unsigned)atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "--tracee") == 0) {
        write_tracee_lines(argv[2], (unsigned)atoi(argv[3]));
        return 0;
    }
    bool packets_only = argc == 5 && strcmp(argv[1], "--packets") == 0;
    bool tracee_records = argc == 5 && strcmp(argv[1], "--tracee-records") == 0;
    if (argc != 4 && !packets_only && !tracee_records) {
        fprintf(stderr, "usage: benchgen [--tracee-records] OUT.pcapng CONNECTIONS PACKETS | --tracee OUT.jsonl EVENTS |"
                        " --packets OUT.pcapng PACKETS FIRST_US |\n"
                        "       --busy tracee|etw|bulk OUT.pcapng PACKETS | --reuse OUT.pcapng CONNECTIONS\n");
        return 2;
    }
    if (tracee_records) {
        argv++;
        argc--;
    }
    if (packets_only) {
        pcapng_writer_init_library("benchgen");
        const pcapng_interface ifs[] = {{WTAP_ENCAP_RAW_IP, "packets", NULL}};
        char *error = NULL;
        writer = pcapng_writer_open(argv[2], ifs, 1, &error);
        if (!writer) {
            fprintf(stderr, "benchgen: %s\n", error);
            return 1;
        }
        const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
        unsigned n = (unsigned)atoi(argv[3]);
        int64_t first = BASE_NS + (int64_t)atoll(argv[4]) * 1000;
        for (unsigned i = 0; i < n; i++)
            write_packet(first + (int64_t)i * 20000, a, (uint16_t)(20000 + i % 40000), b, 443, i, i, 0x18, 10);
        if (!pcapng_writer_close(writer, &error)) {
            fprintf(stderr, "benchgen: %s\n", error);
            return 1;
        }
        return 0;
    }
    unsigned connections = (unsigned)atoi(argv[2]), packets = (unsigned)atoi(argv[3]);
    pcapng_writer_init_library("benchgen");
    const pcapng_interface ifs[] = {{WTAP_ENCAP_RAW_IP, "packets", NULL},
                                    {WTAP_ENCAP_ETW, "etw", NULL},
                                    {WTAP_ENCAP_WIRESHARK_UPPER_PDU, "tracee", NULL}};
    char *error = NULL;
    writer = pcapng_writer_open(argv[1], ifs, 3, &error);
    if (!writer) {
        fprintf(stderr, "benchgen: %s\n", error);
        return 1;
    }
    for (uint32_t pid = 1000; pid < 1000 + PROCESSES && !tracee_records; pid++)
        write_process(BASE_NS, pid);
    /* All connections run side by side, in time order: packet i of connection k at
     * i * 25 ms + k us, its event 500 ns later. */
    const uint8_t server[4] = {10, 200, 0, 1};
    for (unsigned i = 0; i < packets; i++) {
        for (unsigned k = 0; k < connections; k++) {
            int64_t ts = BASE_NS + 1000000 + (int64_t)i * 25000000 + (int64_t)k * 1000;
            uint8_t client[4] = {10, 1, (uint8_t)(k >> 8), (uint8_t)k};
            uint16_t cport = (uint16_t)(20000 + k % 40000);
            uint32_t pid = 1000 + k % PROCESSES;
            bool out = i % 2 == 0;
            uint8_t flags = i == 0 ? 0x02 : i == 1 ? 0x12 : 0x18;
            uint16_t len = i < 2 ? 0 : 10;
            if (out)
                write_packet(ts, client, cport, server, 443, 1000 + i, 5000 + i, flags, len);
            else
                write_packet(ts, server, 443, client, cport, 5000 + i, 1000 + i, flags, len);
            if (tracee_records)
                write_tracee_record(ts + 500, pid, out, client, cport, server, 443, out ? 1000 + i : 5000 + i,
                                    out ? 5000 + i : 1000 + i, flags);
            else
                write_net(ts + 500, out, pid, len ? len : 1, client, cport, server, 443);
        }
    }
    if (!pcapng_writer_close(writer, &error)) {
        fprintf(stderr, "benchgen: %s\n", error);
        return 1;
    }
    return 0;
}
