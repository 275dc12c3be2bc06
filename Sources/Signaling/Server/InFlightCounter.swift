/// Counts transport tasks still working for a server (HTTP core calls, WebSocket connection
/// loops), so `shutdown` can let them finish before its event loops stop: a NIO loop must not
/// be handed work after it shut down.
final class InFlightCounter: Sendable {
    private let count = Locked(0)

    func enter() { count.withLock { $0 += 1 } }
    func leave() { count.withLock { $0 -= 1 } }
    var current: Int { count.withLock { $0 } }

    /// Waits until nothing is in flight, or `timeout` passed.
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while current > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
