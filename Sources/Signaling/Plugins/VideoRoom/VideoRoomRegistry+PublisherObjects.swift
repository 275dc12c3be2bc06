import SFUMedia

/// A publisher's announcement (§8.6).
extension VideoRoomRegistry {
    /// `{"publishers":[<this one>]}` to everyone else in the room.
    func announcePublisher(room roomID: UInt64, id: UInt64) {
        guard let room = rooms[roomID], let participant = room.participants[id], participant.isActivePublisher
        else { return }
        notifyParticipants(
            room: roomID, .publishers(room: roomID, [VideoRoomNotice.publisher(participant, room: room.settings)]),
            excluding: id)
    }
}
