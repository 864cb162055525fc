/* bench/value: self-describing values for --verify (see value.h). */
#include "bench/value.h"

static char value_filler(uint64_t key, uint32_t version, size_t i)
{
    return (char)('a' + (key * 7 + (uint64_t)version * 13 + i) % 26);
}

static void put_digits(char *dst, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        dst[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void value_fill(char *dst, size_t len, uint64_t key, uint32_t version)
{
    char head[VALUE_MIN_LEN];
    put_digits(head, key, 12);
    head[12] = ':';
    put_digits(head + 13, version, 10);
    head[23] = ':';
    for (size_t i = 0; i < len; i++)
        dst[i] = i < VALUE_MIN_LEN ? head[i] : value_filler(key, version, i);
}

static int get_digits(const char *s, int n, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int value_check(const char *val, size_t len, uint64_t key, uint32_t *version)
{
    uint64_t k, ver;
    if (len < VALUE_MIN_LEN || val[12] != ':' || val[23] != ':' ||
        get_digits(val, 12, &k) < 0 || get_digits(val + 13, 10, &ver) < 0 ||
        ver > UINT32_MAX)
        return -2;
    if (k != key)
        return -1;
    for (size_t i = VALUE_MIN_LEN; i < len; i++)
        if (val[i] != value_filler(key, (uint32_t)ver, i))
            return -2;
    *version = (uint32_t)ver;
    return 0;
}
