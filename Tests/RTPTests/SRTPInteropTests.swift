import Testing
import TestSupport
@testable import RTP

/// Byte-for-byte interop with Debian's libsrtp2, the reference implementation.
@Suite struct SRTPInteropTests {
    static let profiles: [SRTPProtectionProfile] = [.aes128CmHmacSha1_80, .aes128CmHmacSha1_32, .aeadAes128Gcm]

    struct Keys {
        var key: [UInt8]
        var salt: [UInt8]
    }

    static func keys(_ profile: SRTPProtectionProfile, rng: inout SeededGenerator) -> Keys {
        Keys(key: randomBytes(profile.masterKeyLength, using: &rng),
             salt: randomBytes(profile.masterSaltLength, using: &rng))
    }

    /// A random RTP packet: CSRCs, one- or two-byte extensions, padding, any payload size.
    static func randomRTP(seq: UInt16, ssrc: UInt32, rng: inout SeededGenerator) -> [UInt8] {
        var builder = RTPPacketBuilder(
            payloadType: UInt8.random(in: 96...127, using: &rng), sequenceNumber: seq,
            timestamp: UInt32.random(in: 0...UInt32.max, using: &rng), ssrc: ssrc,
            marker: Bool.random(using: &rng),
            payload: randomBytes(Int.random(in: 0...1200, using: &rng), using: &rng))
        builder.csrcs = (0..<Int.random(in: 0...3, using: &rng)).map { _ in UInt32.random(in: 1...UInt32.max, using: &rng) }
        switch Int.random(in: 0...2, using: &rng) {
        case 1:
            builder.extensions = [(1, [1, 2, 3]), (3, randomBytes(Int.random(in: 1...16, using: &rng), using: &rng))]
        case 2:
            builder.forceTwoByteExtensions = true
            builder.extensions = [(20, randomBytes(Int.random(in: 0...40, using: &rng), using: &rng)), (2, [9])]
        default: break
        }
        if Int.random(in: 0..<8, using: &rng) == 0 { builder.paddingLength = UInt8.random(in: 1...20, using: &rng) }
        return builder.bytes()
    }

    @Test(arguments: profiles)
    func rtpMatchesLibsrtpBothWays(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: UInt64(profile.rawValue) * 7919)
        let k = Self.keys(profile, rng: &rng)
        let ours = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let oursIn = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let theirs = try #require(LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: true))
        let theirsIn = try #require(LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: false))

        // Two SSRCs; the sequence numbers wrap, so the ROC goes 0 → 1 during the run.
        var seqs: [UInt32: UInt16] = [0x1234_5678: 65_400, 0xCAFE_BABE: 12]
        for step in 0..<400 {
            let ssrc: UInt32 = step % 3 == 0 ? 0xCAFE_BABE : 0x1234_5678
            let seq = seqs[ssrc, default: 0]
            seqs[ssrc] = seq &+ 1
            let plain = Self.randomRTP(seq: seq, ssrc: ssrc, rng: &rng)

            let mine = try transform(plain, ours.protectRTP).get()
            let reference = try #require(theirs.protectRTP(plain))
            #expect(mine == reference, "protect differs at step \(step), seq \(seq)")
            #expect(mine.count == plain.count + profile.rtpOverhead)

            // libsrtp unprotects ours, ours unprotects libsrtp's.
            #expect(theirsIn.unprotectRTP(mine) == plain, "libsrtp rejects ours at step \(step)")
            #expect(try transform(reference, oursIn.unprotectRTP).get() == plain)
        }
        #expect(oursIn.rolloverCounter(ssrc: 0x1234_5678) == 1)
        #expect(ours.rolloverCounter(ssrc: 0x1234_5678) == 1)

