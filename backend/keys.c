/* backend/keys.c: the generic key commands (DEL, EXISTS, TYPE, the EXPIRE
 * and TTL families, PERSIST, RENAME, COPY, MOVE, SCAN, KEYS, RANDOMKEY),
 * reply for reply as Redis 7.0.15.
 *
 * Which lookup each command uses matters for INFO (keyspace hits/misses,
 * expired_keys) and for the LRU clock, so it follows Redis: TOUCH and COPY
 * read (stats, touch), EXISTS/TYPE/TTL read without touching, the writers
 * look up for write (no stats). Every lookup expires lazily.
 *
 * RENAME and MOVE hand the value over to a new entry instead of copying it,
 * so they cost O(1) like Redis whatever the value's size; the TTL, memcached
 * flags and LRU data go with it. COPY deep-copies (entry_dup). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/args.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/propagate.h"
#include "backend/reply.h"
#include "backend/scan.h"
#include "backend/server.h"
#include "lib/dict.h"
#include "lib/mem.h"
#include "lib/util.h"

static const char *const ERR_SAMEOBJ = "source and destination objects are the same";
static const char *const ERR_DBRANGE = "DB index is out of range";

static int arg_is(const struct client *c, int i, const char *s)
{
    return util_eq_nocase(c->argv[i].p, c->argv[i].len, s);
}

static int arg_eq(const struct client *c, int i, int j)
{
    return c->argv[i].len == c->argv[j].len && memcmp(c->argv[i].p, c->argv[j].p, c->argv[i].len) == 0;
}

/* Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): expires, counts
 * hits/misses, leaves the LRU/LFU data alone. */
static struct entry *lookup_notouch(struct db *db, const char *key, size_t klen)
{
    struct entry *e = db_peek(db, key, klen);
    if (e && db_entry_expired(e, server.now_ms)) e = db_lookup_write(db, key, klen);
    if (e) server.stat.keyspace_hits++;
    else server.stat.keyspace_misses++;
    return e;
}

/* getIntFromObjectOrReply + selectDb: the database named by argv[i], or
 * NULL after replying the error. */
static struct db *target_db_or_reply(struct client *c, int i)
{
    long long id;
    if (args_range_ll_or_reply(c, &c->argv[i], INT_MIN, INT_MAX, &id, NULL) < 0) return NULL;
    struct db *db = db_get((int)id);
    if (db == NULL) reply_error(c, ERR_DBRANGE);
    return db;
}

/* ---- DEL UNLINK EXISTS TOUCH TYPE ---- */

static void del_generic(struct client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++) n += db_delete(c->db, c->argv[i].p, c->argv[i].len);
    reply_int(c, n);
}

void cmd_del(struct client *c) { del_generic(c); }
void cmd_unlink(struct client *c) { del_generic(c); }

void cmd_exists(struct client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (lookup_notouch(c->db, c->argv[i].p, c->argv[i].len)) n++;
    reply_int(c, n);
}

void cmd_touch(struct client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup_read(c->db, c->argv[i].p, c->argv[i].len)) n++;
    reply_int(c, n);
}

void cmd_type(struct client *c)
{
    struct entry *e = lookup_notouch(c->db, c->argv[1].p, c->argv[1].len);
    reply_simple(c, e ? entry_type_name(e) : "none");
}

/* ---- EXPIRE PEXPIRE EXPIREAT PEXPIREAT ---- */

#define EXP_NX 1
#define EXP_XX 2
#define EXP_GT 4
#define EXP_LT 8

