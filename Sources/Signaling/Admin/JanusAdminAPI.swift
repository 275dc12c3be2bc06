import SFUMedia

/// The Janus Admin API (janus.c `janus_process_incoming_admin_request`) over one `JanusCore`:
/// the requests operators use (`info`, `ping`, `get_status`, `set_log_level`, `list_sessions`,
/// `list_handles`, `handle_info`, `destroy_session`, `detach_handle`, `hangup_webrtc`, the
/// token requests) with Janus's shapes and error codes, plus `support_bundle` (ours).
///
/// Requests Janus has and this server does not answer 453 "Unknown request"; names Janus does
/// not know answer as Janus does (457 "Unhandled request '…' at this path"). Every request but
/// `info` and `ping` needs `admin_secret` when one is configured (403).
///
/// Served over HTTP (`POST /admin[/<session>[/<handle>]]`, `httpRoute`) and WebSocket
/// (subprotocol `janus-admin-protocol`, as a `WebSocketMessageProcessor`).
public final class JanusAdminAPI: Sendable {
    /// What the server around the core contributes.
    public struct Hooks: Sendable {
        /// Reads a PeerConnection's state on the media plane (`handle_info` `webrtc`).
        public var inspect: (@Sendable (TransportAllocation) async -> TransportInspection?)?
        /// Our DTLS certificate fingerprint, `sha-256 AB:…`.
        public var localFingerprint: String?
        /// The log level as Janus numbers it (0 none … 7 debug): read and set.
        public var logLevel: (get: @Sendable () -> Int, set: @Sendable (Int) -> Void)?
        /// Fields `get_status` adds (e.g. `no_media_timer`).
        public var status: JSONObject = [:]
        /// The `support_bundle` request's content.
        public var supportBundle: (@Sendable () async -> JSONObject)?

        public init() {}
    }

    /// Requests Janus's Admin API has that this server does not implement (453).
    static let unsupported: Set<String> = [
        "set_session_timeout", "set_locking_debug", "set_refcount_debug", "set_log_timestamps", "set_log_colors",
        "set_min_nack_queue", "set_nack_optimizations", "set_no_media_timer", "set_slowlink_threshold",
        "accept_new_sessions", "message_plugin", "query_transport", "query_eventhandler", "query_logger",
        "custom_event", "custom_logline", "resolve_address", "test_stun", "loops_info", "start_pcap", "stop_pcap",
        "start_text2pcap", "stop_text2pcap",
    ]

    public let core: JanusCore
    let secret: String?
    let hooks: Hooks

    public init(core: JanusCore, secret: String?, hooks: Hooks = Hooks()) {
        self.core = core
        self.secret = secret
        self.hooks = hooks
    }

    /// `/admin`, `/admin/<session>`, `/admin/<session>/<handle>`: POSTed requests (ids in the
    /// path are copied into the request), and `GET /admin/info` / `/admin/ping`.
    public var httpRoute: HTTPSideRoute {
        HTTPSideRoute(methods: ["GET", "POST"], match: .subtree("/admin")) { [self] request in
            let reply = await self.handleHTTP(request)
            return JanusHTTPResponse(
                status: reply == nil ? 404 : 200,
                headers: reply == nil ? [] : [(name: "Content-Type", value: "application/json")],
                body: reply.map(JSONSerializer.serialize) ?? [])
        }
    }

    func handleHTTP(_ request: JanusHTTPRequest) async -> JSONValue? {
        let parts = request.path.split(separator: "/").dropFirst()  // after "admin"
        if request.method == "GET" {
            guard parts.count == 1, let verb = parts.first, verb == "info" || verb == "ping" else { return nil }
            return await handle(["janus": .string(String(verb)), "transaction": "admin-get"])
        }
        guard parts.count <= 2 else { return nil }
        let ids = parts.map { UInt64($0) }
        guard !ids.contains(nil) else { return nil }
        let root: JSONValue
        do {
            root = try JSONParser.parse(request.body, topLevel: .container)
        } catch {
            return JanusMessages.error(
                JanusError(JanusError.invalidJSON, "JSON error: on line \(error.line): \(error.message)"),
                sessionID: nil, transaction: nil)
        }
        guard var object = root.objectValue else {
            return JanusMessages.error(
                JanusError(JanusError.invalidJSONObject, "JSON error: not an object"), sessionID: nil, transaction: nil)
        }
        if let sessionID = ids.first ?? nil { object["session_id"] = JanusMessages.id(sessionID) }
        if ids.count == 2, let handleID = ids[1] { object["handle_id"] = JanusMessages.id(handleID) }
        return await handle(object)
    }

