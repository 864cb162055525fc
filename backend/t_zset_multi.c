/* backend/t_zset_multi.c: the sorted-set commands over several keys or
 * several elements at once: ZUNION/ZINTER/ZDIFF and their STORE forms,
 * ZPOPMIN/ZPOPMAX/ZMPOP (and the pop step the blocking forms reuse), and
 * ZRANDMEMBER, as Redis 7.0.
 *
 * Set operations accumulate into a skiplist-encoded sorted set (O(log n)
 * per element whatever the input sizes), then the result is either
 * replied in order or stored after fitting its encoding the way Redis's
 * zsetConvertToListpackIfNeeded does. Plain sets are accepted as inputs
 * (every member scores 1): they are read through t_set.h into a temporary
 * sorted set so the algorithms see one kind of input. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/args.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "backend/t_set.h"
#include "backend/t_zset.h"
#include "backend/zset.h"
#include "lib/mem.h"
#include "lib/util.h"

enum zop { ZOP_UNION, ZOP_INTER, ZOP_DIFF };
enum zagg { ZAGG_SUM, ZAGG_MIN, ZAGG_MAX };

struct zop_src {
    struct entry *e;        /* NULL: missing key (empty) */
    int temp;               /* e was built from a set: destroy after */
    double weight;
};

static int set_to_zset(void *priv, const char *p, size_t len)
{
    int out;
    zset_add(priv, 1.0, p, len, 0, &out, NULL);
    return 0;
}

static struct entry *zset_from_set(const struct entry *set)
{
    struct entry *z = zset_create("", 0, 1);
    set_entry_foreach(set, set_to_zset, z);
    return z;
}

static void srcs_free(struct zop_src *src, long n)
{
    for (long i = 0; i < n; i++)
        if (src[i].temp) entry_destroy(&src[i].e);
    mem_free(src);
}

/* Reads numkeys and the keys (WRONGTYPE stops at the first bad key, before
 * the options are looked at, as Redis). Returns the sources or NULL. */
static struct zop_src *zop_read_keys(struct client *c, int ni, int store, long long *setnum)
{
    if (tz_long_or_reply(c, ni, setnum) < 0) return NULL;
    if (*setnum < 1) {
        reply_errorf(c, "at least 1 input key is needed for '%s' command", c->cmd->fullname);
        return NULL;
    }
    if (*setnum > c->argc - (ni + 1)) {
        reply_error(c, ERR_SYNTAX);
        return NULL;
    }
    struct zop_src *src = mem_calloc(sizeof(*src) * (size_t)*setnum);
    for (long i = 0; i < *setnum; i++) {
        const struct arg *k = &c->argv[ni + 1 + i];
        struct entry *e = store ? db_lookup_write(c->db, k->p, k->len) : db_lookup_read(c->db, k->p, k->len);
        src[i].weight = 1.0;
        if (e == NULL) continue;
        if (e->type != OBJ_ZSET && e->type != OBJ_SET) {
            reply_error(c, ERR_WRONGTYPE);
            srcs_free(src, i);
            return NULL;
        }
        src[i].e = e->type == OBJ_SET ? zset_from_set(e) : e;
        src[i].temp = e->type == OBJ_SET;
    }
    return src;
}

