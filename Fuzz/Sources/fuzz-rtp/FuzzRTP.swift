import FuzzSupport
import RTP
import SFUBase

// RTP (RFC 3550 §5.1): the packet view and every accessor, RFC 8285 header extensions
// (iteration, typed reads, in-place rewrite and id remapping), VP8/VP9/H.264 payload
// inspection, RTX wrap/unwrap (RFC 4588) and receive statistics. Input: one control byte,
// a 16-entry id map, then the packet.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let control = input.byte()
    let mapBytes = input.take(16)
    let packetBytes = input.rest()
    withExactCopy(packetBytes) { buffer in
        // Payload helpers on arbitrary bytes, not only on what parses as RTP.
        inspectPayload(buffer)
        // A length shorter than the buffer is legal (the receive buffer is larger than the datagram).
        let length = control & 0x80 != 0 ? max(0, buffer.count - Int(control & 0x0F)) : buffer.count
        guard let packet = try? RTPPacket(buffer: buffer, length: length) else { return }
        read(packet)
        inspectPayload(packet.payload)
        blackHole(packet.vp8Descriptor)

        // RTX round trip.
        let rtx = UnsafeMutableRawBufferPointer.allocate(byteCount: length + 2, alignment: 1)
        defer { rtx.deallocate() }
        if let n = try? RTPRetransmission.wrap(packet, into: rtx, payloadType: 97, ssrc: 0xABCD, sequenceNumber: 7) {
            fuzzCheck(n <= rtx.count, "RTX wrap wrote past its buffer")
            let unwrapped = try? RTPRetransmission.unwrap(rtx, length: n, originalPayloadType: packet.payloadType, originalSSRC: packet.ssrc)
            fuzzCheck(unwrapped != nil, "RTX packet we wrapped does not unwrap")
        }
        blackHole(try? RTPRetransmission.unwrap(buffer, length: length, originalPayloadType: 96, originalSSRC: 1))

        // Extensions rewritten in place must leave a valid packet behind.
        guard let packet = try? RTPPacket(buffer: buffer, length: length) else { return }
        if let extensions = packet.headerExtensions {
            var mapping: [UInt8: UInt8] = [:]
            for i in 0..<mapBytes.count where i + 1 < 16 { mapping[UInt8(i + 1)] = mapBytes[i] }
            let map = RTPHeaderExtensionIDMap(mapping, dropUnlisted: control & 0x40 != 0)
            _ = try? extensions.remapIDs(map)
            _ = try? extensions.rewrite(id: control & 0x0F, with: [1, 2])
            packet.setTransportSequenceNumber(0x1234, id: control & 0x0F)
            fuzzCheck((try? RTPPacket(buffer: buffer, length: length)) != nil, "rewritten packet no longer parses")
        }
        packet.marker.toggle()
        packet.payloadType = control
        packet.sequenceNumber = 1
        packet.timestamp = 2
        packet.ssrc = 3
        if let vp8 = VP8PayloadDescriptor(payload: packet.payload) {
            VP8PayloadDescriptor.rewritePictureID(0x7FFF, in: packet.payload, descriptor: vp8)
        }
        var statistics = RTPReceiveStatistics(clockRate: 90_000)
        _ = statistics.record(sequenceNumber: packet.sequenceNumber, rtpTimestamp: packet.timestamp, arrival: MonotonicInstant(nanoseconds: 1))
        blackHole(statistics.jitter)
    }
    return 0
}

private func read(_ packet: RTPPacket) {
    blackHole(packet.version)
    blackHole(packet.hasPadding)
    blackHole(packet.marker)
    blackHole(packet.payloadType)
    blackHole(packet.sequenceNumber)
    blackHole(packet.timestamp)
    blackHole(packet.ssrc)
    for i in -1...(packet.csrcCount + 1) { blackHole(packet.csrc(at: i)) }
    blackHole(packet.payloadRange)
    blackHole(packet.extensionProfile)
    if let extensions = packet.headerExtensions {
        blackHole(extensions.form.profile)
        for element in extensions { blackHole(element.value(in: packet.buffer).count) }
    }
    for id in UInt8(0)...16 {
        blackHole(packet.extensionElement(id: id)?.count)
        blackHole(packet.transportSequenceNumber(id: id))
        blackHole(packet.audioLevel(id: id))
        blackHole(packet.textExtension(id: id))
    }
    blackHole(packet.extensionElement(id: 255)?.count)
}

private func inspectPayload(_ payload: UnsafeMutableRawBufferPointer) {
    blackHole(VP8PayloadDescriptor(payload: payload))
    blackHole(VP9PayloadDescriptor(payload: payload))
    blackHole(H264Payload.isKeyframe(payload: payload))
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested(seeds())
    return 0
}

private func seeds() -> [(name: String, bytes: [UInt8])] {
    let identity: [UInt8] = Array(1...16)
    func seed(_ control: UInt8, _ builder: RTPPacketBuilder) -> [UInt8] { [control] + identity + builder.bytes() }
    var vp8 = RTPPacketBuilder()
    vp8.payloadType = 96
    vp8.sequenceNumber = 1000
    vp8.timestamp = 90_000
    vp8.ssrc = 0x1111_2222
    vp8.marker = true
    vp8.extensions = [(1, Array("0".utf8)), (3, [0x01, 0x02]), (4, [0x80 | 30])]
    vp8.payload = [0x90, 0x80, 0x81, 0x23, 0x00, 0x9D, 0x01, 0x2A]  // X,S; I with 15-bit id; keyframe
    var vp9 = vp8
    vp9.forceTwoByteExtensions = true
    vp9.extensions = [(1, Array("1".utf8)), (10, Array("hi".utf8)), (200, [])]
    vp9.payload = [0xAA, 0x80, 0x01, 0x00, 0x05, 0x00]  // I, L, B, V; 15-bit picture id
    var h264 = vp8
    h264.csrcs = [1, 2, 3]
    h264.extensions = []
    h264.payload = [0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE]  // STAP-A with SPS, PPS
    var fua = h264
    fua.payload = [0x7C, 0x85, 0x88, 0x84]  // FU-A start of IDR
    fua.paddingLength = 4
    return [
        ("vp8-one-byte-ext", seed(0x00, vp8)), ("vp9-two-byte-ext", seed(0x41, vp9)),
        ("h264-stap-a", seed(0x03, h264)), ("h264-fu-a-padded", seed(0x80, fua)),
    ]
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
