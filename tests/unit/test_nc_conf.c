/* tests/unit/test_nc_conf: compat/nutcracker_conf. Twemproxy's README
 * configuration and conf/nutcracker.yml are accepted with the values they
 * say; every key parses and lands in its field; defaults are twemproxy's;
 * each kind of bad input is rejected with "file:line: reason" naming the
 * right line. Which inputs are bad was checked with Debian's
 * `nutcracker -t -c` (0.5.0) where it has an opinion. */
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "compat/hashkit.h"
#include "compat/ketama.h"
#include "compat/nutcracker_conf.h"

#ifndef CONF_DIR
#define CONF_DIR "conf"
#endif

static char err[512];

static struct nc_conf *parse(const char *text)
{
    struct nc_conf *c = NULL;
    int rc = nc_conf_parse(text, strlen(text), "t.yml", &c, err, sizeof(err));
    if (rc != 0) printf("  unexpected error: %s\n", err);
    CHECK_EQ_INT(rc, 0);
    CHECK((rc == 0) == (c != NULL));
    return c;
}

/* Rejected, on that line, with a message containing `why`. */
static void reject(const char *text, int line, const char *why, int src_line)
{
    struct nc_conf *c = (struct nc_conf *)1;
    char prefix[32];
    int rc = nc_conf_parse(text, strlen(text), "t.yml", &c, err, sizeof(err));
    snprintf(prefix, sizeof(prefix), "t.yml:%d: ", line);
    int ok = rc == -1 && c == NULL && strncmp(err, prefix, strlen(prefix)) == 0 &&
             strstr(err, why) != NULL;
    if (!ok)
        printf("  line %d: rc %d, error \"%s\", wanted \"%s...%s\"\n", src_line, rc, err,
               prefix, why);
    CHECK(ok);
    if (rc == 0) nc_conf_destroy(&c);
}
#define REJECT(text, line, why) reject(text, line, why, __LINE__)

/* The example configuration of twemproxy's README (0.5.0). */
static const char readme_yml[] =
    "alpha:\n"
    "  listen: 127.0.0.1:22121\n"
    "  hash: fnv1a_64\n"
    "  distribution: ketama\n"
    "  auto_eject_hosts: true\n"
    "  redis: true\n"
    "  server_retry_timeout: 2000\n"
    "  server_failure_limit: 1\n"
    "  servers:\n"
    "   - 127.0.0.1:6379:1\n"
    "\n"
    "beta:\n"
    "  listen: 127.0.0.1:22122\n"
    "  hash: fnv1a_64\n"
    "  hash_tag: \"{}\"\n"
    "  distribution: ketama\n"
    "  auto_eject_hosts: false\n"
    "  timeout: 400\n"
    "  redis: true\n"
    "  servers:\n"
    "   - 127.0.0.1:6380:1 server1\n"
    "   - 127.0.0.1:6381:1 server2\n"
    "   - 127.0.0.1:6382:1 server3\n"
    "   - 127.0.0.1:6383:1 server4\n"
    "\n"
    "gamma:\n"
    "  listen: 127.0.0.1:22123\n"
    "  hash: fnv1a_64\n"
    "  distribution: ketama\n"
    "  timeout: 400\n"
    "  backlog: 1024\n"
    "  preconnect: true\n"
    "  auto_eject_hosts: true\n"
    "  server_retry_timeout: 2000\n"
    "  server_failure_limit: 3\n"
    "  servers:\n"
    "   - 127.0.0.1:11212:1\n"
    "   - 127.0.0.1:11213:1\n"
    "\n"
    "delta:\n"
    "  listen: 127.0.0.1:22124\n"
    "  hash: fnv1a_64\n"
    "  distribution: ketama\n"
    "  timeout: 100\n"
    "  auto_eject_hosts: true\n"
    "  server_retry_timeout: 2000\n"
    "  server_failure_limit: 1\n"
    "  servers:\n"
    "   - 127.0.0.1:11214:1\n"
    "   - 127.0.0.1:11215:1\n"
    "   - 127.0.0.1:11216:1\n"
    "   - 127.0.0.1:11217:1\n"
    "   - 127.0.0.1:11218:1\n"
    "   - 127.0.0.1:11219:1\n"
    "   - 127.0.0.1:11220:1\n"
    "   - 127.0.0.1:11221:1\n"
    "   - 127.0.0.1:11222:1\n"
    "   - 127.0.0.1:11223:1\n"
    "\n"
    "omega:\n"
    "  listen: /tmp/gamma 0666\n"
    "  hash: hsieh\n"
    "  distribution: ketama\n"
    "  auto_eject_hosts: false\n"
    "  servers:\n"
    "   - 127.0.0.1:11214:100000\n"
    "   - 127.0.0.1:11215:1\n";

