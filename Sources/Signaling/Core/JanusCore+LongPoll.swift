import Logging

/// HTTP long polls (janus-api.md §7.1): registered synchronously on the session's event
/// channel, outside the actor, so a NIO event loop can answer them without hopping.
extension JanusCore {
    // MARK: Long poll

    /// A registered long poll; `cancel()` withdraws it (timeout or client gone).
    public struct LongPollTicket: Sendable {
        let channel: SessionEventChannel
        let id: UInt64

        /// True if the poll was still pending, i.e. it got no events and the caller answers it.
        public func cancel() -> Bool { channel.cancelPoll(id) }

        /// Gives back events the poll received but could not deliver (connection closed).
        public func requeue(_ events: [JSONValue]) { channel.requeue(events) }
    }

    public enum LongPollStart: Sendable {
        /// No such session: HTTP answers 404.
        case sessionNotFound
        /// Events were queued: answer now.
        case events([JSONValue])
        /// Nothing queued: `deliver` will be called with the next events unless cancelled first.
        case waiting(LongPollTicket)
    }

    /// Starts a long poll on `sessionID` (HTTP GET `/janus/<sid>`). Its arrival counts as session
    /// activity; while it is held it does not, so the session can expire under it (Janus does the
    /// same) and the poll then delivers the `timeout` event.
    /// Returns nil when an API secret and/or token auth is configured and neither `apiSecret`
    /// nor `token` is valid (HTTP 403).
    /// Synchronous and callable from any thread; `deliver` is called from whichever thread pushes
    /// the next event, so hop to your own executor inside it.
    public nonisolated func beginLongPoll(
        sessionID: UInt64, maxEvents: Int, apiSecret: String? = nil, token: String? = nil,
        deliver: @escaping @Sendable ([JSONValue]) -> Void
    ) -> LongPollStart? {
        guard Self.authorized(configuration, tokens: tokens, apiSecret: apiSecret, token: token) else { return nil }
        guard let channel = channels.withLock({ $0[sessionID] }) else { return .sessionNotFound }
        channel.touch()
        switch channel.poll(maxEvents: maxEvents, deliver: deliver) {
        case .events(let events): return .events(events)
        case .waiting(let id): return .waiting(LongPollTicket(channel: channel, id: id))
        case .closed: return .sessionNotFound
        }
    }

    /// Counts as activity on `sessionID` (if it exists). Callable from any thread.
    public nonisolated func touchSession(_ sessionID: UInt64) {
        channels.withLock { $0[sessionID] }?.touch()
    }

    /// The reply body for a long poll that got `events` (janus-api.md §7.1): a single object when
    /// `maxEvents` is 1, else an array; a keepalive when there was nothing to send.
    public static func longPollBody(events: [JSONValue], maxEvents: Int) -> JSONValue {
        let list = events.isEmpty ? [JanusMessages.keepalive()] : events
        if maxEvents <= 1, let first = list.first { return first }
        return .array(list)
    }

    /// A whole long poll as one call, for embedders and tests: waits up to `hold` for events.
    /// Returns nil for an unknown session.
    public func longPoll(sessionID: UInt64, maxEvents: Int = 1, hold: Duration = .seconds(30)) async -> JSONValue? {
        let box = LongPollBox()
        let start = beginLongPoll(sessionID: sessionID, maxEvents: maxEvents) { events in box.fulfil(events) }
        switch start {
        case nil, .sessionNotFound?:
            return nil
        case .events(let events)?:
            return Self.longPollBody(events: events, maxEvents: maxEvents)
        case .waiting(let ticket)?:
            let timer = Task {
                try? await Task.sleep(for: hold)
                if ticket.cancel() { box.fulfil([]) }
            }
            let events = await box.wait()
            timer.cancel()
            return Self.longPollBody(events: events, maxEvents: maxEvents)
        }
    }
}

/// One-shot hand-over of long-poll events to an awaiting task.
final class LongPollBox: Sendable {
    private struct State {
        var events: [JSONValue]?
        var continuation: CheckedContinuation<[JSONValue], Never>?
    }
    private let state = Locked(State())

    func fulfil(_ events: [JSONValue]) {
        let continuation: CheckedContinuation<[JSONValue], Never>? = state.withLock { s in
            guard s.events == nil else { return nil }
            s.events = events
            let c = s.continuation
            s.continuation = nil
            return c
        }
        continuation?.resume(returning: events)
    }

    func wait() async -> [JSONValue] {
        await withCheckedContinuation { continuation in
            let ready: [JSONValue]? = state.withLock { s in
                if let events = s.events { return events }
                s.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
