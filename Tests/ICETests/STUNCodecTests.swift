import RTP
import SFUBase
import Testing
import TestSupport

@testable import ICE

@Suite struct STUNCodecTests {
    @Test(arguments: [
        (STUNMessageType.bindingRequest, UInt16(0x0001)),
        (STUNMessageType.bindingIndication, UInt16(0x0011)),
        (STUNMessageType.bindingSuccessResponse, UInt16(0x0101)),
        (STUNMessageType.bindingErrorResponse, UInt16(0x0111)),
        (STUNMessageType(method: STUNMethod(rawValue: 0x003), messageClass: .request), UInt16(0x0003)),  // TURN Allocate
        (STUNMessageType(method: STUNMethod(rawValue: 0xFFF), messageClass: .errorResponse), UInt16(0x3FFF)),
    ])
    func messageTypeEncoding(type: STUNMessageType, raw: UInt16) {
        #expect(type.rawValue == raw)
        #expect(STUNMessageType(rawValue: raw) == type)
    }

    @Test func messageTypeRoundTripsForAllValues() {
        for raw in UInt16(0)...0x3FFF {
            #expect(STUNMessageType(rawValue: raw).rawValue == raw)
        }
    }

    @Test func crc32CheckValue() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { CRC32.checksum($0) } == 0)
    }

    @Test func bindingRequestRoundTrip() throws {
        let id = STUNTransactionID.random()
        let bytes = STUNMessage.encodeBindingRequest(
            transactionID: id, username: "abcd:efgh", password: "0123456789abcdefghijklmn", priority: 1_845_501_695,
            useCandidate: true, iceControlling: 0x0102_0304_0506_0708, software: "swift-sfu")
        #expect(bytes.count % 4 == 0)
        try withParsed(bytes) { message in
            #expect(message.messageType == .bindingRequest)
            #expect(message.transactionID == id)
            #expect(message.username == "abcd:efgh")
            #expect(message.priority == 1_845_501_695)
            #expect(message.useCandidate)
            #expect(message.iceControlling == 0x0102_0304_0506_0708)
            #expect(message.iceControlled == nil)
            #expect(message.software == "swift-sfu")
            #expect(message.verifyMessageIntegrity(password: "0123456789abcdefghijklmn"))
            #expect(!message.verifyMessageIntegrity(password: "0123456789abcdefghijklmo"))
            #expect(message.verifyFingerprint())
        }
    }

    @Test func errorResponseRoundTrip() throws {
        let id = STUNTransactionID.random()
        let bytes = STUNMessage.encodeBindingError(transactionID: id, error: .roleConflict, password: "pw")
        try withParsed(bytes) { message in
            #expect(message.messageType == .bindingErrorResponse)
            #expect(message.errorCode == .roleConflict)
            #expect(message.verifyMessageIntegrity(password: "pw"))
            #expect(message.verifyFingerprint())
        }
    }

    @Test func unknownAttributesRoundTrip() throws {
        var storage = [UInt8](repeating: 0, count: 128)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingErrorResponse, transactionID: .random())
            builder.appendErrorCode(.unknownAttribute)
            builder.appendUnknownAttributes([0x0003, 0x7FFF, 0x0042])
            return builder.finish()
        }
        let bytes = try built(storage, length)
        try withParsed(bytes) { message in
            #expect(message.errorCode?.code == 420)
            #expect(message.unknownAttributes == [0x0003, 0x7FFF, 0x0042])
        }
    }

    @Test func mappedAddressRoundTrip() throws {
        for address in [TransportAddress("10.1.2.3", port: 9), TransportAddress("fe80::1:2", port: 65535)] {
            let address = try #require(address)
            var storage = [UInt8](repeating: 0, count: 128)
            let length = storage.withUnsafeMutableBytes { raw -> Int? in
                var builder = STUNMessageBuilder(buffer: raw, type: .bindingSuccessResponse, transactionID: .random())
                builder.appendMappedAddress(address)
                builder.appendXORMappedAddress(address)
                return builder.finish()
            }
            try withParsed(try built(storage, length)) { message in
                #expect(message.mappedAddress == address)
                #expect(message.xorMappedAddress == address)
            }
        }
    }

    @Test func messageIntegritySHA256RoundTrip() throws {
        let key = Array("sha256-password".utf8)
        var storage = [UInt8](repeating: 0, count: 160)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingRequest, transactionID: .random())
            builder.appendUsername("a:b")
            key.withUnsafeBytes { builder.appendMessageIntegritySHA256(key: $0) }
            builder.appendFingerprint()
            return builder.finish()
        }
        try withParsed(try built(storage, length)) { message in
            #expect(!message.hasMessageIntegrity)
            #expect(message.hasMessageIntegritySHA256)
            #expect(message.verifyMessageIntegrity(key: key))
            #expect(key.withUnsafeBytes { message.verifyMessageIntegritySHA256(key: $0) })
            #expect(!message.verifyMessageIntegrity(key: Array("other".utf8)))
            #expect(message.verifyFingerprint())
        }
    }

    @Test func attributesAfterIntegrityAreIgnored() throws {
        var storage = [UInt8](repeating: 0, count: 160)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingRequest, transactionID: .random())
            builder.appendUsername("a:b")
            builder.appendMessageIntegrity(key: Array("pw".utf8))
            builder.appendPriority(7)
            builder.appendUseCandidate()
            builder.appendAttribute(type: 0x0033, value: UnsafeRawBufferPointer(start: nil, count: 0))
            return builder.finish()
        }
        try withParsed(try built(storage, length)) { message in
            #expect(message.priority == nil)
            #expect(!message.useCandidate)
            #expect(!message.hasUnknownComprehensionRequiredAttribute)
            // The HMAC covers only what precedes it, with the length as if it were last.
            #expect(message.verifyMessageIntegrity(password: "pw"))
        }
    }

    @Test func attributeAfterFingerprintIsRejected() {
        var bytes = STUNMessage.encodeBindingIndication()
        bytes += [0x80, 0x22, 0x00, 0x00]
        bytes[3] += 4
        #expect(throws: STUNParseError.attributeAfterFingerprint) { try withParsed(bytes) { _ in } }
    }

    @Test func unknownComprehensionRequiredAttributeIsFlagged() throws {
        var storage = [UInt8](repeating: 0, count: 128)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingRequest, transactionID: .random())
            builder.appendAttribute(type: 0xC057, text: "optional, ignored")
            builder.appendAttribute(type: 0x0013, text: "data")
            builder.appendAttribute(type: 0x0013, text: "again")
            builder.appendAttribute(type: 0x0019, text: "")
            return builder.finish()
        }
        try withParsed(try built(storage, length)) { message in
            #expect(message.hasUnknownComprehensionRequiredAttribute)
            #expect(message.unknownComprehensionRequiredAttributes() == [0x0013, 0x0019])
        }
    }

    @Test func headerChecks() {
        #expect(throws: STUNParseError.tooShort) { try withParsed([0, 1, 0, 0]) { _ in } }
        var request = RFC5769.request
        request[0] |= 0x80
        #expect(throws: STUNParseError.notSTUN) { try withParsed(request) { _ in } }
        request = RFC5769.request
        request[5] = 0
        #expect(throws: STUNParseError.badMagicCookie) { try withParsed(request) { _ in } }
        request = RFC5769.request
        request[3] = 0x59
        #expect(throws: STUNParseError.badLength) { try withParsed(request) { _ in } }
        #expect(throws: STUNParseError.badLength) { try withParsed(RFC5769.request + [0, 0, 0, 0]) { _ in } }
    }

    @Test func malformedKnownAttributes() {
        // PRIORITY with 8 bytes instead of 4.
        let bytes: [UInt8] = [0x00, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 1, count: 12)
            + [0x00, 0x24, 0x00, 0x08, 0, 0, 0, 1, 0, 0, 0, 2]
        #expect(throws: STUNParseError.malformedAttribute(type: STUNAttributeType.priority)) { try withParsed(bytes) { _ in } }
        // XOR-MAPPED-ADDRESS with family 3.
        let address: [UInt8] = [0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 1, count: 12)
            + [0x00, 0x20, 0x00, 0x08, 0, 3, 0, 1, 0, 0, 0, 2]
        #expect(throws: STUNParseError.malformedAttribute(type: STUNAttributeType.xorMappedAddress)) {
            try withParsed(address) { _ in }
        }
    }

    @Test func peekUsername() {
        withDatagram(RFC5769.request) { raw in
            #expect(STUNMessage.peekUsername(raw) == "evtj:h6vY")
            #expect(STUNMessage.peekLocalUfrag(raw) == "evtj")
            #expect(STUNMessage.peekUsernameBytes(raw)?.count == 9)
        }
        withDatagram(RFC5769.ipv4Response) { raw in
            #expect(STUNMessage.peekUsername(raw) == nil)
        }
        withDatagram([0x80, 0x60, 0, 0]) { raw in
            #expect(STUNMessage.peekUsername(raw) == nil)
        }
    }

    @Test func builderOverflowIsReported() {
        var storage = [UInt8](repeating: 0, count: 40)
        storage.withUnsafeMutableBytes { raw in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingSuccessResponse, transactionID: .random())
            builder.appendXORMappedAddress(TransportAddress(ipv4: 0x7F00_0001, port: 1))
            #expect(builder.finish() == 32)
            builder.appendMessageIntegrity(key: [1, 2, 3])
            #expect(builder.overflowed)
            #expect(builder.finish() == nil)
        }
        var tiny = [UInt8](repeating: 0, count: 10)
        tiny.withUnsafeMutableBytes { raw in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingRequest, transactionID: .random())
            builder.appendFingerprint()
            #expect(builder.finish() == nil)
        }
    }

    @Test func transactionIDBytes() {
        #expect(RFC5769.transactionID.bytes == Array(RFC5769.request[8..<20]))
        #expect(STUNTransactionID(bytes: RFC5769.transactionID.bytes) == RFC5769.transactionID)
        #expect(STUNTransactionID(bytes: [1, 2, 3]) == nil)
        #expect(STUNTransactionID.random() != STUNTransactionID.random())
    }
}