/* The NX/XX/GT/LT options from argv[3] on; -1 after replying an error. */
static int expire_flags_or_reply(struct client *c)
{
    int flags = 0;
    for (int i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "nx")) flags |= EXP_NX;
        else if (arg_is(c, i, "xx")) flags |= EXP_XX;
        else if (arg_is(c, i, "gt")) flags |= EXP_GT;
        else if (arg_is(c, i, "lt")) flags |= EXP_LT;
        else {
            /* Redis prints the option as a C string: up to a NUL byte */
            const char *nul = memchr(c->argv[i].p, '\0', c->argv[i].len);
            size_t len = nul ? (size_t)(nul - c->argv[i].p) : c->argv[i].len;
            reply_errorf(c, "Unsupported option %.*s", (int)len, c->argv[i].p);
            return -1;
        }
    }
    if ((flags & EXP_NX) && (flags & (EXP_XX | EXP_GT | EXP_LT))) {
        reply_error(c, "NX and XX, GT or LT options at the same time are not compatible");
        return -1;
    }
    if ((flags & EXP_GT) && (flags & EXP_LT)) {
        reply_error(c, "GT and LT options at the same time are not compatible");
        return -1;
    }
    return flags;
}

/* Whether the options let the new expiry `when` replace `cur` (-1: none). */
static int expire_allowed(int flags, int64_t cur, long long when)
{
    if ((flags & EXP_NX) && cur != -1) return 0;
    if ((flags & EXP_XX) && cur == -1) return 0;
    if ((flags & EXP_GT) && (cur == -1 || when <= cur)) return 0;
    if ((flags & EXP_LT) && cur != -1 && when >= cur) return 0;
    return 1;
}

/* The absolute time in ms from argv[2]; -1 after replying an error. */
static int expire_when_or_reply(struct client *c, long long basetime, int seconds, long long *when)
{
    long long v;
    if (util_str2ll(c->argv[2].p, c->argv[2].len, &v) < 0) {
        reply_error(c, ERR_NOTINT);
        return -1;
    }
    if (seconds) {
        if (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000) goto overflow;
        v *= 1000;
    }
    if (v > LLONG_MAX - basetime) goto overflow;
    *when = v + basetime;
    return 0;
overflow:
    reply_errorf(c, "invalid expire time in '%s' command", c->cmd->name);
    return -1;
}

static void expire_generic(struct client *c, long long basetime, int seconds)
{
    long long when;
    int flags = expire_flags_or_reply(c);
    if (flags < 0 || expire_when_or_reply(c, basetime, seconds, &when) < 0) return;
    struct entry *e = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    if (e == NULL || !expire_allowed(flags, entry_expire(e), when)) {
        reply_int(c, 0);
        return;
    }
    if (when <= server.now_ms && !server.loading) {
        db_delete(c->db, c->argv[1].p, c->argv[1].len);
        propagate_replace_del(c, &c->argv[1]);
    } else {
        db_set_expire(c->db, e, when);
        server.dirty++;
        propagate_replace_expire(c, &c->argv[1], when);   /* absolute, whatever the form */
    }
    reply_int(c, 1);
}

void cmd_expire(struct client *c) { expire_generic(c, server.now_ms, 1); }
void cmd_pexpire(struct client *c) { expire_generic(c, server.now_ms, 0); }
void cmd_expireat(struct client *c) { expire_generic(c, 0, 1); }
void cmd_pexpireat(struct client *c) { expire_generic(c, 0, 0); }

/* ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ---- */

static void ttl_generic(struct client *c, int ms, int absolute)
{
    struct entry *e = lookup_notouch(c->db, c->argv[1].p, c->argv[1].len);
    if (e == NULL) {
        reply_int(c, -2);
        return;
    }
    long long when = entry_expire(e);
    if (when == -1) {
        reply_int(c, -1);
        return;
    }
    long long t = absolute ? when : when - server.now_ms;
    if (t < 0) t = 0;
    /* Redis's (t+500)/1000 without its overflow near LLONG_MAX (where
     * redis-server, as compiled, still answers the exact quotient) */
    reply_int(c, ms ? t : t / 1000 + (t % 1000 >= 500));
}

void cmd_ttl(struct client *c) { ttl_generic(c, 0, 0); }
void cmd_pttl(struct client *c) { ttl_generic(c, 1, 0); }
void cmd_expiretime(struct client *c) { ttl_generic(c, 0, 1); }
void cmd_pexpiretime(struct client *c) { ttl_generic(c, 1, 1); }

