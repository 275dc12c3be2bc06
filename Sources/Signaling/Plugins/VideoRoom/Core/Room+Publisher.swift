import SFUMedia
import VideoRoomControl

/// Publisher-role participants (janus-api.md §8.4): join, publish/configure, unpublish, leave.
extension Room {
    /// A publisher-role `join` (also an admitted joiner's, from the lobby), from `caller`.
    mutating func joinPublisher(_ join: PublisherJoin, caller: RoomCaller, jsep: JSEP?) throws(VideoRoomError) {
        let roomID = id
        let handleID = caller.handleID
        let transaction = caller.transaction
        let room = self
        try room.settings.checkJoinCredentials(join.credentials)
        var userID = join.id ?? 0
        if userID != 0 {
            guard room.participants[userID] == nil else {
                throw VideoRoomError(VideoRoomError.idExists, "User ID \(userID) already exists")
            }
        } else {
            repeat { userID = VideoRoomID.random() } while room.participants[userID] != nil
        }
        if let jsep, jsep.type == .answer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Unexpected answer (publishers send offers)")
        }
        let participant = newParticipant(join, id: userID, handleID: handleID, context: caller.context, room: room)
        var joined = joinedNotice(room: room, id: userID, privateID: participant.privateID)
        participants[userID] = participant
        setRole(handleID, .publisher(room: roomID, id: userID))
        observe(.participantJoined, participant: participant)
        if room.settings.notifyJoining {
            notifyParticipants(.joining(room: roomID, attendee: VideoRoomNotice.attendee(participant)), excluding: userID)
        }
        guard let jsep else {
            push(handleID, transaction: transaction, .joined(joined))
            return
        }
        do {
            let (answer, published) = try publish(id: userID, options: join.publish, offer: jsep)
            joined.published = published
            push(handleID, transaction: transaction, .joined(joined), jsep: answer)
        } catch {
            // The participant stays joined (as Janus does); the negotiation failure is reported.
            push(handleID, transaction: transaction, .joined(joined))
            throw error
        }
    }

    private mutating func newParticipant(
        _ join: PublisherJoin, id: VideoRoomID, handleID: UInt64, context: PluginHandleContext, room: Room
    ) -> Participant {
        var privateID: UInt32
        repeat { privateID = UInt32.random(in: 1...UInt32.max) } while room.participants.values.contains {
            $0.privateID == privateID
        }
        var participant = Participant(id: id, privateID: privateID, handleID: handleID, context: context)
        participant.display = join.display
        participant.metadata = join.metadata
        participant.bitrate = join.bitrate.map(VideoRoomSettings.normalisedBitrate)
        participant.audioActivePackets = join.audioActivePackets.map { Int(clamping: max(1, $0)) }
        participant.audioLevelAverage = join.audioLevelAverage.map { Int(clamping: min(127, max(1, $0))) }
        return participant
    }

    /// `joined` (§8.4): the room's active publishers, and its other attendees with `notify_joining`.
    private mutating func joinedNotice(room: Room, id: VideoRoomID, privateID: UInt32) -> JoinedNotice {
        let participants = room.participants.values.sorted { $0.id < $1.id }
        return JoinedNotice(
            room: room.settings.id, description: room.settings.description, id: id, privateID: privateID,
            publishers: participants.filter(\.isActivePublisher).map { VideoRoomNotice.publisher($0, room: room.settings) },
            attendees: room.settings.notifyJoining
                ? participants.filter { !$0.isActivePublisher }.map(VideoRoomNotice.attendee) : nil)
    }

    // MARK: Requests on a joined publisher handle

    mutating func publisherRequest(
        _ request: PublisherRequest, id: VideoRoomID, transaction: String, jsep: JSEP?
    ) throws(VideoRoomError) {
        let roomID = self.id
        guard let participant = participants[id] else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid participant instance")
        }
        if let jsep, jsep.type == .answer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Unexpected answer (publishers send offers)")
        }
        switch request {
        case .publish(let decoded):
            guard participant.media == nil else {
                throw VideoRoomError(VideoRoomError.alreadyPublished, "Can't publish, already published")
            }
            guard let jsep else { throw .missing("jsep") }
            let configure = try decoded.get()
            try configureWithoutSDP(id: id, configure, notify: false, hasOffer: true)
            let (answer, published) = try publish(id: id, options: configure.publish, offer: jsep)
            push(participant.handleID, transaction: transaction, .configured(room: roomID, published), jsep: answer)
        case .configure(let decoded):
            let configure = try decoded.get()
            try configureWithoutSDP(id: id, configure, notify: true, hasOffer: jsep != nil)
            if let jsep {
                let (answer, published) = try publish(id: id, options: configure.publish, offer: jsep)
                push(participant.handleID, transaction: transaction, .configured(room: roomID, published), jsep: answer)
            } else {
                push(participant.handleID, transaction: transaction, .configured(room: roomID, nil))
            }
        case .unpublish:
            guard participant.media != nil else {
                throw VideoRoomError(VideoRoomError.notPublished, "Can't unpublish, not published")
            }
            unpublish(id: id, selfEvent: (transaction, .unpublishedSelf(room: roomID)), hangupReason: "Close PC")
        case .leave:
            leavePublisher(id: id, notifySelf: true, transaction: transaction)
        case .other(let name):
            // Subscriber-only requests (start, pause, switch, subscribe, …) on a publisher handle.
            throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(name.rawValue)'")
        }
    }

    /// The keys of `configure` that need no renegotiation (validated before anything changes).
    private mutating func configureWithoutSDP(
        id: VideoRoomID, _ configure: PublisherConfigure, notify: Bool, hasOffer: Bool
    ) throws(VideoRoomError) {
        guard var participant = participants[id] else { return }
        for change in configure.streams where participant.media?.stream(mid: change.mid) == nil {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(change.mid)' published")
        }
        if let bitrate = configure.bitrate { participant.bitrate = VideoRoomSettings.normalisedBitrate(bitrate) }
        if let value = configure.audioActivePackets { participant.audioActivePackets = Int(clamping: max(1, value)) }
        if let value = configure.audioLevelAverage {
            participant.audioLevelAverage = Int(clamping: min(127, max(1, value)))
        }
        var keyframeMids: [String?] = configure.keyframe ? [nil] : []
        for change in configure.streams {
            if let send = change.send {
                if send { participant.userMutedMids.remove(change.mid) } else { participant.userMutedMids.insert(change.mid) }
            }
            if change.keyframe { keyframeMids.append(change.mid) }
        }
        // With an offer the negotiation applies the descriptions and re-announces once.
        let descriptionChanged = !hasOffer && participant.describe(configure.descriptions)
        let displayChanged = configure.display != nil && configure.display != participant.display
        if let display = configure.display { participant.display = display }
        let metadataChanged = configure.metadata != nil && configure.metadata != participant.metadata
        if let metadata = configure.metadata { participant.metadata = metadata }
        participants[id] = participant

        applyPublisherSettings(id: id)
        if let publisherMedia = participant.media {
            for mid in keyframeMids { command(.keyframe(publisherMedia.allocation, mid: mid)) }
        }
        guard notify else { return }
        if displayChanged, let display = participant.display {
            notifyParticipants(.display(id: id, display), excluding: id)
        }
        if metadataChanged, let metadata = participant.metadata {
            notifyParticipants(.metadata(id: id, metadata), excluding: id)
        }
        if descriptionChanged { announcePublisher(id: id) }
    }

    /// Pushes the participant's current knobs (bitrate, mutes, talking thresholds) to its transport.
    mutating func applyPublisherSettings(id: VideoRoomID) {
        guard var participant = participants[id], var publisherMedia = participant.media else { return }
        let settings = publisherSettings(participant: participant)
        guard settings != publisherMedia.settings else { return }
        publisherMedia.settings = settings
        participant.media = publisherMedia
        participants[id] = participant
        command(.configure(publisherMedia.allocation, settings))
    }

    mutating func publisherSettings(participant: Participant) -> PublisherSettings {
        let room = settings
        var muted = participant.userMutedMids
        for stream in participant.media?.streams ?? [] where stream.moderated { muted.insert(stream.mid) }
        muted.formUnion(controlMutedMids(participant))
        return PublisherSettings(
            bitrate: participant.bitrate ?? room.bitrate, mutedMids: muted, keyframeInterval: room.firFreq,
            audioLevelEvents: room.audioLevelEvent,
            audioActivePackets: participant.audioActivePackets ?? room.audioActivePackets,
            audioLevelAverage: participant.audioLevelAverage ?? room.audioLevelAverage)
    }

    // MARK: Leaving

    /// Ends a publisher's PeerConnection: others get `unpublished` (unless `notifyOthers` is
    /// false: a `leave` or `kick` announces only `leaving`/`kicked`, as Janus 1.1.2 does), its
    /// subscribers lose the streams.
    mutating func unpublish(
        id: VideoRoomID, selfEvent: (String?, VideoRoomNotice)?, hangupReason: String?, notifyOthers: Bool = true
    ) {
        let roomID = self.id
        guard var participant = participants[id], let publisherMedia = participant.media else { return }
        command(.close(publisherMedia.allocation))
        participant.media = nil
        participants[id] = participant
        if let (transaction, data) = selfEvent { push(participant.handleID, transaction: transaction, data) }
        if let hangupReason { sendTo(participant.context, .hangup(reason: hangupReason)) }
        if publisherMedia.connected { observe(.publishingStopped, participant: participant) }
        if publisherMedia.connected && notifyOthers {
            notifyParticipants(.unpublished(room: roomID, id: id), excluding: id)
        }
        sourcesGone(feed: id, keepMids: [])
    }

    mutating func leavePublisher(id: VideoRoomID, notifySelf: Bool, transaction: String?) {
        let roomID = self.id
        guard let participant = participants[id] else { return }
        if participant.media != nil {
            // An explicit `leave` is announced by `leaving` alone; a detach (the core tearing the
            // media down first) also sends `unpublished` before it, like Janus 1.1.2.
            unpublish(id: id, selfEvent: nil, hangupReason: notifySelf ? "Close PC" : nil, notifyOthers: !notifySelf)
        }
        if notifySelf {
            push(participant.handleID, transaction: transaction, .leavingSelf(room: roomID, kicked: false))
        }
        participants[id] = nil
        setRole(participant.handleID, .gone)
        roomControlMemberLeft(id: id)
        observe(.participantLeft(notifySelf ? .left : .disconnected), participant: participant)
        // Janus 1.1.2 tells the others even about participants that never published.
        notifyParticipants(.leaving(room: roomID, id: id), excluding: id)
    }
}