TEST(readme_config)
{
    struct nc_conf *c = parse(readme_yml);
    if (c == NULL) return;
    CHECK_EQ_INT(c->npools, 5);
    static const char *names[] = {"alpha", "beta", "gamma", "delta", "omega"};
    for (int i = 0; i < 5 && i < c->npools; i++) CHECK_EQ_STR(c->pools[i].name, names[i]);

    const struct nc_pool *a = nc_conf_pool(c, "alpha");
    CHECK_EQ_STR(a->listen_host, "127.0.0.1");
    CHECK_EQ_INT(a->listen_port, 22121);
    CHECK(a->listen_unix == NULL);
    CHECK_EQ_INT(a->hash, HASH_FNV1A_64);
    CHECK_EQ_INT(a->distribution, DIST_KETAMA);
    CHECK_EQ_INT(a->auto_eject_hosts, 1);
    CHECK_EQ_INT(a->redis, 1);
    CHECK_EQ_INT(a->protocol, NC_PROTO_REDIS);
    CHECK_EQ_INT(a->server_retry_timeout, 2000);
    CHECK_EQ_INT(a->server_failure_limit, 1);
    CHECK_EQ_INT(a->timeout, -1);
    CHECK_EQ_INT(a->line, 1);
    CHECK_EQ_INT(a->nservers, 1);
    CHECK_EQ_STR(a->servers[0].host, "127.0.0.1");
    CHECK_EQ_INT(a->servers[0].port, 6379);
    CHECK_EQ_INT(a->servers[0].weight, 1);
    CHECK(a->servers[0].name == NULL);
    CHECK_EQ_INT(a->servers[0].line, 10);

    const struct nc_pool *b = nc_conf_pool(c, "beta");
    CHECK_EQ_STR(b->hash_tag, "{}");
    CHECK_EQ_INT(b->timeout, 400);
    CHECK_EQ_INT(b->auto_eject_hosts, 0);
    CHECK_EQ_INT(b->nservers, 4);
    CHECK_EQ_STR(b->servers[0].name, "server1");
    CHECK_EQ_STR(b->servers[3].name, "server4");
    CHECK_EQ_INT(b->servers[3].port, 6383);

    const struct nc_pool *g = nc_conf_pool(c, "gamma");
    CHECK_EQ_INT(g->backlog, 1024);
    CHECK_EQ_INT(g->preconnect, 1);
    CHECK_EQ_INT(g->redis, 0);
    CHECK_EQ_INT(g->protocol, NC_PROTO_MEMCACHE);
    CHECK_EQ_INT(g->server_failure_limit, 3);

    const struct nc_pool *d = nc_conf_pool(c, "delta");
    CHECK_EQ_INT(d->nservers, 10);
    CHECK_EQ_INT(d->servers[9].port, 11223);
    CHECK_EQ_INT(d->timeout, 100);

    const struct nc_pool *o = nc_conf_pool(c, "omega");
    CHECK(o->listen_host == NULL);
    CHECK_EQ_STR(o->listen_unix, "/tmp/gamma");
    CHECK_EQ_INT(o->listen_perm, 0666);
    CHECK_EQ_INT(o->hash, HASH_HSIEH);
    CHECK_EQ_INT(o->servers[0].weight, 100000);
    CHECK(nc_conf_pool(c, "epsilon") == NULL);
    nc_conf_destroy(&c);
    CHECK(c == NULL);
}

TEST(defaults)
{
    struct nc_conf *c = parse("p:\n  listen: 0.0.0.0:1\n  servers:\n   - h:2:1\n");
    if (c == NULL) return;
    const struct nc_pool *p = &c->pools[0];
    CHECK_EQ_INT(p->hash, HASH_FNV1A_64);
    CHECK_EQ_STR(p->hash_tag, "");
    CHECK_EQ_INT(p->distribution, DIST_KETAMA);
    CHECK_EQ_INT(p->timeout, -1);
    CHECK_EQ_INT(p->backlog, 512);
    CHECK_EQ_INT(p->client_connections, 0);
    CHECK_EQ_INT(p->preconnect, 0);
    CHECK_EQ_INT(p->redis, 0);
    CHECK(p->redis_auth == NULL);
    CHECK_EQ_INT(p->redis_db, 0);
    CHECK_EQ_INT(p->server_connections, 1);
    CHECK_EQ_INT(p->auto_eject_hosts, 0);
    CHECK_EQ_INT(p->server_retry_timeout, 30000);
    CHECK_EQ_INT(p->server_failure_limit, 2);
    CHECK_EQ_INT(p->tcpkeepalive, 0);
    CHECK_EQ_INT(p->reuseport, 0);
    CHECK_EQ_INT(p->protocol, NC_PROTO_MEMCACHE);
    CHECK_EQ_INT(p->workers, 0);
    CHECK_EQ_INT(p->listen_perm, 0);
    CHECK(p->redis_listen_host == NULL && p->redis_listen_unix == NULL);
    CHECK_EQ_INT(p->tls, 0);
    CHECK(p->tls_cert_file == NULL && p->tls_key_file == NULL && p->tls_ca_cert_file == NULL);
    CHECK_EQ_INT(p->tls_auth_clients, NC_TLS_AUTH_NO);
    CHECK_EQ_INT(p->tls_line, 0);
    CHECK_EQ_INT(p->tls_handshake_timeout, 10000);
    CHECK_EQ_INT(p->server_tls, 0);
    CHECK_EQ_INT(p->server_tls_verify, 1);
    CHECK(p->server_tls_ca_cert_file == NULL && p->server_tls_cert_file == NULL &&
          p->server_tls_key_file == NULL && p->server_tls_server_name == NULL);
    CHECK_EQ_INT(p->server_tls_line, 0);
    nc_conf_destroy(&c);
}