void cmd_persist(struct client *c)
{
    struct entry *e = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    if (e == NULL || entry_expire(e) == -1) {
        reply_int(c, 0);
        return;
    }
    db_set_expire(c->db, e, -1);
    server.dirty++;
    reply_int(c, 1);
}

/* ---- RENAME RENAMENX MOVE COPY ---- */

/* Frees `old` when an entry_set_* call moved the (not yet tabled) entry. */
static struct entry *settle(struct entry *old, struct entry *n)
{
    if (n != old) entry_free_moved(old);
    return n;
}

/* A new entry under `key` that takes over e's value, TTL, memcached flags,
 * CAS and LRU data. e must be out of the tables; it is freed. */
static struct entry *entry_rekey(struct entry *e, const char *key, size_t klen)
{
    struct entry *n;
    if (e->type == OBJ_STRING && e->enc != ENC_RAW) {
        n = entry_dup(e, key, klen);      /* embedded value: a copy is as cheap */
        entry_destroy(&e);
        return n;
    }
    n = entry_create_ptr(key, klen, e->type, e->enc, entry_ptr(e));
    n = settle(n, entry_set_expire(n, entry_expire(e)));
    if (e->bits & ENTRY_FLAGS) n = settle(n, entry_set_mc_flags(n, entry_mc_flags(e), 1));
    n->cas = e->cas;
    n->lru = e->lru;
    entry_free_moved(e);                  /* the value now belongs to n */
    return n;
}

/* db_add, keeping the entry's LRU/LFU data (db_add starts it afresh). */
static void add_keep_lru(struct db *db, struct entry *e)
{
    uint32_t lru = e->lru;
    db_add(db, e);
    e->lru = lru;
}

static void rename_generic(struct client *c, int nx)
{
    struct db *db = c->db;
    const struct arg *src = &c->argv[1], *dst = &c->argv[2];
    if (db_lookup_write(db, src->p, src->len) == NULL) {
        reply_error(c, ERR_NOSUCHKEY);
        return;
    }
    if (arg_eq(c, 1, 2)) {
        if (nx) reply_int(c, 0);
        else reply_ok(c);
        return;
    }
    if (db_lookup_write(db, dst->p, dst->len) != NULL) {
        if (nx) {
            reply_int(c, 0);
            return;
        }
        db_delete(db, dst->p, dst->len);
    }
    struct entry *e = db_unlink(db, src->p, src->len);
    add_keep_lru(db, entry_rekey(e, dst->p, dst->len));
    if (nx) reply_int(c, 1);
    else reply_ok(c);
}

void cmd_rename(struct client *c) { rename_generic(c, 0); }
void cmd_renamenx(struct client *c) { rename_generic(c, 1); }

void cmd_move(struct client *c)
{
    struct db *dst = target_db_or_reply(c, 2);
    if (dst == NULL) return;
    if (dst == c->db) {
        reply_error(c, ERR_SAMEOBJ);
        return;
    }
    const char *key = c->argv[1].p;
    size_t klen = c->argv[1].len;
    if (db_lookup_write(c->db, key, klen) == NULL || db_lookup_write(dst, key, klen) != NULL) {
        reply_int(c, 0);
        return;
    }
    add_keep_lru(dst, db_unlink(c->db, key, klen));
    reply_int(c, 1);
}

