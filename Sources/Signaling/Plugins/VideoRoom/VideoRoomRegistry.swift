import Logging
import SFUMedia
import VideoRoomControl

/// All VideoRoom state: rooms, their participants and subscribers, and which handle is what.
///
/// One actor for every room rather than one per room: signalling runs at a few requests per
/// second per participant, and many requests span rooms (`create`, `list`, `exists`) or need
/// a consistent view of one room while fanning events out to all of its members (publisher
/// counts for 432, `destroy` notifying everyone first, a publisher leaving and every subscriber
/// being unbound). A single serial owner makes each request atomic without lock ordering or
/// cross-actor races; rooms stay isolated from each other because every request touches only
/// its own room's entry and media runs on the media plane's workers, not here.
///
/// Transport events come from media worker threads through an `AsyncStream` consumed by one
/// task, so they reach the actor in the order the worker produced them.
actor VideoRoomRegistry {
    static let package = "janus.plugin.videoroom"

    let media: any RoomMediaPlane
    let configuration: VideoRoomConfiguration
    let logger: Logger
    let store: VideoRoomStore?

    var rooms: [UInt64: Room] = [:]
    var roles: [UInt64: HandleRole] = [:]
    var contexts: [UInt64: PluginHandleContext] = [:]
    var nextGeneration: UInt64 = 1
    /// Handles whose participant waits in a room's lobby (room-control extension), by handle id.
    var waitingHandles: [UInt64: WaitingJoin] = [:]

    struct MediaEventEnvelope: Sendable {
        var handleID: UInt64
        var generation: UInt64
        var event: TransportEvent
    }

    let mediaEvents: AsyncStream<MediaEventEnvelope>.Continuation

    init(media: any RoomMediaPlane, configuration: VideoRoomConfiguration, logger: Logger) {
        self.media = media
        self.configuration = configuration
        self.logger = logger
        self.store = configuration.roomsFile.map { VideoRoomStore(path: $0) }
        for settings in configuration.rooms {
            rooms[settings.room] = Room(settings: settings, permanent: false)
        }
        if let store {
            do {
                for settings in try store.load() {
                    rooms[settings.room] = Room(settings: settings, permanent: true)
                }
            } catch {
                logger.error("videoroom: \(error)")
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: MediaEventEnvelope.self)
        self.mediaEvents = continuation
        Task { [weak self] in
            for await envelope in stream {
                guard let self else { return }
                await self.handleMediaEvent(envelope)
            }
        }
    }

    // MARK: Handles

    func attach(_ context: PluginHandleContext) {
        contexts[context.handleID] = context
        roles[context.handleID] = HandleRole.none
    }

    func detach(handleID: UInt64) {
        leaveLobby(handleID: handleID)
        switch roles[handleID] {
        case .publisher(let room, let id)?:
            leavePublisher(room: room, id: id, notifySelf: false, transaction: nil)
        case .subscriber(let room)?:
            removeSubscriber(room: room, handleID: handleID, hangupReason: nil)
        default:
            break
        }
        roles[handleID] = nil
        contexts[handleID] = nil
    }

    func hangup(handleID: UInt64, reason: String) {
        switch roles[handleID] {
        case .publisher(let room, let id)?:
            if rooms[room]?.participants[id]?.media != nil {
                unpublish(room: room, id: id, selfEvent: nil, hangupReason: reason)
            }
        case .subscriber(let room)?:
            stopSubscriberTransport(room: room, handleID: handleID, hangupReason: reason)
        default:
            break
        }
    }

    // MARK: Messages

    /// One `message`: the request name decides the route (the lobby, room control, room
    /// management, or the handle's role); each route decodes the body into its typed request.
    func handleMessage(handleID: UInt64, transaction: String, body: JSONObject, jsep: JSEP?) -> PluginMessageResult {
        let fields = VideoRoomFields(body)
        let name: VideoRoomRequestName
        do throws(VideoRoomError) {
            name = try VideoRoomRequestName(fields)
        } catch {
            return .success(error.data)
        }
        if let waiting = waitingHandles[handleID],
            let handled = lobbyMessage(name, waiting: waiting, transaction: transaction, fields: fields)
        {
            return handled
        }
        switch name.kind {
        case .roomControl:
            return .success(roomControlMessage(name, handleID: handleID, fields: fields))
        case .unsupported:
            // No plain-RTP forwarders, no recorder, no remote publishers (cascading) here.
            return .success(
                VideoRoomError(VideoRoomError.unknown, "Request '\(name.rawValue)' is not supported by swift-sfu").data)
        case .synchronous:
            do throws(VideoRoomError) {
                return .success(try perform(RoomRequest(name, fields)).json)
            } catch {
                return .success(error.data)
            }
        case .asynchronous:
            if name.isJoin, let handled = joinWaitingRoom(handleID: handleID, transaction: transaction, fields: fields, jsep: jsep) {
                return handled
            }
            do throws(VideoRoomError) {
                if roles[handleID] == .kicked {
                    throw VideoRoomError(VideoRoomError.unauthorized, "Unauthorized, you have been kicked")
                }
                try handleAsynchronous(name, handleID: handleID, transaction: transaction, fields: fields, jsep: jsep)
            } catch {
                push(handleID, transaction: transaction, .error(error))
            }
            return .ack(hint: nil)
        }
    }

    private func handleAsynchronous(
        _ name: VideoRoomRequestName, handleID: UInt64, transaction: String, fields: VideoRoomFields, jsep: JSEP?
    ) throws(VideoRoomError) {
        let role = roles[handleID] ?? HandleRole.none
        if name.isJoin {
            try join(handleID: handleID, transaction: transaction, fields: fields, jsep: jsep)
            return
        }
        switch role {
        case .none:
            throw VideoRoomError(VideoRoomError.joinFirst, "Invalid request on unconfigured participant")
        case .gone, .kicked:
            throw VideoRoomError(VideoRoomError.alreadyJoined, "Not in a room (create a new handle)")
        case .publisher(let room, let id):
            try publisherRequest(name, room: room, id: id, transaction: transaction, fields: fields, jsep: jsep)
        case .subscriber(let room):
            try subscriberRequest(
                name, room: room, handleID: handleID, transaction: transaction, fields: fields, jsep: jsep)
        }
    }

    // MARK: Output

    func push(_ handleID: UInt64, transaction: String? = nil, _ notice: VideoRoomNotice, jsep: JSEP? = nil) {
        contexts[handleID]?.send(notice, transaction: transaction, jsep: jsep)
    }

    /// Sends `notice` to every publisher-role participant of `room` except `excluding`.
    func notifyParticipants(room: UInt64, _ notice: VideoRoomNotice, excluding: UInt64? = nil) {
        guard let participants = rooms[room]?.participants.values else { return }
        let data = notice.json
        for participant in participants where participant.id != excluding {
            participant.context.push(.event(transaction: nil, data: data, jsep: nil))
        }
    }

    func allocateGeneration() -> UInt64 {
        defer { nextGeneration += 1 }
        return nextGeneration
    }

    /// A fresh 53-bit id (janus.js keeps ids as JS numbers).
    static func randomID() -> UInt64 { UInt64.random(in: 1...(1 << 53 - 1)) }

    /// The transport event callback for one handle's PeerConnection generation.
    func eventSink(handleID: UInt64, generation: UInt64) -> @Sendable (TransportEvent) -> Void {
        let continuation = mediaEvents
        return { event in
            continuation.yield(MediaEventEnvelope(handleID: handleID, generation: generation, event: event))
        }
    }

    func local(_ allocation: TransportAllocation) -> LocalTransportParameters {
        LocalTransportParameters(
            iceUfrag: allocation.localCredentials.ufrag, icePwd: allocation.localCredentials.pwd,
            fingerprint: media.fingerprint.sdpValue, candidates: allocation.candidates)
    }
}

extension JSONValue {
    static func uint(_ value: UInt64) -> JSONValue { .int(Int64(clamping: value)) }
}

extension PluginHandleContext {
    /// One VideoRoom event to this handle.
    func send(_ notice: VideoRoomNotice, transaction: String? = nil, jsep: JSEP? = nil) {
        push(.event(transaction: transaction, data: notice.json, jsep: jsep))
    }
}
