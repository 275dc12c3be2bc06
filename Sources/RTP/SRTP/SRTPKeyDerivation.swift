import COpenSSL

/// The SRTP key derivation function (RFC 3711 §4.3.1 and §4.3.3) with a key derivation
/// rate of 0, as DTLS-SRTP uses: AES-128 counter mode keyed with the master key, the IV being
/// the master salt with the label XORed into byte 7.
///
/// GCM profiles carry a 96-bit master salt; like libsrtp (and RFC 7714 §11), the salt is
/// zero-padded to the 112 bits the KDF expects.
enum SRTPKeyDerivation {
    enum Label: UInt8 {
        case rtpEncryption = 0, rtpAuthentication = 1, rtpSalt = 2
        case rtcpEncryption = 3, rtcpAuthentication = 4, rtcpSalt = 5
    }

    /// Derives `length` bytes for `label`. Runs at context creation only.
    static func derive(
        masterKey: [UInt8], masterSalt: [UInt8], label: Label, length: Int
    ) throws(SRTPError) -> [UInt8] {
        guard masterKey.count == 16, masterSalt.count <= 14 else { throw .invalidKeyLength }
        var iv = [UInt8](repeating: 0, count: 16)
        for (i, byte) in masterSalt.enumerated() { iv[i] = byte }
        iv[7] ^= label.rawValue
        return try aesCounterKeystream(key: masterKey, iv: iv, length: length)
    }

    /// `length` bytes of AES-128-CTR keystream for a 16-byte `iv` (RFC 3711 §4.1.1).
    static func aesCounterKeystream(key: [UInt8], iv: [UInt8], length: Int) throws(SRTPError) -> [UInt8] {
        guard key.count == 16, iv.count == 16 else { throw .invalidKeyLength }
        var output = [UInt8](repeating: 0, count: length)
        let ok = key.withUnsafeBufferPointer { keyBytes -> Bool in
            guard let ctx = sfu_aes128_ctx_new(0, keyBytes.baseAddress) else { return false }
            defer { EVP_CIPHER_CTX_free(ctx) }
            return iv.withUnsafeBufferPointer { ivBytes in
                output.withUnsafeMutableBufferPointer { out in
                    sfu_aes_ctr_xor(ctx, ivBytes.baseAddress, out.baseAddress, Int32(length)) == 1
                }
            }
        }
        guard ok else { throw .cryptoFailure }
        return output
    }
}

/// The six session keys of one direction (RFC 3711 §4.3.2); empty auth keys for AEAD.
struct SRTPSessionKeys {
    var rtpKey: [UInt8]
    var rtpAuthKey: [UInt8]
    var rtpSalt: [UInt8]
    var rtcpKey: [UInt8]
    var rtcpAuthKey: [UInt8]
    var rtcpSalt: [UInt8]

    init(rtpKey: [UInt8], rtpAuthKey: [UInt8], rtpSalt: [UInt8],
         rtcpKey: [UInt8], rtcpAuthKey: [UInt8], rtcpSalt: [UInt8]) {
        self.rtpKey = rtpKey
        self.rtpAuthKey = rtpAuthKey
        self.rtpSalt = rtpSalt
        self.rtcpKey = rtcpKey
        self.rtcpAuthKey = rtcpAuthKey
        self.rtcpSalt = rtcpSalt
    }

    init(profile: SRTPProtectionProfile, masterKey: [UInt8], masterSalt: [UInt8]) throws(SRTPError) {
        func derive(_ label: SRTPKeyDerivation.Label, _ length: Int) throws(SRTPError) -> [UInt8] {
            try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt, label: label, length: length)
        }
        let aead = profile.isAEAD
        rtpKey = try derive(.rtpEncryption, 16)
        rtpAuthKey = aead ? [] : try derive(.rtpAuthentication, 20)
        rtpSalt = try derive(.rtpSalt, profile.masterSaltLength)
        rtcpKey = try derive(.rtcpEncryption, 16)
        rtcpAuthKey = aead ? [] : try derive(.rtcpAuthentication, 20)
        rtcpSalt = try derive(.rtcpSalt, profile.masterSaltLength)
    }

    /// Overwrites the key bytes (best effort: arrays may have been copied before).
    mutating func erase() {
        for i in rtpKey.indices { rtpKey[i] = 0 }
        for i in rtpAuthKey.indices { rtpAuthKey[i] = 0 }
        for i in rtcpKey.indices { rtcpKey[i] = 0 }
        for i in rtcpAuthKey.indices { rtcpAuthKey[i] = 0 }
    }
}
