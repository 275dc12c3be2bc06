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
    case configured(room: VideoRoomID, PublishedNotice?)
    case unpublishedSelf(room: VideoRoomID)
    /// `leaving: "ok"` (a `leave`, from the room or the lobby; `kicked`: told it was kicked).
    case leavingSelf(room: VideoRoomID, kicked: Bool)
    case started(room: VideoRoomID)
    case paused(room: VideoRoomID)
    case left(room: VideoRoomID)
    case attached(room: VideoRoomID, streams: JSONValue, legacyFeed: (id: VideoRoomID, display: String?)?)
    /// `updated` (with the new streams when an offer comes with it), or `updating` while one is out.
    case updated(room: VideoRoomID, streams: JSONValue?)
    case updating(room: VideoRoomID)
    case switched(room: VideoRoomID, changes: Int, streams: JSONValue)

    // MARK: Notifications about others (and the room)

    case joining(room: VideoRoomID, attendee: JSONObject)
    case publishers(room: VideoRoomID, [JSONObject])
    case unpublished(room: VideoRoomID, id: VideoRoomID)
    case leaving(room: VideoRoomID, id: VideoRoomID)
    case kicked(room: VideoRoomID, id: VideoRoomID)
    case display(id: VideoRoomID, String)
    case metadata(id: VideoRoomID, JSONValue)
    case moderation(room: VideoRoomID, id: VideoRoomID, mid: String, muted: Bool)
    case talking(room: VideoRoomID, id: VideoRoomID, mindex: Int, mid: String, level: Double, talking: Bool)
    /// The publisher's current REMB cap (nil: to a subscriber, which has none).
    case slowLink(bitrate: UInt32?)
    /// A subscriber m-line forwards another simulcast layer (Janus: only when it changes).
    case layerChanged(room: VideoRoomID, mid: String, substream: Int)
    case temporalLayerChanged(room: VideoRoomID, mid: String, temporal: Int)
    /// Extension: a subscriber video m-line paused for bandwidth, or resumed.
    case videoPaused(room: VideoRoomID, mid: String, paused: Bool)
    case destroyed(room: VideoRoomID)

    // MARK: Room control (extension)

    case waiting(room: VideoRoomID, id: VideoRoomID, position: Int, description: String?)
    case rejected(room: VideoRoomID, id: VideoRoomID, reason: LobbyDeparture, message: String?)
    case lobby(room: VideoRoomID, [ControlPerson], change: LobbyChangeNotice?)
    case hands(room: VideoRoomID, [ControlPerson])
    case role(room: VideoRoomID, id: VideoRoomID, RoomControlRole)
    case muted(room: VideoRoomID, id: VideoRoomID, RoomControlMedia)
    case waitingRoom(room: VideoRoomID, enabled: Bool)

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
            var data: JSONObject = ["videoroom": "attached", "room": .id(room), "streams": streams]
            if let legacyFeed {
                data["id"] = .id(legacyFeed.id)
                if let display = legacyFeed.display { data["display"] = .string(display) }
                data["warning"] = "deprecated_api"
            }
            return data
        case .updated(let room, let streams):
            var data: JSONObject = ["videoroom": "updated", "room": .id(room)]
            if let streams { data["streams"] = streams }
            return data
        case .updating(let room): return ["videoroom": "updating", "room": .id(room)]
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
        case .unpublished(let room, let id): return Self.event(room, "unpublished", .id(id))
        case .leaving(let room, let id): return Self.event(room, "leaving", .id(id))
        case .kicked(let room, let id): return Self.event(room, "kicked", .id(id))
        case .display(let id, let display): return ["videoroom": "event", "id": .id(id), "display": .string(display)]
        case .metadata(let id, let metadata): return ["videoroom": "event", "id": .id(id), "metadata": metadata]
        case .moderation(let room, let id, let mid, let muted):
            var data = Self.event(room, "id", .id(id))
            data["mid"] = .string(mid)
            data["moderation"] = muted ? "muted" : "unmuted"
            return data
        case .talking(let room, let id, let mindex, let mid, let level, let talking):
            return [
                "videoroom": talking ? "talking" : "stopped-talking", "room": .id(room), "id": .id(id),
                "mindex": .int(Int64(mindex)), "mid": .string(mid), "audio-level-dBov-avg": .double(level),
            ]
        case .slowLink(let bitrate):
            var data: JSONObject = ["videoroom": "slow_link"]
            if let bitrate { data["current-bitrate"] = .int(Int64(bitrate)) }
            return data
        case .destroyed(let room): return ["videoroom": "destroyed", "room": .id(room)]
        case .layerChanged(let room, let mid, let substream):
            return ["videoroom": "event", "room": .id(room), "mid": .string(mid), "substream": .int(Int64(substream))]
        case .temporalLayerChanged(let room, let mid, let temporal):
            return ["videoroom": "event", "room": .id(room), "mid": .string(mid), "temporal": .int(Int64(temporal))]
        case .videoPaused(let room, let mid, let paused):
            return ["videoroom": "event", "room": .id(room), "mid": .string(mid), "bandwidth_paused": .bool(paused)]
        default: return roomControlJSON
        }
    }

    private var roomControlJSON: JSONObject {
        switch self {
        case .waiting(let room, let id, let position, let description):
            var data: JSONObject = [
                "videoroom": "waiting", "room": .id(room), "id": .id(id), "position": .int(Int64(position)),
            ]
            if let description { data["description"] = .string(description) }
            return data
        case .rejected(let room, let id, let reason, let message):
            var data: JSONObject = [
                "videoroom": "rejected", "room": .id(room), "id": .id(id), "reason": .string(reason.rawValue),
            ]
            if let message { data["message"] = .string(message) }
            return data
        case .lobby(let room, let waiting, let change):
            var data: JSONObject = ["videoroom": "lobby", "room": .id(room), "waiting": .array(waiting.map(\.json))]
            switch change {
            case .arrived(let person)?: data["arrived"] = person.json
            case .departed(let id, let reason)?:
                data["departed"] = .object(["id": .id(id), "reason": .string(reason.rawValue)])
            case nil: break
            }
            return data
        case .hands(let room, let queue):
            return ["videoroom": "hands", "room": .id(room), "hands": .array(queue.map(\.json))]
        case .role(let room, let id, let role):
            return ["videoroom": "role", "room": .id(room), "id": .id(id), "role": .string(role.rawValue)]
        case .muted(let room, let id, let media):
            return [
                "videoroom": "muted", "room": .id(room), "id": .id(id), "audio": .bool(media.contains(.audio)),
                "video": .bool(media.contains(.video)),
            ]
        case .waitingRoom(let room, let enabled):
            return ["videoroom": "waiting_room", "room": .id(room), "enabled": .bool(enabled)]
        default:
            return [:]  // every case is spelt above
        }
    }

    /// `{"videoroom":"event","room":R,key:value}`.
    private static func event(_ room: VideoRoomID, _ key: String, _ value: JSONValue) -> JSONObject {
        ["videoroom": "event", "room": .id(room), key: value]
    }
}

/// What changed in a lobby event.
enum LobbyChangeNotice: Sendable {
    case arrived(ControlPerson)
    case departed(VideoRoomID, LobbyDeparture)
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
    var room: VideoRoomID
    var description: String
    var id: VideoRoomID
    var privateID: UInt32
    var publishers: [JSONObject]
    var attendees: [JSONObject]?
    var published: PublishedNotice?

    var json: JSONObject {
        var data: JSONObject = [
            "videoroom": "joined", "room": .id(room), "description": .string(description), "id": .id(id),
            "private_id": .int(Int64(privateID)), "publishers": .array(publishers.map { .object($0) }),
        ]
        if let attendees { data["attendees"] = .array(attendees.map { .object($0) }) }
        published?.add(to: &data)
        return data
    }
}
