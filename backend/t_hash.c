/* backend/t_hash.c: the hash commands, reply for reply and error for error
 * as Redis 7.0.
 *
 * Two encodings, switched as Redis switches them so OBJECT ENCODING and the
 * reply order of small hashes match: a listpack of field, value, field,
 * value... (lpack.h) while the hash has at most hash-max-listpack-entries
 * fields and no field or value longer than hash-max-listpack-value bytes,
 * else a lib/dict of hnode (field and value in one block). Like Redis, a
 * hash never goes back to a listpack. Commands talk to the hash_* layer
 * below, which hides the encoding; only HSCAN and HRANDFIELD look inside,
 * because their Redis behaviour differs by encoding. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/args.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/lpack.h"
#include "backend/propagate.h"
#include "backend/reply.h"
#include "backend/scan.h"
#include "backend/server.h"
#include "backend/t_hash.h"
#include "lib/dict.h"
#include "lib/mem.h"
#include "lib/util.h"

static const char *const ERR_HASH_NOTINT = "hash value is not an integer";
static const char *const ERR_HASH_NOTFLOAT = "hash value is not a float";

/* A field of a hashtable-encoded hash: field bytes then value bytes. */
struct hnode {
    uint32_t flen, vlen;
    char data[];
};

static const char *hnode_key(const void *n, size_t *len)
{
    const struct hnode *h = n;
    *len = h->flen;
    return h->data;
}

static const struct dict_type hash_dict_type = {.entry_key = hnode_key};

static struct hnode *hnode_create(const char *f, size_t flen, const char *v, size_t vlen)
{
    struct hnode *n = mem_alloc(sizeof(*n) + flen + vlen);
    n->flen = (uint32_t)flen;
    n->vlen = (uint32_t)vlen;
    if (flen) memcpy(n->data, f, flen);
    if (vlen) memcpy(n->data + flen, v, vlen);
    return n;
}

static const char *hnode_val(const struct hnode *n) { return n->data + n->flen; }

/* ------------------------------------------------------ the hash layer */

static size_t hash_len(const struct entry *e)
{
    void *p = entry_ptr(e);
    return e->enc == ENC_LISTPACK ? lp_count(p) / 2 : dict_size(p);
}

/* The value of field f into v (bytes; for the listpack maybe an integer);
 * 0 if the field is absent. v points into the hash until it changes. */
static int hash_get(const struct entry *e, const char *f, size_t flen, struct lp_val *v)
{
    if (e->enc == ENC_LISTPACK) {
        unsigned char *lp = entry_ptr(e);
        size_t off = lp_find(lp, lp_first(lp), f, flen, 1);
        if (off == 0) return 0;
        lp_get(lp, lp_next(lp, off), v);
        return 1;
    }
    struct hnode *n = dict_find(entry_ptr(e), f, flen);
    if (n == NULL) return 0;
    v->p = hnode_val(n);
    v->len = n->vlen;
    v->is_int = 0;
    return 1;
}

int hash_get_field(const struct entry *e, const char *f, size_t flen, struct lp_val *v)
{
    return hash_get(e, f, flen, v);
}

static void hash_convert(struct entry *e)
{
    unsigned char *lp = entry_ptr(e);
    struct dict *d = dict_create(&hash_dict_type);
    for (size_t off = lp_first(lp); off; off = lp_next(lp, lp_next(lp, off))) {
        struct lp_val f, v;
        lp_get(lp, off, &f);
        lp_get(lp, lp_next(lp, off), &v);
        dict_add(d, hnode_create(f.p, f.len, v.p, v.len));
    }
    lp_destroy(&lp);
    entry_set_ptr(e, d);
    e->enc = ENC_HASHTABLE;
}

/* Sets field f to v; returns 1 if the field is new. Converts the hash to a
 * hashtable first when f or v is too long for a listpack, after when it
 * has too many fields (Redis's hashTypeSet). */
