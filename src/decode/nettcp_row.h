/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSFT_NetTCPConnection and MSFT_NetUDPEndpoint rows (Get-NetTCPConnection, Get-NetUDPEndpoint
 * | ConvertTo-Json), docs/FORMATS.md section 5. */
#ifndef NETTCP_ROW_H
#define NETTCP_ROW_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

typedef enum {
    NETTCP_LOCAL_ADDRESS,
    NETTCP_LOCAL_PORT,
    NETTCP_REMOTE_ADDRESS,
    NETTCP_REMOTE_PORT,
    NETTCP_STATE,
    NETTCP_OWNING_PROCESS,
    NETTCP_CREATION_TIME,
    NETTCP_APPLIED_SETTING,
    NETTCP_OFFLOAD_STATE,
    NETTCP_FIELD_COUNT
} nettcp_field;

/* A row's kind, as IP protocol numbers. */
enum { NETTCP_TRANSPORT_TCP = 6, NETTCP_TRANSPORT_UDP = 17 };

typedef struct {
    bool has[NETTCP_FIELD_COUNT];
    uint8_t transport; /* NETTCP_TRANSPORT_*, set by a successful nettcp_row_decode */
    int local_family;  /* 4 or 6 when the local address is known */
    int remote_family;
    uint8_t local_addr[16]; /* network byte order; 4 bytes used for IPv4 */
    uint8_t remote_addr[16];
    uint16_t local_port;
    uint16_t remote_port;
    uint32_t state;            /* 1 Closed ... 12 DeleteTCB, 100 Bound */
    uint32_t owning_process;
    int64_t creation_time_ns;  /* since the Unix epoch */
    uint32_t applied_setting;
    uint32_t offload_state;
    ps_problems problems;      /* ps_json.h codes: wrong types, unknown names, bad addresses */
} nettcp_row;

/* Decodes one JSON object into a zeroed or cleared row. False when the text is no JSON object
 * (then problems holds exactly one, why). Every other problem leaves the field out and adds one.
 * The row is a UDP endpoint when its class says so (CimSystemProperties.ClassName,
 * CimClass.CimClassName, or CimClass as "NAMESPACE:CLASS"), or, with no class, when it has
 * LocalAddress or LocalPort but none of RemoteAddress, RemotePort and State; else a TCP
 * connection. */
bool nettcp_row_decode(const char *json, size_t len, nettcp_row *row);
void nettcp_row_clear(nettcp_row *row);

/* Names of the enumerations, NULL when unknown; and the reverse (case-insensitive). */
const char *nettcp_state_name(uint32_t state);
bool nettcp_state_from_name(const char *name, uint32_t *state);
const char *nettcp_applied_setting_name(uint32_t setting);
bool nettcp_applied_setting_from_name(const char *name, uint32_t *setting);
const char *nettcp_offload_state_name(uint32_t state);
bool nettcp_offload_state_from_name(const char *name, uint32_t *state);

/* "TCP 10.0.0.5:49702 -> 93.184.216.34:443 Established pid 4120", "UDP 0.0.0.0:5353 pid 2424"
 * (IPv6 in brackets). */
void nettcp_row_describe(const nettcp_row *row, char *out, size_t out_size);

#endif
