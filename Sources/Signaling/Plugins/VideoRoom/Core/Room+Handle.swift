import RTP
import SFUBase
import SFUMedia
import VideoRoomControl

/// Who sent a room its input: the handle, its context (to reach it), the request's transaction
/// (empty for what is no request: a transport event, a detach).
struct RoomCaller: Sendable {
    var handleID: UInt64
    var context: PluginHandleContext
    var transaction: String
}

/// A publisher-role participant's request, decoded at the edge. Payloads whose errors Janus
/// reports only after its state checks (already published, jsep missing, …) carry the
/// decoding's `Result`, read at that point.
enum PublisherRequest: Sendable {
    case publish(Result<PublisherConfigure, VideoRoomError>)
    case configure(Result<PublisherConfigure, VideoRoomError>)
    case unpublish
    case leave
    /// Another participant request (a subscriber's): 423.
    case other(VideoRoomRequestName)
}

/// A subscriber handle's request, decoded at the edge (see `PublisherRequest`).
enum SubscriberRequest: Sendable {
    case start
    case pause
    case configure(Result<SubscriberConfigure, VideoRoomError>)
    /// `subscribe`, `unsubscribe` or `update`.
    case change(VideoRoomRequestName, Result<SubscriptionChange, VideoRoomError>)
    case `switch`(Result<[StreamSwitch], VideoRoomError>)
    case leave
    case other(VideoRoomRequestName)

    var name: VideoRoomRequestName {
        switch self {
        case .start: .start
        case .pause: .pause
        case .configure: .configure
        case .change(let name, _): name
        case .switch: .switch
        case .leave: .leave
        case .other(let name): name
        }
    }
}

/// One input to a room.
enum RoomInput: Sendable {
    /// A publisher-role `join` (into the lobby when the room has a waiting room and the joiner
    /// is no moderator: `lobby`).
    case joinPublisher(PublisherJoin, jsep: JSEP?, lobby: Bool)
    case joinSubscriber(SubscriberJoin)
    case publisher(PublisherRequest, participant: VideoRoomID, jsep: JSEP?)
    case subscriber(SubscriberRequest, jsep: JSEP?)
    /// A waiting joiner's `leave`.
    case leaveLobby
    /// The caller's handle went away (detach) while it was a participant, subscriber or waiting.
    case detach(HandleRole)
    /// The core hung the caller's PeerConnection up.
    case hangup(HandleRole, reason: String)
    /// An event of the caller's PeerConnection `generation`.
    case transport(TransportEvent, role: HandleRole, generation: UInt64)
    /// A timer the room set (no caller).
    case timer(RoomTimer)
}

extension Room {
    /// Handles one input from `caller` at `now`: the request's error, if any, and the effects
    /// to carry out, in order (a request's answers are among the effects). Effects produced
    /// before an error still stand (a `join` whose offer fails leaves the participant joined,
    /// as in Janus).
    mutating func handle(
        _ input: RoomInput, from caller: RoomCaller?, at now: MonotonicInstant, using allocator: any TransportAllocator
    ) -> (Result<Void, VideoRoomError>, [RoomEffect]) {
        run(at: now, using: allocator) { (room: inout Room) throws(VideoRoomError) in
            try room.apply(input, from: caller)
        }
    }

    private mutating func apply(_ input: RoomInput, from caller: RoomCaller?) throws(VideoRoomError) {
        if case .timer(let timer) = input {
            switch timer {
            case .lobbyExpiry: expireLobby()
            case .keyframeRetry(let handleID, let generation): retryKeyframes(handleID: handleID, generation: generation)
            }
            return
        }
        guard let caller else { return }
        switch input {
        case .joinPublisher(let join, let jsep, let lobby):
            if lobby {
                try joinLobby(join, caller: caller, jsep: jsep)
                return
            }
            defer {
                if let id = participants.values.first(where: { $0.handleID == caller.handleID })?.id {
                    roomControlJoined(id: id, join)
                }
            }
            try joinPublisher(join, caller: caller, jsep: jsep)
        case .joinSubscriber(let join):
            try joinSubscriber(join, caller: caller)
        case .publisher(let request, let id, let jsep):
            try publisherRequest(request, id: id, transaction: caller.transaction, jsep: jsep)
        case .subscriber(let request, let jsep):
            try subscriberRequest(request, handleID: caller.handleID, transaction: caller.transaction, jsep: jsep)
        case .leaveLobby:
            leaveFromLobby(handleID: caller.handleID, transaction: caller.transaction)
        case .detach(let role):
            detach(caller.handleID, role: role)
        case .hangup(let role, let reason):
            hangup(caller.handleID, role: role, reason: reason)
        case .transport(let event, let role, let generation):
            transportEvent(event, role: role, handleID: caller.handleID, generation: generation)
        case .timer:
            break
        }
    }

    /// A room-management request about this room (see `manage`).
    mutating func handle(
        _ request: RoomRequest, hasStore: Bool, at now: MonotonicInstant, using allocator: any TransportAllocator
    ) -> (Result<RoomReply, VideoRoomError>, [RoomEffect]) {
        run(at: now, using: allocator) { (room: inout Room) throws(VideoRoomError) -> RoomReply in
            try room.manage(request, hasStore: hasStore)
        }
    }

    /// A room-control request from a member or the host.
    mutating func handle(
        _ command: RoomControlCommand, by actor: RoomControlActor, at now: MonotonicInstant,
        using allocator: any TransportAllocator
    ) -> (Result<RoomControlReply, VideoRoomError>, [RoomEffect]) {
        run(at: now, using: allocator) { (room: inout Room) throws(VideoRoomError) -> RoomControlReply in
            try room.performRoomControl(command, by: actor)
        }
    }

    private mutating func detach(_ handleID: UInt64, role: HandleRole) {
        switch role {
        case .waiting:
            leaveLobby(handleID: handleID)
        case .publisher(_, let id):
            leavePublisher(id: id, notifySelf: false, transaction: nil)
        case .subscriber:
            removeSubscriber(handleID: handleID, hangupReason: nil)
        default:
            break
        }
    }

    private mutating func hangup(_ handleID: UInt64, role: HandleRole, reason: String) {
        switch role {
        case .publisher(_, let id):
            if participants[id]?.media != nil { unpublish(id: id, selfEvent: nil, hangupReason: reason) }
        case .subscriber:
            stopSubscriberTransport(handleID: handleID, hangupReason: reason)
        default:
            break
        }
    }
}
