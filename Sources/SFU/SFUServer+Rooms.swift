/// The programmatic room API. Every call is a typed VideoRoom request handed straight to the
/// plugin's room registry (no Janus session, no JSON): the same checks, effects, events and
/// error codes as a Janus client's request, with the configured `admin_key` added where Janus
/// wants it. Errors throw `SFUError.janus(code:reason:)` with Janus's code (426 no such room,
/// 433 unauthorized, …). Each call waits for the server to be running (see `waitUntilReady()`).
extension SFUServer {
    /// How long an asynchronous VideoRoom request may take to answer with its event.
    static let requestTimeout: Duration = .seconds(10)

    /// Any VideoRoom request body (`{"request": "…", …}`), answered with the plugin's `data`
    /// object. Reaches requests that have no typed wrapper (participant requests among them)
    /// through the server's own Janus core (see `RoomControlClient`). Nothing is added to the
    /// body: include `admin_key`/`secret` where needed.
    public func videoRoomRequest(_ body: JSONValue) async throws(SFUError) -> JSONValue {
        .object(try await runtime().control.request(body, timeout: Self.requestTimeout))
    }

    /// Creates a room; returns its id.
    @discardableResult
    public func createRoom(_ room: RoomOptions = RoomOptions()) async throws(SFUError) -> UInt64 {
        var body = room.createBody
        if let adminKey = options.adminKey, body["admin_key"] == nil { body["admin_key"] = .string(adminKey) }
        // The options are the `create` keys (plus free `extra` ones): decoded as a client's would be.
        let request: RoomRequest
        do throws(VideoRoomError) { request = try RoomRequest(body: body) } catch { throw SFUError(error) }
        guard case .created(let id, _) = try await perform(request), let number = id.number else {
            throw Self.unexpectedReply
        }
        return number
    }

    /// Changes a room's settings (`edit`); `secret` is the room's current secret, if it has one.
    public func editRoom(_ id: UInt64, _ changes: RoomChanges, secret: String? = nil) async throws(SFUError) {
        var body = changes.editBody
        body["room"] = .uint(id)
        if let secret { body["secret"] = .string(secret) }
        let request: RoomRequest
        do throws(VideoRoomError) { request = try RoomRequest(body: body) } catch { throw SFUError(error) }
        _ = try await perform(request)
    }

    /// Destroys a room: its participants are told and hung up (`destroy`).
    public func destroyRoom(_ id: UInt64, secret: String? = nil, permanent: Bool = false) async throws(SFUError) {
        _ = try await perform(.destroy(room: .number(id), secret: secret, permanent: permanent))
    }

    /// Whether a room exists (`exists`).
    public func roomExists(_ id: UInt64) async throws(SFUError) -> Bool {
        guard case .exists(_, let exists) = try await perform(.exists(room: .number(id))) else { throw Self.unexpectedReply }
        return exists
    }

    /// Every room, private ones included when the server has an admin key (`list`).
    public func listRooms() async throws(SFUError) -> [RoomInfo] {
        guard case .list(let rooms) = try await perform(.list(adminKey: options.adminKey)) else {
            throw Self.unexpectedReply
        }
        return rooms.map(RoomInfo.init)
    }

    /// The publisher-role participants of a room (`listparticipants`).
    public func listParticipants(room: UInt64) async throws(SFUError) -> [ParticipantInfo] {
        guard case .participants(_, let list) = try await perform(.listParticipants(room: .number(room))) else {
            throw Self.unexpectedReply
        }
        return list.map(ParticipantInfo.init)
    }

    /// Removes a participant from a room (`kick`): it gets `leaving: "ok", reason: "kicked"` and
    /// its PeerConnection is hung up; the others get `kicked`.
    public func kick(participant: UInt64, room: UInt64, secret: String? = nil) async throws(SFUError) {
        _ = try await perform(.kick(room: .number(room), participant: .number(participant), secret: secret))
    }

    /// The data cap of everything a participant receives (extension `limit_subscriptions`): every
    /// subscription it joined with its `private_id` gets `maximumBitrate` bits/s at most (0: no
    /// cap), as if it had sent `configure` with `max_bitrate`. Returns how many subscriptions.
    @discardableResult
    public func limitReception(
        participant: UInt64, room: UInt64, maximumBitrate: Int, secret: String? = nil
    ) async throws(SFUError) -> Int {
        let reply = try await perform(.limitSubscriptions(
            room: .number(room), participant: .number(participant), maximumBitrate: maximumBitrate, secret: secret))
        guard case .limitedSubscriptions(_, let count) = reply else { return 0 }
        return count
    }

    /// Mutes or unmutes one published stream of a participant for everyone (`moderate`).
    public func moderate(
        participant: UInt64, room: UInt64, mid: String, mute: Bool, secret: String? = nil
    ) async throws(SFUError) {
        _ = try await perform(.moderate(
            room: .number(room), participant: .number(participant), mid: mid, mute: mute, secret: secret))
    }

    /// Changes a room's join-token list (`allowed`): `action` is enable, disable, add or remove.
    @discardableResult
    public func setAllowedTokens(
        room: UInt64, action: String, tokens: [String] = [], secret: String? = nil
    ) async throws(SFUError) -> [String] {
        let request: RoomRequest
        do throws(VideoRoomError) {
            request = try .allowed(room: .number(room), action: action, tokens: tokens, secret: secret)
        } catch {
            throw SFUError(error)
        }
        guard case .allowed(_, let list) = try await perform(request) else { throw Self.unexpectedReply }
        return list ?? []
    }

    /// One room-management request, typed both ways.
    func perform(_ request: RoomRequest) async throws(SFUError) -> RoomReply {
        let videoRoom = try await runtime().videoRoom
        do throws(VideoRoomError) {
            return try await videoRoom.perform(request)
        } catch {
            throw SFUError(error)
        }
    }

    /// A reply of another kind than the request's (a bug, never an answer to a client).
    static let unexpectedReply = SFUError.janus(code: 499, reason: "Unexpected answer")
}

extension SFUError {
    /// The VideoRoom's refusal, with its Janus code and reason.
    init(_ error: VideoRoomError) {
        self = .janus(code: error.code, reason: error.reason)
    }
}

extension RoomInfo {
    init(_ listing: RoomListing) {
        let settings = listing.settings
        self.init(
            id: settings.room, description: settings.description, isPrivate: settings.isPrivate,
            pinRequired: settings.pin != nil, maxPublishers: settings.publishers,
            participantCount: listing.participants, raw: listing.json)
    }
}

extension ParticipantInfo {
    init(_ listing: ParticipantListing) {
        self.init(
            id: listing.id.number ?? 0, display: listing.display, isPublishing: listing.publisher,
            isTalking: listing.talking,
            raw: listing.json)
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