    /// One Admin API request.
    public func handle(_ root: JSONObject) async -> JSONValue {
        let sessionID = JanusCore.janusID(root["session_id"])
        let handleID = JanusCore.janusID(root["handle_id"])
        do throws(JanusError) {
            try RequestValidation.check(root, "transaction", .string, required: true)
            try RequestValidation.check(root, "janus", .string, required: true)
        } catch {
            return JanusMessages.error(error, sessionID: sessionID, transaction: nil)
        }
        let transaction = root["transaction"]?.stringValue ?? ""
        let verbText = root["janus"]?.stringValue ?? ""
        let verb = verbText.lowercased()
        do throws(JanusError) {
            if sessionID == 0 && handleID == 0 {
                if verb == "info" { return await core.adminServerInfo(transaction: transaction) }
                if verb == "ping" { return .object(JanusMessages.reply("pong", sessionID: nil, transaction: transaction)) }
                try checkSecret(root)
                return try await rootRequest(verb, verbText: verbText, root, transaction: transaction)
            }
            // Janus answers 458 for both a bad session id and a bad handle id here.
            guard sessionID >= 1, root["handle_id"] == nil || handleID >= 1 else {
                throw JanusError(code: JanusError.sessionNotFound)
            }
            try checkSecret(root)
            if handleID == 0 {
                return try await sessionRequest(verb, verbText: verbText, sessionID, transaction: transaction)
            }
            return try await handleRequest(verb, verbText: verbText, root, sessionID, handleID, transaction: transaction)
        } catch {
            return JanusMessages.error(error, sessionID: sessionID, transaction: transaction)
        }
    }

    private func checkSecret(_ root: JSONObject) throws(JanusError) {
        guard let secret else { return }
        guard let given = root["admin_secret"]?.stringValue, constantTimeEqual(secret, given) else {
            throw JanusError(code: JanusError.unauthorized)
        }
    }

    private func unhandled(_ verbText: String) -> JanusError {
        if Self.unsupported.contains(verbText.lowercased()) {
            return JanusError(JanusError.unknownRequest, "Unknown request '\(verbText)'")
        }
        return JanusError(JanusError.invalidRequestPath, "Unhandled request '\(verbText)' at this path")
    }

    private func success(_ sessionID: UInt64?, _ transaction: String, _ fields: JSONObject = [:]) -> JSONValue {
        var reply = JanusMessages.reply("success", sessionID: sessionID, transaction: transaction)
        reply.merge(fields) { _, new in new }
        return .object(reply)
    }

    // MARK: Server-wide requests

