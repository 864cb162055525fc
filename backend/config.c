/* backend/config: see config.h. The table below is the single source for
 * every option: add a row and the file parser, the command line, CONFIG
 * GET/SET and --help all know it. */
#include "backend/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend/aof.h"
#include "backend/evict.h"
#include "backend/mc.h"
#include "backend/rdb.h"
#include "backend/server.h"
#include "compat/resp.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/util.h"

enum opt_type { OPT_INT, OPT_MEM, OPT_BOOL, OPT_STR, OPT_ENUM };

#define OPT_IMMUTABLE 0x1
#define OPT_SENSITIVE 0x2

struct option {
    const char *name;
    enum opt_type type;
    void *field;                 /* long long*, int*, or char** */
    const char *def;
    long long min, max;
    int flags;
    const char *const *enum_names;
    int (*apply)(char *errbuf, size_t errlen);   /* after a change, may refuse */
    const char *help;
};

static const char *const loglevel_names[] = {"debug", "verbose", "notice", "warning", "nothing", NULL};
static const char *const yesno_names[] = {"no", "yes", NULL};
static const char *const tls_auth_names[] = {"no", "yes", "optional", NULL};   /* enum tls_auth */

static int apply_loglevel(char *errbuf, size_t errlen)
{
    enum log_level l;
    const char *s = server.cfg.loglevel;
    if (strcasecmp(s, "warning") == 0) l = LOG_LEVEL_WARN;
    else if (strcasecmp(s, "nothing") == 0) l = LOG_LEVEL_CRIT;
    else if (log_level_parse(s, &l) < 0) return -1;
    log_set_level(l);
    return 0;
}

/* "normal <hard> <soft> <seconds>" (the class name may be omitted). */
static int apply_obuf_limit(char *errbuf, size_t errlen)
{
    char buf[256], *tok[5], *save = NULL;
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", server.cfg.client_output_buffer_limit);
    for (char *t = strtok_r(buf, " ", &save); t && n < 5; t = strtok_r(NULL, " ", &save)) tok[n++] = t;
    int first = (n == 4) ? 1 : 0;
    if (!((n == 4 && strcasecmp(tok[0], "normal") == 0) || n == 3)) {
        snprintf(errbuf, errlen, "expected 'normal <hard> <soft> <seconds>'");
        return -1;
    }
    unsigned long long hard, soft, secs;
    if (util_memtoull(tok[first], &hard) < 0 || util_memtoull(tok[first + 1], &soft) < 0 ||
        util_memtoull(tok[first + 2], &secs) < 0) {
        snprintf(errbuf, errlen, "invalid memory or seconds value");
        return -1;
    }
    server.cfg.obuf_hard = (long long)hard;
    server.cfg.obuf_soft = (long long)soft;
    server.cfg.obuf_soft_secs = (long long)secs;
    return 0;
}

/* "save" lines of a config file (and --save arguments) add up, as in
 * Redis: the first given replaces the default, later ones append. */
static int save_given;

static int apply_save(char *errbuf, size_t errlen)
{
    static char *prev;
    if (save_given++ >= 2 && server.base == NULL && prev && prev[0] && server.cfg.save[0]) {
        size_t n = strlen(prev) + strlen(server.cfg.save) + 2;
        char *joined = malloc(n);
        snprintf(joined, n, "%s %s", prev, server.cfg.save);
        free(server.cfg.save);
        server.cfg.save = joined;
    }
    if (rdb_set_save_points(server.cfg.save, errbuf, errlen) < 0) return -1;
    free(prev);
    prev = strdup(server.cfg.save);
    return 0;
}

static int apply_appendonly(char *errbuf, size_t errlen) { return aof_apply_config(errbuf, errlen); }

static int not_a_path(const char *v, const char *what, char *errbuf, size_t errlen)
{
    if (strchr(v, '/') == NULL && v[0] != '\0') return 0;
    snprintf(errbuf, errlen, "%s can't be a path, just a filename", what);
    return -1;
}

