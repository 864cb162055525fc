/* backend/lpack: see lpack.h. One allocation:
 *
 *   [total bytes: u32 LE][count: u32 LE][element]...
 *
 * An element is   encoding-header payload back-length.
 * The header's first byte says what follows:
 *
 *   0xxxxxxx                 integer 0..127, no payload
 *   10xxxxxx                 string of 0..63 bytes
 *   110xxxxx b               integer -4096..4095 (13 bits, two's complement)
 *   1110xxxx b               string of 0..4095 bytes (12-bit length)
 *   0xF0 / F1 / F2 / F3      integer in 2 / 3 / 4 / 8 bytes LE
 *   0xF4 + u32 LE            string of any length
 *
 * The back-length is the size of header+payload in 7-bit groups written
 * backwards from the element's end (low group last, high bit = "more
 * groups before me"), so a walker standing at an element's end can find its
 * start. The count lives in the header so lp_count is O(1) with no cap; no
 * end marker is needed because the total size is known. Positions handed
 * out are byte offsets, never pointers, because every change may move the
 * block. */
#include "backend/lpack.h"

#include "lib/mem.h"
#include "lib/util.h"

#include <assert.h>
#include <string.h>

#define LP_HDR 8

#define LP_INT16 0xF0
#define LP_INT24 0xF1
#define LP_INT32 0xF2
#define LP_INT64 0xF3
#define LP_STR32 0xF4

/* A new element before it is written: header (with the whole integer for
 * integers) and the string payload if any. */
struct lp_enc {
    unsigned char hdr[9];
    size_t hlen;
    const char *payload;
    size_t plen;
};

/* ------------------------------------------------------------ raw access */

static uint32_t rd_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void set_total(unsigned char *lp, size_t n)
{
    assert(n <= UINT32_MAX);
    wr_u32(lp, (uint32_t)n);
}

static void set_count(unsigned char *lp, size_t n) { wr_u32(lp + 4, (uint32_t)n); }

size_t lp_bytes(const unsigned char *lp) { return rd_u32(lp); }
size_t lp_count(const unsigned char *lp) { return rd_u32(lp + 4); }

static size_t backlen_size(size_t l)
{
    if (l < 128) return 1;
    if (l < 16384) return 2;
    if (l < 2097152) return 3;
    if (l < 268435456) return 4;
    return 5;
}

static void backlen_write(unsigned char *end, size_t l)
{
    size_t n = backlen_size(l);
    for (size_t i = 0; i < n; i++)
        end[-1 - (ptrdiff_t)i] = (unsigned char)(((l >> (7 * i)) & 127) | (i + 1 < n ? 128 : 0));
}

/* Size of header+payload of the element whose back-length ends at end. */
static size_t backlen_read(const unsigned char *end)
{
    size_t l = 0;
    for (unsigned i = 0;; i++) {
        unsigned char b = end[-1 - (ptrdiff_t)i];
        l |= (size_t)(b & 127) << (7 * i);
        if (!(b & 128)) return l;
    }
}

/* Size of header+payload of the element starting at p. */
static size_t enc_size(const unsigned char *p)
{
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    if (b < 0xC0) return 1 + (size_t)(b & 0x3F);
    if (b < 0xE0) return 2;
    if (b < 0xF0) return 2 + ((size_t)(b & 0x0F) << 8 | p[1]);
    switch (b) {
    case LP_INT16: return 3;
    case LP_INT24: return 4;
    case LP_INT32: return 5;
    case LP_INT64: return 9;
    case LP_STR32: return 5 + (size_t)rd_u32(p + 1);
    default: assert(!"lpack: bad encoding byte"); return 1;
    }
}

static size_t elem_size(const unsigned char *p)
{
    size_t l = enc_size(p);
    return l + backlen_size(l);
}

/* ------------------------------------------------------------- encoding */

static void enc_int(struct lp_enc *e, long long v)
{
    unsigned long long u = (unsigned long long)v;
    e->payload = NULL;
    e->plen = 0;
    if (v >= 0 && v <= 127) {
        e->hdr[0] = (unsigned char)v;
        e->hlen = 1;
        return;
    }
    if (v >= -4096 && v <= 4095) {
        e->hdr[0] = (unsigned char)(0xC0 | ((u >> 8) & 0x1F));
        e->hdr[1] = (unsigned char)u;
        e->hlen = 2;
        return;
    }
    size_t n;
    if (v >= INT16_MIN && v <= INT16_MAX) { e->hdr[0] = LP_INT16; n = 2; }
    else if (v >= -8388608 && v <= 8388607) { e->hdr[0] = LP_INT24; n = 3; }
    else if (v >= INT32_MIN && v <= INT32_MAX) { e->hdr[0] = LP_INT32; n = 4; }
    else { e->hdr[0] = LP_INT64; n = 8; }
    for (size_t i = 0; i < n; i++) e->hdr[1 + i] = (unsigned char)(u >> (8 * i));
    e->hlen = 1 + n;
}

