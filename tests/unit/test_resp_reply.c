/* tests/unit/test_resp_reply: the proxy's RESP reply boundary parser, fed
 * every reply whole, at every byte split (resuming the same parser), and
 * followed by the next pipelined reply: every RESP2 and RESP3 type, alone
 * and nested (maps of sets, attributes at the top and inside aggregates,
 * pushes), as Redis 7 sends them after HELLO 3; RESP3's streamed forms and
 * malformed RESP3 lines are refused. */
#include <stdlib.h>

#include "compat/resp_reply.h"
#include "tests/unit/unit.h"

struct sample {
    const char *bytes;
    size_t len;
    char type;
    long long integer;
};

#define S(lit, t, i) { lit, sizeof(lit) - 1, t, i }

static const struct sample samples[] = {
    S("+OK\r\n", '+', 0),
    S("-ERR wrong\r\n", '-', 0),
    S(":12345\r\n", ':', 12345),
    S(":-7\r\n", ':', -7),
    S("$3\r\nfoo\r\n", '$', 3),
    S("$0\r\n\r\n", '$', 0),
    S("$-1\r\n", '$', -1),
    S("$4\r\na\r\nb\r\n", '$', 4),                /* CRLF inside a blob */
    S("*-1\r\n", '*', -1),
    S("*0\r\n", '*', 0),
    S("*3\r\n$1\r\na\r\n$-1\r\n:5\r\n", '*', 3),
    S("*2\r\n*2\r\n+a\r\n*1\r\n$2\r\nxy\r\n-ERR in\r\n", '*', 2),
    S("_\r\n", '_', 0),
    S(",3.14\r\n", ',', 0),
    S("#t\r\n", '#', 0),
    S("(12345678901234567890123\r\n", '(', 0),
    S("!9\r\nERR a\r\nb!\r\n", '!', 9),
    S("=7\r\ntxt:abc\r\n", '=', 7),
    S("%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n:2\r\n", '%', 2),
    S("~2\r\n+a\r\n+b\r\n", '~', 2),
    S(">2\r\n+message\r\n+x\r\n", '>', 2),
    S("|1\r\n+ttl\r\n:3\r\n$5\r\nhello\r\n", '$', 5),
    S("*2\r\n|1\r\n+k\r\n*1\r\n:1\r\n:7\r\n:8\r\n", '*', 2),
    /* RESP3 as Redis 7 answers after HELLO 3 */
    S("#f\r\n", '#', 0),
    S(",-inf\r\n", ',', 0),
    S(",nan\r\n", ',', 0),
    S(",1.5e+300\r\n", ',', 0),
    S("(-3492890328409238509324850943850943825024385\r\n", '(', 0),
    S("!0\r\n\r\n", '!', 0),
    S("=15\r\ntxt:Some string\r\n", '=', 15),
    S("%0\r\n", '%', 0),
    S("~0\r\n", '~', 0),
    S("*3\r\n_\r\n$1\r\nx\r\n_\r\n", '*', 3),                   /* MGET */
    S("%2\r\n$1\r\na\r\n_\r\n$1\r\nb\r\n,2.5\r\n", '%', 2),    /* map, null value */
    S("%1\r\n$4\r\ntags\r\n~2\r\n$1\r\nx\r\n#t\r\n", '%', 1),   /* map of a set */
    S("~2\r\n%1\r\n+k\r\n+v\r\n*2\r\n(1\r\n!3\r\nERR\r\n", '~', 2),
    S("*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", '*', 2),  /* SCAN */
    S("|2\r\n+a\r\n%1\r\n+x\r\n:1\r\n+b\r\n~1\r\n_\r\n%1\r\n+k\r\n,1\r\n", '%', 1),
    S("|1\r\n+a\r\n|1\r\n+b\r\n+c\r\n+d\r\n:4\r\n", ':', 4),    /* attribute on an attribute value */
    S("%1\r\n|1\r\n+a\r\n+b\r\n+k\r\n|1\r\n+c\r\n+d\r\n+v\r\n", '%', 1),
    S(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n%1\r\n+a\r\n*1\r\n_\r\n", '>', 3),
    S(">0\r\n", '>', 0),
    S("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
      "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
      "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n", '%', 7),   /* HELLO 3 */
};

static enum parse_result feed(struct resp_reply *r, const char *b, size_t n)
{
    return resp_reply_parse(r, b, n);
}

TEST(whole_replies)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        struct resp_reply r;
        resp_reply_init(&r);
        CHECK_EQ_INT(feed(&r, s->bytes, s->len), PARSE_OK);
        CHECK_EQ_INT(r.consumed, s->len);
        CHECK_EQ_INT(r.type, s->type);
        if (s->type == ':' || s->type == '*' || s->type == '$' || s->type == '%' ||
            s->type == '~' || s->type == '>' || s->type == '!' || s->type == '=')
            CHECK_EQ_INT(r.integer, s->integer);
        CHECK_EQ_INT(resp_reply_span(s->bytes, s->len), s->len);
    }
}

