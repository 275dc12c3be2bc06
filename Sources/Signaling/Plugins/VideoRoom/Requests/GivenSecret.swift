import SFUMedia
import VideoRoomControl

/// A secret, pin, token or admin key as the request gave it. Janus reads one only when the
/// room (or the server) has one to compare with, so a wrong type is an error only then.
package struct GivenSecret: Sendable {
    let key: String
    let value: Result<String?, VideoRoomError>

    init(_ fields: VideoRoomFields, _ key: String) {
        self.key = key
        value = Result { () throws(VideoRoomError) in try fields.string(key) }
    }

    package init(key: String, _ given: String?) {
        self.key = key
        value = .success(given)
    }

    /// The string given, if it is one.
    var lenient: String? { (try? value.get()) ?? nil }

    /// The string given, read now: 430 for another type, nil when absent.
    func read() throws(VideoRoomError) -> String? { try value.get() }

    /// Against the room's `expected` (nil: nothing to check): 429 missing, 433 wrong.
    func check(_ expected: String?, wrong: VideoRoomError = .wrongSecret) throws(VideoRoomError) {
        guard let expected else { return }
        guard let given = try read() else { throw .missing(key) }
        guard given == expected else { throw wrong }
    }
}
