/* tests/unit/test_bench_args: shoal-bench's option parsing (defaults, every
 * accepted form, rejection of bad values, cross-option rules) and --help. */
#include <stdlib.h>

#include "bench/args.h"
#include "tests/unit/unit.h"

static int parse(struct bench_args *a, char *err, const char *const *argv_in)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"shoal-bench";
    for (; *argv_in; argv_in++)
        argv[argc++] = (char *)*argv_in;
    argv[argc] = NULL;
    return bench_args_parse(a, argc, argv, err, 256);
}

#define PARSE(a, err, ...) parse(a, err, (const char *const[]){ __VA_ARGS__, NULL })

TEST(defaults)
{
    struct bench_args a;
    char err[256] = "";
    CHECK_EQ_INT(PARSE(&a, err, NULL), 0);
    CHECK_EQ_STR(a.host, "127.0.0.1");
    CHECK_EQ_INT(a.port, 6379);
    CHECK_EQ_INT(a.proto, PROTO_RESP);
    CHECK_EQ_INT(a.threads, 1);
    CHECK_EQ_INT(a.clients, 50);
    CHECK_EQ_INT(a.requests, 100000);
    CHECK_EQ_INT(a.pipeline, 1);
    CHECK_EQ_INT(a.dmin, 32);
    CHECK_EQ_INT(a.dmax, 32);
    CHECK_EQ_INT(a.keyspace, 100000);
    CHECK_EQ_STR(a.key_prefix, "key:");
    CHECK_EQ_INT(a.pattern, KEYGEN_UNIFORM);
    CHECK_EQ_INT(a.ratio_set, 1);
    CHECK_EQ_INT(a.ratio_get, 10);
    CHECK_EQ_INT(a.multiget, 1);
    CHECK_EQ_INT(a.nphases, 1);
    CHECK_EQ_INT(a.phases[0], PHASE_MIXED);
    CHECK(a.rate == 0);
    CHECK(a.duration == 0);
    CHECK_EQ_INT(a.verify, 0);
    CHECK_EQ_INT(a.tls, 0);
    CHECK_EQ_INT(a.help, 0);
}

TEST(short_and_long_forms)
{
    struct bench_args a;
    char err[256] = "";
    CHECK_EQ_INT(PARSE(&a, err, "-h", "10.0.0.1", "-p7000", "-c", "8", "-n", "2k", "-P", "16",
                       "-d", "100-200", "-r", "1m", "-t", "set,get", "--threads=2",
                       "--protocol", "meta", "--key-pattern=zipf", "--zipf-skew", "1.2",
                       "--ratio", "3:7", "--multiget=100", "--multiset", "4", "--rate", "5000",
                       "--verify", "--json", "/tmp/r.json", "--key-prefix", "b:", "--seed=9",
                       "-q", "--duration", "2.5", "--timeout", "3"), 0);
    CHECK_EQ_STR(a.host, "10.0.0.1");
    CHECK_EQ_INT(a.port, 7000);
    CHECK_EQ_INT(a.clients, 8);
    CHECK_EQ_INT(a.requests, 2000);
    CHECK_EQ_INT(a.pipeline, 16);
    CHECK_EQ_INT(a.dmin, 100);
    CHECK_EQ_INT(a.dmax, 200);
    CHECK_EQ_INT(a.keyspace, 1000000);
    CHECK_EQ_INT(a.nphases, 2);
    CHECK_EQ_INT(a.phases[0], PHASE_SET);
    CHECK_EQ_INT(a.phases[1], PHASE_GET);
    CHECK_EQ_INT(a.threads, 2);
    CHECK_EQ_INT(a.proto, PROTO_MC_META);
    CHECK_EQ_INT(a.pattern, KEYGEN_ZIPF);
    CHECK(a.zipf_skew > 1.19 && a.zipf_skew < 1.21);
    CHECK_EQ_INT(a.ratio_set, 3);
    CHECK_EQ_INT(a.ratio_get, 7);
    CHECK_EQ_INT(a.multiget, 100);
    CHECK_EQ_INT(a.multiset, 4);
    CHECK(a.rate == 5000);
    CHECK_EQ_INT(a.verify, 1);
    CHECK_EQ_STR(a.json, "/tmp/r.json");
    CHECK_EQ_STR(a.key_prefix, "b:");
    CHECK_EQ_INT(a.seed, 9);
    CHECK_EQ_INT(a.quiet, 1);
    CHECK(a.duration == 2.5);
    CHECK(a.timeout == 3);
}

