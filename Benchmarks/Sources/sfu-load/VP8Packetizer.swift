/// Splits one encoded VP8 frame into RTP payloads (RFC 7741 §4.2): a 4-byte payload descriptor
/// (X=1; S=1 and PID=0 on the first packet; I=1 with a 15-bit PictureID), then an equal share
/// of the frame, so no payload exceeds `maxPayload` bytes and the packets have similar sizes
/// (as browsers packetize). Pure; used by the publisher's send path and the tests.
enum VP8Packetizer {
    static let descriptorLength = 4

    /// The payloads of `frame`; the last one has `trailerRoom` spare bytes at its end.
    static func payloads(frame: [UInt8], pictureID: UInt16, maxPayload: Int, trailerRoom: Int = 0) -> [[UInt8]] {
        let room = max(1, maxPayload - descriptorLength)
        let total = frame.count + trailerRoom
        let count = max(1, (total + room - 1) / room)
        let share = (total + count - 1) / count
        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(count)
        var offset = 0
        for index in 0..<count {
            let end = min(frame.count, offset + share)
            var payload: [UInt8] = [
                0x80 | (index == 0 ? 0x10 : 0x00),  // X, S on the first packet, PID 0
                0x80,  // I: PictureID present
                0x80 | UInt8((pictureID >> 8) & 0x7F),  // M: 15-bit PictureID
                UInt8(truncatingIfNeeded: pictureID),
            ]
            payload.reserveCapacity(descriptorLength + share + trailerRoom)
            payload += frame[offset..<end]
            if index == count - 1 { payload += [UInt8](repeating: 0, count: trailerRoom) }
            payloads.append(payload)
            offset = end
        }
        return payloads
    }

    /// Whether a frame is a keyframe: the P bit of the VP8 frame tag (RFC 6386 §9.1) is 0.
    static func isKeyframe(_ frame: [UInt8]) -> Bool { frame.first.map { $0 & 0x01 == 0 } ?? false }
}

/// Opus over RTP (RFC 7587): one Opus packet per payload. This pads a packet so it ends with
/// at least `MediaTrailer.length` bytes that decoders skip (RFC 6716 §3.2.5 code-3 padding).
enum OpusPadding {
    /// Bytes of padding a code-3 packet declares (0 for other codes or a malformed packet).
    static func paddingLength(_ packet: [UInt8]) -> Int {
        guard packet.count >= 2, packet[0] & 0x03 == 3, packet[1] & 0x40 != 0 else { return 0 }
        var total = 0
        var index = 2
        while index < packet.count {
            let byte = Int(packet[index])
            index += 1
            // 255 means 254 bytes of padding and another length byte follows.
            total += byte == 255 ? 254 : byte
            if byte != 255 { return total }
        }
        return 0
    }
}