static int hash_set(struct entry *e, const char *f, size_t flen, const char *v, size_t vlen)
{
    size_t maxval = (size_t)server.cfg.hash_max_listpack_value;
    if (e->enc == ENC_LISTPACK && (flen > maxval || vlen > maxval)) hash_convert(e);
    if (e->enc == ENC_LISTPACK) {
        unsigned char *lp = entry_ptr(e);
        size_t off = lp_find(lp, lp_first(lp), f, flen, 1);
        if (off) {
            entry_set_ptr(e, lp_replace(lp, lp_next(lp, off), v, vlen));
            return 0;
        }
        lp = lp_append(lp, f, flen);
        entry_set_ptr(e, lp_append(lp, v, vlen));
        if (hash_len(e) > (size_t)server.cfg.hash_max_listpack_entries) hash_convert(e);
        return 1;
    }
    struct dict *d = entry_ptr(e);
    struct hnode *old = dict_find(d, f, flen), *n = hnode_create(f, flen, v, vlen);
    if (old) {
        dict_replace(d, old, n);
        mem_free(old);
        return 0;
    }
    dict_add(d, n);
    return 1;
}

static int hash_delete(struct entry *e, const char *f, size_t flen)
{
    if (e->enc == ENC_LISTPACK) {
        unsigned char *lp = entry_ptr(e);
        size_t off = lp_find(lp, lp_first(lp), f, flen, 1);
        if (off == 0) return 0;
        entry_set_ptr(e, lp_delete(lp, off, 2));
        return 1;
    }
    struct dict *d = entry_ptr(e);
    struct hnode *n = dict_delete(d, f, flen);
    if (n == NULL) return 0;
    mem_free(n);
    dict_maybe_shrink(d);
    return 1;
}

/* Calls fn on every field and value in the hash's order. */
typedef void hash_visit_fn(void *priv, const char *f, size_t flen, const char *v, size_t vlen);

struct visit_ctx {
    hash_visit_fn *fn;
    void *priv;
};

static int visit_node(void *priv, void *entry)
{
    struct visit_ctx *x = priv;
    struct hnode *n = entry;
    x->fn(x->priv, n->data, n->flen, hnode_val(n), n->vlen);
    return 0;
}

static void hash_foreach(const struct entry *e, hash_visit_fn *fn, void *priv)
{
    if (e->enc == ENC_LISTPACK) {
        unsigned char *lp = entry_ptr(e);
        for (size_t off = lp_first(lp); off; off = lp_next(lp, lp_next(lp, off))) {
            struct lp_val f, v;
            lp_get(lp, off, &f);
            lp_get(lp, lp_next(lp, off), &v);
            fn(priv, f.p, f.len, v.p, v.len);
        }
        return;
    }
    struct visit_ctx x = {fn, priv};
    dict_foreach(entry_ptr(e), visit_node, &x);
}

/* ------------------------------------------------------- entry hooks */

static void free_node(void *entry, void *priv)
{
    (void)priv;
    mem_free(entry);
}

static void hash_free_value(void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) {
        unsigned char *lp = ptr;
        lp_destroy(&lp);
        return;
    }
    struct dict *d = ptr;
    dict_empty(d, free_node, NULL);
    dict_destroy(&d);
}

static int dup_node(void *priv, void *entry)
{
    struct hnode *n = entry;
    dict_add(priv, hnode_create(n->data, n->flen, hnode_val(n), n->vlen));
    return 0;
}

static void *hash_dup_value(const void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) return lp_dup(ptr);
    struct dict *d = dict_create(&hash_dict_type);
    dict_foreach((struct dict *)ptr, dup_node, d);
    return d;
}

static int mem_node(void *priv, void *entry)
{
    *(size_t *)priv += mem_usable(entry);
    return 0;
}

static size_t hash_mem_value(const void *ptr, int enc)
{
    if (enc == ENC_LISTPACK) return mem_usable((void *)ptr);
    size_t n = dict_mem_bytes(ptr);
    dict_foreach((struct dict *)ptr, mem_node, &n);
    return n;
}

static size_t hash_count(const void *ptr, int enc)
{
    return enc == ENC_LISTPACK ? lp_count(ptr) / 2 : dict_size(ptr);
}

size_t hash_entry_size(const struct entry *e) { return hash_len(e); }

