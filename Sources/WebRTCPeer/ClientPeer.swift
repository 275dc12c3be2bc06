import DTLS
import ICE
import RTP
import SFUBase

/// A minimal WebRTC client endpoint for tests and load generation: ICE as the controlling agent
/// towards one server candidate, DTLS-SRTP (client or server), SRTP/SRTCP, and RTP/RTCP in both
/// directions with loss-injection hooks. No SDP, no SCTP, no congestion control.
///
/// Sans-IO (the str0m contract): feed datagrams from the server with `handleDatagram` and call
/// `handleTimeout` at or after `nextTimeout()`, then drain `pollTransmit()` (datagrams for the
/// server) and `pollEvent()`. Not thread-safe: one thread at a time (`ClientPeerDriver` holds a
/// lock around it).
public final class ClientPeer {
    public let configuration: ClientPeerConfiguration
    private var ice: ICEControllingChecker
    private let dtls: DTLSEndpoint
    private var inbound: SRTPContext?
    private var outbound: SRTPContext?
    public private(set) var isICEConnected = false
    public private(set) var isConnected = false
    public private(set) var failure: String?
    public private(set) var statistics = ClientPeerStatistics()

    /// Called with each incoming SRTP/SRTCP packet before it is decrypted; true drops it.
    public var dropIncoming: (@Sendable (PacketInfo) -> Bool)?
    /// Called with each outgoing packet after it is protected; true drops it (as the network would).
    public var dropOutgoing: (@Sendable (PacketInfo) -> Bool)?

    // FIFO queues drained from the head (a load generator may queue thousands per poll).
    private var outbox = FIFOQueue<[UInt8]>()
    private var events = FIFOQueue<ClientPeerEvent>()
    private let scratch: UnsafeMutableRawBufferPointer
    private var history = SentPacketHistory()

    public init(configuration: ClientPeerConfiguration, now: MonotonicInstant) throws {
        self.configuration = configuration
        self.ice = ICEControllingChecker(configuration: configuration, now: now)
        self.dtls = try DTLSEndpoint(
            role: configuration.dtlsRole, certificate: configuration.certificate,
            remoteFingerprint: configuration.remoteFingerprint)
        self.scratch = .allocate(byteCount: 65_536, alignment: 16)
    }

    deinit { scratch.deallocate() }

    // MARK: Sans-IO interface

    /// The next datagram for the server, nil when none is queued.
    public func pollTransmit() -> [UInt8]? { outbox.popFirst() }

    public func pollEvent() -> ClientPeerEvent? { events.popFirst() }

    /// When `handleTimeout` must run next.
    public func nextTimeout() -> MonotonicInstant? {
        guard failure == nil else { return nil }
        guard let dtlsTimeout = dtls.nextTimeout() else { return ice.nextTimeout }
        return min(dtlsTimeout, ice.nextTimeout)
    }

    public func handleTimeout(now: MonotonicInstant) {
        guard failure == nil else { return }
        if let request = ice.pollRequest(now: now) { outbox.append(request) }
        if ice.consentLost {
            fail("ICE consent expired")
            return
        }
        if let due = dtls.nextTimeout(), due <= now {
            dtls.handleTimeout(now: now)
            pumpDTLS()
        }
    }

    /// One datagram received from the server.
    public func handleDatagram(_ datagram: UnsafeRawBufferPointer, now: MonotonicInstant) {
        guard failure == nil, !datagram.isEmpty, datagram.count <= scratch.count else { return }
        switch DatagramKind.classify(datagram) {
        case .stun:
            guard let message = try? STUNMessage(datagram), message.verifyFingerprint() || !message.hasFingerprint
            else { return }
            if ice.handleResponse(message, now: now) {
                isICEConnected = true
                events.append(.iceConnected)
                if configuration.dtlsRole == .client { dtls.start(now: now) }
                pumpDTLS()
            }
        case .dtls:
            dtls.handleDatagram(datagram, now: now)
            pumpDTLS()
        case .rtp:
            receiveRTP(datagram, now: now)
        case .rtcp:
            receiveRTCP(datagram)
        case .unknown:
            return
        }
    }

    // MARK: Sending media

    /// Protects and queues one RTP packet. Returns false before DTLS-SRTP is up or when the
    /// packet cannot be built.
    @discardableResult
    public func sendRTP(_ packet: RTPPacketBuilder) -> Bool {
        guard let outbound else { return false }
        guard let length = try? packet.write(into: scratch) else { return false }
        history.store(UnsafeRawBufferPointer(rebasing: scratch[0..<length]), ssrc: packet.ssrc,
                      sequenceNumber: packet.sequenceNumber)
        return transmitRTP(length: length, outbound: outbound)
    }

