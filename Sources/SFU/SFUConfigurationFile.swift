#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Every option of `sfu-server`, as its JSON config file spells it (a daemon can read the same
/// file): keys `http`, `ws`, `basePath`, `iceAddresses`, `natMapping`, `mediaPorts`, `workers`,
/// `roomPlacement`, `udpGSO`, `slowlinkThreshold`, `sessionTimeout`, `logLevel`, `certificateFile`, `privateKeyFile`, `adminKey`, `roomsFile`,
/// `apiSecret`, `tokenAuth`, `tokens`, `metrics`, `adminHTTP`, `adminSecret`, `logFormat`, `webClient`, `https`,
/// `wss`, `tlsCertificate`, `tlsKey`, `tlsSelfSigned`, and the limits `eventQueueCapacity`,
/// `maxWebSocketQueuedBytes`, `maxRequestsPerSecond`, `maxConnections`, `maxSessions`,
/// `maxHandlesPerSession`, `maxRooms`, `maxParticipantsPerRoom` (0: no limit).
/// Absent keys keep the embedded defaults below, so no file is needed; `options(…)` checks the
/// values and turns them into `SFUOptions`. A plain value.
public struct SFUConfigurationFile: Codable, Equatable, Sendable {
    /// Janus REST endpoint `HOST:PORT`, or "off".
    public var http = "127.0.0.1:8088"
    /// Janus WebSocket endpoint `HOST:PORT` (subprotocol janus-protocol), or "off".
    public var ws = "127.0.0.1:8188"
    /// Base path of the REST API.
    public var basePath = "/janus"
    /// Addresses the media sockets bind to and advertise. Empty: detect the host's addresses
    /// like Janus does (every interface that is up, not loopback, not link-local).
    public var iceAddresses: [String] = []
    /// Advertised address per bound address, for 1:1 NAT (Janus nat_1_1_mapping).
    public var natMapping: [String: String] = [:]
    /// UDP ports for media, "LOW-HIGH"; worker i uses LOW+i.
    public var mediaPorts = "20000-20100"
    /// Media worker threads; 0 = one per core.
    public var workers = 0
    /// "spread" (each PeerConnection on the least-loaded worker) or "together" (a room on one worker).
    public var roomPlacement = "spread"
    /// UDP GSO for runs of datagrams to one destination.
    public var udpGSO = true
    /// Lost packets a second that make a slow link (Janus `slowlink_threshold`); 0 = no reports.
    public var slowlinkThreshold = 4
    /// Seconds without activity before a Janus session expires; 0 disables expiry.
    public var sessionTimeout: Double = 60
    /// trace, debug, info, notice, warning, error or critical.
    public var logLevel = "info"
    /// PEM files of the DTLS certificate and key; absent: a fresh ECDSA P-256 one at start.
    public var certificateFile: String?
    /// (The private key file of `certificateFile`.)
    public var privateKeyFile: String?
    /// VideoRoom `admin_key`: needed to create rooms and to list private ones; absent = anyone.
    public var adminKey: String?
    /// Where VideoRoom rooms created with `permanent: true` are kept; absent = not kept.
    public var roomsFile: String?
    /// Janus `api_secret`: every Janus API request must carry `apisecret`; absent = none.
    public var apiSecret: String?
    /// Janus `token_auth`: every Janus API request must carry a stored `token` (or the API secret).
    public var tokenAuth = false
    /// Tokens stored at start (each may use every plugin); more through the Admin API.
    public var tokens: [String] = []
    /// Prometheus metrics: "http" (`GET /metrics` on the Janus HTTP listener), a `HOST:PORT` of
    /// their own, or "off". Read by `sfu-server`, which makes the registry (see `metricsEndpoint`).
    public var metrics = "http"
    /// The Janus Admin API listener `HOST:PORT` (`POST /admin`, WebSocket `janus-admin-protocol`),
    /// or "off".
    public var adminHTTP = "off"
    /// Janus `admin_secret` of the Admin API; absent = none.
    public var adminSecret: String?
    /// "text" (swift-log's console format) or "json" (one object per line, ids as fields).
    public var logFormat = "text"
    /// Events kept per long-poll session that is not polled (the oldest dropped beyond it).
    public var eventQueueCapacity = SFUOptions.Limits().eventQueueCapacity
    /// Unread outbound bytes per WebSocket connection before it is closed with 1008.
    public var maxWebSocketQueuedBytes = SFUOptions.Limits().maxWebSocketQueuedBytes
    /// Janus API requests a second per connection (beyond: error 490).
    public var maxRequestsPerSecond = SFUOptions.Limits().maxRequestsPerSecond
    /// Concurrent HTTP + WebSocket connections (beyond: closed at accept).
    public var maxConnections = SFUOptions.Limits().maxConnections
    /// Janus sessions at once (beyond: 472).
    public var maxSessions = SFUOptions.Limits().maxSessions
    /// Handles per session (beyond: 461).
    public var maxHandlesPerSession = SFUOptions.Limits().maxHandlesPerSession
    /// VideoRoom rooms at once (beyond: 499).
    public var maxRooms = SFUOptions.Limits().maxRooms
    /// Handles joined to one VideoRoom room (beyond: 432).
    public var maxParticipantsPerRoom = SFUOptions.Limits().maxParticipantsPerRoom
    /// The web client served at `/` on the Janus HTTP listener: "builtin" (the one shipped with
    /// `sfu-server`), "off", or a directory of files to serve instead.
    public var webClient = "builtin"
    /// HTTPS listener `HOST:PORT` (the REST API at `basePath` and the web client at `/`, as on
    /// `http`), or "off".
    public var https = "off"
    /// WSS listener `HOST:PORT` (WebSocket `janus-protocol` over TLS), or "off".
    public var wss = "off"
    /// PEM files of the TLS certificate (chain) and key of `https`/`wss`.
    public var tlsCertificate: String?
    /// (The private key file of `tlsCertificate`.)
    public var tlsKey: String?
    /// A self-signed certificate made at start for `https`/`wss` (instead of the files).
    public var tlsSelfSigned = false