struct hash_walk {
    hash_field_fn *fn;
    void *priv;
};

static int hnode_walk(void *priv, void *node)
{
    struct hash_walk *hv = priv;
    const struct hnode *n = node;
    return hv->fn(hv->priv, n->data, n->flen, hnode_val(n), n->vlen);
}

void hash_entry_foreach(const struct entry *e, hash_field_fn *fn, void *priv)
{
    void *p = entry_ptr(e);
    if (e->enc != ENC_LISTPACK) {
        struct hash_walk hv = {fn, priv};
        dict_foreach(p, hnode_walk, &hv);
        return;
    }
    for (size_t off = lp_first(p); off; off = lp_next(p, lp_next(p, off))) {
        struct lp_val f, v;
        lp_get(p, off, &f);
        lp_get(p, lp_next(p, off), &v);
        if (fn(priv, f.p, f.len, v.p, v.len)) return;
    }
}

static const struct entry_type_ops hash_ops = {
    .free_value = hash_free_value,
    .dup_value = hash_dup_value,
    .mem_value = hash_mem_value,
    .count = hash_count,
};

/* xorshift64* for HRANDFIELD, seeded once at start. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

__attribute__((constructor)) static void hash_register(void)
{
    entry_register_type(OBJ_HASH, &hash_ops);
    rng_state = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)&rng_state;
    if (rng_state == 0) rng_state = 1;
}

/* ------------------------------------------------------------- lookups */

/* The hash at argv[1]: NULL if absent, or (after replying WRONGTYPE, with
 * *wrong set) of another type. */
static struct entry *hash_lookup(struct client *c, int write, int *wrong)
{
    struct entry *e = write ? db_lookup_write(c->db, c->argv[1].p, c->argv[1].len)
                            : db_lookup_read(c->db, c->argv[1].p, c->argv[1].len);
    *wrong = 0;
    if (e != NULL && e->type != OBJ_HASH) {
        reply_error(c, ERR_WRONGTYPE);
        *wrong = 1;
        return NULL;
    }
    return e;
}

/* Redis's hashTypeLookupWriteOrCreate: the hash at argv[1], a new empty
 * one if absent, NULL after a WRONGTYPE reply. */
static struct entry *hash_lookup_create_or_reply(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 1, &wrong);
    if (wrong) return NULL;
    if (e == NULL) {
        e = entry_create_ptr(c->argv[1].p, c->argv[1].len, OBJ_HASH, ENC_LISTPACK, lp_create());
        db_add(c->db, e);
    }
    return e;
}

/* -------------------------------------------------------------- setters */

static void hset_generic(struct client *c, int is_hmset)
{
    if (c->argc % 2 == 1) {
        reply_wrong_arity(c, is_hmset ? "hmset" : "hset");
        return;
    }
    struct entry *e = hash_lookup_create_or_reply(c);
    if (e == NULL) return;
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2)
        created += hash_set(e, c->argv[i].p, c->argv[i].len, c->argv[i + 1].p, c->argv[i + 1].len);
    db_modified(c->db, e);
    if (is_hmset) reply_ok(c);
    else reply_int(c, created);
}

void cmd_hset(struct client *c) { hset_generic(c, 0); }
void cmd_hmset(struct client *c) { hset_generic(c, 1); }

void cmd_hsetnx(struct client *c)
{
    struct entry *e = hash_lookup_create_or_reply(c);
    if (e == NULL) return;
    struct lp_val v;
    if (hash_get(e, c->argv[2].p, c->argv[2].len, &v)) {
        reply_int(c, 0);
        return;
    }
    hash_set(e, c->argv[2].p, c->argv[2].len, c->argv[3].p, c->argv[3].len);
    db_modified(c->db, e);
    reply_int(c, 1);
}

void cmd_hdel(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 1, &wrong);
    if (wrong) return;
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        deleted += hash_delete(e, c->argv[i].p, c->argv[i].len);
        if (hash_len(e) == 0) break;
    }
    if (hash_len(e) == 0) db_delete(c->db, c->argv[1].p, c->argv[1].len);
    else if (deleted) db_modified(c->db, e);
    reply_int(c, deleted);
}

