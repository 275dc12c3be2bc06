import SFUMedia
import VideoRoomControl

/// Typed room-control events for `VideoRoomConfiguration.observer` (an embedder's `SFUEvent`s):
/// lobby arrivals and departures, mutes and roles, read off one machine output before its
/// effects run (a departing joiner's handle and display are still known then). The hand queue
/// is compared around each request in `driveRoomControl`; a joiner giving up is told by
/// `leaveLobby`, whose handle is gone before the machine hears of it.
extension VideoRoomRegistry {
    func emitRoomControl(_ output: RoomControlOutput, room: UInt64) {
        guard configuration.observer != nil else { return }
        for effect in output.effects {
            switch effect {
            case .admit(let id):
                // A plain join (no lobby) is admitted too; only a waiting joiner leaves the lobby.
                if let waiting = waitingHandle(room: room, id: id) { emit(.lobbyLeft(.admitted), room: room, waiting: waiting) }
            case .dismiss(let id, let reason, _):
                if let waiting = waitingHandle(room: room, id: id) { emit(.lobbyLeft(reason), room: room, waiting: waiting) }
            case .applyMutes(let id, let muted):
                if let participant = rooms[room]?.participants[id] {
                    emit(.muted(audio: muted.contains(.audio), video: muted.contains(.video)), room: room,
                         participant: participant)
                }
            case .remove:
                break
            }
        }
        for event in output.events {
            switch event.kind {
            case .waiting(let id, _):
                if let waiting = waitingHandle(room: room, id: id) { emit(.lobbyArrived, room: room, waiting: waiting) }
            case .role(let id, let role):
                // The machine hears of a plain join after the room has the participant.
                if let participant = rooms[room]?.participants[id] {
                    emit(.roleChanged(role), room: room, participant: participant)
                }
            case .lobby, .hands, .muted, .waitingRoom:
                break
            }
        }
    }

    /// An event about a joiner in the lobby (not yet a participant).
    func emit(_ kind: VideoRoomEvent.Kind, room: UInt64, waiting: WaitingJoin) {
        configuration.observer?(
            VideoRoomEvent(
                room: room, participant: waiting.id, display: waiting.display, handle: waiting.handleID,
                peer: .publisher, kind: kind))
    }
}
