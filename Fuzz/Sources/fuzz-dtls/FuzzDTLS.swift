import DTLS
import FuzzSupport
import SFUBase
#if canImport(Glibc)
import Glibc
#endif

// The DTLS endpoint (RFC 6347, DTLS-SRTP RFC 5764) in the server role, sans-IO in memory:
//  mode 0: fuzz datagrams to a fresh server (before any handshake);
//  mode 1: a real client/server handshake first, then fuzz datagrams to the connected server
//          (and to the client), with timeouts, application data and close in between;
//  mode 2: a handshake where each client datagram is XORed with fuzz bytes (or replaced),
//          reaching deep into OpenSSL's handshake state machine.
// Input: control byte, then parts separated by "FUZZ".

private let serverCertificate = try? DTLSCertificate.generateSelfSigned(commonName: "server")
private let clientCertificate = try? DTLSCertificate.generateSelfSigned(commonName: "client")

private let debug = getenv("FUZZ_DEBUG") != nil

private final class Link {
    let client: DTLSEndpoint
    let server: DTLSEndpoint
    var now = MonotonicInstant(nanoseconds: 5_000_000_000)
    var clientSent: [[UInt8]] = []

    init?(clientKnowsServer: Bool = true) {
        guard let serverCertificate, let clientCertificate,
            let client = try? DTLSEndpoint(role: .client, certificate: clientCertificate,
                                           remoteFingerprint: clientKnowsServer ? serverCertificate.fingerprint : nil),
            let server = try? DTLSEndpoint(role: .server, certificate: serverCertificate,
                                           remoteFingerprint: clientCertificate.fingerprint)
        else { return nil }
        self.client = client
        self.server = server
    }

    /// Moves datagrams both ways until quiet; `mutate` may rewrite client → server datagrams.
    func pump(limit: Int = 64, mutate: (inout [UInt8]) -> Void = { _ in }) {
        var rounds = 0
        var moved = true
        while moved && rounds < limit {
            rounds += 1
            moved = false
            while let datagram = client.pollTransmit() {
                moved = true
                clientSent.append(datagram)
                var bytes = datagram
                mutate(&bytes)
                feed(server, bytes)
            }
            while let datagram = server.pollTransmit() {
                moved = true
                feed(client, datagram)
            }
            drain()
        }
    }

    func feed(_ endpoint: DTLSEndpoint, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in withExactCopy(raw) { endpoint.handleDatagram(UnsafeRawBufferPointer($0), now: now) } }
    }

    func drain() {
        while let event = client.pollEvent() { if debug { fuzzLog("client \(event)") }; blackHole(event) }
        while let event = server.pollEvent() { if debug { fuzzLog("server \(event)") }; blackHole(event) }
    }

    func handshake(mutate: (inout [UInt8]) -> Void = { _ in }) {
        server.start(now: now)
        client.start(now: now)
        for _ in 0..<8 {
            pump(mutate: mutate)
            if client.isConnected && server.isConnected { return }
            let next = [client.nextTimeout(), server.nextTimeout()].compactMap { $0 }.min()
            guard let next else { return }
            now = max(now, next)
            client.handleTimeout(now: now)
            server.handleTimeout(now: now)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let control = input.byte()
    let parts = input.restSplit().prefix(16).map { Array($0) }
    switch control % 3 {
    case 0:
        guard let link = Link() else { return 0 }
        for part in parts {
            link.feed(link.server, part)
            while let datagram = link.server.pollTransmit() { blackHole(datagram) }
            link.drain()
        }
        link.now = link.now.adding(seconds: 1)
        link.server.handleTimeout(now: link.now)
    case 1:
        guard let link = Link() else { return 0 }
        link.handshake()
        fuzzCheck(link.client.isConnected && link.server.isConnected, "clean in-memory handshake did not connect")
        fuzzCheck(link.client.keyingMaterial?.localMasterKey == link.server.keyingMaterial?.remoteMasterKey
                  && link.client.keyingMaterial?.remoteMasterSalt == link.server.keyingMaterial?.localMasterSalt,
                  "the two ends exported different SRTP keys")
        for (index, part) in parts.enumerated() {
            let selector = part.first ?? 0
            switch selector {
            case 0xF0: _ = link.server.sendApplicationData(Array(part.dropFirst()))
            case 0xF1: link.server.close()
            case 0xF2:
                link.now = link.now.adding(seconds: 2)
                link.server.handleTimeout(now: link.now)
            case 0xF3:
                // Replay something the client really sent, with one byte changed.
                if !link.clientSent.isEmpty {
                    var replay = link.clientSent[index % link.clientSent.count]
                    if part.count > 2, !replay.isEmpty { replay[Int(part[1]) % replay.count] ^= part[2] }
                    link.feed(link.server, replay)
                }
            default:
                if index & 1 == 0 { link.feed(link.server, part) } else { link.feed(link.client, part) }
            }
            link.pump()
        }
    default:
        guard let link = Link(clientKnowsServer: control & 0x80 == 0) else { return 0 }
        var index = 0
        link.handshake { bytes in
            defer { index += 1 }
            guard index < parts.count else { return }
            let part = parts[index]
            if part.first == 0xFF {
                bytes = Array(part.dropFirst())
            } else {
                for (i, b) in part.enumerated() where !bytes.isEmpty { bytes[i % bytes.count] ^= b }
            }
        }
        if let fingerprint = serverCertificate?.fingerprint { link.client.setRemoteFingerprint(fingerprint) }
        link.pump()
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested(seeds())
    return 0
}

/// Seeds from a real handshake: the client's datagrams (ClientHello, its second flight, …).
private func seeds() -> [(name: String, bytes: [UInt8])] {
    guard let link = Link() else { return [] }
    link.handshake()
    let flights = link.clientSent
    var out: [(String, [UInt8])] = []
    out.append(("fresh-server-client-flights", [0] + fuzzJoin(flights)))
    out.append(("connected-replays", [1] + fuzzJoin(flights + [[0xF3, 5, 1], [0xF0, 1, 2, 3], [0xF2], [0xF1]])))
    out.append(("handshake-xor", [2] + fuzzJoin([[0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]])))
    if let hello = flights.first { out.append(("first-flight-only", [0] + hello)) }
    return out
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
