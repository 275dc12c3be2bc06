import COpenSSL

/// One direction of one SRTP session (all SSRCs): the RFC 3711 transform with AES-CM and
/// HMAC-SHA1, or the RFC 7714 AEAD transform with AES-128-GCM, on OpenSSL libcrypto.
///
/// Confined to one thread at a time (a media worker owns it); there are no locks inside.
/// libcrypto objects are created once here and only re-seeded with a new IV per packet, and
/// packets are transformed in place, so protect/unprotect allocate nothing (a new SSRC adds
/// one table entry, once).
///
/// Per SSRC it keeps the rollover counter and highest sequence number (RFC 3711 §3.3.1),
/// the 128-packet replay window for SRTP and SRTCP (§3.3.2), and the SRTCP send index.
/// Protecting a packet again (a retransmission) is allowed; replay checks apply on unprotect.
/// The RTP header extension is authenticated but not encrypted (no RFC 6904).
public final class SRTPContext: @unchecked Sendable {
    public let profile: SRTPProtectionProfile

    /// Streams tracked per context; a peer cannot make the context grow beyond this.
    public static let maximumStreams = 4096

    /// Longest packet accepted (anything UDP can carry), so lengths always fit libcrypto's `int`.
    public static let maximumPacketLength = 65_535

    private let rtpCipher: OpaquePointer
    private let rtcpCipher: OpaquePointer
    /// HMAC-SHA1 pad states (AES-CM profiles only).
    private let rtpAuth: UnsafeMutablePointer<sfu_hmac_sha1_key>
    private let rtcpAuth: UnsafeMutablePointer<sfu_hmac_sha1_key>
    /// Session salts as big-endian words: bytes 0…7 and 8…15 (zero-padded).
    private let rtpSalt: (UInt64, UInt64)
    private let rtcpSalt: (UInt64, UInt64)
    /// 64 bytes of scratch: IV at 0, ROC or SRTCP trailer at 16, computed tag at 32.
    private let scratch: UnsafeMutableRawPointer
    private let rtpTagLength: Int
    private let rtcpTagLength: Int
    private let isAEAD: Bool

    private struct Stream {
        var ssrc: UInt32
        var rtp = SRTPReplayWindow()
        var rtcp = SRTPReplayWindow()
        /// Last SRTCP index sent for this SSRC (the first packet gets 1, as libsrtp does).
        var rtcpSendIndex: UInt32 = 0
    }

    private var streams: ContiguousArray<Stream> = []
    private var slotBySSRC: [UInt32: Int] = [:]
    private var lastSSRC: UInt32 = 0
    private var lastSlot = -1

    public convenience init(profile: SRTPProtectionProfile, masterKey: [UInt8], masterSalt: [UInt8]) throws {
        guard masterKey.count == profile.masterKeyLength, masterSalt.count == profile.masterSaltLength else {
            throw SRTPError.invalidKeyLength
        }
        var keys = try SRTPSessionKeys(profile: profile, masterKey: masterKey, masterSalt: masterSalt)
        defer { keys.erase() }
        try self.init(profile: profile, sessionKeys: keys)
    }

    /// Keys the context with session keys directly (RFC 7714 §16 vectors give these).
    init(profile: SRTPProtectionProfile, sessionKeys keys: SRTPSessionKeys) throws {
        self.profile = profile
        isAEAD = profile.isAEAD
        rtpTagLength = profile.rtpTagLength
        rtcpTagLength = profile.rtcpTagLength
        rtpSalt = Self.saltWords(keys.rtpSalt)
        rtcpSalt = Self.saltWords(keys.rtcpSalt)
        let mode: Int32 = isAEAD ? 1 : 0
        guard keys.rtpKey.count == 16, keys.rtcpKey.count == 16 else { throw SRTPError.invalidKeyLength }
        guard let rtpCtx = sfu_aes128_ctx_new(mode, keys.rtpKey) else { throw SRTPError.cryptoFailure }
        guard let rtcpCtx = sfu_aes128_ctx_new(mode, keys.rtcpKey) else {
            EVP_CIPHER_CTX_free(rtpCtx)
            throw SRTPError.cryptoFailure
        }
        rtpCipher = rtpCtx
        rtcpCipher = rtcpCtx
        rtpAuth = .allocate(capacity: 1)
        rtcpAuth = .allocate(capacity: 1)
        sfu_hmac_sha1_set_key(rtpAuth, keys.rtpAuthKey, keys.rtpAuthKey.count)
        sfu_hmac_sha1_set_key(rtcpAuth, keys.rtcpAuthKey, keys.rtcpAuthKey.count)
        scratch = .allocate(byteCount: 64, alignment: 16)
        streams.reserveCapacity(8)
    }

