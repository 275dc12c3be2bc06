import SFUMedia
import VideoRoomControl

/// The name of a VideoRoom request (`"request"` in the body): the only place where request
/// strings are matched. Janus's names, lowercased; `joinandconfigure` is `join`'s alias.
enum VideoRoomRequestName: String, Sendable, CaseIterable {
    // Room management, answered in the `success` (janus-api.md §8.3).
    case create, edit, destroy, exists, list, allowed, kick, moderate
    case listParticipants = "listparticipants"
    // Participant requests, answered by an event with the request's transaction (§8.4, §8.7).
    case join, joinAndConfigure = "joinandconfigure", publish, unpublish, configure, start, pause
    case `switch`, subscribe, unsubscribe, update, leave
    // Room-control extension (README "Room control (extension)"), answered in the `success`.
    case raiseHand = "raise_hand", lowerHand = "lower_hand", lowerAllHands = "lower_all_hands"
    case listWaiting = "list_waiting", admit, reject, setWaitingRoom = "set_waiting_room"
    case promote, demote, mute, unmute, muteAll = "mute_all", unmuteAll = "unmute_all"
    case removeParticipant = "remove_participant"
    // Janus requests swift-sfu answers with 499 (no plain-RTP forwarders, recorder or cascading).
    case enableRecording = "enable_recording", listForwarders = "listforwarders", rtpForward = "rtp_forward"
    case stopRTPForward = "stop_rtp_forward", addRemotePublisher = "add_remote_publisher"
    case updateRemotePublisher = "update_remote_publisher", removeRemotePublisher = "remove_remote_publisher"
    case publishRemotely = "publish_remotely", unpublishRemotely = "unpublish_remotely"
    case listRemotes = "listremotes"

    enum Kind: Sendable {
        /// Answered in the `success` of the `message`.
        case synchronous
        /// Acknowledged, then answered by an event carrying the transaction.
        case asynchronous
        /// The room-control extension: synchronous, from a member or the room's host.
        case roomControl
        /// A Janus request swift-sfu does not implement: 499.
        case unsupported
    }

    var kind: Kind {
        switch self {
        case .create, .edit, .destroy, .exists, .list, .allowed, .kick, .moderate, .listParticipants:
            .synchronous
        case .join, .joinAndConfigure, .publish, .unpublish, .configure, .start, .pause, .switch, .subscribe,
            .unsubscribe, .update, .leave:
            .asynchronous
        case .raiseHand, .lowerHand, .lowerAllHands, .listWaiting, .admit, .reject, .setWaitingRoom, .promote,
            .demote, .mute, .unmute, .muteAll, .unmuteAll, .removeParticipant:
            .roomControl
        case .enableRecording, .listForwarders, .rtpForward, .stopRTPForward, .addRemotePublisher,
            .updateRemotePublisher, .removeRemotePublisher, .publishRemotely, .unpublishRemotely, .listRemotes:
            .unsupported
        }
    }

    /// `join` or its alias.
    var isJoin: Bool { self == .join || self == .joinAndConfigure }

    /// Reads `request` (429/430), lowercased; an unknown name is 423.
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        let text = try fields.requiredString("request").lowercased()
        guard let name = VideoRoomRequestName(rawValue: text) else {
            throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(text)'")
        }
        self = name
    }
}

/// A room-management request (synchronous), decoded and validated (`+Decoding`).
package enum RoomRequest: Sendable {
    case create(CreateRoom)
    case edit(EditRoom)
    case destroy(DestroyRoom)
    case exists(room: VideoRoomID)
    case list(adminKey: String?)
    case allowed(AllowedChange)
    case kick(room: VideoRoomID, secret: GivenSecret, participant: VideoRoomID)
    case moderate(Moderation)
    case listParticipants(room: VideoRoomID)
}

/// `create`: the room's settings (with `room` 0 when the id is to be picked).
package struct CreateRoom: Sendable {
    var adminKey: GivenSecret
    var permanent = false
    /// Nil: a random free id.
    var room: VideoRoomID?
    var settings: VideoRoomSettings
    /// `description` was given (otherwise it becomes "Room <id>").
    var described: Bool
}

/// `edit`: the changes, all optional (`new_*` keys).
package struct EditRoom: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var permanent = false
    var description: String?
    /// "" clears the secret / pin.
    var newSecret: String?
    var newPin: String?
    var isPrivate: Bool?
    var requirePvtID: Bool?
    var bitrate: UInt32?
    var firFreq: UInt32?
    var publishers: UInt64?
    var control: RoomControlEdit
}

