import Testing

@testable import SFU

@Suite struct SFUEventBroadcasterTests {
    static func event(_ room: UInt64) -> SFUEvent { SFUEvent(room: room, kind: .roomCreated) }

    @Test func everyConsumerGetsEveryEventInOrder() async {
        let broadcaster = SFUEventBroadcaster(bufferSize: 16)
        let first = broadcaster.subscribe()
        let second = broadcaster.subscribe()
        for room in 1...5 { broadcaster.publish(Self.event(UInt64(room))) }
        broadcaster.finish()
        var a: [UInt64] = []
        for await event in first { a.append(event.room) }
        var b: [UInt64] = []
        for await event in second { b.append(event.room) }
        #expect(a == [1, 2, 3, 4, 5])
        #expect(b == a)
    }

    @Test func aSlowConsumerKeepsTheNewestAndNeverBlocksThePublisher() async {
        let broadcaster = SFUEventBroadcaster(bufferSize: 3)
        let stream = broadcaster.subscribe()
        for room in 1...10 { broadcaster.publish(Self.event(UInt64(room))) }
        broadcaster.finish()
        var rooms: [UInt64] = []
        for await event in stream { rooms.append(event.room) }
        #expect(rooms == [8, 9, 10])
    }

    @Test func aConsumerThatStopsIsForgotten() async {
        let broadcaster = SFUEventBroadcaster(bufferSize: 4)
        var stream: AsyncStream<SFUEvent>? = broadcaster.subscribe()
        #expect(broadcaster.consumerCount == 1)
        stream = nil
        #expect(stream == nil)
        #expect(broadcaster.consumerCount == 0)
    }

    @Test func afterFinishNewStreamsEndAtOnce() async {
        let broadcaster = SFUEventBroadcaster(bufferSize: 4)
        broadcaster.finish()
        broadcaster.publish(Self.event(1))
        var count = 0
        for await _ in broadcaster.subscribe() { count += 1 }
        #expect(count == 0)
    }

    @Test func eventsHaveStableNamesAndFlatJSON() {
        let left = SFUEvent(
            room: 7, participant: 9, display: "ann", handle: 3, peer: .publisher, kind: .participantLeft(.kicked))
        #expect(left.kind.name == "participant_left")
        #expect(
            left.json == [
                "room": 7, "event": "participant_left", "participant": 9, "display": "ann", "handle": 3,
                "peer": "publisher", "reason": "kicked",
            ])
        let up = SFUEvent(room: 7, handle: 4, peer: .subscriber, kind: .mediaUp(mid: "1", kind: .video))
        #expect(up.json == ["room": 7, "event": "media_up", "handle": 4, "peer": "subscriber", "mid": "1", "kind": "video"])
        #expect(SFUEvent(room: 1, kind: .talking(mid: "0", isTalking: false, level: 40)).kind.name == "stopped_talking")
    }
}