static void enc_str(struct lp_enc *e, const char *s, size_t len)
{
    long long v;
    if (util_str2ll(s, len, &v) == 0) {
        enc_int(e, v);
        return;
    }
    e->payload = s;
    e->plen = len;
    if (len < 64) {
        e->hdr[0] = (unsigned char)(0x80 | len);
        e->hlen = 1;
    } else if (len < 4096) {
        e->hdr[0] = (unsigned char)(0xE0 | (len >> 8));
        e->hdr[1] = (unsigned char)len;
        e->hlen = 2;
    } else {
        assert(len <= UINT32_MAX - 64);
        e->hdr[0] = LP_STR32;
        wr_u32(e->hdr + 1, (uint32_t)len);
        e->hlen = 5;
    }
}

static size_t enc_total(const struct lp_enc *e)
{
    size_t l = e->hlen + e->plen;
    return l + backlen_size(l);
}

static void enc_write(unsigned char *p, const struct lp_enc *e)
{
    memcpy(p, e->hdr, e->hlen);
    if (e->plen) memcpy(p + e->hlen, e->payload, e->plen);
    size_t l = e->hlen + e->plen;
    backlen_write(p + l + backlen_size(l), l);
}

/* Decodes the integer of the element at p; 0 if it is a string. */
static int dec_int(const unsigned char *p, long long *out)
{
    unsigned char b = p[0];
    if (b < 0x80) { *out = b; return 1; }
    if (b >= 0xC0 && b < 0xE0) {
        long long u = (long long)((unsigned)(b & 0x1F) << 8 | p[1]);
        *out = u >= 4096 ? u - 8192 : u;
        return 1;
    }
    size_t n;
    switch (b) {
    case LP_INT16: n = 2; break;
    case LP_INT24: n = 3; break;
    case LP_INT32: n = 4; break;
    case LP_INT64: n = 8; break;
    default: return 0;
    }
    unsigned long long u = 0;
    for (size_t i = 0; i < n; i++) u |= (unsigned long long)p[1 + i] << (8 * i);
    if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~0ULL << (8 * n);   /* sign-extend */
    *out = (long long)u;
    return 1;
}

/* The string payload of a string element at p. */
static const char *dec_str(const unsigned char *p, size_t *len)
{
    unsigned char b = p[0];
    if (b >= 0x80 && b < 0xC0) { *len = b & 0x3F; return (const char *)p + 1; }
    if (b >= 0xE0 && b < 0xF0) { *len = (size_t)(b & 0x0F) << 8 | p[1]; return (const char *)p + 2; }
    *len = rd_u32(p + 1);
    return (const char *)p + 5;
}

/* --------------------------------------------------------------- public */

unsigned char *lp_create(void)
{
    unsigned char *lp = mem_alloc(LP_HDR);
    set_total(lp, LP_HDR);
    set_count(lp, 0);
    return lp;
}

void lp_destroy(unsigned char **lp)
{
    if (*lp == NULL) return;
    mem_free(*lp);
    *lp = NULL;
}

unsigned char *lp_dup(const unsigned char *lp)
{
    size_t n = lp_bytes(lp);
    unsigned char *d = mem_alloc(n);
    memcpy(d, lp, n);
    return d;
}

size_t lp_first(const unsigned char *lp) { return lp_count(lp) ? LP_HDR : 0; }

size_t lp_next(const unsigned char *lp, size_t off)
{
    size_t n = off + elem_size(lp + off);
    return n < lp_bytes(lp) ? n : 0;
}

size_t lp_prev(const unsigned char *lp, size_t off)
{
    if (off <= LP_HDR) return 0;
    size_t l = backlen_read(lp + off);
    return off - l - backlen_size(l);
}

size_t lp_last(const unsigned char *lp)
{
    return lp_count(lp) ? lp_prev(lp, lp_bytes(lp)) : 0;
}

size_t lp_seek(const unsigned char *lp, long long index)
{
    long long n = (long long)lp_count(lp);
    if (index < 0) index += n;
    if (index < 0 || index >= n) return 0;
    size_t off;
    if (index <= n / 2) {
        off = lp_first(lp);
        while (index-- > 0) off = lp_next(lp, off);
    } else {
        off = lp_last(lp);
        for (long long i = n - 1; i > index; i--) off = lp_prev(lp, off);
    }
    return off;
}

void lp_get(const unsigned char *lp, size_t off, struct lp_val *v)
{
    const unsigned char *p = lp + off;
    if (dec_int(p, &v->ll)) {
        v->is_int = 1;
        v->len = (size_t)util_ll2str(v->buf, v->ll);
        v->p = v->buf;
    } else {
        v->is_int = 0;
        v->ll = 0;
        v->p = dec_str(p, &v->len);
    }
}

