import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// A call on the in-memory network for the bandwidth tests: publishers each sending audio and a
/// three-layer simulcast video at set rates (≈ 150 / 500 / 1,500 kbit/s), one subscriber of the
/// first one's audio and everyone's video that answers what we send it with transport-wide
/// feedback every 100 ms, as a browser does, behind a downlink whose rate the test changes.
final class BandwidthCall: @unchecked Sendable {
    static let room = RoomKey(91)
    static let twccURI = RTPExtensionURI.transportCC
    static let audioSSRC: UInt32 = 0xA0D1_0001
    static let subscriberAudioSSRC: UInt32 = 0x5A00_0001
    static let subscriberVideoSSRC: UInt32 = 0x5B00_0001
    static let subscriberRTXSSRC: UInt32 = 0x5B00_0002
    /// Bits per second of each layer, lowest first.
    static let layerRates = [150_000, 500_000, 1_500_000]

    let network: InMemoryNetwork
    let publishers: [HarnessPeer]
    var publisher: HarnessPeer { publishers[0] }
    let subscriber: HarnessPeer
    let sources: [RateSource]
    var source: RateSource { sources[0] }
    private var feedback = TransportWideFeedbackGenerator()
    private var fed = 0

    init(seed: UInt64, downlinkBitsPerSecond: UInt64?, sendsFeedback: Bool = true, publishers publisherCount: Int = 1) throws {
        network = try InMemoryNetwork(seed: seed)
        var publisherStreams = SimulcastStreams.publisherStreams()
        publisherStreams.append(StreamSetup(
            mid: "a", kind: .audio, payloadType: 111, clockRate: 48_000, remoteSSRCs: [Self.audioSSRC],
            localSSRC: 0xDD00_0002, receives: true, sends: false,
            extensions: [StreamExtension(id: 9, uri: EngineTest.midURI)], codecName: "opus"))
        var publishers: [HarnessPeer] = []
        for _ in 0..<publisherCount {
            publishers.append(try network.addPeer(room: Self.room, streams: publisherStreams, midExtensionID: 9))
        }
        self.publishers = publishers
        let extensions = [StreamExtension(id: 4, uri: EngineTest.midURI), StreamExtension(id: 3, uri: Self.twccURI)]
        var streams = [StreamSetup(mid: "0", kind: .audio, payloadType: 111, clockRate: 48_000, remoteSSRCs: [],
                                   localSSRC: Self.subscriberAudioSSRC, receives: false, sends: true,
                                   extensions: extensions, codecName: "opus")]
        for index in publishers.indices {
            streams.append(StreamSetup(
                mid: "\(index + 1)", kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [],
                localSSRC: Self.subscriberVideoSSRC + UInt32(index * 16), receives: false, sends: true,
                extensions: extensions, codecName: "vp8", rtxPayloadType: 101,
                localRTXSSRC: Self.subscriberRTXSSRC + UInt32(index * 16)))
        }
        subscriber = try network.addPeer(room: Self.room, streams: streams)
        sources = publishers.map { RateSource(peer: $0) }
        guard network.connectAll() else { throw HarnessError.notConnected }
        if let rate = downlinkBitsPerSecond { setDownlink(bitsPerSecond: rate) }
        var bindings = [SubscriberBinding(mid: "0", source: SourceKey(publisher: publishers[0].allocation.id, mid: "a"))]
        for (index, publisher) in publishers.enumerated() {
            bindings.append(SubscriberBinding(mid: "\(index + 1)", source: SourceKey(publisher: publisher.allocation.id, mid: "v")))
        }
        network.engine.bindSubscriber(subscriber.allocation, bindings: bindings)
        for source in sources {
            network.every(milliseconds: 10) { [source] network in source.tick(now: network.now) }
        }
        if sendsFeedback {
            network.every(milliseconds: 10) { [weak self] network in self?.sendFeedback(now: network.now) }
        }
    }

    enum HarnessError: Error { case notConnected }

    /// The subscriber's transport on its worker (the harness runs the workers on the test's
    /// thread, between `run` calls nothing else touches it).
    var subscriberTransport: WebRTCTransport? {
        network.engine.workers[subscriber.allocation.workerIndex].core.transport(id: subscriber.allocation.id)
    }

