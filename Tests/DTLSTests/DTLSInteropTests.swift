import Foundation
import RTP
import SFUBase
import Testing
@testable import DTLS

#if canImport(Glibc)
import Glibc
#endif

/// Interop over UDP on 127.0.0.1 with the `openssl` command line tool (a DTLS stack driven by
/// OpenSSL's own BIO_s_datagram and real-time timers): the handshake completes both ways, and
/// the keying material it prints (`-keymatexport EXTRACTOR-dtls_srtp`) is a second,
/// independent computation of ours, in RFC 5764 §4.2 order.
@Suite("DTLS interop with openssl s_server / s_client", .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct DTLSInteropTests {
    /// `dropFirst`: our first ClientHello is lost, so the copy prepared for the 1 s
    /// retransmission (real clock here) must be acceptable to a real OpenSSL server.
    @Test(arguments: [false, true])
    func ourClientAgainstOpenSSLServer(dropFirst: Bool) throws {
        let serverIdentity = try DTLSCertificate.generateSelfSigned(commonName: "s_server")
        let files = try PEMFiles(serverIdentity)
        defer { files.remove() }
        let port = try UDPSocket.freePort()
        let server = try OpenSSLTool.start([
            "s_server", "-dtls1_2", "-accept", "127.0.0.1:\(port)", "-cert", files.certificate,
            "-key", files.key, "-verify", "1", "-mtu", "1200",
            "-use_srtp", "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60",
        ])
        defer { server.stop() }
        #expect(server.waitForOutput(containing: "ACCEPT", seconds: 5))

        let client = try DTLSEndpoint(
            role: .client, certificate: DTLSCertificate.generateSelfSigned(),
            remoteFingerprint: serverIdentity.fingerprint)
        let socket = try UDPSocket(connectingToPort: port)
        socket.dropFirstSent = dropFirst
        let events = socket.drive(client, seconds: 8)
        #expect(client.retransmissionCount == (dropFirst ? 1 : 0))
        let keys = try #require(events.lazy.compactMap(\.keys).first, "events: \(events)")
        // s_server's preference order wins.
        #expect(keys.protectionProfile == 0x0001)
        #expect(server.waitForOutput(containing: "Keying material: ", seconds: 5))
        let printed = try #require(server.keyingMaterial)
        #expect(printed == keys.localMasterKey + keys.remoteMasterKey + keys.localMasterSalt + keys.remoteMasterSalt)
    }

    /// `dropFirst`: s_client's first ClientHello is lost; its real-time timer resends it.
    @Test(arguments: [false, true])
    func openSSLClientAgainstOurServer(dropFirst: Bool) throws {
        let clientIdentity = try DTLSCertificate.generateSelfSigned(commonName: "s_client")
        let files = try PEMFiles(clientIdentity)
        defer { files.remove() }
        let socket = try UDPSocket(bindingLoopback: ())
        socket.dropFirstReceived = dropFirst
        let server = try DTLSEndpoint(
            role: .server, certificate: DTLSCertificate.generateSelfSigned(),
            remoteFingerprint: clientIdentity.fingerprint)
        server.start(now: .now())
        let client = try OpenSSLTool.start([
            "s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.port)", "-cert", files.certificate,
            "-key", files.key, "-mtu", "1200", "-use_srtp", "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "56",
        ])
        defer { client.stop() }
        let events = socket.drive(server, seconds: 8)
        let keys = try #require(events.lazy.compactMap(\.keys).first, "events: \(events)")
        #expect(keys.protectionProfile == 0x0007)
        #expect(client.waitForOutput(containing: "Keying material: ", seconds: 5))
        let printed = try #require(client.keyingMaterial)
        // We are the server: local is server_write, remote is client_write.
        #expect(printed == keys.remoteMasterKey + keys.localMasterKey + keys.remoteMasterSalt + keys.localMasterSalt)
    }
}

/// Our identity as PEM files for the openssl tool.
private struct PEMFiles {
    let certificate: String
    let key: String

    init(_ identity: DTLSCertificate) throws {
        let base = NSTemporaryDirectory() + "swift-sfu-dtls-\(UInt64.random(in: 0...UInt64.max))"
        certificate = base + "-cert.pem"
        key = base + "-key.pem"
        try identity.pemCertificate.write(toFile: certificate, atomically: true, encoding: .utf8)
        try identity.pemPrivateKey.write(toFile: key, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: certificate)
        try? FileManager.default.removeItem(atPath: key)
    }
}

/// An `openssl` child process whose output we read; stdin stays open so it does not quit.
private final class OpenSSLTool: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private let lock = NSLock()
    private var text = ""

    static func start(_ arguments: [String]) throws -> OpenSSLTool {
        let tool = OpenSSLTool()
        tool.process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        tool.process.arguments = arguments
        tool.process.standardInput = tool.input
        tool.process.standardOutput = tool.output
        tool.process.standardError = tool.output
        tool.output.fileHandleForReading.readabilityHandler = { [weak tool] handle in
            let data = handle.availableData
            guard let tool, !data.isEmpty else { return }
            tool.lock.lock()
            tool.text += String(decoding: data, as: UTF8.self)
            tool.lock.unlock()
        }
        try tool.process.run()
        return tool
    }

    var outputText: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }

    func waitForOutput(containing needle: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if outputText.contains(needle) { return true }
            usleep(20_000)
        }
        return outputText.contains(needle)
    }

    /// The bytes after "Keying material: " (hex).
    var keyingMaterial: [UInt8]? {
        guard let range = outputText.range(of: "Keying material: ") else { return nil }
        let hex = outputText[range.upperBound...].prefix(while: { $0.isHexDigit })
        guard hex.count % 2 == 0, !hex.isEmpty else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// End of input makes s_server/s_client quit; SIGKILL if it does not (the test runner's
    /// children may inherit an ignored SIGTERM).
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }
}

