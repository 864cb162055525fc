/* bench/value: self-describing values for --verify (see value.h). */
#include "bench/value.h"

static const char hexd[] = "0123456789abcdef";

static char value_filler(uint64_t key, uint32_t version, size_t i)
{
    return (char)('a' + (key * 7 + (uint64_t)version * 13 + i) % 26);
}

static void put_hex(char *dst, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        dst[i] = hexd[v & 15];
        v >>= 4;
    }
}

void value_fill(char *dst, size_t len, uint64_t key, uint32_t version)
{
    char head[VALUE_MIN_LEN];
    put_hex(head, key, 10);
    head[10] = ':';
    put_hex(head + 11, version, 8);
    head[19] = ':';
    put_hex(head + 20, len, 7);
    head[27] = ':';
    for (size_t i = 0; i < len; i++)
        dst[i] = i < VALUE_MIN_LEN ? head[i] : value_filler(key, version, i);
}

static int get_hex(const char *s, int n, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int value_check(const char *val, size_t len, uint64_t key, uint32_t *version)
{
    uint64_t k, ver, vlen;
    if (len < VALUE_MIN_LEN || val[10] != ':' || val[19] != ':' || val[27] != ':' ||
        get_hex(val, 10, &k) < 0 || get_hex(val + 11, 8, &ver) < 0 ||
        get_hex(val + 20, 7, &vlen) < 0)
        return -2;
    if (k != key)
        return -1;
    if (vlen != len)
        return -2;
    for (size_t i = VALUE_MIN_LEN; i < len; i++)
        if (val[i] != value_filler(key, (uint32_t)ver, i))
            return -2;
    *version = (uint32_t)ver;
    return 0;
}
