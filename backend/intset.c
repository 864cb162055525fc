/* backend/intset: see intset.h. One allocation: a small header and the
 * elements, native byte order (the array never leaves the process). */
#include "backend/intset.h"

#include <string.h>

#include "lib/mem.h"

struct intset {
    uint32_t width;     /* bytes per element: 2, 4 or 8 */
    uint32_t len;
    uint8_t data[];
};

static unsigned width_for(int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) return 4;
    return 2;
}

static int64_t get_w(const struct intset *is, uint32_t pos, unsigned width)
{
    const uint8_t *p = is->data + (size_t)pos * width;
    if (width == 2) {
        int16_t v;
        memcpy(&v, p, sizeof(v));
        return v;
    }
    if (width == 4) {
        int32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
    }
    int64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void set_w(struct intset *is, uint32_t pos, unsigned width, int64_t v)
{
    uint8_t *p = is->data + (size_t)pos * width;
    if (width == 2) {
        int16_t x = (int16_t)v;
        memcpy(p, &x, sizeof(x));
    } else if (width == 4) {
        int32_t x = (int32_t)v;
        memcpy(p, &x, sizeof(x));
    } else {
        memcpy(p, &v, sizeof(v));
    }
}

static struct intset *resize(struct intset *is, uint32_t len)
{
    return mem_realloc(is, sizeof(*is) + (size_t)len * is->width);
}

struct intset *intset_create(void)
{
    struct intset *is = mem_alloc(sizeof(*is));
    is->width = 2;
    is->len = 0;
    return is;
}

void intset_destroy(struct intset **is)
{
    if (*is == NULL) return;
    mem_free(*is);
    *is = NULL;
}

struct intset *intset_dup(const struct intset *is)
{
    size_t n = sizeof(*is) + (size_t)is->len * is->width;
    struct intset *copy = mem_alloc(n);
    memcpy(copy, is, n);
    return copy;
}

/* Binary search: 1 and the position if found, else 0 and where v goes. */
static int search(const struct intset *is, int64_t v, uint32_t *pos)
{
    uint32_t lo = 0, hi = is->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_w(is, mid, is->width);
        if (cur == v) {
            *pos = mid;
            return 1;
        }
        if (cur < v) lo = mid + 1;
        else hi = mid;
    }
    *pos = lo;
    return 0;
}

/* Widens every element to hold v, which is then smaller or larger than
 * all of them, and appends or prepends it. */
static struct intset *upgrade_and_add(struct intset *is, int64_t v)
{
    unsigned old = is->width, width = width_for(v);
    uint32_t len = is->len;
    int prepend = v < 0;
    is->width = width;
    is = resize(is, len + 1);
    /* back to front, so no element is overwritten before it is moved */
    for (uint32_t i = len; i-- > 0;) set_w(is, i + (uint32_t)prepend, width, get_w(is, i, old));
    set_w(is, prepend ? 0 : len, width, v);
    is->len = len + 1;
    return is;
}

struct intset *intset_add(struct intset *is, int64_t v, int *added)
{
    uint32_t pos;
    *added = 0;
    if (width_for(v) > is->width) {
        *added = 1;
        return upgrade_and_add(is, v);
    }
    if (search(is, v, &pos)) return is;
    is = resize(is, is->len + 1);
    memmove(is->data + (size_t)(pos + 1) * is->width, is->data + (size_t)pos * is->width,
            (size_t)(is->len - pos) * is->width);
    set_w(is, pos, is->width, v);
    is->len++;
    *added = 1;
    return is;
}

struct intset *intset_remove(struct intset *is, int64_t v, int *removed)
{
    uint32_t pos;
    *removed = 0;
    if (width_for(v) > is->width || !search(is, v, &pos)) return is;
    memmove(is->data + (size_t)pos * is->width, is->data + (size_t)(pos + 1) * is->width,
            (size_t)(is->len - pos - 1) * is->width);
    is->len--;
    *removed = 1;
    return resize(is, is->len);
}

int intset_find(const struct intset *is, int64_t v)
{
    uint32_t pos;
    return width_for(v) <= is->width && search(is, v, &pos);
}

uint32_t intset_len(const struct intset *is)
{
    return is->len;
}

int64_t intset_get(const struct intset *is, uint32_t pos)
{
    return get_w(is, pos, is->width);
}

size_t intset_bytes(const struct intset *is)
{
    return mem_usable((void *)is);
}

unsigned intset_width(const struct intset *is)
{
    return is->width;
}
