/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etl_pktmon.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "etl_file.h"
#include "ps_bytes.h"

/* {4d4f80d9-c8bd-4d73-bb5b-19c90402c5ac} */
const uint8_t pktmon_provider_guid[16] = {0xd9, 0x80, 0x4f, 0x4d, 0xbd, 0xc8, 0x73, 0x4d,
                                          0xbb, 0x5b, 0x19, 0xc9, 0x04, 0x02, 0xc5, 0xac};

bool pktmon_packet_parse(const uint8_t *p, size_t len, pktmon_packet *pkt, ps_problems *problems)
{
    memset(pkt, 0, sizeof *pkt);
    if (len < PKTMON_PACKET_FIXED) {
        ps_problems_add(problems, 0, 0, len, "pktmon packet event of %zu bytes: shorter than its %d fixed bytes", len,
                        PKTMON_PACKET_FIXED);
        return false;
    }
    pkt->group_id = ps_le64(p);
    pkt->number = ps_le16(p + 8);
    pkt->appearance = ps_le16(p + 10);
    pkt->dir_tag = ps_le16(p + 12);
    pkt->packet_type = ps_le16(p + 14);
    pkt->component = ps_le16(p + 16);
    pkt->edge = ps_le16(p + 18);
    pkt->filter = ps_le16(p + 20);
    pkt->drop_reason = ps_le32(p + 22);
    pkt->drop_location = ps_le32(p + 26);
    pkt->original_size = ps_le16(p + 30);
    pkt->logged_size = ps_le16(p + 32);
    pkt->payload = p + PKTMON_PACKET_FIXED;
    if (pkt->logged_size > len - PKTMON_PACKET_FIXED) {
        ps_problems_add(problems, 0, 32, 2, "pktmon packet event says %u logged bytes, the event holds %zu",
                        pkt->logged_size, len - PKTMON_PACKET_FIXED);
        return false;
    }
    return true;
}

const char *pktmon_dir_name(uint16_t dir_tag)
{
    static const char *const names[] = {"None", "In", "Out", "Rx", "Tx", "Ingress", "Egress"};
    return dir_tag < G_N_ELEMENTS(names) ? names[dir_tag] : NULL;
}

uint32_t pktmon_dir_pcapng(uint16_t dir_tag)
{
    switch (dir_tag) {
    case 1: /* In */
    case 3: /* Rx */
    case 5: /* Ingress */
        return 1;
    case 2: /* Out */
    case 4: /* Tx */
    case 6: /* Egress */
        return 2;
    default: return 0;
    }
}

/* PktMon's drop reasons (PKTMON_DROP_REASON), named as Windows names them without their "Drop_"
 * prefix; the ranges are NDIS and vSwitch (0-38), miniports (2xx, 4xx), the framing layer (6xx),
 * vSwitch guards (7xx), the IP layer (9xx, 1000s) and TCP/UDP (12xx). */
typedef struct {
    uint32_t code;
    const char *name;
} drop_reason;