    deinit {
        EVP_CIPHER_CTX_free(rtpCipher)
        EVP_CIPHER_CTX_free(rtcpCipher)
        OPENSSL_cleanse(rtpAuth, MemoryLayout<sfu_hmac_sha1_key>.size)
        OPENSSL_cleanse(rtcpAuth, MemoryLayout<sfu_hmac_sha1_key>.size)
        rtpAuth.deallocate()
        rtcpAuth.deallocate()
        scratch.deallocate()
    }

    private static func saltWords(_ salt: [UInt8]) -> (UInt64, UInt64) {
        var padded = [UInt8](repeating: 0, count: 16)
        for (i, byte) in salt.enumerated() { padded[i] = byte }
        var a: UInt64 = 0
        var b: UInt64 = 0
        for i in 0..<8 {
            a = a << 8 | UInt64(padded[i])
            b = b << 8 | UInt64(padded[8 + i])
        }
        return (a, b)
    }

    // MARK: - Streams

    /// The slot of `ssrc`, or -1.
    @inline(__always)
    private func slot(of ssrc: UInt32) -> Int {
        if lastSlot >= 0, lastSSRC == ssrc { return lastSlot }
        // A few streams (audio, video, RTX) interleave on most contexts: a short scan beats hashing.
        if streams.count <= 8 {
            for i in streams.indices where streams[i].ssrc == ssrc {
                lastSSRC = ssrc
                lastSlot = i
                return i
            }
            return -1
        }
        guard let slot = slotBySSRC[ssrc] else { return -1 }
        lastSSRC = ssrc
        lastSlot = slot
        return slot
    }

    private func addStream(_ ssrc: UInt32) throws(SRTPError) -> Int {
        guard streams.count < Self.maximumStreams else { throw .tooManyStreams }
        streams.append(Stream(ssrc: ssrc))
        let slot = streams.count - 1
        slotBySSRC[ssrc] = slot
        lastSSRC = ssrc
        lastSlot = slot
        return slot
    }

    /// Forgets an SSRC's state (when a stream ends), so its slot can be reused by a new SSRC.
    public func removeStream(ssrc: UInt32) {
        guard let slot = slotBySSRC.removeValue(forKey: ssrc) else { return }
        let last = streams.count - 1
        if slot != last {
            streams[slot] = streams[last]
            slotBySSRC[streams[slot].ssrc] = slot
        }
        streams.removeLast()
        lastSlot = -1
    }

    /// Sets the last SRTCP index sent for `ssrc` (tests replaying RFC vectors).
    func setRTCPSendIndex(_ index: UInt32, ssrc: UInt32) throws(SRTPError) {
        var s = slot(of: ssrc)
        if s < 0 { s = try addStream(ssrc) }
        streams[s].rtcpSendIndex = index
    }

    /// The rollover counter currently held for `ssrc` (for tests and diagnostics).
    public func rolloverCounter(ssrc: UInt32) -> UInt32? {
        let s = slot(of: ssrc)
        return s < 0 ? nil : UInt32(truncatingIfNeeded: streams[s].rtp.highest >> 16)
    }

    // MARK: - IVs

