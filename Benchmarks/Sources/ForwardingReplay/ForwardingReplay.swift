import DTLS
import Glibc
import ICE
import Logging
import RTP
@_spi(ManualDrive) import SFUMedia
import SFUBase
import Synchronization
import WebRTCPeer

/// A fixed, deterministic forwarding workload for benchmarks and `valgrind --tool=callgrind`
/// (issue 4): one publisher's SRTP (AES-GCM) video packets go through the real receive path
/// (demux, SRTP unprotect, publisher bookkeeping, router) to `subscribers` subscriber
/// transports, each rewriting, protecting and queueing its copy, and out through `sendmmsg`
/// (with UDP GSO where it applies) to loopback sink sockets.
///
/// Everything runs on the calling thread: the engine's workers are not started but driven
/// step by step (`MediaEngine` manual drive); with `crossWorker` the publisher sits on worker 0
/// and the subscribers on worker 1, and the replay drives both sides of the slab/ring hand-off.
/// Every peer is a real client (`WebRTCPeer.ClientPeer`): ICE and DTLS-SRTP run for real over
/// the loopback sinks before the measured part starts. Not thread-safe; one replay per thread.
public final class ForwardingReplay {
    public let subscriberCount: Int
    public let packetSize: Int
    /// Packets fed per receive batch (the loop's recvmmsg batch size).
    public let batch: Int
    /// Transport-wide congestion control negotiated with everyone (see `init`).
    public let transportWideCC: Bool
    private let engine: MediaEngine
    private let publisher: Peer
    private let publisherWorker: Int
    private let subscriberWorker: Int
    private let sinks: [LoopbackUDPSocket]
    private let receiveBuffers: UnsafeMutableRawBufferPointer
    private var builder: RTPPacketBuilder
    private var now: MonotonicInstant

    public enum ReplayError: Error { case setup(String) }
    /// Room for one received datagram (the worker's receive buffers are as large).
    static let bufferSize = 2048

    /// A client peer on its own loopback socket.
    struct Peer {
        let client: ClientPeer
        let socket: LoopbackUDPSocket
        let worker: Int
    }

