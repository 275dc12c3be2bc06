import Logging
import Testing
@testable import Signaling

/// A plugin for tests: echoes bodies, pushes events on request, answers sync or async.
final class TestPlugin: JanusPlugin {
    let package = "janus.plugin.test"
    let info = JanusPluginInfo(
        name: "Test plugin", author: "tests", description: "echoes", versionString: "0.0.1", version: 1)
    let sessions = Locked<[UInt64: TestPluginSession]>([:])

    func attach(context: PluginHandleContext) async throws -> any JanusPluginSession {
        if context.opaqueID == "refuse" { throw JanusError(JanusError.pluginAttach, "refused by test") }
        let session = TestPluginSession(context: context)
        sessions.withLock { $0[context.handleID] = session }
        return session
    }

    func session(_ handleID: UInt64) -> TestPluginSession? { sessions.withLock { $0[handleID] } }
}

actor TestPluginSession: JanusPluginSession {
    let context: PluginHandleContext
    var messages: [(transaction: String, body: JSONObject, jsep: JSEP?)] = []
    var trickles: [(candidates: [TrickleCandidate], completed: Bool)] = []
    var hangups: [String] = []
    var destroyed = false
    /// Whether a PeerConnection is up: like Janus's plugins, `hangup` only reports one that was.
    var hasPeerConnection = true

    init(context: PluginHandleContext) { self.context = context }

    func handleMessage(transaction: String, body: JSONObject, jsep: JSEP?) async -> PluginMessageResult {
        messages.append((transaction, body, jsep))
        switch body["request"]?.stringValue {
        case "sync":
            return .success(["echo": .object(body)])
        case "async":
            var answer: JSEP?
            if let jsep { answer = JSEP(type: .answer, sdp: jsep.sdp) }
            context.push(.event(transaction: transaction, data: ["echo": .object(body)], jsep: answer))
            return .ack(hint: "I'm taking my time!")
        case "events":
            context.push(.event(transaction: nil, data: ["n": 1], jsep: nil))
            context.push(.webrtcUp)
            context.push(.media(mid: "0", type: "audio", receiving: true, substream: nil))
            context.push(.media(mid: "1", type: "video", receiving: true, substream: 0))
            context.push(.slowLink(mid: "1", media: "video", uplink: true, lost: 12))
            context.push(.event(transaction: nil, data: ["n": 2], jsep: nil))
            return .ack(hint: nil)
        case "many":
            let count = body["count"]?.int64Value ?? 10
            for i in 0..<count { context.push(.event(transaction: nil, data: ["i": .int(i)], jsep: nil)) }
            return .ack(hint: nil)
        case "error":
            return .error(JanusError(JanusError.unexpectedAnswer, "Unexpected ANSWER (no OFFER)"))
        case "detachme":
            context.push(.detached)
            return .success(["ok": true])
        case "nopc":
            hasPeerConnection = false
            return .success(["pc": false])
        case "slow":
            try? await Task.sleep(for: .milliseconds(200))
            return .success(["slow": true])
        default:
            return .success(["echo": .object(body), "jsep_type": jsep.map { .string($0.type.rawValue) } ?? .null])
        }
    }

    func handleTrickle(candidates: [TrickleCandidate], completed: Bool) async {
        trickles.append((candidates, completed))
    }

    func hangup(reason: String) async {
        hangups.append(reason)
        if hasPeerConnection { context.push(.hangup(reason: reason)) }
        hasPeerConnection = false
    }

    func destroy() async { destroyed = true }
}

/// Collects what the core pushes to a "WebSocket" connection.
final class RecordingSink: JanusEventSink {
    let received = Locked<[JSONValue]>([])

    func send(_ message: JSONValue) { received.withLock { $0.append(message) } }

    var messages: [JSONValue] { received.withLock { $0 } }

    /// Waits (polling) until at least `count` messages arrived or `timeout` passed.
    func wait(count: Int, timeout: Duration = .seconds(5)) async -> [JSONValue] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = messages
            if current.count >= count { return current }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return messages
    }
}

func testLogger() -> Logger {
    var logger = Logger(label: "signaling-tests")
    logger.logLevel = .critical
    return logger
}

func makeCore(_ configure: (inout JanusCoreConfiguration) -> Void = { _ in }) -> (JanusCore, TestPlugin) {
    var configuration = JanusCoreConfiguration()
    configure(&configuration)
    let plugin = TestPlugin()
    return (JanusCore(configuration: configuration, plugins: [plugin], logger: testLogger()), plugin)
}

func json(_ text: String) -> JSONValue {
    (try? JSONParser.parse(text)) ?? .null
}

extension JanusCore {
    func send(_ text: String, connection: (any JanusEventSink)? = nil) async -> JSONValue {
        await handle(request: json(text), connection: connection)
    }

    /// create + attach; returns (session, handle).
    func createAndAttach(connection: (any JanusEventSink)? = nil) async -> (UInt64, UInt64) {
        let created = await send(#"{"janus":"create","transaction":"c"}"#, connection: connection)
        let sid = created["data"]?["id"]?.uint64Value ?? 0
        let attached = await send(
            #"{"janus":"attach","transaction":"a","plugin":"janus.plugin.test","session_id":\#(sid)}"#,
            connection: connection)
        return (sid, attached["data"]?["id"]?.uint64Value ?? 0)
    }
}

extension JSONValue {
    var janus: String? { self["janus"]?.stringValue }
    var errorCode: Int? { self["error"]?["code"]?.int64Value.map { Int($0) } }
    var errorReason: String? { self["error"]?["reason"]?.stringValue }
}
