/// Token management as Janus's `janus_request_allow_token` does it, shared by the Admin API
/// (`add_token`, `allow_token`, `disallow_token`, `remove_token`) and the library.
extension JanusCore {
    /// The packages of the plugins this core serves, in registration order.
    public nonisolated var pluginPackages: [String] { pluginOrder.map(\.package) }

    /// Stores `token` (no-op if stored) allowed to use `plugins`; nil or empty allows every
    /// plugin. Unknown plugin names are skipped, as Janus does. Returns the plugins the token
    /// may use now. Throws 490 when token auth is off (Janus: "Stored-Token based
    /// authentication disabled").
    @discardableResult
    public nonisolated func addToken(_ token: String, plugins: [String]? = nil) throws(JanusError) -> [String] {
        try requireTokenAuth()
        let known = pluginPackages
        let wanted = (plugins?.isEmpty ?? true) ? known : plugins!.filter(known.contains)
        return tokens.add(token, plugins: wanted)
    }

    /// Allows (or with `allow: false` disallows) an existing token some plugins. Throws 470 for
    /// an unknown token and 467 when `plugins` is empty or names a plugin that does not exist.
    public nonisolated func allowToken(_ token: String, plugins: [String], allow: Bool) throws(JanusError) -> [String] {
        try requireTokenAuth()
        let known = pluginPackages
        guard !plugins.isEmpty else {
            throw JanusError(JanusError.invalidElementType, "Invalid element type (plugins should be a non-empty array)")
        }
        guard tokens.contains(token) else { throw JanusError(JanusError.tokenNotFound, "Token \(token) not found") }
        guard plugins.allSatisfy(known.contains) else {
            throw JanusError(JanusError.invalidElementType, "Invalid element type (some of the provided plugins are invalid)")
        }
        if allow { return tokens.add(token, plugins: plugins) }
        return tokens.disallow(token, plugins: plugins) ?? []
    }

    /// Removes a stored token. Throws 490 when it does not exist ("Error removing token", as Janus).
    public nonisolated func removeToken(_ token: String) throws(JanusError) {
        try requireTokenAuth()
        guard tokens.remove(token) else { throw JanusError(JanusError.unknown, "Error removing token") }
    }

    /// The stored tokens that may use at least one plugin (Janus lists only those).
    public nonisolated func listTokens() throws(JanusError) -> [JanusTokenStore.Entry] {
        try requireTokenAuth()
        return tokens.all.filter { !$0.plugins.isEmpty }
    }

    private nonisolated func requireTokenAuth() throws(JanusError) {
        guard configuration.tokenAuth else {
            throw JanusError(JanusError.unknown, "Stored-Token based authentication disabled")
        }
    }
}
