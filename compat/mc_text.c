/* compat/mc_text: classic Memcached text protocol codec.  The parser follows
 * memcached 1.6.18's proto_text.c dispatch (first-letter branches, token
 * counts, the order of checks, which errors `noreply` hides) because clients
 * and the differential suite see those details; every rule that looks odd
 * was checked live against /usr/bin/memcached 1.6.18.  It never writes to the
 * input and keeps only pointers into it, so a request costs no allocation. */
#include "compat/mc_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/mc_sem.h"

void mc_limits_init(struct mc_limits *lim)
{
    lim->line_max = MC_LINE_MAX_DEFAULT;
    lim->item_size_max = MC_ITEM_SIZE_MAX_DEFAULT;
    lim->meta_new_flags = false;
}

/* try_read_command_ascii: with no '\n' in more than line_max bytes the
 * connection is closed, unless the line (after at most 100 spaces) starts
 * with "get " or "gets ": multigets may be unbounded.  Like memcached this
 * only looks at lines whose '\n' has not arrived yet. */
static bool mc_line_may_grow(const char *buf, size_t len)
{
    size_t i = 0;

    while (i < len && buf[i] == ' ')
        i++;
    if (i > 100)
        return false;
    return (len - i >= 4 && memcmp(buf + i, "get ", 4) == 0) ||
           (len - i >= 5 && memcmp(buf + i, "gets ", 5) == 0);
}

enum parse_result mc_line_find(const char *buf, size_t len,
                               const struct mc_limits *lim,
                               size_t *line_len, size_t *consumed)
{
    const char *el = memchr(buf, '\n', len);
    size_t n;

    if (el == NULL) {
        if (len > lim->line_max && !mc_line_may_grow(buf, len))
            return PARSE_ETOOBIG;
        return PARSE_AGAIN;
    }
    n = (size_t)(el - buf);
    *consumed = n + 1;
    /* memcached strips the '\r' only when the line has more than one byte
     * before '\n' (a lone "\r\n" stays "\r": still an ERROR). */
    if (n > 1 && buf[n - 1] == '\r')
        n--;
    *line_len = n;
    return PARSE_OK;
}

unsigned mc_tokenize(const char *p, size_t len, struct mc_token *tok,
                     unsigned keep, unsigned max)
{
    unsigned n = 0;
    size_t i = 0;

    while (i < len && n < max) {
        size_t s;
        while (i < len && p[i] == ' ')
            i++;
        if (i == len)
            break;
        s = i;
        while (i < len && p[i] != ' ')
            i++;
        if (n < keep) {
            tok[n].p = p + s;
            tok[n].len = i - s;
        }
        n++;
    }
    return n;
}

static bool mc_tok_is(const struct mc_token *t, const char *s)
{
    size_t n = strlen(s);
    return t->len == n && memcmp(t->p, s, n) == 0;
}

static enum parse_result mc_fail(struct mc_request *req, const char *err)
{
    req->err = err;
    return PARSE_EINVALID;
}

/* set_noreply_maybe(): only the last token can be "noreply". */
static void mc_noreply_maybe(struct mc_request *req, const char *line, size_t n)
{
    struct mc_token last;

    /* the last token is not necessarily among the kept ones */
    while (n > 0 && line[n - 1] == ' ')
        n--;
    last.len = 0;
    while (last.len < n && line[n - 1 - last.len] != ' ')
        last.len++;
    last.p = line + n - last.len;
    req->noreply = mc_tok_is(&last, "noreply");
}

static bool mc_key_too_long(const struct mc_token *t)
{
    return t->len > MC_KEY_MAX_LENGTH;
}

/* get/gets/gat/gats: every key is checked before anything is answered;
 * 1.6.18 answers only the CLIENT_ERROR for "get k <251 bytes>". */
