/* tests/unit/test_bench_proto: shoal-bench's request composer and reply
 * parser (bench/proto) and its verify values (bench/value). Replies are
 * real server bytes written out by hand; each is also fed cut at every byte
 * boundary, where every prefix must say "need more" and never count. */
#include <stdlib.h>

#include "bench/proto.h"
#include "bench/value.h"
#include "tests/unit/unit.h"

static const struct proto_keyfmt kf = { "key:", 4 };

/* parse the whole reply, and every strict prefix of it */
static long parse_all_splits(enum bench_proto p, enum proto_op op, unsigned n, const char *s,
                             struct proto_reply *r)
{
    size_t len = strlen(s);
    for (size_t cut = 0; cut < len; cut++) {
        struct proto_reply tmp;
        long got = proto_parse_reply(p, op, n, s, cut, &tmp, NULL);
        if (got != 0) {
            printf("  prefix of %zu bytes of '%s' gave %ld\n", cut, s, got);
            return -99;
        }
    }
    return proto_parse_reply(p, op, n, s, len, r, NULL);
}

TEST(compose_resp)
{
    char buf[512];
    uint64_t keys[2] = { 7, 1234567 };
    size_t n = proto_compose_get(PROTO_RESP, buf, &kf, keys, 1);
    CHECK_EQ_MEM(buf, n, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000007\r\n", 36);
    n = proto_compose_get(PROTO_RESP, buf, &kf, keys, 2);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "*3\r\n$4\r\nMGET\r\n$16\r\nkey:000000000007\r\n$16\r\nkey:000001234567\r\n");
    n = proto_set_begin(PROTO_RESP, buf, 1);
    n += proto_set_item(PROTO_RESP, buf + n, &kf, 7, 3);
    memcpy(buf + n, "abc", 3);
    n += 3;
    n += proto_set_item_end(buf + n);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000007\r\n$3\r\nabc\r\n");
    n = proto_set_begin(PROTO_RESP, buf, 2);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "*5\r\n$4\r\nMSET\r\n");
    CHECK(proto_request_bound(&kf, 2, 3) >= 62);
}

TEST(compose_memcached)
{
    char buf[512];
    uint64_t keys[2] = { 1, 2 };
    size_t n = proto_compose_get(PROTO_MC_TEXT, buf, &kf, keys, 2);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "get key:000000000001 key:000000000002\r\n");
    n = proto_compose_get(PROTO_MC_META, buf, &kf, keys, 1);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "mg key:000000000001 v\r\n");
    n = proto_compose_get(PROTO_MC_META, buf, &kf, keys, 2);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "mg key:000000000001 v k q\r\nmg key:000000000002 v k q\r\nmn\r\n");
    n = proto_set_item(PROTO_MC_TEXT, buf, &kf, 5, 10);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "set key:000000000005 0 0 10\r\n");
    n = proto_set_item(PROTO_MC_META, buf, &kf, 5, 10);
    buf[n] = '\0';
    CHECK_EQ_STR(buf, "ms key:000000000005 10\r\n");
    CHECK_EQ_INT(proto_set_begin(PROTO_MC_TEXT, buf, 3), 0);
    uint64_t idx = 0;
    CHECK_EQ_INT(proto_key_index(&kf, "key:000000000042", 16, &idx), 0);
    CHECK_EQ_INT(idx, 42);
    CHECK_EQ_INT(proto_key_index(&kf, "kex:000000000042", 16, &idx), -1);
    CHECK_EQ_INT(proto_key_index(&kf, "key:00000000004x", 16, &idx), -1);
}

