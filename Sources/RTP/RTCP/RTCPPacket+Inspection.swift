import SFUBase
// Allocation-free reads straight from an `RTCPPacket` view, for the per-feedback paths
// (retransmission on NACK, keyframe requests, loss statistics) where building value structs
// with arrays would allocate.

extension RTCPPacket {
    /// SSRC of the media source of an RTPFB/PSFB feedback packet (RFC 4585 §6.1).
    public var mediaSSRC: UInt32? {
        length - paddingLength >= 12 ? buffer.readUInt32(at: offset + 8) : nil
    }

    /// True for a generic NACK (RTPFB FMT 1).
    public var isGenericNACK: Bool {
        packetType == RTCPPacketType.transportFeedback && feedbackFormat == RTCPFeedbackFormat.genericNACK
    }

    /// True for a PLI (PSFB FMT 1).
    public var isPictureLossIndication: Bool {
        packetType == RTCPPacketType.payloadSpecificFeedback
            && feedbackFormat == RTCPFeedbackFormat.pictureLossIndication
    }

    /// True for a FIR (PSFB FMT 4).
    public var isFullIntraRequest: Bool {
        packetType == RTCPPacketType.payloadSpecificFeedback && feedbackFormat == RTCPFeedbackFormat.fullIntraRequest
    }

    /// True for transport-wide CC feedback (RTPFB FMT 15).
    public var isTransportWideFeedback: Bool {
        packetType == RTCPPacketType.transportFeedback && feedbackFormat == RTCPFeedbackFormat.transportWideCC
    }

    /// Report blocks that fit in an SR or RR (min of RC and the bytes present); 0 otherwise.
    public var reportBlockCount: Int {
        let first: Int
        switch packetType {
        case RTCPPacketType.senderReport: first = 28
        case RTCPPacketType.receiverReport: first = 8
        default: return 0
        }
        let available = max(0, (length - paddingLength - first) / RTCPReportBlock.length)
        return min(Int(count), available)
    }

    /// Report block `index` of an SR or RR, or nil when out of range.
    public func reportBlock(at index: Int) -> RTCPReportBlock? {
        guard index >= 0, index < reportBlockCount else { return nil }
        let first = packetType == RTCPPacketType.senderReport ? 28 : 8
        return RTCPReportBlock(buffer: buffer, at: offset + first + index * RTCPReportBlock.length)
    }
}

extension RTCPGenericNACK {
    /// Calls `body` with every sequence number a generic NACK reports lost, reading the
    /// PID+BLP pairs in place (no allocation).
    public static func forEachLostSequenceNumber(
        in packet: RTCPPacket, _ body: (UInt16) -> Void
    ) throws(RTCPError) {
        try checkRTCP(
            packet, type: RTCPPacketType.transportFeedback, format: RTCPFeedbackFormat.genericNACK, minimumBody: 8)
        let end = packet.offset + packet.length - packet.paddingLength
        var offset = packet.offset + 12
        while offset + 4 <= end {
            let pid = packet.buffer.readUInt16(at: offset)
            var mask = packet.buffer.readUInt16(at: offset + 2)
            body(pid)
            var i: UInt16 = 1
            while mask != 0 {
                if mask & 1 != 0 { body(pid &+ i) }
                mask >>= 1
                i += 1
            }
            offset += 4
        }
    }
}
