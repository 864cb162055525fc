/* backend/rdb_codec: the containers Redis stores collections in inside an
 * RDB file (ziplist, listpack, intset), decoded element by element. Pure
 * functions over a byte buffer, bounds-checked (a corrupt container is
 * refused, never overrun), kept apart from the loader so the unit test
 * can feed them hand-built containers of every entry encoding, including
 * the ziplists only Redis 6 and older write. */
#include "backend/rdb_codec.h"

#include <string.h>

static uint64_t le_get(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static int64_t sign_extend(uint64_t v, int bits)
{
    if (bits < 64 && (v >> (bits - 1)) & 1) v |= ~0ULL << bits;
    return (int64_t)v;
}

int rdb_ziplist_each(const unsigned char *zl, size_t n, rdb_elem_visit_fn *fn, void *priv)
{
    if (n < 11 || le_get(zl, 4) != n || zl[n - 1] != 0xff) return -1;
    size_t pos = 10;
    while (pos < n && zl[pos] != 0xff) {
        pos += zl[pos] < 254 ? 1 : 5;
        if (pos >= n - 1) return -1;
        unsigned enc = zl[pos];
        size_t slen = 0, hdr = 0;
        if ((enc >> 6) == 0) {
            slen = enc & 0x3f, hdr = 1;
        } else if ((enc >> 6) == 1) {
            if (pos + 2 > n) return -1;
            slen = (size_t)(enc & 0x3f) << 8 | zl[pos + 1], hdr = 2;
        } else if (enc == 0x80) {
            if (pos + 5 > n) return -1;
            slen = (size_t)zl[pos + 1] << 24 | (size_t)zl[pos + 2] << 16 | (size_t)zl[pos + 3] << 8 | zl[pos + 4];
            hdr = 5;
        } else {
            int bytes = enc == 0xc0 ? 2 : enc == 0xd0 ? 4 : enc == 0xe0 ? 8 : enc == 0xf0 ? 3 : enc == 0xfe ? 1 : 0;
            long long v;
            if (bytes == 0 && enc >= 0xf1 && enc <= 0xfd) {
                v = (long long)(enc & 0x0f) - 1;
            } else if (bytes == 0) {
                return -1;
            } else {
                if (pos + 1 + (size_t)bytes > n - 1) return -1;
                v = sign_extend(le_get(zl + pos + 1, bytes), 8 * bytes);
            }
            pos += 1 + (size_t)bytes;
            if (fn(priv, NULL, 0, v)) return -1;
            continue;
        }
        if (pos + hdr + slen > n - 1) return -1;
        if (fn(priv, (const char *)zl + pos + hdr, slen, 0)) return -1;
        pos += hdr + slen;
    }
    return 0;
}

static size_t backlen_size(size_t l)
{
    return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

int rdb_listpack_each(const unsigned char *lp, size_t n, rdb_elem_visit_fn *fn, void *priv)
{
    if (n < 7 || le_get(lp, 4) != n || lp[n - 1] != 0xff) return -1;
    size_t pos = 6;
    while (pos < n - 1) {
        unsigned b = lp[pos];
        size_t enclen, slen = 0, sdata = 0;
        int is_str = 0;
        long long v = 0;
        size_t left = n - 1 - pos;
        if ((b & 0x80) == 0) {
            v = b & 0x7f, enclen = 1;
        } else if ((b & 0xc0) == 0x80) {
            is_str = 1, slen = b & 0x3f, sdata = 1;
        } else if ((b & 0xe0) == 0xc0) {
            if (left < 2) return -1;
            v = sign_extend((uint64_t)(b & 0x1f) << 8 | lp[pos + 1], 13), enclen = 2;
        } else if ((b & 0xf0) == 0xe0) {
            if (left < 2) return -1;
            is_str = 1, slen = (size_t)(b & 0x0f) << 8 | lp[pos + 1], sdata = 2;
        } else if (b == 0xf0) {
            if (left < 5) return -1;
            is_str = 1, slen = le_get(lp + pos + 1, 4), sdata = 5;
        } else if (b >= 0xf1 && b <= 0xf4) {
            int bytes = b == 0xf1 ? 2 : b == 0xf2 ? 3 : b == 0xf3 ? 4 : 8;
            if (left < (size_t)bytes + 1) return -1;
            v = sign_extend(le_get(lp + pos + 1, bytes), 8 * bytes), enclen = (size_t)bytes + 1;
        } else {
            return -1;
        }
        if (is_str) enclen = sdata + slen;
        if (enclen + backlen_size(enclen) > left) return -1;
        if (is_str ? fn(priv, (const char *)lp + pos + sdata, slen, 0) : fn(priv, NULL, 0, v)) return -1;
        pos += enclen + backlen_size(enclen);
    }
    return 0;
}

int rdb_intset_each(const unsigned char *is, size_t n, rdb_elem_visit_fn *fn, void *priv)
{
    if (n < 8) return -1;
    uint64_t width = le_get(is, 4), count = le_get(is + 4, 4);
    if ((width != 2 && width != 4 && width != 8) || 8 + width * count != n) return -1;
    for (uint64_t i = 0; i < count; i++)
        if (fn(priv, NULL, 0, sign_extend(le_get(is + 8 + i * width, (int)width), (int)(8 * width)))) return -1;
    return 0;
}
