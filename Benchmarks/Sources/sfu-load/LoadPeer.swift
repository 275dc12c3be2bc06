import ICE
import RTP
import WebRTCPeer

/// One harness peer: its socket, its `ClientPeer`, and either the media it publishes or the
/// statistics of what it receives. Owned by one `MediaLoop` thread once added to it.
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

    // Publisher side.
    var audio: SyntheticAudio?
    var video: SyntheticVP8?
    var audioExtensions: [(id: UInt8, value: [UInt8])] = []
    var videoExtensions: [(id: UInt8, value: [UInt8])] = []
    var absSendTimeID: UInt8?
    private var nextAudio = MonotonicInstant(nanoseconds: 0)
    private var nextVideo = MonotonicInstant(nanoseconds: 0)
    /// A subscriber sends an RTCP receiver report about once a second, as browsers do for what
    /// they receive (RFC 3550 §6.2), so the server sees the upstream traffic of a real subscriber.
    private var nextReport = MonotonicInstant(nanoseconds: 0)
    private let reporterSSRC = UInt32.random(in: 1...UInt32.max)
    private(set) var keyframeRequests = 0

    // Subscriber side.
    var clockRates: [UInt8: UInt32] = [:]
    private(set) var streams: [UInt32: ReceivedStream] = [:]
    private(set) var received = 0
    /// Packets sent, and stamped packets received, whose send time lies in the window.
    private(set) var windowSent = 0
    private(set) var windowReceived = 0
    private(set) var unstamped = 0
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

    /// One turn of the media thread: datagrams in, timers, media out, events.
    func service(now: MonotonicInstant, buffer: UnsafeMutableRawBufferPointer, window: MeasurementWindow,
                 latency: inout LatencyHistogram) {
        var budget = 512
        while budget > 0, let (length, source) = socket.receive(into: buffer) {
            budget -= 1
            let datagram = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            datagramsReceived += 1
            if answerCheck(datagram, from: source) { continue }
            peer.handleDatagram(datagram, now: now)
        }
        if let due = peer.nextTimeout(), due <= now { peer.handleTimeout(now: now) }
        if role == .publisher, connected {
            let before = peer.statistics.rtpSent
            sendMedia(now: now)
            if window.contains(now.nanoseconds) { windowSent += peer.statistics.rtpSent - before }
        }
        if role == .subscriber, connected, nextReport <= now {
            nextReport = now.adding(milliseconds: 1000)
            _ = peer.sendReceiverReport(ssrc: reporterSSRC)
        }
        while let datagram = peer.pollTransmit() { socket.send(datagram, to: remote) }
        while let event = peer.pollEvent() {
            switch event {
            case .iceConnected: break
            case .connected:
                connected = true
                nextAudio = now
                nextVideo = now
            case .failed(let reason): failure = reason
            case .rtp(let packet): receive(packet, window: window, latency: &latency)
            case .rtcp(let messages):
                for message in messages {
                    switch message {
                    case .pictureLossIndication, .fullIntraRequest:
                        keyframeRequests += 1
                        video?.keyframeRequested = true
                    default: break
                    }
                }
            }
        }
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
        if role == .publisher, connected {
            if audio != nil { due = min(due ?? nextAudio, nextAudio) }
            if video != nil { due = min(due ?? nextVideo, nextVideo) }
        }
        if role == .subscriber, connected { due = min(due ?? nextReport, nextReport) }
        return due
    }

    private func sendMedia(now: MonotonicInstant) {
        // Paced like a browser's capturer; after a stall, skip ahead instead of bursting.
        if var audio, nextAudio <= now {
            var extensions = audioExtensions
            if let absSendTimeID { extensions.append((absSendTimeID, SendTimeStamp.absSendTime(now.nanoseconds))) }
            peer.sendRTP(audio.next(now: now, extensions: extensions))
            self.audio = audio
            nextAudio = nextAudio.adding(nanoseconds: SyntheticAudio.intervalNanoseconds)
            if nextAudio < now { nextAudio = now.adding(nanoseconds: SyntheticAudio.intervalNanoseconds) }
        }
        if var video, nextVideo <= now {
            var extensions = videoExtensions
            if let absSendTimeID { extensions.append((absSendTimeID, SendTimeStamp.absSendTime(now.nanoseconds))) }
            for packet in video.nextFrame(now: now, extensions: extensions) { peer.sendRTP(packet) }
            nextVideo = nextVideo.adding(nanoseconds: video.intervalNanoseconds)
            if nextVideo < now { nextVideo = now.adding(nanoseconds: video.intervalNanoseconds) }
            self.video = video
        }
    }

    var keyframesSent: Int { video?.keyframesSent ?? 0 }

    private func receive(_ packet: ReceivedRTPPacket, window: MeasurementWindow, latency: inout LatencyHistogram) {
        received += 1
        let arrival = packet.receivedAt.nanoseconds
        streams[packet.ssrc, default: ReceivedStream(clockRate: clockRates[packet.payloadType] ?? 90_000)].record(
            sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, arrivalNanoseconds: arrival,
            measureJitter: window.contains(arrival))
        // A packet belongs to the window by its send time, so packets in flight at either
        // edge are neither lost nor counted twice.
        if let sent = SendTimeStamp.read(packet.payload) {
            guard window.contains(sent) else { return }
            windowReceived += 1
            latency.record(microseconds: arrival >= sent ? Int((arrival - sent) / 1000) : 0)
        } else if window.contains(arrival) {
            unstamped += 1
        }
    }

    func close() {
        peer.close()
        while let datagram = peer.pollTransmit() { socket.send(datagram, to: remote) }
        socket.close()
    }
}
