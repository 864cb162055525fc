/* backend/rdb: the snapshot writer, SAVE/BGSAVE/LASTSAVE and save points;
 * see rdb.h for the format choices. The writer is a buffered file with a
 * running CRC: every byte goes through w_bytes, so the checksum covers
 * exactly what is written from "REDIS" through the EOF opcode. */
#include "backend/rdb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shoal_config.h"

#include "backend/db.h"
#include "backend/dispatch.h"
#include "backend/entry.h"
#include "backend/quicklist.h"
#include "backend/reply.h"
#include "backend/server.h"
#include "backend/t_hash.h"
#include "backend/t_set.h"
#include "backend/zset.h"
#include "lib/clock.h"
#include "lib/crc64.h"
#include "lib/dict.h"
#include "lib/log.h"
#include "lib/lzf.h"
#include "lib/mem.h"
#include "lib/util.h"

#define MCFLAGS_PER_AUX 1024

static struct rdb_status st = {.last_bgsave_ok = 1, .last_bgsave_time_sec = -1};

const struct rdb_status *rdb_status(void) { return &st; }
int rdb_last_bgsave_ok(void) { return st.last_bgsave_ok; }

/* ------------------------------------------------------------ the writer */

struct rdb_writer {
    int fd;
    unsigned char buf[64 * 1024];
    size_t len;
    uint64_t crc;
    int checksum, compress;
    int err;                    /* errno of the first failure, 0 if none */
    unsigned char *lzf;         /* scratch for compression */
    size_t lzf_cap;
    /* pending Memcached flags of the current database */
    unsigned char *mc;
    size_t mc_len, mc_cap, mc_count;
    int dbid;
};

static void w_flush(struct rdb_writer *w)
{
    size_t off = 0;
    while (off < w->len && !w->err) {
        ssize_t n = write(w->fd, w->buf + off, w->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) w->err = n < 0 ? errno : ENOSPC;
        else off += (size_t)n;
    }
    w->len = 0;
}

static void w_bytes(struct rdb_writer *w, const void *p, size_t n)
{
    if (w->checksum) w->crc = crc64_jones(w->crc, p, n);
    const unsigned char *s = p;
    while (n > 0 && !w->err) {
        size_t room = sizeof(w->buf) - w->len;
        size_t k = n < room ? n : room;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
        if (w->len == sizeof(w->buf)) w_flush(w);
    }
}

static void w_u8(struct rdb_writer *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    w_bytes(w, &b, 1);
}

