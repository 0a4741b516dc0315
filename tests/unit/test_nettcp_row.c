/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the MSFT_NetTCPConnection and MSFT_NetUDPEndpoint row decoder (nettcp_row).
 *
 * Where the expected values come from:
 * - docs/FORMATS.md section 5: the property names, State 1 Closed .. 12 DeleteTCB and 100 Bound,
 *   OffloadState 0 InHost .. 3 Uploading, "\/Date(ms)\/" (Windows PowerShell 5) and ISO 8601
 *   (PowerShell 7) for CreationTime, names instead of numbers in CSV.
 * - Microsoft's "MSFT_NetTCPConnection class" reference (nettcpipprov): AppliedSetting 0 Internet,
 *   1 Datacenter, 2 Compat, 3 InternetCustom, 4 DatacenterCustom; State, AppliedSetting and
 *   OffloadState are uint8 (so 255 is the largest value accepted); the inherited CIM properties.
 * - Microsoft's "MSFT_NetUDPEndpoint class" reference and Get-NetUDPEndpoint's page: a UDP row's
 *   properties (LocalAddress, LocalPort, OwningProcess, CreationTime and the inherited CIM ones);
 *   how a row's kind is told, docs/FORMATS.md section 5.
 * Instants are worked out by hand: 1700000000 s is 2023-11-14T22:13:20Z. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "nettcp_row.h"

#define UNUSED(x) (void)(x)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---------------------------------------------------------- */

/* Decodes the first len bytes from an exactly-sized heap copy with no terminator, so ASan sees
 * any read past the end. */
static bool decode_len(const char *text, size_t len, nettcp_row *row)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    bool ok = nettcp_row_decode(copy, len, row);
    free(copy);
    return ok;
}

static bool decode(const char *text, nettcp_row *row)
{
    return decode_len(text, strlen(text), row);
}

/* The first problem about key ("key: ..."), or NULL. */
static const char *problem_about(const nettcp_row *row, const char *key)
{
    size_t n = strlen(key);
    for (guint i = 0; i < ps_problems_count(&row->problems); i++) {
        const char *msg = ps_problems_at(&row->problems, i)->message;
        if (strncmp(msg, key, n) == 0 && msg[n] == ':')
            return msg;
    }
    return NULL;
}

static void assert_contains(const char *haystack, const char *needle)
{
    assert_non_null(haystack);
    if (!strstr(haystack, needle))
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void assert_no_problems(const nettcp_row *row)
{
    if (ps_problems_count(&row->problems))
        fail_msg("unexpected problem: %s", ps_problems_first(&row->problems)->message);
}

static void assert_bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
    assert_memory_equal(got, want, n);
}

/* A row that only sets the fields in middle, e.g. "\"State\": 5". */
static bool decode_fields(const char *middle, nettcp_row *row)
{
    char *text = g_strdup_printf("{%s}", middle);
    bool ok = decode(text, row);
    g_free(text);
    return ok;
}

/* ---- realistic rows ---------------------------------------------------- */

/* Windows PowerShell 5.1: Get-NetTCPConnection | Select -First 1 | ConvertTo-Json -Depth 1 */
static const char PS5_ROW[] =
    "{\r\n"
    "    \"State\":  5,\r\n"
    "    \"AppliedSetting\":  0,\r\n"
    "    \"OwningProcess\":  4120,\r\n"
    "    \"CreationTime\":  \"\\/Date(1700000000000)\\/\",\r\n"
    "    \"OffloadState\":  0,\r\n"
    "    \"Caption\":  null,\r\n"
    "    \"Description\":  null,\r\n"
    "    \"ElementName\":  null,\r\n"
    "    \"InstanceID\":  \"10.0.0.5++49702++93.184.216.34++443\",\r\n"
    "    \"CommunicationStatus\":  null,\r\n"
    "    \"DetailedStatus\":  null,\r\n"
    "    \"HealthState\":  null,\r\n"
    "    \"InstallDate\":  null,\r\n"
    "    \"Name\":  null,\r\n"
    "    \"OperatingStatus\":  null,\r\n"
    "    \"OperationalStatus\":  null,\r\n"
    "    \"PrimaryStatus\":  null,\r\n"
    "    \"Status\":  null,\r\n"
    "    \"StatusDescriptions\":  null,\r\n"
    "    \"AvailableRequestedStates\":  null,\r\n"
    "    \"EnabledDefault\":  2,\r\n"
    "    \"EnabledState\":  null,\r\n"
    "    \"OtherEnabledState\":  null,\r\n"
    "    \"RequestedState\":  5,\r\n"
    "    \"TimeOfLastStateChange\":  null,\r\n"
    "    \"TransitioningToState\":  12,\r\n"
    "    \"AggregationBehavior\":  null,\r\n"
    "    \"Directionality\":  null,\r\n"
    "    \"LocalAddress\":  \"10.0.0.5\",\r\n"
    "    \"LocalPort\":  49702,\r\n"
    "    \"RemoteAddress\":  \"93.184.216.34\",\r\n"
    "    \"RemotePort\":  443,\r\n"
    "    \"PSComputerName\":  null,\r\n"
    "    \"CimClass\":  \"ROOT/StandardCimv2:MSFT_NetTCPConnection\",\r\n"
    "    \"CimInstanceProperties\":  [\r\n"
    "                                  \"Caption\",\r\n"
    "                                  \"Description\",\r\n"
    "                                  \"ElementName\",\r\n"
    "                                  \"InstanceID = \\\"10.0.0.5++49702++93.184.216.34++443\\\"\",\r\n"
    "                                  \"EnabledDefault = 2\",\r\n"
    "                                  \"RequestedState = 5\",\r\n"
    "                                  \"TransitioningToState = 12\",\r\n"
    "                                  \"LocalAddress = \\\"10.0.0.5\\\"\",\r\n"
    "                                  \"LocalPort = 49702\",\r\n"
    "                                  \"RemoteAddress = \\\"93.184.216.34\\\"\",\r\n"
    "                                  \"RemotePort = 443\",\r\n"
    "                                  \"AppliedSetting = 0\",\r\n"
    "                                  \"CreationTime = 14/11/2023 23:13:20\",\r\n"
    "                                  \"OffloadState = 0\",\r\n"
    "                                  \"OwningProcess = 4120\",\r\n"
    "                                  \"State = 5\"\r\n"
    "                              ],\r\n"
    "    \"CimSystemProperties\":  {\r\n"
    "                                \"Namespace\":  \"ROOT/StandardCimv2\",\r\n"
    "                                \"ServerName\":  \"DESKTOP-7Q2L9KD\",\r\n"
    "                                \"ClassName\":  \"MSFT_NetTCPConnection\",\r\n"
    "                                \"Path\":  null\r\n"
    "                            }\r\n"
    "}";

/* PowerShell 7.4 on a server: Get-NetTCPConnection | Select -First 1 | ConvertTo-Json */
static const char PS7_ROW[] =
    "{\n"
    "  \"State\": 5,\n"
    "  \"AppliedSetting\": 1,\n"
    "  \"OwningProcess\": 1788,\n"
    "  \"CreationTime\": \"2023-11-14T22:13:20.1234567+01:00\",\n"
    "  \"OffloadState\": 0,\n"
    "  \"Caption\": null,\n"
    "  \"Description\": null,\n"
    "  \"ElementName\": null,\n"
    "  \"InstanceID\": \"192.168.20.11++3389++192.168.20.50++61020\",\n"
    "  \"EnabledDefault\": 2,\n"
    "  \"RequestedState\": 5,\n"
    "  \"TransitioningToState\": 12,\n"
    "  \"LocalAddress\": \"192.168.20.11\",\n"
    "  \"LocalPort\": 3389,\n"
    "  \"RemoteAddress\": \"192.168.20.50\",\n"
    "  \"RemotePort\": 61020,\n"
    "  \"PSComputerName\": null,\n"
    "  \"CimClass\": {\n"
    "    \"CimSuperClassName\": \"MSFT_NetTransportConnection\",\n"
    "    \"CimSuperClass\": \"ROOT/StandardCimv2:MSFT_NetTransportConnection\",\n"
    "    \"CimClassProperties\": \"Caption Description ElementName InstanceID LocalAddress LocalPort\",\n"
    "    \"CimClassQualifiers\": \"dynamic = True provider = \\\"nettcpip\\\" Locale = 1033\",\n"
    "    \"CimClassMethods\": \"RequestStateChange\",\n"
    "    \"CimSystemProperties\": \"Microsoft.Management.Infrastructure.CimSystemProperties\"\n"
    "  },\n"
    "  \"CimInstanceProperties\": [\n"
    "    \"Caption\",\n"
    "    \"LocalAddress = \\\"192.168.20.11\\\"\",\n"
    "    \"LocalPort = 3389\"\n"
    "  ],\n"
    "  \"CimSystemProperties\": {\n"
    "    \"Namespace\": \"ROOT/StandardCimv2\",\n"
    "    \"ServerName\": \"SRV-FILE01\",\n"
    "    \"ClassName\": \"MSFT_NetTCPConnection\",\n"
    "    \"Path\": null\n"
    "  }\n"
    "}";

