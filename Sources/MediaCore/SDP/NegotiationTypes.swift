import DTLS
import ICE

/// Inputs and outputs of `SDPNegotiator`. Plain values (strings and integers,
/// no ICE/DTLS types) so the SDP layer stands alone; all `Sendable`.

/// RTP header extension URIs this server knows (RFC 8285 registrations).
public enum RTPExtensionURI {
    public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    public static let transportCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    public static let rtpStreamID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    public static let repairedRTPStreamID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
    public static let videoOrientation = "urn:3gpp:video-orientation"
    public static let playoutDelay = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"
    public static let dependencyDescriptor =
        "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"
}

/// One address we listen on, advertised as a host candidate.
public struct LocalCandidateAddress: Sendable, Hashable {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }
}

/// Our side of the transport: what goes into the SDP we send.
public struct LocalTransportParameters: Sendable {
    public var iceUfrag: String
    public var icePwd: String
    /// `"sha-256 AB:CD:..."` of our DTLS certificate.
    public var fingerprint: String
    public var candidates: [LocalCandidateAddress]
    /// Emit `a=ice-lite` (RFC 8445 §2.5): we only answer checks.
    public var iceLite: Bool

    public init(iceUfrag: String, icePwd: String, fingerprint: String,
                candidates: [LocalCandidateAddress], iceLite: Bool = true) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.iceLite = iceLite
    }
}

/// What we accept when answering (Janus' room codec / extension settings).
public struct CodecPolicy: Sendable {
    /// Preference order, names compared case-insensitively.
    public var audioCodecs: [String] = ["opus"]
    public var videoCodecs: [String] = ["vp8", "vp9", "h264", "av1"]
    /// Answer RFC 4588 `rtx` for the chosen codec when offered.
    public var acceptRTX = true
    /// Header extension URIs we answer (ids are kept from the offer).
    public var acceptedExtensions: Set<String> = [
        RTPExtensionURI.mid, RTPExtensionURI.audioLevel, RTPExtensionURI.absSendTime,
        RTPExtensionURI.transportCC, RTPExtensionURI.rtpStreamID, RTPExtensionURI.repairedRTPStreamID,
        RTPExtensionURI.videoOrientation, RTPExtensionURI.playoutDelay,
    ]
    /// Opus `useinbandfec=1` when offered (RFC 7587 §6.1).
    public var opusFEC = true
    /// Opus `usedtx=1` when offered.
    public var opusDTX = false
    /// `b=AS` (and `b=TIAS` when the offer used it) on video m-lines.
    public var bitrateCapKbps: Int?
    /// Answer `a=rtcp-rsize` (RFC 5506) when offered. Off like Janus: the peer
    /// then sends compound RTCP only.
    public var acceptReducedSizeRTCP = false
    /// Answer `m=application` (SCTP data channels, RFC 8841) instead of rejecting it.
    public var acceptDataChannels = true

    public init() {}
}

/// How the direction of each audio/video m-line is answered.
public enum AnswerDirection: Sendable {
    /// Reverse the offer (sendrecv → sendrecv, sendonly → recvonly...): echo test.
    case mirror
    /// Only receive (VideoRoom publisher): recvonly where the peer sends, else inactive.
    case receiveOnly
}

/// A header extension in use on one m-line.
public struct NegotiatedExtension: Sendable, Hashable {
    public var id: Int
    public var uri: String

    public init(id: Int, uri: String) {
        self.id = id
        self.uri = uri
    }
}

/// The outcome for one m-line: what the media plane needs to set up.
public struct NegotiatedMedia: Sendable, Hashable {
    public var mid: String
    public var mindex: Int
    public var kind: MediaKind
    /// No media flows on this m-line (no common codec, or port 0).
    public var rejected: Bool
    /// Our side's direction.
    public var direction: MediaDirection
    public var payloadType: UInt8
    /// As written by the offerer (`opus`, `VP8`, `H264`...); empty for data/rejected.
    public var codecName: String
    public var clockRate: UInt32
    public var channels: Int?
    public var fmtp: String?
    public var rtxPayloadType: UInt8?
    public var feedback: [String]
    public var extensions: [NegotiatedExtension]
    /// The peer's media SSRCs (first of each FID group).
    public var remoteSSRCs: [UInt32]
    /// The peer's media SSRC → its RTX SSRC.
    public var remoteRTXSSRCs: [UInt32: UInt32]
    /// rids the peer sends (simulcast, RFC 8853), in its order.
    public var rids: [String]
    /// The peer's `a=ssrc-group:SIM` SSRCs (simulcast by SSRC), in its order (lowest first).
    public var simulcastSSRCs: [UInt32] = []
    public var localSSRC: UInt32?
    public var localRTXSSRC: UInt32?
    /// `m=application`: the peer's SCTP port (RFC 8841 §5.1).
    public var sctpPort: Int?

    public init(mid: String, mindex: Int, kind: MediaKind) {
        self.mid = mid
        self.mindex = mindex
        self.kind = kind
        self.rejected = true
        self.direction = .inactive
        self.payloadType = 0
        self.codecName = ""
        self.clockRate = 0
        self.channels = nil
        self.fmtp = nil
        self.rtxPayloadType = nil
        self.feedback = []
        self.extensions = []
        self.remoteSSRCs = []
        self.remoteRTXSSRCs = [:]
        self.rids = []
        self.localSSRC = nil
        self.localRTXSSRC = nil
        self.sctpPort = nil
    }

    /// The id of one extension on this m-line.
    public func extensionID(_ uri: String) -> Int? {
        extensions.first { $0.uri == uri }?.id
    }
}

/// Everything both sides agreed on for one PeerConnection.
public struct NegotiationResult: Sendable {
    /// The answer: ours for `answer(offer:...)`, the peer's for `processAnswer`.
    public var answer: SessionDescription
    public var media: [NegotiatedMedia]
    public var remoteIceUfrag: String
    public var remoteIcePwd: String
    /// `"sha-256 AB:..."` (sha-256 preferred when the peer gave several).
    public var remoteFingerprint: String
    /// The peer's `a=setup` value.
    public var remoteSetup: String
    public var localDTLSRole: DTLSRole
    /// Mids sharing our single transport, tagged m-line first.
    public var bundleMids: [String]

    /// The outcome for the m-line with this mid.
    public func media(mid: String) -> NegotiatedMedia? {
        media.first { $0.mid == mid }
    }
}
