/* proxy/pool: a pool as configured (struct pool, immutable once built and
 * shared read-only by every worker) and each worker's live view of it
 * (struct wpool: its connections to every server, ejection state and the
 * distribution built over the servers it considers alive, its counters).
 *
 * The split keeps the request path lock-free: a worker only ever writes its
 * own wpool.  Ejection is per worker as a consequence (each worker counts
 * the failures it sees and rebuilds its own continuum), which converges to
 * the same live set when a node is really down.  A reload builds new pools;
 * workers move clients to the wpool of the same name and retire the old
 * ones once nothing refers to them. */
#ifndef SHOAL_PROXY_POOL_H
#define SHOAL_PROXY_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "compat/ketama.h"
#include "proxy/stats.h"

enum proxy_proto {
    PROTO_MC = 1,
    PROTO_RESP = 2,
    PROTO_BOTH = 3,     /* two listeners, `listen` and `redis_listen` */
    PROTO_RESP3 = 4,    /* a RESP client after HELLO 3, and the node
                         * connections opened for such clients (HELLO 3) */
};

/* Which of a wserver's connection sets a protocol uses. */
enum wserver_slot { WS_RESP = 0, WS_MC = 1, WS_RESP3 = 2, WS_NSLOTS = 3 };

struct pool_server {
    char *name;         /* twemproxy's server name (the ketama ID, stats key) */
    char *pname;        /* the config line's address part: "host:port:weight" */
    char *host;         /* host, or the socket path */
    int port;           /* 0 for a unix socket */
    int mc_port;        /* protocol both: where Memcached requests go */
    int weight;
    char addr[300];     /* "host:port" (or the path), for ROUTE replies */
    struct sockaddr_storage ss[2];   /* [0] RESP/main port, [1] mc_port */
    socklen_t sslen[2];
    /* server_tls: the name sent (SNI) and verified, NULL for none (a unix
     * socket with verification off); tls_name_ip: it is an IP address,
     * verified as one, and no SNI is sent */
    char *tls_name;
    bool tls_name_ip;
};

/* A listening socket opened by the main thread, shared by every worker's
 * evconnlistener (the kernel hands each connection to one of them).  The
 * confs that list it and the workers listening on it hold references; a
 * pool only points at it (a retired pool accepts nothing). */
struct pool_listener {
    int fd;
    char *addr;         /* as configured, to match on reload */
    int refs;           /* atomic */
};

struct pool {
    int refs;           /* atomic: the conf plus every wpool built on it */
    char *name;
    int idx;
    int proto;          /* enum proxy_proto */
    /* Listeners: [0] `listen` (Memcached for a both pool), [1] the RESP
     * `redis_listen` of a both pool; proto says what each one speaks. */
    char *listen[2];
    struct pool_listener *listener[2];
    int listen_proto[2];
    struct ssl_ctx_st *tls_ctx;     /* `tls: true`: the listeners' TLS context (owned) */
    struct ssl_ctx_st *server_tls_ctx;  /* `server_tls: true`: the client context
                                         * of the node connections (owned) */
    int hash;           /* enum hash_type */
    char hash_tag[3];
    int dist;           /* enum dist_type */
    int timeout;        /* ms, 0 = none */
    int backlog;
    int client_connections;   /* 0 = unlimited */
    bool preconnect;
    char *redis_auth;
    int redis_db;
    int server_connections;
    bool auto_eject;
    int retry_timeout;        /* ms */
    int failure_limit;
    bool tcpkeepalive;
    struct pool_server *servers;
    int nservers;
};

void pool_ref(struct pool *p);
void pool_unref(struct pool **p);
void pool_listener_ref(struct pool_listener *l);
void pool_listener_unref(struct pool_listener **l);

struct worker;
struct nconn;

/* One server as one worker sees it. */
struct wserver {
    struct wpool *wp;
    struct pool_server *ps;
    int idx;
    /* [WS_RESP], [WS_MC], [WS_RESP3]: server_connections each.  RESP3
     * clients get their own connections, opened lazily with HELLO 3, so
     * their replies pass through as the node gives them in RESP3 and RESP2
     * clients' replies stay untouched (no conversion either way). */
    struct nconn **conns[WS_NSLOTS];
    int failures;             /* consecutive, toward server_failure_limit */
    int64_t ejected_until;    /* monotonic us; 0 = in the continuum */
    struct server_stats st;
    struct hist *lat;         /* request latency, us */
    struct ssl_session_st *tls_session;   /* server_tls: the last session, offered
                                           * on reconnect (resumption) */
};

struct wpool {
    struct pool *pool;
    struct worker *w;
    struct wserver *servers;
    struct dist *dist;        /* over the servers not ejected; NULL if none */
    int64_t next_retry;       /* earliest ejected_until, 0 if none */
    struct evconnlistener *lev[2];
    struct pool_listener *lref[2];   /* the sockets lev listens on */
    int refs;                 /* clients and requests still using it */
    bool retired;             /* replaced by a reload */
    struct wpool *next;       /* the worker's list */
    struct pool_stats st;
    struct hist *lat;
};

struct wpool *wpool_create(struct worker *w, struct pool *p);
void wpool_destroy(struct wpool **wp);
/* Free the worker's listeners of this pool (retire, destroy). */
void wpool_stop_listening(struct wpool *wp);
/* Drop a reference; a retired wpool with none left is destroyed (from the
 * event loop, never under the caller's feet). */
void wpool_unref(struct wpool *wp);

/* Failure accounting (connection error, eof, timeout) and success. */
void wpool_server_failed(struct wserver *ws);
void wpool_server_ok(struct wserver *ws);
/* Re-admit ejected servers whose retry time has come; rebuilds the dist. */
void wpool_check_retry(struct wpool *wp, int64_t now_us);

#endif