/// Malformed input never traps: random bytes, truncations and corruptions of valid messages
/// through the parser, every accessor, the verifiers, peekUsername, the demux and the agent.
@Suite struct STUNFuzzTests {
    static func exercise(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = DatagramKind.classify(raw)
            _ = STUNMessage.peekUsername(raw)
            _ = STUNMessage.peekLocalUfrag(raw)
            if let message = try? STUNMessage(raw) {
                _ = message.username
                _ = message.priority
                _ = message.iceControlling
                _ = message.iceControlled
                _ = message.xorMappedAddress
                _ = message.mappedAddress
                _ = message.errorCode
                _ = message.software
                _ = message.realm
                _ = message.nonce
                _ = message.unknownAttributes
                _ = message.unknownComprehensionRequiredAttributes()
                _ = message.verifyMessageIntegrity(password: "pw")
                _ = message.verifyMessageIntegrity(key: [UInt8]())
                _ = message.verifyFingerprint()
            }
            var agent = ICELiteAgent(
                local: ICECredentials(ufrag: "evtj", pwd: RFC5769.password), remote: nil, now: MonotonicInstant(nanoseconds: 0))
            var response = [UInt8](repeating: 0, count: 1500)
            let length = response.withUnsafeMutableBytes {
                agent.handleSTUN(raw, from: TransportAddress(ipv4: 0x7F00_0001, port: 5000), now: MonotonicInstant(nanoseconds: 1), response: $0)
            }
            if length > 0 {
                // Whatever the agent answers must itself be valid STUN.
                let valid = Array(response.prefix(length)).withUnsafeBytes { (try? STUNMessage($0)) != nil }
                #expect(valid)
            }
        }
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<160, using: &rng)
            Self.exercise((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    /// Random attributes behind a valid header, so the attribute walker sees real work.
    @Test func randomAttributesBehindValidHeader() {
        var rng = SplitMix64(seed: 42)
        let types: [UInt16] = [0x0001, 0x0006, 0x0008, 0x0009, 0x000A, 0x0014, 0x0015, 0x001C, 0x0020, 0x0024, 0x0025, 0x8022, 0x8028, 0x8029, 0x802A, 0x0042]
        for _ in 0..<20_000 {
            var body: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<6, using: &rng) {
                let type = types.randomElement(using: &rng) ?? 0
                let length = Int.random(in: 0..<40, using: &rng)
                body += [UInt8(type >> 8), UInt8(type & 0xFF), 0, UInt8(length)]
                body += (0..<((length + 3) & ~3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if Bool.random(using: &rng) { body.removeLast(Int.random(in: 0..<4, using: &rng)) }
            }
            let header: [UInt8] = [
                0x00, UInt8.random(in: 0...0x11, using: &rng), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF),
                0x21, 0x12, 0xa4, 0x42,
            ] + (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
            Self.exercise(header + body)
        }
    }

    @Test func truncationsAndCorruptionsOfVectors() {
        var rng = SplitMix64(seed: 7)
        for vector in RFC5769.all {
            for length in 0..<vector.count {
                let truncated = Array(vector.prefix(length))
                Self.exercise(truncated)
                #expect((try? withParsed(truncated) { _ in }) == nil)
            }
            for _ in 0..<2_000 {
                var corrupted = vector
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    corrupted[Int.random(in: 0..<corrupted.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                Self.exercise(corrupted)
            }
        }
    }
}
