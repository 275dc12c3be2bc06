import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// A subscriber never receives a packet it was not entitled to when it was sent: not by NACKing
/// into a moderator's mute, a pause (`pause`, `configure send:false`), or the delta frames held
/// back before its first keyframe. Each test lets the subscriber NACK every number around the
/// withheld stretch, as a browser would NACK a hole, and checks what arrives (media and repairs).
@Suite struct HarnessConfidentialityTests {
    static let video = EngineRoomTests.Room.subscriberVideoSSRC(0)

    /// The publisher's sequence numbers (carried in the synthetic payloads) the subscriber received.
    static func originals(_ room: HarnessRoomTests.Room) -> [UInt16] {
        room.video(0).compactMap(EngineRoomTests.originalSequenceNumber)
    }

    /// NACKs the 200 numbers before the subscriber's newest packet (what it has and what it
    /// might think it lost), in two RTCP packets, then lets the answers arrive.
    static func nackBack(_ room: HarnessRoomTests.Room) {
        guard let newest = room.video(0).last?.sequenceNumber else { return }
        let numbers = (1...200).map { newest &- UInt16($0) }
        room.subscribers[0].peer.sendNACK(senderSSRC: 1, mediaSSRC: video, lost: Array(numbers.prefix(100)))
        room.subscribers[0].peer.sendNACK(senderSSRC: 1, mediaSSRC: video, lost: Array(numbers.suffix(100)))
        room.network.run(milliseconds: 300)
    }

    @Test func aModeratorMuteLeavesNoHoleAndNothingOfItIsRetransmitted() throws {
        let room = try HarnessRoomTests.Room(subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 30))
        let publisher = room.publishers[0]
        room.network.engine.configurePublisher(publisher.peer.allocation, settings: PublisherSettings(mutedMids: ["v"]))
        room.network.run(milliseconds: 50)
        let beforeUnmute = Set(Self.originals(room))
        let lastBefore = try #require(Self.originals(room).last)
        room.network.run(milliseconds: 1_000)  // ≈ 100 video packets sent while muted
        room.network.engine.configurePublisher(publisher.peer.allocation, settings: PublisherSettings())
        #expect(room.runUntilVideo(0, atLeast: beforeUnmute.count + 30))
        let firstAfter = try #require(Self.originals(room).first { !beforeUnmute.contains($0) })
        #expect(firstAfter &- lastBefore > 50, "the mute withheld packets")
        #expect(room.video(0).hasContinuousSequenceNumbers, "no hole across the mute for the subscriber to NACK")

        Self.nackBack(room)
        let withheld = Set((lastBefore &+ 1)..<firstAfter)
        let leaked = Self.originals(room).filter { withheld.contains($0) }
        #expect(leaked.isEmpty, "packets sent while muted reached the subscriber: \(leaked.count)")
    }

    @Test func aPausedSubscriptionGetsNothingOfThePauseBack() throws {
        let room = try HarnessRoomTests.Room(subscribers: 1)
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 30))
        room.bind(0, to: 0, send: false)  // `pause`, or `configure` with `send: false`
        room.network.run(milliseconds: 50)
        let beforeResume = Set(Self.originals(room))
        let lastBefore = try #require(Self.originals(room).last)
        room.network.run(milliseconds: 1_000)
        room.bind(0, to: 0, send: true)
        #expect(room.runUntilVideo(0, atLeast: beforeResume.count + 30))
        let firstAfter = try #require(Self.originals(room).first { !beforeResume.contains($0) })
        #expect(firstAfter &- lastBefore > 50)
        #expect(room.video(0).hasContinuousSequenceNumbers)

        Self.nackBack(room)
        let withheld = Set((lastBefore &+ 1)..<firstAfter)
        #expect(Self.originals(room).allSatisfy { !withheld.contains($0) }, "paused packets reached the subscriber")
    }

    @Test func deltaFramesHeldBackBeforeTheFirstKeyframeAreNotRetransmitted() throws {
        let room = try HarnessRoomTests.Room(subscribers: 1)
        room.network.run(milliseconds: 500)  // the publisher streams delta frames only
        room.bind(0, to: 0)
        #expect(room.runUntilVideo(0, atLeast: 30))
        let first = try #require(Self.originals(room).first)
        #expect(room.video(0).first.map { SyntheticStream.isKeyframe($0.payload) } == true)
        Self.nackBack(room)
        #expect(Self.originals(room).allSatisfy { Int16(bitPattern: $0 &- first) >= 0 },
                "a packet from before the subscriber's first keyframe reached it")
    }
}
