/* backend/t_string.c: the string commands (GET/SET family, counters,
 * ranges, bits), reply for reply and error for error as Redis 7.0.
 *
 * Shape: every command is a thin parser over a few shared steps (option
 * parsing for SET/GETEX, expire-time validation, "get and reply", "store a
 * new value") so the order of checks, which decides which error a client
 * sees, is written once and matches Redis's order exactly. Values live in
 * the entry itself (entry.h): SET builds a fresh compact entry (int, embstr
 * or raw) and replaces the old one; INCR edits an int in place; APPEND,
 * SETRANGE and SETBIT turn the value into a growable sstr first, as Redis
 * turns it into a raw sds, so OBJECT ENCODING answers the same. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/evict.h"
#include "backend/propagate.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/util.h"

/* Option bits of SET and GETEX (Redis's OBJ_SET_* / OBJ_EX ... flags). */
enum {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_GET = 1 << 2,
    OPT_KEEPTTL = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5,
    OPT_PX = 1 << 6,
    OPT_EXAT = 1 << 7,
    OPT_PXAT = 1 << 8,
};
#define OPT_ANY_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

/* What set_generic answers when it writes / when NX or XX stops it. */
enum set_reply { SR_OK, SR_ONE, SR_ZERO, SR_NULL };

static const char *const ERR_BITOFFSET = "bit offset is not an integer or out of range";
static const char *const ERR_BITVALUE = "bit is not an integer or out of range";
static const char *const ERR_STRSIZE = "string exceeds maximum allowed size (proto-max-bulk-len)";

/* ---------------------------------------------------------------- helpers */

/* Case-insensitive option match. Redis compares arguments as C strings, so
 * an argument stops at its first NUL byte ("nx\0junk" is NX): do the same. */
static int opt_is(const struct arg *a, const char *lit)
{
    return util_eq_nocase(a->p, strnlen(a->p, a->len), lit);
}

static int arg_ll(struct client *c, int i, long long *v, const char *err)
{
    if (util_str2ll(c->argv[i].p, c->argv[i].len, v) == 0) return 0;
    reply_error(c, err ? err : ERR_NOTINT);
    return -1;
}

static void reply_value(struct client *c, const struct entry *e)
{
    struct strval sv;
    entry_get_str(e, &sv);
    reply_bulk(c, sv.p, sv.len);
}

static void reply_set_kind(struct client *c, enum set_reply kind)
{
    switch (kind) {
    case SR_OK: reply_ok(c); break;
    case SR_ONE: reply_int(c, 1); break;
    case SR_ZERO: reply_int(c, 0); break;
    case SR_NULL: reply_null(c); break;
    }
}

/* A read lookup that answers for the caller when there is nothing to use:
 * missing (reply `missing`, unless NULL) or WRONGTYPE (*err = 1). */
static struct entry *lookup_str_read(struct client *c, int i, void (*missing)(struct client *), int *err)
{
    *err = 0;
    struct entry *e = db_lookup_read(c->db, c->argv[i].p, c->argv[i].len);
    if (e == NULL) {
        if (missing) missing(c);
        return NULL;
    }
    if (e->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        *err = 1;
        return NULL;
    }
    return e;
}

static struct entry *lookup_str_write(struct client *c, int i, int *err)
{
    *err = 0;
    struct entry *e = db_lookup_write(c->db, c->argv[i].p, c->argv[i].len);
    if (e != NULL && e->type != OBJ_STRING) {
        reply_error(c, ERR_WRONGTYPE);
        *err = 1;
        return NULL;
    }
    return e;
}

static void reply_empty_bulk(struct client *c) { reply_bulk(c, "", 0); }
static void reply_zero(struct client *c) { reply_int(c, 0); }

/* Redis's getGenericCommand: nil, WRONGTYPE (-1) or the value. */
static int get_generic(struct client *c)
{
    int err;
    struct entry *e = lookup_str_read(c, 1, reply_null, &err);
    if (err) return -1;
    if (e) reply_value(c, e);
    return 0;
}

