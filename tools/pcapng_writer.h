/* Writes pcapng through wiretap: interfaces declared up front, then records in the order given. */
#ifndef PCAPNG_WRITER_H
#define PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int wtap_encap;          /* WTAP_ENCAP_* */
    const char *name;        /* if_name */
    const char *description; /* if_description, may be NULL */
} pcapng_interface;

typedef struct pcapng_writer pcapng_writer;

/* Starts wiretap once per process. */
void pcapng_writer_init_library(const char *progname);

/* NULL on failure, with *error set to a message to g_free(). */
pcapng_writer *pcapng_writer_open(const char *path, const pcapng_interface *interfaces, size_t count,
                                  char **error);

/* ts_ns: nanoseconds since the Unix epoch. comment may be NULL. */
bool pcapng_writer_write(pcapng_writer *w, unsigned interface_id, int64_t ts_ns, const uint8_t *data,
                         size_t len, const char *comment, char **error);

/* Flushes and closes; false (with *error) when the file could not be completed. Always frees w. */
bool pcapng_writer_close(pcapng_writer *w, char **error);

#endif
