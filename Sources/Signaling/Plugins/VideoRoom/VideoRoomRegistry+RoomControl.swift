import RTP
import SFUMedia
import VideoRoomControl

/// A joiner waiting in a room's lobby: its handle, and the `join` to replay once admitted (with
/// the participant id it was given, so that moderators admit the id they saw).
struct WaitingJoin: Sendable {
    var room: UInt64
    var id: UInt64
    var handleID: UInt64
    var context: PluginHandleContext
    var display: String?
    var transaction: String
    var body: JSONObject
}

/// The room-control extension (README "Room control (extension)"): raise hand, waiting room,
/// moderators. The rules live in each room's `RoomControl` machine; this file turns requests
/// into its inputs, and `+RoomControlOutput` turns its outputs into Janus events and room changes.
extension VideoRoomRegistry {
    /// Answered synchronously (in the `success` of the `message`), like Janus's `kick`/`moderate`,
    /// on the handle of a joined publisher-role participant: the requester is that participant.
    /// On any other handle a moderator request (`hostRequests`) that names a `room` comes from
    /// that room's host.
    static let roomControlRequests: Set<String> = [
        "raise_hand", "lower_hand", "lower_all_hands", "list_waiting", "admit", "reject", "set_waiting_room",
        "promote", "demote", "mute", "unmute", "mute_all", "unmute_all", "remove_participant",
    ]

    /// Takes the requests that are the extension's, or that a waiting handle sends; nil hands
    /// the request back to the plain VideoRoom dispatch.
    func handleRoomControl(
        _ request: String, handleID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) -> PluginMessageResult? {
        if let waiting = waitingHandles[handleID] {
            if Self.roomControlRequests.contains(request) {
                return .success(roomControlRequest(request, by: .member(waiting.id), room: waiting.room, fields: fields))
            }
            guard Self.asynchronousRequests.contains(request) else { return nil }
            if request == "leave" {
                leaveLobby(handleID: handleID)
                roles[handleID] = .gone
                push(handleID, transaction: transaction,
                     ["videoroom": "event", "room": .uint(waiting.room), "leaving": "ok"])
            } else {
                // No publishing, subscribing or configuring from the lobby.
                push(handleID, transaction: transaction, VideoRoomError.waitingForAdmission.data)
            }
            return .ack(hint: nil)
        }
        if Self.roomControlRequests.contains(request) {
            if case .publisher(let room, let id)? = roles[handleID] {
                return .success(roomControlRequest(request, by: .member(id), room: room, fields: fields))
            }
            // A request naming no room, from a handle that is in none, is a client's mistake.
            guard Self.hostRequests.contains(request), fields.body["room"] != nil else {
                return .success(
                    VideoRoomError(VideoRoomError.joinFirst, "Invalid request on unconfigured participant").data)
            }
            return .success(hostRequest(request, fields: fields))
        }
        guard request == "join" || request == "joinandconfigure", roles[handleID] == HandleRole.none,
            (try? fields.string("ptype")) == "publisher", let roomID = try? fields.uint("room"),
            let settings = rooms[roomID]?.settings
        else { return nil }
        do throws(VideoRoomError) {
            let moderator = try settings.joinsAsModerator(fields)
            guard settings.waitingRoom && !moderator else { return nil }
            try joinLobby(handleID: handleID, room: roomID, transaction: transaction, fields: fields, jsep: jsep)
        } catch {
            push(handleID, transaction: transaction, error.data)
        }
        return .ack(hint: nil)
    }

    // MARK: Joining and leaving

