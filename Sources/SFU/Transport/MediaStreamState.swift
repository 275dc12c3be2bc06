import RTP

/// Per-m-line state of a transport: which SSRC feeds it, when it last heard from it,
/// and the rewriting state of what we send on it.
struct MediaStreamState {
    let setup: StreamSetup
    /// The media SSRC currently feeding this m-line (announced, or learned from the mid extension).
    private(set) var remoteSSRC: UInt32?
    var lastPacketAt: MonotonicInstant?
    var receiving = false
    var sequence = SequenceRewriter()
    private var lastKeyframeRequest: MonotonicInstant?

    /// Keyframe requests to one publisher are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000

    init(_ setup: StreamSetup) {
        self.setup = setup
        self.remoteSSRC = setup.remoteSSRCs.first
    }

    /// Records a received packet; `becameActive` is set when the m-line starts (or restarts) receiving.
    mutating func noteReceived(ssrc: UInt32, now: MonotonicInstant, becameActive: inout Bool) {
        if remoteSSRC == nil { remoteSSRC = ssrc }
        lastPacketAt = now
        if !receiving {
            receiving = true
            becameActive = true
        }
    }

    mutating func mayRequestKeyframe(now: MonotonicInstant) -> Bool {
        if let last = lastKeyframeRequest, now.nanoseconds(since: last) < Self.keyframeRequestIntervalNanoseconds {
            return false
        }
        lastKeyframeRequest = now
        return true
    }
}
