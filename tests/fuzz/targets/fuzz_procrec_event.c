/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark-record's bytes as the importer and the plugin get them: the input's start as a file
 * header, and the input as one record (plugin/packet-procrec.c), described and claimed. */
#include "fuzz_common.h"
#include "source.h"

#include "procrec_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    procrec_header header;
    ps_problems problems = {0};
    const bool header_ok = procrec_header_decode(data, size, &header, &problems);
    FUZZ_CHECK(header_ok == (ps_problems_count(&problems) == 0));
    FUZZ_CHECK(!header_ok || (header.version >= 1 && header.record_size >= PROCREC_RECORD_SIZE &&
                              header.record_size <= PROCREC_RECORD_SIZE_MAX));
    fuzz_check_problems(&problems, size);
    ps_problems_clear(&problems);

    procrec_event ev;
    const bool decoded = procrec_event_decode(data, size, &ev);
    FUZZ_CHECK(decoded == (size >= PROCREC_RECORD_SIZE));
    fuzz_check_problems(&ev.problems, size);
    if (decoded) {
        /* Shown as they are: valid UTF-8 whatever the bytes. */
        FUZZ_CHECK(g_utf8_validate(ev.comm, -1, NULL) && g_utf8_validate(ev.container_id, -1, NULL));
        char described[512];
        procrec_event_describe(&ev, described, sizeof described);
        FUZZ_CHECK(g_utf8_validate(described, -1, NULL));
        ps_claim claim;
        const bool has_socket = ps_procrec_claim(&ev, &claim);
        FUZZ_CHECK(!has_socket || (claim.has_pid && claim.pid == ev.pid &&
                                   (claim.owned.family == 4 || claim.owned.family == 6)));
        FUZZ_CHECK(has_socket || claim.kind == PS_CLAIM_NONE);
        FUZZ_CHECK(claim.transport == (ev.kind == PROCREC_KIND_UDP && has_socket ? PS_TRANSPORT_UDP : PS_TRANSPORT_TCP));
    }
    procrec_event_clear(&ev);
    return 0;
}
