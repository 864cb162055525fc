/* backend/t_set: the set commands (SADD SREM SMOVE SISMEMBER SMISMEMBER
 * SCARD SPOP SRANDMEMBER SMEMBERS SINTER SINTERCARD SUNION SDIFF and their
 * STORE forms, SSCAN), reply for reply and error for error as Redis 7.0.
 *
 * Encodings as Redis 7.0 (which has no listpack sets): an intset (intset.h)
 * while every member is an integer and there are at most
 * set-max-intset-entries of them, else a hashtable: a lib/dict of pointers
 * to small member blocks. A set converts once, intset to hashtable, and
 * never back. The entry holds the intset or dict pointer itself; every
 * operation works on a `struct setv` (encoding + pointer) so temporary
 * results (SUNION, SINTERSTORE) share the code, and the algorithms that
 * decide a stored result's encoding (which set is walked, added to or
 * removed from) follow Redis's so OBJECT ENCODING answers the same. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/args.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/evict.h"
#include "backend/intset.h"
#include "backend/propagate.h"
#include "backend/reply.h"
#include "backend/scan.h"
#include "backend/server.h"
#include "backend/t_set.h"
#include "lib/dict.h"
#include "lib/mem.h"
#include "lib/util.h"

/* ------------------------------------------------------------ set values */

struct set_member {
    size_t len;
    char buf[];
};

static const char *member_key(const void *m, size_t *len)
{
    const struct set_member *sm = m;
    *len = sm->len;
    return sm->buf;
}

static const struct dict_type member_type = {.entry_key = member_key};

static struct set_member *member_create(const char *p, size_t len)
{
    struct set_member *m = mem_alloc(sizeof(*m) + len);
    m->len = len;
    memcpy(m->buf, p, len);
    return m;
}

static void member_free(void *m, void *priv)
{
    (void)priv;
    mem_free(m);
}

/* A set value: ENC_INTSET with a struct intset, or ENC_HASHTABLE with a
 * struct dict of set_member. */
struct setv {
    int enc;
    void *ptr;
};

/* One member as bytes; integers are formatted into num. */
struct set_elem {
    const char *p;
    size_t len;
    char num[UTIL_LONG_STR_SIZE];
};

static void elem_from_int(struct set_elem *el, int64_t v)
{
    el->len = (size_t)util_ll2str(el->num, v);
    el->p = el->num;
}

static struct setv setv_of(const struct entry *e)
{
    return (struct setv){.enc = e->enc, .ptr = entry_ptr(e)};
}

/* Writes a value back into its entry (an intset moves as it grows). */
static void setv_put(struct entry *e, const struct setv *s)
{
    entry_set_ptr(e, s->ptr);
    e->enc = (uint32_t)s->enc;
}

static struct setv setv_new(int enc)
{
    struct setv s = {.enc = enc};
    s.ptr = enc == ENC_INTSET ? (void *)intset_create() : (void *)dict_create(&member_type);
    return s;
}

/* Redis's setTypeCreate: an intset if the first member is an integer. */
static struct setv setv_new_for(const char *p, size_t len)
{
    long long v;
    return setv_new(util_str2ll(p, len, &v) == 0 ? ENC_INTSET : ENC_HASHTABLE);
}

static void setv_free(void *ptr, int enc)
{
    if (enc == ENC_INTSET) {
        struct intset *is = ptr;
        intset_destroy(&is);
    } else {
        struct dict *d = ptr;
        dict_empty(d, member_free, NULL);
        dict_destroy(&d);
    }
}

static size_t setv_size(const struct setv *s)
{
    return s->enc == ENC_INTSET ? intset_len(s->ptr) : dict_size(s->ptr);
}

static int setv_has(const struct setv *s, const char *p, size_t len)
{
    if (s->enc == ENC_INTSET) {
        long long v;
        return util_str2ll(p, len, &v) == 0 && intset_find(s->ptr, v);
    }
    return dict_find(s->ptr, p, len) != NULL;
}

static void setv_to_hashtable(struct setv *s)
{
    struct intset *is = s->ptr;
    struct dict *d = dict_create(&member_type);
    struct set_elem el;
    for (uint32_t i = 0; i < intset_len(is); i++) {
        elem_from_int(&el, intset_get(is, i));
        dict_add(d, member_create(el.p, el.len));
    }
    intset_destroy(&is);
    s->enc = ENC_HASHTABLE;
    s->ptr = d;
}