    /// The embedded defaults.
    public init() {}

    /// Reads the keys present; absent ones keep the defaults.
    public init(from decoder: any Decoder) throws {
        let defaults = SFUConfigurationFile()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        http = try container.decodeIfPresent(String.self, forKey: .http) ?? defaults.http
        ws = try container.decodeIfPresent(String.self, forKey: .ws) ?? defaults.ws
        basePath = try container.decodeIfPresent(String.self, forKey: .basePath) ?? defaults.basePath
        iceAddresses = try container.decodeIfPresent([String].self, forKey: .iceAddresses) ?? defaults.iceAddresses
        natMapping = try container.decodeIfPresent([String: String].self, forKey: .natMapping) ?? defaults.natMapping
        mediaPorts = try container.decodeIfPresent(String.self, forKey: .mediaPorts) ?? defaults.mediaPorts
        workers = try container.decodeIfPresent(Int.self, forKey: .workers) ?? defaults.workers
        roomPlacement = try container.decodeIfPresent(String.self, forKey: .roomPlacement) ?? defaults.roomPlacement
        udpGSO = try container.decodeIfPresent(Bool.self, forKey: .udpGSO) ?? defaults.udpGSO
        slowlinkThreshold =
            try container.decodeIfPresent(Int.self, forKey: .slowlinkThreshold) ?? defaults.slowlinkThreshold
        sessionTimeout = try container.decodeIfPresent(Double.self, forKey: .sessionTimeout) ?? defaults.sessionTimeout
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? defaults.logLevel
        certificateFile = try container.decodeIfPresent(String.self, forKey: .certificateFile)
        privateKeyFile = try container.decodeIfPresent(String.self, forKey: .privateKeyFile)
        adminKey = try container.decodeIfPresent(String.self, forKey: .adminKey)
        roomsFile = try container.decodeIfPresent(String.self, forKey: .roomsFile)
        apiSecret = try container.decodeIfPresent(String.self, forKey: .apiSecret)
        tokenAuth = try container.decodeIfPresent(Bool.self, forKey: .tokenAuth) ?? defaults.tokenAuth
        tokens = try container.decodeIfPresent([String].self, forKey: .tokens) ?? defaults.tokens
        metrics = try container.decodeIfPresent(String.self, forKey: .metrics) ?? defaults.metrics
        adminHTTP = try container.decodeIfPresent(String.self, forKey: .adminHTTP) ?? defaults.adminHTTP
        adminSecret = try container.decodeIfPresent(String.self, forKey: .adminSecret)
        logFormat = try container.decodeIfPresent(String.self, forKey: .logFormat) ?? defaults.logFormat
        eventQueueCapacity =
            try container.decodeIfPresent(Int.self, forKey: .eventQueueCapacity) ?? defaults.eventQueueCapacity
        maxWebSocketQueuedBytes =
            try container.decodeIfPresent(Int.self, forKey: .maxWebSocketQueuedBytes) ?? defaults.maxWebSocketQueuedBytes
        maxRequestsPerSecond =
            try container.decodeIfPresent(Int.self, forKey: .maxRequestsPerSecond) ?? defaults.maxRequestsPerSecond
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? defaults.maxConnections
        maxSessions = try container.decodeIfPresent(Int.self, forKey: .maxSessions) ?? defaults.maxSessions
        maxHandlesPerSession =
            try container.decodeIfPresent(Int.self, forKey: .maxHandlesPerSession) ?? defaults.maxHandlesPerSession
        maxRooms = try container.decodeIfPresent(Int.self, forKey: .maxRooms) ?? defaults.maxRooms
        maxParticipantsPerRoom =
            try container.decodeIfPresent(Int.self, forKey: .maxParticipantsPerRoom) ?? defaults.maxParticipantsPerRoom
        webClient = try container.decodeIfPresent(String.self, forKey: .webClient) ?? defaults.webClient
        https = try container.decodeIfPresent(String.self, forKey: .https) ?? defaults.https
        wss = try container.decodeIfPresent(String.self, forKey: .wss) ?? defaults.wss
        tlsCertificate = try container.decodeIfPresent(String.self, forKey: .tlsCertificate)
        tlsKey = try container.decodeIfPresent(String.self, forKey: .tlsKey)
        tlsSelfSigned = try container.decodeIfPresent(Bool.self, forKey: .tlsSelfSigned) ?? defaults.tlsSelfSigned
    }

