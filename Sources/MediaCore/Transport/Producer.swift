import RTP
import SFUBase

/// What a peer sends us on one m-line: where its packets come from (SSRCs; one layer per
/// simulcast encoding), their loss bookkeeping (upstream NACKs, the retransmission buffer for
/// consumers' NACKs), reception statistics, keyframe requests to the peer, and talking
/// detection. Every layer goes on to the router; which layer a consumer forwards is the
/// consumer's choice (`ConsumerLayerChoice`). Which consumers its packets go to is the worker's
/// `Router`'s business.
///
/// A value inside its transport, confined to the transport's worker thread. Every m-line of a
/// transport has a producer and a consumer at the same index; a send-only m-line's producer
/// stays idle, as does a receive-only m-line's consumer.
struct Producer {
    private(set) var setup: StreamSetup
    private(set) var codec: CodecFamily
    /// The media SSRC currently feeding this m-line (announced, or learned from the mid extension);
    /// on a simulcast m-line, the first layer's that was seen.
    private(set) var remoteSSRC: UInt32?
    var lastPacketAt: MonotonicInstant?
    var receiving = false
    var reports: ReceptionReportState
    /// Losses on what the peer sends (Janus slowlink `uplink: false`).
    var receiveLoss: SlowLinkMonitor
    /// The encodings the peer sends, lowest quality first (one unless simulcast).
    var layers: [ProducerLayer]
    var audioLevel = AudioLevelMeter()
    private(set) var audioLevelExtensionID: UInt8?
    /// Our id of the rid extension (RFC 8852), which names a simulcast layer's SSRC.
    private(set) var ridExtensionID: UInt8?

    /// Keyframe requests to one peer SSRC are throttled to one per this interval.
    static let keyframeRequestIntervalNanoseconds: UInt64 = 300_000_000
    /// A layer that sent nothing for this long no longer counts as sent (Janus `fallback`,
    /// 250 ms by default): consumers of it fall back to the next lower one still sending.
    static let layerFallbackNanoseconds: UInt64 = 250_000_000

    init(_ setup: StreamSetup, slowLinkThreshold: Int = 0) {
        self.setup = setup
        self.codec = CodecFamily(codecName: setup.codecName)
        self.remoteSSRC = setup.remoteSSRCs.first
        self.reports = ReceptionReportState(clockRate: setup.clockRate)
        self.receiveLoss = SlowLinkMonitor(threshold: slowLinkThreshold)
        self.audioLevelExtensionID = Self.audioLevelID(setup)
        self.ridExtensionID = Self.ridID(setup)
        self.layers = Array(repeating: ProducerLayer(), count: setup.simulcastLayerCount)
    }

    private static func ridID(_ setup: StreamSetup) -> UInt8? {
        setup.extensions.first { $0.uri == RTPExtensionURI.rtpStreamID }?.id
    }

    private static func audioLevelID(_ setup: StreamSetup) -> UInt8? {
        setup.extensions.first { $0.uri == "urn:ietf:params:rtp-hdrext:ssrc-audio-level" }?.id
    }

    var isSimulcast: Bool { layers.count > 1 }

    /// The layer whose packets carry `ssrc`.
    func layer(ofSSRC ssrc: UInt32) -> Int? {
        layers.firstIndex { $0.ssrc == ssrc }
    }

    /// Bit `i` set when layer `i` sent something within the fallback window before `now`.
    @inline(__always)
    func liveLayers(now: MonotonicInstant) -> UInt8 {
        var mask: UInt8 = 0
        for index in layers.indices where index < 8 {
            if let last = layers[index].lastPacketAt, now.nanoseconds(since: last) < Self.layerFallbackNanoseconds {
                mask |= 1 << UInt8(index)
            }
        }
        return mask
    }

    /// The highest layer that was sending when the m-line last received anything (inspection).
    var topLiveLayer: Int? {
        guard let reference = lastPacketAt else { return nil }
        return liveLayers(now: reference).nonzeroBitCount == 0
            ? nil : 7 - liveLayers(now: reference).leadingZeroBitCount
    }

    /// Takes a renegotiated setup for the same mid, keeping what is running (buffers, numbering).
    mutating func adopt(_ new: StreamSetup) {
        if new.clockRate != setup.clockRate { reports = ReceptionReportState(clockRate: new.clockRate) }
        if let announced = new.remoteSSRCs.first, !setup.remoteSSRCs.contains(announced) { remoteSSRC = announced }
        setup = new
        codec = CodecFamily(codecName: new.codecName)
        audioLevelExtensionID = Self.audioLevelID(new)
        ridExtensionID = Self.ridID(new)
        if layers.count != new.simulcastLayerCount {
            layers = Array(repeating: ProducerLayer(), count: new.simulcastLayerCount)
        }
    }

    /// Records a received packet of layer `layer`; `becameActive` is set when the m-line starts
    /// (or restarts) receiving.
    mutating func noteReceived(ssrc: UInt32, layer: Int, now: MonotonicInstant, becameActive: inout Bool) {
        if remoteSSRC == nil { remoteSSRC = ssrc }
        lastPacketAt = now
        if layers.indices.contains(layer) {
            layers[layer].ssrc = ssrc
            layers[layer].lastPacketAt = now
        }
        if !receiving {
            receiving = true
            becameActive = true
        }
    }

    /// True when a periodic keyframe request (room `fir_freq`) is due.
    func periodicKeyframeDue(now: MonotonicInstant, intervalSeconds: UInt32) -> Bool {
        let last = layers.compactMap(\.lastKeyframeRequest).max()
        guard let last else { return true }
        return now.nanoseconds(since: last) >= UInt64(intervalSeconds) * 1_000_000_000
    }

    /// Whether a keyframe request for layer `layer` may go now (throttled per layer, so a request
    /// for one layer never holds back one for another); a request inside the interval is
    /// remembered and sent when it ends.
    mutating func mayRequestKeyframe(layer: Int, now: MonotonicInstant) -> Bool {
        if let last = layers[layer].lastKeyframeRequest, now.nanoseconds(since: last) < Self.keyframeRequestIntervalNanoseconds {
            layers[layer].keyframeRequestDeferred = true
            return false
        }
        layers[layer].lastKeyframeRequest = now
        layers[layer].keyframeRequestDeferred = false
        return true
    }

    var keyframeRequestDeferred: Bool { layers.contains { $0.keyframeRequestDeferred } }
}

/// One encoding a peer sends on an m-line (a simulcast layer; the only one otherwise).
struct ProducerLayer {
    /// Its SSRC, once seen (or announced).
    var ssrc: UInt32?
    var lastPacketAt: MonotonicInstant?
    /// The numbering of what is forwarded: the peer's own, except that packets withheld on
    /// purpose (a moderator's mute) leave no hole.
    var forwardedNumbering = SequenceRewriter()
    /// Gaps in the peer's numbering, for upstream NACKs (video).
    var nacks = NACKGenerator()
    /// Recent packets, for consumers' NACKs (video only), under their forwarded numbers.
    var retransmissions: RetransmissionBuffer?
    var lastKeyframeRequest: MonotonicInstant?
    /// A keyframe request arrived inside the throttle interval; it is sent when the interval
    /// ends (dropping it would leave a subscriber that joined just then waiting for a keyframe).
    var keyframeRequestDeferred = false
}
