import RTP
import SFUBase
@testable import DTLS

/// Two endpoints wired back to back in memory on virtual time, with per-direction loss.
final class DTLSTestLink {
    enum Direction { case clientToServer, serverToClient }

    let client: DTLSEndpoint
    let server: DTLSEndpoint
    var now = MonotonicInstant(nanoseconds: 5_000_000_000)
    let startedAt: MonotonicInstant
    var clientEvents: [DTLSEvent] = []
    var serverEvents: [DTLSEvent] = []
    /// Datagrams sent so far per direction (dropped ones included), with the time they left.
    var clientSent: [(at: MonotonicInstant, bytes: [UInt8])] = []
    var serverSent: [(at: MonotonicInstant, bytes: [UInt8])] = []
    /// Return true to drop: (direction, index of the datagram in that direction, bytes).
    var drop: (Direction, Int, [UInt8]) -> Bool = { _, _, _ in false }

    init(client: DTLSEndpoint, server: DTLSEndpoint) {
        self.client = client
        self.server = server
        self.startedAt = now
    }

    static func make(
        clientProfiles: [UInt16] = [0x0007, 0x0001, 0x0002],
        serverProfiles: [UInt16] = [0x0007, 0x0001, 0x0002],
        mtu: Int = 1200,
        clientKnowsServer: Bool = true, serverKnowsClient: Bool = true,
        clientCertificate: DTLSCertificate? = nil, serverCertificate: DTLSCertificate? = nil
    ) throws -> DTLSTestLink {
        let clientCert = try clientCertificate ?? DTLSCertificate.generateSelfSigned(commonName: "client")
        let serverCert = try serverCertificate ?? DTLSCertificate.generateSelfSigned(commonName: "server")
        let client = try DTLSEndpoint(
            role: .client, certificate: clientCert,
            remoteFingerprint: clientKnowsServer ? serverCert.fingerprint : nil,
            srtpProfiles: clientProfiles, mtu: mtu)
        let server = try DTLSEndpoint(
            role: .server, certificate: serverCert,
            remoteFingerprint: serverKnowsClient ? clientCert.fingerprint : nil,
            srtpProfiles: serverProfiles, mtu: mtu)
        return DTLSTestLink(client: client, server: server)
    }

    func start() {
        server.start(now: now)
        client.start(now: now)
    }

    /// Moves datagrams both ways until both sides are quiet.
    func pump() {
        var moved = true
        while moved {
            moved = false
            while let datagram = client.pollTransmit() {
                moved = true
                let index = clientSent.count
                clientSent.append((now, datagram))
                if !drop(.clientToServer, index, datagram) {
                    datagram.withUnsafeBytes { server.handleDatagram($0, now: now) }
                }
            }
            while let datagram = server.pollTransmit() {
                moved = true
                let index = serverSent.count
                serverSent.append((now, datagram))
                if !drop(.serverToClient, index, datagram) {
                    datagram.withUnsafeBytes { client.handleDatagram($0, now: now) }
                }
            }
            collectEvents()
        }
    }

    func collectEvents() {
        while let event = client.pollEvent() { clientEvents.append(event) }
        while let event = server.pollEvent() { serverEvents.append(event) }
    }

    /// Pumps, then jumps the clock to the earliest timeout, until `done` or nothing is pending
    /// or `limitSeconds` of virtual time have passed.
    func run(limitSeconds: Double = 120, until done: (DTLSTestLink) -> Bool) {
        let limit = startedAt.adding(seconds: limitSeconds)
        while true {
            pump()
            if done(self) { return }
            let next = [client.nextTimeout(), server.nextTimeout()].compactMap { $0 }.min()
            guard let next, next <= limit else { return }
            now = max(now, next)
            client.handleTimeout(now: now)
            server.handleTimeout(now: now)
        }
    }

    func runUntilSettled(limitSeconds: Double = 120) {
        run(limitSeconds: limitSeconds) { $0.clientSettled && $0.serverSettled }
    }

    var clientSettled: Bool { clientEvents.contains(where: \.isTerminalOrConnected) }
    var serverSettled: Bool { serverEvents.contains(where: \.isTerminalOrConnected) }

    var clientKeys: DTLSSRTPKeyingMaterial? { clientEvents.lazy.compactMap(\.keys).first }
    var serverKeys: DTLSSRTPKeyingMaterial? { serverEvents.lazy.compactMap(\.keys).first }
    var clientFailure: String? { clientEvents.lazy.compactMap(\.failure).first }
    var serverFailure: String? { serverEvents.lazy.compactMap(\.failure).first }
}

extension DTLSEvent {
    var keys: DTLSSRTPKeyingMaterial? {
        if case .connected(let keys) = self { return keys }
        return nil
    }
    var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
    var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }
    var isTerminalOrConnected: Bool {
        switch self {
        case .connected, .failed, .closed: return true
        case .applicationData: return false
        }
    }
}

/// DTLS record headers in a datagram: (content type, epoch, length).
func dtlsRecords(_ datagram: [UInt8]) -> [(type: UInt8, epoch: UInt16, length: Int)] {
    var records: [(UInt8, UInt16, Int)] = []
    var offset = 0
    while datagram.count - offset >= 13 {
        let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
        records.append((datagram[offset], UInt16(datagram[offset + 3]) << 8 | UInt16(datagram[offset + 4]), length))
        offset += 13 + length
    }
    return records
}