static size_t intset_limit(void)
{
    long long max = server.cfg.set_max_intset_entries;
    return max >= (1LL << 30) ? (size_t)1 << 30 : (size_t)max;
}

/* Redis's setTypeAdd: returns 1 if added. A non-integer, or one integer
 * too many, turns an intset into a hashtable. */
static int setv_add(struct setv *s, const char *p, size_t len)
{
    if (s->enc == ENC_INTSET) {
        long long v;
        if (util_str2ll(p, len, &v) == 0) {
            int added;
            s->ptr = intset_add(s->ptr, v, &added);
            if (added && intset_len(s->ptr) > intset_limit()) setv_to_hashtable(s);
            return added;
        }
        setv_to_hashtable(s);
    }
    if (dict_find(s->ptr, p, len)) return 0;
    dict_add(s->ptr, member_create(p, len));
    return 1;
}

static int setv_remove(struct setv *s, const char *p, size_t len)
{
    if (s->enc == ENC_INTSET) {
        long long v;
        int removed = 0;
        if (util_str2ll(p, len, &v) == 0) s->ptr = intset_remove(s->ptr, v, &removed);
        return removed;
    }
    struct set_member *m = dict_delete(s->ptr, p, len);
    if (m == NULL) return 0;
    mem_free(m);
    return 1;
}

struct foreach_ctx {
    set_visit_fn *fn;
    void *priv;
};

static int foreach_member(void *priv, void *entry)
{
    struct foreach_ctx *ctx = priv;
    const struct set_member *m = entry;
    return ctx->fn(ctx->priv, m->buf, m->len);
}

static void setv_foreach(const struct setv *s, set_visit_fn *fn, void *priv)
{
    if (s->enc == ENC_INTSET) {
        struct set_elem el;
        for (uint32_t i = 0; i < intset_len(s->ptr); i++) {
            elem_from_int(&el, intset_get(s->ptr, i));
            if (fn(priv, el.p, el.len)) return;
        }
        return;
    }
    struct foreach_ctx ctx = {fn, priv};
    dict_foreach(s->ptr, foreach_member, &ctx);
}

static uint64_t set_rand(void)
{
    return ((uint64_t)(unsigned)rand() << 33) ^ ((uint64_t)(unsigned)rand() << 16) ^ (unsigned)rand();
}

/* A uniformly random member of a non-empty set. For a hashtable el->p
 * points into the member, valid until it is removed. */
static void setv_random(const struct setv *s, struct set_elem *el)
{
    if (s->enc == ENC_INTSET) {
        elem_from_int(el, intset_get(s->ptr, (uint32_t)(set_rand() % intset_len(s->ptr))));
        return;
    }
    const struct set_member *m = dict_random(s->ptr);
    el->p = m->buf;
    el->len = m->len;
}

static int copy_member(void *priv, const char *p, size_t len)
{
    setv_add(priv, p, len);
    return 0;
}

static void *setv_dup(const void *ptr, int enc)
{
    if (enc == ENC_INTSET) return intset_dup(ptr);
    struct setv src = {enc, (void *)ptr}, dst = setv_new(ENC_HASHTABLE);
    setv_foreach(&src, copy_member, &dst);
    return dst.ptr;
}

static int sum_member(void *priv, void *entry)
{
    size_t *n = priv;
    *n += mem_usable(entry);
    return 0;
}

static size_t setv_mem(const void *ptr, int enc)
{
    if (enc == ENC_INTSET) return intset_bytes(ptr);
    size_t n = dict_mem_bytes(ptr);
    dict_foreach((struct dict *)ptr, sum_member, &n);
    return n;
}

static size_t setv_count(const void *ptr, int enc)
{
    struct setv s = {enc, (void *)ptr};
    return setv_size(&s);
}

static const struct entry_type_ops set_ops = {
    .free_value = setv_free,
    .dup_value = setv_dup,
    .mem_value = setv_mem,
    .count = setv_count,
};

__attribute__((constructor)) static void set_register(void)
{
    entry_register_type(OBJ_SET, &set_ops);
}

