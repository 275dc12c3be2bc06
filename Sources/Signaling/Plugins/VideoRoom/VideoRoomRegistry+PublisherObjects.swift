import SFUMedia

/// The publisher objects of `joined`/`publishers` events and their announcement (§8.6).
extension VideoRoomRegistry {
    /// The publisher object of `joined`/`publishers` (§8.6).
    func publisherObject(_ participant: Participant, room: VideoRoomSettings) -> JSONObject {
        var object: JSONObject = ["id": .uint(participant.id)]
        if let display = participant.display { object["display"] = .string(display) }
        if let metadata = participant.metadata { object["metadata"] = metadata }
        if let publisherMedia = participant.media {
            if let codec = publisherMedia.audioCodec { object["audio_codec"] = .string(codec.rawValue) }
            if let codec = publisherMedia.videoCodec { object["video_codec"] = .string(codec.rawValue) }
            if room.audioLevelEvent { object["talking"] = .bool(participant.isTalking) }
            object["streams"] = .array(publisherMedia.streams.map { .object(streamObject($0, room: room)) })
        }
        return object
    }

    func streamObject(_ stream: PublishedStream, room: VideoRoomSettings) -> JSONObject {
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

    /// `{"publishers":[<this one>]}` to everyone else in the room.
    func announcePublisher(room roomID: UInt64, id: UInt64) {
        guard let room = rooms[roomID], let participant = room.participants[id], participant.isActivePublisher
        else { return }
        notifyParticipants(
            room: roomID,
            ["videoroom": "event", "room": .uint(roomID),
             "publishers": [.object(publisherObject(participant, room: room.settings))]],
            excluding: id)
    }
}
