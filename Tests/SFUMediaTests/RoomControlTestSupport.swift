import RTP
import SFUBase
import SFUMedia

/// Shared helpers for the room-control state machine tests: a clock and short request helpers.
struct RoomControlDriver {
    var machine: RoomControl
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)

    init(waitingRoom: Bool = false, timeoutMilliseconds: UInt64? = nil) {
        machine = RoomControl(configuration: RoomControlConfiguration(
            waitingRoom: waitingRoom, waitingTimeoutMilliseconds: timeoutMilliseconds))
    }

    /// Feeds `request` one millisecond after the previous input.
    @discardableResult
    mutating func send(_ request: RoomControlRequest) -> Result<RoomControlOutput, RoomControlError> {
        now = now.adding(milliseconds: 1)
        return machine.handle(request, at: now)
    }

    /// Feeds `request` and returns its output, or nil when it was refused.
    mutating func ok(_ request: RoomControlRequest) -> RoomControlOutput? {
        try? send(request).get()
    }

    mutating func error(_ request: RoomControlRequest) -> RoomControlError? {
        if case .failure(let error) = send(request) { return error }
        return nil
    }

    mutating func advance(milliseconds: UInt64) -> RoomControlOutput {
        now = now.adding(milliseconds: milliseconds)
        return machine.expire(at: now)
    }
}

extension RoomControlOutput {
    /// The event kinds addressed to `id`, in order.
    func events(for id: UInt64) -> [RoomControlEventKind] {
        events.filter { $0.recipients.contains(id) }.map(\.kind)
    }

    /// The last hand queue announced, if any.
    var lastHands: [UInt64]? {
        events.reversed().lazy.compactMap { event -> [UInt64]? in
            if case .hands(let queue) = event.kind { return queue }
            return nil
        }.first
    }
}