    /// Protects the RTP packet of `length` bytes in `buffer` in place with this peer's keys and
    /// returns the protected length, without queuing or recording it (a replay that sends its
    /// own datagrams, allocation-free). Nil before DTLS-SRTP is up or when it does not fit.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) -> Int? {
        guard let outbound else { return nil }
        return try? outbound.protectRTP(buffer, length: length)
    }

    /// Protects the RTCP compound packet of `length` bytes in `buffer` in place (SRTCP), without
    /// queuing it; nil before DTLS-SRTP is up or when it does not fit.
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) -> Int? {
        guard let outbound else { return nil }
        return try? outbound.protectRTCP(buffer, length: length)
    }

    /// Sends a packet from the history of sent packets again (same bytes, same sequence number).
    @discardableResult
    public func retransmit(ssrc: UInt32, sequenceNumber: UInt16) -> Bool {
        guard let outbound, let bytes = history.packet(ssrc: ssrc, sequenceNumber: sequenceNumber) else { return false }
        scratch.copyBytes(from: bytes)
        statistics.retransmissionsSent += 1
        return transmitRTP(length: bytes.count, outbound: outbound)
    }

    private func transmitRTP(length: Int, outbound: SRTPContext) -> Bool {
        guard let protected = try? outbound.protectRTP(scratch, length: length) else { return false }
        statistics.rtpSent += 1
        if let dropOutgoing, let info = Self.peekRTP(UnsafeRawBufferPointer(scratch)), dropOutgoing(info) {
            statistics.droppedOutgoing += 1
            return true
        }
        outbox.append(Array(scratch[0..<protected]))
        return true
    }

    /// Protects and queues one compound RTCP packet made of `packets` (put a report first,
    /// RFC 3550 §6.1 — the helpers below do).
    @discardableResult
    public func sendRTCP(_ packets: [any RTCPWritable]) -> Bool {
        guard let outbound else { return false }
        let room = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(scratch.count - outbound.profile.rtcpOverhead)])
        var writer = RTCPCompoundWriter(buffer: room)
        for packet in packets {
            do { try writer.append(packet) } catch { return false }
        }
        guard writer.length > 0, let protected = try? outbound.protectRTCP(scratch, length: writer.length) else {
            return false
        }
        statistics.rtcpSent += 1
        if let dropOutgoing, let info = Self.peekRTCP(UnsafeRawBufferPointer(scratch)), dropOutgoing(info) {
            statistics.droppedOutgoing += 1
            return true
        }
        outbox.append(Array(scratch[0..<protected]))
        return true
    }

    /// RR + PLI (RFC 4585 §6.3.1) asking the sender of `mediaSSRC` for a keyframe.
    @discardableResult
    public func sendPictureLossIndication(senderSSRC: UInt32, mediaSSRC: UInt32) -> Bool {
        sendRTCP([RTCPReceiverReport(ssrc: senderSSRC), RTCPPictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)])
    }

    /// RR + generic NACK (RFC 4585 §6.2.1) for `lost` packets of `mediaSSRC`.
    @discardableResult
    public func sendNACK(senderSSRC: UInt32, mediaSSRC: UInt32, lost: [UInt16]) -> Bool {
        sendRTCP([
            RTCPReceiverReport(ssrc: senderSSRC),
            RTCPGenericNACK(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: lost),
        ])
    }

    /// A receiver report with the given blocks.
    @discardableResult
    public func sendReceiverReport(ssrc: UInt32, blocks: [RTCPReportBlock] = []) -> Bool {
        sendRTCP([RTCPReceiverReport(ssrc: ssrc, reportBlocks: blocks)])
    }

    /// Queues arbitrary bytes for the server (fuzzing, wrong-key SRTP, garbage).
    public func sendRaw(_ bytes: [UInt8]) {
        outbox.append(bytes)
    }

    /// Sends close_notify; the peer stops.
    public func close() {
        dtls.close()
        pumpDTLS()
        if failure == nil { failure = "closed" }
    }

    // MARK: Receiving media

    private func receiveRTP(_ datagram: UnsafeRawBufferPointer, now: MonotonicInstant) {
        guard let inbound, let info = Self.peekRTP(datagram) else { return }
        if let dropIncoming, dropIncoming(info) {
            statistics.droppedIncoming += 1
            return
        }
        scratch.copyMemory(from: datagram)
        guard let length = try? inbound.unprotectRTP(scratch, length: datagram.count) else {
            statistics.unprotectFailures += 1
            return
        }
        guard let packet = try? RTPPacket(buffer: scratch, length: length) else { return }
        statistics.rtpReceived += 1
        var extensions: [UInt8: [UInt8]] = [:]
        if let elements = packet.headerExtensions {
            for element in elements { extensions[element.id] = Array(element.value(in: scratch)) }
        }
        events.append(
            .rtp(
                ReceivedRTPPacket(
                    ssrc: packet.ssrc, payloadType: packet.payloadType, sequenceNumber: packet.sequenceNumber,
                    timestamp: packet.timestamp, marker: packet.marker, extensions: extensions,
                    payload: Array(packet.payload), receivedAt: now)))
    }

    private func receiveRTCP(_ datagram: UnsafeRawBufferPointer) {
        guard let inbound, let info = Self.peekRTCP(datagram) else { return }
        if let dropIncoming, dropIncoming(info) {
            statistics.droppedIncoming += 1
            return
        }
        scratch.copyMemory(from: datagram)
        guard let length = try? inbound.unprotectRTCP(scratch, length: datagram.count) else {
            statistics.unprotectFailures += 1
            return
        }
        guard let parsed = try? RTCPMessage.parseCompound(scratch, length: length) else { return }
        statistics.rtcpReceived += 1
        let messages = parsed.compactMap { try? $0.get() }
        if configuration.answerNACKs {
            for case .genericNACK(let nack) in messages {
                for sequenceNumber in nack.lostSequenceNumbers {
                    retransmit(ssrc: nack.mediaSSRC, sequenceNumber: sequenceNumber)
                }
            }
        }
        events.append(.rtcp(messages))
    }

    // MARK: DTLS

    private func pumpDTLS() {
        while let datagram = dtls.pollTransmit() { outbox.append(datagram) }
        while let event = dtls.pollEvent() {
            switch event {
            case .connected(let keys):
                guard let profile = SRTPProtectionProfile(rawValue: keys.protectionProfile),
                    let inbound = try? SRTPContext(
                        profile: profile, masterKey: keys.remoteMasterKey, masterSalt: keys.remoteMasterSalt),
                    let outbound = try? SRTPContext(
                        profile: profile, masterKey: keys.localMasterKey, masterSalt: keys.localMasterSalt)
                else {
                    fail("DTLS-SRTP keys unusable")
                    return
                }
                self.inbound = inbound
                self.outbound = outbound
                isConnected = true
                events.append(.connected(profile: keys.protectionProfile))
            case .failed(let reason):
                fail("DTLS failed: \(reason)")
            case .closed:
                fail("DTLS closed by the server")
            case .applicationData:
                break
            }
        }
    }

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        events.append(.failed(reason))
    }

    // MARK: Clear-text headers

    static func peekRTP(_ bytes: UnsafeRawBufferPointer) -> PacketInfo? {
        guard bytes.count >= 12 else { return nil }
        let sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let ssrc = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        return .rtp(ssrc: ssrc, sequenceNumber: sequenceNumber, payloadType: bytes[1] & 0x7F)
    }

    static func peekRTCP(_ bytes: UnsafeRawBufferPointer) -> PacketInfo? {
        guard bytes.count >= 8 else { return nil }
        let ssrc = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        return .rtcp(packetType: bytes[1], senderSSRC: ssrc)
    }
}

/// The last 1024 packets sent per SSRC, in clear text, for `ClientPeer.retransmit`.
struct SentPacketHistory {
    static let capacity = 1024
    private var packets: [UInt32: [[UInt8]?]] = [:]

    mutating func store(_ bytes: UnsafeRawBufferPointer, ssrc: UInt32, sequenceNumber: UInt16) {
        if packets[ssrc] == nil { packets[ssrc] = Array(repeating: nil, count: Self.capacity) }
        packets[ssrc]?[Int(sequenceNumber) % Self.capacity] = Array(bytes)
    }

    func packet(ssrc: UInt32, sequenceNumber: UInt16) -> [UInt8]? {
        guard let ring = packets[ssrc], let stored = ring[Int(sequenceNumber) % Self.capacity], stored.count >= 4,
            UInt16(stored[2]) << 8 | UInt16(stored[3]) == sequenceNumber
        else { return nil }
        return stored
    }
}
