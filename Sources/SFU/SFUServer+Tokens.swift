/// Janus stored-token authentication (`SFUOptions.tokenAuth`) from the library: the same store
/// the Admin API's `add_token` / `list_tokens` / `remove_token` change.
extension SFUServer {
    /// Stores `token`, allowed `plugins` (nil: every plugin); returns the plugins it may use.
    /// Throws `SFUError.janus` 490 when token auth is off.
    @discardableResult
    public func addToken(_ token: String, plugins: [String]? = nil) async throws(SFUError) -> [String] {
        let core = try await runtime().api.core
        do { return try core.addToken(token, plugins: plugins) } catch { throw .janus(code: error.code, reason: error.reason) }
    }

    /// Removes a stored token (its sessions stay; new requests with it get 403).
    public func removeToken(_ token: String) async throws(SFUError) {
        let core = try await runtime().api.core
        do { try core.removeToken(token) } catch { throw .janus(code: error.code, reason: error.reason) }
    }

    /// The stored tokens and the plugins each may use.
    public func tokens() async throws(SFUError) -> [(token: String, plugins: [String])] {
        let core = try await runtime().api.core
        do { return try core.listTokens().map { ($0.token, $0.plugins) } } catch {
            throw .janus(code: error.code, reason: error.reason)
        }
    }
}
