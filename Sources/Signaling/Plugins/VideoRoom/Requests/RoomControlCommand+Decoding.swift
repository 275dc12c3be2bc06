import SFUMedia
import VideoRoomControl

// Request bodies are read only in the `+Decoding` files: Janus JSON in, typed request out,
// with Janus's codes and wording for what is missing (429 "Missing mandatory element (x)")
// or of the wrong type (430 "Invalid element type (x should be y)"). Pure functions of the
// body; what needs the rooms (does the room exist, is the secret right) is the room's.
// This one: room-control requests.

// MARK: Room control

extension RoomControlCommand {
    init(_ name: VideoRoomRequestName, _ fields: VideoRoomFields) throws(VideoRoomError) {
        switch name {
        case .raiseHand: self = .raiseHand
        case .lowerHand: self = .lowerHand(try fields.id("id"))
        case .lowerAllHands: self = .lowerAllHands
        case .listWaiting: self = .listWaiting
        case .admit: self = .admit(try Self.lobbyTarget(fields))
        case .reject: self = .reject(try Self.lobbyTarget(fields), reason: try fields.string("reason"))
        case .setWaitingRoom:
            guard let enabled = try fields.bool("enabled") else { throw .missing("enabled") }
            self = .setWaitingRoom(enabled)
        case .promote: self = .promote(try fields.requiredID("id"))
        case .demote: self = .demote(try fields.requiredID("id"))
        case .mute: self = .mute(try fields.requiredID("id"), try Self.media(fields))
        case .unmute: self = .unmute(try fields.requiredID("id"), try Self.media(fields))
        case .muteAll: self = .muteAll(try Self.media(fields))
        case .unmuteAll: self = .unmuteAll(try Self.media(fields))
        case .removeParticipant: self = .remove(try fields.requiredID("id"))
        default: throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(name.rawValue)'")
        }
    }

    /// `{"all": true}` or `{"id": N}`.
    private static func lobbyTarget(_ fields: VideoRoomFields) throws(VideoRoomError) -> RoomControlTarget {
        if try fields.bool("all") == true { return .all }
        return .one(try fields.requiredID("id"))
    }

    /// `audio`/`video` booleans; neither given means both.
    private static func media(_ fields: VideoRoomFields) throws(VideoRoomError) -> RoomControlMedia {
        try media(audio: fields.bool("audio"), video: fields.bool("video"))
    }

    /// The media of a mute: neither given means both; given ones must include a true (430).
    package static func media(audio: Bool?, video: Bool?) throws(VideoRoomError) -> RoomControlMedia {
        if audio == nil && video == nil { return .all }
        var media: RoomControlMedia = []
        if audio == true { media.insert(.audio) }
        if video == true { media.insert(.video) }
        guard !media.isEmpty else {
            throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (audio or video must be true)")
        }
        return media
    }
}

extension HostProof {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        room = try fields.room()
        moderatorSecret = try fields.string("moderator_secret")
        secret = GivenSecret(fields, "secret")
    }
}