/* Every key, set to a value other than its default. */
TEST(every_key)
{
    struct nc_conf *c = parse(
        "all:\n"
        "  listen: cache.example:7000\n"
        "  hash: murmur\n"
        "  hash_tag: $$\n"
        "  distribution: modula\n"
        "  timeout: 0\n"
        "  backlog: 4096\n"
        "  client_connections: 100\n"
        "  redis: true\n"
        "  redis_auth: s3cret pass\n"
        "  redis_db: 3\n"
        "  preconnect: true\n"
        "  auto_eject_hosts: true\n"
        "  server_connections: 4\n"
        "  server_retry_timeout: 500\n"
        "  server_failure_limit: 7\n"
        "  tcpkeepalive: true\n"
        "  reuseport: true\n"
        "  workers: 6\n"
        "  servers:\n"
        "   - 10.0.0.1:6379:2\n");
    if (c == NULL) return;
    const struct nc_pool *p = &c->pools[0];
    CHECK_EQ_STR(p->listen_host, "cache.example");
    CHECK_EQ_INT(p->listen_port, 7000);
    CHECK_EQ_INT(p->hash, HASH_MURMUR);
    CHECK_EQ_STR(p->hash_tag, "$$");
    CHECK_EQ_INT(p->distribution, DIST_MODULA);
    CHECK_EQ_INT(p->timeout, 0);
    CHECK_EQ_INT(p->backlog, 4096);
    CHECK_EQ_INT(p->client_connections, 100);
    CHECK_EQ_INT(p->redis, 1);
    CHECK_EQ_INT(p->protocol, NC_PROTO_REDIS);
    CHECK_EQ_STR(p->redis_auth, "s3cret pass");
    CHECK_EQ_INT(p->redis_db, 3);
    CHECK_EQ_INT(p->preconnect, 1);
    CHECK_EQ_INT(p->auto_eject_hosts, 1);
    CHECK_EQ_INT(p->server_connections, 4);
    CHECK_EQ_INT(p->server_retry_timeout, 500);
    CHECK_EQ_INT(p->server_failure_limit, 7);
    CHECK_EQ_INT(p->tcpkeepalive, 1);
    CHECK_EQ_INT(p->reuseport, 1);
    CHECK_EQ_INT(p->workers, 6);
    CHECK_EQ_INT(p->servers[0].weight, 2);
    nc_conf_destroy(&c);

    /* each hash and distribution name */
    for (int h = 0; h < HASH__COUNT; h++)
        for (int d = 0; d < 3; d++) {
            char text[256];
            snprintf(text, sizeof(text), "p:\n  listen: h:1\n  hash: %s\n  distribution: %s\n"
                     "  servers:\n   - h:2:1\n", hash_type_name((enum hash_type)h),
                     dist_type_name((enum dist_type)d));
            c = parse(text);
            if (c == NULL) continue;
            CHECK_EQ_INT(c->pools[0].hash, h);
            CHECK_EQ_INT(c->pools[0].distribution, d);
            nc_conf_destroy(&c);
        }
}

