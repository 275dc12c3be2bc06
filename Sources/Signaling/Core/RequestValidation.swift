/// Field checks with Janus's exact error texts (janus.c `JANUS_VALIDATE_JSON_OBJECT`,
/// ice.c `janus_ice_trickle_parse`). Pure functions over the request object.
enum RequestValidation {
    enum Kind {
        case string, integer, positiveInteger, object, array, boolean

        /// As `janus_get_json_type_name` words it.
        var janusName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .positiveInteger: return "a positive integer"
            case .object: return "an object"
            case .array: return "an array"
            case .boolean: return "a boolean"
            }
        }

        func matches(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.integer, .int), (.object, .object), (.array, .array), (.boolean, .bool):
                return true
            case (.positiveInteger, .int(let i)):
                return i >= 0
            default:
                return false
            }
        }
    }

    /// Throws 456/467 when `key` is missing (and required) or of the wrong type.
    static func check(
        _ object: JSONObject, _ key: String, _ kind: Kind, required: Bool,
        missing: String = "Missing mandatory element (%s)",
        invalid: String = "Invalid element type (%s should be %t)"
    ) throws(JanusError) {
        guard let value = object[key] else {
            if required {
                throw JanusError(JanusError.missingMandatoryElement, missing.replacingFirst("%s", with: key))
            }
            return
        }
        if !kind.matches(value) {
            let text = invalid.replacingFirst("%s", with: key).replacingFirst("%t", with: kind.janusName)
            throw JanusError(JanusError.invalidElementType, text)
        }
    }

    /// Validates a `message`'s `jsep` (janus-api.md §3.3) into a `JSEP`.
    static func jsep(_ value: JSONValue) throws(JanusError) -> JSEP {
        guard case .object(let object) = value else {
            throw JanusError(JanusError.invalidJSONObject, "Invalid jsep object")
        }
        let missing = "JSEP error: missing mandatory element (%s)"
        let invalid = "JSEP error: invalid element type (%s should be %t)"
        try check(object, "type", .string, required: true, missing: missing, invalid: invalid)
        try check(object, "sdp", .string, required: true, missing: missing, invalid: invalid)
        try check(object, "trickle", .boolean, required: false, missing: missing, invalid: invalid)
        try check(object, "rid_order", .string, required: false, missing: missing, invalid: invalid)
        try check(object, "force_relay", .boolean, required: false, missing: missing, invalid: invalid)
        try check(object, "e2ee", .boolean, required: false, missing: missing, invalid: invalid)
        let typeText = object["type"]?.stringValue ?? ""
        let kind: JSEP.Kind
        switch typeText.lowercased() {
        case "offer": kind = .offer
        case "answer": kind = .answer
        default:
            throw JanusError(JanusError.jsepUnknownType, "JSEP error: unknown message type '\(typeText)'")
        }
        let sdp = object["sdp"]?.stringValue ?? ""
        guard sdp.utf8.starts(with: "v=".utf8) else {
            throw JanusError(JanusError.jsepInvalidSDP, "Invalid SDP (doesn't start with v=)")
        }
        var extra = object
        for key in ["type", "sdp", "trickle", "e2ee"] { extra[key] = nil }
        return JSEP(
            type: kind, sdp: sdp, trickle: object["trickle"]?.boolValue, e2ee: object["e2ee"]?.boolValue,
            extra: extra)
    }

    /// One trickle entry: a candidate, or end-of-candidates.
    enum TrickleEntry {
        case candidate(TrickleCandidate)
        case completed
    }

    /// `candidate` semantics: null, not an object, or with `completed` means end-of-candidates.
    static func trickleEntry(_ value: JSONValue) throws(JanusError) -> TrickleEntry {
        guard case .object(let object) = value, object["completed"] == nil else { return .completed }
        let mid = object["sdpMid"]
        if let mid, mid.stringValue == nil {
            throw JanusError(
                JanusError.invalidElementType, "Trickle error: invalid element type (sdpMid should be a string)")
        }
        let mline = object["sdpMLineIndex"]
        var index: Int?
        if let mline {
            guard case .int(let i) = mline, i >= 0, i <= Int64(Int32.max) else {
                throw JanusError(
                    JanusError.invalidElementType,
                    "Trickle error: invalid element type (sdpMLineIndex should be a positive integer)")
            }
            index = Int(i)
        }
        if mid == nil && mline == nil {
            throw JanusError(
                JanusError.missingMandatoryElement, "Trickle error: missing mandatory element (sdpMid or sdpMLineIndex)")
        }
        guard let candidateValue = object["candidate"] else {
            throw JanusError(JanusError.missingMandatoryElement, "Trickle error: missing mandatory element (candidate)")
        }
        guard let candidate = candidateValue.stringValue else {
            throw JanusError(
                JanusError.invalidElementType, "Trickle error: invalid element type (candidate should be a string)")
        }
        return .candidate(TrickleCandidate(candidate: candidate, sdpMid: mid?.stringValue, sdpMLineIndex: index))
    }

    /// A whole `trickle` request: exactly one of `candidate` / `candidates` (janus-api.md §3.4).
    /// Invalid entries of a `candidates` array are skipped, as Janus does.
    static func trickle(_ request: JSONObject) throws(JanusError) -> (candidates: [TrickleCandidate], completed: Bool) {
        let single = request["candidate"]
        let multiple = request["candidates"]
        if single == nil && multiple == nil {
            throw JanusError(JanusError.missingMandatoryElement, "Missing mandatory element (candidate|candidates)")
        }
        if single != nil && multiple != nil {
            throw JanusError(JanusError.invalidJSON, "Can't have both candidate and candidates")
        }
        if let single {
            switch try trickleEntry(single) {
            case .candidate(let c): return ([c], false)
            case .completed: return ([], true)
            }
        }
        guard case .array(let entries)? = multiple else {
            throw JanusError(JanusError.invalidElementType, "candidates is not an array")
        }
        var candidates: [TrickleCandidate] = []
        var completed = false
        for entry in entries {
            switch try? trickleEntry(entry) {
            case .candidate(let c)?: candidates.append(c)
            case .completed?: completed = true
            case nil: continue
            }
        }
        return (candidates, completed)
    }
}