TEST(parse_resp)
{
    struct proto_reply r;
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_SET, 1, "+OK\r\n", &r), 5);
    CHECK_EQ_INT(r.errors, 0);
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_GET, 1, "$3\r\nabc\r\n", &r), 9);
    CHECK_EQ_INT(r.hits, 1);
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_GET, 1, "$-1\r\n", &r), 5);
    CHECK_EQ_INT(r.misses, 1);
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_GET, 1, "$0\r\n\r\n", &r), 6);
    CHECK_EQ_INT(r.hits, 1);
    const char *mget = "*3\r\n$2\r\nab\r\n$-1\r\n$4\r\n\r\n\r\n\r\n";
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_GET, 3, mget, &r), (long)strlen(mget));
    CHECK_EQ_INT(r.hits, 2);
    CHECK_EQ_INT(r.misses, 1);
    const char *err = "-OOM command not allowed\r\n";
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_SET, 1, err, &r), (long)strlen(err));
    CHECK_EQ_INT(r.errors, 1);
    CHECK_EQ_MEM(r.err, r.errlen, "-OOM command not allowed", 24);
    CHECK_EQ_INT(parse_all_splits(PROTO_RESP, PROTO_OP_GET, 2, "-ERR x\r\n", &r), 8);
    CHECK_EQ_INT(r.errors, 1);
    /* two replies back to back: only the first is consumed */
    CHECK_EQ_INT(proto_parse_reply(PROTO_RESP, PROTO_OP_SET, 1, "+OK\r\n+OK\r\n", 10, &r, NULL), 5);
}

TEST(parse_resp_rejects)
{
    struct proto_reply r;
    static const struct { enum proto_op op; unsigned n; const char *s; } bad[] = {
        { PROTO_OP_SET, 1, "$3\r\nabc\r\n" },     /* a value for a SET */
        { PROTO_OP_GET, 1, "+OK\r\n" },           /* a status for a GET */
        { PROTO_OP_GET, 2, "*3\r\n$-1\r\n$-1\r\n$-1\r\n" },  /* wrong count */
        { PROTO_OP_GET, 1, "$3\r\nabcd\r\n" },    /* length lies */
        { PROTO_OP_GET, 1, "hello\r\n" },
        { PROTO_OP_GET, 1, "$3\nabc\r\n" },       /* bare newline */
        { PROTO_OP_GET, 1, "$x\r\n" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long got = proto_parse_reply(PROTO_RESP, bad[i].op, bad[i].n, bad[i].s, strlen(bad[i].s), &r, NULL);
        if (got != -1) {
            printf("  accepted '%s' (%ld)\n", bad[i].s, got);
            CHECK(0);
        }
    }
}

TEST(parse_memcached_text)
{
    struct proto_reply r;
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_TEXT, PROTO_OP_SET, 1, "STORED\r\n", &r), 8);
    CHECK_EQ_INT(r.errors, 0);
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_TEXT, PROTO_OP_SET, 2, "STORED\r\nSERVER_ERROR out of memory storing object\r\n", &r), 51);
    CHECK_EQ_INT(r.errors, 1);
    const char *get = "VALUE key:000000000001 0 3\r\nabc\r\nVALUE key:000000000003 5 2 99\r\nxy\r\nEND\r\n";
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_TEXT, PROTO_OP_GET, 3, get, &r), (long)strlen(get));
    CHECK_EQ_INT(r.hits, 2);
    CHECK_EQ_INT(r.misses, 1);
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_TEXT, PROTO_OP_GET, 1, "END\r\n", &r), 5);
    CHECK_EQ_INT(r.misses, 1);
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_TEXT, PROTO_OP_GET, 1, "CLIENT_ERROR bad command line format\r\n", &r), 38);
    CHECK_EQ_INT(r.errors, 1);
    CHECK_EQ_INT(proto_parse_reply(PROTO_MC_TEXT, PROTO_OP_GET, 1, "VALUE k 0 3\r\nabcd\r\nEND\r\n", 24, &r, NULL), -1);
    CHECK_EQ_INT(proto_parse_reply(PROTO_MC_TEXT, PROTO_OP_SET, 1, "HD\r\n", 4, &r, NULL), -1);
}

