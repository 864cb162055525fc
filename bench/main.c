/* bench/main: shoal-bench's entry point: parse options, run each test of
 * -t with fresh threads and connections, print a progress line each second
 * and the results, write the JSON report. The threads do the work; main
 * only starts them, watches their counters and merges their stats. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/args.h"
#include "bench/conn.h"
#include "bench/report.h"
#include "bench/worker.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    interrupted = 1;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_line(const struct bench_args *a, enum bench_phase ph, double t,
                          uint64_t done, uint64_t last, double dt, uint64_t errors)
{
    fprintf(stderr, "[%s %6.1fs] %10.0f ops/s, %llu done", bench_phase_name(ph), t,
            dt > 0 ? (double)(done - last) / dt : 0, (unsigned long long)done);
    if (a->duration <= 0)
        fprintf(stderr, " of %llu", (unsigned long long)a->requests);
    fprintf(stderr, ", %llu errors\n", (unsigned long long)errors);
}

/* Waits for the workers, printing progress each second. */
static void watch(struct bench_run *run, struct bench_worker **ws, unsigned n)
{
    const struct bench_args *a = run->args;
    double start = mono_now(), last_t = start;
    uint64_t last_done = 0;
    for (;;) {
        struct timespec nap = { 0, 20 * 1000000 };
        nanosleep(&nap, NULL);
        if (interrupted)
            atomic_store(&run->stop, 1);
        unsigned finished = 0;
        uint64_t done = 0, errors = 0;
        for (unsigned i = 0; i < n; i++) {
            finished += bench_worker_finished(ws[i]) ? 1 : 0;
            done += bench_worker_done(ws[i]);
            errors += bench_worker_errors(ws[i]);
        }
        if (finished == n)
            return;
        double now = mono_now();
        if (now - last_t >= 1.0) {
            if (!a->quiet)
                progress_line(a, run->phase, now - start, done, last_done, now - last_t, errors);
            last_t = now;
            last_done = done;
        }
    }
}

static void run_phase(const struct bench_args *a, const struct bench_target *t,
                      enum bench_phase ph, struct bench_result *res)
{
    pthread_barrier_t ready;
    pthread_barrier_init(&ready, NULL, a->threads + 1);
    struct bench_run run = { .args = a, .target = t, .phase = ph, .ready = &ready };
    run.kf.prefix = a->key_prefix;
    run.kf.plen = strlen(a->key_prefix);
    atomic_init(&run.stop, 0);
    struct bench_worker **ws = calloc(a->threads, sizeof(*ws));
    pthread_t *tids = calloc(a->threads, sizeof(*tids));
    if (ws == NULL || tids == NULL)
        abort();
    for (unsigned i = 0; i < a->threads; i++) {
        ws[i] = bench_worker_create(&run, i);
        if (pthread_create(&tids[i], NULL, bench_worker_main, ws[i]) != 0)
            abort();
    }
    pthread_barrier_wait(&ready);
    watch(&run, ws, a->threads);
    memset(res, 0, sizeof(*res));
    res->phase = ph;
    bench_stats_init(&res->st);
    for (unsigned i = 0; i < a->threads; i++) {
        pthread_join(tids[i], NULL);
        bench_stats_merge(&res->st, bench_worker_stats(ws[i]));
        double s = bench_worker_seconds(ws[i]);
        if (s > res->seconds)
            res->seconds = s;
        bench_worker_destroy(&ws[i]);
    }
    res->issued = res->st.cmd[0].ops + res->st.cmd[1].ops + res->st.dropped;
    free(ws);
    free(tids);
    pthread_barrier_destroy(&ready);
}

int main(int argc, char **argv)
{
    struct bench_args a;
    char err[512];
    if (bench_args_parse(&a, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "shoal-bench: %s\n", err);
        return 2;
    }
    if (a.help) {
        bench_args_usage(stdout, "shoal-bench");
        return 0;
    }
    struct bench_target target;
    if (bench_target_init(&target, &a, err, sizeof(err)) < 0) {
        fprintf(stderr, "shoal-bench: %s\n", err);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_sigint);
    struct bench_result res[BENCH_MAX_PHASES];
    unsigned n = 0;
    uint64_t errors = 0;
    for (unsigned i = 0; i < a.nphases && !interrupted; i++) {
        run_phase(&a, &target, a.phases[i], &res[n]);
        report_text(stdout, &a, target.desc, &res[n]);
        fflush(stdout);
        errors += bench_stats_errors(&res[n].st);
        n++;
    }
    int rc = errors ? 1 : 0;
    if (a.json[0] && report_json(a.json, &a, target.desc, res, n) < 0) {
        fprintf(stderr, "shoal-bench: cannot write %s\n", a.json);
        rc = 1;
    }
    for (unsigned i = 0; i < n; i++)
        bench_stats_deinit(&res[i].st);
    bench_target_deinit(&target);
    return interrupted && rc == 0 ? 130 : rc;
}
