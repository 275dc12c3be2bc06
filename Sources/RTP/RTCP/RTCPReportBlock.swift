import SFUBase
/// One reception report block (RFC 3550 §6.4.1), 24 bytes in SR and RR packets.
public struct RTCPReportBlock: Sendable, Equatable {
    public var ssrc: UInt32
    /// Fraction lost since the previous report, in 1/256 units.
    public var fractionLost: UInt8
    /// Cumulative number of packets lost (24-bit signed; may be negative with duplicates).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles << 16 | seq).
    public var extendedHighestSequenceNumber: UInt32
    public var interarrivalJitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received (LSR).
    public var lastSenderReport: UInt32
    /// Delay since that SR, in 1/65536 seconds (DLSR).
    public var delaySinceLastSenderReport: UInt32

    public static let length = 24

    public init(
        ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0,
        extendedHighestSequenceNumber: UInt32 = 0, interarrivalJitter: UInt32 = 0,
        lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.interarrivalJitter = interarrivalJitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    init(buffer: UnsafeMutableRawBufferPointer, at o: Int) {
        ssrc = buffer.readUInt32(at: o)
        fractionLost = buffer.readUInt8(at: o + 4)
        let raw = buffer.readUInt24(at: o + 5)
        // Sign-extend the 24-bit field.
        cumulativeLost = Int32(bitPattern: raw << 8) >> 8
        extendedHighestSequenceNumber = buffer.readUInt32(at: o + 8)
        interarrivalJitter = buffer.readUInt32(at: o + 12)
        lastSenderReport = buffer.readUInt32(at: o + 16)
        delaySinceLastSenderReport = buffer.readUInt32(at: o + 20)
    }

    func write(into buffer: UnsafeMutableRawBufferPointer, at o: Int) {
        buffer.writeUInt32(ssrc, at: o)
        buffer.writeUInt8(fractionLost, at: o + 4)
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        buffer.writeUInt24(UInt32(bitPattern: clamped) & 0xFF_FFFF, at: o + 5)
        buffer.writeUInt32(extendedHighestSequenceNumber, at: o + 8)
        buffer.writeUInt32(interarrivalJitter, at: o + 12)
        buffer.writeUInt32(lastSenderReport, at: o + 16)
        buffer.writeUInt32(delaySinceLastSenderReport, at: o + 20)
    }
}

/// Reads `count` report blocks starting at `offset`, bounded by `end`.
func readReportBlocks(
    _ buffer: UnsafeMutableRawBufferPointer, count: Int, offset: Int, end: Int
) throws(RTCPError) -> [RTCPReportBlock] {
    guard offset + count * RTCPReportBlock.length <= end else { throw .tooShort }
    var blocks: [RTCPReportBlock] = []
    blocks.reserveCapacity(count)
    for i in 0..<count {
        blocks.append(RTCPReportBlock(buffer: buffer, at: offset + i * RTCPReportBlock.length))
    }
    return blocks
}
