/* bench/worker: one shoal-bench thread: its event_base, its connections,
 * its share of the requests, and its own counters and histograms, merged
 * by the caller after the thread ends (nothing shared on the request path
 * but a few relaxed atomics read by the progress line). */
#ifndef SHOAL_BENCH_WORKER_H
#define SHOAL_BENCH_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench/args.h"
#include "bench/conn.h"
#include "bench/proto.h"
#include "lib/hist.h"

/* latencies in nanoseconds, up to 10 minutes, 3 significant digits */
#define BENCH_HIST_HIGHEST (600ULL * 1000000000ULL)
#define BENCH_HIST_SUB_BITS 11

struct bench_cmd_stats {
    uint64_t ops, keys, hits, misses, errors;
    struct hist *lat;
};

struct bench_stats {
    struct bench_cmd_stats cmd[PROTO_NOPS];
    struct hist *lat_all;
    uint64_t conn_errors;       /* connections that failed or were lost */
    uint64_t proto_errors;      /* replies that could not be parsed */
    uint64_t verify_errors;     /* values that were not what was written */
    uint64_t dropped;           /* requests lost with their connection */
    uint64_t timeouts;          /* runs cut short by --timeout */
    uint64_t late;              /* open loop: requests sent after their time */
};

void bench_stats_init(struct bench_stats *s);
void bench_stats_deinit(struct bench_stats *s);
void bench_stats_merge(struct bench_stats *dst, const struct bench_stats *src);
uint64_t bench_stats_errors(const struct bench_stats *s);

/* What every worker of a test shares, read-only while they run. */
struct bench_run {
    const struct bench_args *args;
    const struct bench_target *target;
    struct proto_keyfmt kf;
    enum bench_phase phase;
    pthread_barrier_t *ready;   /* all connected: the clock starts */
    atomic_int stop;            /* main asks everyone to stop (SIGINT) */
};

struct bench_worker;

struct bench_worker *bench_worker_create(struct bench_run *run, unsigned id);
void bench_worker_destroy(struct bench_worker **w);
/* The thread body: connects, waits on run->ready, runs, returns. */
void *bench_worker_main(void *w);

/* for the progress line, from any thread */
uint64_t bench_worker_done(const struct bench_worker *w);
uint64_t bench_worker_errors(const struct bench_worker *w);
int bench_worker_finished(const struct bench_worker *w);
/* after the thread ended */
const struct bench_stats *bench_worker_stats(const struct bench_worker *w);
double bench_worker_seconds(const struct bench_worker *w);

#endif
