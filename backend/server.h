/* backend/server: the node's global state (configuration values, counters,
 * the event base) and the client structure. The event loop itself and the
 * client I/O live in networking.c; this header is what command handlers
 * need, and deliberately not more. */
#ifndef SHOAL_SERVER_H
#define SHOAL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "compat/cmd.h"
#include "compat/resp.h"

struct event_base;
struct event;
struct evconnlistener;
struct db;
struct entry;
struct block_state;

#define SHOAL_VERSION "7.0.15"        /* the Redis version whose behaviour we follow */
#define SHOAL_SERVER_NAME "shoal"

enum maxmemory_policy {
    MAXMEMORY_NOEVICTION = 0,
    MAXMEMORY_ALLKEYS_LRU,
    MAXMEMORY_VOLATILE_LRU,
    MAXMEMORY_ALLKEYS_LFU,
    MAXMEMORY_VOLATILE_LFU,
    MAXMEMORY_ALLKEYS_RANDOM,
    MAXMEMORY_VOLATILE_RANDOM,
    MAXMEMORY_VOLATILE_TTL,
};

/* Configuration values; backend/config.c holds the table that names them. */
struct server_config {
    long long port;
    char *bind;
    char *unixsocket;
    long long unixsocketperm;
    long long tcp_backlog;
    long long tcp_keepalive;
    long long timeout;
    long long databases;
    long long maxclients;
    long long hz;
    char *dir;
    char *logfile;
    char *loglevel;
    char *pidfile;
    char *requirepass;
    long long maxmemory;
    int maxmemory_policy;
    long long maxmemory_samples;
    long long maxmemory_eviction_tenacity;
    long long lfu_log_factor;
    long long lfu_decay_time;
    long long active_expire_effort;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    char *client_output_buffer_limit;   /* "normal <hard> <soft> <secs>" parsed into: */
    long long obuf_hard, obuf_soft, obuf_soft_secs;
    long long list_max_listpack_size;   /* quicklist node limit (t_list.c) */
    long long list_compress_depth;      /* accepted, nodes are never compressed */
    long long mc_port;
    long long item_size_max;            /* memcached -I */
    long long set_max_intset_entries;
    long long hash_max_listpack_entries;
    long long hash_max_listpack_value;
    long long zset_max_listpack_entries;
    long long zset_max_listpack_value;
    int daemonize;
    int protected_mode;
    int active_expire_enabled;          /* DEBUG SET-ACTIVE-EXPIRE */
    /* persistence (backend/rdb.c, backend/aof.c) */
    int appendonly;
    int appendfsync;                    /* enum aof_fsync */
    char *appendfilename;
    char *dbfilename;
    char *save;                         /* "<seconds> <changes> ..." */
    int rdbcompression;
    int rdbchecksum;
    int aof_load_truncated;
    long long auto_aof_rewrite_percentage;
    long long auto_aof_rewrite_min_size;
    int stop_writes_on_bgsave_error;
    /* TLS listeners (lib/tls.c, networking.c) */
    long long tls_port;
    long long tls_mc_port;
    char *tls_cert_file;
    char *tls_key_file;
    char *tls_ca_cert_file;
    int tls_auth_clients;               /* enum tls_auth */
};

struct server_stats {
    long long numcommands;
    long long numconnections;
    long long rejected_conn;
    long long expiredkeys;
    long long evictedkeys;
    long long keyspace_hits;
    long long keyspace_misses;
    long long net_input_bytes;
    long long net_output_bytes;
    long long total_error_replies;
    long long client_qbuf_limit_disconnections;
    long long client_obuf_limit_disconnections;
    long long cmd_calls[CMD_ID__COUNT];
    long long cmd_usec[CMD_ID__COUNT];
    long long cmd_failed[CMD_ID__COUNT];
    /* instantaneous ops/sec samples */
    long long ops_sample_time, ops_sample_count;
    long long ops_samples[16];
    int ops_sample_idx;
};

