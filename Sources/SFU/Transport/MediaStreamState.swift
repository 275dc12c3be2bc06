import RTP

/// Per-m-line state of a transport: which SSRC feeds it, when it last heard from it, and the
/// rewriting state of what we send on it. Publisher m-lines also hold their forwarding targets;
/// subscriber m-lines their current source.
struct MediaStreamState {
    let setup: StreamSetup
    let codec: CodecFamily
    /// The media SSRC currently feeding this m-line (announced, or learned from the mid extension).
    private(set) var remoteSSRC: UInt32?
    var lastPacketAt: MonotonicInstant?
    var receiving = false
    var sequence = SequenceRewriter()
    var timestamps = TimestampRewriter()
    var reports: RTCPReportState
    private var lastKeyframeRequest: MonotonicInstant?

    // Publisher side.
    /// Subscriber m-lines this m-line's packets go to.
    var targets: [ForwardTarget] = []
    /// Recent packets, for subscribers' NACKs (video only).
    var retransmissions: RetransmissionBuffer?
    var nacks = NACKGenerator()
    var audioLevel = AudioLevelMeter()
    let audioLevelExtensionID: UInt8?

    // Subscriber side.
    /// The publisher m-line feeding this one (valid while bound: the worker clears it before
    /// the publisher goes away).
    unowned(unsafe) var sourceTransport: WebRTCTransport?
    var sourceStreamIndex = 0
    var sendEnabled = true
    /// The publisher SSRC last forwarded; a change means a new source (resync, wait for a keyframe).
    var forwardedSSRC: UInt32?
    var waitingForKeyframe = true

    /// Keyframe requests to one publisher are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000

    init(_ setup: StreamSetup) {
        self.setup = setup
        self.codec = CodecFamily(codecName: setup.codecName)
        self.remoteSSRC = setup.remoteSSRCs.first
        self.reports = RTCPReportState(clockRate: setup.clockRate)
        self.audioLevelExtensionID =
            setup.extensions.first { $0.uri == "urn:ietf:params:rtp-hdrext:ssrc-audio-level" }?.id
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

    /// True when a periodic keyframe request (room `fir_freq`) is due.
    mutating func periodicKeyframeDue(now: MonotonicInstant, intervalSeconds: UInt32) -> Bool {
        guard let last = lastKeyframeRequest else { return true }
        return now.nanoseconds(since: last) >= UInt64(intervalSeconds) * 1_000_000_000
    }

    mutating func mayRequestKeyframe(now: MonotonicInstant) -> Bool {
        if let last = lastKeyframeRequest, now.nanoseconds(since: last) < Self.keyframeRequestIntervalNanoseconds {
            return false
        }
        lastKeyframeRequest = now
        return true
    }

    /// One frame's worth of RTP clock, used as the step when a new source starts.
    var frameTicks: UInt32 { setup.kind == .video ? setup.clockRate / 30 : setup.clockRate / 50 }
}

/// One subscriber m-line fed by a publisher m-line, as the publisher's worker sees it.
struct ForwardTarget {
    /// Not retained: the worker removes targets before it releases a transport, and forwarding
    /// must not touch reference counts per packet.
    unowned(unsafe) let subscriber: WebRTCTransport
    let streamIndex: Int
    /// Publisher extension ids → the subscriber's (by URI); others are dropped.
    let extensionMap: RTPHeaderExtensionIDMap
}
