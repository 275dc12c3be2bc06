import SFUBase
/// A sender report (RFC 3550 §6.4.1), parsed into a value or built into a caller buffer.
public struct RTCPSenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    /// 64-bit NTP timestamp (seconds since 1900 << 32 | fraction).
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// At most 31 blocks.
    public var reportBlocks: [RTCPReportBlock]

    public init(
        ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reportBlocks: [RTCPReportBlock] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reportBlocks = reportBlocks
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(packet, type: RTCPPacketType.senderReport, minimumBody: 24)
        let b = packet.buffer
        let o = packet.offset
        ssrc = b.readUInt32(at: o + 4)
        ntpTimestamp = b.readUInt64(at: o + 8)
        rtpTimestamp = b.readUInt32(at: o + 16)
        packetCount = b.readUInt32(at: o + 20)
        octetCount = b.readUInt32(at: o + 24)
        reportBlocks = try readReportBlocks(
            b, count: Int(packet.count), offset: o + 28, end: o + packet.length - packet.paddingLength)
    }

    public var length: Int { 28 + reportBlocks.count * RTCPReportBlock.length }

    /// Writes the packet at the start of `buffer`; returns its length.
    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard reportBlocks.count <= 31 else { throw .valueOutOfRange }
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        writeRTCPHeader(
            buffer, at: 0, count: UInt8(reportBlocks.count), packetType: RTCPPacketType.senderReport, length: total)
        buffer.writeUInt32(ssrc, at: 4)
        buffer.writeUInt64(ntpTimestamp, at: 8)
        buffer.writeUInt32(rtpTimestamp, at: 16)
        buffer.writeUInt32(packetCount, at: 20)
        buffer.writeUInt32(octetCount, at: 24)
        for (i, block) in reportBlocks.enumerated() {
            block.write(into: buffer, at: 28 + i * RTCPReportBlock.length)
        }
        return total
    }
}

/// A receiver report (RFC 3550 §6.4.2).
public struct RTCPReceiverReport: Sendable, Equatable {
    public var ssrc: UInt32
    /// At most 31 blocks.
    public var reportBlocks: [RTCPReportBlock]

    public init(ssrc: UInt32, reportBlocks: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reportBlocks = reportBlocks
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(packet, type: RTCPPacketType.receiverReport, minimumBody: 4)
        ssrc = packet.buffer.readUInt32(at: packet.offset + 4)
        reportBlocks = try readReportBlocks(
            packet.buffer, count: Int(packet.count), offset: packet.offset + 8,
            end: packet.offset + packet.length - packet.paddingLength)
    }

    public var length: Int { 8 + reportBlocks.count * RTCPReportBlock.length }

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard reportBlocks.count <= 31 else { throw .valueOutOfRange }
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        writeRTCPHeader(
            buffer, at: 0, count: UInt8(reportBlocks.count), packetType: RTCPPacketType.receiverReport,
            length: total)
        buffer.writeUInt32(ssrc, at: 4)
        for (i, block) in reportBlocks.enumerated() {
            block.write(into: buffer, at: 8 + i * RTCPReportBlock.length)
        }
        return total
    }
}
