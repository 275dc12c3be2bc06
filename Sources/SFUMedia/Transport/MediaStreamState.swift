import RTP
import SFUBase

/// Per-m-line state of a transport: which SSRC feeds it, when it last heard from it, and the
/// rewriting state of what we send on it. Publisher m-lines also hold their forwarding targets;
/// subscriber m-lines their current source.
struct MediaStreamState {
    private(set) var setup: StreamSetup
    private(set) var codec: CodecFamily
    /// The media SSRC currently feeding this m-line (announced, or learned from the mid extension).
    private(set) var remoteSSRC: UInt32?
    var lastPacketAt: MonotonicInstant?
    var receiving = false
    var sequence = SequenceRewriter()
    var timestamps = TimestampRewriter()
    var reports: RTCPReportState
    /// Losses on what the peer sends on this m-line (Janus slowlink `uplink: false`), and on
    /// what we send it, as its NACKs tell (`uplink: true`).
    var receiveLoss: SlowLinkMonitor
    var sendLoss: SlowLinkMonitor
    private var lastKeyframeRequest: MonotonicInstant?
    private var lastKeyframeRequestSSRC: UInt32?
    /// A keyframe request arrived inside the throttle interval; it is sent when the interval
    /// ends (dropping it would leave a subscriber that joined just then waiting for a keyframe).
    private(set) var keyframeRequestDeferred = false

    // Publisher side.
    /// Subscriber m-lines this m-line's packets go to.
    var targets: [ForwardTarget] = []
    /// Other workers with subscribers of this m-line (each gets one slab slot per packet).
    var remoteConsumers: [RemoteConsumer] = []
    /// Recent packets, for subscribers' NACKs (video only), under their forwarded numbers.
    var retransmissions: RetransmissionBuffer?
    /// The numbering of what this m-line forwards: the peer's own, except that packets withheld
    /// on purpose (a moderator's mute) leave no hole, and a simulcast layer switch continues it.
    var forwardedNumbering = SequenceRewriter()
    var nacks = NACKGenerator()
    var audioLevel = AudioLevelMeter()
    private(set) var audioLevelExtensionID: UInt8?
    /// Our id of the mid extension (0 = not negotiated) and our mid, written into forwarded packets.
    private(set) var midExtensionID: UInt8
    private(set) var midValue: [UInt8]
    /// Our id of the rid extension (RFC 8852), which names a simulcast layer's SSRC.
    private(set) var ridExtensionID: UInt8?
    /// A simulcast source: which of its layers is forwarded (nil for a single encoding).
    var simulcast: SimulcastLayerSelector?
    /// VP8 picture ids kept continuous across the forwarded layer's switches.
    var pictureContinuity = VP8PictureContinuity()

    // Subscriber side.
    /// The publisher m-line feeding this one (valid while bound: the worker clears it before
    /// the publisher goes away).
    unowned(unsafe) var sourceTransport: WebRTCTransport?
    var sourceStreamIndex = 0
    /// The publisher m-line feeding this one when it lives on another worker (then
    /// `sourceTransport` is nil). Packets arrive through the worker's inbound rings.
    var remoteSource: RemoteSource?
    var sendEnabled = true
    /// The publisher SSRC last forwarded; a change means a new source (resync, wait for a keyframe).
    var forwardedSSRC: UInt32?
    var waitingForKeyframe = true
    /// When the last packet went out on this m-line: a new source's timestamps continue from
    /// the last ones plus the time that really passed (a receiver's jitter buffer and lip sync
    /// need the RTP clock to follow the wall clock across switches and pauses).
    var lastForwardedAt: MonotonicInstant?
    /// Next sequence number of our RTX stream (RFC 4588 §4: its own sequence space, random start).
    var rtxSequence = UInt16.random(in: 0...UInt16.max)

    /// Keyframe requests to one publisher are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000

    init(_ setup: StreamSetup, slowLinkThreshold: Int = 0) {
        self.receiveLoss = SlowLinkMonitor(threshold: slowLinkThreshold)
        self.sendLoss = SlowLinkMonitor(threshold: slowLinkThreshold)
        self.setup = setup
        self.codec = CodecFamily(codecName: setup.codecName)
        self.remoteSSRC = setup.remoteSSRCs.first
        self.reports = RTCPReportState(clockRate: setup.clockRate)
        self.audioLevelExtensionID = Self.audioLevelID(setup)
        self.midExtensionID = setup.extensions.first { $0.uri == RTPExtensionURI.mid }?.id ?? 0
        self.midValue = Array(setup.mid.utf8)
        self.ridExtensionID = Self.ridID(setup)
        self.simulcast = Self.layerSelector(setup)
    }

