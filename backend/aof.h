/* backend/aof: the append-only file.
 *
 * One plain file, `appendfilename` in `dir` (Redis's pre-7.0 layout, which
 * Debian's redis-check-aof 7.0 checks as an "Old-Style AOF" and which
 * redis-server 7.0 loads and upgrades): RESP arrays of bulk strings in the
 * form propagate.c gives them, with SELECT whenever the database changes.
 *
 * Writing: records are buffered as commands run and written (write(2))
 * before the command's reply can leave the node, so a process crash never
 * loses an acknowledged write. appendfsync always fdatasyncs once per event
 * loop turn, after the commands of that turn and before their replies
 * leave (group commit, as Redis's beforeSleep); everysec fdatasyncs from
 * the cron once a second; no leaves it to the OS.
 * A failed write keeps the records buffered and retries from the cron;
 * meanwhile writes are refused with -MISCONF (propagate.h); with always, the
 * command whose record could not be written gets that error instead of its
 * reply.
 *
 * Rewrite (BGREWRITEAOF, auto-aof-rewrite-*): a forked child writes the
 * dataset as commands to temp-rewriteaof-bg-<pid>.aof; the parent keeps
 * logging to the old file and also buffers what it logs; when the child
 * succeeds the parent appends that buffer, fsyncs and renames the new file
 * over the old one (atomic), then continues on it.
 *
 * Loading: the file is mapped and replayed through propagate_replay. A
 * record cut short by the end of the file is dropped and the file truncated
 * there (aof-load-truncated yes), else, and for any damage before the end,
 * the node refuses to start naming the offset. MULTI/EXEC blocks (from
 * Redis) are applied whole or, when cut off at the end, not at all. */
#ifndef SHOAL_AOF_H
#define SHOAL_AOF_H

#include <stddef.h>
#include <stdint.h>

enum aof_fsync { AOF_FSYNC_NO = 0, AOF_FSYNC_ALWAYS, AOF_FSYNC_EVERYSEC };
extern const char *const aof_fsync_names[];

/* Whether commands must be fed (AOF on, being turned on, or a rewrite
 * buffering). */
int aof_wants_feed(void);
/* Appends encoded command(s) run in database dbid. */
void aof_feed(int dbid, const char *resp, size_t len);
/* Writes what is buffered (and fsyncs for always). -1 when appendfsync is
 * always and that failed: the writes must not be acknowledged. */
int aof_flush_for_ack(void);
/* appendfsync always: 1 while written records wait for the loop turn's
 * fdatasync; replies must not leave before it (networking.c asks). */
int aof_hold_replies(void);
/* errno of the failing AOF write, 0 when writes succeed. */
int aof_write_errno(void);

/* aof_load.c: replays filename into the keyspace (a missing or empty file
 * is an empty dataset). 0, or -1 when the node must not start (logged). */
int aof_load(const char *filename);
/* Startup: loads filename if AOF is enabled and opens it for appending.
 * 0, or -1 when the node must not start (logged). */
int aof_load_and_open(void);
/* Starts a background rewrite. 0, or -1 (logged). */
int aof_rewrite_start(void);
void aof_child_done(int ok, int bysignal);
/* everysec fsync, retrying failed writes, automatic rewrite. */
void aof_cron(void);
/* CONFIG SET appendonly: turns the AOF on (through a rewrite) or off. */
int aof_apply_config(char *err, size_t errlen);
/* Shutdown: writes and fsyncs what is buffered, closes. -1 on failure. */
int aof_shutdown(void);

struct aof_status {
    int state;                      /* 0 off, 1 on, 2 waiting for its first rewrite */
    long long current_size, base_size;
    size_t buffer_length;
    int rewrite_scheduled;
    int last_rewrite_ok;
    long long last_rewrite_time_sec;
    int64_t rewrite_start_ms;       /* 0 when none runs */
    long long rewrites, rewrite_failures;
    long long delayed_fsync;
};
const struct aof_status *aof_status(void);

#endif
