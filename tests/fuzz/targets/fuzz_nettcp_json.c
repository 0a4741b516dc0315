/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One Get-NetTCPConnection row (JSON object) as the plugin gets it: decoded and described. The bytes
 * are passed as they are, without a terminating NUL. */
#include "fuzz_common.h"
#include "source.h"

#include "nettcp_row.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A name the decoder shows must read back as the same value. */
static void check_names(const nettcp_row *row)
{
    uint32_t back;
    const char *name;
    if (row->has[NETTCP_STATE] && (name = nettcp_state_name(row->state)))
        FUZZ_CHECK(nettcp_state_from_name(name, &back) && back == row->state);
    if (row->has[NETTCP_APPLIED_SETTING] && (name = nettcp_applied_setting_name(row->applied_setting)))
        FUZZ_CHECK(nettcp_applied_setting_from_name(name, &back) && back == row->applied_setting);
    if (row->has[NETTCP_OFFLOAD_STATE] && (name = nettcp_offload_state_name(row->offload_state)))
        FUZZ_CHECK(nettcp_offload_state_from_name(name, &back) && back == row->offload_state);
}

/* A claim names a socket of the record's own addresses, and only a kind the engine knows: a TCP
 * row with its peer, a UDP row without one (its socket talks to any peer). */
static void check_claim(bool has_socket, const ps_claim *claim)
{
    FUZZ_CHECK(claim->kind == PS_CLAIM_NONE || claim->kind == PS_CLAIM_SNAPSHOT);
    FUZZ_CHECK(!has_socket || claim->owned.family == 4 || claim->owned.family == 6);
    if (claim->kind == PS_CLAIM_NONE)
        return;
    FUZZ_CHECK(has_socket);
    if (claim->transport == PS_TRANSPORT_UDP)
        FUZZ_CHECK(claim->peer.family == 0);
    else
        FUZZ_CHECK(claim->transport == PS_TRANSPORT_TCP && (claim->peer.family == 4 || claim->peer.family == 6));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nettcp_row row;
    const bool decoded = nettcp_row_decode((const char *)data, size, &row);
    if (!decoded) {
        FUZZ_CHECK(ps_problems_count(&row.problems) == 1);
    } else {
        FUZZ_CHECK(!row.has[NETTCP_LOCAL_ADDRESS] || row.local_family == 4 || row.local_family == 6);
        FUZZ_CHECK(!row.has[NETTCP_REMOTE_ADDRESS] || row.remote_family == 4 || row.remote_family == 6);
        check_names(&row);
        ps_claim claim;
        bool has_socket = ps_nettcp_claim(&row, &claim);
        check_claim(has_socket, &claim);
        const size_t out_size = 1 + size % 160;
        char *out = malloc(out_size);
        nettcp_row_describe(&row, out, out_size);
        FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
        free(out);
    }
    nettcp_row_clear(&row);
    return 0;
}
