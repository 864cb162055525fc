/* backend/dispatch: from a parsed request to its handler. The handler
 * table is expanded from compat/cmd.def; this file owns the checks every
 * command passes first (existence, arity, auth, memory). */
#ifndef SHOAL_DISPATCH_H
#define SHOAL_DISPATCH_H

struct client;

typedef void cmd_handler(struct client *c);

/* Runs the request in c->argv. */
void dispatch_command(struct client *c);
/* Runs c->argv without the checks and without propagating it (loading
 * persistence files: propagate_replay). -1 if the command is unknown or
 * has the wrong number of arguments. */
int dispatch_replay(struct client *c);

/* Every handler, declared from cmd.def. */
#define CMD(id, name, arity, flags, first, last, step, merge) void cmd_##id(struct client *c);
#define SUB(parent, id, name, arity, flags, first, last, step) void cmd_##parent##_##id(struct client *c);
#include "compat/cmd.def"
#undef CMD
#undef SUB

#endif