static enum parse_result mc_parse_get(struct mc_request *req, const char *line,
                                      size_t n, bool touch)
{
    unsigned first = touch ? 2 : 1;
    size_t pos = 0;
    const char *k;
    size_t nk;

    if (touch && !mc_sem_strtol32(req->tok[1].p, req->tok[1].len, &req->exptime))
        return mc_fail(req, MC_ERR_BAD_EXPTIME);
    if (req->ntok > first) {
        req->keys = req->tok[first].p;
        req->keys_len = (size_t)(line + n - req->keys);
    } else {
        req->keys = line + n;
        req->keys_len = 0;
    }
    while (mc_text_key_next(req, &pos, &k, &nk)) {
        if (req->nkeys == 0) {
            req->key = k;
            req->nkey = nk;
        }
        req->nkeys++;
        if (nk > MC_KEY_MAX_LENGTH)
            return mc_fail(req, MC_ERR_BAD_FORMAT);
    }
    return PARSE_OK;
}

bool mc_text_key_next(const struct mc_request *req, size_t *pos,
                      const char **key, size_t *nkey)
{
    size_t i = *pos, s;

    while (i < req->keys_len && req->keys[i] == ' ')
        i++;
    if (i == req->keys_len)
        return false;
    s = i;
    while (i < req->keys_len && req->keys[i] != ' ')
        i++;
    *key = req->keys + s;
    *nkey = i - s;
    *pos = i;
    return true;
}

/* process_update_command(), then the data block (F7, E9, E11, E12). */
static enum parse_result mc_parse_update(struct mc_request *req, const char *buf,
                                         size_t len, const struct mc_limits *lim)
{
    int32_t vlen;
    size_t total;

    if (mc_key_too_long(&req->tok[1]))
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    if (!mc_sem_strtoul32(req->tok[2].p, req->tok[2].len, &req->flags) ||
        !mc_sem_strtol32(req->tok[3].p, req->tok[3].len, &req->exptime) ||
        !mc_sem_strtol32(req->tok[4].p, req->tok[4].len, &vlen))
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    if (req->cmd == MC_CMD_CAS &&
        !mc_sem_strtoull(req->tok[5].p, req->tok[5].len, &req->cas))
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    /* 1.6.18 swallows nothing here: the payload line is then read as a
     * command (ERROR); newer releases swallow it (reference E12). */
    if (vlen < 0 || vlen > INT32_MAX - 2)
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    if (!mc_sem_item_size_ok(req->nkey, req->flags, (size_t)vlen, lim->item_size_max)) {
        req->err = MC_ERR_TOO_LARGE;
        req->swallow = (size_t)vlen + 2;
        return PARSE_ETOOBIG;
    }
    total = req->consumed + (size_t)vlen + 2;
    if (len < total) {
        req->need = total;
        return PARSE_AGAIN;
    }
    req->data = buf + req->consumed;
    req->ndata = (size_t)vlen;
    req->consumed = total;
    /* complete_nread_ascii: <bytes>+2 are read; if the last two are not
     * "\r\n" the value is dropped and what follows is parsed as commands. */
    if (buf[total - 2] != '\r' || buf[total - 1] != '\n')
        return mc_fail(req, MC_ERR_BAD_CHUNK);
    return PARSE_OK;
}

static enum parse_result mc_parse_delete(struct mc_request *req)
{
    if (req->ntok > 2) {
        bool hold_is_zero = mc_tok_is(&req->tok[2], "0");
        bool valid = (req->ntok == 3 && (hold_is_zero || req->noreply)) ||
                     (req->ntok == 4 && hold_is_zero && req->noreply);
        if (!valid)
            return mc_fail(req, MC_R_DELETE_USAGE);
    } else {
        req->noreply = false;   /* 1.6.18 only looks for it past the key */
    }
    if (mc_key_too_long(&req->tok[1]))
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    return PARSE_OK;
}

static enum parse_result mc_parse_arith(struct mc_request *req)
{
    if (mc_key_too_long(&req->tok[1]))
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    if (!mc_sem_strtoull(req->tok[2].p, req->tok[2].len, &req->delta))
        return mc_fail(req, MC_ERR_BAD_DELTA);
    return PARSE_OK;
}

