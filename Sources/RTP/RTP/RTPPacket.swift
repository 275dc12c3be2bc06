import SFUBase
/// A validated, zero-copy view of one RTP packet (RFC 3550 §5.1) held in a caller-owned buffer.
///
/// The view borrows `buffer`; it is only valid while the caller keeps the bytes alive and
/// must stay on the thread that owns the buffer. Setters rewrite the header in place, which is
/// how the forwarding path retargets SSRC, sequence number, timestamp and extension ids
/// without copying the payload.
public struct RTPPacket {
    /// The bytes the packet lives in (may be larger than the packet).
    public let buffer: UnsafeMutableRawBufferPointer
    /// Length of the packet in `buffer`.
    public let length: Int
    /// Bytes of fixed header, CSRC list and header extension: where the payload starts.
    public let headerLength: Int
    /// Number of padding bytes at the end (0 when the P bit is clear).
    public let paddingLength: Int
    /// Offset of the 4-byte extension header (profile + length), or -1 when the X bit is clear.
    public let extensionHeaderOffset: Int

    /// Length of the fixed header (RFC 3550 §5.1).
    public static let fixedHeaderLength = 12

    /// Validates the header of the `length` bytes at the start of `buffer`.
    public init(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(RTPError) {
        guard length >= RTPPacket.fixedHeaderLength, length <= buffer.count else { throw .tooShort }
        let first = buffer.readUInt8(at: 0)
        guard first >> 6 == 2 else { throw .badVersion }
        var offset = RTPPacket.fixedHeaderLength + Int(first & 0x0F) * 4
        guard offset <= length else { throw .tooShort }
        var extensionOffset = -1
        if first & 0x10 != 0 {
            guard offset + 4 <= length else { throw .tooShort }
            extensionOffset = offset
            let words = Int(buffer.readUInt16(at: offset + 2))
            offset += 4 + words * 4
            guard offset <= length else { throw .badExtensionLength }
        }
        var padding = 0
        if first & 0x20 != 0 {
            padding = Int(buffer.readUInt8(at: length - 1))
            guard padding > 0, offset + padding <= length else { throw .badPadding }
        }
        self.buffer = buffer
        self.length = length
        self.headerLength = offset
        self.paddingLength = padding
        self.extensionHeaderOffset = extensionOffset
    }

    /// Always 2 for a validated packet.
    public var version: UInt8 { buffer.readUInt8(at: 0) >> 6 }
    public var hasPadding: Bool { buffer.readUInt8(at: 0) & 0x20 != 0 }
    public var hasExtension: Bool { extensionHeaderOffset >= 0 }
    public var csrcCount: Int { Int(buffer.readUInt8(at: 0) & 0x0F) }

    public var marker: Bool {
        get { buffer.readUInt8(at: 1) & 0x80 != 0 }
        nonmutating set {
            let b = buffer.readUInt8(at: 1)
            buffer.writeUInt8(newValue ? b | 0x80 : b & 0x7F, at: 1)
        }
    }

    /// 7-bit payload type; setting keeps the marker bit.
    public var payloadType: UInt8 {
        get { buffer.readUInt8(at: 1) & 0x7F }
        nonmutating set { buffer.writeUInt8((buffer.readUInt8(at: 1) & 0x80) | (newValue & 0x7F), at: 1) }
    }

    public var sequenceNumber: UInt16 {
        get { buffer.readUInt16(at: 2) }
        nonmutating set { buffer.writeUInt16(newValue, at: 2) }
    }

    public var timestamp: UInt32 {
        get { buffer.readUInt32(at: 4) }
        nonmutating set { buffer.writeUInt32(newValue, at: 4) }
    }

    public var ssrc: UInt32 {
        get { buffer.readUInt32(at: 8) }
        nonmutating set { buffer.writeUInt32(newValue, at: 8) }
    }

    /// The CSRC at `index`, or nil when out of range.
    public func csrc(at index: Int) -> UInt32? {
        guard index >= 0, index < csrcCount else { return nil }
        return buffer.readUInt32(at: 12 + index * 4)
    }

    /// Payload bytes, padding excluded.
    public var payloadRange: Range<Int> { headerLength..<(length - paddingLength) }

    /// A view of the payload bytes (padding excluded), sharing memory with the packet.
    public var payload: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer[payloadRange])
    }

    /// The header extension in RFC 8285 form, or nil when absent or of another profile.
    public var headerExtensions: RTPHeaderExtensions? {
        guard extensionHeaderOffset >= 0 else { return nil }
        return RTPHeaderExtensions(
            buffer: buffer, headerOffset: extensionHeaderOffset, end: headerLength)
    }

    /// The 16-bit "defined by profile" value of the extension header, if any.
    public var extensionProfile: UInt16? {
        extensionHeaderOffset >= 0 ? buffer.readUInt16(at: extensionHeaderOffset) : nil
    }
}

extension RTPPacket {
    /// Convenience: the value bytes of extension element `id`, or nil.
    public func extensionElement(id: UInt8) -> UnsafeMutableRawBufferPointer? {
        headerExtensions?.element(id: id).map { $0.value(in: buffer) }
    }
}
