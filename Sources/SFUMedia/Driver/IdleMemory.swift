import CSFUSystem

/// Returns freed heap memory to the kernel once a media worker has no transport left.
///
/// glibc keeps what a burst of sessions freed in its arenas (one per thread that allocated:
/// NIO loop, media workers, concurrency threads), so a server that served a room and went idle
/// again stayed ≈ 8 MB above its idle size (measured: RSS 33 → 41 MB over 8 `sfu-load` runs,
/// live heap flat at ≈ 1.8 MB). `malloc_trim(0)` hands those pages back. It walks every arena
/// under its lock, so it runs only when a worker goes idle, never on the packet path.
public enum IdleMemory {
    /// Called on a media worker thread after its last transport was removed, and by the
    /// signaling transports after a connection that held a lot (a slow consumer) is gone.
    public static func release() {
        _ = csfu_release_free_heap_memory()
    }
}