/* ---- whole rows -------------------------------------------------------- */

static void test_ps5_full_row(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode(PS5_ROW, &row));
    assert_no_problems(&row);

    static const uint8_t local[4] = {10, 0, 0, 5}, remote[4] = {93, 184, 216, 34};
    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_int_equal(row.local_family, 4);
    assert_bytes(row.local_addr, local, 4);
    assert_true(row.has[NETTCP_LOCAL_PORT]);
    assert_int_equal(row.local_port, 49702);
    assert_true(row.has[NETTCP_REMOTE_ADDRESS]);
    assert_int_equal(row.remote_family, 4);
    assert_bytes(row.remote_addr, remote, 4);
    assert_true(row.has[NETTCP_REMOTE_PORT]);
    assert_int_equal(row.remote_port, 443);
    assert_true(row.has[NETTCP_STATE]);
    assert_int_equal(row.state, 5);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_int_equal(row.owning_process, 4120);
    assert_true(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.creation_time_ns == INT64_C(1700000000000000000));
    assert_true(row.has[NETTCP_APPLIED_SETTING]);
    assert_int_equal(row.applied_setting, 0);
    assert_true(row.has[NETTCP_OFFLOAD_STATE]);
    assert_int_equal(row.offload_state, 0);
    nettcp_row_clear(&row);
}

static void test_ps7_row_iso8601_with_offset(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode(PS7_ROW, &row));
    assert_no_problems(&row);
    /* 22:13:20.1234567+01:00 is 21:13:20.1234567Z: 1700000000 - 3600 s, 123456700 ns */
    assert_true(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.creation_time_ns == INT64_C(1699996400123456700));

    static const uint8_t local[4] = {192, 168, 20, 11}, remote[4] = {192, 168, 20, 50};
    assert_int_equal(row.local_family, 4);
    assert_bytes(row.local_addr, local, 4);
    assert_int_equal(row.local_port, 3389);
    assert_int_equal(row.remote_family, 4);
    assert_bytes(row.remote_addr, remote, 4);
    assert_int_equal(row.remote_port, 61020);
    assert_int_equal(row.state, 5);
    assert_int_equal(row.owning_process, 1788);
    assert_true(row.has[NETTCP_APPLIED_SETTING]);
    assert_int_equal(row.applied_setting, 1);
    assert_true(row.has[NETTCP_OFFLOAD_STATE]);
    assert_int_equal(row.offload_state, 0);
    for (int f = 0; f < NETTCP_FIELD_COUNT; f++)
        assert_true(row.has[f]);
    nettcp_row_clear(&row);
}

static void test_ipv6_row(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"2001:db8:10::5\", \"LocalPort\": 51544,"
                              "\"RemoteAddress\": \"2606:2800:220:1:248:1893:25c8:1946\", \"RemotePort\": 443,"
                              "\"State\": 5, \"OwningProcess\": 9312",
                              &row));
    assert_no_problems(&row);
    static const uint8_t local[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05};
    static const uint8_t remote[16] = {0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01,
                                       0x02, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46};
    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_int_equal(row.local_family, 6);
    assert_bytes(row.local_addr, local, 16);
    assert_true(row.has[NETTCP_REMOTE_ADDRESS]);
    assert_int_equal(row.remote_family, 6);
    assert_bytes(row.remote_addr, remote, 16);
    assert_int_equal(row.local_port, 51544);
    assert_int_equal(row.remote_port, 443);
    nettcp_row_clear(&row);
}

static void test_ipv6_zone_is_dropped(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"fe80::1c2d:3e4f:5a6b:7c8d%12\"", &row));
    assert_no_problems(&row);
    static const uint8_t want[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b, 0x7c, 0x8d};
    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_int_equal(row.local_family, 6);
    assert_bytes(row.local_addr, want, 16);
    nettcp_row_clear(&row);
}

static void test_listen_row_unspecified_addresses(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"::\", \"LocalPort\": 135, \"RemoteAddress\": \"0.0.0.0\","
                              "\"RemotePort\": 0, \"State\": 2, \"OwningProcess\": 1032",
                              &row));
    assert_no_problems(&row);
    static const uint8_t zero[16] = {0};
    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_int_equal(row.local_family, 6);
    assert_bytes(row.local_addr, zero, 16);
    assert_true(row.has[NETTCP_REMOTE_ADDRESS]);
    assert_int_equal(row.remote_family, 4);
    assert_bytes(row.remote_addr, zero, 4);
    assert_true(row.has[NETTCP_REMOTE_PORT]);
    assert_int_equal(row.remote_port, 0);
    assert_int_equal(row.state, 2);
    nettcp_row_clear(&row);
}

static void test_bad_addresses_are_problems(void **state)
{
    UNUSED(state);
    static const char *const bad[] = {
        "999.1.1.1", "10.0.0", "10.0.0.5.6", "hello", "", "fe80::1%", "fe80::1%1 2", "1.2.3.4 ", " 1.2.3.4",
        "2001:db8::g", "[::1]", "10.0.0.5:443",
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        nettcp_row row;
        char *middle = g_strdup_printf("\"RemoteAddress\": \"%s\", \"RemotePort\": 443", bad[i]);
        assert_true(decode_fields(middle, &row));
        g_free(middle);
        assert_false(row.has[NETTCP_REMOTE_ADDRESS]);
        assert_int_equal(row.remote_family, 0);
        assert_true(row.has[NETTCP_REMOTE_PORT]);
        assert_int_equal(ps_problems_count(&row.problems), 1);
        assert_contains(problem_about(&row, "RemoteAddress"), "is not an IPv4 or IPv6 address");
        nettcp_row_clear(&row);
    }
}

/* ---- CreationTime ------------------------------------------------------ */

static void test_iso8601_utc_and_negative_offset(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"CreationTime\": \"2023-11-14T22:13:20Z\"", &row));
    assert_no_problems(&row);
    assert_true(row.creation_time_ns == INT64_C(1700000000000000000));
    nettcp_row_clear(&row);

    /* 16:13:20.5-05:00 is 21:13:20.5Z */
    assert_true(decode_fields("\"CreationTime\": \"2023-11-14T16:13:20.5-05:00\"", &row));
    assert_no_problems(&row);
    assert_true(row.creation_time_ns == INT64_C(1699996400500000000));
    nettcp_row_clear(&row);
}

static void test_dotnet_date_zone_suffix_and_negative(void **state)
{
    UNUSED(state);
    nettcp_row row;
    /* The "+0100" suffix names the writer's zone; the milliseconds are UTC already. */
    assert_true(decode_fields("\"CreationTime\": \"\\/Date(1700000000000+0100)\\/\"", &row));
    assert_no_problems(&row);
    assert_true(row.creation_time_ns == INT64_C(1700000000000000000));
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"CreationTime\": \"/Date(-1500)/\"", &row));
    assert_no_problems(&row);
    assert_true(row.creation_time_ns == INT64_C(-1500000000));
    nettcp_row_clear(&row);
}

