import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// Per-subscriber congestion control on the in-memory network: our transport-wide numbers on
/// what we send, the subscriber's feedback made into an estimate, the estimate spent as
/// simulcast layers (or a pause), and the user's cap. Virtual time, a seeded network, a
/// rate-limited downlink: the figures printed here are the ones BENCHMARKS.md quotes.
@Suite struct HarnessBandwidthTests {
    @Test func everythingSentToTheSubscriberIsNumberedTransportWide() throws {
        let call = try BandwidthCall(seed: 2, downlinkBitsPerSecond: nil)
        call.network.run(milliseconds: 2_000)
        call.subscriber.collectEvents()
        let numbers = call.subscriber.received.compactMap { packet -> UInt16? in
            guard let value = packet.extensions[3], value.count == 2 else { return nil }
            return UInt16(value[0]) << 8 | UInt16(value[1])
        }
        #expect(numbers.count == call.subscriber.received.count, "every packet, audio and video, is numbered")
        #expect(numbers.count > 200)
        // No jitter, no loss: they arrive in the order sent, one number after another.
        #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $1 == $0 &+ 1 })
        let transport = try #require(call.subscriberTransport)
        #expect(transport.bandwidth.input == .transportWide)
    }

    /// The down-switch and recovery targets: 3 Mbit/s → 500 kbit/s, a fitting layer within
    /// 1 s, no video gap over 500 ms, audio on; 500 kbit/s → 3 Mbit/s, the top layer within 4 s.
    @Test func aNarrowingLinkTakesTheSubscriberDownAndAWideningOneBackUp() throws {
        let call = try BandwidthCall(seed: 11, downlinkBitsPerSecond: 3_000_000)
        call.startSampling()
        call.network.run(milliseconds: 6_000)
        #expect(call.samples.suffix(100).allSatisfy { $0.layer == 2 }, "the top layer on a 3 Mbit/s link")

        let narrowedAt = call.network.now.nanoseconds
        call.setDownlink(bitsPerSecond: 500_000)
        call.network.run(milliseconds: 10_000)
        let afterNarrowing = call.samples.filter { $0.at >= narrowedAt }
        let lastUnfit = afterNarrowing.last { ($0.layer ?? 0) > 0 || $0.paused }
        let downSeconds = Double((lastUnfit?.at ?? narrowedAt) - narrowedAt) / 1e9
        let video = call.videoReceived().filter { $0.packet.receivedAt.nanoseconds >= narrowedAt }
        let videoGap = zip(video, video.dropFirst()).map { $1.packet.receivedAt.nanoseconds - $0.packet.receivedAt.nanoseconds }.max() ?? 0
        let audio = call.audioReceived().filter { $0.receivedAt.nanoseconds >= narrowedAt }
        let audioGap = zip(audio, audio.dropFirst()).map { $1.receivedAt.nanoseconds - $0.receivedAt.nanoseconds }.max() ?? 0
        let audioExpected = 10_000 / 20
        print("bandwidth: down-switch \(downSeconds) s, video gap \(videoGap / 1_000_000) ms, audio gap \(audioGap / 1_000_000) ms, audio \(audio.count)/\(audioExpected), estimate \(afterNarrowing.last?.estimate ?? -1)")
        #expect(downSeconds <= 1.0, "a fitting layer within 1 s: \(downSeconds) s")
        #expect(videoGap <= 500_000_000, "no video gap over 500 ms: \(videoGap / 1_000_000) ms")
        #expect(audioGap <= 200_000_000 && audio.count >= audioExpected * 95 / 100, "audio goes on")

        let widenedAt = call.network.now.nanoseconds
        call.setDownlink(bitsPerSecond: 3_000_000)
        call.network.run(milliseconds: 8_000)
        let top = call.samples.first { $0.at >= widenedAt && $0.layer == 2 }
        let upSeconds = Double((top?.at ?? UInt64.max / 2) - widenedAt) / 1e9
        print("bandwidth: recovery to the top layer \(upSeconds) s, estimate \(call.samples.last?.estimate ?? -1)")
        #expect(upSeconds <= 4.0, "the top layer within 4 s: \(upSeconds) s")
    }

    /// The stability target: three simulcast publishers, one subscriber behind a steady
    /// 500 kbit/s link for 120 s: ≤ 2 layer switches a minute, 70–95 % of the link used, < 2 % loss.
    @Test func aSteadyNarrowLinkIsUsedWellWithoutFlapping() throws {
        let call = try BandwidthCall(seed: 21, downlinkBitsPerSecond: 500_000, publishers: 3)
        call.startSampling()
        call.network.run(milliseconds: 10_000)
        let from = call.network.now.nanoseconds
        let bytesBefore = call.downlinkBytes
        call.network.run(milliseconds: 120_000)
        let to = call.network.now.nanoseconds
        let measured = call.samples.filter { $0.at >= from }
        let switches = zip(measured, measured.dropFirst()).reduce(0) { count, pair in
            count + zip(pair.0.layers, pair.1.layers).filter { $0 != $1 }.count
        }
        let minutes = Double(to - from) / 60e9
        let used = Double(call.downlinkBytes - bytesBefore) * 8 / (Double(to - from) / 1e9) / 500_000
        let loss = call.mediaLoss(from: from, to: to)
        let layers = measured.last.map { $0.layers.map { $0.map(String.init) ?? "paused" } } ?? []
        print("bandwidth: steady 500 kbit/s, 3 publishers, 120 s: \(switches) layer switches, link used \(Int(used * 1000)) ‰, media loss \(Int(loss * 10000)) ‱, layers \(layers), estimate \(measured.last?.estimate ?? -1)")
        #expect(Double(switches) / minutes <= 2, "\(switches) switches in \(minutes) min")
        #expect(used >= 0.70 && used <= 0.95, "\(used * 100) % of the link")
        #expect(loss < 0.02, "\(loss * 100) % lost")
    }

