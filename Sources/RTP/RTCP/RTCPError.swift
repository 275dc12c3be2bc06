/// Why bytes were rejected as RTCP, or why a builder could not write.
public enum RTCPError: Error, Equatable, Sendable {
    /// Fewer bytes than a header, a length field or a count announces.
    case tooShort
    /// The version field is not 2.
    case badVersion
    /// The length field does not fit the compound packet, or padding is inconsistent.
    case badLength
    /// The packet is not of the type (or feedback format) the parser expects.
    case wrongType
    /// A field holds a value the format cannot carry (e.g. too many items for a count).
    case valueOutOfRange
    /// The caller's buffer cannot hold the packet.
    case bufferTooSmall
}
