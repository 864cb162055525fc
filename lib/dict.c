/* lib/dict: the keyspace hash table (design notes in dict.h).
 *
 * A table is a power-of-two array of uintptr_t slots: 0 is empty, the address
 * of dict_tomb_mark is a tombstone, anything else is an entry pointer. On
 * 64-bit x86/arm user pointers fit in 48 bits, so the top 16 bits of a slot
 * carry the top 16 bits of the entry's hash: a probe compares keys only when
 * those match, which skips nearly every foreign entry without touching it.
 *
 * Deleting a slot whose successor is empty empties it (and the tombstones just
 * before it) instead of leaving a tombstone: no probe run can pass through it.
 * This keeps tombstones rare, and it is what keeps the old table fast while
 * rehashing, since the moved-out prefix turns back into empty slots.
 *
 * While rehashing, t[0] is the old table and t[1] the new one; new entries
 * only go to t[1], so t[0] never gains entries and its empty slots stay put.
 */
#include "lib/dict.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"

#define DICT_MIN_SLOTS 16
#define DICT_STEP_ENTRIES 4       /* entries moved by each find/add/delete */
#define DICT_STEP_EMPTY 10        /* empty slots visited per entry of budget */
#define DICT_MS_STEP_ENTRIES 128  /* batch of dict_rehash_ms between clock reads */
#define DICT_RANDOM_TRIES 64

/* -DDICT_TAGGED=0 forces plain pointers (to test that path on x86-64). */
#ifndef DICT_TAGGED
#if UINTPTR_MAX == UINT64_MAX && (defined(__x86_64__) || defined(__aarch64__))
#define DICT_TAGGED 1
#else
#define DICT_TAGGED 0
#endif
#endif
#if DICT_TAGGED
#if UINTPTR_MAX != UINT64_MAX
#error "DICT_TAGGED needs 64-bit pointers"
#endif
#define DICT_TAG_SHIFT 48
#define DICT_PTR_MASK ((UINT64_C(1) << DICT_TAG_SHIFT) - 1)
#endif

struct dict_table {
    uintptr_t *slots;   /* NULL when the table is not in use */
    size_t mask;        /* slot count - 1 */
    size_t used;        /* live entries */
    size_t tombs;
};

struct dict {
    const struct dict_type *type;
    struct dict_table t[2];   /* t[1] is in use only while rehashing */
    size_t rehash_idx;        /* next slot of t[0] to move */
    uint64_t rng;             /* xorshift state for dict_random/dict_sample */
};

static char dict_tomb_mark;
#define SLOT_EMPTY ((uintptr_t)0)
#define SLOT_TOMB ((uintptr_t)&dict_tomb_mark)

static uint64_t hash_k0, hash_k1;
static atomic_int dict_resize_ok = 1;

static void dict_die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void dict_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dict: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* ---- SipHash (Aumasson & Bernstein), rounds as parameters ---- */

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3) do { \
    v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
    v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
    v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
    v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
} while (0)

static inline uint8_t ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Up to 8 bytes, little-endian, optionally lowercased. */
static inline uint64_t load_bytes(const uint8_t *p, size_t n, int nocase)
{
    uint64_t m = 0;
    if (n == 8 && !nocase)
        return load_le64(p);
    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)(nocase ? ascii_lower(p[i]) : p[i]) << (8 * i);
    return m;
}

static inline __attribute__((always_inline)) uint64_t
sip_hash(const uint8_t *in, size_t len, uint64_t k0, uint64_t k1,
         int crounds, int drounds, int nocase)
{
    uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575);
    uint64_t v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261);
    uint64_t v3 = k1 ^ UINT64_C(0x7465646279746573);
    size_t full = len & ~(size_t)7;

    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load_bytes(in + i, 8, nocase);
        v3 ^= m;
        for (int r = 0; r < crounds; r++)
            SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t b = ((uint64_t)len << 56) | load_bytes(in + full, len - full, nocase);
    v3 ^= b;
    for (int r = 0; r < crounds; r++)
        SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < drounds; r++)
        SIP_ROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

