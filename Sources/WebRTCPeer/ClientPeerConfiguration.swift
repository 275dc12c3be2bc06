import DTLS
import ICE
import RTP

/// What a `ClientPeer` needs to reach one server transport: both sides' ICE credentials, the
/// server's certificate fingerprint and which DTLS role the peer plays. Normally taken from the
/// server's `TransportAllocation` (engine tests) or its SDP answer (load harness).
public struct ClientPeerConfiguration: Sendable {
    /// Our ICE credentials (the server's `TransportSetup.remoteCredentials`).
    public var localCredentials: ICECredentials
    /// The server's ICE credentials (from its allocation or SDP).
    public var remoteCredentials: ICECredentials
    /// The server certificate's fingerprint (`a=fingerprint`).
    public var remoteFingerprint: DTLSFingerprint
    /// Our DTLS role: the opposite of the server's `TransportSetup.dtlsRole`.
    public var dtlsRole: DTLSRole
    /// Our certificate (the server's `TransportSetup.remoteFingerprint` is its fingerprint).
    public var certificate: DTLSCertificate
    /// RFC 8445 §7.2.5.1 tie-breaker carried in ICE-CONTROLLING.
    public var tiebreaker: UInt64
    /// PRIORITY of our (host) candidate, RFC 8445 §5.1.2.1.
    public var priority: UInt32
    /// Retransmission interval of a check that got no answer yet, in milliseconds.
    public var checkIntervalMilliseconds: UInt64
    /// Consent freshness checks once connected (RFC 7675 §5.1: about every 5 s).
    public var consentIntervalMilliseconds: UInt64
    /// Without any successful check for this long the peer reports `.failed`.
    public var consentTimeoutMilliseconds: UInt64
    /// Answer NACKs for our own SSRCs from the history of sent packets, like a browser.
    public var answerNACKs: Bool

    public init(
        localCredentials: ICECredentials = .random(), remoteCredentials: ICECredentials,
        remoteFingerprint: DTLSFingerprint, dtlsRole: DTLSRole, certificate: DTLSCertificate,
        tiebreaker: UInt64 = .random(in: 1...UInt64.max), priority: UInt32 = 0x7E00_01FF,
        checkIntervalMilliseconds: UInt64 = 50, consentIntervalMilliseconds: UInt64 = 2_000,
        consentTimeoutMilliseconds: UInt64 = 30_000, answerNACKs: Bool = false
    ) {
        self.localCredentials = localCredentials
        self.remoteCredentials = remoteCredentials
        self.remoteFingerprint = remoteFingerprint
        self.dtlsRole = dtlsRole
        self.certificate = certificate
        self.tiebreaker = tiebreaker
        self.priority = priority
        self.checkIntervalMilliseconds = checkIntervalMilliseconds
        self.consentIntervalMilliseconds = consentIntervalMilliseconds
        self.consentTimeoutMilliseconds = consentTimeoutMilliseconds
        self.answerNACKs = answerNACKs
    }
}
