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
    var join: PublisherJoin
}

/// The room-control extension (README "Room control (extension)"): raise hand, waiting room,
/// moderators. The rules live in each room's `RoomControl` machine; this file turns requests
/// into its inputs, and `+RoomControlOutput` turns its outputs into Janus events and room changes.
extension VideoRoomRegistry {
    /// What a handle waiting in a lobby may do: room-control requests as the member it will be,
    /// `leave`; any other participant request is refused. Nil: not the lobby's (room management).
    func lobbyMessage(
        _ name: VideoRoomRequestName, waiting: WaitingJoin, transaction: String, fields: VideoRoomFields
    ) -> PluginMessageResult? {
        switch name.kind {
        case .roomControl:
            return .success(roomControlRequest(name, by: .member(waiting.id), room: waiting.room, fields: fields))
        case .asynchronous where name == .leave:
            leaveLobby(handleID: waiting.handleID)
            roles[waiting.handleID] = .gone
            push(waiting.handleID, transaction: transaction, .leavingSelf(room: waiting.room, kicked: false))
            return .ack(hint: nil)
        case .asynchronous:
            // No publishing, subscribing or configuring from the lobby.
            push(waiting.handleID, transaction: transaction, .error(.waitingForAdmission))
            return .ack(hint: nil)
        case .synchronous, .unsupported:
            return nil
        }
    }

    /// Answered synchronously (in the `success` of the `message`), like Janus's `kick`/`moderate`,
    /// on the handle of a joined publisher-role participant: the requester is that participant.
    /// On any other handle a moderator request (all but `raise_hand`) that names a `room` comes
    /// from that room's host.
    func roomControlMessage(_ name: VideoRoomRequestName, handleID: UInt64, fields: VideoRoomFields) -> JSONObject {
        if case .publisher(let room, let id)? = roles[handleID] {
            return roomControlRequest(name, by: .member(id), room: room, fields: fields)
        }
        // A request naming no room, from a handle that is in none, is a client's mistake.
        guard name != .raiseHand, fields.body["room"] != nil else {
            return VideoRoomError(VideoRoomError.joinFirst, "Invalid request on unconfigured participant").data
        }
        do throws(VideoRoomError) {
            let proof = try HostProof(fields)
            try checkHost(proof)
            return try performRoomControl(RoomControlCommand(name, fields), by: .host, room: proof.room).json
        } catch {
            return error.data
        }
    }

    /// A host's request from the room API (`SFUServer`): authority checked, then performed.
    /// A command that failed to build (a mute of neither medium) fails after the authority check,
    /// as the Janus request does.
    func performHost(
        _ command: Result<RoomControlCommand, VideoRoomError>, proof: HostProof
    ) throws(VideoRoomError) -> RoomControlReply {
        try checkHost(proof)
        return try performRoomControl(command.get(), by: .host, room: proof.room)
    }

    /// A `join` of a publisher into a waiting room by a non-moderator: into the lobby (nil: a
    /// plain join, or a body the plain join path will refuse).
    func joinWaitingRoom(
        handleID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) -> PluginMessageResult? {
        guard roles[handleID] == HandleRole.none, (try? fields.string("ptype")) == "publisher",
            let roomID = try? fields.uint("room"), let settings = rooms[roomID]?.settings
        else { return nil }
        do throws(VideoRoomError) {
            let moderator = try settings.joinsAsModerator(
                moderatorSecret: fields.string("moderator_secret"), secret: GivenSecret(fields, "secret"))
            guard settings.waitingRoom && !moderator else { return nil }
            guard case .publisher(let join) = try JoinRequest(fields) else { return nil }
            try joinLobby(join, handleID: handleID, transaction: transaction, jsep: jsep)
        } catch {
            push(handleID, transaction: transaction, .error(error))
        }
        return .ack(hint: nil)
    }

    // MARK: Joining and leaving

    /// Puts a joiner in the lobby: the same checks as a `join`, an id reserved, no private_id yet.
    private func joinLobby(
        _ join: PublisherJoin, handleID: UInt64, transaction: String, jsep: JSEP?
    ) throws(VideoRoomError) {
        let roomID = join.room
        guard let room = rooms[roomID], let context = contexts[handleID] else { throw .noSuchRoom(roomID) }
        try room.settings.checkJoinCredentials(join.credentials)
        guard jsep == nil else {
            throw VideoRoomError(
                VideoRoomError.notAdmitted, "Can't publish from the waiting room: join first, publish once admitted")
        }
        var userID = join.id ?? 0
        if userID != 0 {
            guard room.participants[userID] == nil, !room.control.isWaiting(userID) else {
                throw VideoRoomError(VideoRoomError.idExists, "User ID \(userID) already exists")
            }
        } else {
            repeat { userID = Self.randomID() } while room.participants[userID] != nil || room.control.isWaiting(userID)
        }
        var admitted = join
        admitted.id = userID
        waitingHandles[handleID] = WaitingJoin(
            room: roomID, id: userID, handleID: handleID, context: context, display: join.display,
            transaction: transaction, join: admitted)
        driveRoomControl(room: roomID, .join(userID, moderator: false))
        if let milliseconds = room.settings.waitingTimeoutMilliseconds {
            scheduleLobbyExpiry(room: roomID, afterMilliseconds: milliseconds)
        }
    }

    /// After a plain `join` (no lobby): the machine learns the member and its role.
    func roomControlJoined(handleID: UInt64, _ join: PublisherJoin) {
        guard case .publisher(let roomID, let id)? = roles[handleID], let room = rooms[roomID],
            !room.control.isAdmitted(id)
        else { return }
        let moderator =
            (try? room.settings.joinsAsModerator(moderatorSecret: join.moderatorSecret, secret: join.secret)) ?? false
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

    /// A room-control request from outside the room: the room must exist (426) and the request
    /// prove host authority (`checkHostAuthority`, 429/433).
    func checkHost(_ proof: HostProof) throws(VideoRoomError) {
        guard let settings = rooms[proof.room]?.settings else { throw .noSuchRoom(proof.room) }
        try settings.checkHostAuthority(proof)
    }

    /// One extension request from participant or host `by`: the `success` data, or an error's.
    func roomControlRequest(
        _ name: VideoRoomRequestName, by: RoomControlActor, room: UInt64, fields: VideoRoomFields
    ) -> JSONObject {
        do throws(VideoRoomError) {
            return try performRoomControl(RoomControlCommand(name, fields), by: by, room: room).json
        } catch {
            return error.data
        }
    }

    /// Feeds `command` from `by` to `room`'s machine; the reply carries the lists it asks for.
    func performRoomControl(
        _ command: RoomControlCommand, by: RoomControlActor, room: UInt64
    ) throws(VideoRoomError) -> RoomControlReply {
        let input = try command.input(by: by)
        if let error = driveRoomControl(room: room, input) { throw VideoRoomError(error, room: room) }
        var reply = RoomControlReply(room: room)
        switch input {
        case .listWaiting:
            reply.waiting = rooms[room]?.control.waitingList.map { controlPerson($0, room: room) } ?? []
        case .setWaitingRoom(_, let enabled):
            rooms[room]?.settings.waitingRoom = enabled
            if rooms[room]?.permanent == true { try persist() }
        case .raiseHand, .lowerHand, .lowerAllHands:
            reply.hands = rooms[room]?.control.handQueue.map { controlPerson($0, room: room) } ?? []
        default:
            break
        }
        return reply
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
