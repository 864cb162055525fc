/* backend/t_zset.c: the sorted-set commands on single members (ZADD,
 * ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD, ZRANK, ZREVRANK), the counting and
 * removing range commands (ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*), ZSCAN and the
 * blocking pops (BZPOPMIN BZPOPMAX BZMPOP, on blocking.h), reply for reply
 * and error for error as Redis 7.0.
 *
 * Argument errors are reported before the key is looked at, in Redis's
 * order, because that order decides which error a client sees; the value
 * itself is reached only through zset.h. The ZRANGE family lives in
 * t_zset_range.c, the multi-key commands and pops in t_zset_multi.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/blocking.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/propagate.h"
#include "backend/reply.h"
#include "backend/scan.h"
#include "backend/server.h"
#include "backend/t_zset.h"
#include "backend/zset.h"
#include "lib/dict.h"
#include "lib/mem.h"
#include "lib/util.h"

static const char *const ERR_ZSCORE_RANGE = "min or max is not a float";
static const char *const ERR_ZLEX_RANGE = "min or max not valid string range item";

/* ------------------------------------------------------- shared helpers */

struct entry *tz_lookup(struct client *c, int i, int write, int *err)
{
    const struct arg *k = &c->argv[i];
    struct entry *e = write ? db_lookup_write(c->db, k->p, k->len) : db_lookup_read(c->db, k->p, k->len);
    *err = 0;
    if (e && e->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        *err = 1;
        return NULL;
    }
    return e;
}

int tz_opt_is(const struct client *c, int i, const char *lit)
{
    const struct arg *a = &c->argv[i];
    return util_eq_nocase(a->p, strnlen(a->p, a->len), lit);
}

int tz_long_or_reply(struct client *c, int i, long long *v)
{
    if (util_str2ll(c->argv[i].p, c->argv[i].len, v) == 0) return 0;
    reply_error(c, ERR_NOTINT);
    return -1;
}

void tz_reply_elem(struct client *c, const struct zs_elem *el, int withscores)
{
    if (withscores && c->resp >= 3) reply_array(c, 2);
    reply_bulk(c, el->p, el->len);
    if (withscores) reply_double(c, el->score);
}

void tz_after_delete(struct client *c, struct entry *e)
{
    if (zset_len(e) == 0) {
        size_t klen;
        const char *k = entry_key(e, &klen);
        db_delete(c->db, k, klen);
    } else {
        db_modified(c->db, e);
    }
}

/* -------------------------------------------------------- ZADD, ZINCRBY */

/* Parses ZADD's leading options; returns the index of the first score
 * (Redis stops at the first argument that is not an option). */
static int zadd_options(struct client *c, int *flags, int *ch)
{
    int i = 2;
    for (; i < c->argc; i++) {
        if (tz_opt_is(c, i, "nx")) *flags |= ZADD_IN_NX;
        else if (tz_opt_is(c, i, "xx")) *flags |= ZADD_IN_XX;
        else if (tz_opt_is(c, i, "ch")) *ch = 1;
        else if (tz_opt_is(c, i, "incr")) *flags |= ZADD_IN_INCR;
        else if (tz_opt_is(c, i, "gt")) *flags |= ZADD_IN_GT;
        else if (tz_opt_is(c, i, "lt")) *flags |= ZADD_IN_LT;
        else break;
    }
    return i;
}

static int zadd_check_or_reply(struct client *c, int flags, int elements)
{
    if ((flags & ZADD_IN_NX) && (flags & ZADD_IN_XX)) {
        reply_error(c, "XX and NX options at the same time are not compatible");
        return -1;
    }
    int gt = flags & ZADD_IN_GT, lt = flags & ZADD_IN_LT, nx = flags & ZADD_IN_NX;
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        reply_error(c, "GT, LT, and/or NX options at the same time are not compatible");
        return -1;
    }
    if ((flags & ZADD_IN_INCR) && elements > 1) {
        reply_error(c, "INCR option supports a single increment-element pair");
        return -1;
    }
    return 0;
}

