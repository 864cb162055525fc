/* backend/rdb_load: reads an RDB file (the whole file mapped in memory)
 * into the keyspace: Shoal's own snapshots and what Redis up to 7.2 writes.
 *
 * Strings become entries directly (the common case, fast). Collections are
 * built by replaying their commands (RPUSH, SADD, ZADD, HSET) through
 * propagate_replay in batches, so the type modules keep owning their
 * encodings and conversions: this file only decodes the containers Redis
 * uses (ziplist, listpack, intset, quicklist) into elements. Every read is
 * bounds-checked; a malformed file is refused with the offset named. */
#include "backend/rdb.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/db.h"
#include "backend/entry.h"
#include "backend/propagate.h"
#include "backend/rdb_codec.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/crc64.h"
#include "lib/log.h"
#include "lib/lzf.h"
#include "lib/util.h"

#define BATCH 256      /* elements per replayed command */

/* Decoded strings that do not live in the file (integers, LZF output)
 * are kept in chunks until the batch that uses them has been replayed. */
struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
};

struct reader {
    const unsigned char *p;
    size_t len, pos;
    char *err;
    size_t errlen;
    int failed;
    struct chunk *arena;
    int rdbver;
    long long loaded, expired;
};

struct rstr {
    const char *p;
    size_t len;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
    if (r->failed) return -1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s (at offset %zu)", msg, r->pos);
    r->failed = 1;
    return -1;
}

static char *arena_alloc(struct reader *r, size_t n)
{
    struct chunk *c = r->arena;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof(*c) + cap);
        if (c == NULL) return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = r->arena;
        r->arena = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static void arena_reset(struct reader *r)
{
    while (r->arena) {
        struct chunk *next = r->arena->next;
        free(r->arena);
        r->arena = next;
    }
}

/* ------------------------------------------------------- primitive reads */

