/* tests/unit/test_lzf: the LZF format. A block written by liblzf (taken
 * from a dump.rdb of redis-server 7.0.15) decompresses to its text; our
 * output round-trips on text, random and repetitive data at many sizes;
 * hand-built blocks check literal runs, long and overlapping references;
 * malformed input and short buffers are refused, never overrun. */
#include "lib/lzf.h"
#include "tests/unit/unit.h"

#include <stdlib.h>

static const unsigned char redis_block[] = {
    0x03, 0x61, 0x62, 0x63, 0x61, 0xe0, 0x11, 0x02, 0x1f, 0x2d, 0x74, 0x68, 0x65, 0x20, 0x71, 0x75,
    0x69, 0x63, 0x6b, 0x20, 0x62, 0x72, 0x6f, 0x77, 0x6e, 0x20, 0x66, 0x6f, 0x78, 0x20, 0x6a, 0x75,
    0x6d, 0x70, 0x73, 0x20, 0x6f, 0x76, 0x65, 0x72, 0x20, 0x40, 0x1e, 0x08, 0x6c, 0x61, 0x7a, 0x79,
    0x20, 0x64, 0x6f, 0x67, 0x2c, 0x60, 0x0d, 0xe0, 0x05, 0x2c, 0x01, 0x78, 0x21};
static const char redis_text[] =
    "abcabcabcabcabcabcabcabcabcabc-the quick brown fox jumps over the lazy dog, the quick brown fox!";

TEST(decompresses_a_block_written_by_liblzf)
{
    char out[200];
    size_t n = lzf_decompress(redis_block, sizeof(redis_block), out, sizeof(out));
    CHECK_EQ_MEM(out, n, redis_text, strlen(redis_text));
    /* exactly sized output is enough; one byte less is refused */
    CHECK_EQ_INT(lzf_decompress(redis_block, sizeof(redis_block), out, strlen(redis_text)), strlen(redis_text));
    CHECK_EQ_INT(lzf_decompress(redis_block, sizeof(redis_block), out, strlen(redis_text) - 1), 0);
}

static int round_trip(const unsigned char *in, size_t len)
{
    size_t cap = len + len / 16 + 64;
    unsigned char *c = malloc(cap), *d = malloc(len + 1);
    size_t clen = lzf_compress(in, len, c, cap);
    int ok = clen > 0 && lzf_decompress(c, clen, d, len) == len && memcmp(d, in, len) == 0;
    free(c);
    free(d);
    return ok;
}

TEST(round_trips_text_random_and_repetitive_data)
{
    unsigned char *buf = malloc(200000);
    int bad = 0;
    srand(11);
    for (size_t len = 1; len < 200000; len = len * 3 / 2 + 1) {
        for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)rand();
        bad += !round_trip(buf, len);
        for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)("abcdefgh"[rand() % 3]);
        bad += !round_trip(buf, len);
        memset(buf, 'z', len);
        bad += !round_trip(buf, len);
        for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)("the lazy dog "[i % 13]);
        bad += !round_trip(buf, len);
    }
    CHECK_EQ_INT(bad, 0);
    free(buf);
}

TEST(repetitive_data_shrinks_and_random_data_does_not_fit_smaller)
{
    unsigned char in[4096], out[4096];
    memset(in, 'a', sizeof(in));
    size_t n = lzf_compress(in, sizeof(in), out, sizeof(out));
    CHECK(n > 0 && n < 64);
    srand(3);
    for (size_t i = 0; i < sizeof(in); i++) in[i] = (unsigned char)rand();
    CHECK_EQ_INT(lzf_compress(in, sizeof(in), out, sizeof(in) - 4), 0);   /* as Redis asks */
    CHECK_EQ_INT(lzf_compress(in, 0, out, sizeof(out)), 0);
}

TEST(hand_built_blocks)
{
    char out[600];
    /* literal "ab", then a back reference 1 back of length 8: "abbbbbbbbb" */
    static const unsigned char overlap[] = {0x01, 'a', 'b', 0xc0, 0x00};
    size_t n = lzf_decompress(overlap, sizeof(overlap), out, sizeof(out));
    CHECK_EQ_MEM(out, n, "abbbbbbbbb", 10);
    /* longest reference: 7 + 255 + 2 = 264 copies of 'x' after one literal */
    static const unsigned char longest[] = {0x00, 'x', 0xe0, 0xff, 0x00};
    n = lzf_decompress(longest, sizeof(longest), out, sizeof(out));
    CHECK_EQ_INT(n, 265);
    int allx = 1;
    for (size_t i = 0; i < n; i++) allx &= out[i] == 'x';
    CHECK(allx);
    /* 32-byte literal run (the longest) */
    unsigned char lit[33];
    lit[0] = 31;
    for (int i = 1; i <= 32; i++) lit[i] = (unsigned char)('A' + i % 26);
    CHECK_EQ_INT(lzf_decompress(lit, sizeof(lit), out, sizeof(out)), 32);
}

TEST(malformed_input_is_refused)
{
    char out[64];
    static const unsigned char short_literal[] = {0x05, 'a', 'b'};
    static const unsigned char ref_before_start[] = {0x00, 'a', 0x20, 0x05};
    static const unsigned char ref_missing_offset[] = {0x00, 'a', 0x20};
    static const unsigned char ref_missing_length[] = {0x00, 'a', 0xe0};
    CHECK_EQ_INT(lzf_decompress(short_literal, sizeof(short_literal), out, sizeof(out)), 0);
    CHECK_EQ_INT(lzf_decompress(ref_before_start, sizeof(ref_before_start), out, sizeof(out)), 0);
    CHECK_EQ_INT(lzf_decompress(ref_missing_offset, sizeof(ref_missing_offset), out, sizeof(out)), 0);
    CHECK_EQ_INT(lzf_decompress(ref_missing_length, sizeof(ref_missing_length), out, sizeof(out)), 0);
}

TEST(compression_respects_the_output_size_exactly)
{
    unsigned char in[1000], out[1100];
    for (size_t i = 0; i < sizeof(in); i++) in[i] = (unsigned char)("0123456789"[i % 10] ^ (i / 97));
    size_t full = lzf_compress(in, sizeof(in), out, sizeof(out));
    CHECK(full > 0);
    CHECK_EQ_INT(lzf_compress(in, sizeof(in), out, full), full);
    CHECK_EQ_INT(lzf_compress(in, sizeof(in), out, full - 1), 0);
}

int main(void)
{
    RUN(decompresses_a_block_written_by_liblzf);
    RUN(round_trips_text_random_and_repetitive_data);
    RUN(repetitive_data_shrinks_and_random_data_does_not_fit_smaller);
    RUN(hand_built_blocks);
    RUN(malformed_input_is_refused);
    RUN(compression_respects_the_output_size_exactly);
    return unit_done();
}
