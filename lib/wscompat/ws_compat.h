/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The differences between the Wireshark versions procshark builds against (4.0, 4.4, 4.6; 4.2 is
 * expected to build but untested), in one place. Code is written to the newest API's shape; older
 * versions get a wrapper here. Everything is keyed on ws_version.h, never on a feature probe. */
#ifndef PROCSHARK_WS_COMPAT_H
#define PROCSHARK_WS_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <ws_version.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>

#define PS_WS_AT_LEAST(major, minor)                                                                          \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                                                     \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#if !PS_WS_AT_LEAST(4, 0) || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR % 2 == 1) ||          \
    WIRESHARK_VERSION_MAJOR > 4 || WIRESHARK_VERSION_MINOR > 6
#error "procshark supports Wireshark 4.0, 4.2, 4.4 and 4.6 (CMakeLists.txt checks this first)"
#endif

/* The boolean Wireshark's API takes and returns (preference variables, wmem callbacks): gboolean
 * (an int) until 4.0, bool since 4.2. */
#if PS_WS_AT_LEAST(4, 2)
typedef bool ps_ws_bool;
#else
typedef gboolean ps_ws_bool;
#endif

/* A field_info's value: a pointer since 4.2, a member before. */
#if PS_WS_AT_LEAST(4, 2)
#define PS_FIELD_FVALUE(fi) ((fi)->value)
#else
#define PS_FIELD_FVALUE(fi) (&(fi)->value)
#endif

/* Plugins describe their kind since 4.2 (`tshark -G plugins` shows it); before, nothing. The
 * plugin's entry file says PS_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR). */
#if PS_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#define PS_PLUGIN_DESCRIBE(kinds)                                                                              \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);                                                              \
    uint32_t plugin_describe(void) { return (kinds); }
#else
#define PS_PLUGIN_DESCRIBE(kinds) _Static_assert(1, "no plugin_describe before 4.2");
#endif

/* ws_log_init lost its program name in 4.6. */
static inline void ps_ws_log_init(void)
{
#if PS_WS_AT_LEAST(4, 6)
    ws_log_init(NULL);
#else
    ws_log_init(g_get_prgname(), NULL);
#endif
}

/* A wiretap record and its bytes. Since 4.6 the bytes live in the wtap_rec (rec.data); before,
 * wtap_read filled a Buffer beside it. */
typedef struct {
    wtap_rec rec;
#if !PS_WS_AT_LEAST(4, 6)
    Buffer data;
#endif
} ps_wtap_record;

static inline void ps_wtap_record_init(ps_wtap_record *r, size_t space)
{
#if PS_WS_AT_LEAST(4, 6)
    wtap_rec_init(&r->rec, space);
#else
    wtap_rec_init(&r->rec);
    ws_buffer_init(&r->data, space);
#endif
}

static inline void ps_wtap_record_cleanup(ps_wtap_record *r)
{
    wtap_rec_cleanup(&r->rec);
#if !PS_WS_AT_LEAST(4, 6)
    ws_buffer_free(&r->data);
#endif
}

static inline Buffer *ps_wtap_record_buffer(ps_wtap_record *r)
{
#if PS_WS_AT_LEAST(4, 6)
    return &r->rec.data;
#else
    return &r->data;
#endif
}

static inline bool ps_wtap_read(wtap *wth, ps_wtap_record *r, int *err, char **err_info, int64_t *offset)
{
#if PS_WS_AT_LEAST(4, 6)
    return wtap_read(wth, &r->rec, err, err_info, offset);
#else
    gint64 off = -1;
    gboolean ok = wtap_read(wth, &r->rec, &r->data, err, err_info, &off);
    *offset = off;
    return ok;
#endif
}

/* An empty record with no bytes, as wtap_rec_init makes one. */
static inline void ps_wtap_rec_init(wtap_rec *rec)
{
#if PS_WS_AT_LEAST(4, 6)
    wtap_rec_init(rec, 0);
#else
    wtap_rec_init(rec);
#endif
}

/* dst takes src's header and block (src's block becomes NULL), or a zeroed header when src is
 * NULL; dst keeps its own buffers, which a plain struct copy would share. */
static inline void ps_wtap_rec_move_header(wtap_rec *dst, wtap_rec *src)
{
    Buffer options = dst->options_buf;
#if PS_WS_AT_LEAST(4, 6)
    Buffer data = dst->data;
#endif
    if (src) {
        *dst = *src;
        src->block = NULL;
    } else {
        memset(dst, 0, sizeof *dst);
    }
    dst->options_buf = options;
#if PS_WS_AT_LEAST(4, 6)
    dst->data = data;
#endif
}

/* Writes rec with these bytes; since 4.6 wtap_dump takes them from rec->data, so they are copied
 * into scratch (a Buffer the caller keeps, to allocate once) and the record is written from there. */
static inline bool ps_wtap_dump(wtap_dumper *dumper, const wtap_rec *rec, const uint8_t *bytes, size_t len,
                                Buffer *scratch, int *err, char **err_info)
{
#if PS_WS_AT_LEAST(4, 6)
    wtap_rec copy = *rec;
    ws_buffer_clean(scratch);
    ws_buffer_append(scratch, bytes, len);
    copy.data = *scratch;
    bool ok = wtap_dump(dumper, &copy, err, err_info);
    *scratch = copy.data;
    return ok;
#else
    (void)len;
    (void)scratch;
    return wtap_dump(dumper, rec, bytes, err, err_info);
#endif
}

/* The effective process macOS's pktap wrote on a packet (pcapng option 0x8003, the index of a Darwin
 * Process Information Block in the packet's section): since 4.6 wiretap keeps those blocks and epan
 * looks them up. Wireshark 4.6 registers frame.darwin.process_info.epid but fills it in no tree
 * (4.6.9 writes the effective process only into the item's text), so it is read here. Before 4.6
 * wiretap skipped the blocks: there is none. */
#if PS_WS_AT_LEAST(4, 6)
#include <epan/epan.h>
#endif
struct epan_session;
static inline bool ps_darwin_effective_process(struct epan_session *session, const wtap_rec *rec, uint32_t *pid,
                                               const char **name)
{
#if PS_WS_AT_LEAST(4, 6)
    uint32_t index;
    if (!rec->block ||
        wtap_block_get_uint32_option_value(rec->block, OPT_PKT_DARWIN_EFFECTIVE_PIB_ID, &index) != WTAP_OPTTYPE_SUCCESS)
        return false;
    const unsigned section = rec->presence_flags & WTAP_HAS_SECTION_NUMBER ? rec->section_number : 0;
    const int32_t id = epan_get_process_id(session, index, section);
    if (id < 0)
        return false;
    *pid = (uint32_t)id;
    *name = epan_get_process_name(session, index, section);
    return true;
#else
    (void)session;
    (void)rec;
    (void)pid;
    (void)name;
    return false;
#endif
}

/* The length of a syscall record's data: event_filelen until 4.4, the buffered bytes since 4.6. */
static inline uint32_t ps_wtap_syscall_len(const wtap_rec *rec)
{
#if PS_WS_AT_LEAST(4, 6)
    return (uint32_t)ws_buffer_length(&rec->data);
#else
    return rec->rec_header.syscall_header.event_filelen;
#endif
}

#endif
