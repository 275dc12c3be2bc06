import RTP

/// How a stream's packets are inspected on the forwarding path (keyframe gating on start and
/// source switch). Decided once per stream from the negotiated codec name.
enum CodecFamily {
    case vp8, vp9, h264, other

    init(codecName: String) {
        switch codecName {
        case "vp8": self = .vp8
        case "vp9": self = .vp9
        case "h264": self = .h264
        default: self = .other
        }
    }

    /// Whether a subscriber may start (or switch) on this packet. Codecs we cannot inspect
    /// (audio, AV1) start anywhere.
    @inline(__always)
    func startsDecodablePicture(_ packet: RTPPacket) -> Bool {
        let payload = UnsafeRawBufferPointer(packet.payload)
        switch self {
        case .vp8: return VP8PayloadDescriptor(payload: payload)?.isKeyframe ?? false
        case .vp9: return VP9PayloadDescriptor(payload: payload)?.isKeyframe ?? false
        case .h264: return H264Payload.isKeyframe(payload: payload)
        case .other: return true
        }
    }

    var needsKeyframeToStart: Bool { self != .other }
}
