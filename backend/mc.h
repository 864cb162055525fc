/* backend/mc: the Memcached protocol (classic text and meta) on the node's
 * keyspace. A client accepted on mc-port has proto PROTO_MC; networking.c
 * hands its input here instead of to the RESP parser.
 *
 * Files: mc.c (the input loop and the classic commands), mc_meta.c (mg ms
 * md ma mn me), mc_stats.c (`stats`), mc_kv.c (memcached semantics on the
 * keyspace: items, CAS, expiry, flush_all).  Parsing and reply texts come
 * from compat/mc_text, compat/mc_meta and compat/mc_sem. */
#ifndef SHOAL_MC_H
#define SHOAL_MC_H

struct client;

/* Options of the Memcached listener (rows in config.c point here). */
struct mc_config {
    int shutdown_enabled;   /* mc-shutdown: memcached -A */
    int meta_new_flags;     /* mc-meta-new-flags: meta E and md x (newer than 1.6.18) */
    int flush_enabled;      /* mc-flush-all: memcached -F turns it off */
    int verbosity;          /* last `verbosity` level (only reported) */
};
extern struct mc_config mc_cfg;

/* The memcached release whose behaviour the node follows (VERSION, stats). */
#define MC_VERSION "1.6.18"

/* Parses and executes every complete request in c->qbuf[qpos..qlen),
 * advancing c->qpos; replies go to the client's output buffer (reply_raw). */
void mc_process_input(struct client *c);
/* Frees c->proto_state. */
void mc_client_free(struct client *c);

#endif
