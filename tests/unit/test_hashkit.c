/* tests/unit/test_hashkit: compat/hashkit against answers from outside
 * Shoal: RFC 1321's MD5 suite and Python's hashlib, the published check
 * values of CRC-32 / CRC-16/ARC / FNV / one-at-a-time / lookup3, and a table
 * computed by Debian's libmemcached (libhashkit.so.2, whose functions
 * twemproxy's hashkit copies) through Python's ctypes:
 *   f = ctypes.CDLL("libhashkit.so.2").libhashkit_<name>; f(key, len)
 * crc16, crc32a and hsieh are not in that library build (hsieh returns 0
 * there): nutcracker itself checks them, with every other function, in
 * test_ketama's placement fixture. */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "compat/hashkit.h"

static uint32_t H(enum hash_type t, const char *s)
{
    return hashkit_hash(t, s, strlen(s));
}

static void md5_hex(const void *data, size_t len, char out[33])
{
    uint8_t d[16];
    hashkit_md5(data, len, d);
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

TEST(names)
{
    static const char *names[] = {
        "one_at_a_time", "md5", "crc16", "crc32", "crc32a", "fnv1_64",
        "fnv1a_64", "fnv1_32", "fnv1a_32", "hsieh", "murmur", "jenkins"};
    CHECK_EQ_INT(sizeof(names) / sizeof(names[0]), HASH__COUNT);
    for (int i = 0; i < HASH__COUNT; i++) {
        CHECK_EQ_INT(hash_type_parse(names[i]), i);
        CHECK_EQ_STR(hash_type_name((enum hash_type)i), names[i]);
    }
    CHECK_EQ_INT(hash_type_parse("MD5"), -1);
    CHECK_EQ_INT(hash_type_parse("fnv1a"), -1);
    CHECK_EQ_INT(hash_type_parse(""), -1);
    CHECK_EQ_INT(hash_type_parse(NULL), -1);
    CHECK_EQ_STR(hash_type_name(HASH__COUNT), "?");
}

TEST(md5_rfc1321)
{
    static const struct { const char *in, *md5; } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890"
         "1234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    char hex[33];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        md5_hex(v[i].in, strlen(v[i].in), hex);
        CHECK_EQ_STR(hex, v[i].md5);
    }
}

/* Padding edges (55/56/63/64/65 bytes) and multi-block input; answers from
 * Python's hashlib.md5(b"a" * n). */
TEST(md5_block_edges)
{
    static const struct { size_t n; const char *md5; } v[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"},
        {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"},
        {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},
        {127, "020406e1d05cdc2aa287641f7ae2cc39"},
        {128, "e510683b3f5ffe4093d021808bc6ff70"},
        {1000, "cabe45dcc9ae5b66ba86600cca6b8ba8"},
    };
    char buf[1000], hex[33];
    memset(buf, 'a', sizeof(buf));
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        md5_hex(buf, v[i].n, hex);
        CHECK_EQ_STR(hex, v[i].md5);
    }
    /* hash md5 = the digest's first four bytes, little-endian */
    CHECK_EQ_INT(H(HASH_MD5, "abc"), 0x98500190);
}

TEST(crc_check_values)
{
    /* CRC-32 and CRC-16/XMODEM check values over "123456789". twemproxy's
     * crc16 never masks its 32-bit register: the low 16 bits are the CRC,
     * the high 16 the CRC's earlier bytes shifted out (its full value is
     * checked against nutcracker in test_ketama). */
    CHECK_EQ_INT(H(HASH_CRC32A, "123456789"), 0xcbf43926u);
    CHECK_EQ_INT(H(HASH_CRC16, "123456789") & 0xffff, 0x31c3);
    CHECK_EQ_INT(H(HASH_CRC16, "A"), 0x58e5);               /* XMODEM("A") */
    CHECK_EQ_INT(H(HASH_CRC16, "AB") >> 16, 0x58e5 >> 8);
    CHECK_EQ_INT(H(HASH_CRC16, "ABC") >> 16, H(HASH_CRC16, "AB") >> 8);
    /* libmemcached's crc32: bits 16..30 of the CRC-32 */
    CHECK_EQ_INT(H(HASH_CRC32, "123456789"), (0xcbf43926u >> 16) & 0x7fff);
    CHECK_EQ_INT(H(HASH_CRC32A, ""), 0);
    CHECK_EQ_INT(H(HASH_CRC16, ""), 0);
    /* CRC-32("a"), zlib.crc32(b"a") */
    CHECK_EQ_INT(H(HASH_CRC32A, "a"), 0xe8b7be43u);
    /* a byte >= 0x80 is not sign-extended in the CRCs */
    CHECK_EQ_INT(hashkit_hash(HASH_CRC32A, "\xff", 1), 0xff000000u);
}