void cmd_hincrby(struct client *c)
{
    long long incr, value = 0;
    if (util_str2ll(c->argv[3].p, c->argv[3].len, &incr) < 0) {
        reply_error(c, ERR_NOTINT);
        return;
    }
    struct entry *e = hash_lookup_create_or_reply(c);
    if (e == NULL) return;
    struct lp_val v;
    if (hash_get(e, c->argv[2].p, c->argv[2].len, &v)) {
        if (v.is_int) value = v.ll;
        else if (util_str2ll(v.p, v.len, &value) < 0) {
            reply_error(c, ERR_HASH_NOTINT);
            return;
        }
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(c, "increment or decrement would overflow");
        return;
    }
    value += incr;
    char buf[UTIL_LONG_STR_SIZE];
    size_t len = (size_t)util_ll2str(buf, value);
    hash_set(e, c->argv[2].p, c->argv[2].len, buf, len);
    db_modified(c->db, e);
    reply_int(c, value);
}

void cmd_hincrbyfloat(struct client *c)
{
    long double incr, value = 0;
    if (util_str2ld(c->argv[3].p, c->argv[3].len, &incr) < 0) {
        reply_error(c, ERR_NOTFLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "value is NaN or Infinity");
        return;
    }
    struct entry *e = hash_lookup_create_or_reply(c);
    if (e == NULL) return;
    struct lp_val v;
    if (hash_get(e, c->argv[2].p, c->argv[2].len, &v)) {
        if (v.is_int) value = (long double)v.ll;
        else if (util_str2ld(v.p, v.len, &value) < 0) {
            reply_error(c, ERR_HASH_NOTFLOAT);
            return;
        }
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    char buf[UTIL_LD_STR_SIZE];
    size_t len = (size_t)util_ld2str(buf, sizeof(buf), value);
    hash_set(e, c->argv[2].p, c->argv[2].len, buf, len);
    db_modified(c->db, e);
    reply_bulk(c, buf, len);
    struct arg argv[4] = {{"HSET", 4}, c->argv[1], c->argv[2], {buf, len}};
    propagate_replace(c, 4, argv);       /* the result, so replay cannot round differently */
}

/* -------------------------------------------------------------- getters */

void cmd_hget(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    struct lp_val v;
    if (e == NULL || !hash_get(e, c->argv[2].p, c->argv[2].len, &v)) reply_null(c);
    else reply_bulk(c, v.p, v.len);
}

void cmd_hmget(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct lp_val v;
        if (e == NULL || !hash_get(e, c->argv[i].p, c->argv[i].len, &v)) reply_null(c);
        else reply_bulk(c, v.p, v.len);
    }
}

void cmd_hexists(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    struct lp_val v;
    reply_int(c, e != NULL && hash_get(e, c->argv[2].p, c->argv[2].len, &v));
}

void cmd_hstrlen(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    struct lp_val v;
    reply_int(c, e != NULL && hash_get(e, c->argv[2].p, c->argv[2].len, &v) ? (long long)v.len : 0);
}

void cmd_hlen(struct client *c)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    reply_int(c, e ? (long long)hash_len(e) : 0);
}

enum { HG_KEYS = 1, HG_VALS = 2 };

struct hgetall_ctx {
    struct client *c;
    int what;
};

static void hgetall_one(void *priv, const char *f, size_t flen, const char *v, size_t vlen)
{
    struct hgetall_ctx *x = priv;
    if (x->what & HG_KEYS) reply_bulk(x->c, f, flen);
    if (x->what & HG_VALS) reply_bulk(x->c, v, vlen);
}

static void hgetall_generic(struct client *c, int what)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    long long n = e ? (long long)hash_len(e) : 0;
    if (what == (HG_KEYS | HG_VALS)) reply_map(c, n);
    else reply_array(c, n);
    if (e == NULL) return;
    struct hgetall_ctx x = {c, what};
    hash_foreach(e, hgetall_one, &x);
}

