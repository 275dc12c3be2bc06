import SDPTestFixtures
import Testing
@testable import SFUMedia
@testable import Signaling

/// The room-control extension through the plugin API (fake media plane): waiting room, hands,
/// moderators, mutes. The machine's own rules are tested in SFUMediaTests/RoomControl*.
@Suite struct VideoRoomControlTests {
    /// A room with a waiting room and a moderator secret, and its moderator (publishing).
    func lobbyRoom(_ harness: VideoRoomHarness, room: UInt64, extra: JSONObject = [:]) async throws
        -> (moderator: VideoRoomTestClient, moderatorID: UInt64)
    {
        let admin = try await harness.client()
        var create: JSONObject = [
            "request": "create", "room": .uint(room), "secret": "s", "waiting_room": true, "moderator_secret": "m",
        ]
        for (key, value) in extra { create[key] = value }
        let (created, _) = await admin.request(create)
        #expect(created["videoroom"] == "created")
        let (moderator, id) = try await harness.publisher(room: room, display: "host", extra: ["moderator_secret": "m"])
        return (moderator, id)
    }

    @Test func aWaitingJoinerGetsNothingOfTheRoomUntilAdmitted() async throws {
        let harness = VideoRoomHarness()
        let (host, hostID) = try await lobbyRoom(harness, room: 70)
        #expect(host.notifications.contains(["videoroom": "role", "room": 70, "id": .uint(hostID), "role": "moderator"]))
        #expect(host.notifications.contains(["videoroom": "lobby", "room": 70, "waiting": []]))
        await harness.publish(host)
        let (joiner, joinerID) = try await harness.waitingJoiner(room: 70, display: "guest")
        #expect(joiner.events.last?.data["position"] == 1)
        let arrival = await host.waitForNotification { $0["arrived"] != nil }
        #expect(arrival?["waiting"] == [["id": .uint(joinerID), "display": "guest"]])

        // Nothing works from the lobby but leaving: no publishing, no subscribing, no hands.
        let (publish, _) = await joiner.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(publish.errorCode == 521)
        let (hand, _) = await joiner.request(["request": "raise_hand"])
        #expect(hand.errorCode == 521)
        let spy = try await harness.client()
        let (subscribe, _) = await spy.request(
            ["request": "join", "ptype": "subscriber", "room": 70, "streams": [["feed": .uint(hostID)]]])
        #expect(subscribe.errorCode == 433)
        let (participants, _) = await host.request(["request": "listparticipants", "room": 70])
        #expect(participants["participants"]?.arrayValue?.count == 1)
        #expect(!joiner.notifications.contains { $0["publishers"] != nil || $0["videoroom"] == "joined" })

        // Admission: the usual `joined` with the publisher list and a private_id.
        let (admitted, _) = await host.request(["request": "admit", "id": .uint(joinerID)])
        #expect(admitted == ["videoroom": "success", "room": 70])
        let joined = await joiner.waitForEvent { $0["videoroom"] == "joined" }
        #expect(joined?.data["id"] == .uint(joinerID))
        #expect(joined?.data["publishers"]?.arrayValue?.first?["id"] == .uint(hostID))
        let privateID = joined?.data["private_id"] ?? .null
        let (attached, _) = await spy.request(
            ["request": "join", "ptype": "subscriber", "room": 70, "private_id": privateID,
             "streams": [["feed": .uint(hostID)]]])
        #expect(attached["videoroom"] == "attached")
        #expect(host.notifications.contains { $0["departed"] == ["id": .uint(joinerID), "reason": "admitted"] })
        let (again, _) = await host.request(["request": "admit", "id": .uint(joinerID)])
        #expect(again.errorCode == 523)
    }