    /// The server's side every 10 ms: the layer the subscriber's video forwards, whether it is
    /// paused, and the estimate.
    struct Sample {
        var at: UInt64
        /// The first video m-line's.
        var layer: Int?
        var paused: Bool
        var estimate: Int?
        /// Every video m-line's layer (nil when paused or none yet).
        var layers: [Int?]
        var upgradeBudget: Int? = nil
        var proven: Int? = nil
        var probes = 0
    }
    private(set) var samples: [Sample] = []

    func startSampling() {
        network.every(milliseconds: 10) { [weak self] network in
            guard let self, let transport = self.subscriberTransport, transport.consumers.count > 1 else { return }
            let video = transport.consumers[1]
            let layers = transport.consumers.dropFirst().map { $0.pausedForBandwidth ? nil : $0.layerChoice?.current }
            self.samples.append(Sample(
                at: network.now.nanoseconds, layer: video.layerChoice?.current, paused: video.pausedForBandwidth,
                estimate: transport.bandwidth.budget, layers: layers, upgradeBudget: transport.bandwidth.upgradeBudget,
                proven: transport.bandwidth.proven, probes: transport.bandwidth.probes))
        }
    }

    func setDownlink(bitsPerSecond: UInt64) {
        var conditions = LinkConditions()
        conditions.bitsPerSecond = bitsPerSecond
        conditions.queueBytes = 60_000
        network.setDownlink(conditions, to: subscriber)
    }

    /// What a browser's receiver does: every packet's transport-wide number and arrival time,
    /// reported every 100 ms.
    private func sendFeedback(now: MonotonicInstant) {
        subscriber.collectEvents()
        let received = subscriber.received
        while fed < received.count {
            if let value = received[fed].extensions[3], value.count == 2 {
                feedback.record(UInt16(value[0]) << 8 | UInt16(value[1]), at: received[fed].receivedAt)
            }
            fed += 1
        }
        guard feedback.isDue(now: now) else { return }
        while let message = feedback.nextFeedback(senderSSRC: 0x1234, mediaSSRC: Self.subscriberVideoSSRC, now: now) {
            _ = subscriber.peer.sendRTCP([message])
        }
    }

    // MARK: What the subscriber got

    /// Video packets received (media SSRC), with the layer each came from.
    func videoReceived() -> [(packet: ReceivedRTPPacket, layer: Int?)] {
        subscriber.collectEvents()
        return subscriber.received(ssrc: Self.subscriberVideoSSRC).map { packet in
            (packet, EngineRoomTests.originalSSRC(packet).flatMap { SimulcastStreams.layerSSRCs.firstIndex(of: $0) })
        }
    }

    func audioReceived() -> [ReceivedRTPPacket] {
        subscriber.collectEvents()
        return subscriber.received(ssrc: Self.subscriberAudioSSRC)
    }

    /// Bytes the downlink carried so far (SRTP datagrams, media and padding).
    var downlinkBytes: Int { network.link(from: subscriber.serverAddress, to: subscriber.address)?.bytesCarried ?? 0 }

    /// The share of the subscriber's media packets (audio and video, first transmissions) that
    /// never arrived, between two instants (ns): gaps in each stream's (continuous) numbering.
    func mediaLoss(from start: UInt64, to end: UInt64) -> Double {
        subscriber.collectEvents()
        var expected = 0
        var received = 0
        let ssrcs = Set(subscriber.received.map(\.ssrc)).filter { !$0.isMultiple(of: 2) }  // RTX SSRCs are even here
        for ssrc in ssrcs {
            let packets = subscriber.received.filter {
                $0.ssrc == ssrc && $0.receivedAt.nanoseconds >= start && $0.receivedAt.nanoseconds < end
            }
            guard let first = packets.first?.sequenceNumber, let last = packets.last?.sequenceNumber else { continue }
            expected += Int(last &- first) + 1
            received += Set(packets.map(\.sequenceNumber)).count
        }
        return expected == 0 ? 0 : Double(max(0, expected - received)) / Double(expected)
    }
}

