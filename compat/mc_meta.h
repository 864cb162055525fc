/* compat/mc_meta: Memcached meta commands (mg ms md ma mn me), parsed and
 * composed as memcached 1.6.18 does, plus the base64 helpers for `b` keys.
 *
 * Parsing.  When mc_text_parse() returns PARSE_OK with MC_CMD_META, call
 *
 *     struct mc_meta_request m;
 *     r = mc_meta_parse(buf, len, &lim, &m);
 *
 *   PARSE_OK       execute m; drop m.consumed bytes.
 *   PARSE_AGAIN    incomplete (m.need as in mc_text); nothing consumed.
 *   PARSE_EINVALID reply m.err + "\r\n" (meta errors are never hidden by
 *                  q), drop m.consumed bytes, then discard m.swallow more
 *                  bytes (ms whose <datalen> parsed: its data block).
 *   PARSE_ETOOBIG  ms value over lim.item_size_max: as EINVALID
 *                  (m.err = "SERVER_ERROR object too large for cache").
 *   m.cmd, the key and flags that parsed are filled in the error cases too.
 *
 * Flags.  mc_meta_has(&m, 'v') says whether a flag was sent; the typed
 * values (TTL tokens, CAS, client flags, mode, delta, initial, opaque) are in
 * the request.  m.flag[] keeps the flag tokens in request order: return
 * flags are composed from it (mc_meta_compose_flags) in that order, as
 * memcached does.  With b the key is decoded into m.kbuf (m.key points
 * there); m.key_raw is the token as sent.
 *
 * 1.6.18 vs the reference: 1.6.18 rejects the E (explicit CAS) flag and md's
 * x flag with "CLIENT_ERROR invalid flag" (checked live); newer releases
 * accept them.  lim.meta_new_flags (false by default) accepts them.
 *
 * Composing.  A reply is: mc_meta_compose_head(out, "HD") (or
 * mc_meta_compose_va(out, size) for a value), then
 * mc_meta_compose_flags(out, &m, mask, &item), then mc_meta_compose_end(),
 * then for VA mc_meta_compose_data().  Which status lines q hides is
 * mc_meta_quiet_skips(). */
#ifndef SHOAL_MC_META_H
#define SHOAL_MC_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/mc_sem.h"
#include "compat/mc_text.h"
#include "compat/parse.h"

#define MC_META_MAX_TOKENS 19   /* more tokens: "options flags are too long" */
#define MC_META_OPAQUE_MAX 32   /* O token length, the 'O' included */

#define MC_META_ERR_BAD_TOKEN "CLIENT_ERROR bad token in command line format"
#define MC_META_ERR_INVALID_FLAG "CLIENT_ERROR invalid flag"
#define MC_META_ERR_DUP_FLAG "CLIENT_ERROR duplicate flag"
#define MC_META_ERR_INVALID_OR_DUP "CLIENT_ERROR invalid or duplicate flag"
#define MC_META_ERR_OPAQUE "CLIENT_ERROR opaque token too long"
#define MC_META_ERR_TOO_MANY "CLIENT_ERROR options flags are too long"
#define MC_META_ERR_M_LENGTH "CLIENT_ERROR incorrect length for M token"
#define MC_META_ERR_MS_MODE "CLIENT_ERROR invalid mode for ms M token"
#define MC_META_ERR_MA_MODE "CLIENT_ERROR invalid mode for ma M token"
#define MC_META_ERR_DELTA "CLIENT_ERROR invalid numeric delta value"
#define MC_META_ERR_INITIAL "CLIENT_ERROR invalid numeric initial value"
#define MC_META_ERR_KEY "CLIENT_ERROR error decoding key"

enum mc_meta_cmd {
    MC_META_NONE = 0,
    MC_META_MG, MC_META_MS, MC_META_MD, MC_META_MA, MC_META_MN, MC_META_ME,
};