/// A blocking UDP socket on 127.0.0.1 that pumps one DTLS endpoint in real time.
private final class UDPSocket {
    let fd: Int32
    private(set) var port: UInt16 = 0
    private var peer: sockaddr_in?
    var dropFirstSent = false
    var dropFirstReceived = false

    struct Failure: Error { var what: String }

    static func freePort() throws -> UInt16 {
        let probe = try UDPSocket(bindingLoopback: ())
        defer { close(probe.fd) }
        return probe.port
    }

    init(bindingLoopback: Void) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(what: "bind") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
    }

    convenience init(connectingToPort port: UInt16) throws {
        try self.init(bindingLoopback: ())
        peer = Self.loopback(port: port)
    }

    deinit { close(fd) }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// Runs the endpoint against the socket until it connects or fails, or `seconds` pass.
    func drive(_ endpoint: DTLSEndpoint, seconds: Double) -> [DTLSEvent] {
        let deadline = MonotonicInstant.now().adding(seconds: seconds)
        var events: [DTLSEvent] = []
        endpoint.start(now: .now())
        var buffer = [UInt8](repeating: 0, count: 2048)
        while MonotonicInstant.now() < deadline {
            while let datagram = endpoint.pollTransmit() {
                guard var destination = peer else { break }
                if dropFirstSent {
                    dropFirstSent = false
                    continue
                }
                _ = datagram.withUnsafeBytes { raw in
                    withUnsafePointer(to: &destination) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            }
            while let event = endpoint.pollEvent() { events.append(event) }
            if events.contains(where: { $0.keys != nil || $0.failure != nil }) { return events }
            let now = MonotonicInstant.now()
            let wake = min(endpoint.nextTimeout() ?? deadline, deadline)
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let waitMilliseconds = Int32(min(200, wake.milliseconds(since: now)))
            if poll(&descriptor, 1, waitMilliseconds) > 0 {
                var from = sockaddr_in()
                var fromLength = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &fromLength)
                        }
                    }
                }
                if count > 0 && dropFirstReceived {
                    dropFirstReceived = false
                } else if count > 0 {
                    if peer == nil { peer = from }
                    buffer.withUnsafeBytes { endpoint.handleDatagram(UnsafeRawBufferPointer(rebasing: $0[0..<count]), now: .now()) }
                }
            }
            endpoint.handleTimeout(now: .now())
        }
        return events
    }
}
