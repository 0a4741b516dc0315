/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pktmon payloads (src/etl/etl_pktmon.c) on payloads laid out by hand from the layout in
 * docs/FORMATS.md ("pktmon packets"), cut at every length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "etl_pktmon.h"

/* Event 160: group 0x0004000000000040, packet 2, appearance 0, Tx (4), Ethernet (1), component
 * 74, edge 1, filter 3, no drop, 1466 bytes of which 20 logged. */
static const uint8_t packet_event[] = {
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, /* PktGroupId */
    0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, /* PktNumber, AppearanceCount, DirTag, PacketType */
    0x4a, 0x00, 0x01, 0x00, 0x03, 0x00,             /* ComponentId, EdgeId, FilterId */
    0xb4, 0x04, 0x00, 0x00, 0x00, 0x45, 0x00, 0xe0, /* DropReason 1204, DropLocation 0xE0004500 */
    0xba, 0x05, 0x14, 0x00,                         /* OriginalPayloadSize 1466, LoggedPayloadSize 20 */
    /* Ethernet, IPv4 */
    0x34, 0xf7, 0x16, 0x95, 0x71, 0xe9, 0x20, 0x0b, 0x74, 0x2a, 0x72, 0xda, 0x08, 0x00, 0x45, 0x00, 0x05, 0xac,
    0xa4, 0x3f};

static void test_packet(void **state)
{
    (void)state;
    pktmon_packet p;
    assert_true(pktmon_packet_parse(packet_event, sizeof packet_event, &p, NULL));
    assert_true(p.group_id == UINT64_C(0x0004000000000040));
    assert_int_equal(p.number, 2);
    assert_int_equal(p.appearance, 0);
    assert_int_equal(p.dir_tag, 4);
    assert_int_equal(p.packet_type, PKTMON_TYPE_ETHERNET);
    assert_int_equal(p.component, 74);
    assert_int_equal(p.edge, 1);
    assert_int_equal(p.filter, 3);
    assert_int_equal(p.drop_reason, 1204);
    assert_int_equal(p.drop_location, 0xE0004500u);
    assert_int_equal(p.original_size, 1466);
    assert_int_equal(p.logged_size, 20);
    assert_ptr_equal(p.payload, packet_event + PKTMON_PACKET_FIXED);
    /* Cut anywhere, it is refused with a problem, and nothing past the cut is read. */
    for (size_t len = 0; len < sizeof packet_event; len++) {
        uint8_t *copy = g_memdup2(packet_event, len);
        ps_problems why = {0};
        assert_false(pktmon_packet_parse(copy, len, &p, &why));
        assert_int_equal(ps_problems_count(&why), 1);
        assert_non_null(strstr(ps_problems_first(&why)->message, len < PKTMON_PACKET_FIXED ? "shorter than its 34"
                                                                                             : "logged bytes"));
        ps_problems_clear(&why);
        g_free(copy);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pktmon_dir_name(3), "Rx");
    assert_string_equal(pktmon_dir_name(6), "Egress");
    assert_null(pktmon_dir_name(7));
    const uint32_t in[] = {1, 3, 5}, out[] = {2, 4, 6};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(pktmon_dir_pcapng((uint16_t)in[i]), 1);
        assert_int_equal(pktmon_dir_pcapng((uint16_t)out[i]), 2);
    }
    assert_int_equal(pktmon_dir_pcapng(0), 0);
    /* The table is searched by halves: its first, last and inner entries, and gaps. */
    assert_string_equal(pktmon_drop_reason_name(0), "Unknown");
    assert_string_equal(pktmon_drop_reason_name(38), "LowPower");
    assert_string_equal(pktmon_drop_reason_name(204), "ProtocolNotBound");
    assert_string_equal(pktmon_drop_reason_name(918), "NL_ArbitrationUnhandled");
    assert_string_equal(pktmon_drop_reason_name(1204), "INET_EndpointNotFound");
    assert_string_equal(pktmon_drop_reason_name(1232), "INET_AcceptRedirection");
    assert_null(pktmon_drop_reason_name(39));
    assert_null(pktmon_drop_reason_name(1233));
    assert_null(pktmon_drop_reason_name(UINT32_MAX));
}

