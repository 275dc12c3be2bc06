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
