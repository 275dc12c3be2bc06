/// Keeps an outgoing RTP timestamp line continuous when the source of an m-line changes
/// (VideoRoom `switch`, a publisher that restarts): the receiver's jitter buffer must never see
/// time jump back or leap ahead.
struct TimestampRewriter {
    private var offset: UInt32 = 0
    private var lastOutput: UInt32 = 0
    private var started = false
    private var resync = true

    /// The next packet starts a new source; `gap` is the step to put after the last output
    /// (about one frame at the stream's clock rate).
    mutating func sourceChanged() { resync = true }

    /// True until the packet after `sourceChanged()` fixes the new offset (it needs a `gap`).
    var isResyncPending: Bool { resync && started }

    /// The current mapping of an incoming timestamp, without moving anything (retransmissions).
    func map(_ incoming: UInt32) -> UInt32 { incoming &+ offset }

    @inline(__always)
    mutating func rewrite(_ incoming: UInt32, gap: UInt32) -> UInt32 {
        if resync {
            offset = started ? lastOutput &+ gap &- incoming : 0
            resync = false
        }
        let output = incoming &+ offset
        if !started || Int32(bitPattern: output &- lastOutput) > 0 { lastOutput = output }
        started = true
        return output
    }
}
