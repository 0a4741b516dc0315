/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "source.h"

#include <string.h>

/* The engine keeps per-source state in arrays of this size. */
_Static_assert(PS_SOURCE_COUNT <= PS_CORR_MAX_SOURCES, "more sources than the engine has room for");

const ps_source_info *const ps_sources[PS_SOURCE_COUNT] = {
    [PS_SOURCE_ETW] = &ps_source_etw,
    [PS_SOURCE_TRACEE] = &ps_source_tracee,
    [PS_SOURCE_NETTCP] = &ps_source_nettcp,
    [PS_SOURCE_PTCPDUMP] = &ps_source_ptcpdump,
    [PS_SOURCE_ETL2PCAPNG] = &ps_source_etl2pcapng,
    [PS_SOURCE_ANNOTATION] = &ps_source_annotation,
    [PS_SOURCE_DARWIN] = &ps_source_darwin,
    [PS_SOURCE_PROCREC] = &ps_source_procrec,
};

const ps_source_info *ps_source_named(const char *name)
{
    for (int s = 0; s < PS_SOURCE_COUNT; s++)
        if (strcmp(ps_sources[s]->name, name) == 0)
            return ps_sources[s];
    return NULL;
}

void ps_claim_init(ps_claim *claim, ps_source source)
{
    memset(claim, 0, sizeof *claim);
    claim->source = (uint8_t)source;
    claim->rank = ps_sources[source]->rank;
    claim->transport = PS_TRANSPORT_TCP;
}
