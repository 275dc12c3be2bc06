/// A parsed STUN message (RFC 8489): a borrowed view over the datagram's bytes that records
/// where each attribute of interest sits. Parsing allocates nothing.
///
/// The view is valid only while the buffer it was parsed from is; copy out what must outlive it.
/// Use it on the thread that owns the buffer (it is deliberately not `Sendable`).
///
/// Attribute rules (RFC 8489 §14): the first occurrence of an attribute wins; attributes after
/// MESSAGE-INTEGRITY are ignored except MESSAGE-INTEGRITY-SHA256 and FINGERPRINT; after
/// MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts; nothing may follow FINGERPRINT.
/// Integrity and fingerprint are not checked by parsing: call `verifyMessageIntegrity(key:)`
/// and `verifyFingerprint()`.
public struct STUNMessage {
    /// The whole message, header included.
    public let bytes: UnsafeRawBufferPointer
    public let header: STUNHeader

    // Value ranges (excluding the 4-byte attribute header) of the attributes we read.
    @usableFromInline var usernameRange: Range<Int>?
    @usableFromInline var priorityRange: Range<Int>?
    @usableFromInline var iceControllingRange: Range<Int>?
    @usableFromInline var iceControlledRange: Range<Int>?
    @usableFromInline var xorMappedAddressRange: Range<Int>?
    @usableFromInline var mappedAddressRange: Range<Int>?
    @usableFromInline var errorCodeRange: Range<Int>?
    @usableFromInline var softwareRange: Range<Int>?
    @usableFromInline var realmRange: Range<Int>?
    @usableFromInline var nonceRange: Range<Int>?
    @usableFromInline var unknownAttributesRange: Range<Int>?
    /// Offsets of the attribute headers (the integrity input ends there).
    @usableFromInline var messageIntegrityOffset: Int?
    @usableFromInline var messageIntegritySHA256Offset: Int?
    @usableFromInline var fingerprintOffset: Int?

    /// USE-CANDIDATE is present (RFC 8445 §7.1.2).
    public private(set) var useCandidate = false
    /// A comprehension-required attribute this implementation does not know is present
    /// (a request carrying one gets 420, RFC 8489 §6.3.1).
    public private(set) var hasUnknownComprehensionRequiredAttribute = false

    public var messageType: STUNMessageType { header.messageType }
    public var transactionID: STUNTransactionID { header.transactionID }

    /// Parses one whole STUN datagram. Never traps on any input.
    public init(_ datagram: UnsafeRawBufferPointer) throws(STUNParseError) {
        self.header = try STUNHeader(datagram)
        self.bytes = datagram
        try parseAttributes()
    }

    /// Same as `init(_:)`.
    public static func parse(_ datagram: UnsafeRawBufferPointer) throws(STUNParseError) -> STUNMessage {
        try STUNMessage(datagram)
    }

    private mutating func parseAttributes() throws(STUNParseError) {
        let end = bytes.count
        var offset = STUNHeader.size
        var afterIntegrity = false
        var afterIntegritySHA256 = false
        var afterFingerprint = false
        while offset < end {
            guard end - offset >= 4 else { throw .attributeTruncated(type: 0) }
            let type = bytes.loadBigEndianUInt16(at: offset)
            let length = Int(bytes.loadBigEndianUInt16(at: offset + 2))
            let valueStart = offset + 4
            let paddedLength = (length + 3) & ~3
            guard paddedLength <= end - valueStart else { throw .attributeTruncated(type: type) }
            guard !afterFingerprint else { throw .attributeAfterFingerprint }
            let value = valueStart..<(valueStart + length)
            let attributeOffset = offset
            offset = valueStart + paddedLength

            if afterIntegritySHA256 && type != STUNAttributeType.fingerprint { continue }
            if afterIntegrity && type != STUNAttributeType.fingerprint
                && type != STUNAttributeType.messageIntegritySHA256
            {
                continue
            }

            switch type {
            case STUNAttributeType.username:
                if usernameRange == nil { usernameRange = value }
            case STUNAttributeType.messageIntegrity:
                guard length == 20 else { throw .malformedAttribute(type: type) }
                messageIntegrityOffset = attributeOffset
                afterIntegrity = true
            case STUNAttributeType.messageIntegritySHA256:
                guard length >= 16, length <= 32, length & 3 == 0 else { throw .malformedAttribute(type: type) }
                messageIntegritySHA256Offset = attributeOffset
                afterIntegritySHA256 = true
            case STUNAttributeType.fingerprint:
                guard length == 4 else { throw .malformedAttribute(type: type) }
                fingerprintOffset = attributeOffset
                afterFingerprint = true
            case STUNAttributeType.priority:
                guard length == 4 else { throw .malformedAttribute(type: type) }
                if priorityRange == nil { priorityRange = value }
            case STUNAttributeType.useCandidate:
                guard length == 0 else { throw .malformedAttribute(type: type) }
                useCandidate = true
            case STUNAttributeType.iceControlling:
                guard length == 8 else { throw .malformedAttribute(type: type) }
                if iceControllingRange == nil { iceControllingRange = value }
            case STUNAttributeType.iceControlled:
                guard length == 8 else { throw .malformedAttribute(type: type) }
                if iceControlledRange == nil { iceControlledRange = value }
            case STUNAttributeType.xorMappedAddress:
                guard isWellFormedAddress(value) else { throw .malformedAttribute(type: type) }
                if xorMappedAddressRange == nil { xorMappedAddressRange = value }
            case STUNAttributeType.mappedAddress:
                guard isWellFormedAddress(value) else { throw .malformedAttribute(type: type) }
                if mappedAddressRange == nil { mappedAddressRange = value }
            case STUNAttributeType.errorCode:
                guard length >= 4 else { throw .malformedAttribute(type: type) }
                if errorCodeRange == nil { errorCodeRange = value }
            case STUNAttributeType.software:
                if softwareRange == nil { softwareRange = value }
            case STUNAttributeType.realm:
                if realmRange == nil { realmRange = value }
            case STUNAttributeType.nonce:
                if nonceRange == nil { nonceRange = value }
            case STUNAttributeType.unknownAttributes:
                guard length & 1 == 0 else { throw .malformedAttribute(type: type) }
                if unknownAttributesRange == nil { unknownAttributesRange = value }
            default:
                if STUNAttributeType.isComprehensionRequired(type)
                    && !STUNAttributeType.isKnownComprehensionRequired(type)
                {
                    hasUnknownComprehensionRequiredAttribute = true
                }
            }
        }
    }

