import RTP
import SFUBase

/// The room-control state machine of one VideoRoom room: who is in, with which role, who waits
/// in the lobby, whose hand is up (in order) and what moderators have muted.
///
/// Sans-IO: `handle(_:at:)` and `expire(at:)` take a request or the time and return the
/// events to send and the effects to apply; nothing here does IO. The VideoRoom registry
/// actor owns one per room and only drives it, so every rule (who may admit, who may mute,
/// who gets which list) lives here and no client can go around it. A failed request changes
/// nothing. Members and waiting joiners are VideoRoom participant ids.
///
/// Rules for the awkward cases: moderators may leave, be demoted or be kicked until none is
/// left; the lobby then stays as it is (waiting joiners keep waiting until their timeout) and
/// the next moderator to join or be promoted gets the list. Raising a raised hand is refused
/// and keeps its place. Admitting or rejecting a joiner who already gave up is refused.
/// Turning the waiting room off lets everybody waiting in. The host (`RoomControlActor.host`)
/// passes every moderator check without being a member, so it can admit with no moderator in
/// the room and demote the last moderator; it never receives events (the driver answers it).
///
/// A value type with no shared state: whoever owns it (the registry actor) is the only one
/// that touches it. Time is a parameter (`MonotonicInstant`); the owner runs the timer for
/// `nextDeadline` and calls `expire(at:)`.
public struct RoomControl: Sendable, Equatable {
    struct Member: Sendable, Equatable {
        var role: RoomControlRole
        var muted: RoomControlMedia = []
    }

    struct Waiting: Sendable, Equatable {
        var id: UInt64
        var deadline: MonotonicInstant?
    }

    /// A raised hand; `sequence` orders hands raised at the same instant.
    public struct RaisedHand: Sendable, Equatable {
        public var id: UInt64
        public var raisedAt: MonotonicInstant
        public var sequence: UInt64
    }

    public private(set) var configuration: RoomControlConfiguration
    var members: [UInt64: Member] = [:]
    var lobby: [Waiting] = []
    /// Oldest first.
    public private(set) var hands: [RaisedHand] = []
    var nextHandSequence: UInt64 = 0

    public init(configuration: RoomControlConfiguration = RoomControlConfiguration()) {
        self.configuration = configuration
    }

    // MARK: Queries

    /// Admitted member ids, ascending.
    public var memberIDs: [UInt64] { members.keys.sorted() }
    public var moderatorIDs: [UInt64] { members.filter { $0.value.role == .moderator }.keys.sorted() }
    /// Waiting joiners in arrival order.
    public var waitingList: [UInt64] { lobby.map(\.id) }
    public var handQueue: [UInt64] { hands.map(\.id) }
    public func role(of id: UInt64) -> RoomControlRole? { members[id]?.role }
    public func isWaiting(_ id: UInt64) -> Bool { lobby.contains { $0.id == id } }
    /// Only admitted members may publish, subscribe or hear about publishers.
    public func isAdmitted(_ id: UInt64) -> Bool { members[id] != nil }
    public func mutes(of id: UInt64) -> RoomControlMedia { members[id]?.muted ?? [] }
    /// The earliest lobby timeout, for the driver's timer.
    public var nextDeadline: MonotonicInstant? { lobby.compactMap(\.deadline).min() }

    // MARK: Inputs

    /// Applies one request at `now`.
    public mutating func handle(
        _ request: RoomControlRequest, at now: MonotonicInstant
    ) -> Result<RoomControlOutput, RoomControlError> {
        var output = RoomControlOutput()
        do throws(RoomControlError) {
            try apply(request, at: now, into: &output)
        } catch {
            return .failure(error)
        }
        return .success(output)
    }

    /// Turns away every joiner whose waiting timeout has passed at `now`.
    public mutating func expire(at now: MonotonicInstant) -> RoomControlOutput {
        var output = RoomControlOutput()
        let expired = lobby.filter { $0.deadline.map { $0 <= now } ?? false }.map(\.id)
        for id in expired {
            removeFromLobby(id, .timeout, into: &output)
            output.effects.append(.dismiss(id, .timeout, message: nil))
        }
        return output
    }

    /// Switches the waiting room (also for the room owner's `edit`, which needs no member).
    public mutating func setWaitingRoom(_ enabled: Bool, at now: MonotonicInstant) -> RoomControlOutput {
        var output = RoomControlOutput()
        guard enabled != configuration.waitingRoom else { return output }
        configuration.waitingRoom = enabled
        if !enabled { admitAll(into: &output) }
        tellModerators(.waitingRoom(enabled: enabled), into: &output)
        return output
    }

