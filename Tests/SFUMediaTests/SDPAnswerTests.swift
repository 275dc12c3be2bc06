import SDPTestFixtures
import Foundation
import Testing
@testable import MediaCore
@testable import SFUMedia

let testLocal = LocalTransportParameters(
    iceUfrag: "sfuU", icePwd: "sfupasswordsfupassword",
    fingerprint: "sha-256 E0:60:F9:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:7C:7E",
    candidates: [LocalCandidateAddress(address: "127.0.0.1", port: 40000),
                 LocalCandidateAddress(address: "::1", port: 40002)])

func answer(
    _ offerText: String, policy: CodecPolicy = CodecPolicy(), direction: AnswerDirection = .receiveOnly,
    localSSRCs: [String: (UInt32, UInt32?)] = [:]
) throws -> NegotiationResult {
    let offer = try SessionDescription.parse(offerText)
    let result = try SDPNegotiator.answer(
        offer: offer, local: testLocal, policy: policy, direction: direction,
        localSSRCs: localSSRCs, sessionID: 42, sessionVersion: 1)
    // Every answer we make must survive our own parser unchanged.
    let reparsed = try SessionDescription.parse(result.answer.text)
    #expect(reparsed == result.answer)
    return result
}

@Suite("SDP answers")
struct SDPAnswerTests {
    @Test func aiortcPublisher() throws {
        let r = try answer(SDPFixtures.aiortc)
        let a = r.answer
        #expect(a.iceLite)
        #expect(a.origin.sessionID == "42" && a.origin.sessionVersion == "1")
        #expect(a.bundleMids == ["0", "1"])
        #expect(r.bundleMids == ["0", "1"])
        #expect(a.fingerprints == [SDPFingerprint(testLocal.fingerprint)])
        #expect(r.remoteIceUfrag == "92nJ")
        #expect(r.remoteIcePwd == "PILr0OyDx6SmeAeDuyfR0T")
        #expect(r.remoteFingerprint.hasPrefix("sha-256 F0:7C:71:29"))
        #expect(r.remoteSetup == "actpass")
        #expect(r.localDTLSRole == .client)

        for m in a.media {
            #expect(m.setup == .active)
            #expect(m.iceUfrag == "sfuU")
            #expect(m.icePwd == "sfupasswordsfupassword")
            #expect(m.rtcpMux)
            #expect(m.port == 9)
            #expect(m.candidates.map(\.raw) == [
                "1 1 udp 2130706431 127.0.0.1 40000 typ host",
                "2 1 udp 2130706175 ::1 40002 typ host",
            ])
            #expect(m.endOfCandidates)
            #expect(m.direction == .recvonly)
            #expect(m.ssrcs.isEmpty)
        }

        let audio = r.media[0]
        #expect(!audio.rejected)
        #expect(audio.mid == "0" && audio.mindex == 0 && audio.kind == .audio)
        #expect(audio.direction == .recvonly)
        #expect(audio.payloadType == 96)
        #expect(audio.codecName == "opus" && audio.clockRate == 48000 && audio.channels == 2)
        #expect(audio.fmtp == nil)
        #expect(audio.rtxPayloadType == nil)
        #expect(audio.extensions == [NegotiatedExtension(id: 1, uri: RTPExtensionURI.mid),
                                     NegotiatedExtension(id: 2, uri: RTPExtensionURI.audioLevel)])
        #expect(audio.remoteSSRCs == [1584459785])
        #expect(a.media[0].codecs.map(\.payloadType) == [96])

        let video = r.media[1]
        #expect(video.payloadType == 97 && video.codecName == "VP8" && video.clockRate == 90000)
        #expect(video.rtxPayloadType == 98)
        #expect(video.feedback == ["nack", "nack pli", "goog-remb"])
        #expect(video.extensions == [NegotiatedExtension(id: 1, uri: RTPExtensionURI.mid),
                                     NegotiatedExtension(id: 3, uri: RTPExtensionURI.absSendTime)])
        #expect(video.remoteSSRCs == [2261300445])
        #expect(video.remoteRTXSSRCs == [2261300445: 3512250165])
        #expect(a.media[1].codecs == [
            SDPCodec(payloadType: 97, name: "VP8", clockRate: 90000, feedback: ["nack", "nack pli", "goog-remb"]),
            SDPCodec(payloadType: 98, name: "rtx", clockRate: 90000, fmtp: "apt=97"),
        ])
    }

    @Test func mirrorSendsOurSSRCs() throws {
        let r = try answer(SDPFixtures.aiortc, direction: .mirror,
                           localSSRCs: ["0": (1111, nil), "1": (2222, 3333)])
        #expect(r.media.map(\.direction) == [.sendrecv, .sendrecv])
        #expect(r.media[0].localSSRC == 1111 && r.media[0].localRTXSSRC == nil)
        #expect(r.media[1].localSSRC == 2222 && r.media[1].localRTXSSRC == 3333)
        let v = r.answer.media[1]
        #expect(v.ssrcGroups == [SDPSSRCGroup(semantics: "FID", ssrcs: [2222, 3333])])
        #expect(v.ssrcs.map(\.ssrc) == [2222, 3333])
        #expect(v.msid == ["sfu sfu1"])
        #expect(r.answer.media[0].ssrcs == [SDPSSRCAttribute(ssrc: 1111, attribute: "cname", value: "sfu")])
    }

    @Test func mirrorWithoutRTXLeavesRTXSSRCOut() throws {
        var policy = CodecPolicy()
        policy.acceptRTX = false
        let r = try answer(SDPFixtures.aiortc, policy: policy, direction: .mirror, localSSRCs: ["1": (2222, 3333)])
        #expect(r.media[1].rtxPayloadType == nil)
        #expect(r.media[1].localRTXSSRC == nil)
        #expect(r.answer.media[1].ssrcGroups.isEmpty)
        #expect(r.answer.media[1].codecs.count == 1)
    }

    @Test func chromiumPublisher() throws {
        let r = try answer(SDPFixtures.chromium)
        #expect(r.answer.extmapAllowMixed)
        #expect(r.remoteIceUfrag == "w55Q")
        let audio = r.media[0]
        #expect(audio.payloadType == 111)
        #expect(audio.fmtp == "useinbandfec=1")
        #expect(audio.feedback == ["transport-cc"])
        #expect(audio.extensions.map(\.id) == [1, 2, 3, 4])
        #expect(audio.remoteSSRCs == [2753088404])
        #expect(!r.answer.media[0].rtcpReducedSize)
        var rsize = CodecPolicy()
        rsize.acceptReducedSizeRTCP = true
        #expect(try answer(SDPFixtures.chromium, policy: rsize).answer.media[0].rtcpReducedSize)

        let video = r.media[1]
        #expect(video.payloadType == 96 && video.rtxPayloadType == 97)
        #expect(video.feedback == ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"])
        #expect(video.extensions == [
            NegotiatedExtension(id: 2, uri: RTPExtensionURI.absSendTime),
            NegotiatedExtension(id: 13, uri: RTPExtensionURI.videoOrientation),
            NegotiatedExtension(id: 3, uri: RTPExtensionURI.transportCC),
            NegotiatedExtension(id: 5, uri: RTPExtensionURI.playoutDelay),
            NegotiatedExtension(id: 4, uri: RTPExtensionURI.mid),
            NegotiatedExtension(id: 10, uri: RTPExtensionURI.rtpStreamID),
            NegotiatedExtension(id: 11, uri: RTPExtensionURI.repairedRTPStreamID),
        ])
        #expect(video.remoteSSRCs == [3446323557])
        #expect(video.remoteRTXSSRCs == [3446323557: 2518673174])
    }

    @Test(arguments: [
        ("h264", UInt8(102), UInt8(103), "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"),
        ("vp9", 98, 99, "profile-id=0"),
        ("av1", 45, 46, "level-idx=5;profile=0;tier=0"),
        ("VP8", 96, 97, nil),
    ] as [(String, UInt8, UInt8, String?)])
    func videoCodecPreference(codec: String, pt: UInt8, rtx: UInt8, fmtp: String?) throws {
        var policy = CodecPolicy()
        policy.videoCodecs = [codec, "vp8"]
        let v = try answer(SDPFixtures.chromium, policy: policy).media[1]
        #expect(v.payloadType == pt)
        #expect(v.rtxPayloadType == rtx)
        #expect(v.fmtp == fmtp)
    }

    @Test func dependencyDescriptorOnlyForSVCCodecs() throws {
        var policy = CodecPolicy()
        policy.acceptedExtensions.insert(RTPExtensionURI.dependencyDescriptor)
        let vp8 = try answer(SDPFixtures.chromiumSimulcast, policy: policy).media[1]
        #expect(vp8.extensionID(RTPExtensionURI.dependencyDescriptor) == nil)
        policy.videoCodecs = ["av1"]
        let av1 = try answer(SDPFixtures.chromiumSimulcast, policy: policy).media[1]
        #expect(av1.extensionID(RTPExtensionURI.dependencyDescriptor) == 12)
    }

    @Test func chromiumSimulcastPublisherWithDataChannel() throws {
        let r = try answer(SDPFixtures.chromiumSimulcast)
        #expect(r.bundleMids == ["0", "1", "2"])
        let video = r.media[1]
        #expect(video.rids == ["h", "m", "l"])
        #expect(video.remoteSSRCs.isEmpty)
        #expect(video.direction == .recvonly)
        let m = r.answer.media[1]
        #expect(m.rids == ["h", "m", "l"].map { SDPRid(id: $0, direction: .recv) })
        #expect(m.simulcast == SDPSimulcast(recv: [[.init(rid: "h")], [.init(rid: "m")], [.init(rid: "l")]]))
        #expect(m.text.contains("a=simulcast:recv h;m;l\r\n"))

        let data = r.media[2]
        #expect(!data.rejected && data.kind == .application && data.sctpPort == 5000)
        let d = r.answer.media[2]
        #expect(d.port == 9 && d.proto == "UDP/DTLS/SCTP" && d.formats == ["webrtc-datachannel"])
        #expect(d.sctpPort == 5000 && d.maxMessageSize == 262144)
        #expect(d.setup == .active && !d.candidates.isEmpty && !d.rtcpMux)
    }

    @Test func simulcastLayersAreRankedLowestFirst() throws {
        let r = try answer(SDPFixtures.chromiumSimulcast)
        // janus.js `rid_order` "hml" (the default): the first rid is the highest layer.
        let hml = try #require(TransportSetup(negotiation: r))
        #expect(hml.streams.first { $0.kind == .video }?.simulcastRIDs == ["l", "m", "h"])
        #expect(hml.streams.first { $0.kind == .video }?.simulcastLayerCount == 3)
        #expect(hml.streams.first { $0.kind == .audio }?.simulcastLayerCount == 1)
        let lmh = try #require(TransportSetup(negotiation: r, ridOrder: .lowestFirst))
        #expect(lmh.streams.first { $0.kind == .video }?.simulcastRIDs == ["h", "m", "l"])
        #expect(SimulcastRIDOrder(janusValue: "lmh") == .lowestFirst)
        #expect(SimulcastRIDOrder(janusValue: nil) == .highestFirst)
        // SSRC simulcast: the SIM group's order (lowest first).
        let group = "a=ssrc-group:SIM 7 8 9\na=ssrc:7 cname:x\na=ssrc:8 cname:x\na=ssrc:9 cname:x\n"
        let sim = try answer(minimalOffer(extra: group))
        #expect(sim.media[0].simulcastSSRCs == [7, 8, 9])
        #expect(sim.media[0].remoteSSRCs == [7, 8, 9])
    }

    @Test func pausedSimulcastStreamsStayPaused() throws {
        let text = minimalOffer(extra: "a=rid:h send\na=rid:l send\na=simulcast:send h;~l\n")
        let m = try answer(text).answer.media[0]
        #expect(m.simulcast?.text == "recv h;~l")
    }

    @Test func dataChannelRejectedByPolicy() throws {
        var policy = CodecPolicy()
        policy.acceptDataChannels = false
        let r = try answer(SDPFixtures.chromiumSimulcast, policy: policy)
        #expect(r.media[2].rejected)
        #expect(r.answer.media[2].port == 0)
        #expect(r.answer.media[2].mid == "2")
        #expect(r.bundleMids == ["0", "1"])
    }

    @Test func firefoxStylePublisher() throws {
        var policy = CodecPolicy()
        policy.bitrateCapKbps = 512
        let r = try answer(SDPFixtures.firefoxStyle, policy: policy)
        let audio = r.media[0]
        #expect(audio.payloadType == 109)
        #expect(audio.fmtp == "useinbandfec=1;stereo=1")
        #expect(audio.extensions.map(\.id) == [1, 3])
        let video = r.media[1]
        #expect(video.payloadType == 120 && video.rtxPayloadType == 124)
        #expect(video.fmtp == "max-fs=12288;max-fr=60")
        #expect(video.feedback == ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"])
        #expect(video.remoteRTXSSRCs == [3184713937: 1062463209])
        let m = r.answer.media[1]
        #expect(m.bandwidths == [SDPBandwidth(type: "TIAS", value: 512_000)])
        // The offer's playout-delay is recvonly for Firefox: sendonly on our side.
        #expect(m.extensions.first { $0.uri == RTPExtensionURI.playoutDelay }
                == SDPExtension(id: 6, direction: .sendonly, uri: RTPExtensionURI.playoutDelay))
        #expect(r.answer.media[0].bandwidths.isEmpty)
    }

    @Test func bitrateCapAsAS() throws {
        var policy = CodecPolicy()
        policy.bitrateCapKbps = 300
        let r = try answer(SDPFixtures.chromium, policy: policy)
        #expect(r.answer.media[1].bandwidths == [SDPBandwidth(type: "AS", value: 300)])
    }

    @Test func offerSaysActiveSoWeArePassive() throws {
        let text = SDPFixtures.aiortc.replacingOccurrences("a=setup:actpass", "a=setup:active")
        let r = try answer(text)
        #expect(r.remoteSetup == "active")
        #expect(r.localDTLSRole == .server)
        #expect(r.answer.media.allSatisfy { $0.setup == .passive })
    }

    @Test func noAcceptableCodecIsInactiveButBundled() throws {
        var policy = CodecPolicy()
        policy.audioCodecs = ["PCMX"]
        let r = try answer(SDPFixtures.chromium, policy: policy)
        #expect(r.media[0].rejected)
        #expect(r.media[0].direction == .inactive)
        let m = r.answer.media[0]
        #expect(m.port == 9 && m.direction == .inactive)
        #expect(m.codecs.map(\.payloadType) == [111])
        #expect(m.extensions.isEmpty)
        #expect(r.bundleMids == ["0", "1"])
        #expect(!r.media[1].rejected)
    }

    @Test func offererRejectedMLineStaysRejected() throws {
        let text = SDPFixtures.aiortc.replacingOccurrences("m=video 47587", "m=video 0")
        let r = try answer(text)
        #expect(r.media[1].rejected)
        #expect(r.answer.media[1].port == 0)
        #expect(r.answer.media[1].candidates.isEmpty)
        #expect(r.bundleMids == ["0"])
        #expect(r.answer.bundleMids == ["0"])
    }

    @Test func mLineOutsideTheBundleGroupIsRejected() throws {
        let text = SDPFixtures.aiortc.replacingOccurrences("a=group:BUNDLE 0 1", "a=group:BUNDLE 0")
        let r = try answer(text)
        #expect(r.media[1].rejected && r.answer.media[1].port == 0)
    }

    @Test func offerWithoutGroupUsesOnlyTheFirstMLine() throws {
        let text = SDPFixtures.aiortc.replacingOccurrences("a=group:BUNDLE 0 1\n", "")
        let r = try answer(text)
        #expect(r.answer.groups.isEmpty)
        #expect(r.bundleMids == ["0"])
        #expect(!r.media[0].rejected && r.media[1].rejected)
    }

    @Test func unknownMediaKindRejected() throws {
        let text = SDPFixtures.aiortc + "\nm=text 9 UDP/TLS/RTP/SAVPF 98\na=mid:2\na=rtpmap:98 t140/1000\n"
        let text2 = text.replacingOccurrences("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
        let r = try answer(text2)
        try #require(r.media.count == 3)
        #expect(r.media[2].rejected)
        #expect(r.answer.media[2].port == 0)
    }

    @Test func missingICECredentials() throws {
        let text = SDPFixtures.chromium.linesRemoved { $0.hasPrefix("a=ice-ufrag") }
        #expect(throws: SDPError(.missingICECredentials, "Missing ICE credentials (a=ice-ufrag/a=ice-pwd)")) {
            try answer(text)
        }
    }

    @Test func sessionLevelICECredentialsAreEnough() throws {
        let text = SDPFixtures.chromium.linesRemoved { $0.hasPrefix("a=ice-ufrag") || $0.hasPrefix("a=ice-pwd") }
            .replacingOccurrences("t=0 0\n", "t=0 0\na=ice-ufrag:sess\na=ice-pwd:sessionpasswordsession\n")
        let r = try answer(text)
        #expect(r.remoteIceUfrag == "sess" && r.remoteIcePwd == "sessionpasswordsession")
    }

    @Test func missingFingerprint() throws {
        let text = SDPFixtures.firefoxStyle.linesRemoved { $0.hasPrefix("a=fingerprint") }
        #expect(throws: SDPError(.missingFingerprint, "Missing DTLS fingerprint (a=fingerprint)")) {
            try answer(text)
        }
    }

    @Test func midTooLong() throws {
        let text = SDPFixtures.aiortc.replacingOccurrences("a=mid:1\n", "a=mid:abcdefghijklmnopq\n")
        #expect(throws: SDPError.self) { try answer(text) }
        do {
            _ = try answer(text)
        } catch let error as SDPError {
            #expect(error.code == .midTooLong)
        }
    }

    @Test func duplicateMid() throws {
        let text = SDPFixtures.aiortc.replacingOccurrences("a=mid:1\n", "a=mid:0\n")
        #expect(throws: SDPError(.invalidSyntax, "Duplicate mid '0'")) { try answer(text) }
    }

    @Test func lookupByMid() throws {
        let r = try answer(SDPFixtures.chromiumSimulcast)
        #expect(r.media(mid: "1")?.rids == ["h", "m", "l"])
        #expect(r.answer.media(mid: "2")?.sctpPort == 5000)
        #expect(r.media(mid: "9") == nil)
    }

    @Test func noMidsNoBundle() throws {
        let text = SDPFixtures.aiortc.linesRemoved { $0.hasPrefix("a=mid") || $0.hasPrefix("a=group") }
        #expect(throws: SDPError(.noBundleableMedia, "No m-line can be bundled (BUNDLE group with a=mid needed)")) {
            try answer(text)
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement)
    }

    func linesRemoved(where predicate: (Substring) -> Bool) -> String {
        split(separator: "\n").filter { !predicate($0) }.joined(separator: "\n") + "\n"
    }
}
