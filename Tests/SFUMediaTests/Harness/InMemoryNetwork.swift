import DTLS
import ICE
import Logging
import RTP
import SFUBase
import TestSupport
import WebRTCPeer

@testable import MediaCore
@_spi(ManualDrive) @testable import SFUMedia

/// The in-memory network harness (after str0m's `tests/common.rs`): the server's real media
/// plane (`MediaEngine(inMemory:)`: workers, transports, rings, commands) and client peers
/// (`ClientPeer`, sans-IO) joined by virtual links, all on one virtual clock. Nothing touches a
/// socket or a thread, and nothing reads the real clock: `run(for:)` jumps from one due event
/// to the next (a datagram's arrival, a peer's timer, a media source's next frame, the
/// workers' 5 ms turn). The same seed gives the same packet trace.
///
/// Single-threaded: everything runs on the caller's thread inside `run(for:)`.
final class InMemoryNetwork: @unchecked Sendable {
    /// One datagram on the wire, for traces and assertions.
    struct TraceEntry: Equatable {
        var sentAt: UInt64
        var from: TransportAddress
        var to: TransportAddress
        /// SRTP/SRTCP datagrams only: a handshake's size varies from run to run (ECDSA
        /// signatures, random credentials), which is why links pass STUN and DTLS untouched.
        var mediaSize: Int?
        /// Nil when the link lost it.
        var arrivesAt: UInt64?
    }

    private struct Delivery {
        var time: UInt64
        var order: Int
        var from: TransportAddress
        var to: TransportAddress
        var bytes: [UInt8]
    }

    private struct Repeating {
        var next: UInt64
        var interval: UInt64
        var action: (InMemoryNetwork) -> Void
    }

    static let serverAddress = "10.0.0.1"
    static let serverPort: UInt16 = 20000

    private(set) var now: MonotonicInstant
    private(set) var engine: MediaEngine!
    private(set) var peers: [HarnessPeer] = []
    private(set) var trace: [TraceEntry] = []
    private var random: SplitMix64
    private var pending: [Delivery] = []
    private var deliveryOrder = 0
    private var repeating: [Repeating] = []
    private var nextWorkerTurn: UInt64
    /// Links by (from, to); missing ones are `defaultConditions` links.
    private var links: [LinkKey: VirtualLink] = [:]
    let defaultConditions: LinkConditions
    static let workerTurnNanoseconds: UInt64 = 5_000_000

    private struct LinkKey: Hashable {
        var from: TransportAddress
        var to: TransportAddress
    }

    init(seed: UInt64, workers: Int = 2, placement: RoomPlacement = .spread,
         defaultConditions: LinkConditions = LinkConditions(),
         slowLinkThreshold: Int = MediaConfiguration().slowLinkThreshold) throws {
        random = SplitMix64(state: seed)
        now = MonotonicInstant(nanoseconds: 1_000_000_000_000)
        nextWorkerTurn = now.nanoseconds
        self.defaultConditions = defaultConditions
        var logger = Logger(label: "harness")
        logger.logLevel = .error
        let configuration = MediaConfiguration(
            iceAddresses: [Self.serverAddress], lowPort: Self.serverPort, highPort: Self.serverPort + 100,
            workerCount: workers, consentTimeout: 30, roomPlacement: placement, slowLinkThreshold: slowLinkThreshold)
        let sink = SendSink()
        engine = try MediaEngine(
            inMemory: configuration, certificate: EngineTest.serverCertificate, logger: logger
        ) { from, to, bytes in sink.network?.transmit(Array(bytes), from: from, to: to) }
        sink.network = self
    }

    /// Breaks the engine → network reference cycle through the send closure.
    private final class SendSink: @unchecked Sendable {
        weak var network: InMemoryNetwork?
    }

    // MARK: Topology

    /// Conditions of the link from `from` to `to` (e.g. the server's downlink to one peer).
    func setConditions(_ conditions: LinkConditions, from: TransportAddress, to: TransportAddress) {
        var link = links[LinkKey(from: from, to: to)] ?? VirtualLink(defaultConditions)
        link.conditions = conditions
        links[LinkKey(from: from, to: to)] = link
    }

