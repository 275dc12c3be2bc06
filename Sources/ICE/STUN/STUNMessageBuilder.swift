/// Writes a STUN message (RFC 8489 §5, §14) into a caller-owned buffer, without allocating.
///
/// Append attributes in order, then (optionally) MESSAGE-INTEGRITY, then (optionally)
/// FINGERPRINT, and read `length`. The header's length field is kept current after each
/// append, so the integrity and fingerprint inputs are right by construction.
/// If the buffer runs out, the builder stops writing and `overflowed` becomes true;
/// `finish()` then returns nil. Single-threaded like the buffer it writes.
public struct STUNMessageBuilder {
    public let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far (header included).
    public private(set) var length: Int = 0
    public private(set) var overflowed = false
    /// The byte that pads attribute values to 4 bytes. RFC 8489 §14 lets senders pick any
    /// value and receivers ignore it; 0 by default (RFC 5769's vectors pad with 0x20).
    public var paddingByte: UInt8 = 0

    /// Starts a message of `type` with `transactionID`. The buffer needs at least 20 bytes
    /// (otherwise the builder is overflowed from the start).
    public init(buffer: UnsafeMutableRawBufferPointer, type: STUNMessageType, transactionID: STUNTransactionID) {
        self.buffer = buffer
        guard buffer.count >= STUNHeader.size else {
            overflowed = true
            return
        }
        buffer.storeBigEndian(type.rawValue, at: 0)
        buffer.storeBigEndian(UInt16(0), at: 2)
        buffer.storeBigEndian(stunMagicCookie, at: 4)
        buffer.storeBigEndian(transactionID.word0, at: 8)
        buffer.storeBigEndian(transactionID.word1, at: 12)
        buffer.storeBigEndian(transactionID.word2, at: 16)
        length = STUNHeader.size
    }

    /// The message length, or nil if it did not fit.
    public func finish() -> Int? { overflowed ? nil : length }

    /// Reserves an attribute of `valueLength` bytes, writes its header and zero padding,
    /// updates the header length and returns the value's offset (nil on overflow).
    private mutating func reserve(type: UInt16, valueLength: Int) -> Int? {
        let padded = (valueLength + 3) & ~3
        guard !overflowed, valueLength <= 0xFFFF, buffer.count - length >= 4 + padded,
            length - STUNHeader.size + 4 + padded <= 0xFFFF
        else {
            overflowed = true
            return nil
        }
        buffer.storeBigEndian(type, at: length)
        buffer.storeBigEndian(UInt16(valueLength), at: length + 2)
        let valueOffset = length + 4
        for index in (valueOffset + valueLength)..<(valueOffset + padded) {
            buffer[index] = paddingByte
        }
        length = valueOffset + padded
        buffer.storeBigEndian(UInt16(length - STUNHeader.size), at: 2)
        return valueOffset
    }

