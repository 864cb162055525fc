/* backend/cmd_config: CONFIG GET/SET/RESETSTAT/HELP over the options table
 * of config.c. CONFIG SET takes several pairs and is all or nothing, as in
 * Redis 7.0: every name is checked first (unknown, immutable, duplicate),
 * then the values are applied in order, and if one is refused the ones
 * already applied get their old values back. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "backend/config.h"
#include "backend/dispatch.h"
#include "backend/info.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/mem.h"

/* ---- CONFIG GET ---- */

#define CONFIG_GET_MAX 1024   /* far above the number of options */

struct get_ctx {
    struct client *c;
    const struct arg *literal;   /* a pattern without glob characters */
    const char *seen[CONFIG_GET_MAX];
    int n;
};

/* Options matched by several patterns are listed once. A name asked for
 * literally is answered in the caller's spelling ("MAXMEMORY"), as Redis. */
static void get_visit(void *priv, const char *name, const char *value)
{
    struct get_ctx *g = priv;
    for (int i = 0; i < g->n; i++)
        if (g->seen[i] == name) return;
    if (g->n == CONFIG_GET_MAX) return;
    g->seen[g->n++] = name;
    if (g->literal) reply_bulk(g->c, g->literal->p, g->literal->len);
    else reply_bulk_cstr(g->c, name);
    reply_bulk_cstr(g->c, value);
}

static int has_glob(const struct arg *a)
{
    for (size_t i = 0; i < a->len; i++)
        if (a->p[i] && strchr("*?[\\", a->p[i])) return 1;
    return 0;
}

void cmd_config_get(struct client *c)
{
    struct get_ctx *g = mem_calloc(sizeof(*g));
    g->c = c;
    size_t handle = reply_defer(c);
    for (int i = 2; i < c->argc; i++) {
        g->literal = has_glob(&c->argv[i]) ? NULL : &c->argv[i];
        config_get(c->argv[i].p, c->argv[i].len, get_visit, g);
    }
    reply_defer_set(c, handle, '%', g->n);
    mem_free(g);
}

/* ---- CONFIG SET ---- */

struct set_pair {
    char *name, *value, *old;
};

static void copy_value(void *priv, const char *name, const char *value)
{
    char **out = priv;
    if (*out == NULL) *out = mem_strdup(value);
}

static void free_pairs(struct set_pair *p, int n)
{
    for (int i = 0; i < n; i++) {
        mem_free(p[i].name);
        mem_free(p[i].value);
        mem_free(p[i].old);
    }
    mem_free(p);
}

/* Checks every name before anything changes; the first problem found is
 * the one reported (as Redis). Returns 0, or -1 after replying. */
static int set_check_names(struct client *c, struct set_pair *p, int n)
{
    for (int i = 0; i < n; i++) {
        const char *why = NULL;
        if (!config_exists(p[i].name)) {
            reply_errorf(c, "Unknown option or number of arguments for CONFIG SET - '%s'", p[i].name);
            return -1;
        }
        if (!config_is_mutable(p[i].name)) why = "can't set immutable config";
        for (int j = 0; j < i && !why; j++)
            if (strcasecmp(p[j].name, p[i].name) == 0) why = "duplicate parameter";
        if (why) {
            reply_errorf(c, "CONFIG SET failed (possibly related to argument '%s') - %s", p[i].name, why);
            return -1;
        }
    }
    return 0;
}

/* Applies the pairs in order; on a refusal restores those already set. */
static int set_apply_all(struct client *c, struct set_pair *p, int n)
{
    char err[512], ignored[512];
    for (int i = 0; i < n; i++) {
        config_get(p[i].name, strlen(p[i].name), copy_value, &p[i].old);
        err[0] = '\0';
        if (config_apply(p[i].name, p[i].value, 1, err, sizeof(err)) == 0) continue;
        for (int j = i; j >= 0; j--)
            if (p[j].old) config_apply(p[j].name, p[j].old, 0, ignored, sizeof(ignored));
        reply_errorf(c, "CONFIG SET failed (possibly related to argument '%s') - %s", p[i].name, err);
        return -1;
    }
    return 0;
}

void cmd_config_set(struct client *c)
{
    if (c->argc % 2) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    int n = (c->argc - 2) / 2;
    struct set_pair *p = mem_calloc(sizeof(*p) * (size_t)n);
    for (int i = 0; i < n; i++) {
        p[i].name = mem_strndup(c->argv[2 + 2 * i].p, c->argv[2 + 2 * i].len);
        p[i].value = mem_strndup(c->argv[3 + 2 * i].p, c->argv[3 + 2 * i].len);
    }
    if (set_check_names(c, p, n) == 0 && set_apply_all(c, p, n) == 0) reply_ok(c);
    free_pairs(p, n);
}

void cmd_config_resetstat(struct client *c)
{
    info_reset_stats();
    reply_ok(c);
}

void cmd_config_help(struct client *c)
{
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        NULL,
    };
    reply_help(c, "CONFIG", lines);
}
