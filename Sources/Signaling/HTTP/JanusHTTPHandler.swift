import Logging
import NIOCore
import NIOHTTP1

/// Settings of the REST transport (janus-api.md §7.1).
struct JanusHTTPOptions: Sendable {
    var basePath: String = "/janus"
    /// Largest accepted POST body; bigger ones get a 450 Janus error.
    var maxBodySize: Int = 1 << 20
    /// How long a long poll with nothing to deliver is held before `keepalive` (Janus: 30 s).
    var longPollHold: TimeAmount = .seconds(30)
    /// CORS `allow_origin`; nil answers `Access-Control-Allow-Origin: *`.
    var allowOrigin: String? = nil
    /// Plain endpoints served before the Janus routes (`GET /metrics`, the Admin API).
    var sideRoutes: [HTTPSideRoute] = []
    /// False on listeners that serve only `sideRoutes` (everything else: 404).
    var servesJanusAPI = true
    /// Janus API POSTs a second per connection (burst: twice that); 0: no limit.
    var maxRequestsPerSecond = 0
}

/// The Janus REST + long-poll transport on one HTTP/1.1 connection: turns requests into
/// `JanusCore` calls and replies into responses. Every Janus result (errors included) is
/// HTTP 200 `application/json`; only transport failures use other statuses (404, 302, 400).
///
/// A NIO channel handler: all its state is touched on the channel's event loop only; results of
/// core calls hop back to the loop. `HTTPServerPipelineHandler` (installed with the pipeline)
/// guarantees one request at a time per connection.
final class JanusHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private struct ActivePoll {
        var ticket: JanusCore.LongPollTicket
        var timer: Scheduled<Void>?
        var maxEvents: Int
        var head: HTTPRequestHead
    }

    private let core: JanusCore
    private let options: JanusHTTPOptions
    private let logger: Logger
    private let inFlight: InFlightCounter
    private var requestHead: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    private var activePoll: ActivePoll?
    private var connectionClosed = false
    /// This connection's request budget (nil: no rate limit).
    private let budget: RequestBudget?

    init(core: JanusCore, options: JanusHTTPOptions, logger: Logger, inFlight: InFlightCounter = InFlightCounter()) {
        self.core = core
        self.options = options
        self.logger = logger
        self.inFlight = inFlight
        self.budget = options.maxRequestsPerSecond > 0 ? RequestBudget(perSecond: options.maxRequestsPerSecond) : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
            bodyTooLarge = false
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > options.maxBodySize {
                bodyTooLarge = true
                body = nil
            } else {
                body = context.channel.allocator.buffer(capacity: 0)
            }
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > options.maxBodySize {
                bodyTooLarge = true
                body = nil
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            let payload = body
            body = nil
            handleRequest(context: context, head: head, body: payload)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connectionClosed = true
        if let poll = activePoll, poll.ticket.cancel() {
            poll.timer?.cancel()
            activePoll = nil
        }
        // Otherwise events are on their way to `pollDelivered`, which gives them back.
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("HTTP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Routing

    private func handleRequest(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?) {
        let action = JanusHTTPAction.plan(
            method: head.method.rawValue, uri: head.uri, options: options, bodyTooLarge: bodyTooLarge)
        switch action {
        case .respond(let status, let json, let extraHeaders):
            respond(
                context: context, head: head, status: HTTPResponseStatus(statusCode: status), json: json,
                extraHeaders: extraHeaders)
        case .coreRequest(let request):
            runCoreCall(context: context, head: head) { core in (await core.handle(request: request), {}) }
        case .touchAndRedirect(let sid, let location):
            // Janus counts this as activity before redirecting to the session's poll URL.
            core.touchSession(sid)
            respond(context: context, head: head, status: .found, json: nil, extraHeaders: [("Location", location)])
        case .longPoll(let sid, let maxEvents, let apiSecret, let token):
            startLongPoll(
                context: context, head: head, sessionID: sid, maxEvents: maxEvents, apiSecret: apiSecret, token: token)
        case .post(let sessionID, let handleID):
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            let budget = self.budget
            runCoreCall(context: context, head: head) { core in
                await core.handleHTTPDeferred(body: bytes, pathSessionID: sessionID, pathHandleID: handleID, budget: budget)
            }
        case .side(let route, let path, let query):
            let request = JanusHTTPRequest(
                method: head.method.rawValue, path: path, query: query,
                headers: head.headers.map { (name: $0.name, value: $0.value) },
                body: body.map { Array($0.readableBytesView) } ?? [])
            runSideRoute(context: context, head: head, route: route, request: request)
        }
    }

    /// Runs a side route's handler off the loop and writes its answer back on the loop.
    private func runSideRoute(
        context: ChannelHandlerContext, head: HTTPRequestHead, route: HTTPSideRoute, request: JanusHTTPRequest
    ) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let inFlight = self.inFlight
        inFlight.enter()
        Task {
            let response = await route.handler(request)
            eventLoop.execute {
                let (handler, context) = loopBound.value
                let cors = handler.options.corsHeaders(
                    requestMethod: head.headers.first(name: "Access-Control-Request-Method"),
                    requestHeaders: head.headers.first(name: "Access-Control-Request-Headers"))
                handler.respond(
                    context: context, head: head, status: HTTPResponseStatus(statusCode: response.status),
                    body: response.body, headers: cors + response.headers.map { ($0.name, $0.value) })
            }
            inFlight.leave()
        }
    }

    /// Runs `call` on the core, answers with its result back on the event loop, then runs the
    /// call's follow-up work once the response has been written.
    private func runCoreCall(
        context: ChannelHandlerContext, head: HTTPRequestHead,
        _ call: @escaping @Sendable (JanusCore) async -> (JSONValue, @Sendable () async -> Void)
    ) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let core = self.core
        let inFlight = self.inFlight
        inFlight.enter()
        Task {
            let (reply, followUp) = await call(core)
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Resumes when the closure below is released: after it ran, or if a stopped
                // event loop dropped it. Either way the follow-up still runs.
                let token = ResumeOnRelease(continuation)
                eventLoop.execute {
                    let (handler, context) = loopBound.value
                    handler.respond(context: context, head: head, status: .ok, json: reply)
                    token.touch()
                }
            }
            await followUp()
            inFlight.leave()
        }
    }

    // MARK: Long poll

    private func startLongPoll(
        context: ChannelHandlerContext, head: HTTPRequestHead, sessionID: UInt64, maxEvents: Int, apiSecret: String?,
        token: String?
    ) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let start = core.beginLongPoll(sessionID: sessionID, maxEvents: maxEvents, apiSecret: apiSecret, token: token) {
            events in
            // Always via execute: keeps ordering with our own bookkeeping below, even on the loop.
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.pollDelivered(context: context, events: events)
            }
        }
        switch start {
        case nil:
            respond(context: context, head: head, status: .forbidden, json: nil)
        case .sessionNotFound?:
            respond(context: context, head: head, status: .notFound, json: nil)
        case .events(let events)?:
            respond(context: context, head: head, status: .ok, json: JanusCore.longPollBody(events: events, maxEvents: maxEvents))
        case .waiting(let ticket)?:
            var poll = ActivePoll(ticket: ticket, timer: nil, maxEvents: maxEvents, head: head)
            poll.timer = context.eventLoop.scheduleTask(in: options.longPollHold) {
                let (handler, context) = loopBound.value
                handler.pollTimedOut(context: context)
            }
            activePoll = poll
        }
    }

    private func pollDelivered(context: ChannelHandlerContext, events: [JSONValue]) {
        guard let poll = activePoll else { return }
        activePoll = nil
        poll.timer?.cancel()
        if connectionClosed {
            poll.ticket.requeue(events)
            return
        }
        respond(
            context: context, head: poll.head, status: .ok,
            json: JanusCore.longPollBody(events: events, maxEvents: poll.maxEvents))
    }

    private func pollTimedOut(context: ChannelHandlerContext) {
        guard let poll = activePoll, poll.ticket.cancel() else { return }
        activePoll = nil
        respond(context: context, head: poll.head, status: .ok, json: JanusCore.longPollBody(events: [], maxEvents: poll.maxEvents))
    }

    // MARK: Responses

    private func respond(
        context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, json: JSONValue?,
        extraHeaders: [(String, String)] = []
    ) {
        var extra = extraHeaders
        if json != nil { extra.append(("Content-Type", "application/json")) }
        let cors = options.corsHeaders(
            requestMethod: head.headers.first(name: "Access-Control-Request-Method"),
            requestHeaders: head.headers.first(name: "Access-Control-Request-Headers"))
        respond(
            context: context, head: head, status: status, body: json.map(JSONSerializer.serialize), headers: cors + extra)
    }

    /// Writes a response with exactly `headers` (plus framing) and `body`.
    private func respond(
        context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, body: [UInt8]?,
        headers extraHeaders: [(String, String)]
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        var buffer: ByteBuffer?
        if let body, !body.isEmpty {
            var out = context.channel.allocator.buffer(capacity: body.count)
            out.writeBytes(body)
            buffer = out
        }
        headers.add(name: "Content-Length", value: String(buffer?.readableBytes ?? 0))
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let responseHead = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if let buffer { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// Resumes a continuation exactly once, when the last reference to it goes away.
private final class ResumeOnRelease: Sendable {
    private let continuation: CheckedContinuation<Void, Never>

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

    /// Keeps the token alive inside a closure until that closure is released.
    func touch() {}

    deinit { continuation.resume() }
}