static void le_put(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* RDB length: 6 bit, 14 bit, 32 bit or 64 bit (big-endian), by size. */
static size_t len_encode(unsigned char *p, uint64_t v)
{
    if (v < 64) {
        p[0] = (unsigned char)v;
        return 1;
    }
    if (v < 16384) {
        p[0] = (unsigned char)(0x40 | (v >> 8));
        p[1] = (unsigned char)v;
        return 2;
    }
    int n = v <= 0xffffffffULL ? 4 : 8;
    p[0] = n == 4 ? 0x80 : 0x81;
    for (int i = 0; i < n; i++) p[1 + i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    return (size_t)n + 1;
}

static void w_len(struct rdb_writer *w, uint64_t v)
{
    unsigned char b[9];
    w_bytes(w, b, len_encode(b, v));
}

/* Redis's rdbTryIntegerEncoding: a string that is the canonical form of
 * an integer fitting 32 bits is stored as 1, 2 or 4 bytes. */
static int w_try_int(struct rdb_writer *w, const char *p, size_t len)
{
    long long v;
    if (len == 0 || len > 11 || util_str2ll(p, len, &v) < 0) return 0;
    unsigned char b[5];
    if (v >= -128 && v <= 127) {
        b[0] = 0xc0;
        b[1] = (unsigned char)v;
        w_bytes(w, b, 2);
    } else if (v >= -32768 && v <= 32767) {
        b[0] = 0xc1;
        le_put(b + 1, (uint64_t)v, 2);
        w_bytes(w, b, 3);
    } else if (v >= -2147483648LL && v <= 2147483647LL) {
        b[0] = 0xc2;
        le_put(b + 1, (uint64_t)v, 4);
        w_bytes(w, b, 5);
    } else {
        return 0;
    }
    return 1;
}

/* LZF when it saves at least 4 bytes (as Redis asks of liblzf). */
static int w_try_lzf(struct rdb_writer *w, const char *p, size_t len)
{
    if (!w->compress || len <= 20) return 0;
    if (w->lzf_cap < len) {
        free(w->lzf);
        w->lzf_cap = len;
        w->lzf = malloc(len);
        if (w->lzf == NULL) {
            w->lzf_cap = 0;
            return 0;
        }
    }
    size_t clen = lzf_compress(p, len, w->lzf, len - 4);
    if (clen == 0) return 0;
    w_u8(w, 0xc3);
    w_len(w, clen);
    w_len(w, len);
    w_bytes(w, w->lzf, clen);
    return 1;
}

static void w_str(struct rdb_writer *w, const char *p, size_t len)
{
    if (w_try_int(w, p, len) || w_try_lzf(w, p, len)) return;
    w_len(w, len);
    w_bytes(w, p, len);
}

static void w_cstr(struct rdb_writer *w, const char *s) { w_str(w, s, strlen(s)); }

static void w_aux(struct rdb_writer *w, const char *key, const char *val, size_t vlen)
{
    w_u8(w, RDB_OPCODE_AUX);
    w_cstr(w, key);
    w_str(w, val, vlen);
}

static void w_aux_ll(struct rdb_writer *w, const char *key, long long v)
{
    char buf[UTIL_LONG_STR_SIZE];
    w_aux(w, key, buf, (size_t)util_ll2str(buf, v));
}

/* ---------------------------------------------------- collection values */

struct set_adapter {
    rdb_elem_fn *fn;
    void *priv;
};

static int set_member_cb(void *priv, const char *p, size_t len)
{
    struct set_adapter *a = priv;
    return a->fn(a->priv, p, len, NULL, 0, 0);
}

static int hash_field_cb(void *priv, const char *f, size_t flen, const char *v, size_t vlen)
{
    struct set_adapter *a = priv;
    return a->fn(a->priv, f, flen, v, vlen, 0);
}

size_t rdb_value_count(const struct entry *e)
{
    switch (e->type) {
    case OBJ_SET: return set_entry_size(e);
    case OBJ_HASH: return hash_entry_size(e);
    case OBJ_ZSET: return zset_len(e);
    case OBJ_LIST: return ql_count(entry_ptr(e));
    default: return 0;
    }
}

void rdb_value_foreach(const struct entry *e, rdb_elem_fn *fn, void *priv)
{
    struct set_adapter a = {fn, priv};
    switch (e->type) {
    case OBJ_SET:
        set_entry_foreach(e, set_member_cb, &a);
        break;
    case OBJ_HASH:
        hash_entry_foreach(e, hash_field_cb, &a);
        break;
    case OBJ_ZSET: {
        struct zs_iter it;
        struct zs_elem el;
        zs_iter_init(&it, e, 0, 0);
        while (zs_iter_next(&it, &el))
            if (fn(priv, el.p, el.len, NULL, 0, el.score)) break;
        break;
    }
    case OBJ_LIST: {
        struct ql_pos pos;
        struct lp_val v;
        for (int ok = ql_seek(entry_ptr(e), 0, &pos); ok; ok = ql_step(&pos, QL_TAIL)) {
            ql_get(&pos, &v);
            if (fn(priv, v.p, v.len, NULL, 0, 0)) break;
        }
        break;
    }
    default:
        break;
    }
}

static int write_elem_cb(void *priv, const char *a, size_t alen, const char *b, size_t blen, double score)
{
    struct rdb_writer *w = priv;
    w_str(w, a, alen);
    if (b) w_str(w, b, blen);
    return w->err != 0;
}

static int write_zelem_cb(void *priv, const char *a, size_t alen, const char *b, size_t blen, double score)
{
    struct rdb_writer *w = priv;
    (void)b;
    (void)blen;
    unsigned char d[8];
    uint64_t bits;
    memcpy(&bits, &score, 8);
    le_put(d, bits, 8);
    w_str(w, a, alen);
    w_bytes(w, d, 8);
    return w->err != 0;
}

static int value_type(const struct entry *e)
{
    switch (e->type) {
    case OBJ_STRING: return RDB_TYPE_STRING;
    case OBJ_LIST: return RDB_TYPE_LIST;
    case OBJ_SET: return RDB_TYPE_SET;
    case OBJ_ZSET: return RDB_TYPE_ZSET_2;
    default: return RDB_TYPE_HASH;
    }
}

/* ------------------------------------------------- memcached flags AUX */

static void mc_flush(struct rdb_writer *w)
{
    if (w->mc_count == 0) return;
    w_aux(w, RDB_MCFLAGS_AUX, (const char *)w->mc, w->mc_len);
    w->mc_len = w->mc_count = 0;
}

static void mc_note(struct rdb_writer *w, const char *key, size_t klen, uint32_t flags)
{
    size_t need = w->mc_len + 4 + 9 + klen + 4;
    if (need > w->mc_cap) {
        size_t cap = w->mc_cap ? w->mc_cap : 4096;
        while (cap < need) cap *= 2;
        unsigned char *p = realloc(w->mc, cap);
        if (p == NULL) {
            w->err = ENOMEM;
            return;
        }
        w->mc = p;
        w->mc_cap = cap;
    }
    if (w->mc_len == 0) {
        le_put(w->mc, (uint64_t)w->dbid, 4);
        w->mc_len = 4;
    }
    w->mc_len += len_encode(w->mc + w->mc_len, klen);
    memcpy(w->mc + w->mc_len, key, klen);
    w->mc_len += klen;
    le_put(w->mc + w->mc_len, flags, 4);
    w->mc_len += 4;
    if (++w->mc_count == MCFLAGS_PER_AUX) mc_flush(w);
}

/* ---------------------------------------------------------- the keyspace */

static int write_key_cb(void *priv, void *entry)
{
    struct rdb_writer *w = priv;
    const struct entry *e = entry;
    size_t klen;
    const char *key = entry_key(e, &klen);
    int64_t when = entry_expire(e);
    if (when >= 0) {
        unsigned char b[9];
        b[0] = RDB_OPCODE_EXPIRETIME_MS;
        le_put(b + 1, (uint64_t)when, 8);
        w_bytes(w, b, 9);
    }
    w_u8(w, (unsigned)value_type(e));
    w_str(w, key, klen);
    if (e->type == OBJ_STRING) {
        struct strval sv;
        entry_get_str(e, &sv);
        w_str(w, sv.p, sv.len);
        if (e->bits & ENTRY_FLAGS) mc_note(w, key, klen, entry_mc_flags(e));
    } else {
        w_len(w, rdb_value_count(e));
        rdb_value_foreach(e, e->type == OBJ_ZSET ? write_zelem_cb : write_elem_cb, w);
    }
    return w->err != 0;
}

static void write_header(struct rdb_writer *w)
{
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04d", RDB_WRITE_VERSION);
    w_bytes(w, magic, 9);
    w_aux(w, "redis-ver", SHOAL_VERSION, strlen(SHOAL_VERSION));
    w_aux_ll(w, "redis-bits", (long long)(sizeof(void *) * 8));
    w_aux_ll(w, "ctime", (long long)(clock_ms() / 1000));
    w_aux_ll(w, "used-mem", (long long)mem_used());
    w_aux_ll(w, "aof-base", 0);
    w_aux(w, "shoal-ver", PACKAGE_VERSION, strlen(PACKAGE_VERSION));
}

/* The whole file body to w; returns 0 or -1 (w->err set). */
static int write_rdb(struct rdb_writer *w)
{
    write_header(w);
    for (int i = 0; i < db_count() && !w->err; i++) {
        struct db *db = db_get(i);
        if (db_size(db) == 0) continue;
        w->dbid = i;
        w_u8(w, RDB_OPCODE_SELECTDB);
        w_len(w, (uint64_t)i);
        w_u8(w, RDB_OPCODE_RESIZEDB);
        w_len(w, db_size(db));
        w_len(w, db_expires_size(db));
        dict_foreach(db->keys, write_key_cb, w);
        mc_flush(w);
    }
    w_u8(w, RDB_OPCODE_EOF);
    unsigned char trailer[8];
    le_put(trailer, w->checksum ? w->crc : 0, 8);
    w->checksum = 0;
    w_bytes(w, trailer, 8);
    w_flush(w);
    return w->err ? -1 : 0;
}

/* Writes to temp-<pid>.rdb, fsyncs, renames over filename. */
int rdb_save(const char *filename)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", (int)getpid());
    struct rdb_writer *w = calloc(1, sizeof(*w));
    if (w == NULL) return -1;
    w->checksum = server.cfg.rdbchecksum;
    w->compress = server.cfg.rdbcompression;
    w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = -1;
    if (w->fd < 0) {
        log_warn("Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmp,
                 server.cfg.dir, strerror(errno));
        goto out;
    }
    if (write_rdb(w) < 0 || fsync(w->fd) < 0) {
        log_warn("Write error saving DB on disk: %s", strerror(w->err ? w->err : errno));
        close(w->fd);
        unlink(tmp);
        goto out;
    }
    close(w->fd);
    if (rename(tmp, filename) < 0) {
        log_warn("Error moving temp DB file %s on the final destination %s (in server root dir %s): %s",
                 tmp, filename, server.cfg.dir, strerror(errno));
        unlink(tmp);
        goto out;
    }
    int dfd = open(".", O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    log_notice("DB saved on disk");
    rc = 0;
out:
    free(w->lzf);
    free(w->mc);
    free(w);
    return rc;
}

/* ------------------------------------------------- SAVE and BGSAVE state */

static void saved_now(void)
{
    server.dirty = 0;
    st.lastsave = clock_ms() / 1000;
    st.last_bgsave_ok = 1;
    st.saves++;
}

int rdb_bgsave(void)
{
    long long dirty = server.dirty;
    int64_t start = clock_ms();
    int pid = server_fork(CHILD_RDB);
    if (pid == 0) {
        int rc = rdb_save(server.cfg.dbfilename);
        _exit(rc == 0 ? 0 : 1);
    }
    if (pid < 0) {
        st.last_bgsave_ok = 0;
        log_warn("Can't save in background: fork: %s", strerror(errno));
        return -1;
    }
    st.dirty_at_bgsave = dirty;
    st.bgsave_start_ms = start;
    st.bgsave_scheduled = 0;
    log_notice("Background saving started by pid %d", pid);
    return 0;
}

void rdb_child_done(int ok, int bysignal)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", server.child_pid);
    if (ok) {
        log_notice("Background saving terminated with success");
        server.dirty -= st.dirty_at_bgsave;
        st.lastsave = clock_ms() / 1000;
        st.last_bgsave_ok = 1;
        st.saves++;
    } else {
        unlink(tmp);
        if (bysignal) log_warn("Background saving terminated by signal %d", bysignal);
        else log_warn("Background saving error");
        /* a save killed on purpose (SIGUSR1) is not a failure, as Redis */
        if (bysignal != SIGUSR1) st.last_bgsave_ok = 0;
    }
    st.last_bgsave_time_sec = (clock_ms() - st.bgsave_start_ms) / 1000;
    st.bgsave_start_ms = 0;
}

/* ----------------------------------------------------------- save points */

struct save_point {
    long long seconds, changes;
};
static struct save_point points[32];
static int npoints;

int rdb_save_points_count(void) { return npoints; }

int rdb_set_save_points(const char *spec, char *err, size_t errlen)
{
    struct save_point p[32];
    int n = 0, k = 0;
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *save = NULL;
    long long v[64];
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (k == 64 || util_str2ll(t, strlen(t), &v[k]) < 0 || v[k] < 1) {
            snprintf(err, errlen, "Invalid save parameters");
            return -1;
        }
        k++;
    }
    if (k % 2) {
        snprintf(err, errlen, "Invalid save parameters");
        return -1;
    }
    for (int i = 0; i < k; i += 2) p[n++] = (struct save_point){v[i], v[i + 1]};
    memcpy(points, p, sizeof(p[0]) * (size_t)n);
    npoints = n;
    return 0;
}

