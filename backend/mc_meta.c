/* backend/mc_meta: see mc_meta.h.  Follows 1.6.18's proto_text.c: mg and
 * ma walk their flag tokens in request order, applying T/N/R and printing
 * return flags as they come, so `t` before `T` shows the old TTL exactly as
 * memcached does; the win/stale trailer (Z X W) comes after.  Replies that
 * only echo O and k use compat/mc_meta's composer. */
#include "backend/mc_meta.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend/entry.h"
#include "backend/mc_kv.h"
#include "compat/mc_meta.h"
#include "compat/mc_sem.h"
#include "compat/mc_text.h"

/* A status line echoing only O and k (misses, md, failed ms/ma). */
static void status_line(struct mc_out *out, const struct mc_meta_request *m, const char *status)
{
    mc_meta_compose_head(out, status);
    mc_meta_compose_flags(out, m, MC_META_RET_MISS, NULL, false);
    mc_meta_compose_end(out);
}

static int64_t ttl_of(const struct entry *e)
{
    return mc_sem_ttl(mc_kv_expiry(e), mc_now());
}

struct mg_state {
    struct entry *e;
    struct mc_prior prior;
    bool created, won, ttl_set;
};

/* One mg flag token, in request order. */
static void mg_flag(struct mc_out *out, const struct mc_meta_request *m, const struct mc_token *t,
                    struct mg_state *g)
{
    struct entry *e = g->e;
    int64_t now = mc_now(), expiry;
    size_t klen;
    const char *key;

    switch (t->p[0]) {
    case 'T':
        g->e = mc_kv_set_expiry(e, mc_sem_exptime(m->ttl_t, now));
        g->ttl_set = true;
        break;
    case 'N':
        if (g->created) {
            g->e = mc_kv_set_expiry(e, mc_sem_exptime(m->ttl_n, now));
            g->won = true;
        }
        break;
    case 'R':
        expiry = mc_kv_expiry(e);
        if (!(e->bits & MC_BIT_TOKEN) && !g->created && expiry != 0 &&
            expiry < mc_sem_exptime(m->ttl_r, now))
            g->won = true;
        break;
    case 's': mc_out_appendf(out, " s%zu", entry_str_len(e)); break;
    case 't': mc_out_appendf(out, " t%" PRId64, ttl_of(e)); break;
    case 'c': mc_out_appendf(out, " c%" PRIu64, e->cas); break;
    case 'f': mc_out_appendf(out, " f%" PRIu32, mc_kv_flags(e)); break;
    case 'l': mc_out_appendf(out, " l%" PRId64, g->prior.idle_s); break;
    case 'h': mc_out_append(out, (g->prior.bits & MC_BIT_FETCHED) ? " h1" : " h0", 3); break;
    case 'O':
        mc_out_append(out, " ", 1);
        mc_out_append(out, t->p, t->len);
        break;
    case 'k':
        key = entry_key(e, &klen);
        mc_meta_compose_key(out, key, klen, (e->bits & MC_BIT_KEYBIN) != 0);
        break;
    }
}

static void mg_miss(struct mc_out *out, const struct mc_meta_request *m)
{
    mc_stat.cmd_get++;
    mc_stat.get_misses++;
    if (!(m->quiet && mc_meta_quiet_skips(MC_META_MG, "EN"))) status_line(out, m, "EN");
}

static void meta_get(struct mc_out *out, const struct mc_meta_request *m)
{
    bool bump = !mc_meta_has(m, 'u');
    struct mg_state g = {0};

    g.e = mc_kv_find(m->key, m->nkey, MC_FIND_EXPIRED | (bump ? MC_FIND_BUMP : 0), &g.prior);
    if (g.e == NULL && mc_meta_has(m, 'N')) {
        g.e = mc_kv_create(m->key, m->nkey, "", 0, 0, m->cas_e, m->key_binary);
        g.created = g.e != NULL;
        if (g.created && bump) g.e->bits |= MC_BIT_FETCHED;
    }
    if (g.e == NULL) {
        mg_miss(out, m);
        return;
    }
    size_t size = entry_str_len(g.e);
    if (mc_meta_has(m, 'v')) mc_meta_compose_va(out, size);
    else mc_meta_compose_head(out, "HD");
    for (unsigned i = 0; i < m->nflags; i++) mg_flag(out, m, &m->flag[i], &g);
    if (g.e->bits & MC_BIT_TOKEN) mc_out_append(out, " Z", 2);
    if (g.e->bits & MC_BIT_STALE) {
        mc_out_append(out, " X", 2);
        if (!(g.e->bits & MC_BIT_TOKEN)) g.won = true;   /* stale: first asker wins */
    }
    if (g.won) {
        mc_out_append(out, " W", 2);
        g.e->bits |= MC_BIT_TOKEN;
    }
    mc_meta_compose_end(out);
    if (mc_meta_has(m, 'v')) {
        struct strval sv;
        entry_get_str(g.e, &sv);
        mc_meta_compose_data(out, sv.p, sv.len);
    }
    if (g.ttl_set) {
        mc_stat.cmd_touch++;
        mc_stat.touch_hits++;
    } else {
        mc_stat.cmd_get++;
        mc_stat.get_hits++;
    }
}

