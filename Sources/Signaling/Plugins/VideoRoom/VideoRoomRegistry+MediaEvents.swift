import SFUMedia

/// Transport events (webrtcup, media, talking, slow link, failure) turned into Janus events.
extension VideoRoomRegistry {
    func handleMediaEvent(_ envelope: MediaEventEnvelope) {
        let handleID = envelope.handleID
        switch roles[handleID] {
        case .publisher(let room, let id)?:
            guard let participant = rooms[room]?.participants[id], let publisherMedia = participant.media,
                publisherMedia.generation == envelope.generation
            else { return }
            publisherEvent(envelope.event, room: room, participant: participant)
        case .subscriber(let room)?:
            guard let subscriber = rooms[room]?.subscribers[handleID], subscriber.generation == envelope.generation
            else { return }
            subscriberEvent(envelope.event, room: room, subscriber: subscriber)
        default:
            return
        }
    }

    private func publisherEvent(_ event: TransportEvent, room roomID: UInt64, participant: Participant) {
        let context = participant.context
        if let kind = Self.observedKind(event) { emit(kind, room: roomID, participant: participant) }
        switch event {
        case .connected:
            context.push(.webrtcUp)
            guard var publisherMedia = participant.media, !publisherMedia.connected else { return }
            publisherMedia.connected = true
            rooms[roomID]?.participants[participant.id]?.media = publisherMedia
            announcePublisher(room: roomID, id: participant.id)
            emit(.publishingStarted(streams: Self.observedStreams(publisherMedia)), room: roomID, participant: participant)
        case .mediaReceiving(let mid, let kind, let receiving):
            context.push(.media(mid: mid, type: kind.token, receiving: receiving, substream: nil))
        case .slowLink(let mid, let kind, let uplink, let lost):
            context.push(.slowLink(mid: mid, media: kind.token, uplink: uplink, lost: lost))
            let bitrate = participant.media?.settings.bitrate ?? 0
            push(participant.handleID, ["videoroom": "slow_link", "current-bitrate": .int(Int64(bitrate))])
        case .talking(let mid, let talking, let level):
            guard let room = rooms[roomID], room.settings.audioLevelEvent,
                var publisherMedia = participant.media,
                let index = publisherMedia.streams.firstIndex(where: { $0.mid == mid })
            else { return }
            guard publisherMedia.streams[index].talking != talking else { return }
            publisherMedia.streams[index].talking = talking
            rooms[roomID]?.participants[participant.id]?.media = publisherMedia
            emit(.talking(mid: mid, isTalking: talking, level: level), room: roomID, participant: participant)
            // Everyone, the speaker included (§8.10).
            notifyParticipants(
                room: roomID,
                ["videoroom": talking ? "talking" : "stopped-talking", "room": .uint(roomID),
                 "id": .uint(participant.id), "mindex": .int(Int64(publisherMedia.streams[index].mindex)),
                 "mid": .string(mid), "audio-level-dBov-avg": .double(level)])
        case .failed(let reason):
            unpublish(room: roomID, id: participant.id, selfEvent: nil, hangupReason: reason.janusReason)
        }
    }

    private func subscriberEvent(_ event: TransportEvent, room roomID: UInt64, subscriber: Subscriber) {
        let context = subscriber.context
        if let kind = Self.observedKind(event) { emit(kind, room: roomID, subscriber: subscriber) }
        switch event {
        case .connected:
            context.push(.webrtcUp)
            // Keyframes asked for when the m-lines were bound went out before DTLS was up and are
            // lost; ask now that the subscriber can decrypt them (Janus sends a PLI on the
            // subscriber's webrtcup), and once more after the media plane's per-stream PLI
            // throttle (300 ms) in case the bind-time request still holds it.
            requestKeyframes(room: roomID, subscriber: subscriber)
            let handleID = subscriber.handleID
            let generation = subscriber.generation
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(Self.keyframeRetryMilliseconds))
                await self?.retryKeyframes(room: roomID, handleID: handleID, generation: generation)
            }
        case .mediaReceiving(let mid, let kind, let receiving):
            context.push(.media(mid: mid, type: kind.token, receiving: receiving, substream: nil))
        case .slowLink(let mid, let kind, let uplink, let lost):
            context.push(.slowLink(mid: mid, media: kind.token, uplink: uplink, lost: lost))
            push(subscriber.handleID, ["videoroom": "slow_link"])
        case .talking:
            break
        case .failed(let reason):
            stopSubscriberTransport(room: roomID, handleID: subscriber.handleID, hangupReason: reason.janusReason)
        }
    }

    static let keyframeRetryMilliseconds = 400

    private func retryKeyframes(room roomID: UInt64, handleID: UInt64, generation: UInt64) {
        guard let subscriber = rooms[roomID]?.subscribers[handleID], subscriber.generation == generation else { return }
        requestKeyframes(room: roomID, subscriber: subscriber)
    }
}
