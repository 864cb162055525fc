/* backend/rdb_codec: Redis's collection containers as stored in RDB files
 * (ziplist: RDB types 10, 12, 13 and quicklist 14 nodes; listpack: 16, 17,
 * 20 and quicklist 18 nodes; intset: 11), decoded into their elements. */
#ifndef SHOAL_RDB_CODEC_H
#define SHOAL_RDB_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* One element: a string (p, len), or, when p is NULL, the integer v.
 * Non-zero stops the walk (the caller's error). */
typedef int rdb_elem_visit_fn(void *priv, const char *p, size_t len, long long v);

/* Each returns 0 after visiting every element, -1 when the container is
 * malformed or fn stopped it. n is the container's size in bytes. */
int rdb_ziplist_each(const unsigned char *zl, size_t n, rdb_elem_visit_fn *fn, void *priv);
int rdb_listpack_each(const unsigned char *lp, size_t n, rdb_elem_visit_fn *fn, void *priv);
int rdb_intset_each(const unsigned char *is, size_t n, rdb_elem_visit_fn *fn, void *priv);

#endif
