import SFUMedia
import VideoRoomControl

/// Subscriber handles (janus-api.md §8.7): the server offers, the peer answers with `start`.
extension Room {
    mutating func joinSubscriber(_ join: SubscriberJoin, caller: RoomCaller) throws(VideoRoomError) {
        let handleID = caller.handleID
        let transaction = caller.transaction
        let context = caller.context
        let room = self
        // Janus checks the room pin for subscribers too.
        try join.pin.check(room.settings.pin, wrong: .wrongPin)
        // A waiting-room room always wants proof of admission: a lobby member has no private_id.
        if room.settings.requirePvtID || room.settings.waitingRoom {
            guard let privateID = join.privateID, room.participants.values.contains(where: { $0.privateID == privateID })
            else {
                throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (this room requires a valid private_id)")
            }
        }
        let allocation = allocator.allocateTransport(room: mediaKey)
        var subscriber = Subscriber(
            handleID: handleID, context: context, privateID: join.privateID, allocation: allocation,
            generation: allocateGeneration())
        do {
            try addStreams(&subscriber, selectors: join.selectors, room: room)
        } catch {
            command(.close(allocation))
            throw error
        }
        if join.selectors.isEmpty || !subscriber.streams.contains(where: \.active) {
            command(.close(allocation))
            throw VideoRoomError(VideoRoomError.invalidSDP, "Can't offer an SDP with no stream")
        }
        let offer = makeOffer(&subscriber)
        subscribers[handleID] = subscriber
        setRole(handleID, .subscriber(room: roomID))
        let legacyFeed = join.legacyFeed.flatMap { id in room.participants[id].map { (id, $0.display) } }
        push(handleID, transaction: transaction,
             .attached(room: roomID, streams: streamsArray(subscriber), legacyFeed: legacyFeed), jsep: offer)
    }

    // MARK: Requests on a subscriber handle