void dict_hash_seed(const uint8_t seed[16])
{
    hash_k0 = load_le64(seed);
    hash_k1 = load_le64(seed + 8);
}

uint64_t dict_hash(const void *key, size_t len)
{
    return sip_hash(key, len, hash_k0, hash_k1, 1, 3, 0);
}

uint64_t dict_hash_nocase(const void *key, size_t len)
{
    return sip_hash(key, len, hash_k0, hash_k1, 1, 3, 1);
}

uint64_t dict_siphash(const void *in, size_t len, const uint8_t key[16],
                      int crounds, int drounds)
{
    return sip_hash(in, len, load_le64(key), load_le64(key + 8), crounds, drounds, 0);
}

/* ---- slots ---- */

static inline int slot_live(uintptr_t s)
{
    return s != SLOT_EMPTY && s != SLOT_TOMB;
}

#if DICT_TAGGED
static inline uintptr_t slot_pack(void *entry, uint64_t h)
{
    uintptr_t p = (uintptr_t)entry;
    if (p >> DICT_TAG_SHIFT)
        dict_die("entry pointer %p does not fit in 48 bits", entry);
    return p | (uintptr_t)((h >> DICT_TAG_SHIFT) << DICT_TAG_SHIFT);
}

static inline void *slot_entry(uintptr_t s)
{
    return (void *)(s & DICT_PTR_MASK);
}

static inline int slot_tag_match(uintptr_t s, uint64_t h)
{
    return (s >> DICT_TAG_SHIFT) == (h >> DICT_TAG_SHIFT);
}
#else
static inline uintptr_t slot_pack(void *entry, uint64_t h)
{
    (void)h;
    return (uintptr_t)entry;
}

static inline void *slot_entry(uintptr_t s)
{
    return (void *)s;
}

static inline int slot_tag_match(uintptr_t s, uint64_t h)
{
    (void)s;
    (void)h;
    return 1;
}
#endif

static inline uint64_t key_hash(const struct dict *d, const char *key, size_t klen)
{
    return d->type->nocase ? dict_hash_nocase(key, klen) : dict_hash(key, klen);
}

static inline uint64_t entry_hash(const struct dict *d, const void *entry)
{
    size_t klen;
    const char *key = d->type->entry_key(entry, &klen);
    return key_hash(d, key, klen);
}

static int entry_has_key(const struct dict *d, const void *entry,
                         const char *key, size_t klen)
{
    size_t elen;
    const char *ekey = d->type->entry_key(entry, &elen);
    if (elen != klen)
        return 0;
    if (!d->type->nocase)
        return memcmp(ekey, key, klen) == 0;
    for (size_t i = 0; i < klen; i++)
        if (ascii_lower((uint8_t)ekey[i]) != ascii_lower((uint8_t)key[i]))
            return 0;
    return 1;
}

/* ---- one table ---- */

static struct dict_table table_make(size_t slots)
{
    struct dict_table t = { .mask = slots - 1 };
    t.slots = mem_calloc(slots * sizeof(*t.slots));
    if (t.slots == NULL)
        dict_die("cannot allocate a table of %zu slots", slots);
    return t;
}

static inline size_t table_slots(const struct dict_table *t)
{
    return t->slots ? t->mask + 1 : 0;
}

/* Slot index of the entry with this key, or SIZE_MAX. */
static size_t table_find(const struct dict *d, const struct dict_table *t,
                         uint64_t h, const char *key, size_t klen)
{
    size_t i = h & t->mask;
    for (size_t n = 0; n <= t->mask; n++) {
        uintptr_t s = t->slots[i];
        if (s == SLOT_EMPTY)
            break;
        if (slot_tag_match(s, h) && s != SLOT_TOMB &&
            entry_has_key(d, slot_entry(s), key, klen))
            return i;
        i = (i + 1) & t->mask;
    }
    return SIZE_MAX;
}

