import ICE
import SFUMedia
import VideoRoomControl

/// Publisher offers → our answers (janus-api.md §10.2).
extension Room {
    /// Answers a publisher's offer (first publish or renegotiation) and (re)starts its transport.
    /// Returns the JSEP answer and the negotiation part of `configured`.
    mutating func publish(
        id: VideoRoomID, options: PublishOptions, offer jsep: JSEP
    ) throws(VideoRoomError) -> (JSEP, PublishedNotice) {
        let roomID = self.id
        let room = self
        guard var participant = room.participants[id] else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid participant instance")
        }
        let offer: SessionDescription
        do {
            offer = try SessionDescription.parse(jsep.sdp)
        } catch {
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing offer: \(error)")
        }
        if participant.media == nil {
            let others = room.participants.values.filter { $0.id != id && $0.media != nil }.count
            guard others < room.settings.publishers else {
                throw VideoRoomError(
                    VideoRoomError.publishersFull,
                    "Maximum number of publishers (\(room.settings.publishers)) already reached")
            }
        }
        let policy = try codecPolicy(room: room.settings, participant: participant, options: options)
        let previous = participant.media
        let (allocation, renegotiating) = transport(for: offer, previous: previous)
        participant.sdpVersion += 1
        let result: NegotiationResult
        do {
            result = try SDPNegotiator.answer(
                offer: offer, local: local(allocation), policy: policy, direction: .receiveOnly, localSSRCs: [:],
                sessionID: participant.sdpSessionID, sessionVersion: participant.sdpVersion,
                sessionName: "VideoRoom \(roomID)")
        } catch {
            if !renegotiating { command(.close(allocation)) }
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing offer: \(error)")
        }
        let streams = Self.publishedStreams(result, previous: previous, descriptions: options.descriptions)
        var publisherMedia = PublisherMedia(
            allocation: allocation, streams: streams, connected: renegotiating && (previous?.connected ?? false),
            settings: PublisherSettings(), lastAnswer: result.answer, remoteICEUfrag: offer.effectiveICEUfrag,
            remoteFingerprint: offer.effectiveFingerprint?.text,
            generation: renegotiating ? (previous?.generation ?? 0) : allocateGeneration())
        var withMedia = participant
        withMedia.media = publisherMedia
        publisherMedia.settings = publisherSettings(participant: withMedia)
        try runTransport(publisherMedia, negotiation: result, previous: renegotiating ? previous : nil,
                         replacing: renegotiating ? nil : previous, handleID: participant.handleID,
                         ridOrder: SimulcastRIDOrder(janusValue: jsep.extra["rid_order"]?.stringValue))
        participant.media = publisherMedia
        participants[id] = participant

