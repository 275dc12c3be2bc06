import DTLS
import Foundation
import ICE
import Logging
import RTP
import Synchronization
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// Shared plumbing of the engine integration tests: a two-worker MediaEngine on loopback,
/// client peers connected to its transports, and synthetic media.
enum EngineTest {
    /// The server's certificate in the in-memory harness (made once: generating one per test
    /// would dominate the suite's time).
    static let serverCertificate: DTLSCertificate = {
        do { return try DTLSCertificate.generateSelfSigned(commonName: "harness-server") } catch {
            fatalError("cannot create the test certificate: \(error)")
        }
    }()

    static let peerCertificate: DTLSCertificate = {
        do { return try DTLSCertificate.generateSelfSigned(commonName: "client-peer") } catch {
            fatalError("cannot create the test certificate: \(error)")
        }
    }()

    static func makeEngine(consentTimeout: Double = 30) throws -> MediaEngine {
        var logger = Logger(label: "engine-test")
        logger.logLevel = .error
        let engine = try MediaEngine(
            configuration: MediaConfiguration(
                iceAddresses: ["127.0.0.1"], lowPort: 0, workerCount: 2, consentTimeout: consentTimeout),
            logger: logger)
        engine.start()
        return engine
    }

    static let midURI = "urn:ietf:params:rtp-hdrext:sdes:mid"
    static let audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

    /// Polls `condition` every few milliseconds for at most `timeout` seconds.
    @discardableResult
    /// (Async so that waiting never blocks a cooperative thread other suites need.)
    static func eventually(timeout: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return true
    }

    static func settle(_ seconds: Double = 0.15) async { try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
}

/// Thread-safe list of the events one server transport emitted.
final class TransportEventLog: Sendable {
    private let events = Mutex<[TransportEvent]>([])
    func append(_ event: TransportEvent) { events.withLock { $0.append(event) } }
    var all: [TransportEvent] { events.withLock { $0 } }
    var connected: Bool { all.contains(.connected) }
    var failed: Bool { all.contains { if case .failed = $0 { return true } else { return false } } }
}

/// One server transport and the client peer connected to it.
final class ConnectedPeer: Sendable {
    let allocation: TransportAllocation
    let driver: ClientPeerDriver
    let events: TransportEventLog
    let setup: TransportSetup

    /// Allocates (in `room`, when given), starts the server transport with `streams` and
    /// connects a client peer. `serverRole` is the server's DTLS role. With `echo`, the
    /// transport consumes its own producers (the EchoTest).
    init(engine: MediaEngine, room: RoomKey? = nil, streams: [StreamSetup], settings: PublisherSettings = PublisherSettings(),
         echo: Bool = false,
         midExtensionID: UInt8? = nil, serverRole: DTLSRole = .client, answerNACKs: Bool = false,
         consentIntervalMilliseconds: UInt64 = 2_000, startPeer: Bool = true,
         expectedPeerFingerprint: DTLSFingerprint? = nil) throws {
        allocation = room.map { engine.allocateTransport(room: $0) } ?? engine.allocateTransport()
        let peerCredentials = ICECredentials.random()
        let configuration = ClientPeerConfiguration(
            localCredentials: peerCredentials, remoteCredentials: allocation.localCredentials,
            remoteFingerprint: allocation.fingerprint, dtlsRole: serverRole == .client ? .server : .client,
            certificate: EngineTest.peerCertificate, consentIntervalMilliseconds: consentIntervalMilliseconds,
            answerNACKs: answerNACKs)
        setup = TransportSetup(
            remoteCredentials: peerCredentials,
            remoteFingerprint: expectedPeerFingerprint ?? EngineTest.peerCertificate.fingerprint,
            dtlsRole: serverRole, streams: streams, midExtensionID: midExtensionID, settings: settings)
        let events = TransportEventLog()
        self.events = events
        engine.startTransport(allocation, setup: setup) { events.append($0) }
        if echo { engine.bindSubscriber(allocation, bindings: SubscriberBinding.echo(of: allocation, setup: setup)) }
        guard let candidate = allocation.candidates.first,
            let remote = TransportAddress(candidate.address, port: candidate.port)
        else { throw EngineTestError.noCandidate }
        driver = try ClientPeerDriver(configuration: configuration, remote: remote)
        if startPeer { driver.start() }
    }

    /// Waits until both ends report DTLS-SRTP up.
    func waitConnected() async -> Bool {
        guard await driver.wait(timeout: 10, until: { $0.connected }) else { return false }
        return await EngineTest.eventually(timeout: 10) { events.connected }
    }

    var received: [ReceivedRTPPacket] { driver.snapshot.rtp }
    func received(ssrc: UInt32) -> [ReceivedRTPPacket] { driver.snapshot.rtp.filter { $0.ssrc == ssrc } }
}

enum EngineTestError: Error { case noCandidate }

/// Synthetic media for one SSRC: audio frames every 20 ms of clock, VP8-like video frames
/// (one packet per frame) whose descriptor marks keyframes as RFC 7741 does.
struct SyntheticStream {
    let ssrc: UInt32
    let payloadType: UInt8
    let isVideo: Bool
    var sequenceNumber: UInt16
    var timestamp: UInt32
    var extensions: [(id: UInt8, value: [UInt8])] = []

    init(ssrc: UInt32, payloadType: UInt8, isVideo: Bool, firstSequenceNumber: UInt16 = 1000,
         firstTimestamp: UInt32 = 50_000) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.isVideo = isVideo
        self.sequenceNumber = firstSequenceNumber
        self.timestamp = firstTimestamp
    }

