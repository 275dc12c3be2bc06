import CSFUSystem
import Glibc
import MediaCore

/// A worker's doorbell on an eventfd its epoll loop watches.
final class EventDoorbell: WorkerDoorbell {
    let descriptor: Int32

    init() throws {
        let fd = csfu_eventfd_create()
        guard fd >= 0 else { throw MediaEngineError.systemCall("eventfd", -fd) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    func ring() { csfu_eventfd_signal(descriptor) }
    func answer() { csfu_eventfd_drain(descriptor) }
}

/// The in-memory harness drives its workers itself: nothing to wake.
struct SilentDoorbell: WorkerDoorbell {
    func ring() {}
    func answer() {}
}