static int apply_dbfilename(char *errbuf, size_t errlen)
{
    return not_a_path(server.cfg.dbfilename, "dbfilename", errbuf, errlen);
}

static int apply_appendfilename(char *errbuf, size_t errlen)
{
    return not_a_path(server.cfg.appendfilename, "appendfilename", errbuf, errlen);
}

/* CONFIG SET dir changes the working directory at once (startup: main). */
static int apply_dir(char *errbuf, size_t errlen)
{
    if (server.base == NULL || chdir(server.cfg.dir) == 0) return 0;
    snprintf(errbuf, errlen, "%s", strerror(errno));
    return -1;
}

#define CFG(f) ((void *)&server.cfg.f)
static const struct option options[] = {
    {"port", OPT_INT, CFG(port), "6379", 0, 65535, OPT_IMMUTABLE, NULL, NULL,
     "TCP port for RESP (Redis) clients; 0 disables TCP"},
    {"mc-port", OPT_INT, CFG(mc_port), "11211", 0, 65535, OPT_IMMUTABLE, NULL, NULL,
     "TCP port for Memcached (text and meta protocol) clients; 0 disables it"},
    {"item-size-max", OPT_MEM, CFG(item_size_max), "1mb", 1024, 1024LL * 1024 * 1024, 0, NULL, NULL,
     "largest Memcached item (memcached -I)"},
    {"mc-shutdown", OPT_BOOL, (void *)&mc_cfg.shutdown_enabled, "no", 0, 1, 0, yesno_names, NULL,
     "allow the Memcached 'shutdown' command (memcached -A)"},
    {"mc-flush-all", OPT_BOOL, (void *)&mc_cfg.flush_enabled, "yes", 0, 1, 0, yesno_names, NULL,
     "allow the Memcached 'flush_all' command (memcached -F sets no)"},
    {"mc-meta-new-flags", OPT_BOOL, (void *)&mc_cfg.meta_new_flags, "no", 0, 1, 0, yesno_names, NULL,
     "accept meta flags newer than memcached 1.6.18 (E explicit CAS, md x)"},
    {"tls-port", OPT_INT, CFG(tls_port), "0", 0, 65535, OPT_IMMUTABLE, NULL, NULL,
     "TCP port for RESP clients over TLS; 0 disables it"},
    {"tls-mc-port", OPT_INT, CFG(tls_mc_port), "0", 0, 65535, OPT_IMMUTABLE, NULL, NULL,
     "TCP port for Memcached clients over TLS; 0 disables it"},
    {"tls-cert-file", OPT_STR, CFG(tls_cert_file), "", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "PEM certificate (chain) the TLS ports present"},
    {"tls-key-file", OPT_STR, CFG(tls_key_file), "", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "PEM private key of tls-cert-file"},
    {"tls-ca-cert-file", OPT_STR, CFG(tls_ca_cert_file), "", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "PEM CA certificates that client certificates are verified against"},
    {"tls-auth-clients", OPT_ENUM, CFG(tls_auth_clients), "yes", 0, 0, OPT_IMMUTABLE, tls_auth_names, NULL,
     "no, yes, optional: whether TLS clients must present a certificate"},
    {"bind", OPT_STR, CFG(bind), "127.0.0.1", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "space-separated addresses to listen on"},
    {"unixsocket", OPT_STR, CFG(unixsocket), "", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "path of a unix socket to listen on (empty: none)"},
    {"unixsocketperm", OPT_INT, CFG(unixsocketperm), "0", 0, 0777, OPT_IMMUTABLE, NULL, NULL,
     "permissions of the unix socket (octal, 0: umask)"},
    {"tcp-backlog", OPT_INT, CFG(tcp_backlog), "511", 0, INT_MAX, OPT_IMMUTABLE, NULL, NULL,
     "listen() backlog"},
    {"tcp-keepalive", OPT_INT, CFG(tcp_keepalive), "300", 0, INT_MAX, 0, NULL, NULL,
     "seconds of idle before TCP keepalive probes (0: off)"},
    {"timeout", OPT_INT, CFG(timeout), "0", 0, INT_MAX, 0, NULL, NULL,
     "close a client idle for this many seconds (0: never)"},
    {"databases", OPT_INT, CFG(databases), "16", 1, 1024, OPT_IMMUTABLE, NULL, NULL,
     "number of databases (SELECT 0..N-1)"},
    {"maxclients", OPT_INT, CFG(maxclients), "10000", 1, 1000000, 0, NULL, NULL,
     "most simultaneous clients; more are refused with an error"},
    {"hz", OPT_INT, CFG(hz), "10", 1, 500, 0, NULL, NULL,
     "background task frequency (active expiry, timeouts), per second"},
    {"dir", OPT_STR, CFG(dir), "./", 0, 0, 0, NULL, apply_dir,
     "working directory (log, persistence files)"},
    {"dbfilename", OPT_STR, CFG(dbfilename), "dump.rdb", 0, 0, 0, NULL, apply_dbfilename,
     "snapshot file name (in dir)"},
    {"save", OPT_STR, CFG(save), "", 0, 0, 0, NULL, apply_save,
     "snapshot points '<seconds> <changes> ...': BGSAVE after that many changes in that many seconds (\"\": none)"},
    {"rdbcompression", OPT_BOOL, CFG(rdbcompression), "yes", 0, 1, 0, yesno_names, NULL,
     "LZF-compress strings over 20 bytes in snapshots"},
    {"rdbchecksum", OPT_BOOL, CFG(rdbchecksum), "yes", 0, 1, OPT_IMMUTABLE, yesno_names, NULL,
     "write and check the CRC-64 trailer of snapshots"},
    {"stop-writes-on-bgsave-error", OPT_BOOL, CFG(stop_writes_on_bgsave_error), "yes", 0, 1, 0, yesno_names, NULL,
     "refuse writes (-MISCONF) while the last background save failed and save points are set"},
    {"appendonly", OPT_BOOL, CFG(appendonly), "no", 0, 1, 0, yesno_names, apply_appendonly,
     "log every write to the append-only file and load it at start"},
    {"appendfilename", OPT_STR, CFG(appendfilename), "appendonly.aof", 0, 0, OPT_IMMUTABLE, NULL,
     apply_appendfilename, "append-only file name (in dir)"},
    {"appendfsync", OPT_ENUM, CFG(appendfsync), "everysec", 0, 0, 0, aof_fsync_names, NULL,
     "always, everysec or no: when the append-only file is fsynced"},
    {"aof-load-truncated", OPT_BOOL, CFG(aof_load_truncated), "yes", 0, 1, 0, yesno_names, NULL,
     "at start, cut an append-only file whose last record is incomplete (else refuse to start)"},
    {"auto-aof-rewrite-percentage", OPT_INT, CFG(auto_aof_rewrite_percentage), "100", 0, INT_MAX, 0, NULL, NULL,
     "rewrite the append-only file when it grew by this percentage since the last rewrite (0: never)"},
    {"auto-aof-rewrite-min-size", OPT_MEM, CFG(auto_aof_rewrite_min_size), "64mb", 0, LLONG_MAX, 0, NULL, NULL,
     "no automatic rewrite below this append-only file size"},
    {"logfile", OPT_STR, CFG(logfile), "", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "log file path (empty: standard error)"},
    {"loglevel", OPT_ENUM, CFG(loglevel), "notice", 0, 0, 0, loglevel_names, apply_loglevel,
     "debug, verbose, notice, warning, nothing"},
    {"pidfile", OPT_STR, CFG(pidfile), "", 0, 0, OPT_IMMUTABLE, NULL, NULL,
     "write the process id to this file (empty: none)"},
    {"daemonize", OPT_BOOL, CFG(daemonize), "no", 0, 1, OPT_IMMUTABLE, yesno_names, NULL,
     "detach from the terminal and run in the background"},
    {"requirepass", OPT_STR, CFG(requirepass), "", 0, 0, OPT_SENSITIVE, NULL, NULL,
     "password clients must AUTH with (empty: none)"},
    {"maxmemory", OPT_MEM, CFG(maxmemory), "0", 0, LLONG_MAX, 0, NULL, NULL,
     "memory limit for data (0: none); past it, keys are evicted by maxmemory-policy"},
    {"maxmemory-policy", OPT_ENUM, CFG(maxmemory_policy), "noeviction", 0, 0, 0, evict_policy_names, NULL,
     "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
    {"maxmemory-samples", OPT_INT, CFG(maxmemory_samples), "5", 1, 64, 0, NULL, NULL,
     "keys sampled per eviction round"},
    {"maxmemory-eviction-tenacity", OPT_INT, CFG(maxmemory_eviction_tenacity), "10", 0, 100, 0, NULL, NULL,
     "eviction effort per command (0..100)"},
    {"lfu-log-factor", OPT_INT, CFG(lfu_log_factor), "10", 0, INT_MAX, 0, NULL, NULL,
     "LFU counter logarithm factor"},
    {"lfu-decay-time", OPT_INT, CFG(lfu_decay_time), "1", 0, INT_MAX, 0, NULL, NULL,
     "minutes for the LFU counter to decay by one"},
    {"active-expire-effort", OPT_INT, CFG(active_expire_effort), "1", 1, 10, 0, NULL, NULL,
     "active expiry effort (1..10)"},
    {"set-max-intset-entries", OPT_INT, CFG(set_max_intset_entries), "512", 0, LONG_MAX, 0, NULL, NULL,
     "a set of integers stays an intset up to this many members"},
    {"zset-max-listpack-entries", OPT_INT, CFG(zset_max_listpack_entries), "128", 0, LONG_MAX, 0, NULL, NULL,
     "a sorted set stays a listpack up to this many members"},
    {"zset-max-ziplist-entries", OPT_INT, CFG(zset_max_listpack_entries), "128", 0, LONG_MAX, 0, NULL, NULL,
     "alias of zset-max-listpack-entries"},
    {"zset-max-listpack-value", OPT_INT, CFG(zset_max_listpack_value), "64", 0, LONG_MAX, 0, NULL, NULL,
     "a sorted set stays a listpack while every member is at most this many bytes"},
    {"zset-max-ziplist-value", OPT_INT, CFG(zset_max_listpack_value), "64", 0, LONG_MAX, 0, NULL, NULL,
     "alias of zset-max-listpack-value"},
    {"hash-max-listpack-entries", OPT_INT, CFG(hash_max_listpack_entries), "512", 0, LONG_MAX, 0, NULL, NULL,
     "a hash stays a listpack up to this many fields"},
    {"hash-max-ziplist-entries", OPT_INT, CFG(hash_max_listpack_entries), "512", 0, LONG_MAX, 0, NULL, NULL,
     "alias of hash-max-listpack-entries"},
    {"hash-max-listpack-value", OPT_INT, CFG(hash_max_listpack_value), "64", 0, LONG_MAX, 0, NULL, NULL,
     "a hash stays a listpack while every field and value is at most this many bytes"},
    {"hash-max-ziplist-value", OPT_INT, CFG(hash_max_listpack_value), "64", 0, LONG_MAX, 0, NULL, NULL,
     "alias of hash-max-listpack-value"},
    {"list-max-listpack-size", OPT_INT, CFG(list_max_listpack_size), "-2", INT_MIN, INT_MAX, 0, NULL, NULL,
     "list node limit: -1..-5 = 4/8/16/32/64 KB per node, N > 0 = N elements per node"},
    {"list-max-ziplist-size", OPT_INT, CFG(list_max_listpack_size), "-2", INT_MIN, INT_MAX, 0, NULL, NULL,
     "alias of list-max-listpack-size"},
    {"list-compress-depth", OPT_INT, CFG(list_compress_depth), "0", 0, INT_MAX, 0, NULL, NULL,
     "accepted for compatibility; list nodes are never compressed"},
    {"proto-max-bulk-len", OPT_MEM, CFG(proto_max_bulk_len), "512mb", 1024 * 1024, LLONG_MAX, 0, NULL, NULL,
     "largest single request argument"},
    {"client-query-buffer-limit", OPT_MEM, CFG(client_query_buffer_limit), "1gb", 1024 * 1024, LLONG_MAX, 0,
     NULL, NULL, "largest unprocessed input a client may send; past it the client is closed"},
    {"client-output-buffer-limit", OPT_STR, CFG(client_output_buffer_limit), "normal 512mb 128mb 60", 0, 0, 0,
     NULL, apply_obuf_limit,
     "normal <hard> <soft> <seconds>: close a client whose unsent replies pass hard, or soft for seconds"},
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const struct option *find_option(const char *name)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strcasecmp(options[i].name, name) == 0) return &options[i];
    return NULL;
}

