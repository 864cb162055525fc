/* bench/args: shoal-bench's options, one table that drives parsing,
 * defaults and --help, kept apart from main() so tests can parse argv
 * vectors directly. Names follow redis-benchmark where it has one
 * (-h -p -s -c -n -P -d -r -t -q --threads). */
#ifndef SHOAL_BENCH_ARGS_H
#define SHOAL_BENCH_ARGS_H

#include <stdint.h>
#include <stdio.h>

#include "bench/keygen.h"
#include "bench/proto.h"

enum bench_phase { PHASE_SET, PHASE_GET, PHASE_MIXED };
#define BENCH_MAX_PHASES 8

struct bench_args {
    char host[256];
    unsigned port;              /* 0: the protocol's usual port */
    char socket[108];           /* unix socket path; empty: TCP */
    enum bench_proto proto;
    unsigned threads, clients;  /* connections = threads * clients */
    uint64_t requests;          /* per phase, all threads together */
    double duration;            /* seconds per phase; > 0 overrides requests */
    unsigned pipeline;
    unsigned dmin, dmax;        /* value size range (bytes) */
    uint64_t keyspace;
    char key_prefix[200];
    enum keygen_pattern pattern;
    double zipf_skew;
    unsigned ratio_set, ratio_get;
    unsigned multiget, multiset;
    enum bench_phase phases[BENCH_MAX_PHASES];
    unsigned nphases;
    double rate;                /* ops/s in total; 0: closed loop */
    int verify;
    char json[512];
    int tls, tls_insecure;
    char tls_cert[512], tls_key[512], tls_cacert[512], tls_sni[256];
    uint64_t seed;
    double timeout;             /* seconds without a reply before giving up */
    int quiet;
    int help;
};

/* Fills defaults and parses argv[1..]. 0 on success (args->help set if
 * --help was given), -1 with a message in err otherwise. */
int bench_args_parse(struct bench_args *a, int argc, char **argv, char *err, size_t errlen);
void bench_args_usage(FILE *out, const char *prog);
const char *bench_phase_name(enum bench_phase p);

#endif
