/// What the REST transport does with one request (janus-api.md §7.1), decided from the method,
/// URI and body size alone: pure, no I/O. Shared by the NIO handler (`JanusHTTPHandler`) and
/// the embedder entry point (`JanusAPIServer.respond(to:)`), so both answer exactly alike.
enum JanusHTTPAction {
    /// Answer at once: an HTTP status, an optional JSON body, extra headers.
    case respond(status: Int, json: JSONValue?, extraHeaders: [(String, String)])
    /// `GET /janus/info` or `/janus/ping`: a core request built by the transport.
    case coreRequest(JSONValue)
    /// `GET /janus/<sid>/<hid>`: counts as activity on the session, then redirects to its poll URL.
    case touchAndRedirect(sessionID: UInt64, location: String)
    /// `GET /janus/<sid>`: a long poll.
    case longPoll(sessionID: UInt64, maxEvents: Int, apiSecret: String?, token: String?)
    /// A POSTed Janus request with the ids its path carries.
    case post(pathSessionID: UInt64?, pathHandleID: UInt64?)
    /// A side route (`GET /metrics`, `/admin`): its handler answers.
    case side(HTTPSideRoute, path: String, query: String)

    static func plan(method: String, uri: String, options: JanusHTTPOptions, bodyTooLarge: Bool) -> JanusHTTPAction {
        if method == "OPTIONS" { return .respond(status: 200, json: nil, extraHeaders: []) }
        if let (route, path, query) = options.sideRoutes.route(for: uri) {
            guard route.methods.contains(method) else { return .respond(status: 405, json: nil, extraHeaders: []) }
            return .side(route, path: path, query: query)
        }
        let janusRoute = options.servesJanusAPI ? JanusHTTPRoute.parse(uri: uri, basePath: options.basePath) : nil
        if janusRoute == nil, let (route, path, query) = options.sideRoutes.fallback(for: uri) {
            guard route.methods.contains(method) else { return .respond(status: 405, json: nil, extraHeaders: []) }
            return .side(route, path: path, query: query)
        }
        guard options.servesJanusAPI else { return .respond(status: 404, json: nil, extraHeaders: []) }
        guard method == "GET" || method == "POST" else {
            let error = JanusError(JanusError.transportSpecific, "Unsupported method \(method)")
            return .respond(
                status: 200, json: JanusMessages.error(error, sessionID: nil, transaction: nil), extraHeaders: [])
        }
        guard let route = janusRoute else {
            return .respond(status: 404, json: nil, extraHeaders: [])
        }
        switch (method, route.target) {
        case ("GET", .info), ("GET", .ping):
            let verb: JSONValue = route.target == .info ? "info" : "ping"
            return .coreRequest(["janus": verb, "transaction": .string(randomTransaction())])
        case (_, .info), (_, .ping):
            return .respond(status: 400, json: nil, extraHeaders: [])
        case ("GET", .root):
            return .respond(status: 404, json: nil, extraHeaders: [])
        case ("GET", .handle(let sid, _)):
            return .touchAndRedirect(sessionID: sid, location: JanusHTTPRoute.normalized(options.basePath) + "/\(sid)")
        case ("GET", .session(let sid)):
            return .longPoll(
                sessionID: sid, maxEvents: route.maxEvents, apiSecret: route.query["apisecret"],
                token: route.query["token"])
        default:
            if bodyTooLarge {
                let error = JanusError(
                    JanusError.transportSpecific, "Request body too large (limit \(options.maxBodySize) bytes)")
                return .respond(
                    status: 200, json: JanusMessages.error(error, sessionID: nil, transaction: nil), extraHeaders: [])
            }
            return .post(pathSessionID: route.pathSessionID, pathHandleID: route.pathHandleID)
        }
    }

    private static func randomTransaction() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<12).map { _ in alphabet.randomElement() ?? "x" })
    }
}

extension JanusHTTPOptions {
    /// CORS headers as Janus's HTTP transport sends them on every response, given the request's
    /// `Access-Control-Request-Method` / `-Headers` (preflight echoes).
    func corsHeaders(requestMethod: String?, requestHeaders: String?) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let allowOrigin {
            headers.append(("Access-Control-Allow-Origin", allowOrigin))
            headers.append(("Access-Control-Allow-Credentials", "true"))
            headers.append(("Vary", "Origin"))
        } else {
            headers.append(("Access-Control-Allow-Origin", "*"))
        }
        headers.append(("Access-Control-Max-Age", "86400"))
        if let requestMethod { headers.append(("Access-Control-Allow-Methods", requestMethod)) }
        if let requestHeaders { headers.append(("Access-Control-Allow-Headers", requestHeaders)) }
        return headers
    }
}
