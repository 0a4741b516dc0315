/* Registration entry points of the epan glue, called from plugin/plugin.c. */
#ifndef PROCSHARK_DISSECTORS_H
#define PROCSHARK_DISSECTORS_H

void proto_register_procshark_etw(void);
void proto_reg_handoff_procshark_etw(void);
void proto_register_procshark_json(void);

#endif
