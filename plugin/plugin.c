/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark plugin entry: the symbols Wireshark looks for, and the protocol registrations. */
#define WS_BUILD_DLL
#include <wireshark.h>

#include <epan/packet.h>
#include <epan/proto.h>

#include "procshark_dissectors.h"
#include "ws_compat.h"

#ifndef PROCSHARK_VERSION
#error "PROCSHARK_VERSION comes from CMakeLists.txt"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PROCSHARK_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
PS_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR)

void plugin_register(void)
{
    static proto_plugin etw = {proto_register_procshark_etw, proto_reg_handoff_procshark_etw};
    static proto_plugin json_records = {proto_register_procshark_json, NULL};
    static proto_plugin attribution = {proto_register_procshark, proto_reg_handoff_procshark};
    proto_register_plugin(&etw);
    proto_register_plugin(&json_records);
    proto_register_plugin(&attribution);
}
