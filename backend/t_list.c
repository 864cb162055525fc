/* backend/t_list.c: the list commands, reply for reply and error for error
 * as Redis 7.0.15, including the blocking ones (BLPOP BRPOP BLMOVE
 * BRPOPLPUSH BLMPOP) on top of blocking.c.
 *
 * Shape: every list is a quicklist (quicklist.h); a small list is a single
 * lpack node. Redis 7.0 reports "quicklist" for every list, so the entry's
 * encoding is always ENC_QUICKLIST. The order of argument checks decides
 * which error a client sees, so each handler parses in Redis's order (some
 * parse numbers before looking the key up, some after). The pop/push steps
 * shared by the plain and the blocking forms (pop and reply, move one
 * element) are written once and used both when the command runs and when a
 * blocked client is served. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "backend/blocking.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/propagate.h"
#include "backend/quicklist.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "backend/t_list.h"
#include "lib/mem.h"
#include "lib/util.h"

/* ---- value hooks ---- */

static void list_free_value(void *ptr, int enc)
{
    (void)enc;
    struct quicklist *ql = ptr;
    ql_destroy(&ql);
}

static void *list_dup_value(const void *ptr, int enc)
{
    (void)enc;
    return ql_dup(ptr);
}

static size_t list_mem_value(const void *ptr, int enc)
{
    (void)enc;
    return ql_mem(ptr);
}

static size_t list_count_value(const void *ptr, int enc)
{
    (void)enc;
    return ql_count(ptr);
}

static const struct entry_type_ops list_ops = {
    list_free_value, list_dup_value, list_mem_value, list_count_value,
};

__attribute__((constructor)) static void list_register(void)
{
    entry_register_type(OBJ_LIST, &list_ops);
}

/* ---- shared steps ---- */

static struct quicklist *list_of(struct entry *e) { return entry_ptr(e); }

/* ---- t_list.h: what other modules read and build ---- */

size_t list_entry_len(const struct entry *e) { return ql_count(entry_ptr(e)); }

void list_entry_range(const struct entry *e, size_t start, size_t count, int reverse, list_visit_fn *fn,
                      void *priv)
{
    const struct quicklist *ql = entry_ptr(e);
    struct ql_pos pos;
    if (count == 0 || start >= ql_count(ql)) return;
    if (!ql_seek(ql, reverse ? -1 - (long long)start : (long long)start, &pos)) return;
    struct lp_val v;
    int dir = reverse ? QL_HEAD : QL_TAIL;
    do {
        ql_get(&pos, &v);
        if (fn(priv, v.p, v.len)) return;
    } while (--count > 0 && ql_step(&pos, dir));
}

struct entry *list_entry_create(const char *key, size_t klen)
{
    int fill = (int)server.cfg.list_max_listpack_size;
    return entry_create_ptr(key, klen, OBJ_LIST, ENC_QUICKLIST, ql_create(fill));
}

void list_entry_push(struct entry *e, const char *p, size_t len) { ql_push(list_of(e), QL_TAIL, p, len); }

/* Looks key up; replies WRONGTYPE and returns -1 for another type. */
static int lookup_or_reply(struct client *c, const struct arg *key, int write, struct entry **out)
{
    struct entry *e = write ? db_lookup_write(c->db, key->p, key->len) : db_lookup_read(c->db, key->p, key->len);
    if (e && e->type != OBJ_LIST) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    *out = e;
    return 0;
}

/* A new empty list stored at key; waiters on the key are signalled. */
static struct entry *list_create(struct db *db, const char *key, size_t klen)
{
    struct entry *e = list_entry_create(key, klen);
    db_add(db, e);      /* signals the key's waiters (db.c) */
    return e;
}

/* After removing elements: deletes the key if the list is empty, else
 * records the change. Returns 1 if deleted. */
static int list_done(struct db *db, struct entry *e)
{
    if (ql_count(list_of(e)) == 0) {
        size_t klen;
        const char *key = entry_key(e, &klen);
        db_delete(db, key, klen);
        return 1;
    }
    db_modified(db, e);
    return 0;
}

static void reply_val(struct client *c, const struct lp_val *v) { reply_bulk(c, v->p, v->len); }