static enum parse_result mc_parse_touch(struct mc_request *req)
{
    if (mc_key_too_long(&req->tok[1]))
        return mc_fail(req, MC_ERR_BAD_FORMAT);
    if (!mc_sem_strtol32(req->tok[2].p, req->tok[2].len, &req->exptime))
        return mc_fail(req, MC_ERR_BAD_EXPTIME);
    return PARSE_OK;
}

static enum parse_result mc_parse_flush(struct mc_request *req)
{
    if (req->ntok != (req->noreply ? 2u : 1u)) {
        if (!mc_sem_strtol32(req->tok[1].p, req->tok[1].len, &req->exptime))
            return mc_fail(req, MC_ERR_BAD_EXPTIME);
        req->has_exptime = true;
    }
    return PARSE_OK;
}

static enum parse_result mc_parse_num_arg(struct mc_request *req)
{
    /* live 1.6.18: "verbosity x" is a format error, "cache_memlimit x"
     * a plain ERROR */
    if (!mc_sem_strtoul32(req->tok[1].p, req->tok[1].len, &req->num))
        return mc_fail(req, req->cmd == MC_CMD_CACHE_MEMLIMIT ? MC_R_ERROR : MC_ERR_BAD_FORMAT);
    return PARSE_OK;
}

/* A command name with the arity 1.6.18 requires (ntok counts real tokens,
 * memcached's ntokens is one more).  Outside the range: "ERROR". */
struct mc_cmd_def {
    const char *name;
    enum mc_cmd cmd;
    unsigned min, max;
    bool noreply;           /* calls set_noreply_maybe() */
};

static const struct mc_cmd_def mc_cmds[] = {
    { "get", MC_CMD_GET, 2, MC_TEXT_MAX_TOKENS, false },
    { "gets", MC_CMD_GETS, 2, MC_TEXT_MAX_TOKENS, false },
    { "gat", MC_CMD_GAT, 2, MC_TEXT_MAX_TOKENS, false },
    { "gats", MC_CMD_GATS, 2, MC_TEXT_MAX_TOKENS, false },
    { "set", MC_CMD_SET, 5, 6, true },
    { "add", MC_CMD_ADD, 5, 6, true },
    { "replace", MC_CMD_REPLACE, 5, 6, true },
    { "append", MC_CMD_APPEND, 5, 6, true },
    { "prepend", MC_CMD_PREPEND, 5, 6, true },
    { "cas", MC_CMD_CAS, 6, 7, true },
    { "touch", MC_CMD_TOUCH, 3, 4, true },
    { "delete", MC_CMD_DELETE, 2, 4, true },
    { "incr", MC_CMD_INCR, 3, 4, true },
    { "decr", MC_CMD_DECR, 3, 4, true },
    { "flush_all", MC_CMD_FLUSH_ALL, 1, 3, true },
    { "version", MC_CMD_VERSION, 1, MC_TEXT_MAX_TOKENS, false },
    { "verbosity", MC_CMD_VERBOSITY, 2, 3, true },
    { "quit", MC_CMD_QUIT, 1, MC_TEXT_MAX_TOKENS, false },
    { "shutdown", MC_CMD_SHUTDOWN, 1, MC_TEXT_MAX_TOKENS, false },
    { "stats", MC_CMD_STATS, 1, MC_TEXT_MAX_TOKENS, false },
    { "cache_memlimit", MC_CMD_CACHE_MEMLIMIT, 2, 3, true },
};

/* 1.6.18 answers an unknown name starting with one of these letters (or a
 * two-letter name starting with 'm') with ERROR straight away; other
 * unknown names close the connection when the last token starts with
 * "HTTP/" (live: "GET / HTTP/1.1" closes, "sfoo / HTTP/1.1" gets ERROR). */
