/* tests/unit/test_rdb: the decoders of Redis's RDB containers
 * (backend/rdb_codec). The ziplist example of Redis's ziplist.c
 * documentation ("2", "5", "Hello World") decodes as documented; ziplists,
 * listpacks and intsets built here with every entry encoding (string
 * headers of each size, each integer width, 1- and 5-byte prevlen, 1..3
 * byte back-lengths) give back what they hold; malformed containers and a
 * visitor that stops are refused without reading past the buffer. The
 * redis 7.0 encodings are also loaded from real dump files by
 * tests/integration/persist-rdb.tcl; ziplists (Redis <= 6) only here. */
#include "backend/rdb_codec.h"
#include "tests/unit/unit.h"

#include <stdlib.h>

struct seen {
    char text[64][64];
    int n;
    int stop_at;
};

static int record(void *priv, const char *p, size_t len, long long v)
{
    struct seen *s = priv;
    if (s->n == s->stop_at) return 1;
    if (p && len <= 40) snprintf(s->text[s->n], sizeof(s->text[0]), "s:%.*s", (int)len, p);
    else if (p) snprintf(s->text[s->n], sizeof(s->text[0]), "s:%.6s#%zu", p, len);   /* long: head and length */
    else snprintf(s->text[s->n], sizeof(s->text[0]), "i:%lld", v);
    s->n++;
    return 0;
}

static struct seen fresh(void)
{
    struct seen s;
    memset(&s, 0, sizeof(s));
    s.stop_at = -1;
    return s;
}

TEST(ziplist_documentation_example)
{
    /* zlbytes 15, zltail 12, zllen 2, [00 f3] [02 f6] ff: "2" and "5" */
    static const unsigned char zl[] = {0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 0x02, 0, 0x00, 0xf3, 0x02, 0xf6, 0xff};
    struct seen s = fresh();
    CHECK_EQ_INT(rdb_ziplist_each(zl, sizeof(zl), record, &s), 0);
    CHECK_EQ_INT(s.n, 2);
    CHECK_EQ_STR(s.text[0], "i:2");
    CHECK_EQ_STR(s.text[1], "i:5");
    /* with "Hello World" appended: prevlen 02, encoding 0b, 11 bytes */
    static const unsigned char zl2[] = {0x1c, 0, 0, 0, 0x0e, 0, 0, 0, 0x03, 0, 0x00, 0xf3, 0x02, 0xf6, 0x02, 0x0b,
                                        'H', 'e', 'l', 'l', 'o', ' ', 'W', 'o', 'r', 'l', 'd', 0xff};
    s = fresh();
    CHECK_EQ_INT(rdb_ziplist_each(zl2, sizeof(zl2), record, &s), 0);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EQ_STR(s.text[2], "s:Hello World");
}

/* ---- a ziplist writer, by the format's rules */

struct buf {
    unsigned char p[20000];
    size_t n;
    size_t last;   /* size of the previous entry (prevlen) */
};

static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_le(struct buf *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) b->p[b->n++] = (unsigned char)(v >> (8 * i));
}

static void zl_prevlen(struct buf *b)
{
    if (b->last < 254) {
        b->p[b->n++] = (unsigned char)b->last;
    } else {
        b->p[b->n++] = 0xfe;
        put_le(b, b->last, 4);
    }
}

static void zl_str(struct buf *b, const char *s, size_t len)
{
    size_t start = b->n;
    zl_prevlen(b);
    if (len < 64) {
        b->p[b->n++] = (unsigned char)len;
    } else if (len < 16384) {
        b->p[b->n++] = (unsigned char)(0x40 | (len >> 8));
        b->p[b->n++] = (unsigned char)len;
    } else {
        b->p[b->n++] = 0x80;
        for (int i = 3; i >= 0; i--) b->p[b->n++] = (unsigned char)(len >> (8 * i));
    }
    put(b, s, len);
    b->last = b->n - start;
}

static void zl_int(struct buf *b, unsigned char enc, int bytes, long long v)
{
    size_t start = b->n;
    zl_prevlen(b);
    b->p[b->n++] = enc;
    put_le(b, (uint64_t)v, bytes);
    b->last = b->n - start;
}

static void zl_finish(struct buf *b, int count)
{
    b->p[b->n++] = 0xff;
    size_t total = b->n;
    b->n = 0;
    put_le(b, total, 4);
    put_le(b, 0, 4);               /* zltail: not needed to walk forward */
    put_le(b, (uint64_t)count, 2);
    b->n = total;
}

