/* tests/unit/test_ketama: compat/ketama (with compat/hashkit) against
 * placements made by real programs:
 *  - libmemcached's ketama fixture (the proxy issue: 8 weighted servers,
 *    their point counts and four keys);
 *  - tests/unit/fixtures/nutcracker-placement.txt, where Debian's nutcracker
 *    0.5.0 placed 300 keys on real memcached nodes for every hash function,
 *    modula and ketama, three server layouts (gen-nutcracker-placement.sh).
 * The fixture is found at FIXTURE_DIR (set by the build) or
 * $SHOAL_FIXTURE_DIR; a missing fixture is a failure, not a skip. */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "compat/hashkit.h"
#include "compat/ketama.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures"
#endif

static uint32_t md5_hash(const char *key)
{
    return hashkit_hash(HASH_MD5, key, strlen(key));
}

/* libmemcached tests/ketama_test_cases.h setup: 10.0.1.1..8 on 11211. */
static char lm_hosts[8][24];
static struct dist_server lm_servers[8];

static void lm_setup(void)
{
    static const int w[8] = {600, 300, 200, 350, 1000, 800, 950, 100};
    for (int i = 0; i < 8; i++) {
        snprintf(lm_hosts[i], sizeof(lm_hosts[i]), "10.0.1.%d", i + 1);
        lm_servers[i] = (struct dist_server){NULL, lm_hosts[i], 11211, w[i], 1};
    }
}

TEST(libmemcached_fixture)
{
    static const int points[8] = {176, 88, 56, 104, 296, 236, 280, 28};
    static const struct { const char *key; int server; } keys[] = {
        {"SVa_]_V41)", 6}, {"*/Z;?V(.\\8", 0}, {"D[HE+cFXDK", 2}, {"EM75N0+[X1", 3},
    };
    lm_setup();
    struct dist *d = dist_build(DIST_KETAMA, lm_servers, 8);
    CHECK(d != NULL);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(dist_points(d, i), points[i]);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        CHECK_EQ_INT(dist_route(d, md5_hash(keys[i].key)), keys[i].server);
    dist_destroy(&d);
    CHECK(d == NULL);
}

TEST(binary32_points)
{
    /* Equal weights: 160 points each, except where binary32 rounding of
     * pct*160/4*n falls just under an integer (the reference's list). */
    static const int short_n[] = {25, 47, 50, 55, 61, 71, 94, 100};
    size_t k = 0;
    for (uint32_t n = 1; n <= 100; n++) {
        int want = 160;
        if (k < sizeof(short_n) / sizeof(short_n[0]) && short_n[k] == (int)n) {
            want = 156;
            k++;
        }
        CHECK_EQ_INT(dist_ketama_hashes(1, n, n) * 4, want);
    }
    /* and dist_build agrees with the formula */
    char hosts[25][24];
    struct dist_server s[25];
    for (int i = 0; i < 25; i++) {
        snprintf(hosts[i], sizeof(hosts[i]), "10.0.0.%d", i + 1);
        s[i] = (struct dist_server){NULL, hosts[i], 11211, 1, 1};
    }
    struct dist *d = dist_build(DIST_KETAMA, s, 25);
    for (int i = 0; i < 25; i++) CHECK_EQ_INT(dist_points(d, i), 156);
    dist_destroy(&d);
}

TEST(server_ids)
{
    char buf[64];
    struct dist_server s = {NULL, "10.0.1.1", 11211, 1, 1};
    CHECK_EQ_INT(dist_server_id(&s, buf, sizeof(buf)), 8);
    CHECK_EQ_STR(buf, "10.0.1.1");
    s.port = 11212;
    dist_server_id(&s, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "10.0.1.1:11212");
    s.name = "";
    dist_server_id(&s, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "10.0.1.1:11212");
    s.name = "cache-a";
    dist_server_id(&s, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "cache-a");
    s = (struct dist_server){NULL, "/tmp/mc.sock", 0, 1, 1};
    dist_server_id(&s, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "/tmp/mc.sock:");
    s.name = "sock";
    dist_server_id(&s, buf, sizeof(buf));
    CHECK_EQ_STR(buf, "sock");
    /* truncation reports the full length, like snprintf */
    s = (struct dist_server){NULL, "10.0.1.1", 11212, 1, 1};
    CHECK_EQ_INT(dist_server_id(&s, buf, 4), 14);
    CHECK_EQ_STR(buf, "10.");
}

