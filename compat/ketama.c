/* compat/ketama: the ketama continuum, modula slots and random choice of
 * twemproxy (src/hashkit/nc_ketama.c, nc_modula.c, nc_random.c), rebuilt
 * from the algorithm in shared/reference/twemproxy-and-ketama.md.
 *
 * Shaped as one immutable object per server list: dist_build does all the
 * work (MD5s, float arithmetic, sort), dist_route is a binary search or a
 * modulo with no writes, so worker threads share one dist without locks.
 *
 * The points formula must round every step to binary32 exactly as the C
 * reference does: each step is stored in a volatile float, which forbids
 * x87 excess precision and FMA contraction whatever the compiler flags. */
#include "compat/ketama.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat/hashkit.h"

#define KETAMA_POINTS_PER_SERVER 160
#define KETAMA_POINTS_PER_HASH 4
/* twemproxy formats "ID-i" into a char[86] with snprintf but hashes the
 * untruncated length: IDs past 80 bytes hash a truncated, NUL-padded
 * string (and past 86 bytes twemproxy reads beyond its buffer). */
#define KETAMA_MAX_HOSTLEN 86

struct dist_point {
    uint32_t value;
    uint32_t rank;      /* position in twemproxy's (sorted) server order */
    int index;          /* caller's server index */
};

struct dist {
    enum dist_type type;
    int nserver;        /* size of the caller's array */
    int nlive;
    uint32_t npoint;    /* ketama points, or modula slots */
    struct dist_point *points;  /* ketama: sorted by value; modula: slots */
    uint32_t *bucket;   /* ketama: first point of each hash range, see below */
    int bshift;         /* ketama: a hash's range is hash >> bshift */
    int *live;          /* live server indexes, in twemproxy order */
    int *owned;         /* per caller index: points or slots owned */
};

static const char *const dist_names[] = {"ketama", "modula", "random"};

int dist_type_parse(const char *name)
{
    if (name == NULL) return -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(name, dist_names[i]) == 0) return i;
    return -1;
}

const char *dist_type_name(enum dist_type t)
{
    if ((int)t < 0 || (int)t > DIST_RANDOM) return "?";
    return dist_names[t];
}

static void *dist_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL) {
        fprintf(stderr, "ketama: out of memory\n");
        abort();
    }
    return p;
}

int dist_server_id(const struct dist_server *s, char *buf, size_t size)
{
    if (s->name != NULL && s->name[0] != '\0')
        return snprintf(buf, size, "%s", s->name);
    if (s->host == NULL)
        return snprintf(buf, size, "%s", "");
    if (s->host[0] == '/')
        return snprintf(buf, size, "%s:", s->host);
    if (s->port == 11211)
        return snprintf(buf, size, "%s", s->host);
    return snprintf(buf, size, "%s:%d", s->host, s->port);
}

uint32_t dist_ketama_hashes(uint32_t w, uint32_t total_weight, uint32_t nlive)
{
    volatile float pct = (float)w / (float)total_weight;
    volatile float per = pct * (float)KETAMA_POINTS_PER_SERVER;
    volatile float quarter = per / (float)KETAMA_POINTS_PER_HASH;
    volatile float scaled = quarter * (float)nlive;
    /* + 1e-10 happens in double, then back to float, as in the reference. */
    volatile float nudged = (float)((double)scaled + 0.0000000001);
    return (uint32_t)floorf(nudged);
}

/* A server's ID as an owned string. */
static char *server_id_dup(const struct dist_server *s)
{
    int len = dist_server_id(s, NULL, 0);
    char *id = dist_calloc((size_t)len + 1, 1);
    dist_server_id(s, id, (size_t)len + 1);
    return id;
}

/* twemproxy's string_compare: shorter first, then bytewise. */
static int id_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return la < lb ? -1 : 1;
    return memcmp(a, b, la);
}

/* Fills d->live with the alive servers in twemproxy's order (sorted by ID;
 * insertion sort keeps equal IDs in config order, twemproxy rejects them). */
static void order_live(struct dist *d, const struct dist_server *servers,
                       int n, char **ids)
{
    for (int i = 0; i < n; i++) {
        if (!servers[i].alive || servers[i].weight < 1) continue;
        int j = d->nlive++;
        while (j > 0 && id_cmp(ids[d->live[j - 1]], ids[i]) > 0) {
            d->live[j] = d->live[j - 1];
            j--;
        }
        d->live[j] = i;
    }
}

static int point_cmp(const void *a, const void *b)
{
    const struct dist_point *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}


/* The continuum lookup: a binary search over all points costs a branch
 * miss per level (about ten for four servers), which showed in the
 * proxy's 100-key multi-get profile.  Instead the 32-bit hash space is cut
 * into 2^B equal ranges, B chosen so there are at least twice as many
 * ranges as points, and bucket[b] is the first point whose value is in
 * range b or later (bucket[2^B] = npoint).  A lookup reads bucket[hash >>
 * bshift] and steps over the few points of that range that are below the
 * hash: the same answer as the binary search (first point >= hash, or
 * point 0 past the end), usually with no step at all. */
static void build_buckets(struct dist *d)
{
    int bits = 8;
    while (bits < 20 && (1u << bits) < 2 * d->npoint) bits++;
    uint32_t nb = 1u << bits;
    d->bshift = 32 - bits;
    d->bucket = dist_calloc((size_t)nb + 1, sizeof(*d->bucket));
    uint32_t i = 0;
    for (uint32_t b = 0; b < nb; b++) {
        uint64_t lo = (uint64_t)b << d->bshift;
        while (i < d->npoint && d->points[i].value < lo) i++;
        d->bucket[b] = i;
    }
    d->bucket[nb] = d->npoint;
}

