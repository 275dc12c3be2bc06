import COpenSSL

/// The HMACs and the MD5 STUN needs, on libcrypto's one-shot functions.
///
/// HMAC-SHA1 (the one every ICE check uses) runs on plain SHA-1 states and allocates nothing;
/// the rarer SHA-256 and MD5 go through OpenSSL's one-shot calls. Thread-safe: no shared state.
enum STUNCrypto {
    static let sha1Length = 20
    static let sha256Length = 32

    /// HMAC-SHA1(key, data) into `output` (at least 20 bytes). False if OpenSSL failed.
    ///
    /// On the precomputed-pad SHA-1 of the SRTP code rather than `HMAC()`: the one-shot call
    /// allocates about a dozen times per check, this allocates nothing.
    static func hmacSHA1(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard output.count >= sha1Length, let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return false
        }
        var state = sfu_hmac_sha1_key()
        var empty: UInt8 = 0
        withUnsafeMutablePointer(to: &empty) { emptyPointer in
            let keyPointer = key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer)
            sfu_hmac_sha1_set_key(&state, keyPointer, key.count)
            sfu_hmac_sha1(&state, data.baseAddress ?? UnsafeRawPointer(emptyPointer), data.count, nil, 0, out)
        }
        return true
    }

    /// HMAC-SHA256(key, data) into `output` (at least 32 bytes). False if OpenSSL failed.
    static func hmacSHA256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        hmac(EVP_sha256(), key: key, data: data, into: output, length: sha256Length)
    }

    private static func hmac(
        _ digest: OpaquePointer?, key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer, length: Int
    ) -> Bool {
        guard output.count >= length, key.count <= Int(Int32.max), let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return false
        }
        // OpenSSL wants non-NULL pointers even for empty inputs.
        var empty: UInt8 = 0
        return withUnsafeMutablePointer(to: &empty) { emptyPointer in
            let keyPointer = UnsafeRawPointer(key.baseAddress) ?? UnsafeRawPointer(emptyPointer)
            let dataPointer = data.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer)
            var written: UInt32 = 0
            let result = HMAC(digest, keyPointer, Int32(key.count), dataPointer, data.count, out, &written)
            return result != nil && Int(written) == length
        }
    }

    /// MD5 of `data` (16 bytes), for the long-term credential key (RFC 8489 §9.2.2).
    static func md5(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 16)
        var written: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &written, EVP_md5(), nil)
            }
        }
        return ok == 1 && written == 16 ? digest : []
    }

    /// Compares two byte strings in time that does not depend on where they differ.
    static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
