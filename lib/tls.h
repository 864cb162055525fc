/* lib/tls: the OpenSSL 3 server context a daemon's TLS listeners share,
 * and the client context a proxy connects to its nodes with.  Built once
 * at startup (or reload) from PEM files; every failure names the file it
 * came from, so a wrong path or a key that does not match the certificate
 * stops the daemon with a message the operator can act on. */
#ifndef SHOAL_TLS_H
#define SHOAL_TLS_H

#include <stddef.h>

struct ssl_ctx_st;

/* tls-auth-clients: index into the option's names {no, yes, optional} */
enum tls_auth { TLS_AUTH_NO = 0, TLS_AUTH_YES = 1, TLS_AUTH_OPTIONAL = 2 };

/* A server context from cert (chain), key and CA (may be NULL or "" when
 * auth is TLS_AUTH_NO), TLS 1.2 and up, with its session ID context named
 * so clients can resume sessions (certificate or not). NULL on error, with
 * the reason in errbuf. */
struct ssl_ctx_st *tls_server_ctx_create(const char *cert_file, const char *key_file, const char *ca_file,
                                         enum tls_auth auth, char *errbuf, size_t errlen);
/* A client context, TLS 1.2 and up: servers verified against ca_file (NULL
 * or "": the system's default trust store) unless verify is 0; a client
 * certificate when cert_file and key_file are given (both or neither).
 * Sessions are kept by the caller (client cache mode, no internal store).
 * NULL on error, with the reason in errbuf. */
struct ssl_ctx_st *tls_client_ctx_create(const char *ca_file, const char *cert_file,
                                         const char *key_file, int verify, char *errbuf,
                                         size_t errlen);
void tls_ctx_destroy(struct ssl_ctx_st **ctx);

/* How long (ms, 0 = no limit) a handshake on a connection of ctx may take:
 * attached to the context (ex_data) by whoever builds it, read by the event
 * code that runs the handshakes.  0 until set. */
void tls_ctx_set_handshake_ms(struct ssl_ctx_st *ctx, int ms);
int tls_ctx_handshake_ms(const struct ssl_ctx_st *ctx);

#endif
