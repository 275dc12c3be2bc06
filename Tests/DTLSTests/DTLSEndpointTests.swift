import COpenSSL
import Testing
@testable import DTLS

@Suite("DTLS endpoint handshake")
struct DTLSEndpointTests {
    @Test func handshakeConnectsWithMirroredKeys() throws {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        let clientKeys = try #require(link.clientKeys)
        let serverKeys = try #require(link.serverKeys)
        #expect(clientKeys.protectionProfile == 0x0007)
        #expect(serverKeys.protectionProfile == 0x0007)
        #expect(clientKeys.localMasterKey.count == 16)
        #expect(clientKeys.localMasterSalt.count == 12)
        #expect(clientKeys.localMasterKey == serverKeys.remoteMasterKey)
        #expect(clientKeys.localMasterSalt == serverKeys.remoteMasterSalt)
        #expect(clientKeys.remoteMasterKey == serverKeys.localMasterKey)
        #expect(clientKeys.remoteMasterSalt == serverKeys.localMasterSalt)
        #expect(clientKeys.localMasterKey != clientKeys.remoteMasterKey)
        #expect(link.client.isConnected && link.server.isConnected)
        #expect(link.client.keyingMaterial == clientKeys)
        #expect(link.client.nextTimeout() == nil && link.server.nextTimeout() == nil)
        // No loss: the handshake needs no virtual time and no retransmission.
        #expect(link.now == link.startedAt)
        #expect(link.client.retransmissionCount == 0 && link.server.retransmissionCount == 0)
        // The flights: ClientHello; server flight; client flight; server CCS+Finished.
        #expect(link.clientSent.count == 2 && link.serverSent.count == 2)
    }

    struct ProfileCase: Sendable, CustomTestStringConvertible {
        var client: [UInt16]
        var server: [UInt16]
        var expected: UInt16?
        var testDescription: String { "client \(client) server \(server) → \(expected.map { String($0) } ?? "none")" }
    }

    @Test(arguments: [
        ProfileCase(client: [7, 1, 2], server: [7, 1, 2], expected: 7),
        ProfileCase(client: [7, 1, 2], server: [1], expected: 1),
        ProfileCase(client: [7, 1, 2], server: [2], expected: 2),
        ProfileCase(client: [1], server: [7, 1, 2], expected: 1),
        ProfileCase(client: [2, 1], server: [7, 1, 2], expected: 1),  // the server's order wins
        ProfileCase(client: [7, 1], server: [1, 7], expected: 1),
        ProfileCase(client: [1, 7], server: [7, 1], expected: 7),
        ProfileCase(client: [8, 7], server: [8], expected: 8),
        ProfileCase(client: [1], server: [7], expected: nil),
    ])
    func profileNegotiation(_ profiles: ProfileCase) throws {
        let link = try DTLSTestLink.make(clientProfiles: profiles.client, serverProfiles: profiles.server)
        link.start()
        link.runUntilSettled()
        guard let expected = profiles.expected else {
            #expect(link.clientKeys == nil && link.serverKeys == nil)
            #expect(link.clientFailure == "no SRTP protection profile negotiated")
            #expect(link.serverFailure == "no SRTP protection profile negotiated")
            return
        }
        let clientKeys = try #require(link.clientKeys)
        let serverKeys = try #require(link.serverKeys)
        #expect(clientKeys.protectionProfile == expected && serverKeys.protectionProfile == expected)
        let (keyLength, saltLength) = expected == 8 ? (32, 12) : expected == 7 ? (16, 12) : (16, 14)
        for keys in [clientKeys, serverKeys] {
            #expect(keys.localMasterKey.count == keyLength && keys.remoteMasterKey.count == keyLength)
            #expect(keys.localMasterSalt.count == saltLength && keys.remoteMasterSalt.count == saltLength)
        }
        #expect(clientKeys.localMasterKey == serverKeys.remoteMasterKey)
        #expect(clientKeys.remoteMasterSalt == serverKeys.localMasterSalt)
    }