static const unsigned char *r_bytes(struct reader *r, size_t n)
{
    if (r->failed) return NULL;
    if (r->len - r->pos < n) {
        fail(r, "unexpected end of file");
        return NULL;
    }
    const unsigned char *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static int r_u8(struct reader *r, unsigned *v)
{
    const unsigned char *p = r_bytes(r, 1);
    if (p == NULL) return -1;
    *v = *p;
    return 0;
}

static uint64_t le_get(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static int64_t sign_extend(uint64_t v, int bits)
{
    if (bits < 64 && (v >> (bits - 1)) & 1) v |= ~0ULL << bits;
    return (int64_t)v;
}

/* An RDB length; *enc is set (and the low 6 bits returned) for the
 * special string encodings. */
static int r_len(struct reader *r, uint64_t *v, int *enc)
{
    unsigned b;
    if (enc) *enc = 0;
    if (r_u8(r, &b) < 0) return -1;
    switch (b >> 6) {
    case 0:
        *v = b & 0x3f;
        return 0;
    case 1: {
        unsigned b2;
        if (r_u8(r, &b2) < 0) return -1;
        *v = (uint64_t)(b & 0x3f) << 8 | b2;
        return 0;
    }
    case 3:
        if (enc == NULL) return fail(r, "unexpected string encoding in a length");
        *enc = 1;
        *v = b & 0x3f;
        return 0;
    }
    int n = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
    if (n == 0) return fail(r, "bad length byte 0x%02x", b);
    const unsigned char *p = r_bytes(r, (size_t)n);
    if (p == NULL) return -1;
    *v = 0;
    for (int i = 0; i < n; i++) *v = (*v << 8) | p[i];
    return 0;
}

static int r_plain_len(struct reader *r, uint64_t *v) { return r_len(r, v, NULL); }

static int int_text(struct reader *r, long long v, struct rstr *out)
{
    char *p = arena_alloc(r, UTIL_LONG_STR_SIZE);
    if (p == NULL) return fail(r, "out of memory");
    out->p = p;
    out->len = (size_t)util_ll2str(p, v);
    return 0;
}

/* A string: plain, integer-encoded (as its decimal text) or LZF. */
static int r_string(struct reader *r, struct rstr *out)
{
    uint64_t v;
    int enc;
    if (r_len(r, &v, &enc) < 0) return -1;
    if (!enc) {
        const unsigned char *p = r_bytes(r, v);
        if (p == NULL) return -1;
        out->p = (const char *)p;
        out->len = v;
        return 0;
    }
    if (v <= 2) {
        int n = 1 << v;
        const unsigned char *p = r_bytes(r, (size_t)n);
        if (p == NULL) return -1;
        return int_text(r, sign_extend(le_get(p, n), 8 * n), out);
    }
    if (v != 3) return fail(r, "unknown string encoding %llu", (unsigned long long)v);
    uint64_t clen, len;
    if (r_plain_len(r, &clen) < 0 || r_plain_len(r, &len) < 0) return -1;
    const unsigned char *c = r_bytes(r, clen);
    if (c == NULL) return -1;
    if (len > r->len * 64 + (1u << 20)) return fail(r, "LZF string too long (%llu)", (unsigned long long)len);
    char *p = arena_alloc(r, len ? len : 1);
    if (p == NULL) return fail(r, "out of memory");
    if (lzf_decompress(c, clen, p, len) != len) return fail(r, "invalid LZF compressed string");
    out->p = p;
    out->len = len;
    return 0;
}

/* ------------------------------------------------- building collections */

struct coll {
    struct reader *r;
    int dbid;
    const char *cmd;
    int pairs;          /* elements come in pairs (hash, zset) */
    int zset;           /* pairs are member, score: ZADD wants score first */
    int skip;           /* an expired key: read, do not build */
    struct arg key;
    struct arg argv[2 + 2 * BATCH];
    int n;
    struct rstr held;   /* the member of a pair waiting for its score */
    int have_held;
    long long count;
};

static int coll_flush(struct coll *c)
{
    if (c->n == 0) return 0;
    c->argv[0].p = c->cmd;
    c->argv[0].len = strlen(c->cmd);
    c->argv[1] = c->key;
    int rc = propagate_replay(c->dbid, 2 + c->n, c->argv);
    c->n = 0;
    arena_reset(c->r);
    if (rc < 0) return fail(c->r, "this node cannot load the value (no %s command)", c->cmd);
    return 0;
}

static int coll_add(struct coll *c, const char *p, size_t len)
{
    if (c->skip) return 0;
    c->count++;
    if (c->zset && !c->have_held) {
        c->held = (struct rstr){p, len};
        c->have_held = 1;
        return 0;
    }
    if (c->zset) {
        c->argv[2 + c->n++] = (struct arg){p, len};                  /* score */
        c->argv[2 + c->n++] = (struct arg){c->held.p, c->held.len};  /* member */
        c->have_held = 0;
    } else {
        c->argv[2 + c->n++] = (struct arg){p, len};
    }
    if (c->pairs ? (c->n % 2 == 0 && c->n >= 2 * BATCH) : c->n >= BATCH) return coll_flush(c);
    return 0;
}

static int coll_add_ll(struct coll *c, long long v)
{
    struct rstr s = {0};
    if (c->skip) return 0;
    if (int_text(c->r, v, &s) < 0) return -1;
    return coll_add(c, s.p, s.len);
}

static int coll_add_score(struct coll *c, double d)
{
    if (isnan(d)) return fail(c->r, "sorted set score is NaN");
    char *p = arena_alloc(c->r, 32);
    if (p == NULL) return fail(c->r, "out of memory");
    int n = isinf(d) ? snprintf(p, 32, "%s", d > 0 ? "inf" : "-inf") : snprintf(p, 32, "%.17g", d);
    return coll_add(c, p, (size_t)n);
}

/* ------------------------------------------------ Redis's containers */

static int coll_visit(void *priv, const char *p, size_t len, long long v)
{
    struct coll *c = priv;
    return (p ? coll_add(c, p, len) : coll_add_ll(c, v)) < 0;
}

static int ziplist_each(struct coll *c, const unsigned char *zl, size_t n)
{
    if (rdb_ziplist_each(zl, n, coll_visit, c) == 0) return 0;
    return c->r->failed ? -1 : fail(c->r, "corrupt ziplist");
}

static int listpack_each(struct coll *c, const unsigned char *lp, size_t n)
{
    if (rdb_listpack_each(lp, n, coll_visit, c) == 0) return 0;
    return c->r->failed ? -1 : fail(c->r, "corrupt listpack");
}

static int intset_each(struct coll *c, const unsigned char *is, size_t n)
{
    if (rdb_intset_each(is, n, coll_visit, c) == 0) return 0;
    return c->r->failed ? -1 : fail(c->r, "corrupt intset");
}

/* A container stored as one RDB string. The decoded blob may live in the
 * arena, which flushing resets: copy it out first. */
static int blob_each(struct coll *c, int (*each)(struct coll *, const unsigned char *, size_t))
{
    struct rstr s;
    if (r_string(c->r, &s) < 0) return -1;
    unsigned char *copy = malloc(s.len ? s.len : 1);
    if (copy == NULL) return fail(c->r, "out of memory");
    memcpy(copy, s.p, s.len);
    int rc = each(c, copy, s.len);
    /* elements may point into the copy: replay them before freeing it */
    if (rc == 0) rc = coll_flush(c);
    free(copy);
    return rc;
}

/* ------------------------------------------------------------ the values */

static int plain_elements(struct coll *c, int type)
{
    uint64_t n;
    if (r_plain_len(c->r, &n) < 0) return -1;
    uint64_t per = (type == RDB_TYPE_HASH || type == RDB_TYPE_ZSET || type == RDB_TYPE_ZSET_2) ? 2 : 1;
    for (uint64_t i = 0; i < n * per; i++) {
        if ((type == RDB_TYPE_ZSET || type == RDB_TYPE_ZSET_2) && i % 2 == 1) {
            double d;
            if (type == RDB_TYPE_ZSET_2) {
                const unsigned char *p = r_bytes(c->r, 8);
                if (p == NULL) return -1;
                uint64_t bits = le_get(p, 8);
                memcpy(&d, &bits, 8);
            } else {
                unsigned l;
                if (r_u8(c->r, &l) < 0) return -1;
                if (l >= 253) {
                    d = l == 253 ? NAN : l == 254 ? INFINITY : -INFINITY;
                } else {
                    const unsigned char *p = r_bytes(c->r, l);
                    char buf[256];
                    if (p == NULL) return -1;
                    memcpy(buf, p, l);
                    buf[l] = '\0';
                    d = strtod(buf, NULL);
                }
            }
            if (coll_add_score(c, d) < 0) return -1;
            continue;
        }
        struct rstr s;
        if (r_string(c->r, &s) < 0 || coll_add(c, s.p, s.len) < 0) return -1;
    }
    return coll_flush(c);
}

static int quicklist_nodes(struct coll *c, int v2)
{
    uint64_t n;
    if (r_plain_len(c->r, &n) < 0) return -1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t container = 2;
        if (v2 && r_plain_len(c->r, &container) < 0) return -1;
        if (container == 1) {               /* PLAIN: one large element */
            struct rstr s;
            if (r_string(c->r, &s) < 0 || coll_add(c, s.p, s.len) < 0 || coll_flush(c) < 0) return -1;
            continue;
        }
        if (container != 2) return fail(c->r, "quicklist node has unknown container %llu", (unsigned long long)container);
        if (blob_each(c, v2 ? listpack_each : ziplist_each) < 0) return -1;
    }
    return 0;
}

static const char *type_command(int type, int *pairs, int *zset)
{
    *pairs = *zset = 0;
    switch (type) {
    case RDB_TYPE_LIST: case RDB_TYPE_LIST_ZIPLIST: case RDB_TYPE_LIST_QUICKLIST: case RDB_TYPE_LIST_QUICKLIST_2:
        return "RPUSH";
    case RDB_TYPE_SET: case RDB_TYPE_SET_INTSET: case RDB_TYPE_SET_LISTPACK:
        return "SADD";
    case RDB_TYPE_ZSET: case RDB_TYPE_ZSET_2: case RDB_TYPE_ZSET_ZIPLIST: case RDB_TYPE_ZSET_LISTPACK:
        *pairs = *zset = 1;
        return "ZADD";
    case RDB_TYPE_HASH: case RDB_TYPE_HASH_ZIPLIST: case RDB_TYPE_HASH_LISTPACK:
        *pairs = 1;
        return "HSET";
    }
    return NULL;
}

static int load_collection(struct reader *r, int dbid, int type, struct rstr *key, int skip)
{
    struct coll *c = calloc(1, sizeof(*c));
    if (c == NULL) return fail(r, "out of memory");
    c->r = r;
    c->dbid = dbid;
    c->skip = skip;
    c->key = (struct arg){key->p, key->len};
    c->cmd = type_command(type, &c->pairs, &c->zset);
    int rc;
    if (c->cmd == NULL) {
        rc = fail(r, type >= 15 && type <= 21 && type != 16 && type != 17 && type != 18 && type != 20
                         ? "streams are not supported (value type %d)" : "unknown value type %d", type);
    } else if (type <= RDB_TYPE_ZSET_2) {
        rc = plain_elements(c, type);
    } else if (type == RDB_TYPE_LIST_QUICKLIST || type == RDB_TYPE_LIST_QUICKLIST_2) {
        rc = quicklist_nodes(c, type == RDB_TYPE_LIST_QUICKLIST_2);
    } else if (type == RDB_TYPE_SET_INTSET) {
        rc = blob_each(c, intset_each);
    } else if (type == RDB_TYPE_HASH_LISTPACK || type == RDB_TYPE_ZSET_LISTPACK || type == RDB_TYPE_SET_LISTPACK) {
        rc = blob_each(c, listpack_each);
    } else {
        rc = blob_each(c, ziplist_each);
    }
    if (rc == 0 && c->have_held) rc = fail(r, "sorted set member without a score");
    free(c);
    return rc;
}

/* ---------------------------------------------------------- the file */

static int apply_mc_flags(struct reader *r, const struct rstr *v)
{
    const unsigned char *p = (const unsigned char *)v->p, *end = p + v->len;
    if (v->len < 4) return fail(r, "bad %s field", RDB_MCFLAGS_AUX);
    struct db *db = db_get((int)le_get(p, 4));
    if (db == NULL) return fail(r, "bad %s database", RDB_MCFLAGS_AUX);
    p += 4;
    while (p < end) {
        /* an RDB length from memory: reuse the reader on a sub-buffer */
        struct reader sub = {.p = p, .len = (size_t)(end - p), .err = r->err, .errlen = r->errlen};
        uint64_t klen;
        if (r_plain_len(&sub, &klen) < 0 || sub.len - sub.pos < klen + 4) return fail(r, "bad %s field", RDB_MCFLAGS_AUX);
        const char *key = (const char *)p + sub.pos;
        uint32_t flags = (uint32_t)le_get(p + sub.pos + klen, 4);
        p += sub.pos + klen + 4;
        struct entry *e = db_peek(db, key, klen);
        if (e == NULL || e->type != OBJ_STRING) continue;    /* expired at load, or replaced */
        struct entry *n = entry_set_mc_flags(e, flags, 1);
        db_moved(db, e, n);
    }
    return 0;
}

static int load_aux(struct reader *r)
{
    struct rstr k, v;
    if (r_string(r, &k) < 0 || r_string(r, &v) < 0) return -1;
    int rc = 0;
    if (k.len == strlen(RDB_MCFLAGS_AUX) && memcmp(k.p, RDB_MCFLAGS_AUX, k.len) == 0) {
        rc = apply_mc_flags(r, &v);
    } else if ((k.len == 9 && memcmp(k.p, "redis-ver", 9) == 0) || (k.len == 9 && memcmp(k.p, "shoal-ver", 9) == 0)) {
        log_notice("Loading RDB produced by %.*s version %.*s", 5, k.p, (int)(v.len > 32 ? 32 : v.len), v.p);
    }
    arena_reset(r);
    return rc;
}

static int load_key(struct reader *r, int dbid, int type, int64_t expire_ms)
{
    struct db *db = db_get(dbid);
    struct rstr key;
    if (r_string(r, &key) < 0) return -1;
    /* the key must outlive arena resets while its value is replayed */
    char *kcopy = malloc(key.len ? key.len : 1);
    if (kcopy == NULL) return fail(r, "out of memory");
    memcpy(kcopy, key.p, key.len);
    key.p = kcopy;
    int rc = 0;
    if (db_peek(db, key.p, key.len) != NULL) {
        rc = fail(r, "Duplicated key '%.*s' found in RDB file", (int)(key.len > 64 ? 64 : key.len), key.p);
        goto out;
    }
    int skip = expire_ms >= 0 && expire_ms < clock_ms();
    if (type == RDB_TYPE_STRING) {
        struct rstr v;
        if ((rc = r_string(r, &v)) < 0) goto out;
        if (!skip) db_add(db, entry_create_str(key.p, key.len, v.p, v.len, expire_ms, 0, 0));
    } else {
        if ((rc = load_collection(r, dbid, type, &key, skip)) < 0) goto out;
        struct entry *e = skip ? NULL : db_peek(db, key.p, key.len);
        if (e && expire_ms >= 0) db_set_expire(db, e, expire_ms);
    }
    if (skip) r->expired++;
    else r->loaded++;
out:
    arena_reset(r);
    free(kcopy);
    return rc;
}

static int check_header(struct reader *r)
{
    const unsigned char *m = r_bytes(r, 9);
    if (m == NULL || memcmp(m, "REDIS", 5) != 0) return fail(r, "wrong signature trying to load DB from file");
    int ver = 0;
    for (int i = 5; i < 9; i++) {
        if (m[i] < '0' || m[i] > '9') return fail(r, "wrong signature trying to load DB from file");
        ver = ver * 10 + (m[i] - '0');
    }
    if (ver < 1 || ver > RDB_MAX_LOAD_VERSION) return fail(r, "Can't handle RDB format version %d", ver);
    r->rdbver = ver;
    return 0;
}

static int check_trailer(struct reader *r)
{
    if (r->rdbver < 5) return 0;
    size_t eof_end = r->pos;
    const unsigned char *p = r_bytes(r, 8);
    if (p == NULL) return -1;
    uint64_t want = le_get(p, 8);
    if (want == 0 || !server.cfg.rdbchecksum) return 0;
    uint64_t got = crc64_jones(0, r->p, eof_end);
    if (got != want)
        return fail(r, "Wrong RDB checksum expected: (%llx) got: (%llx)", (unsigned long long)want,
                    (unsigned long long)got);
    return 0;
}

static int load_body(struct reader *r)
{
    int dbid = 0;
    int64_t expire_ms = -1;
    while (!r->failed) {
        unsigned op;
        uint64_t a, b;
        if (r_u8(r, &op) < 0) return -1;
        switch (op) {
        case RDB_OPCODE_EOF:
            return check_trailer(r);
        case RDB_OPCODE_SELECTDB:
            if (r_plain_len(r, &a) < 0) return -1;
            if (a >= (uint64_t)db_count())
                return fail(r, "the file has database %llu, this node has %d (databases)", (unsigned long long)a, db_count());
            dbid = (int)a;
            continue;
        case RDB_OPCODE_RESIZEDB:
            if (r_plain_len(r, &a) < 0 || r_plain_len(r, &b) < 0) return -1;
            continue;
        case RDB_OPCODE_EXPIRETIME_MS: {
            const unsigned char *p = r_bytes(r, 8);
            if (p == NULL) return -1;
            expire_ms = (int64_t)le_get(p, 8);
            continue;
        }
        case RDB_OPCODE_EXPIRETIME: {
            const unsigned char *p = r_bytes(r, 4);
            if (p == NULL) return -1;
            expire_ms = (int64_t)(int32_t)le_get(p, 4) * 1000;
            continue;
        }
        case RDB_OPCODE_IDLE:
            if (r_plain_len(r, &a) < 0) return -1;
            continue;
        case RDB_OPCODE_FREQ:
            if (r_bytes(r, 1) == NULL) return -1;
            continue;
        case RDB_OPCODE_AUX:
            if (load_aux(r) < 0) return -1;
            continue;
        case RDB_OPCODE_FUNCTION2: {
            struct rstr s;
            if (r_string(r, &s) < 0) return -1;
            log_warn("RDB file has a function library: ignored (this node has no functions)");
            arena_reset(r);
            continue;
        }
        case RDB_OPCODE_MODULE_AUX:
            return fail(r, "module data is not supported");
        default:
            if (op > 21) return fail(r, "unknown RDB opcode %u", op);
            if (load_key(r, dbid, (int)op, expire_ms) < 0) return -1;
            expire_ms = -1;
        }
    }
    return -1;
}

int rdb_load_buffer(const unsigned char *src, size_t len, char *err, size_t errlen)
{
    struct reader r = {.p = src, .len = len, .err = err, .errlen = errlen};
    int rc = check_header(&r) < 0 ? -1 : load_body(&r);
    arena_reset(&r);
    struct rdb_status *st = (struct rdb_status *)rdb_status();
    st->last_load_keys_loaded = r.loaded;
    st->last_load_keys_expired = r.expired;
    return rc;
}

int rdb_load(const char *filename, int *missing)
{
    *missing = 0;
    int fd = open(filename, O_RDONLY);
    if (fd < 0) {
        if (errno == ENOENT) {
            *missing = 1;
            return 0;
        }
        log_warn("Fatal error loading the DB: %s. Exiting.", strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0 || sb.st_size == 0) {
        close(fd);
        log_warn("Fatal error loading the DB %s: %s", filename, sb.st_size == 0 ? "empty file" : strerror(errno));
        return -1;
    }
    void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        log_warn("Fatal error loading the DB %s: mmap: %s", filename, strerror(errno));
        return -1;
    }
    char err[512];
    int64_t start = clock_ms();
    server.loading = 1;
    int rc = rdb_load_buffer(map, (size_t)sb.st_size, err, sizeof(err));
    server.loading = 0;
    propagate_replay_done();
    munmap(map, (size_t)sb.st_size);
    if (rc < 0) {
        log_warn("Bad RDB file %s: %s. Exiting.", filename, err);
        return -1;
    }
    const struct rdb_status *st = rdb_status();
    log_notice("Done loading RDB, keys loaded: %lld, keys expired: %lld.", st->last_load_keys_loaded,
               st->last_load_keys_expired);
    log_notice("DB loaded from disk: %.3f seconds", (double)(clock_ms() - start) / 1000.0);
    return 0;
}