TEST(servers)
{
    struct nc_conf *c = parse(
        "p:\n"
        "  listen: /run/shoal.sock\n"
        "  servers:\n"
        "   - 127.0.0.1:11211:1\n"
        "   - 10.0.0.2:11212:3 cache-b\n"
        "   - /var/run/memcached.sock:2\n"
        "   - /var/run/mc2.sock:1 local\n"
        "   - ::1:6379:1\n"
        "   - memcache.example.com:11211:5\n"
        "   - 10.0.0.9:11211:1 10.0.0.9:11211\n");
    if (c == NULL) return;
    const struct nc_pool *p = &c->pools[0];
    CHECK_EQ_STR(p->listen_unix, "/run/shoal.sock");
    CHECK_EQ_INT(p->listen_perm, 0);
    CHECK_EQ_INT(p->nservers, 7);
    static const char *ids[7] = {
        "127.0.0.1", "cache-b", "/var/run/memcached.sock:", "local", "::1:6379",
        "memcache.example.com", "10.0.0.9:11211"};
    for (int i = 0; i < 7 && i < p->nservers; i++) {
        struct dist_server ds;
        char id[128];
        nc_server_to_dist(&p->servers[i], 1, &ds);
        dist_server_id(&ds, id, sizeof(id));
        CHECK_EQ_STR(id, ids[i]);
        CHECK_EQ_INT(p->servers[i].line, 4 + i);
    }
    const struct nc_server *s = p->servers;
    CHECK_EQ_STR(s[1].host, "10.0.0.2");
    CHECK_EQ_INT(s[1].port, 11212);
    CHECK_EQ_INT(s[1].weight, 3);
    CHECK(s[2].host == NULL);
    CHECK_EQ_STR(s[2].unix_path, "/var/run/memcached.sock");
    CHECK_EQ_INT(s[2].port, 0);
    CHECK_EQ_INT(s[2].weight, 2);
    CHECK(s[2].name == NULL);
    CHECK_EQ_STR(s[3].unix_path, "/var/run/mc2.sock");
    CHECK_EQ_STR(s[3].name, "local");
    CHECK_EQ_STR(s[4].host, "::1");
    CHECK_EQ_INT(s[4].port, 6379);
    CHECK_EQ_STR(s[5].host, "memcache.example.com");
    CHECK_EQ_INT(s[5].weight, 5);
    struct dist_server ds;
    nc_server_to_dist(&s[2], 0, &ds);
    CHECK_EQ_STR(ds.host, "/var/run/memcached.sock");
    CHECK_EQ_INT(ds.port, 0);
    CHECK_EQ_INT(ds.alive, 0);
    nc_conf_destroy(&c);
}

TEST(extensions)
{
    struct nc_conf *c = parse(
        "both:\n"
        "  listen: 127.0.0.1:22121\n"
        "  protocol: both\n"
        "  redis_listen: 127.0.0.1:22122\n"
        "  redis_auth: pw\n"
        "  servers:\n"
        "   - 127.0.0.1:7000:1\n"
        "mc:\n"
        "  listen: 127.0.0.1:22123\n"
        "  protocol: memcache\n"
        "  redis: false\n"
        "  servers:\n"
        "   - 127.0.0.1:7001:1\n"
        "rd:\n"
        "  listen: /tmp/rd.sock 600\n"
        "  protocol: redis\n"
        "  servers:\n"
        "   - 127.0.0.1:7002:1\n");
    if (c == NULL) return;
    CHECK_EQ_INT(c->pools[0].protocol, NC_PROTO_BOTH);
    CHECK_EQ_INT(c->pools[0].redis, 1);
    CHECK_EQ_STR(c->pools[0].redis_listen_host, "127.0.0.1");
    CHECK_EQ_INT(c->pools[0].redis_listen_port, 22122);
    CHECK_EQ_STR(c->pools[0].redis_auth, "pw");
    CHECK_EQ_INT(c->pools[1].protocol, NC_PROTO_MEMCACHE);
    CHECK_EQ_INT(c->pools[1].redis, 0);
    CHECK_EQ_INT(c->pools[2].protocol, NC_PROTO_REDIS);
    CHECK_EQ_INT(c->pools[2].redis, 1);
    CHECK_EQ_INT(c->pools[2].listen_perm, 0600);
    nc_conf_destroy(&c);
}

#define P "p:\n  listen: 127.0.0.1:22121\n"      /* lines 1-2 */
#define S "  servers:\n   - 127.0.0.1:11211:1\n"  /* two lines */

TEST(bad_values)
{
    REJECT(P "  timeout: abc\n" S, 3, "\"timeout\" is not a number: 'abc'");
    REJECT(P "  timeout: -1\n" S, 3, "\"timeout\" is not a number");
    REJECT(P "  backlog: +5\n" S, 3, "\"backlog\" is not a number");
    REJECT(P "  backlog: 1.5\n" S, 3, "\"backlog\" is not a number");
    REJECT(P "  client_connections: 99999999999\n" S, 3, "out of range");
    REJECT(P "  server_connections: 0\n" S, 3, "\"server_connections\" is out of range (1 to");
    REJECT(P "  redis: yes\n" S, 3, "\"redis\" is not \"true\" or \"false\": 'yes'");
    REJECT(P "  preconnect: True\n" S, 3, "\"preconnect\" is not \"true\" or \"false\"");
    REJECT(P "  hash: fnv1a\n" S, 3, "\"hash\" is not a valid hash: 'fnv1a'");
    REJECT(P "  distribution: consistent\n" S, 3, "is not a valid distribution");
    REJECT(P "  hash_tag: \"{\"\n" S, 3, "two characters");
    REJECT(P "  hash_tag: \"{}}\"\n" S, 3, "two characters");
    REJECT(P "  redis_auth: ''\n  redis: true\n" S, 3, "\"redis_auth\" has an empty value");
    REJECT(P "  timeout:\n" S, 3, "\"timeout\" has an empty value");
    REJECT(P "  protocol: http\n" S, 3, "\"protocol\" is not memcache, redis or both");
    REJECT(P "  workers: many\n" S, 3, "\"workers\" is not a number");
    REJECT(P "  workers: 257\n" S, 3, "\"workers\" is out of range (0 to 256)");
    REJECT(P "  hash: [md5]\n" S, 3, "\"hash\" must be a single value");
    REJECT(P "  timeout:\n    a: 1\n" S, 4, "\"timeout\" must be a single value");
}