/* Puts a packed entry in the first free (empty or tombstone) slot of its run. */
static void table_insert(struct dict_table *t, uintptr_t packed, uint64_t h)
{
    size_t i = h & t->mask;
    while (slot_live(t->slots[i]))
        i = (i + 1) & t->mask;
    if (t->slots[i] == SLOT_TOMB)
        t->tombs--;
    t->slots[i] = packed;
    t->used++;
}

/* Slot i holds no entry any more. If the next slot is empty no probe run goes
 * through i, so it (and the tombstones right before it) can become empty. */
static void table_kill_slot(struct dict_table *t, size_t i)
{
    if (t->slots[(i + 1) & t->mask] != SLOT_EMPTY) {
        if (t->slots[i] != SLOT_TOMB) {
            t->slots[i] = SLOT_TOMB;
            t->tombs++;
        }
        return;
    }
    if (t->slots[i] == SLOT_TOMB)
        t->tombs--;
    t->slots[i] = SLOT_EMPTY;
    for (size_t j = (i - 1) & t->mask; t->slots[j] == SLOT_TOMB; j = (j - 1) & t->mask) {
        t->slots[j] = SLOT_EMPTY;
        t->tombs--;
    }
}

static void table_remove_at(struct dict_table *t, size_t i)
{
    t->used--;
    table_kill_slot(t, i);
}

/* ---- resizing ---- */

static inline int dict_rehashing(const struct dict *d)
{
    return d->t[1].slots != NULL;
}

static inline int resize_allowed(void)
{
    return atomic_load_explicit(&dict_resize_ok, memory_order_relaxed);
}

/* Smallest table that holds n entries at a load of at most 1/2. */
static size_t size_for(size_t n)
{
    size_t s = DICT_MIN_SLOTS;
    while (s / 2 < n) {
        if (s > SIZE_MAX / 4)
            dict_die("table size overflow for %zu entries", n);
        s *= 2;
    }
    return s;
}

static void rehash_start(struct dict *d, size_t slots)
{
    d->t[1] = table_make(slots);
    d->rehash_idx = 0;
}

static void rehash_finish(struct dict *d)
{
    size_t old_bytes = table_slots(&d->t[0]) * sizeof(*d->t[0].slots);
    mem_free(d->t[0].slots);
    /* a big old table's pages would stay resident until the allocator's
     * decay timer: give them back now (RSS is what operators watch) */
    if (old_bytes >= 4u << 20) mem_purge();
    d->t[0] = d->t[1];
    memset(&d->t[1], 0, sizeof(d->t[1]));
    d->rehash_idx = 0;
}

/* Moves up to `entries` entries from t[0] to t[1], visiting at most
 * entries * DICT_STEP_EMPTY slots that hold none. */
static void rehash_step(struct dict *d, size_t entries)
{
    struct dict_table *from = &d->t[0], *to = &d->t[1];
    size_t empty_budget = entries * DICT_STEP_EMPTY;

    while (from->used > 0 && d->rehash_idx <= from->mask) {
        size_t i = d->rehash_idx;
        uintptr_t s = from->slots[i];
        if (slot_live(s)) {
            if (entries == 0)
                break;
            /* the tag bits depend on the hash only: the slot moves as is */
            table_insert(to, s, entry_hash(d, slot_entry(s)));
            table_remove_at(from, i);
            entries--;
        } else {
            if (empty_budget == 0)
                break;
            empty_budget--;
            if (s == SLOT_TOMB)
                table_kill_slot(from, i);
        }
        d->rehash_idx++;
    }
    if (from->used == 0)
        rehash_finish(d);
}

static inline void rehash_tick(struct dict *d)
{
    if (dict_rehashing(d) && resize_allowed())
        rehash_step(d, DICT_STEP_ENTRIES);
}

