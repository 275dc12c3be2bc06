/// Plugin-wide settings (Janus's `janus.plugin.videoroom.jcfg` `general` section plus its
/// room sections). Ids are always integers (`string_ids = false`).
public struct VideoRoomConfiguration: Sendable {
    /// When set, `create` needs a matching `admin_key` and `list` with it shows private rooms.
    public var adminKey: String?
    /// JSON file holding the rooms created or edited with `permanent: true`; loaded at start,
    /// rewritten atomically on every change. Nil: `permanent: true` answers 499 like a Janus
    /// without a configuration file.
    public var roomsFile: String?
    /// Rooms that exist from the start (not written to `roomsFile` unless edited permanently).
    public var rooms: [VideoRoomSettings]
    /// Gets every room event as a typed value (for an embedder's event stream); nil: none.
    public var observer: VideoRoomEventObserver?
    /// Rooms that may exist at once (configured ones included); `create` beyond it answers 499.
    /// 0: no limit. (Janus has none.)
    public var maxRooms = 1000
    /// Handles joined to one room — participants (publishers and attendees), subscribers and
    /// lobby — beyond which `join` answers 432. 0: no limit. (A room's `publishers` bounds the
    /// publishers among them, as in Janus.)
    public var maxParticipantsPerRoom = 1000

    /// Plugin settings; the default has Janus's demo room 1234 and nothing else.
    public init(
        adminKey: String? = nil, roomsFile: String? = nil, rooms: [VideoRoomSettings] = [.demoRoom],
        observer: VideoRoomEventObserver? = nil
    ) {
        self.adminKey = adminKey
        self.roomsFile = roomsFile
        self.rooms = rooms
        self.observer = observer
    }
}
