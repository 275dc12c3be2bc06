import NIOCore
import NIOHTTP1
import NIOPosix
import SFU
import Synchronization

/// The twin's own HTTP endpoint, a `Service` beside the SFU: one request per connection
/// (`Connection: close`), JSON answers. It drives the SFU only through its public API.
final class TwinHTTPService: Service, Sendable {
    private let endpoint: SFUOptions.Endpoint
    private let sfu: SFUServer
    private let logger: Logger
    private let boundPort = Mutex<Int?>(nil)
    /// The secret of the rooms the twin creates: its proof of owning them for kicks and admissions.
    private let roomSecret: String?

    init(endpoint: SFUOptions.Endpoint, sfu: SFUServer, roomSecret: String?, logger: Logger) {
        self.endpoint = endpoint
        self.sfu = sfu
        self.roomSecret = roomSecret
        self.logger = logger
    }

    /// The bound port once listening.
    func waitUntilBound() async throws -> Int {
        while true {
            if let port = boundPort.withLock({ $0 }) { return port }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        boundPort.withLock { $0 = server.channel.localAddress?.port }
        logger.info("twin HTTP endpoint listening", metadata: ["port": "\(boundPort.withLock { $0 } ?? 0)"])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead): head = requestHead
                case .body(let chunk): body += chunk.readableBytesView
                case .end:
                    guard let head else { return }
                    let response = await route(head, body: body)
                    var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    headers.replaceOrAdd(name: "Connection", value: "close")
                    let status = HTTPResponseStatus(statusCode: response.status)
                    try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    try await outbound.write(.end(nil))
                    return
                }
            }
        }
    }

    /// The twin's routes; `/janus…` goes to the SFU's Janus API.
    func route(_ head: HTTPRequestHead, body: [UInt8]) async -> JanusHTTPResponse {
        let parts = head.uri.split(separator: "?", maxSplits: 1)
        let path = parts.first.map(String.init) ?? "/"
        if path == "/janus" || path.hasPrefix("/janus/") {
            let request = JanusHTTPRequest(
                method: head.method.rawValue, path: path, query: parts.count > 1 ? String(parts[1]) : "",
                headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)
            return await sfu.respond(to: request)
        }
        let segments = path.split(separator: "/").map(String.init)
        do {
            switch (head.method, segments.count, segments.first) {
            case (.GET, 1, "health"?):
                return json(200, ["status": "ok"])
            case (.GET, 1, "rooms"?):
                let rooms = try await sfu.listRooms()
                return json(200, ["rooms": .array(rooms.map { ["room": .int(Int64($0.id)), "participants": .int(Int64($0.participantCount))] })])
            case (.GET, 3, "rooms"?) where segments[2] == "participants":
                guard let room = UInt64(segments[1]) else { return json(400, ["error": "bad room id"]) }
                let participants = try await sfu.listParticipants(room: room)
                return json(200, ["participants": .array(participants.map { ["id": .int(Int64($0.id)), "display": .string($0.display ?? "")] })])
            case (.GET, 3, "rooms"?) where segments[2] == "waiting":
                guard let room = UInt64(segments[1]) else { return json(400, ["error": "bad room id"]) }
                let waiting = try await sfu.waitingList(room: room, secret: roomSecret)
                return json(200, ["waiting": .array(waiting.map { ["id": .int(Int64($0.id)), "display": .string($0.display ?? "")] })])
            case (.POST, 4, "rooms"?) where segments[2] == "kick" || segments[2] == "admit":
                guard let room = UInt64(segments[1]), let participant = UInt64(segments[3]) else {
                    return json(400, ["error": "bad id"])
                }
                if segments[2] == "admit" {
                    try await sfu.admit(participant: participant, room: room, secret: roomSecret)
                    return json(200, ["admitted": .int(Int64(participant))])
                }
                try await sfu.kick(participant: participant, room: room, secret: roomSecret)
                return json(200, ["kicked": .int(Int64(participant))])
            default:
                return json(404, ["error": "not found"])
            }
        } catch {
            // No such room, user or waiting joiner: 404.
            return json([426, 428, 523].contains(error.janusCode) ? 404 : 500,
                        ["error": .string(error.description), "code": .int(Int64(error.janusCode ?? 0))])
        }
    }

    private func json(_ status: Int, _ object: JSONObject) -> JanusHTTPResponse {
        JanusHTTPResponse(
            status: status, headers: [(name: "Content-Type", value: "application/json")],
            body: JSONSerializer.serialize(.object(object)))
    }
}