/* s as the pack would store it: an integer when util_str2ll takes it. */
struct lp_key {
    const char *s;
    size_t len;
    int is_int;
    long long ll;
};

static void key_init(struct lp_key *k, const char *s, size_t len)
{
    k->s = s;
    k->len = len;
    k->is_int = util_str2ll(s, len, &k->ll) == 0;
}

/* An integer element never equals a non-integer string and vice versa:
 * the pack stores every integer string as an integer. */
static int key_eq(const unsigned char *p, const struct lp_key *k)
{
    long long v;
    if (dec_int(p, &v)) return k->is_int && v == k->ll;
    if (k->is_int) return 0;
    size_t len;
    const char *s = dec_str(p, &len);
    return len == k->len && (len == 0 || memcmp(s, k->s, len) == 0);
}

int lp_eq(const unsigned char *lp, size_t off, const char *s, size_t len)
{
    struct lp_key k;
    key_init(&k, s, len);
    return key_eq(lp + off, &k);
}

size_t lp_find(const unsigned char *lp, size_t off, const char *s, size_t len, unsigned skip)
{
    struct lp_key k;
    key_init(&k, s, len);
    size_t total = lp_bytes(lp);
    while (off != 0 && off < total) {
        if (key_eq(lp + off, &k)) return off;
        for (unsigned i = 0; i <= skip && off < total; i++) off += elem_size(lp + off);
    }
    return 0;
}

/* ------------------------------------------------------------ modifying */

/* Replaces del bytes (del_count elements) at off with e (if not NULL). */
static unsigned char *splice(unsigned char *lp, size_t off, size_t del, size_t del_count,
                             const struct lp_enc *e)
{
    size_t total = lp_bytes(lp), add = e ? enc_total(e) : 0;
    size_t count = lp_count(lp) - del_count + (e ? 1 : 0);
    size_t ntotal = total - del + add;
    if (add > del) {
        lp = mem_realloc(lp, ntotal);
        memmove(lp + off + add, lp + off + del, total - off - del);
    } else if (add < del) {
        memmove(lp + off + add, lp + off + del, total - off - del);
        lp = mem_realloc(lp, ntotal);
    }
    if (e) enc_write(lp + off, e);
    set_total(lp, ntotal);
    set_count(lp, count);
    return lp;
}

unsigned char *lp_append(unsigned char *lp, const char *s, size_t len)
{
    struct lp_enc e;
    enc_str(&e, s, len);
    return splice(lp, lp_bytes(lp), 0, 0, &e);
}

unsigned char *lp_prepend(unsigned char *lp, const char *s, size_t len)
{
    struct lp_enc e;
    enc_str(&e, s, len);
    return splice(lp, LP_HDR, 0, 0, &e);
}

unsigned char *lp_append_ll(unsigned char *lp, long long v)
{
    struct lp_enc e;
    enc_int(&e, v);
    return splice(lp, lp_bytes(lp), 0, 0, &e);
}

unsigned char *lp_insert(unsigned char *lp, size_t off, const char *s, size_t len, int after)
{
    struct lp_enc e;
    enc_str(&e, s, len);
    if (off == 0) off = lp_bytes(lp);   /* no element: append */
    else if (after) off += elem_size(lp + off);
    return splice(lp, off, 0, 0, &e);
}

unsigned char *lp_replace(unsigned char *lp, size_t off, const char *s, size_t len)
{
    struct lp_enc e;
    enc_str(&e, s, len);
    return splice(lp, off, elem_size(lp + off), 1, &e);
}

unsigned char *lp_delete(unsigned char *lp, size_t off, size_t n)
{
    if (off == 0 || n == 0) return lp;
    size_t total = lp_bytes(lp), end = off, k = 0;
    while (k < n && end < total) {
        end += elem_size(lp + end);
        k++;
    }
    return splice(lp, off, end - off, k, NULL);
}

unsigned char *lp_delete_range(unsigned char *lp, long long start, size_t n)
{
    return lp_delete(lp, lp_seek(lp, start), n);
}

size_t lp_elem_bytes(const unsigned char *lp, size_t off)
{
    return elem_size(lp + off);
}

int lp_validate(const unsigned char *lp)
{
    size_t total = lp_bytes(lp), off = LP_HDR, n = 0;
    if (total < LP_HDR) return 0;
    while (off < total) {
        if (lp[off] >= 0xF5) return 0;
        size_t l = enc_size(lp + off), sz = l + backlen_size(l);
        if (off + sz > total || backlen_read(lp + off + sz) != l) return 0;
        off += sz;
        n++;
    }
    return off == total && n == lp_count(lp);
}