size_t set_entry_size(const struct entry *e)
{
    struct setv s = setv_of(e);
    return setv_size(&s);
}

void set_entry_foreach(const struct entry *e, set_visit_fn *fn, void *priv)
{
    struct setv s = setv_of(e);
    setv_foreach(&s, fn, priv);
}

/* ---------------------------------------------------------------- helpers */


/* Looks a key up for a set command: 0 with *out (NULL if missing), or -1
 * after replying WRONGTYPE. */
static int lookup_set_or_reply(struct client *c, const struct arg *key, int write, struct entry **out)
{
    struct entry *e = write ? db_lookup_write(c->db, key->p, key->len) : db_lookup_read(c->db, key->p, key->len);
    if (e && e->type != OBJ_SET) {
        reply_error(c, ERR_WRONGTYPE);
        return -1;
    }
    *out = e;
    return 0;
}

/* After members were removed from e: deletes it when empty, else writes
 * the value back and marks it modified. */
static void set_after_remove(struct client *c, struct entry *e, struct setv *s, const struct arg *key)
{
    setv_put(e, s);
    if (setv_size(s) == 0) {
        db_delete(c->db, key->p, key->len);
        return;
    }
    if (s->enc == ENC_HASHTABLE) dict_maybe_shrink(s->ptr);
    db_modified(c->db, e);
}

/* Stores res at key as Redis's setKey (overwriting any type, dropping the
 * TTL, keeping the LFU counter), or deletes key when res is empty. Frees
 * res in that case; replies the stored size. */
static void store_result(struct client *c, const struct arg *key, struct setv *res)
{
    size_t n = setv_size(res);
    if (n == 0) {
        setv_free(res->ptr, res->enc);
        db_delete(c->db, key->p, key->len);
        reply_int(c, 0);
        return;
    }
    struct entry *e = entry_create_ptr(key->p, key->len, OBJ_SET, res->enc, res->ptr);
    struct entry *old = db_lookup_write(c->db, key->p, key->len);
    if (old) {
        uint32_t lru = old->lru;
        db_overwrite(c->db, old, e);
        if (evict_policy_is_lfu()) e->lru = lru;
    } else {
        db_add(c->db, e);
    }
    reply_int(c, (long long)n);
}

static int reply_member(void *priv, const char *p, size_t len)
{
    reply_bulk(priv, p, len);
    return 0;
}

/* ------------------------------------------------------- single-key cmds */

void cmd_sadd(struct client *c)
{
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    struct setv s = e ? setv_of(e) : setv_new_for(c->argv[2].p, c->argv[2].len);
    long long added = 0;
    for (int i = 2; i < c->argc; i++) added += setv_add(&s, c->argv[i].p, c->argv[i].len);
    if (e == NULL) {
        db_add(c->db, entry_create_ptr(c->argv[1].p, c->argv[1].len, OBJ_SET, s.enc, s.ptr));
    } else {
        setv_put(e, &s);
        if (added) db_modified(c->db, e);
    }
    reply_int(c, added);
}

void cmd_srem(struct client *c)
{
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    struct setv s = setv_of(e);
    long long removed = 0;
    for (int i = 2; i < c->argc && setv_size(&s) > 0; i++)
        removed += setv_remove(&s, c->argv[i].p, c->argv[i].len);
    if (removed) set_after_remove(c, e, &s, &c->argv[1]);
    else setv_put(e, &s);
    reply_int(c, removed);
}

void cmd_smove(struct client *c)
{
    struct entry *src = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    struct entry *dst = db_lookup_write(c->db, c->argv[2].p, c->argv[2].len);
    const struct arg *m = &c->argv[3];
    if (src == NULL) {
        reply_int(c, 0);
        return;
    }
    if (src->type != OBJ_SET || (dst && dst->type != OBJ_SET)) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    struct setv s = setv_of(src);
    if (src == dst) {
        reply_int(c, setv_has(&s, m->p, m->len));
        return;
    }
    if (!setv_remove(&s, m->p, m->len)) {
        reply_int(c, 0);
        return;
    }
    set_after_remove(c, src, &s, &c->argv[1]);
    if (dst == NULL) {
        struct setv d = setv_new_for(m->p, m->len);
        setv_add(&d, m->p, m->len);
        db_add(c->db, entry_create_ptr(c->argv[2].p, c->argv[2].len, OBJ_SET, d.enc, d.ptr));
    } else {
        struct setv d = setv_of(dst);
        int added = setv_add(&d, m->p, m->len);
        setv_put(dst, &d);
        if (added) db_modified(c->db, dst);
    }
    reply_int(c, 1);
}