    mutating func subscriberRequest(
        _ request: SubscriberRequest, handleID: UInt64, transaction: String, jsep: JSEP?
    ) throws(VideoRoomError) {
        let room = self
        guard var subscriber = subscribers[handleID] else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid subscriber instance")
        }
        if let jsep, jsep.type == .offer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Only publishers send offers")
        }
        if jsep != nil && request.name != .start {
            throw VideoRoomError(
                VideoRoomError.invalidSDPType, "Unexpected answer in '\(request.name.rawValue)' (answer with start)")
        }
        switch request {
        case .start:
            try start(&subscriber, transaction: transaction, answer: jsep)
        case .pause:
            subscriber.paused = true
            subscribers[handleID] = subscriber
            bind(handleID: handleID)
            push(handleID, transaction: transaction, .paused(room: roomID))
        case .configure(let configure):
            try configureSubscription(&subscriber, configure.get())
            subscribers[handleID] = subscriber
            bind(handleID: handleID)
            push(handleID, transaction: transaction, .configured(room: roomID, nil))
        case .change(_, let change):
            try updateSubscription(&subscriber, change.get(), room: room, transaction: transaction)
        case .switch(let switches):
            try switchStreams(handleID: handleID, transaction: transaction, switches.get())
        case .leave:
            removeSubscriber(handleID: handleID, hangupReason: "Close PC",
                             leftEvent: (transaction, .left(room: roomID)))
        case .other(let name):
            throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(name.rawValue)'")
        }
    }

    /// `start`: the answer (if any) is processed, forwarding resumes, a pending change is offered.
    private mutating func start(
        _ subscriber: inout Subscriber, transaction: String, answer jsep: JSEP?
    ) throws(VideoRoomError) {
        // Before the first answer the transport is not up: keyframes then wait for `connected`.
        let wasRunning = subscriber.started
        if let jsep { try processAnswer(&subscriber, jsep: jsep) }
        subscriber.paused = false
        let handleID = subscriber.handleID
        subscribers[handleID] = subscriber
        bind(handleID: handleID)
        if wasRunning { requestKeyframes(subscriber: subscriber) }
        push(handleID, transaction: transaction, .started(room: roomID))
        if subscriber.needsOffer { sendUpdatedOffer(handleID: handleID, transaction: nil) }
    }

    /// `subscribe`/`unsubscribe`/`update`: `updated` with a new offer, or alone if nothing changed.
    private mutating func updateSubscription(
        _ subscriber: inout Subscriber, _ change: SubscriptionChange, room: Room, transaction: String
    ) throws(VideoRoomError) {
        let roomID = room.settings.id
        let handleID = subscriber.handleID
        let before = subscriber.streams.map { "\($0.mid)|\($0.feedID ?? 0)|\($0.feedMid ?? "")" }
        try removeStreams(&subscriber, change.unsubscribe)
        try addStreams(&subscriber, selectors: change.subscribe, room: room)
        let after = subscriber.streams.map { "\($0.mid)|\($0.feedID ?? 0)|\($0.feedMid ?? "")" }
        subscribers[handleID] = subscriber
        guard before != after else {
            push(handleID, transaction: transaction, .updated(room: roomID, streams: nil))
            return
        }
        // Unbind removed streams at once; new ones are bound after the answer.
        bind(handleID: handleID)
        sendUpdatedOffer(handleID: handleID, transaction: transaction)
    }

    /// `unsubscribe` selectors: `feed`, `feed`+`mid`, or `sub_mid`. The m-lines stay (inactive).
    private mutating func removeStreams(_ subscriber: inout Subscriber, _ selectors: [Unsubscription]) throws(VideoRoomError) {
        var targets: [Int] = []
        for selector in selectors {
            switch selector {
            case .subscriptionMid(let subMid):
                guard let index = subscriber.streams.firstIndex(where: { $0.mid == subMid }) else {
                    throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(subMid)' in subscription")
                }
                targets.append(index)
            case .feed(let feed, let mid):
                targets += subscriber.streams.indices.filter {
                    subscriber.streams[$0].feedID == feed && (mid == nil || subscriber.streams[$0].feedMid == mid)
                }
            }
        }
        for index in targets { Self.deactivate(&subscriber.streams[index]) }
    }

    static func deactivate(_ stream: inout SubscriptionStream) {
        stream.feedID = nil
        stream.feedMid = nil
        stream.crossrefID = nil
    }

    /// `updated` + a new offer, or `updating` while an earlier offer is unanswered.
    mutating func sendUpdatedOffer(handleID: UInt64, transaction: String?) {
        guard var subscriber = subscribers[handleID] else { return }
        if subscriber.awaitingAnswer {
            subscriber.needsOffer = true
            subscribers[handleID] = subscriber
            // Requests hear `updating`; automatic updates (a publisher left) wait silently, as in Janus.
            if let transaction {
                push(handleID, transaction: transaction, .updating(room: roomID))
            }
            return
        }
        let offer = makeOffer(&subscriber)
        subscribers[handleID] = subscriber
        push(handleID, transaction: transaction,
             .updated(room: roomID, streams: streamsArray(subscriber)),
             jsep: offer)
    }

    private mutating func processAnswer(_ subscriber: inout Subscriber, jsep: JSEP) throws(VideoRoomError) {
        guard let offer = subscriber.lastOffer, subscriber.awaitingAnswer else {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Unexpected answer (no offer pending)")
        }
        let answer: SessionDescription
        let result: NegotiationResult
        do {
            answer = try SessionDescription.parse(jsep.sdp)
            result = try SDPNegotiator.processAnswer(answer, to: offer)
        } catch {
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing answer: \(error)")
        }
        guard let setup = TransportSetup(negotiation: result) else {
            throw VideoRoomError(VideoRoomError.invalidSDP, "Error parsing answer: bad ICE credentials or fingerprint")
        }
        var answered: [String: ServerCodec] = [:]
        for negotiated in result.media where !negotiated.rejected && negotiated.direction.sends {
            answered[negotiated.mid] = subscriber.offeredCodecs[negotiated.mid]
        }
        subscriber.answeredCodecs = answered
        subscriber.awaitingAnswer = false
        // The first answer starts the PeerConnection; later ones renegotiate it.
        if !subscriber.started {
            command(.start(subscriber.allocation, setup, handle: subscriber.handleID, generation: subscriber.generation))
            subscriber.started = true
            if bitrateCap(of: subscriber) > 0 { applyBitrateCap(subscriber) }
        } else {
            command(.update(subscriber.allocation, setup))
        }
    }

    /// The most a subscriber receives (bits/s, 0: no cap): its own `max_bitrate`, else the
    /// room's `subscriber_max_bitrate`.
    func bitrateCap(of subscriber: Subscriber) -> Int {
        subscriber.maximumBitrate ?? Int(settings.subscriberMaxBitrate)
    }

    /// Tells the media plane the subscriber's cap (once its transport runs; `start` sends it then).
    mutating func applyBitrateCap(_ subscriber: Subscriber) {
        guard subscriber.started else { return }
        command(.limit(subscriber.allocation, maximumBitrate: bitrateCap(of: subscriber)))
    }

    /// A PLI to every source of the subscription so that decoding starts promptly.
    mutating func requestKeyframes(subscriber: Subscriber) {
        for stream in subscriber.streams where stream.kind == .video && stream.active {
            guard let feed = stream.feedID, let publisherMedia = participants[feed]?.media else { continue }
            command(.keyframe(publisherMedia.allocation, mid: stream.feedMid))
        }
    }

    /// Subscriber `configure`: per-stream `send` and simulcast `substream`/`temporal`/`fallback`
    /// (a mid-less item applies to every m-line: legacy top-level fields), and the `max_bitrate`
    /// extension; the SVC layers are validated and accepted, not acted on yet.
    private mutating func configureSubscription(
        _ subscriber: inout Subscriber, _ configure: SubscriberConfigure
    ) throws(VideoRoomError) {
        var streams = subscriber.streams
        for item in configure.items {
            if let mid = item.mid {
                guard let index = streams.firstIndex(where: { $0.mid == mid }) else {
                    throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(mid)' in subscription")
                }
                if let send = item.send { streams[index].send = send }
                streams[index].apply(item.layers)
            } else {
                for index in streams.indices {
                    if let send = item.send { streams[index].send = send }
                    if streams[index].kind == .video { streams[index].apply(item.layers) }
                }
            }
        }
        subscriber.streams = streams
        if let cap = configure.maximumBitrate {
            subscriber.maximumBitrate = cap
            applyBitrateCap(subscriber)
        }
    }

    /// `switch`: re-point m-lines to other sources with the same codec, no renegotiation.
    private mutating func switchStreams(
        handleID: UInt64, transaction: String, _ switches: [StreamSwitch]
    ) throws(VideoRoomError) {
        let room = self
        guard var subscriber = room.subscribers[handleID] else { return }
        var changes = 0
        var needsOffer = false
        for change in switches {
            let index = try switchTarget(change, subscriber: subscriber, room: room)
            guard let index else { continue }
            if !subscriber.streams[index].active { needsOffer = true }
            subscriber.streams[index].feedID = change.feed
            subscriber.streams[index].feedMid = change.mid
            changes += 1
        }
        subscribers[handleID] = subscriber
        bind(handleID: handleID)
        requestKeyframes(subscriber: subscriber)
        push(handleID, transaction: transaction,
             .switched(room: roomID, changes: changes, streams: streamsArray(subscriber)))
        // An inactive m-line brought back needs its direction renegotiated.
        if needsOffer { sendUpdatedOffer(handleID: handleID, transaction: nil) }
    }

    /// The m-line one `switch` entry re-points (428 when a name is unknown); nil: skipped
    /// (another codec, or already that source).
    private mutating func switchTarget(
        _ change: StreamSwitch, subscriber: Subscriber, room: Room
    ) throws(VideoRoomError) -> Int? {
        guard let index = subscriber.streams.firstIndex(where: { $0.mid == change.subscriptionMid }) else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(change.subscriptionMid)' in subscription")
        }
        guard let publisher = room.participants[change.feed], publisher.isActivePublisher,
            let publisherMedia = publisher.media
        else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such feed (\(change.feed))")
        }
        guard let source = publisherMedia.stream(mid: change.mid), source.subscribable else {
            throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(change.mid)' in feed (\(change.feed))")
        }
        // Janus skips entries whose codec differs: the m-line's payload type cannot change here.
        let stream = subscriber.streams[index]
        guard source.kind == stream.kind, source.codec == stream.codec else { return nil }
        if stream.feedID == change.feed && stream.feedMid == change.mid { return nil }
        return index
    }

    // MARK: Ending

    /// `leave`, detach or room gone: close the PeerConnection and forget the subscription.
    mutating func removeSubscriber(
        handleID: UInt64, hangupReason: String?, leftEvent: (String, VideoRoomNotice)? = nil
    ) {
        guard let subscriber = subscribers[handleID] else { return }
        command(.close(subscriber.allocation))
        subscribers[handleID] = nil
        setRole(handleID, .gone)
        if let (transaction, data) = leftEvent { push(handleID, transaction: transaction, data) }
        if subscriber.started, let hangupReason { sendTo(subscriber.context, .hangup(reason: hangupReason)) }
    }

    /// `hangup` or a transport failure: the PeerConnection is gone but the subscription stays;
    /// a later `update` or `configure` offers again on a fresh transport.
    mutating func stopSubscriberTransport(handleID: UInt64, hangupReason: String) {
        guard var subscriber = subscribers[handleID], subscriber.started || subscriber.awaitingAnswer
        else { return }
        command(.close(subscriber.allocation))
        subscriber.allocation = allocator.allocateTransport(room: mediaKey)
        subscriber.generation = allocateGeneration()
        subscriber.started = false
        subscriber.awaitingAnswer = false
        subscriber.lastOffer = nil
        subscriber.answeredCodecs = [:]
        subscribers[handleID] = subscriber
        sendTo(subscriber.context, .hangup(reason: hangupReason))
    }
}