TEST(protocol_sets_default_port)
{
    struct bench_args a;
    char err[256] = "";
    CHECK_EQ_INT(PARSE(&a, err, "--protocol", "memcache"), 0);
    CHECK_EQ_INT(a.proto, PROTO_MC_TEXT);
    CHECK_EQ_INT(a.port, 11211);
    CHECK_EQ_INT(PARSE(&a, err, "--protocol", "memcache", "-p", "5"), 0);
    CHECK_EQ_INT(a.port, 5);
    CHECK_EQ_INT(PARSE(&a, err, "-s", "/tmp/x.sock", "-d", "7"), 0);
    CHECK_EQ_STR(a.socket, "/tmp/x.sock");
    CHECK_EQ_INT(a.dmin, 7);
    CHECK_EQ_INT(a.dmax, 7);
}

TEST(reparse_starts_from_defaults)
{
    struct bench_args a;
    char err[256] = "";
    CHECK_EQ_INT(PARSE(&a, err, "--verify", "-P", "9"), 0);
    CHECK_EQ_INT(PARSE(&a, err, "-c", "1"), 0);
    CHECK_EQ_INT(a.verify, 0);
    CHECK_EQ_INT(a.pipeline, 1);
}

TEST(rejects_bad_input)
{
    struct bench_args a;
    char err[256];
    static const char *const bad[][4] = {
        { "--nope" }, { "-x" }, { "-c" }, { "-c", "0" }, { "-c", "abc" }, { "-n", "-5" },
        { "-n", "0" }, { "-p", "70000" }, { "-d", "0" }, { "-d", "20-10" }, { "-d", "5-" },
        { "--ratio", "0:0" }, { "--ratio", "5" }, { "--ratio", ":3" }, { "--protocol", "http" },
        { "--key-pattern", "gauss" }, { "--zipf-skew", "0" }, { "-t", "set,del" }, { "-t", "" },
        { "--verify=1" }, { "--verify", "-d", "10" }, { "--rate", "-1" }, { "-P", "1x" },
        { "--key-prefix", "a b" }, { "--tls", "-s", "/tmp/s" }, { "--threads", "4", "--rate", "2" },
        { "--duration", "abc" }, { "-r", "0" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[5] = { bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL };
        err[0] = '\0';
        int rc = parse(&a, err, argv);
        if (rc != -1 || err[0] == '\0') {
            printf("  accepted: %s %s %s\n", bad[i][0], bad[i][1] ? bad[i][1] : "",
                   bad[i][2] ? bad[i][2] : "");
            CHECK(0);
        }
    }
}

TEST(help_lists_every_option_with_default)
{
    struct bench_args a;
    char err[256] = "";
    CHECK_EQ_INT(PARSE(&a, err, "--help"), 0);
    CHECK_EQ_INT(a.help, 1);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    bench_args_usage(f, "shoal-bench");
    fclose(f);
    static const char *const want[] = {
        "-h, --host HOST", "(default: 127.0.0.1)", "-p, --port", "-c, --clients", "(default: 50)",
        "-n, --requests", "(default: 100000)", "-P, --pipeline", "-d, --data-size", "(default: 32)",
        "-r, --keyspace", "-t, --tests", "(default: mixed)", "--threads", "--rate", "--ratio",
        "(default: 1:10)", "--multiget", "--key-pattern", "(default: uniform)", "--zipf-skew",
        "(default: 0.99)", "--verify", "--json", "--tls", "--tls-cacert", "--duration",
        "--protocol", "(default: resp)", "-s, --socket", "--key-prefix", "(default: key:)",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (strstr(text, want[i]) == NULL) {
            printf("  --help lacks '%s'\n", want[i]);
            CHECK(0);
        }
    /* one line per option, each with a default */
    size_t lines = 0, defaults = 0;
    for (char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        if (!strncmp(p, "\n  -", 4) || !strncmp(p, "\n      --", 9))
            lines++;
    for (char *p = text; (p = strstr(p, "(default: ")) != NULL; p++)
        defaults++;
    CHECK(lines >= 30);
    CHECK_EQ_INT(defaults, lines);
    free(text);
}

int main(void)
{
    RUN(defaults);
    RUN(short_and_long_forms);
    RUN(protocol_sets_default_port);
    RUN(reparse_starts_from_defaults);
    RUN(rejects_bad_input);
    RUN(help_lists_every_option_with_default);
    return unit_done();
}