TEST(parse_memcached_meta)
{
    struct proto_reply r;
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_META, PROTO_OP_SET, 1, "HD\r\n", &r), 4);
    CHECK_EQ_INT(r.errors, 0);
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_META, PROTO_OP_GET, 1, "VA 3\r\nabc\r\n", &r), 11);
    CHECK_EQ_INT(r.hits, 1);
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_META, PROTO_OP_GET, 1, "EN\r\n", &r), 4);
    CHECK_EQ_INT(r.misses, 1);
    const char *multi = "VA 2 kkey:000000000002\r\nhi\r\nMN\r\n";
    CHECK_EQ_INT(parse_all_splits(PROTO_MC_META, PROTO_OP_GET, 3, multi, &r), (long)strlen(multi));
    CHECK_EQ_INT(r.hits, 1);
    CHECK_EQ_INT(r.misses, 2);
    CHECK_EQ_INT(proto_parse_reply(PROTO_MC_META, PROTO_OP_GET, 1, "STORED\r\n", 8, &r, NULL), -1);
}

/* verify visits: which positions got which values */
struct seen { int n; unsigned pos[8]; int hit[8]; };
static void visit_cb(void *arg, unsigned pos, const char *val, size_t vlen)
{
    struct seen *s = arg;
    if (s->n < 8) {
        s->pos[s->n] = pos;
        s->hit[s->n++] = val != NULL;
    }
}

TEST(visit_matches_keys)
{
    struct proto_reply r;
    uint64_t keys[3] = { 1, 2, 3 };
    struct seen s = { 0 };
    struct proto_visit v = { visit_cb, &s, keys, &kf };
    const char *get = "VALUE key:000000000002 0 1\r\nx\r\nEND\r\n";
    /* incomplete: no visit at all */
    CHECK_EQ_INT(proto_parse_reply(PROTO_MC_TEXT, PROTO_OP_GET, 3, get, 20, &r, &v), 0);
    CHECK_EQ_INT(s.n, 0);
    CHECK_EQ_INT(proto_parse_reply(PROTO_MC_TEXT, PROTO_OP_GET, 3, get, strlen(get), &r, &v), (long)strlen(get));
    CHECK_EQ_INT(s.n, 3);
    CHECK(s.pos[0] == 0 && !s.hit[0]);
    CHECK(s.pos[1] == 1 && s.hit[1]);
    CHECK(s.pos[2] == 2 && !s.hit[2]);
    memset(&s, 0, sizeof(s));
    const char *other = "VALUE key:000000000009 0 1\r\nx\r\nEND\r\n";
    proto_parse_reply(PROTO_MC_TEXT, PROTO_OP_GET, 3, other, strlen(other), &r, &v);
    CHECK_EQ_INT(s.pos[0], PROTO_POS_UNEXPECTED);
}

TEST(verify_values)
{
    char v[64];
    uint32_t ver = 0;
    value_fill(v, sizeof(v), 42, 7);
    CHECK_EQ_INT(value_check(v, sizeof(v), 42, &ver), 0);
    CHECK_EQ_INT(ver, 7);
    CHECK_EQ_INT(value_check(v, sizeof(v), 43, &ver), -1);
    CHECK_EQ_INT(value_check(v, sizeof(v) - 1, 42, &ver), -2);  /* cut */
    CHECK_EQ_INT(value_check(v, VALUE_MIN_LEN, 42, &ver), -2);
    v[40] ^= 1;
    CHECK_EQ_INT(value_check(v, sizeof(v), 42, &ver), -2);
    CHECK_EQ_INT(value_check("short", 5, 42, &ver), -2);
    value_fill(v, VALUE_MIN_LEN, 1, 4000000000u);
    CHECK_EQ_INT(value_check(v, VALUE_MIN_LEN, 1, &ver), 0);
    CHECK_EQ_INT(ver, 4000000000u);
    CHECK_EQ_MEM(v, VALUE_MIN_LEN, "0000000001:ee6b2800:000001c:", 28);
    value_fill(v, 40, 999999999999ULL, 1);
    CHECK_EQ_INT(value_check(v, 40, 999999999999ULL, &ver), 0);
}

int main(void)
{
    RUN(compose_resp);
    RUN(compose_memcached);
    RUN(parse_resp);
    RUN(parse_resp_rejects);
    RUN(parse_memcached_text);
    RUN(parse_memcached_meta);
    RUN(visit_matches_keys);
    RUN(verify_values);
    return unit_done();
}
