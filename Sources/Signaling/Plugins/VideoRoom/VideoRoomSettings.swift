import VideoRoomControl

/// The properties of one room (janus-api.md §8.2) that swift-sfu honours. Built from a `create`
/// body (or a rooms-file entry, which uses the same keys), changed by `edit`/`allowed`.
/// A value type owned by the room registry.
public struct VideoRoomSettings: Sendable, Equatable {
    /// The room's id (an integer: swift-sfu runs as Janus with `string_ids = false`).
    public var id: VideoRoomID
    /// The integer id (`room` in requests and events).
    public var room: UInt64 {
        get { id.number ?? 0 }
        set { id = .number(newValue) }
    }
    public var description: String
    public var isPrivate = false
    public var secret: String?
    public var pin: String?
    /// Join tokens; `checkAllowed` turns the ACL on (set when `allowed` is given at create).
    public var allowed: [String] = []
    public var checkAllowed = false
    public var requirePvtID = false
    /// Maximum concurrent active publishers.
    public var publishers = 3
    /// REMB cap in bps for new publishers; 0 = none.
    public var bitrate: UInt32 = 0
    /// Extension: what each subscriber receives at most, bits/s, unless it sets its own
    /// `max_bitrate`; 0 = no room default.
    public var subscriberMaxBitrate: UInt32 = 0
    /// Also write `b=AS` on video in publisher answers.
    public var bitrateCap = false
    /// Seconds between keyframe requests to publishers; 0 = never.
    public var firFreq: UInt32 = 0
    /// Codec preference lists (lowercase Janus names).
    public var audioCodecs = ["opus"]
    public var videoCodecs = ["vp8"]
    public var opusFEC = true
    public var opusDTX = false
    public var audioLevelExt = true
    public var audioLevelEvent = false
    public var audioActivePackets = 100
    public var audioLevelAverage = 25
    public var notifyJoining = false
    /// Janus `transport_wide_cc_ext`: answer publishers' transport-wide sequence numbers with
    /// TWCC feedback (their send-side estimate then follows the real path).
    public var transportWideCC = true
    /// Room-control extension (README "Room control"): joiners wait in a lobby until admitted.
    public var waitingRoom = false
    /// Seconds a joiner may wait in the lobby; 0 waits forever.
    public var waitingTimeout: UInt32 = 0
    /// Joining with this secret (or the room `secret`) makes a moderator.
    public var moderatorSecret: String?

    public static let supportedAudioCodecs = ["opus", "g722", "pcmu", "pcma"]
    public static let supportedVideoCodecs = ["vp8", "vp9", "h264", "av1"]

    public init(room: UInt64, description: String? = nil) {
        id = .number(room)
        self.description = description ?? "Room \(room)"
    }

    /// Janus's default demo room (janus.plugin.videoroom.jcfg.sample): room 1234.
    public static var demoRoom: VideoRoomSettings {
        var room = VideoRoomSettings(room: 1234, description: "Demo Room")
        room.publishers = 6
        room.bitrate = 128000
        room.firFreq = 10
        return room
    }

    /// Reads the `create` keys (also the rooms-file format). `room` must already be resolved.
    init(room: UInt64, create fields: VideoRoomFields) throws(VideoRoomError) {
        self.init(room: room, description: try fields.string("description"))
        if let value = try fields.bool("is_private") { isPrivate = value }
        secret = try fields.string("secret")
        pin = try fields.string("pin")
        if let list = try fields.strings("allowed") {
            allowed = list
            checkAllowed = true
        }
        if let value = try fields.bool("require_pvtid") { requirePvtID = value }
        if let value = try fields.uint("publishers") { publishers = Int(clamping: max(1, value)) }
        if let value = try fields.uint32("bitrate") { bitrate = Self.normalisedBitrate(value) }
        if let value = try fields.bool("bitrate_cap") { bitrateCap = value }
        if let value = try fields.uint32("subscriber_max_bitrate") { subscriberMaxBitrate = value }
        if let value = try fields.uint32("fir_freq") { firFreq = value }
        if let csv = try fields.string("audiocodec") {
            audioCodecs = Self.codecList(csv, supported: Self.supportedAudioCodecs, fallback: ["opus"])
        }
        if let csv = try fields.string("videocodec") {
            videoCodecs = Self.codecList(csv, supported: Self.supportedVideoCodecs, fallback: ["vp8"])
        }
        if let value = try fields.bool("opus_fec") { opusFEC = value }
        if let value = try fields.bool("opus_dtx") { opusDTX = value }
        if let value = try fields.bool("audiolevel_ext") { audioLevelExt = value }
        if let value = try fields.bool("audiolevel_event") { audioLevelEvent = value }
        if let value = try fields.bool("transport_wide_cc_ext") { transportWideCC = value }
        if let value = try fields.uint("audio_active_packets"), value > 0 {
            audioActivePackets = Int(clamping: value)
        }
        if let value = try fields.uint("audio_level_average") {
            // Janus: 0 or beyond the -dBov range falls back to the default.
            audioLevelAverage = (1...127).contains(value) ? Int(value) : 25
        }
        if let value = try fields.bool("notify_joining") { notifyJoining = value }
        try readRoomControl(fields)
    }

    /// Janus raises a non-zero cap below 64 kbps to 64 kbps.
    static func normalisedBitrate(_ value: UInt32) -> UInt32 {
        value > 0 && value < 64000 ? 64000 : value
    }