TEST(ziplist_every_encoding)
{
    static struct buf b;
    memset(&b, 0, sizeof(b));
    b.n = 10;
    char big[300], huge[17000];
    memset(big, 'b', sizeof(big));
    memset(huge, 'h', sizeof(huge));
    zl_str(&b, "", 0);
    zl_str(&b, big, 100);            /* 14-bit length */
    zl_str(&b, big, 300);            /* the next entry has a 5-byte prevlen */
    zl_int(&b, 0xf1, 0, 0);          /* immediate 0 */
    zl_int(&b, 0xfd, 0, 12);         /* immediate 12 */
    zl_int(&b, 0xfe, 1, -128);       /* int8 */
    zl_int(&b, 0xc0, 2, -32768);     /* int16 */
    zl_int(&b, 0xf0, 3, -8388608);   /* int24 */
    zl_int(&b, 0xd0, 4, 2147483647); /* int32 */
    zl_int(&b, 0xe0, 8, (long long)(-9223372036854775807LL - 1));   /* int64 */
    zl_str(&b, huge, sizeof(huge));  /* 32-bit length */
    zl_finish(&b, 11);
    struct seen s = fresh();
    CHECK_EQ_INT(rdb_ziplist_each(b.p, b.n, record, &s), 0);
    CHECK_EQ_INT(s.n, 11);
    CHECK_EQ_STR(s.text[0], "s:");
    CHECK(strncmp(s.text[1], "s:bbbb", 6) == 0 && strstr(s.text[1], "#100"));
    CHECK(strstr(s.text[2], "#300") != NULL);
    CHECK_EQ_STR(s.text[3], "i:0");
    CHECK_EQ_STR(s.text[4], "i:12");
    CHECK_EQ_STR(s.text[5], "i:-128");
    CHECK_EQ_STR(s.text[6], "i:-32768");
    CHECK_EQ_STR(s.text[7], "i:-8388608");
    CHECK_EQ_STR(s.text[8], "i:2147483647");
    CHECK_EQ_STR(s.text[9], "i:-9223372036854775808");
    CHECK(strstr(s.text[10], "#17000") != NULL);
}

/* ---- a listpack writer */

static void lp_backlen(struct buf *b, size_t l)
{
    if (l <= 127) {
        b->p[b->n++] = (unsigned char)l;
    } else if (l < 16383) {
        b->p[b->n++] = (unsigned char)(l >> 7);
        b->p[b->n++] = (unsigned char)((l & 127) | 128);
    } else {
        b->p[b->n++] = (unsigned char)(l >> 14);
        b->p[b->n++] = (unsigned char)(((l >> 7) & 127) | 128);
        b->p[b->n++] = (unsigned char)((l & 127) | 128);
    }
}

static void lp_raw(struct buf *b, const unsigned char *enc, size_t n)
{
    put(b, enc, n);
    lp_backlen(b, n);
}

static void lp_str(struct buf *b, const char *s, size_t len)
{
    unsigned char e[20000];
    size_t h;
    if (len < 64) {
        e[0] = (unsigned char)(0x80 | len), h = 1;
    } else if (len < 4096) {
        e[0] = (unsigned char)(0xe0 | (len >> 8)), e[1] = (unsigned char)len, h = 2;
    } else {
        e[0] = 0xf0, h = 5;
        for (int i = 0; i < 4; i++) e[1 + i] = (unsigned char)(len >> (8 * i));
    }
    memcpy(e + h, s, len);
    lp_raw(b, e, h + len);
}

static void lp_int(struct buf *b, unsigned char tag, int bytes, long long v)
{
    unsigned char e[9] = {tag};
    for (int i = 0; i < bytes; i++) e[1 + i] = (unsigned char)((uint64_t)v >> (8 * i));
    lp_raw(b, e, (size_t)bytes + 1);
}

static void lp_finish(struct buf *b, int count)
{
    b->p[b->n++] = 0xff;
    size_t total = b->n;
    b->n = 0;
    put_le(b, total, 4);
    put_le(b, (uint64_t)count, 2);
    b->n = total;
}

TEST(listpack_every_encoding)
{
    static struct buf b;
    memset(&b, 0, sizeof(b));
    b.n = 6;
    char big[5000];
    memset(big, 'q', sizeof(big));
    unsigned char u7 = 127;
    lp_raw(&b, &u7, 1);                                       /* 7-bit uint */
    lp_str(&b, "hi", 2);                                      /* 6-bit string */
    unsigned char i13[2] = {0xdf, 0x9c};                      /* 13-bit: -100 */
    lp_raw(&b, i13, 2);
    unsigned char i13max[2] = {0xcf, 0xff};                   /* 13-bit: 4095 */
    lp_raw(&b, i13max, 2);
    lp_str(&b, big, 100);                                     /* 12-bit, 1-byte backlen */
    lp_str(&b, big, 200);                                     /* 12-bit, 2-byte backlen */
    lp_str(&b, big, 5000);                                    /* 32-bit string */
    lp_int(&b, 0xf1, 2, -30000);                              /* int16 */
    lp_int(&b, 0xf2, 3, -1000000);                            /* int24 */
    lp_int(&b, 0xf3, 4, 2147483647);                          /* int32 */
    lp_int(&b, 0xf4, 8, (long long)(-9223372036854775807LL - 1));   /* int64 */
    lp_finish(&b, 11);
    struct seen s = fresh();
    CHECK_EQ_INT(rdb_listpack_each(b.p, b.n, record, &s), 0);
    CHECK_EQ_INT(s.n, 11);
    CHECK_EQ_STR(s.text[0], "i:127");
    CHECK_EQ_STR(s.text[1], "s:hi");
    CHECK_EQ_STR(s.text[2], "i:-100");
    CHECK_EQ_STR(s.text[3], "i:4095");
    CHECK(strstr(s.text[4], "#100") != NULL);
    CHECK(strstr(s.text[5], "#200") != NULL);
    CHECK(strstr(s.text[6], "#5000") != NULL);
    CHECK_EQ_STR(s.text[7], "i:-30000");
    CHECK_EQ_STR(s.text[8], "i:-1000000");
    CHECK_EQ_STR(s.text[9], "i:2147483647");
    CHECK_EQ_STR(s.text[10], "i:-9223372036854775808");
}

