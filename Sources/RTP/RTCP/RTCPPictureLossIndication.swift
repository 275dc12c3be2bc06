import SFUBase
/// A picture loss indication (RFC 4585 §6.3.1): asks the media sender for a keyframe.
public struct RTCPPictureLossIndication: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(
            packet, type: RTCPPacketType.payloadSpecificFeedback, format: RTCPFeedbackFormat.pictureLossIndication,
            minimumBody: 8)
        senderSSRC = packet.buffer.readUInt32(at: packet.offset + 4)
        mediaSSRC = packet.buffer.readUInt32(at: packet.offset + 8)
    }

    public static let length = 12

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard buffer.count >= Self.length else { throw .bufferTooSmall }
        writeFeedbackHeader(
            buffer, format: RTCPFeedbackFormat.pictureLossIndication,
            packetType: RTCPPacketType.payloadSpecificFeedback, length: Self.length, senderSSRC: senderSSRC,
            mediaSSRC: mediaSSRC)
        return Self.length
    }
}

/// A full intra request (RFC 5104 §4.3.1): keyframe requests with a per-target command
/// sequence number, so a repeated request is recognised as the same one.
public struct RTCPFullIntraRequest: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var ssrc: UInt32
        public var sequenceNumber: UInt8

        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public var senderSSRC: UInt32
    /// RFC 5104 says 0; some senders put the target SSRC here, so it is kept as read.
    public var mediaSSRC: UInt32
    public var entries: [Entry]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32 = 0, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.entries = entries
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        try checkRTCP(
            packet, type: RTCPPacketType.payloadSpecificFeedback, format: RTCPFeedbackFormat.fullIntraRequest,
            minimumBody: 8)
        let b = packet.buffer
        senderSSRC = b.readUInt32(at: packet.offset + 4)
        mediaSSRC = b.readUInt32(at: packet.offset + 8)
        let end = packet.offset + packet.length - packet.paddingLength
        var offset = packet.offset + 12
        entries = []
        while offset + 8 <= end {
            entries.append(Entry(ssrc: b.readUInt32(at: offset), sequenceNumber: b.readUInt8(at: offset + 4)))
            offset += 8
        }
    }

    public var length: Int { 12 + entries.count * 8 }

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        guard total / 4 - 1 <= 0xFFFF else { throw .valueOutOfRange }
        writeFeedbackHeader(
            buffer, format: RTCPFeedbackFormat.fullIntraRequest, packetType: RTCPPacketType.payloadSpecificFeedback,
            length: total, senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)
        for (i, entry) in entries.enumerated() {
            let o = 12 + i * 8
            buffer.writeUInt32(entry.ssrc, at: o)
            buffer.writeUInt32(UInt32(entry.sequenceNumber) << 24, at: o + 4)
        }
        return total
    }
}

/// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2.2), an
/// application-layer feedback message (PSFB FMT 15) tagged "REMB".
public struct RTCPReceiverEstimatedMaxBitrate: Sendable, Equatable {
    public var senderSSRC: UInt32
    /// Bits per second; encoded as an 18-bit mantissa and 6-bit exponent, so large values
    /// are rounded down to the representable value when written.
    public var bitrate: UInt64
    /// The media SSRCs the estimate applies to (at most 255).
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    static let identifier: UInt32 = 0x5245_4D42  // "REMB"

    /// True when `packet` is PSFB FMT 15 carrying the "REMB" identifier.
    public static func matches(_ packet: RTCPPacket) -> Bool {
        packet.packetType == RTCPPacketType.payloadSpecificFeedback
            && packet.feedbackFormat == RTCPFeedbackFormat.applicationLayer
            && packet.body.count >= 16 && packet.buffer.readUInt32(at: packet.offset + 12) == identifier
    }

    public init(_ packet: RTCPPacket) throws(RTCPError) {
        guard Self.matches(packet) else { throw .wrongType }
        let b = packet.buffer
        let o = packet.offset
        senderSSRC = b.readUInt32(at: o + 4)
        let word = b.readUInt32(at: o + 16)
        let count = Int(word >> 24)
        let exponent = UInt64((word >> 18) & 0x3F)
        let mantissa = UInt64(word & 0x3_FFFF)
        // Exponents above 46 would overflow 64 bits; saturate instead of trapping.
        bitrate = exponent > 46 ? UInt64.max : mantissa << exponent
        let end = o + packet.length - packet.paddingLength
        guard o + 20 + count * 4 <= end else { throw .tooShort }
        ssrcs = (0..<count).map { b.readUInt32(at: o + 20 + $0 * 4) }
    }

    public var length: Int { 20 + ssrcs.count * 4 }

    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPError) -> Int {
        guard ssrcs.count <= 255 else { throw .valueOutOfRange }
        let total = length
        guard total <= buffer.count else { throw .bufferTooSmall }
        writeFeedbackHeader(
            buffer, format: RTCPFeedbackFormat.applicationLayer, packetType: RTCPPacketType.payloadSpecificFeedback,
            length: total, senderSSRC: senderSSRC, mediaSSRC: 0)
        buffer.writeUInt32(Self.identifier, at: 12)
        var mantissa = bitrate
        var exponent: UInt32 = 0
        while mantissa > 0x3_FFFF {
            mantissa >>= 1
            exponent += 1
        }
        buffer.writeUInt32(UInt32(ssrcs.count) << 24 | exponent << 18 | UInt32(mantissa), at: 16)
        for (i, ssrc) in ssrcs.enumerated() {
            buffer.writeUInt32(ssrc, at: 20 + i * 4)
        }
        return total
    }
}
