import SFUMedia
import VideoRoomControl

/// One `message`: the request name decides the route (the lobby, room control, room
/// management, or the handle's role); each route decodes the body into its typed request and
/// hands it to the room.
extension VideoRoomRegistry {
    func handleMessage(handleID: UInt64, transaction: String, body: JSONObject, jsep: JSEP?) -> PluginMessageResult {
        let fields = VideoRoomFields(body)
        let name: VideoRoomRequestName
        do throws(VideoRoomError) {
            name = try VideoRoomRequestName(fields)
        } catch {
            return .success(error.data)
        }
        if case .waiting(let room)? = roles[handleID],
            let handled = lobbyMessage(name, handleID: handleID, room: room, transaction: transaction, fields: fields)
        {
            return handled
        }
        switch name.kind {
        case .roomControl:
            return .success(roomControlMessage(name, handleID: handleID, fields: fields))
        case .unsupported:
            // No plain-RTP forwarders, no recorder, no remote publishers (cascading) here.
            return .success(
                VideoRoomError(VideoRoomError.unknown, "Request '\(name.rawValue)' is not supported by swift-sfu").data)
        case .synchronous:
            do throws(VideoRoomError) {
                return .success(try perform(RoomRequest(name, fields)).json)
            } catch {
                return .success(error.data)
            }
        case .asynchronous:
            do throws(VideoRoomError) {
                if roles[handleID] == .kicked {
                    throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized, you have been kicked")
                }
                try handleAsynchronous(name, handleID: handleID, transaction: transaction, fields: fields, jsep: jsep)
            } catch {
                push(handleID, transaction: transaction, .error(error))
            }
            return .ack(hint: nil)
        }
    }

