/* backend/cmd_command: COMMAND and its subcommands (COUNT LIST INFO DOCS
 * GETKEYS GETKEYSANDFLAGS HELP), generated from the table in compat/cmd.def,
 * in Redis 7.0's reply shapes so client libraries and redis-cli can
 * introspect the node. What cmd.def does not carry is derived: ACL
 * categories from the flags and the command's group, key specs from
 * first/last/step. The group of a command comes from a name list below
 * (Redis's documentation groups); unlisted names are "generic". DOCS gives
 * the group and empty summary/since/complexity: well-formed, not prose. */
#include <stdio.h>
#include <string.h>

#include "backend/dispatch.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/util.h"

static const struct {
    const char *group, *acl, *names;
} groups[] = {
    {"string", "string",
     " get set setnx setex psetex mget mset msetnx incr decr incrby decrby incrbyfloat append strlen"
     " getrange substr setrange getdel getex getset lcs "},
    {"bitmap", "bitmap", " setbit getbit bitcount bitpos bitop bitfield bitfield_ro "},
    {"connection", "connection", " ping echo hello auth select quit reset client "},
    {"server", NULL,
     " info dbsize flushdb flushall config command time shutdown debug memory save bgsave bgrewriteaof"
     " lastsave slowlog latency monitor swapdb role replicaof slaveof sync psync failover acl lolwut"
     " module "},
    {"list", "list",
     " lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset linsert lrem ltrim rpoplpush lmove"
     " blpop brpop brpoplpush blmove lpos lmpop blmpop "},
    {"hash", "hash",
     " hset hsetnx hget hmset hmget hdel hlen hstrlen hincrby hincrbyfloat hkeys hvals hgetall hexists"
     " hscan hrandfield "},
    {"set", "set",
     " sadd srem smove sismember smismember scard spop srandmember sinter sintercard sinterstore sunion"
     " sunionstore sdiff sdiffstore smembers sscan "},
    {"sorted_set", "sortedset",
     " zadd zincrby zrem zremrangebyscore zremrangebyrank zremrangebylex zunionstore zinterstore"
     " zdiffstore zunion zinter zintercard zdiff zrange zrangestore zrangebyscore zrevrangebyscore"
     " zrangebylex zrevrangebylex zcount zlexcount zrevrange zcard zscore zmscore zrank zrevrank zscan"
     " zpopmin zpopmax bzpopmin bzpopmax zmpop bzmpop zrandmember "},
    {"pubsub", "pubsub", " subscribe unsubscribe psubscribe punsubscribe publish pubsub ssubscribe sunsubscribe spublish "},
    {"transactions", "transaction", " multi exec discard watch unwatch "},
    {"scripting", "scripting", " eval evalsha eval_ro evalsha_ro script fcall fcall_ro function "},
    {"hyperloglog", "hyperloglog", " pfadd pfcount pfmerge pfdebug pfselftest "},
    {"geo", "geo", " geoadd geodist geohash geopos georadius georadiusbymember geosearch geosearchstore georadius_ro georadiusbymember_ro "},
    {"stream", "stream",
     " xadd xrange xrevrange xlen xread xreadgroup xgroup xack xpending xclaim xautoclaim xinfo xdel"
     " xtrim xsetid "},
};
#define NGROUPS (int)(sizeof(groups) / sizeof(groups[0]))

/* Index into groups[] of a top-level command, or -1 for "generic". */
static int group_of(const struct cmd_desc *d)
{
    if (d->parent >= 0) d = &cmd_table[d->parent];
    char word[80];
    snprintf(word, sizeof(word), " %s ", d->name);
    for (int i = 0; i < NGROUPS; i++)
        if (strstr(groups[i].names, word)) return i;
    return -1;
}

/* ACL categories (without '@') of a command; returns the count. */
static int acl_categories(const struct cmd_desc *d, const char **out)
{
    int n = 0, g = group_of(d);
    uint32_t f = d->flags;
    if (f & CMD_WRITE) out[n++] = "write";
    if (f & CMD_READONLY) out[n++] = "read";
    if (g < 0) out[n++] = "keyspace";
    else if (groups[g].acl && !((f & CMD_PUBSUB) && strcmp(groups[g].acl, "pubsub") == 0)) out[n++] = groups[g].acl;
    if (f & CMD_ADMIN) out[n++] = "admin";
    if (f & CMD_PUBSUB) out[n++] = "pubsub";
    out[n++] = (f & CMD_FAST) ? "fast" : "slow";
    if (f & CMD_BLOCKING) out[n++] = "blocking";
    if (f & CMD_ADMIN) out[n++] = "dangerous";
    return n;
}

static void reply_status_set(struct client *c, const char **names, int n, const char *prefix)
{
    char buf[64];
    reply_set(c, n);
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "%s%s", prefix, names[i]);
        reply_simple(c, buf);
    }
}

