import SFUBase
/// RTX retransmission payload format (RFC 4588 §4): the original sequence number (OSN) in
/// front of the original payload, sent on its own SSRC, payload type and sequence space.
///
/// Stateless helpers; the RTX sequence counter belongs to the caller (one per RTX stream).
public enum RTPRetransmission {
    /// Writes the RTX packet for `original` into `destination`: the original header (CSRCs
    /// and extensions kept) with the RTX payload type, SSRC and sequence number, then the
    /// OSN and the original payload; RTP padding is dropped. Returns the length.
    public static func wrap(
        _ original: RTPPacket, into destination: UnsafeMutableRawBufferPointer,
        payloadType: UInt8, ssrc: UInt32, sequenceNumber: UInt16
    ) throws(RTPError) -> Int {
        let payload = original.payloadRange
        let total = original.headerLength + 2 + payload.count
        guard total <= destination.count, let dst = destination.baseAddress, let src = original.buffer.baseAddress
        else { throw .bufferTooSmall }
        dst.copyMemory(from: src, byteCount: original.headerLength)
        (dst + original.headerLength + 2).copyMemory(from: src + payload.lowerBound, byteCount: payload.count)
        destination.writeUInt16(original.sequenceNumber, at: original.headerLength)
        destination.writeUInt8(destination.readUInt8(at: 0) & ~0x20, at: 0)  // no padding
        destination.writeUInt8((destination.readUInt8(at: 1) & 0x80) | (payloadType & 0x7F), at: 1)
        destination.writeUInt16(sequenceNumber, at: 2)
        destination.writeUInt32(ssrc, at: 8)
        return total
    }

    /// Turns the RTX packet in `buffer[0..<length]` back into the original packet in place:
    /// sequence number from the OSN, the given payload type and SSRC (from the SDP `apt` and
    /// `ssrc-group:FID`), padding dropped. Returns the original packet's length.
    public static func unwrap(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, originalPayloadType: UInt8, originalSSRC: UInt32
    ) throws(RTPError) -> Int {
        let packet = try RTPPacket(buffer: buffer, length: length)
        let payload = packet.payloadRange
        guard payload.count >= 2, let base = buffer.baseAddress else { throw .tooShort }
        let osn = buffer.readUInt16(at: payload.lowerBound)
        (base + payload.lowerBound).copyMemory(from: base + payload.lowerBound + 2, byteCount: payload.count - 2)
        buffer.writeUInt8(buffer.readUInt8(at: 0) & ~0x20, at: 0)
        packet.payloadType = originalPayloadType
        packet.sequenceNumber = osn
        packet.ssrc = originalSSRC
        return payload.upperBound - 2
    }
}
