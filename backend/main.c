/* backend/main: shoal-server's command line: an optional config file, then
 * --directive value pairs (as redis-server takes them), plus the memcached
 * flags a memcached user types (-p -m -c -I -l -t -A -F), rewritten into
 * the directives they mean before the options are applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoal_config.h"

#include "backend/aof.h"
#include "backend/config.h"
#include "backend/rdb.h"
#include "backend/server.h"
#include "lib/log.h"

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: shoal-server [/path/to/shoal.conf] [--option value ...]\n"
        "       shoal-server --help | --version\n"
        "\n"
        "A Shoal storage node: Redis-compatible (RESP2/RESP3) commands on one keyspace,\n"
        "with expiry and eviction. The config file holds 'option value' lines\n"
        "(redis.conf style); command-line options override it.\n"
        "\n"
        "Options (name, meaning, default):\n");
    config_print_help(out);
    fprintf(out,
        "\nMemcached-style flags (memcached's meaning, mapped to the options above):\n"
        "  -p <port>      --mc-port <port> (RESP stays on --port)\n"
        "  -m <MB>        --maxmemory <MB>mb --maxmemory-policy allkeys-lru\n"
        "  -c <num>       --maxclients <num>\n"
        "  -I <size>      --item-size-max <size> (k and m suffixes are KiB/MiB, as memcached)\n"
        "  -l <a,b,...>   --bind \"a b ...\"\n"
        "  -A             --mc-shutdown yes\n"
        "  -F             --mc-flush-all no\n"
        "  -t <num>       accepted and ignored: a node runs one event loop\n");
    fprintf(out,
        "\nExamples:\n"
        "  shoal-server --port 7000 --maxmemory 1gb --maxmemory-policy allkeys-lru\n"
        "  shoal-server conf/shoal.conf --loglevel verbose\n"
        "  shoal-server -p 11211 -m 1024 -c 4096 -I 2m\n");
}

/* memcached's size argument: digits with an optional k or m (KiB, MiB). */
static int mc_size_arg(const char *s, char *buf, size_t size)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return -1;
    if (*end == 'k' || *end == 'K') v *= 1024, end++;
    else if (*end == 'm' || *end == 'M') v *= 1024 * 1024, end++;
    if (*end != '\0') return -1;
    snprintf(buf, size, "%llu", v);
    return 0;
}

static void push(char **out, int *n, const char *s)
{
    out[(*n)++] = strdup(s);
}

/* One memcached flag at argv[*i] ("-p 11211" or "-p11211"); appends the
 * directives it means to out. Returns -1 with a message on a bad value. */
static int mc_flag(int argc, char **argv, int *i, char **out, int *n, char *err, size_t errlen)
{
    char f = argv[*i][1], buf[64];
    const char *v = NULL;
    if (strchr("pmcIlt", f)) {
        v = argv[*i][2] ? argv[*i] + 2 : (*i + 1 < argc ? argv[++*i] : NULL);
        if (v == NULL) {
            snprintf(err, errlen, "-%c needs a value", f);
            return -1;
        }
    }
    switch (f) {
    case 'p': push(out, n, "--mc-port"); push(out, n, v); break;
    case 'c': push(out, n, "--maxclients"); push(out, n, v); break;
    case 'm':
        snprintf(buf, sizeof(buf), "%smb", v);
        push(out, n, "--maxmemory"); push(out, n, buf);
        push(out, n, "--maxmemory-policy"); push(out, n, "allkeys-lru");
        break;
    case 'I':
        if (mc_size_arg(v, buf, sizeof(buf)) < 0) {
            snprintf(err, errlen, "-I %s: expected a size like 1048576, 512k or 2m", v);
            return -1;
        }
        push(out, n, "--item-size-max"); push(out, n, buf);
        break;
    case 'l': {
        char *list = strdup(v);
        for (char *p = list; *p; p++) if (*p == ',') *p = ' ';
        push(out, n, "--bind"); push(out, n, list);
        free(list);
        break;
    }
    case 'A': push(out, n, "--mc-shutdown"); push(out, n, "yes"); break;
    case 'F': push(out, n, "--mc-flush-all"); push(out, n, "no"); break;
    case 't': log_notice("memcached flag -t %s ignored: a Shoal node runs one event loop", v); break;
    }
    return 0;
}

static void free_args(char **args, int n)
{
    for (int i = 0; args != NULL && i < n; i++) free(args[i]);
    free(args);
}

/* Rewrites memcached flags into --directives; other arguments are copied
 * (strdup'ed, freed by free_args once config_load_args has read them). */
static int expand_mc_flags(int argc, char **argv, int *out_argc, char ***out_argv,
                           char *err, size_t errlen)
{
    char **out = calloc((size_t)argc * 2 + 1, sizeof(*out));
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] && strchr("pmcIltAF", a[1]) && (a[2] == '\0' || strchr("pmcIlt", a[1]))) {
            if (mc_flag(argc, argv, &i, out, &n, err, errlen) < 0) {
                free_args(out, n);
                return -1;
            }
        } else {
            push(out, &n, a);
        }
    }
    *out_argc = n;
    *out_argv = out;
    return 0;
}

/* The dataset at start: the AOF when it is enabled, else the snapshot. */
static int load_data(void)
{
    if (!server.cfg.appendonly) {
        int missing;
        if (rdb_load(server.cfg.dbfilename, &missing) < 0) return -1;
    }
    return aof_load_and_open();
}

int main(int argc, char **argv)
{
    config_set_defaults();
    int first = 1;
    if (argc >= 2) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0) {
            printf("shoal-server v=%s (Redis %s compatible)\n", PACKAGE_VERSION, SHOAL_VERSION);
            return 0;
        }
    }
    char err[1024];
    if (argc >= 2 && argv[1][0] != '-') {
        server.config_file = argv[1];
        if (config_load_file(argv[1], err, sizeof(err)) < 0) {
            fprintf(stderr, "*** FATAL CONFIG FILE ERROR ***\n%s\n", err);
            return 1;
        }
        first = 2;
    }
    int nargs = 0;
    char **args = NULL;
    int rc = expand_mc_flags(argc - first, argv + first, &nargs, &args, err, sizeof(err));
    if (rc == 0) rc = config_load_args(nargs, args, err, sizeof(err));
    free_args(args, nargs);
    if (rc < 0) {
        fprintf(stderr, "*** FATAL CONFIG ERROR ***\n%s\nRun 'shoal-server --help' for the options.\n", err);
        return 1;
    }
    if (server.cfg.dir && server.cfg.dir[0] && chdir(server.cfg.dir) < 0) {
        fprintf(stderr, "Can't chdir to '%s': ", server.cfg.dir);
        perror(NULL);
        return 1;
    }
    enum log_level lvl = log_get_level();
    log_setup(server.cfg.logfile, lvl);
    if (server.cfg.daemonize && daemon(1, 0) < 0) {
        perror("daemon");
        return 1;
    }
    log_notice("Shoal node starting: shoal-server v=%s pid=%d", PACKAGE_VERSION, (int)getpid());
    if (server.config_file) log_notice("Configuration loaded from %s", server.config_file);
    config_log_nondefault();
    if (server_init() < 0) {
        log_crit("Could not start: see the errors above");
        return 1;
    }
    if (load_data() < 0) {
        log_crit("Could not load the data: see the errors above");
        return 1;
    }
    server_run();
    server_shutdown();
    log_teardown();
    return 0;
}
