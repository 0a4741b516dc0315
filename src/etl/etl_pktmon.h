/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Payloads of Microsoft-Windows-PktMon {4d4f80d9-c8bd-4d73-bb5b-19c90402c5ac}, the provider of
 * `pktmon start --capture`: packet events (160, 170 a drop) and the component description (20)
 * that names an interface. Layouts in docs/FORMATS.md section 6, "pktmon packets". */
#ifndef ETL_PKTMON_H
#define ETL_PKTMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_problem.h"

extern const uint8_t pktmon_provider_guid[16]; /* record byte order */

enum {
    PKTMON_EVENT_COMPONENT = 20,
    PKTMON_EVENT_PACKET = 160,
    PKTMON_EVENT_DROP = 170,
};

/* PKTMON_PACKET_TYPE: what the payload starts with. */
enum { PKTMON_TYPE_ETHERNET = 1, PKTMON_TYPE_WIFI = 2, PKTMON_TYPE_IP = 3 };

#define PKTMON_PACKET_FIXED 34 /* the fields before Payload */

typedef struct {
    uint64_t group_id;
    uint16_t number;     /* the packet's place in its group (a chain of packets handed over together) */
    uint16_t appearance;
    uint16_t dir_tag;
    uint16_t packet_type;
    uint16_t component;
    uint16_t edge;
    uint16_t filter;
    uint32_t drop_reason;
    uint32_t drop_location;
    uint16_t original_size;
    uint16_t logged_size;
    const uint8_t *payload; /* logged_size bytes */
} pktmon_packet;

/* Parses event 160 or 170; false, with the problem, when the payload cannot hold the fields or the
 * bytes LoggedPayloadSize claims. */
bool pktmon_packet_parse(const uint8_t *p, size_t len, pktmon_packet *pkt, ps_problems *problems);

/* "Rx", "Tx", "In", "Out", "Ingress", "Egress", "None"; NULL for another value. */
const char *pktmon_dir_name(uint16_t dir_tag);
/* The pcapng direction (1 inbound, 2 outbound) of a DirTag; 0 when it gives none. */
uint32_t pktmon_dir_pcapng(uint16_t dir_tag);
/* The name of a drop reason (PktMon's PKTMON_DROP_REASON values); NULL for one not known. */
const char *pktmon_drop_reason_name(uint32_t reason);

/* The framing the bytes have: the packet type, except that pktmon marks some appearances at a Wi-Fi
 * driver's components as Wi-Fi while their bytes are still Ethernet (the edge above the native
 * 802.11 translation): a "Wi-Fi" frame that is no 802.11 data or management frame but has an
 * EtherType where Ethernet has it is Ethernet. */
uint16_t pktmon_framing(uint16_t packet_type, const uint8_t *p, size_t len);

/* Where a frame's link header ends and what it carries: Ethernet (with 802.1Q or 802.1ad tags), an
 * 802.11 data frame with LLC/SNAP, or raw IP (whose EtherType is that of its IP version). False
 * when the frame has no EtherType (an 802.11 management frame) or is cut inside its link header. */
bool pktmon_link_payload(uint16_t packet_type, const uint8_t *p, size_t len, size_t *offset, uint16_t *ethertype);

typedef struct {
    uint16_t id;
    uint16_t type;
    char name[96];         /* UTF-8 */
    char description[160]; /* UTF-8 */
} pktmon_component;

/* Parses event 20: Id, Type, Name and Description (UTF-16LE, NUL-terminated). */
bool pktmon_component_parse(const uint8_t *p, size_t len, pktmon_component *c, ps_problems *problems);

/* --- the events that stay records ----------------------------------------------------------- */

/* Their fields, for the plugin's etwpktmon.* fields. */
typedef enum {
    PKTMON_F_COMPONENT,
    PKTMON_F_COMPONENT_TYPE,
    PKTMON_F_NAME,
    PKTMON_F_DESCRIPTION,
    PKTMON_F_PROPERTY,
    PKTMON_F_VALUE,      /* u32 */
    PKTMON_F_GUID,
    PKTMON_F_IPV4,
    PKTMON_F_IPV6,
    PKTMON_F_VALUE_SIZE, /* u32, of the binary value after it */
    PKTMON_F_BINARY,
    PKTMON_F_STRING,
    PKTMON_F_ETHERTYPE,
    PKTMON_F_EDGE_NAME,
    PKTMON_F_EDGE,
    PKTMON_F_DIR_IN,
    PKTMON_F_PACKETS_IN,
    PKTMON_F_BYTES_IN,
    PKTMON_F_DIR_OUT,
    PKTMON_F_PACKETS_OUT,
    PKTMON_F_BYTES_OUT,
    PKTMON_F_GROUP,
    PKTMON_F_NUMBER,
    PKTMON_F_APPEARANCE,
    PKTMON_F_DIR,
    PKTMON_F_PACKET_TYPE,
    PKTMON_F_FILTER,
    PKTMON_F_DROP_REASON,
    PKTMON_F_DROP_LOCATION,
    PKTMON_F_ORIGINAL_SIZE,
    PKTMON_F_LOGGED_SIZE,
    PKTMON_F_PAYLOAD,
    PKTMON_F_COUNT
} pktmon_field;

#define PKTMON_RECORD_MAX_ITEMS 16

typedef struct {
    pktmon_field field;
    size_t off, len; /* in the payload; strings include their NUL */
} pktmon_item;

typedef struct {
    const char *event; /* "Component", "Property", "Drop counters", ...; NULL: a layout not known */
    pktmon_item items[PKTMON_RECORD_MAX_ITEMS];
    unsigned n_items;
    ps_problems problems; /* a payload cut inside a field: owned, ps_problems_clear() */
} pktmon_record;

/* The fields of a PktMon event's payload, by its id: the components (20) and their properties (30,
 * 40, 65, 66, 70, 73, 75), counters (80, 90) and packets (160, 170). Fields that fit are given when
 * the payload is cut short, with a problem at the cut. */
void pktmon_record_decode(uint16_t id, const uint8_t *p, size_t len, pktmon_record *rec);

/* Names of a component type, a property type; NULL when not known. */
const char *pktmon_component_type_name(uint16_t type);
const char *pktmon_property_name(uint16_t type);

#endif