static void key_spec_flags(struct client *c, const struct cmd_desc *d)
{
    const char *f[2] = {"RW", "update"};
    if (d->flags & CMD_READONLY) {
        f[0] = "RO";
        f[1] = "access";
    }
    reply_status_set(c, f, 2, "");
}

/* One key spec from first/last/step, or none for keyless commands (a set
 * in RESP3, as Redis sends it; so are the subcommands). */
static void reply_key_specs(struct client *c, const struct cmd_desc *d)
{
    if (d->first_key <= 0) {
        reply_set(c, 0);
        return;
    }
    reply_set(c, 1);
    reply_map(c, 3);
    reply_bulk_cstr(c, "flags");
    key_spec_flags(c, d);
    reply_bulk_cstr(c, "begin_search");
    reply_map(c, 2);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, "index");
    reply_bulk_cstr(c, "spec");
    reply_map(c, 1);
    reply_bulk_cstr(c, "index");
    reply_int(c, d->first_key);
    reply_bulk_cstr(c, "find_keys");
    reply_map(c, 2);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, "range");
    reply_bulk_cstr(c, "spec");
    reply_map(c, 3);
    reply_bulk_cstr(c, "lastkey");
    reply_int(c, d->last_key < 0 ? d->last_key : d->last_key - d->first_key);
    reply_bulk_cstr(c, "keystep");
    reply_int(c, d->key_step);
    reply_bulk_cstr(c, "limit");
    reply_int(c, 0);
}

static int count_subs(const struct cmd_desc *d)
{
    int n = 0;
    for (int i = 0; i < CMD_ID__COUNT; i++)
        if (cmd_table[i].parent == (int)d->id) n++;
    return n;
}

static void reply_command_info(struct client *c, const struct cmd_desc *d)
{
    const char *names[16];
    reply_array(c, 10);
    reply_bulk_cstr(c, d->fullname);
    reply_int(c, d->arity);
    reply_status_set(c, names, cmd_flag_names(d->flags, names, 16), "");
    reply_int(c, d->first_key);
    reply_int(c, d->last_key);
    reply_int(c, d->key_step);
    reply_status_set(c, names, acl_categories(d, names), "@");
    reply_set(c, 0);   /* tips */
    reply_key_specs(c, d);
    reply_set(c, count_subs(d));
    for (int i = 0; i < CMD_ID__COUNT; i++)
        if (cmd_table[i].parent == (int)d->id) reply_command_info(c, &cmd_table[i]);
}

/* "get" or "config|get". */
static const struct cmd_desc *lookup_fullname(const char *p, size_t len)
{
    const char *bar = memchr(p, '|', len);
    if (bar == NULL) return cmd_lookup(p, len);
    const struct cmd_desc *parent = cmd_lookup(p, (size_t)(bar - p));
    if (parent == NULL || !(parent->flags & CMD_CONTAINER)) return NULL;
    return cmd_lookup_sub(parent, bar + 1, len - (size_t)(bar - p) - 1);
}

/* Names are argv[first..]; none: every command. */
static void command_info(struct client *c, int first)
{
    if (c->argc == first) {
        reply_array(c, cmd_top_count());
        for (int i = 0; i < CMD_ID__COUNT; i++)
            if (cmd_table[i].parent < 0) reply_command_info(c, &cmd_table[i]);
        return;
    }
    reply_array(c, c->argc - first);
    for (int i = first; i < c->argc; i++) {
        const struct cmd_desc *d = lookup_fullname(c->argv[i].p, c->argv[i].len);
        if (d) reply_command_info(c, d);
        else reply_null(c);
    }
}

static void reply_command_docs(struct client *c, const struct cmd_desc *d)
{
    int nsub = count_subs(d), g = group_of(d);
    reply_bulk_cstr(c, d->fullname);
    reply_map(c, nsub ? 5 : 4);
    reply_bulk_cstr(c, "summary");
    reply_bulk_cstr(c, "");
    reply_bulk_cstr(c, "since");
    reply_bulk_cstr(c, "");
    reply_bulk_cstr(c, "group");
    reply_bulk_cstr(c, g < 0 ? "generic" : groups[g].group);
    reply_bulk_cstr(c, "complexity");
    reply_bulk_cstr(c, "");
    if (!nsub) return;
    reply_bulk_cstr(c, "subcommands");
    reply_map(c, nsub);
    for (int i = 0; i < CMD_ID__COUNT; i++)
        if (cmd_table[i].parent == (int)d->id) reply_command_docs(c, &cmd_table[i]);
}

