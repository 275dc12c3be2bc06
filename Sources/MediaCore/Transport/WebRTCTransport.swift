import DTLS
import ICE
import Logging
import RTP
import SFUBase

/// One PeerConnection on the server side: ICE-lite agent, DTLS-SRTP endpoint, SRTP contexts and
/// the per-m-line stream state, fed datagrams and time by its media worker.
///
/// Confined to the worker thread that owns it. Events go to `events` on that thread.
package final class WebRTCTransport {
    package let id: UInt64
    /// Its place in the worker's router (set when the router takes it).
    var handle = TransportHandle.unassigned
    private(set) var localUfrag: String
    private(set) var ice: ICELiteAgent
    private let dtls: DTLSEndpoint
    let dtlsRole: DTLSRole
    private var dtlsStarted = false
    /// The DTLS endpoint dropped its OpenSSL state (after the peer's first authenticated packet).
    private var dtlsReleased = false
    private var inbound: SRTPContext?
    private(set) var outbound: SRTPContext?
    private(set) var selectedAddress: TransportAddress?
    private(set) var selectedSocket = 0
    /// Remote addresses this transport accepted (nominated by ICE); the worker routes them here.
    private(set) var knownAddresses: [TransportAddress] = []
    /// One producer (what the peer sends us) and one consumer (what we send it) per m-line, at
    /// the m-line's index: an m-line that only receives has an idle consumer, and the other way
    /// round (EchoTest m-lines use both).
    var producers: [Producer]
    var consumers: [Consumer]
    /// Which m-line (and, for a simulcast source, which layer) an incoming SSRC feeds.
    private var streamBySSRC: [UInt32: InboundSSRC] = [:]
    private var midExtensionID: UInt8?
    /// Transport-wide sequence numbers of what the peer sends, reported back (TWCC), when the
    /// peer's offer carried the extension and we answered it (publishers).
    private var transportWideFeedback: TransportWideFeedbackGenerator?
    private var transportCCExtensionID: UInt8?
    /// Congestion control on what we send the peer (transport-wide numbering, the estimate, the
    /// allocation over the consumers).
    var bandwidth = SubscriberBandwidth()
    /// The time of what the worker is doing now (a datagram, a delivery, a tick): the send time
    /// recorded for each packet numbered transport-wide.
    var clock = MonotonicInstant(nanoseconds: 0)
    /// Knobs on what the peer sends us (REMB cap, moderation mute, `fir_freq`, talking detection).
    var settings: PublisherSettings
    private let events: @Sendable (TransportEvent) -> Void
    private(set) var connected = false
    private(set) var isFinished = false
    private var nextRembAt = MonotonicInstant(nanoseconds: 0)
    /// Janus `slowlink_threshold` for this transport's m-lines (0: off).
    let slowLinkThreshold: Int
    private var invalidPackets: RateLimitedLog
    /// STUN error responses (400/401 to unauthenticated checks) per source: a flood of forged
    /// checks naming this transport's ufrag must not turn the server into a reflector.
    private var stunErrorLimiter = SourceRateLimiter(
        perSecond: WebRTCTransport.stunErrorsPerSecond, burst: WebRTCTransport.stunErrorBurst, slotCount: 8)
    /// Error responses a second per source IP, and the burst, after which they are dropped.
    static let stunErrorsPerSecond = 5
    static let stunErrorBurst = 10
    let logger: Logger
    /// The worker counters that count this object as live (set by `MediaWorker.install`).
    var countedIn: WorkerStatistics?

    /// Seconds of silence before an m-line is reported as not receiving (Janus `no_media_timer`).
    static let noMediaNanoseconds: UInt64 = 1_000_000_000

    package init(
        id: UInt64, localCredentials: ICECredentials, certificate: DTLSCertificate, setup: TransportSetup,
        consentTimeout: Double, slowLinkThreshold: Int = 0, now: MonotonicInstant, logger: Logger,
        events: @escaping @Sendable (TransportEvent) -> Void
    ) throws {
        self.id = id
        self.localUfrag = localCredentials.ufrag
        self.ice = ICELiteAgent(
            local: localCredentials, remote: setup.remoteCredentials, now: now, consentTimeout: consentTimeout)
        self.dtlsRole = setup.dtlsRole
        self.dtls = try DTLSEndpoint(
            role: setup.dtlsRole, certificate: certificate, remoteFingerprint: setup.remoteFingerprint)
        self.producers = setup.streams.map { Producer($0, slowLinkThreshold: slowLinkThreshold) }
        self.consumers = setup.streams.map { Consumer($0, slowLinkThreshold: slowLinkThreshold) }
        self.slowLinkThreshold = slowLinkThreshold
        self.midExtensionID = setup.midExtensionID
        self.settings = setup.settings
        self.events = events
        var logger = logger
        logger[metadataKey: "transport"] = "\(id)"
        self.logger = logger
        self.invalidPackets = RateLimitedLog(logger: logger, interval: 5)
        for index in producers.indices { learnAnnouncedSSRCs(streamIndex: index) }
        configureTransportWideFeedback()
        configureBandwidth()
    }

    /// TWCC feedback runs when a receiving m-line negotiated the transport-wide sequence extension
    /// (bundled m-lines share one transport-wide sequence, so one id serves them all).
    private func configureTransportWideFeedback() {
        let id = producers.lazy.filter(\.setup.receives).flatMap(\.setup.extensions)
            .first { $0.uri == RTPExtensionURI.transportCC }?.id
        transportCCExtensionID = id
        if id == nil {
            transportWideFeedback = nil
        } else if transportWideFeedback == nil {
            transportWideFeedback = TransportWideFeedbackGenerator()
        }
    }

    deinit { countedIn?.liveTransportObjects.subtract(1, ordering: .relaxed) }

    // MARK: Datagrams

    func handleDatagram(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, kind: DatagramKind, from source: TransportAddress,
        socketIndex: Int, now: MonotonicInstant, output: PacketOutput, router: Router
    ) {
        guard !isFinished else { return }
        clock = now
        switch kind {
        case .stun:
            handleSTUN(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), from: source, socketIndex: socketIndex, now: now, output: output)
        case .dtls:
            guard source == selectedAddress || knownAddresses.contains(source) else { return }
            dtls.handleDatagram(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), now: now)
            pumpDTLS(now: now, output: output)
        case .rtp:
            handleRTP(buffer, length: length, now: now, output: output, router: router)
        case .rtcp:
            handleRTCP(buffer, length: length, now: now, output: output, router: router)
        case .unknown:
            invalidPackets.note("dropped unclassifiable datagram from \(source)", now: now)
        }
    }

    private func handleSTUN(
        _ datagram: UnsafeRawBufferPointer, from source: TransportAddress, socketIndex: Int, now: MonotonicInstant,
        output: PacketOutput
    ) {
        output.send(socketIndex: socketIndex, to: source) { response in
            let length = ice.handleSTUN(datagram, from: source, now: now, response: response)
            // Only error responses are limited: a peer's valid checks are always answered.
            guard length > 0, STUNHeader.isErrorResponse(UnsafeRawBufferPointer(response)) else { return length }
            guard stunErrorLimiter.allow(source, now: now) else {
                countedIn?.stunErrorsSuppressed.add(1, ordering: .relaxed)
                return 0
            }
            return length
        }
        while let event = ice.pollEvent() {
            switch event {
            case .selected(let address):
                selectedAddress = address
                selectedSocket = socketIndex
                if !knownAddresses.contains(address) { knownAddresses.append(address) }
                logger.debug("ICE selected \(address)")
                if dtlsRole == .client && !dtlsStarted {
                    dtlsStarted = true
                    dtls.start(now: now)
                }
                pumpDTLS(now: now, output: output)
            case .consentExpired:
                fail(.iceFailed)
            }
        }
    }

    private func pumpDTLS(now: MonotonicInstant, output: PacketOutput) {
        while let datagram = dtls.pollTransmit() {
            guard let destination = selectedAddress else { continue }
            datagram.withUnsafeBytes { bytes in
                output.send(bytes: bytes, socketIndex: selectedSocket, to: destination)
            }
        }
        while let event = dtls.pollEvent() {
            switch event {
            case .connected(let keys):
                do {
                    guard let profile = SRTPProtectionProfile(rawValue: keys.protectionProfile) else {
                        fail(.srtpStackError)
                        return
                    }
                    inbound = try SRTPContext(
                        profile: profile, masterKey: keys.remoteMasterKey, masterSalt: keys.remoteMasterSalt)
                    outbound = try SRTPContext(
                        profile: profile, masterKey: keys.localMasterKey, masterSalt: keys.localMasterSalt)
                } catch {
                    fail(.srtpStackError)
                    return
                }
                connected = true
                logger.debug("DTLS-SRTP connected, profile \(keys.protectionProfile)")
                events(.connected)
            case .failed(let reason):
                logger.info("DTLS failed: \(reason)")
                fail(reason.contains("timeout") ? .dtlsTimeout : .dtlsError)
            case .closed:
                fail(.dtlsAlert)
            case .applicationData:
                break  // Data channels (SCTP) are not relayed yet.
            }
        }
    }

    // MARK: RTP

    private func handleRTP(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, now: MonotonicInstant, output: PacketOutput,
        router: Router
    ) {
        guard connected, let inbound else { return }
        let plainLength: Int
        do {
            plainLength = try inbound.unprotectRTP(buffer, length: length)
        } catch {
            countedIn?.noteSRTPDrop(error)
            invalidPackets.note("SRTP unprotect failed: \(error)", now: now)
            return
        }
        releaseDTLSOnce()
        guard let packet = try? RTPPacket(buffer: buffer, length: plainLength) else {
            invalidPackets.note("malformed RTP after SRTP", now: now)
            return
        }
        // Every packet on the transport counts for congestion control, RTX and layers we do not
        // forward included.
        if let id = transportCCExtensionID, let element = packet.extensionElement(id: id), element.count >= 2 {
            transportWideFeedback?.record(UInt16(element[0]) << 8 | UInt16(element[1]), at: now)
        }
        guard let inboundSSRC = stream(for: packet) else { return }
        let index = inboundSSRC.stream
        var notifyReceiving = false
        producers[index].noteReceived(ssrc: packet.ssrc, layer: inboundSSRC.layer, now: now, becameActive: &notifyReceiving)
        if packet.ssrc == producers[index].remoteSSRC {
            _ = producers[index].reports.reception.record(
                sequenceNumber: packet.sequenceNumber, rtpTimestamp: packet.timestamp, arrival: now)
        }
        if notifyReceiving {
            let setup = producers[index].setup
            events(.mediaReceiving(mid: setup.mid, kind: setup.kind, receiving: true))
            if setup.kind == .video { requestKeyframe(streamIndex: index, now: now, output: output) }
        }
        // Only what the peer sends on an m-line it sends on is taken (a receive-only peer's stray
        // packets stop here).
        guard producers[index].setup.receives else { return }
        publish(packet, streamIndex: index, layer: inboundSSRC.layer, now: now, router: router)
    }

    /// The m-line (and simulcast layer) a packet belongs to: by announced or learned SSRC, else
    /// by its mid extension (and, on a simulcast m-line, its rid extension).
    private func stream(for packet: RTPPacket) -> InboundSSRC? {
        let ssrc = packet.ssrc
        if let known = streamBySSRC[ssrc] { return known }
        if let id = midExtensionID, let mid = packet.extensionElement(id: id) {
            for index in producers.indices where producers[index].setup.mid.utf8.elementsEqual(mid) {
                // Only a packet with the m-line's media payload type teaches us its SSRC: RTX and
                // FEC streams carry the same mid but other payload types.
                guard packet.payloadType == producers[index].setup.payloadType else { return nil }
                var layer = 0
                if !producers[index].setup.simulcastRIDs.isEmpty {
                    // A simulcast layer is known by its rid; without one the SSRC stays unknown.
                    guard let ridID = producers[index].ridExtensionID, let rid = packet.extensionElement(id: ridID),
                        let found = producers[index].setup.simulcastRIDs.firstIndex(where: { $0.utf8.elementsEqual(rid) })
                    else { return nil }
                    layer = found
                }
                let learned = InboundSSRC(stream: index, layer: layer)
                streamBySSRC[ssrc] = learned
                return learned
            }
        }
        return nil
    }

    /// Maps the SSRCs the SDP announced for m-line `index` (an SSRC simulcast group in its order).
    private func learnAnnouncedSSRCs(streamIndex index: Int) {
        let setup = producers[index].setup
        for ssrc in setup.remoteSSRCs {
            streamBySSRC[ssrc] = InboundSSRC(stream: index, layer: setup.simulcastSSRCs.firstIndex(of: ssrc) ?? 0)
        }
    }

    // MARK: RTCP

    private func handleRTCP(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, now: MonotonicInstant, output: PacketOutput,
        router: Router
    ) {
        guard connected, let inbound else { return }
        let plainLength: Int
        do {
            plainLength = try inbound.unprotectRTCP(buffer, length: length)
        } catch {
            countedIn?.noteSRTPDrop(error)
            invalidPackets.note("SRTCP unprotect failed: \(error)", now: now)
            return
        }
        releaseDTLSOnce()
        noteSenderReports(buffer, length: plainLength, now: now)
        handleConsumerFeedback(buffer, length: plainLength, now: now, output: output, router: router)
    }

    /// An authenticated SRTP/SRTCP packet proves the peer finished the handshake (it holds our
    /// Finished), so no flight will be retransmitted: the OpenSSL state (≈ 55 KB) can go.
    @inline(__always)
    private func releaseDTLSOnce() {
        guard !dtlsReleased else { return }
        dtlsReleased = true
        dtls.releaseHandshakeState()
    }

    // MARK: Timers

    func handleTimers(now: MonotonicInstant, output: PacketOutput) {
        guard !isFinished else { return }
        clock = now
        ice.handleTimeout(now: now)
        while let event = ice.pollEvent() {
            if case .consentExpired = event {
                fail(.iceFailed)
                return
            }
        }
        if let due = dtls.nextTimeout(), due <= now {
            dtls.handleTimeout(now: now)
            pumpDTLS(now: now, output: output)
        }
        guard connected else { return }
        sendTransportWideFeedback(now: now, output: output)
        for index in producers.indices where producers[index].keyframeRequestDeferred {
            for layer in producers[index].layers.indices where producers[index].layers[layer].keyframeRequestDeferred {
                requestKeyframe(streamIndex: index, layer: layer, now: now, output: output)
            }
        }
        for index in producers.indices where producers[index].receiving {
            if let last = producers[index].lastPacketAt, now.nanoseconds(since: last) >= Self.noMediaNanoseconds {
                producers[index].receiving = false
                events(.mediaReceiving(mid: producers[index].setup.mid, kind: producers[index].setup.kind, receiving: false))
            }
        }
        requestMissingPackets(now: now, output: output)
        updateBandwidth(now: now, output: output)
        if now >= nextRembAt {
            nextRembAt = now.adding(milliseconds: 1000)
            checkSlowLinks()
            sendReports(now: now, output: output)
            periodicProducerFeedback(now: now, output: output)
        }
    }

    // MARK: Control

    /// Sends close_notify and stops; no event (the control plane asked for it).
    package func close(now: MonotonicInstant, output: PacketOutput) {
        guard !isFinished else { return }
        if dtlsStarted || connected {
            dtls.close()
            pumpDTLS(now: now, output: output)
        }
        isFinished = true
    }

    /// ICE restart (RFC 8445 §9): new credentials on both sides, same DTLS association.
    /// Returns the previous local ufrag so the worker can re-key its demux table.
    package func restartICE(local: ICECredentials, remote: ICECredentials) -> String {
        let previous = localUfrag
        ice.restart(local: local, remote: remote)
        localUfrag = local.ufrag
        return previous
    }

    /// A renegotiation on the same ICE/DTLS session: m-lines keep their index (existing mids are
    /// updated in place, new ones appended), so forwarding links stay valid.
    package func renegotiate(_ setup: TransportSetup, now: MonotonicInstant, output: PacketOutput) {
        for stream in setup.streams {
            let index: Int
            if let existing = producers.firstIndex(where: { $0.setup.mid == stream.mid }) {
                producers[existing].adopt(stream)
                consumers[existing].adopt(stream)
                index = existing
            } else {
                producers.append(Producer(stream, slowLinkThreshold: slowLinkThreshold))
                consumers.append(Consumer(stream, slowLinkThreshold: slowLinkThreshold))
                index = producers.count - 1
            }
            learnAnnouncedSSRCs(streamIndex: index)
        }
        if let id = setup.midExtensionID { midExtensionID = id }
        configureTransportWideFeedback()
        configureBandwidth()
        updateSettings(setup.settings, output: output)
    }

    /// Hands an event to the control plane (on this worker thread).
    func emit(_ event: TransportEvent) { events(event) }

    private func fail(_ reason: TransportFailure) {
        guard !isFinished else { return }
        isFinished = true
        logger.info("transport failed: \(reason)")
        countedIn?.noteFailure(reason)
        events(.failed(reason: reason))
    }

    /// Sends a feedback RTCP packet built by `build` (into a buffer with room for the SRTCP trailer).
    func sendRTCP(output: PacketOutput, _ build: (UnsafeMutableRawBufferPointer) -> Int) {
        guard let outbound, let destination = selectedAddress else { return }
        let reporter = consumers.first?.setup.localSSRC ?? 1
        output.send(socketIndex: selectedSocket, to: destination) { slot in
            let room = UnsafeMutableRawBufferPointer(rebasing: slot[0..<(slot.count - outbound.profile.rtcpOverhead)])
            // RFC 3550 §6.1: a compound packet starts with a report; an empty RR is the cheapest one.
            guard let head = try? RTCPReceiverReport(ssrc: reporter).write(into: room) else { return 0 }
            let length = build(UnsafeMutableRawBufferPointer(rebasing: room[head...]))
            guard length > 0 else { return 0 }
            return (try? outbound.protectRTCP(slot, length: head + length)) ?? 0
        }
    }

    private func sendTransportWideFeedback(now: MonotonicInstant, output: PacketOutput) {
        guard transportWideFeedback?.isDue(now: now) == true else { return }
        let sender = consumers.first?.setup.localSSRC ?? 1
        let media = producers.first { $0.setup.receives }?.remoteSSRC ?? 0
        while let feedback = transportWideFeedback?.nextFeedback(senderSSRC: sender, mediaSSRC: media, now: now) {
            sendRTCP(output: output) { buffer in (try? feedback.write(into: buffer)) ?? 0 }
        }
    }

    /// Asks the peer for a keyframe on m-line `streamIndex`: on layer `layer`, or on every layer
    /// it sends (nil). Throttled per layer.
    package func requestKeyframe(streamIndex: Int, layer: Int? = nil, now: MonotonicInstant, output: PacketOutput) {
        guard producers.indices.contains(streamIndex) else { return }
        let wanted = layer.map { $0..<($0 + 1) } ?? producers[streamIndex].layers.indices
        for layer in wanted where producers[streamIndex].layers.indices.contains(layer) {
            guard let mediaSSRC = producers[streamIndex].layers[layer].ssrc ?? (layer == 0 ? producers[streamIndex].remoteSSRC : nil),
                producers[streamIndex].mayRequestKeyframe(layer: layer, now: now)
            else { continue }
            sendPictureLossIndication(streamIndex: streamIndex, mediaSSRC: mediaSSRC, output: output)
        }
    }

    /// One PLI (RFC 4585 §6.3.1) about the peer's SSRC `mediaSSRC`, unthrottled.
    func sendPictureLossIndication(streamIndex: Int, mediaSSRC: UInt32, output: PacketOutput) {
        countedIn?.keyframeRequestsSent.add(1, ordering: .relaxed)
        let sender = consumers[streamIndex].setup.localSSRC
        sendRTCP(output: output) { buffer in
            (try? RTCPPictureLossIndication(senderSSRC: sender, mediaSSRC: mediaSSRC).write(into: buffer)) ?? 0
        }
    }
}

/// Where an incoming SSRC goes: its m-line, and its layer when the m-line is a simulcast source.
struct InboundSSRC {
    var stream: Int
    var layer: Int
}
