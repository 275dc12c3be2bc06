import FuzzSupport
import ICE

// STUN (RFC 8489): header + attribute parsing, every accessor, MESSAGE-INTEGRITY(-SHA256)
// and FINGERPRINT verification, the USERNAME fast path, and the RFC 7983 demux on the same
// bytes. The whole input is one datagram.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    withExactCopy(input.bytes) { copy in
        let datagram = UnsafeRawBufferPointer(copy)
        blackHole(DatagramKind.classify(datagram))
        blackHole(DatagramKind.classify(Array(datagram)))
        blackHole(STUNHeader.peek(datagram))
        blackHole(STUNMessage.peekUsernameBytes(datagram)?.count)
        blackHole(STUNMessage.peekUsername(datagram))
        blackHole(STUNMessage.peekLocalUfrag(datagram))
        guard let message = try? STUNMessage(datagram) else { return }
        blackHole(message.messageType.method)
        blackHole(message.messageType.messageClass)
        blackHole(message.transactionID)
        blackHole(message.username)
        blackHole(message.priority)
        blackHole(message.iceControlling)
        blackHole(message.iceControlled)
        blackHole(message.xorMappedAddress?.description)
        blackHole(message.mappedAddress?.description)
        blackHole(message.errorCode)
        blackHole(message.unknownAttributes)
        blackHole(message.software)
        blackHole(message.realm)
        blackHole(message.nonce)
        blackHole(message.useCandidate)
        blackHole(message.unknownComprehensionRequiredAttributes())
        blackHole(message.verifyFingerprint())
        blackHole(message.verifyMessageIntegrity(password: RFC5769.password))
        blackHole(message.verifyMessageIntegrity(key: [UInt8]()))
        blackHole(message.verifyMessageIntegrity(key: Array(repeating: 0x41, count: 100)))
        let longTerm = STUNMessage.longTermKey(username: message.username ?? "", realm: message.realm ?? "", password: "TheMatrIX")
        blackHole(message.verifyMessageIntegrity(key: longTerm))
        blackHole(longTerm.withUnsafeBytes { message.verifyMessageIntegritySHA256(key: $0) })
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzSeeds.writeIfRequested(seeds())
    return 0
}

private func seeds() -> [(name: String, bytes: [UInt8])] {
    var out: [(String, [UInt8])] = [
        ("rfc5769-request", RFC5769.request), ("rfc5769-ipv4-response", RFC5769.ipv4Response),
        ("rfc5769-ipv6-response", RFC5769.ipv6Response), ("rfc5769-long-term", RFC5769.longTermRequest),
    ]
    // Built messages covering the attributes the parser knows, SHA-256 integrity and errors.
    func build(_ type: STUNMessageType, _ body: (inout STUNMessageBuilder) -> Void) -> [UInt8] {
        var storage = [UInt8](repeating: 0, count: 600)
        let n = storage.withUnsafeMutableBytes { raw -> Int in
            var builder = STUNMessageBuilder(
                buffer: raw, type: type, transactionID: STUNTransactionID(word0: 1, word1: 2, word2: 3))
            body(&builder)
            return builder.finish() ?? 0
        }
        return Array(storage[0..<n])
    }
    let key = Array(RFC5769.password.utf8)
    out.append(("check-sha256", build(.bindingRequest) { b in
        b.appendUsername("abcd:efgh")
        b.appendPriority(0x6e00_01ff)
        b.appendUseCandidate()
        b.appendICEControlling(tiebreaker: 42)
        key.withUnsafeBytes { b.appendMessageIntegritySHA256(key: $0) }
        b.appendFingerprint()
    }))
    out.append(("error-420", build(.bindingErrorResponse) { b in
        b.appendErrorCode(.unknownAttribute)
        b.appendUnknownAttributes([0x0003, 0x7FFF])
        b.appendAttribute(type: 0x0014, text: "realm")
        b.appendAttribute(type: 0x0015, text: "nonce")
        b.appendMappedAddress(TransportAddress(ipv4: 0x7F00_0001, port: 5000))
        b.appendMessageIntegrity(key: key)
        b.appendFingerprint()
    }))
    out.append(("ipv6-mapped", build(.bindingSuccessResponse) { b in
        if let a = TransportAddress("::1", port: 9) { b.appendXORMappedAddress(a); b.appendMappedAddress(a) }
        b.appendAttribute(type: 0x0003, text: "unknown-required")
        b.appendFingerprint()
    }))
    return out
}

@main struct Main { static func main() { runFuzzer(fuzz) } }
