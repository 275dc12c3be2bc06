import DTLS
import NIOCore
import NIOPosix
import NIOSSL
import SFUBase
import Testing

@testable import SFU

/// swift-nio-ssl's BoringSSL (HTTPS/WSS) and the system OpenSSL (DTLS of the media plane) in
/// one process: BoringSSL's symbols carry the `CNIOBoringSSL_` prefix, so neither library's
/// `SSL_*` calls land in the other. Proven by using both, interleaved: an HTTPS request to a
/// server whose certificate OpenSSL made, a DTLS-SRTP handshake on OpenSSL, then HTTPS again.
@Suite struct TLSCoexistenceTests {
    @Test func httpsOnBoringSSLBesideDTLSOnOpenSSL() async throws {
        let server = try SFUServer(options: embeddedOptions {
            $0.https = .init(host: "127.0.0.1", port: 0)
            $0.tls = try? SFUOptions.selfSignedTLS()
        })
        let fingerprint = try #require(try server.options.tlsFingerprint())
        #expect(fingerprint.split(separator: ":").count == 32)
        guard case .pem(let certificatePEM, _) = try #require(server.options.tls) else {
            Issue.record("not PEM")
            return
        }
        let expectedDER = try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem).toDERBytes()
        try await whileRunning([server]) {
            let port = try #require(server.boundAddresses?.httpsPort)
            let first = try await Self.httpsGET(port: port, path: "/janus/info")
            #expect(first.certificateDER == expectedDER)
            #expect(first.response.hasPrefix("HTTP/1.1 200"))
            #expect(first.response.contains(#""janus":"server_info""#))

            try Self.dtlsHandshake()

            let second = try await Self.httpsGET(port: port, path: "/janus/ping")
            #expect(second.response.hasPrefix("HTTP/1.1 200"))
            #expect(second.response.contains("pong"))
        }
    }

    @Test func httpsAndWSSNeedACertificate() {
        #expect(throws: SFUError.self) {
            try SFUServer(options: embeddedOptions { $0.https = .init(host: "127.0.0.1", port: 0) })
        }
        #expect(throws: SFUError.self) {
            try SFUServer(options: embeddedOptions {
                $0.secureWebSocket = .init(host: "127.0.0.1", port: 0)
                $0.tls = .generated
            })
        }
    }

    /// Two OpenSSL DTLS endpoints handshake in memory; both must end with the same SRTP keys.
    static func dtlsHandshake() throws {
        let clientCertificate = try DTLSCertificate.generateSelfSigned(commonName: "client")
        let serverCertificate = try DTLSCertificate.generateSelfSigned(commonName: "server")
        let client = try DTLSEndpoint(
            role: .client, certificate: clientCertificate, remoteFingerprint: serverCertificate.fingerprint,
            srtpProfiles: [0x0007, 0x0001], mtu: 1200, timerPolicy: DTLSTimerPolicy())
        let server = try DTLSEndpoint(
            role: .server, certificate: serverCertificate, remoteFingerprint: clientCertificate.fingerprint,
            srtpProfiles: [0x0007, 0x0001], mtu: 1200, timerPolicy: DTLSTimerPolicy())
        let now = MonotonicInstant(nanoseconds: 1_000_000_000)
        server.start(now: now)
        client.start(now: now)
        for _ in 0..<10 {
            while let datagram = client.pollTransmit() { datagram.withUnsafeBytes { server.handleDatagram($0, now: now) } }
            while let datagram = server.pollTransmit() { datagram.withUnsafeBytes { client.handleDatagram($0, now: now) } }
        }
        #expect(client.isConnected && server.isConnected)
        let clientKeys = try #require(client.keyingMaterial)
        let serverKeys = try #require(server.keyingMaterial)
        #expect(clientKeys.localMasterKey == serverKeys.remoteMasterKey)
        #expect(clientKeys.protectionProfile == 0x0007)
    }

    /// One HTTP/1.1 request over TLS (BoringSSL client, any certificate accepted: the test checks
    /// its bytes instead); the raw response and the server certificate (DER).
    static func httpsGET(port: Int, path: String) async throws -> (response: String, certificateDER: [UInt8]) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        let collector = ResponseCollector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        try await channel.closeFuture.get()
        // Read with the first response bytes: by the time the server has answered and closed
        // (`Connection: close`), the TLS handler may have left the pipeline already.
        let certificate = try #require(collector.certificate, "no peer certificate")
        return (collector.text, try certificate.toDERBytes())
    }
}

/// Collects what the server sends until it closes, and the server's certificate.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private(set) var text = ""
    private(set) var certificate: NIOSSLCertificate?


    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The TLS handler decrypted this, so it is still in the pipeline (it may be gone once
        // the server has closed the connection).
        if certificate == nil {
            certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate
        }
        var buffer = unwrapInboundIn(data)
        text += buffer.readString(length: buffer.readableBytes) ?? ""
    }
}