TEST(intset_widths)
{
    static const unsigned char is16[] = {2, 0, 0, 0, 3, 0, 0, 0, 0xfb, 0xff, 3, 0, 0x2c, 0x01};
    struct seen s = fresh();
    CHECK_EQ_INT(rdb_intset_each(is16, sizeof(is16), record, &s), 0);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EQ_STR(s.text[0], "i:-5");
    CHECK_EQ_STR(s.text[1], "i:3");
    CHECK_EQ_STR(s.text[2], "i:300");
    static const unsigned char is64[] = {8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
    s = fresh();
    CHECK_EQ_INT(rdb_intset_each(is64, sizeof(is64), record, &s), 0);
    CHECK_EQ_STR(s.text[0], "i:-9223372036854775808");
    static const unsigned char is32[] = {4, 0, 0, 0, 1, 0, 0, 0, 0xa0, 0x86, 0x01, 0x00};
    s = fresh();
    CHECK_EQ_INT(rdb_intset_each(is32, sizeof(is32), record, &s), 0);
    CHECK_EQ_STR(s.text[0], "i:100000");
}

TEST(malformed_containers_are_refused)
{
    static const unsigned char zl[] = {0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 0x02, 0, 0x00, 0xf3, 0x02, 0xf6, 0xff};
    struct seen s = fresh();
    /* every truncation of a valid container is refused, never overread */
    int accepted = 0;
    for (size_t n = 0; n < sizeof(zl); n++) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, zl, n);
        s = fresh();
        if (rdb_ziplist_each(copy, n, record, &s) == 0) accepted++;
        if (rdb_listpack_each(copy, n, record, &s) == 0) accepted++;
        if (rdb_intset_each(copy, n, record, &s) == 0) accepted++;
        free(copy);
    }
    CHECK_EQ_INT(accepted, 0);
    /* a string longer than the ziplist */
    static const unsigned char zl_long[] = {0x0e, 0, 0, 0, 0x0a, 0, 0, 0, 0x01, 0, 0x00, 0x3f, 'a', 0xff};
    CHECK_EQ_INT(rdb_ziplist_each(zl_long, sizeof(zl_long), record, &s), -1);
    /* an undefined ziplist integer encoding (0xf0 is int24, 0xff the end) */
    static const unsigned char zl_bad[] = {0x0d, 0, 0, 0, 0x0a, 0, 0, 0, 0x01, 0, 0x00, 0xc8, 0xff};
    CHECK_EQ_INT(rdb_ziplist_each(zl_bad, sizeof(zl_bad), record, &s), -1);
    /* listpack: an undefined encoding byte */
    static const unsigned char lp_bad[] = {0x09, 0, 0, 0, 0x01, 0, 0xf5, 0x01, 0xff};
    CHECK_EQ_INT(rdb_listpack_each(lp_bad, sizeof(lp_bad), record, &s), -1);
    /* listpack: total bytes disagree */
    static const unsigned char lp_size[] = {0x10, 0, 0, 0, 0x01, 0, 0x05, 0x01, 0xff};
    CHECK_EQ_INT(rdb_listpack_each(lp_size, sizeof(lp_size), record, &s), -1);
    /* intset: width 3, and a length that does not match the size */
    static const unsigned char is_w3[] = {3, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3};
    static const unsigned char is_len[] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0};
    CHECK_EQ_INT(rdb_intset_each(is_w3, sizeof(is_w3), record, &s), -1);
    CHECK_EQ_INT(rdb_intset_each(is_len, sizeof(is_len), record, &s), -1);
}

TEST(a_visitor_can_stop_the_walk)
{
    static const unsigned char zl[] = {0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 0x02, 0, 0x00, 0xf3, 0x02, 0xf6, 0xff};
    struct seen s = fresh();
    s.stop_at = 1;
    CHECK_EQ_INT(rdb_ziplist_each(zl, sizeof(zl), record, &s), -1);
    CHECK_EQ_INT(s.n, 1);
}

int main(void)
{
    RUN(ziplist_documentation_example);
    RUN(ziplist_every_encoding);
    RUN(listpack_every_encoding);
    RUN(intset_widths);
    RUN(malformed_containers_are_refused);
    RUN(a_visitor_can_stop_the_walk);
    return unit_done();
}