static void zadd_generic(struct client *c, int flags)
{
    int ch = 0;
    int si = zadd_options(c, &flags, &ch);
    int elements = c->argc - si;
    if (elements % 2 || elements == 0) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    elements /= 2;
    if (zadd_check_or_reply(c, flags, elements) < 0) return;
    double *scores = mem_alloc(sizeof(double) * (size_t)elements);
    for (int j = 0; j < elements; j++) {
        const struct arg *a = &c->argv[si + j * 2];
        if (util_str2d(a->p, a->len, &scores[j]) < 0) {
            reply_error(c, ERR_NOTFLOAT);
            mem_free(scores);
            return;
        }
    }
    int err, added = 0, updated = 0, processed = 0;
    double score = 0;
    struct entry *e = tz_lookup(c, 1, 1, &err);
    if (err) goto done;
    if (e == NULL && !(flags & ZADD_IN_XX)) {
        const struct arg *m = &c->argv[si + 1];
        int big = server.cfg.zset_max_listpack_entries == 0 ||
                  server.cfg.zset_max_listpack_value < (long long)m->len;
        e = zset_create(c->argv[1].p, c->argv[1].len, big);
        db_add(c->db, e);
    }
    for (int j = 0; e && j < elements; j++) {
        const struct arg *m = &c->argv[si + 1 + j * 2];
        int out;
        double newscore = 0;
        if (zset_add(e, scores[j], m->p, m->len, flags, &out, &newscore) < 0) {
            reply_error(c, "resulting score is not a number (NaN)");
            goto changed;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
        score = newscore;
    }
    if (flags & ZADD_IN_INCR) {
        if (processed) reply_double(c, score);
        else reply_null(c);
    } else {
        reply_int(c, ch ? added + updated : added);
    }
changed:
    if (added || updated) {
        db_modified(c->db, e);
        if (added) tz_signal_added(c, c->argv[1].p, c->argv[1].len);
    }
done:
    mem_free(scores);
}

void cmd_zadd(struct client *c) { zadd_generic(c, 0); }
void cmd_zincrby(struct client *c) { zadd_generic(c, ZADD_IN_INCR); }

/* ---------------------------------------------------- single-member reads */

void cmd_zrem(struct client *c)
{
    int err, deleted = 0;
    struct entry *e = tz_lookup(c, 1, 1, &err);
    if (err) return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    for (int j = 2; j < c->argc; j++) {
        deleted += zset_del(e, c->argv[j].p, c->argv[j].len);
        if (zset_len(e) == 0) break;
    }
    if (deleted) tz_after_delete(c, e);
    reply_int(c, deleted);
}

void cmd_zscore(struct client *c)
{
    int err;
    double score;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    if (e == NULL || zset_score(e, c->argv[2].p, c->argv[2].len, &score) < 0) reply_null(c);
    else reply_double(c, score);
}

void cmd_zmscore(struct client *c)
{
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    reply_array(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (e == NULL || zset_score(e, c->argv[j].p, c->argv[j].len, &score) < 0) reply_null(c);
        else reply_double(c, score);
    }
}

void cmd_zcard(struct client *c)
{
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    reply_int(c, e ? (long long)zset_len(e) : 0);
}

static void zrank_generic(struct client *c, int reverse)
{
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    long r = e ? zset_rank(e, c->argv[2].p, c->argv[2].len, reverse, NULL) : -1;
    if (r < 0) reply_null(c);
    else reply_int(c, r);
}

void cmd_zrank(struct client *c) { zrank_generic(c, 0); }
void cmd_zrevrank(struct client *c) { zrank_generic(c, 1); }

/* ------------------------------------------------ counting and removing */

void cmd_zcount(struct client *c)
{
    struct zrange_score r;
    if (zset_parse_score_range(c->argv[2].p, c->argv[2].len, c->argv[3].p, c->argv[3].len, &r) < 0) {
        reply_error(c, ERR_ZSCORE_RANGE);
        return;
    }
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    size_t start = 0, end = 0;
    if (e) zset_score_span(e, &r, &start, &end);
    reply_int(c, end > start ? (long long)(end - start) : 0);
}

void cmd_zlexcount(struct client *c)
{
    struct zrange_lex r;
    if (zset_parse_lex_range(c->argv[2].p, c->argv[2].len, c->argv[3].p, c->argv[3].len, &r) < 0) {
        reply_error(c, ERR_ZLEX_RANGE);
        return;
    }
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    size_t start = 0, end = 0;
    if (e) zset_lex_span(e, &r, &start, &end);
    reply_int(c, end > start ? (long long)(end - start) : 0);
}

enum zrem_kind { ZREM_RANK, ZREM_SCORE, ZREM_LEX };

/* The rank span a ZREMRANGEBYRANK start/stop pair selects, Redis's way. */
static void rank_span(long long start, long long stop, size_t len, size_t *s, size_t *e)
{
    long long llen = (long long)len;
    if (start < 0) start += llen;
    if (stop < 0) stop += llen;
    if (start < 0) start = 0;
    *s = *e = 0;
    if (start > stop || start >= llen) return;
    if (stop >= llen) stop = llen - 1;
    *s = (size_t)start;
    *e = (size_t)stop + 1;
}

static void zremrange_generic(struct client *c, enum zrem_kind kind)
{
    long long start = 0, stop = 0;
    struct zrange_score rs;
    struct zrange_lex rl;
    const struct arg *a = &c->argv[2], *b = &c->argv[3];
    if (kind == ZREM_RANK) {
        if (tz_long_or_reply(c, 2, &start) < 0 || tz_long_or_reply(c, 3, &stop) < 0) return;
    } else if (kind == ZREM_SCORE) {
        if (zset_parse_score_range(a->p, a->len, b->p, b->len, &rs) < 0) {
            reply_error(c, ERR_ZSCORE_RANGE);
            return;
        }
    } else if (zset_parse_lex_range(a->p, a->len, b->p, b->len, &rl) < 0) {
        reply_error(c, ERR_ZLEX_RANGE);
        return;
    }
    int err;
    struct entry *e = tz_lookup(c, 1, 1, &err);
    if (err) return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    size_t s, t;
    if (kind == ZREM_RANK) rank_span(start, stop, zset_len(e), &s, &t);
    else if (kind == ZREM_SCORE) zset_score_span(e, &rs, &s, &t);
    else zset_lex_span(e, &rl, &s, &t);
    if (t > s) {
        zset_delete_ranks(e, s, t);
        tz_after_delete(c, e);
    }
    reply_int(c, t > s ? (long long)(t - s) : 0);
}

void cmd_zremrangebyrank(struct client *c) { zremrange_generic(c, ZREM_RANK); }
void cmd_zremrangebyscore(struct client *c) { zremrange_generic(c, ZREM_SCORE); }
void cmd_zremrangebylex(struct client *c) { zremrange_generic(c, ZREM_LEX); }

/* ------------------------------------------------------------------ ZSCAN */

/* Scores in ZSCAN replies are plain bulk strings ("%.17g", inf), RESP3 too. */
static void zscan_reply_pair(struct client *c, const char *p, size_t len, double score)
{
    char buf[40];
    int n = isinf(score) ? snprintf(buf, sizeof(buf), "%s", score > 0 ? "inf" : "-inf")
                         : snprintf(buf, sizeof(buf), "%.17g", score);
    reply_bulk(c, p, len);
    reply_bulk(c, buf, (size_t)n);
}

/* A listpack zset is returned whole with cursor 0, whatever COUNT says. */
static void zscan_listpack(struct client *c, struct entry *e, const struct scan_opts *o)
{
    size_t h = scan_reply_begin(c, 0);
    long long n = 0;
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, e, 0, 0);
    while (zs_iter_next(&it, &el)) {
        if (!scan_match(o, el.p, el.len)) continue;
        zscan_reply_pair(c, el.p, el.len, el.score);
        n += 2;
    }
    scan_reply_end(c, h, n);
}

