import RTP
import SFUBase
import Testing

@testable import MediaCore
@testable import SFUMedia

/// TWCC feedback generation on virtual time: what arrived, what was lost, and when it is sent.
@Suite struct TransportWideFeedbackGeneratorTests {
    static func at(_ microseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: microseconds * 1_000) }

    static func roundTrip(_ feedback: RTCPTransportWideFeedback) throws -> RTCPTransportWideFeedback {
        var bytes = [UInt8](repeating: 0, count: 1500)
        let length = try bytes.withUnsafeMutableBytes { try feedback.write(into: $0) }
        return try bytes.withUnsafeMutableBytes { raw in
            let compound = try RTCPCompoundPacket(buffer: raw, length: length)
            guard let packet = compound.first(where: { _ in true }) else { throw RTCPError.tooShort }
            return try RTCPTransportWideFeedback(packet)
        }
    }

    @Test func reportsArrivalsAndGapsWithTheirTimes() throws {
        var generator = TransportWideFeedbackGenerator()
        let base: UInt64 = 5_000_000
        // 65535, 0, 1, (2 lost), 3: wraps and a gap.
        generator.record(65535, at: Self.at(base))
        generator.record(0, at: Self.at(base + 1_000))
        generator.record(1, at: Self.at(base + 2_500))
        generator.record(3, at: Self.at(base + 90_000))
        #expect(generator.isDue(now: Self.at(base)))
        let next = generator.nextFeedback(senderSSRC: 1, mediaSSRC: 2, now: Self.at(base + 100_000))
        let feedback = try #require(next)
        #expect(generator.nextFeedback(senderSSRC: 1, mediaSSRC: 2, now: Self.at(base + 100_000)) == nil)
        let parsed = try Self.roundTrip(feedback)
        #expect(parsed.baseSequenceNumber == 65535)
        let times = parsed.arrivalTimes
        #expect(times.map(\.sequenceNumber) == [65535, 0, 1, 2, 3])
        #expect(times.map { $0.arrivalMicroseconds == nil } == [false, false, false, true, false])
        let received = times.compactMap(\.arrivalMicroseconds)
        #expect(zip(received, received.dropFirst()).map { $1 - $0 } == [1_000, 1_500, 87_500])
        #expect(!generator.isDue(now: Self.at(base + 300_000)), "nothing new arrived")
    }

    @Test func nextFeedbackStartsWhereTheLastEndedAndCountsPackets() throws {
        var generator = TransportWideFeedbackGenerator()
        generator.record(10, at: Self.at(1_000_000))
        let firstNext = generator.nextFeedback(senderSSRC: 1, mediaSSRC: 2, now: Self.at(1_000_000))
        let first = try #require(firstNext)
        // 11 and 12 lost, 13 arrives; a late 9 is ignored (already reported as before the window).
        generator.record(13, at: Self.at(1_050_000))
        generator.record(9, at: Self.at(1_051_000))
        #expect(!generator.isDue(now: Self.at(1_060_000)), "the interval has not passed")
        #expect(generator.isDue(now: Self.at(1_100_000)))
        let secondNext = generator.nextFeedback(senderSSRC: 1, mediaSSRC: 2, now: Self.at(1_100_000))
        let second = try #require(secondNext)
        #expect(second.baseSequenceNumber == 11)
        #expect(second.packets.map { $0.receiveDelta == nil } == [true, true, false])
        #expect(second.feedbackPacketCount == first.feedbackPacketCount &+ 1)
    }

    @Test func aBurstIsSplitIntoPacketsThatFitAnMTU() throws {
        var generator = TransportWideFeedbackGenerator()
        for sequence in 0..<1100 {  // more than the store holds: the excess is dropped
            generator.record(UInt16(sequence), at: Self.at(1_000_000 + UInt64(sequence) * 100))
        }
        #expect(generator.isDue(now: Self.at(1_000_000)), "a full store is reported at once")
        var reported = 0
        while let feedback = generator.nextFeedback(senderSSRC: 1, mediaSSRC: 2, now: Self.at(1_200_000)) {
            let parsed = try Self.roundTrip(feedback)
            #expect(parsed.packets.count <= TransportWideFeedbackGenerator.maximumStatuses)
            reported += parsed.packets.count
        }
        #expect(reported == TransportWideFeedbackGenerator.capacity)
    }
}