        // Re-protecting a retransmission gives the same bytes as the first time.
        let retransmit = Self.randomRTP(seq: 65_535, ssrc: 0x1234_5678, rng: &rng)
        let first = try transform(retransmit, ours.protectRTP).get()
        let again = try transform(retransmit, ours.protectRTP).get()
        #expect(first == again)
    }

    @Test(arguments: profiles)
    func rtcpMatchesLibsrtpBothWays(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: UInt64(profile.rawValue) * 104_729)
        let k = Self.keys(profile, rng: &rng)
        let ours = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let oursIn = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let theirs = try #require(LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: true))
        let theirsIn = try #require(LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: false))

        for step in 0..<100 {
            let ssrc: UInt32 = step % 2 == 0 ? 0x0102_0304 : 0x0A0B_0C0D
            var buffer = [UInt8](repeating: 0, count: 1500)
            let length = try buffer.withUnsafeMutableBytes { raw -> Int in
                var blocks: [RTCPReportBlock] = []
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    blocks.append(RTCPReportBlock(ssrc: UInt32.random(in: 0...UInt32.max, using: &rng),
                                                  fractionLost: 3, cumulativeLost: -2))
                }
                let sr = RTCPSenderReport(ssrc: ssrc, ntpTimestamp: UInt64(step) << 32, rtpTimestamp: 90_000,
                                          packetCount: UInt32(step), octetCount: 1000, reportBlocks: blocks)
                let n = try sr.write(into: raw)
                let sdes = RTCPSourceDescription(ssrc: ssrc, cname: "cname-\(step)")
                return n + (try sdes.write(into: UnsafeMutableRawBufferPointer(rebasing: raw[n...])))
            }
            let plain = Array(buffer[0..<length])
            let mine = try transform(plain, ours.protectRTCP).get()
            let reference = try #require(theirs.protectRTCP(plain))
            #expect(mine == reference, "SRTCP protect differs at step \(step)")
            #expect(mine.count == plain.count + profile.rtcpOverhead)
            #expect(theirsIn.unprotectRTCP(mine) == plain)
            #expect(try transform(reference, oursIn.unprotectRTCP).get() == plain)
        }
    }

    @Test(arguments: profiles)
    func replayedTamperedAndWrongKeyPacketsAreRejected(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: 42 + UInt64(profile.rawValue))
        let k = Self.keys(profile, rng: &rng)
        let sender = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let receiver = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        var wrongKey = k.key
        wrongKey[0] ^= 1
        let stranger = try SRTPContext(profile: profile, masterKey: wrongKey, masterSalt: k.salt)

        let plain = Self.randomRTP(seq: 1000, ssrc: 77, rng: &rng)
        let protected = try transform(plain, sender.protectRTP).get()
        #expect(transform(protected, stranger.unprotectRTP) == .failure(.authenticationFailed))
        for index in [0, 5, 12, protected.count / 2, protected.count - 1] {
            var tampered = protected
            tampered[index] ^= 0x40
            let result = transform(tampered, receiver.unprotectRTP)
            #expect(result != .success(plain), "tampered byte \(index) accepted")
        }
        #expect(try transform(protected, receiver.unprotectRTP).get() == plain)
        #expect(transform(protected, receiver.unprotectRTP) == .failure(.replayed))
        // Truncated and garbage inputs fail cleanly.
        for n in [0, 1, 11, 12, profile.rtpOverhead + 11] {
            #expect(throws: SRTPError.self) { try transform(Array(protected.prefix(n)), receiver.unprotectRTP).get() }
        }
        #expect(throws: SRTPError.self) { try transform([0x00] + Array(protected.dropFirst()), receiver.unprotectRTP).get() }

        // An old packet within the window is still accepted once.
        let later = Self.randomRTP(seq: 1010, ssrc: 77, rng: &rng)
        let older = Self.randomRTP(seq: 1005, ssrc: 77, rng: &rng)
        let laterP = try transform(later, sender.protectRTP).get()
        let olderP = try transform(older, sender.protectRTP).get()
        #expect(try transform(laterP, receiver.unprotectRTP).get() == later)
        #expect(try transform(olderP, receiver.unprotectRTP).get() == older)
        #expect(transform(olderP, receiver.unprotectRTP) == .failure(.replayed))

        // SRTCP: replay, tamper, wrong key.
        let rtcp = hex("81C90007 0000004D") + randomBytes(24, using: &rng)
        let rtcpP = try transform(rtcp, sender.protectRTCP).get()
        #expect(transform(rtcpP, stranger.unprotectRTCP) == .failure(.authenticationFailed))
        var rtcpT = rtcpP
        rtcpT[10] ^= 1
        #expect(transform(rtcpT, receiver.unprotectRTCP) == .failure(.authenticationFailed))
        #expect(try transform(rtcpP, receiver.unprotectRTCP).get() == rtcp)
        #expect(transform(rtcpP, receiver.unprotectRTCP) == .failure(.replayed))
        #expect(throws: SRTPError.self) { try transform(Array(rtcpP.prefix(13)), receiver.unprotectRTCP).get() }
    }

    /// Packets arrive shuffled around a sequence wrap; every one must decrypt exactly once.
    @Test(arguments: profiles)
    func reorderedPacketsAcrossWrapDecrypt(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: 9 + UInt64(profile.rawValue))
        let k = Self.keys(profile, rng: &rng)
        let theirs = try #require(LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: true))
        let receiver = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        var plains: [[UInt8]] = []
        var protected: [[UInt8]] = []
        var seq: UInt16 = 65_500
        for _ in 0..<120 {
            let p = Self.randomRTP(seq: seq, ssrc: 5, rng: &rng)
            plains.append(p)
            protected.append(try #require(theirs.protectRTP(p)))
            seq &+= 1
        }
        // Swap neighbours in small groups (reordering up to 3 positions).
        var order = Array(0..<120)
        var i = 1
        while i + 2 < order.count {
            order.swapAt(i, i + 2)
            i += 5
        }
        for index in order {
            #expect(try transform(protected[index], receiver.unprotectRTP).get() == plains[index], "packet \(index)")
        }
        #expect(receiver.rolloverCounter(ssrc: 5) == 1)
    }
}

