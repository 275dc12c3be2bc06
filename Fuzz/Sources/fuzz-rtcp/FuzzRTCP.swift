import FuzzSupport
import RTP

// RTCP (RFC 3550 §6, RFC 4585, RFC 5104, REMB, transport-wide CC): compound validation, the
// typed parsers through RTCPMessage.parseCompound, the allocation-free inspection accessors,
// and a write/re-parse round trip of every typed message (it must come back equal).
// Input: one control byte, then the compound packet.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let control = input.byte()
    withExactCopy(input.rest()) { buffer in
        let length = control & 0x80 != 0 ? max(0, buffer.count - Int(control & 0x1F)) : buffer.count
        if let compound = try? RTCPCompoundPacket(buffer: buffer, length: length) {
            for packet in compound { inspect(packet) }
        }
        guard let results = try? RTCPMessage.parseCompound(buffer, length: length) else { return }
        for case .success(let message) in results {
            use(message)
            roundTrip(message)
        }
    }
    return 0
}

private func inspect(_ packet: RTCPPacket) {
    blackHole(packet.count)
    blackHole(packet.packetType)
    blackHole(packet.body.count)
    blackHole(packet.senderSSRC)
    blackHole(packet.mediaSSRC)
    blackHole(packet.isGenericNACK)
    blackHole(packet.isPictureLossIndication)
    blackHole(packet.isFullIntraRequest)
    blackHole(packet.isTransportWideFeedback)
    for i in -1...(packet.reportBlockCount + 1) { blackHole(packet.reportBlock(at: i)) }
    var lost = 0
    try? RTCPGenericNACK.forEachLostSequenceNumber(in: packet) { _ in lost += 1 }
    blackHole(lost)
    blackHole(RTCPReceiverEstimatedMaxBitrate.matches(packet))
    blackHole(try? RTCPPictureLossIndication(packet))
}

private func use(_ message: RTCPMessage) {
    switch message {
    case .genericNACK(let nack): blackHole(nack.lostSequenceNumbers.count)
    case .transportWideFeedback(let twcc): blackHole(twcc.arrivalTimes.count)
    case .sourceDescription(let sdes): for chunk in sdes.chunks { blackHole(chunk.cname) }
    case .goodbye(let bye): blackHole(bye.reasonText)
    default: blackHole(message)
    }
}

/// Writes `message` back and parses it again: what we accepted, we must be able to reproduce.
private func roundTrip(_ message: RTCPMessage) {
    let writable: (any RTCPWritable)?
    switch message {
    case .senderReport(let m): writable = m
    case .receiverReport(let m): writable = m
    case .sourceDescription(let m): writable = m
    case .goodbye(let m): writable = m
    case .genericNACK(let m): writable = m
    case .pictureLossIndication(let m): writable = m
    case .fullIntraRequest(let m): writable = m
    case .receiverEstimatedMaxBitrate(let m):
        // Exponents above 46 saturate on parse, so they cannot come back bit-exact.
        writable = m.bitrate == UInt64.max ? nil : m
    case .transportWideFeedback(let m): writable = m
    case .other: writable = nil
    }
    guard let writable else { return }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 70_000, alignment: 4)
    defer { buffer.deallocate() }
    guard let n = try? writable.write(into: buffer) else { return }
    fuzzCheck(n % 4 == 0 && n <= buffer.count, "written RTCP length \(n) is not a whole packet")
    guard let again = try? RTCPMessage.parseCompound(buffer, length: n), again.count == 1,
        case .success(let reparsed) = again[0]
    else {
        fuzzCheck(false, "written RTCP does not parse back: \(message)")
        return
    }
    fuzzCheck(reparsed == message, "RTCP round trip changed the message:\n\(message)\n\(reparsed)")
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested(seeds())
    return 0
}

private func seeds() -> [(name: String, bytes: [UInt8])] {
    func compound(_ packets: [any RTCPWritable]) -> [UInt8] {
        var storage = [UInt8](repeating: 0, count: 4096)
        let n = storage.withUnsafeMutableBytes { raw -> Int in
            var writer = RTCPCompoundWriter(buffer: raw)
            for packet in packets { try? writer.append(packet) }
            return writer.length
        }
        return [0] + Array(storage[0..<n])
    }
    let block = RTCPReportBlock(ssrc: 7, fractionLost: 12, cumulativeLost: -3, extendedHighestSequenceNumber: 0x1_0010,
                                interarrivalJitter: 40, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 999)
    let twcc = try? RTCPTransportWideFeedback(
        senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 3,
        arrivals: [(100, 1_000_000), (101, 1_000_250), (104, 1_070_000), (105, 1_060_000)])
    return [
        ("sr-sdes", compound([
            RTCPSenderReport(ssrc: 1, ntpTimestamp: 0xE000_0000_8000_0000, rtpTimestamp: 90_000, packetCount: 10,
                             octetCount: 1000, reportBlocks: [block]),
            RTCPSourceDescription(ssrc: 1, cname: "abcdefgh"),
        ])),
        ("rr-bye", compound([RTCPReceiverReport(ssrc: 2, reportBlocks: [block, block]), RTCPGoodbye(ssrcs: [2, 3], reason: "done")])),
        ("rr-nack-pli-fir", compound([
            RTCPReceiverReport(ssrc: 2),
            RTCPGenericNACK(senderSSRC: 2, mediaSSRC: 5, lostSequenceNumbers: [10, 11, 13, 40, 65535]),
            RTCPPictureLossIndication(senderSSRC: 2, mediaSSRC: 5),
            RTCPFullIntraRequest(senderSSRC: 2, entries: [.init(ssrc: 5, sequenceNumber: 1)]),
        ])),
        ("rr-remb-twcc", compound([
            RTCPReceiverReport(ssrc: 2),
            RTCPReceiverEstimatedMaxBitrate(senderSSRC: 2, bitrate: 1_500_000, ssrcs: [5, 6]),
        ] + (twcc.map { [$0] } ?? []))),
    ]
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