    /// Every codec name Janus 1.1.2 knows (`janus_*codec_from_name`, case-insensitive). A
    /// `create` request naming anything else is refused, even though we forward fewer.
    static let knownAudioCodecNames: Set<String> = [
        "opus", "multiopus", "red", "isac32", "isac16", "pcmu", "pcma", "g722", "l16-48", "l16",
    ]
    static let knownVideoCodecNames: Set<String> = ["vp8", "vp9", "h264", "av1", "h265"]

    /// The `create` request's codec check (Janus 1.1.2 does it only there, not for rooms read
    /// from the configuration file): the first five comma-separated names must each be a known
    /// codec name, an empty name included, or the request fails with 430.
    static func validateCodecNames(_ fields: VideoRoomFields) throws(VideoRoomError) {
        if let csv = try fields.string("audiocodec"), !Self.namesKnown(csv, Self.knownAudioCodecNames) {
            throw VideoRoomError(
                VideoRoomError.invalidElement,
                "Invalid element (audiocodec can only be or contain opus, isac32, isac16, pcmu, pcma or g722)")
        }
        if let csv = try fields.string("videocodec"), !Self.namesKnown(csv, Self.knownVideoCodecNames) {
            throw VideoRoomError(
                VideoRoomError.invalidElement,
                "Invalid element (videocodec can only be or contain vp8, vp9, av1, h264 or h265)")
        }
    }

    private static func namesKnown(_ csv: String, _ known: Set<String>) -> Bool {
        csv.split(separator: ",", omittingEmptySubsequences: false).prefix(5).allSatisfy {
            known.contains($0.lowercased())
        }
    }

    /// A comma-separated codec list. Like Janus 1.1.2, names we cannot forward are skipped
    /// rather than refused (the room is still created); at most 5 are kept, and an empty result
    /// falls back to `fallback`.
    static func codecList(_ csv: String, supported: [String], fallback: [String]) -> [String] {
        var unique: [String] = []
        for name in csv.split(separator: ",").map({ String($0).trimmedSpaces().lowercased() })
        where supported.contains(name) && !unique.contains(name) && unique.count < 5 {
            unique.append(name)
        }
        return unique.isEmpty ? fallback : unique
    }

    /// The `create`-style object written to the rooms file (secrets included: it is our config).
    var persisted: JSONObject {
        var object: JSONObject = [
            "room": .id(id), "description": .string(description), "is_private": .bool(isPrivate),
            "require_pvtid": .bool(requirePvtID), "publishers": .int(Int64(publishers)),
            "bitrate": .int(Int64(bitrate)), "bitrate_cap": .bool(bitrateCap), "fir_freq": .int(Int64(firFreq)),
            "audiocodec": .string(audioCodecs.joined(separator: ",")),
            "videocodec": .string(videoCodecs.joined(separator: ",")), "opus_fec": .bool(opusFEC),
            "opus_dtx": .bool(opusDTX), "audiolevel_ext": .bool(audioLevelExt),
            "audiolevel_event": .bool(audioLevelEvent), "audio_active_packets": .int(Int64(audioActivePackets)),
            "audio_level_average": .int(Int64(audioLevelAverage)), "notify_joining": .bool(notifyJoining),
            "transport_wide_cc_ext": .bool(transportWideCC), "subscriber_max_bitrate": .int(Int64(subscriberMaxBitrate)),
        ]
        if let secret { object["secret"] = .string(secret) }
        if let pin { object["pin"] = .string(pin) }
        if checkAllowed { object["allowed"] = .array(allowed.map { .string($0) }) }
        addRoomControl(to: &object, secrets: true)
        return object
    }

    /// One `list` entry (§8.3), with the fields Janus always shows plus the optional ones when set.
    func listEntry(participants: Int) -> JSONObject {
        var entry: JSONObject = [
            "room": .id(id), "description": .string(description),
            "pin_required": .bool(pin != nil), "is_private": .bool(isPrivate),
            "max_publishers": .int(Int64(publishers)), "bitrate": .int(Int64(bitrate)),
            "fir_freq": .int(Int64(firFreq)), "require_pvtid": .bool(requirePvtID), "require_e2ee": false,
            "dummy_publisher": false, "notify_joining": .bool(notifyJoining),
            "audiocodec": .string(audioCodecs.joined(separator: ",")),
            "videocodec": .string(videoCodecs.joined(separator: ",")), "opus_fec": .bool(opusFEC),
            "record": false, "lock_record": false, "num_participants": .int(Int64(participants)),
            "audiolevel_ext": .bool(audioLevelExt), "audiolevel_event": .bool(audioLevelEvent),
            "videoorient_ext": true, "playoutdelay_ext": true,
            "transport_wide_cc_ext": .bool(transportWideCC),
        ]
        if bitrateCap { entry["bitrate_cap"] = true }
        if subscriberMaxBitrate > 0 { entry["subscriber_max_bitrate"] = .int(Int64(subscriberMaxBitrate)) }
        if opusDTX { entry["opus_dtx"] = true }
        if audioLevelEvent {
            entry["audio_active_packets"] = .int(Int64(audioActivePackets))
            entry["audio_level_average"] = .int(Int64(audioLevelAverage))
        }
        addRoomControl(to: &entry, secrets: false)
        return entry
    }
}

extension String {
    fileprivate func trimmedSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