@Suite struct SRTPEdgeCaseTests {
    /// SRTCP with the E bit clear (authenticated, not encrypted) from libsrtp is accepted as is.
    @Test(arguments: SRTPInteropTests.profiles)
    func unencryptedSRTCPIsAuthenticated(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: 77 + UInt64(profile.rawValue))
        let k = SRTPInteropTests.keys(profile, rng: &rng)
        let theirs = try #require(
            LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: true, rtcpAuthOnly: true))
        let ours = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let plain = hex("81C90007 00000042") + randomBytes(24, using: &rng)
        let protected = try #require(theirs.protectRTCP(plain))
        #expect(Array(protected[0..<plain.count]) == plain || profile == .aeadAes128Gcm)
        var tampered = protected
        tampered[9] ^= 0x10
        #expect(transform(tampered, ours.unprotectRTCP) == .failure(.authenticationFailed))
        #expect(try transform(protected, ours.unprotectRTCP).get() == plain)
    }

    @Test func bufferWithoutRoomForTheTagIsRefused() throws {
        let ctx = try SRTPContext(profile: .aes128CmHmacSha1_80, masterKey: Array(repeating: 1, count: 16),
                                  masterSalt: Array(repeating: 2, count: 14))
        var packet = RTPPacketBuilder(ssrc: 1, payload: [1, 2, 3]).bytes()
        let length = packet.count
        let result: SRTPError? = packet.withUnsafeMutableBytes { raw in
            do throws(SRTPError) { _ = try ctx.protectRTP(raw, length: length); return nil } catch { return error }
        }
        #expect(result == .bufferTooSmall)
        let rtcpResult: SRTPError? = packet.withUnsafeMutableBytes { raw in
            do throws(SRTPError) { _ = try ctx.protectRTCP(raw, length: 8); return nil } catch { return error }
        }
        #expect(rtcpResult == .bufferTooSmall)  // 8 + 4 + 10 > 15
    }

    @Test func keyingMaterialSplitsClientThenServer() throws {
        let profile = SRTPProtectionProfile.aes128CmHmacSha1_80
        let material = (0..<60).map { UInt8($0) }
        let split = try #require(profile.splitKeyingMaterial(material))
        #expect(split.client.key == Array(0..<16))
        #expect(split.server.key == Array(16..<32))
        #expect(split.client.salt == Array(32..<46))
        #expect(split.server.salt == Array(46..<60))
        #expect(profile.splitKeyingMaterial(Array(material.prefix(59))) == nil)
    }
}

