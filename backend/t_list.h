/* backend/t_list: the list type (LPUSH ... BLMPOP, t_list.c). What other
 * modules need of a list value: its length, its elements in order from
 * either end, and a new list built element by element (SORT reads lists
 * and stores its result as one). */
#ifndef SHOAL_T_LIST_H
#define SHOAL_T_LIST_H

#include <stddef.h>

struct entry;

/* Called with each element's bytes (valid only during the call); a
 * non-zero return stops the walk. The list must not change meanwhile. */
typedef int list_visit_fn(void *priv, const char *p, size_t len);

/* Number of elements of an OBJ_LIST entry. */
size_t list_entry_len(const struct entry *e);
/* Visits up to count elements from index start: counted from the head and
 * walking towards the tail, or, when reverse, counted from the tail and
 * walking towards the head. Nothing when start is past the end. */
void list_entry_range(const struct entry *e, size_t start, size_t count, int reverse, list_visit_fn *fn,
                      void *priv);
/* A new empty list entry for key (encoding quicklist with the configured
 * node size), in no database yet: fill it with list_entry_push, then
 * db_add or db_overwrite it (an empty list must never be stored). */
struct entry *list_entry_create(const char *key, size_t klen);
/* Appends an element at the tail. */
void list_entry_push(struct entry *e, const char *p, size_t len);

#endif
