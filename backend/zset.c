/* backend/zset.c: the sorted-set value (see zset.h for the two encodings
 * and why everything is expressed in ranks).
 *
 * Listpack code walks member/score pairs; a pair's position is the offset
 * of its member. Scores are kept as the text Redis's d2string writes so a
 * listpack reads back exactly the doubles it was given (and -0 comes back
 * as 0, as it does in Redis's listpacks). The skiplist side keeps the
 * node pointer in the dict, so a score lookup is one probe. */
#include "backend/zset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/entry.h"
#include "backend/lpack.h"
#include "backend/server.h"
#include "lib/dict.h"
#include "lib/mem.h"

/* ------------------------------------------------------------ utilities */

int zset_score_str(char *buf, double score)
{
    if (isinf(score)) return sprintf(buf, "%s", score > 0 ? "inf" : "-inf");
    if (score == 0) return sprintf(buf, "0");
    if (score > -4503599627370495.0 && score < 4503599627370496.0 && score == (double)(long long)score)
        return sprintf(buf, "%lld", (long long)score);
    return snprintf(buf, 32, "%.17g", score);
}

static const char *node_key(const void *entry, size_t *klen)
{
    const struct zsl_node *n = entry;
    *klen = n->len;
    return zsl_node_ele(n);
}

static const struct dict_type zset_dict_type = {node_key, 0};

static struct zset_big *big_create(void)
{
    struct zset_big *z = mem_alloc(sizeof(*z));
    z->dict = dict_create(&zset_dict_type);
    zsl_init(&z->zsl);
    return z;
}

static void big_destroy(struct zset_big **zp)
{
    struct zset_big *z = *zp;
    if (z == NULL) return;
    dict_destroy(&z->dict);     /* the nodes belong to the skip list */
    zsl_deinit(&z->zsl);
    mem_free(z);
    *zp = NULL;
}

static void big_insert(struct zset_big *z, double score, const char *m, size_t len)
{
    struct zsl_node *n = zsl_insert(&z->zsl, score, m, len);
    dict_add(z->dict, n);
}

/* ------------------------------------------------------------- listpack */

