import DTLS
import FuzzSupport
import ICE
import Logging
import RTP
@_spi(ManualDrive) import SFUMedia
import SFUBase
import Synchronization
import WebRTCPeer

// The media plane's packet path fed hostile datagrams: an in-memory engine (two workers, no
// sockets) with three connected PeerConnections — a simulcast publisher (audio + three VP8 rid
// layers), a subscriber of it on the other worker, and an EchoTest-style transport consuming its
// own producer — whose client peers did real ICE and DTLS-SRTP. An input is a program of
// operations, each picked by a byte:
//   0 a raw datagram from one of the peers' addresses (demux, STUN, DTLS, SRTP authentication);
//   1 an RTP packet built from the input (payload type, SSRC, numbers, mid/rid/audio-level/TWCC
//     extensions, payload), SRTP-protected with that peer's real keys, so it reaches the
//     producer, the router, the consumers' layer choice, rewriting and re-protection;
//   2 an RTCP compound from the input, SRTCP-protected (feedback parsing, REMB relay);
//   3 a NACK, 4 a PLI about one of our sending SSRCs (retransmission and keyframe paths, across
//     workers too); 5 time moving on (timers: NACKs upstream, reports, TWCC, slow links, fallback);
//   6 a datagram from an unknown address; 7 the subscriber's binding changed (substream, pause).
// The world persists across inputs (setting it up takes handshakes) and is rebuilt when a
// transport failed or after ten minutes of its virtual time.

private let serverAddress = "10.9.0.1"

private struct Peer {
    let client: ClientPeer
    let address: TransportAddress
    let server: TransportAddress
    let allocation: TransportAllocation
    /// SSRCs this peer sends with (its producers'), and ours towards it (its consumers').
    let sendSSRCs: [UInt32]
    let ourSSRCs: [UInt32]
}

/// The server's outgoing datagrams, handed to the client peers during the handshakes.
private final class Wire: @unchecked Sendable {
    let queue = Mutex<[(to: TransportAddress, bytes: [UInt8])]>([])
    let failed = Atomic<Bool>(false)
    let connected = Atomic<Int>(0)
}

