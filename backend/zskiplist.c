/* backend/zskiplist.c: the skip list of large sorted sets (see the header).
 *
 * Levels are drawn with p = 1/4 from a private xorshift generator (the
 * shape of the list never shows in a reply, so any fair coin will do and
 * this one is cheap). Every operation descends from the top level keeping
 * update[] (the last node before the position on each level) and rank[]
 * (how many nodes those predecessors are from the header), which is all
 * insertion and deletion need to fix forward links and spans. */
#include "backend/zskiplist.h"

#include <string.h>

#include "lib/mem.h"

int zsl_cmp_ele(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0) return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

static uint64_t zsl_rng_state = 0x9e3779b97f4a7c15ULL;

static int zsl_random_level(void)
{
    int level = 1;
    for (;;) {
        uint64_t x = zsl_rng_state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        zsl_rng_state = x;
        /* 32 pairs of bits; each pair is 0 with probability 1/4 */
        for (int i = 0; i < 32; i++, x >>= 2) {
            if ((x & 3) != 0) return level;
            if (++level >= ZSL_MAXLEVEL) return ZSL_MAXLEVEL;
        }
    }
}

static struct zsl_node *node_create(int height, double score, const char *ele, size_t len)
{
    size_t sz = sizeof(struct zsl_node) + (size_t)height * sizeof(struct zsl_level) + len;
    struct zsl_node *n = mem_alloc(sz);
    n->score = score;
    n->backward = NULL;
    n->len = (uint32_t)len;
    n->height = (uint8_t)height;
    if (len) memcpy((char *)&n->level[height], ele, len);
    return n;
}

void zsl_init(struct zsl *z)
{
    z->header = node_create(ZSL_MAXLEVEL, 0, NULL, 0);
    for (int i = 0; i < ZSL_MAXLEVEL; i++) {
        z->header->level[i].forward = NULL;
        z->header->level[i].span = 0;
    }
    z->tail = NULL;
    z->length = 0;
    z->level = 1;
}

void zsl_deinit(struct zsl *z)
{
    struct zsl_node *n = z->header ? z->header->level[0].forward : NULL;
    while (n) {
        struct zsl_node *next = n->level[0].forward;
        mem_free(n);
        n = next;
    }
    mem_free(z->header);
    z->header = z->tail = NULL;
    z->length = 0;
}

/* Does node n sort before (score, ele)? */
static inline int sorts_before(const struct zsl_node *n, double score, const char *ele, size_t len)
{
    return n->score < score ||
           (n->score == score && zsl_cmp_ele(zsl_node_ele(n), n->len, ele, len) < 0);
}

/* Fills update[] with the predecessors of (score, ele) on every level and,
 * if rank is given, their distance from the header. */
static void find_update(struct zsl *z, double score, const char *ele, size_t len,
                        struct zsl_node **update, unsigned long *rank)
{
    struct zsl_node *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        if (rank) rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward && sorts_before(x->level[i].forward, score, ele, len)) {
            if (rank) rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
}

/* Links node x (of x->height levels) after the predecessors found. */
static void link_node(struct zsl *z, struct zsl_node *x, struct zsl_node **update, unsigned long *rank)
{
    int height = x->height;
    if (height > z->level) {
        for (int i = z->level; i < height; i++) {
            rank[i] = 0;
            update[i] = z->header;
            update[i]->level[i].span = z->length;
        }
        z->level = height;
    }
    for (int i = 0; i < height; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = height; i < z->level; i++) update[i]->level[i].span++;
    x->backward = update[0] == z->header ? NULL : update[0];
    if (x->level[0].forward) x->level[0].forward->backward = x;
    else z->tail = x;
    z->length++;
}

struct zsl_node *zsl_insert(struct zsl *z, double score, const char *ele, size_t len)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    unsigned long rank[ZSL_MAXLEVEL];
    find_update(z, score, ele, len, update, rank);
    struct zsl_node *x = node_create(zsl_random_level(), score, ele, len);
    link_node(z, x, update, rank);
    return x;
}

static void unlink_node(struct zsl *z, struct zsl_node *x, struct zsl_node **update)
{
    for (int i = 0; i < z->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward;
    else z->tail = x->backward;
    while (z->level > 1 && z->header->level[z->level - 1].forward == NULL) z->level--;
    z->length--;
}

void zsl_delete(struct zsl *z, double score, const char *ele, size_t len)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    find_update(z, score, ele, len, update, NULL);
    struct zsl_node *x = update[0]->level[0].forward;
    if (x == NULL || x->score != score || zsl_cmp_ele(zsl_node_ele(x), x->len, ele, len) != 0) return;
    unlink_node(z, x, update);
    mem_free(x);
}

struct zsl_node *zsl_update_score(struct zsl *z, struct zsl_node *x, double newscore)
{
    /* still in order with its neighbours: change the score in place */
    if ((x->backward == NULL || x->backward->score < newscore) &&
        (x->level[0].forward == NULL || x->level[0].forward->score > newscore)) {
        x->score = newscore;
        return x;
    }
    struct zsl_node *update[ZSL_MAXLEVEL];
    unsigned long rank[ZSL_MAXLEVEL];
    find_update(z, x->score, zsl_node_ele(x), x->len, update, NULL);
    unlink_node(z, x, update);
    /* the node keeps its height and member; only its place changes */
    x->score = newscore;
    find_update(z, newscore, zsl_node_ele(x), x->len, update, rank);
    link_node(z, x, update, rank);
    return x;
}

unsigned long zsl_rank(struct zsl *z, double score, const char *ele, size_t len)
{
    struct zsl_node *x = z->header;
    unsigned long rank = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               (x->level[i].forward->score < score ||
                (x->level[i].forward->score == score &&
                 zsl_cmp_ele(zsl_node_ele(x->level[i].forward), x->level[i].forward->len, ele, len) <= 0))) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x != z->header && x->score == score && zsl_cmp_ele(zsl_node_ele(x), x->len, ele, len) == 0)
            return rank;
    }
    return 0;
}

struct zsl_node *zsl_by_rank(struct zsl *z, unsigned long rank)
{
    if (rank == 0 || rank > z->length) return NULL;
    struct zsl_node *x = z->header;
    unsigned long traversed = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

unsigned long zsl_count_before(struct zsl *z, zsl_pred *before, const void *arg)
{
    struct zsl_node *x = z->header;
    unsigned long rank = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward && before(x->level[i].forward, arg)) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
    }
    return rank;
}

void zsl_delete_rank_range(struct zsl *z, unsigned long start, unsigned long end,
                           void (*on_delete)(void *priv, struct zsl_node *n), void *priv)
{
    struct zsl_node *update[ZSL_MAXLEVEL];
    struct zsl_node *x = z->header;
    unsigned long traversed = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span < start) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    traversed++;
    x = x->level[0].forward;
    while (x && traversed <= end) {
        struct zsl_node *next = x->level[0].forward;
        unlink_node(z, x, update);
        if (on_delete) on_delete(priv, x);
        mem_free(x);
        traversed++;
        x = next;
    }
}

size_t zsl_mem(const struct zsl *z)
{
    size_t n = mem_usable(z->header);
    for (struct zsl_node *x = z->header->level[0].forward; x; x = x->level[0].forward)
        n += mem_usable(x);
    return n;
}
