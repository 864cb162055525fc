/* compat/hashkit: twemproxy's key-hash functions (nutcracker 0.5.0,
 * src/hashkit/), rewritten from their definitions and checked against
 * Debian's nutcracker (tests/unit/fixtures/nutcracker-placement.txt) and
 * libmemcached's libhashkit (tests/unit/test_hashkit.c).
 *
 * The quirks are the point, so they are kept and named where they happen:
 *  - twemproxy reads key bytes as plain (signed, on x86) `char` and widens
 *    them to uint32_t/uint64_t in one_at_a_time, the four FNVs and the third
 *    tail byte of hsieh: bytes >= 0x80 are sign-extended (SEXT32/SEXT64).
 *  - crc32 is libmemcached's: the top 16 bits of the CRC-32, masked to 15.
 *  - crc16 is CRC-16/XMODEM computed in an unmasked 32-bit register, all of
 *    which is returned (not the CRC-16/ARC of later twemproxy sources:
 *    Debian's 0.5.0 places keys by the XMODEM variant).
 *  - fnv1a_64 runs in 32-bit arithmetic with the 64-bit constants truncated;
 *    fnv1_64 runs in 64 bits and keeps the low 32 (which is the same thing).
 *  - murmur is MurmurHash2 seeded with 0xdeadbeef * len, jenkins is lookup3
 *    with initval 13; both read words little-endian as x86 does.
 * MD5 is our own RFC 1321 implementation (no OpenSSL in compat/). */
#include "compat/hashkit.h"

#include <string.h>

#define SEXT32(c) ((uint32_t)(int32_t)(signed char)(c))
#define SEXT64(c) ((uint64_t)(int64_t)(signed char)(c))

static const char *const hash_names[HASH__COUNT] = {
    "one_at_a_time", "md5", "crc16", "crc32", "crc32a", "fnv1_64",
    "fnv1a_64", "fnv1_32", "fnv1a_32", "hsieh", "murmur", "jenkins",
};

int hash_type_parse(const char *name)
{
    if (name == NULL) return -1;
    for (int i = 0; i < HASH__COUNT; i++)
        if (strcmp(name, hash_names[i]) == 0) return i;
    return -1;
}

const char *hash_type_name(enum hash_type t)
{
    if ((int)t < 0 || t >= HASH__COUNT) return "?";
    return hash_names[t];
}

/* ---- MD5 (RFC 1321) ------------------------------------------------------ */

struct md5_ctx {
    uint32_t a, b, c, d;
    uint64_t nbytes;
    uint8_t block[64];
};

/* floor(2^32 * |sin(i + 1)|), RFC 1321 section 3.4. */
static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
    0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
    0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
    0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
    0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
    0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
    0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* Left-rotation amounts, four per round. */
static const uint8_t md5_r[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21},
};

static uint32_t rotl32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void md5_block(struct md5_ctx *m, const uint8_t *blk)
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++) x[i] = le32(blk + 4 * i);

    uint32_t a = m->a, b = m->b, c = m->c, d = m->d;
    for (int i = 0; i < 64; i++) {
        int round = i / 16;
        uint32_t f;
        int g;
        switch (round) {
        case 0: f = (b & c) | (~b & d); g = i; break;
        case 1: f = (b & d) | (c & ~d); g = (5 * i + 1) % 16; break;
        case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
        default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rotl32(a + f + md5_k[i] + x[g], md5_r[round][i % 4]);
        a = t;
    }
    m->a += a; m->b += b; m->c += c; m->d += d;
}

static void md5_init(struct md5_ctx *m)
{
    m->a = 0x67452301; m->b = 0xefcdab89; m->c = 0x98badcfe; m->d = 0x10325476;
    m->nbytes = 0;
}

static void md5_update(struct md5_ctx *m, const uint8_t *p, size_t len)
{
    size_t used = (size_t)(m->nbytes % 64);
    if (len == 0) return;
    m->nbytes += len;
    if (used > 0) {
        size_t take = 64 - used < len ? 64 - used : len;
        memcpy(m->block + used, p, take);
        p += take; len -= take; used += take;
        if (used < 64) return;
        md5_block(m, m->block);
    }
    for (; len >= 64; p += 64, len -= 64) md5_block(m, p);
    memcpy(m->block, p, len);
}

