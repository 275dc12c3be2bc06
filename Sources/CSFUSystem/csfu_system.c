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
/* Linux UDP_MAX_SEGMENTS is 64 (older kernels) or 128; stay below 64 KiB of payload. */
#define CSFU_GSO_MAX_SEGMENTS 64
#define CSFU_GSO_MAX_BYTES 60000

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

/* Same destination (family, port, address) for UDP GSO grouping. */
static int csfu_same_destination(const csfu_datagram *a, const csfu_datagram *b) {
    if (a->address_length != b->address_length || a->address.ss_family != b->address.ss_family) return 0;
    if (a->address.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)&a->address;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->address;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->address.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->address;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->address;
        return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
    }
    return 0;
}

int csfu_send_batch(int fd, csfu_datagram *slots, unsigned int count, int gso) {
    struct mmsghdr headers[CSFU_MAX_BATCH];
    struct iovec vectors[CSFU_MAX_BATCH];
    unsigned int slots_in_message[CSFU_MAX_BATCH];
    union {
        char buffer[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } controls[CSFU_MAX_BATCH];
    if (count > CSFU_MAX_BATCH) count = CSFU_MAX_BATCH;
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = slots[i].buffer;
        vectors[i].iov_len = slots[i].length;
    }
    unsigned int messages = 0;
    unsigned int i = 0;
    while (i < count) {
        // A run of datagrams to one destination, all `segment` bytes long except possibly a
        // shorter last one, becomes one GSO send: the kernel cuts it back into datagrams.
        uint32_t segment = slots[i].length;
        uint32_t total = segment;
        unsigned int j = i + 1;
        if (gso) {
            while (j < count && j - i < CSFU_GSO_MAX_SEGMENTS && slots[j].length > 0 &&
                   slots[j].length <= segment && slots[j - 1].length == segment &&
                   total + slots[j].length <= CSFU_GSO_MAX_BYTES && csfu_same_destination(&slots[i], &slots[j])) {
                total += slots[j].length;
                j++;
            }
        }
        struct msghdr *header = &headers[messages].msg_hdr;
        memset(header, 0, sizeof(struct msghdr));
        header->msg_name = &slots[i].address;
        header->msg_namelen = slots[i].address_length;
        header->msg_iov = &vectors[i];
        header->msg_iovlen = j - i;
        if (j - i > 1) {
            header->msg_control = controls[messages].buffer;
            header->msg_controllen = sizeof(controls[messages].buffer);
            struct cmsghdr *cm = CMSG_FIRSTHDR(header);
            cm->cmsg_level = SOL_UDP;
            cm->cmsg_type = UDP_SEGMENT;
            cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t size = (uint16_t)segment;
            memcpy(CMSG_DATA(cm), &size, sizeof(size));
        }
        slots_in_message[messages] = j - i;
        messages++;
        i = j;
    }
    int sent;
    do {
        sent = sendmmsg(fd, headers, messages, MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        // A refused GSO message is reported apart so the caller can turn GSO off and resend.
        if ((errno == EIO || errno == EINVAL) && slots_in_message[0] > 1) return CSFU_SEND_GSO_REFUSED;
        return -errno;
    }
    int datagrams = 0;
    for (int m = 0; m < sent; m++) datagrams += (int)slots_in_message[m];
    return datagrams;
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
    // 256: a load harness watches hundreds of sockets; 3 KB of stack.
    struct epoll_event events[256];
    if (max_tags > 256) max_tags = 256;
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
