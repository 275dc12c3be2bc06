import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Prometheus
import SFU
import Signaling

/// `sfu-server`: the Janus-compatible SFU as a foreground process (the sidecar), a thin command
/// line over the `SFU` library's `SFUServer`.
///
/// Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT) or `--print-config`; 64 for a usage or
/// configuration error (bad flag, unreadable or invalid config file), before anything binds;
/// 1 for a runtime failure (a port already in use, an unreadable certificate, a crash of the
/// server while running).
@main
struct SFUServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sfu-server",
        abstract: "A WebRTC SFU speaking the Janus API (HTTP long-poll and WebSocket).",
        discussion: "Exit codes: 0 clean shutdown, 64 usage or configuration error, 1 runtime failure.",
        subcommands: [ServeCommand.self, SupportBundleCommand.self],
        // `sfu-server --http …` serves, as it always did; the subcommand name is optional.
        defaultSubcommand: ServeCommand.self)
}

/// `sfu-server [serve] [flags]`: runs the server in the foreground.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server in the foreground (the default).",
        discussion: "Exit codes: 0 clean shutdown, 64 usage or configuration error, 1 runtime failure.")

    @Option(name: .long, help: "JSON configuration file (every option; flags override it).")
    var config: String?

    @Option(name: .long, help: "Janus REST endpoint HOST:PORT, or 'off' (default 127.0.0.1:8088, path /janus).")
    var http: String?

    @Option(name: .long, help: "Janus WebSocket endpoint HOST:PORT, or 'off' (default 127.0.0.1:8188).")
    var ws: String?

    @Option(
        name: .customLong("ice-address"),
        help: "Address media sockets bind to and advertise (repeatable). Default: detect like Janus.")
    var iceAddresses: [String] = []

    @Option(name: .customLong("media-ports"), help: "UDP port range for media, LOW-HIGH (default 20000-20100).")
    var mediaPorts: String?

    @Option(name: .customLong("session-timeout"), help: "Seconds of inactivity before a session expires (default 60).")
    var sessionTimeout: Double?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .long, help: "Media worker threads (default: one per core).")
    var workers: Int?

    @Option(name: .customLong("room-placement"), help: "spread (default: each PeerConnection on the least-loaded worker) or together (a room on one worker).")
    var roomPlacement: String?

    @Option(name: .customLong("slowlink-threshold"), help: "Lost packets a second on an m-line that make a slow-link report (Janus slowlink_threshold; default 4, 0 = off).")
    var slowlinkThreshold: Int?

    @Option(name: .customLong("admin-key"), help: "VideoRoom admin_key required to create rooms (default: none).")
    var adminKey: String?

    @Option(name: .customLong("rooms-file"), help: "File keeping VideoRoom rooms created with permanent: true.")
    var roomsFile: String?

    @Option(name: .customLong("api-secret"), help: "Janus api_secret: every Janus API request must carry apisecret.")
    var apiSecret: String?

    @Flag(name: .customLong("token-auth"), help: "Janus token_auth: every Janus API request must carry a stored token.")
    var tokenAuth = false

    @Option(name: .customLong("token"), help: "A token stored at start for --token-auth (repeatable; every plugin).")
    var tokens: [String] = []

    @Option(name: .long, help: "Prometheus GET /metrics: http (on the Janus HTTP listener, default), HOST:PORT (a listener of its own) or off.")
    var metrics: String?

    @Option(name: .customLong("log-format"), help: "text (default: swift-log's console format) or json (one object per line).")
    var logFormat: String?

    @Option(name: .customLong("admin-http"), help: "Janus Admin API HOST:PORT (POST /admin, WebSocket janus-admin-protocol), or 'off' (default).")
    var adminHTTP: String?

    @Option(name: .customLong("admin-secret"), help: "Janus admin_secret: every Admin API request but info/ping must carry it.")
    var adminSecret: String?

    @Option(name: .customLong("event-queue-capacity"), help: "Events kept per long-poll session that is not polled; the oldest are dropped beyond it (default 1000).")
    var eventQueueCapacity: Int?

    @Option(name: .customLong("max-ws-queued-bytes"), help: "Unread outbound bytes per WebSocket connection before it is closed with 1008 (default 8388608; 0 = no limit).")
    var maxWebSocketQueuedBytes: Int?

    @Option(name: .customLong("max-requests-per-second"), help: "Janus API requests a second per HTTP/WebSocket connection, burst twice that; beyond it error 490 (default 1000; 0 = no limit).")
    var maxRequestsPerSecond: Int?

    @Option(name: .customLong("max-connections"), help: "Concurrent HTTP + WebSocket connections; beyond it new ones are closed (default 4096; 0 = no limit).")
    var maxConnections: Int?

    @Option(name: .customLong("max-sessions"), help: "Janus sessions at once; create beyond it answers 472 (default 10000; 0 = no limit).")
    var maxSessions: Int?

    @Option(name: .customLong("max-handles-per-session"), help: "Handles per session; attach beyond it answers 461 (default 256; 0 = no limit).")
    var maxHandlesPerSession: Int?

    @Option(name: .customLong("max-rooms"), help: "VideoRoom rooms at once; create beyond it answers 499 (default 1000; 0 = no limit).")
    var maxRooms: Int?

    @Option(name: .customLong("max-participants-per-room"), help: "Handles joined to one VideoRoom room; join beyond it answers 432 (default 1000; 0 = no limit).")
    var maxParticipantsPerRoom: Int?

    @OptionGroup(title: "Web client, HTTPS and WSS")
    var web: WebFlags

    @Flag(name: .customLong("print-config"), help: "Print the effective configuration as JSON and exit.")
    var printConfig = false

    @Option(name: .customLong("ready-file"), help: "Write this file (with the bound ports) once ready.")
    var readyFile: String?

    /// The web client's addresses for a person (one fresh room number each start), on the HTTP
    /// and HTTPS listeners that are on.
    static func meetingLinks(options: SFUOptions, addresses: SFUServer.BoundAddresses) -> [String] {
        guard options.webClientDirectory != nil else { return [] }
        let room = Int.random(in: 1000...9999)
        let listeners = [("http", options.http, addresses.httpPort), ("https", options.https, addresses.httpsPort)]
        return listeners.compactMap { scheme, endpoint, port in
            guard let endpoint, let port else { return nil }
            let host = endpoint.host == "0.0.0.0" || endpoint.host == "::" ? "127.0.0.1" : endpoint.host
            let shown = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(shown):\(port)/?room=\(room)"
        }
    }

    func effectiveConfiguration() throws -> SFUConfigurationFile {
        var configuration = try config.map(SFUConfigurationFile.load(path:)) ?? SFUConfigurationFile()
        if let http { configuration.http = http }
        if let ws { configuration.ws = ws }
        if !iceAddresses.isEmpty { configuration.iceAddresses = iceAddresses }
        if let mediaPorts { configuration.mediaPorts = mediaPorts }
        if let sessionTimeout { configuration.sessionTimeout = sessionTimeout }
        if let logLevel { configuration.logLevel = logLevel }
        if let workers { configuration.workers = workers }
        if let roomPlacement { configuration.roomPlacement = roomPlacement }
        if let slowlinkThreshold { configuration.slowlinkThreshold = slowlinkThreshold }
        if let adminKey { configuration.adminKey = adminKey }
        if let roomsFile { configuration.roomsFile = roomsFile }
        if let apiSecret { configuration.apiSecret = apiSecret }
        if tokenAuth { configuration.tokenAuth = true }
        if !tokens.isEmpty { configuration.tokens = tokens }
        if let metrics { configuration.metrics = metrics }
        if let adminHTTP { configuration.adminHTTP = adminHTTP }
        if let logFormat { configuration.logFormat = logFormat }
        if let adminSecret { configuration.adminSecret = adminSecret }
        if let eventQueueCapacity { configuration.eventQueueCapacity = eventQueueCapacity }
        if let maxWebSocketQueuedBytes { configuration.maxWebSocketQueuedBytes = maxWebSocketQueuedBytes }
        if let maxRequestsPerSecond { configuration.maxRequestsPerSecond = maxRequestsPerSecond }
        if let maxConnections { configuration.maxConnections = maxConnections }
        if let maxSessions { configuration.maxSessions = maxSessions }
        if let maxHandlesPerSession { configuration.maxHandlesPerSession = maxHandlesPerSession }
        if let maxRooms { configuration.maxRooms = maxRooms }
        if let maxParticipantsPerRoom { configuration.maxParticipantsPerRoom = maxParticipantsPerRoom }
        web.apply(to: &configuration)
        return configuration
    }

    func run() async throws {
        let configuration: SFUConfigurationFile
        do {
            configuration = try effectiveConfiguration()
        } catch {
            throw ValidationError("cannot read configuration: \(error)")
        }
        if printConfig {
            print(configuration.json())
            return
        }
        // Every mistake in a flag or the file is reported here, before anything binds (exit 64).
        var options: SFUOptions
        let server: SFUServer
        let logLevel = LogLevelControl(configuration.logLevelValue ?? .info)
        // Before any Logger is made: a Logger keeps the handler of the moment it was made.
        let logRing = LogRing(capacity: 2000)
        let json = configuration.logFormat == "json"
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, control: logLevel, ring: logRing, json: json) }
        do {
            options = try configuration.options(
                detectedAddresses: AddressDetection.hostAddresses, builtinWebClient: BuiltinWebClient.directory)
            options.name = "sfu-server"
            options.logger = Logger(label: "sfu-server")
            options.logLevelControl = logLevel
            options.logRing = logRing
            if configuration.webClient == "builtin", options.webClientDirectory == nil {
                options.logger.warning(
                    "The built-in web client was not found beside the binary (\(BuiltinWebClient.bundleName)); GET / is not served")
            }
            if let endpoint = try configuration.metricsEndpoint() {
                // A registry of this process's own, never the global MetricsSystem.
                options.metrics = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
                options.metricsListener = endpoint
            }
            server = try SFUServer(options: options)
        } catch {
            throw ValidationError(error.description.replacing("invalid options: ", with: ""))
        }
        let group = ServiceGroup(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: options.logger)
        let readyFile = self.readyFile
        let servedOptions = options
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    // A server that fails to start makes `group.run()` throw; nothing to announce.
                    guard let addresses = try? await server.waitUntilReady() else { return }
                    let ready = "sfu-server ready \(addresses.summary)"
                    // The file first, so it exists once the line is seen.
                    if let readyFile { try ready.write(toFile: readyFile, atomically: true, encoding: .utf8) }
                    // Unbuffered, so a script waiting for the line sees it at once.
                    print(ready)
                    if let fingerprint = try? servedOptions.tlsFingerprint() {
                        print("tls certificate sha-256 fingerprint \(fingerprint)")
                    }
                    for link in Self.meetingLinks(options: servedOptions, addresses: addresses) {
                        print("open \(link) in a browser to have a meeting")
                    }
                    fflush(nil)
                }
                try await tasks.waitForAll()
            }
        } catch {
            options.logger.critical("sfu-server failed: \(error)")
            throw ExitCode.failure
        }
    }
}
