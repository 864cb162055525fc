/* tests/unit/test_hist: lib/hist against exact answers computed from a
 * sorted array of the same values (nearest-rank percentiles). */
#include <stdlib.h>

#include "lib/hist.h"
#include "tests/unit/unit.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* the ceil(p/100*n)-th smallest, at least the first */
static uint64_t ref_percentile(const uint64_t *sorted, size_t n, double p)
{
    double want = p / 100.0 * (double)n;
    size_t rank = (size_t)want;
    if (want - (double)rank > 1e-9)
        rank++;
    if (rank == 0)
        rank = 1;
    return sorted[rank - 1];
}

/* |got - want| within one bucket width at want: relative 2^-(sub_bits-1) */
static int within_precision(uint64_t got, uint64_t want, unsigned sub_bits)
{
    double tol = (double)want / (double)(1u << (sub_bits - 1));
    double d = got > want ? (double)(got - want) : (double)(want - got);
    return d <= tol + 1;
}

static void check_against_reference(uint64_t *v, size_t n, unsigned sub_bits)
{
    struct hist *h = hist_create(1ULL << 40, sub_bits);
    CHECK(h != NULL);
    for (size_t i = 0; i < n; i++)
        hist_record(h, v[i]);
    qsort(v, n, sizeof(*v), cmp_u64);
    CHECK_EQ_INT(hist_count(h), n);
    CHECK_EQ_INT(hist_min(h), v[0]);
    CHECK_EQ_INT(hist_max(h), v[n - 1]);
    static const double ps[] = { 0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100 };
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        uint64_t got = hist_percentile(h, ps[i]), want = ref_percentile(v, n, ps[i]);
        if (!within_precision(got, want, sub_bits)) {
            printf("  p%g: got %llu want %llu\n", ps[i], (unsigned long long)got,
                   (unsigned long long)want);
            CHECK(0);
        }
        /* reported values are never below the true percentile */
        CHECK(got >= want);
    }
    hist_destroy(&h);
    CHECK(h == NULL);
}

TEST(uniform_values)
{
    enum { N = 200000 };
    uint64_t *v = malloc(N * sizeof(*v)), s = 42;
    for (size_t i = 0; i < N; i++)
        v[i] = splitmix(&s) % 10000000;     /* 0..10 ms in ns */
    check_against_reference(v, N, 11);
    free(v);
}

TEST(long_tail_values)
{
    enum { N = 100000 };
    uint64_t *v = malloc(N * sizeof(*v)), s = 7;
    for (size_t i = 0; i < N; i++) {
        /* log-uniform over 1 ns .. 2^36 ns: every bucket range gets used */
        unsigned e = (unsigned)(splitmix(&s) % 36);
        v[i] = (1ULL << e) + splitmix(&s) % (1ULL << e);
    }
    check_against_reference(v, N, 11);
    free(v);
}

TEST(coarse_precision)
{
    enum { N = 50000 };
    uint64_t *v = malloc(N * sizeof(*v)), s = 9;
    for (size_t i = 0; i < N; i++)
        v[i] = 1000 + splitmix(&s) % 1000000;
    check_against_reference(v, N, 5);    /* 1/16 relative precision */
    free(v);
}

TEST(small_values_are_exact)
{
    struct hist *h = hist_create(1 << 20, 11);
    for (uint64_t x = 1; x <= 100; x++)
        hist_record(h, x);
    CHECK_EQ_INT(hist_percentile(h, 50), 50);
    CHECK_EQ_INT(hist_percentile(h, 99), 99);
    CHECK_EQ_INT(hist_percentile(h, 100), 100);
    CHECK_EQ_INT(hist_percentile(h, 0), 1);
    CHECK(hist_mean(h) > 50.49 && hist_mean(h) < 50.51);
    hist_destroy(&h);
}

TEST(bucket_geometry)
{
    struct hist *h = hist_create(1ULL << 40, 11);
    uint64_t s = 3;
    for (int i = 0; i < 100000; i++) {
        uint64_t x = splitmix(&s) >> (splitmix(&s) % 40 + 24);
        size_t idx = hist_index(h, x);
        CHECK(idx < h->nbuckets);
        CHECK(hist_bucket_low(h, idx) <= x && x <= hist_bucket_high(h, idx));
    }
    /* buckets tile the line with no gap or overlap */
    for (size_t i = 1; i < h->nbuckets; i++)
        if (hist_bucket_low(h, i) != hist_bucket_high(h, i - 1) + 1) {
            CHECK(0);
            break;
        }
    hist_destroy(&h);
}

TEST(merge_and_reset)
{
    struct hist *a = hist_create(1 << 30, 11), *b = hist_create(1 << 30, 11);
    struct hist *c = hist_create(1 << 30, 10);
    for (uint64_t x = 1; x <= 1000; x++)
        hist_record(x % 2 ? a : b, x * 1000);
    CHECK_EQ_INT(hist_merge(a, b), 0);
    CHECK_EQ_INT(hist_count(a), 1000);
    CHECK_EQ_INT(hist_min(a), 1000);
    CHECK_EQ_INT(hist_max(a), 1000000);
    CHECK(within_precision(hist_percentile(a, 50), 500000, 11));
    CHECK_EQ_INT(hist_merge(a, c), -1);
    hist_reset(a);
    CHECK_EQ_INT(hist_count(a), 0);
    CHECK_EQ_INT(hist_percentile(a, 99), 0);
    hist_destroy(&a);
    hist_destroy(&b);
    hist_destroy(&c);
}

TEST(values_above_highest_are_clamped)
{
    struct hist *h = hist_create(1 << 20, 11);
    hist_record(h, 5);
    hist_record_n(h, 1ULL << 30, 3);
    CHECK_EQ_INT(hist_count(h), 4);
    CHECK_EQ_INT(hist_max(h), 1ULL << 30);
    CHECK(hist_percentile(h, 100) >= (1 << 20) - (1 << 10));
    CHECK(hist_create(100, 11) == NULL);
    hist_destroy(&h);
}

int main(void)
{
    RUN(uniform_values);
    RUN(long_tail_values);
    RUN(coarse_precision);
    RUN(small_values_are_exact);
    RUN(bucket_geometry);
    RUN(merge_and_reset);
    RUN(values_above_highest_are_clamped);
    return unit_done();
}
