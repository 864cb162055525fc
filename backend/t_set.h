/* backend/t_set: the set type (SADD ... SSCAN). What other modules need
 * of a set value: its size and its members (SORT reads them). */
#ifndef SHOAL_T_SET_H
#define SHOAL_T_SET_H

#include <stddef.h>

struct entry;

/* Called with each member's bytes (valid only during the call); a
 * non-zero return stops the walk. The set must not change meanwhile. */
typedef int set_visit_fn(void *priv, const char *p, size_t len);

size_t set_entry_size(const struct entry *e);
/* Visits the members of an OBJ_SET entry in its iteration order
 * (ascending for an intset, table order for a hashtable). */
void set_entry_foreach(const struct entry *e, set_visit_fn *fn, void *priv);

#endif