package struct DestroyRoom: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var permanent = false
}

/// `allowed`: the join-token list.
package struct AllowedChange: Sendable {
    package enum Action: String, Sendable {
        case enable, disable, add, remove
    }

    var room: VideoRoomID
    var secret: GivenSecret
    var action: Action
    /// The tokens of `add`/`remove` (required for them).
    var tokens: [String]
}

/// `moderate`: mute or unmute one published stream for everyone.
package struct Moderation: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var participant: VideoRoomID
    var mid: String
    var mute: Bool
}

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

/// A secret, pin, token or admin key as the request gave it. Janus reads one only when the
/// room (or the server) has one to compare with, so a wrong type is an error only then.
package struct GivenSecret: Sendable {
    let key: String
    let value: Result<String?, VideoRoomError>

    init(_ fields: VideoRoomFields, _ key: String) {
        self.key = key
        value = Result { () throws(VideoRoomError) in try fields.string(key) }
    }

    package init(key: String, _ given: String?) {
        self.key = key
        value = .success(given)
    }

    /// The string given, if it is one.
    var lenient: String? { (try? value.get()) ?? nil }

    /// The string given, read now: 430 for another type, nil when absent.
    func read() throws(VideoRoomError) -> String? { try value.get() }

    /// Against the room's `expected` (nil: nothing to check): 429 missing, 433 wrong.
    func check(_ expected: String?, wrong: VideoRoomError = .wrongSecret) throws(VideoRoomError) {
        guard let expected else { return }
        guard let given = try read() else { throw .missing(key) }
        guard given == expected else { throw wrong }
    }
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

/// Subscriber `configure`: per-m-line (or whole-subscription) `send`.
struct SubscriberConfigure: Sendable {
    struct Item: Sendable {
        var mid: String?
        var send: Bool?
    }

    var items: [Item]
}

/// One `switch` entry: m-line `sub_mid` now carries `feed`'s `mid`.
struct StreamSwitch: Sendable {
    var feed: VideoRoomID
    var mid: String
    var subscriptionMid: String
}

/// A room-control request as decoded; `input(by:)` makes it the machine's input.
package enum RoomControlCommand: Sendable {
    case raiseHand
    /// Nil target: a member's own hand (the host must name one).
    case lowerHand(VideoRoomID?)
    case lowerAllHands
    case listWaiting
    case admit(RoomControlTarget)
    case reject(RoomControlTarget, reason: String?)
    case setWaitingRoom(Bool)
    case promote(VideoRoomID)
    case demote(VideoRoomID)
    case mute(VideoRoomID, RoomControlMedia)
    case unmute(VideoRoomID, RoomControlMedia)
    case muteAll(RoomControlMedia)
    case unmuteAll(RoomControlMedia)
    case remove(VideoRoomID)

    /// The machine's input for a request from `actor` (a host's `lower_hand` must name an `id`).
    func input(by actor: RoomControlActor) throws(VideoRoomError) -> RoomControlRequest {
        switch self {
        case .raiseHand:
            guard case .member(let id) = actor else {
                throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request 'raise_hand'")
            }
            return .raiseHand(id)
        case .lowerHand(let target):
            switch actor {
            case .member(let id): return .lowerHand(by: actor, target: target ?? id)
            case .host:
                guard let target else { throw .missing("id") }
                return .lowerHand(by: actor, target: target)
            }
        case .lowerAllHands: return .lowerAllHands(by: actor)
        case .listWaiting: return .listWaiting(by: actor)
        case .admit(let target): return .admit(by: actor, target)
        case .reject(let target, let reason): return .reject(by: actor, target, reason: reason)
        case .setWaitingRoom(let enabled): return .setWaitingRoom(by: actor, enabled: enabled)
        case .promote(let id): return .promote(by: actor, target: id)
        case .demote(let id): return .demote(by: actor, target: id)
        case .mute(let id, let media): return .mute(by: actor, target: id, media)
        case .unmute(let id, let media): return .unmute(by: actor, target: id, media)
        case .muteAll(let media): return .muteAll(by: actor, media)
        case .unmuteAll(let media): return .unmuteAll(by: actor, media)
        case .remove(let id): return .kick(by: actor, target: id)
        }
    }
}

/// A room-control request from outside the room (the host): the room and its proof of authority.
package struct HostProof: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var moderatorSecret: String?

    /// The host's proof as the room API gives it: the room's `secret`, if any.
    package init(room: VideoRoomID, secret: String?) {
        self.room = room
        self.secret = GivenSecret(key: "secret", secret)
        moderatorSecret = nil
    }
}
