/* tests/unit/test_util: lib/util against Redis 7.0's rules. The expected
 * values were checked against a live redis-server 7.0.15 (KEYS patterns,
 * CONFIG SET maxmemory, INCR/INCRBYFLOAT texts), because these functions
 * decide reply bytes that clients compare. */
#include "lib/util.h"
#include "tests/unit/unit.h"

#include <limits.h>
#include <math.h>

static int s2ll(const char *s, long long *v) { return util_str2ll(s, strlen(s), v); }

TEST(str2ll_accepts_canonical_decimals)
{
    static const struct { const char *s; long long v; } ok[] = {
        {"0", 0}, {"1", 1}, {"-1", -1}, {"10", 10}, {"-10", -10}, {"123456789", 123456789},
        {"9223372036854775807", LLONG_MAX}, {"-9223372036854775807", -LLONG_MAX},
        {"-9223372036854775808", LLONG_MIN},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        long long v = 42;
        CHECK_EQ_INT(s2ll(ok[i].s, &v), 0);
        CHECK_EQ_INT(v, ok[i].v);
    }
}

TEST(str2ll_is_strict)
{
    static const char *const bad[] = {
        "", "-", "+", "+1", "01", "00", "-0", "-01", " 1", "1 ", "\t1", "1\n", "1a", "a1", "0x10",
        "1.0", "1e3", "--1", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "100000000000000000000", "-99999999999999999999",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long v = 42;
        if (s2ll(bad[i], &v) != -1) printf("  accepted \"%s\"\n", bad[i]);
        CHECK_EQ_INT(s2ll(bad[i], &v), -1);
        CHECK_EQ_INT(v, 42);   /* untouched on failure */
    }
    /* the length is what counts, not a NUL */
    long long v;
    CHECK_EQ_INT(util_str2ll("12345", 2, &v), 0);
    CHECK_EQ_INT(v, 12);
    CHECK_EQ_INT(util_str2ll("1\0002", 3, &v), -1);
}

TEST(str2ull_range)
{
    unsigned long long v;
    CHECK_EQ_INT(util_str2ull("18446744073709551615", 20, &v), 0);
    CHECK(v == ULLONG_MAX);
    CHECK_EQ_INT(util_str2ull("18446744073709551616", 20, &v), -1);
    CHECK_EQ_INT(util_str2ull("-1", 2, &v), -1);
    CHECK_EQ_INT(util_str2ull("+1", 2, &v), -1);
    CHECK_EQ_INT(util_str2ull("0", 1, &v), 0);
    CHECK(v == 0);
    CHECK_EQ_INT(util_str2ull("007", 3, &v), -1);
}

TEST(ll2str_round_trips)
{
    static const long long vals[] = {0, 1, -1, 9, 10, -10, 99, 100, 12345, -98765, LLONG_MAX, LLONG_MIN,
                                     LLONG_MIN + 1, 1000000000000LL};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        char buf[UTIL_LONG_STR_SIZE], ref[64];
        int n = util_ll2str(buf, vals[i]);
        snprintf(ref, sizeof(ref), "%lld", vals[i]);
        CHECK_EQ_STR(buf, ref);
        CHECK_EQ_INT(n, strlen(ref));
        long long back;
        CHECK_EQ_INT(util_str2ll(buf, (size_t)n, &back), 0);
        CHECK(back == vals[i]);
    }
    char buf[UTIL_LONG_STR_SIZE];
    CHECK_EQ_INT(util_ull2str(buf, ULLONG_MAX), 20);
    CHECK_EQ_STR(buf, "18446744073709551615");
}

static void check_ld(long double v, const char *want)
{
    char buf[UTIL_LD_STR_SIZE];
    int n = util_ld2str(buf, sizeof(buf), v);
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(n, strlen(want));
}

static long double ld(const char *s)
{
    long double v = 0;
    if (util_str2ld(s, strlen(s), &v) < 0) printf("  cannot parse %s\n", s);
    return v;
}

TEST(ld2str_human_format)
{
    /* as INCRBYFLOAT replies (checked against redis 7.0.15) */
    check_ld(ld("3"), "3");
    check_ld(ld("3.0"), "3");
    check_ld(ld("10.5"), "10.5");
    check_ld(ld("10.5") + ld("0.1"), "10.6");
    check_ld(ld("5.0e3"), "5000");
    check_ld(ld("-5.25"), "-5.25");
    check_ld(ld("0.1"), "0.1");
    check_ld(ld("1e17"), "100000000000000000");
    check_ld(-0.0L, "0");
    check_ld(ld("-1e-30"), "0");    /* rounds to -0.000...: "-0" becomes "0" */
    check_ld(ld("1e-17"), "0.00000000000000001");
    check_ld(ld("1.5e-18"), "0");
    check_ld(INFINITY, "inf");
    check_ld(-INFINITY, "-inf");
    /* a huge value still fits the buffer */
    char buf[UTIL_LD_STR_SIZE];
    CHECK(util_ld2str(buf, sizeof(buf), ld("1e300")) > 300);
    CHECK_EQ_INT(buf[0], '1');
    /* too small a buffer: 0, never a truncated number */
    char small[4];
    CHECK_EQ_INT(util_ld2str(small, sizeof(small), ld("12345")), 0);
    CHECK_EQ_INT(util_ld2str(small, sizeof(small), ld("1")), 0);   /* "%.17Lf" must fit first */
    char exact[22];   /* "123.00000000000000000" and its NUL */
    CHECK_EQ_INT(util_ld2str(exact, sizeof(exact) - 1, ld("123")), 0);
    CHECK_EQ_INT(util_ld2str(exact, sizeof(exact), ld("123")), 3);
    CHECK_EQ_STR(exact, "123");
}

