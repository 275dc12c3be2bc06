import SFUMedia
import VideoRoomControl

/// Something that happened in a VideoRoom, as a typed value for an embedder (the Janus clients
/// get the same facts as JSON events). Produced by the room registry, handed to
/// `VideoRoomConfiguration.observer`.
public struct VideoRoomEvent: Sendable, Hashable {
    /// Which PeerConnection a media event is about.
    public enum Peer: Sendable, Hashable {
        /// A participant's publishing PeerConnection (or the participant itself).
        case publisher
        /// A subscriber handle's receiving PeerConnection.
        case subscriber
    }

    /// Why a participant is no longer in the room.
    public enum LeaveReason: Sendable, Hashable {
        /// It sent `leave`.
        case left
        /// A moderator (or the embedder) kicked it.
        case kicked
        /// Its handle went away (detach, session destroyed or timed out).
        case disconnected
        /// The room was destroyed.
        case roomDestroyed
    }

    /// One published m-line.
    public struct Stream: Sendable, Hashable {
        /// The m-line's mid in the publisher's SDP.
        public var mid: String
        /// Audio, video or data.
        public var kind: MediaKind
        /// Negotiated codec name (`opus`, `vp8`, …); nil when the m-line is disabled.
        public var codec: String?
        /// The publisher's description of the stream, if any.
        public var description: String?

        /// A stream with these values.
        public init(mid: String, kind: MediaKind, codec: String?, description: String?) {
            self.mid = mid
            self.kind = kind
            self.codec = codec
            self.description = description
        }
    }

    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// A room was created (API, Janus `create`).
        case roomCreated
        /// A room was destroyed; its participants got `participantLeft(.roomDestroyed)` first.
        case roomDestroyed
        /// A participant joined as publisher-role (`join` with `ptype: publisher`).
        case participantJoined
        /// A publisher-role participant is no longer in the room.
        case participantLeft(LeaveReason)
        /// The publisher's PeerConnection is up and its streams were announced to the room.
        case publishingStarted(streams: [Stream])
        /// The publisher stopped (unpublish, hangup, ICE/DTLS failure, leave, kick, room destroyed).
        case publishingStopped
        /// ICE and DTLS are up on a PeerConnection (Janus `webrtcup`).
        case webrtcUp
        /// The first packet of an m-line arrived (Janus `media` with `receiving: true`).
        case mediaUp(mid: String, kind: MediaKind)
        /// An m-line went silent (Janus `media` with `receiving: false`).
        case mediaDown(mid: String, kind: MediaKind)
        /// Many losses in the last second (Janus `slowlink`).
        case slowLink(mid: String, kind: MediaKind, uplink: Bool, lost: Int)
        /// Talking detection changed on a publisher audio m-line (rooms with `audiolevel_event`).
        case talking(mid: String, isTalking: Bool, level: Double)
        /// A subscriber m-line now forwards simulcast layer `substream` of its source (a manual
        /// choice, a fallback, or the bandwidth allocator's).
        case layerChanged(mid: String, substream: Int)
        /// A subscriber m-line now forwards VP8 temporal layers up to `temporal`.
        case temporalLayerChanged(mid: String, temporal: Int)
        /// A subscriber video m-line paused because not even its source's lowest layer fits the
        /// subscriber's bandwidth or cap (`paused` false: it fits again and resumed).
        case videoPaused(mid: String, paused: Bool)
        /// Room control: a joiner waits in the lobby (`participant`: the id it will have).
        case lobbyArrived
        /// Room control: a joiner left the lobby (admitted, rejected, timeout, left, closed).
        case lobbyLeft(LobbyDeparture)
        /// Room control: the hand queue changed (room-level), oldest raise first.
        case handsChanged([UInt64])
        /// Room control: what moderators (or the host) have muted of the participant now.
        case muted(audio: Bool, video: Bool)
        /// Room control: the participant's role now (also when one joins as a moderator).
        case roleChanged(RoomControlRole)
    }

    /// The room id.
    public var room: UInt64
    /// The publisher-role participant the event is about; nil for room-level events and for
    /// subscriber PeerConnections.
    public var participant: UInt64?
    /// That participant's display name, if it has one.
    public var display: String?
    /// The Janus handle id of the participant or subscriber; nil for room-level events.
    public var handle: UInt64?
    /// Publisher or subscriber side; nil for room-level events.
    public var peer: Peer?
    /// What happened.
    public var kind: Kind

    /// An event with these values (for tests and replays).
    public init(
        room: UInt64, participant: UInt64? = nil, display: String? = nil, handle: UInt64? = nil, peer: Peer? = nil,
        kind: Kind
    ) {
        self.room = room
        self.participant = participant
        self.display = display
        self.handle = handle
        self.peer = peer
        self.kind = kind
    }
}

