import CLoadCodecs

/// Media encoded once at start and replayed by every publisher: a loop of real VP8 frames
/// (libvpx, real-time CBR at the target bitrate, from a generated moving pattern; frame 0 is a
/// keyframe, so jumping back to it answers a PLI/FIR with a decodable keyframe) and a loop of
/// real Opus packets (libopus, 20 ms, from a generated tone), each padded so the trailer fits.
/// Immutable after init; shared read-only by the media threads.
final class EncodedMedia: Sendable {
    struct Frame: Sendable {
        var data: [UInt8]
        var isKeyframe: Bool
    }

    enum EncodeError: Error, CustomStringConvertible {
        case vp8(String)
        case opus(String)
        var description: String {
            switch self {
            case .vp8(let text): return "VP8 encoder: \(text)"
            case .opus(let text): return "Opus encoder: \(text)"
            }
        }
    }

    let videoFrames: [Frame]
    let audioPackets: [[UInt8]]
    let frameRate: Int
    /// Bits per second of the encoded video loop (what libvpx actually produced).
    let videoBitrate: Double
    let audioBitrate: Double

    init(video: Bool, audio: Bool, width: Int, height: Int, frameRate: Int, bitrate: Int, keyframeInterval: Int,
         audioBitrate: Int, seconds: Double) throws(EncodeError) {
        self.frameRate = frameRate
        var frames: [Frame] = []
        if video {
            guard let encoder = load_vp8_create(
                Int32(width), Int32(height), Int32(frameRate), Int32(bitrate), Int32(keyframeInterval))
            else { throw .vp8("cannot create a \(width)×\(height) encoder at \(bitrate) bit/s") }
            defer { load_vp8_destroy(encoder) }
            var buffer = [UInt8](repeating: 0, count: 4 << 20)
            let count = max(1, Int(seconds * Double(frameRate)))
            for index in 0..<count {
                var keyframe: Int32 = 0
                let size = buffer.withUnsafeMutableBufferPointer { pointer in
                    load_vp8_encode(encoder, Int32(index), index == 0 ? 1 : 0, pointer.baseAddress, Int32(pointer.count), &keyframe)
                }
                guard size >= 0 else { throw .vp8("encode failed (\(size)) at frame \(index)") }
                // A dropped frame (size 0) keeps the timeline: the sender skips its slot.
                frames.append(Frame(data: Array(buffer[0..<Int(size)]), isKeyframe: keyframe != 0))
            }
        }
        videoFrames = frames
        let videoBytes = frames.reduce(0) { $0 + $1.data.count }
        videoBitrate = frames.isEmpty ? 0 : Double(videoBytes * 8) * Double(frameRate) / Double(frames.count)

        var packets: [[UInt8]] = []
        if audio {
            guard let encoder = load_opus_create(1, Int32(audioBitrate)) else { throw .opus("cannot create") }
            defer { load_opus_destroy(encoder) }
            var buffer = [UInt8](repeating: 0, count: 4000)
            for index in 0..<max(1, Int(seconds * 50)) {
                let size = buffer.withUnsafeMutableBufferPointer { pointer in
                    load_opus_encode(encoder, Int32(index), pointer.baseAddress, 1500)
                }
                guard size > 0 else { throw .opus("encode failed (\(size)) at packet \(index)") }
                packets.append(try Self.padOpus(Array(buffer[0..<Int(size)])))
            }
        }
        audioPackets = packets
        let audioBytes = packets.reduce(0) { $0 + $1.count }
        self.audioBitrate = packets.isEmpty ? 0 : Double(audioBytes * 8) * 50 / Double(packets.count)
    }

    /// Media from already-encoded frames and packets (tests).
    init(videoFrames: [Frame], audioPackets: [[UInt8]], frameRate: Int) {
        self.videoFrames = videoFrames
        self.audioPackets = audioPackets
        self.frameRate = frameRate
        videoBitrate = Double(videoFrames.reduce(0) { $0 + $1.data.count } * 8 * frameRate) / Double(max(1, videoFrames.count))
        audioBitrate = Double(audioPackets.reduce(0) { $0 + $1.count } * 8 * 50) / Double(max(1, audioPackets.count))
    }

    /// Pads an Opus packet until its code-3 padding holds the trailer.
    static func padOpus(_ packet: [UInt8]) throws(EncodeError) -> [UInt8] {
        var extra = MediaTrailer.length + 2
        while extra < MediaTrailer.length + 16 {
            var padded = packet + [UInt8](repeating: 0, count: extra)
            let result = padded.withUnsafeMutableBufferPointer { pointer in
                load_opus_pad(pointer.baseAddress, Int32(packet.count), Int32(pointer.count))
            }
            guard result == 0 else { throw .opus("padding failed (\(result))") }
            if OpusPadding.paddingLength(padded) >= MediaTrailer.length { return padded }
            extra += 1
        }
        throw .opus("cannot pad a \(packet.count)-byte packet")
    }
}
