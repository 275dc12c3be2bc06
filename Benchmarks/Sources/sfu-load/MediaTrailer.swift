/// The 14 bytes sfu-load appends to the media it sends so a subscriber can tell which publisher
/// stream a packet came from, its original sequence number, and when it was sent:
/// "SL", stream index (16 bits), the publisher's sequence number (16 bits), CLOCK_MONOTONIC
/// nanoseconds (64 bits), all big-endian.
///
/// Why not a header extension: Janus 1.1.2 rebuilds every extension of a forwarded packet from
/// the values it parsed (measured: playout-delay arrives zeroed, abs-send-time carries Janus's
/// own send time, abs-capture-time is not negotiated; only mid, audio level and video
/// orientation pass, none wide enough for a clock), while both servers forward the payload
/// untouched. The trailer sits where decoders ignore it: inside Opus code-3 padding
/// (RFC 6716 §3.2.5) and after the last VP8 partition of a frame's final packet.
struct MediaTrailer: Equatable {
    static let length = 14
    static let magic: (UInt8, UInt8) = (0x53, 0x4C)

    var stream: UInt16
    var sequenceNumber: UInt16
    var sentNanoseconds: UInt64

    /// Writes the trailer over the last `length` bytes of `payload` (which must have room).
    func write(into payload: UnsafeMutableRawBufferPointer) {
        let start = payload.count - Self.length
        guard start >= 0 else { return }
        payload[start] = Self.magic.0
        payload[start + 1] = Self.magic.1
        payload[start + 2] = UInt8(stream >> 8)
        payload[start + 3] = UInt8(truncatingIfNeeded: stream)
        payload[start + 4] = UInt8(sequenceNumber >> 8)
        payload[start + 5] = UInt8(truncatingIfNeeded: sequenceNumber)
        for index in 0..<8 {
            payload[start + 6 + index] = UInt8(truncatingIfNeeded: sentNanoseconds >> (56 - 8 * UInt64(index)))
        }
    }

    func write(into payload: inout [UInt8]) {
        payload.withUnsafeMutableBytes { write(into: $0) }
    }

    /// The trailer at the end of `payload`, nil when it does not end with one.
    static func read(_ payload: UnsafeRawBufferPointer) -> MediaTrailer? {
        let start = payload.count - length
        guard start >= 0, payload[start] == magic.0, payload[start + 1] == magic.1 else { return nil }
        var sent: UInt64 = 0
        for index in 0..<8 { sent = sent << 8 | UInt64(payload[start + 6 + index]) }
        return MediaTrailer(
            stream: UInt16(payload[start + 2]) << 8 | UInt16(payload[start + 3]),
            sequenceNumber: UInt16(payload[start + 4]) << 8 | UInt16(payload[start + 5]), sentNanoseconds: sent)
    }

    static func read(_ payload: [UInt8]) -> MediaTrailer? {
        payload.withUnsafeBytes { read($0) }
    }
}
