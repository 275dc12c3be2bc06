import DTLS
import ICE

/// Server offers (subscribers) and the answers to them.

/// A codec the server forwards, with the fixed payload types Janus' VideoRoom
/// uses in subscriber offers (janus-api.md §10.3): the SFU rewrites the
/// publisher's payload type to these.
public enum ServerCodec: String, Sendable, Hashable, CaseIterable {
    case opus, pcmu, pcma, g722, vp8, vp9, h264, av1, h265

    public var kind: MediaKind {
        switch self {
        case .opus, .pcmu, .pcma, .g722: .audio
        case .vp8, .vp9, .h264, .av1, .h265: .video
        }
    }

    /// The rtpmap encoding name.
    public var encodingName: String {
        switch self {
        case .opus: "opus"
        case .pcmu: "PCMU"
        case .pcma: "PCMA"
        case .g722: "G722"
        case .vp8: "VP8"
        case .vp9: "VP9"
        case .h264: "H264"
        case .av1: "AV1"
        case .h265: "H265"
        }
    }

    public var payloadType: UInt8 {
        switch self {
        case .opus: 111
        case .pcmu: 0
        case .pcma: 8
        case .g722: 9
        case .vp8: 96
        case .vp9: 101
        case .h264: 107
        case .av1: 98
        case .h265: 100
        }
    }

    /// RFC 4588 retransmission payload type (video only).
    public var rtxPayloadType: UInt8? {
        switch self {
        case .vp8: 97
        case .vp9: 102
        case .h264: 108
        case .av1: 99
        case .h265: 103
        default: nil
        }
    }

    public var clockRate: UInt32 {
        switch self {
        case .opus: 48000
        case .pcmu, .pcma, .g722: 8000
        default: 90000
        }
    }

    public var channels: Int? { self == .opus ? 2 : nil }

    /// Matches an rtpmap encoding name (case-insensitive).
    public init?(encodingName: String) {
        guard let c = ServerCodec.allCases.first(where: { $0.encodingName.lowercased() == encodingName.lowercased() })
        else { return nil }
        self = c
    }
}

/// One m-line of a server offer: a stream we forward (or a data channel).
public struct OfferedStream: Sendable, Hashable {
    /// nil: the m-line index as text (`"0"`, `"1"`...), as Janus does.
    public var mid: String?
    public var kind: MediaKind
    /// Ignored for `.application`.
    public var codec: ServerCodec
    /// e.g. `useinbandfec=1`, `profile-level-id=42e01f;packetization-mode=1`.
    public var fmtp: String?
    /// `.sendonly` normally; `.inactive` for a placeholder whose source is gone.
    public var direction: MediaDirection
    public var ssrc: UInt32?
    /// Offered with `a=ssrc-group:FID` and the codec's rtx payload type when set (video).
    public var rtxSSRC: UInt32?
    /// `a=msid` value (`<stream id> <track id>`); nil: `sfu sfu<mid>`.
    public var msid: String?
    /// Extensions wanted, from the fixed-id table (`SDPNegotiator.offerExtensionIDs`);
    /// mid is always offered, URIs not valid for the kind are skipped.
    public var extensions: Set<String>
    /// Offer `transport-cc` feedback (needs the transport-cc extension too).
    public var transportCC: Bool

    public init(
        mid: String? = nil, kind: MediaKind, codec: ServerCodec, fmtp: String? = nil,
        direction: MediaDirection = .sendonly, ssrc: UInt32? = nil, rtxSSRC: UInt32? = nil,
        msid: String? = nil,
        extensions: Set<String> = [RTPExtensionURI.absSendTime, RTPExtensionURI.transportCC],
        transportCC: Bool = true
    ) {
        self.mid = mid
        self.kind = kind
        self.codec = codec
        self.fmtp = fmtp
        self.direction = direction
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        self.msid = msid
        self.extensions = extensions
        self.transportCC = transportCC
    }

    /// An SCTP data channel m-line.
    public static func dataChannel(mid: String? = nil) -> OfferedStream {
        OfferedStream(mid: mid, kind: .application, codec: .opus, direction: .sendrecv, extensions: [])
    }
}

