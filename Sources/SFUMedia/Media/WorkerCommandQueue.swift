import CSFUSystem
import Glibc
import Synchronization

/// Commands from the control plane (signaling, rooms) to one media worker.
///
/// Control traffic is rare (a few per PeerConnection set-up), so a short mutex-guarded append
/// plus an eventfd wake-up is enough here; the packet path never touches this queue except
/// to drain it when the eventfd fires.
final class WorkerCommandQueue: Sendable {
    typealias Command = @Sendable (MediaWorker) -> Void

    private let pending = Mutex<[Command]>([])
    /// Wakes the worker's epoll loop.
    let eventDescriptor: Int32

    init() throws {
        let fd = csfu_eventfd_create()
        guard fd >= 0 else { throw MediaEngineError.systemCall("eventfd", -fd) }
        eventDescriptor = fd
    }

    deinit { close(eventDescriptor) }

    func enqueue(_ command: @escaping Command) {
        pending.withLock { $0.append(command) }
        csfu_eventfd_signal(eventDescriptor)
    }

    /// Called by the worker thread when the eventfd is readable.
    func drain() -> [Command] {
        csfu_eventfd_drain(eventDescriptor)
        return pending.withLock { commands in
            let taken = commands
            commands.removeAll(keepingCapacity: true)
            return taken
        }
    }
}

public enum MediaEngineError: Error, CustomStringConvertible {
    case systemCall(String, Int32)
    case noICEAddress
    case portRangeTooSmall(needed: Int, available: Int)

    public var description: String {
        switch self {
        case .systemCall(let name, let code): return "\(name) failed: \(String(cString: strerror(code)))"
        case .noICEAddress: return "no ICE address configured"
        case .portRangeTooSmall(let needed, let available):
            return "media port range has \(available) ports, \(needed) media workers need one each"
        }
    }
}
