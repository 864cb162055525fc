/* tests/unit/test_intset: backend/intset against a plain model (a sorted
 * array of int64), through every width upgrade, at the edges of each width
 * and under a long random mix of adds and removes. */
#include "backend/intset.h"
#include "tests/unit/unit.h"

#include <stdint.h>
#include <stdlib.h>

/* The model: a sorted array of distinct values. */
struct model {
    int64_t v[4096];
    size_t n;
};

static size_t model_pos(const struct model *m, int64_t x, int *found)
{
    size_t i = 0;
    while (i < m->n && m->v[i] < x) i++;
    *found = i < m->n && m->v[i] == x;
    return i;
}

static int model_add(struct model *m, int64_t x)
{
    int found;
    size_t i = model_pos(m, x, &found);
    if (found) return 0;
    memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(m->v[0]));
    m->v[i] = x;
    m->n++;
    return 1;
}

static int model_remove(struct model *m, int64_t x)
{
    int found;
    size_t i = model_pos(m, x, &found);
    if (!found) return 0;
    memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(m->v[0]));
    m->n--;
    return 1;
}

static int same_as_model(const struct intset *is, const struct model *m)
{
    if (intset_len(is) != m->n) return 0;
    for (uint32_t i = 0; i < m->n; i++)
        if (intset_get(is, i) != m->v[i]) return 0;
    return 1;
}

TEST(empty_set)
{
    struct intset *is = intset_create();
    CHECK_EQ_INT(intset_len(is), 0);
    CHECK_EQ_INT(intset_find(is, 0), 0);
    CHECK_EQ_INT(intset_width(is), 2);
    int removed = 1;
    is = intset_remove(is, 5, &removed);
    CHECK_EQ_INT(removed, 0);
    intset_destroy(&is);
    CHECK(is == NULL);
    intset_destroy(&is);
}

TEST(width_upgrades_keep_order)
{
    static const int64_t vals[] = {5, -5, INT16_MAX, INT16_MIN, INT16_MAX + 1LL, INT16_MIN - 1LL,
                                   INT32_MAX, INT32_MIN, INT32_MAX + 1LL, INT32_MIN - 1LL,
                                   INT64_MAX, INT64_MIN, 0};
    static const unsigned widths[] = {2, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8};
    struct intset *is = intset_create();
    struct model m = {.n = 0};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        int added;
        is = intset_add(is, vals[i], &added);
        CHECK_EQ_INT(added, 1);
        model_add(&m, vals[i]);
        CHECK_EQ_INT(intset_width(is), widths[i]);
        CHECK(same_as_model(is, &m));
        is = intset_add(is, vals[i], &added);
        CHECK_EQ_INT(added, 0);
    }
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) CHECK(intset_find(is, vals[i]));
    CHECK(!intset_find(is, 6));
    CHECK(!intset_find(is, INT64_MAX - 1));
    /* never narrows */
    int removed;
    is = intset_remove(is, INT64_MIN, &removed);
    CHECK_EQ_INT(removed, 1);
    is = intset_remove(is, INT64_MAX, &removed);
    CHECK_EQ_INT(intset_width(is), 8);
    model_remove(&m, INT64_MIN);
    model_remove(&m, INT64_MAX);
    CHECK(same_as_model(is, &m));
    CHECK(intset_bytes(is) >= intset_len(is) * 8);
    intset_destroy(&is);
}

TEST(narrow_set_rejects_wide_values)
{
    struct intset *is = intset_create();
    int added, removed;
    is = intset_add(is, 1, &added);
    CHECK(!intset_find(is, 1LL << 40));
    is = intset_remove(is, 1LL << 40, &removed);
    CHECK_EQ_INT(removed, 0);
    CHECK_EQ_INT(intset_width(is), 2);
    intset_destroy(&is);
}

TEST(dup_is_deep)
{
    struct intset *is = intset_create(), *copy;
    int added;
    for (int i = 0; i < 100; i++) is = intset_add(is, i * 1000, &added);
    copy = intset_dup(is);
    is = intset_add(is, -1, &added);
    CHECK_EQ_INT(intset_len(copy), 100);
    CHECK_EQ_INT(intset_len(is), 101);
    CHECK_EQ_INT(intset_get(copy, 0), 0);
    CHECK_EQ_INT(intset_get(copy, 99), 99000);
    intset_destroy(&is);
    intset_destroy(&copy);
}

TEST(random_against_model)
{
    static struct model m;
    struct intset *is = intset_create();
    srand(12345);
    m.n = 0;
    for (int round = 0; round < 20000; round++) {
        int r = rand() % 100;
        int64_t x;
        if (r < 60) x = rand() % 2000 - 1000;
        else if (r < 80) x = (int64_t)(rand() % 200000) - 100000;
        else x = ((int64_t)rand() << 32) ^ rand();
        int changed;
        if (rand() % 3 == 0 || m.n >= 4000) {
            is = intset_remove(is, x, &changed);
            CHECK_EQ_INT(changed, model_remove(&m, x));
        } else {
            is = intset_add(is, x, &changed);
            CHECK_EQ_INT(changed, model_add(&m, x));
        }
        if (round % 1000 == 0) CHECK(same_as_model(is, &m));
        int found;
        model_pos(&m, x, &found);
        CHECK_EQ_INT(intset_find(is, x), found);
    }
    CHECK(same_as_model(is, &m));
    for (size_t i = 0; i < m.n; i++) CHECK(intset_find(is, m.v[i]));
    intset_destroy(&is);
}

int main(void)
{
    RUN(empty_set);
    RUN(width_upgrades_keep_order);
    RUN(narrow_set_rejects_wide_values);
    RUN(dup_is_deep);
    RUN(random_against_model);
    return unit_done();
}
