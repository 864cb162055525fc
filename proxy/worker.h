/* proxy/worker: one thread, one event_base (no locks), its clients and its
 * own view of every pool (its connections to every server).
 *
 * Workers share listening sockets: each has an evconnlistener on every
 * pool's fd and the kernel gives each connection to one of them; from then
 * on the connection belongs to that worker only.  The main thread talks to
 * a worker through a pipe (a new config on SIGHUP, stop); the stats reader
 * only loads counters and snapshot histograms (proxy/stats). */
#ifndef SHOAL_PROXY_WORKER_H
#define SHOAL_PROXY_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "compat/mc_text.h"
#include "compat/resp.h"
#include "proxy/stats.h"

struct conf;
struct wpool;
struct client;
struct event_base;
struct event;
struct hist;
struct pconn;
struct nconn;
struct evbuffer;

struct worker {
    int id;
    pthread_t thread;
    struct event_base *base;
    int notify[2];              /* main -> worker pipe */
    struct event *notify_ev;
    struct event *tick_ev;      /* histogram snapshots */
    struct conf *conf;          /* the generation this worker serves */
    struct wpool *pools;        /* live and retired */
    struct client *clients;
    uint64_t next_client_id;
    uint64_t curr_connections, total_connections;   /* stats (atomic) */
    struct mc_limits mc_lim;
    struct resp_limits resp_lim;
    pthread_mutex_t snap_lock;  /* guards the snapshot below */
    struct worker_snap *snap;
    struct pconn *flush_head;   /* connections with output to write, in the */
    struct pconn *flush_tail;   /* order they got it (pconn.h) */
    bool draining;              /* shutting down: no new clients or requests */
    bool finished;              /* its loop has ended (atomic; main reads it) */
    struct nconn *coal_head;    /* server connections with an open get line (coalesce.h) */
    struct evbuffer *coal_scratch;
};

/* What readers see of a worker: its counters and histograms, copied once
 * per tick for the pools of the conf it serves. */
struct worker_snap {
    struct conf *conf;          /* generation (a reference) */
    struct pool_stats *pool_st;         /* [pool idx] */
    struct server_stats **server_st;    /* [pool idx][server idx] */
    struct hist **pool_lat;
    struct hist ***server_lat;
};

extern struct worker **workers;
extern int nworkers;

/* Start n workers serving conf; returns 0 or -1. */
int workers_start(int n, struct conf *conf);
/* Hand a new config to every worker (SIGHUP). */
void workers_reload(struct conf *conf);
/* Graceful stop, first half: every worker stops accepting and reading new
 * requests, answers those it has read, closes each client once its replies
 * are out, and ends its loop when it has no client left. */
void workers_drain(void);
/* Have all workers ended their loops (drained)? */
bool workers_finished(void);
/* Stop now: clients still connected are closed; then free the workers. */
void workers_stop(void);

/* The wpool of pool index i in w's current config (NULL if none). */
struct wpool *worker_wpool(struct worker *w, int pool_idx);

#endif
