/// Groups acknowledged packets into send-time bursts and yields the delay variation
/// between consecutive groups.
///
/// Follows draft-ietf-rmcat-gcc-02 §5.2 (pre-filtering: packets sent within a 5 ms
/// burst form one group, judged by the last packet of each group) and libwebrtc's
/// InterArrivalDelta (a packet that arrives within 5 ms of the group with a negative
/// propagation delta was queued behind it and joins the same burst; a clock jump or
/// repeated reordering resets the state). Times are µs in, ms out.
struct InterArrivalGrouper: Sendable {
    struct Delta: Sendable, Equatable {
        /// Send-time difference between the last packets of two groups, ms.
        var sendDeltaMs: Double
        /// Arrival-time difference between the last packets of two groups, ms.
        var arrivalDeltaMs: Double
        /// Arrival time of the completed group (receiver clock), ms.
        var arrivalMs: Double
    }

    private struct Group: Sendable {
        var firstSend: Int64
        var lastSend: Int64
        var firstArrival: Int64
        var lastArrival: Int64
    }

    static let burstMicros: Int64 = 5_000
    /// A burst never stretches over more than this much arrival time.
    static let maxBurstMicros: Int64 = 100_000
    /// Arrival and send clocks drifting apart by more than this means a clock jump.
    static let clockJumpMicros: Int64 = 3_000_000
    static let maxConsecutiveReordered = 3

    private var current: Group?
    private var previous: Group?
    private var reorderedCount = 0
    /// Bumped on every reset so the owner can restart the filters fed from here.
    private(set) var resets = 0

    mutating func reset() {
        resets &+= 1
        current = nil
        previous = nil
        reorderedCount = 0
    }

    /// Feeds one received packet (times already sanitised); returns a delta when the
    /// packet starts a new group and the two groups before it are complete.
    mutating func add(sentAt: Int64, arrivedAt: Int64) -> Delta? {
        guard var group = current else {
            current = Group(firstSend: sentAt, lastSend: sentAt, firstArrival: arrivedAt, lastArrival: arrivedAt)
            return nil
        }
        // Sent before the current group began: reordered on the path; its timing tells
        // nothing about the current queue, so drop it (as the draft does).
        if sentAt < group.firstSend { return nil }

        if belongsToGroup(group, sentAt: sentAt, arrivedAt: arrivedAt) {
            group.lastSend = max(group.lastSend, sentAt)
            group.lastArrival = max(group.lastArrival, arrivedAt)
            current = group
            return nil
        }

        var delta: Delta?
        if let prev = previous {
            let sendDelta = group.lastSend - prev.lastSend
            let arrivalDelta = group.lastArrival - prev.lastArrival
            if arrivalDelta - sendDelta > Self.clockJumpMicros || arrivalDelta - sendDelta < -Self.clockJumpMicros {
                // Receiver clock jumped (or garbage): start over rather than feed the
                // filters a multi-second step.
                reset()
                current = Group(firstSend: sentAt, lastSend: sentAt, firstArrival: arrivedAt, lastArrival: arrivedAt)
                return nil
            }
            if arrivalDelta < 0 {
                reorderedCount += 1
                if reorderedCount > Self.maxConsecutiveReordered { reset() }
            } else {
                reorderedCount = 0
                delta = Delta(
                    sendDeltaMs: SafeMath.ms(sendDelta),
                    arrivalDeltaMs: SafeMath.ms(arrivalDelta),
                    arrivalMs: SafeMath.ms(group.lastArrival)
                )
            }
        }
        previous = group
        current = Group(firstSend: sentAt, lastSend: sentAt, firstArrival: arrivedAt, lastArrival: arrivedAt)
        return delta
    }

    private func belongsToGroup(_ group: Group, sentAt: Int64, arrivedAt: Int64) -> Bool {
        if sentAt - group.firstSend <= Self.burstMicros { return true }
        // Burst detection: arrived right behind the group faster than it was sent, i.e.
        // it sat in the same queue; counting it separately would look like a delay drop.
        let arrivalDelta = arrivedAt - group.lastArrival
        let sendDelta = sentAt - group.lastSend
        let propagationDelta = arrivalDelta - sendDelta
        return propagationDelta < 0
            && arrivalDelta <= Self.burstMicros
            && arrivedAt - group.firstArrival < Self.maxBurstMicros
    }
}
