/* tests/unit/test_mc_reply: the proxy's Memcached reply boundary parser for
 * every reply kind, fed whole, at every byte split, and pipelined. */
#include <stdlib.h>

#include "compat/mc_reply.h"
#include "tests/unit/unit.h"

struct sample {
    enum mc_reply_kind kind;
    const char *bytes;
    size_t len;
    bool error;
    const char *last;
};

#define S(k, lit, e, last) { k, lit, sizeof(lit) - 1, e, last }

static const struct sample samples[] = {
    S(MC_REPLY_LINE, "STORED\r\n", false, "STORED"),
    S(MC_REPLY_LINE, "ERROR\r\n", true, "ERROR"),
    S(MC_REPLY_LINE, "CLIENT_ERROR bad data chunk\r\n", true, "CLIENT_ERROR bad data chunk"),
    S(MC_REPLY_LINE, "12345\r\n", false, "12345"),
    S(MC_REPLY_RETRIEVAL, "END\r\n", false, "END"),
    S(MC_REPLY_RETRIEVAL, "VALUE k 0 3\r\nabc\r\nEND\r\n", false, "END"),
    S(MC_REPLY_RETRIEVAL, "VALUE k 5 4 77\r\na\r\nb\r\nVALUE k2 0 0 78\r\n\r\nEND\r\n", false, "END"),
    S(MC_REPLY_RETRIEVAL, "VALUE k 0 3\r\nEND\r\nEND\r\n", false, "END"),   /* data looks like END */
    S(MC_REPLY_RETRIEVAL, "SERVER_ERROR out of memory\r\n", true, "SERVER_ERROR out of memory"),
    S(MC_REPLY_STATS, "STAT pid 1\r\nSTAT uptime 5\r\nEND\r\n", false, "END"),
    S(MC_REPLY_META, "HD\r\n", false, "HD"),
    S(MC_REPLY_META, "VA 3 t-1 f5\r\nabc\r\n", false, "VA 3 t-1 f5"),
    S(MC_REPLY_META, "EN\r\n", false, "EN"),
    S(MC_REPLY_META, "ME k exp=-1 la=1 cas=2 fetch=no cls=1 size=63\r\n", false, NULL),
    S(MC_REPLY_UNTIL_MN, "MN\r\n", false, "MN"),
    S(MC_REPLY_UNTIL_MN, "VA 2 Oab\r\nMN\r\nHD\r\nMN\r\n", false, "MN"),
    S(MC_REPLY_UNTIL_MN, "CLIENT_ERROR bad data chunk\r\nMN\r\n", false, "MN"),
};

TEST(whole_and_every_split)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        for (size_t k = 0; k <= s->len; k++) {
            struct mc_reply r;
            mc_reply_init(&r, s->kind);
            for (size_t upto = k; upto < s->len; upto++) {
                enum parse_result res = mc_reply_parse(&r, s->bytes, upto);
                if (res != PARSE_AGAIN) {
                    printf("  sample %zu split %zu upto %zu: %d\n", i, k, upto, res);
                    CHECK(res == PARSE_AGAIN);
                    break;
                }
                if (r.need) CHECK(r.need > upto && r.need <= s->len);
            }
            CHECK_EQ_INT(mc_reply_parse(&r, s->bytes, s->len), PARSE_OK);
            CHECK_EQ_INT(r.consumed, s->len);
            CHECK_EQ_INT(r.error, s->error);
            if (s->last)
                CHECK_EQ_MEM(s->bytes + r.last_off, r.last_len, s->last, strlen(s->last));
        }
    }
}

TEST(pipelined)
{
    const char *two = "VALUE a 0 1\r\nx\r\nEND\r\nVALUE b 0 1\r\ny\r\nEND\r\n";
    struct mc_reply r;
    mc_reply_init(&r, MC_REPLY_RETRIEVAL);
    CHECK_EQ_INT(mc_reply_parse(&r, two, strlen(two)), PARSE_OK);
    CHECK_EQ_INT(r.consumed, 21);
    mc_reply_init(&r, MC_REPLY_LINE);
    CHECK_EQ_INT(mc_reply_parse(&r, "STORED\r\nNOT_STORED\r\n", 20), PARSE_OK);
    CHECK_EQ_INT(r.consumed, 8);
}

TEST(units_of_a_get)
{
    const char *b = "VALUE k1 1 2 9\r\nab\r\nVALUE k2 0 1\r\nc\r\nEND\r\n";
    size_t len = strlen(b), pos = 0, need;
    struct mc_reply_unit u;
    CHECK_EQ_INT(mc_reply_unit(b, len, pos, &u, &need), PARSE_OK);
    CHECK(u.has_data);
    CHECK_EQ_MEM(b + u.line_off, u.line_len, "VALUE k1 1 2 9", 14);
    CHECK_EQ_MEM(b + u.data_off, u.data_len, "ab", 2);
    pos = u.end;
    CHECK_EQ_INT(mc_reply_unit(b, len, pos, &u, &need), PARSE_OK);
    CHECK_EQ_MEM(b + u.data_off, u.data_len, "c", 1);
    pos = u.end;
    CHECK_EQ_INT(mc_reply_unit(b, len, pos, &u, &need), PARSE_OK);
    CHECK(!u.has_data);
    CHECK_EQ_INT(u.end, len);
}

TEST(invalid)
{
    struct mc_reply r;
    mc_reply_init(&r, MC_REPLY_RETRIEVAL);
    CHECK_EQ_INT(mc_reply_parse(&r, "VALUE k 0 x\r\n", 13), PARSE_EINVALID);
    mc_reply_init(&r, MC_REPLY_RETRIEVAL);
    CHECK_EQ_INT(mc_reply_parse(&r, "VALUE k 0 1\r\nxyEND\r\n", 20), PARSE_EINVALID);
    mc_reply_init(&r, MC_REPLY_LINE);
    CHECK_EQ_INT(mc_reply_parse(&r, "STORED\n", 7), PARSE_EINVALID);
    mc_reply_init(&r, MC_REPLY_LINE);
    CHECK_EQ_INT(mc_reply_parse(&r, "VALUE k 0 1\r\nx\r\n", 16), PARSE_EINVALID);
    size_t n = MC_REPLY_LINE_MAX + 2;
    char *big = malloc(n);
    memset(big, 'x', n);
    mc_reply_init(&r, MC_REPLY_LINE);
    CHECK_EQ_INT(mc_reply_parse(&r, big, n), PARSE_ETOOBIG);
    free(big);
}

int main(void)
{
    RUN(whole_and_every_split);
    RUN(pipelined);
    RUN(units_of_a_get);
    RUN(invalid);
    return unit_done();
}
