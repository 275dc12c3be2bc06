import SFUMedia
import VideoRoomControl

/// Every `plugindata.data` the VideoRoom sends a handle in an `event` (janus-api.md §8.4–§8.10,
/// README "Room control (extension)"), typed; `json` is the only place they are spelt. The
/// answers to participant requests carry the request's transaction; notifications none.
/// (Not to be confused with `VideoRoomEvent`, the embedder's typed stream.)
enum VideoRoomNotice: Sendable {
    // MARK: Answers to a participant's own request

    case error(VideoRoomError)
    case joined(JoinedNotice)
    /// `configured` without an offer (publisher or subscriber), or with one (`streams`, codecs).
    case configured(room: UInt64, PublishedNotice?)
    case unpublishedSelf(room: UInt64)
    /// `leaving: "ok"` (a `leave`, from the room or the lobby; `kicked`: told it was kicked).
    case leavingSelf(room: UInt64, kicked: Bool)
    case started(room: UInt64)
    case paused(room: UInt64)
    case left(room: UInt64)
    case attached(room: UInt64, streams: JSONValue, legacyFeed: (id: UInt64, display: String?)?)
    /// `updated` (with the new streams when an offer comes with it), or `updating` while one is out.
    case updated(room: UInt64, streams: JSONValue?)
    case updating(room: UInt64)
    case switched(room: UInt64, changes: Int, streams: JSONValue)

    // MARK: Notifications about others (and the room)

    case joining(room: UInt64, attendee: JSONObject)
    case publishers(room: UInt64, [JSONObject])
    case unpublished(room: UInt64, id: UInt64)
    case leaving(room: UInt64, id: UInt64)
    case kicked(room: UInt64, id: UInt64)
    case display(id: UInt64, String)
    case metadata(id: UInt64, JSONValue)
    case moderation(room: UInt64, id: UInt64, mid: String, muted: Bool)
    case talking(room: UInt64, id: UInt64, mindex: Int, mid: String, level: Double, talking: Bool)
    /// The publisher's current REMB cap (nil: to a subscriber, which has none).
    case slowLink(bitrate: UInt32?)
    case destroyed(room: UInt64)

    // MARK: Room control (extension)

    case waiting(room: UInt64, id: UInt64, position: Int, description: String?)
    case rejected(room: UInt64, id: UInt64, reason: LobbyDeparture, message: String?)
    case lobby(room: UInt64, [ControlPerson], change: LobbyChangeNotice?)
    case hands(room: UInt64, [ControlPerson])
    case role(room: UInt64, id: UInt64, RoomControlRole)
    case muted(room: UInt64, id: UInt64, RoomControlMedia)
    case waitingRoom(room: UInt64, enabled: Bool)

    var json: JSONObject {
        switch self {
        case .error(let error): return error.data
        case .joined(let joined): return joined.json
        case .configured(let room, let published):
            var data = Self.event(room, "configured", "ok")
            if let published { published.add(to: &data) }
            return data
        case .unpublishedSelf(let room): return Self.event(room, "unpublished", "ok")
        case .leavingSelf(let room, let kicked):
            var data = Self.event(room, "leaving", "ok")
            if kicked { data["reason"] = "kicked" }
            return data
        case .started(let room): return Self.event(room, "started", "ok")
        case .paused(let room): return Self.event(room, "paused", "ok")
        case .left(let room): return Self.event(room, "left", "ok")
        case .attached(let room, let streams, let legacyFeed):
            var data: JSONObject = ["videoroom": "attached", "room": .uint(room), "streams": streams]
            if let legacyFeed {
                data["id"] = .uint(legacyFeed.id)
                if let display = legacyFeed.display { data["display"] = .string(display) }
                data["warning"] = "deprecated_api"
            }
            return data
        case .updated(let room, let streams):
            var data: JSONObject = ["videoroom": "updated", "room": .uint(room)]
            if let streams { data["streams"] = streams }
            return data
        case .updating(let room): return ["videoroom": "updating", "room": .uint(room)]
        case .switched(let room, let changes, let streams):
            var data = Self.event(room, "switched", "ok")
            data["changes"] = .int(Int64(changes))
            data["streams"] = streams
            return data
        default: return notificationJSON
        }
    }

