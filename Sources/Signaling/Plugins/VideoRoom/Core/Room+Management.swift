import SFUMedia
import VideoRoomControl

/// Room-management requests aimed at one room (janus-api.md §8.3): `edit`, `destroy`,
/// `allowed`, `kick`, `moderate`, `listparticipants`. The registry has checked that the room
/// exists; `create`, `list` and `exists` span rooms and are the registry's.
extension Room {
    /// `hasStore`: a rooms file is configured (`permanent` needs one).
    mutating func manage(_ request: RoomRequest, hasStore: Bool) throws(VideoRoomError) -> RoomReply {
        switch request {
        case .edit(let edit): return try self.edit(edit, hasStore: hasStore)
        case .destroy(let destroy): return try self.destroy(destroy, hasStore: hasStore)
        case .allowed(let change): return try allowed(change)
        case .kick(_, let secret, let participant): return try kick(secret: secret, participant)
        case .moderate(let moderation): return try moderate(moderation)
        case .listParticipants: return listParticipants()
        case .limitSubscriptions(_, let secret, let participant, let bitrate):
            return try limitSubscriptions(of: participant, to: bitrate, secret: secret)
        case .create, .list, .exists:
            throw VideoRoomError(VideoRoomError.unknown, "Not a request about one room")
        }
    }

    // MARK: edit / destroy

    private mutating func edit(_ edit: EditRoom, hasStore: Bool) throws(VideoRoomError) -> RoomReply {
        try edit.secret.check(settings.secret)
        if edit.permanent && !hasStore {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't edit room permanently")
        }
        if let value = edit.description { settings.description = value }
        if let value = edit.newSecret { settings.secret = value.isEmpty ? nil : value }
        if let value = edit.newPin { settings.pin = value.isEmpty ? nil : value }
        if let value = edit.isPrivate { settings.isPrivate = value }
        if let value = edit.requirePvtID { settings.requirePvtID = value }
        if let value = edit.bitrate { settings.bitrate = VideoRoomSettings.normalisedBitrate(value) }
        if let value = edit.firFreq { settings.firFreq = value }
        if let value = edit.subscriberMaxBitrate {
            settings.subscriberMaxBitrate = value
            for subscriber in subscribers.values where subscriber.maximumBitrate == nil { applyBitrateCap(subscriber) }
        }
        if let value = edit.publishers { settings.publishers = Int(clamping: max(1, value)) }
        edit.control.apply(to: &settings)
        if edit.permanent { permanent = true }
        applyRoomControlEdit(edit.control)
        // Bitrate and keyframe interval changes reach the running publishers at once.
        for participantID in participants.keys { applyPublisherSettings(id: participantID) }
        if permanent && edit.permanent { persist() }
        return .edited(room: id, permanent: edit.permanent)
    }

    /// Everyone is told and hung up; the registry then forgets the room.
    private mutating func destroy(_ destroy: DestroyRoom, hasStore: Bool) throws(VideoRoomError) -> RoomReply {
        try destroy.secret.check(settings.secret)
        if destroy.permanent && !hasStore {
            throw VideoRoomError(VideoRoomError.unknown, "No configuration file, can't destroy room permanently")
        }
        closeLobby()
        for participant in participants.values { endParticipantForDestroy(participant) }
        for subscriber in subscribers.values { endSubscriberForDestroy(subscriber) }
        participants = [:]
        subscribers = [:]
        return .destroyed(room: id, permanent: destroy.permanent)
    }

    private mutating func endParticipantForDestroy(_ participant: Participant) {
        send(participant.context, .destroyed(room: id))
        if let media = participant.media {
            command(.close(media.allocation))
            sendTo(participant.context, .hangup(reason: "Close PC"))
        }
        setRole(participant.handleID, .gone)
        if participant.isActivePublisher { observe(.publishingStopped, participant: participant) }
        observe(.participantLeft(.roomDestroyed), participant: participant)
    }

    private mutating func endSubscriberForDestroy(_ subscriber: Subscriber) {
        send(subscriber.context, .destroyed(room: id))
        command(.close(subscriber.allocation))
        if subscriber.started { sendTo(subscriber.context, .hangup(reason: "Close PC")) }
        setRole(subscriber.handleID, .gone)
    }

