import ICE
import RTP
import SFUBase

/// What a `ClientPeer` reports, drained with `ClientPeer.pollEvent()`.
public enum ClientPeerEvent: Sendable {
    /// A nominating check got its success response: media may flow to the server.
    case iceConnected
    /// DTLS-SRTP keys are in place (`profile` is the negotiated `use_srtp` profile id).
    case connected(profile: UInt16)
    /// A decrypted RTP packet.
    case rtp(ReceivedRTPPacket)
    /// A decrypted compound RTCP packet, parsed member by member (malformed members are skipped).
    case rtcp([RTCPMessage])
    /// The session is dead (ICE consent lost, DTLS failed or closed by the server).
    case failed(String)
}

/// A received RTP packet, copied out of the datagram.
public struct ReceivedRTPPacket: Sendable, Equatable {
    public var ssrc: UInt32
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var marker: Bool
    /// Header extension elements by id (one-byte or two-byte form).
    public var extensions: [UInt8: [UInt8]]
    public var payload: [UInt8]
    public var receivedAt: MonotonicInstant

    public init(
        ssrc: UInt32, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, marker: Bool,
        extensions: [UInt8: [UInt8]], payload: [UInt8], receivedAt: MonotonicInstant
    ) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.marker = marker
        self.extensions = extensions
        self.payload = payload
        self.receivedAt = receivedAt
    }
}

/// The clear-text header facts a loss-injection hook decides on. For SRTP these come from the
/// unencrypted RTP header, so a dropped packet never reaches the SRTP replay window (a later
/// retransmission with the same sequence number is still accepted).
public enum PacketInfo: Sendable, Equatable {
    case rtp(ssrc: UInt32, sequenceNumber: UInt16, payloadType: UInt8)
    /// SRTCP: the first packet's type and sender SSRC (both in the clear).
    case rtcp(packetType: UInt8, senderSSRC: UInt32)
    /// STUN and DTLS are never offered to the hooks.
}

/// Counters kept by a `ClientPeer`.
public struct ClientPeerStatistics: Sendable, Equatable {
    public var rtpSent = 0
    public var rtpReceived = 0
    public var rtcpSent = 0
    public var rtcpReceived = 0
    public var droppedIncoming = 0
    public var droppedOutgoing = 0
    /// SRTP/SRTCP packets that failed authentication or replay checks.
    public var unprotectFailures = 0
    public var retransmissionsSent = 0
    public init() {}
}
