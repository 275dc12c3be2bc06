import SFUMedia
import VideoRoomControl

/// A subscription's m-lines: which publisher stream feeds each one, the server offer that
/// describes them (janus-api.md §10.3), and the bindings the media plane forwards by.
extension Room {
    /// Adds the streams the selectors name; inactive m-lines of the same kind are reused first.
    mutating func addStreams(_ subscriber: inout Subscriber, selectors: [FeedSelector], room: Room) throws(VideoRoomError) {
        // Resolve everything first: an unknown feed or mid changes nothing.
        var resolved: [(Participant, PublishedStream, FeedSelector)] = []
        for selector in selectors {
            guard let publisher = room.participants[selector.feed], publisher.isActivePublisher,
                let publisherMedia = publisher.media
            else {
                throw VideoRoomError(VideoRoomError.noSuchFeed, "No such feed (\(selector.feed))")
            }
            if let mid = selector.mid {
                guard let stream = publisherMedia.stream(mid: mid), stream.kind != .application else {
                    throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(mid)' in feed (\(selector.feed))")
                }
                // Disabled publisher streams are skipped silently, as Janus does.
                if stream.subscribable && !selector.skippedKinds.contains(stream.kind) {
                    resolved.append((publisher, stream, selector))
                }
            } else {
                for stream in publisherMedia.streams
                where stream.subscribable && !selector.skippedKinds.contains(stream.kind) {
                    resolved.append((publisher, stream, selector))
                }
            }
        }
        for (publisher, stream, selector) in resolved {
            let crossrefID = selector.crossrefID
            guard let codec = stream.codec else { continue }
            let fmtp = Self.subscriberFmtp(stream, codec: codec)
            var extensions: Set<String> = []
            // Our own transport-wide sequence numbers go on everything we send a subscriber: its
            // feedback drives the estimate that picks its layers (Janus offers none here).
            if settings.transportWideCC { extensions.insert(RTPExtensionURI.transportCC) }
            if stream.kind == .audio && stream.extensions.contains(RTPExtensionURI.audioLevel) {
                extensions.insert(RTPExtensionURI.audioLevel)
            }
            if stream.kind == .video {
                extensions.insert(RTPExtensionURI.absSendTime)
                for uri in [RTPExtensionURI.playoutDelay, RTPExtensionURI.videoOrientation]
                where stream.extensions.contains(uri) {
                    extensions.insert(uri)
                }
            }
            if let index = subscriber.streams.firstIndex(where: { !$0.active && $0.kind == stream.kind }) {
                subscriber.streams[index].codec = codec
                subscriber.streams[index].fmtp = fmtp
                subscriber.streams[index].feedID = publisher.id
                subscriber.streams[index].feedMid = stream.mid
                subscriber.streams[index].crossrefID = crossrefID
                subscriber.streams[index].send = true
                subscriber.streams[index].extensions = extensions
                // A reused m-line starts afresh with the new source's choices.
                subscriber.streams[index].substream = selector.layers.substream
                subscriber.streams[index].temporal = selector.layers.temporal
                subscriber.streams[index].fallback = selector.layers.fallback
                subscriber.streams[index].forwardedSubstream = nil
                subscriber.streams[index].forwardedTemporal = nil
                if stream.kind == .video && subscriber.streams[index].rtxSSRC == nil {
                    subscriber.streams[index].rtxSSRC = UInt32.random(in: 1...UInt32.max)
                }
            } else {
                let mindex = subscriber.streams.count
                subscriber.streams.append(SubscriptionStream(
                    mid: "\(mindex)", mindex: mindex, kind: stream.kind, codec: codec, fmtp: fmtp,
                    feedID: publisher.id, feedMid: stream.mid, crossrefID: crossrefID,
                    ssrc: UInt32.random(in: 1...UInt32.max),
                    rtxSSRC: stream.kind == .video ? UInt32.random(in: 1...UInt32.max) : nil,
                    extensions: extensions))
                subscriber.streams[mindex].apply(selector.layers)
            }
        }
    }

