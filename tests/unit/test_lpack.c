/* tests/unit/test_lpack: backend/lpack against a plain array of strings.
 * Random edits at random places are mirrored on the reference and the
 * whole pack is compared after each (walked forwards, backwards and by
 * seek), with element lengths chosen around the header boundaries
 * (63/64 and 4095/4096 bytes) and integers around each integer width. */
#include "backend/lpack.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

#include <limits.h>
#include <stdlib.h>

#define REF_MAX 400

struct ref {
    char *s[REF_MAX];
    size_t len[REF_MAX];
    size_t n;
};

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned long long rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t rnd_len(void)
{
    static const size_t sizes[] = {0, 1, 2, 62, 63, 64, 65, 127, 128, 4094, 4095, 4096, 4097, 16378, 16379, 20000};
    if (rnd() % 3 == 0) return sizes[rnd() % (sizeof(sizes) / sizeof(sizes[0]))];
    return rnd() % 20;
}

static long long rnd_int(void)
{
    static const long long vals[] = {
        0, 1, 127, 128, -1, 4095, 4096, -4096, -4097, 32767, 32768, -32768, -32769,
        8388607, 8388608, -8388608, -8388609, 2147483647LL, 2147483648LL, -2147483648LL,
        -2147483649LL, LLONG_MAX, LLONG_MIN, LLONG_MAX - 1, LLONG_MIN + 1,
    };
    if (rnd() % 2) return vals[rnd() % (sizeof(vals) / sizeof(vals[0]))];
    return (long long)rnd() >> (rnd() % 64);
}

/* A random element: an integer string, a near-integer string or bytes. */
static char *rnd_elem(size_t *len)
{
    char *s;
    switch (rnd() % 4) {
    case 0: {
        s = malloc(UTIL_LONG_STR_SIZE);
        *len = (size_t)util_ll2str(s, rnd_int());
        return s;
    }
    case 1: {
        static const char *const near[] = {"01", "-0", "+1", " 1", "1 ", "9223372036854775808",
                                           "-9223372036854775809", "1.0", "", "-", "00"};
        const char *t = near[rnd() % (sizeof(near) / sizeof(near[0]))];
        *len = strlen(t);
        s = malloc(*len + 1);
        memcpy(s, t, *len + 1);
        return s;
    }
    default:
        *len = rnd_len();
        s = malloc(*len + 1);
        for (size_t i = 0; i < *len; i++) s[i] = (char)(rnd() & 0xFF);
        if (*len) s[0] = 'x';   /* binary, never an integer */
        return s;
    }
}

static int val_is(const struct lp_val *v, const char *s, size_t len)
{
    if (v->len != len || (len && memcmp(v->p, s, len) != 0)) return 0;
    long long ll;
    int is_int = util_str2ll(s, len, &ll) == 0;
    return v->is_int == is_int && (!is_int || v->ll == ll);
}

/* The whole pack equals the reference, by every way of walking it. */
static int same(const unsigned char *lp, const struct ref *r)
{
    struct lp_val v;
    if (!lp_validate(lp) || lp_count(lp) != r->n) return 0;
    size_t off = lp_first(lp);
    for (size_t i = 0; i < r->n; i++, off = lp_next(lp, off)) {
        if (off == 0) return 0;
        lp_get(lp, off, &v);
        if (!val_is(&v, r->s[i], r->len[i]) || lp_seek(lp, (long long)i) != off) return 0;
        if (lp_seek(lp, (long long)i - (long long)r->n) != off) return 0;
        if (!lp_eq(lp, off, r->s[i], r->len[i])) return 0;
    }
    if (off != 0) return 0;
    off = lp_last(lp);
    for (size_t i = r->n; i-- > 0; off = lp_prev(lp, off)) {
        if (off == 0) return 0;
        lp_get(lp, off, &v);
        if (!val_is(&v, r->s[i], r->len[i])) return 0;
    }
    return off == 0 && lp_seek(lp, (long long)r->n) == 0 && lp_seek(lp, -(long long)r->n - 1) == 0;
}

static void ref_insert(struct ref *r, size_t i, char *s, size_t len)
{
    memmove(r->s + i + 1, r->s + i, (r->n - i) * sizeof(r->s[0]));
    memmove(r->len + i + 1, r->len + i, (r->n - i) * sizeof(r->len[0]));
    r->s[i] = s;
    r->len[i] = len;
    r->n++;
}

static void ref_delete(struct ref *r, size_t i, size_t n)
{
    if (i + n > r->n) n = r->n - i;
    for (size_t k = i; k < i + n; k++) free(r->s[k]);
    memmove(r->s + i, r->s + i + n, (r->n - i - n) * sizeof(r->s[0]));
    memmove(r->len + i, r->len + i + n, (r->n - i - n) * sizeof(r->len[0]));
    r->n -= n;
}

static void ref_clear(struct ref *r) { ref_delete(r, 0, r->n); }

