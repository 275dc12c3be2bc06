import Testing

@testable import ICE

/// RFC 5769 test vectors: every one parses, verifies, and (2.1–2.3) re-encodes byte for byte.
@Suite struct STUNVectorTests {
    @Test func sampleRequestParses() throws {
        try withParsed(RFC5769.request) { message in
            #expect(message.messageType == .bindingRequest)
            #expect(message.transactionID == RFC5769.transactionID)
            #expect(message.software == "STUN test client")
            #expect(message.priority == 0x6e00_01ff)
            #expect(message.iceControlled == 0x932f_f9b1_5126_3b36)
            #expect(message.iceControlling == nil)
            #expect(message.useCandidate == false)
            #expect(message.username == "evtj:h6vY")
            #expect(message.hasMessageIntegrity)
            #expect(message.hasFingerprint)
            #expect(message.verifyMessageIntegrity(password: RFC5769.password))
            #expect(!message.verifyMessageIntegrity(password: "VOkJxbRl1RmTxUk/WvJxBu"))
            #expect(message.verifyFingerprint())
            #expect(!message.hasUnknownComprehensionRequiredAttribute)
        }
    }

    @Test func sampleIPv4ResponseParses() throws {
        try withParsed(RFC5769.ipv4Response) { message in
            #expect(message.messageType == .bindingSuccessResponse)
            #expect(message.transactionID == RFC5769.transactionID)
            #expect(message.software == "test vector")
            #expect(message.xorMappedAddress == TransportAddress(ipv4: 0xC000_0201, port: 32853))  // RFC 5769 §2.2's address
            #expect(message.verifyMessageIntegrity(password: RFC5769.password))
            #expect(message.verifyFingerprint())
        }
    }

    @Test func sampleIPv6ResponseParses() throws {
        try withParsed(RFC5769.ipv6Response) { message in
            #expect(message.messageType == .bindingSuccessResponse)
            #expect(message.software == "test vector")
            let address = try #require(message.xorMappedAddress)
            #expect(address == TransportAddress("2001:db8:1234:5678:11:2233:4455:6677", port: 32853))
            #expect(address.isIPv6)
            #expect(message.verifyMessageIntegrity(password: RFC5769.password))
            #expect(message.verifyFingerprint())
        }
    }

    @Test func sampleLongTermRequestParses() throws {
        try withParsed(RFC5769.longTermRequest) { message in
            #expect(message.messageType == .bindingRequest)
            #expect(message.transactionID == STUNTransactionID(word0: 0x78ad_3433, word1: 0xc6ad_72c0, word2: 0x29da_412e))
            #expect(message.username == "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}")
            #expect(message.nonce == "f//499k954d6OL34oL9FSTvy64sA")
            #expect(message.realm == "example.org")
            #expect(message.hasMessageIntegrity)
            #expect(!message.hasFingerprint)
            #expect(!message.verifyFingerprint())
            let key = ICE.STUNMessage.longTermKey(
                username: "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}", realm: "example.org", password: "TheMatrIX")
            #expect(key.count == 16)
            #expect(message.verifyMessageIntegrity(key: key))
            #expect(!message.verifyMessageIntegrity(password: "TheMatrIX"))
        }
    }

    /// Encodes 2.1 with the builder (RFC 5769 pads with spaces) and expects the exact bytes.
    @Test func sampleRequestReencodes() {
        let bytes = encode(capacity: 200, type: .bindingRequest) { builder in
            builder.appendSoftware("STUN test client")
            builder.appendPriority(0x6e00_01ff)
            builder.appendICEControlled(tiebreaker: 0x932f_f9b1_5126_3b36)
            builder.appendUsername("evtj:h6vY")
            builder.appendMessageIntegrity(key: Array(RFC5769.password.utf8))
            builder.appendFingerprint()
        }
        #expect(bytes == RFC5769.request)
    }

    @Test func sampleIPv4ResponseReencodes() throws {
        let address = TransportAddress(ipv4: 0xC000_0201, port: 32853)  // RFC 5769 §2.2's address
        let bytes = encode(capacity: 200, type: .bindingSuccessResponse) { builder in
            builder.appendSoftware("test vector")
            builder.appendXORMappedAddress(address)
            builder.appendMessageIntegrity(key: Array(RFC5769.password.utf8))
            builder.appendFingerprint()
        }
        #expect(bytes == RFC5769.ipv4Response)
    }

    @Test func sampleIPv6ResponseReencodes() throws {
        let address = try #require(TransportAddress("2001:db8:1234:5678:11:2233:4455:6677", port: 32853))
        let bytes = encode(capacity: 200, type: .bindingSuccessResponse) { builder in
            builder.appendSoftware("test vector")
            builder.appendXORMappedAddress(address)
            builder.appendMessageIntegrity(key: Array(RFC5769.password.utf8))
            builder.appendFingerprint()
        }
        #expect(bytes == RFC5769.ipv6Response)
    }

    /// Flipping any single bit of a vector breaks integrity, the fingerprint, or the parse.
    @Test func everyBitFlipIsDetected() {
        for vector in [RFC5769.request, RFC5769.ipv4Response, RFC5769.ipv6Response] {
            for index in vector.indices {
                for bit in 0..<8 {
                    var corrupted = vector
                    corrupted[index] ^= 1 << bit
                    let accepted = corrupted.withUnsafeBytes { raw -> Bool in
                        guard let message = try? STUNMessage(raw) else { return false }
                        return message.verifyMessageIntegrity(password: RFC5769.password) && message.verifyFingerprint()
                    }
                    // Padding bytes of USERNAME/SOFTWARE are covered by both HMAC and CRC as well.
                    #expect(!accepted, "bit \(bit) of byte \(index) flipped went unnoticed")
                }
            }
        }
    }

    private func encode(capacity: Int, type: STUNMessageType, _ body: (inout STUNMessageBuilder) -> Void) -> [UInt8] {
        var storage = [UInt8](repeating: 0xEE, count: capacity)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: type, transactionID: RFC5769.transactionID)
            builder.paddingByte = 0x20
            body(&builder)
            return builder.finish()
        }
        return Array(storage.prefix(length ?? 0))
    }
}
