import SFUMedia
import VideoRoomControl

// Request bodies are read only in the `+Decoding` files: Janus JSON in, typed request out,
// with Janus's codes and wording for what is missing (429 "Missing mandatory element (x)")
// or of the wrong type (430 "Invalid element type (x should be y)"). Pure functions of the
// body; what needs the rooms (does the room exist, is the secret right) is the room's.
// This one: joins, and the requests of publisher and subscriber handles.

// MARK: Joining

extension JoinRequest {
    /// `ptype` decides the shape; an offer on a subscriber `join` is ignored (Janus 1.1.2).
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        let ptype = try fields.requiredString("ptype")
        let room = try fields.room()
        switch ptype {
        case "publisher": self = .publisher(try PublisherJoin(room: room, fields))
        case "subscriber", "listener": self = .subscriber(try SubscriberJoin(room: room, fields))
        default: throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (ptype)")
        }
    }
}

extension PublisherJoin {
    init(room: VideoRoomID, _ fields: VideoRoomFields) throws(VideoRoomError) {
        self.room = room
        credentials = JoinCredentials(pin: GivenSecret(fields, "pin"), token: GivenSecret(fields, "token"))
        display = try fields.string("display")
        id = try fields.id("id").flatMap { $0 == .number(0) ? nil : $0 }
        metadata = fields.body["metadata"]
        bitrate = try fields.uint32("bitrate")
        audioActivePackets = try fields.uint("audio_active_packets")
        audioLevelAverage = try fields.uint("audio_level_average")
        publish = PublishOptions(fields)
        moderatorSecret = try fields.string("moderator_secret")
        secret = GivenSecret(fields, "secret")
    }
}

extension PublishOptions {
    init(_ fields: VideoRoomFields) {
        audioCodec = Result { () throws(VideoRoomError) in try fields.string("audiocodec") }
        videoCodec = Result { () throws(VideoRoomError) in try fields.string("videocodec") }
        var descriptions: [String: String] = [:]
        for item in (try? fields.array("descriptions")) ?? [] {
            guard let mid = item["mid"]?.stringValue, let text = item["description"]?.stringValue else { continue }
            descriptions[mid] = text
        }
        self.descriptions = descriptions
    }
}

extension SubscriberJoin {
    init(room: VideoRoomID, _ fields: VideoRoomFields) throws(VideoRoomError) {
        self.room = room
        pin = GivenSecret(fields, "pin")
        privateID = try fields.uint("private_id").map { UInt32(truncatingIfNeeded: $0) }
        _ = try fields.bool("use_msid")
        _ = try fields.bool("autoupdate")
        let feed = try fields.id("feed")
        if let streams = try fields.array("streams") {
            selectors = try FeedSelector.list(streams, key: "streams")
            legacyFeed = nil
        } else if let feed {
            // Janus 1.1.2 honours the deprecated offer_* switches only in this form.
            var skipped: Set<MediaKind> = []
            if try fields.bool("offer_audio") == false { skipped.insert(.audio) }
            if try fields.bool("offer_video") == false { skipped.insert(.video) }
            if try fields.bool("offer_data") == false { skipped.insert(.application) }
            selectors = [FeedSelector(feed: feed, layers: try RequestedLayers(fields), skippedKinds: skipped)]
            legacyFeed = feed
        } else {
            throw .missing("streams")
        }
    }
}

extension FeedSelector {
    static func list(_ items: [JSONValue], key: String) throws(VideoRoomError) -> [FeedSelector] {
        var out: [FeedSelector] = []
        for object in try VideoRoomFields.objects(items, key: key) {
            let fields = VideoRoomFields(object)
            out.append(FeedSelector(
                feed: try fields.requiredID("feed"), mid: try fields.string("mid"),
                crossrefID: try fields.string("crossrefid"), layers: try RequestedLayers(fields)))
        }
        return out
    }
}

// MARK: Publisher requests

extension PublisherConfigure {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        bitrate = try fields.uint32("bitrate")
        keyframe = try fields.bool("keyframe") ?? false
        display = try fields.string("display")
        audioActivePackets = try fields.uint("audio_active_packets")
        audioLevelAverage = try fields.uint("audio_level_average")
        _ = try fields.bool("record")
        _ = try fields.string("filename")
        _ = try fields.string("audiocodec")
        _ = try fields.string("videocodec")
        streams = try StreamChange.list(fields)
        descriptions = try Self.descriptions(fields)
        metadata = fields.body["metadata"]
        publish = PublishOptions(fields)
    }

    /// `descriptions:[{mid, description}]`.
    private static func descriptions(_ fields: VideoRoomFields) throws(VideoRoomError) -> [(mid: String, text: String)] {
        guard let items = try fields.array("descriptions") else { return [] }
        var out: [(mid: String, text: String)] = []
        for object in try VideoRoomFields.objects(items, key: "descriptions") {
            let itemFields = VideoRoomFields(object)
            out.append((try itemFields.requiredString("mid"), try itemFields.requiredString("description")))
        }
        return out
    }
}

