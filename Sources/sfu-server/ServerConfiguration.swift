import Foundation

/// Every option of `sfu-server`, as the JSON config file spells it. Flags override the file;
/// absent keys keep the embedded defaults below, so no file is needed.
struct ServerConfiguration: Codable, Equatable, Sendable {
    /// Janus REST endpoint `HOST:PORT`, or "off".
    var http = "127.0.0.1:8088"
    /// Janus WebSocket endpoint `HOST:PORT` (subprotocol janus-protocol), or "off".
    var ws = "127.0.0.1:8188"
    /// Base path of the REST API.
    var basePath = "/janus"
    /// Addresses the media sockets bind to and advertise. Empty: detect the host's addresses
    /// like Janus does (every interface that is up, not loopback, not link-local).
    var iceAddresses: [String] = []
    /// Advertised address per bound address, for 1:1 NAT (Janus nat_1_1_mapping).
    var natMapping: [String: String] = [:]
    /// UDP ports for media, "LOW-HIGH"; worker i uses LOW+i.
    var mediaPorts = "20000-20100"
    /// Media worker threads; 0 = one per core.
    var workers = 0
    var sessionTimeout: Double = 60
    var logLevel = "info"
    /// PEM files of the DTLS certificate and key; absent: a fresh ECDSA P-256 one at start.
    var certificateFile: String?
    var privateKeyFile: String?
    /// VideoRoom `admin_key`: needed to create rooms and to list private ones; absent = anyone.
    var adminKey: String?
    /// Where VideoRoom rooms created with `permanent: true` are kept; absent = not kept.
    var roomsFile: String?

    init() {}

    init(from decoder: any Decoder) throws {
        let defaults = ServerConfiguration()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        http = try container.decodeIfPresent(String.self, forKey: .http) ?? defaults.http
        ws = try container.decodeIfPresent(String.self, forKey: .ws) ?? defaults.ws
        basePath = try container.decodeIfPresent(String.self, forKey: .basePath) ?? defaults.basePath
        iceAddresses = try container.decodeIfPresent([String].self, forKey: .iceAddresses) ?? defaults.iceAddresses
        natMapping = try container.decodeIfPresent([String: String].self, forKey: .natMapping) ?? defaults.natMapping
        mediaPorts = try container.decodeIfPresent(String.self, forKey: .mediaPorts) ?? defaults.mediaPorts
        workers = try container.decodeIfPresent(Int.self, forKey: .workers) ?? defaults.workers
        sessionTimeout = try container.decodeIfPresent(Double.self, forKey: .sessionTimeout) ?? defaults.sessionTimeout
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? defaults.logLevel
        certificateFile = try container.decodeIfPresent(String.self, forKey: .certificateFile)
        privateKeyFile = try container.decodeIfPresent(String.self, forKey: .privateKeyFile)
        adminKey = try container.decodeIfPresent(String.self, forKey: .adminKey)
        roomsFile = try container.decodeIfPresent(String.self, forKey: .roomsFile)
    }

    static func load(path: String) throws -> ServerConfiguration {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(ServerConfiguration.self, from: data)
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
