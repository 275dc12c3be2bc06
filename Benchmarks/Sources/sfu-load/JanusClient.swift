import Foundation

/// A JSON object as the Janus API sends it.
typealias JSONObject = [String: Any]

/// Errors of the Janus API conversation.
enum JanusError: Error, CustomStringConvertible {
    case transport(String)
    case badResponse(String)
    case janus(code: Int, reason: String)
    case plugin(code: Int, reason: String)
    case timeout(String)

    var description: String {
        switch self {
        case .transport(let text): return "transport: \(text)"
        case .badResponse(let text): return "unexpected response: \(text)"
        case .janus(let code, let reason): return "Janus error \(code): \(reason)"
        case .plugin(let code, let reason): return "plugin error \(code): \(reason)"
        case .timeout(let what): return "timed out waiting for \(what)"
        }
    }
}

/// A plugin answer: the plugin's `data` and the JSEP that came with it.
struct PluginReply {
    var data: JSONObject
    var jsep: JSONObject?
}

/// One Janus session over either transport of the Janus API (REST long poll or WebSocket).
/// Thread-safe: every method may be called from any thread.
protocol JanusClient: AnyObject, Sendable {
    /// Creates the session (and starts collecting its events / keeping it alive).
    func createSession() throws
    /// Attaches a handle to `plugin`.
    func attach(plugin: String) throws -> Int64
    /// Sends a plugin message and returns the plugin's answer (waiting for the event that
    /// carries the same transaction when Janus only acknowledges it).
    func message(handle: Int64, body: JSONObject, jsep: JSONObject?, timeout: Double) throws -> PluginReply
    /// Destroys the session (and with it every handle).
    func destroy()
}

extension JanusClient {
    func message(handle: Int64, body: JSONObject, jsep: JSONObject? = nil) throws -> PluginReply {
        try message(handle: handle, body: body, jsep: jsep, timeout: 15)
    }

    func message(handle: Int64, body: JSONObject, timeout: Double) throws -> PluginReply {
        try message(handle: handle, body: body, jsep: nil, timeout: timeout)
    }
}

/// The transport for a `--url`: ws:// speaks WebSocket, anything else REST.
func makeJanusClient(url: String) throws -> any JanusClient {
    url.hasPrefix("ws://") ? try JanusWebSocketClient(url: url) : try JanusHTTPClient(url: url)
}

/// Reading Janus replies, the same for both transports.
enum JanusReplies {
    /// Throws the error a `{"janus":"error"}` reply carries.
    static func checkError(_ reply: JSONObject) throws {
        guard reply["janus"] as? String == "error" else { return }
        let error = reply["error"] as? JSONObject
        throw JanusError.janus(code: int64(error?["code"]).map(Int.init) ?? 0, reason: error?["reason"] as? String ?? "?")
    }

    /// The plugin's data (and JSEP) of a `success` or `event` reply; throws its error.
    static func pluginReply(_ reply: JSONObject, request: JSONObject) throws -> PluginReply {
        try checkError(reply)
        guard let pluginData = reply["plugindata"] as? JSONObject, let data = pluginData["data"] as? JSONObject else {
            throw JanusError.badResponse("message \(request["request"] ?? "?"): \(reply)")
        }
        if let reason = data["error"] as? String {
            throw JanusError.plugin(code: int64(data["error_code"]).map(Int.init) ?? 0, reason: reason)
        }
        return PluginReply(data: data, jsep: reply["jsep"] as? JSONObject)
    }

    /// `data.id` of a create/attach `success`.
    static func createdID(_ reply: JSONObject, what: String) throws -> Int64 {
        try checkError(reply)
        guard let data = reply["data"] as? JSONObject, let id = int64(data["id"]) else {
            throw JanusError.badResponse("\(what): \(reply)")
        }
        return id
    }

    static func transaction() -> String {
        String((0..<12).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "x" })
    }

    static func int64(_ value: Any?) -> Int64? {
        if let number = value as? NSNumber { return number.int64Value }
        if let int = value as? Int { return Int64(int) }
        if let text = value as? String { return Int64(text) }
        return nil
    }
}
