/* backend/mc_meta: executes the meta commands (mg ms md ma mn me) parsed by
 * compat/mc_meta, as memcached 1.6.18 does. */
#ifndef SHOAL_BACKEND_MC_META_H
#define SHOAL_BACKEND_MC_META_H

struct mc_out;
struct mc_meta_request;

/* Executes a request that parsed (PARSE_OK); the reply goes to `out`. */
void mc_meta_execute(struct mc_out *out, const struct mc_meta_request *m);

#endif