TEST(published_vectors)
{
    /* FNV (Landon Curt Noll's test vectors; the 64-bit ones truncated). */
    CHECK_EQ_INT(H(HASH_FNV1_32, "a"), 0x050c5d7eu);
    CHECK_EQ_INT(H(HASH_FNV1A_32, "a"), 0xe40c292cu);
    CHECK_EQ_INT(H(HASH_FNV1_32, "foobar"), 0x31f0b262u);
    CHECK_EQ_INT(H(HASH_FNV1A_32, "foobar"), 0xbf9cf968u);
    CHECK_EQ_INT(H(HASH_FNV1_64, "a"), 0x8601b7beu);     /* af63bd4c8601b7be */
    CHECK_EQ_INT(H(HASH_FNV1A_64, "a"), 0x8601ec8cu);    /* af63dc4c8601ec8c */
    CHECK_EQ_INT(H(HASH_FNV1A_64, "foobar"), 0xf73967e8u); /* 85944171f73967e8 */
    /* Jenkins one-at-a-time. */
    CHECK_EQ_INT(H(HASH_ONE_AT_A_TIME, "a"), 0xca2e9442u);
    CHECK_EQ_INT(H(HASH_ONE_AT_A_TIME, "The quick brown fox jumps over the lazy dog"),
                 0x519e91f5u);
    /* lookup3.c's own self-test values for hashlittle(). */
    CHECK_EQ_INT(hashkit_lookup3("", 0, 0), 0xdeadbeefu);
    CHECK_EQ_INT(hashkit_lookup3("", 0, 0xdeadbeef), 0xbd5b7ddeu);
    CHECK_EQ_INT(hashkit_lookup3("Four score and seven years ago", 30, 0), 0x17770551u);
    CHECK_EQ_INT(hashkit_lookup3("Four score and seven years ago", 30, 1), 0xcd628161u);
}

/* libhashkit.so.2 (libmemcached 1.1.4, Debian) answers; columns:
 * one_at_a_time md5 crc32 fnv1_64 fnv1a_64 fnv1_32 fnv1a_32 murmur jenkins. */
static const enum hash_type kat_cols[9] = {
    HASH_ONE_AT_A_TIME, HASH_MD5, HASH_CRC32, HASH_FNV1_64, HASH_FNV1A_64,
    HASH_FNV1_32, HASH_FNV1A_32, HASH_MURMUR, HASH_JENKINS};

static const struct { const char *key; size_t len; uint32_t h[9]; } kat[] = {
    {"", 0, {0x00000000, 0xd98c1dd4, 0x00000000, 0x84222325, 0x84222325, 0x811c9dc5, 0x811c9dc5, 0x00000000, 0xdeadbefc}},
    {"a", 1, {0xca2e9442, 0xb975c10c, 0x000068b7, 0x8601b7be, 0x8601ec8c, 0x050c5d7e, 0xe40c292c, 0x4b41757c, 0xe0a38690}},
    {"abc", 3, {0xed131f5b, 0x98500190, 0x00003524, 0x6bafadcb, 0x0541574b, 0x439c2f4b, 0x1a47e90b, 0x7b0cc428, 0x8f415600}},
    {"123456789", 9, {0xc66b58c5, 0x94e7f925, 0x00004bf4, 0x2bf916d6, 0x23c6cdfc, 0x24148816, 0xbb86b11c, 0xb7760690, 0x19777af6}},
    {"hello world", 11, {0x3e4a5a57, 0xbb3bb65e, 0x00000d4a, 0xb1910e6f, 0x023cd2e7, 0x548da96f, 0xd58b3fa7, 0x5e19153b, 0x153343fb}},
    {"key:12345", 9, {0x57eab8e2, 0xdea1c9d5, 0x000071f2, 0xc94c3bbd, 0xef6b5649, 0x6974ea9d, 0x26778469, 0xa9820fc6, 0xe8784292}},
    {"\xe9t\xe9", 3, {0x8c711b75, 0x306eb070, 0x00004bf7, 0x6bd2a1ab, 0xb5281ffb, 0x387cffeb, 0xfb67177b, 0xf7762cff, 0x1fc3862b}},
    {"cl\xc3\xa9-\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", 13, {0x31c58e13, 0xb718aaa4, 0x00006620, 0x99ac42d9, 0x6d5239bd, 0x4999feb9, 0x8bed371d, 0x927717cb, 0x4d9a4185}},
    {"abcdefghijkl", 12, {0x605b0340, 0x06d6c99f, 0x00007678, 0xda7a6075, 0xe05a5cb5, 0x65adc2d5, 0xe8fb3e15, 0xb805134a, 0xfb8b49e3}},
    {"abcdefghijklm", 13, {0x6d99f6dc, 0xd1bdae22, 0x00005df4, 0x3df1e6a2, 0x398bc308, 0xe589b522, 0x3b8356e8, 0x2987d8bb, 0xb621e85f}},
    {"The quick brown fox jumps over the lazy dog", 43, {0x519e91f5, 0x9d7d109e, 0x0000414f, 0x7de37ace, 0xe7e47110, 0xe9c86c6e, 0x048fff90, 0x30c79125, 0x12b8163c}},
    {"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f", 16, {0x0b198378, 0x2be032c1, 0x000046f7, 0x10ca55a5, 0x5fa33575, 0xd633ee45, 0xa1b78715, 0x8dcaf80b, 0xd5c41458}},
};

