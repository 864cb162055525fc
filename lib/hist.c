/* lib/hist: HDR-style log-linear histogram (see hist.h for the layout).
 *
 * Index layout with S = sub_bits, H = 2^(S-1):
 *   v < 2^S             -> idx = v                       (width 1)
 *   v in [2^m, 2^(m+1)) -> shift = m - (S-1), m >= S,
 *                          idx = 2^S + (shift-1)*H + (v>>shift) - H
 * so bucket width is 2^shift and relative error below 1/H. */
#include "lib/hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned hist_msb(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

size_t hist_index(const struct hist *h, uint64_t v)
{
    uint64_t exact = (uint64_t)1 << h->sub_bits;
    if (v < exact)
        return (size_t)v;
    uint64_t half = exact >> 1;
    unsigned shift = hist_msb(v) - (h->sub_bits - 1);
    return (size_t)(exact + (uint64_t)(shift - 1) * half + (v >> shift) - half);
}

uint64_t hist_bucket_low(const struct hist *h, size_t idx)
{
    uint64_t exact = (uint64_t)1 << h->sub_bits;
    if (idx < exact)
        return idx;
    uint64_t half = exact >> 1;
    uint64_t rel = idx - exact;
    unsigned shift = (unsigned)(rel / half) + 1;
    return (half + rel % half) << shift;
}

uint64_t hist_bucket_high(const struct hist *h, size_t idx)
{
    uint64_t exact = (uint64_t)1 << h->sub_bits;
    if (idx < exact)
        return idx;
    unsigned shift = (unsigned)((idx - exact) / (exact >> 1)) + 1;
    return hist_bucket_low(h, idx) + (((uint64_t)1 << shift) - 1);
}

struct hist *hist_create(uint64_t highest, unsigned sub_bits)
{
    if (sub_bits < 2 || sub_bits > 20 || highest < ((uint64_t)1 << sub_bits))
        return NULL;
    struct hist *h = calloc(1, sizeof(*h));
    if (h == NULL)
        abort();
    h->sub_bits = sub_bits;
    h->highest = highest;
    h->nbuckets = hist_index(h, highest) + 1;
    h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
    if (h->buckets == NULL)
        abort();
    hist_reset(h);
    return h;
}

void hist_destroy(struct hist **h)
{
    if (h == NULL || *h == NULL)
        return;
    free((*h)->buckets);
    free(*h);
    *h = NULL;
}

void hist_reset(struct hist *h)
{
    memset(h->buckets, 0, h->nbuckets * sizeof(*h->buckets));
    h->count = 0;
    h->min = UINT64_MAX;
    h->max = 0;
    h->sum = 0;
}

void hist_record_n(struct hist *h, uint64_t v, uint64_t n)
{
    if (n == 0)
        return;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->sum += (long double)v * n;
    h->count += n;
    h->buckets[hist_index(h, v > h->highest ? h->highest : v)] += n;
}

int hist_merge(struct hist *dst, const struct hist *src)
{
    if (dst->sub_bits != src->sub_bits || dst->nbuckets != src->nbuckets)
        return -1;
    if (src->count == 0)
        return 0;
    for (size_t i = 0; i < src->nbuckets; i++)
        dst->buckets[i] += src->buckets[i];
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    return 0;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p < 0)
        p = 0;
    if (p > 100)
        p = 100;
    /* nearest-rank: the ceil(p% of count)-th smallest value, at least the 1st */
    double want = (p / 100.0) * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if (want - (double)rank > 1e-9)
        rank++;
    if (rank == 0)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (size_t i = 0; i < h->nbuckets; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t v = hist_bucket_high(h, i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

double hist_mean(const struct hist *h)
{
    return h->count ? (double)(h->sum / h->count) : 0.0;
}
