/* backend/t_string.c: STUB, being written. */
#include "backend/dispatch.h"
#include "backend/reply.h"
#include "backend/server.h"

void cmd_get(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_set(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_setnx(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_setex(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_psetex(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_mget(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_mset(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_msetnx(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_incr(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_decr(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_incrby(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_decrby(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_incrbyfloat(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_append(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_strlen(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_getrange(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_substr(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_setrange(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_getdel(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_getex(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_getset(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_setbit(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_getbit(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_bitcount(struct client *c) { reply_error(c, "not implemented yet"); }
