/* tests/unit/test_dict: lib/dict against a simple reference (an array of
 * entries with a live flag), through growth, shrink, incremental rehash,
 * tombstones and SCAN across resizes; plus the SipHash known answers. */
#include "lib/dict.h"
#include "tests/unit/unit.h"

#include <stdlib.h>

struct tent {
    uint32_t id;
    uint32_t klen;
    int live;
    int seen;
    char key[40];
};

static const char *tent_key(const void *e, size_t *klen)
{
    const struct tent *t = e;
    *klen = t->klen;
    return t->key;
}

static const struct dict_type tent_type = { .entry_key = tent_key };

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* n entries with distinct random binary keys (4 id bytes + 0..31 random). */
static struct tent *pool_make(size_t n)
{
    struct tent *p = calloc(n, sizeof(*p));
    for (size_t i = 0; i < n; i++) {
        p[i].id = (uint32_t)i;
        memcpy(p[i].key, &p[i].id, 4);
        p[i].klen = 4 + (uint32_t)(rnd() % 32);
        for (uint32_t j = 4; j < p[i].klen; j++)
            p[i].key[j] = (char)rnd();
    }
    return p;
}

static void pool_add(struct dict *d, struct tent *e)
{
    dict_add(d, e);
    e->live = 1;
}

static int pool_del(struct dict *d, struct tent *e)
{
    void *got = dict_delete(d, e->key, e->klen);
    e->live = 0;
    return got == e;
}

/* Every entry of the pool is found iff live; returns the number of errors. */
static size_t pool_verify(struct dict *d, struct tent *p, size_t n)
{
    size_t bad = 0, live = 0;
    for (size_t i = 0; i < n; i++) {
        void *got = dict_find(d, p[i].key, p[i].klen);
        if (got != (p[i].live ? &p[i] : NULL))
            bad++;
        live += p[i].live;
    }
    return bad + (live != dict_size(d));
}

static int count_cb(void *priv, void *entry)
{
    struct tent *t = entry;
    size_t *n = priv;
    if (!t->live)
        return 1;
    (*n)++;
    return 0;
}

TEST(siphash_vectors)
{
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    /* SipHash-2-4, the paper's appendix A vector */
    CHECK(dict_siphash(msg, 15, key, 2, 4) == 0xa129ca6149be45e5ULL);
    /* SipHash-1-3 with a zero key, as computed by CPython 3.11's bytes hash
     * (PYTHONHASHSEED=0 zeroes its siphash13 key): an independent source */
    static const struct { size_t len; uint64_t h; } v13[] = {
        { 1, 0x68a914128e01e473ULL }, { 7, 0x2f098ab0c751325aULL },
        { 8, 0xead411e67ebe2eeaULL }, { 15, 0xf30eb725bb91c9eaULL },
        { 16, 0x8972188433a5c5b7ULL }, { 17, 0x4883c49a2c009c1dULL },
        { 31, 0x169739443111d49bULL },
    };
    uint8_t zero[16] = { 0 };
    for (size_t i = 0; i < sizeof(v13) / sizeof(v13[0]); i++)
        CHECK(dict_siphash(msg, v13[i].len, zero, 1, 3) == v13[i].h);
}

TEST(hash_seed)
{
    uint8_t a[16], b[16];
    for (int i = 0; i < 16; i++) {
        a[i] = (uint8_t)(i * 7 + 1);
        b[i] = (uint8_t)(i * 7 + 2);
    }
    dict_hash_seed(a);
    uint64_t ha = dict_hash("foo", 3);
    CHECK(ha == dict_siphash("foo", 3, a, 1, 3));
    dict_hash_seed(b);
    uint64_t hb = dict_hash("foo", 3);
    CHECK(hb == dict_siphash("foo", 3, b, 1, 3));
    CHECK(ha != hb);
    dict_hash_seed(a);
    CHECK(dict_hash("foo", 3) == ha);
    CHECK(dict_hash("foo", 3) != dict_hash("fop", 3));
}