/* One random edit applied to both. */
static unsigned char *random_op(unsigned char *lp, struct ref *r)
{
    size_t len = 0, i = r->n ? (size_t)(rnd() % r->n) : 0;
    unsigned op = (unsigned)(rnd() % 9);
    if (r->n + 1 >= REF_MAX) op = 5;
    if (r->n == 0 && op >= 4) op = 0;
    char *s = op < 5 ? rnd_elem(&len) : NULL;
    switch (op) {
    case 0: lp = lp_append(lp, s, len); ref_insert(r, r->n, s, len); break;
    case 1: lp = lp_prepend(lp, s, len); ref_insert(r, 0, s, len); break;
    case 2: lp = lp_insert(lp, lp_seek(lp, (long long)i), s, len, 0); ref_insert(r, i, s, len); break;
    case 3: lp = lp_insert(lp, lp_seek(lp, (long long)i - (long long)r->n), s, len, 1);
            ref_insert(r, r->n ? i + 1 : 0, s, len); break;
    case 4: lp = lp_replace(lp, lp_seek(lp, (long long)i), s, len);
            free(r->s[i]); r->s[i] = s; r->len[i] = len; break;
    case 5: case 6: {
        size_t n = rnd() % 4;
        lp = lp_delete(lp, lp_seek(lp, (long long)i), n);
        ref_delete(r, i, n);
        break;
    }
    case 7: {
        size_t n = rnd() % 5;
        lp = lp_delete_range(lp, (long long)i - (long long)r->n, n);
        ref_delete(r, i, n);
        break;
    }
    default: {
        long long v = rnd_int();
        lp = lp_append_ll(lp, v);
        char *t = malloc(UTIL_LONG_STR_SIZE);
        ref_insert(r, r->n, t, (size_t)util_ll2str(t, v));
        break;
    }
    }
    return lp;
}

TEST(empty_pack)
{
    unsigned char *lp = lp_create();
    CHECK_EQ_INT(lp_count(lp), 0);
    CHECK_EQ_INT(lp_first(lp), 0);
    CHECK_EQ_INT(lp_last(lp), 0);
    CHECK_EQ_INT(lp_seek(lp, 0), 0);
    CHECK_EQ_INT(lp_seek(lp, -1), 0);
    CHECK_EQ_INT(lp_find(lp, lp_first(lp), "a", 1, 0), 0);
    CHECK(lp_validate(lp));
    lp = lp_delete(lp, lp_first(lp), 3);
    lp = lp_delete_range(lp, 0, 3);
    CHECK_EQ_INT(lp_count(lp), 0);
    lp_destroy(&lp);
    CHECK(lp == NULL);
    lp_destroy(&lp);
}

TEST(integer_detection_follows_str2ll)
{
    static const char *const strs[] = {
        "0", "1", "-1", "127", "128", "4095", "4096", "-4096", "-4097", "32767", "32768", "-32768",
        "-32769", "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
        "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
        "01", "-0", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1.5", "", "abc",
    };
    unsigned char *lp = lp_create();
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) lp = lp_append(lp, strs[i], strlen(strs[i]));
    size_t off = lp_first(lp);
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++, off = lp_next(lp, off)) {
        struct lp_val v;
        long long ll;
        lp_get(lp, off, &v);
        CHECK_EQ_MEM(v.p, v.len, strs[i], strlen(strs[i]));
        CHECK_EQ_INT(v.is_int, util_str2ll(strs[i], strlen(strs[i]), &ll) == 0);
        if (v.is_int) CHECK_EQ_INT(v.ll, ll);
    }
    CHECK(lp_validate(lp));
    lp_destroy(&lp);
}

/* Small integers take 1-2 bytes, 64-bit ones 9, plus a 1-byte back-length. */
TEST(element_sizes)
{
    static const struct { long long v; size_t bytes; } ints[] = {
        {0, 2}, {127, 2}, {128, 3}, {-1, 3}, {4095, 3}, {-4096, 3}, {4096, 4}, {-4097, 4},
        {32767, 4}, {32768, 5}, {8388607, 5}, {8388608, 6}, {2147483647LL, 6}, {2147483648LL, 10},
        {LLONG_MIN, 10}, {LLONG_MAX, 10},
    };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        unsigned char *lp = lp_append_ll(lp_create(), ints[i].v);
        CHECK_EQ_INT(lp_elem_bytes(lp, lp_first(lp)), ints[i].bytes);
        lp_destroy(&lp);
    }
    /* strings: 1-byte header to 63, 2 to 4095, 5 beyond; back-length 1/2/3 bytes */
    static const struct { size_t len, bytes; } strs[] = {
        {0, 2}, {63, 65}, {64, 67}, {125, 128}, {126, 130}, {4095, 4099}, {4096, 4103},
        {16378, 16385}, {16379, 16387}, {70000, 70008},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        char *s = malloc(strs[i].len + 1);
        memset(s, 'a', strs[i].len);
        unsigned char *lp = lp_append(lp_create(), s, strs[i].len);
        lp = lp_append(lp, "x", 1);
        CHECK_EQ_INT(lp_elem_bytes(lp, lp_first(lp)), strs[i].bytes);
        CHECK_EQ_INT(lp_prev(lp, lp_last(lp)), lp_first(lp));
        struct lp_val v;
        lp_get(lp, lp_first(lp), &v);
        CHECK_EQ_MEM(v.p, v.len, s, strs[i].len);
        lp_destroy(&lp);
        free(s);
    }
}