static bool mc_in_letter_branch(const struct mc_token *cmd)
{
    return strchr("gsacidt", cmd->p[0]) != NULL ||
           (cmd->p[0] == 'm' && cmd->len == 2);
}

static const struct mc_cmd_def *mc_cmd_lookup(const struct mc_token *t)
{
    for (size_t i = 0; i < sizeof(mc_cmds) / sizeof(mc_cmds[0]); i++)
        if (mc_tok_is(t, mc_cmds[i].name))
            return &mc_cmds[i];
    return NULL;
}

static enum parse_result mc_unknown(struct mc_request *req, const char *line, size_t n)
{
    unsigned last = req->ntok - 1;
    struct mc_token t;

    if (last < MC_TEXT_KEEP_TOKENS) {
        t = req->tok[last];
    } else {      /* find the last counted token without keeping them all */
        struct mc_token all[MC_TEXT_MAX_TOKENS];
        mc_tokenize(line, n, all, MC_TEXT_MAX_TOKENS, MC_TEXT_MAX_TOKENS - 1);
        t = all[last];
    }
    if (!mc_in_letter_branch(&req->tok[0]) && t.len >= 5 && memcmp(t.p, "HTTP/", 5) == 0) {
        req->close = true;
        return PARSE_EINVALID;
    }
    return mc_fail(req, MC_R_ERROR);
}

static enum parse_result mc_dispatch(struct mc_request *req, const char *buf,
                                     size_t len, size_t n,
                                     const struct mc_limits *lim)
{
    const struct mc_cmd_def *d = mc_cmd_lookup(&req->tok[0]);

    if (d == NULL || req->ntok < d->min || req->ntok > d->max)
        return mc_unknown(req, buf, n);
    req->cmd = d->cmd;
    if (d->noreply)
        mc_noreply_maybe(req, buf, n);
    if (req->ntok > 1 && d->cmd != MC_CMD_GAT && d->cmd != MC_CMD_GATS) {
        req->key = req->tok[1].p;
        req->nkey = req->tok[1].len;
    }
    switch (d->cmd) {
    case MC_CMD_GET: case MC_CMD_GETS:
        return mc_parse_get(req, buf, n, false);
    case MC_CMD_GAT: case MC_CMD_GATS:
        return mc_parse_get(req, buf, n, true);
    case MC_CMD_SET: case MC_CMD_ADD: case MC_CMD_REPLACE:
    case MC_CMD_APPEND: case MC_CMD_PREPEND: case MC_CMD_CAS:
        return mc_parse_update(req, buf, len, lim);
    case MC_CMD_DELETE:
        return mc_parse_delete(req);
    case MC_CMD_INCR: case MC_CMD_DECR:
        return mc_parse_arith(req);
    case MC_CMD_TOUCH:
        return mc_parse_touch(req);
    case MC_CMD_FLUSH_ALL:
        return mc_parse_flush(req);
    case MC_CMD_VERBOSITY: case MC_CMD_CACHE_MEMLIMIT:
        return mc_parse_num_arg(req);
    default:
        return PARSE_OK;
    }
}

enum parse_result mc_text_parse(const char *buf, size_t len,
                                const struct mc_limits *lim,
                                struct mc_request *req)
{
    enum parse_result r;
    size_t n;

    memset(req, 0, sizeof(*req));
    r = mc_line_find(buf, len, lim, &n, &req->consumed);
    if (r == PARSE_ETOOBIG)
        req->close = true;
    if (r != PARSE_OK)
        return r;
    req->ntok = mc_tokenize(buf, n, req->tok, MC_TEXT_KEEP_TOKENS, MC_TEXT_MAX_TOKENS - 1);
    /* no command is shorter than two bytes */
    if (req->ntok == 0 || req->tok[0].len < 2)
        return mc_fail(req, MC_R_ERROR);
    if (req->tok[0].p[0] == 'm' && req->tok[0].len == 2) {
        if (strchr("gsndae", req->tok[0].p[1]) == NULL)
            return mc_fail(req, MC_R_ERROR);
        req->cmd = MC_CMD_META;
        req->consumed = 0;
        return PARSE_OK;
    }
    r = mc_dispatch(req, buf, len, n, lim);
    if (r == PARSE_AGAIN)
        req->consumed = 0;
    return r;
}

