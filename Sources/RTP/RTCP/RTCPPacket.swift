import SFUBase
/// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).
public enum RTCPPacketType {
    public static let senderReport: UInt8 = 200
    public static let receiverReport: UInt8 = 201
    public static let sourceDescription: UInt8 = 202
    public static let goodbye: UInt8 = 203
    public static let applicationDefined: UInt8 = 204
    /// Transport-layer feedback (RFC 4585 §6.2): generic NACK (FMT 1), transport-wide CC (FMT 15).
    public static let transportFeedback: UInt8 = 205
    /// Payload-specific feedback (RFC 4585 §6.3): PLI (FMT 1), FIR (FMT 4), REMB (FMT 15).
    public static let payloadSpecificFeedback: UInt8 = 206
}

/// Feedback message types carried in the count field of RTPFB/PSFB packets.
public enum RTCPFeedbackFormat {
    public static let genericNACK: UInt8 = 1
    public static let transportWideCC: UInt8 = 15
    public static let pictureLossIndication: UInt8 = 1
    public static let fullIntraRequest: UInt8 = 4
    public static let applicationLayer: UInt8 = 15
}

/// A view of one RTCP packet inside a compound packet (RFC 3550 §6.4.1 common header).
///
/// Borrowed from the caller's buffer: valid while the bytes are, on the owning thread.
public struct RTCPPacket {
    /// The compound buffer this packet lives in.
    public let buffer: UnsafeMutableRawBufferPointer
    /// Offset of this packet's first byte in `buffer`.
    public let offset: Int
    /// Bytes of this packet, header and padding included.
    public let length: Int
    /// Padding bytes at the end (P bit), excluded from `body`.
    public let paddingLength: Int

    /// The 5-bit count field: RC, SC or FMT depending on the type.
    public var count: UInt8 { buffer.readUInt8(at: offset) & 0x1F }
    public var packetType: UInt8 { buffer.readUInt8(at: offset + 1) }
    /// The feedback format (same bits as `count`), for RTPFB/PSFB.
    public var feedbackFormat: UInt8 { count }

    /// Bytes after the 4-byte common header, padding excluded.
    public var body: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer[(offset + 4)..<(offset + length - paddingLength)])
    }

    /// The first SSRC after the header (sender SSRC for SR/RR/feedback), if present.
    public var senderSSRC: UInt32? {
        length - paddingLength >= 8 ? buffer.readUInt32(at: offset + 4) : nil
    }

    /// Validates one packet at `offset`; `end` bounds the compound packet.
    init(buffer: UnsafeMutableRawBufferPointer, offset: Int, end: Int) throws(RTCPError) {
        guard offset + 4 <= end else { throw .tooShort }
        let first = buffer.readUInt8(at: offset)
        guard first >> 6 == 2 else { throw .badVersion }
        let length = (Int(buffer.readUInt16(at: offset + 2)) + 1) * 4
        guard offset + length <= end else { throw .badLength }
        var padding = 0
        if first & 0x20 != 0 {
            padding = Int(buffer.readUInt8(at: offset + length - 1))
            guard padding > 0, padding <= length - 4 else { throw .badLength }
        }
        self.buffer = buffer
        self.offset = offset
        self.length = length
        self.paddingLength = padding
    }
}

/// A validated compound RTCP packet (RFC 3550 §6.1): a sequence of `RTCPPacket` views.
///
/// Validation walks every header once up front, so iteration cannot fail.
/// Same thread and lifetime rules as `RTCPPacket`.
public struct RTCPCompoundPacket: Sequence {
    public let buffer: UnsafeMutableRawBufferPointer
    public let length: Int

    public init(buffer: UnsafeMutableRawBufferPointer, length: Int) throws(RTCPError) {
        guard length >= 4, length <= buffer.count else { throw .tooShort }
        var offset = 0
        while offset < length {
            let packet = try RTCPPacket(buffer: buffer, offset: offset, end: length)
            offset += packet.length
        }
        self.buffer = buffer
        self.length = length
    }

    public struct Iterator: IteratorProtocol {
        let buffer: UnsafeMutableRawBufferPointer
        let end: Int
        var offset: Int

        public mutating func next() -> RTCPPacket? {
            guard offset < end, let packet = try? RTCPPacket(buffer: buffer, offset: offset, end: end) else {
                return nil
            }
            offset += packet.length
            return packet
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(buffer: buffer, end: length, offset: 0)
    }
}

/// Writes the RTCP common header; `length` is the packet's total byte count (a multiple of 4).
@inline(__always)
func writeRTCPHeader(
    _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, count: UInt8, packetType: UInt8, length: Int
) {
    buffer.writeUInt8(0x80 | (count & 0x1F), at: offset)
    buffer.writeUInt8(packetType, at: offset + 1)
    buffer.writeUInt16(UInt16(truncatingIfNeeded: length / 4 - 1), at: offset + 2)
}

/// Ensures `packet` has `type` (and `format`, when given) and at least `minimumBody` body bytes.
@inline(__always)
func checkRTCP(
    _ packet: RTCPPacket, type: UInt8, format: UInt8? = nil, minimumBody: Int
) throws(RTCPError) {
    guard packet.packetType == type else { throw .wrongType }
    if let format, packet.feedbackFormat != format { throw .wrongType }
    guard packet.body.count >= minimumBody else { throw .tooShort }
}
