/// Retransmission and give-up timing of a DTLS handshake (RFC 6347 §4.2.4.1), on the
/// injected clock.
public struct DTLSTimerPolicy: Sendable, Hashable {
    /// First retransmission timeout of each flight; RFC 6347 recommends 1 s.
    public var initialRetransmitMilliseconds: UInt64
    /// The timeout doubles after each retransmission up to this cap (RFC 6347: at least 60 s).
    public var maximumRetransmitMilliseconds: UInt64
    /// The whole handshake (from `start`) must finish within this time, else
    /// `.failed("DTLS timeout")` (30 s, as Janus gives up on a stalled DTLS handshake).
    public var handshakeTimeoutMilliseconds: UInt64

    public init(
        initialRetransmitMilliseconds: UInt64 = 1_000,
        maximumRetransmitMilliseconds: UInt64 = 60_000,
        handshakeTimeoutMilliseconds: UInt64 = 30_000
    ) {
        self.initialRetransmitMilliseconds = max(1, initialRetransmitMilliseconds)
        self.maximumRetransmitMilliseconds = max(self.initialRetransmitMilliseconds, maximumRetransmitMilliseconds)
        self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
    }

    /// OpenSSL fails a flight after 12 timeouts (DTLS1_TMO_ALERT_COUNT); stay below it.
    static let maximumRetransmissionsPerFlight = 10

    /// How many retransmissions of one flight can fall inside the handshake timeout, i.e. how
    /// many copies of a flight `DTLSEndpoint` has OpenSSL prepare (at least 1).
    var retransmissionsPerFlight: Int {
        var elapsed: UInt64 = 0
        var interval = initialRetransmitMilliseconds
        var count = 0
        while count < Self.maximumRetransmissionsPerFlight {
            elapsed += interval
            if elapsed >= handshakeTimeoutMilliseconds { break }
            count += 1
            interval = min(interval * 2, maximumRetransmitMilliseconds)
        }
        return max(1, count)
    }
}