    /// Sets the conditions of the link from the server to `peer` (its downlink).
    func setDownlink(_ conditions: LinkConditions, to peer: HarnessPeer) {
        setConditions(conditions, from: peer.serverAddress, to: peer.address)
    }

    func setUplink(_ conditions: LinkConditions, from peer: HarnessPeer) {
        setConditions(conditions, from: peer.address, to: peer.serverAddress)
    }

    func link(from: TransportAddress, to: TransportAddress) -> VirtualLink? { links[LinkKey(from: from, to: to)] }

    /// A server transport in `room` with `streams`, and a client peer connected to it from its
    /// own address (10.0.1.N). The server is the DTLS client, as it is for browsers' offers.
    @discardableResult
    func addPeer(room: RoomKey, streams: [StreamSetup], settings: PublisherSettings = PublisherSettings(),
                 midExtensionID: UInt8? = nil, answerNACKs: Bool = false) throws -> HarnessPeer {
        let allocation = engine.allocateTransport(room: room)
        let index = peers.count + 1
        guard let address = TransportAddress("10.0.1.\(index)", port: 40000),
            let candidate = allocation.candidates.first,
            let server = TransportAddress(candidate.address, port: candidate.port)
        else { throw EngineTestError.noCandidate }
        let credentials = ICECredentials.random()
        let configuration = ClientPeerConfiguration(
            localCredentials: credentials, remoteCredentials: allocation.localCredentials,
            remoteFingerprint: allocation.fingerprint, dtlsRole: .server, certificate: EngineTest.peerCertificate,
            tiebreaker: UInt64(index), answerNACKs: answerNACKs)
        let setup = TransportSetup(
            remoteCredentials: credentials, remoteFingerprint: EngineTest.peerCertificate.fingerprint,
            dtlsRole: .client, streams: streams, midExtensionID: midExtensionID, settings: settings)
        let events = TransportEventLog()
        engine.startTransport(allocation, setup: setup) { events.append($0) }
        let peer = HarnessPeer(
            address: address, serverAddress: server, allocation: allocation, serverEvents: events,
            peer: try ClientPeer(configuration: configuration, now: now))
        peers.append(peer)
        return peer
    }

    /// Calls `action` every `milliseconds` of virtual time from now on (a media source).
    func every(milliseconds: UInt64, _ action: @escaping (InMemoryNetwork) -> Void) {
        repeating.append(Repeating(next: now.nanoseconds, interval: milliseconds * 1_000_000, action: action))
    }

    func stopRepeating() { repeating.removeAll() }

    // MARK: Running

    /// Runs the network for `milliseconds` of virtual time.
    func run(milliseconds: UInt64) {
        let end = now.nanoseconds + milliseconds * 1_000_000
        while true {
            var next = min(end, nextWorkerTurn)
            if let delivery = pending.first { next = min(next, delivery.time) }
            for peer in peers { if let due = peer.peer.nextTimeout() { next = min(next, max(due.nanoseconds, now.nanoseconds)) } }
            for source in repeating { next = min(next, source.next) }
            now = MonotonicInstant(nanoseconds: max(next, now.nanoseconds))
            step()
            if now.nanoseconds >= end { break }
        }
    }

    /// Runs until `condition` holds or `milliseconds` pass; returns whether it held.
    @discardableResult
    func run(atMost milliseconds: UInt64, until condition: () -> Bool) -> Bool {
        let end = now.nanoseconds + milliseconds * 1_000_000
        while !condition() {
            if now.nanoseconds >= end { return false }
            run(milliseconds: 5)
        }
        return true
    }