TEST(hash_nocase)
{
    CHECK(dict_hash_nocase("GET", 3) == dict_hash_nocase("get", 3));
    CHECK(dict_hash_nocase("GeT", 3) == dict_hash("get", 3));
    CHECK(dict_hash("GET", 3) != dict_hash("get", 3));
    const char *lo = "client-setname-x", *up = "CLIENT-SETNAME-X";
    CHECK(dict_hash_nocase(up, 16) == dict_hash(lo, 16));
    CHECK(dict_hash_nocase("[", 1) != dict_hash_nocase("{", 1)); /* only A-Z fold */
}

struct cmd_ent {
    const char *name;
};

static const char *cmd_key(const void *e, size_t *klen)
{
    const struct cmd_ent *c = e;
    *klen = strlen(c->name);
    return c->name;
}

TEST(nocase_table)
{
    static const struct dict_type type = { .entry_key = cmd_key, .nocase = 1 };
    static struct cmd_ent get = { "get" }, set = { "SET" };
    struct dict *d = dict_create(&type);
    dict_add(d, &get);
    dict_add(d, &set);
    CHECK(dict_find(d, "GET", 3) == &get);
    CHECK(dict_find(d, "gEt", 3) == &get);
    CHECK(dict_find(d, "set", 3) == &set);
    CHECK(dict_find(d, "ge", 2) == NULL);
    CHECK(dict_find(d, "GET ", 4) == NULL);
    dict_destroy(&d);
    CHECK(d == NULL);
}

