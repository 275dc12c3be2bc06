import SFUBase
import Testing
@testable import RTP

@Suite struct RTPRetransmissionTests {
    @Test func wrapAndUnwrapRestoreTheOriginal() throws {
        var builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 4242, timestamp: 77, ssrc: 0xAAAA, marker: true,
                                       payload: [1, 2, 3, 4, 5])
        builder.extensions = [(1, [9])]
        builder.paddingLength = 4
        var original = builder.bytes()
        var unpadded = builder
        unpadded.paddingLength = 0
        let expected = unpadded.bytes()
        var rtx = [UInt8](repeating: 0, count: 100)
        let n = try original.withUnsafeMutableBytes { src in
            try rtx.withUnsafeMutableBytes { dst in
                try RTPRetransmission.wrap(try RTPPacket(buffer: src, length: src.count), into: dst,
                                           payloadType: 97, ssrc: 0xBBBB, sequenceNumber: 7)
            }
        }
        try rtx.withUnsafeMutableBytes { raw in
            let packet = try RTPPacket(buffer: raw, length: n)
            #expect(packet.payloadType == 97 && packet.ssrc == 0xBBBB && packet.sequenceNumber == 7 && packet.marker)
            #expect(Array(packet.payload) == [0x10, 0x92, 1, 2, 3, 4, 5])
            #expect(!packet.hasPadding)
        }
        let m = try rtx.withUnsafeMutableBytes { raw in
            try RTPRetransmission.unwrap(raw, length: n, originalPayloadType: 96, originalSSRC: 0xAAAA)
        }
        #expect(Array(rtx[0..<m]) == expected)
    }

    @Test func unwrapRejectsPacketsWithoutOSN() {
        var bytes = RTPPacketBuilder(ssrc: 1, payload: [1]).bytes()
        let count = bytes.count
        #expect(throws: RTPError.tooShort) {
            try bytes.withUnsafeMutableBytes { raw in
                try RTPRetransmission.unwrap(raw, length: count, originalPayloadType: 96, originalSSRC: 2)
            }
        }
    }
}

@Suite struct RTPReceiveStatisticsTests {
    func instant(ms: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: ms * 1_000_000) }

    @Test func lossWrapAndFraction() {
        var stats = RTPReceiveStatistics(clockRate: 90_000)
        var seq: UInt16 = 65_530
        var received = 0
        for i in 0..<20 {
            if i == 5 || i == 6 { seq &+= 1; continue }  // lose two (across the wrap)
            stats.record(sequenceNumber: seq, rtpTimestamp: UInt32(i) * 3000, arrival: instant(ms: UInt64(i) * 33))
            received += 1
            seq &+= 1
        }
        #expect(stats.extendedHighestSequenceNumber == 0x1_0000 + 13)
        #expect(stats.cumulativeLost == 2)
        let block = stats.makeReportBlock(ssrc: 5)
        #expect(block.fractionLost == UInt8((2 << 8) / 20))
        #expect(block.cumulativeLost == 2)
        // No new loss in the next interval.
        stats.record(sequenceNumber: seq, rtpTimestamp: 60_000, arrival: instant(ms: 700))
        #expect(stats.makeReportBlock(ssrc: 5).fractionLost == 0)
    }

    @Test func reorderAndDuplicatesDoNotMoveTheMaximum() {
        var stats = RTPReceiveStatistics(clockRate: 48_000)
        for seq: UInt16 in [10, 12, 11, 11, 13] {
            stats.record(sequenceNumber: seq, rtpTimestamp: 0, arrival: instant(ms: 0))
        }
        #expect(stats.extendedHighestSequenceNumber == 13)
        #expect(stats.cumulativeLost == -1)  // one duplicate
    }

    @Test func bigJumpNeedsConfirmation() {
        var stats = RTPReceiveStatistics(clockRate: 90_000)
        stats.record(sequenceNumber: 100, rtpTimestamp: 0, arrival: instant(ms: 0))
        let jumped = stats.record(sequenceNumber: 30_000, rtpTimestamp: 0, arrival: instant(ms: 1))
        #expect(!jumped)
        let confirmed = stats.record(sequenceNumber: 30_001, rtpTimestamp: 0, arrival: instant(ms: 2))
        #expect(confirmed)
        #expect(stats.extendedHighestSequenceNumber == 30_001)
        #expect(stats.cumulativeLost == 0)
    }

    @Test func jitterIsZeroForSteadyArrivalsAndGrowsWithVariation() {
        var steady = RTPReceiveStatistics(clockRate: 90_000)
        var bumpy = RTPReceiveStatistics(clockRate: 90_000)
        for i in 0..<100 {
            steady.record(sequenceNumber: UInt16(i), rtpTimestamp: UInt32(i) * 3000, arrival: instant(ms: UInt64(i) * 1000 / 30))
            let wobble: UInt64 = i % 2 == 0 ? 0 : 10
            bumpy.record(sequenceNumber: UInt16(i), rtpTimestamp: UInt32(i) * 3000,
                         arrival: instant(ms: UInt64(i) * 1000 / 30 + wobble))
        }
        #expect(steady.jitter <= 90)  // rounding of 33.3 ms to whole ms only
        #expect(bumpy.jitter > 500)  // ~10 ms swings = 900 units
    }
}

@Suite struct NTPTimeTests {
    @Test func conversions() {
        let ntp = NTPTime.timestamp(unixNanoseconds: 1_500_000_000)
        #expect(ntp >> 32 == NTPTime.unixEpochOffset + 1)
        #expect(ntp & 0xFFFF_FFFF == 0x8000_0000)
        #expect(NTPTime.middle32(0x1122_3344_5566_7788) == 0x3344_5566)
        let dlsr = NTPTime.delaySinceLastSenderReport(
            received: MonotonicInstant(nanoseconds: 0), now: MonotonicInstant(nanoseconds: 500_000_000))
        #expect(dlsr == 32_768)
        // RTT = A - LSR - DLSR = 3 s - 1 s - 1.5 s = 0.5 s.
        let rtt = NTPTime.roundTripTime(arrivalMiddle32: 3 << 16, lastSenderReport: 1 << 16,
                                        delaySinceLastSenderReport: 3 << 15)
        #expect(rtt == 0.5)
        #expect(NTPTime.roundTripTime(arrivalMiddle32: 1, lastSenderReport: 0, delaySinceLastSenderReport: 0) == nil)
    }
}