static double lpz_score_at(const unsigned char *lp, size_t off)
{
    struct lp_val v;
    lp_get(lp, off, &v);
    if (v.is_int) return (double)v.ll;
    char buf[64];
    size_t n = v.len < sizeof(buf) - 1 ? v.len : sizeof(buf) - 1;
    memcpy(buf, v.p, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

/* Offset of the member's pair, 0 if absent. */
static size_t lpz_find(const unsigned char *lp, const char *m, size_t len, double *score)
{
    size_t off = lp_first(lp);
    if (off == 0) return 0;
    off = lp_find(lp, off, m, len, 1);
    if (off && score) *score = lpz_score_at(lp, lp_next(lp, off));
    return off;
}

static unsigned char *lpz_insert(unsigned char *lp, const char *m, size_t len, double score)
{
    char sbuf[32];
    int slen = zset_score_str(sbuf, score);
    for (size_t off = lp_first(lp); off; ) {
        size_t soff = lp_next(lp, off);
        double s = lpz_score_at(lp, soff);
        int after = s > score;
        if (s == score) {
            struct lp_val v;
            lp_get(lp, off, &v);
            after = zsl_cmp_ele(v.p, v.len, m, len) > 0;
        }
        if (after) {
            lp = lp_insert(lp, off, m, len, 0);
            return lp_insert(lp, off, sbuf, (size_t)slen, 1);
        }
        off = lp_next(lp, soff);
    }
    lp = lp_append(lp, m, len);
    return lp_append(lp, sbuf, (size_t)slen);
}

/* ------------------------------------------------------------ the value */

struct entry *zset_create(const char *key, size_t klen, int skiplist)
{
    if (skiplist) return entry_create_ptr(key, klen, OBJ_ZSET, ENC_SKIPLIST, big_create());
    return entry_create_ptr(key, klen, OBJ_ZSET, ENC_LISTPACK, lp_create());
}

size_t zset_len(const struct entry *e)
{
    if (e->enc == ENC_LISTPACK) return lp_count(entry_ptr(e)) / 2;
    return ((struct zset_big *)entry_ptr(e))->zsl.length;
}

int zset_score(const struct entry *e, const char *m, size_t len, double *score)
{
    if (e->enc == ENC_LISTPACK) return lpz_find(entry_ptr(e), m, len, score) ? 0 : -1;
    struct zset_big *z = entry_ptr(e);
    struct zsl_node *n = dict_find(z->dict, m, len);
    if (n == NULL) return -1;
    *score = n->score;
    return 0;
}

int zset_fits_listpack(size_t count, size_t maxelelen)
{
    return (long long)count <= server.cfg.zset_max_listpack_entries &&
           (long long)maxelelen <= server.cfg.zset_max_listpack_value;
}

/* What ZADD's options make of an update from cur to *score: -1 NaN,
 * 0 leave it (NOP), 1 write *score. */
static int add_decide(double cur, double *score, int in, int *out)
{
    if (in & ZADD_IN_NX) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    if (in & ZADD_IN_INCR) {
        *score += cur;
        if (isnan(*score)) {
            *out |= ZADD_OUT_NAN;
            return -1;
        }
    }
    if (((in & ZADD_IN_LT) && *score >= cur) || ((in & ZADD_IN_GT) && *score <= cur)) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    return 1;
}

static int add_listpack(struct entry *e, double score, const char *m, size_t len, int in, int *out,
                        double *newscore)
{
    unsigned char *lp = entry_ptr(e);
    double cur;
    size_t off = lpz_find(lp, m, len, &cur);
    if (off) {
        int d = add_decide(cur, &score, in, out);
        if (d <= 0) return d;
        if (newscore) *newscore = score;
        if (score != cur) {
            lp = lp_delete(lp, off, 2);
            entry_set_ptr(e, lpz_insert(lp, m, len, score));
            *out |= ZADD_OUT_UPDATED;
        }
        return 0;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    if (!zset_fits_listpack(lp_count(lp) / 2 + 1, len)) {
        zset_convert_to_skiplist(e);
        return 1;   /* the caller retries on the skiplist */
    }
    entry_set_ptr(e, lpz_insert(lp, m, len, score));
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 0;
}

static int add_skiplist(struct entry *e, double score, const char *m, size_t len, int in, int *out,
                        double *newscore)
{
    struct zset_big *z = entry_ptr(e);
    struct zsl_node *n = dict_find(z->dict, m, len);
    if (n) {
        int d = add_decide(n->score, &score, in, out);
        if (d <= 0) return d;
        if (newscore) *newscore = score;
        if (score != n->score) {
            zsl_update_score(&z->zsl, n, score);
            *out |= ZADD_OUT_UPDATED;
        }
        return 0;
    }
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 0;
    }
    big_insert(z, score, m, len);
    if (newscore) *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 0;
}

int zset_add(struct entry *e, double score, const char *m, size_t len, int in, int *out, double *newscore)
{
    *out = 0;
    if (isnan(score)) {
        *out = ZADD_OUT_NAN;
        return -1;
    }
    if (e->enc == ENC_LISTPACK) {
        int r = add_listpack(e, score, m, len, in, out, newscore);
        if (r <= 0) return r;
    }
    return add_skiplist(e, score, m, len, in, out, newscore);
}

int zset_del(struct entry *e, const char *m, size_t len)
{
    if (e->enc == ENC_LISTPACK) {
        unsigned char *lp = entry_ptr(e);
        size_t off = lpz_find(lp, m, len, NULL);
        if (off == 0) return 0;
        entry_set_ptr(e, lp_delete(lp, off, 2));
        return 1;
    }
    struct zset_big *z = entry_ptr(e);
    struct zsl_node *n = dict_delete(z->dict, m, len);
    if (n == NULL) return 0;
    zsl_delete(&z->zsl, n->score, m, len);
    return 1;
}

long zset_rank(const struct entry *e, const char *m, size_t len, int reverse, double *score)
{
    size_t count = zset_len(e);
    long rank = -1;
    if (e->enc == ENC_LISTPACK) {
        const unsigned char *lp = entry_ptr(e);
        long i = 0;
        for (size_t off = lp_first(lp); off; off = lp_next(lp, lp_next(lp, off)), i++) {
            if (lp_eq(lp, off, m, len)) {
                if (score) *score = lpz_score_at(lp, lp_next(lp, off));
                rank = i;
                break;
            }
        }
    } else {
        struct zset_big *z = entry_ptr(e);
        struct zsl_node *n = dict_find(z->dict, m, len);
        if (n == NULL) return -1;
        if (score) *score = n->score;
        rank = (long)zsl_rank(&z->zsl, n->score, m, len) - 1;
    }
    if (rank < 0) return -1;
    return reverse ? (long)count - 1 - rank : rank;
}

/* --------------------------------------------------------------- ranges */

/* Redis's zslParseRange for one bound: strtod over a C string (so an
 * argument ends at its first NUL and "" reads as 0), '(' for exclusive,
 * NaN refused. */
static int parse_score_bound(const char *p, size_t len, double *v, int *ex)
{
    char buf[256];
    const char *nul = memchr(p, '\0', len);
    if (nul) len = (size_t)(nul - p);
    char *s = len < sizeof(buf) ? buf : mem_alloc(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    *ex = s[0] == '(';
    char *end;
    *v = strtod(s + *ex, &end);
    int ok = *end == '\0' && !isnan(*v);
    if (s != buf) mem_free(s);
    return ok ? 0 : -1;
}

int zset_parse_score_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                           struct zrange_score *r)
{
    if (parse_score_bound(min, minlen, &r->min, &r->minex) < 0) return -1;
    if (parse_score_bound(max, maxlen, &r->max, &r->maxex) < 0) return -1;
    return 0;
}

static int parse_lex_bound(const char *p, size_t len, struct zlex_bound *b)
{
    b->ex = 0;
    b->p = NULL;
    b->len = 0;
    if (len == 0) return -1;
    switch (p[0]) {
    case '+':
        if (len != 1) return -1;
        b->kind = ZLEX_POS_INF;
        return 0;
    case '-':
        if (len != 1) return -1;
        b->kind = ZLEX_NEG_INF;
        return 0;
    case '(':
    case '[':
        b->kind = ZLEX_VALUE;
        b->ex = p[0] == '(';
        b->p = p + 1;
        b->len = len - 1;
        return 0;
    default:
        return -1;
    }
}

int zset_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                         struct zrange_lex *r)
{
    if (parse_lex_bound(min, minlen, &r->min) < 0) return -1;
    if (parse_lex_bound(max, maxlen, &r->max) < 0) return -1;
    return 0;
}

int zset_score_gte_min(double v, const struct zrange_score *r)
{
    return r->minex ? v > r->min : v >= r->min;
}

int zset_score_lte_max(double v, const struct zrange_score *r)
{
    return r->maxex ? v < r->max : v <= r->max;
}

/* Compares a member with a lex bound: <0, 0, >0. */
static int lex_cmp(const char *p, size_t len, const struct zlex_bound *b)
{
    if (b->kind == ZLEX_NEG_INF) return 1;
    if (b->kind == ZLEX_POS_INF) return -1;
    return zsl_cmp_ele(p, len, b->p, b->len);
}

int zset_lex_gte_min(const char *p, size_t len, const struct zrange_lex *r)
{
    int c = lex_cmp(p, len, &r->min);
    return r->min.ex ? c > 0 : c >= 0;
}

int zset_lex_lte_max(const char *p, size_t len, const struct zrange_lex *r)
{
    int c = lex_cmp(p, len, &r->max);
    return r->max.ex ? c < 0 : c <= 0;
}

static int pred_below_min(const struct zsl_node *n, const void *arg)
{
    return !zset_score_gte_min(n->score, arg);
}

static int pred_lte_max(const struct zsl_node *n, const void *arg)
{
    return zset_score_lte_max(n->score, arg);
}

static int pred_lex_below_min(const struct zsl_node *n, const void *arg)
{
    return !zset_lex_gte_min(zsl_node_ele(n), n->len, arg);
}

static int pred_lex_lte_max(const struct zsl_node *n, const void *arg)
{
    return zset_lex_lte_max(zsl_node_ele(n), n->len, arg);
}

/* Listpack span: the first element accepted by `in_min`, then those after
 * it accepted by `in_max` (Redis's zzlFirstIn*Range + walk). */
static void lp_span(const unsigned char *lp, int lex, const void *r, size_t *start, size_t *end)
{
    size_t i = 0, off = lp_first(lp);
    int started = 0;
    *start = *end = 0;
    for (; off; off = lp_next(lp, lp_next(lp, off)), i++) {
        struct lp_val v;
        double s = 0;
        if (lex) lp_get(lp, off, &v);
        else s = lpz_score_at(lp, lp_next(lp, off));
        if (!started) {
            if (!(lex ? zset_lex_gte_min(v.p, v.len, r) : zset_score_gte_min(s, r))) continue;
            started = 1;
            *start = i;
        }
        if (!(lex ? zset_lex_lte_max(v.p, v.len, r) : zset_score_lte_max(s, r))) break;
    }
    *end = started ? i : 0;
}

void zset_score_span(const struct entry *e, const struct zrange_score *r, size_t *start, size_t *end)
{
    if (e->enc == ENC_LISTPACK) {
        lp_span(entry_ptr(e), 0, r, start, end);
        return;
    }
    struct zset_big *z = entry_ptr(e);
    *start = zsl_count_before(&z->zsl, pred_below_min, r);
    *end = zsl_count_before(&z->zsl, pred_lte_max, r);
    if (*end < *start) *end = *start;
}

void zset_lex_span(const struct entry *e, const struct zrange_lex *r, size_t *start, size_t *end)
{
    if (e->enc == ENC_LISTPACK) {
        lp_span(entry_ptr(e), 1, r, start, end);
        return;
    }
    struct zset_big *z = entry_ptr(e);
    *start = zsl_count_before(&z->zsl, pred_lex_below_min, r);
    *end = zsl_count_before(&z->zsl, pred_lex_lte_max, r);
    if (*end < *start) *end = *start;
}

static void on_node_delete(void *priv, struct zsl_node *n)
{
    struct zset_big *z = priv;
    dict_delete(z->dict, zsl_node_ele(n), n->len);
}

void zset_delete_ranks(struct entry *e, size_t start, size_t end)
{
    if (end <= start) return;
    if (e->enc == ENC_LISTPACK) {
        unsigned char *lp = entry_ptr(e);
        entry_set_ptr(e, lp_delete_range(lp, (long long)start * 2, (end - start) * 2));
        return;
    }
    struct zset_big *z = entry_ptr(e);
    zsl_delete_rank_range(&z->zsl, start + 1, end, on_node_delete, z);
}

/* ------------------------------------------------------------ iteration */

void zs_iter_init(struct zs_iter *it, const struct entry *e, size_t rank, int rev)
{
    it->e = e;
    it->rev = rev;
    it->lp = NULL;
    it->off = 0;
    it->node = NULL;
    if (rank >= zset_len(e)) return;
    if (e->enc == ENC_LISTPACK) {
        it->lp = entry_ptr(e);
        it->off = lp_seek(it->lp, (long long)rank * 2);
    } else {
        struct zset_big *z = entry_ptr(e);
        it->node = zsl_by_rank(&z->zsl, rank + 1);
    }
}

int zs_iter_next(struct zs_iter *it, struct zs_elem *out)
{
    if (it->e->enc == ENC_LISTPACK) {
        if (it->off == 0) return 0;
        struct lp_val v;
        lp_get(it->lp, it->off, &v);
        if (v.is_int) {
            memcpy(out->buf, v.buf, v.len + 1);
            out->p = out->buf;
        } else {
            out->p = v.p;
        }
        out->len = v.len;
        size_t soff = lp_next(it->lp, it->off);
        out->score = lpz_score_at(it->lp, soff);
        if (it->rev) {
            size_t prev = lp_prev(it->lp, it->off);
            it->off = prev ? lp_prev(it->lp, prev) : 0;
        } else {
            it->off = lp_next(it->lp, soff);
        }
        return 1;
    }
    if (it->node == NULL) return 0;
    out->p = zsl_node_ele(it->node);
    out->len = it->node->len;
    out->score = it->node->score;
    it->node = it->rev ? it->node->backward : it->node->level[0].forward;
    return 1;
}

/* ---------------------------------------------------------- conversions */

void zset_convert_to_skiplist(struct entry *e)
{
    if (e->enc != ENC_LISTPACK) return;
    unsigned char *lp = entry_ptr(e);
    struct zset_big *z = big_create();
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, e, 0, 0);
    while (zs_iter_next(&it, &el)) big_insert(z, el.score, el.p, el.len);
    lp_destroy(&lp);
    entry_set_ptr(e, z);
    e->enc = ENC_SKIPLIST;
}

