import Testing
@testable import DTLS

@Suite("DTLS certificate")
struct DTLSCertificateTests {
    @Test func pemRoundTrip() throws {
        let original = try DTLSCertificate.generateSelfSigned(commonName: "round-trip")
        let certificatePEM = original.pemCertificate
        let keyPEM = original.pemPrivateKey
        #expect(certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(keyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let loaded = try DTLSCertificate(pemCertificate: certificatePEM, pemPrivateKey: keyPEM)
        #expect(loaded.fingerprint == original.fingerprint)
        #expect(loaded.pemCertificate == certificatePEM)
        // The loaded identity handshakes, and the peer sees the same fingerprint.
        let link = try DTLSTestLink.make(serverCertificate: loaded)
        link.start()
        link.runUntilSettled()
        #expect(link.clientKeys != nil && link.serverKeys != nil)
    }

    @Test func freshCertificatesDiffer() throws {
        let a = try DTLSCertificate.generateSelfSigned()
        let b = try DTLSCertificate.generateSelfSigned()
        #expect(a.fingerprint != b.fingerprint)
    }

    @Test func badPEMThrows() throws {
        let good = try DTLSCertificate.generateSelfSigned()
        let other = try DTLSCertificate.generateSelfSigned()
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(pemCertificate: "not pem", pemPrivateKey: good.pemPrivateKey)
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(pemCertificate: good.pemCertificate, pemPrivateKey: "")
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(pemCertificate: good.pemCertificate, pemPrivateKey: other.pemPrivateKey)
        }
        #expect(throws: DTLSError.self) {
            _ = try DTLSCertificate(pemCertificate: good.pemPrivateKey, pemPrivateKey: good.pemCertificate)
        }
    }
}