static int zop_options_or_reply(struct client *c, int j, enum zop op, int store, struct zop_src *src,
                                long setnum, enum zagg *agg, int *withscores)
{
    while (j < c->argc) {
        int remaining = c->argc - j;
        if (op != ZOP_DIFF && remaining >= setnum + 1 && tz_opt_is(c, j, "weights")) {
            j++;
            for (long i = 0; i < setnum; i++, j++) {
                if (util_str2d(c->argv[j].p, c->argv[j].len, &src[i].weight) < 0) {
                    reply_error(c, "weight value is not a float");
                    return -1;
                }
            }
        } else if (op != ZOP_DIFF && remaining >= 2 && tz_opt_is(c, j, "aggregate")) {
            j++;
            if (tz_opt_is(c, j, "sum")) *agg = ZAGG_SUM;
            else if (tz_opt_is(c, j, "min")) *agg = ZAGG_MIN;
            else if (tz_opt_is(c, j, "max")) *agg = ZAGG_MAX;
            else {
                reply_error(c, ERR_SYNTAX);
                return -1;
            }
            j++;
        } else if (!store && tz_opt_is(c, j, "withscores")) {
            j++;
            *withscores = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

static size_t src_len(const struct zop_src *s) { return s->e ? zset_len(s->e) : 0; }

/* Smallest first, keeping the given order among equals (weights travel
 * with their set). */
static void srcs_sort(struct zop_src *src, long n)
{
    for (long i = 1; i < n; i++) {
        struct zop_src t = src[i];
        long j = i - 1;
        for (; j >= 0 && src_len(&src[j]) > src_len(&t); j--) src[j + 1] = src[j];
        src[j + 1] = t;
    }
}

static double aggregate(enum zagg agg, double acc, double v)
{
    if (agg == ZAGG_SUM) {
        acc += v;
        return isnan(acc) ? 0.0 : acc;    /* inf + -inf */
    }
    if (agg == ZAGG_MIN) return v < acc ? v : acc;
    return v > acc ? v : acc;
}

static double weighted(double score, double weight)
{
    double v = score * weight;
    return isnan(v) ? 0.0 : v;             /* inf * 0 */
}

static void result_put(struct entry *dst, const struct zs_elem *el, double score, size_t *maxlen)
{
    int out;
    zset_add(dst, score, el->p, el->len, 0, &out, NULL);
    if (el->len > *maxlen) *maxlen = el->len;
}

static void zop_union(struct entry *dst, struct zop_src *src, long n, enum zagg agg, size_t *maxlen)
{
    for (long i = 0; i < n; i++) {
        if (src[i].e == NULL) continue;
        struct zs_iter it;
        struct zs_elem el;
        zs_iter_init(&it, src[i].e, 0, 0);
        while (zs_iter_next(&it, &el)) {
            double v = weighted(el.score, src[i].weight), cur;
            if (zset_score(dst, el.p, el.len, &cur) == 0) {
                v = aggregate(agg, cur, v);
                /* -0 + 0 is +0, but zset_add keeps a score that compares
                 * equal: store the new zero's sign as Redis's accumulator does */
                if (v == cur && signbit(v) != signbit(cur)) zset_del(dst, el.p, el.len);
            }
            result_put(dst, &el, v, maxlen);
        }
    }
}

static void zop_inter(struct entry *dst, struct zop_src *src, long n, enum zagg agg, size_t *maxlen)
{
    if (src[0].e == NULL) return;
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, src[0].e, 0, 0);
    while (zs_iter_next(&it, &el)) {
        double v = weighted(el.score, src[0].weight);
        long j = 1;
        for (; j < n; j++) {
            double s;
            if (src[j].e == NULL || zset_score(src[j].e, el.p, el.len, &s) < 0) break;
            v = aggregate(agg, v, weighted(s, src[j].weight));
        }
        if (j == n) result_put(dst, &el, v, maxlen);
    }
}

static void zop_diff(struct entry *dst, struct zop_src *src, long n, size_t *maxlen)
{
    if (src[0].e == NULL) return;
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, src[0].e, 0, 0);
    while (zs_iter_next(&it, &el)) {
        long j = 1;
        double s;
        for (; j < n; j++)
            if (src[j].e && zset_score(src[j].e, el.p, el.len, &s) == 0) break;
        if (j == n) result_put(dst, &el, el.score, maxlen);
    }
}

static void zop_reply(struct client *c, struct entry *res, int withscores)
{
    size_t n = zset_len(res);
    reply_array(c, (long long)(withscores && c->resp < 3 ? n * 2 : n));
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, res, 0, 0);
    while (zs_iter_next(&it, &el)) tz_reply_elem(c, &el, withscores);
}

static void zop_store(struct client *c, struct entry *res, size_t maxlen)
{
    const struct arg *k = &c->argv[1];
    struct entry *old = db_lookup_write(c->db, k->p, k->len);
    size_t n = zset_len(res);
    if (n == 0) {
        entry_destroy(&res);
        if (old) db_delete(c->db, k->p, k->len);
        reply_int(c, 0);
        return;
    }
    zset_fit_encoding(res, maxlen);
    if (old) db_overwrite(c->db, old, res);
    else db_add(c->db, res);
    tz_signal_added(c, k->p, k->len);
    reply_int(c, (long long)n);
}

