import Foundation
import RTP

/// The figures of one measured window, rendered as the human table or the `--json` object
/// (the field names are the contract of issue 4).
struct LoadResult {
    let options: LoadOptions
    let elapsed: Double
    let start: LoadSnapshot
    let end: LoadSnapshot
    let latency: LatencyHistogram
    let serverStart: ProcessSample?
    let serverEnd: ProcessSample?
    let loadCPUSeconds: Double
    /// The kernel's share of `loadCPUSeconds` (receiving is mostly system time).
    let loadSystemCPUSeconds: Double
    /// Packets the publishers sent in the window, and how many of those the subscribers got.
    let packetsSent: Int
    let packetsReceived: Int
    let duplicates: Int
    /// RTP payload bytes of the packets sent in the window.
    let payloadOctets: Int
    let encodedVideoBitrate: Double
    let encodedAudioBitrate: Double
    /// Seconds after the window until the subscribers stopped receiving (0.25 s = caught up).
    let drainSeconds: Double
    /// CPU seconds the whole machine was busy during the window (server, harness and others).
    var machineBusyCPUSeconds: Double? = nil
    /// Busy CPU of everything but the server and the harness during the window.
    var otherCPUSeconds: Double? {
        guard let busy = machineBusyCPUSeconds else { return nil }
        return max(0, busy - (serverCPUSeconds ?? 0) - loadCPUSeconds)
    }
    /// Every subscriber should get every packet sent in the window.
    var expectedDeliveries: Int { packetsSent * options.subscribers }
    var lossRatio: Double {
        expectedDeliveries > 0 ? max(0, 1 - Double(packetsReceived) / Double(expectedDeliveries)) : 0
    }
    /// Loss seen as sequence-number gaps in what did arrive (RFC 3550 §6.4.1 "cumulative lost").
    var sequenceLossRatio: Double {
        let expected = end.expected - start.expected
        let received = Int64(end.received - start.received)
        return expected > 0 ? max(0, Double(expected - received) / Double(expected)) : 0
    }
    var jitterMilliseconds: Double { end.streamsReceived > 0 ? end.jitterSumMilliseconds / Double(end.streamsReceived) : 0 }
    var serverCPUSeconds: Double? {
        guard let serverStart, let serverEnd else { return nil }
        return serverEnd.cpuSeconds - serverStart.cpuSeconds
    }
    var cpuMicrosecondsPerForwardedPacket: Double? {
        guard let cpu = serverCPUSeconds, packetsReceived > 0 else { return nil }
        return cpu * 1e6 / Double(packetsReceived)
    }
    var serverRSSMegabytes: Double? { serverEnd.map { Double($0.rssBytes) / 1_048_576 } }

