import SFUMedia

/// Synchronous requests (janus-api.md §8.3): answered in the `success` of the `message`, and
/// the typed room API of an embedder (`SFUServer`), which calls `perform` directly.
extension VideoRoomRegistry {
    func perform(_ request: RoomRequest) throws(VideoRoomError) -> RoomReply {
        switch request {
        case .create(let create): return try self.create(create)
        case .edit(let edit): return try self.edit(edit)
        case .destroy(let destroy): return try self.destroy(destroy)
        case .exists(let room): return .exists(room: room, rooms[room] != nil)
        case .list(let adminKey): return list(adminKey: adminKey)
        case .allowed(let change): return try allowed(change)
        case .kick(let room, let secret, let participant): return try kick(room: room, secret: secret, participant)
        case .moderate(let moderation): return try moderate(moderation)
        case .listParticipants(let room): return try listParticipants(room: room)
        }
    }

    /// The room `id`, which must exist (426), after its `secret` check (429/433).
    func existingRoom(_ id: UInt64, secret: GivenSecret? = nil) throws(VideoRoomError) -> Room {
        guard let room = rooms[id] else { throw .noSuchRoom(id) }
        try secret?.check(room.settings.secret)
        return room
    }

    // MARK: create / edit / destroy

    private func create(_ create: CreateRoom) throws(VideoRoomError) -> RoomReply {
        if let adminKey = configuration.adminKey {
            try create.adminKey.check(adminKey, wrong: VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (wrong admin_key)"))
        }
        if create.permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't create permanent room")
        }
        var id = create.room ?? 0
        if id == 0 {
            repeat { id = Self.randomID() } while rooms[id] != nil
        } else if rooms[id] != nil {
            throw VideoRoomError(VideoRoomError.roomExists, "Room \(id) already exists")
        }
        var settings = create.settings
        settings.room = id
        if !create.described { settings.description = "Room \(id)" }
        rooms[id] = Room(settings: settings, permanent: create.permanent)
        if create.permanent { try persist() }
        emit(.roomCreated, room: id)
        logger.info("videoroom: created room \(id)")
        return .created(room: id, permanent: create.permanent)
    }

