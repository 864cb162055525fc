/* lib/log: one line per event, "pid:role dd Mon yyyy hh:mm:ss.mmm <level> msg",
 * the shape redis users grep for. Writes are unbuffered single write() calls
 * so lines from several threads do not interleave. */
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static char *log_path;
static enum log_level log_level = LOG_LEVEL_NOTICE;

static const char *level_names[] = {"crit", "warning", "notice", "verbose", "debug"};
static const char level_marks[] = {'#', '#', '*', '-', '.'};

void log_setup(const char *path, enum log_level level)
{
    log_level = level;
    free(log_path);
    log_path = (path && *path) ? strdup(path) : NULL;
    log_reopen();
}

void log_reopen(void)
{
    if (log_path == NULL) {
        if (log_fd > 2) close(log_fd);
        log_fd = 2;
        return;
    }
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "can't open log file %s: %s\n", log_path, strerror(errno));
        return;
    }
    if (log_fd > 2) close(log_fd);
    log_fd = fd;
}

void log_teardown(void)
{
    if (log_fd > 2) close(log_fd);
    log_fd = 2;
    free(log_path);
    log_path = NULL;
}

void log_set_level(enum log_level level) { log_level = level; }
enum log_level log_get_level(void) { return log_level; }

const char *log_level_name(enum log_level level)
{
    return level <= LOG_LEVEL_DEBUG ? level_names[level] : "unknown";
}

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i <= LOG_LEVEL_DEBUG; i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    if (strcasecmp(s, "warn") == 0) { *out = LOG_LEVEL_WARN; return 0; }
    if (strcasecmp(s, "verb") == 0) { *out = LOG_LEVEL_VERB; return 0; }
    return -1;
}

void log_write(enum log_level level, const char *fmt, ...)
{
    if (level > log_level) return;
    char line[4096];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%d:M ", (int)getpid());
    n += (int)strftime(line + n, sizeof(line) - (size_t)n, "%d %b %Y %H:%M:%S", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03d %c ",
                  (int)(tv.tv_usec / 1000), level_marks[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) m = 0;
    n += m;
    if (n > (int)sizeof(line) - 2) n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    ssize_t w = write(log_fd, line, (size_t)n);
    (void)w;
}