static void test_ps5_datetime_object_with_value(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"CreationTime\": {\"value\": \"\\/Date(1700000000000)\\/\", \"DisplayHint\": 2,"
                              "\"DateTime\": \"Tuesday, 14 November 2023 23:13:20\"}, \"State\": 5",
                              &row));
    assert_no_problems(&row);
    assert_true(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.creation_time_ns == INT64_C(1700000000000000000));
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"CreationTime\": {\"value\": 17}, \"State\": 5", &row));
    assert_false(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.has[NETTCP_STATE]);
    assert_contains(problem_about(&row, "CreationTime.value"), "expected a string, found an integer");
    nettcp_row_clear(&row);
}

static void test_zoneless_time_is_a_problem(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"CreationTime\": \"2023-11-14T22:13:20.1234567\", \"OwningProcess\": 4120", &row));
    assert_false(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.creation_time_ns == 0);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_int_equal(row.owning_process, 4120);
    assert_int_equal(ps_problems_count(&row.problems), 1);
    assert_contains(problem_about(&row, "CreationTime"), "has no UTC offset");
    nettcp_row_clear(&row);
}

/* ps_time_parse_iso8601 would overflow int64 nanoseconds (UBSan aborts) for these. */
static void test_creation_time_years_beyond_int64(void **state)
{
    UNUSED(state);
    static const char *const far[] = {"9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2262-04-12T00:00:00Z",
                                      "1677-01-01T00:00:00+00:00", "9999-12-31T23:59:59"};
    for (size_t i = 0; i < COUNT(far); i++) {
        nettcp_row row;
        char *middle = g_strdup_printf("\"CreationTime\": \"%s\", \"LocalPort\": 80", far[i]);
        assert_true(decode_fields(middle, &row));
        g_free(middle);
        assert_false(row.has[NETTCP_CREATION_TIME]);
        assert_true(row.has[NETTCP_LOCAL_PORT]);
        assert_contains(problem_about(&row, "CreationTime"), "time from 1678 to 2261");
        nettcp_row_clear(&row);
    }

    /* The edges inside the range still decode. */
    nettcp_row row;
    assert_true(decode_fields("\"CreationTime\": \"2261-12-31T23:59:59Z\"", &row));
    assert_no_problems(&row);
    assert_true(row.creation_time_ns == INT64_C(9214646399000000000));
    nettcp_row_clear(&row);
}

static void test_creation_time_garbage(void **state)
{
    UNUSED(state);
    static const char *const bad[] = {
        "yesterday",          "/Date(abc)/",        "/Date(99999999999999999999)/", "/Date(1700000000000)",
        "14/11/2023 23:13:20", "2023-11-14",         "2023-13-14T22:13:20Z",         "2023-11-14T22:13:20+0100",
        "",                   "\\\\/Date(1)\\\\/",
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        nettcp_row row;
        char *middle = g_strdup_printf("\"CreationTime\": \"%s\", \"RemotePort\": 443", bad[i]);
        assert_true(decode_fields(middle, &row));
        g_free(middle);
        assert_false(row.has[NETTCP_CREATION_TIME]);
        assert_true(row.has[NETTCP_REMOTE_PORT]);
        assert_int_equal(ps_problems_count(&row.problems), 1);
        assert_non_null(problem_about(&row, "CreationTime"));
        nettcp_row_clear(&row);
    }
}

/* ---- enumerations ------------------------------------------------------ */

static const struct {
    uint32_t value;
    const char *name;
} STATES[] = {
    {1, "Closed"},    {2, "Listen"},   {3, "SynSent"},   {4, "SynReceived"}, {5, "Established"},
    {6, "FinWait1"},  {7, "FinWait2"}, {8, "CloseWait"}, {9, "Closing"},     {10, "LastAck"},
    {11, "TimeWait"}, {12, "DeleteTCB"}, {100, "Bound"},
};

static void test_state_numbers_and_names_both_ways(void **state)
{
    UNUSED(state);
    for (size_t i = 0; i < COUNT(STATES); i++) {
        assert_string_equal(nettcp_state_name(STATES[i].value), STATES[i].name);
        uint32_t v = 9999;
        assert_true(nettcp_state_from_name(STATES[i].name, &v));
        assert_int_equal(v, STATES[i].value);
    }
}

static void test_state_names_case_insensitive(void **state)
{
    UNUSED(state);
    for (size_t i = 0; i < COUNT(STATES); i++) {
        char *upper = g_ascii_strup(STATES[i].name, -1), *lower = g_ascii_strdown(STATES[i].name, -1);
        uint32_t a = 9999, b = 9999;
        assert_true(nettcp_state_from_name(upper, &a));
        assert_true(nettcp_state_from_name(lower, &b));
        assert_int_equal(a, STATES[i].value);
        assert_int_equal(b, STATES[i].value);
        g_free(upper);
        g_free(lower);
    }
}

static void test_unknown_states(void **state)
{
    UNUSED(state);
    static const uint32_t unknown[] = {0, 13, 42, 99, 101, 255, UINT32_MAX};
    for (size_t i = 0; i < COUNT(unknown); i++)
        assert_null(nettcp_state_name(unknown[i]));
    static const char *const names[] = {"", "Establishe", "Established ", "5", "Bound2", "Time Wait", "SYN_SENT"};
    for (size_t i = 0; i < COUNT(names); i++) {
        uint32_t v = 7777;
        assert_false(nettcp_state_from_name(names[i], &v));
        assert_int_equal(v, 7777);
    }
    uint32_t v = 7777;
    assert_false(nettcp_state_from_name(NULL, &v));
    assert_int_equal(v, 7777);
}

static void test_offload_state_both_ways(void **state)
{
    UNUSED(state);
    static const char *const names[] = {"InHost", "Offloading", "Offloaded", "Uploading"};
    for (uint32_t i = 0; i < COUNT(names); i++) {
        assert_string_equal(nettcp_offload_state_name(i), names[i]);
        uint32_t v = 9999;
        assert_true(nettcp_offload_state_from_name(names[i], &v));
        assert_int_equal(v, i);
        char *upper = g_ascii_strup(names[i], -1);
        v = 9999;
        assert_true(nettcp_offload_state_from_name(upper, &v));
        assert_int_equal(v, i);
        g_free(upper);
    }
    assert_null(nettcp_offload_state_name(4));
    assert_null(nettcp_offload_state_name(255));
    uint32_t v = 9999;
    assert_false(nettcp_offload_state_from_name("Offload", &v));
    assert_false(nettcp_offload_state_from_name(NULL, &v));
    assert_int_equal(v, 9999);
}

static void test_applied_setting_both_ways(void **state)
{
    UNUSED(state);
    /* Microsoft's MSFT_NetTCPConnection reference, AppliedSetting */
    static const char *const names[] = {"Internet", "Datacenter", "Compat", "InternetCustom", "DatacenterCustom"};
    for (uint32_t i = 0; i < COUNT(names); i++) {
        assert_string_equal(nettcp_applied_setting_name(i), names[i]);
        uint32_t v = 9999;
        assert_true(nettcp_applied_setting_from_name(names[i], &v));
        assert_int_equal(v, i);
        char *lower = g_ascii_strdown(names[i], -1);
        v = 9999;
        assert_true(nettcp_applied_setting_from_name(lower, &v));
        assert_int_equal(v, i);
        g_free(lower);
    }
    assert_null(nettcp_applied_setting_name(5));
    uint32_t v = 9999;
    assert_false(nettcp_applied_setting_from_name("Custom", &v));
    assert_false(nettcp_applied_setting_from_name("Automatic", &v));
    assert_false(nettcp_applied_setting_from_name(NULL, &v));
    assert_int_equal(v, 9999);
}

static void test_decode_enum_names_as_csv_writes_them(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"State\": \"TimeWait\", \"AppliedSetting\": \"datacentercustom\","
                              "\"OffloadState\": \"OFFLOADED\"",
                              &row));
    assert_no_problems(&row);
    assert_true(row.has[NETTCP_STATE]);
    assert_int_equal(row.state, 11);
    assert_true(row.has[NETTCP_APPLIED_SETTING]);
    assert_int_equal(row.applied_setting, 4);
    assert_true(row.has[NETTCP_OFFLOAD_STATE]);
    assert_int_equal(row.offload_state, 2);
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"State\": \"Bound\"", &row));
    assert_no_problems(&row);
    assert_int_equal(row.state, 100);
    nettcp_row_clear(&row);
}

