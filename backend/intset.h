/* backend/intset: a sorted array of distinct integers, the compact
 * encoding of a set whose members are all integers (Redis's intset).
 *
 * Every element has the width of the widest one (2, 4 or 8 bytes); adding
 * a value that needs more bytes widens the whole array once, and it never
 * narrows again (as Redis). Lookups are binary searches; adds and removes
 * move the tail, which is cheap at the sizes a set stays an intset for
 * (set-max-intset-entries, 512 by default). Functions that change the size
 * may reallocate and return the new pointer. */
#ifndef SHOAL_INTSET_H
#define SHOAL_INTSET_H

#include <stddef.h>
#include <stdint.h>

struct intset;

struct intset *intset_create(void);
void intset_destroy(struct intset **is);
struct intset *intset_dup(const struct intset *is);

/* Adds v; *added is 1 if it was not present. Returns the (maybe moved) set. */
struct intset *intset_add(struct intset *is, int64_t v, int *added);
/* Removes v; *removed is 1 if it was present. Returns the (maybe moved) set. */
struct intset *intset_remove(struct intset *is, int64_t v, int *removed);
int intset_find(const struct intset *is, int64_t v);

uint32_t intset_len(const struct intset *is);
/* The element at pos (0 <= pos < len), in ascending order. */
int64_t intset_get(const struct intset *is, uint32_t pos);
/* Bytes of the allocation (MEMORY USAGE). */
size_t intset_bytes(const struct intset *is);
/* Element width in bytes (2, 4 or 8). */
unsigned intset_width(const struct intset *is);

#endif
