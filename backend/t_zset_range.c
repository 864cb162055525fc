/* backend/t_zset_range.c: ZRANGE and its older spellings (ZREVRANGE,
 * Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX) and ZRANGESTORE.
 *
 * One parser (Redis's zrangeGenericCommand order: options, conflicts,
 * range, then the key) turns every spelling into a rank span of the
 * ascending order plus a direction, an offset and a limit; one emitter walks
 * that span either into the reply or into a new sorted set for
 * ZRANGESTORE, so the two can never disagree about which elements a range
 * holds. */
#include <string.h>

#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "backend/t_zset.h"
#include "backend/zset.h"

enum zr_type { ZR_AUTO, ZR_RANK, ZR_SCORE, ZR_LEX };
enum zr_dir { ZR_DIR_AUTO, ZR_FORWARD, ZR_REVERSE };

/* Where the elements of a range go: the client, or a new sorted set. */
struct zr_sink {
    struct client *c;
    int store;
    int withscores;
    struct entry *dst;
    size_t maxelelen;
    long long count;
    size_t defer;
};

static void sink_emit(struct zr_sink *s, const struct zs_elem *el)
{
    s->count++;
    if (!s->store) {
        tz_reply_elem(s->c, el, s->withscores);
        return;
    }
    if (s->dst == NULL) {
        const struct arg *k = &s->c->argv[1];
        s->dst = zset_create(k->p, k->len, 0);
    }
    int out;
    zset_add(s->dst, el->score, el->p, el->len, 0, &out, NULL);
    if (el->len > s->maxelelen) s->maxelelen = el->len;
}

/* Stores the result at argv[1] (or deletes it when empty) and replies. */
static void sink_store_finish(struct zr_sink *s)
{
    struct client *c = s->c;
    const struct arg *k = &c->argv[1];
    struct entry *old = db_lookup_write(c->db, k->p, k->len);
    if (s->dst == NULL) {
        if (old) db_delete(c->db, k->p, k->len);
        reply_int(c, 0);
        return;
    }
    zset_fit_encoding(s->dst, s->maxelelen);
    if (old) db_overwrite(c->db, old, s->dst);
    else db_add(c->db, s->dst);
    tz_signal_added(c, k->p, k->len);
    reply_int(c, s->count);
}

/* Emits ranks [lo, hi) of e, from hi-1 down when rev, skipping `offset`
 * and stopping after `limit` (negative: no limit). */
static void range_emit(struct zr_sink *s, const struct entry *e, size_t lo, size_t hi, int rev,
                       long long offset, long long limit)
{
    if (!s->store) s->defer = reply_defer(s->c);
    if (hi > lo && offset >= 0 && (unsigned long long)offset < hi - lo) {
        size_t n = hi - lo - (size_t)offset;
        if (limit >= 0 && (unsigned long long)limit < n) n = (size_t)limit;
        struct zs_iter it;
        struct zs_elem el;
        zs_iter_init(&it, e, rev ? hi - 1 - (size_t)offset : lo + (size_t)offset, rev);
        while (n-- && zs_iter_next(&it, &el)) sink_emit(s, &el);
    }
    if (!s->store) {
        long long items = s->withscores && s->c->resp < 3 ? s->count * 2 : s->count;
        reply_defer_set(s->c, s->defer, '*', items);
    }
}

struct zr_args {
    enum zr_type type;
    enum zr_dir dir;
    int withscores;
    long long offset, limit;
    long long start, end;           /* ZR_RANK */
    struct zrange_score score;
    struct zrange_lex lex;
};