/// Receives every `VideoRoomEvent`, synchronously on the room registry's executor: it must not
/// block or call back into the plugin (hand the event to a stream or queue and return).
public typealias VideoRoomEventObserver = @Sendable (VideoRoomEvent) -> Void

extension VideoRoomEvent.Kind {
    /// A stable snake_case name of the case (`participant_joined`, `media_up`, …), for logs and
    /// line protocols.
    public var name: String {
        switch self {
        case .roomCreated: "room_created"
        case .roomDestroyed: "room_destroyed"
        case .participantJoined: "participant_joined"
        case .participantLeft: "participant_left"
        case .publishingStarted: "publishing_started"
        case .publishingStopped: "publishing_stopped"
        case .webrtcUp: "webrtc_up"
        case .mediaUp: "media_up"
        case .mediaDown: "media_down"
        case .slowLink: "slow_link"
        case .talking(_, let isTalking, _): isTalking ? "talking" : "stopped_talking"
        case .layerChanged: "layer_changed"
        case .temporalLayerChanged: "temporal_layer_changed"
        case .videoPaused(_, let paused): paused ? "video_paused" : "video_resumed"
        case .lobbyArrived: "lobby_arrived"
        case .lobbyLeft: "lobby_left"
        case .handsChanged: "hands_changed"
        case .muted: "muted"
        case .roleChanged: "role_changed"
        }
    }
}

extension VideoRoomEvent {
    /// The event as one flat JSON object (`room`, `participant`, `display`, `handle`, `peer`,
    /// `event` and the case's own fields), for logs and line protocols.
    public var json: JSONValue {
        var object: JSONObject = ["room": .int(Int64(clamping: room)), "event": .string(kind.name)]
        if let participant { object["participant"] = .int(Int64(clamping: participant)) }
        if let display { object["display"] = .string(display) }
        if let handle { object["handle"] = .int(Int64(clamping: handle)) }
        if let peer { object["peer"] = peer == .publisher ? "publisher" : "subscriber" }
        switch kind {
        case .participantLeft(let reason):
            object["reason"] = .string("\(reason)")
        case .publishingStarted(let streams):
            object["streams"] = .array(streams.map { ["mid": .string($0.mid), "kind": .string("\($0.kind)")] })
        case .mediaUp(let mid, let media), .mediaDown(let mid, let media):
            object["mid"] = .string(mid)
            object["kind"] = .string("\(media)")
        case .slowLink(let mid, let media, let uplink, let lost):
            object["mid"] = .string(mid)
            object["kind"] = .string("\(media)")
            object["uplink"] = .bool(uplink)
            object["lost"] = .int(Int64(lost))
        case .talking(let mid, _, let level):
            object["mid"] = .string(mid)
            object["level"] = .double(level)
        case .layerChanged(let mid, let substream):
            object["mid"] = .string(mid)
            object["substream"] = .int(Int64(substream))
        case .temporalLayerChanged(let mid, let temporal):
            object["mid"] = .string(mid)
            object["temporal"] = .int(Int64(temporal))
        case .videoPaused(let mid, _):
            object["mid"] = .string(mid)
        case .lobbyLeft(let reason):
            object["reason"] = .string(reason.rawValue)
        case .handsChanged(let queue):
            object["hands"] = .array(queue.map { .int(Int64(clamping: $0)) })
        case .muted(let audio, let video):
            object["audio"] = .bool(audio)
            object["video"] = .bool(video)
        case .roleChanged(let role):
            object["role"] = .string(role.rawValue)
        case .roomCreated, .roomDestroyed, .participantJoined, .publishingStopped, .webrtcUp, .lobbyArrived:
            break
        }
        return .object(object)
    }
}

extension VideoRoomEvent {
    /// From the plugin's ids. The public fields are integers: swift-sfu decodes integer ids only
    /// (`string_ids` is not implemented), so every id has its `number`.
    init(
        roomID: VideoRoomID, participantID: VideoRoomID? = nil, display: String? = nil, handle: UInt64? = nil,
        peer: Peer? = nil, kind: Kind
    ) {
        self.init(
            room: roomID.number ?? 0, participant: participantID?.number, display: display, handle: handle, peer: peer,
            kind: kind)
    }
}
