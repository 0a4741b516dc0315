/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TcpIp, UdpIp and Kernel-Network payload decoder on raw bytes. The first five bytes choose what
 * the record header would: provider (byte 0, mod 4, 3 = another provider), event id / opcode (bytes
 * 1-2, little-endian; the opcode is byte 1), version (byte 3), and UserDataLength as the payload's
 * length plus byte 4 minus 128 (0x80: honest), so short and overlong declarations are reached. */
#include "fuzz_common.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const etw_provider providers[] = {ETW_PROVIDER_TCPIP, ETW_PROVIDER_UDPIP, ETW_PROVIDER_KERNEL_NETWORK,
                                         ETW_PROVIDER_OTHER};

/* A claim names a socket of the record's own addresses, and only a kind the engine knows. */
static void check_claim(bool has_socket, const ps_claim *claim)
{
    FUZZ_CHECK(claim->kind <= PS_CLAIM_SNAPSHOT);
    FUZZ_CHECK(!has_socket || claim->owned.family == 4 || claim->owned.family == 6);
    FUZZ_CHECK(claim->kind == PS_CLAIM_NONE || (has_socket && (claim->peer.family == 4 || claim->peer.family == 6)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    const etw_provider provider = providers[data[0] % 4];
    const uint16_t id = ps_le16(data + 1);
    const uint8_t version = data[3];
    const size_t len = size - 5;
    const long declared = (long)len + data[4] - 128;
    const size_t declared_len = declared < 0 ? 0 : (size_t)declared;
    /* libFuzzer's copy ends where the input does: a read past the payload is an ASan report. */
    const uint8_t *payload = data + 5;

    etw_net_event ev;
    const bool decoded = etw_net_decode(provider, id, data[1], version, payload, len, declared_len, &ev);
    FUZZ_CHECK(decoded == (provider != ETW_PROVIDER_OTHER));
    if (!decoded)
        return 0;
    fuzz_check_spans(ev.span, ETW_NET_FIELD_COUNT, len < declared_len ? len : declared_len);
    FUZZ_CHECK(ev.connid_width == 0 || ev.connid_width == 4 || ev.connid_width == 8);
    FUZZ_CHECK(ps_problems_count(&ev.problems) <= 1);
    fuzz_check_problems(&ev.problems, len < declared_len ? len : declared_len);
    FUZZ_CHECK((ev.event_name == NULL) == ps_problems_has(&ev.problems, ETW_NET_UNKNOWN_EVENT));
    if (!ps_problems_count(&ev.problems))
        FUZZ_CHECK(declared_len == ev.expected_len[0] || declared_len == ev.expected_len[1]);
    (void)etw_net_has_byte_count(&ev);
    ps_claim claim;
    bool has_socket = ps_etw_net_claim(&ev, &claim);
    check_claim(has_socket, &claim);
    (void)etw_net_fail_proto_name(ev.fail_proto);
    (void)etw_net_fail_code_name(ev.fail_code);

    /* The Info line in an exactly sized buffer, of a size the input chooses: no overflow, always
     * terminated. */
    const size_t out_size = 1 + (size_t)(data[4] % 96);
    char *out = malloc(out_size);
    etw_net_describe(&ev, out, out_size);
    FUZZ_CHECK(memchr(out, '\0', out_size) != NULL);
    free(out);
    ps_problems_clear(&ev.problems);
    return 0;
}
