/* backend/quicklist: the list value, a doubly linked list of lpack nodes
 * (Redis's quicklist). A small list is a single node, so it costs one
 * packed array plus two small headers; past the per-node limit the list
 * grows by nodes, and every end operation touches one node only.
 *
 * fill is Redis's list-max-listpack-size: negative -1..-5 limits a node to
 * 4/8/16/32/64 KB, positive limits it to that many elements (with an 8 KB
 * safety cap on bytes). Elements are byte strings; lpack stores integer
 * strings compactly.
 *
 * Values read out (struct lp_val) point into a node: they are valid until
 * the next modification of the list. */
#ifndef SHOAL_QUICKLIST_H
#define SHOAL_QUICKLIST_H

#include <stddef.h>

#include "backend/lpack.h"

struct ql_node {
    struct ql_node *prev, *next;
    unsigned char *lp;
};

struct quicklist {
    struct ql_node *head, *tail;
    size_t count;      /* elements */
    size_t nodes;
    int fill;
};

enum { QL_HEAD = 0, QL_TAIL = 1 };

/* A position: a node and an element offset in its pack. */
struct ql_pos {
    struct ql_node *node;
    size_t off;
};

struct quicklist *ql_create(int fill);
void ql_destroy(struct quicklist **ql);
struct quicklist *ql_dup(const struct quicklist *ql);
static inline size_t ql_count(const struct quicklist *ql) { return ql->count; }
/* Bytes held (allocation sizes), for MEMORY USAGE. */
size_t ql_mem(const struct quicklist *ql);

void ql_push(struct quicklist *ql, int where, const char *s, size_t len);
/* Reads the element at an end; 0 if the list is empty. */
int ql_peek(const struct quicklist *ql, int where, struct lp_val *v);
/* Removes n elements from an end (fewer if the list is shorter). */
void ql_pop(struct quicklist *ql, int where, size_t n);

/* Position of the element at index (negative from the tail); 0 if out of
 * range. */
int ql_seek(const struct quicklist *ql, long long index, struct ql_pos *pos);
/* Moves to the next (QL_TAIL) or previous (QL_HEAD) element; 0 at the end. */
int ql_step(struct ql_pos *pos, int dir);
static inline void ql_get(const struct ql_pos *pos, struct lp_val *v) { lp_get(pos->node->lp, pos->off, v); }

void ql_replace(struct quicklist *ql, struct ql_pos *pos, const char *s, size_t len);
/* Inserts before (after = 0) or after the element at pos. */
void ql_insert(struct quicklist *ql, const struct ql_pos *pos, const char *s, size_t len, int after);
/* Deletes the element at pos and moves pos to the element that followed it
 * in direction dir; returns 0 if there is none. */
int ql_delete_at(struct quicklist *ql, struct ql_pos *pos, int dir);
/* Deletes the elements with index in [start, start+n). */
void ql_delete_range(struct quicklist *ql, size_t start, size_t n);

/* Checks the structure (counts, links); for tests. 1 if well formed. */
int ql_validate(const struct quicklist *ql);

#endif
