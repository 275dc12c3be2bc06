import RTP
import SFUBase

/// What a peer sends us on one m-line: where its packets come from (SSRCs, simulcast layers),
/// their loss bookkeeping (upstream NACKs, the retransmission buffer for subscribers' NACKs),
/// reception statistics, keyframe requests to the peer, and talking detection. Which consumers
/// its packets go to is the worker's `Router`'s business.
///
/// A value inside its transport, confined to the transport's worker thread. Every m-line of a
/// transport has a producer and a consumer at the same index; a send-only m-line's producer
/// stays idle, as does a receive-only m-line's consumer.
struct Producer {
    private(set) var setup: StreamSetup
    private(set) var codec: CodecFamily
    /// The media SSRC currently feeding this m-line (announced, or learned from the mid extension).
    private(set) var remoteSSRC: UInt32?
    var lastPacketAt: MonotonicInstant?
    var receiving = false
    var reports: ReceptionReportState
    /// Losses on what the peer sends (Janus slowlink `uplink: false`).
    var receiveLoss: SlowLinkMonitor
    private var lastKeyframeRequest: MonotonicInstant?
    private var lastKeyframeRequestSSRC: UInt32?
    /// A keyframe request arrived inside the throttle interval; it is sent when the interval
    /// ends (dropping it would leave a subscriber that joined just then waiting for a keyframe).
    private(set) var keyframeRequestDeferred = false

    /// Recent packets, for consumers' NACKs (video only), under their forwarded numbers.
    var retransmissions: RetransmissionBuffer?
    /// The numbering of what this producer forwards: the peer's own, except that packets withheld
    /// on purpose (a moderator's mute) leave no hole, and a simulcast layer switch continues it.
    var forwardedNumbering = SequenceRewriter()
    var nacks = NACKGenerator()
    var audioLevel = AudioLevelMeter()
    private(set) var audioLevelExtensionID: UInt8?
    /// Our id of the rid extension (RFC 8852), which names a simulcast layer's SSRC.
    private(set) var ridExtensionID: UInt8?
    /// A simulcast source: which of its layers is forwarded (nil for a single encoding).
    var simulcast: SimulcastLayerSelector?
    /// VP8 picture ids kept continuous across the forwarded layer's switches.
    var pictureContinuity = VP8PictureContinuity()

    /// Keyframe requests to one peer SSRC are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000

    init(_ setup: StreamSetup, slowLinkThreshold: Int = 0) {
        self.setup = setup
        self.codec = CodecFamily(codecName: setup.codecName)
        self.remoteSSRC = setup.remoteSSRCs.first
        self.reports = ReceptionReportState(clockRate: setup.clockRate)
        self.receiveLoss = SlowLinkMonitor(threshold: slowLinkThreshold)
        self.audioLevelExtensionID = Self.audioLevelID(setup)
        self.ridExtensionID = Self.ridID(setup)
        self.simulcast = Self.layerSelector(setup)
    }

    private static func ridID(_ setup: StreamSetup) -> UInt8? {
        setup.extensions.first { $0.uri == RTPExtensionURI.rtpStreamID }?.id
    }

    private static func audioLevelID(_ setup: StreamSetup) -> UInt8? {
        setup.extensions.first { $0.uri == "urn:ietf:params:rtp-hdrext:ssrc-audio-level" }?.id
    }

    private static func layerSelector(_ setup: StreamSetup) -> SimulcastLayerSelector? {
        setup.simulcastLayerCount > 1 ? SimulcastLayerSelector(layerCount: setup.simulcastLayerCount) : nil
    }

    /// The peer's SSRC whose packets this m-line forwards: the forwarded simulcast layer's, or
    /// the single source's. Keyframe requests and NACKs name it.
    var forwardedSourceSSRC: UInt32? { simulcast?.currentSSRC ?? remoteSSRC }

    /// Takes a renegotiated setup for the same mid, keeping what is running (targets, buffers).
    mutating func adopt(_ new: StreamSetup) {
        if new.clockRate != setup.clockRate { reports = ReceptionReportState(clockRate: new.clockRate) }
        if let announced = new.remoteSSRCs.first, !setup.remoteSSRCs.contains(announced) { remoteSSRC = announced }
        setup = new
        codec = CodecFamily(codecName: new.codecName)
        audioLevelExtensionID = Self.audioLevelID(new)
        ridExtensionID = Self.ridID(new)
        if simulcast?.layerCount != (new.simulcastLayerCount > 1 ? new.simulcastLayerCount : nil) {
            simulcast = Self.layerSelector(new)
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
}