    // MARK: allowed / listparticipants

    private mutating func allowed(_ change: AllowedChange) throws(VideoRoomError) -> RoomReply {
        try change.secret.check(settings.secret)
        switch change.action {
        case .enable:
            settings.checkAllowed = true
        case .disable:
            settings.checkAllowed = false
        case .add:
            for token in change.tokens where !settings.allowed.contains(token) { settings.allowed.append(token) }
        case .remove:
            settings.allowed.removeAll { change.tokens.contains($0) }
        }
        return .allowed(room: id, tokens: change.action == .disable ? nil : settings.allowed)
    }

    private func listParticipants() -> RoomReply {
        .participants(room: id, participants.values.sorted { $0.id < $1.id }.map { participant in
            ParticipantListing(
                id: participant.id, display: participant.display, metadata: participant.metadata,
                publisher: participant.isActivePublisher,
                talking: settings.audioLevelEvent && participant.isActivePublisher ? participant.isTalking : nil)
        })
    }

    // MARK: kick / moderate

    private mutating func kick(secret: GivenSecret, _ userID: VideoRoomID) throws(VideoRoomError) -> RoomReply {
        try secret.check(settings.secret)
        guard participants[userID] != nil else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        removeParticipant(userID: userID)
        return .success
    }

    /// `limit_subscriptions` (extension): the data cap of every subscription the participant owns
    /// (its subscriber handles joined with its `private_id`), as its owner or the room's host sets
    /// it for them; the room's secret is needed.
    private mutating func limitSubscriptions(
        of userID: VideoRoomID, to bitrate: Int, secret: GivenSecret
    ) throws(VideoRoomError) -> RoomReply {
        try secret.check(settings.secret)
        guard let participant = participants[userID] else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        var limited = 0
        for handleID in subscribers.keys where subscribers[handleID]?.privateID == participant.privateID {
            subscribers[handleID]?.maximumBitrate = bitrate
            if let subscriber = subscribers[handleID] { applyBitrateCap(subscriber) }
            limited += 1
        }
        return .limitedSubscriptions(room: id, count: limited)
    }

    /// Kicks a participant out (`kick`, or a moderator's `remove_participant`).
    mutating func removeParticipant(userID: VideoRoomID) {
        let room = self
        guard let participant = room.participants[userID] else { return }
        // Janus 1.1.2: the victim is told first, the others get `kicked` alone (no `unpublished`,
        // no display), and the handle is then out of the room like after a `leave`: a new `join`
        // on it is 425 "Not in a room".
        push(participant.handleID, .leavingSelf(room: id, kicked: true))
        if participant.media != nil {
            unpublish(id: userID, selfEvent: nil, hangupReason: "Close PC", notifyOthers: false)
        }
        participants[userID] = nil
        setRole(participant.handleID, .gone)
        roomControlMemberLeft(id: userID)
        observe(.participantLeft(.kicked), participant: participant)
        notifyParticipants(.kicked(room: id, id: userID))
        // Subscriptions owned by the kicked user stop when the room checks private ids.
        if room.settings.requirePvtID || room.settings.waitingRoom {
            for subscriber in room.subscribers.values where subscriber.privateID == participant.privateID {
                removeSubscriber(handleID: subscriber.handleID, hangupReason: "Close PC")
                setRole(subscriber.handleID, .kicked)
            }
        }
    }

    private mutating func moderate(_ moderation: Moderation) throws(VideoRoomError) -> RoomReply {
        let userID = moderation.participant
        try moderation.secret.check(settings.secret)
        guard var participant = participants[userID] else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such user \(userID) in room \(id)")
        }
        guard var publisherMedia = participant.media,
            let index = publisherMedia.streams.firstIndex(where: { $0.mid == moderation.mid })
        else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such stream \(moderation.mid)")
        }
        publisherMedia.streams[index].moderated = moderation.mute
        participant.media = publisherMedia
        participants[userID] = participant
        applyPublisherSettings(id: userID)
        notifyParticipants(.moderation(room: id, id: userID, mid: moderation.mid, muted: moderation.mute))
        return .success
    }
}