static void command_docs(struct client *c)
{
    if (c->argc == 2) {
        reply_map(c, cmd_top_count());
        for (int i = 0; i < CMD_ID__COUNT; i++)
            if (cmd_table[i].parent < 0) reply_command_docs(c, &cmd_table[i]);
        return;
    }
    size_t handle = reply_defer(c);
    long long n = 0;
    for (int i = 2; i < c->argc; i++) {
        const struct cmd_desc *d = lookup_fullname(c->argv[i].p, c->argv[i].len);
        if (d == NULL) continue;
        reply_command_docs(c, d);
        n++;
    }
    reply_defer_set(c, handle, '%', n);
}

static int has_acl_category(const struct cmd_desc *d, const struct arg *cat)
{
    const char *names[16];
    int n = acl_categories(d, names);
    for (int i = 0; i < n; i++)
        if (util_eq_nocase(cat->p, cat->len, names[i])) return 1;
    return 0;
}

/* COMMAND LIST [FILTERBY MODULE name | ACLCAT cat | PATTERN pattern] */
static void command_list(struct client *c)
{
    int by_module = 0, by_cat = 0, by_pattern = 0;
    if (c->argc == 5 && util_eq_nocase(c->argv[2].p, c->argv[2].len, "filterby")) {
        const struct arg *kind = &c->argv[3];
        by_module = util_eq_nocase(kind->p, kind->len, "module");
        by_cat = util_eq_nocase(kind->p, kind->len, "aclcat");
        by_pattern = util_eq_nocase(kind->p, kind->len, "pattern");
    }
    if (c->argc != 2 && !(by_module || by_cat || by_pattern)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    const struct arg *v = c->argc == 5 ? &c->argv[4] : NULL;
    size_t handle = reply_defer(c);
    long long n = 0;
    for (int i = 0; i < CMD_ID__COUNT && !by_module; i++) {
        const struct cmd_desc *d = &cmd_table[i];
        if (by_cat && !has_acl_category(d, v)) continue;
        if (by_pattern && !util_glob_match(v->p, v->len, d->fullname, strlen(d->fullname), 1)) continue;
        reply_bulk_cstr(c, d->fullname);
        n++;
    }
    reply_defer_set(c, handle, '*', n);
}

/* COMMAND GETKEYS / GETKEYSANDFLAGS <full command> */
static void command_getkeys(struct client *c, int with_flags)
{
    const struct arg *av = c->argv + 2;
    int ac = c->argc - 2;
    const struct cmd_desc *d = cmd_lookup(av[0].p, av[0].len);
    if (d && (d->flags & CMD_CONTAINER)) d = ac >= 2 ? cmd_lookup_sub(d, av[1].p, av[1].len) : NULL;
    if (d == NULL) {
        reply_error(c, "Invalid command specified");
        return;
    }
    if (d->first_key <= 0) {
        reply_error(c, "The command has no key arguments");
        return;
    }
    if (!cmd_arity_ok(d, ac)) {
        reply_error(c, "Invalid number of arguments specified for command");
        return;
    }
    int last = d->last_key < 0 ? ac + d->last_key : d->last_key;
    size_t handle = reply_defer(c);
    long long n = 0;
    for (int j = d->first_key; j <= last && j < ac; j += d->key_step > 0 ? d->key_step : 1) {
        if (with_flags) {
            reply_array(c, 2);
            reply_bulk(c, av[j].p, av[j].len);
            key_spec_flags(c, d);
        } else {
            reply_bulk(c, av[j].p, av[j].len);
        }
        n++;
    }
    reply_defer_set(c, handle, '*', n);
}

static void command_help(struct client *c)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL,
    };
    reply_help(c, "COMMAND", lines);
}

static const struct {
    const char *name;
    int arity;
} command_subs[] = {
    {"count", 2}, {"list", -2}, {"info", -2}, {"docs", -2},
    {"getkeys", -4}, {"getkeysandflags", -4}, {"help", 2},
};

void cmd_command(struct client *c)
{
    if (c->argc == 1) {
        command_info(c, 1);
        return;
    }
    const struct arg *sub = &c->argv[1];
    int k = -1;
    for (int i = 0; i < (int)(sizeof(command_subs) / sizeof(command_subs[0])); i++)
        if (util_eq_nocase(sub->p, sub->len, command_subs[i].name)) k = i;
    if (k < 0) {
        reply_errorf(c, "unknown subcommand '%.*s'. Try COMMAND HELP.", (int)(sub->len > 128 ? 128 : sub->len), sub->p);
        return;
    }
    int ar = command_subs[k].arity;
    if (ar > 0 ? c->argc != ar : c->argc < -ar) {
        reply_errorf(c, "wrong number of arguments for 'command|%s' command", command_subs[k].name);
        return;
    }
    switch (k) {
    case 0: reply_int(c, cmd_top_count()); break;
    case 1: command_list(c); break;
    case 2: command_info(c, 2); break;
    case 3: command_docs(c); break;
    case 4: command_getkeys(c, 0); break;
    case 5: command_getkeys(c, 1); break;
    default: command_help(c); break;
    }
}
