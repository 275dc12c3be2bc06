/// The settings of a room to create, as typed values; each becomes the VideoRoom `create` key
/// named beside it (janus-api.md §8.2), and the plugin checks them as it checks a Janus client's.
public struct RoomOptions: Sendable, Hashable {
    /// `room`: the id to use; nil picks a random one.
    public var id: UInt64?
    /// `description`.
    public var description: String?
    /// `secret`: needed to edit, destroy, kick and moderate.
    public var secret: String?
    /// `pin`: needed to join.
    public var pin: String?
    /// `is_private`: hidden from `list` without the admin key.
    public var isPrivate = false
    /// `publishers`: maximum concurrent publishers.
    public var maxPublishers: Int?
    /// `bitrate`: REMB cap per publisher in bits per second (0: none).
    public var bitrate: Int?
    /// `subscriber_max_bitrate` (extension): what each subscriber receives at most, bits per
    /// second, unless it sets its own `max_bitrate` (0: none).
    public var subscriberMaxBitrate: Int?
    /// `fir_freq`: seconds between keyframe requests to publishers.
    public var keyframeInterval: Int?
    /// `audiocodec` / `videocodec`: preference lists (`["opus"]`, `["vp8", "h264"]`).
    public var audioCodecs: [String]?
    /// Video codec preference (`videocodec`), e.g. `["vp8", "h264"]`.
    public var videoCodecs: [String]?
    /// `audiolevel_event`: `talking` events (and `SFUEvent` `.talking`).
    public var audioLevelEvents = false
    /// `notify_joining`: tell participants about non-publishing attendees.
    public var notifyJoining = false
    /// `require_pvtid`: subscriptions must name a participant's private id.
    public var requirePrivateID = false
    /// `allowed`: join tokens; non-nil turns the token check on.
    public var allowedTokens: [String]?
    /// `permanent`: keep the room in the rooms file.
    public var permanent = false
    /// `waiting_room` (room-control extension): joiners who are not moderators wait in a lobby
    /// until a moderator or the host (`SFUServer.admit`) lets them in.
    public var waitingRoom = false
    /// `waiting_timeout`: seconds a joiner may wait before it is turned away (nil: forever).
    public var waitingTimeout: Int?
    /// `moderator_secret`: joining with it makes a moderator (so does the room `secret`).
    public var moderatorSecret: String?
    /// Further `create` keys, passed as given (they win over the fields above).
    public var extra: JSONObject = [:]

    /// A room with Janus's defaults, with the given id (nil: random) and description.
    public init(id: UInt64? = nil, description: String? = nil) {
        self.id = id
        self.description = description
    }

    /// The `create` request body (without `admin_key`).
    public var createBody: JSONObject {
        var body: JSONObject = ["request": "create"]
        if let id { body["room"] = .uint(id) }
        if let description { body["description"] = .string(description) }
        if let secret { body["secret"] = .string(secret) }
        if let pin { body["pin"] = .string(pin) }
        if isPrivate { body["is_private"] = true }
        if let maxPublishers { body["publishers"] = .int(Int64(maxPublishers)) }
        if let bitrate { body["bitrate"] = .int(Int64(bitrate)) }
        if let subscriberMaxBitrate { body["subscriber_max_bitrate"] = .int(Int64(subscriberMaxBitrate)) }
        if let keyframeInterval { body["fir_freq"] = .int(Int64(keyframeInterval)) }
        if let audioCodecs { body["audiocodec"] = .string(audioCodecs.joined(separator: ",")) }
        if let videoCodecs { body["videocodec"] = .string(videoCodecs.joined(separator: ",")) }
        if audioLevelEvents { body["audiolevel_event"] = true }
        if notifyJoining { body["notify_joining"] = true }
        if requirePrivateID { body["require_pvtid"] = true }
        if let allowedTokens { body["allowed"] = .array(allowedTokens.map { .string($0) }) }
        if permanent { body["permanent"] = true }
        if waitingRoom { body["waiting_room"] = true }
        if let waitingTimeout { body["waiting_timeout"] = .int(Int64(waitingTimeout)) }
        if let moderatorSecret { body["moderator_secret"] = .string(moderatorSecret) }
        for (key, value) in extra { body[key] = value }
        return body
    }
}

