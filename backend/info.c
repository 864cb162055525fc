/* backend/info: see info.h.
 *
 * Every section is one function appending "name:value\r\n" lines; sections
 * are joined with a blank line, as Redis 7.0 does. Fields Shoal has no
 * machinery for (fork, AOF, replication) are written with the values an
 * idle Redis master shows, so dashboards and client libraries that read
 * them find the names they expect instead of failing. */
#include "backend/info.h"

#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "shoal_config.h"

#include "backend/aof.h"
#include "backend/blocking.h"
#include "backend/db.h"
#include "backend/evict.h"
#include "backend/rdb.h"
#include "backend/server.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "lib/util.h"

/* ---- text buffer ---- */

static void buf_reserve(struct info_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1) cap *= 2;
    b->p = mem_realloc(b->p, cap);
    b->cap = cap;
}

void info_buf_append(struct info_buf *b, const char *p, size_t len)
{
    buf_reserve(b, len);
    memcpy(b->p + b->len, p, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void info_buf_printf(struct info_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void info_buf_free(struct info_buf *b)
{
    mem_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- error stats and memory peak ---- */

#define ERRSTAT_MAX 128   /* as Redis: more distinct prefixes are not tracked */

static struct {
    char name[32];
    long long count;
} errstats[ERRSTAT_MAX];
static int nerrstats;
static size_t mem_peak, mem_startup;

void info_count_error(const char *msg)
{
    char name[32] = "ERR";
    if (msg[0] == '-') {
        size_t n = strcspn(msg + 1, " \r\n");
        if (n >= sizeof(name)) n = sizeof(name) - 1;
        memcpy(name, msg + 1, n);
        name[n] = '\0';
    }
    for (int i = 0; i < nerrstats; i++) {
        if (strcmp(errstats[i].name, name) == 0) {
            errstats[i].count++;
            return;
        }
    }
    if (nerrstats == ERRSTAT_MAX) return;
    snprintf(errstats[nerrstats].name, sizeof(errstats[nerrstats].name), "%s", name);
    errstats[nerrstats++].count = 1;
}

void info_update_peak(void)
{
    size_t used = mem_used();
    if (mem_startup == 0) mem_startup = used;
    if (used > mem_peak) mem_peak = used;
}

size_t info_peak_memory(void)
{
    info_update_peak();
    return mem_peak;
}

void info_reset_stats(void)
{
    memset(&server.stat, 0, sizeof(server.stat));
    server.stat.ops_sample_time = server.now_ms;
    nerrstats = 0;
    mem_peak = 0;
    info_update_peak();
}

/* ---- sections ---- */

static void human(char *buf, size_t size, unsigned long long n) { util_bytes_human(buf, size, n); }

static void sec_server(struct info_buf *b)
{
    struct utsname un;
    uname(&un);
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    int64_t up = (server.now_ms - server.start_ms) / 1000;
    info_buf_printf(b,
        "redis_version:%s\r\nshoal_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
        "redis_build_id:0\r\nredis_mode:standalone\r\nos:%s %s %s\r\narch_bits:%d\r\n"
        "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:%s\r\natomicvar_api:c11-builtin\r\n"
        "gcc_version:%d.%d.%d\r\nprocess_id:%ld\r\nprocess_supervised:no\r\nrun_id:%s\r\n"
        "tcp_port:%lld\r\nserver_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
        "hz:%lld\r\nconfigured_hz:%lld\r\nlru_clock:%u\r\nexecutable:%s\r\nconfig_file:%s\r\n"
        "io_threads_active:0\r\n",
        SHOAL_VERSION, PACKAGE_VERSION, un.sysname, un.release, un.machine, (int)(sizeof(long) * 8),
        server.base ? event_base_get_method(server.base) : "none",
#ifdef __GNUC__
        __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
        0, 0, 0,
#endif
        (long)getpid(), server.run_id, server.cfg.port, (long long)clock_us(), (long long)up,
        (long long)(up / 86400), server.cfg.hz, server.cfg.hz, evict_lru_clock(), exe,
        server.config_file ? server.config_file : "");
}

/* Bytes held by client structures and buffers. */
static size_t clients_memory(size_t *max_in, size_t *max_out)
{
    size_t total = 0;
    *max_in = *max_out = 0;
    for (struct client *c = server.clients; c; c = c->next) {
        total += sizeof(*c) + c->qcap + c->ocap;
        if (c->qbuf_peak > *max_in) *max_in = c->qbuf_peak;
        if (c->olen - c->opos > *max_out) *max_out = c->olen - c->opos;
    }
    return total;
}

static void sec_clients(struct info_buf *b)
{
    size_t in, out;
    clients_memory(&in, &out);
    info_buf_printf(b,
        "connected_clients:%d\r\ncluster_connections:0\r\nmaxclients:%lld\r\n"
        "client_recent_max_input_buffer:%zu\r\nclient_recent_max_output_buffer:%zu\r\n"
        "blocked_clients:%lld\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n",
        server.nclients, server.cfg.maxclients, in, out, blocking_clients());
}

static size_t total_system_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    return pages > 0 && psize > 0 ? (size_t)pages * (size_t)psize : 0;
}

static void sec_memory(struct info_buf *b)
{
    size_t used = mem_used(), rss = mem_rss(), peak = info_peak_memory(), in, out;
    size_t alloc, active, resident, sysmem = total_system_memory();
    size_t clients = clients_memory(&in, &out);
    size_t overhead = mem_startup + clients;
    size_t dataset = used > overhead ? used - overhead : 0;
    mem_jemalloc_stats(&alloc, &active, &resident);
    char h_used[32], h_rss[32], h_peak[32], h_sys[32], h_max[32];
    human(h_used, sizeof(h_used), used);
    human(h_rss, sizeof(h_rss), rss);
    human(h_peak, sizeof(h_peak), peak);
    human(h_sys, sizeof(h_sys), sysmem);
    human(h_max, sizeof(h_max), (unsigned long long)server.cfg.maxmemory);
    info_buf_printf(b,
        "used_memory:%zu\r\nused_memory_human:%s\r\nused_memory_rss:%zu\r\nused_memory_rss_human:%s\r\n"
        "used_memory_peak:%zu\r\nused_memory_peak_human:%s\r\nused_memory_peak_perc:%.2f%%\r\n"
        "used_memory_overhead:%zu\r\nused_memory_startup:%zu\r\nused_memory_dataset:%zu\r\n"
        "used_memory_dataset_perc:%.2f%%\r\nallocator_allocated:%zu\r\nallocator_active:%zu\r\n"
        "allocator_resident:%zu\r\ntotal_system_memory:%zu\r\ntotal_system_memory_human:%s\r\n"
        "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
        "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\nmem_not_counted_for_evict:0\r\n"
        "mem_clients_slaves:0\r\nmem_clients_normal:%zu\r\nmem_aof_buffer:0\r\nmem_allocator:%s\r\n"
        "active_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
        used, h_used, rss, h_rss, peak, h_peak, peak ? 100.0 * (double)used / (double)peak : 0.0,
        overhead, mem_startup, dataset,
        used > mem_startup ? 100.0 * (double)dataset / (double)(used - mem_startup) : 0.0,
        alloc, active, resident, sysmem, h_sys, server.cfg.maxmemory, h_max,
        evict_policy_names[server.cfg.maxmemory_policy], used ? (double)rss / (double)used : 0.0,
        (long long)rss - (long long)used, clients, mem_allocator_name());
}

static void sec_persistence(struct info_buf *b)
{
    const struct rdb_status *r = rdb_status();
    const struct aof_status *a = aof_status();
    int rdb_child = server.child_pid > 0 && server.child_type == CHILD_RDB;
    int aof_child = server.child_pid > 0 && server.child_type == CHILD_AOF;
    info_buf_printf(b,
        "loading:%d\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
        "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
        "current_save_keys_total:0\r\nrdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
        "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\nrdb_last_bgsave_time_sec:%lld\r\n"
        "rdb_current_bgsave_time_sec:%lld\r\nrdb_saves:%lld\r\nrdb_last_cow_size:0\r\n"
        "rdb_last_load_keys_expired:%lld\r\nrdb_last_load_keys_loaded:%lld\r\n"
        "aof_enabled:%d\r\naof_rewrite_in_progress:%d\r\naof_rewrite_scheduled:%d\r\n"
        "aof_last_rewrite_time_sec:%lld\r\naof_current_rewrite_time_sec:%lld\r\n"
        "aof_last_bgrewrite_status:%s\r\naof_rewrites:%lld\r\naof_rewrites_consecutive_failures:%lld\r\n"
        "aof_last_write_status:%s\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
        "module_fork_last_cow_size:0\r\n",
        server.loading, server.dirty, rdb_child, r->lastsave, r->last_bgsave_ok ? "ok" : "err",
        r->last_bgsave_time_sec, rdb_child ? (server.now_ms - r->bgsave_start_ms) / 1000 : -1LL, r->saves,
        r->last_load_keys_expired, r->last_load_keys_loaded, a->state != 0, aof_child, a->rewrite_scheduled,
        a->last_rewrite_time_sec, aof_child ? (server.now_ms - a->rewrite_start_ms) / 1000 : -1LL,
        a->last_rewrite_ok ? "ok" : "err", a->rewrites, a->rewrite_failures, aof_write_errno() ? "err" : "ok");
    if (a->state != 0)
        info_buf_printf(b,
            "aof_current_size:%lld\r\naof_base_size:%lld\r\naof_pending_rewrite:%d\r\n"
            "aof_buffer_length:%zu\r\naof_pending_bio_fsync:0\r\naof_delayed_fsync:%lld\r\n",
            a->current_size, a->base_size, a->rewrite_scheduled, a->buffer_length, a->delayed_fsync);
}

static void sec_stats(struct info_buf *b)
{
    const struct server_stats *st = &server.stat;
    info_buf_printf(b,
        "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
        "instantaneous_ops_per_sec:%lld\r\ntotal_net_input_bytes:%lld\r\ntotal_net_output_bytes:%lld\r\n"
        "total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n"
        "instantaneous_input_kbps:0.00\r\ninstantaneous_output_kbps:0.00\r\n"
        "instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n"
        "rejected_connections:%lld\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
        "expired_keys:%lld\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\n"
        "expire_cycle_cpu_milliseconds:0\r\nevicted_keys:%lld\r\nevicted_clients:0\r\n"
        "total_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\n"
        "keyspace_hits:%lld\r\nkeyspace_misses:%lld\r\npubsub_channels:0\r\npubsub_patterns:0\r\n"
        "pubsubshard_channels:0\r\nlatest_fork_usec:%lld\r\ntotal_forks:%lld\r\nmigrate_cached_sockets:0\r\n"
        "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n"
        "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntracking_total_keys:0\r\n"
        "tracking_total_items:0\r\ntracking_total_prefixes:0\r\nunexpected_error_replies:0\r\n"
        "total_error_replies:%lld\r\ndump_payload_sanitizations:0\r\n"
        "client_query_buffer_limit_disconnections:%lld\r\nclient_output_buffer_limit_disconnections:%lld\r\n",
        st->numconnections, st->numcommands, server_instantaneous_ops(), st->net_input_bytes,
        st->net_output_bytes, st->rejected_conn, st->expiredkeys, st->evictedkeys, st->keyspace_hits,
        st->keyspace_misses, server.stat_fork_usec, server.stat_total_forks, st->total_error_replies,
        st->client_qbuf_limit_disconnections,
        st->client_obuf_limit_disconnections);
}

static void sec_replication(struct info_buf *b)
{
    info_buf_printf(b,
        "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
        "master_replid:%s\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
        "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
        "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
        server.run_id);
}

static double tv_secs(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

static void sec_cpu(struct info_buf *b)
{
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    info_buf_printf(b,
        "used_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\nused_cpu_sys_children:%.6f\r\n"
        "used_cpu_user_children:%.6f\r\nused_cpu_sys_main_thread:%.6f\r\nused_cpu_user_main_thread:%.6f\r\n",
        tv_secs(self.ru_stime), tv_secs(self.ru_utime), tv_secs(children.ru_stime),
        tv_secs(children.ru_utime), tv_secs(thread.ru_stime), tv_secs(thread.ru_utime));
}

static void sec_commandstats(struct info_buf *b)
{
    const struct server_stats *st = &server.stat;
    for (int i = 0; i < CMD_ID__COUNT; i++) {
        if (st->cmd_calls[i] == 0 && st->cmd_failed[i] == 0) continue;
        double per = st->cmd_calls[i] ? (double)st->cmd_usec[i] / (double)st->cmd_calls[i] : 0.0;
        info_buf_printf(b, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=0,failed_calls=%lld\r\n",
                        cmd_table[i].fullname, st->cmd_calls[i], st->cmd_usec[i], per, st->cmd_failed[i]);
    }
}

static void sec_errorstats(struct info_buf *b)
{
    for (int i = 0; i < nerrstats; i++)
        info_buf_printf(b, "errorstat_%s:count=%lld\r\n", errstats[i].name, errstats[i].count);
}

static void sec_cluster(struct info_buf *b) { info_buf_printf(b, "cluster_enabled:0\r\n"); }

static void sec_keyspace(struct info_buf *b)
{
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        size_t keys = db_size(db);
        if (keys == 0) continue;
        info_buf_printf(b, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys, db_expires_size(db),
                        db->avg_ttl);
    }
}

static void sec_none(struct info_buf *b) { (void)b; }

static const struct {
    const char *name, *title;
    void (*fn)(struct info_buf *b);
    int in_default;
} sections[] = {
    {"server", "Server", sec_server, 1},
    {"clients", "Clients", sec_clients, 1},
    {"memory", "Memory", sec_memory, 1},
    {"persistence", "Persistence", sec_persistence, 1},
    {"stats", "Stats", sec_stats, 1},
    {"replication", "Replication", sec_replication, 1},
    {"cpu", "CPU", sec_cpu, 1},
    {"modules", "Modules", sec_none, 1},
    {"commandstats", "Commandstats", sec_commandstats, 0},
    {"errorstats", "Errorstats", sec_errorstats, 1},
    {"cluster", "Cluster", sec_cluster, 1},
    {"keyspace", "Keyspace", sec_keyspace, 1},
};
#define NSECTIONS (int)(sizeof(sections) / sizeof(sections[0]))

/* Marks the sections named by argv[from..argc) in want[]. */
static void select_sections(struct client *c, int from, int *want)
{
    if (from >= c->argc) {
        for (int i = 0; i < NSECTIONS; i++) want[i] = sections[i].in_default;
        return;
    }
    for (int a = from; a < c->argc; a++) {
        const char *p = c->argv[a].p;
        size_t len = c->argv[a].len;
        int all = util_eq_nocase(p, len, "all") || util_eq_nocase(p, len, "everything");
        int def = util_eq_nocase(p, len, "default");
        for (int i = 0; i < NSECTIONS; i++) {
            if (all || (def && sections[i].in_default) || util_eq_nocase(p, len, sections[i].name))
                want[i] = 1;
        }
    }
}

void info_generate(struct client *c, int from, struct info_buf *out)
{
    int want[NSECTIONS] = {0};
    select_sections(c, from, want);
    int n = 0;
    for (int i = 0; i < NSECTIONS; i++) {
        if (!want[i]) continue;
        if (n++) info_buf_append(out, "\r\n", 2);
        info_buf_printf(out, "# %s\r\n", sections[i].title);
        sections[i].fn(out);
    }
    if (out->p == NULL) info_buf_append(out, "", 0);
}