/* ni: index of numkeys; store: argv[1] is the destination. */
static void zop_generic(struct client *c, int ni, int store, enum zop op)
{
    long long setnum;
    struct zop_src *src = zop_read_keys(c, ni, store, &setnum);
    if (src == NULL) return;
    enum zagg agg = ZAGG_SUM;
    int withscores = 0;
    if (zop_options_or_reply(c, ni + 1 + (int)setnum, op, store, src, (long)setnum, &agg, &withscores) < 0) {
        srcs_free(src, (long)setnum);
        return;
    }
    if (op != ZOP_DIFF) srcs_sort(src, (long)setnum);
    const struct arg *k = &c->argv[1];
    struct entry *res = zset_create(store ? k->p : "", store ? k->len : 0, 1);
    size_t maxlen = 0;
    if (op == ZOP_UNION) zop_union(res, src, (long)setnum, agg, &maxlen);
    else if (op == ZOP_INTER) zop_inter(res, src, (long)setnum, agg, &maxlen);
    else zop_diff(res, src, (long)setnum, &maxlen);
    srcs_free(src, (long)setnum);
    if (store) {
        zop_store(c, res, maxlen);
    } else {
        zop_reply(c, res, withscores);
        entry_destroy(&res);
    }
}

void cmd_zunion(struct client *c) { zop_generic(c, 1, 0, ZOP_UNION); }
void cmd_zinter(struct client *c) { zop_generic(c, 1, 0, ZOP_INTER); }
void cmd_zdiff(struct client *c) { zop_generic(c, 1, 0, ZOP_DIFF); }
void cmd_zunionstore(struct client *c) { zop_generic(c, 2, 1, ZOP_UNION); }
void cmd_zinterstore(struct client *c) { zop_generic(c, 2, 1, ZOP_INTER); }
void cmd_zdiffstore(struct client *c) { zop_generic(c, 2, 1, ZOP_DIFF); }

/* ------------------------------------------------------------------ pops */

void tz_pop_reply(struct client *c, struct entry *e, int max, long long count, int emitkey, int nested)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    long long llen = (long long)zset_len(e);
    long long n = count > llen ? llen : count;
    if (!nested && !emitkey) {
        reply_array(c, n * 2);
    } else if (nested && !emitkey) {
        reply_array(c, n);
    } else if (!nested) {
        reply_array(c, n * 2 + 1);
        reply_bulk(c, key, klen);
    } else {
        reply_array(c, 2);
        reply_bulk(c, key, klen);
        reply_array(c, n);
    }
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, e, max ? (size_t)(llen - 1) : 0, max);
    for (long long i = 0; i < n && zs_iter_next(&it, &el); i++) {
        if (nested) reply_array(c, 2);
        reply_bulk(c, el.p, el.len);
        reply_double(c, el.score);
    }
    if (max) zset_delete_ranks(e, (size_t)(llen - n), (size_t)llen);
    else zset_delete_ranks(e, 0, (size_t)n);
    tz_after_delete(c, e);
}

/* The first non-empty sorted set among argv[first..first+n); NULL with
 * *err set when a key holds another type (replied). */
struct entry *tz_first_nonempty(struct client *c, int first, long n, int *err)
{
    *err = 0;
    for (long i = 0; i < n; i++) {
        struct entry *e = tz_lookup(c, first + (int)i, 1, err);
        if (*err) return NULL;
        if (e) return e;
    }
    return NULL;
}

static void zpop_minmax(struct client *c, int max)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    long long count = 1;
    if (c->argc == 3 &&
        args_range_ll_or_reply(c, &c->argv[2], 0, LLONG_MAX, &count, "value is out of range, must be positive") < 0)
        return;
    int err;
    struct entry *e = tz_lookup(c, 1, 1, &err);
    if (err) return;
    if (e == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    tz_pop_reply(c, e, max, count, 0, c->resp > 2 && c->argc == 3);
}

void cmd_zpopmin(struct client *c) { zpop_minmax(c, 0); }
void cmd_zpopmax(struct client *c) { zpop_minmax(c, 1); }

