import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Testing
@testable import Signaling

/// One HTTP response as the test client saw it.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var json: JSONValue? { try? JSONParser.parse(body) }
}

/// Collects one HTTP response (the connection is `Connection: close`).
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromise<HTTPResult>
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<HTTPResult>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body(var b): body += b.readBytes(length: b.readableBytes) ?? []
        case .end:
            if let head {
                promise.succeed(HTTPResult(status: Int(head.status.code), headers: head.headers, body: body))
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

/// A minimal HTTP/1.1 client on NIO: one request per connection, no redirects followed.
func httpRequest(
    port: Int, method: HTTPMethod, path: String, body: String? = nil,
    headers extra: [(String, String)] = [("Content-Type", "application/json")],
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
) async throws -> HTTPResult {
    let promise = group.next().makePromise(of: HTTPResult.self)
    let channel = try await ClientBootstrap(group: group)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
            }
        }
        .connect(host: "127.0.0.1", port: port).get()
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: "127.0.0.1:\(port)")
    headers.add(name: "Connection", value: "close")
    for (name, value) in extra { headers.add(name: name, value: value) }
    let bytes = Array((body ?? "").utf8)
    if body != nil || method == .POST { headers.add(name: "Content-Length", value: String(bytes.count)) }
    let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
    channel.write(HTTPClientRequestPart.head(head), promise: nil)
    if !bytes.isEmpty {
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
    }
    try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
    return try await promise.futureResult.get()
}

/// POSTs a Janus request and returns the JSON reply.
func janusPOST(port: Int, path: String = "/janus", _ body: String) async throws -> JSONValue {
    let result = try await httpRequest(port: port, method: .POST, path: path, body: body)
    #expect(result.status == 200)
    #expect(result.headers.first(name: "Content-Type") == "application/json")
    #expect(result.headers.first(name: "Access-Control-Allow-Origin") == "*")
    return result.json ?? .null
}

/// A WebSocket test connection: send text, read JSON frames in order.
final class WSConnection {
    private var iterator: NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>

    init(inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) {
        self.iterator = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    func send(_ text: String) async throws {
        try await sendFrame(opcode: .text, bytes: Array(text.utf8))
    }

    func sendFrame(opcode: WebSocketOpcode, bytes: [UInt8], fin: Bool = true) async throws {
        let frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: .random(), data: ByteBuffer(bytes: bytes))
        try await outbound.write(frame)
    }

    /// The next frame of any kind.
    func nextFrame() async throws -> WebSocketFrame? { try await iterator.next() }

    /// The next text frame, parsed.
    func receive() async throws -> JSONValue? {
        while let frame = try await iterator.next() {
            switch frame.opcode {
            case .text:
                var data = frame.data
                return try? JSONParser.parse(data.readBytes(length: data.readableBytes) ?? [])
            case .connectionClose:
                return nil
            default:
                continue
            }
        }
        return nil
    }

    /// Sends one request and reads until the reply with that transaction; other messages
    /// (events) are returned too, in arrival order.
    func request(_ text: String, transaction: String) async throws -> (reply: JSONValue?, others: [JSONValue]) {
        try await send(text)
        var others: [JSONValue] = []
        while let message = try await receive() {
            let kind = message["janus"]?.stringValue ?? ""
            if message["transaction"]?.stringValue == transaction, kind != "event" { return (message, others) }
            others.append(message)
        }
        return (nil, others)
    }
}

extension WSConnection {
    /// Creates a session and attaches the test plugin; returns (session, handle).
    func createAndAttach() async throws -> (UInt64, UInt64) {
        let (created, _) = try await request(#"{"janus":"create","transaction":"c"}"#, transaction: "c")
        let sid = try #require(created?["data"]?["id"]?.uint64Value)
        let (attached, _) = try await request(
            #"{"janus":"attach","transaction":"a","session_id":\#(sid),"plugin":"janus.plugin.test"}"#, transaction: "a")
        return (sid, try #require(attached?["data"]?["id"]?.uint64Value))
    }
}

/// Over HTTP: creates a session and attaches the test plugin; returns (session, handle).
func janusCreateAndAttach(port: Int) async throws -> (UInt64, UInt64) {
    let created = try await janusPOST(port: port, #"{"janus":"create","transaction":"c"}"#)
    let sid = try #require(created["data"]?["id"]?.uint64Value)
    let attached = try await janusPOST(
        port: port, path: "/janus/\(sid)", #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test"}"#)
    return (sid, try #require(attached["data"]?["id"]?.uint64Value))
}

enum WSUpgrade {
    case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
    case notUpgraded
}

/// Opens a WebSocket to `127.0.0.1:port` offering `subprotocol`; runs `body` if upgraded.
/// Returns false when the server refused the upgrade.
@discardableResult
func withWebSocket(
    port: Int, subprotocol: String? = "janus-protocol",
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    _ body: (WSConnection) async throws -> Void
) async throws -> Bool {
    let upgrade: EventLoopFuture<WSUpgrade> = try await ClientBootstrap(group: group)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<WSUpgrade>(
                    maxFrameSize: 1 << 22,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            .websocket(
                                try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                        }
                    })
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "127.0.0.1:\(port)")
                headers.add(name: "Content-Length", value: "0")
                if let subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers)
                let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                    upgradeRequestHead: head, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture { WSUpgrade.notUpgraded }
                    })
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: configuration))
            }
        }
    switch try await upgrade.get() {
    case .notUpgraded:
        return false
    case .websocket(let channel):
        try await channel.executeThenClose { inbound, outbound in
            try await body(WSConnection(inbound: inbound, outbound: outbound))
        }
        return true
    }
}

/// A server on ephemeral loopback ports with the test plugin.
func makeServer(_ configure: (inout JanusServerConfiguration) -> Void = { _ in }) async throws -> (JanusAPIServer, TestPlugin) {
    var configuration = JanusServerConfiguration()
    configuration.httpPort = 0
    configuration.wsPort = 0
    configure(&configuration)
    let plugin = TestPlugin()
    let server = JanusAPIServer(configuration: configuration, plugins: [plugin], logger: testLogger())
    try await server.start()
    return (server, plugin)
}
