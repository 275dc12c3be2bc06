import SDPTestFixtures
import Testing
@testable import SFUMedia
@testable import Signaling

/// Host authority through the plugin API (fake media plane): a moderator request from a handle
/// that is in no room, naming the `room` and proving it owns it with the room's `secret` (or
/// `moderator_secret`), acts as the room's host (README "Room control (extension)").
@Suite struct VideoRoomControlHostTests {
    /// A waiting-room room with a secret and a moderator secret, and a handle outside it.
    func ownedRoom(_ harness: VideoRoomHarness, room: UInt64) async throws -> VideoRoomTestClient {
        let owner = try await harness.client()
        let (created, _) = await owner.request([
            "request": "create", "room": .uint(room), "secret": "s", "moderator_secret": "m", "waiting_room": true,
            "admin_key": "admin",
        ])
        #expect(created["videoroom"] == "created")
        return owner
    }

    @Test func theHostAdmitsWithNoModeratorInTheRoom() async throws {
        let harness = VideoRoomHarness()
        let owner = try await ownedRoom(harness, room: 80)
        let (first, firstID) = try await harness.waitingJoiner(room: 80, display: "first")
        let (second, secondID) = try await harness.waitingJoiner(room: 80, display: "second")
        let (list, _) = await owner.request(["request": "list_waiting", "room": 80, "secret": "s"])
        #expect(list == ["videoroom": "success", "room": 80, "waiting": [
            ["id": .uint(firstID), "display": "first"], ["id": .uint(secondID), "display": "second"],
        ]])
        let (admitted, _) = await owner.request(["request": "admit", "room": 80, "secret": "s", "id": .uint(firstID)])
        #expect(admitted == ["videoroom": "success", "room": 80])
        #expect(await first.waitForEvent { $0["videoroom"] == "joined" }?.data["id"] == .uint(firstID))
        let (rejected, _) = await owner.request(
            ["request": "reject", "room": 80, "moderator_secret": "m", "all": true, "reason": "full"])
        #expect(rejected["videoroom"] == "success")
        #expect(second.notifications.last?["reason"] == "rejected")
        // The host is no participant: the room holds the admitted joiner only.
        let (participants, _) = await owner.request(["request": "listparticipants", "room": 80])
        #expect(participants["participants"]?.arrayValue?.compactMap { $0["id"]?.uint64Value } == [firstID])
    }

    @Test func theHostMustProveItOwnsTheRoom() async throws {
        let harness = VideoRoomHarness { $0.adminKey = "admin" }
        let owner = try await ownedRoom(harness, room: 81)
        let (_, joinerID) = try await harness.waitingJoiner(room: 81, display: "guest")
        let admit: JSONObject = ["request": "admit", "room": 81, "id": .uint(joinerID)]
        func with(_ extra: JSONObject) -> JSONObject { admit.merging(extra) { _, new in new } }
        #expect(await owner.request(with(["secret": "wrong"])).data
            == ["videoroom": "event", "error_code": 433, "error": "Unauthorized (wrong secret)"])
        #expect(await owner.request(with(["moderator_secret": "wrong"])).data.errorCode == 433)
        // The moderator secret proves nothing under the key `secret`, nor does the admin key.
        #expect(await owner.request(with(["secret": "m"])).data.errorCode == 433)
        #expect(await owner.request(with(["admin_key": "admin"])).data.errorCode == 429)
        #expect(await owner.request(admit).data.errorCode == 429)
        #expect(await owner.request(with(["room": 999, "secret": "s"])).data.errorCode == 426)
        // No room named: a client's request on a handle in no room, as before (424).
        #expect(await owner.request(["request": "admit", "all": true, "secret": "s"]).data.errorCode == 424)
        // Only a member has a hand to raise.
        #expect(await owner.request(["request": "raise_hand", "room": 81, "secret": "s"]).data.errorCode == 424)
        #expect(await owner.request(["request": "lower_hand", "room": 81, "secret": "s"]).data.errorCode == 429)
        // Nothing of the refused requests let the joiner in.
        #expect(await harness.plugin.registry.waitingHandles.values.map(\.id) == [.number(joinerID)])
    }

    @Test func aRoomWithoutSecretsIsOpenToItsHostAsToKick() async throws {
        let harness = VideoRoomHarness()
        let owner = try await harness.client()
        await owner.request(["request": "create", "room": 82, "waiting_room": true])
        let (joiner, joinerID) = try await harness.waitingJoiner(room: 82, display: "guest")
        #expect(await owner.request(["request": "admit", "room": 82, "id": .uint(joinerID)]).data["videoroom"] == "success")
        #expect(await joiner.waitForEvent { $0["videoroom"] == "joined" } != nil)
    }

    @Test func moderatorsAndParticipantsHearTheHostAsTheyHearAModerator() async throws {
        let harness = VideoRoomHarness()
        let owner = try await ownedRoom(harness, room: 83)
        let (moderator, moderatorID) = try await harness.publisher(
            room: 83, display: "mod", extra: ["moderator_secret": "m"])
        let (_, guestID) = try await harness.waitingJoiner(room: 83, display: "guest")
        await owner.request(["request": "admit", "room": 83, "secret": "s", "id": .uint(guestID)])
        #expect(moderator.notifications.last?["departed"] == ["id": .uint(guestID), "reason": "admitted"])
        let (bob, bobID) = try await harness.publisher(room: 83, display: "bob", extra: ["moderator_secret": "m"])
        let transport = await harness.publish(bob)
        // A subscriber handle is in no room as a participant: it may act as the host too.
        let subscriber = try await harness.client()
        let privateID = bob.events.first { $0.data["videoroom"] == "joined" }?.data["private_id"] ?? .null
        let (attached, _) = await subscriber.request(
            ["request": "join", "ptype": "subscriber", "room": 83, "private_id": privateID,
             "streams": [["feed": .uint(bobID)]]])
        #expect(attached["videoroom"] == "attached", "\(attached)")
        await subscriber.request(["request": "demote", "room": 83, "secret": "s", "id": .uint(bobID)])
        #expect(bob.notifications.last == ["videoroom": "role", "room": 83, "id": .uint(bobID), "role": "participant"])
        await owner.request(["request": "mute", "room": 83, "secret": "s", "id": .uint(bobID), "audio": true])
        let muted: JSONObject = ["videoroom": "muted", "room": 83, "id": .uint(bobID), "audio": true, "video": false]
        #expect(moderator.notifications.last == muted)
        #expect(bob.notifications.last == muted)
        #expect(harness.media.calls.withLock {
            $0.configured.last { $0.allocation == transport }?.settings.mutedMids } == ["0"])
        // The host demotes the last moderator; the room keeps working without one.
        await owner.request(["request": "demote", "room": 83, "secret": "s", "id": .uint(moderatorID)])
        #expect(await moderator.request(["request": "admit", "all": true]).data.errorCode == 520)
        #expect(await owner.request(["request": "remove_participant", "room": 83, "secret": "s", "id": .uint(moderatorID)])
            .data["videoroom"] == "success")
        #expect(bob.notifications.last == ["videoroom": "event", "room": 83, "kicked": .uint(moderatorID)])
    }
}
