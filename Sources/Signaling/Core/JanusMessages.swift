/// Builders for the Janus envelope (janus-api.md §2, §4). Ids go out as JSON integers.
enum JanusMessages {
    static func id(_ value: UInt64) -> JSONValue { .int(Int64(truncatingIfNeeded: value)) }

    /// `{"janus":kind,"session_id"?:S,"transaction"?:T}`.
    static func reply(_ kind: String, sessionID: UInt64?, transaction: String?) -> JSONObject {
        var object: JSONObject = ["janus": .string(kind)]
        if let sessionID, sessionID != 0 { object["session_id"] = id(sessionID) }
        if let transaction { object["transaction"] = .string(transaction) }
        return object
    }

    static func error(_ error: JanusError, sessionID: UInt64?, transaction: String?) -> JSONValue {
        var object = reply("error", sessionID: sessionID, transaction: transaction)
        object["error"] = ["code": .int(Int64(error.code)), "reason": .string(error.reason)]
        return .object(object)
    }

    static func keepalive() -> JSONValue { ["janus": "keepalive"] }

    static func timeout(sessionID: UInt64) -> JSONValue {
        ["janus": "timeout", "session_id": id(sessionID)]
    }

    static func jsep(_ jsep: JSEP) -> JSONValue {
        var object = jsep.extra
        object["type"] = .string(jsep.type.rawValue)
        object["sdp"] = .string(jsep.sdp)
        if let trickle = jsep.trickle { object["trickle"] = .bool(trickle) }
        if jsep.e2ee == true { object["e2ee"] = .bool(true) }
        return .object(object)
    }

    /// The session-channel message for a plugin's event on handle `handleID`.
    static func event(
        _ event: PluginEvent, sessionID: UInt64, handleID: UInt64, plugin: String
    ) -> JSONValue {
        var object: JSONObject = ["session_id": id(sessionID), "sender": id(handleID)]
        switch event {
        case .event(let transaction, let data, let jsep):
            object["janus"] = "event"
            if let transaction { object["transaction"] = .string(transaction) }
            object["plugindata"] = ["plugin": .string(plugin), "data": .object(data)]
            if let jsep { object["jsep"] = self.jsep(jsep) }
        case .webrtcUp:
            object["janus"] = "webrtcup"
        case .media(let mid, let type, let receiving, let substream):
            object["janus"] = "media"
            object["mid"] = .string(mid)
            object["type"] = .string(type)
            object["receiving"] = .bool(receiving)
            if let substream { object["substream"] = .int(Int64(substream)) }
        case .slowLink(let mid, let media, let uplink, let lost):
            object["janus"] = "slowlink"
            object["mid"] = .string(mid)
            object["media"] = .string(media)
            object["uplink"] = .bool(uplink)
            object["lost"] = .int(Int64(lost))
        case .hangup(let reason):
            object["janus"] = "hangup"
            object["reason"] = .string(reason)
        case .detached:
            object["janus"] = "detached"
        }
        return .object(object)
    }

    static func detached(sessionID: UInt64, handleID: UInt64) -> JSONValue {
        ["janus": "detached", "session_id": id(sessionID), "sender": id(handleID)]
    }
}

extension JanusError {
    /// Janus's default reason text for `code` (apierror.c).
    static func defaultReason(_ code: Int) -> String {
        switch code {
        case unauthorized: return "Unauthorized request (wrong or missing secret/token)"
        case unauthorizedPlugin: return "Unauthorized access to plugin (token is not allowed to)"
        case transportSpecific: return "Transport specific error"
        case missingRequest: return "Missing request"
        case unknownRequest: return "Unknown request"
        case invalidJSON: return "Invalid JSON"
        case invalidJSONObject: return "Invalid JSON Object"
        case missingMandatoryElement: return "Missing mandatory element"
        case invalidRequestPath: return "Invalid path for this request"
        case sessionNotFound: return "Session not found"
        case handleNotFound: return "Handle not found"
        case pluginNotFound: return "Plugin not found"
        case pluginAttach: return "Error attaching plugin"
        case pluginMessage: return "Error sending message to plugin"
        case pluginDetach: return "Error detaching from plugin"
        case jsepUnknownType: return "Unsupported JSEP type"
        case jsepInvalidSDP: return "Invalid SDP"
        case trickleInvalidStream: return "Invalid stream"
        case invalidElementType: return "Invalid element type"
        case sessionConflict: return "Session ID already in use"
        case unexpectedAnswer: return "Unexpected ANSWER (no OFFER)"
        case tokenNotFound: return "Token not found"
        case webRTCState: return "Wrong WebRTC state"
        case notAcceptingSessions: return "Currently not accepting new sessions"
        default: return "Unknown error"
        }
    }

    /// An error with Janus's default reason text.
    public init(code: Int) {
        self.init(code, JanusError.defaultReason(code))
    }
}
