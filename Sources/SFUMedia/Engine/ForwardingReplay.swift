import DTLS
import Glibc
import ICE
import Logging
import RTP
import SFUBase

/// A fixed, deterministic forwarding workload for benchmarks and `valgrind --tool=callgrind`
/// (issue 4): one publisher's SRTP (AES-GCM) video packets go through the real receive path
/// (demux, SRTP unprotect, publisher bookkeeping, fan-out) to `subscribers` subscriber
/// transports, each rewriting, protecting and queueing its copy, and out through `sendmmsg`
/// (with UDP GSO where it applies) to loopback sink sockets.
///
/// Everything runs on the calling thread: the workers are not started; with `crossWorker`
/// the publisher sits on worker 0 and the subscribers on worker 1, and the replay drives both
/// sides of the slab/ring hand-off itself. ICE and DTLS are skipped (`assumeConnected`).
/// Not thread-safe; one replay per thread.
@_spi(Benchmarks)
public final class ForwardingReplay {
    public let subscriberCount: Int
    public let packetSize: Int
    private let workers: [MediaWorker]
    private let publisherAddress: TransportAddress
    private let sender: SRTPContext
    private let sinks: [Int32]
    private let receiveBuffers: UnsafeMutableRawBufferPointer
    private var builder: RTPPacketBuilder
    private var packetsSent = 0
    /// Packets fed per receive batch (the loop's recvmmsg batch size).
    public let batch: Int

    public enum ReplayError: Error { case setup(String) }

    /// - Parameters:
    ///   - subscribers: subscriber transports fed by the publisher's video m-line.
    ///   - packetSize: RTP packet size before SRTP (header + payload).
    ///   - crossWorker: subscribers on another worker than the publisher.
    ///   - batch: packets per receive batch (one flush and, cross-worker, one ring drain per batch).
    public init(subscribers: Int, packetSize: Int = 1200, crossWorker: Bool = false, batch: Int = 8,
                udpGSO: Bool = true) throws {
        subscriberCount = subscribers
        self.packetSize = packetSize
        self.batch = batch
        var logger = Logger(label: "forward-replay")
        logger.logLevel = .critical
        var workers: [MediaWorker] = []
        for index in 0..<(crossWorker ? 2 : 1) {
            let socket = try UDPSocket.bind(address: "127.0.0.1", port: 0, receiveBuffer: 1 << 20, sendBuffer: 4 << 20)
            workers.append(try MediaWorker(index: index, sockets: [socket], useGSO: udpGSO, logger: logger))
        }
        CrossWorkerFanOut.connect(
            workers.map(\.core.fanOut), wakeUps: workers.map(\.core.wakeUp), commandQueues: workers.map(\.commands))
        self.workers = workers

        let profile = SRTPProtectionProfile.aeadAes128Gcm
        func keys(_ seed: UInt8) -> (key: [UInt8], salt: [UInt8]) {
            ((0..<profile.masterKeyLength).map { UInt8(truncatingIfNeeded: Int(seed) &+ $0) },
             (0..<profile.masterSaltLength).map { UInt8(truncatingIfNeeded: Int(seed) &* 7 &+ $0) })
        }
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "forward-replay")
        let publisherKeys = keys(1)
        sender = try SRTPContext(profile: profile, masterKey: publisherKeys.key, masterSalt: publisherKeys.salt)
        let videoSSRC: UInt32 = 0xB000_0001
        let extensions = [StreamExtension(id: 9, uri: RTPExtensionURI.mid)]
        func transport(id: UInt64, streams: [StreamSetup], on worker: MediaWorker,
                       keys: (key: [UInt8], salt: [UInt8]), peer: TransportAddress) throws -> WebRTCTransport {
            let setup = TransportSetup(
                remoteCredentials: .random(), remoteFingerprint: certificate.fingerprint, dtlsRole: .client,
                streams: streams, midExtensionID: 9)
            let transport = try WebRTCTransport(
                id: id, localCredentials: .random(), certificate: certificate, setup: setup, consentTimeout: 3600,
                now: .now(), logger: logger, events: { _ in })
            transport.assumeConnected(
                inbound: try SRTPContext(profile: profile, masterKey: keys.key, masterSalt: keys.salt),
                outbound: try SRTPContext(profile: profile, masterKey: keys.key, masterSalt: keys.salt),
                peer: peer, socketIndex: 0)
            worker.core.install(transport)
            worker.core.route(peer, to: transport)
            return transport
        }
        guard let publisherAddress = TransportAddress("127.0.0.1", port: 9) else { throw ReplayError.setup("address") }
        self.publisherAddress = publisherAddress
        let publisher = try transport(
            id: 1,
            streams: [
                StreamSetup(mid: "v", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [videoSSRC],
                            localSSRC: 1, receives: true, sends: false, extensions: extensions, codecName: "vp8")
            ],
            on: workers[0], keys: publisherKeys, peer: publisherAddress)
        _ = publisher