static const drop_reason drop_reasons[] = {
    {0, "Unknown"},
    {1, "InvalidData"},
    {2, "InvalidPacket"},
    {3, "Resources"},
    {4, "NotReady"},
    {5, "Disconnected"},
    {6, "NotAccepted"},
    {7, "Busy"},
    {8, "Filtered"},
    {9, "FilteredVLAN"},
    {10, "UnauthorizedVLAN"},
    {11, "UnauthorizedMAC"},
    {12, "FailedSecurityPolicy"},
    {13, "FailedPvlanSetting"},
    {14, "Qos"},
    {15, "Ipsec"},
    {16, "MacSpoofing"},
    {17, "DhcpGuard"},
    {18, "RouterGuard"},
    {19, "BridgeReserved"},
    {20, "VirtualSubnetId"},
    {21, "RequiredExtensionMissing"},
    {22, "InvalidConfig"},
    {23, "MTUMismatch"},
    {24, "NativeFwdingReq"},
    {25, "InvalidVlanFormat"},
    {26, "InvalidDestMac"},
    {27, "InvalidSourceMac"},
    {28, "InvalidFirstNBTooSmall"},
    {29, "Wnv"},
    {30, "StormLimit"},
    {31, "InjectedIcmp"},
    {32, "FailedDestinationListUpdate"},
    {33, "NicDisabled"},
    {34, "FailedPacketFilter"},
    {35, "SwitchDataFlowDisabled"},
    {36, "FilteredIsolationUntagged"},
    {37, "InvalidPDQueue"},
    {38, "LowPower"},
    {201, "Pause"},
    {202, "Reset"},
    {203, "SendAborted"},
    {204, "ProtocolNotBound"},
    {205, "Failure"},
    {206, "InvalidLength"},
    {207, "HostOutOfMemory"},
    {208, "FrameTooLong"},
    {209, "FrameTooShort"},
    {210, "FrameLengthError"},
    {211, "CrcError"},
    {212, "BadFrameChecksum"},
    {213, "FcsError"},
    {214, "SymbolError"},
    {215, "HeadQTimeout"},
    {216, "StalledDiscard"},
    {217, "RxQFull"},
    {218, "PhysLayerError"},
    {219, "DmaError"},
    {220, "FirmwareError"},
    {221, "DecryptionFailed"},
    {222, "BadSignature"},
    {223, "CoalescingError"},
    {225, "VlanSpoofing"},
    {226, "UnallowedEtherType"},
    {227, "VportDown"},
    {228, "SteeringMismatch"},
    {401, "MicroportError"},
    {402, "VfNotReady"},
    {403, "MicroportNotReady"},
    {404, "VMBusError"},
    {601, "FL_LoopbackPacket"},
    {602, "FL_InvalidSnapHeader"},
    {603, "FL_InvalidEthernetType"},
    {604, "FL_InvalidPacketLength"},
    {605, "FL_HeaderNotContiguous"},
    {606, "FL_InvalidDestinationType"},
    {607, "FL_InterfaceNotReady"},
    {608, "FL_ProviderNotReady"},
    {609, "FL_InvalidLsoInfo"},
    {610, "FL_InvalidUsoInfo"},
    {611, "FL_InvalidMedium"},
    {612, "FL_InvalidArpHeader"},
    {613, "FL_NoClientInterface"},
    {614, "FL_TooManyNetBuffers"},
    {615, "FL_FlsNpiClientDrop"},
    {701, "ArpGuard"},
    {702, "ArpLimiter"},
    {703, "DhcpLimiter"},
    {704, "BlockBroadcast"},
    {705, "BlockNonIp"},
    {706, "ArpFilter"},
    {707, "Ipv4Guard"},
    {708, "Ipv6Guard"},
    {709, "MacGuard"},
    {710, "BroadcastNoDestinations"},
    {711, "UnicastNoDestination"},
    {712, "UnicastPortNotReady"},
    {713, "SwitchCallbackFailed"},
    {714, "Icmpv6Limiter"},
    {715, "Intercept"},
    {716, "InterceptBlock"},
    {717, "NDPGuard"},
    {718, "PortBlocked"},
    {719, "NicSuspended"},
    {901, "NL_BadSourceAddress"},
    {902, "NL_NotLocallyDestined"},
    {903, "NL_ProtocolUnreachable"},
    {904, "NL_PortUnreachable"},
    {905, "NL_BadLength"},
    {906, "NL_MalformedHeader"},
    {907, "NL_NoRoute"},
    {908, "NL_BeyondScope"},
    {909, "NL_InspectionDrop"},
    {910, "NL_TooManyDecapsulations"},
    {911, "NL_AdministrativelyProhibited"},
    {912, "NL_BadChecksum"},
    {913, "NL_ReceivePathMax"},
    {914, "NL_HopLimitExceeded"},
    {915, "NL_AddressUnreachable"},
    {916, "NL_RscPacket"},
    {917, "NL_ForwardPathMax"},
    {918, "NL_ArbitrationUnhandled"},
    {919, "NL_InspectionAbsorb"},
    {920, "NL_DontFragmentMtuExceeded"},
    {921, "NL_BufferLengthExceeded"},
    {922, "NL_AddressResolutionTimeout"},
    {923, "NL_AddressResolutionFailure"},
    {924, "NL_IpsecFailure"},
    {925, "NL_ExtensionHeadersFailure"},
    {926, "NL_IpsnpiClientDrop"},
    {927, "NL_UnsupportedOffload"},
    {928, "NL_RoutingFailure"},
    {929, "NL_AncillaryDataFailure"},
    {930, "NL_RawDataFailure"},
    {931, "NL_SessionStateFailure"},
    {932, "NL_IpsnpiModifiedButNotForwarded"},
    {933, "NL_IpsnpiNoNextHop"},
    {934, "NL_IpsnpiNoCompartment"},
    {935, "NL_IpsnpiNoInterface"},
    {936, "NL_IpsnpiNoSubInterface"},
    {937, "NL_IpsnpiInterfaceDisabled"},
    {938, "NL_IpsnpiSegmentationFailed"},
    {939, "NL_IpsnpiNoEthernetHeader"},
    {940, "NL_IpsnpiUnexpectedFragment"},
    {941, "NL_IpsnpiUnsupportedInterfaceType"},
    {942, "NL_IpsnpiInvalidLsoInfo"},
    {943, "NL_IpsnpiInvalidUsoInfo"},
    {944, "NL_InternalError"},
    {945, "NL_AdministrativelyConfigured"},
    {946, "NL_BadOption"},
    {947, "NL_LoopbackDisallowed"},
    {948, "NL_SmallerScope"},
    {949, "NL_QueueFull"},
    {950, "NL_InterfaceDisabled"},
    {951, "NL_IcmpGeneric"},
    {952, "NL_IcmpTruncatedHeader"},
    {953, "NL_IcmpInvalidChecksum"},
    {954, "NL_IcmpInspection"},
    {955, "NL_IcmpNeighborDiscoveryLoopback"},
    {956, "NL_IcmpUnknownType"},
    {957, "NL_IcmpTruncatedIpHeader"},
    {958, "NL_IcmpOversizedIpHeader"},
    {959, "NL_IcmpNoHandler"},
    {960, "NL_IcmpRespondingToError"},
    {961, "NL_IcmpInvalidSource"},
    {962, "NL_IcmpInterfaceRateLimit"},
    {963, "NL_IcmpPathRateLimit"},
    {964, "NL_IcmpNoRoute"},
    {965, "NL_IcmpMatchingRequestNotFound"},
    {966, "NL_IcmpBufferTooSmall"},
    {967, "NL_IcmpAncillaryDataQuery"},
    {968, "NL_IcmpIncorrectHopLimit"},
    {969, "NL_IcmpUnknownCode"},
    {970, "NL_IcmpSourceNotLinkLocal"},
    {971, "NL_IcmpTruncatedNdHeader"},
    {972, "NL_IcmpInvalidNdOptSourceLinkAddr"},
    {973, "NL_IcmpInvalidNdOptMtu"},
    {974, "NL_IcmpInvalidNdOptPrefixInformation"},
    {975, "NL_IcmpInvalidNdOptRouteInformation"},
    {976, "NL_IcmpInvalidNdOptRdnss"},
    {977, "NL_IcmpInvalidNdOptDnssl"},
    {978, "NL_IcmpPacketParsingFailure"},
    {979, "NL_IcmpDisallowed"},
    {980, "NL_IcmpInvalidRouterAdvertisement"},
    {981, "NL_IcmpSourceFromDifferentLink"},
    {982, "NL_IcmpInvalidRedirectDestinationOrTarget"},
    {983, "NL_IcmpInvalidNdTarget"},
    {984, "NL_IcmpNaMulticastAndSolicited"},
    {985, "NL_IcmpNdLinkLayerAddressIsLocal"},
    {986, "NL_IcmpDuplicateEchoRequest"},
    {987, "NL_IcmpNotAPotentialRouter"},
    {988, "NL_IcmpInvalidMldQuery"},
    {989, "NL_IcmpInvalidMldReport"},
    {990, "NL_IcmpLocallySourcedMldReport"},
    {991, "NL_IcmpNotLocallyDestined"},
    {992, "NL_ArpInvalidSource"},
    {993, "NL_ArpInvalidTarget"},
    {994, "NL_ArpDlSourceIsLocal"},
    {995, "NL_ArpNotLocallyDestined"},
    {996, "NL_NlClientDiscard"},
    {997, "NL_IpsnpiUroSegmentSizeExceedsMtu"},
    {998, "NL_IcmpFragmentedPacket"},
    {999, "NL_FirstFragmentIncomplete"},
    {1000, "NL_SourceViolation"},
    {1001, "NL_IcmpJumbogram"},
    {1002, "NL_SwUsoFailure"},
    {1200, "INET_SourceUnspecified"},
    {1201, "INET_DestinationMulticast"},
    {1202, "INET_HeaderInvalid"},
    {1203, "INET_ChecksumInvalid"},
    {1204, "INET_EndpointNotFound"},
    {1205, "INET_ConnectedPath"},
    {1206, "INET_SessionState"},
    {1207, "INET_ReceiveInspection"},
    {1208, "INET_AckInvalid"},
    {1209, "INET_ExpectedSyn"},
    {1210, "INET_Rst"},
    {1211, "INET_SynRcvdSyn"},
    {1212, "INET_SimultaneousConnect"},
    {1213, "INET_PawsFailed"},
    {1214, "INET_LandAttack"},
    {1215, "INET_MissedReset"},
    {1216, "INET_OutsideWindow"},
    {1217, "INET_DuplicateSegment"},
    {1218, "INET_ClosedWindow"},
    {1219, "INET_TcbRemoved"},
    {1220, "INET_FinWait2"},
    {1221, "INET_ReassemblyConflict"},
    {1222, "INET_FinReceived"},
    {1223, "INET_ListenerInvalidFlags"},
    {1224, "INET_TcbNotInTcbTable"},
    {1225, "INET_TimeWaitTcbReceivedRstOutsideWindow"},
    {1226, "INET_TimeWaitTcbSynAndOtherFlags"},
    {1227, "INET_TimeWaitTcb"},
    {1228, "INET_SynAckWithFastopenCookieRequest"},
    {1229, "INET_PauseAccept"},
    {1230, "INET_SynAttack"},
    {1231, "INET_AcceptInspection"},
    {1232, "INET_AcceptRedirection"},
};

