import SFUMedia

/// Subscriber handles (janus-api.md §8.7): the server offers, the peer answers with `start`.
extension VideoRoomRegistry {
    func joinSubscriber(_ join: SubscriberJoin, handleID: UInt64, transaction: String) throws(VideoRoomError) {
        let roomID = join.room
        let room = try existingRoom(roomID)
        guard let context = contexts[handleID] else { throw .noSuchRoom(roomID) }
        // Janus checks the room pin for subscribers too.
        try join.pin.check(room.settings.pin, wrong: .wrongPin)
        // A waiting-room room always wants proof of admission: a lobby member has no private_id.
        if room.settings.requirePvtID || room.settings.waitingRoom {
            guard let privateID = join.privateID, room.participants.values.contains(where: { $0.privateID == privateID })
            else {
                throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (this room requires a valid private_id)")
            }
        }
        let allocation = media.allocateTransport(room: RoomKey(roomID))
        var subscriber = Subscriber(
            handleID: handleID, context: context, privateID: join.privateID, allocation: allocation,
            generation: allocateGeneration())
        do {
            try addStreams(&subscriber, selectors: join.selectors, room: room)
        } catch {
            media.closeTransport(allocation)
            throw error
        }
        if join.selectors.isEmpty || !subscriber.streams.contains(where: \.active) {
            media.closeTransport(allocation)
            throw VideoRoomError(VideoRoomError.invalidSDP, "Can't offer an SDP with no stream")
        }
        let offer = makeOffer(&subscriber, room: roomID)
        rooms[roomID]?.subscribers[handleID] = subscriber
        roles[handleID] = .subscriber(room: roomID)
        let legacyFeed = join.legacyFeed.flatMap { id in room.participants[id].map { (id, $0.display) } }
        push(handleID, transaction: transaction,
             .attached(room: roomID, streams: streamsArray(subscriber, room: roomID), legacyFeed: legacyFeed), jsep: offer)
    }

    // MARK: Requests on a subscriber handle

