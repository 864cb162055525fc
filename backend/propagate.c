/* backend/propagate: see propagate.h. Commands are encoded as RESP arrays
 * here, once, and handed to the AOF (aof_feed), which keeps them in its
 * buffer and in the rewrite buffer while a rewrite runs. An override is
 * encoded into a per-command buffer as the handler calls
 * propagate_replace(); dispatch feeds it, or the command as received, when
 * the handler returns. */
#include "backend/propagate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend/aof.h"
#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/rdb.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "compat/resp.h"
#include "lib/mem.h"
#include "lib/util.h"

/* A growable byte buffer for encoded commands. */
struct pbuf {
    char *p;
    size_t len, cap;
};

static struct pbuf override;     /* the running command's replacement form */
static int override_set;         /* propagate_replace was called */
static struct pbuf scratch;      /* encoding outside a command */
static int in_call;              /* between propagate_call_begin and _end */
static int fed;                  /* this command logged something */

static void pbuf_append(struct pbuf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = mem_realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void pbuf_header(struct pbuf *b, char prefix, long long n)
{
    char hdr[32];
    pbuf_append(b, hdr, resp_fmt_header(hdr, prefix, n));
}

static void encode_args(struct pbuf *b, int argc, const struct arg *argv)
{
    pbuf_header(b, '*', argc);
    for (int i = 0; i < argc; i++) {
        pbuf_header(b, '$', (long long)argv[i].len);
        pbuf_append(b, argv[i].p, argv[i].len);
        pbuf_append(b, "\r\n", 2);
    }
}

/* Keeps the scratch buffer from pinning a huge value's worth of memory. */
static void pbuf_reset(struct pbuf *b)
{
    b->len = 0;
    if (b->cap > 1024 * 1024) {
        mem_free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
}

/* ------------------------------------------------------- dispatch's side */

void propagate_call_begin(struct client *c)
{
    (void)c;
    override_set = 0;
    override.len = 0;
    in_call = 1;
    fed = 0;
}

int propagate_call_end(struct client *c, int wrote)
{
    if (wrote && !server.loading && aof_wants_feed()) {
        fed = 1;
        if (override_set) {
            if (override.len) aof_feed(c->db->id, override.p, override.len);
        } else {
            pbuf_reset(&scratch);
            encode_args(&scratch, c->argc, c->argv);
            aof_feed(c->db->id, scratch.p, scratch.len);
        }
    }
    if (override_set) pbuf_reset(&override);
    override_set = 0;
    in_call = 0;
    /* only what this command logged decides its acknowledgement: a read
     * answers even while older records wait for the disk */
    int rc = aof_flush_for_ack();
    return fed ? rc : 0;
}

/* ------------------------------------------------------- handlers' side */

void propagate_replace(struct client *c, int argc, const struct arg *argv)
{
    if (server.loading) return;     /* replaying: nothing is logged */
    if (!in_call) {
        /* outside dispatch (a blocked client being served): log it now */
        if (argc > 0 && aof_wants_feed()) {
            pbuf_reset(&scratch);
            encode_args(&scratch, argc, argv);
            aof_feed(c->db->id, scratch.p, scratch.len);
        }
        aof_flush_for_ack();
        return;
    }
    override_set = 1;
    if (argc > 0) encode_args(&override, argc, argv);
}

struct arg propagate_ll_arg(char *buf, long long v)
{
    struct arg a = {buf, (size_t)util_ll2str(buf, v)};
    return a;
}

void propagate_replace_expire(struct client *c, const struct arg *key, int64_t when_ms)
{
    char num[UTIL_LONG_STR_SIZE];
    if (when_ms < 0) {
        struct arg argv[2] = {{"PERSIST", 7}, *key};
        propagate_replace(c, 2, argv);
        return;
    }
    struct arg argv[3] = {{"PEXPIREAT", 9}, *key, propagate_ll_arg(num, when_ms)};
    propagate_replace(c, 3, argv);
}

void propagate_replace_del(struct client *c, const struct arg *key)
{
    struct arg argv[2] = {{"DEL", 3}, *key};
    propagate_replace(c, 2, argv);
}

void propagate_replace3(struct client *c, const char *cmd, const struct arg *key, const char *p, size_t len)
{
    struct arg argv[3] = {{cmd, strlen(cmd)}, *key, {p, len}};
    propagate_replace(c, 3, argv);
}

/* -------------------------------------------------- outside a command */

static void feed_now(int dbid, int argc, const struct arg *argv)
{
    if (server.loading || !aof_wants_feed()) return;
    pbuf_reset(&scratch);
    encode_args(&scratch, argc, argv);
    aof_feed(dbid, scratch.p, scratch.len);
    fed = 1;
}

int propagate_command(int dbid, int argc, const char **argv, const size_t *lens)
{
    struct arg small[8] = {{0}}, *args = argc <= 8 ? small : mem_alloc(sizeof(*args) * (size_t)argc);
    for (int i = 0; i < argc; i++) {
        args[i].p = argv[i];
        args[i].len = lens[i];
    }
    feed_now(dbid, argc, args);
    if (args != small) mem_free(args);
    /* inside a RESP command, dispatch flushes when the handler returns */
    return in_call ? 0 : aof_flush_for_ack();
}

int propagate_mc_item(int dbid, const struct entry *e)
{
    size_t klen;
    const char *key = entry_key(e, &klen);
    struct strval sv;
    entry_get_str(e, &sv);
    char fbuf[UTIL_LONG_STR_SIZE], tbuf[UTIL_LONG_STR_SIZE];
    struct arg argv[5] = {{"SHOAL.MCSET", 11}, {key, klen}, {sv.p, sv.len},
                          propagate_ll_arg(fbuf, (long long)entry_mc_flags(e)),
                          propagate_ll_arg(tbuf, entry_expire(e))};
    feed_now(dbid, 5, argv);
    return in_call ? 0 : aof_flush_for_ack();
}

void propagate_deleted_key(int dbid, const char *key, size_t klen)
{
    struct arg argv[2] = {{"DEL", 3}, {key, klen}};
    feed_now(dbid, 2, argv);
}

/* SHOAL.MCSET key value flags pxat: see propagate.h. */
void cmd_shoal_mcset(struct client *c)
{
    long long flags, pxat;
    if (util_str2ll(c->argv[3].p, c->argv[3].len, &flags) < 0 || flags < 0 || flags > 4294967295LL ||
        util_str2ll(c->argv[4].p, c->argv[4].len, &pxat) < 0 || pxat < -1) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct entry *old = db_lookup_write(c->db, c->argv[1].p, c->argv[1].len);
    struct entry *e = entry_create_str(c->argv[1].p, c->argv[1].len, c->argv[2].p, c->argv[2].len,
                                       pxat, (uint32_t)flags, flags != 0);
    if (old) db_overwrite(c->db, old, e);
    else db_add(c->db, e);
    reply_ok(c);
}

/* ---------------------------------------------------------- the way back */

static struct client *replay_client;

int propagate_replay(int dbid, int argc, const struct arg *argv)
{
    if (replay_client == NULL) {
        replay_client = mem_calloc(sizeof(*replay_client));
        replay_client->fd = -1;
        replay_client->resp = 2;
        replay_client->flags = CLIENT_AUTHENTICATED | CLIENT_NO_REPLY;
        snprintf(replay_client->addr, sizeof(replay_client->addr), "loading");
    }
    struct client *c = replay_client;
    c->db = db_get(dbid);
    c->argc = argc;
    c->argv = (struct arg *)argv;
    int rc = dispatch_replay(c);
    c->argv = NULL;
    c->argc = 0;
    return rc;
}

void propagate_replay_done(void)
{
    if (replay_client) mem_free(replay_client->obuf);
    mem_free(replay_client);
    replay_client = NULL;
    pbuf_reset(&scratch);
}

/* ------------------------------------------------------------- MISCONF */

const char *persist_write_error(void)
{
    static char buf[256];
    if (server.cfg.stop_writes_on_bgsave_error && rdb_save_points_count() > 0 && !rdb_last_bgsave_ok())
        return "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
               "to disk. Commands that may modify the data set are disabled, because this instance is "
               "configured to report errors during writes if RDB snapshotting fails "
               "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
               "RDB error.";
    int err = aof_write_errno();
    if (err == 0) return NULL;
    snprintf(buf, sizeof(buf), "-MISCONF Errors writing to the AOF file: %s", strerror(err));
    return buf;
}
