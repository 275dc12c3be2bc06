import Logging
import SFUMedia
import VideoRoomControl

/// `janus.plugin.videoroom`: Janus 1.x multistream conference rooms (janus-api.md §8–§10).
///
/// Publishers send their streams on one PeerConnection each; subscribers receive any set of
/// published streams on one PeerConnection whose offer the server makes. All room state lives
/// in one `VideoRoomRegistry` actor; media goes through `RoomMediaPlane` (the `MediaEngine`
/// in the server, a fake in tests). Thread-safe: a value holding references to actors.
public struct VideoRoomPlugin: JanusPlugin {
    public let package = VideoRoomRegistry.package
    public let info = JanusPluginInfo(
        name: "swift-sfu VideoRoom plugin", author: "swift-sfu",
        description: "Multistream SFU rooms compatible with the Janus VideoRoom API.",
        versionString: "0.1.0", version: 1)

    let registry: VideoRoomRegistry

    public init(media: any RoomMediaPlane, configuration: VideoRoomConfiguration, logger: Logger) {
        registry = VideoRoomRegistry(media: media, configuration: configuration, logger: logger)
    }

    public func attach(context: PluginHandleContext) async throws -> any JanusPluginSession {
        await registry.attach(context)
        return VideoRoomHandle(handleID: context.handleID, registry: registry)
    }

    /// A room-management request from the embedding API, typed both ways: the same checks,
    /// effects and events as the Janus request, without a Janus session or JSON.
    package func perform(_ request: RoomRequest) async throws(VideoRoomError) -> RoomReply {
        try await registry.perform(request)
    }

    /// A room-control request as the room's host (the embedding API), after its `proof`.
    package func performHost(
        _ command: Result<RoomControlCommand, VideoRoomError>, proof: HostProof
    ) async throws(VideoRoomError) -> RoomControlReply
    {
        try await registry.performHost(command, proof: proof)
    }
}

/// One VideoRoom handle: a thin forwarder to the registry, which serialises everything.
final class VideoRoomHandle: JanusPluginSession {
    let handleID: UInt64
    let registry: VideoRoomRegistry

    init(handleID: UInt64, registry: VideoRoomRegistry) {
        self.handleID = handleID
        self.registry = registry
    }

    func handleMessage(transaction: String, body: JSONObject, jsep: JSEP?) async -> PluginMessageResult {
        await registry.handleMessage(handleID: handleID, transaction: transaction, body: body, jsep: jsep)
    }

    func handleTrickle(candidates: [TrickleCandidate], completed: Bool) async {
        // ICE-lite: the peer's connectivity checks reveal its addresses.
    }

    func hangup(reason: String) async {
        await registry.hangup(handleID: handleID, reason: reason)
    }

    func destroy() async {
        await registry.detach(handleID: handleID)
    }
}

extension VideoRoomRegistry {
    /// Janus's checks of a raw message body before the request is read (421/422). The core
    /// already rejects a missing or non-object `body` (456/467), so only direct callers hit these.
    static func validateBody(_ body: JSONValue?) throws(VideoRoomError) -> JSONObject {
        guard let body, !body.isNull else { throw VideoRoomError(VideoRoomError.noMessage, "No message??") }
        guard let object = body.objectValue else {
            throw VideoRoomError(VideoRoomError.invalidJSON, "JSON error: not an object")
        }
        return object
    }
}
