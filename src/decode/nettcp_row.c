/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSFT_NetTCPConnection and MSFT_NetUDPEndpoint rows (Get-NetTCPConnection, Get-NetUDPEndpoint
 * | ConvertTo-Json), docs/FORMATS.md section 5.
 *
 * Where the values come from:
 * - State 1..12 and 100 Bound, OffloadState 0..3, the property names and the two date forms:
 *   docs/FORMATS.md section 5.
 * - AppliedSetting 0 Internet, 1 Datacenter, 2 Compat, 3 InternetCustom, 4 DatacenterCustom, and
 *   "uint8" as the CIM type of State, AppliedSetting and OffloadState (hence 255 as their largest
 *   value): Microsoft's "MSFT_NetTCPConnection class" reference (nettcpipprov, MicrosoftDocs/win32
 *   desktop-src/FWP/wmi/nettcpipprov/msft-nettcpconnection.md), which also confirms State 1..12
 *   and OffloadState 0..3 (it does not list 100 Bound).
 * - The two class names and where a row carries its class: docs/FORMATS.md section 5. */
#include "nettcp_row.h"
#include "ps_text.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ps_json.h"
#include "ps_time.h"

#define U8 UINT64_C(0xff)
#define U16 UINT64_C(0xffff)
#define U32 UINT64_C(0xffffffff)

/* ---- enumerations --------------------------------------------------------------------------- */

typedef struct {
    uint32_t value;
    const char *name;
} enum_entry;

static const enum_entry states[] = {
    {1, "Closed"},     {2, "Listen"},    {3, "SynSent"},  {4, "SynReceived"}, {5, "Established"},
    {6, "FinWait1"},   {7, "FinWait2"},  {8, "CloseWait"}, {9, "Closing"},    {10, "LastAck"},
    {11, "TimeWait"},  {12, "DeleteTCB"}, {100, "Bound"},
};

static const enum_entry applied_settings[] = {
    {0, "Internet"}, {1, "Datacenter"}, {2, "Compat"}, {3, "InternetCustom"}, {4, "DatacenterCustom"},
};

static const enum_entry offload_states[] = {
    {0, "InHost"}, {1, "Offloading"}, {2, "Offloaded"}, {3, "Uploading"},
};

static const char *enum_name(const enum_entry *table, size_t n, uint32_t value)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].value == value)
            return table[i].name;
    }
    return NULL;
}

static bool enum_from_name(const enum_entry *table, size_t n, const char *name, uint32_t *value)
{
    if (!name)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (g_ascii_strcasecmp(table[i].name, name) == 0) {
            if (value)
                *value = table[i].value;
            return true;
        }
    }
    return false;
}

const char *nettcp_state_name(uint32_t state)
{
    return enum_name(states, G_N_ELEMENTS(states), state);
}

bool nettcp_state_from_name(const char *name, uint32_t *state)
{
    return enum_from_name(states, G_N_ELEMENTS(states), name, state);
}

const char *nettcp_applied_setting_name(uint32_t setting)
{
    return enum_name(applied_settings, G_N_ELEMENTS(applied_settings), setting);
}

bool nettcp_applied_setting_from_name(const char *name, uint32_t *setting)
{
    return enum_from_name(applied_settings, G_N_ELEMENTS(applied_settings), name, setting);
}

const char *nettcp_offload_state_name(uint32_t state)
{
    return enum_name(offload_states, G_N_ELEMENTS(offload_states), state);
}

bool nettcp_offload_state_from_name(const char *name, uint32_t *state)
{
    return enum_from_name(offload_states, G_N_ELEMENTS(offload_states), name, state);
}

/* ---- helpers -------------------------------------------------------------------------------- */


static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!g_ascii_isdigit(*s))
            return false;
    }
    return true;
}


/* ---- fields --------------------------------------------------------------------------------- */

static void read_port(ps_json_reader *r, const ps_json *obj, const char *key, nettcp_row *row, nettcp_field f,
                      uint16_t *out)
{
    uint64_t v;
    if (ps_json_uint(r, obj, key, U16, &v)) {
        *out = (uint16_t)v;
        row->has[f] = true;
    }
}

/* IPv4 dotted quad or IPv6 text. A zone suffix ("fe80::1%12", as Windows writes link-local
 * addresses) is accepted and dropped: the row has no place for it. */