static int drop_reason_cmp(const void *key, const void *entry)
{
    const uint32_t k = *(const uint32_t *)key, c = ((const drop_reason *)entry)->code;
    return k < c ? -1 : k > c;
}

const char *pktmon_drop_reason_name(uint32_t reason)
{
    const drop_reason *d = bsearch(&reason, drop_reasons, G_N_ELEMENTS(drop_reasons), sizeof drop_reasons[0],
                                   drop_reason_cmp);
    return d ? d->name : NULL;
}

uint16_t pktmon_framing(uint16_t packet_type, const uint8_t *p, size_t len)
{
    if (packet_type != PKTMON_TYPE_WIFI || len < 14)
        return packet_type;
    const unsigned version = p[0] & 3, type = (p[0] >> 2) & 3;
    const bool dot11 = version == 0 && (type == 0 || type == 2); /* management or data */
    return !dot11 && ps_be16(p + 12) >= 0x0600 ? PKTMON_TYPE_ETHERNET : PKTMON_TYPE_WIFI;
}

bool pktmon_link_payload(uint16_t packet_type, const uint8_t *p, size_t len, size_t *offset, uint16_t *ethertype)
{
    size_t at;
    switch (packet_type) {
    case PKTMON_TYPE_IP:
        if (len < 1 || ((p[0] >> 4) != 4 && (p[0] >> 4) != 6))
            return false;
        *offset = 0;
        *ethertype = (p[0] >> 4) == 4 ? 0x0800 : 0x86dd;
        return true;
    case PKTMON_TYPE_ETHERNET:
        at = 12;
        while (len >= at + 2 && (ps_be16(p + at) == 0x8100 || ps_be16(p + at) == 0x88a8))
            at += 4; /* VLAN tags */
        break;
    case PKTMON_TYPE_WIFI: {
        /* A data frame (type 2): 24 bytes, 30 with a fourth address (ToDS and FromDS), 2 more for
         * QoS subtypes, then LLC/SNAP (aa aa 03 00 00 00) and the EtherType. */
        static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
        if (len < 2 || ((p[0] >> 2) & 3) != 2)
            return false;
        at = 24 + ((p[1] & 3) == 3 ? 6 : 0) + ((p[0] & 0x80) ? 2 : 0);
        if (len < at + 6 || memcmp(p + at, snap, 6) != 0)
            return false;
        at += 6;
        break;
    }
    default: return false;
    }
    if (len < at + 2)
        return false;
    *ethertype = ps_be16(p + at);
    *offset = at + 2;
    return true;
}

