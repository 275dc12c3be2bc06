import Logging

/// The Janus core API (janus-api.md §3–§6), independent of any transport: sessions, handles,
/// the plugin registry, request validation and dispatch, the session watchdog and the
/// per-session event channels.
///
/// An actor: transports (HTTP, WebSocket, or tests) call `handle(…)` from any task and get the
/// reply object back. Plugin calls are awaited without holding any lock; the actor may run other
/// requests meanwhile, so state is re-checked after each plugin call. Events from plugins go
/// straight to the session's `SessionEventChannel`, never through the actor, so they keep their
/// order. Nothing here traps on client input: every failure is a Janus error reply.
public actor JanusCore {
    /// The product name reported as `name` in `server_info`.
    public static let productName = "swift-sfu"
    public static let version = 1
    public static let versionString = "0.0.1"

    final class SessionState {
        let id: UInt64
        let channel: SessionEventChannel
        var handles: [UInt64: HandleState] = [:]
        /// `attach` calls under way (their plugin has not answered yet), counted against the limit.
        var pendingAttaches = 0
        /// The WebSocket connection that created or claimed the session (nil: HTTP long poll).
        var owner: ObjectIdentifier?
        /// Set when the owning connection closed and a reclaim window is configured.
        var orphanedAt: ContinuousClock.Instant?
        /// What created it, as the Admin API's `session_transport` names it.
        var transport = "janus.transport.http"

        init(id: UInt64, channel: SessionEventChannel) {
            self.id = id
            self.channel = channel
        }
    }

    struct HandleState {
        let id: UInt64
        let plugin: String
        let opaqueID: String?
        /// The `token` the handle was attached with (token auth on), shown by `handle_info`.
        let token: String?
        /// When it was attached (`handle_info` `created`).
        let created: ContinuousClock.Instant = .now
        let pluginSession: any JanusPluginSession
        let route: HandleEventRoute
    }

    public let configuration: JanusCoreConfiguration
    /// The stored tokens of `token_auth` (used only when `configuration.tokenAuth` is on).
    public nonisolated let tokens = JanusTokenStore()
    /// Requests by name and error code (metrics).
    public nonisolated let requestStatistics = JanusRequestStatistics()
    /// What the limits refused or dropped (metrics).
    public nonisolated let limitStatistics = JanusLimitStatistics()
    let logger: Logger
    let plugins: [String: any JanusPlugin]
    let pluginOrder: [any JanusPlugin]
    var sessions: [UInt64: SessionState] = [:]
    /// The sessions' event channels, readable without the actor so that a long poll can be
    /// registered synchronously on a NIO event loop.
    nonisolated let channels = Locked<[UInt64: SessionEventChannel]>([:])
    /// Handle ids handed out but whose plugin `attach` has not returned yet.
    var pendingHandleIDs: Set<UInt64> = []
    var allHandleIDs: Set<UInt64> = []
    var acceptingNewSessions: Bool
    var watchdog: Task<Void, Never>?
    var isShutDown = false

    public init(configuration: JanusCoreConfiguration = .init(), plugins: [any JanusPlugin], logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var byName: [String: any JanusPlugin] = [:]
        for plugin in plugins where byName[plugin.package] == nil { byName[plugin.package] = plugin }
        self.plugins = byName
        self.pluginOrder = plugins
        self.acceptingNewSessions = configuration.acceptingNewSessions
    }

    // MARK: Lifecycle

    /// Starts the session watchdog (every `watchdogInterval` seconds).
    public func start() {
        guard watchdog == nil, !isShutDown else { return }
        let interval = max(0.01, configuration.watchdogInterval)
        watchdog = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                guard let self, !Task.isCancelled else { return }
                await self.sweep(now: .now)
            }
        }
    }

    /// Stops the watchdog and destroys every session (plugins get `destroy()`).
    public func shutdown() async {
        isShutDown = true
        acceptingNewSessions = false
        watchdog?.cancel()
        watchdog = nil
        for id in Array(sessions.keys) { await destroySession(id, reason: "shutdown") }
    }

    /// Janus's `accept_new_sessions`: when false, `create` answers 472.
    public func setAcceptingNewSessions(_ accepting: Bool) { acceptingNewSessions = accepting }

    public var sessionCount: Int { sessions.count }

    public func handleCount(sessionID: UInt64) -> Int? { sessions[sessionID]?.handles.count }

    /// Live handles per plugin package (every plugin listed, 0 when none).
    public var handleCountsByPlugin: [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: pluginOrder.map { ($0.package, 0) })
        for session in sessions.values {
            for handle in session.handles.values { counts[handle.plugin, default: 0] += 1 }
        }
        return counts
    }

    /// Every secret the plugins hold (`JanusPlugin.secrets`).
    public nonisolated func pluginSecrets() async -> [String] {
        var result: [String] = []
        for plugin in pluginOrder { result += await plugin.secrets() }
        return result
    }

    /// Each plugin's `statistics()`, by package.
    public nonisolated func pluginStatistics() async -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for plugin in pluginOrder { result[plugin.package] = await plugin.statistics() }
        return result
    }

    // MARK: Transport entry points

    /// An HTTP POST body for `/janus[/<sid>[/<hid>]]` (janus-api.md §7.1): ids from the path are
    /// copied into the request; contradicting ids in the body answer 457.
    public func handleHTTP(body: [UInt8], pathSessionID: UInt64?, pathHandleID: UInt64?) async -> JSONValue {
        let (reply, followUp) = await handleHTTPDeferred(body: body, pathSessionID: pathSessionID, pathHandleID: pathHandleID)
        await followUp()
        return reply
    }

    /// `handleHTTP` for the transport: the returned follow-up (plugin teardown after `detach`/
    /// `hangup`) is run once the response is on the wire, so that the POST answer usually
    /// reaches the client before the long poll brings the resulting events.
    func handleHTTPDeferred(
        body: [UInt8], pathSessionID: UInt64?, pathHandleID: UInt64?, budget: RequestBudget? = nil
    ) async -> (JSONValue, @Sendable () async -> Void) {
        let none: @Sendable () async -> Void = {}
        let root: JSONValue
        do {
            // Like Janus (jansson without JSON_DECODE_ANY): a top-level scalar is a 454 parse
            // error, an array parses and is then refused as 455 below.
            root = try JSONParser.parse(body, topLevel: .container)
        } catch {
            let reply = JanusMessages.error(
                JanusError(JanusError.invalidJSON, "JSON error: on line \(error.line): \(error.message)"),
                sessionID: nil, transaction: nil)
            return (reply, none)
        }
        guard case .object(var object) = root else {
            let reply = JanusMessages.error(
                JanusError(JanusError.invalidJSONObject, "JSON error: not an object"), sessionID: nil, transaction: nil)
            return (reply, none)
        }
        if let pathSessionID {
            if let given = object["session_id"]?.uint64Value, given != 0, given != pathSessionID {
                let reply = JanusMessages.error(
                    JanusError(JanusError.invalidRequestPath, "Conflicting session ID (payload and path)"),
                    sessionID: nil, transaction: nil)
                return (reply, none)
            }
            object["session_id"] = JanusMessages.id(pathSessionID)
        }
        if let pathHandleID {
            if let given = object["handle_id"]?.uint64Value, given != 0, given != pathHandleID {
                let reply = JanusMessages.error(
                    JanusError(JanusError.invalidRequestPath, "Conflicting handle ID (payload and path)"),
                    sessionID: nil, transaction: nil)
                return (reply, none)
            }
            object["handle_id"] = JanusMessages.id(pathHandleID)
        }
        if let refusal = overBudget(object, budget) { return (refusal, none) }
        let after = AfterReply()
        let reply = await process(object, connection: nil, after: after)
        let actions = after.actions
        return (reply, { for action in actions { await action() } })
    }

    /// One WebSocket text message: one or more JSON objects back to back, handled in order.
    /// Each reply is sent through `connection` (before any follow-up events of that request,
    /// one of the orders Janus produces) and also returned. Like Janus, the whole message is
    /// parsed first: if any part fails, only a 454 error is sent (its position counted from the
    /// end of the last good value) and none of the requests runs.
    public func handleWebSocketMessage(
        _ bytes: [UInt8], connection: any JanusEventSink, budget: RequestBudget? = nil
    ) async -> [JSONValue] {
        await handleWebSocketMessage(bytes, connection: connection, budget: budget, keepReplies: true)
    }

    /// `keepReplies` false: the replies are only sent, not also collected (the transport's path:
    /// a message of many requests does not hold all their replies at once).
    func handleWebSocketMessage(
        _ bytes: [UInt8], connection: any JanusEventSink, budget: RequestBudget?, keepReplies: Bool
    ) async -> [JSONValue] {
        let (parsed, parseError) = JSONParser.parseSequence(bytes, topLevel: .container)
        let values = parseError == nil ? parsed : []
        var replies: [JSONValue] = []
        for value in values {
            // Janus validates an array like an object without fields: 456 (transaction).
            let object = value.objectValue ?? [:]
            if let refusal = overBudget(object, budget) {
                connection.send(refusal)
                if keepReplies { replies.append(refusal) }
                continue
            }
            let after = AfterReply()
            let reply = await process(object, connection: connection, after: after)
            connection.send(reply)
            if keepReplies { replies.append(reply) }
            for action in after.actions { await action() }
        }
        if let parseError {
            let reason = "Invalid Janus API request - <string>(\(parseError.line),\(parseError.column)): \(parseError.message)"
            let reply = JanusMessages.error(JanusError(JanusError.invalidJSON, reason), sessionID: nil, transaction: nil)
            connection.send(reply)
            if keepReplies { replies.append(reply) }
        }
        return replies
    }

    /// A parsed request. `connection` is the persistent connection it came on (WebSocket), or nil
    /// for request/response transports whose events are long-polled. The reply is returned, not
    /// sent; follow-up work (plugin teardown after `detach`/`hangup`) is done when this returns.
    public func handle(request: JSONValue, connection: (any JanusEventSink)? = nil) async -> JSONValue {
        guard case .object(let object) = request else {
            return JanusMessages.error(
                JanusError(JanusError.invalidJSONObject, "JSON error: not an object"), sessionID: nil, transaction: nil)
        }
        return await process(object, connection: connection)
    }

    /// `handle(request:connection:)` for the server's own clients inside the process (the
    /// library's room API): the request skips the `apisecret`/token check, as it carries the
    /// embedder's authority rather than a remote client's.
    package func handleTrusted(request: JSONValue, connection: (any JanusEventSink)? = nil) async -> JSONValue {
        guard case .object(let object) = request else { return await handle(request: request, connection: connection) }
        return await process(object, connection: connection, trusted: true)
    }

    /// An error reply when `budget` (the request's connection) has no request left this second:
    /// the request is counted and not run. Janus has no such limit; 490 is its generic error.
    private func overBudget(_ object: JSONObject, _ budget: RequestBudget?) -> JSONValue? {
        guard let budget, !budget.take() else { return nil }
        let refusals = limitStatistics.record(.requestRate)
        if refusals == 1 || refusals.isMultiple(of: 1000) {
            logger.warning(
                "Request refused: over the per-connection rate",
                metadata: ["limit": "\(budget.limit)/s", "refused": "\(refusals)"])
        }
        return JanusMessages.error(
            JanusError(JanusError.unknown, "Too many requests (limit \(budget.limit) a second per connection)"),
            sessionID: Self.janusID(object["session_id"]).nonZero,
            transaction: object["transaction"]?.stringValue)
    }

    /// The persistent connection `connection` closed: its sessions are destroyed, or kept for
    /// `reclaimSessionTimeout` seconds when that is configured (janus-api.md §5).
    public func connectionClosed(_ connection: any JanusEventSink) async {
        let owner = ObjectIdentifier(connection)
        let owned = sessions.values.filter { $0.owner == owner }.map(\.id)
        for id in owned {
            guard let session = sessions[id] else { continue }
            if configuration.reclaimSessionTimeout > 0 {
                session.owner = nil
                session.orphanedAt = .now
                session.channel.detach(sink: connection)
            } else {
                await destroySession(id, reason: "transport closed")
            }
        }
    }

    // MARK: Watchdog

    /// Expires idle sessions and orphaned ones whose reclaim window is over. Internal so tests
    /// can drive it with their own clock readings.
    func sweep(now: ContinuousClock.Instant) async {
        let timeout = configuration.sessionTimeout
        let reclaim = configuration.reclaimSessionTimeout
        var expired: [UInt64] = []
        var orphaned: [UInt64] = []
        for session in sessions.values {
            if let orphanedAt = session.orphanedAt, now - orphanedAt >= .seconds(reclaim) {
                orphaned.append(session.id)
            } else if timeout > 0, now - session.channel.lastActivity >= .seconds(timeout) {
                expired.append(session.id)
            }
        }
        for id in expired {
            guard let session = sessions[id] else { continue }
            logger.info("Session timed out", metadata: ["session": "\(id)"])
            session.channel.push(JanusMessages.timeout(sessionID: id))
            await destroySession(id, reason: "timeout")
        }
        for id in orphaned {
            logger.info("Session not reclaimed in time", metadata: ["session": "\(id)"])
            await destroySession(id, reason: "reclaim timeout")
        }
    }
}

extension UInt64 {
    /// nil for 0 (no id given).
    var nonZero: UInt64? { self == 0 ? nil : self }
}

/// Compares secrets without an early exit, so timing does not reveal how much matched.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        let p = i < x.count ? x[i] : 0
        let q = i < y.count ? y[i] : 0
        difference |= p ^ q
    }
    return difference == 0
}

