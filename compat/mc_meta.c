/* compat/mc_meta: meta command codec.  Flag parsing mirrors 1.6.18's
 * _meta_flag_preparse(): one pass over the flag tokens, "duplicate flag" and
 * "invalid flag" stop at once, value errors are remembered (the last one
 * wins) and reported after the pass; ma and md replace any of these by
 * "invalid or duplicate flag".  All strings were checked live. */
#include "compat/mc_meta.h"

#include <inttypes.h>
#include <string.h>

static enum parse_result mc_meta_fail(struct mc_meta_request *req, const char *err)
{
    req->err = err;
    return PARSE_EINVALID;
}

static enum mc_meta_cmd mc_meta_cmd_of(char c)
{
    switch (c) {
    case 'g': return MC_META_MG;
    case 's': return MC_META_MS;
    case 'd': return MC_META_MD;
    case 'a': return MC_META_MA;
    case 'n': return MC_META_MN;
    case 'e': return MC_META_ME;
    default: return MC_META_NONE;
    }
}

static bool mc_meta_decode_key(struct mc_meta_request *req)
{
    size_t n = mc_base64_decode(req->key_raw, req->nkey_raw,
                                (unsigned char *)req->kbuf, sizeof(req->kbuf));
    req->key = req->kbuf;
    req->nkey = n;
    req->key_binary = true;
    return n != 0;
}

/* One flag token; returns false to stop the pass at once (*err set). */
static bool mc_meta_flag(struct mc_meta_request *req, const struct mc_token *t,
                         const struct mc_limits *lim, const char **err)
{
    const char *v = t->p + 1;
    size_t n = t->len - 1;
    unsigned char o = (unsigned char)t->p[0];

    if (o >= 127 || mc_meta_has(req, (char)o)) {
        *err = MC_META_ERR_DUP_FLAG;    /* 1.6.18 says so for bytes >= 127 too */
        return false;
    }
    req->seen[o >> 6] |= (uint64_t)1 << (o & 63);
    switch (o) {
    case 'b':
        if (!mc_meta_decode_key(req))
            *err = MC_META_ERR_KEY;
        break;
    case 'N':
        if (!mc_sem_strtol32(v, n, &req->ttl_n))
            *err = MC_META_ERR_BAD_TOKEN;
        break;
    case 'T':
        if (!mc_sem_strtol32(v, n, &req->ttl_t))
            *err = MC_META_ERR_BAD_TOKEN;
        break;
    case 'R':
        if (!mc_sem_strtol32(v, n, &req->ttl_r))
            *err = MC_META_ERR_BAD_TOKEN;
        break;
    case 'C':
        if (!mc_sem_strtoull(v, n, &req->cas_c))
            *err = MC_META_ERR_BAD_TOKEN;
        break;
    case 'F':   /* no message of its own: the default one is sent */
        if (!mc_sem_strtoul32(v, n, &req->client_flags))
            *err = MC_ERR_BAD_FORMAT;
        break;
    case 'M':
        if (t->len != 2)
            *err = MC_META_ERR_M_LENGTH;
        else
            req->mode = t->p[1];
        break;
    case 'J':
        if (!mc_sem_strtoull(v, n, &req->initial))
            *err = MC_META_ERR_INITIAL;
        break;
    case 'D':
        if (!mc_sem_strtoull(v, n, &req->delta))
            *err = MC_META_ERR_DELTA;
        break;
    case 'O':
        req->opaque = t->p;
        req->nopaque = t->len;
        break;
    case 'q':
        req->quiet = true;
        break;
    case 'P': case 'L':             /* proxy hints: ignored */
    case 'k': case 's': case 't': case 'c': case 'f': case 'v':
    case 'h': case 'l': case 'u': case 'I':
        break;
    case 'E':
        if (!lim->meta_new_flags) {
            *err = MC_META_ERR_INVALID_FLAG;
            return false;
        }
        if (!mc_sem_strtoull(v, n, &req->cas_e))
            *err = MC_META_ERR_BAD_TOKEN;
        break;
    case 'x':
        if (!lim->meta_new_flags) {
            *err = MC_META_ERR_INVALID_FLAG;
            return false;
        }
        break;
    default:
        *err = MC_META_ERR_INVALID_FLAG;
        return false;
    }
    return true;
}