extension SDPNegotiator {
    /// Fixed header extension ids of server offers (janus-api.md §10.3) and the
    /// kinds each is offered on.
    public static let offerExtensionIDs: [(id: Int, uri: String, audio: Bool, video: Bool)] = [
        (1, RTPExtensionURI.audioLevel, true, false),
        (2, RTPExtensionURI.absSendTime, false, true),
        (3, RTPExtensionURI.transportCC, true, true),
        (4, RTPExtensionURI.mid, true, true),
        (12, RTPExtensionURI.playoutDelay, false, true),
        (13, RTPExtensionURI.videoOrientation, false, true),
    ]

    /// Builds a server offer (JSEP §5.2.1), one m-line per stream, everything
    /// bundled on the first: `a=setup:actpass`, our ICE credentials and
    /// candidates on every m-line with `a=end-of-candidates`, fixed payload
    /// types and extension ids, `a=ssrc`/`a=ssrc-group:FID` for what we send.
    public static func offer(
        streams: [OfferedStream],
        local: LocalTransportParameters,
        sessionID: UInt64,
        sessionVersion: UInt64,
        sessionName: String = "-"
    ) -> SessionDescription {
        var sdp = sessionSkeleton(
            local: local, sessionID: sessionID, sessionVersion: sessionVersion, sessionName: sessionName)
        sdp.extmapAllowMixed = true
        let candidates = hostCandidates(local)
        for (index, stream) in streams.enumerated() {
            let mid = stream.mid ?? "\(index)"
            var m: MediaDescription
            if stream.kind == .application {
                m = MediaDescription(kind: .application, port: 9, proto: "UDP/DTLS/SCTP", formats: ["webrtc-datachannel"])
                m.sctpPort = sctpPort
                m.maxMessageSize = maxMessageSize
            } else {
                m = offeredRTPMedia(stream, mid: mid)
            }
            m.mid = mid
            addTransport(to: &m, local: local, setup: .actpass, candidates: candidates)
            sdp.media.append(m)
        }
        sdp.groups = [SDPGroup(semantics: "BUNDLE", mids: sdp.media.compactMap(\.mid))]
        return sdp
    }

    static func offeredRTPMedia(_ stream: OfferedStream, mid: String) -> MediaDescription {
        var m = MediaDescription(kind: stream.kind, port: 9, proto: "UDP/TLS/RTP/SAVPF")
        m.direction = stream.direction
        m.rtcpMux = true
        let isVideo = stream.kind == .video
        m.extensions = offerExtensionIDs.compactMap { e in
            guard isVideo ? e.video : e.audio,
                  e.uri == RTPExtensionURI.mid || stream.extensions.contains(e.uri)
            else { return nil }
            return SDPExtension(id: e.id, uri: e.uri)
        }
        let twcc = stream.transportCC && m.extensions.contains { $0.uri == RTPExtensionURI.transportCC }
        var feedback: [String] = isVideo ? ["ccm fir", "nack", "nack pli", "goog-remb"] : []
        if twcc { feedback.append("transport-cc") }
        let codec = stream.codec
        m.codecs = [SDPCodec(payloadType: codec.payloadType, name: codec.encodingName, clockRate: codec.clockRate,
                             channels: codec.channels, fmtp: stream.fmtp, feedback: feedback)]
        let rtxPT = isVideo && stream.rtxSSRC != nil ? codec.rtxPayloadType : nil
        if let rtxPT {
            m.codecs.append(SDPCodec(payloadType: rtxPT, name: "rtx", clockRate: codec.clockRate,
                                     fmtp: "apt=\(codec.payloadType)"))
        }
        if stream.direction.sends, let ssrc = stream.ssrc {
            m.msid = [stream.msid ?? "\(cname) \(cname)\(mid)"]
            if let rtx = stream.rtxSSRC, rtxPT != nil {
                m.ssrcGroups = [SDPSSRCGroup(semantics: "FID", ssrcs: [ssrc, rtx])]
                m.ssrcs = [SDPSSRCAttribute(ssrc: ssrc, attribute: "cname", value: cname),
                           SDPSSRCAttribute(ssrc: rtx, attribute: "cname", value: cname)]
            } else {
                m.ssrcs = [SDPSSRCAttribute(ssrc: ssrc, attribute: "cname", value: cname)]
            }
        }
        return m
    }

