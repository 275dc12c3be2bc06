import CSFUSystem
#if canImport(Glibc)
import Glibc
#endif

/// Starts a named, detached POSIX thread that runs a closure once: what a media worker runs
/// on. A bare pthread instead of Foundation's `Thread`, so that the media plane does not load
/// Foundation (and ICU) into the process; the name shows in `top -H` and `/proc/PID/task/*/comm`.
enum WorkerThread {
    struct StartError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "pthread_create failed (\(code))" }
    }

    private final class Start {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// - Parameters:
    ///   - name: at most 15 bytes are kept (the kernel's limit for a thread name).
    ///   - stackSize: address space reserved for the stack; only the pages it touches cost memory.
    static func start(name: String, stackSize: Int, _ body: @escaping @Sendable () -> Void) throws(StartError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { raw in
                guard let raw else { return nil }
                let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
                csfu_set_current_thread_name(start.name)
                start.body()
                return nil
            }, start)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw StartError(code: result)
        }
    }
}
