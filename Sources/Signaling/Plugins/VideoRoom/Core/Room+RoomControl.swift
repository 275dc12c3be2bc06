import RTP
import SFUMedia
import VideoRoomControl

/// A joiner waiting in a room's lobby: its handle, and the `join` to replay once admitted (with
/// the participant id it was given, so that moderators admit the id they saw).
struct WaitingJoin: Sendable {
    var room: VideoRoomID
    var id: VideoRoomID
    var handleID: UInt64
    var context: PluginHandleContext
    var display: String?
    var transaction: String
    var join: PublisherJoin
}

/// The room-control extension (README "Room control (extension)"): raise hand, waiting room,
/// moderators. The rules live in the room's `RoomControl` machine; this file turns requests
/// into its inputs, and `+RoomControlOutput` turns its outputs into Janus events and room changes.
extension Room {
    // MARK: Joining and leaving

    /// Puts a joiner in the lobby: the same checks as a `join`, an id reserved, no private_id yet.
    mutating func joinLobby(_ join: PublisherJoin, caller: RoomCaller, jsep: JSEP?) throws(VideoRoomError) {
        try settings.checkJoinCredentials(join.credentials)
        guard jsep == nil else {
            throw VideoRoomError(
                VideoRoomError.notAdmitted, "Can't publish from the waiting room: join first, publish once admitted")
        }
        var userID = join.id ?? 0
        if userID != 0 {
            guard participants[userID] == nil, !control.isWaiting(userID) else {
                throw VideoRoomError(VideoRoomError.idExists, "User ID \(userID) already exists")
            }
        } else {
            repeat { userID = VideoRoomID.random() } while participants[userID] != nil || control.isWaiting(userID)
        }
        var admitted = join
        admitted.id = userID
        lobby[caller.handleID] = WaitingJoin(
            room: id, id: userID, handleID: caller.handleID, context: caller.context, display: join.display,
            transaction: caller.transaction, join: admitted)
        setRole(caller.handleID, .waiting(room: id))
        driveRoomControl(.join(userID, moderator: false))
        if let milliseconds = settings.waitingTimeoutMilliseconds {
            effects.append(.wake(.lobbyExpiry, afterMilliseconds: milliseconds + 10))
        }
    }

    /// After a plain `join` (no lobby): the machine learns the member and its role.
    mutating func roomControlJoined(id: VideoRoomID, _ join: PublisherJoin) {
        guard participants[id] != nil, !control.isAdmitted(id) else { return }
        let moderator =
            (try? settings.joinsAsModerator(moderatorSecret: join.moderatorSecret, secret: join.secret)) ?? false
        driveRoomControl(.join(id, moderator: moderator))
    }

    /// A participant left or was kicked: out of the hand queue and the roles.
    mutating func roomControlMemberLeft(id: VideoRoomID) {
        guard control.isAdmitted(id) else { return }
        driveRoomControl(.leave(id))
    }

    /// A waiting joiner's `leave`: out of the lobby, its handle done.
    mutating func leaveFromLobby(handleID: UInt64, transaction: String) {
        leaveLobby(handleID: handleID)
        setRole(handleID, .gone)
        push(handleID, transaction: transaction, .leavingSelf(room: id, kicked: false))
    }

    /// A waiting joiner gives up (leave, detach).
    mutating func leaveLobby(handleID: UInt64) {
        guard let waiting = lobby.removeValue(forKey: handleID) else { return }
        observe(.lobbyLeft(.left), waiting: waiting)
        driveRoomControl(.leave(waiting.id))
    }

    /// The room is destroyed: everybody waiting is told.
    mutating func closeLobby() {
        let output = control.close()
        performRoomControl(output)
    }

    /// The room-control part of an `edit` (already validated).
    mutating func applyRoomControlEdit(_ edit: RoomControlEdit) {
        control.setWaitingTimeout(milliseconds: settings.waitingTimeoutMilliseconds)
        guard let enabled = edit.waitingRoom else { return }
        let output = control.setWaitingRoom(enabled, at: now)
        performRoomControl(output)
    }

    // MARK: Requests

    /// Feeds `command` from `by` to the machine; the reply carries the lists it asks for.
    mutating func performRoomControl(
        _ command: RoomControlCommand, by: RoomControlActor
    ) throws(VideoRoomError) -> RoomControlReply {
        let input = try command.input(by: by)
        if let error = driveRoomControl(input) { throw VideoRoomError(error, room: id) }
        var reply = RoomControlReply(room: id)
        switch input {
        case .listWaiting:
            reply.waiting = control.waitingList.map { controlPerson($0) }
        case .setWaitingRoom(_, let enabled):
            settings.waitingRoom = enabled
            if permanent { persist() }
        case .raiseHand, .lowerHand, .lowerAllHands:
            reply.hands = control.handQueue.map { controlPerson($0) }
        default:
            break
        }
        return reply
    }

    /// The mids the room's moderators muted, by kind, of `participant`'s current streams.
    func controlMutedMids(_ participant: Participant) -> Set<String> {
        let muted = control.mutes(of: participant.id)
        guard !muted.isEmpty else { return [] }
        var mids: Set<String> = []
        for stream in participant.media?.streams ?? [] {
            if (stream.kind == .audio && muted.contains(.audio)) || (stream.kind == .video && muted.contains(.video)) {
                mids.insert(stream.mid)
            }
        }
        return mids
    }
}
