import SFUMedia

/// Synchronous requests (janus-api.md §8.3): answered in the `success` of the `message`.
extension VideoRoomRegistry {
    func handleSynchronous(_ request: String, fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        switch request {
        case "create": return try create(fields)
        case "edit": return try edit(fields)
        case "destroy": return try destroy(fields)
        case "exists":
            let room = try fields.room()
            return ["videoroom": "success", "room": .uint(room), "exists": .bool(rooms[room] != nil)]
        case "list": return try list(fields)
        case "allowed": return try allowed(fields)
        case "kick": return try kick(fields)
        case "moderate": return try moderate(fields)
        case "listparticipants": return try listParticipants(fields)
        default:
            // rtp_forward, stop_rtp_forward, listforwarders, enable_recording and the
            // remote-publisher (cascading) requests: swift-sfu has no plain-RTP forwarders
            // and no recorder.
            throw VideoRoomError(VideoRoomError.unknown, "Request '\(request)' is not supported by swift-sfu")
        }
    }

    func existingRoom(_ fields: VideoRoomFields) throws(VideoRoomError) -> UInt64 {
        let room = try fields.room()
        guard rooms[room] != nil else { throw .noSuchRoom(room) }
        return room
    }

    // MARK: create / edit / destroy

    private func checkAdminKey(_ fields: VideoRoomFields) throws(VideoRoomError) {
        guard let adminKey = configuration.adminKey else { return }
        guard let given = try fields.string("admin_key") else { throw .missing("admin_key") }
        guard given == adminKey else {
            throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (wrong admin_key)")
        }
    }

