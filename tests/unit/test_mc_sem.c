/* tests/unit/test_mc_sem: memcached 1.6.18 number, time, incr/decr and item
 * size rules (expected values observed live on /usr/bin/memcached 1.6.18). */
#include "compat/mc_sem.h"
#include "tests/unit/unit.h"

#define S(x) x, sizeof(x) - 1

TEST(strtoul32)
{
    uint32_t v = 7;
    CHECK(mc_sem_strtoul32(S("4294967295"), &v) && v == 4294967295u);
    CHECK(mc_sem_strtoul32(S("4294967296"), &v) && v == 0);       /* E5 truncation */
    CHECK(mc_sem_strtoul32(S("+5"), &v) && v == 5);
    CHECK(mc_sem_strtoul32(S("-0"), &v) && v == 0);
    CHECK(mc_sem_strtoul32(S("-18446744073709551615"), &v) && v == 1);
    CHECK(mc_sem_strtoul32(S("5\t"), &v) && v == 5);
    CHECK(mc_sem_strtoul32(S("\t5"), &v) && v == 5);
    CHECK(!mc_sem_strtoul32(S("-1"), &v));
    CHECK(!mc_sem_strtoul32(S("0x10"), &v));
    CHECK(!mc_sem_strtoul32(S("18446744073709551616"), &v));
    CHECK(!mc_sem_strtoul32(S("-"), &v));
    CHECK(!mc_sem_strtoul32(S("\t"), &v));
    CHECK(!mc_sem_strtoul32(S(""), &v));
    CHECK(!mc_sem_strtoul32(S("1x"), &v));
}

TEST(strtol32)
{
    int32_t v = 7;
    CHECK(mc_sem_strtol32(S("4294967297"), &v) && v == 1);
    CHECK(mc_sem_strtol32(S("2147483648"), &v) && v < 0);
    CHECK(mc_sem_strtol32(S("-1"), &v) && v == -1);
    CHECK(mc_sem_strtol32(S("-0"), &v) && v == 0);
    CHECK(!mc_sem_strtol32(S("9223372036854775808"), &v));
    CHECK(mc_sem_strtol32(S("-9223372036854775808"), &v) && v == 0);
    CHECK(!mc_sem_strtol32(S("abc"), &v));
}

TEST(strtoull)
{
    uint64_t v = 7;
    CHECK(mc_sem_strtoull(S("18446744073709551615"), &v) && v == UINT64_MAX);
    CHECK(!mc_sem_strtoull(S("18446744073709551616"), &v));
    CHECK(!mc_sem_strtoull(S("-1"), &v));
    CHECK(mc_sem_strtoull(S("+1"), &v) && v == 1);
    CHECK(!mc_sem_strtoull(S("0x1"), &v));
}

TEST(exptime)
{
    int64_t now = 1700000000;
    CHECK_EQ_INT(mc_sem_exptime(0, now), 0);                        /* E1 */
    CHECK(!mc_sem_expired(mc_sem_exptime(0, now), now + 100000000));
    CHECK_EQ_INT(mc_sem_exptime(2592000, now), now + 2592000);       /* E2 */
    CHECK_EQ_INT(mc_sem_exptime(2592001, now), 2592001);
    CHECK(mc_sem_expired(mc_sem_exptime(2592001, now), now));
    CHECK(!mc_sem_expired(mc_sem_exptime(now + 10, now), now));
    CHECK(mc_sem_expired(mc_sem_exptime(now + 10, now), now + 10));
    CHECK(mc_sem_expired(mc_sem_exptime(-1, now), now));             /* E3 */
    CHECK(mc_sem_expired(mc_sem_exptime(INT32_MIN, now), now));
    CHECK(!mc_sem_expired(mc_sem_exptime(1, now), now));
    CHECK(mc_sem_expired(mc_sem_exptime(1, now), now + 1));
    CHECK_EQ_INT(mc_sem_ttl(0, now), -1);
    CHECK_EQ_INT(mc_sem_ttl(now + 30, now), 30);
}

static int delta_str(const char *val, bool incr, uint64_t d, char *stored, size_t *slen, char *reply)
{
    struct mc_delta r;
    if (!mc_sem_delta(val, strlen(val), incr, d, &r))
        return 0;
    mc_sem_delta_store(&r, stored);
    stored[r.stored_len] = '\0';
    *slen = r.stored_len;
    strcpy(reply, r.digits);
    return 1;
}

TEST(delta)
{
    char st[64], rep[32];
    size_t n;
    CHECK(delta_str("5", true, UINT64_MAX, st, &n, rep));            /* E7a */
    CHECK_EQ_STR(rep, "4");
    CHECK(delta_str("5", false, 10, st, &n, rep));                   /* E7b */
    CHECK_EQ_STR(rep, "0");
    CHECK(delta_str("100", false, 1, st, &n, rep));                  /* E8 */
    CHECK_EQ_STR(rep, "99");
    CHECK_EQ_STR(st, "99 ");
    CHECK(delta_str("99 ", true, 1, st, &n, rep));
    CHECK_EQ_STR(st, "100");
    CHECK(delta_str("100", true, 900, st, &n, rep));
    CHECK_EQ_STR(st, "1000");
    CHECK_EQ_INT(n, 4);
    CHECK(delta_str(" 12 ", true, 1, st, &n, rep));                  /* E7f */
    CHECK_EQ_STR(st, "13  ");
    CHECK(delta_str("12 abc", true, 1, st, &n, rep));
    CHECK_EQ_STR(st, "13    ");
    CHECK(delta_str("-0", true, 1, st, &n, rep));
    CHECK_EQ_STR(st, "1 ");
    CHECK(!delta_str("abc", true, 1, st, &n, rep));                  /* E7d */
    CHECK(!delta_str("-", true, 1, st, &n, rep));
    CHECK(!delta_str("", true, 1, st, &n, rep));
    CHECK(!delta_str("-1", true, 1, st, &n, rep));
    CHECK(!delta_str("12a", true, 1, st, &n, rep));
    CHECK(!delta_str("18446744073709551616", true, 1, st, &n, rep));
}

TEST(item_size)
{
    size_t max = MC_ITEM_SIZE_MAX_DEFAULT;
    CHECK(mc_sem_item_size_ok(1, 0, 1048516, max));
    CHECK(!mc_sem_item_size_ok(1, 0, 1048517, max));
    CHECK(mc_sem_item_size_ok(2, 0, 1048515, max));
    CHECK(!mc_sem_item_size_ok(2, 0, 1048516, max));
    CHECK(mc_sem_item_size_ok(250, 0, 1048267, max));
    CHECK(!mc_sem_item_size_ok(250, 0, 1048268, max));
    CHECK(!mc_sem_item_size_ok(1, 5, 1048516, max));                 /* flags cost 4 */
    CHECK(mc_sem_item_size_ok(1, 5, 1048512, max));
}

TEST(key_valid)
{
    char k[260];
    memset(k, 'k', sizeof(k));
    CHECK(mc_sem_key_valid(k, 250));
    CHECK(!mc_sem_key_valid(k, 251));
    CHECK(!mc_sem_key_valid(k, 0));
    CHECK(mc_sem_key_valid("a\tb", 3));                               /* F5 */
    CHECK(!mc_sem_key_valid("a b", 3));
}

int main(void)
{
    RUN(strtoul32);
    RUN(strtol32);
    RUN(strtoull);
    RUN(exptime);
    RUN(delta);
    RUN(item_size);
    RUN(key_valid);
    return unit_done();
}