int config_exists(const char *name) { return find_option(name) != NULL; }

int config_is_mutable(const char *name)
{
    const struct option *o = find_option(name);
    return o != NULL && !(o->flags & OPT_IMMUTABLE);
}

static int parse_enum(const struct option *o, const char *value)
{
    for (int i = 0; o->enum_names[i]; i++)
        if (strcasecmp(o->enum_names[i], value) == 0) return i;
    return -1;
}

static int set_value(const struct option *o, const char *value, char *errbuf, size_t errlen)
{
    switch (o->type) {
    case OPT_INT: {
        long long v;
        if (util_str2ll(value, strlen(value), &v) < 0) {
            snprintf(errbuf, errlen, "argument couldn't be parsed into an integer");
            return -1;
        }
        if (v < o->min || v > o->max) {
            snprintf(errbuf, errlen, "argument must be between %lld and %lld inclusive", o->min, o->max);
            return -1;
        }
        *(long long *)o->field = v;
        return 0;
    }
    case OPT_MEM: {
        unsigned long long v;
        if (util_memtoull(value, &v) < 0 || v > (unsigned long long)LLONG_MAX) {
            snprintf(errbuf, errlen, "argument must be a memory value");
            return -1;
        }
        if ((long long)v < o->min) {
            snprintf(errbuf, errlen, "argument must be at least %lld", o->min);
            return -1;
        }
        *(long long *)o->field = (long long)v;
        return 0;
    }
    case OPT_BOOL:
    case OPT_ENUM: {
        int v = parse_enum(o, value);
        if (v < 0) {
            snprintf(errbuf, errlen, o->type == OPT_BOOL ? "argument must be 'yes' or 'no'" : "argument(s) must be one of the following: %s", o->help);
            return -1;
        }
        if (o->field == CFG(loglevel)) {
            char *old = server.cfg.loglevel;
            server.cfg.loglevel = strdup(o->enum_names[v]);
            free(old);
        } else {
            *(int *)o->field = v;
        }
        return 0;
    }
    case OPT_STR: {
        char **f = o->field;
        char *old = *f;
        *f = strdup(value);
        free(old);
        return 0;
    }
    }
    return -1;
}