    /// - Parameters:
    ///   - subscribers: subscriber transports fed by the publisher's video m-line.
    ///   - packetSize: RTP packet size before SRTP (header + payload).
    ///   - crossWorker: subscribers on another worker than the publisher.
    ///   - batch: packets per receive batch (one flush and, cross-worker, one ring drain per batch).
    ///   - transportWideCC: the transport-wide sequence extension negotiated with everyone, as with
    ///     Chromium: the publisher's packets carry its numbers (fed to our feedback), every
    ///     forwarded packet is renumbered for its subscriber and recorded for its estimator.
    public init(subscribers: Int, packetSize: Int = 1200, crossWorker: Bool = false, batch: Int = 8,
                udpGSO: Bool = true, transportWideCC: Bool = false) throws {
        subscriberCount = subscribers
        self.packetSize = packetSize
        self.batch = batch
        var logger = Logger(label: "forward-replay")
        logger.logLevel = .critical
        let engine = try MediaEngine(
            configuration: MediaConfiguration(
                iceAddresses: ["127.0.0.1"], lowPort: 0, highPort: 0, workerCount: crossWorker ? 2 : 1,
                socketReceiveBuffer: 1 << 20, socketSendBuffer: 4 << 20, consentTimeout: 3600, udpGSO: udpGSO,
                slowLinkThreshold: 0),
            logger: logger)
        let publisherWorker = 0
        let subscriberWorker = crossWorker ? 1 : 0
        var now = MonotonicInstant.now()

        let videoSSRC: UInt32 = 0xB000_0001
        var extensions = [StreamExtension(id: 9, uri: RTPExtensionURI.mid)]
        if transportWideCC { extensions.append(StreamExtension(id: 3, uri: RTPExtensionURI.transportCC)) }
        self.transportWideCC = transportWideCC
        let peerCertificate = try DTLSCertificate.generateSelfSigned(commonName: "forward-replay-peer")
        var peers: [Peer] = []
        // Server transports that reached DTLS-SRTP (their events arrive on this thread).
        let serversConnected = Atomic<Int>(0)
        var allocations: [TransportAllocation] = []
        func connect(worker: Int, streams: [StreamSetup]) throws {
            let allocation = engine.allocateTransport(onWorker: worker)
            let credentials = ICECredentials.random()
            let socket = try LoopbackUDPSocket.bind(address: "127.0.0.1")
            let client = try ClientPeer(
                configuration: ClientPeerConfiguration(
                    localCredentials: credentials, remoteCredentials: allocation.localCredentials,
                    remoteFingerprint: allocation.fingerprint, dtlsRole: .server, certificate: peerCertificate,
                    tiebreaker: UInt64(peers.count + 1)),
                now: now)
            engine.startTransport(
                allocation,
                setup: TransportSetup(
                    remoteCredentials: credentials, remoteFingerprint: peerCertificate.fingerprint, dtlsRole: .client,
                    streams: streams, midExtensionID: 9),
                events: { event in if case .connected = event { serversConnected.add(1, ordering: .relaxed) } })
            peers.append(Peer(client: client, socket: socket, worker: worker))
            allocations.append(allocation)
        }
        try connect(worker: publisherWorker, streams: [
            StreamSetup(mid: "v", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [videoSSRC],
                        localSSRC: 1, receives: true, sends: false, extensions: extensions, codecName: "vp8")
        ])
        for index in 0..<subscribers {
            try connect(worker: subscriberWorker, streams: [
                StreamSetup(mid: "1", kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [],
                            localSSRC: 0x5B00_0000 + UInt32(index), receives: false, sends: true,
                            extensions: extensions, codecName: "vp8")
            ])
        }
        try Self.handshake(peers, engine: engine, now: &now) { serversConnected.load(ordering: .relaxed) }
        for allocation in allocations.dropFirst() {
            engine.bindSubscriber(
                allocation, bindings: [SubscriberBinding(mid: "1", source: SourceKey(publisher: allocations[0].id, mid: "v"))])
        }
        // Cross-worker bindings are a command exchange: subscribe, then attach.
        for _ in 0..<3 { engine.runCommands(now: now) }
        self.engine = engine
        self.now = now
        self.publisherWorker = publisherWorker
        self.subscriberWorker = subscriberWorker
        publisher = peers[0]
        sinks = peers.map(\.socket)
        receiveBuffers = .allocate(byteCount: Self.bufferSize * batch, alignment: 16)

        // VP8, S=1 with a keyframe first so every subscriber starts at once.
        var payload = [UInt8](repeating: 0xA5, count: max(16, packetSize - 12 - 8))
        payload[0] = 0x10
        payload[1] = 0x00
        builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 1, timestamp: 90_000, ssrc: videoSSRC, payload: payload)
        builder.extensions = [(id: 9, value: Array("v".utf8))]
        if transportWideCC { builder.extensions.append((id: 3, value: [0, 0])) }
        drainSinks()
        feed(packets: 1)
        builder.payload[1] = 0x01  // delta frames from now on
    }

    /// Runs ICE and DTLS-SRTP between every client and its server transport over the loopback
    /// sockets, on a clock that moves 5 ms per round.
    private static func handshake(
        _ peers: [Peer], engine: MediaEngine, now: inout MonotonicInstant, serversConnected: () -> Int
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        defer { buffer.deallocate() }
        for _ in 0..<2_000 {
            engine.runCommands(now: now)
            for peer in peers {
                if let due = peer.client.nextTimeout(), due <= now { peer.client.handleTimeout(now: now) }
                var sent = false
                while let datagram = peer.client.pollTransmit() {
                    datagram.withUnsafeBytes { buffer.copyMemory(from: $0) }
                    engine.receive(buffer, length: datagram.count, from: peer.socket.localAddress, worker: peer.worker, now: now)
                    sent = true
                }
                if sent { engine.finishReceiveBatch(worker: peer.worker, now: now) }
                while true {
                    let length = recv(peer.socket.descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
                    guard length > 0 else { break }
                    peer.client.handleDatagram(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), now: now)
                }
            }
            if peers.allSatisfy(\.client.isConnected) && serversConnected() == peers.count { return }
            now = now.adding(milliseconds: 5)
        }
        throw ReplayError.setup("\(peers.filter { !$0.client.isConnected }.count) peers did not connect")
    }

    deinit {
        for sink in sinks { sink.close() }
        engine.shutdown()
        receiveBuffers.deallocate()
    }

    /// Feeds `packets` publisher packets (in receive batches of `batch`) through the forwarding
    /// path; each reaches every subscriber. Allocation-free after the first packets.
    public func feed(packets: Int) {
        var remaining = packets
        let source = publisher.socket.localAddress
        while remaining > 0 {
            now = now.adding(milliseconds: 1)
            for position in 0..<min(batch, remaining) {
                let buffer = UnsafeMutableRawBufferPointer(
                    rebasing: receiveBuffers[(position * Self.bufferSize)..<((position + 1) * Self.bufferSize)])
                builder.sequenceNumber &+= 1
                if builder.sequenceNumber % 4 == 0 { builder.timestamp &+= 3000 }
                if transportWideCC {
                    let number = builder.sequenceNumber
                    builder.extensions[1].value[0] = UInt8(truncatingIfNeeded: number >> 8)
                    builder.extensions[1].value[1] = UInt8(truncatingIfNeeded: number)
                }
                guard let length = try? builder.write(into: buffer),
                    let protected = publisher.client.protectRTP(buffer, length: length)
                else { return }
                engine.receive(buffer, length: protected, from: source, worker: publisherWorker, now: now)
                remaining -= 1
            }
            engine.finishReceiveBatch(worker: publisherWorker, now: now)
            if subscriberWorker != publisherWorker {
                engine.deliverHandedOver(worker: subscriberWorker, now: now)
            }
        }
    }

    /// Datagrams the workers handed to the kernel so far.
    public var datagramsSent: Int { engine.datagramsSent }

    /// Drains the sink sockets (keeps their buffers from filling in long runs).
    public func drainSinks() {
        var scratch = [UInt8](repeating: 0, count: 2048)
        for sink in sinks {
            while scratch.withUnsafeMutableBytes({ recv(sink.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        }
    }
}
