/* backend/quicklist: see quicklist.h.
 *
 * Node size policy follows Redis's: a push goes into the end node while the
 * node stays under its limit, otherwise a new node is linked. A middle
 * insert (LINSERT) goes into its node and splits the node in two halves
 * when it passes the limit. Nodes emptied by deletions are unlinked at
 * once, so no node is ever empty. */
#include "backend/quicklist.h"

#include <string.h>

#include "lib/mem.h"

#define QL_SAFETY_LIMIT 8192
static const size_t ql_size_levels[] = {4096, 8192, 16384, 32768, 65536};

static int fill_clamp(int fill)
{
    if (fill < -5) return -5;
    if (fill > 1 << 15) return 1 << 15;
    return fill;
}

/* 1 if a node of `bytes` bytes and `count` elements is within the limit. */
static int node_fits(const struct quicklist *ql, size_t bytes, size_t count)
{
    if (ql->fill < 0) return bytes <= ql_size_levels[-ql->fill - 1];
    if (bytes > QL_SAFETY_LIMIT) return 0;
    return count <= (size_t)ql->fill;
}

static int node_allows_insert(const struct quicklist *ql, const struct ql_node *n, size_t len)
{
    if (n == NULL) return 0;
    size_t overhead = (len < 64 ? 1 : len < 4096 ? 2 : 5) + (len < 128 ? 1 : len < 16384 ? 2 : 3);
    return node_fits(ql, lp_bytes(n->lp) + len + overhead, lp_count(n->lp) + 1);
}

struct quicklist *ql_create(int fill)
{
    struct quicklist *ql = mem_calloc(sizeof(*ql));
    ql->fill = fill_clamp(fill);
    return ql;
}

static struct ql_node *node_new(unsigned char *lp)
{
    struct ql_node *n = mem_calloc(sizeof(*n));
    n->lp = lp ? lp : lp_create();
    return n;
}

static void node_free(struct ql_node *n)
{
    lp_destroy(&n->lp);
    mem_free(n);
}

void ql_destroy(struct quicklist **qlp)
{
    struct quicklist *ql = *qlp;
    if (ql == NULL) return;
    for (struct ql_node *n = ql->head, *next; n; n = next) {
        next = n->next;
        node_free(n);
    }
    mem_free(ql);
    *qlp = NULL;
}

/* Links n after `after` (NULL: at the head). */
static void node_link_after(struct quicklist *ql, struct ql_node *after, struct ql_node *n)
{
    n->prev = after;
    n->next = after ? after->next : ql->head;
    if (n->next) n->next->prev = n;
    else ql->tail = n;
    if (after) after->next = n;
    else ql->head = n;
    ql->nodes++;
}

static void node_unlink(struct quicklist *ql, struct ql_node *n)
{
    if (n->prev) n->prev->next = n->next;
    else ql->head = n->next;
    if (n->next) n->next->prev = n->prev;
    else ql->tail = n->prev;
    ql->nodes--;
    node_free(n);
}

struct quicklist *ql_dup(const struct quicklist *ql)
{
    struct quicklist *d = ql_create(ql->fill);
    for (struct ql_node *n = ql->head; n; n = n->next)
        node_link_after(d, d->tail, node_new(lp_dup(n->lp)));
    d->count = ql->count;
    return d;
}

size_t ql_mem(const struct quicklist *ql)
{
    size_t bytes = mem_usable((void *)ql);
    for (struct ql_node *n = ql->head; n; n = n->next) bytes += mem_usable(n) + mem_usable(n->lp);
    return bytes;
}

void ql_push(struct quicklist *ql, int where, const char *s, size_t len)
{
    struct ql_node *n = where == QL_HEAD ? ql->head : ql->tail;
    if (!node_allows_insert(ql, n, len)) {
        n = node_new(NULL);
        node_link_after(ql, where == QL_HEAD ? NULL : ql->tail, n);
    }
    n->lp = where == QL_HEAD ? lp_prepend(n->lp, s, len) : lp_append(n->lp, s, len);
    ql->count++;
}

int ql_peek(const struct quicklist *ql, int where, struct lp_val *v)
{
    if (ql->count == 0) return 0;
    if (where == QL_HEAD) lp_get(ql->head->lp, lp_first(ql->head->lp), v);
    else lp_get(ql->tail->lp, lp_last(ql->tail->lp), v);
    return 1;
}

void ql_pop(struct quicklist *ql, int where, size_t n)
{
    while (n > 0 && ql->count > 0) {
        struct ql_node *node = where == QL_HEAD ? ql->head : ql->tail;
        size_t c = lp_count(node->lp);
        if (n >= c) {
            node_unlink(ql, node);
            ql->count -= c;
            n -= c;
            continue;
        }
        node->lp = lp_delete_range(node->lp, where == QL_HEAD ? 0 : (long long)(c - n), n);
        ql->count -= n;
        n = 0;
    }
}