private final class World {
    let engine: MediaEngine
    let wire: Wire
    var peers: [Peer] = []
    var now: MonotonicInstant
    let started: MonotonicInstant
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)

    static let layerSSRCs: [UInt32] = [0xC1, 0xC2, 0xC3]

    init() throws {
        var logger = Logger(label: "fuzz-transport")
        logger.logLevel = .critical
        let wire = Wire()
        self.wire = wire
        engine = try MediaEngine(
            inMemory: MediaConfiguration(
                iceAddresses: [serverAddress], lowPort: 30000, highPort: 30010, workerCount: 2, consentTimeout: 3600,
                roomPlacement: .spread, slowLinkThreshold: 2),
            logger: logger,
            deliver: { _, to, bytes in wire.queue.withLock { $0.append((to, Array(bytes))) } })
        now = MonotonicInstant(nanoseconds: 1_000_000_000_000)
        started = now
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "fuzz-peer")
        let room = RoomKey(1)
        func extensions() -> [StreamExtension] {
            [StreamExtension(id: 1, uri: "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
             StreamExtension(id: 3, uri: RTPExtensionURI.transportCC),
             StreamExtension(id: 9, uri: RTPExtensionURI.mid), StreamExtension(id: 10, uri: RTPExtensionURI.rtpStreamID)]
        }
        func add(_ streams: [StreamSetup], settings: PublisherSettings, index: Int) throws -> Peer {
            let allocation = engine.allocateTransport(room: room)
            let credentials = ICECredentials.random()
            let setup = TransportSetup(
                remoteCredentials: credentials, remoteFingerprint: certificate.fingerprint, dtlsRole: .client,
                streams: streams, midExtensionID: 9, settings: settings)
            engine.startTransport(allocation, setup: setup) { event in
                switch event {
                case .connected: wire.connected.add(1, ordering: .relaxed)
                case .failed: wire.failed.store(true, ordering: .relaxed)
                default: break
                }
            }
            let client = try ClientPeer(
                configuration: ClientPeerConfiguration(
                    localCredentials: credentials, remoteCredentials: allocation.localCredentials,
                    remoteFingerprint: allocation.fingerprint, dtlsRole: .server, certificate: certificate,
                    tiebreaker: UInt64(index)),
                now: now)
            let candidate = allocation.candidates[0]
            return Peer(
                client: client, address: TransportAddress("10.9.1.\(index)", port: 40000)!,
                server: TransportAddress(candidate.address, port: candidate.port)!, allocation: allocation,
                sendSSRCs: streams.filter(\.receives).flatMap(\.remoteSSRCs) + (streams.contains { !$0.simulcastRIDs.isEmpty } ? Self.layerSSRCs : []),
                ourSSRCs: streams.filter(\.sends).map(\.localSSRC) + streams.compactMap(\.localRTXSSRC))
        }
        var video = StreamSetup(
            mid: "1", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [], localSSRC: 0xA2,
            receives: true, sends: false, extensions: extensions(), codecName: "vp8")
        video.simulcastRIDs = ["l", "m", "h"]
        let publisher = try add([
            StreamSetup(mid: "0", kind: .audio, payloadType: 111, clockRate: 48_000, remoteSSRCs: [0xB1], localSSRC: 0xA1,
                        receives: true, sends: false, extensions: extensions(), codecName: "opus"),
            video,
        ], settings: PublisherSettings(bitrate: 500_000, keyframeInterval: 2, audioLevelEvents: true), index: 1)
        let subscriber = try add([
            StreamSetup(mid: "0", kind: .audio, payloadType: 111, clockRate: 48_000, remoteSSRCs: [], localSSRC: 0xD1,
                        receives: false, sends: true, extensions: extensions(), codecName: "opus"),
            StreamSetup(mid: "1", kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [], localSSRC: 0xD2,
                        receives: false, sends: true, extensions: extensions(), codecName: "vp8",
                        rtxPayloadType: 101, localRTXSSRC: 0xD3),
        ], settings: PublisherSettings(), index: 2)
        let echo = try add([
            StreamSetup(mid: "0", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [0xE1], localSSRC: 0xE2,
                        receives: true, sends: true, extensions: extensions(), codecName: "vp8")
        ], settings: PublisherSettings(bitrate: 300_000), index: 3)
        peers = [publisher, subscriber, echo]
        try handshake()
        bindSubscriber(substream: nil, send: true)
        let echoSetup = TransportSetup(
            remoteCredentials: .random(), remoteFingerprint: certificate.fingerprint, dtlsRole: .client,
            streams: [StreamSetup(mid: "0", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [0xE1],
                                  localSSRC: 0xE2, receives: true, sends: true, codecName: "vp8")],
            midExtensionID: 9)
        engine.bindSubscriber(echo.allocation, bindings: SubscriberBinding.echo(of: echo.allocation, setup: echoSetup))
        for _ in 0..<3 { engine.driveWorkers(now: now) }
    }

    deinit { buffer.deallocate() }

    func bindSubscriber(substream: Int?, send: Bool) {
        let publisher = peers[0].allocation.id
        engine.bindSubscriber(peers[1].allocation, bindings: [
            SubscriberBinding(mid: "0", source: SourceKey(publisher: publisher, mid: "0"), send: send),
            SubscriberBinding(mid: "1", source: SourceKey(publisher: publisher, mid: "1"), send: send, substream: substream),
        ])
    }

    private func handshake() throws {
        for _ in 0..<400 {
            engine.driveWorkers(now: now)
            for peer in peers {
                if let due = peer.client.nextTimeout(), due <= now { peer.client.handleTimeout(now: now) }
                while let datagram = peer.client.pollTransmit() {
                    engine.receive(datagram, from: peer.address, to: peer.server, now: now)
                }
            }
            engine.driveWorkers(now: now)
            let sent = wire.queue.withLock { queue in defer { queue.removeAll() }; return queue }
            for (to, bytes) in sent {
                guard let peer = peers.first(where: { $0.address == to }) else { continue }
                bytes.withUnsafeBytes { peer.client.handleDatagram($0, now: now) }
            }
            if peers.allSatisfy(\.client.isConnected) && wire.connected.load(ordering: .relaxed) == peers.count { return }
            now = now.adding(milliseconds: 5)
        }
        throw FuzzSetupError.handshake
    }

    /// Runs one program.
    func run(_ input: inout FuzzInput) {
        var steps = 0
        while !input.isEmpty && steps < 64 {
            steps += 1
            let op = input.byte()
            let peer = peers[Int(op >> 3) % peers.count]
            switch op & 7 {
            case 0:
                let bytes = input.chunk()
                engine.receive(Array(bytes), from: peer.address, to: peer.server, now: now)
            case 1:
                sendRTP(&input, from: peer)
            case 2:
                let bytes = input.chunk()
                let length = min(bytes.count, 1200)
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
                if let protected = peer.client.protectRTCP(buffer, length: length) {
                    engine.receive(Array(buffer[0..<protected]), from: peer.address, to: peer.server, now: now)
                }
            case 3:
                let ssrc = pick(peer.ourSSRCs, &input)
                let first = input.uint16()
                let lost = (0..<Int(input.byte() % 20)).map { first &+ UInt16($0) }
                feedback([RTCPReceiverReport(ssrc: 7), RTCPGenericNACK(senderSSRC: 7, mediaSSRC: ssrc, lostSequenceNumbers: lost)], from: peer)
            case 4:
                feedback([RTCPReceiverReport(ssrc: 7), RTCPPictureLossIndication(senderSSRC: 7, mediaSSRC: pick(peer.ourSSRCs, &input))],
                         from: peer)
            case 5:
                now = now.adding(milliseconds: UInt64(input.byte()) * 4)
                engine.driveWorkers(now: now)
            case 6:
                let bytes = input.chunk()
                engine.receive(Array(bytes), from: TransportAddress(ipv4: input.uint32(), port: input.uint16()), to: peer.server,
                               now: now)
            default:
                let choice = input.byte()
                bindSubscriber(substream: choice & 3 == 3 ? nil : Int(choice & 3), send: choice & 4 == 0)
                engine.driveWorkers(now: now)
            }
        }
        engine.driveWorkers(now: now)
        wire.queue.withLock { $0.removeAll() }
    }

    private func pick(_ ssrcs: [UInt32], _ input: inout FuzzInput) -> UInt32 {
        let choice = Int(input.byte())
        return choice < ssrcs.count * 32 && !ssrcs.isEmpty ? ssrcs[choice % ssrcs.count] : input.uint32()
    }

    private func sendRTP(_ input: inout FuzzInput, from peer: Peer) {
        let flags = input.byte()
        var builder = RTPPacketBuilder(
            payloadType: input.byte() & 0x7F, sequenceNumber: input.uint16(), timestamp: input.uint32(),
            ssrc: pick(peer.sendSSRCs, &input), payload: Array(input.chunk().prefix(1100)))
        builder.marker = flags & 1 != 0
        var extensions: [(id: UInt8, value: [UInt8])] = []
        if flags & 2 != 0 { extensions.append((id: 9, value: Array((flags & 8 != 0 ? "0" : "1").utf8))) }
        if flags & 4 != 0 { extensions.append((id: 10, value: Array(["l", "m", "h", "x"][Int(flags >> 4) & 3].utf8))) }
        if flags & 16 != 0 { extensions.append((id: 1, value: [input.byte()])) }
        if flags & 32 != 0 { extensions.append((id: 3, value: [input.byte(), input.byte()])) }
        if flags & 64 != 0 { extensions.append((id: input.byte() & 0x0F, value: Array(input.take(Int(input.byte() % 17))))) }
        builder.extensions = extensions
        guard let length = try? builder.write(into: buffer),
            let protected = peer.client.protectRTP(buffer, length: length)
        else { return }
        engine.receive(Array(buffer[0..<protected]), from: peer.address, to: peer.server, now: now)
    }

    private func feedback(_ packets: [any RTCPWritable], from peer: Peer) {
        var writer = RTCPCompoundWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<1400]))
        do { for packet in packets { try writer.append(packet) } } catch { return }
        guard let protected = peer.client.protectRTCP(buffer, length: writer.length) else { return }
        engine.receive(Array(buffer[0..<protected]), from: peer.address, to: peer.server, now: now)
    }

    var worn: Bool { wire.failed.load(ordering: .relaxed) || now.nanoseconds(since: started) > 600_000_000_000 }
}