static int zr_options_or_reply(struct client *c, int first, int store, struct zr_args *a)
{
    for (int j = first; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (!store && tz_opt_is(c, j, "withscores")) {
            a->withscores = 1;
        } else if (tz_opt_is(c, j, "limit") && left >= 2) {
            if (tz_long_or_reply(c, j + 1, &a->offset) < 0 || tz_long_or_reply(c, j + 2, &a->limit) < 0)
                return -1;
            j += 2;
        } else if (a->dir == ZR_DIR_AUTO && tz_opt_is(c, j, "rev")) {
            a->dir = ZR_REVERSE;
        } else if (a->type == ZR_AUTO && tz_opt_is(c, j, "bylex")) {
            a->type = ZR_LEX;
        } else if (a->type == ZR_AUTO && tz_opt_is(c, j, "byscore")) {
            a->type = ZR_SCORE;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (a->dir == ZR_DIR_AUTO) a->dir = ZR_FORWARD;
    if (a->type == ZR_AUTO) a->type = ZR_RANK;
    if (a->limit != -1 && a->type == ZR_RANK) {
        reply_error(c, "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return -1;
    }
    if (a->withscores && a->type == ZR_LEX) {
        reply_error(c, "syntax error, WITHSCORES not supported in combination with BYLEX");
        return -1;
    }
    return 0;
}

static int zr_range_or_reply(struct client *c, int ks, struct zr_args *a)
{
    int mi = ks + 1, ma = ks + 2;
    if (a->dir == ZR_REVERSE && a->type != ZR_RANK) {
        mi = ks + 2;
        ma = ks + 1;
    }
    const struct arg *x = &c->argv[mi], *y = &c->argv[ma];
    switch (a->type) {
    case ZR_SCORE:
        if (zset_parse_score_range(x->p, x->len, y->p, y->len, &a->score) < 0) {
            reply_error(c, "min or max is not a float");
            return -1;
        }
        return 0;
    case ZR_LEX:
        if (zset_parse_lex_range(x->p, x->len, y->p, y->len, &a->lex) < 0) {
            reply_error(c, "min or max not valid string range item");
            return -1;
        }
        return 0;
    default:
        if (tz_long_or_reply(c, mi, &a->start) < 0 || tz_long_or_reply(c, ma, &a->end) < 0) return -1;
        return 0;
    }
}

/* The ascending rank span [lo, hi) a parsed range selects in e. */
static void zr_span(const struct entry *e, const struct zr_args *a, size_t *lo, size_t *hi)
{
    long long llen = (long long)zset_len(e);
    if (a->type == ZR_SCORE) {
        zset_score_span(e, &a->score, lo, hi);
        return;
    }
    if (a->type == ZR_LEX) {
        zset_lex_span(e, &a->lex, lo, hi);
        return;
    }
    long long start = a->start, end = a->end;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    *lo = *hi = 0;
    if (start > end || start >= llen) return;
    if (end >= llen) end = llen - 1;
    if (a->dir == ZR_REVERSE) {         /* ranks counted from the top */
        *lo = (size_t)(llen - 1 - end);
        *hi = (size_t)(llen - start);
    } else {
        *lo = (size_t)start;
        *hi = (size_t)end + 1;
    }
}

/* ks: index of the source key; store: ZRANGESTORE (argv[1] is the dst). */
static void zrange_generic(struct client *c, int ks, int store, enum zr_type type, enum zr_dir dir)
{
    struct zr_args a = {.type = type, .dir = dir, .offset = 0, .limit = -1};
    if (zr_options_or_reply(c, ks + 3, store, &a) < 0) return;
    if (zr_range_or_reply(c, ks, &a) < 0) return;
    struct zr_sink s = {.c = c, .store = store, .withscores = a.withscores};
    int err;
    struct entry *e = tz_lookup(c, ks, store, &err);
    if (err) return;
    if (e == NULL) {
        if (store) sink_store_finish(&s);
        else reply_array(c, 0);
        return;
    }
    size_t lo, hi;
    zr_span(e, &a, &lo, &hi);
    long long offset = a.type == ZR_RANK ? 0 : a.offset;
    long long limit = a.type == ZR_RANK ? -1 : a.limit;
    range_emit(&s, e, lo, hi, a.dir == ZR_REVERSE, offset, limit);
    if (store) sink_store_finish(&s);
}

void cmd_zrange(struct client *c) { zrange_generic(c, 1, 0, ZR_AUTO, ZR_DIR_AUTO); }
void cmd_zrangestore(struct client *c) { zrange_generic(c, 2, 1, ZR_AUTO, ZR_DIR_AUTO); }
void cmd_zrevrange(struct client *c) { zrange_generic(c, 1, 0, ZR_RANK, ZR_REVERSE); }
void cmd_zrangebyscore(struct client *c) { zrange_generic(c, 1, 0, ZR_SCORE, ZR_FORWARD); }
void cmd_zrevrangebyscore(struct client *c) { zrange_generic(c, 1, 0, ZR_SCORE, ZR_REVERSE); }
void cmd_zrangebylex(struct client *c) { zrange_generic(c, 1, 0, ZR_LEX, ZR_FORWARD); }
void cmd_zrevrangebylex(struct client *c) { zrange_generic(c, 1, 0, ZR_LEX, ZR_REVERSE); }