/* Ejection: survivors keep their points when weights are equal (no key
 * moves between them), but not in a weighted pool. */
TEST(ejection)
{
    char hosts[8][24];
    struct dist_server s[8];
    for (int i = 0; i < 8; i++) {
        snprintf(hosts[i], sizeof(hosts[i]), "10.0.1.%d", i + 1);
        s[i] = (struct dist_server){NULL, hosts[i], 11211, 1, 1};
    }
    struct dist *all = dist_build(DIST_KETAMA, s, 8);
    s[2].alive = 0;
    struct dist *ej = dist_build(DIST_KETAMA, s, 8);
    CHECK_EQ_INT(dist_nlive(ej), 7);
    CHECK_EQ_INT(dist_points(ej, 2), 0);
    int moved = 0, lost = 0;
    for (int k = 0; k < 5000; k++) {
        char key[32];
        snprintf(key, sizeof(key), "key:%d", k);
        int a = dist_route(all, md5_hash(key)), b = dist_route(ej, md5_hash(key));
        CHECK(b != 2);
        if (a == 2) lost++;
        else if (a != b) moved++;
    }
    CHECK_EQ_INT(moved, 0);
    CHECK(lost > 0);
    dist_destroy(&all);
    dist_destroy(&ej);

    lm_setup();
    all = dist_build(DIST_KETAMA, lm_servers, 8);
    lm_servers[2].alive = 0;
    ej = dist_build(DIST_KETAMA, lm_servers, 8);
    moved = 0;
    for (int k = 0; k < 5000; k++) {
        char key[32];
        snprintf(key, sizeof(key), "key:%d", k);
        int a = dist_route(all, md5_hash(key)), b = dist_route(ej, md5_hash(key));
        if (a != 2 && a != b) moved++;
    }
    /* the reference measures 8.7 % of the keyspace */
    CHECK(moved > 5000 * 5 / 100 && moved < 5000 * 13 / 100);
    dist_destroy(&all);
    dist_destroy(&ej);
}

TEST(modula_and_random)
{
    struct dist_server s[3] = {
        {"b", "h1", 1, 2, 1}, {"a", "h2", 2, 1, 1}, {"cc", "h3", 3, 3, 1},
    };
    /* twemproxy order by ID: "a" (1), "b" (0), "cc" (2); slots 1 0 0 2 2 2 */
    static const int slots[6] = {1, 0, 0, 2, 2, 2};
    struct dist *d = dist_build(DIST_MODULA, s, 3);
    for (uint32_t h = 0; h < 60; h++) CHECK_EQ_INT(dist_route(d, h), slots[h % 6]);
    CHECK_EQ_INT(dist_points(d, 0), 2);
    CHECK_EQ_INT(dist_points(d, 2), 3);
    CHECK_EQ_INT(dist_route(d, 0xffffffffu), slots[0xffffffffu % 6]);
    dist_destroy(&d);

    s[0].alive = 0;         /* slots 1 2 2 2 */
    d = dist_build(DIST_MODULA, s, 3);
    CHECK_EQ_INT(dist_route(d, 4), 1);
    CHECK_EQ_INT(dist_route(d, 5), 2);
    CHECK_EQ_INT(dist_points(d, 0), 0);
    dist_destroy(&d);

    d = dist_build(DIST_RANDOM, s, 3);
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < 200; i++) {
        int r = dist_route(d, 0);
        CHECK(r == 1 || r == 2);
        if (r >= 0 && r < 3) seen[r]++;
    }
    CHECK(seen[1] > 0 && seen[2] > 0);
    dist_destroy(&d);

    s[1].weight = 0;        /* a zero weight does not take part */
    d = dist_build(DIST_KETAMA, s, 3);
    CHECK_EQ_INT(dist_nlive(d), 1);
    CHECK_EQ_INT(dist_route(d, 12345), 2);
    dist_destroy(&d);
    s[1].alive = s[2].alive = 0;
    CHECK(dist_build(DIST_KETAMA, s, 3) == NULL);
    CHECK(dist_build(DIST_MODULA, s, 0) == NULL);
    CHECK_EQ_INT(dist_type_parse("ketama"), DIST_KETAMA);
    CHECK_EQ_INT(dist_type_parse("modula"), DIST_MODULA);
    CHECK_EQ_INT(dist_type_parse("random"), DIST_RANDOM);
    CHECK_EQ_INT(dist_type_parse("Ketama"), -1);
    CHECK_EQ_STR(dist_type_name(DIST_MODULA), "modula");
}