    /// (XOR-)MAPPED-ADDRESS: 8 bytes for IPv4 (family 1), 20 for IPv6 (family 2).
    private func isWellFormedAddress(_ value: Range<Int>) -> Bool {
        guard value.count >= 4 else { return false }
        switch bytes[value.lowerBound + 1] {
        case 0x01: return value.count == 8
        case 0x02: return value.count == 20
        default: return false
        }
    }
}

// MARK: - Attribute values

extension STUNMessage {
    /// The raw USERNAME bytes (no allocation); valid while `bytes` is.
    public var usernameBytes: UnsafeRawBufferPointer? { usernameRange.map { bytes.slice($0) } }

    /// USERNAME decoded as UTF-8 (invalid sequences become U+FFFD).
    public var username: String? { usernameBytes.map { String(decoding: $0, as: UTF8.self) } }

    /// PRIORITY (RFC 8445 §7.1.1).
    public var priority: UInt32? { priorityRange.map { bytes.loadBigEndianUInt32(at: $0.lowerBound) } }

    /// The tiebreaker of ICE-CONTROLLING (RFC 8445 §7.1.3).
    public var iceControlling: UInt64? { iceControllingRange.map { bytes.loadBigEndianUInt64(at: $0.lowerBound) } }

    /// The tiebreaker of ICE-CONTROLLED (RFC 8445 §7.1.3).
    public var iceControlled: UInt64? { iceControlledRange.map { bytes.loadBigEndianUInt64(at: $0.lowerBound) } }

    /// XOR-MAPPED-ADDRESS, un-XORed (RFC 8489 §14.2).
    public var xorMappedAddress: TransportAddress? {
        xorMappedAddressRange.flatMap { decodeAddress($0, xor: true) }
    }

    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    public var mappedAddress: TransportAddress? {
        mappedAddressRange.flatMap { decodeAddress($0, xor: false) }
    }