static void test_decode_enum_digit_strings(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"State\": \"8\", \"AppliedSetting\": \"2\", \"OffloadState\": \"3\"", &row));
    assert_no_problems(&row);
    assert_int_equal(row.state, 8);
    assert_int_equal(row.applied_setting, 2);
    assert_int_equal(row.offload_state, 3);
    nettcp_row_clear(&row);
}

static void test_decode_unknown_enum_names_are_problems(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"State\": \"Establishd\", \"AppliedSetting\": \"Custom\", \"OffloadState\": \"\","
                              "\"OwningProcess\": 4",
                              &row));
    assert_false(row.has[NETTCP_STATE]);
    assert_false(row.has[NETTCP_APPLIED_SETTING]);
    assert_false(row.has[NETTCP_OFFLOAD_STATE]);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_int_equal(ps_problems_count(&row.problems), 3);
    assert_contains(problem_about(&row, "State"), "unknown state name \"Establishd\"");
    assert_contains(problem_about(&row, "AppliedSetting"), "unknown applied setting name \"Custom\"");
    assert_contains(problem_about(&row, "OffloadState"), "unknown offload state name \"\"");
    nettcp_row_clear(&row);
}

static void test_decode_unknown_enum_numbers_are_kept(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"State\": 42, \"AppliedSetting\": 9, \"OffloadState\": 255", &row));
    assert_int_equal(ps_problems_count(&row.problems), 3);
    assert_contains(problem_about(&row, "State"), "42 is not a known state");
    assert_contains(problem_about(&row, "AppliedSetting"), "9 is not a known applied setting");
    assert_contains(problem_about(&row, "OffloadState"), "255 is not a known offload state");
    assert_true(row.has[NETTCP_STATE]);
    assert_int_equal(row.state, 42);
    assert_true(row.has[NETTCP_APPLIED_SETTING]);
    assert_int_equal(row.applied_setting, 9);
    assert_true(row.has[NETTCP_OFFLOAD_STATE]);
    assert_int_equal(row.offload_state, 255);
    nettcp_row_clear(&row);
}

static void test_decode_enum_out_of_range(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"State\": 256, \"AppliedSetting\": -1, \"OffloadState\": \"300\", \"LocalPort\": 1",
                              &row));
    assert_false(row.has[NETTCP_STATE]);
    assert_false(row.has[NETTCP_APPLIED_SETTING]);
    assert_false(row.has[NETTCP_OFFLOAD_STATE]);
    assert_true(row.has[NETTCP_LOCAL_PORT]);
    assert_int_equal(ps_problems_count(&row.problems), 3);
    assert_contains(problem_about(&row, "State"), "256 is out of range");
    assert_contains(problem_about(&row, "AppliedSetting"), "-1 is out of range");
    assert_contains(problem_about(&row, "OffloadState"), "\"300\" is not an integer from 0 to 255");
    nettcp_row_clear(&row);
}

/* ---- numbers ----------------------------------------------------------- */

static void test_ports_and_pid_as_digit_strings(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalPort\": \"49702\", \"RemotePort\": \"443\", \"OwningProcess\": \"4120\"", &row));
    assert_no_problems(&row);
    assert_int_equal(row.local_port, 49702);
    assert_int_equal(row.remote_port, 443);
    assert_int_equal(row.owning_process, 4120);
    nettcp_row_clear(&row);
}

static void test_port_range(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalPort\": 65536, \"RemotePort\": 65535", &row));
    assert_false(row.has[NETTCP_LOCAL_PORT]);
    assert_true(row.has[NETTCP_REMOTE_PORT]);
    assert_int_equal(row.remote_port, 65535);
    assert_int_equal(ps_problems_count(&row.problems), 1);
    assert_contains(problem_about(&row, "LocalPort"), "65536 is out of range (0 to 65535)");
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"LocalPort\": \"70000\", \"RemotePort\": -443", &row));
    assert_false(row.has[NETTCP_LOCAL_PORT]);
    assert_false(row.has[NETTCP_REMOTE_PORT]);
    assert_contains(problem_about(&row, "LocalPort"), "\"70000\" is not an integer from 0 to 65535");
    assert_contains(problem_about(&row, "RemotePort"), "-443 is out of range");
    nettcp_row_clear(&row);
}

static void test_pid_range(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"OwningProcess\": 4294967295", &row));
    assert_no_problems(&row);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_true(row.owning_process == UINT32_MAX);
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"OwningProcess\": 4294967296, \"State\": 5", &row));
    assert_false(row.has[NETTCP_OWNING_PROCESS]);
    assert_true(row.has[NETTCP_STATE]);
    assert_contains(problem_about(&row, "OwningProcess"), "4294967296 is out of range (0 to 4294967295)");
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"OwningProcess\": -1", &row));
    assert_false(row.has[NETTCP_OWNING_PROCESS]);
    assert_contains(problem_about(&row, "OwningProcess"), "-1 is out of range");
    nettcp_row_clear(&row);
}

/* ---- wrong types, missing keys, ignored keys -------------------------- */

static void test_wrong_types_name_the_key_and_keep_other_fields(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": 5, \"LocalPort\": \"http\", \"RemoteAddress\": \"93.184.216.34\","
                              "\"RemotePort\": 443, \"State\": true, \"OwningProcess\": 4120, \"CreationTime\": 17,"
                              "\"AppliedSetting\": 0, \"OffloadState\": []",
                              &row));
    assert_int_equal(ps_problems_count(&row.problems), 5);
    assert_contains(problem_about(&row, "LocalAddress"), "expected a string, found an integer");
    assert_contains(problem_about(&row, "LocalPort"), "\"http\" is not an integer");
    assert_contains(problem_about(&row, "State"), "found a boolean");
    assert_contains(problem_about(&row, "CreationTime"), "expected a string, found an integer");
    assert_contains(problem_about(&row, "OffloadState"), "found an array");
    assert_false(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_false(row.has[NETTCP_LOCAL_PORT]);
    assert_false(row.has[NETTCP_STATE]);
    assert_false(row.has[NETTCP_CREATION_TIME]);
    assert_false(row.has[NETTCP_OFFLOAD_STATE]);

    static const uint8_t remote[4] = {93, 184, 216, 34};
    assert_true(row.has[NETTCP_REMOTE_ADDRESS]);
    assert_bytes(row.remote_addr, remote, 4);
    assert_true(row.has[NETTCP_REMOTE_PORT]);
    assert_int_equal(row.remote_port, 443);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_int_equal(row.owning_process, 4120);
    assert_true(row.has[NETTCP_APPLIED_SETTING]);
    assert_int_equal(row.applied_setting, 0);
    nettcp_row_clear(&row);
}

static void test_wrong_types_other_half(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"10.0.0.5\", \"LocalPort\": 49702, \"RemoteAddress\": {},"
                              "\"RemotePort\": 1.5, \"State\": 5, \"OwningProcess\": \"abc\","
                              "\"CreationTime\": \"\\/Date(1700000000000)\\/\", \"AppliedSetting\": {\"a\": 1},"
                              "\"OffloadState\": 0",
                              &row));
    assert_int_equal(ps_problems_count(&row.problems), 4);
    assert_contains(problem_about(&row, "RemoteAddress"), "expected a string, found an object");
    assert_contains(problem_about(&row, "RemotePort"), "expected an integer, found a real number");
    assert_contains(problem_about(&row, "OwningProcess"), "\"abc\" is not an integer");
    assert_contains(problem_about(&row, "AppliedSetting"), "found an object");
    assert_false(row.has[NETTCP_REMOTE_ADDRESS]);
    assert_false(row.has[NETTCP_REMOTE_PORT]);
    assert_false(row.has[NETTCP_OWNING_PROCESS]);
    assert_false(row.has[NETTCP_APPLIED_SETTING]);

    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_true(row.has[NETTCP_LOCAL_PORT]);
    assert_int_equal(row.local_port, 49702);
    assert_true(row.has[NETTCP_STATE]);
    assert_int_equal(row.state, 5);
    assert_true(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.creation_time_ns == INT64_C(1700000000000000000));
    assert_true(row.has[NETTCP_OFFLOAD_STATE]);
    nettcp_row_clear(&row);
}