void cmd_hgetall(struct client *c) { hgetall_generic(c, HG_KEYS | HG_VALS); }
void cmd_hkeys(struct client *c) { hgetall_generic(c, HG_KEYS); }
void cmd_hvals(struct client *c) { hgetall_generic(c, HG_VALS); }

/* ------------------------------------------------------------------ HSCAN */

/* A listpack hash is returned whole with cursor 0, whatever COUNT says. */
static void hscan_listpack(struct client *c, const unsigned char *lp, const struct scan_opts *o)
{
    size_t handle = scan_reply_begin(c, 0);
    long long n = 0;
    for (size_t off = lp_first(lp); off; off = lp_next(lp, lp_next(lp, off))) {
        struct lp_val f, v;
        lp_get(lp, off, &f);
        if (!scan_match(o, f.p, f.len)) continue;
        lp_get(lp, lp_next(lp, off), &v);
        reply_bulk(c, f.p, f.len);
        reply_bulk(c, v.p, v.len);
        n += 2;
    }
    scan_reply_end(c, handle, n);
}

/* Redis counts fields and values (2 per field) against COUNT. */
static void hscan_dict(struct client *c, struct dict *d, uint64_t cursor, const struct scan_opts *o)
{
    struct scan_batch b = {0};
    cursor = scan_dict(d, cursor, o->count, 2, &b);
    size_t handle = scan_reply_begin(c, cursor);
    long long n = 0;
    for (size_t i = 0; i < b.n; i++) {
        const struct hnode *h = b.v[i];
        if (!scan_match(o, h->data, h->flen)) continue;
        reply_bulk(c, h->data, h->flen);
        reply_bulk(c, hnode_val(h), h->vlen);
        n += 2;
    }
    scan_reply_end(c, handle, n);
    mem_free(b.v);
}

void cmd_hscan(struct client *c)
{
    uint64_t cursor;
    if (scan_parse_cursor_or_reply(c, &c->argv[2], &cursor) < 0) return;
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    if (e == NULL) {
        scan_reply_empty(c);
        return;
    }
    struct scan_opts o;
    if (scan_parse_opts_or_reply(c, 3, 0, &o) < 0) return;
    if (e->enc == ENC_LISTPACK) hscan_listpack(c, entry_ptr(e), &o);
    else hscan_dict(c, entry_ptr(e), cursor, &o);
}

/* ------------------------------------------------------------- HRANDFIELD */

/* One field (and value) of HRANDFIELD's reply: a [field, value] pair in
 * RESP3 when WITHVALUES, else flat. */
static void hrand_reply_one(struct client *c, int withvalues, const char *f, size_t flen,
                            const char *v, size_t vlen)
{
    if (withvalues && c->resp > 2) reply_array(c, 2);
    reply_bulk(c, f, flen);
    if (withvalues) reply_bulk(c, v, vlen);
}

static void hrand_reply_header(struct client *c, int withvalues, unsigned long long count)
{
    reply_array(c, (long long)(withvalues && c->resp == 2 ? count * 2 : count));
}

/* The offsets of every field of a listpack hash (a caller frees them). */
static size_t *lp_field_offsets(const unsigned char *lp, size_t *n)
{
    *n = lp_count(lp) / 2;
    size_t *offs = mem_alloc((*n ? *n : 1) * sizeof(*offs)), i = 0;
    for (size_t off = lp_first(lp); off; off = lp_next(lp, lp_next(lp, off))) offs[i++] = off;
    return offs;
}

static void hrand_reply_lp(struct client *c, int withvalues, const unsigned char *lp, size_t off)
{
    struct lp_val f, v;
    lp_get(lp, off, &f);
    lp_get(lp, lp_next(lp, off), &v);
    hrand_reply_one(c, withvalues, f.p, f.len, v.p, v.len);
}

static void hrand_reply_node(struct client *c, int withvalues, const struct hnode *n)
{
    hrand_reply_one(c, withvalues, n->data, n->flen, hnode_val(n), n->vlen);
}