    @Test func rejectedAndTimedOutJoinersAreToldWhy() async throws {
        let harness = VideoRoomHarness()
        let (host, _) = try await lobbyRoom(harness, room: 71, extra: ["waiting_timeout": 1])
        let (joiner, joinerID) = try await harness.waitingJoiner(room: 71, display: "guest")
        let (rejected, _) = await host.request(["request": "reject", "id": .uint(joinerID), "reason": "full"])
        #expect(rejected["videoroom"] == "success")
        #expect(joiner.notifications.last == [
            "videoroom": "rejected", "room": 71, "id": .uint(joinerID), "reason": "rejected", "message": "full",
        ])
        let (publish, _) = await joiner.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(publish.errorCode == 425)
        let (late, lateID) = try await harness.waitingJoiner(room: 71, display: "late")
        // The lobby timer runs on the real clock: a generous bound, for loaded machines.
        let timedOut = await late.waitForNotification(timeout: .seconds(20)) { $0["videoroom"] == "rejected" }
        #expect(timedOut == ["videoroom": "rejected", "room": 71, "id": .uint(lateID), "reason": "timeout"])
    }

    @Test func theHandQueueReachesEveryoneInOrder() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 72, "moderator_secret": "m"])
        let (host, _) = try await harness.publisher(room: 72, display: "host", extra: ["moderator_secret": "m"])
        let (a, aID) = try await harness.publisher(room: 72, display: "a")
        let (b, bID) = try await harness.publisher(room: 72, display: "b")
        #expect(await b.request(["request": "raise_hand"]).data["hands"] == [["id": .uint(bID), "display": "b"]])
        await a.request(["request": "raise_hand"])
        #expect(await b.request(["request": "raise_hand"]).data.errorCode == 524)
        let queue: JSONValue = [["id": .uint(bID), "display": "b"], ["id": .uint(aID), "display": "a"]]
        for client in [host, a, b] {
            #expect(client.notifications.last { $0["videoroom"] == "hands" }?["hands"] == queue)
        }
        #expect(await a.request(["request": "lower_hand", "id": .uint(bID)]).data.errorCode == 520)
        await b.request(["request": "leave"])
        #expect(host.notifications.last { $0["videoroom"] == "hands" }?["hands"] == [["id": .uint(aID), "display": "a"]])
        // A newcomer learns the queue; the moderator clears it.
        let (c, _) = try await harness.publisher(room: 72, display: "c")
        #expect(c.notifications.last { $0["videoroom"] == "hands" }?["hands"] == [["id": .uint(aID), "display": "a"]])
        await host.request(["request": "lower_all_hands"])
        #expect(c.notifications.last { $0["videoroom"] == "hands" }?["hands"] == [])
    }

    @Test(arguments: [
        ["request": "admit", "all": true], ["request": "reject", "all": true], ["request": "list_waiting"],
        ["request": "set_waiting_room", "enabled": false], ["request": "promote", "id": 1],
        ["request": "demote", "id": 1], ["request": "mute", "id": 1], ["request": "unmute", "id": 1],
        ["request": "mute_all"], ["request": "unmute_all"], ["request": "remove_participant", "id": 1],
        ["request": "lower_all_hands"], ["request": "lower_hand", "id": 1],
    ] as [JSONObject])
    func moderatorRequestsFromOthersAreRefused(body: JSONObject) async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 73, "secret": "s", "waiting_room": true])
        // Joining with the room secret makes a moderator; it lets the others in.
        let (host, _) = try await harness.publisher(room: 73, display: "host", extra: ["id": 1, "secret": "s"])
        let (guest, guestID) = try await harness.waitingJoiner(room: 73, display: "guest")
        #expect(await guest.request(body).data.errorCode == 521)
        await host.request(["request": "admit", "id": .uint(guestID)])
        #expect(await guest.request(body).data.errorCode == 520)
        #expect(await guest.request(body).data.errorText == "Unauthorized (moderator only)")
        let stranger = try await harness.client()
        #expect(await stranger.request(body).data.errorCode == 424)
    }

    @Test func moderatorMutesStopForwardingAndOnlyModeratorsLiftThem() async throws {
        let harness = VideoRoomHarness()
        let admin = try await harness.client()
        await admin.request(["request": "create", "room": 74, "moderator_secret": "m"])
        let (host, _) = try await harness.publisher(room: 74, display: "host", extra: ["moderator_secret": "m"])
        let (bob, bobID) = try await harness.publisher(room: 74, display: "bob")
        let transport = await harness.publish(bob)
        func muted() -> Set<String>? {
            harness.media.calls.withLock { $0.configured.last { $0.allocation == transport }?.settings.mutedMids }
        }
        await host.request(["request": "mute", "id": .uint(bobID), "audio": true])
        #expect(muted() == ["0"])
        #expect(bob.notifications.last == ["videoroom": "muted", "room": 74, "id": .uint(bobID), "audio": true, "video": false])
        // Bob's own client cannot lift it: neither unmute nor configure send:true.
        #expect(await bob.request(["request": "unmute", "id": .uint(bobID)]).data.errorCode == 520)
        await bob.request(["request": "configure", "streams": [["mid": "0", "send": true]]])
        #expect(muted() == ["0"])
        // A renegotiation keeps the mute.
        await bob.request(["request": "configure"], jsep: JSEP(type: .offer, sdp: SDPFixtures.chromium))
        #expect(muted() == ["0"])
        await host.request(["request": "mute_all", "video": true])
        #expect(muted() == ["0", "1"])
        await host.request(["request": "unmute_all"])
        #expect(muted() == [])
        #expect(host.notifications.last == ["videoroom": "muted", "room": 74, "id": .uint(bobID), "audio": false, "video": false])
    }

    @Test func removePromoteDemoteAndAModeratorlessLobby() async throws {
        let harness = VideoRoomHarness()
        let (host, hostID) = try await lobbyRoom(harness, room: 75)
        let (guest, guestID) = try await harness.waitingJoiner(room: 75, display: "guest")
        await host.request(["request": "admit", "all": true])
        _ = await guest.waitForEvent { $0["videoroom"] == "joined" }
        await host.request(["request": "promote", "id": .uint(guestID)])
        #expect(guest.notifications.contains(["videoroom": "role", "room": 75, "id": .uint(guestID), "role": "moderator"]))
        #expect(await guest.request(["request": "promote", "id": .uint(guestID)]).data.errorCode == 526)
        // The new moderator removes the host, then steps down: nobody moderates.
        #expect(await guest.request(["request": "remove_participant", "id": .uint(hostID)]).data["videoroom"] == "success")
        #expect(host.notifications.contains(["videoroom": "event", "room": 75, "leaving": "ok", "reason": "kicked"]))
        #expect(guest.notifications.contains(["videoroom": "event", "room": 75, "kicked": .uint(hostID)]))
        await guest.request(["request": "demote", "id": .uint(guestID)])
        let (late, lateID) = try await harness.waitingJoiner(room: 75, display: "late")
        // The lobby stays; the next moderator sees it at once and decides.
        let (next, _) = try await harness.publisher(room: 75, display: "next", extra: ["moderator_secret": "m"])
        #expect(next.notifications.contains(["videoroom": "lobby", "room": 75, "waiting": [["id": .uint(lateID), "display": "late"]]]))
        #expect(await next.request(["request": "list_waiting"]).data["waiting"] == [["id": .uint(lateID), "display": "late"]])
        await next.request(["request": "admit", "id": .uint(lateID)])
        #expect(await late.waitForEvent { $0["videoroom"] == "joined" } != nil)
        let impostor = try await harness.client()
        #expect(await impostor.request(
            ["request": "join", "ptype": "publisher", "room": 75, "moderator_secret": "wrong"]).data.errorCode == 433)
    }

    @Test func leavingDetachingAndDestroyingWhileWaiting() async throws {
        let harness = VideoRoomHarness()
        let (host, _) = try await lobbyRoom(harness, room: 76)
        let (quitter, quitterID) = try await harness.waitingJoiner(room: 76, display: "quitter")
        #expect(await quitter.request(["request": "leave"]).data == ["videoroom": "event", "room": 76, "leaving": "ok"])
        #expect(host.notifications.last?["departed"] == ["id": .uint(quitterID), "reason": "left"])
        let (detacher, detacherID) = try await harness.waitingJoiner(room: 76, display: "detacher")
        await detacher.session.destroy()
        #expect(host.notifications.last?["departed"] == ["id": .uint(detacherID), "reason": "left"])
        #expect(await host.request(["request": "admit", "id": .uint(detacherID)]).data.errorCode == 523)
        let (stayer, _) = try await harness.waitingJoiner(room: 76, display: "stayer")
        let admin = try await harness.client()
        await admin.request(["request": "destroy", "room": 76, "secret": "s"])
        #expect(stayer.notifications.last == ["videoroom": "destroyed", "room": 76])
    }

    @Test func turningTheWaitingRoomOffOrOnLive() async throws {
        let harness = VideoRoomHarness()
        let (host, _) = try await lobbyRoom(harness, room: 77)
        let (first, _) = try await harness.waitingJoiner(room: 77, display: "first")
        #expect(await host.request(["request": "set_waiting_room", "enabled": false]).data["videoroom"] == "success")
        #expect(await first.waitForEvent { $0["videoroom"] == "joined" } != nil)
        _ = try await harness.publisher(room: 77, display: "direct")
        let admin = try await harness.client()
        let (edited, _) = await admin.request(["request": "edit", "room": 77, "secret": "s", "new_waiting_room": true])
        #expect(edited["videoroom"] == "edited")
        #expect(host.notifications.last == ["videoroom": "waiting_room", "room": 77, "enabled": true])
        _ = try await harness.waitingJoiner(room: 77, display: "second")
        let (list, _) = await admin.request(["request": "list"])
        #expect(list["list"]?.arrayValue?.first { $0["room"] == 77 }?["waiting_room"] == true)
    }

    @Test func aPlainRoomLooksLikeJanus() async throws {
        let harness = VideoRoomHarness()
        let (alice, _) = try await harness.publisher(display: "alice")
        let (bob, _) = try await harness.publisher(display: "bob")
        await harness.publish(bob)
        #expect(!alice.notifications.contains { ["hands", "role", "lobby", "muted", "waiting"].contains($0["videoroom"]?.stringValue) })
        let (list, _) = await alice.request(["request": "list"])
        #expect(list["list"]?.arrayValue?.first?["waiting_room"] == nil)
    }
}
