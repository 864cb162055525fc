/* lib/lzf: see lzf.h. */
#include "lib/lzf.h"

#include <stdint.h>
#include <string.h>

#define LZF_HLOG 14
#define LZF_HSIZE (1u << LZF_HLOG)
#define LZF_MAX_LIT 32                  /* literal run: 1..32 bytes */
#define LZF_MAX_OFF (1u << 13)          /* back reference: 1..8192 bytes back */
#define LZF_MAX_REF (7 + 255 + 2)       /* back reference: 3..264 bytes */

static inline uint32_t hash3(const unsigned char *p)
{
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - LZF_HLOG);
}

struct lzf_out {
    unsigned char *p, *end;
    const unsigned char *lit;   /* start of the pending literal run */
    size_t nlit;
};

/* Emits the pending literals (in runs of at most 32). 0 if out is full. */
static int flush_literals(struct lzf_out *o)
{
    while (o->nlit > 0) {
        size_t n = o->nlit > LZF_MAX_LIT ? LZF_MAX_LIT : o->nlit;
        if ((size_t)(o->end - o->p) < n + 1) return 0;
        *o->p++ = (unsigned char)(n - 1);
        memcpy(o->p, o->lit, n);
        o->p += n;
        o->lit += n;
        o->nlit -= n;
    }
    return 1;
}

static int emit_ref(struct lzf_out *o, size_t len, size_t off)
{
    size_t l = len - 2;
    if ((size_t)(o->end - o->p) < 3) return 0;
    if (l < 7) {
        *o->p++ = (unsigned char)((off >> 8) + (l << 5));
    } else {
        *o->p++ = (unsigned char)((off >> 8) + (7 << 5));
        *o->p++ = (unsigned char)(l - 7);
    }
    *o->p++ = (unsigned char)(off & 0xff);
    return 1;
}

size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_len)
{
    const unsigned char *ip = in, *start = in, *end = ip + in_len;
    uint32_t htab[LZF_HSIZE];   /* position + 1 of the last 3-byte prefix; 0 = none */
    struct lzf_out o = {out, (unsigned char *)out + out_len, ip, 0};
    if (in_len == 0) return 0;
    memset(htab, 0, sizeof(htab));
    while (ip + 2 < end) {
        uint32_t h = hash3(ip);
        uint32_t pos = (uint32_t)(ip - start);
        const unsigned char *ref = htab[h] ? start + htab[h] - 1 : NULL;
        htab[h] = pos + 1;
        if (ref && (size_t)(ip - ref) <= LZF_MAX_OFF && memcmp(ref, ip, 3) == 0) {
            size_t max = (size_t)(end - ip) < LZF_MAX_REF ? (size_t)(end - ip) : LZF_MAX_REF;
            size_t len = 3;
            while (len < max && ref[len] == ip[len]) len++;
            if (!flush_literals(&o) || !emit_ref(&o, len, (size_t)(ip - ref) - 1)) return 0;
            /* index the positions inside the match too (better ratio) */
            for (size_t k = 1; k < len && ip + k + 2 < end; k++)
                htab[hash3(ip + k)] = pos + (uint32_t)k + 1;
            ip += len;
            o.lit = ip;
            continue;
        }
        ip++;
        o.nlit++;
    }
    o.nlit += (size_t)(end - ip);
    if (!flush_literals(&o)) return 0;
    return (size_t)(o.p - (unsigned char *)out);
}

size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len)
{
    const unsigned char *ip = in, *iend = ip + in_len;
    unsigned char *op = out, *oend = op + out_len;
    while (ip < iend) {
        unsigned c = *ip++;
        if (c < 32) {
            size_t n = c + 1;
            if ((size_t)(iend - ip) < n || (size_t)(oend - op) < n) return 0;
            memcpy(op, ip, n);
            op += n;
            ip += n;
            continue;
        }
        size_t len = c >> 5;
        if (len == 7) {
            if (ip >= iend) return 0;
            len += *ip++;
        }
        if (ip >= iend) return 0;
        size_t off = ((size_t)(c & 0x1f) << 8 | *ip++) + 1;
        len += 2;
        if (off > (size_t)(op - (unsigned char *)out) || (size_t)(oend - op) < len) return 0;
        const unsigned char *ref = op - off;
        for (size_t k = 0; k < len; k++) op[k] = ref[k];   /* may overlap: byte by byte */
        op += len;
    }
    return (size_t)(op - (unsigned char *)out);
}
