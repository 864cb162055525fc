/* tests/unit/test_resp: compat/resp's request parser and composers.
 *
 * Every request is parsed whole and again fed one byte more at a time to
 * one parser (AGAIN until the last byte, then the same result), because the
 * node hands the parser whatever a read() produced. Inline expectations
 * follow Redis 7.0's sdssplitargs; error texts are Redis 7.0's. An alarm
 * turns a parser that loops forever into a failed run instead of a hang. */
#include "compat/resp.h"
#include "tests/unit/unit.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define MAXA 64

struct result {
    enum parse_result rc;
    int argc;
    char *argv[MAXA];
    size_t len[MAXA];
    size_t consumed;
    int is_inline;
    char err[128];
};

static const struct resp_limits lim_std = {512LL * 1024 * 1024, INT_MAX, 0};
static const struct resp_limits lim_unauth = {512LL * 1024 * 1024, INT_MAX, 1};

static void result_free(struct result *r)
{
    for (int i = 0; i < r->argc && i < MAXA; i++) free(r->argv[i]);
    memset(r, 0, sizeof(*r));
}

static void collect(struct result *r, const struct resp_parser *p, const char *buf, enum parse_result rc)
{
    memset(r, 0, sizeof(*r));
    r->rc = rc;
    if (rc == PARSE_OK) {
        r->argc = p->argc;
        r->consumed = p->consumed;
        r->is_inline = p->is_inline;
        for (int i = 0; i < p->argc && i < MAXA; i++) {
            r->len[i] = p->argv[i].len;
            r->argv[i] = malloc(p->argv[i].len + 1);
            memcpy(r->argv[i], buf + p->argv[i].off, p->argv[i].len);
            r->argv[i][p->argv[i].len] = '\0';
        }
    } else if (rc != PARSE_AGAIN && p->err) {
        snprintf(r->err, sizeof(r->err), "%s", p->err);
    }
}

/* Parses a private copy of in[0..len) in one call. */
static void parse_whole(const char *in, size_t len, const struct resp_limits *lim, struct result *r)
{
    char *buf = malloc(len + 1);
    memcpy(buf, in, len);
    struct resp_parser p;
    resp_parser_init(&p);
    collect(r, &p, buf, resp_parse_request(&p, buf, len, lim));
    resp_parser_deinit(&p);
    free(buf);
}

static int results_equal(const struct result *a, const struct result *b)
{
    if (a->rc != b->rc || a->argc != b->argc || a->consumed != b->consumed || strcmp(a->err, b->err) != 0)
        return 0;
    for (int i = 0; i < a->argc && i < MAXA; i++)
        if (a->len[i] != b->len[i] || memcmp(a->argv[i], b->argv[i], a->len[i]) != 0) return 0;
    return 1;
}

/* Feeds one parser 0, 1, 2, ... len bytes: every shorter prefix must give
 * AGAIN (or, for a bad request, the error the whole one gives), and the
 * final result must equal the one-call result. */
static int parse_split_matches(const char *in, size_t len, const struct resp_limits *lim)
{
    struct result whole, part;
    parse_whole(in, len, lim, &whole);
    char *buf = malloc(len + 1);
    memcpy(buf, in, len);
    struct resp_parser p;
    resp_parser_init(&p);
    int ok = 1;
    for (size_t k = 0; k <= len; k++) {
        enum parse_result rc = resp_parse_request(&p, buf, k, lim);
        if (k < len && rc == PARSE_AGAIN) continue;
        collect(&part, &p, buf, rc);
        if (!results_equal(&whole, &part)) {
            printf("  split at %zu of %zu: rc %d vs %d, argc %d vs %d, err '%s' vs '%s'\n", k, len,
                   part.rc, whole.rc, part.argc, whole.argc, part.err, whole.err);
            ok = 0;
        }
        result_free(&part);
        break;
    }
    resp_parser_deinit(&p);
    free(buf);
    result_free(&whole);
    return ok;
}

