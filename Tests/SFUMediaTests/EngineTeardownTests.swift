import Testing

@testable import MediaCore
@testable import SFUMedia

/// Nothing outlives its session: after every transport of a room is closed, no transport object
/// (and with it no DTLS `SSL`, SRTP context or retransmission buffer) is still referenced, e.g.
/// by a publisher's forwarding targets, a subscriber's source or a closure.
@Suite(.serialized) struct EngineTeardownTests {
    @Test func closedTransportsAreFreedWhileTheEngineRuns() async throws {
        let room = try await EngineRoomTests.Room.make(publishers: 2, subscribers: 2)
        defer { room.stop() }
        room.bind(0, to: 0)
        room.bind(1, to: 1)
        #expect(await room.waitVideo(0, atLeast: 20))
        #expect(await room.waitVideo(1, atLeast: 20))
        #expect(room.engine.statistics.liveTransportObjects == 4)

        // A subscriber first (the publisher still forwards to others), then the rest.
        room.engine.closeTransport(room.subscribers[0].allocation)
        #expect(await EngineTest.eventually { room.engine.statistics.liveTransportObjects == 3 })
        room.engine.closeTransport(room.publishers[0].peer.allocation)
        room.engine.closeTransport(room.publishers[1].peer.allocation)
        room.engine.closeTransport(room.subscribers[1].allocation)
        #expect(await EngineTest.eventually {
            let statistics = room.engine.statistics
            return statistics.transports == 0 && statistics.liveTransportObjects == 0
        })
    }
}
