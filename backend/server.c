/* backend/server: process lifecycle of a node: the event base, signals, the
 * cron timer (hz), startup and shutdown. */
#include "backend/server.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/listener.h>

#include "backend/aof.h"
#include "backend/db.h"
#include "backend/expire.h"
#include "backend/info.h"
#include "backend/networking.h"
#include "backend/rdb.h"
#include "lib/clock.h"
#include "lib/dict.h"
#include "lib/log.h"
#include "lib/mem.h"

struct server server;

static void update_ops_sample(void)
{
    struct server_stats *st = &server.stat;
    long long now = server.now_ms;
    long long elapsed = now - st->ops_sample_time;
    if (elapsed < 100) return;
    long long ops = st->numcommands - st->ops_sample_count;
    st->ops_samples[st->ops_sample_idx] = elapsed > 0 ? ops * 1000 / elapsed : 0;
    st->ops_sample_idx = (st->ops_sample_idx + 1) % 16;
    st->ops_sample_time = now;
    st->ops_sample_count = st->numcommands;
}

long long server_instantaneous_ops(void)
{
    long long sum = 0;
    for (int i = 0; i < 16; i++) sum += server.stat.ops_samples[i];
    return sum / 16;
}

static long long cron_hz;   /* the hz the timer runs at; CONFIG SET hz moves it */

static void cron_schedule(void)
{
    cron_hz = server.cfg.hz;
    struct timeval tv = {0, (int)(1000000 / cron_hz)};
    event_add(server.cron_ev, &tv);
}

int server_fork(int type)
{
    if (server.child_pid > 0) return -1;
    int64_t start = clock_us();
    pid_t pid = fork();
    if (pid == 0) {
        /* the child only writes a file: no signals of the parent's, and
         * no listening sockets kept open should the parent die first */
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGUSR1, SIG_DFL);
        for (int i = 0; i < server.nlisteners; i++)
            if (server.listeners[i]) close(evconnlistener_get_fd(server.listeners[i]));
        return 0;
    }
    if (pid < 0) return -1;
    server.stat_fork_usec = clock_us() - start;
    server.stat_total_forks++;
    server.child_pid = pid;
    server.child_type = type;
    dict_set_resize_allowed(0);
    return pid;
}

/* Reaps the persistence child when it has exited. */
static void check_child(void)
{
    int status;
    if (server.child_pid <= 0 || waitpid(server.child_pid, &status, WNOHANG) != server.child_pid) return;
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    int bysignal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (server.child_type == CHILD_RDB) rdb_child_done(ok, bysignal);
    else aof_child_done(ok, bysignal);
    server.child_pid = -1;
    server.child_type = CHILD_NONE;
    dict_set_resize_allowed(1);
}

/* Stops a running child and waits for it (shutdown). */
static void kill_child(void)
{
    if (server.child_pid <= 0) return;
    int status;
    kill(server.child_pid, SIGUSR1);
    waitpid(server.child_pid, &status, 0);
    if (server.child_type == CHILD_RDB) rdb_child_done(0, SIGUSR1);
    else aof_child_done(0, SIGUSR1);
    server.child_pid = -1;
    dict_set_resize_allowed(1);
}

int server_prepare_shutdown(int save_mode, int force)
{
    static int prepared;
    if (prepared) return 0;
    kill_child();
    if (save_mode > 0 || (save_mode == 0 && rdb_save_points_count() > 0)) {
        log_notice("Saving the final RDB snapshot before exiting.");
        if (rdb_save(server.cfg.dbfilename) < 0 && !force) {
            log_warn("Error trying to save the DB, can't exit.");
            return -1;
        }
    }
    if (aof_shutdown() < 0 && !force) {
        log_warn("Error trying to flush the AOF: can't exit.");
        return -1;
    }
    prepared = 1;
    return 0;
}

static void cron_cb(evutil_socket_t fd, short what, void *arg)
{
    if (server.cfg.hz != cron_hz) cron_schedule();
    server.now_ms = clock_ms();
    server.lruclock = (uint32_t)((server.now_ms / 1000) & 0xFFFFFF);
    server.cronloops++;
    expire_active_cycle();
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        dict_rehash_ms(db->keys, 1);
        dict_rehash_ms(db->expires, 1);
        dict_maybe_shrink(db->keys);
        dict_maybe_shrink(db->expires);
    }
    clients_cron();
    check_child();
    rdb_cron();
    aof_cron();
    update_ops_sample();
    info_update_peak();
    if (server.shutdown_asap) {
        log_warn("Received shutdown request, scheduling shutdown...");
        if (server_prepare_shutdown(0, 0) < 0) server.shutdown_asap = 0;
        else event_base_loopbreak(server.base);
    }
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    if (sig == SIGHUP) {
        log_reopen();
        log_notice("Received SIGHUP: log file reopened");
        return;
    }
    log_warn("Received %s scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (server_prepare_shutdown(0, 0) < 0) return;
    server.shutdown_asap = 1;
    event_base_loopbreak(server.base);
}

static void make_run_id(void)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char rnd[20];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
        for (size_t i = 0; i < sizeof(rnd); i++) rnd[i] = (unsigned char)(rand() ^ getpid());
    }
    if (fd >= 0) close(fd);
    for (int i = 0; i < 20; i++) {
        server.run_id[i * 2] = hex[rnd[i] >> 4];
        server.run_id[i * 2 + 1] = hex[rnd[i] & 15];
    }
    server.run_id[40] = '\0';
    uint8_t seed[16];
    memcpy(seed, rnd, 16);
    dict_hash_seed(seed);
    srand((unsigned)(rnd[16] | rnd[17] << 8 | rnd[18] << 16));
}

static int write_pidfile(void)
{
    if (server.cfg.pidfile == NULL || server.cfg.pidfile[0] == '\0') return 0;
    FILE *f = fopen(server.cfg.pidfile, "w");
    if (f == NULL) {
        log_warn("Failed to write PID file %s: %s", server.cfg.pidfile, strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    return 0;
}

int server_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);   /* past a file size limit, write fails with EFBIG: a persistence error */
    server.child_pid = -1;
    make_run_id();
    server.now_ms = server.start_ms = clock_ms();
    server.stat.ops_sample_time = server.now_ms;
    struct event_config *ec = event_config_new();
    event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
    server.base = event_base_new_with_config(ec);
    event_config_free(ec);
    if (server.base == NULL) {
        log_crit("Failed creating the event loop");
        return -1;
    }
    db_setup((int)server.cfg.databases);
    if (net_listen() < 0) return -1;
    server.cron_ev = event_new(server.base, -1, EV_PERSIST, cron_cb, NULL);
    cron_schedule();
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        server.signal_evs[i] = evsignal_new(server.base, sigs[i], signal_cb, NULL);
        event_add(server.signal_evs[i], NULL);
    }
    write_pidfile();
    return 0;
}

void server_run(void)
{
    log_notice("Server initialized");
    log_notice("Ready to accept connections tcp port=%lld", server.cfg.port);
    event_base_dispatch(server.base);
}

void server_shutdown(void)
{
    log_warn("User requested shutdown...");
    while (server.clients) client_free(server.clients);
    net_close_listeners();
    if (server.cfg.pidfile && server.cfg.pidfile[0]) unlink(server.cfg.pidfile);
    for (int i = 0; i < 3; i++) event_free(server.signal_evs[i]);
    event_free(server.cron_ev);
    db_teardown();
    event_base_free(server.base);
    server.base = NULL;
    log_warn("%s is now ready to exit, bye bye...", SHOAL_SERVER_NAME);
}