static bool parse_address(const char *s, size_t len, int *family, uint8_t addr[16])
{
    char buf[64];
    uint8_t bytes[16] = {0};
    if (len == 0 || len >= sizeof buf || strlen(s) != len)
        return false;
    memcpy(buf, s, len + 1);
    if (strchr(buf, ':')) {
        char *zone = strchr(buf, '%');
        if (zone) {
            if (!zone[1])
                return false;
            for (const char *z = zone + 1; *z; z++) {
                if (!g_ascii_isalnum(*z) && *z != '_' && *z != '-' && *z != '.')
                    return false;
            }
            *zone = '\0';
        }
        if (inet_pton(AF_INET6, buf, bytes) != 1)
            return false;
        *family = 6;
        memcpy(addr, bytes, 16);
        return true;
    }
    if (inet_pton(AF_INET, buf, bytes) != 1)
        return false;
    *family = 4;
    memcpy(addr, bytes, 4);
    return true;
}

static void read_address(ps_json_reader *r, const ps_json *obj, const char *key, nettcp_row *row, nettcp_field f,
                         int *family, uint8_t addr[16])
{
    char *s = NULL;
    if (!ps_json_string(r, obj, key, &s))
        return;
    size_t len = ps_json_string_length(ps_json_get(obj, key));
    if (parse_address(s, len, family, addr)) {
        row->has[f] = true;
    } else {
        char *ex = ps_json_excerpt(s, len);
        ps_json_problem(r, key, "\"%s\" is not an IPv4 or IPv6 address", ex);
        g_free(ex);
    }
    g_free(s);
}

/* A number, a string of digits, or (as Export-Csv writes them) a name; CIM type uint8. */
/* A number or a name; an unknown number is kept, with a problem that says so. */
static void read_enum(ps_json_reader *r, const ps_json *obj, const char *key, const char *what,
                      bool (*from_name)(const char *, uint32_t *), const char *(*name_of)(uint32_t),
                      nettcp_row *row, nettcp_field f, uint32_t *out)
{
    const ps_json *v = ps_json_get(obj, key);
    if (!v || ps_json_is_null(v))
        return;
    if (ps_json_is_string(v)) {
        const char *s = ps_json_string_value(v);
        size_t len = ps_json_string_length(v);
        uint32_t named;
        if (strlen(s) == len && from_name(s, &named)) {
            *out = named;
            row->has[f] = true;
            return;
        }
        if (!all_digits(s)) {
            char *ex = ps_json_excerpt(s, len);
            ps_json_problem(r, key, "unknown %s name \"%s\"", what, ex);
            g_free(ex);
            return;
        }
    }
    uint64_t n;
    if (ps_json_uint_value(r, key, v, U8, &n)) {
        *out = (uint32_t)n;
        row->has[f] = true;
        if (!name_of((uint32_t)n))
            ps_json_problem(r, key, "%" G_GUINT64_FORMAT " is not a known %s", n, what);
    }
}


/* CreationTime: "/Date(ms)/" (Windows PowerShell 5) or ISO 8601 with a zone (PowerShell 7).
 *
 * A zone-less ISO 8601 time ("2023-11-14T22:13:20.1234567", a DateTime of unspecified kind) is the
 * wall clock of some machine whose zone the row does not say, and the capture may be read anywhere
 * else: it cannot be placed on the timeline. It is left out with a problem rather than guessed
 * as UTC or as the reader's local time. */