struct mc_meta_request {
    enum mc_meta_cmd cmd;
    const char *key;            /* decoded key */
    size_t nkey;
    const char *key_raw;        /* key token as sent */
    size_t nkey_raw;
    bool key_binary;            /* b: key was base64 */
    char kbuf[MC_KEY_MAX_LENGTH];
    struct mc_token flag[MC_META_MAX_TOKENS];  /* flag tokens, request order */
    unsigned nflags;
    uint64_t seen[2];           /* flag characters 0..127 seen */
    bool quiet;                 /* q */
    int32_t ttl_n, ttl_r, ttl_t;/* N R T tokens (raw; use mc_sem_exptime) */
    uint64_t cas_c;             /* C: compare CAS */
    uint64_t cas_e;             /* E: explicit new CAS */
    uint32_t client_flags;      /* F */
    char mode;                  /* M token, 0 when absent */
    uint64_t delta;             /* D (default 1) */
    uint64_t initial;           /* J (default 0) */
    const char *opaque;         /* O token with its 'O', for echoing */
    size_t nopaque;
    const char *data;           /* ms: the value without \r\n */
    size_t ndata;
    size_t consumed, need, swallow;
    const char *err;
};

enum parse_result mc_meta_parse(const char *buf, size_t len,
                                const struct mc_limits *lim,
                                struct mc_meta_request *req);

static inline bool mc_meta_has(const struct mc_meta_request *req, char f)
{
    unsigned c = (unsigned char)f;
    return c < 128 && (req->seen[c >> 6] >> (c & 63)) & 1;
}

/* Does q hide this status line?  1.6.18 (live): mg hides EN; ms hides HD;
 * md hides HD; ma hides HD (and its VA) but not NF.  Errors, EX, NS and
 * mg's VA are always sent. */
bool mc_meta_quiet_skips(enum mc_meta_cmd cmd, const char *status);

/* What the return flags report about the item. */
struct mc_meta_item {
    const char *key;            /* as stored (decoded) */
    size_t nkey;
    bool key_binary;            /* echo k as base64 followed by " b" */
    uint32_t client_flags;      /* f */
    size_t size;                /* s: value length */
    int64_t ttl;                /* t: remaining seconds, -1 = never */
    uint64_t cas;               /* c */
    bool fetched;               /* h: fetched before this request */
    int64_t last_access;        /* l: seconds since last access */
    bool win, stale, win_sent;  /* W, X, Z (mg only) */
};

/* Return flags each reply carries (1.6.18): mg hit "stcflhOk" then Z X W;
 * EN, md and NF/NS/EX "Ok"; ms "Okc"; ma "Oktc". */
#define MC_META_RET_MG "stcflhOk"
#define MC_META_RET_MISS "Ok"
#define MC_META_RET_MS "Okc"
#define MC_META_RET_MD "Ok"
#define MC_META_RET_MA "Oktc"

void mc_meta_compose_head(struct mc_out *out, const char *status);
void mc_meta_compose_va(struct mc_out *out, size_t size);
/* Append " <flag><value>" for each requested flag in `mask`, in request
 * order; `it` may be NULL for replies that only echo O and k (then k echoes
 * the request key).  With `trailer`, append Z, X, W as mg does. */
void mc_meta_compose_flags(struct mc_out *out, const struct mc_meta_request *req,
                           const char *mask, const struct mc_meta_item *it,
                           bool trailer);
void mc_meta_compose_end(struct mc_out *out);
/* " k<key>", or " k<base64> b" for a binary key (the k flag). */
void mc_meta_compose_key(struct mc_out *out, const char *key, size_t nkey, bool binary);
void mc_meta_compose_data(struct mc_out *out, const char *data, size_t n);
/* me: "ME <key> exp=.. la=.. cas=.. fetch=yes|no cls=.. size=..\r\n" */
void mc_meta_compose_me(struct mc_out *out, const char *key, size_t nkey,
                        int64_t exp, int64_t la, uint64_t cas, bool fetched,
                        unsigned cls, size_t size);

/* base64 with padding (RFC 4648); decode rejects bad length/characters
 * and returns 0 then, like memcached's base64_decode.  Sizes: encode needs
 * 4*((n+2)/3) bytes, decode at most 3*n/4. */
size_t mc_base64_encode(const unsigned char *src, size_t n, char *dst, size_t cap);
size_t mc_base64_decode(const char *src, size_t n, unsigned char *dst, size_t cap);

#endif