/* "LEFT"/"RIGHT"; replies syntax error and returns -1 otherwise. */
static int where_or_reply(struct client *c, const struct arg *a, int *where)
{
    if (util_eq_nocase(a->p, a->len, "left")) *where = QL_HEAD;
    else if (util_eq_nocase(a->p, a->len, "right")) *where = QL_TAIL;
    else {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    return 0;
}

/* Redis's getLongFromObjectOrReply (msg NULL: the default text). */
static int long_or_reply(struct client *c, const struct arg *a, long long *v, const char *msg)
{
    if (util_str2ll(a->p, a->len, v) < 0) {
        reply_error(c, msg ? msg : ERR_NOTINT);
        return -1;
    }
    return 0;
}

/* Redis's getRangeLongFromObjectOrReply. */
static int range_or_reply(struct client *c, const struct arg *a, long long min, long long max, long long *v,
                          const char *msg)
{
    if (long_or_reply(c, a, v, msg) < 0) return -1;
    if (*v < min || *v > max) {
        if (msg) reply_error(c, msg);
        else reply_errorf(c, "value is out of range, must be between %lld and %lld", min, max);
        return -1;
    }
    return 0;
}

/* Replies up to count elements popped from one end as an array (the
 * elements in pop order) and removes them. */
static void pop_range_reply(struct client *c, struct quicklist *ql, int where, long long count)
{
    size_t n = (size_t)count < ql_count(ql) ? (size_t)count : ql_count(ql);
    reply_array(c, (long long)n);
    struct ql_pos pos;
    struct lp_val v;
    if (n > 0 && ql_seek(ql, where == QL_HEAD ? 0 : -1, &pos)) {
        for (size_t i = 0; i < n; i++) {
            ql_get(&pos, &v);
            reply_val(c, &v);
            ql_step(&pos, where == QL_HEAD ? QL_TAIL : QL_HEAD);
        }
    }
    ql_pop(ql, where, n);
}

/* The blocking forms are logged as the plain commands they amount to: a
 * replay must never block. count < 0: a single-element pop. */
static void propagate_pop(struct client *c, const char *key, size_t klen, int where, long long count)
{
    char num[UTIL_LONG_STR_SIZE];
    struct arg argv[3] = {{where == QL_HEAD ? "LPOP" : "RPOP", 4}, {key, klen}, propagate_ll_arg(num, count)};
    propagate_replace(c, count > 0 ? 3 : 2, argv);
}

static void propagate_move(struct client *c, const char *src, size_t slen, const char *dst, size_t dlen,
                           int from, int to)
{
    struct arg argv[5] = {{"LMOVE", 5}, {src, slen}, {dst, dlen},
                          {from == QL_HEAD ? "LEFT" : "RIGHT", from == QL_HEAD ? 4u : 5u},
                          {to == QL_HEAD ? "LEFT" : "RIGHT", to == QL_HEAD ? 4u : 5u}};
    propagate_replace(c, 5, argv);
}

/* Pops one element, replies [key, element]; returns 1 if the key was deleted. */
static int pop_one_with_key(struct client *c, struct db *db, struct entry *e, const char *key, size_t klen,
                            int where)
{
    struct lp_val v;
    ql_peek(list_of(e), where, &v);
    reply_array(c, 2);
    reply_bulk(c, key, klen);
    reply_val(c, &v);
    ql_pop(list_of(e), where, 1);
    propagate_pop(c, key, klen, where, -1);
    return list_done(db, e);
}

/* Replies [key, [elements...]] (LMPOP); returns 1 if the key was deleted. */
static int pop_range_with_key(struct client *c, struct db *db, struct entry *e, const char *key, size_t klen,
                              int where, long long count)
{
    reply_array(c, 2);
    reply_bulk(c, key, klen);
    pop_range_reply(c, list_of(e), where, count);
    propagate_pop(c, key, klen, where, count);
    return list_done(db, e);
}

/* Moves one element from src (non-empty) to dst and replies it (LMOVE's
 * core). dst must be absent or a list. Returns 1 if src was deleted. */
static int move_one(struct client *c, struct db *db, struct entry *src, const char *dkey, size_t dklen,
                    struct entry *dst, int wherefrom, int whereto)
{
    struct lp_val v;
    char stackbuf[256], *copy = stackbuf;
    ql_peek(list_of(src), wherefrom, &v);
    if (v.len > sizeof(stackbuf)) copy = mem_alloc(v.len);
    memcpy(copy, v.p, v.len);
    size_t len = v.len;
    ql_pop(list_of(src), wherefrom, 1);
    if (dst == NULL) dst = list_create(db, dkey, dklen);
    ql_push(list_of(dst), whereto, copy, len);
    reply_bulk(c, copy, len);
    if (copy != stackbuf) mem_free(copy);
    if (dst != src) db_modified(db, dst);
    return list_done(db, src);
}

/* ---- push ---- */

static void push_generic(struct client *c, int where, int only_existing)
{
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL && only_existing) {
        reply_int(c, 0);
        return;
    }
    int created = e == NULL;
    if (created) e = list_create(c->db, c->argv[1].p, c->argv[1].len);
    for (int j = 2; j < c->argc; j++) ql_push(list_of(e), where, c->argv[j].p, c->argv[j].len);
    reply_int(c, (long long)ql_count(list_of(e)));
    if (!created) db_modified(c->db, e);
}