    private var notificationJSON: JSONObject {
        switch self {
        case .joining(let room, let attendee): return Self.event(room, "joining", .object(attendee))
        case .publishers(let room, let list): return Self.event(room, "publishers", .array(list.map { .object($0) }))
        // Janus 1.1.2 names only the id in `unpublished`, `leaving` and `kicked` (no display).
        case .unpublished(let room, let id): return Self.event(room, "unpublished", .uint(id))
        case .leaving(let room, let id): return Self.event(room, "leaving", .uint(id))
        case .kicked(let room, let id): return Self.event(room, "kicked", .uint(id))
        case .display(let id, let display): return ["videoroom": "event", "id": .uint(id), "display": .string(display)]
        case .metadata(let id, let metadata): return ["videoroom": "event", "id": .uint(id), "metadata": metadata]
        case .moderation(let room, let id, let mid, let muted):
            var data = Self.event(room, "id", .uint(id))
            data["mid"] = .string(mid)
            data["moderation"] = muted ? "muted" : "unmuted"
            return data
        case .talking(let room, let id, let mindex, let mid, let level, let talking):
            return [
                "videoroom": talking ? "talking" : "stopped-talking", "room": .uint(room), "id": .uint(id),
                "mindex": .int(Int64(mindex)), "mid": .string(mid), "audio-level-dBov-avg": .double(level),
            ]
        case .slowLink(let bitrate):
            var data: JSONObject = ["videoroom": "slow_link"]
            if let bitrate { data["current-bitrate"] = .int(Int64(bitrate)) }
            return data
        case .destroyed(let room): return ["videoroom": "destroyed", "room": .uint(room)]
        default: return roomControlJSON
        }
    }

    private var roomControlJSON: JSONObject {
        switch self {
        case .waiting(let room, let id, let position, let description):
            var data: JSONObject = [
                "videoroom": "waiting", "room": .uint(room), "id": .uint(id), "position": .int(Int64(position)),
            ]
            if let description { data["description"] = .string(description) }
            return data
        case .rejected(let room, let id, let reason, let message):
            var data: JSONObject = [
                "videoroom": "rejected", "room": .uint(room), "id": .uint(id), "reason": .string(reason.rawValue),
            ]
            if let message { data["message"] = .string(message) }
            return data
        case .lobby(let room, let waiting, let change):
            var data: JSONObject = ["videoroom": "lobby", "room": .uint(room), "waiting": .array(waiting.map(\.json))]
            switch change {
            case .arrived(let person)?: data["arrived"] = person.json
            case .departed(let id, let reason)?:
                data["departed"] = .object(["id": .uint(id), "reason": .string(reason.rawValue)])
            case nil: break
            }
            return data
        case .hands(let room, let queue):
            return ["videoroom": "hands", "room": .uint(room), "hands": .array(queue.map(\.json))]
        case .role(let room, let id, let role):
            return ["videoroom": "role", "room": .uint(room), "id": .uint(id), "role": .string(role.rawValue)]
        case .muted(let room, let id, let media):
            return [
                "videoroom": "muted", "room": .uint(room), "id": .uint(id), "audio": .bool(media.contains(.audio)),
                "video": .bool(media.contains(.video)),
            ]
        case .waitingRoom(let room, let enabled):
            return ["videoroom": "waiting_room", "room": .uint(room), "enabled": .bool(enabled)]
        default:
            return [:]  // every case is spelt above
        }
    }

    /// `{"videoroom":"event","room":R,key:value}`.
    private static func event(_ room: UInt64, _ key: String, _ value: JSONValue) -> JSONObject {
        ["videoroom": "event", "room": .uint(room), key: value]
    }
}

/// What changed in a lobby event.
enum LobbyChangeNotice: Sendable {
    case arrived(ControlPerson)
    case departed(UInt64, LobbyDeparture)
}

/// `configured`'s negotiation part: the published streams and codecs.
struct PublishedNotice: Sendable {
    var streams: [JSONObject]
    var audioCodec: ServerCodec?
    var videoCodec: ServerCodec?

    func add(to data: inout JSONObject) {
        data["streams"] = .array(streams.map { .object($0) })
        if let audioCodec { data["audio_codec"] = .string(audioCodec.rawValue) }
        if let videoCodec { data["video_codec"] = .string(videoCodec.rawValue) }
    }
}

/// `joined` (§8.4): who is publishing, the attendees with `notify_joining`, and the
/// negotiation of an offer that came with the `join`.
struct JoinedNotice: Sendable {
    var room: UInt64
    var description: String
    var id: UInt64
    var privateID: UInt32
    var publishers: [JSONObject]
    var attendees: [JSONObject]?
    var published: PublishedNotice?

    var json: JSONObject {
        var data: JSONObject = [
            "videoroom": "joined", "room": .uint(room), "description": .string(description), "id": .uint(id),
            "private_id": .int(Int64(privateID)), "publishers": .array(publishers.map { .object($0) }),
        ]
        if let attendees { data["attendees"] = .array(attendees.map { .object($0) }) }
        published?.add(to: &data)
        return data
    }
}
