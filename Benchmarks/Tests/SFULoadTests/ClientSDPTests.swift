import DTLS
import ICE
import RTP
import SFUMedia
import Testing

@testable import sfu_load

/// The SDP the harness writes and reads, with a subscriber offer captured from Janus 1.1.2
/// (videoroom, 2026-11-25, inside the test network namespace).
@Suite struct ClientSDPTests {
    static let janusSubscriberOffer = #"""
v=0
o=- 1795624128217872 1 IN IP4 10.203.0.1
s=VideoRoom 548120793
t=0 0
a=group:BUNDLE 0 1
a=ice-options:trickle
a=fingerprint:sha-256 48:A4:73:54:5C:53:16:31:94:72:FC:4F:75:C2:21:33:84:7C:E7:C2:C2:9E:42:6C:A2:F4:EB:EC:55:9F:D1:08
a=extmap-allow-mixed
a=msid-semantic: WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 10.203.0.1
a=sendonly
a=mid:0
a=rtcp-mux
a=ice-ufrag:raVk
a=ice-pwd:ZHwtbBJYDdBnkYzIE5RAdM
a=ice-options:trickle
a=setup:actpass
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:111 useinbandfec=1
a=msid:janus janus0
a=ssrc:3506355008 cname:janus
a=candidate:1 1 udp 2015363583 10.203.0.1 42024 typ host
a=end-of-candidates
m=video 9 UDP/TLS/RTP/SAVPF 96 97
c=IN IP4 10.203.0.1
a=sendonly
a=mid:1
a=rtcp-mux
a=ice-ufrag:raVk
a=ice-pwd:ZHwtbBJYDdBnkYzIE5RAdM
a=ice-options:trickle
a=setup:actpass
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=ssrc-group:FID 1128709663 1104766125
a=msid:janus janus1
a=ssrc:1128709663 cname:janus
a=ssrc:1104766125 cname:janus
a=candidate:1 1 udp 2015363583 10.203.0.1 42024 typ host
a=end-of-candidates
"""#

    static func local(port: UInt16 = 40_000) throws -> LocalTransport {
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "sfu-load-test")
        return LocalTransport(
            credentials: ICECredentials(ufrag: "abcd", pwd: "0123456789abcdefghijkl"),
            fingerprint: certificate.fingerprint, address: "127.0.0.1", port: port)
    }

    @Test func publisherOfferParsesWithBothMLines() throws {
        let sdp = ClientSDP.publisherOffer(local: try Self.local(), audioSSRC: 11, videoSSRC: 22)
        let parsed = try SessionDescription.parse(sdp)
        #expect(parsed.media.count == 2)
        #expect(parsed.bundleMids == ["0", "1"])
        #expect(parsed.effectiveICEUfrag == "abcd")
        #expect(parsed.effectiveSetup == .actpass)
        #expect(parsed.media[0].codecs.first?.name.lowercased() == "opus")
        #expect(parsed.media[1].codecs.first?.name == "VP8")
        #expect(parsed.media[1].mediaSSRCs == [22])
        #expect(parsed.media[0].candidates.first?.port == 40_000)
        #expect(ClientSDP.extensionID(ExtensionURI.mid, in: parsed, kind: "video") == 4)
    }

    @Test func audioOnlyOfferHasOneMLine() throws {
        let parsed = try SessionDescription.parse(ClientSDP.publisherOffer(local: try Self.local(), audioSSRC: 11, videoSSRC: nil))
        #expect(parsed.media.count == 1)
        #expect(parsed.bundleMids == ["0"])
    }

    @Test func answersJanusSubscriberOffer() throws {
        let offer = try SessionDescription.parse(Self.janusSubscriberOffer)
        let (sdp, clockRates) = ClientSDP.subscriberAnswer(to: offer, local: try Self.local())
        let answer = try SessionDescription.parse(sdp)
        #expect(answer.media.count == 2)
        #expect(answer.bundleMids == ["0", "1"])
        #expect(answer.media.allSatisfy { $0.effectiveDirection == .recvonly })
        #expect(answer.effectiveSetup == .active)
        #expect(answer.media[1].codecs.map(\.payloadType) == [96])
        #expect(clockRates == [111: 48_000, 96: 90_000])
        // Extension ids as offered; transport-cc is not taken.
        #expect(ClientSDP.extensionID(ExtensionURI.absSendTime, in: answer, kind: "video") == 2)
        #expect(!sdp.contains("transport-wide-cc"))
    }

    @Test func remoteTransportFromJanusOffer() throws {
        let offer = try SessionDescription.parse(Self.janusSubscriberOffer)
        let remote = try RemoteTransport(offer, localAddress: "10.203.0.2")
        #expect(remote.candidate == TransportAddress("10.203.0.1", port: 42024))
        #expect(remote.credentials.ufrag == "raVk")
        #expect(remote.setup == .actpass)
        #expect(remote.ourRole == .client)
    }

    @Test func loopbackPeerNeverUsesAnotherAddress() throws {
        let offer = try SessionDescription.parse(Self.janusSubscriberOffer)
        #expect(throws: RemoteTransport.Failure.self) { try RemoteTransport(offer, localAddress: "127.0.0.1") }
        let loopback = try SessionDescription.parse(
            Self.janusSubscriberOffer.replacingOccurrences(of: "a=candidate:1 1 udp 2015363583 10.203.0.1 42024 typ host",
                with: "a=candidate:1 1 udp 2015363583 10.203.0.1 42024 typ host\na=candidate:2 1 udp 2015363583 127.0.0.1 42025 typ host"))
        #expect(try RemoteTransport(loopback, localAddress: "127.0.0.1").candidate == TransportAddress("127.0.0.1", port: 42025))
    }
}
