/* compat/cmd: the table expanded from cmd.def and its name index: a small
 * open-addressed array built once, hashed case-insensitively, so a lookup is
 * one hash and usually one compare. */
#include "compat/cmd.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct cmd_desc cmd_table[CMD_ID__COUNT] = {
#define CMD(id, name, arity, flags, first, last, step, merge) \
    [CMD_ID_##id] = {CMD_ID_##id, name, name, arity, flags, first, last, step, merge, -1},
#define SUB(parent, id, name, arity, flags, first, last, step) \
    [CMD_ID_##parent##_##id] = {CMD_ID_##parent##_##id, name, #parent "|" name, arity, flags, \
                                first, last, step, MERGE_NONE, CMD_ID_##parent},
#include "compat/cmd.def"
#undef CMD
#undef SUB
};

#define INDEX_SIZE 1024   /* power of two, well above the command count */
static short index_slots[INDEX_SIZE];   /* cmd_id + 1; 0 is empty */
static int index_built;

static uint32_t name_hash(uint32_t seed, const char *s, size_t len)
{
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)tolower((unsigned char)s[i]);
        h *= 16777619u;
    }
    return h;
}

/* The table's name equals name[0..len), any case; the length first, since
 * a client's name may hold a NUL where strncasecmp would stop. */
static int name_is(const char *table_name, const char *name, size_t len)
{
    return strlen(table_name) == len && strncasecmp(table_name, name, len) == 0;
}

static void index_build(void)
{
    for (int i = 0; i < CMD_ID__COUNT; i++) {
        const struct cmd_desc *d = &cmd_table[i];
        uint32_t seed = d->parent < 0 ? 0 : (uint32_t)d->parent + 1;
        uint32_t h = name_hash(seed, d->name, strlen(d->name)) & (INDEX_SIZE - 1);
        while (index_slots[h]) h = (h + 1) & (INDEX_SIZE - 1);
        index_slots[h] = (short)(i + 1);
    }
    index_built = 1;
}

static const struct cmd_desc *lookup(int parent, const char *name, size_t len)
{
    if (!index_built) index_build();
    if (len == 0 || len > 64) return NULL;
    uint32_t seed = parent < 0 ? 0 : (uint32_t)parent + 1;
    uint32_t h = name_hash(seed, name, len) & (INDEX_SIZE - 1);
    while (index_slots[h]) {
        const struct cmd_desc *d = &cmd_table[index_slots[h] - 1];
        if (d->parent == parent && name_is(d->name, name, len)) return d;
        h = (h + 1) & (INDEX_SIZE - 1);
    }
    return NULL;
}

const struct cmd_desc *cmd_lookup(const char *name, size_t len)
{
    return lookup(-1, name, len);
}

const struct cmd_desc *cmd_lookup_sub(const struct cmd_desc *parent, const char *name, size_t len)
{
    return lookup((int)parent->id, name, len);
}

static const struct cmd_fwd fwd_table[] = {
#define CMD(id, name, arity, flags, first, last, step, merge)
#define SUB(parent, id, name, arity, flags, first, last, step)
#define FWD(name, arity, first, last, step, route) {name, arity, first, last, step, route},
#include "compat/cmd.def"
#undef CMD
#undef SUB
#undef FWD
};

/* A scan: asked only for names the main table does not have. */
const struct cmd_fwd *cmd_lookup_fwd(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof fwd_table / sizeof fwd_table[0]; i++) {
        const struct cmd_fwd *f = &fwd_table[i];
        if (name_is(f->name, name, len)) return f;
    }
    return NULL;
}

int cmd_top_count(void)
{
    int n = 0;
    for (int i = 0; i < CMD_ID__COUNT; i++)
        if (cmd_table[i].parent < 0) n++;
    return n;
}

int cmd_flag_names(uint32_t flags, const char **out, int max)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        {CMD_WRITE, "write"}, {CMD_READONLY, "readonly"}, {CMD_DENYOOM, "denyoom"},
        {CMD_ADMIN, "admin"}, {CMD_NOAUTH, "no_auth"}, {CMD_FAST, "fast"},
        {CMD_STALE, "stale"}, {CMD_BLOCKING, "blocking"}, {CMD_PUBSUB, "pubsub"},
        {CMD_NOSCRIPT, "noscript"}, {CMD_LOADING, "loading"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < max; i++)
        if (flags & names[i].bit) out[n++] = names[i].name;
    return n;
}
