import RTP

/// The send-time stamp at the end of every synthetic payload: "SLT1" then the sender's
/// monotonic clock in nanoseconds (big-endian). An SFU forwards payloads untouched, so the
/// stamp survives any header-extension rewriting; abs-send-time is carried as well.
enum SendTimeStamp {
    static let magic: [UInt8] = Array("SLT1".utf8)
    static let length = 12

    static func write(_ nanoseconds: UInt64, into payload: inout [UInt8]) {
        let start = payload.count - length
        guard start >= 0 else { return }
        for index in 0..<4 { payload[start + index] = magic[index] }
        for index in 0..<8 { payload[start + 4 + index] = UInt8(truncatingIfNeeded: nanoseconds >> (56 - 8 * UInt64(index))) }
    }

    static func read(_ payload: [UInt8]) -> UInt64? {
        let start = payload.count - length
        guard start >= 0, payload[start] == magic[0], payload[start + 1] == magic[1], payload[start + 2] == magic[2],
            payload[start + 3] == magic[3]
        else { return nil }
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(payload[start + 4 + index]) }
        return value
    }

    /// abs-send-time: 6.18 fixed-point seconds, 24 bits (wraps every 64 s).
    static func absSendTime(_ nanoseconds: UInt64) -> [UInt8] {
        let value = UInt32(truncatingIfNeeded: (nanoseconds << 18) / 1_000_000_000) & 0xFF_FFFF
        return [UInt8(value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

/// Synthetic Opus-sized audio: one ~100-byte packet every 20 ms (48 kHz clock).
struct SyntheticAudio {
    let ssrc: UInt32
    var sequenceNumber = UInt16.random(in: 0...UInt16.max)
    var timestamp = UInt32.random(in: 0...UInt32.max)
    static let payloadSize = 100
    static let intervalNanoseconds: UInt64 = 20_000_000

    mutating func next(now: MonotonicInstant, extensions: [(id: UInt8, value: [UInt8])]) -> RTPPacketBuilder {
        // TOC: config 31 (CELT FB 20 ms), mono, one frame — what a browser's Opus looks like.
        var payload = [UInt8](repeating: 0x55, count: Self.payloadSize)
        payload[0] = 0xF8
        SendTimeStamp.write(now.nanoseconds, into: &payload)
        var packet = RTPPacketBuilder(
            payloadType: ClientSDP.opusPayloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc,
            payload: payload)
        packet.extensions = extensions
        sequenceNumber &+= 1
        timestamp &+= 960
        return packet
    }
}

/// Synthetic VP8 (RFC 7741): frames sized for the target bitrate, split into packets of at most
/// `maxPayload` bytes, each with a payload descriptor (X=1, I=1, 15-bit PictureID, S on the
/// first packet) and, on the first packet, a VP8 payload header whose P bit marks keyframes
/// (RFC 6386 §9.1; a keyframe also carries the start code and dimensions).
struct SyntheticVP8 {
    let ssrc: UInt32
    let frameBytes: Int
    let keyframeInterval: Int
    let intervalNanoseconds: UInt64
    var sequenceNumber = UInt16.random(in: 0...UInt16.max)
    var timestamp = UInt32.random(in: 0...UInt32.max)
    var pictureID = UInt16.random(in: 0...0x7FFF)
    var framesSinceKeyframe = Int.max
    var keyframeRequested = true
    private(set) var keyframesSent = 0
    static let maxPayload = 1_150

    init(ssrc: UInt32, bitrate: Int, frameRate: Int, keyframeInterval: Int) {
        self.ssrc = ssrc
        // A keyframe is 3× a delta frame; size deltas so the average meets the bitrate.
        let perSecond = Double(bitrate) / 8
        let keyframesPerSecond = keyframeInterval > 0 ? Double(frameRate) / Double(keyframeInterval) : 0
        let deltas = Double(frameRate) + 2 * keyframesPerSecond
        self.frameBytes = max(64, Int(perSecond / deltas))
        self.keyframeInterval = keyframeInterval
        self.intervalNanoseconds = UInt64(1_000_000_000 / frameRate)
        self.timestampStep = UInt32(90_000 / frameRate)
    }

    let timestampStep: UInt32

    /// The packets of the next frame.
    mutating func nextFrame(now: MonotonicInstant, extensions: [(id: UInt8, value: [UInt8])]) -> [RTPPacketBuilder] {
        let keyframe = keyframeRequested || (keyframeInterval > 0 && framesSinceKeyframe >= keyframeInterval - 1)
        keyframeRequested = false
        framesSinceKeyframe = keyframe ? 0 : framesSinceKeyframe &+ 1
        if keyframe { keyframesSent += 1 }
        let size = keyframe ? frameBytes * 3 : frameBytes
        let count = max(1, (size + Self.maxPayload - 1) / Self.maxPayload)
        var packets: [RTPPacketBuilder] = []
        packets.reserveCapacity(count)
        for index in 0..<count {
            let chunk = index == count - 1 ? size - index * Self.maxPayload : Self.maxPayload
            var payload = [UInt8](repeating: 0xA5, count: 4 + max(chunk, SendTimeStamp.length + 10))
            payload[0] = 0x80 | (index == 0 ? 0x10 : 0x00)  // X, S, PID 0
            payload[1] = 0x80  // I: PictureID present
            payload[2] = 0x80 | UInt8(pictureID >> 8)  // M: 15-bit PictureID
            payload[3] = UInt8(truncatingIfNeeded: pictureID)
            if index == 0 {
                // Frame tag: P (bit 0) = 0 for a keyframe, show_frame = 1.
                payload[4] = keyframe ? 0x10 : 0x11
                payload[5] = 0x00
                payload[6] = 0x00
                if keyframe {
                    payload[7] = 0x9D; payload[8] = 0x01; payload[9] = 0x2A  // start code
                    payload[10] = 0x80; payload[11] = 0x02; payload[12] = 0xE0; payload[13] = 0x01  // 640×480
                }
            }
            SendTimeStamp.write(now.nanoseconds, into: &payload)
            var packet = RTPPacketBuilder(
                payloadType: ClientSDP.vp8PayloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc,
                marker: index == count - 1, payload: payload)
            packet.extensions = extensions
            packets.append(packet)
            sequenceNumber &+= 1
        }
        timestamp &+= timestampStep
        pictureID = (pictureID &+ 1) & 0x7FFF
        return packets
    }
}
