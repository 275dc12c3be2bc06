#define _GNU_SOURCE
#include "CSFUSystem.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/udp.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

#define CSFU_MAX_BATCH 64

int csfu_receive_batch(int fd, csfu_datagram *slots, unsigned int count) {
    struct mmsghdr headers[CSFU_MAX_BATCH];
    struct iovec vectors[CSFU_MAX_BATCH];
    if (count > CSFU_MAX_BATCH) count = CSFU_MAX_BATCH;
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = slots[i].buffer;
        vectors[i].iov_len = slots[i].capacity;
        memset(&headers[i].msg_hdr, 0, sizeof(struct msghdr));
        headers[i].msg_hdr.msg_name = &slots[i].address;
        headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
    }
    int received;
    do {
        received = recvmmsg(fd, headers, count, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -errno;
    }
    for (int i = 0; i < received; i++) {
        slots[i].length = headers[i].msg_len;
        slots[i].address_length = headers[i].msg_hdr.msg_namelen;
        slots[i].segment_size = 0;
        if (headers[i].msg_hdr.msg_flags & MSG_TRUNC) slots[i].length = 0; // oversized: drop
    }
    return received;
}

int csfu_send_batch(int fd, csfu_datagram *slots, unsigned int count) {
    struct mmsghdr headers[CSFU_MAX_BATCH];
    struct iovec vectors[CSFU_MAX_BATCH];
    // Room for one UDP_SEGMENT control message per datagram.
    union {
        char buffer[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } controls[CSFU_MAX_BATCH];
    if (count > CSFU_MAX_BATCH) count = CSFU_MAX_BATCH;
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = slots[i].buffer;
        vectors[i].iov_len = slots[i].length;
        memset(&headers[i].msg_hdr, 0, sizeof(struct msghdr));
        headers[i].msg_hdr.msg_name = &slots[i].address;
        headers[i].msg_hdr.msg_namelen = slots[i].address_length;
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        if (slots[i].segment_size > 0 && slots[i].length > slots[i].segment_size) {
            headers[i].msg_hdr.msg_control = controls[i].buffer;
            headers[i].msg_hdr.msg_controllen = sizeof(controls[i].buffer);
            struct cmsghdr *cm = CMSG_FIRSTHDR(&headers[i].msg_hdr);
            cm->cmsg_level = SOL_UDP;
            cm->cmsg_type = UDP_SEGMENT;
            cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t segment = slots[i].segment_size;
            memcpy(CMSG_DATA(cm), &segment, sizeof(segment));
        }
    }
    int sent;
    do {
        sent = sendmmsg(fd, headers, count, MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return -errno;
    return sent;
}

int csfu_udp_bind(const struct sockaddr *address, socklen_t length, int receive_buffer, int send_buffer) {
    int fd = socket(address->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (address->sa_family == AF_INET6) {
        int one = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (receive_buffer > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    if (send_buffer > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof(send_buffer));
    if (bind(fd, address, length) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int csfu_udp_gso_supported(int fd) {
    int value = 0;
    socklen_t length = sizeof(value);
    return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &value, &length) == 0;
}

int csfu_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int csfu_epoll_add(int epoll_fd, int fd, uint64_t tag) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN;
    event.data.u64 = tag;
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0 ? -errno : 0;
}

int csfu_epoll_wait(int epoll_fd, uint64_t *tags, int max_tags, int timeout_ms) {
    struct epoll_event events[64];
    if (max_tags > 64) max_tags = 64;
    int ready = epoll_wait(epoll_fd, events, max_tags, timeout_ms);
    if (ready < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < ready; i++) tags[i] = events[i].data.u64;
    return ready;
}

int csfu_eventfd_create(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

void csfu_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof(one));
    (void)ignored;
}

void csfu_eventfd_drain(int fd) {
    uint64_t counter;
    ssize_t ignored = read(fd, &counter, sizeof(counter));
    (void)ignored;
}
