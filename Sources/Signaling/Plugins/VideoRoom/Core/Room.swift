import RTP
import SFUBase
import SFUMedia
import VideoRoomControl

/// One VideoRoom room as a state machine: its settings, participants, subscribers, lobby and
/// room-control machine. `handle(_:from:at:using:)` (`Room+Handle`) takes one input — a
/// request, a transport event, a timer — and returns the reply and the effects to carry out;
/// the room does no IO (transports are allocated through the `TransportAllocator` it is lent).
/// Owned by `VideoRoomRegistry`, which routes to it and performs its effects.
struct Room: Sendable {
    var settings: VideoRoomSettings
    var permanent: Bool
    /// Publisher-role participants by participant id.
    var participants: [VideoRoomID: Participant] = [:]
    /// Subscribers by handle id.
    var subscribers: [UInt64: Subscriber] = [:]
    /// Roles, lobby, hands and moderator mutes (the room-control extension).
    var control: RoomControl
    /// Joiners waiting in the lobby, by handle id.
    var lobby: [UInt64: WaitingJoin] = [:]
    /// Tags each PeerConnection's events so that a late event of a replaced one is dropped.
    private var nextGeneration: UInt64 = 1

    /// The effects of the input being handled (drained by `handle`).
    var effects: [RoomEffect] = []
    /// The time of the input being handled.
    var now = MonotonicInstant(nanoseconds: 0)
    /// The media plane's allocator, lent for the input being handled.
    private var lentAllocator: (any TransportAllocator)?

    init(settings: VideoRoomSettings, permanent: Bool) {
        self.settings = settings
        self.permanent = permanent
        control = RoomControl(configuration: settings.roomControlConfiguration)
    }

    var id: VideoRoomID { settings.id }
    /// `id`, for the functions whose `id` is a participant's.
    var roomID: VideoRoomID { settings.id }
    /// The media plane's placement key (`RoomKey`) of this room.
    var mediaKey: RoomKey {
        switch id {
        case .number(let value): return RoomKey(value)
        case .string(let text):
            // FNV-1a: a stable key for a string id.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return RoomKey(hash)
        }
    }

    var activePublisherCount: Int { participants.values.filter { $0.media != nil }.count }

    /// Runs `body` as the handling of one input at `now`, with the allocator; returns its
    /// result and the effects it produced, in order.
    mutating func run<T>(
        at now: MonotonicInstant, using allocator: any TransportAllocator,
        _ body: (inout Room) throws(VideoRoomError) -> T
    ) -> (Result<T, VideoRoomError>, [RoomEffect]) {
        self.now = now
        lentAllocator = allocator
        defer { lentAllocator = nil }
        let result: Result<T, VideoRoomError>
        do throws(VideoRoomError) {
            result = .success(try body(&self))
        } catch {
            result = .failure(error)
        }
        let produced = effects
        effects = []
        return (result, produced)
    }

    var allocator: any TransportAllocator {
        guard let lentAllocator else { preconditionFailure("a room allocates only while handling an input") }
        return lentAllocator
    }

    mutating func allocateGeneration() -> UInt64 {
        defer { nextGeneration += 1 }
        return nextGeneration
    }

    // MARK: Effects

    /// A notice to the handle the registry knows by `handleID`.
    mutating func push(_ handleID: UInt64, transaction: String? = nil, _ notice: VideoRoomNotice, jsep: JSEP? = nil) {
        effects.append(.toHandle(handleID, .event(transaction: transaction, data: notice.json, jsep: jsep)))
    }

    /// A plugin event to a handle the room holds.
    mutating func sendTo(_ context: PluginHandleContext, _ event: PluginEvent) {
        effects.append(.toContext(context, event))
    }

    mutating func send(_ context: PluginHandleContext, _ notice: VideoRoomNotice, transaction: String? = nil) {
        sendTo(context, .event(transaction: transaction, data: notice.json, jsep: nil))
    }

    /// Sends `notice` to every publisher-role participant except `excluding`.
    mutating func notifyParticipants(_ notice: VideoRoomNotice, excluding: VideoRoomID? = nil) {
        let event = PluginEvent.event(transaction: nil, data: notice.json, jsep: nil)
        for participant in participants.values where participant.id != excluding {
            effects.append(.toContext(participant.context, event))
        }
    }

    mutating func command(_ command: MediaCommand) { effects.append(.media(command)) }

    mutating func setRole(_ handleID: UInt64, _ role: HandleRole?) { effects.append(.role(handle: handleID, role)) }

    mutating func persist() { effects.append(.persist) }

    func local(_ allocation: TransportAllocation) -> LocalTransportParameters {
        LocalTransportParameters(
            iceUfrag: allocation.localCredentials.ufrag, icePwd: allocation.localCredentials.pwd,
            fingerprint: allocator.fingerprint.sdpValue, candidates: allocation.candidates)
    }
}