void cmd_sismember(struct client *c)
{
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    struct setv s = e ? setv_of(e) : (struct setv){0};
    reply_int(c, e ? setv_has(&s, c->argv[2].p, c->argv[2].len) : 0);
}

void cmd_smismember(struct client *c)
{
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    struct setv s = e ? setv_of(e) : (struct setv){0};
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) reply_int(c, e ? setv_has(&s, c->argv[i].p, c->argv[i].len) : 0);
}

void cmd_scard(struct client *c)
{
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    struct setv s = e ? setv_of(e) : (struct setv){0};
    reply_int(c, e ? (long long)setv_size(&s) : 0);
}

/* ------------------------------------------------------ SPOP SRANDMEMBER */

/* Redis picks the members to keep instead of those to pop when those
 * are few (SPOP_MOVE_STRATEGY_MUL). */
#define SPOP_MOVE_MUL 5
#define SRANDMEMBER_SUB_MUL 3

/* Pops count < size members: one by one, or, when few members stay, by
 * moving those into a new set and popping the rest. The new set is made
 * as SADD would make it from the first member kept (Redis's
 * setTypeCreate), so a hashtable of integers can become an intset again
 * and an intset past a lowered limit a hashtable, exactly as in Redis. */
/* SPOP is random: it is logged as SREM of the members it popped. */
static int propagate_srem(void *priv, const char *p, size_t len)
{
    struct client *c = priv;
    propagate_replace3(c, "SREM", &c->argv[1], p, len);
    return 0;
}

static void spop_some(struct client *c, struct entry *e, struct setv *s, size_t count)
{
    size_t size = setv_size(s);
    struct set_elem el;
    reply_set(c, (long long)count);
    size_t remaining = size - count;
    if (remaining * SPOP_MOVE_MUL > count) {
        for (size_t i = 0; i < count; i++) {
            setv_random(s, &el);
            reply_bulk(c, el.p, el.len);
            propagate_replace3(c, "SREM", &c->argv[1], el.p, el.len);   /* random: log what went */
            setv_remove(s, el.p, el.len);
        }
        set_after_remove(c, e, s, &c->argv[1]);
        return;
    }
    struct setv keep = {0};
    for (size_t i = 0; i < remaining; i++) {
        setv_random(s, &el);
        if (i == 0) keep = setv_new_for(el.p, el.len);
        setv_add(&keep, el.p, el.len);
        setv_remove(s, el.p, el.len);
    }
    setv_foreach(s, reply_member, c);
    setv_foreach(s, propagate_srem, c);
    setv_free(s->ptr, s->enc);
    setv_put(e, &keep);
    db_modified(c->db, e);
}

static void spop_with_count(struct client *c)
{
    long long count;
    if (args_range_ll_or_reply(c, &c->argv[2], 0, LONG_MAX, &count, "value is out of range, must be positive") < 0)
        return;
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL || count == 0) {
        reply_set(c, 0);
        return;
    }
    struct setv s = setv_of(e);
    size_t size = setv_size(&s);
    if ((unsigned long long)count >= size) {
        /* Redis answers with SUNION of the key, a second (read) lookup */
        db_lookup_read(c->db, c->argv[1].p, c->argv[1].len);
        reply_set(c, (long long)size);
        setv_foreach(&s, reply_member, c);
        db_delete(c->db, c->argv[1].p, c->argv[1].len);
        propagate_replace_del(c, &c->argv[1]);
        return;
    }
    spop_some(c, e, &s, (size_t)count);
}

void cmd_spop(struct client *c)
{
    if (c->argc == 3) {
        spop_with_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 1, &e) < 0) return;
    if (e == NULL) {
        reply_null(c);
        return;
    }
    struct setv s = setv_of(e);
    struct set_elem el;
    setv_random(&s, &el);
    reply_bulk(c, el.p, el.len);
    propagate_replace3(c, "SREM", &c->argv[1], el.p, el.len);   /* random: log what went */
    setv_remove(&s, el.p, el.len);
    set_after_remove(c, e, &s, &c->argv[1]);
}