    private func handleAsynchronous(
        _ name: VideoRoomRequestName, handleID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        guard let caller = caller(handleID, transaction: transaction) else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid handle")
        }
        if name.isJoin {
            try join(caller: caller, fields: fields, jsep: jsep)
            return
        }
        switch roles[handleID] ?? HandleRole.none {
        case .none:
            throw VideoRoomError(VideoRoomError.joinFirst, "Invalid request on unconfigured participant")
        case .gone, .kicked, .waiting:
            throw VideoRoomError(VideoRoomError.alreadyJoined, "Not in a room (create a new handle)")
        case .publisher(let room, let id):
            try send(.publisher(PublisherRequest(name, fields), participant: id, jsep: jsep), to: room, from: caller)
                .get()
        case .subscriber(let room):
            try send(.subscriber(SubscriberRequest(name, fields), jsep: jsep), to: room, from: caller).get()
        }
    }

    /// `maxParticipantsPerRoom`: everyone joined to the room (participants, subscribers, lobby)
    /// counts. Janus has no such limit; 432 is its "room full" (of publishers).
    private func checkRoomCapacity(_ id: VideoRoomID) throws(VideoRoomError) {
        let limit = configuration.maxParticipantsPerRoom
        guard limit > 0, let room = rooms[id] else { return }
        guard room.participants.count + room.subscribers.count + room.lobby.count >= limit else { return }
        throw VideoRoomError(VideoRoomError.publishersFull, "Maximum number of participants (\(limit)) already reached")
    }

    /// `join`/`joinandconfigure` on a fresh handle: decoded, then to the room (or its lobby).
    private func join(caller: RoomCaller, fields: VideoRoomFields, jsep: JSEP?) throws(VideoRoomError) {
        switch roles[caller.handleID] ?? HandleRole.none {
        case .none: break
        case .publisher: throw VideoRoomError(VideoRoomError.alreadyJoined, "Already in as a publisher on this handle")
        case .subscriber: throw VideoRoomError(VideoRoomError.alreadyJoined, "Already in as a subscriber on this handle")
        case .gone, .kicked, .waiting:
            throw VideoRoomError(VideoRoomError.alreadyJoined, "Not in a room (create a new handle)")
        }
        let request = try JoinRequest(fields)
        try checkRoomCapacity(request.room)
        switch request {
        case .publisher(let join):
            guard let settings = rooms[join.room]?.settings else { throw .noSuchRoom(join.room) }
            // The room-control pre-check of a moderator secret comes first (433 on a wrong one).
            let moderator = try settings.joinsAsModerator(moderatorSecret: join.moderatorSecret, secret: join.secret)
            let lobby = settings.waitingRoom && !moderator
            try send(.joinPublisher(join, jsep: jsep, lobby: lobby), to: join.room, from: caller).get()
        case .subscriber(let join):
            // Janus 1.1.2 has no check here: a JSEP on a subscriber `join` is ignored and the
            // reply is the usual `attached` with the server's own offer.
            guard rooms[join.room] != nil else { throw .noSuchRoom(join.room) }
            try send(.joinSubscriber(join), to: join.room, from: caller).get()
        }
    }

    // MARK: Room control

    /// What a handle waiting in a lobby may do: room-control requests as the member it will be,
    /// `leave`; any other participant request is refused. Nil: not the lobby's (room management).
    private func lobbyMessage(
        _ name: VideoRoomRequestName, handleID: UInt64, room: VideoRoomID, transaction: String, fields: VideoRoomFields
    ) -> PluginMessageResult? {
        switch name.kind {
        case .roomControl:
            guard let waiting = rooms[room]?.lobby[handleID] else { return nil }
            return .success(roomControlRequest(name, by: .member(waiting.id), room: room, fields: fields))
        case .asynchronous where name == .leave:
            send(.leaveLobby, to: room, from: caller(handleID, transaction: transaction))
            return .ack(hint: nil)
        case .asynchronous:
            // No publishing, subscribing or configuring from the lobby.
            push(handleID, transaction: transaction, .error(.waitingForAdmission))
            return .ack(hint: nil)
        case .synchronous, .unsupported:
            return nil
        }
    }

    /// Answered synchronously (in the `success` of the `message`), like Janus's `kick`/`moderate`,
    /// on the handle of a joined publisher-role participant: the requester is that participant.
    /// On any other handle a moderator request (all but `raise_hand`) that names a `room` comes
    /// from that room's host.
    private func roomControlMessage(_ name: VideoRoomRequestName, handleID: UInt64, fields: VideoRoomFields) -> JSONObject {
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

    /// One extension request from participant or host `by`: the `success` data, or an error's.
    private func roomControlRequest(
        _ name: VideoRoomRequestName, by: RoomControlActor, room: VideoRoomID, fields: VideoRoomFields
    ) -> JSONObject {
        do throws(VideoRoomError) {
            return try performRoomControl(RoomControlCommand(name, fields), by: by, room: room).json
        } catch {
            return error.data
        }
    }

    /// A room-control request from outside the room: the room must exist (426) and the request
    /// prove host authority (`checkHostAuthority`, 429/433).
    private func checkHost(_ proof: HostProof) throws(VideoRoomError) {
        guard let settings = rooms[proof.room]?.settings else { throw .noSuchRoom(proof.room) }
        try settings.checkHostAuthority(proof)
    }

    /// A host's request from the room API (`SFUServer`): authority checked, then performed. A
    /// command that failed to build (a mute of neither medium) fails after the authority check,
    /// as the Janus request does.
    func performHost(
        _ command: Result<RoomControlCommand, VideoRoomError>, proof: HostProof
    ) throws(VideoRoomError) -> RoomControlReply {
        try checkHost(proof)
        return try performRoomControl(command.get(), by: .host, room: proof.room)
    }

    /// Feeds `command` from `by` to room `id`'s machine and performs the effects.
    func performRoomControl(
        _ command: RoomControlCommand, by: RoomControlActor, room id: VideoRoomID
    ) throws(VideoRoomError) -> RoomControlReply {
        guard var room = rooms[id] else { throw .noSuchRoom(id) }
        let (result, effects) = room.handle(command, by: by, at: .now(), using: allocator)
        rooms[id] = room
        if let failure = perform(effects, room: id) { throw failure }
        return try result.get()
    }
}

extension PublisherRequest {
    /// Decoded for a publisher-role handle.
    init(_ name: VideoRoomRequestName, _ fields: VideoRoomFields) {
        switch name {
        case .publish: self = .publish(Result { () throws(VideoRoomError) in try PublisherConfigure(fields) })
        case .configure: self = .configure(Result { () throws(VideoRoomError) in try PublisherConfigure(fields) })
        case .unpublish: self = .unpublish
        case .leave: self = .leave
        default: self = .other(name)
        }
    }
}

extension SubscriberRequest {
    /// Decoded for a subscriber handle.
    init(_ name: VideoRoomRequestName, _ fields: VideoRoomFields) {
        switch name {
        case .start: self = .start
        case .pause: self = .pause
        case .configure: self = .configure(Result { () throws(VideoRoomError) in try SubscriberConfigure(fields) })
        case .subscribe, .unsubscribe, .update:
            self = .change(name, Result { () throws(VideoRoomError) in try SubscriptionChange(name, fields) })
        case .switch: self = .switch(Result { () throws(VideoRoomError) in try StreamSwitch.list(fields) })
        case .leave: self = .leave
        default: self = .other(name)
        }
    }
}