    /// Puts a joiner in the lobby: the same checks as a `join`, an id reserved, no private_id yet.
    private func joinLobby(
        handleID: UInt64, room roomID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        guard let room = rooms[roomID], let context = contexts[handleID] else { throw .noSuchRoom(roomID) }
        try Self.checkJoinCredentials(room.settings, fields)
        guard jsep == nil else {
            throw VideoRoomError(
                VideoRoomError.notAdmitted, "Can't publish from the waiting room: join first, publish once admitted")
        }
        // What the admission will read is checked now, so that it cannot fail on these.
        let display = try fields.string("display")
        _ = try fields.uint32("bitrate")
        _ = try fields.uint("audio_active_packets")
        _ = try fields.uint("audio_level_average")
        var userID = try fields.uint("id") ?? 0
        if userID != 0 {
            guard room.participants[userID] == nil, !room.control.isWaiting(userID) else {
                throw VideoRoomError(VideoRoomError.idExists, "User ID \(userID) already exists")
            }
        } else {
            repeat { userID = Self.randomID() } while room.participants[userID] != nil || room.control.isWaiting(userID)
        }
        var body = fields.body
        body["id"] = .uint(userID)
        waitingHandles[handleID] = WaitingJoin(
            room: roomID, id: userID, handleID: handleID, context: context, display: display,
            transaction: transaction, body: body)
        driveRoomControl(room: roomID, .join(userID, moderator: false))
        if let milliseconds = room.settings.waitingTimeoutMilliseconds {
            scheduleLobbyExpiry(room: roomID, afterMilliseconds: milliseconds)
        }
    }

    /// After a plain `join` (no lobby): the machine learns the member and its role.
    func roomControlJoined(handleID: UInt64, fields: VideoRoomFields) {
        guard case .publisher(let roomID, let id)? = roles[handleID], let room = rooms[roomID],
            !room.control.isAdmitted(id)
        else { return }
        let moderator = (try? room.settings.joinsAsModerator(fields)) ?? false
        driveRoomControl(room: roomID, .join(id, moderator: moderator))
    }

    /// A participant left or was kicked: out of the hand queue and the roles.
    func roomControlMemberLeft(room: UInt64, id: UInt64) {
        guard rooms[room]?.control.isAdmitted(id) == true else { return }
        driveRoomControl(room: room, .leave(id))
    }

    /// A waiting joiner gives up (leave, detach).
    func leaveLobby(handleID: UInt64) {
        guard let waiting = waitingHandles.removeValue(forKey: handleID) else { return }
        emit(.lobbyLeft(.left), room: waiting.room, waiting: waiting)
        driveRoomControl(room: waiting.room, .leave(waiting.id))
    }

    /// The room is destroyed: everybody waiting is told.
    func closeLobby(room: UInt64) {
        guard let output = rooms[room]?.control.close() else { return }
        performRoomControl(output, room: room)
    }

    /// The room-control part of an `edit` (already validated).
    func applyRoomControlEdit(_ edit: RoomControlEdit, room: UInt64) {
        let timeout = rooms[room]?.settings.waitingTimeoutMilliseconds
        rooms[room]?.control.setWaitingTimeout(milliseconds: timeout)
        guard let enabled = edit.waitingRoom,
            let output = rooms[room]?.control.setWaitingRoom(enabled, at: .now())
        else { return }
        performRoomControl(output, room: room)
    }

    // MARK: Requests

    /// The requests the host may send: all but `raise_hand`, which needs a hand.
    static let hostRequests: Set<String> = roomControlRequests.subtracting(["raise_hand"])

    /// A moderator request naming a `room`, on a handle that is no participant there: the room
    /// must exist (426) and the request prove host authority (`checkHostAuthority`, 429/433).
    func hostRequest(_ request: String, fields: VideoRoomFields) -> JSONObject {
        do throws(VideoRoomError) {
            let room = try existingRoom(fields)
            guard let settings = rooms[room]?.settings else { throw .noSuchRoom(room) }
            try settings.checkHostAuthority(fields)
            return roomControlRequest(request, by: .host, room: room, fields: fields)
        } catch {
            return error.data
        }
    }

    /// One extension request from participant or host `by`: the `success` data, or an error's.
    func roomControlRequest(
        _ request: String, by: RoomControlActor, room: UInt64, fields: VideoRoomFields
    ) -> JSONObject {
        do throws(VideoRoomError) {
            let input = try Self.roomControlInput(request, by: by, fields: fields)
            if let error = driveRoomControl(room: room, input) { throw VideoRoomError(error, room: room) }
            var response: JSONObject = ["videoroom": "success", "room": .uint(room)]
            switch input {
            case .listWaiting:
                response["waiting"] = .array(rooms[room]?.control.waitingList.map { controlPerson($0, room: room) } ?? [])
            case .setWaitingRoom(_, let enabled):
                rooms[room]?.settings.waitingRoom = enabled
                if rooms[room]?.permanent == true { try persist() }
            case .raiseHand, .lowerHand, .lowerAllHands:
                response["hands"] = .array(rooms[room]?.control.handQueue.map { controlPerson($0, room: room) } ?? [])
            default:
                break
            }
            return response
        } catch {
            return error.data
        }
    }

