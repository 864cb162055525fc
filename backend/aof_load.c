/* backend/aof_load: replays an append-only file at startup.
 *
 * The file is mapped and parsed strictly as Redis's loader does: records
 * are "*<n>\r\n" then n "$<len>\r\n<bytes>\r\n", "#..." annotation lines are
 * skipped. Parsing is separate from executing so that a MULTI block is only
 * executed once its EXEC has been seen. Running out of bytes inside a
 * record is a truncated tail (cut, with aof-load-truncated); anything else
 * unexpected is damage, reported with its offset. */
#include "backend/aof.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/db.h"
#include "backend/propagate.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/util.h"

enum rec_result { REC_OK, REC_TRUNCATED, REC_BAD };

struct aof_cursor {
    const char *p;
    size_t len, pos;
    struct arg *argv;
    int argc, argcap;
    size_t bad_at;          /* offset of the damage (REC_BAD) */
};

/* A "<prefix><number>\r\n" line at the cursor. */
static enum rec_result read_number(struct aof_cursor *c, char prefix, long long *v)
{
    if (c->pos >= c->len) return REC_TRUNCATED;
    if (c->p[c->pos] != prefix) {
        c->bad_at = c->pos;
        return REC_BAD;
    }
    const char *start = c->p + c->pos + 1;
    const char *nl = memchr(start, '\r', c->len - c->pos - 1);
    if (nl == NULL) {
        /* no CR in what is left: a cut-off line, unless it is too long to be one */
        if (c->len - c->pos > 32) {
            c->bad_at = c->pos;
            return REC_BAD;
        }
        return REC_TRUNCATED;
    }
    if ((size_t)(nl - c->p) + 1 >= c->len) return REC_TRUNCATED;
    if (nl[1] != '\n' || util_str2ll(start, (size_t)(nl - start), v) < 0 || *v < 0) {
        c->bad_at = c->pos;
        return REC_BAD;
    }
    c->pos = (size_t)(nl - c->p) + 2;
    return REC_OK;
}

/* One record into c->argv (pointing into the map). */
static enum rec_result read_record(struct aof_cursor *c)
{
    long long argc;
    size_t start = c->pos;
    enum rec_result r = read_number(c, '*', &argc);
    if (r != REC_OK) return r;
    if (argc < 1 || argc > 1024 * 1024 * 1024) {
        c->bad_at = start;
        return REC_BAD;
    }
    /* every argument takes at least "$0\r\n\r\n": a count the rest of the
     * file cannot hold is a record cut short, found before allocating for
     * it (a 13-byte "*1000000000\r\n" asked for 16 GB) */
    if ((unsigned long long)argc > (c->len - c->pos) / 6) return REC_TRUNCATED;
    if (argc > c->argcap) {
        mem_free(c->argv);
        c->argcap = (int)argc;
        c->argv = mem_alloc(sizeof(*c->argv) * (size_t)argc);
    }
    for (long long i = 0; i < argc; i++) {
        long long len;
        if ((r = read_number(c, '$', &len)) != REC_OK) return r;
        if ((size_t)len > c->len - c->pos || c->len - c->pos - (size_t)len < 2) return REC_TRUNCATED;
        if (c->p[c->pos + (size_t)len] != '\r' || c->p[c->pos + (size_t)len + 1] != '\n') {
            c->bad_at = c->pos + (size_t)len;
            return REC_BAD;
        }
        c->argv[i] = (struct arg){c->p + c->pos, (size_t)len};
        c->pos += (size_t)len + 2;
    }
    c->argc = (int)argc;
    return REC_OK;
}

static int arg_is(const struct arg *a, const char *lit) { return util_eq_nocase(a->p, a->len, lit); }

/* Runs the record in c->argv. -1 (logged) on an unknown command. */
static int execute(struct aof_cursor *c, int *dbid, const char *filename)
{
    if (arg_is(&c->argv[0], "select")) {
        long long id;
        if (c->argc != 2 || util_str2ll(c->argv[1].p, c->argv[1].len, &id) < 0 || id < 0 || id >= db_count()) {
            log_warn("Bad SELECT in the append only file %s: the node has %d databases", filename, db_count());
            return -1;
        }
        *dbid = (int)id;
        return 0;
    }
    if (propagate_replay(*dbid, c->argc, c->argv) < 0) {
        log_warn("Unknown command '%.*s' reading the append only file %s", (int)(c->argv[0].len > 64 ? 64 : c->argv[0].len),
                 c->argv[0].p, filename);
        return -1;
    }
    return 0;
}

