import RTP
import SFUMedia
import VideoRoomControl

/// Carries out what a room's `RoomControl` machine decided: effects on the room first (so an
/// admitted joiner is in before the events addressed to it), then the events, rendered as
/// `videoroom` events (README "Room control (extension)").
extension VideoRoomRegistry {
    /// Feeds one request to `room`'s machine now and performs the result; returns the refusal.
    @discardableResult
    func driveRoomControl(room: UInt64, _ request: RoomControlRequest) -> RoomControlError? {
        let handsBefore = rooms[room]?.control.handQueue
        guard let result = rooms[room]?.control.handle(request, at: .now()) else { return nil }
        switch result {
        case .success(let output):
            performRoomControl(output, room: room)
            if let hands = rooms[room]?.control.handQueue, hands != handsBefore { emit(.handsChanged(hands), room: room) }
            return nil
        case .failure(let error):
            return error
        }
    }

    func performRoomControl(_ output: RoomControlOutput, room: UInt64) {
        // Typed events first: the lobby is still as the machine left it (displays, handles).
        emitRoomControl(output, room: room)
        for effect in output.effects {
            switch effect {
            case .admit(let id):
                admitFromLobby(room: room, id: id)
            case .dismiss(let id, let reason, let message):
                dismissFromLobby(room: room, id: id, reason: reason, message: message)
            case .applyMutes(let id, _):
                applyPublisherSettings(room: room, id: id)
            case .remove(let id):
                removeParticipant(room: room, userID: id)
            }
        }
        for event in output.events {
            let notice = roomControlNotice(event.kind, room: room)
            // `waiting` answers the joiner's `join`, so it carries that transaction.
            var transaction: String?
            if case .waiting(let id, _) = event.kind { transaction = waitingHandle(room: room, id: id)?.transaction }
            for id in event.recipients {
                controlContext(room: room, id: id)?.send(notice, transaction: transaction)
            }
        }
    }

    /// The waiting handle of participant `id` in `room`, if it waits.
    func waitingHandle(room: UInt64, id: UInt64) -> WaitingJoin? {
        waitingHandles.values.first { $0.room == room && $0.id == id }
    }

    private func controlContext(room: UInt64, id: UInt64) -> PluginHandleContext? {
        rooms[room]?.participants[id]?.context ?? waitingHandle(room: room, id: id)?.context
    }

    /// Replays the joiner's `join` (same id, same transaction): it gets the usual `joined` with
    /// the publisher list and its private_id, so janus.js flows carry on from there.
    private func admitFromLobby(room: UInt64, id: UInt64) {
        guard let waiting = waitingHandle(room: room, id: id) else { return }
        waitingHandles[waiting.handleID] = nil
        do throws(VideoRoomError) {
            try join(.publisher(waiting.join), handleID: waiting.handleID, transaction: waiting.transaction, jsep: nil)
        } catch {
            // The room changed under the joiner (a new pin, an id taken meanwhile): it is out.
            push(waiting.handleID, transaction: waiting.transaction, .error(error))
            roles[waiting.handleID] = .gone
            roomControlMemberLeft(room: room, id: id)
        }
    }

    private func dismissFromLobby(room: UInt64, id: UInt64, reason: LobbyDeparture, message: String?) {
        guard let waiting = waitingHandle(room: room, id: id) else { return }
        waitingHandles[waiting.handleID] = nil
        roles[waiting.handleID] = .gone
        waiting.context.send(
            reason == .closed ? .destroyed(room: room) : .rejected(room: room, id: id, reason: reason, message: message))
    }

    /// Wakes the room's machine when a joiner's waiting time may have run out.
    func scheduleLobbyExpiry(room: UInt64, afterMilliseconds milliseconds: UInt64) {
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int64(clamping: milliseconds) + 10))
            await self?.expireLobby(room: room)
        }
    }

    func expireLobby(room: UInt64) {
        guard let output = rooms[room]?.control.expire(at: .now()) else { return }
        performRoomControl(output, room: room)
    }

    // MARK: Rendering

    /// `{"id": N, "display": "…"}` of a member or a waiting joiner.
    func controlPerson(_ id: UInt64, room: UInt64) -> ControlPerson {
        ControlPerson(id: id, display: rooms[room]?.participants[id]?.display ?? waitingHandle(room: room, id: id)?.display)
    }

    func roomControlNotice(_ kind: RoomControlEventKind, room: UInt64) -> VideoRoomNotice {
        switch kind {
        case .waiting(let id, let position):
            return .waiting(room: room, id: id, position: position, description: rooms[room]?.settings.description)
        case .lobby(let waiting, let change):
            let people = waiting.map { controlPerson($0, room: room) }
            switch change {
            case .arrived(let id)?: return .lobby(room: room, people, change: .arrived(controlPerson(id, room: room)))
            case .departed(let id, let reason)?: return .lobby(room: room, people, change: .departed(id, reason))
            case nil: return .lobby(room: room, people, change: nil)
            }
        case .hands(let queue): return .hands(room: room, queue.map { controlPerson($0, room: room) })
        case .role(let id, let role): return .role(room: room, id: id, role)
        case .muted(let id, let media): return .muted(room: room, id: id, media)
        case .waitingRoom(let enabled): return .waitingRoom(room: room, enabled: enabled)
        }
    }
}