static void convert_to_listpack(struct entry *e)
{
    struct zset_big *z = entry_ptr(e);
    unsigned char *lp = lp_create();
    for (struct zsl_node *n = z->zsl.header->level[0].forward; n; n = n->level[0].forward) {
        char sbuf[32];
        int slen = zset_score_str(sbuf, n->score);
        lp = lp_append(lp, zsl_node_ele(n), n->len);
        lp = lp_append(lp, sbuf, (size_t)slen);
    }
    big_destroy(&z);
    entry_set_ptr(e, lp);
    e->enc = ENC_LISTPACK;
}

void zset_fit_encoding(struct entry *e, size_t maxelelen)
{
    int fits = zset_fits_listpack(zset_len(e), maxelelen);
    if (e->enc == ENC_SKIPLIST && fits) convert_to_listpack(e);
    else if (e->enc == ENC_LISTPACK && !fits) zset_convert_to_skiplist(e);
}

/* ------------------------------------------------------ entry type hooks */

static void zset_free_value(void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) {
        unsigned char *lp = ptr;
        lp_destroy(&lp);
    } else {
        struct zset_big *z = ptr;
        big_destroy(&z);
    }
}

static void *zset_dup_value(const void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) return lp_dup(ptr);
    const struct zset_big *src = ptr;
    struct zset_big *z = big_create();
    for (struct zsl_node *n = src->zsl.header->level[0].forward; n; n = n->level[0].forward)
        big_insert(z, n->score, zsl_node_ele(n), n->len);
    return z;
}

static size_t zset_mem_value(const void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) return mem_usable((void *)ptr);
    const struct zset_big *z = ptr;
    return mem_usable((void *)z) + dict_mem_bytes(z->dict) + zsl_mem(&z->zsl);
}

static size_t zset_count_value(const void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) return lp_count(ptr) / 2;
    return ((const struct zset_big *)ptr)->zsl.length;
}

static const struct entry_type_ops zset_ops = {
    zset_free_value, zset_dup_value, zset_mem_value, zset_count_value,
};

__attribute__((constructor)) static void zset_register(void)
{
    entry_register_type(OBJ_ZSET, &zset_ops);
}