/* Every split point, resuming the same parser: AGAIN until the last byte. */
TEST(every_split_resumes)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        for (size_t k = 0; k < s->len; k++) {
            struct resp_reply r;
            resp_reply_init(&r);
            for (size_t upto = k; upto < s->len; upto++) {
                enum parse_result res = feed(&r, s->bytes, upto);
                if (res != PARSE_AGAIN) {
                    printf("  sample %zu split %zu upto %zu: %d\n", i, k, upto, res);
                    CHECK(res == PARSE_AGAIN);
                    break;
                }
                if (r.need) CHECK(r.need > upto && r.need <= s->len);
            }
            CHECK_EQ_INT(feed(&r, s->bytes, s->len), PARSE_OK);
            CHECK_EQ_INT(r.consumed, s->len);
        }
    }
}

/* Two replies back to back: the first is found exactly, then the second. */
TEST(pipelined_pairs)
{
    size_t n = sizeof samples / sizeof samples[0];
    for (size_t i = 0; i < n; i++) {
        const struct sample *a = &samples[i], *b = &samples[(i + 5) % n];
        char buf[512];
        memcpy(buf, a->bytes, a->len);
        memcpy(buf + a->len, b->bytes, b->len);
        size_t span = resp_reply_span(buf, a->len + b->len);
        CHECK_EQ_INT(span, a->len);
        CHECK_EQ_INT(resp_reply_span(buf + span, b->len), b->len);
    }
}

TEST(invalid_replies)
{
    static const char *bad[] = {
        "?what\r\n", "$abc\r\n", "$3\r\nfooXY", "*-2\r\n", "$-2\r\n", ":1x\r\n",
        "+OK\rX\n", "~-1\r\n", "*1\r\n@\r\n",
        /* RESP3 streamed forms (never sent by Redis): refused */
        "$?\r\n;4\r\nHell\r\n;0\r\n", "*?\r\n:1\r\n.\r\n", "%?\r\n+a\r\n:1\r\n.\r\n",
        "~?\r\n.\r\n", ";4\r\nHell\r\n", ".\r\n",
        /* malformed RESP3 */
        "%-1\r\n", ">-1\r\n", "|-1\r\n", "!-1\r\n", "=-1\r\n", "_x\r\n", "#\r\n",
        "#tf\r\n", "#x\r\n", ",\r\n", "(\r\n", "%1\r\n+k\r\n_1\r\n",
        "=4\r\ntxt:ab\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct resp_reply r;
        resp_reply_init(&r);
        enum parse_result res = feed(&r, bad[i], strlen(bad[i]));
        if (res != PARSE_EINVALID) printf("  bad %zu: %d\n", i, res);
        CHECK_EQ_INT(res, PARSE_EINVALID);
    }
}

TEST(long_line_is_refused)
{
    size_t n = RESP_REPLY_LINE_MAX + 10;
    char *b = malloc(n);
    memset(b, 'a', n);
    b[0] = '+';
    struct resp_reply r;
    resp_reply_init(&r);
    CHECK_EQ_INT(feed(&r, b, n), PARSE_EINVALID);
    free(b);
}

/* Deep nesting needs no stack. */
TEST(deep_nesting)
{
    char buf[8192];
    size_t len = 0;
    for (int i = 0; i < 1000; i++) len += (size_t)sprintf(buf + len, "*1\r\n");
    len += (size_t)sprintf(buf + len, ":1\r\n");
    struct resp_reply r;
    resp_reply_init(&r);
    CHECK_EQ_INT(feed(&r, buf, len - 1), PARSE_AGAIN);
    CHECK_EQ_INT(feed(&r, buf, len), PARSE_OK);
    CHECK_EQ_INT(r.consumed, len);
    CHECK_EQ_INT(r.type, '*');
}

int main(void)
{
    RUN(whole_replies);
    RUN(every_split_resumes);
    RUN(pipelined_pairs);
    RUN(invalid_replies);
    RUN(long_line_is_refused);
    RUN(deep_nesting);
    return unit_done();
}
