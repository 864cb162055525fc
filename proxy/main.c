/* proxy/main: shoal-proxy's process: options (nutcracker's, plus ours),
 * the config, worker threads, the stats port, signals.
 *
 * The main thread owns what changes rarely: it loads and validates the
 * config, binds listeners, starts the workers, serves the twemproxy stats
 * JSON on its own event_base and reloads on SIGHUP (a bad file is logged
 * and the running config stays). */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat/cmd.h"
#include "compat/nutcracker_conf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/util.h"
#include "proxy/coalesce.h"
#include "proxy/conf.h"
#include "proxy/pool.h"
#include "proxy/stats.h"
#include "proxy/worker.h"
#include "shoal_config.h"

struct opts {
    const char *conf_path;
    const char *log_path;
    const char *pid_path;
    const char *stats_addr;
    int stats_port;
    int verbosity;
    int workers;
    int test_only;
    int daemonize;
    int shutdown_ms;        /* graceful stop: how long to drain clients */
};

static struct conf *current;


static void usage(FILE *out)
{
    fprintf(out,
        "Usage: shoal-proxy [-?hVdDt] [-v verbosity] [-o output file]\n"
        "                   [-c conf file] [-s stats port] [-a stats addr]\n"
        "                   [-i stats interval] [-p pid file] [-m mbuf size]\n"
        "                   [-w workers]\n\n"
        "Options (nutcracker's, plus -w and --mc-port-offset):\n"
        "  -h, --help             : this help\n"
        "  -V, --version          : show version and exit\n"
        "  -t, --test-conf        : test configuration for syntax errors and exit\n"
        "  -d, --daemonize        : run as a daemon\n"
        "  -D, --describe-stats   : print the stats' descriptions and exit\n"
        "  -v, --verbose=N        : log level 0 crit .. 4 debug, or a name (default: notice)\n"
        "  -o, --output=S         : log file (default: stderr)\n"
        "  -c, --conf-file=S      : twemproxy YAML configuration (default: conf/nutcracker.yml)\n"
        "  -s, --stats-port=N     : stats JSON port (default: 22222, 0 = off)\n"
        "  -a, --stats-addr=S     : stats address (default: 127.0.0.1; nutcracker: 0.0.0.0)\n"
        "  -i, --stats-interval=N : accepted for compatibility (stats are live)\n"
        "  -p, --pid-file=S       : pid file\n"
        "  -m, --mbuf-size=N      : accepted for compatibility (buffers grow as needed)\n"
        "  -w, --workers=N        : worker threads, 1 to 256 (default: `workers:` in\n"
        "                           the file, else half the cores)\n"
        "      --mc-port-offset=N : protocol both: Memcached port = server port + N (default 100)\n"
        "      --no-coalesce      : send each Memcached get on its own line (default: the gets\n"
        "                           queued for one server in one loop turn share a line)\n"
        "      --shutdown-timeout=N : on SIGTERM/SIGINT stop accepting and reading requests, answer\n"
        "                           those already read, for at most N ms (default 5000; 0 = stop at\n"
        "                           once, as nutcracker does); a second signal stops at once\n");
}

/* -D: what each stats field means, as nutcracker -D prints it. */
static void describe_stats(void)
{
#define DESCRIBE(name, help) printf("  %-20s\"%s\"\n", #name, help);
    printf("pool stats:\n");
    POOL_STATS(DESCRIBE)
    printf("  %-20s\"%s\"\n", "latency_us", "request latency in the proxy: count, p50, p99, p999, max (us)");
    printf("\nserver stats:\n");
    SERVER_STATS(DESCRIBE)
    printf("  %-20s\"%s\"\n", "latency_us", "server round trip: count, p50, p99, p999, max (us)");
#undef DESCRIBE
}

/* A whole number in [lo, hi] for option `what`, or -1 with the reason on
 * stderr (atoi made "abc" or "5s" a silent 0). */
