/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "etw_record.h"

#include <inttypes.h>
#include <string.h>

/* Provider GUIDs as stored in a record: Data1..Data3 little-endian, then Data4. */
static const uint8_t provider_guids[][16] = {
    /* {9a280ac0-c8e0-11d1-84e2-00c04fb998a2} */
    [ETW_PROVIDER_TCPIP] = {0xc0, 0x0a, 0x28, 0x9a, 0xe0, 0xc8, 0xd1, 0x11, 0x84, 0xe2, 0x00, 0xc0, 0x4f, 0xb9, 0x98, 0xa2},
    /* {bf3a50c5-a9c9-4988-a005-2df0b7c80f80} */
    [ETW_PROVIDER_UDPIP] = {0xc5, 0x50, 0x3a, 0xbf, 0xc9, 0xa9, 0x88, 0x49, 0xa0, 0x05, 0x2d, 0xf0, 0xb7, 0xc8, 0x0f, 0x80},
    /* {7dd42a49-5329-4832-8dfd-43d979153a88} */
    [ETW_PROVIDER_KERNEL_NETWORK] = {0x49, 0x2a, 0xd4, 0x7d, 0x29, 0x53, 0x32, 0x48, 0x8d, 0xfd, 0x43, 0xd9, 0x79, 0x15, 0x3a, 0x88},
    /* {3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c} */
    [ETW_PROVIDER_PROCESS] = {0xd0, 0xa8, 0x6f, 0x3d, 0x05, 0xfe, 0xd0, 0x11, 0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c},
    /* {2cb15d1d-5fc1-11d2-abe1-00a0c911f518} */
    [ETW_PROVIDER_IMAGE] = {0x1d, 0x5d, 0xb1, 0x2c, 0xc1, 0x5f, 0xd2, 0x11, 0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18},
};

static const char *const provider_names[] = {
    [ETW_PROVIDER_OTHER] = "Other",
    [ETW_PROVIDER_TCPIP] = "TcpIp",
    [ETW_PROVIDER_UDPIP] = "UdpIp",
    [ETW_PROVIDER_KERNEL_NETWORK] = "Microsoft-Windows-Kernel-Network",
    [ETW_PROVIDER_PROCESS] = "Process",
    [ETW_PROVIDER_IMAGE] = "Image",
};

#define PROVIDER_COUNT (sizeof provider_guids / sizeof provider_guids[0])

etw_provider etw_provider_from_guid(const uint8_t guid[16])
{
    for (etw_provider p = ETW_PROVIDER_TCPIP; p < PROVIDER_COUNT; p++)
        if (memcmp(guid, provider_guids[p], 16) == 0)
            return p;
    return ETW_PROVIDER_OTHER;
}

const uint8_t *etw_provider_guid(etw_provider provider)
{
    if (provider == ETW_PROVIDER_OTHER || provider >= PROVIDER_COUNT)
        return NULL;
    return provider_guids[provider];
}

const char *etw_provider_name(etw_provider provider)
{
    return provider < PROVIDER_COUNT ? provider_names[provider] : provider_names[ETW_PROVIDER_OTHER];
}

bool etw_filetime_to_unix_us(uint64_t filetime, uint64_t *unix_us)
{
    uint64_t us = filetime / 10;
    if (us < ETW_FILETIME_UNIX_EPOCH_US)
        return false;
    *unix_us = us - ETW_FILETIME_UNIX_EPOCH_US;
    return true;
}

uint64_t etw_unix_us_to_filetime(uint64_t unix_us)
{
    return (unix_us + ETW_FILETIME_UNIX_EPOCH_US) * 10;
}

static uint64_t round4(uint64_t n) { return (n + 3) & ~(uint64_t)3; }

/* Clips [off, off+want) to the record; when it has to, that is a problem of the length field at
 * length_at, named name. */
static void clip_span(etw_record *rec, ps_span *span, uint64_t off, uint32_t want, size_t record_len,
                      etw_record_problem code, size_t length_at, const char *name)
{
    if (off > record_len)
        off = record_len;
    span->off = (size_t)off;
    span->len = (size_t)(want <= record_len - off ? want : record_len - off);
    if (span->len != want)
        ps_problems_add(&rec->problems, code, length_at, 4,
                        "%s %" PRIu32 " points past the end of the %zu-byte record", name, want, record_len);
}