static void md5_final(struct md5_ctx *m, uint8_t out[16])
{
    uint64_t bits = m->nbytes * 8;
    uint8_t pad[72] = {0x80};
    size_t used = (size_t)(m->nbytes % 64);
    size_t padlen = (used < 56 ? 56 : 120) - used;
    for (int i = 0; i < 8; i++) pad[padlen + i] = (uint8_t)(bits >> (8 * i));
    md5_update(m, pad, padlen + 8);
    uint32_t words[4] = {m->a, m->b, m->c, m->d};
    for (int w = 0; w < 4; w++)
        for (int i = 0; i < 4; i++) out[4 * w + i] = (uint8_t)(words[w] >> (8 * i));
}

void hashkit_md5(const void *data, size_t len, uint8_t out[16])
{
    struct md5_ctx m;
    md5_init(&m);
    md5_update(&m, data, len);
    md5_final(&m, out);
}

/* ---- CRC tables (built once at load: reflected polynomials) -------------- */

static uint32_t crc32_table[256];     /* reflected 0x04c11db7 */
static uint16_t crc16_table[256];     /* CRC-16/XMODEM: 0x1021, MSB first */

__attribute__((constructor)) static void hashkit_tables_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c32 = i, c16 = i << 8;
        for (int k = 0; k < 8; k++) {
            c32 = (c32 & 1) ? (c32 >> 1) ^ 0xedb88320u : c32 >> 1;
            c16 = (c16 & 0x8000) ? (c16 << 1) ^ 0x1021u : c16 << 1;
        }
        crc32_table[i] = c32;
        crc16_table[i] = (uint16_t)c16;
    }
}

static uint32_t crc32_raw(const char *key, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        crc = (crc >> 8) ^ crc32_table[(crc ^ (uint8_t)key[i]) & 0xff];
    return ~crc;
}

/* CRC-16/XMODEM kept in a 32-bit register that is never masked: the low 16
 * bits are the CRC, the high 16 the bytes shifted out of it (nutcracker
 * 0.5.0 returns the whole register). */
static uint32_t hash_crc16(const char *key, size_t len)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < len; i++)
        crc = (crc << 8) ^ crc16_table[((crc >> 8) ^ (uint8_t)key[i]) & 0xff];
    return crc;
}

/* ---- the byte-at-a-time families ------------------------------------------ */

static uint32_t hash_one_at_a_time(const char *key, size_t len)
{
    uint32_t h = 0;
    for (size_t i = 0; i < len; i++) {
        h += SEXT32(key[i]);
        h += h << 10;
        h ^= h >> 6;
    }
    h += h << 3;
    h ^= h >> 11;
    h += h << 15;
    return h;
}

static uint32_t hash_fnv1_64(const char *key, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++) {
        h *= UINT64_C(0x100000001b3);
        h ^= SEXT64(key[i]);
    }
    return (uint32_t)h;
}

static uint32_t hash_fnv1a_64(const char *key, size_t len)
{
    uint32_t h = (uint32_t)UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++) {
        h ^= SEXT32(key[i]);
        h *= (uint32_t)UINT64_C(0x100000001b3);
    }
    return h;
}

static uint32_t hash_fnv1_32(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h *= 16777619u;
        h ^= SEXT32(key[i]);
    }
    return h;
}

static uint32_t hash_fnv1a_32(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= SEXT32(key[i]);
        h *= 16777619u;
    }
    return h;
}

/* ---- hsieh, murmur, jenkins ------------------------------------------------ */

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Paul Hsieh's SuperFastHash. */
static uint32_t hash_hsieh(const char *key, size_t len)
{
    const uint8_t *p = (const uint8_t *)key;
    uint32_t h = 0;
    if (key == NULL || len == 0) return 0;

    for (size_t n = len >> 2; n > 0; n--, p += 4) {
        h += le16(p);
        uint32_t tmp = (le16(p + 2) << 11) ^ h;
        h = (h << 16) ^ tmp;
        h += h >> 11;
    }
    switch (len & 3) {
    case 3:
        h += le16(p);
        h ^= h << 16;
        h ^= SEXT32(p[2]) << 18;      /* twemproxy reads this byte as char */
        h += h >> 11;
        break;
    case 2:
        h += le16(p);
        h ^= h << 11;
        h += h >> 17;
        break;
    case 1:
        h += p[0];
        h ^= h << 10;
        h += h >> 1;
        break;
    default:
        break;
    }
    h ^= h << 3;
    h += h >> 5;
    h ^= h << 4;
    h += h >> 17;
    h ^= h << 25;
    h += h >> 6;
    return h;
}