/* The first point whose value is >= h (point 0 past the last), by binary
 * search over the points dist_point_at reports: the lookup table must give
 * the same server for every hash. */
static int reference_route(const struct dist *d, uint32_t h)
{
    uint32_t lo = 0, hi = 0, v;
    int idx;
    while (dist_point_at(d, hi, &v, &idx) == 0) hi++;
    uint32_t n = hi;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        dist_point_at(d, mid, &v, &idx);
        if (v < h) lo = mid + 1;
        else hi = mid;
    }
    dist_point_at(d, lo == n ? 0 : lo, &v, &idx);
    return idx;
}

static int lookup_mismatches(const struct dist *d, uint32_t seed, int nrandom)
{
    int bad = 0;
    uint32_t v;
    int idx;
    for (uint32_t i = 0; dist_point_at(d, i, &v, &idx) == 0; i++) {
        uint32_t probe[3] = { v - 1, v, v + 1 };
        for (int k = 0; k < 3; k++) bad += dist_route(d, probe[k]) != reference_route(d, probe[k]);
    }
    uint32_t edges[4] = { 0, 1, 0x7fffffffu, 0xffffffffu };
    for (int k = 0; k < 4; k++) bad += dist_route(d, edges[k]) != reference_route(d, edges[k]);
    for (int k = 0; k < nrandom; k++) {
        seed = seed * 1664525u + 1013904223u;
        bad += dist_route(d, seed) != reference_route(d, seed);
    }
    return bad;
}

TEST(ketama_lookup_table)
{
    lm_setup();
    struct dist *d = dist_build(DIST_KETAMA, lm_servers, 8);
    uint32_t v;
    int idx;
    CHECK(dist_point_at(d, 0, &v, &idx) == 0);
    CHECK(dist_point_at(d, 1264, &v, &idx) == -1);     /* 176+88+...+28 points */
    CHECK(dist_point_at(d, 1263, &v, &idx) == 0);
    CHECK_EQ_INT(lookup_mismatches(d, 1, 20000), 0);
    dist_destroy(&d);
    /* from 1 to 300 servers: few points per range and many */
    static char hosts[300][24];
    static struct dist_server many[300];
    for (int i = 0; i < 300; i++) {
        snprintf(hosts[i], sizeof hosts[i], "10.1.%d.%d", i / 250, i % 250);
        many[i] = (struct dist_server){NULL, hosts[i], 11211 + i % 3, 1 + i % 5, 1};
    }
    int sizes[5] = { 1, 2, 4, 37, 300 };
    for (int k = 0; k < 5; k++) {
        d = dist_build(DIST_KETAMA, many, sizes[k]);
        CHECK_EQ_INT(lookup_mismatches(d, (uint32_t)k + 7, 5000), 0);
        dist_destroy(&d);
    }
    d = dist_build(DIST_MODULA, many, 4);
    CHECK(dist_point_at(d, 0, &v, &idx) == -1);
    dist_destroy(&d);
}

TEST(ketama_edges)
{
    struct dist_server s[2] = {{NULL, "h1", 1, 1, 1}, {NULL, "h2", 2, 1, 0}};
    struct dist *d = dist_build(DIST_KETAMA, s, 2);
    CHECK_EQ_INT(dist_route(d, 0), 0);     /* one live server */
    CHECK_EQ_INT(dist_route(d, 0xffffffffu), 0);
    dist_destroy(&d);
    lm_setup();
    d = dist_build(DIST_KETAMA, lm_servers, 8);
    /* past the last point wraps to the first one, as does 0 */
    CHECK_EQ_INT(dist_route(d, 0xffffffffu), dist_route(d, 0));
    dist_destroy(&d);
    dist_destroy(&d);       /* NULL-safe */
}

/* ---- the nutcracker fixture ----------------------------------------------- */

#define MAX_KEYS 512
#define MAX_SERVERS 8

struct fixture {
    char *keys[MAX_KEYS];
    size_t keylen[MAX_KEYS];
    int nkeys;
};

