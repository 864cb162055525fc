/* backend/networking: listeners, client connections, reading requests,
 * writing replies, and the limits that keep one client from hurting the
 * node (query buffer, output buffer, maxclients). */
#ifndef SHOAL_NETWORKING_H
#define SHOAL_NETWORKING_H

#include <stddef.h>

struct client;

/* Opens the RESP listeners (bind addresses x port, and unixsocket). */
int net_listen(void);
void net_close_listeners(void);
/* Frees a client now (not from inside its own command: use close_asap). */
void client_free(struct client *c);
/* Marks a client to be closed once control returns to the event loop. */
void client_close_asap(struct client *c);
/* Frees clients marked CLOSE_ASAP; called at the end of each event. */
void clients_free_pending(void);
/* Called by reply.c before the output buffer grows to `pending` bytes;
 * returns -1 (and schedules the close) if it would pass the limits. */
int client_check_obuf_limits(struct client *c, size_t pending);
/* A client left the blocked state (blocking.c): its reply is written and
 * the requests it buffered meanwhile run, on the next loop turn. */
void client_unblocked(struct client *c);
/* 1 while the client has more unsent replies than the backpressure mark:
 * a protocol loop stops executing requests then (networking.c resumes it
 * once the replies drain). */
int client_output_paused(const struct client *c);
/* Periodic client work: timeouts, soft-limit timers, buffer shrinking. */
void clients_cron(void);
/* CLIENT LIST / CLIENT INFO line for one client. */
size_t client_info_line(struct client *c, char *buf, size_t size);
/* Sets the client's database; -1 if out of range. */
int client_select_db(struct client *c, long long id);
/* Makes argv[] pointers for the parsed request (used by the dispatcher). */
void client_reset_request(struct client *c);

#endif
