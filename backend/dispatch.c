/* backend/dispatch: see dispatch.h. Error texts are Redis 7.0's. */
#include "backend/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "backend/evict.h"
#include "backend/propagate.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/clock.h"

/* Containers have no handler of their own: dispatch picks the subcommand. */
#define cmd_client NULL
#define cmd_config NULL
#define cmd_object NULL
#define cmd_memory NULL

static cmd_handler *const handlers[CMD_ID__COUNT] = {
#define CMD(id, name, arity, flags, first, last, step, merge) [CMD_ID_##id] = cmd_##id,
#define SUB(parent, id, name, arity, flags, first, last, step) [CMD_ID_##parent##_##id] = cmd_##parent##_##id,
#include "compat/cmd.def"
#undef CMD
#undef SUB
};

static void reply_unknown(struct client *c)
{
    char args[256];
    size_t n = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && n < 128; i++) {
        int room = 128 - (int)n;
        int w = snprintf(args + n, sizeof(args) - n, "'%.*s' ",
                         (int)(c->argv[i].len < (size_t)room ? c->argv[i].len : (size_t)room), c->argv[i].p);
        if (w > 0) n += (size_t)w;
        if (n >= sizeof(args)) { n = sizeof(args) - 1; break; }
    }
    reply_errorf(c, "unknown command '%.*s', with args beginning with: %s",
                 (int)(c->argv[0].len > 128 ? 128 : c->argv[0].len), c->argv[0].p, args);
}

static void reply_unknown_sub(struct client *c, const struct cmd_desc *parent)
{
    char upper[32];
    size_t i;
    for (i = 0; parent->name[i] && i < sizeof(upper) - 1; i++)
        upper[i] = (char)(parent->name[i] >= 'a' && parent->name[i] <= 'z' ? parent->name[i] - 32 : parent->name[i]);
    upper[i] = '\0';
    reply_errorf(c, "unknown subcommand '%.*s'. Try %s HELP.",
                 (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len), c->argv[1].p, upper);
}

/* Finds the command (or subcommand) to run; replies and returns NULL if none. */
static const struct cmd_desc *resolve(struct client *c)
{
    const struct cmd_desc *d = cmd_lookup(c->argv[0].p, c->argv[0].len);
    if (d == NULL) {
        reply_unknown(c);
        return NULL;
    }
    if (!(d->flags & CMD_CONTAINER)) {
        if (!cmd_arity_ok(d, c->argc)) {
            reply_wrong_arity(c, d->fullname);
            return NULL;
        }
        return d;
    }
    if (c->argc < 2) {
        reply_wrong_arity(c, d->fullname);
        return NULL;
    }
    const struct cmd_desc *sub = cmd_lookup_sub(d, c->argv[1].p, c->argv[1].len);
    if (sub == NULL) {
        reply_unknown_sub(c, d);
        return NULL;
    }
    if (!cmd_arity_ok(sub, c->argc)) {
        reply_wrong_arity(c, sub->fullname);
        return NULL;
    }
    return sub;
}

int dispatch_replay(struct client *c)
{
    const struct cmd_desc *d = cmd_lookup(c->argv[0].p, c->argv[0].len);
    if (d && (d->flags & CMD_CONTAINER))
        d = c->argc >= 2 ? cmd_lookup_sub(d, c->argv[1].p, c->argv[1].len) : NULL;
    if (d == NULL || !cmd_arity_ok(d, c->argc)) return -1;
    struct client *saved = server.current;
    c->cmd = c->lastcmd = d;
    server.current = c;
    handlers[d->id](c);
    server.current = saved;
    return 0;
}

void dispatch_command(struct client *c)
{
    c->cmd = NULL;
    const struct cmd_desc *d = resolve(c);
    if (d == NULL) return;
    c->cmd = d;
    c->lastcmd = d;
    uint32_t flags = d->flags;
    if (d->parent >= 0) flags |= cmd_table[d->parent].flags;
    if (!(c->flags & CLIENT_AUTHENTICATED) && !(flags & CMD_NOAUTH)) {
        reply_error(c, ERR_NOAUTH);
        return;
    }
    /* as Redis: any command evicts while over maxmemory (so lowering the
     * limit takes effect on reads too); only writes that may grow memory
     * are refused when nothing more can go */
    if (server.cfg.maxmemory > 0 && evict_perform() < 0 && (flags & CMD_DENYOOM)) {
        reply_error(c, ERR_OOM);
        return;
    }
    if ((flags & CMD_WRITE) || d->id == CMD_ID_ping) {
        /* persistence is failing: refuse writes, as Redis's MISCONF */
        const char *misconf = persist_write_error();
        if (misconf) {
            reply_error(c, misconf);
            return;
        }
    }
    server.current = c;
    /* one clock read per command: this command ends where the next starts */
    int64_t start = server.cmd_clock_us ? server.cmd_clock_us : clock_mono_us();
    long long dirty = server.dirty;
    size_t pending = c->olen - c->opos;
    propagate_call_begin(c);
    handlers[d->id](c);
    if (propagate_call_end(c, (flags & CMD_WRITE) && server.dirty != dirty) < 0) {
        /* appendfsync always could not make it durable: no acknowledgement */
        c->olen = c->opos + pending;
        reply_error(c, persist_write_error());
    }
    server.cmd_clock_us = clock_mono_us();
    server.stat.cmd_usec[d->id] += server.cmd_clock_us - start;
    server.stat.cmd_calls[d->id]++;
    server.stat.numcommands++;
    server.current = NULL;
}
