import Logging

/// Request validation and dispatch (janus-api.md §3, janus.c `janus_process_incoming_request`).
extension JanusCore {
    // MARK: Dispatch

    /// Work that Janus does after answering (plugin teardown on `detach`, hangup on `hangup`),
    /// so that a WebSocket client sees `success` before the `detached`/`hangup` events.
    final class AfterReply {
        var actions: [@Sendable () async -> Void] = []
    }

    /// Runs `action` now, or after the reply has been sent when the transport collects them.
    func runOrDefer(_ after: AfterReply?, _ action: @escaping @Sendable () async -> Void) async {
        if let after { after.actions.append(action) } else { await action() }
    }

    func process(
        _ root: JSONObject, connection: (any JanusEventSink)?, after: AfterReply? = nil, trusted: Bool = false
    ) async -> JSONValue {
        let reply = await processUncounted(root, connection: connection, after: after, trusted: trusted)
        // Clients' requests only: the library's own room API is not traffic.
        guard !trusted else { return reply }
        let code = reply["janus"]?.stringValue == "error" ? Int(reply["error"]?["code"]?.int64Value ?? 0) : 0
        requestStatistics.record(request: (root["janus"]?.stringValue ?? "").lowercased(), errorCode: code)
        return reply
    }

    private func processUncounted(
        _ root: JSONObject, connection: (any JanusEventSink)?, after: AfterReply?, trusted: Bool
    ) async -> JSONValue {
        // Ids first, so even a rejected request's error carries its session_id (janus-api.md §2.1).
        let handleIDValue = root["handle_id"].flatMap { $0.isNull ? nil : $0 }
        let sessionID = Self.janusID(root["session_id"])
        let handleID = Self.janusID(handleIDValue)
        do throws(JanusError) {
            try RequestValidation.check(root, "transaction", .string, required: true)
            try RequestValidation.check(root, "janus", .string, required: true)
            try RequestValidation.check(root, "id", .positiveInteger, required: false)
        } catch {
            // Like Janus, envelope errors do not echo the transaction (it may be what is wrong).
            return JanusMessages.error(error, sessionID: sessionID, transaction: nil)
        }
        let transaction = root["transaction"]?.stringValue ?? ""
        let verb = (root["janus"]?.stringValue ?? "").lowercased()
        let verbText = root["janus"]?.stringValue ?? ""
        do throws(JanusError) {
            if sessionID == 0 && handleID == 0 {
                return try processRoot(
                    root, verb: verb, verbText: verbText, transaction: transaction, connection: connection, trusted: trusted)
            }
            guard sessionID >= 1 else { throw JanusError(code: JanusError.sessionNotFound) }
            if handleIDValue != nil && handleID < 1 { throw JanusError(code: JanusError.handleNotFound) }
            if !trusted { try checkSecret(root) }
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
                // The handle is gone for later requests at once; the plugin hears of it after the reply.
                guard session.handles.removeValue(forKey: handle.id) != nil else {
                    throw JanusError(JanusError.handleNotFound, "No such handle \(handleID) in session \(sessionID)")
                }
                allHandleIDs.remove(handle.id)
                await runOrDefer(after) {
                    await handle.pluginSession.destroy()
                    handle.route.finishDetached()
                }
                return .object(JanusMessages.reply("success", sessionID: sessionID, transaction: transaction))
            case "hangup":
                guard let handle else { throw pathError }
                let pluginSession = handle.pluginSession
                await runOrDefer(after) { await pluginSession.hangup(reason: "Janus API") }
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

    func processRoot(
        _ root: JSONObject, verb: String, verbText: String, transaction: String, connection: (any JanusEventSink)?,
        trusted: Bool = false
    ) throws(JanusError) -> JSONValue {
        switch verb {
        case "info":
            return serverInfo(transaction: transaction)
        case "ping":
            return .object(JanusMessages.reply("pong", sessionID: nil, transaction: transaction))
        case "create":
            guard acceptingNewSessions else { throw JanusError(code: JanusError.notAcceptingSessions) }
            if !trusted { try checkSecret(root) }
            // Janus has no session limit; 472 is its "not accepting new sessions" (the embedder's
            // own room API is not held to it).
            if !trusted, configuration.maxSessions > 0, sessions.count >= configuration.maxSessions {
                limitStatistics.record(.sessions)
                logger.warning("Session refused: limit reached", metadata: ["limit": "\(configuration.maxSessions)"])
                throw JanusError(
                    JanusError.notAcceptingSessions, "Maximum number of sessions (\(configuration.maxSessions)) reached")
            }
            var id: UInt64 = 0
            if let requested = root["id"]?.uint64Value, requested > 0 {
                guard sessions[requested] == nil else {
                    var reply = JanusMessages.reply("error", sessionID: requested, transaction: transaction)
                    reply["error"] = ["code": .int(Int64(JanusError.sessionConflict)), "reason": "Session ID already in use"]
                    return .object(reply)
                }
                id = requested
            } else {
                id = newID { sessions[$0] != nil }
            }
            let channel = SessionEventChannel(
                sessionID: id, capacity: configuration.eventQueueCapacity, logger: logger, statistics: limitStatistics)
            let session = SessionState(id: id, channel: channel)
            if trusted {
                session.transport = "sfu.library"
            } else if connection != nil {
                session.transport = "janus.transport.websockets"
            }
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

    /// janus.c `janus_request_check_secret`: with an API secret and/or token auth configured, a
    /// request needs the right `apisecret` or a stored `token` (either is enough).
    func checkSecret(_ root: JSONObject) throws(JanusError) {
        guard !Self.authorized(
            configuration, tokens: tokens, apiSecret: root["apisecret"]?.stringValue, token: root["token"]?.stringValue)
        else { return }
        throw JanusError(code: JanusError.unauthorized)
    }

    /// The shared rule of requests and long polls (`?apisecret=` / `?token=`).
    nonisolated static func authorized(
        _ configuration: JanusCoreConfiguration, tokens: JanusTokenStore, apiSecret: String?, token: String?
    ) -> Bool {
        if configuration.apiSecret == nil && !configuration.tokenAuth { return true }
        if let required = configuration.apiSecret, let apiSecret, constantTimeEqual(required, apiSecret) { return true }
        if configuration.tokenAuth, let token, tokens.contains(token) { return true }
        return false
    }

    func attach(_ root: JSONObject, session: SessionState, transaction: String) async throws(JanusError) -> JSONValue {
        try RequestValidation.check(root, "plugin", .string, required: true)
        try RequestValidation.check(root, "opaque_id", .string, required: false)
        try RequestValidation.check(root, "loop_index", .positiveInteger, required: false)
        let package = root["plugin"]?.stringValue ?? ""
        guard let plugin = plugins[package] else {
            throw JanusError(JanusError.pluginNotFound, "No such plugin '\(package)'")
        }
        // janus.c: with token auth on, a given token must be allowed this plugin (405).
        let token = configuration.tokenAuth ? root["token"]?.stringValue : nil
        if let token, !(tokens.plugins(of: token)?.contains(package) ?? false) {
            throw JanusError(JanusError.unauthorizedPlugin, "Provided token can't access plugin '\(package)'")
        }
        let sessionID = session.id
        let maxHandles = configuration.maxHandlesPerSession
        if maxHandles > 0, session.handles.count + session.pendingAttaches >= maxHandles {
            limitStatistics.record(.handlesPerSession)
            throw JanusError(
                JanusError.pluginAttach, "Couldn't attach to plugin: maximum number of handles per session (\(maxHandles)) reached")
        }
        session.pendingAttaches += 1
        defer { session.pendingAttaches -= 1 }
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
            id: handleID, plugin: package, opaqueID: opaqueID, token: token, pluginSession: pluginSession, route: route)
        allHandleIDs.insert(handleID)
        logger.debug("Handle attached", metadata: ["session": "\(sessionID)", "handle": "\(handleID)", "plugin": "\(package)"])
        var reply = JanusMessages.reply("success", sessionID: sessionID, transaction: transaction)
        reply["data"] = ["id": JanusMessages.id(handleID)]
        return .object(reply)
    }

    func message(
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

    func claim(_ session: SessionState, connection: (any JanusEventSink)?) {
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

    /// The plugin pushed `.detached`: drop the handle and release the plugin session.
    func pluginDetached(sessionID: UInt64, handleID: UInt64) async {
        guard let session = sessions[sessionID], let handle = session.handles.removeValue(forKey: handleID) else {
            return
        }
        allHandleIDs.remove(handleID)
        await handle.pluginSession.destroy()
    }

    func destroySession(_ id: UInt64, reason: String) async {
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

    /// An id as Janus reads it (`json_integer_value` into a `guint64`): a JSON integer, negative
    /// ones wrapping to huge ids that match nothing; any other type (string, real, null) is 0,
    /// so `{"janus":"keepalive","session_id":"5"}` is a root request (457), not a type error.
    static func janusID(_ value: JSONValue?) -> UInt64 {
        guard case .int(let integer)? = value else { return 0 }
        return UInt64(bitPattern: integer)
    }

    /// A random id in 1..<2^53 from the system CSPRNG (janus-api.md §1), not rejected by `taken`.
    func newID(taken: (UInt64) -> Bool) -> UInt64 {
        var rng = SystemRandomNumberGenerator()
        while true {
            let candidate = UInt64.random(in: 1...((1 << 53) - 1), using: &rng)
            if !taken(candidate) { return candidate }
        }
    }
}