void cmd_lpush(struct client *c) { push_generic(c, QL_HEAD, 0); }
void cmd_rpush(struct client *c) { push_generic(c, QL_TAIL, 0); }
void cmd_lpushx(struct client *c) { push_generic(c, QL_HEAD, 1); }
void cmd_rpushx(struct client *c) { push_generic(c, QL_TAIL, 1); }

/* ---- pop ---- */

static void pop_generic(struct client *c, int where)
{
    long long count = 0;
    int hascount = c->argc == 3;
    if (c->argc > 3) {
        reply_wrong_arity(c, c->cmd->fullname);
        return;
    }
    if (hascount && range_or_reply(c, &c->argv[2], 0, LONG_MAX, &count,
                                   "value is out of range, must be positive") < 0)
        return;
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL) {
        if (hascount) reply_null_array(c);
        else reply_null(c);
        return;
    }
    if (hascount) {
        pop_range_reply(c, list_of(e), where, count);
        if (count > 0) list_done(c->db, e);
        return;
    }
    struct lp_val v;
    ql_peek(list_of(e), where, &v);
    reply_val(c, &v);
    ql_pop(list_of(e), where, 1);
    list_done(c->db, e);
}

void cmd_lpop(struct client *c) { pop_generic(c, QL_HEAD); }
void cmd_rpop(struct client *c) { pop_generic(c, QL_TAIL); }

/* ---- reads ---- */

void cmd_llen(struct client *c)
{
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    reply_int(c, e ? (long long)ql_count(list_of(e)) : 0);
}

void cmd_lindex(struct client *c)
{
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    if (e == NULL) {
        reply_null(c);
        return;
    }
    long long index;
    if (long_or_reply(c, &c->argv[2], &index, NULL) < 0) return;
    struct ql_pos pos;
    struct lp_val v;
    if (!ql_seek(list_of(e), index, &pos)) {
        reply_null(c);
        return;
    }
    ql_get(&pos, &v);
    reply_val(c, &v);
}

/* Normalizes [start, end] against llen as LRANGE/LTRIM; 0 if empty. */
static int clamp_range(long long llen, long long *start, long long *end)
{
    if (*start < 0) *start += llen;
    if (*end < 0) *end += llen;
    if (*start < 0) *start = 0;
    if (*start > *end || *start >= llen) return 0;
    if (*end >= llen) *end = llen - 1;
    return 1;
}

void cmd_lrange(struct client *c)
{
    long long start, end;
    if (long_or_reply(c, &c->argv[2], &start, NULL) < 0 || long_or_reply(c, &c->argv[3], &end, NULL) < 0) return;
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    if (e == NULL || !clamp_range((long long)ql_count(list_of(e)), &start, &end)) {
        reply_array(c, 0);
        return;
    }
    reply_array(c, end - start + 1);
    struct ql_pos pos;
    struct lp_val v;
    ql_seek(list_of(e), start, &pos);
    for (long long i = start; i <= end; i++) {
        ql_get(&pos, &v);
        reply_val(c, &v);
        ql_step(&pos, QL_TAIL);
    }
}

/* ---- in-place changes ---- */

