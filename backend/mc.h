/* backend/mc: the Memcached protocol (classic text and meta) on the node's
 * keyspace. A client accepted on mc-port has proto PROTO_MC; networking.c
 * hands its input here instead of to the RESP parser. */
#ifndef SHOAL_MC_H
#define SHOAL_MC_H

struct client;

/* Parses and executes every complete request in c->qbuf[qpos..qlen),
 * advancing c->qpos; replies go to the client's output buffer (reply_raw). */
void mc_process_input(struct client *c);
/* Frees c->proto_state. */
void mc_client_free(struct client *c);

#endif
