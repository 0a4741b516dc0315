/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a decoder found wrong with its input, the one way every decoder reports it: a list of
 * problems, each with the decoder's own code (so that a caller picks an expert info or a message by
 * it, not by parsing text), where in the input it lies, and a sentence ready to be shown. How it is
 * shown is the caller's: the plugin makes expert infos of them, the importer rejection lines. */
#ifndef PS_PROBLEM_H
#define PS_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* The problem has no place in the input: it is about all of it, or about a value the caller
 * holds (a record header field, a JSON member, whose place the parse does not keep). */
#define PS_NO_OFFSET SIZE_MAX

typedef struct {
    int code;      /* a value of the decoder's own problem enumeration; 0 when it has none */
    size_t offset; /* bytes from the start of the decoder's input, or PS_NO_OFFSET */
    size_t length; /* bytes concerned from offset; 0 when unknown */
    char *message; /* g_malloc'd, human-readable */
} ps_problem;

/* All zero bytes ({0}, memset, g_new0) is the empty list. The array is made by the first problem:
 * decoding a clean input, the common case, allocates nothing. */
typedef struct {
    GArray *items; /* of ps_problem, in the order they were found; NULL while empty */
} ps_problems;

/* Appends a problem. A NULL list takes none, for callers that only want the answer (a probe). */
void ps_problems_add(ps_problems *list, int code, size_t offset, size_t length, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

/* Frees every problem; the list is empty again and may be reused. */
void ps_problems_clear(ps_problems *list);

size_t ps_problems_count(const ps_problems *list);
/* The i-th problem, NULL past the end. */
const ps_problem *ps_problems_at(const ps_problems *list, size_t i);
/* The first problem, NULL when there is none: why a parse that gave up did. */
const ps_problem *ps_problems_first(const ps_problems *list);
bool ps_problems_has(const ps_problems *list, int code);

#endif