TEST(str2ld_rules)
{
    long double v;
    CHECK_EQ_INT(util_str2ld("1.5", 3, &v), 0);
    CHECK(v == 1.5L);
    CHECK_EQ_INT(util_str2ld(" 1.5", 4, &v), -1);
    CHECK_EQ_INT(util_str2ld("1.5 ", 4, &v), -1);
    CHECK_EQ_INT(util_str2ld("nan", 3, &v), -1);
    CHECK_EQ_INT(util_str2ld("", 0, &v), -1);
    CHECK_EQ_INT(util_str2ld("abc", 3, &v), -1);
    CHECK_EQ_INT(util_str2ld("1e5000", 6, &v), -1);
    CHECK_EQ_INT(util_str2ld("-1e5000", 7, &v), -1);
    CHECK_EQ_INT(util_str2ld("1e-5000", 7, &v), -1);      /* underflow to zero */
    CHECK_EQ_INT(util_str2ld("1e-4940", 7, &v), 0);       /* denormal: accepted (redis 7.0.15) */
    CHECK(v > 0);
    CHECK_EQ_INT(util_str2ld("1.5\0", 4, &v), -1);        /* embedded NUL */
    CHECK_EQ_INT(util_str2ld("inf", 3, &v), 0);           /* callers refuse infinities themselves */
    CHECK(isinf(v));
    /* 5119 bytes parse, 5120 do not (MAX_LONG_DOUBLE_CHARS) */
    static char big[5121];
    memset(big, '0', sizeof(big));
    big[0] = '1';
    big[1] = '.';
    CHECK_EQ_INT(util_str2ld(big, 5119, &v), 0);
    CHECK(v == 1.0L);
    CHECK_EQ_INT(util_str2ld(big, 5120, &v), -1);
    double d;
    CHECK_EQ_INT(util_str2d("1e400", 5, &d), -1);
    CHECK_EQ_INT(util_str2d("-2.5", 4, &d), 0);
    CHECK(d == -2.5);
    CHECK_EQ_INT(util_str2d("inf", 3, &d), 0);
    CHECK(isinf(d));
}

static int gm(const char *pat, const char *str, int nocase)
{
    return util_glob_match(pat, strlen(pat), str, strlen(str), nocase);
}

TEST(glob_basics)
{
    CHECK(gm("*", "anything", 0));
    CHECK(gm("*", "a", 0));
    CHECK(gm("", "", 0));
    CHECK(!gm("", "a", 0));
    CHECK(gm("a*", "a", 0));
    CHECK(gm("a*", "abc", 0));
    CHECK(!gm("a*", "ba", 0));
    CHECK(gm("*b*", "b", 0));
    CHECK(gm("*b*", "abc", 0));
    CHECK(!gm("*b*", "ac", 0));
    CHECK(gm("a**", "a", 0));
    CHECK(!gm("a*?", "a", 0));
    CHECK(gm("a*?", "ab", 0));
    CHECK(gm("h?llo", "hello", 0));
    CHECK(!gm("h?llo", "hllo", 0));
    CHECK(gm("*.txt", "notes.txt", 0));
    CHECK(!gm("*.txt", "notes.txt.bak", 0));
    CHECK(gm("a*b*c", "aXXbYYc", 0));
    CHECK(!gm("a*b*c", "aXXbYY", 0));
    CHECK(gm("user:*:name", "user:1000:name", 0));
}

TEST(glob_empty_string_never_matches_a_star)
{
    /* Redis's stringmatchlen loops while both pattern and string remain:
     * "*" or "**" against an empty key is no match (KEYS ** skips the key ""). */
    CHECK(!gm("*", "", 0));
    CHECK(!gm("**", "", 0));
    CHECK(!gm("?", "", 0));
    CHECK(!gm("[a]", "", 0));
}

