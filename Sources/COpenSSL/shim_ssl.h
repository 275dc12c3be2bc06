#ifndef SWIFT_SFU_COPENSSL_SHIM_SSL_H
#define SWIFT_SFU_COPENSSL_SHIM_SSL_H
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/ec.h>
#include <openssl/bio.h>
// Static inline wrappers for libssl macros (SSL_set_mtu, DTLSv1_get_timeout, ...) go here.
#endif