/* Returns NULL or the error to send.  The O length is checked when the
 * reply is built in 1.6.18, i.e. after every flag parsed. */
static const char *mc_meta_flags(struct mc_meta_request *req, const struct mc_limits *lim)
{
    const char *err = NULL;

    for (unsigned i = 0; i < req->nflags; i++)
        if (!mc_meta_flag(req, &req->flag[i], lim, &err))
            break;
    if (err != NULL && (req->cmd == MC_META_MA || req->cmd == MC_META_MD))
        return MC_META_ERR_INVALID_OR_DUP;
    if (err == NULL && req->nopaque > MC_META_OPAQUE_MAX)
        return MC_META_ERR_OPAQUE;
    if (err == NULL && req->cmd == MC_META_MS && req->mode && !strchr("EAPRS", req->mode))
        return MC_META_ERR_MS_MODE;
    if (err == NULL && req->cmd == MC_META_MA && req->mode && !strchr("I+D-", req->mode))
        return MC_META_ERR_MA_MODE;
    return err;
}

/* ms: <datalen> and the data block (F7, E9, E11 for meta). */
static enum parse_result mc_meta_ms(struct mc_meta_request *req, const struct mc_token *dl,
                                    const char *buf, size_t len, const struct mc_limits *lim)
{
    int32_t vlen;
    const char *err;
    size_t total;

    if (!mc_sem_strtol32(dl->p, dl->len, &vlen) || vlen < 0 || vlen > INT32_MAX - 2)
        return mc_meta_fail(req, MC_ERR_BAD_FORMAT);   /* nothing swallowed */
    err = mc_meta_flags(req, lim);
    if (err != NULL) {
        req->swallow = (size_t)vlen + 2;
        return mc_meta_fail(req, err);
    }
    if (!mc_sem_item_size_ok(req->nkey, req->client_flags, (size_t)vlen, lim->item_size_max)) {
        req->swallow = (size_t)vlen + 2;
        req->err = MC_ERR_TOO_LARGE;
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
    if (buf[total - 2] != '\r' || buf[total - 1] != '\n')
        return mc_meta_fail(req, MC_ERR_BAD_CHUNK);   /* sent even with q */
    return PARSE_OK;
}

/* me <key> [b]: only a `b` right after the key counts; other tokens are
 * ignored (live: "me k x" is EN, "me k b" with a non-base64 key is a
 * format error). */
static enum parse_result mc_meta_me(struct mc_meta_request *req, const struct mc_token *tok,
                                    unsigned ntok)
{
    if (ntok < 2 || tok[1].len > MC_KEY_MAX_LENGTH)
        return mc_meta_fail(req, MC_ERR_BAD_FORMAT);
    if (ntok >= 3 && tok[2].len == 1 && tok[2].p[0] == 'b' && !mc_meta_decode_key(req))
        return mc_meta_fail(req, MC_ERR_BAD_FORMAT);
    return PARSE_OK;
}

static enum parse_result mc_meta_dispatch(struct mc_meta_request *req, const struct mc_token *tok,
                                          unsigned ntok, const char *buf, size_t len,
                                          const struct mc_limits *lim)
{
    unsigned first = req->cmd == MC_META_MS ? 3 : 2;
    const char *err;

    if (req->cmd == MC_META_MN)
        return PARSE_OK;
    if (ntok >= 2) {
        req->key = req->key_raw = tok[1].p;
        req->nkey = req->nkey_raw = tok[1].len;
    }
    if (req->cmd == MC_META_ME)
        return mc_meta_me(req, tok, ntok);
    if (ntok < 2)
        return mc_meta_fail(req, MC_R_ERROR);
    if (tok[1].len > MC_KEY_MAX_LENGTH || (req->cmd == MC_META_MS && ntok < 3))
        return mc_meta_fail(req, MC_ERR_BAD_FORMAT);
    if (ntok > MC_META_MAX_TOKENS)
        return mc_meta_fail(req, MC_META_ERR_TOO_MANY);
    req->nflags = ntok - first;
    memcpy(req->flag, tok + first, req->nflags * sizeof(tok[0]));
    if (req->cmd == MC_META_MS)
        return mc_meta_ms(req, &tok[2], buf, len, lim);
    err = mc_meta_flags(req, lim);
    return err ? mc_meta_fail(req, err) : PARSE_OK;
}

enum parse_result mc_meta_parse(const char *buf, size_t len,
                                const struct mc_limits *lim,
                                struct mc_meta_request *req)
{
    struct mc_token tok[MC_TEXT_MAX_TOKENS];
    enum parse_result r;
    unsigned ntok;
    size_t n;

    memset(req, 0, sizeof(*req));
    req->delta = 1;
    r = mc_line_find(buf, len, lim, &n, &req->consumed);
    if (r != PARSE_OK) {
        req->consumed = 0;
        return r;
    }
    ntok = mc_tokenize(buf, n, tok, MC_TEXT_MAX_TOKENS, MC_TEXT_MAX_TOKENS - 1);
    if (ntok == 0 || tok[0].len != 2 || tok[0].p[0] != 'm' ||
        (req->cmd = mc_meta_cmd_of(tok[0].p[1])) == MC_META_NONE)
        return mc_meta_fail(req, MC_R_ERROR);
    r = mc_meta_dispatch(req, tok, ntok, buf, len, lim);
    if (r == PARSE_AGAIN)
        req->consumed = 0;
    return r;
}

bool mc_meta_quiet_skips(enum mc_meta_cmd cmd, const char *status)
{
    switch (cmd) {
    case MC_META_MG: return strcmp(status, "EN") == 0;
    case MC_META_MS: case MC_META_MD: return strcmp(status, "HD") == 0;
    /* live 1.6.18: "ma missing q" answers NF (only a successful change,
     * HD or VA, is hidden) */
    case MC_META_MA: return strcmp(status, "HD") == 0;
    default: return false;
    }
}

/* ---- composing ---- */

void mc_meta_compose_head(struct mc_out *out, const char *status)
{
    mc_out_append(out, status, strlen(status));
}

void mc_meta_compose_va(struct mc_out *out, size_t size)
{
    mc_out_appendf(out, "VA %zu", size);
}

void mc_meta_compose_end(struct mc_out *out)
{
    mc_out_append(out, "\r\n", 2);
}

void mc_meta_compose_data(struct mc_out *out, const char *data, size_t n)
{
    mc_out_append(out, data, n);
    mc_out_append(out, "\r\n", 2);
}

void mc_meta_compose_key(struct mc_out *out, const char *key, size_t nkey, bool binary)
{
    mc_out_append(out, " k", 2);
    if (!binary) {
        mc_out_append(out, key, nkey);
        return;
    }
    mc_out_reserve(out, 4 * ((nkey + 2) / 3) + 2);
    out->len += mc_base64_encode((const unsigned char *)key, nkey, out->buf + out->len,
                                 out->cap - out->len);
    mc_out_append(out, " b", 2);
}

static void mc_meta_compose_one(struct mc_out *out, const struct mc_meta_request *req,
                                const struct mc_token *t, const struct mc_meta_item *it)
{
    switch (t->p[0]) {
    case 'O':
        mc_out_append(out, " ", 1);
        mc_out_append(out, t->p, t->len);
        return;
    case 'k':
        if (it != NULL)
            mc_meta_compose_key(out, it->key, it->nkey, it->key_binary);
        else
            mc_meta_compose_key(out, req->key, req->nkey, req->key_binary);
        return;
    }
    if (it == NULL)
        return;
    switch (t->p[0]) {
    case 's': mc_out_appendf(out, " s%zu", it->size); break;
    case 't': mc_out_appendf(out, " t%" PRId64, it->ttl); break;
    case 'c': mc_out_appendf(out, " c%" PRIu64, it->cas); break;
    case 'f': mc_out_appendf(out, " f%" PRIu32, it->client_flags); break;
    case 'l': mc_out_appendf(out, " l%" PRId64, it->last_access); break;
    case 'h': mc_out_append(out, it->fetched ? " h1" : " h0", 3); break;
    }
}

void mc_meta_compose_flags(struct mc_out *out, const struct mc_meta_request *req,
                           const char *mask, const struct mc_meta_item *it,
                           bool trailer)
{
    for (unsigned i = 0; i < req->nflags; i++) {
        const struct mc_token *t = &req->flag[i];
        if (strchr(mask, t->p[0]) != NULL)
            mc_meta_compose_one(out, req, t, it);
    }
    if (!trailer || it == NULL)
        return;
    /* 1.6.18 order: Z (a win token was already handed out), X (stale),
     * W (this client won). */
    if (it->win_sent)
        mc_out_append(out, " Z", 2);
    if (it->stale)
        mc_out_append(out, " X", 2);
    if (it->win)
        mc_out_append(out, " W", 2);
}

void mc_meta_compose_me(struct mc_out *out, const char *key, size_t nkey,
                        int64_t exp, int64_t la, uint64_t cas, bool fetched,
                        unsigned cls, size_t size)
{
    mc_out_append(out, "ME ", 3);
    mc_out_append(out, key, nkey);
    mc_out_appendf(out, " exp=%" PRId64 " la=%" PRId64 " cas=%" PRIu64
                   " fetch=%s cls=%u size=%zu\r\n",
                   exp, la, cas, fetched ? "yes" : "no", cls, size);
}

/* ---- base64 ---- */

static const char mc_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t mc_base64_encode(const unsigned char *src, size_t n, char *dst, size_t cap)
{
    size_t o = 0;

    if (cap < 4 * ((n + 2) / 3))
        return 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)src[i + 1] << 8;
        if (i + 2 < n)
            v |= src[i + 2];
        dst[o++] = mc_b64[(v >> 18) & 63];
        dst[o++] = mc_b64[(v >> 12) & 63];
        dst[o++] = i + 1 < n ? mc_b64[(v >> 6) & 63] : '=';
        dst[o++] = i + 2 < n ? mc_b64[v & 63] : '=';
    }
    return o;
}

