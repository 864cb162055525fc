/* backend/sort: SORT and SORT_RO over lists, sets and sorted sets, with
 * BY (weights from other keys, or a constant pattern for no sorting),
 * LIMIT, GET (other keys, "#" the element, "key->field" hash fields),
 * ASC/DESC, ALPHA and STORE, reply for reply as Redis 7.0.
 *
 * Shape: the command is Redis's pipeline in small steps: parse the options
 * (every syntax error before the key is looked up), load the elements into
 * a vector (only the LIMIT range when nothing is sorted and the type has an
 * order), weigh them (numbers by strtod, or strings for ALPHA BY), sort
 * with the C library's qsort and Redis's comparison (ties of numbers break
 * by bytes, ALPHA compares with strcoll unless storing), then reply or
 * store a list. Elements are copied out of their value first, so GET and
 * BY lookups can never see a value change under them. The value types are
 * reached only through their modules' headers (t_set.h, zset.h, t_list.h,
 * t_hash.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "backend/t_hash.h"
#include "backend/t_list.h"
#include "backend/t_set.h"
#include "backend/zset.h"
#include "lib/mem.h"
#include "lib/util.h"

struct sort_opts {
    int desc, alpha, dontsort;
    long long limit_start, limit_count;
    const struct arg *by, *store;
    const struct arg **gets;
    int ngets;
};

/* One element to sort: its bytes (owned, NUL-terminated for strtod and
 * strcoll), its numeric weight, or for ALPHA BY the weight string (NULL
 * when the weight key is missing). */
struct sort_item {
    char *p;
    size_t len;
    double score;
    char *cmp;
    size_t cmplen;
};

struct sort_vec {
    struct sort_item *v;
    size_t n;
};

/* A value found by a BY/GET pattern: bytes valid until the next lookup. */
struct sort_val {
    const char *p;
    size_t len;
    struct strval sv;
};

static int opt_is(const struct arg *a, const char *lit)
{
    return util_eq_nocase(a->p, strnlen(a->p, a->len), lit);
}

/* ----------------------------------------------------------------- options */

