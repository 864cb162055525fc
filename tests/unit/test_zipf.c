/* tests/unit/test_zipf: bench/keygen's distributions against theory.
 * Zipf draws are compared with the exact probabilities per rank (relative
 * error on the hot ranks, total variation distance and a chi-square bound
 * over all ranks); uniform and sequential patterns are checked too. */
#include <math.h>
#include <stdlib.h>

#include "bench/keygen.h"
#include "tests/unit/unit.h"

/* Draws `draws` keys and checks them against the exact probabilities. */
static void check_distribution(enum keygen_pattern p, uint64_t n, double s, uint64_t draws,
                               double max_tv, double top_rel)
{
    struct keygen kg;
    struct rng r = { 12345 };
    CHECK_EQ_INT(keygen_init(&kg, p, n, s, 0, 1), 0);
    uint64_t *count = calloc(n, sizeof(*count));
    for (uint64_t i = 0; i < draws; i++) {
        uint64_t k = keygen_next(&kg, &r);
        if (k >= n) {
            CHECK(k < n);
            free(count);
            return;
        }
        count[k]++;
    }
    /* the theory, computed here from s rather than asked of keygen */
    double norm = 0;
    for (uint64_t k = n; k >= 1; k--)
        norm += p == KEYGEN_ZIPF ? pow((double)k, -s) : 1.0;
    double tv = 0, chi2 = 0;
    for (uint64_t k = 0; k < n; k++) {
        double want = (p == KEYGEN_ZIPF ? pow((double)(k + 1), -s) : 1.0) / norm;
        if (fabs(want - keygen_probability(&kg, k)) > 1e-9 * want)
            CHECK(0);
        double got = (double)count[k] / (double)draws;
        tv += fabs(got - want);
        chi2 += (got - want) * (got - want) / want * (double)draws;
        /* the hot ranks, each with >= 1% of the mass, within top_rel */
        if (want >= 0.01 && fabs(got - want) / want > top_rel) {
            printf("  s=%g n=%llu rank %llu: got %.5f want %.5f\n", s, (unsigned long long)n,
                   (unsigned long long)k + 1, got, want);
            CHECK(0);
        }
    }
    tv /= 2;
    if (tv > max_tv) {
        printf("  s=%g n=%llu: total variation %.4f > %.4f\n", s, (unsigned long long)n, tv, max_tv);
        CHECK(0);
    }
    /* chi-square with n-1 degrees of freedom: mean n-1, sd sqrt(2(n-1));
     * 6 sd is far outside chance for a correct sampler */
    double bound = (double)(n - 1) + 6 * sqrt(2.0 * (double)(n - 1));
    if (chi2 > bound) {
        printf("  s=%g n=%llu: chi2 %.1f > %.1f\n", s, (unsigned long long)n, chi2, bound);
        CHECK(0);
    }
    free(count);
}

TEST(zipf_099_small)   { check_distribution(KEYGEN_ZIPF, 100, 0.99, 2000000, 0.01, 0.02); }
TEST(zipf_05)          { check_distribution(KEYGEN_ZIPF, 1000, 0.5, 2000000, 0.02, 0.05); }
TEST(zipf_1_exact)     { check_distribution(KEYGEN_ZIPF, 1000, 1.0, 2000000, 0.02, 0.02); }
TEST(zipf_15)          { check_distribution(KEYGEN_ZIPF, 10000, 1.5, 2000000, 0.01, 0.02); }
TEST(zipf_two_keys)    { check_distribution(KEYGEN_ZIPF, 2, 0.99, 1000000, 0.005, 0.01); }
TEST(uniform)          { check_distribution(KEYGEN_UNIFORM, 1000, 0, 2000000, 0.02, 0.05); }

TEST(zipf_hottest_share_matches_theory)
{
    /* for s = 0.99 over 1e6 keys, the top key has about 1/H(1e6, 0.99) of the
     * mass; computed here independently of keygen_probability */
    const uint64_t n = 1000000;
    double h = 0;
    for (uint64_t k = n; k >= 1; k--)
        h += pow((double)k, -0.99);
    struct keygen kg;
    struct rng r = { 99 };
    CHECK_EQ_INT(keygen_init(&kg, KEYGEN_ZIPF, n, 0.99, 0, 1), 0);
    uint64_t top = 0, top10 = 0, draws = 2000000;
    for (uint64_t i = 0; i < draws; i++) {
        uint64_t k = keygen_next(&kg, &r);
        top += k == 0;
        top10 += k < 10;
    }
    double want_top = 1.0 / h, want_top10 = 0;
    for (int k = 1; k <= 10; k++)
        want_top10 += pow(k, -0.99) / h;
    CHECK(fabs((double)top / draws - want_top) / want_top < 0.02);
    CHECK(fabs((double)top10 / draws - want_top10) / want_top10 < 0.02);
}

TEST(sequential_strides_cover_space)
{
    /* three generators (threads) with stride 3 over 10 keys: together each
     * key exactly once per 10 draws */
    struct keygen kg[3];
    int seen[10] = { 0 };
    for (int t = 0; t < 3; t++)
        CHECK_EQ_INT(keygen_init(&kg[t], KEYGEN_SEQ, 10, 0, (uint64_t)t, 3), 0);
    struct rng r = { 1 };
    CHECK_EQ_INT(keygen_next(&kg[0], &r), 0);
    CHECK_EQ_INT(keygen_next(&kg[0], &r), 3);
    CHECK_EQ_INT(keygen_next(&kg[0], &r), 6);
    CHECK_EQ_INT(keygen_next(&kg[0], &r), 9);
    CHECK_EQ_INT(keygen_next(&kg[0], &r), 2);   /* wraps: 12 mod 10 */
    CHECK_EQ_INT(keygen_init(&kg[0], KEYGEN_SEQ, 10, 0, 0, 3), 0);
    for (int i = 0; i < 10; i++)
        seen[keygen_next(&kg[i % 3], &r)]++;
    /* 0,1,2,3,4,5,6,7,8,9 in some order */
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(seen[i], 1);
}

TEST(bad_parameters)
{
    struct keygen kg;
    CHECK_EQ_INT(keygen_init(&kg, KEYGEN_UNIFORM, 0, 0, 0, 1), -1);
    CHECK_EQ_INT(keygen_init(&kg, KEYGEN_ZIPF, 10, 0, 0, 1), -1);
    CHECK_EQ_INT(keygen_init(&kg, KEYGEN_ZIPF, 10, -1, 0, 1), -1);
    enum keygen_pattern p;
    CHECK_EQ_INT(keygen_pattern_parse("zipf", &p), 0);
    CHECK_EQ_INT(p, KEYGEN_ZIPF);
    CHECK_EQ_INT(keygen_pattern_parse("sequential", &p), 0);
    CHECK_EQ_INT(p, KEYGEN_SEQ);
    CHECK_EQ_INT(keygen_pattern_parse("gaussian", &p), -1);
}

int main(void)
{
    RUN(zipf_099_small);
    RUN(zipf_05);
    RUN(zipf_1_exact);
    RUN(zipf_15);
    RUN(zipf_two_keys);
    RUN(uniform);
    RUN(zipf_hottest_share_matches_theory);
    RUN(sequential_strides_cover_space);
    RUN(bad_parameters);
    return unit_done();
}
