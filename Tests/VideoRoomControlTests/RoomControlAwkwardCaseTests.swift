import SFUBase
import VideoRoomControl
import Testing

/// Hand-written cases of the room-control machine, the awkward ones first.
@Suite struct RoomControlAwkwardCaseTests {
    @Test func moderatorLeavingLeavesTheLobbyForTheNextModerator() {
        var room = RoomControlDriver(waitingRoom: true)
        #expect(room.ok(.join(1, moderator: true)) != nil)
        let arrival = room.ok(.join(2, moderator: false))
        #expect(arrival?.events(for: 2) == [.waiting(id: 2, position: 1)])
        #expect(arrival?.events(for: 1) == [.lobby(waiting: [2], change: .arrived(2))])
        let left = room.ok(.leave(1))
        #expect(left?.events.isEmpty == true)
        #expect(room.machine.moderatorIDs.isEmpty)
        #expect(room.machine.waitingList == [2])
        // A participant can do nothing for the joiner; a new moderator sees the lobby at once.
        #expect(room.ok(.join(3, moderator: false))?.events(for: 3) == [.waiting(id: 3, position: 2)])
        let moderator = room.ok(.join(4, moderator: true))
        #expect(moderator?.effects == [.admit(4)])
        #expect(moderator?.events(for: 4) == [.role(id: 4, role: .moderator), .lobby(waiting: [2, 3], change: nil)])
        let admitted = room.ok(.admit(by: 4, .one(2)))
        #expect(admitted?.effects == [.admit(2)])
        #expect(room.machine.isAdmitted(2))
    }