TEST(bad_listen)
{
    REJECT("p:\n  listen: 127.0.0.1\n" S, 2, "invalid \"hostname:port\" format");
    REJECT("p:\n  listen: :22121\n" S, 2, "invalid \"hostname:port\" format");
    REJECT("p:\n  listen: 127.0.0.1:0\n" S, 2, "invalid port");
    REJECT("p:\n  listen: 127.0.0.1:70000\n" S, 2, "invalid port");
    REJECT("p:\n  listen: 127.0.0.1:http\n" S, 2, "invalid port");
    REJECT("p:\n  listen: /tmp/s.sock 0999\n" S, 2, "invalid file permission");
    REJECT("p:\n  listen: /tmp/s.sock rw\n" S, 2, "invalid file permission");
    REJECT("p:\n  listen: /tmp/s.sock 1777\n" S, 2, "invalid file permission");
    REJECT("p:\n  servers:\n   - 127.0.0.1:11211:1\n", 1, "pool 'p': \"listen\" is missing");
}

TEST(bad_servers)
{
    REJECT(P "  servers:\n   - 127.0.0.1:11211:0\n", 4, "has a zero weight");
    REJECT(P "  servers:\n   - 127.0.0.1:11211\n", 4, "server '127.0.0.1:11211' has an invalid");
    REJECT(P "  servers:\n   - 127.0.0.1:11211:-1\n", 4, "invalid weight");
    REJECT(P "  servers:\n   - 127.0.0.1:0:1\n", 4, "invalid port");
    REJECT(P "  servers:\n   - 127.0.0.1:70000:1\n", 4, "invalid port");
    REJECT(P "  servers:\n   - localhost\n", 4, "invalid \"hostname:port:weight [name]\"");
    REJECT(P "  servers:\n   - 127.0.0.1:11211:1 a b\n", 4, "invalid weight");
    REJECT(P "  servers:\n   - '127.0.0.1:11211:1 '\n", 4, "empty name");
    REJECT(P "  servers:\n   - 127.0.0.1:1:1\n   - a: b\n", 5, "each server must be");
    REJECT(P "  servers: 127.0.0.1:11211:1\n", 3, "\"servers\" must be a list");
    REJECT(P "  servers:\n", 3, "\"servers\" must be a list");
    REJECT(P "  servers: []\n", 1, "pool 'p' has no servers");
    REJECT(P "  hash: md5\n", 1, "pool 'p' has no servers");
    /* same ketama ID twice: by name, or the same unnamed host:port */
    REJECT(P "  servers:\n   - h:1:1 a\n   - h:2:1 a\n", 5, "servers with same name 'a' (line 4)");
    REJECT(P "  servers:\n   - h:1:1\n   - h:1:2\n", 5, "servers with same name 'h:1'");
    REJECT(P "  servers:\n   - 10.0.0.1:11211:1\n   - 10.0.0.2:1:1 10.0.0.1\n", 5,
           "same name '10.0.0.1'");
}

TEST(bad_structure)
{
    REJECT(P "  foo: 1\n" S, 3, "pool 'p': unknown key \"foo\"");
    REJECT(P "  sentinels: 1\n" S, 3, "unknown key \"sentinels\"");
    REJECT(P "  timeout: 1\n  timeout: 2\n" S, 4, "\"timeout\" is a duplicate (first on line 3)");
    REJECT(P "  listen: 127.0.0.1:1\n" S, 3, "\"listen\" is a duplicate");
    REJECT(P S "p:\n  listen: 127.0.0.1:22122\n" S, 5, "has pools with same name 'p' (line 1)");
    REJECT(P S "q:\n  listen: 127.0.0.1:22121\n" S, 5,
           "pools 'p' and 'q' have the same listen address '127.0.0.1:22121'");
    REJECT("- a\n- b\n", 1, "must be a mapping of pool names");
    REJECT("p: 1\n", 1, "pool 'p' must be a mapping");
    REJECT("", 1, "has no pools");
    REJECT("# only a comment\n", 1, "has no pools");
    REJECT(P S "---\nq:\n  listen: 127.0.0.1:22122\n" S, 6, "only one YAML document");
    REJECT(P "  timeout: [1\n" S, 4, "YAML syntax");
    REJECT("p:\n  listen: a:1\n bad indent: 2\n", 3, "YAML syntax");
    REJECT("p:\n  listen: a:1\n  servers:\n   - h:1:1\n\t- h:2:1\n", 5, "YAML syntax");
}

