import SFUMedia
import VideoRoomControl

/// The name of a VideoRoom request (`"request"` in the body): the only place where request
/// strings are matched. Janus's names, lowercased; `joinandconfigure` is `join`'s alias.
enum VideoRoomRequestName: String, Sendable, CaseIterable {
    // Room management, answered in the `success` (janus-api.md §8.3).
    case create, edit, destroy, exists, list, allowed, kick, moderate
    case listParticipants = "listparticipants"
    // Bandwidth extension (README "Bandwidth"), answered in the `success`.
    case limitSubscriptions = "limit_subscriptions"
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
        case .create, .edit, .destroy, .exists, .list, .allowed, .kick, .moderate, .listParticipants,
            .limitSubscriptions:
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