    static func roomControlInput(
        _ request: String, by: RoomControlActor, fields: VideoRoomFields
    ) throws(VideoRoomError) -> RoomControlRequest {
        switch (request, by) {
        case ("raise_hand", .member(let id)): return .raiseHand(id)
        // A member lowers its own hand unless it names another; the host must name one.
        case ("lower_hand", .member(let id)): return .lowerHand(by: by, target: try fields.uint("id") ?? id)
        case ("lower_hand", .host): return .lowerHand(by: by, target: try fields.requiredUInt("id"))
        default: return try moderatorInput(request, by: by, fields: fields)
        }
    }

    /// The requests a moderator (or the host) makes of the machine.
    private static func moderatorInput(
        _ request: String, by: RoomControlActor, fields: VideoRoomFields
    ) throws(VideoRoomError) -> RoomControlRequest {
        switch request {
        case "lower_all_hands": return .lowerAllHands(by: by)
        case "list_waiting": return .listWaiting(by: by)
        case "admit": return .admit(by: by, try lobbyTarget(fields))
        case "reject": return .reject(by: by, try lobbyTarget(fields), reason: try fields.string("reason"))
        case "set_waiting_room":
            guard let enabled = try fields.bool("enabled") else { throw .missing("enabled") }
            return .setWaitingRoom(by: by, enabled: enabled)
        case "promote": return .promote(by: by, target: try fields.requiredUInt("id"))
        case "demote": return .demote(by: by, target: try fields.requiredUInt("id"))
        case "mute": return .mute(by: by, target: try fields.requiredUInt("id"), try controlMedia(fields))
        case "unmute": return .unmute(by: by, target: try fields.requiredUInt("id"), try controlMedia(fields))
        case "mute_all": return .muteAll(by: by, try controlMedia(fields))
        case "unmute_all": return .unmuteAll(by: by, try controlMedia(fields))
        case "remove_participant": return .kick(by: by, target: try fields.requiredUInt("id"))
        default: throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(request)'")
        }
    }

    /// `{"all": true}` or `{"id": N}`.
    private static func lobbyTarget(_ fields: VideoRoomFields) throws(VideoRoomError) -> RoomControlTarget {
        if try fields.bool("all") == true { return .all }
        return .one(try fields.requiredUInt("id"))
    }

    /// `audio`/`video` booleans; neither given means both.
    private static func controlMedia(_ fields: VideoRoomFields) throws(VideoRoomError) -> RoomControlMedia {
        let audio = try fields.bool("audio")
        let video = try fields.bool("video")
        if audio == nil && video == nil { return .all }
        var media: RoomControlMedia = []
        if audio == true { media.insert(.audio) }
        if video == true { media.insert(.video) }
        guard !media.isEmpty else {
            throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (audio or video must be true)")
        }
        return media
    }

    /// Janus's `join` checks of the room pin and allowed-token list (433/429).
    static func checkJoinCredentials(_ settings: VideoRoomSettings, _ fields: VideoRoomFields) throws(VideoRoomError) {
        if let pin = settings.pin {
            guard let given = try fields.string("pin") else { throw .missing("pin") }
            guard given == pin else { throw .wrongPin }
        }
        if settings.checkAllowed {
            guard let token = try fields.string("token"), settings.allowed.contains(token) else {
                throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (not in the allowed list)")
            }
        }
    }

    /// The mids the room's moderators muted, by kind, of `participant`'s current streams.
    func controlMutedMids(room: UInt64, participant: Participant) -> Set<String> {
        guard let muted = rooms[room]?.control.mutes(of: participant.id), !muted.isEmpty else { return [] }
        var mids: Set<String> = []
        for stream in participant.media?.streams ?? [] {
            if (stream.kind == .audio && muted.contains(.audio)) || (stream.kind == .video && muted.contains(.video)) {
                mids.insert(stream.mid)
            }
        }
        return mids
    }
}