    private func edit(_ edit: EditRoom) throws(VideoRoomError) -> RoomReply {
        let id = edit.room
        var room = try existingRoom(id, secret: edit.secret)
        if edit.permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't edit room permanently")
        }
        var settings = room.settings
        if let value = edit.description { settings.description = value }
        if let value = edit.newSecret { settings.secret = value.isEmpty ? nil : value }
        if let value = edit.newPin { settings.pin = value.isEmpty ? nil : value }
        if let value = edit.isPrivate { settings.isPrivate = value }
        if let value = edit.requirePvtID { settings.requirePvtID = value }
        if let value = edit.bitrate { settings.bitrate = VideoRoomSettings.normalisedBitrate(value) }
        if let value = edit.firFreq { settings.firFreq = value }
        if let value = edit.publishers { settings.publishers = Int(clamping: max(1, value)) }
        edit.control.apply(to: &settings)
        room.settings = settings
        if edit.permanent { room.permanent = true }
        rooms[id] = room
        applyRoomControlEdit(edit.control, room: id)
        // Bitrate and keyframe interval changes reach the running publishers at once.
        for participantID in room.participants.keys { applyPublisherSettings(room: id, id: participantID) }
        if room.permanent && edit.permanent { try persist() }
        return .edited(room: id, permanent: edit.permanent)
    }

    private func destroy(_ destroy: DestroyRoom) throws(VideoRoomError) -> RoomReply {
        let id = destroy.room
        let room = try existingRoom(id, secret: destroy.secret)
        if destroy.permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't destroy room permanently")
        }
        closeLobby(room: id)
        for participant in room.participants.values { endParticipantForDestroy(participant, room: id) }
        for subscriber in room.subscribers.values { endSubscriberForDestroy(subscriber, room: id) }
        rooms[id] = nil
        if destroy.permanent || room.permanent { try persist() }
        emit(.roomDestroyed, room: id)
        logger.info("videoroom: destroyed room \(id)")
        return .destroyed(room: id, permanent: destroy.permanent)
    }

    private func endParticipantForDestroy(_ participant: Participant, room id: UInt64) {
        participant.context.send(.destroyed(room: id))
        if let media = participant.media {
            self.media.closeTransport(media.allocation)
            participant.context.push(.hangup(reason: "Close PC"))
        }
        roles[participant.handleID] = .gone
        if participant.isActivePublisher { emit(.publishingStopped, room: id, participant: participant) }
        emit(.participantLeft(.roomDestroyed), room: id, participant: participant)
    }

    private func endSubscriberForDestroy(_ subscriber: Subscriber, room id: UInt64) {
        subscriber.context.send(.destroyed(room: id))
        media.closeTransport(subscriber.allocation)
        if subscriber.started { subscriber.context.push(.hangup(reason: "Close PC")) }
        roles[subscriber.handleID] = .gone
    }

    /// Writes every permanent room to the rooms file.
    func persist() throws(VideoRoomError) {
        guard let store else { return }
        do {
            try store.save(rooms.values.filter(\.permanent).map(\.settings))
        } catch {
            logger.error("videoroom: \(error)")
            throw VideoRoomError(VideoRoomError.unknown, "Error saving the rooms file")
        }
    }

    // MARK: list / allowed / listparticipants

    private func list(adminKey: String?) -> RoomReply {
        let showPrivate = adminKey != nil && adminKey == configuration.adminKey
        return .list(rooms.values
            .filter { showPrivate || !$0.settings.isPrivate }
            .sorted { $0.settings.room < $1.settings.room }
            .map { RoomListing(settings: $0.settings, participants: $0.participants.count) })
    }

    private func allowed(_ change: AllowedChange) throws(VideoRoomError) -> RoomReply {
        var room = try existingRoom(change.room, secret: change.secret)
        switch change.action {
        case .enable:
            room.settings.checkAllowed = true
        case .disable:
            room.settings.checkAllowed = false
        case .add:
            for token in change.tokens where !room.settings.allowed.contains(token) { room.settings.allowed.append(token) }
        case .remove:
            room.settings.allowed.removeAll { change.tokens.contains($0) }
        }
        rooms[change.room] = room
        return .allowed(room: change.room, tokens: change.action == .disable ? nil : room.settings.allowed)
    }

    private func listParticipants(room id: UInt64) throws(VideoRoomError) -> RoomReply {
        let room = try existingRoom(id)
        return .participants(room: id, room.participants.values.sorted { $0.id < $1.id }.map { participant in
            ParticipantListing(
                id: participant.id, display: participant.display, metadata: participant.metadata,
                publisher: participant.isActivePublisher,
                talking: room.settings.audioLevelEvent && participant.isActivePublisher ? participant.isTalking : nil)
        })
    }

    // MARK: kick / moderate

    private func kick(room id: UInt64, secret: GivenSecret, _ userID: UInt64) throws(VideoRoomError) -> RoomReply {
        let room = try existingRoom(id, secret: secret)
        guard room.participants[userID] != nil else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        removeParticipant(room: id, userID: userID)
        return .success
    }

    /// Kicks a participant out (`kick`, or a moderator's `remove_participant`).
    func removeParticipant(room id: UInt64, userID: UInt64) {
        guard let room = rooms[id], let participant = room.participants[userID] else { return }
        // Janus 1.1.2: the victim is told first, the others get `kicked` alone (no `unpublished`,
        // no display), and the handle is then out of the room like after a `leave`: a new `join`
        // on it is 425 "Not in a room".
        push(participant.handleID, .leavingSelf(room: id, kicked: true))
        if participant.media != nil {
            unpublish(room: id, id: userID, selfEvent: nil, hangupReason: "Close PC", notifyOthers: false)
        }
        rooms[id]?.participants[userID] = nil
        roles[participant.handleID] = .gone
        roomControlMemberLeft(room: id, id: userID)
        emit(.participantLeft(.kicked), room: id, participant: participant)
        notifyParticipants(room: id, .kicked(room: id, id: userID))
        // Subscriptions owned by the kicked user stop when the room checks private ids.
        if room.settings.requirePvtID || room.settings.waitingRoom {
            for subscriber in room.subscribers.values where subscriber.privateID == participant.privateID {
                removeSubscriber(room: id, handleID: subscriber.handleID, hangupReason: "Close PC")
                roles[subscriber.handleID] = .kicked
            }
        }
    }

    private func moderate(_ moderation: Moderation) throws(VideoRoomError) -> RoomReply {
        let id = moderation.room
        let userID = moderation.participant
        let room = try existingRoom(id, secret: moderation.secret)
        guard var participant = room.participants[userID] else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        guard var publisherMedia = participant.media,
            let index = publisherMedia.streams.firstIndex(where: { $0.mid == moderation.mid })
        else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such stream \(moderation.mid)")
        }
        publisherMedia.streams[index].moderated = moderation.mute
        participant.media = publisherMedia
        rooms[id]?.participants[userID] = participant
        applyPublisherSettings(room: id, id: userID)
        notifyParticipants(
            room: id, .moderation(room: id, id: userID, mid: moderation.mid, muted: moderation.mute))
        return .success
    }
}