extension StreamChange {
    /// `streams:[{mid, send, keyframe}]` (or legacy top-level `mid`/`send`); a single entry
    /// without `mid` is ignored.
    static func list(_ fields: VideoRoomFields) throws(VideoRoomError) -> [StreamChange] {
        var items: [JSONObject] = []
        if let streams = try fields.array("streams") {
            items = try VideoRoomFields.objects(streams, key: "streams")
            if items.count > 1, items.contains(where: { $0["mid"] == nil }) {
                throw VideoRoomError(
                    VideoRoomError.invalidElement, "Invalid element (mid is required with more than one stream)")
            }
        } else if fields.has("mid") {
            items = [fields.body]
        }
        var changes: [StreamChange] = []
        for item in items {
            let itemFields = VideoRoomFields(item)
            guard let mid = try itemFields.string("mid") else {
                if items.count == 1 { continue }
                throw .missing("mid")
            }
            changes.append(StreamChange(
                mid: mid, send: try itemFields.bool("send"), keyframe: try itemFields.bool("keyframe") ?? false))
        }
        return changes
    }
}

// MARK: Subscriber requests

extension SubscriberConfigure {
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        var objects: [JSONObject] = []
        if let streams = try fields.array("streams") {
            objects = try VideoRoomFields.objects(streams, key: "streams")
        } else if ["mid", "send", "substream", "temporal", "fallback"].contains(where: fields.has) {
            objects = [fields.body]
        }
        _ = try fields.bool("restart")
        maximumBitrate = try fields.uint("max_bitrate").map { Int(clamping: $0) }
        items = []
        for object in objects {
            let itemFields = VideoRoomFields(object)
            let layers = try RequestedLayers(itemFields)
            items.append(Item(mid: try itemFields.string("mid"), send: try itemFields.bool("send"), layers: layers))
        }
    }
}

extension RequestedLayers {
    /// Reads `substream`, `temporal` and `fallback`; layer fields (SVC's too) must be 0, 1 or 2 (430).
    init(_ fields: VideoRoomFields) throws(VideoRoomError) {
        for key in ["substream", "temporal", "spatial_layer", "temporal_layer"] {
            if let layer = try fields.uint(key), layer > 2 {
                throw VideoRoomError(VideoRoomError.invalidElement, "Invalid element (\(key) should be 0, 1 or 2)")
            }
        }
        substream = try fields.uint("substream").map { Int($0) }
        temporal = try fields.uint("temporal").map { Int($0) }
        fallback = try fields.uint("fallback").map { Int(clamping: $0) }
    }
}

extension Unsubscription {
    static func list(_ items: [JSONValue], key: String) throws(VideoRoomError) -> [Unsubscription] {
        var out: [Unsubscription] = []
        for object in try VideoRoomFields.objects(items, key: key) {
            let fields = VideoRoomFields(object)
            let feed = try fields.id("feed")
            let mid = try fields.string("mid")
            if let subMid = try fields.string("sub_mid") {
                out.append(.subscriptionMid(subMid))
            } else if let feed {
                out.append(.feed(feed, mid: mid))
            } else {
                throw .missing("feed")
            }
        }
        return out
    }
}

/// `subscribe`, `unsubscribe` and `update`: streams to add and to remove.
struct SubscriptionChange: Sendable {
    var subscribe: [FeedSelector] = []
    var unsubscribe: [Unsubscription] = []

    init(_ name: VideoRoomRequestName, _ fields: VideoRoomFields) throws(VideoRoomError) {
        if name == .update {
            if let items = try fields.array("subscribe") {
                guard !items.isEmpty else { throw VideoRoomError(VideoRoomError.invalidElement, "Empty subscription list") }
                subscribe = try FeedSelector.list(items, key: "subscribe")
            }
            if let items = try fields.array("unsubscribe") {
                guard !items.isEmpty else {
                    throw VideoRoomError(VideoRoomError.invalidElement, "Empty unsubscription list")
                }
                unsubscribe = try Unsubscription.list(items, key: "unsubscribe")
            }
            return
        }
        guard let items = try fields.array("streams") else { throw .missing("streams") }
        guard !items.isEmpty else {
            throw VideoRoomError(
                VideoRoomError.invalidElement,
                name == .subscribe ? "Empty subscription list" : "Empty unsubscription list")
        }
        if name == .subscribe {
            subscribe = try FeedSelector.list(items, key: "streams")
        } else {
            unsubscribe = try Unsubscription.list(items, key: "streams")
        }
    }
}

extension StreamSwitch {
    static func list(_ fields: VideoRoomFields) throws(VideoRoomError) -> [StreamSwitch] {
        guard let items = try fields.array("streams") else { throw .missing("streams") }
        guard !items.isEmpty else { throw VideoRoomError(VideoRoomError.invalidElement, "Empty switch list") }
        var out: [StreamSwitch] = []
        for object in try VideoRoomFields.objects(items, key: "streams") {
            let itemFields = VideoRoomFields(object)
            out.append(StreamSwitch(
                feed: try itemFields.requiredID("feed"), mid: try itemFields.requiredString("mid"),
                subscriptionMid: try itemFields.requiredString("sub_mid")))
        }
        return out
    }
}