    /// Everything due at `now`, in a fixed order: arrivals, peer timers, media sources, the
    /// workers' turn, then what the peers queued goes on the wire.
    private func step() {
        while let first = pending.first, first.time <= now.nanoseconds {
            pending.removeFirst()
            if let peer = peers.first(where: { $0.address == first.to }) {
                first.bytes.withUnsafeBytes { peer.peer.handleDatagram($0, now: now) }
                peer.collectEvents()
            } else {
                engine.receive(first.bytes, from: first.from, to: first.to, now: now)
            }
        }
        for peer in peers {
            if let due = peer.peer.nextTimeout(), due <= now {
                peer.peer.handleTimeout(now: now)
                peer.collectEvents()
            }
        }
        for index in repeating.indices where repeating[index].next <= now.nanoseconds {
            repeating[index].next += repeating[index].interval
            repeating[index].action(self)
        }
        if nextWorkerTurn <= now.nanoseconds {
            nextWorkerTurn = now.nanoseconds + Self.workerTurnNanoseconds
        }
        engine.driveWorkers(now: now)
        flushPeers()
    }

    /// Puts every datagram the peers queued on their uplinks.
    func flushPeers() {
        for peer in peers {
            while let datagram = peer.peer.pollTransmit() {
                transmit(datagram, from: peer.address, to: peer.serverAddress)
            }
        }
    }

    /// Puts one datagram on the link from `from` to `to`.
    func transmit(_ bytes: [UInt8], from: TransportAddress, to: TransportAddress) {
        let key = LinkKey(from: from, to: to)
        var link = links[key] ?? VirtualLink(defaultConditions)
        let kind = bytes.withUnsafeBytes { DatagramKind.classify($0) }
        let isMedia = kind == .rtp || kind == .rtcp
        let arrival = link.arrival(size: bytes.count, isMedia: isMedia, now: now.nanoseconds, random: &random)
        links[key] = link
        trace.append(
            TraceEntry(sentAt: now.nanoseconds, from: from, to: to, mediaSize: isMedia ? bytes.count : nil, arrivesAt: arrival))
        guard let arrival else { return }
        deliveryOrder += 1
        let delivery = Delivery(time: arrival, order: deliveryOrder, from: from, to: to, bytes: bytes)
        // Keep `pending` sorted by (time, order): same-time datagrams keep their sending order.
        var position = pending.endIndex
        while position > pending.startIndex, pending[position - 1].time > arrival { position -= 1 }
        pending.insert(delivery, at: position)
    }

    /// Runs until every peer and its server transport are connected.
    func connectAll(timeoutMilliseconds: UInt64 = 5_000) -> Bool {
        run(atMost: timeoutMilliseconds) { peers.allSatisfy { $0.connected && $0.serverEvents.connected } }
    }

    /// The virtual time in milliseconds since the network started.
    var elapsedMilliseconds: UInt64 { (now.nanoseconds - 1_000_000_000_000) / 1_000_000 }
}

/// A client peer of the in-memory network and what it has seen.
final class HarnessPeer: @unchecked Sendable {
    let address: TransportAddress
    let serverAddress: TransportAddress
    let allocation: TransportAllocation
    let serverEvents: TransportEventLog
    let peer: ClientPeer
    private(set) var connected = false
    private(set) var failure: String?
    private(set) var received: [ReceivedRTPPacket] = []
    private(set) var rtcp: [RTCPMessage] = []

    init(address: TransportAddress, serverAddress: TransportAddress, allocation: TransportAllocation,
         serverEvents: TransportEventLog, peer: ClientPeer) {
        self.address = address
        self.serverAddress = serverAddress
        self.allocation = allocation
        self.serverEvents = serverEvents
        self.peer = peer
    }

    func collectEvents() {
        while let event = peer.pollEvent() {
            switch event {
            case .connected: connected = true
            case .rtp(let packet): received.append(packet)
            case .rtcp(let messages): rtcp.append(contentsOf: messages)
            case .failed(let reason): failure = reason
            case .iceConnected: break
            }
        }
    }

    func received(ssrc: UInt32) -> [ReceivedRTPPacket] { received.filter { $0.ssrc == ssrc } }

    func pictureLossIndications(mediaSSRC: UInt32) -> Int { rtcp.pictureLossIndications(mediaSSRC: mediaSSRC) }
    func nackedSequenceNumbers(mediaSSRC: UInt32) -> Set<UInt16> { rtcp.nackedSequenceNumbers(mediaSSRC: mediaSSRC) }
}
