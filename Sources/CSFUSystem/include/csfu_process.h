#ifndef SWIFT_SFU_CSFU_PROCESS_H
#define SWIFT_SFU_CSFU_PROCESS_H
// Process and thread calls that Glibc keeps behind _GNU_SOURCE (so Swift does not see them),
// and glibc's allocator control: what the media plane needs without Foundation.

#ifdef __cplusplus
extern "C" {
#endif

/// CPUs in this thread's scheduler affinity mask (taskset, cpusets); 0 if it cannot be read.
int csfu_affinity_cpu_count(void);

/// Names the calling thread (first 15 bytes; `/proc/PID/task/TID/comm`, `top -H`).
void csfu_set_current_thread_name(const char *name);

/// Returns the allocator's free memory to the kernel (glibc `malloc_trim(0)`, every arena).
/// Returns 1 if memory was released, 0 if none was, -1 where the allocator offers no such call.
int csfu_release_free_heap_memory(void);

#ifdef __cplusplus
}
#endif
#endif
