/// Room control (README "Room control (extension)") for the room's owner: each call is the
/// extension's request sent as the room's host, from the room API's own handle, which is in no
/// room. The plugin checks host authority as it checks Janus's `kick`: `secret` is the room's
/// `secret`, required when the room has a secret or a `moderator_secret`; a room with neither
/// is open to its host. Moderators and participants get the same events as when a moderator
/// asks; the host itself is never a participant.
/// Errors throw `SFUError.janus`: 426 no such room, 433 wrong secret, 429 missing secret,
/// 522 no such participant, 523 not waiting, 525 hand not raised, 526 role unchanged.
extension SFUServer {
    /// The joiners waiting in a room's lobby, in arrival order (`list_waiting`).
    public func waitingList(room: UInt64, secret: String? = nil) async throws(SFUError) -> [RoomPerson] {
        let data = try await hostRequest("list_waiting", room: room, secret: secret)
        return RoomPerson.list(data["waiting"])
    }

    /// Lets one waiting joiner in (`admit`): it gets its `joined` and may publish.
    public func admit(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("admit", room: room, secret: secret, ["id": .uint(participant)])
    }

    /// Lets everybody waiting in, in arrival order (`admit` with `all`).
    public func admitAll(room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("admit", room: room, secret: secret, ["all": true])
    }

    /// Turns one waiting joiner away (`reject`); `reason` reaches it as `message`.
    public func reject(
        participant: UInt64, room: UInt64, reason: String? = nil, secret: String? = nil
    ) async throws(SFUError) {
        var extra: JSONObject = ["id": .uint(participant)]
        if let reason { extra["reason"] = .string(reason) }
        try await hostRequest("reject", room: room, secret: secret, extra)
    }

    /// Turns everybody waiting away (`reject` with `all`).
    public func rejectAll(room: UInt64, reason: String? = nil, secret: String? = nil) async throws(SFUError) {
        var extra: JSONObject = ["all": true]
        if let reason { extra["reason"] = .string(reason) }
        try await hostRequest("reject", room: room, secret: secret, extra)
    }

    /// Switches the waiting room on or off (`set_waiting_room`); off lets everybody waiting in.
    public func setWaitingRoom(room: UInt64, enabled: Bool, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("set_waiting_room", room: room, secret: secret, ["enabled": .bool(enabled)])
    }

    /// Lowers a participant's raised hand (`lower_hand`); returns the hand queue after it.
    @discardableResult
    public func lowerHand(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError)
        -> [RoomPerson]
    {
        let data = try await hostRequest("lower_hand", room: room, secret: secret, ["id": .uint(participant)])
        return RoomPerson.list(data["hands"])
    }

    /// Lowers every raised hand (`lower_all_hands`).
    public func lowerAllHands(room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("lower_all_hands", room: room, secret: secret)
    }

    /// Makes a participant a moderator (`promote`): everyone gets its `role`, it gets the lobby.
    public func promote(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("promote", room: room, secret: secret, ["id": .uint(participant)])
    }

    /// Makes a moderator a plain participant (`demote`), even the last one.
    public func demote(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("demote", room: room, secret: secret, ["id": .uint(participant)])
    }

    /// Stops forwarding a participant's audio and/or video (`mute`); only a moderator or the
    /// host lifts it. At least one of `audio` and `video` must be true (else 430).
    public func mute(
        participant: UInt64, room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(
            "mute", room: room, secret: secret, ["id": .uint(participant), "audio": .bool(audio), "video": .bool(video)])
    }

    /// Lifts a moderator mute of a participant's audio and/or video (`unmute`).
    public func unmute(
        participant: UInt64, room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest(
            "unmute", room: room, secret: secret, ["id": .uint(participant), "audio": .bool(audio), "video": .bool(video)])
    }

    /// Mutes every participant that is not a moderator (`mute_all`).
    public func muteAll(
        room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest("mute_all", room: room, secret: secret, ["audio": .bool(audio), "video": .bool(video)])
    }

    /// Lifts moderator mutes of everyone (`unmute_all`).
    public func unmuteAll(
        room: UInt64, audio: Bool = true, video: Bool = true, secret: String? = nil
    ) async throws(SFUError) {
        try await hostRequest("unmute_all", room: room, secret: secret, ["audio": .bool(audio), "video": .bool(video)])
    }

    /// Removes a participant (`remove_participant`): as `kick`, with the extension's checks
    /// and its hand-queue and role bookkeeping.
    public func removeParticipant(_ participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        try await hostRequest("remove_participant", room: room, secret: secret, ["id": .uint(participant)])
    }

    /// One room-control request as the room's host.
    @discardableResult
    private func hostRequest(
        _ request: String, room: UInt64, secret: String?, _ extra: JSONObject = [:]
    ) async throws(SFUError) -> JSONObject {
        var body = extra
        body["request"] = .string(request)
        body["room"] = .uint(room)
        if let secret { body["secret"] = .string(secret) }
        return try await send(body)
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

    static func list(_ value: JSONValue?) -> [RoomPerson] {
        (value?.arrayValue ?? []).compactMap { entry in
            entry["id"]?.uint64Value.map { RoomPerson(id: $0, display: entry["display"]?.stringValue) }
        }
    }
}
