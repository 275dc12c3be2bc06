import SFUMedia
import VideoRoomControl

/// Room management (janus-api.md §8.3): answered in the `success` of the `message`, and the
/// typed room API of an embedder (`SFUServer`), which calls `perform` directly. `create`,
/// `list` and `exists` span rooms; the others go to their room.
extension VideoRoomRegistry {
    func perform(_ request: RoomRequest) throws(VideoRoomError) -> RoomReply {
        switch request {
        case .create(let create): return try self.create(create)
        case .exists(let room): return .exists(room: room, rooms[room] != nil)
        case .list(let adminKey): return list(adminKey: adminKey)
        case .edit(let edit): return try manage(request, room: edit.room)
        case .destroy(let destroy): return try self.destroy(request, room: destroy.room)
        case .allowed(let change): return try manage(request, room: change.room)
        case .kick(let room, _, _): return try manage(request, room: room)
        case .moderate(let moderation): return try manage(request, room: moderation.room)
        case .listParticipants(let room): return try manage(request, room: room)
        case .limitSubscriptions(let room, _, _, _): return try manage(request, room: room)
        }
    }

    /// A request about room `id` (426 when there is none), with its effects performed.
    private func manage(_ request: RoomRequest, room id: VideoRoomID) throws(VideoRoomError) -> RoomReply {
        guard var room = rooms[id] else { throw .noSuchRoom(id) }
        let (result, effects) = room.handle(request, hasStore: store != nil, at: .now(), using: allocator)
        rooms[id] = room
        if let failure = perform(effects, room: id) { throw failure }
        return try result.get()
    }

    private func destroy(_ request: RoomRequest, room id: VideoRoomID) throws(VideoRoomError) -> RoomReply {
        guard var room = rooms[id] else { throw .noSuchRoom(id) }
        let (result, effects) = room.handle(request, hasStore: store != nil, at: .now(), using: allocator)
        guard case .success(let reply) = result else {
            rooms[id] = room
            if let failure = perform(effects, room: id) { throw failure }
            return try result.get()
        }
        rooms[id] = nil
        if let failure = perform(effects, room: id) { throw failure }
        if case .destroyed(_, let permanent) = reply, permanent || room.permanent { try persist() }
        configuration.observer?(VideoRoomEvent(roomID: id, kind: .roomDestroyed))
        logger.info("videoroom: destroyed room \(id)")
        return reply
    }

    private func create(_ create: CreateRoom) throws(VideoRoomError) -> RoomReply {
        if let adminKey = configuration.adminKey {
            try create.adminKey.check(
                adminKey, wrong: VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (wrong admin_key)"))
        }
        if create.permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't create permanent room")
        }
        if configuration.maxRooms > 0, rooms.count >= configuration.maxRooms {
            logger.warning("videoroom: room refused, limit of \(configuration.maxRooms) rooms reached")
            throw VideoRoomError(VideoRoomError.unknown, "Maximum number of rooms (\(configuration.maxRooms)) reached")
        }
        var id: VideoRoomID
        if let given = create.room {
            guard rooms[given] == nil else { throw VideoRoomError(VideoRoomError.roomExists, "Room \(given) already exists") }
            id = given
        } else {
            repeat { id = VideoRoomID.random() } while rooms[id] != nil
        }
        var settings = create.settings
        settings.id = id
        if !create.described { settings.description = "Room \(id)" }
        rooms[id] = Room(settings: settings, permanent: create.permanent)
        if create.permanent { try persist() }
        configuration.observer?(VideoRoomEvent(roomID: id, kind: .roomCreated))
        logger.info("videoroom: created room \(id)")
        return .created(room: id, permanent: create.permanent)
    }

    private func list(adminKey: String?) -> RoomReply {
        let showPrivate = adminKey != nil && adminKey == configuration.adminKey
        return .list(rooms.values
            .filter { showPrivate || !$0.settings.isPrivate }
            .sorted { $0.settings.id < $1.settings.id }
            .map { RoomListing(settings: $0.settings, participants: $0.participants.count) })
    }
}
