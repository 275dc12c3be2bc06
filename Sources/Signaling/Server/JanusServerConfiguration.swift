import NIOCore

/// Settings of a `JanusAPIServer`: listeners (janus.transport.http / .websockets) and core
/// behaviour (janus.jcfg). Defaults match Janus; everything binds to loopback unless told.
public struct JanusServerConfiguration: Sendable {
    /// REST + long-poll listener; `httpPort` 0 picks an ephemeral port, nil disables HTTP.
    public var httpHost: String = "127.0.0.1"
    public var httpPort: Int? = 8088
    /// WebSocket listener (`janus-protocol`); `wsPort` 0 picks an ephemeral port, nil disables it.
    public var wsHost: String = "127.0.0.1"
    public var wsPort: Int? = 8188
    /// HTTPS listener: what the HTTP listener serves (REST API, side routes), over TLS with
    /// `tls`; `httpsPort` nil (or no `tls`) disables it.
    public var httpsHost: String = "127.0.0.1"
    public var httpsPort: Int? = nil
    /// WSS listener: the WebSocket transport over TLS with `tls`; `wssPort` nil disables it.
    public var wssHost: String = "127.0.0.1"
    public var wssPort: Int? = nil
    /// Makes the TLS handler put first on each HTTPS and WSS connection (the `SFU` module passes
    /// swift-nio-ssl's server handler; Signaling itself links no TLS library).
    public var tlsHandler: (@Sendable () -> any ChannelHandler)? = nil
    /// REST base path (Janus `base_path`).
    public var basePath: String = "/janus"
    /// Seconds without activity before a session expires (0 disables).
    public var sessionTimeout: Double = 60
    /// Seconds a WebSocket's sessions survive its close, for `claim` (0: destroyed at once).
    public var reclaimSessionTimeout: Double = 0
    /// Session watchdog period in seconds.
    public var watchdogInterval: Double = 2
    /// `server-name` in `server_info`.
    public var serverName: String = "swift-sfu"
    /// Optional shared API secret (`apisecret` in every request).
    public var apiSecret: String? = nil
    /// Janus `token_auth`: requests need a token stored in `JanusCore.tokens` (or the API secret).
    public var tokenAuth: Bool = false
    /// Largest HTTP request body, in bytes.
    public var maxRequestBodySize: Int = 1 << 20
    /// Largest WebSocket message after reassembly, in bytes.
    public var maxWebSocketMessageSize: Int = 1 << 20
    /// Seconds an idle long poll is held before `keepalive` (Janus: 30).
    public var longPollHold: Double = 30
    /// Events queued per session for HTTP clients that do not poll (the oldest are dropped).
    public var eventQueueCapacity: Int = 1000
    /// Outbound bytes a WebSocket connection may have queued (unread replies and events) before
    /// it is closed with 1008; 0: no limit.
    public var maxWebSocketQueuedBytes: Int = 8 << 20
    /// Seconds a WebSocket's socket may stay unwritable (its client reads nothing) before it is
    /// closed with 1008.
    public var webSocketStallTimeout: Double = 30
    /// Janus API requests a second per HTTP or WebSocket connection (burst: twice that); beyond
    /// it they are answered 490 and not run. 0: no limit.
    public var maxRequestsPerSecond: Int = 1000
    /// Concurrent TCP connections on the HTTP and WebSocket listeners together; beyond it new
    /// ones are closed at once. 0: no limit.
    public var maxConnections: Int = 4096
    /// Sessions at once (`create` beyond it: 472); 0: no limit.
    public var maxSessions: Int = 10_000
    /// Handles per session (`attach` beyond it: 461); 0: no limit.
    public var maxHandlesPerSession: Int = 256
    /// CORS `allow_origin`; nil sends `*`.
    public var corsAllowOrigin: String? = nil
    /// Plain endpoints served on the HTTP listener beside the Janus API (e.g. `GET /metrics`),
    /// matched before the Janus routes.
    public var sideRoutes: [HTTPSideRoute] = []
    /// `server_info` `ipv6`: whether the media plane has an IPv6 ICE address.
    public var ipv6: Bool = false

    public init() {}

    var webSocketLimits: WebSocketLimits {
        var limits = WebSocketLimits(maxQueuedBytes: maxWebSocketQueuedBytes, maxRequestsPerSecond: maxRequestsPerSecond)
        limits.stallTimeout = .nanoseconds(Int64(max(0.01, webSocketStallTimeout) * 1e9))
        return limits
    }

    var coreConfiguration: JanusCoreConfiguration {
        var core = JanusCoreConfiguration()
        core.sessionTimeout = sessionTimeout
        core.reclaimSessionTimeout = reclaimSessionTimeout
        core.watchdogInterval = watchdogInterval
        core.eventQueueCapacity = eventQueueCapacity
        core.maxSessions = maxSessions
        core.maxHandlesPerSession = maxHandlesPerSession
        core.serverName = serverName
        core.apiSecret = apiSecret
        core.tokenAuth = tokenAuth
        core.ipv6 = ipv6
        if httpPort != nil || (httpsPort != nil && tlsHandler != nil) {
            core.transports["janus.transport.http"] = JanusPluginInfo(
                name: "swift-sfu REST (HTTP) transport", author: "swift-sfu contributors",
                description: "Janus API over HTTP with long polling (SwiftNIO)", versionString: "0.0.1", version: 1)
        }
        if wsPort != nil || (wssPort != nil && tlsHandler != nil) {
            core.transports["janus.transport.websockets"] = JanusPluginInfo(
                name: "swift-sfu WebSockets transport", author: "swift-sfu contributors",
                description: "Janus API over WebSocket, subprotocol janus-protocol (SwiftNIO)",
                versionString: "0.0.1", version: 1)
        }
        return core
    }
}
