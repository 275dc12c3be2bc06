import DTLS
import ICE
import SFUMedia

/// RTP header extension URIs the harness sends (RFC 8285 one-byte form).
enum ExtensionURI {
    static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    static let transportCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
}

/// What our side puts in its SDP: ICE credentials, certificate fingerprint, host candidate.
struct LocalTransport {
    var credentials: ICECredentials
    var fingerprint: DTLSFingerprint
    var address: String
    var port: UInt16

    var candidateLine: String { "a=candidate:1 1 udp 2122260223 \(address) \(port) typ host generation 0" }

    /// Session-level and transport lines shared by every m-line (BUNDLE: one transport).
    func transportLines(setup: String) -> [String] {
        [
            "c=IN IP4 \(address)",
            "a=rtcp:9 IN IP4 0.0.0.0",
            candidateLine,
            "a=end-of-candidates",
            "a=ice-ufrag:\(credentials.ufrag)",
            "a=ice-pwd:\(credentials.pwd)",
            "a=fingerprint:\(fingerprint.sdpValue)",
            "a=setup:\(setup)",
        ]
    }
}

/// What the server's SDP tells us about its end of the bundled transport.
struct RemoteTransport {
    var credentials: ICECredentials
    var fingerprint: DTLSFingerprint
    var setup: DTLSSetup
    var candidate: TransportAddress

    enum Failure: Error, CustomStringConvertible {
        case missing(String)
        var description: String {
            switch self { case .missing(let what): return "server SDP has no usable \(what)" }
        }
    }

    /// `localAddress` restricts which server candidate we may use: from a loopback address only
    /// a loopback candidate (never another address of this machine), otherwise one of the same
    /// family that is not link-local.
    init(_ description: SessionDescription, localAddress: String) throws(Failure) {
        guard let ufrag = description.effectiveICEUfrag, let pwd = description.effectiveICEPwd else {
            throw .missing("ICE credentials")
        }
        guard let text = description.effectiveFingerprint?.text, let fingerprint = DTLSFingerprint(sdpValue: text) else {
            throw .missing("fingerprint")
        }
        let localIsLoopback = localAddress.hasPrefix("127.") || localAddress == "::1"
        let localIsIPv6 = localAddress.contains(":")
        let usable = description.media.flatMap(\.candidates).filter { candidate in
            guard candidate.transport.lowercased() == "udp", candidate.component == 1 else { return false }
            let address = candidate.address.lowercased()
            let isLoopback = address.hasPrefix("127.") || address == "::1"
            if localIsLoopback { return isLoopback }
            return address.contains(":") == localIsIPv6 && !address.hasPrefix("fe80:") && !isLoopback
        }
        guard let chosen = usable.lazy.compactMap({ TransportAddress($0.address, port: $0.port) }).first else {
            let offered = description.media.flatMap(\.candidates).map { "\($0.address):\($0.port)" }
            throw .missing("UDP candidate reachable from \(localAddress) (offered: \(Set(offered).sorted()))")
        }
        credentials = ICECredentials(ufrag: ufrag, pwd: pwd)
        self.fingerprint = fingerprint
        setup = description.effectiveSetup ?? .actpass
        candidate = chosen
    }

    /// Our DTLS role given the server's `a=setup` (RFC 5763 §5: active is the DTLS client).
    var ourRole: DTLSRole { setup == .active ? .server : .client }
}

/// The SDP a publisher offers, shaped like Chrome's (opus 111 + VP8 96, BUNDLE, rtcp-mux, mid
/// and abs-send-time extensions, SSRCs announced), sendonly.
enum ClientSDP {
    static let opusPayloadType: UInt8 = 111
    static let vp8PayloadType: UInt8 = 96