static void read_creation_time(ps_json_reader *r, const ps_json *obj, nettcp_row *row)
{
    static const char key[] = "CreationTime";
    const ps_json *v = ps_json_get(obj, key);
    if (!v || ps_json_is_null(v))
        return;

    /* Windows PowerShell 5 writes a DateTime carrying extra ETS members as
     * {"value": "\/Date(ms)\/", "DisplayHint": 2, "DateTime": "..."}: its "value" is the date. */
    char *s = NULL;
    const ps_json *holder = obj;
    const char *holder_key = key;
    ps_json_reader sub = {r->problems, key};
    ps_json_reader *reader = r;
    if (ps_json_is_object(v) && ps_json_get(v, "value")) {
        holder = v;
        holder_key = "value";
        reader = &sub;
    }
    if (!ps_json_string(reader, holder, holder_key, &s))
        return;
    size_t len = ps_json_string_length(ps_json_get(holder, holder_key));

    int64_t ns;
    char *ex = ps_json_excerpt(s, len);
    if (strlen(s) != len) {
        ps_json_problem(r, key, "\"%s\" is not a date", ex);
    } else if (g_str_has_prefix(s, "/Date(")) {
        if (ps_time_parse_dotnet_date(s, &ns)) {
            row->creation_time_ns = ns;
            row->has[NETTCP_CREATION_TIME] = true;
        } else {
            ps_json_problem(r, key, "\"%s\" is not a /Date(milliseconds)/ time within 292 years of 1970", ex);
        }
    } else {
        if (ps_time_parse_iso8601(s, &ns)) {
            row->creation_time_ns = ns;
            row->has[NETTCP_CREATION_TIME] = true;
        } else {
            bool zoneless = false;
            if (len < 40) {
                char *with_zone = g_strconcat(s, "Z", NULL);
                zoneless = ps_time_parse_iso8601(with_zone, &ns);
                g_free(with_zone);
            }
            if (zoneless)
                ps_json_problem(r, key, "\"%s\" has no UTC offset: a local time of an unknown zone", ex);
            else
                ps_json_problem(r, key, "\"%s\" is not an ISO 8601 or /Date(milliseconds)/ time from 1678 to 2261", ex);
        }
    }
    g_free(ex);
    g_free(s);
}

/* The class a row names, where ConvertTo-Json and Export-Csv put it: the CimSystemProperties
 * object (both PowerShells' JSON), a CimClass object, or CimClass as its text
 * "ROOT/StandardCimv2:MSFT_NetUDPEndpoint" (ConvertTo-Json -Depth 1, Export-Csv). NULL: none. */
static const ps_json *class_name(const ps_json *obj, const char **key)
{
    const ps_json *v = ps_json_get(ps_json_get(obj, "CimSystemProperties"), "ClassName");
    *key = "CimSystemProperties.ClassName";
    if (ps_json_is_string(v))
        return v;
    v = ps_json_get(ps_json_get(obj, "CimClass"), "CimClassName");
    *key = "CimClass.CimClassName";
    if (ps_json_is_string(v))
        return v;
    v = ps_json_get(obj, "CimClass");
    *key = "CimClass";
    return ps_json_is_string(v) ? v : NULL;
}

/* Get-NetUDPEndpoint's rows have no remote end and no state: without a class (Select-Object drops
 * it), their absence tells a UDP endpoint. An empty row stays a TCP one, as before UDP was read. */
static void read_transport(ps_json_reader *r, const ps_json *obj, nettcp_row *row)
{
    const char *key;
    const ps_json *name = class_name(obj, &key);
    if (name) {
        const char *s = ps_json_string_value(name); /* no NUL inside: the parser refuses \u0000 */
        const char *colon = strrchr(s, ':');
        const char *cls = colon ? colon + 1 : s;
        /* CIM class names are case-insensitive. */
        if (g_ascii_strcasecmp(cls, "MSFT_NetUDPEndpoint") == 0) {
            row->transport = NETTCP_TRANSPORT_UDP;
            return;
        }
        if (g_ascii_strcasecmp(cls, "MSFT_NetTCPConnection") == 0) {
            row->transport = NETTCP_TRANSPORT_TCP;
            return;
        }
        char *ex = ps_json_excerpt(s, ps_json_string_length(name));
        ps_json_problem(r, key, "\"%s\" is neither MSFT_NetTCPConnection nor MSFT_NetUDPEndpoint", ex);
        g_free(ex);
    }
    bool local = ps_json_get(obj, "LocalAddress") || ps_json_get(obj, "LocalPort");
    bool tcp_only = ps_json_get(obj, "RemoteAddress") || ps_json_get(obj, "RemotePort") || ps_json_get(obj, "State");
    row->transport = local && !tcp_only ? NETTCP_TRANSPORT_UDP : NETTCP_TRANSPORT_TCP;
}

/* ---- row ------------------------------------------------------------------------------------ */

/* The row is overwritten without being read: a row holding problems from an earlier decode must be
 * cleared first, or they leak. */
