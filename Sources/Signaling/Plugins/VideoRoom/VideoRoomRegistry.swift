import Logging
import RTP
import SFUMedia
import VideoRoomControl

/// All VideoRoom rooms, and which handle is what: routes each request, transport event and
/// timer to its room (a `Room` state machine, `Core/`) and carries out the effects the room
/// returns (`+Effects`). Requests spanning rooms (`create`, `list`, `exists`) are its own.
///
/// One actor for every room rather than one per room: signalling runs at a few requests per
/// second per participant, and some requests span rooms. A single serial owner makes each
/// request atomic without lock ordering or cross-actor races; rooms stay isolated from each
/// other because every input touches only its own room and media runs on the media plane's
/// workers, not here.
///
/// Transport events come from media worker threads through an `AsyncStream` consumed by one
/// task, so they reach the actor in the order the worker produced them.
actor VideoRoomRegistry {
    static let package = "janus.plugin.videoroom"

    let media: any RoomMediaPlane
    let allocator: MediaPlaneAllocator
    let configuration: VideoRoomConfiguration
    let logger: Logger
    let store: VideoRoomStore?

    var rooms: [VideoRoomID: Room] = [:]
    var roles: [UInt64: HandleRole] = [:]
    var contexts: [UInt64: PluginHandleContext] = [:]

    struct MediaEventEnvelope: Sendable {
        var handleID: UInt64
        var generation: UInt64
        var event: TransportEvent
    }

    let mediaEvents: AsyncStream<MediaEventEnvelope>.Continuation

    init(media: any RoomMediaPlane, configuration: VideoRoomConfiguration, logger: Logger) {
        self.media = media
        allocator = MediaPlaneAllocator(media: media)
        self.configuration = configuration
        self.logger = logger
        self.store = configuration.roomsFile.map { VideoRoomStore(path: $0) }
        for settings in configuration.rooms {
            rooms[settings.id] = Room(settings: settings, permanent: false)
        }
        if let store {
            do {
                for settings in try store.load() {
                    rooms[settings.id] = Room(settings: settings, permanent: true)
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

    /// Handles waiting in lobbies, by handle id (every room's).
    var waitingHandles: [UInt64: WaitingJoin] {
        rooms.values.reduce(into: [:]) { all, room in all.merge(room.lobby) { first, _ in first } }
    }

    // MARK: Handles

    func attach(_ context: PluginHandleContext) {
        contexts[context.handleID] = context
        roles[context.handleID] = HandleRole.none
    }

    func detach(handleID: UInt64) {
        if let role = roles[handleID], let room = role.room {
            send(.detach(role), to: room, from: caller(handleID))
        }
        roles[handleID] = nil
        contexts[handleID] = nil
    }

    func hangup(handleID: UInt64, reason: String) {
        guard let role = roles[handleID], let room = role.room else { return }
        send(.hangup(role, reason: reason), to: room, from: caller(handleID))
    }

    private func handleMediaEvent(_ envelope: MediaEventEnvelope) {
        guard let role = roles[envelope.handleID], let room = role.room else { return }
        send(.transport(envelope.event, role: role, generation: envelope.generation), to: room,
             from: caller(envelope.handleID))
    }

    /// The handle as a room's caller, outside any request.
    func caller(_ handleID: UInt64, transaction: String = "") -> RoomCaller? {
        contexts[handleID].map { RoomCaller(handleID: handleID, context: $0, transaction: transaction) }
    }

    // MARK: Output

    func push(_ handleID: UInt64, transaction: String? = nil, _ notice: VideoRoomNotice, jsep: JSEP? = nil) {
        contexts[handleID]?.send(notice, transaction: transaction, jsep: jsep)
    }


    /// The transport event callback for one handle's PeerConnection generation.
    func eventSink(handleID: UInt64, generation: UInt64) -> @Sendable (TransportEvent) -> Void {
        let continuation = mediaEvents
        return { event in
            continuation.yield(MediaEventEnvelope(handleID: handleID, generation: generation, event: event))
        }
    }
}

extension VideoRoomID {
    /// A fresh random id below 2^53 (janus.js keeps ids as JS numbers).
    static func random() -> VideoRoomID { .number(UInt64.random(in: 1...(1 << 53 - 1))) }
}

extension HandleRole {
    /// The room a handle is in (or waits for).
    var room: VideoRoomID? {
        switch self {
        case .publisher(let room, _), .subscriber(let room), .waiting(let room): room
        case .none, .gone, .kicked: nil
        }
    }
}

extension JSONValue {
    static func uint(_ value: UInt64) -> JSONValue { .int(Int64(clamping: value)) }

    /// A room or participant id as Janus writes it: a number, or a string with `string_ids`.
    static func id(_ id: VideoRoomID) -> JSONValue {
        switch id {
        case .number(let value): .uint(value)
        case .string(let text): .string(text)
        }
    }
}

extension PluginHandleContext {
    /// One VideoRoom event to this handle.
    func send(_ notice: VideoRoomNotice, transaction: String? = nil, jsep: JSEP? = nil) {
        push(.event(transaction: transaction, data: notice.json, jsep: jsep))
    }
}
