/* backend/cmd_server: helpers the connection command families share
 * (HELLO and AUTH check credentials, HELLO SETNAME and CLIENT SETNAME name a
 * client). The handlers themselves are declared by dispatch.h. */
#ifndef SHOAL_CMD_SERVER_H
#define SHOAL_CMD_SERVER_H

struct client;
struct arg;

/* 1 if user/pass authenticate (only the "default" user exists; without
 * requirepass it has no password). */
int srv_check_credentials(const struct arg *user, const struct arg *pass);
/* Validates and sets (empty: clears) the client's name; on a bad name
 * replies with Redis's error and returns -1. */
int srv_set_client_name(struct client *c, const struct arg *name);

#endif
