/* tests/unit/test_mc_text: the classic text codec.  Expected replies come
 * from memcached 1.6.18 run live (see compat/mc_text.c comments); every
 * request is also fed as every proper prefix (AGAIN, nothing consumed) and
 * must then give the same result whole. */
#include <stdlib.h>

#include "compat/mc_sem.h"
#include "compat/mc_text.h"
#include "tests/unit/unit.h"

struct tcase {
    const char *in;
    enum parse_result r;
    enum mc_cmd cmd;
    const char *err;        /* NULL: none expected */
    int noreply, close;
    size_t consumed;        /* 0: the whole input */
};

static const struct tcase cases[] = {
    { "get k\r\n", PARSE_OK, MC_CMD_GET, NULL, 0, 0, 0 },
    { "get k\n", PARSE_OK, MC_CMD_GET, NULL, 0, 0, 0 },                     /* F1 */
    { "   get  k   \r\n", PARSE_OK, MC_CMD_GET, NULL, 0, 0, 0 },              /* F3 */
    { "GET k\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },         /* F2 */
    { "get\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },           /* E13 */
    { "\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "x\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "gets a b c\r\n", PARSE_OK, MC_CMD_GETS, NULL, 0, 0, 0 },
    { "gat 10 a b\r\n", PARSE_OK, MC_CMD_GAT, NULL, 0, 0, 0 },
    { "gat 0\r\n", PARSE_OK, MC_CMD_GAT, NULL, 0, 0, 0 },
    { "gats abc k\r\n", PARSE_EINVALID, MC_CMD_GATS, MC_ERR_BAD_EXPTIME, 0, 0, 0 },
    { "set k 0 0 1\r\na\r\n", PARSE_OK, MC_CMD_SET, NULL, 0, 0, 0 },
    { "set k 0 0 1\na\r\n", PARSE_OK, MC_CMD_SET, NULL, 0, 0, 0 },
    { "set k 0 0 1 noreply\r\na\r\n", PARSE_OK, MC_CMD_SET, NULL, 1, 0, 0 },
    { "set k 0 0 1 foo\r\na\r\n", PARSE_OK, MC_CMD_SET, NULL, 0, 0, 0 },
    { "set k 0 0 1 noreply x\r\na\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 23 }, /* E16 */
    { "set k 0 0\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },     /* E13 */
    { "set k 0 0 -1\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_FORMAT, 0, 0, 0 }, /* E12 */
    { "set k 0 0 abc\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_FORMAT, 0, 0, 0 },
    { "set k 0 0 2147483648\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_FORMAT, 0, 0, 0 },
    { "set k -1 0 1\r\na\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_FORMAT, 0, 0, 14 }, /* E5 */
    { "set k 0 0 noreply\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_FORMAT, 1, 0, 0 },
    { "set bad 0 0 3\r\nabcdef\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_CHUNK, 0, 0, 20 }, /* E11 */
    { "set bad 0 0 3 noreply\r\nabcdef\r\n", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_CHUNK, 1, 0, 28 },
    { "set k 0 0 1\r\nabc", PARSE_EINVALID, MC_CMD_SET, MC_ERR_BAD_CHUNK, 0, 0, 0 },
    { "cas k 0 0 1 5\r\na\r\n", PARSE_OK, MC_CMD_CAS, NULL, 0, 0, 0 },
    { "cas k 0 0 1\r\na\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 13 },
    { "cas k 0 0 1 -1\r\na\r\n", PARSE_EINVALID, MC_CMD_CAS, MC_ERR_BAD_FORMAT, 0, 0, 16 },
    { "append k 0 0 1\r\na\r\n", PARSE_OK, MC_CMD_APPEND, NULL, 0, 0, 0 },
    { "prepend k 0 0 1\r\na\r\n", PARSE_OK, MC_CMD_PREPEND, NULL, 0, 0, 0 },
    { "replace k 0 0 1\r\na\r\n", PARSE_OK, MC_CMD_REPLACE, NULL, 0, 0, 0 },
    { "add k 0 0 1\r\na\r\n", PARSE_OK, MC_CMD_ADD, NULL, 0, 0, 0 },
    { "delete k\r\n", PARSE_OK, MC_CMD_DELETE, NULL, 0, 0, 0 },
    { "delete k 0\r\n", PARSE_OK, MC_CMD_DELETE, NULL, 0, 0, 0 },
    { "delete k noreply\r\n", PARSE_OK, MC_CMD_DELETE, NULL, 1, 0, 0 },
    { "delete k 0 noreply\r\n", PARSE_OK, MC_CMD_DELETE, NULL, 1, 0, 0 },
    { "delete k 1\r\n", PARSE_EINVALID, MC_CMD_DELETE, MC_R_DELETE_USAGE, 0, 0, 0 },
    { "delete k 1 noreply\r\n", PARSE_EINVALID, MC_CMD_DELETE, MC_R_DELETE_USAGE, 1, 0, 0 },
    { "delete\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "touch k 10\r\n", PARSE_OK, MC_CMD_TOUCH, NULL, 0, 0, 0 },
    { "touch k abc\r\n", PARSE_EINVALID, MC_CMD_TOUCH, MC_ERR_BAD_EXPTIME, 0, 0, 0 },
    { "touch k\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "incr k 1\r\n", PARSE_OK, MC_CMD_INCR, NULL, 0, 0, 0 },
    { "decr k 1 noreply\r\n", PARSE_OK, MC_CMD_DECR, NULL, 1, 0, 0 },
    { "incr k -1\r\n", PARSE_EINVALID, MC_CMD_INCR, MC_ERR_BAD_DELTA, 0, 0, 0 },  /* E7c */
    { "incr k 18446744073709551616\r\n", PARSE_EINVALID, MC_CMD_INCR, MC_ERR_BAD_DELTA, 0, 0, 0 },
    { "incr k\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "flush_all\r\n", PARSE_OK, MC_CMD_FLUSH_ALL, NULL, 0, 0, 0 },
    { "flush_all noreply\r\n", PARSE_OK, MC_CMD_FLUSH_ALL, NULL, 1, 0, 0 },
    { "flush_all 10 noreply\r\n", PARSE_OK, MC_CMD_FLUSH_ALL, NULL, 1, 0, 0 },
    { "flush_all abc\r\n", PARSE_EINVALID, MC_CMD_FLUSH_ALL, MC_ERR_BAD_EXPTIME, 0, 0, 0 },
    { "flush_all 0 noreply x\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "version\r\n", PARSE_OK, MC_CMD_VERSION, NULL, 0, 0, 0 },
    { "version x\r\n", PARSE_OK, MC_CMD_VERSION, NULL, 0, 0, 0 },
    { "verbosity 1\r\n", PARSE_OK, MC_CMD_VERBOSITY, NULL, 0, 0, 0 },
    { "verbosity x\r\n", PARSE_EINVALID, MC_CMD_VERBOSITY, MC_ERR_BAD_FORMAT, 0, 0, 0 },
    { "verbosity\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "verbosity 1 2 3\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "quit\r\n", PARSE_OK, MC_CMD_QUIT, NULL, 0, 0, 0 },
    { "stats\r\n", PARSE_OK, MC_CMD_STATS, NULL, 0, 0, 0 },
    { "stats settings\r\n", PARSE_OK, MC_CMD_STATS, NULL, 0, 0, 0 },
    { "shutdown\r\n", PARSE_OK, MC_CMD_SHUTDOWN, NULL, 0, 0, 0 },
    { "cache_memlimit 100\r\n", PARSE_OK, MC_CMD_CACHE_MEMLIMIT, NULL, 0, 0, 0 },
    { "cache_memlimit x\r\n", PARSE_EINVALID, MC_CMD_CACHE_MEMLIMIT, "ERROR", 0, 0, 0 },
    { "mg k v\r\n", PARSE_OK, MC_CMD_META, NULL, 0, 0, 7 },
    { "mx k\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "GET / HTTP/1.1\r\n", PARSE_EINVALID, MC_CMD_NONE, NULL, 0, 1, 0 },   /* E15 */
    { "xx HTTP/1.1\r\n", PARSE_EINVALID, MC_CMD_NONE, NULL, 0, 1, 0 },
    { "mget / HTTP/1.1\r\n", PARSE_EINVALID, MC_CMD_NONE, NULL, 0, 1, 0 },
    { "sfoo / HTTP/1.1\r\n", PARSE_EINVALID, MC_CMD_NONE, "ERROR", 0, 0, 0 },
    { "get / HTTP/1.1\r\n", PARSE_OK, MC_CMD_GET, NULL, 0, 0, 0 },
    { "set k 0 0 1 HTTP/1.1\r\na\r\n", PARSE_OK, MC_CMD_SET, NULL, 0, 0, 0 },
};

static void check_case(const struct tcase *c, size_t idx)
{
    struct mc_limits lim;
    struct mc_request req;
    size_t len = strlen(c->in);
    size_t want = c->consumed ? c->consumed : len;
    enum parse_result r;
    int failed_before = unit_cur_failed;

    unit_cur_failed = 0;
    mc_limits_init(&lim);
    if (c->cmd == MC_CMD_META)
        want = 0;
    /* every proper prefix of a complete message is AGAIN, nothing consumed */
    for (size_t i = 0; i < want || (c->cmd == MC_CMD_META && i < len); i++) {
        r = mc_text_parse(c->in, i, &lim, &req);
        if (r != PARSE_AGAIN || req.consumed != 0) {
            printf("  case %zu (%s) prefix %zu: r=%d\n", idx, c->in, i, r);
            CHECK(0);
            return;
        }
    }
    r = mc_text_parse(c->in, len, &lim, &req);
    CHECK_EQ_INT(r, c->r);
    CHECK_EQ_INT(req.cmd, c->cmd);
    CHECK_EQ_INT(req.consumed, want);
    CHECK_EQ_INT(req.noreply, c->noreply);
    CHECK_EQ_INT(req.close, c->close);
    if (c->err)
        CHECK_EQ_STR(req.err, c->err);
    else if (!c->close)
        CHECK(req.err == NULL);
    if (unit_cur_failed)
        printf("  ^ case %zu: %s\n", idx, c->in);
    unit_cur_failed |= failed_before;
}

TEST(table)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i], i);
}

TEST(fields)
{
    struct mc_limits lim;
    struct mc_request req;
    const char *in = "cas key 4294967295 -5 3 18446744073709551615\r\nabc\r\nget x\r\n";

    mc_limits_init(&lim);
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_OK);
    CHECK_EQ_MEM(req.key, req.nkey, "key", 3);
    CHECK_EQ_INT(req.flags, 4294967295u);
    CHECK_EQ_INT(req.exptime, -5);
    CHECK(req.cas == UINT64_MAX);
    CHECK_EQ_MEM(req.data, req.ndata, "abc", 3);
    CHECK_EQ_INT(req.consumed, strlen(in) - strlen("get x\r\n"));
    CHECK_EQ_INT(mc_text_parse(in + req.consumed, strlen(in) - req.consumed, &lim, &req), PARSE_OK);
    CHECK_EQ_MEM(req.key, req.nkey, "x", 1);

    in = "set k 4294967296 4294967297 4294967297\r\na\r\n";     /* E5, 1.6.18 truncation */
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_OK);
    CHECK_EQ_INT(req.flags, 0);
    CHECK_EQ_INT(req.exptime, 1);
    CHECK_EQ_INT(req.ndata, 1);

    in = "incr n 18446744073709551615\r\n";
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_OK);
    CHECK(req.delta == UINT64_MAX);

    in = "flush_all 30\r\n";
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_OK);
    CHECK(req.has_exptime && req.exptime == 30);
    in = "flush_all\r\n";
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_OK);
    CHECK(!req.has_exptime);

    in = "stats detail on\r\n";
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_OK);
    CHECK_EQ_INT(req.ntok, 3);
    CHECK_EQ_MEM(req.tok[2].p, req.tok[2].len, "on", 2);
}

TEST(need_hint)
{
    struct mc_limits lim;
    struct mc_request req;
    const char *in = "set k 0 0 10\r\n0123";

    mc_limits_init(&lim);
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_AGAIN);
    CHECK_EQ_INT(req.need, 14 + 12);
    CHECK_EQ_INT(req.consumed, 0);
}

TEST(keys_250)
{
    struct mc_limits lim;
    struct mc_request req;
    char line[700];
    char k[252];

    mc_limits_init(&lim);
    memset(k, 'k', sizeof(k) - 1);
    k[250] = '\0';
    snprintf(line, sizeof(line), "get %s\r\n", k);                            /* F4 */
    CHECK_EQ_INT(mc_text_parse(line, strlen(line), &lim, &req), PARSE_OK);
    snprintf(line, sizeof(line), "set %s 0 0 1\r\na\r\n", k);
    CHECK_EQ_INT(mc_text_parse(line, strlen(line), &lim, &req), PARSE_OK);
    k[250] = 'k';
    k[251] = '\0';
    snprintf(line, sizeof(line), "get a %s b\r\n", k);
    CHECK_EQ_INT(mc_text_parse(line, strlen(line), &lim, &req), PARSE_EINVALID);
    CHECK_EQ_STR(req.err, MC_ERR_BAD_FORMAT);
    /* 1.6.18 does not swallow the payload after a bad header (E12) */
    snprintf(line, sizeof(line), "set %s 0 0 1\r\na\r\n", k);
    CHECK_EQ_INT(mc_text_parse(line, strlen(line), &lim, &req), PARSE_EINVALID);
    CHECK_EQ_INT(req.consumed, strlen(line) - 3);
    CHECK_EQ_INT(req.swallow, 0);
    snprintf(line, sizeof(line), "incr %s 1\r\n", k);
    CHECK_EQ_INT(mc_text_parse(line, strlen(line), &lim, &req), PARSE_EINVALID);
    CHECK_EQ_STR(req.err, MC_ERR_BAD_FORMAT);
}

TEST(many_keys)
{
    struct mc_limits lim;
    struct mc_request req;
    size_t cap = 5000 * 8 + 16, len = 0, pos = 0, nk;
    char *buf = malloc(cap);
    const char *k;
    unsigned seen = 0, bad = 0;

    mc_limits_init(&lim);
    len += (size_t)sprintf(buf, "get");
    for (unsigned i = 0; i < 5000; i++)
        len += (size_t)sprintf(buf + len, " k%u", i);
    /* a multiget longer than 2048 bytes without its '\n' yet keeps waiting */
    CHECK_EQ_INT(mc_text_parse(buf, len, &lim, &req), PARSE_AGAIN);
    len += (size_t)sprintf(buf + len, "\r\n");
    CHECK_EQ_INT(mc_text_parse(buf, len, &lim, &req), PARSE_OK);
    CHECK_EQ_INT(req.nkeys, 5000);
    while (mc_text_key_next(&req, &pos, &k, &nk)) {
        char want[16];
        int n = snprintf(want, sizeof(want), "k%u", seen);
        if ((size_t)n != nk || memcmp(want, k, nk) != 0)
            bad++;
        seen++;
    }
    CHECK_EQ_INT(seen, 5000);
    CHECK_EQ_INT(bad, 0);
    free(buf);
}

TEST(line_limit)                                                              /* F6 */
{
    struct mc_limits lim;
    struct mc_request req;
    char buf[2300];

    mc_limits_init(&lim);
    memset(buf, 'y', sizeof(buf));
    CHECK_EQ_INT(mc_text_parse(buf, 2048, &lim, &req), PARSE_AGAIN);
    CHECK_EQ_INT(mc_text_parse(buf, 2049, &lim, &req), PARSE_ETOOBIG);
    CHECK(req.close);
    CHECK(req.err == NULL);
    memcpy(buf, "gat ", 4);
    CHECK_EQ_INT(mc_text_parse(buf, 2100, &lim, &req), PARSE_ETOOBIG);
    memcpy(buf, "gets ", 5);
    CHECK_EQ_INT(mc_text_parse(buf, 2100, &lim, &req), PARSE_AGAIN);
    memset(buf, ' ', 100);
    memcpy(buf + 100, "get ", 4);
    CHECK_EQ_INT(mc_text_parse(buf, 2200, &lim, &req), PARSE_AGAIN);
    memset(buf, ' ', 101);
    memcpy(buf + 101, "get ", 4);
    CHECK_EQ_INT(mc_text_parse(buf, 2200, &lim, &req), PARSE_ETOOBIG);
    /* a long line whose '\n' is there is processed (1.6.18: error reply) */
    memcpy(buf, "set ", 4);
    memset(buf + 4, 'x', 2100);
    memcpy(buf + 2104, " 0 0 1\r\n", 8);
    CHECK_EQ_INT(mc_text_parse(buf, 2112, &lim, &req), PARSE_EINVALID);
    CHECK_EQ_STR(req.err, MC_ERR_BAD_FORMAT);
}

TEST(too_large)                                                               /* E9 */
{
    struct mc_limits lim;
    struct mc_request req;
    const char *in = "set k 0 0 1048517\r\n";
    const char *ok = "set k 0 0 1048516\r\n";

    mc_limits_init(&lim);
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_ETOOBIG);
    CHECK(!req.close);
    CHECK_EQ_STR(req.err, MC_ERR_TOO_LARGE);
    CHECK_EQ_INT(req.cmd, MC_CMD_SET);
    CHECK_EQ_INT(req.consumed, strlen(in));
    CHECK_EQ_INT(req.swallow, 1048519);
    CHECK_EQ_INT(mc_text_parse(ok, strlen(ok), &lim, &req), PARSE_AGAIN);
    CHECK_EQ_INT(req.need, strlen(ok) + 1048518);
    in = "set k 0 0 1048517 noreply\r\n";
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_ETOOBIG);
    CHECK(req.noreply);
    lim.item_size_max = 100;
    in = "add k 0 0 41\r\n";
    CHECK_EQ_INT(mc_text_parse(in, strlen(in), &lim, &req), PARSE_ETOOBIG);
}

/* Requests built from random fields parse back to the same fields. */
TEST(round_trip)
{
    static const char *names[] = { "set", "add", "replace", "append", "prepend", "cas" };
    struct mc_limits lim;
    struct mc_request req;
    char buf[1024], key[64], data[200];
    unsigned bad = 0;

    mc_limits_init(&lim);
    srand(42);
    for (int it = 0; it < 2000; it++) {
        unsigned ci = (unsigned)rand() % 6, nk = 1 + (unsigned)rand() % 60;
        unsigned nd = (unsigned)rand() % 200;
        uint32_t fl = (uint32_t)rand() * 2u + 1u;
        int32_t ex = rand() % 5000000 - 100;
        uint64_t cas = ((uint64_t)rand() << 33) ^ (uint64_t)rand();
        int noreply = rand() % 2;
        size_t len;

        for (unsigned i = 0; i < nk; i++)
            key[i] = (char)('!' + rand() % 94);
        for (unsigned i = 0; i < nd; i++)
            data[i] = (char)(rand() % 256);
        len = (size_t)snprintf(buf, sizeof(buf), "%s %.*s %" PRIu32 " %" PRId32 " %u",
                               names[ci], (int)nk, key, fl, ex, nd);
        if (ci == 5)
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %" PRIu64, cas);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\r\n", noreply ? " noreply" : "");
        memcpy(buf + len, data, nd);
        memcpy(buf + len + nd, "\r\n", 2);
        len += nd + 2;
        if (mc_text_parse(buf, len, &lim, &req) != PARSE_OK || req.consumed != len ||
            req.cmd != (enum mc_cmd)(MC_CMD_SET + ci) || req.nkey != nk ||
            memcmp(req.key, key, nk) != 0 || req.flags != fl || req.exptime != ex ||
            req.ndata != nd || memcmp(req.data, data, nd) != 0 ||
            req.noreply != noreply || (ci == 5 && req.cas != cas))
            bad++;
        /* a random split point: the prefix waits */
        if (mc_text_parse(buf, (size_t)rand() % len, &lim, &req) != PARSE_AGAIN)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(compose)
{
    struct mc_out out;
    struct mc_limits lim;
    struct mc_request req;

    mc_out_init(&out);
    mc_compose_value(&out, "k", 1, 4294967295u, "a\r\nb", 4, false, 0);
    mc_compose_value(&out, "k2", 2, 0, "", 0, true, UINT64_MAX);
    mc_compose_line(&out, MC_R_END);
    mc_compose_line(&out, MC_R_STORED);
    mc_compose_number(&out, 18446744073709551615ull);
    mc_compose_client_error(&out, "bad data chunk");
    mc_compose_server_error(&out, "out of memory storing object");
    mc_compose_version(&out, "1.6.18");
    mc_compose_stat_u64(&out, "curr_items", 5);
    mc_compose_stat_i64(&out, "x", -1);
    mc_compose_stat(&out, "version", "1.6.18");
    mc_compose_statf(&out, "rusage_user", "%d.%06d", 1, 5);
    CHECK_EQ_MEM(out.buf, out.len,
                 "VALUE k 4294967295 4\r\na\r\nb\r\n"
                 "VALUE k2 0 0 18446744073709551615\r\n\r\n"
                 "END\r\nSTORED\r\n18446744073709551615\r\n"
                 "CLIENT_ERROR bad data chunk\r\n"
                 "SERVER_ERROR out of memory storing object\r\n"
                 "VERSION 1.6.18\r\nSTAT curr_items 5\r\nSTAT x -1\r\n"
                 "STAT version 1.6.18\r\nSTAT rusage_user 1.000005\r\n",
                 strlen("VALUE k 4294967295 4\r\na\r\nb\r\n"
                 "VALUE k2 0 0 18446744073709551615\r\n\r\n"
                 "END\r\nSTORED\r\n18446744073709551615\r\n"
                 "CLIENT_ERROR bad data chunk\r\n"
                 "SERVER_ERROR out of memory storing object\r\n"
                 "VERSION 1.6.18\r\nSTAT curr_items 5\r\nSTAT x -1\r\n"
                 "STAT version 1.6.18\r\nSTAT rusage_user 1.000005\r\n"));
    /* a composed VALUE block re-read as a set payload keeps its bytes */
    mc_out_reset(&out);
    mc_out_appendf(&out, "set k 7 0 %d\r\n", 4);
    mc_out_append(&out, "a\r\nb\r\n", 6);
    mc_limits_init(&lim);
    CHECK_EQ_INT(mc_text_parse(out.buf, out.len, &lim, &req), PARSE_OK);
    CHECK_EQ_MEM(req.data, req.ndata, "a\r\nb", 4);
    mc_out_deinit(&out);
    CHECK(out.buf == NULL);
}

int main(void)
{
    RUN(table);
    RUN(fields);
    RUN(need_hint);
    RUN(keys_250);
    RUN(many_keys);
    RUN(line_limit);
    RUN(too_large);
    RUN(round_trip);
    RUN(compose);
    return unit_done();
}
