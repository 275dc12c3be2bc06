import Foundation
import Glibc
import ICE
import RTP
import SFUBase
import WebRTCPeer

/// One harness peer: its socket, its `ClientPeer`, and either the media it publishes or the
/// tallies of what it receives; sends RTCP like a browser (SR + SDES from publishers, RR +
/// SDES from subscribers, once a second) and answers PLI/FIR with a keyframe.
/// Owned by one `MediaLoop` thread once added to it.
final class LoadPeer {
    enum Role {
        case publisher
        case subscriber
    }

    let name: String
    let role: Role
    let socket: UDPSocket
    let remote: TransportAddress
    let peer: ClientPeer
    private(set) var connected = false
    private(set) var failure: String?
    /// The DTLS-SRTP protection profile negotiated (RFC 5764 §4.1.2 id).
    private(set) var srtpProfile: UInt16?
    private var nextReport = MonotonicInstant(nanoseconds: .max)
    static let reportIntervalNanoseconds: UInt64 = 1_000_000_000
    /// Our RTCP sender SSRC as a subscriber (RFC 3550 §6.4.2: a receiver still has one).
    private let receiverSSRC = UInt32.random(in: 1...UInt32.max)

    // Publisher side.
    var media: PublisherMedia?
    /// Header extensions every audio / video packet carries (mid, as negotiated).
    var audioExtensions: [(id: UInt8, value: [UInt8])] = []
    var videoExtensions: [(id: UInt8, value: [UInt8])] = []
    private(set) var keyframeRequests = 0
    private var outgoing: [RTPPacketBuilder] = []

    // Subscriber side.
    var clockRates: [UInt8: UInt32] = [:]
    var videoPayloadTypes: Set<UInt8> = []
    private(set) var tallies: [UInt32: SubscriberStreamTally] = [:]
    /// Transport-wide feedback on what the server sends us, when its offer carried the extension.
    var transportWide: TransportWideReceiver?
    private(set) var received = 0
    // Diagnostics for a peer that does not connect.
    private(set) var datagramsReceived = 0
    private(set) var checksAnswered = 0
    private(set) var checksRejected = 0
    var diagnostics: String {
        "\(name): datagrams in \(datagramsReceived), checks answered \(checksAnswered) rejected \(checksRejected), "
            + "ICE \(peer.isICEConnected ? "up" : "down"), DTLS-SRTP \(connected ? "up" : "down")"
    }

    init(name: String, role: Role, socket: UDPSocket, remote: TransportAddress, configuration: ClientPeerConfiguration) throws {
        self.name = name
        self.role = role
        self.socket = socket
        self.remote = remote
        peer = try ClientPeer(configuration: configuration, now: .now())
    }

    var sent: Int { peer.statistics.rtpSent }
    var keyframesSent: Int { media?.keyframesSent ?? 0 }

    /// 1: every received RTP packet is authenticated and decrypted; N > 1: see `handle`.
    var decryptEvery = 1

    /// One datagram from the server (the caller flushes afterwards). With `decryptEvery` > 1
    /// a subscriber reads forwarded RTP from its clear-text header (RFC 3711 §3.1: SRTP
    /// encrypts only the payload) and hands to `ClientPeer` — which authenticates, decrypts and
    /// yields the trailer — only each stream's first packets and every Nth trailer-carrying
    /// packet: continuity and delivery come from every packet, latency from the sample.
    func handle(_ datagram: UnsafeRawBufferPointer, from source: sockaddr_storage, now: MonotonicInstant,
                window: MeasurementWindow) {
        datagramsReceived += 1
        let kind = DatagramKind.classify(datagram)
        if kind == .stun, answerCheck(datagram, from: TransportAddress(storage: source)) { return }
        if kind == .rtp, connected { transportWide?.record(header: datagram, arrivalNanoseconds: now.nanoseconds) }
        if decryptEvery > 1, connected, role == .subscriber, kind == .rtp, datagram.count >= 12 {
            let header = ClearRTPHeader(datagram)
            let arrival = now.nanoseconds
            let carriesTrailer = header.marker || !videoPayloadTypes.contains(header.payloadType)
            let clockRate = clockRates[header.payloadType] ?? 90_000
            let recorded = tallies[header.ssrc, default: SubscriberStreamTally(clockRate: clockRate)].recordClear(
                header, arrivalNanoseconds: arrival, measureJitter: window.contains(arrival),
                carriesTrailer: carriesTrailer, decryptEvery: decryptEvery)
            if recorded {
                received += 1
                return
            }
        }
        peer.handleDatagram(datagram, now: now)
    }