static int mc_b64_val(char c)
{
    const char *p = c ? strchr(mc_b64, c) : NULL;
    return p ? (int)(p - mc_b64) : -1;
}

size_t mc_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap)
{
    size_t o = 0;

    if (n == 0 || n % 4 != 0)
        return 0;
    for (size_t i = 0; i < n; i += 4) {
        int a = mc_b64_val(src[i]), b = mc_b64_val(src[i + 1]);
        bool last = i + 4 == n;
        int c = (last && src[i + 2] == '=' && src[i + 3] == '=') ? 0 : mc_b64_val(src[i + 2]);
        int d = (last && src[i + 3] == '=') ? 0 : mc_b64_val(src[i + 3]);
        size_t take = !last ? 3 : src[i + 2] == '=' ? 1 : src[i + 3] == '=' ? 2 : 3;
        uint32_t v;

        if (a < 0 || b < 0 || c < 0 || d < 0 || (src[i + 2] == '=' && src[i + 3] != '='))
            return 0;
        if (o + take > cap)
            return 0;
        v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        dst[o++] = (unsigned char)(v >> 16);
        if (take > 1)
            dst[o++] = (unsigned char)(v >> 8);
        if (take > 2)
            dst[o++] = (unsigned char)v;
    }
    return o;
}
