import SFUBase
import VideoRoomControl
import Testing

/// Hand-written cases of host authority: the room's owner acting from outside the room.
@Suite struct RoomControlHostTests {
    @Test func hostAdmitsWhileNoModeratorIsPresent() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: false))
        _ = room.ok(.join(2, moderator: false))
        #expect(room.machine.moderatorIDs.isEmpty)
        #expect(room.machine.waitingList == [1, 2])
        // Nobody inside may let them in; the host may, and nobody is told about the lobby.
        #expect(room.error(.admit(by: 1, .one(2))) == .notAdmitted)
        let admitted = room.ok(.admit(by: .host, .one(2)))
        #expect(admitted?.effects == [.admit(2)])
        #expect(admitted?.events.isEmpty == true)
        #expect(room.machine.memberIDs == [2])
        #expect(room.ok(.listWaiting(by: .host)) == RoomControlOutput())
        let rejected = room.ok(.reject(by: .host, .all, reason: "full"))
        #expect(rejected?.effects == [.dismiss(1, .rejected, message: "full")])
        #expect(room.machine.waitingList.isEmpty)
    }

    @Test func hostDemotesTheLastModeratorAndPromotesAnother() {
        var room = RoomControlDriver()
        _ = room.ok(.join(1, moderator: true))
        _ = room.ok(.join(2, moderator: false))
        let demoted = room.ok(.demote(by: .host, target: 1))
        #expect(demoted?.events == [RoomControlEvent(recipients: [1, 2], kind: .role(id: 1, role: .participant))])
        #expect(room.machine.moderatorIDs.isEmpty)
        #expect(room.error(.demote(by: .host, target: 1)) == .roleUnchanged(1, .participant))
        #expect(room.ok(.promote(by: .host, target: 2)) != nil)
        #expect(room.machine.moderatorIDs == [2])
        #expect(room.machine.memberIDs == [1, 2])
    }

    @Test func hostEventsReachTheMembersAsAModeratorsWould() {
        var host = RoomControlDriver()
        var moderator = RoomControlDriver()
        for driver in [0, 1] {
            // Same room in both: moderator 1 and participants 2 and 3, 2's hand up.
            var room = driver == 0 ? host : moderator
            _ = room.ok(.join(1, moderator: true))
            _ = room.ok(.join(2, moderator: false))
            _ = room.ok(.join(3, moderator: false))
            _ = room.ok(.raiseHand(2))
            if driver == 0 { host = room } else { moderator = room }
        }
        let requests: [(RoomControlActor) -> RoomControlRequest] = [
            { .lowerHand(by: $0, target: 2) }, { .muteAll(by: $0, .audio) }, { .unmute(by: $0, target: 3, .all) },
            { .setWaitingRoom(by: $0, enabled: true) }, { .kick(by: $0, target: 3) },
        ]
        for request in requests {
            let byHost = host.ok(request(.host))
            #expect(byHost != nil)
            #expect(byHost == moderator.ok(request(1)), "\(request(.host))")
        }
        #expect(host.machine == moderator.machine)
        // The host is nobody's hand and no member of the room.
        #expect(host.machine.memberIDs == [1, 2])
        #expect(host.machine.handQueue.isEmpty)
    }

    @Test func hostNeedsTheSameTargetsAsAModerator() {
        var room = RoomControlDriver(waitingRoom: true)
        _ = room.ok(.join(1, moderator: false))
        #expect(room.error(.admit(by: .host, .one(9))) == .notWaiting(9))
        #expect(room.error(.mute(by: .host, target: 1, .audio)) == .noSuchParticipant(1))
        #expect(room.error(.lowerHand(by: .host, target: 1)) == .noSuchParticipant(1))
        _ = room.ok(.admit(by: .host, .all))
        #expect(room.error(.lowerHand(by: .host, target: 1)) == .handNotRaised(1))
    }
}
