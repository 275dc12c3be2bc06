import SFUMedia
import VideoRoomControl

/// A room-management request (synchronous), decoded and validated (`+Decoding`).
package enum RoomRequest: Sendable {
    case create(CreateRoom)
    case edit(EditRoom)
    case destroy(DestroyRoom)
    case exists(room: VideoRoomID)
    case list(adminKey: String?)
    case allowed(AllowedChange)
    case kick(room: VideoRoomID, secret: GivenSecret, participant: VideoRoomID)
    case moderate(Moderation)
    case listParticipants(room: VideoRoomID)
    /// Extension: what every subscription of participant `participant` receives at most
    /// (bits/s, 0: no cap), as if each had sent `configure` with `max_bitrate`.
    case limitSubscriptions(room: VideoRoomID, secret: GivenSecret, participant: VideoRoomID, maximumBitrate: Int)
}

/// `create`: the room's settings (with `room` 0 when the id is to be picked).
package struct CreateRoom: Sendable {
    var adminKey: GivenSecret
    var permanent = false
    /// Nil: a random free id.
    var room: VideoRoomID?
    var settings: VideoRoomSettings
    /// `description` was given (otherwise it becomes "Room <id>").
    var described: Bool
}

/// `edit`: the changes, all optional (`new_*` keys).
package struct EditRoom: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var permanent = false
    var description: String?
    /// "" clears the secret / pin.
    var newSecret: String?
    var newPin: String?
    var isPrivate: Bool?
    var requirePvtID: Bool?
    var bitrate: UInt32?
    /// Extension: a new room default cap for subscribers (`new_subscriber_max_bitrate`).
    var subscriberMaxBitrate: UInt32?
    var firFreq: UInt32?
    var publishers: UInt64?
    var control: RoomControlEdit
}

package struct DestroyRoom: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var permanent = false
}

/// `allowed`: the join-token list.
package struct AllowedChange: Sendable {
    package enum Action: String, Sendable {
        case enable, disable, add, remove
    }

    var room: VideoRoomID
    var secret: GivenSecret
    var action: Action
    /// The tokens of `add`/`remove` (required for them).
    var tokens: [String]
}

/// `moderate`: mute or unmute one published stream for everyone.
package struct Moderation: Sendable {
    var room: VideoRoomID
    var secret: GivenSecret
    var participant: VideoRoomID
    var mid: String
    var mute: Bool
}
