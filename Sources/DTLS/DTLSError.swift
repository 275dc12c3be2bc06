/// Errors thrown while setting up DTLS objects (certificates, contexts, endpoints).
///
/// Failures of a running association are not thrown: they arrive as `DTLSEvent.failed`.
public enum DTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An OpenSSL call failed; `reason` holds the drained OpenSSL error queue.
    case openSSL(operation: String, reason: String)
    /// PEM text that does not hold a certificate or a private key, or a key that does not match.
    case invalidPEM(String)
    /// An SRTP protection profile id we do not know (RFC 5764 §4.1.2, RFC 7714 §14.2).
    case unsupportedSRTPProfile(UInt16)
    /// An MTU OpenSSL cannot work with (it needs at least 256 bytes).
    case invalidMTU(Int)

    public var description: String {
        switch self {
        case let .openSSL(operation, reason): return "\(operation) failed: \(reason)"
        case let .invalidPEM(reason): return "invalid PEM: \(reason)"
        case let .unsupportedSRTPProfile(id): return "unsupported SRTP protection profile 0x\(String(id, radix: 16))"
        case let .invalidMTU(mtu): return "invalid DTLS MTU \(mtu)"
        }
    }
}
