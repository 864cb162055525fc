/* compat/mc_reply: Memcached reply boundaries for the proxy; see mc_reply.h. */
#include "compat/mc_reply.h"

#include <string.h>

void mc_reply_init(struct mc_reply *r, enum mc_reply_kind kind)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
}

static bool has_prefix(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(p, lit, l) == 0;
}

static bool line_is(const char *p, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

bool mc_reply_is_error(const char *line, size_t n)
{
    return line_is(line, n, "ERROR") || has_prefix(line, n, "ERROR ") ||
           has_prefix(line, n, "CLIENT_ERROR") || has_prefix(line, n, "SERVER_ERROR");
}

/* The n-th space-separated token of a line (0-based), or NULL. */
static const char *token(const char *p, size_t n, int idx, size_t *tlen)
{
    size_t i = 0;
    for (int t = 0; ; t++) {
        while (i < n && p[i] == ' ') i++;
        if (i == n) return NULL;
        size_t start = i;
        while (i < n && p[i] != ' ') i++;
        if (t == idx) {
            *tlen = i - start;
            return p + start;
        }
    }
}

static int parse_size(const char *p, size_t n, size_t *out)
{
    size_t v = 0;
    if (p == NULL || n == 0 || n > 12) return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (size_t)(p[i] - '0');
    }
    *out = v;
    return 0;
}

/* Size of the data block a VALUE or VA line announces; 0 with *has = false
 * for other lines; -1 if the line is malformed. */
static int data_size(const char *line, size_t n, bool *has, size_t *size)
{
    size_t tlen = 0;
    const char *t = NULL;
    *has = false;
    if (has_prefix(line, n, "VALUE ")) t = token(line, n, 3, &tlen);
    else if (has_prefix(line, n, "VA ")) t = token(line, n, 1, &tlen);
    else return 0;
    if (parse_size(t, tlen, size) != 0) return -1;
    *has = true;
    return 0;
}

enum parse_result mc_reply_unit(const char *buf, size_t len, size_t pos,
                                struct mc_reply_unit *u, size_t *need)
{
    *need = 0;
    if (pos >= len) return PARSE_AGAIN;
    const char *nl = memchr(buf + pos, '\n', len - pos);
    if (nl == NULL)
        return len - pos > MC_REPLY_LINE_MAX ? PARSE_ETOOBIG : PARSE_AGAIN;
    size_t at = (size_t)(nl - buf);
    if (at - pos > MC_REPLY_LINE_MAX) return PARSE_ETOOBIG;    /* as when read in pieces */
    if (at == pos || buf[at - 1] != '\r') return PARSE_EINVALID;
    u->line_off = pos;
    u->line_len = at - 1 - pos;
    u->end = at + 1;
    size_t size = 0;
    if (data_size(buf + pos, u->line_len, &u->has_data, &size) != 0) return PARSE_EINVALID;
    u->data_off = u->end;
    u->data_len = 0;
    if (!u->has_data) return PARSE_OK;
    size_t want = u->end + size + 2;
    if (len < want) {
        *need = want;
        return PARSE_AGAIN;
    }
    if (buf[want - 2] != '\r' || buf[want - 1] != '\n') return PARSE_EINVALID;
    u->data_len = size;
    u->end = want;
    return PARSE_OK;
}

/* Does this unit end the reply? */
static bool unit_ends(const struct mc_reply *r, const char *line, size_t n, bool has_data)
{
    switch (r->kind) {
    case MC_REPLY_LINE:
    case MC_REPLY_META:
        return true;
    case MC_REPLY_RETRIEVAL:
        return !has_data;           /* END or an error line */
    case MC_REPLY_STATS:
        return !has_prefix(line, n, "STAT ");
    case MC_REPLY_UNTIL_MN:
        return line_is(line, n, "MN");
    }
    return true;
}

enum parse_result mc_reply_parse(struct mc_reply *r, const char *buf, size_t len)
{
    for (;;) {
        struct mc_reply_unit u;
        enum parse_result res = mc_reply_unit(buf, len, r->pos, &u, &r->need);
        if (res != PARSE_OK) return res;
        const char *line = buf + u.line_off;
        if (r->kind == MC_REPLY_LINE && u.has_data) return PARSE_EINVALID;
        r->pos = u.end;
        if (unit_ends(r, line, u.line_len, u.has_data)) {
            r->last_off = u.line_off;
            r->last_len = u.line_len;
            r->error = mc_reply_is_error(line, u.line_len);
            r->consumed = r->pos;
            return PARSE_OK;
        }
    }
}
