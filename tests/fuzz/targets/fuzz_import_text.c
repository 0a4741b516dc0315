/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The converter's JSON inputs: tracee JSON lines and ConvertTo-Json output (arrays or objects one
 * after another), or either with CSV as procshark-import guesses. Byte 0 chooses: bits 0-1 the format
 * (JSON lines, JSON values, CSV, JSON or CSV), bit 2 a 200-byte record limit so the too-long paths are
 * reached with small inputs. The rest is the file. */
#include "fuzz_text_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const text_format formats[] = {TEXT_JSON_LINES, TEXT_JSON_VALUES, TEXT_CSV, TEXT_JSON_OR_CSV};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_text_reader(data + 1, size - 1, formats[data[0] & 3], (data[0] & 4) ? 200 : FUZZ_RECORD_MAX);
    return 0;
}