static void test_link_payload(void **state)
{
    (void)state;
    size_t at = 0;
    uint16_t type = 0;
    assert_true(pktmon_link_payload(PKTMON_TYPE_ETHERNET, packet_event + 34, 20, &at, &type));
    assert_int_equal(at, 14);
    assert_int_equal(type, 0x0800);
    /* Two VLAN tags, then IPv6. */
    uint8_t vlan[24] = {0};
    vlan[12] = 0x88, vlan[13] = 0xa8, vlan[16] = 0x81, vlan[17] = 0x00, vlan[20] = 0x86, vlan[21] = 0xdd;
    assert_true(pktmon_link_payload(PKTMON_TYPE_ETHERNET, vlan, sizeof vlan, &at, &type));
    assert_int_equal(at, 22);
    assert_int_equal(type, 0x86dd);
    assert_false(pktmon_link_payload(PKTMON_TYPE_ETHERNET, vlan, 21, &at, &type));
    /* 802.11 QoS data from the distribution system (FromDS, Protected set): 26 bytes, LLC/SNAP. */
    uint8_t wifi[40] = {0x88, 0x42};
    static const uint8_t snap[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45};
    memcpy(wifi + 26, snap, sizeof snap);
    assert_true(pktmon_link_payload(PKTMON_TYPE_WIFI, wifi, sizeof wifi, &at, &type));
    assert_int_equal(at, 34);
    assert_int_equal(type, 0x0800);
    wifi[1] = 0x03; /* ToDS and FromDS: a fourth address moves LLC/SNAP by 6 */
    assert_false(pktmon_link_payload(PKTMON_TYPE_WIFI, wifi, sizeof wifi, &at, &type));
    wifi[0] = 0x80; /* a beacon: management, no EtherType */
    assert_false(pktmon_link_payload(PKTMON_TYPE_WIFI, wifi, sizeof wifi, &at, &type));
    static const uint8_t v6[] = {0x60, 0, 0, 0};
    assert_true(pktmon_link_payload(PKTMON_TYPE_IP, v6, sizeof v6, &at, &type));
    assert_int_equal(at, 0);
    assert_int_equal(type, 0x86dd);
    assert_false(pktmon_link_payload(PKTMON_TYPE_IP, wifi, sizeof wifi, &at, &type));
    assert_false(pktmon_link_payload(5 /* TCP */, v6, sizeof v6, &at, &type));
}

static void test_framing(void **state)
{
    (void)state;
    /* Ethernet bytes marked Wi-Fi: the first byte no data or management frame control. */
    assert_int_equal(pktmon_framing(PKTMON_TYPE_WIFI, packet_event + 34, 20), PKTMON_TYPE_ETHERNET);
    static const uint8_t broadcast[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x90, 0xa5,
                                          0xaf, 0x5a, 0x29, 0x05, 0x83, 0x00};
    assert_int_equal(pktmon_framing(PKTMON_TYPE_WIFI, broadcast, sizeof broadcast), PKTMON_TYPE_ETHERNET);
    static const uint8_t data_frame[14] = {0x08, 0x42};
    assert_int_equal(pktmon_framing(PKTMON_TYPE_WIFI, data_frame, sizeof data_frame), PKTMON_TYPE_WIFI);
    assert_int_equal(pktmon_framing(PKTMON_TYPE_WIFI, broadcast, 13), PKTMON_TYPE_WIFI);
    assert_int_equal(pktmon_framing(PKTMON_TYPE_ETHERNET, data_frame, sizeof data_frame), PKTMON_TYPE_ETHERNET);
}

static void test_component(void **state)
{
    (void)state;
    /* Id 137, Type 14, "nic.sys", "A NIC" */
    static const uint8_t event[] = {0x89, 0x00, 0x0e, 0x00, 'n', 0, 'i', 0, 'c', 0, '.', 0, 's', 0, 'y', 0, 's', 0,
                                    0,    0,    'A',  0,    ' ', 0, 'N', 0, 'I', 0, 'C', 0, 0,   0};
    pktmon_component c;
    assert_true(pktmon_component_parse(event, sizeof event, &c, NULL));
    assert_int_equal(c.id, 137);
    assert_int_equal(c.type, 14);
    assert_string_equal(c.name, "nic.sys");
    assert_string_equal(c.description, "A NIC");
    for (size_t len = 0; len < sizeof event; len++) {
        ps_problems why = {0};
        assert_false(pktmon_component_parse(event, len, &c, &why));
        assert_int_equal(ps_problems_count(&why), 1);
        ps_problems_clear(&why);
    }
}

