/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One tracee event (JSON) as the plugin and the converter get it: decoded, described, its pid and
 * time taken. The bytes are passed as they are: the decoder must cope with anything, valid UTF-8 or
 * not, without a terminating NUL. */
#include "fuzz_common.h"
#include "source.h"

#include "tracee_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fields the plugin reads as strings once present (src/source/source_tracee.c compares them). */
static const tracee_field string_fields[] = {TRACEE_EVENT_NAME, TRACEE_PROCESS_NAME, TRACEE_DIRECTION,
                                             TRACEE_FLOW_DIRECTION, TRACEE_CONTAINER_ID};

/* A claim names a socket of the record's own addresses, and only a kind the engine knows. */
static void check_claim(bool has_socket, const ps_claim *claim)
{
    FUZZ_CHECK(claim->kind <= PS_CLAIM_SNAPSHOT);
    FUZZ_CHECK(!has_socket || claim->owned.family == 4 || claim->owned.family == 6);
    FUZZ_CHECK(claim->kind == PS_CLAIM_NONE || (has_socket && (claim->peer.family == 4 || claim->peer.family == 6)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    tracee_event ev;
    const bool decoded = tracee_event_decode(json, size, &ev);
    FUZZ_CHECK(ev.args != NULL);
    if (!decoded) {
        FUZZ_CHECK(ps_problems_count(&ev.problems) == 1);
    } else {
        for (size_t i = 0; i < G_N_ELEMENTS(string_fields); i++)
            FUZZ_CHECK(!ev.v[string_fields[i]].present || ev.v[string_fields[i]].s != NULL);
        FUZZ_CHECK(!ev.v[TRACEE_SRC_IP].present || ev.v[TRACEE_SRC_IP].family == 4 || ev.v[TRACEE_SRC_IP].family == 6);
        FUZZ_CHECK(!ev.v[TRACEE_DST_IP].present || ev.v[TRACEE_DST_IP].family == 4 || ev.v[TRACEE_DST_IP].family == 6);
        uint32_t pid;
        (void)tracee_event_pid(&ev, &pid);
        ps_claim claim;
        bool has_socket = ps_tracee_claim(&ev, &claim);
        check_claim(has_socket, &claim);
        /* The Info line in an exactly sized buffer, small or large as the input's length says. */
        const size_t out_size = 1 + size % 300;
        char *out = malloc(out_size);
        tracee_event_describe(&ev, out, out_size);
        FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
        free(out);
    }

    /* The converter orders events by this alone: it must agree with the full decoder. */
    uint64_t ns = 0;
    ps_problems why = {0};
    if (tracee_event_timestamp(json, size, &ns, &why))
        FUZZ_CHECK(decoded && ev.v[TRACEE_TIMESTAMP].present && ev.v[TRACEE_TIMESTAMP].u == ns);
    else
        FUZZ_CHECK(ps_problems_count(&why) == 1);
    ps_problems_clear(&why);
    tracee_event_clear(&ev);
    return 0;
}
