/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An ETW record (link type 290) as the plugin gets it: parsed, its payload decoded, and built again
 * from what was parsed, which must give back the same header and parts. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rebuild(const uint8_t *data, size_t size)
{
    etw_record rec, again;
    const bool parsed = etw_record_parse(data, size, &rec);
    ps_problems_clear(&rec.problems);
    if (!parsed)
        return;
    etw_record_fields f = {
        .header_type = rec.header_type, .flags = rec.flags, .event_property = rec.event_property,
        .thread_id = rec.thread_id, .process_id = rec.process_id, .timestamp = rec.timestamp,
        .id = rec.id, .version = rec.version, .channel = rec.channel, .opcode = rec.opcode,
        .level = rec.level, .task = rec.task, .keyword = rec.keyword, .processor_time = rec.processor_time,
        .processor_number = rec.processor_number, .logger_id = rec.logger_id,
    };
    memcpy(f.provider_id, rec.provider_id, 16);
    memcpy(f.activity_id, rec.activity_id, 16);
    const size_t n = etw_record_size(rec.user_data.len, rec.message.len, rec.provider_name.len);
    uint8_t *out = malloc(n);
    FUZZ_CHECK(etw_record_build(out, &f, data + rec.user_data.off, rec.user_data.len, data + rec.message.off,
                                rec.message.len, data + rec.provider_name.off, rec.provider_name.len) == n);
    FUZZ_CHECK(etw_record_parse(out, n, &again));
    FUZZ_CHECK(ps_problems_count(&again.problems) == 0);
    FUZZ_CHECK(again.timestamp == rec.timestamp && again.id == rec.id && again.opcode == rec.opcode &&
               again.version == rec.version && again.flags == rec.flags && again.keyword == rec.keyword &&
               memcmp(again.provider_id, rec.provider_id, 16) == 0);
    FUZZ_CHECK(again.user_data.len == rec.user_data.len &&
               memcmp(out + again.user_data.off, data + rec.user_data.off, rec.user_data.len) == 0);
    FUZZ_CHECK(again.message.len == rec.message.len && again.provider_name.len == rec.provider_name.len);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode_record(data, size);
    check_rebuild(data, size);
    return 0;
}
