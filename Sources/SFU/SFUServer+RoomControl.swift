/// Room control (README "Room control (extension)") for the room's owner: each call is the
/// extension's request, typed, performed as the room's host (never a participant). The plugin checks host authority as it checks Janus's `kick`: `secret` is the room's
/// `secret`, required when the room has a secret or a `moderator_secret`; a room with neither
/// is open to its host. Moderators and participants get the same events as when a moderator
/// asks; the host itself is never a participant.
/// Errors throw `SFUError.janus`: 426 no such room, 433 wrong secret, 429 missing secret,
/// 522 no such participant, 523 not waiting, 525 hand not raised, 526 role unchanged.
extension SFUServer {
    /// The joiners waiting in a room's lobby, in arrival order (`list_waiting`).
    public func waitingList(room: UInt64, secret: String? = nil) async throws(SFUError) -> [RoomPerson] {
        RoomPerson.list(try await hostRequest(.listWaiting, room: room, secret: secret).waiting)
    }

    /// Lets one waiting joiner in (`admit`): it gets its `joined` and may publish.
    public func admit(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.admit(.one(.number(participant))), room: room, secret: secret)
    }

    /// Lets everybody waiting in, in arrival order (`admit` with `all`).
    public func admitAll(room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.admit(.all), room: room, secret: secret)
    }

    /// Turns one waiting joiner away (`reject`); `reason` reaches it as `message`.
    public func reject(
        participant: UInt64, room: UInt64, reason: String? = nil, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(.reject(.one(.number(participant)), reason: reason), room: room, secret: secret)
    }

    /// Turns everybody waiting away (`reject` with `all`).
    public func rejectAll(room: UInt64, reason: String? = nil, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.reject(.all, reason: reason), room: room, secret: secret)
    }

    /// Switches the waiting room on or off (`set_waiting_room`); off lets everybody waiting in.
    public func setWaitingRoom(room: UInt64, enabled: Bool, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.setWaitingRoom(enabled), room: room, secret: secret)
    }

    /// Lowers a participant's raised hand (`lower_hand`); returns the hand queue after it.
    @discardableResult
    public func lowerHand(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError)
        -> [RoomPerson]
    {
        RoomPerson.list(try await hostRequest(.lowerHand(.number(participant)), room: room, secret: secret).hands)
    }

    /// Lowers every raised hand (`lower_all_hands`).
    public func lowerAllHands(room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.lowerAllHands, room: room, secret: secret)
    }

    /// Makes a participant a moderator (`promote`): everyone gets its `role`, it gets the lobby.
    public func promote(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.promote(.number(participant)), room: room, secret: secret)
    }

    /// Makes a moderator a plain participant (`demote`), even the last one.
    public func demote(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.demote(.number(participant)), room: room, secret: secret)
    }

    /// Stops forwarding a participant's audio and/or video (`mute`); only a moderator or the
    /// host lifts it. At least one of `audio` and `video` must be true (else 430).
    public func mute(
        participant: UInt64, room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(media(audio, video).map { .mute(.number(participant), $0) }, room: room, secret: secret)
    }

    /// Lifts a moderator mute of a participant's audio and/or video (`unmute`).
    public func unmute(
        participant: UInt64, room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(media(audio, video).map { .unmute(.number(participant), $0) }, room: room, secret: secret)
    }

    /// Mutes every participant that is not a moderator (`mute_all`).
    public func muteAll(
        room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(media(audio, video).map { .muteAll($0) }, room: room, secret: secret)
    }

    /// Lifts moderator mutes of everyone (`unmute_all`).
    public func unmuteAll(
        room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(media(audio, video).map { .unmuteAll($0) }, room: room, secret: secret)
    }

    /// Removes a participant (`remove_participant`): as `kick`, with the extension's checks
    /// and its hand-queue and role bookkeeping.
    public func removeParticipant(_ participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest(.remove(.number(participant)), room: room, secret: secret)
    }

    /// One room-control request as the room's host, typed both ways.
    @discardableResult
    private func hostRequest(
        _ command: RoomControlCommand, room: UInt64, secret: String?
    ) async throws(SFUError) -> RoomControlReply {
        try await hostRequest(.success(command), room: room, secret: secret)
    }

    /// A command that may not build (a mute of neither medium: 430, after the room checks).
    @discardableResult
    private func hostRequest(
        _ command: Result<RoomControlCommand, VideoRoomError>, room: UInt64, secret: String?
    ) async throws(SFUError) -> RoomControlReply {
        let videoRoom = try await runtime().videoRoom
        do throws(VideoRoomError) {
            return try await videoRoom.performHost(command, proof: HostProof(room: .number(room), secret: secret))
        } catch {
            throw SFUError(error)
        }
    }

    /// The media of a mute: at least one of `audio` and `video` must be true.
    private func media(_ audio: Bool, _ video: Bool) -> Result<RoomControlMedia, VideoRoomError> {
        Result { () throws(VideoRoomError) in try RoomControlCommand.media(audio: audio, video: video) }
    }
}

/// A participant or waiting joiner as room-control answers name it.
public struct RoomPerson: Sendable, Hashable {
    /// The VideoRoom participant id (a waiting joiner's is the id it will have once admitted).
    public var id: UInt64
    /// `display`, if it gave one.
    public var display: String?

    public init(id: UInt64, display: String? = nil) {
        self.id = id
        self.display = display
    }

    static func list(_ people: [ControlPerson]?) -> [RoomPerson] {
        (people ?? []).map { RoomPerson(id: $0.id.number ?? 0, display: $0.display) }
    }
}
