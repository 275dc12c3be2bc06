import RTP
import SFUBase
import Testing
import TestSupport
@testable import DTLS

@Suite("DTLS retransmission and robustness")
struct DTLSRetransmissionTests {
    @Test func lostClientHelloIsRetransmittedAfterOneSecond() throws {
        let link = try DTLSTestLink.make()
        link.drop = { direction, index, _ in direction == .clientToServer && index == 0 }
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        #expect(link.client.retransmissionCount == 1)
        #expect(link.clientSent.count >= 2)
        #expect(link.clientSent[1].at == link.startedAt.adding(milliseconds: 1_000))
        #expect(link.clientSent[1].bytes != link.clientSent[0].bytes)  // new record sequence number
        #expect(link.clientKeys?.localMasterKey == link.serverKeys?.remoteMasterKey)
    }

    @Test func lostServerFlightIsRetransmitted() throws {
        let link = try DTLSTestLink.make()
        link.drop = { direction, index, _ in direction == .serverToClient && index == 0 }
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        #expect(link.server.retransmissionCount >= 1)
        #expect(link.clientKeys?.remoteMasterKey == link.serverKeys?.localMasterKey)
    }

    @Test func lostServerFinishedIsRecoveredThroughTheClientsRetransmission() throws {
        let link = try DTLSTestLink.make()
        // The server's second flight (CCS + Finished) is lost twice.
        link.drop = { direction, index, bytes in
            direction == .serverToClient && index >= 1 && index <= 2
                && dtlsRecords(bytes).contains(where: { $0.type == 20 })
        }
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        #expect(link.client.retransmissionCount == 2)
        #expect(link.now == link.startedAt.adding(milliseconds: 3_000))  // 1 s + 2 s back-off
    }

    @Test func everyFlightLostOnceStillConnects() throws {
        let link = try DTLSTestLink.make()
        var seen = Set<[UInt8]>()
        // Drop the first transmission of every distinct flight shape (by record layout).
        link.drop = { direction, _, bytes in
            let shape = [direction == .clientToServer ? 0 : 1] + dtlsRecords(bytes).map(\.type)
            return seen.insert(shape).inserted
        }
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        #expect(link.clientKeys?.localMasterKey == link.serverKeys?.remoteMasterKey)
    }

    @Test func givesUpAfterTheHandshakeTimeout() throws {
        let link = try DTLSTestLink.make()
        link.drop = { direction, _, _ in direction == .clientToServer }
        link.start()
        link.runUntilSettled()
        #expect(link.clientFailure == "DTLS timeout")
        #expect(link.serverFailure == "DTLS timeout")
        #expect(link.clientKeys == nil && link.serverKeys == nil)
        #expect(link.now == link.startedAt.adding(milliseconds: 30_000))
        // Back-off 1, 2, 4, 8 s: retransmissions at 1, 3, 7 and 15 s, none after.
        let times = link.clientSent.map { $0.at.milliseconds(since: link.startedAt) }
        #expect(times == [0, 1_000, 3_000, 7_000, 15_000])
        #expect(link.client.retransmissionCount == 4)
        #expect(link.client.nextTimeout() == nil && link.server.nextTimeout() == nil)
        // Dead endpoints stay quiet.
        link.client.handleTimeout(now: link.now.adding(seconds: 100))
        #expect(link.client.pollTransmit() == nil && link.client.pollEvent() == nil)
    }

    @Test func customTimerPolicy() throws {
        let clientCert = try DTLSCertificate.generateSelfSigned()
        let policy = DTLSTimerPolicy(
            initialRetransmitMilliseconds: 100, maximumRetransmitMilliseconds: 400,
            handshakeTimeoutMilliseconds: 2_000)
        let client = try DTLSEndpoint(
            role: .client, certificate: clientCert, remoteFingerprint: nil,
            srtpProfiles: [7], mtu: 1200, timerPolicy: policy)
        var now = MonotonicInstant(nanoseconds: 1_000)
        let start = now
        client.start(now: now)
        var sentAt: [UInt64] = []
        var failure: String?
        while let next = client.nextTimeout() {
            while client.pollTransmit() != nil { sentAt.append(now.milliseconds(since: start)) }
            now = next
            client.handleTimeout(now: now)
            while let event = client.pollEvent() { failure = event.failure }
        }
        #expect(sentAt == [0, 100, 300, 700, 1_100, 1_500, 1_900])
        #expect(failure == "DTLS timeout")
        #expect(now.milliseconds(since: start) == 2_000)
    }