    @Test func lastModeratorKickedOrDemotedLeavesARoomWithoutModerators() {
        var room = RoomControlDriver(waitingRoom: true, timeoutMilliseconds: 60_000)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: true))
        _ = room.ok(.join(3, moderator: false))
        // Moderator 1 kicks moderator 2, then demotes itself: nobody moderates any more.
        #expect(room.ok(.kick(by: 1, target: 2))?.effects == [.remove(2)])
        #expect(room.ok(.demote(by: 1, target: 1))?.events == [
            RoomControlEvent(recipients: [1], kind: .role(id: 1, role: .participant)),
        ])
        #expect(room.machine.moderatorIDs.isEmpty)
        #expect(room.error(.admit(by: 1, .all)) == .notModerator)
        #expect(room.error(.promote(by: 1, target: 1)) == .notModerator)
        // The joiner still waits, and its timeout still runs with nobody to tell.
        let expired = room.advance(milliseconds: 60_000)
        #expect(expired.effects == [.dismiss(3, .timeout, message: nil)])
        #expect(expired.events.isEmpty)
        #expect(room.machine.waitingList.isEmpty)
    }

    @Test func aHandRaisedTwiceKeepsItsFirstPlace() {
        var room = RoomControlDriver()
        for id: UInt64 in 1...3 { _ = room.ok(.join(.number(id), moderator: false)) }
        #expect(room.ok(.raiseHand(2))?.lastHands == [2])
        #expect(room.ok(.raiseHand(3))?.lastHands == [2, 3])
        #expect(room.error(.raiseHand(2)) == .handAlreadyRaised(2))
        #expect(room.ok(.raiseHand(1))?.lastHands == [2, 3, 1])
        #expect(room.machine.handQueue == [2, 3, 1])
    }

    @Test func admittingSomeoneWhoGaveUpIsRefused() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        #expect(room.ok(.leave(2))?.events == [
            RoomControlEvent(recipients: [1], kind: .lobby(waiting: [], change: .departed(2, .left))),
        ])
        #expect(room.error(.admit(by: 1, .one(2))) == .notWaiting(2))
        #expect(room.error(.reject(by: 1, .one(2), reason: nil)) == .notWaiting(2))
        #expect(!room.machine.isAdmitted(2))
    }

    @Test func rejectTellsTheJoinerWhyAndTheModeratorsWhoLeft() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        _ = room.ok(.join(3, moderator: false))
        let rejected = room.ok(.reject(by: 1, .one(3), reason: "not on the list"))
        #expect(rejected?.effects == [.dismiss(3, .rejected, message: "not on the list")])
        #expect(rejected?.events(for: 1) == [.lobby(waiting: [2], change: .departed(3, .rejected))])
        #expect(rejected?.events(for: 3).isEmpty == true)
        let all = room.ok(.reject(by: 1, .all, reason: nil))
        #expect(all?.effects == [.dismiss(2, .rejected, message: nil)])
    }

    @Test func waitingJoinersCanDoNothingButLeave() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        #expect(room.error(.raiseHand(2)) == .notAdmitted)
        #expect(room.error(.lowerHand(by: 2, target: 2)) == .notAdmitted)
        #expect(room.error(.admit(by: 2, .one(2))) == .notAdmitted)
        #expect(room.error(.join(2, moderator: false)) == .alreadyPresent(2))
        #expect(room.error(.mute(by: 1, target: 2, .audio)) == .noSuchParticipant(2))
        #expect(room.error(.kick(by: 1, target: 2)) == .noSuchParticipant(2))
        #expect(room.error(.promote(by: 1, target: 2)) == .noSuchParticipant(2))
        #expect(!room.machine.isAdmitted(2))
    }

    @Test func turningTheWaitingRoomOffLetsEveryoneInInOrder() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(5, moderator: false))
        _ = room.ok(.join(4, moderator: false))
        let off = room.ok(.setWaitingRoom(by: 1, enabled: false))
        #expect(off?.effects == [.admit(5), .admit(4)])
        #expect(off?.events.last == RoomControlEvent(recipients: [1], kind: .waitingRoom(enabled: false)))
        #expect(room.ok(.join(6, moderator: false))?.effects == [.admit(6)])
        #expect(room.ok(.setWaitingRoom(by: 1, enabled: true))?.events == [
            RoomControlEvent(recipients: [1], kind: .waitingRoom(enabled: true)),
        ])
        #expect(room.ok(.join(7, moderator: false))?.effects == [])
        #expect(room.error(.setWaitingRoom(by: 6, enabled: false)) == .notModerator)
    }

    @Test func muteAllSparesModeratorsAndOnlyModeratorsUnmute() {
        var room = RoomControlDriver()
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        _ = room.ok(.join(3, moderator: false))
        let muted = room.ok(.muteAll(by: 1, .audio))
        #expect(muted?.effects == [.applyMutes(2, muted: .audio), .applyMutes(3, muted: .audio)])
        #expect(room.machine.mutes(of: 1) == [])
        #expect(room.error(.unmute(by: 2, target: 2, .audio)) == .notModerator)
        #expect(room.machine.mutes(of: 2) == .audio)
        // Muting again changes nothing and says nothing.
        #expect(room.ok(.mute(by: 1, target: 2, .audio)) == RoomControlOutput())
        #expect(room.ok(.mute(by: 1, target: 2, .video))?.effects == [.applyMutes(2, muted: .all)])
        #expect(room.ok(.unmute(by: 1, target: 2, .audio))?.events == [
            RoomControlEvent(recipients: [1, 2, 3], kind: .muted(id: 2, media: .video)),
        ])
        // Leaving forgets the mutes: a rejoin starts unmuted.
        _ = room.ok(.leave(2))
        _ = room.ok(.join(2, moderator: false))
        #expect(room.machine.mutes(of: 2) == [])
    }

    @Test func aParticipantWhoLeavesDropsOutOfTheHandQueue() {
        var room = RoomControlDriver()
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        _ = room.ok(.join(3, moderator: false))
        _ = room.ok(.raiseHand(3))
        _ = room.ok(.raiseHand(2))
        #expect(room.ok(.leave(3))?.events == [RoomControlEvent(recipients: [1, 2], kind: .hands([2]))])
        #expect(room.error(.lowerHand(by: 2, target: 1)) == .notModerator)
        #expect(room.error(.lowerHand(by: 1, target: 1)) == .handNotRaised(1))
        #expect(room.ok(.lowerHand(by: 1, target: 2))?.lastHands == [])
        #expect(room.ok(.lowerAllHands(by: 1)) == RoomControlOutput())
    }

    @Test func aNewcomerLearnsTheHandQueueAndAModeratorTheLobby() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.raiseHand(1))
        _ = room.ok(.join(2, moderator: false))
        let admitted = room.ok(.admit(by: 1, .one(2)))
        #expect(admitted?.events(for: 2) == [.hands([1])])
        let promoted = room.ok(.promote(by: 1, target: 2))
        #expect(promoted?.events(for: 2) == [.role(id: 2, role: .moderator), .lobby(waiting: [], change: nil)])
        #expect(room.error(.promote(by: 1, target: 2)) == .roleUnchanged(2, .moderator))
    }

    @Test func closingTheRoomDismissesEveryoneWaiting() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        _ = room.ok(.join(3, moderator: false))
        #expect(room.machine.close().effects == [.dismiss(2, .closed, message: nil), .dismiss(3, .closed, message: nil)])
        #expect(room.machine.waitingList.isEmpty && room.machine.memberIDs.isEmpty)
    }

    @Test func timeoutsApplyPerJoinerAndReportTheNextDeadline() {
        var room = RoomControlDriver(waitingRoom: true, timeoutMilliseconds: 10_000)
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        let first = room.machine.nextDeadline
        _ = room.advance(milliseconds: 5_000)
        _ = room.ok(.join(3, moderator: false))
        #expect(room.machine.nextDeadline == first)
        let expired = room.advance(milliseconds: 5_000)
        #expect(expired.effects == [.dismiss(2, .timeout, message: nil)])
        #expect(expired.events == [
            RoomControlEvent(recipients: [1], kind: .lobby(waiting: [3], change: .departed(2, .timeout))),
        ])
        #expect(room.advance(milliseconds: 1_000).effects.isEmpty)
        #expect(room.machine.waitingList == [3])
    }
}