bool pktmon_component_parse(const uint8_t *p, size_t len, pktmon_component *c, ps_problems *problems)
{
    memset(c, 0, sizeof *c);
    if (len < 4) {
        ps_problems_add(problems, 0, 0, len, "pktmon component event of %zu bytes: no Id and Type", len);
        return false;
    }
    c->id = ps_le16(p);
    c->type = ps_le16(p + 2);
    size_t used = 0;
    if (!etl_utf16z(p + 4, len - 4, c->name, sizeof c->name, &used)) {
        ps_problems_add(problems, 0, 4, len - 4, "pktmon component %u: its Name is no NUL-terminated UTF-16", c->id);
        return false;
    }
    const size_t at = 4 + used;
    if (!etl_utf16z(p + at, len - at, c->description, sizeof c->description, &used)) {
        ps_problems_add(problems, 0, at, len - at, "pktmon component %u: its Description is no NUL-terminated UTF-16",
                        c->id);
        return false;
    }
    return true;
}

/* --- the events that stay records ----------------------------------------------------------- */

const char *pktmon_component_type_name(uint16_t type)
{
    static const char *const names[] = {NULL,           "NDIS",         "Miniport",      "Filter",
                                        "Protocol",     "VmsVmNic",     "VmsMiniport",   "VmsExtMiniport",
                                        "VmsProtocolNic", "NetVsc Miniport"};
    return type < G_N_ELEMENTS(names) ? names[type] : NULL;
}