void cmd_lset(struct client *c)
{
    struct entry *e = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    if (e == NULL) {
        reply_error(c, ERR_NOSUCHKEY);
        return;
    }
    if (e->type != OBJ_LIST) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    long long index;
    if (long_or_reply(c, &c->argv[2], &index, NULL) < 0) return;
    struct ql_pos pos;
    if (!ql_seek(list_of(e), index, &pos)) {
        reply_error(c, ERR_OUTOFRANGE);
        return;
    }
    ql_replace(list_of(e), &pos, c->argv[3].p, c->argv[3].len);
    reply_ok(c);
    db_modified(c->db, e);
}

void cmd_ltrim(struct client *c)
{
    long long start, end;
    if (long_or_reply(c, &c->argv[2], &start, NULL) < 0 || long_or_reply(c, &c->argv[3], &end, NULL) < 0) return;
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL) {
        reply_ok(c);
        return;
    }
    struct quicklist *ql = list_of(e);
    long long llen = (long long)ql_count(ql);
    if (!clamp_range(llen, &start, &end)) {
        ql_pop(ql, QL_HEAD, (size_t)llen);
    } else {
        ql_pop(ql, QL_TAIL, (size_t)(llen - end - 1));
        ql_pop(ql, QL_HEAD, (size_t)start);
    }
    reply_ok(c);
    list_done(c->db, e);
}

void cmd_lrem(struct client *c)
{
    long long count;
    if (long_or_reply(c, &c->argv[2], &count, NULL) < 0) return;
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    struct quicklist *ql = list_of(e);
    int dir = count < 0 ? QL_HEAD : QL_TAIL;
    unsigned long long todo = count < 0 ? (unsigned long long)-(count + 1) + 1 : (unsigned long long)count;
    const struct arg *elem = &c->argv[3];
    long long removed = 0;
    struct ql_pos pos;
    int more = ql_seek(ql, dir == QL_TAIL ? 0 : -1, &pos);
    while (more) {
        if (lp_eq(pos.node->lp, pos.off, elem->p, elem->len)) {
            more = ql_delete_at(ql, &pos, dir);
            removed++;
            if (todo && (unsigned long long)removed == todo) break;
        } else {
            more = ql_step(&pos, dir);
        }
    }
    reply_int(c, removed);
    if (removed) list_done(c->db, e);
}