    @Test func garbageNeitherTrapsNorBreaksALaterHandshake() throws {
        let link = try DTLSTestLink.make()
        var generator = SeededGenerator(seed: 42)
        func garbage() -> [[UInt8]] {
            var datagrams: [[UInt8]] = [[], [22], [22, 0xFE], [22, 0xFE, 0xFD], Array(repeating: 0, count: 13)]
            for _ in 0..<200 {
                let count = Int.random(in: 0..<300, using: &generator)
                datagrams.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            // Plausible record headers with random bodies and lengths.
            for type: UInt8 in [20, 21, 22, 23] {
                for _ in 0..<50 {
                    var datagram: [UInt8] = [type, 0xFE, 0xFD]
                    datagram += (0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    datagram[3] = 0
                    datagram[4] = UInt8.random(in: 0...1, using: &generator)
                    let body = Int.random(in: 0..<200, using: &generator)
                    datagram[11] = UInt8(body >> 8)
                    datagram[12] = UInt8(body & 0xFF)
                    datagram += (0..<body).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    datagrams.append(datagram)
                }
            }
            return datagrams
        }
        link.start()
        for datagram in garbage() {
            datagram.withUnsafeBytes { link.server.handleDatagram($0, now: link.now) }
            datagram.withUnsafeBytes { link.client.handleDatagram($0, now: link.now) }
        }
        link.collectEvents()
        // Whatever OpenSSL answered to the garbage goes nowhere.
        while link.server.pollTransmit() != nil {}
        #expect(link.clientEvents.isEmpty && link.serverEvents.isEmpty)
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        // And after the handshake, too.
        for datagram in garbage() {
            datagram.withUnsafeBytes { link.server.handleDatagram($0, now: link.now) }
            datagram.withUnsafeBytes { link.client.handleDatagram($0, now: link.now) }
        }
        link.collectEvents()
        #expect(link.client.isConnected && link.server.isConnected)
        #expect(link.client.sendApplicationData([9]))
        link.pump()
        if case .applicationData(let data)? = link.serverEvents.last {
            #expect(data == [9])
        } else {
            Issue.record("connection did not survive garbage: \(link.serverEvents)")
        }
    }

    @Test func duplicatedAndReorderedFlightsAreHarmless() throws {
        let link = try DTLSTestLink.make()
        link.start()
        // Deliver every datagram twice, the copy first.
        var pendingClient: [[UInt8]] = []
        var pendingServer: [[UInt8]] = []
        for _ in 0..<10 {
            while let d = link.client.pollTransmit() { pendingClient.append(d) }
            while let d = link.server.pollTransmit() { pendingServer.append(d) }
            for d in pendingClient.reversed() + pendingClient {
                d.withUnsafeBytes { link.server.handleDatagram($0, now: link.now) }
            }
            for d in pendingServer.reversed() + pendingServer {
                d.withUnsafeBytes { link.client.handleDatagram($0, now: link.now) }
            }
            pendingClient = []
            pendingServer = []
        }
        link.collectEvents()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        #expect(link.clientFailure == nil && link.serverFailure == nil)
    }
}

@Suite("DTLS record filter")
struct DTLSRecordFilterTests {
    /// OpenSSL 3.0 fails the association on a protected record shorter than the AEAD overhead
    /// instead of dropping it; the filter must catch every such length.
    @Test func shortProtectedRecordsDoNotKillTheAssociation() throws {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        var generator = SeededGenerator(seed: 7)
        for type: UInt8 in [20, 21, 22, 23] {
            for length in 0..<64 {
                var datagram: [UInt8] = [type, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 99, 0, UInt8(length)]
                datagram += (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                datagram.withUnsafeBytes { link.server.handleDatagram($0, now: link.now) }
                datagram.withUnsafeBytes { link.client.handleDatagram($0, now: link.now) }
            }
        }
        link.collectEvents()
        #expect(link.client.isConnected && link.server.isConnected)
        #expect(link.serverEvents.count == 1 && link.clientEvents.count == 1)
    }

    @Test func filterKeepsValidRecordsAndDropsMalformedOnes() {
        let ccs: [UInt8] = [20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 5, 0, 1, 1]
        let badCCS: [UInt8] = [20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 5, 0, 1, 2]
        let alert: [UInt8] = [21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 6, 0, 2, 2, 40]
        // One complete 0-length-body Finished-type fragment header is fine; a fragment that
        // overruns its message is not.
        let handshake: [UInt8] = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 7, 0, 12, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let overrun: [UInt8] = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 8, 0, 13, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA]
        let protected: [UInt8] = [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 24] + Array(repeating: 0, count: 24)
        func sanitize(_ bytes: [UInt8], minimum: Int? = 24) -> [UInt8]? {
            bytes.withUnsafeBytes { DTLSRecordFilter.sanitize($0, minimumProtectedLength: minimum) }
        }
        #expect(sanitize(ccs + alert + handshake + protected) == nil)  // untouched
        #expect(sanitize(ccs + badCCS + alert) == ccs + alert)
        #expect(sanitize(overrun + handshake) == handshake)
        #expect(sanitize(protected, minimum: nil) == [])
        #expect(sanitize(protected, minimum: 25) == [])
        #expect(sanitize(ccs + Array(protected.prefix(20))) == ccs)  // truncated tail
    }
}

extension DTLSRetransmissionTests {
    /// At a small MTU the client's second flight spans several datagrams; losing one of them
    /// leaves the server with a partial flight until the client's timer resends it whole.
    @Test func partOfAMultiDatagramFlightLost() throws {
        let link = try DTLSTestLink.make(mtu: 256)
        var clientFlightStart: Int?
        link.drop = { [unowned link] direction, index, bytes in
            guard direction == .clientToServer else { return false }
            // The first datagram after the ClientHello(s) starts the second flight.
            if clientFlightStart == nil, dtlsRecords(bytes).first?.length ?? 0 > 0, index > 0,
                link.serverSent.count > 0
            {
                clientFlightStart = index
                return true
            }
            return false
        }
        link.start()
        link.runUntilSettled()
        #expect(clientFlightStart != nil)
        #expect(link.clientKeys != nil && link.serverKeys != nil)
        #expect(link.client.retransmissionCount >= 1)
    }
}

extension DTLSRetransmissionTests {
    /// The design rests on this OpenSSL 3.0 behaviour: once a flight's copies are made, its own
    /// wall-clock timer is parked far away, so only our injected clock retransmits.
    @Test func openSSLTimerIsParkedWhileOurClockRules() throws {
        let link = try DTLSTestLink.make()
        link.start()
        let parked = try #require(link.client.openSSLTimerRemainingMicroseconds)
        #expect(parked > 3_500_000_000)
        #expect(link.client.nextTimeout() == link.startedAt.adding(milliseconds: 1_000))
        #expect(link.server.openSSLTimerRemainingMicroseconds == nil)  // nothing sent yet
        link.runUntilSettled()
        #expect(link.clientKeys != nil)
        #expect(link.client.openSSLTimerRemainingMicroseconds == nil)
        #expect(link.server.openSSLTimerRemainingMicroseconds == nil)
    }
}

extension DTLSRetransmissionTests {
    /// Corrupted copies of real handshake datagrams (bit flips, truncation) delivered before
    /// the real ones: nothing traps and every run settles — connected, or failed on both sides
    /// within the handshake timeout — never stuck.
    @Test func mutatedHandshakeDatagramsAlwaysSettle() throws {
        var generator = SeededGenerator(seed: 2024)
        var connectedRuns = 0
        for _ in 0..<40 {
            let link = try DTLSTestLink.make()
            let victim = Int.random(in: 0..<4, using: &generator)
            let flips = Int.random(in: 1...4, using: &generator)
            let truncate = Bool.random(using: &generator)
            var sentCount = 0
            link.drop = { [unowned link] direction, _, bytes in
                defer { sentCount += 1 }
                guard sentCount == victim else { return false }
                var mutated = bytes
                for _ in 0..<flips {
                    let position = Int.random(in: 0..<mutated.count, using: &generator)
                    mutated[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                }
                if truncate { mutated.removeLast(Int.random(in: 0..<mutated.count, using: &generator)) }
                let target = direction == .clientToServer ? link.server : link.client
                mutated.withUnsafeBytes { target.handleDatagram($0, now: link.now) }
                return false
            }
            link.start()
            link.runUntilSettled()
            #expect(link.clientSettled && link.serverSettled)
            if link.clientKeys != nil && link.serverKeys != nil {
                connectedRuns += 1
                #expect(link.clientKeys?.localMasterKey == link.serverKeys?.remoteMasterKey)
            } else {
                #expect(link.clientKeys == nil || link.serverFailure != nil)
            }
        }
        #expect(connectedRuns > 0)
    }
}
