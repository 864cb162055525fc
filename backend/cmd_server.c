/* backend/cmd_server: connection and server commands (PING ECHO HELLO AUTH
 * SELECT QUIT RESET INFO DBSIZE FLUSHDB FLUSHALL TIME SHUTDOWN OBJECT
 * MEMORY) with Redis 7.0.15's replies and error texts. CLIENT lives in
 * cmd_client.c, CONFIG in cmd_config.c, COMMAND in cmd_command.c: each of
 * those is a family with its own option parsing.
 *
 * Authentication is Redis's with only the "default" user: requirepass is
 * its password; without one the user has no password and any AUTH of
 * "default" succeeds (as ACL's nopass). */
#include <event2/event.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "backend/args.h"
#include "backend/cmd_server.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/evict.h"
#include "backend/info.h"
#include "backend/networking.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/dict.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/util.h"

static int arg_is(const struct client *c, int i, const char *s)
{
    return util_eq_nocase(c->argv[i].p, c->argv[i].len, s);
}

static int password_required(void)
{
    return server.cfg.requirepass != NULL && server.cfg.requirepass[0] != '\0';
}

/* Compares without stopping at the first difference (no timing oracle). */
static int secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < alen; i++) diff |= (unsigned char)(a[i] ^ b[i % (blen ? blen : 1)]);
    return diff == 0;
}

int srv_check_credentials(const struct arg *user, const struct arg *pass)
{
    if (user->len != 7 || memcmp(user->p, "default", 7) != 0) return 0;
    if (!password_required()) return 1;
    const char *want = server.cfg.requirepass;
    return secret_equal(pass->p, pass->len, want, strlen(want));
}

int srv_set_client_name(struct client *c, const struct arg *name)
{
    for (size_t i = 0; i < name->len; i++) {
        if (name->p[i] < '!' || name->p[i] > '~') {
            reply_error(c, "Client names cannot contain spaces, newlines or special characters.");
            return -1;
        }
    }
    mem_free(c->name);
    c->name = name->len ? mem_strndup(name->p, name->len) : NULL;
    return 0;
}

void cmd_ping(struct client *c)
{
    if (c->argc > 2) {
        reply_wrong_arity(c, "ping");
        return;
    }
    if (c->argc == 1) reply_simple(c, "PONG");
    else reply_bulk(c, c->argv[1].p, c->argv[1].len);
}

void cmd_echo(struct client *c) { reply_bulk(c, c->argv[1].p, c->argv[1].len); }

static void hello_reply(struct client *c)
{
    reply_map(c, 7);
    reply_bulk_cstr(c, "server");
    reply_bulk_cstr(c, "redis");
    reply_bulk_cstr(c, "version");
    reply_bulk_cstr(c, SHOAL_VERSION);
    reply_bulk_cstr(c, "proto");
    reply_int(c, c->resp);
    reply_bulk_cstr(c, "id");
    reply_int(c, (long long)c->id);
    reply_bulk_cstr(c, "mode");
    reply_bulk_cstr(c, "standalone");
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, "master");
    reply_bulk_cstr(c, "modules");
    reply_array(c, 0);
}

