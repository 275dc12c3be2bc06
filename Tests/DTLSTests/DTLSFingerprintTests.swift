import Testing
@testable import DTLS

@Suite("DTLS fingerprint (RFC 8122)")
struct DTLSFingerprintTests {
    static let sha256Bytes: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }
    static let sha256Hex: String = DTLSFingerprint.hexList(sha256Bytes)

    static func hex(_ count: Int, separator: String = ":") -> String {
        Array(repeating: "AB", count: count).joined(separator: separator)
    }

    static let badValues: [String] = [
        "",
        "sha-256",
        "sha-256 ",
        "md5 " + hex(16),
        "sha-256 " + hex(31),
        "sha-256 " + hex(33),
        "sha-256 " + hex(32, separator: "-"),
        "sha-256 " + hex(32, separator: ""),
        "sha-256 " + hex(31) + ":",
        "sha-256 :" + hex(32),
        "sha-256 " + hex(31) + ":GG",
        "sha-256 " + hex(31) + ":A",
        "sha-256 " + hex(31) + ":ABC",
        "sha-256 " + hex(31) + ":é1",
        "sha-256 " + hex(32) + " extra",
        "sha-1 " + hex(32),
    ]

    @Test func parsesAndFormatsSha256() throws {
        let fingerprint = try #require(DTLSFingerprint(sdpValue: "sha-256 " + Self.sha256Hex))
        #expect(fingerprint.algorithm == "sha-256")
        #expect(fingerprint.bytes == Self.sha256Bytes)
        #expect(fingerprint.sdpValue == "sha-256 " + Self.sha256Hex)
    }

    @Test func caseInsensitive() throws {
        let lower = try #require(DTLSFingerprint(sdpValue: "SHA-256 " + Self.sha256Hex.lowercased()))
        #expect(lower.algorithm == "sha-256")
        #expect(lower == DTLSFingerprint(sdpValue: "sha-256 " + Self.sha256Hex))
        #expect(lower.sdpValue == "sha-256 " + Self.sha256Hex)
    }

    @Test(arguments: [("sha-1", 20), ("sha-224", 28), ("sha-384", 48), ("sha-512", 64)])
    func otherHashFunctions(algorithm: String, length: Int) throws {
        let hex = Self.hex(length)
        let fingerprint = try #require(DTLSFingerprint(sdpValue: "\(algorithm) \(hex)"))
        #expect(fingerprint.bytes == Array(repeating: 0xAB, count: length))
        #expect(fingerprint.sdpValue == "\(algorithm) \(hex)")
    }

    @Test(arguments: badValues)
    func rejectsBadInput(_ value: String) {
        #expect(DTLSFingerprint(sdpValue: value) == nil)
    }

    @Test func toleratesSurroundingWhitespace() {
        #expect(DTLSFingerprint(sdpValue: "  sha-256   \(Self.sha256Hex) ") != nil)
    }

    @Test func generatedCertificateFingerprintIsSha256OfTheDER() throws {
        let certificate = try DTLSCertificate.generateSelfSigned()
        #expect(certificate.fingerprint.algorithm == "sha-256")
        #expect(certificate.fingerprint.bytes.count == 32)
        #expect(DTLSFingerprint(sdpValue: certificate.fingerprint.sdpValue) == certificate.fingerprint)
        #expect(DTLSCertificate.digest(of: certificate.x509, algorithm: "sha-256") == certificate.fingerprint.bytes)
        #expect(DTLSCertificate.digest(of: certificate.x509, algorithm: "md5") == nil)
    }
}
