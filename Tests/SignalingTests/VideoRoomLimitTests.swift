import Testing
@testable import Signaling

/// The plugin-wide VideoRoom limits: rooms at once (499) and handles joined to a room (432).
@Suite struct VideoRoomLimitTests {
    @Test func roomsBeyondTheLimitAnswer499() async throws {
        // The demo room counts: two more fit under a limit of 3.
        let harness = VideoRoomHarness { $0.maxRooms = 3 }
        let admin = try await harness.client()
        for id in [11, 12] {
            let (created, _) = await admin.request(["request": "create", "room": .int(Int64(id))])
            #expect(created["videoroom"] == "created")
        }
        let (refused, _) = await admin.request(["request": "create", "room": 13])
        #expect(refused.errorCode == 499)
        #expect(refused.errorText == "Maximum number of rooms (3) reached")
        // Destroying one makes room again.
        let (destroyed, _) = await admin.request(["request": "destroy", "room": 11])
        #expect(destroyed["videoroom"] == "destroyed")
        let (again, _) = await admin.request(["request": "create", "room": 13])
        #expect(again["videoroom"] == "created")
    }

    @Test func joinsBeyondTheRoomLimitAnswer432() async throws {
        let harness = VideoRoomHarness { $0.maxParticipantsPerRoom = 2 }
        _ = try await harness.publisher(display: "a")
        _ = try await harness.publisher(display: "b")
        let third = try await harness.client()
        let (publisher, _) = await third.request(["request": "join", "ptype": "publisher", "room": 1234, "display": "c"])
        #expect(publisher.errorCode == 432)
        #expect(publisher.errorText == "Maximum number of participants (2) already reached")
        let (subscriber, _) = await third.request(["request": "join", "ptype": "subscriber", "room": 1234, "streams": []])
        #expect(subscriber.errorCode == 432)
    }
}