const char *pktmon_property_name(uint16_t type)
{
    static const char *const names[] = {NULL,         "IfIndex",      "MiniportIfIndex", "LowerIfIndex",
                                        "IfGuid",     "NdisMedium",   "PhysAddress",     "EtherType",
                                        "OptDataPath", "NdisObject",  "VMSwitchName",    "VmsExtIfIndex",
                                        "LowestIfIndex", "IpAddress"};
    return type < G_N_ELEMENTS(names) ? names[type] : NULL;
}

/* A field's width: bytes, or one of these. */
enum { W_UTF16Z = -1, W_REST = -2, W_SIZED = -3 /* the u32 before it */ };

typedef struct {
    pktmon_field field;
    int width;
} layout_field;

typedef struct {
    uint16_t id;
    const char *event;
    layout_field fields[13];
} layout;

#define END {PKTMON_F_COUNT, 0}

static const layout layouts[] = {
    {20, "Component", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_COMPONENT_TYPE, 2}, {PKTMON_F_NAME, W_UTF16Z},
                       {PKTMON_F_DESCRIPTION, W_UTF16Z}, END}},
    {30, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_VALUE, 4}, END}},
    {40, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_GUID, 16}, END}},
    {65, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_IPV4, 4}, END}},
    {66, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_IPV6, 16}, END}},
    {70, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_VALUE_SIZE, 4},
                      {PKTMON_F_BINARY, W_SIZED}, END}},
    {73, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_STRING, W_UTF16Z}, END}},
    {75, "Property", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_PROPERTY, 2}, {PKTMON_F_ETHERTYPE, 2}, END}},
    {80, "Drop counters", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_DIR_IN, 2}, {PKTMON_F_PACKETS_IN, 8},
                           {PKTMON_F_BYTES_IN, 8}, {PKTMON_F_DIR_OUT, 2}, {PKTMON_F_PACKETS_OUT, 8},
                           {PKTMON_F_BYTES_OUT, 8}, END}},
    {90, "Flow counters", {{PKTMON_F_COMPONENT, 2}, {PKTMON_F_EDGE_NAME, W_UTF16Z}, {PKTMON_F_EDGE, 2},
                           {PKTMON_F_DIR_IN, 2}, {PKTMON_F_PACKETS_IN, 8}, {PKTMON_F_BYTES_IN, 8},
                           {PKTMON_F_DIR_OUT, 2}, {PKTMON_F_PACKETS_OUT, 8}, {PKTMON_F_BYTES_OUT, 8}, END}},
};

