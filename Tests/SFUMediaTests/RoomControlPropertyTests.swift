import PropertyBased
import RTP
import SFUBase
import SFUMedia
import Testing

/// Generated request sequences for the room-control machine, with invariants checked after
/// every step, and every request tried in every state the sequences reach.
@Suite struct RoomControlPropertyTests {
    /// One generated step: an operation and its small-integer arguments (shrinks well).
    struct Step: Sendable, CustomStringConvertible {
        var op: Int
        var a: UInt64
        var b: UInt64
        var flag: Int
        var milliseconds: UInt64

        var description: String { "\(RoomControlPropertyTests.request(self).map { "\($0)" } ?? "expire")+\(milliseconds)ms" }
    }

    static let ids: [UInt64] = Array(1...5)
    static let operationCount = 17

    static let steps = zip(
        Gen.int(in: 0...(operationCount - 1)), Gen.uint64(in: 1...5), Gen.uint64(in: 1...5), Gen.int(in: 0...7),
        Gen.uint64(in: 0...4_000)
    ).map { Step(op: $0.0, a: $0.1, b: $0.2, flag: $0.3, milliseconds: $0.4) }.array(of: 1...60)

    static let configurations = zip(Gen.bool, Gen.bool)

    static func media(_ flag: Int) -> RoomControlMedia {
        [.audio, .video, .all, .audio][flag % 4]
    }

    /// Flags 4...7 send a moderator request as the room's host instead of member `a`.
    static func actor(_ a: UInt64, _ flag: Int) -> RoomControlActor { flag >= 4 ? .host : .member(a) }

    /// The request a step stands for; nil is the timer (`expire`).
    static func request(_ step: Step) -> RoomControlRequest? {
        let (a, b, flag) = (step.a, step.b, step.flag % 4)
        let by = actor(a, step.flag)
        switch step.op {
        case 0: return .join(a, moderator: flag == 0)
        case 1: return .leave(a)
        case 2: return .raiseHand(a)
        case 3: return .lowerHand(by: by, target: flag % 2 == 0 ? a : b)
        case 4: return .lowerAllHands(by: by)
        case 5: return .listWaiting(by: by)
        case 6: return .admit(by: by, flag == 0 ? .all : .one(b))
        case 7: return .reject(by: by, flag == 0 ? .all : .one(b), reason: flag == 1 ? "no" : nil)
        case 8: return .setWaitingRoom(by: by, enabled: flag % 2 == 0)
        case 9: return .promote(by: by, target: b)
        case 10: return .demote(by: by, target: b)
        case 11: return .mute(by: by, target: b, media(flag))
        case 12: return .unmute(by: by, target: b, media(flag))
        case 13: return .muteAll(by: by, media(flag))
        case 14: return .unmuteAll(by: by, media(flag))
        case 15: return .kick(by: by, target: b)
        default: return nil
        }
    }

    /// Every request over the id universe (plus one stranger): what "every request" means below.
    static let everyRequest: [RoomControlRequest] = {
        var out: [RoomControlRequest] = []
        for op in 0..<(operationCount - 1) {
            for a in ids + [99] {
                for b in ids + [99] {
                    for flag in 0...7 {
                        if let request = request(Step(op: op, a: a, b: b, flag: flag, milliseconds: 0)),
                            !out.contains(request)
                        {
                            out.append(request)
                        }
                    }
                }
            }
        }
        return out
    }()

    @Test func invariantsHoldAfterEveryStep() async {
        await propertyCheck(count: 300, input: Self.configurations, Self.steps) { configuration, steps in
            var machine = RoomControl(configuration: RoomControlConfiguration(
                waitingRoom: configuration.0, waitingTimeoutMilliseconds: configuration.1 ? 5_000 : nil))
            var now = MonotonicInstant(nanoseconds: 0)
            for step in steps {
                now = now.adding(milliseconds: step.milliseconds)
                let before = machine
                guard let request = Self.request(step) else {
                    let output = machine.expire(at: now)
                    Self.checkExpiry(before: before, after: machine, output: output, now: now)
                    Self.checkState(machine)
                    continue
                }
                let result = machine.handle(request, at: now)
                Self.check(request, before: before, after: machine, result: result)
                Self.checkState(machine)
            }
        }
    }