TEST(libhashkit_known_answers)
{
    for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++)
        for (int c = 0; c < 9; c++) {
            uint32_t got = hashkit_hash(kat_cols[c], kat[i].key, kat[i].len);
            if (got != kat[i].h[c])
                printf("  key #%zu %s: %08" PRIx32 ", libhashkit %08" PRIx32 "\n", i,
                       hash_type_name(kat_cols[c]), got, kat[i].h[c]);
            CHECK(got == kat[i].h[c]);
        }
}

/* The functions read the key at any alignment (twemproxy's jenkins has
 * aligned fast paths whose results must not differ). */
TEST(alignment_independent)
{
    static char buf[64 + 8];
    const char *src = "an unaligned key of some length, 40 bytes";
    for (int t = 0; t < HASH__COUNT; t++)
        for (size_t len = 0; len <= 40; len++) {
            memcpy(buf, src, len);
            uint32_t ref = hashkit_hash((enum hash_type)t, buf, len);
            for (int off = 1; off < 8; off++) {
                memcpy(buf + off, src, len);
                CHECK(hashkit_hash((enum hash_type)t, buf + off, len) == ref);
            }
        }
}

TEST(hsieh_shape)
{
    /* No outside oracle here (test_ketama's fixture is), but the length
     * branches must all be live: empty is 0, and each tail length changes
     * the value. */
    CHECK_EQ_INT(H(HASH_HSIEH, ""), 0);
    uint32_t seen[9];
    const char *s = "abcdefgh";
    for (size_t n = 1; n <= 8; n++) {
        seen[n] = hashkit_hash(HASH_HSIEH, s, n);
        for (size_t m = 1; m < n; m++) CHECK(seen[m] != seen[n]);
    }
}

TEST(hash_tag)
{
    const char *out;
    size_t len;
#define TAG(tag, key, want) do { \
        hashkit_tag(tag, key, strlen(key), &out, &len); \
        CHECK_EQ_MEM(out, len, want, strlen(want)); } while (0)
    TAG("{}", "user{123}:name", "123");
    TAG("{}", "{a}{b}", "a");
    TAG("{}", "{{a}}", "{a");
    TAG("{}", "}{x}", "x");
    TAG("{}", "{}", "{}");                /* empty tag: whole key */
    TAG("{}", "x{}y{z}", "x{}y{z}");      /* first '{' then next '}' is empty */
    TAG("{}", "no{close", "no{close");
    TAG("{}", "plain", "plain");
    TAG("$$", "a$b$c", "b");
    TAG(NULL, "a{b}c", "a{b}c");
    TAG("", "a{b}c", "a{b}c");
    TAG("{", "a{b}c", "a{b}c");
    TAG("{}x", "a{b}c", "a{b}c");
#undef TAG
    /* the tag bounds the search to len bytes */
    hashkit_tag("{}", "a{b}c", 3, &out, &len);
    CHECK_EQ_MEM(out, len, "a{b", 3);
}

TEST(key_hash)
{
    CHECK_EQ_INT(hashkit_key_hash(HASH_FNV1A_64, NULL, "", 0), 0);
    CHECK_EQ_INT(hashkit_key_hash(HASH_MD5, "{}", "", 0), 0);
    CHECK_EQ_INT(hashkit_key_hash(HASH_FNV1A_64, NULL, "abc", 3), H(HASH_FNV1A_64, "abc"));
    CHECK_EQ_INT(hashkit_key_hash(HASH_MD5, "{}", "x{abc}y", 7), H(HASH_MD5, "abc"));
    CHECK(hashkit_key_hash(HASH_MD5, NULL, "x{abc}y", 7) != H(HASH_MD5, "abc"));
}

int main(void)
{
    RUN(names);
    RUN(md5_rfc1321);
    RUN(md5_block_edges);
    RUN(crc_check_values);
    RUN(published_vectors);
    RUN(libhashkit_known_answers);
    RUN(alignment_independent);
    RUN(hsieh_shape);
    RUN(hash_tag);
    RUN(key_hash);
    return unit_done();
}