/* count picks with repetition (a negative COUNT, or COUNT 1). */
static void hrand_repeating(struct client *c, struct entry *e, unsigned long long count, int withvalues)
{
    hrand_reply_header(c, withvalues, count);
    if (e->enc == ENC_LISTPACK) {
        const unsigned char *lp = entry_ptr(e);
        size_t n, *offs = lp_field_offsets(lp, &n);
        while (count-- && !(c->flags & CLIENT_CLOSE_ASAP))
            hrand_reply_lp(c, withvalues, lp, offs[rng_next() % n]);
        mem_free(offs);
        return;
    }
    while (count-- && !(c->flags & CLIENT_CLOSE_ASAP))
        hrand_reply_node(c, withvalues, dict_random(entry_ptr(e)));
}

struct node_array {
    struct hnode **v;
    size_t n;
};

static int node_array_add(void *priv, void *entry)
{
    struct node_array *a = priv;
    a->v[a->n++] = entry;
    return 0;
}

/* count distinct fields, count < size: a partial shuffle of all of them,
 * or for few of many fields, random picks with a set of those taken. */
static void hrand_unique(struct client *c, struct entry *e, size_t count, int withvalues)
{
    size_t size = hash_len(e);
    hrand_reply_header(c, withvalues, count);
    if (e->enc == ENC_LISTPACK) {
        const unsigned char *lp = entry_ptr(e);
        size_t n, *offs = lp_field_offsets(lp, &n);
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)(rng_next() % (n - i)), t = offs[i];
            offs[i] = offs[j];
            offs[j] = t;
            hrand_reply_lp(c, withvalues, lp, offs[i]);
        }
        mem_free(offs);
        return;
    }
    struct dict *d = entry_ptr(e);
    if (count * 3 > size) {
        struct node_array a = {mem_alloc(size * sizeof(*a.v)), 0};
        dict_foreach(d, node_array_add, &a);
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)(rng_next() % (a.n - i));
            struct hnode *t = a.v[i];
            a.v[i] = a.v[j];
            a.v[j] = t;
            hrand_reply_node(c, withvalues, a.v[i]);
        }
        mem_free(a.v);
        return;
    }
    struct dict *taken = dict_create(&hash_dict_type);
    while (dict_size(taken) < count) {
        struct hnode *n = dict_random(d);
        if (dict_find(taken, n->data, n->flen)) continue;
        dict_add(taken, n);
        hrand_reply_node(c, withvalues, n);
    }
    dict_destroy(&taken);
}

static void hrand_all(void *priv, const char *f, size_t flen, const char *v, size_t vlen)
{
    struct hgetall_ctx *x = priv;
    hrand_reply_one(x->c, x->what, f, flen, v, vlen);
}

static void hrandfield_count(struct client *c, long long l, int withvalues)
{
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    if (e == NULL || l == 0) {
        reply_array(c, 0);
        return;
    }
    size_t size = hash_len(e);
    int uniq = l > 0;
    unsigned long long count = l > 0 ? (unsigned long long)l : 0 - (unsigned long long)l;
    if (!uniq || count == 1) {
        hrand_repeating(c, e, count, withvalues);
    } else if (count >= size) {
        hrand_reply_header(c, withvalues, size);
        struct hgetall_ctx x = {c, withvalues};
        hash_foreach(e, hrand_all, &x);
    } else {
        hrand_unique(c, e, (size_t)count, withvalues);
    }
}

void cmd_hrandfield(struct client *c)
{
    if (c->argc >= 3) {
        long long l;
        int withvalues;
        if (args_rand_count_or_reply(c, "withvalues", &l, &withvalues) < 0) return;
        hrandfield_count(c, l, withvalues);
        return;
    }
    int wrong;
    struct entry *e = hash_lookup(c, 0, &wrong);
    if (wrong) return;
    if (e == NULL) {
        reply_null(c);
        return;
    }
    if (e->enc == ENC_LISTPACK) {
        const unsigned char *lp = entry_ptr(e);
        struct lp_val f;
        lp_get(lp, lp_seek(lp, 2 * (long long)(rng_next() % hash_len(e))), &f);
        reply_bulk(c, f.p, f.len);
        return;
    }
    struct hnode *n = dict_random(entry_ptr(e));
    reply_bulk(c, n->data, n->flen);
}
