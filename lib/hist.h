/* lib/hist: an HDR-style log-linear histogram of non-negative integers
 * (latencies in nanoseconds, sizes).
 *
 * Values below 2^sub_bits are counted exactly; above, each power-of-two
 * range is cut into 2^(sub_bits-1) equal buckets, so any recorded value is
 * known to a relative precision of 2^-(sub_bits-1) (sub_bits 11: 0.1%, about
 * three significant digits) with fixed memory and O(1) recording: no
 * allocation, no search, no floating point on the hot path. Percentiles
 * report the highest value equivalent to the bucket, clamped to the true
 * maximum, as HdrHistogram does. Not thread-safe: keep one per thread and
 * merge. */
#ifndef SHOAL_HIST_H
#define SHOAL_HIST_H

#include <stddef.h>
#include <stdint.h>

struct hist {
    unsigned sub_bits;      /* exact below 2^sub_bits */
    uint64_t highest;       /* larger values are counted as highest */
    size_t nbuckets;
    uint64_t count;
    uint64_t min, max;
    long double sum;        /* for the mean */
    uint64_t *buckets;
};

/* sub_bits in [2, 20]; highest >= 2^sub_bits. Aborts if out of memory. */
struct hist *hist_create(uint64_t highest, unsigned sub_bits);
void hist_destroy(struct hist **h);
void hist_reset(struct hist *h);

void hist_record_n(struct hist *h, uint64_t v, uint64_t n);
static inline void hist_record(struct hist *h, uint64_t v) { hist_record_n(h, v, 1); }

/* Adds src's counts into dst; both must have the same shape (returns -1 if not). */
int hist_merge(struct hist *dst, const struct hist *src);

/* p in [0, 100]. The smallest value v such that at least p% of the recorded
 * values are <= v, to the histogram's precision. 0 if empty. */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
static inline uint64_t hist_count(const struct hist *h) { return h->count; }
static inline uint64_t hist_min(const struct hist *h) { return h->count ? h->min : 0; }
static inline uint64_t hist_max(const struct hist *h) { return h->max; }

/* Bucket geometry, exposed for tests. */
size_t hist_index(const struct hist *h, uint64_t v);
uint64_t hist_bucket_low(const struct hist *h, size_t idx);
uint64_t hist_bucket_high(const struct hist *h, size_t idx);

#endif
