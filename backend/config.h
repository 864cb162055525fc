/* backend/config: the options table of shoal-server. Every option is one
 * row in config.c (name, type, default, bounds, help); the config file,
 * the command line, CONFIG GET/SET and --help are all driven by it. */
#ifndef SHOAL_CONFIG_H
#define SHOAL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

/* Sets every option to its default. */
void config_set_defaults(void);
/* Applies one directive ("maxmemory", "100mb"); 0, or -1 with *err set to
 * a message (static or in errbuf). Used by the file, the command line and
 * CONFIG SET (from_client=1 refuses immutable options). */
int config_apply(const char *name, const char *value, int from_client, char *errbuf, size_t errlen);
/* Loads a redis.conf-style file; on error prints file:line and reason. */
int config_load_file(const char *path, char *errbuf, size_t errlen);
/* Parses argv (after the optional config file) of --name value pairs. */
int config_load_args(int argc, char **argv, char *errbuf, size_t errlen);
/* Calls fn for every option whose name matches the glob pattern. */
typedef void config_visit_fn(void *priv, const char *name, const char *value);
void config_get(const char *pattern, size_t plen, config_visit_fn *fn, void *priv);
/* Is this an option name (or alias)? */
int config_exists(const char *name);
/* Can CONFIG SET change it (known and not immutable)? */
int config_is_mutable(const char *name);
/* --help text: every option with its default and help line. */
void config_print_help(FILE *out);
/* Prints the effective configuration (for the log at start). */
void config_log_nondefault(void);

#endif
