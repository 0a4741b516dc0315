/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the ETW record dissector (packet-etwdata.c, link type 290) hands the dissectors of the
 * payloads it recognises (packet-etwnet.c, packet-etwproc.c, packet-etwimage.c, packet-etwpktmon.c).
 * Include after <epan/packet.h>. */
#ifndef PACKET_ETW_H
#define PACKET_ETW_H

#include "etw_record.h"

void proto_register_etwdata(void);
void proto_reg_handoff_etwdata(void);
void proto_register_etwnet(void);
void proto_register_etwproc(void);
void proto_register_etwimage(void);
void proto_register_etwpktmon(void);

/* The payload of a TcpIp, UdpIp or Kernel-Network record; of a Process record; of an Image record. */
void dissect_etwnet(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf,
                    etw_provider provider);
void dissect_etwproc(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf);
void dissect_etwimage(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf);
/* The payload of a Microsoft-Windows-PktMon record. */
void dissect_etwpktmon(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const etw_record *rec, const guint8 *buf);

/* Payload bytes no field covers, as etwdata.undecoded. */
void etwdata_add_undecoded(proto_tree *tree, tvbuff_t *tvb, int offset, int length);

#endif