/* 160 and 170 reach a record only with a packet type no link type fits. */
static const layout packet_layout = {
    160, "Packet", {{PKTMON_F_GROUP, 8}, {PKTMON_F_NUMBER, 2}, {PKTMON_F_APPEARANCE, 2}, {PKTMON_F_DIR, 2},
                    {PKTMON_F_PACKET_TYPE, 2}, {PKTMON_F_COMPONENT, 2}, {PKTMON_F_EDGE, 2}, {PKTMON_F_FILTER, 2},
                    {PKTMON_F_DROP_REASON, 4}, {PKTMON_F_DROP_LOCATION, 4}, {PKTMON_F_ORIGINAL_SIZE, 2},
                    {PKTMON_F_LOGGED_SIZE, 2}, {PKTMON_F_PAYLOAD, W_REST}}};

void pktmon_record_decode(uint16_t id, const uint8_t *p, size_t len, pktmon_record *rec)
{
    memset(rec, 0, sizeof *rec);
    const layout *l = id == PKTMON_EVENT_PACKET || id == PKTMON_EVENT_DROP ? &packet_layout : NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(layouts) && !l; i++)
        if (layouts[i].id == id)
            l = &layouts[i];
    if (!l)
        return;
    rec->event = id == PKTMON_EVENT_DROP ? "Drop" : l->event;
    size_t at = 0;
    uint32_t sized = 0;
    for (const layout_field *f = l->fields; f < l->fields + G_N_ELEMENTS(l->fields) && f->field != PKTMON_F_COUNT;
         f++) {
        size_t width;
        bool fits;
        if (f->width == W_UTF16Z) {
            width = 0;
            while (at + width + 1 < len && (p[at + width] | p[at + width + 1]) != 0)
                width += 2;
            fits = at + width + 1 < len;
            const bool last = f + 1 == l->fields + G_N_ELEMENTS(l->fields) || f[1].field == PKTMON_F_COUNT;
            if (fits)
                width += 2;
            else if (last && width > 0 && at + width == len)
                fits = true; /* a last string may end with the event: 73's VMSwitchName does */
        } else {
            width = f->width == W_REST ? len - at : f->width == W_SIZED ? sized : (size_t)f->width;
            fits = width <= len - at;
        }
        if (!fits) {
            ps_problems_add(&rec->problems, 0, at, len - at, "the payload ends inside the %s event's field %d",
                            rec->event, (int)(f - l->fields) + 1);
            return;
        }
        if (f->field == PKTMON_F_VALUE_SIZE)
            sized = ps_le32(p + at);
        rec->items[rec->n_items++] = (pktmon_item){f->field, at, width};
        at += width;
    }
}
