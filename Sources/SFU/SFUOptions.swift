import Logging
import Metrics
import NIOCore

/// Everything an `SFUServer` needs, as one value with working defaults: a server on loopback
/// with the Janus API on 127.0.0.1:8088 (HTTP) and :8188 (WebSocket), media on 127.0.0.1 UDP
/// 20000–20100, one media worker per core, Janus's demo room 1234.
///
/// Nothing is read from the environment or from global state: two servers in one process need
/// only two option values that do not collide on ports. A plain value, `Sendable`.
public struct SFUOptions: Sendable {
    /// A `HOST:PORT` listening endpoint; port 0 picks an ephemeral port.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// An address literal or host name to bind.
        public var host: String
        /// The TCP port; 0 picks an ephemeral one.
        public var port: Int

        /// `host:port`.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Reads `HOST:PORT`, IPv6 hosts in brackets (`[::1]:8088`); nil when malformed.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                return nil
            }
            self.init(host: host, port: port)
        }

        /// `HOST:PORT`, IPv6 hosts in brackets.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Where the DTLS certificate comes from.
    public enum Certificate: Sendable, Hashable {
        /// A fresh ECDSA P-256 self-signed certificate made at start (Janus's default).
        case generated
        /// PEM text of the certificate and its private key.
        case pem(certificate: String, privateKey: String)
        /// Paths of PEM files, read at start.
        case files(certificate: String, privateKey: String)
    }

    /// Bounds on what clients can make the server hold.
    public struct Limits: Sendable, Hashable {
        /// Largest HTTP request body, in bytes (bigger: Janus error 450).
        public var maxRequestBodySize = 1 << 20
        /// Largest WebSocket message after reassembly, in bytes.
        public var maxWebSocketMessageSize = 1 << 20
        /// Events kept per session for a long-poll client that does not poll: beyond it the oldest
        /// is dropped, counted (`sfu_janus_limit_actions_total{limit="event_queue"}`) and logged;
        /// the session itself lives on until its timeout.
        public var eventQueueCapacity = 1000
        /// Outbound bytes a WebSocket connection may have queued (replies and events its client
        /// has not read) before it is closed with 1008 and a warning. 0: no limit.
        public var maxWebSocketQueuedBytes = 8 << 20
        /// Janus API requests a second per HTTP or WebSocket connection (a burst of twice that
        /// is allowed); beyond it a request is answered with error 490 and not run. 0: no limit.
        public var maxRequestsPerSecond = 1000
        /// Concurrent TCP connections on the Janus HTTP and WebSocket listeners together; beyond
        /// it new connections are closed at once. 0: no limit.
        public var maxConnections = 4096
        /// Janus sessions at once; `create` beyond it answers 472. 0: no limit.
        public var maxSessions = 10_000
        /// Handles per Janus session; `attach` beyond it answers 461. 0: no limit.
        public var maxHandlesPerSession = 256
        /// VideoRoom rooms at once (configured ones included); `create` beyond it answers 499.
        /// 0: no limit.
        public var maxRooms = 1000
        /// Handles joined to one VideoRoom room (participants, subscribers, lobby); `join`
        /// beyond it answers 432. 0: no limit. A room's `publishers` still bounds its publishers.
        public var maxParticipantsPerRoom = 1000
        /// How long an idle long poll is held before a `keepalive` (Janus: 30 s).
        public var longPollHold: Duration = .seconds(30)
        /// Time without a valid ICE check before a PeerConnection is declared dead (RFC 7675).
        public var consentTimeout: Duration = .seconds(30)
        /// Kernel socket buffers requested per media socket, in bytes.
        public var socketReceiveBuffer = 4 << 20
        /// Send buffer, in bytes.
        public var socketSendBuffer = 4 << 20

        /// Janus's limits and a 4 MiB socket buffer each way.
        public init() {}
    }

    /// A name for this server in log metadata and metric dimensions (`sfu.server`).
    public var name = "sfu"
    /// Janus REST + long-poll listener; nil: none (serve it yourself with `SFUServer.respond(to:)`).
    public var http: Endpoint? = Endpoint(host: "127.0.0.1", port: 8088)
    /// Janus WebSocket listener (subprotocol `janus-protocol`); nil: none.
    public var webSocket: Endpoint? = Endpoint(host: "127.0.0.1", port: 8188)
    /// REST base path (Janus `base_path`).
    public var basePath = "/janus"
    /// Addresses the media sockets bind to and advertise in ICE candidates.
    public var iceAddresses = ["127.0.0.1"]
    /// Advertised address per bound address, for 1:1 NAT (Janus `nat_1_1_mapping`).
    public var advertisedAddresses: [String: String] = [:]
    /// UDP ports for media; worker `i` binds `lowerBound + i`. `0...0` binds ephemeral ports.
    public var mediaPorts: ClosedRange<UInt16> = 20000...20100
    /// Media worker threads; 0 means one per core.
    public var mediaWorkers = 0
    /// How PeerConnections are placed over the media workers: `.spread` (least-loaded worker per
    /// PeerConnection, a big room uses every core) or `.together` (a room on one worker).
    public var roomPlacement: RoomPlacement = .spread
    /// Send runs of same-size datagrams to one destination with UDP GSO (off by itself when the
    /// kernel refuses it).
    public var udpGSO = true
    /// Lost packets a second on one m-line, in either direction, that make the server report a
    /// slow link (Janus `slowlink_threshold`: `slowlink` to the handle, `slow_link` from the
    /// VideoRoom, `SFUEvent` slow link); 0 turns the reports off.
    public var slowLinkThreshold = 4
    /// Inactivity after which a Janus session expires; `.zero` disables expiry.
    public var sessionTimeout: Duration = .seconds(60)
    /// Bounds on what clients can make the server hold.
    public var limits = Limits()
    /// HTTPS listener: the Janus REST API, the web client and the other routes of the HTTP
    /// listener, over TLS with `tls`; nil: none.
    public var https: Endpoint?
    /// WSS listener: the Janus WebSocket API (`janus-protocol`) over TLS with `tls`; nil: none.
    public var secureWebSocket: Endpoint?
    /// The TLS certificate and key of `https` and `secureWebSocket` (PEM, as `certificate`
    /// takes them; `.generated` is not allowed here: use `SFUOptions.selfSignedTLS()`).
    public var tls: Certificate?
    /// The DTLS certificate (default: a fresh one per start).
    public var certificate: Certificate = .generated
    /// Janus `api_secret`: every request must carry `apisecret` (the room API adds it itself).
    public var apiSecret: String?
    /// Janus `token_auth`: every request must carry a stored `token` (or the `apiSecret`); tokens
    /// come from `tokens`, `SFUServer.addToken` or the Admin API's `add_token`.
    public var tokenAuth = false
    /// Tokens stored at start when `tokenAuth` is on, each allowed every plugin.
    public var tokens: [String] = []
    /// VideoRoom `admin_key`: required to create rooms over the Janus API (the room API adds it).
    public var adminKey: String?
    /// File keeping VideoRoom rooms created with `permanent: true`; nil: they answer 499.
    public var roomsFile: String?
    /// Rooms that exist from the start.
    public var rooms: [VideoRoomSettings] = [.demoRoom]
    /// Offer `janus.plugin.echotest` beside the VideoRoom.
    public var echoTest = true
    /// Where this server logs. The default uses whatever `LoggingSystem` the process set up.
    public var logger = Logger(label: "sfu")
    /// The level the Admin API's `set_log_level` changes and `get_status` reports; nil: the
    /// Admin API answers `set_log_level` with 453 (the level is the logger's own).
    public var logLevelControl: LogLevelControl?
    /// The last log lines the support bundle includes (your `LogHandler` appends to it; sfu-server's
    /// does, at debug level); nil: the bundle has no log.
    public var logRing: LogRing?
    /// The Janus Admin API listener (`POST /admin`, WebSocket subprotocol `janus-admin-protocol`);
    /// nil: none.
    public var adminHTTP: Endpoint?
    /// Janus `admin_secret`: every Admin API request but `info`/`ping` must carry it.
    public var adminSecret: String?
    /// Where this server reports metrics; nil: none. Never the global `MetricsSystem` unless you
    /// pass its factory.
    public var metrics: (any MetricsFactory)?
    /// How often gauges and counters are refreshed when `metrics` is set (a Prometheus scrape
    /// refreshes them too).
    public var metricsInterval: Duration = .seconds(10)
    /// With a `PrometheusMetricsFactory` in `metrics`, `GET /metrics` is served on the Janus HTTP
    /// listener (and through `respond(to:)`); set this to serve it on a listener of its own
    /// instead (`sfu-server --metrics`).
    public var metricsListener: Endpoint?
    /// SwiftNIO threads for the Janus HTTP/WebSocket listeners; nil: the server starts one
    /// thread of its own (and stops it when it stops). Pass the daemon's group to share it.
    public var eventLoopGroup: (any EventLoopGroup)?
    /// Events buffered per `events()` consumer before the oldest are dropped.
    public var eventBufferSize = 256
    /// A directory whose files the Janus HTTP listener (and `respond(to:)`) serves at `/`
    /// beside the API (the web client; `sfu-server` passes its built-in one); nil: none.
    public var webClientDirectory: String?

    /// The defaults listed on the type; change the fields you need.
    public init() {}
}
