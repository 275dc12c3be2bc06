/// What the Admin API reads and does inside the core (janus.c admin handlers): listings, one
/// handle's view, and the session/handle actions. Everything on the actor.
extension JanusCore {
    /// A handle as `handle_info` shows it (before the plugin and the media plane are asked).
    struct AdminHandleView: Sendable {
        var sessionID: UInt64
        var sessionLastActivity: ContinuousClock.Instant
        var sessionTransport: String
        var handleID: UInt64
        var opaqueID: String?
        var token: String?
        var created: ContinuousClock.Instant
        var plugin: String
        var pluginSession: any JanusPluginSession
    }

    /// Janus's lookup errors: 458 "No such session", 459 "No such handle … in session …".
    func adminSession(_ sessionID: UInt64) throws(JanusError) -> SessionState {
        guard let session = sessions[sessionID] else {
            throw JanusError(JanusError.sessionNotFound, "No such session \(sessionID)")
        }
        return session
    }

    func adminHandle(_ sessionID: UInt64, _ handleID: UInt64) throws(JanusError) -> (SessionState, HandleState) {
        let session = try adminSession(sessionID)
        guard let handle = session.handles[handleID] else {
            throw JanusError(JanusError.handleNotFound, "No such handle \(handleID) in session \(sessionID)")
        }
        return (session, handle)
    }

    /// Every live session id, ascending.
    public var sessionIDs: [UInt64] { sessions.keys.sorted() }

    /// The handle ids of a session, ascending (458 when there is no such session).
    func adminHandleIDs(_ sessionID: UInt64) throws(JanusError) -> [UInt64] {
        try adminSession(sessionID).handles.keys.sorted()
    }

    func adminHandleView(_ sessionID: UInt64, _ handleID: UInt64) throws(JanusError) -> AdminHandleView {
        let (session, handle) = try adminHandle(sessionID, handleID)
        return AdminHandleView(
            sessionID: sessionID, sessionLastActivity: session.channel.lastActivity,
            sessionTransport: session.transport, handleID: handleID, opaqueID: handle.opaqueID, token: handle.token,
            created: handle.created, plugin: handle.plugin, pluginSession: handle.pluginSession)
    }

    /// `destroy_session`: as a `destroy` request (plugins detach, the client gets nothing more).
    func adminDestroySession(_ sessionID: UInt64) async throws(JanusError) {
        _ = try adminSession(sessionID)
        await destroySession(sessionID, reason: "Admin API")
    }

    /// `detach_handle`: as a `detach` request (the client gets `detached`).
    func adminDetachHandle(_ sessionID: UInt64, _ handleID: UInt64) async throws(JanusError) {
        let (session, handle) = try adminHandle(sessionID, handleID)
        session.handles.removeValue(forKey: handleID)
        allHandleIDs.remove(handleID)
        await handle.pluginSession.destroy()
        handle.route.finishDetached()
    }

    /// `hangup_webrtc`: the plugin closes the PeerConnection (the client gets `hangup` with
    /// reason "Admin API"), the handle stays.
    func adminHangup(_ sessionID: UInt64, _ handleID: UInt64) async throws(JanusError) {
        let (_, handle) = try adminHandle(sessionID, handleID)
        await handle.pluginSession.hangup(reason: "Admin API")
    }

    /// `get_status` figures the core knows.
    var adminStatus: JSONObject {
        [
            "token_auth": .bool(configuration.tokenAuth),
            "session_timeout": .int(Int64(configuration.sessionTimeout)),
            "reclaim_session_timeout": .int(Int64(configuration.reclaimSessionTimeout)),
            "candidates_timeout": .int(Int64(configuration.candidatesTimeout)),
        ]
    }

    /// The `info` reply (shared with the Janus API).
    func adminServerInfo(transaction: String) -> JSONValue { serverInfo(transaction: transaction) }
}