/// The publisher's media at set rates: 50 audio packets a second and three video layers at
/// 30 frames a second, each frame split into packets of at most 1,100 bytes; a keyframe (twice
/// a frame's size) on a layer whose SSRC the server asked one of, and on each layer's first frame.
final class RateSource: @unchecked Sendable {
    let peer: HarnessPeer
    private var layers: [SyntheticStream]
    private var audio: SyntheticStream
    private var answered = [0, 0, 0]
    private var started = [false, false, false]
    private var nextFrameAt: UInt64 = 0
    private var nextAudioAt: UInt64 = 0
    /// The layers being sent (a publisher whose own estimate dropped its top layer sends fewer).
    var sending = [0, 1, 2]
    /// VP8 temporal layers, as Chromium's L1T3 sends them: frames' TIDs go 0, 2, 1, 2, … (the
    /// payload descriptor's T bit and TID byte); off: no temporal information.
    var temporalLayers = false
    private var frameIndex = 0
    static let temporalPattern = [0, 2, 1, 2]
    private(set) var keyframes = [0, 0, 0]

    init(peer: HarnessPeer) {
        self.peer = peer
        var layers: [SyntheticStream] = []
        for layer in 0..<3 {
            let first = UInt16(1000 * (layer + 1))
            let timestamp = UInt32(7_000_000 * (layer + 1))
            layers.append(SyntheticStream(ssrc: SimulcastStreams.layerSSRCs[layer], payloadType: 96, isVideo: true,
                                          firstSequenceNumber: first, firstTimestamp: timestamp))
        }
        self.layers = layers
        audio = SyntheticStream(ssrc: BandwidthCall.audioSSRC, payloadType: 111, isVideo: false)
    }

    func tick(now: MonotonicInstant) {
        let time = now.nanoseconds
        if nextFrameAt == 0 { nextFrameAt = time; nextAudioAt = time }
        while time >= nextAudioAt {
            var packet = audio.next()
            packet.payload = Array(repeating: 0xAA, count: 94) + packet.payload  // ≈ 40 kbit/s with headers
            packet.extensions = [(id: 9, value: Array("a".utf8))]
            _ = peer.peer.sendRTP(packet)
            nextAudioAt += 20_000_000
        }
        guard time >= nextFrameAt else { return }
        nextFrameAt += 33_333_333
        for layer in sending { sendFrame(layer: layer) }
        frameIndex += 1
    }

    private func sendFrame(layer: Int) {
        let plis = peer.pictureLossIndications(mediaSSRC: SimulcastStreams.layerSSRCs[layer])
        let keyframe = plis > answered[layer] || !started[layer]
        answered[layer] = plis
        started[layer] = true
        if keyframe { keyframes[layer] += 1 }
        var remaining = BandwidthCall.layerRates[layer] / 8 / 30 * (keyframe ? 2 : 1)
        var first = true
        let timestamp = layers[layer].timestamp
        while remaining > 0 {
            let size = min(remaining, 1_100)
            remaining -= size
            var packet = layers[layer].next(keyframe: keyframe)
            layers[layer].timestamp = timestamp  // one frame: one timestamp
            packet.timestamp = timestamp
            // The VP8 descriptor's S bit only on the frame's first packet.
            if !first { packet.payload[0] = 0x00 }
            if temporalLayers {
                // X and T bits, then TID (keyframes are TID 0).
                let tid = keyframe ? 0 : Self.temporalPattern[frameIndex % Self.temporalPattern.count]
                packet.payload[0] |= 0x80
                packet.payload.insert(contentsOf: [0x20, UInt8(tid << 6)], at: 1)
            }
            packet.payload.insert(contentsOf: repeatElement(0x55, count: max(0, size - packet.payload.count - 12)), at: 5)
            packet.marker = remaining == 0
            packet.extensions = [(id: 9, value: Array("v".utf8)), (id: 10, value: Array(SimulcastStreams.rids[layer].utf8))]
            _ = peer.peer.sendRTP(packet)
            first = false
        }
        layers[layer].timestamp = timestamp &+ 3000
    }
}
