import SFUMedia
import VideoRoomControl

/// `join` as a publisher-role participant (with an optional offer, `joinandconfigure`).
struct PublisherJoin: Sendable {
    var room: VideoRoomID
    var credentials: JoinCredentials
    var display: String?
    /// Nil or 0: a random free id.
    var id: VideoRoomID?
    var metadata: JSONValue?
    var bitrate: UInt32?
    var audioActivePackets: UInt64?
    var audioLevelAverage: UInt64?
    /// What the offer attached to the join is published with.
    var publish: PublishOptions
    /// `moderator_secret` given, and `secret` (room control: either makes a moderator).
    var moderatorSecret: String?
    var secret: GivenSecret
}

/// `pin` and `token` of a `join`, checked only when the room has a pin or a token list.
struct JoinCredentials: Sendable {
    var pin: GivenSecret
    var token: GivenSecret
}

/// The keys a publisher's offer is answered with (`publish`/`configure`/`joinandconfigure`).
/// Janus reads them only when an offer is there, so their type errors surface then.
struct PublishOptions: Sendable {
    var audioCodec: Result<String?, VideoRoomError>
    var videoCodec: Result<String?, VideoRoomError>
    /// `descriptions` read leniently: entries lacking a string `mid` or `description` are skipped.
    var descriptions: [String: String]
}

/// `join` as a subscriber (`ptype` `subscriber` or the legacy `listener`).
struct SubscriberJoin: Sendable {
    var room: VideoRoomID
    var pin: GivenSecret
    var privateID: UInt32?
    /// The deprecated single-`feed` form was used (no `streams`).
    var legacyFeed: VideoRoomID?
    var selectors: [FeedSelector]
}

/// One `{feed, mid?, crossrefid?}` entry of `streams`/`subscribe`.
struct FeedSelector: Sendable {
    var feed: VideoRoomID
    var mid: String?
    var crossrefID: String?
    /// Simulcast choices made at subscribe time (`substream`, `temporal`, `fallback`).
    var layers = RequestedLayers()
    /// Kinds the deprecated `feed` form switched off (`offer_audio`/`offer_video`/`offer_data`).
    var skippedKinds: Set<MediaKind> = []
}

/// One `unsubscribe` entry: `sub_mid`, or `feed` with an optional `mid`.
enum Unsubscription: Sendable {
    case subscriptionMid(String)
    case feed(VideoRoomID, mid: String?)
}

/// A `join` of either kind.
enum JoinRequest: Sendable {
    case publisher(PublisherJoin)
    case subscriber(SubscriberJoin)

    /// The room either kind joins.
    var room: VideoRoomID {
        switch self {
        case .publisher(let join): join.room
        case .subscriber(let join): join.room
        }
    }
}

/// Publisher `configure`/`publish`: the keys that need no renegotiation, plus the offer's.
struct PublisherConfigure: Sendable {
    var bitrate: UInt32?
    var keyframe = false
    var display: String?
    var metadata: JSONValue?
    var audioActivePackets: UInt64?
    var audioLevelAverage: UInt64?
    var streams: [StreamChange]
    var descriptions: [(mid: String, text: String)]
    var publish: PublishOptions
}

/// One `streams` entry of a publisher `configure` (or the legacy top-level `mid`/`send`).
struct StreamChange: Sendable {
    var mid: String
    var send: Bool?
    var keyframe: Bool
}

/// Subscriber `configure`: per-m-line (or whole-subscription) `send` and simulcast `substream`.
struct SubscriberConfigure: Sendable {
    struct Item: Sendable {
        var mid: String?
        var send: Bool?
        var layers = RequestedLayers()
    }

    var items: [Item]
    /// Extension: the most this subscriber wants to receive, bits/s (0: no cap of its own).
    var maximumBitrate: Int?
}

/// A subscriber's simulcast choices for a stream (Janus `substream`, `temporal`, `fallback`);
/// nil fields leave the current choice as it is.
struct RequestedLayers: Sendable, Equatable {
    /// The simulcast layer wanted (0 the lowest … 2), a ceiling the m-line switches to on a keyframe.
    var substream: Int?
    /// The VP8 temporal layer wanted (0 … 2).
    var temporal: Int?
    /// µs without packets before a layer counts as stopped.
    var fallback: Int?

    var isEmpty: Bool { self == RequestedLayers() }
}

/// One `switch` entry: m-line `sub_mid` now carries `feed`'s `mid`.
struct StreamSwitch: Sendable {
    var feed: VideoRoomID
    var mid: String
    var subscriptionMid: String
}
