/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One .etl buffer: its header parsed, its events walked, each event made into the ETW record the
 * converter writes and that record decoded as the plugin would. A logfile header event at the start
 * sets the clock (as in buffer 0 of a file); otherwise a QPC clock of 10 MHz is assumed. */
#include "fuzz_common.h"

#include "etl_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* etl_raw_to_filetime against the exact formula, start_time -/+ floor(|raw - start_raw| * 10^7 / f),
 * in 128-bit arithmetic: a FILETIME it gives must be that one. */
static void check_clock(const etl_trace_info *info, uint64_t raw)
{
    uint64_t ft;
    if (!etl_raw_to_filetime(info, raw, &ft))
        return;
    if (info->clock_type == ETL_CLOCK_SYSTEM_TIME) {
        FUZZ_CHECK(ft == raw);
        return;
    }
    const bool before = raw < info->start_raw;
    const unsigned __int128 d = before ? info->start_raw - raw : raw - info->start_raw;
    const unsigned __int128 ticks = d * 10000000u / info->clock_freq;
    const __int128 want = before ? (__int128)info->start_time - (__int128)ticks
                                 : (__int128)info->start_time + (__int128)ticks;
    FUZZ_CHECK(want == (__int128)ft);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    etl_buffer_header h;
    ps_problems why = {0};
    if (!etl_buffer_header_parse(data, size, &h, &why)) {
        const ps_problem *p = ps_problems_first(&why);
        FUZZ_CHECK(ps_problems_count(&why) == 1 && p->offset <= size && p->length <= size - p->offset);
        ps_problems_clear(&why);
        return 0;
    }
    FUZZ_CHECK(h.data_end >= ETL_BUFFER_HEADER_SIZE && h.data_end <= size && h.data_end <= h.buffer_size);

    etl_trace_info info = {.clock_type = ETL_CLOCK_QPC, .clock_freq = 10000000, .perf_freq = 10000000,
                           .start_time = UINT64_C(133497936000000000), .pointer_size = 8};
    etl_event_iter it;
    etl_event_iter_init(&it, data, h.data_end);
    for (;;) {
        etl_event ev;
        size_t before = it.pos;
        etl_next next = etl_event_iter_next(&it, &ev, &why);
        if (next == ETL_NEXT_END)
            break;
        /* Every step moves on: no loop. */
        FUZZ_CHECK(it.pos > before && it.pos <= h.data_end);
        if (next == ETL_NEXT_SKIPPED) {
            const ps_problem *bad = ps_problems_first(&why);
            FUZZ_CHECK(ps_problems_count(&why) == 1 && bad->length > 0 && bad->offset >= before &&
                       bad->offset + bad->length <= h.data_end && bad->message[0]);
            ps_problems_clear(&why);
            continue;
        }
        FUZZ_CHECK(ev.offset == before && ev.size <= h.data_end - ev.offset);
        FUZZ_CHECK(ev.payload_len == 0 ||
                   (ev.payload >= data + ev.offset && ev.payload + ev.payload_len <= data + ev.offset + ev.size));
        (void)etl_header_type_name(ev.header_type);
        if (ev.classic)
            (void)etl_kernel_group_name(ev.group);
        if (ev.classic && ev.offset == ETL_BUFFER_HEADER_SIZE && ev.group == 0 && ev.opcode == 0) {
            etl_trace_info parsed;
            const bool ok = etl_trace_info_parse(ev.payload, ev.payload_len, ev.raw_time, ev.pointer64 ? 8 : 4, &parsed, &why);
            FUZZ_CHECK(memchr(parsed.logger_name, 0, sizeof parsed.logger_name) &&
                       memchr(parsed.log_file_name, 0, sizeof parsed.log_file_name));
            const ps_problem *bad = ps_problems_first(&why);
            FUZZ_CHECK(ok ? !bad : ps_problems_count(&why) == 1 && bad->offset <= ev.payload_len &&
                                       bad->length <= ev.payload_len - bad->offset);
            ps_problems_clear(&why);
            if (ok)
                info = parsed;
        }
        check_clock(&info, ev.raw_time);
        etw_record_fields f;
        if (!ev.has_time || !etl_event_record_fields(&ev, &info, &h, &f))
            continue;
        const size_t n = etw_record_size(ev.payload_len, 0, 0);
        uint8_t *rec = malloc(n);
        FUZZ_CHECK(etw_record_build(rec, &f, ev.payload, ev.payload_len, NULL, 0, NULL, 0) == n);
        fuzz_decode_record(rec, n);
        free(rec);
    }
    return 0;
}
