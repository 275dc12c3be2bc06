import FuzzSupport
import RTP

// SRTP/SRTCP (RFC 3711, RFC 7714) with a fixed key, all three profiles. Raw datagrams are
// unprotected as they come (header checks, replay window, ROC estimate, tag check); packets
// the harness protects first (optionally with a byte flipped) reach the decrypt paths too.
// A packet that survives protect + unprotect unmodified must come back byte for byte.
// Input: profile byte, then operations.

private let masterKey: [UInt8] = Array(0..<16)
private let masterSalt: [UInt8] = Array(100..<114)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let profiles = SRTPProtectionProfile.allCases
    let profile = profiles[Int(input.byte()) % profiles.count]
    let salt = Array(masterSalt.prefix(profile.masterSaltLength))
    guard let sender = try? SRTPContext(profile: profile, masterKey: masterKey, masterSalt: salt),
        let receiver = try? SRTPContext(profile: profile, masterKey: masterKey, masterSalt: salt)
    else {
        fuzzCheck(false, "cannot key SRTP context")
        return 0
    }
    var steps = 0
    while !input.isEmpty && steps < 32 {
        steps += 1
        let op = input.byte()
        let flip = input.uint16()
        let packet = input.chunk()
        switch op & 7 {
        case 0:
            withExactCopy(packet) { blackHole(try? receiver.unprotectRTP($0, length: $0.count)) }
        case 1:
            withExactCopy(packet) { blackHole(try? receiver.unprotectRTCP($0, length: $0.count)) }
        case 2, 3:
            let rtcp = op & 7 == 3
            let overhead = rtcp ? profile.rtcpOverhead : profile.rtpOverhead
            let extra = op & 0x80 != 0 ? Int(op >> 3 & 0x0F) : overhead
            withCopy(packet, extra: extra) { buffer in
                let original = Array(packet)
                let protectedLength: Int?
                if rtcp {
                    protectedLength = try? sender.protectRTCP(buffer, length: packet.count)
                } else {
                    protectedLength = try? sender.protectRTP(buffer, length: packet.count)
                }
                guard let protectedLength else { return }
                fuzzCheck(protectedLength == packet.count + overhead, "protect returned \(protectedLength) for \(packet.count)")
                let flipped = flip & 0x8000 != 0
                if flipped {
                    let at = Int(flip & 0x7FFF) % protectedLength
                    buffer[at] ^= UInt8(truncatingIfNeeded: flip >> 8) | 1
                }
                let wire = UnsafeRawBufferPointer(rebasing: buffer[0..<protectedLength])
                withExactCopy(wire) { received in
                    let length: Int?
                    if rtcp {
                        length = try? receiver.unprotectRTCP(received, length: received.count)
                    } else {
                        length = try? receiver.unprotectRTP(received, length: received.count)
                    }
                    guard let length, !flipped else { return }
                    fuzzCheck(length == original.count, "unprotect length \(length) != \(original.count)")
                    fuzzCheck(Array(received[0..<length]) == original, "unprotect did not restore the packet")
                }
            }
        case 4:
            // The fan-out variant: header in one buffer, payload from another.
            let headerLength = min(packet.count, 12 + Int(flip & 0x3F))
            let header = UnsafeRawBufferPointer(rebasing: packet[0..<headerLength])
            let payload = UnsafeRawBufferPointer(rebasing: packet[headerLength...])
            withCopy(header, extra: payload.count + profile.rtpOverhead) { destination in
                withExactCopy(payload) { payloadCopy in
                    blackHole(try? sender.protectRTP(header: destination, headerLength: headerLength, payload: UnsafeRawBufferPointer(payloadCopy)))
                }
            }
        case 5:
            receiver.removeStream(ssrc: UInt32(flip))
            sender.removeStream(ssrc: UInt32(flip))
        default:
            blackHole(receiver.rolloverCounter(ssrc: UInt32(flip)))
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested(seeds())
    return 0
}

private func seeds() -> [(name: String, bytes: [UInt8])] {
    func op(_ code: UInt8, _ flip: UInt16, _ bytes: [UInt8]) -> [UInt8] {
        [code, UInt8(flip >> 8), UInt8(flip & 0xFF), UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }
    var rtp = RTPPacketBuilder(payloadType: 96, sequenceNumber: 65_534, timestamp: 1, ssrc: 0xCAFE, payload: Array(0..<40))
    rtp.extensions = [(1, [0x30]), (3, [0, 1])]
    let first = rtp.bytes()
    rtp.sequenceNumber = 65_535
    let second = rtp.bytes()
    rtp.sequenceNumber = 1
    let third = rtp.bytes()
    var rtcp = [UInt8](repeating: 0, count: 64)
    let rtcpLength = rtcp.withUnsafeMutableBytes { (try? RTCPReceiverReport(ssrc: 0xCAFE).write(into: $0)) ?? 0 }
    let rr = Array(rtcp[0..<rtcpLength])
    var out: [(String, [UInt8])] = []
    for profile in 0..<3 {
        out.append(("rtp-roundtrip-\(profile)", [UInt8(profile)] + op(2, 0, first) + op(2, 0, second) + op(2, 0, third) + op(2, 0, first)))
        out.append(("rtcp-roundtrip-\(profile)", [UInt8(profile)] + op(3, 0, rr) + op(3, 0x8005, rr) + op(1, 0, rr + [0x80, 0, 0, 1] + Array(repeating: 0, count: 16))))
        out.append(("raw-\(profile)", [UInt8(profile)] + op(0, 0, first + Array(repeating: 0, count: 16)) + op(4, 20, first) + op(5, 0xCAFE, [])))
    }
    return out
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
