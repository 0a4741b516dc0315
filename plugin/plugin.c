/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procshark plugin entry: the symbols Wireshark looks for, and the protocol registrations. */
#define WS_BUILD_DLL
#include <wireshark.h>

#include <epan/packet.h>
#include <epan/proto.h>

#include "packet-etw.h"
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
    static proto_plugin protocols[] = {
        {proto_register_etwnet, NULL},
        {proto_register_etwproc, NULL},
        {proto_register_etwimage, NULL},
        {proto_register_etwpktmon, NULL},
        {proto_register_etwdata, proto_reg_handoff_etwdata},
        {proto_register_tracee, NULL},
        {proto_register_nettcpconn, NULL},
        {proto_register_ptcpdump, NULL},
        {proto_register_etl2pcapng, NULL},
        {proto_register_proc_annotation, NULL},
        {proto_register_darwin_proc, NULL},
        {proto_register_procrec, NULL},
        {proto_register_procshark, proto_reg_handoff_procshark},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(protocols); i++)
        proto_register_plugin(&protocols[i]);
}
