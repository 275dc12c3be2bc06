import SFUMedia

/// `handle_info` of a VideoRoom handle (Janus videoroom's `query_session`): what the handle is
/// in which room, and its PeerConnection. Read-only.
extension VideoRoomHandle {
    func adminInfo() async -> PluginAdminInfo { await registry.adminInfo(handleID: handleID) }
}

extension VideoRoomRegistry {
    func adminInfo(handleID: UInt64) -> PluginAdminInfo {
        switch roles[handleID] {
        case .publisher(let roomID, let id)?:
            guard let participant = rooms[roomID]?.participants[id] else { break }
            var info: JSONObject = [
                "type": "publisher", "room": .id(roomID), "id": .id(id),
                "private_id": .int(Int64(participant.privateID)),
            ]
            if let display = participant.display { info["display"] = .string(display) }
            if let media = participant.media {
                info["streams"] = .array(media.streams.map { stream in
                    ["mid": .string(stream.mid), "type": .string(Self.kindName(stream.kind))]
                })
            }
            return PluginAdminInfo(
                pluginSpecific: info, transport: participant.media?.allocation,
                localSDP: participant.media?.lastAnswer.text)
        case .subscriber(let roomID)?:
            guard let subscriber = rooms[roomID]?.subscribers[handleID] else { break }
            let streams: [JSONValue] = subscriber.streams.map { stream in
                var entry: JSONObject = [
                    "mid": .string(stream.mid), "type": .string(Self.kindName(stream.kind)), "send": .bool(stream.send),
                ]
                if let feed = stream.feedID { entry["feed_id"] = .id(feed) }
                if let feedMid = stream.feedMid { entry["feed_mid"] = .string(feedMid) }
                return .object(entry)
            }
            return PluginAdminInfo(
                pluginSpecific: ["type": "subscriber", "room": .id(roomID), "streams": .array(streams)],
                transport: subscriber.allocation, localSDP: subscriber.lastOffer?.text)
        default:
            break
        }
        return PluginAdminInfo(pluginSpecific: ["type": "none"])
    }

    private static func kindName(_ kind: MediaKind) -> String {
        switch kind {
        case .audio: "audio"
        case .video: "video"
        case .application: "data"
        case .other(let name): name
        }
    }
}
