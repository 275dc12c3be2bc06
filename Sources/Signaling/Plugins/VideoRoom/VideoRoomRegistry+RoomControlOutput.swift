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
            let data = roomControlEventData(event.kind, room: room)
            // `waiting` answers the joiner's `join`, so it carries that transaction.
            var transaction: String?
            if case .waiting(let id, _) = event.kind { transaction = waitingHandle(room: room, id: id)?.transaction }
            for id in event.recipients {
                controlContext(room: room, id: id)?.push(.event(transaction: transaction, data: data, jsep: nil))
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
            push(waiting.handleID, transaction: waiting.transaction, error.data)
            roles[waiting.handleID] = .gone
            roomControlMemberLeft(room: room, id: id)
        }
    }

    private func dismissFromLobby(room: UInt64, id: UInt64, reason: LobbyDeparture, message: String?) {
        guard let waiting = waitingHandle(room: room, id: id) else { return }
        waitingHandles[waiting.handleID] = nil
        roles[waiting.handleID] = .gone
        var data: JSONObject
        if reason == .closed {
            data = ["videoroom": "destroyed", "room": .uint(room)]
        } else {
            data = ["videoroom": "rejected", "room": .uint(room), "id": .uint(id), "reason": .string(reason.rawValue)]
            if let message { data["message"] = .string(message) }
        }
        waiting.context.push(.event(transaction: nil, data: data, jsep: nil))
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

    func roomControlEventData(_ kind: RoomControlEventKind, room: UInt64) -> JSONObject {
        var data: JSONObject = ["room": .uint(room)]
        switch kind {
        case .waiting(let id, let position):
            data["videoroom"] = "waiting"
            data["id"] = .uint(id)
            data["position"] = .int(Int64(position))
            if let description = rooms[room]?.settings.description { data["description"] = .string(description) }
        case .lobby(let waiting, let change):
            data["videoroom"] = "lobby"
            data["waiting"] = .array(waiting.map { controlPerson($0, room: room).json })
            switch change {
            case .arrived(let id)?:
                data["arrived"] = controlPerson(id, room: room).json
            case .departed(let id, let reason)?:
                data["departed"] = .object(["id": .uint(id), "reason": .string(reason.rawValue)])
            case nil:
                break
            }
        case .hands(let queue):
            data["videoroom"] = "hands"
            data["hands"] = .array(queue.map { controlPerson($0, room: room).json })
        case .role(let id, let role):
            data["videoroom"] = "role"
            data["id"] = .uint(id)
            data["role"] = .string(role.rawValue)
        case .muted(let id, let media):
            data["videoroom"] = "muted"
            data["id"] = .uint(id)
            data["audio"] = .bool(media.contains(.audio))
            data["video"] = .bool(media.contains(.video))
        case .waitingRoom(let enabled):
            data["videoroom"] = "waiting_room"
            data["enabled"] = .bool(enabled)
        }
        return data
    }
}