/* ---- output ---- */

void mc_out_init(struct mc_out *out)
{
    out->buf = NULL;
    out->len = out->cap = 0;
}

void mc_out_deinit(struct mc_out *out)
{
    free(out->buf);
    mc_out_init(out);
}

void mc_out_reset(struct mc_out *out)
{
    out->len = 0;
}

void mc_out_reserve(struct mc_out *out, size_t more)
{
    size_t cap = out->cap ? out->cap : 256;

    if (out->len + more <= out->cap)
        return;
    while (cap < out->len + more)
        cap *= 2;
    out->buf = realloc(out->buf, cap);
    if (out->buf == NULL)
        abort();    /* control structure: STYLE.md says abort */
    out->cap = cap;
}

void mc_out_append(struct mc_out *out, const void *p, size_t n)
{
    mc_out_reserve(out, n);
    memcpy(out->buf + out->len, p, n);
    out->len += n;
}

static void mc_out_vappendf(struct mc_out *out, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        abort();
    mc_out_reserve(out, (size_t)n + 1);
    vsnprintf(out->buf + out->len, (size_t)n + 1, fmt, ap);
    out->len += (size_t)n;
}

void mc_out_appendf(struct mc_out *out, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mc_out_vappendf(out, fmt, ap);
    va_end(ap);
}

void mc_compose_line(struct mc_out *out, const char *line)
{
    mc_out_append(out, line, strlen(line));
    mc_out_append(out, "\r\n", 2);
}

void mc_compose_value(struct mc_out *out, const char *key, size_t nkey,
                      uint32_t flags, const char *data, size_t ndata,
                      bool with_cas, uint64_t cas)
{
    mc_out_reserve(out, nkey + ndata + 64);
    mc_out_append(out, "VALUE ", 6);
    mc_out_append(out, key, nkey);
    if (with_cas)
        mc_out_appendf(out, " %" PRIu32 " %zu %" PRIu64 "\r\n", flags, ndata, cas);
    else
        mc_out_appendf(out, " %" PRIu32 " %zu\r\n", flags, ndata);
    mc_out_append(out, data, ndata);
    mc_out_append(out, "\r\n", 2);
}

void mc_compose_number(struct mc_out *out, uint64_t v)
{
    mc_out_appendf(out, "%" PRIu64 "\r\n", v);
}

void mc_compose_client_error(struct mc_out *out, const char *msg)
{
    mc_out_appendf(out, "CLIENT_ERROR %s\r\n", msg);
}

void mc_compose_server_error(struct mc_out *out, const char *msg)
{
    mc_out_appendf(out, "SERVER_ERROR %s\r\n", msg);
}

void mc_compose_version(struct mc_out *out, const char *version)
{
    mc_out_appendf(out, "VERSION %s\r\n", version);
}

void mc_compose_stat(struct mc_out *out, const char *name, const char *value)
{
    mc_out_appendf(out, "STAT %s %s\r\n", name, value);
}

void mc_compose_stat_u64(struct mc_out *out, const char *name, uint64_t v)
{
    mc_out_appendf(out, "STAT %s %" PRIu64 "\r\n", name, v);
}

void mc_compose_stat_i64(struct mc_out *out, const char *name, int64_t v)
{
    mc_out_appendf(out, "STAT %s %" PRId64 "\r\n", name, v);
}

void mc_compose_statf(struct mc_out *out, const char *name, const char *fmt, ...)
{
    va_list ap;

    mc_out_appendf(out, "STAT %s ", name);
    va_start(ap, fmt);
    mc_out_vappendf(out, fmt, ap);
    va_end(ap);
    mc_out_append(out, "\r\n", 2);
}
