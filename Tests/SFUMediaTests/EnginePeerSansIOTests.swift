import DTLS
import ICE
import RTP
import SFUBase
import Testing
import WebRTCPeer

/// `ClientPeer` without sockets: wired in memory to the server's own building blocks (an
/// `ICELiteAgent`, a `DTLSEndpoint`, SRTP contexts) on a virtual clock.
@Suite struct EnginePeerSansIOTests {
    final class InMemoryServer {
        var agent: ICELiteAgent
        let dtls: DTLSEndpoint
        var inbound: SRTPContext?
        var outbound: SRTPContext?
        var checks: [STUNMessage.Snapshot] = []
        var received: [RTPPacketSnapshot] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)

        init(credentials: ICECredentials, peer: ICECredentials, certificate: DTLSCertificate, now: MonotonicInstant) throws {
            agent = ICELiteAgent(local: credentials, remote: peer, now: now)
            dtls = try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: EngineTest.peerCertificate.fingerprint)
        }

        deinit { buffer.deallocate() }
    }

    struct RTPPacketSnapshot: Equatable {
        var ssrc: UInt32
        var sequenceNumber: UInt16
        var payload: [UInt8]
    }

    @Test func connectsRetransmitsChecksKeepsConsentAndExchangesSRTP() throws {
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        let serverCredentials = ICECredentials.random()
        let peerCredentials = ICECredentials.random()
        let serverCertificate = try DTLSCertificate.generateSelfSigned(commonName: "server")
        let peer = try ClientPeer(
            configuration: ClientPeerConfiguration(
                localCredentials: peerCredentials, remoteCredentials: serverCredentials,
                remoteFingerprint: serverCertificate.fingerprint, dtlsRole: .server,
                certificate: EngineTest.peerCertificate, tiebreaker: 42, consentIntervalMilliseconds: 2_000),
            now: now)
        let server = try InMemoryServer(
            credentials: serverCredentials, peer: peerCredentials, certificate: serverCertificate, now: now)
        let peerAddress = try #require(TransportAddress("127.0.0.1", port: 40_000))
        var responsesToDrop = 2
        var peerEvents: [ClientPeerEvent] = []

        func run(milliseconds: Int) {
            for _ in 0..<(milliseconds / 5) {
                if let due = peer.nextTimeout(), due <= now { peer.handleTimeout(now: now) }
                while let datagram = peer.pollTransmit() {
                    datagram.withUnsafeBytes { bytes in
                        switch DatagramKind.classify(bytes) {
                        case .stun:
                            if let message = try? STUNMessage(bytes) { server.checks.append(message.snapshot) }
                            let length = server.agent.handleSTUN(bytes, from: peerAddress, now: now, response: server.buffer)
                            while let event = server.agent.pollEvent() {
                                if case .selected = event { server.dtls.start(now: now) }
                            }
                            guard length > 0 else { return }
                            if responsesToDrop > 0 {
                                responsesToDrop -= 1
                                return
                            }
                            peer.handleDatagram(UnsafeRawBufferPointer(rebasing: server.buffer[0..<length]), now: now)
                        case .dtls:
                            server.dtls.handleDatagram(bytes, now: now)
                        case .rtp:
                            guard let inbound = server.inbound else { return }
                            server.buffer.copyMemory(from: bytes)
                            guard let length = try? inbound.unprotectRTP(server.buffer, length: bytes.count),
                                let packet = try? RTPPacket(buffer: server.buffer, length: length)
                            else { return }
                            server.received.append(
                                RTPPacketSnapshot(ssrc: packet.ssrc, sequenceNumber: packet.sequenceNumber, payload: Array(packet.payload)))
                        default:
                            return
                        }
                    }
                }
                if let due = server.dtls.nextTimeout(), due <= now { server.dtls.handleTimeout(now: now) }
                while let datagram = server.dtls.pollTransmit() {
                    datagram.withUnsafeBytes { peer.handleDatagram($0, now: now) }
                }
                while let event = server.dtls.pollEvent() {
                    if case .connected(let keys) = event, let profile = SRTPProtectionProfile(rawValue: keys.protectionProfile) {
                        server.inbound = try? SRTPContext(profile: profile, masterKey: keys.remoteMasterKey, masterSalt: keys.remoteMasterSalt)
                        server.outbound = try? SRTPContext(profile: profile, masterKey: keys.localMasterKey, masterSalt: keys.localMasterSalt)
                    }
                }
                while let event = peer.pollEvent() { peerEvents.append(event) }
                now = now.adding(milliseconds: 5)
            }
        }

        run(milliseconds: 1_000)
        #expect(peer.isICEConnected && peer.isConnected)
        #expect(server.outbound != nil)
        // Checks were retransmitted until one was answered; all nominate, control and authenticate.
        #expect(server.checks.count >= 3)
        let first = try #require(server.checks.first)
        #expect(first.username == "\(serverCredentials.ufrag):\(peerCredentials.ufrag)")
        #expect(first.useCandidate && first.iceControlling == 42 && first.priority != nil && first.hasIntegrity)
        #expect(server.agent.selectedAddress == peerAddress)

        // Consent: a plain check every consent interval.
        let checksBefore = server.checks.count
        run(milliseconds: 4_500)
        #expect(server.checks.count >= checksBefore + 2)
        #expect(server.checks.suffix(2).allSatisfy { !$0.useCandidate })
        #expect(peer.failure == nil)

        // SRTP both ways.
        #expect(peer.sendRTP(RTPPacketBuilder(payloadType: 96, sequenceNumber: 7, timestamp: 9, ssrc: 0xABCD, payload: [1, 2, 3])))
        run(milliseconds: 10)
        #expect(server.received == [RTPPacketSnapshot(ssrc: 0xABCD, sequenceNumber: 7, payload: [1, 2, 3])])
        let outbound = try #require(server.outbound)
        var bytes = RTPPacketBuilder(payloadType: 100, sequenceNumber: 11, timestamp: 13, ssrc: 0x1234, payload: [4, 5]).bytes()
        let plainLength = bytes.count
        bytes += Array(repeating: 0, count: 32)
        let protectedLength = try bytes.withUnsafeMutableBytes { try outbound.protectRTP($0, length: plainLength) }
        Array(bytes[0..<protectedLength]).withUnsafeBytes { peer.handleDatagram($0, now: now) }
        var received: [ReceivedRTPPacket] = []
        while let event = peer.pollEvent() {
            if case .rtp(let packet) = event { received.append(packet) }
        }
        #expect(received.map(\.payload) == [[4, 5]] && received.first?.ssrc == 0x1234)
    }
}

extension STUNMessage {
    /// The parts of a check the test looks at (a `STUNMessage` is a view over transient bytes).
    struct Snapshot {
        var username: String?
        var useCandidate: Bool
        var iceControlling: UInt64?
        var priority: UInt32?
        var hasIntegrity: Bool
    }

    var snapshot: Snapshot {
        Snapshot(username: username, useCandidate: useCandidate, iceControlling: iceControlling, priority: priority,
                 hasIntegrity: hasMessageIntegrity)
    }
}
