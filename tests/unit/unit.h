/* tests/unit: a tiny test framework for the C unit tests.
 *
 *   TEST(name) { ...; CHECK(cond); CHECK_EQ_INT(a, b); CHECK_EQ_STR(a, b); }
 *   int main(void) { RUN(name); ...; return unit_done(); }
 *
 * Each binary ends with the line "N passed, N failed" and exits non-zero if
 * any test failed; tests/run-all sums the lines. */
#ifndef SHOAL_UNIT_H
#define SHOAL_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_cur_failed;
static const char *unit_cur_name;

#define TEST(name) static void test_##name(void)

#define RUN(name) do { \
    unit_cur_name = #name; unit_cur_failed = 0; \
    test_##name(); \
    if (unit_cur_failed) { unit_failed++; printf("[err] %s\n", #name); } \
    else { unit_passed++; printf("[ok] %s\n", #name); } \
} while (0)

#define CHECK(cond) do { if (!(cond)) { \
    printf("  %s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, unit_cur_name, #cond); \
    unit_cur_failed = 1; } } while (0)

#define CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    if (_a != _b) { printf("  %s:%d: %s: %s == %lld, expected %lld\n", \
        __FILE__, __LINE__, unit_cur_name, #a, _a, _b); unit_cur_failed = 1; } } while (0)

#define CHECK_EQ_STR(a, b) do { const char *_a = (a), *_b = (b); \
    if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0) { \
        printf("  %s:%d: %s: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
        unit_cur_name, #a, _a ? _a : "(null)", _b ? _b : "(null)"); unit_cur_failed = 1; } } while (0)

#define CHECK_EQ_MEM(a, alen, b, blen) do { size_t _al = (alen), _bl = (blen); \
    if (_al != _bl || memcmp((a), (b), _al) != 0) { \
        printf("  %s:%d: %s: %s differs from %s (len %zu vs %zu)\n", __FILE__, __LINE__, \
        unit_cur_name, #a, #b, _al, _bl); unit_cur_failed = 1; } } while (0)

static inline int unit_done(void)
{
    printf("%d passed, %d failed\n", unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}

#endif
