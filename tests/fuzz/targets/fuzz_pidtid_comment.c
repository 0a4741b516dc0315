/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One packet comment as the plugin gets it (plugin/packet-etl2pcapng.c): parsed, then claimed for
 * an outbound, an inbound and a directionless packet. */
#include "fuzz_common.h"
#include "source.h"

#include "pidtid_comment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pidtid_comment comment;
    const bool ours = pidtid_comment_parse((const char *)data, size, &comment);
    FUZZ_CHECK(ours == (size >= 4 && memcmp(data, "PID=", 4) == 0));
    fuzz_check_problems(&comment.problems, size);
    FUZZ_CHECK(!comment.has_tid || comment.has_pid);
    FUZZ_CHECK(!comment.details || g_utf8_validate(comment.details, -1, NULL));
    for (int dir = PS_DIR_UNKNOWN; ours && dir <= PS_DIR_INBOUND; dir++) {
        ps_packet_facts p = {.transport = PS_TRANSPORT_UDP, .direction = (ps_direction)dir};
        p.src.family = p.dst.family = 4;
        p.src.port = 53000;
        p.dst.port = 53;
        ps_claim claim;
        const bool has_socket = ps_etl2pcapng_claim(&comment, &p, &claim);
        FUZZ_CHECK(has_socket == (dir != PS_DIR_UNKNOWN));
        FUZZ_CHECK(claim.kind == PS_CLAIM_NONE || (claim.kind == PS_CLAIM_COMMENT && claim.has_pid && has_socket));
        if (has_socket)
            FUZZ_CHECK(claim.owned.port == (dir == PS_DIR_OUTBOUND ? 53000 : 53));
    }
    pidtid_comment_clear(&comment);
    return 0;
}