    /// AES-CM IV (RFC 3711 §4.1.1): salt XOR (SSRC << 64) XOR (index << 16).
    @inline(__always)
    private func writeCounterIV(salt: (UInt64, UInt64), ssrc: UInt32, index: UInt64) {
        scratch.storeBytes(of: (salt.0 ^ UInt64(ssrc)).bigEndian, as: UInt64.self)
        scratch.storeBytes(of: (salt.1 ^ (index << 16)).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// GCM IV (RFC 7714 §8.1 / §9.1): salt XOR (00 00 || SSRC || middle || low), 12 bytes.
    @inline(__always)
    private func writeAEADIV(salt: (UInt64, UInt64), ssrc: UInt32, middle: UInt16, low: UInt32) {
        scratch.storeBytes(of: (salt.0 ^ (UInt64(ssrc) << 16 | UInt64(middle))).bigEndian, as: UInt64.self)
        scratch.storeBytes(of: (salt.1 ^ UInt64(low) << 32).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    // MARK: - RTP

    /// Header length of the RTP packet in `base[0..<length]`, or nil when malformed.
    @inline(__always)
    private static func rtpHeaderLength(_ base: UnsafeMutableRawPointer, length: Int) -> Int? {
        guard length >= 12 else { return nil }
        let first = base.load(as: UInt8.self)
        guard first >> 6 == 2 else { return nil }
        var header = 12 + Int(first & 0x0F) * 4
        if first & 0x10 != 0 {
            guard header + 4 <= length else { return nil }
            let words = Int(UInt16(bigEndian: base.loadUnaligned(fromByteOffset: header + 2, as: UInt16.self)))
            header += 4 + words * 4
        }
        return header <= length ? header : nil
    }

    /// Encrypts and authenticates the RTP packet in `buffer[0..<length]` in place.
    /// `buffer.count` must be ≥ length + profile.rtpOverhead. Returns the new length.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress, length >= 12, length <= buffer.count else { throw .tooShort }
        guard length <= Self.maximumPacketLength else { throw .malformed }
        guard length + rtpTagLength <= buffer.count else { throw .bufferTooSmall }
        guard let headerLength = Self.rtpHeaderLength(base, length: length) else { throw .malformed }
        return try protectRTP(
            base: base, headerLength: headerLength, payload: UnsafeRawPointer(base + headerLength),
            payloadLength: length - headerLength)
    }

    /// Fan-out variant that saves copying the payload once per receiver:
    /// `destination` starts with a complete RTP header (`headerLength` bytes, CSRCs and
    /// extension included, typically copied from the source packet and rewritten for this
    /// receiver); the payload is read from `payload`, and its ciphertext and the tag are
    /// written after the header. `destination.count` must be ≥ headerLength +
    /// payload.count + profile.rtpOverhead. Returns the SRTP length.
    public func protectRTP(
        header destination: UnsafeMutableRawBufferPointer, headerLength: Int, payload: UnsafeRawBufferPointer
    ) throws(SRTPError) -> Int {
        guard let base = destination.baseAddress, headerLength >= 12, headerLength <= destination.count else {
            throw .tooShort
        }
        let length = headerLength + payload.count
        guard length <= Self.maximumPacketLength else { throw .malformed }
        guard length + rtpTagLength <= destination.count else { throw .bufferTooSmall }
        guard Self.rtpHeaderLength(base, length: headerLength) == headerLength else { throw .malformed }
        let source = payload.baseAddress ?? UnsafeRawPointer(base + headerLength)
        return try protectRTP(base: base, headerLength: headerLength, payload: source, payloadLength: payload.count)
    }

    @inline(__always)
    private func protectRTP(
        base: UnsafeMutableRawPointer, headerLength: Int, payload: UnsafeRawPointer, payloadLength: Int
    ) throws(SRTPError) -> Int {
        let length = headerLength + payloadLength
        let seq = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        let ssrc = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        var s = slot(of: ssrc)
        if s < 0 { s = try addStream(ssrc) }
        let index = streams[s].rtp.estimateIndex(sequenceNumber: seq)
        if !streams[s].rtp.hasReceived || index > streams[s].rtp.highest { streams[s].rtp.accept(index) }
        let roc = UInt32(truncatingIfNeeded: index >> 16)
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let input = payload.assumingMemoryBound(to: UInt8.self)
        let iv = scratch.assumingMemoryBound(to: UInt8.self)

        if isAEAD {
            writeAEADIV(salt: rtpSalt, ssrc: ssrc, middle: UInt16(truncatingIfNeeded: roc >> 16),
                        low: (roc & 0xFFFF) << 16 | UInt32(seq))
            guard sfu_aes_gcm_seal2(rtpCipher, iv, bytes, Int32(headerLength), nil, 0,
                                    input, bytes + headerLength, Int32(payloadLength), bytes + length) == 1
            else { throw .cryptoFailure }
            return length + rtpTagLength
        }
        writeCounterIV(salt: rtpSalt, ssrc: ssrc, index: index)
        guard sfu_aes_ctr_xor2(rtpCipher, iv, input, bytes + headerLength, Int32(payloadLength)) == 1 else {
            throw .cryptoFailure
        }
        scratch.storeBytes(of: roc.bigEndian, toByteOffset: 16, as: UInt32.self)
        let tag = iv + 32
        sfu_hmac_sha1(rtpAuth, bytes, length, iv + 16, 4, tag)
        (base + length).copyMemory(from: tag, byteCount: rtpTagLength)
        return length + rtpTagLength
    }

    /// Verifies and decrypts the SRTP packet in `buffer[0..<length]` in place; returns the
    /// RTP length. Rejects replays (128-packet window) before spending crypto on them.
    public func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress, length <= buffer.count, length >= 12 + rtpTagLength else {
            throw .tooShort
        }
        guard length <= Self.maximumPacketLength else { throw .malformed }
        let rtpLength = length - rtpTagLength
        guard let headerLength = Self.rtpHeaderLength(base, length: rtpLength) else { throw .malformed }
        let seq = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        let ssrc = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let s = slot(of: ssrc)
        var window = s >= 0 ? streams[s].rtp : SRTPReplayWindow()
        let index = window.estimateIndex(sequenceNumber: seq)
        guard window.isFresh(index) else { throw .replayed }
        let roc = UInt32(truncatingIfNeeded: index >> 16)
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let iv = scratch.assumingMemoryBound(to: UInt8.self)
        let payloadLength = Int32(rtpLength - headerLength)

        if isAEAD {
            writeAEADIV(salt: rtpSalt, ssrc: ssrc, middle: UInt16(truncatingIfNeeded: roc >> 16),
                        low: (roc & 0xFFFF) << 16 | UInt32(seq))
            guard sfu_aes_gcm_open(rtpCipher, iv, bytes, Int32(headerLength), nil, 0,
                                   bytes + headerLength, payloadLength, bytes + rtpLength) == 1
            else { throw .authenticationFailed }
        } else {
            scratch.storeBytes(of: roc.bigEndian, toByteOffset: 16, as: UInt32.self)
            let tag = iv + 32
            sfu_hmac_sha1(rtpAuth, bytes, rtpLength, iv + 16, 4, tag)
            guard CRYPTO_memcmp(tag, bytes + rtpLength, rtpTagLength) == 0 else { throw .authenticationFailed }
            writeCounterIV(salt: rtpSalt, ssrc: ssrc, index: index)
            guard sfu_aes_ctr_xor(rtpCipher, iv, bytes + headerLength, payloadLength) == 1 else {
                throw .cryptoFailure
            }
        }
        window.accept(index)
        if s >= 0 {
            streams[s].rtp = window
        } else {
            let added = try addStream(ssrc)
            streams[added].rtp = window
        }
        return rtpLength
    }

    // MARK: - RTCP

    /// Encrypts and authenticates the (compound) RTCP packet in place, appending the E bit,
    /// the SRTCP index and the tag. Returns the new length.
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress, length >= 8, length <= buffer.count else { throw .tooShort }
        guard length <= Self.maximumPacketLength else { throw .malformed }
        guard length + 4 + rtcpTagLength <= buffer.count else { throw .bufferTooSmall }
        guard base.load(as: UInt8.self) >> 6 == 2 else { throw .malformed }
        let ssrc = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var s = slot(of: ssrc)
        if s < 0 { s = try addStream(ssrc) }
        guard streams[s].rtcpSendIndex < 0x7FFF_FFFF else { throw .indexExhausted }
        streams[s].rtcpSendIndex += 1
        let index = streams[s].rtcpSendIndex
        let trailer = (0x8000_0000 | index).bigEndian
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let iv = scratch.assumingMemoryBound(to: UInt8.self)

        if isAEAD {
            // RFC 7714 §9: ciphertext || tag || E+index; AAD = first 8 bytes || E+index.
            scratch.storeBytes(of: trailer, toByteOffset: 16, as: UInt32.self)
            writeAEADIV(salt: rtcpSalt, ssrc: ssrc, middle: 0, low: index)
            guard sfu_aes_gcm_seal(rtcpCipher, iv, bytes, 8, iv + 16, 4,
                                   bytes + 8, Int32(length - 8), bytes + length) == 1
            else { throw .cryptoFailure }
            (base + length + rtcpTagLength).storeBytes(of: trailer, as: UInt32.self)
            return length + rtcpTagLength + 4
        }
        writeCounterIV(salt: rtcpSalt, ssrc: ssrc, index: UInt64(index))
        guard sfu_aes_ctr_xor(rtcpCipher, iv, bytes + 8, Int32(length - 8)) == 1 else { throw .cryptoFailure }
        (base + length).storeBytes(of: trailer, as: UInt32.self)
        let tag = iv + 32
        sfu_hmac_sha1(rtcpAuth, bytes, length + 4, nil, 0, tag)
        (base + length + 4).copyMemory(from: tag, byteCount: rtcpTagLength)
        return length + 4 + rtcpTagLength
    }

    /// Verifies and decrypts an SRTCP packet in place; returns the RTCP length.
    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress, length <= buffer.count, length >= 8 + 4 + rtcpTagLength else {
            throw .tooShort
        }
        guard base.load(as: UInt8.self) >> 6 == 2, length <= Self.maximumPacketLength else { throw .malformed }
        let rtcpLength = length - 4 - rtcpTagLength
        let ssrc = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let trailerOffset = isAEAD ? length - 4 : rtcpLength
        let trailerRaw = base.loadUnaligned(fromByteOffset: trailerOffset, as: UInt32.self)
        let trailer = UInt32(bigEndian: trailerRaw)
        let encrypted = trailer & 0x8000_0000 != 0
        let index = trailer & 0x7FFF_FFFF
        let s = slot(of: ssrc)
        var window = s >= 0 ? streams[s].rtcp : SRTPReplayWindow()
        guard window.isFresh(UInt64(index)) else { throw .replayed }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let iv = scratch.assumingMemoryBound(to: UInt8.self)

        if isAEAD {
            scratch.storeBytes(of: trailerRaw, toByteOffset: 16, as: UInt32.self)
            writeAEADIV(salt: rtcpSalt, ssrc: ssrc, middle: 0, low: index)
            let ok: Int32
            if encrypted {
                ok = sfu_aes_gcm_open(rtcpCipher, iv, bytes, 8, iv + 16, 4,
                                      bytes + 8, Int32(rtcpLength - 8), bytes + rtcpLength)
            } else {
                // E = 0 (RFC 7714 §9.3): the whole packet is AAD, nothing is decrypted.
                ok = sfu_aes_gcm_open(rtcpCipher, iv, bytes, Int32(rtcpLength), iv + 16, 4,
                                      bytes + rtcpLength, 0, bytes + rtcpLength)
            }
            guard ok == 1 else { throw .authenticationFailed }
        } else {
            let tag = iv + 32
            sfu_hmac_sha1(rtcpAuth, bytes, rtcpLength + 4, nil, 0, tag)
            guard CRYPTO_memcmp(tag, bytes + rtcpLength + 4, rtcpTagLength) == 0 else {
                throw .authenticationFailed
            }
            if encrypted {
                writeCounterIV(salt: rtcpSalt, ssrc: ssrc, index: UInt64(index))
                guard sfu_aes_ctr_xor(rtcpCipher, iv, bytes + 8, Int32(rtcpLength - 8)) == 1 else {
                    throw .cryptoFailure
                }
            }
        }
        window.accept(UInt64(index))
        if s >= 0 {
            streams[s].rtcp = window
        } else {
            let added = try addStream(ssrc)
            streams[added].rtcp = window
        }
        return rtcpLength
    }
}