static void test_missing_keys_are_no_problem(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode("{}", &row));
    assert_no_problems(&row);
    for (int f = 0; f < NETTCP_FIELD_COUNT; f++)
        assert_false(row.has[f]);
    nettcp_row_clear(&row);
}

static void test_null_values_are_missing(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": null, \"LocalPort\": null, \"RemoteAddress\": null,"
                              "\"RemotePort\": null, \"State\": null, \"OwningProcess\": null,"
                              "\"CreationTime\": null, \"AppliedSetting\": null, \"OffloadState\": null",
                              &row));
    assert_no_problems(&row);
    for (int f = 0; f < NETTCP_FIELD_COUNT; f++)
        assert_false(row.has[f]);
    nettcp_row_clear(&row);
}

static void test_other_properties_ignored_whatever_their_type(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"CimClass\": 5, \"CimInstanceProperties\": {\"x\": [1, 2]}, \"PSComputerName\": [],"
                              "\"InstanceID\": false, \"ElementName\": 1.5, \"EnabledDefault\": \"two\","
                              "\"localport\": \"not the key\", \"State\": 5",
                              &row));
    assert_no_problems(&row);
    assert_true(row.has[NETTCP_STATE]);
    assert_false(row.has[NETTCP_LOCAL_PORT]); /* keys are case-sensitive, as ConvertTo-Json writes them */
    nettcp_row_clear(&row);
}

/* ---- Get-NetUDPEndpoint rows -------------------------------------------- */

/* Windows PowerShell 5.1: Get-NetUDPEndpoint | Select -First 1 | ConvertTo-Json -Depth 1, written by
 * hand in the shape of PS5_ROW with MSFT_NetUDPEndpoint's properties (no real output was at hand). */
static const char PS5_UDP_ROW[] =
    "{\r\n"
    "    \"OwningProcess\":  2424,\r\n"
    "    \"CreationTime\":  \"\\/Date(1700000000000)\\/\",\r\n"
    "    \"Caption\":  null,\r\n"
    "    \"Description\":  null,\r\n"
    "    \"ElementName\":  null,\r\n"
    "    \"InstanceID\":  \"0.0.0.0++5353\",\r\n"
    "    \"CommunicationStatus\":  null,\r\n"
    "    \"EnabledDefault\":  2,\r\n"
    "    \"RequestedState\":  5,\r\n"
    "    \"TransitioningToState\":  12,\r\n"
    "    \"AggregationBehavior\":  null,\r\n"
    "    \"Directionality\":  null,\r\n"
    "    \"LocalAddress\":  \"0.0.0.0\",\r\n"
    "    \"LocalPort\":  5353,\r\n"
    "    \"PSComputerName\":  null,\r\n"
    "    \"CimClass\":  \"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\",\r\n"
    "    \"CimInstanceProperties\":  [\r\n"
    "                                  \"LocalAddress = \\\"0.0.0.0\\\"\",\r\n"
    "                                  \"LocalPort = 5353\",\r\n"
    "                                  \"OwningProcess = 2424\"\r\n"
    "                              ],\r\n"
    "    \"CimSystemProperties\":  {\r\n"
    "                                \"Namespace\":  \"ROOT/StandardCimv2\",\r\n"
    "                                \"ServerName\":  \"DESKTOP-7Q2L9KD\",\r\n"
    "                                \"ClassName\":  \"MSFT_NetUDPEndpoint\",\r\n"
    "                                \"Path\":  null\r\n"
    "                            }\r\n"
    "}";

static void assert_udp_only(const nettcp_row *row)
{
    assert_int_equal(row->transport, NETTCP_TRANSPORT_UDP);
    assert_false(row->has[NETTCP_REMOTE_ADDRESS]);
    assert_false(row->has[NETTCP_REMOTE_PORT]);
    assert_false(row->has[NETTCP_STATE]);
}

static void test_udp_ps5_row(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode(PS5_UDP_ROW, &row));
    assert_no_problems(&row);
    assert_udp_only(&row);
    static const uint8_t any4[4] = {0, 0, 0, 0};
    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_int_equal(row.local_family, 4);
    assert_bytes(row.local_addr, any4, 4);
    assert_true(row.has[NETTCP_LOCAL_PORT]);
    assert_int_equal(row.local_port, 5353);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_int_equal(row.owning_process, 2424);
    assert_true(row.has[NETTCP_CREATION_TIME]);
    assert_true(row.creation_time_ns == INT64_C(1700000000000000000));
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "UDP 0.0.0.0:5353 pid 2424");
    nettcp_row_clear(&row);
}

/* PowerShell 7: CimClass an object without the class's name, CimSystemProperties naming it; an
 * IPv6 link-local address with its zone; an ISO 8601 time. */
static void test_udp_ps7_row_ipv6(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode("{\"OwningProcess\": 1356, \"CreationTime\": \"2024-03-01T13:00:00.25+01:00\","
                       "\"LocalAddress\": \"fe80::1c2d:3e4f:5a6b:7c8d%12\", \"LocalPort\": 546,"
                       "\"CimClass\": {\"CimSuperClassName\": \"MSFT_NetTransportConnection\","
                       "\"CimClassMethods\": \"RequestStateChange\"},"
                       "\"CimSystemProperties\": {\"Namespace\": \"ROOT/StandardCimv2\","
                       "\"ClassName\": \"MSFT_NetUDPEndpoint\", \"Path\": null}}",
                       &row));
    assert_no_problems(&row);
    assert_udp_only(&row);
    static const uint8_t local[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b, 0x7c, 0x8d};
    assert_int_equal(row.local_family, 6);
    assert_bytes(row.local_addr, local, 16);
    assert_int_equal(row.local_port, 546);
    assert_int_equal(row.owning_process, 1356);
    /* 13:00:00.25+01:00 is 2024-03-01T12:00:00.25Z: 1709294400 s and 250000000 ns */
    assert_true(row.creation_time_ns == INT64_C(1709294400250000000));
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "UDP [fe80::1c2d:3e4f:5a6b:7c8d]:546 pid 1356");
    nettcp_row_clear(&row);
}

/* Export-Csv's row, as the importer hands it on: every value a string, CimClass as its text, the
 * time in the machine's local format without a zone (reported, left out). */
static void test_udp_csv_row(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode("{\"OwningProcess\":\"2424\",\"CreationTime\":\"11/14/2023 11:13:20 PM\",\"Caption\":null,"
                       "\"InstanceID\":\"::++5355\",\"EnabledDefault\":\"2\",\"LocalAddress\":\"::\","
                       "\"LocalPort\":\"5355\",\"PSComputerName\":null,"
                       "\"CimClass\":\"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\","
                       "\"CimInstanceProperties\":\"Microsoft.Management.Infrastructure.CimInstancePropertyCollection\","
                       "\"CimSystemProperties\":\"Microsoft.Management.Infrastructure.CimSystemProperties\"}",
                       &row));
    assert_udp_only(&row);
    static const uint8_t any6[16] = {0};
    assert_int_equal(row.local_family, 6);
    assert_bytes(row.local_addr, any6, 16);
    assert_int_equal(row.local_port, 5355);
    assert_int_equal(row.owning_process, 2424);
    assert_false(row.has[NETTCP_CREATION_TIME]);
    assert_int_equal(ps_problems_count(&row.problems), 1);
    assert_string_equal(problem_about(&row, "CreationTime"),
                        "CreationTime: \"11/14/2023 11:13:20 PM\" is not an ISO 8601 or /Date(milliseconds)/ time "
                        "from 1678 to 2261");
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "UDP [::]:5355 pid 2424");
    nettcp_row_clear(&row);
}

/* Without a class (Select-Object drops it) a row is a UDP endpoint when it has a local end and
 * none of RemoteAddress, RemotePort, State, even null ones. */