    private func rootRequest(
        _ verb: String, verbText: String, _ root: JSONObject, transaction: String
    ) async throws(JanusError) -> JSONValue {
        switch verb {
        case "get_status":
            var status = await core.adminStatus
            if let logLevel = hooks.logLevel { status["log_level"] = .int(Int64(logLevel.get())) }
            status.merge(hooks.status) { current, _ in current }
            return success(nil, transaction, ["status": .object(status)])
        case "set_log_level":
            guard let logLevel = hooks.logLevel else { throw unhandled(verbText) }
            try RequestValidation.check(root, "level", .positiveInteger, required: true)
            let level = Int(root["level"]?.int64Value ?? 0)
            guard (0...7).contains(level) else {
                throw JanusError(JanusError.invalidElementType, "Invalid element type (level should be between 0 and 7)")
            }
            logLevel.set(level)
            return .object(["janus": "success", "transaction": .string(transaction), "level": .int(Int64(level))])
        case "list_sessions":
            let ids = await core.sessionIDs
            return success(nil, transaction, ["sessions": .array(ids.map(JanusMessages.id))])
        case "add_token", "allow_token", "disallow_token":
            try RequestValidation.check(root, "token", .string, required: true)
            try RequestValidation.check(root, "plugins", .array, required: false)
            let token = root["token"]?.stringValue ?? ""
            let plugins = root["plugins"]?.arrayValue.map { $0.compactMap(\.stringValue) }
            let allowed: [String]
            if verb == "add_token" {
                allowed = try core.addToken(token, plugins: plugins)
            } else {
                allowed = try core.allowToken(token, plugins: plugins ?? [], allow: verb == "allow_token")
            }
            return success(nil, transaction, ["data": ["plugins": .array(allowed.map(JSONValue.string))]])
        case "list_tokens":
            let tokens = try core.listTokens().map { entry -> JSONValue in
                ["token": .string(entry.token), "allowed_plugins": .array(entry.plugins.map(JSONValue.string))]
            }
            return success(nil, transaction, ["data": ["tokens": .array(tokens)]])
        case "remove_token":
            try RequestValidation.check(root, "token", .string, required: true)
            try core.removeToken(root["token"]?.stringValue ?? "")
            return success(nil, transaction)
        case "support_bundle":
            guard let bundle = hooks.supportBundle else { throw unhandled(verbText) }
            return success(nil, transaction, ["bundle": .object(await bundle())])
        default:
            throw unhandled(verbText)
        }
    }

    // MARK: Session and handle requests

    private func sessionRequest(
        _ verb: String, verbText: String, _ sessionID: UInt64, transaction: String
    ) async throws(JanusError) -> JSONValue {
        switch verb {
        case "destroy_session":
            try await core.adminDestroySession(sessionID)
            return success(sessionID, transaction)
        case "list_handles":
            let ids = try await core.adminHandleIDs(sessionID)
            return success(sessionID, transaction, ["handles": .array(ids.map(JanusMessages.id))])
        default:
            // Janus looks the session up first: an unknown one is 458 whatever the request.
            _ = try await core.adminHandleIDs(sessionID)
            throw unhandled(verbText)
        }
    }

    private func handleRequest(
        _ verb: String, verbText: String, _ root: JSONObject, _ sessionID: UInt64, _ handleID: UInt64,
        transaction: String
    ) async throws(JanusError) -> JSONValue {
        switch verb {
        case "detach_handle":
            try await core.adminDetachHandle(sessionID, handleID)
            return success(sessionID, transaction)
        case "hangup_webrtc":
            try await core.adminHangup(sessionID, handleID)
            return success(sessionID, transaction)
        case "handle_info":
            try RequestValidation.check(root, "plugin_only", .boolean, required: false)
            let view = try await core.adminHandleView(sessionID, handleID)
            let info = await handleInfo(view, pluginOnly: root["plugin_only"]?.boolValue ?? false)
            return success(sessionID, transaction, ["handle_id": JanusMessages.id(handleID), "info": .object(info)])
        default:
            _ = try await core.adminHandleView(sessionID, handleID)
            throw unhandled(verbText)
        }
    }
}

extension JanusAdminAPI: WebSocketMessageProcessor {
    /// One WebSocket text message: one or more JSON requests, each answered in order.
    public func process(message: [UInt8], connection: any JanusEventSink) async {
        let (values, parseError) = JSONParser.parseSequence(message, topLevel: .container)
        if let parseError {
            let reason = "Invalid Janus Admin API request - <string>(\(parseError.line),\(parseError.column)): \(parseError.message)"
            connection.send(JanusMessages.error(JanusError(JanusError.invalidJSON, reason), sessionID: nil, transaction: nil))
            return
        }
        for value in values { connection.send(await handle(value.objectValue ?? [:])) }
    }

    public func connectionClosed(_ connection: any JanusEventSink) async {}
}
