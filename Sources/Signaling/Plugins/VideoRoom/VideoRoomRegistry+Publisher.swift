import SFUMedia

/// Publisher-role participants (janus-api.md §8.4): join, publish/configure, unpublish, leave.
extension VideoRoomRegistry {
    func join(
        handleID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        switch roles[handleID] ?? HandleRole.none {
        case .none: break
        case .publisher: throw VideoRoomError(VideoRoomError.alreadyJoined, "Already in as a publisher on this handle")
        case .subscriber: throw VideoRoomError(VideoRoomError.alreadyJoined, "Already in as a subscriber on this handle")
        case .gone, .kicked: throw VideoRoomError(VideoRoomError.alreadyJoined, "Not in a room (create a new handle)")
        }
        let ptype = try fields.requiredString("ptype")
        let roomID = try existingRoom(fields)
        switch ptype {
        case "publisher":
            // Janus processes an offer attached to a plain `join` like `joinandconfigure`.
            try joinPublisher(handleID: handleID, room: roomID, transaction: transaction, fields: fields, jsep: jsep)
        case "subscriber", "listener":
            // Janus 1.1.2 has no check here: a JSEP on a subscriber `join` is ignored and the
            // reply is the usual `attached` with the server's own offer.
            try joinSubscriber(handleID: handleID, room: roomID, transaction: transaction, fields: fields)
        default:
            throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (ptype)")
        }
    }

    private func joinPublisher(
        handleID: UInt64, room roomID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        guard let room = rooms[roomID], let context = contexts[handleID] else { throw .noSuchRoom(roomID) }
        try Self.checkJoinCredentials(room.settings, fields)
        let display = try fields.string("display")
        var userID = try fields.uint("id") ?? 0
        if userID != 0 {
            guard room.participants[userID] == nil else {
                throw VideoRoomError(VideoRoomError.idExists, "User ID \(userID) already exists")
            }
        } else {
            repeat { userID = Self.randomID() } while room.participants[userID] != nil
        }
        if let jsep, jsep.type == .answer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Unexpected answer (publishers send offers)")
        }
        // Per-user talking thresholds and bitrate are validated before anything changes.
        let bitrate = try fields.uint32("bitrate")
        let activePackets = try fields.uint("audio_active_packets")
        let levelAverage = try fields.uint("audio_level_average")
        var privateID: UInt32
        repeat { privateID = UInt32.random(in: 1...UInt32.max) } while room.participants.values.contains {
            $0.privateID == privateID
        }
        var participant = Participant(id: userID, privateID: privateID, handleID: handleID, context: context)
        participant.display = display
        participant.metadata = fields.body["metadata"]
        participant.bitrate = bitrate.map(VideoRoomSettings.normalisedBitrate)
        participant.audioActivePackets = activePackets.map { Int(clamping: max(1, $0)) }
        participant.audioLevelAverage = levelAverage.map { Int(clamping: min(127, max(1, $0))) }