static enum mc_store_mode ms_mode(const struct mc_meta_request *m)
{
    switch (m->mode) {
    case 'E': return MC_ADD;
    case 'A': return MC_APPEND;
    case 'P': return MC_PREPEND;
    case 'R': return MC_REPLACE;
    default: return MC_SET;
    }
}

static void meta_set(struct mc_out *out, const struct mc_meta_request *m)
{
    static const char *const status[] = {
        [MC_STORED] = "HD", [MC_NOT_STORED] = "NS", [MC_EXISTS] = "EX", [MC_NOT_FOUND] = "NF",
    };
    bool has_cas = mc_meta_has(m, 'C');
    struct mc_store s = {
        .mode = ms_mode(m), .key = m->key, .nkey = m->nkey, .data = m->data, .ndata = m->ndata,
        .flags = m->client_flags, .cas = has_cas ? m->cas_c : 0,
        .expiry = mc_meta_has(m, 'T') ? mc_sem_exptime(m->ttl_t, mc_now()) : 0,
        .new_cas = mc_meta_has(m, 'E') ? m->cas_e : 0,
        .set_stale = mc_meta_has(m, 'I'), .key_binary = m->key_binary,
    };
    uint64_t cas;

    /* a CAS turns set and replace into cas; append/prepend compare it */
    if (has_cas && (s.mode == MC_SET || s.mode == MC_REPLACE)) s.mode = MC_CAS;
    mc_stat.cmd_set++;
    enum mc_store_status st = mc_kv_store(&s, &cas);
    if (st == MC_NO_MEMORY) {
        mc_kv_unlink(m->key, m->nkey);      /* 1.6.18 does it in every mode */
        mc_compose_line(out, MC_ERR_NO_MEMORY);
        return;
    }
    if (m->quiet && mc_meta_quiet_skips(MC_META_MS, status[st])) return;
    struct mc_meta_item it = {.key = m->key, .nkey = m->nkey, .key_binary = m->key_binary, .cas = cas};
    mc_meta_compose_head(out, status[st]);
    mc_meta_compose_flags(out, m, MC_META_RET_MS, &it, false);
    mc_meta_compose_end(out);
}

/* md: delete, or with I mark stale (new CAS, optional new TTL) so the next
 * mg wins the recache; with x (newer releases) keep the item, drop the
 * value. */
static const char *md_apply(const struct mc_meta_request *m)
{
    struct entry *e = mc_kv_find(m->key, m->nkey, MC_FIND_PEEK, NULL);
    uint64_t new_cas = mc_meta_has(m, 'E') ? m->cas_e : 0;

    if (e == NULL || (mc_meta_has(m, 'C') && e->cas != m->cas_c)) {
        mc_stat.delete_misses++;
        return e == NULL ? "NF" : "EX";
    }
    if (mc_meta_has(m, 'I')) {
        if (mc_meta_has(m, 'T')) e = mc_kv_set_expiry(e, mc_sem_exptime(m->ttl_t, mc_now()));
        e->bits = (uint8_t)((e->bits | MC_BIT_STALE) & ~MC_BIT_TOKEN);
        mc_kv_bump_cas(e, new_cas);
    } else if (mc_meta_has(m, 'x')) {
        mc_kv_set_value(e, "", 0, new_cas);
    } else {
        mc_stat.delete_hits++;
        mc_kv_delete(e);
    }
    return "HD";
}

static void meta_delete(struct mc_out *out, const struct mc_meta_request *m)
{
    const char *st = md_apply(m);
    if (m->quiet && mc_meta_quiet_skips(MC_META_MD, st)) return;
    status_line(out, m, st);
}

struct ma_state {
    struct entry *e;
    bool created;
    const char *num;        /* the value to return with v */
    size_t nnum;
};

static void ma_flag(struct mc_out *out, const struct mc_meta_request *m, const struct mc_token *t,
                    struct ma_state *a)
{
    int64_t now = mc_now();

