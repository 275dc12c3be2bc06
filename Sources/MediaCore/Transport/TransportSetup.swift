import DTLS
import ICE

/// Everything a media worker needs to run one PeerConnection, derived from the negotiated SDP.
public struct TransportSetup: Sendable {
    public var remoteCredentials: ICECredentials
    public var remoteFingerprint: DTLSFingerprint
    public var dtlsRole: DTLSRole
    public var streams: [StreamSetup]
    /// RTP header extension id of `urn:ietf:params:rtp-hdrext:sdes:mid`, to map SSRCs the SDP
    /// did not announce (e.g. aiortc, simulcast) to their m-line.
    public var midExtensionID: UInt8?
    /// Knobs on what the peer sends us (room publishers; an EchoTest's `bitrate`).
    public var settings: PublisherSettings

    public init(
        remoteCredentials: ICECredentials, remoteFingerprint: DTLSFingerprint, dtlsRole: DTLSRole,
        streams: [StreamSetup], midExtensionID: UInt8?, settings: PublisherSettings = PublisherSettings()
    ) {
        self.remoteCredentials = remoteCredentials
        self.remoteFingerprint = remoteFingerprint
        self.dtlsRole = dtlsRole
        self.streams = streams
        self.midExtensionID = midExtensionID
        self.settings = settings
    }
}

/// One negotiated audio or video m-line.
public struct StreamSetup: Sendable {
    public var mid: String
    public var kind: MediaKind
    public var payloadType: UInt8
    public var clockRate: UInt32
    /// SSRCs the remote SDP announced for this m-line (media SSRCs, not RTX).
    public var remoteSSRCs: [UInt32]
    /// The SSRC we send this m-line's media with (announced in our SDP).
    public var localSSRC: UInt32
    public var receives: Bool
    public var sends: Bool
    /// Negotiated header extensions (ids as this PeerConnection uses them).
    public var extensions: [StreamExtension]
    /// Lower-case codec name ("opus", "vp8", …): decides how keyframes are recognised.
    public var codecName: String
    /// Our RFC 4588 retransmission stream for what we send, when the peer accepted `rtx` for
    /// the codec and we announced an RTX SSRC (`ssrc-group:FID`): NACKed packets then go out
    /// on it instead of being resent on the media SSRC. Both set or both nil.
    public var rtxPayloadType: UInt8?
    public var localRTXSSRC: UInt32?
    /// Simulcast by rid (RFC 8853): the rids the peer sends, lowest quality first. Empty when
    /// the m-line is not a rid simulcast source.
    public var simulcastRIDs: [String] = []
    /// Simulcast by SSRC group (`a=ssrc-group:SIM`): the peer's SSRCs, lowest quality first.
    public var simulcastSSRCs: [UInt32] = []

    /// Layers the peer sends on this m-line (1 when it is not a simulcast source).
    public var simulcastLayerCount: Int { max(simulcastRIDs.count, simulcastSSRCs.count, 1) }

    public init(
        mid: String, kind: MediaKind, payloadType: UInt8, clockRate: UInt32, remoteSSRCs: [UInt32],
        localSSRC: UInt32, receives: Bool, sends: Bool, extensions: [StreamExtension] = [], codecName: String = "",
        rtxPayloadType: UInt8? = nil, localRTXSSRC: UInt32? = nil
    ) {
        let rtx = rtxPayloadType.flatMap { pt in localRTXSSRC.map { (pt, $0) } }
        self.rtxPayloadType = rtx?.0
        self.localRTXSSRC = rtx?.1
        self.extensions = extensions
        self.codecName = codecName.lowercased()
        self.mid = mid
        self.kind = kind
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.remoteSSRCs = remoteSSRCs
        self.localSSRC = localSSRC
        self.receives = receives
        self.sends = sends
    }
}

extension TransportSetup {
    /// The transport parameters of a finished offer/answer. `sends`/`receives` follow the
    /// negotiated direction of each m-line from our side. Nil when the remote fingerprint is unusable.
    /// `ridOrder` says how the peer listed its simulcast rids (janus.js `rid_order`; Janus's
    /// default is highest first).
    public init?(
        negotiation result: NegotiationResult, settings: PublisherSettings = PublisherSettings(),
        ridOrder: SimulcastRIDOrder = .highestFirst
    ) {
        guard let fingerprint = DTLSFingerprint(sdpValue: result.remoteFingerprint) else { return nil }
        let streams: [StreamSetup] = result.media.compactMap { media in
            guard !media.rejected, media.kind == .audio || media.kind == .video else { return nil }
            var stream = StreamSetup(
                mid: media.mid, kind: media.kind, payloadType: media.payloadType, clockRate: media.clockRate,
                remoteSSRCs: media.remoteSSRCs, localSSRC: media.localSSRC ?? UInt32.random(in: 1...UInt32.max),
                receives: media.direction.receives, sends: media.direction.sends,
                extensions: media.extensions.map { StreamExtension(id: UInt8(clamping: $0.id), uri: $0.uri) },
                codecName: media.codecName,
                rtxPayloadType: media.direction.sends ? media.rtxPayloadType : nil,
                localRTXSSRC: media.direction.sends ? media.localRTXSSRC : nil)
            if media.direction.receives && media.kind == .video {
                stream.simulcastRIDs = ridOrder == .highestFirst ? media.rids.reversed() : media.rids
                if stream.simulcastRIDs.count < 2 { stream.simulcastRIDs = [] }
                stream.simulcastSSRCs = media.simulcastSSRCs.count >= 2 ? media.simulcastSSRCs : []
            }
            return stream
        }
        let midExtension = result.media.lazy.flatMap(\.extensions).first { $0.uri == RTPExtensionURI.mid }?.id
        self.init(
            remoteCredentials: ICECredentials(ufrag: result.remoteIceUfrag, pwd: result.remoteIcePwd),
            remoteFingerprint: fingerprint, dtlsRole: result.localDTLSRole, streams: streams,
            midExtensionID: midExtension.map { UInt8(clamping: $0) }, settings: settings)
    }
}

/// A negotiated RTP header extension of one m-line.
public struct StreamExtension: Sendable, Equatable {
    public var id: UInt8
    public var uri: String
    public init(id: UInt8, uri: String) {
        self.id = id
        self.uri = uri
    }
}

/// How a publisher listed the rids of a simulcast m-line (janus.js sends `rid_order` in its JSEP:
/// `"hml"`, the default, or `"lmh"`).
public enum SimulcastRIDOrder: Sendable, Equatable {
    case highestFirst, lowestFirst

    /// From the JSEP `rid_order` value; anything but `"lmh"` is Janus's default.
    public init(janusValue: String?) {
        self = janusValue == "lmh" ? .lowestFirst : .highestFirst
    }
}

extension SubscriberBinding {
    /// Bindings that make a transport consume its own producers, m-line by m-line (the
    /// EchoTest): what the peer sends on each m-line it both sends and receives on comes back
    /// on that m-line, audio and video each paused on request.
    public static func echo(
        of allocation: TransportAllocation, setup: TransportSetup, audio: Bool = true, video: Bool = true
    ) -> [SubscriberBinding] {
        setup.streams.filter { $0.receives && $0.sends }.map { stream in
            SubscriberBinding(
                mid: stream.mid, source: SourceKey(publisher: allocation.id, mid: stream.mid),
                send: stream.kind == .audio ? audio : video)
        }
    }
}
