/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.5, §14.6) and FINGERPRINT (§14.7) checks.
///
/// Both cover the message up to the attribute, with the header's length field set as if the
/// attribute were the last one; the datagram is left untouched (the covered prefix is
/// copied into a stack buffer to patch the length).
extension STUNMessage {
    /// Verifies MESSAGE-INTEGRITY (HMAC-SHA1) with `key`; if the message carries only
    /// MESSAGE-INTEGRITY-SHA256, verifies that instead. False when neither is present.
    ///
    /// For ICE (short-term credentials) the key is the password's UTF-8 bytes (RFC 8489 §9.1.1).
    public func verifyMessageIntegrity(key: UnsafeRawBufferPointer) -> Bool {
        if let offset = messageIntegrityOffset {
            return verifyHMAC(attributeOffset: offset, valueLength: 20, key: key, sha256: false)
        }
        return verifyMessageIntegritySHA256(key: key)
    }

    /// `verifyMessageIntegrity(key:)` with a byte-array key.
    public func verifyMessageIntegrity(key: [UInt8]) -> Bool {
        key.withUnsafeBytes { verifyMessageIntegrity(key: $0) }
    }

    /// `verifyMessageIntegrity(key:)` with a short-term password as key.
    public func verifyMessageIntegrity(password: String) -> Bool {
        verifyMessageIntegrity(key: Array(password.utf8))
    }

    /// Verifies MESSAGE-INTEGRITY-SHA256 only (possibly truncated, RFC 8489 §14.6). False when absent.
    public func verifyMessageIntegritySHA256(key: UnsafeRawBufferPointer) -> Bool {
        guard let offset = messageIntegritySHA256Offset else { return false }
        let length = Int(bytes.loadBigEndianUInt16(at: offset + 2))
        return verifyHMAC(attributeOffset: offset, valueLength: length, key: key, sha256: true)
    }

    /// Verifies FINGERPRINT. False when absent.
    public func verifyFingerprint() -> Bool {
        guard let offset = fingerprintOffset else { return false }
        var crc = CRC32()
        withUnsafeTemporaryAllocation(byteCount: 4, alignment: 4) { lengthField in
            crc.update(bytes.slice(0..<2))
            lengthField.storeBigEndian(UInt16(truncatingIfNeeded: offset - STUNHeader.size + 8), at: 0)
            crc.update(UnsafeRawBufferPointer(rebasing: lengthField[0..<2]))
            crc.update(bytes.slice(4..<offset))
        }
        let expected = crc.value ^ stunFingerprintXOR
        return bytes.loadBigEndianUInt32(at: offset + 4) == expected
    }

    private func verifyHMAC(attributeOffset offset: Int, valueLength: Int, key: UnsafeRawBufferPointer, sha256: Bool) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: offset + 32, alignment: 8) { scratch in
            let covered = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<offset])
            let mac = UnsafeMutableRawBufferPointer(rebasing: scratch[offset..<(offset + 32)])
            covered.copyMemory(from: bytes.slice(0..<offset))
            covered.storeBigEndian(UInt16(truncatingIfNeeded: offset - STUNHeader.size + 4 + valueLength), at: 2)
            let ok =
                sha256
                ? STUNCrypto.hmacSHA256(key: key, data: UnsafeRawBufferPointer(covered), into: mac)
                : STUNCrypto.hmacSHA1(key: key, data: UnsafeRawBufferPointer(covered), into: mac)
            guard ok else { return false }
            let received = bytes.slice((offset + 4)..<(offset + 4 + valueLength))
            return STUNCrypto.constantTimeEqual(UnsafeRawBufferPointer(rebasing: mac[0..<valueLength]), received)
        }
    }

    /// The long-term credential key MD5(username ":" realm ":" password) (RFC 8489 §9.2.2,
    /// MD5 algorithm). Inputs are taken as already SASLprep/OpaqueString-processed.
    public static func longTermKey(username: String, realm: String, password: String) -> [UInt8] {
        STUNCrypto.md5(Array("\(username):\(realm):\(password)".utf8))
    }
}