/* Synchronous rebuild of both tables into one of `slots` slots: only when an
 * add would overfill the table being rehashed into (see add_target). */
static void dict_rebuild(struct dict *d, size_t slots)
{
    struct dict_table n = table_make(slots);
    for (int k = 0; k < 2; k++) {
        struct dict_table *t = &d->t[k];
        for (size_t i = 0; i < table_slots(t); i++) {
            uintptr_t s = t->slots[i];
            if (slot_live(s))
                table_insert(&n, s, entry_hash(d, slot_entry(s)));
        }
        mem_free(t->slots);
        memset(t, 0, sizeof(*t));
    }
    d->t[0] = n;
    d->rehash_idx = 0;
}

/* The table the next entry goes to, resizing first if it would pass 3/4
 * (7/8 while resizes are paused). */
static struct dict_table *add_target(struct dict *d)
{
    rehash_tick(d);
    struct dict_table *t = dict_rehashing(d) ? &d->t[1] : &d->t[0];
    size_t slots = t->mask + 1, load = t->used + t->tombs + 1;

    if (load * 4 <= slots * 3)
        return t;
    if (!resize_allowed() && load * 8 <= slots * 7)
        return t;
    if (dict_rehashing(d)) {
        dict_rebuild(d, size_for(dict_size(d) + 1));
        return &d->t[0];
    }
    /* same size when tombstones are the problem, else double */
    rehash_start(d, size_for(t->used + 1));
    return &d->t[1];
}

/* ---- public API ---- */

struct dict *dict_create(const struct dict_type *type)
{
    static atomic_uint_fast64_t created;
    struct dict *d = mem_calloc(sizeof(*d));
    if (d == NULL)
        dict_die("cannot allocate a dict");
    d->type = type;
    d->t[0] = table_make(DICT_MIN_SLOTS);
    uint64_t n = atomic_fetch_add(&created, 1);
    d->rng = dict_siphash(&n, sizeof(n), (const uint8_t *)"shoal-dict-rng-k", 1, 3) | 1;
    return d;
}

void dict_destroy(struct dict **dp)
{
    if (dp == NULL || *dp == NULL)
        return;
    mem_free((*dp)->t[0].slots);
    mem_free((*dp)->t[1].slots);
    mem_free(*dp);
    *dp = NULL;
}

size_t dict_size(const struct dict *d)
{
    return d->t[0].used + d->t[1].used;
}

size_t dict_slots(const struct dict *d)
{
    return table_slots(&d->t[0]) + table_slots(&d->t[1]);
}

size_t dict_mem_bytes(const struct dict *d)
{
    return sizeof(*d) + dict_slots(d) * sizeof(uintptr_t);
}

int dict_is_rehashing(const struct dict *d)
{
    return dict_rehashing(d);
}

/* Finds the key in either table: returns the slot index and sets *tp. */
static size_t dict_locate(const struct dict *d, uint64_t h, const char *key,
                          size_t klen, struct dict_table **tp)
{
    for (int k = 0; k < 2; k++) {
        const struct dict_table *t = &d->t[k];
        if (t->slots == NULL)
            continue;
        size_t i = table_find(d, t, h, key, klen);
        if (i != SIZE_MAX) {
            *tp = (struct dict_table *)t;
            return i;
        }
    }
    return SIZE_MAX;
}

void *dict_find(struct dict *d, const char *key, size_t klen)
{
    struct dict_table *t;
    rehash_tick(d);
    size_t i = dict_locate(d, key_hash(d, key, klen), key, klen, &t);
    return i == SIZE_MAX ? NULL : slot_entry(t->slots[i]);
}

