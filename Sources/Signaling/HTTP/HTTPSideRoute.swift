/// A plain HTTP endpoint served beside (or instead of) the Janus REST API on a listener: the
/// Prometheus `GET /metrics`, the Admin API's `/admin`. The handler gets the request as an
/// embedder would (`JanusHTTPRequest`) and answers with any status, headers and body.
public struct HTTPSideRoute: Sendable {
    /// Which paths the route takes: one exact path, or a path and everything below it
    /// (`/admin` takes `/admin`, `/admin/1`, `/admin/1/2`), or every path that neither another
    /// route nor the Janus API takes (the web client's static files at `/`).
    public enum Match: Sendable, Hashable {
        case exact(String)
        case subtree(String)
        case fallback
    }

    public var methods: Set<String>
    public var match: Match
    public var handler: @Sendable (JanusHTTPRequest) async -> JanusHTTPResponse

    public init(
        methods: Set<String>, match: Match, handler: @escaping @Sendable (JanusHTTPRequest) async -> JanusHTTPResponse
    ) {
        self.methods = methods
        self.match = match
        self.handler = handler
    }

    /// Whether this route answers `path` (without the query). Methods are checked by the caller,
    /// so a wrong method on a known path can be refused rather than passed to the Janus API.
    func takes(path: String) -> Bool {
        switch match {
        case .exact(let exact): return path == exact
        case .subtree(let root): return path == root || path.hasPrefix(root + "/")
        case .fallback: return false
        }
    }
}

extension [HTTPSideRoute] {
    /// The route for `uri` (path and query), with the request's path and query split.
    func route(for uri: String) -> (route: HTTPSideRoute, path: String, query: String)? {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts.first ?? "")
        let query = parts.count > 1 ? String(parts[1]) : ""
        guard let route = first(where: { $0.takes(path: path) }) else { return nil }
        return (route, path, query)
    }

    /// The fallback route (if any) with `uri`'s path and query split; asked only once neither
    /// the other routes nor the Janus API take the path.
    func fallback(for uri: String) -> (route: HTTPSideRoute, path: String, query: String)? {
        guard let route = first(where: { $0.match == .fallback }) else { return nil }
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return (route, String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
    }
}