TEST(protocol_rules)
{
    REJECT(P "  redis_auth: pw\n" S, 3, "\"redis_auth\" is only valid for a redis pool");
    REJECT(P "  protocol: memcache\n  redis_auth: pw\n" S, 4, "only valid for a redis pool");
    REJECT(P "  redis: true\n  protocol: memcache\n" S, 4,
           "\"protocol: memcache\" contradicts \"redis: true\" (line 3)");
    REJECT(P "  redis: false\n  protocol: redis\n" S, 4, "contradicts \"redis: false\"");
    REJECT(P "  protocol: both\n" S, 3, "\"protocol: both\" needs \"redis_listen\"");
    REJECT(P "  redis_listen: 127.0.0.1:22122\n" S, 3, "only valid with \"protocol: both\"");
    REJECT(P "  protocol: both\n  redis_listen: 127.0.0.1:22121\n" S, 1,
           "same listen address '127.0.0.1:22121'");
    REJECT(P "  protocol: both\n  redis_listen: nope\n" S, 4,
           "\"redis_listen\" has an invalid \"hostname:port\"");
}

/* The TLS extension: values land in their fields with their lines; the
 * files are kept as written (the proxy opens them). */
TEST(tls_keys)
{
    struct nc_conf *c = parse(
        "plain:\n"
        "  listen: 127.0.0.1:22121\n"
        "  servers:\n"
        "   - 127.0.0.1:7000:1 n1\n"
        "secure:\n"
        "  listen: 127.0.0.1:22131\n"
        "  protocol: both\n"
        "  redis_listen: 127.0.0.1:22132\n"
        "  tls: true\n"
        "  tls_cert_file: /etc/shoal/proxy.crt\n"
        "  tls_key_file: /etc/shoal/proxy.key\n"
        "  tls_ca_cert_file: /etc/shoal/ca.crt\n"
        "  tls_auth_clients: optional\n"
        "  servers:\n"
        "   - 127.0.0.1:7000:1 n1\n"
        "off:\n"
        "  listen: 127.0.0.1:22141\n"
        "  tls: false\n"
        "  tls_cert_file: a.crt\n"
        "  tls_auth_clients: yes\n"
        "  servers:\n"
        "   - 127.0.0.1:7000:1\n"
        "nocert:\n"
        "  listen: 127.0.0.1:22151\n"
        "  tls: true\n"
        "  tls_cert_file: a.crt\n"
        "  tls_key_file: a.key\n"
        "  tls_auth_clients: no\n"
        "  servers:\n"
        "   - 127.0.0.1:7000:1\n");
    if (c == NULL) return;
    const struct nc_pool *p = &c->pools[1];
    CHECK_EQ_INT(c->pools[0].tls, 0);
    CHECK_EQ_INT(p->tls, 1);
    CHECK_EQ_STR(p->tls_cert_file, "/etc/shoal/proxy.crt");
    CHECK_EQ_STR(p->tls_key_file, "/etc/shoal/proxy.key");
    CHECK_EQ_STR(p->tls_ca_cert_file, "/etc/shoal/ca.crt");
    CHECK_EQ_INT(p->tls_auth_clients, NC_TLS_AUTH_OPTIONAL);
    CHECK_EQ_INT(p->tls_line, 9);
    CHECK_EQ_INT(p->tls_cert_line, 10);
    CHECK_EQ_INT(p->tls_key_line, 11);
    CHECK_EQ_INT(p->tls_ca_line, 12);
    /* tls: false keeps the paths but turns TLS off; nothing else needed */
    CHECK_EQ_INT(c->pools[2].tls, 0);
    CHECK_EQ_STR(c->pools[2].tls_cert_file, "a.crt");
    CHECK_EQ_INT(c->pools[2].tls_auth_clients, NC_TLS_AUTH_YES);
    CHECK_EQ_INT(c->pools[3].tls, 1);
    CHECK(c->pools[3].tls_ca_cert_file == NULL);
    CHECK_EQ_INT(c->pools[3].tls_ca_line, 0);
    CHECK_EQ_INT(c->pools[3].tls_auth_clients, NC_TLS_AUTH_NO);
    nc_conf_destroy(&c);
}

#define T "  tls: true\n"                                      /* line 3 */
#define CK "  tls_cert_file: s.crt\n  tls_key_file: s.key\n"  /* two lines */

