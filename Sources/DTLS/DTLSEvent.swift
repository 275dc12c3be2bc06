/// What a `DTLSEndpoint` reports to its owner, drained with `pollEvent()`.
public enum DTLSEvent: Sendable {
    /// The handshake finished, the peer's certificate matches the SDP fingerprint and SRTP
    /// keys were exported (RFC 5764 §4.2). Emitted once.
    case connected(DTLSSRTPKeyingMaterial)
    /// The association is dead (handshake error, fatal alert, fingerprint mismatch, timeout);
    /// no keys are given. Emitted once; nothing follows it.
    case failed(String)
    /// The peer sent close_notify (RFC 5246 §7.2.1).
    case closed
    /// Application data records (e.g. SCTP for data channels, RFC 8261).
    case applicationData([UInt8])
}
