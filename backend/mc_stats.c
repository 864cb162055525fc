/* backend/mc_stats: see mc_stats.h.  Every list prints the names 1.6.18
 * prints, in its order, so a monitoring tool written against memcached
 * finds each field; values come from the node (server.stat, the keyspace,
 * the options) and the memcached counters of mc_kv.  Fields that describe
 * memcached internals the node does not have (slab rebalancing, extstore,
 * the LRU maintainer thread) are reported as 0 / "no".  The node has no
 * slab classes: `stats items` and `stats slabs` report every item as class
 * 1, which is what exporters sum over anyway. */
#include "backend/mc_stats.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/db.h"
#include "backend/mc.h"
#include "backend/mc_kv.h"
#include "backend/networking.h"
#include "backend/server.h"
#include "compat/mc_text.h"
#include "lib/dict.h"
#include "lib/mem.h"

/* Values `stats reset` starts again from, for counters owned by server.stat. */
static struct {
    long long connections, rejected, in_bytes, out_bytes, evicted, expired;
} base;

#define U64(n, v) mc_compose_stat_u64(out, n, (uint64_t)(v))

static void stats_process(struct mc_out *out)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    U64("pid", getpid());
    U64("uptime", (server.now_ms - server.start_ms) / 1000);
    U64("time", mc_now());
    mc_compose_stat(out, "version", MC_VERSION);
    mc_compose_stat(out, "libevent", event_get_version());
    U64("pointer_size", 8 * sizeof(void *));
    mc_compose_statf(out, "rusage_user", "%ld.%06ld", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
    mc_compose_statf(out, "rusage_system", "%ld.%06ld", (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
    U64("max_connections", server.cfg.maxclients);
    U64("curr_connections", server.nclients);
    U64("total_connections", server.stat.numconnections - base.connections);
    U64("rejected_connections", server.stat.rejected_conn - base.rejected);
    U64("connection_structures", server.nclients);
    static const char *const zero[] = {
        "response_obj_oom", "response_obj_count", "response_obj_bytes", "read_buf_count",
        "read_buf_bytes", "read_buf_bytes_free", "read_buf_oom", "reserved_fds", NULL,
    };
    for (int i = 0; zero[i]; i++) U64(zero[i], 0);
}

static void stats_commands(struct mc_out *out)
{
    const struct mc_counters *s = &mc_stat;
    U64("cmd_get", s->cmd_get);
    U64("cmd_set", s->cmd_set);
    U64("cmd_flush", s->cmd_flush);
    U64("cmd_touch", s->cmd_touch);
    U64("cmd_meta", s->cmd_meta);
    U64("get_hits", s->get_hits);
    U64("get_misses", s->get_misses);
    U64("get_expired", s->get_expired);
    U64("get_flushed", s->get_flushed);
    U64("delete_misses", s->delete_misses);
    U64("delete_hits", s->delete_hits);
    U64("incr_misses", s->incr_misses);
    U64("incr_hits", s->incr_hits);
    U64("decr_misses", s->decr_misses);
    U64("decr_hits", s->decr_hits);
    U64("cas_misses", s->cas_misses);
    U64("cas_hits", s->cas_hits);
    U64("cas_badval", s->cas_badval);
    U64("touch_hits", s->touch_hits);
    U64("touch_misses", s->touch_misses);
    U64("store_too_large", s->store_too_large);
    U64("store_no_memory", s->store_no_memory);
    U64("auth_cmds", 0);
    U64("auth_errors", 0);
    U64("bytes_read", server.stat.net_input_bytes - base.in_bytes);
    U64("bytes_written", server.stat.net_output_bytes - base.out_bytes);
    U64("limit_maxbytes", server.cfg.maxmemory);
}

static unsigned hash_power(const struct dict *d)
{
    unsigned p = 0;
    for (size_t n = dict_slots(d); n > 1; n >>= 1) p++;
    return p;
}

static void stats_memory(struct mc_out *out)
{
    struct db *db = db_get(0);
    U64("accepting_conns", 1);
    U64("listen_disabled_num", 0);
    U64("time_in_listen_disabled_us", 0);
    U64("threads", 1);
    U64("conn_yields", 0);
    U64("hash_power_level", hash_power(db->keys));
    U64("hash_bytes", dict_mem_bytes(db->keys));
    static const char *const zero[] = {
        "hash_is_expanding", "slab_reassign_rescues", "slab_reassign_chunk_rescues",
        "slab_reassign_evictions_nomem", "slab_reassign_inline_reclaim", "slab_reassign_busy_items",
        "slab_reassign_busy_deletes", "slab_reassign_running", "slabs_moved", "lru_crawler_running",
        "lru_crawler_starts", "lru_maintainer_juggles", "malloc_fails", "log_worker_dropped",
        "log_worker_written", "log_watcher_skipped", "log_watcher_sent", "log_watchers",
        "unexpected_napi_ids", "round_robin_fallback", NULL,
    };
    for (int i = 0; zero[i]; i++) U64(zero[i], 0);
    U64("bytes", mem_used());
    U64("curr_items", db_size(db));
    U64("total_items", mc_stat.total_items);
    U64("slab_global_page_pool", 0);
    U64("expired_unfetched", 0);
    U64("evicted_unfetched", 0);
    U64("evicted_active", 0);
    U64("evictions", server.stat.evictedkeys - base.evicted);
    U64("reclaimed", server.stat.expiredkeys - base.expired);
    static const char *const zero2[] = {
        "crawler_reclaimed", "crawler_items_checked", "lrutail_reflocked", "moves_to_cold",
        "moves_to_warm", "moves_within_lru", "direct_reclaims", "lru_bumps_dropped", NULL,
    };
    for (int i = 0; zero2[i]; i++) U64(zero2[i], 0);
}

/* Name/value pairs of `stats settings` that are constants here. */
static const char *const settings_tail[] = {
    "hashpower_init", "0", "slab_reassign", "no", "slab_automove", "0",
    "slab_automove_ratio", "0.80", "slab_automove_window", "30", "slab_chunk_max", "524288",
    "lru_crawler", "no", "lru_crawler_sleep", "100", "lru_crawler_tocrawl", "0",
    "tail_repair_time", "0", NULL,
};
static const char *const settings_lru[] = {
    "hash_algorithm", "siphash", "lru_maintainer_thread", "no", "lru_segmented", "no",
    "hot_lru_pct", "20", "warm_lru_pct", "40", "hot_max_factor", "0.20",
    "warm_max_factor", "2.00", "temp_lru", "no", "temporary_ttl", "61", NULL,
};
static const char *const settings_ext[] = {
    "watcher_logbuf_size", "0", "worker_logbuf_size", "0", "read_buf_mem_limit", "0",
    "track_sizes", "no", "inline_ascii_response", "no", "ext_item_size", "512",
    "ext_item_age", "4294967295", "ext_low_ttl", "0", "ext_recache_rate", "2000",
    "ext_wbuf_size", "4194304", "ext_compact_under", "0", "ext_drop_under", "0",
    "ext_max_sleep", "1000000", "ext_max_frag", "0.80", "slab_automove_freeratio", "0.010",
    "ext_drop_unread", "no", "ssl_enabled", "no", "ssl_chain_cert", "(null)", "ssl_key", "(null)",
    "ssl_verify_mode", "0", "ssl_keyformat", "1", "ssl_ciphers", "NULL", "ssl_ca_cert", "NULL",
    "ssl_wbuf_size", "16384", "ssl_session_cache", "no", "ssl_kernel_tls", "no",
    "ssl_min_version", "tlsv1.2", "num_napi_ids", "(null)", "memory_file", "(null)", NULL,
};

static void stat_pairs(struct mc_out *out, const char *const *kv)
{
    for (int i = 0; kv[i]; i += 2) mc_compose_stat(out, kv[i], kv[i + 1]);
}

static void stats_settings(struct mc_out *out)
{
    U64("maxbytes", server.cfg.maxmemory);
    U64("maxconns", server.cfg.maxclients);
    U64("tcpport", server.cfg.mc_port);
    U64("udpport", 0);
    mc_compose_stat(out, "inter", server.cfg.bind && server.cfg.bind[0] ? server.cfg.bind : "NULL");
    U64("verbosity", mc_cfg.verbosity);
    U64("oldest", 0);
    mc_compose_stat(out, "evictions", server.cfg.maxmemory_policy == MAXMEMORY_NOEVICTION ? "off" : "on");
    mc_compose_stat(out, "domain_socket", "NULL");
    mc_compose_stat(out, "umask", "700");
    mc_compose_stat(out, "shutdown_command", mc_cfg.shutdown_enabled ? "yes" : "no");
    mc_compose_stat(out, "growth_factor", "1.25");
    U64("chunk_size", 48);
    U64("num_threads", 1);
    U64("num_threads_per_udp", 1);
    mc_compose_stat(out, "stat_key_prefix", ":");
    mc_compose_stat(out, "detail_enabled", "no");
    U64("reqs_per_event", 20);
    mc_compose_stat(out, "cas_enabled", "yes");
    U64("tcp_backlog", server.cfg.tcp_backlog);
    mc_compose_stat(out, "binding_protocol", "ascii");
    mc_compose_stat(out, "auth_enabled_sasl", "no");
    mc_compose_stat(out, "auth_enabled_ascii", "no");
    U64("item_size_max", server.cfg.item_size_max);
    mc_compose_stat(out, "maxconns_fast", "yes");
    stat_pairs(out, settings_tail);
    mc_compose_stat(out, "flush_enabled", mc_cfg.flush_enabled ? "yes" : "no");
    mc_compose_stat(out, "dump_enabled", "no");
    stat_pairs(out, settings_lru);
    U64("idle_timeout", server.cfg.timeout);
    stat_pairs(out, settings_ext);
}

/* Every item as slab class 1 (see the file comment). */
static void stats_items(struct mc_out *out)
{
    static const char *const names[] = {
        "number_hot", "number_warm", "number_cold", "age_hot", "age_warm", "age",
        "mem_requested", "evicted", "evicted_nonzero", "evicted_time", "outofmemory",
        "tailrepairs", "reclaimed", "expired_unfetched", "evicted_unfetched", "evicted_active",
        "crawler_reclaimed", "crawler_items_checked", "lrutail_reflocked", "moves_to_cold",
        "moves_to_warm", "moves_within_lru", "direct_reclaims", "hits_to_hot", "hits_to_warm",
        "hits_to_cold", "hits_to_temp", NULL,
    };
    size_t n = db_size(db_get(0));
    if (n == 0) return;
    U64("items:1:number", n);
    for (int i = 0; names[i]; i++) {
        uint64_t v = 0;
        if (strcmp(names[i], "evicted") == 0) v = (uint64_t)(server.stat.evictedkeys - base.evicted);
        else if (strcmp(names[i], "reclaimed") == 0) v = (uint64_t)(server.stat.expiredkeys - base.expired);
        else if (strcmp(names[i], "mem_requested") == 0) v = mem_used();
        char name[64];
        snprintf(name, sizeof(name), "items:1:%s", names[i]);
        U64(name, v);
    }
}

static void stats_slabs(struct mc_out *out)
{
    size_t n = db_size(db_get(0));
    if (n > 0) {
        const struct mc_counters *s = &mc_stat;
        U64("1:chunk_size", 96);
        U64("1:chunks_per_page", 10922);
        U64("1:total_pages", 1);
        U64("1:total_chunks", n);
        U64("1:used_chunks", n);
        U64("1:free_chunks", 0);
        U64("1:free_chunks_end", 0);
        U64("1:get_hits", s->get_hits);
        U64("1:cmd_set", s->cmd_set);
        U64("1:delete_hits", s->delete_hits);
        U64("1:incr_hits", s->incr_hits);
        U64("1:decr_hits", s->decr_hits);
        U64("1:cas_hits", s->cas_hits);
        U64("1:cas_badval", s->cas_badval);
        U64("1:touch_hits", s->touch_hits);
    }
    U64("active_slabs", n > 0 ? 1 : 0);
    U64("total_malloced", mem_used());
}

/* As memcached: the Memcached listeners (IPv4), then one block per
 * Memcached connection: <fd>:addr, listen_addr, state, secs_since_last_cmd. */
static void stats_listeners(struct mc_out *out)
{
    for (int i = 0; i < server.nlisteners; i++) {
        int fd = (int)evconnlistener_get_fd(server.listeners[i]);
        struct sockaddr_in sa;
        socklen_t len = sizeof(sa);
        char name[32], ip[INET_ADDRSTRLEN];
        if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || sa.sin_family != AF_INET ||
            ntohs(sa.sin_port) != server.cfg.mc_port)
            continue;
        inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
        snprintf(name, sizeof(name), "%d:addr", fd);
        mc_compose_statf(out, name, "tcp:%s:%d", ip, (int)server.cfg.mc_port);
        snprintf(name, sizeof(name), "%d:state", fd);
        mc_compose_stat(out, name, "conn_listening");
        snprintf(name, sizeof(name), "%d:secs_since_last_cmd", fd);
        mc_compose_stat_i64(out, name, (server.now_ms - server.start_ms) / 1000);
    }
}

static void stats_conns(struct client *self, struct mc_out *out)
{
    stats_listeners(out);
    for (struct client *c = server.clients; c; c = c->next) {
        if (c->proto != PROTO_MC) continue;
        char name[32];
        snprintf(name, sizeof(name), "%d:addr", c->fd);
        mc_compose_statf(out, name, "tcp:%s", c->addr);
        snprintf(name, sizeof(name), "%d:listen_addr", c->fd);
        mc_compose_statf(out, name, "tcp:%s", c->laddr);
        snprintf(name, sizeof(name), "%d:state", c->fd);
        mc_compose_stat(out, name, c == self ? "conn_parse_cmd" : "conn_waiting");
        snprintf(name, sizeof(name), "%d:secs_since_last_cmd", c->fd);
        mc_compose_stat_i64(out, name, (server.now_ms - c->last_ms) / 1000);
    }
}

static void stats_reset(void)
{
    memset(&mc_stat, 0, sizeof(mc_stat));
    base.connections = server.stat.numconnections;
    base.rejected = server.stat.rejected_conn;
    base.in_bytes = server.stat.net_input_bytes;
    base.out_bytes = server.stat.net_output_bytes;
    base.evicted = server.stat.evictedkeys;
    base.expired = server.stat.expiredkeys;
}

static bool tok_is(const struct mc_token *t, const char *s)
{
    return t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

/* stats detail on|off|dump: prefix stats are not kept, so dump is empty. */
static void stats_detail(struct mc_out *out, const struct mc_request *req)
{
    if (req->ntok >= 3 && (tok_is(&req->tok[2], "on") || tok_is(&req->tok[2], "off")))
        mc_compose_line(out, "OK");
    else if (req->ntok >= 3 && tok_is(&req->tok[2], "dump"))
        mc_compose_line(out, "END");
    else
        mc_compose_line(out, "CLIENT_ERROR usage: stats detail on|off|dump");
}

void mc_stats_execute(struct client *c, struct mc_out *out, const struct mc_request *req)
{
    const struct mc_token *sub = req->ntok > 1 ? &req->tok[1] : NULL;

    if (sub == NULL) {
        stats_process(out);
        stats_commands(out);
        stats_memory(out);
    } else if (tok_is(sub, "reset")) {
        stats_reset();
        mc_compose_line(out, "RESET");
        return;
    } else if (tok_is(sub, "detail")) {
        stats_detail(out, req);
        return;
    } else if (tok_is(sub, "settings")) {
        stats_settings(out);
    } else if (tok_is(sub, "items")) {
        stats_items(out);
    } else if (tok_is(sub, "slabs")) {
        stats_slabs(out);
    } else if (tok_is(sub, "sizes")) {
        mc_compose_stat(out, "sizes_status", "disabled");
    } else if (tok_is(sub, "conns")) {
        stats_conns(c, out);
    } else if (tok_is(sub, "cachedump")) {
        mc_compose_line(out, "CLIENT_ERROR stats cachedump not allowed");
        return;
    } else {
        mc_compose_line(out, "ERROR");
        return;
    }
    mc_compose_line(out, "END");
}