    switch (t->p[0]) {
    case 'c': mc_out_appendf(out, " c%" PRIu64, a->e->cas); break;
    case 't': mc_out_appendf(out, " t%" PRId64, ttl_of(a->e)); break;
    case 'T': a->e = mc_kv_set_expiry(a->e, mc_sem_exptime(m->ttl_t, now)); break;
    case 'N':
        if (a->created) a->e = mc_kv_set_expiry(a->e, mc_sem_exptime(m->ttl_n, now));
        break;
    case 'O':
        mc_out_append(out, " ", 1);
        mc_out_append(out, t->p, t->len);
        break;
    case 'k': mc_meta_compose_key(out, m->key, m->nkey, m->key_binary); break;
    }
}

/* ma: incr/decr with N (create with J on a miss), C, E, T; q hides only a
 * successful change (live 1.6.18: NF and a vivified value are sent). */
static void meta_arith(struct mc_out *out, const struct mc_meta_request *m)
{
    bool incr = m->mode != 'D' && m->mode != '-';
    uint64_t new_cas = mc_meta_has(m, 'E') ? m->cas_e : 0;
    struct ma_state a = {0};
    struct mc_delta d;
    char init[24];

    switch (mc_kv_delta(m->key, m->nkey, incr, m->delta, mc_meta_has(m, 'C') ? m->cas_c : 0,
                        new_cas, &d, &a.e)) {
    case MC_DELTA_OK:
        if (m->quiet) return;
        a.num = d.digits;
        a.nnum = d.ndigits;
        break;
    case MC_DELTA_NON_NUMERIC:
        mc_compose_line(out, MC_ERR_NON_NUMERIC);
        return;
    case MC_DELTA_EXISTS:
        status_line(out, m, "EX");
        return;
    case MC_DELTA_NOT_FOUND:
        if (!mc_meta_has(m, 'N')) {
            status_line(out, m, "NF");
            return;
        }
        a.nnum = (size_t)snprintf(init, sizeof(init), "%" PRIu64, m->initial);
        a.num = init;
        a.e = mc_kv_create(m->key, m->nkey, init, a.nnum, 0, new_cas, m->key_binary);
        if (a.e == NULL) {
            status_line(out, m, "NS");
            return;
        }
        a.created = true;
        break;
    }
    if (mc_meta_has(m, 'v')) mc_meta_compose_va(out, a.nnum);
    else mc_meta_compose_head(out, "HD");
    for (unsigned i = 0; i < m->nflags; i++) ma_flag(out, m, &m->flag[i], &a);
    mc_meta_compose_end(out);
    if (mc_meta_has(m, 'v')) mc_meta_compose_data(out, a.num, a.nnum);
}

/* me: memcached's debug line; cls and size are what 1.6.18's default slab
 * classes would give the item, exp is (as in 1.6.18) now minus expiry. */
static void meta_debug(struct mc_out *out, const struct mc_meta_request *m)
{
    struct mc_prior prior;
    struct entry *e = mc_kv_find(m->key, m->nkey, MC_FIND_PEEK, &prior);
    char b64[4 * ((MC_KEY_MAX_LENGTH + 2) / 3)];

    if (e == NULL) {
        mc_compose_line(out, "EN");
        return;
    }
    size_t klen, nval = entry_str_len(e);
    const char *key = entry_key(e, &klen);
    if (e->bits & MC_BIT_KEYBIN) {
        klen = mc_base64_encode((const unsigned char *)key, klen, b64, sizeof(b64));
        key = b64;
    }
    int64_t expiry = mc_kv_expiry(e);
    size_t ntotal = mc_kv_ntotal(m->nkey, mc_kv_flags(e), nval);
    mc_meta_compose_me(out, key, klen, expiry == 0 ? -1 : mc_now() - expiry, prior.idle_s, e->cas,
                       (prior.bits & MC_BIT_FETCHED) != 0, mc_kv_slab_class(ntotal), ntotal);
}

void mc_meta_execute(struct mc_out *out, const struct mc_meta_request *m)
{
    switch (m->cmd) {
    case MC_META_MG: meta_get(out, m); break;
    case MC_META_MS: meta_set(out, m); break;
    case MC_META_MD: meta_delete(out, m); break;
    case MC_META_MA: meta_arith(out, m); break;
    case MC_META_MN: mc_out_append(out, "MN\r\n", 4); break;
    case MC_META_ME: meta_debug(out, m); break;
    default: mc_compose_line(out, MC_R_ERROR); break;
    }
}
