/* bench/args: the option table (name, short letter, default, help, setter).
 *
 * Defaults are applied by running each setter on its default text, so the
 * value --help prints is the value a run uses. Accepted forms: --name value,
 * --name=value, -x value, -xvalue; flags take no value. */
#include "bench/args.h"
#include "bench/value.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef int (*opt_set_fn)(struct bench_args *a, const char *v, char *err, size_t errlen);

struct opt_def {
    const char *name;
    char shortname;             /* 0: long only */
    int flag;                   /* takes no value */
    const char *def;            /* NULL: no default (flags: off) */
    const char *meta;           /* value placeholder in --help */
    const char *help;
    opt_set_fn set;
};

static int fail(char *err, size_t errlen, const char *what, const char *v)
{
    snprintf(err, errlen, "%s: bad value '%s'", what, v);
    return -1;
}

static int parse_u64(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*v == '-' || *v == '\0')
        return -1;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || x < min || x > max)
        return -1;
    /* k/m suffixes: -n 1m */
    if (*end == 'k' || *end == 'K')
        x *= 1000, end++;
    else if (*end == 'm' || *end == 'M')
        x *= 1000000, end++;
    if (*end != '\0' || x > max)
        return -1;
    *out = x;
    return 0;
}

static int parse_unsigned(const char *v, unsigned min, unsigned max, unsigned *out)
{
    uint64_t x;
    if (parse_u64(v, min, max, &x) < 0)
        return -1;
    *out = (unsigned)x;
    return 0;
}

static int parse_dbl(const char *v, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || *v == '\0' || *end != '\0' || !(x >= min && x <= max))
        return -1;
    *out = x;
    return 0;
}

static int copy_str(char *dst, size_t cap, const char *v, char *err, size_t errlen, const char *what)
{
    if (strlen(v) >= cap) {
        snprintf(err, errlen, "%s: value too long", what);
        return -1;
    }
    strcpy(dst, v);
    return 0;
}

#define STR_SETTER(fn, field, what) \
    static int fn(struct bench_args *a, const char *v, char *err, size_t errlen) \
    { return copy_str(a->field, sizeof(a->field), v, err, errlen, what); }

STR_SETTER(set_host, host, "host")
STR_SETTER(set_socket, socket, "socket")
STR_SETTER(set_json, json, "json")
STR_SETTER(set_cert, tls_cert, "tls-cert")
STR_SETTER(set_key, tls_key, "tls-key")
STR_SETTER(set_cacert, tls_cacert, "tls-cacert")
STR_SETTER(set_sni, tls_sni, "tls-sni")

static int set_prefix(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    if (strchr(v, ' ') || strchr(v, '\r') || strchr(v, '\n')) {
        snprintf(err, errlen, "key-prefix: no spaces or line breaks");
        return -1;
    }
    return copy_str(a->key_prefix, sizeof(a->key_prefix), v, err, errlen, "key-prefix");
}

#define UNSIGNED_SETTER(fn, field, lo, hi, what) \
    static int fn(struct bench_args *a, const char *v, char *err, size_t errlen) \
    { return parse_unsigned(v, lo, hi, &a->field) < 0 ? fail(err, errlen, what, v) : 0; }

UNSIGNED_SETTER(set_port, port, 0, 65535, "port")
UNSIGNED_SETTER(set_threads, threads, 1, 256, "threads")
UNSIGNED_SETTER(set_clients, clients, 1, 10000, "clients")
UNSIGNED_SETTER(set_pipeline, pipeline, 1, 100000, "pipeline")
UNSIGNED_SETTER(set_multiget, multiget, 1, 10000, "multiget")
UNSIGNED_SETTER(set_multiset, multiset, 1, 10000, "multiset")

static int set_requests(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_u64(v, 1, UINT64_MAX / 2, &a->requests) < 0 ? fail(err, errlen, "requests", v) : 0;
}

static int set_keyspace(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_u64(v, 1, 1000000000000ULL, &a->keyspace) < 0 ? fail(err, errlen, "keyspace", v) : 0;
}

static int set_seed(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_u64(v, 0, UINT64_MAX / 2, &a->seed) < 0 ? fail(err, errlen, "seed", v) : 0;
}

static int set_duration(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_dbl(v, 0, 1e7, &a->duration) < 0 ? fail(err, errlen, "duration", v) : 0;
}

static int set_rate(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_dbl(v, 0, 1e9, &a->rate) < 0 ? fail(err, errlen, "rate", v) : 0;
}

static int set_skew(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_dbl(v, 0.0001, 100, &a->zipf_skew) < 0 ? fail(err, errlen, "zipf-skew", v) : 0;
}

static int set_timeout(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return parse_dbl(v, 0.1, 86400, &a->timeout) < 0 ? fail(err, errlen, "timeout", v) : 0;
}

