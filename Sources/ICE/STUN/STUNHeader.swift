/// The fixed 20-byte STUN header (RFC 8489 §5), checked without looking at attributes.
///
/// Used on its own when a request's attributes are malformed: the header still names the
/// transaction id that a 400 response must echo.
public struct STUNHeader: Sendable, Hashable {
    public static let size = 20

    public var messageType: STUNMessageType
    /// The length of the attributes, excluding the header (a multiple of 4).
    public var length: Int
    public var transactionID: STUNTransactionID

    /// Validates the header of a whole UDP datagram: the top two bits are zero, the magic
    /// cookie is present, and the length is a multiple of 4 that covers the datagram exactly.
    public init(_ datagram: UnsafeRawBufferPointer) throws(STUNParseError) {
        guard datagram.count >= Self.size else { throw .tooShort }
        let rawType = datagram.loadBigEndianUInt16(at: 0)
        guard rawType & 0xC000 == 0 else { throw .notSTUN }
        guard datagram.loadBigEndianUInt32(at: 4) == stunMagicCookie else { throw .badMagicCookie }
        let length = Int(datagram.loadBigEndianUInt16(at: 2))
        guard length & 3 == 0, Self.size + length == datagram.count else { throw .badLength }
        self.messageType = STUNMessageType(rawValue: rawType)
        self.length = length
        self.transactionID = STUNTransactionID(
            word0: datagram.loadBigEndianUInt32(at: 8),
            word1: datagram.loadBigEndianUInt32(at: 12),
            word2: datagram.loadBigEndianUInt32(at: 16))
    }

    /// The header if `datagram` is a well-formed STUN message header, else nil.
    public static func peek(_ datagram: UnsafeRawBufferPointer) -> STUNHeader? {
        try? STUNHeader(datagram)
    }

    /// Whether the message starting at `message` (at least its first two bytes) is an error
    /// response, from the class bits of the type alone (RFC 8489 §5): what a response
    /// rate limit needs to know about a message just written, without parsing it.
    public static func isErrorResponse(_ message: UnsafeRawBufferPointer) -> Bool {
        guard message.count >= 2 else { return false }
        return message.loadBigEndianUInt16(at: 0) & 0x0110 == 0x0110
    }
}

// Bounds are checked by every caller before these run; they exist so the parsing code reads
// as offsets and big-endian values rather than pointer arithmetic.
extension UnsafeRawBufferPointer {
    @inlinable
    func loadBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    func loadBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[range])
    }
}

extension UnsafeMutableRawBufferPointer {
    @inlinable
    func storeBigEndian(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inlinable
    func storeBigEndian(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inlinable
    func storeBigEndian(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}