static void zscan_dict(struct client *c, struct zset_big *z, uint64_t cursor, const struct scan_opts *o)
{
    struct scan_batch b = {0};
    cursor = scan_dict(z->dict, cursor, o->count, 1, &b);
    size_t h = scan_reply_begin(c, cursor);
    long long n = 0;
    for (size_t i = 0; i < b.n; i++) {
        const struct zsl_node *node = b.v[i];
        if (!scan_match(o, zsl_node_ele(node), node->len)) continue;
        zscan_reply_pair(c, zsl_node_ele(node), node->len, node->score);
        n += 2;
    }
    scan_reply_end(c, h, n);
    mem_free(b.v);
}

void cmd_zscan(struct client *c)
{
    uint64_t cursor;
    if (scan_parse_cursor_or_reply(c, &c->argv[2], &cursor) < 0) return;
    int err;
    struct entry *e = tz_lookup(c, 1, 0, &err);
    if (err) return;
    if (e == NULL) {
        scan_reply_empty(c);
        return;
    }
    struct scan_opts o;
    if (scan_parse_opts_or_reply(c, 3, 0, &o) < 0) return;
    if (e->enc == ENC_LISTPACK) zscan_listpack(c, e, &o);
    else zscan_dict(c, entry_ptr(e), cursor, &o);
}