    /// Timers, media due and RTCP due at `now`; then flush.
    func service(now: MonotonicInstant, window: MeasurementWindow, latency: inout LatencyHistogram) {
        if let due = peer.nextTimeout(), due <= now { peer.handleTimeout(now: now) }
        if connected, var media {
            media.send(now: now, window: window, into: &outgoing)
            self.media = media
            for var packet in outgoing {
                packet.extensions = packet.payloadType == ClientSDP.opusPayloadType ? audioExtensions : videoExtensions
                peer.sendRTP(packet)
            }
            outgoing.removeAll(keepingCapacity: true)
        }
        if connected, nextReport <= now {
            sendReports(now: now)
            nextReport = now.adding(nanoseconds: Self.reportIntervalNanoseconds)
        }
        if connected, let messages = transportWide?.feedback(now: now, senderSSRC: receiverSSRC, mediaSSRC: 0),
            !messages.isEmpty
        {
            peer.sendRTCP(messages)
        }
        flush(now: now, window: window, latency: &latency)
    }

    /// Sends what the peer queued and handles its events.
    func flush(now: MonotonicInstant, window: MeasurementWindow, latency: inout LatencyHistogram) {
        while let datagram = peer.pollTransmit() { socket.send(datagram, to: remote) }
        while let event = peer.pollEvent() {
            switch event {
            case .iceConnected: break
            case .connected(let profile):
                connected = true
                srtpProfile = profile
                media?.start(now: now)
                nextReport = now.adding(nanoseconds: Self.reportIntervalNanoseconds / 2)
            case .failed(let reason): failure = reason
            case .rtp(let packet): receive(packet, window: window, latency: &latency)
            case .rtcp(let messages):
                for message in messages {
                    switch message {
                    case .pictureLossIndication, .fullIntraRequest:
                        keyframeRequests += 1
                        media?.keyframeRequested = true
                    default: break
                    }
                }
            }
        }
        // Anything the events produced (none today) goes out in the same turn.
        while let datagram = peer.pollTransmit() { socket.send(datagram, to: remote) }
    }

    /// A full-ICE server (Janus/libnice) runs its own connectivity checks towards us and only
    /// selects the pair once one succeeds (RFC 8445 §7.3): answer Binding requests that carry
    /// our credentials. `ClientPeer` itself only sends checks.
    private func answerCheck(_ datagram: UnsafeRawBufferPointer, from source: TransportAddress?) -> Bool {
        guard DatagramKind.classify(datagram) == .stun, let message = try? STUNMessage(datagram),
            message.messageType.method == .binding, message.messageType.messageClass == .request
        else { return false }
        let password = peer.configuration.localCredentials.pwd
        guard message.verifyMessageIntegrity(password: password) else {
            checksRejected += 1
            return true
        }
        checksAnswered += 1
        let reply = STUNMessage.encodeBindingSuccess(
            transactionID: message.transactionID, mappedAddress: source ?? remote, password: password)
        socket.send(reply, to: source ?? remote)
        return true
    }

    /// When this peer next needs a turn without any datagram arriving.
    func nextDue() -> MonotonicInstant? {
        var due = peer.nextTimeout()
        if connected {
            due = min(due ?? nextReport, nextReport)
            if let feedback = transportWide?.nextFeedback { due = min(due ?? feedback, feedback) }
            if let mediaDue = media?.nextDue { due = min(due ?? mediaDue, mediaDue) }
        }
        return due
    }

    private func sendReports(now: MonotonicInstant) {
        switch role {
        case .publisher:
            guard let media else { return }
            let reports = media.senderReports(now: now, wallClock: Date().timeIntervalSince1970)
            guard let first = reports.first else { return }
            peer.sendRTCP(reports + [RTCPSourceDescription(ssrc: first.ssrc, cname: "sfu-load")])
        case .subscriber:
            var blocks: [RTCPReportBlock] = []
            for ssrc in tallies.keys.prefix(31) {
                if let block = tallies[ssrc]?.continuity.reportBlock(ssrc: ssrc) { blocks.append(block) }
            }
            peer.sendRTCP([
                RTCPReceiverReport(ssrc: receiverSSRC, reportBlocks: blocks),
                RTCPSourceDescription(ssrc: receiverSSRC, cname: "sfu-load"),
            ])
        }
    }

    private func receive(_ packet: ReceivedRTPPacket, window: MeasurementWindow, latency: inout LatencyHistogram) {
        received += 1
        let arrival = packet.receivedAt.nanoseconds
        // Video frames carry the trailer on their last packet (marker) only.
        let trailer =
            videoPayloadTypes.contains(packet.payloadType) && !packet.marker ? nil : MediaTrailer.read(packet.payload)
        tallies[packet.ssrc, default: SubscriberStreamTally(clockRate: clockRates[packet.payloadType] ?? 90_000)]
            .recordDecrypted(
                sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, arrivalNanoseconds: arrival,
                measureJitter: window.contains(arrival), trailer: trailer)
        // Latency counts packets by their send time, so packets in flight at either edge of
        // the window are neither lost nor counted twice.
        if let trailer, window.contains(trailer.sentNanoseconds) {
            let sent = trailer.sentNanoseconds
            latency.record(microseconds: arrival >= sent ? Int((arrival - sent) / 1000) : 0)
        }
    }

    func close() {
        peer.close()
        while let datagram = peer.pollTransmit() { socket.send(datagram, to: remote) }
        socket.close()
    }
}