TEST(find_with_skip)
{
    unsigned char *lp = lp_create();
    /* field/value pairs where values equal other fields' names */
    const char *kv[] = {"a", "b", "b", "12", "12", "a", "c", "-5", "-5", "x"};
    for (size_t i = 0; i < 10; i++) lp = lp_append(lp, kv[i], strlen(kv[i]));
    size_t f = lp_first(lp);
    CHECK_EQ_INT(lp_find(lp, f, "b", 1, 1), lp_seek(lp, 2));
    CHECK_EQ_INT(lp_find(lp, f, "12", 2, 1), lp_seek(lp, 4));
    CHECK_EQ_INT(lp_find(lp, f, "-5", 2, 1), lp_seek(lp, 8));
    CHECK_EQ_INT(lp_find(lp, f, "x", 1, 1), 0);       /* only a value */
    CHECK_EQ_INT(lp_find(lp, f, "012", 3, 1), 0);     /* not the integer 12 */
    CHECK_EQ_INT(lp_find(lp, f, "x", 1, 0), lp_seek(lp, 9));
    CHECK_EQ_INT(lp_find(lp, f, "12", 2, 0), lp_seek(lp, 3));
    CHECK_EQ_INT(lp_find(lp, lp_seek(lp, 1), "a", 1, 1), lp_seek(lp, 5));
    CHECK_EQ_INT(lp_find(lp, lp_seek(lp, 6), "a", 1, 1), 0);
    CHECK_EQ_INT(lp_find(lp, f, "c", 1, 2), lp_seek(lp, 6));   /* looks at 0,3,6,9 */
    CHECK_EQ_INT(lp_find(lp, f, "b", 1, 2), 0);                /* 1 and 2 are skipped */
    CHECK_EQ_INT(lp_find(lp, lp_seek(lp, 1), "a", 1, 3), lp_seek(lp, 5));   /* 1,5,9 */
    CHECK_EQ_INT(lp_find(lp, lp_seek(lp, 1), "c", 1, 4), lp_seek(lp, 6));   /* 1,6 */
    CHECK_EQ_INT(lp_find(lp, f, "a", 1, 100), f);
    CHECK_EQ_INT(lp_find(lp, lp_seek(lp, 1), "a", 1, 100), 0);
    CHECK(!lp_eq(lp, lp_seek(lp, 3), "12 ", 3));
    CHECK(lp_eq(lp, lp_seek(lp, 3), "12", 2));
    CHECK(!lp_eq(lp, lp_seek(lp, 0), "b", 1));
    lp_destroy(&lp);
}

TEST(random_ops_match_reference)
{
    struct ref r = {.n = 0};
    unsigned char *lp = lp_create();
    int bad = 0;
    for (int round = 0; round < 6000 && !bad; round++) {
        lp = random_op(lp, &r);
        if (!same(lp, &r)) {
            printf("  mismatch after round %d (n=%zu)\n", round, r.n);
            bad = 1;
        }
        if (round % 1500 == 1499) {   /* a dup is an equal, independent pack */
            unsigned char *d = lp_dup(lp);
            CHECK(same(d, &r));
            CHECK_EQ_INT(lp_bytes(d), lp_bytes(lp));
            lp_destroy(&d);
            lp = lp_delete_range(lp, 0, r.n);
            ref_clear(&r);
            unsigned char *empty = lp_create();
            CHECK_EQ_INT(lp_bytes(lp), lp_bytes(empty));
            lp_destroy(&empty);
        }
    }
    CHECK(!bad);
    /* find every element from the start with skip 0: the first equal one */
    for (size_t i = 0; i < r.n; i++) {
        size_t j = 0;
        while (!(r.len[j] == r.len[i] && memcmp(r.s[j], r.s[i], r.len[i]) == 0)) j++;
        CHECK_EQ_INT(lp_find(lp, lp_first(lp), r.s[i], r.len[i], 0), lp_seek(lp, (long long)j));
    }
    ref_clear(&r);
    lp_destroy(&lp);
}

int main(void)
{
    RUN(empty_pack);
    RUN(integer_detection_follows_str2ll);
    RUN(element_sizes);
    RUN(find_with_skip);
    RUN(random_ops_match_reference);
    return unit_done();
}
