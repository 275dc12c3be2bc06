import Logging
import Testing

@testable import SFU

/// A server for tests: no Janus listeners (requests go through `respond(to:)`), media on an
/// ephemeral loopback port with one worker, no preset rooms, a silent logger.
func embeddedOptions(_ configure: (inout SFUOptions) -> Void = { _ in }) -> SFUOptions {
    var options = SFUOptions()
    options.http = nil
    options.webSocket = nil
    options.iceAddresses = ["127.0.0.1"]
    options.mediaPorts = 0...0
    options.mediaWorkers = 1
    options.rooms = []
    options.logger = Logger(label: "sfu-test", factory: { _ in SwiftLogNoOpLogHandler() })
    configure(&options)
    return options
}

/// Runs `server` while `body` runs, then stops it and waits for `run()` to return.
func whileRunning(_ servers: [SFUServer], _ body: () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for server in servers { group.addTask { try await server.run() } }
        for server in servers { try await server.waitUntilReady() }
        do {
            try await body()
        } catch {
            for server in servers { server.stop() }
            throw error
        }
        for server in servers { server.stop() }
        try await group.waitForAll()
    }
}

/// A Janus client speaking REST through `SFUServer.respond(to:)`.
struct EmbeddedJanusClient {
    let server: SFUServer
    var apiSecret: String?
    private(set) var session: UInt64 = 0

    init(_ server: SFUServer, apiSecret: String? = nil) {
        self.server = server
        self.apiSecret = apiSecret
    }

    func post(_ path: String, _ body: JSONObject) async -> JSONValue {
        var body = body
        if body["transaction"] == nil { body["transaction"] = "t" }
        if let apiSecret { body["apisecret"] = .string(apiSecret) }
        let response = await server.respond(
            to: JanusHTTPRequest(method: "POST", path: path, body: JSONSerializer.serialize(.object(body))))
        return response.json ?? .null
    }

    mutating func createSession() async throws {
        let reply = await post("/janus", ["janus": "create"])
        session = try #require(reply["data"]?["id"]?.uint64Value, "\(reply)")
    }

    func attachVideoRoom() async throws -> UInt64 {
        let reply = await post("/janus/\(session)", ["janus": "attach", "plugin": "janus.plugin.videoroom"])
        return try #require(reply["data"]?["id"]?.uint64Value, "\(reply)")
    }

    func message(_ handle: UInt64, _ body: JSONObject) async -> JSONValue {
        await post("/janus/\(session)/\(handle)", ["janus": "message", "body": .object(body)])
    }

    /// One long poll (up to 10 events).
    func poll() async -> [JSONValue] {
        var query = "maxev=10"
        if let apiSecret { query += "&apisecret=\(apiSecret)" }
        let response = await server.respond(to: JanusHTTPRequest(method: "GET", path: "/janus/\(session)", query: query))
        return response.json?.arrayValue ?? []
    }

    /// Polls until an event's plugin data satisfies `match` (at most `attempts` polls).
    func waitForPluginEvent(attempts: Int = 20, _ match: (JSONObject) -> Bool) async -> JSONObject? {
        for _ in 0..<attempts {
            for event in await poll() {
                if let data = event["plugindata"]?["data"]?.objectValue, match(data) { return data }
            }
        }
        return nil
    }
}

/// The next `count` events of `stream` (test helpers wait with the test's own time limit).
func nextEvents(_ iterator: inout AsyncStream<SFUEvent>.Iterator, count: Int) async -> [SFUEvent] {
    var events: [SFUEvent] = []
    while events.count < count, let event = await iterator.next() { events.append(event) }
    return events
}