    /// A new lobby timeout; it applies to joiners who arrive from now on.
    public mutating func setWaitingTimeout(milliseconds: UInt64?) {
        configuration.waitingTimeoutMilliseconds = milliseconds
    }

    /// The room is going away: every waiting joiner is told.
    public mutating func close() -> RoomControlOutput {
        var output = RoomControlOutput()
        for waiting in lobby { output.effects.append(.dismiss(waiting.id, .closed, message: nil)) }
        lobby = []
        members = [:]
        hands = []
        return output
    }

    // MARK: Requests

    private mutating func apply(
        _ request: RoomControlRequest, at now: MonotonicInstant, into output: inout RoomControlOutput
    ) throws(RoomControlError) {
        switch request {
        case .join(let id, let moderator):
            try join(id, moderator: moderator, at: now, into: &output)
        case .leave(let id):
            try leave(id, into: &output)
        case .raiseHand(let id):
            try requireMember(id)
            guard !hands.contains(where: { $0.id == id }) else { throw .handAlreadyRaised(id) }
            hands.append(RaisedHand(id: id, raisedAt: now, sequence: nextHandSequence))
            nextHandSequence += 1
            sortHands()
            tellHands(into: &output)
        case .lowerHand(let by, let target):
            if by == .member(target) { try requireMember(target) } else { try requireModerator(by) }
            guard members[target] != nil else { throw .noSuchParticipant(target) }
            guard hands.contains(where: { $0.id == target }) else { throw .handNotRaised(target) }
            hands.removeAll { $0.id == target }
            tellHands(into: &output)
        case .lowerAllHands(let by):
            try requireModerator(by)
            guard !hands.isEmpty else { return }
            hands = []
            tellHands(into: &output)
        case .listWaiting(let by):
            try requireModerator(by)
        case .admit(let by, let target):
            try requireModerator(by)
            switch target {
            case .one(let id):
                guard isWaiting(id) else { throw .notWaiting(id) }
                admit(id, into: &output)
            case .all:
                admitAll(into: &output)
            }
        case .reject(let by, let target, let reason):
            try requireModerator(by)
            let ids: [UInt64]
            switch target {
            case .one(let id):
                guard isWaiting(id) else { throw .notWaiting(id) }
                ids = [id]
            case .all:
                ids = waitingList
            }
            for id in ids {
                removeFromLobby(id, .rejected, into: &output)
                output.effects.append(.dismiss(id, .rejected, message: reason))
            }
        case .setWaitingRoom(let by, let enabled):
            try requireModerator(by)
            output = setWaitingRoom(enabled, at: now)
        case .promote(let by, let target):
            try changeRole(by: by, target: target, to: .moderator, into: &output)
        case .demote(let by, let target):
            try changeRole(by: by, target: target, to: .participant, into: &output)
        case .mute(let by, let target, let media):
            try requireModerator(by)
            guard let member = members[target] else { throw .noSuchParticipant(target) }
            setMutes(target, member.muted.union(media), into: &output)
        case .unmute(let by, let target, let media):
            try requireModerator(by)
            guard let member = members[target] else { throw .noSuchParticipant(target) }
            setMutes(target, member.muted.subtracting(media), into: &output)
        case .muteAll(let by, let media):
            try requireModerator(by)
            for id in memberIDs where members[id]?.role == .participant {
                setMutes(id, mutes(of: id).union(media), into: &output)
            }
        case .unmuteAll(let by, let media):
            try requireModerator(by)
            for id in memberIDs { setMutes(id, mutes(of: id).subtracting(media), into: &output) }
        case .kick(let by, let target):
            try requireModerator(by)
            guard members[target] != nil else { throw .noSuchParticipant(target) }
            removeMember(target, into: &output)
            output.effects.append(.remove(target))
        }
    }

    private mutating func join(
        _ id: UInt64, moderator: Bool, at now: MonotonicInstant, into output: inout RoomControlOutput
    ) throws(RoomControlError) {
        guard members[id] == nil, !isWaiting(id) else { throw .alreadyPresent(id) }
        guard moderator || !configuration.waitingRoom else {
            let deadline = configuration.waitingTimeoutMilliseconds.map { now.adding(milliseconds: $0) }
            lobby.append(Waiting(id: id, deadline: deadline))
            output.events.append(RoomControlEvent(recipients: [id], kind: .waiting(id: id, position: lobby.count)))
            tellModerators(.lobby(waiting: waitingList, change: .arrived(id)), into: &output)
            return
        }
        members[id] = Member(role: moderator ? .moderator : .participant)
        output.effects.append(.admit(id))
        if moderator {
            output.events.append(RoomControlEvent(recipients: memberIDs, kind: .role(id: id, role: .moderator)))
            showLobby(to: id, into: &output)
        }
        showHands(to: id, into: &output)
    }

