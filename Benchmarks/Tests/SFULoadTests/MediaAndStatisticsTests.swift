import Foundation
import RTP
import Testing

@testable import sfu_load

@Suite struct MediaAndStatisticsTests {
    @Test func sendTimeStampRoundTrips() {
        var payload = [UInt8](repeating: 0, count: 40)
        SendTimeStamp.write(0x0102_0304_0506_0708, into: &payload)
        #expect(SendTimeStamp.read(payload) == 0x0102_0304_0506_0708)
        #expect(SendTimeStamp.read([UInt8](repeating: 0, count: 40)) == nil)
        #expect(SendTimeStamp.read([1, 2, 3]) == nil)
    }

    @Test func absSendTimeIsSixPointEighteenSeconds() {
        // 1.5 s → 1.5 × 2^18 = 393216 = 0x060000.
        #expect(SendTimeStamp.absSendTime(1_500_000_000) == [0x06, 0x00, 0x00])
    }

    @Test func vp8FramesCarryDescriptorKeyframesAndMarker() {
        var video = SyntheticVP8(ssrc: 7, bitrate: 1_000_000, frameRate: 30, keyframeInterval: 3)
        let now = MonotonicInstant(nanoseconds: 42)
        let first = video.nextFrame(now: now, extensions: [])
        // First frame is a keyframe (requested at start): S bit, P bit 0, start code.
        #expect(first[0].payload[0] & 0x10 != 0)
        #expect(first[0].payload[4] & 0x01 == 0)
        #expect(Array(first[0].payload[7...9]) == [0x9D, 0x01, 0x2A])
        #expect(first.dropFirst().allSatisfy { $0.payload[0] & 0x10 == 0 })
        #expect(first.last?.marker == true && first.dropLast().allSatisfy { !$0.marker })
        #expect(first.allSatisfy { SendTimeStamp.read($0.payload) == 42 && $0.payload.count <= 4 + SyntheticVP8.maxPayload })
        let second = video.nextFrame(now: now, extensions: [])
        #expect(second[0].payload[4] & 0x01 == 1)
        #expect(second[0].timestamp == first[0].timestamp &+ 3000)
        #expect(second[0].sequenceNumber == first.last!.sequenceNumber &+ 1)
        _ = video.nextFrame(now: now, extensions: [])
        #expect(video.nextFrame(now: now, extensions: [])[0].payload[4] & 0x01 == 0)  // every 3rd frame
        video.keyframeRequested = true
        #expect(video.nextFrame(now: now, extensions: [])[0].payload[4] & 0x01 == 0)  // on PLI
        #expect(video.keyframesSent == 3)
    }

    @Test func vp8BitrateIsMet() {
        var video = SyntheticVP8(ssrc: 7, bitrate: 1_000_000, frameRate: 30, keyframeInterval: 30)
        var bytes = 0
        for _ in 0..<300 { bytes += video.nextFrame(now: .init(nanoseconds: 0), extensions: []).reduce(0) { $0 + $1.payload.count } }
        let bitrate = Double(bytes * 8) / 10
        #expect(abs(bitrate - 1_000_000) < 30_000)
    }

    @Test func receivedStreamExtendsSequenceNumbersAcrossWrap() {
        var stream = ReceivedStream(clockRate: 90_000)
        for sequence: UInt16 in [65_534, 65_535, 1, 2] {  // 0 lost
            stream.record(sequenceNumber: sequence, timestamp: 0, arrivalNanoseconds: 0, measureJitter: true)
        }
        #expect(stream.expected == 5)
        #expect(stream.received == 4)
    }

    @Test func jitterOfConstantTransitIsZero() {
        var stream = ReceivedStream(clockRate: 90_000)
        for index in 0..<10 {
            stream.record(sequenceNumber: UInt16(index), timestamp: UInt32(index * 3000),
                          arrivalNanoseconds: UInt64(index) * 33_333_333, measureJitter: true)
        }
        #expect(stream.jitterMilliseconds < 0.01)
    }

    @Test func histogramQuantiles() {
        var histogram = LatencyHistogram()
        for microseconds in 1...1000 { histogram.record(microseconds: microseconds) }
        #expect(abs(histogram.quantileMilliseconds(0.5) - 0.5) <= 0.011)
        #expect(abs(histogram.quantileMilliseconds(0.99) - 0.99) <= 0.011)
        #expect(histogram.maxMicroseconds == 1000)
    }

    @Test func readsOwnProcessFromProc() throws {
        let sample = try #require(ProcessSample.read(pid: getpid()))
        #expect(sample.rssBytes > 1_000_000)
        #expect(sample.cpuSeconds >= 0)
    }

    @Test func optionsParseTheContractFlags() throws {
        let options = try LoadOptions.parse([
            "--url", "http://127.0.0.1:18088/janus", "--local-address", "127.0.0.1", "--publishers", "2",
            "--subscribers", "5", "--duration", "3.5", "--server-pid", "99", "--json", "--room", "1234",
        ])
        #expect(options.publishers == 2 && options.subscribers == 5 && options.duration == 3.5)
        #expect(options.serverPID == 99 && options.json && options.room == 1234)
        #expect(throws: LoadOptions.UsageError.self) { try LoadOptions.parse(["--bogus"]) }
        #expect(throws: LoadOptions.UsageError.self) { try LoadOptions.parse(["--url", "ws://x/janus"]) }
    }
}
