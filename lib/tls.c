/* lib/tls: see tls.h. Only context setup lives here; the per-connection
 * non-blocking I/O belongs to the daemon's event code, which knows its
 * clients and events. */
#include "lib/tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "<what> '<file>': <reason>" with the reason from OpenSSL's queue, or
 * from access() when the file cannot be read at all. */
static void tls_file_error(char *errbuf, size_t errlen, const char *what, const char *file)
{
    char reason[256] = "unknown error";
    if (access(file, R_OK) < 0) {
        snprintf(reason, sizeof(reason), "%s", strerror(errno));
    } else {
        unsigned long e = ERR_peek_last_error();
        if (e != 0) ERR_error_string_n(e, reason, sizeof(reason));
    }
    ERR_clear_error();
    snprintf(errbuf, errlen, "Failed to load %s '%s': %s", what, file, reason);
}

static int tls_has(const char *s) { return s != NULL && s[0] != '\0'; }

static int tls_load_files(SSL_CTX *ctx, const char *cert_file, const char *key_file, const char *ca_file,
                          char *errbuf, size_t errlen)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        tls_file_error(errbuf, errlen, "tls-cert-file", cert_file);
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        tls_file_error(errbuf, errlen, "tls-key-file", key_file);
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        snprintf(errbuf, errlen, "tls-key-file '%s' does not match tls-cert-file '%s'", key_file, cert_file);
        return -1;
    }
    if (tls_has(ca_file) && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        tls_file_error(errbuf, errlen, "tls-ca-cert-file", ca_file);
        return -1;
    }
    return 0;
}

/* What both sides share: TLS 1.2 at least, no compression or
 * renegotiation, and writes that may be partial from a buffer that moves
 * (realloc) and grows between retries. */
static SSL_CTX *tls_ctx_new(const SSL_METHOD *method, char *errbuf, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (ctx == NULL) {
        snprintf(errbuf, errlen, "SSL_CTX_new failed");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    return ctx;
}

SSL_CTX *tls_server_ctx_create(const char *cert_file, const char *key_file, const char *ca_file,
                               enum tls_auth auth, char *errbuf, size_t errlen)
{
    if (!tls_has(cert_file) || !tls_has(key_file)) {
        snprintf(errbuf, errlen, "TLS needs tls-cert-file and tls-key-file");
        return NULL;
    }
    if (auth != TLS_AUTH_NO && !tls_has(ca_file)) {
        snprintf(errbuf, errlen, "tls-auth-clients %s needs tls-ca-cert-file",
                 auth == TLS_AUTH_YES ? "yes" : "optional");
        return NULL;
    }
    SSL_CTX *ctx = tls_ctx_new(TLS_server_method(), errbuf, errlen);
    if (ctx == NULL) return NULL;
    if (tls_load_files(ctx, cert_file, key_file, ca_file, errbuf, errlen) < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    int mode = SSL_VERIFY_NONE;
    if (auth == TLS_AUTH_YES) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    else if (auth == TLS_AUTH_OPTIONAL) mode = SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, mode, NULL);
    /* With client certificates verified, OpenSSL refuses to resume a
     * session (a TLS 1.2 session ID or a 1.3 ticket) whose context was
     * never named, failing the handshake with "session id context
     * uninitialized". Session caches and ticket keys are per SSL_CTX, so
     * one name serves every context. */
    static const unsigned char sid_ctx[] = "shoal";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
    return ctx;
}

SSL_CTX *tls_client_ctx_create(const char *ca_file, const char *cert_file, const char *key_file,
                               int verify, char *errbuf, size_t errlen)
{
    if (tls_has(cert_file) != tls_has(key_file)) {
        snprintf(errbuf, errlen, "a client certificate needs both a certificate and a key file");
        return NULL;
    }
    SSL_CTX *ctx = tls_ctx_new(TLS_client_method(), errbuf, errlen);
    if (ctx == NULL) return NULL;
    /* the caller keeps one session per server and offers it on reconnect */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    int rc = 0;
    if (tls_has(cert_file)) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
            tls_file_error(errbuf, errlen, "client certificate", cert_file);
            rc = -1;
        } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
            tls_file_error(errbuf, errlen, "client key", key_file);
            rc = -1;
        } else if (SSL_CTX_check_private_key(ctx) != 1) {
            ERR_clear_error();
            snprintf(errbuf, errlen, "client key '%s' does not match client certificate '%s'",
                     key_file, cert_file);
            rc = -1;
        }
    }
    if (rc == 0 && verify) {
        if (tls_has(ca_file) ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1
                             : SSL_CTX_set_default_verify_paths(ctx) != 1) {
            if (tls_has(ca_file)) tls_file_error(errbuf, errlen, "CA certificates", ca_file);
            else snprintf(errbuf, errlen, "cannot load the system's default CA certificates");
            ERR_clear_error();
            rc = -1;
        }
    }
    if (rc != 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    return ctx;
}

static int tls_ms_index = -1;   /* ex_data index, made by the first setter */

void tls_ctx_set_handshake_ms(SSL_CTX *ctx, int ms)
{
    int idx = __atomic_load_n(&tls_ms_index, __ATOMIC_ACQUIRE);
    if (idx < 0) {
        idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
        int unset = -1;
        if (!__atomic_compare_exchange_n(&tls_ms_index, &unset, idx, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            idx = unset;
    }
    if (idx >= 0) SSL_CTX_set_ex_data(ctx, idx, (void *)(intptr_t)(ms > 0 ? ms : 0));
}

int tls_ctx_handshake_ms(const SSL_CTX *ctx)
{
    int idx = __atomic_load_n(&tls_ms_index, __ATOMIC_ACQUIRE);
    return idx < 0 ? 0 : (int)(intptr_t)SSL_CTX_get_ex_data(ctx, idx);
}

void tls_ctx_destroy(SSL_CTX **ctx)
{
    if (*ctx == NULL) return;
    SSL_CTX_free(*ctx);
    *ctx = NULL;
}
