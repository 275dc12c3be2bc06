// See CLoadSystem.h.
#define _GNU_SOURCE
#include "CLoadSystem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>

enum { load_batch_max = 64 };

int load_enable_receive_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0 ? -errno : 0;
}

int64_t load_realtime_offset_ns(void) {
    struct timespec real, mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &real);
    return ((int64_t)real.tv_sec - (int64_t)mono.tv_sec) * 1000000000LL + ((int64_t)real.tv_nsec - (int64_t)mono.tv_nsec);
}

struct load_receiver {
    load_datagram *slots;
    unsigned int count;
    struct mmsghdr messages[load_batch_max];
    struct iovec vectors[load_batch_max];
    // Room for one SCM_TIMESTAMPNS per message.
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } controls[load_batch_max];
};

load_receiver *load_receiver_create(load_datagram *slots, unsigned int count) {
    if (!slots || count == 0) return NULL;
    load_receiver *receiver = calloc(1, sizeof(*receiver));
    if (!receiver) return NULL;
    receiver->slots = slots;
    receiver->count = count > load_batch_max ? load_batch_max : count;
    for (unsigned int index = 0; index < receiver->count; index++) {
        receiver->vectors[index].iov_base = slots[index].buffer;
        receiver->vectors[index].iov_len = slots[index].capacity;
        receiver->messages[index].msg_hdr.msg_iov = &receiver->vectors[index];
        receiver->messages[index].msg_hdr.msg_iovlen = 1;
        receiver->messages[index].msg_hdr.msg_name = &slots[index].address;
        receiver->messages[index].msg_hdr.msg_control = receiver->controls[index].bytes;
    }
    return receiver;
}

void load_receiver_destroy(load_receiver *receiver) { free(receiver); }

int load_receive_batch(load_receiver *receiver, int fd) {
    for (unsigned int index = 0; index < receiver->count; index++) {
        struct msghdr *header = &receiver->messages[index].msg_hdr;
        header->msg_namelen = sizeof(struct sockaddr_storage);
        header->msg_controllen = sizeof(receiver->controls[index].bytes);
        header->msg_flags = 0;
    }
    int received = recvmmsg(fd, receiver->messages, receiver->count, MSG_DONTWAIT, NULL);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
    for (int index = 0; index < received; index++) {
        struct msghdr *header = &receiver->messages[index].msg_hdr;
        load_datagram *slot = &receiver->slots[index];
        slot->length = receiver->messages[index].msg_len;
        slot->arrival_realtime_ns = 0;
        for (struct cmsghdr *control = CMSG_FIRSTHDR(header); control != NULL; control = CMSG_NXTHDR(header, control)) {
            if (control->cmsg_level == SOL_SOCKET && control->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(control), sizeof(stamp));
                slot->arrival_realtime_ns = (int64_t)stamp.tv_sec * 1000000000LL + stamp.tv_nsec;
            }
        }
    }
    return received;
}
