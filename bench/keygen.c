/* bench/keygen: key index generators (see keygen.h).
 *
 * Rejection-inversion, written from the paper's description: sample x from
 * the continuous density h(x) = x^-s over [0.5, n+0.5] by inverting its
 * integral H, round to the nearest integer k, and accept k when x falls in
 * the part of k's cell that lies under the discrete mass h(k). The helpers
 * keep H and its inverse accurate when s is close to 1, where (x^(1-s)-1)/(1-s)
 * turns into log(x). */
#include "bench/keygen.h"

#include <math.h>
#include <string.h>

/* log1p(x)/x, continuous at 0 */
static double kg_log1p_over(double x)
{
    if (fabs(x) > 1e-8)
        return log1p(x) / x;
    return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

/* (exp(x)-1)/x, continuous at 0 */
static double kg_expm1_over(double x)
{
    if (fabs(x) > 1e-8)
        return expm1(x) / x;
    return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

static double kg_h(const struct keygen *kg, double x)
{
    return exp(-kg->s * log(x));
}

/* H(x) = integral of h from 1 to x = (x^(1-s) - 1)/(1-s) */
static double kg_H(const struct keygen *kg, double x)
{
    double lx = log(x);
    return kg_expm1_over((1.0 - kg->s) * lx) * lx;
}

static double kg_H_inv(const struct keygen *kg, double y)
{
    double t = y * (1.0 - kg->s);
    if (t < -1.0)
        t = -1.0;   /* rounding guard: H_inv is only defined for t >= -1 */
    return exp(kg_log1p_over(t) * y);
}

int keygen_init(struct keygen *kg, enum keygen_pattern p, uint64_t n,
                double s, uint64_t start, uint64_t step)
{
    memset(kg, 0, sizeof(*kg));
    if (n == 0)
        return -1;
    kg->pattern = p;
    kg->n = n;
    kg->next = start % n;
    kg->step = step ? step % n : 1;
    if (kg->step == 0)
        kg->step = 1;
    if (p == KEYGEN_ZIPF) {
        if (!(s > 0))
            return -1;
        kg->s = s;
        kg->h_x1 = kg_H(kg, 1.5) - 1.0;
        kg->h_n = kg_H(kg, (double)n + 0.5);
        kg->cut = 2.0 - kg_H_inv(kg, kg_H(kg, 2.5) - kg_h(kg, 2.0));
    }
    return 0;
}

static uint64_t kg_zipf(struct keygen *kg, struct rng *r)
{
    for (int tries = 0; tries < 1000; tries++) {
        double u = kg->h_n + rng_double(r) * (kg->h_x1 - kg->h_n);
        double x = kg_H_inv(kg, u);
        double kd = floor(x + 0.5);
        if (kd < 1)
            kd = 1;
        if (kd > (double)kg->n)
            kd = (double)kg->n;
        if (kd - x <= kg->cut || u >= kg_H(kg, kd + 0.5) - kg_h(kg, kd))
            return (uint64_t)kd - 1;
    }
    return 0;   /* acceptance is >= ~50% per try; never reached in practice */
}

uint64_t keygen_next(struct keygen *kg, struct rng *r)
{
    uint64_t k;
    switch (kg->pattern) {
    case KEYGEN_SEQ:
        k = kg->next;
        kg->next += kg->step;
        if (kg->next >= kg->n)
            kg->next -= kg->n;
        return k;
    case KEYGEN_UNIFORM:
        return rng_below(r, kg->n);
    case KEYGEN_ZIPF:
        return kg_zipf(kg, r);
    }
    return 0;
}

double keygen_probability(const struct keygen *kg, uint64_t i)
{
    if (i >= kg->n)
        return 0;
    if (kg->pattern != KEYGEN_ZIPF)
        return 1.0 / (double)kg->n;
    double norm = 0;
    for (uint64_t k = kg->n; k >= 1; k--)   /* small terms first */
        norm += pow((double)k, -kg->s);
    return pow((double)(i + 1), -kg->s) / norm;
}

const char *keygen_pattern_name(enum keygen_pattern p)
{
    switch (p) {
    case KEYGEN_SEQ: return "sequential";
    case KEYGEN_UNIFORM: return "uniform";
    case KEYGEN_ZIPF: return "zipf";
    }
    return "?";
}

int keygen_pattern_parse(const char *s, enum keygen_pattern *out)
{
    if (!strcmp(s, "sequential") || !strcmp(s, "seq") || !strcmp(s, "S"))
        *out = KEYGEN_SEQ;
    else if (!strcmp(s, "uniform") || !strcmp(s, "random") || !strcmp(s, "R"))
        *out = KEYGEN_UNIFORM;
    else if (!strcmp(s, "zipf") || !strcmp(s, "zipfian") || !strcmp(s, "Z"))
        *out = KEYGEN_ZIPF;
    else
        return -1;
    return 0;
}
