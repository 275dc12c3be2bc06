import Foundation
import RTP
import Testing

@testable import sfu_load

@Suite struct StatisticsAndOptionsTests {
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

    @Test func receiverReportBlockCountsLossPerInterval() {
        var stream = ReceivedStream(clockRate: 48_000)
        for sequence: UInt16 in [10, 11, 13, 14] {  // 12 lost: 1 of 5
            stream.record(sequenceNumber: sequence, timestamp: 0, arrivalNanoseconds: 0, measureJitter: false)
        }
        let first = stream.reportBlock(ssrc: 9)
        #expect(first.ssrc == 9 && first.cumulativeLost == 1 && first.extendedHighestSequenceNumber == 14)
        #expect(first.fractionLost == UInt8(256 / 5))
        for sequence: UInt16 in 15...24 {
            stream.record(sequenceNumber: sequence, timestamp: 0, arrivalNanoseconds: 0, measureJitter: false)
        }
        let second = stream.reportBlock(ssrc: 9)
        #expect(second.fractionLost == 0 && second.cumulativeLost == 1 && second.extendedHighestSequenceNumber == 24)
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
            "--video-bitrate", "2500000", "--width", "320", "--height", "240",
        ])
        #expect(options.publishers == 2 && options.subscribers == 5 && options.duration == 3.5)
        #expect(options.serverPID == 99 && options.json && options.room == 1234)
        #expect(options.videoBitrate == 2_500_000 && options.width == 320 && options.height == 240)
        #expect(try LoadOptions.parse(["--url", "ws://127.0.0.1:8188"]).url == "ws://127.0.0.1:8188")
        #expect(throws: LoadOptions.UsageError.self) { try LoadOptions.parse(["--bogus"]) }
        #expect(throws: LoadOptions.UsageError.self) { try LoadOptions.parse(["--url", "https://x/janus"]) }
        #expect(throws: LoadOptions.UsageError.self) { try LoadOptions.parse(["--no-audio", "--no-video"]) }
    }

    /// The `--json` object carries every field of the contract, computed from the run.
    @Test func jsonHasTheContractFields() throws {
        var options = LoadOptions()
        options.publishers = 2
        options.subscribers = 3
        var latency = LatencyHistogram()
        for microseconds in [100, 200, 300, 4000] { latency.record(microseconds: microseconds) }
        let result = LoadResult(
            options: options, elapsed: 10, start: LoadSnapshot(), end: LoadSnapshot(), latency: latency,
            serverStart: ProcessSample(cpuSeconds: 1, rssBytes: 10 << 20),
            serverEnd: ProcessSample(cpuSeconds: 1.5, rssBytes: 12 << 20), loadCPUSeconds: 0.7, loadSystemCPUSeconds: 0.3,
            packetsSent: 1000,
            packetsReceived: 2500, duplicates: 0, payloadOctets: 900_000, encodedVideoBitrate: 990_000,
            encodedAudioBitrate: 39_000, drainSeconds: 0.25)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.json().utf8)) as? [String: Any])
        for key in [
            "publishers", "subscribers", "duration_s", "packets_sent", "packets_received", "loss_ratio", "latency_ms",
            "server_cpu_s", "cpu_us_per_forwarded_packet", "server_rss_mb",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let latencyObject = try #require(object["latency_ms"] as? [String: Any])
        for key in ["p50", "p90", "p99", "max"] { #expect(latencyObject[key] != nil, "missing latency_ms.\(key)") }
        #expect(object["publishers"] as? Int == 2 && object["subscribers"] as? Int == 3)
        #expect(object["packets_sent"] as? Int == 1000 && object["packets_received"] as? Int == 2500)
        // 3 subscribers × 1000 packets expected, 2500 arrived.
        #expect(abs((object["loss_ratio"] as? Double ?? -1) - 0.1667) < 0.001)
        #expect(object["server_cpu_s"] as? Double == 0.5)
        #expect(object["cpu_us_per_forwarded_packet"] as? Double == 200)
        #expect(object["server_rss_mb"] as? Double == 12)
        #expect(latencyObject["max"] as? Double == 4)
    }
}
