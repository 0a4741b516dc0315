/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ETW record of pcapng link type 290 (Wireshark 4.0 layout), docs/FORMATS.md section 2. */
#ifndef ETW_RECORD_H
#define ETW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ps_bytes.h"
#include "ps_problem.h"

#define ETW_HEADER_SIZE 96

#define ETW_FLAG_32_BIT_HEADER 0x0020
#define ETW_FLAG_64_BIT_HEADER 0x0040
#define ETW_FLAG_CLASSIC_HEADER 0x0100

/* Microseconds between 1601-01-01 and 1970-01-01. */
#define ETW_FILETIME_UNIX_EPOCH_US UINT64_C(11644473600000000)

typedef enum {
    ETW_PROVIDER_OTHER,
    ETW_PROVIDER_TCPIP,
    ETW_PROVIDER_UDPIP,
    ETW_PROVIDER_KERNEL_NETWORK,
    ETW_PROVIDER_PROCESS,
    ETW_PROVIDER_IMAGE,
} etw_provider;

/* The codes of etw_record.problems, found in the record framing; several may be found. */
typedef enum {
    ETW_REC_SHORT_HEADER = 1,       /* fewer than 96 bytes */
    ETW_REC_USERDATA_OVERFLOW,      /* UserDataLength points past the record */
    ETW_REC_MESSAGE_OVERFLOW,
    ETW_REC_PROVIDER_NAME_OVERFLOW,
} etw_record_problem;

typedef struct {
    uint16_t size;
    uint16_t header_type;
    uint16_t flags;
    uint16_t event_property;
    uint32_t thread_id;
    uint32_t process_id;
    uint64_t timestamp; /* FILETIME */
    uint8_t provider_id[16]; /* as stored: Data1..3 little-endian, Data4 bytes */
    uint16_t id;
    uint8_t version;
    uint8_t channel;
    uint8_t level;
    uint8_t opcode;
    uint16_t task;
    uint64_t keyword;
    uint64_t processor_time;
    uint8_t activity_id[16];
    uint8_t processor_number;
    uint8_t alignment;
    uint16_t logger_id;
    uint32_t user_data_length;
    uint32_t message_length;
    uint32_t provider_name_length;
    /* Where the variable parts are, clipped to the record. */
    ps_span user_data;
    ps_span message;
    ps_span provider_name;
    ps_problems problems; /* offsets in the record; the only thing it owns: ps_problems_clear() */
} etw_record;

/* Parses the header and locates the variable parts into a fresh or cleared rec. Returns false only
 * when the record is shorter than the header (problems then holds ETW_REC_SHORT_HEADER and nothing
 * else is set). */
bool etw_record_parse(const uint8_t *buf, size_t len, etw_record *rec);

/* Reads the 80-byte EVENT_HEADER a record starts with (the same header as a manifest event's in
 * an .etl file) into rec's header fields; the caller checks that 80 bytes are there. */
void etw_event_header_read(const uint8_t *buf, etw_record *rec);

/* Which provider a GUID (in record byte order) names. */
etw_provider etw_provider_from_guid(const uint8_t guid[16]);
/* The stored GUID of a known provider (16 bytes, record byte order); NULL for ETW_PROVIDER_OTHER. */
const uint8_t *etw_provider_guid(etw_provider provider);
const char *etw_provider_name(etw_provider provider);

/* Microseconds since the Unix epoch for a FILETIME; false when it is before 1970. */
bool etw_filetime_to_unix_us(uint64_t filetime, uint64_t *unix_us);
uint64_t etw_unix_us_to_filetime(uint64_t unix_us);

/* Fields of a record to build; lengths of the variable parts are taken from the spans below. */
typedef struct {
    uint16_t header_type;
    uint16_t flags;
    uint16_t event_property;
    uint32_t thread_id;
    uint32_t process_id;
    uint64_t timestamp;
    uint8_t provider_id[16];
    uint16_t id;
    uint8_t version;
    uint8_t channel;
    uint8_t opcode;
    uint8_t level;
    uint16_t task;
    uint64_t keyword;
    uint64_t processor_time;
    uint8_t activity_id[16];
    uint8_t processor_number;
    uint16_t logger_id;
} etw_record_fields;

/* Size in bytes of the record etw_record_build() writes. */
size_t etw_record_size(size_t user_data_len, size_t message_len, size_t provider_name_len);

/* Writes a whole record into out (etw_record_size() bytes); message and provider name are UTF-16LE
 * bytes including their NUL, either may be empty. Returns the bytes written. */
size_t etw_record_build(uint8_t *out, const etw_record_fields *fields, const uint8_t *user_data,
                        size_t user_data_len, const uint8_t *message, size_t message_len,
                        const uint8_t *provider_name, size_t provider_name_len);

#endif