struct elem_array {
    struct set_elem *v;
    size_t n;
};

static int collect_elem(void *priv, const char *p, size_t len)
{
    struct elem_array *a = priv;
    struct set_elem *el = &a->v[a->n++];
    if (len < sizeof(el->num)) {       /* intset members: their text dies with the call */
        memcpy(el->num, p, len);
        el->p = el->num;
    } else {
        el->p = p;
    }
    el->len = len;
    return 0;
}

/* count distinct random members, 0 < count < size. Most of the set: all
 * members, shuffled partially. A few: random picks, deduplicated. */
static void srandmember_distinct(struct client *c, const struct setv *s, size_t count)
{
    size_t size = setv_size(s);
    reply_array(c, (long long)count);
    if (count * SRANDMEMBER_SUB_MUL > size) {
        struct elem_array a = {mem_alloc(size * sizeof(*a.v)), 0};
        setv_foreach(s, collect_elem, &a);
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)(set_rand() % (size - i));
            struct set_elem t = a.v[i];
            a.v[i] = a.v[j];
            a.v[j] = t;
            if (a.v[i].len < sizeof(a.v[i].num)) a.v[i].p = a.v[i].num;   /* moved: repoint */
            reply_bulk(c, a.v[i].p, a.v[i].len);
        }
        mem_free(a.v);
        return;
    }
    struct setv seen = setv_new(s->enc);
    struct set_elem el;
    for (size_t got = 0; got < count;) {
        setv_random(s, &el);
        if (!setv_add(&seen, el.p, el.len)) continue;
        reply_bulk(c, el.p, el.len);
        got++;
    }
    setv_free(seen.ptr, seen.enc);
}

static void srandmember_with_count(struct client *c)
{
    long long l;
    if (args_range_ll_or_reply(c, &c->argv[2], -LONG_MAX, LONG_MAX, &l, NULL) < 0) return;
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    if (e == NULL || l == 0) {
        reply_array(c, 0);
        return;
    }
    struct setv s = setv_of(e);
    size_t size = setv_size(&s);
    unsigned long long count = l < 0 ? (unsigned long long)-l : (unsigned long long)l;
    struct set_elem el;
    if (l < 0 || count == 1) {
        reply_array(c, (long long)count);
        for (unsigned long long i = 0; i < count; i++) {
            setv_random(&s, &el);
            reply_bulk(c, el.p, el.len);
        }
    } else if (count >= size) {
        reply_array(c, (long long)size);
        setv_foreach(&s, reply_member, c);
    } else {
        srandmember_distinct(c, &s, (size_t)count);
    }
}