/* Checks a complete request: OK, the expected args (NULL-terminated list,
 * lengths by strlen unless lens given), consumed == whole input. */
static int expect_args(const char *in, size_t len, const char *const *want, const size_t *wlen)
{
    struct result r;
    parse_whole(in, len, &lim_std, &r);
    int n = 0;
    while (want[n]) n++;
    int ok = r.rc == PARSE_OK && r.argc == n && r.consumed == len;
    for (int i = 0; ok && i < n; i++) {
        size_t l = wlen ? wlen[i] : strlen(want[i]);
        ok = r.len[i] == l && memcmp(r.argv[i], want[i], l) == 0;
    }
    if (!ok) {
        printf("  request \"%.*s\": rc %d argc %d (want %d) consumed %zu (want %zu) err '%s'\n", (int)len, in,
               r.rc, r.argc, n, r.consumed, len, r.err);
        for (int i = 0; i < r.argc && i < MAXA; i++) printf("    arg %d: [%s] len %zu\n", i, r.argv[i], r.len[i]);
    }
    result_free(&r);
    if (ok) ok = parse_split_matches(in, len, &lim_std);
    return ok;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define EXPECT(lit, ...) CHECK(expect_args(lit, sizeof(lit) - 1, ARGS(__VA_ARGS__), NULL))

static int expect_error(const char *in, size_t len, const struct resp_limits *lim, const char *err)
{
    struct result r;
    parse_whole(in, len, lim, &r);
    int ok = r.rc != PARSE_OK && r.rc != PARSE_AGAIN && strcmp(r.err, err) == 0;
    if (!ok) printf("  request \"%.40s\": rc %d err '%s', want '%s'\n", in, r.rc, r.err, err);
    result_free(&r);
    if (ok) ok = parse_split_matches(in, len, lim);
    return ok;
}

#define EXPECT_ERR(lit, err) CHECK(expect_error(lit, sizeof(lit) - 1, &lim_std, err))

static int expect_empty(const char *in, size_t len)
{
    struct result r;
    parse_whole(in, len, &lim_std, &r);
    int ok = r.rc == PARSE_OK && r.argc == 0 && r.consumed == len;
    if (!ok) printf("  request \"%.*s\": rc %d argc %d consumed %zu\n", (int)len, in, r.rc, r.argc, r.consumed);
    result_free(&r);
    return ok && parse_split_matches(in, len, &lim_std);
}

#define EXPECT_EMPTY(lit) CHECK(expect_empty(lit, sizeof(lit) - 1))

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

TEST(compose_parse_round_trip)
{
    for (int iter = 0; iter < 300; iter++) {
        int argc = 1 + (int)(rnd() % 8);
        char *argv[8];
        size_t lens[8];
        for (int i = 0; i < argc; i++) {
            /* binary args, CR/LF inside, empty ones, some long */
            lens[i] = rnd() % 4 == 0 ? rnd() % 3000 : rnd() % 20;
            argv[i] = malloc(lens[i] + 1);
            for (size_t j = 0; j < lens[i]; j++) argv[i][j] = rnd() % 5 == 0 ? "\r\n*$\0"[rnd() % 5] : (char)rnd();
        }
        size_t need = resp_compose_request(NULL, 0, argc, (const char *const *)argv, lens);
        char *buf = malloc(need);
        CHECK_EQ_INT(resp_compose_request(buf, need, argc, (const char *const *)argv, lens), need);
        struct result r;
        parse_whole(buf, need, &lim_std, &r);
        CHECK_EQ_INT(r.rc, PARSE_OK);
        CHECK_EQ_INT(r.argc, argc);
        CHECK_EQ_INT(r.consumed, need);
        CHECK_EQ_INT(r.is_inline, 0);
        for (int i = 0; i < argc && i < r.argc; i++) CHECK_EQ_MEM(r.argv[i], r.len[i], argv[i], lens[i]);
        result_free(&r);
        if (iter < 40) CHECK(parse_split_matches(buf, need, &lim_std));
        free(buf);
        for (int i = 0; i < argc; i++) free(argv[i]);
    }
}

TEST(compose_exact_bytes_and_small_buffer)
{
    const char *argv[] = {"SET", "k", ""};
    size_t lens[] = {3, 1, 0};
    char buf[64];
    memset(buf, 'Z', sizeof(buf));
    const char want[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n";
    CHECK_EQ_INT(resp_compose_request(buf, 5, 3, argv, lens), sizeof(want) - 1);
    CHECK_EQ_INT(buf[0], 'Z');   /* too small: nothing written */
    CHECK_EQ_INT(resp_compose_request(buf, sizeof(buf), 3, argv, lens), sizeof(want) - 1);
    CHECK_EQ_MEM(buf, sizeof(want) - 1, want, sizeof(want) - 1);
    char h[32];
    CHECK_EQ_INT(resp_fmt_header(h, '*', 0), 4);
    CHECK_EQ_MEM(h, 4, "*0\r\n", 4);
    CHECK_EQ_INT(resp_fmt_header(h, '$', -1), 5);
    CHECK_EQ_MEM(h, 5, "$-1\r\n", 5);
    CHECK_EQ_INT(resp_fmt_header(h, ':', LLONG_MIN), 23);
    CHECK_EQ_MEM(h, 23, ":-9223372036854775808\r\n", 23);
}

TEST(multibulk_basics)
{
    EXPECT("*1\r\n$4\r\nPING\r\n", "PING");
    EXPECT("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", "GET", "");
    EXPECT("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\n\r\n", "SET", "k", "a\r\nb\n");
    /* Redis skips the two bytes after a bulk without looking at them */
    EXPECT("*1\r\n$3\r\nfooXY", "foo");
    size_t wl[] = {3, 3};
    CHECK(expect_args("*2\r\n$3\r\nSET\r\n$3\r\na\0b\r\n", 22, ARGS("SET", "a\0b"), wl));
}

TEST(multibulk_empty_requests)
{
    EXPECT_EMPTY("*0\r\n");
    EXPECT_EMPTY("*-1\r\n");
    EXPECT_EMPTY("*-100\r\n");   /* any negative count is an empty request in Redis */
}

TEST(multibulk_errors)
{
    EXPECT_ERR("*x\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*+1\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*01\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*1 \r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*2147483648\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*99999999999999999999\r\n", "Protocol error: invalid multibulk length");
    EXPECT_ERR("*1\r\n+foo\r\n", "Protocol error: expected '$', got '+'");
    EXPECT_ERR("*2\r\n$1\r\na\r\nX1\r\n", "Protocol error: expected '$', got 'X'");
    EXPECT_ERR("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
    EXPECT_ERR("*1\r\n$x\r\n", "Protocol error: invalid bulk length");
    EXPECT_ERR("*1\r\n$\r\n", "Protocol error: invalid bulk length");
    EXPECT_ERR("*1\r\n$+3\r\n", "Protocol error: invalid bulk length");
    EXPECT_ERR("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length");
    /* the largest allowed bulk is accepted (and waited for) */
    struct result r;
    parse_whole("*1\r\n$536870912\r\n", 17, &lim_std, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
    /* a smaller proto-max-bulk-len */
    struct resp_limits small = {1024 * 1024, INT_MAX, 0};
    CHECK(expect_error("*1\r\n$1048577\r\n", 15, &small, "Protocol error: invalid bulk length"));
    parse_whole("*1\r\n$1048576\r\n", 15, &small, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
}

TEST(too_big_headers)
{
    size_t n = RESP_INLINE_MAX + 10;
    char *buf = malloc(n + 16);
    /* inline without a newline: waits up to 64 KiB, then refuses */
    memset(buf, 'a', n);
    struct result r;
    parse_whole(buf, RESP_INLINE_MAX, &lim_std, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
    CHECK(expect_error(buf, RESP_INLINE_MAX + 1, &lim_std, "Protocol error: too big inline request"));
    /* multibulk count without \r */
    buf[0] = '*';
    memset(buf + 1, '1', n - 1);
    parse_whole(buf, RESP_INLINE_MAX, &lim_std, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
    CHECK(expect_error(buf, RESP_INLINE_MAX + 1, &lim_std, "Protocol error: too big mbulk count string"));
    /* bulk count without \r */
    memcpy(buf, "*1\r\n$", 5);
    memset(buf + 5, '1', n - 5);
    parse_whole(buf, RESP_INLINE_MAX + 4, &lim_std, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
    CHECK(expect_error(buf, RESP_INLINE_MAX + 5, &lim_std, "Protocol error: too big bulk count string"));
    free(buf);
}

TEST(unauthenticated_limits)
{
    CHECK(expect_error("*11\r\n", 5, &lim_unauth, "Protocol error: unauthenticated multibulk length"));
    CHECK(expect_error("*1\r\n$16385\r\n", 12, &lim_unauth, "Protocol error: unauthenticated bulk length"));
    struct result r;
    parse_whole("*10\r\n$16384\r\n", 13, &lim_unauth, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
    parse_whole("*11\r\n$16385\r\n", 13, &lim_std, &r);
    CHECK_EQ_INT(r.rc, PARSE_AGAIN);
    result_free(&r);
}

TEST(inline_plain)
{
    EXPECT("PING\r\n", "PING");
    EXPECT("ping\n", "ping");
    EXPECT("set  a\tb   \r\n", "set", "a", "b");
    EXPECT("  get k\r\n", "get", "k");
    EXPECT("ping\r\r\n", "ping");                  /* the extra \r separates */
    EXPECT("a\\nb\r\n", "a\\nb");                  /* no escapes outside quotes */
    EXPECT("a\vb\r\n", "a\vb");                    /* \v only separates as a leading blank */
    EXPECT("\va\r\n", "a");
    EXPECT_EMPTY("\r\n");
    EXPECT_EMPTY("\n");
    EXPECT_EMPTY("   \t \r\n");
}

TEST(inline_quotes_like_sdssplitargs)
{
    EXPECT("set a \"a\\x41\\n\"\r\n", "set", "a", "aA\n");
    EXPECT("'it\\'s'\r\n", "it's");
    EXPECT("\"a\" b\r\n", "a", "b");
    EXPECT("\"\\x4\"\r\n", "x4");                 /* not two hex digits: \x is x */
    EXPECT("\"\\xzz\"\r\n", "xzz");
    EXPECT("\"\\x41\\x4a\\x4A\\x7a\"\r\n", "AJJz");
    EXPECT("\"a\\\"b\"\r\n", "a\"b");
    EXPECT("\"\\t\\r\\n\\b\\a\\\\\\q\"\r\n", "\t\r\n\b\a\\q");
    EXPECT("'a\\nb'\r\n", "a\\nb");                /* single quotes keep backslashes */
    EXPECT("'\\x41'\r\n", "\\x41");
    EXPECT("'a\\'b'\r\n", "a'b");
    EXPECT("a\"b c\"\r\n", "ab c");                /* a quote may open mid-token */
    EXPECT("\"\" x\r\n", "", "x");
    EXPECT("'' ''\r\n", "", "");
    EXPECT("\"a\"\vb\r\n", "a", "b");              /* any isspace() may follow a quote */
    EXPECT("\"a b\"\r\n", "a b");
    CHECK(expect_args("\"\\x00x\" y\r\n", 11, ARGS("\0x", "y"), (size_t[]){2, 1}));
}

TEST(inline_unbalanced_quotes)
{
    EXPECT_ERR("\"unbalanced\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("'x\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("\"a\"b\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("'a'b\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("a\"b c\"d\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("\"a\\\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("x\"\r\n", "Protocol error: unbalanced quotes in request");
    EXPECT_ERR("'it\\'s\r\n", "Protocol error: unbalanced quotes in request");
}

TEST(inline_nul_ends_the_line_like_a_c_string)
{
    /* sdssplitargs sees a C string: a NUL ends the arguments (and inside
     * quotes it is an unterminated quote). It must never loop. */
    size_t wl[] = {1};
    CHECK(expect_args("a\0b c\r\n", 7, ARGS("a"), wl));
    CHECK(expect_empty("\0\r\n", 3));
    CHECK(expect_empty("\0\0 x\n", 5));
    CHECK(expect_error("\"a\0b\"\r\n", 7, &lim_std, "Protocol error: unbalanced quotes in request"));
}

TEST(many_requests_in_one_buffer)
{
    const char in[] = "PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n\r\n*0\r\nECHO \"x y\"\n*1\r\n$3\r\nDBS";
    char buf[sizeof(in)];
    memcpy(buf, in, sizeof(in));
    size_t len = sizeof(in) - 1, off = 0;
    struct resp_parser p;
    resp_parser_init(&p);
    int want_argc[] = {1, 2, 0, 0, 2};
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(resp_parse_request(&p, buf + off, len - off, &lim_std), PARSE_OK);
        CHECK_EQ_INT(p.argc, want_argc[i]);
        off += p.consumed;
        resp_parser_reset(&p);
    }
    CHECK_EQ_INT(resp_parse_request(&p, buf + off, len - off, &lim_std), PARSE_AGAIN);
    resp_parser_deinit(&p);
}

TEST(parser_recovers_after_error_and_big_requests)
{
    struct resp_parser p;
    resp_parser_init(&p);
    char bad[] = "*1\r\n$x\r\n";
    enum parse_result rc = resp_parse_request(&p, bad, sizeof(bad) - 1, &lim_std);
    CHECK(rc != PARSE_OK && rc != PARSE_AGAIN);
    char good[] = "*1\r\n$4\r\nPING\r\n";
    CHECK_EQ_INT(resp_parse_request(&p, good, sizeof(good) - 1, &lim_std), PARSE_OK);
    CHECK_EQ_INT(p.argc, 1);
    resp_parser_reset(&p);
    /* 5000 args grow argv; reset gives the big array back */
    enum { N = 5000 };
    const char **argv = malloc(N * sizeof(*argv));
    size_t *lens = malloc(N * sizeof(*lens));
    for (int i = 0; i < N; i++) { argv[i] = "v"; lens[i] = 1; }
    size_t need = resp_compose_request(NULL, 0, N, argv, lens);
    char *buf = malloc(need);
    resp_compose_request(buf, need, N, argv, lens);
    CHECK_EQ_INT(resp_parse_request(&p, buf, need - 1, &lim_std), PARSE_AGAIN);
    CHECK_EQ_INT(resp_parse_request(&p, buf, need, &lim_std), PARSE_OK);
    CHECK_EQ_INT(p.argc, N);
    CHECK_EQ_INT(p.argv[N - 1].len, 1);
    CHECK_EQ_INT(buf[p.argv[N - 1].off], 'v');
    resp_parser_reset(&p);
    CHECK(p.argv == p.argv_small);
    resp_parser_deinit(&p);
    free(buf);
    free(argv);
    free(lens);
}

int main(void)
{
    alarm(60);   /* a parser loop that never ends fails the run */
    RUN(compose_parse_round_trip);
    RUN(compose_exact_bytes_and_small_buffer);
    RUN(multibulk_basics);
    RUN(multibulk_empty_requests);
    RUN(multibulk_errors);
    RUN(too_big_headers);
    RUN(unauthenticated_limits);
    RUN(inline_plain);
    RUN(inline_quotes_like_sdssplitargs);
    RUN(inline_unbalanced_quotes);
    RUN(many_requests_in_one_buffer);
    RUN(parser_recovers_after_error_and_big_requests);
    RUN(inline_nul_ends_the_line_like_a_c_string);
    return unit_done();
}
