/// The programmatic room API. Every call is a VideoRoom request sent through the server's own
/// Janus core (see `RoomControlClient`): the same code paths, checks and error codes as a Janus
/// client's request, with the configured `admin_key` and `api_secret` added. Errors throw
/// `SFUError.janus(code:reason:)` with Janus's code (426 no such room, 433 unauthorized, …).
/// Each call waits for the server to be running (see `waitUntilReady()`).
extension SFUServer {
    /// How long an asynchronous VideoRoom request may take to answer with its event.
    static let requestTimeout: Duration = .seconds(10)

    /// Any VideoRoom request body (`{"request": "…", …}`), answered with the plugin's `data`
    /// object. Reaches requests that have no typed wrapper yet (room-control requests among
    /// them). Nothing is added to the body: include `admin_key`/`secret` where needed.
    public func videoRoomRequest(_ body: JSONValue) async throws(SFUError) -> JSONValue {
        .object(try await runtime().control.request(body, timeout: Self.requestTimeout))
    }

    /// Creates a room; returns its id.
    @discardableResult
    public func createRoom(_ room: RoomOptions = RoomOptions()) async throws(SFUError) -> UInt64 {
        var body = room.createBody
        if let adminKey = options.adminKey, body["admin_key"] == nil { body["admin_key"] = .string(adminKey) }
        let data = try await send(body)
        guard let id = data["room"]?.uint64Value else { throw .janus(code: 499, reason: "No room id in the answer") }
        return id
    }

    /// Changes a room's settings (`edit`); `secret` is the room's current secret, if it has one.
    public func editRoom(_ id: UInt64, _ changes: RoomChanges, secret: String? = nil) async throws(SFUError) {
        var body = changes.editBody
        body["room"] = .uint(id)
        if let secret { body["secret"] = .string(secret) }
        _ = try await send(body)
    }

    /// Destroys a room: its participants are told and hung up (`destroy`).
    public func destroyRoom(_ id: UInt64, secret: String? = nil, permanent: Bool = false) async throws(SFUError) {
        var body: JSONObject = ["request": "destroy", "room": .uint(id)]
        if let secret { body["secret"] = .string(secret) }
        if permanent { body["permanent"] = true }
        _ = try await send(body)
    }

    /// Whether a room exists (`exists`).
    public func roomExists(_ id: UInt64) async throws(SFUError) -> Bool {
        try await send(["request": "exists", "room": .uint(id)])["exists"]?.boolValue ?? false
    }

    /// Every room, private ones included when the server has an admin key (`list`).
    public func listRooms() async throws(SFUError) -> [RoomInfo] {
        var body: JSONObject = ["request": "list"]
        if let adminKey = options.adminKey { body["admin_key"] = .string(adminKey) }
        let data = try await send(body)
        return (data["list"]?.arrayValue ?? []).compactMap(\.objectValue).map(RoomInfo.init)
    }

    /// The publisher-role participants of a room (`listparticipants`).
    public func listParticipants(room: UInt64) async throws(SFUError) -> [ParticipantInfo] {
        let data = try await send(["request": "listparticipants", "room": .uint(room)])
        return (data["participants"]?.arrayValue ?? []).compactMap(\.objectValue).map(ParticipantInfo.init)
    }

    /// Removes a participant from a room (`kick`): it gets `leaving: "ok", reason: "kicked"` and
    /// its PeerConnection is hung up; the others get `kicked`.
    public func kick(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        var body: JSONObject = ["request": "kick", "room": .uint(room), "id": .uint(participant)]
        if let secret { body["secret"] = .string(secret) }
        _ = try await send(body)
    }

    /// Mutes or unmutes one published stream of a participant for everyone (`moderate`).
    public func moderate(
        participant: UInt64, room: UInt64, mid: String, mute: Bool, secret: String? = nil
    ) async throws(SFUError) {
        var body: JSONObject = [
            "request": "moderate", "room": .uint(room), "id": .uint(participant), "mid": .string(mid),
            "mute": .bool(mute),
        ]
        if let secret { body["secret"] = .string(secret) }
        _ = try await send(body)
    }

    /// Changes a room's join-token list (`allowed`): `action` is enable, disable, add or remove.
    @discardableResult
    public func setAllowedTokens(
        room: UInt64, action: String, tokens: [String] = [], secret: String? = nil
    ) async throws(SFUError) -> [String] {
        var body: JSONObject = ["request": "allowed", "room": .uint(room), "action": .string(action)]
        if !tokens.isEmpty { body["allowed"] = .array(tokens.map { .string($0) }) }
        if let secret { body["secret"] = .string(secret) }
        let data = try await send(body)
        return (data["allowed"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// A typed wrapper's way to the plugin: the body as an object, the answer as an object.
    /// Room-control requests (raise_hand, admit, …) get their wrappers by calling this.
    func send(_ body: JSONObject) async throws(SFUError) -> JSONObject {
        try await runtime().control.request(.object(body), timeout: Self.requestTimeout)
    }
}

extension SFUServer {
    /// Serves one Janus REST request handed over by the embedder's own HTTP server, exactly as
    /// the built-in listener would (which can then be off: `options.http = nil`), long polls
    /// included (`GET <basePath>/<session>` suspends up to `limits.longPollHold`; cancel the
    /// task to end it early). Waits for the server to be running; a stopped server answers 503.
    public func respond(to request: JanusHTTPRequest) async -> JanusHTTPResponse {
        guard let runtime = try? await runtime() else {
            return JanusHTTPResponse(status: 503, headers: [], body: [])
        }
        return await runtime.api.respond(to: request)
    }
}
