/// One Janus REST request as an embedder's own HTTP server received it (janus-api.md §7.1).
/// Plain values: the embedder copies them out of whatever HTTP library it runs.
public struct JanusHTTPRequest: Sendable {
    /// The HTTP method in upper case: `GET`, `POST` or `OPTIONS` (others get a 450 reply).
    public var method: String
    /// The path, starting with the configured base path (`/janus`, `/janus/<sid>`, …).
    public var path: String
    /// The raw query string without `?` (`maxev=5&apisecret=…`), empty when there is none.
    public var query: String
    /// Request headers; only the CORS preflight ones (`Access-Control-Request-*`) are read.
    public var headers: [(name: String, value: String)]
    /// The POST body (a JSON object), empty for GET.
    public var body: [UInt8]

    /// A request with these values.
    public init(
        method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The answer to a `JanusHTTPRequest`: status, headers (CORS, `Content-Type`, `Location`) and body.
/// The embedder adds framing headers (`Content-Length`, `Connection`) as its server does.
public struct JanusHTTPResponse: Sendable {
    /// HTTP status: 200 for every Janus reply (errors included), 302, 400, 403 or 404 otherwise.
    public var status: Int
    /// Headers to send: CORS, and `Content-Type`/`Location` where they apply.
    public var headers: [(name: String, value: String)]
    /// JSON bytes, or empty.
    public var body: [UInt8]

    /// A response with these values.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body parsed as JSON (nil when empty or not JSON).
    public var json: JSONValue? { body.isEmpty ? nil : try? JSONParser.parse(body, topLevel: .container) }
}

extension JanusServerConfiguration {
    var httpOptions: JanusHTTPOptions {
        var options = JanusHTTPOptions()
        options.basePath = basePath
        options.maxBodySize = maxRequestBodySize
        options.longPollHold = .nanoseconds(Int64(max(0, longPollHold) * 1e9))
        options.allowOrigin = corsAllowOrigin
        options.sideRoutes = sideRoutes
        options.maxRequestsPerSecond = maxRequestsPerSecond
        return options
    }
}

extension JanusAPIServer {
    /// Serves one Janus REST request handed over by an embedder's own HTTP server, through the
    /// same routing, validation and core as the built-in HTTP listener (which may then be off:
    /// `httpPort = nil`). A long poll (`GET <base>/<sid>`) suspends until events arrive or
    /// `longPollHold` passes; cancelling the calling task ends it early (undelivered events are
    /// kept for the next poll). Callable from any task, concurrently.
    public func respond(to request: JanusHTTPRequest) async -> JanusHTTPResponse {
        let options = configuration.httpOptions
        let uri = request.query.isEmpty ? request.path : request.path + "?" + request.query
        let tooLarge = request.body.count > options.maxBodySize
        let cors = options.corsHeaders(
            requestMethod: request.header("Access-Control-Request-Method"),
            requestHeaders: request.header("Access-Control-Request-Headers"))
        func answer(_ status: Int, _ json: JSONValue?, _ extra: [(String, String)] = []) -> JanusHTTPResponse {
            var headers = (cors + extra).map { (name: $0.0, value: $0.1) }
            if json != nil { headers.append((name: "Content-Type", value: "application/json")) }
            return JanusHTTPResponse(status: status, headers: headers, body: json.map(JSONSerializer.serialize) ?? [])
        }
        switch JanusHTTPAction.plan(method: request.method, uri: uri, options: options, bodyTooLarge: tooLarge) {
        case .respond(let status, let json, let extra):
            return answer(status, json, extra)
        case .coreRequest(let coreRequest):
            return answer(200, await core.handle(request: coreRequest))
        case .touchAndRedirect(let sessionID, let location):
            core.touchSession(sessionID)
            return answer(302, nil, [("Location", location)])
        case .longPoll(let sessionID, let maxEvents, let apiSecret, let token):
            let box = LongPollBox()
            let start = core.beginLongPoll(sessionID: sessionID, maxEvents: maxEvents, apiSecret: apiSecret, token: token) {
                box.fulfil($0)
            }
            switch start {
            case nil: return answer(403, nil)
            case .sessionNotFound?: return answer(404, nil)
            case .events(let events)?:
                return answer(200, JanusCore.longPollBody(events: events, maxEvents: maxEvents))
            case .waiting(let ticket)?:
                let hold = options.longPollHold
                let events = await withTaskCancellationHandler {
                    let timer = Task {
                        try? await Task.sleep(for: .nanoseconds(hold.nanoseconds))
                        if ticket.cancel() { box.fulfil([]) }
                    }
                    defer { timer.cancel() }
                    return await box.wait()
                } onCancel: {
                    if ticket.cancel() { box.fulfil([]) }
                }
                if Task.isCancelled, !events.isEmpty {
                    // The caller is gone: the next poll gets these.
                    ticket.requeue(events)
                    return answer(200, JanusCore.longPollBody(events: [], maxEvents: maxEvents))
                }
                return answer(200, JanusCore.longPollBody(events: events, maxEvents: maxEvents))
            }
        case .post(let sessionID, let handleID):
            return answer(200, await core.handleHTTP(body: request.body, pathSessionID: sessionID, pathHandleID: handleID))
        case .side(let route, _, _):
            return await route.handler(request)
        }
    }
}