    func subscriberRequest(
        _ name: VideoRoomRequestName, room roomID: UInt64, handleID: UInt64, transaction: String,
        fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        guard var subscriber = rooms[roomID]?.subscribers[handleID], let room = rooms[roomID] else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid subscriber instance")
        }
        if let jsep, jsep.type == .offer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Only publishers send offers")
        }
        if jsep != nil && name != .start {
            throw VideoRoomError(
                VideoRoomError.invalidSDPType, "Unexpected answer in '\(name.rawValue)' (answer with start)")
        }
        switch name {
        case .start:
            try start(&subscriber, room: roomID, transaction: transaction, answer: jsep)
        case .pause:
            subscriber.paused = true
            rooms[roomID]?.subscribers[handleID] = subscriber
            bind(room: roomID, handleID: handleID)
            push(handleID, transaction: transaction, .paused(room: roomID))
        case .configure:
            try configureSubscription(&subscriber, SubscriberConfigure(fields))
            rooms[roomID]?.subscribers[handleID] = subscriber
            bind(room: roomID, handleID: handleID)
            push(handleID, transaction: transaction, .configured(room: roomID, nil))
        case .subscribe, .unsubscribe, .update:
            let change = try SubscriptionChange(name, fields)
            try updateSubscription(&subscriber, change, room: room, transaction: transaction)
        case .switch:
            try switchStreams(room: roomID, handleID: handleID, transaction: transaction, StreamSwitch.list(fields))
        case .leave:
            removeSubscriber(room: roomID, handleID: handleID, hangupReason: "Close PC",
                             leftEvent: (transaction, .left(room: roomID)))
        default:
            throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(name.rawValue)'")
        }
    }

    /// `start`: the answer (if any) is processed, forwarding resumes, a pending change is offered.
    private func start(
        _ subscriber: inout Subscriber, room roomID: UInt64, transaction: String, answer jsep: JSEP?
    ) throws(VideoRoomError) {
        // Before the first answer the transport is not up: keyframes then wait for `connected`.
        let wasRunning = subscriber.started
        if let jsep { try processAnswer(&subscriber, jsep: jsep) }
        subscriber.paused = false
        let handleID = subscriber.handleID
        rooms[roomID]?.subscribers[handleID] = subscriber
        bind(room: roomID, handleID: handleID)
        if wasRunning { requestKeyframes(room: roomID, subscriber: subscriber) }
        push(handleID, transaction: transaction, .started(room: roomID))
        if subscriber.needsOffer { sendUpdatedOffer(room: roomID, handleID: handleID, transaction: nil) }
    }

    /// `subscribe`/`unsubscribe`/`update`: `updated` with a new offer, or alone if nothing changed.
    private func updateSubscription(
        _ subscriber: inout Subscriber, _ change: SubscriptionChange, room: Room, transaction: String
    ) throws(VideoRoomError) {
        let roomID = room.settings.room
        let handleID = subscriber.handleID
        let before = subscriber.streams.map { "\($0.mid)|\($0.feedID ?? 0)|\($0.feedMid ?? "")" }
        try removeStreams(&subscriber, change.unsubscribe)
        try addStreams(&subscriber, selectors: change.subscribe, room: room)
        let after = subscriber.streams.map { "\($0.mid)|\($0.feedID ?? 0)|\($0.feedMid ?? "")" }
        rooms[roomID]?.subscribers[handleID] = subscriber
        guard before != after else {
            push(handleID, transaction: transaction, .updated(room: roomID, streams: nil))
            return
        }
        // Unbind removed streams at once; new ones are bound after the answer.
        bind(room: roomID, handleID: handleID)
        sendUpdatedOffer(room: roomID, handleID: handleID, transaction: transaction)
    }

    /// `unsubscribe` selectors: `feed`, `feed`+`mid`, or `sub_mid`. The m-lines stay (inactive).
    private func removeStreams(_ subscriber: inout Subscriber, _ selectors: [Unsubscription]) throws(VideoRoomError) {
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
    func sendUpdatedOffer(room roomID: UInt64, handleID: UInt64, transaction: String?) {
        guard var subscriber = rooms[roomID]?.subscribers[handleID] else { return }
        if subscriber.awaitingAnswer {
            subscriber.needsOffer = true
            rooms[roomID]?.subscribers[handleID] = subscriber
            // Requests hear `updating`; automatic updates (a publisher left) wait silently, as in Janus.
            if let transaction {
                push(handleID, transaction: transaction, .updating(room: roomID))
            }
            return
        }
        let offer = makeOffer(&subscriber, room: roomID)
        rooms[roomID]?.subscribers[handleID] = subscriber
        push(handleID, transaction: transaction,
             .updated(room: roomID, streams: streamsArray(subscriber, room: roomID)),
             jsep: offer)
    }

    private func processAnswer(_ subscriber: inout Subscriber, jsep: JSEP) throws(VideoRoomError) {
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
        guard let setup = TransportSetup(negotiation: result, behaviour: .subscriber) else {
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
            media.startTransport(
                subscriber.allocation, setup: setup,
                events: eventSink(handleID: subscriber.handleID, generation: subscriber.generation))
            subscriber.started = true
        } else if let renegotiation = media as? any RoomMediaRenegotiation {
            renegotiation.updateTransport(subscriber.allocation, setup: setup)
        }
    }

    /// A PLI to every source of the subscription so that decoding starts promptly.
    func requestKeyframes(room roomID: UInt64, subscriber: Subscriber) {
        guard let participants = rooms[roomID]?.participants else { return }
        for stream in subscriber.streams where stream.kind == .video && stream.active {
            guard let feed = stream.feedID, let publisherMedia = participants[feed]?.media else { continue }
            media.requestKeyframe(publisher: publisherMedia.allocation, mid: stream.feedMid)
        }
    }

    /// Subscriber `configure`: per-stream `send`; layer choices are validated and accepted.
    private func configureSubscription(
        _ subscriber: inout Subscriber, _ configure: SubscriberConfigure
    ) throws(VideoRoomError) {
        for item in configure.items {
            if let mid = item.mid {
                guard let index = subscriber.streams.firstIndex(where: { $0.mid == mid }) else {
                    throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(mid)' in subscription")
                }
                if let send = item.send { subscriber.streams[index].send = send }
            } else if let send = item.send {
                for index in subscriber.streams.indices { subscriber.streams[index].send = send }
            }
        }
    }

    /// `switch`: re-point m-lines to other sources with the same codec, no renegotiation.
    private func switchStreams(
        room roomID: UInt64, handleID: UInt64, transaction: String, _ switches: [StreamSwitch]
    ) throws(VideoRoomError) {
        guard let room = rooms[roomID], var subscriber = room.subscribers[handleID] else { return }
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
        rooms[roomID]?.subscribers[handleID] = subscriber
        bind(room: roomID, handleID: handleID)
        requestKeyframes(room: roomID, subscriber: subscriber)
        push(handleID, transaction: transaction,
             .switched(room: roomID, changes: changes, streams: streamsArray(subscriber, room: roomID)))
        // An inactive m-line brought back needs its direction renegotiated.
        if needsOffer { sendUpdatedOffer(room: roomID, handleID: handleID, transaction: nil) }
    }

    /// The m-line one `switch` entry re-points (428 when a name is unknown); nil: skipped
    /// (another codec, or already that source).
    private func switchTarget(
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
    func removeSubscriber(
        room roomID: UInt64, handleID: UInt64, hangupReason: String?, leftEvent: (String, VideoRoomNotice)? = nil
    ) {
        guard let subscriber = rooms[roomID]?.subscribers[handleID] else { return }
        media.closeTransport(subscriber.allocation)
        rooms[roomID]?.subscribers[handleID] = nil
        roles[handleID] = .gone
        if let (transaction, data) = leftEvent { push(handleID, transaction: transaction, data) }
        if subscriber.started, let hangupReason { subscriber.context.push(.hangup(reason: hangupReason)) }
    }

    /// `hangup` or a transport failure: the PeerConnection is gone but the subscription stays;
    /// a later `update` or `configure` offers again on a fresh transport.
    func stopSubscriberTransport(room roomID: UInt64, handleID: UInt64, hangupReason: String) {
        guard var subscriber = rooms[roomID]?.subscribers[handleID], subscriber.started || subscriber.awaitingAnswer
        else { return }
        media.closeTransport(subscriber.allocation)
        subscriber.allocation = media.allocateTransport(room: RoomKey(roomID))
        subscriber.generation = allocateGeneration()
        subscriber.started = false
        subscriber.awaitingAnswer = false
        subscriber.lastOffer = nil
        subscriber.answeredCodecs = [:]
        rooms[roomID]?.subscribers[handleID] = subscriber
        subscriber.context.push(.hangup(reason: hangupReason))
    }
}
