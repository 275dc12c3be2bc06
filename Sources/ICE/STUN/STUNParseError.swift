/// Why bytes are not a well-formed STUN message (RFC 8489 §6.3). Thrown by `STUNMessage.init`.
public enum STUNParseError: Error, Sendable, Hashable {
    /// Fewer than the 20 header bytes.
    case tooShort
    /// The two most significant bits are not zero (RFC 7983: not STUN).
    case notSTUN
    /// The magic cookie is missing (RFC 3489 messages are not accepted).
    case badMagicCookie
    /// The header's length is not a multiple of 4 or does not match the datagram.
    case badLength
    /// An attribute header or value runs past the end of the message.
    case attributeTruncated(type: UInt16)
    /// A known attribute has an impossible length or content.
    case malformedAttribute(type: UInt16)
    /// An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7).
    case attributeAfterFingerprint
}