    private mutating func leave(_ id: UInt64, into output: inout RoomControlOutput) throws(RoomControlError) {
        if isWaiting(id) {
            removeFromLobby(id, .left, into: &output)
            return
        }
        guard members[id] != nil else { throw .noSuchParticipant(id) }
        removeMember(id, into: &output)
    }

    private mutating func changeRole(
        by: RoomControlActor, target: UInt64, to role: RoomControlRole, into output: inout RoomControlOutput
    ) throws(RoomControlError) {
        try requireModerator(by)
        guard let member = members[target] else { throw .noSuchParticipant(target) }
        guard member.role != role else { throw .roleUnchanged(target, member.role) }
        members[target]?.role = role
        output.events.append(RoomControlEvent(recipients: memberIDs, kind: .role(id: target, role: role)))
        if role == .moderator { showLobby(to: target, into: &output) }
    }

    // MARK: Helpers

    private func requireMember(_ id: UInt64) throws(RoomControlError) {
        guard members[id] != nil else {
            throw isWaiting(id) ? .notAdmitted : .noSuchParticipant(id)
        }
    }

    /// The host is a moderator by authority; a member by role.
    private func requireModerator(_ actor: RoomControlActor) throws(RoomControlError) {
        guard case .member(let id) = actor else { return }
        try requireMember(id)
        guard members[id]?.role == .moderator else { throw .notModerator }
    }

    private mutating func admit(_ id: UInt64, into output: inout RoomControlOutput) {
        removeFromLobby(id, .admitted, into: &output)
        members[id] = Member(role: .participant)
        output.effects.append(.admit(id))
        showHands(to: id, into: &output)
    }

    private mutating func admitAll(into output: inout RoomControlOutput) {
        for id in waitingList { admit(id, into: &output) }
    }

    private mutating func removeFromLobby(_ id: UInt64, _ reason: LobbyDeparture, into output: inout RoomControlOutput) {
        lobby.removeAll { $0.id == id }
        tellModerators(.lobby(waiting: waitingList, change: .departed(id, reason)), into: &output)
    }

    private mutating func removeMember(_ id: UInt64, into output: inout RoomControlOutput) {
        members[id] = nil
        if hands.contains(where: { $0.id == id }) {
            hands.removeAll { $0.id == id }
            tellHands(into: &output)
        }
    }

    private mutating func setMutes(_ id: UInt64, _ muted: RoomControlMedia, into output: inout RoomControlOutput) {
        guard members[id] != nil, members[id]?.muted != muted else { return }
        members[id]?.muted = muted
        output.effects.append(.applyMutes(id, muted: muted))
        output.events.append(RoomControlEvent(recipients: memberIDs, kind: .muted(id: id, media: muted)))
    }

    /// Raise time first; hands raised at one instant keep the order they arrived in. Callers
    /// feed a monotonic clock, so this normally keeps the append order.
    private mutating func sortHands() {
        hands.sort { ($0.raisedAt, $0.sequence) < ($1.raisedAt, $1.sequence) }
    }

    private func tellHands(into output: inout RoomControlOutput) {
        output.events.append(RoomControlEvent(recipients: memberIDs, kind: .hands(handQueue)))
    }

    private func tellModerators(_ kind: RoomControlEventKind, into output: inout RoomControlOutput) {
        let moderators = moderatorIDs
        guard !moderators.isEmpty else { return }
        output.events.append(RoomControlEvent(recipients: moderators, kind: kind))
    }

    /// A new moderator's view of the lobby, when there is a lobby to speak of.
    private func showLobby(to id: UInt64, into output: inout RoomControlOutput) {
        guard configuration.waitingRoom || !lobby.isEmpty else { return }
        output.events.append(RoomControlEvent(recipients: [id], kind: .lobby(waiting: waitingList, change: nil)))
    }

    /// A newcomer learns the hand queue when there is one.
    private func showHands(to id: UInt64, into output: inout RoomControlOutput) {
        guard !hands.isEmpty else { return }
        output.events.append(RoomControlEvent(recipients: [id], kind: .hands(handQueue)))
    }
}
