/* backend/propagate: the one place a change to the keyspace becomes the
 * command that persistence logs (the AOF; a replication stream would take
 * the same form), and the way back: replaying such a command.
 *
 * By default a RESP command that wrote (CMD_WRITE and server.dirty moved) is
 * logged as received. A handler whose command would not replay to the same
 * state overrides that with propagate_replace() (relative expiry becomes
 * absolute PXAT/PEXPIREAT, INCRBYFLOAT becomes SET of its result, SPOP
 * becomes SREM of what it popped...). Changes made outside a RESP command
 * (Memcached commands, keys deleted by expiry or eviction) are logged with
 * propagate_command() / propagate_mc_item() / propagate_deleted_key().
 *
 * For Memcached (backend/mc_kv.c): every change of an item is logged as its
 * resulting state, so it replays exactly, flags and expiry included:
 *
 *   SHOAL.MCSET <key> <value> <flags> <pxat>
 *
 * an internal command (cmd.def, CMD_WRITE, never routed by the proxy) that
 * stores the string with the given Memcached client flags (0..2^32-1; the
 * entry has ENTRY_FLAGS when flags != 0, as mc_kv stores items) and the
 * absolute expiry in unix milliseconds (-1: none). propagate_mc_item()
 * composes it from an entry; deletes are "DEL key", flush_all "FLUSHDB" in
 * database 0, a touch "PEXPIREAT key ms" or "PERSIST key". */
#ifndef SHOAL_PROPAGATE_H
#define SHOAL_PROPAGATE_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct arg;
struct entry;

/* ---- dispatch's side */

/* Before a handler runs. */
void propagate_call_begin(struct client *c);
/* After it: logs the command's replayable form when `wrote`, and flushes
 * whatever the command logged (expired keys too) per appendfsync. Returns
 * -1 when appendfsync is always and the log could not be written: the
 * command must not be acknowledged (dispatch replaces its reply by
 * persist_write_error()). */
int propagate_call_end(struct client *c, int wrote);

/* ---- handlers' side */

/* Log argv instead of the command as received. Each call adds one command
 * (in the client's database); argc 0 logs nothing. Arguments are copied.
 * Called outside a dispatched command (serving a blocked client), it logs
 * argv at once. */
void propagate_replace(struct client *c, int argc, const struct arg *argv);
/* Shorthands: PEXPIREAT key when_ms (PERSIST key when when_ms is -1), and
 * DEL key, each as the command's logged form. */
void propagate_replace_expire(struct client *c, const struct arg *key, int64_t when_ms);
void propagate_replace_del(struct client *c, const struct arg *key);
/* "<cmd> key <p>" added to the logged form (SPOP: SREM key member). */
void propagate_replace3(struct client *c, const char *cmd, const struct arg *key, const char *p, size_t len);
/* An argument holding the decimal text of v, in buf (>= 24 bytes). */
struct arg propagate_ll_arg(char *buf, long long v);

/* ---- outside a RESP command */

/* Logs one command in database dbid now (and flushes per appendfsync).
 * Returns 0, or -1 when appendfsync is always and the write failed (the
 * change is still logged later, but must not be acknowledged). */
int propagate_command(int dbid, int argc, const char **argv, const size_t *lens);
/* The state of a Memcached item as SHOAL.MCSET (see above). */
int propagate_mc_item(int dbid, const struct entry *e);
/* A key the node deleted by itself (expiry, eviction): DEL key. Logged
 * now, flushed with the command that caused it or by the cron. */
void propagate_deleted_key(int dbid, const char *key, size_t klen);

/* ---- the way back */

/* Runs a logged command against database dbid without auth, memory or
 * persistence checks and without logging it again. Returns 0, or -1 when
 * the command is unknown or has a wrong number of arguments. Used by the
 * AOF loader and by the snapshot loader to build collections. */
int propagate_replay(int dbid, int argc, const struct arg *argv);
/* Frees the replay client (after loading). */
void propagate_replay_done(void);

/* ---- refusing writes while persistence fails (Redis's MISCONF) */

/* The error writes get now ("-MISCONF ..."), or NULL when they are
 * accepted: stop-writes-on-bgsave-error with save points and a failed last
 * background save, or a failed AOF write. */
const char *persist_write_error(void);

#endif
