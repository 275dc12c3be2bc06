import SFUMedia
import VideoRoomControl

/// Typed events for `VideoRoomConfiguration.observer`, emitted beside the Janus events.
extension Room {
    /// An event about a publisher-role participant.
    mutating func observe(_ kind: VideoRoomEvent.Kind, participant: Participant) {
        effects.append(.observe(VideoRoomEvent(
            roomID: id, participantID: participant.id, display: participant.display, handle: participant.handleID,
            peer: .publisher, kind: kind)))
    }

    /// An event about a subscriber PeerConnection.
    mutating func observe(_ kind: VideoRoomEvent.Kind, subscriber: Subscriber) {
        effects.append(.observe(VideoRoomEvent(roomID: id, handle: subscriber.handleID, peer: .subscriber, kind: kind)))
    }

    /// A room-level event.
    mutating func observe(_ kind: VideoRoomEvent.Kind) {
        effects.append(.observe(VideoRoomEvent(roomID: id, kind: kind)))
    }

    /// An event about a joiner in the lobby (not yet a participant).
    mutating func observe(_ kind: VideoRoomEvent.Kind, waiting: WaitingJoin) {
        effects.append(.observe(VideoRoomEvent(
            roomID: id, participantID: waiting.id, display: waiting.display, handle: waiting.handleID, peer: .publisher,
            kind: kind)))
    }

    /// The media event of a transport, as a typed kind (nil for those that have no typed form).
    static func observedKind(_ event: TransportEvent) -> VideoRoomEvent.Kind? {
        switch event {
        case .connected: return .webrtcUp
        case .mediaReceiving(let mid, let kind, let receiving):
            return receiving ? .mediaUp(mid: mid, kind: kind) : .mediaDown(mid: mid, kind: kind)
        case .slowLink(let mid, let kind, let uplink, let lost):
            return .slowLink(mid: mid, kind: kind, uplink: uplink, lost: lost)
        case .layerChanged(let mid, let substream):
            return .layerChanged(mid: mid, substream: substream)
        case .temporalLayerChanged(let mid, let temporal):
            return .temporalLayerChanged(mid: mid, temporal: temporal)
        case .videoPaused(let mid, let paused):
            return .videoPaused(mid: mid, paused: paused)
        case .talking, .failed:
            return nil
        }
    }

    static func observedStreams(_ media: PublisherMedia) -> [VideoRoomEvent.Stream] {
        media.streams.map {
            VideoRoomEvent.Stream(mid: $0.mid, kind: $0.kind, codec: $0.codec?.rawValue, description: $0.description)
        }
    }
}
