import SFUMedia
import VideoRoomControl

/// Transport events (webrtcup, media, talking, slow link, failure) turned into Janus events.
extension Room {
    /// An event of the PeerConnection `generation` of handle `handleID` (a stale generation,
    /// from a replaced PeerConnection, is dropped).
    mutating func transportEvent(_ event: TransportEvent, role: HandleRole, handleID: UInt64, generation: UInt64) {
        switch role {
        case .publisher(_, let id):
            guard let participant = participants[id], let publisherMedia = participant.media,
                publisherMedia.generation == generation
            else { return }
            publisherEvent(event, participant: participant)
        case .subscriber:
            guard let subscriber = subscribers[handleID], subscriber.generation == generation else { return }
            subscriberEvent(event, subscriber: subscriber)
        default:
            return
        }
    }

    private mutating func publisherEvent(_ event: TransportEvent, participant: Participant) {
        let context = participant.context
        if let kind = Self.observedKind(event) { observe(kind, participant: participant) }
        switch event {
        case .connected:
            sendTo(context, .webrtcUp)
            guard var publisherMedia = participant.media, !publisherMedia.connected else { return }
            publisherMedia.connected = true
            participants[participant.id]?.media = publisherMedia
            announcePublisher(id: participant.id)
            observe(.publishingStarted(streams: Self.observedStreams(publisherMedia)), participant: participant)
        case .mediaReceiving(let mid, let kind, let receiving):
            sendTo(context, .media(mid: mid, type: kind.token, receiving: receiving, substream: nil))
        case .slowLink(let mid, let kind, let uplink, let lost):
            sendTo(context, .slowLink(mid: mid, media: kind.token, uplink: uplink, lost: lost))
            push(participant.handleID, .slowLink(bitrate: participant.media?.settings.bitrate ?? 0))
        case .talking(let mid, let talking, let level):
            talkingChanged(participant, mid: mid, talking: talking, level: level)
        case .layerChanged, .temporalLayerChanged, .videoPaused:
            break  // Publishers forward no layers of others.
        case .failed(let reason):
            unpublish(id: participant.id, selfEvent: nil, hangupReason: reason.janusReason)
        }
    }

    private mutating func talkingChanged(_ participant: Participant, mid: String, talking: Bool, level: Double) {
        guard settings.audioLevelEvent, var publisherMedia = participant.media,
            let index = publisherMedia.streams.firstIndex(where: { $0.mid == mid })
        else { return }
        guard publisherMedia.streams[index].talking != talking else { return }
        publisherMedia.streams[index].talking = talking
        participants[participant.id]?.media = publisherMedia
        observe(.talking(mid: mid, isTalking: talking, level: level), participant: participant)
        // Everyone, the speaker included (§8.10).
        notifyParticipants(
            .talking(room: id, id: participant.id, mindex: publisherMedia.streams[index].mindex, mid: mid,
                     level: level, talking: talking))
        // Whoever is talking goes first where a subscriber's bandwidth is short.
        for subscriber in subscribers.values where subscriber.started
            && subscriber.streams.contains(where: { $0.feedID == participant.id && $0.kind == .video })
        {
            bind(handleID: subscriber.handleID)
        }
    }

    private mutating func subscriberEvent(_ event: TransportEvent, subscriber: Subscriber) {
        let context = subscriber.context
        if let kind = Self.observedKind(event) { observe(kind, subscriber: subscriber) }
        switch event {
        case .connected:
            sendTo(context, .webrtcUp)
            // Keyframes asked for when the m-lines were bound went out before DTLS was up and are
            // lost; ask now that the subscriber can decrypt them (Janus sends a PLI on the
            // subscriber's webrtcup), and once more after the media plane's per-stream PLI
            // throttle (300 ms) in case the bind-time request still holds it.
            requestKeyframes(subscriber: subscriber)
            effects.append(.wake(
                .keyframeRetry(handle: subscriber.handleID, generation: subscriber.generation),
                afterMilliseconds: Self.keyframeRetryMilliseconds))
        case .mediaReceiving(let mid, let kind, let receiving):
            sendTo(context, .media(mid: mid, type: kind.token, receiving: receiving, substream: nil))
        case .slowLink(let mid, let kind, let uplink, let lost):
            sendTo(context, .slowLink(mid: mid, media: kind.token, uplink: uplink, lost: lost))
            push(subscriber.handleID, .slowLink(bitrate: nil))
        case .talking:
            break
        case .layerChanged(let mid, let substream):
            noteForwardedLayers(subscriber.handleID, mid: mid, substream: substream, temporal: nil)
            push(subscriber.handleID, .layerChanged(room: roomID, mid: mid, substream: substream))
        case .temporalLayerChanged(let mid, let temporal):
            noteForwardedLayers(subscriber.handleID, mid: mid, substream: nil, temporal: temporal)
            push(subscriber.handleID, .temporalLayerChanged(room: roomID, mid: mid, temporal: temporal))
        case .videoPaused(let mid, let paused):
            push(subscriber.handleID, .videoPaused(room: roomID, mid: mid, paused: paused))
        case .failed(let reason):
            stopSubscriberTransport(handleID: subscriber.handleID, hangupReason: reason.janusReason)
        }
    }

    static let keyframeRetryMilliseconds: UInt64 = 400

    /// The layers an m-line forwards now, for its stream list's `simulcast` object.
    private mutating func noteForwardedLayers(_ handleID: UInt64, mid: String, substream: Int?, temporal: Int?) {
        guard let index = subscribers[handleID]?.streams.firstIndex(where: { $0.mid == mid }) else { return }
        if let substream { subscribers[handleID]?.streams[index].forwardedSubstream = substream }
        if let temporal { subscribers[handleID]?.streams[index].forwardedTemporal = temporal }
    }

    mutating func retryKeyframes(handleID: UInt64, generation: UInt64) {
        guard let subscriber = subscribers[handleID], subscriber.generation == generation else { return }
        requestKeyframes(subscriber: subscriber)
    }
}
