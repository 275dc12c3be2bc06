#ifndef SWIFT_SFU_COPENSSL_SHIM_H
#define SWIFT_SFU_COPENSSL_SHIM_H
// Umbrella: libcrypto wrappers (SRTP) and libssl wrappers (DTLS) live in their own headers.
#include "shim_crypto.h"
#include "shim_ssl.h"
#endif
