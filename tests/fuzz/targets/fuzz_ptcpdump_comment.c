/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A packet's ptcpdump comments as the plugin gets them (plugin/packet-ptcpdump.c): the input is the
 * comments, separated by NUL bytes (Wireshark hands each one over up to its first NUL), decoded
 * together, then claimed for a packet to another host and for a loopback packet. */
#include "fuzz_common.h"
#include "source.h"

#include "ptcpdump_comment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_claim(const ptcpdump_info *info, ps_direction dir, bool loopback)
{
    ps_packet_facts p = {.direction = dir, .seq = 1, .ack = 2, .tcp_flags = PS_TCP_ACK};
    p.src.family = p.dst.family = 4;
    memcpy(p.src.addr, loopback ? "\x7f\0\0\1" : "\x0a\0\2\x0f", 4);
    memcpy(p.dst.addr, loopback ? "\x7f\0\0\1" : "\x8b\xb2\x54\xd9", 4);
    p.src.port = 42906;
    p.dst.port = 443;
    ps_claim claim;
    const bool has_socket = ps_ptcpdump_claim(info, &p, &claim);
    FUZZ_CHECK(claim.source == PS_SOURCE_PTCPDUMP);
    FUZZ_CHECK(claim.has_pid == info->has_number[PTCPDUMP_PID]);
    FUZZ_CHECK(claim.kind == PS_CLAIM_NONE || (has_socket && claim.kind == PS_CLAIM_PACKET && claim.has_pid));
    /* Without a thread comment, a loopback packet or an unknown direction names no end. */
    if (!info->value[PTCPDUMP_TID] && (loopback || dir == PS_DIR_UNKNOWN))
        FUZZ_CHECK(!has_socket);
    if (has_socket)
        FUZZ_CHECK(claim.owned.port == (claim.outgoing ? 42906 : 443));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ptcpdump_info info = {0};
    size_t longest = 0;
    for (size_t start = 0; start < size;) {
        const uint8_t *nul = memchr(data + start, '\0', size - start);
        const size_t len = nul ? (size_t)(nul - (data + start)) : size - start;
        ptcpdump_comment_add(&info, (const char *)data + start, len);
        longest = len > longest ? len : longest;
        start += len + 1;
    }
    ptcpdump_comment_finish(&info);
    /* Offsets count from the start of the comment they are in: within the longest. */
    fuzz_check_problems(&info.problems, longest);
    for (int k = 0; k < PTCPDUMP_KEY_COUNT; k++) {
        FUZZ_CHECK(!info.value[k] || g_utf8_validate(info.value[k], -1, NULL));
        FUZZ_CHECK(!info.has_number[k] || info.value[k]);
    }
    FUZZ_CHECK(!info.name || (info.name[0] && !strchr(info.name, '/')));
    /* Only a comment with a ptcpdump key is judged: a person's note raises nothing but bad text. */
    for (size_t i = 0; !info.any && i < ps_problems_count(&info.problems); i++)
        FUZZ_CHECK(ps_problems_at(&info.problems, i)->code == PTCPDUMP_BAD_TEXT);
    check_claim(&info, PS_DIR_OUTBOUND, false);
    check_claim(&info, PS_DIR_INBOUND, false);
    check_claim(&info, PS_DIR_UNKNOWN, false);
    check_claim(&info, PS_DIR_OUTBOUND, true);
    ptcpdump_info_clear(&info);
    return 0;
}