int config_apply(const char *name, const char *value, int from_client, char *errbuf, size_t errlen)
{
    const struct option *o = find_option(name);
    if (o == NULL) {
        snprintf(errbuf, errlen, "Bad directive or wrong number of arguments: '%s'", name);
        return -1;
    }
    if (from_client && (o->flags & OPT_IMMUTABLE)) {
        snprintf(errbuf, errlen, "can't set immutable config");
        return -1;
    }
    if (set_value(o, value, errbuf, errlen) < 0) return -1;
    if (o->apply && o->apply(errbuf, errlen) < 0) return -1;
    return 0;
}

static void format_value(const struct option *o, char *buf, size_t size)
{
    switch (o->type) {
    case OPT_INT:
    case OPT_MEM:
        snprintf(buf, size, "%lld", *(long long *)o->field);
        break;
    case OPT_BOOL:
    case OPT_ENUM:
        if (o->field == CFG(loglevel)) snprintf(buf, size, "%s", server.cfg.loglevel);
        else snprintf(buf, size, "%s", o->enum_names[*(int *)o->field]);
        break;
    case OPT_STR: {
        char *s = *(char **)o->field;
        snprintf(buf, size, "%s", s ? s : "");
        break;
    }
    }
}

void config_set_defaults(void)
{
    char err[256];
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (config_apply(options[i].name, options[i].def, 0, err, sizeof(err)) < 0) {
            fprintf(stderr, "bad default for %s: %s\n", options[i].name, err);
            abort();
        }
    }
    server.cfg.active_expire_enabled = 1;
}

