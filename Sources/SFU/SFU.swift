// The module an embedding daemon imports. It re-exports what an embedder needs from the layers
// below (media configuration types, JSON values, the Janus API server) and the packages its API
// speaks (swift-log's `Logger`, swift-service-lifecycle's `ServiceGroup`), so `import SFU` is
// enough.
@_exported import Logging
@_exported import SFUMedia
@_exported import ServiceLifecycle
@_exported import Signaling
@_exported import VideoRoomControl
