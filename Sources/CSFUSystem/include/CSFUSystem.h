#ifndef SWIFT_SFU_CSFUSYSTEM_H
#define SWIFT_SFU_CSFUSYSTEM_H
// Linux socket calls that Glibc does not export to Swift (they sit behind _GNU_SOURCE), kept as
// thin wrappers so the media workers can batch receives and sends.
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "csfu_process.h"

#ifdef __cplusplus
extern "C" {
#endif

/// One datagram slot for batched I/O: the caller owns `buffer` and `address` storage.
typedef struct csfu_datagram {
    void *buffer;
    uint32_t capacity;      // bytes available in buffer (receive) / ignored (send)
    uint32_t length;        // bytes received / bytes to send
    struct sockaddr_storage address;
    uint32_t address_length;
    uint16_t segment_size;  // receive: GRO segment size, 0 = none; unused on send
} csfu_datagram;

/// recvmmsg into `count` slots, non-blocking. Returns the number received, 0 if none, -errno on error.
int csfu_receive_batch(int fd, csfu_datagram *slots, unsigned int count);

/// sendmmsg of `count` slots (`segment_size` is ignored). With `gso` nonzero, runs of adjacent
/// slots to the same destination with equal lengths (the last may be shorter) go out as one
/// UDP_SEGMENT message. Returns the number of slots sent (possibly fewer), -errno on error, or
/// CSFU_SEND_GSO_REFUSED when the kernel refused a GSO message (EIO/EINVAL): send without GSO.
int csfu_send_batch(int fd, csfu_datagram *slots, unsigned int count, int gso);
#define CSFU_SEND_GSO_REFUSED (-100000)

/// A non-blocking UDP socket bound to the address (IPv4 or IPv6). Returns fd or -errno.
int csfu_udp_bind(const struct sockaddr *address, socklen_t length, int receive_buffer, int send_buffer);

/// Whether the kernel accepts UDP_SEGMENT on this socket (GSO).
int csfu_udp_gso_supported(int fd);

/// epoll instance (close-on-exec). Returns fd or -errno.
int csfu_epoll_create(void);
/// Watches `fd` for readability; `tag` comes back from csfu_epoll_wait. Returns 0 or -errno.
int csfu_epoll_add(int epoll_fd, int fd, uint64_t tag);
/// Waits up to `timeout_ms`; writes the tags of ready descriptors. Returns the count, 0 on
/// timeout or EINTR, -errno on error.
int csfu_epoll_wait(int epoll_fd, uint64_t *tags, int max_tags, int timeout_ms);

/// Non-blocking, close-on-exec eventfd. Returns fd or -errno.
int csfu_eventfd_create(void);
/// Adds one to the counter (wakes a waiter).
void csfu_eventfd_signal(int fd);
/// Resets the counter.
void csfu_eventfd_drain(int fd);

#ifdef __cplusplus
}
#endif
#endif