        var joined: JSONObject = [
            "videoroom": "joined", "room": .uint(roomID), "description": .string(room.settings.description),
            "id": .uint(userID), "private_id": .int(Int64(privateID)),
            "publishers": .array(
                room.participants.values.filter(\.isActivePublisher).sorted { $0.id < $1.id }.map {
                    .object(publisherObject($0, room: room.settings))
                }),
        ]
        if room.settings.notifyJoining {
            joined["attendees"] = .array(
                room.participants.values.filter { !$0.isActivePublisher }.sorted { $0.id < $1.id }.map {
                    .object(attendee($0))
                })
        }
        rooms[roomID]?.participants[userID] = participant
        roles[handleID] = .publisher(room: roomID, id: userID)
        emit(.participantJoined, room: roomID, participant: participant)
        if room.settings.notifyJoining {
            notifyParticipants(
                room: roomID, ["videoroom": "event", "room": .uint(roomID), "joining": .object(attendee(participant))],
                excluding: userID)
        }
        guard let jsep else {
            push(handleID, transaction: transaction, joined)
            return
        }
        do {
            let (answer, configured) = try publish(room: roomID, id: userID, fields: fields, offer: jsep, request: "publish")
            for (key, value) in configured where key != "videoroom" && key != "configured" && key != "room" {
                joined[key] = value
            }
            push(handleID, transaction: transaction, joined, jsep: answer)
        } catch {
            // The participant stays joined (as Janus does); the negotiation failure is reported.
            push(handleID, transaction: transaction, joined)
            throw error
        }
    }

    func attendee(_ participant: Participant) -> JSONObject {
        var object: JSONObject = ["id": .uint(participant.id)]
        if let display = participant.display { object["display"] = .string(display) }
        if let metadata = participant.metadata { object["metadata"] = metadata }
        return object
    }

    // MARK: Requests on a joined publisher handle

    func publisherRequest(
        _ request: String, room roomID: UInt64, id: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        guard let participant = rooms[roomID]?.participants[id] else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid participant instance")
        }
        if let jsep, jsep.type == .answer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Unexpected answer (publishers send offers)")
        }
        switch request {
        case "publish", "configure":
            if request == "publish" {
                guard participant.media == nil else {
                    throw VideoRoomError(VideoRoomError.alreadyPublished, "Can't publish, already published")
                }
                guard let jsep else { throw .missing("jsep") }
                try configureWithoutSDP(room: roomID, id: id, fields: fields, notify: false, hasOffer: true)
                let (answer, event) = try publish(room: roomID, id: id, fields: fields, offer: jsep, request: request)
                push(participant.handleID, transaction: transaction, event, jsep: answer)
                return
            }
            try configureWithoutSDP(room: roomID, id: id, fields: fields, notify: true, hasOffer: jsep != nil)
            if let jsep {
                let (answer, event) = try publish(room: roomID, id: id, fields: fields, offer: jsep, request: request)
                push(participant.handleID, transaction: transaction, event, jsep: answer)
            } else {
                push(participant.handleID, transaction: transaction,
                     ["videoroom": "event", "room": .uint(roomID), "configured": "ok"])
            }
        case "unpublish":
            guard participant.media != nil else {
                throw VideoRoomError(VideoRoomError.notPublished, "Can't unpublish, not published")
            }
            unpublish(room: roomID, id: id,
                      selfEvent: (transaction, ["videoroom": "event", "room": .uint(roomID), "unpublished": "ok"]),
                      hangupReason: "Close PC")
        case "leave":
            leavePublisher(room: roomID, id: id, notifySelf: true, transaction: transaction)
        default:
            // Subscriber-only requests (start, pause, switch, subscribe, …) on a publisher handle.
            throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(request)'")
        }
    }

    /// The keys of `configure` that need no renegotiation.
    private func configureWithoutSDP(
        room roomID: UInt64, id: UInt64, fields: VideoRoomFields, notify: Bool, hasOffer: Bool
    ) throws(VideoRoomError) {
        guard var participant = rooms[roomID]?.participants[id] else { return }
        // Validate everything first so that an error changes nothing.
        let bitrate = try fields.uint32("bitrate")
        let keyframe = try fields.bool("keyframe") ?? false
        let display = try fields.string("display")
        let activePackets = try fields.uint("audio_active_packets")
        let levelAverage = try fields.uint("audio_level_average")
        _ = try fields.bool("record")
        _ = try fields.string("filename")
        _ = try fields.string("audiocodec")
        _ = try fields.string("videocodec")
        let streams = try streamChanges(fields, participant: participant, requireMid: true)
        let descriptions = try descriptionChanges(fields)

        if let bitrate { participant.bitrate = VideoRoomSettings.normalisedBitrate(bitrate) }
        if let activePackets { participant.audioActivePackets = Int(clamping: max(1, activePackets)) }
        if let levelAverage { participant.audioLevelAverage = Int(clamping: min(127, max(1, levelAverage))) }
        var keyframeMids: [String?] = keyframe ? [nil] : []
        for change in streams {
            if let send = change.send {
                if send { participant.userMutedMids.remove(change.mid) } else { participant.userMutedMids.insert(change.mid) }
            }
            if change.keyframe { keyframeMids.append(change.mid) }
        }
        var descriptionChanged = false
        // With an offer the negotiation applies the descriptions and re-announces once.
        if !hasOffer, var publisherMedia = participant.media {
            for (mid, text) in descriptions {
                if let index = publisherMedia.streams.firstIndex(where: { $0.mid == mid }) {
                    publisherMedia.streams[index].description = text
                    descriptionChanged = true
                }
            }
            participant.media = publisherMedia
        }
        let displayChanged = display != nil && display != participant.display
        if let display { participant.display = display }
        let metadataChanged = fields.body["metadata"] != nil && fields.body["metadata"] != participant.metadata
        if let metadata = fields.body["metadata"] { participant.metadata = metadata }
        rooms[roomID]?.participants[id] = participant

        applyPublisherSettings(room: roomID, id: id)
        if let publisherMedia = participant.media {
            for mid in keyframeMids { media.requestKeyframe(publisher: publisherMedia.allocation, mid: mid) }
        }
        guard notify else { return }
        if displayChanged, let display = participant.display {
            notifyParticipants(room: roomID, ["videoroom": "event", "id": .uint(id), "display": .string(display)],
                               excluding: id)
        }
        if metadataChanged, let metadata = participant.metadata {
            notifyParticipants(room: roomID, ["videoroom": "event", "id": .uint(id), "metadata": metadata],
                               excluding: id)
        }
        if descriptionChanged { announcePublisher(room: roomID, id: id) }
    }

    struct StreamChange {
        var mid: String
        var send: Bool?
        var keyframe: Bool
    }

    /// `streams:[{mid, send, keyframe}]` (or legacy top-level `mid`/`send`).
    private func streamChanges(
        _ fields: VideoRoomFields, participant: Participant, requireMid: Bool
    ) throws(VideoRoomError) -> [StreamChange] {
        var items: [JSONObject] = []
        if let streams = try fields.array("streams") {
            for item in streams {
                guard let object = item.objectValue else {
                    throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element type (streams should be an array of objects)")
                }
                items.append(object)
            }
            if items.count > 1, items.contains(where: { $0["mid"] == nil }) {
                throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (mid is required with more than one stream)")
            }
        } else if fields.has("mid") {
            items = [fields.body]
        }
        var changes: [StreamChange] = []
        for item in items {
            let itemFields = VideoRoomFields(item)
            guard let mid = try itemFields.string("mid") else {
                if items.count == 1 { continue }
                throw .missing("mid")
            }
            guard participant.media?.stream(mid: mid) != nil else {
                throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(mid)' published")
            }
            changes.append(StreamChange(mid: mid, send: try itemFields.bool("send"),
                                        keyframe: try itemFields.bool("keyframe") ?? false))
        }
        return changes
    }

    /// `descriptions:[{mid, description}]`.
    private func descriptionChanges(_ fields: VideoRoomFields) throws(VideoRoomError) -> [(String, String)] {
        guard let items = try fields.array("descriptions") else { return [] }
        var out: [(String, String)] = []
        for item in items {
            guard let object = item.objectValue else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element type (descriptions should be an array of objects)")
            }
            let itemFields = VideoRoomFields(object)
            out.append((try itemFields.requiredString("mid"), try itemFields.requiredString("description")))
        }
        return out
    }

    /// Pushes the participant's current knobs (bitrate, mutes, talking thresholds) to its transport.
    func applyPublisherSettings(room roomID: UInt64, id: UInt64) {
        guard let room = rooms[roomID], var participant = room.participants[id],
            var publisherMedia = participant.media
        else { return }
        let settings = publisherSettings(room: room.settings, participant: participant)
        guard settings != publisherMedia.settings else { return }
        publisherMedia.settings = settings
        participant.media = publisherMedia
        rooms[roomID]?.participants[id] = participant
        media.configurePublisher(publisherMedia.allocation, settings: settings)
    }

    func publisherSettings(room: VideoRoomSettings, participant: Participant) -> PublisherSettings {
        var muted = participant.userMutedMids
        for stream in participant.media?.streams ?? [] where stream.moderated { muted.insert(stream.mid) }
        muted.formUnion(controlMutedMids(room: room.room, participant: participant))
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
    func unpublish(
        room roomID: UInt64, id: UInt64, selfEvent: (String?, JSONObject)?, hangupReason: String?,
        notifyOthers: Bool = true
    ) {
        guard var participant = rooms[roomID]?.participants[id], let publisherMedia = participant.media else { return }
        media.closeTransport(publisherMedia.allocation)
        participant.media = nil
        rooms[roomID]?.participants[id] = participant
        if let (transaction, data) = selfEvent { push(participant.handleID, transaction: transaction, data) }
        if let hangupReason { participant.context.push(.hangup(reason: hangupReason)) }
        if publisherMedia.connected { emit(.publishingStopped, room: roomID, participant: participant) }
        // Janus 1.1.2 names only the id in `unpublished`, `leaving` and `kicked` (no display).
        if publisherMedia.connected && notifyOthers {
            notifyParticipants(
                room: roomID, ["videoroom": "event", "room": .uint(roomID), "unpublished": .uint(id)], excluding: id)
        }
        sourcesGone(room: roomID, feed: id, keepMids: [])
    }

    func leavePublisher(room roomID: UInt64, id: UInt64, notifySelf: Bool, transaction: String?) {
        guard let participant = rooms[roomID]?.participants[id] else { return }
        if participant.media != nil {
            // An explicit `leave` is announced by `leaving` alone; a detach (the core tearing the
            // media down first) also sends `unpublished` before it, like Janus 1.1.2.
            unpublish(
                room: roomID, id: id, selfEvent: nil, hangupReason: notifySelf ? "Close PC" : nil,
                notifyOthers: !notifySelf)
        }
        if notifySelf {
            push(participant.handleID, transaction: transaction,
                 ["videoroom": "event", "room": .uint(roomID), "leaving": "ok"])
        }
        rooms[roomID]?.participants[id] = nil
        roles[participant.handleID] = .gone
        roomControlMemberLeft(room: roomID, id: id)
        emit(.participantLeft(notifySelf ? .left : .disconnected), room: roomID, participant: participant)
        // Janus 1.1.2 tells the others even about participants that never published.
        notifyParticipants(
            room: roomID, ["videoroom": "event", "room": .uint(roomID), "leaving": .uint(id)], excluding: id)
    }
}