void dict_add(struct dict *d, void *entry)
{
    size_t klen;
    const char *key = d->type->entry_key(entry, &klen);
    uint64_t h = key_hash(d, key, klen);
    uintptr_t packed = slot_pack(entry, h);
#ifdef SHOAL_DEBUG
    struct dict_table *dup;
    if (dict_locate(d, h, key, klen, &dup) != SIZE_MAX)
        dict_die("dict_add: key '%.*s' is already present", (int)klen, key);
#endif
    table_insert(add_target(d), packed, h);
}

int dict_replace(struct dict *d, const void *old, void *new_entry)
{
    /* old may be freed memory already (realloc): hash the new entry's key */
    uint64_t h = entry_hash(d, new_entry);
    uintptr_t packed = slot_pack(new_entry, h);
    for (int k = 0; k < 2; k++) {
        struct dict_table *t = &d->t[k];
        if (t->slots == NULL)
            continue;
        size_t i = h & t->mask;
        for (size_t n = 0; n <= t->mask && t->slots[i] != SLOT_EMPTY; n++) {
            uintptr_t s = t->slots[i];
            if (s != SLOT_TOMB && slot_entry(s) == old) {
                t->slots[i] = packed;
                return 0;
            }
            i = (i + 1) & t->mask;
        }
    }
    return -1;
}

void *dict_delete(struct dict *d, const char *key, size_t klen)
{
    struct dict_table *t;
    rehash_tick(d);
    size_t i = dict_locate(d, key_hash(d, key, klen), key, klen, &t);
    if (i == SIZE_MAX)
        return NULL;
    void *entry = slot_entry(t->slots[i]);
    table_remove_at(t, i);
    return entry;
}

void dict_empty(struct dict *d, void (*free_fn)(void *entry, void *priv), void *priv)
{
    for (int k = 0; k < 2; k++) {
        struct dict_table *t = &d->t[k];
        for (size_t i = 0; free_fn && i < table_slots(t); i++)
            if (slot_live(t->slots[i]))
                free_fn(slot_entry(t->slots[i]), priv);
        mem_free(t->slots);
        memset(t, 0, sizeof(*t));
    }
    d->t[0] = table_make(DICT_MIN_SLOTS);
    d->rehash_idx = 0;
}

/* ---- random access ---- */