private enum FuzzSetupError: Error { case handshake }

nonisolated(unsafe) private var world: World?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if world == nil || world!.worn { world = try? World() }
    guard let world else { return 0 }
    var input = FuzzInput(data, size)
    world.run(&input)
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested(seeds())
    return 0
}

/// Programs in the input format: publisher layers with VP8 keyframes and deltas, the
/// subscriber's NACK/PLI and a substream change, the echo's media and NACK, garbage.
private func seeds() -> [(name: String, bytes: [UInt8])] {
    func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }
    /// Operation 1 from peer `peer`: an RTP packet with mid (and rid `layer` when given).
    func rtp(peer: UInt8, payloadType: UInt8, sequence: UInt16, timestamp: UInt32, ssrcIndex: UInt8, layer: UInt8?,
             keyframe: Bool, midZero: Bool = false) -> [UInt8] {
        var flags: UInt8 = 2 | (midZero ? 8 : 0)
        if let layer { flags |= 4 | (layer << 4) }
        let vp8: [UInt8] = [0x90, 0x80, UInt8(sequence & 0x7F), keyframe ? 0x00 : 0x01, 0x9D, 0x01, 0x2A] + Array(repeating: 0xA5, count: 40)
        return [peer << 3 | 1, flags, payloadType] + be16(sequence) + be32(timestamp) + [ssrcIndex] + be16(UInt16(vp8.count)) + vp8
    }
    var media: [UInt8] = []
    for frame in 0..<6 {
        for layer: UInt8 in 0..<3 {
            media += rtp(peer: 0, payloadType: 96, sequence: UInt16(100 + frame), timestamp: UInt32(3000 * frame),
                         ssrcIndex: 1 + layer, layer: layer, keyframe: frame == 0)
        }
        media += [5, 8]  // 32 ms on
    }
    media += [1 << 3 | 3, 1] + be16(101) + [3]  // subscriber NACKs its video SSRC
    media += [1 << 3 | 4, 1]  // and asks for a keyframe
    media += [7, 0, 5, 50]  // substream 0, time
    var echo: [UInt8] = []
    for frame in 0..<5 {
        echo += rtp(peer: 2, payloadType: 96, sequence: UInt16(7 + frame), timestamp: UInt32(3000 * frame), ssrcIndex: 0,
                    layer: nil, keyframe: frame == 0, midZero: true)
    }
    echo += [2 << 3 | 3, 0] + be16(8) + [2] + [2 << 3 | 4, 0] + [5, 250]
    let garbage: [UInt8] = [0] + be16(12) + Array("not a packet".utf8) + [6] + be16(4) + [0, 1, 0, 0x21] + be32(0x0A000001) + be16(9)
    return [("media", media), ("echo", echo), ("garbage", garbage)]
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