int ql_seek(const struct quicklist *ql, long long index, struct ql_pos *pos)
{
    if (index < 0) index += (long long)ql->count;
    if (index < 0 || (size_t)index >= ql->count) return 0;
    size_t i = (size_t)index;
    struct ql_node *n;
    if (i < ql->count / 2) {
        for (n = ql->head; i >= lp_count(n->lp); n = n->next) i -= lp_count(n->lp);
    } else {
        size_t back = ql->count - 1 - i;    /* index from the tail */
        for (n = ql->tail; back >= lp_count(n->lp); n = n->prev) back -= lp_count(n->lp);
        i = lp_count(n->lp) - 1 - back;
    }
    pos->node = n;
    pos->off = lp_seek(n->lp, (long long)i);
    return 1;
}

int ql_step(struct ql_pos *pos, int dir)
{
    struct ql_node *n = pos->node;
    size_t off = dir == QL_TAIL ? lp_next(n->lp, pos->off) : lp_prev(n->lp, pos->off);
    if (off) {
        pos->off = off;
        return 1;
    }
    n = dir == QL_TAIL ? n->next : n->prev;
    if (n == NULL) return 0;
    pos->node = n;
    pos->off = dir == QL_TAIL ? lp_first(n->lp) : lp_last(n->lp);
    return 1;
}

void ql_replace(struct quicklist *ql, struct ql_pos *pos, const char *s, size_t len)
{
    (void)ql;
    pos->node->lp = lp_replace(pos->node->lp, pos->off, s, len);
}

/* Moves the second half of n's elements into a new node linked after n. */
static void node_split(struct quicklist *ql, struct ql_node *n)
{
    size_t c = lp_count(n->lp), keep = c / 2;
    unsigned char *tail = lp_dup(n->lp);
    tail = lp_delete_range(tail, 0, keep);
    n->lp = lp_delete_range(n->lp, (long long)keep, c - keep);
    node_link_after(ql, n, node_new(tail));
}

void ql_insert(struct quicklist *ql, const struct ql_pos *pos, const char *s, size_t len, int after)
{
    struct ql_node *n = pos->node;
    n->lp = lp_insert(n->lp, pos->off, s, len, after);
    ql->count++;
    if (lp_count(n->lp) > 1 && !node_fits(ql, lp_bytes(n->lp), lp_count(n->lp))) node_split(ql, n);
}

int ql_delete_at(struct quicklist *ql, struct ql_pos *pos, int dir)
{
    struct ql_node *n = pos->node;
    ql->count--;
    if (lp_count(n->lp) == 1) {
        struct ql_node *to = dir == QL_TAIL ? n->next : n->prev;
        node_unlink(ql, n);
        if (to == NULL) return 0;
        pos->node = to;
        pos->off = dir == QL_TAIL ? lp_first(to->lp) : lp_last(to->lp);
        return 1;
    }
    int last = lp_next(n->lp, pos->off) == 0;
    size_t prev = lp_prev(n->lp, pos->off);
    n->lp = lp_delete(n->lp, pos->off, 1);
    if (dir == QL_TAIL && !last) return 1;           /* the next element moved to off */
    if (dir == QL_HEAD && prev) {
        pos->off = prev;
        return 1;
    }
    struct ql_node *to = dir == QL_TAIL ? n->next : n->prev;
    if (to == NULL) return 0;
    pos->node = to;
    pos->off = dir == QL_TAIL ? lp_first(to->lp) : lp_last(to->lp);
    return 1;
}

void ql_delete_range(struct quicklist *ql, size_t start, size_t n)
{
    struct ql_node *node = ql->head;
    while (node && start >= lp_count(node->lp)) {
        start -= lp_count(node->lp);
        node = node->next;
    }
    while (node && n > 0) {
        struct ql_node *next = node->next;
        size_t c = lp_count(node->lp);
        size_t k = c - start < n ? c - start : n;
        if (k == c) node_unlink(ql, node);
        else node->lp = lp_delete_range(node->lp, (long long)start, k);
        ql->count -= k;
        n -= k;
        start = 0;
        node = next;
    }
}

int ql_validate(const struct quicklist *ql)
{
    size_t count = 0, nodes = 0;
    const struct ql_node *prev = NULL;
    for (const struct ql_node *n = ql->head; n; prev = n, n = n->next) {
        if (n->prev != prev || lp_count(n->lp) == 0) return 0;
        count += lp_count(n->lp);
        nodes++;
    }
    return prev == ql->tail && count == ql->count && nodes == ql->nodes;
}
