/// Behaviour of the transport-independent Janus core (janus-api.md §5). Plain values with
/// defaults matching Janus's janus.jcfg.
public struct JanusCoreConfiguration: Sendable {
    /// `session_timeout`: seconds without a request or long poll before a session expires.
    /// 0 disables expiry.
    public var sessionTimeout: Double = 60
    /// `reclaim_session_timeout`: seconds a session outlives its WebSocket so that `claim` can
    /// adopt it; 0 destroys it with the socket.
    public var reclaimSessionTimeout: Double = 0
    /// How often the watchdog looks for expired sessions (Janus: 2 s).
    public var watchdogInterval: Double = 2
    /// Events kept per session for a client that does not poll; the oldest are dropped beyond it
    /// (counted as `JanusLimitStatistics.Limit.eventQueue`, with a warning logged).
    public var eventQueueCapacity: Int = 1000
    /// Sessions that may exist at once; `create` beyond it answers 472. 0: no limit.
    public var maxSessions: Int = 10_000
    /// Handles one session may hold; `attach` beyond it answers 461. 0: no limit.
    public var maxHandlesPerSession: Int = 256
    /// `server-name` in `server_info`.
    public var serverName: String = "swift-sfu"
    /// `api_secret`: when set every request except `info`/`ping` needs `"apisecret"` (403 otherwise).
    public var apiSecret: String? = nil
    /// `token_auth`: every request except `info`/`ping` needs a `"token"` stored in the core's
    /// `tokens` (403 otherwise; 405 when it may not attach to the plugin). With `apiSecret` too,
    /// either one valid is enough, as in Janus.
    public var tokenAuth: Bool = false
    /// `accept_new_sessions`: when false `create` answers 472.
    public var acceptingNewSessions: Bool = true
    /// Reported as `candidates-timeout` (early trickles are queued by the plugin side).
    public var candidatesTimeout: Int = 45
    /// The `transports` map of `server_info`, filled by the server that hosts the core.
    public var transports: [String: JanusPluginInfo] = [:]

    /// Whether media can use IPv6 (an IPv6 ICE address is configured): `server_info` `ipv6`.
    public var ipv6: Bool = false

    public init() {}
}