    @Test func everyRequestInEveryReachedStateAnswersAsDocumented() async {
        await propertyCheck(count: 25, input: Self.configurations, Self.steps) { configuration, steps in
            var machine = RoomControl(configuration: RoomControlConfiguration(
                waitingRoom: configuration.0, waitingTimeoutMilliseconds: configuration.1 ? 5_000 : nil))
            var now = MonotonicInstant(nanoseconds: 0)
            for (index, step) in steps.enumerated() {
                now = now.adding(milliseconds: step.milliseconds)
                if let request = Self.request(step) { _ = machine.handle(request, at: now) } else {
                    _ = machine.expire(at: now)
                }
                // Every eighth state (and the last) gets every request, each on a copy.
                guard index % 8 == 0 || index == steps.count - 1 else { continue }
                for request in Self.everyRequest {
                    var copy = machine
                    let result = copy.handle(request, at: now.adding(milliseconds: 1))
                    Self.check(request, before: machine, after: copy, result: result)
                    Self.checkState(copy)
                }
            }
        }
    }

    // MARK: Invariants

    /// Properties of any state: lobby and members apart, hand queue ordered, unique, members only.
    static func checkState(_ machine: RoomControl) {
        let members = Set(machine.memberIDs)
        let waiting = machine.waitingList
        #expect(Set(waiting).count == waiting.count)
        #expect(members.isDisjoint(with: waiting))
        #expect(Set(machine.moderatorIDs).isSubset(of: members))
        let hands = machine.hands
        #expect(Set(hands.map(\.id)).count == hands.count)
        #expect(Set(hands.map(\.id)).isSubset(of: members))
        for (earlier, later) in zip(hands, hands.dropFirst()) {
            #expect((earlier.raisedAt, earlier.sequence) < (later.raisedAt, later.sequence))
        }
        for id in waiting { #expect(!machine.isAdmitted(id) && machine.mutes(of: id) == []) }
        #expect(machine.nextDeadline == nil || !waiting.isEmpty)
    }

    /// What a request may do, given the state before it.
    static func check(
        _ request: RoomControlRequest, before: RoomControl, after: RoomControl,
        result: Result<RoomControlOutput, RoomControlError>
    ) {
        let expected = expectedError(request, in: before)
        switch result {
        case .failure(let error):
            #expect(error == expected, "\(request)")
            #expect(after == before, "a refused \(request) changed the state")
        case .success(let output):
            #expect(expected == nil, "\(request) should fail with \(String(describing: expected))")
            checkOutput(output, of: request, before: before, after: after)
        }
    }

    /// An independent statement of every precondition (the documented errors).
    static func expectedError(_ request: RoomControlRequest, in room: RoomControl) -> RoomControlError? {
        func member(_ id: UInt64) -> RoomControlError? {
            room.isAdmitted(id) ? nil : room.isWaiting(id) ? .notAdmitted : .noSuchParticipant(id)
        }
        func moderator(_ actor: RoomControlActor) -> RoomControlError? {
            guard case .member(let id) = actor else { return nil }  // the host may do what a moderator may
            return member(id) ?? (room.role(of: id) == .moderator ? nil : .notModerator)
        }
        func target(_ id: UInt64) -> RoomControlError? { room.isAdmitted(id) ? nil : .noSuchParticipant(id) }
        func waiting(_ target: RoomControlTarget) -> RoomControlError? {
            if case .one(let id) = target, !room.isWaiting(id) { return .notWaiting(id) }
            return nil
        }
        switch request {
        case .join(let id, _):
            return room.isAdmitted(id) || room.isWaiting(id) ? .alreadyPresent(id) : nil
        case .leave(let id):
            return room.isAdmitted(id) || room.isWaiting(id) ? nil : .noSuchParticipant(id)
        case .raiseHand(let id):
            return member(id) ?? (room.handQueue.contains(id) ? .handAlreadyRaised(id) : nil)
        case .lowerHand(let by, let id):
            return (by == .member(id) ? member(id) : moderator(by)) ?? target(id)
                ?? (room.handQueue.contains(id) ? nil : .handNotRaised(id))
        case .lowerAllHands(let by), .listWaiting(let by), .setWaitingRoom(let by, _), .muteAll(let by, _),
            .unmuteAll(let by, _):
            return moderator(by)
        case .admit(let by, let which), .reject(let by, let which, _):
            return moderator(by) ?? waiting(which)
        case .promote(let by, let id):
            return moderator(by) ?? target(id) ?? (room.role(of: id) == .moderator ? .roleUnchanged(id, .moderator) : nil)
        case .demote(let by, let id):
            return moderator(by) ?? target(id)
                ?? (room.role(of: id) == .participant ? .roleUnchanged(id, .participant) : nil)
        case .mute(let by, let id, _), .unmute(let by, let id, _), .kick(let by, let id):
            return moderator(by) ?? target(id)
        }
    }

    /// The event kinds each request may produce.
    static func allowedKinds(_ request: RoomControlRequest) -> Set<String> {
        switch request {
        case .join: ["waiting", "lobby", "role", "hands"]
        case .leave, .kick: ["lobby", "hands"]
        case .raiseHand, .lowerHand, .lowerAllHands: ["hands"]
        case .listWaiting: []
        case .admit, .reject: ["lobby", "hands"]
        case .setWaitingRoom: ["lobby", "hands", "waitingRoom"]
        case .promote, .demote: ["role", "lobby"]
        case .mute, .unmute, .muteAll, .unmuteAll: ["muted"]
        }
    }

    static func kindName(_ kind: RoomControlEventKind) -> String {
        switch kind {
        case .waiting: "waiting"
        case .lobby: "lobby"
        case .hands: "hands"
        case .role: "role"
        case .muted: "muted"
        case .waitingRoom: "waitingRoom"
        }
    }

    static func checkOutput(
        _ output: RoomControlOutput, of request: RoomControlRequest, before: RoomControl, after: RoomControl
    ) {
        let allowed = allowedKinds(request)
        for event in output.events {
            #expect(allowed.contains(kindName(event.kind)), "\(request) sent \(event.kind)")
            checkRecipients(event, after: after)
        }
        checkLastLobby(output, after: after)
        checkEffects(output.effects, after: after)
        // The hand queue is announced exactly when it changed (and newcomers get the current one).
        if before.handQueue != after.handQueue { #expect(output.lastHands == after.handQueue) }
        if let announced = output.lastHands { #expect(announced == after.handQueue) }
        // Nobody gets in but through an admit effect, nobody leaves the lobby untold.
        let admitted = Set(after.memberIDs).subtracting(before.memberIDs)
        #expect(admitted == Set(output.effects.compactMap { if case .admit(let id) = $0 { id } else { nil } }))
        let gone = Set(before.waitingList).subtracting(after.waitingList).subtracting(after.memberIDs)
        if case .leave = request {} else {
            #expect(gone == Set(output.effects.compactMap { if case .dismiss(let id, _, _) = $0 { id } else { nil } }))
        }
    }

    /// Members only, except a joiner's own `waiting`; lobby news to moderators only.
    static func checkRecipients(_ event: RoomControlEvent, after: RoomControl) {
        let members = Set(after.memberIDs)
        #expect(Set(event.recipients).count == event.recipients.count)
        switch event.kind {
        case .waiting(let id, let position):
            #expect(event.recipients == [id] && after.isWaiting(id))
            #expect(after.waitingList.firstIndex(of: id).map { $0 + 1 } == position)
        case .lobby:
            #expect(Set(event.recipients).isSubset(of: Set(after.moderatorIDs)))
        case .waitingRoom:
            #expect(Set(event.recipients).isSubset(of: Set(after.moderatorIDs)))
        case .hands, .role, .muted:
            #expect(Set(event.recipients).isSubset(of: members))
        }
        for id in event.recipients where after.isWaiting(id) {
            guard case .waiting = event.kind else {
                Issue.record("waiting joiner \(id) was sent \(event.kind)")
                continue
            }
        }
    }

    static func checkEffects(_ effects: [RoomControlEffect], after: RoomControl) {
        for effect in effects {
            switch effect {
            case .admit(let id): #expect(after.isAdmitted(id))
            case .dismiss(let id, _, _): #expect(!after.isAdmitted(id) && !after.isWaiting(id))
            case .remove(let id): #expect(!after.isAdmitted(id))
            case .applyMutes(let id, let muted): #expect(after.mutes(of: id) == muted)
            }
        }
    }

    static func checkExpiry(before: RoomControl, after: RoomControl, output: RoomControlOutput, now: MonotonicInstant) {
        #expect(after.memberIDs == before.memberIDs)
        #expect(after.nextDeadline.map { $0 > now } ?? true)
        let gone = before.waitingList.filter { !after.waitingList.contains($0) }
        #expect(output.effects == gone.map { .dismiss($0, .timeout, message: nil) })
        for event in output.events { checkRecipients(event, after: after) }
        checkLastLobby(output, after: after)
    }

    /// Each departure is its own lobby event; the last one shows the lobby as it is now.
    static func checkLastLobby(_ output: RoomControlOutput, after: RoomControl) {
        let lists = output.events.compactMap { event -> [UInt64]? in
            if case .lobby(let waiting, _) = event.kind { return waiting }
            return nil
        }
        if let last = lists.last { #expect(last == after.waitingList) }
    }
}
