import SFUMedia
import VideoRoomControl

/// Typed room-control events for `VideoRoomConfiguration.observer` (an embedder's `SFUEvent`s):
/// lobby arrivals and departures, mutes and roles, read off one machine output before its
/// effects run (a departing joiner's handle and display are still known then). The hand queue
/// is compared around each request in `driveRoomControl`; a joiner giving up is told by
/// `leaveLobby`, whose handle is gone before the machine hears of it.
extension Room {
    mutating func observeRoomControl(_ output: RoomControlOutput) {
        for effect in output.effects {
            switch effect {
            case .admit(let id):
                // A plain join (no lobby) is admitted too; only a waiting joiner leaves the lobby.
                if let waiting = waitingHandle(id: id) { observe(.lobbyLeft(.admitted), waiting: waiting) }
            case .dismiss(let id, let reason, _):
                if let waiting = waitingHandle(id: id) { observe(.lobbyLeft(reason), waiting: waiting) }
            case .applyMutes(let id, let muted):
                if let participant = participants[id] {
                    observe(.muted(audio: muted.contains(.audio), video: muted.contains(.video)), participant: participant)
                }
            case .remove:
                break
            }
        }
        for event in output.events {
            switch event.kind {
            case .waiting(let id, _):
                if let waiting = waitingHandle(id: id) { observe(.lobbyArrived, waiting: waiting) }
            case .role(let id, let role):
                // The machine hears of a plain join after the room has the participant.
                if let participant = participants[id] {
                    observe(.roleChanged(role), participant: participant)
                }
            case .lobby, .hands, .muted, .waitingRoom:
                break
            }
        }
    }
}