/* MurmurHash2 as libmemcached seeds it. */
static uint32_t hash_murmur(const char *key, size_t len)
{
    const uint32_t m = 0x5bd1e995;
    const uint8_t *p = (const uint8_t *)key;
    uint32_t h = (0xdeadbeefu * (uint32_t)len) ^ (uint32_t)len;

    for (; len >= 4; p += 4, len -= 4) {
        uint32_t k = le32(p) * m;
        k ^= k >> 24;
        k *= m;
        h = (h * m) ^ k;
    }
    switch (len) {
    case 3: h ^= (uint32_t)p[2] << 16; /* fall through */
    case 2: h ^= (uint32_t)p[1] << 8;  /* fall through */
    case 1: h ^= p[0]; h *= m;         /* fall through */
    default: break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return h;
}

#define LOOKUP3_MIX(a, b, c) do { \
    a -= c; a ^= rotl32(c, 4);  c += b; \
    b -= a; b ^= rotl32(a, 6);  a += c; \
    c -= b; c ^= rotl32(b, 8);  b += a; \
    a -= c; a ^= rotl32(c, 16); c += b; \
    b -= a; b ^= rotl32(a, 19); a += c; \
    c -= b; c ^= rotl32(b, 4);  b += a; \
} while (0)

#define LOOKUP3_FINAL(a, b, c) do { \
    c ^= b; c -= rotl32(b, 14); \
    a ^= c; a -= rotl32(c, 11); \
    b ^= a; b -= rotl32(a, 25); \
    c ^= b; c -= rotl32(b, 16); \
    a ^= c; a -= rotl32(c, 4);  \
    b ^= a; b -= rotl32(a, 14); \
    c ^= b; c -= rotl32(b, 24); \
} while (0)

/* Little-endian value of the n (0..4) bytes at p. */
static uint32_t le_partial(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

uint32_t hashkit_lookup3(const void *key, size_t len, uint32_t initval)
{
    const uint8_t *p = key;
    uint32_t a, b, c;
    a = b = c = 0xdeadbeefu + (uint32_t)len + initval;

    for (; len > 12; p += 12, len -= 12) {
        a += le32(p);
        b += le32(p + 4);
        c += le32(p + 8);
        LOOKUP3_MIX(a, b, c);
    }
    if (len == 0) return c;         /* an empty tail is not mixed */
    a += le_partial(p, len < 4 ? len : 4);
    if (len > 4) b += le_partial(p + 4, len < 8 ? len - 4 : 4);
    if (len > 8) c += le_partial(p + 8, len - 8);
    LOOKUP3_FINAL(a, b, c);
    return c;
}

/* ---- dispatch ------------------------------------------------------------- */

uint32_t hashkit_hash(enum hash_type t, const char *key, size_t len)
{
    uint8_t d[16];

    switch (t) {
    case HASH_ONE_AT_A_TIME: return key ? hash_one_at_a_time(key, len) : 0;
    case HASH_MD5:
        hashkit_md5(key, len, d);
        return le32(d);
    case HASH_CRC16: return hash_crc16(key, len);
    case HASH_CRC32: return (crc32_raw(key, len) >> 16) & 0x7fff;
    case HASH_CRC32A: return crc32_raw(key, len);
    case HASH_FNV1_64: return hash_fnv1_64(key, len);
    case HASH_FNV1A_64: return hash_fnv1a_64(key, len);
    case HASH_FNV1_32: return hash_fnv1_32(key, len);
    case HASH_FNV1A_32: return hash_fnv1a_32(key, len);
    case HASH_HSIEH: return hash_hsieh(key, len);
    case HASH_MURMUR: return hash_murmur(key, len);
    case HASH_JENKINS: return hashkit_lookup3(key, len, 13);
    default: return 0;
    }
}

void hashkit_tag(const char *tag2, const char *key, size_t len,
                 const char **out, size_t *outlen)
{
    *out = key;
    *outlen = len;
    if (tag2 == NULL || tag2[0] == '\0' || tag2[1] == '\0' || tag2[2] != '\0')
        return;
    const char *open = memchr(key, tag2[0], len);
    if (open == NULL) return;
    const char *end = key + len;
    const char *close = memchr(open + 1, tag2[1], (size_t)(end - open - 1));
    if (close == NULL || close - open <= 1) return;
    *out = open + 1;
    *outlen = (size_t)(close - open - 1);
}

uint32_t hashkit_key_hash(enum hash_type t, const char *tag2, const char *key,
                          size_t len)
{
    const char *k;
    size_t klen;
    hashkit_tag(tag2, key, len, &k, &klen);
    if (klen == 0) return 0;
    return hashkit_hash(t, k, klen);
}
