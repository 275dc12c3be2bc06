/// The `push` target given to a plugin session: turns `PluginEvent`s into session-channel
/// messages for one handle, and stops delivering once the handle is gone (janus-api.md §4).
/// Called from any thread; ordering is the session channel's.
final class HandleEventRoute: Sendable {
    let sessionID: UInt64
    let handleID: UInt64
    let plugin: String
    private let channel: SessionEventChannel
    private let open = Locked(true)
    /// Told when the plugin ends the handle itself (`PluginEvent.detached`).
    private let onPluginDetached: @Sendable () -> Void

    init(
        sessionID: UInt64, handleID: UInt64, plugin: String, channel: SessionEventChannel,
        onPluginDetached: @escaping @Sendable () -> Void
    ) {
        self.sessionID = sessionID
        self.handleID = handleID
        self.plugin = plugin
        self.channel = channel
        self.onPluginDetached = onPluginDetached
    }

    func push(_ event: PluginEvent) {
        let message = JanusMessages.event(event, sessionID: sessionID, handleID: handleID, plugin: plugin)
        var pluginDetached = false
        open.withLock { isOpen in
            guard isOpen else { return }
            // Pushed while holding our flag so nothing can slip in after `detached`.
            channel.push(message)
            if case .detached = event {
                isOpen = false
                pluginDetached = true
            }
        }
        if pluginDetached { onPluginDetached() }
    }

    /// Sends the final `detached` notification and stops delivery (detach request).
    func finishDetached() {
        open.withLock { isOpen in
            guard isOpen else { return }
            channel.push(JanusMessages.detached(sessionID: sessionID, handleID: handleID))
            isOpen = false
        }
    }

    /// Stops delivery silently (session destroyed or expired).
    func close() {
        open.withLock { $0 = false }
    }
}
