import SFUMedia

/// A publisher's announcement (§8.6).
extension Room {
    /// `{"publishers":[<this one>]}` to everyone else in the room.
    mutating func announcePublisher(id: UInt64) {
        guard let participant = participants[id], participant.isActivePublisher else { return }
        notifyParticipants(
            .publishers(room: self.id, [VideoRoomNotice.publisher(participant, room: settings)]), excluding: id)
    }
}