/* A flow counter event (90): component 137, edge "Lower" 1, in Rx 0 packets, out Tx 51 packets of
 * 4256 bytes; cut anywhere, the fields before the cut are given, with one problem. */
static void test_record_fields(void **state)
{
    (void)state;
    static const uint8_t flow[] = {0x89, 0x00, 'L', 0, 'o', 0, 'w', 0, 'e', 0, 'r', 0, 0, 0, 0x01, 0x00, 0x03, 0x00,
                                   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x00,
                                   0x33, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0x10, 0, 0, 0, 0, 0, 0};
    static const struct {
        pktmon_field field;
        size_t off, len;
    } want[] = {{PKTMON_F_COMPONENT, 0, 2},   {PKTMON_F_EDGE_NAME, 2, 12},   {PKTMON_F_EDGE, 14, 2},
                {PKTMON_F_DIR_IN, 16, 2},     {PKTMON_F_PACKETS_IN, 18, 8},  {PKTMON_F_BYTES_IN, 26, 8},
                {PKTMON_F_DIR_OUT, 34, 2},    {PKTMON_F_PACKETS_OUT, 36, 8}, {PKTMON_F_BYTES_OUT, 44, 8}};
    pktmon_record rec;
    pktmon_record_decode(90, flow, sizeof flow, &rec);
    assert_string_equal(rec.event, "Flow counters");
    assert_int_equal(ps_problems_count(&rec.problems), 0);
    assert_int_equal(rec.n_items, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_int_equal(rec.items[i].field, want[i].field);
        assert_int_equal(rec.items[i].off, want[i].off);
        assert_int_equal(rec.items[i].len, want[i].len);
    }
    for (size_t len = 0; len < sizeof flow; len++) {
        uint8_t *copy = g_memdup2(flow, len);
        pktmon_record_decode(90, copy, len, &rec);
        assert_int_equal(ps_problems_count(&rec.problems), 1);
        for (unsigned i = 0; i < rec.n_items; i++)
            assert_true(rec.items[i].off + rec.items[i].len <= len);
        ps_problems_clear(&rec.problems);
        g_free(copy);
    }
    /* A property whose string runs to the event's end (73, as Windows writes VMSwitchName). */
    static const uint8_t name[] = {0x79, 0x00, 0x0a, 0x00, 'D', 0, 'e', 0, 'f', 0};
    pktmon_record_decode(73, name, sizeof name, &rec);
    assert_int_equal(ps_problems_count(&rec.problems), 0);
    assert_int_equal(rec.n_items, 3);
    assert_int_equal(rec.items[2].len, 6);
    assert_string_equal(pktmon_property_name(10), "VMSwitchName");
    /* A binary property sized by its Size field (70: a MAC address), and one claiming more. */
    uint8_t mac[14] = {0x89, 0x00, 0x06, 0x00, 0x06, 0, 0, 0, 0xa0, 0xce, 0xc8, 0x74, 0x2f, 0x4a};
    pktmon_record_decode(70, mac, sizeof mac, &rec);
    assert_int_equal(rec.n_items, 4);
    assert_int_equal(rec.items[3].len, 6);
    mac[4] = 7;
    pktmon_record_decode(70, mac, sizeof mac, &rec);
    assert_int_equal(rec.n_items, 3);
    assert_int_equal(ps_problems_count(&rec.problems), 1);
    ps_problems_clear(&rec.problems);
    /* An event whose layout is not known. */
    pktmon_record_decode(100, mac, sizeof mac, &rec);
    assert_null(rec.event);
    assert_int_equal(rec.n_items, 0);
    assert_string_equal(pktmon_component_type_name(3), "Filter");
    assert_null(pktmon_component_type_name(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet),     cmocka_unit_test(test_names),     cmocka_unit_test(test_link_payload),
        cmocka_unit_test(test_framing),    cmocka_unit_test(test_component), cmocka_unit_test(test_record_fields),
    };
    return cmocka_run_group_tests_name("etl_pktmon", tests, NULL, NULL);
}
