/* tests/unit/test_mc_meta: the meta codec.  Error strings and reply shapes
 * are the ones memcached 1.6.18 sent live (see compat/mc_meta.c). */
#include <stdlib.h>

#include "compat/mc_meta.h"
#include "tests/unit/unit.h"

struct mcase {
    const char *in;
    enum parse_result r;
    enum mc_meta_cmd cmd;
    const char *err;
    size_t consumed;        /* 0: whole input */
    size_t swallow;
};

static const struct mcase cases[] = {
    { "mn\r\n", PARSE_OK, MC_META_MN, NULL, 0, 0 },
    { "mn x\r\n", PARSE_OK, MC_META_MN, NULL, 0, 0 },
    { "mg k v s t c f k O123 h l q\r\n", PARSE_OK, MC_META_MG, NULL, 0, 0 },
    { "mg k\n", PARSE_OK, MC_META_MG, NULL, 0, 0 },
    { "mg\r\n", PARSE_EINVALID, MC_META_MG, "ERROR", 0, 0 },
    { "mg k s s\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_DUP_FLAG, 0, 0 },
    { "mg k !\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_INVALID_FLAG, 0, 0 },
    { "mg k E5\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_INVALID_FLAG, 0, 0 },
    { "mg k M\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_M_LENGTH, 0, 0 },
    { "mg k Tx\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_BAD_TOKEN, 0, 0 },
    { "mg k T\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_BAD_TOKEN, 0, 0 },
    { "mg k Nx\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_BAD_TOKEN, 0, 0 },
    { "mg k v Nx Y\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_INVALID_FLAG, 0, 0 },
    { "mg k C5\r\n", PARSE_OK, MC_META_MG, NULL, 0, 0 },
    { "mg k O1234567890123456789012345678901\r\n", PARSE_OK, MC_META_MG, NULL, 0, 0 },
    { "mg k O12345678901234567890123456789012\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_OPAQUE, 0, 0 },
    { "mg k s t c f k h l q v u O P L s k k k\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_DUP_FLAG, 0, 0 },
    { "mg k s t c f k h l q v u O P L s k k k k\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_TOO_MANY, 0, 0 },
    { "mg bWs= b v\r\n", PARSE_OK, MC_META_MG, NULL, 0, 0 },
    { "mg !!!! b v\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_KEY, 0, 0 },
    { "mg YQ b\r\n", PARSE_EINVALID, MC_META_MG, MC_META_ERR_KEY, 0, 0 },
    { "ms k 2\r\nhi\r\n", PARSE_OK, MC_META_MS, NULL, 0, 0 },
    { "ms k 2 T0 F5 MS I q\r\nhi\r\n", PARSE_OK, MC_META_MS, NULL, 0, 0 },
    { "ms\r\n", PARSE_EINVALID, MC_META_MS, "ERROR", 0, 0 },
    { "ms k\r\n", PARSE_EINVALID, MC_META_MS, MC_ERR_BAD_FORMAT, 0, 0 },
    { "ms k x\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_ERR_BAD_FORMAT, 8, 0 },
    { "ms k -1\r\n", PARSE_EINVALID, MC_META_MS, MC_ERR_BAD_FORMAT, 0, 0 },
    { "ms k 2 Y\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_META_ERR_INVALID_FLAG, 10, 4 },
    { "ms k 2 s s\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_META_ERR_DUP_FLAG, 12, 4 },
    { "ms k 2 MX\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_META_ERR_MS_MODE, 11, 4 },
    { "ms k 2 Ms\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_META_ERR_MS_MODE, 11, 4 },
    { "ms k 2 MEE\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_META_ERR_M_LENGTH, 12, 4 },
    { "ms k 2 Fx\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_ERR_BAD_FORMAT, 11, 4 },
    { "ms k 2 q\r\nhiX\r\n", PARSE_EINVALID, MC_META_MS, MC_ERR_BAD_CHUNK, 14, 0 },
    { "ms k 2 b\r\nhi\r\n", PARSE_EINVALID, MC_META_MS, MC_META_ERR_KEY, 10, 4 },
    { "md k q\r\n", PARSE_OK, MC_META_MD, NULL, 0, 0 },
    { "md k x\r\n", PARSE_EINVALID, MC_META_MD, MC_META_ERR_INVALID_OR_DUP, 0, 0 },
    { "md\r\n", PARSE_EINVALID, MC_META_MD, "ERROR", 0, 0 },
    { "ma k N0 J10 D5 MI v t c k O1\r\n", PARSE_OK, MC_META_MA, NULL, 0, 0 },
    { "ma k Dx\r\n", PARSE_EINVALID, MC_META_MA, MC_META_ERR_INVALID_OR_DUP, 0, 0 },
    { "ma k Jx\r\n", PARSE_EINVALID, MC_META_MA, MC_META_ERR_INVALID_OR_DUP, 0, 0 },
    { "ma k M+ MI\r\n", PARSE_EINVALID, MC_META_MA, MC_META_ERR_INVALID_OR_DUP, 0, 0 },
    { "ma k MX\r\n", PARSE_EINVALID, MC_META_MA, MC_META_ERR_MA_MODE, 0, 0 },
    { "ma k Mi\r\n", PARSE_EINVALID, MC_META_MA, MC_META_ERR_MA_MODE, 0, 0 },
    { "me k\r\n", PARSE_OK, MC_META_ME, NULL, 0, 0 },
    { "me k x\r\n", PARSE_OK, MC_META_ME, NULL, 0, 0 },
    { "me k b\r\n", PARSE_EINVALID, MC_META_ME, MC_ERR_BAD_FORMAT, 0, 0 },
    { "me\r\n", PARSE_EINVALID, MC_META_ME, MC_ERR_BAD_FORMAT, 0, 0 },
    { "mx k\r\n", PARSE_EINVALID, MC_META_NONE, "ERROR", 0, 0 },
};

static void check_case(const struct mcase *c, size_t idx)
{
    struct mc_limits lim;
    struct mc_meta_request m;
    size_t len = strlen(c->in), want = c->consumed ? c->consumed : len;
    enum parse_result r;
    int before = unit_cur_failed;

    unit_cur_failed = 0;
    mc_limits_init(&lim);
    for (size_t i = 0; i < want; i++) {
        r = mc_meta_parse(c->in, i, &lim, &m);
        if (r != PARSE_AGAIN || m.consumed != 0) {
            printf("  prefix %zu: r=%d\n", i, r);
            CHECK(0);
            break;
        }
    }
    r = mc_meta_parse(c->in, len, &lim, &m);
    CHECK_EQ_INT(r, c->r);
    CHECK_EQ_INT(m.cmd, c->cmd);
    CHECK_EQ_INT(m.consumed, want);
    CHECK_EQ_INT(m.swallow, c->swallow);
    if (c->err)
        CHECK_EQ_STR(m.err, c->err);
    else
        CHECK(m.err == NULL);
    if (unit_cur_failed)
        printf("  ^ case %zu: %s\n", idx, c->in);
    unit_cur_failed |= before;
}

TEST(table)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i], i);
}

TEST(values)
{
    struct mc_limits lim;
    struct mc_meta_request m;
    const char *in = "ma k N30 J10 D5 MD T-1 C77 q O99\r\n";

    mc_limits_init(&lim);
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_OK);
    CHECK_EQ_INT(m.ttl_n, 30);
    CHECK_EQ_INT(m.ttl_t, -1);
    CHECK_EQ_INT(m.initial, 10);
    CHECK_EQ_INT(m.delta, 5);
    CHECK_EQ_INT(m.mode, 'D');
    CHECK_EQ_INT(m.cas_c, 77);
    CHECK(m.quiet && mc_meta_has(&m, 'q') && mc_meta_has(&m, 'C') && !mc_meta_has(&m, 'v'));
    CHECK_EQ_MEM(m.opaque, m.nopaque, "O99", 3);
    CHECK_EQ_INT(m.nflags, 8);

    in = "ma k\r\n";
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_OK);
    CHECK_EQ_INT(m.delta, 1);                       /* default delta */

    in = "ms k 3 F4294967295 R5 I\r\nabc\r\nmn\r\n";
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_OK);
    CHECK_EQ_INT(m.client_flags, 4294967295u);
    CHECK_EQ_INT(m.ttl_r, 5);
    CHECK_EQ_MEM(m.data, m.ndata, "abc", 3);
    CHECK_EQ_INT(m.consumed, strlen(in) - 4);

    in = "mg bWs= b k v\r\n";
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_OK);
    CHECK(m.key_binary);
    CHECK_EQ_MEM(m.key, m.nkey, "mk", 2);
    CHECK_EQ_MEM(m.key_raw, m.nkey_raw, "bWs=", 4);

    /* E and x only with meta_new_flags (1.6.18 rejects them) */
    in = "ms k 1 E123\r\na\r\n";
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_EINVALID);
    lim.meta_new_flags = true;
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_OK);
    CHECK_EQ_INT(m.cas_e, 123);
    in = "md k x I\r\n";
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_OK);
}

TEST(too_large)
{
    struct mc_limits lim;
    struct mc_meta_request m;
    const char *in = "ms k 2000000 T0\r\n";

    mc_limits_init(&lim);
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_ETOOBIG);
    CHECK_EQ_STR(m.err, MC_ERR_TOO_LARGE);
    CHECK_EQ_INT(m.swallow, 2000002);
    CHECK_EQ_INT(m.consumed, strlen(in));
    in = "ms k 10\r\nabc";
    CHECK_EQ_INT(mc_meta_parse(in, strlen(in), &lim, &m), PARSE_AGAIN);
    CHECK_EQ_INT(m.need, 9 + 12);
}

static void compose(struct mc_out *out, const char *req_line, const char *status,
                    const char *mask, const struct mc_meta_item *it, bool trailer)
{
    struct mc_limits lim;
    struct mc_meta_request m;

    mc_limits_init(&lim);
    mc_out_reset(out);
    if (mc_meta_parse(req_line, strlen(req_line), &lim, &m) != PARSE_OK) {
        mc_out_append(out, "PARSE FAILED", 12);
        return;
    }
    if (strcmp(status, "VA") == 0)
        mc_meta_compose_va(out, it->size);
    else
        mc_meta_compose_head(out, status);
    mc_meta_compose_flags(out, &m, mask, it, trailer);
    mc_meta_compose_end(out);
}

#define OUT_IS(o, s) CHECK_EQ_MEM((o).buf, (o).len, s, strlen(s))

TEST(compose_order)
{
    struct mc_out out;
    struct mc_meta_item it = { "mk", 2, false, 5, 2, -1, 81, false, 0, false, false, false };

    mc_out_init(&out);
    /* 1.6.18: "VA 2 s2 t-1 c81 f5 kmk O123 h0 l0" for this request */
    compose(&out, "mg mk s v t c f k O123 h l q\r\n", "VA", MC_META_RET_MG, &it, true);
    OUT_IS(out, "VA 2 s2 t-1 c81 f5 kmk O123 h0 l0\r\n");
    compose(&out, "mg mk k v s\r\n", "VA", MC_META_RET_MG, &it, true);
    OUT_IS(out, "VA 2 kmk s2\r\n");
    /* miss: only O and k come back: "EN O1 kmiss" */
    compose(&out, "mg miss O1 k v s\r\n", "EN", MC_META_RET_MISS, NULL, false);
    OUT_IS(out, "EN O1 kmiss\r\n");
    /* ms with a base64 key: "HD O5 kbWs= b c83" */
    it.key_binary = true;
    it.cas = 83;
    compose(&out, "ms bWs= 2 O5 k c b\r\nhi\r\n", "HD", MC_META_RET_MS, &it, false);
    OUT_IS(out, "HD O5 kbWs= b c83\r\n");
    /* ma: "VA 2 t-1 c86 kmk O1" */
    it.key_binary = false;
    it.cas = 86;
    compose(&out, "ma mk D5 v t c k O1\r\n", "VA", MC_META_RET_MA, &it, false);
    OUT_IS(out, "VA 2 t-1 c86 kmk O1\r\n");
    /* win/stale trailer after the requested flags */
    it.stale = true;
    it.win = true;
    compose(&out, "mg mk c\r\n", "HD", MC_META_RET_MG, &it, true);
    OUT_IS(out, "HD c86 X W\r\n");
    it.win = false;
    it.win_sent = true;
    compose(&out, "mg mk\r\n", "HD", MC_META_RET_MG, &it, true);
    OUT_IS(out, "HD Z X\r\n");
    mc_out_reset(&out);
    mc_meta_compose_me(&out, "ctr", 3, -1, 0, 13, false, 1, 64);
    OUT_IS(out, "ME ctr exp=-1 la=0 cas=13 fetch=no cls=1 size=64\r\n");
    mc_out_deinit(&out);
}

TEST(quiet)
{
    CHECK(mc_meta_quiet_skips(MC_META_MG, "EN"));
    CHECK(!mc_meta_quiet_skips(MC_META_MG, "HD"));
    CHECK(mc_meta_quiet_skips(MC_META_MS, "HD"));
    CHECK(!mc_meta_quiet_skips(MC_META_MS, "NS"));
    CHECK(!mc_meta_quiet_skips(MC_META_MS, "EX"));
    CHECK(mc_meta_quiet_skips(MC_META_MD, "HD"));
    CHECK(!mc_meta_quiet_skips(MC_META_MD, "NF"));
    CHECK(mc_meta_quiet_skips(MC_META_MA, "HD"));
    CHECK(!mc_meta_quiet_skips(MC_META_MA, "NF"));
    CHECK(!mc_meta_quiet_skips(MC_META_MA, "EX"));
    CHECK(!mc_meta_quiet_skips(MC_META_MN, "MN"));
}

TEST(base64)
{
    unsigned char src[64], back[64];
    char enc[100];
    unsigned bad = 0;

    CHECK_EQ_INT(mc_base64_encode((const unsigned char *)"mk", 2, enc, sizeof(enc)), 4);
    CHECK_EQ_MEM(enc, 4, "bWs=", 4);
    CHECK_EQ_INT(mc_base64_decode("YQ==", 4, back, sizeof(back)), 1);
    CHECK_EQ_INT(back[0], 'a');
    CHECK_EQ_INT(mc_base64_decode("YQ", 2, back, sizeof(back)), 0);
    CHECK_EQ_INT(mc_base64_decode("a===", 4, back, sizeof(back)), 0);
    CHECK_EQ_INT(mc_base64_decode("!!!!", 4, back, sizeof(back)), 0);
    CHECK_EQ_INT(mc_base64_decode("YQ==YQ==", 8, back, sizeof(back)), 0);
    srand(7);
    for (size_t n = 0; n <= 60; n++) {
        for (int rep = 0; rep < 20; rep++) {
            size_t e, d;
            for (size_t i = 0; i < n; i++)
                src[i] = (unsigned char)rand();
            e = mc_base64_encode(src, n, enc, sizeof(enc));
            d = mc_base64_decode(enc, e, back, sizeof(back));
            if (e != 4 * ((n + 2) / 3) || (n > 0 && (d != n || memcmp(src, back, n) != 0)))
                bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    RUN(table);
    RUN(values);
    RUN(too_large);
    RUN(compose_order);
    RUN(quiet);
    RUN(base64);
    return unit_done();
}