static uint64_t dict_rand(struct dict *d)
{
    uint64_t x = d->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    d->rng = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* Slot k of both tables seen as one array, t[0] first. */
static inline uintptr_t slot_at(const struct dict *d, size_t k)
{
    size_t n0 = table_slots(&d->t[0]);
    return k < n0 ? d->t[0].slots[k] : d->t[1].slots[k - n0];
}

void *dict_random(struct dict *d)
{
    size_t total = dict_slots(d);
    if (dict_size(d) == 0)
        return NULL;
    /* uniform slots until a live one: fair over entries */
    for (int i = 0; i < DICT_RANDOM_TRIES; i++) {
        uintptr_t s = slot_at(d, dict_rand(d) % total);
        if (slot_live(s))
            return slot_entry(s);
    }
    /* a very sparse table: walk from a random slot */
    size_t k = dict_rand(d) % total;
    for (size_t n = 0; n < total; n++) {
        if (slot_live(slot_at(d, k)))
            return slot_entry(slot_at(d, k));
        if (++k == total)
            k = 0;
    }
    return NULL;
}

size_t dict_sample(struct dict *d, void **out, size_t count)
{
    size_t total = dict_slots(d), got = 0;
    if (count == 0 || dict_size(d) == 0)
        return 0;
    size_t budget = count * 10 + 32;
    if (budget > total)
        budget = total;
    size_t k = dict_rand(d) % total;
    for (size_t n = 0; n < budget && got < count; n++) {
        uintptr_t s = slot_at(d, k);
        if (slot_live(s))
            out[got++] = slot_entry(s);
        if (++k == total)
            k = 0;
    }
    if (got == 0)
        out[got++] = dict_random(d);
    return got;
}

/* ---- iteration ---- */

/* Entries whose home slot is `home`: they all sit in the run from home to
 * the next empty slot (tombstones continue runs). */
static void scan_home(const struct dict *d, const struct dict_table *t, size_t home,
                      dict_scan_fn *fn, void *priv)
{
    size_t i = home;
    for (size_t n = 0; n <= t->mask; n++) {
        uintptr_t s = t->slots[i];
        if (s == SLOT_EMPTY)
            break;
        if (s != SLOT_TOMB && (entry_hash(d, slot_entry(s)) & t->mask) == home)
            fn(priv, slot_entry(s));
        i = (i + 1) & t->mask;
    }
}

static uint64_t bit_reverse64(uint64_t v)
{
    v = ((v >> 1) & UINT64_C(0x5555555555555555)) | ((v & UINT64_C(0x5555555555555555)) << 1);
    v = ((v >> 2) & UINT64_C(0x3333333333333333)) | ((v & UINT64_C(0x3333333333333333)) << 2);
    v = ((v >> 4) & UINT64_C(0x0f0f0f0f0f0f0f0f)) | ((v & UINT64_C(0x0f0f0f0f0f0f0f0f)) << 4);
    return __builtin_bswap64(v);
}

/* Next cursor for a table of this mask: the low bits count up with the bit
 * order reversed, so a cursor taken in a smaller or larger table still
 * covers every home bucket not yet visited. */
static uint64_t cursor_next(uint64_t v, uint64_t mask)
{
    v |= ~(uint64_t)mask;
    return bit_reverse64(bit_reverse64(v) + 1);
}

uint64_t dict_scan(struct dict *d, uint64_t v, dict_scan_fn *fn, void *priv)
{
    if (dict_size(d) == 0)
        return 0;
    if (!dict_rehashing(d)) {
        scan_home(d, &d->t[0], v & d->t[0].mask, fn, priv);
        return cursor_next(v, d->t[0].mask);
    }
    const struct dict_table *small = &d->t[0], *large = &d->t[1];
    if (small->mask > large->mask) {
        small = &d->t[1];
        large = &d->t[0];
    }
    scan_home(d, small, v & small->mask, fn, priv);
    /* then every bucket of the large table that expands the small one; the
     * increment carries into the small bits when the extra bits wrap */
    do {
        scan_home(d, large, v & large->mask, fn, priv);
        v = cursor_next(v, large->mask);
    } while (v & (small->mask ^ large->mask));
    return v;
}

void dict_foreach(struct dict *d, dict_iter_fn *fn, void *priv)
{
    for (int k = 0; k < 2; k++) {
        const struct dict_table *t = &d->t[k];
        for (size_t i = 0; i < table_slots(t); i++)
            if (slot_live(t->slots[i]) && fn(priv, slot_entry(t->slots[i])))
                return;
    }
}

/* ---- maintenance ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int dict_rehash_ms(struct dict *d, int ms)
{
    if (!dict_rehashing(d) || !resize_allowed())
        return dict_rehashing(d);
    uint64_t deadline = now_ns() + (uint64_t)(ms > 0 ? ms : 0) * 1000000u;
    do {
        rehash_step(d, DICT_MS_STEP_ENTRIES);
    } while (dict_rehashing(d) && now_ns() < deadline);
    return dict_rehashing(d);
}

void dict_maybe_shrink(struct dict *d)
{
    const struct dict_table *t = &d->t[0];
    if (dict_rehashing(d) || !resize_allowed() || t->mask + 1 <= DICT_MIN_SLOTS)
        return;
    if (t->used * 8 >= t->mask + 1)
        return;
    /* to a load of at most 1/4, leaving room before the next growth */
    size_t slots = size_for(t->used * 2);
    if (slots < t->mask + 1)
        rehash_start(d, slots);
}

void dict_set_resize_allowed(int allowed)
{
    atomic_store_explicit(&dict_resize_ok, allowed ? 1 : 0, memory_order_relaxed);
}
