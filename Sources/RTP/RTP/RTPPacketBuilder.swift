import SFUBase
/// Describes an RTP packet to write; used by tests, generators and the load harness.
///
/// A plain value: build it anywhere, then `write(into:)` a caller buffer. Not for the
/// forwarding path, which rewrites received packets in place through `RTPPacket`.
public struct RTPPacketBuilder: Sendable {
    public var marker = false
    public var payloadType: UInt8 = 96
    public var sequenceNumber: UInt16 = 0
    public var timestamp: UInt32 = 0
    public var ssrc: UInt32 = 0
    public var csrcs: [UInt32] = []
    /// RFC 8285 elements as (id, value); the one-byte form is used when every id is 1…14
    /// and every value 1…16 bytes long, the two-byte form otherwise.
    public var extensions: [(id: UInt8, value: [UInt8])] = []
    /// Forces the two-byte form even when the one-byte form would do.
    public var forceTwoByteExtensions = false
    public var payload: [UInt8] = []
    /// Padding bytes to append (0 = none; the last byte carries the count).
    public var paddingLength: UInt8 = 0

    public init(
        payloadType: UInt8 = 96, sequenceNumber: UInt16 = 0, timestamp: UInt32 = 0, ssrc: UInt32 = 0,
        marker: Bool = false, payload: [UInt8] = []
    ) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.marker = marker
        self.payload = payload
    }

    private var useOneByteForm: Bool {
        !forceTwoByteExtensions
            && extensions.allSatisfy { $0.id >= 1 && $0.id <= 14 && (1...16).contains($0.value.count) }
    }

    /// Bytes taken by the extension block including its 4-byte header, padded to 32 bits.
    private var extensionBlockLength: Int {
        guard !extensions.isEmpty else { return 0 }
        let perElement = useOneByteForm ? 1 : 2
        let raw = extensions.reduce(0) { $0 + perElement + $1.value.count }
        return 4 + (raw + 3) / 4 * 4
    }

    /// Total length `write(into:)` produces.
    public var length: Int {
        RTPPacket.fixedHeaderLength + csrcs.count * 4 + extensionBlockLength + payload.count
            + Int(paddingLength)
    }

    /// Writes the packet at the start of `buffer` and returns its length.
    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTPError) -> Int {
        let total = length
        guard total <= buffer.count, csrcs.count <= 15 else { throw .bufferTooSmall }
        if !useOneByteForm {
            for element in extensions where element.id == 0 || element.value.count > 255 {
                throw .extensionIDOutOfRange
            }
        }
        var first: UInt8 = 0x80 | UInt8(csrcs.count)
        if paddingLength > 0 { first |= 0x20 }
        if !extensions.isEmpty { first |= 0x10 }
        buffer.writeUInt8(first, at: 0)
        buffer.writeUInt8((marker ? 0x80 : 0) | (payloadType & 0x7F), at: 1)
        buffer.writeUInt16(sequenceNumber, at: 2)
        buffer.writeUInt32(timestamp, at: 4)
        buffer.writeUInt32(ssrc, at: 8)
        var offset = 12
        for csrc in csrcs {
            buffer.writeUInt32(csrc, at: offset)
            offset += 4
        }
        if !extensions.isEmpty {
            let oneByte = useOneByteForm
            let blockLength = extensionBlockLength
            buffer.writeUInt16(oneByte ? 0xBEDE : 0x1000, at: offset)
            buffer.writeUInt16(UInt16((blockLength - 4) / 4), at: offset + 2)
            let blockEnd = offset + blockLength
            offset += 4
            for element in extensions {
                if oneByte {
                    buffer.writeUInt8(element.id << 4 | UInt8(element.value.count - 1), at: offset)
                    offset += 1
                } else {
                    buffer.writeUInt8(element.id, at: offset)
                    buffer.writeUInt8(UInt8(element.value.count), at: offset + 1)
                    offset += 2
                }
                for byte in element.value {
                    buffer.writeUInt8(byte, at: offset)
                    offset += 1
                }
            }
            while offset < blockEnd {
                buffer.writeUInt8(0, at: offset)
                offset += 1
            }
        }
        for byte in payload {
            buffer.writeUInt8(byte, at: offset)
            offset += 1
        }
        if paddingLength > 0 {
            for _ in 0..<(Int(paddingLength) - 1) {
                buffer.writeUInt8(0, at: offset)
                offset += 1
            }
            buffer.writeUInt8(paddingLength, at: offset)
            offset += 1
        }
        return offset
    }

    /// The packet as a new array (tests and generators).
    public func bytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        _ = out.withUnsafeMutableBytes { raw in try? write(into: raw) }
        return out
    }
}
