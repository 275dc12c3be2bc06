import Dispatch
import FuzzMedia
import FuzzSupport
import Logging
import SFUMedia
import Signaling

// The Janus core API (janus-api.md §3–§7) in memory: a fresh JanusCore per input with an
// echoing test plugin and the real EchoTest plugin (on a media engine bound to loopback),
// fed a sequence of requests over the HTTP entry (handleHTTP), the parsed-request entry
// (handle(request:)) or the WebSocket entry (handleWebSocketMessage). With control bit 0x20
// every request also goes to the Admin API on the same core (JanusAdminAPI: handle(_:),
// its HTTP route with ids in the path, its WebSocket processor).
//
// Janus ids are random, so a request's small "session_id"/"handle_id" (0…7) is replaced by
// the id of the n-th session/handle created so far: the fuzzer can reach handle requests.
// Input: control byte, then request bodies separated by "FUZZ".

private final class Sink: JanusEventSink, @unchecked Sendable {
    func send(_ message: JSONValue) { blackHole(message) }
}

private struct FuzzPlugin: JanusPlugin {
    let package = "janus.plugin.fuzz"
    let info = JanusPluginInfo(name: "fuzz", author: "fuzz", description: "echo", versionString: "1", version: 1)
    func attach(context: PluginHandleContext) async throws -> any JanusPluginSession {
        if context.opaqueID == "refuse" { throw JanusError(JanusError.pluginAttach, "refused") }
        return FuzzPluginSession(context: context)
    }
}

private final class FuzzPluginSession: JanusPluginSession, @unchecked Sendable {
    let context: PluginHandleContext
    init(context: PluginHandleContext) { self.context = context }
    func handleMessage(transaction: String, body: JSONObject, jsep: JSEP?) async -> PluginMessageResult {
        switch body["request"]?.stringValue {
        case "async":
            context.push(.event(transaction: transaction, data: ["echo": .object(body)], jsep: jsep.map { JSEP(type: .answer, sdp: $0.sdp) }))
            return .ack(hint: "later")
        case "events":
            context.push(.webrtcUp)
            context.push(.media(mid: "0", type: "audio", receiving: true, substream: nil))
            context.push(.slowLink(mid: "1", media: "video", uplink: true, lost: 3))
            context.push(.hangup(reason: "fuzz"))
            return .ack(hint: nil)
        case "detachme":
            context.push(.detached)
            return .success(["ok": true])
        case "error":
            return .error(JanusError(JanusError.unexpectedAnswer, "no"))
        default:
            return .success(["echo": .object(body)])
        }
    }
    func handleTrickle(candidates: [TrickleCandidate], completed: Bool) async { blackHole(candidates) }
    func hangup(reason: String) async { context.push(.hangup(reason: reason)) }
    func destroy() async {}
}

private final class Box<T>: @unchecked Sendable { var value: T; init(_ value: T) { self.value = value } }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let control = input.byte()
    let parts = input.restSplit().prefix(24).map { Array($0) }
    var plugins: [any JanusPlugin] = [FuzzPlugin()]
    if let engine = fuzzLoopbackEngine { plugins.append(EchoTestPlugin(engine: engine, logger: fuzzLogger)) }
    var configuration = JanusCoreConfiguration()
    if control & 0x40 != 0 { configuration.apiSecret = "secret" }
    configuration.eventQueueCapacity = 8
    configuration.tokenAuth = control & 0x10 != 0
    let core = JanusCore(configuration: configuration, plugins: plugins, logger: fuzzLogger)
    let admin = control & 0x20 != 0 ? JanusAdminAPI(core: core, secret: control & 0x40 != 0 ? "adm" : nil) : nil
    runBlocking {
        let sink = Sink()
        var sessions: [UInt64] = []
        var handles: [UInt64] = []
        for (index, part) in parts.enumerated() {
            let mode = (control >> (2 * (index % 3))) & 3
            if part.isEmpty, let session = sessions.last {
                // An empty part is a long poll (janus-api.md §7.2) that does not wait.
                blackHole(await core.longPoll(sessionID: session, maxEvents: Int(control & 3) + 1, hold: .milliseconds(1)))
                continue
            }
            if mode == 3 {
                for reply in await core.handleWebSocketMessage(part, connection: sink) { record(reply, &sessions, &handles) }
                await admin?.process(message: part, connection: sink)
                continue
            }
            if let admin {
                // The Admin API's HTTP route, ids in the path when there are some.
                let path = "/admin" + (sessions.last.map { "/\($0)" } ?? "") + (handles.last.map { "/\($0)" } ?? "")
                blackHole(await admin.httpRoute.handler(JanusHTTPRequest(method: "POST", path: path, body: part)))
            }
            guard let parsed = try? JSONParser.parse(part) else {
                let reply = await core.handleHTTP(body: part, pathSessionID: nil, pathHandleID: nil)
                record(reply, &sessions, &handles)
                continue
            }
            let request = substitute(parsed, sessions: sessions, handles: handles)
            let reply: JSONValue
            switch mode {
            case 0:
                reply = await core.handleHTTP(body: JSONSerializer.serialize(request), pathSessionID: nil, pathHandleID: nil)
            case 1:
                // Ids in the URL path instead (janus-api.md §7.1), possibly contradicting the body.
                reply = await core.handleHTTP(
                    body: JSONSerializer.serialize(request), pathSessionID: sessions.last, pathHandleID: handles.last)
            default:
                reply = await core.handle(request: request, connection: sink)
            }
            record(reply, &sessions, &handles)
            if let admin { blackHole(await admin.handle(request.objectValue ?? [:])) }
        }
        if control & 0x80 != 0 {
            await core.connectionClosed(sink)
        }
        await core.shutdown()
    }
    return 0
}

private func record(_ reply: JSONValue, _ sessions: inout [UInt64], _ handles: inout [UInt64]) {
    blackHole(JSONSerializer.serialize(reply))
    guard reply["janus"]?.stringValue == "success", let id = reply["data"]?["id"]?.uint64Value else { return }
    if reply["session_id"] == nil {
        sessions.append(id)
    } else {
        handles.append(id)
    }
}

private func substitute(_ value: JSONValue, sessions: [UInt64], handles: [UInt64]) -> JSONValue {
    guard case .object(var object) = value else { return value }
    if let n = object["session_id"]?.int64Value, (0..<8).contains(n), !sessions.isEmpty {
        object["session_id"] = .int(Int64(sessions[Int(n) % sessions.count]))
    }
    if let n = object["handle_id"]?.int64Value, (0..<8).contains(n), !handles.isEmpty {
        object["handle_id"] = .int(Int64(handles[Int(n) % handles.count]))
    }
    return .object(object)
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