    private func create(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        try checkAdminKey(fields)
        try VideoRoomSettings.validateCodecNames(fields)
        let permanent = try fields.bool("permanent") ?? false
        if permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't create permanent room")
        }
        var id = try fields.uint("room") ?? 0
        if id == 0 {
            repeat { id = Self.randomID() } while rooms[id] != nil
        } else if rooms[id] != nil {
            throw VideoRoomError(VideoRoomError.roomExists, "Room \(id) already exists")
        }
        let settings = try VideoRoomSettings(room: id, create: fields)
        rooms[id] = Room(settings: settings, permanent: permanent)
        if permanent { try persist() }
        emit(.roomCreated, room: id)
        logger.info("videoroom: created room \(id)")
        return ["videoroom": "created", "room": .uint(id), "permanent": .bool(permanent)]
    }

    private func edit(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let id = try existingRoom(fields)
        guard var room = rooms[id] else { throw .noSuchRoom(id) }
        try fields.checkSecret(room.settings.secret)
        let permanent = try fields.bool("permanent") ?? false
        if permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't edit room permanently")
        }
        var settings = room.settings
        if let value = try fields.string("new_description"), !value.isEmpty { settings.description = value }
        if let value = try fields.string("new_secret") { settings.secret = value.isEmpty ? nil : value }
        if let value = try fields.string("new_pin") { settings.pin = value.isEmpty ? nil : value }
        if let value = try fields.bool("new_is_private") { settings.isPrivate = value }
        if let value = try fields.bool("new_require_pvtid") { settings.requirePvtID = value }
        if let value = try fields.uint32("new_bitrate") { settings.bitrate = VideoRoomSettings.normalisedBitrate(value) }
        if let value = try fields.uint32("new_fir_freq") { settings.firFreq = value }
        if let value = try fields.uint("new_publishers") { settings.publishers = Int(clamping: max(1, value)) }
        _ = try fields.bool("new_lock_record")
        _ = try fields.string("new_rec_dir")
        let controlEdit = try RoomControlEdit(fields)
        controlEdit.apply(to: &settings)
        room.settings = settings
        if permanent { room.permanent = true }
        rooms[id] = room
        applyRoomControlEdit(controlEdit, room: id)
        // Bitrate and keyframe interval changes reach the running publishers at once.
        for participantID in room.participants.keys { applyPublisherSettings(room: id, id: participantID) }
        if room.permanent && permanent { try persist() }
        return ["videoroom": "edited", "room": .uint(id), "permanent": .bool(permanent)]
    }

    private func destroy(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let id = try existingRoom(fields)
        guard let room = rooms[id] else { throw .noSuchRoom(id) }
        try fields.checkSecret(room.settings.secret)
        let permanent = try fields.bool("permanent") ?? false
        if permanent && store == nil {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't destroy room permanently")
        }
        let event: JSONObject = ["videoroom": "destroyed", "room": .uint(id)]
        closeLobby(room: id)
        for participant in room.participants.values {
            participant.context.push(.event(transaction: nil, data: event, jsep: nil))
            if let media = participant.media {
                self.media.closeTransport(media.allocation)
                participant.context.push(.hangup(reason: "Close PC"))
            }
            roles[participant.handleID] = .gone
            if participant.isActivePublisher { emit(.publishingStopped, room: id, participant: participant) }
            emit(.participantLeft(.roomDestroyed), room: id, participant: participant)
        }
        for subscriber in room.subscribers.values {
            subscriber.context.push(.event(transaction: nil, data: event, jsep: nil))
            media.closeTransport(subscriber.allocation)
            if subscriber.started { subscriber.context.push(.hangup(reason: "Close PC")) }
            roles[subscriber.handleID] = .gone
        }
        rooms[id] = nil
        if permanent || room.permanent { try persist() }
        emit(.roomDestroyed, room: id)
        logger.info("videoroom: destroyed room \(id)")
        return ["videoroom": "destroyed", "room": .uint(id), "permanent": .bool(permanent)]
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

    private func list(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let key = try fields.string("admin_key")
        let showPrivate = key != nil && key == configuration.adminKey
        let entries: [JSONValue] = rooms.values
            .filter { showPrivate || !$0.settings.isPrivate }
            .sorted { $0.settings.room < $1.settings.room }
            .map { .object($0.settings.listEntry(participants: $0.participants.count)) }
        return ["videoroom": "success", "list": .array(entries)]
    }

    private func allowed(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let id = try existingRoom(fields)
        guard var room = rooms[id] else { throw .noSuchRoom(id) }
        try fields.checkSecret(room.settings.secret)
        let action = try fields.requiredString("action")
        let tokens = try fields.strings("allowed")
        switch action {
        case "enable":
            room.settings.checkAllowed = true
        case "disable":
            room.settings.checkAllowed = false
        case "add":
            guard let tokens else { throw .missing("allowed") }
            for token in tokens where !room.settings.allowed.contains(token) { room.settings.allowed.append(token) }
        case "remove":
            guard let tokens else { throw .missing("allowed") }
            room.settings.allowed.removeAll { tokens.contains($0) }
        default:
            throw VideoRoomError(VideoRoomError.invalidElement, "Unsupported action '\(action)' (allowed)")
        }
        rooms[id] = room
        var response: JSONObject = ["videoroom": "success", "room": .uint(id)]
        if action != "disable" { response["allowed"] = .array(room.settings.allowed.map { .string($0) }) }
        return response
    }

    private func listParticipants(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let id = try existingRoom(fields)
        guard let room = rooms[id] else { throw .noSuchRoom(id) }
        let list: [JSONValue] = room.participants.values.sorted { $0.id < $1.id }.map { participant in
            var entry: JSONObject = ["id": .uint(participant.id), "publisher": .bool(participant.isActivePublisher)]
            if let display = participant.display { entry["display"] = .string(display) }
            if let metadata = participant.metadata { entry["metadata"] = metadata }
            if room.settings.audioLevelEvent && participant.isActivePublisher {
                entry["talking"] = .bool(participant.isTalking)
            }
            return .object(entry)
        }
        return ["videoroom": "participants", "room": .uint(id), "participants": .array(list)]
    }

    // MARK: kick / moderate

    private func kick(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let id = try existingRoom(fields)
        guard let room = rooms[id] else { throw .noSuchRoom(id) }
        try fields.checkSecret(room.settings.secret)
        let userID = try fields.requiredUInt("id")
        guard room.participants[userID] != nil else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        removeParticipant(room: id, userID: userID)
        return ["videoroom": "success"]
    }

    /// Kicks a participant out (`kick`, or a moderator's `remove_participant`).
    func removeParticipant(room id: UInt64, userID: UInt64) {
        guard let room = rooms[id], let participant = room.participants[userID] else { return }
        // Janus 1.1.2: the victim is told first, the others get `kicked` alone (no `unpublished`,
        // no display), and the handle is then out of the room like after a `leave`: a new `join`
        // on it is 425 "Not in a room".
        push(participant.handleID, ["videoroom": "event", "room": .uint(id), "leaving": "ok", "reason": "kicked"])
        if participant.media != nil {
            unpublish(room: id, id: userID, selfEvent: nil, hangupReason: "Close PC", notifyOthers: false)
        }
        rooms[id]?.participants[userID] = nil
        roles[participant.handleID] = .gone
        roomControlMemberLeft(room: id, id: userID)
        emit(.participantLeft(.kicked), room: id, participant: participant)
        notifyParticipants(room: id, ["videoroom": "event", "room": .uint(id), "kicked": .uint(userID)])
        // Subscriptions owned by the kicked user stop when the room checks private ids.
        if room.settings.requirePvtID || room.settings.waitingRoom {
            for subscriber in room.subscribers.values where subscriber.privateID == participant.privateID {
                removeSubscriber(room: id, handleID: subscriber.handleID, hangupReason: "Close PC")
                roles[subscriber.handleID] = .kicked
            }
        }
    }

    private func moderate(_ fields: VideoRoomFields) throws(VideoRoomError) -> JSONObject {
        let id = try existingRoom(fields)
        guard let room = rooms[id] else { throw .noSuchRoom(id) }
        try fields.checkSecret(room.settings.secret)
        let userID = try fields.requiredUInt("id")
        let mid = try fields.requiredString("mid")
        guard let mute = try fields.bool("mute") else { throw .missing("mute") }
        guard var participant = room.participants[userID] else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        guard var publisherMedia = participant.media,
            let index = publisherMedia.streams.firstIndex(where: { $0.mid == mid })
        else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such stream \(mid)")
        }
        publisherMedia.streams[index].moderated = mute
        participant.media = publisherMedia
        rooms[id]?.participants[userID] = participant
        applyPublisherSettings(room: id, id: userID)
        notifyParticipants(
            room: id,
            ["videoroom": "event", "room": .uint(id), "id": .uint(userID), "mid": .string(mid),
             "moderation": mute ? "muted" : "unmuted"])
        return ["videoroom": "success"]
    }
}