static int parse_num(const char *arg, long long lo, long long hi, const char *what, int *out)
{
    long long v;
    if (util_str2ll(arg, strlen(arg), &v) != 0 || v < lo || v > hi) {
        fprintf(stderr, "shoal-proxy: bad %s '%s' (%lld to %lld)\n", what, arg, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_level(const char *s)
{
    enum log_level l;
    if (s[0] >= '0' && s[0] <= '9') {
        int n = atoi(s);
        return n > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG : n;
    }
    return log_level_parse(s, &l) == 0 ? (int)l : -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},
        {"test-conf", no_argument, NULL, 't'}, {"daemonize", no_argument, NULL, 'd'},
        {"describe-stats", no_argument, NULL, 'D'}, {"mbuf-size", required_argument, NULL, 'm'},
        {"verbose", required_argument, NULL, 'v'}, {"output", required_argument, NULL, 'o'},
        {"conf-file", required_argument, NULL, 'c'}, {"stats-port", required_argument, NULL, 's'},
        {"stats-addr", required_argument, NULL, 'a'}, {"stats-interval", required_argument, NULL, 'i'},
        {"pid-file", required_argument, NULL, 'p'}, {"workers", required_argument, NULL, 'w'},
        {"mc-port-offset", required_argument, NULL, 'M'}, {"no-coalesce", no_argument, NULL, 'C'},
        {"shutdown-timeout", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "hVtdDv:o:c:s:a:i:p:w:m:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': usage(stdout); exit(0);
        case 'V': printf("This is shoal-proxy-%s (nutcracker 0.5.0 compatible)\n", PACKAGE_VERSION); exit(0);
        case 't': o->test_only = 1; break;
        case 'd': o->daemonize = 1; break;
        case 'D': describe_stats(); exit(0);
        case 'v':
            o->verbosity = parse_level(optarg);
            if (o->verbosity < 0) { fprintf(stderr, "shoal-proxy: bad log level '%s'\n", optarg); return -1; }
            break;
        case 'o': o->log_path = optarg; break;
        case 'c': o->conf_path = optarg; break;
        case 's':
            if (parse_num(optarg, 0, 65535, "stats port", &o->stats_port) != 0) return -1;
            break;
        case 'a': o->stats_addr = optarg; break;
        case 'i': case 'm': break;
        case 'p': o->pid_path = optarg; break;
        case 'w':
            if (parse_num(optarg, 1, NC_MAX_WORKERS, "worker count", &o->workers) != 0) return -1;
            break;
        case 'M':
            if (parse_num(optarg, 0, 65535, "mc port offset", &conf_mc_port_offset) != 0) return -1;
            break;
        case 'C': coal_enabled = false; break;
        case 'T':
            if (parse_num(optarg, 0, 3600 * 1000, "shutdown timeout", &o->shutdown_ms) != 0) return -1;
            break;
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "shoal-proxy: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static void stats_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                            int socklen, void *arg)
{
    (void)l;
    (void)sa;
    (void)socklen;
    (void)arg;
    size_t n;
    char *json = stats_json(current, &n);
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, json + off, n - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    free(json);
    close(fd);
}

static struct evconnlistener *stats_listen(struct event_base *base, const char *addr, int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (evutil_inet_pton(AF_INET, addr, &sin.sin_addr) != 1) return NULL;
    return evconnlistener_new_bind(base, stats_accept_cb, NULL,
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
                                   64, (struct sockaddr *)&sin, sizeof sin);
}

static void reload(void)
{
    char err[512];
    struct conf *next;
    log_notice("SIGHUP: reloading %s", current->path);
    if (conf_load(current->path, current, true, &next, err, sizeof err) != 0) {
        log_warn("reload failed, keeping the running configuration: %s", err);
        return;
    }
    workers_reload(next);
    conf_unref(&current);
    current = next;
    log_notice("configuration reloaded: %d pools", current->npools);
}

/* Graceful stop (SIGTERM/SIGINT): the workers drain (workers_drain); the
 * loop ends when all have finished, when the timeout passes, or at a
 * second signal; workers_stop then closes whatever is left. */
static struct event *drain_ev;
static int64_t drain_deadline;
static int drain_ms = 5000;

static void drain_check_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct event_base *base = arg;
    if (workers_finished()) {
        log_notice("every client answered and closed");
        event_base_loopexit(base, NULL);
    } else if (clock_mono_us() >= drain_deadline) {
        log_warn("shutdown timeout (%d ms): closing the clients still connected", drain_ms);
        event_base_loopexit(base, NULL);
    }
}

static void shutdown_begin(struct event_base *base, int sig)
{
    if (drain_ev || drain_ms == 0) {
        log_notice("signal %d: shutting down%s", sig, drain_ev ? " now" : "");
        event_base_loopexit(base, NULL);
        return;
    }
    log_notice("signal %d: shutting down: no new connections or requests, answering those "
               "in flight (at most %d ms; signal again to stop now)", sig, drain_ms);
    workers_drain();
    drain_deadline = clock_mono_us() + (int64_t)drain_ms * 1000;
    drain_ev = event_new(base, -1, EV_PERSIST, drain_check_cb, base);
    struct timeval tv = { 0, 20 * 1000 };
    event_add(drain_ev, &tv);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct event_base *base = arg;
    switch (sig) {
    case SIGHUP: reload(); break;
    case SIGTTIN:
        if (log_get_level() < LOG_LEVEL_DEBUG) log_set_level(log_get_level() + 1);
        break;
    case SIGTTOU:
        if (log_get_level() > LOG_LEVEL_CRIT) log_set_level(log_get_level() - 1);
        break;
    default:
        shutdown_begin(base, (int)sig);
        break;
    }
}

/* Default: half the cores (at least one).  The kernel's TCP work for the
 * proxy's sockets, and often nodes or clients on the same host, need the
 * rest: on 2 cores with the nodes and the load generator beside it, one
 * worker gave 1.1x nutcracker at redis-benchmark -P 1 where two gave 0.85x
 * (proxy/README.md, Performance). */
static int worker_count(const struct opts *o, const struct conf *c)
{
    if (o->workers > 0) return o->workers;
    if (c->workers > 0) return c->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 1 ? (int)(n / 2) : 1;
}

static void write_pid(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        log_warn("cannot write pid file %s: %s", path, strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

static int serve(const struct opts *o)
{
    struct event_base *base = event_base_new();
    struct evconnlistener *stats = NULL;
    if (o->stats_port > 0) {
        stats = stats_listen(base, o->stats_addr, o->stats_port);
        if (stats == NULL) {
            log_crit("cannot listen for stats on %s:%d: %s", o->stats_addr, o->stats_port, strerror(errno));
            return 1;
        }
    }
    int n = worker_count(o, current);
    if (workers_start(n, current) != 0) return 1;
    int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGTTIN, SIGTTOU };
    struct event *sev[5];
    for (int i = 0; i < 5; i++) {
        sev[i] = evsignal_new(base, sigs[i], signal_cb, base);
        event_add(sev[i], NULL);
    }
    for (int i = 0; i < current->npools; i++)
        for (int k = 0; k < 2; k++)
            if (current->pools[i]->listen[k])
                log_notice("pool %s: %s on %s, %d servers", current->pools[i]->name,
                           current->pools[i]->listen_proto[k] == PROTO_MC ? "memcache" : "redis",
                           current->pools[i]->listen[k], current->pools[i]->nservers);
    log_notice("shoal-proxy %s: %d workers, stats on %s:%d", PACKAGE_VERSION, n,
               o->stats_addr, o->stats_port);
    log_notice("Ready to accept connections");
    drain_ms = o->shutdown_ms;
    event_base_dispatch(base);
    workers_stop();
    if (drain_ev) event_free(drain_ev);
    for (int i = 0; i < 5; i++) event_free(sev[i]);
    if (stats) evconnlistener_free(stats);
    event_base_free(base);
    conf_unref(&current);
    log_notice("shoal-proxy stopped");
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = { .conf_path = "conf/nutcracker.yml", .stats_addr = "127.0.0.1",
                      .stats_port = 22222, .verbosity = LOG_LEVEL_NOTICE, .shutdown_ms = 5000 };
    if (parse_opts(argc, argv, &o) != 0) return 1;
    char err[512];
    if (o.test_only) {
        struct conf *c;
        if (conf_load(o.conf_path, NULL, false, &c, err, sizeof err) != 0) {
            fprintf(stderr, "shoal-proxy: configuration file '%s' syntax is invalid\n%s\n", o.conf_path, err);
            return 1;
        }
        conf_unref(&c);
        fprintf(stderr, "shoal-proxy: configuration file '%s' syntax is ok\n", o.conf_path);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    log_setup(o.log_path, (enum log_level)o.verbosity);
    if (o.daemonize && daemon(1, 0) != 0) {
        fprintf(stderr, "shoal-proxy: daemon: %s\n", strerror(errno));
        return 1;
    }
    if (o.pid_path) write_pid(o.pid_path);
    stats_setup();
    cmd_lookup("get", 3);   /* builds the command index before threads share it */
    if (conf_load(o.conf_path, NULL, true, &current, err, sizeof err) != 0) {
        log_crit("%s", err);
        fprintf(stderr, "shoal-proxy: %s\n", err);
        return 1;
    }
    int rc = serve(&o);
    if (o.pid_path) unlink(o.pid_path);
    log_teardown();
    return rc;
}
