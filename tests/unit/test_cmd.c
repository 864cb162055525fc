/* tests/unit/test_cmd: compat/cmd's two tables from cmd.def: the commands
 * (CMD/SUB) found by name in any case, and the forwarded-only ones (FWD),
 * which must never shadow or be shadowed by a command the node runs. */
#include "compat/cmd.h"
#include "tests/unit/unit.h"

#include <string.h>

static const struct cmd_desc *look(const char *s) { return cmd_lookup(s, strlen(s)); }
static const struct cmd_fwd *fwd(const char *s) { return cmd_lookup_fwd(s, strlen(s)); }

TEST(lookup_any_case_whole_names_only)
{
    CHECK(look("get") && look("get")->id == CMD_ID_get);
    CHECK(look("GeT") == look("get"));
    CHECK(look("ge") == NULL);
    CHECK(look("gets") == NULL);
    CHECK(cmd_lookup("getx", 3) == look("get"));        /* len bounds the name */
    const struct cmd_desc *client = look("client");
    CHECK(client && (client->flags & CMD_CONTAINER));
    const struct cmd_desc *sub = cmd_lookup_sub(client, "SETNAME", 7);
    CHECK(sub && sub->id == CMD_ID_client_setname);
    CHECK_EQ_STR(sub->fullname, "client|setname");
    CHECK(look("setname") == NULL);                      /* a subcommand is not top-level */
}

TEST(fwd_lookup)
{
    const struct cmd_fwd *f = fwd("PFCOUNT");
    CHECK(f != NULL);
    CHECK_EQ_STR(f->name, "pfcount");
    CHECK_EQ_INT(f->arity, -2);
    CHECK_EQ_INT(f->first_key, 1);
    CHECK_EQ_INT(f->last_key, -1);
    CHECK_EQ_INT(f->route, FWD_KEYS);
    CHECK(fwd("xread") && fwd("xread")->route == FWD_STREAMS);
    CHECK(fwd("xreadgroup") && fwd("xreadgroup")->route == FWD_STREAMS);
    CHECK(fwd("georadius") && fwd("georadius")->route == FWD_STORE);
    CHECK(fwd("georadius_ro") && fwd("georadius_ro")->route == FWD_KEYS);
    CHECK(fwd("zintercard") && fwd("zintercard")->route == FWD_NUMKEYS);
    CHECK(fwd("bitop") && fwd("bitop")->first_key == 2);
    CHECK(fwd("pfad") == NULL);
    CHECK(fwd("pfaddx") == NULL);
    CHECK(cmd_lookup_fwd("pfaddx", 5) != NULL);          /* len bounds the name */
    CHECK(fwd("") == NULL);
    CHECK(fwd("get") == NULL);                           /* the node's commands are not FWD */
    /* a name with a NUL inside (RESP allows it) is no command, and is not
     * read past: strncasecmp stops at the NUL, the length must not */
    CHECK(cmd_lookup_fwd("pfadd\0xyzw", 10) == NULL);
    CHECK(cmd_lookup("get\0xyzwvu", 10) == NULL);
}

/* Every FWD name is unknown to the main table (else the proxy would never
 * reach it) and routable: a key position inside the arity, or a route
 * that finds the keys itself. */
TEST(fwd_entries_are_disjoint_and_sane)
{
    static const char *const names[] = {
        "pfadd", "pfcount", "pfmerge", "geoadd", "geodist", "geohash", "geopos", "georadius",
        "georadius_ro", "georadiusbymember", "georadiusbymember_ro", "geosearch",
        "geosearchstore", "bitpos", "bitfield", "bitfield_ro", "bitop", "lcs", "dump", "restore",
        "zintercard", "xadd", "xdel", "xlen", "xrange", "xrevrange", "xtrim", "xack", "xclaim",
        "xautoclaim", "xpending", "xsetid", "xgroup", "xinfo", "xread", "xreadgroup",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct cmd_fwd *f = fwd(names[i]);
        CHECK(f != NULL);
        if (f == NULL) continue;
        CHECK(look(names[i]) == NULL);
        int min_argc = f->arity > 0 ? f->arity : -f->arity;
        if (f->route == FWD_KEYS || f->route == FWD_STORE) {
            CHECK(f->first_key >= 1 && f->key_step >= 1);
            CHECK(f->first_key < min_argc || !strcmp(names[i], "xgroup") || !strcmp(names[i], "xinfo"));
        } else {
            CHECK_EQ_INT(f->first_key, 0);
        }
    }
}

int main(void)
{
    RUN(lookup_any_case_whole_names_only);
    RUN(fwd_lookup);
    RUN(fwd_entries_are_disjoint_and_sane);
    return unit_done();
}
