import Synchronization

extension MediaEngine {
    /// The transport's state, read on its worker thread (one queued command, never on the packet
    /// path). Nil when the transport is gone, or when its worker does not answer within a second
    /// (stopped or stalled: the Admin API must not hang on it).
    public func inspect(_ allocation: TransportAllocation) async -> TransportInspection? {
        await ask(worker: allocation.workerIndex, orElse: nil) { worker in
            guard let transport = worker.transport(id: allocation.id) else { return nil }
            return worker.inspection(of: transport)
        }
    }

    /// Every live transport's state, one command per worker (metrics count PeerConnections by
    /// state on a scrape). A worker that does not answer within a second counts none.
    public func inspectAll() async -> [TransportInspection] {
        var all: [TransportInspection] = []
        for index in workers.indices {
            all += await ask(worker: index, orElse: []) { worker in
                worker.router.transports.map { worker.inspection(of: $0) }
            }
        }
        return all
    }

    /// Runs `read` on the worker's thread and returns its result, or `fallback` after a second.
    private func ask<Value: Sendable>(
        worker index: Int, orElse fallback: Value, _ read: @escaping @Sendable (WorkerCore) -> Value
    ) async -> Value {
        let answer = OneShotAnswer<Value>()
        let timeout = Task {
            try? await Task.sleep(for: .seconds(1))
            answer.resolve(fallback)
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
            answer.arm(continuation)
            workers[index].commands.enqueue { worker, _ in answer.resolve(read(worker)) }
        }
    }
}

/// Resumes a continuation once, with the first of the worker's answer and the timeout (either
/// may come before the continuation is armed).
private final class OneShotAnswer<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value, Never>?)
        case answered(Value?)
    }

    private let state = Mutex(State.waiting(nil))

    func arm(_ continuation: CheckedContinuation<Value, Never>) {
        let early: Value? = state.withLock { state in
            switch state {
            case .waiting:
                state = .waiting(continuation)
                return nil
            case .answered(let value):
                state = .answered(nil)
                return value
            }
        }
        if let early { continuation.resume(returning: early) }
    }

    func resolve(_ value: Value) {
        let waiting: CheckedContinuation<Value, Never>? = state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .answered(continuation == nil ? value : nil)
            return continuation
        }
        waiting?.resume(returning: value)
    }
}
