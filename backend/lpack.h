/* backend/lpack: a packed array of elements in one allocation, the compact
 * encoding of small hashes, sets, sorted sets and of each node of a list
 * (Redis calls its equivalent listpack). Elements are byte strings; those
 * that are integers by util_str2ll's rules are stored as integers in
 * fewer bytes. Each element records its own size at both ends so the pack
 * walks in both directions.
 *
 * Positions are byte offsets into the pack (0 means "none": the header
 * lives at offset 0), so they stay meaningful only until the next call
 * that may reallocate (the modifying calls return the new pointer). */
#ifndef SHOAL_LPACK_H
#define SHOAL_LPACK_H

#include <stddef.h>
#include <stdint.h>

/* An element as bytes. For integers, p points into buf. */
struct lp_val {
    const char *p;
    size_t len;
    int is_int;
    long long ll;
    char buf[24];
};

unsigned char *lp_create(void);
void lp_destroy(unsigned char **lp);
unsigned char *lp_dup(const unsigned char *lp);
size_t lp_count(const unsigned char *lp);       /* O(1) */
size_t lp_bytes(const unsigned char *lp);       /* O(1), the allocation's used size */

/* Walking: offsets of elements, 0 when there is none. */
size_t lp_first(const unsigned char *lp);
size_t lp_last(const unsigned char *lp);
size_t lp_next(const unsigned char *lp, size_t off);
size_t lp_prev(const unsigned char *lp, size_t off);
/* Element at index (negative: from the end); 0 if out of range. */
size_t lp_seek(const unsigned char *lp, long long index);

void lp_get(const unsigned char *lp, size_t off, struct lp_val *v);
/* 1 if the element at off equals s (byte-wise; integers compare by value
 * when s is an integer string). */
int lp_eq(const unsigned char *lp, size_t off, const char *s, size_t len);
/* First element at or after off equal to s, looking at every (skip+1)th
 * element (skip 1 over field/value pairs); 0 if none. */
size_t lp_find(const unsigned char *lp, size_t off, const char *s, size_t len, unsigned skip);

/* Modifications; each may reallocate and returns the pack to use. */
unsigned char *lp_append(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len);
unsigned char *lp_append_ll(unsigned char *lp, long long v);
/* Inserts s before (after = 0) or after (after = 1) the element at off;
 * off 0 (no element) appends. */
unsigned char *lp_insert(unsigned char *lp, size_t off, const char *s, size_t len, int after);
unsigned char *lp_replace(unsigned char *lp, size_t off, const char *s, size_t len);
/* Deletes n elements starting at off (fewer if the pack ends first). */
unsigned char *lp_delete(unsigned char *lp, size_t off, size_t n);
/* Deletes the elements with index in [start, start+n). */
unsigned char *lp_delete_range(unsigned char *lp, long long start, size_t n);

/* Bytes the element at off takes in the pack (header, payload, back-length). */
size_t lp_elem_bytes(const unsigned char *lp, size_t off);
/* 1 if the pack is well formed (every element's sizes agree, the count and
 * total match); for tests and debugging, O(n). */
int lp_validate(const unsigned char *lp);

#endif