    /// Reads the peer's answer to one of our offers (RFC 3264 §6/§7): its
    /// transport parameters, the DTLS role (`active` answer → we are the
    /// server), and per m-line what was accepted. `answer` in the result is the
    /// peer's answer.
    public static func processAnswer(
        _ answer: SessionDescription, to offer: SessionDescription
    ) throws(SDPError) -> NegotiationResult {
        guard answer.media.count == offer.media.count else {
            throw SDPError(.invalidAnswer,
                           "Answer has \(answer.media.count) m-lines, offer had \(offer.media.count)")
        }
        try checkMids(answer)
        let remote = try remoteTransport(answer)
        let setup = answer.effectiveSetup ?? .active
        let role: DTLSRole
        switch setup {
        case .active: role = .server
        case .passive: role = .client
        case .actpass, .holdconn:
            throw SDPError(.invalidAnswer, "Invalid a=setup:\(setup.rawValue) in an answer")
        }

        var results: [NegotiatedMedia] = []
        for (index, (ours, theirs)) in zip(offer.media, answer.media).enumerated() {
            if let mid = theirs.mid, let offered = ours.mid, mid != offered {
                throw SDPError(.invalidAnswer, "Answer m-line \(index) has mid '\(mid)', offer had '\(offered)'")
            }
            var r = NegotiatedMedia(mid: ours.mid ?? theirs.mid ?? "", mindex: index, kind: ours.kind)
            r.remoteSSRCs = theirs.mediaSSRCs
            r.remoteRTXSSRCs = theirs.repairSSRCs
            r.localSSRC = ours.mediaSSRCs.first
            r.localRTXSSRC = r.localSSRC.flatMap { ours.repairSSRCs[$0] }
            defer { results.append(r) }
            guard !theirs.isRejected else { continue }
            if ours.kind == .application {
                guard theirs.sctpPort != nil else { continue }
                r.rejected = false
                r.direction = .sendrecv
                r.sctpPort = theirs.sctpPort
                continue
            }
            // The answer's first payload type that we offered (not rtx).
            guard let codec = theirs.codecs.first(where: { c in
                !c.isRTX && ours.codec(payloadType: c.payloadType).map { !$0.isRTX } == true
            }), let offeredCodec = ours.codec(payloadType: codec.payloadType)
            else { continue }
            let direction = MediaDirection(
                sends: ours.effectiveDirection.sends && theirs.effectiveDirection.receives,
                receives: ours.effectiveDirection.receives && theirs.effectiveDirection.sends)
            r.rejected = false
            r.direction = direction
            r.payloadType = codec.payloadType
            r.codecName = offeredCodec.name
            r.clockRate = offeredCodec.clockRate
            r.channels = offeredCodec.channels
            r.fmtp = codec.fmtp ?? offeredCodec.fmtp
            if let rtx = theirs.rtxCodec(for: codec.payloadType),
               ours.rtxCodec(for: codec.payloadType)?.payloadType == rtx.payloadType {
                r.rtxPayloadType = rtx.payloadType
            } else {
                r.localRTXSSRC = nil
            }
            r.feedback = codec.feedback.filter { offeredCodec.feedback.contains($0) }
            r.extensions = theirs.extensions.compactMap { e in
                ours.extensions.contains { $0.id == e.id && $0.uri == e.uri }
                    ? NegotiatedExtension(id: e.id, uri: e.uri) : nil
            }
        }
        return NegotiationResult(
            answer: answer,
            media: results,
            remoteIceUfrag: remote.ufrag,
            remoteIcePwd: remote.pwd,
            remoteFingerprint: remote.fingerprint.text,
            remoteSetup: setup.rawValue,
            localDTLSRole: role,
            bundleMids: answer.bundleMids)
    }
}
