/* tests/fuzz/fuzz_nc_conf: compat/nutcracker_conf on arbitrary YAML, then
 * what shoal-proxy does with an accepted file: look each pool up by name,
 * hand its servers to compat/ketama (dist_build, as proxy/pool.c does) and
 * route a few hashes.  Not resumable (a file is read whole), so no split:
 * the checks are the error contract (0 and a conf, or -1, no conf and a
 * "name:line: reason" message), the pools' invariants, and the
 * sanitizers. */
#include "compat/ketama.h"
#include "compat/nutcracker_conf.h"
#include "tests/fuzz/fuzz.h"

static void check_pool(const struct nc_conf *c, const struct nc_pool *p)
{
    FUZZ_CHECK(p->name != NULL && nc_conf_pool(c, p->name) != NULL);
    FUZZ_CHECK(p->nservers >= 0 && (p->nservers == 0 || p->servers != NULL));
    FUZZ_CHECK((p->listen_host != NULL) != (p->listen_unix != NULL));
    FUZZ_CHECK(p->listen_perm >= 0 && p->listen_perm <= 0777);
    FUZZ_CHECK(strlen(p->hash_tag) == 0 || strlen(p->hash_tag) == 2);
    struct dist_server *ds = calloc((size_t)p->nservers + 1, sizeof *ds);
    if (ds == NULL) abort();
    for (int i = 0; i < p->nservers; i++) {
        const struct nc_server *s = &p->servers[i];
        FUZZ_CHECK(s->weight >= 1);
        FUZZ_CHECK((s->host != NULL) != (s->unix_path != NULL));
        FUZZ_CHECK(s->unix_path != NULL || (s->port >= 1 && s->port <= 65535));
        nc_server_to_dist(s, 1, &ds[i]);
        char id[64];
        FUZZ_CHECK(dist_server_id(&ds[i], id, sizeof id) >= 0);
    }
    struct dist *d = dist_build((enum dist_type)p->distribution, ds, p->nservers);
    FUZZ_CHECK((d != NULL) == (p->nservers > 0));
    for (uint32_t h = 0; d != NULL && h < 8; h++) {
        int s = dist_route(d, h * 0x20000001u);
        FUZZ_CHECK(s >= 0 && s < p->nservers);
    }
    dist_destroy(&d);
    free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy without a terminating NUL: ASan sees any read past len */
    char *text = malloc(size ? size : 1);
    if (text == NULL) abort();
    memcpy(text, data, size);
    struct nc_conf *c = (struct nc_conf *)1;
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = nc_conf_parse(text, size, "fuzz.yml", &c, err, sizeof err);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1 && c == NULL);
        FUZZ_CHECK(strncmp(err, "fuzz.yml:", 9) == 0);
    } else {
        FUZZ_CHECK(c != NULL && c->npools > 0);
        for (int i = 0; i < c->npools; i++) check_pool(c, &c->pools[i]);
        nc_conf_destroy(&c);
        FUZZ_CHECK(c == NULL);
    }
    free(text);
    return 0;
}