    static func publisherOffer(local: LocalTransport, audioSSRC: UInt32?, videoSSRC: UInt32?) -> String {
        var mids: [String] = []
        if audioSSRC != nil { mids.append("0") }
        if videoSSRC != nil { mids.append(String(mids.count)) }
        var lines = [
            "v=0", "o=- \(UInt64.random(in: 1...UInt64(Int64.max))) 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE \(mids.joined(separator: " "))", "a=extmap-allow-mixed", "a=msid-semantic: WMS load",
        ]
        var mid = 0
        if let audioSSRC {
            lines.append("m=audio 9 UDP/TLS/RTP/SAVPF \(opusPayloadType)")
            lines += local.transportLines(setup: "actpass")
            lines += [
                "a=mid:\(mid)",
                "a=extmap:1 \(ExtensionURI.audioLevel)",
                "a=extmap:2 \(ExtensionURI.absSendTime)",
                "a=extmap:4 \(ExtensionURI.mid)",
                "a=sendonly", "a=msid:load audio0", "a=rtcp-mux",
                "a=rtpmap:\(opusPayloadType) opus/48000/2",
                "a=fmtp:\(opusPayloadType) minptime=10;useinbandfec=1",
                "a=ssrc:\(audioSSRC) cname:sfu-load", "a=ssrc:\(audioSSRC) msid:load audio0",
            ]
            mid += 1
        }
        if let videoSSRC {
            lines.append("m=video 9 UDP/TLS/RTP/SAVPF \(vp8PayloadType)")
            lines += local.transportLines(setup: "actpass")
            lines += [
                "a=mid:\(mid)",
                "a=extmap:2 \(ExtensionURI.absSendTime)",
                "a=extmap:4 \(ExtensionURI.mid)",
                "a=sendonly", "a=msid:load video0", "a=rtcp-mux", "a=rtcp-rsize",
                "a=rtpmap:\(vp8PayloadType) VP8/90000",
                "a=rtcp-fb:\(vp8PayloadType) goog-remb", "a=rtcp-fb:\(vp8PayloadType) ccm fir",
                "a=rtcp-fb:\(vp8PayloadType) nack", "a=rtcp-fb:\(vp8PayloadType) nack pli",
                "a=ssrc:\(videoSSRC) cname:sfu-load", "a=ssrc:\(videoSSRC) msid:load video0",
            ]
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Our recvonly answer to a subscriber offer: opus and VP8 accepted, everything else
    /// rejected; extension ids as offered. Also returns the payload types' clock rates.
    static func subscriberAnswer(
        to offer: SessionDescription, local: LocalTransport, transportWideCC: Bool = true
    ) -> (sdp: String, clockRates: [UInt8: UInt32]) {
        let accepted: Set<String> = transportWideCC
            ? [ExtensionURI.mid, ExtensionURI.absSendTime, ExtensionURI.audioLevel, ExtensionURI.transportCC]
            : [ExtensionURI.mid, ExtensionURI.absSendTime, ExtensionURI.audioLevel]
        var clockRates: [UInt8: UInt32] = [:]
        var acceptedMids: [String] = []
        var body: [String] = []
        for media in offer.media {
            let mid = media.mid ?? ""
            let codec = media.codecs.first { ["opus", "vp8"].contains($0.name.lowercased()) }
            guard media.isRTP, !media.isRejected, let codec, media.effectiveDirection.sends else {
                body.append("m=\(media.kind.token) 0 \(media.proto) \(media.formats.first ?? "0")")
                body.append("c=IN IP4 0.0.0.0")
                if !mid.isEmpty { body.append("a=mid:\(mid)") }
                continue
            }
            acceptedMids.append(mid)
            clockRates[codec.payloadType] = codec.clockRate
            body.append("m=\(media.kind.token) 9 \(media.proto) \(codec.payloadType)")
            body += local.transportLines(setup: "active")
            body.append("a=mid:\(mid)")
            for element in media.extensions
            where accepted.contains(element.uri) {
                body.append("a=extmap:\(element.id) \(element.uri)")
            }
            body += ["a=recvonly", "a=rtcp-mux"]
            let channels = codec.channels.map { "/\($0)" } ?? ""
            body.append("a=rtpmap:\(codec.payloadType) \(codec.name)/\(codec.clockRate)\(channels)")
            if media.kind.token == "video" {
                body += ["a=rtcp-fb:\(codec.payloadType) nack", "a=rtcp-fb:\(codec.payloadType) nack pli",
                         "a=rtcp-fb:\(codec.payloadType) ccm fir"]
            }
            // As browsers do: transport-wide feedback on what the server sends (when it offers it).
            if transportWideCC, codec.feedback.contains("transport-cc"),
                media.extensions.contains(where: { $0.uri == ExtensionURI.transportCC })
            {
                body.append("a=rtcp-fb:\(codec.payloadType) transport-cc")
            }
        }
        let head = [
            "v=0", "o=- \(UInt64.random(in: 1...UInt64(Int64.max))) 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE \(acceptedMids.joined(separator: " "))", "a=msid-semantic: WMS",
        ]
        return ((head + body).joined(separator: "\r\n") + "\r\n", clockRates)
    }

    /// The id the description gives `uri` on the first m-line that has it.
    static func extensionID(_ uri: String, in description: SessionDescription, kind: String) -> UInt8? {
        for media in description.media where media.kind.token == kind {
            if let element = media.extensions.first(where: { $0.uri == uri }), (1...14).contains(element.id) {
                return UInt8(element.id)
            }
        }
        return nil
    }
}