/* The MD5 of "ID-i" as twemproxy's char[86] buffer holds it. */
static void ketama_digest(const char *id, uint32_t i, uint8_t out[16])
{
    char host[KETAMA_MAX_HOSTLEN] = "";
    int len = snprintf(host, sizeof(host), "%s-%u", id, i);
    if (len < (int)sizeof(host)) {
        hashkit_md5(host, (size_t)len, out);
        return;
    }
    char *big = dist_calloc((size_t)len, 1);
    memcpy(big, host, sizeof(host));
    hashkit_md5(big, (size_t)len, out);
    free(big);
}

static void build_ketama(struct dist *d, const struct dist_server *servers,
                         char **ids)
{
    uint32_t total = 0, cap = 0;
    for (int r = 0; r < d->nlive; r++) total += (uint32_t)servers[d->live[r]].weight;
    for (int r = 0; r < d->nlive; r++)
        cap += KETAMA_POINTS_PER_HASH *
               dist_ketama_hashes((uint32_t)servers[d->live[r]].weight, total,
                                  (uint32_t)d->nlive);
    d->points = dist_calloc(cap, sizeof(*d->points));

    for (int r = 0; r < d->nlive; r++) {
        int idx = d->live[r];
        uint32_t nhash = dist_ketama_hashes((uint32_t)servers[idx].weight, total,
                                            (uint32_t)d->nlive);
        for (uint32_t h = 0; h < nhash; h++) {
            uint8_t md[16];
            ketama_digest(ids[idx], h, md);
            for (int a = 0; a < KETAMA_POINTS_PER_HASH; a++) {
                struct dist_point *p = &d->points[d->npoint++];
                p->value = (uint32_t)md[4 * a] | (uint32_t)md[4 * a + 1] << 8 |
                           (uint32_t)md[4 * a + 2] << 16 |
                           (uint32_t)md[4 * a + 3] << 24;
                p->rank = (uint32_t)r;
                p->index = idx;
            }
        }
        d->owned[idx] = (int)(nhash * KETAMA_POINTS_PER_HASH);
    }
    qsort(d->points, d->npoint, sizeof(*d->points), point_cmp);
    build_buckets(d);
}

/* One slot per unit of weight, servers in twemproxy order. */
static void build_modula(struct dist *d, const struct dist_server *servers)
{
    uint32_t total = 0;
    for (int r = 0; r < d->nlive; r++) total += (uint32_t)servers[d->live[r]].weight;
    d->points = dist_calloc(total, sizeof(*d->points));
    for (int r = 0; r < d->nlive; r++) {
        int idx = d->live[r];
        for (int w = 0; w < servers[idx].weight; w++) {
            struct dist_point *p = &d->points[d->npoint++];
            p->rank = (uint32_t)r;
            p->index = idx;
        }
        d->owned[idx] = servers[idx].weight;
    }
}

struct dist *dist_build(enum dist_type t, const struct dist_server *servers, int n)
{
    if (n <= 0 || servers == NULL) return NULL;
    struct dist *d = dist_calloc(1, sizeof(*d));
    d->type = t;
    d->nserver = n;
    d->live = dist_calloc((size_t)n, sizeof(int));
    d->owned = dist_calloc((size_t)n, sizeof(int));

    char **ids = dist_calloc((size_t)n, sizeof(char *));
    for (int i = 0; i < n; i++) ids[i] = server_id_dup(&servers[i]);
    order_live(d, servers, n, ids);

    if (d->nlive > 0) {
        switch (t) {
        case DIST_KETAMA: build_ketama(d, servers, ids); break;
        case DIST_MODULA: build_modula(d, servers); break;
        default:
            for (int r = 0; r < d->nlive; r++) d->owned[d->live[r]] = 1;
            break;
        }
    }
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
    if (d->nlive == 0 || (t != DIST_RANDOM && d->npoint == 0)) dist_destroy(&d);
    return d;
}

/* xorshift64*, one state per thread, seeded on first use. */
static uint32_t dist_random(void)
{
    static __thread uint64_t state;
    if (state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
                (uint64_t)(uintptr_t)&state;
        if (state == 0) state = 0x9e3779b97f4a7c15ull;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t)((state * 0x2545f4914f6cdd1dull) >> 32);
}

int dist_route(const struct dist *d, uint32_t hash)
{
    if (d == NULL) return -1;
    if (d->nlive == 1) return d->live[0];
    switch (d->type) {
    case DIST_KETAMA: {
        uint32_t b = hash >> d->bshift;     /* first point with value >= hash */
        uint32_t i = d->bucket[b], end = d->bucket[b + 1];
        while (i < end && d->points[i].value < hash) i++;
        return d->points[i == d->npoint ? 0 : i].index;
    }
    case DIST_MODULA:
        return d->points[hash % d->npoint].index;
    default:
        return d->live[dist_random() % (uint32_t)d->nlive];
    }
}

int dist_points(const struct dist *d, int server_index)
{
    if (d == NULL || server_index < 0 || server_index >= d->nserver) return 0;
    return d->owned[server_index];
}

int dist_point_at(const struct dist *d, uint32_t i, uint32_t *value, int *server_index)
{
    if (d == NULL || d->type != DIST_KETAMA || i >= d->npoint) return -1;
    *value = d->points[i].value;
    *server_index = d->points[i].index;
    return 0;
}

int dist_nlive(const struct dist *d)
{
    return d ? d->nlive : 0;
}

void dist_destroy(struct dist **d)
{
    if (d == NULL || *d == NULL) return;
    free((*d)->points);
    free((*d)->bucket);
    free((*d)->live);
    free((*d)->owned);
    free(*d);
    *d = NULL;
}
