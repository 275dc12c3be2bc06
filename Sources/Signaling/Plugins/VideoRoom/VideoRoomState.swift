import SFUMedia
import VideoRoomControl

// The registry's bookkeeping: plain values owned by `VideoRoomRegistry` (never shared).

/// One m-line of a publisher's PeerConnection as the room sees it (Janus publisher stream, §8.6).
struct PublishedStream: Sendable {
    var mindex: Int
    var mid: String
    var kind: MediaKind
    /// Nil when disabled (no acceptable codec) or for data channels.
    var codec: ServerCodec?
    var fmtp: String?
    var description: String?
    var simulcast = false
    /// Header extension URIs the publisher negotiated on this m-line.
    var extensions: Set<String> = []
    var talking = false
    var moderated = false

    var disabled: Bool { kind != .application && codec == nil }
    var subscribable: Bool { (kind == .audio || kind == .video) && codec != nil }

    var typeName: String {
        switch kind {
        case .audio: "audio"
        case .video: "video"
        default: "data"
        }
    }

    func fmtpParameter(_ key: String) -> String? {
        guard let fmtp else { return nil }
        for part in fmtp.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpacesAndTabs().lowercased() == key {
                return String(pair[1].trimmingSpacesAndTabs())
            }
        }
        return nil
    }
}

/// A publisher's live PeerConnection.
struct PublisherMedia: Sendable {
    var allocation: TransportAllocation
    var streams: [PublishedStream]
    /// `webrtcup` seen: the publisher is announced and can be subscribed to.
    var connected = false
    var settings: PublisherSettings
    var lastAnswer: SessionDescription
    var remoteICEUfrag: String?
    /// `"sha-256 AB:…"` of the peer: a re-offer with the same one is the same PeerConnection.
    var remoteFingerprint: String?
    var generation: UInt64

    func source(mid: String) -> SourceKey { SourceKey(publisher: allocation.id, mid: mid) }
    func stream(mid: String) -> PublishedStream? { streams.first { $0.mid == mid } }
    var audioCodec: ServerCodec? { streams.first { $0.kind == .audio && $0.codec != nil }?.codec }
    var videoCodec: ServerCodec? { streams.first { $0.kind == .video && $0.codec != nil }?.codec }
}

/// A publisher-role participant (joined with `ptype: "publisher"`, publishing or not).
struct Participant: Sendable {
    var id: VideoRoomID
    var privateID: UInt32
    var handleID: UInt64
    var context: PluginHandleContext
    var display: String?
    var metadata: JSONValue?
    var media: PublisherMedia?
    /// Per-user overrides of the room's talking thresholds and bitrate.
    var bitrate: UInt32?
    var audioActivePackets: Int?
    var audioLevelAverage: Int?
    /// Mids the user stopped (`configure` `send:false`); moderation mutes are on the streams.
    var userMutedMids: Set<String> = []
    var sdpSessionID = UInt64.random(in: 1...(1 << 53 - 1))
    var sdpVersion: UInt64 = 1

    var isActivePublisher: Bool { media?.connected == true }

    /// Sets the descriptions of published streams; whether any of them is published.
    mutating func describe(_ descriptions: [(mid: String, text: String)]) -> Bool {
        guard var publisherMedia = media else { return false }
        var changed = false
        for (mid, text) in descriptions {
            if let index = publisherMedia.streams.firstIndex(where: { $0.mid == mid }) {
                publisherMedia.streams[index].description = text
                changed = true
            }
        }
        media = publisherMedia
        return changed
    }
    var isTalking: Bool { media?.streams.contains { $0.talking } == true }
}

/// One m-line of a subscriber PeerConnection (its own mid, stable for the PeerConnection's life).
struct SubscriptionStream: Sendable {
    var mid: String
    var mindex: Int
    var kind: MediaKind
    var codec: ServerCodec
    var fmtp: String?
    /// Nil: an inactive placeholder (unsubscribed, or its publisher went away).
    var feedID: VideoRoomID?
    var feedMid: String?
    var crossrefID: String?
    /// Per-stream `send` (subscriber `configure`); the whole subscription can also be paused.
    var send = true
    /// The simulcast layer wanted (subscriber `configure` `substream`); nil: the top one.
    var substream: Int?
    /// The VP8 temporal layer wanted (`temporal`); nil: all of them.
    var temporal: Int?
    /// Janus `fallback` in µs (nil: 250 000).
    var fallback: Int?
    /// What the media plane last reported forwarding (the `simulcast` object's current layers).
    var forwardedSubstream: Int?
    var forwardedTemporal: Int?
    var ssrc: UInt32
    var rtxSSRC: UInt32?
    var extensions: Set<String>

    var active: Bool { feedID != nil }

    /// Takes the simulcast choices a request made (fields it left out stay as they are).
    mutating func apply(_ layers: RequestedLayers) {
        if let substream = layers.substream { self.substream = substream }
        if let temporal = layers.temporal { self.temporal = temporal }
        if let fallback = layers.fallback { self.fallback = fallback }
    }
}

/// A subscriber handle (`ptype: "subscriber"`).
struct Subscriber: Sendable {
    var handleID: UInt64
    var context: PluginHandleContext
    var privateID: UInt32?
    var allocation: TransportAllocation
    var streams: [SubscriptionStream] = []
    /// Our last offer; `awaitingAnswer` until `start` answers it.
    var lastOffer: SessionDescription?
    var awaitingAnswer = false
    /// A change arrived while an offer was outstanding (`updating`): offer again after `start`.
    var needsOffer = false
    /// The transport runs (first answer processed).
    var started = false
    var paused = false
    /// Extension: the subscriber's own `max_bitrate` (0: none); nil: the room's default.
    var maximumBitrate: Int?
    var sdpSessionID = UInt64.random(in: 1...(1 << 53 - 1))
    var sdpVersion: UInt64 = 0
    var generation: UInt64

    /// Codec of every `sendonly` m-line of the offer in flight.
    var offeredCodecs: [String: ServerCodec] = [:]
    /// m-lines the peer accepted for receiving in its last answer, with their codec: only these
    /// are bound, so an m-line reused for another codec waits for the renegotiation.
    var answeredCodecs: [String: ServerCodec] = [:]
}

/// What a handle is in the plugin.
enum HandleRole: Sendable, Equatable {
    case none
    case publisher(room: VideoRoomID, id: VideoRoomID)
    case subscriber(room: VideoRoomID)
    /// Left, or its room was destroyed: a handle cannot join again.
    case gone
    /// A subscription of a kicked user in a `require_pvtid` room: its requests get 433. (A
    /// kicked publisher's handle is `gone`.)
    case kicked
    /// In the room's lobby (room-control waiting room) until admitted, rejected or gone.
    case waiting(room: VideoRoomID)
}
