/* backend/entry: see entry.h for the layout. Everything that reads an entry
 * walks the optional fields from the front; they are few and fixed-size, so
 * the walk is a handful of branches. */
#include "backend/entry.h"

#include <stdlib.h>

#include "lib/mem.h"
#include "lib/util.h"

static const struct entry_type_ops *type_ops[8];

static void free_value(struct entry *e);

void entry_register_type(enum obj_type type, const struct entry_type_ops *ops)
{
    type_ops[type] = ops;
}

static inline size_t varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}

static inline size_t varint_put(uint8_t *p, size_t v)
{
    size_t n = 0;
    while (v >= 0x80) { p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    p[n++] = (uint8_t)v;
    return n;
}

static inline size_t varint_get(const uint8_t *p, size_t *v)
{
    size_t r = 0, n = 0;
    unsigned shift = 0;
    for (;;) {
        uint8_t b = p[n++];
        r |= (size_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        shift += 7;
    }
    *v = r;
    return n;
}

static inline size_t opt_len(uint8_t bits)
{
    return ((bits & ENTRY_EXPIRE) ? 8 : 0) + ((bits & ENTRY_FLAGS) ? 4 : 0);
}

/* Offset of the key length varint inside data[]. */
static inline const uint8_t *key_field(const struct entry *e)
{
    return e->data + opt_len(e->bits);
}

const char *entry_key(const struct entry *e, size_t *klen)
{
    const uint8_t *p = key_field(e);
    p += varint_get(p, klen);
    return (const char *)p;
}

const char *entry_key_cb(const void *e, size_t *klen)
{
    return entry_key(e, klen);
}

/* Where the value part starts. */
static inline uint8_t *value_field(const struct entry *e)
{
    size_t klen;
    const char *k = entry_key(e, &klen);
    return (uint8_t *)(uintptr_t)(k + klen);
}

uint32_t entry_mc_flags(const struct entry *e)
{
    uint32_t f = 0;
    if (e->bits & ENTRY_FLAGS) memcpy(&f, e->data + ((e->bits & ENTRY_EXPIRE) ? 8 : 0), 4);
    return f;
}

static size_t value_size(enum obj_type type, int enc, size_t vlen)
{
    if (type != OBJ_STRING || enc == ENC_RAW) return sizeof(void *);
    if (enc == ENC_INT) return 8;
    return varint_len(vlen) + vlen;
}

/* Allocates an entry with header and key written; the value is the caller's. */
static struct entry *entry_alloc(const char *key, size_t klen, int64_t expire_ms, uint32_t flags,
                                 int has_flags, size_t vsize)
{
    uint8_t bits = (uint8_t)((expire_ms >= 0 ? ENTRY_EXPIRE : 0) | (has_flags ? ENTRY_FLAGS : 0));
    size_t size = ENTRY_HDR + opt_len(bits) + varint_len(klen) + klen + vsize;
    struct entry *e = mem_alloc(size);
    e->cas = 0;
    e->lru = 0;
    e->type = OBJ_STRING;
    e->enc = ENC_EMBSTR;
    e->bits = bits;
    uint8_t *p = e->data;
    if (expire_ms >= 0) { memcpy(p, &expire_ms, 8); p += 8; }
    if (has_flags) { memcpy(p, &flags, 4); p += 4; }
    p += varint_put(p, klen);
    memcpy(p, key, klen);
    return e;
}

static struct sstr *sstr_create(const char *val, size_t len, size_t cap)
{
    struct sstr *s = mem_alloc(sizeof(*s) + cap + 1);
    s->len = len;
    s->cap = mem_usable(s) - sizeof(*s) - 1;
    if (len && val) memcpy(s->buf, val, len);
    else if (len) memset(s->buf, 0, len);
    s->buf[len] = '\0';
    return s;
}

static int str_is_int(const char *val, size_t vlen, long long *out)
{
    return vlen <= 20 && util_str2ll(val, vlen, out) == 0;
}

struct entry *entry_create_int(const char *key, size_t klen, long long v,
                               int64_t expire_ms, uint32_t mc_flags, int has_flags)
{
    struct entry *e = entry_alloc(key, klen, expire_ms, mc_flags, has_flags, 8);
    e->enc = ENC_INT;
    memcpy(value_field(e), &v, 8);
    return e;
}

struct entry *entry_create_str(const char *key, size_t klen, const char *val, size_t vlen,
                               int64_t expire_ms, uint32_t mc_flags, int has_flags)
{
    long long iv;
    if (str_is_int(val, vlen, &iv))
        return entry_create_int(key, klen, iv, expire_ms, mc_flags, has_flags);
    return entry_create_str_enc(key, klen, val, vlen, expire_ms, mc_flags, has_flags, 0);
}

struct entry *entry_create_str_enc(const char *key, size_t klen, const char *val, size_t vlen,
                                   int64_t expire_ms, uint32_t mc_flags, int has_flags, int raw)
{
    int enc = vlen <= EMBSTR_MAX && !raw ? ENC_EMBSTR : ENC_RAW;
    struct entry *e = entry_alloc(key, klen, expire_ms, mc_flags, has_flags,
                                  value_size(OBJ_STRING, enc, vlen));
    e->enc = (uint32_t)enc;
    uint8_t *v = value_field(e);
    if (enc == ENC_EMBSTR) {
        v += varint_put(v, vlen);
        if (val) memcpy(v, val, vlen);
        else memset(v, 0, vlen);
    } else {
        struct sstr *s = sstr_create(val, vlen, vlen);
        memcpy(v, &s, sizeof(s));
    }
    return e;
}

/* Rewrites a string entry in place with a new value and options when the
 * new layout fits its block (the common SET over an existing key of
 * similar size), sparing an allocation and a table update. Returns e, or
 * NULL if it does not fit (the caller then allocates a new entry). */
struct entry *entry_overwrite_str(struct entry *e, const char *val, size_t vlen,
                                  int64_t expire_ms, uint32_t mc_flags, int has_flags)
{
    if (e->type != OBJ_STRING) return NULL;
    long long iv = 0;
    int enc = str_is_int(val, vlen, &iv) ? ENC_INT : vlen <= EMBSTR_MAX ? ENC_EMBSTR : ENC_RAW;
    uint8_t bits = (uint8_t)((expire_ms >= 0 ? ENTRY_EXPIRE : 0) | (has_flags ? ENTRY_FLAGS : 0));
    size_t klen;
    const char *oldkey = entry_key(e, &klen);
    size_t size = ENTRY_HDR + opt_len(bits) + varint_len(klen) + klen + value_size(OBJ_STRING, enc, vlen);
    size_t usable = mem_usable(e);
    if (size > usable || size * 2 < usable) return NULL;
    /* the key moves if the optional fields change: keep a copy */
    char kbuf[256];
    if (klen > sizeof(kbuf)) return NULL;
    memcpy(kbuf, oldkey, klen);
    free_value(e);
    e->enc = (uint32_t)enc;
    e->bits = bits;
    uint8_t *p = e->data;
    if (expire_ms >= 0) { memcpy(p, &expire_ms, 8); p += 8; }
    if (has_flags) { memcpy(p, &mc_flags, 4); p += 4; }
    p += varint_put(p, klen);
    memcpy(p, kbuf, klen);
    p += klen;
    if (enc == ENC_INT) {
        memcpy(p, &iv, 8);
    } else if (enc == ENC_EMBSTR) {
        p += varint_put(p, vlen);
        memcpy(p, val, vlen);
    } else {
        struct sstr *str = sstr_create(val, vlen, vlen);
        memcpy(p, &str, sizeof(str));
    }
    return e;
}

struct entry *entry_create_ptr(const char *key, size_t klen, enum obj_type type, int enc, void *ptr)
{
    struct entry *e = entry_alloc(key, klen, -1, 0, 0, sizeof(void *));
    e->type = type;
    e->enc = (uint32_t)enc;
    memcpy(value_field(e), &ptr, sizeof(ptr));
    return e;
}

void *entry_ptr(const struct entry *e)
{
    void *p;
    memcpy(&p, value_field(e), sizeof(p));
    return p;
}

void entry_set_ptr(struct entry *e, void *ptr)
{
    memcpy(value_field(e), &ptr, sizeof(ptr));
}

static void free_value(struct entry *e)
{
    if (e->type == OBJ_STRING) {
        if (e->enc == ENC_RAW) mem_free(entry_ptr(e));
    } else if (type_ops[e->type] && type_ops[e->type]->free_value) {
        type_ops[e->type]->free_value(entry_ptr(e), e->enc);
    }
}

void entry_free_moved(struct entry *old)
{
    mem_free(old);
}

void entry_destroy(struct entry **ep)
{
    struct entry *e = *ep;
    if (e == NULL) return;
    free_value(e);
    mem_free(e);
    *ep = NULL;
}

void entry_get_str(const struct entry *e, struct strval *out)
{
    const uint8_t *v = value_field(e);
    if (e->enc == ENC_INT) {
        long long iv;
        memcpy(&iv, v, 8);
        out->len = (size_t)util_ll2str(out->num, iv);
        out->p = out->num;
    } else if (e->enc == ENC_EMBSTR) {
        size_t len;
        v += varint_get(v, &len);
        out->p = (const char *)v;
        out->len = len;
    } else {
        struct sstr *s;
        memcpy(&s, v, sizeof(s));
        out->p = s->buf;
        out->len = s->len;
    }
}

size_t entry_str_len(const struct entry *e)
{
    struct strval sv;
    entry_get_str(e, &sv);
    return sv.len;
}

int entry_get_ll(const struct entry *e, long long *out)
{
    if (e->enc == ENC_INT) {
        memcpy(out, value_field(e), 8);
        return 0;
    }
    struct strval sv;
    entry_get_str(e, &sv);
    return util_str2ll(sv.p, sv.len, out);
}

/* Rebuilds e with the same key and options but a new value layout. */
static struct entry *rebuild(struct entry *e, int64_t expire_ms, uint32_t flags, int has_flags,
                             const char *val, size_t vlen, int force_raw)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    struct entry *n;
    if (val != NULL && !force_raw) {
        n = entry_create_str(key, klen, val, vlen, expire_ms, flags, has_flags);
    } else if (val != NULL) {
        n = entry_alloc(key, klen, expire_ms, flags, has_flags, sizeof(void *));
        n->enc = ENC_RAW;
        struct sstr *s = sstr_create(val, vlen, vlen);
        memcpy(value_field(n), &s, sizeof(s));
    } else {
        /* same value, new options: copy the value part verbatim */
        const uint8_t *v = value_field(e);
        size_t vsize;
        if (e->type == OBJ_STRING && e->enc == ENC_EMBSTR) {
            size_t l;
            vsize = varint_get(v, &l) + l;
        } else {
            vsize = e->type == OBJ_STRING && e->enc == ENC_INT ? 8 : sizeof(void *);
        }
        n = entry_alloc(key, klen, expire_ms, flags, has_flags, vsize);
        n->type = e->type;
        n->enc = e->enc;
        memcpy(value_field(n), v, vsize);
        n->cas = e->cas;
        n->lru = e->lru;
        return n;   /* the value moved to n: the caller frees only e's block */
    }
    n->cas = e->cas;
    n->lru = e->lru;
    free_value(e);
    return n;
}

struct entry *entry_set_expire(struct entry *e, int64_t when_ms)
{
    if (when_ms >= 0 && (e->bits & ENTRY_EXPIRE)) {
        memcpy(e->data, &when_ms, 8);
        return e;
    }
    if (when_ms < 0 && !(e->bits & ENTRY_EXPIRE)) return e;
    return rebuild(e, when_ms, entry_mc_flags(e), e->bits & ENTRY_FLAGS, NULL, 0, 0);
}

struct entry *entry_set_mc_flags(struct entry *e, uint32_t flags, int present)
{
    if (present && (e->bits & ENTRY_FLAGS)) {
        memcpy(e->data + ((e->bits & ENTRY_EXPIRE) ? 8 : 0), &flags, 4);
        return e;
    }
    if (!present && !(e->bits & ENTRY_FLAGS)) return e;
    return rebuild(e, entry_expire(e), flags, present, NULL, 0, 0);
}

struct entry *entry_set_str(struct entry *e, const char *val, size_t vlen)
{
    /* keep an sstr that has room: SET over a long value reuses it */
    if (e->type == OBJ_STRING && e->enc == ENC_RAW && vlen > EMBSTR_MAX) {
        struct sstr *s = entry_ptr(e);
        if (vlen <= s->cap && vlen * 2 >= s->cap) {
            memcpy(s->buf, val, vlen);
            s->len = vlen;
            s->buf[vlen] = '\0';
            return e;
        }
    }
    return rebuild(e, entry_expire(e), entry_mc_flags(e), e->bits & ENTRY_FLAGS, val, vlen, 0);
}

struct entry *entry_set_int(struct entry *e, long long v)
{
    if (e->type == OBJ_STRING && e->enc == ENC_INT) {
        memcpy(value_field(e), &v, 8);
        return e;
    }
    char buf[UTIL_LONG_STR_SIZE];
    int n = util_ll2str(buf, v);
    return entry_set_str(e, buf, (size_t)n);
}

struct entry *entry_str_make_raw(struct entry *e, size_t min_len, struct sstr **out)
{
    if (e->enc != ENC_RAW) {
        struct strval sv;
        entry_get_str(e, &sv);
        char tmp[64];
        /* the value may live inside e, which rebuild frees: copy small ones */
        const char *src = sv.p;
        if (sv.len <= sizeof(tmp)) { memcpy(tmp, sv.p, sv.len); src = tmp; }
        e = rebuild(e, entry_expire(e), entry_mc_flags(e), e->bits & ENTRY_FLAGS, src, sv.len, 1);
    }
    struct sstr *s = entry_ptr(e);
    if (min_len > s->cap) {
        size_t cap = min_len < 1024 * 1024 ? min_len * 2 : min_len + 1024 * 1024;
        s = mem_realloc(s, sizeof(*s) + cap + 1);
        s->cap = mem_usable(s) - sizeof(*s) - 1;
        entry_set_ptr(e, s);
    }
    if (min_len > s->len) {
        memset(s->buf + s->len, 0, min_len - s->len);
        s->len = min_len;
        s->buf[s->len] = '\0';
    }
    *out = s;
    return e;
}

struct entry *entry_dup(const struct entry *e, const char *key, size_t klen)
{
    struct entry *n;
    if (e->type == OBJ_STRING) {
        struct strval sv;
        entry_get_str(e, &sv);
        if (e->enc == ENC_INT) {
            long long iv;
            entry_get_ll(e, &iv);
            n = entry_create_int(key, klen, iv, entry_expire(e), entry_mc_flags(e), e->bits & ENTRY_FLAGS);
        } else {
            n = entry_alloc(key, klen, entry_expire(e), entry_mc_flags(e), e->bits & ENTRY_FLAGS,
                            value_size(OBJ_STRING, e->enc, sv.len));
            n->enc = e->enc;
            uint8_t *v = value_field(n);
            if (e->enc == ENC_EMBSTR) {
                v += varint_put(v, sv.len);
                memcpy(v, sv.p, sv.len);
            } else {
                struct sstr *s = sstr_create(sv.p, sv.len, sv.len);
                memcpy(v, &s, sizeof(s));
            }
        }
    } else {
        void *copy = type_ops[e->type]->dup_value(entry_ptr(e), e->enc);
        n = entry_create_ptr(key, klen, e->type, e->enc, copy);
        struct entry *m = entry_set_expire(n, entry_expire(e));
        if (m != n) entry_free_moved(n);    /* the value moved to m */
        n = m;
    }
    n->cas = e->cas;
    n->lru = e->lru;
    return n;
}

const char *entry_type_name(const struct entry *e)
{
    static const char *names[] = {"string", "list", "set", "zset", "hash"};
    return e->type < 5 ? names[e->type] : "none";
}

const char *entry_enc_str(int enc)
{
    static const char *const names[] = {
        "embstr", "int", "raw", "listpack", "intset", "hashtable", "skiplist", "quicklist",
    };
    return enc >= 0 && enc < (int)(sizeof(names) / sizeof(names[0])) ? names[enc] : "unknown";
}

const char *entry_enc_name(const struct entry *e)
{
    return entry_enc_str(e->enc);
}

size_t entry_mem_usage(const struct entry *e)
{
    size_t n = mem_usable((void *)(uintptr_t)e);
    if (e->type == OBJ_STRING) {
        if (e->enc == ENC_RAW) n += mem_usable(entry_ptr(e));
    } else if (type_ops[e->type] && type_ops[e->type]->mem_value) {
        n += type_ops[e->type]->mem_value(entry_ptr(e), e->enc);
    }
    return n;
}