    /// The data cap: `max_bitrate` 300 kbit/s takes effect within a second and the 10-second
    /// average sent stays within the cap + 5 %; lifting it brings the top layer back.
    @Test func aSubscribersCapTakesEffectWithinASecond() throws {
        let call = try BandwidthCall(seed: 31, downlinkBitsPerSecond: nil)
        call.startSampling()
        call.network.run(milliseconds: 4_000)
        #expect(call.samples.last?.layer == 2)
        let cappedAt = call.network.now.nanoseconds
        call.network.engine.limitSubscriber(call.subscriber.allocation, maximumBitrate: 300_000)
        call.network.run(milliseconds: 2_000)
        let bytesBefore = call.downlinkBytes
        call.network.run(milliseconds: 10_000)
        // Everything sent: SRTP datagrams of media, retransmissions and probe padding.
        let average = Double(call.downlinkBytes - bytesBefore) * 8 / 10
        let lastAbove = call.samples.last { $0.at >= cappedAt && ($0.layer ?? 0) > 0 }
        let effective = Double((lastAbove?.at ?? cappedAt) - cappedAt) / 1e9
        print("bandwidth: cap 300 kbit/s effective after \(effective) s, 10 s average sent \(Int(average / 1000)) kbit/s")
        #expect(effective <= 1.0)
        #expect(average <= 315_000)
        let liftedAt = call.network.now.nanoseconds
        call.network.engine.limitSubscriber(call.subscriber.allocation, maximumBitrate: 0)
        call.network.run(milliseconds: 4_000)
        let top = call.samples.first { $0.at >= liftedAt && $0.layer == 2 }
        print("bandwidth: cap lifted, top layer again after \(Double((top?.at ?? .max / 2) - liftedAt) / 1e9) s")
        #expect(call.samples.contains { $0.at >= liftedAt && $0.layer == 2 }, "the top layer again without the cap")
    }
}

/// Janus `temporal` on VP8: a subscriber that wants temporal layer 0 gets only TID 0 packets,
/// numbered without gaps, and the `temporal` event; raising it brings the other layers back.
@Suite struct HarnessTemporalLayerTests {
    static func temporalLayer(_ packet: ReceivedRTPPacket) -> Int? {
        guard packet.payload.count > 2, packet.payload[0] & 0x80 != 0, packet.payload[1] & 0x20 != 0 else { return nil }
        return Int(packet.payload[2] >> 6)
    }

    @Test func aTemporalCeilingDropsHigherLayersWithoutAGap() throws {
        let call = try BandwidthCall(seed: 41, downlinkBitsPerSecond: nil)
        call.source.temporalLayers = true
        let publisherID = call.publisher.allocation.id
        call.network.engine.bindSubscriber(call.subscriber.allocation, bindings: [
            SubscriberBinding(mid: "1", source: SourceKey(publisher: publisherID, mid: "v"), temporal: 0),
        ])
        call.network.run(milliseconds: 2_000)
        let low = call.videoReceived().map(\.packet)
        let tids = Set(low.compactMap(Self.temporalLayer))
        #expect(tids == [0], "only TID 0: \(tids)")
        #expect(low.count > 40 && low.hasContinuousSequenceNumbers, "\(low.count) packets")
        #expect(call.subscriber.serverEvents.all.contains(.temporalLayerChanged(mid: "1", temporal: 0)))

        call.network.engine.bindSubscriber(call.subscriber.allocation, bindings: [
            SubscriberBinding(mid: "1", source: SourceKey(publisher: publisherID, mid: "v"), temporal: 2),
        ])
        call.network.run(milliseconds: 1_000)
        let all = call.videoReceived().map(\.packet)
        #expect(Set(all.dropFirst(low.count).compactMap(Self.temporalLayer)) == [0, 1, 2])
        #expect(all.hasContinuousSequenceNumbers, "no gap where the layers came back")
        #expect(call.subscriber.serverEvents.all.contains(.temporalLayerChanged(mid: "1", temporal: 2)))
    }
}

/// A subscriber that sends no congestion feedback at all (neither TWCC nor REMB): nothing limits
/// it but its own cap, which lowers and restores its layer all the same.
@Suite struct HarnessCapWithoutFeedbackTests {
    @Test func theCapAloneChoosesTheLayer() throws {
        let call = try BandwidthCall(seed: 51, downlinkBitsPerSecond: nil, sendsFeedback: false)
        call.startSampling()
        call.network.run(milliseconds: 2_000)
        #expect(call.samples.last?.layer == 2)
        call.network.engine.limitSubscriber(call.subscriber.allocation, maximumBitrate: 300_000)
        call.network.run(milliseconds: 2_000)
        #expect(call.samples.last?.layer == 0)
        #expect(call.subscriberTransport?.bandwidth.input == SubscriberBandwidth.Input.none)
        call.network.engine.limitSubscriber(call.subscriber.allocation, maximumBitrate: 0)
        call.network.run(milliseconds: 2_000)
        #expect(call.samples.last?.layer == 2, "the top layer again once the cap is lifted")
    }
}