static void test_kind_from_keys(void **state)
{
    UNUSED(state);
    static const struct {
        const char *middle;
        uint8_t transport;
    } cases[] = {
        {"\"LocalAddress\": \"127.0.0.1\", \"LocalPort\": 53, \"OwningProcess\": 3000", NETTCP_TRANSPORT_UDP},
        {"\"LocalPort\": 53", NETTCP_TRANSPORT_UDP},
        {"\"LocalAddress\": null", NETTCP_TRANSPORT_UDP},
        {"\"LocalAddress\": \"127.0.0.1\", \"LocalPort\": 53, \"RemotePort\": null", NETTCP_TRANSPORT_TCP},
        {"\"LocalAddress\": \"127.0.0.1\", \"RemoteAddress\": \"10.0.0.1\"", NETTCP_TRANSPORT_TCP},
        {"\"LocalPort\": 53, \"State\": \"Bound\"", NETTCP_TRANSPORT_TCP},
        {"\"OwningProcess\": 4", NETTCP_TRANSPORT_TCP},
        {"", NETTCP_TRANSPORT_TCP},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        nettcp_row row;
        assert_true(decode_fields(cases[i].middle, &row));
        assert_no_problems(&row);
        if (row.transport != cases[i].transport)
            fail_msg("{%s}: transport %u, not %u", cases[i].middle, row.transport, cases[i].transport);
        nettcp_row_clear(&row);
    }
}

/* A class named in the row wins over its keys; CIM class names are case-insensitive. */
static void test_kind_from_class(void **state)
{
    UNUSED(state);
    static const struct {
        const char *middle;
        uint8_t transport;
    } cases[] = {
        {"\"CimClass\": \"ROOT/StandardCimv2:MSFT_NetTCPConnection\", \"LocalPort\": 80", NETTCP_TRANSPORT_TCP},
        {"\"CimClass\": \"root/standardcimv2:msft_netudpendpoint\", \"LocalPort\": 53, \"State\": 2",
         NETTCP_TRANSPORT_UDP},
        {"\"CimClass\": {\"CimClassName\": \"MSFT_NetUDPEndpoint\"}, \"RemotePort\": 0", NETTCP_TRANSPORT_UDP},
        {"\"CimSystemProperties\": {\"ClassName\": \"MSFT_NetTCPConnection\"}, \"LocalPort\": 80",
         NETTCP_TRANSPORT_TCP},
        /* CimSystemProperties first, as it is in both PowerShells' JSON */
        {"\"CimSystemProperties\": {\"ClassName\": \"MSFT_NetUDPEndpoint\"},"
         "\"CimClass\": \"ROOT/StandardCimv2:MSFT_NetTCPConnection\"",
         NETTCP_TRANSPORT_UDP},
        {"\"CimClass\": \"MSFT_NetUDPEndpoint\"", NETTCP_TRANSPORT_UDP},
        /* not a name: the keys decide */
        {"\"CimClass\": 17, \"CimSystemProperties\": \"Microsoft.Management.Infrastructure.CimSystemProperties\","
         "\"LocalPort\": 53",
         NETTCP_TRANSPORT_UDP},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        nettcp_row row;
        assert_true(decode_fields(cases[i].middle, &row));
        assert_no_problems(&row);
        if (row.transport != cases[i].transport)
            fail_msg("{%s}: transport %u, not %u", cases[i].middle, row.transport, cases[i].transport);
        nettcp_row_clear(&row);
    }
}

static void test_unknown_class_is_a_problem(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"CimClass\": \"ROOT/StandardCimv2:MSFT_NetIPAddress\", \"LocalAddress\": \"10.0.0.5\"",
                              &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    assert_string_equal(problem_about(&row, "CimClass"), "CimClass: \"ROOT/StandardCimv2:MSFT_NetIPAddress\" is "
                                                         "neither MSFT_NetTCPConnection nor MSFT_NetUDPEndpoint");
    assert_int_equal(row.transport, NETTCP_TRANSPORT_UDP); /* then the keys decide */
    assert_true(row.has[NETTCP_LOCAL_ADDRESS]);
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"CimSystemProperties\": {\"ClassName\": \"MSFT_NetUDPEndpointX\"}, \"State\": 2", &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    assert_string_equal(problem_about(&row, "CimSystemProperties.ClassName"),
                        "CimSystemProperties.ClassName: \"MSFT_NetUDPEndpointX\" is neither MSFT_NetTCPConnection "
                        "nor MSFT_NetUDPEndpoint");
    assert_int_equal(row.transport, NETTCP_TRANSPORT_TCP);
    nettcp_row_clear(&row);
}

/* Values of a UDP row are checked as a TCP row's: the field is left out, the message names it. */
static void test_udp_bad_values(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"CimClass\": \"ROOT/StandardCimv2:MSFT_NetUDPEndpoint\", \"LocalAddress\": "
                              "\"0.0.0.0.0\", \"LocalPort\": 65536, \"OwningProcess\": -1, \"CreationTime\": "
                              "\"2024-03-01T12:00:00\"",
                              &row));
    assert_udp_only(&row);
    assert_false(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_false(row.has[NETTCP_LOCAL_PORT]);
    assert_false(row.has[NETTCP_OWNING_PROCESS]);
    assert_false(row.has[NETTCP_CREATION_TIME]);
    assert_int_equal(ps_problems_count(&row.problems), 4);
    assert_string_equal(problem_about(&row, "LocalAddress"),
                        "LocalAddress: \"0.0.0.0.0\" is not an IPv4 or IPv6 address");
    assert_contains(problem_about(&row, "LocalPort"), "65536 is out of range (0 to 65535)");
    assert_contains(problem_about(&row, "OwningProcess"), "-1 is out of range");
    assert_string_equal(problem_about(&row, "CreationTime"),
                        "CreationTime: \"2024-03-01T12:00:00\" has no UTC offset: a local time of an unknown zone");
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "UDP ?:? pid ?");
    nettcp_row_clear(&row);
}

/* ---- describe ---------------------------------------------------------- */

static void test_describe_ipv4(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode(PS5_ROW, &row));
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "TCP 10.0.0.5:49702 → 93.184.216.34:443 Established pid 4120");
    nettcp_row_clear(&row);
}

static void test_describe_ipv6(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"fe80::1\", \"LocalPort\": 49702, \"RemoteAddress\": \"FE80::2\","
                              "\"RemotePort\": 445, \"State\": 2, \"OwningProcess\": 4",
                              &row));
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "TCP [fe80::1]:49702 → [fe80::2]:445 Listen pid 4");
    nettcp_row_clear(&row);
}

static void test_describe_unknown_state_number(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"127.0.0.1\", \"LocalPort\": 5357, \"RemoteAddress\": \"127.0.0.1\","
                              "\"RemotePort\": 50000, \"State\": 42, \"OwningProcess\": 0",
                              &row));
    char out[128];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "TCP 127.0.0.1:5357 → 127.0.0.1:50000 state 42 pid 0");
    nettcp_row_clear(&row);
}

static void test_describe_unknown_parts(void **state)
{
    UNUSED(state);
    nettcp_row row;
    char out[128];
    assert_true(decode("{}", &row));
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "TCP ?:? → ?:? ? pid ?");
    nettcp_row_clear(&row);

    assert_true(decode_fields("\"LocalAddress\": \"bogus\", \"LocalPort\": 49702, \"RemoteAddress\": \"::1\","
                              "\"State\": \"Nope\"",
                              &row));
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "TCP ?:49702 → [::1]:? ? pid ?");
    nettcp_row_clear(&row);
}

static void test_describe_small_buffers(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode(PS5_ROW, &row));
    char out[16];
    memset(out, 'x', sizeof out);
    nettcp_row_describe(&row, out, 10);
    assert_string_equal(out, "TCP 10.0.");
    assert_int_equal(out[10], 'x');

    memset(out, 'x', sizeof out);
    nettcp_row_describe(&row, out, 0);
    assert_int_equal(out[0], 'x');
    nettcp_row_clear(&row);
}

static void test_describe_longest_ipv6(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalAddress\": \"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255\", \"LocalPort\": 65535,"
                              "\"RemoteAddress\": \"1111:2222:3333:4444:5555:6666:7777:8888\", \"RemotePort\": 65535,"
                              "\"State\": 12, \"OwningProcess\": 4294967295",
                              &row));
    assert_no_problems(&row);
    char out[256];
    nettcp_row_describe(&row, out, sizeof out);
    assert_string_equal(out, "TCP [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 → "
                             "[1111:2222:3333:4444:5555:6666:7777:8888]:65535 DeleteTCB pid 4294967295");
    nettcp_row_clear(&row);
}

/* ---- lifetime ---------------------------------------------------------- */

