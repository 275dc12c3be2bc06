/// The body of an EchoTest `message`, validated like Janus's echotest plugin does.
struct EchoTestRequest: Equatable {
    var audio: Bool?
    var video: Bool?
    var bitrate: UInt32?
    var keyframe: Bool?

    /// EchoTest plugin error codes (janus_echotest.c).
    enum ErrorCode {
        static let noMessage = 411
        static let invalidJSON = 412
        static let invalidElement = 413
        static let invalidSDP = 414
    }

    struct Failure: Error, Equatable {
        var code: Int
        var reason: String
    }

    init(audio: Bool? = nil, video: Bool? = nil, bitrate: UInt32? = nil, keyframe: Bool? = nil) {
        self.audio = audio
        self.video = video
        self.bitrate = bitrate
        self.keyframe = keyframe
    }

    init(body: JSONObject) throws(Failure) {
        audio = try Self.optionalBool(body, "audio")
        video = try Self.optionalBool(body, "video")
        keyframe = try Self.optionalBool(body, "keyframe")
        if let value = body["bitrate"] {
            guard let number = value.int64Value, number >= 0 else {
                throw Failure(
                    code: ErrorCode.invalidElement,
                    reason: "Invalid element type (bitrate should be a positive integer)")
            }
            bitrate = UInt32(clamping: number)
        }
    }

    private static func optionalBool(_ body: JSONObject, _ key: String) throws(Failure) -> Bool? {
        guard let value = body[key] else { return nil }
        guard let flag = value.boolValue else {
            throw Failure(code: ErrorCode.invalidElement, reason: "Invalid element type (\(key) should be a boolean)")
        }
        return flag
    }
}
