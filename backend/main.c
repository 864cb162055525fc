/* backend/main: shoal-server's command line: an optional config file, then
 * --directive value pairs (as redis-server takes them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoal_config.h"

#include "backend/config.h"
#include "backend/server.h"
#include "lib/log.h"

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: shoal-server [/path/to/shoal.conf] [--option value ...]\n"
        "       shoal-server --help | --version\n"
        "\n"
        "A Shoal storage node: Redis-compatible (RESP2/RESP3) commands on one keyspace,\n"
        "with expiry and eviction. The config file holds 'option value' lines\n"
        "(redis.conf style); command-line options override it.\n"
        "\n"
        "Options (name, meaning, default):\n");
    config_print_help(out);
    fprintf(out,
        "\nExamples:\n"
        "  shoal-server --port 7000 --maxmemory 1gb --maxmemory-policy allkeys-lru\n"
        "  shoal-server conf/shoal.conf --loglevel verbose\n");
}

int main(int argc, char **argv)
{
    config_set_defaults();
    int first = 1;
    if (argc >= 2) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0) {
            printf("shoal-server v=%s (Redis %s compatible)\n", PACKAGE_VERSION, SHOAL_VERSION);
            return 0;
        }
    }
    char err[1024];
    if (argc >= 2 && argv[1][0] != '-') {
        server.config_file = argv[1];
        if (config_load_file(argv[1], err, sizeof(err)) < 0) {
            fprintf(stderr, "*** FATAL CONFIG FILE ERROR ***\n%s\n", err);
            return 1;
        }
        first = 2;
    }
    if (config_load_args(argc - first, argv + first, err, sizeof(err)) < 0) {
        fprintf(stderr, "*** FATAL CONFIG ERROR ***\n%s\nRun 'shoal-server --help' for the options.\n", err);
        return 1;
    }
    if (server.cfg.dir && server.cfg.dir[0] && chdir(server.cfg.dir) < 0) {
        fprintf(stderr, "Can't chdir to '%s': ", server.cfg.dir);
        perror(NULL);
        return 1;
    }
    enum log_level lvl = log_get_level();
    log_setup(server.cfg.logfile, lvl);
    if (server.cfg.daemonize && daemon(1, 0) < 0) {
        perror("daemon");
        return 1;
    }
    log_notice("Shoal node starting: shoal-server v=%s pid=%d", PACKAGE_VERSION, (int)getpid());
    if (server.config_file) log_notice("Configuration loaded from %s", server.config_file);
    config_log_nondefault();
    if (server_init() < 0) {
        log_crit("Could not start: see the errors above");
        return 1;
    }
    server_run();
    server_shutdown();
    log_teardown();
    return 0;
}