void etw_event_header_read(const uint8_t *buf, etw_record *rec)
{
    rec->size = ps_le16(buf);
    rec->header_type = ps_le16(buf + 2);
    rec->flags = ps_le16(buf + 4);
    rec->event_property = ps_le16(buf + 6);
    rec->thread_id = ps_le32(buf + 8);
    rec->process_id = ps_le32(buf + 12);
    rec->timestamp = ps_le64(buf + 16);
    memcpy(rec->provider_id, buf + 24, 16);
    rec->id = ps_le16(buf + 40);
    rec->version = buf[42];
    rec->channel = buf[43];
    rec->level = buf[44];
    rec->opcode = buf[45];
    rec->task = ps_le16(buf + 46);
    rec->keyword = ps_le64(buf + 48);
    rec->processor_time = ps_le64(buf + 56);
    memcpy(rec->activity_id, buf + 64, 16);
}

bool etw_record_parse(const uint8_t *buf, size_t len, etw_record *rec)
{
    memset(rec, 0, sizeof *rec);
    if (len < ETW_HEADER_SIZE) {
        ps_problems_add(&rec->problems, ETW_REC_SHORT_HEADER, 0, len,
                        "Record of %zu bytes is too short for the %d-byte ETW header", len, ETW_HEADER_SIZE);
        return false;
    }
    etw_event_header_read(buf, rec);
    rec->processor_number = buf[80];
    rec->alignment = buf[81];
    rec->logger_id = ps_le16(buf + 82);
    rec->user_data_length = ps_le32(buf + 84);
    rec->message_length = ps_le32(buf + 88);
    rec->provider_name_length = ps_le32(buf + 92);

    uint64_t off = ETW_HEADER_SIZE;
    clip_span(rec, &rec->user_data, off, rec->user_data_length, len, ETW_REC_USERDATA_OVERFLOW, 84, "UserDataLength");
    off += round4(rec->user_data_length);
    clip_span(rec, &rec->message, off, rec->message_length, len, ETW_REC_MESSAGE_OVERFLOW, 88, "MessageLength");
    off += round4(rec->message_length);
    clip_span(rec, &rec->provider_name, off, rec->provider_name_length, len, ETW_REC_PROVIDER_NAME_OVERFLOW, 92,
              "ProviderNameLength");
    return true;
}

size_t etw_record_size(size_t user_data_len, size_t message_len, size_t provider_name_len)
{
    return ETW_HEADER_SIZE + (size_t)round4(user_data_len) + (size_t)round4(message_len) +
           (size_t)round4(provider_name_len);
}

size_t etw_record_build(uint8_t *out, const etw_record_fields *f, const uint8_t *user_data,
                        size_t user_data_len, const uint8_t *message, size_t message_len,
                        const uint8_t *provider_name, size_t provider_name_len)
{
    size_t total = etw_record_size(user_data_len, message_len, provider_name_len);
    memset(out, 0, total);
    ps_put_le16(out, (uint16_t)(total > UINT16_MAX ? UINT16_MAX : total));
    ps_put_le16(out + 2, f->header_type);
    ps_put_le16(out + 4, f->flags);
    ps_put_le16(out + 6, f->event_property);
    ps_put_le32(out + 8, f->thread_id);
    ps_put_le32(out + 12, f->process_id);
    ps_put_le64(out + 16, f->timestamp);
    memcpy(out + 24, f->provider_id, 16);
    ps_put_le16(out + 40, f->id);
    out[42] = f->version;
    out[43] = f->channel;
    out[44] = f->level;
    out[45] = f->opcode;
    ps_put_le16(out + 46, f->task);
    ps_put_le64(out + 48, f->keyword);
    ps_put_le64(out + 56, f->processor_time);
    memcpy(out + 64, f->activity_id, 16);
    out[80] = f->processor_number;
    ps_put_le16(out + 82, f->logger_id);
    ps_put_le32(out + 84, (uint32_t)user_data_len);
    ps_put_le32(out + 88, (uint32_t)message_len);
    ps_put_le32(out + 92, (uint32_t)provider_name_len);
    size_t off = ETW_HEADER_SIZE;
    if (user_data_len)
        memcpy(out + off, user_data, user_data_len);
    off += (size_t)round4(user_data_len);
    if (message_len)
        memcpy(out + off, message, message_len);
    off += (size_t)round4(message_len);
    if (provider_name_len)
        memcpy(out + off, provider_name, provider_name_len);
    return total;
}
