/// Janus's stored-token authentication (`token_auth = true`, auth.c): the tokens that may use
/// the Janus API and, per token, the plugins it may attach to. Tokens come from the Admin API
/// (`add_token`, `allow_token`, `disallow_token`, `remove_token`) or the library.
///
/// Thread-safe (one lock, touched per request, never per packet): the core checks requests on
/// its actor, HTTP long polls check `?token=` from a NIO event loop.
public final class JanusTokenStore: Sendable {
    /// A stored token and the plugin packages it may attach to, in the order they were allowed.
    public struct Entry: Sendable, Hashable {
        public var token: String
        public var plugins: [String]
    }

    private let entries = Locked<[Entry]>([])

    public init() {}

    /// Adds `token` (kept if it already exists) and allows it `plugins`. Returns the plugins it
    /// may now use.
    @discardableResult
    public func add(_ token: String, plugins: [String]) -> [String] {
        entries.withLock { list in
            let index = list.firstIndex { $0.token == token } ?? {
                list.append(Entry(token: token, plugins: []))
                return list.count - 1
            }()
            for plugin in plugins where !list[index].plugins.contains(plugin) { list[index].plugins.append(plugin) }
            return list[index].plugins
        }
    }

    /// Takes `plugins` away from an existing token; nil when the token does not exist.
    public func disallow(_ token: String, plugins: [String]) -> [String]? {
        entries.withLock { list in
            guard let index = list.firstIndex(where: { $0.token == token }) else { return nil }
            list[index].plugins.removeAll { plugins.contains($0) }
            return list[index].plugins
        }
    }

    /// Removes `token`; false when it did not exist.
    @discardableResult
    public func remove(_ token: String) -> Bool {
        entries.withLock { list in
            guard let index = list.firstIndex(where: { $0.token == token }) else { return false }
            list.remove(at: index)
            return true
        }
    }

    /// Every stored token, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    /// The plugins `token` may use; nil when it is not a stored token.
    public func plugins(of token: String) -> [String]? {
        entries.withLock { list in list.first { constantTimeEqual($0.token, token) }?.plugins }
    }

    /// Whether `token` is a stored token.
    public func contains(_ token: String) -> Bool { plugins(of: token) != nil }
}
