import Logging
import SFU

/// sfu-server's log handler: swift-log's `StreamLogHandler` on stderr (the console format is
/// unchanged), filtered by a `LogLevelControl` the Admin API's `set_log_level` can change while
/// the server runs.
struct ConsoleLogHandler: LogHandler {
    private var console: StreamLogHandler
    let control: LogLevelControl

    init(label: String, control: LogLevelControl) {
        var console = StreamLogHandler.standardError(label: label)
        console.logLevel = .trace  // filtered here, by the control
        self.console = console
        self.control = control
    }

    var logLevel: Logger.Level {
        get { control.level }
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
        guard event.level >= control.level else { return }
        console.log(event: event)
    }
}
