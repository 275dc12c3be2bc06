/// Why an SDP could not be parsed or negotiated.
///
/// Every case maps to Janus error 465 (`JANUS_ERROR_JSEP_INVALID_SDP`) at the
/// signaling layer; `message` is the human text that goes into the reason.
/// Value type, safe to pass between threads.
public struct SDPError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The text is not an SDP (RFC 8866 §5 syntax).
        case invalidSyntax
        /// No `a=ice-ufrag`/`a=ice-pwd` for the BUNDLE transport (RFC 8839 §5.4).
        case missingICECredentials
        /// No `a=fingerprint` for the BUNDLE transport (RFC 8122 §5).
        case missingFingerprint
        /// Nothing that can share our single BUNDLE transport (RFC 8843).
        case noBundleableMedia
        /// `a=mid` longer than 16 characters (Janus' limit; RTP `mid` extension max).
        case midTooLong
        /// An answer that does not fit the offer it answers (RFC 3264 §6).
        case invalidAnswer
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