TEST(tls_rules)
{
    REJECT(P "  tls: yes\n" S, 3, "\"tls\" is not \"true\" or \"false\": 'yes'");
    REJECT(P T S, 3, "\"tls: true\" needs \"tls_cert_file\"");
    REJECT(P T "  tls_cert_file: s.crt\n" S, 3, "\"tls: true\" needs \"tls_key_file\"");
    REJECT(P T "  tls_key_file: s.key\n" S, 3, "\"tls: true\" needs \"tls_cert_file\"");
    REJECT(P T CK "  tls_auth_clients: yes\n" S, 6,
           "\"tls_auth_clients: yes\" needs \"tls_ca_cert_file\"");
    REJECT(P T CK "  tls_auth_clients: optional\n" S, 6,
           "\"tls_auth_clients: optional\" needs \"tls_ca_cert_file\"");
    REJECT(P T CK "  tls_auth_clients: true\n" S, 6,
           "\"tls_auth_clients\" is not no, yes or optional: 'true'");
    REJECT(P T CK "  tls_auth_clients: Yes\n" S, 6, "is not no, yes or optional");
    REJECT(P T "  tls_cert_file:\n  tls_key_file: s.key\n" S, 4,
           "\"tls_cert_file\" has an empty value");
    REJECT(P T CK "  tls_cert_file: t.crt\n" S, 6, "\"tls_cert_file\" is a duplicate (first on line 4)");
    REJECT(P T CK "  tls_ca_cert_file: [a, b]\n" S, 6, "\"tls_ca_cert_file\" must be a single value");
    /* a forgotten tls: true is an error, not a plain-text listener */
    REJECT(P "  tls_cert_file: s.crt\n  tls_key_file: s.key\n" S, 3,
           "\"tls_cert_file\" needs \"tls: true\"");
    REJECT(P "  tls_auth_clients: no\n" S, 3, "\"tls_auth_clients\" needs \"tls: true\"");
    REJECT(P "  tls_ca_cert_file: ca.crt\n" S, 3, "\"tls_ca_cert_file\" needs \"tls: true\"");
}
#undef T
#undef CK

/* TLS towards the servers: values land in their fields with their lines. */
TEST(server_tls_keys)
{
    struct nc_conf *c = parse(
        "full:\n"
        "  listen: 127.0.0.1:22121\n"
        "  redis: true\n"
        "  server_tls: true\n"
        "  server_tls_ca_cert_file: /etc/shoal/nodes-ca.crt\n"
        "  server_tls_cert_file: /etc/shoal/proxy-client.crt\n"
        "  server_tls_key_file: /etc/shoal/proxy-client.key\n"
        "  server_tls_verify: false\n"
        "  server_tls_server_name: cache.internal\n"
        "  tls_handshake_timeout: 300\n"
        "  servers:\n"
        "   - 10.0.0.1:6380:1 n1\n"
        "   - /run/shoal.sock:1 n2\n"
        "bare:\n"
        "  listen: 127.0.0.1:22131\n"
        "  server_tls: true\n"
        "  tls_handshake_timeout: 0\n"
        "  servers:\n"
        "   - 127.0.0.1:7000:1\n"
        "off:\n"
        "  listen: 127.0.0.1:22141\n"
        "  server_tls: false\n"
        "  server_tls_cert_file: a.crt\n"
        "  servers:\n"
        "   - /run/x.sock:1\n"
        "unixok:\n"
        "  listen: 127.0.0.1:22151\n"
        "  server_tls: true\n"
        "  server_tls_verify: false\n"
        "  servers:\n"
        "   - /run/x.sock:1\n");
    if (c == NULL) return;
    const struct nc_pool *p = &c->pools[0];
    CHECK_EQ_INT(p->server_tls, 1);
    CHECK_EQ_STR(p->server_tls_ca_cert_file, "/etc/shoal/nodes-ca.crt");
    CHECK_EQ_STR(p->server_tls_cert_file, "/etc/shoal/proxy-client.crt");
    CHECK_EQ_STR(p->server_tls_key_file, "/etc/shoal/proxy-client.key");
    CHECK_EQ_INT(p->server_tls_verify, 0);
    CHECK_EQ_STR(p->server_tls_server_name, "cache.internal");
    CHECK_EQ_INT(p->tls_handshake_timeout, 300);
    CHECK_EQ_INT(p->server_tls_line, 4);
    CHECK_EQ_INT(p->server_tls_ca_line, 5);
    CHECK_EQ_INT(p->server_tls_cert_line, 6);
    CHECK_EQ_INT(p->server_tls_key_line, 7);
    CHECK_EQ_INT(p->tls, 0);
    const struct nc_pool *b = &c->pools[1];
    CHECK_EQ_INT(b->server_tls, 1);
    CHECK_EQ_INT(b->server_tls_verify, 1);
    CHECK(b->server_tls_ca_cert_file == NULL && b->server_tls_cert_file == NULL);
    CHECK_EQ_INT(b->server_tls_ca_line, 0);
    CHECK_EQ_INT(b->tls_handshake_timeout, 0);
    /* server_tls: false keeps the paths and checks nothing else */
    CHECK_EQ_INT(c->pools[2].server_tls, 0);
    CHECK_EQ_STR(c->pools[2].server_tls_cert_file, "a.crt");
    CHECK_EQ_INT(c->pools[3].server_tls, 1);
    nc_conf_destroy(&c);
}

#define T "  server_tls: true\n"                             /* line 3 */