        if let previous {
            // Subscribers follow the publisher: same mids re-pointed, vanished mids unbound.
            let kept = Set(streams.filter(\.subscribable).map(\.mid))
            if previous.allocation != allocation { rebindFeed(id) }
            sourcesGone(feed: id, keepMids: kept)
            if publisherMedia.connected { announcePublisher(id: id) }
        }
        let published = PublishedNotice(
            streams: publisherMedia.streams.map { VideoRoomNotice.stream($0, room: room.settings) },
            audioCodec: publisherMedia.audioCodec, videoCodec: publisherMedia.videoCodec)
        return (JSEP(type: .answer, sdp: result.answer.text), published)
    }

    /// The room's codecs and extensions for a publisher's answer, narrowed by a forced codec.
    private mutating func codecPolicy(
        room: VideoRoomSettings, participant: Participant, options: PublishOptions
    ) throws(VideoRoomError) -> CodecPolicy {
        var policy = CodecPolicy()
        policy.audioCodecs = room.audioCodecs
        policy.videoCodecs = room.videoCodecs
        if let forced = try options.audioCodec.get()?.lowercased() {
            guard room.audioCodecs.contains(forced) else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Audio codec unavailable in this room")
            }
            policy.audioCodecs = [forced]
        }
        if let forced = try options.videoCodec.get()?.lowercased() {
            guard room.videoCodecs.contains(forced) else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Video codec unavailable in this room")
            }
            policy.videoCodecs = [forced]
        }
        policy.opusFEC = room.opusFEC
        policy.opusDTX = room.opusDTX
        // The forwarder repairs loss by retransmitting on the media SSRC; publisher RTX is not
        // taken. Transport-wide congestion control is (when the room's `transport_wide_cc_ext`
        // allows): our feedback lets the browser's estimator find the path's capacity within a
        // second or two, which decides whether it sends its top simulcast layer at all.
        policy.acceptRTX = false
        if !room.transportWideCC { policy.acceptedExtensions.remove(RTPExtensionURI.transportCC) }
        // Janus 1.1.2 does not take abs-send-time from publishers either (§10.2).
        policy.acceptedExtensions.remove(RTPExtensionURI.absSendTime)
        if !room.audioLevelExt { policy.acceptedExtensions.remove(RTPExtensionURI.audioLevel) }
        let bitrate = participant.bitrate ?? room.bitrate
        if room.bitrateCap && bitrate > 0 { policy.bitrateCapKbps = Int(bitrate / 1000) }
        return policy
    }

    /// The same DTLS peer (fingerprint) re-offering: a renegotiation on the running transport,
    /// with an ICE restart when its credentials changed. Anything else is a new PeerConnection.
    private mutating func transport(
        for offer: SessionDescription, previous: PublisherMedia?
    ) -> (TransportAllocation, renegotiating: Bool) {
        guard let previous, offer.effectiveFingerprint?.text == previous.remoteFingerprint else {
            return (allocator.allocateTransport(room: mediaKey), false)
        }
        if offer.effectiveICEUfrag == previous.remoteICEUfrag { return (previous.allocation, true) }
        if let ufrag = offer.effectiveICEUfrag, let pwd = offer.effectiveICEPwd,
            let restarted = allocator.restartICE(previous.allocation, remote: ICECredentials(ufrag: ufrag, pwd: pwd))
        {
            return (restarted, true)
        }
        return (allocator.allocateTransport(room: mediaKey), false)
    }

    /// The published streams of a negotiation; descriptions and moderation carry over by mid.
    private static func publishedStreams(
        _ result: NegotiationResult, previous: PublisherMedia?, descriptions: [String: String]
    ) -> [PublishedStream] {
        result.media.compactMap { negotiated in
            guard negotiated.kind == .audio || negotiated.kind == .video || negotiated.kind == .application else {
                return nil
            }
            // m-lines the peer rejected (port 0) or that cannot be bundled are not streams.
            if negotiated.kind == .application && negotiated.rejected { return nil }
            var stream = PublishedStream(mindex: negotiated.mindex, mid: negotiated.mid, kind: negotiated.kind)
            if !negotiated.rejected && negotiated.direction.receives {
                stream.codec = ServerCodec(encodingName: negotiated.codecName)
                stream.fmtp = negotiated.fmtp
                stream.simulcast = !negotiated.rids.isEmpty
                stream.extensions = Set(negotiated.extensions.map(\.uri))
            }
            let old = previous?.stream(mid: negotiated.mid)
            stream.description = descriptions[negotiated.mid] ?? old?.description
            stream.moderated = old?.moderated ?? false
            return stream
        }
    }

    /// Hands the negotiated transport to the media plane: updated in place when `previous` is
    /// the same PeerConnection, else started (closing `replacing`, the PeerConnection it ends).
    private mutating func runTransport(
        _ publisherMedia: PublisherMedia, negotiation: NegotiationResult, previous: PublisherMedia?,
        replacing: PublisherMedia?, handleID: UInt64, ridOrder: SimulcastRIDOrder
    ) throws(VideoRoomError) {
        let allocation = publisherMedia.allocation
        guard let setup = TransportSetup(
            negotiation: negotiation, settings: publisherMedia.settings, ridOrder: ridOrder)
        else {
            if previous == nil { command(.close(allocation)) }
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing offer: bad ICE credentials or fingerprint")
        }
        if let previous {
            command(.update(allocation, setup))
            if previous.settings != publisherMedia.settings {
                command(.configure(allocation, publisherMedia.settings))
            }
        } else {
            // A new PeerConnection: the old one (if any) goes.
            if let replacing { command(.close(replacing.allocation)) }
            command(.start(allocation, setup, handle: handleID, generation: publisherMedia.generation))
        }
    }
}
