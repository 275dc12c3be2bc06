#ifndef SWIFT_SFU_CLIBSRTP_BENCH_SHIM_H
#define SWIFT_SFU_CLIBSRTP_BENCH_SHIM_H
#include <srtp2/srtp.h>
#endif
