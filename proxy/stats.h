/* proxy/stats: the proxy's counters, twemproxy's names first (so nutcracker
 * dashboards keep working), plus fragment_errors and latency histograms.
 *
 * Counters live per worker and are written only by that worker's thread
 * with relaxed atomic stores (a plain store on x86), so the request path
 * takes no lock; readers (the stats port, `stats`, INFO) sum the workers
 * with relaxed loads.  Histograms are not atomic: each worker copies its
 * own into a snapshot under a mutex once a second, outside the request
 * path, and readers merge the snapshots. */
#ifndef SHOAL_PROXY_STATS_H
#define SHOAL_PROXY_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/hist.h"

/* twemproxy's pool codec, then ours. */
#define POOL_STATS(X) \
    X(client_eof, "# eof on client connections") \
    X(client_err, "# errors on client connections") \
    X(client_connections, "# active client connections") \
    X(server_ejects, "# times backend server was ejected") \
    X(forward_error, "# times we encountered a forwarding error") \
    X(fragments, "# fragments created from a multi-vector request") \
    X(fragment_errors, "# multi-key requests answered with some keys failed") \
    X(requests, "# requests from clients") \
    X(local_replies, "# requests answered by the proxy itself") \
    X(gets_joined, "# Memcached gets sent on another request's get line") \
    X(client_tls_errors, "# TLS client handshakes failed or certificates refused") \
    X(blocking_connections, "# open server connections dedicated to clients' blocking commands")

/* twemproxy's server codec. */
#define SERVER_STATS(X) \
    X(server_eof, "# eof on server connections") \
    X(server_err, "# errors on server connections") \
    X(server_timedout, "# timeouts on server connections") \
    X(server_tls_errors, "# TLS handshakes with the server failed or its certificate refused") \
    X(server_connections, "# active server connections") \
    X(server_ejected_at, "timestamp when server was ejected in usec since epoch") \
    X(requests, "# requests") \
    X(request_bytes, "total request bytes") \
    X(responses, "# responses") \
    X(response_bytes, "total response bytes") \
    X(in_queue, "# requests in incoming queue") \
    X(in_queue_bytes, "current request bytes in incoming queue") \
    X(out_queue, "# requests in outgoing queue") \
    X(out_queue_bytes, "current request bytes in outgoing queue")

#define STATS_FIELD(name, help) uint64_t name;
struct pool_stats { POOL_STATS(STATS_FIELD) };
struct server_stats { SERVER_STATS(STATS_FIELD) };
#undef STATS_FIELD

/* Writer side (the owning worker only). */
#define STAT_ADD(field, n) \
    __atomic_store_n(&(field), (field) + (uint64_t)(n), __ATOMIC_RELAXED)
#define STAT_INC(field) STAT_ADD(field, 1)
#define STAT_DEC(field) STAT_ADD(field, -1)
#define STAT_SET(field, v) __atomic_store_n(&(field), (uint64_t)(v), __ATOMIC_RELAXED)
#define STAT_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Latency histograms: microseconds, 3 significant digits, up to 60 s. */
struct hist *stats_hist_create(void);

struct conf;
struct worker;

/* Worker side, once per tick and on a new conf: copy w's figures into
 * its snapshot.  stats_snap_free at exit. */
void stats_snapshot(struct worker *w);
void stats_snap_free(struct worker *w);

/* Process start (for uptime); called once by main. */
void stats_setup(void);

/* twemproxy's JSON (one object, pools inside, servers inside pools), with
 * p50/p99/p999 latency added per pool and per server, for conf's pools.
 * Caller frees (free()). */
char *stats_json(struct conf *conf, size_t *len);
/* Memcached `stats` (STAT name value ... END) and the RESP INFO text, for
 * the proxy's own figures.  Caller frees (free()). */
char *stats_mc_text(struct conf *conf, size_t *len);
char *stats_info_text(struct conf *conf, size_t *len);

#endif
