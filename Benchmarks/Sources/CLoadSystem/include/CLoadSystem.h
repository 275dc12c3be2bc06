#ifndef SFU_LOAD_SYSTEM_H
#define SFU_LOAD_SYSTEM_H
// Batched UDP receive and epoll for sfu-load's media threads (recvmmsg sits behind _GNU_SOURCE,
// which Swift's Glibc module does not define).
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One receive slot: the caller owns `buffer` (`capacity` bytes); the call fills `length`, the
/// source address and, when the socket has SO_TIMESTAMPNS on, the kernel's arrival time
/// (CLOCK_REALTIME nanoseconds, 0 when absent).
typedef struct load_datagram {
    void *buffer;
    uint32_t capacity;
    uint32_t length;
    struct sockaddr_storage address;
    int64_t arrival_realtime_ns;
} load_datagram;

/// Asks the kernel to timestamp each datagram as it reaches the socket. 0 or -errno.
int load_enable_receive_timestamps(int fd);

/// CLOCK_REALTIME minus CLOCK_MONOTONIC, in nanoseconds, now.
int64_t load_realtime_offset_ns(void);

/// Prepared recvmmsg headers bound to `count` (at most 64) caller-owned slots, so a receive
/// only resets the fields the kernel overwrites. One per thread.
typedef struct load_receiver load_receiver;

/// NULL on failure. The slots must outlive the receiver and not move.
load_receiver *load_receiver_create(load_datagram *slots, unsigned int count);
void load_receiver_destroy(load_receiver *receiver);

/// recvmmsg into the receiver's slots without blocking. Returns how many arrived (0 if none),
/// or -errno.
int load_receive_batch(load_receiver *receiver, int fd);

/// epoll: use CSFUSystem's csfu_epoll_* (the server's own wrappers).

#ifdef __cplusplus
}
#endif
#endif
