/* bench/report: shoal-bench's results as text (one block per test) and as
 * a JSON document (config + one object per test), the form bench/compare
 * and the integration tests read. */
#ifndef SHOAL_BENCH_REPORT_H
#define SHOAL_BENCH_REPORT_H

#include <stdio.h>

#include "bench/args.h"
#include "bench/worker.h"

struct bench_result {
    enum bench_phase phase;
    double seconds;
    uint64_t issued;
    struct bench_stats st;
};

void report_text(FILE *out, const struct bench_args *a, const char *target,
                 const struct bench_result *r);
/* Whole report; 0 or -1 (errno) if the file cannot be written. */
int report_json(const char *path, const struct bench_args *a, const char *target,
                const struct bench_result *r, unsigned n);

#endif
