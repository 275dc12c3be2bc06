import ArgumentParser
import Logging
import SFU

/// A `ServerConfiguration` checked and turned into the library's `SFUOptions`; every mistake in
/// a flag or the file is reported here, before anything binds (exit code 64).
struct LaunchPlan {
    var options: SFUOptions
    var logLevel: Logger.Level

    init(_ configuration: ServerConfiguration) throws {
        var options = SFUOptions()
        options.name = "sfu-server"
        options.http = try Self.endpoint(configuration.http, name: "http")
        options.webSocket = try Self.endpoint(configuration.ws, name: "ws")
        guard configuration.basePath.hasPrefix("/") else { throw ValidationError("basePath must start with '/'") }
        options.basePath = configuration.basePath
        guard let ports = Self.portRange(configuration.mediaPorts) else {
            throw ValidationError("media ports must be LOW-HIGH, got '\(configuration.mediaPorts)'")
        }
        options.mediaPorts = ports
        guard configuration.workers >= 0 else { throw ValidationError("workers must be ≥ 0") }
        options.mediaWorkers = configuration.workers
        guard configuration.sessionTimeout >= 0, configuration.sessionTimeout.isFinite else {
            throw ValidationError("session timeout must be ≥ 0")
        }
        options.sessionTimeout = .milliseconds(Int64(configuration.sessionTimeout * 1000))
        guard let level = Logger.Level(rawValue: configuration.logLevel.lowercased()) else {
            throw ValidationError("unknown log level '\(configuration.logLevel)'")
        }
        logLevel = level
        options.iceAddresses =
            configuration.iceAddresses.isEmpty ? AddressDetection.hostAddresses() : configuration.iceAddresses
        options.advertisedAddresses = configuration.natMapping
        switch (configuration.certificateFile, configuration.privateKeyFile) {
        case (let certificate?, let key?): options.certificate = .files(certificate: certificate, privateKey: key)
        case (nil, nil): options.certificate = .generated
        default: throw ValidationError("certificateFile and privateKeyFile go together")
        }
        options.adminKey = configuration.adminKey
        options.roomsFile = configuration.roomsFile
        do {
            try options.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        self.options = options
    }

    private static func endpoint(_ text: String, name: String) throws -> SFUOptions.Endpoint? {
        if text.lowercased() == "off" { return nil }
        guard let endpoint = SFUOptions.Endpoint(text) else {
            throw ValidationError("--\(name) must be HOST:PORT or off, got '\(text)'")
        }
        return endpoint
    }

    /// `LOW-HIGH` UDP port range.
    static func portRange(_ text: String) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low <= high else {
            return nil
        }
        return low...high
    }
}