@Suite struct SRTPGarbageTests {
    /// Random bytes never trap unprotect and are never accepted.
    @Test(arguments: SRTPInteropTests.profiles)
    func randomInputIsRejected(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: 1234 + UInt64(profile.rawValue))
        let k = SRTPInteropTests.keys(profile, rng: &rng)
        let ctx = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        for _ in 0..<5_000 {
            var bytes = randomBytes(Int.random(in: 0...80, using: &rng), using: &rng)
            if !bytes.isEmpty, Bool.random(using: &rng) { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            if case .success = transform(bytes, ctx.unprotectRTP) { Issue.record("random SRTP accepted") }
            if case .success = transform(bytes, ctx.unprotectRTCP) { Issue.record("random SRTCP accepted") }
        }
    }
}

@Suite struct SRTPFanOutTests {
    /// The out-of-place protect gives the same bytes as copy + in-place protect.
    @Test(arguments: SRTPInteropTests.profiles)
    func outOfPlaceMatchesInPlace(profile: SRTPProtectionProfile) throws {
        var rng = SeededGenerator(seed: 555 + UInt64(profile.rawValue))
        let k = SRTPInteropTests.keys(profile, rng: &rng)
        let inPlace = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let outOfPlace = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        for seq in UInt16(65_530)...UInt16(65_535) {
            var source = SRTPInteropTests.randomRTP(seq: seq, ssrc: 99, rng: &rng)
            let original = source
            let expected = try transform(source, inPlace.protectRTP).get()
            let headerLength = try source.withUnsafeMutableBytes { try RTPPacket(buffer: $0, length: $0.count).headerLength }
            var destination = [UInt8](repeating: 0, count: 1600)
            let n = try destination.withUnsafeMutableBytes { dst in
                try source.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<headerLength]))
                    return try outOfPlace.protectRTP(
                        header: dst, headerLength: headerLength,
                        payload: UnsafeRawBufferPointer(rebasing: src[headerLength...]))
                }
            }
            #expect(Array(destination[0..<n]) == expected)
            #expect(source == original)  // the source stays usable for the next receiver
        }
    }
}

@Suite struct SRTPManyStreamsTests {
    @Test func manySSRCsInterleavedAndRemoved() throws {
        var rng = SeededGenerator(seed: 31)
        let profile = SRTPProtectionProfile.aes128CmHmacSha1_80
        let k = SRTPInteropTests.keys(profile, rng: &rng)
        let sender = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let receiver = try SRTPContext(profile: profile, masterKey: k.key, masterSalt: k.salt)
        let theirs = try #require(LibSRTPSession(profile: profile, key: k.key, salt: k.salt, outbound: false))
        var kept: [UInt32: [UInt8]] = [:]
        for round in 0..<5 {
            for ssrc in UInt32(1)...UInt32(20) {
                let plain = SRTPInteropTests.randomRTP(seq: UInt16(round), ssrc: ssrc * 1000, rng: &rng)
                let protected = try transform(plain, sender.protectRTP).get()
                #expect(try transform(protected, receiver.unprotectRTP).get() == plain)
                #expect(theirs.unprotectRTP(protected) == plain)
                kept[ssrc * 1000] = protected
            }
        }
        // Forgetting a stream forgets its replay state too; the others keep theirs.
        receiver.removeStream(ssrc: 5000)
        receiver.removeStream(ssrc: 20000)
        #expect(try transform(try #require(kept[5000]), receiver.unprotectRTP).get().count > 0)
        #expect(transform(try #require(kept[6000]), receiver.unprotectRTP) == .failure(.replayed))
        #expect(transform(try #require(kept[19000]), receiver.unprotectRTP) == .failure(.replayed))
        #expect(receiver.rolloverCounter(ssrc: 20000) == nil)
    }
}
