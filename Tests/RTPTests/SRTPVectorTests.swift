import Testing
@testable import RTP

@Suite struct SRTPVectorTests {
    /// RFC 3711 Appendix B.3.
    @Test func keyDerivationMatchesRFC3711AppendixB3() throws {
        let key = hex("E1F97A0D3E018BE0D64FA32C06DE4139")
        let salt = hex("0EC675AD498AFEEBB6960B3AABE6")
        #expect(
            try SRTPKeyDerivation.derive(masterKey: key, masterSalt: salt, label: .rtpEncryption, length: 16)
                == hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(
            try SRTPKeyDerivation.derive(masterKey: key, masterSalt: salt, label: .rtpSalt, length: 14)
                == hex("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(
            try SRTPKeyDerivation.derive(masterKey: key, masterSalt: salt, label: .rtpAuthentication, length: 94)
                == hex(
                    """
                    CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE
                    E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25
                    6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2
                    """))
    }

    /// RFC 3711 Appendix B.2: the AES-CM keystream for session salt F0…FD, SSRC 0, index 0.
    @Test func counterModeKeystreamMatchesRFC3711AppendixB2() throws {
        let key = hex("2B7E151628AED2A6ABF7158809CF4F3C")
        let iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")
        let stream = try SRTPKeyDerivation.aesCounterKeystream(key: key, iv: iv, length: 0x1_0000 * 16)
        #expect(Array(stream[0..<16]) == hex("E03EAD0935C95E80E166B16DD92B4EB4"))
        #expect(Array(stream[16..<32]) == hex("D23513162B02D0F72A43A2FE4A5F97AB"))
        #expect(Array(stream[32..<48]) == hex("41E95B3BB0A2E8DD477901E4FCA894C0"))
        #expect(Array(stream[(0xFEFF * 16)..<(0xFF00 * 16)]) == hex("EC8CDF7398607CB0F2D21675EA9EA1E4"))
        #expect(Array(stream[(0xFF00 * 16)..<(0xFF01 * 16)]) == hex("362B7C3C6773516318A077D7FC5073AE"))
        #expect(Array(stream[(0xFF01 * 16)..<(0xFF02 * 16)]) == hex("6A2CC3787889374FBEB4C81B17BA6C44"))
    }

    @Test func profileSizes() {
        #expect(SRTPProtectionProfile.aes128CmHmacSha1_80.rtpOverhead == 10)
        #expect(SRTPProtectionProfile.aes128CmHmacSha1_32.rtpOverhead == 4)
        #expect(SRTPProtectionProfile.aeadAes128Gcm.rtpOverhead == 16)
        #expect(SRTPProtectionProfile.aes128CmHmacSha1_32.rtcpOverhead == 14)
        #expect(SRTPProtectionProfile.aeadAes128Gcm.rtcpOverhead == 20)
        #expect(SRTPProtectionProfile.aeadAes128Gcm.masterSaltLength == 12)
    }

    @Test func wrongKeyLengthsAreRejected() {
        #expect(throws: SRTPError.invalidKeyLength) {
            try SRTPContext(profile: .aeadAes128Gcm, masterKey: [UInt8](repeating: 1, count: 16),
                            masterSalt: [UInt8](repeating: 1, count: 14))
        }
        #expect(throws: SRTPError.invalidKeyLength) {
            try SRTPContext(profile: .aes128CmHmacSha1_80, masterKey: [1, 2, 3],
                            masterSalt: [UInt8](repeating: 1, count: 14))
        }
    }

    @Test func replayWindowSlidesAndRejects() {
        var window = SRTPReplayWindow()
        #expect(window.isFresh(100))
        window.accept(100)
        #expect(!window.isFresh(100))
        #expect(window.isFresh(99))
        window.accept(99)
        #expect(!window.isFresh(99))
        window.accept(300)
        #expect(!window.isFresh(100))  // behind the window
        #expect(window.isFresh(173))  // 300 - 127
        #expect(!window.isFresh(172))
        window.accept(173)
        #expect(!window.isFresh(173))
        window.accept(301)
        #expect(!window.isFresh(173))  // still inside (301-128 = 173 is now out)
        #expect(!window.isFresh(300))
        window.accept(301 + 64)
        #expect(!window.isFresh(301))
        #expect(window.isFresh(302))
    }

    @Test func rolloverEstimateFollowsRFC3711AppendixA() {
        var window = SRTPReplayWindow()
        window.accept(65_530)
        #expect(window.estimateIndex(sequenceNumber: 3) == 0x1_0003)
        #expect(window.estimateIndex(sequenceNumber: 65_000) == 65_000)
        window.accept(0x1_0003)
        #expect(window.estimateIndex(sequenceNumber: 65_531) == 65_531)
        #expect(window.estimateIndex(sequenceNumber: 40_000) == 40_000)  // nearer backwards
        #expect(window.estimateIndex(sequenceNumber: 30_000) == 0x1_0000 + 30_000)
    }
}

/// RFC 7714 §16.1.1 and §17.1.1 (AEAD_AES_128_GCM), driven with the session key and salt.
@Suite struct SRTPGCMVectorTests {
    static let keys = SRTPSessionKeys(
        rtpKey: hex("000102030405060708090a0b0c0d0e0f"), rtpAuthKey: [], rtpSalt: hex("517569642070726f2071756f"),
        rtcpKey: hex("000102030405060708090a0b0c0d0e0f"), rtcpAuthKey: [], rtcpSalt: hex("517569642070726f2071756f"))

    static let rtpPlain = hex(
        "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573")
    static let rtpProtected = hex(
        """
        8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833
        899d7f27beb16a9152cf765ee4390cce
        """)
    static let rtcpPlain = hex(
        "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef")
    static let rtcpProtected = hex(
        """
        81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275b
        c84aa45896cf4d2fc5abf87245d9eade 800005d4
        """)

    @Test func rtpVector() throws {
        let sender = try SRTPContext(profile: .aeadAes128Gcm, sessionKeys: Self.keys)
        #expect(try transform(Self.rtpPlain, sender.protectRTP).get() == Self.rtpProtected)
        let receiver = try SRTPContext(profile: .aeadAes128Gcm, sessionKeys: Self.keys)
        #expect(try transform(Self.rtpProtected, receiver.unprotectRTP).get() == Self.rtpPlain)
    }

    @Test func rtcpVector() throws {
        let sender = try SRTPContext(profile: .aeadAes128Gcm, sessionKeys: Self.keys)
        try sender.setRTCPSendIndex(0x5D3, ssrc: 0x4D61_7273)
        #expect(try transform(Self.rtcpPlain, sender.protectRTCP).get() == Self.rtcpProtected)
        let receiver = try SRTPContext(profile: .aeadAes128Gcm, sessionKeys: Self.keys)
        #expect(try transform(Self.rtcpProtected, receiver.unprotectRTCP).get() == Self.rtcpPlain)
    }
}
