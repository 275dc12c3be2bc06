import RTP

/// One-way latency histogram: 10 µs buckets up to 2 s (preallocated, no allocation per sample).
struct LatencyHistogram {
    static let bucketMicroseconds = 10
    static let bucketCount = 200_000
    private(set) var buckets = [UInt32](repeating: 0, count: bucketCount)
    private(set) var count = 0
    private(set) var maxMicroseconds = 0

    mutating func record(microseconds: Int) {
        let value = max(0, microseconds)
        buckets[min(Self.bucketCount - 1, value / Self.bucketMicroseconds)] &+= 1
        count += 1
        maxMicroseconds = max(maxMicroseconds, value)
    }

    mutating func merge(_ other: LatencyHistogram) {
        for index in 0..<Self.bucketCount where other.buckets[index] != 0 { buckets[index] &+= other.buckets[index] }
        count += other.count
        maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
    }

    /// The upper edge of the bucket holding quantile `q`, in milliseconds.
    func quantileMilliseconds(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((Double(count) * q).rounded(.up)))
        var seen = 0
        for (index, value) in buckets.enumerated() {
            seen += Int(value)
            if seen >= rank { return Double((index + 1) * Self.bucketMicroseconds) / 1000 }
        }
        return Double(maxMicroseconds) / 1000
    }
}

/// Continuity and jitter of one received SSRC (RFC 3550 §A.1 extended sequence numbers,
/// §6.4.1 interarrival jitter).
struct ReceivedStream {
    let clockRate: UInt32
    var firstExtended: Int64 = -1
    var highestExtended: Int64 = -1
    var received: Int64 = 0
    var jitter: Double = 0
    var lastTransit: Double?

    init(clockRate: UInt32) { self.clockRate = clockRate }

    mutating func record(sequenceNumber: UInt16, timestamp: UInt32, arrivalNanoseconds: UInt64, measureJitter: Bool) {
        received += 1
        if highestExtended < 0 {
            firstExtended = Int64(sequenceNumber)
            highestExtended = Int64(sequenceNumber)
        } else {
            // Nearest extension of the 16-bit number to the highest seen.
            let delta = Int64(Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highestExtended)))
            highestExtended = max(highestExtended, highestExtended + delta)
        }
        let arrival = Double(arrivalNanoseconds) * Double(clockRate) / 1e9
        let transit = arrival - Double(timestamp)
        if measureJitter, let lastTransit {
            var difference = abs(transit - lastTransit)
            // A 32-bit RTP timestamp wrap shows up as a huge jump: ignore that sample.
            if difference > Double(UInt32.max) / 2 { difference = jitter }
            jitter += (difference - jitter) / 16
        }
        lastTransit = transit
    }

    var expected: Int64 { highestExtended < 0 ? 0 : highestExtended - firstExtended + 1 }
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0

    /// The report block of an RR about this stream (RFC 3550 §6.4.1, §A.3); starts the next
    /// reporting interval.
    mutating func reportBlock(ssrc: UInt32) -> RTCPReportBlock {
        let lost = max(0, expected - received)
        let expectedInterval = expected - expectedPrior
        let lostInterval = expectedInterval - (received - receivedPrior)
        expectedPrior = expected
        receivedPrior = received
        let fraction = expectedInterval > 0 && lostInterval > 0 ? UInt8(min(255, (lostInterval << 8) / expectedInterval)) : 0
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(min(lost, 0x7F_FFFF)),
            extendedHighestSequenceNumber: UInt32(truncatingIfNeeded: max(0, highestExtended)),
            interarrivalJitter: UInt32(max(0, min(jitter, Double(UInt32.max)))))
    }
    var jitterMilliseconds: Double { jitter * 1000 / Double(clockRate) }
}
