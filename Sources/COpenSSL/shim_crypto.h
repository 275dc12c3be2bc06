#ifndef SWIFT_SFU_COPENSSL_SHIM_CRYPTO_H
#define SWIFT_SFU_COPENSSL_SHIM_CRYPTO_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>
// Static inline wrappers for libcrypto macros that do not import into Swift go here.

// ---- SRTP helpers (Sources/RTP/SRTP) ----------------------------------------------------
// Thin per-packet sequences of EVP calls, so the Swift side makes one C call per operation.
// Contexts are created once per SRTP context with the key; only the IV changes per packet.

/// AES-CTR over `len` bytes from `in` to `out` (may be equal) with a fresh 16-byte IV
/// (key set at context creation).
static inline int sfu_aes_ctr_xor2(EVP_CIPHER_CTX *ctx, const unsigned char *iv,
                                   const unsigned char *in, unsigned char *out, int len) {
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1) return 0;
    if (len == 0) return 1;
    return EVP_CipherUpdate(ctx, out, &outl, in, len) == 1 && outl == len;
}

/// AES-CTR in place.
static inline int sfu_aes_ctr_xor(EVP_CIPHER_CTX *ctx, const unsigned char *iv, unsigned char *data, int len) {
    return sfu_aes_ctr_xor2(ctx, iv, data, data, len);
}

/// AES-GCM seal: AAD = aad1 || aad2, `len` bytes from `in` encrypted to `out` (may be equal),
/// 16-byte tag to `tag`.
static inline int sfu_aes_gcm_seal2(EVP_CIPHER_CTX *ctx, const unsigned char *iv,
                                    const unsigned char *aad1, int aad1Len,
                                    const unsigned char *aad2, int aad2Len,
                                    const unsigned char *in, unsigned char *out, int len, unsigned char *tag) {
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1) return 0;
    if (aad1Len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad1, aad1Len) != 1) return 0;
    if (aad2Len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad2, aad2Len) != 1) return 0;
    if (len > 0 && EVP_CipherUpdate(ctx, out, &outl, in, len) != 1) return 0;
    if (EVP_CipherFinal_ex(ctx, out + len, &outl) != 1) return 0;
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

/// AES-GCM seal in place.
static inline int sfu_aes_gcm_seal(EVP_CIPHER_CTX *ctx, const unsigned char *iv,
                                   const unsigned char *aad1, int aad1Len,
                                   const unsigned char *aad2, int aad2Len,
                                   unsigned char *data, int len, unsigned char *tag) {
    return sfu_aes_gcm_seal2(ctx, iv, aad1, aad1Len, aad2, aad2Len, data, data, len, tag);
}

/// AES-GCM open in place; returns 1 only when the tag verifies.
static inline int sfu_aes_gcm_open(EVP_CIPHER_CTX *ctx, const unsigned char *iv,
                                   const unsigned char *aad1, int aad1Len,
                                   const unsigned char *aad2, int aad2Len,
                                   unsigned char *data, int len, const unsigned char *tag) {
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 0) != 1) return 0;
    if (aad1Len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad1, aad1Len) != 1) return 0;
    if (aad2Len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad2, aad2Len) != 1) return 0;
    if (len > 0 && EVP_CipherUpdate(ctx, data, &outl, data, len) != 1) return 0;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) != 1) return 0;
    return EVP_CipherFinal_ex(ctx, data + len, &outl) == 1;
}

/// Creates a cipher context keyed for AES-128-CTR (mode 0) or AES-128-GCM (mode 1).
static inline EVP_CIPHER_CTX *sfu_aes128_ctx_new(int mode, const unsigned char *key) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return NULL;
    const EVP_CIPHER *cipher = mode == 1 ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
    if (EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, 1) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

// HMAC-SHA1 with the inner and outer pad states hashed once per key (RFC 2104 §4), so a
// packet costs two SHA-1 finishes and no provider dispatch or allocation.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
typedef struct {
    SHA_CTX inner;
    SHA_CTX outer;
} sfu_hmac_sha1_key;

static inline void sfu_hmac_sha1_set_key(sfu_hmac_sha1_key *k, const unsigned char *key, size_t keyLen) {
    unsigned char block[64];
    unsigned char hashed[20];
    if (keyLen > 64) {
        SHA1(key, keyLen, hashed);
        key = hashed;
        keyLen = 20;
    }
    memset(block, 0x36, sizeof block);
    for (size_t i = 0; i < keyLen; i++) block[i] ^= key[i];
    SHA1_Init(&k->inner);
    SHA1_Update(&k->inner, block, sizeof block);
    memset(block, 0x5c, sizeof block);
    for (size_t i = 0; i < keyLen; i++) block[i] ^= key[i];
    SHA1_Init(&k->outer);
    SHA1_Update(&k->outer, block, sizeof block);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(hashed, sizeof hashed);
}

/// HMAC-SHA1(key, d1 || d2) into out[20].
static inline void sfu_hmac_sha1(const sfu_hmac_sha1_key *k, const void *d1, size_t l1,
                                 const void *d2, size_t l2, unsigned char *out) {
    SHA_CTX c = k->inner;
    unsigned char inner[20];
    SHA1_Update(&c, d1, l1);
    if (l2 > 0) SHA1_Update(&c, d2, l2);
    SHA1_Final(inner, &c);
    c = k->outer;
    SHA1_Update(&c, inner, sizeof inner);
    SHA1_Final(out, &c);
}
#pragma GCC diagnostic pop

#endif