bool nettcp_row_decode(const char *json, size_t len, nettcp_row *row)
{
    if (!row)
        return false;
    memset(row, 0, sizeof *row);
    if (!json) {
        ps_problems_add(&row->problems, PS_JSON_NOT_AN_OBJECT, PS_NO_OFFSET, 0, "no JSON text");
        return false;
    }

    ps_json *root = ps_json_parse_object(json, len, &row->problems);
    if (!root)
        return false;

    ps_json_reader r = {&row->problems, NULL};
    read_transport(&r, root, row);
    read_address(&r, root, "LocalAddress", row, NETTCP_LOCAL_ADDRESS, &row->local_family, row->local_addr);
    read_port(&r, root, "LocalPort", row, NETTCP_LOCAL_PORT, &row->local_port);
    read_address(&r, root, "RemoteAddress", row, NETTCP_REMOTE_ADDRESS, &row->remote_family, row->remote_addr);
    read_port(&r, root, "RemotePort", row, NETTCP_REMOTE_PORT, &row->remote_port);
    read_enum(&r, root, "State", "state", nettcp_state_from_name, nettcp_state_name, row, NETTCP_STATE, &row->state);

    uint64_t pid;
    if (ps_json_uint(&r, root, "OwningProcess", U32, &pid)) {
        row->owning_process = (uint32_t)pid;
        row->has[NETTCP_OWNING_PROCESS] = true;
    }

    read_creation_time(&r, root, row);
    read_enum(&r, root, "AppliedSetting", "applied setting", nettcp_applied_setting_from_name,
              nettcp_applied_setting_name, row, NETTCP_APPLIED_SETTING, &row->applied_setting);
    read_enum(&r, root, "OffloadState", "offload state", nettcp_offload_state_from_name, nettcp_offload_state_name,
              row, NETTCP_OFFLOAD_STATE, &row->offload_state);

    ps_json_free(root);
    return true;
}

void nettcp_row_clear(nettcp_row *row)
{
    if (!row)
        return;
    ps_problems_clear(&row->problems);
    memset(row, 0, sizeof *row);
}

/* ---- description ---------------------------------------------------------------------------- */

static void describe_endpoint(char *buf, size_t size, bool has_addr, int family, const uint8_t *addr,
                              bool has_port, uint16_t port)
{
    char host[INET6_ADDRSTRLEN + 2] = "?";
    char text[INET6_ADDRSTRLEN];
    if (has_addr && family == 4 && inet_ntop(AF_INET, addr, text, sizeof text))
        snprintf(host, sizeof host, "%s", text);
    else if (has_addr && family == 6 && inet_ntop(AF_INET6, addr, text, sizeof text))
        snprintf(host, sizeof host, "[%s]", text);
    if (has_port)
        snprintf(buf, size, "%s:%u", host, (unsigned)port);
    else
        snprintf(buf, size, "%s:?", host);
}

void nettcp_row_describe(const nettcp_row *row, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return;
    if (!row) {
        snprintf(out, out_size, "TCP ?:?" PS_ARROW "?:? ? pid ?");
        return;
    }
    char local[INET6_ADDRSTRLEN + 16], remote[INET6_ADDRSTRLEN + 16];
    describe_endpoint(local, sizeof local, row->has[NETTCP_LOCAL_ADDRESS], row->local_family, row->local_addr,
                      row->has[NETTCP_LOCAL_PORT], row->local_port);
    char pid[16] = "?";
    if (row->has[NETTCP_OWNING_PROCESS])
        snprintf(pid, sizeof pid, "%" PRIu32, row->owning_process);
    if (row->transport == NETTCP_TRANSPORT_UDP) {
        snprintf(out, out_size, "UDP %s pid %s", local, pid);
        return;
    }
    describe_endpoint(remote, sizeof remote, row->has[NETTCP_REMOTE_ADDRESS], row->remote_family,
                      row->remote_addr, row->has[NETTCP_REMOTE_PORT], row->remote_port);

    char state[32] = "?";
    if (row->has[NETTCP_STATE]) {
        const char *name = nettcp_state_name(row->state);
        if (name)
            snprintf(state, sizeof state, "%s", name);
        else
            snprintf(state, sizeof state, "state %" PRIu32, row->state);
    }
    snprintf(out, out_size, "TCP %s" PS_ARROW "%s %s pid %s", local, remote, state, pid);
}
