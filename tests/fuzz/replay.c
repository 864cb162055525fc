/* tests/fuzz/replay: a main() for a fuzz target without libFuzzer, so the
 * committed corpus and every crash regression input run in `make check`
 * with gcc, as unit tests do.
 *
 *     tests/unit/test_fuzz_<target> [DIR|FILE]...
 *
 * Without arguments it replays FUZZ_CORPUS_DIR (set at build time to
 * tests/fuzz/corpus/<target>).  Each file runs in a child process, so an
 * input that aborts (a failed check, a sanitizer report) or hangs (10 s)
 * counts as one failure and the rest still run; files are taken in name
 * order.  The last line is "N passed, N failed", like tests/unit/unit.h. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define REPLAY_TIMEOUT_S 10

static int replay_passed, replay_failed;

static int replay_read(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    size_t cap = 4096, len = 0, n;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) abort();
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            buf = realloc(buf, cap *= 2);
            if (buf == NULL) abort();
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = len;
    return 0;
}

/* Runs one input in a child; returns 0 if it came back normally. */
static int replay_one(const char *path)
{
    uint8_t *data;
    size_t size;
    if (replay_read(path, &data, &size) != 0) {
        fprintf(stderr, "[err] %s: cannot read\n", path);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        alarm(REPLAY_TIMEOUT_S);
        LLVMFuzzerTestOneInput(data, size);
        _exit(0);
    }
    free(data);
    int st;
    if (waitpid(pid, &st, 0) < 0) {
        perror("waitpid");
        exit(2);
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFSIGNALED(st))
        fprintf(stderr, "[err] %s: %s\n", path,
                WTERMSIG(st) == SIGALRM ? "timeout" : strsignal(WTERMSIG(st)));
    else
        fprintf(stderr, "[err] %s: exit status %d\n", path, WEXITSTATUS(st));
    return -1;
}

static void replay_count(const char *path)
{
    if (replay_one(path) == 0) replay_passed++;
    else replay_failed++;
}

static int replay_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir (not recursive), in name order. */
static void replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "[err] %s: cannot open\n", dir);
        replay_failed++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (names == NULL) abort();
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) abort();
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n > 0) qsort(names, n, sizeof *names, replay_name_cmp);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) replay_count(names[i]);
        free(names[i]);
    }
    free(names);
}

static void replay_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) replay_dir(path);
    else replay_count(path);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
#ifdef FUZZ_CORPUS_DIR
        replay_path(FUZZ_CORPUS_DIR);
#else
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
#endif
    }
    for (int i = 1; i < argc; i++) replay_path(argv[i]);
    /* an empty corpus tests nothing: that is a failure, not a pass */
    if (replay_passed + replay_failed == 0) {
        fprintf(stderr, "[err] no inputs found\n");
        replay_failed++;
    }
    printf("%d passed, %d failed\n", replay_passed, replay_failed);
    return replay_failed ? 1 : 0;
}