/* ------------------------------------------------------------- blocking */

void tz_signal_added(struct client *c, const char *key, size_t klen)
{
    blocking_signal_key(c->db, key, klen);
}

/* A blocking pop is logged as the plain pop it amounted to, so a replay
 * never blocks: ZPOPMIN|ZPOPMAX key [count] (count < 0: single form). */
static void tz_propagate_pop(struct client *c, const char *key, size_t klen, int max, long long count)
{
    char num[UTIL_LONG_STR_SIZE];
    struct arg argv[3] = {{max ? "ZPOPMAX" : "ZPOPMIN", 7}, {key, klen}, propagate_ll_arg(num, count)};
    propagate_replace(c, count > 0 ? 3 : 2, argv);
}

/* Pops from e at key for a blocking form and replies: BZPOPMIN/BZPOPMAX
 * (count < 0) flat [key, member, score], BZMPOP [key, [[m, s], ...]].
 * Returns 1 if the key was deleted. */
static int tz_bpop_serve(struct client *c, struct entry *e, const char *key, size_t klen, int max,
                         long long count)
{
    long long n = count > 0 ? count : 1;
    int gone = (long long)zset_len(e) <= n;
    tz_propagate_pop(c, key, klen, max, count);
    tz_pop_reply(c, e, max, n, 1, count > 0);
    return gone;
}

/* blocking_serve_fn: a client blocked by one of the forms below. */
static int tz_serve(struct client *c, struct db *db, struct entry *e, const char *key, size_t klen,
                    const struct block_args *a)
{
    (void)db;   /* a blocked client cannot SELECT: c->db is db */
    return tz_bpop_serve(c, e, key, klen, a->wherefrom, a->count);
}

/* Pops at once from the first non-empty key of argv[first..first+n),
 * else blocks on all of them (FIFO with other waiters, blocking.c). */
static void tz_bpop(struct client *c, int first, long n, int max, long long count, int64_t deadline)
{
    int err;
    struct entry *e = tz_first_nonempty(c, first, n, &err);
    if (err) return;
    if (e) {
        size_t klen;
        const char *key = entry_key(e, &klen);
        tz_bpop_serve(c, e, key, klen, max, count);
        return;
    }
    struct block_args a = {max, 0, count > 0 ? (long)count : -1, NULL, 0};
    blocking_block(c, OBJ_ZSET, &c->argv[first], (int)n, deadline, &a, tz_serve);
}

/* BZPOPMIN|BZPOPMAX key [key ...] timeout: the timeout is checked first. */
static void bzpop_cmd(struct client *c, int max)
{
    int64_t deadline;
    if (blocking_parse_timeout_or_reply(c, &c->argv[c->argc - 1], &deadline) < 0) return;
    tz_bpop(c, 1, c->argc - 2, max, -1, deadline);
}

void cmd_bzpopmin(struct client *c) { bzpop_cmd(c, 0); }
void cmd_bzpopmax(struct client *c) { bzpop_cmd(c, 1); }

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT n]: as Redis, the
 * other arguments are checked before the timeout. */
void cmd_bzmpop(struct client *c)
{
    long long numkeys, count;
    int max;
    int64_t deadline;
    if (tz_mpop_args_or_reply(c, 2, &numkeys, &max, &count) < 0) return;
    if (blocking_parse_timeout_or_reply(c, &c->argv[1], &deadline) < 0) return;
    tz_bpop(c, 3, (long)numkeys, max, count, deadline);
}
