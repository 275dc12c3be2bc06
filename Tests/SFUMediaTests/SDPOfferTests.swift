import SDPTestFixtures
import Foundation
import Testing
@testable import MediaCore
@testable import SFUMedia

let subscriberStreams = [
    OfferedStream(kind: .audio, codec: .opus, fmtp: "useinbandfec=1", ssrc: 1_243_887_205,
                  extensions: [RTPExtensionURI.audioLevel, RTPExtensionURI.transportCC]),
    OfferedStream(kind: .video, codec: .vp8, ssrc: 2_549_778_618, rtxSSRC: 2_740_520_070,
                  extensions: [RTPExtensionURI.absSendTime, RTPExtensionURI.transportCC,
                               RTPExtensionURI.playoutDelay, RTPExtensionURI.videoOrientation]),
    OfferedStream(kind: .video, codec: .h264, fmtp: "profile-level-id=42e01f;packetization-mode=1",
                  ssrc: 5555, rtxSSRC: 6666),
    OfferedStream.dataChannel(),
]

@Suite("SDP server offers")
struct SDPOfferTests {
    func makeOffer(_ streams: [OfferedStream] = subscriberStreams) -> SessionDescription {
        SDPNegotiator.offer(streams: streams, local: testLocal, sessionID: 99, sessionVersion: 1)
    }

    @Test func subscriberOfferShape() throws {
        let offer = makeOffer()
        #expect(try SessionDescription.parse(offer.text) == offer)
        #expect(offer.bundleMids == ["0", "1", "2", "3"])
        #expect(offer.iceLite && offer.extmapAllowMixed && offer.msidSemantic == "WMS *")
        #expect(offer.fingerprints.map(\.text) == [testLocal.fingerprint])
        for m in offer.media {
            #expect(m.setup == .actpass)
            #expect(m.iceUfrag == "sfuU" && m.candidates.count == 2 && m.endOfCandidates)
        }
        let audio = offer.media[0]
        #expect(audio.direction == .sendonly)
        #expect(audio.codecs == [SDPCodec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2,
                                          fmtp: "useinbandfec=1", feedback: ["transport-cc"])])
        #expect(audio.extensions.map(\.id) == [1, 3, 4])
        #expect(audio.ssrcs == [SDPSSRCAttribute(ssrc: 1_243_887_205, attribute: "cname", value: "sfu")])
        #expect(audio.msid == ["sfu sfu0"])

        let video = offer.media[1]
        #expect(video.codecs.map(\.payloadType) == [96, 97])
        #expect(video.codecs[0].feedback == ["ccm fir", "nack", "nack pli", "goog-remb", "transport-cc"])
        #expect(video.codecs[1].fmtp == "apt=96")
        #expect(video.extensions.map(\.id) == [2, 3, 4, 12, 13])
        #expect(video.ssrcGroups == [SDPSSRCGroup(semantics: "FID", ssrcs: [2_549_778_618, 2_740_520_070])])

        let h264 = offer.media[2]
        #expect(h264.codecs.map(\.payloadType) == [107, 108])
        #expect(h264.extensions.map(\.id) == [2, 3, 4])
        #expect(h264.codecs[0].fmtp == "profile-level-id=42e01f;packetization-mode=1")

        let data = offer.media[3]
        #expect(data.kind == .application && data.proto == "UDP/DTLS/SCTP" && data.sctpPort == 5000)
    }

    @Test func fixedPayloadTypes() {
        let table = ServerCodec.allCases.map { ($0.encodingName, $0.payloadType, $0.rtxPayloadType) }
        #expect(table.map(\.1) == [111, 0, 8, 9, 96, 101, 107, 98, 100])
        #expect(ServerCodec.vp9.rtxPayloadType == 102 && ServerCodec.av1.rtxPayloadType == 99)
        #expect(ServerCodec(encodingName: "vp8") == .vp8)
    }

    @Test func inactivePlaceholderHasNoSSRC() {
        let offer = makeOffer([OfferedStream(kind: .video, codec: .vp8, direction: .inactive, ssrc: 1, rtxSSRC: 2)])
        #expect(offer.media[0].direction == .inactive)
        #expect(offer.media[0].ssrcs.isEmpty && offer.media[0].msid.isEmpty)
    }

    /// Our own answerer answering our own offer, as a browser would.
    @Test func processOwnAnswer() throws {
        let offer = makeOffer()
        let peer = LocalTransportParameters(iceUfrag: "peer", icePwd: "peerpasswordpeerpassword",
                                            fingerprint: "sha-256 01:02", candidates: [], iceLite: false)
        let answered = try SDPNegotiator.answer(
            offer: SessionDescription.parse(offer.text), local: peer, policy: CodecPolicy(), direction: .mirror,
            localSSRCs: [:], sessionID: 1, sessionVersion: 1)
        #expect(answered.localDTLSRole == .client)
        let r = try SDPNegotiator.processAnswer(answered.answer, to: offer)
        #expect(r.localDTLSRole == .server)
        #expect(r.remoteSetup == "active")
        #expect(r.remoteIceUfrag == "peer" && r.remoteFingerprint == "sha-256 01:02")
        #expect(r.bundleMids == ["0", "1", "2", "3"])
        #expect(r.media.map(\.rejected) == [false, false, false, false])
        #expect(r.media.map(\.direction) == [.sendonly, .sendonly, .sendonly, .sendrecv])
        #expect(r.media[1].payloadType == 96 && r.media[1].rtxPayloadType == 97)
        #expect(r.media[1].localSSRC == 2_549_778_618 && r.media[1].localRTXSSRC == 2_740_520_070)
        #expect(r.media[0].extensions.map(\.id) == [1, 3, 4])
        #expect(r.media[2].codecName == "H264" && r.media[2].payloadType == 107)
    }

    @Test func answerErrors() throws {
        let offer = makeOffer()
        var answer = try SDPNegotiator.answer(
            offer: offer, local: testLocal, policy: CodecPolicy(), direction: .mirror,
            localSSRCs: [:], sessionID: 1, sessionVersion: 1).answer
        var short = answer
        short.media.removeLast()
        #expect(throws: SDPError.self) { try SDPNegotiator.processAnswer(short, to: offer) }
        for i in answer.media.indices { answer.media[i].setup = .actpass }
        #expect(throws: SDPError(.invalidAnswer, "Invalid a=setup:actpass in an answer")) {
            try SDPNegotiator.processAnswer(answer, to: offer)
        }
    }

    @Test(.enabled(if: RealPeer.hasAiortc), .timeLimit(.minutes(1)))
    func aiortcAnswersOurOffer() throws {
        let offer = makeOffer(Array(subscriberStreams.prefix(2)))
        let out = try RealPeer.run([try RealPeer.script(RealPeer.aiortcAnswerer)], input: offer.text)
        #expect(!out.stdout.hasPrefix("ERROR"), "\(out.stdout) \(out.stderr)")
        let r = try SDPNegotiator.processAnswer(SessionDescription.parse(out.stdout), to: offer)
        #expect(r.localDTLSRole == .server)
        #expect(r.media.map(\.rejected) == [false, false])
        #expect(r.media.map(\.direction) == [.sendonly, .sendonly])
        #expect(r.media.map(\.payloadType) == [111, 96])
        #expect(r.media[1].rtxPayloadType == 97)
    }

    @Test(.enabled(if: RealPeer.hasChromium), .timeLimit(.minutes(1)))
    func chromiumAnswersOurOffer() throws {
        let offer = makeOffer()
        let out = try RealPeer.run([try RealPeer.script(RealPeer.chromium), "answer"], input: offer.text)
        #expect(!out.stdout.hasPrefix("ERROR"), "\(out.stdout) \(out.stderr)")
        let r = try SDPNegotiator.processAnswer(SessionDescription.parse(out.stdout), to: offer)
        #expect(r.localDTLSRole == .server)
        #expect(r.media.map(\.rejected) == [false, false, false, false])
        #expect(r.media.map(\.direction) == [.sendonly, .sendonly, .sendonly, .sendrecv])
        #expect(r.media.map(\.payloadType) == [111, 96, 107, 0])
        #expect(r.media[1].rtxPayloadType == 97 && r.media[2].rtxPayloadType == 108)
        #expect(r.media[1].extensionID(RTPExtensionURI.transportCC) == 3)
        #expect(r.media[1].feedback.contains("transport-cc"))
    }
}

