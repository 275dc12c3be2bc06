import ICE
import SFUMedia

/// Publisher offers → our answers (janus-api.md §10.2).
extension VideoRoomRegistry {
    /// Answers a publisher's offer (first publish or renegotiation) and (re)starts its transport.
    /// Returns the JSEP answer and the `configured` event.
    func publish(
        room roomID: UInt64, id: UInt64, fields: VideoRoomFields, offer jsep: JSEP, request: String
    ) throws(VideoRoomError) -> (JSEP, JSONObject) {
        guard let room = rooms[roomID], var participant = room.participants[id] else {
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
        var policy = CodecPolicy()
        policy.audioCodecs = room.settings.audioCodecs
        policy.videoCodecs = room.settings.videoCodecs
        if let forced = try fields.string("audiocodec")?.lowercased() {
            guard room.settings.audioCodecs.contains(forced) else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Audio codec unavailable in this room")
            }
            policy.audioCodecs = [forced]
        }
        if let forced = try fields.string("videocodec")?.lowercased() {
            guard room.settings.videoCodecs.contains(forced) else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Video codec unavailable in this room")
            }
            policy.videoCodecs = [forced]
        }
        policy.opusFEC = room.settings.opusFEC
        policy.opusDTX = room.settings.opusDTX
        // The forwarder repairs loss by retransmitting on the media SSRC; publisher RTX is not
        // taken. Transport-wide congestion control is (when the room's `transport_wide_cc_ext`
        // allows): our feedback lets the browser's estimator find the path's capacity within a
        // second or two, which decides whether it sends its top simulcast layer at all.
        policy.acceptRTX = false
        if !room.settings.transportWideCC { policy.acceptedExtensions.remove(RTPExtensionURI.transportCC) }
        // Janus 1.1.2 does not take abs-send-time from publishers either (§10.2).
        policy.acceptedExtensions.remove(RTPExtensionURI.absSendTime)
        if !room.settings.audioLevelExt { policy.acceptedExtensions.remove(RTPExtensionURI.audioLevel) }
        let bitrate = participant.bitrate ?? room.settings.bitrate
        if room.settings.bitrateCap && bitrate > 0 { policy.bitrateCapKbps = Int(bitrate / 1000) }

        // The same DTLS peer (fingerprint) re-offering: a renegotiation on the running transport,
        // with an ICE restart when its credentials changed. Anything else is a new PeerConnection.
        let previous = participant.media
        var renegotiating = false
        var allocation: TransportAllocation
        if let previous, offer.effectiveFingerprint?.text == previous.remoteFingerprint {
            if offer.effectiveICEUfrag == previous.remoteICEUfrag {
                renegotiating = true
                allocation = previous.allocation
            } else if let restarting = media as? any RoomMediaICERestart, let ufrag = offer.effectiveICEUfrag,
                let pwd = offer.effectiveICEPwd
            {
                renegotiating = true
                allocation = restarting.restartICE(previous.allocation, remote: ICECredentials(ufrag: ufrag, pwd: pwd))
            } else {
                allocation = media.allocateTransport(room: RoomKey(roomID))
            }
        } else {
            allocation = media.allocateTransport(room: RoomKey(roomID))
        }
        participant.sdpVersion += 1
        let result: NegotiationResult
        do {
            result = try SDPNegotiator.answer(
                offer: offer, local: local(allocation), policy: policy, direction: .receiveOnly, localSSRCs: [:],
                sessionID: participant.sdpSessionID, sessionVersion: participant.sdpVersion,
                sessionName: "VideoRoom \(roomID)")
        } catch {
            if !renegotiating { media.closeTransport(allocation) }
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing offer: \(error)")
        }
        let descriptions = Dictionary(
            ((try? fields.array("descriptions")) ?? []).compactMap { item -> (String, String)? in
                guard let mid = item["mid"]?.stringValue, let text = item["description"]?.stringValue else { return nil }
                return (mid, text)
            }, uniquingKeysWith: { _, last in last })
        let streams: [PublishedStream] = result.media.compactMap { negotiated in
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
        var publisherMedia = PublisherMedia(
            allocation: allocation, streams: streams, connected: renegotiating && (previous?.connected ?? false),
            settings: PublisherSettings(), lastAnswer: result.answer, remoteICEUfrag: offer.effectiveICEUfrag,
            remoteFingerprint: offer.effectiveFingerprint?.text,
            generation: renegotiating ? (previous?.generation ?? 0) : allocateGeneration())
        var withMedia = participant
        withMedia.media = publisherMedia
        publisherMedia.settings = publisherSettings(room: room.settings, participant: withMedia)
        guard let setup = TransportSetup(
            negotiation: result, behaviour: .publisher(publisherMedia.settings),
            ridOrder: SimulcastRIDOrder(janusValue: jsep.extra["rid_order"]?.stringValue))
        else {
            if !renegotiating { media.closeTransport(allocation) }
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing offer: bad ICE credentials or fingerprint")
        }
        if renegotiating, let previous {
            if let renegotiation = media as? any RoomMediaRenegotiation {
                renegotiation.updateTransport(allocation, setup: setup)
            }
            if previous.settings != publisherMedia.settings {
                media.configurePublisher(allocation, settings: publisherMedia.settings)
            }
        } else {
            // A new PeerConnection: the old one (if any) goes.
            if let previous { media.closeTransport(previous.allocation) }
            media.startTransport(
                allocation, setup: setup,
                events: eventSink(handleID: participant.handleID, generation: publisherMedia.generation))
        }
        participant.media = publisherMedia
        rooms[roomID]?.participants[id] = participant

        if let previous {
            // Subscribers follow the publisher: same mids re-pointed, vanished mids unbound.
            let kept = Set(streams.filter(\.subscribable).map(\.mid))
            if previous.allocation != allocation { rebindFeed(room: roomID, feed: id) }
            sourcesGone(room: roomID, feed: id, keepMids: kept)
            if publisherMedia.connected { announcePublisher(room: roomID, id: id) }
        }

        var event: JSONObject = [
            "videoroom": "event", "room": .uint(roomID), "configured": "ok",
            "streams": .array(streams.map { .object(streamObject($0, room: room.settings)) }),
        ]
        if let codec = publisherMedia.audioCodec { event["audio_codec"] = .string(codec.rawValue) }
        if let codec = publisherMedia.videoCodec { event["video_codec"] = .string(codec.rawValue) }
        return (JSEP(type: .answer, sdp: result.answer.text), event)
    }
}