static int unhex(const char *hex, char *out)
{
    int n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1) return -1;
        out[n++] = (char)v;
    }
    return n;
}

struct run {
    char layout[32], dist[16], hash[32], tag[8];
    struct dist_server servers[MAX_SERVERS];
    char names[MAX_SERVERS][64], hosts[MAX_SERVERS][128];
    int nservers;
};

/* Checks one run's placements; returns the number of mismatches. */
static int check_run(const struct fixture *fx, const struct run *r, const char *place)
{
    int h = hash_type_parse(r->hash), t = dist_type_parse(r->dist);
    CHECK(h >= 0 && t >= 0);
    if (h < 0 || t < 0) return 1;
    struct dist *d = dist_build((enum dist_type)t, r->servers, r->nservers);
    CHECK(d != NULL);
    if (d == NULL) return 1;
    int bad = 0;
    CHECK_EQ_INT(strlen(place), fx->nkeys);
    for (int k = 0; k < fx->nkeys && place[k]; k++) {
        uint32_t hash = hashkit_key_hash((enum hash_type)h,
                                         strcmp(r->tag, "-") ? r->tag : NULL,
                                         fx->keys[k], fx->keylen[k]);
        if (dist_route(d, hash) != place[k] - '0') bad++;
    }
    if (bad)
        printf("  %s %s %s: %d of %d keys placed differently from nutcracker\n",
               r->layout, r->dist, r->hash, bad, fx->nkeys);
    dist_destroy(&d);
    return bad;
}

TEST(nutcracker_placement)
{
    const char *dir = getenv("SHOAL_FIXTURE_DIR");
    char path[512], line[2048];
    snprintf(path, sizeof(path), "%s/nutcracker-placement.txt", dir ? dir : FIXTURE_DIR);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f == NULL) {
        printf("  cannot open %s (set SHOAL_FIXTURE_DIR)\n", path);
        return;
    }
    static struct fixture fx;
    static struct run r;
    int runs = 0, failed_runs = 0, per_hash[HASH__COUNT][2] = {{0}};
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "key ", 4) == 0 && fx.nkeys < MAX_KEYS) {
            char *k = malloc(strlen(line) / 2 + 1);
            int n = unhex(line + 4, k);
            CHECK(n > 0);
            fx.keys[fx.nkeys] = k;
            fx.keylen[fx.nkeys++] = n > 0 ? (size_t)n : 0;
        } else if (strncmp(line, "run ", 4) == 0) {
            memset(&r, 0, sizeof(r));
            CHECK_EQ_INT(sscanf(line, "run %31s %15s %31s %7s", r.layout, r.dist,
                                r.hash, r.tag), 4);
        } else if (strncmp(line, "server ", 7) == 0 && r.nservers < MAX_SERVERS) {
            int i = r.nservers++;
            struct dist_server *s = &r.servers[i];
            CHECK_EQ_INT(sscanf(line, "server %63s %127s %d %d", r.names[i], r.hosts[i],
                                &s->port, &s->weight), 4);
            s->name = strcmp(r.names[i], "-") ? r.names[i] : NULL;
            s->host = r.hosts[i];
            s->alive = 1;
        } else if (strncmp(line, "place ", 6) == 0) {
            runs++;
            if (check_run(&fx, &r, line + 6)) failed_runs++;
            int h = hash_type_parse(r.hash);
            if (h >= 0) per_hash[h][strcmp(r.dist, "ketama") == 0]++;
        }
    }
    fclose(f);
    CHECK_EQ_INT(fx.nkeys, 300);
    CHECK_EQ_INT(runs, 72);
    CHECK_EQ_INT(failed_runs, 0);
    for (int h = 0; h < HASH__COUNT; h++) {
        CHECK_EQ_INT(per_hash[h][0], 3);    /* modula, three layouts */
        CHECK_EQ_INT(per_hash[h][1], 3);    /* ketama */
    }
    for (int k = 0; k < fx.nkeys; k++) free(fx.keys[k]);
}

int main(void)
{
    RUN(libmemcached_fixture);
    RUN(binary32_points);
    RUN(server_ids);
    RUN(ejection);
    RUN(modula_and_random);
    RUN(ketama_edges);
    RUN(ketama_lookup_table);
    RUN(nutcracker_placement);
    return unit_done();
}
