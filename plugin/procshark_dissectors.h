/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registration entry points of the epan glue, called from plugin/plugin.c, and what the record
 * dissectors share with the attribution postdissector (plugin/packet-procshark.c). Include after
 * <epan/packet.h>. */
#ifndef PROCSHARK_DISSECTORS_H
#define PROCSHARK_DISSECTORS_H

#include "correlate.h"

void proto_register_procshark_etw(void);
void proto_reg_handoff_procshark_etw(void);
void proto_register_procshark_json(void);
void proto_register_procshark(void);
void proto_reg_handoff_procshark(void);

/* The current capture's correlation engine; NULL between captures. */
ps_corr *procshark_corr(void);
/* The frame's time in nanoseconds since the Unix epoch. */
int64_t procshark_time_ns(const packet_info *pinfo);
/* Text from a record as a column or tree label shows it: control characters escaped (ps_text.h),
 * in the packet scope. */
const char *procshark_shown(packet_info *pinfo, const char *text);
/* An IPv4 or IPv6 address and a port as an endpoint; false for other address types. */
bool procshark_endpoint(const address *addr, guint16 port, ps_endpoint *out);

#endif
