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
        /// The WebSocket connection that created or claimed the session (nil: HTTP long poll).
        var owner: ObjectIdentifier?
        /// Set when the owning connection closed and a reclaim window is configured.
        var orphanedAt: ContinuousClock.Instant?

        init(id: UInt64, channel: SessionEventChannel) {
            self.id = id
            self.channel = channel
        }
    }

    struct HandleState {
        let id: UInt64
        let plugin: String
        let opaqueID: String?
        let pluginSession: any JanusPluginSession
        let route: HandleEventRoute
    }

    public let configuration: JanusCoreConfiguration
    let logger: Logger
    private let plugins: [String: any JanusPlugin]
    private let pluginOrder: [any JanusPlugin]
    private var sessions: [UInt64: SessionState] = [:]
    /// The sessions' event channels, readable without the actor so that a long poll can be
    /// registered synchronously on a NIO event loop.
    private nonisolated let channels = Locked<[UInt64: SessionEventChannel]>([:])
    /// Handle ids handed out but whose plugin `attach` has not returned yet.
    private var pendingHandleIDs: Set<UInt64> = []
    private var allHandleIDs: Set<UInt64> = []
    private var acceptingNewSessions: Bool
    private var watchdog: Task<Void, Never>?
    private var isShutDown = false

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

    // MARK: Transport entry points

    /// An HTTP POST body for `/janus[/<sid>[/<hid>]]` (janus-api.md §7.1): ids from the path are
    /// copied into the request; contradicting ids in the body answer 457.
    public func handleHTTP(body: [UInt8], pathSessionID: UInt64?, pathHandleID: UInt64?) async -> JSONValue {
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            return JanusMessages.error(
                JanusError(JanusError.invalidJSON, "JSON error: on line \(error.line): \(error.message)"),
                sessionID: nil, transaction: nil)
        }
        guard case .object(var object) = root else {
            return JanusMessages.error(
                JanusError(JanusError.invalidJSONObject, "JSON error: not an object"), sessionID: nil, transaction: nil)
        }
        if let pathSessionID {
            if let given = object["session_id"]?.uint64Value, given != 0, given != pathSessionID {
                return JanusMessages.error(
                    JanusError(JanusError.invalidRequestPath, "Conflicting session ID (payload and path)"),
                    sessionID: nil, transaction: nil)
            }
            object["session_id"] = JanusMessages.id(pathSessionID)
        }
        if let pathHandleID {
            if let given = object["handle_id"]?.uint64Value, given != 0, given != pathHandleID {
                return JanusMessages.error(
                    JanusError(JanusError.invalidRequestPath, "Conflicting handle ID (payload and path)"),
                    sessionID: nil, transaction: nil)
            }
            object["handle_id"] = JanusMessages.id(pathHandleID)
        }
        return await process(object, connection: nil)
    }

    /// One WebSocket text message: one or more JSON objects back to back, handled in order.
    /// Returns one reply per request (plus a 454 error if the tail did not parse).
    public func handleWebSocketMessage(_ bytes: [UInt8], connection: any JanusEventSink) async -> [JSONValue] {
        let (values, parseError) = JSONParser.parseSequence(bytes)
        var replies: [JSONValue] = []
        for value in values {
            replies.append(await handle(request: value, connection: connection))
        }
        if let parseError {
            replies.append(
                JanusMessages.error(
                    JanusError(JanusError.invalidJSON, "Invalid Janus API request - \(parseError)"),
                    sessionID: nil, transaction: nil))
        }
        return replies
    }

    /// A parsed request. `connection` is the persistent connection it came on (WebSocket), or nil
    /// for request/response transports whose events are long-polled.
    public func handle(request: JSONValue, connection: (any JanusEventSink)? = nil) async -> JSONValue {
        guard case .object(let object) = request else {
            return JanusMessages.error(
                JanusError(JanusError.invalidJSONObject, "JSON error: not an object"), sessionID: nil, transaction: nil)
        }
        return await process(object, connection: connection)
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

    // MARK: Long poll

    /// A registered long poll; `cancel()` withdraws it (timeout or client gone).
    public struct LongPollTicket: Sendable {
        let channel: SessionEventChannel
        let id: UInt64

        /// True if the poll was still pending, i.e. it got no events and the caller answers it.
        public func cancel() -> Bool { channel.cancelPoll(id) }

        /// Gives back events the poll received but could not deliver (connection closed).
        public func requeue(_ events: [JSONValue]) { channel.requeue(events) }
    }

    public enum LongPollStart: Sendable {
        /// No such session: HTTP answers 404.
        case sessionNotFound
        /// Events were queued: answer now.
        case events([JSONValue])
        /// Nothing queued: `deliver` will be called with the next events unless cancelled first.
        case waiting(LongPollTicket)
    }

    /// Starts a long poll on `sessionID` (HTTP GET `/janus/<sid>`); counts as session activity.
    /// Returns nil when an API secret is configured and `apiSecret` does not match (HTTP 403).
    /// Synchronous and callable from any thread; `deliver` is called from whichever thread pushes
    /// the next event, so hop to your own executor inside it.
    public nonisolated func beginLongPoll(
        sessionID: UInt64, maxEvents: Int, apiSecret: String? = nil,
        deliver: @escaping @Sendable ([JSONValue]) -> Void
    ) -> LongPollStart? {
        if let required = configuration.apiSecret, !constantTimeEqual(required, apiSecret ?? "") { return nil }
        guard let channel = channels.withLock({ $0[sessionID] }) else { return .sessionNotFound }
        channel.touch()
        switch channel.poll(maxEvents: maxEvents, deliver: deliver) {
        case .events(let events): return .events(events)
        case .waiting(let id): return .waiting(LongPollTicket(channel: channel, id: id))
        case .closed: return .sessionNotFound
        }
    }

    /// Counts as activity on `sessionID` (if it exists). Callable from any thread.
    public nonisolated func touchSession(_ sessionID: UInt64) {
        channels.withLock { $0[sessionID] }?.touch()
    }

    /// The reply body for a long poll that got `events` (janus-api.md §7.1): a single object when
    /// `maxEvents` is 1, else an array; a keepalive when there was nothing to send.
    public static func longPollBody(events: [JSONValue], maxEvents: Int) -> JSONValue {
        let list = events.isEmpty ? [JanusMessages.keepalive()] : events
        if maxEvents <= 1, let first = list.first { return first }
        return .array(list)
    }

    /// A whole long poll as one call, for embedders and tests: waits up to `hold` for events.
    /// Returns nil for an unknown session.
    public func longPoll(sessionID: UInt64, maxEvents: Int = 1, hold: Duration = .seconds(30)) async -> JSONValue? {
        let box = LongPollBox()
        let start = beginLongPoll(sessionID: sessionID, maxEvents: maxEvents) { events in box.fulfil(events) }
        switch start {
        case nil, .sessionNotFound?:
            return nil
        case .events(let events)?:
            return Self.longPollBody(events: events, maxEvents: maxEvents)
        case .waiting(let ticket)?:
            let timer = Task {
                try? await Task.sleep(for: hold)
                if ticket.cancel() { box.fulfil([]) }
            }
            let events = await box.wait()
            timer.cancel()
            return Self.longPollBody(events: events, maxEvents: maxEvents)
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
            } else if timeout > 0, now - session.channel.lastActivity(now: now) >= .seconds(timeout) {
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

    // MARK: Dispatch

    private func process(_ root: JSONObject, connection: (any JanusEventSink)?) async -> JSONValue {
        // Ids first, so even a rejected request's error carries its session_id (janus-api.md §2.1).
        let sessionIDValue = root["session_id"].flatMap { $0.isNull ? nil : $0 }
        let handleIDValue = root["handle_id"].flatMap { $0.isNull ? nil : $0 }
        let sessionID = sessionIDValue?.uint64Value ?? 0
        let handleID = handleIDValue?.uint64Value ?? 0
        do throws(JanusError) {
            try RequestValidation.check(root, "transaction", .string, required: true)
            try RequestValidation.check(root, "janus", .string, required: true)
            try RequestValidation.check(root, "id", .positiveInteger, required: false)
        } catch {
            return JanusMessages.error(error, sessionID: sessionID, transaction: root["transaction"]?.stringValue)
        }
        let transaction = root["transaction"]?.stringValue ?? ""
        let verb = (root["janus"]?.stringValue ?? "").lowercased()
        let verbText = root["janus"]?.stringValue ?? ""
        do throws(JanusError) {
            if let sessionIDValue, sessionIDValue.uint64Value == nil {
                throw JanusError(JanusError.invalidElementType, "Invalid element type (session_id should be a positive integer)")
            }
            if let handleIDValue, handleIDValue.uint64Value == nil {
                throw JanusError(JanusError.invalidElementType, "Invalid element type (handle_id should be a positive integer)")
            }
            if sessionID == 0 && handleID == 0 {
                return try processRoot(root, verb: verb, verbText: verbText, transaction: transaction, connection: connection)
            }
            guard sessionID >= 1 else { throw JanusError(code: JanusError.sessionNotFound) }
            if handleIDValue != nil && handleID < 1 { throw JanusError(code: JanusError.handleNotFound) }
            try checkSecret(root)
            guard let session = sessions[sessionID] else {
                throw JanusError(JanusError.sessionNotFound, "No such session \(sessionID)")
            }
            session.channel.touch()
            var handle: HandleState?
            if handleID > 0 {
                guard let found = session.handles[handleID] else {
                    throw JanusError(JanusError.handleNotFound, "No such handle \(handleID) in session \(sessionID)")
                }
                handle = found
            }
            let pathError = JanusError(JanusError.invalidRequestPath, "Unhandled request '\(verbText)' at this path")
            switch verb {
            case "keepalive":
                return .object(JanusMessages.reply("ack", sessionID: sessionID, transaction: transaction))
            case "attach":
                guard handle == nil else { throw pathError }
                return try await attach(root, session: session, transaction: transaction)
            case "destroy":
                guard handle == nil else { throw pathError }
                await destroySession(sessionID, reason: "destroy request")
                return .object(JanusMessages.reply("success", sessionID: sessionID, transaction: transaction))
            case "detach":
                guard let handle else { throw pathError }
                await detach(handle, session: session)
                return .object(JanusMessages.reply("success", sessionID: sessionID, transaction: transaction))
            case "hangup":
                guard let handle else { throw pathError }
                await handle.pluginSession.hangup(reason: "Janus API")
                return .object(JanusMessages.reply("success", sessionID: sessionID, transaction: transaction))
            case "claim":
                claim(session, connection: connection)
                return .object(JanusMessages.reply("success", sessionID: sessionID, transaction: transaction))
            case "message":
                guard let handle else { throw pathError }
                return try await message(root, handle: handle, sessionID: sessionID, transaction: transaction)
            case "trickle":
                guard let handle else { throw pathError }
                let (candidates, completed) = try RequestValidation.trickle(root)
                if !candidates.isEmpty || completed {
                    await handle.pluginSession.handleTrickle(candidates: candidates, completed: completed)
                }
                return .object(JanusMessages.reply("ack", sessionID: sessionID, transaction: transaction))
            default:
                throw JanusError(JanusError.unknownRequest, "Unknown request '\(verbText)'")
            }
        } catch {
            return JanusMessages.error(error, sessionID: sessionID, transaction: transaction)
        }
    }

    private func processRoot(
        _ root: JSONObject, verb: String, verbText: String, transaction: String, connection: (any JanusEventSink)?
    ) throws(JanusError) -> JSONValue {
        switch verb {
        case "info":
            return serverInfo(transaction: transaction)
        case "ping":
            return .object(JanusMessages.reply("pong", sessionID: nil, transaction: transaction))
        case "create":
            guard acceptingNewSessions else { throw JanusError(code: JanusError.notAcceptingSessions) }
            try checkSecret(root)
            var id: UInt64 = 0
            if let requested = root["id"]?.uint64Value, requested > 0 {
                guard sessions[requested] == nil else {
                    throw JanusError(JanusError.sessionConflict, "Session ID already in use")
                }
                id = requested
            } else {
                id = newID { sessions[$0] != nil }
            }
            let channel = SessionEventChannel(
                sessionID: id, capacity: configuration.eventQueueCapacity, logger: logger)
            let session = SessionState(id: id, channel: channel)
            if let connection {
                session.owner = ObjectIdentifier(connection)
                channel.attach(sink: connection)
            }
            sessions[id] = session
            channels.withLock { $0[id] = channel }
            logger.debug("Session created", metadata: ["session": "\(id)"])
            var reply = JanusMessages.reply("success", sessionID: nil, transaction: transaction)
            reply["data"] = ["id": JanusMessages.id(id)]
            return .object(reply)
        default:
            throw JanusError(JanusError.invalidRequestPath, "Unhandled request '\(verbText)' at this path")
        }
    }

    private func checkSecret(_ root: JSONObject) throws(JanusError) {
        guard let required = configuration.apiSecret else { return }
        guard let given = root["apisecret"]?.stringValue, constantTimeEqual(required, given) else {
            throw JanusError(code: JanusError.unauthorized)
        }
    }

    private func attach(_ root: JSONObject, session: SessionState, transaction: String) async throws(JanusError) -> JSONValue {
        try RequestValidation.check(root, "plugin", .string, required: true)
        try RequestValidation.check(root, "opaque_id", .string, required: false)
        try RequestValidation.check(root, "loop_index", .positiveInteger, required: false)
        let package = root["plugin"]?.stringValue ?? ""
        guard let plugin = plugins[package] else {
            throw JanusError(JanusError.pluginNotFound, "No such plugin '\(package)'")
        }
        let sessionID = session.id
        let handleID = newID { allHandleIDs.contains($0) || pendingHandleIDs.contains($0) }
        pendingHandleIDs.insert(handleID)
        defer { pendingHandleIDs.remove(handleID) }
        let opaqueID = root["opaque_id"]?.stringValue
        let route = HandleEventRoute(
            sessionID: sessionID, handleID: handleID, plugin: package, channel: session.channel,
            onPluginDetached: { [weak self] in
                Task { await self?.pluginDetached(sessionID: sessionID, handleID: handleID) }
            })
        let context = PluginHandleContext(
            sessionID: sessionID, handleID: handleID, opaqueID: opaqueID, push: { route.push($0) })
        let pluginSession: any JanusPluginSession
        do {
            pluginSession = try await plugin.attach(context: context)
        } catch {
            route.close()
            throw JanusError(JanusError.pluginAttach, "Couldn't attach to plugin: error '\(error)'")
        }
        // The session may have gone while the plugin was attaching.
        guard let live = sessions[sessionID], live === session else {
            route.close()
            await pluginSession.destroy()
            throw JanusError(JanusError.sessionNotFound, "No such session \(sessionID)")
        }
        session.handles[handleID] = HandleState(
            id: handleID, plugin: package, opaqueID: opaqueID, pluginSession: pluginSession, route: route)
        allHandleIDs.insert(handleID)
        logger.debug("Handle attached", metadata: ["session": "\(sessionID)", "handle": "\(handleID)", "plugin": "\(package)"])
        var reply = JanusMessages.reply("success", sessionID: sessionID, transaction: transaction)
        reply["data"] = ["id": JanusMessages.id(handleID)]
        return .object(reply)
    }

    private func message(
        _ root: JSONObject, handle: HandleState, sessionID: UInt64, transaction: String
    ) async throws(JanusError) -> JSONValue {
        try RequestValidation.check(root, "body", .object, required: true)
        let body = root["body"]?.objectValue ?? [:]
        var jsep: JSEP?
        if let jsepValue = root["jsep"] {
            jsep = try RequestValidation.jsep(jsepValue)
        }
        let result = await handle.pluginSession.handleMessage(transaction: transaction, body: body, jsep: jsep)
        switch result {
        case .success(let data):
            var reply = JanusMessages.reply("success", sessionID: sessionID, transaction: transaction)
            reply["sender"] = JanusMessages.id(handle.id)
            reply["plugindata"] = ["plugin": .string(handle.plugin), "data": .object(data)]
            return .object(reply)
        case .ack(let hint):
            var reply = JanusMessages.reply("ack", sessionID: sessionID, transaction: transaction)
            if let hint { reply["hint"] = .string(hint) }
            return .object(reply)
        case .error(let error):
            throw error
        }
    }

    private func claim(_ session: SessionState, connection: (any JanusEventSink)?) {
        session.orphanedAt = nil
        if let connection {
            session.owner = ObjectIdentifier(connection)
            session.channel.attach(sink: connection)
        } else {
            session.owner = nil
            session.channel.detachAnySink()
        }
    }

    // MARK: Teardown

    private func detach(_ handle: HandleState, session: SessionState) async {
        guard session.handles.removeValue(forKey: handle.id) != nil else { return }
        allHandleIDs.remove(handle.id)
        await handle.pluginSession.destroy()
        handle.route.finishDetached()
    }

    /// The plugin pushed `.detached`: drop the handle and release the plugin session.
    private func pluginDetached(sessionID: UInt64, handleID: UInt64) async {
        guard let session = sessions[sessionID], let handle = session.handles.removeValue(forKey: handleID) else {
            return
        }
        allHandleIDs.remove(handleID)
        await handle.pluginSession.destroy()
    }

    private func destroySession(_ id: UInt64, reason: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        channels.withLock { $0[id] = nil }
        logger.debug("Session destroyed", metadata: ["session": "\(id)", "reason": "\(reason)"])
        session.channel.close()
        let handles = Array(session.handles.values)
        session.handles.removeAll()
        for handle in handles {
            handle.route.close()
            allHandleIDs.remove(handle.id)
        }
        for handle in handles { await handle.pluginSession.destroy() }
    }

    // MARK: Helpers

    /// A random id in 1..<2^53 from the system CSPRNG (janus-api.md §1), not rejected by `taken`.
    private func newID(taken: (UInt64) -> Bool) -> UInt64 {
        var rng = SystemRandomNumberGenerator()
        while true {
            let candidate = UInt64.random(in: 1...((1 << 53) - 1), using: &rng)
            if !taken(candidate) { return candidate }
        }
    }

    private func serverInfo(transaction: String) -> JSONValue {
        func infoObject(_ info: JanusPluginInfo) -> JSONValue {
            [
                "name": .string(info.name), "author": .string(info.author),
                "description": .string(info.description), "version_string": .string(info.versionString),
                "version": .int(Int64(info.version)),
            ]
        }
        var pluginMap: JSONObject = [:]
        for plugin in pluginOrder { pluginMap[plugin.package] = infoObject(plugin.info) }
        var transportMap: JSONObject = [:]
        for (name, info) in configuration.transports { transportMap[name] = infoObject(info) }
        var reply = JanusMessages.reply("server_info", sessionID: nil, transaction: transaction)
        let fields: JSONObject = [
            "name": .string(Self.productName),
            "version": .int(Int64(Self.version)),
            "version_string": .string(Self.versionString),
            "author": "swift-sfu contributors",
            "commit-hash": "not-a-git-repo",
            "compile-time": "",
            "log-to-stdout": true,
            "log-to-file": false,
            "data_channels": true,
            "accepting-new-sessions": .bool(acceptingNewSessions),
            "session-timeout": .int(Int64(configuration.sessionTimeout)),
            "reclaim-session-timeout": .int(Int64(configuration.reclaimSessionTimeout)),
            "candidates-timeout": .int(Int64(configuration.candidatesTimeout)),
            "server-name": .string(configuration.serverName),
            "ipv6": false,
            "ice-lite": true,
            "ice-tcp": false,
            "full-trickle": false,
            "api_secret": .bool(configuration.apiSecret != nil),
            "auth_token": false,
            "event_handlers": false,
            "opaqueid_in_api": false,
            "dependencies": [:],
            "transports": .object(transportMap),
            "events": [:],
            "loggers": [:],
            "plugins": .object(pluginMap),
        ]
        reply.merge(fields) { current, _ in current }
        return .object(reply)
    }
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

/// One-shot hand-over of long-poll events to an awaiting task.
final class LongPollBox: Sendable {
    private struct State {
        var events: [JSONValue]?
        var continuation: CheckedContinuation<[JSONValue], Never>?
    }
    private let state = Locked(State())

    func fulfil(_ events: [JSONValue]) {
        let continuation: CheckedContinuation<[JSONValue], Never>? = state.withLock { s in
            guard s.events == nil else { return nil }
            s.events = events
            let c = s.continuation
            s.continuation = nil
            return c
        }
        continuation?.resume(returning: events)
    }

    func wait() async -> [JSONValue] {
        await withCheckedContinuation { continuation in
            let ready: [JSONValue]? = state.withLock { s in
                if let events = s.events { return events }
                s.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