void cmd_linsert(struct client *c)
{
    int after;
    if (util_eq_nocase(c->argv[2].p, c->argv[2].len, "after")) after = 1;
    else if (util_eq_nocase(c->argv[2].p, c->argv[2].len, "before")) after = 0;
    else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct entry *e;
    if (lookup_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    struct quicklist *ql = list_of(e);
    struct ql_pos pos;
    int more = ql_seek(ql, 0, &pos);
    while (more && !lp_eq(pos.node->lp, pos.off, c->argv[3].p, c->argv[3].len)) more = ql_step(&pos, QL_TAIL);
    if (!more) {
        reply_int(c, -1);
        return;
    }
    ql_insert(ql, &pos, c->argv[4].p, c->argv[4].len, after);
    reply_int(c, (long long)ql_count(ql));
    db_modified(c->db, e);
}

/* ---- LPOS ---- */

struct lpos_opts {
    long long rank, count, maxlen;
};

static int lpos_parse_or_reply(struct client *c, struct lpos_opts *o)
{
    o->rank = 1;
    o->count = -1;
    o->maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        const struct arg *a = &c->argv[j];
        int more = c->argc - 1 - j;
        if (more && util_eq_nocase(a->p, a->len, "rank")) {
            if (long_or_reply(c, &c->argv[++j], &o->rank, NULL) < 0) return -1;
            if (o->rank == 0) {
                reply_error(c, "RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                               "or use negative to start from the end of the list");
                return -1;
            }
        } else if (more && util_eq_nocase(a->p, a->len, "count")) {
            if (range_or_reply(c, &c->argv[++j], 0, LONG_MAX, &o->count, "COUNT can't be negative") < 0) return -1;
        } else if (more && util_eq_nocase(a->p, a->len, "maxlen")) {
            if (range_or_reply(c, &c->argv[++j], 0, LONG_MAX, &o->maxlen, "MAXLEN can't be negative") < 0)
                return -1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

void cmd_lpos(struct client *c)
{
    struct lpos_opts o;
    if (lpos_parse_or_reply(c, &o) < 0) return;
    int dir = QL_TAIL;
    /* a negative rank walks from the tail; LLONG_MIN stays negative, as in
     * Redis, where it then matches from the first hit */
    unsigned long long rank = o.rank < 0 ? (unsigned long long)-(o.rank + 1) + 1 : (unsigned long long)o.rank;
    if (o.rank < 0) dir = QL_HEAD;
    if (o.rank == LLONG_MIN) rank = 1;
    struct entry *e = db_lookup_read(c->db, c->argv[1].p, c->argv[1].len);
    if (e == NULL) {
        if (o.count != -1) reply_array(c, 0);
        else reply_null(c);
        return;
    }
    if (e->type != OBJ_LIST) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    struct quicklist *ql = list_of(e);
    long long llen = (long long)ql_count(ql), index = 0, matches = 0, found = -1, n = 0;
    size_t handle = o.count != -1 ? reply_defer(c) : 0;
    struct ql_pos pos;
    int more = ql_seek(ql, dir == QL_TAIL ? 0 : -1, &pos);
    for (; more && (o.maxlen == 0 || index < o.maxlen); index++, more = ql_step(&pos, dir)) {
        if (!lp_eq(pos.node->lp, pos.off, c->argv[2].p, c->argv[2].len)) continue;
        matches++;
        if ((unsigned long long)matches < rank) continue;
        long long at = dir == QL_TAIL ? index : llen - index - 1;
        if (o.count == -1) {
            found = at;
            break;
        }
        reply_int(c, at);
        n++;
        if (o.count && n >= o.count) break;
    }
    if (o.count != -1) reply_defer_set(c, handle, '*', n);
    else if (found >= 0) reply_int(c, found);
    else reply_null(c);
}

/* ---- LMOVE / RPOPLPUSH ---- */

static void lmove_generic(struct client *c, int wherefrom, int whereto)
{
    struct entry *src, *dst;
    if (lookup_or_reply(c, &c->argv[1], 1, &src) < 0) return;
    if (src == NULL) {
        reply_null(c);
        return;
    }
    if (lookup_or_reply(c, &c->argv[2], 1, &dst) < 0) return;
    move_one(c, c->db, src, c->argv[2].p, c->argv[2].len, dst, wherefrom, whereto);
}

void cmd_lmove(struct client *c)
{
    int from, to;
    if (where_or_reply(c, &c->argv[3], &from) < 0 || where_or_reply(c, &c->argv[4], &to) < 0) return;
    lmove_generic(c, from, to);
}

void cmd_rpoplpush(struct client *c) { lmove_generic(c, QL_TAIL, QL_HEAD); }

/* ---- LMPOP ---- */

struct mpop_args {
    long long numkeys, count;
    int where;
};

/* Parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at argv[idx]. */
static int mpop_parse_or_reply(struct client *c, int idx, struct mpop_args *m)
{
    if (range_or_reply(c, &c->argv[idx], 1, LONG_MAX, &m->numkeys, "numkeys should be greater than 0") < 0)
        return -1;
    if (m->numkeys > c->argc - idx - 2) {
        reply_error(c, ERR_SYNTAX);
        return -1;
    }
    int widx = idx + (int)m->numkeys + 1;
    if (where_or_reply(c, &c->argv[widx], &m->where) < 0) return -1;
    m->count = -1;
    for (int j = widx + 1; j < c->argc; j++) {
        const struct arg *a = &c->argv[j];
        if (m->count == -1 && j + 1 < c->argc && util_eq_nocase(a->p, a->len, "count")) {
            if (range_or_reply(c, &c->argv[++j], 1, LONG_MAX, &m->count, "count should be greater than 0") < 0)
                return -1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    if (m->count == -1) m->count = 1;
    return 0;
}

/* The first non-empty list among keys: 1 and *out, 0 if none, -1 after
 * replying WRONGTYPE. */
static int first_nonempty_or_reply(struct client *c, const struct arg *keys, int nkeys, int *which,
                                   struct entry **out)
{
    for (int j = 0; j < nkeys; j++) {
        struct entry *e;
        if (lookup_or_reply(c, &keys[j], 1, &e) < 0) return -1;
        if (e && ql_count(list_of(e)) > 0) {
            *which = j;
            *out = e;
            return 1;
        }
    }
    return 0;
}

void cmd_lmpop(struct client *c)
{
    struct mpop_args m;
    if (mpop_parse_or_reply(c, 1, &m) < 0) return;
    const struct arg *keys = &c->argv[2];
    int which, r;
    struct entry *e;
    if ((r = first_nonempty_or_reply(c, keys, (int)m.numkeys, &which, &e)) < 0) return;
    if (r == 0) {
        reply_null_array(c);
        return;
    }
    pop_range_with_key(c, c->db, e, keys[which].p, keys[which].len, m.where, m.count);
}

/* ---- blocking forms ---- */

/* Serves a blocked client from the list e at key (blocking_serve_fn). */
static int list_serve(struct client *c, struct db *db, struct entry *e, const char *key, size_t klen,
                      const struct block_args *a)
{
    if (a->target == NULL) {
        if (a->count > 0) return pop_range_with_key(c, db, e, key, klen, a->wherefrom, a->count);
        return pop_one_with_key(c, db, e, key, klen, a->wherefrom);
    }
    struct entry *dst = db_lookup_write(db, a->target, a->tlen);
    if (dst && dst->type != OBJ_LIST) {
        reply_error(c, ERR_WRONGTYPE);
        return 0;
    }
    propagate_move(c, key, klen, a->target, a->tlen, a->wherefrom, a->whereto);
    return move_one(c, db, e, a->target, a->tlen, dst, a->wherefrom, a->whereto);
}

static void bpop_generic(struct client *c, const struct arg *keys, int nkeys, int where, long long count,
                         int64_t deadline)
{
    int which, r;
    struct entry *e;
    if ((r = first_nonempty_or_reply(c, keys, nkeys, &which, &e)) < 0) return;
    if (r == 1) {
        if (count > 0) pop_range_with_key(c, c->db, e, keys[which].p, keys[which].len, where, count);
        else pop_one_with_key(c, c->db, e, keys[which].p, keys[which].len, where);
        return;
    }
    struct block_args a = { where, 0, count > 0 ? (long)count : -1, NULL, 0 };
    blocking_block(c, OBJ_LIST, keys, nkeys, deadline, &a, list_serve);
}

static void bpop_cmd(struct client *c, int where)
{
    int64_t deadline;
    if (blocking_parse_timeout_or_reply(c, &c->argv[c->argc - 1], &deadline) < 0) return;
    bpop_generic(c, &c->argv[1], c->argc - 2, where, -1, deadline);
}

void cmd_blpop(struct client *c) { bpop_cmd(c, QL_HEAD); }
void cmd_brpop(struct client *c) { bpop_cmd(c, QL_TAIL); }

void cmd_blmpop(struct client *c)
{
    int64_t deadline;
    struct mpop_args m;
    if (mpop_parse_or_reply(c, 2, &m) < 0) return;
    if (blocking_parse_timeout_or_reply(c, &c->argv[1], &deadline) < 0) return;
    bpop_generic(c, &c->argv[3], (int)m.numkeys, m.where, m.count, deadline);
}

static void blmove_generic(struct client *c, int from, int to, int64_t deadline)
{
    struct entry *src;
    if (lookup_or_reply(c, &c->argv[1], 1, &src) < 0) return;
    if (src) {
        lmove_generic(c, from, to);
        propagate_move(c, c->argv[1].p, c->argv[1].len, c->argv[2].p, c->argv[2].len, from, to);
        return;
    }
    struct block_args a = { from, to, -1, (char *)c->argv[2].p, c->argv[2].len };
    blocking_block(c, OBJ_LIST, &c->argv[1], 1, deadline, &a, list_serve);
}

void cmd_blmove(struct client *c)
{
    int from, to;
    int64_t deadline;
    if (where_or_reply(c, &c->argv[3], &from) < 0 || where_or_reply(c, &c->argv[4], &to) < 0) return;
    if (blocking_parse_timeout_or_reply(c, &c->argv[5], &deadline) < 0) return;
    blmove_generic(c, from, to, deadline);
}

void cmd_brpoplpush(struct client *c)
{
    int64_t deadline;
    if (blocking_parse_timeout_or_reply(c, &c->argv[3], &deadline) < 0) return;
    blmove_generic(c, QL_TAIL, QL_HEAD, deadline);
}
