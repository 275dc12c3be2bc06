import SFUMedia
import VideoRoomControl

/// The room-control properties of a room (README "Room control (extension)"): read from
/// `create` (and the rooms file), written back to it, shown in `list` only when in use so a
/// plain Janus room looks exactly like one.
extension VideoRoomSettings {
    mutating func readRoomControl(_ fields: VideoRoomFields) throws(VideoRoomError) {
        if let value = try fields.bool("waiting_room") { waitingRoom = value }
        if let value = try fields.uint32("waiting_timeout") { waitingTimeout = value }
        if let value = try fields.string("moderator_secret") { moderatorSecret = value.isEmpty ? nil : value }
    }

    func addRoomControl(to object: inout JSONObject, secrets: Bool) {
        if waitingRoom { object["waiting_room"] = true }
        if waitingTimeout > 0 { object["waiting_timeout"] = .int(Int64(waitingTimeout)) }
        if secrets, let moderatorSecret { object["moderator_secret"] = .string(moderatorSecret) }
    }

    var roomControlConfiguration: RoomControlConfiguration {
        RoomControlConfiguration(waitingRoom: waitingRoom, waitingTimeoutMilliseconds: waitingTimeoutMilliseconds)
    }

    var waitingTimeoutMilliseconds: UInt64? { waitingTimeout > 0 ? UInt64(waitingTimeout) * 1000 : nil }

    /// Whether a `join` proves moderator rights: the room's `moderator_secret`, or its
    /// `secret`. A wrong `moderator_secret` is an error (433); a wrong `secret` is ignored, as a
    /// plain Janus `join` ignores it.
    func joinsAsModerator(moderatorSecret given: String?, secret givenSecret: GivenSecret) throws(VideoRoomError)
        -> Bool
    {
        if let given {
            guard given == moderatorSecret || (secret != nil && given == secret) else {
                throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (wrong moderator_secret)")
            }
            return true
        }
        if let given = givenSecret.lenient, let secret, given == secret { return true }
        return false
    }

    /// Host authority (README "Room control (extension)"): a room-control request from outside
    /// the room proves it owns the room as Janus's `kick`/`moderate`/`edit` do, with the room's
    /// `secret` (429 missing, 433 wrong), or with `moderator_secret` (whose holder could join as
    /// a moderator anyway). A room with neither secret is open to it, as it is to `kick`.
    /// `admin_key` is no proof: in Janus it only guards `create`.
    func checkHostAuthority(_ proof: HostProof) throws(VideoRoomError) {
        if proof.moderatorSecret != nil {
            guard try joinsAsModerator(moderatorSecret: proof.moderatorSecret, secret: proof.secret) else {
                throw .wrongSecret
            }
            return
        }
        guard secret != nil || moderatorSecret != nil else { return }
        guard let given = try proof.secret.read() else { throw .missing("secret") }
        guard given == secret else { throw .wrongSecret }
    }

    /// Janus's `join` checks of the room pin and allowed-token list (433/429).
    func checkJoinCredentials(_ credentials: JoinCredentials) throws(VideoRoomError) {
        try credentials.pin.check(pin, wrong: .wrongPin)
        if checkAllowed {
            guard let token = try credentials.token.read(), allowed.contains(token) else {
                throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (not in the allowed list)")
            }
        }
    }
}

/// The room-control keys of an `edit` request, validated before anything changes.
struct RoomControlEdit {
    var waitingRoom: Bool?
    var waitingTimeout: UInt32?
    /// "" clears it.
    var moderatorSecret: String?

    func apply(to settings: inout VideoRoomSettings) {
        if let waitingRoom { settings.waitingRoom = waitingRoom }
        if let waitingTimeout { settings.waitingTimeout = waitingTimeout }
        if let moderatorSecret { settings.moderatorSecret = moderatorSecret.isEmpty ? nil : moderatorSecret }
    }
}
