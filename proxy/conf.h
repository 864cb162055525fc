/* proxy/conf: the proxy's configuration, loaded from twemproxy's YAML
 * (compat/nutcracker_conf parses the file; this turns each nc_pool into a
 * struct pool: addresses resolved, listeners bound by the main thread, the
 * TLS context of a `tls: true` pool built from its PEM files, and the
 * client context of a `server_tls: true` pool's node connections).
 * A conf is a generation: a reload builds a new one and workers switch to
 * it; listeners whose address did not change are carried over. */
#ifndef SHOAL_PROXY_CONF_H
#define SHOAL_PROXY_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct pool;

/* A `protocol: both` pool sends Memcached requests to each server's port
 * plus this offset (shoal-server's --mc-port; 100 by default). */
extern int conf_mc_port_offset;

struct conf {
    int refs;               /* atomic: main + every worker serving it */
    char *path;
    struct pool **pools;
    int npools;
    int workers;            /* from the file (`workers:`), 0 = unset */
};

/* Parse and validate path; with bind, also open the listeners (reusing the
 * ones of prev whose address is unchanged).  Returns 0, or -1 with err. */
int conf_load(const char *path, const struct conf *prev, bool bind,
              struct conf **out, char *err, size_t errlen);
void conf_ref(struct conf *c);
void conf_unref(struct conf **c);

#endif