TEST(glob_classes)
{
    CHECK(gm("h[ae]llo", "hallo", 0));
    CHECK(gm("h[ae]llo", "hello", 0));
    CHECK(!gm("h[ae]llo", "hillo", 0));
    CHECK(gm("h[^e]llo", "hallo", 0));
    CHECK(!gm("h[^e]llo", "hello", 0));
    CHECK(gm("[a-c]", "b", 0));
    CHECK(!gm("[a-c]", "d", 0));
    CHECK(gm("[c-a]", "b", 0));           /* reversed range */
    CHECK(!gm("[c-a]", "d", 0));
    CHECK(gm("[-a]", "-", 0));
    CHECK(gm("[-a]", "a", 0));
    CHECK(gm("[\\]]", "]", 0));
    CHECK(gm("[\\-]", "-", 0));
    CHECK(!gm("[\\-]", "a", 0));
    CHECK(!gm("[]]", "]", 0));            /* empty class, then a literal ']' */
    CHECK(!gm("[]]", "x", 0));
    CHECK(gm("[a", "a", 0));              /* unterminated class */
    CHECK(!gm("[a", "b", 0));
    CHECK(!gm("[", "[", 0));
    /* "[a-]" is the range ']'..'a' in Redis (the '-' takes the ']') */
    CHECK(gm("[a-]", "a", 0));
    CHECK(gm("[a-]", "^", 0));
    CHECK(gm("[a-]", "]", 0));
    CHECK(gm("[a-]", "_", 0));
    CHECK(!gm("[a-]", "-", 0));
    CHECK(!gm("[a-]", "b", 0));
    CHECK(gm("[a-c][0-9]x", "b7x", 0));
}

TEST(glob_escapes)
{
    CHECK(gm("\\*", "*", 0));
    CHECK(!gm("\\*", "a", 0));
    CHECK(gm("a\\?b", "a?b", 0));
    CHECK(!gm("a\\?b", "axb", 0));
    CHECK(gm("a\\", "a\\", 0));           /* trailing backslash is literal */
    CHECK(!gm("a\\", "a", 0));
    CHECK(gm("\\[a]", "[a]", 0));
}

TEST(glob_nocase)
{
    CHECK(gm("HELLO", "hello", 1));
    CHECK(!gm("HELLO", "hello", 0));
    CHECK(gm("h*O", "HellO", 1));
    CHECK(gm("[A-C]", "b", 1));
    CHECK(!gm("[A-C]", "b", 0));
    CHECK(gm("[abc]", "B", 1));
    CHECK(gm("[^abc]", "d", 1));
    CHECK(!gm("[^abc]", "B", 1));
}

TEST(glob_binary_and_pathological)
{
    CHECK(util_glob_match("a\0*", 3, "a\0bc", 4, 0));
    CHECK(!util_glob_match("a\0*", 3, "a\1bc", 4, 0));
    /* deep nesting of stars stays bounded and answers */
    char pat[4001], str[3001];
    for (int i = 0; i < 2000; i++) { pat[2 * i] = 'a'; pat[2 * i + 1] = '*'; }
    pat[4000] = '\0';
    memset(str, 'a', 3000);
    str[3000] = '\0';
    (void)gm(pat, str, 0);   /* must return, not crash */
    CHECK(gm("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0));
    CHECK(!gm("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0));
}

static int m2u(const char *s, unsigned long long *v) { return util_memtoull(s, v); }

TEST(memtoull_units)
{
    static const struct { const char *s; unsigned long long v; } ok[] = {
        {"0", 0}, {"1024", 1024}, {"1b", 1}, {"1B", 1}, {"1k", 1000}, {"1kb", 1024}, {"1Kb", 1024},
        {"2m", 2000000}, {"2mb", 2097152}, {"1g", 1000000000}, {"1gb", 1073741824}, {"1GB", 1073741824},
        {"00012k", 12000}, {"18446744073709551615", ULLONG_MAX},
        /* as redis 7.0.15: an empty number is 0 */
        {"", 0}, {"mb", 0},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        unsigned long long v = 42;
        if (m2u(ok[i].s, &v) != 0) printf("  rejected \"%s\"\n", ok[i].s);
        CHECK_EQ_INT(m2u(ok[i].s, &v), 0);
        CHECK(v == ok[i].v);
    }
}

TEST(memtoull_rejects)
{
    static const char *const bad[] = {
        "-1", "+5", " 5", "5 ", "1tb", "1.5gb", "0x10", "1 mb", "kb1", "1kbb", "abc",
        "18446744073709551616", "17179869184gb",   /* overflow: redis wraps, we refuse */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long long v = 42;
        if (m2u(bad[i], &v) != -1) printf("  accepted \"%s\"\n", bad[i]);
        CHECK_EQ_INT(m2u(bad[i], &v), -1);
    }
}

TEST(eq_nocase_and_tolower)
{
    CHECK(util_eq_nocase("GeT", 3, "get"));
    CHECK(!util_eq_nocase("GeT", 2, "get"));
    CHECK(!util_eq_nocase("GETX", 4, "get"));
    char s[] = "MiXeD-1";
    util_tolower(s, strlen(s));
    CHECK_EQ_STR(s, "mixed-1");
}

int main(void)
{
    RUN(str2ll_accepts_canonical_decimals);
    RUN(str2ll_is_strict);
    RUN(str2ull_range);
    RUN(ll2str_round_trips);
    RUN(ld2str_human_format);
    RUN(str2ld_rules);
    RUN(glob_basics);
    RUN(glob_empty_string_never_matches_a_star);
    RUN(glob_classes);
    RUN(glob_escapes);
    RUN(glob_nocase);
    RUN(glob_binary_and_pathological);
    RUN(memtoull_units);
    RUN(memtoull_rejects);
    RUN(eq_nocase_and_tolower);
    return unit_done();
}
