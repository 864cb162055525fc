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

#endif
