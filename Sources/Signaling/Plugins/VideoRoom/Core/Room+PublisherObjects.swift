import SFUMedia
import VideoRoomControl

/// A publisher's announcement (§8.6).
extension Room {
    /// `{"publishers":[<this one>]}` to everyone else in the room.
    mutating func announcePublisher(id: VideoRoomID) {
        guard let participant = participants[id], participant.isActivePublisher else { return }
        notifyParticipants(
            .publishers(room: self.id, [VideoRoomNotice.publisher(participant, room: settings)]), excluding: id)
    }
}
