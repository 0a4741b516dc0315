/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PowerShell's Get-NetTCPConnection and Get-NetUDPEndpoint rows (docs/FORMATS.md section 5): a
 * snapshot of which process owns each local socket, and since when. */
#include "source.h"

#include <string.h>

const ps_source_info ps_source_nettcp = {
    .name = "nettcpconnection",
    .title = "Get-NetTCPConnection and Get-NetUDPEndpoint rows",
    .protocols = "nettcpconn",
    .pdu_dissector = "procshark.nettcpconnection",
    .import_option = "nettcp",
    .rank = 0, /* a snapshot: used only where no event speaks for the socket */
};

/* A UDP endpoint talks to any peer: peer stays zeroed (family 0). A wildcard local address (0.0.0.0,
 * ::) stays the all-zero address of its family, which the engine takes for any local address. */
static bool udp_claim(const nettcp_row *row, ps_claim *claim)
{
    if (!row->has[NETTCP_LOCAL_ADDRESS] || !row->has[NETTCP_LOCAL_PORT] || !row->has[NETTCP_OWNING_PROCESS])
        return false;
    claim->transport = PS_TRANSPORT_UDP;
    claim->owned = (ps_endpoint){row->local_family, {0}, row->local_port};
    memcpy(claim->owned.addr, row->local_addr, 16);
    claim->has_pid = true;
    claim->pid = row->owning_process;
    claim->kind = PS_CLAIM_SNAPSHOT;
    claim->has_creation = row->has[NETTCP_CREATION_TIME];
    claim->creation_ns = row->creation_time_ns;
    return true;
}

bool ps_nettcp_claim(const nettcp_row *row, ps_claim *claim)
{
    ps_claim_init(claim, PS_SOURCE_NETTCP);
    if (row->transport == NETTCP_TRANSPORT_UDP)
        return udp_claim(row, claim);
    if (!row->has[NETTCP_LOCAL_ADDRESS] || !row->has[NETTCP_LOCAL_PORT])
        return false;
    claim->owned = (ps_endpoint){row->local_family, {0}, row->local_port};
    memcpy(claim->owned.addr, row->local_addr, 16);
    claim->has_pid = row->has[NETTCP_OWNING_PROCESS];
    claim->pid = row->owning_process;
    if (!row->has[NETTCP_REMOTE_ADDRESS] || !row->has[NETTCP_REMOTE_PORT])
        return true;
    claim->peer = (ps_endpoint){row->remote_family, {0}, row->remote_port};
    memcpy(claim->peer.addr, row->remote_addr, 16);
    claim->kind = PS_CLAIM_SNAPSHOT;
    claim->has_creation = row->has[NETTCP_CREATION_TIME];
    claim->creation_ns = row->creation_time_ns;
    return true;
}