/* Skips "#..." annotation lines; REC_TRUNCATED if one has no end. */
static enum rec_result skip_annotations(struct aof_cursor *c)
{
    while (c->pos < c->len && c->p[c->pos] == '#') {
        const char *nl = memchr(c->p + c->pos, '\n', c->len - c->pos);
        if (nl == NULL) return REC_TRUNCATED;
        c->pos = (size_t)(nl - c->p) + 1;
    }
    return REC_OK;
}

/* Replays everything; *valid is the offset after the last complete unit
 * (record, or MULTI..EXEC block). */
static enum rec_result replay(struct aof_cursor *c, const char *filename, size_t *valid, int *failed)
{
    int dbid = 0;
    size_t multi_at = 0;
    int in_multi = 0;
    *valid = 0;
    while (1) {
        enum rec_result r = skip_annotations(c);
        if (r != REC_OK) return r;
        if (c->pos >= c->len) return in_multi ? REC_TRUNCATED : REC_OK;   /* MULTI without EXEC: cut */
        if ((r = read_record(c)) != REC_OK) return r;
        if (arg_is(&c->argv[0], "multi")) {
            in_multi = 1;
            multi_at = c->pos;
            continue;
        }
        if (in_multi && !arg_is(&c->argv[0], "exec")) continue;
        if (in_multi) {
            /* run the block's records now that it is complete */
            size_t end = c->pos;
            c->pos = multi_at;
            while (c->pos < end) {
                if (skip_annotations(c) != REC_OK || read_record(c) != REC_OK) break;
                if (arg_is(&c->argv[0], "exec")) break;
                if (execute(c, &dbid, filename) < 0) return *failed = 1, REC_BAD;
            }
            c->pos = end;
            in_multi = 0;
        } else if (execute(c, &dbid, filename) < 0) {
            *failed = 1;
            return REC_BAD;
        }
        *valid = c->pos;
    }
}

static int cut_tail(const char *filename, size_t valid, size_t size)
{
    log_warn("!!! Warning: short read while loading the AOF file %s!!!", filename);
    log_warn("!!! Truncating the AOF %s at offset %zu (%zu bytes of an incomplete record dropped) !!!", filename,
             valid, size - valid);
    if (truncate(filename, (off_t)valid) < 0) {
        log_warn("Error truncating the AOF file %s: %s", filename, strerror(errno));
        return -1;
    }
    log_warn("AOF loaded anyway because aof-load-truncated is enabled");
    return 0;
}

int aof_load(const char *filename)
{
    int fd = open(filename, O_RDONLY);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        log_warn("Fatal error: can't open the append log file %s for reading: %s", filename, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        close(fd);
        return -1;
    }
    if (sb.st_size == 0) {
        close(fd);
        return 0;
    }
    size_t size = (size_t)sb.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        log_warn("Fatal error: can't map the append log file %s: %s", filename, strerror(errno));
        return -1;
    }
    int64_t start = clock_ms();
    struct aof_cursor c = {.p = map, .len = size};
    size_t valid = 0;
    int failed = 0;
    server.loading = 1;
    enum rec_result r = replay(&c, filename, &valid, &failed);
    server.loading = 0;
    propagate_replay_done();
    mem_free(c.argv);
    munmap(map, size);
    server.dirty = 0;
    if (failed) return -1;
    if (r == REC_BAD) {
        log_warn("Bad file format reading the append only file %s at offset %zu: make a backup of your AOF "
                 "file, then use redis-check-aof --fix <filename>", filename, c.bad_at);
        return -1;
    }
    if (r == REC_TRUNCATED) {
        if (!server.cfg.aof_load_truncated) {
            log_warn("Unexpected end of file reading the append only file %s at offset %zu. You can: 1) Make a "
                     "backup of your AOF file, then use redis-check-aof --fix <filename>. 2) Alternatively you "
                     "can set the 'aof-load-truncated' configuration option to yes and restart the server.",
                     filename, valid);
            return -1;
        }
        if (cut_tail(filename, valid, size) < 0) return -1;
    }
    log_notice("DB loaded from append only file: %.3f seconds", (double)(clock_ms() - start) / 1000.0);
    return 0;
}
