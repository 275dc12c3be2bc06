import VideoRoomControl

/// A VideoRoom plugin error: Janus's `JANUS_VIDEOROOM_ERROR_*` code and reason text
/// (janus-api.md §8.12). Sent inside `plugindata.data` as
/// `{"videoroom":"event","error_code":N,"error":"..."}`: in the `success` of a synchronous
/// request, or in an `event` with the request's transaction for an asynchronous one.
package struct VideoRoomError: Error, Equatable, Sendable {
    package var code: Int
    package var reason: String

    init(_ code: Int, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    static let unknown = 499
    static let noMessage = 421
    static let invalidJSON = 422
    static let invalidRequest = 423
    static let joinFirst = 424
    static let alreadyJoined = 425
    static let noSuchRoom = 426
    static let roomExists = 427
    static let noSuchFeed = 428
    static let missingElement = 429
    static let invalidElement = 430
    static let invalidSDPType = 431
    static let publishersFull = 432
    static let unauthorized = 433
    static let alreadyPublished = 434
    static let notPublished = 435
    static let idExists = 436
    static let invalidSDP = 437

    static func noSuchRoom(_ room: VideoRoomID) -> VideoRoomError { VideoRoomError(noSuchRoom, "No such room (\(room))") }
    static func missing(_ key: String) -> VideoRoomError {
        VideoRoomError(missingElement, "Missing mandatory element (\(key))")
    }
    static let wrongSecret = VideoRoomError(unauthorized, "Unauthorized (wrong secret)")
    static let wrongPin = VideoRoomError(unauthorized, "Unauthorized (wrong pin)")

    /// The `plugindata.data` object carrying this error.
    var data: JSONObject {
        ["videoroom": "event", "error_code": .int(Int64(code)), "error": .string(reason)]
    }
}
