import SDPTestFixtures
import Testing
@testable import MediaCore
@testable import SFUMedia

@Suite("SDP parser and serializer")
struct SDPParserTests {
    @Test(arguments: SDPFixtures.all.map(\.name))
    func roundTrip(name: String) throws {
        let text = try #require(SDPFixtures.all.first { $0.name == name }).sdp
        let parsed = try SessionDescription.parse(text)
        let serialized = parsed.text
        #expect(serialized.hasSuffix("\r\n"))
        #expect(!serialized.replacingCRLF.contains("\r"))
        let reparsed = try SessionDescription.parse(serialized)
        #expect(reparsed == parsed)
        #expect(reparsed.text == serialized)
        // Same number of lines: nothing dropped, nothing invented (static PTs aside).
        let inLines = text.split(separator: "\n").count
        let outLines = serialized.split(separator: "\r\n").count
        #expect(outLines == inLines)
    }

    @Test func crlfAndLFGiveTheSameModel() throws {
        let lf = SDPFixtures.chromium
        let crlf = lf.split(separator: "\n").joined(separator: "\r\n") + "\r\n"
        #expect(try SessionDescription.parse(lf) == SessionDescription.parse(crlf))
    }

    @Test func aiortcOffer() throws {
        let sdp = try SessionDescription.parse(SDPFixtures.aiortc)
        #expect(sdp.origin.sessionID == "4004606620")
        #expect(sdp.bundleMids == ["0", "1"])
        #expect(sdp.msidSemantic == "WMS *")
        #expect(sdp.media.count == 2)
        let audio = sdp.media[0]
        #expect(audio.kind == .audio)
        #expect(audio.port == 55179)
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.connection == SDPConnection(address: "127.0.0.1"))
        #expect(audio.direction == .sendrecv)
        #expect(audio.mid == "0")
        #expect(audio.rtcpMux)
        #expect(audio.codecs.map(\.payloadType) == [96, 9, 0, 8])
        #expect(audio.codecs[0] == SDPCodec(payloadType: 96, name: "opus", clockRate: 48000, channels: 2))
        #expect(audio.codecs[2].name == "PCMU")
        #expect(audio.extensions == [
            SDPExtension(id: 1, uri: RTPExtensionURI.mid),
            SDPExtension(id: 2, uri: RTPExtensionURI.audioLevel),
        ])
        #expect(audio.ssrcs == [SDPSSRCAttribute(ssrc: 1584459785, attribute: "cname", value: "8be1412e-5dfd-4e30-9459-571018da61b6")])
        #expect(audio.candidates.count == 2)
        #expect(audio.candidates[0].foundation == "f957a2332b1715da3b0ef8ba684454eb")
        #expect(audio.candidates[0].component == 1)
        #expect(audio.candidates[0].transport == "udp")
        #expect(audio.candidates[0].priority == 2130706431)
        #expect(audio.candidates[0].address == "127.0.0.1")
        #expect(audio.candidates[0].port == 55179)
        #expect(audio.candidates[0].type == "host")
        #expect(audio.candidates[1].address == "::1")
        #expect(audio.endOfCandidates)
        #expect(audio.fingerprints.map(\.hashFunction) == ["sha-256", "sha-384", "sha-512"])
        #expect(audio.setup == .actpass)
        #expect(audio.otherAttributes == [SDPAttribute(name: "rtcp", value: "9 IN IP4 0.0.0.0")])

        let video = sdp.media[1]
        #expect(video.codecs.map(\.name) == ["VP8", "rtx", "H264", "rtx", "H264", "rtx"])
        #expect(video.codecs[0].feedback == ["nack", "nack pli", "goog-remb"])
        #expect(video.rtxCodec(for: 97)?.payloadType == 98)
        #expect(video.rtxCodec(for: 101)?.payloadType == 102)
        #expect(video.codecs[2].parameter("profile-level-id") == "42001f")
        #expect(video.ssrcGroups == [SDPSSRCGroup(semantics: "FID", ssrcs: [2261300445, 3512250165])])
        #expect(video.mediaSSRCs == [2261300445])
        #expect(video.repairSSRCs == [2261300445: 3512250165])

        #expect(sdp.effectiveICEUfrag == "92nJ")
        #expect(sdp.effectiveICEPwd == "PILr0OyDx6SmeAeDuyfR0T")
        #expect(sdp.effectiveFingerprint?.hashFunction == "sha-256")
        #expect(sdp.effectiveFingerprint?.value.hasPrefix("F0:7C:71") == true)
        #expect(sdp.effectiveSetup == .actpass)
    }

    @Test func chromiumOffer() throws {
        let sdp = try SessionDescription.parse(SDPFixtures.chromium)
        #expect(sdp.extmapAllowMixed)
        #expect(sdp.msidSemantic == "WMS")
        #expect(sdp.iceUfrag == nil)
        #expect(sdp.effectiveICEUfrag == "w55Q")
        let audio = sdp.media[0]
        #expect(audio.rtcpReducedSize)
        #expect(audio.iceOptions == "trickle")
        #expect(audio.codecs.first?.fmtp == "minptime=10;useinbandfec=1")
        #expect(audio.codecs.first?.feedback == ["transport-cc"])
        #expect(audio.codecs.first?.parameter("useinbandfec") == "1")
        #expect(audio.candidates.first?.address.hasSuffix(".local") == true)
        #expect(audio.msid == ["- fb3c2c40-7cf1-4644-bb5b-d8faa0f7151c"])
        #expect(audio.ssrcs.map(\.attribute) == ["cname", "msid"])
        #expect(audio.otherAttributes.contains(SDPAttribute(name: "rtcp-xr", value: "rcvr-rtt=all")))
        let video = sdp.media[1]
        #expect(video.codecs.count == 23)
        #expect(video.codecs.filter(\.isRTX).count == 11)
        #expect(video.rtxCodec(for: 45)?.payloadType == 46)
        #expect(video.codec(payloadType: 120)?.name == "ulpfec")
        #expect(video.extensions.first == SDPExtension(id: 14, uri: "urn:ietf:params:rtp-hdrext:toffset"))
        #expect(video.mediaSSRCs == [3446323557])
    }

    @Test func chromiumSimulcastOffer() throws {
        let sdp = try SessionDescription.parse(SDPFixtures.chromiumSimulcast)
        #expect(sdp.bundleMids == ["0", "1", "2"])
        let video = sdp.media[1]
        #expect(video.direction == .sendonly)
        #expect(video.rids == ["h", "m", "l"].map { SDPRid(id: $0, direction: .send) })
        #expect(video.simulcast == SDPSimulcast(send: [[.init(rid: "h")], [.init(rid: "m")], [.init(rid: "l")]]))
        #expect(video.ssrcs.isEmpty)
        let data = sdp.media[2]
        #expect(data.kind == .application)
        #expect(!data.isRTP)
        #expect(data.proto == "UDP/DTLS/SCTP")
        #expect(data.formats == ["webrtc-datachannel"])
        #expect(data.sctpPort == 5000)
        #expect(data.maxMessageSize == 262144)
        #expect(data.codecs.isEmpty)
    }

    @Test func firefoxStyleOffer() throws {
        let sdp = try SessionDescription.parse(SDPFixtures.firefoxStyle)
        #expect(sdp.origin.username == "mozilla...THIS_IS_SDPARTA-128.5.0")
        #expect(sdp.fingerprints.count == 1)
        #expect(sdp.media[0].fingerprints.isEmpty)
        #expect(sdp.effectiveFingerprint == sdp.fingerprints.first)
        let audio = sdp.media[0]
        #expect(audio.extensions[1] == SDPExtension(id: 2, direction: .recvonly, uri: "urn:ietf:params:rtp-hdrext:csrc-audio-level"))
        #expect(audio.codecs.map(\.channels) == [2, 1, nil, nil, 1])
        #expect(audio.codec(payloadType: 101)?.fmtp == "0-15")
        #expect(audio.candidates[1].transport == "TCP")
        let video = sdp.media[1]
        #expect(video.bandwidths == [SDPBandwidth(type: "TIAS", value: 2_500_000)])
        #expect(video.rtxCodec(for: 120)?.payloadType == 124)
        #expect(video.repairSSRCs == [3184713937: 1062463209])
        #expect(video.mediaSSRCs == [3184713937])
        #expect(video.codec(payloadType: 126)?.feedback.count == 5)
    }

    @Test func simulcastAlternativesAndPaused() throws {
        let text = minimalOffer(extra: "a=rid:a send\na=rid:b send pt=96;max-width=640\na=rid:c send\na=rid:x recv\na=simulcast:send a,~b;c recv x\n")
        let m = try SessionDescription.parse(text).media[0]
        #expect(m.rids[1] == SDPRid(id: "b", direction: .send, params: "pt=96;max-width=640"))
        #expect(m.simulcast?.send == [[.init(rid: "a"), .init(rid: "b", paused: true)], [.init(rid: "c")]])
        #expect(m.simulcast?.recv == [[.init(rid: "x")]])
        #expect(m.simulcast?.text == "send a,~b;c recv x")
        // Draft form (older Firefox).
        let draft = try SessionDescription.parse(minimalOffer(extra: "a=simulcast: send rid=h;l\n")).media[0]
        #expect(draft.simulcast?.send.map { $0.map(\.rid) } == [["h"], ["l"]])
    }

    @Test func unknownAndMalformedAttributesAreKeptVerbatim() throws {
        let text = minimalOffer(extra: "a=x-google-flag:conference\na=ssrc:notanumber cname:x\na=extmap:999 urn:x\na=candidate:garbage\na=rtpmap:55 foo/1\na=framerate:30\n")
        let m = try SessionDescription.parse(text).media[0]
        #expect(m.otherAttributes == [
            SDPAttribute(name: "x-google-flag", value: "conference"),
            SDPAttribute(name: "ssrc", value: "notanumber cname:x"),
            SDPAttribute(name: "extmap", value: "999 urn:x"),
            SDPAttribute(name: "candidate", value: "garbage"),
            SDPAttribute(name: "framerate", value: "30"),
            SDPAttribute(name: "rtpmap", value: "55 foo/1"),
        ])
        let again = try SessionDescription.parse(SessionDescription.parse(text).text)
        #expect(again.media[0] == m)
    }

    @Test func trickledCandidates() throws {
        let c = try #require(SDPCandidate(trickle: "candidate:3602399954 1 udp 2113937151 abc.local 40951 typ host generation 0 network-cost 999"))
        #expect(c.address == "abc.local" && c.port == 40951 && c.priority == 2113937151 && c.type == "host")
        #expect(SDPCandidate(trickle: "a=candidate:1 1 UDP 1 127.0.0.1 9 typ srflx raddr 0.0.0.0 rport 0")?.type == "srflx")
        #expect(SDPCandidate(trickle: "") == nil)
        #expect(SDPCandidate(trickle: "candidate:1 1 udp x 127.0.0.1 9 typ host") == nil)
        #expect(SDPCandidate(trickle: "candidate:1 1 udp 1 127.0.0.1 99999 typ host") == nil)
    }

    @Test func staticPayloadTypesWithoutRtpmap() throws {
        let text = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0 8 96\n"
        let m = try SessionDescription.parse(text).media[0]
        #expect(m.codecs.map(\.name) == ["PCMU", "PCMA", ""])
        #expect(m.effectiveDirection == .sendrecv)
    }

    @Test(arguments: [
        ("", "Invalid SDP (doesn't start with v=)"),
        ("hello", "Invalid SDP (doesn't start with v=)"),
        ("o=- 1 1 IN IP4 0.0.0.0\nv=0\n", "Invalid SDP (doesn't start with v=)"),
        ("\n\n", "Invalid SDP (doesn't start with v=)"),
    ])
    func rejectsTextNotStartingWithV(text: String, message: String) {
        #expect(throws: SDPError(.invalidSyntax, message)) { try SessionDescription.parse(text) }
    }

    @Test(arguments: [
        "v=0\ns=-\nt=0 0\n",  // no o=
        "v=x\no=- 1 1 IN IP4 0.0.0.0\ns=-\n",
        "v=0\no=- 1 1 IN IP4\ns=-\n",
        "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nbogus line\n",
        "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio\n",
        "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 70000 RTP/AVP 0\n",
        "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 9 RTP/AVP 300\n",
        "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 9/x RTP/AVP 0\n",
    ])
    func rejectsBrokenStructure(text: String) {
        #expect(throws: SDPError.self) { try SessionDescription.parse(text) }
    }
}

/// A one-m-line offer with transport attributes, plus `extra` media attributes.
func minimalOffer(extra: String = "", session: String = "") -> String {
    """
    v=0
    o=- 1 2 IN IP4 0.0.0.0
    s=-
    t=0 0
    a=group:BUNDLE 0
    \(session)m=video 9 UDP/TLS/RTP/SAVPF 96 97
    c=IN IP4 0.0.0.0
    a=mid:0
    a=ice-ufrag:abcd
    a=ice-pwd:abcdefghijklmnopqrstuv
    a=fingerprint:sha-256 AA:BB
    a=setup:actpass
    a=sendonly
    a=rtcp-mux
    a=rtpmap:96 VP8/90000
    a=rtpmap:97 rtx/90000
    a=fmtp:97 apt=96
    \(extra)
    """
}

extension String {
    var replacingCRLF: String { split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n") }
}