void cmd_srandmember(struct client *c)
{
    if (c->argc == 3) {
        srandmember_with_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    if (e == NULL) {
        reply_null(c);
        return;
    }
    struct setv s = setv_of(e);
    struct set_elem el;
    setv_random(&s, &el);
    reply_bulk(c, el.p, el.len);
}

/* ------------------------------------------------------- multi-key cmds */

/* Looks up n keys (NULL for missing ones) as reads, also for the STORE
 * forms (Redis 7.0 counts their hits and misses). Every key is checked
 * for its type, even after a missing one, as Redis does. Returns -1 after
 * replying WRONGTYPE. */
static int lookup_sets_or_reply(struct client *c, const struct arg *keys, int n, struct entry **out)
{
    for (int j = 0; j < n; j++)
        if (lookup_set_or_reply(c, &keys[j], 0, &out[j]) < 0) return -1;
    return 0;
}

static int cmp_by_size(const void *a, const void *b)
{
    size_t x = set_entry_size(*(struct entry *const *)a), y = set_entry_size(*(struct entry *const *)b);
    return x < y ? -1 : x > y;
}

enum inter_mode { INTER_REPLY, INTER_STORE, INTER_CARD };

struct inter_ctx {
    struct client *c;
    struct entry **sets;
    int n;
    enum inter_mode mode;
    long long card, limit;
    struct setv *dst;
};

/* One member of the smallest set: kept if every other set has it. */
static int inter_visit(void *priv, const char *p, size_t len)
{
    struct inter_ctx *x = priv;
    for (int j = 1; j < x->n; j++) {
        if (x->sets[j] == x->sets[0]) continue;
        struct setv s = setv_of(x->sets[j]);
        if (!setv_has(&s, p, len)) return 0;
    }
    x->card++;
    if (x->mode == INTER_REPLY) reply_bulk(x->c, p, len);
    else if (x->mode == INTER_STORE) setv_add(x->dst, p, len);
    return x->mode == INTER_CARD && x->limit && x->card >= x->limit;
}

/* SINTER, SMEMBERS, SINTERSTORE (dstkey), SINTERCARD (card mode). Walks
 * the smallest set, as Redis, so the stored result's encoding matches. */
static void sinter_generic(struct client *c, const struct arg *keys, int n, const struct arg *dstkey,
                           enum inter_mode mode, long long limit)
{
    struct entry **sets = mem_alloc((size_t)n * sizeof(*sets));
    int empty = 0;
    if (lookup_sets_or_reply(c, keys, n, sets) < 0) goto out;
    for (int j = 0; j < n; j++) empty += sets[j] == NULL;
    if (empty) {
        if (mode == INTER_STORE) {
            db_delete(c->db, dstkey->p, dstkey->len);
            reply_int(c, 0);
        } else if (mode == INTER_CARD) {
            reply_int(c, 0);
        } else {
            reply_set(c, 0);
        }
        goto out;
    }
    qsort(sets, (size_t)n, sizeof(*sets), cmp_by_size);
    struct setv dst = {0};
    struct inter_ctx x = {c, sets, n, mode, 0, limit, &dst};
    size_t handle = 0;
    if (mode == INTER_STORE) dst = setv_new(ENC_INTSET);
    else if (mode == INTER_REPLY) handle = reply_defer(c);
    struct setv first = setv_of(sets[0]);
    setv_foreach(&first, inter_visit, &x);
    if (mode == INTER_STORE) store_result(c, dstkey, &dst);
    else if (mode == INTER_CARD) reply_int(c, x.card);
    else reply_defer_set(c, handle, '~', x.card);
out:
    mem_free(sets);
}

void cmd_sinter(struct client *c)
{
    sinter_generic(c, &c->argv[1], c->argc - 1, NULL, INTER_REPLY, 0);
}

void cmd_smembers(struct client *c)
{
    sinter_generic(c, &c->argv[1], 1, NULL, INTER_REPLY, 0);
}

void cmd_sinterstore(struct client *c)
{
    sinter_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], INTER_STORE, 0);
}

