#if canImport(Glibc)
import Glibc
#endif
import Logging
import SFU

/// sfu-server's log handler: swift-log's `StreamLogHandler` on stderr (the console format is
/// unchanged), filtered by a `LogLevelControl` the Admin API's `set_log_level` can change while
/// the server runs; and every line at debug or above into the `LogRing` of the support bundle.
struct ConsoleLogHandler: LogHandler {
    private var console: StreamLogHandler
    let control: LogLevelControl
    let ring: LogRing
    let label: String

    init(label: String, control: LogLevelControl, ring: LogRing) {
        self.ring = ring
        self.label = label
        var console = StreamLogHandler.standardError(label: label)
        console.logLevel = .trace  // filtered here, by the control
        self.console = console
        self.control = control
    }

    var logLevel: Logger.Level {
        // Debug lines reach `log` for the ring even when the console shows less.
        get { min(control.level, .debug) }
        // The level belongs to the control (flags, config, Admin API), not to one logger.
        set {}
    }

    var metadata: Logger.Metadata {
        get { console.metadata }
        set { console.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { console.metadataProvider }
        set { console.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { console[metadataKey: key] }
        set { console[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .debug { ring.append(ringLine(event)) }
        guard event.level >= control.level else { return }
        console.log(event: event)
    }

    /// `2026-12-07T18:00:00Z LEVEL label: message key=value …`.
    private func ringLine(_ event: LogEvent) -> String {
        var all = console.metadata
        if let provided = console.metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let metadata = event.metadata { all.merge(metadata) { _, new in new } }
        let tail = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(Self.utcNow()) \(event.level) \(label): \(event.message)\(tail.isEmpty ? "" : " " + tail)"
    }

    /// The wall-clock time in UTC, ISO 8601 to the second.
    static func utcNow() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
