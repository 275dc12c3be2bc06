import VideoRoomControl

/// Typed reads of request fields with Janus's validation wording
/// (`JANUS_VALIDATE_JSON_OBJECT`: 429 "Missing mandatory element (x)",
/// 430 "Invalid element type (x should be y)"). Pure functions over the request body.
struct VideoRoomFields {
    let body: JSONObject

    init(_ body: JSONObject) { self.body = body }

    func has(_ key: String) -> Bool { body[key] != nil }

    private func invalid(_ key: String, _ type: String) -> VideoRoomError {
        VideoRoomError(VideoRoomError.invalidElement, "Invalid element type (\(key) should be \(type))")
    }

    func string(_ key: String) throws(VideoRoomError) -> String? {
        guard let value = body[key] else { return nil }
        guard let text = value.stringValue else { throw invalid(key, "a string") }
        return text
    }

    func requiredString(_ key: String) throws(VideoRoomError) -> String {
        guard let text = try string(key) else { throw .missing(key) }
        return text
    }

    func bool(_ key: String) throws(VideoRoomError) -> Bool? {
        guard let value = body[key] else { return nil }
        guard let flag = value.boolValue else { throw invalid(key, "a boolean") }
        return flag
    }

    /// A non-negative integer (Janus `JSON_INTEGER | JANUS_JSON_PARAM_POSITIVE`).
    func uint(_ key: String) throws(VideoRoomError) -> UInt64? {
        guard let value = body[key] else { return nil }
        guard case .int(let number) = value, number >= 0 else { throw invalid(key, "a positive integer") }
        return UInt64(number)
    }

    func uint32(_ key: String) throws(VideoRoomError) -> UInt32? {
        try uint(key).map { UInt32(clamping: $0) }
    }

    func array(_ key: String) throws(VideoRoomError) -> [JSONValue]? {
        guard let value = body[key] else { return nil }
        guard let items = value.arrayValue else { throw invalid(key, "an array") }
        return items
    }

    /// An array of strings (e.g. `allowed`).
    func strings(_ key: String) throws(VideoRoomError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw invalid(key, "an array of strings") }
            out.append(text)
        }
        return out
    }

    /// A room or participant id as Janus reads it with `string_ids = false`: a positive integer.
    func id(_ key: String) throws(VideoRoomError) -> VideoRoomID? { try uint(key).map(VideoRoomID.number) }

    func requiredID(_ key: String) throws(VideoRoomError) -> VideoRoomID {
        guard let id = try id(key) else { throw .missing(key) }
        return id
    }

    /// `room`: required.
    func room() throws(VideoRoomError) -> VideoRoomID { try requiredID("room") }

    /// The entries of an array that must hold objects (430 otherwise).
    static func objects(_ items: [JSONValue], key: String) throws(VideoRoomError) -> [JSONObject] {
        var out: [JSONObject] = []
        for item in items {
            guard let object = item.objectValue else {
                throw VideoRoomError(
                    VideoRoomError.invalidElement, "Invalid element type (\(key) should be an array of objects)")
            }
            out.append(object)
        }
        return out
    }
}
