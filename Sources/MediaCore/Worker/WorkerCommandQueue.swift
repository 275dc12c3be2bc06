import SFUBase
import Synchronization

/// Wakes a worker's loop from another thread (the driver's eventfd; nothing in memory).
package protocol WorkerDoorbell: Sendable {
    /// Makes the worker's next wait return at once.
    func ring()
    /// Called by the worker before it takes its commands: the rings so far are answered.
    func answer()
}

/// Commands from the control plane (signaling, rooms, other workers' routing changes) to one
/// media worker: a lock-free multi-producer single-consumer queue plus a doorbell.
///
/// Any thread may `enqueue`; only the owning worker thread calls `drain`. The queue is an
/// intrusive linked list with a stub node (Vyukov's MPSC design, written from its description):
/// a producer swaps itself in as the new head with one atomic exchange and then links the
/// previous head to it; the consumer follows `next` links from its private tail. Control traffic
/// only: every command is a heap-allocated closure, so the packet path never goes through here.
package final class WorkerCommandQueue: @unchecked Sendable {
    /// Runs on the worker thread with the worker and the time its loop (or the in-memory
    /// harness) is at: commands never read the clock themselves.
    package typealias Command = @Sendable (WorkerCore, MonotonicInstant) -> Void

    /// One queued command. `next` is the only field two threads touch (release/acquire).
    private final class Node {
        let next = Atomic<UInt>(0)
        var command: Command?
        init(_ command: Command?) { self.command = command }
    }

    /// The most recently pushed node (producers' end).
    private let head: Atomic<UInt>
    /// The last node the consumer took (its command already run); consumer thread only.
    private var tail: UInt
    /// Wakes the worker's loop.
    package let doorbell: any WorkerDoorbell

    package init(doorbell: any WorkerDoorbell) {
        self.doorbell = doorbell
        let stub = UInt(bitPattern: Unmanaged.passRetained(Node(nil)).toOpaque())
        head = Atomic(stub)
        tail = stub
    }

    deinit {
        while pop() != nil {}
        Self.node(tail).release()
    }

    private static func node(_ bits: UInt) -> Unmanaged<Node> {
        // `bits` always comes from `passRetained(...).toOpaque()` of a live node.
        Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: bits).unsafelyUnwrapped)
    }

    /// Queues `command` and wakes the worker. Lock-free; callable from any thread.
    package func enqueue(_ command: @escaping Command) {
        let node = UInt(bitPattern: Unmanaged.passRetained(Node(command)).toOpaque())
        let previous = head.exchange(node, ordering: .acquiringAndReleasing)
        Self.node(previous).takeUnretainedValue().next.store(node, ordering: .releasing)
        doorbell.ring()
    }

    /// Takes the oldest command, or nil when none is (completely) queued. Worker thread only.
    private func pop() -> Command? {
        let current = Self.node(tail)
        let next = current.takeUnretainedValue().next.load(ordering: .acquiring)
        guard next != 0 else { return nil }
        let successor = Self.node(next).takeUnretainedValue()
        let command = successor.command
        successor.command = nil
        tail = next
        current.release()
        return command
    }

    /// Runs every queued command on `worker`. Called by the worker thread when its doorbell rang;
    /// a producer caught between its exchange and its link is picked up at its own ring.
    package func drain(into worker: WorkerCore, now: MonotonicInstant) {
        doorbell.answer()
        while let command = pop() { command(worker, now) }
    }
}
