#ifndef SWIFT_SFU_COPENSSL_SHIM_CRYPTO_H
#define SWIFT_SFU_COPENSSL_SHIM_CRYPTO_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
// Static inline wrappers for libcrypto macros that do not import into Swift go here.
#endif