    func json() throws -> String {
        func rounded(_ value: Double, _ places: Double = 1000) -> Double { (value * places).rounded() / places }
        let object: [String: Any] = [
            "url": options.url,
            "publishers": options.publishers,
            "subscribers": options.subscribers,
            "duration_s": rounded(elapsed),
            "packets_sent": packetsSent,
            "packets_received": packetsReceived,
            "expected_deliveries": expectedDeliveries,
            "loss_ratio": rounded(lossRatio, 1e6),
            "sequence_loss_ratio": rounded(sequenceLossRatio, 1e6),
            "latency_ms": [
                "p50": latency.quantileMilliseconds(0.5), "p90": latency.quantileMilliseconds(0.9),
                "p99": latency.quantileMilliseconds(0.99), "max": Double(latency.maxMicroseconds) / 1000,
                "samples": latency.count,
            ] as [String: Any],
            "jitter_ms": rounded(jitterMilliseconds),
            "server_cpu_s": serverCPUSeconds.map { rounded($0) } ?? NSNull(),
            "cpu_us_per_forwarded_packet": cpuMicrosecondsPerForwardedPacket.map { rounded($0) } ?? NSNull(),
            "server_rss_mb": serverRSSMegabytes.map { rounded($0) } ?? NSNull(),
            "server_rss_start_mb": serverStart.map { rounded(Double($0.rssBytes) / 1_048_576) } ?? NSNull(),
            "load_cpu_s": rounded(loadCPUSeconds),
            "load_cpu_system_s": rounded(loadSystemCPUSeconds),
            "load_cpu_us_per_received_packet": packetsReceived > 0 ? rounded(loadCPUSeconds * 1e6 / Double(packetsReceived)) : NSNull(),
            "video_bitrate": options.video ? options.videoBitrate : 0,
            "fps": options.frameRate,
            "audio": options.audio,
            "video": options.video,
            "media": "vp8+opus (libvpx, libopus)",
            "width": options.width,
            "height": options.height,
            "encoded_video_bitrate": encodedVideoBitrate.rounded(),
            "encoded_audio_bitrate": encodedAudioBitrate.rounded(),
            "forwarded_packets_per_server_cpu_s": serverCPUSeconds.flatMap { $0 > 0 ? (Double(packetsReceived) / $0).rounded() : nil } ?? NSNull(),
            "duplicates": duplicates,
            "mean_payload_bytes": packetsSent > 0 ? (Double(payloadOctets) / Double(packetsSent)).rounded() : 0,
            "srtp_profiles": end.srtpProfiles.sorted().map { SRTPProtectionProfile(rawValue: $0).map { "\($0)" } ?? "0x" + String($0, radix: 16) },
            "unplaced_packets": end.unplaced,
            "unprotect_failures": end.unprotectFailures,
            "load_threads": options.threads + 1,
            "decrypt_every": options.decryptEvery,
            "drain_s": rounded(drainSeconds, 100),
            "machine_busy_cpu_s": machineBusyCPUSeconds.map { rounded($0) } ?? NSNull(),
            "other_cpu_s": otherCPUSeconds.map { rounded($0) } ?? NSNull(),
            "cpus": ProcessInfo.processInfo.activeProcessorCount,
            "kernel_arrival_stamps": end.datagrams > 0 ? rounded(Double(end.kernelStamped) / Double(end.datagrams), 1000) : 0,
            "keyframes_sent": end.keyframesSent,
            "keyframe_requests": end.keyframeRequests,
            "connected_peers": end.connected,
            "failed_peers": end.failures.count,
            "failures": Array(end.failures.prefix(10)),
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    func table() -> String {
        func row(_ name: String, _ value: String) -> String {
            name.padding(toLength: 36, withPad: " ", startingAt: 0) + value + "\n"
        }
        func optional(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "n/a" }
        var text = "\n"
        text += row("server", options.url)
        text += row("publishers → subscribers", "\(options.publishers) → \(options.subscribers) (each subscribes to all)")
        var media: [String] = []
        if options.audio { media.append(String(format: "Opus %.0f kbit/s, 20 ms", encodedAudioBitrate / 1000)) }
        if options.video {
            media.append(String(
                format: "VP8 %d×%d @ %d fps, %.0f kbit/s encoded (target %d)", options.width, options.height,
                options.frameRate, encodedVideoBitrate / 1000, options.videoBitrate / 1000))
        }
        text += row("media (libopus / libvpx)", media.joined(separator: "; "))
        text += row("measured window", String(format: "%.2f s", elapsed))
        text += row("SRTP", end.srtpProfiles.sorted().map { SRTPProtectionProfile(rawValue: $0).map { "\($0)" } ?? "\($0)" }.joined(separator: ", "))
        text += row("packets sent", "\(packetsSent)")
        text += row("packets received (forwarded)", "\(packetsReceived) of \(expectedDeliveries) expected")
        text += row("loss (delivery / seq. gaps)", String(format: "%.4f%% / %.4f%%", lossRatio * 100, sequenceLossRatio * 100))
        text += row("latency p50 / p90 / p99 / max", String(
            format: "%.2f / %.2f / %.2f / %.2f ms", latency.quantileMilliseconds(0.5), latency.quantileMilliseconds(0.9),
            latency.quantileMilliseconds(0.99), Double(latency.maxMicroseconds) / 1000))
        text += row("arrival times from the kernel", String(format: "%.1f%% of datagrams", end.datagrams > 0 ? Double(end.kernelStamped) * 100 / Double(end.datagrams) : 0))
        text += row("jitter (mean over streams)", String(format: "%.3f ms", jitterMilliseconds))
        text += row("server CPU", optional(serverCPUSeconds, "%.3f s"))
        text += row("server CPU per forwarded packet", optional(cpuMicrosecondsPerForwardedPacket, "%.2f µs"))
        text += row("forwarded packets per server CPU-s", optional(serverCPUSeconds.flatMap { $0 > 0 ? Double(packetsReceived) / $0 : nil }, "%.0f"))
        text += row("server RSS (end)", optional(serverRSSMegabytes, "%.1f MB"))
        text += row("sfu-load CPU (system) / drain after", String(
            format: "%.3f s (%.3f s) / %.2f s", loadCPUSeconds, loadSystemCPUSeconds, drainSeconds))
        text += row("machine busy (others) in window", String(
            format: "%@ CPU-s (%@) of %d CPUs × %.1f s", optional(machineBusyCPUSeconds, "%.2f"), optional(otherCPUSeconds, "%.2f"),
            ProcessInfo.processInfo.activeProcessorCount, elapsed))
        text += row("keyframes sent / requested", "\(end.keyframesSent) / \(end.keyframeRequests)")
        if !end.failures.isEmpty {
            let shown = end.failures.prefix(5).joined(separator: "; ")
            text += row("failed peers", "\(end.failures.count): \(shown)\(end.failures.count > 5 ? "; …" : "")")
        }
        return text
    }
}