    /// Reads a JSON config file.
    public static func load(path: String) throws -> SFUConfigurationFile {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(SFUConfigurationFile.self, from: data)
    }

    /// The configuration as pretty-printed JSON with sorted keys (`--print-config`).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension SFUConfigurationFile {
    /// The checked options. `detectedAddresses` supplies the ICE addresses when the file names
    /// none (`sfu-server` detects the host's like Janus); `builtinWebClient` is the directory
    /// `webClient: "builtin"` means (nil: no built-in client, none is served). Throws
    /// `SFUError.invalidOptions` naming the first bad value.
    public func options(
        detectedAddresses: () -> [String] = { ["127.0.0.1"] }, builtinWebClient: String? = nil
    ) throws(SFUError) -> SFUOptions {
        var options = SFUOptions()
        switch webClient {
        case "builtin": options.webClientDirectory = builtinWebClient
        case "off": options.webClientDirectory = nil
        case "": throw .invalidOptions("webClient must be builtin, off or a directory")
        default: options.webClientDirectory = webClient
        }
        options.http = try Self.endpoint(http, name: "http")
        options.webSocket = try Self.endpoint(ws, name: "ws")
        options.basePath = basePath
        guard let ports = Self.portRange(mediaPorts) else {
            throw .invalidOptions("media ports must be LOW-HIGH, got '\(mediaPorts)'")
        }
        options.mediaPorts = ports
        guard workers >= 0 else { throw .invalidOptions("workers must be ≥ 0") }
        options.mediaWorkers = workers
        guard let placement = RoomPlacement(rawValue: roomPlacement) else {
            throw .invalidOptions("roomPlacement must be spread or together, got '\(roomPlacement)'")
        }
        options.roomPlacement = placement
        options.udpGSO = udpGSO
        guard slowlinkThreshold >= 0 else { throw .invalidOptions("slowlinkThreshold must be ≥ 0") }
        options.slowLinkThreshold = slowlinkThreshold
        guard sessionTimeout >= 0, sessionTimeout.isFinite else { throw .invalidOptions("session timeout must be ≥ 0") }
        options.sessionTimeout = .milliseconds(Int64(sessionTimeout * 1000))
        guard logLevelValue != nil else { throw .invalidOptions("unknown log level '\(logLevel)'") }
        guard logFormat == "text" || logFormat == "json" else {
            throw .invalidOptions("log format must be text or json, got '\(logFormat)'")
        }
        options.iceAddresses = iceAddresses.isEmpty ? detectedAddresses() : iceAddresses
        options.advertisedAddresses = natMapping
        switch (certificateFile, privateKeyFile) {
        case (let certificate?, let key?): options.certificate = .files(certificate: certificate, privateKey: key)
        case (nil, nil): options.certificate = .generated
        default: throw .invalidOptions("certificateFile and privateKeyFile go together")
        }
        options.https = try Self.endpoint(https, name: "https")
        options.secureWebSocket = try Self.endpoint(wss, name: "wss")
        switch (tlsCertificate, tlsKey, tlsSelfSigned) {
        case (let certificate?, let key?, false): options.tls = .files(certificate: certificate, privateKey: key)
        case (nil, nil, true):
            do {
                options.tls = try SFUOptions.selfSignedTLS()
            } catch {
                throw .invalidOptions("cannot make a self-signed certificate: \(error)")
            }
        case (nil, nil, false): options.tls = nil
        case (_, _, true): throw .invalidOptions("tlsSelfSigned and tlsCertificate/tlsKey exclude each other")
        default: throw .invalidOptions("tlsCertificate and tlsKey go together")
        }
        options.adminKey = adminKey
        options.roomsFile = roomsFile
        options.apiSecret = apiSecret
        options.tokenAuth = tokenAuth
        options.tokens = tokens
        _ = try metricsEndpoint()
        options.adminHTTP = try Self.endpoint(adminHTTP, name: "admin-http")
        options.adminSecret = adminSecret
        options.limits.eventQueueCapacity = eventQueueCapacity
        options.limits.maxWebSocketQueuedBytes = maxWebSocketQueuedBytes
        options.limits.maxRequestsPerSecond = maxRequestsPerSecond
        options.limits.maxConnections = maxConnections
        options.limits.maxSessions = maxSessions
        options.limits.maxHandlesPerSession = maxHandlesPerSession
        options.limits.maxRooms = maxRooms
        options.limits.maxParticipantsPerRoom = maxParticipantsPerRoom
        try options.validate()
        return options
    }

    /// Where metrics go: nil when off, `.some(nil)` on the Janus HTTP listener, else a listener.
    public func metricsEndpoint() throws(SFUError) -> SFUOptions.Endpoint?? {
        switch metrics.lowercased() {
        case "off": return nil
        case "http": return .some(nil)
        default:
            guard let endpoint = SFUOptions.Endpoint(metrics) else {
                throw .invalidOptions("--metrics must be http, off or HOST:PORT, got '\(metrics)'")
            }
            return .some(endpoint)
        }
    }

    /// `logLevel` as a swift-log level, nil when it names none.
    public var logLevelValue: Logger.Level? { Logger.Level(rawValue: logLevel.lowercased()) }

    /// `HOST:PORT` or `off`.
    private static func endpoint(_ text: String, name: String) throws(SFUError) -> SFUOptions.Endpoint? {
        if text.lowercased() == "off" { return nil }
        guard let endpoint = SFUOptions.Endpoint(text) else {
            throw .invalidOptions("--\(name) must be HOST:PORT or off, got '\(text)'")
        }
        return endpoint
    }

    /// `LOW-HIGH` UDP port range.
    private static func portRange(_ text: String) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low <= high else {
            return nil
        }
        return low...high
    }
}
