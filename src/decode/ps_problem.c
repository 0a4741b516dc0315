/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ps_problem.h"

#include <stdarg.h>

void ps_problems_add(ps_problems *list, int code, size_t offset, size_t length, const char *fmt, ...)
{
    if (!list)
        return;
    if (!list->items)
        list->items = g_array_new(FALSE, FALSE, sizeof(ps_problem));
    va_list ap;
    va_start(ap, fmt);
    ps_problem p = {code, offset, length, g_strdup_vprintf(fmt, ap)};
    va_end(ap);
    g_array_append_val(list->items, p);
}

void ps_problems_clear(ps_problems *list)
{
    if (!list->items)
        return;
    for (guint i = 0; i < list->items->len; i++)
        g_free(g_array_index(list->items, ps_problem, i).message);
    g_array_free(list->items, TRUE);
    list->items = NULL;
}

size_t ps_problems_count(const ps_problems *list)
{
    return list->items ? list->items->len : 0;
}

const ps_problem *ps_problems_at(const ps_problems *list, size_t i)
{
    return i < ps_problems_count(list) ? &g_array_index(list->items, ps_problem, i) : NULL;
}

const ps_problem *ps_problems_first(const ps_problems *list)
{
    return ps_problems_at(list, 0);
}

bool ps_problems_has(const ps_problems *list, int code)
{
    for (size_t i = 0; i < ps_problems_count(list); i++)
        if (ps_problems_at(list, i)->code == code)
            return true;
    return false;
}