    private static func ridID(_ setup: StreamSetup) -> UInt8? {
        setup.extensions.first { $0.uri == RTPExtensionURI.rtpStreamID }?.id
    }

    private static func layerSelector(_ setup: StreamSetup) -> SimulcastLayerSelector? {
        setup.simulcastLayerCount > 1 ? SimulcastLayerSelector(layerCount: setup.simulcastLayerCount) : nil
    }

    /// The peer's SSRC whose packets this m-line forwards: the forwarded simulcast layer's, or
    /// the single source's. Keyframe requests and NACKs name it.
    var forwardedSourceSSRC: UInt32? { simulcast?.currentSSRC ?? remoteSSRC }

    private static func audioLevelID(_ setup: StreamSetup) -> UInt8? {
        setup.extensions.first { $0.uri == "urn:ietf:params:rtp-hdrext:ssrc-audio-level" }?.id
    }

    /// Takes a renegotiated setup for the same mid, keeping what is running (rewriters,
    /// targets, source). A codec or SSRC change starts the m-line afresh like a new source.
    mutating func adopt(_ new: StreamSetup) {
        let codecChanged = new.codecName != setup.codecName || new.payloadType != setup.payloadType
        let ssrcChanged = new.localSSRC != setup.localSSRC
        if new.clockRate != setup.clockRate { reports = RTCPReportState(clockRate: new.clockRate) }
        if let announced = new.remoteSSRCs.first, !setup.remoteSSRCs.contains(announced) { remoteSSRC = announced }
        setup = new
        codec = CodecFamily(codecName: new.codecName)
        audioLevelExtensionID = Self.audioLevelID(new)
        midExtensionID = new.extensions.first { $0.uri == RTPExtensionURI.mid }?.id ?? 0
        ridExtensionID = Self.ridID(new)
        if simulcast?.layerCount != (new.simulcastLayerCount > 1 ? new.simulcastLayerCount : nil) {
            simulcast = Self.layerSelector(new)
        }
        if codecChanged || ssrcChanged {
            forwardedSSRC = nil
            sequence.pause()
            timestamps.sourceChanged()
        }
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

    /// Whether a keyframe request for the peer's SSRC `ssrc` may go now. Throttled per SSRC: on a
    /// simulcast m-line a request for one layer (the first packet's, say) must not hold back the
    /// one for the layer actually forwarded.
    mutating func mayRequestKeyframe(now: MonotonicInstant, ssrc: UInt32) -> Bool {
        if let last = lastKeyframeRequest, lastKeyframeRequestSSRC == ssrc,
            now.nanoseconds(since: last) < Self.keyframeRequestIntervalNanoseconds
        {
            keyframeRequestDeferred = true
            return false
        }
        lastKeyframeRequest = now
        lastKeyframeRequestSSRC = ssrc
        keyframeRequestDeferred = false
        return true
    }

    /// One frame's worth of RTP clock, used as the step when a new source starts.
    var frameTicks: UInt32 { setup.kind == .video ? setup.clockRate / 30 : setup.clockRate / 50 }

    /// RTP clock ticks since the last forwarded packet (at least 1), or a frame's worth when
    /// nothing was forwarded yet: the timestamp step into a new source.
    func ticksSinceLastForward(now: MonotonicInstant) -> UInt32 {
        guard let last = lastForwardedAt else { return frameTicks }
        let microseconds = now.nanoseconds(since: last) / 1_000
        let ticks = microseconds * UInt64(setup.clockRate) / 1_000_000
        return UInt32(clamping: max(1, min(ticks, UInt64(Int32.max))))
    }
}

/// A subscriber m-line's source on another worker, as the subscriber's worker knows it.
struct RemoteSource {
    var worker: Int
    var publisher: UInt64
    var mid: String
    /// Distinguishes this binding from earlier ones of the same m-line: an attach reply from
    /// the publisher's worker for an older generation is ignored.
    var generation: UInt64
    /// Whether the publisher's worker was asked to send (and must be told to stop).
    var subscribed: Bool
    /// The publisher's m-line index, known once the publisher's worker attached the route.
    var publisherStream: Int?

    var route: RouteKey? { publisherStream.map { RouteKey(publisher: publisher, stream: $0) } }
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
