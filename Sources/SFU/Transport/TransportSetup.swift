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
    public var behaviour: TransportBehaviour

    public init(
        remoteCredentials: ICECredentials, remoteFingerprint: DTLSFingerprint, dtlsRole: DTLSRole,
        streams: [StreamSetup], midExtensionID: UInt8?, behaviour: TransportBehaviour
    ) {
        self.remoteCredentials = remoteCredentials
        self.remoteFingerprint = remoteFingerprint
        self.dtlsRole = dtlsRole
        self.streams = streams
        self.midExtensionID = midExtensionID
        self.behaviour = behaviour
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

    public init(
        mid: String, kind: MediaKind, payloadType: UInt8, clockRate: UInt32, remoteSSRCs: [UInt32],
        localSSRC: UInt32, receives: Bool, sends: Bool
    ) {
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

/// What the transport does with the media it receives.
public enum TransportBehaviour: Sendable, Equatable {
    /// EchoTest: every received stream goes back on its own m-line.
    case echo(EchoSettings)
}

/// The EchoTest plugin's knobs (Janus `{"audio":bool,"video":bool,"bitrate":N}`).
public struct EchoSettings: Sendable, Equatable {
    public var audio: Bool
    public var video: Bool
    /// REMB cap in bits per second sent to the publisher; 0 = no cap of ours.
    public var bitrate: UInt32

    public init(audio: Bool = true, video: Bool = true, bitrate: UInt32 = 0) {
        self.audio = audio
        self.video = video
        self.bitrate = bitrate
    }
}
