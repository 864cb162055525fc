/* backend/cmd_server.c: STUB, being written. */
#include "backend/dispatch.h"
#include "backend/reply.h"
#include "backend/server.h"

void cmd_ping(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_echo(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_hello(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_auth(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_select(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_quit(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_reset(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_id(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_setname(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_getname(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_list(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_kill(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_info(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_client_help(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_info(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_dbsize(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_flushdb(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_flushall(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_get(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_set(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_resetstat(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_config_help(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_command(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_time(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_shutdown(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_encoding(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_refcount(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_idletime(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_freq(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_object_help(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_memory_usage(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_memory_stats(struct client *c) { reply_error(c, "not implemented yet"); }
void cmd_memory_help(struct client *c) { reply_error(c, "not implemented yet"); }
