/// One `m=` section (RFC 8866 §5.14) with the attributes WebRTC uses
/// (RFC 8829 JSEP §5.2): ICE (RFC 8839), DTLS (RFC 8842), BUNDLE/mid
/// (RFC 8843), RTP/RTCP (RFC 8866, 5761, 5506, 4585, 8285, 5576),
/// simulcast (RFC 8851, 8853) and SCTP data channels (RFC 8841).
///
/// A value: build, copy and pass it anywhere.
public struct MediaDescription: Sendable, Hashable {
    public var kind: MediaKind
    public var port: UInt16
    /// `m=video 9/2 ...`: rarely used, kept for round trips.
    public var portCount: Int?
    public var proto: String
    /// The `m=` line formats of non-RTP media (`webrtc-datachannel`, `5000`).
    /// For RTP media the formats are the payload types of `codecs`.
    public var formats: [String]
    public var extraLines: [SDPLine]
    public var connection: SDPConnection?
    public var bandwidths: [SDPBandwidth]

    public var direction: MediaDirection?
    public var mid: String?
    public var msid: [String]
    public var rtcpMux: Bool
    public var rtcpReducedSize: Bool
    public var bundleOnly: Bool
    public var extmapAllowMixed: Bool

    public var iceUfrag: String?
    public var icePwd: String?
    public var iceOptions: String?
    public var fingerprints: [SDPFingerprint]
    public var setup: DTLSSetup?

    /// In `m=` line order, one per payload type.
    public var codecs: [SDPCodec]
    /// `a=rtcp-fb:* ...`
    public var wildcardFeedback: [String]
    public var extensions: [SDPExtension]
    public var ssrcGroups: [SDPSSRCGroup]
    public var ssrcs: [SDPSSRCAttribute]
    public var rids: [SDPRid]
    public var simulcast: SDPSimulcast?

    public var candidates: [SDPCandidate]
    public var endOfCandidates: Bool

    public var sctpPort: Int?
    public var maxMessageSize: Int?

    /// Attributes without a field here, in their original order, verbatim.
    public var otherAttributes: [SDPAttribute]

    public init(kind: MediaKind, port: UInt16 = 9, proto: String, formats: [String] = []) {
        self.kind = kind
        self.port = port
        self.portCount = nil
        self.proto = proto
        self.formats = formats
        self.extraLines = []
        self.connection = nil
        self.bandwidths = []
        self.direction = nil
        self.mid = nil
        self.msid = []
        self.rtcpMux = false
        self.rtcpReducedSize = false
        self.bundleOnly = false
        self.extmapAllowMixed = false
        self.iceUfrag = nil
        self.icePwd = nil
        self.iceOptions = nil
        self.fingerprints = []
        self.setup = nil
        self.codecs = []
        self.wildcardFeedback = []
        self.extensions = []
        self.ssrcGroups = []
        self.ssrcs = []
        self.rids = []
        self.simulcast = nil
        self.candidates = []
        self.endOfCandidates = false
        self.sctpPort = nil
        self.maxMessageSize = nil
        self.otherAttributes = []
    }

    /// `RTP/AVP`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`...: formats are payload types.
    public var isRTP: Bool { proto.uppercased().contains("RTP/") }

    /// RFC 3264 §6: port 0 rejects the section, except for `a=bundle-only` (RFC 8843 §6).
    public var isRejected: Bool { port == 0 && !bundleOnly }

    /// RFC 8866 §6.7: sendrecv when absent (session-level default not applied here).
    public var effectiveDirection: MediaDirection { direction ?? .sendrecv }

    public func codec(payloadType: UInt8) -> SDPCodec? {
        codecs.first { $0.payloadType == payloadType }
    }

    /// The `rtx` payload type whose `apt` is `payloadType` (RFC 4588 §8.6).
    public func rtxCodec(for payloadType: UInt8) -> SDPCodec? {
        codecs.first { $0.isRTX && $0.associatedPayloadType == payloadType }
    }

    /// Media SSRCs: every SSRC with an `a=ssrc` line or in a group, minus the
    /// repair streams (second member of FID / FEC-FR groups), in order of appearance.
    public var mediaSSRCs: [UInt32] {
        let repair = Set(repairSSRCs.values)
        var seen = Set<UInt32>()
        var out: [UInt32] = []
        let all = ssrcGroups.flatMap(\.ssrcs) + ssrcs.map(\.ssrc)
        for s in all where !repair.contains(s) && !seen.contains(s) {
            seen.insert(s)
            out.append(s)
        }
        return out
    }

    /// Media SSRC → RTX SSRC, from `a=ssrc-group:FID` (RFC 4588 §8.7).
    public var repairSSRCs: [UInt32: UInt32] {
        var map: [UInt32: UInt32] = [:]
        for g in ssrcGroups where g.semantics == "FID" && g.ssrcs.count >= 2 {
            map[g.ssrcs[0]] = g.ssrcs[1]
        }
        return map
    }
}
