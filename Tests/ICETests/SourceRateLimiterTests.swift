import SFUBase
import Testing

@testable import ICE

@Suite struct SourceRateLimiterTests {
    private let a = TransportAddress(ipv4: 0x0A00_0001, port: 5000)
    private let b = TransportAddress(ipv4: 0x0A00_0002, port: 5000)
    private func at(_ milliseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000 + milliseconds * 1_000_000) }

    @Test func allowsTheBurstThenRefuses() {
        var limiter = SourceRateLimiter(perSecond: 5, burst: 10)
        let allowed = (0..<50).filter { _ in limiter.allow(a, now: at(0)) }.count
        #expect(allowed == 10)
        #expect(limiter.refused == 40)
    }

    @Test func refillsAtTheSustainedRate() {
        var limiter = SourceRateLimiter(perSecond: 5, burst: 10)
        for _ in 0..<10 { _ = limiter.allow(a, now: at(0)) }
        do { let ok = limiter.allow(a, now: at(0)); #expect(!ok) }
        // 5 a second: one token every 200 ms, never more than the burst.
        do { let ok = limiter.allow(a, now: at(150)); #expect(!ok) }
        do { let ok = limiter.allow(a, now: at(200)); #expect(ok) }
        do { let ok = limiter.allow(a, now: at(200)); #expect(!ok) }
        let afterAMinute = (0..<100).filter { _ in limiter.allow(a, now: at(60_000)) }.count
        #expect(afterAMinute == 10)
    }

    @Test func sourcesHaveTheirOwnBucketsAndPortsDoNotCount() {
        var limiter = SourceRateLimiter(perSecond: 1, burst: 2)
        do { let ok = limiter.allow(a, now: at(0)); #expect(ok) }
        do { let ok = limiter.allow(a, now: at(0)); #expect(ok) }
        // Another port of the same address shares the bucket.
        do { let ok = limiter.allow(TransportAddress(ipv4: 0x0A00_0001, port: 6000), now: at(0)); #expect(!ok) }
        do { let ok = limiter.allow(b, now: at(0)); #expect(ok) }
    }

    @Test func sustainedFloodFromManyPortsIsBoundedByTheRate() {
        var limiter = SourceRateLimiter(perSecond: 5, burst: 10)
        var allowed = 0
        // 200,000 datagrams over 10 s from one address, random ports.
        for i in 0..<200_000 {
            let source = TransportAddress(ipv4: 0x0A00_0001, port: UInt16(truncatingIfNeeded: i &* 7919))
            if limiter.allow(source, now: at(UInt64(i) / 20)) { allowed += 1 }
        }
        #expect(allowed <= 10 + 5 * 10 + 1)
        #expect(allowed >= 50)
    }

    @Test func zeroBurstRefusesEverything() {
        var limiter = SourceRateLimiter(perSecond: 100, burst: 0)
        do { let ok = limiter.allow(a, now: at(0)); #expect(!ok) }
        do { let ok = limiter.allow(a, now: at(10_000)); #expect(!ok) }
    }

    @Test func errorResponsesAreRecognisedByTheirClassBits() {
        let error: [UInt8] = [0x01, 0x11, 0, 0]
        let success: [UInt8] = [0x01, 0x01, 0, 0]
        let request: [UInt8] = [0x00, 0x01, 0, 0]
        #expect(error.withUnsafeBytes { STUNHeader.isErrorResponse($0) })
        #expect(!success.withUnsafeBytes { STUNHeader.isErrorResponse($0) })
        #expect(!request.withUnsafeBytes { STUNHeader.isErrorResponse($0) })
    }
}
