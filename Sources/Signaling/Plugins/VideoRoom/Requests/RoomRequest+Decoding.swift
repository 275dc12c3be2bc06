import SFUMedia
import VideoRoomControl

// Request bodies are read only in the `+Decoding` files: Janus JSON in, typed request out,
// with Janus's codes and wording for what is missing (429 "Missing mandatory element (x)")
// or of the wrong type (430 "Invalid element type (x should be y)"). Pure functions of the
// body; what needs the rooms (does the room exist, is the secret right) is the room's.
// This one: room-management requests, and the room API's typed constructors.

extension RoomRequest {
    /// A synchronous room-management request.
    init(_ name: VideoRoomRequestName, _ fields: VideoRoomFields) throws(VideoRoomError) {
        switch name {
        case .create: self = .create(try CreateRoom(fields))
        case .edit: self = .edit(try EditRoom(fields))
        case .destroy:
            self = .destroy(DestroyRoom(
                room: try fields.room(), secret: GivenSecret(fields, "secret"),
                permanent: try fields.bool("permanent") ?? false))
        case .exists: self = .exists(room: try fields.room())
        case .list: self = .list(adminKey: try fields.string("admin_key"))
        case .allowed: self = .allowed(try AllowedChange(fields))
        case .kick:
            self = .kick(room: try fields.room(), secret: GivenSecret(fields, "secret"),
                         participant: try fields.requiredID("id"))
        case .moderate: self = .moderate(try Moderation(fields))
        case .listParticipants: self = .listParticipants(room: try fields.room())
        case .limitSubscriptions:
            guard let bitrate = try fields.uint("max_bitrate") else { throw .missing("max_bitrate") }
            self = .limitSubscriptions(
                room: try fields.room(), secret: GivenSecret(fields, "secret"), participant: try fields.requiredID("id"),
                maximumBitrate: Int(clamping: bitrate))
        default: throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(name.rawValue)'")
        }
    }
}

extension CreateRoom {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        adminKey = GivenSecret(fields, "admin_key")
        try VideoRoomSettings.validateCodecNames(fields)
        permanent = try fields.bool("permanent") ?? false
        room = try fields.id("room").flatMap { $0 == .number(0) ? nil : $0 }
        settings = try VideoRoomSettings(room: 0, create: fields)
        described = fields.has("description")
    }
}

extension EditRoom {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        room = try fields.room()
        secret = GivenSecret(fields, "secret")
        permanent = try fields.bool("permanent") ?? false
        if let value = try fields.string("new_description"), !value.isEmpty { description = value }
        newSecret = try fields.string("new_secret")
        newPin = try fields.string("new_pin")
        isPrivate = try fields.bool("new_is_private")
        requirePvtID = try fields.bool("new_require_pvtid")
        bitrate = try fields.uint32("new_bitrate")
        subscriberMaxBitrate = try fields.uint32("new_subscriber_max_bitrate")
        firFreq = try fields.uint32("new_fir_freq")
        publishers = try fields.uint("new_publishers")
        _ = try fields.bool("new_lock_record")
        _ = try fields.string("new_rec_dir")
        control = try RoomControlEdit(fields)
    }
}

extension RoomControlEdit {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        waitingRoom = try fields.bool("new_waiting_room")
        waitingTimeout = try fields.uint32("new_waiting_timeout")
        moderatorSecret = try fields.string("new_moderator_secret")
    }
}

extension AllowedChange {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        room = try fields.room()
        secret = GivenSecret(fields, "secret")
        let actionName = try fields.requiredString("action")
        let list = try fields.strings("allowed")
        guard let action = Action(rawValue: actionName) else {
            throw VideoRoomError(VideoRoomError.invalidElement, "Unsupported action '\(actionName)' (allowed)")
        }
        if action == .add || action == .remove {
            guard list != nil else { throw .missing("allowed") }
        }
        self.action = action
        tokens = list ?? []
    }
}

extension Moderation {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        room = try fields.room()
        secret = GivenSecret(fields, "secret")
        participant = try fields.requiredID("id")
        mid = try fields.requiredString("mid")
        guard let mute = try fields.bool("mute") else { throw .missing("mute") }
        self.mute = mute
    }
}

// MARK: The room API's requests (`SFUServer`): typed values, the same checks

extension RoomRequest {
    /// A room-management request from a Janus body: the room API's `create`/`edit`, whose
    /// options are the Janus keys (with free extra keys), decoded exactly as a client's.
    package init(body: JSONObject) throws(VideoRoomError) {
        let fields = VideoRoomFields(body)
        try self.init(VideoRoomRequestName(fields), fields)
    }

    package static func destroy(room: VideoRoomID, secret: String?, permanent: Bool) -> RoomRequest {
        .destroy(DestroyRoom(room: room, secret: GivenSecret(key: "secret", secret), permanent: permanent))
    }

    package static func limitSubscriptions(
        room: VideoRoomID, participant: VideoRoomID, maximumBitrate: Int, secret: String?
    ) -> RoomRequest {
        .limitSubscriptions(
            room: room, secret: GivenSecret(key: "secret", secret), participant: participant,
            maximumBitrate: max(0, maximumBitrate))
    }

    package static func kick(room: VideoRoomID, participant: VideoRoomID, secret: String?) -> RoomRequest {
        .kick(room: room, secret: GivenSecret(key: "secret", secret), participant: participant)
    }

    package static func moderate(
        room: VideoRoomID, participant: VideoRoomID, mid: String, mute: Bool, secret: String?
    ) -> RoomRequest {
        .moderate(Moderation(
            room: room, secret: GivenSecret(key: "secret", secret), participant: participant, mid: mid, mute: mute))
    }

    /// `allowed` with `action` as Janus names it (430 for another) and `tokens` (none: absent).
    package static func allowed(
        room: VideoRoomID, action: String, tokens: [String], secret: String?
    ) throws(VideoRoomError) -> RoomRequest {
        guard let parsed = AllowedChange.Action(rawValue: action) else {
            throw VideoRoomError(VideoRoomError.invalidElement, "Unsupported action '\(action)' (allowed)")
        }
        if (parsed == .add || parsed == .remove) && tokens.isEmpty { throw .missing("allowed") }
        return .allowed(AllowedChange(
            room: room, secret: GivenSecret(key: "secret", secret), action: parsed, tokens: tokens))
    }
}
