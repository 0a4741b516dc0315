/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark's annotation as the plugin gets it (plugin/packet-proc_annotation.c): one comment,
 * decoded; a well-formed one written again must read back to the same ends and the same text, and
 * its claims name the ends of the packet it is on. */
#include "fuzz_common.h"
#include "source.h"

#include "proc_annotation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proc_annotation ann = {0};
    ps_problems problems = {0};
    const bool ok = proc_annotation_decode((const char *)data, size, &ann, &problems);
    fuzz_check_problems(&problems, size);
    FUZZ_CHECK(ok == (ps_problems_count(&problems) == 0));
    if (ok) {
        GString *text = g_string_new(NULL);
        proc_annotation_encode(text, &ann);
        /* Written text is printable: no C0 control or DEL byte reaches a terminal. */
        for (gsize i = 0; i < text->len; i++)
            FUZZ_CHECK((unsigned char)text->str[i] >= 0x20 && text->str[i] != 0x7f);
        proc_annotation again = {0};
        FUZZ_CHECK(proc_annotation_decode(text->str, text->len, &again, NULL));
        GString *text2 = g_string_new(NULL);
        proc_annotation_encode(text2, &again);
        FUZZ_CHECK(g_string_equal(text, text2));
        ps_packet_facts p = {.transport = PS_TRANSPORT_TCP, .seq = 1, .ack = 2, .tcp_flags = PS_TCP_ACK};
        p.src.family = p.dst.family = 4;
        memcpy(p.src.addr, "\x0a\0\2\x0f", 4);
        memcpy(p.dst.addr, "\x8b\xb2\x54\xd9", 4);
        p.src.port = 42906;
        p.dst.port = 443;
        for (int end = 0; end < 2; end++) {
            const proc_annotation_end *a = &ann.end[end], *b = &again.end[end];
            /* An empty name or container reads as none, so the second reading may lose nothing else. */
            FUZZ_CHECK(a->known == b->known && a->pid == b->pid);
            FUZZ_CHECK(same_text(a->name, b->name) && same_text(a->container, b->container));
            ps_claim claim;
            const bool claimed = ps_annotation_claim(&ann, end, &p, &claim);
            FUZZ_CHECK(claimed == a->known);
            if (claimed)
                FUZZ_CHECK(claim.kind == PS_CLAIM_COMMENT && claim.pid == a->pid &&
                           claim.owned.port == (end == 0 ? 42906 : 443));
        }
        proc_annotation_clear(&again);
        g_string_free(text, TRUE);
        g_string_free(text2, TRUE);
    } else {
        FUZZ_CHECK(!ann.end[0].known && !ann.end[1].known && !ann.end[0].name && !ann.end[1].container);
    }
    ps_problems_clear(&problems);
    proc_annotation_clear(&ann);
    return 0;
}
