import DTLS
import ICE

/// What a conferencing plugin (the VideoRoom) needs from the media plane: publisher
/// PeerConnections whose streams become sources, subscriber PeerConnections whose m-lines are
/// bound to sources, and the knobs on both. `MediaEngine` implements it; tests use a fake.
///
/// All methods are non-blocking and may be called from any task; the work happens on the
/// worker that owns the transport. Events arrive on that worker's thread and must not block.
public protocol RoomMediaPlane: Sendable {
    /// Reserves a transport for a PeerConnection in `room`, on the worker the placement policy
    /// picks (`MediaEngine`: spread over workers by default, or a room kept together).
    func allocateTransport(room: RoomKey) -> TransportAllocation
    /// The certificate fingerprint every transport uses (for SDP).
    var fingerprint: DTLSFingerprint { get }

    /// Starts a PeerConnection; each m-line it receives on becomes the source
    /// `SourceKey(publisher: allocation.id, mid: mid)`, each m-line it sends on can be bound to a
    /// source (`bindSubscriber`).
    func startTransport(
        _ allocation: TransportAllocation, setup: TransportSetup,
        events: @escaping @Sendable (TransportEvent) -> Void)
    /// An ICE restart on a running transport (RFC 8445 §9, JSEP RFC 8829 §5.2.1): new
    /// credentials both ways, the DTLS association and SRTP keys carry on. Returns the
    /// allocation with our new local credentials, for the answer.
    func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation
    /// A renegotiated stream list for a running transport (same ICE/DTLS session): a publisher
    /// re-offer that adds or removes m-lines, or a subscriber's answer to an `updated` offer.
    /// Known mids are updated in place, new ones start; bindings stay as they were.
    func updateTransport(_ allocation: TransportAllocation, setup: TransportSetup)
    /// Replaces the m-line → source bindings of a transport's sending m-lines:
    /// after (re)negotiation, `pause`, `start`, `switch`, `update`, or when a source goes away.
    func bindSubscriber(_ allocation: TransportAllocation, bindings: [SubscriberBinding])
    /// Publisher knobs: REMB cap (0 = none) and per-m-line moderation mute.
    func configurePublisher(_ allocation: TransportAllocation, settings: PublisherSettings)
    /// A subscriber's cap on everything it receives, bits/s (0: none): its bandwidth estimate never
    /// goes above it, so its layers are chosen within it.
    func limitSubscriber(_ allocation: TransportAllocation, maximumBitrate: Int)
    /// Asks the publisher for a keyframe on one m-line, or on all video m-lines when `mid` is nil.
    func requestKeyframe(publisher allocation: TransportAllocation, mid: String?)
    /// Tears the PeerConnection down (close_notify); subscribers bound to its sources stop
    /// receiving from them at once. No event follows.
    func closeTransport(_ allocation: TransportAllocation)
}

/// Identifies a room for placement (worker affinity); any stable value works.
public struct RoomKey: Hashable, Sendable {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
}

/// One publisher m-line as a forwarding source.
public struct SourceKey: Hashable, Sendable, CustomStringConvertible {
    public var publisher: UInt64
    public var mid: String
    public init(publisher: UInt64, mid: String) {
        self.publisher = publisher
        self.mid = mid
    }
    public var description: String { "\(publisher)/\(mid)" }
}

/// A subscriber m-line and what feeds it.
public struct SubscriberBinding: Sendable, Equatable {
    /// The subscriber PeerConnection's own mid (from our offer).
    public var mid: String
    /// Nil: nothing is sent on this m-line (inactive, or its publisher left).
    public var source: SourceKey?
    /// False while the subscription is paused (`pause`, `send:false`).
    public var send: Bool
    /// A simulcast source: the highest layer wanted (Janus `substream`, 0 the lowest); nil for
    /// the highest the publisher sends. Each subscriber m-line chooses among the layers on its
    /// own, falling back when its layer stops and switching on keyframes.
    public var substream: Int?
    /// VP8 temporal layers: the highest wanted (Janus `temporal`, 0 the lowest); nil for all.
    public var temporal: Int?
    /// Janus `fallback`: microseconds a simulcast layer may send nothing before this m-line
    /// falls back to a lower one (nil: 250 000).
    public var fallbackMicroseconds: Int?
    /// Who goes first when the subscriber's bandwidth is short (higher first): the VideoRoom
    /// raises the one who is talking.
    public var priority: Int

    public init(mid: String, source: SourceKey?, send: Bool = true, substream: Int? = nil, temporal: Int? = nil,
                fallbackMicroseconds: Int? = nil, priority: Int = 0) {
        self.mid = mid
        self.source = source
        self.send = send
        self.substream = substream
        self.temporal = temporal
        self.fallbackMicroseconds = fallbackMicroseconds
        self.priority = priority
    }
}

/// Knobs on what a peer sends us (a room publisher's; an EchoTest's `bitrate`).
public struct PublisherSettings: Sendable, Equatable {
    /// REMB cap in bits per second sent to the publisher (room `bitrate` or `configure`); 0 = none.
    public var bitrate: UInt32
    /// Mids whose media is not forwarded (VideoRoom `moderate`, room-control mute).
    public var mutedMids: Set<String>
    /// Periodic keyframe request interval in seconds (room `fir_freq`); 0 = none.
    public var keyframeInterval: UInt32
    /// RFC 6464 talking detection (room `audiolevel_event`): average over `audioActivePackets`
    /// packets, talking when the average level (in -dBov, 0 loudest) is below `audioLevelAverage`.
    public var audioLevelEvents: Bool
    public var audioActivePackets: Int
    public var audioLevelAverage: Int

    public init(
        bitrate: UInt32 = 0, mutedMids: Set<String> = [], keyframeInterval: UInt32 = 0,
        audioLevelEvents: Bool = false, audioActivePackets: Int = 100, audioLevelAverage: Int = 25
    ) {
        self.bitrate = bitrate
        self.mutedMids = mutedMids
        self.keyframeInterval = keyframeInterval
        self.audioLevelEvents = audioLevelEvents
        self.audioActivePackets = audioActivePackets
        self.audioLevelAverage = audioLevelAverage
    }
}
