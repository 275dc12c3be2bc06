import RTP
import SFUMedia
import VideoRoomControl

/// Carries out what a room's `RoomControl` machine decided: effects on the room first (so an
/// admitted joiner is in before the events addressed to it), then the events, rendered as
/// `videoroom` events (README "Room control (extension)").
extension Room {
    /// Feeds one request to the machine now and performs the result; returns the refusal.
    @discardableResult
    mutating func driveRoomControl(_ request: RoomControlRequest) -> RoomControlError? {
        let handsBefore = control.handQueue
        switch control.handle(request, at: now) {
        case .success(let output):
            performRoomControl(output)
            if control.handQueue != handsBefore { observe(.handsChanged(control.handQueue.compactMap(\.number))) }
            return nil
        case .failure(let error):
            return error
        }
    }

    mutating func performRoomControl(_ output: RoomControlOutput) {
        // Typed events first: the lobby is still as the machine left it (displays, handles).
        observeRoomControl(output)
        for effect in output.effects {
            switch effect {
            case .admit(let id):
                admitFromLobby(id: id)
            case .dismiss(let id, let reason, let message):
                dismissFromLobby(id: id, reason: reason, message: message)
            case .applyMutes(let id, _):
                applyPublisherSettings(id: id)
            case .remove(let id):
                removeParticipant(userID: id)
            }
        }
        for event in output.events {
            let notice = roomControlNotice(event.kind)
            // `waiting` answers the joiner's `join`, so it carries that transaction.
            var transaction: String?
            if case .waiting(let id, _) = event.kind { transaction = waitingHandle(id: id)?.transaction }
            for id in event.recipients {
                if let context = controlContext(id: id) { send(context, notice, transaction: transaction) }
            }
        }
    }

    /// The waiting handle of participant `id`, if it waits.
    func waitingHandle(id: VideoRoomID) -> WaitingJoin? {
        lobby.values.first { $0.id == id }
    }

    private func controlContext(id: VideoRoomID) -> PluginHandleContext? {
        participants[id]?.context ?? waitingHandle(id: id)?.context
    }

    /// Replays the joiner's `join` (same id, same transaction): it gets the usual `joined` with
    /// the publisher list and its private_id, so janus.js flows carry on from there.
    private mutating func admitFromLobby(id: VideoRoomID) {
        guard let waiting = waitingHandle(id: id) else { return }
        lobby[waiting.handleID] = nil
        let caller = RoomCaller(handleID: waiting.handleID, context: waiting.context, transaction: waiting.transaction)
        do throws(VideoRoomError) {
            try joinPublisher(waiting.join, caller: caller, jsep: nil)
        } catch {
            // The room changed under the joiner (a new pin, an id taken meanwhile): it is out.
            push(waiting.handleID, transaction: waiting.transaction, .error(error))
            setRole(waiting.handleID, .gone)
            roomControlMemberLeft(id: id)
        }
    }

    private mutating func dismissFromLobby(id: VideoRoomID, reason: LobbyDeparture, message: String?) {
        guard let waiting = waitingHandle(id: id) else { return }
        lobby[waiting.handleID] = nil
        setRole(waiting.handleID, .gone)
        send(waiting.context,
             reason == .closed ? .destroyed(room: self.id) : .rejected(room: self.id, id: id, reason: reason, message: message))
    }

    /// A joiner's waiting time may have run out.
    mutating func expireLobby() {
        let output = control.expire(at: now)
        performRoomControl(output)
        // A timer may fire a little before a deadline (its sleep runs on another clock, or was
        // cut short): whoever still waits gets another wake-up at their own deadline.
        if let next = control.nextDeadline {
            let remaining = next.nanoseconds > now.nanoseconds ? (next.nanoseconds - now.nanoseconds) / 1_000_000 : 0
            effects.append(.wake(.lobbyExpiry, afterMilliseconds: remaining + 10))
        }
    }

    // MARK: Rendering

    /// `{"id": N, "display": "…"}` of a member or a waiting joiner.
    func controlPerson(_ id: VideoRoomID) -> ControlPerson {
        ControlPerson(id: id, display: participants[id]?.display ?? waitingHandle(id: id)?.display)
    }

    func roomControlNotice(_ kind: RoomControlEventKind) -> VideoRoomNotice {
        let room = id
        switch kind {
        case .waiting(let id, let position):
            return .waiting(room: room, id: id, position: position, description: settings.description)
        case .lobby(let waiting, let change):
            let people = waiting.map { controlPerson($0) }
            switch change {
            case .arrived(let id)?: return .lobby(room: room, people, change: .arrived(controlPerson(id)))
            case .departed(let id, let reason)?: return .lobby(room: room, people, change: .departed(id, reason))
            case nil: return .lobby(room: room, people, change: nil)
            }
        case .hands(let queue): return .hands(room: room, queue.map { controlPerson($0) })
        case .role(let id, let role): return .role(room: room, id: id, role)
        case .muted(let id, let media): return .muted(room: room, id: id, media)
        case .waitingRoom(let enabled): return .waitingRoom(room: room, enabled: enabled)
        }
    }
}
