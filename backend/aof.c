/* backend/aof: see aof.h. The writer side (feed, flush, fsync, errors),
 * the rewrite (child and parent halves) and BGREWRITEAOF live here; the
 * loader is aof_load.c. */
#include "backend/aof.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/rdb.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "compat/resp.h"
#include "lib/clock.h"
#include "lib/dict.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/util.h"

#define AOF_OFF 0
#define AOF_ON 1
#define AOF_WAIT_REWRITE 2
#define REWRITE_ITEMS_PER_CMD 64     /* as Redis's AOF_REWRITE_ITEMS_PER_CMD */

const char *const aof_fsync_names[] = {"no", "always", "everysec", NULL};

struct abuf {
    char *p;
    size_t len, cap;
};

static struct aof_status st = {.last_rewrite_ok = 1, .last_rewrite_time_sec = -1};
static int fd = -1;
static struct abuf buf;              /* records not yet written */
static int selected_db = -1;
static int fsync_pending;            /* written since the last fsync */
static int64_t last_fsync_ms;
static int write_errno;
static int64_t last_error_log_ms;
static struct abuf rwbuf;            /* records logged while a rewrite runs */
static int rw_active, rw_selected_db = -1;
static int64_t rewrite_failed_ms;
static int sync_pending;             /* always: written, fdatasync not yet done */
static struct event *sync_ev;        /* the group fdatasync at the end of a loop turn */
static int sync_armed;
static int started;                  /* past startup: config changes act */

const struct aof_status *aof_status(void)
{
    st.buffer_length = buf.len;
    return &st;
}

int aof_write_errno(void) { return st.state == AOF_ON ? write_errno : 0; }

