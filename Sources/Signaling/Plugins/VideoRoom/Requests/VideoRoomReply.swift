import SFUMedia
import VideoRoomControl

/// The answer to a room-management request (synchronous, janus-api.md §8.3), typed; `json` is
/// its Janus `plugindata.data`, the only place these answers are spelt.
package enum RoomReply: Sendable {
    case created(room: VideoRoomID, permanent: Bool)
    case edited(room: VideoRoomID, permanent: Bool)
    case destroyed(room: VideoRoomID, permanent: Bool)
    case exists(room: VideoRoomID, Bool)
    case list([RoomListing])
    /// The token list after the change; nil after `disable` (Janus shows none then).
    case allowed(room: VideoRoomID, tokens: [String]?)
    /// `kick`, `moderate`.
    case success
    case participants(room: VideoRoomID, [ParticipantListing])
    /// `limit_subscriptions`: how many subscriptions took the cap.
    case limitedSubscriptions(room: VideoRoomID, count: Int)

    var json: JSONObject {
        switch self {
        case .created(let room, let permanent):
            return ["videoroom": "created", "room": .id(room), "permanent": .bool(permanent)]
        case .edited(let room, let permanent):
            return ["videoroom": "edited", "room": .id(room), "permanent": .bool(permanent)]
        case .destroyed(let room, let permanent):
            return ["videoroom": "destroyed", "room": .id(room), "permanent": .bool(permanent)]
        case .exists(let room, let exists):
            return ["videoroom": "success", "room": .id(room), "exists": .bool(exists)]
        case .list(let rooms):
            return ["videoroom": "success", "list": .array(rooms.map { .object($0.json) })]
        case .allowed(let room, let tokens):
            var data: JSONObject = ["videoroom": "success", "room": .id(room)]
            if let tokens { data["allowed"] = .array(tokens.map { .string($0) }) }
            return data
        case .success:
            return ["videoroom": "success"]
        case .participants(let room, let list):
            return ["videoroom": "participants", "room": .id(room), "participants": .array(list.map { .object($0.json) })]
        case .limitedSubscriptions(let room, let count):
            return ["videoroom": "success", "room": .id(room), "subscriptions": .int(Int64(count))]
        }
    }
}

/// One room of a `list` answer.
package struct RoomListing: Sendable {
    package var settings: VideoRoomSettings
    package var participants: Int

    package var json: JSONObject { settings.listEntry(participants: participants) }
}

/// One publisher-role participant of a `listparticipants` answer.
package struct ParticipantListing: Sendable {
    package var id: VideoRoomID
    package var display: String?
    package var metadata: JSONValue?
    package var publisher: Bool
    /// Only in rooms with `audiolevel_event`, for active publishers.
    package var talking: Bool?

    package var json: JSONObject {
        var entry: JSONObject = ["id": .id(id), "publisher": .bool(publisher)]
        if let display { entry["display"] = .string(display) }
        if let metadata { entry["metadata"] = metadata }
        if let talking { entry["talking"] = .bool(talking) }
        return entry
    }
}

/// A member or waiting joiner as room-control answers and events name it.
package struct ControlPerson: Sendable {
    package var id: VideoRoomID
    package var display: String?

    var json: JSONValue {
        var object: JSONObject = ["id": .id(id)]
        if let display { object["display"] = .string(display) }
        return .object(object)
    }
}

/// The answer to a room-control request, with the list it asks for (`list_waiting`, hands).
package struct RoomControlReply: Sendable {
    package var room: VideoRoomID
    package var waiting: [ControlPerson]?
    package var hands: [ControlPerson]?

    var json: JSONObject {
        var data: JSONObject = ["videoroom": "success", "room": .id(room)]
        if let waiting { data["waiting"] = .array(waiting.map(\.json)) }
        if let hands { data["hands"] = .array(hands.map(\.json)) }
        return data
    }
}