/* "N" or "MIN-MAX" */
static int set_data(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    char lo[32];
    const char *dash = strchr(v, '-');
    size_t n = dash ? (size_t)(dash - v) : strlen(v);
    if (n == 0 || n >= sizeof(lo))
        return fail(err, errlen, "data-size", v);
    memcpy(lo, v, n);
    lo[n] = '\0';
    if (parse_unsigned(lo, 1, 64 << 20, &a->dmin) < 0)
        return fail(err, errlen, "data-size", v);
    a->dmax = a->dmin;
    if (dash && (parse_unsigned(dash + 1, 1, 64 << 20, &a->dmax) < 0 || a->dmax < a->dmin))
        return fail(err, errlen, "data-size", v);
    return 0;
}

/* "S:G" */
static int set_ratio(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    char s[32];
    const char *colon = strchr(v, ':');
    size_t n = colon ? (size_t)(colon - v) : 0;
    if (colon == NULL || n == 0 || n >= sizeof(s))
        return fail(err, errlen, "ratio", v);
    memcpy(s, v, n);
    s[n] = '\0';
    if (parse_unsigned(s, 0, 1000000, &a->ratio_set) < 0 ||
        parse_unsigned(colon + 1, 0, 1000000, &a->ratio_get) < 0 ||
        a->ratio_set + a->ratio_get == 0)
        return fail(err, errlen, "ratio", v);
    return 0;
}

static int set_proto(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return proto_parse_name(v, &a->proto) < 0 ? fail(err, errlen, "protocol", v) : 0;
}

static int set_pattern(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    return keygen_pattern_parse(v, &a->pattern) < 0 ? fail(err, errlen, "key-pattern", v) : 0;
}

/* comma list of set, get, mixed */
static int set_tests(struct bench_args *a, const char *v, char *err, size_t errlen)
{
    a->nphases = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        enum bench_phase ph;
        if (n == 3 && !strncasecmp(p, "set", 3))
            ph = PHASE_SET;
        else if (n == 3 && !strncasecmp(p, "get", 3))
            ph = PHASE_GET;
        else if (n == 5 && !strncasecmp(p, "mixed", 5))
            ph = PHASE_MIXED;
        else
            return fail(err, errlen, "tests", v);
        if (a->nphases == BENCH_MAX_PHASES)
            return fail(err, errlen, "tests (too many)", v);
        a->phases[a->nphases++] = ph;
        p += n;
        if (*p == ',')
            p++;
    }
    return a->nphases ? 0 : fail(err, errlen, "tests", v);
}

#define FLAG_SETTER(fn, field) \
    static int fn(struct bench_args *a, const char *v, char *err, size_t errlen) \
    { a->field = 1; return 0; }

FLAG_SETTER(set_verify, verify)
FLAG_SETTER(set_tls, tls)
FLAG_SETTER(set_insecure, tls_insecure)
FLAG_SETTER(set_quiet, quiet)
FLAG_SETTER(set_help, help)

static const struct opt_def opts[] = {
    { "host", 'h', 0, "127.0.0.1", "HOST", "server host name or IP", set_host },
    { "port", 'p', 0, "0", "PORT", "server port (0: 6379 for resp, 11211 for memcache/meta)", set_port },
    { "socket", 's', 0, "", "PATH", "unix socket path (overrides host and port)", set_socket },
    { "protocol", 0, 0, "resp", "PROTO", "resp | memcache (text) | meta (memcached meta commands)", set_proto },
    { "threads", 0, 0, "1", "N", "threads, each with its own event loop", set_threads },
    { "clients", 'c', 0, "50", "N", "connections per thread", set_clients },
    { "requests", 'n', 0, "100000", "N", "requests per test, all connections together (k/m suffixes)", set_requests },
    { "duration", 0, 0, "0", "SEC", "run each test this long instead of -n requests (0: use -n)", set_duration },
    { "pipeline", 'P', 0, "1", "N", "requests in flight per connection (closed loop)", set_pipeline },
    { "data-size", 'd', 0, "32", "N|MIN-MAX", "value size in bytes, fixed or uniform in a range", set_data },
    { "keyspace", 'r', 0, "100000", "N", "number of distinct keys (indexes 0..N-1)", set_keyspace },
    { "key-prefix", 0, 0, "key:", "STR", "key prefix; a key is prefix + 12-digit index", set_prefix },
    { "key-pattern", 0, 0, "uniform", "PAT", "sequential | uniform | zipf", set_pattern },
    { "zipf-skew", 0, 0, "0.99", "S", "Zipf exponent s: P(rank k) ~ k^-s", set_skew },
    { "ratio", 0, 0, "1:10", "S:G", "set:get ratio of the mixed test", set_ratio },
    { "multiget", 0, 0, "1", "N", "keys per get (MGET / get k1..kN / mg..mn when N > 1)", set_multiget },
    { "multiset", 0, 0, "1", "N", "keys per set (MSET when N > 1; N set lines for memcached)", set_multiset },
    { "tests", 't', 0, "mixed", "LIST", "tests to run in order, comma separated: set, get, mixed", set_tests },
    { "rate", 0, 0, "0", "OPS", "open loop: fixed arrival rate in requests/s, all threads together; latency is measured from the scheduled send time (0: closed loop)", set_rate },
    { "verify", 0, 1, NULL, NULL, "correctness mode: values encode key and version, reads are checked", set_verify },
    { "json", 0, 0, "", "FILE", "write a JSON report to FILE", set_json },
    { "tls", 0, 1, NULL, NULL, "connect with TLS", set_tls },
    { "tls-cert", 0, 0, "", "FILE", "client certificate (PEM)", set_cert },
    { "tls-key", 0, 0, "", "FILE", "client private key (PEM)", set_key },
    { "tls-cacert", 0, 0, "", "FILE", "CA certificate to verify the server with", set_cacert },
    { "tls-sni", 0, 0, "", "NAME", "server name to send and verify (empty: the host name)", set_sni },
    { "tls-insecure", 0, 1, NULL, NULL, "do not verify the server certificate", set_insecure },
    { "seed", 0, 0, "1", "N", "random seed (thread i uses seed + i)", set_seed },
    { "timeout", 0, 0, "10", "SEC", "give up when no reply arrives for this long", set_timeout },
    { "quiet", 'q', 1, NULL, NULL, "no progress line each second", set_quiet },
    { "help", 0, 1, NULL, NULL, "show this help", set_help },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

void bench_args_usage(FILE *out, const char *prog)
{
    fprintf(out, "Usage: %s [options]\n"
            "Load generator for RESP and Memcached servers (shoal-server, redis, memcached, proxies).\n\n",
            prog);
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt_def *o = &opts[i];
        char lhs[64];
        snprintf(lhs, sizeof(lhs), "%c%c%s--%s%s%s", o->shortname ? '-' : ' ',
                 o->shortname ? o->shortname : ' ', o->shortname ? ", " : "  ",
                 o->name, o->meta ? " " : "", o->meta ? o->meta : "");
        fprintf(out, "  %-30s %s", lhs, o->help);
        if (o->flag)
            fprintf(out, " (default: off)\n");
        else
            fprintf(out, " (default: %s)\n", o->def[0] ? o->def : "none");
    }
    fprintf(out, "\nEach test of -t runs -n requests (or --duration seconds) and reports ops/s,\n"
            "hits/misses and latency percentiles per command. Exit status: 0 ok, 1 if any\n"
            "error (error reply, protocol error, connection failure, verify mismatch), 2 usage.\n");
}

