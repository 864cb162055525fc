/* compat/cmd: the command descriptors expanded from cmd.def, shared by the
 * node (dispatch, COMMAND INFO) and the proxy (keys, merge policy). */
#ifndef SHOAL_CMD_H
#define SHOAL_CMD_H

#include <stddef.h>
#include <stdint.h>

enum cmd_flag {
    CMD_WRITE     = 1 << 0,
    CMD_READONLY  = 1 << 1,
    CMD_DENYOOM   = 1 << 2,
    CMD_ADMIN     = 1 << 3,
    CMD_NOAUTH    = 1 << 4,   /* allowed before AUTH */
    CMD_FAST      = 1 << 5,
    CMD_STALE     = 1 << 6,
    CMD_CONTAINER = 1 << 7,   /* dispatches on its first argument */
    CMD_BLOCKING  = 1 << 8,
    CMD_PUBSUB    = 1 << 9,
    CMD_NOSCRIPT  = 1 << 10,
    CMD_LOADING   = 1 << 11,
};

enum cmd_merge {
    MERGE_NONE = 0,
    MERGE_ARRAY,
    MERGE_SUM,
    MERGE_OK,
    MERGE_LOCAL,
    MERGE_DENY,
};

enum cmd_id {
#define CMD(id, name, arity, flags, first, last, step, merge) CMD_ID_##id,
#define SUB(parent, id, name, arity, flags, first, last, step) CMD_ID_##parent##_##id,
#include "compat/cmd.def"
#undef CMD
#undef SUB
    CMD_ID__COUNT
};

struct cmd_desc {
    enum cmd_id id;
    const char *name;       /* "setname" */
    const char *fullname;   /* "client|setname" (as error texts name it) */
    int arity;
    uint32_t flags;
    int first_key, last_key, key_step;
    enum cmd_merge merge;
    int parent;             /* cmd_id of the container, or -1 */
};

extern const struct cmd_desc cmd_table[CMD_ID__COUNT];

/* A forwarded-only command (cmd.def FWD): where its keys are. */
enum cmd_fwd_route {
    FWD_KEYS,      /* first_key..last_key by key_step, as a CMD's */
    FWD_STORE,     /* the key at 1, and the one after STORE / STOREDIST */
    FWD_NUMKEYS,   /* numkeys at 1, the keys after it (ZINTERCARD) */
    FWD_STREAMS,   /* the first half of what follows STREAMS (XREAD[GROUP]) */
};

struct cmd_fwd {
    const char *name;
    int arity;
    int first_key, last_key, key_step;
    enum cmd_fwd_route route;
};

/* Forwarded-only command by name, case-insensitive; NULL if none. */
const struct cmd_fwd *cmd_lookup_fwd(const char *name, size_t len);

/* Top-level command by name, case-insensitive; NULL if unknown. */
const struct cmd_desc *cmd_lookup(const char *name, size_t len);
/* Subcommand of a container, case-insensitive; NULL if unknown. */
const struct cmd_desc *cmd_lookup_sub(const struct cmd_desc *parent, const char *name, size_t len);
/* Number of top-level commands (COMMAND COUNT). */
int cmd_top_count(void);
/* Writes the flag names of a command into out (up to max); returns count. */
int cmd_flag_names(uint32_t flags, const char **out, int max);
/* Arity check as Redis does it. */
static inline int cmd_arity_ok(const struct cmd_desc *d, int argc)
{
    return d->arity > 0 ? argc == d->arity : argc >= -d->arity;
}

#endif
