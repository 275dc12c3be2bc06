import ICE
import SFUMedia
import VideoRoomControl

/// Optional media-plane operation: an ICE restart on a running transport (new credentials both
/// ways, the DTLS association and SRTP keys carry on; RFC 8445 §9, JSEP RFC 8829 §5.2.1).
/// Returns the allocation with our new local credentials for the answer. When the media plane
/// lacks it, the VideoRoom treats a re-offer with new ICE credentials as a new PeerConnection.
public protocol RoomMediaICERestart: RoomMediaPlane {
    func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation
}

/// Optional media-plane operation: a renegotiated stream list for a running transport (same
/// ICE/DTLS session): a publisher re-offer that adds or removes m-lines, or a subscriber's
/// answer to an `updated` offer. Without it the transport keeps the streams of its first
/// negotiation: re-pointing existing m-lines works, m-lines added later carry nothing.
public protocol RoomMediaRenegotiation: RoomMediaPlane {
    func updateTransport(_ allocation: TransportAllocation, setup: TransportSetup)
}

extension MediaEngine: RoomMediaICERestart, RoomMediaRenegotiation {}
