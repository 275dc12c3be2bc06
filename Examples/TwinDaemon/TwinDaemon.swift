import Foundation
import NIOPosix
import SFU

/// An example "digital twin" daemon: it embeds the SFU as a library beside a tiny HTTP endpoint
/// of its own, in one `ServiceGroup`, creates a room at start and logs the SFU's event stream.
///
///     twin-daemon [--sfu-http HOST:PORT|off] [--sfu-ws HOST:PORT|off] [--twin-http HOST:PORT]
///                 [--ice-address ADDR]… [--media-ports LOW-HIGH] [--room ID]
///                 [--room-secret SECRET] [--waiting-room on|off]
///
/// Its endpoint: `GET /health`, `GET /rooms`, `GET /rooms/<id>/participants`,
/// `POST /rooms/<id>/kick/<participant>`, and, for a room with a waiting room,
/// `GET /rooms/<id>/waiting` and `POST /rooms/<id>/admit/<participant>` (the twin is the room's
/// host: it lets joiners in without being in the room), and the Janus REST API under `/janus` handed to the
/// SFU with `SFUServer.respond(to:)` (so the SFU's own HTTP listener can be off).
/// Prints `twin-daemon ready sfu-http=… sfu-ws=… twin-http=… room=…` once everything is up.
/// Loopback only by default.
@main
struct TwinDaemon {
    static func main() async {
        do {
            try await run(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch let error as TwinArguments.UsageError {
            FileHandle.standardError.write(Data("twin-daemon: \(error.message)\n".utf8))
            exit(64)
        } catch {
            FileHandle.standardError.write(Data("twin-daemon: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(arguments: [String]) async throws {
        let settings = try TwinArguments(arguments)
        let logger = Logger(label: "twin-daemon")
        var options = SFUOptions()
        options.name = "twin-sfu"
        options.http = settings.sfuHTTP
        options.webSocket = settings.sfuWS
        options.iceAddresses = settings.iceAddresses
        options.mediaPorts = settings.mediaPorts
        options.mediaWorkers = 1
        // One set of NIO threads for the twin's endpoint and the SFU's Janus listeners.
        options.eventLoopGroup = MultiThreadedEventLoopGroup.singleton
        options.rooms = []
        options.logger = logger
        let sfu = try SFUServer(options: options)
        let twinHTTP = TwinHTTPService(endpoint: settings.twinHTTP, sfu: sfu, roomSecret: settings.roomSecret, logger: logger)
        // Services stop in reverse order: the SFU first, which ends the Janus long polls held by
        // the twin's endpoint, so that the endpoint's own shutdown need not wait for them.
        let group = ServiceGroup(
            services: [twinHTTP, sfu], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { await logEvents(of: sfu, logger: logger) }
            tasks.addTask {
                let addresses = try await sfu.waitUntilReady()
                var room = RoomOptions(id: settings.room, description: "Twin room")
                room.maxPublishers = 6
                room.secret = settings.roomSecret
                room.waitingRoom = settings.waitingRoom
                let roomID = try await sfu.createRoom(room)
                let twinPort = try await twinHTTP.waitUntilBound()
                let line =
                    "twin-daemon ready sfu-http=\(addresses.httpPort.map(String.init) ?? "off") "
                    + "sfu-ws=\(addresses.webSocketPort.map(String.init) ?? "off") twin-http=\(twinPort) room=\(roomID)"
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            try await tasks.waitForAll()
        }
    }

    /// Logs every SFU event until the SFU stops.
    static func logEvents(of sfu: SFUServer, logger: Logger) async {
        for await event in sfu.events() {
            logger.info(
                "sfu event",
                metadata: [
                    "room": "\(event.room)", "participant": "\(event.participant.map(String.init) ?? "-")",
                    "display": "\(event.display ?? "-")", "event": "\(event.kind.name)",
                ])
        }
    }
}

/// The daemon's command line; loopback defaults.
struct TwinArguments {
    struct UsageError: Error { var message: String }

    var sfuHTTP: SFUOptions.Endpoint? = SFUOptions.Endpoint(host: "127.0.0.1", port: 8088)
    var sfuWS: SFUOptions.Endpoint? = SFUOptions.Endpoint(host: "127.0.0.1", port: 8188)
    var twinHTTP = SFUOptions.Endpoint(host: "127.0.0.1", port: 8090)
    var iceAddresses = ["127.0.0.1"]
    var mediaPorts: ClosedRange<UInt16> = 20000...20100
    var room: UInt64 = 4242
    var roomSecret: String?
    var waitingRoom = false

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        var iceAddresses: [String] = []
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
            switch flag {
            case "--sfu-http": sfuHTTP = try Self.endpoint(value, flag)
            case "--sfu-ws": sfuWS = try Self.endpoint(value, flag)
            case "--twin-http":
                guard let endpoint = try Self.endpoint(value, flag) else { throw UsageError(message: "\(flag) cannot be off") }
                twinHTTP = endpoint
            case "--ice-address": iceAddresses.append(value)
            case "--media-ports":
                let parts = value.split(separator: "-").compactMap { UInt16($0) }
                guard parts.count == 2, parts[0] <= parts[1] else { throw UsageError(message: "--media-ports LOW-HIGH") }
                mediaPorts = parts[0]...parts[1]
            case "--room":
                guard let id = UInt64(value), id > 0 else { throw UsageError(message: "--room needs a positive id") }
                room = id
            case "--room-secret": roomSecret = value
            case "--waiting-room":
                guard value == "on" || value == "off" else { throw UsageError(message: "--waiting-room on|off") }
                waitingRoom = value == "on"
            default: throw UsageError(message: "unknown option \(flag)")
            }
        }
        if !iceAddresses.isEmpty { self.iceAddresses = iceAddresses }
    }

    private static func endpoint(_ text: String, _ flag: String) throws -> SFUOptions.Endpoint? {
        if text == "off" { return nil }
        guard let endpoint = SFUOptions.Endpoint(text) else { throw UsageError(message: "\(flag) HOST:PORT or off") }
        return endpoint
    }
}