    /// Any attribute with a raw value.
    public mutating func appendAttribute(type: UInt16, value: UnsafeRawBufferPointer) {
        guard let offset = reserve(type: type, valueLength: value.count) else { return }
        if value.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + value.count)]).copyMemory(from: value)
        }
    }

    /// Any attribute with a UTF-8 text value (USERNAME, SOFTWARE, REALM, NONCE).
    public mutating func appendAttribute(type: UInt16, text: String) {
        var text = text
        text.withUTF8 { utf8 in appendAttribute(type: type, value: UnsafeRawBufferPointer(utf8)) }
    }

    public mutating func appendUsername(_ username: String) {
        appendAttribute(type: STUNAttributeType.username, text: username)
    }

    public mutating func appendSoftware(_ software: String) {
        appendAttribute(type: STUNAttributeType.software, text: software)
    }

    /// PRIORITY (RFC 8445 §7.1.1).
    public mutating func appendPriority(_ priority: UInt32) {
        guard let offset = reserve(type: STUNAttributeType.priority, valueLength: 4) else { return }
        buffer.storeBigEndian(priority, at: offset)
    }

    /// USE-CANDIDATE (RFC 8445 §7.1.2).
    public mutating func appendUseCandidate() {
        _ = reserve(type: STUNAttributeType.useCandidate, valueLength: 0)
    }

    /// ICE-CONTROLLING with its tiebreaker (RFC 8445 §7.1.3).
    public mutating func appendICEControlling(tiebreaker: UInt64) {
        guard let offset = reserve(type: STUNAttributeType.iceControlling, valueLength: 8) else { return }
        buffer.storeBigEndian(tiebreaker, at: offset)
    }

    /// ICE-CONTROLLED with its tiebreaker (RFC 8445 §7.1.3).
    public mutating func appendICEControlled(tiebreaker: UInt64) {
        guard let offset = reserve(type: STUNAttributeType.iceControlled, valueLength: 8) else { return }
        buffer.storeBigEndian(tiebreaker, at: offset)
    }

    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2); the XOR key includes the transaction id already written.
    public mutating func appendXORMappedAddress(_ address: TransportAddress) {
        appendAddress(address, type: STUNAttributeType.xorMappedAddress, xor: true)
    }

    /// MAPPED-ADDRESS (RFC 8489 §14.1), for RFC 3489-era clients.
    public mutating func appendMappedAddress(_ address: TransportAddress) {
        appendAddress(address, type: STUNAttributeType.mappedAddress, xor: false)
    }

    private mutating func appendAddress(_ address: TransportAddress, type: UInt16, xor: Bool) {
        guard let offset = reserve(type: type, valueLength: address.isIPv6 ? 20 : 8) else { return }
        buffer[offset] = 0
        buffer[offset + 1] = address.isIPv6 ? 0x02 : 0x01
        let portKey = xor ? UInt16(truncatingIfNeeded: stunMagicCookie >> 16) : 0
        buffer.storeBigEndian(address.port ^ portKey, at: offset + 2)
        if address.isIPv6 {
            let header = UnsafeRawBufferPointer(buffer)
            let highKey = xor ? header.loadBigEndianUInt64(at: 4) : 0
            let lowKey = xor ? header.loadBigEndianUInt64(at: 12) : 0
            buffer.storeBigEndian(address.high ^ highKey, at: offset + 4)
            buffer.storeBigEndian(address.low ^ lowKey, at: offset + 12)
        } else {
            buffer.storeBigEndian(UInt32(truncatingIfNeeded: address.low) ^ (xor ? stunMagicCookie : 0), at: offset + 4)
        }
    }

    /// ERROR-CODE (RFC 8489 §14.8).
    public mutating func appendErrorCode(_ error: STUNErrorCode) {
        var reason = error.reason
        reason.withUTF8 { utf8 in
            guard let offset = reserve(type: STUNAttributeType.errorCode, valueLength: 4 + utf8.count) else { return }
            buffer[offset] = 0
            buffer[offset + 1] = 0
            buffer[offset + 2] = UInt8(truncatingIfNeeded: (error.code / 100) & 0x07)
            buffer[offset + 3] = UInt8(truncatingIfNeeded: error.code % 100)
            if utf8.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[(offset + 4)..<(offset + 4 + utf8.count)])
                    .copyMemory(from: UnsafeRawBufferPointer(utf8))
            }
        }
    }

    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.9).
    public mutating func appendUnknownAttributes(_ types: [UInt16]) {
        guard let offset = reserve(type: STUNAttributeType.unknownAttributes, valueLength: 2 * types.count) else { return }
        for (index, type) in types.enumerated() {
            buffer.storeBigEndian(type, at: offset + 2 * index)
        }
    }

    /// MESSAGE-INTEGRITY: HMAC-SHA1 over everything so far (RFC 8489 §14.5).
    /// Short-term credentials (ICE): `key` is the password's UTF-8 bytes.
    public mutating func appendMessageIntegrity(key: UnsafeRawBufferPointer) {
        appendHMAC(type: STUNAttributeType.messageIntegrity, macLength: 20, key: key, sha256: false)
    }

    public mutating func appendMessageIntegrity(key: [UInt8]) {
        key.withUnsafeBytes { appendMessageIntegrity(key: $0) }
    }

    /// MESSAGE-INTEGRITY-SHA256, untruncated (RFC 8489 §14.6).
    public mutating func appendMessageIntegritySHA256(key: UnsafeRawBufferPointer) {
        appendHMAC(type: STUNAttributeType.messageIntegritySHA256, macLength: 32, key: key, sha256: true)
    }

    private mutating func appendHMAC(type: UInt16, macLength: Int, key: UnsafeRawBufferPointer, sha256: Bool) {
        let covered = length
        guard let offset = reserve(type: type, valueLength: macLength) else { return }
        let input = UnsafeRawBufferPointer(rebasing: buffer[0..<covered])
        let output = UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + macLength)])
        let ok =
            sha256
            ? STUNCrypto.hmacSHA256(key: key, data: input, into: output)
            : STUNCrypto.hmacSHA1(key: key, data: input, into: output)
        if !ok { overflowed = true }
    }

    /// FINGERPRINT: CRC-32 of everything so far XOR 0x5354554E (RFC 8489 §14.7). Append last.
    public mutating func appendFingerprint() {
        let covered = length
        guard let offset = reserve(type: STUNAttributeType.fingerprint, valueLength: 4) else { return }
        let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<covered]))
        buffer.storeBigEndian(crc ^ stunFingerprintXOR, at: offset)
    }
}