static const struct opt_def *find_long(const char *name, size_t n)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(opts[i].name) == n && !strncmp(opts[i].name, name, n))
            return &opts[i];
    return NULL;
}

static const struct opt_def *find_short(char c)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (opts[i].shortname == c)
            return &opts[i];
    return NULL;
}

static int apply_defaults(struct bench_args *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    for (size_t i = 0; i < NOPTS; i++)
        if (!opts[i].flag && opts[i].set(a, opts[i].def, err, errlen) < 0)
            return -1;
    return 0;
}

/* cross-option rules, after everything is parsed */
static int validate(struct bench_args *a, char *err, size_t errlen)
{
    if (a->port == 0)
        a->port = a->proto == PROTO_RESP ? 6379 : 11211;
    if (strlen(a->key_prefix) + PROTO_KEY_DIGITS > PROTO_KEY_MAX) {
        snprintf(err, errlen, "key-prefix: at most %d bytes", PROTO_KEY_MAX - PROTO_KEY_DIGITS);
        return -1;
    }
    if (a->verify && a->dmin < VALUE_MIN_LEN) {
        snprintf(err, errlen, "--verify needs values of at least %d bytes (-d %d or more)",
                 VALUE_MIN_LEN, VALUE_MIN_LEN);
        return -1;
    }
    if (a->tls && a->socket[0]) {
        snprintf(err, errlen, "--tls and --socket cannot be combined");
        return -1;
    }
    if (a->rate > 0 && a->rate < a->threads) {
        snprintf(err, errlen, "--rate must be at least one request/s per thread");
        return -1;
    }
    return 0;
}

int bench_args_parse(struct bench_args *a, int argc, char **argv, char *err, size_t errlen)
{
    if (apply_defaults(a, err, errlen) < 0)
        return -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        const struct opt_def *o = NULL;
        if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
            const char *eq = strchr(arg + 2, '=');
            o = find_long(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
            if (eq)
                val = eq + 1;
        } else if (arg[0] == '-' && arg[1] && arg[1] != '-') {
            o = find_short(arg[1]);
            if (o && arg[2])
                val = arg + 2;
        }
        if (o == NULL) {
            snprintf(err, errlen, "unknown option '%s' (see --help)", arg);
            return -1;
        }
        if (o->flag && val) {
            snprintf(err, errlen, "option --%s takes no value", o->name);
            return -1;
        }
        if (!o->flag && val == NULL) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "option --%s needs a value", o->name);
                return -1;
            }
            val = argv[++i];
        }
        if (o->set(a, val ? val : "", err, errlen) < 0)
            return -1;
    }
    return a->help ? 0 : validate(a, err, errlen);
}

const char *bench_phase_name(enum bench_phase p)
{
    switch (p) {
    case PHASE_SET: return "set";
    case PHASE_GET: return "get";
    case PHASE_MIXED: return "mixed";
    }
    return "?";
}
