/* backend/t_hash: what other modules may read of a hash (SORT's ->field,
 * the snapshot writer). */
#ifndef SHOAL_T_HASH_H
#define SHOAL_T_HASH_H

#include <stddef.h>

#include "backend/lpack.h"

struct entry;

/* The value of field f of hash entry e into v (v->p may point into v->buf
 * for integers, or into the hash, valid until it changes); 1, or 0 if the
 * field is missing. */
int hash_get_field(const struct entry *e, const char *f, size_t flen, struct lp_val *v);

/* Called with each field and value (valid only during the call); a
 * non-zero return stops the walk. The hash must not change meanwhile. */
typedef int hash_field_fn(void *priv, const char *f, size_t flen, const char *v, size_t vlen);

size_t hash_entry_size(const struct entry *e);
/* Visits the fields of an OBJ_HASH entry in its iteration order. */
void hash_entry_foreach(const struct entry *e, hash_field_fn *fn, void *priv);

#endif