/* COPY's options: sets *dst and *replace; -1 after replying an error. */
static int copy_options_or_reply(struct client *c, struct db **dst, int *replace)
{
    for (int i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "replace")) {
            *replace = 1;
        } else if (arg_is(c, i, "db") && i + 1 < c->argc) {
            if ((*dst = target_db_or_reply(c, ++i)) == NULL) return -1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

void cmd_copy(struct client *c)
{
    struct db *dst = c->db;
    int replace = 0;
    if (copy_options_or_reply(c, &dst, &replace) < 0) return;
    if (dst == c->db && arg_eq(c, 1, 2)) {
        reply_error(c, ERR_SAMEOBJ);
        return;
    }
    struct entry *e = db_lookup_read(c->db, c->argv[1].p, c->argv[1].len);
    if (e == NULL) {
        reply_int(c, 0);
        return;
    }
    const char *nkey = c->argv[2].p;
    size_t nklen = c->argv[2].len;
    if (db_lookup_write(dst, nkey, nklen) != NULL) {
        if (!replace) {
            reply_int(c, 0);
            return;
        }
        db_delete(dst, nkey, nklen);
    }
    db_add(dst, entry_dup(e, nkey, nklen));
    reply_int(c, 1);
}

/* ---- SCAN KEYS RANDOMKEY ---- */

/* Whether a scanned entry is reported, in Redis's order: pattern, type
 * (a lookup: counts stats and deletes the key if expired, which then is of
 * type "none"), then expiry. 0: drop, 1: report, 2: report and delete
 * (expired, but Redis 7.0 reports it under TYPE none). */
static int scan_verdict(const struct scan_opts *o, struct entry *e)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    if (!scan_match(o, key, klen)) return 0;
    int expired = db_entry_expired(e, server.now_ms);
    if (o->type) {
        const char *name = expired ? "none" : entry_type_name(e);
        if (expired) server.stat.keyspace_misses++;
        else server.stat.keyspace_hits++;
        /* compared as a C string, as Redis does (a NUL ends the name) */
        if (!util_eq_nocase(o->type->p, strnlen(o->type->p, o->type->len), name)) return expired ? -1 : 0;
    }
    return expired ? (o->type ? 2 : -1) : 1;
}

/* Reports (or drops) the collected entries as SCAN's key array. */
static void scan_reply_keys(struct client *c, const struct scan_opts *o, const struct scan_batch *b,
                            uint64_t cursor)
{
    size_t handle = scan_reply_begin(c, cursor);
    long long n = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct entry *e = b->v[i];
        int v = scan_verdict(o, e);
        if (v > 0) {
            size_t klen;
            const char *key = entry_key(e, &klen);
            reply_bulk(c, key, klen);
            n++;
        }
        if (v < 0 || v == 2) db_expire_entry(c->db, e);
    }
    scan_reply_end(c, handle, n);
}

void cmd_scan(struct client *c)
{
    uint64_t cursor;
    struct scan_opts o;
    if (scan_parse_cursor_or_reply(c, &c->argv[1], &cursor) < 0) return;
    if (scan_parse_opts_or_reply(c, 2, SCAN_OPT_TYPE, &o) < 0) return;
    struct scan_batch b = {0};
    cursor = scan_dict(c->db->keys, cursor, o.count, 1, &b);
    scan_reply_keys(c, &o, &b, cursor);
    mem_free(b.v);
}

struct keys_ctx {
    struct client *c;
    const struct arg *pat;
    long long n;
};

static int keys_one(void *priv, void *entry)
{
    struct keys_ctx *k = priv;
    size_t klen;
    const char *key = entry_key(entry, &klen);
    if (k->pat && !util_glob_match(k->pat->p, k->pat->len, key, klen, 0)) return 0;
    if (db_entry_expired(entry, server.now_ms)) return 0;     /* skipped, not deleted */
    reply_bulk(k->c, key, klen);
    k->n++;
    return 0;
}

void cmd_keys(struct client *c)
{
    const struct arg *p = &c->argv[1];
    struct keys_ctx k = {c, (p->len == 1 && p->p[0] == '*') ? NULL : p, 0};
    size_t handle = reply_defer(c);
    dict_foreach(c->db->keys, keys_one, &k);
    reply_defer_set(c, handle, '*', k.n);
}

/* Redis's dbRandomKey: an expired pick is deleted and another drawn; each
 * draw either returns or removes a key, so the loop ends. */
void cmd_randomkey(struct client *c)
{
    for (;;) {
        struct entry *e = dict_random(c->db->keys);
        if (e == NULL) {
            reply_null(c);
            return;
        }
        if (!db_entry_expired(e, server.now_ms)) {
            size_t klen;
            const char *key = entry_key(e, &klen);
            reply_bulk(c, key, klen);
            return;
        }
        db_expire_entry(c->db, e);
    }
}
