/// A certificate fingerprint as carried in SDP `a=fingerprint` (RFC 8122 §5): a hash function
/// name and the digest of the DER certificate.
///
/// A value type, free to share between threads. We publish `sha-256`; from peers we also accept
/// `sha-1`, `sha-224`, `sha-384` and `sha-512` (RFC 8122 §5 keeps the RFC 4572 registry; md2/md5
/// are refused).
public struct DTLSFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// Lower-case hash function name from the IANA "Hash Function Textual Names" registry.
    public var algorithm: String
    public var bytes: [UInt8]

    /// Digest lengths of the hash functions we accept, by SDP name.
    static let digestLengths: [String: Int] = [
        "sha-1": 20, "sha-224": 28, "sha-256": 32, "sha-384": 48, "sha-512": 64,
    ]

    /// `nil` unless `algorithm` is one we accept and `bytes` has its digest length.
    public init?(algorithm: String, bytes: [UInt8]) {
        let name = algorithm.lowercased()
        guard let length = Self.digestLengths[name], bytes.count == length else { return nil }
        self.algorithm = name
        self.bytes = bytes
    }

    /// Parses the value of `a=fingerprint:`, e.g. `"sha-256 AB:CD:…"` (hex in either case).
    /// Returns `nil` for an unknown hash function, a malformed hex list or a wrong length.
    public init?(sdpValue: String) {
        let parts = sdpValue.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2 else { return nil }
        var digest: [UInt8] = []
        digest.reserveCapacity(64)
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            let utf8 = Array(pair.utf8)
            guard utf8.count == 2, let high = Self.hexValue(utf8[0]), let low = Self.hexValue(utf8[1])
            else { return nil }
            digest.append(high << 4 | low)
        }
        self.init(algorithm: String(parts[0]), bytes: digest)
    }

    /// `"sha-256 AB:CD:…"` with upper-case hex, as RFC 8122 §5 writes it.
    public var sdpValue: String {
        algorithm + " " + Self.hexList(bytes)
    }

    public var description: String { sdpValue }

    static func hexList(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ":")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
