import SFUMedia

/// Subscriber handles (janus-api.md §8.7): the server offers, the peer answers with `start`.
extension VideoRoomRegistry {
    /// One `{feed, mid?}` entry of `streams`/`subscribe`.
    struct FeedSelector {
        var feed: UInt64
        var mid: String?
        var crossrefID: String?
        /// Kinds the deprecated `feed` form switched off (`offer_audio`/`offer_video`/`offer_data`).
        var skippedKinds: Set<MediaKind> = []
    }

    func joinSubscriber(
        handleID: UInt64, room roomID: UInt64, transaction: String, fields: VideoRoomFields
    ) throws(VideoRoomError) {
        guard let room = rooms[roomID], let context = contexts[handleID] else { throw .noSuchRoom(roomID) }
        // Janus checks the room pin for subscribers too.
        if let pin = room.settings.pin {
            guard let given = try fields.string("pin") else { throw .missing("pin") }
            guard given == pin else { throw .wrongPin }
        }
        let privateID = try fields.uint("private_id").map { UInt32(truncatingIfNeeded: $0) }
        // A waiting-room room always wants proof of admission: a lobby member has no private_id.
        if room.settings.requirePvtID || room.settings.waitingRoom {
            guard let privateID, room.participants.values.contains(where: { $0.privateID == privateID }) else {
                throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized (this room requires a valid private_id)")
            }
        }
        _ = try fields.bool("use_msid")
        _ = try fields.bool("autoupdate")
        let legacyFeed = try fields.uint("feed")
        var selectors: [FeedSelector]
        if let streams = try fields.array("streams") {
            selectors = try feedSelectors(streams, key: "streams")
        } else if let legacyFeed {
            // Janus 1.1.2 honours the deprecated offer_* switches only in this form.
            var skipped: Set<MediaKind> = []
            if try fields.bool("offer_audio") == false { skipped.insert(.audio) }
            if try fields.bool("offer_video") == false { skipped.insert(.video) }
            if try fields.bool("offer_data") == false { skipped.insert(.application) }
            selectors = [FeedSelector(feed: legacyFeed, skippedKinds: skipped)]
        } else {
            throw .missing("streams")
        }
        let allocation = media.allocateTransport(room: RoomKey(roomID))
        var subscriber = Subscriber(
            handleID: handleID, context: context, privateID: privateID, allocation: allocation,
            generation: allocateGeneration())
        do {
            try addStreams(&subscriber, selectors: selectors, room: room)
        } catch {
            media.closeTransport(allocation)
            throw error
        }
        if selectors.isEmpty || !subscriber.streams.contains(where: \.active) {
            media.closeTransport(allocation)
            throw VideoRoomError(VideoRoomError.invalidSDP, "Can't offer an SDP with no stream")
        }
        let offer = makeOffer(&subscriber, room: roomID)
        rooms[roomID]?.subscribers[handleID] = subscriber
        roles[handleID] = .subscriber(room: roomID)
        var event: JSONObject = [
            "videoroom": "attached", "room": .uint(roomID), "streams": streamsArray(subscriber, room: roomID),
        ]
        if fields.body["streams"] == nil, let legacyFeed, let publisher = room.participants[legacyFeed] {
            event["id"] = .uint(legacyFeed)
            if let display = publisher.display { event["display"] = .string(display) }
            event["warning"] = "deprecated_api"
        }
        push(handleID, transaction: transaction, event, jsep: offer)
    }