void config_get(const char *pattern, size_t plen, config_visit_fn *fn, void *priv)
{
    char buf[1024];
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option *o = &options[i];
        if (!util_glob_match(pattern, plen, o->name, strlen(o->name), 1)) continue;
        format_value(o, buf, sizeof(buf));
        fn(priv, o->name, buf);
    }
}

/* Joins args [from, to) with spaces into buf. */
static void join_args(char *buf, size_t size, char **args, int from, int to)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = from; i < to && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i > from ? " " : "", args[i]);
}

int config_load_file(const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(errbuf, errlen, "can't open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[4096], msg[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        struct resp_span spans[64];
        int needed;
        char *p = line;
        while (isspace((unsigned char)*p)) p++;
        if (*p == '#' || *p == '\0') continue;
        int n = resp_split_inline(line, len, spans, 64, &needed);
        if (n <= 0) {
            snprintf(errbuf, errlen, "%s:%d: unbalanced quotes", path, lineno);
            rc = -1;
            break;
        }
        /* tokens are unescaped back to back in line: copy them out NUL-ended */
        char store[sizeof(line) + 64], *args[64];
        size_t used = 0;
        for (int i = 0; i < n; i++) {
            args[i] = store + used;
            memcpy(args[i], line + spans[i].off, spans[i].len);
            args[i][spans[i].len] = '\0';
            used += spans[i].len + 1;
        }
        char value[4096];
        join_args(value, sizeof(value), args, 1, n);
        if (n < 2 || config_apply(args[0], value, 0, msg, sizeof(msg)) < 0) {
            snprintf(errbuf, errlen, "%s:%d: '%s': %s", path, lineno, args[0],
                     n < 2 ? "wrong number of arguments" : msg);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

int config_load_args(int argc, char **argv, char *errbuf, size_t errlen)
{
    char msg[512], value[4096];
    int i = 0;
    while (i < argc) {
        if (strncmp(argv[i], "--", 2) != 0) {
            snprintf(errbuf, errlen, "unexpected argument '%s' (options are --name value)", argv[i]);
            return -1;
        }
        const char *name = argv[i] + 2;
        int j = i + 1;
        while (j < argc && strncmp(argv[j], "--", 2) != 0) j++;
        if (j == i + 1) {
            snprintf(errbuf, errlen, "option --%s needs a value", name);
            return -1;
        }
        join_args(value, sizeof(value), argv, i + 1, j);
        if (config_apply(name, value, 0, msg, sizeof(msg)) < 0) {
            snprintf(errbuf, errlen, "--%s %s: %s", name, value, msg);
            return -1;
        }
        i = j;
    }
    return 0;
}

void config_print_help(FILE *out)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option *o = &options[i];
        fprintf(out, "  --%-28s %s (default: %s)\n", o->name, o->help, o->def[0] ? o->def : "\"\"");
    }
}

void config_log_nondefault(void)
{
    char buf[1024];
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option *o = &options[i];
        format_value(o, buf, sizeof(buf));
        if (strcmp(buf, o->def) != 0 && !(o->flags & OPT_SENSITIVE))
            log_verb("config: %s %s", o->name, buf);
    }
}
