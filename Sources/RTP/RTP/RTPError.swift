/// Why bytes were rejected as an RTP packet or why an in-place edit could not be made.
public enum RTPError: Error, Equatable, Sendable {
    /// Fewer bytes than the fixed header, the CSRC list or the extension header announce.
    case tooShort
    /// The version field is not 2 (RFC 3550 §5.1).
    case badVersion
    /// The extension length runs past the end of the packet.
    case badExtensionLength
    /// The padding count is zero or larger than the payload (RFC 3550 §5.1).
    case badPadding
    /// The packet carries no header extension, or none in RFC 8285 form.
    case noExtension
    /// The element is absent, or the new value does not have the element's length.
    case extensionElementMismatch
    /// An id cannot be represented in the packet's extension form (one-byte ids are 1…14).
    case extensionIDOutOfRange
    /// The caller's buffer cannot hold what was asked to be written.
    case bufferTooSmall
}