static void abuf_append(struct abuf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        b->p = mem_realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void abuf_free(struct abuf *b)
{
    mem_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static void append_select(struct abuf *b, int dbid)
{
    char num[UTIL_LONG_STR_SIZE], hdr[64];
    int n = util_ll2str(num, dbid);
    int h = snprintf(hdr, sizeof(hdr), "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", n, num);
    abuf_append(b, hdr, (size_t)h);
}

/* ------------------------------------------------------------ writing */

int aof_wants_feed(void) { return st.state != AOF_OFF || rw_active; }

void aof_feed(int dbid, const char *resp, size_t len)
{
    if (st.state == AOF_ON) {
        if (dbid != selected_db) append_select(&buf, dbid);
        selected_db = dbid;
        abuf_append(&buf, resp, len);
    }
    if (rw_active) {
        if (dbid != rw_selected_db) append_select(&rwbuf, dbid);
        rw_selected_db = dbid;
        abuf_append(&rwbuf, resp, len);
    }
}

static void note_write_error(int err)
{
    if (write_errno == 0 || server.now_ms - last_error_log_ms > 30000) {
        log_warn("Error writing to the AOF file: %s", strerror(err));
        last_error_log_ms = server.now_ms;
    }
    write_errno = err;
}

/* Writes the buffer. A short write is cut back (ftruncate) so the file
 * never ends in half a record that later records would follow. */
static int write_buffer(void)
{
    if (buf.len == 0 || fd < 0) return 0;
    size_t off = 0;
    int err = 0;
    while (off < buf.len) {
        ssize_t n = write(fd, buf.p + off, buf.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : ENOSPC;
            break;
        }
        off += (size_t)n;
    }
    if (err == 0) {
        st.current_size += (long long)buf.len;
        buf.len = 0;
        fsync_pending = 1;
        if (write_errno) log_warn("AOF write error looks solved, the node can write again.");
        write_errno = 0;
        if (buf.cap > 1024 * 1024) abuf_free(&buf);
        return 0;
    }
    if (off > 0) {
        if (ftruncate(fd, (off_t)st.current_size) < 0) {
            /* could not cut it: keep what was written, retry the rest */
            st.current_size += (long long)off;
            memmove(buf.p, buf.p + off, buf.len - off);
            buf.len -= off;
        }
    }
    note_write_error(err);
    return -1;
}

static int do_fsync(void)
{
    if (fd < 0) return 0;
    if (fdatasync(fd) < 0) {
        note_write_error(errno);
        return -1;
    }
    fsync_pending = 0;
    last_fsync_ms = server.now_ms;
    return 0;
}

int aof_flush_for_ack(void)
{
    if (buf.len == 0 || st.state != AOF_ON) return 0;
    int always = server.cfg.appendfsync == AOF_FSYNC_ALWAYS;
    if (write_buffer() < 0) return always ? -1 : 0;
    /* the fdatasync is shared by every command of this loop turn: replies
     * wait for it (aof_hold_replies) */
    if (always) sync_pending = 1;
    return 0;
}

static void group_sync_cb(evutil_socket_t unused_fd, short what, void *arg)
{
    (void)unused_fd;
    (void)what;
    (void)arg;
    sync_armed = 0;
    if (!sync_pending) return;
    sync_pending = 0;
    /* a failed fdatasync: the records are written (a process crash keeps
     * them) but the disk said no; writes are refused from now on */
    if (write_buffer() < 0 || do_fsync() < 0) log_warn("fdatasync of the AOF failed: writes are refused");
}

int aof_hold_replies(void)
{
    if (!sync_pending) return 0;
    if (sync_ev == NULL) sync_ev = event_new(server.base, -1, 0, group_sync_cb, NULL);
    if (!sync_armed) {
        /* runs after the callbacks already active in this loop turn */
        event_active(sync_ev, EV_TIMEOUT, 1);
        sync_armed = 1;
    }
    return 1;
}

/* ------------------------------------------------------------ the rewrite */

struct rw_writer {
    int fd;
    struct abuf out;
    int err;
    char cmd[32];
    int cmdlen;
};

static void rw_flush(struct rw_writer *w)
{
    size_t off = 0;
    while (off < w->out.len && !w->err) {
        ssize_t n = write(w->fd, w->out.p + off, w->out.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) w->err = n < 0 ? errno : ENOSPC;
        else off += (size_t)n;
    }
    w->out.len = 0;
}

static void rw_bulk(struct rw_writer *w, const char *p, size_t len)
{
    char hdr[32];
    abuf_append(&w->out, hdr, resp_fmt_header(hdr, '$', (long long)len));
    abuf_append(&w->out, p, len);
    abuf_append(&w->out, "\r\n", 2);
    if (w->out.len >= 64 * 1024) rw_flush(w);
}

static void rw_ll(struct rw_writer *w, long long v)
{
    char num[UTIL_LONG_STR_SIZE];
    rw_bulk(w, num, (size_t)util_ll2str(num, v));
}

static void rw_array(struct rw_writer *w, long long n)
{
    char hdr[32];
    abuf_append(&w->out, hdr, resp_fmt_header(hdr, '*', n));
}

/* One collection command per REWRITE_ITEMS_PER_CMD elements. */
struct rw_coll {
    struct rw_writer *w;
    const char *cmd;
    const char *key;
    size_t klen;
    size_t left, in_cmd;
    int per;                    /* arguments per element */
};

static int rw_elem_cb(void *priv, const char *a, size_t alen, const char *b, size_t blen, double score)
{
    struct rw_coll *rc = priv;
    struct rw_writer *w = rc->w;
    if (rc->in_cmd == 0) {
        size_t n = rc->left < REWRITE_ITEMS_PER_CMD ? rc->left : REWRITE_ITEMS_PER_CMD;
        rw_array(w, 2 + (long long)(n * (size_t)rc->per));
        rw_bulk(w, rc->cmd, strlen(rc->cmd));
        rw_bulk(w, rc->key, rc->klen);
        rc->in_cmd = n;
    }
    if (strcmp(rc->cmd, "ZADD") == 0) {
        char sbuf[64];
        int n = isinf(score) ? snprintf(sbuf, sizeof(sbuf), "%s", score > 0 ? "inf" : "-inf")
                             : snprintf(sbuf, sizeof(sbuf), "%.17g", score);
        rw_bulk(w, sbuf, (size_t)n);
    }
    rw_bulk(w, a, alen);
    if (b) rw_bulk(w, b, blen);
    rc->in_cmd--;
    rc->left--;
    return w->err != 0;
}

static const char *collection_cmd(const struct entry *e, int *per)
{
    *per = 1;
    switch (e->type) {
    case OBJ_LIST: return "RPUSH";
    case OBJ_SET: return "SADD";
    case OBJ_ZSET: *per = 2; return "ZADD";
    default: *per = 2; return "HSET";
    }
}

static int rw_key_cb(void *priv, void *entry)
{
    struct rw_writer *w = priv;
    const struct entry *e = entry;
    size_t klen;
    const char *key = entry_key(e, &klen);
    int64_t when = entry_expire(e);
    if (e->type == OBJ_STRING) {
        struct strval sv;
        entry_get_str(e, &sv);
        if (e->bits & ENTRY_FLAGS) {
            rw_array(w, 5);
            rw_bulk(w, "SHOAL.MCSET", 11);
            rw_bulk(w, key, klen);
            rw_bulk(w, sv.p, sv.len);
            rw_ll(w, entry_mc_flags(e));
            rw_ll(w, when);
            return w->err != 0;
        }
        rw_array(w, 3);
        rw_bulk(w, "SET", 3);
        rw_bulk(w, key, klen);
        rw_bulk(w, sv.p, sv.len);
    } else {
        struct rw_coll rc = {.w = w, .key = key, .klen = klen, .left = rdb_value_count(e)};
        rc.cmd = collection_cmd(e, &rc.per);
        rdb_value_foreach(e, rw_elem_cb, &rc);
    }
    if (when >= 0) {
        rw_array(w, 3);
        rw_bulk(w, "PEXPIREAT", 9);
        rw_bulk(w, key, klen);
        rw_ll(w, when);
    }
    return w->err != 0;
}

/* The child: the dataset as commands into tmpfile. */
static int rewrite_to(const char *tmpfile)
{
    struct rw_writer w = {0};
    w.fd = open(tmpfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (w.fd < 0) {
        log_warn("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < db_count() && !w.err; i++) {
        struct db *db = db_get(i);
        if (db_size(db) == 0) continue;
        rw_array(&w, 2);
        rw_bulk(&w, "SELECT", 6);
        rw_ll(&w, i);
        dict_foreach(db->keys, rw_key_cb, &w);
    }
    rw_flush(&w);
    if (!w.err && fsync(w.fd) < 0) w.err = errno;
    close(w.fd);
    abuf_free(&w.out);
    if (w.err) {
        log_warn("Write error writing append only file on disk: %s", strerror(w.err));
        unlink(tmpfile);
        return -1;
    }
    log_notice("Successfully created the temporary AOF base file %s", tmpfile);
    return 0;
}

static void tmp_name(char *out, size_t size, int pid)
{
    snprintf(out, size, "temp-rewriteaof-bg-%d.aof", pid);
}

int aof_rewrite_start(void)
{
    if (server.child_pid > 0) return -1;
    /* what is buffered belongs to the old file; the child's snapshot has it */
    if (st.state == AOF_ON) write_buffer();
    rw_active = 1;
    rw_selected_db = -1;
    rwbuf.len = 0;
    int64_t start = clock_ms();
    int pid = server_fork(CHILD_AOF);
    if (pid == 0) {
        char tmp[64];
        tmp_name(tmp, sizeof(tmp), (int)getpid());
        _exit(rewrite_to(tmp) == 0 ? 0 : 1);
    }
    if (pid < 0) {
        rw_active = 0;
        abuf_free(&rwbuf);
        st.last_rewrite_ok = 0;
        log_warn("Can't rewrite append only file in background: fork: %s", strerror(errno));
        return -1;
    }
    st.rewrite_scheduled = 0;
    st.rewrite_start_ms = start;
    log_notice("Background append only file rewriting started by pid %d", pid);
    return 0;
}

/* The parent, after the child succeeded: append what was logged meanwhile,
 * fsync, rename over the AOF, continue on the new file. */
static int rewrite_finish(const char *tmp)
{
    int nfd = open(tmp, O_WRONLY | O_APPEND);
    if (nfd < 0) {
        log_warn("Unable to open the temporary AOF produced by the child: %s", strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < rwbuf.len) {
        ssize_t n = write(nfd, rwbuf.p + off, rwbuf.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            log_warn("Error trying to flush the parent diff to the rewritten AOF: %s", strerror(n < 0 ? errno : ENOSPC));
            close(nfd);
            return -1;
        }
        off += (size_t)n;
    }
    struct stat sb;
    if (fdatasync(nfd) < 0 || fstat(nfd, &sb) < 0 || rename(tmp, server.cfg.appendfilename) < 0) {
        log_warn("Error trying to rename the temporary AOF file %s into %s: %s", tmp, server.cfg.appendfilename,
                 strerror(errno));
        close(nfd);
        return -1;
    }
    int dfd = open(".", O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    if (st.state == AOF_OFF) {
        close(nfd);
    } else {
        if (fd >= 0) close(fd);
        fd = nfd;
        st.state = AOF_ON;
        selected_db = rw_selected_db;
        st.current_size = st.base_size = (long long)sb.st_size;
        buf.len = 0;                 /* all of it is in the new file */
        write_errno = 0;
        fsync_pending = 0;
        last_fsync_ms = server.now_ms;
    }
    log_notice("Background AOF rewrite finished successfully");
    return 0;
}

void aof_child_done(int ok, int bysignal)
{
    char tmp[64];
    tmp_name(tmp, sizeof(tmp), server.child_pid);
    if (ok) ok = rewrite_finish(tmp) == 0;
    else if (bysignal) log_warn("Background AOF rewrite terminated by signal %d", bysignal);
    else log_warn("Background AOF rewrite terminated with error");
    if (!ok) unlink(tmp);
    rw_active = 0;
    abuf_free(&rwbuf);
    st.last_rewrite_ok = ok || bysignal == SIGUSR1;
    st.last_rewrite_time_sec = (clock_ms() - st.rewrite_start_ms) / 1000;
    st.rewrite_start_ms = 0;
    if (ok) {
        st.rewrites++;
        st.rewrite_failures = 0;
    } else {
        st.rewrite_failures++;
        rewrite_failed_ms = server.now_ms;
        /* turning the AOF on waits for a rewrite: try again */
        if (st.state == AOF_WAIT_REWRITE) st.rewrite_scheduled = 1;
    }
}

/* ------------------------------------------------------------ the cron */

void aof_cron(void)
{
    if (st.state == AOF_ON && buf.len > 0) write_buffer();
    if (st.state == AOF_ON && fsync_pending && server.cfg.appendfsync == AOF_FSYNC_EVERYSEC &&
        server.now_ms - last_fsync_ms >= 1000)
        do_fsync();
    if (server.child_pid > 0) return;
    /* after a failed rewrite, wait 5 s before the next (Redis's retry delay) */
    if (st.rewrite_failures && server.now_ms - rewrite_failed_ms < 5000) return;
    if (st.rewrite_scheduled) {
        aof_rewrite_start();
        return;
    }
    long long base = st.base_size ? st.base_size : 1;
    if (st.state == AOF_ON && server.cfg.auto_aof_rewrite_percentage > 0 &&
        st.current_size > server.cfg.auto_aof_rewrite_min_size &&
        (st.current_size * 100 / base) - 100 >= server.cfg.auto_aof_rewrite_percentage) {
        log_notice("Starting automatic rewriting of AOF on %lld%% growth", (st.current_size * 100 / base) - 100);
        aof_rewrite_start();
    }
}

/* --------------------------------------------------- open, config, shutdown */

static int open_for_append(void)
{
    fd = open(server.cfg.appendfilename, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        log_warn("Can't open the append-only file %s: %s", server.cfg.appendfilename, strerror(errno));
        return -1;
    }
    struct stat sb;
    st.current_size = st.base_size = fstat(fd, &sb) == 0 ? (long long)sb.st_size : 0;
    selected_db = -1;
    last_fsync_ms = server.now_ms;
    st.state = AOF_ON;
    return 0;
}

int aof_load_and_open(void)
{
    started = 1;
    if (!server.cfg.appendonly) return 0;
    if (aof_load(server.cfg.appendfilename) < 0) return -1;
    return open_for_append();
}

int aof_apply_config(char *err, size_t errlen)
{
    if (!started) return 0;
    if (server.cfg.appendonly && st.state == AOF_OFF) {
        st.state = AOF_WAIT_REWRITE;
        if (server.child_pid > 0) {
            st.rewrite_scheduled = 1;
        } else if (aof_rewrite_start() < 0) {
            st.state = AOF_OFF;
            server.cfg.appendonly = 0;
            snprintf(err, errlen, "Unable to turn on AOF. Check server logs.");
            return -1;
        }
    } else if (!server.cfg.appendonly && st.state != AOF_OFF) {
        if (aof_shutdown() < 0) {
            close(fd);               /* turning it off closes it whatever */
            fd = -1;
            abuf_free(&buf);
        }
        write_errno = 0;
        if (server.child_pid > 0 && server.child_type == CHILD_AOF) kill(server.child_pid, SIGUSR1);
        st.state = AOF_OFF;
        st.rewrite_scheduled = 0;
    }
    return 0;
}

int aof_shutdown(void)
{
    if (sync_ev) {
        event_free(sync_ev);
        sync_ev = NULL;
        sync_armed = 0;
    }
    sync_pending = 0;
    if (fd < 0) return 0;
    if (write_buffer() < 0 || do_fsync() < 0) {
        /* the file stays open: the node may go on (SHUTDOWN refused) */
        log_warn("Error writing the AOF at shutdown: %s", strerror(write_errno));
        return -1;
    }
    close(fd);
    fd = -1;
    abuf_free(&buf);
    return 0;
}

/* ------------------------------------------------------------ BGREWRITEAOF */

void cmd_bgrewriteaof(struct client *c)
{
    if (server.child_pid > 0 && server.child_type == CHILD_AOF) {
        reply_error(c, "Background append only file rewriting already in progress");
        return;
    }
    if (server.child_pid > 0) {
        st.rewrite_scheduled = 1;
        reply_simple(c, "Background append only file rewriting scheduled");
        return;
    }
    if (aof_rewrite_start() < 0) {
        reply_error(c, "Can't execute an AOF background rewriting. Please check the server logs for more information.");
        return;
    }
    reply_simple(c, "Background append only file rewriting started");
}