/* Puts e in place of old (NULL: a new key). Like Redis's dbSetValue, an
 * overwrite keeps the LFU counter under an LFU policy. */
static void put_entry(struct db *db, struct entry *old, struct entry *e)
{
    if (old == NULL) {
        db_add(db, e);
        return;
    }
    uint32_t lru = old->lru;
    db_overwrite(db, old, e);
    if (evict_policy_is_lfu()) e->lru = lru;
}

/* Stores val at argv[1] as a fresh entry without memcached flags, replacing
 * old (which may be NULL). */
static void store_value(struct client *c, struct entry *old, const char *val, size_t vlen,
                        int64_t expire_ms)
{
    db_set_str(c->db, old, c->argv[1].p, c->argv[1].len, val, vlen, expire_ms, 0, 0);
}

/* Redis's checkStringLength: size + append must fit proto-max-bulk-len. */
static int check_string_length(struct client *c, long long size, long long append)
{
    long long total = (long long)((unsigned long long)size + (unsigned long long)append);
    if (total > server.cfg.proto_max_bulk_len || total < size || total < append) {
        reply_error(c, ERR_STRSIZE);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- SET options */

struct ext_opts {
    int flags;
    const struct arg *expire;
};

struct opt_rule {
    const char *name;
    int flag;
    int conflicts;      /* options that must not be present already */
    int set_only;       /* 1: SET only, 2: GETEX only, 0: both */
    int takes_arg;
};

static const struct opt_rule opt_rules[] = {
    {"nx", OPT_NX, OPT_XX, 1, 0},
    {"xx", OPT_XX, OPT_NX, 1, 0},
    {"get", OPT_GET, 0, 1, 0},
    {"keepttl", OPT_KEEPTTL, OPT_PERSIST | OPT_ANY_EXPIRE, 1, 0},
    {"persist", OPT_PERSIST, OPT_KEEPTTL | OPT_ANY_EXPIRE, 2, 0},
    {"ex", OPT_EX, OPT_KEEPTTL | OPT_PERSIST | OPT_ANY_EXPIRE, 0, 1},
    {"px", OPT_PX, OPT_KEEPTTL | OPT_PERSIST | OPT_ANY_EXPIRE, 0, 1},
    {"exat", OPT_EXAT, OPT_KEEPTTL | OPT_PERSIST | OPT_ANY_EXPIRE, 0, 1},
    {"pxat", OPT_PXAT, OPT_KEEPTTL | OPT_PERSIST | OPT_ANY_EXPIRE, 0, 1},
};

/* Redis's parseExtendedStringArgumentsOrReply. A repeated option is fine
 * (the last expire wins); a conflicting one, an option of the other
 * command or an expire without its value is a syntax error. */
static int parse_ext_opts(struct client *c, int first, int is_set, struct ext_opts *o)
{
    o->flags = 0;
    o->expire = NULL;
    for (int j = first; j < c->argc; j++) {
        const struct opt_rule *r = NULL;
        for (size_t k = 0; k < sizeof(opt_rules) / sizeof(opt_rules[0]); k++)
            if (opt_is(&c->argv[j], opt_rules[k].name)) { r = &opt_rules[k]; break; }
        int ok = r != NULL && !(o->flags & (r->conflicts & ~r->flag)) &&
                 (r->set_only == 0 || r->set_only == (is_set ? 1 : 2)) &&
                 (!r->takes_arg || j + 1 < c->argc);
        if (!ok) {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
        o->flags |= r->flag;
        if (r->takes_arg) o->expire = &c->argv[++j];
    }
    return 0;
}

/* Redis's getExpireMillisecondsOrReply: the absolute expire time in ms. */
static int expire_ms_or_reply(struct client *c, const struct arg *a, int flags, const char *cmdname,
                              int64_t *when)
{
    long long v;
    if (util_str2ll(a->p, a->len, &v) < 0) {
        reply_error(c, ERR_NOTINT);
        return -1;
    }
    int seconds = (flags & (OPT_EX | OPT_EXAT)) != 0;
    int relative = (flags & (OPT_EX | OPT_PX)) != 0;
    int bad = v <= 0 || (seconds && v > LLONG_MAX / 1000);
    if (!bad && seconds) v *= 1000;
    if (!bad && relative) {
        if (v > LLONG_MAX - server.now_ms) bad = 1;
        else v += server.now_ms;
    }
    if (bad || v <= 0) {
        reply_errorf(c, "invalid expire time in '%s' command", cmdname);
        return -1;
    }
    *when = v;
    return 0;
}

/* ------------------------------------------------------------- SET family */

/* Redis's setGenericCommand. val is the value argument; exp the expire
 * argument (or NULL) interpreted by flags. */
static void set_generic(struct client *c, int flags, const struct arg *val, const struct arg *exp,
                        enum set_reply ok_reply, enum set_reply abort_reply)
{
    int64_t when = -1;
    if (exp && expire_ms_or_reply(c, exp, flags, c->cmd->name, &when) < 0) return;
    if ((flags & OPT_GET) && get_generic(c) < 0) return;

    struct entry *old = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    if (((flags & OPT_NX) && old) || ((flags & OPT_XX) && !old)) {
        if (!(flags & OPT_GET)) reply_set_kind(c, abort_reply);
        return;
    }
    if (!exp && (flags & OPT_KEEPTTL) && old) when = entry_expire(old);
    store_value(c, old, val->p, val->len, when);
    if (exp) {
        /* relative or not, logged as SET key value PXAT <absolute ms> */
        char num[UTIL_LONG_STR_SIZE];
        struct arg argv[5] = {{"SET", 3}, c->argv[1], *val, {"PXAT", 4}, propagate_ll_arg(num, when)};
        propagate_replace(c, 5, argv);
    }
    if (!(flags & OPT_GET)) reply_set_kind(c, ok_reply);
}

void cmd_set(struct client *c)
{
    struct ext_opts o;
    if (parse_ext_opts(c, 3, 1, &o) < 0) return;
    set_generic(c, o.flags, &c->argv[2], o.expire, SR_OK, SR_NULL);
}

void cmd_setnx(struct client *c) { set_generic(c, OPT_NX, &c->argv[2], NULL, SR_ONE, SR_ZERO); }

void cmd_setex(struct client *c) { set_generic(c, OPT_EX, &c->argv[3], &c->argv[2], SR_OK, SR_NULL); }

void cmd_psetex(struct client *c) { set_generic(c, OPT_PX, &c->argv[3], &c->argv[2], SR_OK, SR_NULL); }

void cmd_get(struct client *c) { get_generic(c); }

void cmd_getset(struct client *c)
{
    if (get_generic(c) < 0) return;
    struct entry *old = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    store_value(c, old, c->argv[2].p, c->argv[2].len, -1);
}

void cmd_getdel(struct client *c)
{
    if (get_generic(c) < 0) return;
    db_delete(c->db, c->argv[1].p, c->argv[1].len);
}

void cmd_getex(struct client *c)
{
    struct ext_opts o;
    if (parse_ext_opts(c, 2, 0, &o) < 0) return;
    int err;
    struct entry *e = lookup_str_read(c, 1, reply_null, &err);
    if (e == NULL) return;
    int64_t when = -1;
    if (o.expire && expire_ms_or_reply(c, o.expire, o.flags, "getex", &when) < 0) return;
    reply_value(c, e);
    if ((o.flags & (OPT_EXAT | OPT_PXAT)) && when <= server.now_ms) {
        db_delete(c->db, c->argv[1].p, c->argv[1].len);
        propagate_replace_del(c, &c->argv[1]);
    } else if (o.expire) {
        db_set_expire(c->db, e, when);
        server.dirty++;
        propagate_replace_expire(c, &c->argv[1], when);
    } else if ((o.flags & OPT_PERSIST) && entry_expire(e) >= 0) {
        db_set_expire(c->db, e, -1);
        server.dirty++;
        propagate_replace_expire(c, &c->argv[1], -1);
    }
}

void cmd_mget(struct client *c)
{
    reply_array(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        struct entry *e = db_lookup_read(c->db, c->argv[j].p, c->argv[j].len);
        if (e == NULL || e->type != OBJ_STRING) reply_null(c);
        else reply_value(c, e);
    }
}

static void mset_generic(struct client *c, int nx)
{
    if (c->argc % 2 == 0) {
        reply_wrong_arity(c, c->cmd->fullname);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (db_lookup_write(c->db, c->argv[j].p, c->argv[j].len) != NULL) {
                reply_int(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        const struct arg *k = &c->argv[j], *v = &c->argv[j + 1];
        struct entry *old = db_lookup_write(c->db, k->p, k->len);
        db_set_str(c->db, old, k->p, k->len, v->p, v->len, -1, 0, 0);
    }
    if (nx) reply_int(c, 1);
    else reply_ok(c);
}

void cmd_mset(struct client *c) { mset_generic(c, 0); }
void cmd_msetnx(struct client *c) { mset_generic(c, 1); }

/* --------------------------------------------------------------- counters */

static void incr_generic(struct client *c, long long incr)
{
    int err;
    struct entry *e = lookup_str_write(c, 1, &err);
    if (err) return;
    long long v = 0;
    if (e && entry_get_ll(e, &v) < 0) {
        reply_error(c, ERR_NOTINT);
        return;
    }
    if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) || (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
        reply_error(c, ERR_OVERFLOW);
        return;
    }
    v += incr;
    if (e) {
        struct entry *n = entry_set_int(e, v);   /* in place when already ENC_INT */
        db_moved(c->db, e, n);
        db_modified(c->db, n);
    } else {
        db_add(c->db, entry_create_int(c->argv[1].p, c->argv[1].len, v, -1, 0, 0));
    }
    reply_int(c, v);
}

void cmd_incr(struct client *c) { incr_generic(c, 1); }
void cmd_decr(struct client *c) { incr_generic(c, -1); }

void cmd_incrby(struct client *c)
{
    long long incr;
    if (arg_ll(c, 2, &incr, NULL) < 0) return;
    incr_generic(c, incr);
}

void cmd_decrby(struct client *c)
{
    long long incr;
    if (arg_ll(c, 2, &incr, NULL) < 0) return;
    if (incr == LLONG_MIN) {
        reply_error(c, "decrement would overflow");
        return;
    }
    incr_generic(c, -incr);
}

void cmd_incrbyfloat(struct client *c)
{
    int err;
    struct entry *e = lookup_str_write(c, 1, &err);
    if (err) return;
    long double v = 0, incr;
    struct strval sv;
    if (e) entry_get_str(e, &sv);
    if ((e && util_str2ld(sv.p, sv.len, &v) < 0) || util_str2ld(c->argv[2].p, c->argv[2].len, &incr) < 0) {
        reply_error(c, ERR_NOTFLOAT);
        return;
    }
    v += incr;
    if (isnan(v) || isinf(v)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    char buf[UTIL_LD_STR_SIZE];
    size_t len = (size_t)util_ld2str(buf, sizeof(buf), v);
    /* Redis stores the text as a plain string (never int), keeping the TTL */
    struct entry *n = entry_create_str_enc(c->argv[1].p, c->argv[1].len, buf, len,
                                           e ? entry_expire(e) : -1, e ? entry_mc_flags(e) : 0,
                                           e ? (e->bits & ENTRY_FLAGS) : 0, 0);
    put_entry(c->db, e, n);
    reply_bulk(c, buf, len);
    /* logged as its result, so replay cannot round differently */
    if (n->bits & ENTRY_FLAGS) {
        propagate_mc_item(c->db->id, n);
        propagate_replace(c, 0, NULL);
    } else {
        struct arg argv[4] = {{"SET", 3}, c->argv[1], {buf, len}, {"KEEPTTL", 7}};
        propagate_replace(c, 4, argv);
    }
}

/* ---------------------------------------------------------- byte ranges */

/* The string value of e as a growable sstr of at least min_len bytes
 * (Redis's dbUnshareStringValue + sdsgrowzero); fixes the tables. */
static struct sstr *make_raw(struct client *c, struct entry **ep, size_t min_len)
{
    struct sstr *s;
    struct entry *n = entry_str_make_raw(*ep, min_len, &s);
    db_moved(c->db, *ep, n);
    *ep = n;
    return s;
}

/* A new key holding len zero bytes as a raw string. */
static struct sstr *create_raw(struct client *c, size_t len, struct entry **ep)
{
    struct entry *e = entry_create_str_enc(c->argv[1].p, c->argv[1].len, NULL, len, -1, 0, 0, 1);
    db_add(c->db, e);
    *ep = e;
    struct sstr *s;
    entry_str_make_raw(e, len, &s);   /* already raw and long enough: no move */
    return s;
}

void cmd_append(struct client *c)
{
    int err;
    struct entry *e = lookup_str_write(c, 1, &err);
    if (err) return;
    const struct arg *a = &c->argv[2];
    if (e == NULL) {
        store_value(c, NULL, a->p, a->len, -1);
        reply_int(c, (long long)a->len);
        return;
    }
    size_t olen = entry_str_len(e);
    if (check_string_length(c, (long long)olen, (long long)a->len) < 0) return;
    struct sstr *s = make_raw(c, &e, olen + a->len);
    memcpy(s->buf + olen, a->p, a->len);
    db_modified(c->db, e);
    reply_int(c, (long long)s->len);
}

void cmd_strlen(struct client *c)
{
    int err;
    struct entry *e = lookup_str_read(c, 1, reply_zero, &err);
    if (e) reply_int(c, (long long)entry_str_len(e));
}

void cmd_getrange(struct client *c)
{
    long long start, end;
    if (arg_ll(c, 2, &start, NULL) < 0 || arg_ll(c, 3, &end, NULL) < 0) return;
    int err;
    struct entry *e = lookup_str_read(c, 1, reply_empty_bulk, &err);
    if (e == NULL) return;
    struct strval sv;
    entry_get_str(e, &sv);
    long long len = (long long)sv.len;
    if (start < 0 && end < 0 && start > end) {
        reply_empty_bulk(c);
        return;
    }
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (start > end || len == 0) reply_empty_bulk(c);
    else reply_bulk(c, sv.p + start, (size_t)(end - start + 1));
}

void cmd_substr(struct client *c) { cmd_getrange(c); }

void cmd_setrange(struct client *c)
{
    long long offset;
    if (arg_ll(c, 2, &offset, NULL) < 0) return;
    if (offset < 0) {
        reply_error(c, "offset is out of range");
        return;
    }
    int err;
    struct entry *e = lookup_str_write(c, 1, &err);
    if (err) return;
    const struct arg *v = &c->argv[3];
    if (v->len == 0) {
        reply_int(c, e ? (long long)entry_str_len(e) : 0);
        return;
    }
    if (check_string_length(c, offset, (long long)v->len) < 0) return;
    size_t need = (size_t)offset + v->len;
    struct sstr *s;
    if (e == NULL) {
        s = create_raw(c, need, &e);
    } else {
        s = make_raw(c, &e, need);
        db_modified(c->db, e);
    }
    memcpy(s->buf + offset, v->p, v->len);
    reply_int(c, (long long)s->len);
}

/* ------------------------------------------------------------------ bits */

/* Redis's getBitOffsetFromArgument (without the #N form). */
static int bit_offset(struct client *c, int i, unsigned long long *out)
{
    long long v;
    if (util_str2ll(c->argv[i].p, c->argv[i].len, &v) < 0 || v < 0 ||
        (v >> 3) >= server.cfg.proto_max_bulk_len) {
        reply_error(c, ERR_BITOFFSET);
        return -1;
    }
    *out = (unsigned long long)v;
    return 0;
}

void cmd_setbit(struct client *c)
{
    unsigned long long off;
    long long on;
    if (bit_offset(c, 2, &off) < 0 || arg_ll(c, 3, &on, ERR_BITVALUE) < 0) return;
    if (on & ~1LL) {
        reply_error(c, ERR_BITVALUE);
        return;
    }
    int err;
    struct entry *e = lookup_str_write(c, 1, &err);
    if (err) return;
    size_t byte = (size_t)(off >> 3);
    int dirty = 0;
    struct sstr *s;
    if (e == NULL) {
        s = create_raw(c, byte + 1, &e);
        dirty = 1;
    } else {
        size_t olen = entry_str_len(e);
        s = make_raw(c, &e, byte + 1);
        dirty = s->len != olen;
    }
    unsigned bit = 7 - (unsigned)(off & 7);
    unsigned char bv = (unsigned char)s->buf[byte];
    int old = (bv >> bit) & 1;
    if (dirty || old != on) {
        bv = (unsigned char)((bv & ~(1u << bit)) | ((unsigned)on << bit));
        s->buf[byte] = (char)bv;
        db_modified(c->db, e);
    }
    reply_int(c, old);
}

void cmd_getbit(struct client *c)
{
    unsigned long long off;
    if (bit_offset(c, 2, &off) < 0) return;
    int err;
    struct entry *e = lookup_str_read(c, 1, reply_zero, &err);
    if (e == NULL) return;
    struct strval sv;
    entry_get_str(e, &sv);
    size_t byte = (size_t)(off >> 3);
    int bitval = 0;
    if (byte < sv.len) bitval = ((unsigned char)sv.p[byte] >> (7 - (off & 7))) & 1;
    reply_int(c, bitval);
}

static long long popcount(const unsigned char *p, size_t n)
{
    long long count = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        unsigned long long w;
        memcpy(&w, p + i, 8);
        count += __builtin_popcountll(w);
    }
    for (; i < n; i++) count += __builtin_popcount(p[i]);
    return count;
}

/* BITCOUNT key [start end [BYTE|BIT]]: the range rules of Redis 7.0, which
 * looks the key up before it parses the range (a missing key is 0 even
 * with a malformed range). */
void cmd_bitcount(struct client *c)
{
    int err;
    struct entry *e = lookup_str_read(c, 1, reply_zero, &err);
    if (e == NULL) return;
    struct strval sv;
    entry_get_str(e, &sv);
    const unsigned char *p = (const unsigned char *)sv.p;
    long long start = 0, end = (long long)sv.len - 1;
    unsigned char first_mask = 0, last_mask = 0;
    if (c->argc == 4 || c->argc == 5) {
        long long total = (long long)sv.len;
        int isbit = 0;
        if (arg_ll(c, 2, &start, NULL) < 0 || arg_ll(c, 3, &end, NULL) < 0) return;
        if (start < 0 && end < 0 && start > end) {
            reply_int(c, 0);
            return;
        }
        if (c->argc == 5) {
            if (opt_is(&c->argv[4], "bit")) isbit = 1;
            else if (!opt_is(&c->argv[4], "byte")) {
                reply_error(c, ERR_SYNTAX);
                return;
            }
        }
        if (isbit) total <<= 3;
        if (start < 0) start += total;
        if (end < 0) end += total;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= total) end = total - 1;
        if (isbit && start <= end) {
            first_mask = (unsigned char)(~((1u << (8 - (start & 7))) - 1) & 0xff);
            last_mask = (unsigned char)((1u << (7 - (end & 7))) - 1);
            start >>= 3;
            end >>= 3;
        }
    } else if (c->argc != 2) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (start > end) {
        reply_int(c, 0);
        return;
    }
    long long count = popcount(p + start, (size_t)(end - start + 1));
    if (first_mask) count -= popcount(&(unsigned char){(unsigned char)(p[start] & first_mask)}, 1);
    if (last_mask) count -= popcount(&(unsigned char){(unsigned char)(p[end] & last_mask)}, 1);
    reply_int(c, count);
}