    func feedSelectors(_ items: [JSONValue], key: String) throws(VideoRoomError) -> [FeedSelector] {
        var out: [FeedSelector] = []
        for item in items {
            guard let object = item.objectValue else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element type (\(key) should be an array of objects)")
            }
            let fields = VideoRoomFields(object)
            out.append(FeedSelector(
                feed: try fields.requiredUInt("feed"), mid: try fields.string("mid"),
                crossrefID: try fields.string("crossrefid")))
        }
        return out
    }

    // MARK: Requests on a subscriber handle

    func subscriberRequest(
        _ request: String, room roomID: UInt64, handleID: UInt64, transaction: String, fields: VideoRoomFields,
        jsep: JSEP?
    ) throws(VideoRoomError) {
        guard var subscriber = rooms[roomID]?.subscribers[handleID], let room = rooms[roomID] else {
            throw VideoRoomError(VideoRoomError.unknown, "Invalid subscriber instance")
        }
        if let jsep, jsep.type == .offer {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Only publishers send offers")
        }
        if jsep != nil && request != "start" {
            throw VideoRoomError(VideoRoomError.invalidSDPType, "Unexpected answer in '\(request)' (answer with start)")
        }
        let done: JSONObject
        switch request {
        case "start":
            // Before the first answer the transport is not up: keyframes then wait for `connected`.
            let wasRunning = subscriber.started
            if let jsep {
                try processAnswer(&subscriber, jsep: jsep)
            }
            subscriber.paused = false
            rooms[roomID]?.subscribers[handleID] = subscriber
            bind(room: roomID, handleID: handleID)
            if wasRunning { requestKeyframes(room: roomID, subscriber: subscriber) }
            push(handleID, transaction: transaction, ["videoroom": "event", "room": .uint(roomID), "started": "ok"])
            if subscriber.needsOffer { sendUpdatedOffer(room: roomID, handleID: handleID, transaction: nil) }
            return
        case "pause":
            subscriber.paused = true
            done = ["videoroom": "event", "room": .uint(roomID), "paused": "ok"]
        case "configure":
            try configureSubscription(&subscriber, fields: fields)
            rooms[roomID]?.subscribers[handleID] = subscriber
            bind(room: roomID, handleID: handleID)
            push(handleID, transaction: transaction, ["videoroom": "event", "room": .uint(roomID), "configured": "ok"])
            return
        case "subscribe", "unsubscribe", "update":
            var subscribe: [FeedSelector] = []
            var unsubscribe: [JSONObject] = []
            if request == "update" {
                if let items = try fields.array("subscribe") {
                    guard !items.isEmpty else {
                        throw VideoRoomError(VideoRoomError.invalidElement, "Empty subscription list")
                    }
                    subscribe = try feedSelectors(items, key: "subscribe")
                }
                if let items = try fields.array("unsubscribe") {
                    guard !items.isEmpty else {
                        throw VideoRoomError(VideoRoomError.invalidElement, "Empty unsubscription list")
                    }
                    unsubscribe = try objects(items, key: "unsubscribe")
                }
            } else {
                guard let items = try fields.array("streams") else { throw .missing("streams") }
                guard !items.isEmpty else {
                    throw VideoRoomError(
                        VideoRoomError.invalidElement,
                        request == "subscribe" ? "Empty subscription list" : "Empty unsubscription list")
                }
                if request == "subscribe" {
                    subscribe = try feedSelectors(items, key: "streams")
                } else {
                    unsubscribe = try objects(items, key: "streams")
                }
            }
            let before = subscriber.streams.map { "\($0.mid)|\($0.feedID ?? 0)|\($0.feedMid ?? "")" }
            try removeStreams(&subscriber, selectors: unsubscribe)
            try addStreams(&subscriber, selectors: subscribe, room: room)
            let after = subscriber.streams.map { "\($0.mid)|\($0.feedID ?? 0)|\($0.feedMid ?? "")" }
            rooms[roomID]?.subscribers[handleID] = subscriber
            guard before != after else {
                push(handleID, transaction: transaction, ["videoroom": "updated", "room": .uint(roomID)])
                return
            }
            // Unbind removed streams at once; new ones are bound after the answer.
            bind(room: roomID, handleID: handleID)
            sendUpdatedOffer(room: roomID, handleID: handleID, transaction: transaction)
            return
        case "switch":
            try switchStreams(room: roomID, handleID: handleID, transaction: transaction, fields: fields)
            return
        case "leave":
            removeSubscriber(room: roomID, handleID: handleID, hangupReason: "Close PC",
                             leftEvent: (transaction, ["videoroom": "event", "room": .uint(roomID), "left": "ok"]))
            return
        default:
            throw VideoRoomError(VideoRoomError.invalidRequest, "Unknown request '\(request)'")
        }
        rooms[roomID]?.subscribers[handleID] = subscriber
        bind(room: roomID, handleID: handleID)
        push(handleID, transaction: transaction, done)
    }

    private func objects(_ items: [JSONValue], key: String) throws(VideoRoomError) -> [JSONObject] {
        var out: [JSONObject] = []
        for item in items {
            guard let object = item.objectValue else {
                throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element type (\(key) should be an array of objects)")
            }
            out.append(object)
        }
        return out
    }

    /// `unsubscribe` selectors: `feed`, `feed`+`mid`, or `sub_mid`. The m-lines stay (inactive).
    private func removeStreams(_ subscriber: inout Subscriber, selectors: [JSONObject]) throws(VideoRoomError) {
        var targets: [Int] = []
        for object in selectors {
            let fields = VideoRoomFields(object)
            let feed = try fields.uint("feed")
            let mid = try fields.string("mid")
            let subMid = try fields.string("sub_mid")
            if let subMid {
                guard let index = subscriber.streams.firstIndex(where: { $0.mid == subMid }) else {
                    throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(subMid)' in subscription")
                }
                targets.append(index)
            } else if let feed {
                targets += subscriber.streams.indices.filter {
                    subscriber.streams[$0].feedID == feed && (mid == nil || subscriber.streams[$0].feedMid == mid)
                }
            } else {
                throw .missing("feed")
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
                push(handleID, transaction: transaction, ["videoroom": "updating", "room": .uint(roomID)])
            }
            return
        }
        let offer = makeOffer(&subscriber, room: roomID)
        rooms[roomID]?.subscribers[handleID] = subscriber
        push(handleID, transaction: transaction,
             ["videoroom": "updated", "room": .uint(roomID), "streams": streamsArray(subscriber, room: roomID)],
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
    private func configureSubscription(_ subscriber: inout Subscriber, fields: VideoRoomFields) throws(VideoRoomError) {
        var items: [JSONObject] = []
        if let streams = try fields.array("streams") {
            items = try objects(streams, key: "streams")
        } else if fields.has("mid") || fields.has("send") {
            items = [fields.body]
        }
        _ = try fields.bool("restart")
        for item in items {
            let itemFields = VideoRoomFields(item)
            for key in ["substream", "temporal", "spatial_layer", "temporal_layer"] {
                if let layer = try itemFields.uint(key), layer > 2 {
                    throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (\(key) should be 0, 1 or 2)")
                }
            }
            let send = try itemFields.bool("send")
            if let mid = try itemFields.string("mid") {
                guard let index = subscriber.streams.firstIndex(where: { $0.mid == mid }) else {
                    throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(mid)' in subscription")
                }
                if let send { subscriber.streams[index].send = send }
            } else if let send {
                for index in subscriber.streams.indices { subscriber.streams[index].send = send }
            }
        }
    }

    /// `switch`: re-point m-lines to other sources with the same codec, no renegotiation.
    private func switchStreams(
        room roomID: UInt64, handleID: UInt64, transaction: String, fields: VideoRoomFields
    ) throws(VideoRoomError) {
        guard let room = rooms[roomID], var subscriber = room.subscribers[handleID] else { return }
        guard let items = try fields.array("streams") else { throw .missing("streams") }
        guard !items.isEmpty else { throw VideoRoomError(VideoRoomError.invalidElement, "Empty switch list") }
        var changes = 0
        var needsOffer = false
        for object in try objects(items, key: "streams") {
            let itemFields = VideoRoomFields(object)
            let feed = try itemFields.requiredUInt("feed")
            let mid = try itemFields.requiredString("mid")
            let subMid = try itemFields.requiredString("sub_mid")
            guard let index = subscriber.streams.firstIndex(where: { $0.mid == subMid }) else {
                throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(subMid)' in subscription")
            }
            guard let publisher = room.participants[feed], publisher.isActivePublisher,
                let publisherMedia = publisher.media
            else {
                throw VideoRoomError(VideoRoomError.noSuchFeed, "No such feed (\(feed))")
            }
            guard let source = publisherMedia.stream(mid: mid), source.subscribable else {
                throw VideoRoomError(VideoRoomError.noSuchFeed, "No such mid '\(mid)' in feed (\(feed))")
            }
            // Janus skips entries whose codec differs: the m-line's payload type cannot change here.
            guard source.kind == subscriber.streams[index].kind, source.codec == subscriber.streams[index].codec else {
                continue
            }
            if subscriber.streams[index].feedID == feed && subscriber.streams[index].feedMid == mid { continue }
            if !subscriber.streams[index].active { needsOffer = true }
            subscriber.streams[index].feedID = feed
            subscriber.streams[index].feedMid = mid
            changes += 1
        }
        rooms[roomID]?.subscribers[handleID] = subscriber
        bind(room: roomID, handleID: handleID)
        requestKeyframes(room: roomID, subscriber: subscriber)
        push(handleID, transaction: transaction,
             ["videoroom": "event", "room": .uint(roomID), "switched": "ok", "changes": .int(Int64(changes)),
              "streams": streamsArray(subscriber, room: roomID)])
        // An inactive m-line brought back needs its direction renegotiated.
        if needsOffer { sendUpdatedOffer(room: roomID, handleID: handleID, transaction: nil) }
    }

    // MARK: Ending

    /// `leave`, detach or room gone: close the PeerConnection and forget the subscription.
    func removeSubscriber(
        room roomID: UInt64, handleID: UInt64, hangupReason: String?, leftEvent: (String, JSONObject)? = nil
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
