/* tests/unit/test_crc64: CRC-64/Jones against its published check value,
 * the checksum of an RDB file redis-check-rdb 7.0.15 accepted (the
 * 32-byte example in the shared reference), and the table-driven form
 * against the bit-at-a-time definition at every length and split. */
#include "lib/crc64.h"
#include "tests/unit/unit.h"

#include <stdlib.h>

TEST(check_value_of_123456789)
{
    CHECK(crc64_jones(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    CHECK(crc64_jones_bitwise(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
}

TEST(empty_input_keeps_the_crc)
{
    CHECK(crc64_jones(0, "", 0) == 0);
    CHECK(crc64_jones(0x1234, "", 0) == 0x1234);
}

/* "REDIS0009" SELECTDB 0 RESIZEDB 1 0, foo=bar, EOF; the file's trailer
 * (little-endian) is cc 3e 5c 81 68 68 18 31. */
TEST(checksum_of_an_rdb_file_redis_accepts)
{
    static const unsigned char file[] = {
        0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x30, 0x39, 0xfe, 0x00, 0xfb, 0x01, 0x00,
        0x00, 0x03, 0x66, 0x6f, 0x6f, 0x03, 0x62, 0x61, 0x72, 0xff};
    static const unsigned char trailer[8] = {0xcc, 0x3e, 0x5c, 0x81, 0x68, 0x68, 0x18, 0x31};
    uint64_t crc = crc64_jones(0, file, sizeof(file));
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(crc >> (8 * i));
    CHECK_EQ_MEM(le, 8, trailer, 8);
}

TEST(table_matches_definition_at_every_length_and_split)
{
    unsigned char buf[300];
    srand(7);
    for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)rand();
    int bad = 0;
    for (size_t len = 0; len <= sizeof(buf); len++) {
        uint64_t want = crc64_jones_bitwise(0, buf, len);
        if (crc64_jones(0, buf, len) != want) bad++;
        for (size_t cut = 0; cut <= len; cut += 7) {
            uint64_t c = crc64_jones(0, buf, cut);
            if (crc64_jones(c, buf + cut, len - cut) != want) bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(a_single_flipped_bit_changes_the_crc)
{
    unsigned char buf[64];
    memset(buf, 'x', sizeof(buf));
    uint64_t base = crc64_jones(0, buf, sizeof(buf));
    int same = 0;
    for (size_t i = 0; i < sizeof(buf) * 8; i++) {
        buf[i / 8] ^= (unsigned char)(1u << (i % 8));
        if (crc64_jones(0, buf, sizeof(buf)) == base) same++;
        buf[i / 8] ^= (unsigned char)(1u << (i % 8));
    }
    CHECK_EQ_INT(same, 0);
}

int main(void)
{
    RUN(check_value_of_123456789);
    RUN(empty_input_keeps_the_crc);
    RUN(checksum_of_an_rdb_file_redis_accepts);
    RUN(table_matches_definition_at_every_length_and_split);
    RUN(a_single_flipped_bit_changes_the_crc);
    return unit_done();
}
