#ifndef SWIFT_SFU_COPENSSL_SHIM_SSL_H
#define SWIFT_SFU_COPENSSL_SHIM_SSL_H
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/ec.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/err.h>

// Static inline wrappers for libssl/libcrypto function-like macros (and one variadic call)
// that do not import into Swift. Used by Sources/ICE/DTLS only.

static inline long sfu_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
static inline long sfu_DTLS_set_link_mtu(SSL *ssl, long mtu) { return DTLS_set_link_mtu(ssl, mtu); }

/// DTLSv1_get_timeout: 1 and the time left (µs) when OpenSSL's retransmission timer runs, else 0.
static inline int sfu_DTLSv1_get_timeout_us(SSL *ssl, int64_t *microseconds) {
    struct timeval tv;
    memset(&tv, 0, sizeof(tv));
    if (DTLSv1_get_timeout(ssl, &tv) != 1) return 0;
    *microseconds = (int64_t)tv.tv_sec * 1000000 + (int64_t)tv.tv_usec;
    return 1;
}
static inline long sfu_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }

static inline int sfu_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int sfu_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long sfu_SSL_CTX_set_session_cache_off(SSL_CTX *ctx) {
    return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}
/// The options every DTLS-SRTP context uses: our own MTU (memory BIOs cannot be asked), no
/// session tickets or renegotiation (WebRTC never resumes), server cipher preference.
static inline uint64_t sfu_SSL_OP_dtls_srtp(void) {
    return SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION
        | SSL_OP_CIPHER_SERVER_PREFERENCE;
}
/// The largest record plaintext we send (512…16384); also sizes the record write buffer.
static inline long sfu_SSL_set_max_send_fragment(SSL *ssl, long length) {
    return SSL_set_max_send_fragment(ssl, length);
}
static inline int sfu_SSL_get_ex_new_index(void) {
    return SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static inline long sfu_BIO_set_mem_eof_return(BIO *bio, long value) {
    return BIO_set_mem_eof_return(bio, value);
}
static inline int sfu_BIO_reset(BIO *bio) { return (int)BIO_reset(bio); }

/// EVP_EC_gen is a macro over the variadic EVP_PKEY_Q_keygen.
static inline EVP_PKEY *sfu_EVP_EC_gen_P256(void) { return EVP_EC_gen("P-256"); }

#endif
