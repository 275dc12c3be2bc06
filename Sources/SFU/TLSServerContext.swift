import NIOSSL

/// The TLS server context of the HTTPS and WSS listeners, from PEM text (swift-nio-ssl, whose
/// BoringSSL symbols are prefixed, so it shares the process with the OpenSSL of DTLS). Only this
/// module links swift-nio-ssl: the Janus listeners in Signaling get a handler factory.
enum TLSServerContext {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A server context for this certificate chain (PEM, leaf first) and private key (PEM).
    static func make(certificatePEM: String, privateKeyPEM: String) throws(Failure) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
            guard !chain.isEmpty else { throw Failure(description: "no certificate in the PEM text") }
            let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            return try NIOSSLContext(configuration: configuration)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "TLS certificate or key not usable: \(error)")
        }
    }
}
