import DTLS
import ICE
import SFUMedia
import VideoRoomControl

/// What a room decided, for its owner to carry out in order (`VideoRoomRegistry+Effects`):
/// events to handles, media-plane commands, the handle table, the embedder's typed events,
/// persistence and timers. A room does no IO itself.
enum RoomEffect: Sendable {
    /// To the handle the registry knows by this id (an answer, an error, a notice).
    case toHandle(UInt64, PluginEvent)
    /// To a handle the room holds (a participant, subscriber or waiting joiner).
    case toContext(PluginHandleContext, PluginEvent)
    case media(MediaCommand)
    /// What the handle is now (nil: forgotten).
    case role(handle: UInt64, HandleRole?)
    /// For `VideoRoomConfiguration.observer`.
    case observe(VideoRoomEvent)
    /// Rewrite the rooms file; when that fails the request fails with 499 and nothing after it
    /// runs (as when the write was the request's last step).
    case persist
    /// Wake the room again later.
    case wake(RoomTimer, afterMilliseconds: UInt64)
}

/// A media-plane call (`RoomMediaPlane`), one case per method the VideoRoom uses.
enum MediaCommand: Sendable {
    /// Starts a negotiated transport; its events come back tagged with the handle and generation.
    case start(TransportAllocation, TransportSetup, handle: UInt64, generation: UInt64)
    /// A renegotiated stream list on a running transport (`RoomMediaPlane.updateTransport`).
    case update(TransportAllocation, TransportSetup)
    case configure(TransportAllocation, PublisherSettings)
    case bind(TransportAllocation, [SubscriberBinding])
    case keyframe(TransportAllocation, mid: String?)
    /// A subscriber's cap on what it receives (bits/s, 0: none).
    case limit(TransportAllocation, maximumBitrate: Int)
    case close(TransportAllocation)
}

/// Why a room wakes up.
enum RoomTimer: Sendable {
    /// A waiting joiner's time in the lobby may have run out.
    case lobbyExpiry
    /// Ask the subscriber's sources for keyframes once more (after the PLI throttle).
    case keyframeRetry(handle: UInt64, generation: UInt64)
}

/// What a room needs of the media plane synchronously: new transports (their local ICE
/// credentials and candidates go into the SDP) and our DTLS fingerprint.
protocol TransportAllocator: Sendable {
    var fingerprint: DTLSFingerprint { get }
    func allocateTransport(room: RoomKey) -> TransportAllocation
    /// New local ICE credentials on a running transport; nil when the media plane cannot restart ICE.
    func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation?
}

/// The registry's media plane as a room's allocator.
struct MediaPlaneAllocator: TransportAllocator {
    let media: any RoomMediaPlane

    var fingerprint: DTLSFingerprint { media.fingerprint }

    func allocateTransport(room: RoomKey) -> TransportAllocation { media.allocateTransport(room: room) }

    func restartICE(_ allocation: TransportAllocation, remote: ICECredentials) -> TransportAllocation? {
        media.restartICE(allocation, remote: remote)
    }
}
