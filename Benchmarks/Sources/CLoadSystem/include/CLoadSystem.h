#ifndef SFU_LOAD_SYSTEM_H
#define SFU_LOAD_SYSTEM_H
// Batched UDP receive and epoll for sfu-load's media threads (recvmmsg sits behind _GNU_SOURCE,
// which Swift's Glibc module does not define).
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One receive slot: the caller owns `buffer` (`capacity` bytes); the call fills `length` and
/// the source address.
typedef struct load_datagram {
    void *buffer;
    uint32_t capacity;
    uint32_t length;
    struct sockaddr_storage address;
} load_datagram;

/// recvmmsg into up to `count` slots without blocking. Returns how many arrived (0 if none),
/// or -errno.
int load_receive_batch(int fd, load_datagram *slots, unsigned int count);

/// A close-on-exec epoll instance, or -errno.
int load_epoll_create(void);
/// Watches `fd` for input; `tag` comes back from load_epoll_wait. 0 or -errno.
int load_epoll_add(int epoll_fd, int fd, uint64_t tag);
/// Waits up to `timeout_ms` and writes the tags of readable descriptors. Returns the count
/// (0 on timeout or EINTR) or -errno.
int load_epoll_wait(int epoll_fd, uint64_t *tags, int max_tags, int timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
