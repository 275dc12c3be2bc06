#define _GNU_SOURCE
#include "csfu_process.h"
#include <pthread.h>
#include <sched.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int csfu_affinity_cpu_count(void) {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return 0;
    return CPU_COUNT(&mask);
}

void csfu_set_current_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = '\0';
    pthread_setname_np(pthread_self(), truncated);
}

int csfu_release_free_heap_memory(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return -1;
#endif
}
