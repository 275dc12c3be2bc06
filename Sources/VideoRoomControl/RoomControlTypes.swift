import SFUBase

/// A participant's standing in a controlled room (swift-sfu room-control extension).
public enum RoomControlRole: String, Sendable, Hashable {
    /// Lets people in, lowers hands, mutes and removes participants, promotes and demotes.
    case moderator
    case participant
}

/// The media kinds a moderator has muted for one participant.
public struct RoomControlMedia: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let audio = RoomControlMedia(rawValue: 1)
    public static let video = RoomControlMedia(rawValue: 2)
    public static let all: RoomControlMedia = [.audio, .video]
}

/// Whom a lobby decision applies to.
public enum RoomControlTarget: Sendable, Hashable {
    case one(VideoRoomID)
    /// Everybody waiting, in arrival order.
    case all
}

/// Who sends a moderator request: a member of the room, or the room's host.
///
/// The host is whoever owns the room from outside it (an embedding daemon, an admin tool over
/// the Janus API): the driver lets it in with the room's secret (README "Room control
/// (extension)", host authority). It may do everything a moderator may, but it is never a
/// member: never counted, never told events, never in the hand queue. An integer literal
/// stands for a member (`by: 4` is `by: .member(4)`).
public enum RoomControlActor: Sendable, Hashable, ExpressibleByIntegerLiteral {
    /// The member with this VideoRoom participant id; the machine checks its role.
    case member(VideoRoomID)
    /// The room's owner, already authenticated by the driver.
    case host

    public init(integerLiteral value: UInt64) { self = .member(.number(value)) }
}

/// One request to a room's control state machine. `by` is the requester: a member (its
/// VideoRoom participant id; the machine itself decides whether that member may ask) or the
/// host, who may ask everything a moderator may.
public enum RoomControlRequest: Sendable, Hashable {
    /// Someone asks to enter. `moderator` is true when they proved moderator rights (the
    /// driver checks the secret); a moderator never waits.
    case join(VideoRoomID, moderator: Bool)
    /// A member or a waiting joiner goes away (leave, detach, hangup of a waiting handle).
    case leave(VideoRoomID)
    case raiseHand(VideoRoomID)
    /// Lower `target`'s hand: one's own, or anyone's for a moderator or the host.
    case lowerHand(by: RoomControlActor, target: VideoRoomID)
    case lowerAllHands(by: RoomControlActor)
    /// Only checks that `by` may read the lobby; the driver reads `waitingList`.
    case listWaiting(by: RoomControlActor)
    case admit(by: RoomControlActor, RoomControlTarget)
    case reject(by: RoomControlActor, RoomControlTarget, reason: String?)
    case setWaitingRoom(by: RoomControlActor, enabled: Bool)
    case promote(by: RoomControlActor, target: VideoRoomID)
    case demote(by: RoomControlActor, target: VideoRoomID)
    case mute(by: RoomControlActor, target: VideoRoomID, RoomControlMedia)
    case unmute(by: RoomControlActor, target: VideoRoomID, RoomControlMedia)
    /// Mutes every participant that is not a moderator.
    case muteAll(by: RoomControlActor, RoomControlMedia)
    case unmuteAll(by: RoomControlActor, RoomControlMedia)
    case kick(by: RoomControlActor, target: VideoRoomID)
}

/// Why a joiner left the lobby.
public enum LobbyDeparture: String, Sendable, Hashable {
    case admitted
    case rejected
    /// `waiting_timeout` ran out before a moderator decided.
    case timeout
    /// The joiner gave up (leave, detach).
    case left
    /// The room went away.
    case closed
}

/// A change of the lobby, told to the moderators together with the list.
public enum LobbyChange: Sendable, Hashable {
    case arrived(VideoRoomID)
    case departed(VideoRoomID, LobbyDeparture)
}

/// What an event says. The driver renders it (with displays) for its protocol.
public enum RoomControlEventKind: Sendable, Hashable {
    /// To the joiner alone: it waits in the lobby at `position` (1-based).
    case waiting(id: VideoRoomID, position: Int)
    /// To the moderators: the lobby after `change` (nil: a moderator's first view of it).
    case lobby(waiting: [VideoRoomID], change: LobbyChange?)
    /// To every member: the raised hands, oldest first.
    case hands([VideoRoomID])
    /// To every member: `id` now has `role`.
    case role(id: VideoRoomID, role: RoomControlRole)
    /// To every member: what is muted of `id` by moderators now.
    case muted(id: VideoRoomID, media: RoomControlMedia)
    /// To the moderators: the waiting room was switched.
    case waitingRoom(enabled: Bool)
}

/// A notification and who gets it (member ids, ascending; a joiner only for its own `waiting`).
public struct RoomControlEvent: Sendable, Hashable {
    public var recipients: [VideoRoomID]
    public var kind: RoomControlEventKind

    public init(recipients: [VideoRoomID], kind: RoomControlEventKind) {
        self.recipients = recipients
        self.kind = kind
    }
}

/// Something the driver must do to the room itself. Effects come before events: a newly
/// admitted participant is in the room before the events addressed to it are sent.
public enum RoomControlEffect: Sendable, Hashable {
    /// Let `id` in: it now gets the publisher list and may publish and subscribe.
    case admit(VideoRoomID)
    /// `id` leaves the lobby without entering (tell it why, end its handle).
    case dismiss(VideoRoomID, LobbyDeparture, message: String?)
    /// Forward only what is not in `muted` from `id`'s media (moderator mutes, replacing the last).
    case applyMutes(VideoRoomID, muted: RoomControlMedia)
    /// Remove member `id` from the room (kick).
    case remove(VideoRoomID)
}

/// Everything one input produced.
public struct RoomControlOutput: Sendable, Hashable {
    public var effects: [RoomControlEffect] = []
    public var events: [RoomControlEvent] = []

    public init() {}
}

/// Why a request was refused. The state is unchanged after an error.
public enum RoomControlError: Error, Sendable, Hashable {
    /// The requester is a member but not a moderator (the host always passes).
    case notModerator
    /// The requester is still in the lobby.
    case notAdmitted
    /// The requester or target is not in the room (a waiting joiner is not in the room).
    case noSuchParticipant(VideoRoomID)
    /// The admit/reject target is not waiting (already admitted, gave up, or never came).
    case notWaiting(VideoRoomID)
    case handAlreadyRaised(VideoRoomID)
    case handNotRaised(VideoRoomID)
    /// promote of a moderator, demote of a participant.
    case roleUnchanged(VideoRoomID, RoomControlRole)
    /// `join` of an id that is already a member or waiting.
    case alreadyPresent(VideoRoomID)
}

/// The room properties the machine needs.
public struct RoomControlConfiguration: Sendable, Hashable {
    /// Joiners who are not moderators wait in the lobby.
    public var waitingRoom: Bool
    /// How long a joiner may wait before it is turned away; nil waits forever.
    public var waitingTimeoutMilliseconds: UInt64?

    public init(waitingRoom: Bool = false, waitingTimeoutMilliseconds: UInt64? = nil) {
        self.waitingRoom = waitingRoom
        self.waitingTimeoutMilliseconds = waitingTimeoutMilliseconds
    }
}