    @Test func unknownProfileIsRejectedAtInit() throws {
        let certificate = try DTLSCertificate.generateSelfSigned()
        #expect(throws: DTLSError.unsupportedSRTPProfile(0x0099)) {
            _ = try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: nil, srtpProfiles: [0x0099])
        }
        #expect(throws: DTLSError.invalidMTU(100)) {
            _ = try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: nil, mtu: 100)
        }
    }

    @Test func clientRejectsWrongServerFingerprint() throws {
        let stranger = try DTLSCertificate.generateSelfSigned(commonName: "stranger")
        let link = try DTLSTestLink.make()
        link.client.setRemoteFingerprint(stranger.fingerprint)
        link.start()
        link.runUntilSettled()
        #expect(link.clientFailure == "fingerprint mismatch")
        #expect(link.serverFailure != nil)  // the client's bad_certificate alert
        #expect(link.clientKeys == nil && link.serverKeys == nil)
        #expect(link.client.keyingMaterial == nil && link.server.keyingMaterial == nil)
        #expect(!link.client.isConnected && !link.server.isConnected)
        // Nothing of the failure stays in this thread's OpenSSL error queue.
        #expect(ERR_peek_error() == 0)
    }

    @Test func serverRejectsWrongClientFingerprint() throws {
        let stranger = try DTLSCertificate.generateSelfSigned(commonName: "stranger")
        let link = try DTLSTestLink.make()
        link.server.setRemoteFingerprint(stranger.fingerprint)
        link.start()
        link.runUntilSettled()
        #expect(link.serverFailure == "fingerprint mismatch")
        #expect(link.clientFailure != nil)
        #expect(link.clientKeys == nil && link.serverKeys == nil)
        #expect(ERR_peek_error() == 0)
    }

    @Test func fingerprintArrivingAfterTheHandshake() throws {
        let clientCert = try DTLSCertificate.generateSelfSigned(commonName: "client")
        let link = try DTLSTestLink.make(serverKnowsClient: false, clientCertificate: clientCert)
        link.start()
        link.run { $0.clientSettled }
        #expect(link.clientKeys != nil)
        #expect(link.serverEvents.isEmpty)
        #expect(link.server.nextTimeout() != nil)  // still bounded by the handshake deadline
        link.server.setRemoteFingerprint(DTLSFingerprint(sdpValue: clientCert.fingerprint.sdpValue.lowercased())!)
        link.collectEvents()
        #expect(link.serverKeys?.remoteMasterKey == link.clientKeys?.localMasterKey)
        #expect(link.server.nextTimeout() == nil)
    }

    @Test func lateWrongFingerprintFailsAndClosesThePeer() throws {
        let stranger = try DTLSCertificate.generateSelfSigned(commonName: "stranger")
        let link = try DTLSTestLink.make(serverKnowsClient: false)
        link.start()
        link.run { $0.clientSettled }
        link.server.setRemoteFingerprint(stranger.fingerprint)
        link.pump()
        #expect(link.serverFailure == "fingerprint mismatch")
        #expect(link.serverKeys == nil && link.server.keyingMaterial == nil)
        #expect(link.clientEvents.contains { $0.isClosed })
    }

    @Test func sha1FingerprintFromThePeerIsAccepted() throws {
        let serverCert = try DTLSCertificate.generateSelfSigned(commonName: "server")
        let link = try DTLSTestLink.make(clientKnowsServer: false, serverCertificate: serverCert)
        let sha1 = try #require(DTLSCertificate.digest(of: serverCert.x509, algorithm: "sha-1"))
        link.client.setRemoteFingerprint(try #require(DTLSFingerprint(algorithm: "SHA-1", bytes: sha1)))
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
    }

    @Test func neverSetFingerprintTimesOut() throws {
        let link = try DTLSTestLink.make(clientKnowsServer: false)
        link.start()
        link.runUntilSettled()
        #expect(link.serverKeys != nil)
        #expect(link.clientFailure == "DTLS timeout (remote fingerprint never set)")
        #expect(link.now == link.startedAt.adding(milliseconds: 30_000))
    }

    @Test func closeNotifyReachesThePeer() throws {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        link.client.close()
        #expect(!link.client.isConnected)
        link.pump()
        #expect(link.serverEvents.last.map(\.isClosed) == true)
        #expect(!link.server.isConnected)
        // Our reply close_notify reaches a client that already closed: no further events.
        #expect(link.clientEvents.count == 1)
    }

    @Test func applicationDataBothWays() throws {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        #expect(link.client.sendApplicationData([1, 2, 3]))
        #expect(link.server.sendApplicationData(Array(repeating: 7, count: 1000)))
        link.pump()
        guard case .applicationData(let atServer)? = link.serverEvents.last,
            case .applicationData(let atClient)? = link.clientEvents.last
        else {
            Issue.record("no application data: \(link.serverEvents) \(link.clientEvents)")
            return
        }
        #expect(atServer == [1, 2, 3])
        #expect(atClient == Array(repeating: 7, count: 1000))
    }

    @Test(arguments: [256, 300, 576, 1200])
    func datagramsNeverExceedTheMTU(mtu: Int) throws {
        let link = try DTLSTestLink.make(mtu: mtu)
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        for (_, datagram) in link.clientSent + link.serverSent {
            #expect(datagram.count <= mtu)
            // Whole records only.
            #expect(dtlsRecords(datagram).reduce(0) { $0 + 13 + $1.length } == datagram.count)
        }
    }

    @Test func endpointsShareOneCertificateAcrossHandshakes() throws {
        let serverCert = try DTLSCertificate.generateSelfSigned(commonName: "sfu")
        for _ in 0..<3 {
            let link = try DTLSTestLink.make(serverCertificate: serverCert)
            link.start()
            link.runUntilSettled()
            #expect(link.clientKeys != nil && link.serverKeys != nil)
        }
    }
}

extension DTLSEndpointTests {
    /// Two associations on one thread, stepped in lock-step: one fails with a fingerprint
    /// mismatch mid-handshake, the other is unaffected (the OpenSSL error queue is per thread).
    @Test func failureOfOneAssociationDoesNotLeakIntoAnother() throws {
        let stranger = try DTLSCertificate.generateSelfSigned(commonName: "stranger")
        let sharedServerCert = try DTLSCertificate.generateSelfSigned(commonName: "sfu")
        let bad = try DTLSTestLink.make(serverCertificate: sharedServerCert)
        let good = try DTLSTestLink.make(serverCertificate: sharedServerCert)
        bad.server.setRemoteFingerprint(stranger.fingerprint)
        bad.start()
        good.start()
        func step(_ link: DTLSTestLink) {
            if let d = link.client.pollTransmit() { d.withUnsafeBytes { link.server.handleDatagram($0, now: link.now) } }
            if let d = link.server.pollTransmit() { d.withUnsafeBytes { link.client.handleDatagram($0, now: link.now) } }
            link.collectEvents()
        }
        for _ in 0..<20 {
            step(bad)
            step(good)
        }
        #expect(bad.serverFailure == "fingerprint mismatch")
        #expect(good.clientKeys != nil && good.serverKeys != nil)
        #expect(good.clientFailure == nil && good.serverFailure == nil)
        #expect(ERR_peek_error() == 0)
    }
}