TEST(server_tls_rules)
{
    REJECT(P "  server_tls: 1\n" S, 3, "\"server_tls\" is not \"true\" or \"false\": '1'");
    REJECT(P T "  server_tls_verify: no\n" S, 4,
           "\"server_tls_verify\" is not \"true\" or \"false\": 'no'");
    REJECT(P T "  server_tls_cert_file: c.crt\n" S, 4,
           "\"server_tls_cert_file\" needs \"server_tls_key_file\"");
    REJECT(P T "  server_tls_key_file: c.key\n" S, 4,
           "\"server_tls_key_file\" needs \"server_tls_cert_file\"");
    REJECT(P T "  server_tls_ca_cert_file:\n" S, 4, "\"server_tls_ca_cert_file\" has an empty value");
    REJECT(P T "  server_tls_server_name: a b\n" S, 4,
           "\"server_tls_server_name\" is not a host name: 'a b'");
    REJECT(P T "  server_tls: false\n" S, 4, "\"server_tls\" is a duplicate (first on line 3)");
    /* a unix socket has no host name to verify */
    REJECT(P T "  servers:\n   - /tmp/n.sock:1\n", 5, "needs \"server_tls_server_name\"");
    /* without server_tls: each of the others is an error */
    REJECT(P "  server_tls_ca_cert_file: ca.crt\n" S, 3,
           "\"server_tls_ca_cert_file\" needs \"server_tls: true\"");
    REJECT(P "  server_tls_cert_file: c.crt\n  server_tls_key_file: c.key\n" S, 3,
           "\"server_tls_cert_file\" needs \"server_tls: true\"");
    REJECT(P "  server_tls_key_file: c.key\n" S, 3, "\"server_tls_key_file\" needs");
    REJECT(P "  server_tls_verify: false\n" S, 3, "\"server_tls_verify\" needs \"server_tls: true\"");
    REJECT(P "  server_tls_server_name: n\n" S, 3, "\"server_tls_server_name\" needs");
    /* tls_handshake_timeout: a number of ms, with TLS on some side */
    REJECT(P "  tls_handshake_timeout: 100\n" S, 3,
           "\"tls_handshake_timeout\" needs \"tls: true\" or \"server_tls: true\"");
    REJECT(P T "  tls_handshake_timeout: 1s\n" S, 4, "\"tls_handshake_timeout\" is not a number");
    REJECT(P T "  tls_handshake_timeout: -1\n" S, 4, "is not a number");
    REJECT(P T "  tls_handshake_timeout: 2147483648\n" S, 4,
           "\"tls_handshake_timeout\" is out of range (0 to 2147483647)");
    struct nc_conf *c = parse(P "  tls: false\n  tls_handshake_timeout: 5\n" S);
    if (c) CHECK_EQ_INT(c->pools[0].tls_handshake_timeout, 5);
    nc_conf_destroy(&c);
}
#undef T

TEST(load_file)
{
    char path[] = "/tmp/test_nc_conf.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const char *text = P "  timeout: soon\n" S;
    CHECK_EQ_INT(write(fd, text, strlen(text)), strlen(text));
    close(fd);
    struct nc_conf *c = NULL;
    CHECK_EQ_INT(nc_conf_load(path, &c, err, sizeof(err)), -1);
    CHECK(c == NULL);
    char want[128];
    snprintf(want, sizeof(want), "%s:3: pool 'p': \"timeout\" is not a number: 'soon'", path);
    CHECK_EQ_STR(err, want);
    unlink(path);

    CHECK_EQ_INT(nc_conf_load(path, &c, err, sizeof(err)), -1);
    CHECK(strstr(err, path) != NULL && strstr(err, "cannot open") != NULL);

    /* the example shipped in conf/ */
    CHECK_EQ_INT(nc_conf_load(CONF_DIR "/nutcracker.yml", &c, err, sizeof(err)), 0);
    if (c == NULL) {
        printf("  %s\n", err);
        return;
    }
    CHECK_EQ_INT(c->npools, 2);
    int mc = 0, redis = 0;
    for (int i = 0; i < c->npools; i++) {
        mc += c->pools[i].protocol == NC_PROTO_MEMCACHE;
        redis += c->pools[i].protocol == NC_PROTO_REDIS;
    }
    CHECK_EQ_INT(mc, 1);
    CHECK_EQ_INT(redis, 1);
    nc_conf_destroy(&c);
    nc_conf_destroy(&c);    /* NULL-safe */
}

TEST(small_error_buffer)
{
    struct nc_conf *c = NULL;
    char small[12];
    const char *text = P "  timeout: x\n" S;
    CHECK_EQ_INT(nc_conf_parse(text, strlen(text), "t.yml", &c, small, sizeof(small)), -1);
    CHECK_EQ_INT(strlen(small), sizeof(small) - 1);
    CHECK_EQ_INT(nc_conf_parse(text, strlen(text), "t.yml", &c, NULL, 0), -1);
}

int main(void)
{
    RUN(readme_config);
    RUN(defaults);
    RUN(every_key);
    RUN(servers);
    RUN(extensions);
    RUN(bad_values);
    RUN(bad_listen);
    RUN(bad_servers);
    RUN(bad_structure);
    RUN(protocol_rules);
    RUN(tls_keys);
    RUN(tls_rules);
    RUN(server_tls_keys);
    RUN(server_tls_rules);
    RUN(load_file);
    RUN(small_error_buffer);
    return unit_done();
}
