import Synchronization

extension MediaEngine {
    /// The transport's state, read on its worker thread (one queued command, never on the packet
    /// path). Nil when the transport is gone, or when its worker does not answer within a second
    /// (stopped or stalled: the Admin API must not hang on it).
    public func inspect(_ allocation: TransportAllocation) async -> TransportInspection? {
        let answer = OneShotAnswer()
        return await withCheckedContinuation { (continuation: CheckedContinuation<TransportInspection?, Never>) in
            answer.arm(continuation)
            workers[allocation.workerIndex].commands.enqueue { worker, _ in
                guard let transport = worker.transport(id: allocation.id) else { return answer.resolve(nil) }
                var inspection = transport.inspection()
                if inspection.selectedRemote != nil, worker.localAddresses.indices.contains(transport.selectedSocket) {
                    inspection.selectedLocal = worker.localAddresses[transport.selectedSocket].description
                }
                answer.resolve(inspection)
            }
            Task {
                try? await Task.sleep(for: .seconds(1))
                answer.resolve(nil)
            }
        }
    }
}

/// Resumes a continuation once, with the first of the worker's answer and the timeout.
private final class OneShotAnswer: Sendable {
    private let continuation = Mutex<CheckedContinuation<TransportInspection?, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<TransportInspection?, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resolve(_ value: TransportInspection?) {
        let waiting = continuation.withLock { slot in
            defer { slot = nil }
            return slot
        }
        waiting?.resume(returning: value)
    }
}