void cmd_sintercard(struct client *c)
{
    long long numkeys, limit = 0;
    if (args_range_ll_or_reply(c, &c->argv[1], 1, LONG_MAX, &numkeys, "numkeys should be greater than 0") < 0)
        return;
    if (numkeys > c->argc - 2) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    for (int i = 2 + (int)numkeys; i < c->argc; i++) {
        if (args_opt_is(&c->argv[i], "limit") && i + 1 < c->argc) {
            i++;
            if (args_range_ll_or_reply(c, &c->argv[i], 0, LONG_MAX, &limit, "LIMIT can't be negative") < 0)
                return;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    sinter_generic(c, &c->argv[2], (int)numkeys, NULL, INTER_CARD, limit);
}

enum { SET_OP_UNION, SET_OP_DIFF };

struct diff_ctx {
    struct entry **sets;
    int n;
    struct setv *dst;
};

/* Algorithm 1: a member of the first set is kept if no other set has it. */
static int diff_visit(void *priv, const char *p, size_t len)
{
    struct diff_ctx *x = priv;
    for (int j = 1; j < x->n; j++) {
        if (x->sets[j] == NULL) continue;
        struct setv s = setv_of(x->sets[j]);
        if (setv_has(&s, p, len)) return 0;
    }
    setv_add(x->dst, p, len);
    return 0;
}

static int remove_member(void *priv, const char *p, size_t len)
{
    setv_remove(priv, p, len);
    return 0;
}

static int cmp_by_size_desc(const void *a, const void *b)
{
    struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
    size_t sx = x ? set_entry_size(x) : 0, sy = y ? set_entry_size(y) : 0;
    return sx < sy ? 1 : sx > sy ? -1 : 0;
}

/* SDIFF into dst, choosing between Redis's two algorithms by the same
 * work estimate (walk the first set and probe the others, or copy the
 * first set and remove the others' members). */
static void sdiff_into(struct entry **sets, int n, struct setv *dst)
{
    long long work1 = 0, work2 = 0;
    for (int j = 0; j < n; j++) {
        if (sets[j] == NULL) continue;
        work1 += (long long)set_entry_size(sets[0]);
        work2 += (long long)set_entry_size(sets[j]);
    }
    if (work1 / 2 <= work2) {
        if (n > 1) qsort(sets + 1, (size_t)n - 1, sizeof(*sets), cmp_by_size_desc);
        struct diff_ctx x = {sets, n, dst};
        struct setv first = setv_of(sets[0]);
        setv_foreach(&first, diff_visit, &x);
        return;
    }
    for (int j = 0; j < n; j++) {
        if (sets[j] == NULL) continue;
        struct setv s = setv_of(sets[j]);
        setv_foreach(&s, j == 0 ? copy_member : remove_member, dst);
        if (setv_size(dst) == 0) break;
    }
}

static void sunion_diff_generic(struct client *c, const struct arg *keys, int n, const struct arg *dstkey, int op)
{
    struct entry **sets = mem_alloc((size_t)n * sizeof(*sets));
    int sameset = 0;
    if (lookup_sets_or_reply(c, keys, n, sets) < 0) goto out;
    for (int j = 1; j < n; j++)
        if (sets[j] && sets[j] == sets[0]) sameset = 1;
    struct setv dst = setv_new(ENC_INTSET);
    if (op == SET_OP_UNION) {
        for (int j = 0; j < n; j++) {
            if (sets[j] == NULL) continue;
            struct setv s = setv_of(sets[j]);
            setv_foreach(&s, copy_member, &dst);
        }
    } else if (sets[0] && !sameset) {
        sdiff_into(sets, n, &dst);
    }
    if (dstkey) {
        store_result(c, dstkey, &dst);
    } else {
        reply_set(c, (long long)setv_size(&dst));
        setv_foreach(&dst, reply_member, c);
        setv_free(dst.ptr, dst.enc);
    }
out:
    mem_free(sets);
}

void cmd_sunion(struct client *c)
{
    sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, SET_OP_UNION);
}

void cmd_sunionstore(struct client *c)
{
    sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], SET_OP_UNION);
}

void cmd_sdiff(struct client *c)
{
    sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, SET_OP_DIFF);
}

void cmd_sdiffstore(struct client *c)
{
    sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], SET_OP_DIFF);
}

/* ------------------------------------------------------------------ SSCAN */

struct sscan_out {
    struct client *c;
    const struct scan_opts *o;
    long long n;
};

static int sscan_emit(void *priv, const char *p, size_t len)
{
    struct sscan_out *out = priv;
    if (!scan_match(out->o, p, len)) return 0;
    reply_bulk(out->c, p, len);
    out->n++;
    return 0;
}

/* An intset answers whole with cursor 0, as Redis; a hashtable is walked
 * with dict_scan (at most 10 * COUNT buckets per call). */
void cmd_sscan(struct client *c)
{
    uint64_t cursor;
    if (scan_parse_cursor_or_reply(c, &c->argv[2], &cursor) < 0) return;
    struct entry *e;
    if (lookup_set_or_reply(c, &c->argv[1], 0, &e) < 0) return;
    if (e == NULL) {
        scan_reply_empty(c);
        return;
    }
    struct scan_opts o;
    if (scan_parse_opts_or_reply(c, 3, 0, &o) < 0) return;
    struct sscan_out out = {c, &o, 0};
    struct setv s = setv_of(e);
    if (s.enc == ENC_INTSET) {
        size_t handle = scan_reply_begin(c, 0);
        setv_foreach(&s, sscan_emit, &out);
        scan_reply_end(c, handle, out.n);
        return;
    }
    struct scan_batch got = {0};
    cursor = scan_dict(s.ptr, cursor, o.count, 1, &got);
    size_t handle = scan_reply_begin(c, cursor);
    for (size_t i = 0; i < got.n; i++) {
        const struct set_member *m = got.v[i];
        sscan_emit(&out, m->buf, m->len);
    }
    scan_reply_end(c, handle, out.n);
    mem_free(got.v);
}
