/* backend/zskiplist: the ordered half of a large sorted set, a skip list
 * ordered by (score, member bytes) with a span on every link so ranks are
 * O(log n) (Pugh's skip list with Redis's two extensions: equal scores
 * ordered by member, a backward link on level 0 for reverse walks).
 *
 * A node is one allocation holding its levels and then the member bytes,
 * so the hash half of the sorted set (lib/dict) stores node pointers and
 * reads the member out of the node: a member costs one block, not three. */
#ifndef SHOAL_ZSKIPLIST_H
#define SHOAL_ZSKIPLIST_H

#include <stddef.h>
#include <stdint.h>

#define ZSL_MAXLEVEL 32

struct zsl_node {
    double score;
    struct zsl_node *backward;
    uint32_t len;                   /* member bytes, stored after level[] */
    uint8_t height;
    struct zsl_level {
        struct zsl_node *forward;
        unsigned long span;
    } level[];
};

struct zsl {
    struct zsl_node *header, *tail;
    unsigned long length;
    int level;
};

static inline const char *zsl_node_ele(const struct zsl_node *n)
{
    return (const char *)&n->level[n->height];
}

/* Byte-wise member order (a shorter prefix sorts first), Redis's sdscmp. */
int zsl_cmp_ele(const char *a, size_t alen, const char *b, size_t blen);

void zsl_init(struct zsl *z);
/* Frees every node (not the struct zsl itself). */
void zsl_deinit(struct zsl *z);
/* Inserts a member that is not present; returns its node. */
struct zsl_node *zsl_insert(struct zsl *z, double score, const char *ele, size_t len);
/* Unlinks the node with this score and member (which must exist) and frees it. */
void zsl_delete(struct zsl *z, double score, const char *ele, size_t len);
/* Moves an existing member to a new score; returns its (maybe new) node. */
struct zsl_node *zsl_update_score(struct zsl *z, struct zsl_node *n, double newscore);
/* 1-based rank of the node with this score and member, 0 if absent. */
unsigned long zsl_rank(struct zsl *z, double score, const char *ele, size_t len);
/* Node at a 1-based rank, NULL if out of range. */
struct zsl_node *zsl_by_rank(struct zsl *z, unsigned long rank);
/* Number of nodes that sort before the first node `pass` accepts, where
 * pass(node) is monotonic (false ... false true ... true); for ranges. */
typedef int zsl_pred(const struct zsl_node *n, const void *arg);
unsigned long zsl_count_before(struct zsl *z, zsl_pred *before, const void *arg);
/* Deletes the nodes of 1-based ranks [start, end], calling on_delete on
 * each before it is freed (the sorted set drops it from its dict). */
void zsl_delete_rank_range(struct zsl *z, unsigned long start, unsigned long end,
                           void (*on_delete)(void *priv, struct zsl_node *n), void *priv);
/* Bytes held by the nodes (allocation sizes). */
size_t zsl_mem(const struct zsl *z);

#endif