static void test_clear_frees_and_resets(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalPort\": \"x\", \"State\": 5", &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);
    assert_null(row.problems.items);
    for (int f = 0; f < NETTCP_FIELD_COUNT; f++)
        assert_false(row.has[f]);
    assert_int_equal(row.state, 0);
    nettcp_row_clear(&row); /* twice is harmless */
    nettcp_row_clear(NULL);
}

static void test_decode_on_zeroed_and_garbage_rows(void **state)
{
    UNUSED(state);
    nettcp_row zeroed = {0};
    assert_true(decode(PS5_ROW, &zeroed));
    assert_no_problems(&zeroed);
    assert_int_equal(zeroed.owning_process, 4120);
    nettcp_row_clear(&zeroed);

    nettcp_row garbage;
    memset(&garbage, 0xa5, sizeof garbage);
    assert_true(decode("{\"State\": 5}", &garbage));
    assert_no_problems(&garbage);
    assert_true(garbage.has[NETTCP_STATE]);
    assert_false(garbage.has[NETTCP_LOCAL_ADDRESS]);
    assert_int_equal(garbage.local_family, 0);
    assert_int_equal(garbage.owning_process, 0);
    assert_true(garbage.creation_time_ns == 0);
    nettcp_row_clear(&garbage);
}

static void test_decode_again_after_clear(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode(PS5_ROW, &row));
    nettcp_row_clear(&row);
    assert_true(decode(PS7_ROW, &row));
    assert_no_problems(&row);
    assert_int_equal(row.owning_process, 1788);
    nettcp_row_clear(&row);
}

/* ---- hostile input ----------------------------------------------------- */

static void test_not_json(void **state)
{
    UNUSED(state);
    static const char *const texts[] = {"hello", "", " ", "{'State': 5}", "{State: 5}", "\xef\xbb\xbf{}", "}{"};
    for (size_t i = 0; i < COUNT(texts); i++) {
        nettcp_row row;
        assert_false(decode(texts[i], &row));
        assert_int_equal(ps_problems_count(&row.problems), 1);
        assert_contains(ps_problems_first(&row.problems)->message, "not valid JSON");
        for (int f = 0; f < NETTCP_FIELD_COUNT; f++)
            assert_false(row.has[f]);
        nettcp_row_clear(&row);
    }
}

static void test_null_text(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_false(nettcp_row_decode(NULL, 10, &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);
    assert_false(nettcp_row_decode("{}", 2, NULL));
}

static void test_truncated_json_every_prefix(void **state)
{
    UNUSED(state);
    size_t len = strlen(PS5_ROW);
    for (size_t n = 0; n < len; n++) {
        nettcp_row row;
        assert_false(decode_len(PS5_ROW, n, &row));
        assert_int_equal(ps_problems_count(&row.problems), 1);
        nettcp_row_clear(&row);
    }
    nettcp_row row;
    assert_true(decode_len(PS5_ROW, len, &row));
    nettcp_row_clear(&row);
}

static void test_arrays_and_scalars_instead_of_objects(void **state)
{
    UNUSED(state);
    static const char *const texts[] = {"[]", "[{\"State\": 5}]", "5", "\"State\"", "null", "true"};
    for (size_t i = 0; i < COUNT(texts); i++) {
        nettcp_row row;
        assert_false(decode(texts[i], &row));
        assert_int_equal(ps_problems_count(&row.problems), 1);
        assert_non_null(ps_problems_first(&row.problems)->message);
        nettcp_row_clear(&row);
    }
    nettcp_row row;
    assert_false(decode("[{\"State\": 5}]", &row));
    assert_string_equal(ps_problems_first(&row.problems)->message, "JSON is not an object");
    nettcp_row_clear(&row);
}

/* Numbers beyond 64 bits or a double: a problem for a key we read, nothing for one we
 * ignore, and the rest of the row still decodes. */
static void test_unrepresentable_numbers_are_problems(void **state)
{
    UNUSED(state);
    static const struct {
        const char *text;
        const char *key;
        nettcp_field field;
    } cases[] = {
        {"{\"LocalPort\": 1e400, \"State\": 5}", "LocalPort", NETTCP_LOCAL_PORT},
        {"{\"OwningProcess\": 99999999999999999999999, \"State\": 5}", "OwningProcess", NETTCP_OWNING_PROCESS},
        {"{\"OwningProcess\": -99999999999999999999999, \"State\": 5}", "OwningProcess", NETTCP_OWNING_PROCESS},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        nettcp_row row;
        assert_true(decode(cases[i].text, &row));
        assert_int_equal(ps_problems_count(&row.problems), 1);
        assert_contains(ps_problems_first(&row.problems)->message, cases[i].key);
        assert_false(row.has[cases[i].field]);
        assert_true(row.has[NETTCP_STATE]);
        assert_int_equal(row.state, 5);
        nettcp_row_clear(&row);
    }
    nettcp_row row;
    assert_true(decode("{\"EnabledDefault\": 1e400, \"State\": 5}", &row));
    assert_int_equal(ps_problems_count(&row.problems), 0);
    assert_int_equal(row.state, 5);
    nettcp_row_clear(&row);
}

static void test_large_representable_numbers_are_problems(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalPort\": 1e300, \"RemotePort\": 9223372036854775807,"
                              "\"OwningProcess\": -9223372036854775808, \"State\": 1e2,"
                              "\"AppliedSetting\": \"99999999999999999999999\", \"OffloadState\": 1",
                              &row));
    assert_int_equal(ps_problems_count(&row.problems), 5);
    assert_contains(problem_about(&row, "LocalPort"), "found a real number");
    assert_contains(problem_about(&row, "RemotePort"), "9223372036854775807 is out of range");
    assert_contains(problem_about(&row, "OwningProcess"), "-9223372036854775808 is out of range");
    assert_non_null(problem_about(&row, "State"));
    assert_contains(problem_about(&row, "AppliedSetting"), "is not an integer from 0 to 255");
    for (int f = 0; f < NETTCP_FIELD_COUNT; f++)
        assert_true(row.has[f] == (f == NETTCP_OFFLOAD_STATE));
    assert_int_equal(row.offload_state, 1);
    nettcp_row_clear(&row);
}

static void test_invalid_utf8(void **state)
{
    UNUSED(state);
    static const char *const texts[] = {
        "{\"LocalAddress\": \"10.0.0.\xff\"}",
        "{\"St\xc3\x28te\": 5}",
        "{\"CreationTime\": \"\xe2\x82\"}",
        "{\"State\": 5, \"Caption\": \"\xf8\x88\x80\x80\x80\"}",
        "\xff{}",
    };
    for (size_t i = 0; i < COUNT(texts); i++) {
        nettcp_row row;
        assert_false(decode(texts[i], &row));
        assert_int_equal(ps_problems_count(&row.problems), 1);
        assert_true(g_utf8_validate(ps_problems_first(&row.problems)->message, -1, NULL));
        nettcp_row_clear(&row);
    }
}

static void test_non_ascii_values_in_messages_stay_valid_utf8(void **state)
{
    UNUSED(state);
    /* 50 times "é" (2 bytes): the message keeps 40 whole characters. */
    GString *s = g_string_new("{\"State\": \"");
    for (int i = 0; i < 50; i++)
        g_string_append(s, "\xc3\xa9");
    g_string_append(s, "\\n\"}");
    nettcp_row row;
    assert_true(decode(s->str, &row));
    g_string_free(s, TRUE);
    const char *msg = problem_about(&row, "State");
    assert_non_null(msg);
    assert_true(g_utf8_validate(msg, -1, NULL));
    assert_contains(msg, "...");
    nettcp_row_clear(&row);

    assert_true(decode("{\"State\": \"Est\\nab\\u00e9\"}", &row));
    assert_contains(problem_about(&row, "State"), "unknown state name \"Est\\nab\xc3\xa9\"");
    nettcp_row_clear(&row);
    /* A bad number string is quoted to 40 characters, never inside the "é". */
    assert_true(decode("{\"LocalPort\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\"}", &row));
    msg = problem_about(&row, "LocalPort");
    assert_non_null(msg);
    assert_true(g_utf8_validate(msg, -1, NULL));
    assert_false(row.has[NETTCP_LOCAL_PORT]);
    nettcp_row_clear(&row);
}

