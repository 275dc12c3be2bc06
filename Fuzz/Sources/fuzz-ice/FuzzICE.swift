import FuzzSupport
import ICE
import SFUBase

// The ICE-lite agent (RFC 8445 §7.3, RFC 7675) fed a sequence of datagrams. Each datagram
// is either raw bytes, or a Binding request the harness builds from fuzz-chosen attributes
// and signs with the right (or a wrong) password, so the authenticated paths (nomination,
// 420, 487, consent) are reachable. Time and source address vary per datagram.

let local = ICECredentials(ufrag: "lite", pwd: "0123456789abcdefghijkl")
let remote = ICECredentials(ufrag: "peer", pwd: "remotepasswordremotepw")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let flags = input.byte()
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    var agent = ICELiteAgent(local: local, remote: flags & 1 != 0 ? remote : nil, now: now, consentTimeout: 5)
    let response = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(flags >> 4) * 40 + 20, alignment: 8)
    defer { response.deallocate() }
    var steps = 0
    while !input.isEmpty && steps < 64 {
        steps += 1
        let op = input.byte()
        now = now.adding(milliseconds: UInt64(input.byte()) * 50)
        let from = op & 0x10 != 0
            ? TransportAddress(ipv4: 0x0A00_0000 | UInt32(op & 3), port: 4000)
            : (TransportAddress("fe80::\(op & 3)", port: 4000) ?? TransportAddress(ipv4: 1, port: 1))
        switch op >> 5 {
        case 0, 1:
            let datagram = input.chunk()
            withExactCopy(datagram) { copy in
                let n = agent.handleSTUN(UnsafeRawBufferPointer(copy), from: from, now: now, response: response)
                check(response: response, length: n)
            }
        case 2:
            agent.handleTimeout(now: now)
        case 3:
            agent.restart(local: local, remote: input.bool() ? remote : nil)
        case 4:
            agent.setRemoteCredentials(remote)
        default:
            let request = buildRequest(&input)
            request.withUnsafeBytes { raw in
                withExactCopy(raw) { copy in
                    let n = agent.handleSTUN(UnsafeRawBufferPointer(copy), from: from, now: now, response: response)
                    check(response: response, length: n)
                }
            }
        }
        while let event = agent.pollEvent() { blackHole(event) }
        blackHole(agent.nextTimeout())
        blackHole(agent.state)
    }
    return 0
}

/// Every response the agent writes must itself be a well-formed STUN message with a valid
/// FINGERPRINT (it always appends one).
private func check(response: UnsafeMutableRawBufferPointer, length: Int) {
    guard length > 0 else { return }
    fuzzCheck(length <= response.count, "response length \(length) > buffer \(response.count)")
    let bytes = UnsafeRawBufferPointer(rebasing: response[0..<length])
    guard let message = try? STUNMessage(bytes) else {
        fuzzCheck(false, "agent wrote a response that does not parse")
        return
    }
    fuzzCheck(message.verifyFingerprint(), "agent response fingerprint does not verify")
}

/// A Binding request with fuzz-chosen attributes, signed (HMAC-SHA1 or -SHA256) with the
/// local password (or a wrong one), with or without FINGERPRINT.
private func buildRequest(_ input: inout FuzzInput) -> [UInt8] {
    let flags = input.byte()
    var storage = [UInt8](repeating: 0, count: 1500)
    let method = flags & 0x80 != 0 ? STUNMessageType(rawValue: input.uint16() & 0x3FFF) : .bindingRequest
    let n = storage.withUnsafeMutableBytes { raw -> Int in
        var b = STUNMessageBuilder(buffer: raw, type: method, transactionID: STUNTransactionID(word0: input.uint32(), word1: 7, word2: 9))
        switch flags & 3 {
        case 0: b.appendUsername("lite:peer")
        case 1: b.appendUsername("lite:")
        case 2: break
        default: b.appendUsername(String(decoding: input.take(Int(input.byte() & 31)), as: UTF8.self))
        }
        let attributes = Int(input.byte() & 7)
        for _ in 0..<attributes {
            let selector = input.byte()
            switch selector & 7 {
            case 0: b.appendUseCandidate()
            case 1: b.appendPriority(input.uint32())
            case 2: b.appendICEControlling(tiebreaker: input.uint64())
            case 3: b.appendICEControlled(tiebreaker: input.uint64())
            default:
                let type = input.uint16()
                let value = input.take(Int(input.byte()))
                b.appendAttribute(type: type, value: value)
            }
        }
        let password = flags & 0x40 != 0 ? Array("wrongpasswordwrongpass".utf8) : Array(local.pwd.utf8)
        switch (flags >> 2) & 3 {
        case 0: b.appendMessageIntegrity(key: password)
        case 1: password.withUnsafeBytes { b.appendMessageIntegritySHA256(key: $0) }
        case 2:
            b.appendMessageIntegrity(key: password)
            password.withUnsafeBytes { b.appendMessageIntegritySHA256(key: $0) }
        default: break
        }
        if flags & 0x10 == 0 { b.appendFingerprint() }
        if flags & 0x20 != 0 {  // trailing junk after the "last" attribute
            let type = input.uint16()
            b.appendAttribute(type: type, value: input.take(Int(input.byte() & 15)))
        }
        return b.finish() ?? 0
    }
    return Array(storage[0..<n])
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested([
        // flags: remote known, 200-byte response buffer; op 0xA0|... = built request
        ("built-checks", [0x51, 0xA0, 1, 0x00, 0, 0, 0, 1, 2, 0x00, 0x01, 0xB1, 3, 0x10, 1, 0x00, 0x40, 200, 0x60, 4]),
        ("raw-rfc5769", [0x51, 0x10, 1, 0, UInt8(RFC5769.request.count)] + RFC5769.request),
        ("sha256-and-restart", [0x50, 0xA1, 1, 0x04, 0, 0, 0, 1, 1, 0, 0x60, 1, 1, 0xA0, 1, 0x04, 0, 0, 0, 2, 0]),
        ("unknown-and-controlled", [0x51, 0xA0, 0, 0x00, 0, 0, 0, 3, 2, 3, 0, 0, 0, 0, 0, 0, 0, 9, 7, 0x00, 0x03, 2, 0xAB, 0xCD]),
    ])
    return 0
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