static int sort_parse_or_reply(struct client *c, int readonly, struct sort_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->limit_count = -1;
    o->gets = mem_alloc((size_t)c->argc * sizeof(*o->gets));
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const struct arg *a = &c->argv[j];
        if (opt_is(a, "asc")) {
            o->desc = 0;
        } else if (opt_is(a, "desc")) {
            o->desc = 1;
        } else if (opt_is(a, "alpha")) {
            o->alpha = 1;
        } else if (opt_is(a, "limit") && left >= 2) {
            if (util_str2ll(c->argv[j + 1].p, c->argv[j + 1].len, &o->limit_start) < 0 ||
                util_str2ll(c->argv[j + 2].p, c->argv[j + 2].len, &o->limit_count) < 0) {
                reply_error(c, ERR_NOTINT);
                return -1;
            }
            j += 2;
        } else if (!readonly && opt_is(a, "store") && left >= 1) {
            o->store = &c->argv[++j];
        } else if (opt_is(a, "by") && left >= 1) {
            o->by = &c->argv[++j];
            /* a pattern without '*' (as a C string) means "do not sort" */
            o->dontsort = memchr(o->by->p, '*', strnlen(o->by->p, o->by->len)) == NULL;
        } else if (opt_is(a, "get") && left >= 1) {
            o->gets[o->ngets++] = &c->argv[++j];
        } else {
            reply_error(c, ERR_SYNTAX);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------- other modules */

/* Hash fields for "key->field" patterns. */
static int sort_hash_field(const struct entry *e, const char *f, size_t flen, struct sort_val *out)
{
    struct lp_val v;
    if (!hash_get_field(e, f, flen, &v)) return 0;
    if (v.p == v.buf) {
        /* an integer formatted inside v: keep a copy that outlives it */
        memcpy(out->sv.num, v.p, v.len);
        out->p = out->sv.num;
    } else {
        out->p = v.p;
    }
    out->len = v.len;
    return 1;
}

/* ------------------------------------------------------- pattern lookups */

static int string_value(const struct entry *e, struct sort_val *out)
{
    if (e == NULL || e->type != OBJ_STRING) return 0;
    entry_get_str(e, &out->sv);
    out->p = out->sv.p;
    out->len = out->sv.len;
    return 1;
}

/* Redis's lookupKeyByPattern: "#" is the element itself; else the first
 * '*' of the pattern is replaced by the element and the key read (a
 * string), or with "->field" after the '*' a field of that hash. The
 * pattern is searched as a C string, as Redis does. 1 if found. */
static int sort_lookup(struct client *c, const struct arg *pat, const struct sort_item *el, struct sort_val *out)
{
    size_t clen = strnlen(pat->p, pat->len);
    if (clen == 1 && pat->p[0] == '#') {
        out->p = el->p;
        out->len = el->len;
        return 1;
    }
    const char *star = memchr(pat->p, '*', clen);
    if (star == NULL) return 0;
    const char *arrow = NULL, *end = pat->p + clen;
    for (const char *q = star + 1; q + 1 < end; q++) {
        if (q[0] == '-' && q[1] == '>') {
            arrow = q;
            break;
        }
    }
    size_t fieldlen = 0;
    if (arrow && arrow + 2 < end) fieldlen = pat->len - (size_t)(arrow - pat->p) - 2;
    else arrow = NULL;
    size_t prefix = (size_t)(star - pat->p);
    size_t postfix = pat->len - prefix - 1 - (arrow ? fieldlen + 2 : 0);
    size_t klen = prefix + el->len + postfix;
    char stackbuf[256];
    char *key = klen <= sizeof(stackbuf) ? stackbuf : mem_alloc(klen);
    memcpy(key, pat->p, prefix);
    memcpy(key + prefix, el->p, el->len);
    memcpy(key + prefix + el->len, star + 1, postfix);
    struct entry *e = db_lookup_read(c->db, key, klen);
    if (key != stackbuf) mem_free(key);
    if (arrow == NULL) return string_value(e, out);
    if (e == NULL || e->type != OBJ_HASH) return 0;
    return sort_hash_field(e, arrow + 2, fieldlen, out);
}

/* --------------------------------------------------------------- loading */

static void vec_push(struct sort_vec *v, const char *p, size_t len)
{
    struct sort_item *it = &v->v[v->n++];
    it->p = mem_alloc(len + 1);
    memcpy(it->p, p, len);
    it->p[len] = '\0';
    it->len = len;
    it->score = 0;
    it->cmp = NULL;
    it->cmplen = 0;
}

static int load_member(void *priv, const char *p, size_t len)
{
    vec_push(priv, p, len);
    return 0;
}

/* count elements of a sorted set from rank start (in the walking
 * direction), all of them when count covers the set. */
static void load_zset(const struct entry *e, int desc, size_t start, size_t count, struct sort_vec *v)
{
    size_t len = zset_len(e);
    struct zs_iter it;
    struct zs_elem el;
    zs_iter_init(&it, e, desc ? len - 1 - start : start, desc);
    while (v->n < count && zs_iter_next(&it, &el)) vec_push(v, el.p, el.len);
}

/* count elements of a list from index start, from the tail backwards
 * when desc. */
static void load_list(const struct entry *e, int desc, size_t start, size_t count, struct sort_vec *v)
{
    list_entry_range(e, start, count, desc, load_member, v);
}

/* ------------------------------------------------------------- weighting */

static struct {
    int desc, alpha, by, store;
} sort_cmp_ctx;

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int cmp = memcmp(a, b, alen < blen ? alen : blen);
    if (cmp) return cmp;
    return alen < blen ? -1 : alen > blen;
}

static int sort_compare(const void *x, const void *y)
{
    const struct sort_item *a = x, *b = y;
    int cmp;
    if (!sort_cmp_ctx.alpha) {
        if (a->score > b->score) cmp = 1;
        else if (a->score < b->score) cmp = -1;
        else cmp = bytes_cmp(a->p, a->len, b->p, b->len);
    } else if (sort_cmp_ctx.by) {
        if (!a->cmp || !b->cmp) cmp = a->cmp == b->cmp ? 0 : a->cmp == NULL ? -1 : 1;
        else if (sort_cmp_ctx.store) cmp = bytes_cmp(a->cmp, a->cmplen, b->cmp, b->cmplen);
        else cmp = strcoll(a->cmp, b->cmp);
    } else {
        cmp = sort_cmp_ctx.store ? bytes_cmp(a->p, a->len, b->p, b->len) : strcoll(a->p, b->p);
    }
    return sort_cmp_ctx.desc ? -cmp : cmp;
}

/* Redis reads a weight with strtod over the C string: trailing bytes,
 * overflow and NaN are errors; an empty string weighs 0. */
static int weight_parse(const char *p, size_t len, double *out)
{
    char stackbuf[128];
    char *buf = len < sizeof(stackbuf) ? stackbuf : mem_alloc(len + 1);
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    *out = strtod(buf, &end);
    int bad = end[0] != '\0' || errno == ERANGE || isnan(*out);
    if (buf != stackbuf) mem_free(buf);
    return bad ? -1 : 0;
}

/* Loads weights; returns -1 if one is not a number (Redis still sorts and
 * then answers the error, which changes nothing visible). */
static int sort_weigh(struct client *c, const struct sort_opts *o, struct sort_vec *v)
{
    int bad = 0;
    for (size_t j = 0; j < v->n; j++) {
        struct sort_item *it = &v->v[j];
        struct sort_val val;
        if (o->by) {
            if (!sort_lookup(c, o->by, it, &val)) continue;
        } else {
            val.p = it->p;
            val.len = it->len;
        }
        if (o->alpha) {
            if (o->by) {
                it->cmp = mem_alloc(val.len + 1);
                memcpy(it->cmp, val.p, val.len);
                it->cmp[val.len] = '\0';
                it->cmplen = val.len;
            }
        } else if (weight_parse(val.p, val.len, &it->score) < 0) {
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- output */

/* One GET pattern's value for the reply (nil when missing). */
static void reply_get(struct client *c, const struct arg *pat, const struct sort_item *it)
{
    struct sort_val val;
    if (sort_lookup(c, pat, it, &val)) reply_bulk(c, val.p, val.len);
    else reply_null(c);
}

/* STORE: the output as a list at the store key (GET patterns that find
 * nothing store ""), replacing whatever was there; an empty output deletes
 * the key instead. Replies the output length. */
static void sort_store(struct client *c, const struct sort_opts *o, const struct sort_vec *v,
                       long long start, long long end, long long outputlen)
{
    const struct arg *k = o->store;
    if (outputlen <= 0) {
        db_delete(c->db, k->p, k->len);
        reply_int(c, 0);
        return;
    }
    struct entry *res = list_entry_create(k->p, k->len);
    for (long long j = start; j <= end; j++) {
        const struct sort_item *it = &v->v[j];
        if (o->ngets == 0) list_entry_push(res, it->p, it->len);
        for (int g = 0; g < o->ngets; g++) {
            struct sort_val val;
            if (sort_lookup(c, o->gets[g], it, &val)) list_entry_push(res, val.p, val.len);
            else list_entry_push(res, "", 0);
        }
    }
    struct entry *old = db_lookup_write(c->db, k->p, k->len);
    if (old) db_overwrite(c->db, old, res);
    else db_add(c->db, res);
    reply_int(c, outputlen);
}

static void sort_reply(struct client *c, const struct sort_opts *o, const struct sort_vec *v,
                       long long start, long long end, long long outputlen)
{
    reply_array(c, outputlen);
    for (long long j = start; j <= end; j++) {
        const struct sort_item *it = &v->v[j];
        if (o->ngets == 0) reply_bulk(c, it->p, it->len);
        for (int g = 0; g < o->ngets; g++) reply_get(c, o->gets[g], it);
    }
}

/* ------------------------------------------------------------- the command */

/* Redis's LIMIT arithmetic, inputs first clamped to the size so nothing
 * overflows: [start, end] of the sorted vector, empty when end < start. */
static void sort_range(const struct sort_opts *o, long long vlen, long long *start, long long *end)
{
    long long s = o->limit_start < 0 ? 0 : o->limit_start > vlen ? vlen : o->limit_start;
    long long count = o->limit_count < -1 ? -1 : o->limit_count > vlen ? vlen : o->limit_count;
    long long e = count < 0 ? vlen - 1 : s + count - 1;
    if (s >= vlen) {
        s = vlen - 1;
        e = vlen - 2;
    }
    if (e >= vlen) e = vlen - 1;
    *start = s;
    *end = e;
}

static size_t sort_size(const struct entry *e)
{
    if (e == NULL) return 0;
    if (e->type == OBJ_SET) return set_entry_size(e);
    if (e->type == OBJ_ZSET) return zset_len(e);
    return list_entry_len(e);
}

/* Fills the vector. A list or sorted set that is not sorted loads only
 * the LIMIT range, walking backwards for DESC, and the range is then the
 * whole vector (start/end rebased, as Redis). */
static void sort_load(const struct entry *e, const struct sort_opts *o, long long vlen, long long *start,
                      long long *end, struct sort_vec *v)
{
    if (e == NULL) return;
    if (e->type == OBJ_SET) {
        set_entry_foreach(e, load_member, v);
        return;
    }
    int ordered_range = o->dontsort;
    if (!ordered_range) {
        if (e->type == OBJ_ZSET) load_zset(e, 0, 0, (size_t)vlen, v);
        else load_list(e, 0, 0, (size_t)vlen, v);
        return;
    }
    if (*end < *start && e->type != OBJ_ZSET) return;
    size_t count = *end >= *start ? (size_t)(*end - *start + 1) : 0;
    if (e->type == OBJ_ZSET) load_zset(e, o->desc, (size_t)*start, count, v);
    else load_list(e, o->desc, (size_t)*start, count, v);
    *end -= *start;
    *start = 0;
}

static void sort_generic(struct client *c, int readonly)
{
    struct sort_opts o;
    struct sort_vec v = {NULL, 0};
    if (sort_parse_or_reply(c, readonly, &o) < 0) goto out;
    struct entry *e = db_lookup_read(c->db, c->argv[1].p, c->argv[1].len);
    if (e && e->type != OBJ_SET && e->type != OBJ_LIST && e->type != OBJ_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        goto out;
    }
    /* an unsorted set would store in table order: Redis sorts it ALPHA */
    if (o.dontsort && e && e->type == OBJ_SET && o.store) {
        o.dontsort = 0;
        o.alpha = 1;
        o.by = NULL;
    }
    if (e && e->type == OBJ_ZSET) zset_convert_to_skiplist(e);   /* as Redis, even SORT_RO */
    long long vlen = (long long)sort_size(e), start, end;
    sort_range(&o, vlen, &start, &end);
    v.v = mem_alloc(((size_t)vlen + 1) * sizeof(*v.v));
    sort_load(e, &o, vlen, &start, &end, &v);
    int bad = 0;
    if (!o.dontsort) {
        bad = sort_weigh(c, &o, &v) < 0;
        sort_cmp_ctx.desc = o.desc;
        sort_cmp_ctx.alpha = o.alpha;
        sort_cmp_ctx.by = o.by != NULL;
        sort_cmp_ctx.store = o.store != NULL;
        qsort(v.v, v.n, sizeof(*v.v), sort_compare);
    }
    long long outputlen = (o.ngets ? o.ngets : 1) * (end - start + 1);
    if (bad) reply_error(c, "One or more scores can't be converted into double");
    else if (o.store) sort_store(c, &o, &v, start, end, outputlen);
    else sort_reply(c, &o, &v, start, end, outputlen);
out:
    for (size_t j = 0; j < v.n; j++) {
        mem_free(v.v[j].p);
        mem_free(v.v[j].cmp);
    }
    mem_free(v.v);
    mem_free(o.gets);
}

void cmd_sort(struct client *c)
{
    sort_generic(c, 0);
}

void cmd_sort_ro(struct client *c)
{
    sort_generic(c, 1);
}