static void test_deep_nesting(void **state)
{
    UNUSED(state);
    const size_t depth = 100000;
    GString *s = g_string_new(NULL);

    /* the whole text */
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(s, '[');
    nettcp_row row;
    assert_false(decode_len(s->str, s->len, &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);

    /* inside an ignored property */
    g_string_assign(s, "{\"State\": 5, \"CimClass\": ");
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(s, '[');
    for (size_t i = 0; i < depth; i++)
        g_string_append_c(s, ']');
    g_string_append_c(s, '}');
    assert_false(decode_len(s->str, s->len, &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);

    /* nesting within the depth limit, in an ignored property: the row still decodes */
    g_string_assign(s, "{\"State\": 5, \"CimClass\": ");
    for (size_t i = 0; i < 1000; i++)
        g_string_append(s, "{\"a\":[");
    for (size_t i = 0; i < 1000; i++)
        g_string_append(s, "]}");
    g_string_append(s, ", \"OwningProcess\": 7}");
    assert_true(decode_len(s->str, s->len, &row));
    assert_no_problems(&row);
    assert_int_equal(row.state, 5);
    assert_int_equal(row.owning_process, 7);
    nettcp_row_clear(&row);
    g_string_free(s, TRUE);
}

static char *megabyte_of(char c)
{
    const size_t n = 1u << 20;
    char *s = g_malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_megabyte_strings(void **state)
{
    UNUSED(state);
    char *digits = megabyte_of('7'), *letters = megabyte_of('A');
    char *text = g_strdup_printf("{\"LocalAddress\": \"%s\", \"State\": \"%s\", \"CreationTime\": \"%s\","
                                 "\"LocalPort\": \"%s\", \"Description\": \"%s\", \"OwningProcess\": 4120}",
                                 letters, letters, letters, digits, letters);
    nettcp_row row;
    assert_true(decode(text, &row));
    assert_int_equal(ps_problems_count(&row.problems), 4);
    for (guint i = 0; i < ps_problems_count(&row.problems); i++)
        assert_true(strlen(ps_problems_at(&row.problems, i)->message) < 200);
    assert_non_null(problem_about(&row, "LocalAddress"));
    assert_non_null(problem_about(&row, "State"));
    assert_non_null(problem_about(&row, "CreationTime"));
    assert_non_null(problem_about(&row, "LocalPort"));
    assert_false(row.has[NETTCP_LOCAL_ADDRESS]);
    assert_false(row.has[NETTCP_STATE]);
    assert_false(row.has[NETTCP_CREATION_TIME]);
    assert_false(row.has[NETTCP_LOCAL_PORT]);
    assert_true(row.has[NETTCP_OWNING_PROCESS]);
    assert_int_equal(row.owning_process, 4120);
    nettcp_row_clear(&row);
    g_free(text);
    g_free(digits);
    g_free(letters);
}

static void test_duplicate_keys_last_wins(void **state)
{
    UNUSED(state);
    nettcp_row row;
    assert_true(decode_fields("\"LocalPort\": 1, \"State\": \"Listen\", \"LocalPort\": 2, \"State\": 5", &row));
    assert_no_problems(&row);
    assert_int_equal(row.local_port, 2);
    assert_int_equal(row.state, 5);
    nettcp_row_clear(&row);

    /* a bad value first does not leave a problem behind */
    assert_true(decode_fields("\"OwningProcess\": \"bad\", \"OwningProcess\": 12", &row));
    assert_no_problems(&row);
    assert_int_equal(row.owning_process, 12);
    nettcp_row_clear(&row);
}

static void test_nul_bytes(void **state)
{
    UNUSED(state);
    nettcp_row row;

    /* after the object, inside the length */
    static const char after[] = "{\"LocalPort\": 80}\0{\"LocalPort\": 81}";
    assert_false(decode_len(after, sizeof after - 1, &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);

    /* after the object, outside the length */
    assert_true(decode_len(after, strlen(after), &row));
    assert_int_equal(row.local_port, 80);
    nettcp_row_clear(&row);

    /* raw, inside a string */
    static const char raw[] = "{\"LocalAddress\": \"10.0.0.5\0evil\", \"LocalPort\": 80}";
    assert_false(decode_len(raw, sizeof raw - 1, &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);

    /* escaped, inside a string: \u0000 is refused */
    assert_false(decode("{\"LocalAddress\": \"10.0.0.5\\u0000evil\"}", &row));
    assert_int_equal(ps_problems_count(&row.problems), 1);
    nettcp_row_clear(&row);

    /* before the object */
    static const char before[] = "\0{\"LocalPort\": 80}";
    assert_false(decode_len(before, sizeof before - 1, &row));
    nettcp_row_clear(&row);
}

int main(int argc, char **argv)
{
    UNUSED(argc);
    UNUSED(argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ps5_full_row),
        cmocka_unit_test(test_ps7_row_iso8601_with_offset),
        cmocka_unit_test(test_ipv6_row),
        cmocka_unit_test(test_ipv6_zone_is_dropped),
        cmocka_unit_test(test_listen_row_unspecified_addresses),
        cmocka_unit_test(test_bad_addresses_are_problems),
        cmocka_unit_test(test_iso8601_utc_and_negative_offset),
        cmocka_unit_test(test_dotnet_date_zone_suffix_and_negative),
        cmocka_unit_test(test_ps5_datetime_object_with_value),
        cmocka_unit_test(test_zoneless_time_is_a_problem),
        cmocka_unit_test(test_creation_time_years_beyond_int64),
        cmocka_unit_test(test_creation_time_garbage),
        cmocka_unit_test(test_state_numbers_and_names_both_ways),
        cmocka_unit_test(test_state_names_case_insensitive),
        cmocka_unit_test(test_unknown_states),
        cmocka_unit_test(test_offload_state_both_ways),
        cmocka_unit_test(test_applied_setting_both_ways),
        cmocka_unit_test(test_decode_enum_names_as_csv_writes_them),
        cmocka_unit_test(test_decode_enum_digit_strings),
        cmocka_unit_test(test_decode_unknown_enum_names_are_problems),
        cmocka_unit_test(test_decode_unknown_enum_numbers_are_kept),
        cmocka_unit_test(test_decode_enum_out_of_range),
        cmocka_unit_test(test_ports_and_pid_as_digit_strings),
        cmocka_unit_test(test_port_range),
        cmocka_unit_test(test_pid_range),
        cmocka_unit_test(test_wrong_types_name_the_key_and_keep_other_fields),
        cmocka_unit_test(test_wrong_types_other_half),
        cmocka_unit_test(test_missing_keys_are_no_problem),
        cmocka_unit_test(test_null_values_are_missing),
        cmocka_unit_test(test_other_properties_ignored_whatever_their_type),
        cmocka_unit_test(test_udp_ps5_row),
        cmocka_unit_test(test_udp_ps7_row_ipv6),
        cmocka_unit_test(test_udp_csv_row),
        cmocka_unit_test(test_kind_from_keys),
        cmocka_unit_test(test_kind_from_class),
        cmocka_unit_test(test_unknown_class_is_a_problem),
        cmocka_unit_test(test_udp_bad_values),
        cmocka_unit_test(test_describe_ipv4),
        cmocka_unit_test(test_describe_ipv6),
        cmocka_unit_test(test_describe_unknown_state_number),
        cmocka_unit_test(test_describe_unknown_parts),
        cmocka_unit_test(test_describe_small_buffers),
        cmocka_unit_test(test_describe_longest_ipv6),
        cmocka_unit_test(test_clear_frees_and_resets),
        cmocka_unit_test(test_decode_on_zeroed_and_garbage_rows),
        cmocka_unit_test(test_decode_again_after_clear),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_null_text),
        cmocka_unit_test(test_truncated_json_every_prefix),
        cmocka_unit_test(test_arrays_and_scalars_instead_of_objects),
        cmocka_unit_test(test_unrepresentable_numbers_are_problems),
        cmocka_unit_test(test_large_representable_numbers_are_problems),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_non_ascii_values_in_messages_stay_valid_utf8),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_megabyte_strings),
        cmocka_unit_test(test_duplicate_keys_last_wins),
        cmocka_unit_test(test_nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