/// Changes to a room (VideoRoom `edit`); nil fields stay as they are.
public struct RoomChanges: Sendable, Hashable {
    /// `new_description`.
    public var description: String?
    /// `new_secret`; an empty string removes the secret.
    public var secret: String?
    /// `new_pin`; an empty string removes the pin.
    public var pin: String?
    /// `new_is_private`.
    public var isPrivate: Bool?
    /// `new_publishers`.
    public var maxPublishers: Int?
    /// `new_bitrate` (bits per second, 0: none).
    public var bitrate: Int?
    /// `new_subscriber_max_bitrate` (extension; bits per second, 0: none): reaches the room's
    /// subscribers that did not set their own `max_bitrate` at once.
    public var subscriberMaxBitrate: Int?
    /// `new_fir_freq` (seconds).
    public var keyframeInterval: Int?
    /// `new_require_pvtid`.
    public var requirePrivateID: Bool?
    /// `new_waiting_room`; switching it off lets everybody waiting in.
    public var waitingRoom: Bool?
    /// `new_waiting_timeout` (seconds, 0: forever), for joiners arriving from now on.
    public var waitingTimeout: Int?
    /// `new_moderator_secret`; an empty string removes it.
    public var moderatorSecret: String?
    /// Also write the change to the rooms file.
    public var permanent = false

    /// No changes; set the fields to change.
    public init() {}

    var editBody: JSONObject {
        var body: JSONObject = ["request": "edit"]
        if let description { body["new_description"] = .string(description) }
        if let secret { body["new_secret"] = .string(secret) }
        if let pin { body["new_pin"] = .string(pin) }
        if let isPrivate { body["new_is_private"] = .bool(isPrivate) }
        if let maxPublishers { body["new_publishers"] = .int(Int64(maxPublishers)) }
        if let bitrate { body["new_bitrate"] = .int(Int64(bitrate)) }
        if let subscriberMaxBitrate { body["new_subscriber_max_bitrate"] = .int(Int64(subscriberMaxBitrate)) }
        if let keyframeInterval { body["new_fir_freq"] = .int(Int64(keyframeInterval)) }
        if let requirePrivateID { body["new_require_pvtid"] = .bool(requirePrivateID) }
        if let waitingRoom { body["new_waiting_room"] = .bool(waitingRoom) }
        if let waitingTimeout { body["new_waiting_timeout"] = .int(Int64(waitingTimeout)) }
        if let moderatorSecret { body["new_moderator_secret"] = .string(moderatorSecret) }
        if permanent { body["permanent"] = true }
        return body
    }
}

/// One room as `list` shows it.
public struct RoomInfo: Sendable, Hashable {
    /// The room id (`room`).
    public var id: UInt64
    /// `description`.
    public var description: String
    /// `is_private` (listed only with the admin key).
    public var isPrivate: Bool
    /// `pin_required`: joining needs a pin.
    public var pinRequired: Bool
    /// `max_publishers`.
    public var maxPublishers: Int
    /// `num_participants`: publisher-role participants now.
    public var participantCount: Int
    /// The whole `list` entry, for keys without a typed field.
    public var raw: JSONObject

    init(
        id: UInt64, description: String, isPrivate: Bool, pinRequired: Bool, maxPublishers: Int,
        participantCount: Int, raw: JSONObject
    ) {
        self.id = id
        self.description = description
        self.isPrivate = isPrivate
        self.pinRequired = pinRequired
        self.maxPublishers = maxPublishers
        self.participantCount = participantCount
        self.raw = raw
    }
}

/// One publisher-role participant as `listparticipants` shows it.
public struct ParticipantInfo: Sendable, Hashable {
    /// The participant id (`id`), as in Janus events.
    public var id: UInt64
    /// `display`, if it gave one.
    public var display: String?
    /// Its PeerConnection is up and its streams are announced.
    public var isPublishing: Bool
    /// Talking now (rooms with audio level events only).
    public var isTalking: Bool?
    /// The whole `listparticipants` entry.
    public var raw: JSONObject

    init(id: UInt64, display: String?, isPublishing: Bool, isTalking: Bool?, raw: JSONObject) {
        self.id = id
        self.display = display
        self.isPublishing = isPublishing
        self.isTalking = isTalking
        self.raw = raw
    }
}
