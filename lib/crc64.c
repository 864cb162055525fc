/* lib/crc64: see crc64.h. */
#include "lib/crc64.h"

#include <string.h>

/* The polynomial bit-reversed, for the reflected (LSB-first) form. */
#define CRC64_JONES_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t table[8][256];
static int table_ready;

static void build_tables(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ CRC64_JONES_REFLECTED : c >> 1;
        table[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++) table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
    table_ready = 1;
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

uint64_t crc64_jones(uint64_t crc, const void *p, size_t len)
{
    const unsigned char *s = p;
    if (!table_ready) build_tables();
    while (len >= 8) {
        crc ^= load_le64(s);
        crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^ table[5][(crc >> 16) & 0xff] ^
              table[4][(crc >> 24) & 0xff] ^ table[3][(crc >> 32) & 0xff] ^
              table[2][(crc >> 40) & 0xff] ^ table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
        s += 8;
        len -= 8;
    }
    while (len--) crc = table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint64_t crc64_jones_bitwise(uint64_t crc, const void *p, size_t len)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++) {
        crc ^= s[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ CRC64_JONES_REFLECTED : crc >> 1;
    }
    return crc;
}
