import SFUMedia
import VideoRoomControl

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