    /// ERROR-CODE (RFC 8489 §14.8).
    public var errorCode: STUNErrorCode? {
        guard let range = errorCodeRange else { return nil }
        let hundreds = Int(bytes[range.lowerBound + 2] & 0x07)
        let number = Int(bytes[range.lowerBound + 3])
        let reason = String(decoding: bytes.slice((range.lowerBound + 4)..<range.upperBound), as: UTF8.self)
        return STUNErrorCode(code: UInt16(hundreds * 100 + number), reason: reason)
    }

    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.9).
    public var unknownAttributes: [UInt16]? {
        guard let range = unknownAttributesRange else { return nil }
        return stride(from: range.lowerBound, to: range.upperBound, by: 2).map { bytes.loadBigEndianUInt16(at: $0) }
    }

    /// SOFTWARE (RFC 8489 §14.14).
    public var software: String? { softwareRange.map { String(decoding: bytes.slice($0), as: UTF8.self) } }
    /// REALM (RFC 8489 §14.9); long-term credentials are parsed, not served.
    public var realm: String? { realmRange.map { String(decoding: bytes.slice($0), as: UTF8.self) } }
    /// NONCE (RFC 8489 §14.10); parsed only.
    public var nonce: String? { nonceRange.map { String(decoding: bytes.slice($0), as: UTF8.self) } }

    public var hasMessageIntegrity: Bool { messageIntegrityOffset != nil }
    public var hasMessageIntegritySHA256: Bool { messageIntegritySHA256Offset != nil }
    public var hasFingerprint: Bool { fingerprintOffset != nil }

    /// The comprehension-required attribute types present that this implementation does not
    /// know, in order, for a 420 response's UNKNOWN-ATTRIBUTES. Rare path: rescans and allocates.
    public func unknownComprehensionRequiredAttributes() -> [UInt16] {
        guard hasUnknownComprehensionRequiredAttribute else { return [] }
        var result: [UInt16] = []
        var offset = STUNHeader.size
        while bytes.count - offset >= 4 {
            let type = bytes.loadBigEndianUInt16(at: offset)
            let length = Int(bytes.loadBigEndianUInt16(at: offset + 2))
            if type == STUNAttributeType.messageIntegrity || type == STUNAttributeType.messageIntegritySHA256 {
                break
            }
            if STUNAttributeType.isComprehensionRequired(type), !STUNAttributeType.isKnownComprehensionRequired(type),
                !result.contains(type)
            {
                result.append(type)
            }
            offset += 4 + ((length + 3) & ~3)
        }
        return result
    }

    private func decodeAddress(_ range: Range<Int>, xor: Bool) -> TransportAddress? {
        let base = range.lowerBound
        var port = bytes.loadBigEndianUInt16(at: base + 2)
        if xor { port ^= UInt16(truncatingIfNeeded: stunMagicCookie >> 16) }
        switch bytes[base + 1] {
        case 0x01 where range.count == 8:
            var address = bytes.loadBigEndianUInt32(at: base + 4)
            if xor { address ^= stunMagicCookie }
            return TransportAddress(ipv4: address, port: port)
        case 0x02 where range.count == 20:
            var high = bytes.loadBigEndianUInt64(at: base + 4)
            var low = bytes.loadBigEndianUInt64(at: base + 12)
            if xor {
                // The key is the magic cookie followed by the transaction id: header bytes 4..<20.
                high ^= bytes.loadBigEndianUInt64(at: 4)
                low ^= bytes.loadBigEndianUInt64(at: 12)
            }
            return TransportAddress(ipv6High: high, low: low, port: port)
        default:
            return nil
        }
    }
}

// MARK: - Fast path

extension STUNMessage {
    /// The USERNAME bytes of a STUN datagram, found without parsing or verifying anything else.
    ///
    /// For the media worker's routing of a first connectivity check to its transport (the
    /// local ufrag is the part before ':'). Returns nil if the datagram has no valid STUN
    /// header or no USERNAME before MESSAGE-INTEGRITY. No allocation; valid while `datagram` is.
    public static func peekUsernameBytes(_ datagram: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard (try? STUNHeader(datagram)) != nil else { return nil }
        var offset = STUNHeader.size
        while datagram.count - offset >= 4 {
            let type = datagram.loadBigEndianUInt16(at: offset)
            let length = Int(datagram.loadBigEndianUInt16(at: offset + 2))
            let valueStart = offset + 4
            guard length <= datagram.count - valueStart else { return nil }
            if type == STUNAttributeType.username {
                return datagram.slice(valueStart..<(valueStart + length))
            }
            if type == STUNAttributeType.messageIntegrity || type == STUNAttributeType.messageIntegritySHA256 {
                return nil
            }
            offset = valueStart + ((length + 3) & ~3)
        }
        return nil
    }

    /// USERNAME as a String ("localUfrag:remoteUfrag" in an ICE check), unverified.
    public static func peekUsername(_ datagram: UnsafeRawBufferPointer) -> String? {
        peekUsernameBytes(datagram).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The part of USERNAME before the first ':' — in a check sent to us, our own ufrag — unverified.
    public static func peekLocalUfrag(_ datagram: UnsafeRawBufferPointer) -> String? {
        guard let username = peekUsernameBytes(datagram) else { return nil }
        let end = username.firstIndex(of: UInt8(ascii: ":")) ?? username.count
        return String(decoding: username.slice(0..<end), as: UTF8.self)
    }
}

/// The value of an ERROR-CODE attribute (RFC 8489 §14.8).
public struct STUNErrorCode: Sendable, Hashable {
    /// 300–699.
    public var code: UInt16
    public var reason: String

    public init(code: UInt16, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let badRequest = STUNErrorCode(code: 400, reason: "Bad Request")
    public static let unauthenticated = STUNErrorCode(code: 401, reason: "Unauthenticated")
    public static let unknownAttribute = STUNErrorCode(code: 420, reason: "Unknown Attribute")
    public static let roleConflict = STUNErrorCode(code: 487, reason: "Role Conflict")
    public static let serverError = STUNErrorCode(code: 500, reason: "Server Error")
}