    /// §10.3: Opus parameters only as the publisher negotiated them; H.264/VP9 profiles.
    static func subscriberFmtp(_ stream: PublishedStream, codec: ServerCodec) -> String? {
        switch codec {
        case .opus:
            var parts: [String] = []
            if stream.fmtpParameter("useinbandfec") == "1" { parts.append("useinbandfec=1") }
            if stream.fmtpParameter("usedtx") == "1" { parts.append("usedtx=1") }
            if stream.fmtpParameter("stereo") == "1" { parts.append("stereo=1") }
            return parts.isEmpty ? nil : parts.joined(separator: ";")
        case .h264:
            let profile = stream.fmtpParameter("profile-level-id") ?? "42e01f"
            return "profile-level-id=\(profile);packetization-mode=1"
        case .vp9:
            return stream.fmtpParameter("profile-id").map { "profile-id=\($0)" }
        default:
            return nil
        }
    }

    /// Builds the next offer for the subscription (o= version bumped) and records it.
    mutating func makeOffer(_ subscriber: inout Subscriber) -> JSEP {
        subscriber.sdpVersion += 1
        let offered = subscriber.streams.map { stream in
            OfferedStream(
                mid: stream.mid, kind: stream.kind, codec: stream.codec, fmtp: stream.fmtp,
                direction: stream.active ? .sendonly : .inactive, ssrc: stream.ssrc,
                rtxSSRC: stream.kind == .video ? stream.rtxSSRC : nil,
                msid: "janus janus\(stream.mid)", extensions: stream.extensions,
                transportCC: stream.extensions.contains(RTPExtensionURI.transportCC))
        }
        let sdp = SDPNegotiator.offer(
            streams: offered, local: local(subscriber.allocation), sessionID: subscriber.sdpSessionID,
            sessionVersion: subscriber.sdpVersion, sessionName: "VideoRoom \(roomID)")
        subscriber.lastOffer = sdp
        subscriber.offeredCodecs = Dictionary(
            subscriber.streams.filter(\.active).map { ($0.mid, $0.codec) }, uniquingKeysWith: { first, _ in first })
        subscriber.awaitingAnswer = true
        subscriber.needsOffer = false
        return JSEP(type: .offer, sdp: sdp.text)
    }

    /// The `streams` array of `attached`/`updated`/`switched` (§8.7).
    func streamsArray(_ subscriber: Subscriber) -> JSONValue {
        VideoRoomNotice.subscription(subscriber, participants: participants)
    }

    /// Tells the media plane what feeds each m-line (only once the transport runs).
    mutating func bind(handleID: UInt64) {
        guard let subscriber = subscribers[handleID], subscriber.started else { return }
        let bindings = subscriber.streams.map { stream -> SubscriberBinding in
            var source: SourceKey?
            if subscriber.answeredCodecs[stream.mid] == stream.codec, let feed = stream.feedID, let feedMid = stream.feedMid,
                let publisherMedia = participants[feed]?.media, publisherMedia.stream(mid: feedMid) != nil
            {
                source = publisherMedia.source(mid: feedMid)
            }
            return SubscriberBinding(
                mid: stream.mid, source: source, send: stream.send && !subscriber.paused, substream: stream.substream,
                temporal: stream.temporal, fallbackMicroseconds: stream.fallback,
                priority: stream.feedID.flatMap { participants[$0] }?.isTalking == true ? 1 : 0)
        }
        command(.bind(subscriber.allocation, bindings))
    }

    // MARK: Sources going away

    /// A publisher's streams ended (all, or all but `keepMids`): its subscribers' m-lines become
    /// inactive, are unbound, and each affected subscriber gets `updated` with a new offer.
    mutating func sourcesGone(feed: VideoRoomID, keepMids: Set<String>) {
        for (handleID, var subscriber) in subscribers {
            var changed = false
            for index in subscriber.streams.indices
            where subscriber.streams[index].feedID == feed
                && !keepMids.contains(subscriber.streams[index].feedMid ?? "")
            {
                Self.deactivate(&subscriber.streams[index])
                changed = true
            }
            guard changed else { continue }
            subscribers[handleID] = subscriber
            bind(handleID: handleID)
            sendUpdatedOffer(handleID: handleID, transaction: nil)
        }
    }

    /// The publisher has a new transport: re-point its subscribers' bindings.
    mutating func rebindFeed(_ feed: VideoRoomID) {
        for (handleID, subscriber) in subscribers where subscriber.streams.contains(where: { $0.feedID == feed }) {
            bind(handleID: handleID)
        }
    }
}