TEST(random_ops_vs_reference)
{
    enum { N = 100000, OPS = 300000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    size_t bad = 0, during_rehash = 0;
    for (size_t op = 0; op < OPS; op++) {
        struct tent *e = &p[rnd() % N];
        during_rehash += dict_is_rehashing(d);
        void *got = dict_find(d, e->key, e->klen);
        if (got != (e->live ? e : NULL))
            bad++;
        if (!e->live)
            pool_add(d, e);
        else if (rnd() % 3 == 0)
            bad += !pool_del(d, e);
        if (op % 50000 == 49999) {  /* a delete-heavy stretch, then shrink */
            for (size_t i = 0; i < N; i += 2)
                if (p[i].live)
                    bad += !pool_del(d, &p[i]);
            dict_maybe_shrink(d);
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(during_rehash > 0);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_rehash_ms(d, 1000);
    CHECK(!dict_is_rehashing(d));
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    size_t n = 0;
    dict_foreach(d, count_cb, &n);
    CHECK_EQ_INT(n, dict_size(d));
    dict_destroy(&d);
    free(p);
}

TEST(rehash_add_delete)
{
    enum { N = 20000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    size_t next = 0, ops_in_rehash = 0, bad = 0;
    while (!dict_is_rehashing(d) || dict_size(d) < 3000)
        pool_add(d, &p[next++]);
    /* the growth from 4096 slots is under way: mix adds, deletes, finds */
    size_t slots_before = dict_slots(d);
    while (dict_is_rehashing(d) && next < N) {
        ops_in_rehash++;
        pool_add(d, &p[next++]);
        struct tent *v = &p[rnd() % next];
        if (v->live)
            bad += !pool_del(d, v);
        for (int i = 0; i < 2; i++) {   /* a few lookups; each also steps */
            struct tent *f = &p[rnd() % next];
            bad += dict_find(d, f->key, f->klen) != (f->live ? f : NULL);
        }
        if (ops_in_rehash % 8 == 0) {   /* freeze the rehash, check all */
            dict_set_resize_allowed(0);
            bad += pool_verify(d, p, next);
            dict_set_resize_allowed(1);
        }
    }
    CHECK(ops_in_rehash > 50);
    CHECK(slots_before > 4096);
    CHECK_EQ_INT(bad, 0);
    CHECK(!dict_is_rehashing(d));
    CHECK_EQ_INT(dict_slots(d), 8192);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_destroy(&d);
    free(p);
}

struct order_ctx {
    struct tent *seq[8];
    size_t n;
};

static int order_cb(void *priv, void *entry)
{
    struct order_ctx *o = priv;
    if (o->n < 8)
        o->seq[o->n] = entry;
    o->n++;
    return 0;
}

/* Keys whose home slot in a 16-slot table is 3. */
static void same_home_keys(struct tent *out, size_t n)
{
    uint32_t cand = 0;
    for (size_t i = 0; i < n; i++) {
        for (;;) {
            out[i].klen = (uint32_t)snprintf(out[i].key, sizeof(out[i].key), "k%u", cand++);
            if ((dict_hash(out[i].key, out[i].klen) & 15) == 3)
                break;
        }
        out[i].id = (uint32_t)i;
    }
}

TEST(tombstone_reuse)
{
    struct tent k[4] = { { 0 } };
    struct order_ctx o;
    same_home_keys(k, 4);
    struct dict *d = dict_create(&tent_type);
    CHECK_EQ_INT(dict_slots(d), 16);
    pool_add(d, &k[0]);
    pool_add(d, &k[1]);
    pool_add(d, &k[2]);   /* slots 3, 4, 5 */
    CHECK(pool_del(d, &k[1]));                     /* tombstone in slot 4 */
    CHECK(dict_find(d, k[2].key, k[2].klen) == &k[2]);  /* probe goes past it */
    pool_add(d, &k[3]);   /* takes slot 4 back */
    memset(&o, 0, sizeof(o));
    dict_foreach(d, order_cb, &o);
    CHECK_EQ_INT(o.n, 3);
    CHECK(o.seq[0] == &k[0] && o.seq[1] == &k[3] && o.seq[2] == &k[2]);
    CHECK_EQ_INT(pool_verify(d, k, 4), 0);
    /* deleting the middle of a run, then its end, empties the whole tail */
    CHECK(pool_del(d, &k[3]));
    CHECK(pool_del(d, &k[2]));
    pool_add(d, &k[1]);
    memset(&o, 0, sizeof(o));
    dict_foreach(d, order_cb, &o);
    CHECK(o.n == 2 && o.seq[0] == &k[0] && o.seq[1] == &k[1]);
    /* reuse and back-walk cycles keep the tombstone count exact: a leak
     * would push the load past 3/4 and start a rehash */
    pool_add(d, &k[2]);
    size_t rehashing = 0, bad = 0;
    for (int i = 0; i < 100; i++) {
        bad += !pool_del(d, &k[1]);   /* tombstone */
        rehashing += dict_is_rehashing(d);
        pool_add(d, &k[3]);           /* reuses it */
        rehashing += dict_is_rehashing(d);
        bad += !pool_del(d, &k[3]);   /* tombstone again */
        rehashing += dict_is_rehashing(d);
        bad += !pool_del(d, &k[2]);   /* run end: empties back over it */
        rehashing += dict_is_rehashing(d);
        pool_add(d, &k[1]);
        rehashing += dict_is_rehashing(d);
        pool_add(d, &k[2]);
        rehashing += dict_is_rehashing(d);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(rehashing, 0);
    CHECK_EQ_INT(dict_slots(d), 16);
    CHECK_EQ_INT(pool_verify(d, k, 4), 0);
    dict_destroy(&d);

    /* churn: a few stable keys plus 100k add/delete pairs stay in 16 slots */
    enum { N = 100004 };
    struct tent *p = pool_make(N);
    d = dict_create(&tent_type);
    for (int i = 0; i < 4; i++)
        pool_add(d, &p[i]);
    size_t max_slots = 0;
    for (size_t i = 4; i < N; i++) {
        pool_add(d, &p[i]);
        bad += !pool_del(d, &p[i]);
        if (dict_slots(d) > max_slots)
            max_slots = dict_slots(d);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(max_slots <= 32);
    dict_rehash_ms(d, 100);
    CHECK_EQ_INT(dict_slots(d), 16);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_destroy(&d);
    free(p);
}

TEST(million_keys_fit_2_21)
{
    enum { N = 1000000 };
    struct tent *p = calloc(N, sizeof(*p));
    for (size_t i = 0; i < N; i++) {
        p[i].klen = 16;
        snprintf(p[i].key, sizeof(p[i].key), "key:%012zu", i);
    }
    struct dict *d = dict_create(&tent_type);
    for (size_t i = 0; i < N; i++)
        pool_add(d, &p[i]);
    while (dict_rehash_ms(d, 100))
        ;
    CHECK_EQ_INT(dict_size(d), N);
    CHECK(dict_slots(d) <= (size_t)1 << 21);
    CHECK(dict_mem_bytes(d) <= (size_t)17 * N);
    size_t bad = 0;
    for (size_t i = 0; i < N; i += 7)
        bad += dict_find(d, p[i].key, p[i].klen) != &p[i];
    CHECK(dict_find(d, "key:000001000000", 16) == NULL);
    CHECK_EQ_INT(bad, 0);
    dict_destroy(&d);
    free(p);
}

struct scan_ctx {
    size_t bad;
};

static void scan_cb(void *priv, void *entry)
{
    struct scan_ctx *s = priv;
    struct tent *t = entry;
    if (!t->live)
        s->bad++;
    t->seen = 1;
}

TEST(scan_while_growing)
{
    enum { N = 12000, BASE = 500 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    struct scan_ctx sc = { 0 };
    size_t next = 0, calls = 0, calls_rehashing = 0;
    while (next < BASE)
        pool_add(d, &p[next++]);
    size_t slots0 = dict_slots(d);
    uint64_t cursor = 0;
    do {
        calls_rehashing += dict_is_rehashing(d);
        cursor = dict_scan(d, cursor, scan_cb, &sc);
        calls++;
        for (int i = 0; i < 3 && next < N; i++)
            pool_add(d, &p[next++]);
    } while (cursor != 0 && calls < 10000000);
    CHECK(cursor == 0);
    CHECK_EQ_INT(sc.bad, 0);
    CHECK(calls_rehashing > 0);
    CHECK(dict_slots(d) >= 4 * slots0);
    size_t missed = 0;
    for (size_t i = 0; i < BASE; i++)
        missed += !p[i].seen;
    CHECK_EQ_INT(missed, 0);
    dict_destroy(&d);
    free(p);
}

TEST(scan_while_shrinking)
{
    enum { N = 20000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    struct scan_ctx sc = { 0 };
    for (size_t i = 0; i < N; i++)
        pool_add(d, &p[i]);
    dict_rehash_ms(d, 1000);
    size_t slots0 = dict_slots(d), calls = 0, calls_rehashing = 0, del = 0;
    uint64_t cursor = 0;
    do {
        calls_rehashing += dict_is_rehashing(d);
        cursor = dict_scan(d, cursor, scan_cb, &sc);
        calls++;
        /* delete every entry but each 10th, in scattered order */
        for (int i = 0; i < 8 && del < N; i++, del++) {
            size_t j = (del * 7919) % N;
            if (j % 10 != 0)
                pool_del(d, &p[j]);
        }
        dict_maybe_shrink(d);
        if (calls % 16 == 0)
            dict_rehash_ms(d, 0);
    } while (cursor != 0 && calls < 10000000);
    CHECK(cursor == 0);
    CHECK_EQ_INT(sc.bad, 0);
    CHECK(calls_rehashing > 0);
    CHECK(dict_slots(d) < slots0);
    size_t missed = 0;
    for (size_t i = 0; i < N; i += 10)
        missed += !p[i].seen;
    CHECK_EQ_INT(missed, 0);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_destroy(&d);
    free(p);
}

TEST(replace)
{
    enum { N = 5000 };
    struct tent *p = pool_make(N);
    struct tent copy, other;
    struct dict *d = dict_create(&tent_type);
    pool_add(d, &p[0]);
    copy = p[0];
    CHECK_EQ_INT(dict_replace(d, &p[0], &copy), 0);
    CHECK(dict_find(d, p[0].key, p[0].klen) == &copy);
    other = p[0];
    CHECK_EQ_INT(dict_replace(d, &p[0], &other), -1);  /* p[0] no longer stored */
    CHECK(dict_find(d, p[0].key, p[0].klen) == &copy);
    CHECK_EQ_INT(dict_size(d), 1);
    /* while rehashing: replace entries wherever they are */
    size_t i = 1, bad = 0;
    while (!dict_is_rehashing(d) || i < 1000)
        pool_add(d, &p[i++]);
    for (int r = 0; r < 50; r++)   /* move some entries to the new table */
        dict_find(d, p[1].key, p[1].klen);
    struct tent *copies = calloc(i, sizeof(*copies));
    for (size_t j = 1; j < i; j++) {
        copies[j] = p[j];
        bad += dict_replace(d, &p[j], &copies[j]) != 0;
    }
    CHECK(dict_is_rehashing(d));
    for (size_t j = 1; j < i; j++)
        bad += dict_find(d, p[j].key, p[j].klen) != &copies[j];
    CHECK_EQ_INT(bad, 0);
    dict_destroy(&d);
    free(copies);
    free(p);
}

static void free_cb(void *entry, void *priv)
{
    struct tent *t = entry;
    size_t *n = priv;
    t->seen++;
    (*n)++;
}

TEST(empty)
{
    enum { N = 1000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    for (size_t i = 0; i < N; i++)
        pool_add(d, &p[i]);
    CHECK(dict_is_rehashing(d) || dict_slots(d) > 16);
    size_t freed = 0, right = 0, live = 0;
    for (size_t i = 0; i < N; i += 3)   /* leave tombstones behind */
        pool_del(d, &p[i]);
    dict_empty(d, free_cb, &freed);
    for (size_t i = 0; i < N; i++) {
        right += p[i].seen == p[i].live;   /* live ones once, dead never */
        live += p[i].live;
        p[i].live = 0;
    }
    CHECK_EQ_INT(freed, live);
    CHECK_EQ_INT(right, N);
    CHECK_EQ_INT(dict_size(d), 0);
    CHECK_EQ_INT(dict_slots(d), 16);
    CHECK(!dict_is_rehashing(d));
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    for (size_t i = 0; i < N; i += 2)
        pool_add(d, &p[i]);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_empty(d, NULL, NULL);
    CHECK_EQ_INT(dict_size(d), 0);
    CHECK(dict_random(d) == NULL);
    dict_destroy(&d);
    free(p);
}

TEST(sample_and_random)
{
    enum { N = 2000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    void *out[16];
    CHECK(dict_random(d) == NULL);
    CHECK_EQ_INT(dict_sample(d, out, 16), 0);
    for (size_t i = 0; i < N; i++)
        pool_add(d, &p[i]);
    for (size_t i = 0; i < N; i++)
        if (rnd() % 4 != 0)
            pool_del(d, &p[i]);
    size_t bad = 0, total = 0, distinct = 0;
    for (int r = 0; r < 300; r++) {
        size_t n = dict_sample(d, out, 16);
        bad += n == 0 || n > 16;
        total += n;
        for (size_t i = 0; i < n; i++) {
            struct tent *t = out[i];
            bad += !t->live;
            for (size_t j = 0; j < i; j++)
                bad += out[j] == out[i];
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(total >= 300 * 4);   /* at 1/4 live and 10 slots per wanted entry */
    for (int r = 0; r < 500; r++) {
        struct tent *t = dict_random(d);
        bad += t == NULL || !t->live;
        if (t && !t->seen) {
            t->seen = 1;
            distinct++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(distinct > 100);
    /* a very sparse table still yields its only entry */
    for (size_t i = 0; i < N; i++)
        if (p[i].live && i != 1234)
            pool_del(d, &p[i]);
    if (!p[1234].live)
        pool_add(d, &p[1234]);
    CHECK(dict_random(d) == &p[1234]);
    CHECK_EQ_INT(dict_sample(d, out, 4), 1);
    CHECK(out[0] == &p[1234]);
    dict_destroy(&d);
    free(p);
}

TEST(resize_paused)
{
    enum { N = 30000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    size_t next = 0;
    while (!dict_is_rehashing(d) || dict_size(d) < 3000)
        pool_add(d, &p[next++]);
    dict_set_resize_allowed(0);
    size_t slots = dict_slots(d);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    CHECK(dict_is_rehashing(d));
    CHECK_EQ_INT(dict_rehash_ms(d, 10), 1);
    CHECK_EQ_INT(dict_slots(d), slots);
    /* keep adding: the target fills to 7/8, then must grow anyway */
    while (next < N)
        pool_add(d, &p[next++]);
    CHECK(dict_slots(d) > slots);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    for (size_t i = 0; i < N; i++)
        if (i % 16)
            pool_del(d, &p[i]);
    dict_maybe_shrink(d);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_set_resize_allowed(1);
    while (dict_rehash_ms(d, 100))
        ;
    dict_maybe_shrink(d);
    while (dict_rehash_ms(d, 100))
        ;
    CHECK(dict_slots(d) <= 8192);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    dict_destroy(&d);
    free(p);
}

TEST(shrink)
{
    enum { N = 10000 };
    struct tent *p = pool_make(N);
    struct dict *d = dict_create(&tent_type);
    for (size_t i = 0; i < N; i++)
        pool_add(d, &p[i]);
    dict_rehash_ms(d, 1000);
    size_t big = dict_slots(d);
    CHECK(big >= 16384);
    dict_maybe_shrink(d);
    CHECK(!dict_is_rehashing(d));   /* full table: nothing to do */
    for (size_t i = 10; i < N; i++)
        pool_del(d, &p[i]);
    dict_maybe_shrink(d);
    CHECK(dict_is_rehashing(d));
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    while (dict_rehash_ms(d, 100))
        ;
    CHECK_EQ_INT(dict_slots(d), 64);   /* 10 entries at a load <= 1/4 */
    CHECK(dict_mem_bytes(d) >= 64 * sizeof(void *));
    CHECK(dict_mem_bytes(d) < 64 * sizeof(void *) + 256);
    CHECK_EQ_INT(pool_verify(d, p, N), 0);
    for (size_t i = 0; i < 10; i++)
        pool_del(d, &p[i]);
    dict_maybe_shrink(d);
    while (dict_rehash_ms(d, 100))
        ;
    CHECK_EQ_INT(dict_slots(d), 16);
    dict_destroy(&d);
    free(p);
}

int main(void)
{
    uint8_t seed[16];
    for (int i = 0; i < 16; i++)
        seed[i] = (uint8_t)(0xa5 ^ (i * 29));
    dict_hash_seed(seed);
    RUN(siphash_vectors);
    RUN(hash_seed);
    RUN(hash_nocase);
    RUN(nocase_table);
    RUN(random_ops_vs_reference);
    RUN(rehash_add_delete);
    RUN(tombstone_reuse);
    RUN(million_keys_fit_2_21);
    RUN(scan_while_growing);
    RUN(scan_while_shrinking);
    RUN(replace);
    RUN(empty);
    RUN(sample_and_random);
    RUN(resize_paused);
    RUN(shrink);
    return unit_done();
}
