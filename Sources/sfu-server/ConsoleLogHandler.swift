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
    /// One JSON object per line (`--log-format json`) instead of the console format.
    let json: Bool

    init(label: String, control: LogLevelControl, ring: LogRing, json: Bool = false) {
        self.ring = ring
        self.label = label
        self.json = json
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
        guard json else { return console.log(event: event) }
        let line = JSONLogLine.format(
            timestamp: Self.utcNow(), level: event.level, label: label, message: event.message.description,
            metadata: allMetadata(event))
        // One write(2) per line: lines from different threads do not interleave.
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// The handler's, the provider's and the event's metadata, later ones winning.
    private func allMetadata(_ event: LogEvent) -> Logger.Metadata {
        var all = console.metadata
        if let provided = console.metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let metadata = event.metadata { all.merge(metadata) { _, new in new } }
        return all
    }

    /// `2026-12-07T18:00:00Z LEVEL label: message key=value …`.
    private func ringLine(_ event: LogEvent) -> String {
        let tail = allMetadata(event).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
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