        var sinks: [Int32] = []
        let subscriberWorker = workers[workers.count - 1]
        for index in 0..<subscribers {
            // One sink socket per subscriber: distinct destinations, as real peers have.
            let sink = try UDPSocket.bind(address: "127.0.0.1", port: 0, receiveBuffer: 1 << 16, sendBuffer: 1 << 16)
            sinks.append(sink.descriptor)
            let id = UInt64(100 + index)
            _ = try transport(
                id: id,
                streams: [
                    StreamSetup(mid: "1", kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [],
                                localSSRC: 0x5B00_0000 + UInt32(index), receives: false, sends: true,
                                extensions: extensions, codecName: "vp8")
                ],
                on: subscriberWorker, keys: keys(UInt8(truncatingIfNeeded: 10 + index)),
                peer: sink.localAddress)
            subscriberWorker.core.router.bindSubscriber(
                id: id,
                bindings: [(SubscriberBinding(mid: "1", source: SourceKey(publisher: 1, mid: "v")), publisherWorker: 0)],
                now: .now())
        }
        self.sinks = sinks
        // Cross-worker bindings are a command exchange: subscribe, then attach.
        for _ in 0..<3 { for worker in workers { worker.commands.drain(into: worker.core, now: .now()) } }

        // One buffer per packet of a batch: the local fan-out runs at the batch end.
        receiveBuffers = .allocate(byteCount: DatagramOutbox.bufferSize * batch, alignment: 16)
        // VP8, S=1 with a keyframe first so every subscriber starts at once.
        var payload = [UInt8](repeating: 0xA5, count: max(16, packetSize - 12 - 8))
        payload[0] = 0x10
        payload[1] = 0x00
        builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 1, timestamp: 90_000, ssrc: videoSSRC, payload: payload)
        builder.extensions = [(id: 9, value: Array("v".utf8))]
        feed(packets: 1)
        builder.payload[1] = 0x01  // delta frames from now on
    }

    deinit {
        for sink in sinks { close(sink) }
        for worker in workers {
            for socket in worker.sockets { socket.close() }
            worker.core.fanOut.disconnect()
        }
        receiveBuffers.deallocate()
    }

    /// Feeds `packets` publisher packets (in receive batches of `batch`) through the forwarding
    /// path; each reaches every subscriber. Allocation-free after the first packets.
    public func feed(packets: Int) {
        let publisherWorker = workers[0]
        var remaining = packets
        while remaining > 0 {
            let now = MonotonicInstant.now()
            for position in 0..<min(batch, remaining) {
                let buffer = UnsafeMutableRawBufferPointer(
                    rebasing: receiveBuffers[(position * DatagramOutbox.bufferSize)..<((position + 1) * DatagramOutbox.bufferSize)])
                builder.sequenceNumber &+= 1
                if builder.sequenceNumber % 4 == 0 { builder.timestamp &+= 3000 }
                guard let length = try? builder.write(into: buffer),
                    let protected = try? sender.protectRTP(buffer, length: length)
                else { return }
                publisherWorker.core.receive(buffer, length: protected, from: publisherAddress, socketIndex: 0, now: now)
                remaining -= 1
                packetsSent += 1
            }
            publisherWorker.core.finishReceiveBatch(now: now)
            publisherWorker.core.router.deliverInbound(now: now)
            publisherWorker.core.output.flushAll()
            if workers.count > 1 {
                workers[1].core.finishReceiveBatch(now: now)
                workers[1].core.router.deliverInbound(now: now)
                workers[1].core.output.flushAll()
            }
        }
    }

    /// Datagrams the workers handed to the kernel so far.
    public var datagramsSent: Int {
        workers.reduce(0) { $0 + $1.statistics.datagramsSent.load(ordering: .relaxed) }
    }

    /// Drains the sink sockets (keeps their buffers from filling in long runs).
    public func drainSinks() {
        var scratch = [UInt8](repeating: 0, count: 2048)
        for sink in sinks {
            while scratch.withUnsafeMutableBytes({ recv(sink, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        }
    }
}
