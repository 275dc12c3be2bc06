import SFUBase
/// Reads and writes the common RFC 4585 §6.1 feedback header (after the RTCP header):
/// SSRC of packet sender, SSRC of media source.
func writeFeedbackHeader(
    _ buffer: UnsafeMutableRawBufferPointer, format: UInt8, packetType: UInt8, length: Int,
    senderSSRC: UInt32, mediaSSRC: UInt32
) {
    writeRTCPHeader(buffer, at: 0, count: format, packetType: packetType, length: length)
    buffer.writeUInt32(senderSSRC, at: 4)
    buffer.writeUInt32(mediaSSRC, at: 8)
}
