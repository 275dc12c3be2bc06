import ArgumentParser
import Logging
import SFUMedia

/// A `ServerConfiguration` checked and turned into typed values; every mistake in a flag or the
/// file is reported here, before anything binds.
struct LaunchPlan {
    var http: HostPort?
    var ws: HostPort?
    var basePath: String
    var media: MediaConfiguration
    var sessionTimeout: Double
    var logLevel: Logger.Level
    var certificateFile: String?
    var privateKeyFile: String?
    var adminKey: String?
    var roomsFile: String?

    init(_ configuration: ServerConfiguration) throws {
        http = try Self.endpoint(configuration.http, name: "http")
        ws = try Self.endpoint(configuration.ws, name: "ws")
        guard configuration.basePath.hasPrefix("/") else { throw ValidationError("basePath must start with '/'") }
        basePath = configuration.basePath
        guard let ports = PortRange(configuration.mediaPorts) else {
            throw ValidationError("media ports must be LOW-HIGH, got '\(configuration.mediaPorts)'")
        }
        guard configuration.workers >= 0 else { throw ValidationError("workers must be ≥ 0") }
        guard configuration.sessionTimeout >= 0 else { throw ValidationError("session timeout must be ≥ 0") }
        guard let level = Logger.Level(rawValue: configuration.logLevel.lowercased()) else {
            throw ValidationError("unknown log level '\(configuration.logLevel)'")
        }
        let addresses =
            configuration.iceAddresses.isEmpty ? AddressDetection.hostAddresses() : configuration.iceAddresses
        media = MediaConfiguration(
            iceAddresses: addresses, advertisedAddresses: configuration.natMapping, lowPort: ports.low,
            highPort: ports.high, workerCount: configuration.workers)
        sessionTimeout = configuration.sessionTimeout
        logLevel = level
        certificateFile = configuration.certificateFile
        privateKeyFile = configuration.privateKeyFile
        adminKey = configuration.adminKey
        roomsFile = configuration.roomsFile
    }

    private static func endpoint(_ text: String, name: String) throws -> HostPort? {
        if text.lowercased() == "off" { return nil }
        guard let endpoint = HostPort(text) else { throw ValidationError("--\(name) must be HOST:PORT or off, got '\(text)'") }
        return endpoint
    }
}