struct server {
    struct server_config cfg;
    struct server_stats stat;
    struct event_base *base;
    struct evconnlistener *listeners[16];
    int nlisteners;
    struct event *cron_ev;
    struct event *signal_evs[4];
    int64_t now_ms;          /* cached at each event; what expiry compares */
    int64_t cmd_clock_us;    /* end of the last command of this batch; 0 between events */
    uint32_t lruclock;       /* seconds, 24 bits */
    int64_t start_ms;
    long long dirty;         /* writes since start (persistence will reset it) */
    uint64_t cas_counter;
    uint64_t next_client_id;
    int nclients;
    struct client *clients;  /* all clients, a doubly linked list */
    struct client *current;  /* the client whose command is running */
    char *config_file;
    char run_id[41];
    int shutdown_asap;
    int tcp_port_bound;
    long long cronloops;
    int loading;
    /* the one persistence child at a time (BGSAVE or AOF rewrite) */
    int child_pid;                      /* -1 when none */
    int child_type;                     /* enum child_type */
    long long stat_fork_usec, stat_total_forks;
};

extern struct server server;

enum client_flag {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0,
    CLIENT_CLOSE_ASAP        = 1 << 1,
    CLIENT_AUTHENTICATED     = 1 << 2,
    CLIENT_WRITE_PENDING     = 1 << 3,
    CLIENT_UNIX_SOCKET       = 1 << 4,
    CLIENT_NO_REPLY          = 1 << 5,   /* replies suppressed (CLIENT REPLY OFF, later) */
    CLIENT_BLOCKED           = 1 << 6,   /* waiting on keys (blocking.c): input not executed */
    CLIENT_TLS               = 1 << 7,   /* connected to tls-port / tls-mc-port */
    CLIENT_READ_WANTS_WRITE  = 1 << 8,   /* a TLS read needs the socket writable first */
};

enum client_proto {
    PROTO_RESP = 0,     /* Redis clients on `port` */
    PROTO_MC,           /* Memcached text/meta clients on `mc-port` */
};

struct client;
/* How a client's bytes move: plain read()/write() or TLS (networking.c).
 * read and write return as read(2)/write(2) do, EAGAIN when they must
 * wait; pending says how many decrypted bytes are buffered already. */
struct client_io {
    long (*read)(struct client *c, void *buf, size_t len);
    long (*write)(struct client *c, const void *buf, size_t len);
    size_t (*pending)(struct client *c);
};

struct arg {
    const char *p;
    size_t len;
};

struct client {
    uint64_t id;
    int fd;
    int flags;
    int resp;                   /* 2 or 3 */
    enum client_proto proto;
    void *proto_state;          /* the codec's per-connection state (mc.c) */
    struct db *db;
    struct event *rev, *wev;
    const struct client_io *io;
    struct ssl_st *ssl;         /* TLS clients only */
    /* input */
    char *qbuf;
    size_t qlen, qpos, qcap;
    size_t qbuf_peak;
    struct resp_parser parser;
    int argc;
    struct arg *argv;
    int argv_cap;
    struct arg argv_small[RESP_ARGV_INITIAL];
    const struct cmd_desc *cmd, *lastcmd;
    struct block_state *bstate; /* while CLIENT_BLOCKED (blocking.c) */
    /* output */
    char *obuf;
    size_t olen, opos, ocap;
    int64_t obuf_soft_since_ms;
    /* identity */
    char *name;
    char addr[64];
    char laddr[64];
    int64_t ctime_ms, last_ms;
    struct client *prev, *next;
};

enum child_type { CHILD_NONE = 0, CHILD_RDB, CHILD_AOF };

int server_init(void);
/* Forks the persistence child: returns 0 in the child, its pid in the
 * parent, -1 when a child already runs or fork failed. While it runs the
 * parent pauses dict resizes (copy-on-write stays small); the cron reaps
 * it and calls rdb_child_done / aof_child_done. */
int server_fork(int type);
/* What SHUTDOWN (and SIGTERM) must do before the node exits: end a
 * running child, flush the AOF, save a snapshot when asked (save_mode:
 * 0 = if save points are configured, 1 = always (SAVE), -1 = never
 * (NOSAVE)). -1 when the save failed and force is not set. */
int server_prepare_shutdown(int save_mode, int force);
void server_run(void);
void server_shutdown(void);
long long server_instantaneous_ops(void);

/* The request's argument i. */
static inline const struct arg *client_arg(const struct client *c, int i) { return &c->argv[i]; }

#endif
