/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Get-NetTCPConnection | Export-Csv, read by the converter's CSV reader, each row decoded as the JSON
 * object the reader makes of it (which must always be an object). */
#include "fuzz_text_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_text_reader(data, size, TEXT_CSV, FUZZ_RECORD_MAX);
    return 0;
}