void cmd_hello(struct client *c)
{
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (util_str2ll(c->argv[1].p, c->argv[1].len, &ver) < 0) {
            reply_error(c, "Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            reply_error(c, "-NOPROTO unsupported protocol version");
            return;
        }
    }
    const struct arg *user = NULL, *pass = NULL, *name = NULL;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_is(c, j, "auth") && more >= 2) {
            user = &c->argv[j + 1];
            pass = &c->argv[j + 2];
            j += 2;
        } else if (arg_is(c, j, "setname") && more >= 1) {
            name = &c->argv[++j];
        } else {
            reply_errorf(c, "Syntax error in HELLO option '%.*s'", (int)c->argv[j].len, c->argv[j].p);
            return;
        }
    }
    if (user) {
        if (!srv_check_credentials(user, pass)) {
            reply_error(c, "-WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        c->flags |= CLIENT_AUTHENTICATED;
    }
    if (!(c->flags & CLIENT_AUTHENTICATED)) {
        reply_error(c, "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                       "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
                       "the RESP protocol version at the same time");
        return;
    }
    if (name && srv_set_client_name(c, name) < 0) return;
    if (ver) c->resp = (int)ver;
    hello_reply(c);
}

void cmd_auth(struct client *c)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    static const struct arg default_user = {"default", 7};
    const struct arg *user = &default_user, *pass = &c->argv[1];
    if (c->argc == 2 && !password_required()) {
        reply_error(c, "AUTH <password> called without any password configured for the default user. "
                       "Are you sure your configuration is correct?");
        return;
    }
    if (c->argc == 3) {
        user = &c->argv[1];
        pass = &c->argv[2];
    }
    if (!srv_check_credentials(user, pass)) {
        reply_error(c, "-WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    c->flags |= CLIENT_AUTHENTICATED;
    reply_ok(c);
}

void cmd_select(struct client *c)
{
    long long id;
    if (args_range_ll_or_reply(c, &c->argv[1], INT_MIN, INT_MAX, &id, NULL) < 0) return;
    if (client_select_db(c, id) < 0) {
        reply_error(c, "DB index is out of range");
        return;
    }
    reply_ok(c);
}

void cmd_quit(struct client *c)
{
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

void cmd_reset(struct client *c)
{
    client_select_db(c, 0);
    c->resp = 2;
    c->flags &= ~CLIENT_NO_REPLY;
    mem_free(c->name);
    c->name = NULL;
    if (password_required()) c->flags &= ~CLIENT_AUTHENTICATED;
    else c->flags |= CLIENT_AUTHENTICATED;
    reply_simple(c, "RESET");
}

void cmd_info(struct client *c)
{
    struct info_buf b = {0};
    info_generate(c, 1, &b);
    reply_verbatim(c, b.p, b.len, "txt");
    info_buf_free(&b);
}

void cmd_dbsize(struct client *c) { reply_int(c, (long long)db_size(c->db)); }

/* FLUSHDB/FLUSHALL [ASYNC|SYNC]: both flush now (the keyspace is freed
 * inline either way); returns -1 after replying on bad arguments. */
static int flush_args_ok(struct client *c)
{
    if (c->argc == 1) return 0;
    if (c->argc == 2 && (arg_is(c, 1, "async") || arg_is(c, 1, "sync"))) return 0;
    reply_error(c, ERR_SYNTAX);
    return -1;
}

void cmd_flushdb(struct client *c)
{
    if (flush_args_ok(c) < 0) return;
    db_flush(c->db);
    reply_ok(c);
}

void cmd_flushall(struct client *c)
{
    if (flush_args_ok(c) < 0) return;
    db_flush_all();
    reply_ok(c);
}

void cmd_time(struct client *c)
{
    int64_t us = clock_us();
    reply_array(c, 2);
    reply_bulk_ll(c, us / 1000000);
    reply_bulk_ll(c, us % 1000000);
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the AOF is flushed and a
 * snapshot saved (SAVE, or save points without NOSAVE) before exiting; a
 * failure keeps the node up unless FORCE. No shutdown is ever pending. */
void cmd_shutdown(struct client *c)
{
    int nosave = 0, save = 0, other = 0, abort_req = 0, force = 0;
    for (int i = 1; i < c->argc; i++) {
        if (arg_is(c, i, "nosave")) nosave = 1;
        else if (arg_is(c, i, "save")) save = 1;
        else if (arg_is(c, i, "force")) other = force = 1;
        else if (arg_is(c, i, "now")) other = 1;
        else if (arg_is(c, i, "abort")) abort_req = 1;
        else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if ((abort_req && (nosave || save || other)) || (nosave && save)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (abort_req) {
        reply_error(c, "No shutdown in progress.");
        return;
    }
    log_notice("SHUTDOWN requested by client id=%llu addr=%s", (unsigned long long)c->id, c->addr);
    if (server_prepare_shutdown(save ? 1 : nosave ? -1 : 0, force) < 0) {
        reply_error(c, "Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    server.shutdown_asap = 1;
    event_base_loopbreak(server.base);
}

/* ---- OBJECT ---- */

/* The key's entry without touching its LRU/LFU data; replies null and
 * returns NULL if there is none. */
static struct entry *object_lookup_or_reply(struct client *c)
{
    struct entry *e = db_peek(c->db, c->argv[2].p, c->argv[2].len);
    if (e == NULL || db_entry_expired(e, server.now_ms)) {
        reply_null(c);
        return NULL;
    }
    return e;
}

void cmd_object_encoding(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e) reply_bulk_cstr(c, entry_enc_name(e));
}

/* Redis shares the integer objects 0..9999 (refcount INT_MAX) unless an
 * LRU/LFU policy needs per-key access data; Shoal reports the same. */
void cmd_object_refcount(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e == NULL) return;
    long long v;
    int p = server.cfg.maxmemory_policy;
    int lru_lfu = p == MAXMEMORY_ALLKEYS_LRU || p == MAXMEMORY_VOLATILE_LRU || evict_policy_is_lfu();
    int shared = e->type == OBJ_STRING && e->enc == ENC_INT && entry_get_ll(e, &v) == 0 && v >= 0 &&
                 v < 10000 && (server.cfg.maxmemory == 0 || !lru_lfu);
    reply_int(c, shared ? INT_MAX : 1);
}

void cmd_object_idletime(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e == NULL) return;
    if (evict_policy_is_lfu()) {
        reply_error(c, "An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
                       "switching between policies at runtime LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_int(c, evict_idle_ms(e) / 1000);
}

void cmd_object_freq(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e == NULL) return;
    if (!evict_policy_is_lfu()) {
        reply_error(c, "An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
                       "that when switching between policies at runtime LRU and LFU data will take some time "
                       "to adjust.");
        return;
    }
    reply_int(c, evict_freq(e));
}

void cmd_object_help(struct client *c)
{
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    reply_help(c, "OBJECT", lines);
}

/* ---- MEMORY ---- */

void cmd_memory_usage(struct client *c)
{
    for (int j = 3; j < c->argc; j++) {
        long long samples;
        if (arg_is(c, j, "samples") && j + 1 < c->argc) {
            if (util_str2ll(c->argv[j + 1].p, c->argv[j + 1].len, &samples) < 0) {
                reply_error(c, ERR_NOTINT);
                return;
            }
            if (samples < 0) {
                reply_error(c, ERR_SYNTAX);
                return;
            }
            j++;   /* strings are sized exactly: nothing to sample */
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    struct entry *e = db_peek(c->db, c->argv[2].p, c->argv[2].len);
    if (e == NULL || db_entry_expired(e, server.now_ms)) {
        reply_null(c);
        return;
    }
    reply_int(c, (long long)entry_mem_usage(e));
}

static void stat_int(struct client *c, const char *name, long long v)
{
    reply_bulk_cstr(c, name);
    reply_int(c, v);
}

static void stat_double(struct client *c, const char *name, double v)
{
    reply_bulk_cstr(c, name);
    reply_double(c, v);
}

/* Per-database table overhead; returns the number of map entries written. */
static long long memory_stats_dbs(struct client *c, size_t *overhead, size_t *keys)
{
    long long n = 0;
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        if (db_size(db) == 0) continue;
        size_t main_b = dict_mem_bytes(db->keys), exp_b = dict_mem_bytes(db->expires);
        char name[32];
        snprintf(name, sizeof(name), "db.%d", i);
        reply_bulk_cstr(c, name);
        reply_map(c, 2);
        stat_int(c, "overhead.hashtable.main", (long long)main_b);
        stat_int(c, "overhead.hashtable.expires", (long long)exp_b);
        *overhead += main_b + exp_b;
        *keys += db_size(db);
        n++;
    }
    return n;
}

void cmd_memory_stats(struct client *c)
{
    size_t used = mem_used(), peak = info_peak_memory(), rss = mem_rss(), alloc, active, resident;
    mem_jemalloc_stats(&alloc, &active, &resident);
    size_t clients = 0;
    for (struct client *o = server.clients; o; o = o->next) clients += sizeof(*o) + o->qcap + o->ocap;
    size_t handle = reply_defer(c);
    stat_int(c, "peak.allocated", (long long)peak);
    stat_int(c, "total.allocated", (long long)used);
    stat_int(c, "clients.slaves", 0);
    stat_int(c, "clients.normal", (long long)clients);
    size_t overhead = clients, keys = 0;
    long long n = 4 + memory_stats_dbs(c, &overhead, &keys);
    size_t dataset = used > overhead ? used - overhead : 0;
    stat_int(c, "overhead.total", (long long)overhead);
    stat_int(c, "keys.count", (long long)keys);
    stat_int(c, "keys.bytes-per-key", keys ? (long long)(dataset / keys) : 0);
    stat_int(c, "dataset.bytes", (long long)dataset);
    stat_double(c, "dataset.percentage", used ? 100.0 * (double)dataset / (double)used : 0.0);
    stat_double(c, "peak.percentage", peak ? 100.0 * (double)used / (double)peak : 0.0);
    stat_int(c, "allocator.allocated", (long long)alloc);
    stat_int(c, "allocator.active", (long long)active);
    stat_int(c, "allocator.resident", (long long)resident);
    stat_double(c, "fragmentation", used ? (double)rss / (double)used : 0.0);
    stat_int(c, "fragmentation.bytes", (long long)rss - (long long)used);
    reply_defer_set(c, handle, '%', n + 11);
}

void cmd_memory_help(struct client *c)
{
    static const char *const lines[] = {
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL,
    };
    reply_help(c, "MEMORY", lines);
}