void rdb_cron(void)
{
    if (server.child_pid > 0) return;
    int64_t now = server.now_ms;
    if (st.bgsave_scheduled) {
        rdb_bgsave();
        return;
    }
    for (int i = 0; i < npoints; i++) {
        const struct save_point *sp = &points[i];
        /* after a failure, retry no sooner than 5 s (Redis's CONFIG_BGSAVE_RETRY_DELAY) */
        if (server.dirty >= sp->changes && now / 1000 - st.lastsave > sp->seconds &&
            (st.last_bgsave_ok || now / 1000 - st.lastsave > 5)) {
            log_notice("%lld changes in %lld seconds. Saving...", sp->changes, sp->seconds);
            rdb_bgsave();
            return;
        }
    }
}

/* ------------------------------------------------------------- commands */

void cmd_save(struct client *c)
{
    if (server.child_pid > 0 && server.child_type == CHILD_RDB) {
        reply_error(c, "Background save already in progress");
        return;
    }
    if (rdb_save(server.cfg.dbfilename) < 0) {
        reply_error(c, "-ERR");
        return;
    }
    saved_now();
    reply_ok(c);
}

void cmd_bgsave(struct client *c)
{
    int schedule = 0;
    if (c->argc > 1) {
        if (c->argc == 2 && util_eq_nocase(c->argv[1].p, c->argv[1].len, "schedule")) {
            schedule = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (server.child_pid > 0 && server.child_type == CHILD_RDB) {
        reply_error(c, "Background save already in progress");
        return;
    }
    if (server.child_pid > 0) {
        if (schedule) {
            st.bgsave_scheduled = 1;
            reply_simple(c, "Background saving scheduled");
        } else {
            reply_error(c, "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
                           "SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
        return;
    }
    if (rdb_bgsave() < 0) {
        reply_error(c, "-ERR");
        return;
    }
    reply_simple(c, "Background saving started");
}

void cmd_lastsave(struct client *c) { reply_int(c, st.lastsave); }

/* At startup: the last save is "now" as far as save points go (Redis). */
__attribute__((constructor)) static void rdb_init(void) { st.lastsave = clock_ms() / 1000; }