    var timestampStep: UInt32 { isVideo ? 3000 : 960 }

    /// The next packet; `keyframe` only matters for video. The payload ends with the SSRC and
    /// sequence number so that a forwarded copy can be matched to its original.
    mutating func next(keyframe: Bool = false) -> RTPPacketBuilder {
        var payload: [UInt8]
        if isVideo {
            // VP8 descriptor: S=1, PID=0; then the payload header whose P bit is 0 for a keyframe.
            payload = [0x10, keyframe ? 0x00 : 0x01, 0x9D, 0x01, 0x2A]
        } else {
            payload = [0xFC, 0xFF, 0xFE]
        }
        payload += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
        payload += withUnsafeBytes(of: sequenceNumber.bigEndian, Array.init)
        var builder = RTPPacketBuilder(
            payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc, marker: isVideo,
            payload: payload)
        builder.extensions = extensions
        sequenceNumber &+= 1
        timestamp &+= timestampStep
        return builder
    }

    static func isKeyframe(_ payload: [UInt8]) -> Bool { payload.count > 1 && payload[0] & 0x10 != 0 && payload[1] & 0x01 == 0 }
}

extension Array where Element == ReceivedRTPPacket {
    /// True when every sequence number is its predecessor plus one.
    var hasContinuousSequenceNumbers: Bool {
        zip(self, dropFirst()).allSatisfy { $1.sequenceNumber == $0.sequenceNumber &+ 1 }
    }
}

extension Array where Element == RTCPMessage {
    /// PLIs about the peer's SSRC `mediaSSRC` among these messages.
    func pictureLossIndications(mediaSSRC: UInt32) -> Int {
        filter { if case .pictureLossIndication(let pli) = $0 { pli.mediaSSRC == mediaSSRC } else { false } }.count
    }

    /// Every sequence number NACKed for `mediaSSRC` among these messages.
    func nackedSequenceNumbers(mediaSSRC: UInt32) -> Set<UInt16> {
        var lost = Set<UInt16>()
        for case .genericNACK(let nack) in self where nack.mediaSSRC == mediaSSRC { lost.formUnion(nack.lostSequenceNumbers) }
        return lost
    }
}

extension ClientPeerDriver.Record {
    func pictureLossIndications(mediaSSRC: UInt32) -> Int { rtcp.pictureLossIndications(mediaSSRC: mediaSSRC) }
    func nackedSequenceNumbers(mediaSSRC: UInt32) -> Set<UInt16> { rtcp.nackedSequenceNumbers(mediaSSRC: mediaSSRC) }
}

/// A publisher peer that streams audio and video every `interval` on its own thread and answers
/// PLIs with a keyframe (like an encoder). Video starts with delta frames.
final class PublisherSimulator: @unchecked Sendable {
    let peer: ConnectedPeer
    private let lock = NSLock()
    private var audio: SyntheticStream
    private var video: SyntheticStream
    private var payloads: [UInt32: [UInt16: [UInt8]]] = [:]
    private var keyframesSent = 0
    private let audioLevel: UInt8 = 127
    private var running = false
    private var thread: Thread?
    private let exited = DispatchSemaphore(value: 0)
    let interval: Double

    init(peer: ConnectedPeer, audio: SyntheticStream, video: SyntheticStream, interval: Double = 0.01) {
        self.peer = peer
        self.audio = audio
        self.video = video
        self.interval = interval
        audioSSRC = audio.ssrc
        videoSSRC = video.ssrc
    }

    // Copies: `audio`/`video` are mutated under the lock by the sending thread.
    let audioSSRC: UInt32
    let videoSSRC: UInt32


    func payload(ssrc: UInt32, sequenceNumber: UInt16) -> [UInt8]? {
        lock.withLock { payloads[ssrc]?[sequenceNumber] }
    }

    var keyframeCount: Int { lock.withLock { keyframesSent } }


    func start() {
        lock.withLock { running = true }
        let thread = Thread { [self] in
            var answeredPLIs = 0
            while lock.withLock({ running }) {
                let plis = peer.driver.snapshot.pictureLossIndications(mediaSSRC: videoSSRC)
                let keyframe = plis > answeredPLIs
                answeredPLIs = plis
                sendOne(keyframe: keyframe)
                Thread.sleep(forTimeInterval: interval)
            }
            exited.signal()
        }
        self.thread = thread
        thread.start()
    }

    func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        if wasRunning { exited.wait() }
    }

    private func sendOne(keyframe: Bool) {
        let (audioPacket, videoPacket) = lock.withLock { () -> (RTPPacketBuilder, RTPPacketBuilder) in
            audio.extensions = [(id: 1, value: [0x80 | audioLevel]), (id: 9, value: Array("a".utf8))]
            video.extensions = [(id: 9, value: Array("v".utf8)), (id: 3, value: [0, 0, 1])]
            let audioPacket = audio.next()
            let videoPacket = video.next(keyframe: keyframe)
            payloads[audioPacket.ssrc, default: [:]][audioPacket.sequenceNumber] = audioPacket.payload
            payloads[videoPacket.ssrc, default: [:]][videoPacket.sequenceNumber] = videoPacket.payload
            if keyframe { keyframesSent += 1 }
            return (audioPacket, videoPacket)
        }
        peer.driver.withPeer { peer in
            peer.sendRTP(audioPacket)
            peer.sendRTP(videoPacket)
        }
    }
}