int tz_mpop_args_or_reply(struct client *c, int ni, long long *numkeys, int *max, long long *count)
{
    if (util_str2ll(c->argv[ni].p, c->argv[ni].len, numkeys) < 0 || *numkeys < 1) {
        reply_error(c, "numkeys should be greater than 0");
        return -1;
    }
    if (*numkeys >= c->argc - ni - 1) {     /* MIN|MAX must follow the keys */
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    int wi = ni + (int)*numkeys + 1;
    if (tz_opt_is(c, wi, "min")) *max = 0;
    else if (tz_opt_is(c, wi, "max")) *max = 1;
    else {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    *count = -1;
    for (int j = wi + 1; j < c->argc; j++) {
        if (*count == -1 && tz_opt_is(c, j, "count") && j + 1 < c->argc) {
            j++;
            if (util_str2ll(c->argv[j].p, c->argv[j].len, count) < 0 || *count < 1) {
                reply_error(c, "count should be greater than 0");
                return -1;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (*count == -1) *count = 1;
    return 0;
}

void cmd_zmpop(struct client *c)
{
    long long numkeys, count;
    int max, err;
    if (tz_mpop_args_or_reply(c, 1, &numkeys, &max, &count) < 0) return;
    struct entry *e = tz_first_nonempty(c, 2, (long)numkeys, &err);
    if (err) return;
    if (e == NULL) {
        reply_null_array(c);
        return;
    }
    tz_pop_reply(c, e, max, count, 1, 1);
}

/* ------------------------------------------------------------ ZRANDMEMBER */

static unsigned long long rand_below(unsigned long long n)
{
    unsigned long long r = ((unsigned long long)random() << 31) ^ (unsigned long long)random();
    return r % n;
}

static void reply_elem_at(struct client *c, const struct entry *e, size_t rank, int withscores)
{
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, e, rank, 0);
    if (zs_iter_next(&it, &el)) tz_reply_elem(c, &el, withscores);
}

/* count > 0 and smaller than the set: distinct ranks by partial shuffle. */
static void randmember_unique(struct client *c, const struct entry *e, size_t size, size_t count,
                              int withscores)
{
    if (count <= 4096 && count * 4 <= size) {    /* sparse: draw and reject repeats */
        size_t *got = mem_alloc(sizeof(size_t) * count);
        for (size_t i = 0; i < count; i++) {
            size_t r, k;
            do {
                r = (size_t)rand_below(size);
                for (k = 0; k < i && got[k] != r; k++) {}
            } while (k < i);
            got[i] = r;
            reply_elem_at(c, e, r, withscores);
        }
        mem_free(got);
        return;
    }
    size_t *ranks = mem_alloc(sizeof(size_t) * size);
    for (size_t i = 0; i < size; i++) ranks[i] = i;
    for (size_t i = 0; i < count; i++) {
        size_t j = i + (size_t)rand_below(size - i);
        size_t t = ranks[i];
        ranks[i] = ranks[j];
        ranks[j] = t;
        reply_elem_at(c, e, ranks[i], withscores);
    }
    mem_free(ranks);
}

static void randmember_count(struct client *c, long long l, int withscores)
{
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    if (e == NULL || l == 0) {
        reply_array(c, 0);
        return;
    }
    size_t size = zset_len(e);
    int uniq = l > 0;
    size_t count = (size_t)(l > 0 ? l : -l);
    if (uniq && count >= size) {        /* the whole set, from the top as Redis walks it */
        struct zs_iter it;
        struct zs_elem el;
        reply_array(c, (long long)(withscores && c->resp == 2 ? size * 2 : size));
        zs_iter_init(&it, e, size - 1, 1);
        while (zs_iter_next(&it, &el)) tz_reply_elem(c, &el, withscores);
        return;
    }
    reply_array(c, (long long)(withscores && c->resp == 2 ? count * 2 : count));
    if (uniq && count > 1) {
        randmember_unique(c, e, size, count, withscores);
        return;
    }
    for (size_t i = 0; i < count; i++) reply_elem_at(c, e, (size_t)rand_below(size), withscores);
}

void cmd_zrandmember(struct client *c)
{
    if (c->argc >= 3) {
        long long l;
        int withscores;
        if (args_rand_count_or_reply(c, "withscores", &l, &withscores) < 0) return;
        randmember_count(c, l, withscores);
        return;
    }
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    if (e == NULL) {
        reply_null(c);
        return;
    }
    reply_elem_at(c, e, (size_t)rand_below(zset_len(e)), 0);
}
