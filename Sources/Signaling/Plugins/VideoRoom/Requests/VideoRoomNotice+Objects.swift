import SFUMedia
import VideoRoomControl

/// The objects inside VideoRoom events: publishers, their streams, attendees, subscription
/// m-lines (janus-api.md §8.6, §8.7).
extension VideoRoomNotice {
    /// The publisher object of `joined`/`publishers` (§8.6).
    static func publisher(_ participant: Participant, room: VideoRoomSettings) -> JSONObject {
        var object: JSONObject = ["id": .id(participant.id)]
        if let display = participant.display { object["display"] = .string(display) }
        if let metadata = participant.metadata { object["metadata"] = metadata }
        if let publisherMedia = participant.media {
            if let codec = publisherMedia.audioCodec { object["audio_codec"] = .string(codec.rawValue) }
            if let codec = publisherMedia.videoCodec { object["video_codec"] = .string(codec.rawValue) }
            if room.audioLevelEvent { object["talking"] = .bool(participant.isTalking) }
            object["streams"] = .array(publisherMedia.streams.map { .object(stream($0, room: room)) })
        }
        return object
    }

    static func stream(_ stream: PublishedStream, room: VideoRoomSettings) -> JSONObject {
        var object: JSONObject = [
            "type": .string(stream.typeName), "mindex": .int(Int64(stream.mindex)), "mid": .string(stream.mid),
        ]
        if stream.disabled {
            object["disabled"] = true
            return object
        }
        if let codec = stream.codec {
            object["codec"] = .string(codec.rawValue)
            if codec == .opus {
                if stream.fmtpParameter("stereo") == "1" { object["stereo"] = true }
                if stream.fmtpParameter("useinbandfec") == "1" { object["fec"] = true }
                if stream.fmtpParameter("usedtx") == "1" { object["dtx"] = true }
            }
            if codec == .h264, let profile = stream.fmtpParameter("profile-level-id") {
                object["h264_profile"] = .string(profile)
            }
            if codec == .vp9, let profile = stream.fmtpParameter("profile-id") { object["vp9_profile"] = .string(profile) }
        }
        if let description = stream.description { object["description"] = .string(description) }
        if stream.simulcast { object["simulcast"] = true }
        if stream.moderated { object["moderated"] = true }
        if stream.kind == .audio && room.audioLevelEvent { object["talking"] = .bool(stream.talking) }
        return object
    }

    static func attendee(_ participant: Participant) -> JSONObject {
        var object: JSONObject = ["id": .id(participant.id)]
        if let display = participant.display { object["display"] = .string(display) }
        if let metadata = participant.metadata { object["metadata"] = metadata }
        return object
    }

    /// The `streams` array of `attached`/`updated`/`switched` (§8.7).
    /// Janus's per-stream simulcast state: the layers forwarded now (-1 before the first), the
    /// targets (2 unless chosen) and the fallback in µs.
    static func simulcastObject(_ stream: SubscriptionStream) -> JSONValue {
        [
            "substream": .int(Int64(stream.forwardedSubstream ?? -1)),
            "substream-target": .int(Int64(stream.substream ?? 2)),
            "temporal-layer": .int(Int64(stream.forwardedTemporal ?? -1)),
            "temporal-layer-target": .int(Int64(stream.temporal ?? 2)),
            "fallback": .int(Int64(stream.fallback ?? 250_000)),
        ]
    }

    static func subscription(_ subscriber: Subscriber, participants: [VideoRoomID: Participant]) -> JSONValue {
        return .array(subscriber.streams.map { stream in
            var object: JSONObject = [
                "type": .string(stream.kind == .audio ? "audio" : "video"), "active": .bool(stream.active),
                "mindex": .int(Int64(stream.mindex)), "mid": .string(stream.mid),
                // Janus: an m-line is ready once an answer accepted it with its current source.
                "ready": .bool(stream.active && subscriber.answeredCodecs[stream.mid] == stream.codec),
                "send": .bool(stream.send && !subscriber.paused),
            ]
            guard let feed = stream.feedID, let feedMid = stream.feedMid else { return .object(object) }
            object["feed_id"] = .id(feed)
            object["feed_mid"] = .string(feedMid)
            object["codec"] = .string(stream.codec.rawValue)
            if let publisher = participants[feed] {
                if let display = publisher.display { object["feed_display"] = .string(display) }
                if let metadata = publisher.metadata { object["feed_metadata"] = metadata }
                if let description = publisher.media?.stream(mid: feedMid)?.description {
                    object["feed_description"] = .string(description)
                }
                if publisher.media?.stream(mid: feedMid)?.simulcast == true { object["simulcast"] = simulcastObject(stream) }
            }
            if let crossref = stream.crossrefID { object["crossrefid"] = .string(crossref) }
            return .object(object)
        })
    }

}
