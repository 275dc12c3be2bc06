import RTP
import SFUBase

/// What we send a peer on one m-line: the rewriting that makes one continuous stream of whatever
/// feeds it (sequence numbers, timestamps, mid), the keyframe gate, its own RTX numbering, and
/// what its RTCP reports and slow-link checks need. What feeds it is the worker's `Router`'s
/// business.
///
/// A value inside its transport, confined to the transport's worker thread (see `Producer` for
/// how the two share an m-line's index).
struct Consumer {
    private(set) var setup: StreamSetup
    /// Our id of the mid extension (0 = not negotiated) and our mid, written into forwarded packets.
    private(set) var midExtensionID: UInt8
    private(set) var midValue: [UInt8]
    /// What every packet sent on this m-line carries in its header: read with the per-packet
    /// decision, so the send path does not go back to the consumer for it.
    private(set) var header: OutgoingHeader
    var sequence = SequenceRewriter()
    var timestamps = TimestampRewriter()
    var reports = SendReportState()
    /// Losses on what we send, as the peer's NACKs tell (Janus slowlink `uplink: true`).
    var sendLoss: SlowLinkMonitor

    var sendEnabled = true
    /// A simulcast source: which of its layers this consumer forwards (nil for one encoding).
    var layerChoice: ConsumerLayerChoice?
    /// VP8 picture ids kept continuous across this consumer's layer switches.
    var pictureContinuity = VP8PictureContinuity()
    /// The highest simulcast layer wanted (Janus `substream`), kept across rebinds.
    var layerCeiling: Int?
    /// The layer switched to by the last decision, until the transport reported it.
    var unreportedLayer: Int?
    /// VP8 temporal layers: the highest wanted (Janus `temporal`; nil: all), the highest being
    /// forwarded now, and a change of it not yet reported.
    var temporalCeiling: Int?
    var currentTemporal: Int?
    var unreportedTemporal: Int?
    /// Janus `fallback` for this m-line (nil: the default 250 ms), kept across rebinds.
    var fallbackNanoseconds: UInt64?
    /// The allocator's order when bandwidth is short (higher first).
    var priority = 0
    /// The bitrate of each layer of the source, as its packets go by (the allocator's prices).
    var layerMeter = LayerBitrateMeter()
    /// The highest layer the subscriber's bandwidth allows (the allocator's; nil: any), kept
    /// across rebinds like `layerCeiling`.
    var budgetLayer: Int?
    /// Not even the source's lowest layer fits the subscriber's bandwidth: nothing is sent until
    /// it does (then from a keyframe, continuing the numbering).
    var pausedForBandwidth = false
    /// The source SSRC last forwarded; a change means a new source (resync, wait for a keyframe).
    var forwardedSSRC: UInt32?
    var waitingForKeyframe = true
    /// When the last packet went out: a new source's timestamps continue from the last ones plus
    /// the time that really passed (a receiver's jitter buffer and lip sync need the RTP clock to
    /// follow the wall clock across switches and pauses).
    var lastForwardedAt: MonotonicInstant?
    /// Next sequence number of our RTX stream (RFC 4588 §4: its own sequence space, random start).
    var rtxSequence = UInt16.random(in: 0...UInt16.max)

    init(_ setup: StreamSetup, slowLinkThreshold: Int = 0) {
        self.setup = setup
        self.sendLoss = SlowLinkMonitor(threshold: slowLinkThreshold)
        let midExtensionID = setup.extensions.first { $0.uri == RTPExtensionURI.mid }?.id ?? 0
        self.midExtensionID = midExtensionID
        self.midValue = Array(setup.mid.utf8)
        self.header = OutgoingHeader(ssrc: setup.localSSRC, payloadType: setup.payloadType, midExtensionID: midExtensionID)
    }

    /// Takes a renegotiated setup for the same mid, keeping what is running (rewriters, source).
    /// A codec or SSRC change starts the m-line afresh like a new source.
    mutating func adopt(_ new: StreamSetup) {
        let codecChanged = new.codecName != setup.codecName || new.payloadType != setup.payloadType
        let ssrcChanged = new.localSSRC != setup.localSSRC
        setup = new
        midExtensionID = new.extensions.first { $0.uri == RTPExtensionURI.mid }?.id ?? 0
        header = OutgoingHeader(ssrc: new.localSSRC, payloadType: new.payloadType, midExtensionID: midExtensionID)
        if codecChanged || ssrcChanged {
            forwardedSSRC = nil
            sequence.pause()
            timestamps.sourceChanged()
        }
    }

    /// Bound to a source with `layerCount` encodings: a choice of its own among them (none for one).
    mutating func startLayers(count: Int) {
        layerChoice = count > 1 ? ConsumerLayerChoice(layerCount: count, ceiling: layerCeiling) : nil
        layerChoice?.budgetCeiling = budgetLayer
        layerChoice?.fallbackNanoseconds = fallbackNanoseconds
        currentTemporal = nil
        pictureContinuity.sourceChanged()
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

/// The header fields a consumer writes into every packet it sends.
struct OutgoingHeader {
    var ssrc: UInt32
    var payloadType: UInt8
    /// Our id of the mid extension; 0 when not negotiated.
    var midExtensionID: UInt8
}