@Test(.enabled(if: ProcessInfo.processInfo.environment["SDP_DUMP"] != nil)) func dumpSDPs() throws {
    let r = try SDPNegotiator.answer(offer: SessionDescription.parse(SDPFixtures.chromiumSimulcast), local: testLocal,
        policy: CodecPolicy(), direction: .receiveOnly, localSSRCs: [:], sessionID: 1, sessionVersion: 2)
    print(r.answer.text)
    print(SDPNegotiator.offer(streams: subscriberStreams, local: testLocal, sessionID: 1, sessionVersion: 1).text)
}

@Suite("Janus SDP shapes")
struct JanusShapeTests {
    /// Our subscriber offer carries what Janus' does, line kind by line kind
    /// (values such as ssrcs, ufrag and addresses aside).
    @Test func ourSubscriberOfferMatchesJanusShape() throws {
        let janus = try SessionDescription.parse(SDPFixtures.janusSubscriberOffer)
        let ours = SDPNegotiator.offer(
            streams: [OfferedStream(kind: .audio, codec: .opus, ssrc: 1, extensions: [RTPExtensionURI.transportCC]),
                      OfferedStream(kind: .video, codec: .vp8, ssrc: 2, rtxSSRC: 3)],
            local: testLocal, sessionID: 1, sessionVersion: 1)
        for (j, o) in zip(janus.media.prefix(2), ours.media) {
            #expect(j.codecs == o.codecs)
            // Janus' audio has transport-cc feedback without the extension; we
            // offer both together, so ours is a superset.
            #expect(Set(j.extensions).isSubset(of: Set(o.extensions)))
            #expect(j.direction == o.direction && j.setup == o.setup && j.rtcpMux == o.rtcpMux)
            #expect(j.ssrcGroups.map(\.semantics) == o.ssrcGroups.map(\.semantics))
        }
    }

    /// Janus' own answer read by processAnswer as if it answered our offer.
    @Test func janusPublisherAnswerParses() throws {
        let a = try SessionDescription.parse(SDPFixtures.janusPublisherAnswer)
        #expect(a.effectiveSetup == .active)
        #expect(a.media[1].simulcast?.recv.count == 3)
        #expect(a.media[1].rids.map(\.direction) == [.recv, .recv, .recv])
    }
}
