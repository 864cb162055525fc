/* bench/keygen: which key a load generator touches next.
 *
 * A key is an index in [0, n): sequential (each generator walks its own
 * stride so T threads together cover the space once per n requests),
 * uniform, or Zipfian with exponent s (P(rank k) proportional to k^-s,
 * rank 1 = index 0, the hottest). Zipf uses rejection-inversion sampling
 * (Hoermann and Derflinger 1996): O(1) setup and O(1) expected per draw for
 * any s > 0 and any n, so a billion-key space costs nothing to set up. */
#ifndef SHOAL_BENCH_KEYGEN_H
#define SHOAL_BENCH_KEYGEN_H

#include <stdint.h>

enum keygen_pattern { KEYGEN_SEQ, KEYGEN_UNIFORM, KEYGEN_ZIPF };

/* xoshiro-style generators are overkill here: splitmix64 passes BigCrush
 * and is one multiply-xorshift chain. */
struct rng { uint64_t s; };

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* uniform in [0, 1) with 53 random bits */
static inline double rng_double(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* uniform in [0, n), n > 0 (Lemire's multiply-shift, bias < n/2^64) */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

struct keygen {
    enum keygen_pattern pattern;
    uint64_t n;
    uint64_t next, step;    /* sequential */
    double s;               /* zipf exponent */
    double h_x1, h_n, cut;  /* zipf: H(1.5)-1, H(n+0.5), acceptance shortcut */
};

/* start/step: sequential walk start, start+step, ... mod n (others ignore
 * them). Returns -1 for n == 0 or a Zipf exponent <= 0. */
int keygen_init(struct keygen *kg, enum keygen_pattern p, uint64_t n,
                double s, uint64_t start, uint64_t step);
uint64_t keygen_next(struct keygen *kg, struct rng *r);

/* The theoretical probability of index i under kg (for tests/reports):
 * exact sum for zipf, so O(n). */
double keygen_probability(const struct keygen *kg, uint64_t i);

const char *keygen_pattern_name(enum keygen_pattern p);
int keygen_pattern_parse(const char *s, enum keygen_pattern *out);

#endif
